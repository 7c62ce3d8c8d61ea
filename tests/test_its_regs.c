/*
 * ITS frame registers and the ITS device attribute groups (ADDR, CTRL,
 * ITS_REGS) with KVM's userspace rules (abi.md §1.4, §2.1).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harness.h"

#define ITS0 TH_ITS_BASE
#define GITS_CTLR 0x0
#define GITS_IIDR 0x4
#define GITS_TYPER 0x8
#define GITS_CBASER 0x80
#define GITS_CWRITER 0x88
#define GITS_CREADR 0x90
#define GITS_BASER0 0x100
#define GITS_BASER1 0x108
#define GITS_BASER2 0x110

struct fx {
	struct th_host *h;
	struct vgic *v;
	struct vgic_device *gic, *its;
};

/* A GICv3 with one ITS at ITS0; only the ITS is configured. */
static int setup(void **state)
{
	struct vgic_config cfg = { .nr_vcpus = 2 };
	struct fx *f = calloc(1, sizeof(*f));
	uint64_t addr = ITS0;

	f->h = th_host_new(1 << 20);
	assert_int_equal(vgic_create(&cfg, &th_ops, f->h, &f->v), 0);
	assert_int_equal(vgic_device_create(f->v, VGIC_DEV_TYPE_V3, &f->gic), 0);
	assert_int_equal(vgic_device_create(f->v, VGIC_DEV_TYPE_ITS, &f->its), 0);
	assert_int_equal(th_set_attr(f->its, VGIC_GRP_ADDR, VGIC_ITS_ADDR_TYPE,
				     &addr), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	vgic_destroy(f->v);
	th_host_free(f->h);
	free(f);
	return 0;
}

static uint64_t ureg(struct fx *f, uint64_t off)
{
	uint64_t val = 0xdeadbeef;

	assert_int_equal(th_get_attr(f->its, VGIC_GRP_ITS_REGS, off, &val), 0);
	return val;
}

static int uset(struct fx *f, uint64_t off, uint64_t val)
{
	return th_set_attr(f->its, VGIC_GRP_ITS_REGS, off, &val);
}

static void test_defaults(void **state)
{
	struct fx *f = *state;

	assert_int_equal(ureg(f, GITS_TYPER), 0x1ef71);
	assert_int_equal(ureg(f, GITS_IIDR), 0x4b00043b);
	assert_int_equal(ureg(f, GITS_CTLR), 1u << 31); /* quiescent */
	assert_int_equal(ureg(f, GITS_BASER0), 0x1907000000000600ull);
	assert_int_equal(ureg(f, GITS_BASER1), 0x1c07000000000600ull);
	assert_int_equal(ureg(f, GITS_BASER2), 0);
	assert_int_equal(ureg(f, 0xffe8), 0x3b); /* PIDR2 */
	assert_int_equal(ureg(f, 0xffd0), 0x40); /* PIDR4 */
	assert_int_equal(ureg(f, 0xfffc), 0xb1); /* CIDR3 */
	/* Guest view of the same registers, 32-bit halves of TYPER. */
	assert_int_equal(th_read32(f->v, 0, ITS0 + GITS_TYPER), 0x1ef71);
	assert_int_equal(th_read32(f->v, 0, ITS0 + GITS_TYPER + 4), 0);
	assert_int_equal(th_read64(f->v, 0, ITS0 + GITS_BASER1),
			 0x1c07000000000600ull);
}

static void test_regs_errors(void **state)
{
	struct fx *f = *state;
	uint64_t val = 0;

	/* Alignment: 4 below TYPER and for ID regs, else 8. */
	assert_int_equal(th_get_attr(f->its, VGIC_GRP_ITS_REGS, 0x2, &val),
			 -EINVAL);
	assert_int_equal(th_get_attr(f->its, VGIC_GRP_ITS_REGS, 0x84, &val),
			 -EINVAL);
	assert_int_equal(th_get_attr(f->its, VGIC_GRP_ITS_REGS, 0x10, &val),
			 -ENXIO);
	assert_int_equal(th_has_attr(f->its, VGIC_GRP_ITS_REGS, 0x10), -ENXIO);
	assert_int_equal(th_has_attr(f->its, VGIC_GRP_ITS_REGS, 0x84), -EINVAL);
	assert_int_equal(th_has_attr(f->its, VGIC_GRP_ITS_REGS, GITS_CREADR), 0);
	assert_int_equal(th_has_attr(f->its, VGIC_GRP_ITS_REGS, 0xffd4), 0);
	assert_int_equal(th_has_attr(f->its, VGIC_GRP_ITS_REGS, 0x138), 0);
	/* IIDR: revision >= 1 is -EINVAL. */
	assert_int_equal(uset(f, GITS_IIDR, 1u << 12), -EINVAL);
	assert_int_equal(uset(f, GITS_IIDR, 0), 0);
	/* Unknown group. */
	assert_int_equal(th_get_attr(f->its, VGIC_GRP_DIST_REGS, 0, &val),
			 -ENXIO);
}

static void test_regs_no_base(void **state)
{
	struct fx *f = *state;
	struct vgic_device *its2;
	uint64_t val;

	(void)f;
	assert_int_equal(vgic_device_create(f->v, VGIC_DEV_TYPE_ITS, &its2), 0);
	assert_int_equal(th_get_attr(its2, VGIC_GRP_ITS_REGS, GITS_TYPER, &val),
			 -ENXIO);
	assert_int_equal(th_get_attr(its2, VGIC_GRP_ADDR, VGIC_ITS_ADDR_TYPE,
				     &val), 0);
	assert_true(val == ~0ull);
}

static void test_addr(void **state)
{
	struct fx *f = *state;
	struct vgic_device *its2;
	uint64_t addr = 0x10000, got;

	assert_int_equal(vgic_device_create(f->v, VGIC_DEV_TYPE_ITS, &its2), 0);
	assert_int_equal(th_set_attr(its2, VGIC_GRP_ADDR, 5, &addr), -ENODEV);
	assert_int_equal(th_has_attr(its2, VGIC_GRP_ADDR, 5), -ENXIO);
	assert_int_equal(th_has_attr(its2, VGIC_GRP_ADDR, VGIC_ITS_ADDR_TYPE), 0);
	addr = 0x18000;
	assert_int_equal(th_set_attr(its2, VGIC_GRP_ADDR, VGIC_ITS_ADDR_TYPE,
				     &addr), -EINVAL);
	addr = ~0ull << 16;
	assert_int_equal(th_set_attr(its2, VGIC_GRP_ADDR, VGIC_ITS_ADDR_TYPE,
				     &addr), -EINVAL);
	addr = 1ull << VGIC_PHYS_ADDR_BITS;
	assert_int_equal(th_set_attr(its2, VGIC_GRP_ADDR, VGIC_ITS_ADDR_TYPE,
				     &addr), -E2BIG);
	addr = (1ull << VGIC_PHYS_ADDR_BITS) - 0x10000;
	assert_int_equal(th_set_attr(its2, VGIC_GRP_ADDR, VGIC_ITS_ADDR_TYPE,
				     &addr), -E2BIG);
	addr = 0x20000000;
	assert_int_equal(th_set_attr(its2, VGIC_GRP_ADDR, VGIC_ITS_ADDR_TYPE,
				     &addr), 0);
	assert_int_equal(th_set_attr(its2, VGIC_GRP_ADDR, VGIC_ITS_ADDR_TYPE,
				     &addr), -EEXIST);
	assert_int_equal(th_get_attr(its2, VGIC_GRP_ADDR, VGIC_ITS_ADDR_TYPE,
				     &got), 0);
	assert_int_equal(got, 0x20000000);
	assert_int_equal(th_read32(f->v, 0, 0x20000000 + GITS_IIDR), 0x4b00043b);
}

static void test_ctrl(void **state)
{
	struct fx *f = *state;

	assert_int_equal(th_has_attr(f->its, VGIC_GRP_CTRL, VGIC_CTRL_INIT), 0);
	assert_int_equal(th_has_attr(f->its, VGIC_GRP_CTRL, VGIC_CTRL_ITS_RESET),
			 0);
	assert_int_equal(th_has_attr(f->its, VGIC_GRP_CTRL,
				     VGIC_CTRL_ITS_SAVE_TABLES), 0);
	assert_int_equal(th_has_attr(f->its, VGIC_GRP_CTRL,
				     VGIC_CTRL_ITS_RESTORE_TABLES), 0);
	assert_int_equal(th_has_attr(f->its, VGIC_GRP_CTRL,
				     VGIC_CTRL_SAVE_PENDING_TABLES), -ENXIO);
	assert_int_equal(th_set_attr(f->its, VGIC_GRP_CTRL, 7, NULL), -ENXIO);
	assert_int_equal(th_set_attr(f->its, VGIC_GRP_CTRL, VGIC_CTRL_INIT,
				     NULL), 0);
}

static void test_baser_rules(void **state)
{
	struct fx *f = *state;

	/* Type/entry size RO, page size forced to 64K, Indirect kept on the
	 * device table, cleared on the collection table, cacheability and
	 * shareability sanitised (OuterShareable -> Inner, nC -> RaWb). */
	assert_int_equal(uset(f, GITS_BASER0, 0xc000000040000000ull |
						  (2ull << 10) | 0x1ff), 0);
	assert_int_equal(ureg(f, GITS_BASER0),
			 0xd907000040000000ull | (1ull << 10) | 0x2ff);
	assert_int_equal(uset(f, GITS_BASER1, 0xc000000040010000ull), 0);
	assert_int_equal(ureg(f, GITS_BASER1), 0x9c07000040010200ull);
	/* BASER2-7 are WI. */
	assert_int_equal(uset(f, GITS_BASER2, ~0ull), 0);
	assert_int_equal(ureg(f, GITS_BASER2), 0);
	/* Guest 32-bit write of the upper half. */
	th_write32(f->v, 0, ITS0 + GITS_BASER1 + 4, 0x1c070000);
	assert_int_equal(ureg(f, GITS_BASER1), 0x1c07000040010200ull);
}

static void test_cbaser_creadr(void **state)
{
	struct fx *f = *state;

	/* CBASER: PA[15:12] cleared (64 KB aligned queue), CREADR and
	 * CWRITER reset. */
	assert_int_equal(uset(f, GITS_CBASER, 0xb80000004000f402ull), 0);
	assert_int_equal(ureg(f, GITS_CBASER), 0xb800000040000402ull);
	/* Queue = 3 pages = 12 KB. */
	assert_int_equal(uset(f, GITS_CREADR, 0x2fe0), 0);
	assert_int_equal(ureg(f, GITS_CREADR), 0x2fe0);
	assert_int_equal(uset(f, GITS_CREADR, 0x3000), -EINVAL);
	assert_int_equal(uset(f, GITS_CREADR, 0x101f), 0); /* masked */
	assert_int_equal(ureg(f, GITS_CREADR), 0x1000);
	/* The guest cannot write CREADR. */
	th_write64(f->v, 0, ITS0 + GITS_CREADR, 0x20);
	assert_int_equal(ureg(f, GITS_CREADR), 0x1000);
	/* CWRITER beyond the queue is ignored. */
	th_write64(f->v, 0, ITS0 + GITS_CWRITER, 0x3000);
	assert_int_equal(ureg(f, GITS_CWRITER), 0);
	th_write64(f->v, 0, ITS0 + GITS_CWRITER, 0x40);
	assert_int_equal(ureg(f, GITS_CWRITER), 0x40);
	/* Not quiescent while CREADR != CWRITER; disabled: nothing runs. */
	assert_int_equal(ureg(f, GITS_CTLR), 0);
	/* A CBASER write resets both. */
	assert_int_equal(uset(f, GITS_CBASER, 0xb800000040000402ull), 0);
	assert_int_equal(ureg(f, GITS_CREADR), 0);
	assert_int_equal(ureg(f, GITS_CWRITER), 0);
	/* Finding F1: the reset value 0 restored from userspace stays 0
	 * (DEVIATION: KVM stores InnerCache RaWb), a guest's 0 does not. */
	th_write64(f->v, 0, ITS0 + GITS_CBASER, 0);
	assert_int_equal(ureg(f, GITS_CBASER), 3ull << 59);
	assert_int_equal(uset(f, GITS_CBASER, 0), 0);
	assert_int_equal(ureg(f, GITS_CBASER), 0);
	assert_int_equal(uset(f, GITS_CBASER, 0x40000000), 0);
	assert_int_equal(ureg(f, GITS_CBASER), 3ull << 59 | 0x40000000);
}

static void test_enable_needs_valid(void **state)
{
	struct fx *f = *state;

	/* Enabling with invalid BASERs/CBASER is silently refused. */
	th_write32(f->v, 0, ITS0 + GITS_CTLR, 1);
	assert_int_equal(ureg(f, GITS_CTLR), 1u << 31);
	assert_int_equal(uset(f, GITS_CBASER, 0xb800000040000000ull), 0);
	assert_int_equal(uset(f, GITS_BASER0, 0x8000000040010000ull), 0);
	th_write32(f->v, 0, ITS0 + GITS_CTLR, 1);
	assert_int_equal(ureg(f, GITS_CTLR), 1u << 31);
	assert_int_equal(uset(f, GITS_BASER1, 0x8000000040020000ull), 0);
	th_write32(f->v, 0, ITS0 + GITS_CTLR, 1);
	assert_int_equal(ureg(f, GITS_CTLR), (1u << 31) | 1);
	/* While enabled, CBASER/BASER writes are ignored and CREADR is
	 * -EBUSY from userspace. */
	assert_int_equal(uset(f, GITS_BASER0, 0), 0);
	assert_true(ureg(f, GITS_BASER0) >> 63);
	assert_int_equal(uset(f, GITS_CBASER, 0), 0);
	assert_true(ureg(f, GITS_CBASER) >> 63);
	assert_int_equal(uset(f, GITS_CREADR, 0), -EBUSY);
	/* ITS_CTRL_RESET: Valid cleared, CBASER/CREADR/CWRITER zero,
	 * disabled; the rest of BASER stays. */
	assert_int_equal(th_set_attr(f->its, VGIC_GRP_CTRL, VGIC_CTRL_ITS_RESET,
				     NULL), 0);
	assert_int_equal(ureg(f, GITS_CTLR), 1u << 31);
	assert_int_equal(ureg(f, GITS_CBASER), 0);
	assert_int_equal(ureg(f, GITS_BASER0), 0x1907000040010200ull);
	assert_int_equal(ureg(f, GITS_BASER1), 0x1c07000040020200ull);
}

static void test_bad_guest_access(void **state)
{
	struct fx *f = *state;
	uint8_t b = 0xff;
	uint64_t q = 0;

	/* Byte access, 64-bit access to a 32-bit register, unknown offsets:
	 * RAZ/WI but still "handled" (0). */
	assert_int_equal(vgic_mmio_read(f->v, 0, ITS0 + GITS_TYPER, &b, 1), 0);
	assert_int_equal(b, 0);
	assert_int_equal(vgic_mmio_read(f->v, 0, ITS0 + GITS_CTLR, &q, 8), 0);
	assert_int_equal(q, 0);
	assert_int_equal(th_read32(f->v, 0, ITS0 + 0x200), 0);
	assert_int_equal(th_read32(f->v, 0, ITS0 + 0x10040), 0);
	assert_int_equal(th_read32(f->v, 0, ITS0 + 0x1fffc), 0);
	th_write32(f->v, 0, ITS0 + GITS_TYPER, 0);
	assert_int_equal(ureg(f, GITS_TYPER), 0x1ef71);
	th_write32(f->v, 0, ITS0 + GITS_IIDR, 0);
	assert_int_equal(ureg(f, GITS_IIDR), 0x4b00043b);
	/* Misaligned 32-bit access. */
	assert_int_equal(vgic_mmio_read(f->v, 0, ITS0 + GITS_BASER0 + 2, &q, 4),
			 0);
	assert_int_equal(q, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_regs_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_regs_no_base, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_addr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ctrl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_baser_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cbaser_creadr, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_enable_needs_valid, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_guest_access, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

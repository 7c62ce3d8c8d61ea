/*
 * Allocation failure during ITS_RESTORE_TABLES and vgic_snapshot_restore:
 * for every k, the k-th allocation and all later ones fail; the call must
 * return an errno and leave the instance and guest RAM exactly as they
 * were, and with enough memory it must succeed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "save_guest.h"

#define RAM 0x220000u

struct failing {
	uint64_t n, fail_at; /* 0: never fail */
};

static bool fails(struct failing *f)
{
	return f->fail_at && ++f->n >= f->fail_at;
}

static void *f_alloc(void *o, size_t size)
{
	return fails(o) ? NULL : malloc(size);
}

static void *f_zalloc(void *o, size_t n, size_t size)
{
	return fails(o) ? NULL : calloc(n, size);
}

static void f_free(void *o, void *p)
{
	(void)o;
	free(p);
}

/* A source with LPIs pending (so restore consumes pending bits). */
static void source(struct sg *g, struct th_host *h)
{
	sg_new(g, h, 2, NULL, 1, false);
	for (uint32_t i = 8192; i < 8192 + 64; i++)
		sg_lpi_cfg(g, i, 0xa1);
	sg_mapc(g, 0, 0, 0, true);
	sg_mapc(g, 0, 1, 1, true);
	for (uint32_t d = 0; d < 4; d++) {
		sg_mapd(g, 0, d, SG_ITT(d), 7, true); /* chunked ITTs */
		for (uint32_t e = 0; e < 100; e += 9 + d)
			sg_mapti(g, 0, d, e, 8192 + d * 16 + e % 16,
				 e % 2);
	}
	assert_int_equal(sg_msi(g, 0, 1, 0), 1);
	assert_int_equal(sg_msi(g, 0, 2, 11), 1);
}

static void test_restore_tables_oom(void **state)
{
	struct th_host *h = th_host_new(RAM);
	uint8_t *before = malloc(RAM);
	struct failing f = { 0 };
	const struct vgic_alloc_ops fa = { f_alloc, f_zalloc, f_free, &f };
	uint64_t k;
	struct sg a;

	(void)state;
	source(&a, h);
	assert_int_equal(sg_ctrl(a.its[0], VGIC_CTRL_ITS_SAVE_TABLES), 0);
	assert_int_equal(sg_ctrl(a.gic, VGIC_CTRL_SAVE_PENDING_TABLES), 0);
	for (k = 1; k < 100000; k++) {
		struct vgic_config cfg = { .nr_vcpus = 2, .alloc = &fa };
		struct th_host *hb = sg_clone_ram(h);
		struct sg b;
		uint64_t regs[] = { 0x4, 0x80, 0x90, 0x88, 0x100, 0x108 }, val;
		uint64_t addr;
		int ret;

		memset(&b, 0, sizeof(b));
		b.h = hb;
		b.nr_vcpus = 2;
		b.nr_its = 1;
		f.fail_at = 0;
		assert_int_equal(vgic_create(&cfg, &th_ops, hb, &b.v), 0);
		assert_int_equal(vgic_device_create(b.v, VGIC_DEV_TYPE_V3,
						    &b.gic), 0);
		addr = TH_GICD_BASE;
		assert_int_equal(th_set_attr(b.gic, VGIC_GRP_ADDR, 2, &addr), 0);
		addr = TH_GICR_BASE | 2ull << 52;
		assert_int_equal(th_set_attr(b.gic, VGIC_GRP_ADDR, 5, &addr), 0);
		assert_int_equal(vgic_device_create(b.v, VGIC_DEV_TYPE_ITS,
						    &b.its[0]), 0);
		addr = SG_GITS(0);
		assert_int_equal(th_set_attr(b.its[0], VGIC_GRP_ADDR, 4, &addr),
				 0);
		assert_int_equal(sg_ctrl(b.gic, VGIC_CTRL_INIT), 0);
		th_write32(b.v, 0, TH_GICD_BASE, 0x12);
		sg_rd_init(&b, 0, true);
		sg_rd_init(&b, 1, true);
		for (size_t r = 0; r < 6; r++) {
			assert_int_equal(th_get_attr(a.its[0], VGIC_GRP_ITS_REGS,
						     regs[r], &val), 0);
			assert_int_equal(th_set_attr(b.its[0], VGIC_GRP_ITS_REGS,
						     regs[r], &val), 0);
		}
		memcpy(before, hb->ram, RAM);
		f.n = 0;
		f.fail_at = k;
		ret = sg_ctrl(b.its[0], VGIC_CTRL_ITS_RESTORE_TABLES);
		f.fail_at = 0;
		if (!ret) {
			th_write32(b.v, 0, SG_GITS(0) + SG_GITS_CTLR, 1);
			assert_int_equal(sg_ack(b.v, 0), 8192 + 16);
			assert_int_equal(sg_msi(&b, 0, 3, 12), 1);
			vgic_destroy(b.v);
			th_host_free(hb);
			break;
		}
		assert_true(ret == -ENOMEM || ret == -EFAULT);
		assert_true(memcmp(before, hb->ram, RAM) == 0);
		th_write32(b.v, 0, SG_GITS(0) + SG_GITS_CTLR, 1);
		for (uint32_t d = 0; d < 4; d++)
			for (uint32_t e = 0; e < 100; e++)
				assert_int_equal(sg_msi(&b, 0, d, e), 0);
		assert_int_equal(sg_ack(b.v, 0), 1023);
		assert_int_equal(sg_ack(b.v, 1), 1023);
		vgic_destroy(b.v);
		th_host_free(hb);
	}
	print_message("RESTORE_TABLES succeeded at allocation %llu\n",
		      (unsigned long long)k);
	assert_true(k > 1 && k < 100000);
	free(before);
	vgic_destroy(a.v);
	th_host_free(h);
}

static void test_snapshot_restore_oom(void **state)
{
	struct th_host *h = th_host_new(RAM);
	uint8_t *before = malloc(RAM), *s;
	struct failing f = { 0 };
	const struct vgic_alloc_ops fa = { f_alloc, f_zalloc, f_free, &f };
	size_t len;
	uint64_t k;
	struct sg a;

	(void)state;
	source(&a, h);
	assert_int_equal(vgic_snapshot_save(a.v, NULL, 0, &len), -ENOSPC);
	s = malloc(len);
	assert_int_equal(vgic_snapshot_save(a.v, s, len, &len), 0);
	for (k = 1; k < 100000; k++) {
		struct vgic_config cfg = { .nr_vcpus = 2, .alloc = &fa };
		struct th_host *hb = sg_clone_ram(h);
		struct vgic_device *d;
		struct vgic *v;
		int ret;

		f.fail_at = 0;
		assert_int_equal(vgic_create(&cfg, &th_ops, hb, &v), 0);
		memcpy(before, hb->ram, RAM);
		f.n = 0;
		f.fail_at = k;
		ret = vgic_snapshot_restore(v, s, len);
		f.fail_at = 0;
		if (!ret) {
			assert_int_equal(sg_ack(v, 0), 8192 + 16);
			vgic_destroy(v);
			th_host_free(hb);
			break;
		}
		assert_true(ret == -ENOMEM || ret == -EFAULT);
		assert_true(memcmp(before, hb->ram, RAM) == 0);
		/* Still fresh: a GICv3 can be created. */
		assert_int_equal(vgic_device_create(v, VGIC_DEV_TYPE_V3, &d), 0);
		vgic_destroy(v);
		th_host_free(hb);
	}
	print_message("snapshot restore succeeded at allocation %llu\n",
		      (unsigned long long)k);
	assert_true(k > 1 && k < 100000);
	free(s);
	free(before);
	vgic_destroy(a.v);
	th_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restore_tables_oom),
		cmocka_unit_test(test_snapshot_restore_oom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * GICv3 device attributes through the public API: a port of the ordering
 * and error scenarios of KVM's vgic_init selftest
 * (tools/testing/selftests/kvm/arm64/vgic_init.c) adapted to vCPUs that all
 * exist from vgic_create() on, then every documented error code of every
 * group and KVM's userspace register semantics.
 */
#include "v3_guest.h"

#define MAX_PHYS (1ull << VGIC_PHYS_ADDR_BITS)
#define RDREG(count, base, flags, index)                                      \
	((uint64_t)(count) << 52 | (uint64_t)(base) | (uint64_t)(flags) << 12 | \
	 (uint64_t)(index))
/* attr for REDIST_REGS / CPU_SYSREGS / LEVEL_INFO of the default-MPIDR
 * vCPU @cpu (Aff0 = cpu for cpu < 16). */
#define ATTR(cpu, low) ((uint64_t)(cpu) << 32 | (uint64_t)(low))

struct vm {
	struct vgic *v;
	struct vgic_device *gic;
};

static struct vm vm_new(uint32_t n)
{
	struct vgic_config cfg = { .nr_vcpus = n };
	struct vm m;

	assert_int_equal(vgic_create(&cfg, &th_ops, NULL, &m.v), 0);
	assert_int_equal(vgic_device_create(m.v, VGIC_DEV_TYPE_V3, &m.gic), 0);
	return m;
}

static int set_addr(struct vm *m, uint64_t type, uint64_t addr)
{
	return th_set_attr(m->gic, VGIC_GRP_ADDR, type, &addr);
}

static int run(struct vm *m, uint32_t cpu)
{
	return vgic_vcpu_set_running(m->v, cpu, true);
}

static uint32_t rd_get(struct vm *m, uint32_t cpu, uint32_t off, int *ret)
{
	uint32_t val = 0xdeadbeef;

	*ret = th_get_attr(m->gic, VGIC_GRP_REDIST_REGS, ATTR(cpu, off), &val);
	return val;
}

static uint32_t typer(struct vm *m, uint32_t cpu)
{
	int ret;
	uint32_t val = rd_get(m, cpu, R_TYPER, &ret);

	assert_int_equal(ret, 0);
	return val;
}

/* subtest_dist_rdist with 4 vCPUs and the legacy REDIST type. */
static void test_dist_rdist(void **state)
{
	struct vm m = vm_new(4);
	uint64_t addr;

	(void)state;
	assert_int_equal(th_has_attr(m.gic, VGIC_GRP_ADDR,
				     VGIC_V3_ADDR_TYPE_DIST), 0);
	assert_int_equal(th_has_attr(m.gic, VGIC_GRP_ADDR,
				     VGIC_V3_ADDR_TYPE_REDIST), 0);
	assert_int_equal(th_has_attr(m.gic, VGIC_GRP_ADDR, (uint64_t)-1),
			 -ENXIO);
	/* Misaligned. */
	assert_int_equal(set_addr(&m, VGIC_V3_ADDR_TYPE_DIST, 0x1000), -EINVAL);
	assert_int_equal(set_addr(&m, VGIC_V3_ADDR_TYPE_REDIST, 0x1000),
			 -EINVAL);
	/* Beyond the address space, entirely or in part. */
	assert_int_equal(set_addr(&m, VGIC_V3_ADDR_TYPE_DIST, MAX_PHYS), -E2BIG);
	assert_int_equal(set_addr(&m, VGIC_V3_ADDR_TYPE_REDIST, MAX_PHYS),
			 -E2BIG);
	assert_int_equal(set_addr(&m, VGIC_V3_ADDR_TYPE_REDIST,
				  MAX_PHYS - 0x10000),
			 -E2BIG);
	/* Unset addresses read as all-ones (VGIC_ADDR_UNDEF). */
	assert_int_equal(th_get_attr(m.gic, VGIC_GRP_ADDR,
				     VGIC_V3_ADDR_TYPE_DIST, &addr), 0);
	assert_int_equal(addr, ~0ull);
	assert_int_equal(set_addr(&m, VGIC_V3_ADDR_TYPE_REDIST, 0), 0);
	assert_int_equal(set_addr(&m, VGIC_V3_ADDR_TYPE_REDIST, 0xe0000),
			 -EEXIST);
	assert_int_equal(set_addr(&m, VGIC_V3_ADDR_TYPE_REDIST_REGION,
				  RDREG(4, 0x100000, 0, 0)),
			 -EINVAL);
	assert_int_equal(th_get_attr(m.gic, VGIC_GRP_ADDR,
				     VGIC_V3_ADDR_TYPE_REDIST, &addr), 0);
	assert_int_equal(addr, 0);
	/* Overlapping dist/redist is only detected at the first run. */
	assert_int_equal(set_addr(&m, VGIC_V3_ADDR_TYPE_DIST, 0x70000), 0);
	assert_int_equal(set_addr(&m, VGIC_V3_ADDR_TYPE_DIST, 0x800000),
			 -EEXIST);
	assert_int_equal(run(&m, 3), -EINVAL);
	/* Other models' address types. */
	assert_int_equal(set_addr(&m, VGIC_V2_ADDR_TYPE_DIST, 0x900000),
			 -ENXIO);
	assert_int_equal(set_addr(&m, VGIC_ITS_ADDR_TYPE, 0x900000), -ENXIO);
	vgic_destroy(m.v);
}

static void redist_regions(struct vm *m)
{
	uint64_t addr;

	assert_int_equal(th_has_attr(m->gic, VGIC_GRP_ADDR,
				     VGIC_V3_ADDR_TYPE_REDIST_REGION), 0);
	assert_int_equal(set_addr(m, VGIC_V3_ADDR_TYPE_REDIST_REGION,
				  RDREG(4, 0x100000, 2, 0)),
			 -EINVAL); /* flags */
	assert_int_equal(set_addr(m, VGIC_V3_ADDR_TYPE_REDIST_REGION,
				  RDREG(0, 0x100000, 0, 0)),
			 -EINVAL); /* count 0 */
	assert_int_equal(set_addr(m, VGIC_V3_ADDR_TYPE_REDIST_REGION,
				  RDREG(2, 0x200000, 0, 1)),
			 -EINVAL); /* first index not 0 */
	assert_int_equal(set_addr(m, VGIC_V3_ADDR_TYPE_REDIST_REGION,
				  RDREG(2, 0x201000, 0, 1)),
			 -EINVAL); /* misaligned */
	assert_int_equal(set_addr(m, VGIC_V3_ADDR_TYPE_REDIST_REGION,
				  RDREG(2, 0x200000, 0, 0)),
			 0);
	assert_int_equal(set_addr(m, VGIC_V3_ADDR_TYPE_REDIST_REGION,
				  RDREG(2, 0x200000, 0, 1)),
			 -EINVAL); /* overlaps region 0 */
	assert_int_equal(set_addr(m, VGIC_V3_ADDR_TYPE_REDIST_REGION,
				  RDREG(1, 0x210000, 0, 2)),
			 -EINVAL);
	assert_int_equal(set_addr(m, VGIC_V3_ADDR_TYPE_REDIST_REGION,
				  RDREG(1, 0x240000, 0, 2)),
			 -EINVAL); /* index not +1 */
	assert_int_equal(set_addr(m, VGIC_V3_ADDR_TYPE_REDIST_REGION,
				  RDREG(1, 0x240000, 0, 1)),
			 0);
	assert_int_equal(set_addr(m, VGIC_V3_ADDR_TYPE_REDIST_REGION,
				  RDREG(1, MAX_PHYS, 0, 2)),
			 -E2BIG);
	assert_int_equal(set_addr(m, VGIC_V3_ADDR_TYPE_REDIST_REGION,
				  RDREG(2, MAX_PHYS - 0x30000, 0, 2)),
			 -E2BIG);
	assert_int_equal(set_addr(m, VGIC_V3_ADDR_TYPE_REDIST, 0x260000),
			 -EINVAL); /* mix legacy and regions */
	addr = RDREG(0, 0, 0, 0);
	assert_int_equal(th_get_attr(m->gic, VGIC_GRP_ADDR,
				     VGIC_V3_ADDR_TYPE_REDIST_REGION, &addr), 0);
	assert_int_equal(addr, RDREG(2, 0x200000, 0, 0));
	addr = RDREG(0, 0, 0, 1);
	assert_int_equal(th_get_attr(m->gic, VGIC_GRP_ADDR,
				     VGIC_V3_ADDR_TYPE_REDIST_REGION, &addr), 0);
	assert_int_equal(addr, RDREG(1, 0x240000, 0, 1));
	addr = RDREG(0, 0, 0, 2);
	assert_int_equal(th_get_attr(m->gic, VGIC_GRP_ADDR,
				     VGIC_V3_ADDR_TYPE_REDIST_REGION, &addr),
			 -ENOENT);
	assert_int_equal(set_addr(m, VGIC_V3_ADDR_TYPE_DIST, 0x260000), 0);
	assert_int_equal(set_addr(m, VGIC_V3_ADDR_TYPE_REDIST_REGION,
				  RDREG(1, 0x260000, 0, 2)),
			 -EINVAL); /* collides with the distributor */
}

static void test_new_redist_regions(void **state)
{
	struct vgic_device_attr a = { .group = VGIC_GRP_ADDR,
				      .attr = VGIC_V3_ADDR_TYPE_REDIST_REGION };
	struct vm m;

	(void)state;
	/* Step 1: only 3 redistributors for 4 vCPUs. */
	m = vm_new(4);
	redist_regions(&m);
	assert_int_equal(th_set_attr(m.gic, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL),
			 0);
	assert_int_equal(run(&m, 3), -ENXIO);
	vgic_destroy(m.v);
	/* Step 2: enough redistributors, no INIT. */
	m = vm_new(4);
	redist_regions(&m);
	assert_int_equal(set_addr(&m, VGIC_V3_ADDR_TYPE_REDIST_REGION,
				  RDREG(1, 0x280000, 0, 2)),
			 0);
	assert_int_equal(run(&m, 3), -EBUSY);
	vgic_destroy(m.v);
	/* Step 3: a NULL value pointer, then everything right. */
	m = vm_new(4);
	redist_regions(&m);
	assert_int_equal(vgic_device_set_attr(m.gic, &a), -EFAULT);
	assert_int_equal(set_addr(&m, VGIC_V3_ADDR_TYPE_REDIST_REGION,
				  RDREG(1, 0x280000, 0, 2)),
			 0);
	assert_int_equal(th_set_attr(m.gic, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL),
			 0);
	assert_int_equal(run(&m, 3), 0);
	assert_int_equal(vgic_vcpu_set_running(m.v, 3, false), 0);
	vgic_destroy(m.v);
}

static void test_typer_accesses(void **state)
{
	struct vm m = vm_new(4);
	int ret;

	(void)state;
	rd_get(&m, 7, R_TYPER, &ret);
	assert_int_equal(ret, -EINVAL); /* no such vCPU */
	rd_get(&m, 1, R_TYPER, &ret);
	assert_int_equal(ret, -EBUSY); /* before INIT */
	assert_int_equal(th_set_attr(m.gic, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL),
			 0);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(typer(&m, i), i * 0x100);
	assert_int_equal(set_addr(&m, VGIC_V3_ADDR_TYPE_REDIST_REGION,
				  RDREG(2, 0x200000, 0, 0)),
			 0);
	assert_int_equal(typer(&m, 0), 0x000);
	assert_int_equal(typer(&m, 1), 0x110);
	assert_int_equal(set_addr(&m, VGIC_V3_ADDR_TYPE_REDIST_REGION,
				  RDREG(10, 0x100000, 0, 1)),
			 -EINVAL); /* collides with region 0 */
	assert_int_equal(typer(&m, 2), 0x200);
	assert_int_equal(typer(&m, 3), 0x300);
	assert_int_equal(set_addr(&m, VGIC_V3_ADDR_TYPE_REDIST_REGION,
				  RDREG(10, 0x20000, 0, 1)),
			 0);
	assert_int_equal(typer(&m, 2), 0x200);
	assert_int_equal(typer(&m, 3), 0x310);
	/* The upper word holds the affinity. */
	assert_int_equal(rd_get(&m, 3, R_TYPER + 4, &ret), 3);
	vgic_destroy(m.v);
}

static void test_last_bit(void **state)
{
	static const uint32_t want[6] = { 0x000, 0x110, 0x200,
					  0x310, 0x400, 0x500 };
	struct vm m;

	(void)state;
	/* Regions #1 and #2 are contiguous: #2's last is not Last. */
	m = vm_new(6);
	assert_int_equal(th_set_attr(m.gic, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL),
			 0);
	assert_int_equal(set_addr(&m, VGIC_V3_ADDR_TYPE_REDIST_REGION,
				  RDREG(2, 0x100000, 0, 0)), 0);
	assert_int_equal(set_addr(&m, VGIC_V3_ADDR_TYPE_REDIST_REGION,
				  RDREG(2, 0x240000, 0, 1)), 0);
	assert_int_equal(set_addr(&m, VGIC_V3_ADDR_TYPE_REDIST_REGION,
				  RDREG(2, 0x200000, 0, 2)), 0);
	for (uint32_t i = 0; i < 6; i++)
		assert_int_equal(typer(&m, i), want[i]);
	vgic_destroy(m.v);
	/* Legacy region: only the last vCPU is Last. */
	m = vm_new(6);
	assert_int_equal(th_set_attr(m.gic, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL),
			 0);
	assert_int_equal(set_addr(&m, VGIC_V3_ADDR_TYPE_REDIST, 0x10000), 0);
	for (uint32_t i = 0; i < 6; i++)
		assert_int_equal(typer(&m, i), i * 0x100 + (i == 5 ? 0x10 : 0));
	vgic_destroy(m.v);
}

static void test_redist_ipa_range(void **state)
{
	struct vm m;

	(void)state;
	/* KVM checks the legacy region's full size at the first run because
	 * vCPUs may be added later; here they all exist, so the set fails. */
	m = vm_new(4);
	assert_int_equal(set_addr(&m, VGIC_V3_ADDR_TYPE_REDIST,
				  MAX_PHYS - 3 * 0x20000),
			 -E2BIG);
	vgic_destroy(m.v);
	m = vm_new(1);
	assert_int_equal(set_addr(&m, VGIC_V3_ADDR_TYPE_REDIST,
				  MAX_PHYS - 3 * 0x20000),
			 0);
	assert_int_equal(set_addr(&m, VGIC_V3_ADDR_TYPE_DIST, 0), 0);
	assert_int_equal(run(&m, 0), -EBUSY);
	assert_int_equal(th_set_attr(m.gic, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL),
			 0);
	assert_int_equal(run(&m, 0), 0);
	vgic_destroy(m.v);
}

static void test_nassgicap(void **state)
{
	struct vm m = vm_new(4);
	uint32_t typer2 = 0xffff, iidr;

	(void)state;
	/* TYPER2 and IIDR are reachable before INIT. */
	assert_int_equal(th_get_attr(m.gic, VGIC_GRP_DIST_REGS, D_TYPER2,
				     &typer2), 0);
	assert_int_equal(typer2, 0);
	typer2 = 1u << 8;
	assert_int_equal(th_set_attr(m.gic, VGIC_GRP_DIST_REGS, D_TYPER2,
				     &typer2), -EINVAL);
	typer2 = 0;
	assert_int_equal(th_set_attr(m.gic, VGIC_GRP_DIST_REGS, D_TYPER2,
				     &typer2), 0);
	assert_int_equal(th_get_attr(m.gic, VGIC_GRP_DIST_REGS, D_IIDR, &iidr),
			 0);
	assert_int_equal(iidr, 0x4b00003b | 0x400);
	iidr = 0x4b00243b;
	assert_int_equal(th_set_attr(m.gic, VGIC_GRP_DIST_REGS, D_IIDR, &iidr),
			 0);
	assert_int_equal(th_get_attr(m.gic, VGIC_GRP_DIST_REGS, D_CTLR, &iidr),
			 -EBUSY);
	assert_int_equal(th_set_attr(m.gic, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL),
			 0);
	/* INIT keeps a revision userspace chose. */
	assert_int_equal(th_get_attr(m.gic, VGIC_GRP_DIST_REGS, D_IIDR, &iidr),
			 0);
	assert_int_equal(iidr, 0x4b00243b);
	typer2 = 1u << 8;
	assert_int_equal(th_set_attr(m.gic, VGIC_GRP_DIST_REGS, D_TYPER2,
				     &typer2), -EBUSY);
	typer2 = 0;
	assert_int_equal(th_set_attr(m.gic, VGIC_GRP_DIST_REGS, D_TYPER2,
				     &typer2), 0);
	vgic_destroy(m.v);
}

static void test_nr_irqs_ctrl(void **state)
{
	struct vm m = vm_new(2);
	uint32_t n;
	static const uint32_t bad[] = { 0, 32, 63, 96 + 1, 1000, 1024, 2048 };

	(void)state;
	assert_int_equal(th_has_attr(m.gic, VGIC_GRP_NR_IRQS, 0), 0);
	assert_int_equal(th_get_attr(m.gic, VGIC_GRP_NR_IRQS, 0, &n), 0);
	assert_int_equal(n, 32);
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		n = bad[i];
		assert_int_equal(th_set_attr(m.gic, VGIC_GRP_NR_IRQS, 0, &n),
				 -EINVAL);
	}
	n = 992;
	assert_int_equal(th_set_attr(m.gic, VGIC_GRP_NR_IRQS, 0, &n), 0);
	assert_int_equal(th_set_attr(m.gic, VGIC_GRP_NR_IRQS, 0, &n), -EBUSY);
	assert_int_equal(th_set_attr(m.gic, VGIC_GRP_NR_IRQS, 0, NULL),
			 -EFAULT);
	assert_int_equal(th_get_attr(m.gic, VGIC_GRP_NR_IRQS, 0, &n), 0);
	assert_int_equal(n, 992);
	/* CTRL. */
	assert_int_equal(th_has_attr(m.gic, VGIC_GRP_CTRL, VGIC_CTRL_INIT), 0);
	assert_int_equal(th_has_attr(m.gic, VGIC_GRP_CTRL,
				     VGIC_CTRL_SAVE_PENDING_TABLES), 0);
	for (uint64_t a = 1; a < 8; a++)
		if (a != VGIC_CTRL_SAVE_PENDING_TABLES) {
			assert_int_equal(th_has_attr(m.gic, VGIC_GRP_CTRL, a),
					 -ENXIO);
			assert_int_equal(th_set_attr(m.gic, VGIC_GRP_CTRL, a,
						     NULL), -ENXIO);
		}
	assert_int_equal(th_set_attr(m.gic, VGIC_GRP_CTRL,
				     VGIC_CTRL_SAVE_PENDING_TABLES, NULL),
			 -ENXIO); /* not initialised */
	assert_int_equal(th_get_attr(m.gic, VGIC_GRP_CTRL, VGIC_CTRL_INIT, &n),
			 -ENXIO);
	assert_int_equal(th_set_attr(m.gic, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL),
			 0);
	assert_int_equal(th_set_attr(m.gic, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL),
			 0); /* idempotent */
	assert_int_equal(th_get_attr(m.gic, VGIC_GRP_DIST_REGS, D_TYPER, &n), 0);
	assert_int_equal(n & 0x1f, 992 / 32 - 1);
	assert_int_equal(th_set_attr(m.gic, VGIC_GRP_CTRL,
				     VGIC_CTRL_SAVE_PENDING_TABLES, NULL), 0);
	/* Unknown groups, MAINT_IRQ (no nested virtualisation). */
	assert_int_equal(th_has_attr(m.gic, VGIC_GRP_MAINT_IRQ, 0), -ENXIO);
	assert_int_equal(th_get_attr(m.gic, VGIC_GRP_MAINT_IRQ, 0, &n), -ENXIO);
	assert_int_equal(th_has_attr(m.gic, VGIC_GRP_CPU_REGS, 0), -ENXIO);
	assert_int_equal(th_has_attr(m.gic, VGIC_GRP_ITS_REGS, 0), -ENXIO);
	assert_int_equal(th_has_attr(m.gic, 99, 0), -ENXIO);
	/* INIT then NR_IRQS: busy. */
	vgic_destroy(m.v);
	m = vm_new(1);
	assert_int_equal(th_set_attr(m.gic, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL),
			 0);
	assert_int_equal(th_get_attr(m.gic, VGIC_GRP_NR_IRQS, 0, &n), 0);
	assert_int_equal(n, 256);
	n = 128;
	assert_int_equal(th_set_attr(m.gic, VGIC_GRP_NR_IRQS, 0, &n), -EBUSY);
	vgic_destroy(m.v);
}

static void test_regs_errors(void **state)
{
	struct th_host *h = th_host_new(4096);
	struct vgic_device *gic;
	struct vgic *v = th_vm_v3(h, 2, NULL, 0, 0, &gic, NULL);
	uint32_t val;
	uint64_t q;

	(void)state;
	/* HAS: known, aligned offsets only. */
	assert_int_equal(th_has_attr(gic, VGIC_GRP_DIST_REGS, D_ISENABLER + 4),
			 0);
	assert_int_equal(th_has_attr(gic, VGIC_GRP_DIST_REGS, D_ISENABLER + 6),
			 -ENXIO);
	assert_int_equal(th_has_attr(gic, VGIC_GRP_DIST_REGS, 0x5000), -ENXIO);
	assert_int_equal(th_has_attr(gic, VGIC_GRP_DIST_REGS,
				     D_ISENABLER + 8 * 4), -ENXIO); /* >= 256 */
	assert_int_equal(th_has_attr(gic, VGIC_GRP_DIST_REGS, D_IROUTER + 32 * 8),
			 0);
	assert_int_equal(th_has_attr(gic, VGIC_GRP_REDIST_REGS,
				     ATTR(1, R_ISPENDR0)), 0);
	assert_int_equal(th_has_attr(gic, VGIC_GRP_REDIST_REGS, ATTR(1, 0x9000)),
			 -ENXIO);
	assert_int_equal(th_has_attr(gic, VGIC_GRP_REDIST_REGS,
				     ATTR(9, R_CTLR)), -EINVAL);
	assert_int_equal(th_has_attr(gic, VGIC_GRP_CPU_SYSREGS,
				     ATTR(1, VGIC_ICC_PMR_EL1)), 0);
	assert_int_equal(th_has_attr(gic, VGIC_GRP_CPU_SYSREGS,
				     ATTR(1, VGIC_ICC_IAR1_EL1)), -ENXIO);
	assert_int_equal(th_has_attr(gic, VGIC_GRP_CPU_SYSREGS,
				     ATTR(5, VGIC_ICC_PMR_EL1)), -EINVAL);
	assert_int_equal(th_has_attr(gic, VGIC_GRP_LEVEL_INFO, 32), 0);
	assert_int_equal(th_has_attr(gic, VGIC_GRP_LEVEL_INFO, 1u << 10 | 32),
			 -ENXIO);
	/* GET/SET of an unknown offset: 0, reads 0. */
	val = 0x1234;
	assert_int_equal(th_set_attr(gic, VGIC_GRP_DIST_REGS, 0x5000, &val), 0);
	assert_int_equal(th_get_attr(gic, VGIC_GRP_DIST_REGS, 0x5000, &val), 0);
	assert_int_equal(val, 0);
	/* Unknown vCPU. */
	assert_int_equal(th_get_attr(gic, VGIC_GRP_REDIST_REGS, ATTR(2, R_CTLR),
				     &val), -EINVAL);
	assert_int_equal(th_get_attr(gic, VGIC_GRP_CPU_SYSREGS,
				     ATTR(2, VGIC_ICC_PMR_EL1), &q), -EINVAL);
	assert_int_equal(th_get_attr(gic, VGIC_GRP_LEVEL_INFO, ATTR(2, 32),
				     &val), -EINVAL);
	/* DIST_REGS ignore the MPIDR (vCPU 0). */
	assert_int_equal(th_get_attr(gic, VGIC_GRP_DIST_REGS,
				     ATTR(9, D_CTLR), &val), 0);
	assert_int_equal(val, 0x50);
	/* IIDR: only the revision may change, to 2 or 3. */
	val = 0x4b00343b ^ 1;
	assert_int_equal(th_set_attr(gic, VGIC_GRP_DIST_REGS, D_IIDR, &val),
			 -EINVAL);
	val = 0x4b00143b;
	assert_int_equal(th_set_attr(gic, VGIC_GRP_DIST_REGS, D_IIDR, &val),
			 -EINVAL);
	val = 0x4b00443b;
	assert_int_equal(th_set_attr(gic, VGIC_GRP_DIST_REGS, D_IIDR, &val),
			 -EINVAL);
	val = 0x4b00243b;
	assert_int_equal(th_set_attr(gic, VGIC_GRP_DIST_REGS, D_IIDR, &val), 0);
	/* Revision 2: GICR_CTLR without IR/CES. */
	assert_int_equal(th_get_attr(gic, VGIC_GRP_REDIST_REGS, ATTR(0, R_CTLR),
				     &val), 0);
	assert_int_equal(val, 0);
	/* Running vCPU: -EBUSY for register groups and SAVE_PENDING. */
	assert_int_equal(vgic_vcpu_set_running(v, 1, true), 0);
	assert_int_equal(th_get_attr(gic, VGIC_GRP_DIST_REGS, D_CTLR, &val),
			 -EBUSY);
	assert_int_equal(th_get_attr(gic, VGIC_GRP_REDIST_REGS, ATTR(0, R_CTLR),
				     &val), -EBUSY);
	assert_int_equal(th_get_attr(gic, VGIC_GRP_CPU_SYSREGS,
				     ATTR(0, VGIC_ICC_PMR_EL1), &q), -EBUSY);
	assert_int_equal(th_get_attr(gic, VGIC_GRP_LEVEL_INFO, ATTR(0, 32),
				     &val), -EBUSY);
	assert_int_equal(th_set_attr(gic, VGIC_GRP_CTRL,
				     VGIC_CTRL_SAVE_PENDING_TABLES, NULL),
			 -EBUSY);
	/* An unknown vCPU is reported before the busy state. */
	assert_int_equal(th_get_attr(gic, VGIC_GRP_REDIST_REGS, ATTR(2, R_CTLR),
				     &val), -EINVAL);
	assert_int_equal(vgic_vcpu_set_running(v, 1, false), 0);
	/* No new V3 device or ITS after a vCPU ran. */
	{
		struct vgic_device *d;
		assert_int_equal(vgic_device_create(v, VGIC_DEV_TYPE_V3, &d),
				 -EEXIST);
		assert_int_equal(vgic_device_create(v, VGIC_DEV_TYPE_ITS, &d),
				 -EBUSY);
	}
	vgic_destroy(v);
	th_host_free(h);
}

static int sys_set(struct vgic_device *gic, uint32_t cpu, uint32_t enc,
		   uint64_t val)
{
	return th_set_attr(gic, VGIC_GRP_CPU_SYSREGS, ATTR(cpu, enc), &val);
}

static uint64_t sys_get(struct vgic_device *gic, uint32_t cpu, uint32_t enc)
{
	uint64_t val = 0xdead;

	assert_int_equal(th_get_attr(gic, VGIC_GRP_CPU_SYSREGS, ATTR(cpu, enc),
				     &val), 0);
	return val;
}

static void test_cpu_sysregs(void **state)
{
	struct th_host *h = th_host_new(4096);
	struct vgic_device *gic;
	struct vgic *v = th_vm_v3(h, 2, NULL, 0, 0, &gic, NULL);
	uint64_t q;

	(void)state;
	assert_int_equal(sys_get(gic, 0, VGIC_ICC_CTLR_EL1), 0x8400);
	assert_int_equal(sys_get(gic, 0, VGIC_ICC_SRE_EL1), 7);
	/* PRIbits may narrow, never widen; IDbits only 16 bits. */
	assert_int_equal(sys_set(gic, 0, VGIC_ICC_CTLR_EL1, 0x8500), -EINVAL);
	assert_int_equal(sys_set(gic, 0, VGIC_ICC_CTLR_EL1, 0x8c00), -EINVAL);
	assert_int_equal(sys_set(gic, 0, VGIC_ICC_CTLR_EL1, 0xc400), -EINVAL);
	assert_int_equal(sys_set(gic, 0, VGIC_ICC_CTLR_EL1, 0x0400), -EINVAL);
	assert_int_equal(sys_set(gic, 0, VGIC_ICC_CTLR_EL1, 0x8403), 0);
	assert_int_equal(sys_get(gic, 0, VGIC_ICC_CTLR_EL1), 0x8403);
	assert_int_equal(sys_set(gic, 1, VGIC_ICC_CTLR_EL1, 0x8302), 0);
	assert_int_equal(sys_get(gic, 1, VGIC_ICC_CTLR_EL1), 0x8302);
	assert_int_equal(sys_set(gic, 1, VGIC_ICC_CTLR_EL1, 0x8402), -EINVAL);
	/* SRE must stay set. */
	assert_int_equal(sys_set(gic, 0, VGIC_ICC_SRE_EL1, 6), -EINVAL);
	assert_int_equal(sys_set(gic, 0, VGIC_ICC_SRE_EL1, 1), 0);
	/* Only AP*R0 exist with 5 priority bits. */
	assert_int_equal(sys_set(gic, 0, VGIC_ICC_AP1R0_EL1, 0x80000001), 0);
	assert_int_equal(sys_get(gic, 0, VGIC_ICC_AP1R0_EL1), 0x80000001);
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_RPR_EL1), 0);
	assert_int_equal(sys_set(gic, 0, VGIC_ICC_AP1R1_EL1, 0), -EINVAL);
	assert_int_equal(sys_set(gic, 0, VGIC_ICC_AP0R3_EL1, 0), -EINVAL);
	assert_int_equal(th_get_attr(gic, VGIC_GRP_CPU_SYSREGS,
				     ATTR(0, VGIC_ICC_AP0R2_EL1), &q), -EINVAL);
	assert_int_equal(th_has_attr(gic, VGIC_GRP_CPU_SYSREGS,
				     ATTR(0, VGIC_ICC_AP0R2_EL1)), 0);
	/* Guest-only registers and unknown encodings. */
	assert_int_equal(th_get_attr(gic, VGIC_GRP_CPU_SYSREGS,
				     ATTR(0, VGIC_ICC_IAR1_EL1), &q), -ENXIO);
	assert_int_equal(sys_set(gic, 0, VGIC_ICC_SGI1R_EL1, 0), -ENXIO);
	assert_int_equal(sys_set(gic, 0, VGIC_SYSREG(3, 0, 1, 0, 0), 0), -ENXIO);
	/* PMR, BPRs, group enables round-trip. */
	assert_int_equal(sys_set(gic, 1, VGIC_ICC_PMR_EL1, 0xa8), 0);
	assert_int_equal(sys_get(gic, 1, VGIC_ICC_PMR_EL1), 0xa8);
	assert_int_equal(sys_set(gic, 1, VGIC_ICC_BPR0_EL1, 4), 0);
	assert_int_equal(sys_set(gic, 1, VGIC_ICC_BPR1_EL1, 6), 0);
	assert_int_equal(sys_get(gic, 1, VGIC_ICC_BPR0_EL1), 4);
	assert_int_equal(sys_get(gic, 1, VGIC_ICC_BPR1_EL1), 6);
	assert_int_equal(sys_set(gic, 1, VGIC_ICC_IGRPEN1_EL1, 3), 0);
	assert_int_equal(sys_get(gic, 1, VGIC_ICC_IGRPEN1_EL1), 1);
	assert_int_equal(th_sysreg_read(v, 1, VGIC_ICC_PMR_EL1), 0xa8);
	vgic_destroy(v);
	th_host_free(h);
}

/*
 * Finding F1 (docs/reliability.md): the reset value 0 of GICR_PROPBASER and
 * GICR_PENDBASER written back from userspace (as a restore does) stays 0
 * (DEVIATION: KVM sanitises it into 0x180), so a save/restore round trip of
 * a VM that never programmed them is the identity.  Anything else, and
 * every guest write, is sanitised as by KVM.
 */
static void test_baser_reset_round_trip(void **state)
{
	struct th_host *h = th_host_new(4096);
	struct vgic_device *gic;
	struct vgic *v = th_vm_v3(h, 2, NULL, 0, 0, &gic, NULL);
	uint64_t rd1 = TH_GICR_BASE + 0x20000;
	uint32_t val;

	(void)state;
	for (uint32_t off = R_PROPBASER; off <= R_PENDBASER; off += 8) {
		/* A guest write of 0 is sanitised: Inner RaWb. */
		th_write64(v, 1, rd1 + off, 0);
		assert_int_equal(th_read64(v, 1, rd1 + off), 0x180);
		/* Userspace restoring 0 in two halves gets 0 back. */
		val = 0;
		assert_int_equal(th_set_attr(gic, VGIC_GRP_REDIST_REGS,
					     ATTR(1, off), &val), 0);
		assert_int_equal(th_set_attr(gic, VGIC_GRP_REDIST_REGS,
					     ATTR(1, off + 4), &val), 0);
		assert_int_equal(th_read64(v, 1, rd1 + off), 0);
		/* A non-zero userspace value is sanitised as KVM does. */
		val = 0x40000000;
		assert_int_equal(th_set_attr(gic, VGIC_GRP_REDIST_REGS,
					     ATTR(1, off), &val), 0);
		assert_int_equal(th_read64(v, 1, rd1 + off), 0x40000180);
	}
	vgic_destroy(v);
	th_host_free(h);
}

static void test_user_pending_level(void **state)
{
	struct th_host *h = th_host_new(4096);
	struct vgic_device *gic;
	struct vgic *v = th_vm_v3(h, 2, NULL, 0, 0, &gic, NULL);
	uint32_t val;

	(void)state;
	/* ISPENDR from userspace is the absolute latch. */
	val = 0x00ff00ff;
	assert_int_equal(th_set_attr(gic, VGIC_GRP_DIST_REGS, D_ISPENDR + 4,
				     &val), 0);
	assert_int_equal(th_read32(v, 0, GICD(D_ISPENDR + 4)), 0x00ff00ff);
	val = 0x0000ff00;
	assert_int_equal(th_set_attr(gic, VGIC_GRP_DIST_REGS, D_ISPENDR + 4,
				     &val), 0);
	assert_int_equal(th_read32(v, 0, GICD(D_ISPENDR + 4)), 0x0000ff00);
	/* ICPENDR: RAZ/WI from userspace. */
	val = 0xffffffff;
	assert_int_equal(th_set_attr(gic, VGIC_GRP_DIST_REGS, D_ICPENDR + 4,
				     &val), 0);
	assert_int_equal(th_get_attr(gic, VGIC_GRP_DIST_REGS, D_ICPENDR + 4,
				     &val), 0);
	assert_int_equal(val, 0);
	assert_int_equal(th_read32(v, 0, GICD(D_ISPENDR + 4)), 0x0000ff00);
	/* A high level line is pending for the guest, not in the latch. */
	assert_int_equal(vgic_irq_line(v, 0, 32, true), 0);
	assert_int_equal(th_read32(v, 0, GICD(D_ISPENDR + 4)), 0x0000ff01);
	assert_int_equal(th_get_attr(gic, VGIC_GRP_DIST_REGS, D_ISPENDR + 4,
				     &val), 0);
	assert_int_equal(val, 0x0000ff00);
	/* LEVEL_INFO reports it, SGIs and edge lines read 0. */
	assert_int_equal(th_get_attr(gic, VGIC_GRP_LEVEL_INFO, ATTR(0, 32),
				     &val), 0);
	assert_int_equal(val, 1);
	val = 0xffffffff;
	assert_int_equal(th_set_attr(gic, VGIC_GRP_LEVEL_INFO, ATTR(1, 0),
				     &val), 0);
	assert_int_equal(th_get_attr(gic, VGIC_GRP_LEVEL_INFO, ATTR(1, 0),
				     &val), 0);
	assert_int_equal(val, 0xffff0000); /* SGIs RAZ/WI */
	assert_int_equal(th_get_attr(gic, VGIC_GRP_LEVEL_INFO, ATTR(0, 0),
				     &val), 0);
	assert_int_equal(val, 0); /* PPIs come from the named vCPU */
	assert_int_equal(th_get_attr(gic, VGIC_GRP_LEVEL_INFO, ATTR(0, 33),
				     &val), -EINVAL);
	assert_int_equal(th_get_attr(gic, VGIC_GRP_LEVEL_INFO,
				     ATTR(0, 1u << 10 | 32), &val), -EINVAL);
	assert_int_equal(th_get_attr(gic, VGIC_GRP_LEVEL_INFO, ATTR(0, 256),
				     &val), 0);
	assert_int_equal(val, 0); /* beyond NR_IRQS */
	/* The level is stored whatever the trigger; edge reads 0. */
	th_write32(v, 0, GICD(D_ICFGR + 12), 0xaaaaaaaa); /* 48..63 edge */
	val = 0xffff0000;
	assert_int_equal(th_set_attr(gic, VGIC_GRP_LEVEL_INFO, ATTR(0, 32),
				     &val), 0);
	assert_int_equal(th_get_attr(gic, VGIC_GRP_LEVEL_INFO, ATTR(0, 32),
				     &val), 0);
	assert_int_equal(val, 0);
	th_write32(v, 0, GICD(D_ICFGR + 12), 0);
	assert_int_equal(th_get_attr(gic, VGIC_GRP_LEVEL_INFO, ATTR(0, 32),
				     &val), 0);
	assert_int_equal(val, 0xffff0000);
	/* User writes to active/enable/group have no side effects. */
	val = 0xf;
	assert_int_equal(th_set_attr(gic, VGIC_GRP_REDIST_REGS,
				     ATTR(1, R_ISACTIVER0), &val), 0);
	assert_int_equal(th_read32(v, 1, GICR(1, R_ISACTIVER0)), 0xf);
	/* ICFGR of SGIs/PPIs is read-only from userspace too. */
	val = 0;
	assert_int_equal(th_set_attr(gic, VGIC_GRP_REDIST_REGS,
				     ATTR(1, R_ICFGR0), &val), 0);
	assert_int_equal(th_read32(v, 1, GICR(1, R_ICFGR0)), 0xaaaaaaaa);
	/* GICR_TYPER is WI from userspace. */
	val = 0;
	assert_int_equal(th_set_attr(gic, VGIC_GRP_REDIST_REGS,
				     ATTR(1, R_TYPER), &val), 0);
	assert_int_equal(typer(&(struct vm){ v, gic }, 1), 0x110);
	vgic_destroy(v);
	th_host_free(h);
}

/* Entry points that need a GICv3, or an initialised one. */
static void test_no_gic(void **state)
{
	struct vgic_config cfg = { .nr_vcpus = 2 };
	struct vgic_device *gic;
	struct vgic *v;
	uint64_t q;

	(void)state;
	assert_int_equal(vgic_create(&cfg, &th_ops, NULL, &v), 0);
	assert_int_equal(vgic_sysreg_read(v, 0, VGIC_ICC_PMR_EL1, &q), -ENODEV);
	assert_int_equal(vgic_sysreg_write(v, 0, VGIC_ICC_PMR_EL1, 0), -ENODEV);
	assert_int_equal(vgic_irq_line(v, 0, 40, true), -ENODEV);
	assert_int_equal(vgic_mmio_read(v, 0, TH_GICD_BASE, &q, 4), -ENOENT);
	assert_int_equal(vgic_device_create(v, VGIC_DEV_TYPE_V3, &gic), 0);
	/* Not initialised: lines are refused, sysregs work. */
	assert_int_equal(vgic_irq_line(v, 0, 40, true), -EBUSY);
	assert_int_equal(vgic_sysreg_read(v, 2, VGIC_ICC_PMR_EL1, &q), -EINVAL);
	assert_int_equal(vgic_sysreg_read(v, 0, VGIC_ICC_PMR_EL1, &q), 0);
	/* Frames are not mapped until their address is set. */
	assert_int_equal(vgic_mmio_read(v, 0, TH_GICD_BASE, &q, 4), -ENOENT);
	vgic_destroy(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dist_rdist),
		cmocka_unit_test(test_new_redist_regions),
		cmocka_unit_test(test_typer_accesses),
		cmocka_unit_test(test_last_bit),
		cmocka_unit_test(test_redist_ipa_range),
		cmocka_unit_test(test_nassgicap),
		cmocka_unit_test(test_nr_irqs_ctrl),
		cmocka_unit_test(test_regs_errors),
		cmocka_unit_test(test_cpu_sysregs),
		cmocka_unit_test(test_user_pending_level),
		cmocka_unit_test(test_baser_reset_round_trip),
		cmocka_unit_test(test_no_gic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

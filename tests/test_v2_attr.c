/*
 * KVM_DEV_TYPE_ARM_VGIC_V2 attributes: every group, KVM's userspace
 * formats and every error case (KVM ABI reference §1.1, §1.2, §7.13).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "v2_helpers.h"

static struct vgic *new_vm(uint32_t nr, struct vgic_device **d)
{
	struct vgic_config cfg = { .nr_vcpus = nr };
	struct vgic *v;

	assert_int_equal(vgic_create(&cfg, &th_ops, NULL, &v), 0);
	assert_int_equal(vgic_device_create(v, VGIC_DEV_TYPE_V2, d), 0);
	return v;
}

static void test_create(void **state)
{
	struct vgic_config cfg = { .nr_vcpus = 9 };
	struct vgic_device *d, *d2;
	struct vgic *v;

	(void)state;
	assert_int_equal(vgic_create(&cfg, &th_ops, NULL, &v), 0);
	assert_int_equal(vgic_device_create(v, VGIC_DEV_TYPE_V2, &d), -E2BIG);
	vgic_destroy(v);
	/* Once a vCPU has run, no GIC can be created (KVM: -EBUSY). */
	cfg.nr_vcpus = 2;
	assert_int_equal(vgic_create(&cfg, &th_ops, NULL, &v), 0);
	assert_int_equal(vgic_vcpu_set_running(v, 1, true), 0);
	assert_int_equal(vgic_vcpu_set_running(v, 1, false), 0);
	assert_int_equal(vgic_device_create(v, VGIC_DEV_TYPE_V2, &d), -EBUSY);
	vgic_destroy(v);
	v = new_vm(8, &d);
	assert_int_equal(vgic_device_type(d), VGIC_DEV_TYPE_V2);
	assert_int_equal(vgic_device_create(v, VGIC_DEV_TYPE_V2, &d2), -EEXIST);
	assert_int_equal(vgic_device_create(v, VGIC_DEV_TYPE_V3, &d2), -EEXIST);
	assert_int_equal(vgic_device_create(v, VGIC_DEV_TYPE_ITS, &d2),
			 -ENODEV);
	/* A GICv2 has no system-register CPU interface. */
	{
		uint64_t x;
		assert_int_equal(vgic_sysreg_read(v, 0, VGIC_ICC_PMR_EL1, &x),
				 -ENODEV);
	}
	vgic_destroy(v);
}

static void test_addr(void **state)
{
	struct vgic_device *d;
	struct vgic *v = new_vm(2, &d);
	struct vgic_device_attr a = { .group = VGIC_GRP_ADDR,
				      .attr = VGIC_V2_ADDR_TYPE_DIST };
	uint64_t x;

	(void)state;
	x = 0;
	assert_int_equal(th_get_attr(d, VGIC_GRP_ADDR, 0, &x), 0);
	assert_int_equal(x, ~0ull);
	assert_int_equal(th_has_attr(d, VGIC_GRP_ADDR, 0), 0);
	assert_int_equal(th_has_attr(d, VGIC_GRP_ADDR, 1), 0);
	for (uint64_t t = 2; t < 7; t++) {
		x = 0x10000;
		assert_int_equal(th_has_attr(d, VGIC_GRP_ADDR, t), -ENXIO);
		assert_int_equal(th_set_attr(d, VGIC_GRP_ADDR, t, &x), -ENXIO);
		assert_int_equal(th_get_attr(d, VGIC_GRP_ADDR, t, &x), -ENXIO);
	}
	/* NULL value pointer. */
	assert_int_equal(vgic_device_set_attr(d, &a), -EFAULT);
	x = 0x8000800;
	assert_int_equal(th_set_attr(d, VGIC_GRP_ADDR, 0, &x), -EINVAL);
	x = 0xfffffffffffff000ull;
	assert_int_equal(th_set_attr(d, VGIC_GRP_ADDR, 0, &x), -EINVAL);
	x = 1ull << VGIC_PHYS_ADDR_BITS;
	assert_int_equal(th_set_attr(d, VGIC_GRP_ADDR, 0, &x), -E2BIG);
	x = (1ull << VGIC_PHYS_ADDR_BITS) - 0x1000; /* CPU frame: 8 KiB */
	assert_int_equal(th_set_attr(d, VGIC_GRP_ADDR, 1, &x), -E2BIG);
	x = TH_V2_DIST_BASE;
	assert_int_equal(th_set_attr(d, VGIC_GRP_ADDR, 0, &x), 0);
	assert_int_equal(th_set_attr(d, VGIC_GRP_ADDR, 0, &x), -EEXIST);
	x = 0;
	assert_int_equal(th_get_attr(d, VGIC_GRP_ADDR, 0, &x), 0);
	assert_int_equal(x, TH_V2_DIST_BASE);
	x = 0;
	assert_int_equal(th_get_attr(d, VGIC_GRP_ADDR, 1, &x), 0);
	assert_int_equal(x, ~0ull);
	vgic_destroy(v);
}

static void test_nr_irqs_ctrl(void **state)
{
	static const uint32_t bad[] = { 0, 32, 63, 65, 96 + 8, 1024, 1056,
					0xffffffe0u };
	struct vgic_device *d;
	struct vgic *v = new_vm(2, &d);
	uint32_t n = 0;

	(void)state;
	assert_int_equal(th_has_attr(d, VGIC_GRP_NR_IRQS, 0), 0);
	assert_int_equal(th_get_attr(d, VGIC_GRP_NR_IRQS, 0, &n), 0);
	assert_int_equal(n, 32);
	for (unsigned i = 0; i < NELEM(bad); i++) {
		n = bad[i];
		assert_int_equal(th_set_attr(d, VGIC_GRP_NR_IRQS, 0, &n),
				 -EINVAL);
	}
	assert_int_equal(th_set_attr(d, VGIC_GRP_NR_IRQS, 0, NULL), -EFAULT);
	n = 992;
	assert_int_equal(th_set_attr(d, VGIC_GRP_NR_IRQS, 0, &n), 0);
	n = 992;
	assert_int_equal(th_set_attr(d, VGIC_GRP_NR_IRQS, 0, &n), -EBUSY);
	n = 0;
	assert_int_equal(th_get_attr(d, VGIC_GRP_NR_IRQS, 0, &n), 0);
	assert_int_equal(n, 992);

	assert_int_equal(th_has_attr(d, VGIC_GRP_CTRL, VGIC_CTRL_INIT), 0);
	for (uint64_t a = 1; a < 6; a++) {
		assert_int_equal(th_has_attr(d, VGIC_GRP_CTRL, a), -ENXIO);
		assert_int_equal(th_set_attr(d, VGIC_GRP_CTRL, a, NULL), -ENXIO);
	}
	assert_int_equal(th_get_attr(d, VGIC_GRP_CTRL, VGIC_CTRL_INIT, &n),
			 -ENXIO);
	assert_int_equal(th_set_attr(d, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL), 0);
	assert_int_equal(th_set_attr(d, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL), 0);
	assert_int_equal(th_get_attr(d, VGIC_GRP_DIST_REGS, D_TYPER, &n), 0);
	assert_int_equal(n & 0x1f, 992 / 32 - 1);

	/* Groups a GICv2 does not have (some exchange 64-bit values). */
	for (uint32_t g = 5; g < 12; g++) {
		uint64_t big = 0;

		assert_int_equal(th_has_attr(d, g, 0), -ENXIO);
		assert_int_equal(th_set_attr(d, g, 0, &big), -ENXIO);
		assert_int_equal(th_get_attr(d, g, 0, &big), -ENXIO);
	}
	vgic_destroy(v);

	/* NR_IRQS after INIT (default 256). */
	v = new_vm(1, &d);
	assert_int_equal(th_set_attr(d, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL), 0);
	n = 128;
	assert_int_equal(th_set_attr(d, VGIC_GRP_NR_IRQS, 0, &n), -EBUSY);
	assert_int_equal(th_get_attr(d, VGIC_GRP_NR_IRQS, 0, &n), 0);
	assert_int_equal(n, 256);
	vgic_destroy(v);
}

/* A register access initialises the GIC (KVM's lazy vgic_init). */
static void test_lazy_init(void **state)
{
	struct vgic_device *d;
	struct vgic *v = new_vm(3, &d);
	uint32_t n = 0;

	(void)state;
	/* Before init only the private interrupts exist for HAS_ATTR. */
	assert_int_equal(th_has_attr(d, VGIC_GRP_DIST_REGS,
				     v2_attr(0, D_ISENABLER)), 0);
	assert_int_equal(th_has_attr(d, VGIC_GRP_DIST_REGS,
				     v2_attr(0, D_ISENABLER + 4)), -ENXIO);
	assert_int_equal(th_get_attr(d, VGIC_GRP_DIST_REGS,
				     v2_attr(2, D_TYPER), &n), 0);
	assert_int_equal(n, 7 | 2u << 5);
	assert_int_equal(th_has_attr(d, VGIC_GRP_DIST_REGS,
				     v2_attr(0, D_ISENABLER + 4)), 0);
	n = 64;
	assert_int_equal(th_set_attr(d, VGIC_GRP_NR_IRQS, 0, &n), -EBUSY);
	/* SGIs come up enabled, everything in group 0. */
	assert_int_equal(th_get_attr(d, VGIC_GRP_DIST_REGS,
				     v2_attr(1, D_ISENABLER), &n), 0);
	assert_int_equal(n, 0xffff);
	assert_int_equal(th_get_attr(d, VGIC_GRP_DIST_REGS,
				     v2_attr(1, D_IGROUPR + 4), &n), 0);
	assert_int_equal(n, 0);
	vgic_destroy(v);
}

static void test_regs_errors(void **state)
{
	struct th_host *h = th_host_new(0);
	struct vgic_device *d;
	struct vgic *v = th_vm_v2(h, 2, 64, &d);
	struct vgic_device_attr a = { .group = VGIC_GRP_DIST_REGS,
				      .attr = D_CTLR };
	uint32_t x = 0x1234;

	(void)state;
	for (uint32_t g = VGIC_GRP_DIST_REGS; g <= VGIC_GRP_CPU_REGS; g++) {
		/* cpuid is a vcpu_id: 2 and 255 do not exist. */
		assert_int_equal(th_get_attr(d, g, v2_attr(2, 0), &x), -EINVAL);
		assert_int_equal(th_set_attr(d, g, v2_attr(2, 0), &x), -EINVAL);
		assert_int_equal(th_has_attr(d, g, v2_attr(255, 0)), -EINVAL);
		/* HAS: known, aligned offsets only. */
		assert_int_equal(th_has_attr(d, g, v2_attr(1, 0)), 0);
		assert_int_equal(th_has_attr(d, g, v2_attr(1, 2)), -ENXIO);
		assert_int_equal(th_has_attr(d, g, v2_attr(0, 0xffc0)), -ENXIO);
		/* GET/SET at an unknown offset: 0 read, write ignored. */
		x = 0x1234;
		assert_int_equal(th_get_attr(d, g, v2_attr(0, 0x40), &x), 0);
		assert_int_equal(x, 0);
		assert_int_equal(th_set_attr(d, g, v2_attr(0, 0x40), &x), 0);
	}
	/* The distributor: reserved, ID registers, banks beyond NR_IRQS. */
	assert_int_equal(th_has_attr(d, VGIC_GRP_DIST_REGS, D_IIDR + 4), -ENXIO);
	assert_int_equal(th_has_attr(d, VGIC_GRP_DIST_REGS, D_PIDR2), -ENXIO);
	assert_int_equal(th_has_attr(d, VGIC_GRP_DIST_REGS, D_ISPENDR + 4), 0);
	assert_int_equal(th_has_attr(d, VGIC_GRP_DIST_REGS, D_ISPENDR + 8),
			 -ENXIO);
	assert_int_equal(th_has_attr(d, VGIC_GRP_DIST_REGS, D_ITARGETSR + 60),
			 0);
	assert_int_equal(th_has_attr(d, VGIC_GRP_DIST_REGS, D_ITARGETSR + 64),
			 -ENXIO);
	assert_int_equal(th_has_attr(d, VGIC_GRP_DIST_REGS, D_SGIR), 0);
	assert_int_equal(th_has_attr(d, VGIC_GRP_DIST_REGS, D_SPENDSGIR + 12),
			 0);
	/* The CPU interface: only the VMCR/APR-backed registers. */
	{
		static const uint32_t yes[] = { C_CTLR, C_PMR, C_BPR, C_ABPR,
						C_APR0, C_APR0 + 12, C_IIDR };
		static const uint32_t no[] = { C_IAR, C_EOIR, C_RPR, C_HPPIR,
					       C_AIAR, C_AEOIR, C_AHPPIR,
					       C_NSAPR0, C_DIR };

		for (unsigned i = 0; i < NELEM(yes); i++)
			assert_int_equal(th_has_attr(d, VGIC_GRP_CPU_REGS,
						     v2_attr(1, yes[i])),
					 0);
		for (unsigned i = 0; i < NELEM(no); i++)
			assert_int_equal(th_has_attr(d, VGIC_GRP_CPU_REGS,
						     v2_attr(1, no[i])),
					 -ENXIO);
	}
	/* NULL value pointer. */
	assert_int_equal(vgic_device_set_attr(d, &a), -EFAULT);
	assert_int_equal(vgic_device_get_attr(d, &a), -EFAULT);
	/* GICD_IIDR: all but Revision must match; Revision 2 or 3. */
	x = 0x4b00343b ^ 1;
	assert_int_equal(th_set_attr(d, VGIC_GRP_DIST_REGS, D_IIDR, &x),
			 -EINVAL);
	x = 0x4b00143b;
	assert_int_equal(th_set_attr(d, VGIC_GRP_DIST_REGS, D_IIDR, &x),
			 -EINVAL);
	x = 0x4b00443b;
	assert_int_equal(th_set_attr(d, VGIC_GRP_DIST_REGS, D_IIDR, &x),
			 -EINVAL);
	x = 0x4b00243b;
	assert_int_equal(th_set_attr(d, VGIC_GRP_DIST_REGS, D_IIDR, &x), 0);
	assert_int_equal(gicd_r(v, 0, D_IIDR), 0x4b00243b);
	/* TYPER is read-only from userspace too. */
	x = 0;
	assert_int_equal(th_set_attr(d, VGIC_GRP_DIST_REGS, D_TYPER, &x), 0);
	assert_int_equal(gicd_r(v, 0, D_TYPER), 1 | 1u << 5);

	/* A running vCPU: -EBUSY for register access, not for HAS. */
	assert_int_equal(vgic_vcpu_set_running(v, 1, true), 0);
	assert_int_equal(th_get_attr(d, VGIC_GRP_DIST_REGS, D_CTLR, &x),
			 -EBUSY);
	assert_int_equal(th_set_attr(d, VGIC_GRP_CPU_REGS, v2_attr(1, C_PMR),
				     &x),
			 -EBUSY);
	assert_int_equal(th_has_attr(d, VGIC_GRP_CPU_REGS, C_PMR), 0);
	assert_int_equal(vgic_vcpu_set_running(v, 1, false), 0);
	assert_int_equal(th_get_attr(d, VGIC_GRP_DIST_REGS, D_CTLR, &x), 0);
	/* A vCPU has run: no new GIC device. */
	{
		struct vgic_device *d2;
		assert_int_equal(vgic_device_create(v, VGIC_DEV_TYPE_V2, &d2),
				 -EEXIST);
	}
	vgic_destroy(v);
	th_host_free(h);
}

/* First run: KVM's vgic_v2_map_resources checks. */
static void test_first_run(void **state)
{
	struct vgic_device *d;
	struct vgic *v = new_vm(2, &d);
	uint64_t x;
	uint32_t n;

	(void)state;
	assert_int_equal(vgic_vcpu_set_running(v, 0, true), -ENXIO);
	x = 0x10000;
	assert_int_equal(th_set_attr(d, VGIC_GRP_ADDR, 0, &x), 0);
	assert_int_equal(vgic_vcpu_set_running(v, 0, true), -ENXIO);
	x = 0x0f000; /* CPU frame 0xf000-0x10fff overlaps the distributor */
	assert_int_equal(th_set_attr(d, VGIC_GRP_ADDR, 1, &x), 0);
	assert_int_equal(vgic_vcpu_set_running(v, 0, true), -EINVAL);
	vgic_destroy(v);

	v = new_vm(2, &d);
	x = 0x10000;
	assert_int_equal(th_set_attr(d, VGIC_GRP_ADDR, 0, &x), 0);
	x = 0x11000; /* adjacent: fine */
	assert_int_equal(th_set_attr(d, VGIC_GRP_ADDR, 1, &x), 0);
	assert_int_equal(vgic_vcpu_set_running(v, 0, true), 0);
	/* The first run initialised the GIC: NR_IRQS is now fixed. */
	n = 64;
	assert_int_equal(th_set_attr(d, VGIC_GRP_NR_IRQS, 0, &n), -EBUSY);
	assert_int_equal(vgic_vcpu_set_running(v, 0, false), 0);
	vgic_destroy(v);
}

/* KVM's userspace formats and semantics. */
static void test_user_formats(void **state)
{
	struct th_host *h = th_host_new(0);
	struct vgic_device *d;
	struct vgic *v = th_vm_v2(h, 4, 64, &d);
	uint32_t x;

	(void)state;
	v2_guest_enable(v, 4);
	/* PMR as VMCR.VMPriMask: priority >> 3. */
	x = 0x1f;
	assert_int_equal(th_set_attr(d, VGIC_GRP_CPU_REGS, v2_attr(2, C_PMR),
				     &x),
			 0);
	assert_int_equal(gicc_r(v, 2, C_PMR), 0xf8);
	gicc_w(v, 3, C_PMR, 0x80);
	assert_int_equal(th_get_attr(d, VGIC_GRP_CPU_REGS, v2_attr(3, C_PMR),
				     &x),
			 0);
	assert_int_equal(x, 0x10);
	/* CTLR keeps KVM's six bits; BPR/ABPR; GICC_IIDR. */
	x = 0xffffffff;
	assert_int_equal(th_set_attr(d, VGIC_GRP_CPU_REGS, v2_attr(1, C_CTLR),
				     &x),
			 0);
	assert_int_equal(gicc_r(v, 1, C_CTLR), 0x21f);
	x = 4;
	assert_int_equal(th_set_attr(d, VGIC_GRP_CPU_REGS, v2_attr(1, C_ABPR),
				     &x),
			 0);
	assert_int_equal(gicc_r(v, 1, C_ABPR), 4);
	assert_int_equal(th_get_attr(d, VGIC_GRP_CPU_REGS, v2_attr(1, C_IIDR),
				     &x),
			 0);
	assert_int_equal(x, 0x04b2043b);
	/* APR0 in the fixed format: bit (priority >> 3). */
	gicd_w(v, 0, D_IPRIORITYR + 4, 0x40); /* SGI 4 */
	gicd_w(v, 0, D_SGIR, SGIR_SELF | 4);
	assert_int_equal(gicc_r(v, 0, C_IAR), 4);
	assert_int_equal(th_get_attr(d, VGIC_GRP_CPU_REGS, v2_attr(0, C_APR0),
				     &x),
			 0);
	assert_int_equal(x, 1u << 8);
	x = 1u << 2;
	assert_int_equal(th_set_attr(d, VGIC_GRP_CPU_REGS, v2_attr(0, C_APR0),
				     &x),
			 0);
	assert_int_equal(gicc_r(v, 0, C_RPR), 0x10);
	/* APR1-3 do not exist with 5 priority bits: 0, write ignored. */
	x = 5;
	assert_int_equal(th_set_attr(d, VGIC_GRP_CPU_REGS,
				     v2_attr(0, C_APR0 + 4), &x),
			 0);
	assert_int_equal(th_get_attr(d, VGIC_GRP_CPU_REGS,
				     v2_attr(0, C_APR0 + 4), &x),
			 0);
	assert_int_equal(x, 0);

	/* SGI sources: a user ISPENDR set makes the accessing vCPU the
	 * source; ICPENDR drops every source; SPENDSGIR sets sources. */
	x = 1u << 3;
	assert_int_equal(th_set_attr(d, VGIC_GRP_DIST_REGS,
				     v2_attr(2, D_ISPENDR), &x),
			 0);
	assert_int_equal(gicd_r(v, 2, D_SPENDSGIR), 0x04000000);
	assert_int_equal(gicd_r(v, 2, D_ISPENDR) & 0xffff, 1u << 3);
	x = 0x09000000;
	assert_int_equal(th_set_attr(d, VGIC_GRP_DIST_REGS,
				     v2_attr(2, D_SPENDSGIR), &x),
			 0);
	assert_int_equal(th_get_attr(d, VGIC_GRP_DIST_REGS,
				     v2_attr(2, D_CPENDSGIR), &x),
			 0);
	assert_int_equal(x, 0x0d000000);
	x = 1u << 3;
	assert_int_equal(th_set_attr(d, VGIC_GRP_DIST_REGS,
				     v2_attr(2, D_ICPENDR), &x),
			 0);
	assert_int_equal(gicd_r(v, 2, D_SPENDSGIR), 0);
	assert_int_equal(gicd_r(v, 2, D_ISPENDR) & 0xffff, 0);
	/* User SGIR sends from the attr's vCPU. */
	x = SGIR_LIST(1) | 9;
	assert_int_equal(th_set_attr(d, VGIC_GRP_DIST_REGS,
				     v2_attr(3, D_SGIR), &x),
			 0);
	assert_int_equal(gicc_r(v, 0, C_HPPIR), 9 | 3u << 10);
	/* Userspace ISPENDR/ICPENDR are W1S/W1C for other interrupts. */
	x = 1u << 17;
	assert_int_equal(th_set_attr(d, VGIC_GRP_DIST_REGS,
				     v2_attr(1, D_ISPENDR), &x),
			 0);
	x = 0;
	assert_int_equal(th_set_attr(d, VGIC_GRP_DIST_REGS,
				     v2_attr(1, D_ISPENDR), &x),
			 0);
	assert_int_equal(gicd_r(v, 1, D_ISPENDR), 1u << 17);
	x = 1u << 17;
	assert_int_equal(th_set_attr(d, VGIC_GRP_DIST_REGS,
				     v2_attr(1, D_ICPENDR), &x),
			 0);
	assert_int_equal(gicd_r(v, 1, D_ISPENDR), 0);

	/* IGROUPR from userspace counts only after a GICD_IIDR write. */
	x = 0xffffffff;
	assert_int_equal(th_set_attr(d, VGIC_GRP_DIST_REGS,
				     v2_attr(0, D_IGROUPR + 4), &x),
			 0);
	assert_int_equal(gicd_r(v, 0, D_IGROUPR + 4), 0);
	assert_int_equal(th_get_attr(d, VGIC_GRP_DIST_REGS, D_IIDR, &x), 0);
	assert_int_equal(th_set_attr(d, VGIC_GRP_DIST_REGS, D_IIDR, &x), 0);
	x = 0xffffffff;
	assert_int_equal(th_set_attr(d, VGIC_GRP_DIST_REGS,
				     v2_attr(0, D_IGROUPR + 4), &x),
			 0);
	assert_int_equal(gicd_r(v, 0, D_IGROUPR + 4), 0xffffffff);

	/* An SGI made active from userspace is deactivated by EOIR with
	 * any CPUID (its source was not saved: docs/gicv2.md). */
	gicc_w(v, 1, C_CTLR, CTLR_GRP0 | CTLR_GRP1 | CTLR_ACKCTL);
	gicc_w(v, 1, C_APR0, 0);
	x = 1u << 7;
	assert_int_equal(th_set_attr(d, VGIC_GRP_DIST_REGS,
				     v2_attr(1, D_ISACTIVER), &x),
			 0);
	x = 1u << 0;
	assert_int_equal(th_set_attr(d, VGIC_GRP_CPU_REGS, v2_attr(1, C_APR0),
				     &x),
			 0);
	gicc_w(v, 1, C_EOIR, 7 | 2u << 10);
	assert_int_equal(gicd_r(v, 1, D_ISACTIVER) & 0xffff, 0);
	gicd_w(v, 2, D_SGIR, SGIR_LIST(2) | 7);
	assert_int_equal(gicc_r(v, 1, C_IAR), 7 | 2u << 10);
	vgic_destroy(v);
	th_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_nr_irqs_ctrl),
		cmocka_unit_test(test_lazy_init),
		cmocka_unit_test(test_regs_errors),
		cmocka_unit_test(test_first_run),
		cmocka_unit_test(test_user_formats),
	};
	return cmocka_run_group_tests_name("v2_attr", tests, NULL, NULL);
}

/*
 * GICv2 guest view: the distributor (GICD) and the memory-mapped CPU
 * interface (GICC) driven through vgic_mmio_read/write, as a guest would.
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

struct ack {
	uint32_t intid, src;
};

/* Acknowledge and EOI everything @cpu can take; returns the count. */
static unsigned drain(struct vgic *v, uint32_t cpu, struct ack *out,
		      unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < 64; i++) {
		uint32_t iar = gicc_r(v, cpu, C_IAR);

		if ((iar & 0x3ff) == SPURIOUS)
			break;
		assert_true(n < max);
		out[n].intid = iar & 0x3ff;
		out[n].src = (iar >> 10) & 7;
		n++;
		gicc_w(v, cpu, C_EOIR, iar);
	}
	return n;
}

/* Send SGI @sgi from @src with @sgir_bits; every vCPU then drains and
 * must have received it exactly once (from @src) iff it is in @expect. */
static void check_ipi(struct vgic *v, uint32_t nr, uint32_t src, uint32_t sgi,
		      uint32_t sgir_bits, uint32_t expect)
{
	gicd_w(v, src, D_SGIR, sgir_bits | sgi);
	for (uint32_t c = 0; c < nr; c++) {
		struct ack acks[8];
		unsigned n;

		assert_int_equal(vgic_vcpu_irq_pending(v, c),
				 !!(expect & (1u << c)));
		n = drain(v, c, acks, 8);
		if (expect & (1u << c)) {
			assert_int_equal(n, 1);
			assert_int_equal(acks[0].intid, sgi);
			assert_int_equal(acks[0].src, src);
		} else {
			assert_int_equal(n, 0);
		}
		assert_false(vgic_vcpu_irq_pending(v, c));
	}
}

static void test_ipis(void **state)
{
	static const uint32_t sizes[] = { 1, 3, 8 };
	struct th_host *h = th_host_new(0);

	(void)state;
	for (unsigned k = 0; k < 3; k++) {
		uint32_t nr = sizes[k], all = (1u << nr) - 1;
		struct vgic *v = th_vm_v2(h, nr, 0, NULL);
		uint64_t seed = nr;

		v2_guest_enable(v, nr);
		for (uint32_t s = 0; s < nr; s++) {
			uint32_t sgi = s % 16;
			uint32_t list = (uint32_t)th_rand(&seed) & 0xff;

			check_ipi(v, nr, s, sgi, SGIR_SELF, 1u << s);
			check_ipi(v, nr, s, (sgi + 1) % 16, SGIR_OTHERS,
				  all & ~(1u << s));
			/* Target-list bits of CPUs that do not exist are
			 * ignored. */
			check_ipi(v, nr, s, (sgi + 2) % 16, SGIR_LIST(list),
				  list & all);
			check_ipi(v, nr, s, 15, SGIR_LIST(all), all);
			/* Filter 3 is reserved: nothing is sent. */
			check_ipi(v, nr, s, 4, 3u << 24 | SGIR_LIST(all), 0);
		}
		vgic_destroy(v);
	}
	th_host_free(h);
}

/* The same SGI from several sources: one acknowledge per source, each
 * with its CPUID, pending-per-source state visible in SPENDSGIR. */
static void test_sgi_sources(void **state)
{
	struct th_host *h = th_host_new(0);
	struct vgic *v = th_vm_v2(h, 4, 0, NULL);
	struct ack acks[8];
	unsigned seen = 0, n;

	(void)state;
	v2_guest_enable(v, 4);
	for (uint32_t s = 1; s < 4; s++)
		gicd_w(v, s, D_SGIR, SGIR_LIST(1) | 5);
	/* SGI 5 is byte 1 of SPENDSGIR1 (SGIs 4-7) of CPU 0. */
	assert_int_equal(gicd_r(v, 0, D_SPENDSGIR + 4), 0x0e00);
	assert_int_equal(gicd_r(v, 0, D_CPENDSGIR + 4), 0x0e00);
	assert_int_equal(gicd_r(v, 1, D_SPENDSGIR + 4), 0);
	assert_int_equal(gicd_r(v, 0, D_ISPENDR) & (1u << 5), 1u << 5);
	assert_int_equal(gicc_r(v, 0, C_HPPIR), 5 | 1u << 10);
	n = drain(v, 0, acks, 8);
	assert_int_equal(n, 3);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(acks[i].intid, 5);
		seen |= 1u << acks[i].src;
	}
	assert_int_equal(seen, 0x0e);
	assert_int_equal(gicd_r(v, 0, D_SPENDSGIR + 4), 0);
	/* Guest CPENDSGIR clears one source; SPENDSGIR sets sources. */
	gicd_wn(v, 0, D_SPENDSGIR + 5, 1, 0x0c);
	gicd_wn(v, 0, D_CPENDSGIR + 5, 1, 0x04);
	assert_int_equal(gicd_rn(v, 0, D_SPENDSGIR + 5, 1), 0x08);
	/* Source bits of CPUs that do not exist (4-7) are WI. */
	gicd_wn(v, 1, D_SPENDSGIR + 2, 1, 0xf1);
	assert_int_equal(gicd_rn(v, 1, D_SPENDSGIR + 2, 1), 0x01);
	gicd_wn(v, 1, D_CPENDSGIR + 2, 1, 0xff);
	assert_int_equal(gicd_r(v, 1, D_SPENDSGIR), 0);
	assert_int_equal(gicc_r(v, 0, C_IAR), 5 | 3u << 10);
	gicc_w(v, 0, C_EOIR, 5 | 3u << 10);
	/* Guest ISPENDR/ICPENDR SGI bits are WI. */
	gicd_w(v, 0, D_ISPENDR, 0xffff);
	assert_int_equal(gicd_r(v, 0, D_ISPENDR) & 0xffff, 0);
	gicd_w(v, 1, D_SGIR, SGIR_LIST(1) | 6);
	gicd_w(v, 0, D_ICPENDR, 0xffff);
	assert_int_equal(gicd_r(v, 0, D_ISPENDR) & 0xffff, 1u << 6);
	vgic_destroy(v);
	th_host_free(h);
}

/* Active state cleared by ICACTIVER instead of EOIR / DIR. */
static void test_icactiver_instead_of_eoi(void **state)
{
	struct th_host *h = th_host_new(0);
	struct vgic *v = th_vm_v2(h, 2, 64, NULL);

	(void)state;
	v2_guest_enable(v, 2);
	gicd_wn(v, 0, D_ITARGETSR + 40, 1, 0x01);
	gicd_wn(v, 0, D_IPRIORITYR + 40, 1, 0x80);
	gicd_w(v, 0, D_ISENABLER + 4, 1u << 8);

	/* EOImode 1: EOIR drops priority, ICACTIVER deactivates. */
	gicc_w(v, 0, C_CTLR, CTLR_GRP0 | CTLR_GRP1 | CTLR_EOIMODE);
	gicd_w(v, 0, D_ISPENDR + 4, 1u << 8);
	assert_int_equal(gicc_r(v, 0, C_IAR), 40);
	assert_int_equal(gicd_r(v, 0, D_ISACTIVER + 4), 1u << 8);
	assert_int_equal(gicc_r(v, 0, C_RPR), 0x80);
	gicc_w(v, 0, C_EOIR, 40);
	assert_int_equal(gicc_r(v, 0, C_RPR), 0xff);
	assert_int_equal(gicd_r(v, 0, D_ISACTIVER + 4), 1u << 8);
	/* Still active: a new edge stays pending, not deliverable. */
	gicd_w(v, 0, D_ISPENDR + 4, 1u << 8);
	assert_int_equal(gicc_r(v, 0, C_IAR), SPURIOUS);
	gicd_w(v, 1, D_ICACTIVER + 4, 1u << 8);
	assert_int_equal(gicd_r(v, 0, D_ISACTIVER + 4), 0);
	assert_true(vgic_vcpu_irq_pending(v, 0));
	assert_int_equal(gicc_r(v, 0, C_IAR), 40);

	/* EOImode 0: ICACTIVER deactivates, the priority stays until EOIR. */
	gicd_w(v, 0, D_ICACTIVER + 4, 1u << 8);
	gicc_w(v, 0, C_APR0, 0);
	gicc_w(v, 0, C_CTLR, CTLR_GRP0 | CTLR_GRP1);
	gicd_w(v, 0, D_ISPENDR + 4, 1u << 8);
	assert_int_equal(gicc_r(v, 0, C_IAR), 40);
	gicd_w(v, 0, D_ICACTIVER + 4, 1u << 8);
	assert_int_equal(gicd_r(v, 0, D_ISACTIVER + 4), 0);
	assert_int_equal(gicc_r(v, 0, C_APR0), 1u << (0x80 >> 3));
	gicd_w(v, 0, D_ISPENDR + 4, 1u << 8);
	assert_int_equal(gicc_r(v, 0, C_IAR), SPURIOUS); /* same priority */
	gicc_w(v, 0, C_EOIR, 40);
	assert_int_equal(gicc_r(v, 0, C_APR0), 0);
	assert_int_equal(gicc_r(v, 0, C_IAR), 40);
	vgic_destroy(v);
	th_host_free(h);
}

static void test_typer_iidr_read_only(void **state)
{
	static const uint32_t sizes[] = { 1, 3, 8 };
	struct th_host *h = th_host_new(0);

	(void)state;
	for (unsigned k = 0; k < 3; k++) {
		uint32_t nr = sizes[k], irqs = 64 + 32 * k;
		struct vgic *v = th_vm_v2(h, nr, irqs, NULL);
		uint32_t typer = (irqs / 32 - 1) | (nr - 1) << 5;

		assert_int_equal(gicd_r(v, 0, D_TYPER), typer);
		assert_int_equal((gicd_r(v, 0, D_TYPER) >> 5) & 7, nr - 1);
		assert_int_equal(gicd_r(v, 0, D_IIDR), 0x4b00343b);
		gicd_w(v, 0, D_TYPER, 0xffffffff);
		gicd_w(v, 0, D_IIDR, 0);
		assert_int_equal(gicd_r(v, nr - 1, D_TYPER), typer);
		assert_int_equal(gicd_r(v, 0, D_IIDR), 0x4b00343b);
		/* GICD_CTLR keeps one bit. */
		gicd_w(v, 0, D_CTLR, 0xffffffff);
		assert_int_equal(gicd_r(v, 0, D_CTLR), 1);
		/* GICC_IIDR and the distributor's PIDR2 (GICv2). */
		assert_int_equal(gicc_r(v, 0, C_IIDR), 0x04b2043b);
		assert_int_equal(gicd_r(v, 0, D_PIDR2) >> 4 & 0xf, 2);
		vgic_destroy(v);
	}
	th_host_free(h);
}

static void test_ipriorityr(void **state)
{
	struct th_host *h = th_host_new(0);
	struct vgic *v = th_vm_v2(h, 2, 64, NULL);

	(void)state;
	gicd_w(v, 0, D_IPRIORITYR + 32, 0xffffffff);
	assert_int_equal(gicd_r(v, 0, D_IPRIORITYR + 32), 0xf8f8f8f8);
	gicd_wn(v, 0, D_IPRIORITYR + 33, 1, 0x17);
	assert_int_equal(gicd_rn(v, 0, D_IPRIORITYR + 33, 1), 0x10);
	assert_int_equal(gicd_r(v, 0, D_IPRIORITYR + 32), 0xf8f810f8);
	assert_int_equal(gicd_rn(v, 0, D_IPRIORITYR + 34, 1), 0xf8);
	/* Halfword and doubleword accesses are RAZ/WI. */
	gicd_wn(v, 0, D_IPRIORITYR + 36, 2, 0x4040);
	assert_int_equal(gicd_rn(v, 0, D_IPRIORITYR + 32, 2), 0);
	assert_int_equal(gicd_r(v, 0, D_IPRIORITYR + 36), 0);
	/* Banked for SGIs/PPIs. */
	gicd_wn(v, 1, D_IPRIORITYR + 3, 1, 0xa0);
	assert_int_equal(gicd_rn(v, 1, D_IPRIORITYR + 3, 1), 0xa0);
	assert_int_equal(gicd_rn(v, 0, D_IPRIORITYR + 3, 1), 0);
	/* INTIDs >= 64 do not exist: RAZ/WI. */
	gicd_w(v, 0, D_IPRIORITYR + 64, 0x80808080);
	assert_int_equal(gicd_r(v, 0, D_IPRIORITYR + 64), 0);
	gicd_wn(v, 0, D_IPRIORITYR + 1019, 1, 0x80);
	assert_int_equal(gicd_rn(v, 0, D_IPRIORITYR + 1019, 1), 0);
	vgic_destroy(v);
	th_host_free(h);
}

static void test_itargetsr(void **state)
{
	struct th_host *h = th_host_new(0);
	struct vgic *v = th_vm_v2(h, 3, 64, NULL);

	(void)state;
	/* INTIDs 0-31: read-only, each CPU reads its own bit. */
	for (uint32_t c = 0; c < 3; c++) {
		uint32_t mine = 0x01010101u << c;

		for (uint32_t o = 0; o < 32; o += 4)
			assert_int_equal(gicd_r(v, c, D_ITARGETSR + o), mine);
		gicd_w(v, c, D_ITARGETSR + 28, 0xffffffff);
		assert_int_equal(gicd_rn(v, c, D_ITARGETSR + 29, 1), 1u << c);
	}
	/* SPIs: masked to CPUs 0-2; byte access. */
	assert_int_equal(gicd_r(v, 0, D_ITARGETSR + 32), 0);
	gicd_w(v, 0, D_ITARGETSR + 32, 0xffffffff);
	assert_int_equal(gicd_r(v, 0, D_ITARGETSR + 32), 0x07070707);
	gicd_wn(v, 1, D_ITARGETSR + 34, 1, 0xfa);
	assert_int_equal(gicd_rn(v, 2, D_ITARGETSR + 34, 1), 0x02);
	assert_int_equal(gicd_r(v, 0, D_ITARGETSR + 32), 0x07020707);
	/* Beyond the last interrupt: RAZ/WI at both widths. */
	gicd_w(v, 0, D_ITARGETSR + 64, 0x01010101);
	assert_int_equal(gicd_r(v, 0, D_ITARGETSR + 64), 0);
	gicd_wn(v, 0, D_ITARGETSR + 0x3fb, 1, 0x01);
	assert_int_equal(gicd_rn(v, 0, D_ITARGETSR + 0x3fb, 1), 0);
	/* Halfword: RAZ/WI. */
	assert_int_equal(gicd_rn(v, 0, D_ITARGETSR + 32, 2), 0);

	/* Routing follows ITARGETSR, including a move while pending. */
	v2_guest_enable(v, 3);
	gicd_w(v, 0, D_ISENABLER + 4, 1u << 10); /* SPI 42 */
	gicd_wn(v, 0, D_ITARGETSR + 42, 1, 0x04);
	gicd_w(v, 0, D_ISPENDR + 4, 1u << 10);
	assert_false(vgic_vcpu_irq_pending(v, 0));
	assert_true(vgic_vcpu_irq_pending(v, 2));
	gicd_wn(v, 0, D_ITARGETSR + 42, 1, 0x02);
	assert_false(vgic_vcpu_irq_pending(v, 2));
	assert_true(vgic_vcpu_irq_pending(v, 1));
	assert_int_equal(gicc_r(v, 2, C_IAR), SPURIOUS);
	assert_int_equal(gicc_r(v, 1, C_IAR), 42);
	gicc_w(v, 1, C_EOIR, 42);
	/* No target: not delivered anywhere. */
	gicd_wn(v, 0, D_ITARGETSR + 42, 1, 0);
	gicd_w(v, 0, D_ISPENDR + 4, 1u << 10);
	for (uint32_t c = 0; c < 3; c++)
		assert_int_equal(gicc_r(v, c, C_IAR), SPURIOUS);
	/* Several targets: taken exactly once. */
	gicd_wn(v, 0, D_ITARGETSR + 42, 1, 0x05);
	{
		unsigned taken = 0;

		for (uint32_t c = 0; c < 3; c++) {
			uint32_t iar = gicc_r(v, c, C_IAR);

			if (iar == 42) {
				taken++;
				gicc_w(v, c, C_EOIR, iar);
			} else {
				assert_int_equal(iar, SPURIOUS);
			}
		}
		assert_int_equal(taken, 1);
	}
	vgic_destroy(v);
	th_host_free(h);
}

/* Group 0 is FIQ with FIQEn, IRQ without; AckCtl, AIAR, AHPPIR. */
static void test_groups_fiq_ackctl(void **state)
{
	struct th_host *h = th_host_new(0);
	struct vgic *v = th_vm_v2(h, 1, 64, NULL);

	(void)state;
	v2_guest_enable(v, 1);
	gicd_w(v, 0, D_ISENABLER + 4, 3); /* SPIs 32, 33 */
	gicd_w(v, 0, D_ITARGETSR + 32, 0x0101);
	gicd_w(v, 0, D_IPRIORITYR + 32, 0x8040); /* 32: 0x40, 33: 0x80 */
	gicd_w(v, 0, D_IGROUPR + 4, 2);          /* 33 is group 1 */
	assert_int_equal(gicd_r(v, 0, D_IGROUPR + 4), 2);

	gicd_w(v, 0, D_ISPENDR + 4, 1);
	assert_true(vgic_vcpu_irq_pending(v, 0));
	assert_false(vgic_vcpu_fiq_pending(v, 0));
	gicc_w(v, 0, C_CTLR, CTLR_GRP0 | CTLR_GRP1 | CTLR_FIQEN);
	assert_false(vgic_vcpu_irq_pending(v, 0));
	assert_true(vgic_vcpu_fiq_pending(v, 0));
	/* AIAR / AHPPIR do not take group 0. */
	assert_int_equal(gicc_r(v, 0, C_AHPPIR), SPURIOUS);
	assert_int_equal(gicc_r(v, 0, C_AIAR), SPURIOUS);
	assert_int_equal(gicc_r(v, 0, C_HPPIR), 32);
	assert_int_equal(gicc_r(v, 0, C_IAR), 32);
	assert_false(vgic_vcpu_fiq_pending(v, 0));
	gicc_w(v, 0, C_EOIR, 32);

	/* Group 1 is IRQ; IAR gives 1022 without AckCtl; AIAR takes it. */
	gicd_w(v, 0, D_ISPENDR + 4, 2);
	assert_true(vgic_vcpu_irq_pending(v, 0));
	assert_false(vgic_vcpu_fiq_pending(v, 0));
	assert_int_equal(gicc_r(v, 0, C_HPPIR), 1022);
	assert_int_equal(gicc_r(v, 0, C_IAR), 1022);
	assert_int_equal(gicc_r(v, 0, C_AHPPIR), 33);
	assert_int_equal(gicc_r(v, 0, C_AIAR), 33);
	assert_int_equal(gicc_r(v, 0, C_RPR), 0x80);
	gicc_w(v, 0, C_AEOIR, 33);
	assert_int_equal(gicc_r(v, 0, C_RPR), 0xff);
	/* With AckCtl, IAR takes group 1 too. */
	gicc_w(v, 0, C_CTLR, CTLR_GRP0 | CTLR_GRP1 | CTLR_ACKCTL);
	gicd_w(v, 0, D_ISPENDR + 4, 2);
	assert_int_equal(gicc_r(v, 0, C_IAR), 33);
	gicc_w(v, 0, C_EOIR, 33);
	/* A disabled group is not signalled. */
	gicc_w(v, 0, C_CTLR, CTLR_GRP0 | CTLR_ACKCTL);
	gicd_w(v, 0, D_ISPENDR + 4, 2);
	assert_false(vgic_vcpu_irq_pending(v, 0));
	assert_int_equal(gicc_r(v, 0, C_IAR), SPURIOUS);
	vgic_destroy(v);
	th_host_free(h);
}

/* PMR, BPR/ABPR, preemption, RPR, APR, EOImode with DIR. */
static void test_cpuif_priority(void **state)
{
	struct th_host *h = th_host_new(0);
	struct vgic *v = th_vm_v2(h, 1, 64, NULL);

	(void)state;
	v2_guest_enable(v, 1);
	gicc_w(v, 0, C_PMR, 0xff);
	assert_int_equal(gicc_r(v, 0, C_PMR), 0xf8);
	gicc_w(v, 0, C_BPR, 0);
	assert_int_equal(gicc_r(v, 0, C_BPR), 2);
	gicc_w(v, 0, C_ABPR, 1);
	assert_int_equal(gicc_r(v, 0, C_ABPR), 3);
	gicc_w(v, 0, C_CTLR, 0xffffffff);
	assert_int_equal(gicc_r(v, 0, C_CTLR), 0x21f);
	gicc_w(v, 0, C_CTLR, CTLR_GRP0 | CTLR_GRP1 | CTLR_ACKCTL);
	/* NSAPRs are RAZ/WI, APR1-3 too. */
	gicc_w(v, 0, C_NSAPR0, 0xffffffff);
	assert_int_equal(gicc_r(v, 0, C_NSAPR0), 0);
	gicc_w(v, 0, C_APR0 + 4, 0xffffffff);
	assert_int_equal(gicc_r(v, 0, C_APR0 + 4), 0);

	gicd_w(v, 0, D_ISENABLER + 4, 7);
	gicd_w(v, 0, D_ITARGETSR + 32, 0x010101);
	gicd_w(v, 0, D_IPRIORITYR + 32, 0x204080); /* 32:0x80 33:0x40 34:0x20 */
	/* PMR masks priorities >= PMR. */
	gicc_w(v, 0, C_PMR, 0x80);
	gicd_w(v, 0, D_ISPENDR + 4, 1);
	assert_false(vgic_vcpu_irq_pending(v, 0));
	assert_int_equal(gicc_r(v, 0, C_IAR), SPURIOUS);
	assert_int_equal(gicc_r(v, 0, C_HPPIR), 32);
	gicc_w(v, 0, C_PMR, 0xf8);
	assert_true(vgic_vcpu_irq_pending(v, 0));
	assert_int_equal(gicc_r(v, 0, C_IAR), 32);
	/* Nested preemption: 33 then 34. */
	gicd_w(v, 0, D_ISPENDR + 4, 2);
	assert_int_equal(gicc_r(v, 0, C_IAR), 33);
	gicd_w(v, 0, D_ISPENDR + 4, 4);
	assert_int_equal(gicc_r(v, 0, C_IAR), 34);
	assert_int_equal(gicc_r(v, 0, C_RPR), 0x20);
	assert_int_equal(gicc_r(v, 0, C_APR0),
			 1u << 4 | 1u << 8 | 1u << 16);
	gicc_w(v, 0, C_EOIR, 34);
	gicc_w(v, 0, C_EOIR, 33);
	assert_int_equal(gicc_r(v, 0, C_RPR), 0x80);
	gicc_w(v, 0, C_EOIR, 32);
	assert_int_equal(gicc_r(v, 0, C_RPR), 0xff);
	assert_int_equal(gicd_r(v, 0, D_ISACTIVER + 4), 0);

	/* Binary point: with BPR 4, 0x40 does not preempt 0x50. */
	gicd_w(v, 0, D_IPRIORITYR + 32, 0x204050);
	gicc_w(v, 0, C_BPR, 5);
	gicd_w(v, 0, D_ISPENDR + 4, 1);
	assert_int_equal(gicc_r(v, 0, C_IAR), 32);
	gicd_w(v, 0, D_ISPENDR + 4, 2);
	assert_int_equal(gicc_r(v, 0, C_IAR), SPURIOUS);
	gicc_w(v, 0, C_EOIR, 32);
	assert_int_equal(gicc_r(v, 0, C_IAR), 33);
	gicc_w(v, 0, C_EOIR, 33);

	/* EOImode 1: EOIR only drops priority, DIR deactivates. */
	gicc_w(v, 0, C_CTLR, CTLR_GRP0 | CTLR_GRP1 | CTLR_ACKCTL |
				     CTLR_EOIMODE);
	gicd_w(v, 0, D_ISPENDR + 4, 4);
	assert_int_equal(gicc_r(v, 0, C_IAR), 34);
	gicc_w(v, 0, C_EOIR, 34);
	assert_int_equal(gicc_r(v, 0, C_RPR), 0xff);
	assert_int_equal(gicd_r(v, 0, D_ISACTIVER + 4), 4);
	gicc_w(v, 0, C_DIR, 34);
	assert_int_equal(gicd_r(v, 0, D_ISACTIVER + 4), 0);
	/* DIR with EOImode 0 is ignored. */
	gicc_w(v, 0, C_CTLR, CTLR_GRP0 | CTLR_GRP1 | CTLR_ACKCTL);
	gicd_w(v, 0, D_ISPENDR + 4, 4);
	assert_int_equal(gicc_r(v, 0, C_IAR), 34);
	gicc_w(v, 0, C_DIR, 34);
	assert_int_equal(gicd_r(v, 0, D_ISACTIVER + 4), 4);
	gicc_w(v, 0, C_EOIR, 34);
	assert_int_equal(gicd_r(v, 0, D_ISACTIVER + 4), 0);
	/* Spurious and nonexistent INTIDs written to EOIR are ignored. */
	gicc_w(v, 0, C_EOIR, 1023);
	gicc_w(v, 0, C_EOIR, 900);
	vgic_destroy(v);
	th_host_free(h);
}

/* Illegal accesses never fail and never crash. */
static void test_hostile_offsets(void **state)
{
	struct th_host *h = th_host_new(0);
	struct vgic *v = th_vm_v2(h, 2, 64, NULL);
	uint64_t seed = 7;

	(void)state;
	v2_guest_enable(v, 2);
	for (int i = 0; i < 20000; i++) {
		uint64_t r = th_rand(&seed);
		static const uint32_t lens[] = { 1, 2, 4, 8 };
		uint32_t len = lens[r & 3];
		uint64_t base = (r >> 2) & 1 ? TH_V2_DIST_BASE : TH_V2_CPU_BASE;
		uint64_t off = (r >> 8) % ((r >> 2) & 1 ? 0x1000 : 0x2000);
		uint64_t val = th_rand(&seed);

		if (r & 0x10)
			assert_int_equal(vgic_mmio_write(v, (r >> 5) & 1,
							 base + off, &val, len),
					 0);
		else
			assert_int_equal(vgic_mmio_read(v, (r >> 5) & 1,
							base + off, &val, len),
					 0);
	}
	vgic_destroy(v);
	th_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipis),
		cmocka_unit_test(test_sgi_sources),
		cmocka_unit_test(test_icactiver_instead_of_eoi),
		cmocka_unit_test(test_typer_iidr_read_only),
		cmocka_unit_test(test_ipriorityr),
		cmocka_unit_test(test_itargetsr),
		cmocka_unit_test(test_groups_fiq_ackctl),
		cmocka_unit_test(test_cpuif_priority),
		cmocka_unit_test(test_hostile_offsets),
	};
	return cmocka_run_group_tests_name("v2_dist", tests, NULL, NULL);
}

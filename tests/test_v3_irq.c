/*
 * GICv3 interrupt delivery through the public API: SGIs (self, target
 * lists, range selector, broadcast, cross-cluster), PPIs, SPI routing and
 * rerouting, priorities and preemption over 32 levels, EOImode 0 and 1,
 * PMR and BPR masking, groups, level vs edge, with 1, 2, 4, 8 and 16 vCPUs
 * and non-default MPIDRs.
 */
#include "v3_guest.h"

struct fixture {
	struct th_host *h;
	struct vgic *v;
	struct vgic_device *gic;
	uint32_t n;
};

static struct fixture *fx_new(uint32_t n, const uint64_t *mpidr)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->h = th_host_new(1 << 16);
	f->n = n;
	f->v = th_vm_v3(f->h, n, mpidr, 0, 0, &f->gic, NULL);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(vgic_vcpu_set_running(f->v, i, true), 0);
	guest_enable(f->v, n);
	return f;
}

static void fx_free(struct fixture *f)
{
	vgic_destroy(f->v);
	th_host_free(f->h);
	free(f);
}

static void test_spi_basic(void **state)
{
	struct fixture *f = fx_new(1, NULL);
	struct vgic *v = f->v;

	(void)state;
	assert_false(vgic_vcpu_irq_pending(v, 0));
	enable_irq(v, 0, 40);
	set_prio(v, 0, 40, 0x80);
	assert_int_equal(vgic_irq_line(v, 0, 40, true), 0);
	assert_true(vgic_vcpu_irq_pending(v, 0));
	assert_false(vgic_vcpu_fiq_pending(v, 0));
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_HPPIR1_EL1), 40);
	assert_int_equal(iar1(v, 0), 40);
	assert_false(vgic_vcpu_irq_pending(v, 0));
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_RPR_EL1), 0x80);
	/* Level still high: active and pending. */
	assert_int_equal(th_read32(v, 0, GICD(D_ISPENDR + 4)), 1u << 8);
	assert_int_equal(th_read32(v, 0, GICD(D_ISACTIVER + 4)), 1u << 8);
	assert_int_equal(vgic_irq_line(v, 0, 40, false), 0);
	eoi1(v, 0, 40);
	assert_int_equal(th_read32(v, 0, GICD(D_ISACTIVER + 4)), 0);
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_RPR_EL1), 0xff);
	assert_int_equal(iar1(v, 0), 1023);
	fx_free(f);
}


/* Non-default MPIDRs: two clusters (Aff1 0 and 1), Aff0 spread out, one
 * vCPU with Aff2 and one with Aff0 > 15 (needs the range selector). */
static const uint64_t mp16[16] = {
	0x000, 0x001, 0x002, 0x003, 0x100, 0x101, 0x102, 0x103,
	0x00a, 0x10f, 0x020, 0x121, 0x10000, 0x10001, 0x20105, 0x300000010ull,
};

static void test_sgi_self_and_lists(void **state)
{
	static const uint32_t sizes[] = { 1, 2, 4, 8, 16 };

	(void)state;
	for (unsigned s = 0; s < ARRAY_SIZE(sizes); s++) {
		uint32_t n = sizes[s];
		struct fixture *f = fx_new(n, n == 16 ? mp16 : NULL);
		struct vgic *v = f->v;
		const uint64_t *mp = n == 16 ? mp16 : NULL;

		for (uint32_t src = 0; src < n; src++) {
			for (uint32_t dst = 0; dst < n; dst++) {
				uint64_t m = mp ? mp[dst] : dst;
				uint32_t sgi = (src + dst) % 16;

				send_sgi1(v, src,
					  SGI1R(sgi, mpidr_aff(m, 3),
						mpidr_aff(m, 2), mpidr_aff(m, 1),
						mpidr_aff(m, 0) / 16,
						1u << (mpidr_aff(m, 0) % 16)));
				for (uint32_t k = 0; k < n; k++)
					assert_int_equal(
						vgic_vcpu_irq_pending(v, k),
						k == dst);
				assert_int_equal(iar1(v, dst), sgi);
				eoi1(v, dst, sgi);
				assert_int_equal(iar1(v, dst), 1023);
			}
		}
		/* A target list naming several vCPUs of one cluster. */
		if (n >= 4) {
			uint64_t m0 = mp ? mp[0] : 0;
			uint32_t tl = 0;
			uint32_t expect = 0;

			for (uint32_t k = 0; k < n; k++) {
				uint64_t m = mp ? mp[k] : k;
				if ((m & ~0xfull) == (m0 & ~0xfull)) {
					tl |= 1u << (m & 0xf);
					expect |= 1u << k;
				}
			}
			send_sgi1(v, 0, SGI1R(5, 0, 0, 0, 0, tl));
			for (uint32_t k = 0; k < n; k++) {
				bool want = (expect >> k) & 1;
				assert_int_equal(vgic_vcpu_irq_pending(v, k), want);
				if (want) {
					assert_int_equal(iar1(v, k), 5);
					eoi1(v, k, 5);
				}
			}
		}
		fx_free(f);
	}
}

static void test_sgi_broadcast_and_groups(void **state)
{
	struct fixture *f = fx_new(8, mp16);
	struct vgic *v = f->v;

	(void)state;
	/* IRM: everyone but the sender. */
	send_sgi1(v, 3, SGI1R(7, 0, 0, 0, 0, 0) | SGI1R_IRM);
	for (uint32_t k = 0; k < 8; k++) {
		assert_int_equal(vgic_vcpu_irq_pending(v, k), k != 3);
		if (k != 3) {
			assert_int_equal(iar1(v, k), 7);
			eoi1(v, k, 7);
		}
	}
	/* Cross-cluster: vCPU 0 (Aff1 0) to vCPU 5 (Aff1 1, Aff0 1). */
	send_sgi1(v, 0, SGI1R(2, 0, 0, 1, 0, 1u << 1));
	assert_true(vgic_vcpu_irq_pending(v, 5));
	assert_false(vgic_vcpu_irq_pending(v, 1));
	assert_int_equal(iar1(v, 5), 2);
	eoi1(v, 5, 2);
	/* A target list naming no existing vCPU does nothing. */
	send_sgi1(v, 0, SGI1R(2, 0, 7, 3, 0, 0xffff));
	for (uint32_t k = 0; k < 8; k++)
		assert_false(vgic_vcpu_irq_pending(v, k));
	/* Group 0 SGI: SGI0R generates it, raising FIQ; SGI1R may too. */
	set_group(v, 1, 4, 0);
	th_sysreg_write(v, 0, VGIC_ICC_SGI0R_EL1, SGI1R(4, 0, 0, 0, 0, 2));
	assert_true(vgic_vcpu_fiq_pending(v, 1));
	assert_false(vgic_vcpu_irq_pending(v, 1));
	assert_int_equal(iar1(v, 1), 1023); /* HPPI is group 0 */
	assert_int_equal(iar0(v, 1), 4);
	eoi0(v, 1, 4);
	assert_false(vgic_vcpu_fiq_pending(v, 1));
	/* SGI0R / ASGI1R cannot generate a group 1 SGI. */
	th_sysreg_write(v, 0, VGIC_ICC_SGI0R_EL1, SGI1R(6, 0, 0, 0, 0, 2));
	th_sysreg_write(v, 0, VGIC_ICC_ASGI1R_EL1, SGI1R(6, 0, 0, 0, 0, 2));
	assert_false(vgic_vcpu_irq_pending(v, 1));
	send_sgi1(v, 0, SGI1R(4, 0, 0, 0, 0, 2));
	assert_true(vgic_vcpu_fiq_pending(v, 1));
	assert_int_equal(iar0(v, 1), 4);
	eoi0(v, 1, 4);
	fx_free(f);
}

static void test_sgi_range_selector(void **state)
{
	struct fixture *f = fx_new(16, mp16);
	struct vgic *v = f->v;

	(void)state;
	/* vCPU 15: Aff3 3, Aff0 0x10 -> RS 1, bit 0. */
	send_sgi1(v, 0, SGI1R(9, 3, 0, 0, 1, 1));
	assert_true(vgic_vcpu_irq_pending(v, 15));
	assert_int_equal(iar1(v, 15), 9);
	eoi1(v, 15, 9);
	/* RS 0 with the same list reaches Aff0 0 of Aff3 3: nobody. */
	send_sgi1(v, 0, SGI1R(9, 3, 0, 0, 0, 1));
	for (uint32_t k = 0; k < 16; k++)
		assert_false(vgic_vcpu_irq_pending(v, k));
	fx_free(f);
}

static void test_ppi_and_edge_level(void **state)
{
	struct fixture *f = fx_new(2, NULL);
	struct vgic *v = f->v;

	(void)state;
	/* PPI 27 (level) on vCPU 1 only. */
	enable_irq(v, 1, 27);
	assert_int_equal(vgic_irq_line(v, 1, 27, true), 0);
	assert_true(vgic_vcpu_irq_pending(v, 1));
	assert_false(vgic_vcpu_irq_pending(v, 0));
	assert_int_equal(iar1(v, 1), 27);
	/* Still asserted: active and pending, not signalled again. */
	assert_false(vgic_vcpu_irq_pending(v, 1));
	eoi1(v, 1, 27);
	assert_true(vgic_vcpu_irq_pending(v, 1));
	assert_int_equal(vgic_irq_line(v, 1, 27, false), 0);
	assert_false(vgic_vcpu_irq_pending(v, 1));
	/* PPI configuration is read-only (level). */
	th_write32(v, 1, GICR(1, R_ICFGR0 + 4), 0xffffffff);
	assert_int_equal(th_read32(v, 1, GICR(1, R_ICFGR0 + 4)), 0);
	assert_int_equal(th_read32(v, 1, GICR(1, R_ICFGR0)), 0xaaaaaaaa);

	/* Edge SPI: each assertion latches once; deassert does nothing. */
	enable_irq(v, 0, 50);
	set_edge(v, 0, 50, true);
	assert_int_equal(vgic_irq_line(v, 0, 50, true), 0);
	assert_int_equal(vgic_irq_line(v, 0, 50, false), 0);
	assert_true(vgic_vcpu_irq_pending(v, 0));
	assert_int_equal(iar1(v, 0), 50);
	assert_false(vgic_vcpu_irq_pending(v, 0));
	/* A new edge while active: active and pending, delivered after
	 * the deactivation. */
	assert_int_equal(vgic_irq_line(v, 0, 50, true), 0);
	assert_false(vgic_vcpu_irq_pending(v, 0));
	eoi1(v, 0, 50);
	assert_true(vgic_vcpu_irq_pending(v, 0));
	assert_int_equal(iar1(v, 0), 50);
	eoi1(v, 0, 50);
	assert_int_equal(iar1(v, 0), 1023);

	/* Level SPI: ICPENDR cannot clear a high line; ISPENDR latches. */
	enable_irq(v, 0, 51);
	assert_int_equal(vgic_irq_line(v, 0, 51, true), 0);
	th_write32(v, 0, GICD(D_ICPENDR + 4), 1u << 19);
	assert_int_equal(th_read32(v, 0, GICD(D_ISPENDR + 4)), 1u << 19);
	assert_int_equal(vgic_irq_line(v, 0, 51, false), 0);
	assert_int_equal(th_read32(v, 0, GICD(D_ISPENDR + 4)), 0);
	th_write32(v, 0, GICD(D_ISPENDR + 4), 1u << 19);
	assert_int_equal(iar1(v, 0), 51);
	eoi1(v, 0, 51);
	assert_int_equal(iar1(v, 0), 1023);

	/* Bad inputs. */
	assert_int_equal(vgic_irq_line(v, 0, 5, true), -EINVAL);
	assert_int_equal(vgic_irq_line(v, 2, 20, true), -EINVAL);
	assert_int_equal(vgic_irq_line(v, 0, 256, true), -EINVAL);
	fx_free(f);
}

static void test_spi_routing(void **state)
{
	struct fixture *f = fx_new(8, mp16);
	struct vgic *v = f->v;
	uint64_t kicks;

	(void)state;
	/* Default: routed to vCPU 0. */
	enable_irq(v, 0, 33);
	assert_int_equal(vgic_irq_line(v, 0, 33, true), 0);
	assert_true(vgic_vcpu_irq_pending(v, 0));
	/* Reroute while pending: moves to vCPU 6 (0x102). */
	route(v, 33, mp16[6]);
	assert_int_equal(th_read64(v, 0, GICD(D_IROUTER + 33 * 8)), 0x102);
	assert_false(vgic_vcpu_irq_pending(v, 0));
	assert_true(vgic_vcpu_irq_pending(v, 6));
	assert_int_equal(iar1(v, 0), 1023);
	/* IRM (1-of-N) and Aff3 are discarded as in KVM. */
	th_write64(v, 0, GICD(D_IROUTER + 33 * 8),
		   0xff00000000ull | 1u << 31 | mp16[5]);
	assert_int_equal(th_read64(v, 0, GICD(D_IROUTER + 33 * 8)), 0x101);
	assert_true(vgic_vcpu_irq_pending(v, 5));
	assert_false(vgic_vcpu_irq_pending(v, 6));
	/* Route to an MPIDR nobody has: delivered nowhere. */
	route(v, 33, 0x777);
	for (uint32_t k = 0; k < 8; k++)
		assert_false(vgic_vcpu_irq_pending(v, k));
	route(v, 33, mp16[2]);
	kicks = f->h->kicks[2];
	assert_int_equal(iar1(v, 2), 33);
	assert_true(f->h->kicks[2] > kicks); /* output dropped: kicked */
	/* Rerouting an active SPI: the EOI from the old CPU deactivates. */
	route(v, 33, mp16[3]);
	assert_int_equal(vgic_irq_line(v, 0, 33, false), 0);
	eoi1(v, 2, 33);
	assert_int_equal(th_read32(v, 0, GICD(D_ISACTIVER + 4)), 0);
	/* Every SPI, every vCPU: routing by 32-bit halves too. */
	for (uint32_t i = 32; i < 256; i++) {
		uint32_t k = i % 8;

		enable_irq(v, 0, i);
		set_edge(v, 0, i, true);
		th_write32(v, 0, GICD(D_IROUTER + i * 8), (uint32_t)mp16[k]);
		assert_int_equal(vgic_irq_line(v, 0, i, true), 0);
		assert_true(vgic_vcpu_irq_pending(v, k));
		assert_int_equal(iar1(v, k), i);
		eoi1(v, k, i);
	}
	fx_free(f);
}

/* 32 priority levels (5 bits): the lowest, 0xf8, is never signalled as
 * PMR cannot be above it; the 31 others form a chain where each new
 * interrupt preempts the last, then unwinds in order.  Group 0 and 1. */
static void preempt_chain(struct vgic *v, unsigned group)
{
	const uint32_t first = 64, n = 31;

	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_PMR_EL1), 0xf8);
	for (uint32_t i = 0; i <= n; i++) {
		uint32_t intid = first + i;

		set_group(v, 0, intid, (int)group);
		enable_irq(v, 0, intid);
		set_edge(v, 0, intid, true);
		set_prio(v, 0, intid, (uint8_t)((n - i) << 3));
	}
	/* INTID 64 has priority 0xf8: masked by PMR 0xf8. */
	assert_int_equal(vgic_irq_line(v, 0, first, true), 0);
	assert_false(vgic_vcpu_irq_pending(v, 0));
	assert_false(vgic_vcpu_fiq_pending(v, 0));
	th_write32(v, 0, GICD(D_ICPENDR + 8), 1);
	for (uint32_t i = 1; i <= n; i++) {
		uint32_t intid = first + i;
		uint64_t rpr = th_sysreg_read(v, 0, VGIC_ICC_RPR_EL1);

		assert_int_equal(rpr, i > 1 ? (n + 1 - i) << 3 : 0xff);
		assert_int_equal(vgic_irq_line(v, 0, intid, true), 0);
		assert_int_equal(group ? vgic_vcpu_irq_pending(v, 0) :
					 vgic_vcpu_fiq_pending(v, 0),
				 true);
		assert_int_equal(group ? iar1(v, 0) : iar0(v, 0), intid);
		/* The same priority cannot preempt itself. */
		if (i < n) {
			set_prio(v, 0, 200, (uint8_t)((n - i) << 3));
			set_group(v, 0, 200, (int)group);
			enable_irq(v, 0, 200);
			set_edge(v, 0, 200, true);
			assert_int_equal(vgic_irq_line(v, 0, 200, true), 0);
			assert_false(vgic_vcpu_irq_pending(v, 0));
			assert_false(vgic_vcpu_fiq_pending(v, 0));
			th_write32(v, 0, GICD(D_ICPENDR + 200 / 32 * 4),
				   1u << (200 % 32));
		}
	}
	assert_int_equal(th_sysreg_read(v, 0, group ? VGIC_ICC_AP1R0_EL1 :
							    VGIC_ICC_AP0R0_EL1),
			 0x7fffffff);
	assert_int_equal(th_sysreg_read(v, 0, group ? VGIC_ICC_AP0R0_EL1 :
							    VGIC_ICC_AP1R0_EL1),
			 0);
	for (uint32_t i = n; i >= 1; i--) {
		if (group)
			eoi1(v, 0, first + i);
		else
			eoi0(v, 0, first + i);
		assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_RPR_EL1),
				 i > 1 ? (n + 1 - i) << 3 : 0xff);
	}
	assert_int_equal(th_read32(v, 0, GICD(D_ISACTIVER + 8)), 0);
	assert_int_equal(th_read32(v, 0, GICD(D_ISACTIVER + 12)), 0);
}

static void test_priority_chain(void **state)
{
	struct fixture *f;

	(void)state;
	f = fx_new(1, NULL);
	preempt_chain(f->v, 0);
	fx_free(f);
	f = fx_new(1, NULL);
	/* Group 1 with the minimum BPR1 (3) has 32 levels too. */
	assert_int_equal(th_sysreg_read(f->v, 0, VGIC_ICC_BPR1_EL1), 3);
	preempt_chain(f->v, 1);
	fx_free(f);
}

static void test_bpr_pmr_masking(void **state)
{
	struct fixture *f = fx_new(1, NULL);
	struct vgic *v = f->v;

	(void)state;
	for (uint32_t i = 40; i < 44; i++) {
		enable_irq(v, 0, i);
		set_edge(v, 0, i, true);
	}
	set_prio(v, 0, 40, 0x40);
	set_prio(v, 0, 41, 0x48);
	set_prio(v, 0, 42, 0x20);
	/* BPR1 = 4: group priority bits [7:4]; 0x48 cannot preempt 0x40. */
	th_sysreg_write(v, 0, VGIC_ICC_BPR1_EL1, 4);
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_BPR1_EL1), 4);
	vgic_irq_line(v, 0, 41, true);
	assert_int_equal(iar1(v, 0), 41);
	vgic_irq_line(v, 0, 40, true);
	assert_false(vgic_vcpu_irq_pending(v, 0));
	assert_int_equal(iar1(v, 0), 1023);
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_HPPIR1_EL1), 40);
	/* 0x20 is a higher group priority: preempts. */
	vgic_irq_line(v, 0, 42, true);
	assert_true(vgic_vcpu_irq_pending(v, 0));
	assert_int_equal(iar1(v, 0), 42);
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_RPR_EL1), 0x20);
	eoi1(v, 0, 42);
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_RPR_EL1), 0x40);
	eoi1(v, 0, 41);
	assert_int_equal(iar1(v, 0), 40);
	eoi1(v, 0, 40);
	/* BPR writes below the minimum read as the minimum. */
	th_sysreg_write(v, 0, VGIC_ICC_BPR1_EL1, 0);
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_BPR1_EL1), 3);
	th_sysreg_write(v, 0, VGIC_ICC_BPR0_EL1, 0);
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_BPR0_EL1), 2);
	/* CBPR: BPR1 reads BPR0 + 1 and ignores writes. */
	th_sysreg_write(v, 0, VGIC_ICC_BPR0_EL1, 5);
	th_sysreg_write(v, 0, VGIC_ICC_CTLR_EL1, 1);
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_BPR1_EL1), 6);
	th_sysreg_write(v, 0, VGIC_ICC_BPR1_EL1, 3);
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_BPR1_EL1), 6);
	/* With BPR0 = 5 (group priority [7:6]) 0x20 cannot preempt 0x00. */
	set_prio(v, 0, 43, 0x00);
	vgic_irq_line(v, 0, 43, true);
	assert_int_equal(iar1(v, 0), 43);
	vgic_irq_line(v, 0, 42, true);
	assert_false(vgic_vcpu_irq_pending(v, 0));
	eoi1(v, 0, 43);
	assert_true(vgic_vcpu_irq_pending(v, 0));
	th_sysreg_write(v, 0, VGIC_ICC_CTLR_EL1, 0);
	th_sysreg_write(v, 0, VGIC_ICC_BPR1_EL1, 3);

	/* PMR: only priorities strictly higher are signalled. */
	th_sysreg_write(v, 0, VGIC_ICC_PMR_EL1, 0x20);
	assert_false(vgic_vcpu_irq_pending(v, 0));
	assert_int_equal(iar1(v, 0), 1023);
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_HPPIR1_EL1), 42);
	th_sysreg_write(v, 0, VGIC_ICC_PMR_EL1, 0x27); /* reads 0x20 */
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_PMR_EL1), 0x20);
	th_sysreg_write(v, 0, VGIC_ICC_PMR_EL1, 0x28);
	assert_true(vgic_vcpu_irq_pending(v, 0));
	assert_int_equal(iar1(v, 0), 42);
	eoi1(v, 0, 42);
	/* Group enables. */
	vgic_irq_line(v, 0, 42, true);
	th_sysreg_write(v, 0, VGIC_ICC_IGRPEN1_EL1, 0);
	assert_false(vgic_vcpu_irq_pending(v, 0));
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_HPPIR1_EL1), 1023);
	th_sysreg_write(v, 0, VGIC_ICC_IGRPEN1_EL1, 1);
	assert_true(vgic_vcpu_irq_pending(v, 0));
	th_write32(v, 0, GICD(D_CTLR), 0);
	assert_false(vgic_vcpu_irq_pending(v, 0));
	assert_int_equal(th_read32(v, 0, GICD(D_CTLR)), 0x50);
	th_write32(v, 0, GICD(D_CTLR), 0x3);
	assert_int_equal(th_read32(v, 0, GICD(D_CTLR)), 0x52);
	assert_true(vgic_vcpu_irq_pending(v, 0));
	fx_free(f);
}

static void test_eoimode(void **state)
{
	struct fixture *f = fx_new(1, NULL);
	struct vgic *v = f->v;

	(void)state;
	th_sysreg_write(v, 0, VGIC_ICC_CTLR_EL1, 2); /* EOImode 1 */
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_CTLR_EL1) & 3, 2);
	enable_irq(v, 0, 60);
	enable_irq(v, 0, 61);
	set_prio(v, 0, 60, 0x80);
	set_prio(v, 0, 61, 0x80);
	vgic_irq_line(v, 0, 60, true);
	assert_int_equal(iar1(v, 0), 60);
	vgic_irq_line(v, 0, 60, false);
	/* Priority drop only: still active, running priority idle. */
	eoi1(v, 0, 60);
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_RPR_EL1), 0xff);
	assert_int_equal(th_read32(v, 0, GICD(D_ISACTIVER + 4)), 1u << 28);
	/* Same priority can now be taken (split EOI). */
	vgic_irq_line(v, 0, 61, true);
	assert_int_equal(iar1(v, 0), 61);
	vgic_irq_line(v, 0, 61, false);
	eoi1(v, 0, 61);
	th_sysreg_write(v, 0, VGIC_ICC_DIR_EL1, 60);
	assert_int_equal(th_read32(v, 0, GICD(D_ISACTIVER + 4)), 1u << 29);
	th_sysreg_write(v, 0, VGIC_ICC_DIR_EL1, 61);
	assert_int_equal(th_read32(v, 0, GICD(D_ISACTIVER + 4)), 0);
	/* EOImode 0: DIR is ignored, EOIR deactivates. */
	th_sysreg_write(v, 0, VGIC_ICC_CTLR_EL1, 0);
	vgic_irq_line(v, 0, 60, true);
	assert_int_equal(iar1(v, 0), 60);
	vgic_irq_line(v, 0, 60, false);
	th_sysreg_write(v, 0, VGIC_ICC_DIR_EL1, 60);
	assert_int_equal(th_read32(v, 0, GICD(D_ISACTIVER + 4)), 1u << 28);
	/* EOIR0 for a group 1 interrupt is ignored. */
	eoi0(v, 0, 60);
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_RPR_EL1), 0x80);
	eoi1(v, 0, 60);
	assert_int_equal(th_read32(v, 0, GICD(D_ISACTIVER + 4)), 0);
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_RPR_EL1), 0xff);
	/* A spurious EOI changes nothing. */
	eoi1(v, 0, 1023);
	fx_free(f);
}

static void test_registers_widths(void **state)
{
	struct fixture *f = fx_new(2, NULL);
	struct vgic *v = f->v;
	uint8_t b;
	uint16_t h;
	uint64_t q;

	(void)state;
	assert_int_equal(th_read32(v, 0, GICD(D_TYPER)) & 0x1f, 7);
	assert_int_equal((th_read32(v, 0, GICD(D_TYPER)) >> 19) & 0x1f, 9);
	assert_int_equal(th_read32(v, 0, GICD(D_IIDR)), 0x4b00343b);
	assert_int_equal(th_read32(v, 0, GICD(D_PIDR2)), 0x3b);
	assert_int_equal(th_read32(v, 0, GICD(D_STATUSR)), 0xffffffff);
	assert_int_equal(th_read32(v, 1, GICR(1, R_IIDR)), 0x4b00043b);
	assert_int_equal(th_read32(v, 0, GICR(0, R_PIDR2)), 0x3b);
	assert_int_equal(th_read64(v, 0, GICR(1, R_TYPER)),
			 0x100000000ull | 0x100 | 0x10);
	assert_int_equal(th_read32(v, 0, GICR(0, R_CTLR)), 0x6);
	/* Private banks are RAZ/WI in the distributor. */
	th_write32(v, 0, GICD(D_ISENABLER), 0xffffffff);
	assert_int_equal(th_read32(v, 0, GICD(D_ISENABLER)), 0);
	assert_int_equal(th_read32(v, 0, GICR(0, R_ISENABLER0)), 0xffff);
	/* IPRIORITYR: bytes and words, 5 bits. */
	b = 0xff;
	assert_int_equal(vgic_mmio_write(v, 0, GICD(D_IPRIORITYR + 45), &b, 1),
			 0);
	assert_int_equal(th_read32(v, 0, GICD(D_IPRIORITYR + 44)), 0xf800);
	/* 16-bit and 64-bit accesses to 32-bit registers: RAZ/WI. */
	h = 0xffff;
	assert_int_equal(vgic_mmio_write(v, 0, GICD(D_ISENABLER + 4), &h, 2), 0);
	assert_int_equal(th_read32(v, 0, GICD(D_ISENABLER + 4)), 0);
	assert_int_equal(vgic_mmio_read(v, 0, GICD(D_IIDR), &h, 2), 0);
	assert_int_equal(h, 0);
	assert_int_equal(vgic_mmio_read(v, 0, GICD(D_TYPER), &q, 8), 0);
	assert_int_equal(q, 0);
	/* Misaligned word: RAZ/WI. */
	assert_int_equal(vgic_mmio_read(v, 0, GICD(D_IPRIORITYR + 46), &h, 2),
			 0);
	assert_int_equal(h, 0);
	/* INTIDs beyond NR_IRQS: RAZ/WI. */
	th_write32(v, 0, GICD(D_ISENABLER + 8 * 4), 0xffffffff);
	assert_int_equal(th_read32(v, 0, GICD(D_ISENABLER + 8 * 4)), 0);
	/* Reserved offsets and frames. */
	assert_int_equal(th_read32(v, 0, GICD(0x5000)), 0);
	assert_int_equal(th_read32(v, 0, GICR(0, 0x9000)), 0);
	assert_int_equal(vgic_mmio_read(v, 0, GICR(2, 0), &q, 4), -ENOENT);
	assert_int_equal(vgic_mmio_read(v, 0, 0x1000, &q, 4), -ENOENT);
	assert_int_equal(vgic_mmio_read(v, 0, GICD(0), &q, 3), -EINVAL);
	assert_int_equal(vgic_mmio_read(v, 2, GICD(0), &q, 4), -EINVAL);
	/* Unknown system registers are the VMM's. */
	assert_int_equal(vgic_sysreg_read(v, 0, VGIC_SYSREG(3, 0, 1, 0, 0), &q),
			 -ENOENT);
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_SRE_EL1), 7);
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_CTLR_EL1), 0x8400);
	/* Without LPIs (no ITS), PROPBASER still stores (sanitised). */
	th_write64(v, 0, GICR(0, R_PROPBASER), 0x40000000ull | 0xf);
	assert_int_equal(th_read64(v, 1, GICR(1, R_PROPBASER)),
			 0x40000000ull | 0xf | 0x180);
	th_write64(v, 0, GICR(0, R_PENDBASER),
		   1ull << 62 | 0x40010000ull | 2ull << 10);
	assert_int_equal(th_read64(v, 0, GICR(0, R_PENDBASER)),
			 0x40010000ull | 1ull << 10 | 0x180);
	/* EnableLPIs needs an ITS. */
	th_write32(v, 0, GICR(0, R_CTLR), 1);
	assert_int_equal(th_read32(v, 0, GICR(0, R_CTLR)), 0x6);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spi_basic),
		cmocka_unit_test(test_sgi_self_and_lists),
		cmocka_unit_test(test_sgi_broadcast_and_groups),
		cmocka_unit_test(test_sgi_range_selector),
		cmocka_unit_test(test_ppi_and_edge_level),
		cmocka_unit_test(test_spi_routing),
		cmocka_unit_test(test_priority_chain),
		cmocka_unit_test(test_bpr_pmr_masking),
		cmocka_unit_test(test_eoimode),
		cmocka_unit_test(test_registers_widths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

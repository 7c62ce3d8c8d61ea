/*
 * GICv3 save/restore through the device-attribute API, randomized: for
 * every seed, a guest puts random state on the distributor, every
 * redistributor and every CPU interface (groups, priorities, routing,
 * triggers, line levels, pending latches, enables, nested active
 * interrupts acknowledged through ICC_IAR*, EOImode 1 drops, PMR/BPR/CBPR,
 * group enables, GICD_IIDR revision, PROPBASER/PENDBASER).  The state is
 * saved with the attribute reads QEMU's arm_gicv3_kvm.c does, restored into
 * a fresh instance in QEMU's write order, and then:
 *  - every attribute of both instances reads back identically, and so do the
 *    guest-visible pending bits, HPPIR0/1, RPR and the IRQ/FIQ outputs;
 *  - the same guest program (acknowledge, EOI, inject) runs on both and
 *    the next 100 acknowledged interrupts of every vCPU are identical.
 */
#include <stdio.h>

#include "v3_guest.h"

#define MAX_CPUS 8
#define MAX_IRQS 256
#define ACKS 100

/* The registers and attributes, in QEMU's save order. */
struct saved {
	uint32_t nr_irqs;
	uint32_t iidr, ctlr;
	struct saved_cpu {
		uint32_t propbaser[2], pendbaser[2], ctlr, statusr, waker;
		uint32_t igroupr0, isenabler0, icfgr[2], level0, ispendr0;
		uint32_t isactiver0, ipriorityr[8];
		uint64_t sre, icc_ctlr, igrpen0, igrpen1, pmr, bpr0, bpr1;
		uint64_t ap0r, ap1r;
	} cpu[MAX_CPUS];
	uint32_t igroupr[MAX_IRQS / 32], irouter[MAX_IRQS][2];
	uint32_t icfgr[MAX_IRQS / 16], level[MAX_IRQS / 32];
	uint32_t ispendr[MAX_IRQS / 32], isactiver[MAX_IRQS / 32];
	uint32_t ipriorityr[MAX_IRQS / 4], isenabler[MAX_IRQS / 32];
};

struct inst {
	struct vgic *v;
	struct vgic_device *gic;
	uint32_t n, nr_irqs;
	const uint64_t *mpidr;
};

static uint64_t aff_attr(const struct inst *s, uint32_t cpu)
{
	uint64_t m = s->mpidr[cpu];

	/* MPIDR in the GICR_TYPER[63:32] byte layout. */
	return ((m & 0xffffff) | ((m >> 32) & 0xff) << 24) << 32;
}

static void d_get(struct inst *s, uint32_t off, uint32_t *val)
{
	assert_int_equal(th_get_attr(s->gic, VGIC_GRP_DIST_REGS, off, val), 0);
}

static void d_set(struct inst *s, uint32_t off, uint32_t val)
{
	assert_int_equal(th_set_attr(s->gic, VGIC_GRP_DIST_REGS, off, &val), 0);
}

static void r_get(struct inst *s, uint32_t cpu, uint32_t off, uint32_t *val)
{
	assert_int_equal(th_get_attr(s->gic, VGIC_GRP_REDIST_REGS,
				     aff_attr(s, cpu) | off, val), 0);
}

static void r_set(struct inst *s, uint32_t cpu, uint32_t off, uint32_t val)
{
	assert_int_equal(th_set_attr(s->gic, VGIC_GRP_REDIST_REGS,
				     aff_attr(s, cpu) | off, &val), 0);
}

static void l_get(struct inst *s, uint32_t cpu, uint32_t intid, uint32_t *val)
{
	assert_int_equal(th_get_attr(s->gic, VGIC_GRP_LEVEL_INFO,
				     aff_attr(s, cpu) | intid, val), 0);
}

static void l_set(struct inst *s, uint32_t cpu, uint32_t intid, uint32_t val)
{
	assert_int_equal(th_set_attr(s->gic, VGIC_GRP_LEVEL_INFO,
				     aff_attr(s, cpu) | intid, &val), 0);
}

static void c_get(struct inst *s, uint32_t cpu, uint32_t enc, uint64_t *val)
{
	assert_int_equal(th_get_attr(s->gic, VGIC_GRP_CPU_SYSREGS,
				     aff_attr(s, cpu) | enc, val), 0);
}

static void c_set(struct inst *s, uint32_t cpu, uint32_t enc, uint64_t val)
{
	assert_int_equal(th_set_attr(s->gic, VGIC_GRP_CPU_SYSREGS,
				     aff_attr(s, cpu) | enc, &val), 0);
}

static void save(struct inst *s, struct saved *o)
{
	uint32_t nspi_words = s->nr_irqs / 32;

	memset(o, 0, sizeof(*o));
	assert_int_equal(th_get_attr(s->gic, VGIC_GRP_NR_IRQS, 0, &o->nr_irqs),
			 0);
	d_get(s, D_IIDR, &o->iidr);
	d_get(s, D_CTLR, &o->ctlr);
	for (uint32_t c = 0; c < s->n; c++) {
		struct saved_cpu *p = &o->cpu[c];

		r_get(s, c, R_CTLR, &p->ctlr);
		r_get(s, c, R_STATUSR, &p->statusr);
		r_get(s, c, R_WAKER, &p->waker);
		r_get(s, c, R_PROPBASER, &p->propbaser[0]);
		r_get(s, c, R_PROPBASER + 4, &p->propbaser[1]);
		r_get(s, c, R_PENDBASER, &p->pendbaser[0]);
		r_get(s, c, R_PENDBASER + 4, &p->pendbaser[1]);
		r_get(s, c, R_IGROUPR0, &p->igroupr0);
		r_get(s, c, R_ISENABLER0, &p->isenabler0);
		r_get(s, c, R_ICFGR0, &p->icfgr[0]);
		r_get(s, c, R_ICFGR0 + 4, &p->icfgr[1]);
		l_get(s, c, 0, &p->level0);
		r_get(s, c, R_ISPENDR0, &p->ispendr0);
		r_get(s, c, R_ISACTIVER0, &p->isactiver0);
		for (uint32_t i = 0; i < 8; i++)
			r_get(s, c, R_IPRIORITYR0 + 4 * i, &p->ipriorityr[i]);
	}
	for (uint32_t w = 1; w < nspi_words; w++)
		d_get(s, D_IGROUPR + 4 * w, &o->igroupr[w]);
	for (uint32_t i = 32; i < s->nr_irqs; i++) {
		d_get(s, D_IROUTER + 8 * i, &o->irouter[i][0]);
		d_get(s, D_IROUTER + 8 * i + 4, &o->irouter[i][1]);
	}
	for (uint32_t w = 1; w < nspi_words; w++)
		l_get(s, 0, 32 * w, &o->level[w]);
	for (uint32_t w = 2; w < s->nr_irqs / 16; w++)
		d_get(s, D_ICFGR + 4 * w, &o->icfgr[w]);
	for (uint32_t w = 1; w < nspi_words; w++) {
		d_get(s, D_ISPENDR + 4 * w, &o->ispendr[w]);
		d_get(s, D_ISACTIVER + 4 * w, &o->isactiver[w]);
		d_get(s, D_ISENABLER + 4 * w, &o->isenabler[w]);
	}
	for (uint32_t w = 8; w < s->nr_irqs / 4; w++)
		d_get(s, D_IPRIORITYR + 4 * w, &o->ipriorityr[w]);
	for (uint32_t c = 0; c < s->n; c++) {
		struct saved_cpu *p = &o->cpu[c];

		c_get(s, c, VGIC_ICC_SRE_EL1, &p->sre);
		c_get(s, c, VGIC_ICC_CTLR_EL1, &p->icc_ctlr);
		c_get(s, c, VGIC_ICC_IGRPEN0_EL1, &p->igrpen0);
		c_get(s, c, VGIC_ICC_IGRPEN1_EL1, &p->igrpen1);
		c_get(s, c, VGIC_ICC_PMR_EL1, &p->pmr);
		c_get(s, c, VGIC_ICC_BPR0_EL1, &p->bpr0);
		c_get(s, c, VGIC_ICC_BPR1_EL1, &p->bpr1);
		c_get(s, c, VGIC_ICC_AP0R0_EL1, &p->ap0r);
		c_get(s, c, VGIC_ICC_AP1R0_EL1, &p->ap1r);
	}
}

/* QEMU's kvm_arm_gicv3_put order. */
static void restore(struct inst *s, const struct saved *o)
{
	uint32_t nspi_words = s->nr_irqs / 32;

	d_set(s, D_IIDR, o->iidr);
	d_set(s, D_CTLR, o->ctlr);
	for (uint32_t c = 0; c < s->n; c++) {
		r_set(s, c, R_PROPBASER, o->cpu[c].propbaser[0]);
		r_set(s, c, R_PROPBASER + 4, o->cpu[c].propbaser[1]);
		r_set(s, c, R_PENDBASER, o->cpu[c].pendbaser[0]);
		r_set(s, c, R_PENDBASER + 4, o->cpu[c].pendbaser[1]);
	}
	for (uint32_t c = 0; c < s->n; c++) {
		const struct saved_cpu *p = &o->cpu[c];

		r_set(s, c, R_CTLR, p->ctlr);
		r_set(s, c, R_STATUSR, p->statusr);
		r_set(s, c, R_WAKER, p->waker);
		r_set(s, c, R_IGROUPR0, p->igroupr0);
		r_set(s, c, R_ICENABLER0, ~0u);
		r_set(s, c, R_ISENABLER0, p->isenabler0);
		r_set(s, c, R_ICFGR0, p->icfgr[0]);
		r_set(s, c, R_ICFGR0 + 4, p->icfgr[1]);
		l_set(s, c, 0, p->level0);
		r_set(s, c, R_ISPENDR0, p->ispendr0);
		r_set(s, c, R_ICACTIVER0, ~0u);
		r_set(s, c, R_ISACTIVER0, p->isactiver0);
		for (uint32_t i = 0; i < 8; i++)
			r_set(s, c, R_IPRIORITYR0 + 4 * i, p->ipriorityr[i]);
	}
	for (uint32_t w = 1; w < nspi_words; w++)
		d_set(s, D_IGROUPR + 4 * w, o->igroupr[w]);
	for (uint32_t i = 32; i < s->nr_irqs; i++) {
		d_set(s, D_IROUTER + 8 * i, o->irouter[i][0]);
		d_set(s, D_IROUTER + 8 * i + 4, o->irouter[i][1]);
	}
	for (uint32_t w = 2; w < s->nr_irqs / 16; w++)
		d_set(s, D_ICFGR + 4 * w, o->icfgr[w]);
	for (uint32_t w = 1; w < nspi_words; w++)
		l_set(s, 0, 32 * w, o->level[w]);
	for (uint32_t w = 1; w < nspi_words; w++)
		d_set(s, D_ISPENDR + 4 * w, o->ispendr[w]);
	for (uint32_t w = 1; w < nspi_words; w++) {
		d_set(s, D_ICACTIVER + 4 * w, ~0u);
		d_set(s, D_ISACTIVER + 4 * w, o->isactiver[w]);
	}
	for (uint32_t w = 8; w < s->nr_irqs / 4; w++)
		d_set(s, D_IPRIORITYR + 4 * w, o->ipriorityr[w]);
	for (uint32_t w = 1; w < nspi_words; w++) {
		d_set(s, D_ICENABLER + 4 * w, ~0u);
		d_set(s, D_ISENABLER + 4 * w, o->isenabler[w]);
	}
	for (uint32_t c = 0; c < s->n; c++) {
		const struct saved_cpu *p = &o->cpu[c];

		c_set(s, c, VGIC_ICC_SRE_EL1, p->sre);
		c_set(s, c, VGIC_ICC_CTLR_EL1, p->icc_ctlr);
		c_set(s, c, VGIC_ICC_IGRPEN0_EL1, p->igrpen0);
		c_set(s, c, VGIC_ICC_IGRPEN1_EL1, p->igrpen1);
		c_set(s, c, VGIC_ICC_PMR_EL1, p->pmr);
		c_set(s, c, VGIC_ICC_BPR0_EL1, p->bpr0);
		c_set(s, c, VGIC_ICC_BPR1_EL1, p->bpr1);
		c_set(s, c, VGIC_ICC_AP0R0_EL1, p->ap0r);
		c_set(s, c, VGIC_ICC_AP1R0_EL1, p->ap1r);
	}
}

/* Per-vCPU stack of acknowledged interrupts the guest has to EOI. */
struct guest {
	uint32_t depth[MAX_CPUS];
	uint32_t stack[MAX_CPUS][64];
	uint8_t grp[MAX_CPUS][64];
	bool eoimode[MAX_CPUS];
};

static uint32_t rnd(uint64_t *s, uint32_t n)
{
	return (uint32_t)(th_rand(s) % n);
}

/* Acknowledge the HPPI of whatever group it is in; returns its INTID. */
static uint32_t g_ack(struct inst *s, struct guest *g, uint32_t c)
{
	uint32_t id = iar0(s->v, c);
	uint8_t grp = 0;

	if (id == 1023) {
		id = iar1(s->v, c);
		grp = 1;
	}
	if (id != 1023 && g->depth[c] < 64) {
		g->stack[c][g->depth[c]] = id;
		g->grp[c][g->depth[c]++] = grp;
	}
	return id;
}

static void g_eoi(struct inst *s, struct guest *g, uint32_t c, bool deact)
{
	uint32_t d = --g->depth[c];
	uint32_t id = g->stack[c][d];

	if (g->grp[c][d])
		eoi1(s->v, c, id);
	else
		eoi0(s->v, c, id);
	if (g->eoimode[c] && deact)
		th_sysreg_write(s->v, c, VGIC_ICC_DIR_EL1, id);
}

/* A random external event, the same on both instances. */
static void g_inject(struct inst *s, uint64_t *r)
{
	uint32_t c = rnd(r, s->n);

	switch (rnd(r, 4)) {
	case 0: /* SGI from c to a random vCPU */ {
		uint64_t m = s->mpidr[rnd(r, s->n)];
		send_sgi1(s->v, c,
			  SGI1R(rnd(r, 16), mpidr_aff(m, 3), mpidr_aff(m, 2),
				mpidr_aff(m, 1), mpidr_aff(m, 0) / 16,
				1u << (mpidr_aff(m, 0) % 16)));
		break;
	}
	case 1:
		vgic_irq_line(s->v, c, 16 + rnd(r, 16), rnd(r, 2));
		break;
	default:
		vgic_irq_line(s->v, 0, 32 + rnd(r, s->nr_irqs - 32),
			      rnd(r, 3) != 0);
		break;
	}
}

static void randomize(struct inst *s, struct guest *g, uint64_t *r)
{
	struct vgic *v = s->v;
	uint32_t n = s->n;

	th_write32(v, 0, GICD(D_CTLR), rnd(r, 8) ? 2 : 0);
	for (uint32_t c = 0; c < n; c++) {
		th_write32(v, c, GICR(c, R_IGROUPR0), (uint32_t)th_rand(r));
		th_write32(v, c, GICR(c, R_ISENABLER0), (uint32_t)th_rand(r));
		th_write32(v, c, GICR(c, R_ICENABLER0),
			   (uint32_t)th_rand(r) & (uint32_t)th_rand(r));
		for (uint32_t i = 0; i < 8; i++)
			th_write32(v, c, GICR(c, R_IPRIORITYR0 + 4 * i),
				   (uint32_t)th_rand(r));
		th_write64(v, c, GICR(c, R_PENDBASER), th_rand(r));
		g->eoimode[c] = rnd(r, 3) == 0;
		th_sysreg_write(v, c, VGIC_ICC_CTLR_EL1,
				(g->eoimode[c] ? 2 : 0) | (rnd(r, 4) == 0));
		th_sysreg_write(v, c, VGIC_ICC_BPR0_EL1, rnd(r, 8));
		th_sysreg_write(v, c, VGIC_ICC_BPR1_EL1, rnd(r, 8));
		th_sysreg_write(v, c, VGIC_ICC_PMR_EL1,
				rnd(r, 4) ? 0xff : (uint32_t)th_rand(r));
		th_sysreg_write(v, c, VGIC_ICC_IGRPEN0_EL1, rnd(r, 6) != 0);
		th_sysreg_write(v, c, VGIC_ICC_IGRPEN1_EL1, rnd(r, 8) != 0);
	}
	th_write64(v, 0, GICR(0, R_PROPBASER), th_rand(r));
	for (uint32_t w = 1; w < s->nr_irqs / 32; w++) {
		th_write32(v, 0, GICD(D_IGROUPR + 4 * w), (uint32_t)th_rand(r));
		th_write32(v, 0, GICD(D_ISENABLER + 4 * w),
			   (uint32_t)th_rand(r) | (uint32_t)th_rand(r));
	}
	for (uint32_t w = 2; w < s->nr_irqs / 16; w++)
		th_write32(v, 0, GICD(D_ICFGR + 4 * w), (uint32_t)th_rand(r));
	for (uint32_t w = 8; w < s->nr_irqs / 4; w++)
		th_write32(v, 0, GICD(D_IPRIORITYR + 4 * w),
			   (uint32_t)th_rand(r));
	for (uint32_t i = 32; i < s->nr_irqs; i++) {
		uint64_t m = rnd(r, 16) ? s->mpidr[rnd(r, n)] : 0x777;
		route(v, i, m);
	}
	/* Inputs and pending state, then nested acknowledgements. */
	for (uint32_t k = rnd(r, 40); k > 0; k--)
		g_inject(s, r);
	for (uint32_t w = 1; w < s->nr_irqs / 32; w++)
		if (rnd(r, 3) == 0)
			th_write32(v, 0, GICD(D_ISPENDR + 4 * w),
				   (uint32_t)th_rand(r) & (uint32_t)th_rand(r));
	for (uint32_t c = 0; c < n; c++) {
		th_write32(v, c, GICR(c, R_ISPENDR0),
			   (uint32_t)th_rand(r) & (uint32_t)th_rand(r));
		for (uint32_t k = rnd(r, 8); k > 0; k--) {
			g_ack(s, g, c);
			/* EOImode 1: sometimes drop the priority only. */
			if (g->depth[c] && g->eoimode[c] && rnd(r, 4) == 0)
				g_eoi(s, g, c, false);
		}
	}
	/* Some active state set directly (no APR bit: a lost context). */
	if (rnd(r, 4) == 0)
		th_write32(v, 0, GICD(D_ISACTIVER + 4), (uint32_t)th_rand(r) &
							 (uint32_t)th_rand(r));
	/* More inputs after the acknowledgements. */
	for (uint32_t k = rnd(r, 20); k > 0; k--)
		g_inject(s, r);
}

/* The guest program: acknowledge, EOI, inject; log every acknowledgement. */
static void run_guest(struct inst *s, struct guest *g, uint64_t seed,
		      uint32_t log[MAX_CPUS][ACKS])
{
	uint32_t got[MAX_CPUS] = { 0 };
	uint64_t r = seed;

	/* Make progress possible whatever the random state: distributor and
	 * group enables on, PMR open, SGIs enabled. */
	th_write32(s->v, 0, GICD(D_CTLR), 2);
	for (uint32_t c = 0; c < s->n; c++) {
		th_sysreg_write(s->v, c, VGIC_ICC_IGRPEN0_EL1, 1);
		th_sysreg_write(s->v, c, VGIC_ICC_IGRPEN1_EL1, 1);
		th_sysreg_write(s->v, c, VGIC_ICC_PMR_EL1, 0xff);
		th_write32(s->v, c, GICR(c, R_ISENABLER0), 0xffff);
	}

	for (unsigned step = 0; step < 200000; step++) {
		uint32_t c = rnd(&r, s->n), id;
		bool done = true;

		for (uint32_t k = 0; k < s->n; k++)
			done &= got[k] == ACKS;
		if (done)
			return;
		switch (rnd(&r, 4)) {
		case 0:
			g_inject(s, &r);
			break;
		case 1:
			if (g->depth[c])
				g_eoi(s, g, c, true);
			break;
		default:
			id = g_ack(s, g, c);
			if (id != 1023 && got[c] < ACKS)
				log[c][got[c]++] = id;
			else if (id == 1023 && g->depth[c])
				g_eoi(s, g, c, true);
			break;
		}
	}
	fail_msg("guest did not reach %u acknowledgements per vCPU", ACKS);
}

static void observe(struct inst *s, uint32_t *buf, size_t *len)
{
	size_t k = 0;

	for (uint32_t c = 0; c < s->n; c++) {
		buf[k++] = vgic_vcpu_irq_pending(s->v, c);
		buf[k++] = vgic_vcpu_fiq_pending(s->v, c);
		buf[k++] = (uint32_t)th_sysreg_read(s->v, c, VGIC_ICC_HPPIR0_EL1);
		buf[k++] = (uint32_t)th_sysreg_read(s->v, c, VGIC_ICC_HPPIR1_EL1);
		buf[k++] = (uint32_t)th_sysreg_read(s->v, c, VGIC_ICC_RPR_EL1);
		buf[k++] = th_read32(s->v, c, GICR(c, R_ISPENDR0));
		buf[k++] = th_read32(s->v, c, GICR(c, R_TYPER));
	}
	for (uint32_t w = 1; w < s->nr_irqs / 32; w++)
		buf[k++] = th_read32(s->v, 0, GICD(D_ISPENDR + 4 * w));
	buf[k++] = th_read32(s->v, 0, GICD(D_TYPER));
	*len = k;
}

static void one_seed(uint64_t seed)
{
	static const uint32_t cpus[] = { 1, 2, 3, 4, 4, 5, 8 };
	static const uint32_t irqs[] = { 64, 96, 128, 256 };
	static struct saved a, b;
	static uint32_t log_a[MAX_CPUS][ACKS], log_b[MAX_CPUS][ACKS];
	static uint32_t obs_a[1024], obs_b[1024];
	uint64_t r = seed * 0x9e3779b97f4a7c15ull + 1;
	uint64_t mpidr[MAX_CPUS];
	struct th_host *h = th_host_new(4096);
	struct inst src = { 0 }, dst = { 0 };
	struct guest g = { 0 }, g2;
	struct vgic_config cfg = { 0 };
	uint64_t addr;
	size_t na, nb;

	src.n = dst.n = cpus[rnd(&r, ARRAY_SIZE(cpus))];
	src.nr_irqs = dst.nr_irqs = irqs[rnd(&r, ARRAY_SIZE(irqs))];
	for (uint32_t c = 0; c < src.n; c++)
		mpidr[c] = rnd(&r, 2) ? c : (uint64_t)(c & 3) |
						    (uint64_t)(c >> 2) << 8 |
						    (uint64_t)(seed & 7) << 16 |
						    (uint64_t)(c & 1) << 32;
	src.mpidr = dst.mpidr = mpidr;
	src.v = th_vm_v3(h, src.n, mpidr, src.nr_irqs, 0, &src.gic, NULL);
	if (rnd(&r, 2)) {
		uint32_t iidr = 0x4b00243b;
		assert_int_equal(th_set_attr(src.gic, VGIC_GRP_DIST_REGS,
					     D_IIDR, &iidr), 0);
	}
	randomize(&src, &g, &r);
	save(&src, &a);

	/* The destination: same vCPUs, redistributors and NR_IRQS. */
	cfg.nr_vcpus = dst.n;
	cfg.mpidr = mpidr;
	assert_int_equal(vgic_create(&cfg, &th_ops, h, &dst.v), 0);
	assert_int_equal(vgic_device_create(dst.v, VGIC_DEV_TYPE_V3, &dst.gic),
			 0);
	assert_int_equal(th_set_attr(dst.gic, VGIC_GRP_NR_IRQS, 0, &a.nr_irqs),
			 0);
	assert_int_equal(th_set_attr(dst.gic, VGIC_GRP_CTRL, VGIC_CTRL_INIT,
				     NULL), 0);
	addr = TH_GICD_BASE;
	assert_int_equal(th_set_attr(dst.gic, VGIC_GRP_ADDR,
				     VGIC_V3_ADDR_TYPE_DIST, &addr), 0);
	addr = TH_GICR_BASE | (uint64_t)dst.n << 52;
	assert_int_equal(th_set_attr(dst.gic, VGIC_GRP_ADDR,
				     VGIC_V3_ADDR_TYPE_REDIST_REGION, &addr),
			 0);
	restore(&dst, &a);
	save(&dst, &b);
	if (memcmp(&a, &b, sizeof(a))) {
		for (size_t i = 0; i < sizeof(a) / 4; i++)
			if (((uint32_t *)&a)[i] != ((uint32_t *)&b)[i])
				print_error("seed %llu: word %zu 0x%x != 0x%x\n",
					    (unsigned long long)seed, i,
					    ((uint32_t *)&a)[i],
					    ((uint32_t *)&b)[i]);
		fail_msg("seed %llu: saved state differs after restore",
			 (unsigned long long)seed);
	}
	observe(&src, obs_a, &na);
	observe(&dst, obs_b, &nb);
	assert_int_equal(na, nb);
	for (size_t i = 0; i < na; i++)
		if (obs_a[i] != obs_b[i])
			fail_msg("seed %llu: observation %zu: 0x%x != 0x%x",
				 (unsigned long long)seed, i, obs_a[i],
				 obs_b[i]);
	for (uint32_t c = 0; c < src.n; c++) {
		assert_int_equal(vgic_vcpu_set_running(src.v, c, true), 0);
		assert_int_equal(vgic_vcpu_set_running(dst.v, c, true), 0);
	}
	g2 = g;
	memset(log_a, 0, sizeof(log_a));
	memset(log_b, 0, sizeof(log_b));
	run_guest(&src, &g, r, log_a);
	run_guest(&dst, &g2, r, log_b);
	for (uint32_t c = 0; c < src.n; c++)
		for (uint32_t i = 0; i < ACKS; i++)
			if (log_a[c][i] != log_b[c][i])
				fail_msg("seed %llu: vCPU %u ack %u: %u != %u",
					 (unsigned long long)seed, c, i,
					 log_a[c][i], log_b[c][i]);
	vgic_destroy(src.v);
	vgic_destroy(dst.v);
	th_host_free(h);
}

static void test_random_save_restore(void **state)
{
	unsigned n = iters(1000, 200);

	(void)state;
	for (unsigned s = 0; s < n; s++)
		one_seed(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_save_restore),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * libvgic - the interrupt engine: per-IRQ state of SGIs, PPIs and SPIs,
 * SPI routing, the CPU-interface logic shared by the GICv3 ICC_* system
 * registers and the GICv2 GICC frame, and the one place where a vCPU's IRQ
 * and FIQ outputs are recomputed (GIC architecture specification IHI 0069,
 * chapter 4 "Interrupt handling and prioritization").
 *
 * Model: single security state (GICD_CTLR.DS = 1).  Group 0 interrupts are
 * signalled as FIQ and group 1 as IRQ.  5 bits of priority (32 preemption
 * levels: only AP0R0/AP1R0 are implemented).  An interrupt is a candidate
 * for the highest-priority pending interrupt (HPPI) when it is enabled,
 * pending, not active, its group is enabled at the distributor (KVM keeps a
 * single enable bit for both groups) and at the CPU interface, and it
 * targets the vCPU.  It is signalled when its priority is higher than PMR
 * and its group priority (per BPR) is higher than the running priority.
 *
 * Every state change ends in vgic__update_vcpu() or vgic__update_all(): they
 * alone store irq_out/fiq_out and call the host's kick_vcpu, and only when
 * an output changed.  Every function here needs v->lock held, except
 * vgic__vcpu_sync_dirty().
 */
#include "internal.h"
#include "regs.h"
#include "v4.h"

struct vgic_irq *vgic__irq(struct vgic *v, uint32_t vcpu, uint32_t intid)
{
	if (intid < VGIC_NR_PRIVATE_IRQS) {
		if (vcpu >= v->nr_vcpus)
			return NULL;
		return &v->vcpu[vcpu].priv[intid];
	}
	if (!v->spi || intid >= v->nr_irqs)
		return NULL;
	return &v->spi[intid - VGIC_NR_PRIVATE_IRQS];
}

bool vgic__irq_pending(const struct vgic_irq *irq)
{
	return irq->pending_latch || (!irq->edge && irq->line_level);
}

void vgic__irq_mark(struct vgic *v, uint32_t intid)
{
	uint32_t i = intid - VGIC_NR_PRIVATE_IRQS;

	if (intid < VGIC_NR_PRIVATE_IRQS || intid >= v->nr_irqs || !v->spi_cand)
		return;
	v->spi_cand[i / 64] |= 1ull << (i % 64);
}

/* The vCPU an SPI is delivered to.  GICv3: the vCPU whose MPIDR Aff2..Aff0
 * equals GICD_IROUTER's (KVM keeps only those, IRM is discarded, so 1-of-N
 * routes to the named vCPU).  GICv2: the lowest CPU in ITARGETSR, as KVM. */
static uint32_t spi_target(struct vgic *v, const struct vgic_irq *irq)
{
	if (v->model == 2) {
		uint32_t t = irq->v2_targets;

		if (v->nr_vcpus < 8)
			t &= (1u << v->nr_vcpus) - 1;
		return t ? vgic_lowest_bit(t) : VGIC_NO_VCPU;
	}
	struct vgic_vcpu *c = vgic__vcpu_by_mpidr(
		v, irq->irouter & GICD_IROUTER_AFF_MASK);
	return c ? c->id : VGIC_NO_VCPU;
}

void vgic__irq_reroute(struct vgic *v, uint32_t intid)
{
	struct vgic_irq *irq;
	uint32_t old;

	if (intid < VGIC_NR_PRIVATE_IRQS)
		return;
	irq = vgic__irq(v, 0, intid);
	if (!irq)
		return;
	old = irq->target;
	irq->target = spi_target(v, irq);
	if (old != irq->target) {
		vgic__update_vcpu(v, old);
		vgic__update_vcpu(v, irq->target);
	}
}

/* ---- CPU interface engine ------------------------------------------------ */

static bool candidate(const struct vgic_irq *irq)
{
	return irq->enabled && !irq->active && vgic__irq_pending(irq);
}

static unsigned enabled_groups(struct vgic *v, const struct vgic_vcpu *c)
{
	if (!v->dist_enabled)
		return 0;
	return (c->igrpen0 ? 1u : 0u) | (c->igrpen1 ? 2u : 0u);
}

static void consider(struct vgic_hppi *best, bool *found, uint32_t intid,
		     const struct vgic_irq *irq, unsigned groups)
{
	if (!candidate(irq) || !(groups & (1u << irq->group)))
		return;
	/* Equal priorities: the lowest INTID wins (IMPDEF: like QEMU). */
	if (*found && irq->priority >= best->prio)
		return;
	*found = true;
	best->intid = intid;
	best->prio = irq->priority;
	best->group = irq->group;
	best->src = irq->v2_sgi_src ? (uint8_t)vgic_lowest_bit(irq->v2_sgi_src) :
				      0;
}

/* SPIs in INTID order, visiting only the candidate bitmap; entries that
 * are no candidates any more are dropped from it on the way. */
static void consider_spis(struct vgic *v, uint32_t vcpu, unsigned groups,
			  struct vgic_hppi *best, bool *found)
{
	uint32_t words = (v->nr_irqs - VGIC_NR_PRIVATE_IRQS + 63) / 64;

	for (uint32_t w = 0; w < words; w++) {
		uint64_t bits = v->spi_cand[w];

		while (bits) {
			unsigned b = vgic_lowest_bit(bits);
			uint32_t i = w * 64 + b;
			const struct vgic_irq *irq = &v->spi[i];

			bits &= bits - 1;
			if (!candidate(irq)) {
				v->spi_cand[w] &= ~(1ull << b);
				continue;
			}
			if (irq->target == vcpu)
				consider(best, found, i + VGIC_NR_PRIVATE_IRQS,
					 irq, groups);
		}
	}
}

bool vgic__hppi(struct vgic *v, uint32_t vcpu, unsigned groups,
		struct vgic_hppi *out)
{
	struct vgic_vcpu *c = &v->vcpu[vcpu];
	struct vgic_hppi best = { VGIC_SPURIOUS, 0xff, 0, 0 };
	bool found = false;
	uint32_t lpi;
	uint8_t lprio;

	groups &= enabled_groups(v, c);
	if (groups) {
		for (uint32_t i = 0; i < VGIC_NR_PRIVATE_IRQS; i++)
			consider(&best, &found, i, &c->priv[i], groups);
		if (v->spi_cand)
			consider_spis(v, vcpu, groups, &best, &found);
		/* LPIs: group 1, edge, never active. */
		if ((groups & 2) && v->model == 3 &&
		    vgic__lpi_best(v, vcpu, found ? best.prio : 0xff, &lpi,
				   &lprio)) {
			found = true;
			best.intid = lpi;
			best.prio = lprio & VGIC_PRI_MASK;
			best.group = 1;
			best.src = 0;
		}
	}
	*out = best;
	return found;
}

/* Mask selecting the group priority of an interrupt of @group (BPR). */
static uint8_t gprio_mask(const struct vgic_vcpu *c, unsigned group)
{
	unsigned bpr;

	/* Group 1 uses BPR1 - 1 (its minimum is BPR0's plus one) unless
	 * CBPR makes it share BPR0. */
	if (group == 0 || c->cbpr)
		bpr = c->bpr0;
	else
		bpr = c->bpr1 ? c->bpr1 - 1u : 0u;
	return (uint8_t)(0xffu << (bpr + 1));
}

uint8_t vgic__rpr(struct vgic *v, uint32_t vcpu)
{
	const struct vgic_vcpu *c = &v->vcpu[vcpu];
	uint32_t act = c->ap0r[0] | c->ap1r[0];

	if (!act)
		return 0xff;
	return (uint8_t)(vgic_lowest_bit(act) << (8 - VGIC_PRI_BITS));
}

/* Whether @h may be signalled / acknowledged on @c. */
static bool can_preempt(struct vgic *v, uint32_t vcpu,
			const struct vgic_hppi *h)
{
	const struct vgic_vcpu *c = &v->vcpu[vcpu];

	if (h->prio >= c->pmr)
		return false;
	return (h->prio & gprio_mask(c, h->group)) < vgic__rpr(v, vcpu);
}

uint32_t vgic__ack(struct vgic *v, uint32_t vcpu, unsigned groups,
		   struct vgic_hppi *acked)
{
	struct vgic_vcpu *c = &v->vcpu[vcpu];
	struct vgic_hppi h;
	unsigned level;

	/* The HPPI over all enabled groups must belong to @groups: a pending
	 * higher-priority group 1 interrupt makes ICC_IAR0 return 1023. */
	if (!vgic__hppi(v, vcpu, 3, &h) || !(groups & (1u << h.group)) ||
	    !can_preempt(v, vcpu, &h)) {
		if (acked)
			acked->intid = VGIC_SPURIOUS;
		return VGIC_SPURIOUS;
	}
	level = (h.prio & gprio_mask(c, h.group)) >> (8 - VGIC_PRI_BITS);
	if (h.group)
		c->ap1r[0] |= 1u << level;
	else
		c->ap0r[0] |= 1u << level;
	if (h.intid >= VGIC_MIN_LPI) {
		vgic__lpi_clear_pending(v, h.intid);
	} else {
		struct vgic_irq *irq = vgic__irq(v, vcpu, h.intid);

		if (v->model == 2 && h.intid < VGIC_NR_SGIS) {
			/* One source at a time; the others stay pending. */
			irq->v2_sgi_src &= (uint8_t)~(1u << h.src);
			irq->pending_latch = irq->v2_sgi_src != 0;
			irq->v2_active_src = h.src;
		} else {
			irq->pending_latch = false;
		}
		/* GICv4.1 vSGIs (nASSGIreq) have no active state. */
		irq->active = !(h.intid < VGIC_NR_SGIS && vgic__v4_vsgi_on(v));
	}
	if (acked)
		*acked = h;
	vgic__update_vcpu(v, vcpu);
	return h.intid;
}

bool vgic__priority_drop(struct vgic *v, uint32_t vcpu, unsigned group)
{
	struct vgic_vcpu *c = &v->vcpu[vcpu];
	uint32_t a0 = c->ap0r[0], a1 = c->ap1r[0];
	unsigned bit;
	bool g0;

	if (!(a0 | a1))
		return false; /* UNPREDICTABLE: nothing active; ignored. */
	bit = vgic_lowest_bit(a0 | a1);
	g0 = (a0 >> bit) & 1;
	/* An EOI for the other group than the highest active one is
	 * ignored (as QEMU's icc_eoir_write). @group > 1: either. */
	if (group <= 1 && (g0 ? 0u : 1u) != group)
		return false;
	if (g0)
		c->ap0r[0] &= ~(1u << bit);
	else
		c->ap1r[0] &= ~(1u << bit);
	vgic__update_vcpu(v, vcpu);
	return true;
}

void vgic__deactivate(struct vgic *v, uint32_t vcpu, uint32_t intid)
{
	struct vgic_irq *irq;

	if (intid >= VGIC_FIRST_SPECIAL_INTID)
		return; /* special INTIDs and LPIs have no active state */
	irq = vgic__irq(v, vcpu, intid);
	if (!irq || !irq->active)
		return;
	irq->active = false;
	irq->v2_active_src = 0;
	vgic__irq_mark(v, intid);
	/* The running priority is the APRs', unchanged here: only a newly
	 * deliverable interrupt can change the outputs. */
	if (candidate(irq))
		vgic__update_vcpu(v, intid < VGIC_NR_PRIVATE_IRQS ? vcpu :
								     irq->target);
}

/* ---- outputs -------------------------------------------------------------- */

void vgic__update_vcpu(struct vgic *v, uint32_t vcpu)
{
	struct vgic_vcpu *c;
	struct vgic_hppi h;
	bool irq = false, fiq = false, old_irq, old_fiq;

	if (vcpu >= v->nr_vcpus)
		return;
	c = &v->vcpu[vcpu];
	/* Clear first: an MSI setting a pending bit after this is seen by
	 * the scan below or marks the vCPU dirty again. */
	atomic_store(&c->lpi_dirty, false);
	if (vgic__hppi(v, vcpu, 3, &h) && can_preempt(v, vcpu, &h)) {
		/* GICv2 with GICC_CTLR.FIQEn = 0 signals group 0 as IRQ. */
		if (h.group || (v->model == 2 && !(c->v2_ctlr & (1u << 3))))
			irq = true;
		else
			fiq = true;
	}
	old_irq = atomic_exchange(&c->irq_out, irq);
	old_fiq = atomic_exchange(&c->fiq_out, fiq);
	if (old_irq != irq || old_fiq != fiq)
		vgic__kick(v, vcpu);
}

void vgic__update_all(struct vgic *v)
{
	for (uint32_t i = 0; i < v->nr_vcpus; i++)
		vgic__update_vcpu(v, i);
}

void vgic__vcpu_sync_dirty(struct vgic *v, uint32_t vcpu)
{
	if (!atomic_load(&v->vcpu[vcpu].lpi_dirty))
		return;
	pthread_mutex_lock(&v->lock);
	vgic__update_vcpu(v, vcpu);
	pthread_mutex_unlock(&v->lock);
}

/* ---- inputs --------------------------------------------------------------- */

int vgic__irq_line(struct vgic *v, uint32_t vcpu, uint32_t intid, bool level)
{
	struct vgic_irq *irq;
	uint32_t owner;

	if (!v->initialized) {
		/* KVM's vgic_lazy_init: only a GICv2 initialises itself. */
		int ret = v->model == 2 ? vgic__init(v) : -EBUSY;
		if (ret)
			return ret;
	}
	if (intid < VGIC_NR_SGIS)
		return -EINVAL;
	if (intid < VGIC_NR_PRIVATE_IRQS && vcpu >= v->nr_vcpus)
		return -EINVAL;
	irq = vgic__irq(v, vcpu, intid);
	if (!irq)
		return -EINVAL;
	owner = intid < VGIC_NR_PRIVATE_IRQS ? vcpu : irq->target;
	if (irq->edge) {
		/* As KVM: every assertion of an edge input latches. */
		if (!level)
			return 0;
		irq->pending_latch = true;
	} else {
		if (irq->line_level == level)
			return 0;
		irq->line_level = level;
	}
	vgic__irq_mark(v, intid);
	/* A disabled or active interrupt is no candidate before or after:
	 * the outputs cannot change. */
	if (irq->enabled && !irq->active)
		vgic__update_vcpu(v, owner);
	return 0;
}

/* ---- initialisation ------------------------------------------------------ */

static void reset_private(struct vgic *v, struct vgic_vcpu *c)
{
	for (uint32_t i = 0; i < VGIC_NR_PRIVATE_IRQS; i++) {
		struct vgic_irq *irq = &c->priv[i];

		memset(irq, 0, sizeof(*irq));
		irq->edge = i < VGIC_NR_SGIS;
		irq->enabled = i < VGIC_NR_SGIS;
		irq->group = v->model == 3;
		irq->v2_targets = c->id < 8 ? (uint8_t)(1u << c->id) : 0;
		irq->target = c->id;
	}
}

int vgic__init(struct vgic *v)
{
	size_t spi_bytes;
	uint32_t nr_spis;

	if (v->initialized)
		return 0;
	if (!v->nr_irqs)
		v->nr_irqs = VGIC_DEFAULT_NR_IRQS;
	nr_spis = v->nr_irqs - VGIC_NR_PRIVATE_IRQS;
	/* One block: the SPIs, then their candidate bitmap (vgic_destroy
	 * frees v->spi). */
	spi_bytes = (size_t)nr_spis * sizeof(*v->spi);
	spi_bytes = (spi_bytes + 7) & ~(size_t)7;
	v->spi = vgic__zalloc(v, 1, spi_bytes + (nr_spis + 63) / 64 * 8);
	if (!v->spi)
		return -ENOMEM;
	v->spi_cand = (uint64_t *)(void *)((char *)v->spi + spi_bytes);
	for (uint32_t i = 0; i < nr_spis; i++) {
		/* Level, disabled, priority 0, routed to vCPU 0 (KVM sets
		 * target_vcpu = vcpu0 whatever vCPU 0's MPIDR is).  GICv2:
		 * ITARGETSR resets to 0, which reaches no CPU interface
		 * (DEVIATION from KVM's vCPU 0, see docs/gicv2.md). */
		v->spi[i].group = v->model == 3;
		v->spi[i].target = v->model == 2 ? VGIC_NO_VCPU : 0;
	}
	for (uint32_t i = 0; i < v->nr_vcpus; i++) {
		struct vgic_vcpu *c = &v->vcpu[i];

		reset_private(v, c);
		c->pmr = 0;
		c->bpr0 = VGIC_MIN_BPR0;
		c->bpr1 = VGIC_MIN_BPR0 + 1;
		c->cbpr = c->eoimode = false;
		c->igrpen0 = c->igrpen1 = false;
		memset(c->ap0r, 0, sizeof(c->ap0r));
		memset(c->ap1r, 0, sizeof(c->ap1r));
		c->icc_pri_bits = VGIC_PRI_BITS;
		c->icc_id_bits = 0;
		if (v->model == 3)
			c->pendbaser = GICR_PENDBASER_INIT;
	}
	if (!v->iidr_rev)
		v->iidr_rev = 3; /* KVM_VGIC_IMP_REV_LATEST */
	v->initialized = true;
	return 0;
}

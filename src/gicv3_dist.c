/*
 * libvgic - GICv3 distributor (GICD_*, IHI 0069 12.9) with affinity routing
 * and a single security state, register for register as KVM exposes it
 * (vgic-mmio-v3.c): GICD_CTLR keeps one enable bit (EnableGrp1A, which gates
 * both groups) and reads ARE_NS | DS; ITARGETSR, IGRPMODR and NSACR are
 * RAZ/WI; IROUTER keeps Aff2..Aff0 only; the first 32 INTIDs of every per-IRQ
 * bank are RAZ/WI (they live in the redistributors).
 *
 * Userspace (DIST_REGS attribute) semantics differ where KVM's do: ISPENDR
 * is the absolute pending latch, ICPENDR is RAZ/WI, GICD_IIDR may only
 * change its Revision (2 or 3), GICD_TYPER2 may not change.
 */
#include "gicv3.h"
#include "mmio.h"
#include "regs.h"
#include "v4.h"

static uint32_t dist_ctlr(struct vgic *v)
{
	uint32_t val = GICD_CTLR_ARE_NS | GICD_CTLR_DS;

	if (v->dist_enabled)
		val |= GICD_CTLR_ENABLE_G1A;
	if (v->nassgireq)
		val |= GICD_CTLR_nASSGIreq;
	return val;
}

uint32_t vgic__v3_iidr(const struct vgic *v)
{
	return VGIC_IIDR_PRODUCT << GICD_IIDR_PRODUCT_SHIFT |
	       v->iidr_rev << GICD_IIDR_REVISION_SHIFT |
	       VGIC_IIDR_IMPLEMENTER << GICD_IIDR_IMPLEMENTER_SHIFT;
}

static uint64_t dist_misc_read(struct vgic_mmio_ctx *c, uint32_t off,
			       unsigned len)
{
	struct vgic *v = c->v;
	uint32_t val;

	(void)len;
	switch (off) {
	case GICD_CTLR:
		return dist_ctlr(v);
	case GICD_TYPER:
		val = (v->nr_irqs ? v->nr_irqs : VGIC_NR_PRIVATE_IRQS) / 32 - 1;
		if (atomic_load(&v->nr_its))
			val |= (VGIC_LPI_ID_BITS - 1) << GICD_TYPER_IDBITS_SHIFT |
			       GICD_TYPER_LPIS;
		else
			val |= (10 - 1) << GICD_TYPER_IDBITS_SHIFT;
		return val;
	case GICD_IIDR:
		return vgic__v3_iidr(v);
	default: /* GICD_TYPER2: nASSGIcap only with GICv4.1 vSGIs (v4.c) */
		return vgic__v4_nassgicap(v) ? GICD_TYPER2_nASSGIcap : 0;
	}
}

static void dist_misc_write(struct vgic_mmio_ctx *c, uint32_t off,
			    unsigned len, uint64_t val)
{
	struct vgic *v = c->v;
	bool was = v->dist_enabled;

	(void)len;
	if (off != GICD_CTLR)
		return; /* TYPER, IIDR, TYPER2: read-only */
	/* nASSGIreq needs GICv4.1 vSGIs (a v4.c backend), else RAZ/WI; the
	 * guest cannot change it while the distributor stays enabled (KVM). */
	if (vgic__v4_nassgicap(v) &&
	    (c->uaccess || !(was && (val & GICD_CTLR_ENABLE_G1A)))) {
		v->nassgireq = (val & GICD_CTLR_nASSGIreq) != 0;
		if (!c->uaccess) /* user writes: effect at first run (KVM) */
			vgic__v4_vsgi_update(v);
	}
	v->dist_enabled = (val & GICD_CTLR_ENABLE_G1A) != 0;
	if (was != v->dist_enabled)
		c->touched_all = true;
}

static int dist_misc_uwrite(struct vgic_mmio_ctx *c, uint32_t off,
			    unsigned len, uint64_t val)
{
	struct vgic *v = c->v;
	uint32_t cur;

	switch (off) {
	case GICD_IIDR:
		cur = vgic__v3_iidr(v);
		if ((cur ^ (uint32_t)val) & ~GICD_IIDR_REVISION_MASK)
			return -EINVAL;
		switch ((val & GICD_IIDR_REVISION_MASK) >>
			GICD_IIDR_REVISION_SHIFT) {
		case 2:
		case 3:
			v->iidr_rev = (uint32_t)(val & GICD_IIDR_REVISION_MASK) >>
				      GICD_IIDR_REVISION_SHIFT;
			return 0;
		default:
			return -EINVAL;
		}
	case GICD_TYPER2:
		/* Writable before init only (KVM v6.17), and only to the
		 * value we support. */
		if ((uint32_t)val == dist_misc_read(c, off, len))
			return 0;
		return v->initialized ? -EBUSY : -EINVAL;
	case GICD_CTLR:
		/* No side effects beyond the state itself. */
		dist_misc_write(c, off, len, val);
		return 0;
	default:
		return 0;
	}
}

/* GICD_IROUTER<n>: 64 bits per SPI; the upper word (Aff3) is RAZ/WI. */
static uint64_t irouter_read(struct vgic_mmio_ctx *c, uint32_t off,
			     unsigned len)
{
	struct vgic_irq *irq = vgic__mmio_irq(c, c->intid);

	if (!irq || c->intid < VGIC_NR_PRIVATE_IRQS)
		return 0;
	return vgic__mmio_extract(irq->irouter, off, len);
}

static void irouter_write(struct vgic_mmio_ctx *c, uint32_t off, unsigned len,
			  uint64_t val)
{
	struct vgic_irq *irq = vgic__mmio_irq(c, c->intid);

	if (!irq || c->intid < VGIC_NR_PRIVATE_IRQS)
		return;
	/* DEVIATION-free (KVM): only Aff2..Aff0 are kept; IRM (1-of-N) is
	 * discarded, so 1-of-N routes to the vCPU the affinity names. */
	irq->irouter = vgic__mmio_deposit(irq->irouter, off, len, val) &
		       GICD_IROUTER_AFF_MASK;
	vgic__irq_reroute(c->v, c->intid);
}

static uint64_t idregs_read(struct vgic_mmio_ctx *c, uint32_t off,
			    unsigned len)
{
	(void)c;
	(void)len;
	return off == GICD_PIDR2 ? GIC_PIDR2_V3 : 0;
}

#define IRQ_REG(off, bpi, w, rd, wr, urd, uwr)                                \
	{ (off), VGIC_IRQ_REG_LEN(bpi), (bpi), (w), (rd), (wr), (urd), (uwr) }

static const struct vgic_reg dist_regs[] = {
	{ GICD_CTLR, 16, 0, VGIC_W32, dist_misc_read, dist_misc_write, NULL,
	  dist_misc_uwrite },
	{ GICD_STATUSR, 4, 0, VGIC_W32, vgic__mmio_rao, vgic__mmio_wi, NULL,
	  NULL },
	IRQ_REG(GICD_IGROUPR, 1, VGIC_W32, vgic__mmio_read_group,
		vgic__mmio_write_group, NULL, NULL),
	IRQ_REG(GICD_ISENABLER, 1, VGIC_W32, vgic__mmio_read_enable,
		vgic__mmio_write_senable, NULL, NULL),
	IRQ_REG(GICD_ICENABLER, 1, VGIC_W32, vgic__mmio_read_enable,
		vgic__mmio_write_cenable, NULL, NULL),
	IRQ_REG(GICD_ISPENDR, 1, VGIC_W32, vgic__mmio_read_pending,
		vgic__mmio_write_spending, vgic__mmio_uread_pending,
		vgic__mmio_uwrite_pending_abs),
	IRQ_REG(GICD_ICPENDR, 1, VGIC_W32, vgic__mmio_read_pending,
		vgic__mmio_write_cpending, vgic__mmio_raz, vgic__mmio_uwi),
	IRQ_REG(GICD_ISACTIVER, 1, VGIC_W32, vgic__mmio_read_active,
		vgic__mmio_write_sactive, NULL, NULL),
	IRQ_REG(GICD_ICACTIVER, 1, VGIC_W32, vgic__mmio_read_active,
		vgic__mmio_write_cactive, NULL, NULL),
	IRQ_REG(GICD_IPRIORITYR, 8, VGIC_W8 | VGIC_W32,
		vgic__mmio_read_priority, vgic__mmio_write_priority, NULL,
		NULL),
	IRQ_REG(GICD_ITARGETSR, 8, VGIC_W8 | VGIC_W32, vgic__mmio_raz,
		vgic__mmio_wi, NULL, NULL),
	IRQ_REG(GICD_ICFGR, 2, VGIC_W32, vgic__mmio_read_config,
		vgic__mmio_write_config, NULL, NULL),
	IRQ_REG(GICD_IGRPMODR, 1, VGIC_W32, vgic__mmio_raz, vgic__mmio_wi,
		NULL, NULL),
	IRQ_REG(GICD_IROUTER, 64, VGIC_W32 | VGIC_W64, irouter_read,
		irouter_write, NULL, NULL),
	{ GICD_IDREGS, 48, 0, VGIC_W32, idregs_read, vgic__mmio_wi, NULL,
	  NULL },
};

const struct vgic_reg_table vgic__v3_dist_table = {
	dist_regs, VGIC_ARRAY_SIZE(dist_regs)
};

static void dist_ctx(struct vgic_mmio_ctx *c, struct vgic *v, uint32_t vcpu,
		     bool uaccess)
{
	/* Private interrupts are RAZ/WI in the distributor. */
	vgic__mmio_ctx_init(c, v, vcpu, VGIC_NO_VCPU,
			    v->nr_irqs ? v->nr_irqs : VGIC_NR_PRIVATE_IRQS,
			    uaccess);
}

void vgic__v3_dist_mmio(struct vgic *v, uint32_t vcpu, uint64_t off,
			uint64_t *val, uint32_t len, bool write)
{
	struct vgic_mmio_ctx c;

	if (!v->initialized) {
		/* UNPREDICTABLE: a guest cannot run before INIT. RAZ/WI. */
		if (!write)
			*val = 0;
		return;
	}
	dist_ctx(&c, v, vcpu, false);
	vgic__mmio_access(&vgic__v3_dist_table, &c, (uint32_t)off, val, len,
			  write);
}

int vgic__v3_dist_uaccess(struct vgic *v, uint32_t off, uint32_t *val,
			  bool write)
{
	struct vgic_mmio_ctx c;

	dist_ctx(&c, v, 0, true);
	return vgic__mmio_uaccess(&vgic__v3_dist_table, &c, off, val, write);
}

bool vgic__v3_dist_has(struct vgic *v, uint32_t off)
{
	struct vgic_mmio_ctx c;

	dist_ctx(&c, v, 0, true);
	return !(off & 3) && vgic__mmio_find(&vgic__v3_dist_table, &c, off, 4);
}

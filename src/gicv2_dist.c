/*
 * libvgic - GICv2 distributor (GICD, 4 KiB frame).
 *
 * GIC architecture v2 chapter 4.3 as KVM's KVM_DEV_TYPE_ARM_VGIC_V2 shows it
 * to a guest and to userspace: CTLR (one enable bit), TYPER (ITLinesNumber,
 * CPUNumber), IIDR with KVM's revision rules, the per-IRQ banks (group,
 * enable, pending, active, priority, configuration: the generic handlers of
 * mmio.c), ITARGETSR, SGIR with its target-list filter, and the per-source
 * SGI pending state in CPENDSGIR/SPENDSGIR.
 *
 * GICv2 SGIs keep one pending bit per source CPU (vgic_irq.v2_sgi_src);
 * for them pending_latch always equals (v2_sgi_src != 0), so the shared
 * engine sees an SGI as pending while any source is.  The engine's
 * acknowledge takes one source at a time (core.c).
 *
 * All functions run with v->lock held.
 */
#include "gicv2.h"

/* Mask of the CPU interfaces that exist (ITARGETSR, SGIR target lists). */
static uint8_t cpu_mask(const struct vgic *v)
{
	return (uint8_t)((1u << v->nr_vcpus) - 1);
}

/* ---- CTLR, TYPER, IIDR ---------------------------------------------------- */

static uint32_t gicd_iidr(const struct vgic *v)
{
	return VGIC_IIDR_PRODUCT << GICD_IIDR_PRODUCT_SHIFT |
	       (v->iidr_rev & 0xf) << GICD_IIDR_REVISION_SHIFT |
	       VGIC_IIDR_IMPLEMENTER << GICD_IIDR_IMPLEMENTER_SHIFT;
}

/* GICD_CTLR keeps one enable bit for both groups, as KVM. */
static uint64_t gicd_misc_read(struct vgic_mmio_ctx *c, uint32_t off,
			       unsigned len)
{
	struct vgic *v = c->v;

	(void)len;
	switch (off) {
	case GICD_CTLR:
		return v->dist_enabled ? GICD_CTLR_ENABLE_G0 : 0;
	case GICD_TYPER:
		return (v->nr_irqs / 32 - 1) |
		       (v->nr_vcpus - 1) << GICD_TYPER_CPUNUMBER_SHIFT;
	default:
		return gicd_iidr(v);
	}
}

/* TYPER and IIDR are read-only. */
static void gicd_misc_write(struct vgic_mmio_ctx *c, uint32_t off,
			    unsigned len, uint64_t val)
{
	(void)len;
	if (off != GICD_CTLR)
		return;
	c->v->dist_enabled = val & GICD_CTLR_ENABLE_G0;
	vgic__update_all(c->v);
}

/*
 * Userspace GICD_IIDR write: everything but Revision must match; Revision
 * 2 or 3 is taken over and from then on userspace may write IGROUPR (KVM's
 * guard against kernels that reported GICv2 interrupts as group 1).
 */
static int gicd_misc_uwrite(struct vgic_mmio_ctx *c, uint32_t off,
			    unsigned len, uint64_t val)
{
	uint32_t rev = ((uint32_t)val & GICD_IIDR_REVISION_MASK) >>
		       GICD_IIDR_REVISION_SHIFT;

	if (off != GICD_IIDR) {
		gicd_misc_write(c, off, len, val);
		return 0;
	}
	if (((uint32_t)val ^ gicd_iidr(c->v)) & ~GICD_IIDR_REVISION_MASK)
		return -EINVAL;
	if (rev != 2 && rev != 3)
		return -EINVAL;
	c->v->iidr_rev = rev;
	c->v->iidr_user_written = true;
	return 0;
}

/* Userspace IGROUPR writes count only once GICD_IIDR has been written. */
static int gicd_group_uwrite(struct vgic_mmio_ctx *c, uint32_t off,
			     unsigned len, uint64_t val)
{
	if (c->v->iidr_user_written)
		vgic__mmio_write_group(c, off, len, val);
	return 0;
}

/* ---- ITARGETSR --------------------------------------------------------------- */

/*
 * ITARGETSR0-7 (INTIDs 0-31) are read-only and show the reading CPU's own
 * bit; SPI targets are masked to the CPU interfaces that exist and route
 * the SPI to the lowest one (core.c).  DEVIATION: an SPI whose targets are
 * all clear reaches no CPU interface, as the architecture says; KVM sends
 * it to vCPU 0.
 */
static uint64_t gicd_target_read(struct vgic_mmio_ctx *c, uint32_t off,
				 unsigned len)
{
	uint64_t val = 0;

	(void)off;
	for (unsigned i = 0; i < len; i++) {
		uint32_t intid = c->intid + i;
		struct vgic_irq *irq = vgic__mmio_irq(c, intid);
		uint8_t t;

		if (!irq)
			continue;
		t = intid < VGIC_NR_PRIVATE_IRQS ? (uint8_t)(1u << c->priv)
						 : irq->v2_targets;
		val |= (uint64_t)t << (8 * i);
	}
	return val;
}

static void gicd_target_write(struct vgic_mmio_ctx *c, uint32_t off,
			      unsigned len, uint64_t val)
{
	(void)off;
	if (c->intid < VGIC_NR_PRIVATE_IRQS)
		return;
	for (unsigned i = 0; i < len; i++) {
		struct vgic_irq *irq = vgic__mmio_irq(c, c->intid + i);

		if (!irq)
			continue;
		irq->v2_targets = (uint8_t)(val >> (8 * i)) & cpu_mask(c->v);
		vgic__irq_reroute(c->v, c->intid + i);
	}
}

/* ---- SGIs ----------------------------------------------------------------- */

/*
 * GICD_SGIR (write-only): make SGI INTID pending on every targeted CPU
 * interface with the writer as source.  TargetListFilter 0: the list,
 * 1: all but self, 2: self, 3: reserved (ignored).  Targets that do not
 * exist are ignored (the loop only visits existing ones); NSATT is
 * ignored (single security state).
 */
static void gicd_sgir_write(struct vgic_mmio_ctx *c, uint32_t off,
			    unsigned len, uint64_t val)
{
	struct vgic *v = c->v;
	uint32_t intid = (uint32_t)val & GICD_SGIR_INTID_MASK;
	uint32_t targets = (uint32_t)(val >> GICD_SGIR_TARGETS_SHIFT) & 0xff;

	(void)off;
	(void)len;
	switch ((val >> GICD_SGIR_FILTER_SHIFT) & 3) {
	case GICD_SGIR_FILTER_LIST:
		break;
	case GICD_SGIR_FILTER_OTHERS:
		targets = ~(1u << c->vcpu);
		break;
	case GICD_SGIR_FILTER_SELF:
		targets = 1u << c->vcpu;
		break;
	default:
		return;
	}
	for (uint32_t t = 0; t < v->nr_vcpus; t++) {
		struct vgic_irq *irq;

		if (!(targets & (1u << t)))
			continue;
		irq = vgic__irq(v, t, intid);
		irq->v2_sgi_src |= (uint8_t)(1u << c->vcpu);
		irq->pending_latch = true;
		vgic__mmio_touch(c, t);
	}
}

/* C/SPENDSGIRn: byte i is the source bitmap of SGI (off & 15) + i of the
 * accessing CPU interface. */
static uint64_t gicd_sgipend_read(struct vgic_mmio_ctx *c, uint32_t off,
				  unsigned len)
{
	uint64_t val = 0;

	for (unsigned i = 0; i < len; i++)
		val |= (uint64_t)vgic__irq(c->v, c->priv, (off & 0xf) + i)
			       ->v2_sgi_src
		       << (8 * i);
	return val;
}

/* IMPDEF: source bits of CPUs that do not exist are WI (KVM keeps them). */
static void gicd_sgipend_write(struct vgic_mmio_ctx *c, uint32_t off,
			       unsigned len, uint64_t val)
{
	bool set = off >= GICD_SPENDSGIR;

	for (unsigned i = 0; i < len; i++) {
		struct vgic_irq *irq = vgic__irq(c->v, c->priv, (off & 0xf) + i);
		uint8_t bits = (uint8_t)(val >> (8 * i)) & cpu_mask(c->v);

		if (set)
			irq->v2_sgi_src |= bits;
		else
			irq->v2_sgi_src &= (uint8_t)~bits;
		irq->pending_latch = irq->v2_sgi_src != 0;
	}
	vgic__mmio_touch(c, c->priv);
}

/* ---- identification ---------------------------------------------------- */

/*
 * DEVIATION: KVM's GICv2 distributor reads its ID registers as zero; we
 * show those of an Arm GICv2 (PIDR2.ArchRev = 2) so a guest probing them
 * finds a GICv2.  As in KVM they are not reachable through DIST_REGS.
 */
static const uint8_t gicd_id[12] = {
	0x04, 0x00, 0x00, 0x00, /* PIDR4-7 */
	0x90, 0xb4, 0x2b, 0x00, /* PIDR0-3 */
	0x0d, 0xf0, 0x05, 0xb1, /* CIDR0-3 */
};

static uint64_t gicd_id_read(struct vgic_mmio_ctx *c, uint32_t off,
			     unsigned len)
{
	(void)c;
	(void)len;
	return gicd_id[(off - GICD_V2_IDREGS) / 4];
}

/* ---- the frame ------------------------------------------------------------ */

#define W32 VGIC_W32
#define W8_32 (VGIC_W8 | VGIC_W32)
/* The GICD frame, sorted by offset: offset, len, bits per IRQ, widths,
 * read, write, userspace read, userspace write.  The per-IRQ families are
 * mmio.c's, shared with the GICv3 distributor. */
static const struct vgic_reg gicd_regs[] = {
	{ GICD_CTLR, 12, 0, W32, gicd_misc_read, gicd_misc_write, NULL,
	  gicd_misc_uwrite },
	{ GICD_IGROUPR, 0x80, 1, W32, vgic__mmio_read_group,
	  vgic__mmio_write_group, NULL, gicd_group_uwrite },
	{ GICD_ISENABLER, 0x80, 1, W32, vgic__mmio_read_enable,
	  vgic__mmio_write_senable, NULL, NULL },
	{ GICD_ICENABLER, 0x80, 1, W32, vgic__mmio_read_enable,
	  vgic__mmio_write_cenable, NULL, NULL },
	{ GICD_ISPENDR, 0x80, 1, W32, vgic__mmio_read_pending,
	  vgic__mmio_write_spending, NULL, NULL },
	{ GICD_ICPENDR, 0x80, 1, W32, vgic__mmio_read_pending,
	  vgic__mmio_write_cpending, NULL, NULL },
	{ GICD_ISACTIVER, 0x80, 1, W32, vgic__mmio_read_active,
	  vgic__mmio_write_sactive, NULL, NULL },
	{ GICD_ICACTIVER, 0x80, 1, W32, vgic__mmio_read_active,
	  vgic__mmio_write_cactive, NULL, NULL },
	{ GICD_IPRIORITYR, 0x400, 8, W8_32, vgic__mmio_read_priority,
	  vgic__mmio_write_priority, NULL, NULL },
	{ GICD_ITARGETSR, 0x400, 8, W8_32, gicd_target_read,
	  gicd_target_write, NULL, NULL },
	{ GICD_ICFGR, 0x100, 2, W32, vgic__mmio_read_config,
	  vgic__mmio_write_config, NULL, NULL },
	{ GICD_SGIR, 4, 0, W32, vgic__mmio_raz, gicd_sgir_write, NULL, NULL },
	{ GICD_CPENDSGIR, 16, 0, W8_32, gicd_sgipend_read, gicd_sgipend_write,
	  NULL, NULL },
	{ GICD_SPENDSGIR, 16, 0, W8_32, gicd_sgipend_read, gicd_sgipend_write,
	  NULL, NULL },
	{ GICD_V2_IDREGS, 0x30, 0, W32, gicd_id_read, vgic__mmio_wi, NULL,
	  NULL },
};
#undef W32
#undef W8_32

const struct vgic_reg_table vgic__v2_gicd = { gicd_regs,
					      VGIC_ARRAY_SIZE(gicd_regs) };

/* DIST_REGS reaches every register but the ID registers (KVM's table). */
bool vgic__v2_gicd_user(uint32_t off)
{
	return off < GICD_V2_IDREGS;
}

void vgic__v2_dist_mmio(struct vgic *v, uint32_t vcpu, uint64_t off,
			uint64_t *val, uint32_t len, bool write)
{
	vgic__v2_frame_access(v, &vgic__v2_gicd, vcpu, off, val, len, write);
}

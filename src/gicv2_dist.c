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
 * engine sees an SGI as pending while any source is.
 *
 * All functions run with v->lock held.
 */
#include "gicv2.h"

static uint32_t nr_irqs(const struct vgic *v)
{
	return v->nr_irqs;
}

/* Mask of the CPU interfaces that exist (ITARGETSR, SGIR target lists). */
static uint8_t cpu_mask(const struct vgic *v)
{
	return (uint8_t)((1u << v->nr_vcpus) - 1);
}

/* The first INTID an access at @off of a family starting at @base covers. */
static uint32_t first_intid(uint32_t off, uint32_t base, unsigned bpi)
{
	return (off - base) * 8 / bpi;
}

/* Recompute whoever an interrupt may reach: its vCPU, or all for SPIs. */
static void update_for(struct vgic *v, uint32_t vcpu, uint32_t intid)
{
	if (intid < VGIC_NR_PRIVATE_IRQS)
		vgic__update_vcpu(v, vcpu);
	else
		vgic__update_all(v);
}

/* ---- CTLR, TYPER, IIDR ---------------------------------------------------- */

static uint32_t gicd_iidr(const struct vgic *v)
{
	return VGIC_IIDR_PRODUCT << 24 | (v->iidr_rev & 0xf) << 12 |
	       VGIC_IIDR_IMPLEMENTER;
}

/* GICD_CTLR keeps one enable bit for both groups, as KVM. */
static uint32_t gicd_misc_read(struct vgic *v, uint32_t vcpu, uint32_t off,
			       uint32_t len)
{
	(void)vcpu;
	(void)len;
	switch (off) {
	case GICD_V2_CTLR:
		return v->dist_enabled ? GICD_V2_CTLR_ENABLE : 0;
	case GICD_V2_TYPER:
		return (nr_irqs(v) / 32 - 1) |
		       (v->nr_vcpus - 1) << GICD_V2_TYPER_CPUNUMBER_SHIFT;
	default:
		return gicd_iidr(v);
	}
}

/* TYPER and IIDR are read-only. */
static void gicd_misc_write(struct vgic *v, uint32_t vcpu, uint32_t off,
			    uint32_t len, uint32_t val)
{
	(void)vcpu;
	(void)len;
	if (off != GICD_V2_CTLR)
		return;
	v->dist_enabled = val & GICD_V2_CTLR_ENABLE;
	vgic__update_all(v);
}

/*
 * Userspace GICD_IIDR write: everything but Revision must match; Revision
 * 2 or 3 is taken over and from then on userspace may write IGROUPR (KVM's
 * guard against kernels that reported GICv2 interrupts as group 1).
 */
static int gicd_misc_uwrite(struct vgic *v, uint32_t vcpu, uint32_t off,
			    uint32_t val)
{
	uint32_t rev = (val >> 12) & 0xf;

	if (off != GICD_V2_IIDR) {
		gicd_misc_write(v, vcpu, off, 4, val);
		return 0;
	}
	if ((val ^ gicd_iidr(v)) & ~(0xfu << 12))
		return -EINVAL;
	if (rev != 2 && rev != 3)
		return -EINVAL;
	v->iidr_rev = rev;
	v->iidr_user_written = true;
	return 0;
}

/* ---- per-IRQ banks ------------------------------------------------------- */

/* Generic bit-per-IRQ read: bit i set if @test holds for INTID first + i. */
static uint32_t read_bits(struct vgic *v, uint32_t vcpu, uint32_t intid,
			  uint32_t len, bool (*test)(const struct vgic_irq *))
{
	uint32_t val = 0;

	for (uint32_t i = 0; i < len * 8; i++) {
		struct vgic_irq *irq = vgic__irq(v, vcpu, intid + i);
		if (irq && test(irq))
			val |= 1u << i;
	}
	return val;
}

static bool irq_group(const struct vgic_irq *irq)
{
	return irq->group;
}

static bool irq_enabled(const struct vgic_irq *irq)
{
	return irq->enabled;
}

static bool irq_active(const struct vgic_irq *irq)
{
	return irq->active;
}

static uint32_t gicd_group_read(struct vgic *v, uint32_t vcpu, uint32_t off,
				uint32_t len)
{
	return read_bits(v, vcpu, first_intid(off, GICD_V2_IGROUPR, 1), len,
			 irq_group);
}

static void gicd_group_write(struct vgic *v, uint32_t vcpu, uint32_t off,
			     uint32_t len, uint32_t val)
{
	uint32_t intid = first_intid(off, GICD_V2_IGROUPR, 1);

	for (uint32_t i = 0; i < len * 8; i++) {
		struct vgic_irq *irq = vgic__irq(v, vcpu, intid + i);
		if (irq)
			irq->group = (val >> i) & 1;
	}
	update_for(v, vcpu, intid);
}

/* Userspace IGROUPR writes count only once GICD_IIDR has been written. */
static int gicd_group_uwrite(struct vgic *v, uint32_t vcpu, uint32_t off,
			     uint32_t val)
{
	if (v->iidr_user_written)
		gicd_group_write(v, vcpu, off, 4, val);
	return 0;
}

static uint32_t gicd_enable_read(struct vgic *v, uint32_t vcpu, uint32_t off,
				 uint32_t len)
{
	uint32_t base = off < GICD_V2_ICENABLER ? GICD_V2_ISENABLER
						: GICD_V2_ICENABLER;

	return read_bits(v, vcpu, first_intid(off, base, 1), len, irq_enabled);
}

static void gicd_enable_write(struct vgic *v, uint32_t vcpu, uint32_t off,
			      uint32_t len, uint32_t val)
{
	bool set = off < GICD_V2_ICENABLER;
	uint32_t intid = first_intid(off, set ? GICD_V2_ISENABLER
					      : GICD_V2_ICENABLER, 1);

	for (uint32_t i = 0; i < len * 8; i++) {
		struct vgic_irq *irq = vgic__irq(v, vcpu, intid + i);
		if (irq && ((val >> i) & 1))
			irq->enabled = set;
	}
	update_for(v, vcpu, intid);
}

static uint32_t gicd_pending_read(struct vgic *v, uint32_t vcpu, uint32_t off,
				  uint32_t len)
{
	uint32_t base = off < GICD_V2_ICPENDR ? GICD_V2_ISPENDR
					      : GICD_V2_ICPENDR;
	uint32_t intid = first_intid(off, base, 1), val = 0;

	for (uint32_t i = 0; i < len * 8; i++) {
		struct vgic_irq *irq = vgic__irq(v, vcpu, intid + i);
		if (irq && vgic__irq_pending(irq))
			val |= 1u << i;
	}
	return val;
}

/*
 * I{S,C}PENDR.  Guest writes to SGI bits are WI (their pending state is
 * per source, set through SGIR/SPENDSGIR).  Userspace writes are ordinary
 * W1S/W1C; for an SGI, KVM cannot know the source, so a set makes the
 * accessing vCPU the source and a clear drops every source.
 */
static void pending_write(struct vgic *v, uint32_t vcpu, uint32_t off,
			  uint32_t len, uint32_t val, bool user)
{
	bool set = off < GICD_V2_ICPENDR;
	uint32_t intid = first_intid(off, set ? GICD_V2_ISPENDR
					      : GICD_V2_ICPENDR, 1);

	for (uint32_t i = 0; i < len * 8; i++) {
		struct vgic_irq *irq = vgic__irq(v, vcpu, intid + i);

		if (!irq || !((val >> i) & 1))
			continue;
		if (intid + i < VGIC_NR_SGIS) {
			if (!user)
				continue;
			if (set)
				irq->v2_sgi_src |= (uint8_t)(1u << vcpu);
			else
				irq->v2_sgi_src = 0;
		}
		irq->pending_latch = set;
	}
	update_for(v, vcpu, intid);
}

static void gicd_pending_write(struct vgic *v, uint32_t vcpu, uint32_t off,
			       uint32_t len, uint32_t val)
{
	pending_write(v, vcpu, off, len, val, false);
}

static int gicd_pending_uwrite(struct vgic *v, uint32_t vcpu, uint32_t off,
			       uint32_t val)
{
	pending_write(v, vcpu, off, 4, val, true);
	return 0;
}

static uint32_t gicd_active_read(struct vgic *v, uint32_t vcpu, uint32_t off,
				 uint32_t len)
{
	uint32_t base = off < GICD_V2_ICACTIVER ? GICD_V2_ISACTIVER
						: GICD_V2_ICACTIVER;

	return read_bits(v, vcpu, first_intid(off, base, 1), len, irq_active);
}

/*
 * I{S,C}ACTIVER.  An SGI made active here gets the accessing vCPU as its
 * active source for a guest write and CPU 0 for a userspace one: the source
 * of an active SGI is not architecturally visible, so KVM cannot save it
 * (the known lossy point, docs/gicv2.md).
 */
static void active_write(struct vgic *v, uint32_t vcpu, uint32_t off,
			 uint32_t len, uint32_t val, bool user)
{
	bool set = off < GICD_V2_ICACTIVER;
	uint32_t intid = first_intid(off, set ? GICD_V2_ISACTIVER
					      : GICD_V2_ICACTIVER, 1);

	for (uint32_t i = 0; i < len * 8; i++) {
		struct vgic_irq *irq = vgic__irq(v, vcpu, intid + i);

		if (!irq || !((val >> i) & 1))
			continue;
		irq->active = set;
		if (set && intid + i < VGIC_NR_SGIS)
			irq->v2_active_src = user ? 0 : (uint8_t)vcpu;
	}
	update_for(v, vcpu, intid);
}

static void gicd_active_write(struct vgic *v, uint32_t vcpu, uint32_t off,
			      uint32_t len, uint32_t val)
{
	active_write(v, vcpu, off, len, val, false);
}

static int gicd_active_uwrite(struct vgic *v, uint32_t vcpu, uint32_t off,
			      uint32_t val)
{
	active_write(v, vcpu, off, 4, val, true);
	return 0;
}

static uint32_t gicd_priority_read(struct vgic *v, uint32_t vcpu, uint32_t off,
				   uint32_t len)
{
	uint32_t intid = first_intid(off, GICD_V2_IPRIORITYR, 8), val = 0;

	for (uint32_t i = 0; i < len; i++) {
		struct vgic_irq *irq = vgic__irq(v, vcpu, intid + i);
		if (irq)
			val |= (uint32_t)irq->priority << (8 * i);
	}
	return val;
}

/* IPRIORITYR: 5 priority bits implemented, the low three RAZ/WI. */
static void gicd_priority_write(struct vgic *v, uint32_t vcpu, uint32_t off,
				uint32_t len, uint32_t val)
{
	uint32_t intid = first_intid(off, GICD_V2_IPRIORITYR, 8);

	for (uint32_t i = 0; i < len; i++) {
		struct vgic_irq *irq = vgic__irq(v, vcpu, intid + i);
		if (irq)
			irq->priority = (val >> (8 * i)) & VGIC_PRI_MASK;
	}
	update_for(v, vcpu, intid);
}

static uint32_t gicd_config_read(struct vgic *v, uint32_t vcpu, uint32_t off,
				 uint32_t len)
{
	uint32_t intid = first_intid(off, GICD_V2_ICFGR, 2), val = 0;

	for (uint32_t i = 0; i < len * 4; i++) {
		struct vgic_irq *irq = vgic__irq(v, vcpu, intid + i);
		if (irq && irq->edge)
			val |= 2u << (2 * i);
	}
	return val;
}

/* ICFGR: SGIs are edge, PPIs level; both read-only (as KVM). */
static void gicd_config_write(struct vgic *v, uint32_t vcpu, uint32_t off,
			      uint32_t len, uint32_t val)
{
	uint32_t intid = first_intid(off, GICD_V2_ICFGR, 2);

	for (uint32_t i = 0; i < len * 4; i++) {
		struct vgic_irq *irq;

		if (intid + i < VGIC_NR_PRIVATE_IRQS)
			continue;
		irq = vgic__irq(v, vcpu, intid + i);
		if (irq)
			irq->edge = (val >> (2 * i + 1)) & 1;
	}
	update_for(v, vcpu, intid);
}

/* ---- ITARGETSR --------------------------------------------------------------- */

/*
 * ITARGETSR0-7 (INTIDs 0-31) are read-only and show the reading CPU's own
 * bit; SPI targets are masked to the CPU interfaces that exist.
 */
static uint32_t gicd_target_read(struct vgic *v, uint32_t vcpu, uint32_t off,
				 uint32_t len)
{
	uint32_t intid = first_intid(off, GICD_V2_ITARGETSR, 8), val = 0;

	for (uint32_t i = 0; i < len; i++) {
		struct vgic_irq *irq = vgic__irq(v, vcpu, intid + i);
		uint8_t t;

		if (!irq)
			continue;
		t = intid + i < VGIC_NR_PRIVATE_IRQS ? (uint8_t)(1u << vcpu)
						     : irq->v2_targets;
		val |= (uint32_t)t << (8 * i);
	}
	return val;
}

static void gicd_target_write(struct vgic *v, uint32_t vcpu, uint32_t off,
			      uint32_t len, uint32_t val)
{
	uint32_t intid = first_intid(off, GICD_V2_ITARGETSR, 8);

	if (intid < VGIC_NR_PRIVATE_IRQS)
		return;
	for (uint32_t i = 0; i < len; i++) {
		struct vgic_irq *irq = vgic__irq(v, vcpu, intid + i);
		if (!irq)
			continue;
		irq->v2_targets = (val >> (8 * i)) & cpu_mask(v);
		vgic__irq_reroute(v, intid + i);
	}
	vgic__update_all(v);
}

/* ---- SGIs ----------------------------------------------------------------- */

/*
 * GICD_SGIR (write-only): make SGI INTID pending on every targeted CPU
 * interface with the writer as source.  Filter 0: the target list, 1: all
 * but self, 2: self, 3: reserved (ignored).  Targets that do not exist
 * are ignored; NSATT is ignored (single security state).
 */
static void gicd_sgir_write(struct vgic *v, uint32_t vcpu, uint32_t off,
			    uint32_t len, uint32_t val)
{
	uint32_t intid = val & GICD_SGIR_INTID_MASK;
	uint32_t targets = (val >> GICD_SGIR_TARGETS_SHIFT) & 0xff;

	(void)off;
	(void)len;
	switch ((val >> GICD_SGIR_FILTER_SHIFT) & 3) {
	case SGIR_FILTER_LIST:
		break;
	case SGIR_FILTER_OTHERS:
		targets = cpu_mask(v) & ~(1u << vcpu);
		break;
	case SGIR_FILTER_SELF:
		targets = 1u << vcpu;
		break;
	default:
		return;
	}
	targets &= cpu_mask(v);
	for (uint32_t c = 0; c < v->nr_vcpus; c++) {
		struct vgic_irq *irq;

		if (!(targets & (1u << c)))
			continue;
		irq = vgic__irq(v, c, intid);
		irq->v2_sgi_src |= (uint8_t)(1u << vcpu);
		irq->pending_latch = true;
		vgic__update_vcpu(v, c);
	}
}

/* C/SPENDSGIRn: byte i is the source bitmap of SGI (off & 15) + i of the
 * accessing CPU interface. */
static uint32_t gicd_sgipend_read(struct vgic *v, uint32_t vcpu, uint32_t off,
				  uint32_t len)
{
	uint32_t intid = off & 0xf, val = 0;

	for (uint32_t i = 0; i < len; i++)
		val |= (uint32_t)vgic__irq(v, vcpu, intid + i)->v2_sgi_src
		       << (8 * i);
	return val;
}

/* IMPDEF: source bits of CPUs that do not exist are WI (KVM keeps them). */
static void gicd_sgipend_write(struct vgic *v, uint32_t vcpu, uint32_t off,
			       uint32_t len, uint32_t val)
{
	bool set = off >= GICD_V2_SPENDSGIR;
	uint32_t intid = off & 0xf;

	for (uint32_t i = 0; i < len; i++) {
		struct vgic_irq *irq = vgic__irq(v, vcpu, intid + i);
		uint8_t bits = (val >> (8 * i)) & cpu_mask(v);

		if (set)
			irq->v2_sgi_src |= bits;
		else
			irq->v2_sgi_src &= (uint8_t)~bits;
		irq->pending_latch = irq->v2_sgi_src != 0;
	}
	vgic__update_vcpu(v, vcpu);
}

/* ---- identification ---------------------------------------------------- */

/*
 * DEVIATION: KVM's GICv2 distributor reads its ID registers as zero; we
 * show those of an Arm GICv2 (PIDR2.ArchRev = 2) so a guest probing them
 * finds a GICv2.  They are not reachable through DIST_REGS, as in KVM.
 */
static const uint8_t gicd_id[12] = {
	0x04, 0x00, 0x00, 0x00, /* PIDR4-7 */
	0x90, 0xb4, 0x2b, 0x00, /* PIDR0-3 */
	0x0d, 0xf0, 0x05, 0xb1, /* CIDR0-3 */
};

static uint32_t gicd_id_read(struct vgic *v, uint32_t vcpu, uint32_t off,
			     uint32_t len)
{
	(void)v;
	(void)vcpu;
	(void)len;
	return gicd_id[(off - GICD_V2_PIDR4) / 4];
}

static uint32_t gicd_raz(struct vgic *v, uint32_t vcpu, uint32_t off,
			 uint32_t len)
{
	(void)v;
	(void)vcpu;
	(void)off;
	(void)len;
	return 0;
}

static void gicd_wi(struct vgic *v, uint32_t vcpu, uint32_t off, uint32_t len,
		    uint32_t val)
{
	(void)v;
	(void)vcpu;
	(void)off;
	(void)len;
	(void)val;
}

/* ---- the frame ------------------------------------------------------------ */

#define W32 V2_W32
#define W8_32 (V2_W8 | V2_W32)
/* The GICD frame, sorted by offset: off, len, widths, bits per IRQ, user,
 * read, write, userspace read, userspace write. */
static const struct v2_reg gicd_regs[] = {
	{ GICD_V2_CTLR, 12, W32, 0, true, gicd_misc_read, gicd_misc_write,
	  NULL, gicd_misc_uwrite },
	{ GICD_V2_IGROUPR, 0x80, W32, 1, true, gicd_group_read,
	  gicd_group_write, NULL, gicd_group_uwrite },
	{ GICD_V2_ISENABLER, 0x80, W32, 1, true, gicd_enable_read,
	  gicd_enable_write, NULL, NULL },
	{ GICD_V2_ICENABLER, 0x80, W32, 1, true, gicd_enable_read,
	  gicd_enable_write, NULL, NULL },
	{ GICD_V2_ISPENDR, 0x80, W32, 1, true, gicd_pending_read,
	  gicd_pending_write, NULL, gicd_pending_uwrite },
	{ GICD_V2_ICPENDR, 0x80, W32, 1, true, gicd_pending_read,
	  gicd_pending_write, NULL, gicd_pending_uwrite },
	{ GICD_V2_ISACTIVER, 0x80, W32, 1, true, gicd_active_read,
	  gicd_active_write, NULL, gicd_active_uwrite },
	{ GICD_V2_ICACTIVER, 0x80, W32, 1, true, gicd_active_read,
	  gicd_active_write, NULL, gicd_active_uwrite },
	{ GICD_V2_IPRIORITYR, 0x400, W8_32, 8, true, gicd_priority_read,
	  gicd_priority_write, NULL, NULL },
	{ GICD_V2_ITARGETSR, 0x400, W8_32, 8, true, gicd_target_read,
	  gicd_target_write, NULL, NULL },
	{ GICD_V2_ICFGR, 0x100, W32, 2, true, gicd_config_read,
	  gicd_config_write, NULL, NULL },
	{ GICD_V2_SGIR, 4, W32, 0, true, gicd_raz, gicd_sgir_write, NULL,
	  NULL },
	{ GICD_V2_CPENDSGIR, 16, W8_32, 0, true, gicd_sgipend_read,
	  gicd_sgipend_write, NULL, NULL },
	{ GICD_V2_SPENDSGIR, 16, W8_32, 0, true, gicd_sgipend_read,
	  gicd_sgipend_write, NULL, NULL },
	{ GICD_V2_PIDR4, 0x30, W32, 0, false, gicd_id_read, gicd_wi, NULL,
	  NULL },
};
#undef W32
#undef W8_32

const struct v2_frame vgic__v2_gicd = { gicd_regs,
					VGIC_ARRAY_SIZE(gicd_regs) };

void vgic__v2_dist_mmio(struct vgic *v, uint32_t vcpu, uint64_t off,
			uint64_t *val, uint32_t len, bool write)
{
	vgic__v2_frame_mmio(v, &vgic__v2_gicd, vcpu, off, val, len, write);
}

/*
 * libvgic - GICv2 memory-mapped CPU interface (GICC).
 *
 * What a GICv2 guest sees at its CPU-interface frame: the view KVM gives a
 * guest through the hardware GICV frame (GIC architecture v2, chapter 4.4 and
 * 5.3), i.e. one security state with both interrupt groups, AckCtl, FIQEn,
 * CBPR and EOImode, the aliased group 1 registers (ABPR, AIAR, AEOIR,
 * AHPPIR), the active-priority registers and GICC_DIR in the second 4 KiB
 * page.  It also serves the CPU_REGS attribute group with KVM's userspace
 * formats (GICC_PMR as the 5-bit VMCR.VMPriMask field, the fixed APR format).
 *
 * Acknowledge, priority drop, deactivation, the running priority and the
 * highest pending interrupt are the shared CPU-interface engine of core.c;
 * this file only decodes the frame and applies the GICv2 rules around it.
 *
 * All functions run with v->lock held.
 */
#include "gicv2.h"

/* The CPU interface of @vcpu. */
static struct vgic_vcpu *cpu(struct vgic *v, uint32_t vcpu)
{
	return &v->vcpu[vcpu];
}

static uint32_t gicc_ctlr_read(struct vgic *v, uint32_t vcpu, uint32_t off,
			      uint32_t len)
{
	(void)len;
	(void)off;
	return cpu(v, vcpu)->v2_ctlr;
}

/*
 * GICC_CTLR: EnableGrp0, EnableGrp1, AckCtl, FIQEn, CBPR and EOImodeNS are
 * implemented; the bypass-disable bits do not exist for a virtual CPU
 * interface and read as zero (as KVM's VMCR keeps only these six).
 */
static void gicc_ctlr_write(struct vgic *v, uint32_t vcpu, uint32_t off,
			    uint32_t len, uint32_t val)
{
	(void)len;
	struct vgic_vcpu *c = cpu(v, vcpu);

	(void)off;
	c->v2_ctlr = val & GICC_CTLR_MASK;
	c->igrpen0 = val & GICC_CTLR_ENABLE_GRP0;
	c->igrpen1 = val & GICC_CTLR_ENABLE_GRP1;
	c->cbpr = val & GICC_CTLR_CBPR;
	c->eoimode = val & GICC_CTLR_EOIMODE;
	vgic__update_vcpu(v, vcpu);
}

static uint32_t gicc_pmr_read(struct vgic *v, uint32_t vcpu, uint32_t off,
			      uint32_t len)
{
	(void)len;
	(void)off;
	return cpu(v, vcpu)->pmr;
}

/* GICC_PMR: 5 priority bits are implemented, the low three are RAZ/WI. */
static void gicc_pmr_write(struct vgic *v, uint32_t vcpu, uint32_t off,
			   uint32_t len, uint32_t val)
{
	(void)len;
	(void)off;
	cpu(v, vcpu)->pmr = val & VGIC_PRI_MASK;
	vgic__update_vcpu(v, vcpu);
}

/* The userspace form of GICC_PMR is GICH_VMCR.VMPriMask: priority >> 3. */
static uint32_t gicc_pmr_uread(struct vgic *v, uint32_t vcpu, uint32_t off,
			      uint32_t len)
{
	(void)len;
	(void)off;
	return cpu(v, vcpu)->pmr >> (8 - VGIC_PRI_BITS);
}

static int gicc_pmr_uwrite(struct vgic *v, uint32_t vcpu, uint32_t off,
			   uint32_t val)
{
	gicc_pmr_write(v, vcpu, off, 4, val << (8 - VGIC_PRI_BITS));
	return 0;
}

static uint32_t gicc_bpr_read(struct vgic *v, uint32_t vcpu, uint32_t off,
			      uint32_t len)
{
	(void)len;
	struct vgic_vcpu *c = cpu(v, vcpu);

	return off == GICC_BPR ? c->bpr0 : c->bpr1;
}

/*
 * GICC_BPR / GICC_ABPR: with 5 priority bits the minimum binary point is 2
 * for group 0 and 3 for group 1; smaller values are stored as the minimum.
 * IMPDEF: with CBPR set, GICC_ABPR stays readable and writable but unused.
 */
static void gicc_bpr_write(struct vgic *v, uint32_t vcpu, uint32_t off,
			   uint32_t len, uint32_t val)
{
	(void)len;
	struct vgic_vcpu *c = cpu(v, vcpu);
	uint8_t bpr = val & 7;

	if (off == GICC_BPR)
		c->bpr0 = bpr < GICC_BPR_MIN ? GICC_BPR_MIN : bpr;
	else
		c->bpr1 = bpr < GICC_ABPR_MIN ? GICC_ABPR_MIN : bpr;
	vgic__update_vcpu(v, vcpu);
}

/*
 * GICC_IAR / GICC_AIAR.  The interrupt considered is the highest-priority
 * pending one of both groups.  IAR returns 1022 for a group 1 interrupt
 * while AckCtl is 0; AIAR (the group 1 alias) returns 1023 for a group 0
 * interrupt.  IMPDEF: the 1022 answer does not first check the priority
 * mask.  SGIs carry their source CPU in bits [12:10].
 */
static uint32_t gicc_ack(struct vgic *v, uint32_t vcpu, bool alias)
{
	struct vgic_hppi h, acked;
	uint32_t intid;

	if (!vgic__hppi(v, vcpu, 3, &h))
		return VGIC_SPURIOUS;
	if (alias && h.group == 0)
		return VGIC_SPURIOUS;
	if (!alias && h.group == 1 && !(cpu(v, vcpu)->v2_ctlr & GICC_CTLR_ACKCTL))
		return GICC_SPURIOUS_GRP1;
	intid = vgic__ack(v, vcpu, 1u << h.group, &acked);
	if (intid < VGIC_NR_SGIS)
		intid |= (uint32_t)(acked.src & 7) << GICC_CPUID_SHIFT;
	vgic__update_vcpu(v, vcpu);
	return intid;
}

static uint32_t gicc_iar_read(struct vgic *v, uint32_t vcpu, uint32_t off,
			      uint32_t len)
{
	(void)len;
	return gicc_ack(v, vcpu, off == GICC_AIAR);
}

/* GICC_HPPIR / GICC_AHPPIR: as IAR / AIAR without side effects. */
static uint32_t gicc_hppir_read(struct vgic *v, uint32_t vcpu, uint32_t off,
			      uint32_t len)
{
	(void)len;
	bool alias = off == GICC_AHPPIR;
	struct vgic_hppi h;

	if (!vgic__hppi(v, vcpu, 3, &h))
		return VGIC_SPURIOUS;
	if (alias && h.group == 0)
		return VGIC_SPURIOUS;
	if (!alias && h.group == 1 && !(cpu(v, vcpu)->v2_ctlr & GICC_CTLR_ACKCTL))
		return GICC_SPURIOUS_GRP1;
	if (h.intid < VGIC_NR_SGIS)
		return h.intid | (uint32_t)(h.src & 7) << GICC_CPUID_SHIFT;
	return h.intid;
}

/*
 * GICC_EOIR / GICC_AEOIR: priority drop, and deactivation too when
 * EOImode is 0.  INTIDs 1020-1023 and INTIDs that do not exist are ignored.
 * IMPDEF: the CPUID field of an SGI is not checked against the source that
 * was acknowledged (one active state per SGI, as KVM).
 */
static void gicc_eoir_write(struct vgic *v, uint32_t vcpu, uint32_t off,
			    uint32_t len, uint32_t val)
{
	(void)len;
	uint32_t intid = val & GICC_INTID_MASK;
	struct vgic_irq *irq = vgic__irq(v, vcpu, intid);

	if (!irq)
		return;
	vgic__priority_drop(v, vcpu, off == GICC_AEOIR ? 1 : irq->group);
	if (!cpu(v, vcpu)->eoimode)
		vgic__deactivate(v, vcpu, intid);
	vgic__update_vcpu(v, vcpu);
}

/* GICC_DIR.  UNPREDICTABLE: with EOImode 0 the write is ignored. */
static void gicc_dir_write(struct vgic *v, uint32_t vcpu, uint32_t off,
			   uint32_t len, uint32_t val)
{
	(void)len;
	uint32_t intid = val & GICC_INTID_MASK;

	(void)off;
	if (!cpu(v, vcpu)->eoimode || !vgic__irq(v, vcpu, intid))
		return;
	vgic__deactivate(v, vcpu, intid);
	vgic__update_vcpu(v, vcpu);
}

static uint32_t gicc_rpr_read(struct vgic *v, uint32_t vcpu, uint32_t off,
			      uint32_t len)
{
	(void)len;
	(void)off;
	return vgic__rpr(v, vcpu);
}

/*
 * GICC_APRn in the format KVM exports (and the one we also show the guest):
 * bit X of APRn set means preemption level 32 * n + X has an active
 * interrupt, both groups together.  With 5 priority bits only APR0 exists
 * (bit X = priority X << 3); APR1-3 are RAZ/WI, as KVM on a GICv3 host.
 * IMPDEF: the guest view equals the userspace view.
 */
static uint32_t gicc_apr_read(struct vgic *v, uint32_t vcpu, uint32_t off,
			      uint32_t len)
{
	(void)len;
	uint32_t n = (off - GICC_APR0) / 4;

	return n ? 0 : cpu(v, vcpu)->ap1r[0];
}

static void gicc_apr_write(struct vgic *v, uint32_t vcpu, uint32_t off,
			   uint32_t len, uint32_t val)
{
	(void)len;
	uint32_t n = (off - GICC_APR0) / 4;

	if (n)
		return;
	cpu(v, vcpu)->ap1r[0] = val;
	vgic__update_vcpu(v, vcpu);
}

static uint32_t gicc_iidr_read(struct vgic *v, uint32_t vcpu, uint32_t off,
			      uint32_t len)
{
	(void)len;
	(void)v;
	(void)vcpu;
	(void)off;
	return GICC_IIDR_VALUE;
}

static uint32_t gicc_raz(struct vgic *v, uint32_t vcpu, uint32_t off,
			      uint32_t len)
{
	(void)len;
	(void)v;
	(void)vcpu;
	(void)off;
	return 0;
}

static void gicc_wi(struct vgic *v, uint32_t vcpu, uint32_t off, uint32_t len,
		    uint32_t val)
{
	(void)len;
	(void)v;
	(void)vcpu;
	(void)off;
	(void)val;
}

/*
 * The GICC frame, sorted by offset.  Every register is 32-bit only.  Only
 * the registers marked user are reachable through KVM_DEV_ARM_VGIC_GRP_CPU_REGS
 * (KVM backs exactly those by the VMCR and the APRs).
 */
#define R(off, len, user, rd, wr, urd, uwr)                                  \
	{ off, len, V2_W32, 0, user, rd, wr, urd, uwr }
static const struct v2_reg gicc_regs[] = {
	R(GICC_CTLR, 4, true, gicc_ctlr_read, gicc_ctlr_write, NULL, NULL),
	R(GICC_PMR, 4, true, gicc_pmr_read, gicc_pmr_write, gicc_pmr_uread,
	  gicc_pmr_uwrite),
	R(GICC_BPR, 4, true, gicc_bpr_read, gicc_bpr_write, NULL, NULL),
	R(GICC_IAR, 4, false, gicc_iar_read, gicc_wi, NULL, NULL),
	R(GICC_EOIR, 4, false, gicc_raz, gicc_eoir_write, NULL, NULL),
	R(GICC_RPR, 4, false, gicc_rpr_read, gicc_wi, NULL, NULL),
	R(GICC_HPPIR, 4, false, gicc_hppir_read, gicc_wi, NULL, NULL),
	R(GICC_ABPR, 4, true, gicc_bpr_read, gicc_bpr_write, NULL, NULL),
	R(GICC_AIAR, 4, false, gicc_iar_read, gicc_wi, NULL, NULL),
	R(GICC_AEOIR, 4, false, gicc_raz, gicc_eoir_write, NULL, NULL),
	R(GICC_AHPPIR, 4, false, gicc_hppir_read, gicc_wi, NULL, NULL),
	R(GICC_APR0, 16, true, gicc_apr_read, gicc_apr_write, NULL, NULL),
	/* IMPDEF: GICC_NSAPRn (no Non-secure copy here) are RAZ/WI. */
	R(GICC_NSAPR0, 16, false, gicc_raz, gicc_wi, NULL, NULL),
	R(GICC_IIDR, 4, true, gicc_iidr_read, gicc_wi, NULL, NULL),
	R(GICC_DIR, 4, false, gicc_raz, gicc_dir_write, NULL, NULL),
};
#undef R

const struct v2_frame vgic__v2_gicc = { gicc_regs,
					 VGIC_ARRAY_SIZE(gicc_regs) };

void vgic__v2_cpu_mmio(struct vgic *v, uint32_t vcpu, uint64_t off,
		       uint64_t *val, uint32_t len, bool write)
{
	vgic__v2_frame_mmio(v, &vgic__v2_gicc, vcpu, off, val, len, write);
}

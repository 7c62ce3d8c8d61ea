/*
 * libvgic - GICv2 memory-mapped CPU interface (GICC).
 *
 * What a GICv2 guest sees at its CPU-interface frame: the view KVM gives a
 * guest through the hardware GICV frame (GIC architecture v2, IHI 0048,
 * 4.4 and 5.3), i.e. one security state with both interrupt groups, AckCtl,
 * FIQEn, CBPR and EOImode, the aliased group 1 registers (ABPR, AIAR,
 * AEOIR, AHPPIR), the active-priority registers and GICC_DIR in the second
 * 4 KiB page.  The same table serves the CPU_REGS attribute group with
 * KVM's userspace formats (GICC_PMR as the 5-bit VMCR.VMPriMask field, the
 * fixed APR format).
 *
 * Acknowledge, priority drop, deactivation, the running priority and the
 * highest pending interrupt are the shared CPU-interface engine of core.c;
 * this file only decodes the frame and applies the GICv2 rules around it.
 * The engine reads pmr, bpr0/bpr1, cbpr, igrpen0/1, ap0r[0]/ap1r[0] and
 * v2_ctlr (FIQEn) from struct vgic_vcpu, which GICC_* writes keep in sync.
 *
 * All functions run with v->lock held.
 */
#include "gicv2.h"

static struct vgic_vcpu *cpu(struct vgic_mmio_ctx *c)
{
	return &c->v->vcpu[c->vcpu];
}

static uint64_t gicc_ctlr_read(struct vgic_mmio_ctx *c, uint32_t off,
			       unsigned len)
{
	(void)off;
	(void)len;
	return cpu(c)->v2_ctlr;
}

/*
 * GICC_CTLR: EnableGrp0, EnableGrp1, AckCtl, FIQEn, CBPR and EOImodeNS are
 * implemented; the bypass-disable bits do not exist for a virtual CPU
 * interface and read as zero (KVM's VMCR keeps exactly these six).
 */
static void gicc_ctlr_write(struct vgic_mmio_ctx *c, uint32_t off,
			    unsigned len, uint64_t val)
{
	struct vgic_vcpu *vc = cpu(c);

	(void)off;
	(void)len;
	vc->v2_ctlr = (uint32_t)val & GICC_CTLR_MASK;
	vc->igrpen0 = val & GICC_CTLR_ENABLE_GRP0;
	vc->igrpen1 = val & GICC_CTLR_ENABLE_GRP1;
	vc->cbpr = val & GICC_CTLR_CBPR;
	vc->eoimode = val & GICC_CTLR_EOIMODE;
	vgic__mmio_touch(c, c->vcpu);
}

static uint64_t gicc_pmr_read(struct vgic_mmio_ctx *c, uint32_t off,
			      unsigned len)
{
	(void)off;
	(void)len;
	return cpu(c)->pmr;
}

/* GICC_PMR: 5 priority bits are implemented, the low three are RAZ/WI. */
static void gicc_pmr_write(struct vgic_mmio_ctx *c, uint32_t off,
			   unsigned len, uint64_t val)
{
	(void)off;
	(void)len;
	cpu(c)->pmr = val & VGIC_PRI_MASK;
	vgic__mmio_touch(c, c->vcpu);
}

/* The userspace form of GICC_PMR is GICH_VMCR.VMPriMask: priority >> 3. */
static uint64_t gicc_pmr_uread(struct vgic_mmio_ctx *c, uint32_t off,
			       unsigned len)
{
	return gicc_pmr_read(c, off, len) >> (8 - VGIC_PRI_BITS);
}

static int gicc_pmr_uwrite(struct vgic_mmio_ctx *c, uint32_t off,
			   unsigned len, uint64_t val)
{
	gicc_pmr_write(c, off, len, (val & 0x1f) << (8 - VGIC_PRI_BITS));
	return 0;
}

static uint64_t gicc_bpr_read(struct vgic_mmio_ctx *c, uint32_t off,
			      unsigned len)
{
	(void)len;
	return off == GICC_BPR ? cpu(c)->bpr0 : cpu(c)->bpr1;
}

/*
 * GICC_BPR / GICC_ABPR: with 5 priority bits the minimum binary point is 2
 * for group 0 and 3 for group 1; smaller values are stored as the minimum.
 * IMPDEF: with CBPR set, GICC_ABPR stays readable and writable but unused.
 */
static void gicc_bpr_write(struct vgic_mmio_ctx *c, uint32_t off,
			   unsigned len, uint64_t val)
{
	unsigned min = VGIC_MIN_BPR0 + (off == GICC_ABPR);
	uint8_t bpr = (uint8_t)(val & 7);

	(void)len;
	if (bpr < min)
		bpr = (uint8_t)min;
	if (off == GICC_BPR)
		cpu(c)->bpr0 = bpr;
	else
		cpu(c)->bpr1 = bpr;
	vgic__mmio_touch(c, c->vcpu);
}

/*
 * What IAR/HPPIR (@alias false) or AIAR/AHPPIR (@alias true) report instead
 * of the highest-priority pending interrupt @h of both groups: 1023 when
 * there is none or, for the aliases, when it is group 0; 1022 from IAR and
 * HPPIR for a group 1 interrupt while AckCtl is 0.  IMPDEF: the 1022
 * answer does not first check the priority mask.  0 when @h may be taken.
 */
static uint32_t gicc_refuse(struct vgic_mmio_ctx *c, bool found,
			    const struct vgic_hppi *h, bool alias)
{
	if (!found || (alias && h->group == 0))
		return VGIC_SPURIOUS;
	if (!alias && h->group == 1 && !(cpu(c)->v2_ctlr & GICC_CTLR_ACKCTL))
		return GICC_SPURIOUS_GRP1;
	return 0;
}

/* INTID with the source CPU of an SGI in bits [12:10]. */
static uint32_t gicc_id(uint32_t intid, uint8_t src)
{
	if (intid < VGIC_NR_SGIS)
		intid |= (uint32_t)(src & GICC_CPUID_MASK) << GICC_CPUID_SHIFT;
	return intid;
}

/* GICC_IAR / GICC_AIAR: acknowledge through the shared engine. */
static uint64_t gicc_iar_read(struct vgic_mmio_ctx *c, uint32_t off,
			      unsigned len)
{
	struct vgic_hppi h, acked;
	bool found = vgic__hppi(c->v, c->vcpu, 3, &h);
	uint32_t refuse = gicc_refuse(c, found, &h, off == GICC_AIAR);
	uint32_t intid;

	(void)len;
	if (refuse)
		return refuse;
	intid = vgic__ack(c->v, c->vcpu, 1u << h.group, &acked);
	return intid == VGIC_SPURIOUS ? intid : gicc_id(intid, acked.src);
}

/* GICC_HPPIR / GICC_AHPPIR: as IAR / AIAR without side effects (and
 * regardless of the priority mask and running priority). */
static uint64_t gicc_hppir_read(struct vgic_mmio_ctx *c, uint32_t off,
				unsigned len)
{
	struct vgic_hppi h;
	bool found = vgic__hppi(c->v, c->vcpu, 3, &h);
	uint32_t refuse = gicc_refuse(c, found, &h, off == GICC_AHPPIR);

	(void)len;
	return refuse ? refuse : gicc_id(h.intid, h.src);
}

/*
 * GICC_EOIR / GICC_AEOIR: priority drop, and deactivation too when
 * EOImode is 0.  INTIDs that do not exist (1020-1023 included) are
 * ignored.  IMPDEF: the active priorities are one set for both groups (as
 * KVM's single APR), so either register drops the highest one; the CPUID
 * of an SGI is not checked (one active state per SGI, as KVM).
 */
static void gicc_eoir_write(struct vgic_mmio_ctx *c, uint32_t off,
			    unsigned len, uint64_t val)
{
	uint32_t intid = (uint32_t)val & GICC_INTID_MASK;

	(void)off;
	(void)len;
	if (!vgic__irq(c->v, c->vcpu, intid))
		return;
	vgic__priority_drop(c->v, c->vcpu, 2);
	if (!cpu(c)->eoimode)
		vgic__deactivate(c->v, c->vcpu, intid);
}

/* GICC_DIR.  UNPREDICTABLE: with EOImode 0 the write is ignored. */
static void gicc_dir_write(struct vgic_mmio_ctx *c, uint32_t off,
			   unsigned len, uint64_t val)
{
	(void)off;
	(void)len;
	if (cpu(c)->eoimode)
		vgic__deactivate(c->v, c->vcpu, (uint32_t)val & GICC_INTID_MASK);
}

static uint64_t gicc_rpr_read(struct vgic_mmio_ctx *c, uint32_t off,
			      unsigned len)
{
	(void)off;
	(void)len;
	return vgic__rpr(c->v, c->vcpu);
}

/*
 * GICC_APRn in the format KVM exports, which we also show the guest: bit X
 * of APRn set means preemption level 32n + X has an active interrupt, both
 * groups together.  With 5 priority bits only APR0 exists (bit X =
 * priority X << 3); APR1-3 are RAZ/WI, as KVM on a GICv3 host.  A write
 * keeps the levels in the group 1 set: both drop alike (gicc_eoir_write).
 */
static uint64_t gicc_apr_read(struct vgic_mmio_ctx *c, uint32_t off,
			      unsigned len)
{
	(void)len;
	if (off != GICC_APR0)
		return 0;
	return cpu(c)->ap0r[0] | cpu(c)->ap1r[0];
}

static void gicc_apr_write(struct vgic_mmio_ctx *c, uint32_t off,
			   unsigned len, uint64_t val)
{
	(void)len;
	if (off != GICC_APR0)
		return;
	cpu(c)->ap0r[0] = 0;
	cpu(c)->ap1r[0] = (uint32_t)val;
	vgic__mmio_touch(c, c->vcpu);
}

static uint64_t gicc_iidr_read(struct vgic_mmio_ctx *c, uint32_t off,
			       unsigned len)
{
	(void)c;
	(void)off;
	(void)len;
	return VGIC_IIDR_PRODUCT << 20 | GICC_IIDR_ARCH_V2 << 16 |
	       VGIC_IIDR_IMPLEMENTER;
}

/* The GICC frame, sorted by offset.  Every register is 32-bit only. */
#define R(off, len, rd, wr, urd, uwr)                                        \
	{ off, len, 0, VGIC_W32, rd, wr, urd, uwr }
static const struct vgic_reg gicc_regs[] = {
	R(GICC_CTLR, 4, gicc_ctlr_read, gicc_ctlr_write, NULL, NULL),
	R(GICC_PMR, 4, gicc_pmr_read, gicc_pmr_write, gicc_pmr_uread,
	  gicc_pmr_uwrite),
	R(GICC_BPR, 4, gicc_bpr_read, gicc_bpr_write, NULL, NULL),
	R(GICC_IAR, 4, gicc_iar_read, vgic__mmio_wi, NULL, NULL),
	R(GICC_EOIR, 4, vgic__mmio_raz, gicc_eoir_write, NULL, NULL),
	R(GICC_RPR, 4, gicc_rpr_read, vgic__mmio_wi, NULL, NULL),
	R(GICC_HPPIR, 4, gicc_hppir_read, vgic__mmio_wi, NULL, NULL),
	R(GICC_ABPR, 4, gicc_bpr_read, gicc_bpr_write, NULL, NULL),
	R(GICC_AIAR, 4, gicc_iar_read, vgic__mmio_wi, NULL, NULL),
	R(GICC_AEOIR, 4, vgic__mmio_raz, gicc_eoir_write, NULL, NULL),
	R(GICC_AHPPIR, 4, gicc_hppir_read, vgic__mmio_wi, NULL, NULL),
	R(GICC_APR0, 16, gicc_apr_read, gicc_apr_write, NULL, NULL),
	/* IMPDEF: GICC_NSAPRn (no Non-secure copy here) are RAZ/WI. */
	R(GICC_NSAPR0, 16, vgic__mmio_raz, vgic__mmio_wi, NULL, NULL),
	R(GICC_IIDR, 4, gicc_iidr_read, vgic__mmio_wi, NULL, NULL),
	R(GICC_DIR, 4, vgic__mmio_raz, gicc_dir_write, NULL, NULL),
};
#undef R

const struct vgic_reg_table vgic__v2_gicc = { gicc_regs,
					      VGIC_ARRAY_SIZE(gicc_regs) };

/* CPU_REGS reaches what KVM backs by the VMCR and the APRs: CTLR, PMR,
 * BPR, ABPR, APR0-3 and IIDR.  IAR, EOIR and the rest are guest-only. */
bool vgic__v2_gicc_user(uint32_t off)
{
	return off <= GICC_BPR || off == GICC_ABPR ||
	       (off >= GICC_APR0 && off < GICC_NSAPR0) || off == GICC_IIDR;
}

void vgic__v2_cpu_mmio(struct vgic *v, uint32_t vcpu, uint64_t off,
		       uint64_t *val, uint32_t len, bool write)
{
	vgic__v2_frame_access(v, &vgic__v2_gicc, vcpu, off, val, len, write);
}

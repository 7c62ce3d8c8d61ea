/*
 * libvgic - GICv3 redistributors (GICR_*, IHI 0069 12.10-12.11): one
 * 128 KiB frame per vCPU, RD_base (control, LPI configuration) followed by
 * SGI_base (the SGI/PPI banks), as KVM exposes them (vgic-mmio-v3.c).
 *
 * LPI registers follow KVM: GICR_PROPBASER is one VM-wide value
 * (GICR_TYPER.CommonLPIAff = 0), both BASERs are sanitised (outer
 * shareable -> inner shareable, inner non-cacheable -> RaWb, outer
 * cacheability other than nC -> same as inner, RES0 bits cleared) and
 * frozen while the redistributor's LPIs are enabled; PENDBASER.PTZ is kept
 * but reads 0; GICR_CTLR.EnableLPIs can only change with an ITS present.
 * GICR_STATUSR, GICR_WAKER, IGRPMODR0 and NSACR are RAZ/WI.
 */
#include "gicv3.h"
#include "mmio.h"
#include "regs.h"
#include "v4.h"

static struct vgic_vcpu *rd_vcpu(struct vgic_mmio_ctx *c)
{
	return &c->v->vcpu[c->priv];
}

static bool has_its(const struct vgic *v)
{
	return atomic_load(&v->nr_its) != 0;
}

static uint64_t ctlr_read(struct vgic_mmio_ctx *c, uint32_t off, unsigned len)
{
	uint32_t val = atomic_load(&rd_vcpu(c)->enable_lpis) ?
			       GICR_CTLR_ENABLE_LPIS :
			       0;

	(void)off;
	(void)len;
	if (c->v->iidr_rev >= 3)
		val |= GICR_CTLR_IR | GICR_CTLR_CES;
	return val;
}

static void ctlr_write(struct vgic_mmio_ctx *c, uint32_t off, unsigned len,
		       uint64_t val)
{
	struct vgic_vcpu *rd = rd_vcpu(c);
	bool en = (val & GICR_CTLR_ENABLE_LPIS) != 0;

	(void)off;
	(void)len;
	if (!has_its(c->v) || en == atomic_load(&rd->enable_lpis))
		return;
	if (en) {
		atomic_store(&rd->enable_lpis, true);
		/* -EFAULT leaves the state consistent; a guest that points
		 * PENDBASER at nothing gets nothing (KVM ignores it too). */
		(void)vgic__lpi_enable(c->v, rd->id,
				       (rd->pendbaser & GICR_PENDBASER_PTZ) != 0);
	} else {
		vgic__lpi_disable(c->v, rd->id);
		atomic_store(&rd->enable_lpis, false);
	}
	vgic__mmio_touch(c, rd->id);
}

static uint64_t iidr_read(struct vgic_mmio_ctx *c, uint32_t off, unsigned len)
{
	(void)c;
	(void)off;
	(void)len;
	/* KVM's GICR_IIDR carries no revision: 0x4B00043B. */
	return VGIC_IIDR_PRODUCT << GICD_IIDR_PRODUCT_SHIFT |
	       VGIC_IIDR_IMPLEMENTER;
}

bool vgic__v3_rdist_is_last(struct vgic *v, uint32_t vcpu)
{
	const struct vgic_vcpu *c = &v->vcpu[vcpu];
	const struct vgic_rdist_region *r;

	if (!c->rd_base_set)
		return false;
	r = &v->rdist[c->rd_region];
	if (c->rd_slot + 1 < r->nr_used)
		return false;
	if (r->count && c->rd_slot == r->count - 1) {
		uint64_t end = r->base + r->count * VGIC_V3_REDIST_SIZE;

		/* Full region: the run continues into a contiguous one. */
		for (uint32_t i = 0; i < v->nr_rdist; i++)
			if (v->rdist[i].base == end && v->rdist[i].nr_used)
				return false;
	}
	return true;
}

static uint64_t typer_read(struct vgic_mmio_ctx *c, uint32_t off, unsigned len)
{
	struct vgic_vcpu *rd = rd_vcpu(c);
	uint64_t val;

	/* Affinity: Aff2..Aff0 only, as KVM (Aff3 reads 0). */
	val = (rd->mpidr & 0xffffffull) << GICR_TYPER_AFF_SHIFT;
	val |= (uint64_t)(rd->id & 0xffff) << GICR_TYPER_PROCNUM_SHIFT;
	if (has_its(c->v))
		val |= GICR_TYPER_PLPIS;
	if (vgic__v3_rdist_is_last(c->v, rd->id))
		val |= GICR_TYPER_LAST;
	return vgic__mmio_extract(val, off, len);
}

static uint64_t sanitise_field(uint64_t reg, uint64_t mask, unsigned shift,
			       uint64_t (*fn)(uint64_t))
{
	return (reg & ~mask) | (fn((reg & mask) >> shift) << shift);
}

static uint64_t san_share(uint64_t f)
{
	return f == GIC_BASER_OUTER_SHAREABLE ? GIC_BASER_INNER_SHAREABLE : f;
}

static uint64_t san_inner(uint64_t f)
{
	return f == GIC_BASER_CACHE_nCnB || f == GIC_BASER_CACHE_nC ?
		       GIC_BASER_CACHE_RaWb :
		       f;
}

static uint64_t san_outer(uint64_t f)
{
	return f == GIC_BASER_CACHE_nC ? f : GIC_BASER_CACHE_SAME_AS_INNER;
}

static uint64_t sanitise_baser(uint64_t reg, uint64_t res0)
{
	reg = sanitise_field(reg, GICR_BASER_SHARE_MASK, GICR_BASER_SHARE_SHIFT,
			     san_share);
	reg = sanitise_field(reg, GICR_BASER_INNER_CACHE_MASK,
			     GICR_BASER_INNER_CACHE_SHIFT, san_inner);
	reg = sanitise_field(reg, GICR_BASER_OUTER_CACHE_MASK,
			     GICR_BASER_OUTER_CACHE_SHIFT, san_outer);
	return reg & ~res0;
}

/*
 * DEVIATION (finding F1): a userspace (REDIST_REGS) write whose result is
 * the reset value 0 stores 0, where KVM would store the sanitised
 * 0x180 (Inner RaWb) - so that the reset value a VM saved comes back as
 * itself and a save/restore round trip is the identity.  Guest writes are
 * always sanitised.
 */
static uint64_t sanitise_baser_ctx(const struct vgic_mmio_ctx *c, uint64_t reg,
				   uint64_t res0)
{
	return c->uaccess && !reg ? 0 : sanitise_baser(reg, res0);
}

static uint64_t propbaser_read(struct vgic_mmio_ctx *c, uint32_t off,
			       unsigned len)
{
	return vgic__mmio_extract(c->v->lpi.propbaser, off, len);
}

static void propbaser_write(struct vgic_mmio_ctx *c, uint32_t off,
			    unsigned len, uint64_t val)
{
	struct vgic_lpis *l = &c->v->lpi;

	/* UNPREDICTABLE while LPIs are enabled: ignored, as KVM. */
	if (atomic_load(&rd_vcpu(c)->enable_lpis))
		return;
	l->propbaser = sanitise_baser_ctx(
		c, vgic__mmio_deposit(l->propbaser, off, len, val),
		GICR_PROPBASER_RES0);
}

static uint64_t pendbaser_read(struct vgic_mmio_ctx *c, uint32_t off,
			       unsigned len)
{
	return vgic__mmio_extract(rd_vcpu(c)->pendbaser & ~GICR_PENDBASER_PTZ,
				  off, len);
}

static void pendbaser_write(struct vgic_mmio_ctx *c, uint32_t off,
			    unsigned len, uint64_t val)
{
	struct vgic_vcpu *rd = rd_vcpu(c);

	if (atomic_load(&rd->enable_lpis))
		return;
	rd->pendbaser = sanitise_baser_ctx(
		c, vgic__mmio_deposit(rd->pendbaser, off, len, val),
		GICR_PENDBASER_RES0);
}

static void invlpir_write(struct vgic_mmio_ctx *c, uint32_t off, unsigned len,
			  uint64_t val)
{
	struct vgic_vcpu *rd = rd_vcpu(c);

	(void)len;
	/* The upper word is for vPEs (not offered); LPIs must be on. */
	if ((off & 4) || !atomic_load(&rd->enable_lpis))
		return;
	vgic__lpi_inv(c->v, (uint32_t)val);
	c->touched_all = true; /* the LPI may target any vCPU */
}

static void invallr_write(struct vgic_mmio_ctx *c, uint32_t off, unsigned len,
			  uint64_t val)
{
	struct vgic_vcpu *rd = rd_vcpu(c);

	(void)len;
	(void)val;
	if ((off & 4) || !atomic_load(&rd->enable_lpis))
		return;
	vgic__lpi_inv_all(c->v, rd->id);
	vgic__mmio_touch(c, rd->id);
}

static uint64_t idregs_read(struct vgic_mmio_ctx *c, uint32_t off,
			    unsigned len)
{
	(void)c;
	(void)len;
	return off == GICD_PIDR2 ? GIC_PIDR2_V3 : 0;
}

#define W3264 (VGIC_W32 | VGIC_W64)
#define REG(off, l, w, rd, wr) { (off), (l), 0, (w), (rd), (wr), NULL, NULL }
#define BANK(off, l, bpi, w, rd, wr, urd, uwr)                                \
	{ (off), (l), (bpi), (w), (rd), (wr), (urd), (uwr) }

static const struct vgic_reg redist_regs[] = {
	REG(GICR_CTLR, 4, VGIC_W32, ctlr_read, ctlr_write),
	REG(GICR_IIDR, 4, VGIC_W32, iidr_read, vgic__mmio_wi),
	REG(GICR_TYPER, 8, W3264, typer_read, vgic__mmio_wi),
	REG(GICR_STATUSR, 4, VGIC_W32, vgic__mmio_raz, vgic__mmio_wi),
	REG(GICR_WAKER, 4, VGIC_W32, vgic__mmio_raz, vgic__mmio_wi),
	REG(GICR_PROPBASER, 8, W3264, propbaser_read, propbaser_write),
	REG(GICR_PENDBASER, 8, W3264, pendbaser_read, pendbaser_write),
	REG(GICR_INVLPIR, 8, W3264, vgic__mmio_raz, invlpir_write),
	REG(GICR_INVALLR, 8, W3264, vgic__mmio_raz, invallr_write),
	REG(GICR_SYNCR, 4, VGIC_W32, vgic__mmio_raz, vgic__mmio_wi),
	REG(GICR_IDREGS, 48, VGIC_W32, idregs_read, vgic__mmio_wi),
	/* v4.c: group, enable and priority writes also reach GICv4.1
	 * vSGIs held by a backend. */
	BANK(GICR_IGROUPR0, 4, 1, VGIC_W32, vgic__mmio_read_group,
	     vgic__v4_write_group0, NULL, NULL),
	BANK(GICR_ISENABLER0, 4, 1, VGIC_W32, vgic__mmio_read_enable,
	     vgic__v4_write_senable0, NULL, NULL),
	BANK(GICR_ICENABLER0, 4, 1, VGIC_W32, vgic__mmio_read_enable,
	     vgic__v4_write_cenable0, NULL, NULL),
	/* v4.c: the generic handlers plus GICv4.1 vSGIs. */
	BANK(GICR_ISPENDR0, 4, 1, VGIC_W32, vgic__v4_read_pending0,
	     vgic__v4_write_spending0, vgic__v4_uread_pending0,
	     vgic__v4_uwrite_pending0),
	BANK(GICR_ICPENDR0, 4, 1, VGIC_W32, vgic__v4_read_pending0,
	     vgic__v4_write_cpending0, vgic__mmio_raz, vgic__mmio_uwi),
	BANK(GICR_ISACTIVER0, 4, 1, VGIC_W32, vgic__mmio_read_active,
	     vgic__mmio_write_sactive, NULL, NULL),
	BANK(GICR_ICACTIVER0, 4, 1, VGIC_W32, vgic__mmio_read_active,
	     vgic__mmio_write_cactive, NULL, NULL),
	BANK(GICR_IPRIORITYR0, 32, 8, VGIC_W8 | VGIC_W32,
	     vgic__mmio_read_priority, vgic__v4_write_priority0, NULL, NULL),
	BANK(GICR_ICFGR0, 8, 2, VGIC_W32, vgic__mmio_read_config,
	     vgic__mmio_write_config, NULL, NULL),
	REG(GICR_IGRPMODR0, 4, VGIC_W32, vgic__mmio_raz, vgic__mmio_wi),
	REG(GICR_NSACR, 4, VGIC_W32, vgic__mmio_raz, vgic__mmio_wi),
};

static const struct vgic_reg_table redist_table = {
	redist_regs, VGIC_ARRAY_SIZE(redist_regs)
};

void vgic__v3_redist_mmio(struct vgic *v, uint32_t rd, uint64_t off,
			  uint64_t *val, uint32_t len, bool write)
{
	struct vgic_mmio_ctx c;

	if (!v->initialized || rd >= v->nr_vcpus) {
		if (!write)
			*val = 0;
		return;
	}
	vgic__mmio_ctx_init(&c, v, rd, rd, VGIC_NR_PRIVATE_IRQS, false);
	vgic__mmio_access(&redist_table, &c, (uint32_t)off, val, len, write);
}

int vgic__v3_redist_uaccess(struct vgic *v, uint32_t vcpu, uint32_t off,
			    uint32_t *val, bool write)
{
	struct vgic_mmio_ctx c;

	vgic__mmio_ctx_init(&c, v, vcpu, vcpu, VGIC_NR_PRIVATE_IRQS, true);
	return vgic__mmio_uaccess(&redist_table, &c, off, val, write);
}

bool vgic__v3_redist_has(struct vgic *v, uint32_t off)
{
	struct vgic_mmio_ctx c;

	vgic__mmio_ctx_init(&c, v, 0, 0, VGIC_NR_PRIVATE_IRQS, true);
	return !(off & 3) && vgic__mmio_find(&redist_table, &c, off, 4);
}

/*
 * libvgic - GICv3 CPU interface system registers (ICC_*_EL1, IHI 0069
 * 12.2), one table serving both guest MRS/MSR traps and the CPU_SYSREGS
 * device attribute (KVM's vgic-sys-reg-v3.c), on top of the engine in
 * core.c.
 *
 * What a guest sees: ICC_CTLR_EL1 reports PRIbits = 4 (5 bits), IDbits = 0
 * (16-bit INTIDs), A3V = 1, SEIS = 0; only CBPR and EOImode are writable.
 * ICC_SRE_EL1 reads SRE | DFB | DIB and ignores writes.  Only AP0R0/AP1R0
 * exist with 5 priority bits; AP*R1..3 are RAZ/WI for the guest.
 * SGIs (ICC_SGI1R_EL1: group 1 or 0; ICC_SGI0R_EL1 and ICC_ASGI1R_EL1:
 * group 0 only, as KVM with a single security state) route by MPIDR with
 * target lists, the range selector and IRM broadcast.
 *
 * Userspace (CPU_SYSREGS) may access PMR, BPR0/1, AP0R0-3, AP1R0-3, CTLR,
 * SRE and IGRPEN0/1 with KVM's validation: ICC_CTLR_EL1 may narrow PRIbits
 * and IDbits but not widen them and must keep SEIS and A3V; ICC_SRE_EL1
 * must have SRE set; an APRn beyond the PRIbits limit is -EINVAL.
 */
#include <stdlib.h>

#include "gicv3.h"
#include "regs.h"

struct icc_reg;
typedef uint64_t (*icc_read_fn)(struct vgic *v, uint32_t vcpu,
				const struct icc_reg *r);
typedef void (*icc_write_fn)(struct vgic *v, uint32_t vcpu,
			     const struct icc_reg *r, uint64_t val);
/* Userspace write with validation: 0 or -EINVAL. */
typedef int (*icc_uwrite_fn)(struct vgic *v, uint32_t vcpu,
			     const struct icc_reg *r, uint64_t val);

/*
 * @user:  part of KVM's CPU_SYSREGS set.
 * @arg:   group (IAR/EOIR/HPPIR/BPR/SGI) or APR index.
 */
struct icc_reg {
	uint32_t enc;
	bool user;
	uint8_t arg;
	icc_read_fn read;   /* NULL: write-only, RAZ for the guest */
	icc_write_fn write; /* NULL: read-only, WI */
	icc_uwrite_fn uwrite;
};

static struct vgic_vcpu *cpu(struct vgic *v, uint32_t vcpu)
{
	return &v->vcpu[vcpu];
}

static uint64_t pmr_read(struct vgic *v, uint32_t vcpu, const struct icc_reg *r)
{
	(void)r;
	return cpu(v, vcpu)->pmr;
}

static void pmr_write(struct vgic *v, uint32_t vcpu, const struct icc_reg *r,
		      uint64_t val)
{
	(void)r;
	cpu(v, vcpu)->pmr = (uint8_t)(val & VGIC_PRI_MASK);
	vgic__update_vcpu(v, vcpu);
}

static uint64_t iar_read(struct vgic *v, uint32_t vcpu, const struct icc_reg *r)
{
	return vgic__ack(v, vcpu, 1u << r->arg, NULL);
}

static void eoir_write(struct vgic *v, uint32_t vcpu, const struct icc_reg *r,
		       uint64_t val)
{
	uint32_t intid = (uint32_t)(val & 0xffffff);

	/* Special INTIDs are ignored; an EOI that does not match the
	 * highest active group is ignored too (UNPREDICTABLE). */
	if (intid >= VGIC_FIRST_SPECIAL_INTID && intid < VGIC_MIN_LPI)
		return;
	if (!vgic__priority_drop(v, vcpu, r->arg))
		return;
	if (!cpu(v, vcpu)->eoimode)
		vgic__deactivate(v, vcpu, intid);
}

static void dir_write(struct vgic *v, uint32_t vcpu, const struct icc_reg *r,
		      uint64_t val)
{
	(void)r;
	/* UNPREDICTABLE with EOImode 0: ignored. */
	if (cpu(v, vcpu)->eoimode)
		vgic__deactivate(v, vcpu, (uint32_t)(val & 0xffffff));
}

static uint64_t hppir_read(struct vgic *v, uint32_t vcpu,
			   const struct icc_reg *r)
{
	struct vgic_hppi h;

	if (!vgic__hppi(v, vcpu, 3, &h) || h.group != r->arg)
		return VGIC_SPURIOUS;
	return h.intid;
}

static uint64_t rpr_read(struct vgic *v, uint32_t vcpu, const struct icc_reg *r)
{
	uint8_t rpr = vgic__rpr(v, vcpu);

	(void)r;
	/* Idle priority reads as 0xff (all implemented bits set). */
	return rpr;
}

static uint64_t bpr_read(struct vgic *v, uint32_t vcpu, const struct icc_reg *r)
{
	struct vgic_vcpu *c = cpu(v, vcpu);

	if (!r->arg)
		return c->bpr0;
	if (c->cbpr)
		return c->bpr0 + 1u < 7u ? c->bpr0 + 1u : 7u;
	return c->bpr1;
}

static void bpr_write(struct vgic *v, uint32_t vcpu, const struct icc_reg *r,
		      uint64_t val)
{
	struct vgic_vcpu *c = cpu(v, vcpu);
	uint8_t b = (uint8_t)(val & 7);

	if (!r->arg) {
		/* Values below the minimum read back as the minimum. */
		c->bpr0 = b < VGIC_MIN_BPR0 ? VGIC_MIN_BPR0 : b;
	} else {
		if (c->cbpr)
			return; /* BPR1 is BPR0 + 1 while CBPR is set */
		c->bpr1 = b < VGIC_MIN_BPR0 + 1 ? VGIC_MIN_BPR0 + 1 : b;
	}
	vgic__update_vcpu(v, vcpu);
}

static uint32_t *apr(struct vgic_vcpu *c, const struct icc_reg *r)
{
	return (r->arg & 4) ? &c->ap1r[r->arg & 3] : &c->ap0r[r->arg & 3];
}

static unsigned max_apr_idx(const struct vgic_vcpu *c)
{
	return c->icc_pri_bits >= 7 ? 3 : c->icc_pri_bits == 6 ? 1 : 0;
}

static uint64_t apr_read(struct vgic *v, uint32_t vcpu, const struct icc_reg *r)
{
	struct vgic_vcpu *c = cpu(v, vcpu);

	/* Only register 0 holds the 32 levels of 5 priority bits. */
	return (r->arg & 3) ? 0 : *apr(c, r);
}

static void apr_write(struct vgic *v, uint32_t vcpu, const struct icc_reg *r,
		      uint64_t val)
{
	if (r->arg & 3)
		return;
	*apr(cpu(v, vcpu), r) = (uint32_t)val;
	vgic__update_vcpu(v, vcpu);
}

static int apr_uwrite(struct vgic *v, uint32_t vcpu, const struct icc_reg *r,
		      uint64_t val)
{
	if ((r->arg & 3u) > max_apr_idx(cpu(v, vcpu)))
		return -EINVAL;
	apr_write(v, vcpu, r, val);
	return 0;
}

static uint64_t ctlr_read(struct vgic *v, uint32_t vcpu, const struct icc_reg *r)
{
	struct vgic_vcpu *c = cpu(v, vcpu);
	uint64_t val = ICC_CTLR_A3V;

	(void)r;
	val |= (uint64_t)(c->icc_pri_bits - 1) << ICC_CTLR_PRIBITS_SHIFT;
	val |= (uint64_t)c->icc_id_bits << ICC_CTLR_IDBITS_SHIFT;
	if (c->cbpr)
		val |= ICC_CTLR_CBPR;
	if (c->eoimode)
		val |= ICC_CTLR_EOIMODE;
	return val;
}

static void ctlr_write(struct vgic *v, uint32_t vcpu, const struct icc_reg *r,
		       uint64_t val)
{
	struct vgic_vcpu *c = cpu(v, vcpu);

	(void)r;
	c->cbpr = (val & ICC_CTLR_CBPR) != 0;
	c->eoimode = (val & ICC_CTLR_EOIMODE) != 0;
	vgic__update_vcpu(v, vcpu);
}

static int ctlr_uwrite(struct vgic *v, uint32_t vcpu, const struct icc_reg *r,
		       uint64_t val)
{
	struct vgic_vcpu *c = cpu(v, vcpu);
	unsigned pri = (unsigned)((val & ICC_CTLR_PRIBITS_MASK) >>
				  ICC_CTLR_PRIBITS_SHIFT) + 1;
	unsigned id = (unsigned)((val & ICC_CTLR_IDBITS_MASK) >>
				 ICC_CTLR_IDBITS_SHIFT);

	/* KVM's order: each check stores its field before the next one. */
	if (pri > c->icc_pri_bits)
		return -EINVAL;
	c->icc_pri_bits = (uint8_t)pri;
	if (id > c->icc_id_bits)
		return -EINVAL;
	c->icc_id_bits = (uint8_t)id;
	if (val & ICC_CTLR_SEIS)
		return -EINVAL;
	if (!(val & ICC_CTLR_A3V))
		return -EINVAL;
	ctlr_write(v, vcpu, r, val);
	return 0;
}

static uint64_t sre_read(struct vgic *v, uint32_t vcpu, const struct icc_reg *r)
{
	(void)v;
	(void)vcpu;
	(void)r;
	return ICC_SRE_SRE | ICC_SRE_DFB | ICC_SRE_DIB;
}

static void sre_write(struct vgic *v, uint32_t vcpu, const struct icc_reg *r,
		      uint64_t val)
{
	/* SRE is RAO/WI: the system-register interface is always on. */
	(void)v;
	(void)vcpu;
	(void)r;
	(void)val;
}

static int sre_uwrite(struct vgic *v, uint32_t vcpu, const struct icc_reg *r,
		      uint64_t val)
{
	(void)v;
	(void)vcpu;
	(void)r;
	return (val & ICC_SRE_SRE) ? 0 : -EINVAL;
}

static uint64_t igrpen_read(struct vgic *v, uint32_t vcpu,
			    const struct icc_reg *r)
{
	struct vgic_vcpu *c = cpu(v, vcpu);

	return r->arg ? c->igrpen1 : c->igrpen0;
}

static void igrpen_write(struct vgic *v, uint32_t vcpu,
			 const struct icc_reg *r, uint64_t val)
{
	struct vgic_vcpu *c = cpu(v, vcpu);

	if (r->arg)
		c->igrpen1 = val & 1;
	else
		c->igrpen0 = val & 1;
	vgic__update_vcpu(v, vcpu);
}

/* Make SGI @sgi pending on @target if the register may generate its
 * group: SGI0R/ASGI1R only group 0, SGI1R either (KVM). */
static void queue_sgi(struct vgic *v, uint32_t target, uint32_t sgi,
		      bool allow_g1)
{
	struct vgic_irq *irq = &v->vcpu[target].priv[sgi];

	if (irq->group && !allow_g1)
		return;
	irq->pending_latch = true;
	vgic__update_vcpu(v, target);
}

static void sgi_write(struct vgic *v, uint32_t vcpu, const struct icc_reg *r,
		      uint64_t val)
{
	uint32_t sgi = (uint32_t)(val >> ICC_SGIR_INTID_SHIFT) & 0xf;
	bool g1 = r->arg != 0;
	uint64_t aff;
	unsigned rs;

	if (val & ICC_SGIR_IRM) {
		for (uint32_t i = 0; i < v->nr_vcpus; i++)
			if (i != vcpu)
				queue_sgi(v, i, sgi, g1);
		return;
	}
	aff = ((val >> ICC_SGIR_AFF3_SHIFT) & 0xff) << 32 |
	      ((val >> ICC_SGIR_AFF2_SHIFT) & 0xff) << 16 |
	      ((val >> ICC_SGIR_AFF1_SHIFT) & 0xff) << 8;
	/* DEVIATION: KVM ignores RS (it reports ICC_CTLR_EL1.RSS = 0, so
	 * only Aff0 0..15 are reachable); we honour it so that vCPUs with
	 * any Aff0 can receive SGIs.  RS = 0 behaves exactly as KVM. */
	rs = (unsigned)(val >> ICC_SGIR_RS_SHIFT) & 0xf;
	for (unsigned b = 0; b < 16; b++) {
		struct vgic_vcpu *t;

		if (!((val >> b) & 1))
			continue;
		t = vgic__vcpu_by_mpidr(v, aff | (rs * 16 + b));
		if (t)
			queue_sgi(v, t->id, sgi, g1);
	}
}

#define ENC(crn, crm, op2) VGIC_SYSREG(3, 0, crn, crm, op2)

/* Sorted by encoding. */
static const struct icc_reg icc_regs[] = {
	{ ENC(4, 6, 0), true, 0, pmr_read, pmr_write, NULL },      /* PMR */
	{ ENC(12, 8, 0), false, 0, iar_read, NULL, NULL },         /* IAR0 */
	{ ENC(12, 8, 1), false, 0, NULL, eoir_write, NULL },       /* EOIR0 */
	{ ENC(12, 8, 2), false, 0, hppir_read, NULL, NULL },       /* HPPIR0 */
	{ ENC(12, 8, 3), true, 0, bpr_read, bpr_write, NULL },     /* BPR0 */
	{ ENC(12, 8, 4), true, 0, apr_read, apr_write, apr_uwrite }, /* AP0R0 */
	{ ENC(12, 8, 5), true, 1, apr_read, apr_write, apr_uwrite },
	{ ENC(12, 8, 6), true, 2, apr_read, apr_write, apr_uwrite },
	{ ENC(12, 8, 7), true, 3, apr_read, apr_write, apr_uwrite },
	{ ENC(12, 9, 0), true, 4, apr_read, apr_write, apr_uwrite }, /* AP1R0 */
	{ ENC(12, 9, 1), true, 5, apr_read, apr_write, apr_uwrite },
	{ ENC(12, 9, 2), true, 6, apr_read, apr_write, apr_uwrite },
	{ ENC(12, 9, 3), true, 7, apr_read, apr_write, apr_uwrite },
	{ ENC(12, 11, 1), false, 0, NULL, dir_write, NULL },       /* DIR */
	{ ENC(12, 11, 3), false, 0, rpr_read, NULL, NULL },        /* RPR */
	{ ENC(12, 11, 5), false, 1, NULL, sgi_write, NULL },       /* SGI1R */
	{ ENC(12, 11, 6), false, 0, NULL, sgi_write, NULL },       /* ASGI1R */
	{ ENC(12, 11, 7), false, 0, NULL, sgi_write, NULL },       /* SGI0R */
	{ ENC(12, 12, 0), false, 1, iar_read, NULL, NULL },        /* IAR1 */
	{ ENC(12, 12, 1), false, 1, NULL, eoir_write, NULL },      /* EOIR1 */
	{ ENC(12, 12, 2), false, 1, hppir_read, NULL, NULL },      /* HPPIR1 */
	{ ENC(12, 12, 3), true, 1, bpr_read, bpr_write, NULL },    /* BPR1 */
	{ ENC(12, 12, 4), true, 0, ctlr_read, ctlr_write, ctlr_uwrite },
	{ ENC(12, 12, 5), true, 0, sre_read, sre_write, sre_uwrite },
	{ ENC(12, 12, 6), true, 0, igrpen_read, igrpen_write, NULL },
	{ ENC(12, 12, 7), true, 1, igrpen_read, igrpen_write, NULL },
};

static int icc_cmp(const void *key, const void *elem)
{
	uint32_t enc = *(const uint32_t *)key;
	const struct icc_reg *r = elem;

	return enc < r->enc ? -1 : enc > r->enc;
}

static const struct icc_reg *icc_find(uint32_t enc)
{
	return bsearch(&enc, icc_regs, VGIC_ARRAY_SIZE(icc_regs),
		       sizeof(icc_regs[0]), icc_cmp);
}

int vgic__v3_sysreg(struct vgic *v, uint32_t vcpu, uint32_t enc,
		    uint64_t *val, bool write)
{
	const struct icc_reg *r = icc_find(enc);

	if (!r)
		return -ENOENT;
	if (write) {
		if (r->write)
			r->write(v, vcpu, r, *val);
	} else {
		*val = r->read ? r->read(v, vcpu, r) : 0;
	}
	return 0;
}

int vgic__v3_sysreg_uaccess(struct vgic *v, uint32_t vcpu, uint32_t enc,
			    uint64_t *val, bool write)
{
	const struct icc_reg *r = icc_find(enc);

	if (!r || !r->user)
		return -ENXIO;
	if ((r->uwrite == apr_uwrite) && !write &&
	    (r->arg & 3u) > max_apr_idx(cpu(v, vcpu)))
		return -EINVAL;
	if (!write) {
		*val = r->read(v, vcpu, r);
		return 0;
	}
	if (r->uwrite)
		return r->uwrite(v, vcpu, r, *val);
	r->write(v, vcpu, r, *val);
	return 0;
}

int vgic__v3_sysreg_has(struct vgic *v, uint32_t vcpu, uint32_t enc)
{
	const struct icc_reg *r = icc_find(enc);

	(void)v;
	(void)vcpu;
	return r && r->user ? 0 : -ENXIO;
}

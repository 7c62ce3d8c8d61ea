/*
 * libvgic - generic MMIO register tables and the per-IRQ register families
 * (GIC architecture specification, IHI 0069, 12.9 "The GIC Distributor
 * register descriptions" and IHI 0048 4.3 for GICv2).
 *
 * Every frame (GICD, GICR RD_base + SGI_base, GICv2 GICD and GICC) is a
 * sorted table of struct vgic_reg; the checks every access needs (known
 * offset, allowed width, natural alignment, existing INTID) live here once,
 * and illegal accesses are RAZ/WI.  The per-IRQ handlers are shared by the
 * GICv3 distributor, the GICv3 SGI_base frame and the GICv2 distributor:
 * private interrupts (INTID < 32) resolve through c->priv, so the same
 * handler serves a banked register and a redistributor.
 *
 * After a guest access, the outputs of every vCPU whose interrupts changed
 * are recomputed (vgic__mmio_flush): handlers only record them.
 */
#include <stdlib.h>

#include "mmio.h"
#include "regs.h"

void vgic__mmio_ctx_init(struct vgic_mmio_ctx *c, struct vgic *v,
			 uint32_t vcpu, uint32_t priv, uint32_t nr_intids,
			 bool uaccess)
{
	memset(c, 0, sizeof(*c));
	c->v = v;
	c->vcpu = vcpu;
	c->priv = priv;
	c->nr_intids = nr_intids;
	c->uaccess = uaccess;
}

static int reg_cmp(const void *key, const void *elem)
{
	uint32_t off = *(const uint32_t *)key;
	const struct vgic_reg *r = elem;

	if (off < r->offset)
		return -1;
	if (off - r->offset >= r->len)
		return 1;
	return 0;
}

const struct vgic_reg *vgic__mmio_find(const struct vgic_reg_table *t,
				       const struct vgic_mmio_ctx *c,
				       uint32_t off, unsigned len)
{
	const struct vgic_reg *r;

	r = bsearch(&off, t->regs, t->nr, sizeof(*r), reg_cmp);
	if (!r)
		return NULL;
	if (!(r->widths & len) || (off & (len - 1)))
		return NULL;
	if ((uint64_t)off - r->offset + len > r->len)
		return NULL;
	if (r->bits_per_irq) {
		uint64_t intid = (uint64_t)(off - r->offset) * 8 /
				 r->bits_per_irq;
		if (intid >= c->nr_intids)
			return NULL;
	}
	return r;
}

static void set_intid(struct vgic_mmio_ctx *c, const struct vgic_reg *r,
		      uint32_t off)
{
	c->intid = r->bits_per_irq ?
			   (uint32_t)((uint64_t)(off - r->offset) * 8 /
				      r->bits_per_irq) :
			   0;
}

void vgic__mmio_touch(struct vgic_mmio_ctx *c, uint32_t vcpu)
{
	if (vcpu == VGIC_NO_VCPU || c->touched_all)
		return;
	for (uint32_t i = 0; i < c->nr_touched; i++)
		if (c->touched[i] == vcpu)
			return;
	if (c->nr_touched == VGIC_ARRAY_SIZE(c->touched)) {
		c->touched_all = true;
		return;
	}
	c->touched[c->nr_touched++] = vcpu;
}

void vgic__mmio_flush(struct vgic_mmio_ctx *c)
{
	if (c->touched_all)
		vgic__update_all(c->v);
	else
		for (uint32_t i = 0; i < c->nr_touched; i++)
			vgic__update_vcpu(c->v, c->touched[i]);
	c->nr_touched = 0;
	c->touched_all = false;
}

void vgic__mmio_access(const struct vgic_reg_table *t, struct vgic_mmio_ctx *c,
		       uint32_t off, uint64_t *val, unsigned len, bool write)
{
	const struct vgic_reg *r = vgic__mmio_find(t, c, off, len);

	if (!r) {
		/* Reserved offset, bad width or alignment: RAZ/WI. */
		if (!write)
			*val = 0;
		return;
	}
	set_intid(c, r, off);
	if (write) {
		r->write(c, off, len, *val);
		vgic__mmio_flush(c);
	} else {
		*val = r->read(c, off, len);
	}
}

int vgic__mmio_uaccess(const struct vgic_reg_table *t, struct vgic_mmio_ctx *c,
		       uint32_t off, uint32_t *val, bool write)
{
	const struct vgic_reg *r = vgic__mmio_find(t, c, off, 4);
	int ret = 0;

	if (!r) {
		/* KVM's vgic_uaccess: an unknown register reads 0. */
		if (!write)
			*val = 0;
		return 0;
	}
	set_intid(c, r, off);
	if (write) {
		if (r->uaccess_write)
			ret = r->uaccess_write(c, off, 4, *val);
		else
			r->write(c, off, 4, *val);
		vgic__mmio_flush(c);
	} else {
		*val = (uint32_t)(r->uaccess_read ? r->uaccess_read(c, off, 4) :
						    r->read(c, off, 4));
	}
	return ret;
}

uint64_t vgic__mmio_extract(uint64_t reg, uint32_t off, unsigned len)
{
	reg >>= (off & 7) * 8;
	return len >= 8 ? reg : reg & ((1ull << (len * 8)) - 1);
}

uint64_t vgic__mmio_deposit(uint64_t reg, uint32_t off, unsigned len,
			    uint64_t val)
{
	unsigned shift = (off & 7) * 8;
	uint64_t mask = len >= 8 ? ~0ull : ((1ull << (len * 8)) - 1);

	return (reg & ~(mask << shift)) | ((val & mask) << shift);
}

uint64_t vgic__mmio_raz(struct vgic_mmio_ctx *c, uint32_t off, unsigned len)
{
	(void)c;
	(void)off;
	(void)len;
	return 0;
}

uint64_t vgic__mmio_rao(struct vgic_mmio_ctx *c, uint32_t off, unsigned len)
{
	(void)c;
	(void)off;
	return len >= 8 ? ~0ull : (1ull << (len * 8)) - 1;
}

void vgic__mmio_wi(struct vgic_mmio_ctx *c, uint32_t off, unsigned len,
		   uint64_t val)
{
	(void)c;
	(void)off;
	(void)len;
	(void)val;
}

int vgic__mmio_uwi(struct vgic_mmio_ctx *c, uint32_t off, unsigned len,
		   uint64_t val)
{
	vgic__mmio_wi(c, off, len, val);
	return 0;
}

struct vgic_irq *vgic__mmio_irq(struct vgic_mmio_ctx *c, uint32_t intid)
{
	if (intid >= c->nr_intids)
		return NULL;
	return vgic__irq(c->v, intid < VGIC_NR_PRIVATE_IRQS ? c->priv : 0,
			 intid);
}

uint32_t vgic__mmio_irq_owner(struct vgic_mmio_ctx *c, uint32_t intid,
			      const struct vgic_irq *irq)
{
	return intid < VGIC_NR_PRIVATE_IRQS ? c->priv : irq->target;
}

/* ---- per-IRQ families ---------------------------------------------------
 * Each walks the INTIDs the access covers; INTIDs that do not exist read as
 * zero and ignore writes.
 */

static bool is_v2_sgi(const struct vgic_mmio_ctx *c, uint32_t intid)
{
	return c->v->model == 2 && intid < VGIC_NR_SGIS;
}

typedef uint64_t (*irq_get_fn)(struct vgic_mmio_ctx *c, uint32_t intid,
			       struct vgic_irq *irq);
/* Returns true if the interrupt's state changed. */
typedef bool (*irq_set_fn)(struct vgic_mmio_ctx *c, uint32_t intid,
			   struct vgic_irq *irq, uint64_t field);

static uint64_t read_fields(struct vgic_mmio_ctx *c, unsigned len,
			    unsigned bpi, irq_get_fn get)
{
	unsigned n = len * 8 / bpi;
	uint64_t val = 0;

	for (unsigned i = 0; i < n; i++) {
		struct vgic_irq *irq = vgic__mmio_irq(c, c->intid + i);
		if (irq)
			val |= get(c, c->intid + i, irq) << (i * bpi);
	}
	return val;
}

static void write_fields(struct vgic_mmio_ctx *c, unsigned len, unsigned bpi,
			 uint64_t val, irq_set_fn set)
{
	unsigned n = len * 8 / bpi;
	uint64_t mask = bpi >= 64 ? ~0ull : (1ull << bpi) - 1;

	for (unsigned i = 0; i < n; i++) {
		uint32_t intid = c->intid + i;
		struct vgic_irq *irq = vgic__mmio_irq(c, intid);
		if (irq && set(c, intid, irq, (val >> (i * bpi)) & mask)) {
			vgic__irq_mark(c->v, intid);
			vgic__mmio_touch(c, vgic__mmio_irq_owner(c, intid, irq));
		}
	}
}

static uint64_t get_group(struct vgic_mmio_ctx *c, uint32_t intid,
			  struct vgic_irq *irq)
{
	(void)c;
	(void)intid;
	return irq->group;
}

static bool set_group(struct vgic_mmio_ctx *c, uint32_t intid,
		      struct vgic_irq *irq, uint64_t f)
{
	(void)c;
	(void)intid;
	if (irq->group == f)
		return false;
	irq->group = (uint8_t)f;
	return true;
}

uint64_t vgic__mmio_read_group(struct vgic_mmio_ctx *c, uint32_t off,
			       unsigned len)
{
	(void)off;
	return read_fields(c, len, 1, get_group);
}

void vgic__mmio_write_group(struct vgic_mmio_ctx *c, uint32_t off,
			    unsigned len, uint64_t val)
{
	(void)off;
	write_fields(c, len, 1, val, set_group);
}

static uint64_t get_enable(struct vgic_mmio_ctx *c, uint32_t intid,
			   struct vgic_irq *irq)
{
	(void)c;
	(void)intid;
	return irq->enabled;
}

static bool set_enable(struct vgic_mmio_ctx *c, uint32_t intid,
		       struct vgic_irq *irq, uint64_t f)
{
	(void)c;
	(void)intid;
	if (!f || irq->enabled)
		return false;
	irq->enabled = true;
	return true;
}

static bool clear_enable(struct vgic_mmio_ctx *c, uint32_t intid,
			 struct vgic_irq *irq, uint64_t f)
{
	(void)c;
	(void)intid;
	if (!f || !irq->enabled)
		return false;
	irq->enabled = false;
	return true;
}

uint64_t vgic__mmio_read_enable(struct vgic_mmio_ctx *c, uint32_t off,
				unsigned len)
{
	(void)off;
	return read_fields(c, len, 1, get_enable);
}

void vgic__mmio_write_senable(struct vgic_mmio_ctx *c, uint32_t off,
			      unsigned len, uint64_t val)
{
	(void)off;
	write_fields(c, len, 1, val, set_enable);
}

void vgic__mmio_write_cenable(struct vgic_mmio_ctx *c, uint32_t off,
			      unsigned len, uint64_t val)
{
	(void)off;
	write_fields(c, len, 1, val, clear_enable);
}

static uint64_t get_pending(struct vgic_mmio_ctx *c, uint32_t intid,
			    struct vgic_irq *irq)
{
	if (is_v2_sgi(c, intid))
		return irq->v2_sgi_src != 0;
	return vgic__irq_pending(irq);
}

static uint64_t get_latch(struct vgic_mmio_ctx *c, uint32_t intid,
			  struct vgic_irq *irq)
{
	if (is_v2_sgi(c, intid))
		return irq->v2_sgi_src != 0;
	return irq->pending_latch;
}

static bool set_pending(struct vgic_mmio_ctx *c, uint32_t intid,
			struct vgic_irq *irq, uint64_t f)
{
	if (!f)
		return false;
	if (is_v2_sgi(c, intid)) {
		/* GICv2 SGIs are made pending through GICD_SPENDSGIR; a user
		 * write names the accessing vCPU as the source (KVM). */
		if (!c->uaccess || c->vcpu >= 8)
			return false;
		irq->v2_sgi_src |= (uint8_t)(1u << c->vcpu);
	}
	irq->pending_latch = true;
	return true;
}

static bool clear_pending(struct vgic_mmio_ctx *c, uint32_t intid,
			  struct vgic_irq *irq, uint64_t f)
{
	if (!f)
		return false;
	if (is_v2_sgi(c, intid)) {
		if (!c->uaccess)
			return false;
		irq->v2_sgi_src = 0;
	}
	irq->pending_latch = false;
	return true;
}

static bool set_latch_abs(struct vgic_mmio_ctx *c, uint32_t intid,
			  struct vgic_irq *irq, uint64_t f)
{
	(void)c;
	(void)intid;
	irq->pending_latch = f != 0;
	return true;
}

uint64_t vgic__mmio_read_pending(struct vgic_mmio_ctx *c, uint32_t off,
				 unsigned len)
{
	(void)off;
	return read_fields(c, len, 1, get_pending);
}

uint64_t vgic__mmio_uread_pending(struct vgic_mmio_ctx *c, uint32_t off,
				  unsigned len)
{
	(void)off;
	return read_fields(c, len, 1, get_latch);
}

void vgic__mmio_write_spending(struct vgic_mmio_ctx *c, uint32_t off,
			       unsigned len, uint64_t val)
{
	(void)off;
	write_fields(c, len, 1, val, set_pending);
}

void vgic__mmio_write_cpending(struct vgic_mmio_ctx *c, uint32_t off,
			       unsigned len, uint64_t val)
{
	(void)off;
	write_fields(c, len, 1, val, clear_pending);
}

int vgic__mmio_uwrite_pending_abs(struct vgic_mmio_ctx *c, uint32_t off,
				  unsigned len, uint64_t val)
{
	(void)off;
	write_fields(c, len, 1, val, set_latch_abs);
	return 0;
}

static uint64_t get_active(struct vgic_mmio_ctx *c, uint32_t intid,
			   struct vgic_irq *irq)
{
	(void)c;
	(void)intid;
	return irq->active;
}

static bool set_active(struct vgic_mmio_ctx *c, uint32_t intid,
		       struct vgic_irq *irq, uint64_t f)
{
	(void)c;
	(void)intid;
	if (!f || irq->active)
		return false;
	irq->active = true;
	return true;
}

static bool clear_active(struct vgic_mmio_ctx *c, uint32_t intid,
			 struct vgic_irq *irq, uint64_t f)
{
	(void)c;
	(void)intid;
	if (!f || !irq->active)
		return false;
	irq->active = false;
	irq->v2_active_src = 0;
	return true;
}

uint64_t vgic__mmio_read_active(struct vgic_mmio_ctx *c, uint32_t off,
				unsigned len)
{
	(void)off;
	return read_fields(c, len, 1, get_active);
}

void vgic__mmio_write_sactive(struct vgic_mmio_ctx *c, uint32_t off,
			      unsigned len, uint64_t val)
{
	(void)off;
	write_fields(c, len, 1, val, set_active);
}

void vgic__mmio_write_cactive(struct vgic_mmio_ctx *c, uint32_t off,
			      unsigned len, uint64_t val)
{
	(void)off;
	write_fields(c, len, 1, val, clear_active);
}

static uint64_t get_priority(struct vgic_mmio_ctx *c, uint32_t intid,
			     struct vgic_irq *irq)
{
	(void)c;
	(void)intid;
	return irq->priority;
}

static bool set_priority(struct vgic_mmio_ctx *c, uint32_t intid,
			 struct vgic_irq *irq, uint64_t f)
{
	uint8_t p = (uint8_t)(f & VGIC_PRI_MASK);

	(void)c;
	(void)intid;
	if (irq->priority == p)
		return false;
	irq->priority = p;
	return true;
}

uint64_t vgic__mmio_read_priority(struct vgic_mmio_ctx *c, uint32_t off,
				  unsigned len)
{
	(void)off;
	return read_fields(c, len, 8, get_priority);
}

void vgic__mmio_write_priority(struct vgic_mmio_ctx *c, uint32_t off,
			       unsigned len, uint64_t val)
{
	(void)off;
	write_fields(c, len, 8, val, set_priority);
}

static uint64_t get_config(struct vgic_mmio_ctx *c, uint32_t intid,
			   struct vgic_irq *irq)
{
	(void)c;
	(void)intid;
	return irq->edge ? 2 : 0;
}

static bool set_config(struct vgic_mmio_ctx *c, uint32_t intid,
		       struct vgic_irq *irq, uint64_t f)
{
	bool edge = (f & 2) != 0;

	(void)c;
	/* SGIs are always edge; KVM also keeps PPIs read-only (the
	 * configurability of PPIs is IMPLEMENTATION DEFINED). */
	if (intid < VGIC_NR_PRIVATE_IRQS || irq->edge == edge)
		return false;
	irq->edge = edge;
	return true;
}

uint64_t vgic__mmio_read_config(struct vgic_mmio_ctx *c, uint32_t off,
				unsigned len)
{
	(void)off;
	return read_fields(c, len, 2, get_config);
}

void vgic__mmio_write_config(struct vgic_mmio_ctx *c, uint32_t off,
			     unsigned len, uint64_t val)
{
	(void)off;
	write_fields(c, len, 2, val, set_config);
}

/*
 * libvgic - the register-table infrastructure shared by every MMIO frame
 * (GICv3 distributor and redistributors, GICv2 distributor and CPU
 * interface) and the per-IRQ register families (IGROUPR, I[SC]ENABLER,
 * I[SC]PENDR, I[SC]ACTIVER, IPRIORITYR, ICFGR) implemented once for all of
 * them.
 *
 * A frame is a sorted `static const struct vgic_reg[]`.  vgic__mmio_access()
 * finds the register with bsearch, checks the access width, alignment and,
 * for per-IRQ registers, that the first INTID exists, and runs the handler;
 * anything illegal is RAZ/WI.  The same table serves userspace accesses
 * (device attributes) through the optional uaccess_* hooks.
 *
 * All functions here need v->lock held.
 */
#ifndef VGIC_MMIO_H
#define VGIC_MMIO_H

#include "internal.h"

/*
 * One access in progress.
 * @v:         the instance.
 * @vcpu:      the accessing vCPU (GICv2 SGI source, user ISPENDR source).
 * @priv:      the vCPU whose private interrupts (INTID < 32) the frame
 *             shows, or VGIC_NO_VCPU when they are RAZ/WI (GICv3 GICD).
 * @nr_intids: per-IRQ registers whose first INTID is >= this are RAZ/WI.
 * @uaccess:   a userspace (device attribute) access.
 * @intid:     for per-IRQ registers, the first INTID the access covers
 *             (set by the dispatcher before the handler runs).
 * @touched:   vCPUs whose outputs must be recomputed after the access.
 */
struct vgic_mmio_ctx {
	struct vgic *v;
	uint32_t vcpu;
	uint32_t priv;
	uint32_t nr_intids;
	bool uaccess;
	uint32_t intid;
	uint32_t nr_touched;
	uint32_t touched[32];
	bool touched_all;
};

/*
 * One register (or register array) of a frame.
 * @offset, @len:  the byte range [offset, offset + len) in the frame.
 * @bits_per_irq:  0 for ordinary registers, else the width of one INTID's
 *                 field (1, 2, 8 or 64); INTID = (off - offset) * 8 / bpi.
 * @widths:        allowed access sizes as a bitmask of byte counts
 *                 (VGIC_W8 | VGIC_W32 ...).
 * @read, @write:  guest semantics; @off is the offset in the frame.
 * @uaccess_read, @uaccess_write: userspace semantics when they differ
 *                 (NULL: same as the guest's); uaccess_write may fail with
 *                 a negative errno (e.g. -EINVAL for a bad GICD_IIDR).
 */
struct vgic_reg {
	uint32_t offset;
	uint32_t len;
	uint8_t bits_per_irq;
	uint8_t widths;
	uint64_t (*read)(struct vgic_mmio_ctx *c, uint32_t off, unsigned len);
	void (*write)(struct vgic_mmio_ctx *c, uint32_t off, unsigned len,
		      uint64_t val);
	uint64_t (*uaccess_read)(struct vgic_mmio_ctx *c, uint32_t off,
				 unsigned len);
	int (*uaccess_write)(struct vgic_mmio_ctx *c, uint32_t off,
			     unsigned len, uint64_t val);
};

enum { VGIC_W8 = 1, VGIC_W16 = 2, VGIC_W32 = 4, VGIC_W64 = 8 };

/* Byte length of a per-IRQ register array covering all 1024 INTIDs. */
#define VGIC_IRQ_REG_LEN(bpi) ((bpi) * 1024 / 8)

struct vgic_reg_table {
	const struct vgic_reg *regs;
	size_t nr;
};

/* Initialise @c for an access to a frame.  Sets touched/intid to empty. */
void vgic__mmio_ctx_init(struct vgic_mmio_ctx *c, struct vgic *v,
			 uint32_t vcpu, uint32_t priv, uint32_t nr_intids,
			 bool uaccess);
/* The register an access of @len bytes at @off may use, or NULL when the
 * access is illegal (unknown offset, width, alignment, INTID). */
const struct vgic_reg *vgic__mmio_find(const struct vgic_reg_table *t,
				       const struct vgic_mmio_ctx *c,
				       uint32_t off, unsigned len);
/* A guest access: never fails, illegal accesses are RAZ/WI.  Recomputes
 * the outputs of every vCPU the access may have affected. */
void vgic__mmio_access(const struct vgic_reg_table *t, struct vgic_mmio_ctx *c,
		       uint32_t off, uint64_t *val, unsigned len, bool write);
/* A 32-bit userspace access (c->uaccess set): 0, or the uaccess_write
 * hook's error.  Unknown offsets read 0 and ignore writes, as KVM. */
int vgic__mmio_uaccess(const struct vgic_reg_table *t, struct vgic_mmio_ctx *c,
		       uint32_t off, uint32_t *val, bool write);
/* Recompute the outputs of every vCPU recorded in c->touched. */
void vgic__mmio_flush(struct vgic_mmio_ctx *c);
/* Record that the outputs of @vcpu (VGIC_NO_VCPU: nobody) may change. */
void vgic__mmio_touch(struct vgic_mmio_ctx *c, uint32_t vcpu);
/* The interrupt @intid as seen by this access (private ones through
 * c->priv), or NULL if it does not exist. */
struct vgic_irq *vgic__mmio_irq(struct vgic_mmio_ctx *c, uint32_t intid);
/* The vCPU whose outputs @irq (INTID @intid) feeds. */
uint32_t vgic__mmio_irq_owner(struct vgic_mmio_ctx *c, uint32_t intid,
			      const struct vgic_irq *irq);

/* Helpers for 64-bit registers accessed as a whole or as 32-bit halves. */
uint64_t vgic__mmio_extract(uint64_t reg, uint32_t off, unsigned len);
uint64_t vgic__mmio_deposit(uint64_t reg, uint32_t off, unsigned len,
			    uint64_t val);

/* Trivial handlers. */
uint64_t vgic__mmio_raz(struct vgic_mmio_ctx *c, uint32_t off, unsigned len);
uint64_t vgic__mmio_rao(struct vgic_mmio_ctx *c, uint32_t off, unsigned len);
void vgic__mmio_wi(struct vgic_mmio_ctx *c, uint32_t off, unsigned len,
		   uint64_t val);
int vgic__mmio_uwi(struct vgic_mmio_ctx *c, uint32_t off, unsigned len,
		   uint64_t val);

/* Per-IRQ register families (c->intid is the first INTID). */
uint64_t vgic__mmio_read_group(struct vgic_mmio_ctx *c, uint32_t off,
			       unsigned len);
void vgic__mmio_write_group(struct vgic_mmio_ctx *c, uint32_t off,
			    unsigned len, uint64_t val);
uint64_t vgic__mmio_read_enable(struct vgic_mmio_ctx *c, uint32_t off,
				unsigned len);
void vgic__mmio_write_senable(struct vgic_mmio_ctx *c, uint32_t off,
			      unsigned len, uint64_t val);
void vgic__mmio_write_cenable(struct vgic_mmio_ctx *c, uint32_t off,
			      unsigned len, uint64_t val);
/* Guest view: latch, or line level for level-sensitive interrupts; GICv2
 * SGIs are pending while any source is. */
uint64_t vgic__mmio_read_pending(struct vgic_mmio_ctx *c, uint32_t off,
				 unsigned len);
/* Userspace view: the latch only (KVM's vgic_uaccess_read_pending). */
uint64_t vgic__mmio_uread_pending(struct vgic_mmio_ctx *c, uint32_t off,
				  unsigned len);
/* W1S / W1C.  GICv2 SGIs: ignored for the guest; from userspace ISPENDR
 * adds the accessing vCPU as a source and ICPENDR clears all sources. */
void vgic__mmio_write_spending(struct vgic_mmio_ctx *c, uint32_t off,
			       unsigned len, uint64_t val);
void vgic__mmio_write_cpending(struct vgic_mmio_ctx *c, uint32_t off,
			       unsigned len, uint64_t val);
/* GICv3 userspace ISPENDR: the written value is the new latch. */
int vgic__mmio_uwrite_pending_abs(struct vgic_mmio_ctx *c, uint32_t off,
				  unsigned len, uint64_t val);
uint64_t vgic__mmio_read_active(struct vgic_mmio_ctx *c, uint32_t off,
				unsigned len);
void vgic__mmio_write_sactive(struct vgic_mmio_ctx *c, uint32_t off,
			      unsigned len, uint64_t val);
void vgic__mmio_write_cactive(struct vgic_mmio_ctx *c, uint32_t off,
			      unsigned len, uint64_t val);
uint64_t vgic__mmio_read_priority(struct vgic_mmio_ctx *c, uint32_t off,
				  unsigned len);
void vgic__mmio_write_priority(struct vgic_mmio_ctx *c, uint32_t off,
			       unsigned len, uint64_t val);
uint64_t vgic__mmio_read_config(struct vgic_mmio_ctx *c, uint32_t off,
				unsigned len);
void vgic__mmio_write_config(struct vgic_mmio_ctx *c, uint32_t off,
			     unsigned len, uint64_t val);

#endif /* VGIC_MMIO_H */

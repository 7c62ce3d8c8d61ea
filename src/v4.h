/*
 * libvgic - GICv4 direct injection: the hooks other blocks call (v4.c).
 *
 * Every hook is a no-op costing one pointer load when no GICv4 backend is
 * attached (v->v4 == NULL): behaviour without a backend is exactly that of
 * the emulated GICv3 + ITS.  Unless stated, hooks need v->lock held.
 *
 * Who calls what:
 *   its.c / its_cmd.c  vgic__v4_msi (MSI and INT), vgic__v4_clear (CLEAR),
 *                      vgic__v4_ite_gone (every ITE drop: DISCARD, MAPD
 *                      V=0, ITS reset, BASER.Valid=0).  A translation
 *                      cache, if one is ever added, must not hold an LPI
 *                      while vgic__v4_forwarded() is true.
 *   lpi.c              vgic__v4_inv (INV, GICR_INVLPIR), vgic__v4_inv_all
 *                      (INVALL, GICR_INVALLR), vgic__v4_retarget (MOVI,
 *                      MOVALL, MAPC).
 *   pending.c          vgic__v4_save_begin / vgic__v4_vpt_pending /
 *                      vgic__v4_save_end around SAVE_PENDING_TABLES.
 *   its_table.c        vgic__v4_its_save_check at the start of SAVE_TABLES.
 *   gicv3_dist.c       vgic__v4_nassgicap (GICD_TYPER2), vgic__v4_vsgi_update
 *                      after GICD_CTLR.nASSGIreq changes.
 *   gicv3_redist.c     vgic__v4_*pending0 as the GICR_ISPENDR0/ICPENDR0
 *                      handlers (guest and userspace).
 *   vgic.c             vgic__v4_destroy, vgic__v4_vcpu_run, vgic__v4_db.
 */
#ifndef VGIC_V4_PRIV_H
#define VGIC_V4_PRIV_H

#include "internal.h"

static inline struct vgic_v4 *vgic__v4(struct vgic *v)
{
	return atomic_load_explicit(&v->v4, memory_order_acquire);
}

/* ---- lock-free (callable with or without v->lock) ---------------------- */

/* True if LPI @intid is injected by the backend.  Lock-free. */
bool vgic__v4_forwarded_slow(struct vgic_v4 *v4, uint32_t intid);
static inline bool vgic__v4_forwarded(struct vgic *v, uint32_t intid)
{
	struct vgic_v4 *v4 = vgic__v4(v);

	return v4 && vgic__v4_forwarded_slow(v4, intid);
}

/* MSI or ITS INT for LPI @intid: if forwarded, make it pending in the
 * backend and return true (the caller must not touch the software state);
 * else return false.  Lock-free. */
bool vgic__v4_msi_slow(struct vgic *v, struct vgic_v4 *v4, uint32_t intid);
static inline bool vgic__v4_msi(struct vgic *v, uint32_t intid)
{
	struct vgic_v4 *v4 = vgic__v4(v);

	return v4 && vgic__v4_msi_slow(v, v4, intid);
}

/* vgic_vcpu_irq_pending(): a doorbell fired for @vcpu's vPE.  Lock-free. */
bool vgic__v4_db_slow(struct vgic_v4 *v4, uint32_t vcpu);
static inline bool vgic__v4_db(struct vgic *v, uint32_t vcpu)
{
	struct vgic_v4 *v4 = vgic__v4(v);

	return v4 && vgic__v4_db_slow(v4, vcpu);
}

/* ---- v->lock held ---------------------------------------------------------
 * VGIC__V4_HOOK(name, ...) declares name_slow() (in v4.c) and an inline
 * name() that calls it only when a backend is attached. */

#define VGIC__V4_HOOK(name, params, args)                                     \
	void name##_slow params;                                              \
	static inline void name params                                        \
	{                                                                     \
		if (vgic__v4(v))                                              \
			name##_slow args;                                     \
	}

/* ITS CLEAR of LPI @intid (after the software pending bit was cleared). */
VGIC__V4_HOOK(vgic__v4_clear, (struct vgic *v, uint32_t intid), (v, intid))
/* The configuration byte of @intid was re-read (INV, GICR_INVLPIR). */
VGIC__V4_HOOK(vgic__v4_inv, (struct vgic *v, uint32_t intid), (v, intid))
/* Every LPI targeting @vcpu was re-read (INVALL, GICR_INVALLR). */
VGIC__V4_HOOK(vgic__v4_inv_all, (struct vgic *v, uint32_t vcpu), (v, vcpu))
/* v->lpi.target[] of @intid changed (MOVI, MOVALL). */
VGIC__V4_HOOK(vgic__v4_retarget, (struct vgic *v, uint32_t intid), (v, intid))
/* An ITE translating to LPI @intid is being removed (DISCARD, MAPD V=0,
 * ITS reset, BASER.Valid = 0): as in KVM, that ends a forwarding of
 * @intid; the LPI stays emulated even if the guest maps it again. */
VGIC__V4_HOOK(vgic__v4_ite_gone, (struct vgic *v, uint32_t intid), (v, intid))
/* SAVE_PENDING_TABLES: before the walk (unmap the vPEs, read the VPTs)
 * and after it (map them back). */
VGIC__V4_HOOK(vgic__v4_save_begin, (struct vgic *v), (v))
VGIC__V4_HOOK(vgic__v4_save_end, (struct vgic *v), (v))
/* GICD_CTLR.nASSGIreq may have changed (guest write). */
VGIC__V4_HOOK(vgic__v4_vsgi_update, (struct vgic *v), (v))
/* vgic_destroy(). */
VGIC__V4_HOOK(vgic__v4_destroy, (struct vgic *v), (v))
/* vgic_vcpu_set_running(): @vcpu enters or leaves guest mode. */
VGIC__V4_HOOK(vgic__v4_vcpu_run,
	      (struct vgic *v, uint32_t vcpu, bool running),
	      (v, vcpu, running))

/* During SAVE_PENDING_TABLES: the VPT bit of forwarded LPI @intid, read
 * after the vPEs were unmapped (false if not forwarded). */
bool vgic__v4_vpt_pending_slow(struct vgic_v4 *v4, uint32_t intid);
static inline bool vgic__v4_vpt_pending(struct vgic *v, uint32_t intid)
{
	struct vgic_v4 *v4 = vgic__v4(v);

	return v4 && vgic__v4_vpt_pending_slow(v4, intid);
}

/* ITS SAVE_TABLES: -EACCES if @its has an ITE backed by a GICv4.0 vLPI,
 * whose pending state cannot be read; else 0. */
int vgic__v4_its_save_check_slow(struct vgic *v, const struct vgic_its *its);
static inline int vgic__v4_its_save_check(struct vgic *v,
					  const struct vgic_its *its)
{
	return vgic__v4(v) ? vgic__v4_its_save_check_slow(v, its) : 0;
}

/* SGIs are GICv4.1 vSGIs (nASSGIreq honoured): they have no active state,
 * so acknowledging one leaves it inactive (core.c). */
bool vgic__v4_vsgi_on_slow(struct vgic_v4 *v4);
static inline bool vgic__v4_vsgi_on(struct vgic *v)
{
	struct vgic_v4 *v4 = vgic__v4(v);

	return v4 && vgic__v4_vsgi_on_slow(v4);
}

/* GICD_TYPER2.nASSGIcap: a GICv4.1 backend with vSGIs is attached. */
bool vgic__v4_nassgicap(struct vgic *v);

/* GICR_ISPENDR0 / GICR_ICPENDR0 handlers for the redistributor's register
 * table: the generic pending handlers (mmio.c) plus, with vSGIs in a
 * GICv4.1 backend, the SGIs' state there (reads show the union; writes of
 * a stopped vCPU's SGIs go to the backend, §7.11).  Without a backend they
 * are exactly the generic handlers. */
struct vgic_mmio_ctx;
uint64_t vgic__v4_read_pending0(struct vgic_mmio_ctx *c, uint32_t off,
				unsigned len);
uint64_t vgic__v4_uread_pending0(struct vgic_mmio_ctx *c, uint32_t off,
				 unsigned len);
void vgic__v4_write_spending0(struct vgic_mmio_ctx *c, uint32_t off,
			      unsigned len, uint64_t val);
void vgic__v4_write_cpending0(struct vgic_mmio_ctx *c, uint32_t off,
			      unsigned len, uint64_t val);
int vgic__v4_uwrite_pending0(struct vgic_mmio_ctx *c, uint32_t off,
			     unsigned len, uint64_t val);
/* GICR_IGROUPR0, GICR_I[SC]ENABLER0, GICR_IPRIORITYR0 writes: the generic
 * handlers, then the SGIs' configuration is sent to the backend while it
 * holds the vSGIs (KVM's vgic_update_vsgi on every write). */
void vgic__v4_write_group0(struct vgic_mmio_ctx *c, uint32_t off,
			   unsigned len, uint64_t val);
void vgic__v4_write_senable0(struct vgic_mmio_ctx *c, uint32_t off,
			     unsigned len, uint64_t val);
void vgic__v4_write_cenable0(struct vgic_mmio_ctx *c, uint32_t off,
			     unsigned len, uint64_t val);
void vgic__v4_write_priority0(struct vgic_mmio_ctx *c, uint32_t off,
			      unsigned len, uint64_t val);

#endif /* VGIC_V4_PRIV_H */

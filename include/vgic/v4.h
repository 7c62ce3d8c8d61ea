/*
 * libvgic - GICv4 / GICv4.1 direct injection.
 *
 * With GICv4 hardware, the host ITS injects some LPIs straight into a virtual
 * PE (vPE, one per vCPU): a "vLPI" whose pending bit lives in the hardware's
 * virtual pending table (VPT), not in the emulated GIC.  GICv4.1 adds vSGIs
 * (SGIs whose pending state lives in the redistributor) and a readable VPT.
 * This header is the contract between libvgic and such hardware:
 *
 *  - struct vgic_v4_ops is what a hypervisor with real GICv4.x hardware
 *    implements (VMAPP, VMAPTI, VMOVI, INV, INT/CLEAR, VSGI, reading the VPT
 *    and GICR_VSGIPENDR) and attaches to an instance with vgic_v4_attach().
 *  - vgic_v4_set_forwarding() makes one guest (DeviceID, EventID) a vLPI
 *    backed by a host interrupt; from then on the library mirrors the
 *    guest's ITS commands for it into the backend.
 *  - vgic_v4_model_*() is a software model of GICv4.1 (or GICv4.0) hardware
 *    implementing the ops, for VMMs without such hardware and for tests.
 *
 * Without an attached backend nothing here is used and the library behaves
 * exactly as a GICv3 with an emulated ITS.  See docs/gicv4.md.
 */
#ifndef VGIC_V4_H
#define VGIC_V4_H

#include <stdbool.h>
#include <stdint.h>

#include <vgic/vgic.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Backend architecture revision (struct vgic_v4_ops.version). */
enum {
	VGIC_V4_0 = 40, /* GICv4.0: VPT unreadable, no vSGIs */
	VGIC_V4_1 = 41, /* GICv4.1: VPT readable while the vPE is unmapped */
};

/**
 * struct vgic_v4_vlpi - the mapping of one vLPI (the ITS VMAPTI command).
 * @vpe:      target vPE (= vcpu_id).
 * @vintid:   the virtual LPI INTID seen by the guest (>= 8192).
 * @priority: priority from the guest's LPI configuration byte (bits 7:2).
 * @enabled:  enable bit of that byte.
 * @doorbell: ring the vPE's doorbell when it becomes pending while the vPE
 *            is not resident (always true on GICv4.1).
 * The interrupt group is always 1, as KVM programs it.
 */
struct vgic_v4_vlpi {
	uint32_t vpe;
	uint32_t vintid;
	uint8_t priority;
	bool enabled;
	bool doorbell;
};

/**
 * struct vgic_v4_ops - what GICv4.x hardware (or the model) provides.
 * Every callback gets the @backend pointer given to vgic_v4_attach() and
 * returns 0 or a negative errno.  The library calls them with its instance
 * lock held, except @vlpi_set_pending, which the lock-free MSI path also
 * calls (as KVM sets the irqchip state from its MSI path).  They must not
 * call back into the library except through vgic_v4_doorbell() and
 * vgic_v4_deliver(), which are safe there.
 *
 * @version:          VGIC_V4_0 or VGIC_V4_1.
 * @vpe_map:          make the vPE known to the hardware (VMAPP V=1); its VPT
 *                    becomes owned by the GIC, which may cache it.
 * @vpe_unmap:        VMAPP V=0: the GIC writes its cached state back to the
 *                    VPT and forgets the vPE.  Only then is the VPT readable.
 * @vpe_schedule:     the vCPU enters (@resident true) or leaves guest mode
 *                    (GICR_VPENDBASER.Valid).  Pending vLPIs of a
 *                    non-resident vPE ring its doorbell instead.
 * @vlpi_map:         VMAPTI: @host_irq now targets @m->vpe as @m->vintid.
 * @vlpi_unmap:       discard the mapping of @host_irq and, like DISCARD,
 *                    its pending state.
 * @vlpi_move:        VMOVI: retarget @host_irq to @vpe (pending state moves).
 * @vlpi_prop_update: write @host_irq's entry in the host's vLPI property
 *                    table.  Not visible to the GIC until @vlpi_inv.
 * @vlpi_inv:         INV: the GIC re-reads @host_irq's property entry.
 * @vpe_invall:       VINVALL: re-read the property of every vLPI of @vpe.
 * @vlpi_set_pending: INT (true) or CLEAR (false) on @host_irq.
 * @vlpi_get_pending: read the VPT bit of @vintid for @vpe.  Architecturally
 *                    meaningful only while the vPE is unmapped (otherwise
 *                    the GIC's cache may be newer: stale data is returned).
 *                    -EACCES when the VPT format is not known (GICv4.0).
 * @vsgi_config:      (GICv4.1) the VSGI command: priority, group and enable
 *                    of SGI @sgi of @vpe.
 * @vsgi_get_pending: (GICv4.1) GICR_VSGIPENDR of @vpe: bit n = SGI n.
 * @vsgi_set_pending: (GICv4.1) make SGI @sgi of @vpe pending or not.
 * The vSGI callbacks may be NULL on GICv4.0.
 */
struct vgic_v4_ops {
	int version;
	int (*vpe_map)(void *backend, uint32_t vpe);
	int (*vpe_unmap)(void *backend, uint32_t vpe);
	int (*vpe_schedule)(void *backend, uint32_t vpe, bool resident);
	int (*vlpi_map)(void *backend, uint32_t host_irq,
			const struct vgic_v4_vlpi *m);
	int (*vlpi_unmap)(void *backend, uint32_t host_irq);
	int (*vlpi_move)(void *backend, uint32_t host_irq, uint32_t vpe);
	int (*vlpi_prop_update)(void *backend, uint32_t host_irq,
				uint8_t priority, bool enabled);
	int (*vlpi_inv)(void *backend, uint32_t host_irq);
	int (*vpe_invall)(void *backend, uint32_t vpe);
	int (*vlpi_set_pending)(void *backend, uint32_t host_irq, bool pending);
	int (*vlpi_get_pending)(void *backend, uint32_t vpe, uint32_t vintid,
				bool *pending);
	int (*vsgi_config)(void *backend, uint32_t vpe, uint32_t sgi,
			   uint8_t priority, bool group1, bool enabled);
	int (*vsgi_get_pending)(void *backend, uint32_t vpe,
				uint16_t *pending);
	int (*vsgi_set_pending)(void *backend, uint32_t vpe, uint32_t sgi,
				bool pending);
};

/**
 * vgic_v4_attach - give instance @v a GICv4.x backend (one per instance,
 * for its lifetime; @ops is copied, @backend must outlive @v).
 * Must be called before any vCPU runs.  vPEs are mapped lazily: on the
 * first forwarding to a vCPU or its first run.
 * Returns 0, -EINVAL (NULL argument, unknown version, missing callback),
 * -EEXIST (already attached), -EBUSY (a vCPU has run), -ENOMEM.
 */
VGIC_API int vgic_v4_attach(struct vgic *v, const struct vgic_v4_ops *ops,
			    void *backend);

/**
 * vgic_v4_set_forwarding - KVM's kvm_vgic_v4_set_forwarding: the MSI
 * (@devid, @eventid) sent to the ITS frame containing @its_doorbell is from
 * now on delivered by the hardware through @host_irq.  The pair is resolved
 * through the guest's ITS tables like an MSI; any software-pending state of
 * the LPI moves into the VPT.
 * Returns 0, -ENODEV (no backend or no ITS), -EINVAL (doorbell not in an ITS
 * frame, or @host_irq already forwards another LPI), -ENOENT (the pair
 * does not translate: the guest has not mapped it, or its collection is
 * unmapped), -EBUSY (the ITS or the target's LPIs are disabled, as in KVM),
 * -EEXIST (this LPI is already forwarded), or the backend's error.
 */
VGIC_API int vgic_v4_set_forwarding(struct vgic *v, uint64_t its_doorbell,
				    uint32_t devid, uint32_t eventid,
				    uint32_t host_irq);

/**
 * vgic_v4_unset_forwarding - undo vgic_v4_set_forwarding(): the vLPI is
 * unmapped from the hardware and its pending bit (read from the VPT on
 * GICv4.1) moves back into the emulated LPI.
 * Returns 0, -ENODEV, -EINVAL (doorbell not in an ITS frame), -ENOENT
 * (@host_irq does not forward this pair: the guest may have discarded it,
 * which already ended the forwarding).
 * An interrupt raised through @host_irq while this call runs may be lost,
 * as in KVM: quiesce the device first.  MSIs sent with vgic_signal_msi()
 * after it returns are emulated.
 */
VGIC_API int vgic_v4_unset_forwarding(struct vgic *v, uint64_t its_doorbell,
				      uint32_t devid, uint32_t eventid,
				      uint32_t host_irq);

/**
 * vgic_v4_doorbell - the doorbell interrupt of vPE @vpe fired: a vLPI (or
 * vSGI) became pending while the vPE was not resident.  The vCPU's IRQ
 * output then reads as pending (so a VMM waiting in WFI wakes it) and it is
 * kicked.  Lock-free; callable from any thread and from within an ops
 * callback.
 */
VGIC_API void vgic_v4_doorbell(struct vgic *v, uint32_t vpe);

/**
 * vgic_v4_deliver - for a backend without its own virtual CPU interface
 * (the software model): hand the pending interrupt @intid of resident vPE
 * @vpe to the library's CPU interface, which then owns it (the
 * acknowledge happens there).  @intid is a vLPI (lock-free; any thread) or
 * an SGI 0..15 (only from within an ops callback).
 */
VGIC_API void vgic_v4_deliver(struct vgic *v, uint32_t vpe, uint32_t intid);

/* ---- the software model of GICv4.x hardware --------------------------- */

struct vgic_v4_model;

/**
 * vgic_v4_model_create - a GICv4.1 (or, with @version VGIC_V4_0, GICv4.0)
 * with @nr_vpes vPEs (0..nr_vpes-1) and host interrupts 0..@nr_host_irqs-1.
 * Each vPE has its own VPT (one bit per INTID < 65536).  The model has its
 * own lock and may be used from any thread.
 * Returns 0, -EINVAL, -ENOMEM.
 */
VGIC_API int vgic_v4_model_create(int version, uint32_t nr_vpes,
				  uint32_t nr_host_irqs,
				  struct vgic_v4_model **out);
VGIC_API void vgic_v4_model_destroy(struct vgic_v4_model *m);

/** vgic_v4_model_ops - the model's struct vgic_v4_ops (backend = model). */
VGIC_API const struct vgic_v4_ops *vgic_v4_model_ops(
	const struct vgic_v4_model *m);

/**
 * vgic_v4_model_set_sink - where the model sends doorbells and deliveries
 * (vgic_v4_attach_model() sets them to the instance's vgic_v4_doorbell /
 * vgic_v4_deliver).  Either function may be NULL.
 */
VGIC_API void vgic_v4_model_set_sink(
	struct vgic_v4_model *m,
	void (*doorbell)(void *ctx, uint32_t vpe),
	void (*deliver)(void *ctx, uint32_t vpe, uint32_t intid), void *ctx);

/** vgic_v4_attach_model - vgic_v4_attach() the model and connect its sink. */
VGIC_API int vgic_v4_attach_model(struct vgic *v, struct vgic_v4_model *m);

/**
 * vgic_v4_model_fire - a device's MSI for @host_irq reaches the host ITS.
 * A mapped vLPI becomes pending in its vPE: delivered at once when the vPE
 * is resident and the vLPI enabled (by the cached property), else left in
 * the pending table with the doorbell rung if the vPE is not resident.
 * Returns 1 delivered, 0 latched pending, -ENOENT (@host_irq not mapped as
 * a vLPI: the host would handle it), -EINVAL.
 */
VGIC_API int vgic_v4_model_fire(struct vgic_v4_model *m, uint32_t host_irq);

/** struct vgic_v4_model_vlpi - inspection of one host interrupt. */
struct vgic_v4_model_vlpi {
	bool mapped;
	uint32_t vpe, vintid;
	uint8_t priority;      /* as cached by the GIC (INV) */
	bool enabled;          /* as cached by the GIC (INV) */
	uint8_t prop_priority; /* as in the host property table */
	bool prop_enabled;
	bool pending;          /* the truth, wherever it lives */
};
VGIC_API int vgic_v4_model_vlpi_info(struct vgic_v4_model *m,
				     uint32_t host_irq,
				     struct vgic_v4_model_vlpi *out);

/** struct vgic_v4_model_vpe - inspection of one vPE. */
struct vgic_v4_model_vpe {
	bool mapped, resident;
	uint16_t vsgi_pending;
	uint8_t vsgi_priority[16];
	uint16_t vsgi_enabled, vsgi_group1;
	uint64_t doorbells;    /* doorbells rung for this vPE */
};
VGIC_API int vgic_v4_model_vpe_info(struct vgic_v4_model *m, uint32_t vpe,
				    struct vgic_v4_model_vpe *out);

/** struct vgic_v4_model_stats - counters since creation. */
struct vgic_v4_model_stats {
	uint64_t vpe_maps, vpe_unmaps, schedules;
	uint64_t vlpi_maps, vlpi_unmaps, vlpi_moves;
	uint64_t invs, invalls, set_pending, clear_pending;
	uint64_t fired, delivered, doorbells;
	uint64_t vpt_reads, stale_vpt_reads; /* reads of a mapped vPE's VPT */
};
VGIC_API void vgic_v4_model_stats(struct vgic_v4_model *m,
				  struct vgic_v4_model_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* VGIC_V4_H */

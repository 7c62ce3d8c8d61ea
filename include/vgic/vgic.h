/*
 * libvgic - a userspace Arm Generic Interrupt Controller for virtual machines.
 *
 * One `struct vgic` is the interrupt controller of one VM: a GICv3 (with any
 * number of ITSes) or a GICv2, created and configured through the same
 * device-attribute ABI that KVM offers for its in-kernel vGIC
 * (KVM_CREATE_DEVICE / KVM_{SET,GET,HAS}_DEVICE_ATTR), and driven by the VMM
 * through guest MMIO, guest system-register accesses, wired interrupt lines
 * and MSIs.
 *
 * Conventions:
 *  - Functions returning int give 0 (or a documented non-negative value) on
 *    success and a negative errno on failure; vgic_strerror() names it.
 *  - vCPU numbers are KVM vcpu_ids: 0 .. nr_vcpus-1.  They are what a
 *    GICv3 collection's RDbase (GITS_TYPER.PTA = 0) and GICR_TYPER's
 *    Processor_Number carry.
 *  - Guest misbehaviour is never an API error: a guest access to a reserved
 *    or unimplemented register reads as zero and ignores writes.
 *
 * Locking (see docs/design.md for the full model):
 *  - Every entry point is thread safe.  vCPU threads, device threads raising
 *    lines or MSIs, and a VMM thread using attributes may run at once.
 *  - Host callbacks (struct vgic_host_ops) may be called with internal locks
 *    held: they must not call back into the library.  kick_vcpu must not
 *    block.
 */
#ifndef VGIC_VGIC_H
#define VGIC_VGIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vgic/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define VGIC_API __declspec(dllexport)
#elif defined(__GNUC__)
#define VGIC_API __attribute__((visibility("default")))
#else
#define VGIC_API
#endif

#define VGIC_VERSION_MAJOR 0
#define VGIC_VERSION_MINOR 1
#define VGIC_VERSION_PATCH 0
#define VGIC_VERSION_HEX                                                      \
	((VGIC_VERSION_MAJOR << 16) | (VGIC_VERSION_MINOR << 8) |             \
	 VGIC_VERSION_PATCH)

/** vgic_version - the library's VGIC_VERSION_HEX, as built. */
VGIC_API unsigned int vgic_version(void);
/** vgic_version_string - "MAJOR.MINOR.PATCH". */
VGIC_API const char *vgic_version_string(void);

struct vgic;
struct vgic_device;

/**
 * struct vgic_host_ops - what the library needs from the VMM.
 * @read_guest:  copy @len bytes of guest physical memory at @gpa into @buf.
 *               Returns 0, -EFAULT when [@gpa, @gpa + @len) is not guest
 *               RAM (the guest's doing: the library applies the rule the
 *               architecture or KVM has for unreachable memory, e.g.
 *               ITS_SAVE_TABLES skips a device whose DTE is not in RAM),
 *               or another negative errno (-EIO, -EAGAIN, ...) for a
 *               failure of the host itself, which the library never
 *               blames on the guest: ITS_SAVE_TABLES, ITS_RESTORE_TABLES,
 *               SAVE_PENDING_TABLES and the snapshot calls fail with it
 *               (a command that needs the access is dropped, as it must
 *               be: nobody else could be told).  Used for ITS command
 *               queues, ITS tables and LPI configuration/pending tables.
 * @write_guest: copy @len bytes from @buf to guest physical memory at @gpa.
 *               Returns 0, -EFAULT (not guest RAM) or another negative
 *               errno (host failure), as @read_guest.
 * @kick_vcpu:   the vCPU's IRQ or FIQ output may have changed; the VMM should
 *               re-read vgic_vcpu_irq_pending()/vgic_vcpu_fiq_pending()
 *               (and wake the vCPU if it is idle in WFI).  May be NULL.
 *               Called from any thread, possibly with library locks held:
 *               it must not block and must not call into the library.
 */
struct vgic_host_ops {
	int (*read_guest)(void *opaque, uint64_t gpa, void *buf, size_t len);
	int (*write_guest)(void *opaque, uint64_t gpa, const void *buf,
			   size_t len);
	void (*kick_vcpu)(void *opaque, uint32_t vcpu);
};

/**
 * struct vgic_alloc_ops - optional allocator for one instance (all fields
 * must be set, or the struct pointer left NULL for the C library's).
 * Failing allocations turn into -ENOMEM, never a crash.
 */
struct vgic_alloc_ops {
	void *(*alloc)(void *opaque, size_t size);          /* like malloc */
	void *(*zalloc)(void *opaque, size_t nmemb, size_t size); /* calloc */
	void (*free)(void *opaque, void *ptr);
	void *opaque;
};

/**
 * struct vgic_config - the VM the interrupt controller belongs to.
 * @nr_vcpus: number of vCPUs (vcpu_ids 0 .. nr_vcpus-1), 1..512.
 * @mpidr:    MPIDR_EL1 of each vCPU (Aff3:Aff2:Aff1:Aff0), or NULL for
 *            KVM's default: Aff0 = id % 16, Aff1 = (id / 16) % 256,
 *            Aff2 = (id / 4096) % 256.
 * @alloc:    optional allocator; NULL for malloc/calloc/free.
 */
struct vgic_config {
	uint32_t nr_vcpus;
	const uint64_t *mpidr;
	const struct vgic_alloc_ops *alloc;
};

/**
 * vgic_create - create the interrupt controller of one VM.
 * No GIC model exists yet: create one with vgic_device_create().
 * Returns 0, -EINVAL (bad config, duplicate MPIDR), -ENOMEM.
 */
VGIC_API int vgic_create(const struct vgic_config *cfg,
			 const struct vgic_host_ops *ops, void *opaque,
			 struct vgic **out);
/** vgic_destroy - free everything, including all devices.  NULL is a no-op.
 * No other thread may be calling into @v. */
VGIC_API void vgic_destroy(struct vgic *v);

/**
 * vgic_device_create - KVM_CREATE_DEVICE.
 * @type: VGIC_DEV_TYPE_V2 (5), VGIC_DEV_TYPE_V3 (7) or VGIC_DEV_TYPE_ITS (8).
 * Returns 0, -ENODEV (unknown type, or ITS without a GICv3),
 * -EEXIST (a second V2/V3), -E2BIG (V2 with more than 8 vCPUs),
 * -EBUSY (a vCPU has run), -ENOMEM.
 * Devices live until vgic_destroy().
 */
VGIC_API int vgic_device_create(struct vgic *v, uint32_t type,
				struct vgic_device **out);
/** vgic_device_type - the type a device was created with. */
VGIC_API uint32_t vgic_device_type(const struct vgic_device *d);

/**
 * struct vgic_device_attr - as struct kvm_device_attr.
 * @addr: host pointer (as an integer) to the value: __u32 or __u64 as the
 *        group requires (see docs/abi.md).
 */
struct vgic_device_attr {
	uint32_t flags;
	uint32_t group;
	uint64_t attr;
	uint64_t addr;
};

/**
 * vgic_device_set_attr / get_attr / has_attr - KVM_{SET,GET,HAS}_DEVICE_ATTR
 * with KVM's semantics and errno for every group (-ENXIO unknown group or
 * attribute, -EINVAL bad value, -EBUSY wrong state or a running vCPU,
 * -EEXIST already set, -E2BIG out of range, -EFAULT NULL value pointer,
 * -ENODEV wrong ITS address type, -ENOMEM).
 */
VGIC_API int vgic_device_set_attr(struct vgic_device *d,
				  const struct vgic_device_attr *a);
VGIC_API int vgic_device_get_attr(struct vgic_device *d,
				  const struct vgic_device_attr *a);
VGIC_API int vgic_device_has_attr(struct vgic_device *d,
				  const struct vgic_device_attr *a);

/**
 * vgic_mmio_read / vgic_mmio_write - a guest access by vCPU @vcpu to @gpa,
 * @len bytes (1, 2, 4 or 8), data in host byte order in a little-endian
 * buffer of @len bytes.  Returns 0 when @gpa is inside a GIC frame (the
 * access was handled architecturally, RAZ/WI if illegal), -ENOENT when it
 * is not a GIC frame, -EINVAL for a bad @vcpu or @len.
 * Writes to GITS_TRANSLATER are MSIs from DeviceID 0 (see docs).
 */
VGIC_API int vgic_mmio_read(struct vgic *v, uint32_t vcpu, uint64_t gpa,
			    void *data, uint32_t len);
VGIC_API int vgic_mmio_write(struct vgic *v, uint32_t vcpu, uint64_t gpa,
			     const void *data, uint32_t len);

/**
 * vgic_sysreg_read / vgic_sysreg_write - a guest MRS/MSR of an ICC_*
 * register (encoding: VGIC_SYSREG()).  Returns 0, or -ENOENT when the
 * encoding is not a GIC register (the VMM handles it), -EINVAL bad vcpu,
 * -ENODEV no GICv3.
 */
VGIC_API int vgic_sysreg_read(struct vgic *v, uint32_t vcpu, uint32_t sysreg,
			      uint64_t *val);
VGIC_API int vgic_sysreg_write(struct vgic *v, uint32_t vcpu, uint32_t sysreg,
			       uint64_t val);

/**
 * vgic_irq_line - drive an interrupt input: an SPI (@vcpu ignored) or the
 * PPI @intid of vCPU @vcpu (KVM_IRQ_LINE).  Level-sensitive interrupts follow
 * @level; edge-triggered ones become pending on a rising edge.
 * Returns 0, -EINVAL (bad INTID or vCPU), -ENODEV (no GIC), -EBUSY (GIC not
 * initialised).
 */
VGIC_API int vgic_irq_line(struct vgic *v, uint32_t vcpu, uint32_t intid,
			   bool level);

/**
 * vgic_signal_msi - KVM_SIGNAL_MSI with KVM_MSI_VALID_DEVID: @doorbell is
 * any address in an ITS frame, @data the EventID.
 * Returns 1 delivered, 0 not delivered (no translation: the guest's
 * business), -ENODEV (no ITS), -EINVAL (doorbell not in an ITS frame),
 * -EBUSY (ITS disabled or the target's LPIs disabled).
 * Safe to call from any number of threads at once; lock-free when the
 * translation is mapped.
 */
VGIC_API int vgic_signal_msi(struct vgic *v, uint64_t doorbell, uint32_t devid,
			     uint32_t data);

/** vgic_vcpu_irq_pending / fiq_pending - the vCPU's IRQ and FIQ outputs. */
VGIC_API bool vgic_vcpu_irq_pending(struct vgic *v, uint32_t vcpu);
VGIC_API bool vgic_vcpu_fiq_pending(struct vgic *v, uint32_t vcpu);

/**
 * vgic_vcpu_set_running - tell the library that a vCPU runs guest code.
 * While any vCPU runs, attribute calls that KVM serialises against running
 * vCPUs return -EBUSY.  The first run of a vCPU also completes KVM's
 * "first run" checks (returns -ENXIO/-EINVAL/-EBUSY as KVM's
 * kvm_vgic_map_resources does when the GIC is not fully configured).
 */
VGIC_API int vgic_vcpu_set_running(struct vgic *v, uint32_t vcpu, bool running);

/**
 * vgic_snapshot_save - the whole GIC (distributor, every redistributor and
 * CPU interface keyed by MPIDR, line levels, every ITS's registers and the
 * configuration) as a versioned, checksummed byte stream (docs/snapshot.md).
 * Runs ITS_SAVE_TABLES and SAVE_PENDING_TABLES first, so guest RAM must be
 * saved after this call.  With @buf NULL or @cap too small, returns
 * -ENOSPC and sets *@len to the size needed.  Requires all vCPUs stopped
 * (-EBUSY otherwise).  Checks that the ITS tables it wrote restore to
 * exactly the live mappings: entries the guest wrote where the restore
 * would read them are zeroed (through write_guest), and a snapshot the
 * destination could not restore (table memory that is not RAM, an ICID
 * the collection table no longer holds) fails here with the restore's
 * errno and a "would not restore" vgic_last_error() - the VM keeps
 * running (docs/its-tables.md).
 */
VGIC_API int vgic_snapshot_save(struct vgic *v, void *buf, size_t cap,
				size_t *len);
/**
 * vgic_snapshot_restore - apply a snapshot to a freshly created instance
 * (no devices created yet: the stream creates them), with guest RAM already
 * restored.  Either everything applies or the instance is unchanged.
 * Returns 0, -EINVAL (corrupt stream), -EPROTO (unsupported version),
 * -ENODEV/-E2BIG (configuration mismatch), -EFAULT, -ENOMEM, -EBUSY.
 * vgic_last_error() then explains the failure in words.
 * Locking: like vgic_destroy(), no other thread may call into @v (not even
 * vgic_signal_msi()) until it returns: a failed restore frees the devices
 * it created.  A restore runs before the VM's vCPUs and devices start.
 */
VGIC_API int vgic_snapshot_restore(struct vgic *v, const void *buf, size_t len);

/**
 * vgic_last_error - a readable explanation of the most recent failure of a
 * call on this instance that has one (snapshot restore, table restore), or
 * "" if none.  The string lives until the next call on @v.
 */
VGIC_API const char *vgic_last_error(struct vgic *v);

/** vgic_strerror - a name for a negative errno returned by the library. */
VGIC_API const char *vgic_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* VGIC_VGIC_H */

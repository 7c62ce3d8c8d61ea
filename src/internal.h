/*
 * libvgic - private cross-block definitions.
 *
 * This header is the contract between the blocks (one .c file per hardware
 * block, see docs/design.md).  Nothing here is visible to embedders.
 *
 * LOCK ORDER (the only one; every function states what it expects):
 *
 *   v->lock  (struct vgic, a pthread mutex: "the instance lock")
 *     protects ALL emulated state: distributor, redistributors, CPU
 *     interfaces, per-IRQ state, LPI configuration/targets/references, every
 *     ITS's registers and mapping tables (as a writer), device creation and
 *     attributes.  Every public entry point takes it, except:
 *       - vgic_signal_msi()'s fast path, which runs lock-free and performs
 *         no locked read-modify-write except the LPI pending-bit OR: it
 *         reads ITS mappings with plain atomic loads from type-stable
 *         memory, validated by the device's sequence counter (its.h), sets
 *         the pending bit with an atomic OR (skipped if already set),
 *         marks the target vCPU dirty (vgic_vcpu.lpi_dirty: a release store,
 *         skipped if already set) and kicks it;
 *       - vgic_vcpu_{irq,fiq}_pending(), which read atomics and take the lock
 *         only when the vCPU is marked dirty.
 *     Host callbacks are called with v->lock held (except kick_vcpu from
 *     the MSI fast path, which calls it through v->kick: the copy made at
 *     vgic_create, which the restore's undo log never swaps).
 *
 *   There is no lock below v->lock.  MSI readers never wait and are never
 *   waited for: ITS writers (v->lock) never free memory a reader can
 *   reach; they move it to per-ITS free lists for reuse and make the
 *   device's seq odd while changing it, so a reader that raced fails its
 *   validation.  Only vgic__its_destroy() frees, when no injector runs.
 */
#ifndef VGIC_INTERNAL_H
#define VGIC_INTERNAL_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <vgic/vgic.h>

#define VGIC_MAX_VCPUS 512
#define VGIC_V2_MAX_VCPUS 8
#define VGIC_MAX_ITS 16
#define VGIC_NR_PRIVATE_IRQS 32
#define VGIC_NR_SGIS 16
#define VGIC_MIN_NR_IRQS 64
#define VGIC_MAX_NR_IRQS 1023 /* KVM rejects > 1023, i.e. at most 992 */
#define VGIC_DEFAULT_NR_IRQS 256
#define VGIC_MIN_LPI 8192u
#define VGIC_LPI_ID_BITS 16   /* GICD_TYPER.IDbits = 15: INTIDs < 65536 */
#define VGIC_MAX_LPI_INTID ((1u << VGIC_LPI_ID_BITS) - 1)
#define VGIC_NR_LPIS ((1u << VGIC_LPI_ID_BITS) - VGIC_MIN_LPI)
#define VGIC_PRI_BITS 5
#define VGIC_PRI_MASK 0xf8 /* 5 implemented priority bits */
#define VGIC_MIN_BPR0 (7 - VGIC_PRI_BITS) /* BPR1's minimum is one more */
#define VGIC_SPURIOUS 1023u
#define VGIC_NO_VCPU 0xffffffffu

/* KVM's IIDR: ProductID 'K' (0x4B), implementer 0x43B (Arm). */
#define VGIC_IIDR_PRODUCT 0x4bu
#define VGIC_IIDR_IMPLEMENTER 0x43bu

#define VGIC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- allocation (alloc.c) ---------------------------------------------- */

void *vgic__alloc(struct vgic *v, size_t size);
void *vgic__zalloc(struct vgic *v, size_t nmemb, size_t size);
void vgic__free(struct vgic *v, void *p);

/* ---- per-IRQ state for SGIs, PPIs and SPIs (core.c) --------------------- */

/*
 * One wired interrupt.  Protected by v->lock.  LPIs do not use this struct:
 * they live in struct vgic_lpis as dense arrays.
 */
struct vgic_irq {
	uint8_t priority;      /* GICD_IPRIORITYR byte, masked to VGIC_PRI_MASK */
	uint8_t group;         /* 0 or 1 */
	bool enabled;
	bool pending_latch;    /* edge latch / software pending (ISPENDR) */
	bool line_level;       /* input level (level-sensitive only counts) */
	bool active;
	bool edge;             /* ICFGR: true = edge-triggered */
	uint8_t v2_targets;    /* GICv2 ITARGETSR byte (SPIs) */
	uint8_t v2_sgi_src;    /* GICv2: pending SGI sources, bit per CPU */
	uint8_t v2_active_src; /* GICv2: source CPU of an active SGI */
	uint64_t irouter;      /* GICv3 GICD_IROUTER (Aff2..0 only) */
	uint32_t target;       /* resolved target vcpu_id or VGIC_NO_VCPU */
};

/* ---- LPIs: VM-wide dense state, shared by every ITS (lpi.c) ------------- */

/*
 * Indexed by (INTID - VGIC_MIN_LPI).  cfg and target are written under
 * v->lock and read lock-free by the MSI fast path; pending is an atomic
 * bitmap set lock-free by MSIs and cleared under v->lock.
 */
struct vgic_lpis {
	_Atomic uint8_t *cfg;      /* cached config byte: prio[7:2] | enable[0] */
	_Atomic uint32_t *target;  /* target vcpu_id or VGIC_NO_VCPU; always
				    * VGIC_NO_VCPU while refs[] is 0 (the
				    * pending-table save relies on it) */
	uint32_t *refs;            /* ITE references; 0 = the LPI does not exist */
	_Atomic uint64_t *pending; /* pending bitmap */
	uint64_t propbaser;        /* GICR_PROPBASER: one VM-wide value as KVM */
	uint32_t nr_mapped;        /* number of existing LPIs */
};

/* ---- per-vCPU: redistributor + CPU interface --------------------------- */

struct vgic_vcpu {
	uint32_t id;       /* vcpu_id */
	uint64_t mpidr;    /* MPIDR_EL1 affinity fields */
	struct vgic_irq priv[VGIC_NR_PRIVATE_IRQS];

	/* Redistributor (gicv3_redist.c). */
	uint64_t rd_base;  /* GPA of RD_base; valid if rd_base_set */
	bool rd_base_set;
	uint32_t rd_region;  /* index in v->rdist[] when rd_base_set */
	uint32_t rd_slot;    /* position inside that region */
	uint64_t pendbaser;
	_Atomic bool enable_lpis; /* GICR_CTLR.EnableLPIs */

	/* CPU interface (gicv3_cpuif.c / gicv2_cpuif.c). */
	uint8_t pmr;
	uint8_t bpr0, bpr1;
	bool cbpr, eoimode;
	bool igrpen0, igrpen1;
	uint32_t ap0r[4], ap1r[4]; /* active priorities (v2 uses ap1r as APR) */
	uint8_t icc_pri_bits;      /* ICC_CTLR_EL1.PRIbits + 1 (user may narrow) */
	uint8_t icc_id_bits;       /* ICC_CTLR_EL1.IDbits */
	uint32_t v2_ctlr;          /* GICv2 GICC_CTLR */

	/* Outputs: written under v->lock, read lock-free. */
	_Atomic bool irq_out;
	_Atomic bool fiq_out;
	_Atomic bool lpi_dirty;    /* an MSI set an LPI pending: recompute */
	bool running;              /* vgic_vcpu_set_running() */
	bool has_run;              /* ever ran: KVM's "has run" checks */
};

/* ---- devices ------------------------------------------------------------ */

struct vgic_its;
struct vgic_v4;

struct vgic_device {
	struct vgic *v;
	uint32_t type;        /* VGIC_DEV_TYPE_* */
	struct vgic_its *its; /* for VGIC_DEV_TYPE_ITS */
};

/* GICv3 redistributor regions (KVM_VGIC_V3_ADDR_TYPE_REDIST{,_REGION}). */
struct vgic_rdist_region {
	uint64_t base;
	uint32_t count; /* 0 for the legacy REDIST type: sized by nr_vcpus */
	uint32_t index;
	uint32_t nr_used; /* redistributors handed out (KVM's free_index) */
};
#define VGIC_MAX_RDIST_REGIONS 16

/* ---- the instance -------------------------------------------------------- */

struct vgic {
	pthread_mutex_t lock;
	/* Guest-memory callbacks, used under v->lock: the undo log
	 * (vgic__undo_begin) swaps them (and opaque) while it runs. */
	struct vgic_host_ops ops;
	void *opaque;
	/* The host's kick_vcpu and opaque as given to vgic_create: never
	 * change, so lock-free paths (MSIs) may call them while a restore
	 * swaps ops (vgic__kick). */
	void (*kick)(void *opaque, uint32_t vcpu);
	void *kick_opaque;
	struct vgic_alloc_ops alloc;

	uint32_t nr_vcpus;
	struct vgic_vcpu *vcpu; /* [nr_vcpus] */

	/* Model: 0 = none yet, 2 = GICv2, 3 = GICv3. */
	int model;
	struct vgic_device *gic_dev; /* the V2 or V3 device */
	bool initialized;            /* CTRL_INIT done */
	bool ready;                  /* first-run checks passed */
	uint32_t nr_irqs;            /* 0 until set or INIT (then 256) */
	struct vgic_irq *spi;        /* [nr_irqs - 32] */
	/* core.c: bitmap over spi[], a superset of the SPIs that are
	 * enabled, pending and not active.  Lives in the spi allocation.
	 * Whoever may make an SPI such a candidate calls vgic__irq_mark(). */
	uint64_t *spi_cand;

	/* Distributor (gicv3_dist.c / gicv2_dist.c). */
	bool dist_enabled;           /* GICD_CTLR enable (KVM keeps one bit) */
	bool nassgireq;              /* GICD_CTLR.nASSGIreq (GICv4.1 vSGIs) */
	uint32_t iidr_rev;           /* GICD_IIDR.Revision */
	bool iidr_user_written;      /* v2: groups user-writable after IIDR */
	uint64_t dist_base;          /* frame GPAs; valid if *_set */
	bool dist_base_set;
	uint64_t v2_cpu_base;
	bool v2_cpu_base_set;
	struct vgic_rdist_region rdist[VGIC_MAX_RDIST_REGIONS];
	uint32_t nr_rdist;
	bool rdist_legacy;           /* REDIST (type 3) used instead of regions */

	/* LPIs and ITSes (lpi.c, its.c). */
	struct vgic_lpis lpi;
	struct vgic_device *its_dev[VGIC_MAX_ITS];
	/* its_dev[i]->its, for the MSI path (stored, release, before nr_its
	 * counts it). */
	_Atomic(struct vgic_its *) its[VGIC_MAX_ITS];
	_Atomic uint32_t nr_its;  /* published with release order */

	/* GICv4 backend state (v4.c); NULL unless vgic_v4_attach() was
	 * called.  Set once before any vCPU runs, read lock-free. */
	_Atomic(struct vgic_v4 *) v4;

	uint32_t nr_running;         /* vCPUs currently running */
	char last_error[256];        /* vgic_last_error() */

	/* All devices, for destroy. */
	struct vgic_device *devs[VGIC_MAX_ITS + 1];
	uint32_t nr_devs;
};

/* ---- cross-block API ----------------------------------------------------- */

/* A host read_guest/write_guest result as an errno: 0, the host's own
 * negative errno (a host failure, e.g. -EIO), or -EFAULT (not guest RAM,
 * and for hosts that return something else non-zero). */
static inline int vgic__guest_err(int ret)
{
	return ret < 0 ? ret : ret ? -EFAULT : 0;
}

/* vgic.c */
void vgic__set_error(struct vgic *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
struct vgic_vcpu *vgic__vcpu_by_mpidr(struct vgic *v, uint64_t mpidr);
/* True if any vCPU is running: attribute calls then fail with -EBUSY. */
bool vgic__any_running(const struct vgic *v);

/* core.c: per-IRQ state and the one place outputs are recomputed.
 * All need v->lock held. */
struct vgic_irq *vgic__irq(struct vgic *v, uint32_t vcpu, uint32_t intid);
bool vgic__irq_pending(const struct vgic_irq *irq);
/* Note that SPI @intid may have become enabled, pending or inactive (any
 * change to those fields of an SPI outside core.c/mmio.c must call it). */
void vgic__irq_mark(struct vgic *v, uint32_t intid);
void vgic__irq_reroute(struct vgic *v, uint32_t intid); /* SPI target */
void vgic__update_vcpu(struct vgic *v, uint32_t vcpu);  /* recompute + kick */
void vgic__update_all(struct vgic *v);

/* core.c: the CPU-interface engine shared by the GICv3 ICC_* system
 * registers and the GICv2 GICC frame (v->lock held).  Group 0 is signalled
 * as FIQ, group 1 as IRQ (single security state, DS = 1). */
struct vgic_hppi {
	uint32_t intid;  /* VGIC_SPURIOUS if none */
	uint8_t prio;
	uint8_t group;
	uint8_t src;     /* GICv2 SGI source CPU */
};
/* Highest-priority pending, enabled interrupt for @vcpu whose group is in
 * @groups (bit 0 = group 0, bit 1 = group 1) and enabled at the
 * distributor and CPU interface; ignores PMR and running priority. */
bool vgic__hppi(struct vgic *v, uint32_t vcpu, unsigned groups,
		struct vgic_hppi *out);
/* Running priority from the active-priority registers (0xff if idle). */
uint8_t vgic__rpr(struct vgic *v, uint32_t vcpu);
/* Acknowledge (IAR): if the HPPI over all enabled groups belongs to
 * @groups and beats PMR and the running priority (group priority per BPR),
 * make it active (LPIs: not pending; GICv2 SGIs: one source, in ->src),
 * set its APR bit and return its INTID; else VGIC_SPURIOUS.
 * The engine reads the CPU interface from struct vgic_vcpu: pmr, bpr0,
 * bpr1 (group 1 uses bpr1 - 1 unless cbpr), igrpen0/1, ap0r[0]/ap1r[0]
 * (bit n = preemption level n, priority n << 3); GICv2 keeps those in
 * sync with GICC_* and v2_ctlr bit 3 (FIQEn) selects FIQ for group 0. */
uint32_t vgic__ack(struct vgic *v, uint32_t vcpu, unsigned groups,
		   struct vgic_hppi *acked);
/* Priority drop (EOIR): clear the highest set active-priority bit, if it
 * belongs to @group (0 or 1; 2 = either group).  Returns whether a
 * priority was dropped. */
bool vgic__priority_drop(struct vgic *v, uint32_t vcpu, unsigned group);
/* Deactivate (EOIR with EOImode 0, or DIR). */
void vgic__deactivate(struct vgic *v, uint32_t vcpu, uint32_t intid);

/* lpi.c (v->lock held unless stated). */
int vgic__lpi_init(struct vgic *v); /* allocate the dense arrays once */
void vgic__lpi_free(struct vgic *v);
/* Highest-priority pending+enabled LPI targeting @vcpu with priority
 * strictly higher (numerically lower) than @below; false if none. */
bool vgic__lpi_best(struct vgic *v, uint32_t vcpu, uint8_t below,
		    uint32_t *intid, uint8_t *prio);
void vgic__lpi_clear_pending(struct vgic *v, uint32_t intid);
/* GICR_CTLR.EnableLPIs 0->1 on @vcpu: unless @ptz, reload the pending bit of
 * every LPI targeting @vcpu from its pending table (RAM not cleared).
 * Returns 0 or -EFAULT (state then consistent, bits not read stay clear). */
int vgic__lpi_enable(struct vgic *v, uint32_t vcpu, bool ptz);
/* GICR_CTLR.EnableLPIs 1->0: drop pending LPIs targeting @vcpu, invalidate
 * every ITS's cached translations. */
void vgic__lpi_disable(struct vgic *v, uint32_t vcpu);
/* Re-read the configuration byte of one LPI (GICR_INVLPIR, ITS INV) or of
 * every LPI targeting @vcpu (GICR_INVALLR, ITS INVALL).  INTIDs < 8192 and
 * LPIs that do not exist are ignored. */
void vgic__lpi_inv(struct vgic *v, uint32_t intid);
void vgic__lpi_inv_all(struct vgic *v, uint32_t vcpu);

/* pending.c: KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES (v->lock held).  Returns 0,
 * -ENXIO (not initialised), -EBUSY (a vCPU runs), -EFAULT, -ENOMEM. */
int vgic__save_pending_tables(struct vgic *v);

/* Tell the host that @vcpu's outputs may have changed (any context,
 * lock-free: the host's own callback, which nothing swaps). */
static inline void vgic__kick(struct vgic *v, uint32_t vcpu)
{
	if (v->kick)
		v->kick(v->kick_opaque, vcpu);
}

/* snapshot.c: an undo log of guest-RAM writes (v->lock held).  Between
 * begin and end every write_guest of the instance first records the bytes
 * it overwrites; end(rollback = true) rewrites them newest first.  Nests.
 * Only read_guest/write_guest/opaque are swapped: kicks go through
 * v->kick, which MSI threads may call at any time. */
struct vgic_undo_ent;
struct vgic_undo {
	struct vgic *v;
	struct vgic_host_ops ops; /* the ops in force at begin */
	void *opaque;
	struct vgic_undo_ent *last;
};
void vgic__undo_begin(struct vgic *v, struct vgic_undo *u);
void vgic__undo_end(struct vgic *v, struct vgic_undo *u, bool rollback);

/* ---- frame and attribute entry points, called by vgic.c's dispatch ------
 * All are called with v->lock held.  @off is the offset in the frame;
 * @val holds up to 8 bytes (little-endian value of @len bytes).
 * MMIO handlers never fail: illegal accesses are RAZ/WI.
 */
struct vgic_its;

/* gicv3_dist.c */
void vgic__v3_dist_mmio(struct vgic *v, uint32_t vcpu, uint64_t off,
			uint64_t *val, uint32_t len, bool write);
/* gicv3_redist.c: @rd is the vcpu_id owning the 128 KiB frame. */
void vgic__v3_redist_mmio(struct vgic *v, uint32_t rd, uint64_t off,
			  uint64_t *val, uint32_t len, bool write);
/* gicv3_cpuif.c: 0, or -ENOENT if not a GIC register. */
int vgic__v3_sysreg(struct vgic *v, uint32_t vcpu, uint32_t enc,
		    uint64_t *val, bool write);
/* gicv3_device.c: the V3 device's attribute groups (lock held; the caller
 * has copied the value in/out of a->addr: *val is 32 or 64 bits). */
int vgic__v3_attr(struct vgic_device *d, const struct vgic_device_attr *a,
		  uint64_t *val, int op);
/* its.c */
int vgic__its_create(struct vgic_device *d);
void vgic__its_destroy(struct vgic_device *d);
bool vgic__its_contains(const struct vgic_its *its, uint64_t gpa);
void vgic__its_mmio(struct vgic *v, struct vgic_its *its, uint32_t vcpu,
		    uint64_t off, uint64_t *val, uint32_t len, bool write);
int vgic__its_attr(struct vgic_device *d, const struct vgic_device_attr *a,
		   uint64_t *val, int op);
/* The ITS maps at least one device or collection (lock held). */
bool vgic__its_has_mappings(const struct vgic_its *its);
/* its_table.c, for the snapshot (lock held): see its.h. */
int vgic__its_verify_tables(struct vgic_its *its);
/* Lock-free MSI entry (called WITHOUT v->lock): its.c tries the first
 * ITS and hands any other doorbell to vgic.c's vgic__msi_lookup(), which
 * delivers through vgic__its_inject(). */
int vgic__its_signal_msi(struct vgic *v, uint64_t doorbell, uint32_t devid,
			 uint32_t eventid);
int vgic__msi_lookup(struct vgic *v, uint64_t doorbell, uint32_t devid,
		     uint32_t eventid);
/* The MSI/INT path to @its (no lock needed): 1 delivered, 0 no
 * translation, -EBUSY ITS disabled or the target's LPIs disabled. */
int vgic__its_inject(struct vgic *v, struct vgic_its *its, uint32_t devid,
		     uint32_t eventid);
/* gicv2_dist.c / gicv2_cpuif.c / gicv2_device.c */
void vgic__v2_dist_mmio(struct vgic *v, uint32_t vcpu, uint64_t off,
			uint64_t *val, uint32_t len, bool write);
void vgic__v2_cpu_mmio(struct vgic *v, uint32_t vcpu, uint64_t off,
		       uint64_t *val, uint32_t len, bool write);
int vgic__v2_attr(struct vgic_device *d, const struct vgic_device_attr *a,
		  uint64_t *val, int op);
/*
 * gicv2_device.c: the GICv2 state a snapshot saves (after ADDR, NR_IRQS and
 * CTRL INIT), as the DIST_REGS/CPU_REGS attribute calls that restore it, in
 * restore order (docs/gicv2.md).  For each call @emit gets the group and
 * attr; @get true: save the value read by GET and SET it back on restore;
 * @get false: SET the constant @val on restore (a clear-all before a
 * set-register).  Valid once initialised (v->lock held).
 */
typedef void (*vgic_v2_emit_fn)(void *arg, uint32_t group, uint64_t attr,
				bool get, uint32_t val);
void vgic__v2_state_attrs(struct vgic *v, vgic_v2_emit_fn emit, void *arg);

/* Attribute operations passed as @op. */
enum { VGIC_ATTR_SET = 0, VGIC_ATTR_GET = 1, VGIC_ATTR_HAS = 2 };

/* Size in bytes of the value an attribute group exchanges (4 or 8). */
unsigned vgic__attr_value_size(uint32_t type, uint32_t group);

/* GICv3 address map helpers (gicv3_device.c): which vCPU's redistributor
 * frame contains @gpa, and the offset inside it; false if none. */
bool vgic__v3_find_redist(struct vgic *v, uint64_t gpa, uint32_t *vcpu,
			  uint64_t *off);

/* core.c: KVM_IRQ_LINE (v->lock held; v->model != 0). */
int vgic__irq_line(struct vgic *v, uint32_t vcpu, uint32_t intid, bool level);
/* Recompute a dirty vCPU's outputs if an MSI marked it (takes v->lock
 * itself when needed; called WITHOUT the lock). */
void vgic__vcpu_sync_dirty(struct vgic *v, uint32_t vcpu);
/* First run of a vCPU: KVM's kvm_vgic_map_resources checks (v->lock held). */
int vgic__v3_first_run(struct vgic *v);
int vgic__v2_first_run(struct vgic *v);
/* CTRL_INIT (v->lock held): allocate SPIs, reset private IRQs. */
int vgic__init(struct vgic *v);

#endif /* VGIC_INTERNAL_H */

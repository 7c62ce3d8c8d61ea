/*
 * libvgic - GICv3 ITS: private data structures and the internal API shared
 * by the ITS blocks (its.c registers and queue, its_cmd.c commands,
 * its_table.c table save/restore, the snapshot code) and lpi.c.
 *
 * Translation structures (per ITS), all readable lock-free by the MSI fast
 * path and written only under v->lock:
 *
 *   its->dir[DeviceID >> 8] -> struct vgic_its_devpage (256 device pointers)
 *        -> struct vgic_its_device
 *             nbits <= VGIC_ITS_INLINE_BITS: ite[1 << nbits] inline
 *             nbits >  VGIC_ITS_INLINE_BITS: l2 -> chunk[EventID >> 6]
 *                                                  -> e[EventID & 63]
 *   an ITT entry is a packed uint32_t: pINTID[31:16] | ICID[15:0];
 *   pINTID 0 means "no ITE" (as in the ITE table format).
 *   its->coll[ICID] is the collection word: the collection's target
 *   vcpu_id, ORed with VGIC_ITS_COLL_LPIS_OFF while that vCPU's
 *   GICR_CTLR.EnableLPIs is 0; VGIC_NO_VCPU for a collection that exists
 *   but is unmapped (created by MAPTI); VGIC_ITS_NO_COLL when the
 *   collection does not exist.  Readers other than the MSI path use
 *   vgic__its_collection(), which strips the flag.
 *
 * Reclamation: type-stable memory plus validation (no reader bookkeeping).
 * Every object the fast path can reach (devpage, device, l2, chunk) stays
 * that type of object, of the same size, until the ITS is destroyed:
 *   - devpages are never unlinked;
 *   - an unmapped device, its l2 array and its chunks go to per-ITS free
 *     lists (its->free_dev[size class], free_l2[class], free_chunk) with
 *     every ITT entry 0 and every chunk pointer NULL, and are reused by
 *     later MAPD/MAPTI of the same size class.  A device's size class
 *     (vgic_its_dev_class: nbits for inline ITTs, one class for l2 devices)
 *     and an l2's cap_bits never change, so a stale reader indexing with a
 *     key it read from the same object stays inside it;
 *   - vgic__its_destroy() frees the lists and the directory, when no
 *     injector can run (vgic_destroy).  ITS reset and BASER.Valid = 0 may
 *     race with injectors: they only move objects to the free lists.
 *   Memory is bounded by the peak number of live objects of each class.
 *
 * Validation: device->seq is a sequence counter, even while the device is
 * mapped (published in its dir slot), odd while it is being unmapped, on a
 * free list, or being set up for reuse.  Everything that changes which
 * DeviceID a device serves, its nbits (device->key) or its l2 pointer
 * (other than installing the first l2 of a live device) happens while seq
 * is odd.  ITT entries themselves change by single atomic stores
 * (MAPTI/DISCARD/MOVI) and need no validation.  The reader
 * (vgic__its_translate):
 *   d = dir slot; s = d->seq (acquire); key = devid | nbits<<16 must
 *   match; load the entry through the inline array or l2/chunk (bounded by
 *   the object's own class, whatever seq and key were); acquire fence;
 *   re-read d->seq, which must equal s & ~1 (so an odd s fails too): any
 *   change means the device was unmapped (and maybe reused) inside the
 *   window, and the answer is "no translation", which is what a reader
 *   ordered just after that unmap would get.  The seq re-check alone is
 *   enough: the unmap makes seq odd before (release fence) any store a
 *   reader could see from that unmap or a later reuse (slot NULL, ITT
 *   entries, the new key), so a reader that saw any of them re-reads a
 *   different seq; re-reading the dir slot as well would add nothing.  (A
 *   seq that wraps 2^32 within one reader's window of a few loads is not
 *   a practical concern: each unmap+map takes the lock.)
 *
 * The MSI fast path (its.c its_deliver, after vgic__its_signal_msi found
 * the ITS: v->its[0] directly, any other in vgic.c's vgic__msi_lookup;
 * v->its[] only grows, each entry stored before v->nr_its counts it):
 *   its->enabled; the ITT entry (above); the collection word (one load
 *   gives the target and its EnableLPIs: -EBUSY / 0 / go on); v->v4 (a
 *   GICv4 backend takes the out-of-line path); the pending bit: if it is
 *   already set the MSI merges into that pending edge and returns 1 (the
 *   setter of the bit runs the notification; KVM likewise returns early
 *   for an LPI already queued); else the atomic OR, then the LPI's target,
 *   read after the OR, and its lpi_dirty flag (mark + kick out of line,
 *   only if clear).  Every word is
 *   read once with a single atomic load, so a stale value is one that was
 *   current at some instant inside the call: the MSI is ordered before the
 *   concurrent MAPC/MOVI/MOVALL/EnableLPIs/ITS-disable that replaced it,
 *   as if it had arrived just earlier.  The target is read after the OR
 *   (both seq_cst) so that a concurrent retarget (vgic__lpi_set_target:
 *   store target, then load pending) either sees the bit and recomputes
 *   both vCPUs, or this read sees the new target, which is then marked.
 *   The flag in the collection word is cleared by EnableLPIs 0->1 only
 *   after the pending-table sync, so no MSI bit is overwritten by it.
 *   One window remains, as in KVM (whose EnableLPIs check and injection
 *   are not atomic either): an MSI that passed the collection word just
 *   before EnableLPIs 1->0 may set its bit after the disable dropped the
 *   vCPU's pending LPIs, so that LPI stays pending (as one queued after
 *   KVM's vgic_flush_pending_lpis would); the next EnableLPIs 0->1
 *   rewrites it from the pending table.
 * The fast path takes no reference on anything: the LPI arrays it then
 * touches (lpi.c) live as long as the instance, so a translation that
 * races with DISCARD/MAPD V=0 can at worst set the pending bit of an LPI
 * that no longer exists, which nothing reads (refs == 0) and LPI creation
 * overwrites.  There is no use-after-free (KVM's CVE-2024-26598) and no
 * reference to put twice.
 *
 * Locking: every function here needs v->lock held, except
 * vgic__its_translate() which is the lock-free reader.
 */
#ifndef VGIC_ITS_H
#define VGIC_ITS_H

#include "internal.h"

/* ---- architectural constants (what KVM advertises, see abi.md §2) ------ */

#define GITS_CTLR 0x0000
#define GITS_IIDR 0x0004
#define GITS_TYPER 0x0008
#define GITS_CBASER 0x0080
#define GITS_CWRITER 0x0088
#define GITS_CREADR 0x0090
#define GITS_BASER 0x0100 /* 8 x 64 bits */
#define GITS_PIDR4 0xffd0
#define GITS_IDREGS_END 0x10000
#define GITS_TRANSLATER 0x10040

#define GITS_CTLR_ENABLE (1u << 0)
#define GITS_CTLR_QUIESCENT (1u << 31)
#define GITS_TYPER_VALUE 0x1ef71ull /* PLPIS, ITT 8 B, IDbits 15, Devbits 15 */

#define GITS_BASER_VALID (1ull << 63)
#define GITS_BASER_INDIRECT (1ull << 62)
#define GITS_BASER_TYPE_SHIFT 56
#define GITS_BASER_TYPE_DEVICE 1ull
#define GITS_BASER_TYPE_COLL 4ull
#define GITS_BASER_ESZ_SHIFT 48
#define GITS_BASER_RO_MASK ((0x1full << 48) | (0x7ull << 56))
#define GITS_BASER_DEV_DEFAULT 0x1907000000000600ull
#define GITS_BASER_COLL_DEFAULT 0x1c07000000000600ull
#define GITS_CBASER_VALID (1ull << 63)

#define VGIC_ITS_ESZ 8           /* DTE, ITE and CTE size in ABI REV0 */
#define VGIC_ITS_DEV_BITS 16     /* DeviceIDs < 65536 */
#define VGIC_ITS_EVENT_BITS 16   /* EventIDs < 65536 */
#define VGIC_ITS_NR_ICIDS 65536u /* CIL = 0: 16-bit ICIDs */
#define VGIC_ITS_CMD_SIZE 32
#define VGIC_ITS_NR_ABIS 1       /* IIDR.Revision 0 = table ABI REV0 */
#define VGIC_ITS_NO_COLL 0xfffffffeu /* its->coll[]: no such collection */
/* its->coll[]: ORed into a mapped collection's target while that vCPU's
 * GICR_CTLR.EnableLPIs is 0 (the MSI path then answers -EBUSY). */
#define VGIC_ITS_COLL_LPIS_OFF (1u << 30)

/* Command opcodes (DW0[7:0]). */
enum {
	GITS_CMD_MOVI = 0x01,
	GITS_CMD_INT = 0x03,
	GITS_CMD_CLEAR = 0x04,
	GITS_CMD_SYNC = 0x05,
	GITS_CMD_MAPD = 0x08,
	GITS_CMD_MAPC = 0x09,
	GITS_CMD_MAPTI = 0x0a,
	GITS_CMD_MAPI = 0x0b,
	GITS_CMD_INV = 0x0c,
	GITS_CMD_INVALL = 0x0d,
	GITS_CMD_MOVALL = 0x0e,
	GITS_CMD_DISCARD = 0x0f,
};

/*
 * Internal outcome of a command (KVM's E_ITS_* values; never visible to the
 * guest: a command that fails is dropped and CREADR advances).  0 is
 * success; negative values are errno (guest memory, allocation).
 */
enum vgic_its_err {
	E_ITS_MOVI_UNMAPPED_INTERRUPT = 0x010107,
	E_ITS_MOVI_UNMAPPED_COLLECTION = 0x010109,
	E_ITS_INT_UNMAPPED_INTERRUPT = 0x010307,
	E_ITS_CLEAR_UNMAPPED_INTERRUPT = 0x010507,
	E_ITS_MAPD_DEVICE_OOR = 0x010801,
	E_ITS_MAPD_ITTSIZE_OOR = 0x010802,
	E_ITS_MAPC_PROCNUM_OOR = 0x010902,
	E_ITS_MAPC_COLLECTION_OOR = 0x010903,
	E_ITS_MAPTI_UNMAPPED_DEVICE = 0x010a04,
	E_ITS_MAPTI_ID_OOR = 0x010a05,
	E_ITS_MAPTI_PHYSICALID_OOR = 0x010a06,
	E_ITS_INV_UNMAPPED_INTERRUPT = 0x010c07,
	E_ITS_INVALL_UNMAPPED_COLLECTION = 0x010d09,
	E_ITS_MOVALL_PROCNUM_OOR = 0x010e01,
	E_ITS_DISCARD_UNMAPPED_INTERRUPT = 0x010f07,
};

/* ---- translation structures -------------------------------------------- */

#define VGIC_ITS_INLINE_BITS 6 /* up to 64 events: ITT entries inline */
#define VGIC_ITS_CHUNK_SHIFT 6
#define VGIC_ITS_CHUNK (1u << VGIC_ITS_CHUNK_SHIFT)

static inline uint32_t vgic_its_ite_pack(uint32_t intid, uint32_t icid)
{
	return intid << 16 | (icid & 0xffff);
}
static inline uint32_t vgic_its_ite_intid(uint32_t e) { return e >> 16; }
static inline uint32_t vgic_its_ite_icid(uint32_t e) { return e & 0xffff; }

/* The target (vcpu_id, VGIC_NO_VCPU or VGIC_ITS_NO_COLL) of a collection
 * word. */
static inline uint32_t vgic_its_coll_target(uint32_t w)
{
	return w < VGIC_ITS_NO_COLL ? w & ~VGIC_ITS_COLL_LPIS_OFF : w;
}

/* Size classes of devices: nbits (1..6) for inline ITTs, one for l2. */
#define VGIC_ITS_DEV_CLASSES (VGIC_ITS_INLINE_BITS + 2)
static inline uint32_t vgic_its_dev_class(uint32_t nbits)
{
	return nbits <= VGIC_ITS_INLINE_BITS ? nbits : VGIC_ITS_INLINE_BITS + 1;
}

struct vgic_its_chunk {
	struct vgic_its_chunk *next_free; /* writer only */
	_Atomic uint32_t e[VGIC_ITS_CHUNK];
};

struct vgic_its_l2 {
	struct vgic_its_l2 *next_free; /* writer only */
	uint32_t cap_bits;     /* chunk[1 << (cap_bits - 6)]; never changes */
	_Atomic(struct vgic_its_chunk *) chunk[];
};

struct vgic_its_device {
	_Atomic uint32_t seq;   /* even: mapped; odd: changing or free */
	_Atomic uint32_t key;   /* DeviceID | nbits << 16, for the reader */
	struct vgic_its_device *next_free; /* writer only */
	/* Writer side (v->lock): */
	uint32_t id;            /* DeviceID */
	uint32_t nbits;         /* EventIDs < 1 << nbits (1..16) */
	uint64_t itt_addr;      /* ITT GPA, 256-byte aligned */
	uint32_t nr_ites;
	_Atomic(struct vgic_its_l2 *) l2; /* nbits > INLINE_BITS, lazily */
	_Atomic uint32_t ite[]; /* nbits <= INLINE_BITS: [1 << nbits] */
};

struct vgic_its_devpage {
	_Atomic(struct vgic_its_device *) dev[256]; /* at offset 0 (MSI path) */
	uint32_t nr_devs; /* writer only */
};

struct vgic_its {
	/* Device directory: at offset 0, the MSI path indexes it directly. */
	_Atomic(struct vgic_its_devpage *) dir[1u << (VGIC_ITS_DEV_BITS - 8)];

	struct vgic_device *dev;
	struct vgic *v;

	/* Registers (v->lock). */
	_Atomic uint64_t base;     /* frame GPA, valid if base_set */
	_Atomic bool base_set;
	_Atomic bool enabled;      /* GITS_CTLR.Enabled, read by the MSI path */
	uint32_t abi_rev;          /* GITS_IIDR.Revision */
	uint64_t baser[2];         /* BASER0 device table, BASER1 collections */
	uint64_t cbaser, creadr, cwriter;
	/* What the last ITS_SAVE_TABLES wrote (vgic__its_verify_tables). */
	uint32_t saved_devs;
	uint64_t saved_ites;

	/* Mappings (dir above, coll below). */
	uint32_t nr_devices;
	uint64_t nr_ites;           /* ITEs across all devices */
	uint32_t *coll_ites;        /* [VGIC_ITS_NR_ICIDS] ITEs using an ICID */
	uint32_t nr_colls;          /* collections that exist */

	/* Type-stable free lists (v->lock), freed only at destroy. */
	struct vgic_its_device *free_dev[VGIC_ITS_DEV_CLASSES];
	struct vgic_its_l2 *free_l2[VGIC_ITS_EVENT_BITS + 1]; /* [cap_bits] */
	struct vgic_its_chunk *free_chunk;

	/* Collection words (top of this file): inside the object, one load
	 * fewer on the MSI path than behind a pointer. */
	_Atomic uint32_t coll[VGIC_ITS_NR_ICIDS];
};

/* ---- internal API (v->lock held unless stated) --------------------------- */

/* Reader (no lock, no reference taken): the ITT entry for (devid,
 * eventid) or 0 if none, validated by the device's seq (see the top of
 * this file).  IDs are range-checked. */
static inline uint32_t vgic__its_translate(struct vgic_its *its,
					   uint32_t devid, uint32_t eventid)
{
	_Atomic(struct vgic_its_device *) *slot;
	struct vgic_its_devpage *pg;
	struct vgic_its_device *d;
	struct vgic_its_l2 *l2;
	struct vgic_its_chunk *c;
	uint32_t seq, key, nbits, ci, e = 0;

	/* A DeviceID >= 65536 fails the key check (16-bit key field). */
	pg = atomic_load_explicit(&its->dir[(devid >> 8) & 255],
				  memory_order_acquire);
	if (!pg)
		return 0;
	slot = &pg->dev[devid & 255];
	d = atomic_load_explicit(slot, memory_order_acquire);
	if (!d)
		return 0;
	/* An odd seq fails the re-check below (it compares with seq & ~1);
	 * until then every load stays inside the object's class. */
	seq = atomic_load_explicit(&d->seq, memory_order_acquire);
	key = atomic_load_explicit(&d->key, memory_order_relaxed);
	nbits = key >> 16;
	if ((key & 0xffff) != devid || eventid >> nbits)
		return 0;
	if (nbits > VGIC_ITS_INLINE_BITS) {
		l2 = atomic_load_explicit(&d->l2, memory_order_acquire);
		ci = eventid >> VGIC_ITS_CHUNK_SHIFT;
		if (!l2 || eventid >> l2->cap_bits)
			return 0;
		c = atomic_load_explicit(&l2->chunk[ci], memory_order_acquire);
		if (!c)
			return 0;
		e = atomic_load_explicit(&c->e[eventid & (VGIC_ITS_CHUNK - 1)],
					 memory_order_relaxed);
	} else {
		/* Inline class: nbits is the object's fixed capacity. */
		e = atomic_load_explicit(&d->ite[eventid],
					 memory_order_relaxed);
	}
	if (!e)
		return 0;
	/* Order the loads above before the re-check (seqcount read side). */
	atomic_thread_fence(memory_order_acquire);
	if (atomic_load_explicit(&d->seq, memory_order_relaxed) != (seq & ~1u))
		return 0;
	return e;
}

/* The device with this DeviceID, or NULL. */
struct vgic_its_device *vgic__its_find_device(struct vgic_its *its,
					      uint32_t devid);
/*
 * MAPD V=1 without the table checks: drop any existing device @devid (and
 * its ITEs), then create it with @nbits (1..16) EventID bits.
 * Returns 0, -EINVAL (bad devid/nbits), -ENOMEM (old device then gone).
 */
int vgic__its_map_device(struct vgic_its *its, uint32_t devid,
			 uint64_t itt_addr, uint32_t nbits);
/* MAPD V=0: drop the device and its ITEs (nothing if unmapped). */
void vgic__its_unmap_device(struct vgic_its *its, uint32_t devid);
/* Every device (BASER0.Valid = 0, reset): to the free lists. */
void vgic__its_free_devices(struct vgic_its *its);

/* ITT entry of (dev, eventid) without the lock (0 = none). */
uint32_t vgic__its_get_ite(struct vgic_its_device *d, uint32_t eventid);
/*
 * Create the ITE (dev, eventid) -> (intid, icid) and a reference on the LPI
 * @intid (created if new: configuration byte read from PROPBASER, pending
 * bit synced from the target's pending table and cleared there).  The LPI
 * targets the collection's vCPU if @icid is mapped.  The collection must
 * exist (vgic__its_map_collection).  Does not check PROPBASER's IDbits.
 * Returns 0, -EEXIST (ITE exists: unchanged), -EINVAL (IDs out of range),
 * -EFAULT (configuration byte not in RAM: nothing changed; a host failure
 * gives its own errno, see vgic__guest_err), -ENOMEM.
 */
int vgic__its_map_ite(struct vgic_its *its, struct vgic_its_device *d,
		      uint32_t eventid, uint32_t intid, uint32_t icid);
/* The ITT slot of (d, eventid < 1 << d->nbits), allocating the chunk
 * (and the l2 directory) if needed: NULL only on -ENOMEM.  For callers
 * that create many ITEs at once (table restore): a store of a packed entry
 * into it must be a release store made after the LPI exists, and the
 * caller keeps the counters of vgic__its_map_ite. */
_Atomic uint32_t *vgic__its_ite_slot(struct vgic_its *its,
				     struct vgic_its_device *d,
				     uint32_t eventid);
/* Drop the ITE and its LPI reference; false if there was none. */
bool vgic__its_unmap_ite(struct vgic_its *its, struct vgic_its_device *d,
			 uint32_t eventid);
/* Change an existing ITE's ICID (MOVI); retargets the LPI if mapped. */
void vgic__its_move_ite(struct vgic_its *its, struct vgic_its_device *d,
			uint32_t eventid, uint32_t icid);

/*
 * Iterate in ID order: the first device with DeviceID >= @from (NULL when
 * none); the first ITE of @d with EventID >= @from (false when none).
 * Cost: proportional to the populated directory pages/chunks skipped.
 */
struct vgic_its_device *vgic__its_next_device(struct vgic_its *its,
					      uint32_t from);
bool vgic__its_next_ite(struct vgic_its_device *d, uint32_t from,
			uint32_t *eventid, uint32_t *intid, uint32_t *icid);

/* Collections.  Target: vcpu_id or VGIC_NO_VCPU (exists, unmapped). */
/* Create or retarget collection @icid; every ITE using @icid (also ITEs
 * kept from an earlier unmap, see DEVIATION in docs/its.md) retargets its
 * LPI.  Returns 0 or -EINVAL (icid or target out of range). */
int vgic__its_map_collection(struct vgic_its *its, uint32_t icid,
			     uint32_t target);
/* GICR_CTLR.EnableLPIs of @vcpu changed (lpi.c): update the collection
 * words of every ITS (O(ICIDs) per ITS that has collections). */
void vgic__its_lpis_enabled(struct vgic *v, uint32_t vcpu, bool on);
/* MAPC V=0: the collection no longer exists; ITEs keep their ICID. */
void vgic__its_unmap_collection(struct vgic_its *its, uint32_t icid);
/* Target of @icid: vcpu_id, VGIC_NO_VCPU, or VGIC_ITS_NO_COLL. */
uint32_t vgic__its_collection(struct vgic_its *its, uint32_t icid);
/* First existing collection with ICID >= @from; false when none. */
bool vgic__its_next_collection(struct vgic_its *its, uint32_t from,
			       uint32_t *icid, uint32_t *target);
void vgic__its_free_collections(struct vgic_its *its);

/*
 * KVM's vgic_its_check_id: is @id inside the table described by @baser
 * (flat, or two-level reading the L1 entry), with the entry in readable
 * guest memory?  *@eaddr gets the entry's GPA.  Works for BASER0 and
 * BASER1.
 */
bool vgic__its_check_id(struct vgic_its *its, uint64_t baser, uint32_t id,
			uint64_t *eaddr);
/* The same as 1 (yes), 0 (no) or the errno of a host failure (any but
 * -EFAULT, which means "not RAM": no), for callers that must not blame the
 * guest for the host (table restore). */
int vgic__its_check_id_err(struct vgic_its *its, uint64_t baser, uint32_t id,
			   uint64_t *eaddr);
/* GPA of a table described by a BASER value (64 KB pages, PA[51:48]). */
uint64_t vgic__its_baser_addr(uint64_t baser);
/* Bytes of the table: (Size + 1) x 64 KB. */
uint64_t vgic__its_baser_size(uint64_t baser);
/* Little-endian 64-bit table entry access (0 or -EFAULT). */
int vgic__its_read_entry(struct vgic *v, uint64_t gpa, uint64_t *val);
int vgic__its_write_entry(struct vgic *v, uint64_t gpa, uint64_t val);

/* ITS_CTRL_RESET / reset on BASER writes. */
void vgic__its_reset(struct vgic_its *its);

/* its_cmd.c: run one 32-byte command (DW0..DW3, host order).  Returns 0 or
 * an enum vgic_its_err / negative errno (the command was dropped). */
int vgic__its_handle_cmd(struct vgic_its *its, const uint64_t cmd[4]);
/* vgic__its_inject() (internal.h) is the MSI/INT path. */

/* its_table.c: CTRL SAVE_TABLES / RESTORE_TABLES. */
int vgic__its_save_tables(struct vgic_its *its);
int vgic__its_restore_tables(struct vgic_its *its);
/*
 * For the snapshot, right after vgic__its_save_tables(): make sure that
 * RESTORE_TABLES of the tables now in guest RAM rebuilds exactly the
 * mappings that save wrote.  Entries the restore scan would read that
 * are not what save wrote (guest-written garbage in ITS-owned memory) are
 * zeroed in guest RAM.  Returns 0, or the errno (and vgic_last_error()
 * text) the restore would fail with: table memory that is not guest RAM,
 * a live entry the restore would reject (an ICID the collection table no
 * longer holds), tables that alias each other.  Nothing but those zeroed
 * entries changes.  (vgic__its_verify_tables is declared in internal.h:
 * the snapshot code calls it.)
 */

/* ---- LPIs (lpi.c) used by the ITS (v->lock held) ------------------------- */

/* PROPBASER's LPI limit: INTIDs < 2^min(IDbits + 1, 16). */
uint32_t vgic__lpi_limit(struct vgic *v);
/* Take a reference on LPI @intid, creating it if new (config byte read
 * from PROPBASER, pending synced from @target's pending table: -EFAULT or
 * the host's errno if either read fails).  @target is vcpu_id or
 * VGIC_NO_VCPU. */
int vgic__lpi_get(struct vgic *v, uint32_t intid, uint32_t target);
/* The guest-memory reads vgic__lpi_get() would make to create @intid for
 * @target succeed: 0 or their errno (nothing changes). */
int vgic__lpi_check_readable(struct vgic *v, uint32_t intid, uint32_t target);

/*
 * Batched LPI creation (ITS table restore), for one v->lock hold in which
 * guest RAM changes only through our own writes: the configuration and
 * pending-table bytes are read a 256-byte line at a time and cached by GPA
 * (a line that cannot be read falls back to the byte, so errors are those
 * of vgic__lpi_get).  Every guest byte this code writes (a consumed pending
 * bit) is also written into the cached lines and into the windows of
 * guest memory the caller reads through (c->win[]), so no copy goes stale.
 */
#define VGIC_LPI_LINE 256u
#define VGIC_LPI_LINES 16u
struct vgic_gwin {
	uint8_t *buf;
	uint64_t gpa;  /* the window is [gpa, gpa + len) */
	uint32_t len, grow;
	bool live; /* a live entry was found in it (ITT scans) */
};
#define VGIC_LPI_WINS 3
struct vgic_lpi_cache {
	/* Windows of guest memory the caller reads through (the ITT window,
	 * the device table's, the level-1 table's), or NULL. */
	struct vgic_gwin *win[VGIC_LPI_WINS];
	uint64_t prop_base;    /* PROPBASER's table (fixed under the lock) */
	uint32_t pend_vcpu;    /* the last target, whose table is at */
	uint64_t pend_base;    /* pend_base (fixed under the lock) */
	uint64_t tag[2][VGIC_LPI_LINES]; /* line GPA; 1 = empty */
	uint8_t line[2][VGIC_LPI_LINES][VGIC_LPI_LINE];
};
void vgic__lpi_cache_init(struct vgic *v, struct vgic_lpi_cache *c,
			  struct vgic_gwin *win);
/* vgic__lpi_get reading through @c (NULL: uncached). */
int vgic__lpi_get_cached(struct vgic *v, struct vgic_lpi_cache *c,
			 uint32_t intid, uint32_t target);
/*
 * Create the LPIs @intid.. (at most @n <= VGIC_LPI_RUN_MAX) for @target,
 * none of which exists, as vgic__lpi_get_cached calls would, up to the
 * first with a pending bit to consume (a write: the caller makes it one
 * LPI at a time, in order): returns how many were created (0 also when a
 * table line is not RAM as a whole: the caller's byte path then gives the
 * exact answer), or the errno of a host failure with nothing changed.
 */
#define VGIC_LPI_RUN_MAX 64u
int vgic__lpi_create_run(struct vgic *v, struct vgic_lpi_cache *c,
			 uint32_t intid, uint32_t n, uint32_t target);
/* Drop a reference; the LPI stops existing (and pending) at 0. */
void vgic__lpi_put(struct vgic *v, uint32_t intid);
/* Retarget an existing LPI (moves its pending state with it). */
void vgic__lpi_set_target(struct vgic *v, uint32_t intid, uint32_t target);
/* Set LPI @intid pending and kick its target (lock-free; no existence
 * check beyond the caller's translation). */
void vgic__lpi_set_pending(struct vgic *v, uint32_t intid, uint32_t target);
/* The MSI fast path's out-of-line tails (lock-free, return 1): mark
 * @target (a vCPU) dirty and kick it; deliver LPI @intid when a GICv4
 * backend is attached (forwarded, or vgic__lpi_set_pending()). */
int vgic__lpi_notify(struct vgic *v, uint32_t target);
int vgic__lpi_msi_v4(struct vgic *v, uint32_t intid);
/* Its body. */
static inline void vgic__lpi_mark_pending(struct vgic *v, uint32_t intid,
					  uint32_t target)
{
	uint32_t i = intid - VGIC_MIN_LPI;
	_Atomic uint64_t *w = &v->lpi.pending[i / 64];
	uint64_t bit = 1ull << (i % 64);
	struct vgic_vcpu *c;

	/* Already pending and the target already told: nothing changes.
	 * The OR and the lpi_dirty load are seq_cst against the consumer's
	 * seq_cst store of false followed by its seq_cst scan of the bitmap
	 * (vgic__update_vcpu, vgic__lpi_best): either the scan sees the bit,
	 * or this load sees false (or later) and the store below lands after
	 * the consumer's false.  The store itself only needs release: a
	 * vgic__vcpu_sync_dirty() that reads it then sees the bit.  It is
	 * skipped when the flag is already set (no write, no line bounce). */
	if (!(atomic_load_explicit(w, memory_order_relaxed) & bit))
		atomic_fetch_or_explicit(w, bit, memory_order_seq_cst);
	if (target >= v->nr_vcpus)
		return;
	c = &v->vcpu[target];
	if (atomic_load_explicit(&c->lpi_dirty, memory_order_seq_cst))
		return;
	atomic_store_explicit(&c->lpi_dirty, true, memory_order_release);
	vgic__kick(v, target);
}
/* MOVALL: every LPI targeting @from now targets @to. */
void vgic__lpi_move_all(struct vgic *v, uint32_t from, uint32_t to);

#endif /* VGIC_ITS_H */

/*
 * libvgic - GICv3 ITS (Interrupt Translation Service): the 128 KiB frame
 * (GITS_CTLR, IIDR, TYPER, CBASER, CWRITER, CREADR, BASER0-7, ID
 * registers, GITS_TRANSLATER), the ITS device's attribute groups (ADDR,
 * CTRL, ITS_REGS with KVM's userspace rules), the command queue, the
 * translation structures of its.h and the lock-free MSI path.
 * (GICv3/4 architecture spec chapter 5 and §12.19 "ITS registers"; KVM:
 * arch/arm64/kvm/vgic/vgic-its.c, see docs/its.md.)
 *
 * Commands run synchronously inside the GITS_CWRITER write (and when the
 * ITS is enabled with commands queued), all under v->lock.  Nothing they
 * unlink is freed: it goes to the ITS's type-stable free lists and MSI
 * readers validate what they read (see its.h).
 */
#include "its.h"
#include "v4.h"

#define CBASER_ADDR_MASK 0x000ffffffffff000ull /* [51:12] */
#define CMD_OFFSET_MASK 0xfffe0ull             /* [19:5] */
#define BASER_SHARE_SHIFT 10
#define BASER_ICACHE_SHIFT 59
#define BASER_OCACHE_SHIFT 53
#define BASER_PAGE_SIZE_MASK (3ull << 8)
#define BASER_PAGE_SIZE_64K (2ull << 8)
#define VGIC_PHYS_LIMIT (1ull << VGIC_PHYS_ADDR_BITS) /* IMPDEF: IPA size */

/* ---- guest memory helpers ------------------------------------------------ */

int vgic__its_read_entry(struct vgic *v, uint64_t gpa, uint64_t *val)
{
	uint8_t b[8];
	int ret;

	if (!v->ops.read_guest)
		return -EFAULT;
	ret = vgic__guest_err(v->ops.read_guest(v->opaque, gpa, b, 8));
	if (ret)
		return ret;
	*val = 0;
	for (int i = 7; i >= 0; i--)
		*val = *val << 8 | b[i];
	return 0;
}

int vgic__its_write_entry(struct vgic *v, uint64_t gpa, uint64_t val)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(val >> (8 * i));
	if (!v->ops.write_guest)
		return -EFAULT;
	return vgic__guest_err(v->ops.write_guest(v->opaque, gpa, b, 8));
}

/* KVM's "visible gfn" check: 1 if the 8-byte entry at @gpa is guest RAM,
 * 0 if not, or a host failure's errno. */
static int its_visible(struct vgic *v, uint64_t gpa)
{
	uint64_t dummy;
	int ret = vgic__its_read_entry(v, gpa, &dummy);

	return ret == -EFAULT ? 0 : ret ? ret : 1;
}

uint64_t vgic__its_baser_addr(uint64_t baser)
{
	return (baser & 0x0000ffffffff0000ull) | (baser & 0xf000ull) << 36;
}

uint64_t vgic__its_baser_size(uint64_t baser)
{
	return ((baser & 0xff) + 1) << 16;
}

int vgic__its_check_id_err(struct vgic_its *its, uint64_t baser, uint32_t id,
			    uint64_t *eaddr)
{
	uint64_t size = vgic__its_baser_size(baser);
	uint64_t base = vgic__its_baser_addr(baser);
	uint64_t esz = ((baser >> GITS_BASER_ESZ_SHIFT) & 0x1f) + 1;
	uint64_t type = (baser >> GITS_BASER_TYPE_SHIFT) & 7;
	uint64_t l1, addr, index;
	int ret;

	if (type == GITS_BASER_TYPE_DEVICE) {
		if (id >> VGIC_ITS_DEV_BITS)
			return 0;
	} else if (type == GITS_BASER_TYPE_COLL) {
		if (id >= VGIC_ITS_NR_ICIDS)
			return 0;
	} else {
		return 0;
	}
	if (!(baser & GITS_BASER_INDIRECT)) {
		if (id >= size / esz)
			return 0;
		addr = base + id * esz;
	} else {
		index = id / (0x10000 / esz);
		if (index >= size / 8)
			return 0;
		ret = vgic__its_read_entry(its->v, base + index * 8, &l1);
		if (ret)
			return ret == -EFAULT ? 0 : ret;
		if (!(l1 & (1ull << 63)))
			return 0;
		addr = (l1 & 0x000fffffffff0000ull) + (id % (0x10000 / esz)) * esz;
	}
	if (eaddr)
		*eaddr = addr;
	return its_visible(its->v, addr);
}

bool vgic__its_check_id(struct vgic_its *its, uint64_t baser, uint32_t id,
			uint64_t *eaddr)
{
	return vgic__its_check_id_err(its, baser, id, eaddr) > 0;
}

/* ---- translation structures ---------------------------------------------- */

static size_t dev_size(uint32_t cls)
{
	size_t n = cls <= VGIC_ITS_INLINE_BITS ? (size_t)1 << cls : 0;

	return sizeof(struct vgic_its_device) + n * sizeof(_Atomic uint32_t);
}

/* Type-stable allocation (see its.h): reuse a free object of the class or
 * allocate one.  Free objects are all-zero in what readers read (ITT
 * entries, chunk pointers, l2) and a device's seq is odd. */
static struct vgic_its_device *dev_alloc(struct vgic_its *its, uint32_t cls)
{
	struct vgic_its_device *d = its->free_dev[cls];

	if (d) {
		its->free_dev[cls] = d->next_free;
		d->next_free = NULL;
#if defined(__GNUC__)
		/* Batches (table restore) pop one object after another: start
		 * fetching the next one (the free list is a pointer chase). */
		if (its->free_dev[cls])
			__builtin_prefetch(its->free_dev[cls], 1);
#endif
		return d;
	}
	d = vgic__zalloc(its->v, 1, dev_size(cls));
	if (d)
		atomic_init(&d->seq, 1);
	return d;
}

static struct vgic_its_l2 *l2_alloc(struct vgic_its *its, uint32_t nbits)
{
	struct vgic_its_l2 *l2 = its->free_l2[nbits];

	if (l2) {
		its->free_l2[nbits] = l2->next_free;
		l2->next_free = NULL;
		return l2;
	}
	l2 = vgic__zalloc(its->v, 1,
			  sizeof(*l2) + sizeof(l2->chunk[0]) *
					((size_t)1 << (nbits -
						       VGIC_ITS_CHUNK_SHIFT)));
	if (l2)
		l2->cap_bits = nbits;
	return l2;
}

static struct vgic_its_chunk *chunk_alloc(struct vgic_its *its)
{
	struct vgic_its_chunk *c = its->free_chunk;

	if (c) {
		its->free_chunk = c->next_free;
		c->next_free = NULL;
		return c;
	}
	return vgic__zalloc(its->v, 1, sizeof(*c));
}

struct vgic_its_device *vgic__its_find_device(struct vgic_its *its,
					      uint32_t devid)
{
	struct vgic_its_devpage *pg;

	if (devid >> VGIC_ITS_DEV_BITS)
		return NULL;
	pg = atomic_load_explicit(&its->dir[devid >> 8], memory_order_relaxed);
	return pg ? atomic_load_explicit(&pg->dev[devid & 255],
					 memory_order_relaxed)
		  : NULL;
}

/* The slot of (d, eventid), allocating the L2 directory and the chunk if
 * @alloc; NULL if absent (or -ENOMEM). */
static _Atomic uint32_t *ite_slot(struct vgic_its *its,
				  struct vgic_its_device *d, uint32_t eventid,
				  bool alloc)
{
	struct vgic_its_l2 *l2;
	struct vgic_its_chunk *c;
	uint32_t ci = eventid >> VGIC_ITS_CHUNK_SHIFT;

	if (eventid >> d->nbits)
		return NULL;
	if (d->nbits <= VGIC_ITS_INLINE_BITS)
		return &d->ite[eventid];
	l2 = atomic_load_explicit(&d->l2, memory_order_relaxed);
	if (!l2) {
		if (!alloc)
			return NULL;
		l2 = l2_alloc(its, d->nbits);
		if (!l2)
			return NULL;
		atomic_store_explicit(&d->l2, l2, memory_order_release);
	}
	c = atomic_load_explicit(&l2->chunk[ci], memory_order_relaxed);
	if (!c) {
		if (!alloc)
			return NULL;
		c = chunk_alloc(its);
		if (!c)
			return NULL;
		atomic_store_explicit(&l2->chunk[ci], c, memory_order_release);
	}
	return &c->e[eventid & (VGIC_ITS_CHUNK - 1)];
}

_Atomic uint32_t *vgic__its_ite_slot(struct vgic_its *its,
				     struct vgic_its_device *d,
				     uint32_t eventid)
{
	return ite_slot(its, d, eventid, true);
}

uint32_t vgic__its_get_ite(struct vgic_its_device *d, uint32_t eventid)
{
	struct vgic_its_l2 *l2;
	struct vgic_its_chunk *c;

	if (eventid >> d->nbits)
		return 0;
	if (d->nbits <= VGIC_ITS_INLINE_BITS)
		return atomic_load_explicit(&d->ite[eventid],
					    memory_order_relaxed);
	l2 = atomic_load_explicit(&d->l2, memory_order_relaxed);
	if (!l2)
		return 0;
	c = atomic_load_explicit(&l2->chunk[eventid >> VGIC_ITS_CHUNK_SHIFT],
				 memory_order_relaxed);
	return c ? atomic_load_explicit(&c->e[eventid & (VGIC_ITS_CHUNK - 1)],
					memory_order_relaxed)
		 : 0;
}

/* Drop the ITE in @slot (LPI reference and counters). */
static void ite_drop(struct vgic_its *its, struct vgic_its_device *d,
		     _Atomic uint32_t *slot)
{
	uint32_t e = atomic_load_explicit(slot, memory_order_relaxed);

	if (!e)
		return;
	atomic_store_explicit(slot, 0, memory_order_release);
	vgic__v4_ite_gone(its->v, vgic_its_ite_intid(e)); /* GICv4: unmap */
	vgic__lpi_put(its->v, vgic_its_ite_intid(e));
	its->coll_ites[vgic_its_ite_icid(e)]--;
	d->nr_ites--;
	its->nr_ites--;
}

/*
 * Unmap @d from @slot: make its seq odd (MSI readers that saw it now fail
 * validation), drop every ITE, and put it, its l2 and chunks on the free
 * lists, zeroed.  Nothing is freed: readers may still be looking.
 */
static void dev_unmap(struct vgic_its *its, struct vgic_its_device *d,
		      _Atomic(struct vgic_its_device *) *slot)
{
	uint32_t seq = atomic_load_explicit(&d->seq, memory_order_relaxed);
	uint32_t n = 1u << d->nbits, cls = vgic_its_dev_class(d->nbits);
	struct vgic_its_l2 *l2;

	/* Seqcount write side: the odd seq is ordered before every change.
	 * Every store readers can see is a release store too, so a reader
	 * that sees any of them (even one made by a later lock holder
	 * reusing @d) also sees this odd seq at its re-check. */
	atomic_store_explicit(&d->seq, seq + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(slot, NULL, memory_order_relaxed);
	if (d->nbits <= VGIC_ITS_INLINE_BITS) {
		for (uint32_t i = 0; i < n && d->nr_ites; i++)
			ite_drop(its, d, &d->ite[i]);
	} else if ((l2 = atomic_load_explicit(&d->l2, memory_order_relaxed))) {
		for (uint32_t ci = 0; ci < n / VGIC_ITS_CHUNK; ci++) {
			struct vgic_its_chunk *c = atomic_load_explicit(
				&l2->chunk[ci], memory_order_relaxed);
			if (!c)
				continue;
			for (uint32_t i = 0; i < VGIC_ITS_CHUNK; i++)
				ite_drop(its, d, &c->e[i]);
			atomic_store_explicit(&l2->chunk[ci], NULL,
					      memory_order_release);
			c->next_free = its->free_chunk;
			its->free_chunk = c;
		}
		atomic_store_explicit(&d->l2, NULL, memory_order_release);
		l2->next_free = its->free_l2[l2->cap_bits];
		its->free_l2[l2->cap_bits] = l2;
	}
	d->next_free = its->free_dev[cls];
	its->free_dev[cls] = d;
}

void vgic__its_unmap_device(struct vgic_its *its, uint32_t devid)
{
	struct vgic_its_devpage *pg;
	struct vgic_its_device *d;

	if (devid >> VGIC_ITS_DEV_BITS)
		return;
	pg = atomic_load_explicit(&its->dir[devid >> 8], memory_order_relaxed);
	if (!pg)
		return;
	d = atomic_load_explicit(&pg->dev[devid & 255], memory_order_relaxed);
	if (!d)
		return;
	pg->nr_devs--;
	its->nr_devices--;
	dev_unmap(its, d, &pg->dev[devid & 255]);
}

int vgic__its_map_device(struct vgic_its *its, uint32_t devid,
			 uint64_t itt_addr, uint32_t nbits)
{
	struct vgic_its_devpage *pg;
	struct vgic_its_device *d;

	if (devid >> VGIC_ITS_DEV_BITS || !nbits ||
	    nbits > VGIC_ITS_EVENT_BITS)
		return -EINVAL;
	vgic__its_unmap_device(its, devid);
	pg = atomic_load_explicit(&its->dir[devid >> 8], memory_order_relaxed);
	if (!pg) {
		pg = vgic__zalloc(its->v, 1, sizeof(*pg));
		if (!pg)
			return -ENOMEM;
		atomic_store_explicit(&its->dir[devid >> 8], pg,
				      memory_order_release);
	}
	d = dev_alloc(its, vgic_its_dev_class(nbits));
	if (!d)
		return -ENOMEM;
	/* seq is odd here: set the identity, then make it even (release:
	 * the identity is visible with it) and publish. */
	d->id = devid;
	d->nbits = nbits;
	d->itt_addr = itt_addr;
	d->nr_ites = 0;
	atomic_store_explicit(&d->key, devid | nbits << 16,
			      memory_order_release);
	atomic_store_explicit(&d->seq,
			      atomic_load_explicit(&d->seq,
						   memory_order_relaxed) + 1,
			      memory_order_release);
	atomic_store_explicit(&pg->dev[devid & 255], d, memory_order_release);
	pg->nr_devs++;
	its->nr_devices++;
	return 0;
}

void vgic__its_free_devices(struct vgic_its *its)
{
	for (uint32_t p = 0; p < VGIC_ARRAY_SIZE(its->dir) && its->nr_devices;
	     p++) {
		struct vgic_its_devpage *pg = atomic_load_explicit(
			&its->dir[p], memory_order_relaxed);
		for (uint32_t i = 0; pg && pg->nr_devs && i < 256; i++)
			vgic__its_unmap_device(its, p << 8 | i);
	}
}

int vgic__its_map_ite(struct vgic_its *its, struct vgic_its_device *d,
		      uint32_t eventid, uint32_t intid, uint32_t icid)
{
	_Atomic uint32_t *slot;
	uint32_t target;
	int ret;

	if (eventid >> d->nbits || intid < VGIC_MIN_LPI ||
	    intid > VGIC_MAX_LPI_INTID || icid >= VGIC_ITS_NR_ICIDS)
		return -EINVAL;
	target = vgic__its_collection(its, icid);
	if (target == VGIC_ITS_NO_COLL)
		return -EINVAL;
	if (vgic__its_get_ite(d, eventid))
		return -EEXIST;
	slot = ite_slot(its, d, eventid, true);
	if (!slot)
		return -ENOMEM;
	ret = vgic__lpi_get(its->v, intid, target);
	if (ret)
		return ret;
	atomic_store_explicit(slot, vgic_its_ite_pack(intid, icid),
			      memory_order_release);
	its->coll_ites[icid]++;
	d->nr_ites++;
	its->nr_ites++;
	return 0;
}

bool vgic__its_unmap_ite(struct vgic_its *its, struct vgic_its_device *d,
			 uint32_t eventid)
{
	_Atomic uint32_t *slot = ite_slot(its, d, eventid, false);

	if (!slot || !atomic_load_explicit(slot, memory_order_relaxed))
		return false;
	ite_drop(its, d, slot);
	return true;
}

void vgic__its_move_ite(struct vgic_its *its, struct vgic_its_device *d,
			uint32_t eventid, uint32_t icid)
{
	_Atomic uint32_t *slot = ite_slot(its, d, eventid, false);
	uint32_t e, target;

	if (!slot || icid >= VGIC_ITS_NR_ICIDS)
		return;
	e = atomic_load_explicit(slot, memory_order_relaxed);
	if (!e)
		return;
	its->coll_ites[vgic_its_ite_icid(e)]--;
	its->coll_ites[icid]++;
	atomic_store_explicit(slot, vgic_its_ite_pack(vgic_its_ite_intid(e),
						      icid),
			      memory_order_release);
	target = vgic__its_collection(its, icid);
	if (target < its->v->nr_vcpus)
		vgic__lpi_set_target(its->v, vgic_its_ite_intid(e), target);
}

struct vgic_its_device *vgic__its_next_device(struct vgic_its *its,
					      uint32_t from)
{
	for (uint32_t p = from >> 8; p < VGIC_ARRAY_SIZE(its->dir); p++) {
		struct vgic_its_devpage *pg = atomic_load_explicit(
			&its->dir[p], memory_order_relaxed);
		if (!pg || !pg->nr_devs)
			continue;
		for (uint32_t i = p == from >> 8 ? from & 255 : 0; i < 256;
		     i++) {
			struct vgic_its_device *d = atomic_load_explicit(
				&pg->dev[i], memory_order_relaxed);
			if (d)
				return d;
		}
	}
	return NULL;
}

bool vgic__its_next_ite(struct vgic_its_device *d, uint32_t from,
			uint32_t *eventid, uint32_t *intid, uint32_t *icid)
{
	uint32_t n = 1u << d->nbits;
	struct vgic_its_l2 *l2 = NULL;

	if (d->nbits > VGIC_ITS_INLINE_BITS) {
		l2 = atomic_load_explicit(&d->l2, memory_order_relaxed);
		if (!l2)
			return false;
	}
	for (uint32_t ev = from; ev < n; ev++) {
		uint32_t e;

		if (l2) {
			struct vgic_its_chunk *c = atomic_load_explicit(
				&l2->chunk[ev >> VGIC_ITS_CHUNK_SHIFT],
				memory_order_relaxed);
			if (!c) {
				ev |= VGIC_ITS_CHUNK - 1;
				continue;
			}
			e = atomic_load_explicit(
				&c->e[ev & (VGIC_ITS_CHUNK - 1)],
				memory_order_relaxed);
		} else {
			e = atomic_load_explicit(&d->ite[ev],
						 memory_order_relaxed);
		}
		if (e) {
			*eventid = ev;
			*intid = vgic_its_ite_intid(e);
			*icid = vgic_its_ite_icid(e);
			return true;
		}
	}
	return false;
}

/* ---- collections ---------------------------------------------------------- */

uint32_t vgic__its_collection(struct vgic_its *its, uint32_t icid)
{
	if (icid >= VGIC_ITS_NR_ICIDS)
		return VGIC_ITS_NO_COLL;
	return vgic_its_coll_target(
		atomic_load_explicit(&its->coll[icid], memory_order_relaxed));
}

/* The collection word of a mapped collection (see its.h). */
static uint32_t coll_word(struct vgic *v, uint32_t target)
{
	if (target < v->nr_vcpus &&
	    !atomic_load_explicit(&v->vcpu[target].enable_lpis,
				  memory_order_relaxed))
		return target | VGIC_ITS_COLL_LPIS_OFF;
	return target;
}

void vgic__its_lpis_enabled(struct vgic *v, uint32_t vcpu, bool on)
{
	uint32_t n = atomic_load_explicit(&v->nr_its, memory_order_relaxed);

	for (uint32_t i = 0; i < n; i++) {
		struct vgic_its *its = atomic_load_explicit(
			&v->its[i], memory_order_relaxed);

		for (uint32_t c = 0; its->nr_colls && c < VGIC_ITS_NR_ICIDS;
		     c++)
			if (vgic__its_collection(its, c) == vcpu)
				atomic_store_explicit(
					&its->coll[c],
					on ? vcpu
					   : vcpu | VGIC_ITS_COLL_LPIS_OFF,
					memory_order_release);
	}
}

int vgic__its_map_collection(struct vgic_its *its, uint32_t icid,
			     uint32_t target)
{
	struct vgic_its_device *d;
	uint32_t ev, intid, ic;

	if (icid >= VGIC_ITS_NR_ICIDS ||
	    (target != VGIC_NO_VCPU && target >= its->v->nr_vcpus))
		return -EINVAL;
	if (vgic__its_collection(its, icid) == VGIC_ITS_NO_COLL)
		its->nr_colls++;
	atomic_store_explicit(&its->coll[icid], coll_word(its->v, target),
			      memory_order_release);
	if (target == VGIC_NO_VCPU || !its->coll_ites[icid])
		return 0;
	/* Retarget the LPIs of every ITE using @icid: O(ITEs of the ITS), as
	 * KVM's update_affinity_collection. */
	for (d = vgic__its_next_device(its, 0); d;
	     d = vgic__its_next_device(its, d->id + 1)) {
		for (ev = 0; vgic__its_next_ite(d, ev, &ev, &intid, &ic); ev++)
			if (ic == icid)
				vgic__lpi_set_target(its->v, intid, target);
	}
	return 0;
}

void vgic__its_unmap_collection(struct vgic_its *its, uint32_t icid)
{
	if (vgic__its_collection(its, icid) == VGIC_ITS_NO_COLL)
		return;
	atomic_store_explicit(&its->coll[icid], VGIC_ITS_NO_COLL,
			      memory_order_release);
	its->nr_colls--;
}

bool vgic__its_next_collection(struct vgic_its *its, uint32_t from,
			       uint32_t *icid, uint32_t *target)
{
	for (uint32_t i = from; its->nr_colls && i < VGIC_ITS_NR_ICIDS; i++) {
		uint32_t t = vgic__its_collection(its, i);

		if (t != VGIC_ITS_NO_COLL) {
			*icid = i;
			*target = t;
			return true;
		}
	}
	return false;
}

void vgic__its_free_collections(struct vgic_its *its)
{
	for (uint32_t i = 0; its->nr_colls && i < VGIC_ITS_NR_ICIDS; i++)
		vgic__its_unmap_collection(its, i);
}

void vgic__its_reset(struct vgic_its *its)
{
	its->baser[0] &= ~GITS_BASER_VALID;
	its->baser[1] &= ~GITS_BASER_VALID;
	its->cbaser = 0;
	its->creadr = 0;
	its->cwriter = 0;
	atomic_store(&its->enabled, false);
	vgic__its_free_devices(its);
	vgic__its_free_collections(its);
}

bool vgic__its_has_mappings(const struct vgic_its *its)
{
	return its->nr_devices || its->nr_colls;
}

/* ---- the MSI path ---------------------------------------------------------- */

/*
 * The MSI fast path (lock-free, see its.h).  Written so that the common
 * case (translation found, LPI already pending or newly set, target
 * already marked dirty) is one leaf function with no stack frame: the
 * rare tails (GICv4 backend attached, target to be marked dirty and
 * kicked) are tail calls into lpi.c.
 */
static inline int its_deliver(struct vgic *v, struct vgic_its *its,
			      uint32_t devid, uint32_t eventid)
{
	uint32_t e, t, i, lt;
	_Atomic uint64_t *w;

	if (!atomic_load_explicit(&its->enabled, memory_order_acquire))
		return -EBUSY;
	/* Plain loads only (validated, see its.h); no reference taken. */
	e = vgic__its_translate(its, devid, eventid);
	if (!e)
		return 0;
	/* The collection word folds in the target's EnableLPIs (its.h). */
	t = atomic_load_explicit(&its->coll[vgic_its_ite_icid(e)],
				 memory_order_acquire);
	if (t >= v->nr_vcpus)
		return vgic_its_coll_target(t) < v->nr_vcpus ? -EBUSY : 0;
	/* The LPI arrays live as long as the instance. */
	if (atomic_load_explicit(&v->v4, memory_order_relaxed))
		return vgic__lpi_msi_v4(v, vgic_its_ite_intid(e));
	i = vgic_its_ite_intid(e) - VGIC_MIN_LPI;
	w = &v->lpi.pending[i / 64];
	/* Already pending: this edge merges into the pending one, and
	 * whoever set the bit runs (or ran) the notification below, as KVM
	 * returns early for an LPI already queued (vgic_queue_irq_unlock). */
	if (atomic_load_explicit(w, memory_order_relaxed) >> (i % 64) & 1)
		return 1;
	atomic_fetch_or_explicit(w, 1ull << (i % 64), memory_order_seq_cst);
	/* See vgic__lpi_mark_pending() for the lpi_dirty protocol. */
	lt = atomic_load_explicit(&v->lpi.target[i], memory_order_seq_cst);
	if (lt >= v->nr_vcpus ||
	    atomic_load_explicit(&v->vcpu[lt].lpi_dirty, memory_order_seq_cst))
		return 1;
	return vgic__lpi_notify(v, lt);
}

int vgic__its_inject(struct vgic *v, struct vgic_its *its, uint32_t devid,
		     uint32_t eventid)
{
	return its_deliver(v, its, devid, eventid);
}

static inline bool its_contains(const struct vgic_its *its, uint64_t gpa)
{
	/* The fields are atomics written once under the lock; the MSI path
	 * reads them without it. */
	struct vgic_its *w = (struct vgic_its *)(uintptr_t)its;
	uint64_t base;

	if (!atomic_load_explicit(&w->base_set, memory_order_acquire))
		return false;
	base = atomic_load_explicit(&w->base, memory_order_relaxed);
	/* base + VGIC_ITS_SIZE <= VGIC_PHYS_LIMIT: gpa < base wraps to a
	 * difference above VGIC_ITS_SIZE. */
	return gpa - base < VGIC_ITS_SIZE;
}

bool vgic__its_contains(const struct vgic_its *its, uint64_t gpa)
{
	return its_contains(its, gpa);
}

int vgic__its_signal_msi(struct vgic *v, uint64_t doorbell, uint32_t devid,
			 uint32_t eventid)
{
	/* The first ITS here, every other doorbell (and the errors) in
	 * vgic.c: with no call in this function, both ends are jumps that
	 * keep the arguments where they are.  its[0] is stored (release)
	 * before nr_its counts it, NULL until then. */
	struct vgic_its *its = atomic_load_explicit(&v->its[0],
						    memory_order_acquire);

	if (its && its_contains(its, doorbell))
		return its_deliver(v, its, devid, eventid);
	return vgic__msi_lookup(v, doorbell, devid, eventid);
}

/* ---- command queue ----------------------------------------------------------- */

static uint64_t cmdq_size(uint64_t cbaser)
{
	return ((cbaser & 0xff) + 1) << 12;
}

/* Run queued commands while enabled: at most one queue's worth (the queue
 * is a ring and CREADR stops at CWRITER).  Bounded by the queue size. */
static void its_process_commands(struct vgic_its *its)
{
	uint64_t base = its->cbaser & CBASER_ADDR_MASK;
	uint64_t size = cmdq_size(its->cbaser);
	struct vgic *v = its->v;

	if (!atomic_load(&its->enabled))
		return;
	while (its->creadr != its->cwriter) {
		uint64_t cmd[4];
		bool ok = true;

		/* A command that cannot be read is skipped (KVM, spec
		 * §6.3.2 allows ignoring it). */
		for (int i = 0; i < 4 && ok; i++)
			ok = !vgic__its_read_entry(v, base + its->creadr + 8 * i,
						   &cmd[i]);
		if (ok)
			vgic__its_handle_cmd(its, cmd);
		its->creadr += VGIC_ITS_CMD_SIZE;
		if (its->creadr >= size)
			its->creadr = 0;
	}
}

/* ---- frame registers ------------------------------------------------------- */

static uint64_t sanitise_field(uint64_t reg, unsigned shift, uint64_t mask,
			       uint64_t (*fn)(uint64_t))
{
	uint64_t f = (reg >> shift) & mask;

	return (reg & ~(mask << shift)) | (fn(f) & mask) << shift;
}

static uint64_t san_share(uint64_t f)
{
	return f == 2 ? 1 : f; /* OuterShareable -> InnerShareable */
}

static uint64_t san_icache(uint64_t f)
{
	return f <= 1 ? 3 : f; /* nCnB, nC -> RaWb */
}

static uint64_t san_ocache(uint64_t f)
{
	return f <= 1 ? f : 0; /* SameAsInner, nC kept; else SameAsInner */
}

static uint64_t sanitise_cache_share(uint64_t reg)
{
	reg = sanitise_field(reg, BASER_SHARE_SHIFT, 3, san_share);
	reg = sanitise_field(reg, BASER_ICACHE_SHIFT, 7, san_icache);
	return sanitise_field(reg, BASER_OCACHE_SHIFT, 7, san_ocache);
}

static uint64_t its_read_ctlr(struct vgic_its *its, uint32_t off)
{
	uint64_t r = 0;

	(void)off;
	if (its->creadr == its->cwriter)
		r |= GITS_CTLR_QUIESCENT;
	if (atomic_load(&its->enabled))
		r |= GITS_CTLR_ENABLE;
	return r;
}

static void its_write_ctlr(struct vgic_its *its, uint32_t off, uint64_t val)
{
	bool en = val & GITS_CTLR_ENABLE;

	(void)off;
	/* UNPREDICTABLE: enabling with an invalid CBASER or table BASER is
	 * silently refused, as KVM does. */
	if (!atomic_load(&its->enabled) && en &&
	    (!(its->baser[0] & GITS_BASER_VALID) ||
	     !(its->baser[1] & GITS_BASER_VALID) ||
	     !(its->cbaser & GITS_CBASER_VALID)))
		return;
	atomic_store(&its->enabled, en);
	its_process_commands(its);
}

static uint64_t its_read_iidr(struct vgic_its *its, uint32_t off)
{
	(void)off;
	return VGIC_IIDR_PRODUCT << 24 | (uint64_t)its->abi_rev << 12 |
	       VGIC_IIDR_IMPLEMENTER;
}

/* Entry sizes of ABI REV0 into both BASERs (KVM's commit_v0). */
static void its_commit_abi(struct vgic_its *its)
{
	for (int i = 0; i < 2; i++) {
		its->baser[i] &= ~(0x1full << GITS_BASER_ESZ_SHIFT);
		its->baser[i] |= (uint64_t)(VGIC_ITS_ESZ - 1)
				 << GITS_BASER_ESZ_SHIFT;
	}
}

static int its_uwrite_iidr(struct vgic_its *its, uint64_t val)
{
	uint32_t rev = (val >> 12) & 0xf;

	if (rev >= VGIC_ITS_NR_ABIS)
		return -EINVAL;
	its->abi_rev = rev;
	its_commit_abi(its);
	return 0;
}

static uint64_t its_read_typer(struct vgic_its *its, uint32_t off)
{
	(void)its;
	(void)off;
	return GITS_TYPER_VALUE;
}

static uint64_t its_read_cbaser(struct vgic_its *its, uint32_t off)
{
	(void)off;
	return its->cbaser;
}

static void its_write_cbaser(struct vgic_its *its, uint32_t off, uint64_t val)
{
	(void)off;
	if (atomic_load(&its->enabled))
		return;
	/* Sanitised; PA[15:12] cleared: KVM forces a 64 KB aligned queue. */
	its->cbaser = sanitise_cache_share(val) & ~0xf000ull;
	its->creadr = 0;
	its->cwriter = 0;
}

/* DEVIATION (finding F1): userspace writing the reset value 0 gets 0 back,
 * where KVM stores the sanitised 0x1800000000000000 (Inner RaWb), so that
 * the CBASER of an ITS the guest never programmed survives a save/restore
 * round trip unchanged.  Any other value takes the guest's path. */
static int its_uwrite_cbaser(struct vgic_its *its, uint64_t val)
{
	its_write_cbaser(its, GITS_CBASER, val);
	if (!val && !atomic_load(&its->enabled))
		its->cbaser = 0;
	return 0;
}

static uint64_t its_read_cwriter(struct vgic_its *its, uint32_t off)
{
	(void)off;
	return its->cwriter;
}

static void its_write_cwriter(struct vgic_its *its, uint32_t off,
			      uint64_t val)
{
	(void)off;
	val &= CMD_OFFSET_MASK;
	if (val >= cmdq_size(its->cbaser))
		return;
	its->cwriter = val;
	its_process_commands(its);
}

static uint64_t its_read_creadr(struct vgic_its *its, uint32_t off)
{
	(void)off;
	return its->creadr;
}

static int its_uwrite_creadr(struct vgic_its *its, uint64_t val)
{
	if (atomic_load(&its->enabled))
		return -EBUSY;
	val &= CMD_OFFSET_MASK;
	if (val >= cmdq_size(its->cbaser))
		return -EINVAL;
	its->creadr = val;
	return 0;
}

static uint64_t its_read_baser(struct vgic_its *its, uint32_t off)
{
	uint32_t n = (off - GITS_BASER) / 8;

	return n < 2 ? its->baser[n] : 0;
}

static void its_write_baser(struct vgic_its *its, uint32_t off, uint64_t val)
{
	uint32_t n = (off - GITS_BASER) / 8;
	uint64_t type = n == 0 ? GITS_BASER_TYPE_DEVICE : GITS_BASER_TYPE_COLL;

	if (n >= 2 || atomic_load(&its->enabled))
		return;
	val &= ~GITS_BASER_RO_MASK;
	if (n == 1)
		val &= ~GITS_BASER_INDIRECT; /* collections: flat only */
	val |= (uint64_t)(VGIC_ITS_ESZ - 1) << GITS_BASER_ESZ_SHIFT;
	val |= type << GITS_BASER_TYPE_SHIFT;
	val = sanitise_cache_share(val);
	val = (val & ~BASER_PAGE_SIZE_MASK) | BASER_PAGE_SIZE_64K;
	its->baser[n] = val;
	/* KVM: Valid = 0 frees the in-memory state of that table.  A guest
	 * write: injectors may be running, so devices go to the free lists
	 * (type-stable, see its.h), never to the allocator. */
	if (!(val & GITS_BASER_VALID)) {
		if (n == 0)
			vgic__its_free_devices(its);
		else
			vgic__its_free_collections(its);
	}
}

static uint64_t its_read_idreg(struct vgic_its *its, uint32_t off)
{
	static const uint8_t id[12] = {
		0x40, 0, 0, 0,       /* PIDR4..7 */
		0x92, 0xb4, 0x3b, 0, /* PIDR0..3: PIDR2 ArchRev = GICv3 */
		0x0d, 0xf0, 0x05, 0xb1, /* CIDR0..3 */
	};

	(void)its;
	return id[(off - GITS_PIDR4) / 4];
}

/*
 * The register map.  @len is the region, @size the register width (64-bit
 * registers also take 32-bit guest accesses to either half); @uwrite is the
 * userspace (ITS_REGS) write when it differs from the guest's.
 */
struct its_reg {
	uint32_t off, len;
	uint8_t size;
	uint64_t (*read)(struct vgic_its *its, uint32_t off);
	void (*write)(struct vgic_its *its, uint32_t off, uint64_t val);
	int (*uwrite)(struct vgic_its *its, uint64_t val);
};

static const struct its_reg its_regs[] = {
	{ GITS_CTLR, 4, 4, its_read_ctlr, its_write_ctlr, NULL },
	{ GITS_IIDR, 4, 4, its_read_iidr, NULL, its_uwrite_iidr },
	{ GITS_TYPER, 8, 8, its_read_typer, NULL, NULL },
	{ GITS_CBASER, 8, 8, its_read_cbaser, its_write_cbaser,
	  its_uwrite_cbaser },
	{ GITS_CWRITER, 8, 8, its_read_cwriter, its_write_cwriter, NULL },
	{ GITS_CREADR, 8, 8, its_read_creadr, NULL, its_uwrite_creadr },
	{ GITS_BASER, 0x40, 8, its_read_baser, its_write_baser, NULL },
	{ GITS_PIDR4, 0x30, 4, its_read_idreg, NULL, NULL },
};

static const struct its_reg *its_find_reg(uint64_t off, uint32_t *reg_off)
{
	for (size_t i = 0; i < VGIC_ARRAY_SIZE(its_regs); i++) {
		const struct its_reg *r = &its_regs[i];
		if (off >= r->off && off < r->off + r->len) {
			*reg_off = r->off + (uint32_t)((off - r->off) &
						       ~(uint64_t)(r->size - 1));
			return r;
		}
	}
	return NULL;
}

/*
 * Guest access.  vgic.c passes the GPA of the access (it cannot see the
 * frame base); an in-frame offset is accepted too.  Illegal widths and
 * unknown offsets are RAZ/WI.
 */
void vgic__its_mmio(struct vgic *v, struct vgic_its *its, uint32_t vcpu,
		    uint64_t gpa, uint64_t *val, uint32_t len, bool write)
{
	uint64_t base = atomic_load(&its->base);
	uint64_t off = gpa >= base && gpa - base < VGIC_ITS_SIZE ? gpa - base
								  : gpa;
	const struct its_reg *r;
	uint32_t roff, shift;
	uint64_t cur, mask;

	(void)vcpu;
	if (!write)
		*val = 0;
	if (off == GITS_TRANSLATER) {
		/* DEVIATION: KVM drops CPU stores to GITS_TRANSLATER; we
		 * treat 16/32-bit stores as MSIs from DeviceID 0 (QEMU's
		 * behaviour for a CPU-initiated write). */
		if (write && (len == 2 || len == 4))
			vgic__its_inject(v, its, 0, (uint32_t)*val);
		return;
	}
	r = its_find_reg(off, &roff);
	if (!r || (len != 4 && len != 8) || (len > r->size) || (off & (len - 1)))
		return;
	shift = (uint32_t)(off - roff) * 8;
	mask = len == 8 ? ~0ull : 0xffffffffull;
	cur = r->read(its, roff);
	if (!write) {
		*val = cur >> shift & mask;
		return;
	}
	if (r->write)
		r->write(its, roff, (cur & ~(mask << shift)) |
					    (*val & mask) << shift);
}

/* ---- device attributes ------------------------------------------------------ */

static int its_regs_check(uint64_t off, const struct its_reg **r)
{
	uint32_t roff;

	if (off < GITS_TYPER || off >= GITS_PIDR4) {
		if (off & 3)
			return -EINVAL;
	} else if (off & 7) {
		return -EINVAL;
	}
	*r = its_find_reg(off, &roff);
	return *r ? 0 : -ENXIO;
}

static int its_attr_regs(struct vgic_its *its, uint64_t off, uint64_t *val,
			 int op)
{
	const struct its_reg *r;
	int ret = its_regs_check(off, &r);

	if (ret || op == VGIC_ATTR_HAS)
		return ret;
	if (vgic__any_running(its->v))
		return -EBUSY;
	if (!atomic_load(&its->base_set))
		return -ENXIO;
	if (op == VGIC_ATTR_GET) {
		*val = r->read(its, (uint32_t)off);
		return 0;
	}
	if (r->size == 4)
		*val &= 0xffffffffull;
	if (r->uwrite)
		return r->uwrite(its, *val);
	if (r->write)
		r->write(its, (uint32_t)off, *val);
	return 0;
}

static int its_attr_addr(struct vgic_its *its, uint64_t type, uint64_t *val,
			 int op)
{
	uint64_t addr = *val;

	if (op == VGIC_ATTR_HAS)
		return type == VGIC_ITS_ADDR_TYPE ? 0 : -ENXIO;
	if (type != VGIC_ITS_ADDR_TYPE)
		return -ENODEV; /* KVM: not remapped to -ENXIO here */
	if (op == VGIC_ATTR_GET) {
		*val = atomic_load(&its->base_set) ? atomic_load(&its->base)
						   : ~0ull;
		return 0;
	}
	if (atomic_load(&its->base_set))
		return -EEXIST;
	if (addr & 0xffff)
		return -EINVAL;
	if (addr + VGIC_ITS_SIZE < addr)
		return -EINVAL;
	if (addr + VGIC_ITS_SIZE > VGIC_PHYS_LIMIT)
		return -E2BIG;
	atomic_store(&its->base, addr);
	atomic_store_explicit(&its->base_set, true, memory_order_release);
	return 0;
}

static int its_attr_ctrl(struct vgic_its *its, uint64_t attr, int op)
{
	int ret = 0;

	switch (attr) {
	case VGIC_CTRL_INIT:
	case VGIC_CTRL_ITS_RESET:
	case VGIC_CTRL_ITS_SAVE_TABLES:
	case VGIC_CTRL_ITS_RESTORE_TABLES:
		break;
	default:
		return -ENXIO;
	}
	if (op == VGIC_ATTR_HAS)
		return 0;
	if (op == VGIC_ATTR_GET)
		return -ENXIO;
	if (attr == VGIC_CTRL_INIT)
		return 0;
	if (vgic__any_running(its->v))
		return -EBUSY;
	if (attr == VGIC_CTRL_ITS_RESET)
		vgic__its_reset(its);
	else if (attr == VGIC_CTRL_ITS_SAVE_TABLES)
		ret = vgic__its_save_tables(its);
	else
		ret = vgic__its_restore_tables(its);
	return ret;
}

int vgic__its_attr(struct vgic_device *d, const struct vgic_device_attr *a,
		   uint64_t *val, int op)
{
	struct vgic_its *its = d->its;

	switch (a->group) {
	case VGIC_GRP_ADDR:
		return its_attr_addr(its, a->attr, val, op);
	case VGIC_GRP_CTRL:
		return its_attr_ctrl(its, a->attr, op);
	case VGIC_GRP_ITS_REGS:
		return its_attr_regs(its, a->attr, val, op);
	default:
		return -ENXIO;
	}
}

/* ---- lifecycle ---------------------------------------------------------------- */

int vgic__its_create(struct vgic_device *d)
{
	struct vgic *v = d->v;
	struct vgic_its *its;
	int ret = vgic__lpi_init(v);

	if (ret)
		return ret;
	its = vgic__zalloc(v, 1, sizeof(*its));
	if (!its)
		return -ENOMEM;
	its->coll_ites = vgic__zalloc(v, VGIC_ITS_NR_ICIDS,
				      sizeof(*its->coll_ites));
	if (!its->coll_ites) {
		vgic__free(v, its);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < VGIC_ITS_NR_ICIDS; i++)
		atomic_init(&its->coll[i], VGIC_ITS_NO_COLL);
	its->v = v;
	its->dev = d;
	its->baser[0] = GITS_BASER_DEV_DEFAULT;
	its->baser[1] = GITS_BASER_COLL_DEFAULT;
	/* KVM: creating an ITS resets PROPBASER to its default. */
	v->lpi.propbaser = 0x580;
	d->its = its;
	return 0;
}

void vgic__its_destroy(struct vgic_device *d)
{
	struct vgic_its *its = d->its;
	struct vgic *v = d->v;

	if (!its)
		return;
	/* vgic_destroy (and the snapshot's failed-apply path, which frees
	 * the LPI arrays too) require that no injector runs: only here does
	 * type-stable memory go back to the allocator. */
	vgic__its_free_devices(its);
	for (uint32_t c = 0; c < VGIC_ITS_DEV_CLASSES; c++)
		while (its->free_dev[c]) {
			struct vgic_its_device *n = its->free_dev[c]->next_free;
			vgic__free(v, its->free_dev[c]);
			its->free_dev[c] = n;
		}
	for (uint32_t b = 0; b < VGIC_ARRAY_SIZE(its->free_l2); b++)
		while (its->free_l2[b]) {
			struct vgic_its_l2 *n = its->free_l2[b]->next_free;
			vgic__free(v, its->free_l2[b]);
			its->free_l2[b] = n;
		}
	while (its->free_chunk) {
		struct vgic_its_chunk *n = its->free_chunk->next_free;
		vgic__free(v, its->free_chunk);
		its->free_chunk = n;
	}
	for (uint32_t p = 0; p < VGIC_ARRAY_SIZE(its->dir); p++)
		vgic__free(v, atomic_load(&its->dir[p]));
	vgic__free(v, its->coll_ites);
	vgic__free(v, its);
	d->its = NULL;
}

/*
 * libvgic - GICv3 ITS tables in guest RAM: KVM's table ABI REV0.
 *
 * KVM_DEV_ARM_ITS_SAVE_TABLES writes the ITS's mappings into the guest's
 * own device table (GITS_BASER0, flat or two-level), the ITT of every device
 * and the collection table (GITS_BASER1); KVM_DEV_ARM_ITS_RESTORE_TABLES
 * rebuilds the mappings from them.  The layout is bit-exact KVM's (KVM ABI
 * reference §2.3, docs/its-tables.md), so tables move both ways between
 * libvgic and KVM:
 *
 *   DTE  [63] V  [62:49] next DeviceID delta (0 = last, cap 2^14 - 1)
 *        [48:5] ITT_addr[51:8]  [4:0] Size = EventID bits - 1
 *   ITE  [63:48] next EventID delta (0 = last, cap 2^16 - 1)
 *        [47:16] pINTID (0 = no ITE)  [15:0] ICID
 *   CTE  [63] V  [47:16] target vcpu_id (0xffffffff: unmapped)  [15:0] ICID
 *
 * Save: devices and ITEs in ID order, CTEs packed from the table base plus
 * one zero terminator if space remains; only live entries are written (runs
 * of adjacent entries in one host write).  A device whose DTE the table can
 * no longer address (the guest invalidated its L1 entry or shrank the table)
 * is skipped and the "next" chain skips it too, as current KVM does: a save
 * never fails because the guest rewrote its own tables.  A host failure to
 * read or write (any errno but -EFAULT, see struct vgic_host_ops) fails
 * the save instead: it never costs a device.
 *
 * Restore, better than KVM:
 *  - all or nothing: collections are read and checked completely, then
 *    devices and ITEs are created while the tables are scanned, each after
 *    KVM's checks; the first error undoes everything this call created
 *    (devices, collections) and, through the guest-RAM undo log, rewrites
 *    the pending-table bytes LPI creation consumed.  State that existed
 *    before is never touched: a clash with it is an error first;
 *  - cost: tables are read through a window that doubles while the scan is
 *    sequential (up to 64 KiB) and restarts small after a jump, then
 *    scanned in host memory: the cost is the live entries plus the bytes
 *    actually read, never one host call per invalid entry; every loop is
 *    bounded by the size of the table it walks.
 */
#include "its.h"
#include "v4.h"

#define DTE_V (1ull << 63)
#define DTE_NEXT_SHIFT 49
#define DTE_NEXT_MAX 0x3fffu
#define DTE_ITT_SHIFT 5
#define DTE_ITT_MASK (0xfffffffffffull << DTE_ITT_SHIFT) /* [48:5] */
#define DTE_SIZE_MASK 0x1fu
#define ITE_NEXT_SHIFT 48
#define ITE_NEXT_MAX 0xffffu
#define ITE_INTID_SHIFT 16
#define ITE_ICID_MASK 0xffffu
#define CTE_V (1ull << 63)
#define CTE_TARGET_SHIFT 16
#define L1E_V (1ull << 63)
#define L1E_ADDR_MASK 0x000fffffffff0000ull /* [51:16] */
#define L2_SIZE 0x10000u
#define L2_ENTRIES (L2_SIZE / VGIC_ITS_ESZ)
#define ESZ VGIC_ITS_ESZ

_Static_assert(VGIC_ITS_ESZ == 8, "ABI REV0 entries are 8 bytes");

static inline uint64_t le64(const uint8_t *p)
{
	uint64_t x;

	memcpy(&x, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	x = __builtin_bswap64(x);
#endif
	return x;
}

/* ---- windowed table reader ------------------------------------------------ */

#define WIN_MIN 256u
#define WIN_MAX 0x10000u
#define ITT_WIN_MAX 0x2000u /* ITT window: stays in L1 */

struct tbl {
	struct vgic *v;
	uint64_t base, size; /* table GPA and bytes */
	uint8_t *buf;        /* WIN_MAX bytes */
	uint64_t woff;       /* window: [woff, woff + wlen) */
	uint32_t wlen;
	uint32_t grow;       /* next window size */
	uint64_t bytes_read;
	struct vgic_gwin *view; /* kept equal to the window, or NULL */
};

static void tbl_open(struct tbl *t, uint64_t base, uint64_t size)
{
	t->base = base;
	t->size = size;
	t->woff = 0;
	t->wlen = 0;
	t->grow = WIN_MIN;
	if (t->view)
		t->view->len = 0;
}

/* Refill the window at @off (< size): 0 or vgic__guest_err()'s errno. */
static int tbl_refill(struct tbl *t, uint64_t off)
{
	uint64_t len;
	int ret;

	/* Sequential refill grows the window; a jump restarts it small. */
	if (t->wlen && off == t->woff + t->wlen) {
		if (t->grow < WIN_MAX)
			t->grow *= 2;
	} else {
		t->grow = WIN_MIN;
	}
	len = t->size - off < t->grow ? t->size - off : t->grow;
	ret = vgic__guest_err(
		t->v->ops.read_guest(t->v->opaque, t->base + off, t->buf, len));
	if (ret == -EFAULT) {
		/* Part of the window may not be RAM: only the entry counts. */
		len = ESZ;
		ret = vgic__guest_err(t->v->ops.read_guest(
			t->v->opaque, t->base + off, t->buf, len));
		t->grow = WIN_MIN;
	}
	if (ret)
		return ret; /* not RAM, or the host's own failure */
	t->bytes_read += len;
	t->woff = off;
	t->wlen = (uint32_t)len;
	if (t->view) { /* what LPI creation's writes must patch */
		t->view->buf = t->buf;
		t->view->gpa = t->base + off;
		t->view->len = (uint32_t)len;
	}
	return 0;
}

/* The 8-byte entry at table offset @off (< size): 0 or an errno. */
static inline int tbl_get(struct tbl *t, uint64_t off, uint64_t *val)
{
	if (!(off >= t->woff && off - t->woff + ESZ <= t->wlen)) {
		int ret = tbl_refill(t, off);

		if (ret)
			return ret;
	}
	*val = le64(t->buf + (off - t->woff));
	return 0;
}

/*
 * Offset of the first entry at or after @off whose bits in @mask are not
 * all zero, or t->size if none.  Invalid entries are skipped in host memory
 * (the DTE/CTE V bit, the ITE pINTID): one host call per window.
 */
static inline int tbl_next_live(struct tbl *t, uint64_t off, uint64_t mask,
				uint64_t *found, uint64_t *val)
{
	while (off < t->size) {
		const uint8_t *p;
		uint64_t end;

		if (!(off >= t->woff && off - t->woff + ESZ <= t->wlen)) {
			int ret = tbl_refill(t, off);

			if (ret)
				return ret;
		}
		p = t->buf + (off - t->woff);
		end = t->woff + t->wlen;
		for (; off + ESZ <= end; off += ESZ, p += ESZ) {
			uint64_t e = le64(p);

			if (e & mask) {
				*found = off;
				*val = e;
				return 0;
			}
		}
	}
	*found = t->size;
	return 0;
}

/* ---- SAVE_TABLES ------------------------------------------------------------ */

/* A host-order 32-bit value in little-endian byte order. */
static inline uint32_t cpu_to_le32(uint32_t x)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	x = __builtin_bswap32(x);
#endif
	return x;
}

/*
 * Batched writer: adjacent entries go out in one write_guest call.  8 KiB
 * of entries: few host calls, and the buffer stays in L1 between the
 * conversion and the host's copy.  An entry is kept as its two
 * little-endian 32-bit halves (which is its little-endian byte image on
 * any host): an ITE's low half is the packed ITT entry as it is, its high
 * half the "next" delta, so converting ITT entries is an interleave.
 */
#define WB_ENTRIES 1024u
struct wbatch {
	struct vgic *v;
	uint64_t gpa; /* of entry 0 */
	uint32_t n;   /* entries buffered */
	uint32_t buf[2 * WB_ENTRIES]; /* entry i: buf[2i] low, buf[2i+1] high */
};

static inline void wb_set(struct wbatch *w, uint32_t i, uint64_t val)
{
	w->buf[2 * i] = cpu_to_le32((uint32_t)val);
	w->buf[2 * i + 1] = cpu_to_le32((uint32_t)(val >> 32));
}

static int wb_flush(struct wbatch *w)
{
	int ret = 0;

	if (w->n)
		ret = vgic__guest_err(w->v->ops.write_guest(
			w->v->opaque, w->gpa, w->buf, w->n * ESZ));
	w->n = 0;
	return ret;
}

static inline int wb_put(struct wbatch *w, uint64_t gpa, uint64_t val)
{
	int ret;

	if (w->n && (gpa != w->gpa + w->n * ESZ || w->n == WB_ENTRIES)) {
		ret = wb_flush(w);
		if (ret)
			return ret;
	}
	if (!w->n)
		w->gpa = gpa;
	wb_set(w, w->n++, val);
	return 0;
}

/*
 * Blocks of 8 ITT entries, in shapes compilers vectorize at -O2 (fixed
 * trip counts, no atomics: the entries are first copied out of the device,
 * see itt_copy).  An entry is live iff it is not 0; "is 0" is tested as
 * bit 31 of (x - 1) & ~x, which is set for x == 0 only, lane by lane.
 */
#define BLK 8u
static inline uint32_t blk_any_dead(const uint32_t *x)
{
	uint32_t z = 0;

	for (size_t k = 0; k < BLK; k++)
		z |= (x[k] - 1) & ~x[k];
	return z >> 31;
}

static inline uint32_t blk_any_live(const uint32_t *x)
{
	uint32_t o = 0;

	for (size_t k = 0; k < BLK; k++)
		o |= x[k];
	return o;
}

/* ITEs of 8 adjacent live entries, each with next = 1, at entry @out of
 * a batch buffer. */
static inline void blk_put(uint32_t *out, const uint32_t *x)
{
	for (size_t k = 0; k < BLK; k++) {
		out[2 * k] = cpu_to_le32(x[k]);
		out[2 * k + 1] = cpu_to_le32(1u << (ITE_NEXT_SHIFT - 32));
	}
}

/*
 * The ITE writer of one device: entries go into the batch in EventID
 * order; each live entry reserves the next batch slot, whose value is
 * filled in once the next live entry (its "next" delta) is found.  The
 * batch position lives in locals (w->n/w->gpa are synced around flushes).
 * A packed ITT entry (pINTID << 16 | ICID, pINTID < 2^16) is the low 32
 * bits of the ITE, and deltas between EventIDs < 2^16 never need
 * ITE_NEXT_MAX's cap.
 */
struct itt_out {
	struct wbatch *w;
	uint64_t itt, wgpa;
	uint32_t wn;
	uint32_t prev_ev, prev_x;
	bool have;
};

static int itt_emit(struct itt_out *o, uint32_t ev, uint32_t x)
{
	struct wbatch *w = o->w;
	uint64_t gpa;
	int ret;

	if (o->have) {
		wb_set(w, o->wn - 1,
		       (uint64_t)(ev - o->prev_ev) << ITE_NEXT_SHIFT | o->prev_x);
		if (ev - o->prev_ev == 1 && o->wn < WB_ENTRIES) {
			/* Adjacent: the next slot is its ITE. */
			o->wn++;
			o->prev_ev = ev;
			o->prev_x = x;
			return 0;
		}
	}
	gpa = o->itt + (uint64_t)ev * ESZ;
	if (o->wn && (gpa != o->wgpa + (uint64_t)o->wn * ESZ ||
		      o->wn == WB_ENTRIES)) {
		w->n = o->wn;
		w->gpa = o->wgpa;
		o->wn = 0;
		ret = wb_flush(w);
		if (ret)
			return ret;
	}
	if (!o->wn)
		o->wgpa = gpa;
	o->wn++;
	o->have = true;
	o->prev_ev = ev;
	o->prev_x = x;
	return 0;
}

/* Entries @x[0..n) (n a multiple of BLK) of EventIDs @base... */
static int itt_emit_blocks(struct itt_out *o, uint32_t base, const uint32_t *x,
			   uint32_t n)
{
	int ret;

	for (uint32_t b = 0; b < n; b += BLK) {
		const uint32_t *xb = x + b;

		if (!blk_any_live(xb))
			continue;
		if (!blk_any_dead(xb)) {
			/* A run of 8: the first through itt_emit (which may
			 * start a new run), the others written directly. */
			ret = itt_emit(o, base + b, xb[0]);
			if (ret)
				return ret;
			if (o->wn + (BLK - 1) <= WB_ENTRIES) {
				blk_put(&o->w->buf[2 * (o->wn - 1)], xb);
				o->wn += BLK - 1;
				o->prev_ev = base + b + BLK - 1;
				o->prev_x = xb[BLK - 1];
				continue;
			}
			for (uint32_t k = 1; k < BLK; k++) {
				ret = itt_emit(o, base + b + k, xb[k]);
				if (ret)
					return ret;
			}
			continue;
		}
		for (uint32_t k = 0; k < BLK; k++) {
			if (!xb[k])
				continue;
			ret = itt_emit(o, base + b + k, xb[k]);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/*
 * Copy @n ITT entries out of a device or chunk.  The writer side holds
 * v->lock, which every store to an ITT entry holds too: the lock-free MSI
 * path only reads them, so plain reads of the bytes race with nothing,
 * and the copy lets the conversion below be vectorized.
 */
_Static_assert(sizeof(_Atomic uint32_t) == sizeof(uint32_t),
	       "ITT entries copied as uint32_t");
static inline void itt_copy(uint32_t *x, const _Atomic uint32_t *e, uint32_t n)
{
	const uint8_t *p = (const void *)(uintptr_t)e;

	if (n < BLK) {
		for (uint32_t k = 0; k < n; k++)
			x[k] = atomic_load_explicit(&e[k], memory_order_relaxed);
		return;
	}
	/* Fixed-size copies: inlined as vector moves, not a rep movs. */
	for (uint32_t b = 0; b < n; b += BLK)
		memcpy(x + b, p + b * sizeof(*x), BLK * sizeof(*x));
}

/* ITEs (next = 1) of the @n (a multiple of 4) live ITT entries at @p, at
 * entry @out of a batch buffer: 16 bytes at a time, as a copy that size
 * is a register load, and the interleave then needs no round trip
 * through the stack. */
static inline void put_run(uint32_t *out, const uint8_t *p, uint32_t n)
{
	for (uint32_t b = 0; b < n; b += 4) {
		uint32_t x[4];

		memcpy(x, p + b * sizeof(x[0]), sizeof(x));
		for (size_t k = 0; k < 4; k++) {
			out[2 * (b + k)] = cpu_to_le32(x[k]);
			out[2 * (b + k) + 1] =
				cpu_to_le32(1u << (ITE_NEXT_SHIFT - 32));
		}
	}
}

/* Make room for @n entries at @gpa in the batch (flushing it unless @gpa
 * continues it with room to spare). */
static inline int wb_room(struct wbatch *w, uint64_t gpa, uint32_t n)
{
	int ret;

	if (w->n && (gpa != w->gpa + (uint64_t)w->n * ESZ ||
		     w->n + n > WB_ENTRIES)) {
		ret = wb_flush(w);
		if (ret)
			return ret;
	}
	if (!w->n)
		w->gpa = gpa;
	return 0;
}

/* The @n (a multiple of 4) live ITT entries at @src, whose ITEs go at
 * @gpa, into the batch as ITEs with next = 1. */
static inline int wb_run(struct wbatch *w, uint64_t gpa,
			 const _Atomic uint32_t *src, uint32_t n)
{
	int ret = wb_room(w, gpa, n);

	if (ret)
		return ret;
	put_run(&w->buf[2 * w->n], (const void *)(uintptr_t)src, n);
	w->n += n;
	return 0;
}

/*
 * The dense case, the common one: an ITT of 4 or more entries, all live
 * (nr_ites counts them), converted straight from the device (or from each
 * chunk of a two-level ITT, which then has them all) into the batch.
 * Returns 1 if @d is not such a device.
 */
static inline int save_itt_full(struct wbatch *w,
				const struct vgic_its_device *d)
{
	uint32_t nev = 1u << d->nbits;
	struct vgic_its_l2 *l2;
	int ret;

	if (nev < 4 || d->nr_ites != nev)
		return 1;
	if (d->nbits <= VGIC_ITS_INLINE_BITS) {
		ret = wb_run(w, d->itt_addr, d->ite, nev);
		if (!ret)
			w->buf[2 * w->n - 1] = 0; /* the last ITE: next = 0 */
		return ret;
	}
	l2 = atomic_load_explicit(&d->l2, memory_order_relaxed);
	if (!l2)
		return 1;
	for (uint32_t i = 0; i < nev / VGIC_ITS_CHUNK; i++)
		if (!atomic_load_explicit(&l2->chunk[i], memory_order_relaxed))
			return 1; /* (cannot be, with every entry live) */
	for (uint32_t base = 0; base < nev; base += VGIC_ITS_CHUNK) {
		struct vgic_its_chunk *c = atomic_load_explicit(
			&l2->chunk[base >> VGIC_ITS_CHUNK_SHIFT],
			memory_order_relaxed);

		ret = wb_run(w, d->itt_addr + (uint64_t)base * ESZ, c->e,
			     VGIC_ITS_CHUNK);
		if (ret)
			return ret;
	}
	w->buf[2 * w->n - 1] = 0; /* the last ITE: next = 0 */
	return 0;
}

/*
 * Write the ITEs of @d in EventID order, reading the translation
 * structures directly (writer side, v->lock held).  The common case, an
 * inline ITT whose entries are all live, is converted in one pass straight
 * into the batch; otherwise runs of 8 live entries are.
 */
static int save_itt(struct wbatch *w, struct vgic_its_device *d)
{
	uint32_t x[VGIC_ITS_CHUNK];
	struct itt_out o = { w, d->itt_addr, w->gpa, w->n, 0, 0, false };
	uint32_t nev = 1u << d->nbits;
	struct vgic_its_l2 *l2;
	int ret = 0;

	_Static_assert(VGIC_ITS_CHUNK >= (1u << VGIC_ITS_INLINE_BITS) &&
			       VGIC_ITS_CHUNK % BLK == 0,
		       "an inline ITT fits a chunk buffer");
	if (d->nbits <= VGIC_ITS_INLINE_BITS) {
		itt_copy(x, d->ite, nev);
		if (nev < BLK) {
			for (uint32_t k = 0; k < nev && !ret; k++)
				if (x[k])
					ret = itt_emit(&o, k, x[k]);
			goto out;
		}
		ret = itt_emit_blocks(&o, 0, x, nev);
		goto out;
	}
	l2 = atomic_load_explicit(&d->l2, memory_order_relaxed);
	if (!l2)
		return 0;
	for (uint32_t base = 0; base < nev && !ret; base += VGIC_ITS_CHUNK) {
		struct vgic_its_chunk *c = atomic_load_explicit(
			&l2->chunk[base >> VGIC_ITS_CHUNK_SHIFT],
			memory_order_relaxed);

		if (!c)
			continue;
		itt_copy(x, c->e, VGIC_ITS_CHUNK);
		ret = itt_emit_blocks(&o, base, x, VGIC_ITS_CHUNK);
	}
out:
	if (!ret && o.have) /* the last ITE: next = 0 */
		wb_set(w, o.wn - 1, o.prev_x);
	w->gpa = o.wgpa;
	w->n = o.wn;
	return ret;
}

static uint64_t dte_value(const struct vgic_its_device *d, uint32_t next)
{
	return DTE_V | (uint64_t)next << DTE_NEXT_SHIFT |
	       ((d->itt_addr >> 8) << DTE_ITT_SHIFT & DTE_ITT_MASK) |
	       (d->nbits - 1);
}

/*
 * vgic__its_check_id for the device table, with the L1 entry and the last
 * page found readable remembered across the ID-ordered walk, so that a
 * save costs one visibility read per page instead of one per device.
 * Same answer: an entry is addressable if the table (and its L1 entry)
 * covers the ID and its 8 bytes are guest RAM.  Returns 1 (addressable,
 * *@gpa set), 0 (not: the guest shrank its table, invalidated the L1
 * entry or pointed it out of RAM - the device is skipped, as by KVM) or a
 * host failure's errno (other than -EFAULT, see struct vgic_host_ops):
 * a device is never dropped because the host failed to read.
 */
struct dte_cache {
	uint64_t base, nr;  /* BASER0's table GPA and entries */
	bool indirect;
	uint64_t l1_index, l1;
	uint64_t page; /* a 4 KiB guest page known readable, or ~0 */
};

static void dte_cache_init(struct dte_cache *c, uint64_t baser)
{
	c->base = vgic__its_baser_addr(baser);
	c->nr = vgic__its_baser_size(baser) / ESZ;
	c->indirect = baser & GITS_BASER_INDIRECT;
	c->l1_index = ~0ull;
	c->l1 = 0;
	c->page = ~0ull;
}

static int dte_addr(struct vgic_its *its, struct dte_cache *c, uint32_t id,
		    uint64_t *gpa)
{
	uint64_t dummy;
	int ret;

	if (id >> VGIC_ITS_DEV_BITS)
		return 0;
	if (!c->indirect) {
		if (id >= c->nr)
			return 0;
		*gpa = c->base + (uint64_t)id * ESZ;
	} else {
		uint64_t index = id / L2_ENTRIES;

		if (index >= c->nr)
			return 0;
		if (index != c->l1_index) {
			uint64_t l1;

			/* (Read into a local: the cache's address never
			 * escapes, so it can live in registers.) */
			ret = vgic__its_read_entry(its->v,
						   c->base + index * ESZ, &l1);
			if (ret)
				return ret == -EFAULT ? 0 : ret;
			c->l1 = l1;
			c->l1_index = index;
		}
		if (!(c->l1 & L1E_V))
			return 0;
		*gpa = (c->l1 & L1E_ADDR_MASK) + (id % L2_ENTRIES) * ESZ;
	}
	if (*gpa >> 12 == c->page)
		return 1;
	ret = vgic__its_read_entry(its->v, *gpa, &dummy);
	if (ret)
		return ret == -EFAULT ? 0 : ret;
	c->page = *gpa >> 12;
	return 1;
}

static int save_devices(struct vgic_its *its, struct wbatch *itw,
			struct wbatch *dtw)
{
	struct dte_cache cache;
	struct vgic_its_device *prev = NULL;
	uint64_t prev_gpa = 0, gpa = 0, ites = 0;
	uint32_t devs = 0;
	int ret = 0;

	dte_cache_init(&cache, its->baser[0]);
	/* Devices in DeviceID order, straight from the directory (as
	 * vgic__its_next_device, without a lookup per device). */
	for (uint32_t p = 0, left = its->nr_devices;
	     p < VGIC_ARRAY_SIZE(its->dir) && left && !ret; p++) {
		struct vgic_its_devpage *pg = atomic_load_explicit(
			&its->dir[p], memory_order_relaxed);
		uint32_t in_page;

		if (!pg || !pg->nr_devs)
			continue;
		/* Both counts only end the scans early. */
		in_page = pg->nr_devs;
		for (uint32_t i = 0; i < VGIC_ARRAY_SIZE(pg->dev) && in_page;
		     i++) {
			struct vgic_its_device *d = atomic_load_explicit(
				&pg->dev[i], memory_order_relaxed);

			if (!d)
				continue;
			in_page--;
			left--; /* (its.c keeps both counts exact) */
			/* A DTE the table cannot address is skipped (KVM
			 * does too). */
			ret = dte_addr(its, &cache, d->id, &gpa);
			if (ret < 0)
				break;
			if (!ret)
				continue;
			ret = save_itt_full(itw, d);
			if (ret > 0)
				ret = save_itt(itw, d);
			if (ret)
				break;
			devs++;
			ites += d->nr_ites;
			if (prev) {
				uint32_t next = d->id - prev->id;

				if (next > DTE_NEXT_MAX)
					next = DTE_NEXT_MAX;
				ret = wb_put(dtw, prev_gpa,
					     dte_value(prev, next));
				if (ret)
					break;
			}
			prev = d;
			prev_gpa = gpa;
		}
	}
	its->saved_devs += devs;
	its->saved_ites += ites;
	if (ret)
		return ret;
	if (prev)
		return wb_put(dtw, prev_gpa, dte_value(prev, 0));
	return 0;
}

static int save_collections(struct vgic_its *its, struct wbatch *w)
{
	uint64_t baser = its->baser[1];
	uint64_t base = vgic__its_baser_addr(baser);
	uint64_t nr = vgic__its_baser_size(baser) / ESZ;
	uint64_t n = 0, ites = its->nr_ites;
	uint32_t colls = its->nr_colls;
	int ret;

	/*
	 * Every existing collection, and (DEVIATION from KVM, which writes a
	 * zero ITE for them) every ICID whose collection was unmapped by
	 * MAPC V=0 while ITEs still use it: those are written as unmapped
	 * collections (target 0xffffffff) so that the ITEs keep their ICID
	 * across a save/restore, as the architecture says they should, and
	 * the tables stay restorable by KVM.  A collection whose ICID the
	 * table cannot hold is skipped, as KVM skips unaddressable devices.
	 * The scan stops once every collection and every ITE's ICID is
	 * behind (coll_ites[] sums to nr_ites): the ICIDs left have neither.
	 */
	for (uint32_t icid = 0; icid < VGIC_ITS_NR_ICIDS && icid < nr && n < nr &&
				(colls || ites);
	     icid++) {
		uint32_t t = vgic__its_collection(its, icid);

		ites -= its->coll_ites[icid];
		if (t != VGIC_ITS_NO_COLL)
			colls--;
		if (t == VGIC_ITS_NO_COLL) {
			if (!its->coll_ites[icid])
				continue;
			t = VGIC_NO_VCPU;
		}
		ret = wb_put(w, base + n * ESZ,
			     CTE_V | (uint64_t)t << CTE_TARGET_SHIFT | icid);
		if (ret)
			return ret;
		n++;
	}
	if (n < nr)
		return wb_put(w, base + n * ESZ, 0);
	return 0;
}

int vgic__its_save_tables(struct vgic_its *its)
{
	struct vgic *v = its->v;
	struct wbatch *w;
	int ret = 0;

	if (vgic__any_running(v))
		return -EBUSY;
	/* GICv4.0: an ITE backed by a vLPI whose pending state cannot be
	 * read makes the save fail with -EACCES, as in KVM. */
	ret = vgic__v4_its_save_check(v, its);
	if (ret)
		return ret;
	w = vgic__alloc(v, 2 * sizeof(*w));
	if (!w)
		return -ENOMEM;
	w[0].v = w[1].v = v;
	w[0].n = w[1].n = 0;
	its->saved_devs = 0;
	its->saved_ites = 0;
	if (its->baser[0] & GITS_BASER_VALID) {
		ret = save_devices(its, &w[0], &w[1]);
		if (!ret)
			ret = wb_flush(&w[0]);
		if (!ret)
			ret = wb_flush(&w[1]);
	}
	if (!ret && (its->baser[1] & GITS_BASER_VALID)) {
		ret = save_collections(its, &w[0]);
		if (!ret)
			ret = wb_flush(&w[0]);
	}
	vgic__free(v, w);
	return ret;
}

/* ---- RESTORE_TABLES ------------------------------------------------------------ */

/*
 * All or nothing: collections are read and checked completely, then created;
 * devices and ITEs are created while the device table and the ITTs are
 * scanned, each after its own checks (KVM's order).  The first error stops
 * the scan and undoes everything this call created (devices, collections,
 * and through the undo log every pending-table byte LPI creation cleared).
 * Nothing that existed before is touched: an ID that already exists is an
 * error before anything is created for it.
 */
struct r_cte {
	uint32_t icid, target;
};

struct rst {
	struct vgic_its *its;
	struct vgic *v;
	struct tbl t;        /* the device table (or L2 page) being scanned */
	struct vgic_gwin itt; /* ITT window, kept across devices */
	struct tbl vitt;      /* verify mode's ITT reader (itt.buf) */
	struct vgic_lpi_cache *lc; /* LPI creation's table bytes */
	/* Views of the device table's and level-1 table's windows, for the
	 * writes of LPI creation (restore mode). */
	struct vgic_gwin dtview, l1view;
	struct r_cte *cte;
	uint32_t nr_cte, cap_cte;
	uint32_t made_cte;   /* collections created so far */
	uint32_t *dev;       /* DeviceIDs created so far */
	uint32_t nr_dev, cap_dev;
	uint64_t *icid_map;  /* bitmap of ICIDs found in the CTE table */
	/* vgic__its_verify_tables: scan, check and count without creating
	 * anything; zero (scrub) or reject entries save did not write. */
	bool verify, scrub;
	uint32_t seen_devs, scrubbed;
	uint64_t seen_ites;
	uint64_t *lpi_seen;  /* [VGIC_NR_LPIS / 64] LPIs checked */
};

#define FAIL(err, ...)                                                        \
	do {                                                                  \
		vgic__set_error(r->v, "ITS restore: " __VA_ARGS__);           \
		return (err);                                                 \
	} while (0)

static int grow(struct vgic *v, void **p, uint32_t *cap, uint32_t need,
		size_t esz)
{
	uint32_t ncap = *cap ? *cap : 64;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	np = vgic__alloc(v, (size_t)ncap * esz);
	if (!np)
		return -ENOMEM;
	if (*cap)
		memcpy(np, *p, (size_t)*cap * esz);
	vgic__free(v, *p);
	*p = np;
	*cap = ncap;
	return 0;
}

static int read_ctes(struct rst *r)
{
	uint64_t baser = r->its->baser[1];
	uint64_t size = vgic__its_baser_size(baser);

	tbl_open(&r->t, vgic__its_baser_addr(baser), size);
	for (uint64_t off = 0; off < size; off += ESZ) {
		uint32_t icid, target;
		uint64_t e;
		int ret = tbl_get(&r->t, off, &e);

		if (ret)
			FAIL(ret, "collection table unreadable at +0x%llx",
			     (unsigned long long)off);
		if (!(e & CTE_V))
			break;
		icid = (uint32_t)(e & ITE_ICID_MASK);
		target = (uint32_t)(e >> CTE_TARGET_SHIFT);
		if (target != VGIC_NO_VCPU && target >= r->v->nr_vcpus)
			FAIL(-EINVAL, "CTE %llu: target %u is not a vCPU",
			     (unsigned long long)(off / ESZ), target);
		if ((r->icid_map[icid / 64] >> (icid % 64)) & 1 ||
		    (!r->verify &&
		     vgic__its_collection(r->its, icid) != VGIC_ITS_NO_COLL))
			FAIL(-EEXIST, "CTE %llu: collection %u already exists",
			     (unsigned long long)(off / ESZ), icid);
		ret = vgic__its_check_id_err(r->its, baser, icid, NULL);
		if (ret < 0)
			FAIL(ret, "CTE %llu: collection table unreadable",
			     (unsigned long long)(off / ESZ));
		if (!ret)
			FAIL(-EINVAL, "CTE %llu: ICID %u outside the table",
			     (unsigned long long)(off / ESZ), icid);
		r->icid_map[icid / 64] |= 1ull << (icid % 64);
		ret = grow(r->v, (void **)&r->cte, &r->cap_cte, r->nr_cte + 1,
			   sizeof(*r->cte));
		if (ret)
			return ret;
		r->cte[r->nr_cte].icid = icid;
		r->cte[r->nr_cte].target = target;
		r->nr_cte++;
	}
	return 0;
}

static bool coll_known(struct rst *r, uint32_t icid)
{
	return ((r->icid_map[icid / 64] >> (icid % 64)) & 1) ||
	       (!r->verify &&
		vgic__its_collection(r->its, icid) != VGIC_ITS_NO_COLL);
}

/*
 * Verify mode: the entry @e at @gpa is live (what save wrote: 1) or not
 * (0: zeroed in guest RAM if scrubbing, so that the restore skips it,
 * else the restore would misread it: -EINVAL).
 */
static int verify_garbage(struct rst *r, uint64_t gpa, uint64_t e)
{
	int ret;

	if (!r->scrub) {
		vgic__set_error(r->v,
				"ITS restore check: entry 0x%016llx at 0x%llx "
				"is not a mapping (tables alias?)",
				(unsigned long long)e, (unsigned long long)gpa);
		return -EINVAL;
	}
	ret = vgic__its_write_entry(r->v, gpa, 0);
	if (ret) {
		vgic__set_error(r->v, "ITS restore check: cannot clear 0x%llx",
				(unsigned long long)gpa);
		return ret;
	}
	r->scrubbed++;
	return 0;
}

static int verify_dte(struct rst *r, uint64_t gpa, uint64_t id, uint64_t e,
		      struct vgic_its_device **dp)
{
	struct vgic_its_device *d = NULL;

	if (!(id >> VGIC_ITS_DEV_BITS))
		d = vgic__its_find_device(r->its, (uint32_t)id);
	if (!d || (e & ~((uint64_t)DTE_NEXT_MAX << DTE_NEXT_SHIFT)) !=
			  dte_value(d, 0))
		return verify_garbage(r, gpa, e);
	r->seen_devs++;
	*dp = d;
	return 1;
}

/* Live ITEs also have their LPI's configuration and pending bytes read by
 * the restore (LPI creation): check each LPI once. */
static int verify_ite(struct rst *r, struct vgic_its_device *d, uint64_t gpa,
		      uint32_t ev, uint64_t e)
{
	uint32_t live = vgic__its_get_ite(d, ev);
	uint32_t intid = (uint32_t)(e >> ITE_INTID_SHIFT);
	uint32_t icid = (uint32_t)(e & ITE_ICID_MASK), i, t;
	int ret;

	if (!live || vgic_its_ite_intid(live) != intid ||
	    vgic_its_ite_icid(live) != icid)
		return verify_garbage(r, gpa, e);
	r->seen_ites++;
	i = intid - VGIC_MIN_LPI;
	if ((r->lpi_seen[i / 64] >> (i % 64)) & 1)
		return 1;
	r->lpi_seen[i / 64] |= 1ull << (i % 64);
	t = vgic__its_collection(r->its, icid);
	ret = vgic__lpi_check_readable(r->v, intid, t);
	if (ret) {
		vgic__set_error(r->v,
				"ITS restore check: device %u event %u: LPI %u's "
				"configuration or pending byte unreadable",
				d->id, ev, intid);
		return ret;
	}
	return 1;
}

/*
 * Make the ITT entry at @gpa (of an ITT ending at @end) readable in @w.
 * The window is kept across devices: it doubles while reads are
 * sequential, reading ahead past @end then (the ITTs of consecutive
 * devices are often adjacent: one host call covers many), and restarts
 * small after a jump.  A read that fails is retried up to @end, then for
 * the entry alone: only the entry's own bytes can make the scan fail.
 */
static int itt_fill(struct vgic *v, struct vgic_gwin *w, uint64_t gpa,
		    uint64_t end)
{
	bool seq = w->len && gpa == w->gpa + w->len;
	uint64_t len, in = end - gpa; /* >= ESZ */
	int ret;

	/* Dense ITTs: a window that stays in L1.  While only invalid entries
	 * go by, the full WIN_MAX (a scan for the first ITE of a big ITT). */
	if (seq && w->grow < (w->live ? ITT_WIN_MAX : WIN_MAX))
		w->grow *= 2;
	else if (seq && w->live)
		w->grow = ITT_WIN_MAX;
	else if (!seq)
		w->grow = WIN_MIN;
	len = seq || w->grow < in ? w->grow : in;
	w->len = 0;
	ret = vgic__guest_err(v->ops.read_guest(v->opaque, gpa, w->buf, len));
	/* Not RAM (somewhere): within the ITT, then the entry alone.  A host
	 * failure (other errno) fails the restore, see struct
	 * vgic_host_ops. */
	if (ret == -EFAULT && len > in)
		ret = vgic__guest_err(
			v->ops.read_guest(v->opaque, gpa, w->buf, len = in));
	if (ret == -EFAULT && len > ESZ)
		ret = vgic__guest_err(
			v->ops.read_guest(v->opaque, gpa, w->buf, len = ESZ));
	if (ret) {
		w->grow = WIN_MIN;
		return ret;
	}
	if (len < w->grow)
		w->grow = WIN_MIN;
	w->gpa = gpa;
	w->len = (uint32_t)len;
	w->live = false;
	return 0;
}

/* Create the device of DTE @e (restore mode). */
static int restore_dte(struct rst *r, uint32_t id, uint64_t e, uint32_t nbits,
		       struct vgic_its_device **dp)
{
	int ret;

	/* DEVIATION: KVM would add a second device with this ID. */
	if (vgic__its_find_device(r->its, id))
		FAIL(-EEXIST, "DTE %u: device already mapped", id);
	ret = grow(r->v, (void **)&r->dev, &r->cap_dev, r->nr_dev + 1,
		   sizeof(*r->dev));
	if (!ret)
		ret = vgic__its_map_device(
			r->its, id, ((e & DTE_ITT_MASK) >> DTE_ITT_SHIFT) << 8,
			nbits);
	if (ret)
		FAIL(ret, "DTE %u: %s", id, vgic_strerror(ret));
	r->dev[r->nr_dev++] = id;
	*dp = vgic__its_find_device(r->its, id);
	return 0;
}

/* The first of KVM's ITE checks that entry @e (EventID @ev) of @d fails,
 * as an error: the slow path of read_itt. */
static int ite_bad(struct rst *r, struct vgic_its_device *d, uint32_t ev,
		   uint64_t e)
{
	uint32_t next = (uint32_t)(e >> ITE_NEXT_SHIFT);
	uint32_t intid = (uint32_t)(e >> ITE_INTID_SHIFT);
	uint32_t icid = (uint32_t)(e & ITE_ICID_MASK);

	if (intid < VGIC_MIN_LPI)
		FAIL(-EINVAL, "device %u event %u: pINTID %u is not an LPI",
		     d->id, ev, intid);
	/* DEVIATION: KVM has no upper bound here; our LPI space ends at
	 * GICD_TYPER.IDbits (16 bits), so such an ITE could never be
	 * represented. */
	if (intid > VGIC_MAX_LPI_INTID)
		FAIL(-EINVAL, "device %u event %u: pINTID %u beyond 16 bits",
		     d->id, ev, intid);
	if ((uint64_t)ev + next >= 1ull << d->nbits)
		FAIL(-EINVAL, "device %u event %u: next %u leaves the ITT",
		     d->id, ev, next);
	/* Every collection of the CTE table exists by now. */
	FAIL(-EINVAL, "device %u event %u: ICID %u has no collection", d->id,
	     ev, icid);
}

/* Verify mode's ITT scan (vgic__its_verify_tables): read_itt's checks on
 * the entries save wrote, scrubbing the others; creates nothing. */
static int verify_itt(struct rst *r, struct vgic_its_device *d)
{
	uint64_t nev = 1ull << d->nbits;
	uint64_t off = 0, e = 0;
	int ret;

	tbl_open(&r->vitt, d->itt_addr, nev * ESZ);
	for (;;) {
		uint32_t ev, next, intid, icid;

		ret = tbl_next_live(&r->vitt, off,
				    0xffffffffull << ITE_INTID_SHIFT, &off, &e);
		if (ret)
			FAIL(ret, "device %u: ITT unreadable at 0x%llx", d->id,
			     (unsigned long long)(d->itt_addr + off));
		if (off >= nev * ESZ)
			break;
		ev = (uint32_t)(off / ESZ);
		next = (uint32_t)(e >> ITE_NEXT_SHIFT);
		intid = (uint32_t)(e >> ITE_INTID_SHIFT);
		icid = (uint32_t)(e & ITE_ICID_MASK);
		ret = verify_ite(r, d, d->itt_addr + off, ev, e);
		if (ret < 0)
			return ret;
		if (!ret) {
			off += ESZ;
			continue;
		}
		/* KVM's checks on what save wrote (ite_bad has the order). */
		if (intid < VGIC_MIN_LPI || intid > VGIC_MAX_LPI_INTID ||
		    (uint64_t)ev + next >= nev || !coll_known(r, icid))
			return ite_bad(r, d, ev, e);
		if (!next)
			break;
		off += (uint64_t)next * ESZ;
	}
	return 0;
}

/*
 * read_itt's common case, with few live values so that it runs from
 * registers: up to @cnt adjacent ITEs at @p whose every check passes
 * trivially - next = 1 (the caller guarantees the next EventID is inside
 * the ITT), ICID @icid (whose collection exists), the LPI exists below the
 * reference limit - each taking a reference and stored in @slot[k] (an
 * inline ITT).  Returns how many were done; the first other entry is left
 * to the general path.
 */
static uint32_t itt_run(const uint8_t *p, uint32_t cnt, uint32_t icid,
			uint32_t *refs, _Atomic uint32_t *slot)
{
	const uint64_t mask = 0xffffull << ITE_NEXT_SHIFT | ITE_ICID_MASK;
	const uint64_t want = 1ull << ITE_NEXT_SHIFT | icid;
	uint32_t k;

	for (k = 0; k < cnt; k++) {
		uint64_t e = le64(p + (size_t)k * ESZ);
		uint32_t i = (uint32_t)(e >> ITE_INTID_SHIFT) - VGIC_MIN_LPI;
		uint32_t rf;

		if ((e & mask) != want || i > VGIC_MAX_LPI_INTID - VGIC_MIN_LPI)
			break;
		rf = refs[i];
		if (rf - 1u >= UINT32_MAX - 1u)
			break;
		refs[i] = rf + 1;
		/* intid < 2^16: the low 32 bits are the packed entry. */
		atomic_store_explicit(&slot[k], (uint32_t)e,
				      memory_order_release);
	}
	return k;
}

_Static_assert(VGIC_LPI_RUN_MAX == VGIC_ITS_CHUNK,
	       "a run of new LPIs fills at most one slot chunk");

/* Entries from EventID @ev before @wev and inside @ev's slot chunk. */
static inline uint32_t run_left(uint32_t ev, uint32_t wev)
{
	uint32_t chunk = VGIC_ITS_CHUNK - ev % VGIC_ITS_CHUNK;

	return wev - ev < chunk ? wev - ev : chunk;
}

/*
 * The run of new LPIs that ITE @e (EventID ev, checked: an LPI that does
 * not exist, its collection, ev + next inside the ITT) starts at @p:
 * @e, then while @e's next is 1 the entries that continue it - the same
 * ICID, the next pINTID (an LPI that does not exist either) and next 1,
 * or next 0 for the last one (*@last).  @left: entries from ev in the
 * window, the ITT and ev's slot chunk (VGIC_ITS_CHUNK events whose slots
 * are contiguous); @nev_left: entries from ev in the ITT (an entry with
 * next 1 is never its last).  Returns the run's length (>= 1).
 */
static uint32_t new_run(const uint8_t *p, uint32_t left, uint32_t nev_left,
			uint64_t e, const uint32_t *refs, uint32_t i,
			bool *last)
{
	const uint64_t next_mask = (uint64_t)ITE_NEXT_MAX << ITE_NEXT_SHIFT;
	const uint64_t one = 1ull << ITE_INTID_SHIFT;
	uint32_t cnt = VGIC_LPI_RUN_MAX, lim, k = 1;

	*last = !(e & next_mask);
	if ((e & next_mask) != 1ull << ITE_NEXT_SHIFT)
		return 1;
	if (cnt > left)
		cnt = left;
	if (cnt > VGIC_NR_LPIS - i)
		cnt = VGIC_NR_LPIS - i;
	/* Entries with next 1: k < lim (never the ITT's last event). */
	lim = nev_left - 1 < cnt ? nev_left - 1 : cnt;
	for (; k + 4 <= lim; k += 4) { /* four at a time while all match */
		const uint8_t *q = p + (size_t)k * ESZ;
		uint64_t w = e + k * one;

		if ((le64(q) ^ w) | (le64(q + ESZ) ^ (w + one)) |
		    (le64(q + 2 * ESZ) ^ (w + 2 * one)) |
		    (le64(q + 3 * ESZ) ^ (w + 3 * one)) | refs[i + k] |
		    refs[i + k + 1] | refs[i + k + 2] | refs[i + k + 3])
			break;
	}
	for (; k < lim; k++)
		if (le64(p + (size_t)k * ESZ) != e + k * one || refs[i + k])
			break;
	/* The entry that ends it may be the run's last, with next 0. */
	if (k < cnt && !refs[i + k] &&
	    le64(p + (size_t)k * ESZ) == ((e + k * one) & ~next_mask)) {
		*last = true;
		return k + 1;
	}
	return k;
}

/*
 * Scan the ITT of device @d (created by this restore, so without ITEs: no
 * -EEXIST; EventIDs only grow), creating each ITE after KVM's checks, in
 * KVM's order (ite_bad).  This is vgic__its_map_ite for a batch: entries
 * are decoded in the window, an ITE of an LPI that exists only takes a
 * reference, and new LPIs read their configuration and pending bytes
 * through the cache (r->lc).  Everything the loop touches is in locals.
 */
static int read_itt(struct rst *r, struct vgic_its_device *d)
{
	struct vgic_its *its = r->its;
	struct vgic *v = r->v;
	struct vgic_gwin *w = &r->itt;
	uint32_t *const refs = v->lpi.refs;
	_Atomic uint32_t *const inl =
		d->nbits <= VGIC_ITS_INLINE_BITS ? d->ite : NULL;
	const uint32_t nev = 1u << d->nbits;
	const uint64_t base = d->itt_addr, end = base + (uint64_t)nev * ESZ;
	/*
	 * ITEs come in runs of one ICID: the collection is checked once per
	 * run and coll_ites[] updated once per run.  The counters live in
	 * locals and are added at the end, also on failure (the rollback
	 * relies on them).
	 */
	uint32_t ev = 0, n = 0, run_icid = VGIC_ITS_NR_ICIDS, run_n = 0;
	bool fresh = false;
	int ret = 0;

	while (ev < nev) {
		uint64_t gpa = base + (uint64_t)ev * ESZ, left;
		const uint8_t *p;
		uint32_t ev0, wev;

		if (!(gpa >= w->gpa && gpa - w->gpa + ESZ <= w->len)) {
			ret = itt_fill(v, w, gpa, end);
			if (ret) {
				vgic__set_error(v,
						"ITS restore: device %u: ITT "
						"unreadable at 0x%llx",
						d->id, (unsigned long long)gpa);
				break;
			}
		}
		p = w->buf + (gpa - w->gpa);
		left = (w->gpa + w->len - gpa) / ESZ;
		ev0 = ev;
		wev = left < nev - ev ? ev + (uint32_t)left : nev;
		while (ev < wev) {
			uint64_t e;
			uint32_t intid, next, icid, i, rf, nr;
			_Atomic uint32_t *slot;
			bool last = false;

			/* itt_run, unless the last ITE created its LPI (a run
			 * of new LPIs would stop it at once, every time). */
			if (inl && run_n && !fresh && ev + 1 < nev) {
				uint32_t lim = wev < nev - 1 ? wev : nev - 1;
				uint32_t k = itt_run(p + (size_t)(ev - ev0) * ESZ,
						     lim - ev, run_icid, refs,
						     &inl[ev]);

				ev += k;
				run_n += k;
				if (ev == wev)
					break;
			}
			e = le64(p + (size_t)(ev - ev0) * ESZ);
			intid = (uint32_t)(e >> ITE_INTID_SHIFT);
			next = (uint32_t)(e >> ITE_NEXT_SHIFT);
			icid = (uint32_t)(e & ITE_ICID_MASK);
			i = intid - VGIC_MIN_LPI;

			if (!intid) { /* no ITE: skip the run of them */
				while (++ev < wev &&
				       !(uint32_t)(le64(p + (size_t)(ev - ev0) *
							       ESZ) >>
						   ITE_INTID_SHIFT))
					;
				continue;
			}
			if (i > VGIC_MAX_LPI_INTID - VGIC_MIN_LPI) {
				ret = ite_bad(r, d, ev, e);
				goto out;
			}
			w->live = true;
			if (icid != run_icid) {
				if (vgic__its_collection(its, icid) ==
				    VGIC_ITS_NO_COLL) {
					ret = ite_bad(r, d, ev, e);
					goto out;
				}
				if (run_n)
					its->coll_ites[run_icid] += run_n;
				n += run_n;
				run_icid = icid;
				run_n = 0;
			}
			if ((uint64_t)ev + next >= nev) {
				ret = ite_bad(r, d, ev, e);
				goto out;
			}
			slot = inl ? &inl[ev] : vgic__its_ite_slot(its, d, ev);
			/* An LPI that exists (below the reference limit) only
			 * takes a reference: vgic__lpi_get's first case. */
			rf = refs[i];
			nr = 1;
			if (slot && rf - 1u < UINT32_MAX - 1u) {
				refs[i] = rf + 1;
				fresh = false;
			} else {
				/* The target without the collection word's
				 * flags (its.h). */
				uint32_t t = vgic__its_collection(its, icid);

				fresh = true;
				ret = 0;
				if (slot && !rf) {
					/* The run of new LPIs from here, all
					 * at once, up to a pending bit. */
					uint32_t len = new_run(
						p + (size_t)(ev - ev0) * ESZ,
						run_left(ev, wev), nev - ev, e,
						refs, i, &last);

					ret = vgic__lpi_create_run(v, r->lc,
								   intid, len, t);
					last = last && ret == (int)len;
				}
				if (ret > 0) {
					nr = (uint32_t)ret;
					ret = 0;
				} else if (!ret) {
					ret = slot ? vgic__lpi_get_cached(
							     v, r->lc, intid, t)
						   : -ENOMEM;
				}
				if (ret) {
					vgic__set_error(
						v,
						"ITS restore: device %u event "
						"%u: creating the LPI: %s",
						d->id, ev, vgic_strerror(ret));
					goto out;
				}
			}
			/* After the LPIs exist (release: MSIs may read them).
			 * intid < 2^16 here, so the low 32 bits of the ITE are
			 * vgic_its_ite_pack(intid, icid); a run's pINTIDs
			 * follow each other. */
			for (uint32_t j = 0; j < nr; j++)
				atomic_store_explicit(
					&slot[j],
					(uint32_t)e + (j << ITE_INTID_SHIFT),
					memory_order_release);
			run_n += nr;
			if (nr > 1) { /* next 1 up to the last, which has 0 or 1 */
				if (last)
					goto out;
				ev += nr;
				continue;
			}
			/* (A run of one: its own next.) */
			/* Predicting next == 1 breaks the dependency of the next
			 * entry's address on this entry's load. */
			if (next != 1) {
				if (!next)
					goto out;
				ev += next;
			} else {
				ev++;
			}
		}
	}
out:
	if (run_n)
		its->coll_ites[run_icid] += run_n;
	n += run_n;
	d->nr_ites += n;
	its->nr_ites += n;
	return ret;
}

/*
 * Scan one flat device table (or one L2 page) whose first entry is
 * DeviceID @id0.  *@last is set when a DTE with next = 0 ends the scan.
 */
static int read_dtes(struct rst *r, uint64_t base, uint64_t size, uint64_t id0,
		     bool *last)
{
	uint64_t off = 0, e = 0;
	int ret;

	tbl_open(&r->t, base, size);
	while (off < size) {
		struct vgic_its_device *d;
		uint32_t next, nbits;
		uint64_t id;

		ret = tbl_next_live(&r->t, off, DTE_V, &off, &e);
		if (ret)
			FAIL(ret, "device table unreadable at 0x%llx",
			     (unsigned long long)(base + off));
		if (off >= size)
			break;
		id = id0 + off / ESZ;
		next = (uint32_t)((e >> DTE_NEXT_SHIFT) & DTE_NEXT_MAX);
		nbits = (uint32_t)(e & DTE_SIZE_MASK) + 1;
		d = NULL;
		if (r->verify) {
			ret = verify_dte(r, base + off, id, e, &d);
			if (ret < 0)
				return ret;
			if (!ret) {
				off += ESZ;
				continue;
			}
		}
		if (nbits > VGIC_ITS_EVENT_BITS)
			FAIL(-EINVAL, "DTE %llu: Size %u > 15", (unsigned long long)id,
			     nbits - 1);
		/* KVM's vgic_its_check_id: the entry was just read from
		 * inside the table, so only the DeviceID width is left. */
		if (id >> VGIC_ITS_DEV_BITS)
			FAIL(-EINVAL, "DTE %llu: DeviceID outside the table",
			     (unsigned long long)id);
		if (!d) {
			ret = restore_dte(r, (uint32_t)id, e, nbits, &d);
			if (ret)
				return ret;
		}
		ret = r->verify ? verify_itt(r, d) : read_itt(r, d);
		if (ret)
			return ret;
		if (!next) {
			*last = true;
			return 0;
		}
		/* A jump out of this table ends it (KVM's 2022 fix). */
		off += (uint64_t)next * ESZ;
	}
	return 0;
}

static int read_devices(struct rst *r)
{
	uint64_t baser = r->its->baser[0];
	uint64_t base = vgic__its_baser_addr(baser);
	uint64_t size = vgic__its_baser_size(baser);
	bool last = false;
	struct tbl l1 = { .v = r->v, .buf = NULL,
			  .view = r->verify ? NULL : &r->l1view };
	uint64_t off = 0, e = 0;
	int ret;

	if (!(baser & GITS_BASER_INDIRECT))
		return read_dtes(r, base, size, 0, &last);

	l1.buf = vgic__alloc(r->v, WIN_MAX);
	if (!l1.buf)
		return -ENOMEM;
	tbl_open(&l1, base, size);
	ret = 0;
	while (!ret && !last && off < size) {
		ret = tbl_next_live(&l1, off, L1E_V, &off, &e);
		if (ret) {
			vgic__set_error(r->v,
					"ITS restore: level-1 device table "
					"unreadable at 0x%llx",
					(unsigned long long)(base + off));
			break;
		}
		if (off >= size)
			break;
		ret = read_dtes(r, e & L1E_ADDR_MASK, L2_SIZE,
				(off / ESZ) * L2_ENTRIES, &last);
		off += ESZ;
	}
	r->l1view.len = 0;
	vgic__free(r->v, l1.buf);
	return ret;
}

#undef FAIL

static int make_collections(struct rst *r)
{
	for (; r->made_cte < r->nr_cte; r->made_cte++) {
		const struct r_cte *c = &r->cte[r->made_cte];
		int ret = vgic__its_map_collection(r->its, c->icid, c->target);

		if (ret) {
			vgic__set_error(r->v,
					"ITS restore: collection %u: %s",
					c->icid, vgic_strerror(ret));
			return ret;
		}
	}
	return 0;
}

static void rollback(struct rst *r)
{
	for (uint32_t i = 0; i < r->nr_dev; i++)
		vgic__its_unmap_device(r->its, r->dev[i]);
	for (uint32_t i = 0; i < r->made_cte; i++)
		vgic__its_unmap_collection(r->its, r->cte[i].icid);
}

/* One scan of the tables, in restore or verify mode: 0 or the errno. */
static int scan_tables(struct rst *r)
{
	struct vgic_its *its = r->its;
	struct vgic *v = r->v;
	struct vgic_undo u;
	int ret = -ENOMEM;

	r->t.v = v;
	r->t.buf = vgic__alloc(v, WIN_MAX);
	r->itt.buf = vgic__alloc(v, WIN_MAX);
	r->lc = vgic__alloc(v, sizeof(*r->lc));
	r->icid_map = vgic__zalloc(v, VGIC_ITS_NR_ICIDS / 64, sizeof(uint64_t));
	if (r->verify)
		r->lpi_seen = vgic__zalloc(v, VGIC_NR_LPIS / 64 + 1,
					   sizeof(uint64_t));
	if (!r->t.buf || !r->itt.buf || !r->lc || !r->icid_map ||
	    (r->verify && !r->lpi_seen))
		goto out;
	vgic__lpi_cache_init(v, r->lc, &r->itt);
	if (!r->verify) {
		r->t.view = &r->dtview;
		r->lc->win[1] = &r->dtview;
		r->lc->win[2] = &r->l1view;
	}
	/* Verify mode scans ITTs with the table reader (verify_itt). */
	r->vitt.v = v;
	r->vitt.buf = r->itt.buf;
	ret = 0;
	if (its->baser[1] & GITS_BASER_VALID)
		ret = read_ctes(r);
	if (ret)
		goto out;
	if (r->verify) {
		if (its->baser[0] & GITS_BASER_VALID)
			ret = read_devices(r);
		goto out;
	}
	/* LPI creation consumes pending bits in guest RAM: log them so a
	 * failure can put them back. */
	vgic__undo_begin(v, &u);
	ret = make_collections(r);
	if (!ret && (its->baser[0] & GITS_BASER_VALID))
		ret = read_devices(r);
	if (ret)
		rollback(r);
	vgic__undo_end(v, &u, ret != 0);
out:
	vgic__free(v, r->lpi_seen);
	vgic__free(v, r->dev);
	vgic__free(v, r->cte);
	vgic__free(v, r->icid_map);
	vgic__free(v, r->lc);
	vgic__free(v, r->itt.buf);
	vgic__free(v, r->t.buf);
	return ret;
}

int vgic__its_restore_tables(struct vgic_its *its)
{
	struct rst r = { .its = its, .v = its->v };

	if (vgic__any_running(its->v))
		return -EBUSY;
	its->v->last_error[0] = '\0';
	return scan_tables(&r);
}

/*
 * The restore scan run against the live mappings (see its.h).  A first
 * pass zeroes whatever the scan would misread; if it zeroed anything, a
 * second pass must then find nothing but live entries.  Both must meet
 * every device and ITE save wrote: anything else means the restore would
 * build other mappings (tables that alias each other) and fails here, at
 * the source, instead of at the destination.
 */
int vgic__its_verify_tables(struct vgic_its *its)
{
	struct rst r = { .its = its, .v = its->v, .verify = true,
			 .scrub = true };
	int ret = scan_tables(&r);

	if (!ret && r.scrubbed) {
		struct rst again = { .its = its, .v = its->v, .verify = true };

		ret = scan_tables(&again);
		r.seen_devs = again.seen_devs;
		r.seen_ites = again.seen_ites;
	}
	if (ret)
		return ret;
	if (r.seen_devs != its->saved_devs || r.seen_ites != its->saved_ites) {
		vgic__set_error(its->v,
				"ITS restore check: the tables would restore "
				"%u of %u devices and %llu of %llu events",
				r.seen_devs, its->saved_devs,
				(unsigned long long)r.seen_ites,
				(unsigned long long)its->saved_ites);
		return -EINVAL;
	}
	return 0;
}

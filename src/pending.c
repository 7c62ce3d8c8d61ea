/*
 * libvgic - GICv3 redistributor LPI pending tables: SAVE_PENDING_TABLES.
 *
 * KVM_DEV_ARM_VGIC_SAVE_PENDING_TABLES (CTRL attribute 3 of the GICv3
 * device) writes the pending state of every LPI that has a target vCPU into
 * that vCPU's pending table in guest RAM (GICv3 spec 5.1.2 "LPI Pending
 * tables": bit INTID % 8 of the byte at GICR_PENDBASER.PA + INTID / 8), so
 * that migrating guest RAM migrates pending LPIs.  Facts: KVM ABI reference
 * §2.6 (vgic_v3_save_pending_tables).
 *
 * Same observable result as KVM:
 *  - LPIs without a target vCPU are skipped; bits of LPIs that do not exist
 *    are left as the guest wrote them (read-modify-write);
 *  - a byte is written only when one of its bits changes, so an unchanged
 *    pending table is not written (and its pages are not dirtied);
 *  - memory that is not guest RAM returns -EFAULT (QEMU tolerates that
 *    error); a host failure (any other errno from read_guest/write_guest)
 *    returns that errno, which the snapshot save does not tolerate.
 *
 * Better than KVM: KVM reads and writes one byte per LPI through a one-byte
 * cache.  Here one pass over the LPI arrays, a word of 64 LPIs at a time
 * (vectorizable loops), notes which LPIs are targeted and whether they all
 * share one target.  If they do (the usual case, and always with one
 * vCPU), that vCPU's touched byte range is read in one call, updated 64
 * LPIs at a time from the mask and the pending bitmap, and written back as
 * runs of changed bytes.  Otherwise one more pass sorts the targeted LPIs
 * of each word into per-vCPU mask rows and each vCPU's table is updated
 * the same way from its row (save_per_vcpu); with a GICv4 VPT or 255 and
 * more vCPUs the LPIs are bucketed by target (a counting sort,
 * O(#LPIs + #vCPUs)) and each vCPU's range is updated LPI by LPI.  If a
 * one-call read faults (part of the range is not RAM), the save goes on
 * through that LPI-by-LPI path and that vCPU falls back to KVM's
 * byte-at-a-time walk, so the error is reported exactly where KVM would
 * report it.  Two vCPUs sharing a pending table (guest misconfiguration)
 * give the same bytes as KVM: each vCPU pass re-reads what the previous
 * one wrote (there is no cache shared between vCPUs: §7.7, the cache must
 * be keyed by GPA).
 */
#include "internal.h"
#include "v4.h"

/* GICR_PENDBASER.PA: bits [51:16]. */
#define PENDBASER_PA_MASK 0x000fffffffff0000ull

/* Byte offset of @intid's bit in a pending table. */
static inline uint32_t pend_byte(uint32_t intid)
{
	return intid / 8;
}

static bool lpi_pending(const struct vgic_lpis *l, uint32_t idx)
{
	uint64_t w = atomic_load_explicit(&l->pending[idx / 64],
					  memory_order_relaxed);

	return (w >> (idx % 64)) & 1;
}

/*
 * KVM's walk for one vCPU: one byte read per distinct GPA, one write per
 * changed byte.  Used when the range read fails.
 */
static int save_bytewise(struct vgic *v, uint64_t base, const uint16_t *idx,
			 uint32_t n)
{
	const struct vgic_lpis *l = &v->lpi;
	uint64_t last = ~0ull;
	uint8_t byte = 0;
	int ret;

	for (uint32_t i = 0; i < n; i++) {
		uint32_t intid = VGIC_MIN_LPI + idx[i];
		uint64_t gpa = base + pend_byte(intid);
		uint8_t bit = (uint8_t)(1u << (intid % 8));
		bool want = lpi_pending(l, idx[i]) ||
			    vgic__v4_vpt_pending(v, intid); /* GICv4.1 VPT */

		if (gpa != last) {
			ret = vgic__guest_err(
				v->ops.read_guest(v->opaque, gpa, &byte, 1));
			if (ret)
				return ret;
			last = gpa;
		}
		if (!!(byte & bit) == want)
			continue;
		byte = want ? (uint8_t)(byte | bit) : (uint8_t)(byte & ~bit);
		ret = vgic__guest_err(
			v->ops.write_guest(v->opaque, gpa, &byte, 1));
		if (ret)
			return ret;
	}
	return 0;
}

/* Write back each run of bytes of @buf that differ from @orig. */
static int write_runs(struct vgic *v, uint64_t gpa, const uint8_t *buf,
		      const uint8_t *orig, uint32_t len)
{
	int ret;

	for (uint32_t i = 0; i < len;) {
		uint32_t j;

		if (buf[i] == orig[i]) {
			i++;
			continue;
		}
		for (j = i + 1; j < len && buf[j] != orig[j]; j++)
			;
		ret = vgic__guest_err(
			v->ops.write_guest(v->opaque, gpa + i, &buf[i], j - i));
		if (ret)
			return ret;
		i = j;
	}
	return 0;
}

/* One vCPU: @idx are its LPIs (INTID - 8192), ascending. */
static int save_vcpu(struct vgic *v, uint32_t vcpu, const uint16_t *idx,
		     uint32_t n, uint8_t *buf, uint8_t *orig)
{
	const struct vgic_lpis *l = &v->lpi;
	uint64_t base = v->vcpu[vcpu].pendbaser & PENDBASER_PA_MASK;
	uint32_t lo = pend_byte(VGIC_MIN_LPI + idx[0]);
	uint32_t hi = pend_byte(VGIC_MIN_LPI + idx[n - 1]);
	uint32_t len = hi - lo + 1;
	int ret;

	ret = vgic__guest_err(v->ops.read_guest(v->opaque, base + lo, buf, len));
	if (ret == -EFAULT) /* part of the range may not be RAM */
		return save_bytewise(v, base, idx, n);
	if (ret)
		return ret;
	memcpy(orig, buf, len);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t intid = VGIC_MIN_LPI + idx[i];
		uint8_t bit = (uint8_t)(1u << (intid % 8));
		uint8_t *b = &buf[pend_byte(intid) - lo];
		/* GICv4.1: a forwarded LPI's pending bit is in the VPT. */
		bool want = lpi_pending(l, idx[i]) ||
			    vgic__v4_vpt_pending(v, intid);

		*b = want ? (uint8_t)(*b | bit) : (uint8_t)(*b & ~bit);
	}
	return write_runs(v, base + lo, buf, orig, len);
}

/* ---- word-at-a-time scan and update ------------------------------------ */

#define WORD_LPIS 64u
#define NR_WORDS (VGIC_NR_LPIS / WORD_LPIS)

/* Little-endian 64-bit pending-table words <-> host order: bit i of the
 * word at table byte 1024 + 8w is LPI index 64w + i on either endianness. */
static inline uint64_t le_word(uint64_t x)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	x = __builtin_bswap64(x);
#endif
	return x;
}

/* Table byte offset of the word of LPI index 64 * @w. */
static inline uint32_t word_byte(uint32_t w)
{
	return pend_byte(VGIC_MIN_LPI) + w * 8;
}

static inline uint32_t popcount64(uint64_t x)
{
	x -= (x >> 1) & 0x5555555555555555ull;
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (uint32_t)((x * 0x0101010101010101ull) >> 56);
}

static inline uint32_t ctz64(uint64_t x) /* x != 0 */
{
	uint32_t n = 0;

	for (; !(x & 0xff); x >>= 8)
		n += 8;
	for (; !(x & 1); x >>= 1)
		n++;
	return n;
}

/* What the scan learns about the targets of the targeted LPIs: they all
 * share one target iff tor == tand (bitwise OR and AND of them). */
struct scan {
	uint32_t tor, tand;
	uint32_t seen; /* existing LPIs scanned */
};

/*
 * Pointer to the bytes of target[] from LPI index @i: target[] is written
 * only under v->lock, which the callers hold, so plain reads of its bytes
 * race with nothing (the MSI path only reads it), and plain reads are
 * what compilers vectorize.
 */
static inline const uint8_t *target_bytes(const struct vgic_lpis *l,
					  uint32_t i)
{
	return (const void *)(uintptr_t)(l->target + i);
}

/*
 * LPIs 64 * @w ... 64 * @w + 63 whose targets are not all one vCPU
 * (@same: they are all the same non-vCPU value): the mask of the targeted
 * ones (existing, target a vCPU < @nv).  A word where no LPI exists
 * (sparse tables) costs one pass over refs[]; any other word is turned
 * into bit masks 8 LPIs at a time, in loops of fixed length compilers
 * vectorize.
 */
static uint64_t scan_word_slow(const struct vgic_lpis *l, uint32_t w,
			       uint32_t nv, bool same, struct scan *s)
{
	const uint32_t *r = l->refs + (size_t)w * WORD_LPIS;
	uint32_t t[WORD_LPIS], z = 0, o = 0, tor = 0, tand = ~0u;
	uint8_t fe[WORD_LPIS], fm[WORD_LPIS];
	uint64_t m = 0, e = 0;

	for (size_t j = 0; j < WORD_LPIS; j++) {
		z |= (r[j] - 1) & ~r[j]; /* bit 31: some refs[j] == 0 */
		o |= r[j];
	}
	if (!o)
		return 0; /* no LPI exists */
	if (!(z >> 31) && same) { /* all exist, none targeted */
		s->seen += WORD_LPIS;
		return 0;
	}
	memcpy(t, target_bytes(l, w * WORD_LPIS), sizeof(t));
	for (size_t j = 0; j < WORD_LPIS; j++) {
		uint32_t g = (r[j] != 0) & (t[j] < nv);

		fe[j] = r[j] != 0;
		fm[j] = t[j] < nv;
		tor |= t[j] & (0u - g);
		tand &= t[j] | (g - 1);
	}
	for (size_t b = 0; b < WORD_LPIS; b += 8) {
		uint64_t x, y;

		/* Eight 0/1 bytes to 8 bits (bit k = byte k). */
		memcpy(&x, fe + b, 8);
		memcpy(&y, fm + b, 8);
		x = (le_word(x) * 0x0102040810204080ull) >> 56;
		y = (le_word(y) * 0x0102040810204080ull) >> 56;
		e |= x << b;
		m |= (x & y) << b;
	}
	s->seen += popcount64(e);
	s->tor |= tor;
	s->tand &= tand;
	return m;
}

/*
 * LPIs 64 * @w ... 64 * @w + 63: the mask of the targeted ones.  A word
 * whose 64 LPIs all have one vCPU target (dense tables) costs one pass
 * over target[]: lpi.c keeps target[i] at VGIC_NO_VCPU while refs[i] is 0,
 * so a vCPU target means the LPI exists.
 */
static inline uint64_t scan_word(const struct vgic_lpis *l, uint32_t w,
				 uint32_t nv, struct scan *s)
{
	const uint8_t *tp = target_bytes(l, w * WORD_LPIS);
	uint32_t t0, d = 0, d2 = 0;

	memcpy(&t0, tp, sizeof(t0));
	/* Two halves at once: two independent reductions per iteration. */
	for (size_t j = 0; j < WORD_LPIS / 2; j++) {
		uint32_t a, b;

		memcpy(&a, tp + j * sizeof(a), sizeof(a));
		memcpy(&b, tp + (j + WORD_LPIS / 2) * sizeof(b), sizeof(b));
		d |= a ^ t0;
		d2 |= b ^ t0;
	}
	d |= d2;
	if (d || t0 >= nv)
		return scan_word_slow(l, w, nv, !d, s);
	s->seen += WORD_LPIS; /* all exist, one target */
	s->tor |= t0;
	s->tand &= t0;
	return ~0ull;
}

_Static_assert(sizeof(_Atomic uint32_t) == sizeof(uint32_t),
	       "target[] read as uint32_t");

/*
 * The common case: every targeted LPI targets @vcpu (and no GICv4 VPT
 * holds pending bits).  @mask[i] has the bits of the targeted LPIs of word
 * @lo_w + i; words @lo_w..@hi_w hold them all (the first and the last
 * have some).  The bytes from the first to the
 * last targeted LPI's are read in one call into @old (word-aligned: the
 * bytes of the edge words outside that range are zero and stay unchanged,
 * their LPIs are not targeted), updated a word (64 LPIs) at a time into
 * @upd, and the runs of changed bytes are written back.  Returns 1 if the
 * range read found memory that is not RAM: the caller then takes the
 * general path, whose byte-at-a-time walk reports the error where KVM
 * would.
 */
static int save_one_target(struct vgic *v, uint32_t vcpu, const uint64_t *mask,
			   uint32_t lo_w, uint32_t hi_w, uint64_t *old,
			   uint64_t *upd)
{
	const struct vgic_lpis *l = &v->lpi;
	uint64_t base = v->vcpu[vcpu].pendbaser & PENDBASER_PA_MASK;
	uint32_t nw = hi_w - lo_w + 1;
	uint32_t lo = word_byte(lo_w) + ctz64(mask[0]) / 8;
	uint32_t hi = word_byte(hi_w), top = 0;
	uint64_t wbase = base + word_byte(lo_w);
	uint32_t run = UINT32_MAX;
	int ret;

	/* The last targeted LPI of word hi_w: its highest mask bit. */
	for (uint64_t m = mask[nw - 1]; m >>= 1;)
		top++;
	hi += top / 8;
	old[0] = old[nw - 1] = 0;
	ret = vgic__guest_err(v->ops.read_guest(
		v->opaque, base + lo, (uint8_t *)old + (lo - word_byte(lo_w)),
		hi - lo + 1));
	if (ret == -EFAULT)
		return 1;
	if (ret)
		return ret;
	for (uint32_t i = 0; i < nw; i++) {
		uint64_t m = mask[i];
		uint64_t p = atomic_load_explicit(&l->pending[lo_w + i],
						  memory_order_relaxed);

		upd[i] = le_word((le_word(old[i]) & ~m) | (p & m));
	}
	/* Write back each run of changed bytes (unchanged words skipped). */
	for (uint32_t i = 0; i <= nw; i++) {
		const uint8_t *o = (const uint8_t *)&old[i];
		const uint8_t *u = (const uint8_t *)&upd[i];

		if (i < nw && upd[i] != old[i]) {
			for (uint32_t k = 0; k < 8; k++) {
				if (o[k] != u[k] && run == UINT32_MAX)
					run = i * 8 + k;
				if (o[k] != u[k] || run == UINT32_MAX)
					continue;
				ret = vgic__guest_err(v->ops.write_guest(
					v->opaque, wbase + run,
					(const uint8_t *)upd + run,
					i * 8 + k - run));
				if (ret)
					return ret;
				run = UINT32_MAX;
			}
			continue;
		}
		if (run == UINT32_MAX)
			continue;
		ret = vgic__guest_err(v->ops.write_guest(
			v->opaque, wbase + run, (const uint8_t *)upd + run,
			i * 8 - run));
		if (ret)
			return ret;
		run = UINT32_MAX;
	}
	return 0;
}

/* save_per_vcpu handles VMs with fewer vCPUs than this. */
#define PER_VCPU_MAX 255u

/*
 * Several vCPUs have targeted LPIs (and no GICv4 VPT holds pending bits):
 * one pass sorts the targeted LPIs of each word into per-vCPU word masks
 * (a row of words per vCPU), then vCPU by vCPU, in vCPU order as the
 * general path below, each row updates that vCPU's table through
 * save_one_target.  Returns 0, an errno, or 1 if a vCPU's range read
 * found memory that is not RAM: nothing after that vCPU was done, and the
 * caller's general path redoes the vCPUs from the start (the ones done
 * find their bytes right and write nothing) with KVM's byte walk for that
 * one.
 */
static int save_per_vcpu(struct vgic *v, const uint64_t *mask, uint32_t lo_w,
			 uint32_t hi_w, uint64_t *old, uint64_t *upd)
{
	const struct vgic_lpis *l = &v->lpi;
	const uint32_t nv = v->nr_vcpus, nw = hi_w - lo_w + 1;
	/* rows[c * nw + i]: vCPU c's LPIs of word lo_w + i; acc[nv] takes
	 * the LPIs that are not targeted. */
	uint64_t *rows = vgic__alloc(v, ((size_t)nv * nw + nv + 1) *
						sizeof(*rows));
	uint64_t *acc;
	int ret = 0;

	if (!rows)
		return -ENOMEM;
	acc = rows + (size_t)nv * nw;
	for (uint32_t i = 0; i < nw; i++) {
		const uint8_t *tp = target_bytes(l, (lo_w + i) * WORD_LPIS);
		uint64_t m = mask[lo_w + i];

		for (uint32_t c = 0; c <= nv; c++)
			acc[c] = 0;
		for (uint32_t j = 0; m && j < WORD_LPIS; j++) {
			uint32_t t;

			memcpy(&t, tp + j * sizeof(t), sizeof(t));
			/* untargeted (bit clear in m): into acc[nv] */
			t = (m >> j & 1) ? t : nv;
			acc[t < nv ? t : nv] |= 1ull << j;
		}
		for (uint32_t c = 0; c < nv; c++)
			rows[(size_t)c * nw + i] = acc[c];
	}
	for (uint32_t c = 0; c < nv && !ret; c++) {
		const uint64_t *r = rows + (size_t)c * nw;
		uint32_t first = 0, last = nw;

		while (first < nw && !r[first])
			first++;
		if (first == nw)
			continue;
		while (!r[last - 1])
			last--;
		ret = save_one_target(v, c, r + first, lo_w + first,
				      lo_w + last - 1, old, upd);
	}
	vgic__free(v, rows);
	return ret;
}

int vgic__save_pending_tables(struct vgic *v)
{
	const struct vgic_lpis *l = &v->lpi;
	const uint32_t nv = v->nr_vcpus;
	struct scan sc = { 0, ~0u, 0 };
	uint32_t lo_w = NR_WORDS, hi_w = 0;
	uint32_t *start = NULL;
	uint16_t *order = NULL;
	uint64_t *mask = NULL, *old, *upd;
	uint8_t *buf;
	int ret = 0;

	if (!v->initialized)
		return -ENXIO;
	if (vgic__any_running(v))
		return -EBUSY;
	if (!l->refs || !l->nr_mapped)
		return 0;

	/* mask[], then the two byte buffers of the update. */
	mask = vgic__alloc(v, 3 * NR_WORDS * sizeof(*mask));
	if (!mask)
		return -ENOMEM;
	old = mask + NR_WORDS;
	upd = old + NR_WORDS;
	buf = (uint8_t *)old;
	vgic__v4_save_begin(v); /* GICv4.1: unmap the vPEs, read the VPTs */
	/*
	 * Note which LPIs are targeted (@mask) and whether they all share one
	 * target, a word of 64 LPIs at a time.  Stops after the last existing
	 * LPI.
	 */
	for (uint32_t w = 0; w < NR_WORDS && sc.seen < l->nr_mapped; w++) {
		mask[w] = scan_word(l, w, nv, &sc);
		if (mask[w]) {
			if (lo_w == NR_WORDS)
				lo_w = w;
			hi_w = w;
		}
	}
	if (lo_w == NR_WORDS)
		goto end; /* nothing targeted */
	if (sc.tor == sc.tand && !vgic__v4(v)) {
		ret = save_one_target(v, sc.tor, mask + lo_w, lo_w, hi_w, old,
				      upd);
		if (ret <= 0)
			goto end;
		ret = 0;
	} else if (!vgic__v4(v) && nv < PER_VCPU_MAX) {
		ret = save_per_vcpu(v, mask, lo_w, hi_w, old, upd);
		if (ret <= 0)
			goto end;
		ret = 0; /* a range read that faulted: KVM's walk below */
	}

	/* General case: a counting sort of the targeted LPIs by target. */
	start = vgic__zalloc(v, nv + 1, sizeof(*start));
	order = vgic__alloc(v, VGIC_NR_LPIS * sizeof(*order));
	if (!start || !order) {
		ret = -ENOMEM;
		goto end;
	}
	for (uint32_t i = lo_w * WORD_LPIS; i < (hi_w + 1) * WORD_LPIS; i++)
		if (mask[i / 64] >> (i % 64) & 1)
			start[atomic_load_explicit(&l->target[i],
						   memory_order_relaxed) + 1]++;
	for (uint32_t c = 0; c < nv; c++)
		start[c + 1] += start[c];
	for (uint32_t i = lo_w * WORD_LPIS; i < (hi_w + 1) * WORD_LPIS; i++) {
		uint32_t t;

		if (!(mask[i / 64] >> (i % 64) & 1))
			continue;
		t = atomic_load_explicit(&l->target[i], memory_order_relaxed);
		order[start[t]++] = (uint16_t)i;
	}
	/* start[c] now holds the end of bucket c; bucket c begins at the end
	 * of bucket c - 1. */
	for (uint32_t c = 0; c < nv && !ret; c++) {
		uint32_t b = c ? start[c - 1] : 0;

		if (start[c] > b)
			ret = save_vcpu(v, c, &order[b], start[c] - b, buf,
					buf + VGIC_NR_LPIS / 8);
	}
end:
	vgic__v4_save_end(v); /* GICv4.1: map the vPEs back */
	vgic__free(v, order);
	vgic__free(v, start);
	vgic__free(v, mask);
	return ret;
}

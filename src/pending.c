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
 * cache.  Here the LPIs are bucketed by target (a counting sort, O(#LPIs +
 * #vCPUs)), each vCPU's touched byte range is read in one call, updated in a
 * host buffer and written back as runs of changed bytes.  If the one-call
 * read faults (part of the range is not RAM), that vCPU falls back to
 * KVM's byte-at-a-time walk, so the error is reported exactly where KVM
 * would report it.  Two vCPUs sharing a pending table (guest misconfiguration)
 * give the same bytes as KVM: each vCPU pass re-reads what the previous one
 * wrote (there is no cache shared between vCPUs: §7.7, the cache must be
 * keyed by GPA).
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

/*
 * The common case: every targeted LPI targets @vcpu (and no GICv4 VPT
 * holds pending bits).  @mask has the bit of each targeted LPI; LPIs
 * @lo_i..@hi_i (INTID - 8192) cover them.  The byte range is updated a
 * byte (8 LPIs) at a time from the mask and the pending bitmap.  Returns
 * 1 if the range read found memory that is not RAM: the caller then takes
 * the general path, whose byte-at-a-time walk reports the error where KVM
 * would.
 */
static int save_one_target(struct vgic *v, uint32_t vcpu, const uint64_t *mask,
			   uint32_t lo_i, uint32_t hi_i, uint8_t *buf,
			   uint8_t *orig)
{
	const struct vgic_lpis *l = &v->lpi;
	uint64_t base = v->vcpu[vcpu].pendbaser & PENDBASER_PA_MASK;
	uint32_t lo = pend_byte(VGIC_MIN_LPI + lo_i);
	uint32_t len = pend_byte(VGIC_MIN_LPI + hi_i) - lo + 1;
	int ret;

	ret = vgic__guest_err(v->ops.read_guest(v->opaque, base + lo, buf, len));
	if (ret == -EFAULT)
		return 1;
	if (ret)
		return ret;
	memcpy(orig, buf, len);
	/* Byte lo holds LPIs 8 * (lo - VGIC_MIN_LPI / 8)...: whole bytes, as
	 * VGIC_MIN_LPI is a multiple of 8. */
	for (uint32_t b = 0; b < len; b++) {
		uint32_t i = (lo + b) * 8 - VGIC_MIN_LPI;
		uint8_t m = (uint8_t)(mask[i / 64] >> (i % 64));
		uint8_t p = (uint8_t)(atomic_load_explicit(&l->pending[i / 64],
							   memory_order_relaxed) >>
				      (i % 64));

		buf[b] = (uint8_t)((buf[b] & ~m) | (p & m));
	}
	return write_runs(v, base + lo, buf, orig, len);
}

_Static_assert(VGIC_MIN_LPI % 64 == 0 && VGIC_NR_LPIS % 64 == 0,
	       "LPI bitmaps: whole words");

int vgic__save_pending_tables(struct vgic *v)
{
	const struct vgic_lpis *l = &v->lpi;
	const uint32_t none = VGIC_NO_VCPU;
	uint32_t one = none, lo_i = 0, hi_i = 0, run = 0;
	bool many = false;
	uint32_t *start = NULL;
	uint16_t *order = NULL;
	uint64_t *mask = NULL;
	uint8_t *buf = NULL;
	int ret = 0;

	if (!v->initialized)
		return -ENXIO;
	if (vgic__any_running(v))
		return -EBUSY;
	if (!l->refs || !l->nr_mapped)
		return 0;

	start = vgic__zalloc(v, v->nr_vcpus + 1, sizeof(*start));
	mask = vgic__alloc(v, VGIC_NR_LPIS / 8);
	buf = vgic__alloc(v, 2 * (VGIC_NR_LPIS / 8));
	if (!start || !mask || !buf) {
		ret = -ENOMEM;
		goto out;
	}
	vgic__v4_save_begin(v); /* GICv4.1: unmap the vPEs, read the VPTs */
	/*
	 * Count the targeted LPIs per target (runs of one target counted in a
	 * register), note which are targeted (@mask) and whether they all
	 * share one target.  Stops after the last existing LPI.
	 */
	for (uint32_t w = 0, seen = 0;
	     w < VGIC_NR_LPIS / 64 && seen < l->nr_mapped; w++) {
		uint64_t m = 0;

		for (uint32_t j = 0; j < 64; j++) {
			uint32_t i = w * 64 + j, t;

			if (!l->refs[i])
				continue;
			seen++;
			t = atomic_load_explicit(&l->target[i],
						 memory_order_relaxed);
			if (t >= v->nr_vcpus)
				continue;
			m |= 1ull << j;
			if (t != one) {
				if (one != none) {
					start[one + 1] += run;
					many = true;
				} else {
					lo_i = i;
				}
				one = t;
				run = 0;
			}
			run++;
			hi_i = i;
		}
		mask[w] = m;
	}
	if (one == none)
		goto end; /* nothing targeted */
	start[one + 1] += run;
	if (!many && !vgic__v4(v)) {
		ret = save_one_target(v, one, mask, lo_i, hi_i, buf,
				      buf + VGIC_NR_LPIS / 8);
		if (ret <= 0)
			goto end;
		ret = 0;
	}

	/* General case: a counting sort of the targeted LPIs by target. */
	order = vgic__alloc(v, VGIC_NR_LPIS * sizeof(*order));
	if (!order) {
		ret = -ENOMEM;
		goto end;
	}
	for (uint32_t c = 0; c < v->nr_vcpus; c++)
		start[c + 1] += start[c];
	for (uint32_t i = lo_i; i <= hi_i; i++) {
		uint32_t t;

		if (!(mask[i / 64] >> (i % 64) & 1))
			continue;
		t = atomic_load_explicit(&l->target[i], memory_order_relaxed);
		order[start[t]++] = (uint16_t)i;
	}
	/* start[c] now holds the end of bucket c; bucket c begins at the end
	 * of bucket c - 1. */
	for (uint32_t c = 0; c < v->nr_vcpus && !ret; c++) {
		uint32_t b = c ? start[c - 1] : 0;

		if (start[c] > b)
			ret = save_vcpu(v, c, &order[b], start[c] - b, buf,
					buf + VGIC_NR_LPIS / 8);
	}
end:
	vgic__v4_save_end(v); /* GICv4.1: map the vPEs back */
out:
	vgic__free(v, buf);
	vgic__free(v, order);
	vgic__free(v, mask);
	vgic__free(v, start);
	return ret;
}

/*
 * libvgic - GICv3 LPIs: the VM-wide LPI state shared by every ITS and the
 * redistributors (GICv3 architecture §5.1 "LPIs"; KVM: vgic-its.c and
 * vgic-v3.c LPI helpers).
 *
 * State is dense and indexed by INTID - 8192 (struct vgic_lpis):
 *   cfg[]     the cached configuration byte (priority | enable), read from
 *             the guest's table at GICR_PROPBASER exactly where KVM reads
 *             it: LPI creation, ITS INV/INVALL, GICR_INVLPIR/INVALLR;
 *   target[]  the vcpu_id the LPI is routed to (VGIC_NO_VCPU if none);
 *   refs[]    ITEs (of every ITS) that map the INTID; 0 = no such LPI;
 *   pending[] the pending bitmap.  MSIs set bits lock-free (atomic OR);
 *             everything else runs under v->lock.
 *
 * Pending tables (GICR_PENDBASER) are read on LPI creation (the bit is
 * then consumed: cleared in RAM, as KVM does) and on EnableLPIs 0->1.
 */
#include "its.h"
#include "v4.h"

#define PROPBASER_ADDR_MASK 0x000ffffffffff000ull /* [51:12] */
#define PENDBASER_ADDR_MASK 0x000fffffffff0000ull /* [51:16] */
#define LPI_PROP_ENABLE 0x01u
#define NR_PENDING_WORDS (VGIC_NR_LPIS / 64)

static bool lpi_valid(uint32_t intid)
{
	return intid >= VGIC_MIN_LPI && intid <= VGIC_MAX_LPI_INTID;
}

int vgic__lpi_init(struct vgic *v)
{
	struct vgic_lpis *l = &v->lpi;

	if (l->cfg)
		return 0;
	l->cfg = vgic__zalloc(v, VGIC_NR_LPIS, sizeof(*l->cfg));
	l->target = vgic__zalloc(v, VGIC_NR_LPIS, sizeof(*l->target));
	l->refs = vgic__zalloc(v, VGIC_NR_LPIS, sizeof(*l->refs));
	l->pending = vgic__zalloc(v, NR_PENDING_WORDS, sizeof(*l->pending));
	if (!l->cfg || !l->target || !l->refs || !l->pending) {
		vgic__lpi_free(v);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < VGIC_NR_LPIS; i++)
		atomic_init(&l->target[i], VGIC_NO_VCPU);
	return 0;
}

void vgic__lpi_free(struct vgic *v)
{
	struct vgic_lpis *l = &v->lpi;

	vgic__free(v, (void *)(uintptr_t)l->cfg);
	vgic__free(v, (void *)(uintptr_t)l->target);
	vgic__free(v, l->refs);
	vgic__free(v, (void *)(uintptr_t)l->pending);
	l->cfg = NULL;
	l->target = NULL;
	l->refs = NULL;
	l->pending = NULL;
	l->nr_mapped = 0;
}

static bool lpi_exists(struct vgic *v, uint32_t intid)
{
	return v->lpi.refs && lpi_valid(intid) &&
	       v->lpi.refs[intid - VGIC_MIN_LPI];
}

static uint32_t lpi_target(struct vgic *v, uint32_t i)
{
	return atomic_load_explicit(&v->lpi.target[i], memory_order_relaxed);
}

static bool lpi_pending(struct vgic *v, uint32_t i)
{
	return atomic_load_explicit(&v->lpi.pending[i / 64],
				    memory_order_relaxed) >>
		       (i % 64) &
	       1;
}

static void lpi_write_pending(struct vgic *v, uint32_t i, bool pending)
{
	uint64_t bit = 1ull << (i % 64);

	if (pending)
		atomic_fetch_or(&v->lpi.pending[i / 64], bit);
	else
		atomic_fetch_and(&v->lpi.pending[i / 64], ~bit);
}

/* Recompute @vcpu's outputs if it is a real vCPU. */
static void lpi_update(struct vgic *v, uint32_t vcpu)
{
	if (vcpu < v->nr_vcpus)
		vgic__update_vcpu(v, vcpu);
}

bool vgic__lpi_best(struct vgic *v, uint32_t vcpu, uint8_t below,
		    uint32_t *intid, uint8_t *prio)
{
	struct vgic_lpis *l = &v->lpi;
	uint8_t best = below;
	bool found = false;

	if (!l->pending)
		return false;
	for (uint32_t w = 0; w < NR_PENDING_WORDS; w++) {
		uint64_t bits = atomic_load_explicit(&l->pending[w],
						     memory_order_seq_cst);
		while (bits) {
			uint32_t i = w * 64 + (uint32_t)__builtin_ctzll(bits);
			uint8_t cfg, p;

			bits &= bits - 1;
			if (!l->refs[i] || lpi_target(v, i) != vcpu)
				continue;
			cfg = atomic_load_explicit(&l->cfg[i],
						   memory_order_relaxed);
			if (!(cfg & LPI_PROP_ENABLE))
				continue;
			p = cfg & VGIC_PRI_MASK;
			if (p < best) {
				best = p;
				*intid = i + VGIC_MIN_LPI;
				*prio = p;
				found = true;
			}
		}
	}
	return found;
}

void vgic__lpi_clear_pending(struct vgic *v, uint32_t intid)
{
	if (!v->lpi.pending || !lpi_valid(intid))
		return;
	lpi_write_pending(v, intid - VGIC_MIN_LPI, false);
}

uint32_t vgic__lpi_limit(struct vgic *v)
{
	uint32_t bits = (uint32_t)(v->lpi.propbaser & 0x1f) + 1;

	return bits >= VGIC_LPI_ID_BITS ? 1u << VGIC_LPI_ID_BITS : 1u << bits;
}

/* Read the configuration byte of LPI @intid from the guest's table. */
static int lpi_read_cfg(struct vgic *v, uint32_t intid, uint8_t *cfg)
{
	uint64_t gpa = (v->lpi.propbaser & PROPBASER_ADDR_MASK) +
		       (intid - VGIC_MIN_LPI);

	if (!v->ops.read_guest)
		return -EFAULT;
	return vgic__guest_err(v->ops.read_guest(v->opaque, gpa, cfg, 1));
}

static uint64_t pend_gpa(struct vgic *v, uint32_t vcpu, uint32_t intid)
{
	return (v->vcpu[vcpu].pendbaser & PENDBASER_ADDR_MASK) + intid / 8;
}

void vgic__lpi_cache_init(struct vgic *v, struct vgic_lpi_cache *c,
			  struct vgic_gwin *win)
{
	c->win[0] = win;
	for (uint32_t k = 1; k < VGIC_LPI_WINS; k++)
		c->win[k] = NULL;
	c->prop_base = v->lpi.propbaser & PROPBASER_ADDR_MASK;
	c->pend_vcpu = VGIC_NO_VCPU;
	c->pend_base = 0;
	for (uint32_t k = 0; k < 2; k++)
		for (uint32_t s = 0; s < VGIC_LPI_LINES; s++)
			c->tag[k][s] = 1;
}

/* Fill line slot @s of table kind @k with the line at @la: 0, or
 * vgic__guest_err()'s errno with the slot left empty. */
static int lpi_fill_line(struct vgic *v, struct vgic_lpi_cache *c, int k,
			 uint32_t s, uint64_t la)
{
	int ret;

	c->tag[k][s] = 1;
	ret = vgic__guest_err(
		v->ops.read_guest(v->opaque, la, c->line[k][s], VGIC_LPI_LINE));
	if (!ret)
		c->tag[k][s] = la;
	return ret;
}

/* lpi_read_byte's miss: fill the line (or read the byte alone).  The byte
 * (0..255) or a negative errno. */
static int lpi_read_miss(struct vgic *v, struct vgic_lpi_cache *c, int k,
			 uint64_t gpa)
{
	uint64_t la = gpa & ~(uint64_t)(VGIC_LPI_LINE - 1);
	uint32_t s = (uint32_t)(la / VGIC_LPI_LINE) % VGIC_LPI_LINES;
	uint8_t byte;
	int ret;

	if (!v->ops.read_guest)
		return -EFAULT;
	if (c) {
		/* The line may straddle memory that is not RAM: then only the
		 * byte counts, as for an uncached read.  A host failure (any
		 * other errno) is the answer. */
		ret = lpi_fill_line(v, c, k, s, la);
		if (!ret)
			return c->line[k][s][gpa - la];
		if (ret != -EFAULT)
			return ret;
	}
	ret = vgic__guest_err(v->ops.read_guest(v->opaque, gpa, &byte, 1));
	return ret ? ret : byte;
}

/* Byte at @gpa of table kind @k (0 properties, 1 pending), through @c:
 * the byte (0..255) or a negative errno. */
static inline int lpi_read_byte(struct vgic *v, struct vgic_lpi_cache *c,
				int k, uint64_t gpa)
{
	uint64_t la = gpa & ~(uint64_t)(VGIC_LPI_LINE - 1);
	uint32_t s = (uint32_t)(la / VGIC_LPI_LINE) % VGIC_LPI_LINES;

	if (c && c->tag[k][s] == la)
		return c->line[k][s][gpa - la];
	return lpi_read_miss(v, c, k, gpa);
}

/* We wrote @byte at @gpa: keep every cached copy of it current. */
static void lpi_cache_wrote(struct vgic_lpi_cache *c, uint64_t gpa,
			    uint8_t byte)
{
	uint64_t la = gpa & ~(uint64_t)(VGIC_LPI_LINE - 1);
	uint32_t s = (uint32_t)(la / VGIC_LPI_LINE) % VGIC_LPI_LINES;

	for (uint32_t k = 0; k < 2; k++)
		if (c->tag[k][s] == la)
			c->line[k][s][gpa - la] = byte;
	for (uint32_t k = 0; k < VGIC_LPI_WINS; k++) {
		struct vgic_gwin *w = c->win[k];

		if (w && gpa - w->gpa < w->len)
			w->buf[gpa - w->gpa] = byte;
	}
}

int vgic__lpi_get(struct vgic *v, uint32_t intid, uint32_t target)
{
	return vgic__lpi_get_cached(v, NULL, intid, target);
}

int vgic__lpi_get_cached(struct vgic *v, struct vgic_lpi_cache *c,
			 uint32_t intid, uint32_t target)
{
	struct vgic_lpis *l = &v->lpi;
	uint32_t i = intid - VGIC_MIN_LPI;
	bool pending = false;
	uint8_t cfg, byte = 0;
	uint64_t gpa = 0;
	int ret;

	if (!l->refs || !lpi_valid(intid))
		return -EINVAL;
	if (l->refs[i]) {
		if (l->refs[i] == UINT32_MAX)
			return -ENOMEM;
		l->refs[i]++;
		return 0;
	}
	ret = lpi_read_byte(v, c, 0,
			    (c ? c->prop_base
			       : l->propbaser & PROPBASER_ADDR_MASK) +
				    (intid - VGIC_MIN_LPI));
	if (ret < 0)
		return ret;
	cfg = (uint8_t)ret;
	if (target >= v->nr_vcpus)
		target = VGIC_NO_VCPU;
	/* Sync the pending bit from the target's table.  As KVM
	 * (vgic_v3_lpi_sync_pending_status), a failing read fails the
	 * creation: nothing is published yet, so nothing is lost silently. */
	if (target != VGIC_NO_VCPU && v->ops.read_guest) {
		if (c && c->pend_vcpu == target) {
			gpa = c->pend_base + intid / 8;
		} else {
			gpa = pend_gpa(v, target, intid);
			if (c) {
				c->pend_vcpu = target;
				c->pend_base = gpa - intid / 8;
			}
		}
		ret = lpi_read_byte(v, c, 1, gpa);
		if (ret < 0)
			return ret;
		byte = (uint8_t)ret;
		pending = byte >> (intid % 8) & 1;
	}
	/* Consume the bit before publishing anything: best effort for
	 * memory that is not RAM (as KVM's write-back), but a host failure
	 * (or the restore undo log running out of memory) fails the
	 * creation with nothing changed. */
	if (pending && v->ops.write_guest) {
		byte &= (uint8_t)~(1u << (intid % 8));
		ret = vgic__guest_err(
			v->ops.write_guest(v->opaque, gpa, &byte, 1));
		if (ret && ret != -EFAULT)
			return ret;
		if (!ret && c)
			lpi_cache_wrote(c, gpa, byte);
	}
	atomic_store_explicit(&l->cfg[i], cfg, memory_order_relaxed);
	atomic_store_explicit(&l->target[i], target, memory_order_release);
	l->refs[i] = 1;
	l->nr_mapped++;
	/* A stale MSI may have left the bit of a dead LPI set (its.h). */
	if (pending || lpi_pending(v, i))
		lpi_write_pending(v, i, pending);
	if (pending)
		lpi_update(v, target);
	return 0;
}

/* Copy the @n bytes at @gpa of table kind @k out of the cache, filling
 * lines as needed: 0, 1 if a line is not RAM as a whole (the caller then
 * takes the byte path, which gives the exact answer), or the errno of a
 * host failure (see vgic__guest_err), which is the answer. */
static int lpi_copy(struct vgic *v, struct vgic_lpi_cache *c, int k,
		    uint64_t gpa, uint8_t *out, uint32_t n)
{
	if (!v->ops.read_guest)
		return 1;
	while (n) {
		uint64_t la = gpa & ~(uint64_t)(VGIC_LPI_LINE - 1);
		uint32_t s = (uint32_t)(la / VGIC_LPI_LINE) % VGIC_LPI_LINES;
		uint32_t in = VGIC_LPI_LINE - (uint32_t)(gpa - la);

		if (c->tag[k][s] != la) {
			int ret = lpi_fill_line(v, c, k, s, la);

			if (ret)
				return ret == -EFAULT ? 1 : ret;
		}
		if (in > n)
			in = n;
		memcpy(out, c->line[k][s] + (gpa - la), in);
		out += in;
		gpa += in;
		n -= in;
	}
	return 0;
}

int vgic__lpi_create_run(struct vgic *v, struct vgic_lpi_cache *c,
			 uint32_t intid, uint32_t n, uint32_t target)
{
	struct vgic_lpis *l = &v->lpi;
	const uint32_t i0 = intid - VGIC_MIN_LPI;
	/* Stores relaxed: the caller's release store of each ITT slot
	 * publishes them (as for vgic__lpi_get's LPIs). */
	_Atomic uint8_t *const cp = l->cfg + i0;
	_Atomic uint32_t *const tp = l->target + i0;
	uint32_t *const rp = l->refs + i0;
	uint8_t cfg[VGIC_LPI_RUN_MAX], pend[VGIC_LPI_RUN_MAX / 8 + 2];
	int ret;

	if (n > VGIC_LPI_RUN_MAX)
		return 0;
	ret = lpi_copy(v, c, 0, c->prop_base + i0, cfg, n);
	if (ret)
		return ret > 0 ? 0 : ret;
	if (target >= v->nr_vcpus) {
		target = VGIC_NO_VCPU;
	} else if (v->ops.read_guest) {
		uint32_t b0 = intid / 8, nb = (intid + n - 1) / 8 - b0 + 1;

		if (c->pend_vcpu != target) {
			c->pend_vcpu = target;
			c->pend_base = pend_gpa(v, target, 0);
		}
		ret = lpi_copy(v, c, 1, c->pend_base + b0, pend, nb);
		if (ret)
			return ret > 0 ? 0 : ret;
		/* A bit to consume means a write, made one LPI at a time in
		 * KVM's order by the caller's byte path: stop before it. */
		pend[0] &= (uint8_t)(0xffu << (intid % 8));
		pend[nb - 1] &= (uint8_t)(0xffu >> (7 - (intid + n - 1) % 8));
		for (uint32_t b = 0; b < nb; b++) {
			if (pend[b]) {
				n = (b0 + b) * 8 +
				    (uint32_t)__builtin_ctz(pend[b]) - intid;
				break;
			}
		}
	}
	for (uint32_t k = 0; k < n; k++) {
		atomic_store_explicit(&cp[k], cfg[k], memory_order_relaxed);
		atomic_store_explicit(&tp[k], target, memory_order_relaxed);
		rp[k] = 1;
	}
	l->nr_mapped += n;
	/* Bits a stale MSI left on dead LPIs (its.h): not pending now. */
	for (uint32_t i = i0; i < i0 + n;) {
		uint32_t w = i / 64, end = (w + 1) * 64 < i0 + n ? (w + 1) * 64
								   : i0 + n;
		uint64_t mask = (end - i == 64 ? ~0ull
					       : ((1ull << (end - i)) - 1))
				<< (i % 64);

		if (atomic_load_explicit(&l->pending[w],
					 memory_order_relaxed) & mask)
			atomic_fetch_and(&l->pending[w], ~mask);
		i = end;
	}
	return (int)n;
}

int vgic__lpi_check_readable(struct vgic *v, uint32_t intid, uint32_t target)
{
	uint8_t byte;
	int ret = lpi_read_cfg(v, intid, &byte);

	if (ret)
		return ret;
	if (target >= v->nr_vcpus || !v->ops.read_guest)
		return 0;
	ret = v->ops.read_guest(v->opaque, pend_gpa(v, target, intid), &byte, 1);
	return vgic__guest_err(ret);
}

void vgic__lpi_put(struct vgic *v, uint32_t intid)
{
	struct vgic_lpis *l = &v->lpi;
	uint32_t i = intid - VGIC_MIN_LPI;
	uint32_t target;
	bool was_pending;

	if (!lpi_exists(v, intid) || --l->refs[i])
		return;
	l->nr_mapped--;
	target = lpi_target(v, i);
	was_pending = lpi_pending(v, i);
	lpi_write_pending(v, i, false);
	atomic_store_explicit(&l->target[i], VGIC_NO_VCPU,
			      memory_order_relaxed);
	atomic_store_explicit(&l->cfg[i], 0, memory_order_relaxed);
	if (was_pending)
		lpi_update(v, target);
}

void vgic__lpi_set_target(struct vgic *v, uint32_t intid, uint32_t target)
{
	uint32_t i = intid - VGIC_MIN_LPI;
	uint32_t old;

	if (!lpi_exists(v, intid))
		return;
	if (target >= v->nr_vcpus)
		target = VGIC_NO_VCPU;
	old = lpi_target(v, i);
	if (old == target)
		return;
	atomic_store_explicit(&v->lpi.target[i], target, memory_order_release);
	vgic__v4_retarget(v, intid); /* GICv4: VMOVI */
	if (lpi_pending(v, i)) {
		lpi_update(v, old);
		lpi_update(v, target);
	}
}

void vgic__lpi_move_all(struct vgic *v, uint32_t from, uint32_t to)
{
	bool moved = false;

	if (!v->lpi.refs || from == to)
		return;
	for (uint32_t i = 0; i < VGIC_NR_LPIS; i++) {
		if (!v->lpi.refs[i] || lpi_target(v, i) != from)
			continue;
		atomic_store_explicit(&v->lpi.target[i], to,
				      memory_order_release);
		vgic__v4_retarget(v, i + VGIC_MIN_LPI); /* GICv4: VMOVI */
		moved = true;
	}
	if (moved) {
		lpi_update(v, from);
		lpi_update(v, to);
	}
}

void vgic__lpi_set_pending(struct vgic *v, uint32_t intid, uint32_t target)
{
	vgic__lpi_mark_pending(v, intid, target);
}

int vgic__lpi_notify(struct vgic *v, uint32_t target)
{
	atomic_store_explicit(&v->vcpu[target].lpi_dirty, true,
			      memory_order_release);
	vgic__kick(v, target);
	return 1;
}

int vgic__lpi_msi_v4(struct vgic *v, uint32_t intid)
{
	/* A GICv4-forwarded LPI is made pending in the hardware instead. */
	if (!vgic__v4_msi(v, intid))
		vgic__lpi_set_pending(v, intid,
				      atomic_load_explicit(
					      &v->lpi.target[intid -
							     VGIC_MIN_LPI],
					      memory_order_seq_cst));
	return 1;
}

static int lpi_sync_pending(struct vgic *v, uint32_t vcpu, bool ptz);

int vgic__lpi_enable(struct vgic *v, uint32_t vcpu, bool ptz)
{
	int ret = lpi_sync_pending(v, vcpu, ptz);

	/* Only now may MSIs reach @vcpu (its collections' words lose
	 * VGIC_ITS_COLL_LPIS_OFF): none can be overwritten by the sync. */
	vgic__its_lpis_enabled(v, vcpu, true);
	return ret;
}

static int lpi_sync_pending(struct vgic *v, uint32_t vcpu, bool ptz)
{
	struct vgic_lpis *l = &v->lpi;
	uint64_t cached_gpa = 0;
	bool have = false;
	uint8_t byte = 0;
	int ret = 0;

	if (ptz || !l->refs || vcpu >= v->nr_vcpus)
		return 0;
	for (uint32_t i = 0; i < VGIC_NR_LPIS; i++) {
		uint32_t intid = i + VGIC_MIN_LPI;
		uint64_t gpa;

		if (!l->refs[i] || lpi_target(v, i) != vcpu)
			continue;
		gpa = pend_gpa(v, vcpu, intid);
		/* One-byte cache keyed by GPA (KVM bug §7.7 keyed it by
		 * offset). */
		if (!have || gpa != cached_gpa) {
			have = false;
			if (ret || !v->ops.read_guest ||
			    v->ops.read_guest(v->opaque, gpa, &byte, 1)) {
				ret = -EFAULT;
				lpi_write_pending(v, i, false);
				continue;
			}
			have = true;
			cached_gpa = gpa;
		}
		lpi_write_pending(v, i, byte >> (intid % 8) & 1);
	}
	lpi_update(v, vcpu);
	return ret;
}

void vgic__lpi_disable(struct vgic *v, uint32_t vcpu)
{
	struct vgic_lpis *l = &v->lpi;

	/* No translation cache to invalidate: translations are the ITS
	 * structures themselves.  MSIs to @vcpu get -EBUSY from here on. */
	vgic__its_lpis_enabled(v, vcpu, false);
	if (!l->refs)
		return;
	for (uint32_t i = 0; i < VGIC_NR_LPIS; i++)
		if (l->refs[i] && lpi_target(v, i) == vcpu)
			lpi_write_pending(v, i, false);
	lpi_update(v, vcpu);
}

static void lpi_reload(struct vgic *v, uint32_t intid)
{
	uint8_t cfg;

	if (!lpi_read_cfg(v, intid, &cfg))
		atomic_store_explicit(&v->lpi.cfg[intid - VGIC_MIN_LPI], cfg,
				      memory_order_relaxed);
}

void vgic__lpi_inv(struct vgic *v, uint32_t intid)
{
	if (!lpi_exists(v, intid))
		return;
	lpi_reload(v, intid);
	vgic__v4_inv(v, intid); /* GICv4: property update + INV */
	lpi_update(v, lpi_target(v, intid - VGIC_MIN_LPI));
}

void vgic__lpi_inv_all(struct vgic *v, uint32_t vcpu)
{
	struct vgic_lpis *l = &v->lpi;

	if (!l->refs)
		return;
	for (uint32_t i = 0; i < VGIC_NR_LPIS; i++)
		if (l->refs[i] && lpi_target(v, i) == vcpu)
			lpi_reload(v, i + VGIC_MIN_LPI);
	vgic__v4_inv_all(v, vcpu); /* GICv4: property updates + VINVALL */
	lpi_update(v, vcpu);
}

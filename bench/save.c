/*
 * bench-save: ITS table save/restore (KVM table ABI REV0) through the
 * public API.
 *
 *  - ITS_SAVE_TABLES + SAVE_PENDING_TABLES and ITS_RESTORE_TABLES with 1k,
 *    64k and 2M mapped events (32 events per device, flat device table),
 *    each printed with the time of a memcpy of the same number of table
 *    bytes measured in the same run, and the ratio (target: within 3x);
 *  - the sparse case of KVM's vgic_its_tables selftest: one 64 KiB L2
 *    device page holding 8192 devices with one event each, placed at the
 *    end (behind 7 invalid L1 entries, each event the last of its ITT),
 *    KVM: ~6 s; target < 1 ms;
 *  - the same with KVM's 8192-event ITTs (the ITE at EventID 8189), which
 *    forces reading 64 KiB per device: the ABI gives no way to find the
 *    first ITE of an ITT without scanning it.
 *
 * Usage: bench-save [--quick]   (quick: smaller sizes, for make check)
 * Env: BENCH_SAVE_ONLY=dense|sparse; BENCH_SAVE_EVENTS=n (one dense size,
 * BENCH_SAVE_REPS times, BENCH_SAVE_PER_DEV events per device, default 32);
 * BENCH_SAVE_ONLY_SAVE=1, BENCH_SAVE_ONLY_RESTORE=1 (profiling);
 * BENCH_SAVE_SPLIT=1 also prints ITS_SAVE_TABLES and SAVE_PENDING_TABLES
 * apart (each including one clock read).
 * One JSON line per measurement on stdout; times are thread CPU time, the
 * minimum over the repetitions.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vgic/vgic.h>

#define RAM_BASE 0x40000000ull
#define GICD 0x08000000ull
#define GICR 0x080a0000ull
#define GITS 0x08080000ull

#define PROP (RAM_BASE)
#define PEND (RAM_BASE + 0x10000)
#define CMDQ (RAM_BASE + 0x20000)
#define CT (RAM_BASE + 0x30000)
#define DT (RAM_BASE + 0x40000)     /* 512 KiB flat, or L1 + L2 page */
#define ITT (RAM_BASE + 0x100000)   /* ITTs from here */

struct host {
	uint8_t *ram;
	size_t size;
};

static int rd(void *o, uint64_t gpa, void *buf, size_t len)
{
	struct host *h = o;

	if (gpa < RAM_BASE || gpa - RAM_BASE > h->size ||
	    len > h->size - (gpa - RAM_BASE))
		return -EFAULT;
	memcpy(buf, h->ram + (gpa - RAM_BASE), len);
	return 0;
}

static int wr(void *o, uint64_t gpa, const void *buf, size_t len)
{
	struct host *h = o;

	if (gpa < RAM_BASE || gpa - RAM_BASE > h->size ||
	    len > h->size - (gpa - RAM_BASE))
		return -EFAULT;
	memcpy(h->ram + (gpa - RAM_BASE), buf, len);
	return 0;
}

static const struct vgic_host_ops ops = { rd, wr, NULL };

static double now_us(void)
{
	struct timespec t;

	/* CPU time of this thread: the machine is shared, wall time is not
	 * what the code costs.  memcpy is measured the same way. */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static void die(const char *what, int ret)
{
	fprintf(stderr, "bench-save: %s: %s\n", what, vgic_strerror(ret));
	exit(1);
}

static void put64(struct host *h, uint64_t gpa, uint64_t v)
{
	memcpy(h->ram + (gpa - RAM_BASE), &v, 8); /* little-endian host */
}

static int attr(struct vgic_device *d, uint32_t group, uint64_t a, void *val)
{
	struct vgic_device_attr at = { 0, group, a, (uint64_t)(uintptr_t)val };

	return vgic_device_set_attr(d, &at);
}

static void mmio64(struct vgic *v, uint64_t gpa, uint64_t val)
{
	if (vgic_mmio_write(v, 0, gpa, &val, 8))
		die("mmio", -EINVAL);
}

struct vm {
	struct vgic *v;
	struct vgic_device *gic, *its;
	uint64_t baser0, baser1;
};

static void vm_new(struct vm *m, struct host *h, uint64_t baser0)
{
	struct vgic_config cfg = { .nr_vcpus = 1 };
	uint64_t a;
	uint32_t one = 1;
	int ret;

	if ((ret = vgic_create(&cfg, &ops, h, &m->v)) ||
	    (ret = vgic_device_create(m->v, VGIC_DEV_TYPE_V3, &m->gic)))
		die("create", ret);
	a = GICD;
	if ((ret = attr(m->gic, VGIC_GRP_ADDR, VGIC_V3_ADDR_TYPE_DIST, &a)))
		die("dist", ret);
	a = GICR | 1ull << 52;
	if ((ret = attr(m->gic, VGIC_GRP_ADDR, VGIC_V3_ADDR_TYPE_REDIST_REGION,
			&a)))
		die("redist", ret);
	if ((ret = vgic_device_create(m->v, VGIC_DEV_TYPE_ITS, &m->its)))
		die("its", ret);
	a = GITS;
	if ((ret = attr(m->its, VGIC_GRP_ADDR, VGIC_ITS_ADDR_TYPE, &a)))
		die("its addr", ret);
	if ((ret = attr(m->gic, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL)))
		die("init", ret);
	mmio64(m->v, GICR + 0x70, PROP | 15);
	mmio64(m->v, GICR + 0x78, PEND);
	if (vgic_mmio_write(m->v, 0, GICR, &one, 4))
		die("GICR_CTLR", -EINVAL);
	m->baser0 = baser0;
	m->baser1 = CT | 1ull << 63 | 2ull << 8;
	mmio64(m->v, GITS + 0x100, m->baser0);
	mmio64(m->v, GITS + 0x108, m->baser1);
	mmio64(m->v, GITS + 0x80, CMDQ | 1ull << 63 | 15);
}

/* Reset the ITS and RESTORE_TABLES; returns microseconds. */
static double restore(struct vm *m)
{
	double t;
	int ret;

	if ((ret = attr(m->its, VGIC_GRP_CTRL, VGIC_CTRL_ITS_RESET, NULL)) ||
	    (ret = attr(m->its, VGIC_GRP_ITS_REGS, 0x100, &m->baser0)) ||
	    (ret = attr(m->its, VGIC_GRP_ITS_REGS, 0x108, &m->baser1)))
		die("reset", ret);
	t = now_us();
	ret = attr(m->its, VGIC_GRP_CTRL, VGIC_CTRL_ITS_RESTORE_TABLES, NULL);
	t = now_us() - t;
	if (ret)
		die("RESTORE_TABLES", ret);
	return t;
}

/* ITS_SAVE_TABLES + SAVE_PENDING_TABLES; returns microseconds and, in
 * *@its_us, those of ITS_SAVE_TABLES alone (an extra clock read between
 * the two calls: only for the split printed with BENCH_SAVE_SPLIT). */
static double save(struct vm *m, double *its_us)
{
	double t = now_us(), t1 = 0;
	int ret;

	ret = attr(m->its, VGIC_GRP_CTRL, VGIC_CTRL_ITS_SAVE_TABLES, NULL);
	if (its_us)
		t1 = now_us();
	if (!ret)
		ret = attr(m->gic, VGIC_GRP_CTRL, VGIC_CTRL_SAVE_PENDING_TABLES,
			   NULL);
	if (ret)
		die("SAVE", ret);
	if (its_us)
		*its_us = t1 - t;
	return now_us() - t;
}

static double min(double a, double b)
{
	return a < b ? a : b;
}

/*
 * Restore floors: only the stores any restore of these tables must make,
 * with the library's state sizes - a 4-byte translation per event and, per
 * LPI, its configuration byte (copied from the property table), target and
 * reference count - read from the same guest RAM, with no checks at all
 * beyond "does the LPI exist yet".  Not restores: lower bounds for the
 * per-event work, printed next to the memcpy so that the reader can see how
 * much of the ratio is the work itself rather than the implementation.
 * The plain floor stores into plain arrays; the atomic floor makes each
 * store a C11 atomic store, as the library must for the state that the
 * lock-free MSI path reads (src/its.h), the translation last (release).
 * "restore_vs_floor" is the restore against the atomic floor: the part of
 * the time the implementation, not the work, accounts for.
 */
struct floor {
	uint32_t *slot, *refs, *target;
	uint8_t *cfg;
	_Atomic uint32_t *aslot, *atarget;
	_Atomic uint8_t *acfg;
};

/* The ITT of device @d. */
static const uint8_t *floor_itt(struct host *h, uint64_t d)
{
	uint64_t dte;

	memcpy(&dte, h->ram + (DT - RAM_BASE) + d * 8, 8);
	return h->ram + ((dte >> 5 & 0xfffffffffffull) << 8) - RAM_BASE;
}

static double floor_plain(struct host *h, uint64_t ndev, uint32_t pd,
			  struct floor *f)
{
	const uint8_t *prop = h->ram + (PROP - RAM_BASE);
	double t;

	memset(f->refs, 0, 57344 * sizeof(*f->refs));
	t = now_us();
	for (uint64_t d = 0; d < ndev; d++) {
		const uint8_t *itt = floor_itt(h, d);

		for (uint32_t e = 0; e < pd; e++) {
			uint64_t ite;
			uint32_t i;

			memcpy(&ite, itt + e * 8, 8);
			i = (uint32_t)(ite >> 16) - 8192;
			f->slot[d * pd + e] = (uint32_t)ite;
			if (!f->refs[i]++) {
				f->cfg[i] = prop[i];
				f->target[i] = 0;
			}
		}
	}
	return now_us() - t;
}

static double floor_atomic(struct host *h, uint64_t ndev, uint32_t pd,
			   struct floor *f)
{
	const uint8_t *prop = h->ram + (PROP - RAM_BASE);
	double t;

	memset(f->refs, 0, 57344 * sizeof(*f->refs));
	t = now_us();
	for (uint64_t d = 0; d < ndev; d++) {
		const uint8_t *itt = floor_itt(h, d);

		for (uint32_t e = 0; e < pd; e++) {
			uint64_t ite;
			uint32_t i;

			memcpy(&ite, itt + e * 8, 8);
			i = (uint32_t)(ite >> 16) - 8192;
			if (!f->refs[i]++) {
				atomic_store_explicit(&f->acfg[i], prop[i],
						      memory_order_relaxed);
				atomic_store_explicit(&f->atarget[i], 0,
						      memory_order_relaxed);
			}
			atomic_store_explicit(&f->aslot[d * pd + e],
					      (uint32_t)ite,
					      memory_order_release);
		}
	}
	return now_us() - t;
}

/* Dense: @nev events, @pd (a power of two) per device, flat device
 * table. */
static void dense(uint64_t nev, uint32_t pd, int reps)
{
	uint32_t bits = (uint32_t)__builtin_ctz(pd);
	uint64_t ndev = nev / pd, bytes = (nev + ndev + 2) * 8;
	uint64_t stride = pd * 8 < 256 ? 256 : pd * 8; /* ITTs 256-B aligned */
	struct host h = { .size = 0x100000 + ndev * stride };
	double tr = 1e18, ts = 1e18, tm = 1e18, tf = 1e18, ta = 1e18;
	struct floor f = { malloc(nev * 4), malloc(57344 * 4),
			   malloc(57344 * 4), malloc(57344),
			   malloc(nev * 4), malloc(57344 * 4), malloc(57344) };
	uint8_t *src, *dst;
	struct vm m;

	h.ram = calloc(1, h.size);
	src = malloc(bytes);
	dst = malloc(bytes);
	if (!h.ram || !src || !dst || !f.slot || !f.refs || !f.target ||
	    !f.cfg || !f.aslot || !f.atarget || !f.acfg)
		die("memory", -ENOMEM);
	memset(src, 1, bytes);
	memset(dst, 2, bytes);
	for (uint64_t i = 8192; i < 65536; i++)
		h.ram[i - 8192] = 0xa1;
	put64(&h, CT, 1ull << 63 | 0);
	for (uint64_t d = 0; d < ndev; d++) {
		uint64_t itt = ITT + d * stride;

		put64(&h, DT + d * 8,
		      1ull << 63 | (uint64_t)(d + 1 < ndev) << 49 |
			      (itt >> 8) << 5 | (bits - 1));
		for (uint64_t e = 0; e < pd; e++)
			put64(&h, itt + e * 8,
			      (uint64_t)(e + 1 < pd) << 48 |
				      (8192 + (d * pd + e) % 57344) << 16);
	}
	vm_new(&m, &h, DT | 1ull << 63 | 2ull << 8 | 7);
	if (getenv("BENCH_SAVE_ONLY_SAVE")) { /* profiling aid */
		restore(&m);
		for (int r = 0; r < 20 * reps; r++)
			ts = min(ts, save(&m, NULL));
	}
	if (getenv("BENCH_SAVE_SPLIT")) { /* the two halves of a save */
		double ti = 1e18, tp = 1e18;

		restore(&m);
		for (int r = 0; r < 20 * reps; r++) {
			double its_us, t = save(&m, &its_us);

			ti = min(ti, its_us);
			tp = min(tp, t - its_us);
		}
		printf("{\"bench\":\"save-split\",\"events\":%llu,"
		       "\"its_save_us\":%.1f,\"save_pending_us\":%.1f}\n",
		       (unsigned long long)nev, ti, tp);
	}
	if (getenv("BENCH_SAVE_ONLY_RESTORE")) /* profiling aid */
		for (int r = 0; r < 20 * reps; r++)
			tr = min(tr, restore(&m));
	for (int r = 0; r < reps; r++) {
		double t;

		tr = min(tr, restore(&m));
		ts = min(ts, save(&m, NULL));
		t = now_us();
		memcpy(dst, src, bytes);
		t = now_us() - t;
		src[r % bytes] ^= dst[(r * 7) % bytes];
		tm = min(tm, t);
		tf = min(tf, floor_plain(&h, ndev, pd, &f));
		ta = min(ta, floor_atomic(&h, ndev, pd, &f));
	}
	printf("{\"bench\":\"save\",\"events\":%llu,\"devices\":%llu,"
	       "\"events_per_device\":%u,"
	       "\"table_bytes\":%llu,\"restore_us\":%.1f,\"save_us\":%.1f,"
	       "\"memcpy_us\":%.1f,\"restore_vs_memcpy\":%.2f,"
	       "\"save_vs_memcpy\":%.2f,\"floor_plain_us\":%.1f,"
	       "\"floor_plain_vs_memcpy\":%.2f,\"floor_atomic_us\":%.1f,"
	       "\"floor_atomic_vs_memcpy\":%.2f,\"restore_vs_floor\":%.2f}\n",
	       (unsigned long long)nev, (unsigned long long)ndev, pd,
	       (unsigned long long)bytes, tr, ts, tm, tr / tm, ts / tm, tf,
	       tf / tm, ta, ta / tm, tr / ta);
	vgic_destroy(m.v);
	free(h.ram);
	free(src);
	free(dst);
	free(f.slot);
	free(f.refs);
	free(f.target);
	free(f.cfg);
	free((void *)(uintptr_t)f.aslot);
	free((void *)(uintptr_t)f.atarget);
	free((void *)(uintptr_t)f.acfg);
}

/*
 * Sparse: a two-level device table whose only valid L1 entry is the last
 * one a 16-bit DeviceID can use (7), one 64 KiB L2 page with 8192 devices,
 * each with one ITE at the end of its ITT (2^@bits events; ITTs aliased so
 * the KVM-shaped case fits in memory).
 */
static void sparse(uint32_t bits, int reps)
{
	uint64_t nev = 1ull << bits, l2 = DT + 0x10000;
	struct host h = { .size = 0x100000 + nev * 8 };
	double tr = 1e18;
	struct vm m;

	h.ram = calloc(1, h.size);
	if (!h.ram)
		die("memory", -ENOMEM);
	for (uint64_t i = 8192; i < 65536; i++)
		h.ram[i - 8192] = 0xa1;
	put64(&h, CT, 1ull << 63 | 0);
	put64(&h, DT + 7 * 8, 1ull << 63 | l2);
	for (uint64_t d = 0; d < 8192; d++)
		put64(&h, l2 + d * 8,
		      1ull << 63 | (uint64_t)(d < 8191) << 49 |
			      (ITT >> 8) << 5 | (bits - 1));
	put64(&h, ITT + (nev - (bits > 1 ? 3 : 1)) * 8, 8192ull << 16);
	vm_new(&m, &h, DT | 1ull << 63 | 1ull << 62 | 2ull << 8);
	for (int r = 0; r < reps; r++)
		tr = min(tr, restore(&m));
	printf("{\"bench\":\"save-sparse\",\"devices\":8192,\"itt_events\":%llu,"
	       "\"restore_us\":%.1f,\"target_us\":%s,\"kvm_us\":6000000}\n",
	       (unsigned long long)nev, tr, bits == 1 ? "1000" : "null");
	vgic_destroy(m.v);
	free(h.ram);
}

int main(int argc, char **argv)
{
	bool quick = argc > 1 && !strcmp(argv[1], "--quick");
	const char *only = getenv("BENCH_SAVE_ONLY"); /* dense | sparse */

	if (getenv("BENCH_SAVE_EVENTS")) {
		const char *reps = getenv("BENCH_SAVE_REPS");

		const char *pd = getenv("BENCH_SAVE_PER_DEV");
		uint64_t nev = strtoull(getenv("BENCH_SAVE_EVENTS"), NULL, 0);
		uint64_t per = pd ? strtoull(pd, NULL, 0) : 32;

		if (per < 2 || per > 65536 || (per & (per - 1)) || nev < per ||
		    nev % per || nev > (8u << 20)) {
			fprintf(stderr, "bench-save: BENCH_SAVE_PER_DEV must be "
					"a power of two in 2..65536 dividing "
					"BENCH_SAVE_EVENTS (<= 8M)\n");
			return 2;
		}
		dense(nev, (uint32_t)per, reps ? atoi(reps) : 3);
		return 0;
	}
	if (!only || !strcmp(only, "dense")) {
		dense(1024, 32, 50);
		dense(65536, 32, quick ? 3 : 10);
		if (!quick)
			dense(2u << 20, 32, 5);
		/* Devices with more than 64 events: ITTs in 64-event chunks. */
		dense(65536, 1024, quick ? 3 : 10);
	}
	if (!only || !strcmp(only, "sparse")) {
		sparse(1, 20);
		sparse(13, quick ? 1 : 3);
	}
	return 0;
}

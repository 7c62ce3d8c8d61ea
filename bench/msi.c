/*
 * bench-msi: MSI injection throughput through the ITS, in the style of
 * KVM's vgic_lpi_stress selftest (-v vCPUs, -d devices, -e events per
 * device, -t injector threads), from 1x1 up to 65536 devices x 32 events.
 *
 * For each configuration it maps every (device, event) through the
 * command queue exactly as a guest would (MAPC per vCPU, MAPD + MAPTI per
 * event), then runs -t threads calling vgic_signal_msi() over their slice
 * of the mappings in DeviceID/EventID order, and in the same run a "floor"
 * loop on a working set of the same size: a bare array lookup
 * (DeviceID, EventID) -> LPI plus an atomic bit set, the two measured in
 * alternating slices (ROUNDS).  It prints MSIs/s,
 * MSIs/s per thread, the ratio to the floor, the ratio to the 1x1
 * configuration, and the library's memory per mapped event (measured by a
 * counting allocator: bytes allocated while mapping / mapped events), one
 * JSON line per configuration, and with -p draws a PNG (gnuplot) of
 * MSIs/s against mapped events.
 *
 * Nothing acknowledges the LPIs: after the first pass every LPI is pending
 * and the target vCPU marked dirty, which the fast path sees with plain
 * loads (as it does between acknowledgements in a VM); the floor does an
 * unconditional atomic OR.
 *
 * Uses only the public API.  -s: short mode for `make check`.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <vgic/vgic.h>

#define GICD 0x08000000ull
#define ITS 0x08080000ull
#define GICR 0x080a0000ull
#define RAM 0x40000000ull
#define RAM_SIZE (16ull << 20)
/* RAM layout (offsets). */
#define CMDQ 0x000000ull    /* 1 MB queue */
#define DT 0x100000ull      /* 512 KB flat device table: 65536 devices */
#define CT 0x180000ull      /* 64 KB collection table */
#define PROP 0x190000ull    /* 64 KB LPI configuration */
#define PEND 0x200000ull    /* + 64 KB per vCPU */
#define ITT 0xa00000ull     /* one ITT area shared by all devices */
#define CMDQ_SIZE (1u << 20)
#define NR_LPIS (65536u - 8192u)
#define MAX_THREADS 64

struct host {
	uint8_t *ram;
	_Atomic uint64_t live;  /* bytes allocated by the library */
	_Atomic uint64_t kicks;
};

/* ---- fake host -------------------------------------------------------------- */

static int rd(void *o, uint64_t gpa, void *buf, size_t len)
{
	struct host *h = o;

	if (gpa < RAM || gpa - RAM > RAM_SIZE || len > RAM_SIZE - (gpa - RAM))
		return -EFAULT;
	memcpy(buf, h->ram + (gpa - RAM), len);
	return 0;
}

static int wr(void *o, uint64_t gpa, const void *buf, size_t len)
{
	struct host *h = o;

	if (gpa < RAM || gpa - RAM > RAM_SIZE || len > RAM_SIZE - (gpa - RAM))
		return -EFAULT;
	memcpy(h->ram + (gpa - RAM), buf, len);
	return 0;
}

static void kick(void *o, uint32_t vcpu)
{
	struct host *h = o;

	(void)vcpu;
	atomic_fetch_add_explicit(&h->kicks, 1, memory_order_relaxed);
}

/* Counting allocator: a 16-byte header holds the size. */
static void *c_alloc(void *o, size_t size)
{
	struct host *h = o;
	uint64_t *p = malloc(size + 16);

	if (!p)
		return NULL;
	p[0] = size;
	atomic_fetch_add(&h->live, size);
	return p + 2;
}

static void *c_zalloc(void *o, size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = c_alloc(o, n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

static void c_free(void *o, void *ptr)
{
	struct host *h = o;
	uint64_t *p = ptr;

	if (!p)
		return;
	atomic_fetch_sub(&h->live, p[-2]);
	free(p - 2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- guest-side setup --------------------------------------------------------- */

struct vm {
	struct host h;
	struct vgic *v;
	uint32_t cwriter;
};

static void die(const char *what, int err)
{
	fprintf(stderr, "bench-msi: %s: %s\n", what, vgic_strerror(err));
	exit(1);
}

static void mmio64(struct vm *m, uint64_t gpa, uint64_t val)
{
	int ret = vgic_mmio_write(m->v, 0, gpa, &val, 8);

	if (ret)
		die("mmio", ret);
}

static void mmio32(struct vm *m, uint32_t vcpu, uint64_t gpa, uint32_t val)
{
	int ret = vgic_mmio_write(m->v, vcpu, gpa, &val, 4);

	if (ret)
		die("mmio", ret);
}

/* Queue one command; publish CWRITER when asked and every 2048 commands
 * (commands run synchronously, so the ring never fills). */
static void cmd(struct vm *m, uint64_t w0, uint64_t w1, uint64_t w2,
		bool flush)
{
	uint64_t *q = (uint64_t *)(m->h.ram + CMDQ + m->cwriter);

	q[0] = w0;
	q[1] = w1;
	q[2] = w2;
	q[3] = 0;
	m->cwriter = (m->cwriter + 32) % CMDQ_SIZE;
	if (flush || m->cwriter % 0x10000 == 0)
		mmio64(m, ITS + 0x88, m->cwriter);
}

static int attr(struct vgic_device *d, uint32_t group, uint64_t a, uint64_t val)
{
	struct vgic_device_attr at = { .group = group, .attr = a,
				       .addr = (uint64_t)(uintptr_t)&val };
	return vgic_device_set_attr(d, &at);
}

static uint32_t lpi_of(uint32_t dev, uint32_t ev, uint32_t events)
{
	return 8192 + (uint32_t)(((uint64_t)dev * events + ev) % NR_LPIS);
}

static uint32_t bits_for(uint32_t events)
{
	uint32_t b = 1;

	while ((1u << b) < events)
		b++;
	return b;
}

/* Build a VM with @vcpus vCPUs and one ITS; returns the library bytes in
 * use before any mapping in *@base_bytes. */
static void vm_create(struct vm *m, uint32_t vcpus, uint64_t *base_bytes)
{
	struct vgic_alloc_ops al = { c_alloc, c_zalloc, c_free, &m->h };
	struct vgic_host_ops ops = { rd, wr, kick };
	struct vgic_config cfg = { .nr_vcpus = vcpus, .alloc = &al };
	struct vgic_device *gic, *its;
	int ret;

	memset(m->h.ram, 0, RAM_SIZE);
	if ((ret = vgic_create(&cfg, &ops, &m->h, &m->v)))
		die("create", ret);
	if ((ret = vgic_device_create(m->v, VGIC_DEV_TYPE_V3, &gic)))
		die("V3", ret);
	if ((ret = vgic_device_create(m->v, VGIC_DEV_TYPE_ITS, &its)))
		die("ITS", ret);
	if ((ret = attr(gic, VGIC_GRP_ADDR, VGIC_V3_ADDR_TYPE_DIST, GICD)) ||
	    (ret = attr(gic, VGIC_GRP_ADDR, VGIC_V3_ADDR_TYPE_REDIST_REGION,
			GICR | (uint64_t)vcpus << 52)) ||
	    (ret = attr(its, VGIC_GRP_ADDR, VGIC_ITS_ADDR_TYPE, ITS)))
		die("addresses", ret);
	{
		struct vgic_device_attr at = { .group = VGIC_GRP_CTRL,
					       .attr = VGIC_CTRL_INIT };
		if ((ret = vgic_device_set_attr(gic, &at)))
			die("init", ret);
	}
	mmio32(m, 0, GICD, 1u << 1 | 1u << 4);
	memset(m->h.ram + PROP, 0xa1, 0x10000); /* priority 0xa0, enabled */
	for (uint32_t c = 0; c < vcpus; c++) {
		uint64_t rdb = GICR + (uint64_t)c * 0x20000;
		uint64_t val = (RAM + PROP) | 0x780 | 15;
		vgic_mmio_write(m->v, c, rdb + 0x70, &val, 8);
		val = (RAM + PEND + (uint64_t)c * 0x10000) | 0x380;
		vgic_mmio_write(m->v, c, rdb + 0x78, &val, 8);
		mmio32(m, c, rdb, 1);
	}
	mmio64(m, ITS + 0x80, (1ull << 63) | (RAM + CMDQ) | 255);
	mmio64(m, ITS + 0x100, (1ull << 63) | (RAM + DT) | 7);
	mmio64(m, ITS + 0x108, (1ull << 63) | (RAM + CT));
	mmio32(m, 0, ITS, 1);
	m->cwriter = 0;
	*base_bytes = atomic_load(&m->h.live);
}

static void vm_map(struct vm *m, uint32_t vcpus, uint32_t devs,
		   uint32_t events)
{
	uint32_t bits = bits_for(events);

	for (uint32_t c = 0; c < vcpus; c++)
		cmd(m, 0x09, 0, 1ull << 63 | (uint64_t)c << 16 | c, false);
	for (uint32_t d = 0; d < devs; d++) {
		cmd(m, 0x08 | (uint64_t)d << 32, bits - 1,
		    1ull << 63 | (RAM + ITT), false);
		for (uint32_t e = 0; e < events; e++)
			cmd(m, 0x0a | (uint64_t)d << 32,
			    (uint64_t)lpi_of(d, e, events) << 32 | e,
			    d % vcpus, false);
	}
	cmd(m, 0x05, 0, 0, true); /* SYNC */
}

/* ---- measurement --------------------------------------------------------------- */

struct run {
	struct vgic *v;
	uint32_t devs, events, threads, id;
	const uint32_t *floor_map;      /* [devs * events] -> LPI index */
	_Atomic uint64_t *floor_bits;   /* LPI bitmap */
	bool floor;
	double seconds;
	_Atomic int *go;
	uint64_t done, bad;
};

static void *worker(void *arg)
{
	struct run *r = arg;
	uint64_t n = 0, bad = 0;
	uint32_t d = r->id, e = 0;
	double end;

	while (!atomic_load(r->go))
		;
	end = now() + r->seconds;
	if (d >= r->devs)
		d = 0;
	for (;;) {
		for (int i = 0; i < 4096; i++) {
			if (r->floor) {
				uint32_t l = r->floor_map[(size_t)d * r->events + e];
				atomic_fetch_or_explicit(&r->floor_bits[l / 64],
							 1ull << (l % 64),
							 memory_order_seq_cst);
			} else if (vgic_signal_msi(r->v, ITS + 0x10040, d, e) !=
				   1) {
				bad++;
			}
			n++;
			if (++e == r->events) {
				e = 0;
				d += r->threads;
				if (d >= r->devs)
					d = r->id % r->devs;
			}
		}
		if (now() >= end)
			break;
	}
	r->done = n;
	r->bad = bad;
	return NULL;
}

/* MSIs per second over @threads threads (floor loop or vgic_signal_msi). */
static double measure(struct vgic *v, uint32_t devs, uint32_t events,
		      uint32_t threads, bool floor, const uint32_t *map,
		      _Atomic uint64_t *bits, double secs, uint64_t *bad)
{
	pthread_t tid[MAX_THREADS];
	struct run r[MAX_THREADS];
	_Atomic int go = 0;
	uint64_t total = 0;
	double t0, t1;

	for (uint32_t i = 0; i < threads; i++) {
		r[i] = (struct run){ .v = v, .devs = devs, .events = events,
				     .threads = threads, .id = i,
				     .floor_map = map, .floor_bits = bits,
				     .floor = floor, .seconds = secs,
				     .go = &go };
		pthread_create(&tid[i], NULL, worker, &r[i]);
	}
	t0 = now();
	atomic_store(&go, 1);
	*bad = 0;
	for (uint32_t i = 0; i < threads; i++) {
		pthread_join(tid[i], NULL);
		total += r[i].done;
		*bad += r[i].bad;
	}
	t1 = now();
	return total / (t1 - t0);
}

struct result {
	uint32_t devs, events;
	uint64_t mapped;
	double rate, floor, ratio, bpe;
};

/* The library and the floor are measured in ROUNDS alternating slices;
 * each figure is the median over the slices (the ratio: the median of the
 * per-round ratios), so load from other processes that comes and goes
 * during the run hits both sides alike. */
#define ROUNDS 9

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *x, uint32_t n)
{
	qsort(x, n, sizeof(*x), cmp_double);
	return x[n / 2];
}

static struct result run_config(struct vm *m, uint32_t vcpus, uint32_t devs,
				uint32_t events, uint32_t threads, double secs)
{
	struct result res = { devs, events, (uint64_t)devs * events, 0, 0, 0, 0 };
	uint64_t base, bad, mapped = res.mapped;
	uint32_t *map = malloc(mapped * sizeof(*map));
	_Atomic uint64_t *bits = calloc(NR_LPIS / 64, sizeof(*bits));
	double t;

	if (!map || !bits)
		die("host memory", -ENOMEM);
	vm_create(m, vcpus, &base);
	t = now();
	vm_map(m, vcpus, devs, events);
	t = now() - t;
	res.bpe = (double)(atomic_load(&m->h.live) - base) / mapped;
	for (uint32_t d = 0; d < devs; d++)
		for (uint32_t e = 0; e < events; e++)
			map[(size_t)d * events + e] =
				lpi_of(d, e, events) - 8192;
	/* Warm up, then measure the library and the floor alternately. */
	measure(m->v, devs, events, threads, false, map, bits, secs / 4, &bad);
	if (bad)
		fprintf(stderr, "bench-msi: %llu MSIs not delivered!\n",
			(unsigned long long)bad);
	{
		double rate[ROUNDS], floor[ROUNDS], ratio[ROUNDS];

		for (uint32_t k = 0; k < ROUNDS; k++) {
			rate[k] = measure(m->v, devs, events, threads, false,
					  map, bits, secs / ROUNDS, &bad);
			floor[k] = measure(NULL, devs, events, threads, true,
					   map, bits, secs / ROUNDS, &bad);
			ratio[k] = floor[k] / rate[k];
		}
		res.rate = median(rate, ROUNDS);
		res.floor = median(floor, ROUNDS);
		res.ratio = median(ratio, ROUNDS);
	}
	fprintf(stderr, "  mapped %llu events in %.2f s\n",
		(unsigned long long)mapped, t);
	vgic_destroy(m->v);
	free(map);
	free((void *)(uintptr_t)bits);
	return res;
}

/* The redistributors and CPU interface exist (not stubbed) in this build. */
static bool have_gicv3(void)
{
	struct vgic_config cfg = { .nr_vcpus = 1 };
	struct vgic_host_ops ops = { rd, wr, kick };
	struct vgic_device *gic;
	struct vgic *v;
	uint64_t val = 0;
	bool ok;

	if (vgic_create(&cfg, &ops, NULL, &v))
		return false;
	ok = !vgic_device_create(v, VGIC_DEV_TYPE_V3, &gic) &&
	     !attr(gic, VGIC_GRP_ADDR, VGIC_V3_ADDR_TYPE_DIST, GICD) &&
	     vgic_sysreg_read(v, 0, VGIC_ICC_PMR_EL1, &val) == 0;
	vgic_destroy(v);
	return ok;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench-msi [-s] [-v vcpus] [-d devices -e events] "
		"[-t threads] [-T seconds] [-p plot.png]\n"
		"  without -d/-e: 1x1 up to 65536 devices x 32 events\n"
		"  -s: short mode (make check)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const uint32_t cfgs[][2] = {
		{ 1, 1 },     { 16, 16 },   { 64, 64 },    { 1024, 32 },
		{ 8192, 32 }, { 32768, 32 }, { 65536, 16 }, { 65536, 32 },
	};
	static const uint32_t short_cfgs[][2] = { { 1, 1 }, { 1024, 32 } };
	uint32_t vcpus = 4, devs = 0, events = 0, threads = 1;
	const char *plot = NULL; /* -p: nothing lands in the working tree */
	struct result res[16];
	double secs = 0.5;
	bool shortm = false;
	uint32_t n = 0;
	struct vm m;
	int opt;

	while ((opt = getopt(argc, argv, "sv:d:e:t:T:p:h")) != -1) {
		switch (opt) {
		case 's':
			shortm = true;
			secs = 0.05;
			plot = NULL;
			break;
		case 'v':
			vcpus = (uint32_t)atoi(optarg);
			break;
		case 'd':
			devs = (uint32_t)atoi(optarg);
			break;
		case 'e':
			events = (uint32_t)atoi(optarg);
			break;
		case 't':
			threads = (uint32_t)atoi(optarg);
			break;
		case 'T':
			secs = atof(optarg);
			break;
		case 'p':
			plot = optarg;
			break;
		default:
			usage();
		}
	}
	if (!vcpus || vcpus > 128 || threads < 1 || threads > MAX_THREADS ||
	    devs > 65536 || events > 65536 || (!devs != !events) ||
	    (uint64_t)devs * events > (1u << 22))
		usage();
	memset(&m, 0, sizeof(m));
	m.h.ram = calloc(1, RAM_SIZE);
	if (!m.h.ram)
		die("host memory", -ENOMEM);
	if (!have_gicv3()) {
		printf("{\"bench\":\"msi\",\"skipped\":\"no GICv3 front end "
		       "in this build\"}\n");
		free(m.h.ram);
		return 0;
	}
	if (devs) {
		res[n++] = run_config(&m, vcpus, devs, events, threads, secs);
	} else {
		uint32_t nc = shortm ? 2 : (uint32_t)(sizeof(cfgs) / sizeof(cfgs[0]));
		for (uint32_t i = 0; i < nc; i++) {
			const uint32_t *c = shortm ? short_cfgs[i] : cfgs[i];
			res[n++] = run_config(&m, vcpus, c[0], c[1], threads,
					      secs);
		}
	}
	for (uint32_t i = 0; i < n; i++)
		printf("{\"bench\":\"msi\",\"vcpus\":%u,\"devices\":%u,"
		       "\"events\":%u,\"threads\":%u,\"mapped_events\":%llu,"
		       "\"msis_per_s\":%.0f,\"msis_per_s_per_thread\":%.0f,"
		       "\"floor_per_s\":%.0f,\"ratio_to_floor\":%.2f,"
		       "\"slowdown_vs_first\":%.2f,\"bytes_per_event\":%.2f}\n",
		       vcpus, res[i].devs, res[i].events, threads,
		       (unsigned long long)res[i].mapped, res[i].rate,
		       res[i].rate / threads, res[i].floor, res[i].ratio,
		       res[0].rate / res[i].rate,
		       res[i].bpe);
	fflush(stdout);
	if (plot && n > 1) {
		char dat[] = "/tmp/bench-msi-XXXXXX";
		int fd = mkstemp(dat);
		FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
		FILE *g;

		if (!f)
			return 0;
		for (uint32_t i = 0; i < n; i++)
			fprintf(f, "%llu %.0f %.0f\n",
				(unsigned long long)res[i].mapped, res[i].rate,
				res[i].floor);
		fclose(f);
		g = popen("gnuplot 2>/dev/null", "w");
		if (g) {
			fprintf(g,
				"set terminal png size 900,560 noenhanced\n"
				"set output '%s'\n"
				"set logscale x\nset xlabel 'mapped events'\n"
				"set ylabel 'MSIs/s (%u thread%s)'\n"
				"set yrange [0:*]\nset key bottom left\n"
				"set title 'libvgic vgic_signal_msi vs floor "
				"(array lookup + atomic bit set)'\n"
				"plot '%s' using 1:2 with linespoints title "
				"'vgic_signal_msi', '%s' using 1:3 with "
				"linespoints title 'floor'\n",
				plot, threads, threads > 1 ? "s" : "", dat,
				dat);
			if (pclose(g) == 0)
				fprintf(stderr, "bench-msi: plot in %s\n", plot);
		}
		remove(dat);
	}
	free(m.h.ram);
	return 0;
}

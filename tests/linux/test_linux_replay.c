/*
 * Linux ITS driver replay: GICv3 distributor, redistributors and ITS driven
 * by the programming a real Linux 6.1 kernel did under QEMU 7.2 (recorded by
 * tests/linux/capture.sh into tests/linux/fixture.txt).
 *
 * Every GICD/GICR/GITS register write of the guest is replayed through
 * vgic_mmio_write(), every ITS command is re-encoded into the command queue
 * where Linux put it, and every MSI is signalled with its DeviceID.  After
 * each MSI the test checks that the LPI is pending on exactly the vCPU QEMU
 * delivered it to, with the same INTID (ICC_IAR1_EL1 on each vCPU), then
 * EOIs it.  Half-way through, the GIC is saved with vgic_snapshot_save(),
 * restored into a fresh instance sharing guest RAM, and the rest of the
 * trace is replayed there with the same expectations.
 *
 * Plain RAM the trace cannot show is synthesised (see fixture docs): the LPI
 * configuration table holds Linux's default byte 0xa3 (priority 0xa0,
 * Group 1, enabled) for every LPI, and level-1 entries of a two-level
 * device table point at zeroed pages outside Linux's RAM.  The guest's own
 * ICC_* writes are not replayed: each vCPU's CPU interface is set to
 * PMR 0xff, Group 1 enabled, EOImode 0.
 *
 * Exit 77 (skipped) while the library has no ITS.  With --perturb one
 * expected delivery is moved to another vCPU: the replay must then fail.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <vgic/vgic.h>

#define GICD_BASE 0x08000000ull
#define ITS_BASE 0x08080000ull
#define GICR_BASE 0x080a0000ull
#define RAM_BASE 0x40000000ull
#define RAM_SIZE (0x40000000ull + 0x200000ull) /* 1 GiB + synthesised pages */
#define SYNTH_BASE 0x80000000ull
#define NR_IRQS 256 /* QEMU virt: GICD_TYPER.ITLinesNumber = 7 */
#define MAX_VCPUS 8
#define LPI_PROP_DEFAULT 0xa3

struct ev {
	char kind;
	uint64_t a[5];
	int line;
	bool undelivered; /* 'm' with '-' */
};

struct replay {
	uint8_t *ram;
	struct ev *evs;
	size_t nr_evs;
	uint32_t smp;
	struct vgic *v;
	uint64_t synth_next;
	unsigned msis, checked;
	int failures;
};

static int ram_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	struct replay *r = opaque;

	if (gpa < RAM_BASE || len > RAM_SIZE || gpa - RAM_BASE > RAM_SIZE - len)
		return -EFAULT;
	memcpy(buf, r->ram + (gpa - RAM_BASE), len);
	return 0;
}

static int ram_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	struct replay *r = opaque;

	if (gpa < RAM_BASE || len > RAM_SIZE || gpa - RAM_BASE > RAM_SIZE - len)
		return -EFAULT;
	memcpy(r->ram + (gpa - RAM_BASE), buf, len);
	return 0;
}

static const struct vgic_host_ops ops = { ram_read, ram_write, NULL };

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void fail(struct replay *r, const struct ev *e, const char *fmt, ...);
static void fail(struct replay *r, const struct ev *e, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fixture line %d (%c): ", e ? e->line : 0,
		e ? e->kind : '?');
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	r->failures++;
}

static int load_fixture(struct replay *r, const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[256];
	size_t cap = 0;
	int line = 0;

	if (!f) {
		perror(path);
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		struct ev e = { 0 };
		char k;
		char s[5][24] = { { 0 } };
		int n;

		line++;
		if (buf[0] == '#' || buf[0] == '\n')
			continue;
		n = sscanf(buf, "%c %23s %23s %23s %23s %23s", &k, s[0], s[1],
			   s[2], s[3], s[4]);
		if (n < 2) {
			fprintf(stderr, "%s:%d: bad line\n", path, line);
			fclose(f);
			return -1;
		}
		if (buf[0] == 's') { /* "smp N" */
			sscanf(buf, "smp %x", &r->smp);
			continue;
		}
		e.kind = k;
		e.line = line;
		for (int i = 0; i < n - 1; i++) {
			if (s[i][0] == '-')
				e.undelivered = true;
			else
				e.a[i] = strtoull(s[i], NULL, 16);
		}
		if (r->nr_evs == cap) {
			cap = cap ? cap * 2 : 1024;
			r->evs = realloc(r->evs, cap * sizeof(*r->evs));
			if (!r->evs) {
				fclose(f);
				return -1;
			}
		}
		r->evs[r->nr_evs++] = e;
	}
	fclose(f);
	if (!r->smp || r->smp > MAX_VCPUS) {
		fprintf(stderr, "%s: bad smp line\n", path);
		return -1;
	}
	return 0;
}

static int set_attr(struct vgic_device *d, uint32_t grp, uint64_t attr,
		    void *val)
{
	struct vgic_device_attr a = { 0, grp, attr, (uint64_t)(uintptr_t)val };

	return vgic_device_set_attr(d, &a);
}

/* A fresh VM like QEMU virt's: GICv3 + one ITS, @smp vCPUs.  Returns NULL
 * (and *err) when the library cannot build one yet. */
static struct vgic *new_vm(struct replay *r, int *err)
{
	struct vgic_config cfg = { .nr_vcpus = r->smp };
	struct vgic_device *gic, *its;
	struct vgic *v;
	uint64_t addr;
	uint32_t nirqs = NR_IRQS;

	*err = vgic_create(&cfg, &ops, r, &v);
	if (*err)
		return NULL;
	if ((*err = vgic_device_create(v, VGIC_DEV_TYPE_V3, &gic)) ||
	    (*err = vgic_device_create(v, VGIC_DEV_TYPE_ITS, &its)))
		goto out;
	addr = GICD_BASE;
	if ((*err = set_attr(gic, VGIC_GRP_ADDR, VGIC_V3_ADDR_TYPE_DIST, &addr)))
		goto out;
	addr = GICR_BASE |
	       (uint64_t)r->smp << VGIC_REDIST_REGION_COUNT_SHIFT;
	if ((*err = set_attr(gic, VGIC_GRP_ADDR,
			     VGIC_V3_ADDR_TYPE_REDIST_REGION, &addr)))
		goto out;
	addr = ITS_BASE;
	if ((*err = set_attr(its, VGIC_GRP_ADDR, VGIC_ITS_ADDR_TYPE, &addr)) ||
	    (*err = set_attr(gic, VGIC_GRP_NR_IRQS, 0, &nirqs)) ||
	    (*err = set_attr(gic, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL)))
		goto out;
	return v;
out:
	vgic_destroy(v);
	return NULL;
}

static uint64_t rd64(struct vgic *v, uint64_t gpa)
{
	uint64_t val = 0;

	vgic_mmio_read(v, 0, gpa, &val, 8);
	return val;
}

static void wr(struct replay *r, const struct ev *e, uint64_t gpa,
	       uint64_t val, uint32_t len)
{
	int ret = vgic_mmio_write(r->v, 0, gpa, &val, len);

	if (ret)
		fail(r, e, "write 0x%llx: %s", (unsigned long long)gpa,
		     vgic_strerror(ret));
}

/* The LPI configuration table is plain guest RAM Linux fills before any
 * INV; give every LPI Linux's default configuration. */
static void fill_propbase(struct replay *r, uint64_t val)
{
	uint64_t pa = val & 0x000ffffffffff000ull;
	unsigned idbits = (val & 0x1f) + 1;
	uint64_t size;

	if (idbits > 16)
		idbits = 16;
	if (idbits < 14)
		return;
	size = (1ull << idbits) - 8192;
	if (pa >= RAM_BASE && pa - RAM_BASE + size <= RAM_SIZE)
		memset(r->ram + (pa - RAM_BASE), LPI_PROP_DEFAULT, size);
}

/* Before a MAPD with V=1: with a two-level device table, make the level-1
 * entry covering the DeviceID valid, as Linux does in RAM. */
static void ensure_l1(struct replay *r, uint32_t devid)
{
	for (int n = 0; n < 8; n++) {
		uint64_t b = rd64(r->v, ITS_BASE + 0x100 + 8 * n);
		uint64_t psz, esz, base, l1, ent;

		if (((b >> 56) & 7) != 1 || !(b >> 63) || !(b & (1ull << 62)))
			continue;
		psz = ((b >> 8) & 3) == 0 ? 0x1000 :
		      ((b >> 8) & 3) == 1 ? 0x4000 : 0x10000;
		esz = ((b >> 48) & 0x1f) + 1;
		base = b & 0x0000fffffffff000ull & ~(psz - 1);
		l1 = base + devid / (psz / esz) * 8;
		if (ram_read(r, l1, &ent, 8) || ent >> 63)
			return;
		ent = 1ull << 63 | r->synth_next;
		r->synth_next += psz;
		ram_write(r, l1, &ent, 8);
		return;
	}
}

static void cpuif_setup(struct replay *r)
{
	for (uint32_t c = 0; c < r->smp; c++) {
		vgic_sysreg_write(r->v, c, VGIC_ICC_SRE_EL1, 7);
		vgic_sysreg_write(r->v, c, VGIC_ICC_PMR_EL1, 0xff);
		vgic_sysreg_write(r->v, c, VGIC_ICC_BPR1_EL1, 0);
		vgic_sysreg_write(r->v, c, VGIC_ICC_CTLR_EL1, 0);
		vgic_sysreg_write(r->v, c, VGIC_ICC_IGRPEN1_EL1, 1);
	}
}

static void check_msi(struct replay *r, const struct ev *e)
{
	uint32_t dev = (uint32_t)e->a[0], event = (uint32_t)e->a[1];
	int ret = vgic_signal_msi(r->v, ITS_BASE + 0x10040, dev, event);

	r->msis++;
	if (e->undelivered) {
		if (ret != 0)
			fail(r, e, "MSI %x/%x: QEMU dropped it, libvgic says %d",
			     dev, event, ret);
		return;
	}
	if (ret != 1) {
		fail(r, e, "MSI %x/%x: not delivered (%d %s)", dev, event, ret,
		     ret < 0 ? vgic_strerror(ret) : "");
		return;
	}
	for (uint32_t c = 0; c < r->smp; c++) {
		uint64_t iar = 1023;
		uint64_t want = c == e->a[2] ? e->a[3] : 1023;

		vgic_sysreg_read(r->v, c, VGIC_ICC_IAR1_EL1, &iar);
		if (iar != want)
			fail(r, e, "MSI %x/%x: vCPU %u IAR1 %llu, QEMU: %llu",
			     dev, event, c, (unsigned long long)iar,
			     (unsigned long long)want);
		if (iar != 1023)
			vgic_sysreg_write(r->v, c, VGIC_ICC_EOIR1_EL1, iar);
	}
	r->checked++;
}

static void replay_one(struct replay *r, const struct ev *e)
{
	uint64_t cbase;

	switch (e->kind) {
	case 'd':
		wr(r, e, GICD_BASE + e->a[0], e->a[1], (uint32_t)e->a[2]);
		break;
	case 'r':
		if (e->a[0] >= r->smp) {
			fail(r, e, "redistributor %llu", (unsigned long long)e->a[0]);
			break;
		}
		if (e->a[1] == 0x70)
			fill_propbase(r, e->a[2]);
		wr(r, e, GICR_BASE + e->a[0] * 0x20000 + e->a[1], e->a[2],
		   (uint32_t)e->a[3]);
		break;
	case 'i':
		wr(r, e, ITS_BASE + e->a[0], e->a[1], (uint32_t)e->a[2]);
		break;
	case 'c':
		cbase = rd64(r->v, ITS_BASE + 0x80) & 0x000ffffffffff000ull;
		if ((e->a[1] & 0xff) == 0x08 && e->a[3] >> 63)
			ensure_l1(r, (uint32_t)(e->a[1] >> 32));
		for (int i = 0; i < 4; i++)
			ram_write(r, cbase + e->a[0] * 32 + i * 8, &e->a[1 + i], 8);
		break;
	case 'w': {
		uint64_t creadr;

		wr(r, e, ITS_BASE + 0x88, e->a[0], (uint32_t)e->a[1]);
		creadr = rd64(r->v, ITS_BASE + 0x90);
		if (creadr != e->a[0])
			fail(r, e, "CREADR 0x%llx after CWRITER 0x%llx",
			     (unsigned long long)creadr,
			     (unsigned long long)e->a[0]);
		break;
	}
	case 'm':
		check_msi(r, e);
		break;
	default:
		fail(r, e, "unknown event");
	}
}

/* Save the whole GIC, restore it into a fresh instance, continue there. */
static int save_restore(struct replay *r)
{
	size_t len = 0;
	void *buf;
	struct vgic *v2;
	int ret, err;

	ret = vgic_snapshot_save(r->v, NULL, 0, &len);
	if (ret != -ENOSPC || !len) {
		fprintf(stderr, "snapshot size: %s\n", vgic_strerror(ret));
		return -1;
	}
	buf = malloc(len);
	if (!buf)
		return -1;
	ret = vgic_snapshot_save(r->v, buf, len, &len);
	if (ret) {
		fprintf(stderr, "snapshot save: %s\n", vgic_strerror(ret));
		free(buf);
		return -1;
	}
	{
		struct vgic_config cfg = { .nr_vcpus = r->smp };

		err = vgic_create(&cfg, &ops, r, &v2);
	}
	if (err) {
		free(buf);
		return -1;
	}
	ret = vgic_snapshot_restore(v2, buf, len);
	free(buf);
	if (ret) {
		fprintf(stderr, "snapshot restore: %s (%s)\n",
			vgic_strerror(ret), vgic_last_error(v2));
		vgic_destroy(v2);
		return -1;
	}
	vgic_destroy(r->v);
	r->v = v2;
	printf("saved %zu bytes, restored into a fresh instance\n", len);
	return 0;
}

int main(int argc, char **argv)
{
	bool perturb = argc > 1 && !strcmp(argv[1], "--perturb");
	const char *path = argc > 1 + perturb ? argv[1 + perturb] : FIXTURE_PATH;
	struct replay r = { .synth_next = SYNTH_BASE };
	size_t half = 0, nmsi = 0, seen = 0;
	int err;

	if (load_fixture(&r, path))
		return 1;
	/* --perturb (self-test): expect the last delivered MSI on another
	 * vCPU, so the replay must fail. */
	for (size_t i = r.nr_evs; perturb && i-- > 0;) {
		if (r.evs[i].kind == 'm' && !r.evs[i].undelivered) {
			r.evs[i].a[2] = (r.evs[i].a[2] + 1) % r.smp;
			break;
		}
	}
	r.ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r.ram == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	r.v = new_vm(&r, &err);
	if (!r.v) {
		printf("SKIP: libvgic cannot build GICv3 + ITS yet (%s)\n",
		       vgic_strerror(err));
		return 77;
	}
	for (uint32_t c = 0; c < r.smp; c++) {
		vgic_vcpu_set_running(r.v, c, true);
		vgic_vcpu_set_running(r.v, c, false);
	}
	cpuif_setup(&r);
	for (size_t i = 0; i < r.nr_evs; i++)
		nmsi += r.evs[i].kind == 'm';
	for (size_t i = 0; i < r.nr_evs; i++) {
		if (r.evs[i].kind == 'm' && ++seen == nmsi / 2 + 1 && !half) {
			half = i;
			if (save_restore(&r)) {
				r.failures++;
				break;
			}
		}
		replay_one(&r, &r.evs[i]);
		if (r.failures > 20)
			break;
	}
	printf("%zu events, %u MSIs (%u checked against QEMU's delivery), "
	       "snapshot at event %zu, %d failures\n",
	       r.nr_evs, r.msis, r.checked, half, r.failures);
	vgic_destroy(r.v);
	munmap(r.ram, RAM_SIZE);
	free(r.evs);
	return r.failures ? 1 : 0;
}

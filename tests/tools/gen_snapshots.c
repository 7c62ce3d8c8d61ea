/*
 * Writes whole-GIC snapshots for the `vgic snapshot` tests, made by the
 * library through its public API:
 *
 *   a.snap       2 vCPUs (MPIDRs 0.0.0.0 and 0.0.1.0), 1 ITS, NR_IRQS 128:
 *                SPI 40 enabled, edge, priority 0xa0, routed to vCPU 1 and
 *                pending; PPI 27 enabled and active on vCPU 0; PMR 0xf0
 *   b.snap       the same VM after SPI 40 was acknowledged on vCPU 1 and
 *                SPI 41 enabled
 *   bad.snap     a.snap with one payload byte flipped and the trailer cut
 *   v2.snap      GICv2, 2 CPUs: SPI 33 enabled, priority 0x40, targeting
 *                CPU 1 and pending; SGI 3 pending on CPU 0 from CPU 1; CPU 0
 *                PMR 0xf8
 *
 * Exits 0, or 77 (ctest SKIP) when the library cannot yet produce them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vgic/vgic.h>

#define GICD 0x08000000ull
#define GICR 0x080a0000ull
#define ITS 0x08080000ull

static int guest_read(void *o, uint64_t gpa, void *buf, size_t len)
{
	(void)o;
	(void)gpa;
	memset(buf, 0, len);
	return 0;
}

static int guest_write(void *o, uint64_t gpa, const void *buf, size_t len)
{
	(void)o;
	(void)gpa;
	(void)buf;
	(void)len;
	return 0;
}

static const struct vgic_host_ops ops = { guest_read, guest_write, NULL };

static int attr(struct vgic_device *d, uint32_t group, uint64_t a, void *val)
{
	struct vgic_device_attr at = { .group = group, .attr = a,
				       .addr = (uint64_t)(uintptr_t)val };
	return vgic_device_set_attr(d, &at);
}

#define CHECK(x)                                                              \
	do {                                                                  \
		int r_ = (x);                                                 \
		if (r_ < 0) {                                                 \
			fprintf(stderr, "%s: %s\n", #x, vgic_strerror(r_));   \
			exit(77);                                             \
		}                                                             \
	} while (0)

static void w32(struct vgic *v, uint32_t cpu, uint64_t gpa, uint32_t val)
{
	CHECK(vgic_mmio_write(v, cpu, gpa, &val, 4));
}

static void save(struct vgic *v, const char *dir, const char *name,
		 int corrupt)
{
	char path[4096];
	size_t len = 0;
	uint8_t *buf;
	FILE *f;

	if (vgic_snapshot_save(v, NULL, 0, &len) != -ENOSPC || !len)
		exit(77);
	buf = malloc(len);
	if (!buf)
		exit(2);
	CHECK(vgic_snapshot_save(v, buf, len, &len));
	if (corrupt) {
		buf[len / 2] ^= 0x40;
		len -= 2;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(2);
	}
	free(buf);
}

#define V2_GICD 0x08000000ull
#define V2_GICC 0x08010000ull

static void make_v2(const char *dir)
{
	struct vgic_config cfg = { .nr_vcpus = 2 };
	struct vgic_device *gic;
	struct vgic *v;
	uint64_t a;
	uint32_t nr = 64;

	CHECK(vgic_create(&cfg, &ops, NULL, &v));
	CHECK(vgic_device_create(v, VGIC_DEV_TYPE_V2, &gic));
	a = V2_GICD;
	CHECK(attr(gic, VGIC_GRP_ADDR, VGIC_V2_ADDR_TYPE_DIST, &a));
	a = V2_GICC;
	CHECK(attr(gic, VGIC_GRP_ADDR, VGIC_V2_ADDR_TYPE_CPU, &a));
	CHECK(attr(gic, VGIC_GRP_NR_IRQS, 0, &nr));
	CHECK(attr(gic, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL));
	w32(v, 0, V2_GICD + 0x0, 1);                /* GICD_CTLR enable */
	w32(v, 0, V2_GICD + 0x400 + 32, 0x40);      /* IPRIORITYR8: SPI 32 */
	w32(v, 0, V2_GICD + 0x400 + 33 - 1, 0x4000); /* SPI 33 prio 0x40 */
	w32(v, 0, V2_GICD + 0x800 + 32, 0x0200);    /* ITARGETSR: 33 -> CPU1 */
	w32(v, 0, V2_GICD + 0x100 + 4, 1u << 1);    /* enable 33 */
	w32(v, 0, V2_GICD + 0x200 + 4, 1u << 1);    /* pend 33 */
	w32(v, 1, V2_GICD + 0xf00, 1u << 16 | 3);   /* CPU1: SGI 3 -> CPU0 */
	w32(v, 0, V2_GICC + 0x4, 0xf8);             /* CPU0 PMR */
	w32(v, 0, V2_GICC + 0x0, 1);                /* CPU0 enable */
	save(v, dir, "v2.snap", 0);
	vgic_destroy(v);
}

int main(int argc, char **argv)
{
	uint64_t mpidr[2] = { 0x0, 0x100 };
	struct vgic_config cfg = { .nr_vcpus = 2, .mpidr = mpidr };
	struct vgic_device *gic, *its;
	struct vgic *v;
	uint64_t a, val;
	uint32_t nr = 128;

	if (argc != 2)
		return 2;
	CHECK(vgic_create(&cfg, &ops, NULL, &v));
	CHECK(vgic_device_create(v, VGIC_DEV_TYPE_V3, &gic));
	a = GICD;
	CHECK(attr(gic, VGIC_GRP_ADDR, VGIC_V3_ADDR_TYPE_DIST, &a));
	a = GICR | 2ull << 52;
	CHECK(attr(gic, VGIC_GRP_ADDR, VGIC_V3_ADDR_TYPE_REDIST_REGION, &a));
	CHECK(vgic_device_create(v, VGIC_DEV_TYPE_ITS, &its));
	a = ITS;
	CHECK(attr(its, VGIC_GRP_ADDR, VGIC_ITS_ADDR_TYPE, &a));
	CHECK(attr(gic, VGIC_GRP_NR_IRQS, 0, &nr));
	CHECK(attr(gic, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL));

	/* Guest programming. */
	w32(v, 0, GICD + 0x0, 0x12);                 /* ARE, EnableGrp1 */
	w32(v, 0, GICD + 0x80 + 4, ~0u);             /* SPIs group 1 */
	w32(v, 0, GICD + 0x400 + 40, 0xa0);          /* IPRIORITYR10 */
	w32(v, 0, GICD + 0xc00 + 8, 0x2u << 16);     /* SPI 40 edge */
	w32(v, 0, GICD + 0x6000 + 40 * 8, 0x100);    /* route to 0.0.1.0 */
	w32(v, 0, GICD + 0x100 + 4, 1u << 8);        /* enable 40 */
	w32(v, 0, GICD + 0x200 + 4, 1u << 8);        /* pend 40 */
	for (uint32_t c = 0; c < 2; c++) {
		CHECK(vgic_sysreg_write(v, c, VGIC_ICC_PMR_EL1, 0xf0));
		CHECK(vgic_sysreg_write(v, c, VGIC_ICC_IGRPEN1_EL1, 1));
		w32(v, c, GICR + c * 0x20000 + 0x10080, ~0u);
	}
	w32(v, 0, GICR + 0x10100, 1u << 27);         /* enable PPI 27 */
	w32(v, 0, GICR + 0x10300, 1u << 27);         /* active PPI 27 */
	save(v, argv[1], "a.snap", 0);
	save(v, argv[1], "bad.snap", 1);

	CHECK(vgic_sysreg_read(v, 1, VGIC_ICC_IAR1_EL1, &val));
	if (val != 40) {
		fprintf(stderr, "IAR1 = %llu, expected 40\n",
			(unsigned long long)val);
		return 77;
	}
	w32(v, 0, GICD + 0x100 + 4, 1u << 9);        /* enable 41 */
	save(v, argv[1], "b.snap", 0);
	vgic_destroy(v);
	make_v2(argv[1]);
	return 0;
}

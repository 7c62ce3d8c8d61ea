/*
 * bench-cpuif - cost of the GICv3 interrupt paths through the public API:
 * an SPI round trip (line up, ICC_IAR1, line down, ICC_EOIR1), an IPI round
 * trip (ICC_SGI1R on one vCPU, IAR1/EOIR1 on another) and a guest register
 * read (GICD_ISENABLER), for 1, 8 and 64 vCPUs and 64 or 992 INTIDs.
 * The engine scans the vCPU's interrupts to find the highest pending one,
 * so the 992/64 ratio printed is the cost of that scan.  Numbers are
 * printed, never asserted; CPU time of the thread, so that a loaded
 * machine does not distort them.  -s: short run.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <vgic/vgic.h>

static int ram_r(void *o, uint64_t gpa, void *buf, size_t len)
{
	(void)o, (void)gpa, (void)buf, (void)len;
	return -EFAULT;
}

static int ram_w(void *o, uint64_t gpa, const void *buf, size_t len)
{
	(void)o, (void)gpa, (void)buf, (void)len;
	return -EFAULT;
}

static const struct vgic_host_ops ops = { ram_r, ram_w, NULL };

#define GICD 0x08000000ull
#define GICR 0x080a0000ull

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static struct vgic *vm(uint32_t n, uint32_t nr_irqs)
{
	struct vgic_config cfg = { .nr_vcpus = n };
	struct vgic_device *d;
	struct vgic_device_attr a = { 0 };
	struct vgic *v;
	uint64_t addr;
	uint32_t val;

	if (vgic_create(&cfg, &ops, NULL, &v) ||
	    vgic_device_create(v, VGIC_DEV_TYPE_V3, &d))
		return NULL;
	a.group = VGIC_GRP_ADDR;
	a.attr = VGIC_V3_ADDR_TYPE_DIST;
	addr = GICD;
	a.addr = (uint64_t)(uintptr_t)&addr;
	vgic_device_set_attr(d, &a);
	a.attr = VGIC_V3_ADDR_TYPE_REDIST_REGION;
	addr = GICR | (uint64_t)n << VGIC_REDIST_REGION_COUNT_SHIFT;
	vgic_device_set_attr(d, &a);
	a.group = VGIC_GRP_NR_IRQS;
	a.attr = 0;
	a.addr = (uint64_t)(uintptr_t)&nr_irqs;
	vgic_device_set_attr(d, &a);
	a.group = VGIC_GRP_CTRL;
	a.attr = VGIC_CTRL_INIT;
	a.addr = 0;
	if (vgic_device_set_attr(d, &a))
		return NULL;
	val = 2;
	vgic_mmio_write(v, 0, GICD, &val, 4);
	for (uint32_t i = 0; i < n; i++) {
		vgic_sysreg_write(v, i, VGIC_ICC_PMR_EL1, 0xff);
		vgic_sysreg_write(v, i, VGIC_ICC_IGRPEN1_EL1, 1);
		vgic_vcpu_set_running(v, i, true);
	}
	/* Enable every SPI; the measured one is the last. */
	val = 0xffffffff;
	for (uint32_t w = 1; w < nr_irqs / 32; w++)
		vgic_mmio_write(v, 0, GICD + 0x100 + 4 * w, &val, 4);
	return v;
}

static double spi_rt(struct vgic *v, uint32_t intid, unsigned n)
{
	uint64_t id;
	double t = now();

	for (unsigned i = 0; i < n; i++) {
		vgic_irq_line(v, 0, intid, true);
		vgic_sysreg_read(v, 0, VGIC_ICC_IAR1_EL1, &id);
		vgic_irq_line(v, 0, intid, false);
		vgic_sysreg_write(v, 0, VGIC_ICC_EOIR1_EL1, id);
	}
	return (now() - t) / n;
}

static double ipi_rt(struct vgic *v, uint32_t nv, unsigned n)
{
	uint64_t id;
	uint32_t dst = nv - 1;
	uint64_t sgi = (1ull << (dst % 16)) | (uint64_t)(dst / 16) << 16 |
		       1ull << 24;
	double t = now();

	for (unsigned i = 0; i < n; i++) {
		vgic_sysreg_write(v, 0, VGIC_ICC_SGI1R_EL1, sgi);
		vgic_sysreg_read(v, dst, VGIC_ICC_IAR1_EL1, &id);
		vgic_sysreg_write(v, dst, VGIC_ICC_EOIR1_EL1, id);
	}
	return (now() - t) / n;
}

static double mmio_rd(struct vgic *v, unsigned n)
{
	uint32_t val;
	double t = now();

	for (unsigned i = 0; i < n; i++)
		vgic_mmio_read(v, 0, GICD + 0x104, &val, 4);
	return (now() - t) / n;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 && !strcmp(argv[1], "-s") ? 20000 : 200000;
	static const uint32_t cpus[] = { 1, 8, 64 };

	printf("bench-cpuif: CPU ns per operation (%u iterations)\n", n);
	printf("%6s %6s %10s %10s %10s\n", "vCPUs", "INTIDs", "SPI rt",
	       "IPI rt", "MMIO rd");
	for (unsigned c = 0; c < 3; c++) {
		double r[2][3];

		for (int k = 0; k < 2; k++) {
			uint32_t irqs = k ? 992 : 64;
			struct vgic *v = vm(cpus[c], irqs);

			if (!v) {
				fprintf(stderr, "setup failed\n");
				return 1;
			}
			r[k][0] = spi_rt(v, irqs - 1, n);
			r[k][1] = ipi_rt(v, cpus[c], n);
			r[k][2] = mmio_rd(v, n);
			printf("%6u %6u %10.0f %10.0f %10.0f\n", cpus[c], irqs,
			       r[k][0], r[k][1], r[k][2]);
			vgic_destroy(v);
		}
		printf("%13s %10.2f %10.2f %10.2f  (992/64)\n", "ratio",
		       r[1][0] / r[0][0], r[1][1] / r[0][1], r[1][2] / r[0][2]);
	}
	return 0;
}

/*
 * vgic-demo - plays a small guest OS against libvgic's GICv3, using only
 * the public API:
 *
 *  1. builds a 4-vCPU VM (two clusters of two) with a distributor and one
 *     redistributor region, exactly as a VMM would with KVM;
 *  2. the "guest" enables the distributor and each CPU interface, routes
 *     SPIs 40..47 across the vCPUs with GICD_IROUTER, gives them
 *     priorities, and sends SGIs between vCPUs with ICC_SGI1R_EL1;
 *  3. devices raise the SPIs; each vCPU acknowledges (ICC_IAR1_EL1) and
 *     completes (ICC_EOIR1_EL1) what it is given;
 *  4. mid-way, with interrupts pending and one nested pair active, the
 *     whole GIC is saved through KVM_GET_DEVICE_ATTR-style calls and
 *     restored into a fresh instance;
 *  5. the rest of the script runs on both the original and the restored
 *     GIC and the demo shows that delivery continues identically.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vgic/vgic.h>

#define NR_CPUS 4
#define NR_IRQS 64
#define GICD_BASE 0x08000000ull
#define GICR_BASE 0x080a0000ull
#define GICR(cpu, off) (GICR_BASE + (uint64_t)(cpu) * 0x20000 + (off))

static const uint64_t mpidr[NR_CPUS] = { 0x000, 0x001, 0x100, 0x101 };

static void die(const char *what, int err)
{
	fprintf(stderr, "vgic-demo: %s: %s\n", what, vgic_strerror(err));
	exit(1);
}

static void check(const char *what, int err)
{
	if (err)
		die(what, err);
}

static int no_ram(void *o, uint64_t gpa, void *buf, size_t len)
{
	(void)o, (void)gpa, (void)buf, (void)len;
	return -EFAULT;
}

static int no_ram_w(void *o, uint64_t gpa, const void *buf, size_t len)
{
	(void)o, (void)gpa, (void)buf, (void)len;
	return -EFAULT;
}

static unsigned kicks;
static void kick(void *o, uint32_t vcpu)
{
	(void)o, (void)vcpu;
	kicks++;
}

static const struct vgic_host_ops ops = { no_ram, no_ram_w, kick };

struct gic {
	struct vgic *v;
	struct vgic_device *dev;
};

static int attr(struct gic *g, int set, uint32_t group, uint64_t a, void *val)
{
	struct vgic_device_attr da = { 0, group, a, (uint64_t)(uintptr_t)val };

	return set ? vgic_device_set_attr(g->dev, &da) :
		     vgic_device_get_attr(g->dev, &da);
}

/* The VMM part: create, place frames, NR_IRQS, INIT. */
static struct gic gic_new(void)
{
	struct vgic_config cfg = { .nr_vcpus = NR_CPUS, .mpidr = mpidr };
	struct gic g;
	uint64_t addr;
	uint32_t n = NR_IRQS;

	check("create", vgic_create(&cfg, &ops, NULL, &g.v));
	check("V3 device", vgic_device_create(g.v, VGIC_DEV_TYPE_V3, &g.dev));
	addr = GICD_BASE;
	check("dist", attr(&g, 1, VGIC_GRP_ADDR, VGIC_V3_ADDR_TYPE_DIST, &addr));
	addr = GICR_BASE | (uint64_t)NR_CPUS << VGIC_REDIST_REGION_COUNT_SHIFT;
	check("redist", attr(&g, 1, VGIC_GRP_ADDR,
			     VGIC_V3_ADDR_TYPE_REDIST_REGION, &addr));
	check("nr_irqs", attr(&g, 1, VGIC_GRP_NR_IRQS, 0, &n));
	check("init", attr(&g, 1, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL));
	return g;
}

static void mmio_w32(struct gic *g, uint32_t cpu, uint64_t gpa, uint32_t val)
{
	check("mmio write", vgic_mmio_write(g->v, cpu, gpa, &val, 4));
}

static void mmio_w64(struct gic *g, uint64_t gpa, uint64_t val)
{
	check("mmio write", vgic_mmio_write(g->v, 0, gpa, &val, 8));
}

static void icc_w(struct gic *g, uint32_t cpu, uint32_t reg, uint64_t val)
{
	check("sysreg write", vgic_sysreg_write(g->v, cpu, reg, val));
}

static uint32_t icc_r(struct gic *g, uint32_t cpu, uint32_t reg)
{
	uint64_t val;

	check("sysreg read", vgic_sysreg_read(g->v, cpu, reg, &val));
	return (uint32_t)val;
}

/* The guest's boot: distributor, CPU interfaces, SPIs 40..47. */
static void guest_boot(struct gic *g)
{
	mmio_w32(g, 0, GICD_BASE + 0x0, 1u << 1); /* GICD_CTLR.EnableGrp1A */
	for (uint32_t c = 0; c < NR_CPUS; c++) {
		icc_w(g, c, VGIC_ICC_PMR_EL1, 0xf0);
		icc_w(g, c, VGIC_ICC_IGRPEN1_EL1, 1);
	}
	for (uint32_t i = 40; i < 48; i++) {
		uint64_t m = mpidr[i % NR_CPUS];
		uint8_t prio = (uint8_t)(0x80 - 0x10 * (i % 4));

		mmio_w64(g, GICD_BASE + 0x6000 + 8 * i, m);
		check("prio", vgic_mmio_write(g->v, 0, GICD_BASE + 0x400 + i,
					      &prio, 1));
	}
	mmio_w32(g, 0, GICD_BASE + 0x104, 0xff00); /* ISENABLER1: 40..47 */
}

/* One vCPU handles whatever it is given; returns the INTIDs in order. */
static int service(struct gic *g, uint32_t cpu, uint32_t *out, int max)
{
	int n = 0;

	while (n < max && vgic_vcpu_irq_pending(g->v, cpu)) {
		uint32_t id = icc_r(g, cpu, VGIC_ICC_IAR1_EL1);

		if (id == 1023)
			break;
		out[n++] = id;
		if (id >= 32)
			check("line", vgic_irq_line(g->v, cpu, id, false));
		icc_w(g, cpu, VGIC_ICC_EOIR1_EL1, id);
	}
	return n;
}

static uint64_t sgi1r(uint32_t intid, uint64_t target)
{
	return (1ull << (target & 0xf)) | ((target >> 8) & 0xff) << 16 |
	       (uint64_t)intid << 24;
}

/* Save everything QEMU would save, restore in QEMU's order. */
#define SYSREGS 9
static const uint32_t sysregs[SYSREGS] = {
	VGIC_ICC_SRE_EL1, VGIC_ICC_CTLR_EL1, VGIC_ICC_IGRPEN0_EL1,
	VGIC_ICC_IGRPEN1_EL1, VGIC_ICC_PMR_EL1, VGIC_ICC_BPR0_EL1,
	VGIC_ICC_BPR1_EL1, VGIC_ICC_AP0R0_EL1, VGIC_ICC_AP1R0_EL1,
};
static const uint32_t gicr_regs[] = {
	0x10080, 0x10100, 0x10c00, 0x10c04, 0x10200, 0x10300, 0x10400,
	0x10404, 0x10408, 0x1040c, 0x10410, 0x10414, 0x10418, 0x1041c,
};
static const uint32_t gicd_regs[] = {
	0x0084, 0x0c08, 0x0c0c, 0x0204, 0x0304, 0x0420, 0x0424, 0x0428,
	0x042c, 0x0430, 0x0434, 0x0438, 0x043c, 0x0104,
};
#define NR_GICR (sizeof(gicr_regs) / sizeof(gicr_regs[0]))
#define NR_GICD (sizeof(gicd_regs) / sizeof(gicd_regs[0]))

struct state {
	uint32_t ctlr, gicd[NR_GICD], irouter[NR_IRQS], level[2];
	uint32_t gicr[NR_CPUS][NR_GICR], plevel[NR_CPUS];
	uint64_t icc[NR_CPUS][SYSREGS];
};

static uint64_t mp_attr(uint32_t cpu)
{
	return mpidr[cpu] << 32;
}

static void save(struct gic *g, struct state *s)
{
	check("ctlr", attr(g, 0, VGIC_GRP_DIST_REGS, 0, &s->ctlr));
	for (uint32_t c = 0; c < NR_CPUS; c++) {
		for (size_t i = 0; i < NR_GICR; i++)
			check("gicr", attr(g, 0, VGIC_GRP_REDIST_REGS,
					   mp_attr(c) | gicr_regs[i],
					   &s->gicr[c][i]));
		check("level", attr(g, 0, VGIC_GRP_LEVEL_INFO, mp_attr(c),
				    &s->plevel[c]));
		for (int i = 0; i < SYSREGS; i++)
			check("icc", attr(g, 0, VGIC_GRP_CPU_SYSREGS,
					  mp_attr(c) | sysregs[i],
					  &s->icc[c][i]));
	}
	for (uint32_t i = 32; i < NR_IRQS; i++)
		check("irouter", attr(g, 0, VGIC_GRP_DIST_REGS, 0x6000 + 8 * i,
				      &s->irouter[i]));
	check("level", attr(g, 0, VGIC_GRP_LEVEL_INFO, 32, &s->level[1]));
	for (size_t i = 0; i < NR_GICD; i++)
		check("gicd", attr(g, 0, VGIC_GRP_DIST_REGS, gicd_regs[i],
				   &s->gicd[i]));
}

static void restore(struct gic *g, struct state *s)
{
	check("ctlr", attr(g, 1, VGIC_GRP_DIST_REGS, 0, &s->ctlr));
	for (uint32_t c = 0; c < NR_CPUS; c++) {
		for (size_t i = 0; i < NR_GICR; i++) {
			if (gicr_regs[i] == 0x10200) /* LEVEL_INFO first */
				check("level",
				      attr(g, 1, VGIC_GRP_LEVEL_INFO, mp_attr(c),
					   &s->plevel[c]));
			check("gicr", attr(g, 1, VGIC_GRP_REDIST_REGS,
					   mp_attr(c) | gicr_regs[i],
					   &s->gicr[c][i]));
		}
	}
	for (uint32_t i = 32; i < NR_IRQS; i++)
		check("irouter", attr(g, 1, VGIC_GRP_DIST_REGS, 0x6000 + 8 * i,
				      &s->irouter[i]));
	check("level", attr(g, 1, VGIC_GRP_LEVEL_INFO, 32, &s->level[1]));
	for (size_t i = 0; i < NR_GICD; i++)
		check("gicd", attr(g, 1, VGIC_GRP_DIST_REGS, gicd_regs[i],
				   &s->gicd[i]));
	for (uint32_t c = 0; c < NR_CPUS; c++)
		for (int i = 0; i < SYSREGS; i++)
			check("icc", attr(g, 1, VGIC_GRP_CPU_SYSREGS,
					  mp_attr(c) | sysregs[i],
					  &s->icc[c][i]));
}

/* The second half of the script: more SPIs and SGIs, then service. */
static void second_half(struct gic *g, char *log, size_t cap)
{
	uint32_t got[16];
	size_t len = strlen(log);

	for (uint32_t i = 40; i < 48; i += 3)
		check("line", vgic_irq_line(g->v, 0, i, true));
	icc_w(g, 2, VGIC_ICC_SGI1R_EL1, sgi1r(3, mpidr[1]));
	icc_w(g, 1, VGIC_ICC_SGI1R_EL1, sgi1r(4, mpidr[3]));
	icc_w(g, 0, VGIC_ICC_SGI1R_EL1, (1ull << 40) | 5ull << 24);
	/* vCPU 3 completes the nested pair it had active at the save. */
	icc_w(g, 3, VGIC_ICC_EOIR1_EL1, 47);
	icc_w(g, 3, VGIC_ICC_EOIR1_EL1, 43);
	for (uint32_t c = 0; c < NR_CPUS; c++) {
		int n = service(g, c, got, 16);

		len += (size_t)snprintf(log + len, cap - len, "  vCPU %u:", c);
		for (int i = 0; i < n; i++)
			len += (size_t)snprintf(log + len, cap - len, " %u",
						got[i]);
		len += (size_t)snprintf(log + len, cap - len, "\n");
	}
}

int main(void)
{
	struct gic a = gic_new(), b;
	static struct state st;
	static char log_a[2048], log_b[2048];
	uint32_t got[16];

	printf("libvgic %s demo: GICv3, %d vCPUs (MPIDRs 0x000 0x001 0x100 "
	       "0x101), %d INTIDs\n\n", vgic_version_string(), NR_CPUS,
	       NR_IRQS);
	guest_boot(&a);
	for (uint32_t c = 0; c < NR_CPUS; c++)
		check("run", vgic_vcpu_set_running(a.v, c, true));

	printf("SGIs: vCPU 0 -> vCPU 3 (other cluster), vCPU 1 -> itself, "
	       "vCPU 2 -> all but itself\n");
	icc_w(&a, 0, VGIC_ICC_SGI1R_EL1, sgi1r(1, mpidr[3]));
	icc_w(&a, 1, VGIC_ICC_SGI1R_EL1, sgi1r(2, mpidr[1]));
	icc_w(&a, 2, VGIC_ICC_SGI1R_EL1, (1ull << 40) | 6ull << 24);
	for (uint32_t c = 0; c < NR_CPUS; c++) {
		int n = service(&a, c, got, 16);

		printf("  vCPU %u acknowledged:", c);
		for (int i = 0; i < n; i++)
			printf(" SGI %u", got[i]);
		printf("\n");
	}

	printf("\nSPIs 40..46 raised; each is routed to vCPU (INTID %% 4)\n");
	for (uint32_t i = 40; i < 47; i++)
		check("line", vgic_irq_line(a.v, 0, i, true));
	for (uint32_t c = 0; c < 3; c++) {
		int n = service(&a, c, got, 16);

		printf("  vCPU %u acknowledged:", c);
		for (int i = 0; i < n; i++)
			printf(" %u", got[i]);
		printf("\n");
	}
	/* vCPU 3 takes 43 (priority 0x50) and keeps it active; SPI 47, made
	 * more urgent (0x20), preempts it: two nested active interrupts. */
	got[0] = icc_r(&a, 3, VGIC_ICC_IAR1_EL1);
	{
		uint8_t p = 0x20;

		check("prio", vgic_mmio_write(a.v, 0, GICD_BASE + 0x400 + 47,
					      &p, 1));
	}
	check("line", vgic_irq_line(a.v, 0, 47, true));
	got[1] = icc_r(&a, 3, VGIC_ICC_IAR1_EL1);
	printf("  vCPU 3 acknowledged %u, then %u preempted it (running "
	       "priority 0x%02x)\n", got[0], got[1],
	       icc_r(&a, 3, VGIC_ICC_RPR_EL1));
	check("line", vgic_irq_line(a.v, 0, 43, false));
	check("line", vgic_irq_line(a.v, 0, 47, false));

	printf("\nSaving the GIC through the attribute API (vCPUs stopped) "
	       "and restoring it into a fresh instance...\n");
	for (uint32_t c = 0; c < NR_CPUS; c++)
		check("stop", vgic_vcpu_set_running(a.v, c, false));
	save(&a, &st);
	b = gic_new();
	restore(&b, &st);
	printf("  vCPU 3 after restore: running priority 0x%02x, AP1R0 "
	       "0x%08x\n", icc_r(&b, 3, VGIC_ICC_RPR_EL1),
	       icc_r(&b, 3, VGIC_ICC_AP1R0_EL1));
	for (uint32_t c = 0; c < NR_CPUS; c++) {
		check("run", vgic_vcpu_set_running(a.v, c, true));
		check("run", vgic_vcpu_set_running(b.v, c, true));
	}

	second_half(&a, log_a, sizeof(log_a));
	second_half(&b, log_b, sizeof(log_b));
	printf("\nAfter the save point, original GIC:\n%s", log_a);
	printf("Restored GIC:\n%s", log_b);
	printf("\n%s (%u output changes signalled to the host)\n",
	       strcmp(log_a, log_b) ? "MISMATCH: delivery differs" :
				      "Delivery continues identically.",
	       kicks);
	vgic_destroy(a.v);
	vgic_destroy(b.v);
	return strcmp(log_a, log_b) != 0;
}

/*
 * Differential tests: GICv3 + ITS scenarios (the fixed set, one per ITS
 * command and drop rule plus table/queue corner cases, and a seeded random
 * generator of valid and invalid command streams and register writes), and
 * the interpreter that runs one against a backend.
 */
#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const uint32_t d_devids[D_NR_DEVS] = { 0, 0x18, 0x20, 0x28 };

/* ---- operation list ----------------------------------------------------- */

void sc_init(struct scenario *s, const char *name)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s", name);
}

void sc_free(struct scenario *s)
{
	for (size_t i = 0; i < s->nr; i++)
		free(s->ops[i].data);
	free(s->ops);
	s->ops = NULL;
	s->nr = s->cap = 0;
}

static struct d_op *add(struct scenario *s, enum d_op_kind k, uint64_t addr,
			uint64_t val, uint32_t len)
{
	struct d_op *op;

	if (s->nr == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->ops = realloc(s->ops, s->cap * sizeof(*s->ops));
		if (!s->ops) {
			perror("realloc");
			exit(2);
		}
	}
	op = &s->ops[s->nr++];
	memset(op, 0, sizeof(*op));
	op->kind = k;
	op->addr = addr;
	op->val = val;
	op->len = len;
	op->mask = ~0ull;
	return op;
}

static void w32(struct scenario *s, uint64_t a, uint32_t v) { add(s, D_W, a, v, 4); }
static void w64(struct scenario *s, uint64_t a, uint64_t v) { add(s, D_W, a, v, 8); }

static struct d_op *obs(struct scenario *s, const char *what, uint64_t a,
			uint32_t len, uint64_t mask)
{
	struct d_op *op = add(s, D_R, a, 0, len);

	op->mask = mask;
	snprintf(op->what, sizeof(op->what), "%s", what);
	return op;
}

static void ramw(struct scenario *s, uint64_t a, const void *buf, size_t len)
{
	struct d_op *op = add(s, D_RAMW, a, 0, (uint32_t)len);

	op->data = malloc(len);
	if (!op->data)
		exit(2);
	memcpy(op->data, buf, len);
}

static void pend(struct scenario *s, unsigned cpu)
{
	struct d_op *op = add(s, D_PEND, 0, cpu, 0);

	snprintf(op->what, sizeof(op->what), "pending LPIs of vCPU %u", cpu);
}

/* One LPI's pending bit after a SAVE_PENDING_TABLES left in RAM. */
static struct d_op *pendbit(struct scenario *s, unsigned cpu, uint32_t intid)
{
	struct d_op *op = add(s, D_PENDBIT, intid, cpu, 0);

	snprintf(op->what, sizeof(op->what), "vCPU%u pending(%u) saved", cpu,
		 intid);
	return op;
}

static void msi(struct scenario *s, uint32_t devid, uint32_t ev)
{
	add(s, D_MSI, devid, ev, 0);
}

static void spi(struct scenario *s, uint32_t intid, int level)
{
	add(s, D_SPI, intid, (uint64_t)level, 0);
}

static void iccw(struct scenario *s, unsigned cpu, enum stub_op op, uint64_t arg)
{
	add(s, D_ICCW, op, arg, cpu);
	s->cpus = true;
}

static const char *const stub_names[STUB_NR_OPS] = {
	"ICC_IAR1", "ICC_EOIR1", "ICC_HPPIR1", "ICC_RPR", "ICC_PMR",
	"ICC_PMR=", "ICC_IGRPEN1", "ICC_IGRPEN1=", "ICC_CTLR", "ICC_CTLR=",
	"ICC_DIR", "ICC_AP1R0", "ICC_SGI1R", "ICC_BPR1", "ICC_BPR1=",
	"ISR_EL1",
};

static void iccr(struct scenario *s, unsigned cpu, enum stub_op op, uint64_t mask)
{
	struct d_op *o = add(s, D_ICCR, op, 0, cpu);

	o->mask = mask;
	snprintf(o->what, sizeof(o->what), "vCPU%u %s", cpu, stub_names[op]);
	s->cpus = true;
}

/* IAR1 on @cpu: observe the INTID, and EOI it unless spurious. */
static void ack_eoi(struct scenario *s, unsigned cpu, uint32_t intid)
{
	iccr(s, cpu, STUB_IAR1, ~0ull);
	if (intid != 1023)
		iccw(s, cpu, STUB_EOIR1, intid);
}

static void drain(struct scenario *s, unsigned cpu)
{
	struct d_op *o = add(s, D_DRAIN, 0, 0, cpu);

	snprintf(o->what, sizeof(o->what), "vCPU%u drain (RPR<<32|INTID)", cpu);
	s->cpus = true;
}

/* Both CPU interfaces: priority mask open, Group 1 on, EOImode 0. */
static void cpuif_on(struct scenario *s)
{
	for (unsigned c = 0; c < D_NR_CPUS; c++) {
		iccw(s, c, STUB_PMR_W, 0xff);
		iccw(s, c, STUB_BPR1_W, 0);
		iccw(s, c, STUB_CTLR_W, 0);
		iccw(s, c, STUB_IGRPEN1_W, 1);
	}
}

/* ---- ITS commands ------------------------------------------------------- */

struct cmd { uint64_t w[4]; };

static struct cmd c_mapd(uint32_t dev, uint64_t itt, unsigned bits, bool v)
{
	struct cmd c = { { 0x08 | (uint64_t)dev << 32, bits ? bits - 1 : 0,
			   (uint64_t)v << 63 | (itt & 0xffffffffff00ull), 0 } };
	return c;
}
static struct cmd c_mapc(uint32_t icid, uint32_t rd, bool v)
{
	struct cmd c = { { 0x09, 0,
			   (uint64_t)v << 63 | (uint64_t)rd << 16 | (icid & 0xffff), 0 } };
	return c;
}
static struct cmd c_mapti(uint32_t dev, uint32_t ev, uint32_t lpi, uint32_t icid)
{
	struct cmd c = { { 0x0a | (uint64_t)dev << 32, ev | (uint64_t)lpi << 32, icid, 0 } };
	return c;
}
static struct cmd c_mapi(uint32_t dev, uint32_t ev, uint32_t icid)
{
	struct cmd c = { { 0x0b | (uint64_t)dev << 32, ev, icid, 0 } };
	return c;
}
static struct cmd c_devev(unsigned op, uint32_t dev, uint32_t ev)
{
	struct cmd c = { { op | (uint64_t)dev << 32, ev, 0, 0 } };
	return c;
}
#define c_int(d, e) c_devev(0x03, d, e)
#define c_clear(d, e) c_devev(0x04, d, e)
#define c_inv(d, e) c_devev(0x0c, d, e)
#define c_discard(d, e) c_devev(0x0f, d, e)
static struct cmd c_movi(uint32_t dev, uint32_t ev, uint32_t icid)
{
	struct cmd c = { { 0x01 | (uint64_t)dev << 32, ev, icid, 0 } };
	return c;
}
static struct cmd c_sync(uint32_t rd)
{
	struct cmd c = { { 0x05, 0, (uint64_t)rd << 16, 0 } };
	return c;
}
static struct cmd c_invall(uint32_t icid)
{
	struct cmd c = { { 0x0d, 0, icid, 0 } };
	return c;
}
static struct cmd c_movall(uint32_t rd1, uint32_t rd2)
{
	struct cmd c = { { 0x0e, 0, (uint64_t)rd1 << 16, (uint64_t)rd2 << 16 } };
	return c;
}

/* Queue one command (not yet visible to the ITS). */
static void put(struct scenario *s, struct cmd c)
{
	ramw(s, D_CMDQ + s->cw, c.w, sizeof(c.w));
	s->cw = (s->cw + 32) % D_CMDQ_SIZE;
}

/* Publish queued commands: write GITS_CWRITER, observe GITS_CREADR. */
static struct d_op *kick(struct scenario *s)
{
	w64(s, D_ITS + 0x88, s->cw);
	return obs(s, "GITS_CREADR", D_ITS + 0x90, 8, ~0ull);
}

static void run1(struct scenario *s, struct cmd c)
{
	put(s, c);
	kick(s);
}

/* ---- standard bring-up --------------------------------------------------- */

static void lpi_config(struct scenario *s, uint32_t lpi, uint8_t prio, bool en)
{
	uint8_t b = (uint8_t)((prio & 0xfc) | 2 | en);

	ramw(s, D_PROPBASE + lpi - 8192, &b, 1);
}

/* Program a redistributor's LPI tables.  Every vCPU gets a pending table
 * even with LPIs off: KVM's SAVE_PENDING_TABLES writes the table of every
 * LPI's target and fails with -EFAULT on an unprogrammed one. */
static void gicr_tables(struct scenario *s, unsigned cpu)
{
	w32(s, D_RD(cpu) + 0x14, 0); /* GICR_WAKER: ProcessorSleep = 0 */
	w64(s, D_RD(cpu) + 0x70, D_PROPBASE | (D_LPI_IDBITS - 1));
	w64(s, D_RD(cpu) + 0x78, D_PENDBASE(cpu));
}

static void gicr_enable_lpis(struct scenario *s, unsigned cpu)
{
	gicr_tables(s, cpu);
	w32(s, D_RD(cpu) + 0x00, 1); /* GICR_CTLR.EnableLPIs */
}

/* ITS tables (flat, or a two-level device table) and an enabled queue. */
static void its_setup(struct scenario *s, bool indirect, uint64_t devtab)
{
	/* Valid | Indirect | 64 KiB pages | one page; Type and Entry_Size
	 * are read-only (device = BASER0, collection = BASER1 in both). */
	w64(s, D_ITS + 0x100, 1ull << 63 | (uint64_t)indirect << 62 | devtab |
				      2 << 8);
	w64(s, D_ITS + 0x108, 1ull << 63 | D_COLLTAB | 2 << 8);
	w64(s, D_ITS + 0x80, 1ull << 63 | D_CMDQ | (D_CMDQ_SIZE / 4096 - 1));
	w64(s, D_ITS + 0x88, 0);
	w32(s, D_ITS + 0x00, 1);
	s->cw = 0;
}

static void std_setup(struct scenario *s, bool enable_lpis)
{
	uint8_t cfg[256];

	w32(s, D_GICD, 0x12); /* ARE_NS (RAO under DS=1) | EnableGrp1 */
	memset(cfg, 0xa3, sizeof(cfg)); /* prio 0xa0, Group 1, enabled */
	ramw(s, D_PROPBASE, cfg, sizeof(cfg));
	if (enable_lpis)
		for (unsigned c = 0; c < D_NR_CPUS; c++)
			gicr_enable_lpis(s, c);
	its_setup(s, false, D_DEVTAB);
}

static void pend_all(struct scenario *s)
{
	for (unsigned c = 0; c < D_NR_CPUS; c++)
		pend(s, c);
}

/* Collections 0..n-1 on vCPU i % 2. */
static void map_colls(struct scenario *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		put(s, c_mapc(i, i % D_NR_CPUS, true));
	kick(s);
}

/* ---- fixed scenarios ---------------------------------------------------- */

/* A reset value QEMU and KVM disagree on (docs/divergences.md). */
static void obs_div(struct scenario *s, const char *what, uint64_t a,
		    const char *div, uint64_t qemu, uint64_t vgic)
{
	struct d_op *op = obs(s, what, a, 4, ~0ull);

	op->div = div;
	op->div_qemu = qemu;
	op->div_vgic = vgic;
}

static void f_regs(struct scenario *s)
{
	/* DEVIATION (docs/divergences.md, "reset-sgi-group"): KVM resets
	 * SGIs enabled and, for a GICv3, every interrupt to Group 1; QEMU
	 * resets them disabled and in Group 0. */
	obs_div(s, "GICR0_ISENABLER0 reset", D_RD(0) + D_GICR_SGI + 0x100,
		"reset-sgi-group", 0, 0xffff);
	obs_div(s, "GICR1_IGROUPR0 reset", D_RD(1) + D_GICR_SGI + 0x80,
		"reset-sgi-group", 0, 0xffffffffu);
	obs_div(s, "GICD_IGROUPR1 reset", D_GICD + 0x84, "reset-sgi-group", 0,
		0xffffffffu);
	w32(s, D_GICD, 0x12);
	/* IMPDEF-masked identification and control registers. */
	obs(s, "GICD_CTLR ARE|Grp1|DS", D_GICD, 4, 0x52);
	obs(s, "GICD_TYPER ITLines|LPIS", D_GICD + 4, 4, 0x1f | 1u << 17);
	obs(s, "GICD_PIDR2 ArchRev", D_GICD + 0xffe8, 4, 0xf0);
	obs(s, "GICR0_TYPER PLPIS|Last|ProcNum|Aff", D_RD(0) + 8, 8,
	    0xffffffff00ffff11ull);
	obs(s, "GICR1_TYPER PLPIS|Last|ProcNum|Aff", D_RD(1) + 8, 8,
	    0xffffffff00ffff11ull);
	obs(s, "GICR_PIDR2 ArchRev", D_RD(0) + 0xffe8, 4, 0xf0);
	obs(s, "GITS_TYPER Physical|IDbits|Devbits", D_ITS + 8, 8, 0x3ff01);
	obs(s, "GITS_PIDR2 ArchRev", D_ITS + 0xffe8, 4, 0xf0);
	obs(s, "GITS_BASER0 Type", D_ITS + 0x100, 8, 7ull << 56);
	obs(s, "GITS_BASER1 Type", D_ITS + 0x108, 8, 7ull << 56);
	obs(s, "GITS_BASER2 Type", D_ITS + 0x110, 8, 7ull << 56);
	obs(s, "GITS_CTLR Enabled (reset)", D_ITS, 4, 1);
	std_setup(s, true);
	obs(s, "GITS_CTLR Enabled|Quiescent", D_ITS, 4, 0x80000001);
	obs(s, "GITS_BASER0 Valid|PA|Size", D_ITS + 0x100, 8,
	    1ull << 63 | 0xfffffffff000ull | 0xff);
	obs(s, "GITS_CBASER Valid|PA|Size", D_ITS + 0x80, 8,
	    1ull << 63 | 0xfffffffff000ull | 0xff);
	obs(s, "GITS_CWRITER", D_ITS + 0x88, 8, ~0ull);
	obs(s, "GITS_CREADR", D_ITS + 0x90, 8, ~0ull);
	obs(s, "GICR0_CTLR EnableLPIs", D_RD(0), 4, 1);
	obs(s, "GICR0_PROPBASER PA|IDbits", D_RD(0) + 0x70, 8,
	    0xfffffffff000ull | 0x1f);
	obs(s, "GICR0_PENDBASER PA", D_RD(0) + 0x78, 8, 0xffffffff0000ull);
	/* Byte access to GICD_IPRIORITYR and 5 priority bits. */
	add(s, D_W, D_GICD + 0x400 + 40, 0xff, 1);
	/* IMPDEF: implemented priority bits (QEMU 8, KVM 5): compare 5. */
	obs(s, "GICD_IPRIORITYR40 byte", D_GICD + 0x400 + 40, 1, 0xf8);
	w32(s, D_GICD + 0x104, 0x00ff00ffu);
	obs(s, "GICD_ISENABLER1", D_GICD + 0x104, 4, ~0ull);
	w32(s, D_GICD + 0x184, 0x000f000fu);
	obs(s, "GICD_ICENABLER1", D_GICD + 0x184, 4, ~0ull);
	w64(s, D_GICD + 0x6000 + 8 * 40, 1);
	obs(s, "GICD_IROUTER40", D_GICD + 0x6000 + 8 * 40, 8, ~0ull);
	w32(s, D_RD(1) + D_GICR_SGI + 0x100, 0xffff);
	obs(s, "GICR1_ISENABLER0", D_RD(1) + D_GICR_SGI + 0x100, 4, 0xffff);
}

/* Device @di with @nev events on LPIs base.., collection icid. */
static void map_dev(struct scenario *s, unsigned di, unsigned bits,
		    uint32_t lpi0, unsigned nev, uint32_t icid)
{
	put(s, c_mapd(d_devids[di], D_ITT(di), bits, true));
	for (unsigned e = 0; e < nev; e++)
		put(s, c_mapti(d_devids[di], e, lpi0 + e, icid));
	kick(s);
}

static void f_basic(struct scenario *s)
{
	std_setup(s, true);
	map_colls(s, 2);
	map_dev(s, 0, 5, 8192, 4, 0);
	put(s, c_mapti(0, 4, 8200, 1));
	run1(s, c_sync(0));
	msi(s, 0, 0);
	msi(s, 0, 4);
	pend_all(s);
}

/* Four devices (DeviceID 0 and three PCI RIDs), four collections on two
 * vCPUs, MSIs from all, delivered through the CPU interfaces. */
static void f_multi(struct scenario *s)
{
	std_setup(s, true);
	for (unsigned i = 0; i < 32; i++)
		lpi_config(s, 8192 + i, (uint8_t)(0x10 + 4 * i), true);
	cpuif_on(s);
	map_colls(s, 4);
	for (unsigned d = 0; d < D_NR_DEVS; d++)
		map_dev(s, d, 3, 8192 + 8 * d, 8, d);
	for (unsigned d = 0; d < D_NR_DEVS; d++)
		for (uint32_t e = 0; e < 8; e += 1 + d)
			msi(s, d_devids[d], e);
	pend_all(s);
	drain(s, 0);
	drain(s, 1);
	pend_all(s);
}

static void f_int(struct scenario *s)
{
	std_setup(s, true);
	map_colls(s, 2);
	map_dev(s, 0, 5, 8192, 2, 1);
	run1(s, c_int(0, 1));
	pend_all(s);
	run1(s, c_int(0, 0));
	pend_all(s);
}

static void f_clear(struct scenario *s)
{
	std_setup(s, true);
	map_colls(s, 2);
	map_dev(s, 1, 5, 8300, 3, 0);
	msi(s, 0x18, 0);
	msi(s, 0x18, 1);
	pend_all(s);
	run1(s, c_clear(0x18, 0));
	pend_all(s);
}

static void f_discard(struct scenario *s)
{
	std_setup(s, true);
	map_colls(s, 2);
	map_dev(s, 2, 4, 8400, 2, 1);
	msi(s, 0x20, 1);
	pend_all(s);
	run1(s, c_discard(0x20, 1));
	pend_all(s);
	msi(s, 0x20, 1); /* no mapping any more */
	msi(s, 0x20, 0);
	pend_all(s);
}

static void f_mapi(struct scenario *s)
{
	std_setup(s, true);
	map_colls(s, 2);
	put(s, c_mapd(0x28, D_ITT(3), 5, true));
	/* MAPI: pINTID = EventID, which must itself be an LPI. */
	put(s, c_mapi(0x28, 8195, 1));
	kick(s);
	put(s, c_mapd(0x28, D_ITT(3), 14, true)); /* 14 bits of EventID */
	put(s, c_mapi(0x28, 8195, 1));
	put(s, c_mapi(0x28, 5, 0)); /* EventID 5 is no LPI: dropped */
	kick(s);
	msi(s, 0x28, 8195);
	msi(s, 0x28, 5);
	pend_all(s);
}

static void f_movi(struct scenario *s)
{
	std_setup(s, true);
	map_colls(s, 3);
	map_dev(s, 1, 5, 8500, 3, 0);
	msi(s, 0x18, 0);
	pend_all(s);
	run1(s, c_movi(0x18, 0, 1)); /* pending LPI moves to vCPU 1 */
	pend_all(s);
	run1(s, c_movi(0x18, 1, 2)); /* collection 2 is also vCPU 0 */
	msi(s, 0x18, 1);
	run1(s, c_movi(0x18, 2, 7)); /* unmapped collection: dropped */
	msi(s, 0x18, 2);
	pend_all(s);
}

static void f_movall(struct scenario *s)
{
	std_setup(s, true);
	map_colls(s, 2);
	map_dev(s, 0, 5, 8600, 4, 0);
	msi(s, 0, 0);
	msi(s, 0, 2);
	pend_all(s);
	run1(s, c_movall(0, 1));
	pend_all(s);
	run1(s, c_movall(1, 5)); /* RDbase out of range: dropped */
	pend_all(s);
}

/* MOVALL moves a MAPI-mapped pending LPI; then DEVIATION (docs/
 * divergences.md, "mapc-remap"): re-issuing the collection's unchanged
 * MAPC moves it back in KVM (collection affinity is re-applied), not in
 * QEMU. */
static void f_movall_mapi(struct scenario *s)
{
	struct d_op *op;

	std_setup(s, true);
	map_colls(s, 4);
	run1(s, c_mapd(0x28, D_ITT(3), 14, true));
	run1(s, c_mapi(0x28, 0x223c, 3));
	msi(s, 0x28, 0x223c);
	pend_all(s);
	run1(s, c_movall(1, 0));
	pend_all(s);
	run1(s, c_mapc(3, 1, true));
	op = pendbit(s, 0, 0x223c);
	op->div = "mapc-remap";
	op->div_qemu = 1;
	op->div_vgic = 0;
}

static void f_inv(struct scenario *s)
{
	std_setup(s, true);
	map_colls(s, 2);
	map_dev(s, 2, 5, 8700, 2, 1);
	lpi_config(s, 8700, 0x80, false);
	run1(s, c_inv(0x20, 0));
	msi(s, 0x20, 0); /* disabled LPIs still become pending */
	lpi_config(s, 8701, 0x40, true);
	run1(s, c_invall(1));
	msi(s, 0x20, 1);
	run1(s, c_inv(0x20, 9)); /* unmapped event: dropped */
	run1(s, c_invall(9));    /* unmapped collection: dropped */
	pend_all(s);
}

static void f_drops(struct scenario *s)
{
	std_setup(s, true);
	map_colls(s, 2);
	/* Each dropped command still advances GITS_CREADR. */
	run1(s, c_mapd(0x18, D_ITT(1), 17, true));      /* EventID bits > 16 */
	run1(s, c_mapd(0x10000, D_ITT(1), 5, true));    /* DeviceID >= 2^16 */
	run1(s, c_mapc(3, 2, true));                    /* RDbase >= nr vCPUs */
	run1(s, c_mapc(0x2000, 0, true));  /* ICID beyond the 64 KiB table */
	map_dev(s, 1, 3, 8800, 0, 0);
	run1(s, c_mapti(0x18, 8, 8800, 0));             /* EventID >= 2^3 */
	run1(s, c_mapti(0x18, 1, 8191, 0));             /* not an LPI */
	run1(s, c_mapti(0x18, 2, 1u << D_LPI_IDBITS, 0)); /* > PROPBASER IDbits */
	run1(s, c_mapti(0x18, 3, 8803, 9));             /* unmapped ICID */
	run1(s, c_mapti(0x20, 0, 8804, 0));             /* unmapped device */
	run1(s, c_int(0x18, 5));                        /* unmapped event */
	run1(s, c_clear(0x28, 0));
	run1(s, c_discard(0x18, 6));
	run1(s, c_movi(0x18, 7, 1));
	{
		struct cmd bad = { { 0xff, 0, 0, 0 } };   /* unknown command */
		run1(s, bad);
	}
	for (uint32_t e = 0; e < 8; e++)
		msi(s, 0x18, e);
	msi(s, 0x20, 0);
	pend_all(s);
}

static void f_remap(struct scenario *s)
{
	std_setup(s, true);
	map_colls(s, 2);
	map_dev(s, 3, 5, 8900, 2, 0);
	put(s, c_discard(0x28, 0));
	put(s, c_discard(0x28, 1));
	run1(s, c_mapd(0x28, 0, 0, false)); /* unmap the (empty) device */
	msi(s, 0x28, 1);
	map_dev(s, 3, 5, 8910, 2, 1);   /* and map it afresh */
	run1(s, c_mapc(1, 0, true));  /* collection 1 now on vCPU 0 */
	msi(s, 0x28, 0);
	msi(s, 0x28, 1);
	pend_all(s);
}

/* DEVIATION (docs/divergences.md, "mapc-remap"): re-mapping a collection
 * to another redistributor moves its pending LPIs along in KVM; QEMU
 * leaves their bits in the old redistributor's table. */
static void f_mapc_remap(struct scenario *s)
{
	struct d_op *op;

	std_setup(s, true);
	map_colls(s, 2);
	map_dev(s, 3, 5, 8920, 1, 1);
	msi(s, 0x28, 0);
	run1(s, c_mapc(1, 0, true));
	op = pendbit(s, 1, 8920);
	op->div = "mapc-remap";
	op->div_qemu = 1;
	op->div_vgic = 0;
	op = pendbit(s, 0, 8920);
	op->div = "mapc-remap";
	op->div_qemu = 0;
	op->div_vgic = 1;
}

/* DEVIATION (docs/divergences.md, "remap-event"): MAPTI of an EventID that
 * is already mapped replaces the mapping in QEMU; KVM ignores the command. */
static void f_remap_event(struct scenario *s)
{
	struct d_op *op;

	std_setup(s, true);
	map_colls(s, 2);
	map_dev(s, 1, 5, 8950, 1, 0);
	run1(s, c_mapti(0x18, 0, 8951, 1)); /* EventID 0 is mapped already */
	msi(s, 0x18, 0);
	op = pendbit(s, 0, 8950);
	op->div = "remap-event";
	op->div_qemu = 0;
	op->div_vgic = 1;
	op = pendbit(s, 1, 8951);
	op->div = "remap-event";
	op->div_qemu = 1;
	op->div_vgic = 0;
}

/* DEVIATION (docs/divergences.md, "unmap-pending"): unmapping a device
 * (MAPD V=0) with a pending LPI keeps the pending bit in QEMU's
 * redistributor table; KVM frees the LPI, and its pending state with it. */
static void f_unmap_pending(struct scenario *s)
{
	struct d_op *op;

	std_setup(s, true);
	map_colls(s, 2);
	map_dev(s, 3, 5, 8960, 1, 0);
	msi(s, 0x28, 0);
	run1(s, c_mapd(0x28, 0, 0, false));
	op = pendbit(s, 0, 8960);
	op->div = "unmap-pending";
	op->div_qemu = 1;
	op->div_vgic = 0;
}

/* DEVIATION (docs/divergences.md, "unmapped-pending"): a pending bit that
 * the guest set in its table for an LPI no ITS maps is an interrupt for
 * QEMU (it scans the table); KVM only knows LPIs an ITS maps and reads
 * their bits when they are mapped. */
static void f_unmapped_pending(struct scenario *s)
{
	uint8_t bit = 1u << 3; /* LPI 8195 */
	struct d_op *op;

	w32(s, D_GICD, 0x12);
	{
		uint8_t cfg[8];

		memset(cfg, 0xa3, sizeof(cfg));
		ramw(s, D_PROPBASE, cfg, sizeof(cfg));
	}
	ramw(s, D_PENDBASE(0) + 1024, &bit, 1);
	for (unsigned c = 0; c < D_NR_CPUS; c++)
		gicr_enable_lpis(s, c);
	cpuif_on(s);
	iccr(s, 0, STUB_HPPIR1, ~0ull);
	op = &s->ops[s->nr - 1];
	op->div = "unmapped-pending";
	op->div_qemu = 8195;
	op->div_vgic = 1023;
	/* Once an ITS maps it, both agree it is pending. */
	its_setup(s, false, D_DEVTAB);
	map_colls(s, 1);
	map_dev(s, 0, 4, 8195, 1, 0);
	iccr(s, 0, STUB_HPPIR1, ~0ull);
	drain(s, 0);
}

/* DEVIATION (docs/divergences.md, "shared-lpi"): two EventIDs map one LPI
 * and one of them is DISCARDed while the LPI is pending: QEMU clears the
 * pending bit, KVM keeps the LPI (the other mapping still holds it) and
 * its pending state. */
static void f_shared_lpi(struct scenario *s)
{
	struct d_op *op;

	std_setup(s, true);
	map_colls(s, 2);
	map_dev(s, 1, 5, 8980, 1, 0);
	run1(s, c_mapti(0x18, 1, 8980, 0));
	msi(s, 0x18, 1);
	run1(s, c_discard(0x18, 0));
	op = pendbit(s, 0, 8980);
	op->div = "shared-lpi";
	op->div_qemu = 0;
	op->div_vgic = 1;
	msi(s, 0x18, 0); /* unmapped now */
	msi(s, 0x18, 1);
	pendbit(s, 0, 8980);
}

/* DEVIATION (docs/divergences.md, "movall-target"): after MOVALL 0 -> 1
 * (and no MAPC), a new MSI through the still-vCPU0 collection pends on
 * vCPU 0 in QEMU and on vCPU 1 in KVM (the LPI's target moved). */
static void f_movall_target(struct scenario *s)
{
	struct d_op *op;

	std_setup(s, true);
	map_colls(s, 2);
	map_dev(s, 2, 4, 8990, 1, 0);
	run1(s, c_movall(0, 1));
	msi(s, 0x20, 0);
	op = pendbit(s, 0, 8990);
	op->div = "movall-target";
	op->div_qemu = 1;
	op->div_vgic = 0;
	op = pendbit(s, 1, 8990);
	op->div = "movall-target";
	op->div_qemu = 0;
	op->div_vgic = 1;
}

/* DEVIATION (docs/divergences.md, "prio-ff"): an enabled, pending SGI of
 * priority 0xff is invisible to QEMU's ICC_HPPIR1_EL1 (0xff is its "none"
 * value); KVM keeps 5 priority bits (0xf8) and reports it. */
static void f_prio_ff(struct scenario *s)
{
	struct d_op *op;

	w32(s, D_GICD, 0x12);
	w32(s, D_RD(0) + D_GICR_SGI + 0x80, 0xffffffffu);
	w32(s, D_RD(0) + D_GICR_SGI + 0x100, 0xffffu);
	add(s, D_W, D_RD(0) + D_GICR_SGI + 0x400 + 2, 0xff, 1);
	cpuif_on(s);
	iccw(s, 1, STUB_SGI1R, 2ull << 24 | 1); /* SGI 2 -> vCPU 0 */
	iccr(s, 0, STUB_HPPIR1, ~0ull);
	op = &s->ops[s->nr - 1];
	op->div = "prio-ff";
	op->div_qemu = 1023;
	op->div_vgic = 2;
	iccr(s, 0, STUB_IAR1, ~0ull); /* masked by PMR 0xf8 in both */
}

/* DEVIATION (docs/divergences.md, "save-resume"): after a
 * SAVE_PENDING_TABLES the guest runs on; a DISCARD then clears the LPI's
 * bit in QEMU's table, while KVM's next save writes only live LPIs and
 * leaves the earlier bit in RAM. */
static void f_save_resume(struct scenario *s)
{
	struct d_op *op;

	std_setup(s, true);
	map_colls(s, 2);
	map_dev(s, 2, 5, 8970, 1, 1);
	msi(s, 0x20, 0);
	pendbit(s, 1, 8970);
	run1(s, c_discard(0x20, 0));
	op = pendbit(s, 1, 8970);
	op->div = "save-resume";
	op->div_qemu = 0;
	op->div_vgic = 1;
}

static void f_two_level(struct scenario *s)
{
	uint64_t l1;

	w32(s, D_GICD, 0x12);
	for (unsigned c = 0; c < D_NR_CPUS; c++)
		gicr_enable_lpis(s, c);
	{
		uint8_t cfg[64];

		memset(cfg, 0xa3, sizeof(cfg));
		ramw(s, D_PROPBASE + 1000, cfg, sizeof(cfg));
	}
	its_setup(s, true, D_DEVTAB);
	obs(s, "GITS_BASER0 Indirect", D_ITS + 0x100, 8, 1ull << 62);
	map_colls(s, 2);
	/* Level-1 entry 0 invalid: MAPD is dropped. */
	map_dev(s, 1, 4, 9192, 2, 1);
	msi(s, 0x18, 0);
	pend_all(s);
	l1 = 1ull << 63 | D_L2PAGE;
	ramw(s, D_DEVTAB, &l1, 8);
	map_dev(s, 1, 4, 9192, 2, 1);
	map_dev(s, 2, 4, 9200, 2, 0);
	msi(s, 0x18, 1);
	msi(s, 0x20, 0);
	pend_all(s);
}

static void f_preset_pending(struct scenario *s)
{
	uint8_t bits[2] = { 0x5a, 0x81 }; /* LPIs 8192+8*k.. preset */

	w32(s, D_GICD, 0x12);
	{
		uint8_t cfg[64];

		memset(cfg, 0xa3, sizeof(cfg));
		ramw(s, D_PROPBASE, cfg, sizeof(cfg));
	}
	ramw(s, D_PENDBASE(0) + 1024, bits, 2);
	ramw(s, D_PENDBASE(1) + 1025, bits, 1);
	/* PTZ clear: the pending table is the guest's. */
	for (unsigned c = 0; c < D_NR_CPUS; c++)
		gicr_enable_lpis(s, c);
	its_setup(s, false, D_DEVTAB);
	map_colls(s, 2);
	map_dev(s, 0, 5, 8192, 16, 0);
	put(s, c_mapti(0x18, 0, 8202, 1)); /* device 0x18 unmapped: dropped */
	kick(s);
	msi(s, 0, 15);
	pend_all(s);
}

static void f_lpis_disabled(struct scenario *s)
{
	std_setup(s, false);
	gicr_enable_lpis(s, 0); /* only vCPU 0 has LPIs */
	gicr_tables(s, 1);
	map_colls(s, 2);
	map_dev(s, 1, 5, 9000, 1, 0);
	put(s, c_mapti(0x18, 1, 9001, 1));
	kick(s);
	msi(s, 0x18, 0);
	msi(s, 0x18, 1); /* targets vCPU 1, whose LPIs are off */
	obs(s, "GICR1_CTLR EnableLPIs", D_RD(1), 4, 1);
	pend(s, 0);
}

static void f_its_disabled(struct scenario *s)
{
	std_setup(s, true);
	map_colls(s, 2);
	map_dev(s, 0, 5, 9100, 2, 0);
	w32(s, D_ITS, 0); /* ITS off: no translation, no command */
	msi(s, 0, 0);
	put(s, c_int(0, 1));
	w64(s, D_ITS + 0x88, s->cw);
	w32(s, D_ITS, 1); /* on again: the queued INT runs */
	obs(s, "GITS_CREADR", D_ITS + 0x90, 8, ~0ull);
	msi(s, 0, 0);
	pend_all(s);
}

static void f_cmdq_wrap(struct scenario *s)
{
	std_setup(s, true);
	map_colls(s, 2);
	map_dev(s, 0, 8, 9300, 0, 0);
	/* 200 commands through a 128-slot queue, in batches of 50. */
	for (unsigned b = 0; b < 4; b++) {
		for (unsigned i = 0; i < 49; i++) {
			uint32_t e = b * 49 + i;

			put(s, c_mapti(0, e, 9300 + e, e & 1));
		}
		put(s, c_int(0, b * 49 + 7));
		kick(s);
	}
	pend_all(s);
}

/* DEVIATION (docs/divergences.md, "cmdq-memerr"): a command whose table
 * access faults stalls QEMU's queue (GITS_CREADR.Stalled, CREADR stays);
 * KVM drops it and moves on, as libvgic does. */
static void f_cmdq_memerr(struct scenario *s)
{
	struct d_op *op;

	w32(s, D_GICD, 0x12);
	for (unsigned c = 0; c < D_NR_CPUS; c++)
		gicr_enable_lpis(s, c);
	its_setup(s, false, 0x60000000ull); /* device table outside RAM */
	map_colls(s, 1);
	put(s, c_mapd(0, D_ITT(0), 5, true));
	op = kick(s);
	op->div = "cmdq-memerr";
	op->div_qemu = 0x20 | 1; /* stopped at the MAPD, Stalled */
	op->div_vgic = 0x40;     /* MAPD dropped, queue drained */
}

/* SPIs through wired lines: level and edge, enable, pending read-back. */
static void f_spi(struct scenario *s)
{
	w32(s, D_GICD, 0x12);
	w32(s, D_GICD + 0x100 + 4 * 1, 0xffffffffu); /* enable SPIs 32..63 */
	w32(s, D_GICD + 0xc00 + 4 * 3, 0xaaaa0000u); /* 56..63 edge */
	spi(s, 48, 1);
	spi(s, 57, 1);
	obs(s, "GICD_ISPENDR1", D_GICD + 0x204, 4, ~0ull);
	spi(s, 48, 0);
	spi(s, 57, 0);
	obs(s, "GICD_ISPENDR1 after lines low", D_GICD + 0x204, 4, ~0ull);
	w32(s, D_GICD + 0x284, 1u << 25); /* ICPENDR: clear 57's latch */
	obs(s, "GICD_ISPENDR1 after ICPENDR", D_GICD + 0x204, 4, ~0ull);
	w32(s, D_GICD + 0x204, 1u << 20); /* ISPENDR: SPI 52 by software */
	spi(s, 50, 1);
	w32(s, D_GICD + 0x284, 1u << 18); /* ICPENDR on a high level line */
	obs(s, "GICD_ISPENDR1 level+sw", D_GICD + 0x204, 4, ~0ull);
	obs(s, "GICD_ICFGR3", D_GICD + 0xc0c, 4, ~0ull);
	w32(s, D_GICD + 0x304, 1u << 20); /* ISACTIVER */
	obs(s, "GICD_ISACTIVER1", D_GICD + 0x304, 4, ~0ull);
	spi(s, 50, 0);
	obs(s, "GICD_ISPENDR1 end", D_GICD + 0x204, 4, ~0ull);
}

/* LPIs through the CPU interface: priority order, preemption, PMR, ties. */
static void f_icc_lpi(struct scenario *s)
{
	static const uint8_t prio[6] = { 0xa0, 0x40, 0xc0, 0x40, 0xa0, 0x10 };

	std_setup(s, true);
	for (unsigned i = 0; i < 6; i++)
		lpi_config(s, 8192 + i, prio[i], true);
	cpuif_on(s);
	for (unsigned c = 0; c < D_NR_CPUS; c++) {
		iccr(s, c, STUB_PMR_R, ~0ull);
		iccr(s, c, STUB_BPR1_R, ~0ull);
		iccr(s, c, STUB_CTLR_R, 0x703); /* CBPR, EOImode, PRIbits */
		iccr(s, c, STUB_IGRPEN1_R, ~0ull);
		iccr(s, c, STUB_HPPIR1, ~0ull);
		iccr(s, c, STUB_RPR, ~0ull);
		iccr(s, c, STUB_ISR, 0xc0);
	}
	map_colls(s, 2);
	map_dev(s, 0, 4, 8192, 6, 0);
	msi(s, 0, 0);
	iccr(s, 0, STUB_HPPIR1, ~0ull);
	iccr(s, 0, STUB_ISR, 0xc0);
	iccr(s, 1, STUB_ISR, 0xc0);
	iccr(s, 0, STUB_IAR1, ~0ull);  /* 8192 active, RPR 0xa0 */
	iccr(s, 0, STUB_RPR, ~0ull);
	iccr(s, 0, STUB_AP1R0, ~0ull);
	msi(s, 0, 1);                  /* 0x40 preempts */
	iccr(s, 0, STUB_HPPIR1, ~0ull);
	iccr(s, 0, STUB_IAR1, ~0ull);
	iccr(s, 0, STUB_RPR, ~0ull);
	iccr(s, 0, STUB_AP1R0, ~0ull);
	msi(s, 0, 2);                  /* 0xc0 cannot preempt 0x40 */
	iccr(s, 0, STUB_HPPIR1, ~0ull);
	iccr(s, 0, STUB_IAR1, ~0ull);  /* spurious */
	iccr(s, 0, STUB_ISR, 0xc0);
	iccw(s, 0, STUB_EOIR1, 8193);
	iccr(s, 0, STUB_RPR, ~0ull);
	iccw(s, 0, STUB_EOIR1, 8192);
	iccr(s, 0, STUB_RPR, ~0ull);
	iccr(s, 0, STUB_AP1R0, ~0ull);
	msi(s, 0, 3);                  /* ties: 8193's priority */
	msi(s, 0, 5);
	msi(s, 0, 4);
	iccw(s, 0, STUB_PMR_W, 0x80);  /* masks 0xa0 and 0xc0 */
	iccr(s, 0, STUB_HPPIR1, ~0ull);
	ack_eoi(s, 0, 8197);
	ack_eoi(s, 0, 8195);
	iccr(s, 0, STUB_IAR1, ~0ull);  /* spurious: the rest is masked */
	iccr(s, 0, STUB_ISR, 0xc0);
	/* Disable 8194 and re-enable via INV: it stays pending meanwhile. */
	lpi_config(s, 8194, 0xc0, false);
	run1(s, c_inv(0, 2));
	iccw(s, 0, STUB_PMR_W, 0xff);
	drain(s, 0);
	lpi_config(s, 8194, 0x30, true);
	run1(s, c_inv(0, 2));
	drain(s, 0);
	/* MOVI of a pending LPI moves its delivery to vCPU 1. */
	msi(s, 0, 4);
	run1(s, c_movi(0, 4, 1));
	drain(s, 0);
	drain(s, 1);
	pend_all(s);
}

/* SGIs and SPIs through the CPU interface; EOImode 1 with DIR. */
static void f_icc_sgi_spi(struct scenario *s)
{
	w32(s, D_GICD, 0x12);
	for (unsigned c = 0; c < D_NR_CPUS; c++) {
		w32(s, D_RD(c) + 0x14, 0);
		w32(s, D_RD(c) + D_GICR_SGI + 0x80, 0xffffffffu);  /* Group 1 */
		w32(s, D_RD(c) + D_GICR_SGI + 0x100, 0xffffu);     /* SGIs on */
		w32(s, D_RD(c) + D_GICR_SGI + 0x400, 0x80604020u); /* SGI 0-3 */
	}
	w32(s, D_GICD + 0x84, 0xffffffffu);  /* SPIs 32..63 Group 1 */
	w32(s, D_GICD + 0x104, 0xffffffffu); /* enabled */
	w32(s, D_GICD + 0x430, 0x90a0b0c0u); /* prio of 48..51 */
	w64(s, D_GICD + 0x6000 + 8 * 48, 1); /* 48 -> vCPU 1 */
	w64(s, D_GICD + 0x6000 + 8 * 49, 0); /* 49 -> vCPU 0 */
	cpuif_on(s);
	iccw(s, 0, STUB_SGI1R, 3ull << 24 | 2);      /* SGI 3 -> vCPU 1 */
	iccw(s, 0, STUB_SGI1R, 1ull << 24 | 3);      /* SGI 1 -> vCPUs 0,1 */
	iccw(s, 1, STUB_SGI1R, 5ull << 24 | 1ull << 40); /* IRM: all but self */
	iccr(s, 1, STUB_HPPIR1, ~0ull);
	ack_eoi(s, 1, 1);
	ack_eoi(s, 1, 3);
	iccr(s, 1, STUB_IAR1, ~0ull);
	ack_eoi(s, 0, 1);
	ack_eoi(s, 0, 5);
	iccr(s, 0, STUB_IAR1, ~0ull);
	obs(s, "GICR1_ISPENDR0", D_RD(1) + D_GICR_SGI + 0x200, 4, ~0ull);
	spi(s, 48, 1);
	spi(s, 49, 1);
	iccr(s, 1, STUB_HPPIR1, ~0ull);
	iccr(s, 0, STUB_HPPIR1, ~0ull);
	ack_eoi(s, 1, 48);
	iccr(s, 1, STUB_HPPIR1, ~0ull); /* level still high: pending again */
	spi(s, 48, 0);
	iccr(s, 1, STUB_HPPIR1, ~0ull);
	/* EOImode 1 on vCPU 0: EOIR drops priority, DIR deactivates. */
	iccw(s, 0, STUB_CTLR_W, 2);
	iccr(s, 0, STUB_CTLR_R, 0x3);
	iccr(s, 0, STUB_IAR1, ~0ull);
	spi(s, 49, 0);
	iccw(s, 0, STUB_EOIR1, 49);
	iccr(s, 0, STUB_RPR, ~0ull);
	obs(s, "GICD_ISACTIVER1 after EOIR", D_GICD + 0x304, 4, ~0ull);
	iccw(s, 0, STUB_DIR, 49);
	obs(s, "GICD_ISACTIVER1 after DIR", D_GICD + 0x304, 4, ~0ull);
	/* Retarget an edge-triggered SPI while pending. */
	w32(s, D_GICD + 0xc0c, 1u << 5); /* ICFGR3: 50 edge */
	spi(s, 50, 1);
	spi(s, 50, 0);
	w64(s, D_GICD + 0x6000 + 8 * 50, 1);
	drain(s, 0);
	drain(s, 1);
}

static const struct {
	const char *name;
	void (*fn)(struct scenario *s);
} fixed[] = {
	{ "regs", f_regs },           { "basic", f_basic },
	{ "multi", f_multi },
	{ "int", f_int },             { "clear", f_clear },
	{ "discard", f_discard },     { "mapi", f_mapi },
	{ "movi", f_movi },           { "movall", f_movall },
	{ "inv", f_inv },             { "drops", f_drops },
	{ "remap", f_remap },         { "two_level", f_two_level },
	{ "preset_pending", f_preset_pending },
	{ "lpis_disabled", f_lpis_disabled },
	{ "its_disabled", f_its_disabled },
	{ "cmdq_wrap", f_cmdq_wrap }, { "cmdq_memerr", f_cmdq_memerr },
	{ "spi", f_spi },             { "icc_lpi", f_icc_lpi },
	{ "icc_sgi_spi", f_icc_sgi_spi },
	{ "remap_event", f_remap_event }, { "unmap_pending", f_unmap_pending },
	{ "save_resume", f_save_resume }, { "mapc_remap", f_mapc_remap },
	{ "unmapped_pending", f_unmapped_pending },
	{ "shared_lpi", f_shared_lpi }, { "movall_mapi", f_movall_mapi },
	{ "movall_target", f_movall_target }, { "prio_ff", f_prio_ff },
};

size_t sc_nr_fixed(void) { return sizeof(fixed) / sizeof(*fixed); }
const char *sc_fixed_name(size_t i) { return fixed[i].name; }

int sc_build_fixed(struct scenario *s, const char *name)
{
	for (size_t i = 0; i < sc_nr_fixed(); i++) {
		if (!strcmp(fixed[i].name, name)) {
			sc_init(s, name);
			fixed[i].fn(s);
			return 0;
		}
	}
	return -1;
}

/* ---- random scenarios --------------------------------------------------- */

static uint64_t rnd(uint64_t *st)
{
	uint64_t x = *st ? *st : 0x9e3779b97f4a7c15ull;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*st = x;
	return x * 0x2545f4914f6cdd1dull;
}

static uint32_t pick(uint64_t *st, uint32_t n) { return (uint32_t)(rnd(st) % n); }

/*
 * Random streams: mostly-valid values with an occasional invalid one.
 * Patterns where QEMU and KVM are known to disagree (docs/divergences.md:
 * remap-event, unmap-pending, mapc-remap, shared-lpi, unmapped-pending)
 * are kept out: no pending bits are preset in RAM, every
 * (device, event) gets its own LPI, an EventID is DISCARDed before it is
 * mapped again, a device's events are DISCARDed before MAPD, and
 * collections are mapped once at the start (later MAPCs are invalid).
 * Everything else is fair game.  Every random draw is its own statement,
 * so that a seed means the same stream whatever the compiler's argument
 * evaluation order.
 */
#define R_EVENTS 16
#define R_LPI_MAPTI(di, ev) (8192 + 256 + (di) * R_EVENTS + (ev))
#define R_LPI_MAPI(di, ev) (8192 + 512 + (di) * R_EVENTS + (ev))
#define R_COLLS 4

static unsigned r_di(uint64_t *st) { return pick(st, D_NR_DEVS); }
static uint32_t r_dev(uint64_t *st, unsigned di, bool *valid)
{
	*valid = pick(st, 16) != 0;
	return *valid ? d_devids[di] : 0x10000 + pick(st, 0x10000);
}
static uint32_t r_ev(uint64_t *st) { return pick(st, R_EVENTS); }
/* Invalid: beyond the one-page (8192-entry) collection table. */
static uint32_t r_icid(uint64_t *st) { return pick(st, 12) ? pick(st, R_COLLS) : 0x2000 + pick(st, 8); }
static uint32_t r_lpi(uint64_t *st, unsigned di, uint32_t ev)
{
	switch (pick(st, 16)) {
	case 0: return 8192 - 1 - pick(st, 8192);           /* not an LPI */
	case 1: return (1u << D_LPI_IDBITS) + pick(st, 1u << 15); /* > IDbits */
	default: return R_LPI_MAPTI(di, ev);
	}
}

/* Unmap every event a device may have (MAPTI and MAPI ranges) before
 * its MAPD: a MAPD over live mappings is the unmap-pending divergence. */
static void r_discard_dev(struct scenario *s, uint32_t dev, unsigned di)
{
	for (uint32_t e = 0; e < R_EVENTS; e++) {
		put(s, c_discard(dev, e));
		put(s, c_discard(dev, R_LPI_MAPI(di, e)));
	}
	kick(s);
}

/* Wired interrupts in random streams (with the CPU interfaces): SPIs
 * 48..79 (no virt device drives them) with random trigger mode, priority,
 * enable and 1-of-1 routing, and SGIs with random priority and enable. */
#define R_SPI0 48u
#define R_NR_SPIS 32u

static void r_wired_setup(struct scenario *s, uint64_t *st)
{
	w32(s, D_GICD + 0x84, 0xffffffffu); /* Group 1: 32..95 */
	w32(s, D_GICD + 0x88, 0xffffffffu);
	for (uint32_t r = 3; r <= 4; r++) /* ICFGR3/4: 48..79 */
		w32(s, D_GICD + 0xc00 + 4 * r, (uint32_t)rnd(st) & 0xaaaaaaaau);
	/* Priorities never 0xff (prio-ff): & 0xfe in every byte. */
	for (uint32_t i = R_SPI0; i < R_SPI0 + R_NR_SPIS; i += 4)
		w32(s, D_GICD + 0x400 + i, (uint32_t)rnd(st) & 0xfefefefeu);
	for (uint32_t i = R_SPI0; i < R_SPI0 + R_NR_SPIS; i++)
		w64(s, D_GICD + 0x6000 + 8 * i, pick(st, D_NR_CPUS));
	w32(s, D_GICD + 0x104, (uint32_t)rnd(st) & 0xffff0000u);
	w32(s, D_GICD + 0x108, (uint32_t)rnd(st) & 0x0000ffffu);
	for (unsigned c = 0; c < D_NR_CPUS; c++) {
		w32(s, D_RD(c) + D_GICR_SGI + 0x80, 0xffffffffu);
		/* Clear first: SGIs reset enabled in KVM (reset-sgi-group). */
		w32(s, D_RD(c) + D_GICR_SGI + 0x180, 0xffffu);
		w32(s, D_RD(c) + D_GICR_SGI + 0x100, (uint32_t)rnd(st) & 0xffffu);
		for (uint32_t i = 0; i < 16; i += 4)
			w32(s, D_RD(c) + D_GICR_SGI + 0x400 + i,
			    (uint32_t)rnd(st) & 0xfefefefeu);
	}
}

static void r_wired_op(struct scenario *s, uint64_t *st)
{
	uint32_t intid = R_SPI0 + pick(st, R_NR_SPIS);
	uint64_t v;

	switch (pick(st, 6)) {
	case 0:
	case 1:
		spi(s, intid, (int)pick(st, 2));
		break;
	case 2: /* SGI from a vCPU to a random target list */
		v = (uint64_t)pick(st, 16) << 24;
		v |= 1 + pick(st, 3);
		iccw(s, pick(st, D_NR_CPUS), STUB_SGI1R, v);
		break;
	case 3: /* enable or disable one SPI */
		v = 1u << (intid % 32);
		w32(s, D_GICD + (pick(st, 2) ? 0x100 : 0x180) + 4 * (intid / 32),
		    (uint32_t)v);
		break;
	case 4: /* move it */
		w64(s, D_GICD + 0x6000 + 8 * intid, pick(st, D_NR_CPUS));
		break;
	default: { /* its priority */
		uint8_t prio = (uint8_t)rnd(st) & 0xfe;

		add(s, D_W, D_GICD + 0x400 + intid, prio, 1);
		break;
	}
	}
}

void sc_build_random(struct scenario *s, uint64_t seed, bool cpus)
{
	uint64_t st = seed * 0x9e3779b97f4a7c15ull + 1;
	unsigned n = 30 + pick(&st, 40);
	char name[32];

	snprintf(name, sizeof(name), "seed%llu", (unsigned long long)seed);
	sc_init(s, name);
	w32(s, D_GICD, 0x12);
	{
		uint8_t cfg[1024];

		for (unsigned i = 0; i < sizeof(cfg); i++)
			cfg[i] = (uint8_t)(rnd(&st) & 0xff) | 2;
		ramw(s, D_PROPBASE, cfg, sizeof(cfg));
	}
	for (unsigned c = 0; c < D_NR_CPUS; c++)
		if (pick(&st, 8))
			gicr_enable_lpis(s, c);
		else
			gicr_tables(s, c);
	its_setup(s, false, D_DEVTAB);
	map_colls(s, R_COLLS);
	if (cpus) {
		cpuif_on(s);
		r_wired_setup(s, &st);
	}
	for (unsigned i = 0; i < n; i++) {
		if (cpus && pick(&st, 6) == 0) {
			r_wired_op(s, &st);
			continue;
		}
		unsigned k = pick(&st, 100);
		unsigned di = r_di(&st);
		bool valid;
		uint32_t dev = r_dev(&st, di, &valid), ev = r_ev(&st);

		if (k < 12) {
			unsigned bits = pick(&st, 10) ? 1 + pick(&st, 6) :
				       pick(&st, 2) ? 14 : 1 + pick(&st, 20);

			if (valid)
				r_discard_dev(s, dev, di);
			put(s, c_mapd(dev, D_ITT(di), bits, pick(&st, 10) != 0));
		} else if (k < 16) {
			uint32_t icid = pick(&st, R_COLLS);

			/* Only invalid re-maps: even an identical MAPC moves
			 * LPIs back after a MOVALL in KVM (mapc-remap). */
			if (pick(&st, 2))
				put(s, c_mapc(icid, D_NR_CPUS + pick(&st, 8), true));
			else
				put(s, c_mapc(0x2000 + icid, 0, true));
		} else if (k < 38) {
			uint32_t lpi = r_lpi(&st, di, ev);

			put(s, c_discard(dev, ev));
			put(s, c_mapti(dev, ev, lpi, r_icid(&st)));
		} else if (k < 42) {
			uint32_t e = R_LPI_MAPI(di, ev);

			put(s, c_discard(dev, e));
			put(s, c_mapi(dev, e, r_icid(&st)));
			if (pick(&st, 2)) {
				kick(s);
				msi(s, d_devids[di], e);
				continue;
			}
		} else if (k < 48)
			put(s, c_int(dev, ev));
		else if (k < 52)
			put(s, c_clear(dev, ev));
		else if (k < 55)
			put(s, c_discard(dev, ev));
		else if (k < 61)
			put(s, c_movi(dev, ev, r_icid(&st)));
		else if (k < 63) {
			/* Only no-op MOVALLs (same or invalid RDbase): after
			 * a real one KVM routes MSIs by the moved LPIs, QEMU
			 * by the collections (movall-target). */
			uint32_t rd1 = pick(&st, 3);

			put(s, c_movall(rd1, pick(&st, 2) ? rd1 : D_NR_CPUS + pick(&st, 4)));
		} else if (k < 66)
			put(s, c_inv(dev, ev));
		else if (k < 68)
			put(s, c_invall(r_icid(&st)));
		else if (k < 70)
			put(s, c_sync(pick(&st, 3)));
		else if (k < 71) {
			struct cmd c;

			for (unsigned w = 0; w < 4; w++)
				c.w[w] = rnd(&st);
			c.w[0] = (c.w[0] & ~0xffull) | (0x10 + c.w[0] % 0xf0);
			put(s, c);
		} else if (k < 88) {
			msi(s, d_devids[di], ev);
			continue;
		} else if (k < 92) {
			uint32_t lpi = pick(&st, 2) ? R_LPI_MAPTI(di, ev) : R_LPI_MAPI(di, ev);
			uint8_t prio = (uint8_t)rnd(&st);

			lpi_config(s, lpi, prio, pick(&st, 2));
			continue;
		} else if (k < 94) {
			unsigned c = pick(&st, D_NR_CPUS);

			w32(s, D_RD(c) + 0, 1);
			obs(s, "GICR_CTLR EnableLPIs", D_RD(c), 4, 1);
			continue;
		} else if (k < 96 && cpus) {
			/* Peek at the highest pending interrupt mid-stream. */
			unsigned c = pick(&st, D_NR_CPUS);

			kick(s);
			iccr(s, c, STUB_HPPIR1, ~0ull);
			continue;
		} else {
			kick(s);
			continue;
		}
		if (pick(&st, 3) == 0)
			kick(s);
	}
	kick(s);
	if (cpus) {
		/* Lines low first: a level SPI would come back forever. */
		for (uint32_t i = R_SPI0; i < R_SPI0 + R_NR_SPIS; i++)
			spi(s, i, 0);
		for (unsigned c = 0; c < D_NR_CPUS; c++)
			drain(s, c);
		obs(s, "GICD_ISACTIVER1", D_GICD + 0x304, 4, ~0ull);
		obs(s, "GICD_ISACTIVER2", D_GICD + 0x308, 4, ~0ull);
	}
	pend_all(s);
}

void sc_observe_pending(struct scenario *s)
{
	pend_all(s);
}

/* ---- interpreter -------------------------------------------------------- */

static void record(struct d_obs *o, const struct d_op *op, uint64_t v)
{
	if (o->nr == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 256;
		o->val = realloc(o->val, o->cap * sizeof(*o->val));
		o->op = realloc(o->op, o->cap * sizeof(*o->op));
		if (!o->val || !o->op)
			exit(2);
	}
	o->val[o->nr] = v;
	o->op[o->nr++] = op;
}

/* Acknowledge everything @op's vCPU has, as (RPR << 32 | INTID) pairs.
 * The order among equal priorities is IMPLEMENTATION DEFINED, so each run
 * of equal RPR is sorted by INTID; the runs themselves must be in the same
 * order.  The count comes first. */
static void drain_run(const struct d_backend *b, const struct d_op *op,
		      struct d_obs *o)
{
	uint64_t got[256];
	size_t n = 0, start = 0;

	while (n < 256) {
		uint64_t intid = b->icc(b->be, op->len, STUB_IAR1, 0) & 0xffffff;
		uint64_t rpr;

		if (intid >= 1020 && intid <= 1023)
			break;
		rpr = b->icc(b->be, op->len, STUB_RPR, 0) & 0xff;
		b->icc(b->be, op->len, STUB_EOIR1, intid);
		got[n++] = rpr << 32 | intid;
		if (b->failed(b->be))
			break;
	}
	for (size_t i = 1; i <= n; i++) {
		if (i < n && got[i] >> 32 == got[start] >> 32)
			continue;
		for (size_t x = start + 1; x < i; x++) /* insertion sort */
			for (size_t y = x; y > start && got[y - 1] > got[y]; y--) {
				uint64_t t = got[y];

				got[y] = got[y - 1];
				got[y - 1] = t;
			}
		start = i;
	}
	record(o, op, n);
	for (size_t i = 0; i < n; i++)
		record(o, op, got[i]);
}

void sc_run(const struct scenario *s, const struct d_backend *b,
	    struct d_obs *o)
{
	for (size_t i = 0; i < s->nr; i++) {
		const struct d_op *op = &s->ops[i];

		switch (op->kind) {
		case D_W:
			b->write(b->be, op->addr, op->val, op->len);
			break;
		case D_R:
			record(o, op, b->read(b->be, op->addr, op->len) & op->mask);
			break;
		case D_RAMW:
			b->ramw(b->be, op->addr, op->data, op->len);
			break;
		case D_MSI:
			b->msi(b->be, (uint32_t)op->addr, (uint32_t)op->val);
			break;
		case D_SPI:
			b->spi(b->be, (uint32_t)op->addr, (int)op->val);
			break;
		case D_ICCW:
			b->icc(b->be, op->len, (unsigned)op->addr, op->val);
			break;
		case D_ICCR:
			record(o, op, b->icc(b->be, op->len, (unsigned)op->addr, 0) &
					      op->mask);
			break;
		case D_DRAIN:
			drain_run(b, op, o);
			break;
		case D_PENDBIT: {
			uint8_t byte = 0;

			b->sync_pending(b->be, true);
			b->ramr(b->be, D_PENDBASE(op->val) + op->addr / 8, &byte, 1);
			record(o, op, (byte >> (op->addr % 8)) & 1);
			break;
		}
		case D_PEND: {
			/* The LPI part of the table (INTIDs >= 8192); the
			 * first KiB is IMPLEMENTATION DEFINED. */
			uint64_t w[D_NR_LPIS / 64];

			b->sync_pending(b->be, false);
			b->ramr(b->be, D_PENDBASE(op->val) + 1024, w, sizeof(w));
			b->unsync_pending(b->be);
			for (size_t k = 0; k < sizeof(w) / 8; k++)
				record(o, op, w[k]);
			break;
		}
		}
		if (b->failed(b->be))
			return;
	}
}

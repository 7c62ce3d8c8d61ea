/*
 * Differential tests: run one scenario against QEMU 7.2's TCG GICv3 + ITS
 * (qtest) and against libvgic (public API), and compare the observations.
 *
 *   vgic-difftest --list
 *   vgic-difftest NAME...            fixed scenarios
 *   vgic-difftest --seeds FIRST N    random scenarios FIRST..FIRST+N-1
 *   vgic-difftest -v ...             print every observation
 *   vgic-difftest -q ...             run QEMU only, print its observations
 *   vgic-difftest -d ...             print the scenario's operations first
 *   vgic-difftest -x ...             self-test: libvgic loses every other MSI,
 *                                    so the comparison must fail
 *
 * Exit status: 0 equal, 1 a difference, 77 skipped (no QEMU, or libvgic
 * cannot build a GICv3 + ITS yet).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <vgic/vgic.h>

#include "qtest.h"
#include "scenario.h"

#define SKIP 77

/* ---- QEMU backend --------------------------------------------------------- */

static const char *const qemu_stopped[] = {
	"-device", "edu,addr=3.0", "-device", "edu,addr=4.0",
	"-device", "edu,addr=5.0", "-accel", "tcg", "-S", NULL,
};
static const char *const qemu_stub[] = {
	"-device", "edu,addr=3.0", "-device", "edu,addr=4.0",
	"-device", "edu,addr=5.0", "-kernel", STUB_PATH,
	"-accel", "tcg,thread=single", NULL,
};

struct qb {
	struct qtest q;
	uint64_t seq[D_NR_CPUS];
};

#define ECAM 0x4010000000ull
#define EDU_BAR(slot) (0x10000000ull + (uint64_t)(slot) * 0x100000)

static void q_write(void *be, uint64_t a, uint64_t v, uint32_t len) { qt_write(be, a, v, len); }
static uint64_t q_read(void *be, uint64_t a, uint32_t len) { return qt_read(be, a, len); }
static void q_ramw(void *be, uint64_t a, const void *b, size_t l) { qt_memwrite(be, a, b, l); }
static void q_ramr(void *be, uint64_t a, void *b, size_t l) { qt_memread(be, a, b, l); }
static bool q_failed(void *be) { return ((struct qtest *)be)->failed != 0; }

/* Generous: the machine may be loaded (2 cores shared with parallel
 * builds); a healthy stub answers in microseconds. */
#define STUB_TIMEOUT_S 60.0

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One CPU-interface operation through the guest stub's mailbox. */
static uint64_t q_icc(void *be, uint32_t cpu, unsigned op, uint64_t arg)
{
	struct qb *b = be;
	uint64_t mb = STUB_MAILBOX(cpu);
	uint64_t seq = ++b->seq[cpu];

	qt_write(&b->q, mb + 8, op, 8);
	qt_write(&b->q, mb + 16, arg, 8);
	qt_write(&b->q, mb + 0, seq, 8);
	for (double t0 = now(); now() - t0 < STUB_TIMEOUT_S;) {
		if (qt_read(&b->q, mb + 32, 8) == seq)
			return qt_read(&b->q, mb + 24, 8);
		if (b->q.failed)
			break;
	}
	fprintf(stderr, "qemu: guest stub on vCPU %u does not answer\n", cpu);
	b->q.failed = 1;
	return 0;
}

static int q_wait_stub(struct qb *b)
{
	for (unsigned c = 0; c < D_NR_CPUS; c++) {
		double t0 = now();

		while (qt_read(&b->q, STUB_MAILBOX(c) + 40, 8) != STUB_READY) {
			if (b->q.failed || now() - t0 > STUB_TIMEOUT_S)
				return -1;
		}
	}
	return 0;
}
/* QEMU keeps the pending bits in the guest's tables. */
static void q_sync(void *be, bool keep) { (void)be; (void)keep; }
static void q_unsync(void *be) { (void)be; }

static void q_msi(void *be, uint32_t devid, uint32_t ev)
{
	struct qtest *q = be;
	unsigned slot = devid >> 3;

	if (!devid) {
		qt_write(q, D_TRANSLATER, ev, 4); /* requester_id 0 */
		return;
	}
	/* An edu device: MSI data = EventID, then raise its interrupt. */
	qt_write(q, ECAM + ((uint64_t)slot << 15) + 0x4c, ev & 0xffff, 2);
	qt_write(q, EDU_BAR(slot) + 0x60, 1, 4);
	qt_write(q, EDU_BAR(slot) + 0x64, 1, 4);
}

static void q_spi(void *be, uint32_t intid, int level)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd),
		 "set_irq_in /machine/unattached/device[2] unnamed-gpio-in %u %d",
		 intid - 32, level);
	qt_cmd(be, cmd);
}

/* Config space of the edu devices: BAR0, memory + bus master, MSI with the
 * ITS doorbell. */
static void q_setup_edu(struct qtest *q)
{
	for (unsigned i = 1; i < D_NR_DEVS; i++) {
		unsigned slot = d_devids[i] >> 3;
		uint64_t cfg = ECAM + ((uint64_t)slot << 15);

		qt_write(q, cfg + 0x10, (uint32_t)EDU_BAR(slot), 4);
		qt_write(q, cfg + 0x04, 0x6, 2);
		qt_write(q, cfg + 0x44, (uint32_t)D_TRANSLATER, 4);
		qt_write(q, cfg + 0x48, 0, 4);
		qt_write(q, cfg + 0x4c, 0, 2);
		qt_write(q, cfg + 0x42, 0x1, 2); /* MSI enable, 1 vector */
	}
	qt_flush(q);
}

/* ---- libvgic backend ------------------------------------------------------ */

struct lv {
	struct vgic *v;
	struct vgic_device *gic, *its;
	uint8_t *ram;
	int bad;
	uint8_t saved[D_NR_CPUS][D_NR_LPIS / 8]; /* LPI part of each table */
	bool sabotage;		/* -x self-test */
	unsigned nr_msis;
};

static bool sabotage;

static int lv_rd(void *o, uint64_t gpa, void *buf, size_t len)
{
	struct lv *l = o;

	if (gpa < D_RAM || len > D_RAM_SIZE || gpa - D_RAM > D_RAM_SIZE - len)
		return -EFAULT;
	memcpy(buf, l->ram + (gpa - D_RAM), len);
	return 0;
}

static int lv_wr(void *o, uint64_t gpa, const void *buf, size_t len)
{
	struct lv *l = o;

	if (gpa < D_RAM || len > D_RAM_SIZE || gpa - D_RAM > D_RAM_SIZE - len)
		return -EFAULT;
	memcpy(l->ram + (gpa - D_RAM), buf, len);
	return 0;
}

static const struct vgic_host_ops lv_ops = { lv_rd, lv_wr, NULL };

static int set_attr(struct vgic_device *d, uint32_t grp, uint64_t attr,
		    void *val)
{
	struct vgic_device_attr a = { 0, grp, attr, (uint64_t)(uintptr_t)val };

	return vgic_device_set_attr(d, &a);
}

static int lv_open(struct lv *l)
{
	struct vgic_config cfg = { .nr_vcpus = D_NR_CPUS };
	uint64_t addr;
	uint32_t nirqs = D_NR_IRQS;
	int ret;

	memset(l, 0, sizeof(*l));
	l->ram = calloc(1, D_RAM_SIZE);
	if (!l->ram)
		return -ENOMEM;
	ret = vgic_create(&cfg, &lv_ops, l, &l->v);
	if (ret)
		return ret;
	if ((ret = vgic_device_create(l->v, VGIC_DEV_TYPE_V3, &l->gic)) ||
	    (ret = vgic_device_create(l->v, VGIC_DEV_TYPE_ITS, &l->its)))
		return ret;
	addr = D_GICD;
	if ((ret = set_attr(l->gic, VGIC_GRP_ADDR, VGIC_V3_ADDR_TYPE_DIST, &addr)))
		return ret;
	addr = D_GICR | (uint64_t)D_NR_CPUS << VGIC_REDIST_REGION_COUNT_SHIFT;
	if ((ret = set_attr(l->gic, VGIC_GRP_ADDR,
			    VGIC_V3_ADDR_TYPE_REDIST_REGION, &addr)))
		return ret;
	addr = D_ITS;
	if ((ret = set_attr(l->its, VGIC_GRP_ADDR, VGIC_ITS_ADDR_TYPE, &addr)) ||
	    (ret = set_attr(l->gic, VGIC_GRP_NR_IRQS, 0, &nirqs)) ||
	    (ret = set_attr(l->gic, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL)))
		return ret;
	return 0;
}

static void lv_close(struct lv *l)
{
	vgic_destroy(l->v);
	free(l->ram);
	l->v = NULL;
	l->ram = NULL;
}

static void l_write(void *be, uint64_t a, uint64_t v, uint32_t len)
{
	struct lv *l = be;

	if (vgic_mmio_write(l->v, 0, a, &v, len)) {
		fprintf(stderr, "libvgic: write 0x%llx not a GIC frame\n",
			(unsigned long long)a);
		l->bad = 1;
	}
}

static uint64_t l_read(void *be, uint64_t a, uint32_t len)
{
	struct lv *l = be;
	uint64_t v = 0;

	if (vgic_mmio_read(l->v, 0, a, &v, len)) {
		fprintf(stderr, "libvgic: read 0x%llx not a GIC frame\n",
			(unsigned long long)a);
		l->bad = 1;
	}
	return v;
}

static void l_ramw(void *be, uint64_t a, const void *b, size_t len) { lv_wr(be, a, b, len); }
static void l_ramr(void *be, uint64_t a, void *b, size_t len) { lv_rd(be, a, b, len); }
static bool l_failed(void *be) { return ((struct lv *)be)->bad != 0; }

static void l_msi(void *be, uint32_t devid, uint32_t ev)
{
	struct lv *l = be;

	if (l->sabotage && l->nr_msis++ % 2) /* -x: lose every other MSI */
		return;
	if (!devid) /* the guest-visible path QEMU's qtest write takes */
		l_write(be, D_TRANSLATER, ev, 4);
	else
		vgic_signal_msi(l->v, D_TRANSLATER, devid, ev);
}

static void l_spi(void *be, uint32_t intid, int level)
{
	vgic_irq_line(((struct lv *)be)->v, 0, intid, level != 0);
}

static const struct {
	uint32_t reg;
	bool write;
} l_icc_ops[STUB_NR_OPS] = {
	[STUB_IAR1] = { VGIC_ICC_IAR1_EL1, false },
	[STUB_EOIR1] = { VGIC_ICC_EOIR1_EL1, true },
	[STUB_HPPIR1] = { VGIC_ICC_HPPIR1_EL1, false },
	[STUB_RPR] = { VGIC_ICC_RPR_EL1, false },
	[STUB_PMR_R] = { VGIC_ICC_PMR_EL1, false },
	[STUB_PMR_W] = { VGIC_ICC_PMR_EL1, true },
	[STUB_IGRPEN1_R] = { VGIC_ICC_IGRPEN1_EL1, false },
	[STUB_IGRPEN1_W] = { VGIC_ICC_IGRPEN1_EL1, true },
	[STUB_CTLR_R] = { VGIC_ICC_CTLR_EL1, false },
	[STUB_CTLR_W] = { VGIC_ICC_CTLR_EL1, true },
	[STUB_DIR] = { VGIC_ICC_DIR_EL1, true },
	[STUB_AP1R0] = { VGIC_ICC_AP1R0_EL1, false },
	[STUB_SGI1R] = { VGIC_ICC_SGI1R_EL1, true },
	[STUB_BPR1_R] = { VGIC_ICC_BPR1_EL1, false },
	[STUB_BPR1_W] = { VGIC_ICC_BPR1_EL1, true },
	[STUB_ISR] = { 0, false },
};

static uint64_t l_icc(void *be, uint32_t cpu, unsigned op, uint64_t arg)
{
	struct lv *l = be;
	uint64_t val = arg;
	int ret;

	if (op == STUB_ISR) /* ISR_EL1.I and .F: the vCPU's IRQ/FIQ lines */
		return (uint64_t)vgic_vcpu_irq_pending(l->v, cpu) << 7 |
		       (uint64_t)vgic_vcpu_fiq_pending(l->v, cpu) << 6;
	if (l_icc_ops[op].write)
		ret = vgic_sysreg_write(l->v, cpu, l_icc_ops[op].reg, arg);
	else
		ret = vgic_sysreg_read(l->v, cpu, l_icc_ops[op].reg, &val);
	if (ret) {
		fprintf(stderr, "libvgic: sysreg op %u: %s\n", op,
			vgic_strerror(ret));
		l->bad = 1;
	}
	return l_icc_ops[op].write ? 0 : val;
}

static void l_sync(void *be, bool keep)
{
	struct lv *l = be;
	int ret;

	if (!keep)
		for (unsigned c = 0; c < D_NR_CPUS; c++)
			lv_rd(l, D_PENDBASE(c) + 1024, l->saved[c], D_NR_LPIS / 8);
	ret = set_attr(l->gic, VGIC_GRP_CTRL, VGIC_CTRL_SAVE_PENDING_TABLES,
		       NULL);
	if (ret) {
		fprintf(stderr, "libvgic: SAVE_PENDING_TABLES: %s\n",
			vgic_strerror(ret));
		l->bad = 1;
	}
}

static void l_unsync(void *be)
{
	struct lv *l = be;

	for (unsigned c = 0; c < D_NR_CPUS; c++)
		lv_wr(l, D_PENDBASE(c) + 1024, l->saved[c], D_NR_LPIS / 8);
}

/* ---- comparison ----------------------------------------------------------- */

static int verbose, qemu_only, dump;
static size_t trunc_at; /* -t N: keep ops < N, then observe pending tables */

static void dump_ops(const struct scenario *s)
{
	static const char *const k[] = { "W", "R", "RAMW", "PEND", "PENDBIT",
					 "MSI", "SPI", "ICCW", "ICCR", "DRAIN" };

	for (size_t i = 0; i < s->nr; i++) {
		const struct d_op *o = &s->ops[i];

		printf("%4zu %-7s addr 0x%llx val 0x%llx len %u %s", i,
		       k[o->kind], (unsigned long long)o->addr,
		       (unsigned long long)o->val, o->len, o->what);
		if (o->kind == D_RAMW && o->len == 32) {
			const uint64_t *w = (const uint64_t *)(const void *)o->data;

			printf(" cmd %llx %llx %llx %llx",
			       (unsigned long long)w[0], (unsigned long long)w[1],
			       (unsigned long long)w[2], (unsigned long long)w[3]);
		}
		printf("\n");
	}
}

static void obs_free(struct d_obs *o)
{
	free(o->val);
	free(o->op);
	memset(o, 0, sizeof(*o));
}

static int compare(const struct scenario *s, const struct d_obs *q,
		   const struct d_obs *l)
{
	int diffs = 0;

	if (q->nr != l->nr)
		printf("%s: %zu observations from QEMU, %zu from libvgic\n",
		       s->name, q->nr, l->nr);
	for (size_t i = 0; i < q->nr && i < l->nr; i++) {
		const struct d_op *op = q->op[i];
		bool ok;

		if (op->div)
			ok = q->val[i] == op->div_qemu && l->val[i] == op->div_vgic;
		else
			ok = q->val[i] == l->val[i];
		if (verbose || !ok)
			printf("%s: #%zu (op %zu) %-36s qemu 0x%llx libvgic 0x%llx%s%s%s\n",
			       s->name, i, (size_t)(op - s->ops),
			       op->what, (unsigned long long)q->val[i],
			       (unsigned long long)l->val[i],
			       op->div ? " [divergence " : "",
			       op->div ? op->div : "", op->div ? "]" : "");
		if (!ok && ++diffs > 20)
			break;
		if (!ok && q->op[i] != l->op[i])
			break; /* out of step (a drain of another length) */
	}
	return diffs != 0 || q->nr != l->nr;
}

static int run_one(struct scenario *s)
{
	struct qb qb;
	struct qtest *q = &qb.q;
	struct lv l;
	struct d_obs oq = { 0 }, ol = { 0 };
	struct d_backend bq = { "qemu", &qb, q_write, q_read, q_ramw, q_ramr,
				q_msi, q_spi, q_sync, q_unsync, q_icc,
				q_failed };
	struct d_backend bl = { "libvgic", &l, l_write, l_read, l_ramw, l_ramr,
				l_msi, l_spi, l_sync, l_unsync, l_icc,
				l_failed };
	int ret;

	if (trunc_at && trunc_at < s->nr) {
		size_t keep = trunc_at;

		for (size_t k = keep; k < s->nr; k++)
			free(s->ops[k].data);
		s->nr = keep;
		sc_observe_pending(s);
	}
	if (dump)
		dump_ops(s);
	ret = lv_open(&l);
	l.sabotage = sabotage;
	if (ret && !qemu_only) {
		printf("SKIP %s: libvgic cannot build GICv3 + ITS yet (%s)\n",
		       s->name, vgic_strerror(ret));
		lv_close(&l);
		return SKIP;
	}
	if (s->cpus && access(STUB_PATH, R_OK)) {
		printf("SKIP %s: no guest stub (aarch64-linux-gnu-gcc)\n", s->name);
		lv_close(&l);
		return SKIP;
	}
	memset(&qb, 0, sizeof(qb));
	if (qt_start(q, s->cpus ? qemu_stub : qemu_stopped) ||
	    (s->cpus && q_wait_stub(&qb))) {
		printf("SKIP %s: qemu-system-aarch64 not available\n", s->name);
		lv_close(&l);
		return SKIP;
	}
	q_setup_edu(q);
	sc_run(s, &bq, &oq);
	qt_flush(q);
	ret = q->failed;
	qt_stop(q);
	if (ret) {
		printf("%s: QEMU failed (no reply)\n", s->name);
		lv_close(&l);
		obs_free(&oq);
		return 1;
	}
	if (qemu_only) {
		for (size_t k = 0; k < oq.nr; k++)
			printf("%s: #%zu %-36s qemu 0x%llx\n", s->name, k,
			       oq.op[k]->what, (unsigned long long)oq.val[k]);
		lv_close(&l);
		obs_free(&oq);
		return 0;
	}
	sc_run(s, &bl, &ol);
	ret = l.bad ? 1 : compare(s, &oq, &ol);
	printf("%s %s: %zu ops, %zu observations\n", ret ? "FAIL" : "ok",
	       s->name, s->nr, oq.nr);
	lv_close(&l);
	obs_free(&oq);
	obs_free(&ol);
	return ret;
}

int main(int argc, char **argv)
{
	int i = 1, worst = 0, ran = 0, skipped = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (; i < argc && argv[i][0] == '-' && argv[i][1] != '-'; i++) {
		if (strchr(argv[i], 'v'))
			verbose = 1;
		if (strchr(argv[i], 'x'))
			sabotage = 1;
		if (strchr(argv[i], 't') && i + 1 < argc)
			trunc_at = strtoul(argv[++i], NULL, 0);
		else if (strchr(argv[i], 'd'))
			dump = 1; /* print the scenario's operations first */
		if (strchr(argv[i], 'q'))
			qemu_only = 1; /* print QEMU's observations only */
	}
	if (i < argc && !strcmp(argv[i], "--list")) {
		for (size_t k = 0; k < sc_nr_fixed(); k++)
			printf("%s\n", sc_fixed_name(k));
		return 0;
	}
	if (i + 2 < argc && !strcmp(argv[i], "--seeds")) {
		uint64_t first = strtoull(argv[i + 1], NULL, 0);
		uint64_t n = strtoull(argv[i + 2], NULL, 0);

		for (uint64_t k = 0; k < n; k++) {
			struct scenario s;
			int r;

			/* Odd seeds also drive the CPU interfaces (slower). */
			sc_build_random(&s, first + k,
					(first + k) % 2 && !access(STUB_PATH, R_OK));
			r = run_one(&s);
			sc_free(&s);
			if (r == SKIP)
				return SKIP;
			ran++;
			if (r > worst)
				worst = r;
		}
		printf("%d random scenarios, %s\n", ran, worst ? "DIFFERENCES" : "all equal");
		return worst;
	}
	for (; i < argc; i++) {
		struct scenario s;
		int r;

		if (sc_build_fixed(&s, argv[i])) {
			fprintf(stderr, "unknown scenario %s (--list)\n", argv[i]);
			return 2;
		}
		r = run_one(&s);
		sc_free(&s);
		if (r == SKIP)
			skipped++;
		else if (r > worst)
			worst = r;
		ran++;
	}
	if (!ran) {
		fprintf(stderr, "usage: %s [-v] --list | NAME... | --seeds FIRST N\n",
			argv[0]);
		return 2;
	}
	return worst ? worst : skipped ? SKIP : 0;
}

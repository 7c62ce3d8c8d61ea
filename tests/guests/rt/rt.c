/*
 * Guest runtime implementation: see rt.h.  Everything runs at EL1 with the
 * MMU off, so every data access is Device memory: no unaligned accesses
 * (-mstrict-align), and shared counters use exclusives.
 */
#include "rt.h"

#include <stdarg.h>

#define PSCI_CPU_OFF 0x84000002ul
#define PSCI_CPU_ON 0xc4000003ul
#define PSCI_SYSTEM_OFF 0x84000008ul
#define PSCI_FEATURES 0x8400000aul
#define VMM_EXIT 0x86000001ul

extern char secondary_entry[];

int gic_version;
static irq_handler_t irq_handler;
static void (*secondary_fn)(uint32_t cpu);
static volatile uint32_t cpus_online = 1;
static volatile uint32_t print_lock;
static volatile uint32_t heap_lock;
static uintptr_t heap_next = HEAP_BASE;

/* ---- libc bits the compiler may call ------------------------------------ */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n)
{
	volatile uint8_t *p = d;

	while (n--)
		*p++ = (uint8_t)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	volatile uint8_t *o = d;
	const volatile uint8_t *i = s;

	while (n--)
		*o++ = *i++;
	return d;
}

static void lock(volatile uint32_t *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static void unlock(volatile uint32_t *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

/* ---- console -------------------------------------------------------------- */
static void uart_putc(char c)
{
	while (rd32(UART_BASE + 0x18) & (1u << 5)) /* TXFF */
		;
	wr32(UART_BASE, (uint8_t)c);
}

void putc_(char c)
{
	if (c == '\n')
		uart_putc('\r');
	uart_putc(c);
}

int getc_nb(void)
{
	if (rd32(UART_BASE + 0x18) & (1u << 4)) /* RXFE */
		return -1;
	return (int)(rd32(UART_BASE) & 0xff);
}

static void puts_nolock(const char *s)
{
	while (*s)
		putc_(*s++);
}

void puts_(const char *s)
{
	lock(&print_lock);
	puts_nolock(s);
	unlock(&print_lock);
}

static void put_num(uint64_t v, unsigned base, int width, char pad, bool neg)
{
	char buf[24];
	int n = 0;

	do {
		unsigned d = (unsigned)(v % base);

		buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	if (neg)
		buf[n++] = '-';
	while (width-- > n)
		putc_(pad);
	while (n)
		putc_(buf[--n]);
}

static void vprint(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		char pad = ' ';

		if (*fmt != '%') {
			putc_(*fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0') {
			pad = '0';
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			lng++;
			fmt++;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);

			put_num(v < 0 ? (uint64_t)-v : (uint64_t)v, 10, width,
				pad, v < 0);
			break;
		}
		case 'u':
			put_num(lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned),
				10, width, pad, false);
			break;
		case 'x':
			put_num(lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned),
				16, width, pad, false);
			break;
		case 'p':
			puts_nolock("0x");
			put_num((uintptr_t)va_arg(ap, void *), 16, width, pad,
				false);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			puts_nolock(s ? s : "(null)");
			break;
		}
		case 'c':
			putc_((char)va_arg(ap, int));
			break;
		case '%':
			putc_('%');
			break;
		default:
			putc_('?');
			break;
		}
	}
}

void printf_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lock(&print_lock);
	vprint(fmt, ap);
	unlock(&print_lock);
	va_end(ap);
}

/* ---- PSCI, CPUs, exit --------------------------------------------------------- */
int64_t psci(uint64_t fn, uint64_t a, uint64_t b, uint64_t c)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a;
	register uint64_t x2 __asm__("x2") = b;
	register uint64_t x3 __asm__("x3") = c;

	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "memory");
	return (int64_t)x0;
}

uint32_t cpu_id(void)
{
	return (uint32_t)sysreg_read(tpidr_el1);
}

uint64_t cpu_mpidr(uint32_t cpu)
{
	return ((uint64_t)(cpu / 16) << 8) | (cpu % 16);
}

uint32_t nr_cpus(void)
{
	return atomic_load32(&cpus_online);
}

void test_exit(int status)
{
	printf_("TEST-EXIT %d\n", status);
	if (psci(PSCI_FEATURES, VMM_EXIT, 0, 0) == 0)
		psci(VMM_EXIT, (uint64_t)status, 0, 0);
	psci(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		wfi();
}

void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lock(&print_lock);
	puts_nolock("FAIL: ");
	vprint(fmt, ap);
	puts_nolock("\n");
	unlock(&print_lock);
	va_end(ap);
	test_exit(1);
}

void rt_bad_exception(uint64_t n, uint64_t esr, uint64_t elr, uint64_t far);
void rt_bad_exception(uint64_t n, uint64_t esr, uint64_t elr, uint64_t far)
{
	fail("unexpected exception %lu: ESR 0x%lx ELR 0x%lx FAR 0x%lx", n, esr,
	     elr, far);
}

void barrier_wait(volatile uint32_t *b, uint32_t n)
{
	atomic_inc(b);
	while (atomic_load32(b) < n)
		cpu_relax();
}

void rt_entry(uint32_t cpu, uint64_t dtb);
void rt_entry(uint32_t cpu, uint64_t dtb)
{
	(void)dtb;
	if (cpu == 0)
		test_exit(main());
	atomic_inc(&cpus_online);
	secondary_fn(cpu);
	psci(PSCI_CPU_OFF, 0, 0, 0);
	for (;;)
		wfi();
}

uint32_t start_secondaries(uint32_t want, void (*fn)(uint32_t cpu))
{
	uint32_t started = 1;

	secondary_fn = fn;
	for (uint32_t i = 1; i < MAX_CPUS && (!want || i < want); i++) {
		if (psci(PSCI_CPU_ON, cpu_mpidr(i), (uintptr_t)secondary_entry,
			 i))
			break;
		started++;
		while (atomic_load32(&cpus_online) < started)
			cpu_relax();
	}
	return started;
}

/* ---- heap ------------------------------------------------------------------- */
void *alloc_zeroed(size_t size, size_t align)
{
	uintptr_t p;

	lock(&heap_lock);
	p = (heap_next + align - 1) & ~(uintptr_t)(align - 1);
	heap_next = p + size;
	unlock(&heap_lock);
	for (size_t i = 0; i < size; i += 8)
		wr64(p + i, 0);
	dsb();
	return (void *)p;
}

/* ---- timer -------------------------------------------------------------------- */
uint64_t counter(void)
{
	isb();
	return sysreg_read(cntvct_el0);
}

uint64_t counter_freq(void)
{
	return sysreg_read(cntfrq_el0);
}

void delay_us(uint64_t us)
{
	uint64_t end = counter() + us * counter_freq() / 1000000;

	while (counter() < end)
		cpu_relax();
}

/* ---- interrupts ------------------------------------------------------------------ */
void set_irq_handler(irq_handler_t h)
{
	irq_handler = h;
}

void rt_irq(int is_fiq);
void rt_irq(int is_fiq)
{
	uint32_t cpu = cpu_id();

	for (;;) {
		uint32_t iar, intid;

		if (gic_version == 3)
			iar = (uint32_t)icc_read(ICC_IAR1_EL1);
		else
			iar = rd32(GICC_BASE + 0x0c);
		intid = gic_version == 3 ? (iar & 0xffffff) : (iar & 0x3ff);
		if (intid >= 1020 && intid <= 1023) {
			if (is_fiq)
				fail("cpu%u: FIQ with nothing pending", cpu);
			return;
		}
		if (irq_handler)
			irq_handler(cpu, intid);
		else
			fail("cpu%u: interrupt %u without a handler", cpu, intid);
		if (gic_version == 3)
			icc_write(ICC_EOIR1_EL1, iar);
		else
			wr32(GICC_BASE + 0x10, iar);
	}
}

/* ---- GICv3 distributor, redistributors, CPU interface ----------------------------- */
#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_ISPENDR 0x0200
#define GICD_IPRIORITYR 0x0400
#define GICD_ITARGETSR 0x0800
#define GICD_ICFGR 0x0c00
#define GICD_SGIR 0x0f00
#define GICD_IROUTER 0x6000
#define GICD_PIDR2 0xffe8
#define GICR_CTLR 0x0000
#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_PROPBASER 0x0070
#define GICR_PENDBASER 0x0078
#define SGI_BASE 0x10000

static uint32_t gic_lines(void)
{
	return 32 * ((rd32(GICD_BASE + GICD_TYPER) & 0x1f) + 1);
}

static void gicd_wait_rwp(void)
{
	while (rd32(GICD_BASE + GICD_CTLR) & (1u << 31))
		;
}

void gicv3_dist_init(void)
{
	uint32_t lines = gic_lines();

	wr32(GICD_BASE + GICD_CTLR, 0);
	gicd_wait_rwp();
	for (uint32_t i = 32; i < lines; i += 32) {
		wr32(GICD_BASE + GICD_IGROUPR + i / 8, 0xffffffff);
		wr32(GICD_BASE + GICD_ICENABLER + i / 8, 0xffffffff);
	}
	for (uint32_t i = 32; i < lines; i += 4)
		wr32(GICD_BASE + GICD_IPRIORITYR + i, 0xa0a0a0a0);
	for (uint32_t i = 32; i < lines; i += 16)
		wr32(GICD_BASE + GICD_ICFGR + i / 4, 0);
	/* ARE_NS | EnableGrp1NS | EnableGrp1... (single security state) */
	wr32(GICD_BASE + GICD_CTLR, 0x13);
	gicd_wait_rwp();
}

static uint64_t my_affinity(void)
{
	uint64_t m = sysreg_read(mpidr_el1);

	return (m & 0xffffff) | (((m >> 32) & 0xff) << 24);
}

uintptr_t gicr_base(uint32_t cpu)
{
	uint64_t aff = cpu_mpidr(cpu);

	for (uintptr_t rd = GICR_BASE;; rd += 0x20000) {
		uint64_t typer = rd64(rd + GICR_TYPER);

		if ((typer >> 32) == aff)
			return rd;
		if (typer & (1u << 4))
			fail("no redistributor for cpu%u", cpu);
	}
}

void gicv3_cpu_init(uint32_t cpu)
{
	uintptr_t rd = gicr_base(cpu);

	CHECK(my_affinity() == cpu_mpidr(cpu), "cpu%u: MPIDR 0x%lx", cpu,
	      my_affinity());
	wr32(rd + GICR_WAKER, rd32(rd + GICR_WAKER) & ~2u);
	while (rd32(rd + GICR_WAKER) & 4u)
		;
	wr32(rd + SGI_BASE + GICD_IGROUPR, 0xffffffff);
	wr32(rd + SGI_BASE + GICD_ICENABLER, 0xffff0000);
	wr32(rd + SGI_BASE + GICD_ISENABLER, 0x0000ffff);
	for (uint32_t i = 0; i < 32; i += 4)
		wr32(rd + SGI_BASE + GICD_IPRIORITYR + i, 0xa0a0a0a0);
	wr32(rd + SGI_BASE + GICD_ICFGR + 4, 0); /* PPIs level */
	icc_write(ICC_SRE_EL1, icc_read(ICC_SRE_EL1) | 7);
	isb();
	CHECK(icc_read(ICC_SRE_EL1) & 1, "cpu%u: ICC_SRE_EL1.SRE stuck at 0",
	      cpu);
	icc_write(ICC_PMR_EL1, 0xff);
	icc_write(ICC_BPR1_EL1, 0);
	icc_write(ICC_CTLR_EL1, 0);
	icc_write(ICC_IGRPEN1_EL1, 1);
	isb();
}

void gicv3_enable_irq(uint32_t intid, uint32_t cpu, bool edge)
{
	uint32_t bit = 1u << (intid % 32);

	if (intid < 32) {
		uintptr_t rd = gicr_base(cpu_id()) + SGI_BASE;

		if (intid >= 16) {
			uint32_t v = rd32(rd + GICD_ICFGR + 4);

			v &= ~(3u << ((intid - 16) * 2));
			v |= (edge ? 2u : 0) << ((intid - 16) * 2);
			wr32(rd + GICD_ICFGR + 4, v);
		}
		wr32(rd + GICD_ISENABLER, bit);
		return;
	}
	{
		uintptr_t cfg = GICD_BASE + GICD_ICFGR + (intid / 16) * 4;
		uint32_t v = rd32(cfg);

		v &= ~(3u << ((intid % 16) * 2));
		v |= (edge ? 2u : 0) << ((intid % 16) * 2);
		wr32(cfg, v);
		wr64(GICD_BASE + GICD_IROUTER + 8 * intid, cpu_mpidr(cpu));
		wr32(GICD_BASE + GICD_ISENABLER + (intid / 32) * 4, bit);
	}
}

void gicv3_pend_spi(uint32_t intid)
{
	wr32(GICD_BASE + GICD_ISPENDR + (intid / 32) * 4, 1u << (intid % 32));
}

void gicv3_send_sgi(uint32_t target, uint32_t intid)
{
	uint64_t m = cpu_mpidr(target);
	uint64_t v = ((uint64_t)intid << 24) | (((m >> 8) & 0xff) << 16) |
		     (1u << (m & 0xf));

	dsb();
	icc_write(ICC_SGI1R_EL1, v);
	isb();
}

void gicv3_send_sgi_all_but_self(uint32_t intid)
{
	dsb();
	icc_write(ICC_SGI1R_EL1, ((uint64_t)intid << 24) | (1ull << 40));
	isb();
}

/* ---- LPIs ------------------------------------------------------------------------- */
static uint8_t *prop_table;

void lpi_init_cpu(uint32_t cpu)
{
	uintptr_t rd = gicr_base(cpu);
	void *pend;

	if (!prop_table)
		prop_table = alloc_zeroed((1u << LPI_ID_BITS) - LPI_BASE, 4096);
	pend = alloc_zeroed((1u << LPI_ID_BITS) / 8, 65536);
	wr64(rd + GICR_PROPBASER, (uintptr_t)prop_table | (LPI_ID_BITS - 1));
	wr64(rd + GICR_PENDBASER, (uintptr_t)pend | (1ull << 62));
	dsb();
	wr32(rd + GICR_CTLR, rd32(rd + GICR_CTLR) | 1);
	dsb();
}

void lpi_config(uint32_t intid, bool enable, uint8_t prio)
{
	wr8((uintptr_t)prop_table + intid - LPI_BASE,
	    (uint8_t)((prio & 0xfc) | 2 | (enable ? 1 : 0)));
	dsb();
}

/* ---- ITS ----------------------------------------------------------------------------- */
#define GITS_CTLR 0x0000
#define GITS_TYPER 0x0008
#define GITS_CBASER 0x0080
#define GITS_CWRITER 0x0088
#define GITS_CREADR 0x0090
#define GITS_BASER 0x0100
#define CMDQ_SIZE 65536u

static uintptr_t cmdq;
static uint32_t cmd_wr;
static bool batch;
static uint32_t itt_esz;
static bool its_pta;
static uint64_t *dev_l1;       /* two-level: L1 table */
static uint32_t dev_esz;       /* device table entry size */
static bool dev_two_level;
static uint32_t dev_psz;       /* ITS page size */

static void its_cmd(uint64_t d0, uint64_t d1, uint64_t d2, uint64_t d3)
{
	uint32_t next = (cmd_wr + 32) % CMDQ_SIZE;

	while (next == (rd64(ITS_BASE + GITS_CREADR) & 0xfffe0))
		wr64(ITS_BASE + GITS_CWRITER, cmd_wr);
	wr64(cmdq + cmd_wr, d0);
	wr64(cmdq + cmd_wr + 8, d1);
	wr64(cmdq + cmd_wr + 16, d2);
	wr64(cmdq + cmd_wr + 24, d3);
	cmd_wr = next;
	dsb();
	if (!batch)
		its_flush();
}

void its_flush(void)
{
	uint64_t r;

	wr64(ITS_BASE + GITS_CWRITER, cmd_wr);
	while (((r = rd64(ITS_BASE + GITS_CREADR)) & 0xfffe0) != cmd_wr)
		CHECK(!(r & 1), "ITS command queue stalled at 0x%lx", r);
}

void its_queue_only(bool on)
{
	batch = on;
	if (!on)
		its_flush();
}

static uint64_t rdbase(uint32_t cpu)
{
	return its_pta ? (gicr_base(cpu) >> 16) : cpu;
}

void its_init(bool two_level)
{
	uint64_t typer = rd64(ITS_BASE + GITS_TYPER);

	CHECK(typer & 1, "no ITS at 0x%lx (GITS_TYPER.Physical = 0)",
	      (uint64_t)ITS_BASE);
	wr32(ITS_BASE + GITS_CTLR, 0);
	while (!(rd32(ITS_BASE + GITS_CTLR) & (1u << 31)))
		;
	itt_esz = (uint32_t)((typer >> 4) & 0xf) + 1;
	its_pta = (typer >> 19) & 1;
	for (int n = 0; n < 8; n++) {
		uintptr_t reg = ITS_BASE + GITS_BASER + 8 * n;
		uint64_t v = rd64(reg);
		uint32_t type = (v >> 56) & 7, esz = ((v >> 48) & 0x1f) + 1;
		uint32_t psz;
		void *tbl;

		if (type == 0)
			continue;
		/* ask for 4K pages, take what the ITS offers (KVM: 64K) */
		wr64(reg, v & ~(3ull << 8));
		v = rd64(reg);
		psz = 4096u << (2 * ((v >> 8) & 3));
		if (psz > 65536)
			psz = 65536;
		tbl = alloc_zeroed(psz, 65536);
		if (type == 1 && two_level) {
			/* one L1 page of pointers to L2 pages */
			wr64(reg, (1ull << 63) | (1ull << 62) | (v & (3ull << 8)) |
				  (uintptr_t)tbl);
			if (rd64(reg) & (1ull << 62)) {
				dev_two_level = true;
				dev_l1 = tbl;
				dev_esz = esz;
				dev_psz = psz;
				continue;
			}
			printf_("ITS: two-level device table not supported\n");
		}
		/* flat: one page */
		wr64(reg, (1ull << 63) | (v & (3ull << 8)) | (uintptr_t)tbl);
		CHECK(rd64(reg) >> 63, "ITS: BASER%d (type %u) not valid", n,
		      type);
	}
	cmdq = (uintptr_t)alloc_zeroed(CMDQ_SIZE, 65536);
	wr64(ITS_BASE + GITS_CBASER, (1ull << 63) | cmdq | (CMDQ_SIZE / 4096 - 1));
	wr64(ITS_BASE + GITS_CWRITER, 0);
	cmd_wr = 0;
	wr32(ITS_BASE + GITS_CTLR, 1);
	dsb();
}

void its_mapc(uint32_t icid, uint32_t cpu)
{
	its_cmd(0x09, 0, (1ull << 63) | (rdbase(cpu) << 16) | icid, 0);
}

void its_mapd(uint32_t devid, uint32_t event_bits)
{
	uint32_t nev = 1u << event_bits;
	uint32_t size = nev * itt_esz;
	void *itt;

	if (size < 256)
		size = 256;
	itt = alloc_zeroed(size, 256);
	if (dev_two_level) {
		uint32_t per_page = dev_psz / dev_esz, idx = devid / per_page;

		CHECK(idx < dev_psz / 8, "device %u beyond the L1 table", devid);
		if (!(dev_l1[idx] >> 63)) {
			void *l2 = alloc_zeroed(dev_psz, dev_psz);

			wr64((uintptr_t)&dev_l1[idx],
			     (1ull << 63) | (uintptr_t)l2);
			dsb();
		}
	}
	its_cmd(0x08 | ((uint64_t)devid << 32), event_bits - 1,
		(1ull << 63) | (uintptr_t)itt, 0);
}

void its_mapti(uint32_t devid, uint32_t event, uint32_t intid, uint32_t icid)
{
	its_cmd(0x0a | ((uint64_t)devid << 32),
		event | ((uint64_t)intid << 32), icid, 0);
}

void its_movi(uint32_t devid, uint32_t event, uint32_t icid)
{
	its_cmd(0x01 | ((uint64_t)devid << 32), event, icid, 0);
}

void its_int(uint32_t devid, uint32_t event)
{
	its_cmd(0x03 | ((uint64_t)devid << 32), event, 0, 0);
}

void its_inv(uint32_t devid, uint32_t event)
{
	its_cmd(0x0c | ((uint64_t)devid << 32), event, 0, 0);
}

void its_invall(uint32_t icid)
{
	its_cmd(0x0d, 0, icid, 0);
}

void its_sync(uint32_t cpu)
{
	its_cmd(0x05, 0, rdbase(cpu) << 16, 0);
}

/* ---- GICv2 ------------------------------------------------------------------------ */
void gicv2_dist_init(void)
{
	uint32_t lines = gic_lines();

	wr32(GICD_BASE + GICD_CTLR, 0);
	for (uint32_t i = 32; i < lines; i += 32)
		wr32(GICD_BASE + GICD_ICENABLER + i / 8, 0xffffffff);
	for (uint32_t i = 32; i < lines; i += 4)
		wr32(GICD_BASE + GICD_IPRIORITYR + i, 0xa0a0a0a0);
	for (uint32_t i = 32; i < lines; i += 16)
		wr32(GICD_BASE + GICD_ICFGR + i / 4, 0);
	wr32(GICD_BASE + GICD_CTLR, 1);
}

void gicv2_cpu_init(uint32_t cpu)
{
	(void)cpu;
	wr32(GICD_BASE + GICD_ISENABLER, 0x0000ffff);
	for (uint32_t i = 0; i < 32; i += 4)
		wr32(GICD_BASE + GICD_IPRIORITYR + i, 0xa0a0a0a0);
	wr32(GICC_BASE + 0x04, 0xff); /* GICC_PMR */
	wr32(GICC_BASE + 0x08, 0);    /* GICC_BPR */
	wr32(GICC_BASE + 0x00, 1);    /* GICC_CTLR: enable group 0/1 signalling */
}

void gicv2_enable_irq(uint32_t intid, uint32_t cpu_mask, bool edge)
{
	uintptr_t cfg = GICD_BASE + GICD_ICFGR + (intid / 16) * 4;
	uint32_t v = rd32(cfg);

	if (intid >= 16) {
		v &= ~(3u << ((intid % 16) * 2));
		v |= (edge ? 2u : 0) << ((intid % 16) * 2);
		wr32(cfg, v);
	}
	if (intid >= 32)
		wr8(GICD_BASE + GICD_ITARGETSR + intid, (uint8_t)cpu_mask);
	wr32(GICD_BASE + GICD_ISENABLER + (intid / 32) * 4, 1u << (intid % 32));
}

void gicv2_send_sgi(uint32_t target_mask, uint32_t intid)
{
	dsb();
	wr32(GICD_BASE + GICD_SGIR, (target_mask << 16) | intid);
}

void gicv2_pend_spi(uint32_t intid)
{
	wr32(GICD_BASE + GICD_ISPENDR + (intid / 32) * 4, 1u << (intid % 32));
}

/* ---- front end --------------------------------------------------------------------- */
void gic_init_primary(void)
{
	uint32_t arch = (rd32(GICD_BASE + GICD_PIDR2) >> 4) & 0xf;
	uint64_t pfr0 = sysreg_read(id_aa64pfr0_el1);

	gic_version = (arch >= 3 && ((pfr0 >> 24) & 0xf)) ? 3 : 2;
	if (gic_version == 3) {
		gicv3_dist_init();
		gicv3_cpu_init(0);
	} else {
		gicv2_dist_init();
		gicv2_cpu_init(0);
	}
}

void gic_init_secondary(uint32_t cpu)
{
	if (gic_version == 3)
		gicv3_cpu_init(cpu);
	else
		gicv2_cpu_init(cpu);
}

void gic_enable_irq(uint32_t intid, uint32_t cpu, bool edge)
{
	if (gic_version == 3)
		gicv3_enable_irq(intid, cpu, edge);
	else
		gicv2_enable_irq(intid, intid < 32 ? 0 : 1u << cpu, edge);
}

void gic_send_sgi(uint32_t cpu, uint32_t intid)
{
	if (gic_version == 3)
		gicv3_send_sgi(cpu, intid);
	else
		gicv2_send_sgi(1u << cpu, intid);
}

void gic_send_sgi_others(uint32_t intid)
{
	if (gic_version == 3)
		gicv3_send_sgi_all_but_self(intid);
	else
		wr32(GICD_BASE + GICD_SGIR, (1u << 24) | intid);
}

void gic_pend_spi(uint32_t intid)
{
	if (gic_version == 3)
		gicv3_pend_spi(intid);
	else
		gicv2_pend_spi(intid);
}

void migrate_point(void)
{
	uint64_t end;

	puts_("[migrate-point]\n");
	/* Give a migration triggered from outside (control socket, signal)
	 * time to happen here: wait up to 2 s, or until a 'g' arrives on the
	 * console (the test runner gives one with vgic-vmm --input g to runs
	 * without migration, and --after-migrate-input g to destinations). */
	end = counter() + counter_freq() * 2;
	while (counter() < end)
		if (getc_nb() == 'g')
			break;
}

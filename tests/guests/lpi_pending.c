/*
 * LPIs left pending across a migration: with interrupts masked on every
 * CPU, the MSI source and INT commands make LPIs pending (some of them
 * disabled in the configuration table); the guest then prints the
 * migration point and waits (for a 'g' on the UART, or 2 s).  After
 * unmasking, every pending LPI must be delivered exactly once on its CPU,
 * and the disabled ones only after they are enabled again.
 */
#include "rt.h"

#define NEV 64
#define MSIDEV_BURST (MSIDEV_BASE + 0x0c)
#define MSIDEV_SENT (MSIDEV_BASE + 0x10)

static volatile uint32_t count[2 * NEV], wrong, stray, total, go, done;
static volatile uint32_t ready;
static uint32_t ncpu;

static uint32_t cpu_of(uint32_t i)
{
	return i % ncpu;
}

static void handler(uint32_t cpu, uint32_t intid)
{
	if (intid >= LPI_BASE && intid < LPI_BASE + 2 * NEV) {
		uint32_t i = intid - LPI_BASE;

		if (cpu != cpu_of(i))
			atomic_inc(&wrong);
		atomic_inc(&count[i]);
		atomic_inc(&total);
	} else if (intid != 4) {
		atomic_inc(&stray);
	}
}

static void secondary(uint32_t cpu)
{
	gic_init_secondary(cpu);
	lpi_init_cpu(cpu);
	atomic_inc(&ready);
	while (!atomic_load32(&go)) /* IRQs masked until told */
		cpu_relax();
	WAIT_IRQ(atomic_load32(&done));
}

int main(void)
{
	uint32_t want = 2 * NEV - 8;
	bool got = false;
	uint64_t end;

	gic_init_primary();
	CHECK(gic_version == 3, "needs a GICv3");
	set_irq_handler(handler);
	lpi_init_cpu(0);
	ncpu = start_secondaries(0, secondary);
	while (atomic_load32(&ready) < ncpu - 1)
		cpu_relax();
	its_init(true);
	for (uint32_t c = 0; c < ncpu; c++)
		its_mapc(c, c);
	its_mapd(0x10, 6);
	its_mapd(0x20, 6);
	for (uint32_t i = 0; i < 2 * NEV; i++) {
		lpi_config(LPI_BASE + i, (i % NEV) >= 4, 0xa0);
		its_mapti(i < NEV ? 0x10 : 0x20, i % NEV, LPI_BASE + i,
			  cpu_of(i));
	}
	its_sync(0);
	/* everything masked: make 128 LPIs pending */
	wr32(MSIDEV_BURST, (uint32_t)NEV << 16);
	CHECK(rd32(MSIDEV_SENT) == NEV, "MSI source sent %u", rd32(MSIDEV_SENT));
	its_queue_only(true);
	for (uint32_t e = 0; e < NEV; e++)
		its_int(0x20, e);
	its_queue_only(false);
	printf_("lpi_pending: %u LPIs pending on %u CPUs (8 disabled)\n",
		2 * NEV, ncpu);
	end = counter();
	migrate_point();
	got = counter() - end < counter_freq() * 2;
	printf_("lpi_pending: %s, unmasking\n",
		got ? "resumed by the console" : "waited 2 s");
	CHECK(total == 0, "%u LPIs taken while masked", total);
	atomic_store32(&go, 1);
	irq_enable();
	CHECK(WAIT_IRQ_US(atomic_load32(&total) >= want, 10000000),
	      "%u of %u pending LPIs delivered", total, want);
	delay_us(20000);
	CHECK(total == want, "%u delivered, want %u", total, want);
	for (uint32_t i = 0; i < 2 * NEV; i++)
		CHECK(count[i] == ((i % NEV) >= 4), "LPI %u seen %u times",
		      LPI_BASE + i, count[i]);
	for (uint32_t i = 0; i < 2 * NEV; i++)
		if ((i % NEV) < 4) {
			lpi_config(LPI_BASE + i, true, 0xa0);
			its_inv(i < NEV ? 0x10 : 0x20, i % NEV);
		}
	want += 4 * 2;
	CHECK(WAIT_IRQ_US(atomic_load32(&total) >= want, 10000000),
	      "re-enabled LPIs: %u of %u", total, want);
	delay_us(20000);
	CHECK(total == want && !wrong && !stray,
	      "total %u want %u, wrong cpu %u, stray %u", total, want, wrong,
	      stray);
	atomic_store32(&done, 1);
	gic_send_sgi_others(4);
	printf_("lpi_pending: %u pending LPIs delivered exactly once: PASS\n",
		want);
	return 0;
}

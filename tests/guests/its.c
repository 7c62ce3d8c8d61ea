/*
 * OS-like ITS bring-up: a two-level device table, one collection per CPU,
 * NDEV devices x NEV events mapped to LPIs spread over every CPU.  The
 * MSIs come from the three sources a real system has: the MSI source device
 * (DeviceID 0x10), vCPU stores to GITS_TRANSLATER (DeviceID 0) and INT
 * commands.  Also MOVI to another CPU and an LPI disabled in the
 * configuration table and re-enabled with INV.  Every LPI must arrive
 * exactly once per trigger, on the CPU of its collection.
 */
#include "rt.h"

#define NEV 32
#define ROUNDS 4
#define MSIDEV_TRIGGER (MSIDEV_BASE + 0x08)

static const uint32_t devs[] = { 0x0, 0x10, 0x21, 0x2000, 0x3ff, 0x4321 };
#define NDEV (sizeof(devs) / sizeof(devs[0]))
#define NLPI (NDEV * NEV)

static volatile uint32_t count[NLPI], where[NLPI], wrong, stray, total;
static volatile uint32_t per_cpu[MAX_CPUS];
static volatile uint32_t done, ready, hold;
static uint32_t target[NLPI];
static uint32_t ncpu;

static void handler(uint32_t cpu, uint32_t intid)
{
	if (intid >= LPI_BASE && intid < LPI_BASE + NLPI) {
		uint32_t i = intid - LPI_BASE;

		if (cpu != target[i])
			atomic_inc(&wrong);
		where[i] = cpu;
		atomic_inc(&count[i]);
		atomic_inc(&per_cpu[cpu]);
		atomic_inc(&total);
	} else if (intid != 4) {
		atomic_inc(&stray);
	}
}

/* Idle taking LPIs, except while CPU 0 holds everyone masked. */
static void secondary(uint32_t cpu)
{
	gic_init_secondary(cpu);
	lpi_init_cpu(cpu);
	atomic_inc(&ready);
	irq_disable();
	while (!atomic_load32(&done)) {
		if (atomic_load32(&hold))
			continue;
		wfi();
		irq_enable();
		isb();
		irq_disable();
	}
	irq_enable();
}

static void trigger(uint32_t d, uint32_t e)
{
	if (devs[d] == 0)
		wr32(GITS_TRANSLATER, e);
	else if (devs[d] == 0x10)
		wr32(MSIDEV_TRIGGER, e);
	else
		its_int(devs[d], e);
}

static void wait_total(uint32_t want, const char *what)
{
	CHECK(WAIT_IRQ_US(atomic_load32(&total) >= want, 10000000),
	      "%s: %u of %u LPIs delivered", what, total, want);
}

int main(void)
{
	uint32_t want = 0;

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
	for (uint32_t d = 0; d < NDEV; d++) {
		its_mapd(devs[d], 5);
		for (uint32_t e = 0; e < NEV; e++) {
			uint32_t i = d * NEV + e;

			target[i] = i % ncpu;
			lpi_config(LPI_BASE + i, true, 0xa0);
			its_mapti(devs[d], e, LPI_BASE + i, target[i]);
		}
	}
	for (uint32_t c = 0; c < ncpu; c++)
		its_sync(c);
	printf_("its: %u CPUs, %u devices x %u events = %u LPIs mapped\n",
		ncpu, (uint32_t)NDEV, NEV, (uint32_t)NLPI);
	irq_enable();
	for (uint32_t r = 0; r < ROUNDS; r++) {
		if (r == ROUNDS - 1) { /* move every LPI to the next CPU */
			for (uint32_t i = 0; i < NLPI; i++) {
				target[i] = (target[i] + 1) % ncpu;
				its_movi(devs[i / NEV], i % NEV, target[i]);
			}
		}
		if (r == ROUNDS / 2) { /* keep this round's LPIs pending */
			atomic_store32(&hold, 1);
			irq_disable();
		}
		its_queue_only(true);
		for (uint32_t d = 0; d < NDEV; d++)
			for (uint32_t e = 0; e < NEV; e++)
				trigger(d, e);
		its_queue_only(false);
		want += NLPI;
		if (r == ROUNDS / 2) { /* migrate with LPIs in flight */
			printf_("its: round %u: %u MSIs sent, %u delivered, the "
				"rest pending: migrating now\n", r,
				(uint32_t)NLPI,
				atomic_load32(&total) - (want - (uint32_t)NLPI));
			migrate_point();
			atomic_store32(&hold, 0);
			irq_enable();
		}
		wait_total(want, "round");
		for (uint32_t i = 0; i < NLPI; i++)
			CHECK(count[i] == r + 1, "round %u: LPI %u seen %u times",
			      r, LPI_BASE + i, count[i]);
		printf_("its: round %u%s: %u MSIs sent, %u LPIs delivered so far, "
			"every one exactly once\n", r,
			r == ROUNDS - 1 ? " (after MOVI to the next CPU)" : "",
			want, total);
	}
	/* disabled in the configuration table: stays pending until INV */
	lpi_config(LPI_BASE + 5, false, 0xa0);
	its_inv(devs[0], 5);
	trigger(0, 5);
	delay_us(20000);
	CHECK(count[5] == ROUNDS, "disabled LPI delivered");
	lpi_config(LPI_BASE + 5, true, 0xa0);
	its_inv(devs[0], 5);
	want++;
	wait_total(want, "re-enabled LPI");
	delay_us(20000);
	CHECK(total == want, "%u LPIs delivered, want %u", total, want);
	CHECK(!wrong && !stray, "%u LPIs on the wrong CPU, %u stray", wrong,
	      stray);
	for (uint32_t c = 0; c < ncpu; c++)
		printf_("its: cpu%u took %u LPIs\n", c, per_cpu[c]);
	atomic_store32(&done, 1);
	gic_send_sgi_others(4);
	printf_("its: %u LPIs, each exactly once on its collection's CPU: PASS\n",
		want);
	return 0;
}

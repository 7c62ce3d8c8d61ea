/*
 * SMP boot and SGI ping-pong: CPU 0 pings every other CPU with SGI 1, each
 * answers with SGI 2; then one broadcast SGI 3 (all but self).  Every SGI
 * must arrive exactly once.  GICv3 or GICv2 (detected).
 */
#include "rt.h"

#define ROUNDS 150

static volatile uint32_t pings[MAX_CPUS], pongs, bcast[MAX_CPUS], stray;
static volatile uint32_t done, ready;

static void handler(uint32_t cpu, uint32_t intid)
{
	if (intid == 1 && cpu != 0) {
		atomic_inc(&pings[cpu]);
		gic_send_sgi(0, 2);
	} else if (intid == 2 && cpu == 0) {
		atomic_inc(&pongs);
	} else if (intid == 3 && cpu != 0) {
		atomic_inc(&bcast[cpu]);
	} else if (intid == 4) {
		/* wake-up */
	} else {
		atomic_inc(&stray);
	}
}

static void secondary(uint32_t cpu)
{
	gic_init_secondary(cpu);
	atomic_inc(&ready);
	WAIT_IRQ(atomic_load32(&done));
}

int main(void)
{
	uint32_t n, expect = 0;

	gic_init_primary();
	set_irq_handler(handler);
	n = start_secondaries(0, secondary);
	printf_("sgi: GICv%d, %u CPUs\n", gic_version, n);
	CHECK(n >= 2, "need at least 2 CPUs");
	while (atomic_load32(&ready) < n - 1)
		cpu_relax();
	irq_enable();
	for (uint32_t r = 0; r < ROUNDS; r++) {
		if (r == ROUNDS / 2)
			migrate_point();
		for (uint32_t k = 1; k < n; k++) {
			uint64_t t = counter() + 5 * counter_freq();

			gic_send_sgi(k, 1);
			expect++;
			while (atomic_load32(&pongs) < expect)
				CHECK(counter() < t, "round %u cpu%u: no pong", r, k);
		}
	}
	gic_send_sgi_others(3);
	for (uint32_t k = 1; k < n; k++)
		CHECK(WAIT_IRQ_US(atomic_load32(&bcast[k]) == 1, 5000000),
		      "cpu%u: broadcast SGI not received", k);
	delay_us(20000); /* anything duplicated would show up now */
	for (uint32_t k = 1; k < n; k++) {
		CHECK(pings[k] == ROUNDS, "cpu%u got %u pings, want %u", k,
		      pings[k], ROUNDS);
		CHECK(bcast[k] == 1, "cpu%u got %u broadcasts", k, bcast[k]);
	}
	CHECK(pongs == expect, "cpu0 got %u pongs, want %u", pongs, expect);
	CHECK(stray == 0, "%u unexpected interrupts", stray);
	atomic_store32(&done, 1);
	gic_send_sgi_others(4);
	printf_("sgi: %u ping-pongs and %u broadcasts, each exactly once: PASS\n",
		expect, n - 1);
	return 0;
}

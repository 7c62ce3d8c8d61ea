/*
 * LPI ping-pong between CPU 0 and CPU 1 (the bench/vmm-lpi guest): a vCPU
 * store to GITS_TRANSLATER (DeviceID 0) raises an LPI on the other CPU,
 * whose handler answers the same way.  Runs unchanged on QEMU's virt
 * (gic-version=3,its=on) and on vgic-vmm; prints LPIs per second.
 */
#include "rt.h"

#ifndef PINGPONG_N
#define PINGPONG_N 20000
#endif

static volatile uint32_t hits[2], stray, ready, done;

static void handler(uint32_t cpu, uint32_t intid)
{
	if (intid == LPI_BASE + (cpu == 0 ? 1 : 0) && cpu < 2) {
		uint32_t n = atomic_inc(&hits[cpu]);

		if (cpu == 1 || n < PINGPONG_N)
			wr32(GITS_TRANSLATER, cpu == 0 ? 0 : 1);
	} else if (intid != 4) {
		atomic_inc(&stray);
	}
}

static void secondary(uint32_t cpu)
{
	gic_init_secondary(cpu);
	lpi_init_cpu(cpu);
	atomic_inc(&ready);
	WAIT_IRQ(atomic_load32(&done));
}

int main(void)
{
	uint64_t t0, t1, lpis, rate;

	gic_init_primary();
	CHECK(gic_version == 3, "needs a GICv3");
	set_irq_handler(handler);
	lpi_init_cpu(0);
	CHECK(start_secondaries(2, secondary) == 2, "needs 2 CPUs");
	while (!atomic_load32(&ready))
		cpu_relax();
	its_init(false);
	its_mapc(0, 0);
	its_mapc(1, 1);
	its_mapd(0, 1);
	lpi_config(LPI_BASE + 0, true, 0xa0);
	lpi_config(LPI_BASE + 1, true, 0xa0);
	its_mapti(0, 0, LPI_BASE + 0, 1); /* event 0 -> CPU 1 */
	its_mapti(0, 1, LPI_BASE + 1, 0); /* event 1 -> CPU 0 */
	its_sync(0);
	its_sync(1);
	irq_enable();
	t0 = counter();
	wr32(GITS_TRANSLATER, 0);
	CHECK(WAIT_IRQ_US(atomic_load32(&hits[0]) >= PINGPONG_N, 120000000),
	      "ping-pong stalled at %u", hits[0]);
	t1 = counter();
	lpis = (uint64_t)hits[0] + hits[1];
	rate = lpis * counter_freq() / (t1 - t0 ? t1 - t0 : 1);
	CHECK(hits[0] == PINGPONG_N && hits[1] == PINGPONG_N && !stray,
	      "hits %u/%u stray %u", hits[0], hits[1], stray);
	atomic_store32(&done, 1);
	gic_send_sgi_others(4);
	printf_("LPI-PINGPONG lpis=%lu us=%lu rate=%lu\n", lpis,
		(t1 - t0) * 1000000 / counter_freq(), rate);
	return 0;
}

/* Smoke test: console, PSCI CPU_ON/AFFINITY_INFO/CPU_OFF on every CPU, the
 * counter, and the exit convention.  Needs no interrupt controller. */
#include "rt.h"

static volatile uint32_t ran[MAX_CPUS];

static void secondary(uint32_t cpu)
{
	atomic_inc(&ran[cpu]);
}

int main(void)
{
	uint32_t n;
	uint64_t t0 = counter();

	printf_("hello from cpu%u, counter %lu Hz\n", cpu_id(), counter_freq());
	n = start_secondaries(0, secondary);
	printf_("%u CPUs online\n", n);
	for (uint32_t i = 1; i < n; i++) {
		while (!atomic_load32(&ran[i]))
			cpu_relax();
		while (psci(0xc4000004ul, cpu_mpidr(i), 0, 0) != 1) /* OFF */
			cpu_relax();
	}
	CHECK(psci(0x84000000ul, 0, 0, 0) >= 0x10000, "PSCI version");
	CHECK(psci(0xc4000003ul, cpu_mpidr(n), 0, 0) == -2,
	      "CPU_ON of a missing CPU");
	CHECK(counter() > t0, "counter does not advance");
	printf_("hello: all %u CPUs ran and are off again\n", n);
	return 0;
}

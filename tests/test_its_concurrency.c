/*
 * Concurrency (runs under TSan with the "concurrency" label): 4 injector
 * threads signal MSIs, 2 vCPU threads acknowledge them through
 * ICC_IAR1_EL1, and a churn thread keeps issuing MAPD/MAPTI/DISCARD/MOVI
 * on other devices.  Every MSI to a mapping that stays valid must be
 * delivered exactly once: an injector sends an MSI for an (device, event)
 * only when the previous one was acknowledged, and the vCPU threads count
 * acknowledgements per LPI.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>

#include "its_guest.h"

#define NR_VCPUS 2
#define NR_INJECTORS 4
#define STABLE_DEVS 8
#define STABLE_EVENTS 8
#define NR_STABLE (STABLE_DEVS * STABLE_EVENTS)
#define STABLE_LPI 8192u
#define CHURN_DEV 100u
#define CHURN_DEVS 4u
#define CHURN_LPI 9000u
#define SPURIOUS 1023u

struct ctx {
	struct th_host *h;
	struct vgic *v;
	struct gi_its g;
	uint64_t msis_per_thread;
	_Atomic bool stop_churn, stop_vcpus;
	_Atomic uint32_t outstanding[NR_STABLE]; /* 1: sent, not yet acked */
	_Atomic uint64_t sent[NR_STABLE], acked[NR_STABLE];
	_Atomic uint64_t dup_acks, bad_returns, churn_acks, churn_cmds;
	_Atomic uint64_t spurious_stable;
};

struct inj {
	struct ctx *c;
	uint32_t id;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *injector(void *arg)
{
	struct inj *in = arg;
	struct ctx *c = in->c;
	uint64_t seed = 0x1234567 + in->id, done = 0;
	double deadline = now() + 300; /* ctest's timeout is 600 s */

	while (done < c->msis_per_thread && now() < deadline) {
		uint32_t k = (uint32_t)(th_rand(&seed) % (NR_STABLE / NR_INJECTORS)) *
				     NR_INJECTORS +
			     in->id;
		uint32_t zero = 0;
		int ret;

		/* Noise: MSIs to the churned devices (any outcome is fine,
		 * except an error code). */
		if (th_rand(&seed) % 4 == 0) {
			ret = gi_msi(&c->g, CHURN_DEV + th_rand(&seed) % CHURN_DEVS,
				     th_rand(&seed) % 8);
			if (ret < 0)
				atomic_fetch_add(&c->bad_returns, 1);
		}
		if (!atomic_compare_exchange_strong(&c->outstanding[k], &zero,
						    1)) {
			sched_yield();
			continue;
		}
		atomic_fetch_add(&c->sent[k], 1);
		ret = gi_msi(&c->g, k / STABLE_EVENTS, k % STABLE_EVENTS);
		if (ret != 1) {
			atomic_fetch_add(&c->bad_returns, 1);
			atomic_store(&c->outstanding[k], 0);
			atomic_fetch_sub(&c->sent[k], 1);
		}
		done++;
	}
	return NULL;
}

static void *vcpu_thread(void *arg)
{
	struct inj *in = arg;
	struct ctx *c = in->c;
	uint32_t cpu = in->id;

	while (!atomic_load(&c->stop_vcpus)) {
		uint32_t intid;

		if (!vgic_vcpu_irq_pending(c->v, cpu)) {
			sched_yield();
			continue;
		}
		intid = gi_ack(c->v, cpu);
		if (intid == SPURIOUS)
			continue;
		if (intid >= STABLE_LPI && intid < STABLE_LPI + NR_STABLE) {
			uint32_t k = intid - STABLE_LPI;
			/* Stable LPIs target the vCPU of their collection. */
			if ((k / STABLE_EVENTS) % NR_VCPUS != cpu ||
			    atomic_load(&c->outstanding[k]) != 1)
				atomic_fetch_add(&c->dup_acks, 1);
			atomic_fetch_add(&c->acked[k], 1);
			atomic_store(&c->outstanding[k], 0);
		} else {
			atomic_fetch_add(&c->churn_acks, 1);
		}
		gi_eoi(c->v, cpu, intid);
	}
	return NULL;
}

/* MAPD / MAPTI / MOVI / DISCARD churn on devices CHURN_DEV.. (their own
 * LPIs; collections 0 and 1 are never touched). */
static void *churn(void *arg)
{
	struct ctx *c = arg;
	uint64_t seed = 42;

	while (!atomic_load(&c->stop_churn)) {
		uint32_t dev = CHURN_DEV + th_rand(&seed) % CHURN_DEVS;
		uint32_t ev = th_rand(&seed) % 8;
		uint32_t lpi = CHURN_LPI + (dev - CHURN_DEV) * 8 + ev;

		switch (th_rand(&seed) % 6) {
		case 0:
			gi_mapd(&c->g, dev, gi_itt(&c->g, dev), 3,
				th_rand(&seed) % 4 != 0);
			break;
		case 1:
		case 2:
			gi_mapti(&c->g, dev, ev, lpi, th_rand(&seed) % 2);
			break;
		case 3:
			gi_devcmd(&c->g, 0x01, dev, ev, th_rand(&seed) % 2);
			break;
		case 4:
			gi_devcmd(&c->g, 0x0f, dev, ev, 0);
			break;
		default:
			gi_sync(&c->g, 0);
			break;
		}
		atomic_fetch_add(&c->churn_cmds, 1);
		/* Leave the instance lock to the vCPUs now and then. */
		if (atomic_load(&c->churn_cmds) % 16 == 0) {
			struct timespec ts = { 0, 50000 };
			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

static void test_concurrent_msis(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	pthread_t inj[NR_INJECTORS], cpu[NR_VCPUS], ch;
	struct inj ia[NR_INJECTORS], ca[NR_VCPUS];
	uint64_t total_sent = 0, total_acked = 0;
	const char *san = getenv("VGIC_SANITIZED");
	double deadline;
	bool drained = false;

	(void)state;
	c->msis_per_thread = san && *san == '1' ? 2000 : 25000;
	c->h = th_host_new(8u << 20);
	c->v = th_vm_v3(c->h, NR_VCPUS, NULL, 0, 1, NULL, NULL);
	gi_cpu_init(c->v, c->h, NR_VCPUS, true);
	gi_its_init(&c->g, c->v, c->h, 0, false);
	for (uint32_t i = 8192; i < 8192 + 2048; i++)
		gi_set_cfg(c->h, i, 0xa0, true);
	for (uint32_t i = 0; i < NR_VCPUS; i++)
		gi_mapc(&c->g, i, i, true);
	for (uint32_t d = 0; d < STABLE_DEVS; d++) {
		gi_mapd(&c->g, d, gi_itt(&c->g, d), 3, true);
		for (uint32_t e = 0; e < STABLE_EVENTS; e++)
			gi_mapti(&c->g, d, e, STABLE_LPI + d * STABLE_EVENTS + e,
				 d % NR_VCPUS);
	}
	gi_sync(&c->g, 0);

	for (uint32_t i = 0; i < NR_VCPUS; i++) {
		ca[i] = (struct inj){ c, i };
		pthread_create(&cpu[i], NULL, vcpu_thread, &ca[i]);
	}
	pthread_create(&ch, NULL, churn, c);
	for (uint32_t i = 0; i < NR_INJECTORS; i++) {
		ia[i] = (struct inj){ c, i };
		pthread_create(&inj[i], NULL, injector, &ia[i]);
	}
	for (uint32_t i = 0; i < NR_INJECTORS; i++)
		pthread_join(inj[i], NULL);
	atomic_store(&c->stop_churn, true);
	pthread_join(ch, NULL);
	/* Let the vCPUs drain what is outstanding. */
	deadline = now() + 60;
	while (!drained && now() < deadline) {
		drained = true;
		for (uint32_t k = 0; k < NR_STABLE; k++)
			if (atomic_load(&c->outstanding[k]))
				drained = false;
		if (!drained)
			sched_yield();
	}
	atomic_store(&c->stop_vcpus, true);
	for (uint32_t i = 0; i < NR_VCPUS; i++)
		pthread_join(cpu[i], NULL);

	for (uint32_t k = 0; k < NR_STABLE; k++) {
		total_sent += atomic_load(&c->sent[k]);
		total_acked += atomic_load(&c->acked[k]);
		assert_int_equal(atomic_load(&c->sent[k]),
				 atomic_load(&c->acked[k]));
	}
	printf("stable MSIs sent %llu, acknowledged %llu; churn commands %llu, "
	       "churn LPIs acknowledged %llu\n",
	       (unsigned long long)total_sent, (unsigned long long)total_acked,
	       (unsigned long long)atomic_load(&c->churn_cmds),
	       (unsigned long long)atomic_load(&c->churn_acks));
	assert_true(drained);
	assert_int_equal(atomic_load(&c->dup_acks), 0);
	assert_int_equal(atomic_load(&c->bad_returns), 0);
	assert_true(total_sent >= NR_INJECTORS * c->msis_per_thread);
	assert_true(atomic_load(&c->churn_cmds) > 0);

	vgic_destroy(c->v);
	th_host_free(c->h);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_concurrent_msis),
	};
	if (!gi_have_gicv3()) {
		printf("skipped: the GICv3 front end is not built yet\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Concurrency torture (runs under ThreadSanitizer in CI: label
 * "concurrency").  On a 4-vCPU GICv3 with one ITS, at the same time:
 *
 *  - 4 vCPU threads, marked running, acknowledge (ICC_IAR1_EL1) and EOI
 *    whatever their IRQ output shows;
 *  - 2 injector threads send MSIs for 16 stable (DeviceID, EventID)
 *    mappings - each one only when its previous interrupt was acknowledged
 *    (one in flight per LPI, so nothing may coalesce) - and MSIs for churn
 *    devices whose mappings come and go;
 *  - a command thread drives the ITS command queue: MOVI of stable
 *    mappings between collections, MOVALL between redistributors, and
 *    MAPD/MAPTI/INT/DISCARD/MAPD V=0 churn on other devices;
 *  - the main thread periodically pauses the vCPUs (vgic_vcpu_set_running
 *    false) and runs ITS_SAVE_TABLES and SAVE_PENDING_TABLES.
 *
 * Checked: every MSI of a stable mapping is delivered (returns 1) and
 * acknowledged exactly once - zero lost, zero duplicated deliveries - no
 * unknown INTID is ever acknowledged, the saves succeed while the vCPUs are
 * paused, and TSan reports no race.  Plain run: >= 2 s, >= 5 saves,
 * >= 500 stable deliveries (at most 60 s); VGIC_SANITIZED=1: >= 1 s and
 * >= 100 deliveries.
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
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "harness.h"
#include "save_guest.h"

#define NV 4
#define S_DEVS 4
#define S_EVS 4
#define NR_STABLE (S_DEVS * S_EVS)
#define S_LPI0 8192u
#define C_DEV0 50
#define C_DEVS 2
#define C_EVS 4
#define C_LPI0 8300u
#define NR_INJECTORS 2

struct torture {
	struct sg g;
	struct th_host *h;
	_Atomic bool stop_inject, stop_cmds, stop_vcpus;
	/* Pause protocol: the main thread raises pause; each vCPU thread
	 * leaves the running state, counts itself paused, and waits. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	_Atomic bool pause;
	unsigned paused;
	/* Stable LPIs: 0 idle, 1 in flight. */
	_Atomic int state[NR_STABLE];
	_Atomic uint64_t sent[NR_STABLE], acked[NR_STABLE];
	_Atomic uint64_t churn_acks, churn_msis, cmds, saves;
	_Atomic uint64_t errors;
	char first_error[256];
};

static void tt_error(struct torture *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void tt_error(struct torture *t, const char *fmt, ...)
{
	va_list ap;

	if (atomic_fetch_add(&t->errors, 1) == 0) {
		va_start(ap, fmt);
		vsnprintf(t->first_error, sizeof(t->first_error), fmt, ap);
		va_end(ap);
	}
}

static uint32_t s_dev(uint32_t i)
{
	return i / S_EVS;
}

static uint32_t s_ev(uint32_t i)
{
	return i % S_EVS;
}

static void *vcpu_thread(void *arg)
{
	struct torture *t = ((void **)arg)[0];
	uint32_t c = (uint32_t)(uintptr_t)((void **)arg)[1];
	struct vgic *v = t->g.v;

	if (vgic_vcpu_set_running(v, c, true))
		tt_error(t, "vCPU %u cannot run", c);
	while (!atomic_load(&t->stop_vcpus)) {
		uint64_t id;

		if (atomic_load(&t->pause)) {
			pthread_mutex_lock(&t->mu);
			vgic_vcpu_set_running(v, c, false);
			t->paused++;
			pthread_cond_broadcast(&t->cv);
			while (atomic_load(&t->pause))
				pthread_cond_wait(&t->cv, &t->mu);
			t->paused--;
			vgic_vcpu_set_running(v, c, true);
			pthread_mutex_unlock(&t->mu);
		}
		if (!vgic_vcpu_irq_pending(v, c)) {
			sched_yield();
			continue;
		}
		if (vgic_sysreg_read(v, c, VGIC_ICC_IAR1_EL1, &id)) {
			tt_error(t, "IAR1 read failed");
			continue;
		}
		if (id == 1023)
			continue;
		if (id >= S_LPI0 && id < S_LPI0 + NR_STABLE) {
			uint32_t i = (uint32_t)id - S_LPI0;
			int one = 1;

			/* Exactly one acknowledgement per MSI sent. */
			if (!atomic_compare_exchange_strong(&t->state[i], &one,
							    0))
				tt_error(t, "LPI %llu acknowledged with no "
					 "MSI in flight (duplicate)",
					 (unsigned long long)id);
			atomic_fetch_add(&t->acked[i], 1);
		} else if (id >= C_LPI0 && id < C_LPI0 + C_DEVS * C_EVS) {
			atomic_fetch_add(&t->churn_acks, 1);
		} else {
			tt_error(t, "vCPU %u acknowledged unknown INTID %llu",
				 c, (unsigned long long)id);
		}
		if (vgic_sysreg_write(v, c, VGIC_ICC_EOIR1_EL1, id))
			tt_error(t, "EOIR1 write failed");
	}
	vgic_vcpu_set_running(v, c, false);
	return NULL;
}

static void *injector_thread(void *arg)
{
	struct torture *t = ((void **)arg)[0];
	uint64_t seed = (uintptr_t)((void **)arg)[1] + 1;

	while (!atomic_load(&t->stop_inject)) {
		uint32_t i = (uint32_t)(th_rand(&seed) % NR_STABLE);
		int zero = 0, r;

		if (th_rand(&seed) % 4 == 0) {
			/* Churn: whatever the command thread left mapped. */
			r = sg_msi(&t->g, 0, C_DEV0 + th_rand(&seed) % C_DEVS,
				   (uint32_t)(th_rand(&seed) % C_EVS));
			if (r != 0 && r != 1)
				tt_error(t, "churn MSI returned %d", r);
			atomic_fetch_add(&t->churn_msis, 1);
			continue;
		}
		if (!atomic_compare_exchange_strong(&t->state[i], &zero, 1)) {
			sched_yield();
			continue;
		}
		atomic_fetch_add(&t->sent[i], 1);
		r = sg_msi(&t->g, 0, s_dev(i), s_ev(i));
		if (r != 1) {
			tt_error(t, "stable MSI dev %u ev %u returned %d (lost)",
				 s_dev(i), s_ev(i), r);
			atomic_store(&t->state[i], 0);
		}
	}
	return NULL;
}

static void *command_thread(void *arg)
{
	struct torture *t = arg;
	struct sg *g = &t->g;
	uint64_t seed = 0x7007;
	bool mapped[C_DEVS] = { false };

	while (!atomic_load(&t->stop_cmds)) {
		uint32_t i = (uint32_t)(th_rand(&seed) % NR_STABLE);
		uint32_t d = (uint32_t)(th_rand(&seed) % C_DEVS);
		uint32_t dev = C_DEV0 + d;
		uint32_t e = (uint32_t)(th_rand(&seed) % C_EVS);

		switch (th_rand(&seed) % 8) {
		case 0:
		case 1: /* move a stable mapping: it stays valid */
			sg_devev(g, 0, SG_MOVI, s_dev(i), s_ev(i),
				 (uint32_t)(th_rand(&seed) % NV));
			break;
		case 2: /* everything of one redistributor to another */
			sg_cmd(g, 0, SG_MOVALL, 0,
			       (th_rand(&seed) % NV) << 16,
			       (th_rand(&seed) % NV) << 16);
			break;
		case 3: /* churn: (re)map a device and its events */
			sg_mapd(g, 0, dev, SG_ITT(dev), 2, true);
			for (uint32_t k = 0; k < C_EVS; k++)
				sg_mapti(g, 0, dev, k, C_LPI0 + d * C_EVS + k,
					 k % NV);
			mapped[d] = true;
			break;
		case 4:
			if (mapped[d])
				sg_devev(g, 0, SG_INT, dev, e, 0);
			break;
		case 5:
			sg_devev(g, 0, SG_DISCARD, dev, e, 0);
			break;
		case 6:
			sg_mapd(g, 0, dev, SG_ITT(dev), 2, false);
			mapped[d] = false;
			break;
		default:
			sg_cmd(g, 0, SG_INVALL, 0, th_rand(&seed) % NV, 0);
			sg_cmd(g, 0, SG_SYNC, 0, 0, 0);
			break;
		}
		atomic_fetch_add(&t->cmds, 1);
		/* A guest issues commands in bursts, not back to back:
		 * leave the lock to the vCPUs now and then. */
		if (atomic_load(&t->cmds) % 8 == 0) {
			struct timespec ts = { 0, 100 * 1000 };

			nanosleep(&ts, NULL);
		}
	}
	return NULL;
}

static void pause_vcpus(struct torture *t, bool on)
{
	pthread_mutex_lock(&t->mu);
	atomic_store(&t->pause, on);
	pthread_cond_broadcast(&t->cv);
	while (on && t->paused < NV)
		pthread_cond_wait(&t->cv, &t->mu);
	pthread_mutex_unlock(&t->mu);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t total_acked(struct torture *t)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < NR_STABLE; i++)
		n += atomic_load(&t->acked[i]);
	return n;
}

static void setup(struct torture *t)
{
	struct sg *g = &t->g;

	t->h = th_host_new(SG_RAM_SIZE);
	sg_new(g, t->h, NV, NULL, 1, false);
	for (uint32_t i = 0; i < NR_STABLE; i++)
		sg_lpi_cfg(g, S_LPI0 + i, 0xa1);
	for (uint32_t i = 0; i < C_DEVS * C_EVS; i++)
		sg_lpi_cfg(g, C_LPI0 + i, 0xa1);
	for (uint32_t c = 0; c < NV; c++)
		sg_mapc(g, 0, c, c, true);
	for (uint32_t d = 0; d < S_DEVS; d++) {
		sg_mapd(g, 0, d, SG_ITT(d), 2, true);
		for (uint32_t e = 0; e < S_EVS; e++)
			sg_mapti(g, 0, d, e, S_LPI0 + d * S_EVS + e,
				 (d + e) % NV);
	}
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
}

static void test_torture(void **state)
{
	bool san = getenv("VGIC_SANITIZED") != NULL;
	double min_secs = san ? 1.0 : 2.0, cap = 60.0, start, deadline;
	uint64_t min_saves = 5, min_acks = san ? 100 : 500;
	struct torture *t = calloc(1, sizeof(*t));
	pthread_t vcpu[NV], inj[NR_INJECTORS], cmd;
	void *vargs[NV][2], *iargs[NR_INJECTORS][2];

	(void)state;
	assert_non_null(t);
	setup(t);
	for (uint32_t c = 0; c < NV; c++) {
		vargs[c][0] = t;
		vargs[c][1] = (void *)(uintptr_t)c;
		assert_int_equal(pthread_create(&vcpu[c], NULL, vcpu_thread,
						vargs[c]),
				 0);
	}
	for (uint32_t k = 0; k < NR_INJECTORS; k++) {
		iargs[k][0] = t;
		iargs[k][1] = (void *)(uintptr_t)k;
		assert_int_equal(pthread_create(&inj[k], NULL, injector_thread,
						iargs[k]),
				 0);
	}
	assert_int_equal(pthread_create(&cmd, NULL, command_thread, t), 0);

	start = now();
	while (now() - start < cap &&
	       (now() - start < min_secs || atomic_load(&t->saves) < min_saves ||
		total_acked(t) < min_acks)) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		pause_vcpus(t, true);
		/* With every vCPU stopped the saves must work. */
		if (sg_ctrl(t->g.its[0], VGIC_CTRL_ITS_SAVE_TABLES))
			tt_error(t, "ITS_SAVE_TABLES with vCPUs paused failed");
		if (sg_ctrl(t->g.gic, VGIC_CTRL_SAVE_PENDING_TABLES))
			tt_error(t, "SAVE_PENDING_TABLES with vCPUs paused "
				    "failed");
		atomic_fetch_add(&t->saves, 1);
		pause_vcpus(t, false);
	}

	/* Stop the sources, then let everything in flight be delivered. */
	atomic_store(&t->stop_inject, true);
	for (uint32_t k = 0; k < NR_INJECTORS; k++)
		pthread_join(inj[k], NULL);
	atomic_store(&t->stop_cmds, true);
	pthread_join(cmd, NULL);
	deadline = now() + 10.0;
	for (;;) {
		uint32_t busy = 0;

		for (uint32_t i = 0; i < NR_STABLE; i++)
			busy += atomic_load(&t->state[i]) != 0;
		if (!busy || now() > deadline)
			break;
		sched_yield();
	}
	atomic_store(&t->stop_vcpus, true);
	for (uint32_t c = 0; c < NV; c++)
		pthread_join(vcpu[c], NULL);

	print_message("torture: %.1f s, %llu stable deliveries, %llu churn "
		      "MSIs (%llu acknowledged), %llu commands, %llu saves\n",
		      now() - start, (unsigned long long)total_acked(t),
		      (unsigned long long)atomic_load(&t->churn_msis),
		      (unsigned long long)atomic_load(&t->churn_acks),
		      (unsigned long long)atomic_load(&t->cmds),
		      (unsigned long long)atomic_load(&t->saves));
	if (atomic_load(&t->errors))
		fail_msg("%llu errors, first: %s",
			 (unsigned long long)atomic_load(&t->errors),
			 t->first_error);
	for (uint32_t i = 0; i < NR_STABLE; i++) {
		if (atomic_load(&t->state[i]))
			fail_msg("LPI %u: an MSI was never delivered (lost)",
				 S_LPI0 + i);
		assert_int_equal(atomic_load(&t->sent[i]),
				 atomic_load(&t->acked[i]));
	}
	assert_true(atomic_load(&t->saves) >= min_saves);
	assert_true(total_acked(t) >= min_acks);
	assert_true(atomic_load(&t->cmds) > 0);
	vgic_destroy(t->g.v);
	th_host_free(t->h);
	pthread_mutex_destroy(&t->mu);
	pthread_cond_destroy(&t->cv);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_torture),
	};
	return cmocka_run_group_tests_name("torture", tests, NULL, NULL);
}

/*
 * GICv4.1 save vs. a firing device (KVM ABI reference §7.10): one thread
 * fires forwarded LPIs through the software GICv4.1 model (each rings its
 * vPE's doorbell: no vCPU is resident) while the main thread runs
 * SAVE_PENDING_TABLES in a loop, which unmaps every vPE, reads the VPTs and
 * maps them back.  After each save the main thread plays the guest: every
 * LPI found pending in the guest's pending tables is consumed with an ITS
 * CLEAR (mirrored into the VPT).  The firer re-fires an LPI only once its
 * previous firing was consumed, so:
 *  - a lost LPI stalls the firer (detected by a timeout),
 *  - a duplicated one is consumed more often than it was fired.
 * A second test races lock-free delivery into the emulated CPU interface
 * and doorbells against a vCPU acknowledging and entering/leaving guest
 * mode: every firing acknowledged exactly once.
 * 10^5 firings each (10^4 under sanitizers).  Label "concurrency" (TSan).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <cmocka.h>

#include "its_guest.h"
#include <vgic/v4.h>

#define NR_VCPUS 4
#define RAM_SIZE (8u << 20)
#define DEV 1u
#define NR_EV 64u /* LPIs in flight at most */
#define LPI0 8192u
#define HIRQ0 100u
#define CMD_CLEAR 0x04
#define STALL_NS (20ull * 1000000000ull)

struct stress {
	struct th_host *h;
	struct vgic *v;
	struct vgic_device *gic, *its;
	struct gi_its g;
	struct vgic_v4_model *m;
	uint64_t nr_fires;
	_Atomic uint64_t fired[NR_EV];
	_Atomic uint64_t consumed[NR_EV];
	_Atomic bool done;
	_Atomic bool stalled;
	_Atomic int fire_err;
	bool only_vcpu0;      /* fire only the events of vCPU 0 */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *firer(void *arg)
{
	struct stress *s = arg;

	for (uint64_t k = 0; k < s->nr_fires; k++) {
		uint32_t l = s->only_vcpu0 ? (uint32_t)(k % (NR_EV / NR_VCPUS)) *
						     NR_VCPUS
					   : (uint32_t)(k % NR_EV);
		uint64_t t0 = now_ns();
		int ret;

		/* Wait for the guest to have consumed the previous firing. */
		while (atomic_load_explicit(&s->consumed[l],
					    memory_order_acquire) !=
		       atomic_load_explicit(&s->fired[l],
					    memory_order_relaxed)) {
			if (now_ns() - t0 > STALL_NS) {
				atomic_store(&s->stalled, true);
				atomic_store(&s->done, true);
				return NULL;
			}
			sched_yield();
		}
		atomic_fetch_add_explicit(&s->fired[l], 1,
					  memory_order_release);
		ret = vgic_v4_model_fire(s->m, HIRQ0 + l);
		/* 0 latched (not resident), 1 delivered (only in the
		 * delivery test: no vCPU runs in the save test). */
		if (ret < 0 || (ret == 1 && !s->only_vcpu0))
			atomic_store(&s->fire_err, ret ? ret : 1);
	}
	atomic_store(&s->done, true);
	return NULL;
}

static bool pend_bit(struct th_host *h, uint32_t vcpu, uint32_t intid)
{
	uint8_t *b = th_ram(h, TH_RAM_BASE + GI_PEND + vcpu * 0x10000ull +
				       intid / 8);

	return (*b >> (intid % 8)) & 1;
}

/* One save, then consume everything it shows.  Returns how many. */
static uint32_t save_and_consume(struct stress *s)
{
	uint32_t n = 0;

	assert_int_equal(th_set_attr(s->gic, VGIC_GRP_CTRL,
				     VGIC_CTRL_SAVE_PENDING_TABLES, NULL),
			 0);
	for (uint32_t l = 0; l < NR_EV; l++) {
		uint64_t c = atomic_load(&s->consumed[l]);

		if (!pend_bit(s->h, l % NR_VCPUS, LPI0 + l))
			continue;
		/* Pending: fired more often than consumed, or duplicated. */
		assert_true(c < atomic_load(&s->fired[l]));
		gi_devcmd(&s->g, CMD_CLEAR, DEV, l, 0);
		atomic_store_explicit(&s->consumed[l], c + 1,
				      memory_order_release);
		n++;
	}
	return n;
}

/* The VM: NR_EV events of DEV forwarded, event l on vCPU l % NR_VCPUS. */
static struct stress *stress_new(void)
{
	const char *san = getenv("VGIC_SANITIZED");
	struct stress *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->nr_fires = san && *san == '1' ? 10000 : 100000;
	s->h = th_host_new(RAM_SIZE);
	s->v = th_vm_v3(s->h, NR_VCPUS, NULL, 0, 1, &s->gic, &s->its);
	assert_int_equal(vgic_v4_model_create(VGIC_V4_1, NR_VCPUS,
					      HIRQ0 + NR_EV, &s->m),
			 0);
	assert_int_equal(vgic_v4_attach_model(s->v, s->m), 0);
	gi_cpu_init(s->v, s->h, NR_VCPUS, true);
	gi_its_init(&s->g, s->v, s->h, 0, false);
	for (uint32_t c = 0; c < NR_VCPUS; c++)
		gi_mapc(&s->g, c, c, true);
	gi_mapd(&s->g, DEV, gi_itt(&s->g, DEV), 9, true);
	for (uint32_t l = 0; l < NR_EV; l++) {
		gi_set_cfg(s->h, LPI0 + l, 0xa0, true);
		gi_mapti(&s->g, DEV, l, LPI0 + l, l % NR_VCPUS);
		assert_int_equal(vgic_v4_set_forwarding(
					 s->v, TH_ITS_BASE + GITS_TRANSLATER_OFF,
					 DEV, l, HIRQ0 + l),
				 0);
	}
	return s;
}

static void stress_free(struct stress *s)
{
	vgic_destroy(s->v);
	vgic_v4_model_destroy(s->m);
	th_host_free(s->h);
	free(s);
}

static void test_save_vs_fire(void **state)
{
	struct vgic_v4_model_stats st;
	struct stress *s = stress_new();
	uint64_t total = 0, saves = 0, kicks = 0;
	pthread_t t;

	(void)state;
	/* vCPUs 0-2 have run (their vPEs are mapped and get unmapped by
	 * every save); vCPU 3 never ran. */
	for (uint32_t c = 0; c < NR_VCPUS - 1; c++) {
		assert_int_equal(vgic_vcpu_set_running(s->v, c, true), 0);
		assert_int_equal(vgic_vcpu_set_running(s->v, c, false), 0);
	}
	assert_int_equal(pthread_create(&t, NULL, firer, s), 0);
	while (!atomic_load(&s->done)) {
		uint32_t n = save_and_consume(s);

		total += n;
		saves++;
		if (n == 0)
			sched_yield(); /* let the firer catch up */
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_false(atomic_load(&s->stalled));
	assert_int_equal(atomic_load(&s->fire_err), 0);
	/* Drain: everything fired is consumed exactly once. */
	for (int i = 0; i < 3 && total < s->nr_fires; i++, saves++)
		total += save_and_consume(s);
	assert_int_equal(total, s->nr_fires);
	for (uint32_t l = 0; l < NR_EV; l++)
		assert_int_equal(atomic_load(&s->consumed[l]),
				 atomic_load(&s->fired[l]));
	/* Nothing left anywhere, and one more save finds nothing. */
	assert_int_equal(save_and_consume(s), 0);
	vgic_v4_model_stats(s->m, &st);
	assert_int_equal(st.fired, s->nr_fires);
	assert_int_equal(st.doorbells, s->nr_fires);
	assert_int_equal(st.delivered, 0);
	assert_int_equal(st.clear_pending, s->nr_fires);
	assert_int_equal(st.stale_vpt_reads, 0);
	for (uint32_t c = 0; c < NR_VCPUS; c++) {
		kicks += atomic_load(&s->h->kicks[c]);
		assert_true(vgic_vcpu_irq_pending(s->v, c)); /* doorbell */
	}
	assert_true(kicks >= s->nr_fires);
	print_message("%llu firings, %llu saves\n",
		      (unsigned long long)s->nr_fires,
		      (unsigned long long)saves);
	stress_free(s);
}

/*
 * Delivery vs. residency: the firer fires the LPIs of vCPU 0 (delivered
 * lock-free into the emulated CPU interface while it runs, doorbell while
 * it does not) while the main thread plays vCPU 0: acknowledge + EOI,
 * and every few rounds leave and re-enter guest mode.  Each firing is
 * acknowledged exactly once.
 */
static void test_deliver_vs_run(void **state)
{
	struct vgic_v4_model_stats st;
	struct stress *s = stress_new();
	uint64_t total = 0, toggles = 0;
	bool running = true;
	pthread_t t;

	(void)state;
	s->only_vcpu0 = true;
	assert_int_equal(vgic_vcpu_set_running(s->v, 0, true), 0);
	assert_int_equal(pthread_create(&t, NULL, firer, s), 0);
	for (uint64_t i = 0; total < s->nr_fires && !atomic_load(&s->stalled);
	     i++) {
		uint32_t intid, l;

		if (i % 64 == 63) { /* out of guest mode and back */
			running = !running;
			toggles++;
			assert_int_equal(vgic_vcpu_set_running(s->v, 0,
							       running),
					 0);
		}
		if (!running) {
			sched_yield(); /* the firer now rings the doorbell */
			continue;
		}
		intid = gi_ack(s->v, 0);
		if (intid == 1023) {
			sched_yield();
			continue;
		}
		l = intid - LPI0;
		assert_true(l < NR_EV && l % NR_VCPUS == 0);
		/* Acknowledged more often than fired: a duplicate. */
		assert_true(atomic_load(&s->consumed[l]) <
			    atomic_load(&s->fired[l]));
		gi_eoi(s->v, 0, intid);
		atomic_fetch_add_explicit(&s->consumed[l], 1,
					  memory_order_release);
		total++;
	}
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_false(atomic_load(&s->stalled));
	assert_int_equal(atomic_load(&s->fire_err), 0);
	assert_int_equal(total, s->nr_fires);
	if (!running)
		assert_int_equal(vgic_vcpu_set_running(s->v, 0, true), 0);
	assert_int_equal(gi_ack(s->v, 0), 1023);
	vgic_v4_model_stats(s->m, &st);
	assert_int_equal(st.fired, s->nr_fires);
	assert_int_equal(st.delivered, s->nr_fires);
	assert_true(st.doorbells > 0);
	print_message("%llu firings, %llu residency changes, %llu doorbells\n",
		      (unsigned long long)s->nr_fires,
		      (unsigned long long)toggles,
		      (unsigned long long)st.doorbells);
	assert_int_equal(vgic_vcpu_set_running(s->v, 0, false), 0);
	stress_free(s);
}

/* MSIs sent in software (vgic_signal_msi) race with the VMM setting and
 * undoing the forwarding: each MSI is accepted (1) and lands either in the
 * backend or in the emulated LPI; TSan checks the lock-free host-IRQ
 * table; at the end the LPI is emulated again and an MSI reaches it. */
struct toggle {
	struct stress *s;
	_Atomic bool stop;
	_Atomic int bad;
};

static void *msi_sender(void *arg)
{
	struct toggle *tg = arg;

	while (!atomic_load(&tg->stop)) {
		int ret = gi_msi(&tg->s->g, DEV, 0);

		if (ret != 1)
			atomic_store(&tg->bad, ret ? ret : -1);
	}
	return NULL;
}

static void test_msi_vs_forwarding(void **state)
{
	struct stress *s = stress_new();
	struct toggle tg = { .s = s };
	uint64_t n = s->nr_fires / 10;
	pthread_t t;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, msi_sender, &tg), 0);
	for (uint64_t i = 0; i < n; i++) {
		assert_int_equal(vgic_v4_unset_forwarding(
					 s->v, TH_ITS_BASE + GITS_TRANSLATER_OFF,
					 DEV, 0, HIRQ0),
				 0);
		assert_int_equal(vgic_v4_set_forwarding(
					 s->v, TH_ITS_BASE + GITS_TRANSLATER_OFF,
					 DEV, 0, HIRQ0),
				 0);
	}
	atomic_store(&tg.stop, true);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(atomic_load(&tg.bad), 0);
	assert_int_equal(vgic_v4_unset_forwarding(
				 s->v, TH_ITS_BASE + GITS_TRANSLATER_OFF, DEV,
				 0, HIRQ0),
			 0);
	assert_int_equal(gi_msi(&s->g, DEV, 0), 1);
	assert_int_equal(th_sysreg_read(s->v, 0, VGIC_ICC_HPPIR1_EL1), LPI0);
	stress_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_save_vs_fire),
		cmocka_unit_test(test_deliver_vs_run),
		cmocka_unit_test(test_msi_vs_forwarding),
	};
	return cmocka_run_group_tests_name("v4_stress", tests, NULL, NULL);
}

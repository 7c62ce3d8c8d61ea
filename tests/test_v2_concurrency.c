/*
 * GICv2 under concurrency: one thread per vCPU exchanging IPIs through
 * GICD_SGIR and acknowledging them through its GICC frame, while a device
 * thread toggles interrupt lines and a VMM thread reads attributes.  Every
 * IPI must arrive exactly once with its sender's CPUID.  Runs under TSan
 * (label "concurrency").
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "v2_helpers.h"

#define NR 4

struct ctx {
	struct vgic *v;
	struct vgic_device *d;
	unsigned rounds;
	_Atomic unsigned recv[NR][NR]; /* [receiver][sender] */
	_Atomic unsigned bad;
	_Atomic bool stop;
};

struct arg {
	struct ctx *x;
	uint32_t cpu;
};

/* vCPU @cpu sends SGI @cpu to all others, round after round, each round
 * once every receiver acknowledged the previous one; it takes what it
 * receives and completes it. */
static void *vcpu_thread(void *p)
{
	struct arg *a = p;
	struct ctx *x = a->x;
	uint32_t self = a->cpu;
	unsigned sent = 0;

	vgic_vcpu_set_running(x->v, self, true);
	for (;;) {
		bool done = sent == x->rounds, can_send = sent < x->rounds;
		uint32_t iar;

		for (uint32_t d = 0; d < NR; d++) {
			if (d == self)
				continue;
			if (atomic_load(&x->recv[d][self]) != sent)
				can_send = false;
			if (atomic_load(&x->recv[self][d]) != x->rounds)
				done = false;
		}
		if (done)
			break;
		if (can_send) {
			gicd_w(x->v, self, D_SGIR, SGIR_OTHERS | self);
			sent++;
		}
		iar = gicc_r(x->v, self, C_IAR);
		if ((iar & 0x3ff) == SPURIOUS) {
			sched_yield();
			continue;
		}
		if ((iar & 0x3ff) != ((iar >> 10) & 7) || (iar >> 10) >= NR ||
		    ((iar >> 10) & 7) == self)
			atomic_fetch_add(&x->bad, 1);
		else
			atomic_fetch_add(&x->recv[self][(iar >> 10) & 7], 1);
		gicc_w(x->v, self, C_EOIR, iar);
	}
	vgic_vcpu_set_running(x->v, self, false);
	return NULL;
}

/* A device raising and lowering a disabled level SPI and a PPI. */
static void *device_thread(void *p)
{
	struct ctx *x = p;

	for (unsigned i = 0; !atomic_load(&x->stop); i++) {
		vgic_irq_line(x->v, 0, 40, i & 1);
		vgic_irq_line(x->v, i % NR, 27, 0);
	}
	return NULL;
}

/* The VMM reading state: -EBUSY while a vCPU runs, else a value. */
static void *vmm_thread(void *p)
{
	struct ctx *x = p;

	while (!atomic_load(&x->stop)) {
		uint32_t val;
		int ret = th_get_attr(x->d, VGIC_GRP_DIST_REGS,
				      v2_attr(1, D_SPENDSGIR), &val);

		if (ret && ret != -EBUSY)
			atomic_fetch_add(&x->bad, 1);
		ret = th_has_attr(x->d, VGIC_GRP_CPU_REGS, v2_attr(2, C_PMR));
		if (ret)
			atomic_fetch_add(&x->bad, 1);
		sched_yield();
	}
	return NULL;
}

static void test_ipi_storm(void **state)
{
	struct th_host *h = th_host_new(0);
	const char *san = getenv("VGIC_SANITIZED");
	struct ctx *x = calloc(1, sizeof(*x));
	pthread_t t[NR + 2];
	struct arg args[NR];

	(void)state;
	assert_non_null(x);
	x->rounds = san && *san == '1' ? 200 : 2000;
	x->v = th_vm_v2(h, NR, 64, &x->d);
	v2_guest_enable(x->v, NR);
	for (uint32_t c = 0; c < NR; c++) {
		args[c].x = x;
		args[c].cpu = c;
		assert_int_equal(pthread_create(&t[c], NULL, vcpu_thread,
						&args[c]),
				 0);
	}
	assert_int_equal(pthread_create(&t[NR], NULL, device_thread, x), 0);
	assert_int_equal(pthread_create(&t[NR + 1], NULL, vmm_thread, x), 0);
	for (uint32_t c = 0; c < NR; c++)
		pthread_join(t[c], NULL);
	atomic_store(&x->stop, true);
	pthread_join(t[NR], NULL);
	pthread_join(t[NR + 1], NULL);

	assert_int_equal(atomic_load(&x->bad), 0);
	for (uint32_t r = 0; r < NR; r++)
		for (uint32_t s = 0; s < NR; s++)
			assert_int_equal(atomic_load(&x->recv[r][s]),
					 r == s ? 0 : x->rounds);
	for (uint32_t c = 0; c < NR; c++) {
		assert_int_equal(gicc_r(x->v, c, C_IAR), SPURIOUS);
		assert_int_equal(gicc_r(x->v, c, C_RPR), 0xff);
		assert_false(vgic_vcpu_irq_pending(x->v, c));
	}
	vgic_destroy(x->v);
	free(x);
	th_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipi_storm),
	};
	return cmocka_run_group_tests_name("v2_concurrency", tests, NULL, NULL);
}

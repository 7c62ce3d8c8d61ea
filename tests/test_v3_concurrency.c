/*
 * GICv3 thread safety through the public API: four vCPU threads
 * acknowledge and complete interrupts and send each other SGIs, two device
 * threads raise edge SPIs routed to every vCPU, and a VMM thread reads
 * device attributes (0 or -EBUSY while vCPUs run) and GICD registers, all
 * at once.  Every raised SPI and every sent SGI must be acknowledged
 * exactly once: a sender only re-raises after the previous instance was
 * acknowledged, so nothing may coalesce.  Runs under TSan (label
 * "concurrency").
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "v3_guest.h"

#define NCPU 4
#define NSPI 32 /* SPIs 32..63, SPI 32 + i routed to vCPU i % NCPU */

struct shared {
	struct vgic *v;
	struct vgic_device *gic;
	unsigned rounds;
	_Atomic bool spi_busy[NSPI];
	_Atomic bool sgi_busy[NCPU][NCPU]; /* [sender][target], SGI = sender */
	_Atomic unsigned long spi_raised, spi_acked, sgi_sent, sgi_acked;
	_Atomic unsigned long bad;
	_Atomic bool stop;
	_Atomic unsigned quiet; /* vCPUs that saw stop and send no more */
	_Atomic unsigned devices_left;
};

struct cpu_arg {
	struct shared *s;
	uint32_t id;
};

static void *vcpu_thread(void *p)
{
	struct cpu_arg *a = p;
	struct shared *s = a->s;
	uint32_t me = a->id;
	uint64_t r = me + 1;
	unsigned sent = 0;
	bool quiet = false;

	for (;;) {
		uint64_t id;
		uint32_t t;

		/* Send an SGI to a random other vCPU if none is in flight. */
		if (!quiet && atomic_load(&s->stop)) {
			quiet = true;
			atomic_fetch_add(&s->quiet, 1);
		}
		t = (uint32_t)(th_rand(&r) % NCPU);
		if (t != me && sent < s->rounds && !quiet &&
		    !atomic_exchange(&s->sgi_busy[me][t], true)) {
			uint64_t val = SGI1R(me, 0, 0, 0, 0, 1u << t);

			atomic_fetch_add(&s->sgi_sent, 1);
			sent++;
			if (vgic_sysreg_write(s->v, me, VGIC_ICC_SGI1R_EL1, val))
				atomic_fetch_add(&s->bad, 1);
		}
		if (!vgic_vcpu_irq_pending(s->v, me)) {
			bool idle = true;

			if (quiet && atomic_load(&s->quiet) == NCPU) {
				for (uint32_t k = 0; k < NCPU; k++)
					idle &= !atomic_load(&s->sgi_busy[k][me]);
				for (uint32_t k = me; k < NSPI; k += NCPU)
					idle &= !atomic_load(&s->spi_busy[k]);
				if (idle)
					break;
			}
			sched_yield();
			continue;
		}
		if (vgic_sysreg_read(s->v, me, VGIC_ICC_IAR1_EL1, &id)) {
			atomic_fetch_add(&s->bad, 1);
			continue;
		}
		if (id == 1023)
			continue; /* raced with nothing: the line dropped */
		if (id < NCPU) {
			/* SGI number = sender. */
			if (!atomic_exchange(&s->sgi_busy[id][me], false))
				atomic_fetch_add(&s->bad, 1);
			atomic_fetch_add(&s->sgi_acked, 1);
		} else if (id >= 32 && id < 32 + NSPI && (id - 32) % NCPU == me) {
			if (!atomic_exchange(&s->spi_busy[id - 32], false))
				atomic_fetch_add(&s->bad, 1);
			atomic_fetch_add(&s->spi_acked, 1);
		} else {
			atomic_fetch_add(&s->bad, 1);
		}
		if (vgic_sysreg_write(s->v, me, VGIC_ICC_EOIR1_EL1, id))
			atomic_fetch_add(&s->bad, 1);
	}
	return NULL;
}

static void *device_thread(void *p)
{
	struct shared *s = p;
	uint64_t r = (uint64_t)(uintptr_t)p;
	unsigned raised = 0;

	while (raised < s->rounds) {
		uint32_t i = (uint32_t)(th_rand(&r) % NSPI);

		if (atomic_exchange(&s->spi_busy[i], true)) {
			sched_yield();
			continue;
		}
		atomic_fetch_add(&s->spi_raised, 1);
		raised++;
		if (vgic_irq_line(s->v, 0, 32 + i, true))
			atomic_fetch_add(&s->bad, 1);
	}
	atomic_fetch_sub(&s->devices_left, 1);
	return NULL;
}

static void *vmm_thread(void *p)
{
	struct shared *s = p;

	while (atomic_load(&s->devices_left)) {
		uint32_t val;
		uint64_t q;
		int ret = th_get_attr(s->gic, VGIC_GRP_DIST_REGS, D_ISPENDR + 4,
				      &val);

		if (ret && ret != -EBUSY)
			atomic_fetch_add(&s->bad, 1);
		ret = th_get_attr(s->gic, VGIC_GRP_CPU_SYSREGS,
				  VGIC_ICC_PMR_EL1, &q);
		if (ret && ret != -EBUSY)
			atomic_fetch_add(&s->bad, 1);
		if (!ret && q != 0xf8)
			atomic_fetch_add(&s->bad, 1);
		/* Guest-view reads from "another vCPU". */
		if (vgic_mmio_read(s->v, 0, GICD(D_ISENABLER + 4), &val, 4) ||
		    val != 0xffffffff)
			atomic_fetch_add(&s->bad, 1);
		sched_yield();
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct th_host *h = th_host_new(4096);
	struct shared s = { 0 };
	struct cpu_arg args[NCPU];
	pthread_t cpu[NCPU], dev[2], vmm;

	(void)state;
	s.v = th_vm_v3(h, NCPU, NULL, 64, 0, &s.gic, NULL);
	s.rounds = iters(20000, 2000);
	s.devices_left = 2;
	guest_enable(s.v, NCPU);
	for (uint32_t i = 0; i < NSPI; i++) {
		enable_irq(s.v, 0, 32 + i);
		set_edge(s.v, 0, 32 + i, true);
		route(s.v, 32 + i, (32 + i) % NCPU);
	}
	for (uint32_t c = 0; c < NCPU; c++) {
		assert_int_equal(vgic_vcpu_set_running(s.v, c, true), 0);
		args[c].s = &s;
		args[c].id = c;
		assert_int_equal(pthread_create(&cpu[c], NULL, vcpu_thread,
						&args[c]), 0);
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&dev[i], NULL, device_thread,
						&s), 0);
	assert_int_equal(pthread_create(&vmm, NULL, vmm_thread, &s), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(dev[i], NULL);
	pthread_join(vmm, NULL);
	atomic_store(&s.stop, true);
	for (uint32_t c = 0; c < NCPU; c++)
		pthread_join(cpu[c], NULL);

	assert_int_equal(atomic_load(&s.bad), 0);
	assert_int_equal(atomic_load(&s.spi_raised), 2 * s.rounds);
	assert_int_equal(atomic_load(&s.spi_acked), 2 * s.rounds);
	assert_int_equal(atomic_load(&s.sgi_acked), atomic_load(&s.sgi_sent));
	assert_true(atomic_load(&s.sgi_sent) > 0);
	for (uint32_t c = 0; c < NCPU; c++) {
		assert_false(vgic_vcpu_irq_pending(s.v, c));
		assert_int_equal(th_sysreg_read(s.v, c, VGIC_ICC_RPR_EL1), 0xff);
		assert_int_equal(vgic_vcpu_set_running(s.v, c, false), 0);
	}
	/* Quiescent: attributes work again. */
	{
		uint32_t val;
		assert_int_equal(th_get_attr(s.gic, VGIC_GRP_DIST_REGS,
					     D_ISPENDR + 4, &val), 0);
		assert_int_equal(val, 0);
	}
	vgic_destroy(s.v);
	th_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

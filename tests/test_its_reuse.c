/*
 * ITS MSI fast path against object reuse (runs under TSan with the
 * "concurrency" label).  The ITS keeps unmapped devices, chunk directories
 * and chunks on free lists and reuses them (type-stable memory, see
 * docs/its.md): an MSI that raced with MAPD must never translate through a
 * device object that now serves another DeviceID.
 *
 * Pairs of devices of the same size class swap one object: device A is
 * mapped with no ITEs and unmapped; device B then takes A's old object,
 * gets ITEs, and is unmapped, and so on.  Injector threads send MSIs only
 * to the A devices (never any ITE: vgic_signal_msi must return 0, never 1)
 * and to a device C that stays mapped with ITEs (must always return 1).
 * One pair is inline-ITT (3 EventID bits), one uses a chunk directory
 * (10 bits).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "its_guest.h"

#define NR_INJECTORS 2
#define DEV_C 9u
#define LPI_C 8300u
#define LPI_B 8192u

struct pair {
	uint32_t a, b, bits, ev[4];
};

static const struct pair pairs[] = {
	{ 5, 6, 3, { 0, 3, 5, 7 } },
	{ 7, 8, 10, { 0, 63, 512, 1023 } },
};

struct ctx {
	struct th_host *h;
	struct vgic *v;
	struct gi_its g;
	_Atomic bool stop;
	_Atomic uint64_t msis, wrong_a, wrong_c;
};

static void *injector(void *arg)
{
	struct ctx *c = arg;
	uint64_t n = 0;

	while (!atomic_load_explicit(&c->stop, memory_order_relaxed)) {
		const struct pair *p = &pairs[n % 2];
		uint32_t ev = p->ev[(n / 2) % 4];

		if (gi_msi(&c->g, p->a, ev) != 0)
			atomic_fetch_add(&c->wrong_a, 1);
		if (gi_msi(&c->g, DEV_C, (uint32_t)n % 8) != 1)
			atomic_fetch_add(&c->wrong_c, 1);
		n++;
	}
	atomic_fetch_add(&c->msis, 2 * n);
	return NULL;
}

static void test_reuse_never_translates_for_another_device(void **state)
{
	const char *san = getenv("VGIC_SANITIZED");
	uint32_t rounds = san && *san == '1' ? 1500 : 15000;
	struct ctx *c = calloc(1, sizeof(*c));
	pthread_t th[NR_INJECTORS];

	(void)state;
	c->h = th_host_new(8u << 20);
	c->v = th_vm_v3(c->h, 1, NULL, 0, 1, NULL, NULL);
	gi_cpu_init(c->v, c->h, 1, true);
	gi_its_init(&c->g, c->v, c->h, 0, false);
	for (uint32_t i = 8192; i < 8192 + 256; i++)
		gi_set_cfg(c->h, i, 0xa0, true);
	gi_mapc(&c->g, 0, 0, true);
	gi_mapd(&c->g, DEV_C, gi_itt(&c->g, DEV_C), 3, true);
	for (uint32_t e = 0; e < 8; e++)
		gi_mapti(&c->g, DEV_C, e, LPI_C + e, 0);
	gi_sync(&c->g, 0);
	/* Sanity: C translates, A does not. */
	assert_int_equal(gi_msi(&c->g, DEV_C, 0), 1);
	assert_int_equal(gi_msi(&c->g, pairs[0].a, 0), 0);

	for (uint32_t i = 0; i < NR_INJECTORS; i++)
		pthread_create(&th[i], NULL, injector, c);
	for (uint32_t r = 0; r < rounds; r++) {
		const struct pair *p = &pairs[r % 2];

		gi_mapd(&c->g, p->a, gi_itt(&c->g, p->a), p->bits, true);
		gi_mapd(&c->g, p->a, 0, p->bits, false);
		/* B reuses A's device object (and, for the l2 pair, the
		 * chunk directory and chunks B itself freed last round). */
		gi_mapd(&c->g, p->b, gi_itt(&c->g, p->b), p->bits, true);
		for (uint32_t k = 0; k < 4; k++)
			gi_mapti(&c->g, p->b, p->ev[k], LPI_B + k + 4 * (r % 2),
				 0);
		/* B's ITEs translate while B is mapped. */
		assert_int_equal(gi_msi(&c->g, p->b, p->ev[r % 4]), 1);
		gi_mapd(&c->g, p->b, 0, p->bits, false);
	}
	atomic_store(&c->stop, true);
	for (uint32_t i = 0; i < NR_INJECTORS; i++)
		pthread_join(th[i], NULL);
	/* Quiet check: an A device on B's recycled objects has no ITE. */
	for (uint32_t i = 0; i < 2; i++) {
		const struct pair *p = &pairs[i];

		gi_mapd(&c->g, p->a, gi_itt(&c->g, p->a), p->bits, true);
		for (uint32_t k = 0; k < 4; k++)
			assert_int_equal(gi_msi(&c->g, p->a, p->ev[k]), 0);
	}
	printf("%u remap rounds, %llu MSIs\n", rounds,
	       (unsigned long long)atomic_load(&c->msis));
	assert_int_equal(atomic_load(&c->wrong_a), 0);
	assert_int_equal(atomic_load(&c->wrong_c), 0);
	assert_true(atomic_load(&c->msis) > 0);
	vgic_destroy(c->v);
	th_host_free(c->h);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reuse_never_translates_for_another_device),
	};
	if (!gi_have_gicv3()) {
		printf("skipped: the GICv3 front end is not built yet\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * MSIs racing ITS_RESTORE_TABLES (runs under TSan with the "concurrency"
 * label).  A VMM may signal MSIs from device threads while it restores
 * the ITS, with the ITS enabled before RESTORE_TABLES (an order KVM does
 * not forbid): a device is published before its ITT is scanned, and LPIs
 * are created a run at a time, so injectors translate through devices
 * whose slots and LPIs are being filled.  Each round resets the ITS and
 * restores the same hand-built tables; injectors must only ever get the
 * documented answers, and after the last round every translation must be
 * there and deliver exactly its LPI.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "save_guest.h"

#define NR_DEV 64
#define NR_EV 32
#define NR_INJ 2

struct ctx {
	struct sg g;
	_Atomic bool stop;
	_Atomic uint64_t delivered, bad;
};

struct inj {
	struct ctx *c;
	uint64_t seed;
};

static void *injector(void *arg)
{
	struct inj *a = arg;
	uint64_t s = a->seed;

	while (!atomic_load(&a->c->stop)) {
		uint32_t d, e;
		int ret;

		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		d = (uint32_t)(s >> 20) % NR_DEV;
		e = (uint32_t)(s >> 40) % NR_EV;
		ret = sg_msi(&a->c->g, 0, d, e);
		if (ret == 1)
			atomic_fetch_add(&a->c->delivered, 1);
		else if (ret != 0 && ret != -EBUSY)
			atomic_fetch_add(&a->c->bad, 1);
	}
	return NULL;
}

/* Devices 0..NR_DEV-1, each NR_EV events mapping consecutive LPIs, all on
 * ICID 0 -> vCPU 0: one run of new LPIs per device. */
static void tables(struct sg *g)
{
	for (uint32_t i = 8192; i < 8192 + NR_DEV * NR_EV; i++)
		sg_lpi_cfg(g, i, 0xa1);
	sg_wr(g, SG_CT(0), sg_cte(0, 0));
	sg_wr(g, SG_CT(0) + 8, 0);
	for (uint32_t d = 0; d < NR_DEV; d++) {
		sg_wr(g, SG_DT(0) + d * 8,
		      sg_dte(SG_ITT(d), 5, d + 1 < NR_DEV));
		for (uint32_t e = 0; e < NR_EV; e++)
			sg_wr(g, SG_ITT(d) + e * 8,
			      sg_ite(8192 + d * NR_EV + e, 0, e + 1 < NR_EV));
	}
}

static void test_msis_during_restore(void **state)
{
	const char *san = getenv("VGIC_SANITIZED");
	int rounds = san && *san == '1' ? 200 : 300;
	struct th_host *h = th_host_new(SG_RAM_SIZE);
	struct ctx *c = calloc(1, sizeof(*c));
	uint64_t baser0 = SG_DT(0) | SG_BASER_VALID | SG_BASER_64K;
	uint64_t baser1 = SG_CT(0) | SG_BASER_VALID | SG_BASER_64K;
	uint64_t cbaser = SG_CMDQ(0) | 1ull << 63 | 15;
	uint64_t on = 1, seen = 0;
	pthread_t t[NR_INJ];
	struct inj a[NR_INJ];

	(void)state;
	assert_non_null(c);
	sg_new(&c->g, h, 2, NULL, 1, false);
	tables(&c->g);
	for (int k = 0; k < NR_INJ; k++) {
		a[k] = (struct inj){ c, 0x9e3779b97f4a7c15ull * (uint64_t)(k + 1) };
		assert_int_equal(pthread_create(&t[k], NULL, injector, &a[k]), 0);
	}
	for (int r = 0; r < rounds; r++) {
		assert_int_equal(sg_ctrl(c->g.its[0], VGIC_CTRL_ITS_RESET), 0);
		assert_int_equal(th_set_attr(c->g.its[0], VGIC_GRP_ITS_REGS,
					     SG_GITS_BASER0, &baser0), 0);
		assert_int_equal(th_set_attr(c->g.its[0], VGIC_GRP_ITS_REGS,
					     SG_GITS_BASER1, &baser1), 0);
		assert_int_equal(th_set_attr(c->g.its[0], VGIC_GRP_ITS_REGS,
					     SG_GITS_CBASER, &cbaser), 0);
		/* Enabled first (the BASERs and CBASER valid, as enabling
		 * needs): MSIs translate while the tables restore. */
		assert_int_equal(th_set_attr(c->g.its[0], VGIC_GRP_ITS_REGS,
					     SG_GITS_CTLR, &on), 0);
		assert_int_equal(sg_ctrl(c->g.its[0],
					 VGIC_CTRL_ITS_RESTORE_TABLES), 0);
		sched_yield();
	}
	atomic_store(&c->stop, true);
	for (int k = 0; k < NR_INJ; k++)
		pthread_join(t[k], NULL);
	assert_int_equal(atomic_load(&c->bad), 0);
	/* The race happened: injectors got translations. */
	assert_true(atomic_load(&c->delivered) > 0);

	/* Whatever the injectors left pending is an LPI of the tables, each
	 * at most once; then every translation delivers exactly its LPI. */
	for (;;) {
		uint32_t x = sg_ack(c->g.v, 0);

		if (x == 1023)
			break;
		assert_in_range(x, 8192, 8192 + NR_DEV * NR_EV - 1);
		assert_true(++seen <= NR_DEV * NR_EV);
	}
	assert_int_equal(sg_ack(c->g.v, 1), 1023);
	for (uint32_t d = 0; d < NR_DEV; d++) {
		for (uint32_t e = 0; e < NR_EV; e++) {
			assert_int_equal(sg_msi(&c->g, 0, d, e), 1);
			assert_int_equal(sg_ack(c->g.v, 0), 8192 + d * NR_EV + e);
			assert_int_equal(sg_ack(c->g.v, 0), 1023);
		}
	}
	vgic_destroy(c->g.v);
	th_host_free(h);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msis_during_restore),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

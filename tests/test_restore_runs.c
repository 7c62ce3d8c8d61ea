/*
 * ITS_RESTORE_TABLES creates the LPIs of a run of ITEs (consecutive
 * EventIDs and pINTIDs, one ICID) at once.  Differential test: the same
 * mappings made by MAPD/MAPC/MAPTI commands (one LPI at a time) in one VM
 * and restored from hand-built KVM ABI REV0 tables in another, from the
 * same guest RAM (configuration bytes, pending bits), must give the same
 * pending LPIs, the same pending tables in RAM afterwards and the same
 * translations.  The random layouts are made of runs that cross slot
 * chunks, end at the ITT's last event, meet LPIs that already exist, share
 * pending-table bytes with set bits, reach the top of the LPI space; the
 * targeted tests check the errors a run must still give.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "save_guest.h"

#define NR_DEV 8
#define NR_ICID 4
#define MAX_EV 256 /* SG_ITT_STRIDE / 8 */

static uint32_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return (uint32_t)(*s >> 11);
}

struct layout {
	uint32_t nbits[NR_DEV];         /* 0: no device */
	uint32_t intid[NR_DEV][MAX_EV]; /* 0: no ITE */
	uint32_t icid[NR_DEV][MAX_EV];
	uint32_t target[NR_ICID];
};

/* Random runs: mostly consecutive pINTIDs, sometimes from a small shared
 * pool (LPIs that exist already), sometimes at the top of the space. */
static void make_layout(struct layout *l, uint64_t *s)
{
	memset(l, 0, sizeof(*l));
	for (uint32_t c = 0; c < NR_ICID; c++)
		l->target[c] = rnd(s) % 2;
	for (uint32_t d = 0; d < NR_DEV; d++) {
		uint32_t nev;

		if (rnd(s) % 5 == 0)
			continue;
		l->nbits[d] = 1 + rnd(s) % 8;
		nev = 1u << l->nbits[d];
		for (uint32_t ev = rnd(s) % 3; ev < nev;) {
			uint32_t len = 1 + rnd(s) % 80, icid = rnd(s) % NR_ICID;
			uint32_t base, kind = rnd(s) % 8;

			if (kind == 0)
				base = 65536 - 1 - rnd(s) % 40;
			else if (kind == 1)
				base = 8192 + rnd(s) % 64;
			else
				base = 8192 + rnd(s) % 4096;
			for (uint32_t k = 0; k < len && ev < nev; k++, ev++) {
				if (base + k > 65535)
					break;
				l->intid[d][ev] = base + k;
				l->icid[d][ev] = icid;
			}
			ev += rnd(s) % 4 == 0 ? rnd(s) % 5 : 0;
		}
	}
}

/* Guest RAM both VMs start from: random configuration bytes, a few
 * pending bits in each vCPU's table. */
static void fill_ram(struct sg *g, uint64_t *s)
{
	for (uint32_t i = 8192; i < 65536; i++)
		sg_lpi_cfg(g, i, (uint8_t)((rnd(s) % 64) << 2 | (rnd(s) % 8 != 0)));
	for (uint32_t c = 0; c < 2; c++)
		for (uint32_t i = 8192; i < 65536; i++)
			if (rnd(s) % 64 == 0)
				*(uint8_t *)th_ram(g->h, SG_PEND(c) + i / 8) |=
					(uint8_t)(1u << (i % 8));
}

static void by_commands(struct sg *g, const struct layout *l)
{
	for (uint32_t c = 0; c < NR_ICID; c++)
		sg_mapc(g, 0, c, l->target[c], true);
	for (uint32_t d = 0; d < NR_DEV; d++) {
		if (!l->nbits[d])
			continue;
		sg_mapd(g, 0, d, SG_ITT(d), l->nbits[d], true);
		for (uint32_t ev = 0; ev < (1u << l->nbits[d]); ev++)
			if (l->intid[d][ev])
				sg_mapti(g, 0, d, ev, l->intid[d][ev],
					 l->icid[d][ev]);
	}
	assert_int_equal(th_read64(g->v, 0, SG_GITS(0) + SG_GITS_CREADR),
			 g->cwriter[0]);
}

/* KVM ABI REV0 tables of @l, by hand (next deltas, zero terminator). */
static void by_hand(struct sg *g, const struct layout *l)
{
	uint32_t prev = NR_DEV;

	for (uint32_t c = 0; c < NR_ICID; c++)
		sg_wr(g, SG_CT(0) + c * 8, sg_cte(c, l->target[c]));
	sg_wr(g, SG_CT(0) + NR_ICID * 8, 0);
	for (uint32_t d = 0; d < NR_DEV; d++) {
		uint32_t nev = 1u << l->nbits[d], last = MAX_EV;

		if (!l->nbits[d])
			continue;
		if (prev != NR_DEV)
			sg_wr(g, SG_DT(0) + prev * 8,
			      sg_dte(SG_ITT(prev), l->nbits[prev], d - prev));
		prev = d;
		for (uint32_t ev = 0; ev < nev; ev++) {
			if (!l->intid[d][ev])
				continue;
			if (last != MAX_EV)
				sg_wr(g, SG_ITT(d) + last * 8,
				      sg_ite(l->intid[d][last], l->icid[d][last],
					  ev - last));
			last = ev;
		}
		if (last != MAX_EV)
			sg_wr(g, SG_ITT(d) + last * 8,
			      sg_ite(l->intid[d][last], l->icid[d][last], 0));
	}
	if (prev != NR_DEV)
		sg_wr(g, SG_DT(0) + prev * 8,
		      sg_dte(SG_ITT(prev), l->nbits[prev], 0));
}

/* Both VMs acknowledge the same interrupts in the same order. */
static void same_acks(struct sg *a, struct sg *b, uint64_t seed)
{
	for (uint32_t c = 0; c < 2; c++) {
		for (;;) {
			uint32_t x = sg_ack(a->v, c), y = sg_ack(b->v, c);

			if (x != y)
				fail_msg("seed %llu vCPU %u: ack %u by commands, "
					 "%u by restore",
					 (unsigned long long)seed, c, x, y);
			if (x == 1023)
				break;
		}
	}
}

/* The destination VM: RAM @h2, @nr_vcpus redistributors programmed (the
 * ABI order: before the ITS), the ITS empty. */
static void dest_vm(struct sg *b, struct th_host *h2, uint32_t nr_vcpus)
{
	memset(b, 0, sizeof(*b));
	b->h = h2;
	b->nr_vcpus = nr_vcpus;
	b->nr_its = 1;
	b->v = sg_vm_v3(h2, nr_vcpus, NULL, 1, &b->gic, b->its);
	th_write32(b->v, 0, TH_GICD_BASE + SG_GICD_CTLR, 0x12);
	for (uint32_t c = 0; c < nr_vcpus; c++)
		sg_rd_init(b, c, true);
}

static void one_seed(uint64_t seed)
{
	uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;
	struct th_host *h = th_host_new(SG_RAM_SIZE), *h2;
	struct layout *l = malloc(sizeof(*l));
	struct sg a, b;

	assert_non_null(l);
	make_layout(l, &s);
	sg_new(&a, h, 2, NULL, 1, false);
	fill_ram(&a, &s);
	h2 = sg_clone_ram(h);
	by_commands(&a, l);

	dest_vm(&b, h2, 2);
	by_hand(&b, l);
	assert_int_equal(sg_its_migrate(a.its[0], b.its[0]), 0);

	/* The same bits consumed from the pending tables... */
	for (uint32_t c = 0; c < 2; c++)
		if (memcmp(th_ram(h, SG_PEND(c)), th_ram(h2, SG_PEND(c)),
			   65536 / 8))
			fail_msg("seed %llu: pending table %u differs",
				 (unsigned long long)seed, c);
	/* ... made the same LPIs pending, with the same priorities. */
	same_acks(&a, &b, seed);
	/* Every translation, and no other. */
	for (uint32_t d = 0; d < NR_DEV; d++) {
		for (uint32_t ev = 0; ev < MAX_EV; ev += 1 + (ev % 7 == 3)) {
			int x = sg_msi(&a, 0, d, ev), y = sg_msi(&b, 0, d, ev);

			if (x != y)
				fail_msg("seed %llu: MSI %u/%u: %d by "
					 "commands, %d by restore",
					 (unsigned long long)seed, d, ev, x, y);
		}
		same_acks(&a, &b, seed);
	}
	vgic_destroy(a.v);
	vgic_destroy(b.v);
	th_host_free(h);
	th_host_free(h2);
	free(l);
}

static void test_random_runs(void **state)
{
	const char *san = getenv("VGIC_SANITIZED");
	uint64_t n = san && *san == '1' ? 60 : 400;

	(void)state;
	for (uint64_t seed = 1; seed <= n; seed++)
		one_seed(seed);
}

/* One device of 2^@bits events whose ITEs @ev0.. map the run @intid0..
 * with ICID 0 (vCPU 0) - but ICID 5, which has no collection, at entry
 * @bad_icid (if < @n); the last ITE gets @last_next.  Restores it and
 * checks the outcome: every MSI lands, or nothing was left behind. */
static int restore_run(struct sg *a, uint32_t bits, uint32_t ev0, uint32_t n,
		       uint32_t intid0, uint32_t last_next, uint32_t bad_icid)
{
	struct th_host *h2 = sg_clone_ram(a->h);
	struct sg b;
	int ret;

	dest_vm(&b, h2, 1);
	sg_wr(&b, SG_CT(0), sg_cte(0, 0));
	sg_wr(&b, SG_CT(0) + 8, 0);
	sg_wr(&b, SG_DT(0), sg_dte(SG_ITT(0), bits, 0));
	for (uint32_t k = 0; k < n; k++)
		sg_wr(&b, SG_ITT(0) + (ev0 + k) * 8,
		      sg_ite(intid0 + k, k == bad_icid ? 5 : 0,
			     k + 1 < n ? 1 : last_next));
	ret = sg_its_migrate(a->its[0], b.its[0]);
	if (ret) {
		/* Nothing created: no translation (once the ITS is on), no
		 * LPI pending, and the pending table as the guest left it. */
		th_write32(b.v, 0, SG_GITS(0) + SG_GITS_CTLR, 1);
		for (uint32_t k = 0; k < n; k++)
			assert_int_equal(sg_msi(&b, 0, 0, ev0 + k), 0);
		assert_int_equal(sg_ack(b.v, 0), 1023);
		assert_memory_equal(th_ram(h2, SG_PEND(0)),
				    th_ram(a->h, SG_PEND(0)), 8192);
	} else {
		for (uint32_t k = 0; k < n; k++) {
			assert_int_equal(sg_msi(&b, 0, 0, ev0 + k), 1);
			assert_int_equal(sg_ack(b.v, 0), intid0 + k);
			assert_int_equal(sg_ack(b.v, 0), 1023);
		}
	}
	vgic_destroy(b.v);
	th_host_free(h2);
	return ret;
}

/* The checks a run of new LPIs must keep, entry by entry. */
static void test_run_errors(void **state)
{
	struct th_host *h = th_host_new(SG_RAM_SIZE);
	struct sg a;

	(void)state;
	sg_new(&a, h, 1, NULL, 1, false);
	for (uint32_t i = 8192; i < 65536; i++)
		sg_lpi_cfg(&a, i, 0xa1);
	*(uint8_t *)th_ram(h, SG_PEND(0) + 9000 / 8) = 0x5a; /* left alone */

	/* A whole 64-event ITT, ending with next = 0; then one that crosses
	 * the slot chunk at event 64 of a 256-event ITT. */
	assert_int_equal(restore_run(&a, 6, 0, 64, 8192, 0, 64), 0);
	assert_int_equal(restore_run(&a, 8, 40, 100, 8300, 0, 100), 0);
	/* The ITT's last event with next = 1 leaves the ITT. */
	assert_int_equal(restore_run(&a, 6, 0, 64, 8192, 1, 64), -EINVAL);
	assert_int_equal(restore_run(&a, 6, 10, 54, 8192, 1, 54), -EINVAL);
	/* pINTIDs past the 16-bit LPI space. */
	assert_int_equal(restore_run(&a, 6, 0, 20, 65530, 0, 20), -EINVAL);
	/* The run reaching exactly the last LPI is fine. */
	assert_int_equal(restore_run(&a, 6, 0, 20, 65516, 0, 20), 0);
	/* An ICID without a collection in the middle of a run. */
	assert_int_equal(restore_run(&a, 5, 0, 32, 8192, 0, 17), -EINVAL);
	vgic_destroy(a.v);
	th_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_runs),
		cmocka_unit_test(test_run_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * ITS_SAVE_TABLES and SAVE_PENDING_TABLES against a model, on randomized
 * layouts that drive every path of the word- and block-at-a-time savers
 * (src/its_table.c save half, src/pending.c):
 *
 *  - ITTs: full inline ITTs (the dense path), full ITTs packed back to back
 *    across batch boundaries, runs of 8 live entries, holes, sparse and
 *    empty ITTs, two-level (nbits > 6) ITTs, 2- and 4-event ITTs;
 *  - pending tables: 64-LPI words that are full with one target, full with
 *    some LPIs untargeted, partly existing, mixed between vCPUs, LPIs that
 *    were discarded (bits kept), pending bits of untargeted LPIs (never
 *    written), all over random bytes the guest left in the tables.
 *
 * Each save must leave guest RAM exactly as the model says (every byte of
 * it), and SAVE_PENDING_TABLES must write each run of changed bytes once
 * (one write_guest call per run, none when nothing changes).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "save_guest.h"

#define RAM (8u << 20)
#define UNTARGETED_ICID 100 /* never mapped: MAPTI creates it unmapped */
#define SPAN 4096u          /* LPIs 8192 .. 8192 + SPAN - 1 */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)((rng_state >> 11) % n);
}

static bool sanitized(void)
{
	const char *s = getenv("VGIC_SANITIZED");

	return s && *s == '1';
}

/* Every byte of RAM equals @want; on a mismatch, name the first one. */
static void expect_ram(struct th_host *h, const uint8_t *want)
{
	for (size_t o = 0; o < RAM; o++)
		if (h->ram[o] != want[o])
			fail_msg("guest byte at 0x%llx: 0x%02x, expected 0x%02x",
				 (unsigned long long)(TH_RAM_BASE + o),
				 h->ram[o], want[o]);
}

/* ---- SAVE_PENDING_TABLES ----------------------------------------------- */

enum lpi_layout { DENSE, HALF, SPARSE, WORDS };
/* ONE_VCPU, LAST_VCPU: targeted LPIs go to vCPU 0 / the last vCPU (the
 * one-target path); MIXED: to any.  Some 64-LPI words have every LPI on
 * the one target, some every LPI untargeted, the others a mix. */
enum lpi_routing { ONE_VCPU, LAST_VCPU, MIXED };

struct lpi_model {
	bool pending;
	uint32_t target; /* vCPU, or UINT32_MAX: untargeted */
	uint32_t refs;   /* live ITEs: the LPI exists while > 0 */
	uint32_t ite[2]; /* their (device << 8 | event) */
};

static bool chosen(enum lpi_layout layout, uint32_t i)
{
	switch (layout) {
	case DENSE: /* whole words, with partial words at both ends */
		return i >= 37 && i < SPAN - 90;
	case HALF:
		return rnd(2);
	case SPARSE:
		return !rnd(33);
	default: /* words full, empty, or random, in random order */
		switch ((i / 64 * 7 + 3) % 5) {
		case 0:
		case 1:
			return true;
		case 2:
			return false;
		default:
			return rnd(4) != 0;
		}
	}
}

/* A failure injected into SAVE_PENDING_TABLES: at the range read of the
 * second vCPU's table (-EFAULT once, or for every access from there on). */
enum pend_fault { NO_FAULT, FAULT_ONCE, FAULT_STICKY };

static void pending_case_fault(uint32_t nr_vcpus, enum lpi_layout layout,
			       enum lpi_routing routing, uint64_t seed,
			       enum pend_fault fault);

static void pending_case(uint32_t nr_vcpus, enum lpi_layout layout,
			 enum lpi_routing routing, uint64_t seed)
{
	pending_case_fault(nr_vcpus, layout, routing, seed, NO_FAULT);
}

static void pending_case_fault(uint32_t nr_vcpus, enum lpi_layout layout,
			       enum lpi_routing routing, uint64_t seed,
			       enum pend_fault fault)
{
	struct th_host *h = th_host_new(RAM);
	struct lpi_model *m = calloc(SPAN, sizeof(*m));
	uint8_t *want = malloc(RAM);
	uint32_t k = 0, runs = 0, runs0 = 0; /* k: next ITE, device k >> 8 */
	uint64_t writes;
	struct sg g;

	assert_non_null(m);
	assert_non_null(want);
	rng_state = seed;
	sg_new(&g, h, nr_vcpus, NULL, 1, false);
	for (uint32_t c = 0; c < nr_vcpus; c++)
		sg_mapc(&g, 0, c, c, true);
	for (uint32_t d = 0; d < 64; d++)
		sg_mapd(&g, 0, d, SG_ITT(d), 8, true);
	for (uint32_t i = 0; i < SPAN; i++) {
		struct lpi_model *l = &m[i];
		uint32_t icid;

		if (!chosen(layout, i))
			continue;
		icid = routing == ONE_VCPU ? 0 : nr_vcpus - 1;
		switch ((i / 64 * 3 + seed) % 4) {
		case 0: /* the whole word on one target */
			break;
		case 1: /* the whole word untargeted */
			icid = UNTARGETED_ICID;
			break;
		default:
			if (routing == MIXED)
				icid = rnd(nr_vcpus);
			if (!rnd(6))
				icid = UNTARGETED_ICID;
		}
		l->target = icid == UNTARGETED_ICID ? UINT32_MAX : icid;
		sg_lpi_cfg(&g, 8192 + i, 0xa1);
		do { /* one ITE, sometimes two (refs 2) */
			l->ite[l->refs++] = k;
			sg_mapti(&g, 0, k >> 8, k & 255, 8192 + i, icid);
			k++;
		} while (l->refs < 2 && !rnd(8));
	}
	assert_true(k <= 64 * 256);
	/* DISCARD some ITEs in every other word: an LPI whose last ITE goes
	 * stops existing (its bits are the guest's again). */
	for (uint32_t i = 0; i < SPAN; i++) {
		struct lpi_model *l = &m[i];

		if (l->refs && i / 64 % 2 && !rnd(6)) {
			l->refs--;
			sg_devev(&g, 0, SG_DISCARD, l->ite[l->refs] >> 8,
				 l->ite[l->refs] & 255, 0);
		}
	}
	/* MSIs: pending LPIs (untargeted ones are not delivered, and their
	 * bits must not be written anyway). */
	for (uint32_t i = 0; i < SPAN; i++) {
		struct lpi_model *l = &m[i];
		int ret;

		if (!l->refs || rnd(5) >= 2)
			continue;
		ret = sg_msi(&g, 0, l->ite[0] >> 8, l->ite[0] & 255);
		if (l->target != UINT32_MAX) {
			assert_int_equal(ret, 1);
			l->pending = true;
		}
	}
	/* The guest's bytes in every pending table (INTIDs >= 8192). */
	for (uint32_t c = 0; c < nr_vcpus; c++) {
		uint8_t *p = th_ram(h, SG_PEND(c) + 1024);

		for (uint32_t b = 0; b < SPAN / 8 + 64; b++)
			p[b] = (uint8_t)rnd(256);
	}
	memcpy(want, h->ram, RAM);
	for (uint32_t i = 0; i < SPAN; i++) {
		struct lpi_model *l = &m[i];
		uint32_t intid = 8192 + i;
		uint8_t *b;

		if (!l->refs || l->target == UINT32_MAX)
			continue;
		b = &want[SG_PEND(l->target) - TH_RAM_BASE + intid / 8];
		if (l->pending)
			*b |= (uint8_t)(1u << (intid % 8));
		else
			*b &= (uint8_t)~(1u << (intid % 8));
	}
	for (uint32_t c = 0; c < nr_vcpus; c++) {
		size_t base = SG_PEND(c) - TH_RAM_BASE;
		bool in = false;

		for (size_t o = base; o < base + 0x10000; o++) {
			bool diff = want[o] != h->ram[o];

			runs += diff && !in;
			in = diff;
		}
		if (!c)
			runs0 = runs;
	}
	writes = h->nr_writes;
	if (fault != NO_FAULT) {
		/* vCPU 0: one range read, one write per run; then vCPU 1's
		 * range read fails.  Once: the save still ends right, with
		 * no byte written twice.  From there on: vCPU 0's table is
		 * saved, the others are untouched. */
		h->fail_at = h->nr_accesses + 1 + runs0 + 1;
		h->fail_sticky = fault == FAULT_STICKY;
		if (fault == FAULT_STICKY) {
			for (uint32_t c = 1; c < nr_vcpus; c++)
				memcpy(&want[SG_PEND(c) - TH_RAM_BASE],
				       th_ram(h, SG_PEND(c)), 0x10000);
			runs = runs0;
		}
		assert_int_equal(sg_ctrl(g.gic, VGIC_CTRL_SAVE_PENDING_TABLES),
				 fault == FAULT_STICKY ? -EFAULT : 0);
		h->fail_at = 0;
		expect_ram(h, want);
		assert_int_equal(h->nr_writes - writes, runs);
		vgic_destroy(g.v);
		th_host_free(h);
		free(want);
		free(m);
		return;
	}
	assert_int_equal(sg_ctrl(g.gic, VGIC_CTRL_SAVE_PENDING_TABLES), 0);
	expect_ram(h, want);
	assert_int_equal(h->nr_writes - writes, runs);
	/* Again: nothing changes, nothing is written. */
	writes = h->nr_writes;
	assert_int_equal(sg_ctrl(g.gic, VGIC_CTRL_SAVE_PENDING_TABLES), 0);
	expect_ram(h, want);
	assert_int_equal(h->nr_writes - writes, 0);
	vgic_destroy(g.v);
	th_host_free(h);
	free(want);
	free(m);
}

static void test_pending_one_vcpu(void **state)
{
	(void)state;
	pending_case(1, DENSE, ONE_VCPU, 1);
	pending_case(1, HALF, ONE_VCPU, 2);
	pending_case(1, SPARSE, ONE_VCPU, 3);
	pending_case(1, WORDS, ONE_VCPU, 4);
}

/* Every targeted LPI on one vCPU of several: the one-target path, with
 * words that hold untargeted LPIs too. */
static void test_pending_one_target(void **state)
{
	(void)state;
	pending_case(3, DENSE, LAST_VCPU, 5);
	pending_case(3, WORDS, LAST_VCPU, 6);
	pending_case(3, SPARSE, LAST_VCPU, 7);
}

/* Targets mixed inside words: the general path. */
static void test_pending_mixed(void **state)
{
	(void)state;
	pending_case(3, DENSE, MIXED, 8);
	pending_case(4, HALF, MIXED, 9);
	pending_case(2, WORDS, MIXED, 10);
}

/* A range read that faults in the middle of a several-target save. */
static void test_pending_fault(void **state)
{
	(void)state;
	pending_case_fault(3, DENSE, MIXED, 34, FAULT_ONCE);
	pending_case_fault(3, HALF, MIXED, 35, FAULT_STICKY);
	pending_case_fault(2, WORDS, MIXED, 36, FAULT_ONCE);
}

/* ---- ITS_SAVE_TABLES ------------------------------------------------------ */

enum itt_fill { FULL, FULL_BUT_ONE, RUNS, RANDOM, FEW, EMPTY, NR_FILLS };

static bool live(enum itt_fill fill, uint32_t ev, uint32_t nev, uint32_t hole)
{
	switch (fill) {
	case FULL:
		return true;
	case FULL_BUT_ONE:
		return ev != hole;
	case RUNS: /* runs of 8, aligned or not, and gaps */
		return ((ev + hole) / 8) % 3 != 2;
	case RANDOM:
		return rnd(2);
	case FEW:
		return !rnd(nev > 8 ? 9 : 3);
	default:
		return false;
	}
}

#define MAX_DEVS 64

/*
 * @nr devices (DeviceIDs spaced by 1..3), each with 2^1..2^8 events filled
 * by one of the patterns; ITTs packed back to back (@packed: full ITTs
 * then run on across devices and batch boundaries) or 2 KiB apart.  ITT
 * and device table memory is random before the save; the save must write
 * exactly the live entries there.  @skew > 0: device 0 is a full 256-event
 * ITT but for its first @skew events, which moves where the batch
 * boundaries fall in the devices that follow it.
 */
static void itt_case(uint32_t nr, bool packed, int only_bits, int only_fill,
		     uint32_t skew, uint64_t seed)
{
	struct th_host *h = th_host_new(RAM);
	uint8_t *want = malloc(RAM);
	uint64_t itt = SG_ITT_BASE;
	uint32_t id = 0, ids[MAX_DEVS], bits[MAX_DEVS];
	uint64_t itts[MAX_DEVS];
	uint32_t *ent = calloc(MAX_DEVS * 256, sizeof(*ent));
	struct sg g;

	assert_non_null(want);
	assert_non_null(ent);
	assert_true(nr <= MAX_DEVS);
	rng_state = seed;
	sg_new(&g, h, 2, NULL, 1, false);
	sg_mapc(&g, 0, 0, 0, true);
	sg_mapc(&g, 0, 1, 1, true);
	for (uint32_t d = 0; d < nr; d++) {
		uint32_t nb = skew && !d   ? 8
			      : only_bits ? (uint32_t)only_bits
					  : 1 + rnd(8);
		uint32_t nev = 1u << nb, hole = rnd(nev);
		enum itt_fill fill = only_fill >= 0 ? (enum itt_fill)only_fill
						    : (enum itt_fill)rnd(NR_FILLS);

		ids[d] = id;
		bits[d] = nb;
		itts[d] = packed ? itt : SG_ITT(d);
		itt += (nev * 8 + 255) & ~255ull;
		sg_mapd(&g, 0, id, itts[d], nb, true);
		for (uint32_t ev = 0; ev < nev; ev++) {
			uint32_t intid = 8192 + rnd(SPAN), icid = rnd(2);

			if (skew && !d ? ev < skew : !live(fill, ev, nev, hole))
				continue;
			ent[d * 256 + ev] = intid << 16 | icid;
			sg_mapti(&g, 0, id, ev, intid, icid);
		}
		id += 1 + rnd(3);
	}
	/* Random bytes where the ITTs and the device table are. */
	for (uint64_t o = 0; o < 0x20000; o++)
		*(uint8_t *)th_ram(h, SG_ITT_BASE + o) = (uint8_t)rnd(256);
	for (uint64_t o = 0; o < 0x10000; o++)
		*(uint8_t *)th_ram(h, SG_DT(0) + o) = (uint8_t)rnd(256);
	memcpy(want, h->ram, RAM);
	for (uint32_t d = 0; d < nr; d++) {
		uint32_t nev = 1u << bits[d], prev = UINT32_MAX;
		uint32_t next = d + 1 < nr ? ids[d + 1] - ids[d] : 0;

		sg_put_le64(&want[SG_DT(0) + ids[d] * 8 - TH_RAM_BASE],
			    1ull << 63 | (uint64_t)next << 49 |
				    (itts[d] >> 8) << 5 | (bits[d] - 1));
		for (uint32_t ev = 0; ev <= nev; ev++) {
			uint32_t e = ev < nev ? ent[d * 256 + ev] : 0;

			if (ev < nev && !e)
				continue;
			if (prev != UINT32_MAX)
				sg_put_le64(&want[itts[d] + prev * 8 - TH_RAM_BASE],
					    (uint64_t)(ev < nev ? ev - prev : 0)
							    << 48 |
						    ent[d * 256 + prev]);
			prev = ev;
		}
	}
	assert_int_equal(sg_ctrl(g.its[0], VGIC_CTRL_ITS_SAVE_TABLES), 0);
	/* The collection table is other tests' business. */
	memcpy(&want[SG_CT(0) - TH_RAM_BASE], th_ram(h, SG_CT(0)), 0x10000);
	expect_ram(h, want);
	vgic_destroy(g.v);
	th_host_free(h);
	free(want);
	free(ent);
}

/* Full inline ITTs back to back: the dense path, across batch flushes
 * (64 x 64 entries, 32 x 32, 8- and 4-event ITTs), and 2-event ITTs, too
 * short for it. */
static void test_itt_dense(void **state)
{
	(void)state;
	itt_case(64, true, 6, FULL, 0, 11);
	itt_case(64, true, 5, FULL, 0, 12);
	itt_case(40, true, 3, FULL, 0, 13);
	itt_case(40, true, 2, FULL, 0, 14);
	itt_case(40, true, 1, FULL, 0, 33);
	/* 6 entries before 64-entry ITTs: one ends 6 entries past a batch */
	itt_case(40, true, 6, FULL, 250, 31);
}

/* Full two-level ITTs back to back: runs of 8 across batch flushes. */
static void test_itt_dense_l2(void **state)
{
	(void)state;
	itt_case(sanitized() ? 12 : 24, true, 8, FULL, 0, 15);
	itt_case(16, true, 7, RUNS, 0, 16);
	/* 249 entries first: a run of 8 starts 7 entries before a batch
	 * boundary */
	itt_case(12, true, 8, FULL, 7, 32);
}

/* Every size and pattern, packed or apart. */
static void test_itt_mixed(void **state)
{
	(void)state;
	for (uint64_t seed = 17; seed < (sanitized() ? 21u : 29u); seed++)
		itt_case(MAX_DEVS, seed & 1, 0, -1, 0, seed);
	itt_case(MAX_DEVS, true, 0, FULL_BUT_ONE, 0, 29);
	itt_case(MAX_DEVS, false, 6, RUNS, 0, 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pending_one_vcpu),
		cmocka_unit_test(test_pending_one_target),
		cmocka_unit_test(test_pending_mixed),
		cmocka_unit_test(test_pending_fault),
		cmocka_unit_test(test_itt_dense),
		cmocka_unit_test(test_itt_dense_l2),
		cmocka_unit_test(test_itt_mixed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

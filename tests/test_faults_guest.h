/*
 * The guest scenario shared by the reliability tests (test_faults_*.c,
 * test_oom*.c): 2 vCPUs, one ITS, device DEV with NR_EV events mapped to
 * LPIs 8192 + e on collection e & 1 (vCPU e & 1), programmed the way the
 * Linux ITS driver does through save_guest.h, plus the checks "every
 * translation that exists is correct" and "every pending LPI is ours, on
 * its vCPU, once".  Tests include it after cmocka.h and save_guest.h.
 */
#ifndef VGIC_TEST_FAULTS_GUEST_H
#define VGIC_TEST_FAULTS_GUEST_H

#define DEV 5
#define NR_EV 4
#define LPI(e) (8192u + (e))

static inline void arm(struct th_host *h, uint64_t k, bool sticky)
{
	h->fail_sticky = sticky;
	h->fail_at = atomic_load(&h->nr_accesses) + k;
}

static inline void disarm(struct th_host *h)
{
	h->fail_at = 0;
}

static inline uint64_t accesses(struct th_host *h)
{
	return atomic_load(&h->nr_accesses);
}

static inline void lpi_cfgs(struct sg *g)
{
	for (uint32_t e = 0; e < NR_EV; e++)
		sg_lpi_cfg(g, LPI(e), 0xa1);
}

/* The mapping commands, issued one by one through CWRITER. */
static inline void map_all(struct sg *g)
{
	sg_mapc(g, 0, 0, 0, true);
	sg_mapc(g, 0, 1, 1, true);
	sg_mapd(g, 0, DEV, SG_ITT(DEV), 4, true);
	for (uint32_t e = 0; e < NR_EV; e++)
		sg_mapti(g, 0, DEV, e, LPI(e), e & 1);
}

static inline void mapped_vm(struct sg *g, struct th_host *h)
{
	sg_new(g, h, 2, NULL, 1, false);
	lpi_cfgs(g);
	map_all(g);
}

/* Acknowledge everything: each LPI must be one of ours, on its vCPU, at
 * most once (@seen).  Returns the number acknowledged. */
static inline unsigned drain(struct sg *g, bool seen[NR_EV])
{
	unsigned n = 0;

	for (uint32_t c = 0; c < 2; c++) {
		uint32_t id;

		while ((id = sg_ack(g->v, c)) != 1023) {
			uint32_t e = id - LPI(0);

			assert_true(id >= LPI(0) && e < NR_EV);
			assert_int_equal(e & 1, c);
			assert_false(seen[e]);
			seen[e] = true;
			n++;
		}
	}
	return n;
}

/* Send one MSI per event: each is delivered to the right vCPU or not
 * translated at all.  Returns how many were delivered. */
static inline unsigned translations(struct sg *g)
{
	unsigned n = 0;

	for (uint32_t e = 0; e < NR_EV; e++) {
		int r = sg_msi(g, 0, DEV, e);
		bool seen[NR_EV] = { false };

		assert_true(r == 0 || r == 1);
		assert_int_equal(drain(g, seen), (unsigned)r);
		if (r) {
			assert_true(seen[e]);
			n++;
		}
	}
	return n;
}

static inline void pend_all(struct sg *g)
{
	for (uint32_t e = 0; e < NR_EV; e++)
		assert_int_equal(sg_msi(g, 0, DEV, e), 1);
}

#endif

/*
 * Randomised migration: for >= 1000 seeds, a guest-like program of ITS
 * commands, MSIs, acknowledgements and EnableLPIs toggles on 2..8 vCPUs and
 * 1..2 ITSes (flat or two-level device tables), then a save (KVM attributes
 * in the documented order, or the one-call snapshot), a restore into a
 * fresh instance with a copy of guest RAM, and a comparison of every
 * translation, every pending LPI and the next acknowledgements per vCPU.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "save_guest.h"

#define RAM 0x220000u
#define NDEV 6
#define NEV 8
#define NICID 6

static uint64_t attr_mpidr(uint64_t m)
{
	return ((m & 0xffffff) | ((m >> 32) & 0xff) << 24) << 32;
}

/* KVM-order restore through the public attribute API. */
static void attr_migrate(struct sg *a, struct sg *b, const uint64_t *mpidr)
{
	uint64_t val = 0;

	assert_int_equal(th_get_attr(a->gic, VGIC_GRP_DIST_REGS, 0, &val), 0);
	assert_int_equal(th_set_attr(b->gic, VGIC_GRP_DIST_REGS, 0, &val), 0);
	for (uint32_t c = 0; c < a->nr_vcpus; c++) {
		uint64_t m = attr_mpidr(mpidr ? mpidr[c] : c);

		for (uint64_t o = 0x70; o < 0x80; o += 4) {
			val = 0;
			assert_int_equal(th_get_attr(a->gic, VGIC_GRP_REDIST_REGS,
						     m | o, &val), 0);
			assert_int_equal(th_set_attr(b->gic, VGIC_GRP_REDIST_REGS,
						     m | o, &val), 0);
		}
	}
	for (uint32_t c = 0; c < a->nr_vcpus; c++) {
		uint64_t m = attr_mpidr(mpidr ? mpidr[c] : c);
		static const uint32_t icc[] = { VGIC_ICC_CTLR_EL1,
						VGIC_ICC_IGRPEN1_EL1,
						VGIC_ICC_PMR_EL1 };

		val = 0;
		assert_int_equal(th_get_attr(a->gic, VGIC_GRP_REDIST_REGS, m,
					     &val), 0);
		assert_int_equal(th_set_attr(b->gic, VGIC_GRP_REDIST_REGS, m,
					     &val), 0);
		for (size_t k = 0; k < 3; k++) {
			assert_int_equal(th_get_attr(a->gic,
						     VGIC_GRP_CPU_SYSREGS,
						     m | icc[k], &val), 0);
			assert_int_equal(th_set_attr(b->gic,
						     VGIC_GRP_CPU_SYSREGS,
						     m | icc[k], &val), 0);
		}
	}
	for (uint32_t i = 0; i < a->nr_its; i++)
		assert_int_equal(sg_its_migrate(a->its[i], b->its[i]), 0);
}

static void drain(struct sg *g)
{
	for (uint32_t c = 0; c < g->nr_vcpus; c++)
		for (int k = 0; k < 600 && sg_ack(g->v, c) != 1023; k++)
			;
}

/* A random guest program. pINTIDs are never reused, so that restore order
 * cannot change which collection an LPI follows. */
static void program(struct sg *g, uint64_t *seed)
{
	uint32_t next_intid = 8192;
	int steps = 20 + (int)(th_rand(seed) % 40);

	for (uint32_t i = 8192; i < 8192 + 512; i++)
		sg_lpi_cfg(g, i, (uint8_t)(0xa0 | (th_rand(seed) % 8 != 0)));
	for (int s = 0; s < steps; s++) {
		uint32_t its = (uint32_t)(th_rand(seed) % g->nr_its);
		uint32_t dev = (uint32_t)(th_rand(seed) % NDEV);
		uint32_t ev = (uint32_t)(th_rand(seed) % NEV);
		uint32_t icid = (uint32_t)(th_rand(seed) % NICID);
		uint32_t c = (uint32_t)(th_rand(seed) % g->nr_vcpus);

		uint64_t op = th_rand(seed) % 12;

		if (getenv("SG_TRACE"))
			fprintf(stderr, "op %llu its %u dev %u ev %u icid %u c %u next %u\n",
				(unsigned long long)op, its, dev, ev, icid, c,
				next_intid);
		switch (op) {
		case 0:
		case 1:
			if (th_rand(seed) % 6 == 0) {
				/* ABI REV0 cannot carry the pending state of an
				 * LPI whose collection is unmapped (KVM loses it
				 * too): deliver everything before unmapping. */
				drain(g);
				sg_mapc(g, its, icid, c, false);
			} else {
				sg_mapc(g, its, icid, c, true);
			}
			break;
		case 2:
			sg_mapd(g, its, dev, SG_ITT(dev + NDEV * its),
				3 + (uint32_t)(th_rand(seed) % 2),
				th_rand(seed) % 5 != 0);
			break;
		case 3:
		case 4:
		case 5:
			if (next_intid < 8192 + 512)
				sg_mapti(g, its, dev, ev, next_intid++, icid);
			break;
		case 6:
			sg_devev(g, its, SG_DISCARD, dev, ev, 0);
			break;
		case 7:
			sg_devev(g, its, SG_MOVI, dev, ev, icid);
			break;
		case 8:
		case 9:
			(void)sg_msi(g, its, dev, ev);
			break;
		case 10:
			(void)sg_ack(g->v, c);
			break;
		case 11:
			th_write32(g->v, c, SG_GICR(c) + SG_GICR_CTLR,
				   (uint32_t)(th_rand(seed) % 4 != 0));
			break;
		}
	}
}

static void compare(struct sg *a, struct sg *b, uint64_t seed)
{
	/* Pending LPIs: the same acknowledgements, in the same order. */
	for (uint32_t c = 0; c < a->nr_vcpus; c++) {
		for (int k = 0; k < 600; k++) {
			uint32_t x = sg_ack(a->v, c), y = sg_ack(b->v, c);

			if (x != y)
				fail_msg("seed %llu vCPU %u ack %d: %u vs %u",
					 (unsigned long long)seed, c, k, x, y);
			if (x == 1023)
				break;
		}
	}
	/* Every translation: delivered or not, to which vCPU, which INTID. */
	for (uint32_t i = 0; i < a->nr_its; i++)
		for (uint32_t dev = 0; dev < NDEV; dev++)
			for (uint32_t ev = 0; ev < NEV; ev++) {
				int x = sg_msi(a, i, dev, ev);
				int y = sg_msi(b, i, dev, ev);

				if (x != y)
					fail_msg("seed %llu MSI %u/%u/%u: %d vs %d",
						 (unsigned long long)seed, i,
						 dev, ev, x, y);
				for (uint32_t c = 0; x == 1 && c < a->nr_vcpus;
				     c++) {
					uint32_t p = sg_ack(a->v, c);
					uint32_t q = sg_ack(b->v, c);

					if (p != q)
						fail_msg("seed %llu MSI %u/%u/%u "
							 "vCPU %u: %u vs %u",
							 (unsigned long long)seed,
							 i, dev, ev, c, p, q);
				}
			}
}

static void one_seed(uint64_t seed)
{
	uint64_t s = seed * 0x9e3779b97f4a7c15ull + 1;
	uint32_t n = 2 + (uint32_t)(th_rand(&s) % 7);
	uint32_t nits = 1 + (uint32_t)(th_rand(&s) % 2);
	bool indirect = th_rand(&s) % 2;
	bool use_snapshot = seed % 2;
	struct th_host *h = th_host_new(RAM), *h2;
	struct sg a, b;

	sg_new(&a, h, n, NULL, nits, indirect);
	program(&a, &s);
	memset(&b, 0, sizeof(b));
	b.nr_vcpus = n;
	b.nr_its = nits;
	if (use_snapshot) {
		struct vgic_config cfg = { .nr_vcpus = n };
		uint8_t *buf;
		size_t len;
		int ret;

		assert_int_equal(vgic_snapshot_save(a.v, NULL, 0, &len), -ENOSPC);
		buf = malloc(len);
		assert_int_equal(vgic_snapshot_save(a.v, buf, len, &len), 0);
		h2 = sg_clone_ram(h);
		b.h = h2;
		assert_int_equal(vgic_create(&cfg, &th_ops, h2, &b.v), 0);
		ret = vgic_snapshot_restore(b.v, buf, len);
		if (ret)
			fail_msg("seed %llu: restore %d: %s",
				 (unsigned long long)seed, ret,
				 vgic_last_error(b.v));
		free(buf);
	} else {
		for (uint32_t i = 0; i < nits; i++)
			assert_int_equal(sg_ctrl(a.its[i],
						 VGIC_CTRL_ITS_SAVE_TABLES), 0);
		assert_int_equal(sg_ctrl(a.gic, VGIC_CTRL_SAVE_PENDING_TABLES), 0);
		h2 = sg_clone_ram(h);
		b.h = h2;
		b.v = sg_vm_v3(h2, n, NULL, nits, &b.gic, b.its);
		attr_migrate(&a, &b, NULL);
	}
	compare(&a, &b, seed);
	vgic_destroy(a.v);
	vgic_destroy(b.v);
	th_host_free(h);
	th_host_free(h2);
}

static void test_random_migration(void **state)
{
	const char *san = getenv("VGIC_SANITIZED");
	uint64_t seeds = san && *san == '1' ? 200 : 1000;
	uint64_t first = 1;

	(void)state;
	if (getenv("SG_SEED"))
		first = seeds = strtoull(getenv("SG_SEED"), NULL, 0);
	for (uint64_t seed = first; seed <= seeds; seed++)
		one_seed(seed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_migration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

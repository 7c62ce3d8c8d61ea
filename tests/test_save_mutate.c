/*
 * Mutation corpus over saved ITS tables and snapshot streams: bit flips,
 * random entries, truncated tables, wrong table sizes, truncated and
 * CRC-fixed edited streams.  Every mutant is either rejected with an errno
 * and leaves the destination (and guest RAM) exactly as it was, or restores
 * to a consistent state (saving it again and restoring that gives the same
 * translations / the same stream).  Never a crash (ASan runs this too).
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
#define NEV 16

static uint64_t iters(uint64_t plain)
{
	const char *san = getenv("VGIC_SANITIZED");

	return san && *san == '1' ? plain / 12 : plain;
}

/* A source whose tables cover every entry kind. */
static void source(struct sg *g, struct th_host *h, bool indirect)
{
	sg_new(g, h, 3, NULL, 1, indirect);
	for (uint32_t i = 8192; i < 8192 + 64; i++)
		sg_lpi_cfg(g, i, 0xa1);
	sg_mapc(g, 0, 0, 0, true);
	sg_mapc(g, 0, 1, 2, true);
	for (uint32_t d = 0; d < NDEV; d++) {
		sg_mapd(g, 0, d * 3, SG_ITT(d), 4, true);
		for (uint32_t e = d % 3; e < NEV; e += 3 + d)
			sg_mapti(g, 0, d * 3, e, 8192 + d * NEV + e, e % 3);
	}
	assert_int_equal(sg_msi(g, 0, 3, 1), 1); /* something pending */
	assert_int_equal(sg_ctrl(g->its[0], VGIC_CTRL_ITS_SAVE_TABLES), 0);
	assert_int_equal(sg_ctrl(g->gic, VGIC_CTRL_SAVE_PENDING_TABLES), 0);
}

/* Translation fingerprint: for each (dev, ev), the MSI result and the
 * vCPU/INTID it arrived as. */
static void probe(struct sg *g, int32_t *out)
{
	th_write32(g->v, 0, SG_GITS(0) + SG_GITS_CTLR, 1);
	for (uint32_t c = 0; c < g->nr_vcpus; c++)
		while (sg_ack(g->v, c) != 1023)
			;
	for (uint32_t d = 0; d < NDEV * 3; d++)
		for (uint32_t e = 0; e < NEV; e++) {
			int32_t r = sg_msi(g, 0, d, e), got = r;

			for (uint32_t c = 0; r == 1 && c < g->nr_vcpus; c++) {
				uint32_t x = sg_ack(g->v, c);
				if (x != 1023)
					got = (int32_t)(c << 16 | (x - 8192));
			}
			out[d * NEV + e] = got;
		}
}

/* A fresh destination with @ram's contents and @src's ITS registers, but
 * BASER0/1 replaced when @b0/@b1 are non-zero. */
static int restore_into(struct sg *b, struct th_host *hb, struct sg *src,
			uint64_t b0, uint64_t b1)
{
	static const uint64_t regs[] = { 0x4, 0x80, 0x90, 0x88, 0x100, 0x108 };
	uint64_t val;

	memset(b, 0, sizeof(*b));
	b->h = hb;
	b->nr_vcpus = src->nr_vcpus;
	b->nr_its = 1;
	b->v = sg_vm_v3(hb, src->nr_vcpus, NULL, 1, &b->gic, b->its);
	th_write32(b->v, 0, TH_GICD_BASE, 0x12);
	for (uint32_t c = 0; c < b->nr_vcpus; c++)
		sg_rd_init(b, c, true);
	for (size_t k = 0; k < 6; k++) {
		assert_int_equal(th_get_attr(src->its[0], VGIC_GRP_ITS_REGS,
					     regs[k], &val), 0);
		if (regs[k] == 0x100 && b0)
			val = b0;
		if (regs[k] == 0x108 && b1)
			val = b1;
		assert_int_equal(th_set_attr(b->its[0], VGIC_GRP_ITS_REGS,
					     regs[k], &val), 0);
	}
	return sg_ctrl(b->its[0], VGIC_CTRL_ITS_RESTORE_TABLES);
}

/* Mutate one thing about the saved tables; returns BASER overrides. */
static void mutate_tables(struct th_host *h, uint64_t *s, struct sg *src,
			  uint64_t *b0, uint64_t *b1)
{
	static const uint64_t regions[][2] = {
		{ SG_DT(0) - TH_RAM_BASE, 8 * NDEV * 3 },
		{ SG_L2(0) - TH_RAM_BASE, 8 * NDEV * 3 },
		{ SG_CT(0) - TH_RAM_BASE, 32 },
		{ SG_ITT(0) - TH_RAM_BASE, NDEV * SG_ITT_STRIDE },
		{ SG_PEND(0) - TH_RAM_BASE + 1024, 64 },
	};
	uint64_t r = th_rand(s) % 5, kind = th_rand(s) % 6;
	uint64_t off = regions[r][0] + (th_rand(s) % regions[r][1] & ~7ull);
	uint8_t *p = h->ram + off;

	*b0 = *b1 = 0;
	switch (kind) {
	case 0:
	case 1: /* bit flip */
		p[th_rand(s) % 8] ^= (uint8_t)(1u << (th_rand(s) % 8));
		break;
	case 2: /* random entry */
		sg_put_le64(p, th_rand(s));
		break;
	case 3: /* truncate: zero the rest of the region */
		memset(p, 0, regions[r][0] + regions[r][1] - off);
		break;
	case 4: /* wrong device table size / indirection */
		*b0 = th_read64(src->v, 0, SG_GITS(0) + SG_GITS_BASER0) ^
		      (th_rand(s) % 2 ? 1ull << 62 : (th_rand(s) % 256));
		break;
	case 5: /* wrong collection table size or place */
		*b1 = th_read64(src->v, 0, SG_GITS(0) + SG_GITS_BASER1) ^
		      (th_rand(s) % 2 ? 0x10000ull << (th_rand(s) % 8)
				      : (th_rand(s) % 256));
		break;
	}
}

static void test_table_mutants(void **state)
{
	struct th_host *h = th_host_new(RAM);
	int32_t fa[NDEV * 3 * NEV], fb[NDEV * 3 * NEV];
	uint64_t n = iters(1500), rejected = 0, seed = 7;
	uint8_t *before = malloc(RAM);
	struct sg a;

	(void)state;
	source(&a, h, false);
	for (uint64_t k = 0; k < n; k++) {
		struct th_host *hb = sg_clone_ram(h), *hc;
		uint64_t b0, b1;
		struct sg b, c;
		int ret;

		if (k == n / 2) { /* second half: two-level device table */
			vgic_destroy(a.v);
			memset(h->ram, 0, RAM);
			source(&a, h, true);
			th_host_free(hb);
			hb = sg_clone_ram(h);
		}
		mutate_tables(hb, &seed, &a, &b0, &b1);
		memcpy(before, hb->ram, RAM);
		ret = restore_into(&b, hb, &a, b0, b1);
		if (ret) {
			assert_true(ret == -EINVAL || ret == -EEXIST ||
				    ret == -EFAULT);
			assert_true(vgic_last_error(b.v)[0] != '\0');
			/* Unchanged: guest RAM and an empty ITS. */
			assert_true(memcmp(before, hb->ram, RAM) == 0);
			probe(&b, fb);
			for (size_t i = 0; i < NDEV * 3 * NEV; i++)
				assert_true(fb[i] <= 0);
			rejected++;
		} else {
			/* Consistent: save + restore again, same result. */
			th_write32(b.v, 0, SG_GITS(0) + SG_GITS_CTLR, 0);
			assert_int_equal(sg_ctrl(b.its[0],
						 VGIC_CTRL_ITS_SAVE_TABLES), 0);
			hc = sg_clone_ram(hb);
			assert_int_equal(restore_into(&c, hc, &b, 0, 0), 0);
			probe(&b, fa);
			probe(&c, fb);
			assert_memory_equal(fa, fb, sizeof(fa));
			vgic_destroy(c.v);
			th_host_free(hc);
		}
		vgic_destroy(b.v);
		th_host_free(hb);
	}
	print_message("table mutants: %llu, rejected %llu\n",
		      (unsigned long long)n, (unsigned long long)rejected);
	assert_true(rejected > 0 && rejected < n);
	free(before);
	vgic_destroy(a.v);
	th_host_free(h);
}

static void test_stream_mutants(void **state)
{
	struct th_host *h = th_host_new(RAM);
	uint64_t n = iters(3000), rejected = 0, seed = 11;
	uint8_t *before = malloc(RAM), *s, *t;
	struct vgic_config cfg = { .nr_vcpus = 3 };
	size_t len;
	struct sg a;

	(void)state;
	source(&a, h, false);
	assert_int_equal(vgic_snapshot_save(a.v, NULL, 0, &len), -ENOSPC);
	s = malloc(len);
	t = malloc(len);
	assert_int_equal(vgic_snapshot_save(a.v, s, len, &len), 0);
	for (uint64_t k = 0; k < n; k++) {
		struct th_host *hb = sg_clone_ram(h);
		struct vgic_device *dev;
		struct vgic *d;
		size_t tl = len;
		int ret;

		memcpy(t, s, len);
		switch (k % 4) {
		case 0: /* bit flip, CRCs left alone */
			t[th_rand(&seed) % len] ^=
				(uint8_t)(1u << (th_rand(&seed) % 8));
			break;
		case 1: /* truncation */
			tl = th_rand(&seed) % len;
			break;
		case 2: /* edited byte, CRCs fixed: reaches the validator */
		case 3:
			t[32 + th_rand(&seed) % (len - 36)] =
				(uint8_t)th_rand(&seed);
			fix_crcs(t, len);
			break;
		}
		memcpy(before, hb->ram, RAM);
		assert_int_equal(vgic_create(&cfg, &th_ops, hb, &d), 0);
		ret = vgic_snapshot_restore(d, t, tl);
		if (ret) {
			assert_true(ret < 0);
			assert_true(vgic_last_error(d)[0] != '\0');
			assert_true(memcmp(before, hb->ram, RAM) == 0);
			/* Still a fresh instance. */
			assert_int_equal(vgic_device_create(d, VGIC_DEV_TYPE_V3,
							    &dev), 0);
			rejected++;
		} else {
			/* Consistent: its own snapshot restores again. */
			struct th_host *hc;
			struct vgic *e;
			uint8_t *u;
			size_t ul;

			assert_int_equal(vgic_snapshot_save(d, NULL, 0, &ul),
					 -ENOSPC);
			u = malloc(ul);
			assert_int_equal(vgic_snapshot_save(d, u, ul, &ul), 0);
			hc = sg_clone_ram(hb);
			assert_int_equal(vgic_create(&cfg, &th_ops, hc, &e), 0);
			assert_int_equal(vgic_snapshot_restore(e, u, ul), 0);
			vgic_destroy(e);
			th_host_free(hc);
			free(u);
		}
		vgic_destroy(d);
		th_host_free(hb);
	}
	print_message("stream mutants: %llu, rejected %llu\n",
		      (unsigned long long)n, (unsigned long long)rejected);
	assert_true(rejected > n / 2);
	free(s);
	free(t);
	free(before);
	vgic_destroy(a.v);
	th_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_mutants),
		cmocka_unit_test(test_stream_mutants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

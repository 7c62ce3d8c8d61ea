/*
 * ITS_SAVE_TABLES / ITS_RESTORE_TABLES (KVM table ABI REV0) and
 * SAVE_PENDING_TABLES through the public API: golden bytes of a known
 * command sequence, golden restores of hand-built tables, the §7 lessons as
 * named regressions, both scenarios of KVM's vgic_its_save selftest, and
 * all-or-nothing restore.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "save_guest.h"

#define POISON 0xdeadbeefdeadbeefull
#define RAM (8u << 20)

static void poison(struct sg *g, uint64_t gpa, uint64_t bytes)
{
	for (uint64_t o = 0; o < bytes; o += 8)
		sg_wr(g, gpa + o, POISON);
}

/* Expect every entry of [gpa, gpa + bytes) to be poison except @n listed. */
static void expect_only(struct sg *g, uint64_t gpa, uint64_t bytes,
			const uint64_t *at, const uint64_t *val, int n)
{
	for (uint64_t o = 0; o < bytes; o += 8) {
		uint64_t want = POISON;

		for (int k = 0; k < n; k++)
			if (at[k] == gpa + o)
				want = val[k];
		if (sg_rd(g, gpa + o) != want)
			fail_msg("entry at 0x%llx: 0x%llx, expected 0x%llx",
				 (unsigned long long)(gpa + o),
				 (unsigned long long)sg_rd(g, gpa + o),
				 (unsigned long long)want);
	}
}

struct pair {
	struct th_host *h, *h2;
	struct sg a, b;
};

static void vm(struct pair *p, uint32_t nr_vcpus, const uint64_t *mpidr,
	       bool indirect)
{
	p->h = th_host_new(RAM);
	sg_new(&p->a, p->h, nr_vcpus, mpidr, 1, indirect);
}

/* The destination: same config, RAM copied now, RDs programmed (which
 * restores PROPBASER/PENDBASER/EnableLPIs as the ABI order requires), the
 * ITS registers and RESTORE_TABLES last.  Returns RESTORE_TABLES' result. */
static int migrate_lpis(struct pair *p, const uint64_t *mpidr,
			bool enable_lpis);

static int migrate(struct pair *p, const uint64_t *mpidr)
{
	return migrate_lpis(p, mpidr, true);
}

/* migrate(), with the destination's EnableLPIs as given. */
static int migrate_lpis(struct pair *p, const uint64_t *mpidr,
			bool enable_lpis)
{
	p->h2 = sg_clone_ram(p->h);
	memset(&p->b, 0, sizeof(p->b));
	p->b.h = p->h2;
	p->b.nr_vcpus = p->a.nr_vcpus;
	p->b.nr_its = 1;
	p->b.v = sg_vm_v3(p->h2, p->a.nr_vcpus, mpidr, 1, &p->b.gic,
			  p->b.its);
	th_write32(p->b.v, 0, TH_GICD_BASE, 0x12);
	for (uint32_t c = 0; c < p->a.nr_vcpus; c++)
		sg_rd_init(&p->b, c, enable_lpis);
	p->b.cwriter[0] = p->a.cwriter[0];
	return sg_its_migrate(p->a.its[0], p->b.its[0]);
}

static void done(struct pair *p)
{
	vgic_destroy(p->a.v);
	if (p->b.v)
		vgic_destroy(p->b.v);
	th_host_free(p->h);
	th_host_free(p->h2);
}

/* MSI (dev, ev) must arrive as @intid on vCPU @c (and nowhere else). */
static void expect_msi(struct sg *g, uint32_t dev, uint32_t ev, uint32_t c,
		       uint32_t intid)
{
	assert_int_equal(sg_msi(g, 0, dev, ev), 1);
	for (uint32_t k = 0; k < g->nr_vcpus; k++)
		assert_int_equal(sg_ack(g->v, k), k == c ? intid : 1023);
}

static void program_golden(struct sg *g)
{
	for (uint32_t i = 8192; i < 8192 + 16; i++)
		sg_lpi_cfg(g, i, 0xa1);
	sg_mapc(g, 0, 0, 0, true);
	sg_mapc(g, 0, 3, 1, true);
	sg_mapd(g, 0, 1, SG_ITT(1), 5, true);
	sg_mapd(g, 0, 4, SG_ITT(4), 8, true);
	sg_mapti(g, 0, 1, 0, 8192, 0);
	sg_mapti(g, 0, 1, 7, 8193, 3);
	sg_mapti(g, 0, 4, 200, 8200, 3);
	sg_mapti(g, 0, 4, 3, 8201, 9); /* ICID 9 unknown: unmapped collection */
}

/* Golden bytes: a known command sequence saves exactly these entries and
 * nothing else (every other byte of the tables keeps its poison). */
static void test_save_golden_bytes(void **state)
{
	struct pair p = { 0 };
	uint64_t at[9], val[9];

	(void)state;
	vm(&p, 2, NULL, false);
	program_golden(&p.a);
	poison(&p.a, SG_DT(0), 0x10000);
	poison(&p.a, SG_CT(0), 0x10000);
	poison(&p.a, SG_ITT(0), 8 * SG_ITT_STRIDE);
	assert_int_equal(sg_ctrl(p.a.its[0], VGIC_CTRL_ITS_SAVE_TABLES), 0);

	at[0] = SG_DT(0) + 8;
	val[0] = sg_dte(SG_ITT(1), 5, 3);
	at[1] = SG_DT(0) + 32;
	val[1] = sg_dte(SG_ITT(4), 8, 0);
	expect_only(&p.a, SG_DT(0), 0x10000, at, val, 2);
	at[0] = SG_ITT(1);
	val[0] = sg_ite(8192, 0, 7);
	at[1] = SG_ITT(1) + 7 * 8;
	val[1] = sg_ite(8193, 3, 0);
	at[2] = SG_ITT(4) + 3 * 8;
	val[2] = sg_ite(8201, 9, 197);
	at[3] = SG_ITT(4) + 200 * 8;
	val[3] = sg_ite(8200, 3, 0);
	expect_only(&p.a, SG_ITT(0), 8 * SG_ITT_STRIDE, at, val, 4);
	at[0] = SG_CT(0);
	val[0] = sg_cte(0, 0);
	at[1] = SG_CT(0) + 8;
	val[1] = sg_cte(3, 1);
	at[2] = SG_CT(0) + 16;
	val[2] = sg_cte(9, 0xffffffff);
	at[3] = SG_CT(0) + 24;
	val[3] = 0;
	expect_only(&p.a, SG_CT(0), 0x10000, at, val, 4);
	done(&p);
}

/* Round trip: the saved tables restore to the same translations. */
static void test_round_trip(void **state)
{
	struct pair p = { 0 };

	(void)state;
	vm(&p, 2, NULL, false);
	program_golden(&p.a);
	assert_int_equal(sg_ctrl(p.a.its[0], VGIC_CTRL_ITS_SAVE_TABLES), 0);
	assert_int_equal(migrate(&p, NULL), 0);
	expect_msi(&p.b, 1, 0, 0, 8192);
	expect_msi(&p.b, 1, 7, 1, 8193);
	expect_msi(&p.b, 4, 200, 1, 8200);
	assert_int_equal(sg_msi(&p.b, 0, 4, 3), 0); /* unmapped collection */
	assert_int_equal(sg_msi(&p.b, 0, 4, 4), 0);
	assert_int_equal(sg_msi(&p.b, 0, 2, 0), 0);
	/* Saving the restored ITS gives the same bytes. */
	memset(th_ram(p.h2, SG_DT(0)), 0, 64);
	memset(th_ram(p.h2, SG_ITT(0)), 0, 8 * SG_ITT_STRIDE);
	assert_int_equal(sg_ctrl(p.b.its[0], VGIC_CTRL_ITS_SAVE_TABLES), 0);
	assert_memory_equal(th_ram(p.h2, SG_DT(0)), th_ram(p.h, SG_DT(0)), 64);
	assert_memory_equal(th_ram(p.h2, SG_ITT(0)), th_ram(p.h, SG_ITT(0)),
			    8 * SG_ITT_STRIDE);
	assert_memory_equal(th_ram(p.h2, SG_CT(0)), th_ram(p.h, SG_CT(0)), 32);
	done(&p);
}

/* A restore while the target vCPUs' EnableLPIs is 0 (a VMM may restore
 * GICR_CTLR after the ITS): the LPIs still target the collections' vCPUs -
 * the pending bit is consumed from that vCPU's table, and once EnableLPIs
 * is set an MSI reaches that vCPU. */
static void test_restore_lpis_disabled(void **state)
{
	struct pair p = { 0 };

	(void)state;
	vm(&p, 2, NULL, false);
	for (uint32_t i = 8192; i < 8192 + 64; i++)
		sg_lpi_cfg(&p.a, i, 0xa1);
	sg_wr(&p.a, SG_CT(0), sg_cte(3, 1));
	sg_wr(&p.a, SG_CT(0) + 8, 0);
	sg_wr(&p.a, SG_DT(0) + 6 * 8, sg_dte(SG_ITT(0), 3, 0));
	sg_wr(&p.a, SG_ITT(0) + 1 * 8, sg_ite(8195, 3, 1));
	sg_wr(&p.a, SG_ITT(0) + 2 * 8, sg_ite(8196, 3, 0));
	*(uint8_t *)th_ram(p.h, SG_PEND(1) + 8196 / 8) |= 1u << (8196 % 8);

	assert_int_equal(migrate_lpis(&p, NULL, false), 0);
	assert_int_equal(*(uint8_t *)th_ram(p.h2, SG_PEND(1) + 8196 / 8), 0);
	for (uint32_t c = 0; c < 2; c++)
		th_write32(p.b.v, c, SG_GICR(c) + SG_GICR_CTLR, 1);
	expect_msi(&p.b, 6, 1, 1, 8195);
	expect_msi(&p.b, 6, 2, 1, 8196);
	done(&p);
}

/* Two LPIs whose pending bits share a byte of one pending table, both
 * set: restoring consumes both and both come back pending - the second
 * creation must see the byte as the first one's consume left it (the
 * restore reads the pending table through a cache), so neither bit is
 * written back set. */
static void test_restore_pending_same_byte(void **state)
{
	struct pair p = { 0 };
	uint8_t *pb;

	(void)state;
	vm(&p, 1, NULL, false);
	for (uint32_t i = 8192; i < 8192 + 64; i++)
		sg_lpi_cfg(&p.a, i, 0xa1);
	sg_wr(&p.a, SG_CT(0), sg_cte(0, 0));
	sg_wr(&p.a, SG_CT(0) + 8, 0);
	sg_wr(&p.a, SG_DT(0) + 2 * 8, sg_dte(SG_ITT(0), 2, 0));
	sg_wr(&p.a, SG_ITT(0), sg_ite(8200, 0, 1));
	sg_wr(&p.a, SG_ITT(0) + 8, sg_ite(8202, 0, 1));
	sg_wr(&p.a, SG_ITT(0) + 16, sg_ite(8203, 0, 0));
	pb = th_ram(p.h, SG_PEND(0) + 8200 / 8);
	*pb = 1u << (8200 % 8) | 1u << (8203 % 8) | 1u << (8201 % 8);

	assert_int_equal(migrate(&p, NULL), 0);
	/* 8201 does not exist: its bit stays as the guest wrote it. */
	assert_int_equal(*(uint8_t *)th_ram(p.h2, SG_PEND(0) + 8200 / 8),
			 1u << (8201 % 8));
	assert_int_equal(sg_ack(p.b.v, 0), 8200);
	assert_int_equal(sg_ack(p.b.v, 0), 8203);
	assert_int_equal(sg_ack(p.b.v, 0), 1023);
	done(&p);
}

/* A hostile layout: an ITT inside the pending table.  Creating the first
 * ITE's LPI consumes its pending bit, which is a bit of the next ITE's
 * pINTID; KVM reads that ITE afterwards and so maps the changed pINTID.
 * The restore reads ITTs through a window: the write must reach it. */
static void test_restore_itt_in_pending_table(void **state)
{
	const uint64_t itt = SG_PEND(0) + 2048;
	const uint32_t l0 = (2048 + 8 + 2) * 8 + 1; /* bit 1 of ITE 1's byte 2 */
	struct pair p = { 0 };

	(void)state;
	vm(&p, 1, NULL, false);
	sg_lpi_cfg(&p.a, l0, 0xa1);
	sg_lpi_cfg(&p.a, 0x2101, 0xa1);
	sg_lpi_cfg(&p.a, 0x2103, 0xa1);
	sg_wr(&p.a, SG_CT(0), sg_cte(0, 0));
	sg_wr(&p.a, SG_CT(0) + 8, 0);
	sg_wr(&p.a, SG_DT(0) + 3 * 8, sg_dte(itt, 1, 0));
	sg_wr(&p.a, itt, sg_ite(l0, 0, 1));
	sg_wr(&p.a, itt + 8, sg_ite(0x2103, 0, 0));

	assert_int_equal(migrate(&p, NULL), 0);
	assert_int_equal(sg_rd(&p.b, itt + 8), sg_ite(0x2101, 0, 0));
	assert_int_equal(sg_ack(p.b.v, 0), l0); /* its pending bit came back */
	assert_int_equal(sg_ack(p.b.v, 0), 1023);
	expect_msi(&p.b, 3, 0, 0, l0);
	expect_msi(&p.b, 3, 1, 0, 0x2101);
	done(&p);
}

/* The same with the device table inside the pending table: consuming the
 * pending bit of device 128's LPI clears bit 0 of DTE 129 (Size 1 -> 0),
 * so, as in KVM, which reads DTE 129 afterwards, device 129's ITE with
 * next = 3 now leaves its 2-event ITT: -EINVAL, and nothing is left
 * behind - the pending bit is back in RAM too. */
static void test_restore_dt_in_pending_table(void **state)
{
	const uint64_t dt = SG_PEND(0);
	uint64_t baser = dt | SG_BASER_VALID | SG_BASER_64K;
	struct pair p = { 0 };

	(void)state;
	vm(&p, 1, NULL, false);
	th_write32(p.a.v, 0, SG_GITS(0) + SG_GITS_CTLR, 0);
	th_write64(p.a.v, 0, SG_GITS(0) + SG_GITS_BASER0, baser);
	sg_wr(&p.a, SG_CT(0), sg_cte(0, 0));
	sg_wr(&p.a, SG_CT(0) + 8, 0);
	/* DTE 128 at +1024, DTE 129 at +1032: byte 1032 bit 0 is the
	 * pending bit of LPI 8256. */
	sg_wr(&p.a, dt + 128 * 8, sg_dte(SG_ITT(0), 1, 1));
	sg_wr(&p.a, dt + 129 * 8, sg_dte(SG_ITT(1), 2, 0));
	sg_wr(&p.a, SG_ITT(0), sg_ite(8256, 0, 0));
	sg_wr(&p.a, SG_ITT(1), sg_ite(8300, 0, 3));
	sg_wr(&p.a, SG_ITT(1) + 3 * 8, sg_ite(8301, 0, 0));

	assert_int_equal(migrate(&p, NULL), -EINVAL);
	assert_int_equal(sg_rd(&p.b, dt + 129 * 8), sg_dte(SG_ITT(1), 2, 0));
	assert_int_equal(sg_ack(p.b.v, 0), 1023);
	done(&p);
}

/* Golden restore: tables built by hand from the documented layout (a
 * two-level device table) restore to exactly the expected mappings. */
static void test_restore_handmade_two_level(void **state)
{
	struct pair p = { 0 };
	uint64_t l2 = SG_L2(0);

	(void)state;
	vm(&p, 4, NULL, true);
	for (uint32_t i = 8192; i < 8192 + 64; i++)
		sg_lpi_cfg(&p.a, i, 0xa1);
	/* Collections 7 -> vCPU 3, 1 -> vCPU 2, then the terminator. */
	sg_wr(&p.a, SG_CT(0), sg_cte(7, 3));
	sg_wr(&p.a, SG_CT(0) + 8, sg_cte(1, 2));
	sg_wr(&p.a, SG_CT(0) + 16, 0);
	/* Devices 5 and 4000 in L2 page 0 (L1[0] set by sg_its_init). */
	sg_wr(&p.a, l2 + 5 * 8, sg_dte(SG_ITT(0), 4, 3995));
	sg_wr(&p.a, l2 + 4000 * 8, sg_dte(SG_ITT(1), 2, 0));
	sg_wr(&p.a, SG_ITT(0) + 2 * 8, sg_ite(8200, 7, 13));
	sg_wr(&p.a, SG_ITT(0) + 15 * 8, sg_ite(8201, 1, 0));
	sg_wr(&p.a, SG_ITT(1) + 0, sg_ite(8202, 1, 0));
	/* Not on the chains: must be ignored. */
	sg_wr(&p.a, SG_ITT(0) + 9 * 8, sg_ite(8210, 7, 0));
	sg_wr(&p.a, l2 + 100 * 8, sg_dte(SG_ITT(2), 2, 0));
	/* Pending bit of 8201 (vCPU 2): consumed by the restore. */
	*(uint8_t *)th_ram(p.h, SG_PEND(2) + 8201 / 8) |= 1u << (8201 % 8);

	assert_int_equal(migrate(&p, NULL), 0);
	assert_int_equal(*(uint8_t *)th_ram(p.h2, SG_PEND(2) + 8201 / 8), 0);
	assert_int_equal(sg_ack(p.b.v, 2), 8201); /* pending came back */
	assert_int_equal(sg_ack(p.b.v, 2), 1023);
	expect_msi(&p.b, 5, 2, 3, 8200);
	expect_msi(&p.b, 5, 15, 2, 8201);
	expect_msi(&p.b, 4000, 0, 2, 8202);
	assert_int_equal(sg_msi(&p.b, 0, 5, 9), 0);
	assert_int_equal(sg_msi(&p.b, 0, 100, 0), 0);
	done(&p);
}

/* §7.1: a collection created by MAPTI (target 0xffffffff) round-trips. */
static void test_unmapped_collection_round_trip(void **state)
{
	struct pair p = { 0 };

	(void)state;
	vm(&p, 2, NULL, false);
	sg_lpi_cfg(&p.a, 8300, 0xa1);
	sg_mapd(&p.a, 0, 3, SG_ITT(3), 4, true);
	sg_mapti(&p.a, 0, 3, 1, 8300, 42);
	assert_int_equal(sg_ctrl(p.a.its[0], VGIC_CTRL_ITS_SAVE_TABLES), 0);
	assert_true(sg_rd(&p.a, SG_CT(0)) == sg_cte(42, 0xffffffff));
	assert_int_equal(migrate(&p, NULL), 0);
	assert_int_equal(sg_msi(&p.b, 0, 3, 1), 0);
	sg_mapc(&p.b, 0, 42, 1, true);
	expect_msi(&p.b, 3, 1, 1, 8300);
	done(&p);
}

/* §7.2: a big DeviceID gap in a two-level table (2075 -> 9472 jumps out of
 * the first L2 page), and a flat table whose gap exceeds the DTE next cap. */
static void test_sparse_two_level_scan(void **state)
{
	struct pair p = { 0 };
	uint64_t l2b = SG_L2(0) + 0x100000; /* a second L2 page */

	(void)state;
	vm(&p, 1, NULL, true);
	sg_wr(&p.a, SG_DT(0) + 8, l2b | 1ull << 63);
	for (uint32_t i = 8192; i < 8192 + 4; i++)
		sg_lpi_cfg(&p.a, i, 0xa1);
	sg_mapc(&p.a, 0, 0, 0, true);
	sg_mapd(&p.a, 0, 2075, SG_ITT(0), 2, true);
	sg_mapd(&p.a, 0, 9472, SG_ITT(1), 2, true);
	sg_mapti(&p.a, 0, 2075, 1, 8192, 0);
	sg_mapti(&p.a, 0, 9472, 3, 8193, 0);
	assert_int_equal(sg_ctrl(p.a.its[0], VGIC_CTRL_ITS_SAVE_TABLES), 0);
	assert_true(sg_rd(&p.a, SG_L2(0) + 2075 * 8) ==
		    sg_dte(SG_ITT(0), 2, 9472 - 2075));
	assert_true(sg_rd(&p.a, l2b + (9472 - 8192) * 8) == sg_dte(SG_ITT(1), 2, 0));
	assert_int_equal(migrate(&p, NULL), 0);
	expect_msi(&p.b, 2075, 1, 0, 8192);
	expect_msi(&p.b, 9472, 3, 0, 8193);
	done(&p);
}

static void test_flat_next_cap(void **state)
{
	struct pair p = { 0 };
	struct sg *g;

	(void)state;
	vm(&p, 1, NULL, false);
	g = &p.a;
	/* A 4-page flat device table so that DeviceID 20000 fits. */
	th_write32(g->v, 0, SG_GITS(0) + SG_GITS_CTLR, 0);
	th_write64(g->v, 0, SG_GITS(0) + SG_GITS_BASER0,
		   (TH_RAM_BASE + 0x400000) | SG_BASER_VALID | SG_BASER_64K | 3);
	th_write32(g->v, 0, SG_GITS(0) + SG_GITS_CTLR, 1);
	sg_lpi_cfg(g, 8192, 0xa1);
	sg_lpi_cfg(g, 8193, 0xa1);
	sg_mapc(g, 0, 0, 0, true);
	sg_mapd(g, 0, 0, SG_ITT(0), 1, true);
	sg_mapd(g, 0, 20000, SG_ITT(1), 1, true);
	sg_mapti(g, 0, 0, 0, 8192, 0);
	sg_mapti(g, 0, 20000, 1, 8193, 0);
	assert_int_equal(sg_ctrl(g->its[0], VGIC_CTRL_ITS_SAVE_TABLES), 0);
	assert_true(sg_rd(g, TH_RAM_BASE + 0x400000) == sg_dte(SG_ITT(0), 1, 16383));
	assert_int_equal(migrate(&p, NULL), 0);
	expect_msi(&p.b, 0, 0, 0, 8192);
	expect_msi(&p.b, 20000, 1, 0, 8193);
	done(&p);
}

/* §7.3: MAPD V=0 and DISCARD zero their entries in guest RAM, so a later
 * save/restore does not revive them. */
static void test_stale_entries_after_unmap(void **state)
{
	struct pair p = { 0 };

	(void)state;
	vm(&p, 1, NULL, false);
	for (uint32_t i = 8192; i < 8192 + 4; i++)
		sg_lpi_cfg(&p.a, i, 0xa1);
	sg_mapc(&p.a, 0, 0, 0, true);
	sg_mapd(&p.a, 0, 1, SG_ITT(1), 3, true);
	sg_mapd(&p.a, 0, 2, SG_ITT(2), 3, true);
	sg_mapti(&p.a, 0, 1, 0, 8192, 0);
	sg_mapti(&p.a, 0, 1, 5, 8193, 0);
	sg_mapti(&p.a, 0, 2, 0, 8194, 0);
	assert_int_equal(sg_ctrl(p.a.its[0], VGIC_CTRL_ITS_SAVE_TABLES), 0);
	assert_true(sg_rd(&p.a, SG_DT(0) + 16) != 0);
	sg_devev(&p.a, 0, SG_DISCARD, 1, 5, 0);
	sg_mapd(&p.a, 0, 2, 0, 1, false);
	assert_true(sg_rd(&p.a, SG_ITT(1) + 5 * 8) == 0);
	assert_true(sg_rd(&p.a, SG_DT(0) + 16) == 0);
	assert_int_equal(sg_ctrl(p.a.its[0], VGIC_CTRL_ITS_SAVE_TABLES), 0);
	assert_int_equal(migrate(&p, NULL), 0);
	expect_msi(&p.b, 1, 0, 0, 8192);
	assert_int_equal(sg_msi(&p.b, 0, 1, 5), 0);
	assert_int_equal(sg_msi(&p.b, 0, 2, 0), 0);
	done(&p);
}

/* §7.7: two LPIs in the same byte offset of two vCPUs' pending tables. */
static void test_pending_cache_keyed_by_gpa(void **state)
{
	struct pair p = { 0 };
	struct sg *g;

	(void)state;
	vm(&p, 2, NULL, false);
	g = &p.a;
	sg_lpi_cfg(g, 8192, 0xa1);
	sg_lpi_cfg(g, 8193, 0xa1);
	sg_mapc(g, 0, 0, 0, true);
	sg_mapc(g, 0, 1, 1, true);
	sg_mapd(g, 0, 0, SG_ITT(0), 2, true);
	sg_mapti(g, 0, 0, 0, 8192, 0);
	sg_mapti(g, 0, 0, 1, 8193, 1);
	*(uint8_t *)th_ram(p.h, SG_PEND(0) + 1024) = 0x80; /* not an LPI's */
	assert_int_equal(sg_msi(g, 0, 0, 0), 1);
	assert_int_equal(sg_msi(g, 0, 0, 1), 1);
	assert_int_equal(sg_ctrl(g->gic, VGIC_CTRL_SAVE_PENDING_TABLES), 0);
	assert_int_equal(*(uint8_t *)th_ram(p.h, SG_PEND(0) + 1024), 0x81);
	assert_int_equal(*(uint8_t *)th_ram(p.h, SG_PEND(1) + 1024), 0x02);
	/* The pending state migrates. */
	assert_int_equal(sg_ctrl(g->its[0], VGIC_CTRL_ITS_SAVE_TABLES), 0);
	assert_int_equal(migrate(&p, NULL), 0);
	assert_int_equal(sg_ack(p.b.v, 0), 8192);
	assert_int_equal(sg_ack(p.b.v, 1), 8193);
	assert_int_equal(sg_ack(p.b.v, 0), 1023);
	/* Consumed: cleared in RAM, the unrelated bit kept. */
	assert_int_equal(*(uint8_t *)th_ram(p.h2, SG_PEND(0) + 1024), 0x80);
	assert_int_equal(*(uint8_t *)th_ram(p.h2, SG_PEND(1) + 1024), 0);
	/* Saving again with nothing pending clears the bits it owns. */
	assert_int_equal(sg_ack(p.a.v, 0), 8192);
	assert_int_equal(sg_ctrl(g->gic, VGIC_CTRL_SAVE_PENDING_TABLES), 0);
	assert_int_equal(*(uint8_t *)th_ram(p.h, SG_PEND(0) + 1024), 0x80);
	assert_int_equal(*(uint8_t *)th_ram(p.h, SG_PEND(1) + 1024), 0x02);
	done(&p);
}

/* §7.14: collection targets are vcpu_ids, also when MPIDRs are not in
 * vcpu_id order. */
static void test_vcpu_id_vs_index(void **state)
{
	static const uint64_t mpidr[4] = { 0x103, 0x2, 0x10001, 0x0 };
	struct pair p = { 0 };

	(void)state;
	vm(&p, 4, mpidr, false);
	assert_int_equal(th_read64(p.a.v, 0, SG_GICR(2) + SG_GICR_TYPER) >> 8 &
				 0xffff,
			 2);
	sg_lpi_cfg(&p.a, 8192, 0xa1);
	sg_mapc(&p.a, 0, 5, 2, true);
	sg_mapd(&p.a, 0, 0, SG_ITT(0), 1, true);
	sg_mapti(&p.a, 0, 0, 1, 8192, 5);
	assert_int_equal(sg_ctrl(p.a.its[0], VGIC_CTRL_ITS_SAVE_TABLES), 0);
	assert_true(sg_rd(&p.a, SG_CT(0)) == sg_cte(5, 2));
	assert_int_equal(migrate(&p, mpidr), 0);
	expect_msi(&p.b, 0, 1, 2, 8192);
	done(&p);
}

/* §7.15: reset, then save (nothing: BASERs invalid), then the KVM
 * selftest's sequence: BASERs back, reset, BASERs, restore. */
static void test_reset_then_save_then_restore(void **state)
{
	struct pair p = { 0 };
	uint64_t b0, b1;
	struct sg *g;

	(void)state;
	vm(&p, 1, NULL, false);
	g = &p.a;
	sg_lpi_cfg(g, 8192, 0xa1);
	sg_mapc(g, 0, 0, 0, true);
	sg_mapd(g, 0, 7, SG_ITT(7), 2, true);
	sg_mapti(g, 0, 7, 2, 8192, 0);
	assert_int_equal(sg_ctrl(g->its[0], VGIC_CTRL_ITS_SAVE_TABLES), 0);
	assert_int_equal(th_get_attr(g->its[0], VGIC_GRP_ITS_REGS, 0x100, &b0), 0);
	assert_int_equal(th_get_attr(g->its[0], VGIC_GRP_ITS_REGS, 0x108, &b1), 0);
	assert_int_equal(sg_ctrl(g->its[0], VGIC_CTRL_ITS_RESET), 0);
	poison(g, SG_DT(0), 0x10000);
	poison(g, SG_CT(0), 0x10000);
	assert_int_equal(sg_ctrl(g->its[0], VGIC_CTRL_ITS_SAVE_TABLES), 0);
	expect_only(g, SG_DT(0), 0x10000, NULL, NULL, 0);
	expect_only(g, SG_CT(0), 0x10000, NULL, NULL, 0);
	/* Tables of an empty ITS with valid BASERs: the CTE terminator only. */
	assert_int_equal(th_set_attr(g->its[0], VGIC_GRP_ITS_REGS, 0x100, &b0), 0);
	assert_int_equal(th_set_attr(g->its[0], VGIC_GRP_ITS_REGS, 0x108, &b1), 0);
	assert_int_equal(sg_ctrl(g->its[0], VGIC_CTRL_ITS_SAVE_TABLES), 0);
	expect_only(g, SG_DT(0), 0x10000, NULL, NULL, 0);
	{
		uint64_t at = SG_CT(0), val = 0;
		expect_only(g, SG_CT(0), 0x10000, &at, &val, 1);
	}
	done(&p);
}

/* §7.16: a DTE with Size > 15 is rejected and nothing changes. */
static void test_dte_size_gt_15(void **state)
{
	struct pair p = { 0 };

	(void)state;
	vm(&p, 1, NULL, false);
	sg_lpi_cfg(&p.a, 8192, 0xa1);
	sg_wr(&p.a, SG_CT(0), sg_cte(0, 0));
	sg_wr(&p.a, SG_DT(0), sg_dte(SG_ITT(0), 1, 1));
	sg_wr(&p.a, SG_ITT(0), sg_ite(8192, 0, 0));
	sg_wr(&p.a, SG_DT(0) + 8, 1ull << 63 | (SG_ITT(1) >> 8) << 5 | 16);
	assert_int_equal(migrate(&p, NULL), -EINVAL);
	assert_non_null(strstr(vgic_last_error(p.b.v), "Size"));
	/* All or nothing: device 0 was not created either. */
	th_write32(p.b.v, 0, SG_GITS(0) + SG_GITS_CTLR, 1);
	assert_int_equal(sg_msi(&p.b, 0, 0, 0), 0);
	done(&p);
}

/* §7.19: MAPC V=0 while an ITE uses the collection, then save: the ITE
 * keeps its ICID and revives when the collection is mapped again. */
static void test_mapc_v0_then_save(void **state)
{
	struct pair p = { 0 };

	(void)state;
	vm(&p, 2, NULL, false);
	sg_lpi_cfg(&p.a, 8195, 0xa1);
	sg_mapc(&p.a, 0, 2, 1, true);
	sg_mapd(&p.a, 0, 9, SG_ITT(9), 3, true);
	sg_mapti(&p.a, 0, 9, 4, 8195, 2);
	sg_mapc(&p.a, 0, 2, 0, false);
	assert_int_equal(sg_ctrl(p.a.its[0], VGIC_CTRL_ITS_SAVE_TABLES), 0);
	assert_true(sg_rd(&p.a, SG_ITT(9) + 4 * 8) == sg_ite(8195, 2, 0));
	assert_true(sg_rd(&p.a, SG_CT(0)) == sg_cte(2, 0xffffffff));
	assert_int_equal(migrate(&p, NULL), 0);
	assert_int_equal(sg_msi(&p.b, 0, 9, 4), 0);
	sg_mapc(&p.b, 0, 2, 0, true);
	expect_msi(&p.b, 9, 4, 0, 8195);
	done(&p);
}

/* KVM selftest vgic_its_save, scenario 1: a GITS_BASER<coll> change
 * (shrinking the table to one page) must not fail the save, and the save
 * writes nothing outside the table the register now describes. */
static void test_kvm_selftest_baser_change(void **state)
{
	struct pair p = { 0 };
	uint64_t b1;
	struct sg *g;

	(void)state;
	vm(&p, 1, NULL, false);
	g = &p.a;
	th_write32(g->v, 0, SG_GITS(0) + SG_GITS_CTLR, 0);
	th_write64(g->v, 0, SG_GITS(0) + SG_GITS_BASER1,
		   (TH_RAM_BASE + 0x400000) | SG_BASER_VALID | SG_BASER_64K | 1);
	th_write32(g->v, 0, SG_GITS(0) + SG_GITS_CTLR, 1);
	for (uint32_t icid = 0; icid < 8193; icid++)
		sg_mapc(g, 0, icid, 0, true);
	th_write32(g->v, 0, SG_GITS(0) + SG_GITS_CTLR, 0);
	b1 = th_read64(g->v, 0, SG_GITS(0) + SG_GITS_BASER1);
	th_write64(g->v, 0, SG_GITS(0) + SG_GITS_BASER1, b1 & ~0xffull);
	poison(g, TH_RAM_BASE + 0x400000, 0x20000);
	assert_int_equal(sg_ctrl(g->its[0], VGIC_CTRL_ITS_SAVE_TABLES), 0);
	/* Nothing beyond the shrunk table. */
	expect_only(g, TH_RAM_BASE + 0x410000, 0x10000, NULL, NULL, 0);
	/* And whatever was written is a consistent table: reset + restore. */
	b1 = th_read64(g->v, 0, SG_GITS(0) + SG_GITS_BASER1);
	assert_int_equal(sg_ctrl(g->its[0], VGIC_CTRL_ITS_RESET), 0);
	assert_int_equal(th_set_attr(g->its[0], VGIC_GRP_ITS_REGS, 0x108, &b1), 0);
	assert_int_equal(sg_ctrl(g->its[0], VGIC_CTRL_ITS_RESTORE_TABLES), 0);
	done(&p);
}

/* KVM selftest vgic_its_save, scenario 2: a device whose L2 page the guest
 * dropped is skipped, the DTE chain skips it, its page is not written. */
static void test_kvm_selftest_unreachable_device(void **state)
{
	struct pair p = { 0 };
	uint64_t l2b = SG_L2(0) + 0x100000, b0, b1;
	struct sg *g;

	(void)state;
	vm(&p, 1, NULL, true);
	g = &p.a;
	sg_wr(g, SG_DT(0) + 8, l2b | 1ull << 63);
	sg_mapd(g, 0, 0, SG_ITT(0), 14, true);
	sg_mapd(g, 0, 8192, SG_ITT(0) + 0x20000, 14, true);
	sg_wr(g, SG_DT(0) + 8, 0);
	poison(g, SG_L2(0), 0x10000);
	poison(g, l2b, 0x10000);
	assert_int_equal(sg_ctrl(g->its[0], VGIC_CTRL_ITS_SAVE_TABLES), 0);
	{
		uint64_t at = SG_L2(0), val = sg_dte(SG_ITT(0), 14, 0);
		expect_only(g, SG_L2(0), 0x10000, &at, &val, 1);
	}
	expect_only(g, l2b, 0x10000, NULL, NULL, 0);
	b0 = th_read64(g->v, 0, SG_GITS(0) + SG_GITS_BASER0);
	b1 = th_read64(g->v, 0, SG_GITS(0) + SG_GITS_BASER1);
	assert_int_equal(sg_ctrl(g->its[0], VGIC_CTRL_ITS_RESET), 0);
	assert_int_equal(th_set_attr(g->its[0], VGIC_GRP_ITS_REGS, 0x100, &b0), 0);
	assert_int_equal(th_set_attr(g->its[0], VGIC_GRP_ITS_REGS, 0x108, &b1), 0);
	assert_int_equal(sg_ctrl(g->its[0], VGIC_CTRL_ITS_RESTORE_TABLES), 0);
	done(&p);
}

/* All or nothing: an inconsistency late in the tables (an ITE naming a
 * collection that does not exist) leaves the ITS and guest RAM as they
 * were, including the pending bit an earlier LPI would have consumed. */
static void test_restore_all_or_nothing(void **state)
{
	struct pair p = { 0 };
	uint8_t pend;

	(void)state;
	vm(&p, 1, NULL, false);
	sg_lpi_cfg(&p.a, 8192, 0xa1);
	sg_lpi_cfg(&p.a, 8193, 0xa1);
	sg_wr(&p.a, SG_CT(0), sg_cte(0, 0));
	sg_wr(&p.a, SG_DT(0), sg_dte(SG_ITT(0), 1, 1));
	sg_wr(&p.a, SG_DT(0) + 8, sg_dte(SG_ITT(1), 1, 0));
	sg_wr(&p.a, SG_ITT(0), sg_ite(8192, 0, 0));
	sg_wr(&p.a, SG_ITT(1), sg_ite(8193, 6, 0)); /* ICID 6: no collection */
	*(uint8_t *)th_ram(p.h, SG_PEND(0) + 1024) = 0x01;
	assert_int_equal(migrate(&p, NULL), -EINVAL);
	assert_non_null(strstr(vgic_last_error(p.b.v), "collection"));
	pend = *(uint8_t *)th_ram(p.h2, SG_PEND(0) + 1024);
	assert_int_equal(pend, 0x01);
	th_write32(p.b.v, 0, SG_GITS(0) + SG_GITS_CTLR, 1);
	assert_int_equal(sg_msi(&p.b, 0, 0, 0), 0);
	/* Fix the table: the restore now works, and consumes the bit. */
	sg_wr(&p.b, SG_ITT(1), sg_ite(8193, 0, 0));
	th_write32(p.b.v, 0, SG_GITS(0) + SG_GITS_CTLR, 0);
	assert_int_equal(sg_ctrl(p.b.its[0], VGIC_CTRL_ITS_RESTORE_TABLES), 0);
	assert_int_equal(*(uint8_t *)th_ram(p.h2, SG_PEND(0) + 1024), 0);
	th_write32(p.b.v, 0, SG_GITS(0) + SG_GITS_CTLR, 1);
	assert_int_equal(sg_ack(p.b.v, 0), 8192);
	expect_msi(&p.b, 1, 0, 0, 8193);
	/* Restoring again over existing state: -EEXIST, nothing changes. */
	th_write32(p.b.v, 0, SG_GITS(0) + SG_GITS_CTLR, 0);
	assert_int_equal(sg_ctrl(p.b.its[0], VGIC_CTRL_ITS_RESTORE_TABLES),
			 -EEXIST);
	th_write32(p.b.v, 0, SG_GITS(0) + SG_GITS_CTLR, 1);
	expect_msi(&p.b, 0, 0, 0, 8192);
	done(&p);
}

/* Guest tables a restore must reject, each with its errno. */
static void test_restore_rejects(void **state)
{
	const uint64_t d = sg_dte(SG_ITT(0), 1, 0);
	const struct {
		uint64_t ct0, dt0, itt0;
		int err;
	} c[] = {
		{ sg_cte(0, 5), 0, 0, -EINVAL },          /* target not a vCPU */
		{ 0, 0, 0, 0 },                        /* empty: fine */
		{ sg_cte(0, 0), d, sg_ite(100, 0, 0), -EINVAL }, /* pINTID < 8192 */
		{ sg_cte(0, 0), d, sg_ite(8192, 0, 2), -EINVAL }, /* next leaves ITT */
		{ sg_cte(0, 0), d, sg_ite(70000, 0, 0), -EINVAL }, /* > 16 bits */
		{ sg_cte(0, 0), d, sg_ite(8192, 0, 1), 0 },
		{ sg_cte(0, 0), sg_dte(0x1000, 1, 0), 0, -EFAULT }, /* ITT not RAM */
	};

	(void)state;
	for (size_t k = 0; k < sizeof(c) / sizeof(c[0]); k++) {
		struct pair p = { 0 };

		vm(&p, 1, NULL, false);
		sg_lpi_cfg(&p.a, 8192, 0xa1);
		sg_wr(&p.a, SG_CT(0), c[k].ct0);
		sg_wr(&p.a, SG_DT(0), c[k].dt0);
		sg_wr(&p.a, SG_ITT(0), c[k].itt0);
		int ret = migrate(&p, NULL);

		if (ret != c[k].err)
			fail_msg("case %zu: got %d (%s)", k, ret,
				 vgic_last_error(p.b.v));
		done(&p);
	}
}

/* Duplicate ICIDs in the collection table: -EEXIST (as KVM). */
static void test_restore_duplicate_icid(void **state)
{
	struct pair p = { 0 };

	(void)state;
	vm(&p, 1, NULL, false);
	sg_wr(&p.a, SG_CT(0), sg_cte(4, 0));
	sg_wr(&p.a, SG_CT(0) + 8, sg_cte(4, 0));
	assert_int_equal(migrate(&p, NULL), -EEXIST);
	done(&p);
}

/* SAVE_PENDING_TABLES preconditions (KVM: -ENXIO before INIT, -EBUSY with
 * a running vCPU). */
static void test_save_pending_errors(void **state)
{
	struct vgic_config cfg = { .nr_vcpus = 1 };
	struct th_host *h = th_host_new(RAM);
	struct vgic_device *d;
	struct vgic *v;
	struct sg g;

	(void)state;
	assert_int_equal(vgic_create(&cfg, &th_ops, h, &v), 0);
	assert_int_equal(vgic_device_create(v, VGIC_DEV_TYPE_V3, &d), 0);
	assert_int_equal(sg_ctrl(d, VGIC_CTRL_SAVE_PENDING_TABLES), -ENXIO);
	vgic_destroy(v);
	sg_new(&g, h, 1, NULL, 1, false);
	assert_int_equal(vgic_vcpu_set_running(g.v, 0, true), 0);
	assert_int_equal(sg_ctrl(g.gic, VGIC_CTRL_SAVE_PENDING_TABLES), -EBUSY);
	assert_int_equal(sg_ctrl(g.its[0], VGIC_CTRL_ITS_SAVE_TABLES), -EBUSY);
	assert_int_equal(sg_ctrl(g.its[0], VGIC_CTRL_ITS_RESTORE_TABLES),
			 -EBUSY);
	assert_int_equal(vgic_vcpu_set_running(g.v, 0, false), 0);
	assert_int_equal(sg_ctrl(g.gic, VGIC_CTRL_SAVE_PENDING_TABLES), 0);
	vgic_destroy(g.v);
	th_host_free(h);
}

/* EnableLPIs 0->1 loads pending bits of mapped LPIs from the table (RAM
 * not cleared); a save with an unchanged state writes nothing. */
static void test_enable_lpis_pending_sync(void **state)
{
	struct pair p = { 0 };
	struct sg *g;
	uint64_t writes;

	(void)state;
	vm(&p, 2, NULL, false);
	g = &p.a;
	sg_lpi_cfg(g, 8200, 0xa1);
	sg_mapc(g, 0, 0, 1, true);
	sg_mapd(g, 0, 0, SG_ITT(0), 1, true);
	sg_mapti(g, 0, 0, 0, 8200, 0);
	th_write32(g->v, 1, SG_GICR(1) + SG_GICR_CTLR, 0);
	*(uint8_t *)th_ram(p.h, SG_PEND(1) + 8200 / 8) = 1u << (8200 % 8);
	th_write32(g->v, 1, SG_GICR(1) + SG_GICR_CTLR, 1);
	assert_int_equal(*(uint8_t *)th_ram(p.h, SG_PEND(1) + 8200 / 8),
			 1u << (8200 % 8));
	assert_int_equal(sg_ack(g->v, 1), 8200);
	/* Pending now clear: the save clears the bit (one write) ... */
	writes = p.h->nr_writes;
	assert_int_equal(sg_ctrl(g->gic, VGIC_CTRL_SAVE_PENDING_TABLES), 0);
	assert_int_equal(*(uint8_t *)th_ram(p.h, SG_PEND(1) + 8200 / 8), 0);
	assert_int_equal(p.h->nr_writes - writes, 1);
	/* ... and a second save has nothing to write. */
	writes = p.h->nr_writes;
	assert_int_equal(sg_ctrl(g->gic, VGIC_CTRL_SAVE_PENDING_TABLES), 0);
	assert_int_equal(p.h->nr_writes - writes, 0);
	done(&p);
}

/* Save reports exactly the guest pages it wrote: every byte goes through
 * write_guest (a VMM dirty-tracks there), the written pages are exactly
 * the pages holding live entries, and nothing else changes. */
struct rec_host {
	struct th_host *h;
	uint64_t pages[64];
	int n;
};

static int rec_read(void *o, uint64_t gpa, void *buf, size_t len)
{
	struct rec_host *r = o;

	return th_ops.read_guest(r->h, gpa, buf, len);
}

static int rec_write(void *o, uint64_t gpa, const void *buf, size_t len)
{
	struct rec_host *r = o;

	for (uint64_t pg = gpa >> 12; pg <= (gpa + len - 1) >> 12; pg++) {
		int k;

		for (k = 0; k < r->n && r->pages[k] != pg; k++)
			;
		if (k == r->n && r->n < 64)
			r->pages[r->n++] = pg;
	}
	return th_ops.write_guest(r->h, gpa, buf, len);
}

static void rec_kick(void *o, uint32_t vcpu)
{
	struct rec_host *r = o;

	th_ops.kick_vcpu(r->h, vcpu);
}

static void test_save_reports_pages(void **state)
{
	static const struct vgic_host_ops rec_ops = { rec_read, rec_write,
						      rec_kick };
	struct vgic_config cfg = { .nr_vcpus = 2 };
	struct rec_host r = { .h = th_host_new(RAM) };
	struct vgic_device *its[1];
	uint8_t *before = malloc(RAM);
	uint64_t addr, changed[64];
	int nchanged = 0;
	struct sg g;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.h = r.h;
	g.nr_vcpus = 2;
	g.nr_its = 1;
	assert_int_equal(vgic_create(&cfg, &rec_ops, &r, &g.v), 0);
	assert_int_equal(vgic_device_create(g.v, VGIC_DEV_TYPE_V3, &g.gic), 0);
	addr = TH_GICD_BASE;
	assert_int_equal(th_set_attr(g.gic, VGIC_GRP_ADDR, 2, &addr), 0);
	addr = TH_GICR_BASE | 2ull << 52;
	assert_int_equal(th_set_attr(g.gic, VGIC_GRP_ADDR, 5, &addr), 0);
	assert_int_equal(vgic_device_create(g.v, VGIC_DEV_TYPE_ITS, its), 0);
	g.its[0] = its[0];
	addr = SG_GITS(0);
	assert_int_equal(th_set_attr(its[0], VGIC_GRP_ADDR, 4, &addr), 0);
	assert_int_equal(sg_ctrl(g.gic, VGIC_CTRL_INIT), 0);
	th_write32(g.v, 0, TH_GICD_BASE, 0x12);
	sg_rd_init(&g, 0, true);
	sg_rd_init(&g, 1, true);
	sg_its_init(&g, 0, false);
	program_golden(&g);
	assert_int_equal(sg_msi(&g, 0, 1, 7), 1);
	poison(&g, SG_DT(0), 0x10000);
	poison(&g, SG_CT(0), 0x10000);
	poison(&g, SG_ITT(0), 8 * SG_ITT_STRIDE);
	memcpy(before, r.h->ram, RAM);
	r.n = 0;
	assert_int_equal(sg_ctrl(g.its[0], VGIC_CTRL_ITS_SAVE_TABLES), 0);
	assert_int_equal(sg_ctrl(g.gic, VGIC_CTRL_SAVE_PENDING_TABLES), 0);
	for (uint64_t off = 0; off < RAM; off += 4096)
		if (memcmp(before + off, r.h->ram + off, 4096))
			changed[nchanged++] = (TH_RAM_BASE + off) >> 12;
	/* DT, the ITT pages of devices 1 and 4, CT, vCPU 1's pending page. */
	assert_int_equal(nchanged, 5);
	assert_int_equal(r.n, nchanged);
	for (int k = 0; k < nchanged; k++) {
		int j;

		for (j = 0; j < r.n && r.pages[j] != changed[k]; j++)
			;
		assert_true(j < r.n);
	}
	free(before);
	vgic_destroy(g.v);
	th_host_free(r.h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_save_golden_bytes),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_restore_handmade_two_level),
		cmocka_unit_test(test_restore_lpis_disabled),
		cmocka_unit_test(test_restore_pending_same_byte),
		cmocka_unit_test(test_restore_itt_in_pending_table),
		cmocka_unit_test(test_restore_dt_in_pending_table),
		cmocka_unit_test(test_unmapped_collection_round_trip),
		cmocka_unit_test(test_sparse_two_level_scan),
		cmocka_unit_test(test_flat_next_cap),
		cmocka_unit_test(test_stale_entries_after_unmap),
		cmocka_unit_test(test_pending_cache_keyed_by_gpa),
		cmocka_unit_test(test_vcpu_id_vs_index),
		cmocka_unit_test(test_reset_then_save_then_restore),
		cmocka_unit_test(test_dte_size_gt_15),
		cmocka_unit_test(test_mapc_v0_then_save),
		cmocka_unit_test(test_kvm_selftest_baser_change),
		cmocka_unit_test(test_kvm_selftest_unreachable_device),
		cmocka_unit_test(test_restore_all_or_nothing),
		cmocka_unit_test(test_restore_rejects),
		cmocka_unit_test(test_restore_duplicate_icid),
		cmocka_unit_test(test_save_pending_errors),
		cmocka_unit_test(test_enable_lpis_pending_sync),
		cmocka_unit_test(test_save_reports_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

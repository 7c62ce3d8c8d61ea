/*
 * vgic_snapshot_save / vgic_snapshot_restore: round trip of the whole GIC,
 * the stream format as docs/snapshot.md describes it (checked with an
 * independent CRC32 and parser here), configuration mismatches with their
 * errno and message, and atomicity of a failed restore.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "save_guest.h"

#define RAM (8u << 20)

/* A source VM with state in every block. */
static void build_source(struct sg *g, struct th_host *h, uint32_t n,
			 const uint64_t *mpidr)
{
	sg_new(g, h, n, mpidr, 2, false);
	/* SPIs: enable 40..47, priority, level 45 high (level-sensitive),
	 * pending latch on 46 (edge). */
	th_write32(g->v, 0, TH_GICD_BASE + 0x100 + 4, 0xff00);
	th_write32(g->v, 0, TH_GICD_BASE + 0x400 + 44, 0x60504030);
	th_write32(g->v, 0, TH_GICD_BASE + 0xc00 + 8, 0x2u << 28); /* 46 edge */
	th_write32(g->v, 0, TH_GICD_BASE + 0x6000 + 8 * 45, 1); /* -> vCPU 1 */
	assert_int_equal(vgic_irq_line(g->v, 0, 45, true), 0);
	th_write32(g->v, 0, TH_GICD_BASE + 0x200 + 4, 1u << 14);
	/* PPI 27 level high on vCPU 1, SGI 3 pending on vCPU 0. */
	th_write32(g->v, 1, SG_GICR(1) + 0x10100, 1u << 27);
	assert_int_equal(vgic_irq_line(g->v, 1, 27, true), 0);
	th_write32(g->v, 0, SG_GICR(0) + 0x10100, 1u << 3);
	th_write32(g->v, 0, SG_GICR(0) + 0x10200, 1u << 3);
	/* SGIs 5-7 of vCPU 0 disabled (they reset enabled). */
	th_write32(g->v, 0, SG_GICR(0) + 0x10180, 0xe0);
	th_sysreg_write(g->v, 1, VGIC_ICC_PMR_EL1, 0xf0);
	th_sysreg_write(g->v, 0, VGIC_ICC_BPR1_EL1, 3);
	/* LPIs on both ITSes. */
	for (uint32_t i = 8192; i < 8192 + 32; i++)
		sg_lpi_cfg(g, i, 0xa1);
	for (uint32_t i = 0; i < 2; i++) {
		sg_mapc(g, i, 0, 0, true);
		sg_mapc(g, i, 1, 1, true);
		sg_mapd(g, i, 3 + i, SG_ITT(3 + i), 4, true);
		sg_mapti(g, i, 3 + i, 1, 8192 + i, 1);
		sg_mapti(g, i, 3 + i, 2, 8200 + i, 0);
	}
	assert_int_equal(sg_msi(g, 1, 4, 1), 1); /* 8193 pending on vCPU 1 */
}

static uint8_t *snap(struct vgic *v, size_t *len)
{
	uint8_t *buf;

	assert_int_equal(vgic_snapshot_save(v, NULL, 0, len), -ENOSPC);
	buf = malloc(*len);
	assert_int_equal(vgic_snapshot_save(v, buf, *len, len), 0);
	return buf;
}

static struct vgic *fresh(struct th_host *h, uint32_t n, const uint64_t *mpidr)
{
	struct vgic_config cfg = { .nr_vcpus = n, .mpidr = mpidr };
	struct vgic *v;

	assert_int_equal(vgic_create(&cfg, &th_ops, h, &v), 0);
	return v;
}

/* Drain both vCPUs of both VMs: the same INTIDs in the same order. */
static void expect_same_acks(struct vgic *a, struct vgic *b, uint32_t n)
{
	for (uint32_t c = 0; c < n; c++) {
		for (int k = 0; k < 64; k++) {
			uint32_t x = sg_ack(a, c), y = sg_ack(b, c);

			assert_int_equal(x, y);
			if (x == 1023)
				break;
		}
	}
}

static void test_round_trip(void **state)
{
	static const uint64_t mpidr[2] = { 0x0, 0x101 };
	struct th_host *h = th_host_new(RAM), *h2;
	struct sg g;
	struct vgic *d;
	uint8_t *s1, *s2;
	size_t l1, l2;

	(void)state;
	build_source(&g, h, 2, mpidr);
	s1 = snap(g.v, &l1);
	/* The documented layout: magic, version, sizes, CRCs. */
	assert_memory_equal(s1, "VGICSNAP", 8);
	assert_int_equal(rd32(s1 + 8), 1);
	assert_int_equal(rd32(s1 + 16), l1);
	assert_int_equal(rd32(s1 + 28), crc32_ref(s1, 28));
	assert_int_equal(rd32(s1 + l1 - 4), crc32_ref(s1, l1 - 4));
	assert_memory_equal(s1 + 32, "CONF", 4);

	h2 = sg_clone_ram(h);
	d = fresh(h2, 2, mpidr);
	assert_int_equal(vgic_snapshot_restore(d, s1, l1), 0);
	assert_string_equal(vgic_last_error(d), "");
	/* Saving the restored VM gives the same stream. */
	s2 = snap(d, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(s1, s2, l1);
	expect_same_acks(g.v, d, 2);
	/* The disabled SGIs stay disabled (found by the snapshot fuzzer:
	 * user ISENABLER writes only set). */
	assert_int_equal(th_read32(d, 0, SG_GICR(0) + 0x10100) & 0xffff,
			 0xff1f);
	/* Translations work on the destination. */
	for (uint32_t i = 0; i < 2; i++) {
		assert_int_equal(vgic_signal_msi(d, SG_GITS(i), 3 + i, 2), 1);
		assert_int_equal(sg_ack(d, 0), 8200 + i);
	}
	free(s1);
	free(s2);
	vgic_destroy(g.v);
	vgic_destroy(d);
	th_host_free(h);
	th_host_free(h2);
}

static void test_config_mismatch(void **state)
{
	static const uint64_t mpidr[2] = { 0x0, 0x101 };
	static const uint64_t other[2] = { 0x0, 0x102 };
	struct th_host *h = th_host_new(RAM);
	struct vgic_device *dev;
	struct sg g;
	struct vgic *d;
	uint8_t *s;
	size_t l;

	(void)state;
	build_source(&g, h, 2, mpidr);
	s = snap(g.v, &l);
	d = fresh(h, 3, NULL);
	assert_int_equal(vgic_snapshot_restore(d, s, l), -E2BIG);
	assert_non_null(strstr(vgic_last_error(d), "2 vCPUs"));
	vgic_destroy(d);
	d = fresh(h, 2, other);
	assert_int_equal(vgic_snapshot_restore(d, s, l), -ENODEV);
	assert_non_null(strstr(vgic_last_error(d), "MPIDR"));
	vgic_destroy(d);
	d = fresh(h, 2, mpidr);
	assert_int_equal(vgic_device_create(d, VGIC_DEV_TYPE_V3, &dev), 0);
	assert_int_equal(vgic_snapshot_restore(d, s, l), -EBUSY);
	vgic_destroy(d);
	/* Saving needs stopped vCPUs. */
	assert_int_equal(vgic_vcpu_set_running(g.v, 1, true), 0);
	assert_int_equal(vgic_snapshot_save(g.v, s, l, &l), -EBUSY);
	assert_int_equal(vgic_vcpu_set_running(g.v, 1, false), 0);
	free(s);
	vgic_destroy(g.v);
	th_host_free(h);
}

static void test_corrupt_streams(void **state)
{
	static const uint64_t mpidr[2] = { 0x0, 0x101 };
	struct th_host *h = th_host_new(RAM);
	struct sg g;
	struct vgic *d;
	uint8_t *s, *t;
	size_t l;

	(void)state;
	build_source(&g, h, 2, mpidr);
	s = snap(g.v, &l);
	t = malloc(l);
	d = fresh(h, 2, mpidr);
	/* Truncated, padded, flipped. */
	assert_int_equal(vgic_snapshot_restore(d, s, l - 1), -EINVAL);
	assert_int_equal(vgic_snapshot_restore(d, s, 10), -EINVAL);
	memcpy(t, s, l);
	t[l / 2] ^= 4;
	assert_int_equal(vgic_snapshot_restore(d, t, l), -EINVAL);
	assert_non_null(strstr(vgic_last_error(d), "checksum"));
	/* Another major version: -EPROTO. */
	memcpy(t, s, l);
	wr32(t + 8, 2);
	fix_crcs(t, l);
	assert_int_equal(vgic_snapshot_restore(d, t, l), -EPROTO);
	/* An unknown mandatory section: -EPROTO; optional: skipped. */
	memcpy(t, s, l);
	memcpy(t + 32, "XXXX", 4);
	fix_crcs(t, l);
	assert_int_equal(vgic_snapshot_restore(d, t, l), -EPROTO);
	/* Priority bits changed in CONF (CRCs fixed): -ENODEV. */
	memcpy(t, s, l);
	wr32(t + 32 + 24 + 12, 7);
	fix_crcs(t, l);
	assert_int_equal(vgic_snapshot_restore(d, t, l), -ENODEV);
	assert_non_null(strstr(vgic_last_error(d), "priority"));
	/* Still fresh after all that: the real stream restores. */
	assert_int_equal(vgic_snapshot_restore(d, s, l), 0);
	free(s);
	free(t);
	vgic_destroy(g.v);
	vgic_destroy(d);
	th_host_free(h);
}

/* A failure late in the restore (the ITS tables in RAM are inconsistent:
 * found by RESTORE_TABLES of the second ITS) rolls everything back: the
 * instance is fresh again and guest RAM is byte-identical. */
static void test_atomic_rollback(void **state)
{
	static const uint64_t mpidr[2] = { 0x0, 0x101 };
	struct th_host *h = th_host_new(RAM), *h2;
	struct vgic_device *dev;
	uint8_t *s, *before;
	struct sg g;
	struct vgic *d;
	size_t l;

	(void)state;
	build_source(&g, h, 2, mpidr);
	s = snap(g.v, &l);
	h2 = sg_clone_ram(h);
	/* ITS 1's ITE names ICID 9: no such collection. */
	sg_put_le64(th_ram(h2, SG_ITT(4) + 8),
		    sg_le64(th_ram(h2, SG_ITT(4) + 8)) | 9);
	before = malloc(RAM);
	memcpy(before, h2->ram, RAM);
	d = fresh(h2, 2, mpidr);
	assert_int_equal(vgic_snapshot_restore(d, s, l), -EINVAL);
	assert_non_null(strstr(vgic_last_error(d), "ITSR"));
	assert_non_null(strstr(vgic_last_error(d), "collection"));
	/* ITS 0's LPI 8192 consumed nothing that stays consumed. */
	assert_true(memcmp(before, h2->ram, RAM) == 0);
	assert_int_equal(vgic_signal_msi(d, SG_GITS(0), 3, 1), -ENODEV);
	assert_int_equal(vgic_device_create(d, VGIC_DEV_TYPE_V3, &dev), 0);
	vgic_destroy(d);
	free(before);
	free(s);
	vgic_destroy(g.v);
	th_host_free(h);
	th_host_free(h2);
}

/* Save @g, restore into a fresh VM on a copy of its RAM: 0 and the same
 * stream when saved again, and the same next acknowledgements. */
static void round_trip_exact(struct sg *g, const uint64_t *mpidr)
{
	struct th_host *h2 = sg_clone_ram(g->h);
	struct vgic *d = fresh(h2, 2, mpidr);
	uint8_t *s1, *s2;
	size_t l1, l2;

	s1 = snap(g->v, &l1);
	memcpy(h2->ram, g->h->ram, g->h->ram_size); /* after the scrub */
	assert_int_equal(vgic_snapshot_restore(d, s1, l1), 0);
	s2 = snap(d, &l2);
	assert_int_equal(l1, l2);
	assert_memory_equal(s1, s2, l1);
	expect_same_acks(g->v, d, 2);
	free(s1);
	free(s2);
	vgic_destroy(d);
	th_host_free(h2);
}

/*
 * Finding F5 (docs/reliability.md): guest-written garbage in ITS-owned
 * table memory, where the restore scan reads (before the first live DTE,
 * before the first live ITE of an ITT), must neither fail the restore nor
 * create mappings the source does not have.  ITS_SAVE_TABLES alone (the
 * KVM attribute) leaves it alone, as KVM; the snapshot clears it.
 */
static void test_table_garbage(void **state)
{
	static const uint64_t mpidr[2] = { 0x0, 0x101 };
	struct th_host *h = th_host_new(RAM);
	struct sg g;
	uint64_t bad_size = 1ull << 63 | (SG_ITT(1) >> 8) << 5 | 30;
	uint64_t plausible = 1ull << 63 | (SG_ITT(2) >> 8) << 5 | 3;
	uint64_t bad_ite = 0x5000000ull << 16; /* pINTID beyond 16 bits */
	uint64_t extra_ite = 8195ull << 16;     /* ICID 0 */
	uint8_t *s;
	size_t l;

	(void)state;
	build_source(&g, h, 2, mpidr);
	/* ITS 0 maps device 3 only (events 1, 2): slots 0-2 come first. */
	sg_wr(&g, SG_DT(0), bad_size);
	sg_wr(&g, SG_DT(0) + 16, plausible); /* device 2, ITT(2) */
	sg_wr(&g, SG_ITT(2), extra_ite);
	sg_wr(&g, SG_ITT(3), bad_ite);      /* device 3, event 0 */
	assert_int_equal(sg_ctrl(g.its[0], VGIC_CTRL_ITS_SAVE_TABLES), 0);
	assert_int_equal(sg_rd(&g, SG_DT(0)), bad_size);
	assert_int_equal(sg_rd(&g, SG_ITT(3)), bad_ite);
	/* The KVM order of attributes fails on these tables. */
	{
		struct th_host *h2 = sg_clone_ram(h);
		struct sg d;

		sg_new(&d, h2, 2, mpidr, 2, false);
		assert_int_equal(sg_ctrl(d.its[0], VGIC_CTRL_ITS_RESET), 0);
		assert_int_equal(sg_its_migrate(g.its[0], d.its[0]), -EINVAL);
		vgic_destroy(d.v);
		th_host_free(h2);
	}
	/* The snapshot clears exactly the entries the scan would misread
	 * and restores the source's mappings, no more. */
	s = snap(g.v, &l);
	free(s);
	assert_int_equal(sg_rd(&g, SG_DT(0)), 0);
	assert_int_equal(sg_rd(&g, SG_DT(0) + 16), 0);
	assert_int_equal(sg_rd(&g, SG_ITT(3)), 0);
	assert_int_equal(sg_rd(&g, SG_ITT(2)), extra_ite); /* never read */
	round_trip_exact(&g, mpidr);
	vgic_destroy(g.v);
	th_host_free(h);
}

/*
 * Finding F4: table memory that is not guest RAM.  An ITS without
 * mappings whose BASERs point outside RAM has nothing to restore, and its
 * snapshot restores; a mapping whose table memory the restore could not
 * read fails the snapshot save, at the source, which keeps running.
 */
static void test_table_outside_ram(void **state)
{
	static const uint64_t mpidr[2] = { 0x0, 0x101 };
	const uint64_t nowhere = 0x7f0000000000ull;
	struct th_host *h = th_host_new(RAM);
	size_t need = 0;
	struct sg g;

	(void)state;
	sg_new(&g, h, 2, mpidr, 2, false);
	for (uint32_t i = 8192; i < 8192 + 32; i++)
		sg_lpi_cfg(&g, i, 0xa1);
	sg_mapc(&g, 1, 0, 0, true);
	sg_mapd(&g, 1, 4, SG_ITT(4), 4, true);
	sg_mapti(&g, 1, 4, 1, 8193, 0);
	/* ITS 0: disabled, both tables moved out of RAM, no mappings. */
	th_write32(g.v, 0, SG_GITS(0) + SG_GITS_CTLR, 0);
	th_write64(g.v, 0, SG_GITS(0) + SG_GITS_BASER0,
		   nowhere | SG_BASER_VALID | SG_BASER_64K);
	th_write64(g.v, 0, SG_GITS(0) + SG_GITS_BASER1,
		   (nowhere + 0x10000) | SG_BASER_VALID | SG_BASER_64K);
	th_write32(g.v, 0, SG_GITS(0) + SG_GITS_CTLR, 1);
	assert_int_equal(sg_ctrl(g.its[0], VGIC_CTRL_ITS_SAVE_TABLES),
			 -EFAULT); /* the CTE terminator, as KVM */
	/* ... but there is nothing to restore, and the snapshot says so. */
	th_write32(g.v, 0, SG_GITS(0) + SG_GITS_CTLR, 0);
	th_write64(g.v, 0, SG_GITS(0) + SG_GITS_BASER1, 0);
	round_trip_exact(&g, mpidr);
	/* ITS 1: a device whose ITT is not RAM and has no ITE yet. */
	sg_mapd(&g, 1, 7, nowhere, 4, true);
	assert_int_equal(sg_ctrl(g.its[1], VGIC_CTRL_ITS_SAVE_TABLES), 0);
	assert_int_equal(vgic_snapshot_save(g.v, NULL, 0, &need), -EFAULT);
	assert_non_null(strstr(vgic_last_error(g.v), "would not restore"));
	assert_non_null(strstr(vgic_last_error(g.v), "device 7"));
	/* The source is untouched and keeps running. */
	assert_int_equal(sg_msi(&g, 1, 4, 1), 1);
	assert_int_equal(sg_ack(g.v, 0), 8193);
	sg_mapd(&g, 1, 7, 0, 4, false);
	round_trip_exact(&g, mpidr);
	vgic_destroy(g.v);
	th_host_free(h);
}

/* Commands queued while the ITS is disabled (CREADR != CWRITER) survive:
 * after restore, enabling the ITS runs them, as on the source. */
static void test_queued_commands(void **state)
{
	struct th_host *h = th_host_new(RAM), *h2;
	struct vgic_config cfg = { .nr_vcpus = 1 };
	uint8_t *s;
	size_t l;
	struct sg g;
	struct vgic *d;

	(void)state;
	sg_new(&g, h, 1, NULL, 1, false);
	sg_lpi_cfg(&g, 8300, 0xa1);
	sg_mapc(&g, 0, 0, 0, true);
	sg_mapd(&g, 0, 2, SG_ITT(2), 2, true);
	th_write32(g.v, 0, SG_GITS(0) + SG_GITS_CTLR, 0);
	sg_mapti(&g, 0, 2, 1, 8300, 0); /* queued, not run */
	assert_true(th_read64(g.v, 0, SG_GITS(0) + SG_GITS_CREADR) !=
		    th_read64(g.v, 0, SG_GITS(0) + SG_GITS_CWRITER));
	s = snap(g.v, &l);
	h2 = sg_clone_ram(h);
	assert_int_equal(vgic_create(&cfg, &th_ops, h2, &d), 0);
	assert_int_equal(vgic_snapshot_restore(d, s, l), 0);
	assert_true(th_read64(d, 0, SG_GITS(0) + SG_GITS_CREADR) !=
		    th_read64(d, 0, SG_GITS(0) + SG_GITS_CWRITER));
	th_write32(d, 0, SG_GITS(0) + SG_GITS_CTLR, 1);
	assert_int_equal(vgic_signal_msi(d, SG_GITS(0), 2, 1), 1);
	assert_int_equal(sg_ack(d, 0), 8300);
	free(s);
	vgic_destroy(g.v);
	vgic_destroy(d);
	th_host_free(h);
	th_host_free(h2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_config_mismatch),
		cmocka_unit_test(test_corrupt_streams),
		cmocka_unit_test(test_atomic_rollback),
		cmocka_unit_test(test_queued_commands),
		cmocka_unit_test(test_table_garbage),
		cmocka_unit_test(test_table_outside_ram),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

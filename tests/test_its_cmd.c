/*
 * ITS commands through the command queue: every command and every drop
 * rule of abi.md §3, the MSI return convention, several ITSes, two-level
 * device tables, INV/INVALL reloads, MOVI/MOVALL retargeting and the
 * deliberate deviations from KVM (docs/its.md).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "its_guest.h"

#define NR_VCPUS 4
#define RAM_SIZE (8u << 20)
#define SPURIOUS 1023u

struct fx {
	struct th_host *h;
	struct vgic *v;
	struct vgic_device *gic, *its[2];
	struct gi_its g, g2;
};

static struct fx *fx_new(uint32_t nr_its, bool indirect)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->h = th_host_new(RAM_SIZE);
	f->v = th_vm_v3(f->h, NR_VCPUS, NULL, 0, 1, &f->gic, f->its);
	if (nr_its > 1)
		assert_non_null(f->its[1] = gi_add_its(f->v, 1));
	gi_cpu_init(f->v, f->h, NR_VCPUS, true);
	gi_its_init(&f->g, f->v, f->h, 0, indirect);
	if (nr_its > 1)
		gi_its_init(&f->g2, f->v, f->h, 1, false);
	for (uint32_t i = 8192; i < 8192 + 256; i++)
		gi_set_cfg(f->h, i, 0xa0, true);
	return f;
}

static int setup(void **state)
{
	*state = fx_new(1, false);
	return 0;
}

static int setup2(void **state)
{
	*state = fx_new(2, false);
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	vgic_destroy(f->v);
	th_host_free(f->h);
	free(f);
	return 0;
}

static uint64_t creadr(struct fx *f)
{
	uint64_t val;

	assert_int_equal(th_get_attr(f->its[0], VGIC_GRP_ITS_REGS,
				     GITS_CREADR_OFF, &val), 0);
	return val;
}

/* Device @dev with 5 event bits, collection @icid on vCPU @rd. */
static void map_basic(struct fx *f, uint32_t dev, uint32_t icid, uint32_t rd)
{
	gi_mapc(&f->g, icid, rd, true);
	gi_mapd(&f->g, dev, gi_itt(&f->g, dev), 5, true);
}

static void test_deliver(void **state)
{
	struct fx *f = *state;

	map_basic(f, 7, 3, 2);
	gi_mapti(&f->g, 7, 4, 8200, 3);
	gi_sync(&f->g, 2);
	assert_false(vgic_vcpu_irq_pending(f->v, 2));
	assert_int_equal(gi_msi(&f->g, 7, 4), 1);
	assert_true(vgic_vcpu_irq_pending(f->v, 2));
	assert_false(vgic_vcpu_irq_pending(f->v, 0));
	assert_true(atomic_load(&f->h->kicks[2]) > 0);
	assert_int_equal(gi_take(f->v, 0), SPURIOUS);
	assert_int_equal(gi_take(f->v, 2), 8200);
	assert_int_equal(gi_take(f->v, 2), SPURIOUS);
	assert_false(vgic_vcpu_irq_pending(f->v, 2));
	/* Untranslatable: 0 (not delivered). */
	assert_int_equal(gi_msi(&f->g, 7, 5), 0);
	assert_int_equal(gi_msi(&f->g, 8, 4), 0);
	assert_int_equal(gi_msi(&f->g, 7, 32), 0);
	assert_int_equal(gi_msi(&f->g, 0x10000, 4), 0);
	assert_int_equal(gi_msi(&f->g, 0xffffffff, 0xffffffff), 0);
	/* Doorbell: any address in the frame; outside is -EINVAL. */
	assert_int_equal(vgic_signal_msi(f->v, f->g.base, 7, 4), 1);
	assert_int_equal(vgic_signal_msi(f->v, f->g.base + 0x1ffff, 7, 4), 1);
	assert_int_equal(vgic_signal_msi(f->v, f->g.base + 0x20000, 7, 4),
			 -EINVAL);
	assert_int_equal(vgic_signal_msi(NULL, f->g.base, 7, 4), -EINVAL);
}

static void test_msi_errors(void **state)
{
	struct fx *f = *state;
	struct th_host *h2 = th_host_new(4096);
	struct vgic_config cfg = { .nr_vcpus = 1 };
	struct vgic_device *g;
	struct vgic *v2;

	/* No ITS: -ENODEV. */
	assert_int_equal(vgic_create(&cfg, &th_ops, h2, &v2), 0);
	assert_int_equal(vgic_signal_msi(v2, TH_ITS_BASE, 0, 0), -ENODEV);
	assert_int_equal(vgic_device_create(v2, VGIC_DEV_TYPE_V3, &g), 0);
	assert_int_equal(vgic_signal_msi(v2, TH_ITS_BASE, 0, 0), -ENODEV);
	vgic_destroy(v2);
	th_host_free(h2);

	map_basic(f, 1, 1, 1);
	gi_mapti(&f->g, 1, 0, 8192, 1);
	/* Target's LPIs disabled: -EBUSY. */
	th_write32(f->v, 1, gi_rd(1) + GICR_CTLR_OFF, 0);
	assert_int_equal(gi_msi(&f->g, 1, 0), -EBUSY);
	th_write32(f->v, 1, gi_rd(1) + GICR_CTLR_OFF, 1);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	/* ITS disabled: -EBUSY (even for untranslatable MSIs). */
	th_write32(f->v, 0, f->g.base + GITS_CTLR_OFF, 0);
	assert_int_equal(gi_msi(&f->g, 1, 0), -EBUSY);
	assert_int_equal(gi_msi(&f->g, 99, 0), -EBUSY);
	th_write32(f->v, 0, f->g.base + GITS_CTLR_OFF, 1);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
}

static void test_mapd_rules(void **state)
{
	struct fx *f = *state;
	uint64_t *dte;

	gi_mapc(&f->g, 0, 0, true);
	/* DeviceID beyond the 64 KB flat table (8192 entries): dropped. */
	gi_mapd(&f->g, 8192, gi_itt(&f->g, 0), 5, true);
	gi_mapti(&f->g, 8192, 0, 8192, 0);
	assert_int_equal(gi_msi(&f->g, 8192, 0), 0);
	gi_mapd(&f->g, 8191, gi_itt(&f->g, 8191), 5, true);
	gi_mapti(&f->g, 8191, 0, 8192, 0);
	assert_int_equal(gi_msi(&f->g, 8191, 0), 1);
	/* Size + 1 > 16: ITTSIZE_OOR, the existing device stays. */
	gi_mapd(&f->g, 8191, gi_itt(&f->g, 8191), 17, true);
	assert_int_equal(gi_msi(&f->g, 8191, 0), 1);
	/* Re-MAPD replaces the device: its ITEs are gone. */
	gi_mapd(&f->g, 8191, gi_itt(&f->g, 8191), 16, true);
	assert_int_equal(gi_msi(&f->g, 8191, 0), 0);
	gi_mapd(&f->g, 8191, TH_RAM_BASE + RAM_SIZE - 0x100, 16, true);
	gi_mapti(&f->g, 8191, 60000, 8193, 0);
	assert_int_equal(gi_msi(&f->g, 8191, 60000), 0); /* ITT not in RAM */
	gi_mapti(&f->g, 8191, 31, 8193, 0);
	assert_int_equal(gi_msi(&f->g, 8191, 31), 1);
	gi_mapd(&f->g, 8191, gi_itt(&f->g, 5), 16, true);
	gi_mapti(&f->g, 8191, 65535, 8193, 0);
	assert_int_equal(gi_msi(&f->g, 8191, 65535), 1);
	/* MAPD V=0 zeroes the DTE in guest RAM (§7.3). */
	dte = th_ram(f->h, f->g.area + GI_DT + 8191 * 8);
	*dte = 0x8000000000001234ull;
	gi_mapd(&f->g, 8191, 0, 1, false);
	assert_int_equal(*dte, 0);
	assert_int_equal(gi_msi(&f->g, 8191, 65535), 0);
	/* Unmapping an unmapped device is fine; CREADR kept up. */
	gi_mapd(&f->g, 8191, 0, 1, false);
	assert_int_equal(creadr(f), f->g.cwriter);
}

static void test_mapc_rules(void **state)
{
	struct fx *f = *state;

	gi_mapd(&f->g, 1, gi_itt(&f->g, 1), 5, true);
	/* RDbase (vcpu_id) out of range: dropped. */
	gi_mapc(&f->g, 1, NR_VCPUS, true);
	gi_mapti(&f->g, 1, 0, 8192, 1); /* creates ICID 1 unmapped */
	assert_int_equal(gi_msi(&f->g, 1, 0), 0);
	/* ICID beyond the 64 KB collection table: COLLECTION_OOR, for MAPC
	 * and for MAPTI's implicit collection. */
	gi_mapc(&f->g, 8192, 0, true);
	gi_mapti(&f->g, 1, 1, 8193, 8192);
	assert_int_equal(gi_msi(&f->g, 1, 1), 0);
	gi_mapc(&f->g, 8192, 0, true);
	assert_int_equal(gi_msi(&f->g, 1, 1), 0);
	/* Mapping ICID 1 now makes the earlier ITE deliverable. */
	gi_mapc(&f->g, 1, 3, true);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	assert_int_equal(gi_take(f->v, 3), 8192);
	/* Retargeting an existing collection moves its LPIs. */
	gi_mapc(&f->g, 1, 0, true);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	assert_int_equal(gi_take(f->v, 3), SPURIOUS);
	assert_int_equal(gi_take(f->v, 0), 8192);
}

static void test_unmapped_collection_keeps_icid(void **state)
{
	struct fx *f = *state;

	map_basic(f, 2, 5, 1);
	gi_mapti(&f->g, 2, 3, 8300, 5);
	assert_int_equal(gi_msi(&f->g, 2, 3), 1);
	assert_int_equal(gi_take(f->v, 1), 8300);
	/* MAPC V=0: not deliverable, and DISCARD refuses the ITE (KVM). */
	gi_mapc(&f->g, 5, 0, false);
	assert_int_equal(gi_msi(&f->g, 2, 3), 0);
	gi_devcmd(&f->g, 0x0f, 2, 3, 0);
	/* DEVIATION: the ITE kept ICID 5; mapping it again revives it. */
	gi_mapc(&f->g, 5, 2, true);
	assert_int_equal(gi_msi(&f->g, 2, 3), 1);
	assert_int_equal(gi_take(f->v, 2), 8300);
}

static void test_mapti_rules(void **state)
{
	struct fx *f = *state;

	gi_mapc(&f->g, 0, 0, true);
	/* Unmapped device. */
	gi_mapti(&f->g, 3, 0, 8192, 0);
	assert_int_equal(gi_msi(&f->g, 3, 0), 0);
	gi_mapd(&f->g, 3, gi_itt(&f->g, 3), 2, true);
	/* EventID >= 2^bits. */
	gi_mapti(&f->g, 3, 4, 8192, 0);
	assert_int_equal(gi_msi(&f->g, 3, 4), 0);
	/* pINTID < 8192 or >= 2^(IDbits+1). */
	gi_mapti(&f->g, 3, 0, 8191, 0);
	assert_int_equal(gi_msi(&f->g, 3, 0), 0);
	th_write32(f->v, 0, gi_rd(0) + GICR_CTLR_OFF, 0);
	for (uint32_t c = 0; c < NR_VCPUS; c++)
		th_write32(f->v, c, gi_rd(c) + GICR_CTLR_OFF, 0);
	for (uint32_t c = 0; c < NR_VCPUS; c++)
		th_write64(f->v, c, gi_rd(c) + GICR_PROPBASER_OFF,
			   (TH_RAM_BASE + GI_PROP) | 13); /* 14 bits */
	for (uint32_t c = 0; c < NR_VCPUS; c++)
		th_write32(f->v, c, gi_rd(c) + GICR_CTLR_OFF, 1);
	gi_mapti(&f->g, 3, 0, 16384, 0);
	assert_int_equal(gi_msi(&f->g, 3, 0), 0);
	gi_set_cfg(f->h, 16383, 0x20, true);
	gi_mapti(&f->g, 3, 0, 16383, 0);
	assert_int_equal(gi_msi(&f->g, 3, 0), 1);
	assert_int_equal(gi_take(f->v, 0), 16383);
	/* An existing mapping is left alone. */
	gi_mapti(&f->g, 3, 0, 8192, 0);
	assert_int_equal(gi_msi(&f->g, 3, 0), 1);
	assert_int_equal(gi_take(f->v, 0), 16383);
	/* MAPI: pINTID = EventID; EventID 1 < 8192 is out of range. */
	gi_mapd(&f->g, 4, gi_itt(&f->g, 4), 14, true);
	gi_mapi(&f->g, 4, 1, 0);
	assert_int_equal(gi_msi(&f->g, 4, 1), 0);
	gi_mapi(&f->g, 4, 8200, 0);
	assert_int_equal(gi_msi(&f->g, 4, 8200), 1);
	assert_int_equal(gi_take(f->v, 0), 8200);
	/* ITE outside guest RAM: ID_OOR. */
	gi_mapd(&f->g, 5, 0x1000, 2, true);
	gi_mapti(&f->g, 5, 0, 8194, 0);
	assert_int_equal(gi_msi(&f->g, 5, 0), 0);
}

static void test_mapti_config_fault(void **state)
{
	struct fx *f = *state;

	map_basic(f, 1, 0, 0);
	/* The configuration byte cannot be read: the command is dropped and
	 * nothing changes. */
	f->h->fail_at = atomic_load(&f->h->nr_accesses) + 4; /* cmd read x4 */
	f->h->fail_at += 1; /* ITE visibility read */
	f->h->fail_sticky = false;
	gi_mapti(&f->g, 1, 0, 8192, 0);
	f->h->fail_at = 0;
	assert_int_equal(gi_msi(&f->g, 1, 0), 0);
	assert_int_equal(creadr(f), f->g.cwriter);
	gi_mapti(&f->g, 1, 0, 8192, 0);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
}

static void test_cmd_read_fault(void **state)
{
	struct fx *f = *state;

	map_basic(f, 1, 0, 0);
	/* The command cannot be read: skipped, CREADR advances. */
	f->h->fail_at = atomic_load(&f->h->nr_accesses) + 1;
	gi_mapti(&f->g, 1, 0, 8192, 0);
	f->h->fail_at = 0;
	assert_int_equal(creadr(f), f->g.cwriter);
	assert_int_equal(gi_msi(&f->g, 1, 0), 0);
	/* Unknown and GICv4 opcodes are ignored. */
	gi_cmd(&f->g, 0x2a, ~0ull, ~0ull, ~0ull);
	gi_cmd(&f->g, 0xff, ~0ull, ~0ull, ~0ull);
	gi_cmd(&f->g, 0x00, 0, 0, 0);
	assert_int_equal(creadr(f), f->g.cwriter);
}

static void test_movi(void **state)
{
	struct fx *f = *state;

	map_basic(f, 1, 0, 0);
	gi_mapc(&f->g, 1, 1, true);
	gi_mapti(&f->g, 1, 0, 8192, 0);
	/* Unmapped interrupt / unmapped target collection: dropped. */
	gi_devcmd(&f->g, 0x01, 1, 1, 1);
	gi_devcmd(&f->g, 0x01, 1, 0, 9);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	assert_int_equal(gi_take(f->v, 0), 8192);
	/* Pending state moves with the LPI. */
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	gi_devcmd(&f->g, 0x01, 1, 0, 1);
	assert_int_equal(gi_take(f->v, 0), SPURIOUS);
	assert_int_equal(gi_take(f->v, 1), 8192);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	assert_int_equal(gi_take(f->v, 1), 8192);
	/* Current collection unmapped: dropped. */
	gi_mapc(&f->g, 1, 0, false);
	gi_devcmd(&f->g, 0x01, 1, 0, 0);
	gi_mapc(&f->g, 1, 3, true);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	assert_int_equal(gi_take(f->v, 3), 8192);
}

/* Collections mapped while their target's EnableLPIs is 0: MSIs get
 * -EBUSY until it is set, and MAPTI/MOVI still route the LPIs there. */
static void test_lpis_disabled_target(void **state)
{
	struct fx *f = *state;

	th_write32(f->v, 2, gi_rd(2) + GICR_CTLR_OFF, 0);
	map_basic(f, 1, 0, 0);
	gi_mapc(&f->g, 5, 2, true);
	gi_mapti(&f->g, 1, 0, 8192, 5);
	gi_mapti(&f->g, 1, 1, 8193, 0);
	assert_int_equal(gi_msi(&f->g, 1, 0), -EBUSY);
	assert_int_equal(gi_msi(&f->g, 1, 1), 1);
	assert_int_equal(gi_take(f->v, 0), 8193);
	gi_devcmd(&f->g, 0x01, 1, 1, 5); /* MOVI to the disabled vCPU */
	assert_int_equal(gi_msi(&f->g, 1, 1), -EBUSY);
	assert_false(vgic_vcpu_irq_pending(f->v, 2));
	th_write32(f->v, 2, gi_rd(2) + GICR_CTLR_OFF, 1);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	assert_int_equal(gi_msi(&f->g, 1, 1), 1);
	assert_int_equal(gi_take(f->v, 0), SPURIOUS);
	assert_int_equal(gi_take(f->v, 2), 8192);
	assert_int_equal(gi_take(f->v, 2), 8193);
	/* Disabling again, and remapping the collection meanwhile. */
	th_write32(f->v, 2, gi_rd(2) + GICR_CTLR_OFF, 0);
	assert_int_equal(gi_msi(&f->g, 1, 0), -EBUSY);
	gi_mapc(&f->g, 5, 3, true);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	assert_int_equal(gi_take(f->v, 3), 8192);
	gi_mapc(&f->g, 5, 2, true);
	assert_int_equal(gi_msi(&f->g, 1, 0), -EBUSY);
}

static void test_discard_clear_int(void **state)
{
	struct fx *f = *state;
	uint64_t *ite = th_ram(f->h, gi_itt(&f->g, 1) + 2 * 8);

	map_basic(f, 1, 0, 0);
	gi_mapti(&f->g, 1, 2, 8195, 0);
	/* INT: like an MSI. */
	gi_devcmd(&f->g, 0x03, 1, 2, 0);
	assert_true(vgic_vcpu_irq_pending(f->v, 0));
	/* CLEAR: no longer pending. */
	gi_devcmd(&f->g, 0x04, 1, 2, 0);
	assert_false(vgic_vcpu_irq_pending(f->v, 0));
	assert_int_equal(gi_take(f->v, 0), SPURIOUS);
	/* DISCARD zeroes the ITE in RAM and drops the LPI (and its pending
	 * state). */
	*ite = 0x1234;
	assert_int_equal(gi_msi(&f->g, 1, 2), 1);
	gi_devcmd(&f->g, 0x0f, 1, 2, 0);
	assert_int_equal(*ite, 0);
	assert_int_equal(gi_msi(&f->g, 1, 2), 0);
	assert_false(vgic_vcpu_irq_pending(f->v, 0));
	assert_int_equal(gi_take(f->v, 0), SPURIOUS);
	/* INT / CLEAR / DISCARD / INV of an unmapped interrupt: dropped. */
	gi_devcmd(&f->g, 0x03, 1, 2, 0);
	gi_devcmd(&f->g, 0x04, 1, 2, 0);
	gi_devcmd(&f->g, 0x0f, 1, 2, 0);
	gi_devcmd(&f->g, 0x0c, 1, 2, 0);
	assert_int_equal(gi_take(f->v, 0), SPURIOUS);
	assert_int_equal(creadr(f), f->g.cwriter);
}

static void test_inv_invall(void **state)
{
	struct fx *f = *state;

	map_basic(f, 1, 0, 0);
	gi_mapti(&f->g, 1, 0, 8192, 0);
	gi_mapti(&f->g, 1, 1, 8193, 0);
	/* The configuration is cached: disabling in RAM changes nothing
	 * until INV. */
	gi_set_cfg(f->h, 8192, 0xa0, false);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	assert_true(vgic_vcpu_irq_pending(f->v, 0));
	gi_devcmd(&f->g, 0x0c, 1, 0, 0);
	assert_false(vgic_vcpu_irq_pending(f->v, 0));
	/* Latched while disabled, delivered once enabled (INV). */
	gi_set_cfg(f->h, 8192, 0x40, true);
	gi_devcmd(&f->g, 0x0c, 1, 0, 0);
	assert_true(vgic_vcpu_irq_pending(f->v, 0));
	/* INVALL reloads priorities: 8193 becomes more urgent. */
	assert_int_equal(gi_msi(&f->g, 1, 1), 1);
	gi_set_cfg(f->h, 8193, 0x10, true);
	assert_int_equal(gi_ack(f->v, 0), 8192);
	gi_eoi(f->v, 0, 8192);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	gi_invall(&f->g, 0);
	assert_int_equal(gi_take(f->v, 0), 8193);
	assert_int_equal(gi_take(f->v, 0), 8192);
	/* INVALL on an unmapped collection: dropped. */
	gi_invall(&f->g, 9);
	/* GICR_INVLPIR / INVALLR go through the same reload. */
	gi_set_cfg(f->h, 8192, 0x40, false);
	th_write64(f->v, 0, gi_rd(0) + GICR_INVLPIR_OFF, 8192);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	assert_int_equal(gi_take(f->v, 0), SPURIOUS);
	gi_set_cfg(f->h, 8192, 0x40, true);
	th_write64(f->v, 0, gi_rd(0) + GICR_INVALLR_OFF, 0);
	assert_int_equal(gi_take(f->v, 0), 8192);
}

static void test_movall(void **state)
{
	struct fx *f = *state;

	gi_mapd(&f->g, 1, gi_itt(&f->g, 1), 5, true);
	gi_mapc(&f->g, 0, 0, true);
	gi_mapc(&f->g, 2, 2, true);
	gi_mapti(&f->g, 1, 0, 8192, 0);
	gi_mapti(&f->g, 1, 1, 8193, 2);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	assert_int_equal(gi_msi(&f->g, 1, 1), 1);
	/* Out-of-range RDbase: dropped. */
	gi_movall(&f->g, 0, NR_VCPUS);
	/* DEVIATION: only the LPIs on RD0 move (KVM moves every LPI). */
	gi_movall(&f->g, 0, 1);
	assert_int_equal(gi_take(f->v, 0), SPURIOUS);
	assert_int_equal(gi_take(f->v, 1), 8192);
	assert_int_equal(gi_take(f->v, 2), 8193);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	assert_int_equal(gi_take(f->v, 1), 8192);
	gi_movall(&f->g, 1, 1);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	assert_int_equal(gi_take(f->v, 1), 8192);
}

static void test_baser_invalid_frees(void **state)
{
	struct fx *f = *state;
	uint64_t baser0;

	map_basic(f, 1, 0, 0);
	gi_mapti(&f->g, 1, 0, 8192, 0);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	assert_int_equal(gi_take(f->v, 0), 8192);
	th_write32(f->v, 0, f->g.base + GITS_CTLR_OFF, 0);
	baser0 = th_read64(f->v, 0, f->g.base + GITS_BASER0_OFF);
	th_write64(f->v, 0, f->g.base + GITS_BASER0_OFF, baser0 & ~(1ull << 63));
	th_write64(f->v, 0, f->g.base + GITS_BASER0_OFF, baser0);
	th_write32(f->v, 0, f->g.base + GITS_CTLR_OFF, 1);
	assert_int_equal(gi_msi(&f->g, 1, 0), 0);
	/* Collections survived: a new device maps straight away. */
	gi_mapd(&f->g, 1, gi_itt(&f->g, 1), 5, true);
	gi_mapti(&f->g, 1, 0, 8192, 0);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
}

static void test_commands_queued_while_disabled(void **state)
{
	struct fx *f = *state;

	th_write32(f->v, 0, f->g.base + GITS_CTLR_OFF, 0);
	map_basic(f, 1, 0, 0);
	gi_mapti(&f->g, 1, 0, 8192, 0);
	assert_int_equal(creadr(f), 0);
	th_write32(f->v, 0, f->g.base + GITS_CTLR_OFF, 1);
	assert_int_equal(creadr(f), f->g.cwriter);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
}

static int uset(struct fx *f, uint64_t off, uint64_t val)
{
	return th_set_attr(f->its[0], VGIC_GRP_ITS_REGS, off, &val);
}

/* Userspace (restore) order of abi.md §1.5: with the ITS disabled,
 * CWRITER written through ITS_REGS runs nothing; GITS_CTLR written last
 * runs the leftover commands. */
static void test_restore_order_replays_queue(void **state)
{
	struct fx *f = *state;
	uint64_t *q;

	map_basic(f, 1, 0, 0);
	gi_set_cfg(f->h, 8193, 0xa0, true);
	assert_int_equal(uset(f, GITS_CTLR_OFF, 0), 0);
	q = th_ram(f->h, f->g.area + GI_CMDQ + f->g.cwriter);
	q[0] = 0x0a | 1ull << 32; /* MAPTI dev 1 ev 1 -> 8193, ICID 0 */
	q[1] = 8193ull << 32 | 1;
	q[2] = 0;
	q[3] = 0;
	q[4] = 0x03 | 1ull << 32; /* INT dev 1 ev 1 */
	q[5] = 1;
	q[6] = 0;
	q[7] = 0;
	assert_int_equal(uset(f, GITS_CWRITER_OFF, f->g.cwriter + 64), 0);
	assert_int_equal(creadr(f), f->g.cwriter);
	assert_int_equal(gi_take(f->v, 0), SPURIOUS);
	assert_int_equal(uset(f, GITS_CREADR_OFF, f->g.cwriter), 0);
	assert_int_equal(uset(f, GITS_CTLR_OFF, 1), 0);
	f->g.cwriter += 64;
	assert_int_equal(creadr(f), f->g.cwriter);
	assert_int_equal(gi_take(f->v, 0), 8193);
	assert_int_equal(gi_msi(&f->g, 1, 1), 1);
}

static void test_translater_store(void **state)
{
	struct fx *f = *state;

	map_basic(f, 0, 0, 1);
	gi_mapti(&f->g, 0, 9, 8197, 0);
	/* DEVIATION: a CPU store to GITS_TRANSLATER is an MSI from
	 * DeviceID 0 (KVM drops it). */
	th_write32(f->v, 0, f->g.base + GITS_TRANSLATER_OFF, 9);
	assert_int_equal(gi_take(f->v, 1), 8197);
}

static void test_two_level(void **state)
{
	struct fx *f = *state;
	uint64_t *l1 = th_ram(f->h, f->g.area + GI_DT);

	gi_mapc(&f->g, 0, 0, true);
	/* L1 entry 1 (DeviceIDs 8192..16383) invalid: dropped. */
	gi_mapd(&f->g, 8192 + 5, gi_itt(&f->g, 5), 5, true);
	gi_mapti(&f->g, 8192 + 5, 0, 8192, 0);
	assert_int_equal(gi_msi(&f->g, 8192 + 5, 0), 0);
	l1[1] = (1ull << 63) | (f->g.area + GI_L2);
	gi_mapd(&f->g, 8192 + 5, gi_itt(&f->g, 5), 5, true);
	gi_mapti(&f->g, 8192 + 5, 0, 8192, 0);
	assert_int_equal(gi_msi(&f->g, 8192 + 5, 0), 1);
	/* MAPD V=0 zeroes the DTE in the L2 page. */
	*(uint64_t *)th_ram(f->h, f->g.area + GI_L2 + 5 * 8) = 77;
	gi_mapd(&f->g, 8192 + 5, 0, 1, false);
	assert_int_equal(*(uint64_t *)th_ram(f->h, f->g.area + GI_L2 + 5 * 8),
			 0);
	/* Beyond the L1 table (64 KB / 8 entries x 8192 > 65535): DeviceIDs
	 * >= 65536 are out of range anyway. */
	gi_mapd(&f->g, 65536, gi_itt(&f->g, 5), 5, true);
	assert_int_equal(gi_msi(&f->g, 65536, 0), 0);
}

static int setup_indirect(void **state)
{
	*state = fx_new(1, true);
	return 0;
}

static void test_two_its_share_lpis(void **state)
{
	struct fx *f = *state;

	/* The same DeviceID on both ITSes maps the same LPI: refcounted. */
	map_basic(f, 1, 0, 0);
	gi_mapc(&f->g2, 0, 1, true);
	gi_mapd(&f->g2, 1, gi_itt(&f->g2, 1), 5, true);
	gi_mapti(&f->g, 1, 0, 8192, 0);
	gi_mapti(&f->g2, 1, 0, 8192, 0);
	gi_mapti(&f->g2, 1, 1, 8193, 0);
	assert_int_equal(gi_msi(&f->g2, 1, 1), 1);
	assert_int_equal(gi_take(f->v, 1), 8193);
	assert_int_equal(gi_msi(&f->g2, 1, 0), 1);
	assert_int_equal(gi_take(f->v, 0), 8192); /* the LPI's target */
	/* Discarding on one ITS keeps the LPI alive for the other. */
	gi_devcmd(&f->g, 0x0f, 1, 0, 0);
	assert_int_equal(gi_msi(&f->g, 1, 0), 0);
	assert_int_equal(gi_msi(&f->g2, 1, 0), 1);
	assert_int_equal(gi_take(f->v, 0), 8192);
	/* Disabling one ITS does not affect the other. */
	th_write32(f->v, 0, f->g.base + GITS_CTLR_OFF, 0);
	assert_int_equal(gi_msi(&f->g, 1, 0), -EBUSY);
	assert_int_equal(gi_msi(&f->g2, 1, 1), 1);
}

static void test_pending_tables(void **state)
{
	struct fx *f = *state;
	uint8_t *pend1 = th_ram(f->h, TH_RAM_BASE + GI_PEND + 0x10000);

	/* LPI creation consumes the pending bit of the target's table. */
	pend1[8194 / 8] |= 1u << (8194 % 8);
	map_basic(f, 1, 1, 1);
	gi_mapti(&f->g, 1, 0, 8194, 1);
	assert_int_equal(pend1[8194 / 8] & (1u << (8194 % 8)), 0);
	assert_int_equal(gi_take(f->v, 1), 8194);
	/* EnableLPIs 1->0 drops pending LPIs; 0->1 reloads from the table
	 * (which is not cleared). */
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	th_write32(f->v, 1, gi_rd(1) + GICR_CTLR_OFF, 0);
	assert_false(vgic_vcpu_irq_pending(f->v, 1));
	pend1[8194 / 8] |= 1u << (8194 % 8);
	th_write32(f->v, 1, gi_rd(1) + GICR_CTLR_OFF, 1);
	assert_true(vgic_vcpu_irq_pending(f->v, 1));
	assert_int_equal(pend1[8194 / 8] & (1u << (8194 % 8)), 1u << 2);
	assert_int_equal(gi_take(f->v, 1), 8194);
}

static void test_reset_attr(void **state)
{
	struct fx *f = *state;

	map_basic(f, 1, 0, 0);
	gi_mapti(&f->g, 1, 0, 8192, 0);
	assert_int_equal(th_set_attr(f->its[0], VGIC_GRP_CTRL,
				     VGIC_CTRL_ITS_RESET, NULL), 0);
	assert_int_equal(gi_msi(&f->g, 1, 0), -EBUSY);
	gi_its_init(&f->g, f->v, f->h, 0, false);
	assert_int_equal(gi_msi(&f->g, 1, 0), 0);
	map_basic(f, 1, 0, 0);
	gi_mapti(&f->g, 1, 0, 8192, 0);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_deliver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msi_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mapd_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mapc_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_unmapped_collection_keeps_icid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mapti_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mapti_config_fault, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cmd_read_fault, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_movi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lpis_disabled_target,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_discard_clear_int, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_inv_invall, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_movall, setup, teardown),
		cmocka_unit_test_setup_teardown(test_baser_invalid_frees, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_commands_queued_while_disabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_translater_store, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_restore_order_replays_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_level, setup_indirect,
						teardown),
		cmocka_unit_test_setup_teardown(test_two_its_share_lpis, setup2,
						teardown),
		cmocka_unit_test_setup_teardown(test_pending_tables, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reset_attr, setup,
						teardown),
	};
	if (!gi_have_gicv3()) {
		printf("skipped: the GICv3 front end is not built yet\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

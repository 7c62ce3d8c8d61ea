/*
 * LPIs in the redistributors and CPU interface: priority against SPIs,
 * preemption and running priority, PMR, the pending-table sync rules
 * (PTZ, other vCPUs' LPIs), GICR_INVLPIR's INTID range (abi.md §7.12) and
 * configuration caching.
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

#define NR_VCPUS 2
#define SPURIOUS 1023u

struct fx {
	struct th_host *h;
	struct vgic *v;
	struct gi_its g;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->h = th_host_new(8u << 20);
	f->v = th_vm_v3(f->h, NR_VCPUS, NULL, 0, 1, NULL, NULL);
	gi_cpu_init(f->v, f->h, NR_VCPUS, true);
	gi_its_init(&f->g, f->v, f->h, 0, false);
	gi_mapc(&f->g, 0, 0, true);
	gi_mapc(&f->g, 1, 1, true);
	gi_mapd(&f->g, 1, gi_itt(&f->g, 1), 5, true);
	*state = f;
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

/* LPI 8192 + @ev with priority @prio on vCPU @cpu (EventID @ev). */
static void lpi(struct fx *f, uint32_t ev, uint8_t prio, uint32_t cpu)
{
	gi_set_cfg(f->h, 8192 + ev, prio, true);
	gi_mapti(&f->g, 1, ev, 8192 + ev, cpu);
}

static void test_lpi_vs_spi_priority(void **state)
{
	struct fx *f = *state;
	uint32_t spi = 40;

	/* SPI 40: group 1, priority 0x80, enabled, routed to vCPU 0. */
	th_write32(f->v, 0, TH_GICD_BASE + 0x80 + 4, 1u << (spi - 32));
	th_write32(f->v, 0, TH_GICD_BASE + 0x400 + spi, 0x80);
	th_write64(f->v, 0, TH_GICD_BASE + 0x6000 + spi * 8, 0);
	th_write32(f->v, 0, TH_GICD_BASE + 0x100 + 4, 1u << (spi - 32));
	lpi(f, 0, 0x40, 0);
	lpi(f, 1, 0xc0, 0);
	assert_int_equal(vgic_irq_line(f->v, 0, spi, true), 0);
	assert_int_equal(gi_msi(&f->g, 1, 1), 1);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	/* Highest priority first, whatever the kind. */
	assert_int_equal(gi_take(f->v, 0), 8192);
	assert_int_equal(gi_ack(f->v, 0), spi);
	gi_eoi(f->v, 0, spi);
	assert_int_equal(vgic_irq_line(f->v, 0, spi, false), 0);
	assert_int_equal(gi_take(f->v, 0), 8193);
	assert_int_equal(gi_take(f->v, 0), SPURIOUS);
}

static void test_preemption_and_pmr(void **state)
{
	struct fx *f = *state;

	lpi(f, 0, 0xa0, 0);
	lpi(f, 1, 0x20, 0);
	lpi(f, 2, 0xc0, 0);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	assert_int_equal(gi_ack(f->v, 0), 8192); /* running priority 0xa0 */
	/* Lower priority waits; higher preempts. */
	assert_int_equal(gi_msi(&f->g, 1, 2), 1);
	assert_false(vgic_vcpu_irq_pending(f->v, 0));
	assert_int_equal(gi_ack(f->v, 0), SPURIOUS);
	assert_int_equal(gi_msi(&f->g, 1, 1), 1);
	assert_true(vgic_vcpu_irq_pending(f->v, 0));
	assert_int_equal(gi_take(f->v, 0), 8193);
	gi_eoi(f->v, 0, 8192);
	assert_true(vgic_vcpu_irq_pending(f->v, 0));
	/* PMR masks it: 0xc0 is not below a PMR of 0xc0. */
	th_sysreg_write(f->v, 0, VGIC_ICC_PMR_EL1, 0xc0);
	assert_false(vgic_vcpu_irq_pending(f->v, 0));
	assert_int_equal(gi_ack(f->v, 0), SPURIOUS);
	th_sysreg_write(f->v, 0, VGIC_ICC_PMR_EL1, 0xc8);
	assert_true(vgic_vcpu_irq_pending(f->v, 0));
	assert_int_equal(gi_take(f->v, 0), 8194);
	/* The HPPI register sees LPIs too. */
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	assert_int_equal(th_sysreg_read(f->v, 0, VGIC_ICC_HPPIR1_EL1), 8192);
}

static void test_lpi_routing_is_per_vcpu(void **state)
{
	struct fx *f = *state;

	lpi(f, 0, 0xa0, 1);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	assert_false(vgic_vcpu_irq_pending(f->v, 0));
	assert_true(vgic_vcpu_irq_pending(f->v, 1));
	assert_int_equal(gi_ack(f->v, 0), SPURIOUS);
	assert_int_equal(gi_take(f->v, 1), 8192);
	/* IGRPEN1 = 0 on the target: not signalled. */
	th_sysreg_write(f->v, 1, VGIC_ICC_IGRPEN1_EL1, 0);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	assert_false(vgic_vcpu_irq_pending(f->v, 1));
	th_sysreg_write(f->v, 1, VGIC_ICC_IGRPEN1_EL1, 1);
	assert_true(vgic_vcpu_irq_pending(f->v, 1));
}

static void test_invlpir_range(void **state)
{
	struct fx *f = *state;
	uint64_t reads;

	lpi(f, 0, 0xa0, 0);
	/* INTIDs below 8192 (and unmapped LPIs) are ignored: no guest read
	 * at PROPBASER + (INTID - 8192) (§7.12). */
	reads = atomic_load(&f->h->nr_reads);
	th_write64(f->v, 0, gi_rd(0) + GICR_INVLPIR_OFF, 40);
	th_write64(f->v, 0, gi_rd(0) + GICR_INVLPIR_OFF, 0);
	th_write64(f->v, 0, gi_rd(0) + GICR_INVLPIR_OFF, 8191);
	th_write64(f->v, 0, gi_rd(0) + GICR_INVLPIR_OFF, 9000);
	th_write64(f->v, 0, gi_rd(0) + GICR_INVLPIR_OFF, 0xffffffff);
	assert_int_equal(atomic_load(&f->h->nr_reads), reads);
	/* A mapped LPI is reread. */
	th_write64(f->v, 0, gi_rd(0) + GICR_INVLPIR_OFF, 8192);
	assert_int_equal(atomic_load(&f->h->nr_reads), reads + 1);
}

static void test_enable_lpis_sync(void **state)
{
	struct fx *f = *state;
	uint8_t *pend0 = th_ram(f->h, TH_RAM_BASE + GI_PEND);
	uint8_t *pend1 = th_ram(f->h, TH_RAM_BASE + GI_PEND + 0x10000);

	lpi(f, 0, 0xa0, 0);
	lpi(f, 1, 0xa0, 1);
	th_write32(f->v, 0, gi_rd(0) + GICR_CTLR_OFF, 0);
	th_write32(f->v, 1, gi_rd(1) + GICR_CTLR_OFF, 0);
	/* Bits for both LPIs in both tables: each vCPU only takes its own. */
	pend0[1024] = 0x3;
	pend1[1024] = 0x3;
	th_write32(f->v, 0, gi_rd(0) + GICR_CTLR_OFF, 1);
	assert_int_equal(gi_take(f->v, 0), 8192);
	assert_int_equal(gi_take(f->v, 0), SPURIOUS);
	assert_false(vgic_vcpu_irq_pending(f->v, 1));
	/* PTZ: the table is taken as zero. */
	th_write64(f->v, 1, gi_rd(1) + GICR_PENDBASER_OFF,
		   (TH_RAM_BASE + GI_PEND + 0x10000) | 0x380 | 1ull << 62);
	th_write32(f->v, 1, gi_rd(1) + GICR_CTLR_OFF, 1);
	assert_false(vgic_vcpu_irq_pending(f->v, 1));
	assert_int_equal(gi_take(f->v, 1), SPURIOUS);
	/* The tables are not cleared by this sync. */
	assert_int_equal(pend0[1024], 0x3);
	assert_int_equal(pend1[1024], 0x3);
}

static void test_enable_lpis_fault(void **state)
{
	struct fx *f = *state;

	lpi(f, 0, 0xa0, 1);
	th_write32(f->v, 1, gi_rd(1) + GICR_CTLR_OFF, 0);
	/* A pending table outside RAM: nothing becomes pending, no crash. */
	th_write64(f->v, 1, gi_rd(1) + GICR_PENDBASER_OFF, 0x7770000ull);
	th_write32(f->v, 1, gi_rd(1) + GICR_CTLR_OFF, 1);
	assert_false(vgic_vcpu_irq_pending(f->v, 1));
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	assert_int_equal(gi_take(f->v, 1), 8192);
}

static void test_disabled_lpi_latched(void **state)
{
	struct fx *f = *state;

	gi_set_cfg(f->h, 8192, 0xa0, false);
	gi_mapti(&f->g, 1, 0, 8192, 0);
	assert_int_equal(gi_msi(&f->g, 1, 0), 1);
	assert_false(vgic_vcpu_irq_pending(f->v, 0));
	assert_int_equal(gi_ack(f->v, 0), SPURIOUS);
	gi_set_cfg(f->h, 8192, 0xa0, true);
	assert_false(vgic_vcpu_irq_pending(f->v, 0)); /* cached */
	th_write64(f->v, 0, gi_rd(0) + GICR_INVLPIR_OFF, 8192);
	assert_int_equal(gi_take(f->v, 0), 8192);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lpi_vs_spi_priority, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_preemption_and_pmr, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lpi_routing_is_per_vcpu,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_invlpir_range, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_enable_lpis_sync, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_enable_lpis_fault, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_disabled_lpi_latched,
						setup, teardown),
	};

	if (!gi_have_gicv3()) {
		printf("skipped: the GICv3 front end is not built yet\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

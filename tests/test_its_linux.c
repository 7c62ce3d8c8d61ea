/*
 * A guest that brings up LPIs and the ITS the way the Linux GICv3 ITS
 * driver does (facts from drivers/irqchip/irq-gic-v3-its.c, no code):
 *  - LPI configuration table sized by the LPI ID bits, one pending table
 *    per CPU, GICR_PROPBASER/PENDBASER then GICR_CTLR.EnableLPIs;
 *  - ITS probe: read GITS_TYPER, disable the ITS, size every GITS_BASERn
 *    from its Type and entry size (device table two-level when the flat
 *    table would exceed a page budget), read each back, then CBASER with a
 *    64 KB queue, CWRITER = 0, enable;
 *  - MAPC per CPU + SYNC; per device MAPD with an ITT sized from the
 *    vector count, and on L1 miss allocate the L2 page; MAPTI per vector
 *    to the target CPU's collection, configuration byte written, then INV
 *    + SYNC (unmask); set_affinity = MOVI + SYNC.
 * Devices then raise MSIs and the right vCPU receives each LPI through
 * ICC_IAR1_EL1.
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

#define NR_CPUS 4
#define RAM_SIZE (16u << 20)
#define SPURIOUS 1023u

/* A bump allocator over guest RAM ("the guest kernel's page allocator"). */
struct galloc {
	uint64_t next;
};

static uint64_t galloc(struct galloc *a, uint64_t size, uint64_t align)
{
	uint64_t p = (a->next + align - 1) & ~(align - 1);

	a->next = p + size;
	assert_true(a->next <= TH_RAM_BASE + RAM_SIZE);
	return p;
}

struct guest {
	struct th_host *h;
	struct vgic *v;
	struct galloc mem;
	uint64_t its, cmdq, l1;
	uint32_t cwriter, devbits, idbits, ite_size;
	bool indirect;
	uint32_t next_lpi;
};

static void its_cmd(struct guest *g, uint64_t w0, uint64_t w1, uint64_t w2,
		    uint64_t w3)
{
	uint64_t *q = th_ram(g->h, g->cmdq + g->cwriter);

	q[0] = w0;
	q[1] = w1;
	q[2] = w2;
	q[3] = w3;
	g->cwriter = (g->cwriter + 32) % 0x10000;
	th_write64(g->v, 0, g->its + GITS_CWRITER_OFF, g->cwriter);
	/* Linux waits for CREADR to catch up. */
	assert_int_equal(th_read64(g->v, 0, g->its + GITS_CREADR_OFF),
			 g->cwriter);
}

static void its_sync(struct guest *g, uint32_t cpu)
{
	its_cmd(g, 0x05, 0, (uint64_t)cpu << 16, 0);
}

static void lpi_init(struct guest *g)
{
	uint32_t lpi_bits = 16; /* min(GICD_TYPER.IDbits + 1, 16) */
	uint64_t prop = galloc(&g->mem, 1u << lpi_bits, 0x10000);

	/* Priority 0xa0 | group 1 bit, disabled until unmasked. */
	memset(th_ram(g->h, prop), 0xa0 | 2, 1u << lpi_bits);
	th_write32(g->v, 0, TH_GICD_BASE, 1u << 1 | 1u << 4);
	for (uint32_t c = 0; c < NR_CPUS; c++) {
		uint64_t pend = galloc(&g->mem, 0x10000, 0x10000);

		th_write64(g->v, c, gi_rd(c) + GICR_PROPBASER_OFF,
			   prop | 1ull << 10 | 7ull << 7 | (lpi_bits - 1));
		th_write64(g->v, c, gi_rd(c) + GICR_PENDBASER_OFF,
			   pend | 1ull << 62 /* PTZ */ | 1ull << 10 |
				   7ull << 7);
		th_write32(g->v, c, gi_rd(c) + GICR_CTLR_OFF, 1);
		assert_int_equal(th_read32(g->v, c, gi_rd(c) + GICR_CTLR_OFF) &
					 1,
				 1);
		th_sysreg_write(g->v, c, VGIC_ICC_PMR_EL1, 0xf0);
		th_sysreg_write(g->v, c, VGIC_ICC_IGRPEN1_EL1, 1);
	}
}

static void its_probe(struct guest *g)
{
	uint64_t typer = th_read64(g->v, 0, g->its + 0x8);
	uint64_t cbaser;

	g->ite_size = ((typer >> 4) & 0xf) + 1;
	g->idbits = ((typer >> 8) & 0x1f) + 1;
	g->devbits = ((typer >> 13) & 0x1f) + 1;
	assert_int_equal(g->ite_size, 8);
	assert_int_equal(g->devbits, 16);
	assert_int_equal(g->idbits, 16);
	assert_int_equal(typer & 1, 1); /* Physical LPIs */

	th_write32(g->v, 0, g->its + GITS_CTLR_OFF, 0);
	for (uint32_t n = 0; n < 8; n++) {
		uint64_t off = 0x100 + n * 8;
		uint64_t val = th_read64(g->v, 0, g->its + off);
		uint32_t type = (val >> 56) & 7, esz = ((val >> 48) & 0x1f) + 1;
		uint64_t want, got, bytes, base;

		if (!type)
			continue;
		assert_int_equal(esz, 8);
		if (type == 1) {
			/* 2^16 devices x 8 bytes = 512 KB flat: Linux goes
			 * two-level when the ITS supports it. */
			bytes = 0x10000;
			base = galloc(&g->mem, bytes, 0x10000);
			want = 1ull << 63 | 1ull << 62 | base | 7ull << 59 |
			       1ull << 10 | 2ull << 8 | (bytes / 0x10000 - 1);
		} else {
			bytes = 0x10000;
			base = galloc(&g->mem, bytes, 0x10000);
			want = 1ull << 63 | base | 7ull << 59 | 1ull << 10 |
			       2ull << 8 | (bytes / 0x10000 - 1);
		}
		th_write64(g->v, 0, g->its + off, want | (uint64_t)type << 56 |
						       7ull << 48);
		got = th_read64(g->v, 0, g->its + off);
		/* Page size and shareability accepted as written. */
		assert_int_equal((got >> 8) & 3, 2);
		assert_int_equal((got >> 10) & 3, 1);
		assert_true(got >> 63);
		if (type == 1) {
			g->indirect = (got >> 62) & 1;
			g->l1 = base;
			assert_true(g->indirect);
		} else {
			assert_int_equal(type, 4);
			assert_int_equal((got >> 62) & 1, 0);
		}
	}
	g->cmdq = galloc(&g->mem, 0x10000, 0x10000);
	th_write64(g->v, 0, g->its + GITS_CBASER_OFF,
		   1ull << 63 | g->cmdq | 7ull << 59 | 1ull << 10 | 15);
	cbaser = th_read64(g->v, 0, g->its + GITS_CBASER_OFF);
	assert_int_equal(cbaser & 0xff, 15);
	assert_int_equal((cbaser >> 10) & 3, 1);
	th_write64(g->v, 0, g->its + GITS_CWRITER_OFF, 0);
	g->cwriter = 0;
	th_write32(g->v, 0, g->its + GITS_CTLR_OFF, 1);
	assert_int_equal(th_read32(g->v, 0, g->its + GITS_CTLR_OFF) & 1, 1);
	/* Collections: one per CPU, RDbase = processor number (PTA = 0). */
	for (uint32_t c = 0; c < NR_CPUS; c++) {
		its_cmd(g, 0x09, 0, 1ull << 63 | (uint64_t)c << 16 | c, 0);
		its_sync(g, c);
	}
}

struct gdev {
	uint32_t id, nvecs, lpi_base;
};

/* its_msi_prepare + activate + unmask, vectors spread over the CPUs. */
static void dev_setup(struct guest *g, struct gdev *d)
{
	uint32_t bits = 1;
	uint64_t itt, *l1e;

	while ((1u << bits) < d->nvecs)
		bits++;
	/* Two-level device table: allocate the L2 page on a miss. */
	l1e = th_ram(g->h, g->l1 + (d->id / 8192) * 8);
	if (!(*l1e >> 63))
		*l1e = 1ull << 63 | galloc(&g->mem, 0x10000, 0x10000);
	itt = galloc(&g->mem, (1u << bits) * g->ite_size, 256);
	its_cmd(g, 0x08 | (uint64_t)d->id << 32, bits - 1, 1ull << 63 | itt, 0);
	d->lpi_base = g->next_lpi;
	g->next_lpi += (d->nvecs + 31) & ~31u; /* LPIs in chunks of 32 */
	for (uint32_t e = 0; e < d->nvecs; e++) {
		uint32_t lpi = d->lpi_base + e, cpu = e % NR_CPUS;
		uint8_t *cfg;

		its_cmd(g, 0x0a | (uint64_t)d->id << 32,
			(uint64_t)lpi << 32 | e, cpu, 0);
		its_sync(g, cpu);
		/* Unmask: set the enable bit, INV, SYNC. */
		cfg = th_ram(g->h, (th_read64(g->v, 0, gi_rd(0) +
						       GICR_PROPBASER_OFF) &
				    0xffffffffff000ull) +
					   lpi - 8192);
		*cfg |= 1;
		its_cmd(g, 0x0c | (uint64_t)d->id << 32, e, 0, 0);
		its_sync(g, cpu);
	}
}

static void test_linux_bringup(void **state)
{
	struct guest g = { 0 };
	struct gdev devs[] = {
		{ .id = 0x0008, .nvecs = 3 },   /* e.g. virtio-net */
		{ .id = 0x0010, .nvecs = 32 },  /* NVMe queues */
		{ .id = 0x2100, .nvecs = 1 },   /* another L2 page */
		{ .id = 0xfff8, .nvecs = 200 }, /* last L1 entry, big ITT */
	};

	(void)state;
	g.h = th_host_new(RAM_SIZE);
	g.v = th_vm_v3(g.h, NR_CPUS, NULL, 0, 1, NULL, NULL);
	g.its = TH_ITS_BASE;
	g.mem.next = TH_RAM_BASE;
	g.next_lpi = 8192;
	lpi_init(&g);
	its_probe(&g);
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		dev_setup(&g, &devs[i]);

	/* Every vector of every device arrives on its CPU. */
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		for (uint32_t e = 0; e < devs[i].nvecs; e++) {
			uint32_t cpu = e % NR_CPUS;

			assert_int_equal(vgic_signal_msi(g.v, g.its + 0x10040,
							 devs[i].id, e),
					 1);
			for (uint32_t c = 0; c < NR_CPUS; c++)
				assert_int_equal(vgic_vcpu_irq_pending(g.v, c),
						 c == cpu);
			assert_int_equal(gi_ack(g.v, cpu),
					 devs[i].lpi_base + e);
			gi_eoi(g.v, cpu, devs[i].lpi_base + e);
			assert_false(vgic_vcpu_irq_pending(g.v, cpu));
		}
	}
	/* A burst on one CPU is taken in priority then INTID order. */
	for (uint32_t e = 0; e < 32; e += NR_CPUS)
		assert_int_equal(vgic_signal_msi(g.v, g.its + 0x10040,
						 devs[1].id, 28 - e),
				 1);
	for (uint32_t e = 0; e < 32; e += NR_CPUS)
		assert_int_equal(gi_take(g.v, 0), devs[1].lpi_base + e);
	assert_int_equal(gi_take(g.v, 0), SPURIOUS);

	/* irq_set_affinity: MOVI to CPU 3's collection + SYNC. */
	its_cmd(&g, 0x01 | (uint64_t)devs[0].id << 32, 0, 3, 0);
	its_sync(&g, 3);
	assert_int_equal(vgic_signal_msi(g.v, g.its + 0x10040, devs[0].id, 0),
			 1);
	assert_int_equal(gi_take(g.v, 0), SPURIOUS);
	assert_int_equal(gi_take(g.v, 3), devs[0].lpi_base);

	/* Device teardown: DISCARD each vector, MAPD V=0. */
	for (uint32_t e = 0; e < devs[2].nvecs; e++)
		its_cmd(&g, 0x0f | (uint64_t)devs[2].id << 32, e, 0, 0);
	its_cmd(&g, 0x08 | (uint64_t)devs[2].id << 32, 0, 0, 0);
	its_sync(&g, 0);
	assert_int_equal(vgic_signal_msi(g.v, g.its + 0x10040, devs[2].id, 0),
			 0);

	vgic_destroy(g.v);
	th_host_free(g.h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linux_bringup),
	};
	if (!gi_have_gicv3()) {
		printf("skipped: the GICv3 front end is not built yet\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

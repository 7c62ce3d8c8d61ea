/*
 * Hostile guest: 100k random ITS commands (valid opcodes with random and
 * out-of-range fields, random opcodes, random words), random guest table
 * contents (device table / L1 entries, ITTs, LPI configuration and pending
 * tables), random BASER/CBASER reprogramming and random frame accesses,
 * interleaved with MSIs.  Nothing may crash (ASan/UBSan run this too), the
 * queue must always drain, every MSI must return 1, 0 or -EBUSY, and the
 * library's memory (counted by the allocator hook) must stay bounded.
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
#define RAM_SIZE (4u << 20)
#define NR_CMDS 100000u
#define MEM_BOUND (256ull << 20)

struct counter {
	uint64_t live, peak;
};

static void *c_alloc(void *o, size_t size)
{
	struct counter *c = o;
	uint64_t *p = malloc(size + 16);

	if (!p)
		return NULL;
	p[0] = size;
	c->live += size;
	if (c->live > c->peak)
		c->peak = c->live;
	return p + 2;
}

static void *c_zalloc(void *o, size_t n, size_t size)
{
	void *p = c_alloc(o, n * size);

	if (p)
		memset(p, 0, n * size);
	return p;
}

static void c_free(void *o, void *ptr)
{
	struct counter *c = o;
	uint64_t *p = ptr;

	if (!p)
		return;
	c->live -= p[-2];
	free(p - 2);
}

static uint64_t pick_id(uint64_t *s, uint32_t small)
{
	switch (th_rand(s) % 5) {
	case 0:
	case 1:
	case 2:
		return th_rand(s) % small;
	case 3:
		return th_rand(s) % 65536;
	default:
		return (uint32_t)th_rand(s);
	}
}

/* One random command: a valid opcode most of the time, fields biased to
 * small IDs and plausible addresses, else anything. */
static void random_cmd(struct gi_its *g, uint64_t *s)
{
	static const uint8_t ops[] = { 0x01, 0x03, 0x04, 0x05, 0x08, 0x09,
				       0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };
	uint64_t w[4] = { th_rand(s), th_rand(s), th_rand(s), th_rand(s) };

	if (th_rand(s) % 10 < 8) {
		w[0] = ops[th_rand(s) % sizeof(ops)] |
		       pick_id(s, 16) << 32;
		w[1] = pick_id(s, 32) |
		       (th_rand(s) % 2 ? 8192 + th_rand(s) % 1024
				       : (uint32_t)th_rand(s)) << 32;
		if (th_rand(s) % 2)
			w[1] = (w[1] & ~0x1full) | th_rand(s) % 18;
		w[2] = pick_id(s, 16) & 0xffff;
		if (th_rand(s) % 2) /* RDbase: vcpu_id, sometimes out of range */
			w[2] |= (th_rand(s) % (NR_VCPUS + 2)) << 16;
		else /* an ITT address, usually in RAM */
			w[2] |= (TH_RAM_BASE + th_rand(s) % RAM_SIZE) & ~0xffull;
		w[2] |= th_rand(s) % 4 ? 1ull << 63 : 0;
		w[3] = (th_rand(s) % (NR_VCPUS + 1)) << 16;
	}
	gi_cmd(g, w[0], w[1], w[2], w[3]);
}

static void scribble(struct th_host *h, uint64_t *s, uint64_t off,
		     uint64_t len, unsigned n)
{
	uint8_t *p = th_ram(h, TH_RAM_BASE + off);

	for (unsigned i = 0; i < n; i++)
		p[th_rand(s) % len] = (uint8_t)th_rand(s);
}

static void test_hostile(void **state)
{
	struct counter cnt = { 0, 0 };
	struct vgic_alloc_ops al = { c_alloc, c_zalloc, c_free, &cnt };
	struct vgic_config cfg = { .nr_vcpus = NR_VCPUS, .alloc = &al };
	struct th_host *h = th_host_new(RAM_SIZE);
	struct vgic_device *gic, *its;
	uint64_t s = 0xfeedface, addr, creadr, msis[4] = { 0 }, sane = 0;
	bool ind;
	struct gi_its g;
	struct vgic *v;

	(void)state;
	/* Random RAM everywhere except the command queue. */
	for (size_t i = 0; i < RAM_SIZE; i += 8)
		*(uint64_t *)(h->ram + i) = th_rand(&s);
	assert_int_equal(vgic_create(&cfg, &th_ops, h, &v), 0);
	assert_int_equal(vgic_device_create(v, VGIC_DEV_TYPE_V3, &gic), 0);
	assert_int_equal(vgic_device_create(v, VGIC_DEV_TYPE_ITS, &its), 0);
	addr = TH_GICD_BASE;
	assert_int_equal(th_set_attr(gic, VGIC_GRP_ADDR, VGIC_V3_ADDR_TYPE_DIST,
				     &addr), 0);
	addr = TH_GICR_BASE | (uint64_t)NR_VCPUS << 52;
	assert_int_equal(th_set_attr(gic, VGIC_GRP_ADDR,
				     VGIC_V3_ADDR_TYPE_REDIST_REGION, &addr), 0);
	addr = TH_ITS_BASE;
	assert_int_equal(th_set_attr(its, VGIC_GRP_ADDR, VGIC_ITS_ADDR_TYPE,
				     &addr), 0);
	assert_int_equal(th_set_attr(gic, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL),
			 0);
	gi_cpu_init(v, h, NR_VCPUS, true);
	memset(th_ram(h, TH_RAM_BASE + GI_ITS_AREA + GI_CMDQ), 0, 0x10000);
	gi_its_init(&g, v, h, 0, ind = th_rand(&s) % 2);

	for (uint32_t i = 0; i < NR_CMDS; i++) {
		random_cmd(&g, &s);
		if (i % 500 == 0) {
			/* MSIs: only 1, 0 or -EBUSY. */
			for (int k = 0; k < 50; k++) {
				int r = gi_msi(&g, (uint32_t)pick_id(&s, 16),
					       (uint32_t)pick_id(&s, 32));
				assert_true(r == 1 || r == 0 || r == -EBUSY);
				msis[r == 1 ? 2 : r == 0 ? 1 : 0]++;
			}
			/* In the middle of the chaos a well-formed mapping
			 * still works. */
			uint32_t lpi = 8192 + (uint32_t)(th_rand(&s) % 4096);
			if (ind)
				*(uint64_t *)th_ram(h, g.area + GI_DT) =
					(1ull << 63) | (g.area + GI_L2);
			gi_mapc(&g, 0, 0, true);
			gi_mapd(&g, 1000, gi_itt(&g, 1000), 4, true);
			gi_set_cfg(h, lpi, 0x80, true);
			gi_mapti(&g, 1000, 3, lpi, 0);
			gi_devcmd(&g, 0x0c, 1000, 3, 0);
			assert_int_equal(gi_msi(&g, 1000, 3), 1);
			sane++;
			/* Guest tables change under the ITS's feet. */
			scribble(h, &s, GI_ITS_AREA + GI_DT, 0x40000, 64);
			scribble(h, &s, GI_PROP, 0x10000, 64);
			scribble(h, &s, GI_PEND, 0x40000, 64);
			/* Guest acknowledges whatever is pending. */
			for (uint32_t c = 0; c < NR_VCPUS; c++)
				for (int k = 0; k < 8 && gi_take(v, c) != 1023;
				     k++)
					;
		}
		if (i % 7919 == 0) {
			/* Random frame accesses (registers, odd widths), then
			 * a clean re-init of the queue and tables. */
			for (int k = 0; k < 64; k++) {
				uint64_t val = th_rand(&s);
				uint32_t len = 1u << (th_rand(&s) % 4);
				uint64_t off = th_rand(&s) % 2 ? th_rand(&s) % 0x140
							       : th_rand(&s) % 0x20000;
				if (th_rand(&s) % 2)
					vgic_mmio_write(v, 0, TH_ITS_BASE + off,
							&val, len);
				else
					vgic_mmio_read(v, 0, TH_ITS_BASE + off,
						       &val, len);
				val = th_rand(&s);
				th_set_attr(its, VGIC_GRP_ITS_REGS,
					    th_rand(&s) % 0x140 & ~7ull, &val);
			}
			th_write32(v, 0, g.base + GITS_CTLR_OFF, 0);
			gi_its_init(&g, v, h, 0, ind = th_rand(&s) % 2);
		}
		if (i % 20011 == 0) {
			assert_int_equal(th_set_attr(its, VGIC_GRP_CTRL,
						     VGIC_CTRL_ITS_RESET, NULL),
					 0);
			gi_its_init(&g, v, h, 0, ind = th_rand(&s) % 2);
		}
		/* The queue always drains synchronously. */
		assert_int_equal(th_get_attr(its, VGIC_GRP_ITS_REGS,
					     GITS_CREADR_OFF, &creadr), 0);
		assert_int_equal(creadr, g.cwriter);
	}
	printf("MSIs -EBUSY/0/1: %llu/%llu/%llu; library memory peak %.1f MB, "
	       "live %.1f MB\n",
	       (unsigned long long)msis[0], (unsigned long long)msis[1],
	       (unsigned long long)msis[2], cnt.peak / 1048576.0,
	       cnt.live / 1048576.0);
	assert_true(cnt.peak < MEM_BOUND);
	assert_true(sane >= NR_CMDS / 500);
	vgic_destroy(v);
	assert_int_equal(cnt.live, 0);
	th_host_free(h);
}

/* The worst case per device: 16 EventID bits and one ITE, all devices
 * sharing one ITT.  Documented bound (docs/its.md): device header + a
 * chunk directory of 8 bytes per 64 declared events + one 64-entry chunk
 * (+ the 2 KB directory page per 256 devices). */
static void test_sparse_device_memory(void **state)
{
	struct counter cnt = { 0, 0 };
	struct vgic_alloc_ops al = { c_alloc, c_zalloc, c_free, &cnt };
	struct vgic_config cfg = { .nr_vcpus = 1, .alloc = &al };
	struct th_host *h = th_host_new(RAM_SIZE);
	struct vgic_device *gic, *its;
	uint64_t addr, before;
	struct gi_its g;
	struct vgic *v;
	const uint32_t n = 1024;
	double per_dev;

	(void)state;
	assert_int_equal(vgic_create(&cfg, &th_ops, h, &v), 0);
	assert_int_equal(vgic_device_create(v, VGIC_DEV_TYPE_V3, &gic), 0);
	assert_int_equal(vgic_device_create(v, VGIC_DEV_TYPE_ITS, &its), 0);
	addr = TH_GICD_BASE;
	assert_int_equal(th_set_attr(gic, VGIC_GRP_ADDR, VGIC_V3_ADDR_TYPE_DIST,
				     &addr), 0);
	addr = TH_GICR_BASE | 1ull << 52;
	assert_int_equal(th_set_attr(gic, VGIC_GRP_ADDR,
				     VGIC_V3_ADDR_TYPE_REDIST_REGION, &addr), 0);
	addr = TH_ITS_BASE;
	assert_int_equal(th_set_attr(its, VGIC_GRP_ADDR, VGIC_ITS_ADDR_TYPE,
				     &addr), 0);
	assert_int_equal(th_set_attr(gic, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL),
			 0);
	gi_cpu_init(v, h, 1, true);
	gi_its_init(&g, v, h, 0, false);
	gi_mapc(&g, 0, 0, true);
	gi_set_cfg(h, 8192, 0xa0, true);
	before = cnt.live;
	for (uint32_t d = 0; d < n; d++) {
		gi_mapd(&g, d, TH_RAM_BASE, 16, true);
		gi_mapti(&g, d, 65535 - d, 8192, 0);
	}
	assert_int_equal(gi_msi(&g, n - 1, 65536 - n), 1);
	per_dev = (double)(cnt.live - before) / n;
	printf("sparse 16-bit devices: %.0f bytes per device with one ITE\n",
	       per_dev);
	assert_true(per_dev <= 48 + 8 * 1024 + 8 + 256 + 2048.0 / 256 + 64);
	vgic_destroy(v);
	th_host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_sparse_device_memory),
	};
	if (!gi_have_gicv3()) {
		printf("skipped: the GICv3 front end is not built yet\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}

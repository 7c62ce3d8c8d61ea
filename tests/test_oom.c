/*
 * Allocation-failure injection through the allocator hook
 * (struct vgic_alloc_ops in struct vgic_config), in the manner of SQLite's
 * and libuv's OOM tests: a whole VM lifetime - create, GICv3 and ITS
 * devices, INIT, guest LPI/ITS bring-up and mapping commands, MSIs,
 * ITS_SAVE_TABLES, SAVE_PENDING_TABLES, a snapshot saved and restored into
 * a second instance, RESTORE_TABLES - is run once per allocation it makes,
 * with that allocation failing (once, or from then on).  Every API call
 * returns 0 or -ENOMEM; a failure inside guest command processing (which
 * has no errno channel) just drops the command, and what is mapped stays
 * correct; after vgic_destroy() every allocation has been freed (counted
 * here, and checked by LeakSanitizer in the ASan build).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"
#include "save_guest.h"
#include "test_faults_guest.h"

struct oom {
	uint64_t nr;      /* allocations so far */
	uint64_t fail_at; /* 1-based; 0: never */
	bool sticky;
	int64_t live;     /* allocated, not yet freed */
	uint64_t failed;  /* allocations refused */
};

static bool oom_refuse(struct oom *o)
{
	uint64_t n = ++o->nr;

	if (!o->fail_at || (o->sticky ? n < o->fail_at : n != o->fail_at))
		return false;
	o->failed++;
	return true;
}

static void *oom_alloc(void *opaque, size_t size)
{
	struct oom *o = opaque;
	void *p;

	if (oom_refuse(o))
		return NULL;
	p = malloc(size);
	if (p)
		o->live++;
	return p;
}

static void *oom_zalloc(void *opaque, size_t nmemb, size_t size)
{
	struct oom *o = opaque;
	void *p;

	if (oom_refuse(o))
		return NULL;
	p = calloc(nmemb, size);
	if (p)
		o->live++;
	return p;
}

static void oom_free(void *opaque, void *p)
{
	struct oom *o = opaque;

	if (p) {
		o->live--;
		free(p);
	}
}

/* An API result under allocation failure: 0 or -ENOMEM.  Returns true
 * while the scenario may go on. */
static bool ok_or_enomem(int ret, struct oom *o, uint64_t *enomems)
{
	assert_true(ret == 0 || ret == -ENOMEM);
	if (ret == -ENOMEM) {
		/* Only a refused allocation may cause it. */
		assert_true(o->failed > 0);
		(*enomems)++;
	}
	return ret == 0;
}

static struct vgic *oom_create(struct oom *o, const struct vgic_alloc_ops *a,
			       struct th_host *h, uint64_t *enomems)
{
	struct vgic_config cfg = { .nr_vcpus = 2, .alloc = a };
	struct vgic *v = NULL;

	if (!ok_or_enomem(vgic_create(&cfg, &th_ops, h, &v), o, enomems))
		return NULL;
	return v;
}

/* The GICv3 + ITS device setup a VMM does, stopping at the first error. */
static bool oom_devices(struct oom *o, struct sg *g, uint64_t *enomems)
{
	uint64_t addr = TH_GICD_BASE;
	uint32_t nr_irqs = 128;

	if (!ok_or_enomem(vgic_device_create(g->v, VGIC_DEV_TYPE_V3, &g->gic),
			  o, enomems) ||
	    !ok_or_enomem(th_set_attr(g->gic, VGIC_GRP_ADDR,
				      VGIC_V3_ADDR_TYPE_DIST, &addr),
			  o, enomems))
		return false;
	addr = TH_GICR_BASE | 2ull << VGIC_REDIST_REGION_COUNT_SHIFT;
	if (!ok_or_enomem(th_set_attr(g->gic, VGIC_GRP_ADDR,
				      VGIC_V3_ADDR_TYPE_REDIST_REGION, &addr),
			  o, enomems) ||
	    !ok_or_enomem(vgic_device_create(g->v, VGIC_DEV_TYPE_ITS,
					     &g->its[0]),
			  o, enomems))
		return false;
	addr = SG_GITS(0);
	return ok_or_enomem(th_set_attr(g->its[0], VGIC_GRP_ADDR,
					VGIC_ITS_ADDR_TYPE, &addr),
			    o, enomems) &&
	       ok_or_enomem(th_set_attr(g->gic, VGIC_GRP_NR_IRQS, 0, &nr_irqs),
			    o, enomems) &&
	       ok_or_enomem(th_set_attr(g->gic, VGIC_GRP_CTRL, VGIC_CTRL_INIT,
					NULL),
			    o, enomems);
}

/* Snapshot @g's instance and restore it into a second instance. */
static void oom_snapshot(struct oom *o, const struct vgic_alloc_ops *a,
			 struct sg *g, uint64_t *enomems)
{
	uint8_t *buf;
	size_t need = 0, len = 0;
	struct sg g2;
	int ret;

	ret = vgic_snapshot_save(g->v, NULL, 0, &need);
	if (ret != -ENOSPC) {
		ok_or_enomem(ret, o, enomems);
		assert_int_equal(ret, -ENOMEM);
		return;
	}
	buf = malloc(need);
	assert_non_null(buf);
	ret = vgic_snapshot_save(g->v, buf, need, &len);
	if (ok_or_enomem(ret, o, enomems)) {
		memset(&g2, 0, sizeof(g2));
		g2.h = g->h;
		g2.nr_vcpus = 2;
		g2.v = oom_create(o, a, g->h, enomems);
		if (g2.v) {
			ret = vgic_snapshot_restore(g2.v, buf, len);
			if (ok_or_enomem(ret, o, enomems)) {
				/* Whatever the source had, the copy has. */
				bool seen[NR_EV] = { false };

				drain(&g2, seen);
				translations(&g2);
			}
			vgic_destroy(g2.v);
		}
	}
	free(buf);
}

/* Leave every translatable event's LPI pending for the saves. */
static void pend_all_possible(struct sg *g)
{
	for (uint32_t e = 0; e < NR_EV; e++) {
		int r = sg_msi(g, 0, DEV, e);

		assert_true(r == 0 || r == 1);
	}
}

/* One VM lifetime with the allocator @o.  Returns the number of API calls
 * that reported -ENOMEM; *@mapped says whether the guest's mappings all
 * exist at the end. */
static uint64_t lifetime(struct oom *o, bool *mapped)
{
	const struct vgic_alloc_ops a = { oom_alloc, oom_zalloc, oom_free, o };
	struct th_host *h = th_host_new(SG_RAM_SIZE);
	uint64_t enomems = 0;
	struct sg g;

	*mapped = false;
	memset(&g, 0, sizeof(g));
	g.h = h;
	g.nr_vcpus = 2;
	g.nr_its = 1;
	g.v = oom_create(o, &a, h, &enomems);
	if (!g.v)
		goto out;
	if (!oom_devices(o, &g, &enomems))
		goto out_destroy;
	/* The guest: LPIs, ITS, mappings (failures drop commands). */
	th_write32(g.v, 0, TH_GICD_BASE + SG_GICD_CTLR, 0x12);
	for (uint32_t c = 0; c < 2; c++)
		sg_rd_init(&g, c, true);
	sg_its_init(&g, 0, false);
	lpi_cfgs(&g);
	map_all(&g);
	*mapped = translations(&g) == NR_EV;
	pend_all_possible(&g);
	if (!ok_or_enomem(sg_ctrl(g.its[0], VGIC_CTRL_ITS_SAVE_TABLES), o,
			  &enomems) ||
	    !ok_or_enomem(sg_ctrl(g.gic, VGIC_CTRL_SAVE_PENDING_TABLES), o,
			  &enomems))
		goto out_destroy;
	oom_snapshot(o, &a, &g, &enomems);
out_destroy:
	vgic_destroy(g.v);
out:
	th_host_free(h);
	/* Nothing leaked, nothing freed twice. */
	assert_int_equal(o->live, 0);
	return enomems;
}

static void run_oom(bool sticky)
{
	struct oom o = { 0 };
	uint64_t total, silent = 0;
	bool mapped;

	/* Fault-free: everything works and is mapped. */
	assert_int_equal(lifetime(&o, &mapped), 0);
	assert_true(mapped);
	total = o.nr;
	assert_true(total > 10);
	for (uint64_t n = 1; n <= total + 1; n++) {
		uint64_t enomems;

		memset(&o, 0, sizeof(o));
		o.fail_at = n;
		o.sticky = sticky;
		enomems = lifetime(&o, &mapped);
		if (n > total) {
			assert_int_equal(o.failed, 0);
			assert_int_equal(enomems, 0);
			assert_true(mapped);
		}
		/* A refused allocation surfaces as -ENOMEM, unless the
		 * guest's command processing made it (no errno there: the
		 * command is dropped and a mapping is missing). */
		if (o.failed && !enomems)
			silent++;
	}
	print_message("%s: %llu allocations, %llu refused silently (guest "
		      "commands)\n",
		      sticky ? "sticky" : "once", (unsigned long long)total,
		      (unsigned long long)silent);
	/* Both kinds were exercised. */
	assert_true(silent < total);
}

static void test_oom_once(void **state)
{
	(void)state;
	run_oom(false);
}

static void test_oom_sticky(void **state)
{
	(void)state;
	run_oom(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oom_once),
		cmocka_unit_test(test_oom_sticky),
	};
	return cmocka_run_group_tests_name("oom", tests, NULL, NULL);
}

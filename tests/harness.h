/*
 * Test harness: a fake host for libvgic.
 *
 * Guest RAM is a flat byte array at a base GPA; kicks are counted per vCPU;
 * guest-memory accesses can be made to fail at the k-th access.  Tests use
 * only the public API plus these helpers.
 */
#ifndef VGIC_TEST_HARNESS_H
#define VGIC_TEST_HARNESS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vgic/vgic.h>

#define TH_MAX_VCPUS 512

struct th_host {
	uint8_t *ram;
	uint64_t ram_base;
	size_t ram_size;
	_Atomic uint64_t kicks[TH_MAX_VCPUS];
	_Atomic uint64_t nr_reads, nr_writes;
	/* Fault injection: the access numbered fail_at (1-based, counting
	 * reads and writes together) and every later one fail if fail_sticky,
	 * else only that one.  0 disables. */
	uint64_t fail_at;
	bool fail_sticky;
	/* What a failing access returns: 0 means -EFAULT ("not guest
	 * RAM"); e.g. -EIO models a failure of the host itself. */
	int fail_errno;
	_Atomic uint64_t nr_accesses;
};

/* Standard GICv3 layout used by the tests (QEMU virt's). */
#define TH_GICD_BASE 0x08000000ull
#define TH_ITS_BASE 0x08080000ull
/* ITS #1 and up: clear of the redistributors (which follow ITS #0). */
#define TH_ITS_EXTRA_BASE 0x20000000ull
#define TH_ITS_ADDR(i)                                                        \
	((i) ? TH_ITS_EXTRA_BASE + ((i) - 1) * VGIC_ITS_SIZE : TH_ITS_BASE)
#define TH_GICR_BASE 0x080a0000ull
#define TH_RAM_BASE 0x40000000ull

extern const struct vgic_host_ops th_ops;

/* Allocate a host with @ram_size bytes of zeroed RAM at TH_RAM_BASE. */
struct th_host *th_host_new(size_t ram_size);
void th_host_free(struct th_host *h);

/* Create a VM with a GICv3 (dist at TH_GICD_BASE, one redistributor region
 * at TH_GICR_BASE), @nr_its ITSes at TH_ITS_ADDR(i), NR_IRQS
 * @nr_irqs (0: default) and INIT done.  Asserts on any failure. */
struct vgic *th_vm_v3(struct th_host *h, uint32_t nr_vcpus,
		      const uint64_t *mpidr, uint32_t nr_irqs, uint32_t nr_its,
		      struct vgic_device **gic, struct vgic_device **its);

/* GICv2 layout used by the tests (QEMU virt's): GICD and the GICC frame. */
#define TH_V2_DIST_BASE 0x08000000ull
#define TH_V2_CPU_BASE 0x08010000ull

/* Create a VM with a GICv2 (frames at TH_V2_*_BASE), NR_IRQS @nr_irqs
 * (0: default) and INIT done.  Asserts on any failure. */
struct vgic *th_vm_v2(struct th_host *h, uint32_t nr_vcpus, uint32_t nr_irqs,
		      struct vgic_device **gic);

/* Attribute helpers returning the library's result. */
int th_set_attr(struct vgic_device *d, uint32_t group, uint64_t attr,
		void *val);
int th_get_attr(struct vgic_device *d, uint32_t group, uint64_t attr,
		void *val);
int th_has_attr(struct vgic_device *d, uint32_t group, uint64_t attr);

/* MMIO helpers (assert the access hit a GIC frame). */
uint32_t th_read32(struct vgic *v, uint32_t vcpu, uint64_t gpa);
void th_write32(struct vgic *v, uint32_t vcpu, uint64_t gpa, uint32_t val);
uint64_t th_read64(struct vgic *v, uint32_t vcpu, uint64_t gpa);
void th_write64(struct vgic *v, uint32_t vcpu, uint64_t gpa, uint64_t val);

/* Sysreg helpers (assert success). */
uint64_t th_sysreg_read(struct vgic *v, uint32_t vcpu, uint32_t enc);
void th_sysreg_write(struct vgic *v, uint32_t vcpu, uint32_t enc,
		     uint64_t val);

/* Guest RAM accessors for tests. */
void *th_ram(struct th_host *h, uint64_t gpa);

/* Deterministic PRNG (xorshift64*). */
static inline uint64_t th_rand(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ull;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

#endif

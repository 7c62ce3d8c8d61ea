/*
 * Test harness: the fake host behind every test (see harness.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define th_die(...)                                                           \
	do {                                                                  \
		fprintf(stderr, "harness: " __VA_ARGS__);                     \
		fputc('\n', stderr);                                          \
		abort();                                                      \
	} while (0)

static bool th_fault(struct th_host *h)
{
	uint64_t n = atomic_fetch_add(&h->nr_accesses, 1) + 1;

	if (!h->fail_at)
		return false;
	return h->fail_sticky ? n >= h->fail_at : n == h->fail_at;
}

static int th_read_guest(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	struct th_host *h = opaque;

	atomic_fetch_add(&h->nr_reads, 1);
	if (th_fault(h))
		return h->fail_errno ? h->fail_errno : -EFAULT;
	if (gpa < h->ram_base || gpa - h->ram_base > h->ram_size ||
	    len > h->ram_size - (gpa - h->ram_base))
		return -EFAULT;
	memcpy(buf, h->ram + (gpa - h->ram_base), len);
	return 0;
}

static int th_write_guest(void *opaque, uint64_t gpa, const void *buf,
			  size_t len)
{
	struct th_host *h = opaque;

	atomic_fetch_add(&h->nr_writes, 1);
	if (th_fault(h))
		return h->fail_errno ? h->fail_errno : -EFAULT;
	if (gpa < h->ram_base || gpa - h->ram_base > h->ram_size ||
	    len > h->ram_size - (gpa - h->ram_base))
		return -EFAULT;
	memcpy(h->ram + (gpa - h->ram_base), buf, len);
	return 0;
}

static void th_kick(void *opaque, uint32_t vcpu)
{
	struct th_host *h = opaque;

	if (vcpu < TH_MAX_VCPUS)
		atomic_fetch_add(&h->kicks[vcpu], 1);
}

const struct vgic_host_ops th_ops = {
	.read_guest = th_read_guest,
	.write_guest = th_write_guest,
	.kick_vcpu = th_kick,
};

struct th_host *th_host_new(size_t ram_size)
{
	struct th_host *h = calloc(1, sizeof(*h));

	if (!h)
		th_die("out of memory");
	h->ram = calloc(1, ram_size ? ram_size : 1);
	if (!h->ram)
		th_die("out of memory for %zu bytes of RAM", ram_size);
	h->ram_base = TH_RAM_BASE;
	h->ram_size = ram_size;
	return h;
}

void th_host_free(struct th_host *h)
{
	if (!h)
		return;
	free(h->ram);
	free(h);
}

void *th_ram(struct th_host *h, uint64_t gpa)
{
	if (gpa < h->ram_base || gpa - h->ram_base >= h->ram_size)
		th_die("GPA 0x%llx outside test RAM", (unsigned long long)gpa);
	return h->ram + (gpa - h->ram_base);
}

int th_set_attr(struct vgic_device *d, uint32_t group, uint64_t attr,
		void *val)
{
	struct vgic_device_attr a = { .group = group, .attr = attr,
				      .addr = (uint64_t)(uintptr_t)val };
	return vgic_device_set_attr(d, &a);
}

int th_get_attr(struct vgic_device *d, uint32_t group, uint64_t attr,
		void *val)
{
	struct vgic_device_attr a = { .group = group, .attr = attr,
				      .addr = (uint64_t)(uintptr_t)val };
	return vgic_device_get_attr(d, &a);
}

int th_has_attr(struct vgic_device *d, uint32_t group, uint64_t attr)
{
	struct vgic_device_attr a = { .group = group, .attr = attr };
	return vgic_device_has_attr(d, &a);
}

struct vgic *th_vm_v3(struct th_host *h, uint32_t nr_vcpus,
		      const uint64_t *mpidr, uint32_t nr_irqs, uint32_t nr_its,
		      struct vgic_device **gic, struct vgic_device **its)
{
	struct vgic_config cfg = { .nr_vcpus = nr_vcpus, .mpidr = mpidr };
	struct vgic_device *g, *itsd;
	struct vgic *v;
	uint64_t addr;
	int ret;

	ret = vgic_create(&cfg, &th_ops, h, &v);
	if (ret)
		th_die("vgic_create: %s", vgic_strerror(ret));
	ret = vgic_device_create(v, VGIC_DEV_TYPE_V3, &g);
	if (ret)
		th_die("create V3: %s", vgic_strerror(ret));
	addr = TH_GICD_BASE;
	ret = th_set_attr(g, VGIC_GRP_ADDR, VGIC_V3_ADDR_TYPE_DIST, &addr);
	if (ret)
		th_die("dist addr: %s", vgic_strerror(ret));
	addr = TH_GICR_BASE | (uint64_t)nr_vcpus << VGIC_REDIST_REGION_COUNT_SHIFT;
	ret = th_set_attr(g, VGIC_GRP_ADDR, VGIC_V3_ADDR_TYPE_REDIST_REGION,
			  &addr);
	if (ret)
		th_die("redist region: %s", vgic_strerror(ret));
	for (uint32_t i = 0; i < nr_its; i++) {
		ret = vgic_device_create(v, VGIC_DEV_TYPE_ITS, &itsd);
		if (ret)
			th_die("create ITS: %s", vgic_strerror(ret));
		addr = TH_ITS_ADDR(i);
		ret = th_set_attr(itsd, VGIC_GRP_ADDR, VGIC_ITS_ADDR_TYPE, &addr);
		if (ret)
			th_die("ITS addr: %s", vgic_strerror(ret));
		if (its)
			its[i] = itsd;
	}
	if (nr_irqs) {
		ret = th_set_attr(g, VGIC_GRP_NR_IRQS, 0, &nr_irqs);
		if (ret)
			th_die("NR_IRQS: %s", vgic_strerror(ret));
	}
	ret = th_set_attr(g, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL);
	if (ret)
		th_die("INIT: %s", vgic_strerror(ret));
	if (gic)
		*gic = g;
	return v;
}

struct vgic *th_vm_v2(struct th_host *h, uint32_t nr_vcpus, uint32_t nr_irqs,
		      struct vgic_device **gic)
{
	struct vgic_config cfg = { .nr_vcpus = nr_vcpus };
	struct vgic_device *g;
	struct vgic *v;
	uint64_t addr;
	int ret;

	ret = vgic_create(&cfg, &th_ops, h, &v);
	if (ret)
		th_die("vgic_create: %s", vgic_strerror(ret));
	ret = vgic_device_create(v, VGIC_DEV_TYPE_V2, &g);
	if (ret)
		th_die("create V2: %s", vgic_strerror(ret));
	addr = TH_V2_DIST_BASE;
	ret = th_set_attr(g, VGIC_GRP_ADDR, VGIC_V2_ADDR_TYPE_DIST, &addr);
	if (ret)
		th_die("v2 dist addr: %s", vgic_strerror(ret));
	addr = TH_V2_CPU_BASE;
	ret = th_set_attr(g, VGIC_GRP_ADDR, VGIC_V2_ADDR_TYPE_CPU, &addr);
	if (ret)
		th_die("v2 cpu addr: %s", vgic_strerror(ret));
	if (nr_irqs) {
		ret = th_set_attr(g, VGIC_GRP_NR_IRQS, 0, &nr_irqs);
		if (ret)
			th_die("NR_IRQS: %s", vgic_strerror(ret));
	}
	ret = th_set_attr(g, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL);
	if (ret)
		th_die("INIT: %s", vgic_strerror(ret));
	if (gic)
		*gic = g;
	return v;
}

uint32_t th_read32(struct vgic *v, uint32_t vcpu, uint64_t gpa)
{
	uint32_t val;
	int ret = vgic_mmio_read(v, vcpu, gpa, &val, 4);

	if (ret)
		th_die("read32 0x%llx: %s", (unsigned long long)gpa,
		       vgic_strerror(ret));
	return val;
}

void th_write32(struct vgic *v, uint32_t vcpu, uint64_t gpa, uint32_t val)
{
	int ret = vgic_mmio_write(v, vcpu, gpa, &val, 4);

	if (ret)
		th_die("write32 0x%llx: %s", (unsigned long long)gpa,
		       vgic_strerror(ret));
}

uint64_t th_read64(struct vgic *v, uint32_t vcpu, uint64_t gpa)
{
	uint64_t val;
	int ret = vgic_mmio_read(v, vcpu, gpa, &val, 8);

	if (ret)
		th_die("read64 0x%llx: %s", (unsigned long long)gpa,
		       vgic_strerror(ret));
	return val;
}

void th_write64(struct vgic *v, uint32_t vcpu, uint64_t gpa, uint64_t val)
{
	int ret = vgic_mmio_write(v, vcpu, gpa, &val, 8);

	if (ret)
		th_die("write64 0x%llx: %s", (unsigned long long)gpa,
		       vgic_strerror(ret));
}

uint64_t th_sysreg_read(struct vgic *v, uint32_t vcpu, uint32_t enc)
{
	uint64_t val;
	int ret = vgic_sysreg_read(v, vcpu, enc, &val);

	if (ret)
		th_die("sysreg read 0x%x: %s", enc, vgic_strerror(ret));
	return val;
}

void th_sysreg_write(struct vgic *v, uint32_t vcpu, uint32_t enc, uint64_t val)
{
	int ret = vgic_sysreg_write(v, vcpu, enc, val);

	if (ret)
		th_die("sysreg write 0x%x: %s", enc, vgic_strerror(ret));
}

/*
 * The smallest complete use of libvgic: the program quoted in README.md
 * (kept here so that it is compiled and run by `make check`).  A VMM
 * creates a GICv3 exactly as it would through KVM's device ABI, routes an
 * SPI to vCPU 1 and acknowledges it through ICC_IAR1_EL1.
 */
#include <stdio.h>
#include <string.h>

#include <vgic/kvm-compat.h>
#include <vgic/vgic.h>

static uint8_t ram[1 << 20]; /* guest RAM at 0x40000000 (unused here) */

static int rd(void *o, uint64_t gpa, void *b, size_t n)
{
	(void)o;
	if (gpa < 0x40000000 || gpa - 0x40000000 + n > sizeof(ram))
		return -14; /* -EFAULT */
	memcpy(b, ram + (gpa - 0x40000000), n);
	return 0;
}

static int wr(void *o, uint64_t gpa, const void *b, size_t n)
{
	(void)o;
	if (gpa < 0x40000000 || gpa - 0x40000000 + n > sizeof(ram))
		return -14;
	memcpy(ram + (gpa - 0x40000000), b, n);
	return 0;
}

static int set(struct vgic_device *d, uint32_t grp, uint64_t attr, void *val)
{
	struct vgic_device_attr a = { .group = grp, .attr = attr,
				      .addr = (uintptr_t)val };
	return vgic_device_set_attr(d, &a);
}

int main(void)
{
	/* README example begins */
	struct vgic_config cfg = { .nr_vcpus = 2 };
	struct vgic_host_ops ops = { .read_guest = rd, .write_guest = wr };
	struct vgic *v;
	struct vgic_device *gic;
	uint64_t dist = 0x08000000, redist = 0x080a0000 | 2ull << 52, iar = 0;
	uint32_t one = 1, spi = 40;

	vgic_create(&cfg, &ops, NULL, &v);
	vgic_device_create(v, KVM_DEV_TYPE_ARM_VGIC_V3, &gic);
	set(gic, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist);
	set(gic, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST_REGION,
	    &redist);
	set(gic, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
	/* The guest's side: enable group 1, SPI 40 routed to vCPU 1. */
	uint32_t ctlr = 0x12, en = 1u << (spi % 32), grp = ~0u;
	uint64_t route = 1; /* MPIDR Aff0 = 1 */
	vgic_mmio_write(v, 0, dist + 0x0000, &ctlr, 4);           /* GICD_CTLR */
	vgic_mmio_write(v, 0, dist + 0x0084, &grp, 4);            /* IGROUPR1 */
	vgic_mmio_write(v, 0, dist + 0x6000 + 8 * spi, &route, 8); /* IROUTER */
	vgic_mmio_write(v, 0, dist + 0x0104, &en, 4);             /* ISENABLER1 */
	vgic_sysreg_write(v, 1, VGIC_ICC_PMR_EL1, 0xff);
	vgic_sysreg_write(v, 1, VGIC_ICC_IGRPEN1_EL1, one);
	vgic_irq_line(v, 0, spi, true);                  /* a device raises it */
	if (vgic_vcpu_irq_pending(v, 1))                 /* vCPU 1's IRQ line */
		vgic_sysreg_read(v, 1, VGIC_ICC_IAR1_EL1, &iar); /* -> 40 */
	/* README example ends */

	printf("vCPU 1 acknowledged INTID %llu\n", (unsigned long long)iar);
	vgic_destroy(v);
	return iar == spi ? 0 : 1;
}

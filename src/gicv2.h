/*
 * libvgic - private definitions shared by the GICv2 blocks: the GICv2
 * distributor (gicv2_dist.c), the memory-mapped CPU interface
 * (gicv2_cpuif.c) and the KVM_DEV_TYPE_ARM_VGIC_V2 device (gicv2_device.c).
 *
 * Register offsets and fields keep the names of the GIC architecture
 * specification v2 (IHI 0048B).
 */
#ifndef VGIC_GICV2_H
#define VGIC_GICV2_H

#include "internal.h"

/* ---- GICD (4 KiB frame) ------------------------------------------------- */

enum {
	GICD_V2_CTLR = 0x000,
	GICD_V2_TYPER = 0x004,
	GICD_V2_IIDR = 0x008,
	GICD_V2_IGROUPR = 0x080,
	GICD_V2_ISENABLER = 0x100,
	GICD_V2_ICENABLER = 0x180,
	GICD_V2_ISPENDR = 0x200,
	GICD_V2_ICPENDR = 0x280,
	GICD_V2_ISACTIVER = 0x300,
	GICD_V2_ICACTIVER = 0x380,
	GICD_V2_IPRIORITYR = 0x400,
	GICD_V2_ITARGETSR = 0x800,
	GICD_V2_ICFGR = 0xc00,
	GICD_V2_SGIR = 0xf00,
	GICD_V2_CPENDSGIR = 0xf10,
	GICD_V2_SPENDSGIR = 0xf20,
	GICD_V2_PIDR4 = 0xfd0, /* ID registers: PIDR4-7, PIDR0-3, CIDR0-3 */
};

#define GICD_V2_CTLR_ENABLE 0x1u
#define GICD_V2_TYPER_CPUNUMBER_SHIFT 5
/* GICD_SGIR fields. */
#define GICD_SGIR_INTID_MASK 0xfu
#define GICD_SGIR_TARGETS_SHIFT 16
#define GICD_SGIR_FILTER_SHIFT 24
enum { SGIR_FILTER_LIST = 0, SGIR_FILTER_OTHERS = 1, SGIR_FILTER_SELF = 2 };

/* ---- GICC (8 KiB frame) ------------------------------------------------- */

enum {
	GICC_CTLR = 0x00,
	GICC_PMR = 0x04,
	GICC_BPR = 0x08,
	GICC_IAR = 0x0c,
	GICC_EOIR = 0x10,
	GICC_RPR = 0x14,
	GICC_HPPIR = 0x18,
	GICC_ABPR = 0x1c,
	GICC_AIAR = 0x20,
	GICC_AEOIR = 0x24,
	GICC_AHPPIR = 0x28,
	GICC_APR0 = 0xd0,
	GICC_NSAPR0 = 0xe0,
	GICC_IIDR = 0xfc,
	GICC_DIR = 0x1000,
};

#define GICC_CTLR_ENABLE_GRP0 (1u << 0)
#define GICC_CTLR_ENABLE_GRP1 (1u << 1)
#define GICC_CTLR_ACKCTL (1u << 2)
#define GICC_CTLR_FIQEN (1u << 3)
#define GICC_CTLR_CBPR (1u << 4)
#define GICC_CTLR_EOIMODE (1u << 9)
#define GICC_CTLR_MASK                                                        \
	(GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_ENABLE_GRP1 | GICC_CTLR_ACKCTL |   \
	 GICC_CTLR_FIQEN | GICC_CTLR_CBPR | GICC_CTLR_EOIMODE)
#define GICC_INTID_MASK 0x3ffu
#define GICC_CPUID_SHIFT 10
#define GICC_SPURIOUS_GRP1 1022u
#define GICC_BPR_MIN (7 - VGIC_PRI_BITS)     /* 2 */
#define GICC_ABPR_MIN (GICC_BPR_MIN + 1)     /* 3 */
/* KVM's GICC_IIDR: ProductID 0x4B, architecture version 2, Arm. */
#define GICC_IIDR_VALUE                                                       \
	((VGIC_IIDR_PRODUCT << 20) | (2u << 16) | VGIC_IIDR_IMPLEMENTER)

/* ---- register tables ------------------------------------------------------ */

/* Access widths a register accepts. */
#define V2_W8 0x1u
#define V2_W32 0x4u

typedef uint32_t (*v2_read_fn)(struct vgic *v, uint32_t vcpu, uint32_t off,
			       uint32_t len);
typedef void (*v2_write_fn)(struct vgic *v, uint32_t vcpu, uint32_t off,
			    uint32_t len, uint32_t val);
/* Userspace write: 0 or a negative errno (GICD_IIDR's -EINVAL). */
typedef int (*v2_uwrite_fn)(struct vgic *v, uint32_t vcpu, uint32_t off,
			    uint32_t val);

/*
 * One register or register family of a GICv2 frame.  @bpi is the number of
 * bits per interrupt of a per-IRQ family (0 otherwise): accesses to
 * interrupts that do not exist are RAZ/WI (guest) or ignored (userspace,
 * where HAS_ATTR reports them as -ENXIO, as KVM).  @user: reachable through
 * the DIST_REGS/CPU_REGS attributes; @uread/@uwrite replace the guest
 * handlers for userspace when set.
 */
struct v2_reg {
	uint32_t off;
	uint32_t len;
	uint8_t widths;
	uint8_t bpi;
	bool user;
	v2_read_fn read;
	v2_write_fn write;
	v2_read_fn uread;
	v2_uwrite_fn uwrite;
};

/* A frame's register table, sorted by offset. */
struct v2_frame {
	const struct v2_reg *regs;
	size_t n;
};
extern const struct v2_frame vgic__v2_gicd; /* gicv2_dist.c */
extern const struct v2_frame vgic__v2_gicc; /* gicv2_cpuif.c */

/*
 * gicv2_device.c: the accesses shared by both frames (v->lock held).
 * vgic__v2_frame_mmio: a guest access; illegal ones are RAZ/WI.
 * vgic__v2_uaccess: a 32-bit DIST_REGS/CPU_REGS access for @vcpu; unknown
 * offsets read as 0 and ignore writes (as KVM); returns 0 or the register's
 * userspace error.  vgic__v2_has_reg: HAS_ATTR (0 or -ENXIO).
 */
void vgic__v2_frame_mmio(struct vgic *v, const struct v2_frame *f,
			 uint32_t vcpu, uint64_t off, uint64_t *val,
			 uint32_t len, bool write);
int vgic__v2_uaccess(struct vgic *v, const struct v2_frame *f, uint32_t vcpu,
		     uint32_t off, uint32_t *val, bool write);
int vgic__v2_has_reg(struct vgic *v, const struct v2_frame *f, uint32_t off);
/* gicv2_device.c: KVM's lazy vgic_init for GICv2 (0 or -ENOMEM). */
int vgic__v2_lazy_init(struct vgic *v);

#endif /* VGIC_GICV2_H */

/*
 * libvgic - KVM-compatible device-attribute ABI constants.
 *
 * Every value here equals the one in Linux's arm64 uapi <asm/kvm.h> and
 * <linux/kvm.h>, so that a VMM can move between KVM and libvgic without
 * renumbering anything.  The VGIC_ prefix keeps these from colliding with the
 * kernel headers; <vgic/kvm-compat.h> provides the KVM_ spellings.
 */
#ifndef VGIC_ABI_H
#define VGIC_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Device types (KVM_DEV_TYPE_ARM_VGIC_*). */
enum {
	VGIC_DEV_TYPE_V2 = 5,
	VGIC_DEV_TYPE_V3 = 7,
	VGIC_DEV_TYPE_ITS = 8,
};

/* Attribute groups (KVM_DEV_ARM_VGIC_GRP_*). */
enum {
	VGIC_GRP_ADDR = 0,
	VGIC_GRP_DIST_REGS = 1,
	VGIC_GRP_CPU_REGS = 2,
	VGIC_GRP_NR_IRQS = 3,
	VGIC_GRP_CTRL = 4,
	VGIC_GRP_REDIST_REGS = 5,
	VGIC_GRP_CPU_SYSREGS = 6,
	VGIC_GRP_LEVEL_INFO = 7,
	VGIC_GRP_ITS_REGS = 8,
	VGIC_GRP_MAINT_IRQ = 9,
};

/* CTRL group attributes. */
enum {
	VGIC_CTRL_INIT = 0,
	VGIC_CTRL_ITS_SAVE_TABLES = 1,
	VGIC_CTRL_ITS_RESTORE_TABLES = 2,
	VGIC_CTRL_SAVE_PENDING_TABLES = 3,
	VGIC_CTRL_ITS_RESET = 4,
};

/* ADDR group attributes (address types). */
enum {
	VGIC_V2_ADDR_TYPE_DIST = 0,
	VGIC_V2_ADDR_TYPE_CPU = 1,
	VGIC_V3_ADDR_TYPE_DIST = 2,
	VGIC_V3_ADDR_TYPE_REDIST = 3,
	VGIC_ITS_ADDR_TYPE = 4,
	VGIC_V3_ADDR_TYPE_REDIST_REGION = 5,
};

/* Frame sizes. */
#define VGIC_V2_DIST_SIZE 0x1000ull
#define VGIC_V2_CPU_SIZE 0x2000ull
#define VGIC_V3_DIST_SIZE 0x10000ull
#define VGIC_V3_REDIST_SIZE 0x20000ull /* per vCPU: RD_base + SGI_base */
#define VGIC_ITS_SIZE 0x20000ull

/*
 * Guest physical address size the ADDR group checks frames against
 * (-E2BIG beyond it).  KVM uses the VM's IPA size (40 bits by default);
 * libvgic has no host limit and uses 48 bits, the largest IPA with 4 KiB
 * pages without FEAT_LPA.
 */
#define VGIC_PHYS_ADDR_BITS 48

/* Attr field encodings. */
#define VGIC_ATTR_CPUID_SHIFT 32
#define VGIC_ATTR_CPUID_MASK (0xffull << VGIC_ATTR_CPUID_SHIFT)
#define VGIC_ATTR_V3_MPIDR_SHIFT 32
#define VGIC_ATTR_V3_MPIDR_MASK (0xffffffffull << VGIC_ATTR_V3_MPIDR_SHIFT)
#define VGIC_ATTR_OFFSET_MASK 0xffffffffull
#define VGIC_ATTR_SYSREG_INSTR_MASK 0xffffull
#define VGIC_ATTR_LEVEL_INFO_SHIFT 10
#define VGIC_ATTR_LEVEL_INFO_MASK (0x3fffffull << VGIC_ATTR_LEVEL_INFO_SHIFT)
#define VGIC_ATTR_LEVEL_INFO_INTID_MASK 0x3ffull
#define VGIC_LEVEL_INFO_LINE_LEVEL 0

/* REDIST_REGION value: count[63:52] | base[51:16] | flags[15:12] | index[11:0]. */
#define VGIC_REDIST_REGION_INDEX_MASK 0xfffull
#define VGIC_REDIST_REGION_FLAGS_MASK (0xfull << 12)
#define VGIC_REDIST_REGION_BASE_MASK (0xfffffffffull << 16)
#define VGIC_REDIST_REGION_COUNT_SHIFT 52
#define VGIC_REDIST_REGION_COUNT_MASK (0xfffull << VGIC_REDIST_REGION_COUNT_SHIFT)

/*
 * CPU_SYSREGS attr / vgic_sysreg_*() encoding of a system register:
 * Op0[15:14] Op1[13:11] CRn[10:7] CRm[6:3] Op2[2:0].
 */
#define VGIC_SYSREG(op0, op1, crn, crm, op2)                                  \
	((uint32_t)(((op0) << 14) | ((op1) << 11) | ((crn) << 7) |             \
		    ((crm) << 3) | (op2)))

#define VGIC_ICC_PMR_EL1 VGIC_SYSREG(3, 0, 4, 6, 0)
#define VGIC_ICC_IAR0_EL1 VGIC_SYSREG(3, 0, 12, 8, 0)
#define VGIC_ICC_EOIR0_EL1 VGIC_SYSREG(3, 0, 12, 8, 1)
#define VGIC_ICC_HPPIR0_EL1 VGIC_SYSREG(3, 0, 12, 8, 2)
#define VGIC_ICC_BPR0_EL1 VGIC_SYSREG(3, 0, 12, 8, 3)
#define VGIC_ICC_AP0R0_EL1 VGIC_SYSREG(3, 0, 12, 8, 4)
#define VGIC_ICC_AP0R1_EL1 VGIC_SYSREG(3, 0, 12, 8, 5)
#define VGIC_ICC_AP0R2_EL1 VGIC_SYSREG(3, 0, 12, 8, 6)
#define VGIC_ICC_AP0R3_EL1 VGIC_SYSREG(3, 0, 12, 8, 7)
#define VGIC_ICC_AP1R0_EL1 VGIC_SYSREG(3, 0, 12, 9, 0)
#define VGIC_ICC_AP1R1_EL1 VGIC_SYSREG(3, 0, 12, 9, 1)
#define VGIC_ICC_AP1R2_EL1 VGIC_SYSREG(3, 0, 12, 9, 2)
#define VGIC_ICC_AP1R3_EL1 VGIC_SYSREG(3, 0, 12, 9, 3)
#define VGIC_ICC_DIR_EL1 VGIC_SYSREG(3, 0, 12, 11, 1)
#define VGIC_ICC_RPR_EL1 VGIC_SYSREG(3, 0, 12, 11, 3)
#define VGIC_ICC_SGI1R_EL1 VGIC_SYSREG(3, 0, 12, 11, 5)
#define VGIC_ICC_ASGI1R_EL1 VGIC_SYSREG(3, 0, 12, 11, 6)
#define VGIC_ICC_SGI0R_EL1 VGIC_SYSREG(3, 0, 12, 11, 7)
#define VGIC_ICC_IAR1_EL1 VGIC_SYSREG(3, 0, 12, 12, 0)
#define VGIC_ICC_EOIR1_EL1 VGIC_SYSREG(3, 0, 12, 12, 1)
#define VGIC_ICC_HPPIR1_EL1 VGIC_SYSREG(3, 0, 12, 12, 2)
#define VGIC_ICC_BPR1_EL1 VGIC_SYSREG(3, 0, 12, 12, 3)
#define VGIC_ICC_CTLR_EL1 VGIC_SYSREG(3, 0, 12, 12, 4)
#define VGIC_ICC_SRE_EL1 VGIC_SYSREG(3, 0, 12, 12, 5)
#define VGIC_ICC_IGRPEN0_EL1 VGIC_SYSREG(3, 0, 12, 12, 6)
#define VGIC_ICC_IGRPEN1_EL1 VGIC_SYSREG(3, 0, 12, 12, 7)

#ifdef __cplusplus
}
#endif

#endif /* VGIC_ABI_H */

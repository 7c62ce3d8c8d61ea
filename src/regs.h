/*
 * libvgic - register offsets and bit fields of the GIC frames and system
 * registers (Arm IHI 0069 "GIC architecture specification" chapters 12,
 * and IHI 0048 for GICv2).  Architectural names are kept verbatim.  Only
 * what the library implements is listed; everything else is RAZ/WI.
 */
#ifndef VGIC_REGS_H
#define VGIC_REGS_H

#include <stdint.h>

/* ---- GICv3 distributor (GICD_*, 64 KiB frame) --------------------------- */
enum {
	GICD_CTLR = 0x0000,
	GICD_TYPER = 0x0004,
	GICD_IIDR = 0x0008,
	GICD_TYPER2 = 0x000c,
	GICD_STATUSR = 0x0010,
	GICD_IGROUPR = 0x0080,
	GICD_ISENABLER = 0x0100,
	GICD_ICENABLER = 0x0180,
	GICD_ISPENDR = 0x0200,
	GICD_ICPENDR = 0x0280,
	GICD_ISACTIVER = 0x0300,
	GICD_ICACTIVER = 0x0380,
	GICD_IPRIORITYR = 0x0400,
	GICD_ITARGETSR = 0x0800,
	GICD_ICFGR = 0x0c00,
	GICD_IGRPMODR = 0x0d00,
	GICD_NSACR = 0x0e00,
	GICD_SGIR = 0x0f00,
	GICD_CPENDSGIR = 0x0f10,
	GICD_SPENDSGIR = 0x0f20,
	GICD_IROUTER = 0x6000,
	GICD_IDREGS = 0xffd0,
	GICD_PIDR2 = 0xffe8,
};

/* GICD_CTLR with DS = 1 (single security state) as KVM exposes it. */
#define GICD_CTLR_ENABLE_G0 (1u << 0)
#define GICD_CTLR_ENABLE_G1A (1u << 1)
#define GICD_CTLR_ARE_NS (1u << 4)
#define GICD_CTLR_DS (1u << 6)
#define GICD_CTLR_nASSGIreq (1u << 8)
#define GICD_CTLR_RWP (1u << 31)

#define GICD_TYPER_LPIS (1u << 17)
#define GICD_TYPER_IDBITS_SHIFT 19
#define GICD_TYPER2_nASSGIcap (1u << 8)

#define GICD_IIDR_IMPLEMENTER_SHIFT 0
#define GICD_IIDR_REVISION_SHIFT 12
#define GICD_IIDR_REVISION_MASK (0xfu << GICD_IIDR_REVISION_SHIFT)
#define GICD_IIDR_PRODUCT_SHIFT 24

/* GICD_PIDR2 / GICR_PIDR2 / GITS_PIDR2: ArchRev 3 (GICv3), JEDEC bits. */
#define GIC_PIDR2_V3 0x3bu

/* GICD_IROUTER: Aff0..Aff2 in [23:0], IRM bit 31, Aff3 in [39:32]. */
#define GICD_IROUTER_AFF_MASK 0xffffffull
#define GICD_IROUTER_IRM (1ull << 31)

/* ---- GICv3 redistributor (RD_base + SGI_base = 128 KiB per vCPU) -------- */
#define GICR_SGI_BASE 0x10000u
enum {
	GICR_CTLR = 0x0000,
	GICR_IIDR = 0x0004,
	GICR_TYPER = 0x0008,
	GICR_STATUSR = 0x0010,
	GICR_WAKER = 0x0014,
	GICR_PROPBASER = 0x0070,
	GICR_PENDBASER = 0x0078,
	GICR_INVLPIR = 0x00a0,
	GICR_INVALLR = 0x00b0,
	GICR_SYNCR = 0x00c0,
	GICR_IDREGS = 0xffd0,
	/* SGI_base frame, as offsets from RD_base. */
	GICR_IGROUPR0 = GICR_SGI_BASE + 0x0080,
	GICR_ISENABLER0 = GICR_SGI_BASE + 0x0100,
	GICR_ICENABLER0 = GICR_SGI_BASE + 0x0180,
	GICR_ISPENDR0 = GICR_SGI_BASE + 0x0200,
	GICR_ICPENDR0 = GICR_SGI_BASE + 0x0280,
	GICR_ISACTIVER0 = GICR_SGI_BASE + 0x0300,
	GICR_ICACTIVER0 = GICR_SGI_BASE + 0x0380,
	GICR_IPRIORITYR0 = GICR_SGI_BASE + 0x0400,
	GICR_ICFGR0 = GICR_SGI_BASE + 0x0c00,
	GICR_IGRPMODR0 = GICR_SGI_BASE + 0x0d00,
	GICR_NSACR = GICR_SGI_BASE + 0x0e00,
};

#define GICR_CTLR_ENABLE_LPIS (1u << 0)
#define GICR_CTLR_CES (1u << 1)
#define GICR_CTLR_IR (1u << 2)
#define GICR_CTLR_RWP (1u << 3)

#define GICR_TYPER_PLPIS (1ull << 0)
#define GICR_TYPER_LAST (1ull << 4)
#define GICR_TYPER_PROCNUM_SHIFT 8
#define GICR_TYPER_AFF_SHIFT 32

/*
 * GICR_PROPBASER / GICR_PENDBASER:
 *   63 (PEND: RES0) | 62 PTZ (PEND) | 58:56 OuterCache | 51:12 PA |
 *   11:10 Shareability | 9:7 InnerCache | 4:0 IDbits (PROP)
 */
#define GICR_BASER_OUTER_CACHE_SHIFT 56
#define GICR_BASER_OUTER_CACHE_MASK (7ull << GICR_BASER_OUTER_CACHE_SHIFT)
#define GICR_BASER_SHARE_SHIFT 10
#define GICR_BASER_SHARE_MASK (3ull << GICR_BASER_SHARE_SHIFT)
#define GICR_BASER_INNER_CACHE_SHIFT 7
#define GICR_BASER_INNER_CACHE_MASK (7ull << GICR_BASER_INNER_CACHE_SHIFT)
#define GICR_PENDBASER_PTZ (1ull << 62)
#define GICR_PROPBASER_RES0 (0xf800000000000000ull | 0x00f0000000000000ull | 0x60ull)
#define GICR_PENDBASER_RES0                                                   \
	((1ull << 63) | 0x3800000000000000ull | 0x00f0000000000000ull |       \
	 0xf000ull | 0x7full)
/* Cacheability / shareability encodings used by the sanitisers. */
enum {
	GIC_BASER_CACHE_SAME_AS_INNER = 0, /* outer field only */
	GIC_BASER_CACHE_nCnB = 0,
	GIC_BASER_CACHE_nC = 1,
	GIC_BASER_CACHE_RaWb = 3,
	GIC_BASER_NON_SHAREABLE = 0,
	GIC_BASER_INNER_SHAREABLE = 1,
	GIC_BASER_OUTER_SHAREABLE = 2,
};
/* KVM's reset value of GICR_PENDBASER: RaWb, InnerShareable. */
#define GICR_PENDBASER_INIT 0x580ull

/* ---- GICv3 CPU interface system registers (ICC_*_EL1) ------------------- */
#define ICC_CTLR_CBPR (1ull << 0)
#define ICC_CTLR_EOIMODE (1ull << 1)
#define ICC_CTLR_PMHE (1ull << 6)
#define ICC_CTLR_PRIBITS_SHIFT 8
#define ICC_CTLR_PRIBITS_MASK (7ull << ICC_CTLR_PRIBITS_SHIFT)
#define ICC_CTLR_IDBITS_SHIFT 11
#define ICC_CTLR_IDBITS_MASK (7ull << ICC_CTLR_IDBITS_SHIFT)
#define ICC_CTLR_SEIS (1ull << 14)
#define ICC_CTLR_A3V (1ull << 15)

#define ICC_SRE_SRE (1ull << 0)
#define ICC_SRE_DFB (1ull << 1)
#define ICC_SRE_DIB (1ull << 2)

/* ICC_SGI0R/SGI1R/ASGI1R_EL1. */
#define ICC_SGIR_TARGETLIST_MASK 0xffffull
#define ICC_SGIR_AFF1_SHIFT 16
#define ICC_SGIR_INTID_SHIFT 24
#define ICC_SGIR_AFF2_SHIFT 32
#define ICC_SGIR_IRM (1ull << 40)
#define ICC_SGIR_RS_SHIFT 44
#define ICC_SGIR_AFF3_SHIFT 48

/* ---- GICv2 (IHI 0048): distributor extras and the GICC frame ----------- */
/* GICD_TYPER.CPUNumber; GICD_SGIR fields and TargetListFilter values. */
#define GICD_TYPER_CPUNUMBER_SHIFT 5
#define GICD_SGIR_INTID_MASK 0xfu
#define GICD_SGIR_TARGETS_SHIFT 16
#define GICD_SGIR_FILTER_SHIFT 24
enum {
	GICD_SGIR_FILTER_LIST = 0,
	GICD_SGIR_FILTER_OTHERS = 1,
	GICD_SGIR_FILTER_SELF = 2,
};
/* The GICv2 distributor's ID registers (PIDR4-7, PIDR0-3, CIDR0-3). */
#define GICD_V2_IDREGS 0x0fd0u

enum {
	GICC_CTLR = 0x0000,
	GICC_PMR = 0x0004,
	GICC_BPR = 0x0008,
	GICC_IAR = 0x000c,
	GICC_EOIR = 0x0010,
	GICC_RPR = 0x0014,
	GICC_HPPIR = 0x0018,
	GICC_ABPR = 0x001c,
	GICC_AIAR = 0x0020,
	GICC_AEOIR = 0x0024,
	GICC_AHPPIR = 0x0028,
	GICC_APR0 = 0x00d0,
	GICC_NSAPR0 = 0x00e0,
	GICC_IIDR = 0x00fc,
	GICC_DIR = 0x1000,
};
/* GICC_CTLR as the GICV view KVM gives a guest (no bypass bits). */
#define GICC_CTLR_ENABLE_GRP0 (1u << 0)
#define GICC_CTLR_ENABLE_GRP1 (1u << 1)
#define GICC_CTLR_ACKCTL (1u << 2)
#define GICC_CTLR_FIQEN (1u << 3)
#define GICC_CTLR_CBPR (1u << 4)
#define GICC_CTLR_EOIMODE (1u << 9)
#define GICC_CTLR_MASK                                                        \
	(GICC_CTLR_ENABLE_GRP0 | GICC_CTLR_ENABLE_GRP1 | GICC_CTLR_ACKCTL |   \
	 GICC_CTLR_FIQEN | GICC_CTLR_CBPR | GICC_CTLR_EOIMODE)
/* GICC_IAR/EOIR/HPPIR/DIR: INTID [9:0], SGI source CPUID [12:10]. */
#define GICC_INTID_MASK 0x3ffu
#define GICC_CPUID_SHIFT 10
#define GICC_CPUID_MASK 0x7u
#define GICC_SPURIOUS_GRP1 1022u
/* KVM's GICC_IIDR: ProductID 0x4B, architecture version 2, Arm. */
#define GICC_IIDR_ARCH_V2 2u

/* INTIDs 1020..1023 are special (1023 = spurious). */
#define VGIC_FIRST_SPECIAL_INTID 1020u

/* Lowest set bit of a non-zero value (portable, no builtins): isolate
 * it and look the de Bruijn product up.  0 gives 0. */
static inline unsigned vgic_lowest_bit(uint64_t x)
{
	static const uint8_t idx[64] = {
		0,  1,  2,  53, 3,  7,  54, 27, 4,  38, 41, 8,  34, 55, 48, 28,
		62, 5,  39, 46, 44, 42, 22, 9,  24, 35, 59, 56, 49, 18, 29, 11,
		63, 52, 6,  26, 37, 40, 33, 47, 61, 45, 43, 21, 23, 58, 17, 10,
		51, 25, 36, 32, 60, 20, 57, 16, 50, 31, 19, 15, 30, 14, 13, 12,
	};

	return idx[((x & (~x + 1)) * 0x022fdd63cc95386dull) >> 58];
}

#endif /* VGIC_REGS_H */

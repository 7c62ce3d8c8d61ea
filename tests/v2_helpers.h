/*
 * Helpers shared by the GICv2 tests (tests/test_v2_*.c): register offsets
 * of the GIC architecture v2 (as a guest or a VMM would spell them) and
 * accessors for the GICD and GICC frames at the harness's GICv2 layout.
 * Public API only.
 */
#ifndef VGIC_TEST_V2_HELPERS_H
#define VGIC_TEST_V2_HELPERS_H

#include <stdint.h>
#include <stdlib.h>

#include "harness.h"

enum {
	D_CTLR = 0x000, D_TYPER = 0x004, D_IIDR = 0x008, D_IGROUPR = 0x080,
	D_ISENABLER = 0x100, D_ICENABLER = 0x180, D_ISPENDR = 0x200,
	D_ICPENDR = 0x280, D_ISACTIVER = 0x300, D_ICACTIVER = 0x380,
	D_IPRIORITYR = 0x400, D_ITARGETSR = 0x800, D_ICFGR = 0xc00,
	D_SGIR = 0xf00, D_CPENDSGIR = 0xf10, D_SPENDSGIR = 0xf20,
	D_PIDR2 = 0xfe8,
};
enum {
	C_CTLR = 0x00, C_PMR = 0x04, C_BPR = 0x08, C_IAR = 0x0c, C_EOIR = 0x10,
	C_RPR = 0x14, C_HPPIR = 0x18, C_ABPR = 0x1c, C_AIAR = 0x20,
	C_AEOIR = 0x24, C_AHPPIR = 0x28, C_APR0 = 0xd0, C_NSAPR0 = 0xe0,
	C_IIDR = 0xfc, C_DIR = 0x1000,
};
#define CTLR_GRP0 0x1u
#define CTLR_GRP1 0x2u
#define CTLR_ACKCTL 0x4u
#define CTLR_FIQEN 0x8u
#define CTLR_CBPR 0x10u
#define CTLR_EOIMODE 0x200u
#define SGIR_LIST(t) ((uint32_t)(t) << 16)
#define SGIR_OTHERS (1u << 24)
#define SGIR_SELF (2u << 24)
#define SPURIOUS 1023u
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static inline uint32_t gicd_r(struct vgic *v, uint32_t cpu, uint32_t off)
{
	return th_read32(v, cpu, TH_V2_DIST_BASE + off);
}

static inline void gicd_w(struct vgic *v, uint32_t cpu, uint32_t off,
			  uint32_t val)
{
	th_write32(v, cpu, TH_V2_DIST_BASE + off, val);
}

static inline uint32_t gicc_r(struct vgic *v, uint32_t cpu, uint32_t off)
{
	return th_read32(v, cpu, TH_V2_CPU_BASE + off);
}

static inline void gicc_w(struct vgic *v, uint32_t cpu, uint32_t off,
			  uint32_t val)
{
	th_write32(v, cpu, TH_V2_CPU_BASE + off, val);
}

/* A guest access of @len bytes at GICD offset @off; aborts if the access
 * did not hit the frame. */
static inline uint64_t gicd_rn(struct vgic *v, uint32_t cpu, uint32_t off,
			       uint32_t len)
{
	uint64_t val = 0;

	if (vgic_mmio_read(v, cpu, TH_V2_DIST_BASE + off, &val, len))
		abort();
	return val;
}

static inline void gicd_wn(struct vgic *v, uint32_t cpu, uint32_t off,
			   uint32_t len, uint64_t val)
{
	if (vgic_mmio_write(v, cpu, TH_V2_DIST_BASE + off, &val, len))
		abort();
}

/* DIST_REGS / CPU_REGS attr for vCPU @cpu at @off. */
static inline uint64_t v2_attr(uint32_t cpu, uint32_t off)
{
	return (uint64_t)cpu << VGIC_ATTR_CPUID_SHIFT | off;
}

/* The usual guest setup: distributor on, each CPU interface taking both
 * groups with AckCtl, PMR open. */
static inline void v2_guest_enable(struct vgic *v, uint32_t nr_vcpus)
{
	gicd_w(v, 0, D_CTLR, 1);
	for (uint32_t c = 0; c < nr_vcpus; c++) {
		gicc_w(v, c, C_CTLR, CTLR_GRP0 | CTLR_GRP1 | CTLR_ACKCTL);
		gicc_w(v, c, C_PMR, 0xff);
	}
}

#endif

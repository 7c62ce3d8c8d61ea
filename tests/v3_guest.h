/*
 * Helpers for the GICv3 tests: a "guest" driving the distributor,
 * redistributors and ICC_* registers through the public API only.
 */
#ifndef VGIC_TEST_V3_GUEST_H
#define VGIC_TEST_V3_GUEST_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define GICD(off) (TH_GICD_BASE + (uint64_t)(off))
#define GICR(cpu, off) (TH_GICR_BASE + (uint64_t)(cpu) * 0x20000ull + (off))
#define SGI_BASE 0x10000u

enum {
	D_CTLR = 0x0, D_TYPER = 0x4, D_IIDR = 0x8, D_TYPER2 = 0xc,
	D_STATUSR = 0x10, D_IGROUPR = 0x80, D_ISENABLER = 0x100,
	D_ICENABLER = 0x180, D_ISPENDR = 0x200, D_ICPENDR = 0x280,
	D_ISACTIVER = 0x300, D_ICACTIVER = 0x380, D_IPRIORITYR = 0x400,
	D_ITARGETSR = 0x800, D_ICFGR = 0xc00, D_IGRPMODR = 0xd00,
	D_IROUTER = 0x6000, D_PIDR2 = 0xffe8,
	R_CTLR = 0x0, R_IIDR = 0x4, R_TYPER = 0x8, R_STATUSR = 0x10,
	R_WAKER = 0x14, R_PROPBASER = 0x70, R_PENDBASER = 0x78,
	R_SYNCR = 0xc0, R_PIDR2 = 0xffe8,
	R_IGROUPR0 = SGI_BASE + 0x80, R_ISENABLER0 = SGI_BASE + 0x100,
	R_ICENABLER0 = SGI_BASE + 0x180, R_ISPENDR0 = SGI_BASE + 0x200,
	R_ICPENDR0 = SGI_BASE + 0x280, R_ISACTIVER0 = SGI_BASE + 0x300,
	R_ICACTIVER0 = SGI_BASE + 0x380, R_IPRIORITYR0 = SGI_BASE + 0x400,
	R_ICFGR0 = SGI_BASE + 0xc00,
};

#define SGI1R(intid, aff3, aff2, aff1, rs, tl)                                \
	((uint64_t)(tl) | (uint64_t)(aff1) << 16 | (uint64_t)(intid) << 24 |  \
	 (uint64_t)(aff2) << 32 | (uint64_t)(rs) << 44 |                      \
	 (uint64_t)(aff3) << 48)
#define SGI1R_IRM (1ull << 40)

static inline uint64_t mpidr_aff(uint64_t m, int lvl)
{
	return lvl == 3 ? (m >> 32) & 0xff : (m >> (8 * lvl)) & 0xff;
}

/* Enable the distributor (EnableGrp1A) and, per vCPU, both groups with
 * PMR open. */
static inline void guest_enable(struct vgic *v, uint32_t nr_vcpus)
{
	th_write32(v, 0, GICD(D_CTLR), 2);
	for (uint32_t i = 0; i < nr_vcpus; i++) {
		th_sysreg_write(v, i, VGIC_ICC_PMR_EL1, 0xff);
		th_sysreg_write(v, i, VGIC_ICC_IGRPEN0_EL1, 1);
		th_sysreg_write(v, i, VGIC_ICC_IGRPEN1_EL1, 1);
	}
}

static inline void set_prio(struct vgic *v, uint32_t cpu, uint32_t intid,
			    uint8_t prio)
{
	uint8_t p = prio;
	uint64_t gpa = intid < 32 ? GICR(cpu, R_IPRIORITYR0 + intid) :
				    GICD(D_IPRIORITYR + intid);

	assert_int_equal(vgic_mmio_write(v, cpu, gpa, &p, 1), 0);
}

static inline void enable_irq(struct vgic *v, uint32_t cpu, uint32_t intid)
{
	if (intid < 32)
		th_write32(v, cpu, GICR(cpu, R_ISENABLER0), 1u << intid);
	else
		th_write32(v, cpu, GICD(D_ISENABLER + intid / 32 * 4),
			   1u << (intid % 32));
}

static inline void set_group(struct vgic *v, uint32_t cpu, uint32_t intid,
			     int grp)
{
	uint64_t gpa = intid < 32 ? GICR(cpu, R_IGROUPR0) :
				    GICD(D_IGROUPR + intid / 32 * 4);
	uint32_t val = th_read32(v, cpu, gpa);

	val = grp ? val | 1u << (intid % 32) : val & ~(1u << (intid % 32));
	th_write32(v, cpu, gpa, val);
}

static inline void set_edge(struct vgic *v, uint32_t cpu, uint32_t intid,
			    bool edge)
{
	uint64_t gpa = GICD(D_ICFGR + intid / 16 * 4);
	uint32_t val = th_read32(v, cpu, gpa);
	uint32_t bit = 2u << (2 * (intid % 16));

	th_write32(v, cpu, gpa, edge ? val | bit : val & ~bit);
}

static inline void route(struct vgic *v, uint32_t intid, uint64_t mpidr)
{
	uint64_t aff = (mpidr & 0xffffff) | (mpidr & 0xff00000000ull);

	th_write64(v, 0, GICD(D_IROUTER + intid * 8), aff);
}

static inline uint32_t iar1(struct vgic *v, uint32_t cpu)
{
	return (uint32_t)th_sysreg_read(v, cpu, VGIC_ICC_IAR1_EL1);
}

static inline uint32_t iar0(struct vgic *v, uint32_t cpu)
{
	return (uint32_t)th_sysreg_read(v, cpu, VGIC_ICC_IAR0_EL1);
}

static inline void eoi1(struct vgic *v, uint32_t cpu, uint32_t intid)
{
	th_sysreg_write(v, cpu, VGIC_ICC_EOIR1_EL1, intid);
}

static inline void eoi0(struct vgic *v, uint32_t cpu, uint32_t intid)
{
	th_sysreg_write(v, cpu, VGIC_ICC_EOIR0_EL1, intid);
}

static inline void send_sgi1(struct vgic *v, uint32_t cpu, uint64_t val)
{
	th_sysreg_write(v, cpu, VGIC_ICC_SGI1R_EL1, val);
}

/* Number of iterations, smaller under sanitizers. */
static inline unsigned iters(unsigned plain, unsigned sanitized)
{
	const char *s = getenv("VGIC_SANITIZED");

	return s && *s == '1' ? sanitized : plain;
}

#endif

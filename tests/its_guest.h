/*
 * A guest-side ITS driver for the ITS/LPI tests: programs the redistributors
 * (PROPBASER, PENDBASER, EnableLPIs), the CPU interface and one ITS the way
 * the Linux GICv3 ITS driver does, and issues commands through the command
 * queue in guest RAM.  Only the public API is used.
 */
#ifndef VGIC_TEST_ITS_GUEST_H
#define VGIC_TEST_ITS_GUEST_H

#include <string.h>

#include "harness.h"

/* Guest RAM layout, offsets from TH_RAM_BASE (RAM >= 8 MB). */
#define GI_PROP 0x30000ull    /* LPI configuration table: 64 KB */
#define GI_PEND 0x40000ull    /* + vcpu * 64 KB pending tables (<= 8 vCPUs) */
#define GI_ITS_AREA 0x100000ull /* + its_index * 0x100000 per ITS: */
#define GI_CMDQ 0x00000ull    /*   command queue 64 KB */
#define GI_DT 0x10000ull      /*   device table 64 KB (or its L1) */
#define GI_CT 0x20000ull      /*   collection table 64 KB */
#define GI_L2 0x30000ull      /*   L2 device table page 64 KB */
#define GI_ITT 0x40000ull     /*   ITTs: + devid%128 * 0x1000 (512 events) */

#define GITS_CTLR_OFF 0x0
#define GITS_CBASER_OFF 0x80
#define GITS_CWRITER_OFF 0x88
#define GITS_CREADR_OFF 0x90
#define GITS_BASER0_OFF 0x100
#define GITS_BASER1_OFF 0x108
#define GITS_TRANSLATER_OFF 0x10040

#define GICR_CTLR_OFF 0x0
#define GICR_PROPBASER_OFF 0x70
#define GICR_PENDBASER_OFF 0x78
#define GICR_INVLPIR_OFF 0xa0
#define GICR_INVALLR_OFF 0xb0

struct gi_its {
	struct vgic *v;
	struct th_host *h;
	uint64_t base;  /* ITS frame */
	uint64_t area;  /* GPA of this ITS's tables */
	uint32_t cwriter;
};

static inline int gi_set_its_addr(struct vgic_device *d,
					   uint64_t addr)
{
	return th_set_attr(d, VGIC_GRP_ADDR, VGIC_ITS_ADDR_TYPE, &addr);
}

/* ITS frames: #0 where th_vm_v3 puts it; more above 0x09000000 (the
 * harness's layout has the redistributors right after ITS #0). */
static inline uint64_t gi_its_base(uint32_t idx)
{
	return idx ? 0x09000000ull + (idx - 1) * 0x20000ull : TH_ITS_BASE;
}

/* Create ITS #@idx (>= 1) and give it its frame.  Before gi_cpu_init():
 * creating an ITS resets PROPBASER. */
static inline struct vgic_device *gi_add_its(struct vgic *v, uint32_t idx)
{
	struct vgic_device *d = NULL;
	uint64_t addr = gi_its_base(idx);

	if (vgic_device_create(v, VGIC_DEV_TYPE_ITS, &d) ||
	    gi_set_its_addr(d, addr))
		return NULL;
	return d;
}

/* Does this build have a working GICv3 front end (distributor,
 * redistributors, ICC_* registers)?  Tests skip while it is stubbed. */
static inline bool gi_have_gicv3(void)
{
	struct vgic_config cfg = { .nr_vcpus = 1 };
	struct th_host *h = th_host_new(4096);
	struct vgic_device *g;
	struct vgic *v;
	uint64_t addr = TH_GICD_BASE, val = 0;
	bool ok;

	ok = !vgic_create(&cfg, &th_ops, h, &v) &&
	     !vgic_device_create(v, VGIC_DEV_TYPE_V3, &g) &&
	     !th_set_attr(g, VGIC_GRP_ADDR, VGIC_V3_ADDR_TYPE_DIST, &addr) &&
	     vgic_sysreg_read(v, 0, VGIC_ICC_PMR_EL1, &val) == 0;
	vgic_destroy(v);
	th_host_free(h);
	return ok;
}

static inline uint64_t gi_rd(uint32_t vcpu)
{
	return TH_GICR_BASE + (uint64_t)vcpu * 0x20000;
}

/* LPI configuration byte for @intid in guest RAM (no INV issued). */
static inline void gi_set_cfg(struct th_host *h, uint32_t intid, uint8_t prio,
			      bool enable)
{
	*(uint8_t *)th_ram(h, TH_RAM_BASE + GI_PROP + intid - 8192) =
		(uint8_t)((prio & 0xfc) | (enable ? 1 : 0) | 2);
}

/* Redistributors + CPU interface: PROPBASER (IDbits 15: 16-bit INTIDs),
 * PENDBASER per vCPU, GICD_CTLR.EnableGrp1, then EnableLPIs, IGRPEN1, PMR. */
static inline void gi_cpu_init(struct vgic *v, struct th_host *h,
			       uint32_t nr_vcpus, bool enable_lpis)
{
	(void)h;
	th_write32(v, 0, TH_GICD_BASE, 1u << 1 | 1u << 4);
	for (uint32_t c = 0; c < nr_vcpus; c++) {
		th_write64(v, c, gi_rd(c) + GICR_PROPBASER_OFF,
			   (TH_RAM_BASE + GI_PROP) | 0x780 | 15);
		th_write64(v, c, gi_rd(c) + GICR_PENDBASER_OFF,
			   (TH_RAM_BASE + GI_PEND + c * 0x10000ull) | 0x380);
		if (enable_lpis)
			th_write32(v, c, gi_rd(c) + GICR_CTLR_OFF, 1);
		th_sysreg_write(v, c, VGIC_ICC_PMR_EL1, 0xff);
		th_sysreg_write(v, c, VGIC_ICC_IGRPEN1_EL1, 1);
	}
}

/* ITS @idx at TH_ITS_BASE + idx * 128 KB: CBASER (64 KB queue), BASER0
 * (flat 64 KB device table, or two-level with @indirect), BASER1 (64 KB),
 * then GITS_CTLR.Enable. */
static inline void gi_its_init(struct gi_its *g, struct vgic *v,
			       struct th_host *h, uint32_t idx, bool indirect)
{
	memset(g, 0, sizeof(*g));
	g->v = v;
	g->h = h;
	g->base = gi_its_base(idx);
	g->area = TH_RAM_BASE + GI_ITS_AREA + idx * 0x100000ull;
	th_write64(v, 0, g->base + GITS_CBASER_OFF,
		   (1ull << 63) | (g->area + GI_CMDQ) | 0x7ull << 59 | 15);
	th_write64(v, 0, g->base + GITS_BASER0_OFF,
		   (1ull << 63) | (indirect ? 1ull << 62 : 0) |
			   (g->area + GI_DT) | 0x7ull << 59 | 1ull << 56 |
			   7ull << 48 | 2ull << 8);
	th_write64(v, 0, g->base + GITS_BASER1_OFF,
		   (1ull << 63) | (g->area + GI_CT) | 0x7ull << 59 |
			   4ull << 56 | 7ull << 48 | 2ull << 8);
	th_write32(v, 0, g->base + GITS_CTLR_OFF, 1);
}

static inline uint64_t gi_itt(struct gi_its *g, uint32_t devid)
{
	return g->area + GI_ITT + (devid % 128) * 0x1000ull;
}

static inline void gi_cmd(struct gi_its *g, uint64_t w0, uint64_t w1,
			  uint64_t w2, uint64_t w3)
{
	uint64_t *q = th_ram(g->h, g->area + GI_CMDQ + g->cwriter);

	q[0] = w0;
	q[1] = w1;
	q[2] = w2;
	q[3] = w3;
	g->cwriter = (g->cwriter + 32) % 0x10000;
	th_write64(g->v, 0, g->base + GITS_CWRITER_OFF, g->cwriter);
}

static inline void gi_mapd(struct gi_its *g, uint32_t devid, uint64_t itt,
			   uint32_t bits, bool valid)
{
	gi_cmd(g, 0x08 | (uint64_t)devid << 32, bits - 1,
	       (valid ? 1ull << 63 : 0) | itt, 0);
}

static inline void gi_mapc(struct gi_its *g, uint32_t icid, uint32_t rd,
			   bool valid)
{
	gi_cmd(g, 0x09, 0, (valid ? 1ull << 63 : 0) | (uint64_t)rd << 16 | icid,
	       0);
}

static inline void gi_mapti(struct gi_its *g, uint32_t devid, uint32_t ev,
			    uint32_t intid, uint32_t icid)
{
	gi_cmd(g, 0x0a | (uint64_t)devid << 32, (uint64_t)intid << 32 | ev,
	       icid, 0);
}

static inline void gi_mapi(struct gi_its *g, uint32_t devid, uint32_t ev,
			   uint32_t icid)
{
	gi_cmd(g, 0x0b | (uint64_t)devid << 32, ev, icid, 0);
}

/* MOVI, DISCARD, CLEAR, INT, INV: opcode + DeviceID/EventID (+ ICID). */
static inline void gi_devcmd(struct gi_its *g, uint8_t op, uint32_t devid,
			     uint32_t ev, uint32_t icid)
{
	gi_cmd(g, op | (uint64_t)devid << 32, ev, icid, 0);
}

static inline void gi_invall(struct gi_its *g, uint32_t icid)
{
	gi_cmd(g, 0x0d, 0, icid, 0);
}

static inline void gi_movall(struct gi_its *g, uint32_t rd1, uint32_t rd2)
{
	gi_cmd(g, 0x0e, 0, (uint64_t)rd1 << 16, (uint64_t)rd2 << 16);
}

static inline void gi_sync(struct gi_its *g, uint32_t rd)
{
	gi_cmd(g, 0x05, 0, (uint64_t)rd << 16, 0);
}

static inline int gi_msi(struct gi_its *g, uint32_t devid, uint32_t ev)
{
	return vgic_signal_msi(g->v, g->base + GITS_TRANSLATER_OFF, devid, ev);
}

static inline uint32_t gi_ack(struct vgic *v, uint32_t vcpu)
{
	return (uint32_t)th_sysreg_read(v, vcpu, VGIC_ICC_IAR1_EL1);
}

static inline void gi_eoi(struct vgic *v, uint32_t vcpu, uint32_t intid)
{
	th_sysreg_write(v, vcpu, VGIC_ICC_EOIR1_EL1, intid);
}

/* Acknowledge and EOI the highest pending interrupt of @vcpu; returns its
 * INTID (1023 if none). */
static inline uint32_t gi_take(struct vgic *v, uint32_t vcpu)
{
	uint32_t intid = gi_ack(v, vcpu);

	if (intid != 1023)
		gi_eoi(v, vcpu, intid);
	return intid;
}

#endif

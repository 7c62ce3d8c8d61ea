/*
 * A guest-like driver for the save/restore tests (test_save_*.c,
 * test_snapshot_*.c): it programs redistributors and ITSes the way the
 * Linux GICv3 ITS driver does, through guest MMIO and system registers
 * only, and lays its tables out in the harness RAM at fixed places.
 *
 * RAM map (offsets from TH_RAM_BASE, all 64 KiB aligned):
 *   0x000000  LPI configuration table (64 KiB: IDbits = 15)
 *   0x010000  pending table of vCPU c at 0x010000 + c * 0x10000 (c < 16)
 *   0x110000  ITS i: command queue  0x110000 + i * 0x40000
 *                    device table   + 0x10000 (64 KiB, or the L1 table)
 *                    collections    + 0x20000
 *                    L2 page(s)     + 0x30000 (one 64 KiB page)
 *   0x210000  ITTs: device d's ITT at 0x210000 + d * SG_ITT_STRIDE
 */
#ifndef VGIC_TEST_SAVE_GUEST_H
#define VGIC_TEST_SAVE_GUEST_H

#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define SG_PROP (TH_RAM_BASE + 0x000000ull)
#define SG_PEND(c) (TH_RAM_BASE + 0x010000ull + (uint64_t)(c) * 0x10000)
#define SG_ITS(i) (TH_RAM_BASE + 0x110000ull + (uint64_t)(i) * 0x40000)
#define SG_CMDQ(i) (SG_ITS(i))
#define SG_DT(i) (SG_ITS(i) + 0x10000)
#define SG_CT(i) (SG_ITS(i) + 0x20000)
#define SG_L2(i) (SG_ITS(i) + 0x30000)
#define SG_ITT_BASE (TH_RAM_BASE + 0x210000ull)
#define SG_ITT_STRIDE 0x800ull /* 256 events */
#define SG_ITT(d) (SG_ITT_BASE + (uint64_t)(d) * SG_ITT_STRIDE)
#define SG_RAM_SIZE (0x210000 + 64 * 0x800 + 0x100000)

#define SG_GICR(c) (TH_GICR_BASE + (uint64_t)(c) * VGIC_V3_REDIST_SIZE)
/* ITS frames away from the redistributors (th_vm_v3 would put a second ITS
 * on top of GICR 0). */
#define SG_GITS(i) (0x09000000ull + (uint64_t)(i) * VGIC_ITS_SIZE)

#define SG_GICD_CTLR 0x0
#define SG_GICR_CTLR 0x0
#define SG_GICR_TYPER 0x8
#define SG_GICR_PROPBASER 0x70
#define SG_GICR_PENDBASER 0x78
#define SG_GITS_CTLR 0x0
#define SG_GITS_CBASER 0x80
#define SG_GITS_CWRITER 0x88
#define SG_GITS_CREADR 0x90
#define SG_GITS_BASER0 0x100
#define SG_GITS_BASER1 0x108

#define SG_BASER_VALID (1ull << 63)
#define SG_BASER_INDIRECT (1ull << 62)
#define SG_BASER_64K (2ull << 8)

enum {
	SG_MOVI = 0x01, SG_INT = 0x03, SG_CLEAR = 0x04, SG_SYNC = 0x05,
	SG_MAPD = 0x08, SG_MAPC = 0x09, SG_MAPTI = 0x0a, SG_MAPI = 0x0b,
	SG_INV = 0x0c, SG_INVALL = 0x0d, SG_MOVALL = 0x0e, SG_DISCARD = 0x0f,
};

struct sg {
	struct th_host *h;
	struct vgic *v;
	struct vgic_device *gic;
	struct vgic_device *its[4];
	uint32_t nr_vcpus, nr_its;
	uint64_t cwriter[4];
};

static inline uint64_t sg_le64(const void *p)
{
	const uint8_t *b = p;
	uint64_t x = 0;

	for (int i = 7; i >= 0; i--)
		x = x << 8 | b[i];
	return x;
}

static inline void sg_put_le64(void *p, uint64_t x)
{
	uint8_t *b = p;

	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(x >> (8 * i));
}

/* Guest RAM as 64-bit little-endian entries. */
static inline uint64_t sg_rd(struct sg *g, uint64_t gpa)
{
	return sg_le64(th_ram(g->h, gpa));
}

static inline void sg_wr(struct sg *g, uint64_t gpa, uint64_t val)
{
	sg_put_le64(th_ram(g->h, gpa), val);
}

/* Configure LPI @intid: priority 0xa0, enabled. */
static inline void sg_lpi_cfg(struct sg *g, uint32_t intid, uint8_t cfg)
{
	*(uint8_t *)th_ram(g->h, SG_PROP + intid - 8192) = cfg;
}

/* KVM ITS table ABI REV0 entries, built from the documented layout. */
static inline uint64_t sg_dte(uint64_t itt, uint32_t bits, uint32_t next)
{
	return 1ull << 63 | (uint64_t)next << 49 | (itt >> 8) << 5 | (bits - 1);
}

static inline uint64_t sg_ite(uint32_t intid, uint32_t icid, uint32_t next)
{
	return (uint64_t)next << 48 | (uint64_t)intid << 16 | icid;
}

static inline uint64_t sg_cte(uint32_t icid, uint32_t target)
{
	return 1ull << 63 | (uint64_t)target << 16 | icid;
}

/* Redistributor @c: PROPBASER, PENDBASER, EnableLPIs; CPU interface on. */
static inline void sg_rd_init(struct sg *g, uint32_t c, bool enable)
{
	th_write64(g->v, c, SG_GICR(c) + SG_GICR_PROPBASER, SG_PROP | 15);
	th_write64(g->v, c, SG_GICR(c) + SG_GICR_PENDBASER, SG_PEND(c));
	if (enable)
		th_write32(g->v, c, SG_GICR(c) + SG_GICR_CTLR, 1);
	th_sysreg_write(g->v, c, VGIC_ICC_PMR_EL1, 0xff);
	th_sysreg_write(g->v, c, VGIC_ICC_IGRPEN1_EL1, 1);
}

/* ITS @i with a flat (or two-level) device table of @dt_pages pages. */
static inline void sg_its_init(struct sg *g, uint32_t i, bool indirect)
{
	uint64_t base = SG_GITS(i);
	uint64_t dt = SG_DT(i) | SG_BASER_VALID | SG_BASER_64K;

	if (indirect) {
		dt |= SG_BASER_INDIRECT;
		sg_wr(g, SG_DT(i), SG_L2(i) | (1ull << 63));
	}
	th_write64(g->v, 0, base + SG_GITS_BASER0, dt);
	th_write64(g->v, 0, base + SG_GITS_BASER1,
		   SG_CT(i) | SG_BASER_VALID | SG_BASER_64K);
	th_write64(g->v, 0, base + SG_GITS_CBASER,
		   SG_CMDQ(i) | (1ull << 63) | 15);
	g->cwriter[i] = 0;
	th_write32(g->v, 0, base + SG_GITS_CTLR, 1);
}

static inline void sg_cmd(struct sg *g, uint32_t i, uint64_t d0, uint64_t d1,
			  uint64_t d2, uint64_t d3)
{
	uint64_t at = SG_CMDQ(i) + g->cwriter[i];

	sg_wr(g, at, d0);
	sg_wr(g, at + 8, d1);
	sg_wr(g, at + 16, d2);
	sg_wr(g, at + 24, d3);
	g->cwriter[i] = (g->cwriter[i] + 32) % 0x10000;
	th_write64(g->v, 0, SG_GITS(i) + SG_GITS_CWRITER, g->cwriter[i]);
}

static inline void sg_mapd(struct sg *g, uint32_t i, uint32_t dev,
			   uint64_t itt, uint32_t bits, bool valid)
{
	sg_cmd(g, i, SG_MAPD | (uint64_t)dev << 32, bits - 1,
	       (uint64_t)valid << 63 | (itt & 0x000fffffffffff00ull), 0);
}

static inline void sg_mapc(struct sg *g, uint32_t i, uint32_t icid,
			   uint32_t rd, bool valid)
{
	sg_cmd(g, i, SG_MAPC, 0,
	       (uint64_t)valid << 63 | (uint64_t)rd << 16 | icid, 0);
}

static inline void sg_mapti(struct sg *g, uint32_t i, uint32_t dev,
			    uint32_t ev, uint32_t intid, uint32_t icid)
{
	sg_cmd(g, i, SG_MAPTI | (uint64_t)dev << 32,
	       ev | (uint64_t)intid << 32, icid, 0);
}

static inline void sg_devev(struct sg *g, uint32_t i, uint32_t op,
			    uint32_t dev, uint32_t ev, uint32_t icid)
{
	sg_cmd(g, i, op | (uint64_t)dev << 32, ev, icid, 0);
}

/* Like th_vm_v3, with the ITS frames at SG_GITS(i). */
static inline struct vgic *sg_vm_v3(struct th_host *h, uint32_t nr_vcpus,
				    const uint64_t *mpidr, uint32_t nr_its,
				    struct vgic_device **gic,
				    struct vgic_device **its)
{
	struct vgic *v = th_vm_v3(h, nr_vcpus, mpidr, 0, 0, gic, NULL);

	for (uint32_t i = 0; i < nr_its; i++) {
		uint64_t addr = SG_GITS(i);

		if (vgic_device_create(v, VGIC_DEV_TYPE_ITS, &its[i]) ||
		    th_set_attr(its[i], VGIC_GRP_ADDR, VGIC_ITS_ADDR_TYPE,
				&addr))
			abort();
	}
	return v;
}

/* Create a VM the way th_vm_v3 does, then program every RD and ITS. */
static inline void sg_new(struct sg *g, struct th_host *h, uint32_t nr_vcpus,
			  const uint64_t *mpidr, uint32_t nr_its, bool indirect)
{
	memset(g, 0, sizeof(*g));
	g->h = h;
	g->nr_vcpus = nr_vcpus;
	g->nr_its = nr_its;
	g->v = sg_vm_v3(h, nr_vcpus, mpidr, nr_its, &g->gic, g->its);
	th_write32(g->v, 0, TH_GICD_BASE + SG_GICD_CTLR, 0x12); /* Grp1A|ARE */
	for (uint32_t c = 0; c < nr_vcpus; c++)
		sg_rd_init(g, c, true);
	for (uint32_t i = 0; i < nr_its; i++)
		sg_its_init(g, i, indirect);
}

static inline int sg_ctrl(struct vgic_device *d, uint32_t attr)
{
	return th_set_attr(d, VGIC_GRP_CTRL, attr, NULL);
}

static inline int sg_msi(struct sg *g, uint32_t i, uint32_t dev, uint32_t ev)
{
	return vgic_signal_msi(g->v, SG_GITS(i) + 0x10040, dev, ev);
}

/* Acknowledge + EOI the next group-1 interrupt of @c (1023: none). */
static inline uint32_t sg_ack(struct vgic *v, uint32_t c)
{
	uint64_t intid = th_sysreg_read(v, c, VGIC_ICC_IAR1_EL1);

	if (intid != 1023)
		th_sysreg_write(v, c, VGIC_ICC_EOIR1_EL1, intid);
	return (uint32_t)intid;
}

/* A host whose RAM is a copy of @h's. */
static inline struct th_host *sg_clone_ram(const struct th_host *h)
{
	struct th_host *n = th_host_new(h->ram_size);

	memcpy(n->ram, h->ram, h->ram_size);
	return n;
}

/* Move every register of @src's ITS @i into @dst's ITS @i in KVM's order
 * and RESTORE_TABLES (returns its result; CTLR is set only on success). */
static inline int sg_its_migrate(struct vgic_device *src,
				 struct vgic_device *dst)
{
	static const uint64_t regs[] = { 0x4, 0x80, 0x90, 0x88, 0x100, 0x108,
					 0x110, 0x118, 0x120, 0x128, 0x130,
					 0x138 };
	uint64_t val;
	int ret;

	for (size_t k = 0; k < sizeof(regs) / sizeof(regs[0]); k++) {
		if (th_get_attr(src, VGIC_GRP_ITS_REGS, regs[k], &val))
			return -1000;
		ret = th_set_attr(dst, VGIC_GRP_ITS_REGS, regs[k], &val);
		if (ret)
			return ret;
	}
	ret = sg_ctrl(dst, VGIC_CTRL_ITS_RESTORE_TABLES);
	if (ret)
		return ret;
	if (th_get_attr(src, VGIC_GRP_ITS_REGS, 0, &val))
		return -1000;
	return th_set_attr(dst, VGIC_GRP_ITS_REGS, 0, &val);
}

/* ---- snapshot stream helpers (docs/snapshot.md) ---- */

/* Bitwise CRC32 (IEEE, reflected): independent of the library's. */
static inline uint32_t crc32_ref(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return ~c;
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void wr32(uint8_t *p, uint32_t x)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(x >> (8 * i));
}

/* Recompute every CRC of a stream (after a deliberate edit). */
static inline void fix_crcs(uint8_t *s, size_t len)
{
	size_t off = 32;
	uint32_t n = rd32(s + 24);

	wr32(s + 28, crc32_ref(s, 28));
	for (uint32_t i = 0; i < n && off + 24 <= len - 4; i++) {
		uint32_t size = rd32(s + off + 16);
		uint8_t tmp[20];

		if (size > len - 4 - off - 24)
			break;
		memcpy(tmp, s + off, 20);
		{
			uint8_t *buf = malloc(20 + size);
			memcpy(buf, tmp, 20);
			memcpy(buf + 20, s + off + 24, size);
			wr32(s + off + 20, crc32_ref(buf, 20 + size));
			free(buf);
		}
		off += 24 + size;
	}
	wr32(s + len - 4, crc32_ref(s, len - 4));
}

#endif

/*
 * libvgic fuzz target 3: ITS_RESTORE_TABLES and SAVE_PENDING_TABLES over
 * arbitrary guest RAM and arbitrary GITS_BASER0/1, GICR_PROPBASER and
 * GICR_PENDBASER values (KVM ITS table ABI REV0).
 *
 * Input format (little-endian, zeros past the end):
 *   u8  config: bits 1:0 nr_vcpus - 1, bit 2 sparse MPIDRs
 *   u8  BASER0 selector [+ u64 if raw], u8 BASER1 selector [+ u64]:
 *       bit 7 raw value; else bit 6 Valid = 0, bit 0 Indirect (BASER0),
 *       bits 2:1 table pages - 1
 *   u8  PROPBASER selector [+ u64]: bit 7 raw, else IDbits 14 + sel % 3
 *   per vCPU: u8 PENDBASER selector [+ u64]: bit 7 raw
 *   u8  GICR_CTLR.EnableLPIs mask
 *   then table-entry pokes until the end: u8 kind and fields, see poke().
 *
 * Invariants:
 *  - every call returns a documented errno;
 *  - a failed RESTORE_TABLES leaves nothing behind: repeating it gives the
 *    same errno (KVM would now say -EEXIST; we restore all or nothing);
 *  - after a successful restore, SAVE_TABLES succeeds, and - when the
 *    tables alias nothing (no raw words, no shared or oversized ITTs, no
 *    two L1 entries on one L2 page: otherwise one device's saved entries
 *    legitimately rewrite another's) - a fresh VM restoring what it wrote
 *    translates every probed (DeviceID, EventID) the same way and delivers
 *    the same LPIs to the same vCPUs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

/* Table placement inside guest RAM (the first MiB holds the command
 * queue and the LPI tables, see fuzz.h). */
#define T_DT (TH_RAM_BASE + 0x100000)   /* device table or L1, <= 4 pages */
#define T_CT (TH_RAM_BASE + 0x180000)   /* collection table, <= 4 pages */
#define T_L2 (TH_RAM_BASE + 0x200000)   /* 16 level-2 pages */
#define T_ITT (TH_RAM_BASE + 0x300000)  /* 256 ITTs of 2 KiB */
#define MAX_POKES 512

struct dte_note {
	uint32_t devid;
	uint8_t slot;
};

struct ite_note {
	uint8_t slot, event;
};

struct tables {
	uint32_t nr_vcpus;
	const uint64_t *mpidr;
	uint64_t baser0, baser1, propbaser, pendbaser[FZ_MAX_VCPUS];
	uint8_t enable_lpis;
	bool pend_raw;
	/* What the pokes described, to derive probes. */
	struct dte_note dte[MAX_POKES];
	uint32_t nr_dte;
	struct ite_note ite[MAX_POKES];
	uint32_t nr_ite;
	int16_t l1_of_page[16]; /* last L1 index pointing at an L2 page */
	uint8_t slot_used[32];  /* ITT slots named by DTE pokes */
	/* No aliasing (raw words, shared or oversized ITTs, two L1 entries
	 * on one L2 page): the restore/save/restore differential applies. */
	bool simple;
	struct fz_probe probe[FZ_MAX_PROBES];
	uint32_t nr_probes;
};

static uint64_t sel_baser(struct fz *f, uint64_t addr, bool dev)
{
	uint8_t sel = fz_u8(f);
	uint64_t type = dev ? 1 : 4;

	if (sel & 0x80)
		return fz_u64(f);
	return (sel & 0x40 ? 0 : 1ull << 63) |
	       (dev && (sel & 1) ? 1ull << 62 : 0) | 3ull << 59 |
	       type << 56 | 7ull << 48 | addr | 1ull << 10 | 2ull << 8 |
	       ((sel >> 1) & 3);
}

static uint64_t dte_val(struct tables *t, struct fz *f, uint8_t *slot)
{
	uint8_t next = fz_u8(f), s = fz_u8(f), size = fz_u8(f);
	uint64_t itt = T_ITT + (uint64_t)s * 0x800;
	uint32_t bits = (size & 0x80 ? size & 0x1f : size % 9) + 1u;

	/* An ITT of more than the slot's 256 events, or one shared by two
	 * DTEs, aliases another device's entries. */
	if (bits > 8 || (t->slot_used[s / 8] & (1u << (s % 8))))
		t->simple = false;
	t->slot_used[s / 8] |= (uint8_t)(1u << (s % 8));
	*slot = s;
	return 1ull << 63 | (uint64_t)(next & 0x7f) << 49 |
	       (itt >> 8) << 5 | (bits - 1);
}

static void ram_put64(struct th_host *h, uint64_t gpa, uint64_t val)
{
	if (gpa >= TH_RAM_BASE && gpa - TH_RAM_BASE <= FZ_RAM_SIZE - 8)
		memcpy(th_ram(h, gpa), &val, 8);
}

static void poke(struct tables *t, struct th_host *h, struct fz *f)
{
	uint8_t kind = fz_u8(f) % 8;
	uint16_t idx = fz_u16(f);
	uint8_t b = fz_u8(f), slot;
	uint64_t val;

	switch (kind) {
	case 0: /* DTE in a flat table */
		val = dte_val(t, f, &slot);
		ram_put64(h, T_DT + (idx % 0x8000) * 8ull, val);
		if (t->nr_dte < MAX_POKES)
			t->dte[t->nr_dte++] =
				(struct dte_note){ idx % 0x8000u, slot };
		break;
	case 1: { /* ITE: next | pINTID | ICID; b[7:4] != 0: a run of them */
		uint16_t p = fz_u16(f);
		uint32_t pintid = (p & 0x8000) ? (uint32_t)p * 3
					       : 8192u + (p & 0x3ff);
		uint32_t icid = fz_u8(f) % 8, ev = idx >> 8;
		uint32_t n = 1 + (b >> 4) * 5u; /* consecutive EventIDs, pINTIDs */

		slot = (uint8_t)idx;
		for (uint32_t k = 0; k < n && ev + k < 256; k++) {
			val = (uint64_t)(k + 1 < n ? 1 : b & 0xf) << 48 |
			      (uint64_t)(pintid + k) << 16 | icid;
			ram_put64(h, T_ITT + slot * 0x800ull + (ev + k) * 8ull,
				  val);
			if (t->nr_ite < MAX_POKES)
				t->ite[t->nr_ite++] = (struct ite_note){
					slot, (uint8_t)(ev + k)
				};
		}
		break;
	}
	case 2: { /* CTE: V | RDbase | ICID; target a vCPU or "unmapped" */
		uint32_t rd = (b & 0x80) ? 0xffffffffu
					 : b % (t->nr_vcpus + 1);

		val = (b & 0x40 ? 0 : 1ull << 63) | (uint64_t)rd << 16 |
		      (fz_u8(f) % 8);
		ram_put64(h, T_CT + (idx % 0x2000) * 8ull, val);
		break;
	}
	case 3: /* L1 entry pointing at one of the L2 pages */
		val = (b & 0x80 ? 0 : 1ull << 63) |
		      (T_L2 + (uint64_t)(b & 0xf) * 0x10000);
		ram_put64(h, T_DT + (idx % 16) * 8ull, val);
		if (t->l1_of_page[b & 0xf] >= 0 &&
		    t->l1_of_page[b & 0xf] != (int16_t)(idx % 16))
			t->simple = false;
		t->l1_of_page[b & 0xf] = (int16_t)(idx % 16);
		break;
	case 4: /* DTE in a level-2 page */
		val = dte_val(t, f, &slot);
		ram_put64(h, T_L2 + (b & 0xf) * 0x10000ull + (idx % 8192) * 8ull,
			  val);
		if (t->l1_of_page[b & 0xf] >= 0 && t->nr_dte < MAX_POKES)
			t->dte[t->nr_dte++] = (struct dte_note){
				(uint32_t)t->l1_of_page[b & 0xf] * 8192 +
					idx % 8192,
				slot
			};
		break;
	case 5: /* any 8 bytes anywhere */
		t->simple = false;
		ram_put64(h, TH_RAM_BASE + (fz_u32(f) % FZ_RAM_SIZE & ~7ull),
			  fz_u64(f));
		break;
	case 6: { /* a pending bit */
		uint8_t *pend = th_ram(h, FZ_PEND(b % t->nr_vcpus));

		pend[(idx >> 3) & 0x1fff] |= (uint8_t)(1u << (idx & 7));
		break;
	}
	default: { /* an LPI configuration byte */
		uint8_t *prop = th_ram(h, FZ_PROP);

		prop[idx % 0xe000] = b;
		break;
	}
	}
}

static void make_probes(struct tables *t)
{
	for (uint32_t d = 0; d < t->nr_dte; d++)
		for (uint32_t e = 0; e < t->nr_ite; e++) {
			if (t->ite[e].slot != t->dte[d].slot)
				continue;
			if (t->nr_probes == FZ_MAX_PROBES)
				return;
			t->probe[t->nr_probes++] = (struct fz_probe){
				TH_ITS_BASE + 0x10040, t->dte[d].devid,
				t->ite[e].event
			};
		}
}

static void set_its_reg(struct vgic_device *its, uint64_t off, uint64_t val)
{
	fz_check_errno(th_set_attr(its, VGIC_GRP_ITS_REGS, off, &val),
		       "ITS_REGS set");
}

/* A VM with the input's register values; ITS not yet enabled. */
static struct vgic *make_vm(const struct tables *t, struct th_host *h,
			    struct vgic_device **gic, struct vgic_device **its)
{
	uint32_t nr_its = 1;
	struct vgic *v = fz_vm_v3(h, t->nr_vcpus, t->mpidr, 0, &nr_its, gic,
				  its);

	if (!v || nr_its != 1) {
		vgic_destroy(v);
		return NULL;
	}
	fz_cpu_on(v, t->nr_vcpus);
	fz_mmio_wr(v, 0, fz_rd_base(0) + FZ_GICR_PROPBASER, t->propbaser, 8);
	for (uint32_t i = 0; i < t->nr_vcpus; i++)
		fz_mmio_wr(v, i, fz_rd_base(i) + FZ_GICR_PENDBASER,
			   t->pendbaser[i], 8);
	for (uint32_t i = 0; i < t->nr_vcpus; i++)
		fz_mmio_wr(v, i, fz_rd_base(i) + FZ_GICR_CTLR,
			   (t->enable_lpis >> i) & 1, 4);
	set_its_reg(*its, FZ_GITS_CBASER,
		    1ull << 63 | 3ull << 59 | 1ull << 10 | FZ_CMDQ(0));
	set_its_reg(*its, FZ_GITS_BASER0, t->baser0);
	set_its_reg(*its, FZ_GITS_BASER1, t->baser1);
	return v;
}

static void after_restore(const struct tables *t, struct th_host *h,
			  struct vgic *v1, struct vgic_device *gic1,
			  struct vgic_device *its1)
{
	static struct fz_sig s1, s2;
	struct vgic_device *gic2, *its2;
	struct vgic *v2;
	int ret, pend;

	fz_mmio_wr(v1, 0, TH_ITS_BASE + FZ_GITS_CTLR, 1, 4);
	ret = th_set_attr(its1, VGIC_GRP_CTRL, VGIC_CTRL_ITS_SAVE_TABLES, NULL);
	if (ret)
		fz_fail("SAVE_TABLES right after a successful restore: %s",
			vgic_strerror(ret));
	pend = th_set_attr(gic1, VGIC_GRP_CTRL, VGIC_CTRL_SAVE_PENDING_TABLES,
			   NULL);
	fz_check_errno(pend, "SAVE_PENDING_TABLES");

	v2 = make_vm(t, h, &gic2, &its2);
	if (!v2)
		fz_fail("second VM could not be built");
	ret = th_set_attr(its2, VGIC_GRP_CTRL, VGIC_CTRL_ITS_RESTORE_TABLES,
			  NULL);
	fz_check_errno(ret, "RESTORE_TABLES of saved tables");
	if (!t->simple)
		goto out;
	if (ret)
		fz_fail("RESTORE_TABLES of what SAVE_TABLES wrote: %s (%s)",
			vgic_strerror(ret), vgic_last_error(v2));
	fz_mmio_wr(v2, 0, TH_ITS_BASE + FZ_GITS_CTLR, 1, 4);
	fz_sign(v1, t->nr_vcpus, t->probe, t->nr_probes, &s1);
	fz_sign(v2, t->nr_vcpus, t->probe, t->nr_probes, &s2);
	/* Pending state only round-trips if SAVE_PENDING_TABLES could
	 * write every byte. */
	fz_sig_compare(&s1, &s2, t->probe, t->nr_probes, t->nr_vcpus,
		       !pend && !t->pend_raw);
out:
	vgic_destroy(v2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t sparse_mpidr[FZ_MAX_VCPUS] = {
		0x010000, 0x000000, 0x000102, 0x000001
	};
	static struct tables t;
	struct vgic_device *gic, *its;
	struct th_host *h;
	struct vgic *v;
	struct fz f;
	uint8_t cfg, sel;
	int ret, ret2;

	memset(&t, 0, sizeof(t));
	for (int i = 0; i < 16; i++)
		t.l1_of_page[i] = -1;
	t.simple = true;
	fz_init(&f, data, size);
	cfg = fz_u8(&f);
	t.nr_vcpus = 1 + (cfg & 3);
	t.mpidr = (cfg & 4) ? sparse_mpidr : NULL;
	t.baser0 = sel_baser(&f, T_DT, true);
	t.baser1 = sel_baser(&f, T_CT, false);
	sel = fz_u8(&f);
	t.propbaser = (sel & 0x80) ? fz_u64(&f)
				   : FZ_PROP | 0x580 | (13 + sel % 3);
	for (uint32_t i = 0; i < t.nr_vcpus; i++) {
		sel = fz_u8(&f);
		t.pend_raw |= sel >> 7;
		t.pendbaser[i] = (sel & 0x80) ? fz_u64(&f) : FZ_PEND(i) | 0x580;
	}
	t.enable_lpis = fz_u8(&f);
	h = fz_host_new(FZ_RAM_SIZE);
	memset(th_ram(h, FZ_PROP), 0xa1, 0xe000);
	for (int n = 0; n < 4 * MAX_POKES && !fz_done(&f); n++)
		poke(&t, h, &f);
	make_probes(&t);

	v = make_vm(&t, h, &gic, &its);
	if (!v)
		goto out;
	ret = th_set_attr(its, VGIC_GRP_CTRL, VGIC_CTRL_ITS_RESTORE_TABLES,
			  NULL);
	fz_check_errno(ret, "RESTORE_TABLES");
	if (ret) {
		ret2 = th_set_attr(its, VGIC_GRP_CTRL,
				   VGIC_CTRL_ITS_RESTORE_TABLES, NULL);
		if (ret2 != ret)
			fz_fail("RESTORE_TABLES failed with %s, then again "
				"with %s: the first left state behind",
				vgic_strerror(ret), vgic_strerror(ret2));
		fz_check_errno(th_set_attr(gic, VGIC_GRP_CTRL,
					   VGIC_CTRL_SAVE_PENDING_TABLES, NULL),
			       "SAVE_PENDING_TABLES");
	} else {
		after_restore(&t, h, v, gic, its);
	}
	vgic_destroy(v);
out:
	fz_host_free(h);
	return 0;
}

/*
 * libvgic - whole-GIC snapshot: vgic_snapshot_save() / vgic_snapshot_restore().
 *
 * The stream (docs/snapshot.md) is a versioned, little-endian, checksummed
 * sequence of self-describing sections.  Apart from the configuration
 * section, every section is a list of KVM device-attribute records
 * {group, attr, value}: the snapshot *is* the sequence of
 * KVM_SET_DEVICE_ATTR calls of the documented restore order (KVM ABI
 * reference §1.5), so restoring it goes through exactly the same attribute
 * entry points (vgic__v3_attr / vgic__its_attr, vgic__v2_attr for a
 * GICv2) and therefore exactly the same semantics as a VMM driving the ABI
 * by hand.
 *
 * Save: all vCPUs stopped; ITS_SAVE_TABLES for each ITS, then
 * SAVE_PENDING_TABLES (guest RAM must be copied after this call); then a GET
 * of every register, in restore order.
 *
 * Restore: the whole stream is parsed and validated (sizes, CRCs, section
 * order, record groups, MPIDR keys) and the destination's configuration
 * checked (vCPU count and MPIDRs, priority bits, NR_IRQS, ITS count) before
 * anything changes.  Then the devices are created and the records applied.
 * Atomicity: the destination must be fresh (no device yet), so its state
 * before the call is known; a copy of it is kept, every guest-RAM write made
 * while applying (an LPI creation consumes pending bits) is logged with the
 * bytes it overwrote, and any failure frees what was built, puts the copy
 * back and rewrites the logged bytes in reverse order.
 */
#include <stdio.h>

#include "internal.h"

/* ---- format constants (docs/snapshot.md) -------------------------------- */

#define SNAP_MAGIC "VGICSNAP"
#define SNAP_VERSION_MAJOR 1u
#define SNAP_VERSION_MINOR 0u
#define SNAP_HDR_SIZE 32u
#define SNAP_SEC_HDR_SIZE 24u
#define SNAP_REC_SIZE 24u
#define SNAP_CONF_FIXED 32u
#define SNAP_SEC_MANDATORY 1u

#define TAG(a, b, c, d)                                                       \
	((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 |           \
	 (uint32_t)(d) << 24)

enum snap_key { KEY_NONE, KEY_MPIDR, KEY_ITS };

/* Which device a section's records go to. */
enum snap_dev { DEV_NONE, DEV_GIC, DEV_ITS };

/*
 * Section kinds, in the only order a stream may contain them (the restore
 * order of the KVM ABI reference §1.5).  @groups is the bitmap of attribute
 * groups a record of the section may use.
 */
struct snap_kind {
	uint32_t tag;
	const char *name;
	enum snap_key key;
	enum snap_dev dev;
	uint32_t groups;
	bool per_vcpu; /* exactly one per vCPU */
	bool per_its;  /* exactly one per ITS */
	int model;     /* the GIC model it belongs to; 0: any */
};

#define G(x) (1u << (x))
static const struct snap_kind snap_kinds[] = {
	{ TAG('C', 'O', 'N', 'F'), "CONF", KEY_NONE, DEV_NONE, 0, false,
	  false, 0 },
	{ TAG('G', 'C', 'F', 'G'), "GCFG", KEY_NONE, DEV_GIC,
	  G(VGIC_GRP_ADDR) | G(VGIC_GRP_NR_IRQS) | G(VGIC_GRP_CTRL), false,
	  false, 0 },
	{ TAG('I', 'T', 'S', 'A'), "ITSA", KEY_ITS, DEV_ITS, G(VGIC_GRP_ADDR),
	  false, true, 3 },
	{ TAG('D', 'C', 'T', 'L'), "DCTL", KEY_NONE, DEV_GIC,
	  G(VGIC_GRP_DIST_REGS), false, false, 3 },
	{ TAG('R', 'B', 'A', 'S'), "RBAS", KEY_MPIDR, DEV_GIC,
	  G(VGIC_GRP_REDIST_REGS), true, false, 3 },
	{ TAG('R', 'D', 'S', 'T'), "RDST", KEY_MPIDR, DEV_GIC,
	  G(VGIC_GRP_REDIST_REGS) | G(VGIC_GRP_LEVEL_INFO), true, false, 3 },
	{ TAG('D', 'I', 'S', 'T'), "DIST", KEY_NONE, DEV_GIC,
	  G(VGIC_GRP_DIST_REGS) | G(VGIC_GRP_LEVEL_INFO), false, false, 3 },
	{ TAG('C', 'P', 'U', 'I'), "CPUI", KEY_MPIDR, DEV_GIC,
	  G(VGIC_GRP_CPU_SYSREGS), true, false, 3 },
	{ TAG('I', 'T', 'S', 'R'), "ITSR", KEY_ITS, DEV_ITS,
	  G(VGIC_GRP_ITS_REGS) | G(VGIC_GRP_CTRL), false, true, 3 },
	/* GICv2: the DIST_REGS/CPU_REGS calls of docs/gicv2.md's restore
	 * order (vgic__v2_state_attrs), cpuid in each attr. */
	{ TAG('V', '2', 'S', 'T'), "V2ST", KEY_NONE, DEV_GIC,
	  G(VGIC_GRP_DIST_REGS) | G(VGIC_GRP_CPU_REGS), false, false, 2 },
};
#undef G
#define NR_KINDS VGIC_ARRAY_SIZE(snap_kinds)
enum {
	K_CONF,
	K_GCFG,
	K_ITSA,
	K_DCTL,
	K_RBAS,
	K_RDST,
	K_DIST,
	K_CPUI,
	K_ITSR,
	K_V2ST
};

/* ---- CRC32 (IEEE 802.3, reflected, as zlib's crc32()) ------------------- */

static const uint32_t crc_nibble[16] = {
	0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
	0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
	0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
};

static uint32_t crc32_update(uint32_t crc, const uint8_t *p, size_t n)
{
	crc = ~crc;
	while (n--) {
		crc ^= *p++;
		crc = (crc >> 4) ^ crc_nibble[crc & 15];
		crc = (crc >> 4) ^ crc_nibble[crc & 15];
	}
	return ~crc;
}

/* ---- little-endian helpers --------------------------------------------- */

static void put32(uint8_t *p, uint32_t x)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(x >> (8 * i));
}

static void put64(uint8_t *p, uint64_t x)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(x >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t x = 0;

	for (int i = 3; i >= 0; i--)
		x = x << 8 | p[i];
	return x;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* ---- encoder ------------------------------------------------------------ */

struct snap_buf {
	struct vgic *v;
	uint8_t *p;
	size_t len, cap;
	size_t sec;      /* offset of the open section's header */
	uint32_t nr_sec;
	int err;
};

static uint8_t *buf_grow(struct snap_buf *b, size_t n)
{
	if (b->err)
		return NULL;
	if (b->cap - b->len < n) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *p;

		while (cap - b->len < n)
			cap *= 2;
		p = vgic__alloc(b->v, cap);
		if (!p) {
			b->err = -ENOMEM;
			return NULL;
		}
		if (b->len)
			memcpy(p, b->p, b->len);
		vgic__free(b->v, b->p);
		b->p = p;
		b->cap = cap;
	}
	b->len += n;
	return b->p + b->len - n;
}

static void sec_open(struct snap_buf *b, unsigned kind, uint64_t key)
{
	uint8_t *h;

	b->sec = b->len;
	h = buf_grow(b, SNAP_SEC_HDR_SIZE);
	if (!h)
		return;
	put32(h, snap_kinds[kind].tag);
	put32(h + 4, SNAP_SEC_MANDATORY);
	put64(h + 8, key);
	put32(h + 16, 0);
	put32(h + 20, 0);
}

static void sec_close(struct snap_buf *b)
{
	uint8_t *h;
	size_t size;

	if (b->err)
		return;
	h = b->p + b->sec;
	size = b->len - b->sec - SNAP_SEC_HDR_SIZE;
	put32(h + 16, (uint32_t)size);
	put32(h + 20, crc32_update(crc32_update(0, h, 20),
				   h + SNAP_SEC_HDR_SIZE, size));
	b->nr_sec++;
}

static void put_rec(struct snap_buf *b, uint32_t group, uint64_t attr,
		    uint64_t val)
{
	uint8_t *r = buf_grow(b, SNAP_REC_SIZE);

	if (!r)
		return;
	put32(r, group);
	put32(r + 4, 0);
	put64(r + 8, attr);
	put64(r + 16, val);
}

/* ---- attribute access (v->lock held) ------------------------------------ */

static int dev_attr(struct vgic_device *d, uint32_t group, uint64_t attr,
		    uint64_t *val, int op)
{
	struct vgic_device_attr a = { .group = group, .attr = attr,
				      .addr = (uint64_t)(uintptr_t)val };

	if (d->type == VGIC_DEV_TYPE_ITS)
		return vgic__its_attr(d, &a, val, op);
	if (d->type == VGIC_DEV_TYPE_V2)
		return vgic__v2_attr(d, &a, val, op);
	return vgic__v3_attr(d, &a, val, op);
}

/* GET @attr and append it as a record. */
static void save_get(struct snap_buf *b, struct vgic_device *d, uint32_t group,
		     uint64_t attr)
{
	uint64_t val = 0;
	int ret;

	if (b->err)
		return;
	ret = dev_attr(d, group, attr, &val, VGIC_ATTR_GET);
	if (ret) {
		vgic__set_error(b->v,
				"snapshot save: GET group %u attr 0x%llx: %s",
				group, (unsigned long long)attr,
				vgic_strerror(ret));
		b->err = ret;
		return;
	}
	if (vgic__attr_value_size(d->type, group) == 4)
		val &= 0xffffffffull;
	put_rec(b, group, attr, val);
}

/* MPIDR (Aff3 at [39:32]) to the attr's MPIDR field, bits [63:32]. */
static uint64_t mpidr_attr(uint64_t mpidr)
{
	uint64_t aff = (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 24;

	return aff << 32;
}

/* GICv3 register offsets (architectural names). */
#define GICD_CTLR 0x0000u
#define GICD_IIDR 0x0008u
#define GICD_IGROUPR 0x0080u
#define GICD_ISENABLER 0x0100u
#define GICD_ICENABLER 0x0180u
#define GICD_ISPENDR 0x0200u
#define GICD_ISACTIVER 0x0300u
#define GICD_IPRIORITYR 0x0400u
#define GICD_ICFGR 0x0c00u
#define GICD_IROUTER 0x6000u
#define GICR_CTLR 0x0000u
#define GICR_PROPBASER 0x0070u
#define GICR_PENDBASER 0x0078u
#define GICR_SGI 0x10000u
#define GITS_CTLR 0x0000u
#define GITS_IIDR 0x0004u
#define GITS_CBASER 0x0080u
#define GITS_CWRITER 0x0088u
#define GITS_CREADR 0x0090u
#define GITS_BASER 0x0100u

/* CPU interface registers in QEMU's restore order (ICC_CTLR before APRs).
 * AP*R1..3 exist only with more than 5 priority bits. */
static const uint32_t cpui_regs[] = {
	VGIC_ICC_SRE_EL1,     VGIC_ICC_CTLR_EL1,  VGIC_ICC_IGRPEN0_EL1,
	VGIC_ICC_IGRPEN1_EL1, VGIC_ICC_PMR_EL1,   VGIC_ICC_BPR0_EL1,
	VGIC_ICC_BPR1_EL1,    VGIC_ICC_AP0R0_EL1, VGIC_ICC_AP1R0_EL1,
};

static void save_v3(struct snap_buf *b)
{
	struct vgic *v = b->v;
	struct vgic_device *g = v->gic_dev;
	uint32_t nr = v->nr_irqs;
	uint64_t m0 = mpidr_attr(v->vcpu[0].mpidr);

	/* GCFG: addresses, NR_IRQS, INIT. */
	sec_open(b, K_GCFG, 0);
	if (v->dist_base_set)
		put_rec(b, VGIC_GRP_ADDR, VGIC_V3_ADDR_TYPE_DIST, v->dist_base);
	for (uint32_t i = 0; i < v->nr_rdist; i++) {
		const struct vgic_rdist_region *r = &v->rdist[i];

		if (v->rdist_legacy)
			put_rec(b, VGIC_GRP_ADDR, VGIC_V3_ADDR_TYPE_REDIST,
				r->base);
		else
			put_rec(b, VGIC_GRP_ADDR,
				VGIC_V3_ADDR_TYPE_REDIST_REGION,
				(uint64_t)r->count
						<< VGIC_REDIST_REGION_COUNT_SHIFT |
					r->base | r->index);
	}
	put_rec(b, VGIC_GRP_NR_IRQS, 0, nr);
	put_rec(b, VGIC_GRP_CTRL, VGIC_CTRL_INIT, 0);
	sec_close(b);

	for (uint32_t i = 0; i < v->nr_its; i++) {
		sec_open(b, K_ITSA, i);
		save_get(b, v->its_dev[i], VGIC_GRP_ADDR, VGIC_ITS_ADDR_TYPE);
		sec_close(b);
	}

	sec_open(b, K_DCTL, 0);
	save_get(b, g, VGIC_GRP_DIST_REGS, GICD_IIDR);
	save_get(b, g, VGIC_GRP_DIST_REGS, GICD_CTLR);
	sec_close(b);

	/* PROPBASER/PENDBASER of every RD before any GICR_CTLR. */
	for (uint32_t c = 0; c < v->nr_vcpus; c++) {
		uint64_t m = mpidr_attr(v->vcpu[c].mpidr);

		sec_open(b, K_RBAS, v->vcpu[c].mpidr);
		for (uint32_t o = GICR_PROPBASER; o < GICR_PENDBASER + 8; o += 4)
			save_get(b, g, VGIC_GRP_REDIST_REGS, m | o);
		sec_close(b);
	}
	for (uint32_t c = 0; c < v->nr_vcpus; c++) {
		uint64_t m = mpidr_attr(v->vcpu[c].mpidr);

		sec_open(b, K_RDST, v->vcpu[c].mpidr);
		save_get(b, g, VGIC_GRP_REDIST_REGS, m | GICR_CTLR);
		save_get(b, g, VGIC_GRP_REDIST_REGS,
			 m | (GICR_SGI + GICD_IGROUPR));
		/* User ISENABLER writes only set (KVM's uaccess), and SGIs
		 * come out of reset enabled: clear, then set. */
		put_rec(b, VGIC_GRP_REDIST_REGS,
			m | (GICR_SGI + GICD_ICENABLER), 0xffffffffu);
		save_get(b, g, VGIC_GRP_REDIST_REGS,
			 m | (GICR_SGI + GICD_ISENABLER));
		save_get(b, g, VGIC_GRP_REDIST_REGS, m | (GICR_SGI + GICD_ICFGR));
		save_get(b, g, VGIC_GRP_REDIST_REGS,
			 m | (GICR_SGI + GICD_ICFGR + 4));
		save_get(b, g, VGIC_GRP_LEVEL_INFO, m | 0);
		save_get(b, g, VGIC_GRP_REDIST_REGS,
			 m | (GICR_SGI + GICD_ISPENDR));
		save_get(b, g, VGIC_GRP_REDIST_REGS,
			 m | (GICR_SGI + GICD_ISACTIVER));
		for (uint32_t o = 0; o < 32; o += 4)
			save_get(b, g, VGIC_GRP_REDIST_REGS,
				 m | (GICR_SGI + GICD_IPRIORITYR + o));
		sec_close(b);
	}

	/* Distributor: group, routing and trigger before pending. */
	sec_open(b, K_DIST, 0);
	for (uint32_t n = 32; n < nr; n += 32)
		save_get(b, g, VGIC_GRP_DIST_REGS, GICD_IGROUPR + n / 8);
	for (uint32_t n = 32; n < nr; n++)
		save_get(b, g, VGIC_GRP_DIST_REGS, GICD_IROUTER + 8 * n);
	for (uint32_t n = 32; n < nr; n += 16)
		save_get(b, g, VGIC_GRP_DIST_REGS, GICD_ICFGR + n / 4);
	for (uint32_t n = 32; n < nr; n += 32)
		save_get(b, g, VGIC_GRP_LEVEL_INFO, m0 | n);
	for (uint32_t n = 32; n < nr; n += 32)
		save_get(b, g, VGIC_GRP_DIST_REGS, GICD_ISPENDR + n / 8);
	for (uint32_t n = 32; n < nr; n += 32)
		save_get(b, g, VGIC_GRP_DIST_REGS, GICD_ISACTIVER + n / 8);
	for (uint32_t n = 32; n < nr; n += 4)
		save_get(b, g, VGIC_GRP_DIST_REGS, GICD_IPRIORITYR + n);
	for (uint32_t n = 32; n < nr; n += 32)
		save_get(b, g, VGIC_GRP_DIST_REGS, GICD_ISENABLER + n / 8);
	sec_close(b);

	for (uint32_t c = 0; c < v->nr_vcpus; c++) {
		uint64_t m = mpidr_attr(v->vcpu[c].mpidr);

		sec_open(b, K_CPUI, v->vcpu[c].mpidr);
		for (uint32_t i = 0; i < VGIC_ARRAY_SIZE(cpui_regs); i++)
			save_get(b, g, VGIC_GRP_CPU_SYSREGS, m | cpui_regs[i]);
		sec_close(b);
	}

	for (uint32_t i = 0; i < v->nr_its; i++) {
		struct vgic_device *d = v->its_dev[i];

		sec_open(b, K_ITSR, i);
		save_get(b, d, VGIC_GRP_ITS_REGS, GITS_IIDR);
		save_get(b, d, VGIC_GRP_ITS_REGS, GITS_CBASER);
		save_get(b, d, VGIC_GRP_ITS_REGS, GITS_CREADR);
		save_get(b, d, VGIC_GRP_ITS_REGS, GITS_CWRITER);
		for (uint32_t n = 0; n < 8; n++)
			save_get(b, d, VGIC_GRP_ITS_REGS, GITS_BASER + 8 * n);
		/* An ITS without mappings has nothing to restore: the
		 * record is left out, so that whatever the guest left in
		 * (or pointed) its tables at cannot fail the restore or
		 * create mappings the source did not have (F4, F5). */
		if (vgic__its_has_mappings(v->its_dev[i]->its))
			put_rec(b, VGIC_GRP_CTRL, VGIC_CTRL_ITS_RESTORE_TABLES,
				0);
		save_get(b, d, VGIC_GRP_ITS_REGS, GITS_CTLR);
		sec_close(b);
	}
}

/* vgic__v2_state_attrs callback: GET the register, or record the constant. */
static void save_v2_rec(void *arg, uint32_t group, uint64_t attr, bool get,
			uint32_t val)
{
	struct snap_buf *b = arg;

	if (get)
		save_get(b, b->v->gic_dev, group, attr);
	else
		put_rec(b, group, attr, val);
}

static void save_v2(struct snap_buf *b)
{
	struct vgic *v = b->v;

	sec_open(b, K_GCFG, 0);
	if (v->dist_base_set)
		put_rec(b, VGIC_GRP_ADDR, VGIC_V2_ADDR_TYPE_DIST, v->dist_base);
	if (v->v2_cpu_base_set)
		put_rec(b, VGIC_GRP_ADDR, VGIC_V2_ADDR_TYPE_CPU, v->v2_cpu_base);
	put_rec(b, VGIC_GRP_NR_IRQS, 0, v->nr_irqs);
	put_rec(b, VGIC_GRP_CTRL, VGIC_CTRL_INIT, 0);
	sec_close(b);
	sec_open(b, K_V2ST, 0);
	vgic__v2_state_attrs(v, save_v2_rec, b);
	sec_close(b);
}

static void save_conf(struct snap_buf *b)
{
	struct vgic *v = b->v;
	uint8_t *p;

	sec_open(b, K_CONF, 0);
	p = buf_grow(b, SNAP_CONF_FIXED + 8 * (size_t)v->nr_vcpus);
	if (!p)
		return;
	put32(p, (uint32_t)v->model);
	put32(p + 4, v->nr_vcpus);
	put32(p + 8, v->nr_irqs);
	put32(p + 12, VGIC_PRI_BITS);
	put32(p + 16, v->nr_its);
	put32(p + 20, VGIC_LPI_ID_BITS);
	put64(p + 24, 0);
	for (uint32_t c = 0; c < v->nr_vcpus; c++)
		put64(p + SNAP_CONF_FIXED + 8 * c, v->vcpu[c].mpidr);
	sec_close(b);
}

/* Flush ITS tables and LPI pending bits into guest RAM (v->lock held). */
static int save_flush(struct vgic *v)
{
	uint64_t val = 0;
	int ret;

	for (uint32_t i = 0; i < v->nr_its; i++) {
		struct vgic_its *its = v->its_dev[i]->its;
		char why[sizeof(v->last_error)];

		ret = dev_attr(v->its_dev[i], VGIC_GRP_CTRL,
			       VGIC_CTRL_ITS_SAVE_TABLES, &val, VGIC_ATTR_SET);
		if (ret) {
			vgic__set_error(v, "snapshot save: ITS %u tables: %s",
					i, vgic_strerror(ret));
			return ret;
		}
		/* Better than KVM: the tables just written must restore to
		 * exactly these mappings; guest garbage the restore would
		 * misread is cleared, and a snapshot that could not be
		 * restored fails here, at the source (F4, F5). */
		if (!vgic__its_has_mappings(its))
			continue;
		ret = vgic__its_verify_tables(its);
		if (ret) {
			memcpy(why, v->last_error, sizeof(why));
			vgic__set_error(v,
					"snapshot save: ITS %u: the tables in "
					"guest RAM would not restore: %s (%s)",
					i, vgic_strerror(ret), why);
			return ret;
		}
	}
	ret = dev_attr(v->gic_dev, VGIC_GRP_CTRL, VGIC_CTRL_SAVE_PENDING_TABLES,
		       &val, VGIC_ATTR_SET);
	/* DEVIATION-free: like QEMU, a guest that programmed a bogus
	 * PENDBASER does not prevent the save (its pending LPIs are lost,
	 * exactly as with KVM+QEMU). */
	if (ret == -EFAULT)
		ret = 0;
	if (ret)
		vgic__set_error(v, "snapshot save: pending tables: %s",
				vgic_strerror(ret));
	return ret;
}

int vgic_snapshot_save(struct vgic *v, void *buf, size_t cap, size_t *len)
{
	struct snap_buf b = { .v = v };
	uint8_t *h;
	int ret;

	if (!v || !len)
		return -EINVAL;
	pthread_mutex_lock(&v->lock);
	v->last_error[0] = '\0';
	if (!v->model || (v->model == 3 && !v->initialized)) {
		vgic__set_error(v, "snapshot save: %s",
				v->model == 3 ? "GICv3 not initialised (CTRL_INIT)"
					      : "no GIC device");
		ret = v->model == 3 ? -EBUSY : -ENODEV;
		goto out_unlock;
	}
	if (vgic__any_running(v)) {
		vgic__set_error(v, "snapshot save: a vCPU is running");
		ret = -EBUSY;
		goto out_unlock;
	}
	/* A GICv2 initialises itself on first use, as in KVM; it has no
	 * tables to flush. */
	ret = v->model == 2 ? vgic__init(v) : save_flush(v);
	if (ret)
		goto out_unlock;

	h = buf_grow(&b, SNAP_HDR_SIZE);
	save_conf(&b);
	if (v->model == 2)
		save_v2(&b);
	else
		save_v3(&b);
	if (!b.err)
		buf_grow(&b, 4);
	ret = b.err;
	if (ret)
		goto out_free;
	h = b.p;
	memcpy(h, SNAP_MAGIC, 8);
	put32(h + 8, SNAP_VERSION_MAJOR | SNAP_VERSION_MINOR << 16);
	put32(h + 12, SNAP_HDR_SIZE);
	put64(h + 16, b.len);
	put32(h + 24, b.nr_sec);
	put32(h + 28, crc32_update(0, h, 28));
	put32(b.p + b.len - 4, crc32_update(0, b.p, b.len - 4));
	*len = b.len;
	if (!buf || cap < b.len)
		ret = -ENOSPC;
	else
		memcpy(buf, b.p, b.len);
out_free:
	vgic__free(v, b.p);
out_unlock:
	pthread_mutex_unlock(&v->lock);
	return ret;
}

/* ---- decoder and validator ---------------------------------------------- */

struct snap_sec {
	unsigned kind;
	uint64_t key;
	const uint8_t *payload;
	uint32_t size;
};

struct snap_parsed {
	struct snap_sec *sec;
	uint32_t nr_sec;
	uint32_t model, nr_vcpus, nr_irqs, pri_bits, nr_its, lpi_bits;
	const uint8_t *mpidr; /* nr_vcpus LE u64 */
};

static int kind_of(uint32_t tag)
{
	for (unsigned k = 0; k < NR_KINDS; k++)
		if (snap_kinds[k].tag == tag)
			return (int)k;
	return -1;
}

static void tag_name(uint32_t tag, char out[5])
{
	for (int i = 0; i < 4; i++) {
		char c = (char)(tag >> (8 * i));
		out[i] = (c >= 0x20 && c < 0x7f) ? c : '?';
	}
	out[4] = '\0';
}

#define BAD(...)                                                              \
	do {                                                                  \
		vgic__set_error(v, "snapshot restore: " __VA_ARGS__);         \
		return -EINVAL;                                               \
	} while (0)

static int parse_header(struct vgic *v, const uint8_t *p, size_t len,
			uint32_t *nr_sec)
{
	uint32_t ver;

	if (len < SNAP_HDR_SIZE + 4)
		BAD("stream of %zu bytes is shorter than a header", len);
	if (memcmp(p, SNAP_MAGIC, 8))
		BAD("bad magic (not a libvgic snapshot)");
	if (get32(p + 28) != crc32_update(0, p, 28))
		BAD("header checksum mismatch");
	ver = get32(p + 8);
	if ((ver & 0xffff) != SNAP_VERSION_MAJOR) {
		vgic__set_error(v,
				"snapshot restore: format version %u.%u, this "
				"library reads %u.x",
				ver & 0xffff, ver >> 16, SNAP_VERSION_MAJOR);
		return -EPROTO;
	}
	if (get32(p + 12) != SNAP_HDR_SIZE)
		BAD("header size %u, expected %u", get32(p + 12),
		    SNAP_HDR_SIZE);
	if (get64(p + 16) != len)
		BAD("stream is %zu bytes but its header says %llu (truncated "
		    "or padded)",
		    len, (unsigned long long)get64(p + 16));
	if (get32(p + len - 4) != crc32_update(0, p, len - 4))
		BAD("stream checksum mismatch");
	*nr_sec = get32(p + 24);
	if (*nr_sec > (len - SNAP_HDR_SIZE) / SNAP_SEC_HDR_SIZE)
		BAD("%u sections cannot fit in %zu bytes", *nr_sec, len);
	return 0;
}

static int parse_conf(struct vgic *v, struct snap_parsed *s,
		      const struct snap_sec *c)
{
	const uint8_t *p = c->payload;

	if (c->size < SNAP_CONF_FIXED)
		BAD("CONF section of %u bytes is too short", c->size);
	s->model = get32(p);
	s->nr_vcpus = get32(p + 4);
	s->nr_irqs = get32(p + 8);
	s->pri_bits = get32(p + 12);
	s->nr_its = get32(p + 16);
	s->lpi_bits = get32(p + 20);
	if (get64(p + 24))
		BAD("CONF reserved field is not zero");
	if (s->nr_vcpus == 0 || s->nr_vcpus > VGIC_MAX_VCPUS ||
	    c->size != SNAP_CONF_FIXED + 8ull * s->nr_vcpus)
		BAD("CONF: %u vCPUs do not match a %u-byte section",
		    s->nr_vcpus, c->size);
	s->mpidr = p + SNAP_CONF_FIXED;
	return 0;
}

/* Compare the stream's configuration with the destination's. */
static int check_config(struct vgic *v, const struct snap_parsed *s)
{
	if (s->model != 3 && s->model != 2) {
		vgic__set_error(v,
				"snapshot restore: the snapshot is of a GIC "
				"model %u, only GICv3 and GICv2 snapshots are "
				"supported",
				s->model);
		return -ENODEV;
	}
	if (s->model == 2 && s->nr_its) {
		vgic__set_error(v, "snapshot restore: a GICv2 with %u ITSes",
				s->nr_its);
		return -EINVAL;
	}
	if (s->nr_vcpus != v->nr_vcpus) {
		vgic__set_error(v,
				"snapshot restore: the snapshot has %u vCPUs, "
				"this VM has %u",
				s->nr_vcpus, v->nr_vcpus);
		return -E2BIG;
	}
	for (uint32_t c = 0; c < s->nr_vcpus; c++) {
		uint64_t m = get64(s->mpidr + 8 * c);

		if (m != v->vcpu[c].mpidr) {
			vgic__set_error(v,
					"snapshot restore: vCPU %u has MPIDR "
					"0x%llx in the snapshot but 0x%llx in "
					"this VM",
					c, (unsigned long long)m,
					(unsigned long long)v->vcpu[c].mpidr);
			return -ENODEV;
		}
	}
	if (s->pri_bits != VGIC_PRI_BITS) {
		vgic__set_error(v,
				"snapshot restore: the snapshot has %u "
				"priority bits, this library implements %u",
				s->pri_bits, VGIC_PRI_BITS);
		return -ENODEV;
	}
	if (s->lpi_bits != VGIC_LPI_ID_BITS) {
		vgic__set_error(v,
				"snapshot restore: the snapshot has %u-bit "
				"LPI INTIDs, this library implements %u",
				s->lpi_bits, VGIC_LPI_ID_BITS);
		return -ENODEV;
	}
	if (s->nr_irqs < VGIC_MIN_NR_IRQS || s->nr_irqs > VGIC_MAX_NR_IRQS ||
	    s->nr_irqs % 32) {
		vgic__set_error(v, "snapshot restore: NR_IRQS %u out of range",
				s->nr_irqs);
		return -E2BIG;
	}
	if (s->nr_its > VGIC_MAX_ITS) {
		vgic__set_error(v,
				"snapshot restore: the snapshot has %u ITSes, "
				"at most %u are supported",
				s->nr_its, VGIC_MAX_ITS);
		return -E2BIG;
	}
	return 0;
}

static int vcpu_of_key(const struct snap_parsed *s, uint64_t key)
{
	for (uint32_t c = 0; c < s->nr_vcpus; c++)
		if (get64(s->mpidr + 8 * c) == key)
			return (int)c;
	return -1;
}

/* Static checks of one section's records. */
static int check_records(struct vgic *v, const struct snap_parsed *s,
			 const struct snap_sec *sec)
{
	const struct snap_kind *k = &snap_kinds[sec->kind];
	uint64_t want = 0;

	if (sec->size % SNAP_REC_SIZE)
		BAD("section %s is %u bytes, not a whole number of records",
		    k->name, sec->size);
	if (k->key == KEY_MPIDR)
		want = mpidr_attr(sec->key);
	for (uint32_t i = 0; i < sec->size / SNAP_REC_SIZE; i++) {
		const uint8_t *r = sec->payload + i * SNAP_REC_SIZE;
		uint32_t group = get32(r);
		uint64_t attr = get64(r + 8);
		uint64_t val = get64(r + 16);

		if (group >= 32 || !(k->groups & (1u << group)) || get32(r + 4))
			BAD("section %s record %u: group %u is not allowed here",
			    k->name, i, group);
		if (k->key == KEY_MPIDR &&
		    (attr & VGIC_ATTR_V3_MPIDR_MASK) != want)
			BAD("section %s (MPIDR 0x%llx) record %u names another "
			    "vCPU",
			    k->name, (unsigned long long)sec->key, i);
		if (group == VGIC_GRP_CTRL) {
			uint64_t ok = sec->kind == K_GCFG
					      ? VGIC_CTRL_INIT
					      : VGIC_CTRL_ITS_RESTORE_TABLES;
			if (attr != ok || val)
				BAD("section %s record %u: control %llu is not "
				    "allowed here",
				    k->name, i, (unsigned long long)attr);
		}
		if (vgic__attr_value_size(k->dev == DEV_ITS ? VGIC_DEV_TYPE_ITS
							    : VGIC_DEV_TYPE_V3,
					  group) == 4 &&
		    val >> 32)
			BAD("section %s record %u: 32-bit value 0x%llx too wide",
			    k->name, i, (unsigned long long)val);
		if (group == VGIC_GRP_NR_IRQS && val != s->nr_irqs)
			BAD("GCFG: NR_IRQS %llu disagrees with CONF's %u",
			    (unsigned long long)val, s->nr_irqs);
	}
	return 0;
}

static int parse(struct vgic *v, const uint8_t *p, size_t len,
		 struct snap_parsed *s)
{
	uint32_t nr_sec, n = 0;
	size_t off = SNAP_HDR_SIZE;
	unsigned last = 0;
	uint32_t *seen;
	int ret;

	ret = parse_header(v, p, len, &nr_sec);
	if (ret)
		return ret;
	s->sec = vgic__zalloc(v, nr_sec, sizeof(*s->sec));
	if (!s->sec)
		return -ENOMEM;
	for (uint32_t i = 0; i < nr_sec; i++) {
		const uint8_t *h = p + off;
		uint32_t tag, size;
		char name[5];
		int k;

		if (len - 4 - off < SNAP_SEC_HDR_SIZE)
			BAD("section %u header runs past the end", i);
		tag = get32(h);
		size = get32(h + 16);
		tag_name(tag, name);
		if (size > len - 4 - off - SNAP_SEC_HDR_SIZE)
			BAD("section %u (%s) of %u bytes runs past the end", i,
			    name, size);
		if (get32(h + 20) !=
		    crc32_update(crc32_update(0, h, 20), h + SNAP_SEC_HDR_SIZE,
				 size))
			BAD("section %u (%s) checksum mismatch", i, name);
		off += SNAP_SEC_HDR_SIZE + size;
		k = kind_of(tag);
		if (k < 0) {
			if (get32(h + 4) & SNAP_SEC_MANDATORY) {
				vgic__set_error(v,
						"snapshot restore: unknown "
						"mandatory section '%s'",
						name);
				return -EPROTO;
			}
			continue; /* optional extension: skip */
		}
		if (get32(h + 4) != SNAP_SEC_MANDATORY)
			BAD("section %s has unknown flags 0x%x", name,
			    get32(h + 4));
		if ((n == 0) != (k == K_CONF))
			BAD("CONF must be the first section, once");
		if ((unsigned)k < last)
			BAD("section %s is out of order", name);
		last = (unsigned)k;
		s->sec[n].kind = (unsigned)k;
		s->sec[n].key = get64(h + 8);
		s->sec[n].payload = h + SNAP_SEC_HDR_SIZE;
		s->sec[n].size = size;
		if (snap_kinds[k].key == KEY_NONE && s->sec[n].key)
			BAD("section %s has a key but takes none", name);
		n++;
	}
	if (off != len - 4)
		BAD("%zu bytes of garbage after the last section",
		    len - 4 - off);
	if (!n)
		BAD("no CONF section");
	s->nr_sec = n;
	ret = parse_conf(v, s, &s->sec[0]);
	if (ret)
		return ret;
	ret = check_config(v, s);
	if (ret)
		return ret;

	/* Keys: per-vCPU sections exactly once per vCPU, per-ITS sections
	 * exactly once per ITS, single sections once. */
	seen = vgic__zalloc(v, (size_t)NR_KINDS * (s->nr_vcpus + VGIC_MAX_ITS),
			    sizeof(*seen));
	if (!seen)
		return -ENOMEM;
	ret = 0;
	for (uint32_t i = 1; i < n && !ret; i++) {
		const struct snap_sec *sec = &s->sec[i];
		const struct snap_kind *k = &snap_kinds[sec->kind];
		uint32_t slot = 0;

		if (k->key == KEY_MPIDR) {
			int c = vcpu_of_key(s, sec->key);
			if (c < 0) {
				vgic__set_error(v,
						"snapshot restore: section %s "
						"for unknown MPIDR 0x%llx",
						k->name,
						(unsigned long long)sec->key);
				ret = -EINVAL;
				break;
			}
			slot = (uint32_t)c;
		} else if (k->key == KEY_ITS) {
			if (sec->key >= s->nr_its) {
				vgic__set_error(v,
						"snapshot restore: section %s "
						"for ITS %llu of %u",
						k->name,
						(unsigned long long)sec->key,
						s->nr_its);
				ret = -EINVAL;
				break;
			}
			slot = (uint32_t)sec->key;
		}
		if (seen[sec->kind * (s->nr_vcpus + VGIC_MAX_ITS) + slot]++) {
			vgic__set_error(v,
					"snapshot restore: duplicate section %s "
					"(key 0x%llx)",
					k->name, (unsigned long long)sec->key);
			ret = -EINVAL;
			break;
		}
		ret = check_records(v, s, sec);
	}
	for (unsigned k = 1; k < NR_KINDS && !ret; k++) {
		uint32_t want = snap_kinds[k].model &&
						snap_kinds[k].model !=
							(int)s->model
					? 0
				: snap_kinds[k].per_vcpu ? s->nr_vcpus
				: snap_kinds[k].per_its	 ? s->nr_its
							 : 1;
		uint32_t got = 0;

		for (uint32_t slot = 0; slot < s->nr_vcpus + VGIC_MAX_ITS;
		     slot++)
			got += seen[k * (s->nr_vcpus + VGIC_MAX_ITS) + slot];
		if (got != want) {
			vgic__set_error(v,
					"snapshot restore: %u %s sections, "
					"expected %u",
					got, snap_kinds[k].name, want);
			ret = -EINVAL;
		}
	}
	vgic__free(v, seen);
	return ret;
}

#undef BAD

/* ---- atomic apply --------------------------------------------------------- */

/*
 * Undo log of guest-RAM writes made while applying (the wrapper host ops
 * read the old bytes first).  Entries are replayed backwards on failure.
 */
struct vgic_undo_ent {
	struct vgic_undo_ent *prev;
	uint64_t gpa;
	size_t len;
	uint8_t old[];
};

static int undo_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	struct vgic_undo *u = opaque;

	return u->ops.read_guest(u->opaque, gpa, buf, len);
}

static int undo_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	struct vgic_undo *u = opaque;
	struct vgic_undo_ent *e = vgic__alloc(u->v, sizeof(*e) + len);
	int ret;

	/* A write that could not be undone is not made: the error fails
	 * the restore (LPI creation passes it on), which is rolled back. */
	if (!e)
		return -ENOMEM;
	ret = vgic__guest_err(u->ops.read_guest(u->opaque, gpa, e->old, len));
	if (ret) {
		vgic__free(u->v, e);
		return ret;
	}
	e->gpa = gpa;
	e->len = len;
	e->prev = u->last;
	u->last = e;
	return u->ops.write_guest(u->opaque, gpa, buf, len);
}

void vgic__undo_begin(struct vgic *v, struct vgic_undo *u)
{
	u->v = v;
	u->ops = v->ops;
	u->opaque = v->opaque;
	u->last = NULL;
	v->ops.read_guest = undo_read;
	v->ops.write_guest = undo_write;
	v->opaque = u;
}

void vgic__undo_end(struct vgic *v, struct vgic_undo *u, bool rollback)
{
	v->ops = u->ops;
	v->opaque = u->opaque;
	while (u->last) {
		struct vgic_undo_ent *e = u->last;

		if (rollback)
			u->ops.write_guest(u->opaque, e->gpa, e->old, e->len);
		u->last = e->prev;
		vgic__free(v, e);
	}
}

/* Put a fresh instance back after a failed apply (v->lock held). */
static void reset_fresh(struct vgic *v, const struct vgic *fresh,
			const struct vgic_vcpu *fresh_vcpu)
{
	struct vgic_vcpu *vcpu = v->vcpu;

	for (uint32_t i = 0; i < v->nr_devs; i++) {
		if (v->devs[i]->type == VGIC_DEV_TYPE_ITS)
			vgic__its_destroy(v->devs[i]);
		vgic__free(v, v->devs[i]);
	}
	vgic__lpi_free(v);
	vgic__free(v, v->spi);
	/* Everything after the lock (the first member) comes back. */
	memcpy((char *)v + sizeof(v->lock), (const char *)fresh + sizeof(v->lock),
	       sizeof(*v) - sizeof(v->lock));
	memcpy(vcpu, fresh_vcpu, v->nr_vcpus * sizeof(*vcpu));
}

static int apply(struct vgic *v, const struct snap_parsed *s)
{
	for (uint32_t i = 1; i < s->nr_sec; i++) {
		const struct snap_sec *sec = &s->sec[i];
		const struct snap_kind *k = &snap_kinds[sec->kind];
		struct vgic_device *d = k->dev == DEV_ITS
						? v->its_dev[sec->key]
						: v->gic_dev;

		for (uint32_t r = 0; r < sec->size / SNAP_REC_SIZE; r++) {
			const uint8_t *p = sec->payload + r * SNAP_REC_SIZE;
			uint32_t group = get32(p);
			uint64_t attr = get64(p + 8);
			uint64_t val = get64(p + 16);
			int ret = dev_attr(d, group, attr, &val, VGIC_ATTR_SET);

			if (ret) {
				char msg[sizeof(v->last_error)];

				memcpy(msg, v->last_error, sizeof(msg));
				vgic__set_error(v,
						"snapshot restore: section %s "
						"key 0x%llx record %u (group "
						"%u attr 0x%llx value 0x%llx) "
						"rejected: %s%s%s",
						k->name,
						(unsigned long long)sec->key, r,
						group, (unsigned long long)attr,
						(unsigned long long)val,
						vgic_strerror(ret),
						msg[0] ? ": " : "", msg);
				return ret;
			}
		}
	}
	return 0;
}

int vgic_snapshot_restore(struct vgic *v, const void *buf, size_t len)
{
	struct snap_parsed s = { 0 };
	struct vgic *fresh = NULL;
	struct vgic_vcpu *fresh_vcpu = NULL;
	struct vgic_undo u;
	struct vgic_device *d;
	int ret;

	if (!v || (!buf && len))
		return -EINVAL;
	pthread_mutex_lock(&v->lock);
	v->last_error[0] = '\0';
	if (v->model || v->nr_devs || vgic__any_running(v)) {
		vgic__set_error(v,
				"snapshot restore: the destination must be a "
				"freshly created instance with no device and no "
				"running vCPU");
		ret = -EBUSY;
		goto out_unlock;
	}
	ret = parse(v, buf, len, &s);
	if (ret)
		goto out_unlock;
	fresh = vgic__alloc(v, sizeof(*fresh));
	fresh_vcpu = vgic__alloc(v, v->nr_vcpus * sizeof(*fresh_vcpu));
	if (!fresh || !fresh_vcpu) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	memcpy(fresh, v, sizeof(*fresh));
	memcpy(fresh_vcpu, v->vcpu, v->nr_vcpus * sizeof(*fresh_vcpu));
	pthread_mutex_unlock(&v->lock);

	/* Devices are created through the public entry (it takes the lock). */
	ret = vgic_device_create(v, s.model == 2 ? VGIC_DEV_TYPE_V2
						 : VGIC_DEV_TYPE_V3,
				 &d);
	for (uint32_t i = 0; !ret && i < s.nr_its; i++)
		ret = vgic_device_create(v, VGIC_DEV_TYPE_ITS, &d);

	pthread_mutex_lock(&v->lock);
	vgic__undo_begin(v, &u);
	if (!ret) {
		ret = apply(v, &s);
	} else {
		vgic__set_error(v, "snapshot restore: creating devices: %s",
				vgic_strerror(ret));
	}
	if (ret) {
		char msg[sizeof(v->last_error)];

		memcpy(msg, v->last_error, sizeof(msg));
		vgic__undo_end(v, &u, true);
		reset_fresh(v, fresh, fresh_vcpu);
		memcpy(v->last_error, msg, sizeof(msg));
	} else {
		vgic__undo_end(v, &u, false);
		vgic__update_all(v);
	}
out_unlock:
	pthread_mutex_unlock(&v->lock);
	vgic__free(v, fresh_vcpu);
	vgic__free(v, fresh);
	vgic__free(v, s.sec);
	return ret;
}

/*
 * libvgic - GICv3 ITS command handlers (GICv3/4 architecture spec §5.13
 * "ITS commands"): MAPD, MAPC, MAPTI, MAPI, MOVI, DISCARD, CLEAR, INT, INV,
 * INVALL, SYNC and MOVALL, as a table indexed by opcode.
 *
 * Policy (KVM's, abi.md §3): a command whose parameters fail a check is
 * dropped with an internal E_ITS_* code (never visible to the guest) and
 * CREADR advances; guest-memory failures drop the command too.  Every ID is
 * range-checked before it indexes anything.  GICv4 commands and unknown
 * opcodes are ignored.  Called with v->lock held.
 *
 * DEVIATION (from KVM, following the architecture):
 *  - an ITE keeps its ICID when its collection is unmapped (MAPC V=0); a
 *    later MAPC of that ICID makes those ITEs deliverable again (KVM
 *    leaves them with no collection for good, abi.md §7.19);
 *  - MOVALL moves only the LPIs that target RDbase1 (KVM >= 6.10 moves
 *    every LPI of the VM, abi.md §3.2).
 */
#include "its.h"
#include "v4.h"

/* Command fields (KVM's its_cmd_get_* layout). */
static uint32_t cmd_devid(const uint64_t *c) { return (uint32_t)(c[0] >> 32); }
static uint32_t cmd_eventid(const uint64_t *c) { return (uint32_t)c[1]; }
static uint32_t cmd_pintid(const uint64_t *c) { return (uint32_t)(c[1] >> 32); }
static uint32_t cmd_size(const uint64_t *c) { return (uint32_t)(c[1] & 0x1f); }
static uint32_t cmd_icid(const uint64_t *c) { return (uint32_t)(c[2] & 0xffff); }
static uint64_t cmd_itt(const uint64_t *c) { return c[2] & 0x000fffffffffff00ull; }
static uint32_t cmd_target(const uint64_t *c) { return (uint32_t)(c[2] >> 16); }
static uint32_t cmd_target2(const uint64_t *c) { return (uint32_t)(c[3] >> 16); }
static bool cmd_valid(const uint64_t *c) { return c[2] >> 63; }

/* Collection @icid exists and is mapped to a vCPU. */
static bool coll_mapped(struct vgic_its *its, uint32_t icid)
{
	return vgic__its_collection(its, icid) < its->v->nr_vcpus;
}

/* The ITT entry of (devid, eventid) and its device, or 0. */
static uint32_t find_ite(struct vgic_its *its, uint32_t devid,
			 uint32_t eventid, struct vgic_its_device **dev)
{
	struct vgic_its_device *d = vgic__its_find_device(its, devid);

	*dev = d;
	return d ? vgic__its_get_ite(d, eventid) : 0;
}

static int cmd_mapd(struct vgic_its *its, const uint64_t *c)
{
	uint32_t devid = cmd_devid(c), nbits = cmd_size(c) + 1;
	uint64_t gpa;

	if (!vgic__its_check_id(its, its->baser[0], devid, &gpa))
		return E_ITS_MAPD_DEVICE_OOR;
	if (cmd_valid(c) && nbits > VGIC_ITS_EVENT_BITS)
		return E_ITS_MAPD_ITTSIZE_OOR;
	if (!cmd_valid(c)) {
		vgic__its_unmap_device(its, devid);
		/* Zero the DTE so a later restore cannot revive it (§7.3). */
		return vgic__its_write_entry(its->v, gpa, 0);
	}
	return vgic__its_map_device(its, devid, cmd_itt(c), nbits);
}

static int cmd_mapc(struct vgic_its *its, const uint64_t *c)
{
	uint32_t icid = cmd_icid(c), target = cmd_target(c);

	if (!cmd_valid(c)) {
		vgic__its_unmap_collection(its, icid);
		return 0;
	}
	/* PTA = 0: RDbase is the vcpu_id (§7.14). */
	if (target >= its->v->nr_vcpus)
		return E_ITS_MAPC_PROCNUM_OOR;
	if (vgic__its_collection(its, icid) == VGIC_ITS_NO_COLL &&
	    !vgic__its_check_id(its, its->baser[1], icid, NULL))
		return E_ITS_MAPC_COLLECTION_OOR;
	return vgic__its_map_collection(its, icid, target);
}

static int cmd_mapti(struct vgic_its *its, const uint64_t *c)
{
	uint32_t devid = cmd_devid(c), ev = cmd_eventid(c), icid = cmd_icid(c);
	bool mapti = (c[0] & 0xff) == GITS_CMD_MAPTI;
	uint32_t intid = mapti ? cmd_pintid(c) : ev;
	struct vgic_its_device *d = vgic__its_find_device(its, devid);
	bool new_coll = false;
	uint64_t ite;
	int ret;

	if (!d)
		return E_ITS_MAPTI_UNMAPPED_DEVICE;
	if (ev >> d->nbits ||
	    vgic__its_read_entry(its->v, d->itt_addr + (uint64_t)ev * 8, &ite))
		return E_ITS_MAPTI_ID_OOR;
	if (intid < VGIC_MIN_LPI || intid >= vgic__lpi_limit(its->v))
		return E_ITS_MAPTI_PHYSICALID_OOR;
	/* UNPREDICTABLE: an existing mapping is left alone (KVM). */
	if (vgic__its_get_ite(d, ev))
		return 0;
	if (vgic__its_collection(its, icid) == VGIC_ITS_NO_COLL) {
		if (!vgic__its_check_id(its, its->baser[1], icid, NULL))
			return E_ITS_MAPC_COLLECTION_OOR;
		ret = vgic__its_map_collection(its, icid, VGIC_NO_VCPU);
		if (ret)
			return ret;
		new_coll = true;
	}
	ret = vgic__its_map_ite(its, d, ev, intid, icid);
	if (ret && new_coll)
		vgic__its_unmap_collection(its, icid);
	return ret;
}

static int cmd_movi(struct vgic_its *its, const uint64_t *c)
{
	struct vgic_its_device *d;
	uint32_t e = find_ite(its, cmd_devid(c), cmd_eventid(c), &d);

	if (!e)
		return E_ITS_MOVI_UNMAPPED_INTERRUPT;
	if (!coll_mapped(its, vgic_its_ite_icid(e)) ||
	    !coll_mapped(its, cmd_icid(c)))
		return E_ITS_MOVI_UNMAPPED_COLLECTION;
	vgic__its_move_ite(its, d, cmd_eventid(c), cmd_icid(c));
	return 0;
}

static int cmd_discard(struct vgic_its *its, const uint64_t *c)
{
	struct vgic_its_device *d;
	uint32_t ev = cmd_eventid(c);
	uint32_t e = find_ite(its, cmd_devid(c), ev, &d);

	/* KVM: an ITE whose collection is unmapped cannot be discarded. */
	if (!e || !coll_mapped(its, vgic_its_ite_icid(e)))
		return E_ITS_DISCARD_UNMAPPED_INTERRUPT;
	vgic__its_unmap_ite(its, d, ev);
	/* Zero the ITE in the guest's ITT (§7.3). */
	return vgic__its_write_entry(its->v, d->itt_addr + (uint64_t)ev * 8, 0);
}

static int cmd_clear(struct vgic_its *its, const uint64_t *c)
{
	struct vgic_its_device *d;
	uint32_t e = find_ite(its, cmd_devid(c), cmd_eventid(c), &d);
	uint32_t intid = vgic_its_ite_intid(e);
	uint32_t t;

	if (!e)
		return E_ITS_CLEAR_UNMAPPED_INTERRUPT;
	vgic__lpi_clear_pending(its->v, intid);
	vgic__v4_clear(its->v, intid); /* GICv4: clear the VPT bit too */
	t = atomic_load(&its->v->lpi.target[intid - VGIC_MIN_LPI]);
	if (t < its->v->nr_vcpus)
		vgic__update_vcpu(its->v, t);
	return 0;
}

static int cmd_int(struct vgic_its *its, const uint64_t *c)
{
	int ret = vgic__its_inject(its->v, its, cmd_devid(c), cmd_eventid(c));

	if (ret == 1)
		return 0;
	return ret ? ret : E_ITS_INT_UNMAPPED_INTERRUPT;
}

static int cmd_inv(struct vgic_its *its, const uint64_t *c)
{
	struct vgic_its_device *d;
	uint32_t e = find_ite(its, cmd_devid(c), cmd_eventid(c), &d);

	if (!e)
		return E_ITS_INV_UNMAPPED_INTERRUPT;
	vgic__lpi_inv(its->v, vgic_its_ite_intid(e));
	return 0;
}

static int cmd_invall(struct vgic_its *its, const uint64_t *c)
{
	uint32_t icid = cmd_icid(c);

	if (!coll_mapped(its, icid))
		return E_ITS_INVALL_UNMAPPED_COLLECTION;
	vgic__lpi_inv_all(its->v, vgic__its_collection(its, icid));
	return 0;
}

static int cmd_movall(struct vgic_its *its, const uint64_t *c)
{
	uint32_t t1 = cmd_target(c), t2 = cmd_target2(c);

	if (t1 >= its->v->nr_vcpus || t2 >= its->v->nr_vcpus)
		return E_ITS_MOVALL_PROCNUM_OOR;
	/* DEVIATION: only LPIs targeting RDbase1 move (architecture). */
	vgic__lpi_move_all(its->v, t1, t2);
	return 0;
}

static int cmd_sync(struct vgic_its *its, const uint64_t *c)
{
	(void)its;
	(void)c;
	return 0; /* effects are always visible when a command completes */
}

struct its_cmd_desc {
	const char *name;
	int (*handle)(struct vgic_its *its, const uint64_t *cmd);
};

static const struct its_cmd_desc its_cmds[16] = {
	[GITS_CMD_MOVI] = { "MOVI", cmd_movi },
	[GITS_CMD_INT] = { "INT", cmd_int },
	[GITS_CMD_CLEAR] = { "CLEAR", cmd_clear },
	[GITS_CMD_SYNC] = { "SYNC", cmd_sync },
	[GITS_CMD_MAPD] = { "MAPD", cmd_mapd },
	[GITS_CMD_MAPC] = { "MAPC", cmd_mapc },
	[GITS_CMD_MAPTI] = { "MAPTI", cmd_mapti },
	[GITS_CMD_MAPI] = { "MAPI", cmd_mapti },
	[GITS_CMD_INV] = { "INV", cmd_inv },
	[GITS_CMD_INVALL] = { "INVALL", cmd_invall },
	[GITS_CMD_MOVALL] = { "MOVALL", cmd_movall },
	[GITS_CMD_DISCARD] = { "DISCARD", cmd_discard },
};

int vgic__its_handle_cmd(struct vgic_its *its, const uint64_t cmd[4])
{
	uint32_t op = (uint32_t)(cmd[0] & 0xff);

	if (op >= VGIC_ARRAY_SIZE(its_cmds) || !its_cmds[op].handle)
		return 0; /* GICv4 / unknown: ignored */
	return its_cmds[op].handle(its, cmd);
}

/*
 * libvgic fuzz target 2: the ITS command queue.
 *
 * A GICv3 VM with one or two ITSes (flat or two-level device tables), LPIs
 * enabled on every vCPU, and a guest that queues ITS commands - decoded
 * from the input either field by field (so that MAPD/MAPC/MAPTI chains
 * actually map things) or as 32 raw bytes - publishes CWRITER, pokes
 * arbitrary bytes into guest RAM behind the tables, rewrites ITS and
 * redistributor registers, sends MSIs and acknowledges LPIs, while the VMM
 * runs SAVE_TABLES, SAVE_PENDING_TABLES, RESTORE_TABLES and ITS reset.
 *
 * Input format (little-endian, zeros past the end):
 *   u8 config: bits 1:0 nr_vcpus - 1, bit 2 two ITSes, bit 3 two-level
 *      device tables, bit 4 sparse MPIDRs, bits 7:5 queue pages - 1
 *   u8 LPI INTID bits = 14 + byte % 3
 *   operations: u8 opcode (enum fz_queue_op) and its fields, see run_ops().
 *
 * Invariants: MSIs and attribute calls return documented values only; the
 * output/acknowledge checks of fz_ack_all(); and a differential round trip
 * when the run stayed "well formed" (no raw MAPD/MAPTI, no MAPD of more
 * than the 256 events an ITT slot holds, no RAM pokes, no
 * mid-run save/restore/reset, no BASER/PROPBASER rewrite, no MOVALL or
 * MAPC V=0, no two ITEs on one LPI): ITS_SAVE_TABLES and
 * SAVE_PENDING_TABLES succeed, a fresh VM restores the tables from the
 * same RAM, and both VMs translate every probed (DeviceID, EventID) the
 * same way and deliver the same LPIs to the same vCPUs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#ifdef FZ_WITH_V4
/*
 * The "v4" target is this file built with FZ_WITH_V4: the same VM with the
 * library's software GICv4.1 (or 4.0) model attached, and five more
 * operations after enum fz_queue_op: FORWARD / UNFORWARD an MSI (u8
 * DeviceID, u8 EventID, u8 host IRQ), FIRE a host IRQ (u8), RUN (u8 vCPU:
 * toggle, i.e. make its vPE resident or not) and VSGI (u8: GICD_CTLR
 * nASSGIreq, then an SGI from vCPU 0).  One more header byte: bit 0
 * selects GICv4.0.  Forwarded runs skip the differential round trip.
 */
#include <vgic/v4.h>
#define FZ_V4_NR_OPS 5
#define FZ_V4_HOST_IRQS 16
#else
#define FZ_V4_NR_OPS 0
#endif

#define MAX_OPS 2048
#define ACK_LIMIT 4096

static uint64_t doorbell(uint32_t its)
{
	return fz_its_base(its) + 0x10040;
}


struct cmd_vm {
	struct th_host *h;
	struct vgic *v;
	struct vgic_device *gic, *its[2];
	uint32_t nr_vcpus, nr_its;
	bool indirect;
	unsigned idbits, q_pages;
	const uint64_t *mpidr;
	uint32_t cur;             /* ITS receiving commands */
	uint64_t wr[2];           /* software CWRITER per ITS */
	bool pristine;            /* differential check still valid */
	bool poked;               /* garbage written into ITS-owned tables */
	uint8_t lpi_used[8192];   /* bitmap of pINTIDs given to MAPTI */
#ifdef FZ_WITH_V4
	struct vgic_v4_model *model;
	bool running[FZ_MAX_VCPUS];
#endif
	struct fz_probe probe[FZ_MAX_PROBES];
	uint32_t nr_probes;
};

static uint64_t q_bytes(const struct cmd_vm *m)
{
	return m->q_pages * 0x1000ull;
}

/* DeviceID from one byte: 0..63, or 8192.. (second L1 entry). */
static uint32_t dec_devid(uint8_t b)
{
	return (b & 0x3f) | ((b & 0x40) ? 8192u : 0);
}

/* ITT slot of a structured DeviceID: one per device, never shared. */
static uint32_t itt_slot(uint32_t devid)
{
	return (devid & 0x3f) | ((devid & 8192) ? 64 : 0);
}

static void add_probe(struct cmd_vm *m, uint32_t devid, uint32_t eventid)
{
	uint64_t db = doorbell(m->cur);

	for (uint32_t i = 0; i < m->nr_probes; i++)
		if (m->probe[i].doorbell == db && m->probe[i].devid == devid &&
		    m->probe[i].eventid == eventid)
			return;
	if (m->nr_probes < FZ_MAX_PROBES)
		m->probe[m->nr_probes++] =
			(struct fz_probe){ db, devid, eventid };
}

static void note_lpi(struct cmd_vm *m, uint32_t intid)
{
	if (intid >= 0x10000)
		return;
	if (m->lpi_used[intid >> 3] & (1u << (intid & 7)))
		m->pristine = false; /* two ITEs, one LPI: order-dependent */
	m->lpi_used[intid >> 3] |= (uint8_t)(1u << (intid & 7));
}

static void op_cmd(struct cmd_vm *m, struct fz *f)
{
	uint8_t sel = fz_u8(f), d = fz_u8(f), e = fz_u8(f);
	uint16_t p = fz_u16(f);
	uint8_t i = fz_u8(f), r = fz_u8(f), s = fz_u8(f);
	struct fz_cmd c = { 0 };

	c.op = fz_cmd_ops[sel & 0xf];
	c.valid = !(sel & 0x80);
	c.devid = dec_devid(d);
	if (d & 0x80) {
		c.devid = fz_u32(f); /* any DeviceID */
		if (c.op == FZ_CMD_MAPD)
			m->pristine = false;
	}
	c.eventid = e;
	c.pintid = (p & 0x8000) ? (p & 0x7fffu) * 3 : 8192u + (p & 0x3ff);
	c.icid = (i & 0x80) ? (i & 0x7fu) * 517 : i & 7;
	c.rd = r % (m->nr_vcpus + 1);
	c.rd2 = (r >> 4) % (m->nr_vcpus + 1);
	c.size = (s & 0x80) ? s & 0x1f : s % 8;
	c.itt = FZ_ITT(m->cur, itt_slot(c.devid));
	if (s & 0x40) {
		/* An ITT anywhere in RAM, possibly over other tables. */
		c.itt = TH_RAM_BASE + (uint64_t)fz_u16(f) * 256;
		if (c.op == FZ_CMD_MAPD)
			m->pristine = false;
	}
	switch (c.op) {
	case FZ_CMD_MAPTI:
		note_lpi(m, c.pintid);
		break;
	case FZ_CMD_MAPI:
		note_lpi(m, c.eventid);
		break;
	case FZ_CMD_MOVALL:
		m->pristine = false;
		break;
	case FZ_CMD_MAPC:
		if (!c.valid)
			m->pristine = false;
		break;
	case FZ_CMD_MAPD:
		/* Beyond 256 events the ITT overlaps the next device's slot:
		 * saved ITEs then legitimately corrupt each other. */
		if (c.devid >= 16384 || c.size > 7)
			m->pristine = false;
		break;
	default:
		break;
	}
	if (c.op != FZ_CMD_MAPD && c.op != FZ_CMD_MAPC)
		add_probe(m, c.devid, c.eventid);
	fz_its_queue(m->h, FZ_CMDQ(m->cur), q_bytes(m), &m->wr[m->cur], &c);
}

static void op_cmd_raw(struct cmd_vm *m, struct fz *f)
{
	uint8_t raw[32];
	uint8_t op;

	fz_bytes(f, raw, sizeof(raw));
	op = raw[0];
	if (op == FZ_CMD_MAPD || op == FZ_CMD_MAPTI || op == FZ_CMD_MAPI ||
	    op == FZ_CMD_MOVALL || op == FZ_CMD_MAPC)
		m->pristine = false;
	memcpy(th_ram(m->h, FZ_CMDQ(m->cur) + m->wr[m->cur]), raw, 32);
	m->wr[m->cur] = (m->wr[m->cur] + 32) % q_bytes(m);
}


static void op_reg(struct cmd_vm *m, struct fz *f)
{
	uint8_t which = fz_u8(f);
	uint8_t b = fz_u8(f);
	uint64_t base = fz_its_base(m->cur);
	uint32_t vcpu = b % m->nr_vcpus;
	uint64_t val;

	switch (which % 10) {
	case 0: /* GITS_CTLR.Enabled */
		fz_mmio_wr(m->v, vcpu, base + FZ_GITS_CTLR, b & 1, 4);
		break;
	case 1: /* any BASER0/1 value */
		val = fz_u64(f);
		fz_mmio_wr(m->v, vcpu,
			   base + ((b & 1) ? FZ_GITS_BASER1 : FZ_GITS_BASER0),
			   val, 8);
		m->pristine = false;
		break;
	case 2: /* any CBASER */
		fz_mmio_wr(m->v, vcpu, base + FZ_GITS_CBASER, fz_u64(f), 8);
		m->pristine = false;
		break;
	case 3: /* any CWRITER: process whatever the queue holds */
		fz_mmio_wr(m->v, vcpu, base + FZ_GITS_CWRITER, fz_u64(f), 8);
		m->wr[m->cur] =
			fz_mmio_rd(m->v, vcpu, base + FZ_GITS_CWRITER, 8) %
			q_bytes(m);
		break;
	case 4: { /* CREADR from userspace */
		val = fz_u32(f);
		fz_check_errno(th_set_attr(m->its[m->cur], VGIC_GRP_ITS_REGS,
					   FZ_GITS_CREADR, &val),
			       "ITS_REGS CREADR");
		break;
	}
	case 5: /* GICR_CTLR.EnableLPIs toggles */
		fz_mmio_wr(m->v, vcpu, fz_rd_base(vcpu) + FZ_GICR_CTLR,
			   (b >> 7) & 1, 4);
		break;
	case 6: /* PROPBASER (ignored while LPIs are enabled) */
		fz_mmio_wr(m->v, vcpu, fz_rd_base(vcpu) + FZ_GICR_PROPBASER,
			   fz_u64(f), 8);
		m->pristine = false;
		break;
	case 7: /* INVLPIR with any INTID (KVM §7.12) */
		fz_mmio_wr(m->v, vcpu, fz_rd_base(vcpu) + FZ_GICR_INVLPIR,
			   fz_u32(f), 8);
		break;
	case 8:
		fz_mmio_wr(m->v, vcpu, fz_rd_base(vcpu) + FZ_GICR_INVALLR, 0,
			   8);
		break;
	default: /* any ITS register, any width */
		val = fz_u64(f);
		fz_mmio_wr(m->v, vcpu, base + fz_u16(f) % 0x200, val,
			   1u << (b & 3));
		m->pristine = false;
		break;
	}
}

static void op_ctrl(struct cmd_vm *m, struct fz *f)
{
	uint8_t which = fz_u8(f) % 4;
	int ret;

	if (which == 3) {
		ret = th_set_attr(m->gic, VGIC_GRP_CTRL,
				  VGIC_CTRL_SAVE_PENDING_TABLES, NULL);
		fz_check_errno(ret, "SAVE_PENDING_TABLES");
		return;
	}
	ret = th_set_attr(m->its[m->cur], VGIC_GRP_CTRL,
			  which == 0   ? VGIC_CTRL_ITS_SAVE_TABLES
			  : which == 1 ? VGIC_CTRL_ITS_RESTORE_TABLES
				       : VGIC_CTRL_ITS_RESET,
			  NULL);
	fz_check_errno(ret, "ITS CTRL");
	m->pristine = false;
	if (which == 2)
		m->wr[m->cur] = 0;
}

#ifdef FZ_WITH_V4
static void op_v4(struct cmd_vm *m, struct fz *f, unsigned op)
{
	uint8_t a = fz_u8(f), b = fz_u8(f), c = fz_u8(f);
	uint32_t irq = c % FZ_V4_HOST_IRQS, vcpu = a % m->nr_vcpus;
	int ret;

	switch (op) {
	case 0:
		ret = vgic_v4_set_forwarding(m->v, doorbell(m->cur),
					     dec_devid(a), b, irq);
		fz_check_errno(ret, "vgic_v4_set_forwarding");
		if (!ret)
			m->pristine = false;
		break;
	case 1:
		ret = vgic_v4_unset_forwarding(m->v, doorbell(m->cur),
					       dec_devid(a), b, irq);
		fz_check_errno(ret, "vgic_v4_unset_forwarding");
		break;
	case 2:
		ret = vgic_v4_model_fire(m->model, irq);
		if (ret != 1 && ret != 0 && ret != -ENOENT && ret != -EINVAL)
			fz_fail("vgic_v4_model_fire returned %d", ret);
		break;
	case 3:
		ret = vgic_vcpu_set_running(m->v, vcpu, !m->running[vcpu]);
		fz_check_errno(ret, "set_running");
		if (!ret)
			m->running[vcpu] = !m->running[vcpu];
		break;
	default:
		fz_mmio_wr(m->v, 0, TH_GICD_BASE + FZ_GICD_CTLR,
			   0x13 | (uint64_t)(b & 1) << 8, 4);
		vgic_sysreg_write(m->v, 0, VGIC_ICC_SGI1R_EL1,
				  (uint64_t)(c & 0xf) << 24 | (1u << vcpu));
		break;
	}
}
#endif

/* [@off, @off + @len) of RAM lies in one ITS's collection table, flat
 * device table, level-2 pages or ITT slots. */
static bool poke_in_its_tables(const struct cmd_vm *m, uint32_t off,
			       uint32_t len)
{
	uint32_t i = off / 0x100000, lo = off % 0x100000;

	if (i >= m->nr_its || (lo + len) / 0x100000 != 0)
		return false;
	if (lo >= 0x20000 && lo + len <= 0x30000)
		return true; /* collection table */
	if (!m->indirect && lo >= 0x10000 && lo + len <= 0x20000)
		return true; /* flat device table */
	return lo >= 0x80000; /* level-2 pages, ITTs */
}

/*
 * Acknowledge what vCPU @c can take.  With a GICv4 backend, a vCPU that is
 * not running may assert its output for a doorbell only (docs/gicv4.md: a
 * VMM in WFI must wake it; the vLPIs reach the CPU interface once the vPE
 * is resident), so it runs while it acknowledges - as a guest does: only a
 * running vCPU executes ICC_IAR1_EL1.
 */
static void ack_vcpu(struct cmd_vm *m, uint32_t c, uint32_t limit)
{
#ifdef FZ_WITH_V4
	if (!m->running[c] && !vgic_vcpu_set_running(m->v, c, true)) {
		fz_ack_all(m->v, c, NULL, 0, limit);
		if (vgic_vcpu_set_running(m->v, c, false))
			fz_fail("vCPU %u cannot stop running", c);
		return;
	}
#endif
	fz_ack_all(m->v, c, NULL, 0, limit);
}

static void run_ops(struct cmd_vm *m, struct fz *f)
{
	for (int n = 0; n < MAX_OPS && !fz_done(f); n++) {
		uint8_t op = fz_u8(f) % (FZ_Q_NR_OPS + FZ_V4_NR_OPS);

		switch (op) {
		case FZ_Q_CMD:
			op_cmd(m, f);
			break;
		case FZ_Q_CMD_RAW:
			op_cmd_raw(m, f);
			break;
		case FZ_Q_KICK:
			fz_its_kick(m->v, m->cur, m->wr[m->cur]);
			break;
		case FZ_Q_SWITCH:
			m->cur = fz_u8(f) % m->nr_its;
			break;
		case FZ_Q_MSI: {
			uint8_t d = fz_u8(f), e = fz_u8(f);

			fz_check_msi(vgic_signal_msi(m->v, doorbell(m->cur),
						  dec_devid(d), e));
			break;
		}
		case FZ_Q_ACK:
			ack_vcpu(m, fz_u8(f) % m->nr_vcpus, 64);
			break;
		case FZ_Q_POKE: {
			uint32_t off = fz_u32(f) % (FZ_RAM_SIZE - 64);
			uint8_t len = fz_u8(f) % 64;

			fz_bytes(f, th_ram(m->h, TH_RAM_BASE + off), len);
			/* Into memory the ITS owns (the tables the restore
			 * scan reads): the snapshot differential still holds
			 * (the snapshot clears what the scan would misread).
			 * Elsewhere (queue, property, pending and level-1
			 * tables), it does not. */
			if (poke_in_its_tables(m, off, len))
				m->poked = true;
			else
				m->pristine = false;
			break;
		}
		case FZ_Q_REG:
			op_reg(m, f);
			break;
		case FZ_Q_CTRL:
			op_ctrl(m, f);
			break;
		default:
#ifdef FZ_WITH_V4
			op_v4(m, f, op - FZ_Q_NR_OPS);
#endif
			break;
		}
	}
}

static struct vgic *make_vm(struct cmd_vm *m, struct vgic_device **gic,
			    struct vgic_device **its, bool enable)
{
	uint32_t nr_its = m->nr_its;
	struct vgic *v = fz_vm_v3(m->h, m->nr_vcpus, m->mpidr, 0, &nr_its,
				  gic, its);

	if (!v)
		return NULL;
	if (nr_its != m->nr_its) {
		vgic_destroy(v);
		return NULL;
	}
	fz_cpu_on(v, m->nr_vcpus);
	fz_lpis_on(v, m->h, m->nr_vcpus, m->idbits, 0x10000);
	for (uint32_t i = 0; i < m->nr_its; i++)
		fz_its_on(v, m->h, i, m->indirect, m->q_pages, enable);
	return v;
}

static void differential(struct cmd_vm *m)
{
	static struct fz_sig s1, s2;
	struct vgic_device *gic2, *its2[2];
	struct vgic *v2;
	int ret;

	/* Drain what the run left deliverable, then flush to RAM. */
	for (uint32_t c = 0; c < m->nr_vcpus; c++)
		ack_vcpu(m, c, ACK_LIMIT);
	for (uint32_t i = 0; i < m->nr_its; i++) {
		ret = th_set_attr(m->its[i], VGIC_GRP_CTRL,
				  VGIC_CTRL_ITS_SAVE_TABLES, NULL);
		if (ret)
			fz_fail("ITS %u SAVE_TABLES of well-formed tables: %s",
				i, vgic_strerror(ret));
	}
	ret = th_set_attr(m->gic, VGIC_GRP_CTRL, VGIC_CTRL_SAVE_PENDING_TABLES,
			  NULL);
	if (ret)
		fz_fail("SAVE_PENDING_TABLES: %s", vgic_strerror(ret));

	v2 = make_vm(m, &gic2, its2, false);
	if (!v2)
		fz_fail("second VM could not be built");
	for (uint32_t i = 0; i < m->nr_its; i++) {
		ret = th_set_attr(its2[i], VGIC_GRP_CTRL,
				  VGIC_CTRL_ITS_RESTORE_TABLES, NULL);
		if (ret)
			fz_fail("ITS %u RESTORE_TABLES of what SAVE_TABLES "
				"wrote: %s (%s)",
				i, vgic_strerror(ret), vgic_last_error(v2));
		fz_mmio_wr(v2, 0, fz_its_base(i) + FZ_GITS_CTLR, 1, 4);
	}
	fz_sign(m->v, m->nr_vcpus, m->probe, m->nr_probes, &s1);
	fz_sign(v2, m->nr_vcpus, m->probe, m->nr_probes, &s2);
	fz_sig_compare(&s1, &s2, m->probe, m->nr_probes, m->nr_vcpus, true);
	vgic_destroy(v2);
}

#ifdef VGIC_FUZZ_HAVE_SNAPSHOT
/*
 * The snapshot's promise (docs/its-tables.md): whatever the guest wrote into
 * its ITS tables, a snapshot that saves restores exactly - the same
 * translations, the same pending LPIs on the same vCPUs - or the save
 * fails with a documented errno.  The destination gets a copy of the RAM
 * the save left.
 */
static void snapshot_differential(struct cmd_vm *m)
{
	static struct fz_sig s1, s2;
	struct vgic_config cfg = { .nr_vcpus = m->nr_vcpus, .mpidr = m->mpidr };
	struct th_host *h2;
	struct vgic *v2;
	uint8_t *buf;
	size_t len;
	int ret;

	for (uint32_t c = 0; c < m->nr_vcpus; c++)
		ack_vcpu(m, c, ACK_LIMIT);
	if (fz_snapshot(m->v, &buf, &len))
		return; /* documented errno: checked by fz_snapshot */
	h2 = fz_host_new(FZ_RAM_SIZE);
	memcpy(h2->ram, m->h->ram, FZ_RAM_SIZE);
	ret = vgic_create(&cfg, &th_ops, h2, &v2);
	if (ret)
		fz_fail("vgic_create: %s", vgic_strerror(ret));
	ret = vgic_snapshot_restore(v2, buf, len);
	if (ret)
		fz_fail("a snapshot just saved does not restore: %s (%s)",
			vgic_strerror(ret), vgic_last_error(v2));
	fz_sign(m->v, m->nr_vcpus, m->probe, m->nr_probes, &s1);
	fz_sign(v2, m->nr_vcpus, m->probe, m->nr_probes, &s2);
	fz_sig_compare(&s1, &s2, m->probe, m->nr_probes, m->nr_vcpus, true);
	vgic_destroy(v2);
	fz_host_free(h2);
	free(buf);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t sparse_mpidr[FZ_MAX_VCPUS] = {
		0x000203, 0x000001, 0x010000, 0x000100
	};
	static struct cmd_vm m;
	struct fz f;
	uint8_t cfg;

	memset(&m, 0, sizeof(m));
	fz_init(&f, data, size);
	cfg = fz_u8(&f);
	m.nr_vcpus = 1 + (cfg & 3);
	m.nr_its = 1 + ((cfg >> 2) & 1);
	m.indirect = cfg & 8;
	m.mpidr = (cfg & 0x10) ? sparse_mpidr : NULL;
	m.q_pages = 1 + (cfg >> 5);
	m.idbits = 14 + fz_u8(&f) % 3;
	m.pristine = true;
	m.h = fz_host_new(FZ_RAM_SIZE);
	m.v = make_vm(&m, &m.gic, m.its, true);
	if (!m.v)
		goto out;
#ifdef FZ_WITH_V4
	{
		int ver = (fz_u8(&f) & 1) ? VGIC_V4_0 : VGIC_V4_1;
		int ret = vgic_v4_model_create(ver, m.nr_vcpus,
					       FZ_V4_HOST_IRQS, &m.model);

		if (ret)
			fz_fail("vgic_v4_model_create: %s", vgic_strerror(ret));
		ret = vgic_v4_attach_model(m.v, m.model);
		if (ret)
			fz_fail("vgic_v4_attach_model: %s", vgic_strerror(ret));
	}
#endif
	run_ops(&m, &f);
#ifdef FZ_WITH_V4
	for (uint32_t c = 0; c < m.nr_vcpus; c++)
		if (m.running[c])
			vgic_vcpu_set_running(m.v, c, false);
#endif
	/* Run what is still queued with everything enabled. */
	for (uint32_t i = 0; i < m.nr_its; i++) {
		fz_mmio_wr(m.v, 0, fz_its_base(i) + FZ_GITS_CTLR, 1, 4);
		fz_its_kick(m.v, i, m.wr[i]);
	}
	for (uint32_t c = 0; c < m.nr_vcpus; c++)
		fz_mmio_wr(m.v, c, fz_rd_base(c) + FZ_GICR_CTLR, 1, 4);
	if (m.pristine && !m.poked)
		differential(&m);
#ifdef VGIC_FUZZ_HAVE_SNAPSHOT
	if (m.pristine)
		snapshot_differential(&m);
#endif
	vgic_destroy(m.v);
#ifdef FZ_WITH_V4
	vgic_v4_model_destroy(m.model);
#endif
out:
	fz_host_free(m.h);
	return 0;
}

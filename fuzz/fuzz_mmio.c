/*
 * libvgic fuzz target 1: guest access sequences.
 *
 * A guest on several vCPUs issues MMIO reads and writes of any width and
 * offset on every GIC frame (GICv3 distributor, each redistributor's RD_base
 * and SGI_base pages, each ITS frame, or the GICv2 distributor and CPU
 * interface), ICC_* system-register accesses, and the VMM drives interrupt
 * lines, MSIs, running state and acknowledge/EOI loops in between.
 *
 * Input format (all fields little-endian, reading past the end gives 0):
 *   u8  config: bit 0 GICv2 (else GICv3), bits 2:1 nr_vcpus - 1,
 *       bits 4:3 number of ITSes (v3), bit 5 sparse MPIDRs (v3),
 *       bit 6 LPIs + ITS brought up by the "guest", bit 7 CPU interfaces on
 *   u8  NR_IRQS = 64 + 32 * (byte % 30)
 *   then operations, each a u8 opcode (enum fz_mmio_op) and its fields:
 *     READ/WRITE  u8 vcpu, u8 frame, u32 offset, u8 width code[, u64 value]
 *     SYSREG_RD/WR u8 vcpu, u8 register index or raw[, u64 value]
 *     LINE        u8 vcpu, u16 INTID, u8 level
 *     MSI         u8 its, u16 DeviceID, u16 EventID
 *     OUTPUTS     u8 vcpu          (query IRQ/FIQ outputs)
 *     RUN         u8 vcpu          (toggle running)
 *     ACK         u8 vcpu          (acknowledge + EOI everything)
 *     SNAPSHOT    -                (save/restore/save round trip, v3)
 *
 * Invariants checked: a GIC frame access returns 0, an access outside every
 * frame -ENOENT, an illegal width -EINVAL; the sysreg, line, MSI and
 * running calls return only their documented values; an interrupt
 * acknowledged through ICC_IAR1_EL1 was signalled on the IRQ output just
 * before, and an asserted IRQ output always yields an acknowledgeable
 * interrupt.
 */
#include <errno.h>
#include <stdlib.h>

#include "fuzz.h"

#define MAX_OPS 4096

static const uint32_t icc_regs[] = {
	VGIC_ICC_PMR_EL1,     VGIC_ICC_IAR0_EL1,    VGIC_ICC_EOIR0_EL1,
	VGIC_ICC_HPPIR0_EL1,  VGIC_ICC_BPR0_EL1,    VGIC_ICC_AP0R0_EL1,
	VGIC_ICC_AP0R1_EL1,   VGIC_ICC_AP0R2_EL1,   VGIC_ICC_AP0R3_EL1,
	VGIC_ICC_AP1R0_EL1,   VGIC_ICC_AP1R1_EL1,   VGIC_ICC_AP1R2_EL1,
	VGIC_ICC_AP1R3_EL1,   VGIC_ICC_DIR_EL1,     VGIC_ICC_RPR_EL1,
	VGIC_ICC_SGI1R_EL1,   VGIC_ICC_ASGI1R_EL1,  VGIC_ICC_SGI0R_EL1,
	VGIC_ICC_IAR1_EL1,    VGIC_ICC_EOIR1_EL1,   VGIC_ICC_HPPIR1_EL1,
	VGIC_ICC_BPR1_EL1,    VGIC_ICC_CTLR_EL1,    VGIC_ICC_SRE_EL1,
	VGIC_ICC_IGRPEN0_EL1, VGIC_ICC_IGRPEN1_EL1,
};
#define NR_ICC (sizeof(icc_regs) / sizeof(icc_regs[0]))

struct mmio_vm {
	struct vgic *v;
	struct th_host *h;
	bool v2;
	uint32_t nr_vcpus, nr_its;
	const uint64_t *mpidr;
	bool running[FZ_MAX_VCPUS];
	unsigned snapshots;       /* round trips so far (bounded) */
};

/* Resolve a frame selector and offset to a GPA; *@hit says whether the GPA
 * must be inside a GIC frame. */
static uint64_t frame_gpa(const struct mmio_vm *m, uint8_t sel, uint32_t off,
			  bool *hit)
{
	uint32_t idx = sel >> 2;

	*hit = true;
	if (m->v2) {
		switch (sel & 3) {
		case 0:
			return FZ_V2_DIST_BASE + off % VGIC_V2_DIST_SIZE;
		case 1:
			return FZ_V2_CPU_BASE + off % VGIC_V2_CPU_SIZE;
		default:
			break;
		}
	} else {
		switch (sel & 3) {
		case 0:
			return TH_GICD_BASE + off % VGIC_V3_DIST_SIZE;
		case 1:
			return fz_rd_base(idx % m->nr_vcpus) +
			       off % VGIC_V3_REDIST_SIZE;
		case 2:
			if (m->nr_its)
				return fz_its_base(idx % m->nr_its) +
				       off % VGIC_ITS_SIZE;
			break;
		default:
			break;
		}
	}
	/* Anywhere around the GIC frames: holes, edges, other devices. */
	*hit = false;
	return 0x07ff0000ull + off % 0x01200000u;
}

static bool gpa_in_frame(const struct mmio_vm *m, uint64_t gpa)
{
	if (m->v2)
		return (gpa >= FZ_V2_DIST_BASE &&
			gpa < FZ_V2_DIST_BASE + VGIC_V2_DIST_SIZE) ||
		       (gpa >= FZ_V2_CPU_BASE &&
			gpa < FZ_V2_CPU_BASE + VGIC_V2_CPU_SIZE);
	if (gpa >= TH_GICD_BASE && gpa < TH_GICD_BASE + VGIC_V3_DIST_SIZE)
		return true;
	if (gpa >= TH_GICR_BASE &&
	    gpa < TH_GICR_BASE + m->nr_vcpus * VGIC_V3_REDIST_SIZE)
		return true;
	for (uint32_t i = 0; i < m->nr_its; i++)
		if (gpa >= fz_its_base(i) &&
		    gpa < fz_its_base(i) + VGIC_ITS_SIZE)
			return true;
	return false;
}

static void op_access(struct mmio_vm *m, struct fz *f, bool write)
{
	uint32_t vcpu = fz_u8(f) % m->nr_vcpus;
	uint8_t sel = fz_u8(f);
	uint32_t off = fz_u32(f);
	uint8_t wc = fz_u8(f);
	uint64_t val = write ? fz_u64(f) : 0;
	uint32_t len = 1u << (wc & 3);
	bool hit, legal = true;
	uint64_t gpa = frame_gpa(m, sel, off, &hit);
	int ret;

	if (wc & 0x80) {
		/* Any length, legal or not. */
		len = (wc >> 2) & 0xf;
		legal = len == 1 || len == 2 || len == 4 || len == 8;
	}
	if (!hit)
		hit = gpa_in_frame(m, gpa);
	if (write)
		ret = vgic_mmio_write(m->v, vcpu, gpa, &val, len);
	else
		ret = vgic_mmio_read(m->v, vcpu, gpa, &val, len);
	if (!legal && ret != -EINVAL)
		fz_fail("%u-byte access at 0x%llx returned %d, not -EINVAL",
			len, (unsigned long long)gpa, ret);
	if (legal && ret != (hit ? 0 : -ENOENT))
		fz_fail("%s of %u bytes at 0x%llx (%s) returned %d",
			write ? "write" : "read", len,
			(unsigned long long)gpa,
			hit ? "GIC frame" : "no frame", ret);
}

static void op_sysreg(struct mmio_vm *m, struct fz *f, bool write)
{
	uint32_t vcpu = fz_u8(f) % m->nr_vcpus;
	uint8_t idx = fz_u8(f);
	uint32_t enc = idx < NR_ICC ? icc_regs[idx] : fz_u16(f);
	uint64_t val = write ? fz_u64(f) : 0;
	int ret;

	if (write)
		ret = vgic_sysreg_write(m->v, vcpu, enc, val);
	else
		ret = vgic_sysreg_read(m->v, vcpu, enc, &val);
	if (m->v2 ? ret != -ENODEV : ret != 0 && ret != -ENOENT)
		fz_fail("sysreg 0x%x returned %d", enc, ret);
	if (!m->v2 && idx < NR_ICC && ret)
		fz_fail("ICC register 0x%x is not a GIC register (%d)", enc,
			ret);
}

static void run_ops(struct mmio_vm *m, struct fz *f)
{
	for (int n = 0; n < MAX_OPS && !fz_done(f); n++) {
		uint8_t op = fz_u8(f) % FZ_MMIO_NR_OPS;
		uint32_t vcpu;
		int ret;

		switch (op) {
		case FZ_MMIO_READ:
		case FZ_MMIO_WRITE:
			op_access(m, f, op == FZ_MMIO_WRITE);
			break;
		case FZ_MMIO_SYSREG_RD:
		case FZ_MMIO_SYSREG_WR:
			op_sysreg(m, f, op == FZ_MMIO_SYSREG_WR);
			break;
		case FZ_MMIO_LINE: {
			uint32_t intid;
			uint8_t level;

			vcpu = fz_u8(f);
			intid = fz_u16(f) % 1100;
			level = fz_u8(f);
			ret = vgic_irq_line(m->v, vcpu % (m->nr_vcpus + 1),
					    intid, level & 1);
			if (ret && ret != -EINVAL && ret != -EBUSY)
				fz_fail("irq_line(%u) returned %d", intid,
					ret);
			break;
		}
		case FZ_MMIO_MSI: {
			uint8_t its = fz_u8(f);
			uint32_t devid = fz_u16(f), ev = fz_u16(f);
			uint64_t db = m->nr_its && !m->v2
					      ? fz_its_base(its % m->nr_its) +
							0x10040
					      : TH_ITS_BASE + 0x10040;

			ret = vgic_signal_msi(m->v, db, devid, ev);
			if (ret != 1 && ret != 0 && ret != -ENODEV &&
			    ret != -EINVAL && ret != -EBUSY)
				fz_fail("signal_msi returned %d", ret);
			if (!m->nr_its && ret != -ENODEV)
				fz_fail("MSI without an ITS returned %d", ret);
			break;
		}
		case FZ_MMIO_OUTPUTS:
			vcpu = fz_u8(f) % m->nr_vcpus;
			(void)vgic_vcpu_irq_pending(m->v, vcpu);
			(void)vgic_vcpu_fiq_pending(m->v, vcpu);
			break;
		case FZ_MMIO_RUN:
			vcpu = fz_u8(f) % m->nr_vcpus;
			ret = vgic_vcpu_set_running(m->v, vcpu,
						    !m->running[vcpu]);
			if (!ret)
				m->running[vcpu] = !m->running[vcpu];
			else if (ret != -ENXIO && ret != -EINVAL &&
				 ret != -EBUSY)
				fz_fail("set_running returned %d", ret);
			break;
		case FZ_MMIO_ACK:
			if (!m->v2)
				fz_ack_all(m->v, fz_u8(f) % m->nr_vcpus, NULL,
					   0, 64);
			break;
		default:
#ifdef VGIC_FUZZ_HAVE_SNAPSHOT
			if (!m->v2 && m->snapshots++ < FZ_MAX_SNAPSHOTS)
				fz_snapshot_roundtrip(m->v, &th_ops, m->h,
						      m->nr_vcpus, m->mpidr);
#endif
			break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t sparse_mpidr[FZ_MAX_VCPUS] = {
		0x000100, 0x010000, 0x0000ff, 0x000001
	};
	struct mmio_vm m = { 0 };
	struct fz f;
	uint8_t cfg, irqs;

	fz_init(&f, data, size);
	cfg = fz_u8(&f);
	irqs = fz_u8(&f);
	m.v2 = cfg & 1;
	m.nr_vcpus = 1 + ((cfg >> 1) & 3);
	m.nr_its = m.v2 ? 0 : (cfg >> 3) & 3;
	m.h = fz_host_new(FZ_RAM_SIZE);
	if (m.v2) {
		m.v = fz_vm_v2(m.h, m.nr_vcpus, 64 + 32u * (irqs % 30), NULL);
	} else {
		m.mpidr = (cfg & 0x20) ? sparse_mpidr : NULL;
		m.v = fz_vm_v3(m.h, m.nr_vcpus, m.mpidr,
			       64 + 32u * (irqs % 30), &m.nr_its, NULL, NULL);
	}
	if (!m.v)
		goto out;
	if (!m.v2 && (cfg & 0x40)) {
		fz_lpis_on(m.v, m.h, m.nr_vcpus, 16, 1024);
		for (uint32_t i = 0; i < m.nr_its; i++)
			fz_its_on(m.v, m.h, i, (cfg >> i) & 1, 16, true);
	}
	if (!m.v2 && (cfg & 0x80))
		fz_cpu_on(m.v, m.nr_vcpus);
	run_ops(&m, &f);
	if (!m.v2)
		for (uint32_t i = 0; i < m.nr_vcpus; i++)
			fz_ack_all(m.v, i, NULL, 0, 64);
	vgic_destroy(m.v);
out:
	fz_host_free(m.h);
	return 0;
}

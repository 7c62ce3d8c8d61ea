/*
 * libvgic fuzz target 5: the device-attribute API (KVM_CREATE_DEVICE and
 * KVM_{SET,GET,HAS}_DEVICE_ATTR) with arbitrary device, group, attr and
 * value sequences, interleaved with running vCPUs, guest MMIO, lines, MSIs
 * and whole-GIC snapshots - the VMM's side of the library, in any order.
 *
 * Input format (little-endian, zeros past the end):
 *   u8 config: bits 3:0 nr_vcpus - 1 (mod 9, so 9 vCPUs can refuse a
 *      GICv2), bit 4 sparse MPIDRs
 *   operations: u8 opcode (enum fz_attr_op) and its fields, see run_ops():
 *     CREATE  u8 type selector
 *     SET/GET/HAS  u8 device, u8 group, u8 attr mode + fields,
 *                  u8 value mode + fields (bit 7: NULL value pointer)
 *     RUN     u8 vCPU (toggle), MMIO, MSI, LINE, SNAPSHOT
 *
 * The value of every call lives in a heap buffer of exactly the size the
 * KVM ABI gives the group (u32 or u64), so ASan catches an access of the
 * wrong width.  Invariants: documented errnos only; -EFAULT for a NULL
 * value pointer where a value is exchanged; a saved snapshot restores and
 * re-saves identically (fz_snapshot_roundtrip()).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define MAX_OPS 1024
#define MAX_DEVS 8
#define MAX_VCPUS 9

static const uint32_t icc_regs[] = {
	VGIC_ICC_SRE_EL1,  VGIC_ICC_CTLR_EL1,    VGIC_ICC_IGRPEN0_EL1,
	VGIC_ICC_IGRPEN1_EL1, VGIC_ICC_PMR_EL1,  VGIC_ICC_BPR0_EL1,
	VGIC_ICC_BPR1_EL1, VGIC_ICC_AP0R0_EL1,   VGIC_ICC_AP0R1_EL1,
	VGIC_ICC_AP0R2_EL1, VGIC_ICC_AP0R3_EL1,  VGIC_ICC_AP1R0_EL1,
	VGIC_ICC_AP1R1_EL1, VGIC_ICC_AP1R2_EL1,  VGIC_ICC_AP1R3_EL1,
	VGIC_ICC_IAR1_EL1, VGIC_ICC_EOIR1_EL1,   VGIC_ICC_HPPIR1_EL1,
	VGIC_ICC_RPR_EL1,  VGIC_ICC_SGI1R_EL1,   VGIC_ICC_DIR_EL1,
};
#define NR_ICC (sizeof(icc_regs) / sizeof(icc_regs[0]))

struct attr_vm {
	struct th_host *h;
	struct vgic *v;
	uint32_t nr_vcpus;
	const uint64_t *mpidr;
	struct vgic_device *dev[MAX_DEVS];
	uint32_t nr_devs;
	bool running[MAX_VCPUS];
	unsigned snapshots;       /* round trips so far (bounded) */
};

static uint64_t vcpu_mpidr(const struct attr_vm *m, uint32_t k)
{
	if (m->mpidr)
		return m->mpidr[k];
	return (k & 0xf) | ((uint64_t)(k >> 4) & 0xff) << 8;
}

/* The per-CPU part of an attr: MPIDR bytes Aff3..Aff0 (GICv3) or the
 * cpuid (GICv2), of vCPU @k or of no vCPU at all. */
static uint64_t cpu_field(const struct attr_vm *m, uint32_t type, uint8_t k)
{
	uint64_t mp;

	if (type == VGIC_DEV_TYPE_V2)
		return (uint64_t)(k % (m->nr_vcpus + 2)) << 32;
	if (k % (m->nr_vcpus + 1) == m->nr_vcpus)
		return (uint64_t)k << 40; /* likely nobody's MPIDR */
	mp = vcpu_mpidr(m, k % (m->nr_vcpus + 1));
	return ((mp >> 32 & 0xff) << 24 | (mp & 0xffffff)) << 32;
}

static uint64_t make_attr(const struct attr_vm *m, uint32_t type,
			  struct fz *f)
{
	uint8_t mode = fz_u8(f), k = fz_u8(f);
	uint16_t off;

	switch (mode % 6) {
	case 0: /* register offset, usually aligned */
		off = fz_u16(f);
		if (!(mode & 0x80))
			off &= ~3u;
		return cpu_field(m, type, k) | off;
	case 1:
		return fz_u64(f);
	case 2: { /* a CPU system register */
		uint8_t r = fz_u8(f);

		return cpu_field(m, type, k) |
		       (r < NR_ICC ? icc_regs[r] : (uint64_t)fz_u16(f));
	}
	case 3:
		return k;
	case 4: /* LEVEL_INFO */
		return cpu_field(m, type, k) |
		       (uint64_t)(fz_u8(f) % 2) << VGIC_ATTR_LEVEL_INFO_SHIFT |
		       (fz_u16(f) % 1024);
	default: /* ITS register offset */
		off = fz_u16(f) % 0x200;
		return (mode & 0x80) ? 0xffd0u + (off & 0x2c) : off & ~7u;
	}
}

static uint64_t make_value(struct fz *f, uint8_t mode)
{
	switch (mode % 4) {
	case 0:
		return fz_u64(f);
	case 1: { /* a frame address near the usual map */
		uint8_t slot = fz_u8(f);

		return 0x08000000ull + (uint64_t)slot * 0x10000;
	}
	case 2: { /* a redistributor region: count | base | index */
		uint8_t c = fz_u8(f), slot = fz_u8(f), idx = fz_u8(f);

		return (uint64_t)(c % 10) << VGIC_REDIST_REGION_COUNT_SHIFT |
		       (0x08000000ull + (uint64_t)slot * 0x10000) | idx % 4;
	}
	default:
		return fz_u8(f);
	}
}

/* Bytes a group exchanges, per the KVM ABI; 0 for CTRL (no value). */
static size_t value_size(uint32_t type, uint32_t group)
{
	switch (group) {
	case VGIC_GRP_ADDR:
	case VGIC_GRP_CPU_SYSREGS:
	case VGIC_GRP_ITS_REGS:
		return 8;
	case VGIC_GRP_CTRL:
		return 0;
	case VGIC_GRP_DIST_REGS:
	case VGIC_GRP_CPU_REGS:
	case VGIC_GRP_NR_IRQS:
	case VGIC_GRP_REDIST_REGS:
	case VGIC_GRP_LEVEL_INFO:
	case VGIC_GRP_MAINT_IRQ:
		return type == VGIC_DEV_TYPE_ITS ? 8 : 4;
	default:
		return 8; /* unknown group: the library may read either */
	}
}

static void op_attr(struct attr_vm *m, struct fz *f, int op)
{
	struct vgic_device *d;
	struct vgic_device_attr a = { 0 };
	uint8_t g, vmode;
	uint64_t val;
	size_t vsize;
	uint8_t *buf;
	int ret;

	if (!m->nr_devs) {
		fz_u8(f);
		return;
	}
	d = m->dev[fz_u8(f) % m->nr_devs];
	g = fz_u8(f);
	a.group = g < 0xf0 ? g % 11u : fz_u32(f);
	a.attr = make_attr(m, vgic_device_type(d), f);
	vmode = fz_u8(f);
	val = make_value(f, vmode);
	if (vmode & 0x40)
		a.flags = fz_u32(f);
	vsize = value_size(vgic_device_type(d), a.group);
	buf = malloc(vsize ? vsize : 1);
	if (!buf)
		fz_fail("out of memory");
	memcpy(buf, &val, vsize);
	a.addr = (vmode & 0x80) ? 0 : (uint64_t)(uintptr_t)buf;
	if (op == FZ_A_SET)
		ret = vgic_device_set_attr(d, &a);
	else if (op == FZ_A_GET)
		ret = vgic_device_get_attr(d, &a);
	else
		ret = vgic_device_has_attr(d, &a);
	fz_check_errno(ret, op == FZ_A_SET   ? "set_attr"
			    : op == FZ_A_GET ? "get_attr"
					   : "has_attr");
	if (!a.addr && vsize && op != FZ_A_HAS && ret == 0)
		fz_fail("%s group %u attr 0x%llx with a NULL value "
			"pointer succeeded",
			op == FZ_A_SET ? "set_attr" : "get_attr", a.group,
			(unsigned long long)a.attr);
	free(buf);
}

static void run_ops(struct attr_vm *m, struct fz *f)
{
	static const uint32_t types[] = { VGIC_DEV_TYPE_V3, VGIC_DEV_TYPE_ITS,
					  VGIC_DEV_TYPE_V2, VGIC_DEV_TYPE_ITS };

	for (int n = 0; n < MAX_OPS && !fz_done(f); n++) {
		uint8_t op = fz_u8(f) % FZ_A_NR_OPS;
		struct vgic_device *d;
		uint32_t vcpu;
		uint64_t val;
		int ret;

		switch (op) {
		case FZ_A_CREATE: {
			uint8_t t = fz_u8(f);
			uint32_t type = t < 0xf0 ? types[t % 4] : t & 0xf;

			ret = vgic_device_create(m->v, type, &d);
			fz_check_errno(ret, "vgic_device_create");
			if (!ret && m->nr_devs < MAX_DEVS)
				m->dev[m->nr_devs++] = d;
			if (!ret && vgic_device_type(d) != type)
				fz_fail("device of type %u reports type %u",
					type, vgic_device_type(d));
			break;
		}
		case FZ_A_SET:
		case FZ_A_GET:
		case FZ_A_HAS:
			op_attr(m, f, op);
			break;
		case FZ_A_RUN:
			vcpu = fz_u8(f) % m->nr_vcpus;
			ret = vgic_vcpu_set_running(m->v, vcpu,
						    !m->running[vcpu]);
			fz_check_errno(ret, "set_running");
			if (!ret)
				m->running[vcpu] = !m->running[vcpu];
			break;
		case FZ_A_MMIO: {
			uint8_t w = fz_u8(f);
			uint64_t gpa = 0x08000000ull + fz_u32(f) % 0x400000;

			vcpu = fz_u8(f) % m->nr_vcpus;
			val = fz_u64(f);
			if (w & 0x80)
				ret = vgic_mmio_write(m->v, vcpu, gpa, &val,
						      1u << (w & 3));
			else
				ret = vgic_mmio_read(m->v, vcpu, gpa, &val,
						     1u << (w & 3));
			if (ret && ret != -ENOENT)
				fz_fail("MMIO at 0x%llx returned %d",
					(unsigned long long)gpa, ret);
			break;
		}
		case FZ_A_MSI:
			val = 0x08000000ull + fz_u32(f) % 0x400000;
			ret = vgic_signal_msi(m->v, val, fz_u16(f), fz_u16(f));
			if (ret != 1 && ret != 0 && ret != -ENODEV &&
			    ret != -EINVAL && ret != -EBUSY)
				fz_fail("signal_msi returned %d", ret);
			break;
		case FZ_A_LINE:
			vcpu = fz_u8(f);
			ret = vgic_irq_line(m->v, vcpu, fz_u16(f) % 1100,
					    fz_u8(f) & 1);
			if (ret && ret != -EINVAL && ret != -ENODEV &&
			    ret != -EBUSY)
				fz_fail("irq_line returned %d", ret);
			break;
		default:
#ifdef VGIC_FUZZ_HAVE_SNAPSHOT
			if (m->snapshots++ < FZ_MAX_SNAPSHOTS)
				fz_snapshot_roundtrip(m->v, &th_ops, m->h,
						      m->nr_vcpus, m->mpidr);
#endif
			break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t sparse_mpidr[MAX_VCPUS] = {
		0x000100, 0x000000, 0x010000, 0x0000ff, 0x000001,
		0x020305, 0x000101, 0x010001, 0x00000f,
	};
	struct vgic_config cfg = { 0 };
	struct attr_vm m;
	struct fz f;
	uint8_t c;
	int ret;

	memset(&m, 0, sizeof(m));
	fz_init(&f, data, size);
	c = fz_u8(&f);
	m.nr_vcpus = 1 + (c & 0xf) % 9;
	m.mpidr = (c & 0x10) ? sparse_mpidr : NULL;
	cfg.nr_vcpus = m.nr_vcpus;
	cfg.mpidr = m.mpidr;
	m.h = fz_host_new(FZ_RAM_SIZE);
	ret = vgic_create(&cfg, &th_ops, m.h, &m.v);
	if (ret)
		fz_fail("vgic_create: %s", vgic_strerror(ret));
	run_ops(&m, &f);
	vgic_destroy(m.v);
	fz_host_free(m.h);
	return 0;
}

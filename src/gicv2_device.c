/*
 * libvgic - the KVM_DEV_TYPE_ARM_VGIC_V2 device: its attribute groups and
 * the plumbing shared by the two GICv2 frames.
 *
 * Attribute groups, with KVM's semantics and errno (docs/gicv2.md):
 *   ADDR       DIST (4 KiB) and CPU (8 KiB) frame bases, u64;
 *   DIST_REGS  GICD registers, u32, attr = cpuid[39:32] | offset[31:0];
 *   CPU_REGS   GICC registers, u32, same encoding, KVM's userspace formats;
 *   NR_IRQS    number of interrupts (64..1023, multiple of 32), u32;
 *   CTRL       INIT.
 * The cpuid is a vcpu_id.  A register access initialises the GIC lazily, as
 * KVM's vgic_init does for GICv2; so do guest accesses to the frames and
 * the first vCPU run.
 *
 * All functions run with v->lock held.
 */
#include "gicv2.h"

#define VGIC_ADDR_UNDEF (~0ull)
/* The guest physical address space the ADDR group checks (include/vgic/abi.h;
 * KVM uses the VM's IPA size). */
#define V2_IPA_SIZE (1ull << VGIC_PHYS_ADDR_BITS)

/* ---- frame accesses ------------------------------------------------------ */

/* INTIDs that exist for the per-IRQ registers: the private ones only until
 * NR_IRQS or INIT sized the distributor (as KVM's nr_spis + 32). */
static uint32_t irq_limit(const struct vgic *v)
{
	return v->nr_irqs ? v->nr_irqs : VGIC_NR_PRIVATE_IRQS;
}

/* An access through @vcpu's view of a frame: its banked interrupts. */
static void v2_ctx(struct vgic_mmio_ctx *c, struct vgic *v, uint32_t vcpu,
		   bool uaccess)
{
	vgic__mmio_ctx_init(c, v, vcpu, vcpu, irq_limit(v), uaccess);
}

void vgic__v2_frame_access(struct vgic *v, const struct vgic_reg_table *t,
			   uint32_t vcpu, uint64_t off, uint64_t *val,
			   uint32_t len, bool write)
{
	struct vgic_mmio_ctx c;

	if (!write)
		*val = 0;
	/* KVM's lazy vgic_init; out of memory leaves the frame RAZ/WI. */
	if (vgic__init(v))
		return;
	v2_ctx(&c, v, vcpu, false);
	vgic__mmio_access(t, &c, (uint32_t)off, val, len, write);
}

/* ---- first run -------------------------------------------------------------- */

static bool frames_overlap(uint64_t dist, uint64_t cpu)
{
	return !(dist + VGIC_V2_DIST_SIZE <= cpu || cpu + VGIC_V2_CPU_SIZE <= dist);
}

/*
 * KVM's vgic_v2_map_resources on the first vCPU run: both frames placed
 * (-ENXIO) and disjoint (-EINVAL), then initialise.  DEVIATION: on failure
 * KVM destroys the whole vGIC; we leave it as it was so the VMM can fix
 * the configuration and run again.
 */
int vgic__v2_first_run(struct vgic *v)
{
	int ret;

	if (!v->dist_base_set || !v->v2_cpu_base_set)
		return -ENXIO;
	if (frames_overlap(v->dist_base, v->v2_cpu_base))
		return -EINVAL;
	ret = vgic__init(v);
	if (ret)
		return ret;
	v->ready = true;
	return 0;
}

/* ---- attribute groups ---------------------------------------------------- */

/* ADDR: KVM's vgic_check_iorange for the two frames; -ENXIO otherwise. */
static int v2_addr_attr(struct vgic *v, uint64_t type, uint64_t *val, int op)
{
	uint64_t *base, size;
	bool *set;

	switch (type) {
	case VGIC_V2_ADDR_TYPE_DIST:
		base = &v->dist_base;
		set = &v->dist_base_set;
		size = VGIC_V2_DIST_SIZE;
		break;
	case VGIC_V2_ADDR_TYPE_CPU:
		base = &v->v2_cpu_base;
		set = &v->v2_cpu_base_set;
		size = VGIC_V2_CPU_SIZE;
		break;
	default:
		return -ENXIO;
	}
	if (op == VGIC_ATTR_HAS)
		return 0;
	if (op == VGIC_ATTR_GET) {
		*val = *set ? *base : VGIC_ADDR_UNDEF;
		return 0;
	}
	if (*set)
		return -EEXIST;
	if (*val & 0xfff)
		return -EINVAL;
	if (*val + size < *val)
		return -EINVAL;
	if (*val + size > V2_IPA_SIZE)
		return -E2BIG;
	*base = *val;
	*set = true;
	return 0;
}

/*
 * DIST_REGS / CPU_REGS.  The vCPU is the attr's cpuid (bits 39:32) looked
 * up as a vcpu_id (-EINVAL if none); 32-bit accesses only.  HAS_ATTR says
 * whether the aligned offset is a register (-ENXIO otherwise); GET/SET need
 * every vCPU stopped (-EBUSY), initialise the GIC if needed and, as KVM,
 * read 0 / ignore the write at an offset that is not a register.
 */
static int v2_regs_attr(struct vgic *v, const struct vgic_device_attr *a,
			uint64_t *val, int op)
{
	bool dist = a->group == VGIC_GRP_DIST_REGS;
	const struct vgic_reg_table *t = dist ? &vgic__v2_gicd : &vgic__v2_gicc;
	uint32_t cpuid = (uint32_t)((a->attr & VGIC_ATTR_CPUID_MASK) >>
				    VGIC_ATTR_CPUID_SHIFT);
	uint32_t off = (uint32_t)(a->attr & VGIC_ATTR_OFFSET_MASK);
	bool user = dist ? vgic__v2_gicd_user(off) : vgic__v2_gicc_user(off);
	struct vgic_mmio_ctx c;
	uint32_t v32 = (uint32_t)*val;
	int ret;

	if (cpuid >= v->nr_vcpus)
		return -EINVAL;
	if (op == VGIC_ATTR_HAS) {
		v2_ctx(&c, v, cpuid, true);
		return user && vgic__mmio_find(t, &c, off, 4) ? 0 : -ENXIO;
	}
	if (vgic__any_running(v))
		return -EBUSY;
	ret = vgic__init(v);
	if (ret)
		return ret;
	if (!user) {
		/* KVM: an offset with no register reads 0, ignores writes. */
		*val = 0;
		return 0;
	}
	v2_ctx(&c, v, cpuid, true);
	ret = vgic__mmio_uaccess(t, &c, off, &v32, op == VGIC_ATTR_SET);
	if (!ret && op == VGIC_ATTR_GET)
		*val = v32;
	return ret;
}

/* NR_IRQS: 64..1023 and a multiple of 32 (-EINVAL), settable once and only
 * before initialisation (-EBUSY); reads 32 until set. */
static int v2_nr_irqs_attr(struct vgic *v, uint64_t *val, int op)
{
	uint32_t n = (uint32_t)*val;

	if (op == VGIC_ATTR_HAS)
		return 0;
	if (op == VGIC_ATTR_GET) {
		*val = irq_limit(v);
		return 0;
	}
	if (n < VGIC_MIN_NR_IRQS || n > VGIC_MAX_NR_IRQS || (n & 31))
		return -EINVAL;
	if (v->ready || v->initialized || v->nr_irqs)
		return -EBUSY;
	v->nr_irqs = n;
	return 0;
}

static int v2_ctrl_attr(struct vgic *v, uint64_t attr, int op)
{
	if (attr != VGIC_CTRL_INIT || op == VGIC_ATTR_GET)
		return -ENXIO;
	if (op == VGIC_ATTR_HAS)
		return 0;
	return vgic__init(v);
}

int vgic__v2_attr(struct vgic_device *d, const struct vgic_device_attr *a,
		  uint64_t *val, int op)
{
	struct vgic *v = d->v;

	switch (a->group) {
	case VGIC_GRP_ADDR:
		return v2_addr_attr(v, a->attr, val, op);
	case VGIC_GRP_DIST_REGS:
	case VGIC_GRP_CPU_REGS:
		return v2_regs_attr(v, a, val, op);
	case VGIC_GRP_NR_IRQS:
		return v2_nr_irqs_attr(v, val, op);
	case VGIC_GRP_CTRL:
		return v2_ctrl_attr(v, a->attr, op);
	default:
		return -ENXIO;
	}
}

/* ---- what a snapshot saves ------------------------------------------------ */

static void emit_bank(struct vgic *v, vgic_v2_emit_fn emit, void *arg,
		      uint32_t base, unsigned bpi, bool clear_first,
		      uint32_t clear_base)
{
	uint32_t per_reg = 32 / bpi;

	for (uint32_t n = 0; n < v->nr_irqs; n += per_reg) {
		uint32_t off = n / per_reg * 4;
		uint32_t ncpu = n < VGIC_NR_PRIVATE_IRQS ? v->nr_vcpus : 1;

		for (uint32_t c = 0; c < ncpu; c++) {
			uint64_t cpu = (uint64_t)c << VGIC_ATTR_CPUID_SHIFT;

			if (clear_first)
				emit(arg, VGIC_GRP_DIST_REGS,
				     cpu | (clear_base + off), false,
				     0xffffffffu);
			emit(arg, VGIC_GRP_DIST_REGS, cpu | (base + off), true,
			     0);
		}
	}
}

void vgic__v2_state_attrs(struct vgic *v, vgic_v2_emit_fn emit, void *arg)
{
	emit(arg, VGIC_GRP_DIST_REGS, GICD_IIDR, true, 0);
	emit(arg, VGIC_GRP_DIST_REGS, GICD_CTLR, true, 0);
	emit_bank(v, emit, arg, GICD_IGROUPR, 1, false, 0);
	emit_bank(v, emit, arg, GICD_ISENABLER, 1, true, GICD_ICENABLER);
	/* ITARGETSR0-7 are read-only: SPIs only. */
	for (uint32_t n = VGIC_NR_PRIVATE_IRQS; n < v->nr_irqs; n += 4)
		emit(arg, VGIC_GRP_DIST_REGS, GICD_ITARGETSR + n, true, 0);
	emit_bank(v, emit, arg, GICD_ICFGR, 2, false, 0);
	emit_bank(v, emit, arg, GICD_ISPENDR, 1, true, GICD_ICPENDR);
	/* After ISPENDR, which made each pending SGI's source the vCPU. */
	for (uint32_t c = 0; c < v->nr_vcpus; c++) {
		uint64_t cpu = (uint64_t)c << VGIC_ATTR_CPUID_SHIFT;

		for (uint32_t o = 0; o < 16; o += 4)
			emit(arg, VGIC_GRP_DIST_REGS,
			     cpu | (GICD_CPENDSGIR + o), false,
			     0xffffffffu);
		for (uint32_t o = 0; o < 16; o += 4)
			emit(arg, VGIC_GRP_DIST_REGS,
			     cpu | (GICD_SPENDSGIR + o), true, 0);
	}
	emit_bank(v, emit, arg, GICD_ISACTIVER, 1, true, GICD_ICACTIVER);
	emit_bank(v, emit, arg, GICD_IPRIORITYR, 8, false, 0);
	for (uint32_t c = 0; c < v->nr_vcpus; c++) {
		uint64_t cpu = (uint64_t)c << VGIC_ATTR_CPUID_SHIFT;
		static const uint32_t gicc[] = {
			GICC_CTLR, GICC_PMR,	  GICC_BPR,	GICC_ABPR,
			GICC_APR0, GICC_APR0 + 4, GICC_APR0 + 8, GICC_APR0 + 12,
		};

		for (uint32_t i = 0; i < VGIC_ARRAY_SIZE(gicc); i++)
			emit(arg, VGIC_GRP_CPU_REGS, cpu | gicc[i], true, 0);
	}
}

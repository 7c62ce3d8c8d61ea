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
/* KVM's default IPA space (KVM_VM_TYPE_ARM_IPA_SIZE 0): 40 bits. */
#define V2_IPA_SIZE (1ull << 40)

/* ---- register lookup and frame accesses ------------------------------- */

/* INTIDs that exist for the existing-INTID check: the private ones only
 * until NR_IRQS or INIT sized the distributor (as KVM's nr_spis + 32). */
static uint32_t irq_limit(const struct vgic *v)
{
	return v->nr_irqs ? v->nr_irqs : VGIC_NR_PRIVATE_IRQS;
}

/*
 * The register an access of @len bytes at @off hits, after the checks every
 * access gets: a width the register accepts, natural alignment, and for
 * per-IRQ families an INTID that exists.  NULL means RAZ/WI.
 */
static const struct v2_reg *find_reg(const struct vgic *v,
				     const struct v2_frame *f, uint64_t off,
				     uint32_t len)
{
	unsigned w = len == 1 ? V2_W8 : len == 4 ? V2_W32 : 0;
	size_t lo = 0, hi = f->n;

	if (!w || off % len)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct v2_reg *r = &f->regs[mid];

		if (off < r->off) {
			hi = mid;
		} else if (off >= (uint64_t)r->off + r->len) {
			lo = mid + 1;
		} else {
			if (!(r->widths & w))
				return NULL;
			if (r->bpi && (off - r->off) * 8 / r->bpi >= irq_limit(v))
				return NULL;
			return r;
		}
	}
	return NULL;
}

void vgic__v2_frame_mmio(struct vgic *v, const struct v2_frame *f,
			 uint32_t vcpu, uint64_t off, uint64_t *val,
			 uint32_t len, bool write)
{
	const struct v2_reg *r;

	if (!write)
		*val = 0;
	if (vgic__v2_lazy_init(v))
		return;
	r = find_reg(v, f, off, len);
	if (!r)
		return;
	if (write)
		r->write(v, vcpu, (uint32_t)off, len, (uint32_t)*val);
	else
		*val = r->read(v, vcpu, (uint32_t)off, len);
}

int vgic__v2_uaccess(struct vgic *v, const struct v2_frame *f, uint32_t vcpu,
		     uint32_t off, uint32_t *val, bool write)
{
	const struct v2_reg *r = find_reg(v, f, off, 4);

	if (!r || !r->user) {
		/* KVM: an unknown offset reads as 0 and ignores writes. */
		if (!write)
			*val = 0;
		return 0;
	}
	if (!write) {
		*val = (r->uread ? r->uread : r->read)(v, vcpu, off, 4);
		return 0;
	}
	if (r->uwrite)
		return r->uwrite(v, vcpu, off, *val);
	r->write(v, vcpu, off, 4, *val);
	return 0;
}

int vgic__v2_has_reg(struct vgic *v, const struct v2_frame *f, uint32_t off)
{
	const struct v2_reg *r = find_reg(v, f, off, 4);

	return r && r->user ? 0 : -ENXIO;
}

/* ---- initialisation -------------------------------------------------------- */

/*
 * vgic_init for a GICv2: the shared per-IRQ state, then GICv2's resets:
 * every interrupt in group 0, SPIs targeting no CPU interface, the binary
 * points at their minimum, GICD_IIDR.Revision 3 unless userspace chose one.
 */
int vgic__v2_lazy_init(struct vgic *v)
{
	int ret;

	if (v->initialized)
		return 0;
	ret = vgic__init(v);
	if (ret)
		return ret;
	for (uint32_t c = 0; c < v->nr_vcpus; c++) {
		struct vgic_vcpu *cpu = &v->vcpu[c];

		for (uint32_t i = 0; i < VGIC_NR_PRIVATE_IRQS; i++) {
			cpu->priv[i].group = 0;
			cpu->priv[i].v2_targets = (uint8_t)(1u << c);
		}
		cpu->bpr0 = GICC_BPR_MIN;
		cpu->bpr1 = GICC_ABPR_MIN;
	}
	for (uint32_t i = VGIC_NR_PRIVATE_IRQS; i < v->nr_irqs; i++) {
		struct vgic_irq *irq = vgic__irq(v, 0, i);

		if (!irq)
			break;
		irq->group = 0;
		irq->v2_targets = 0;
		vgic__irq_reroute(v, i);
	}
	if (!v->iidr_rev)
		v->iidr_rev = 3;
	v->initialized = true;
	vgic__update_all(v);
	return 0;
}

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
	ret = vgic__v2_lazy_init(v);
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
	const struct v2_frame *f = a->group == VGIC_GRP_DIST_REGS
					   ? &vgic__v2_gicd
					   : &vgic__v2_gicc;
	uint32_t cpuid = (uint32_t)((a->attr & VGIC_ATTR_CPUID_MASK) >>
				    VGIC_ATTR_CPUID_SHIFT);
	uint32_t off = (uint32_t)(a->attr & VGIC_ATTR_OFFSET_MASK);
	uint32_t v32 = (uint32_t)*val;
	int ret;

	if (cpuid >= v->nr_vcpus)
		return -EINVAL;
	if (op == VGIC_ATTR_HAS)
		return vgic__v2_has_reg(v, f, off);
	if (vgic__any_running(v))
		return -EBUSY;
	ret = vgic__v2_lazy_init(v);
	if (ret)
		return ret;
	ret = vgic__v2_uaccess(v, f, cpuid, off, &v32, op == VGIC_ATTR_SET);
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
	return vgic__v2_lazy_init(v);
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
	emit(arg, VGIC_GRP_DIST_REGS, GICD_V2_IIDR, true, 0);
	emit(arg, VGIC_GRP_DIST_REGS, GICD_V2_CTLR, true, 0);
	emit_bank(v, emit, arg, GICD_V2_IGROUPR, 1, false, 0);
	emit_bank(v, emit, arg, GICD_V2_ISENABLER, 1, true, GICD_V2_ICENABLER);
	/* ITARGETSR0-7 are read-only: SPIs only. */
	for (uint32_t n = VGIC_NR_PRIVATE_IRQS; n < v->nr_irqs; n += 4)
		emit(arg, VGIC_GRP_DIST_REGS, GICD_V2_ITARGETSR + n, true, 0);
	emit_bank(v, emit, arg, GICD_V2_ICFGR, 2, false, 0);
	emit_bank(v, emit, arg, GICD_V2_ISPENDR, 1, true, GICD_V2_ICPENDR);
	/* After ISPENDR, which made each pending SGI's source the vCPU. */
	for (uint32_t c = 0; c < v->nr_vcpus; c++) {
		uint64_t cpu = (uint64_t)c << VGIC_ATTR_CPUID_SHIFT;

		for (uint32_t o = 0; o < 16; o += 4)
			emit(arg, VGIC_GRP_DIST_REGS,
			     cpu | (GICD_V2_CPENDSGIR + o), false,
			     0xffffffffu);
		for (uint32_t o = 0; o < 16; o += 4)
			emit(arg, VGIC_GRP_DIST_REGS,
			     cpu | (GICD_V2_SPENDSGIR + o), true, 0);
	}
	emit_bank(v, emit, arg, GICD_V2_ISACTIVER, 1, true, GICD_V2_ICACTIVER);
	emit_bank(v, emit, arg, GICD_V2_IPRIORITYR, 8, false, 0);
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

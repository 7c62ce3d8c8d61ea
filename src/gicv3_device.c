/*
 * libvgic - the GICv3 device (KVM_DEV_TYPE_ARM_VGIC_V3) attribute groups
 * with KVM's userspace semantics and errors (vgic-kvm-device.c,
 * vgic-mmio-v3.c, Documentation/virt/kvm/devices/arm-vgic-v3.rst): frame
 * addresses and redistributor regions, NR_IRQS, CTRL (INIT,
 * SAVE_PENDING_TABLES), DIST_REGS, REDIST_REGS, CPU_SYSREGS, LEVEL_INFO,
 * plus the address map (which vCPU owns a redistributor frame) and KVM's
 * first-run checks (kvm_vgic_map_resources).
 *
 * Redistributors are handed to vCPUs in vcpu_id order, filling regions in
 * index order, whenever a region is added.  KVM does the same in vCPU
 * creation order; since every vCPU exists from vgic_create() on here, the
 * size of a legacy REDIST region (nr_vcpus frames) is known, and checked,
 * when it is set rather than at the first run.
 */
#include "gicv3.h"
#include "mmio.h"
#include "regs.h"

#define PHYS_SIZE (1ull << VGIC_PHYS_ADDR_BITS)
#define ADDR_UNDEF (~0ull)
#define SZ_64K 0x10000ull

/* KVM's vgic_check_iorange for an unset frame. */
static int check_iorange(uint64_t addr, uint64_t align, uint64_t size)
{
	if ((addr & (align - 1)) || (size & (align - 1)))
		return -EINVAL;
	if (addr + size < addr)
		return -EINVAL;
	if (addr >= PHYS_SIZE || addr + size > PHYS_SIZE)
		return -E2BIG;
	return 0;
}

static uint64_t region_size(const struct vgic *v,
			    const struct vgic_rdist_region *r)
{
	return (uint64_t)(r->count ? r->count : v->nr_vcpus) *
	       VGIC_V3_REDIST_SIZE;
}

static bool overlap(uint64_t a, uint64_t asz, uint64_t b, uint64_t bsz)
{
	return a < b + bsz && b < a + asz;
}

static bool rdist_overlap(const struct vgic *v, uint64_t base, uint64_t size)
{
	for (uint32_t i = 0; i < v->nr_rdist; i++)
		if (overlap(base, size, v->rdist[i].base,
			    region_size(v, &v->rdist[i])))
			return true;
	return false;
}

/* KVM's vgic_v3_check_base: every region fits, none overlaps the dist. */
static bool check_base(const struct vgic *v)
{
	if (v->dist_base_set &&
	    v->dist_base + VGIC_V3_DIST_SIZE < v->dist_base)
		return false;
	for (uint32_t i = 0; i < v->nr_rdist; i++)
		if (check_iorange(v->rdist[i].base, SZ_64K,
				  region_size(v, &v->rdist[i])))
			return false;
	if (!v->dist_base_set)
		return true;
	return !rdist_overlap(v, v->dist_base, VGIC_V3_DIST_SIZE);
}

/* Hand a redistributor to every vCPU without one (KVM's
 * vgic_register_all_redist_iodevs). */
static int assign_redists(struct vgic *v)
{
	bool checked = false;

	for (uint32_t i = 0; i < v->nr_vcpus; i++) {
		struct vgic_vcpu *c = &v->vcpu[i];
		struct vgic_rdist_region *r = NULL;

		if (c->rd_base_set)
			continue;
		for (uint32_t j = 0; j < v->nr_rdist && !r; j++)
			if (!v->rdist[j].count ||
			    v->rdist[j].nr_used < v->rdist[j].count)
				r = &v->rdist[j];
		if (!r)
			return 0;
		if (!checked) {
			if (!check_base(v))
				return -EINVAL;
			checked = true;
		}
		c->rd_region = (uint32_t)(r - v->rdist);
		c->rd_slot = r->nr_used++;
		c->rd_base = r->base + (uint64_t)c->rd_slot * VGIC_V3_REDIST_SIZE;
		c->rd_base_set = true;
	}
	return 0;
}

/* KVM's vgic_v3_alloc_redist_region + vgic_v3_set_redist_base. */
static int add_redist_region(struct vgic *v, uint32_t index, uint64_t base,
			     uint32_t count)
{
	uint64_t size = (uint64_t)(count ? count : v->nr_vcpus) *
			VGIC_V3_REDIST_SIZE;
	struct vgic_rdist_region *r;
	int ret;

	if (base + size < base)
		return -EINVAL;
	if (!v->nr_rdist) {
		if (index != 0)
			return -EINVAL;
	} else {
		const struct vgic_rdist_region *last = &v->rdist[v->nr_rdist - 1];

		if (!count && last->count)
			return -EINVAL; /* don't mix legacy and regions */
		if (!count)
			return -EEXIST;
		if (index != last->index + 1)
			return -EINVAL;
	}
	if (!count && v->dist_base_set &&
	    overlap(base, size, v->dist_base, VGIC_V3_DIST_SIZE))
		return -EINVAL;
	if (rdist_overlap(v, base, size))
		return -EINVAL;
	ret = check_iorange(base, SZ_64K, size);
	if (ret)
		return ret;
	if (v->nr_rdist == VGIC_MAX_RDIST_REGIONS)
		return -ENOMEM; /* IMPDEF: at most 16 regions */
	r = &v->rdist[v->nr_rdist++];
	memset(r, 0, sizeof(*r));
	r->base = base;
	r->count = count;
	r->index = index;
	v->rdist_legacy = !count;
	ret = assign_redists(v);
	if (ret)
		v->nr_rdist--; /* nothing was assigned from it */
	return ret;
}

static int attr_addr(struct vgic *v, const struct vgic_device_attr *a,
		     uint64_t *val, int op)
{
	if (op == VGIC_ATTR_HAS) {
		switch (a->attr) {
		case VGIC_V3_ADDR_TYPE_DIST:
		case VGIC_V3_ADDR_TYPE_REDIST:
		case VGIC_V3_ADDR_TYPE_REDIST_REGION:
			return 0;
		default:
			return -ENXIO;
		}
	}
	switch (a->attr) {
	case VGIC_V3_ADDR_TYPE_DIST: {
		int ret;

		if (op == VGIC_ATTR_GET) {
			*val = v->dist_base_set ? v->dist_base : ADDR_UNDEF;
			return 0;
		}
		if (v->dist_base_set)
			return -EEXIST;
		ret = check_iorange(*val, SZ_64K, VGIC_V3_DIST_SIZE);
		if (ret)
			return ret;
		v->dist_base = *val;
		v->dist_base_set = true;
		return 0;
	}
	case VGIC_V3_ADDR_TYPE_REDIST:
		if (op == VGIC_ATTR_GET) {
			*val = v->nr_rdist ? v->rdist[0].base : ADDR_UNDEF;
			return 0;
		}
		return add_redist_region(v, 0, *val, 0);
	case VGIC_V3_ADDR_TYPE_REDIST_REGION: {
		uint64_t in;
		uint8_t index; /* KVM truncates the index to 8 bits */

		if (op == VGIC_ATTR_GET) {
			/* Reading a region takes its index as input. */
			if (!a->addr)
				return -EFAULT;
			memcpy(&in, (const void *)(uintptr_t)a->addr, 8);
			index = (uint8_t)(in & VGIC_REDIST_REGION_INDEX_MASK);
			for (uint32_t i = 0; i < v->nr_rdist; i++) {
				const struct vgic_rdist_region *r = &v->rdist[i];

				if (r->index != index)
					continue;
				*val = index | r->base |
				       (uint64_t)r->count
					       << VGIC_REDIST_REGION_COUNT_SHIFT;
				return 0;
			}
			return -ENOENT;
		}
		in = *val;
		index = (uint8_t)(in & VGIC_REDIST_REGION_INDEX_MASK);
		if (!(in & VGIC_REDIST_REGION_COUNT_MASK) ||
		    (in & VGIC_REDIST_REGION_FLAGS_MASK))
			return -EINVAL;
		return add_redist_region(
			v, index, in & VGIC_REDIST_REGION_BASE_MASK,
			(uint32_t)(in >> VGIC_REDIST_REGION_COUNT_SHIFT));
	}
	default:
		/* Other models' types too: KVM's -ENODEV, remapped. */
		return -ENXIO;
	}
}

static int attr_nr_irqs(struct vgic *v, uint64_t *val, int op)
{
	uint32_t n = (uint32_t)*val;

	if (op == VGIC_ATTR_HAS)
		return 0;
	if (op == VGIC_ATTR_GET) {
		*val = v->nr_irqs ? v->nr_irqs : VGIC_NR_PRIVATE_IRQS;
		return 0;
	}
	if (n < VGIC_MIN_NR_IRQS || n > VGIC_MAX_NR_IRQS || (n & 31))
		return -EINVAL;
	if (v->ready || v->nr_irqs)
		return -EBUSY;
	v->nr_irqs = n;
	return 0;
}

static int attr_ctrl(struct vgic *v, const struct vgic_device_attr *a, int op)
{
	switch (a->attr) {
	case VGIC_CTRL_INIT:
		if (op == VGIC_ATTR_HAS)
			return 0;
		return op == VGIC_ATTR_SET ? vgic__init(v) : -ENXIO;
	case VGIC_CTRL_SAVE_PENDING_TABLES:
		if (op == VGIC_ATTR_HAS)
			return 0;
		if (op != VGIC_ATTR_SET)
			return -ENXIO;
		/* KVM locks every vCPU first, then checks the state. */
		if (vgic__any_running(v))
			return -EBUSY;
		return vgic__save_pending_tables(v);
	default:
		return -ENXIO;
	}
}

/* The vCPU named by the MPIDR in attr[63:32] (Aff3 in [63:56], then
 * Aff2..Aff0, the GICR_TYPER layout), or NULL. */
static struct vgic_vcpu *attr_vcpu(struct vgic *v,
				   const struct vgic_device_attr *a)
{
	uint64_t m = a->attr >> VGIC_ATTR_V3_MPIDR_SHIFT;
	uint64_t mpidr = (m & 0xffffff) | (m & 0xff000000) << 8;

	return vgic__vcpu_by_mpidr(v, mpidr);
}

static int level_info(struct vgic *v, uint32_t vcpu, uint32_t intid,
		      uint64_t *val, bool write)
{
	struct vgic_mmio_ctx c;
	uint32_t out = 0;

	if (intid % 32)
		return -EINVAL;
	vgic__mmio_ctx_init(&c, v, vcpu, vcpu, v->nr_irqs, true);
	for (uint32_t i = 0; i < 32; i++) {
		struct vgic_irq *irq;

		if (intid + i < VGIC_NR_SGIS)
			continue;
		irq = vgic__mmio_irq(&c, intid + i);
		if (!irq)
			continue;
		if (!write) {
			if (!irq->edge && irq->line_level)
				out |= 1u << i;
			continue;
		}
		/* Set whatever the trigger type, so that ICFGR and the level
		 * may be restored in any order. */
		irq->line_level = (*val >> i) & 1;
		vgic__irq_mark(v, intid + i);
		vgic__mmio_touch(&c, vgic__mmio_irq_owner(&c, intid + i, irq));
	}
	if (write)
		vgic__mmio_flush(&c);
	else
		*val = out;
	return 0;
}

/* DIST_REGS offsets userspace may use before INIT (KVM v6.17). */
static bool dist_pre_init(uint32_t off)
{
	return off == GICD_IIDR || off == GICD_TYPER2;
}

static int attr_regs(struct vgic *v, const struct vgic_device_attr *a,
		     uint64_t *val, int op)
{
	uint32_t off = (uint32_t)(a->attr & VGIC_ATTR_OFFSET_MASK);
	struct vgic_vcpu *c = NULL;
	uint32_t v32 = (uint32_t)*val;
	bool write = op == VGIC_ATTR_SET;
	int ret;

	if (a->group != VGIC_GRP_DIST_REGS && a->group != VGIC_GRP_LEVEL_INFO &&
	    op == VGIC_ATTR_HAS) {
		c = attr_vcpu(v, a);
		if (!c)
			return -EINVAL;
	}
	if (op == VGIC_ATTR_HAS) {
		switch (a->group) {
		case VGIC_GRP_DIST_REGS:
			return vgic__v3_dist_has(v, off) ? 0 : -ENXIO;
		case VGIC_GRP_REDIST_REGS:
			return vgic__v3_redist_has(v, off) ? 0 : -ENXIO;
		case VGIC_GRP_CPU_SYSREGS:
			return vgic__v3_sysreg_has(
				v, c->id,
				(uint32_t)(a->attr & VGIC_ATTR_SYSREG_INSTR_MASK));
		default: /* LEVEL_INFO */
			return ((a->attr & VGIC_ATTR_LEVEL_INFO_MASK) >>
				VGIC_ATTR_LEVEL_INFO_SHIFT) ==
					       VGIC_LEVEL_INFO_LINE_LEVEL ?
				       0 :
				       -ENXIO;
		}
	}
	/* KVM's order: vCPU lookup, running vCPUs, initialisation. */
	c = a->group == VGIC_GRP_DIST_REGS ? &v->vcpu[0] : attr_vcpu(v, a);
	if (!c)
		return -EINVAL;
	if (vgic__any_running(v))
		return -EBUSY;
	if (!v->initialized &&
	    !(a->group == VGIC_GRP_DIST_REGS && dist_pre_init(off)))
		return -EBUSY;
	switch (a->group) {
	case VGIC_GRP_DIST_REGS:
		ret = vgic__v3_dist_uaccess(v, off, &v32, write);
		break;
	case VGIC_GRP_REDIST_REGS:
		ret = vgic__v3_redist_uaccess(v, c->id, off, &v32, write);
		break;
	case VGIC_GRP_CPU_SYSREGS:
		return vgic__v3_sysreg_uaccess(
			v, c->id,
			(uint32_t)(a->attr & VGIC_ATTR_SYSREG_INSTR_MASK), val,
			write);
	default: /* LEVEL_INFO */
		if (((a->attr & VGIC_ATTR_LEVEL_INFO_MASK) >>
		     VGIC_ATTR_LEVEL_INFO_SHIFT) != VGIC_LEVEL_INFO_LINE_LEVEL)
			return -EINVAL;
		return level_info(v, c->id,
				  (uint32_t)(a->attr &
					     VGIC_ATTR_LEVEL_INFO_INTID_MASK),
				  val, write);
	}
	if (!ret && !write)
		*val = v32;
	return ret;
}

int vgic__v3_attr(struct vgic_device *d, const struct vgic_device_attr *a,
		  uint64_t *val, int op)
{
	struct vgic *v = d->v;

	switch (a->group) {
	case VGIC_GRP_ADDR:
		return attr_addr(v, a, val, op);
	case VGIC_GRP_NR_IRQS:
		return attr_nr_irqs(v, val, op);
	case VGIC_GRP_CTRL:
		return attr_ctrl(v, a, op);
	case VGIC_GRP_DIST_REGS:
	case VGIC_GRP_REDIST_REGS:
	case VGIC_GRP_CPU_SYSREGS:
	case VGIC_GRP_LEVEL_INFO:
		return attr_regs(v, a, val, op);
	default:
		/* MAINT_IRQ needs nested virtualisation: not offered. */
		return -ENXIO;
	}
}

bool vgic__v3_find_redist(struct vgic *v, uint64_t gpa, uint32_t *vcpu,
			  uint64_t *off)
{
	uint32_t first = 0;

	/* vCPUs hold consecutive redistributors, region after region. */
	for (uint32_t i = 0; i < v->nr_rdist; i++) {
		const struct vgic_rdist_region *r = &v->rdist[i];
		uint64_t used = (uint64_t)r->nr_used * VGIC_V3_REDIST_SIZE;

		if (gpa >= r->base && gpa - r->base < used) {
			*vcpu = first + (uint32_t)((gpa - r->base) /
						   VGIC_V3_REDIST_SIZE);
			*off = (gpa - r->base) % VGIC_V3_REDIST_SIZE;
			return true;
		}
		first += r->nr_used;
	}
	return false;
}

int vgic__v3_first_run(struct vgic *v)
{
	for (uint32_t i = 0; i < v->nr_vcpus; i++)
		if (!v->vcpu[i].rd_base_set)
			return -ENXIO;
	if (!v->dist_base_set)
		return -ENXIO;
	if (!check_base(v))
		return -EINVAL;
	if (!v->initialized)
		return -EBUSY;
	v->ready = true;
	return 0;
}

/*
 * libvgic - private definitions shared by the GICv2 blocks: the GICv2
 * distributor (gicv2_dist.c), the memory-mapped CPU interface
 * (gicv2_cpuif.c) and the KVM_DEV_TYPE_ARM_VGIC_V2 device (gicv2_device.c).
 * Register offsets and fields are in regs.h, the table machinery in mmio.h.
 */
#ifndef VGIC_GICV2_H
#define VGIC_GICV2_H

#include "mmio.h"
#include "regs.h"

/* The frames' register tables (sorted by offset). */
extern const struct vgic_reg_table vgic__v2_gicd; /* gicv2_dist.c */
extern const struct vgic_reg_table vgic__v2_gicc; /* gicv2_cpuif.c */

/* gicv2_dist.c / gicv2_cpuif.c: whether a register of the frame is
 * reachable through DIST_REGS / CPU_REGS (KVM's userspace tables). */
bool vgic__v2_gicd_user(uint32_t off);
bool vgic__v2_gicc_user(uint32_t off);

/* gicv2_device.c: a guest access to a GICv2 frame by @vcpu (v->lock held):
 * initialises the GIC if needed (KVM's lazy init), RAZ/WI if illegal. */
void vgic__v2_frame_access(struct vgic *v, const struct vgic_reg_table *t,
			   uint32_t vcpu, uint64_t off, uint64_t *val,
			   uint32_t len, bool write);

#endif /* VGIC_GICV2_H */

/*
 * libvgic - declarations shared by the GICv3 blocks (gicv3_dist.c,
 * gicv3_redist.c, gicv3_cpuif.c, gicv3_device.c).  v->lock held for all.
 */
#ifndef VGIC_GICV3_H
#define VGIC_GICV3_H

#include "internal.h"

/* GICD_IIDR as currently reported (Revision = v->iidr_rev). */
uint32_t vgic__v3_iidr(const struct vgic *v);

/* 32-bit userspace accesses (DIST_REGS / REDIST_REGS attributes): 0 or the
 * register's error (-EINVAL bad GICD_IIDR...).  Unknown offsets RAZ/WI. */
int vgic__v3_dist_uaccess(struct vgic *v, uint32_t off, uint32_t *val,
			  bool write);
int vgic__v3_redist_uaccess(struct vgic *v, uint32_t vcpu, uint32_t off,
			    uint32_t *val, bool write);
/* HAS_ATTR: is there a register a 32-bit access at @off may use? */
bool vgic__v3_dist_has(struct vgic *v, uint32_t off);
bool vgic__v3_redist_has(struct vgic *v, uint32_t off);

/* CPU_SYSREGS: 0, -ENXIO (not a register userspace may access) or -EINVAL
 * (value rejected, as KVM's vgic-sys-reg-v3.c). */
int vgic__v3_sysreg_uaccess(struct vgic *v, uint32_t vcpu, uint32_t enc,
			    uint64_t *val, bool write);
int vgic__v3_sysreg_has(struct vgic *v, uint32_t vcpu, uint32_t enc);

/* Whether @vcpu's redistributor is the last of a contiguous run
 * (GICR_TYPER.Last, KVM's vgic_mmio_vcpu_rdist_is_last). */
bool vgic__v3_rdist_is_last(struct vgic *v, uint32_t vcpu);

#endif /* VGIC_GICV3_H */

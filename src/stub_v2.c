/* TEMPORARY stubs for GICv2 (owner: GICv2 work).  Delete each function as
 * the real one lands in gicv2_*.c. */
#include "internal.h"

void vgic__v2_dist_mmio(struct vgic *v, uint32_t vcpu, uint64_t off,
			uint64_t *val, uint32_t len, bool write)
{ (void)v; (void)vcpu; (void)off; (void)len; if (!write) *val = 0; }
void vgic__v2_cpu_mmio(struct vgic *v, uint32_t vcpu, uint64_t off,
		       uint64_t *val, uint32_t len, bool write)
{ (void)v; (void)vcpu; (void)off; (void)len; if (!write) *val = 0; }
int vgic__v2_attr(struct vgic_device *d, const struct vgic_device_attr *a,
		  uint64_t *val, int op)
{ (void)d; (void)a; (void)val; (void)op; return -ENXIO; }
int vgic__v2_first_run(struct vgic *v) { (void)v; return 0; }

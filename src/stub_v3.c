/* TEMPORARY stubs for the GICv3 core (owner: GICv3 core work).  Delete each
 * function as the real one lands in core.c / gicv3_*.c. */
#include "internal.h"

int vgic__v3_first_run(struct vgic *v) { (void)v; return 0; }
void vgic__v3_dist_mmio(struct vgic *v, uint32_t vcpu, uint64_t off,
			uint64_t *val, uint32_t len, bool write)
{ (void)v; (void)vcpu; (void)off; (void)len; if (!write) *val = 0; }
void vgic__v3_redist_mmio(struct vgic *v, uint32_t rd, uint64_t off,
			  uint64_t *val, uint32_t len, bool write)
{ (void)v; (void)rd; (void)off; (void)len; if (!write) *val = 0; }
int vgic__v3_sysreg(struct vgic *v, uint32_t vcpu, uint32_t enc,
		    uint64_t *val, bool write)
{ (void)v; (void)vcpu; (void)enc; (void)val; (void)write; return -ENOENT; }
int vgic__v3_attr(struct vgic_device *d, const struct vgic_device_attr *a,
		  uint64_t *val, int op)
{ (void)d; (void)a; (void)val; (void)op; return -ENXIO; }
bool vgic__v3_find_redist(struct vgic *v, uint64_t gpa, uint32_t *vcpu,
			  uint64_t *off)
{ (void)v; (void)gpa; (void)vcpu; (void)off; return false; }

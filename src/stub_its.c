/* TEMPORARY stubs for LPIs and the ITS (owner: ITS work).  Delete each
 * function as the real one lands in lpi.c / its*.c. */
#include "internal.h"

int vgic__lpi_init(struct vgic *v) { (void)v; return 0; }
void vgic__lpi_free(struct vgic *v) { (void)v; }
bool vgic__lpi_best(struct vgic *v, uint32_t vcpu, uint8_t below,
		    uint32_t *intid, uint8_t *prio)
{ (void)v; (void)vcpu; (void)below; (void)intid; (void)prio; return false; }
void vgic__lpi_clear_pending(struct vgic *v, uint32_t intid) { (void)v; (void)intid; }
int vgic__its_create(struct vgic_device *d) { (void)d; return -ENODEV; }
void vgic__its_destroy(struct vgic_device *d) { (void)d; }
bool vgic__its_contains(const struct vgic_its *its, uint64_t gpa)
{ (void)its; (void)gpa; return false; }
void vgic__its_mmio(struct vgic *v, struct vgic_its *its, uint32_t vcpu,
		    uint64_t off, uint64_t *val, uint32_t len, bool write)
{ (void)v; (void)its; (void)vcpu; (void)off; (void)len; if (!write) *val = 0; }
int vgic__its_attr(struct vgic_device *d, const struct vgic_device_attr *a,
		   uint64_t *val, int op)
{ (void)d; (void)a; (void)val; (void)op; return -ENXIO; }
int vgic__its_signal_msi(struct vgic *v, struct vgic_its *its, uint32_t devid,
			 uint32_t eventid)
{ (void)v; (void)its; (void)devid; (void)eventid; return -ENODEV; }
int vgic__lpi_enable(struct vgic *v, uint32_t vcpu, bool ptz)
{ (void)v; (void)vcpu; (void)ptz; return 0; }
void vgic__lpi_disable(struct vgic *v, uint32_t vcpu) { (void)v; (void)vcpu; }
void vgic__lpi_inv(struct vgic *v, uint32_t intid) { (void)v; (void)intid; }
void vgic__lpi_inv_all(struct vgic *v, uint32_t vcpu) { (void)v; (void)vcpu; }

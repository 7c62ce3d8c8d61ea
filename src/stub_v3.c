/* TEMPORARY stubs for the GICv3 core (owner: GICv3 core work).  Delete each
 * function as the real one lands in core.c / gicv3_*.c. */
#include "internal.h"

struct vgic_irq *vgic__irq(struct vgic *v, uint32_t vcpu, uint32_t intid)
{ (void)v; (void)vcpu; (void)intid; return NULL; }
bool vgic__irq_pending(const struct vgic_irq *irq)
{ return irq->pending_latch || (!irq->edge && irq->line_level); }
void vgic__irq_reroute(struct vgic *v, uint32_t intid) { (void)v; (void)intid; }
void vgic__update_vcpu(struct vgic *v, uint32_t vcpu) { (void)v; (void)vcpu; }
void vgic__update_all(struct vgic *v) { (void)v; }
int vgic__irq_line(struct vgic *v, uint32_t vcpu, uint32_t intid, bool level)
{ (void)v; (void)vcpu; (void)intid; (void)level; return -ENXIO; }
void vgic__vcpu_sync_dirty(struct vgic *v, uint32_t vcpu) { (void)v; (void)vcpu; }
int vgic__v3_first_run(struct vgic *v) { (void)v; return 0; }
int vgic__init(struct vgic *v) { (void)v; return 0; }
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
bool vgic__hppi(struct vgic *v, uint32_t vcpu, unsigned groups,
		struct vgic_hppi *out)
{ (void)v; (void)vcpu; (void)groups; out->intid = VGIC_SPURIOUS; return false; }
uint8_t vgic__rpr(struct vgic *v, uint32_t vcpu) { (void)v; (void)vcpu; return 0xff; }
uint32_t vgic__ack(struct vgic *v, uint32_t vcpu, unsigned groups,
		   struct vgic_hppi *acked)
{ (void)v; (void)vcpu; (void)groups; (void)acked; return VGIC_SPURIOUS; }
void vgic__priority_drop(struct vgic *v, uint32_t vcpu, unsigned group)
{ (void)v; (void)vcpu; (void)group; }
void vgic__deactivate(struct vgic *v, uint32_t vcpu, uint32_t intid)
{ (void)v; (void)vcpu; (void)intid; }

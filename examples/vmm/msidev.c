/*
 * vgic-vmm - a minimal MSI source device at 0x0b000000 (not on QEMU's virt;
 * described in the device tree as "vgic-vmm,msi-source" with msi-parent =
 * <&its DEVID>).  It sends MSIs with a fixed DeviceID and guest-chosen
 * EventIDs to the ITS through vgic_signal_msi(), standing in for a PCI
 * device's MSI-X writes.
 *
 * With --v4 the device is "assigned" to the guest through a GICv4.x (the
 * library's software model standing in for the host ITS): the first MSI of
 * each event the guest has mapped is turned into a forwarding
 * (vgic_v4_set_forwarding, host IRQ = EventID) and from then on the model
 * injects it directly (vgic_v4_model_fire), as a VFIO device with
 * irqbypass does on KVM.  Events not (or no longer) forwardable fall back
 * to vgic_signal_msi().  Forwardings are VMM state: after a migration they
 * are set up again on the next MSI, and the LPI's pending state moves into
 * the new VPT.
 *
 * Registers (32-bit):
 *   0x00 ID       RO  0x4d534921 ("MSI!")
 *   0x04 DEVID    RO  the DeviceID used for every MSI
 *   0x08 TRIGGER  WO  send one MSI with EventID = value
 *   0x0c BURST    WO  value = event | count << 16: send @count MSIs with
 *                     EventIDs event, event+1, ... (count 0 means 1)
 *   0x10 SENT     RO  MSIs delivered so far (vgic_signal_msi returned 1)
 *   0x14 DROPPED  RO  MSIs not delivered (no translation, ITS disabled...)
 *   0x18 LAST     RO  the last vgic_signal_msi result (as int32)
 *   0x1c DOORBELL RO  low 32 bits of the GITS_TRANSLATER address used
 */
#include "vmm.h"

#define MSIDEV_ID 0x4d534921u

int vmm_v4_attach(struct vm *vm)
{
	int ret;

	if (!vm->opt.v4)
		return 0;
	ret = vgic_v4_model_create(vm->opt.v4, vm->nr_vcpus, MSIDEV_EVENTS,
				   &vm->v4);
	if (!ret)
		ret = vgic_v4_attach_model(vm->gic, vm->v4);
	if (ret)
		vmm_err("attaching the GICv4 model: %s", vgic_strerror(ret));
	return ret;
}

void vmm_v4_stats(struct vm *vm)
{
	struct vgic_v4_model_stats st;

	if (!vm->v4)
		return;
	vgic_v4_model_stats(vm->v4, &st);
	fprintf(stderr, "vgic-vmm: GICv4 model: vlpi maps %llu, fired %llu, "
		"delivered %llu, doorbells %llu, schedules %llu\n",
		(unsigned long long)st.vlpi_maps,
		(unsigned long long)st.fired,
		(unsigned long long)st.delivered,
		(unsigned long long)st.doorbells,
		(unsigned long long)st.schedules);
}

/* GICv4: inject through the model.  Returns 1/0 as vgic_signal_msi, or
 * -ENOENT when the event cannot be forwarded (use the emulated path). */
static int send_direct(struct vm *vm, uint32_t event)
{
	struct msidev *m = &vm->msi;
	uint8_t bit = (uint8_t)(1u << (event & 7));
	int ret;

	if (!vm->v4 || event >= MSIDEV_EVENTS)
		return -2;
	if (!(m->forwarded[event / 8] & bit)) {
		if (vgic_v4_set_forwarding(vm->gic, VIRT_GITS_TRANSLATER,
					   m->devid, event, event))
			return -2;
		m->forwarded[event / 8] |= bit;
	}
	ret = vgic_v4_model_fire(vm->v4, event);
	if (ret < 0) { /* the guest discarded it: forwarding ended */
		m->forwarded[event / 8] &= (uint8_t)~bit;
		return -2;
	}
	m->direct++;
	return 1;
}

static void send_one(struct vm *vm, uint32_t event)
{
	struct msidev *m = &vm->msi;
	int ret = -19; /* -ENODEV: no ITS */

	if (vm->has_its && (ret = send_direct(vm, event)) < 0)
		ret = vgic_signal_msi(vm->gic, VIRT_GITS_TRANSLATER, m->devid,
				      event);
	m->last = ret;
	if (ret == 1)
		m->sent++;
	else
		m->dropped++;
	/* the target may be any vCPU: let every one look again */
	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		vm->vcpu[i].kick = true;
}

uint64_t vmm_msidev_read(struct vm *vm, uint64_t off, unsigned size)
{
	struct msidev *m = &vm->msi;

	(void)size;
	switch (off) {
	case 0x00: return MSIDEV_ID;
	case 0x04: return m->devid;
	case 0x10: return m->sent;
	case 0x14: return m->dropped;
	case 0x18: return (uint32_t)m->last;
	case 0x1c: return (uint32_t)VIRT_GITS_TRANSLATER;
	default: return 0;
	}
}

void vmm_msidev_write(struct vm *vm, uint64_t off, uint64_t val, unsigned size)
{
	uint32_t count, event;

	(void)size;
	switch (off) {
	case 0x08:
		send_one(vm, (uint32_t)val);
		break;
	case 0x0c:
		event = (uint32_t)val & 0xffff;
		count = ((uint32_t)val >> 16) & 0xffff;
		if (!count)
			count = 1;
		for (uint32_t i = 0; i < count; i++)
			send_one(vm, event + i);
		break;
	default:
		break;
	}
}

/*
 * vgic-vmm - PSCI 1.0 firmware interface (HVC or SMC conduit, SMC32/SMC64
 * function IDs): VERSION, FEATURES, CPU_ON, CPU_OFF, AFFINITY_INFO,
 * MIGRATE_INFO_TYPE, SYSTEM_OFF, SYSTEM_RESET; plus vgic-vmm's exit call.
 *
 * Called from Unicorn's interrupt hook with PC already past the HVC/SMC.
 * Functions that stop the calling vCPU never write its PC (a PC write in a
 * hook cancels Unicorn's stop request).
 */
#include "vmm.h"

#include <inttypes.h>

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND 0x84000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0x84000003u
#define PSCI_AFFINITY_INFO 0x84000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au
#define SMC64 0x40000000u

#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMS (-2)
#define PSCI_ALREADY_ON (-4)
#define PSCI_TOS_NOT_PRESENT_MP 2

static const uint32_t psci_functions[] = {
	PSCI_VERSION, PSCI_CPU_SUSPEND, PSCI_CPU_OFF, PSCI_CPU_ON,
	PSCI_AFFINITY_INFO, PSCI_MIGRATE_INFO_TYPE, PSCI_SYSTEM_OFF,
	PSCI_SYSTEM_RESET, PSCI_FEATURES, VMM_HVC_EXIT,
};

static struct vcpu *by_mpidr(struct vm *vm, uint64_t mpidr)
{
	mpidr &= 0xff00ffffffull;
	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpu[i].mpidr == mpidr)
			return &vm->vcpu[i];
	return NULL;
}

static int64_t psci_features(uint32_t fn)
{
	for (size_t i = 0; i < ARRAY_SIZE(psci_functions); i++)
		if ((fn & ~SMC64) == psci_functions[i])
			return 0;
	return PSCI_NOT_SUPPORTED;
}

void vmm_psci_call(struct vcpu *c)
{
	struct vm *vm = c->vm;
	uc_engine *uc = c->uc;
	uint64_t x[4];
	int64_t ret = PSCI_NOT_SUPPORTED;
	struct vcpu *t;
	uint32_t fn;

	for (int i = 0; i < 4; i++)
		uc_reg_read(uc, UC_ARM64_REG_X0 + i, &x[i]);
	fn = (uint32_t)x[0];
	switch (fn & ~SMC64) {
	case PSCI_VERSION:
		ret = 0x10000; /* 1.0 */
		break;
	case PSCI_FEATURES:
		ret = psci_features((uint32_t)x[1]);
		break;
	case PSCI_CPU_SUSPEND:
		/* standby-like: return as from a WFI */
		c->wfi = true;
		ret = PSCI_SUCCESS;
		break;
	case PSCI_CPU_ON:
		if (!(fn & SMC64)) {
			x[1] &= 0xffffffffu;
			x[2] &= 0xffffffffu;
			x[3] &= 0xffffffffu;
		}
		t = by_mpidr(vm, x[1]);
		if (!t) {
			ret = PSCI_INVALID_PARAMS;
		} else if (t->powered) {
			ret = PSCI_ALREADY_ON;
		} else {
			vcpu_reset(t, x[2], x[3]);
			t->powered = true;
			ret = PSCI_SUCCESS;
		}
		break;
	case PSCI_CPU_OFF:
		c->powered = false;
		c->stop = true;
		return; /* does not return to the caller */
	case PSCI_AFFINITY_INFO:
		t = by_mpidr(vm, x[1]);
		if (!t || x[2] != 0)
			ret = PSCI_INVALID_PARAMS;
		else
			ret = t->powered ? 0 : 1; /* ON : OFF */
		break;
	case PSCI_MIGRATE_INFO_TYPE:
		ret = PSCI_TOS_NOT_PRESENT_MP;
		break;
	case PSCI_SYSTEM_OFF:
		if (!vm->exit_req)
			vm->exit_code = 0;
		vm->exit_req = true;
		if (!vm->opt.quiet)
			vmm_log("guest requested PSCI SYSTEM_OFF");
		return;
	case PSCI_SYSTEM_RESET:
		/* DEVIATION from QEMU: like its -no-reboot, a reset ends the
		 * VMM (status 0); the harness restarts if it wants to. */
		vm->exit_req = true;
		vm->exit_code = 0;
		vmm_log("guest requested PSCI SYSTEM_RESET: exiting");
		return;
	case VMM_HVC_EXIT & ~SMC64:
		vm->exit_req = true;
		vm->exit_code = (int)(x[1] & 0xff);
		if (!vm->opt.quiet)
			vmm_log("guest exit call, status %d", vm->exit_code);
		return;
	default:
		break;
	}
	uc_reg_write(uc, UC_ARM64_REG_X0, &ret);
}

/*
 * vgic-vmm - the vCPU: Unicorn 2 engine glue.
 *
 * One Unicorn engine per vCPU, all mapping the same host RAM, run in
 * round-robin slices from one thread.  Implements what Unicorn 2.0.1 does not
 * (see shared/reference/emulators.md section B): IRQ/FIQ exception entry by
 * hand, the GIC CPU interface (ICC_* MRS/MSR hooks forwarded to libvgic, PC
 * advanced by hand for registers Unicorn does not know), HVC/SMC (PSCI), WFI
 * idling, MPIDR and ID_AA64PFR0_EL1.GIC, and the generic timer registers.
 * The register table at the end names every register a snapshot carries.
 */
#include "vmm.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#define PSTATE_F (1u << 6)
#define PSTATE_I (1u << 7)
#define PSTATE_EL1H 0x5u
#define PSTATE_DAIF 0x3c0u
#define INSN_WFI 0xd503207fu
#define INSN_WFE 0xd503205fu

#define ENC(op0, op1, crn, crm, op2) VGIC_SYSREG(op0, op1, crn, crm, op2)
#define SR_MPIDR_EL1 ENC(3, 0, 0, 0, 5)
#define SR_ID_AA64PFR0_EL1 ENC(3, 0, 0, 4, 0)

/* Unicorn exception numbers seen by the INTR hook. */
#define EXCP_UDEF 1
#define EXCP_SWI 2
#define EXCP_PREFETCH_ABORT 3
#define EXCP_DATA_ABORT 4
#define EXCP_HVC 11
#define EXCP_SMC 13

static uint32_t enc_of(const uc_arm64_cp_reg *cp)
{
	return ENC(cp->op0, cp->op1, cp->crn, cp->crm, cp->op2);
}

static bool is_icc(uint32_t enc)
{
	unsigned crm = (enc >> 3) & 15;

	if (enc == VGIC_ICC_PMR_EL1)
		return true;
	/* op0 = 3, op1 = 0, CRn = 12, CRm in {8, 9, 11, 12} */
	if ((enc & ~0x7fu) != ENC(3, 0, 12, 0, 0))
		return false;
	return crm == 8 || crm == 9 || crm == 11 || crm == 12;
}

static uint64_t reg_read(uc_engine *uc, int id)
{
	uint64_t v = 0;

	uc_reg_read(uc, id, &v);
	return v;
}

static void reg_write(uc_engine *uc, int id, uint64_t v)
{
	uc_reg_write(uc, id, &v);
}

static int cp_read(uc_engine *uc, uint8_t op0, uint8_t op1, uint8_t crn,
		   uint8_t crm, uint8_t op2, uint64_t *val)
{
	uc_arm64_cp_reg cp = { .op0 = op0, .op1 = op1, .crn = crn, .crm = crm,
			       .op2 = op2 };

	if (uc_reg_read(uc, UC_ARM64_REG_CP_REG, &cp) != UC_ERR_OK)
		return -ENOENT;
	*val = cp.val;
	return 0;
}

static int cp_write(uc_engine *uc, uint8_t op0, uint8_t op1, uint8_t crn,
		    uint8_t crm, uint8_t op2, uint64_t val)
{
	uc_arm64_cp_reg cp = { .op0 = op0, .op1 = op1, .crn = crn, .crm = crm,
			       .op2 = op2, .val = val };

	return uc_reg_write(uc, UC_ARM64_REG_CP_REG, &cp) == UC_ERR_OK ?
	       0 : -ENOENT;
}

/*
 * Unicorn 2.0.1 skips a hooked MRS/MSR of a register it knows, but for one
 * it does not know the instruction is re-executed forever unless we move PC
 * past it ourselves.
 */
static void skip_if_unknown(struct vcpu *c, const uc_arm64_cp_reg *cp)
{
	uc_arm64_cp_reg probe = *cp;

	if (uc_reg_read(c->uc, UC_ARM64_REG_CP_REG, &probe) != UC_ERR_OK)
		reg_write(c->uc, UC_ARM64_REG_PC,
			  reg_read(c->uc, UC_ARM64_REG_PC) + 4);
}

static uint32_t hook_mrs(uc_engine *uc, uc_arm64_reg rt,
			 const uc_arm64_cp_reg *cp, void *user)
{
	struct vcpu *c = user;
	uint32_t enc = enc_of(cp);
	uint64_t val = 0;

	if (is_icc(enc)) {
		c->nr_sysreg++;
		if (c->vm->gic_version != 3 ||
		    vgic_sysreg_read(c->vm->gic, c->id, enc, &val) < 0)
			val = 0;
		/* an acknowledge only lowers the outputs, and libvgic kicks
		 * the vCPU when they change: no forced re-evaluation here */
	} else if (enc == SR_MPIDR_EL1) {
		val = (1ull << 31) | c->mpidr;
	} else if (enc == SR_ID_AA64PFR0_EL1) {
		if (cp_read(uc, 3, 0, 0, 4, 0, &val))
			val = 0;
		val &= ~(0xfull << 24);
		if (c->vm->gic_version == 3)
			val |= 1ull << 24; /* GIC: system register interface */
	} else if (!vtimer_sysreg(c, enc, false, &val)) {
		return 0; /* Unicorn handles it */
	}
	if (rt != UC_ARM64_REG_XZR)
		reg_write(uc, rt, val);
	skip_if_unknown(c, cp);
	return 1;
}

static uint32_t hook_msr(uc_engine *uc, uc_arm64_reg rt,
			 const uc_arm64_cp_reg *cp, void *user)
{
	struct vcpu *c = user;
	uint32_t enc = enc_of(cp);
	uint64_t val = cp->val;

	(void)uc;
	(void)rt;
	if (is_icc(enc)) {
		c->nr_sysreg++;
		if (c->vm->gic_version == 3)
			vgic_sysreg_write(c->vm->gic, c->id, enc, val);
		c->kick = true;
	} else if (enc == SR_MPIDR_EL1 || enc == SR_ID_AA64PFR0_EL1) {
		/* read-only: ignore (UNDEF on hardware) */
	} else if (!vtimer_sysreg(c, enc, true, &val)) {
		return 0;
	}
	skip_if_unknown(c, cp);
	return 1;
}

/*
 * Slicing and interrupt hints: stop at a block boundary when the slice is
 * used up, when someone asked (migration, exit, kick), or when an interrupt
 * the guest had masked may now be taken.
 */
static void hook_block(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct vcpu *c = user;
	struct vm *vm = c->vm;

	(void)addr;
	(void)size;
	if (++c->blocks >= vm->opt.slice || c->kick || vm->exit_req ||
	    vm->migrate_req) {
		c->stop = true;
		uc_emu_stop(uc);
		return;
	}
	if (c->masked_wait) {
		uint64_t ps = reg_read(uc, UC_ARM64_REG_PSTATE);

		if ((ps & c->masked_wait) != c->masked_wait) {
			c->stop = true;
			uc_emu_stop(uc);
		}
	}
}

static void crash(struct vcpu *c, const char *what)
{
	struct vm *vm = c->vm;

	vmm_err("vCPU %u: %s at pc 0x%" PRIx64 " (pstate 0x%" PRIx64
		", elr_el1 0x%" PRIx64 ")", c->id, what,
		reg_read(c->uc, UC_ARM64_REG_PC),
		reg_read(c->uc, UC_ARM64_REG_PSTATE),
		reg_read(c->uc, UC_ARM64_REG_ELR_EL1));
	vm->exit_req = true;
	vm->exit_code = VMM_EXIT_GUEST_CRASH;
}

static void hook_intr(uc_engine *uc, uint32_t intno, void *user)
{
	struct vcpu *c = user;

	switch (intno) {
	case EXCP_HVC:
	case EXCP_SMC:
		/* PC is already past the instruction; never write it here, a
		 * PC write would cancel the stop CPU_OFF/SYSTEM_OFF need. */
		vmm_psci_call(c);
		break;
	case EXCP_UDEF:
		crash(c, "undefined instruction");
		break;
	case EXCP_SWI:
		crash(c, "SVC (no EL1 handler is emulated for synchronous "
			 "exceptions)");
		break;
	case EXCP_PREFETCH_ABORT:
		crash(c, "prefetch abort");
		break;
	case EXCP_DATA_ABORT:
		crash(c, "data abort");
		break;
	default: {
		char msg[64];

		snprintf(msg, sizeof(msg), "unhandled exception %u", intno);
		crash(c, msg);
	}
	}
	c->stop = true;
	uc_emu_stop(uc);
}

/* ---- MMIO: every device frame of the machine is one Unicorn MMIO region.
 * Unicorn splits 8-byte accesses into two 4-byte callbacks (low half first);
 * libvgic accepts 32-bit halves of its 64-bit registers. */
#define MMIO_BASE 0x08000000ull
#define MMIO_SIZE 0x04000000ull

static uint64_t mmio_read(uc_engine *uc, uint64_t off, unsigned size,
			  void *user)
{
	struct vcpu *c = user;
	struct vm *vm = c->vm;
	uint64_t gpa = MMIO_BASE + off, val = 0;

	(void)uc;
	c->nr_mmio++;
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return 0;
	if (vgic_mmio_read(vm->gic, c->id, gpa, &val, size) == 0)
		return val;
	if (gpa >= VIRT_UART_BASE && gpa < VIRT_UART_BASE + VIRT_UART_SIZE)
		return pl011_read(vm, gpa - VIRT_UART_BASE, size);
	if (gpa >= VIRT_MSIDEV_BASE &&
	    gpa < VIRT_MSIDEV_BASE + VIRT_MSIDEV_SIZE)
		return vmm_msidev_read(vm, gpa - VIRT_MSIDEV_BASE, size);
	return 0; /* IMPDEF: unclaimed device space reads as zero */
}

static void mmio_write(uc_engine *uc, uint64_t off, unsigned size,
		       uint64_t val, void *user)
{
	struct vcpu *c = user;
	struct vm *vm = c->vm;
	uint64_t gpa = MMIO_BASE + off;

	(void)uc;
	c->nr_mmio++;
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return;
	if (vgic_mmio_write(vm->gic, c->id, gpa, &val, size) == 0) {
		c->kick = true;
		return;
	}
	if (gpa >= VIRT_UART_BASE && gpa < VIRT_UART_BASE + VIRT_UART_SIZE)
		pl011_write(vm, gpa - VIRT_UART_BASE, val, size);
	else if (gpa >= VIRT_MSIDEV_BASE &&
		 gpa < VIRT_MSIDEV_BASE + VIRT_MSIDEV_SIZE)
		vmm_msidev_write(vm, gpa - VIRT_MSIDEV_BASE, val, size);
}

int vcpu_create(struct vm *vm, struct vcpu *c)
{
	uc_hook h;
	uc_err err;
	uint64_t scr;

	err = uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &c->uc);
	if (err) {
		vmm_err("uc_open: %s", uc_strerror(err));
		return -ENOMEM;
	}
	if ((err = uc_ctl_set_cpu_model(c->uc, UC_CPU_ARM64_A72)) ||
	    (err = uc_mem_map_ptr(c->uc, vm->ram_base, vm->ram_size,
				  UC_PROT_ALL, vm->ram)) ||
	    (err = uc_mmio_map(c->uc, MMIO_BASE, MMIO_SIZE, mmio_read, c,
			       mmio_write, c)) ||
	    (err = uc_hook_add(c->uc, &h, UC_HOOK_INSN, hook_mrs, c, 1, 0,
			       UC_ARM64_INS_MRS)) ||
	    (err = uc_hook_add(c->uc, &h, UC_HOOK_INSN, hook_msr, c, 1, 0,
			       UC_ARM64_INS_MSR)) ||
	    (err = uc_hook_add(c->uc, &h, UC_HOOK_BLOCK, hook_block, c, 1,
			       0)) ||
	    (err = uc_hook_add(c->uc, &h, UC_HOOK_INTR, hook_intr, c, 1, 0))) {
		vmm_err("setting up vCPU %u in Unicorn: %s", c->id,
			uc_strerror(err));
		return -EINVAL;
	}
	/* HVC is UNDEF until SCR_EL3.HCE is set; RW: EL2/EL1 are AArch64. */
	if (!cp_read(c->uc, 3, 6, 1, 1, 0, &scr))
		cp_write(c->uc, 3, 6, 1, 1, 0, scr | (1u << 8) | (1u << 10));
	if (!vm->reset_sctlr && cp_read(c->uc, 3, 0, 1, 0, 0, &vm->reset_sctlr))
		vm->reset_sctlr = 0;
	return 0;
}

void vcpu_destroy(struct vcpu *c)
{
	if (c->uc)
		uc_close(c->uc);
	c->uc = NULL;
}

/* Boot state: EL1h, DAIF masked, MMU off, x0 = @x0, PC = @pc. */
void vcpu_reset(struct vcpu *c, uint64_t pc, uint64_t x0)
{
	reg_write(c->uc, UC_ARM64_REG_PSTATE, PSTATE_DAIF | PSTATE_EL1H);
	if (c->vm->reset_sctlr)
		cp_write(c->uc, 3, 0, 1, 0, 0, c->vm->reset_sctlr);
	for (int i = 0; i <= 28; i++)
		reg_write(c->uc, UC_ARM64_REG_X0 + i, 0);
	reg_write(c->uc, UC_ARM64_REG_X29, 0);
	reg_write(c->uc, UC_ARM64_REG_X30, 0);
	reg_write(c->uc, UC_ARM64_REG_X0, x0);
	reg_write(c->uc, UC_ARM64_REG_PC, pc);
	memset(c->timer, 0, sizeof(c->timer));
	c->wfi = false;
	c->masked_wait = 0;
	c->kick = true;
}

/*
 * Take an IRQ (type 1) or FIQ (type 2) exception to EL1 by hand: Unicorn has
 * no interrupt input.  From EL1t or EL0 the stack pointer is switched to
 * SP_EL1 ourselves, as Unicorn's PSTATE write does not bank it.
 */
static void enter_exception(struct vcpu *c, unsigned type)
{
	uc_engine *uc = c->uc;
	uint64_t ps = reg_read(uc, UC_ARM64_REG_PSTATE);
	uint64_t pc = reg_read(uc, UC_ARM64_REG_PC);
	uint64_t vbar = reg_read(uc, UC_ARM64_REG_VBAR_EL1);
	unsigned el = (ps >> 2) & 3;
	uint64_t base;
	bool h = el == 1 && (ps & 1);

	if (el == 1)
		base = h ? 0x200 : 0x000;
	else
		base = 0x400; /* lower EL, AArch64 */
	reg_write(uc, UC_ARM64_REG_ELR_EL1, pc);
	cp_write(uc, 3, 0, 4, 0, 0, ps); /* SPSR_EL1 */
	if (!h) {
		uint64_t cur = reg_read(uc, UC_ARM64_REG_SP);
		uint64_t sp1 = reg_read(uc, UC_ARM64_REG_SP_EL1);

		reg_write(uc, UC_ARM64_REG_SP_EL0, cur);
		reg_write(uc, UC_ARM64_REG_PSTATE, PSTATE_DAIF | PSTATE_EL1H);
		reg_write(uc, UC_ARM64_REG_SP, sp1);
	} else {
		reg_write(uc, UC_ARM64_REG_PSTATE, PSTATE_DAIF | PSTATE_EL1H);
	}
	reg_write(uc, UC_ARM64_REG_PC, vbar + base + 0x80 * type);
}

/* Deliver a pending IRQ/FIQ if PSTATE allows, else wait for an unmask. */
void vcpu_check_interrupts(struct vcpu *c)
{
	struct vm *vm = c->vm;
	bool irq = vgic_vcpu_irq_pending(vm->gic, c->id);
	bool fiq = vgic_vcpu_fiq_pending(vm->gic, c->id);
	uint64_t ps;

	c->kick = false;
	c->masked_wait = 0;
	if (!irq && !fiq)
		return;
	ps = reg_read(c->uc, UC_ARM64_REG_PSTATE);
	if (fiq && !(ps & PSTATE_F)) {
		enter_exception(c, 2);
		c->nr_fiqs++;
	} else if (irq && !(ps & PSTATE_I)) {
		enter_exception(c, 1);
		c->nr_irqs++;
	} else {
		/* stop as soon as the guest unmasks what is pending */
		c->masked_wait = (irq ? PSTATE_I : 0) | (fiq ? PSTATE_F : 0);
	}
}

static uint32_t insn_at(struct vcpu *c, uint64_t pc)
{
	uint32_t insn = 0;

	/* MMU off (or identity map) only: good enough to tell WFI from WFE */
	if (vmm_vm_ram_range_ok(c->vm, pc, 4))
		memcpy(&insn, c->vm->ram + (pc - c->vm->ram_base), 4);
	else
		insn = INSN_WFI;
	return insn;
}

/* Run one slice.  Returns 0, or -EFAULT after an emulation error (the VM
 * is then marked to exit). */
int vcpu_run_slice(struct vcpu *c)
{
	uint64_t pc = reg_read(c->uc, UC_ARM64_REG_PC), npc;
	uc_err err;

	c->blocks = 0;
	c->stop = false;
	c->nr_slices++;
	err = uc_emu_start(c->uc, pc, (uint64_t)-1, 0, 0);
	if (err != UC_ERR_OK) {
		crash(c, uc_strerror(err));
		return -EFAULT;
	}
	if (c->stop)
		return 0;
	/* Nobody asked for this exit: WFI (Unicorn ends emulation on it). */
	npc = reg_read(c->uc, UC_ARM64_REG_PC);
	if (npc != pc && insn_at(c, npc - 4) == INSN_WFI) {
		c->wfi = true;
		c->nr_wfi++;
	}
	return 0;
}

/* ---- named registers (snapshots) ----------------------------------------- */

#define R(n, id) { n, 0, id, 0, 0, 0, 0, 0, 0 }
#define CP(n, a, b, cn, cm, d) { n, 1, 0, a, b, cn, cm, d, 0 }
#define Q(n) { "Q" #n ".lo", 2, UC_ARM64_REG_Q0 + n, 0, 0, 0, 0, 0, 0 }, \
	     { "Q" #n ".hi", 2, UC_ARM64_REG_Q0 + n, 0, 0, 0, 0, 0, 1 }
#define X(n) R("X" #n, UC_ARM64_REG_X0 + n)

/* Order matters on restore: PSTATE before SP (the current bank), banked
 * stack pointers before both. */
static const struct vcpu_reg_desc regs[] = {
	X(0), X(1), X(2), X(3), X(4), X(5), X(6), X(7), X(8), X(9), X(10),
	X(11), X(12), X(13), X(14), X(15), X(16), X(17), X(18), X(19), X(20),
	X(21), X(22), X(23), X(24), X(25), X(26), X(27), X(28),
	R("X29", UC_ARM64_REG_X29), R("X30", UC_ARM64_REG_X30),
	R("SP_EL0", UC_ARM64_REG_SP_EL0), R("SP_EL1", UC_ARM64_REG_SP_EL1),
	R("PSTATE", UC_ARM64_REG_PSTATE), R("SP", UC_ARM64_REG_SP),
	R("PC", UC_ARM64_REG_PC),
	R("ELR_EL1", UC_ARM64_REG_ELR_EL1),
	CP("SPSR_EL1", 3, 0, 4, 0, 0),
	R("ESR_EL1", UC_ARM64_REG_ESR_EL1),
	R("FAR_EL1", UC_ARM64_REG_FAR_EL1),
	R("VBAR_EL1", UC_ARM64_REG_VBAR_EL1),
	CP("SCTLR_EL1", 3, 0, 1, 0, 0),
	CP("CPACR_EL1", 3, 0, 1, 0, 2),
	CP("TTBR0_EL1", 3, 0, 2, 0, 0),
	CP("TTBR1_EL1", 3, 0, 2, 0, 1),
	CP("TCR_EL1", 3, 0, 2, 0, 2),
	CP("MAIR_EL1", 3, 0, 10, 2, 0),
	CP("AMAIR_EL1", 3, 0, 10, 3, 0),
	CP("CONTEXTIDR_EL1", 3, 0, 13, 0, 1),
	CP("TPIDR_EL0", 3, 3, 13, 0, 2),
	CP("TPIDRRO_EL0", 3, 3, 13, 0, 3),
	CP("TPIDR_EL1", 3, 0, 13, 0, 4),
	CP("PAR_EL1", 3, 0, 7, 4, 0),
	CP("CNTKCTL_EL1", 3, 0, 14, 1, 0),
	CP("MDSCR_EL1", 2, 0, 0, 2, 2),
	CP("CSSELR_EL1", 3, 2, 0, 0, 0),
	R("FPCR", UC_ARM64_REG_FPCR), R("FPSR", UC_ARM64_REG_FPSR),
	Q(0), Q(1), Q(2), Q(3), Q(4), Q(5), Q(6), Q(7), Q(8), Q(9), Q(10),
	Q(11), Q(12), Q(13), Q(14), Q(15), Q(16), Q(17), Q(18), Q(19), Q(20),
	Q(21), Q(22), Q(23), Q(24), Q(25), Q(26), Q(27), Q(28), Q(29), Q(30),
	Q(31),
};

size_t vcpu_reg_count(void)
{
	return ARRAY_SIZE(regs);
}

const struct vcpu_reg_desc *vcpu_reg_desc(size_t i)
{
	return i < ARRAY_SIZE(regs) ? &regs[i] : NULL;
}

int vcpu_reg_get(struct vcpu *c, size_t i, uint64_t *val)
{
	const struct vcpu_reg_desc *d = vcpu_reg_desc(i);
	uint64_t q[2] = { 0, 0 };

	if (!d)
		return -EINVAL;
	switch (d->kind) {
	case 0:
		*val = reg_read(c->uc, d->uc_id);
		return 0;
	case 1:
		return cp_read(c->uc, d->op0, d->op1, d->crn, d->crm, d->op2,
			       val);
	default:
		if (uc_reg_read(c->uc, d->uc_id, q) != UC_ERR_OK)
			return -EIO;
		*val = q[d->half];
		return 0;
	}
}

int vcpu_reg_set(struct vcpu *c, size_t i, uint64_t val)
{
	const struct vcpu_reg_desc *d = vcpu_reg_desc(i);
	uint64_t q[2];

	if (!d)
		return -EINVAL;
	switch (d->kind) {
	case 0:
		return uc_reg_write(c->uc, d->uc_id, &val) == UC_ERR_OK ?
		       0 : -EIO;
	case 1:
		return cp_write(c->uc, d->op0, d->op1, d->crn, d->crm, d->op2,
				val);
	default:
		if (uc_reg_read(c->uc, d->uc_id, q) != UC_ERR_OK)
			return -EIO;
		q[d->half] = val;
		return uc_reg_write(c->uc, d->uc_id, q) == UC_ERR_OK ? 0 : -EIO;
	}
}

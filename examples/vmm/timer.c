/*
 * vgic-vmm - the Arm generic timer (CNTV_* and CNTP_* EL0 views, CNTVCT,
 * CNTPCT, CNTFRQ), emulated on the host's monotonic clock because
 * Unicorn 2.0.1 never raises a timer interrupt.  Each timer drives its PPI
 * (27 virtual, 30 physical, as on virt) as a level through vgic_irq_line().
 *
 * The counter runs at 62.5 MHz: ticks = vmm_host_ns / 16 + cnt_off.  The virtual
 * and physical counters are the same (CNTVOFF = 0).  A restore adjusts
 * cnt_off so the counter continues from the saved value: the guest does not
 * see the migration downtime as elapsed counter time.
 */
#include "vmm.h"

#define CTL_ENABLE 1ull
#define CTL_IMASK 2ull
#define CTL_ISTATUS 4ull

#define ENC(op0, op1, crn, crm, op2) VGIC_SYSREG(op0, op1, crn, crm, op2)

enum treg { T_CTL, T_CVAL, T_TVAL };

static const struct timer_reg {
	uint32_t enc;
	int timer;      /* 0 virtual, 1 physical, -1 counter/frequency */
	int reg;
} timer_regs[] = {
	{ ENC(3, 3, 14, 3, 1), 0, T_CTL },  /* CNTV_CTL_EL0 */
	{ ENC(3, 3, 14, 3, 2), 0, T_CVAL }, /* CNTV_CVAL_EL0 */
	{ ENC(3, 3, 14, 3, 0), 0, T_TVAL }, /* CNTV_TVAL_EL0 */
	{ ENC(3, 3, 14, 2, 1), 1, T_CTL },  /* CNTP_CTL_EL0 */
	{ ENC(3, 3, 14, 2, 2), 1, T_CVAL }, /* CNTP_CVAL_EL0 */
	{ ENC(3, 3, 14, 2, 0), 1, T_TVAL }, /* CNTP_TVAL_EL0 */
	{ ENC(3, 3, 14, 0, 2), -1, 0 },     /* CNTVCT_EL0 */
	{ ENC(3, 3, 14, 0, 1), -1, 0 },     /* CNTPCT_EL0 */
	{ ENC(3, 3, 14, 0, 0), -1, 1 },     /* CNTFRQ_EL0 */
};

static const uint32_t timer_ppi[2] = { PPI_VTIMER, PPI_PTIMER };

uint64_t vtimer_counter(const struct vm *vm)
{
	return (uint64_t)((int64_t)(vmm_host_ns() / VMM_NS_PER_TICK) + vm->cnt_off);
}

void vtimer_set_counter(struct vm *vm, uint64_t ticks)
{
	vm->cnt_off = (int64_t)ticks - (int64_t)(vmm_host_ns() / VMM_NS_PER_TICK);
}

static bool fired(const struct vtimer *t, uint64_t now)
{
	return (t->ctl & CTL_ENABLE) && now >= t->cval;
}

/* Bring the PPI levels in line with the timers' state. */
void vtimer_update(struct vcpu *c)
{
	uint64_t now = vtimer_counter(c->vm);

	for (int i = 0; i < 2; i++) {
		struct vtimer *t = &c->timer[i];
		bool level = fired(t, now) && !(t->ctl & CTL_IMASK);

		if (level != t->level) {
			t->level = level;
			vgic_irq_line(c->vm->gic, c->id, timer_ppi[i], level);
			c->kick = true;
		}
	}
}

/* Nanoseconds until the next timer of @c would raise its line, or -1. */
int64_t vtimer_next_deadline_ns(struct vcpu *c)
{
	uint64_t now = vtimer_counter(c->vm);
	int64_t best = -1;

	for (int i = 0; i < 2; i++) {
		const struct vtimer *t = &c->timer[i];
		int64_t d;

		if ((t->ctl & (CTL_ENABLE | CTL_IMASK)) != CTL_ENABLE ||
		    t->level)
			continue;
		d = t->cval <= now ? 0 :
		    (int64_t)((t->cval - now) > (1ull << 40) ? (1ull << 40) :
			      (t->cval - now)) * (int64_t)VMM_NS_PER_TICK;
		if (best < 0 || d < best)
			best = d;
	}
	return best;
}

/* MRS/MSR of a timer register: true if handled. */
bool vtimer_sysreg(struct vcpu *c, uint32_t enc, bool write, uint64_t *val)
{
	const struct timer_reg *r = NULL;
	struct vtimer *t;
	uint64_t now;

	for (size_t i = 0; i < ARRAY_SIZE(timer_regs); i++)
		if (timer_regs[i].enc == enc)
			r = &timer_regs[i];
	if (!r)
		return false;
	now = vtimer_counter(c->vm);
	if (r->timer < 0) {
		if (!write)
			*val = r->reg ? VMM_CNTFRQ : now;
		return true; /* counters and CNTFRQ: writes ignored at EL1 */
	}
	t = &c->timer[r->timer];
	switch (r->reg) {
	case T_CTL:
		if (write)
			t->ctl = *val & (CTL_ENABLE | CTL_IMASK);
		else
			*val = t->ctl | (fired(t, now) ? CTL_ISTATUS : 0);
		break;
	case T_CVAL:
		if (write)
			t->cval = *val;
		else
			*val = t->cval;
		break;
	default: /* TVAL: signed 32-bit view of CVAL - counter */
		if (write)
			t->cval = now + (uint64_t)(int64_t)(int32_t)*val;
		else
			*val = (uint32_t)(t->cval - now);
		break;
	}
	if (write)
		vtimer_update(c);
	return true;
}

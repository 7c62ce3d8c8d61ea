/*
 * Differential tests: a bare-metal AArch64 guest stub that exposes the GICv3
 * CPU interface (ICC_* system registers) of each vCPU to the qtest driver
 * through a RAM mailbox, so that QEMU's IAR/HPPIR/RPR/... can be compared
 * with libvgic's vgic_sysreg_read/write().
 *
 * Both vCPUs run it at EL1 (CPU 0 starts CPU 1 with PSCI CPU_ON over HVC).
 * Mailbox of CPU n at 0x44100000 + n * 0x1000, 64-bit fields:
 *   +0 seq (host), +8 op (host), +16 arg (host), +24 result (stub),
 *   +32 done (stub: = seq when the op ran), +40 "READY" magic (stub).
 * The ops are the slots of optab in order (see STUB_OP_* in scenario.h).
 * IRQs stay masked (PSTATE.I): interrupts are only ever acknowledged
 * through the mailbox.
 */
	.text
	.global _start
_start:
	mrs	x0, mpidr_el1
	and	x0, x0, #0xff
	cbnz	x0, 1f
	ldr	x0, =0xc4000003
	mov	x1, #1
	adr	x2, _start
	mov	x3, #0
	hvc	#0
1:	mrs	x0, mpidr_el1
	and	x0, x0, #0xff
	mov	x1, #7
	msr	icc_sre_el1, x1
	isb
	ldr	x20, =0x44100000
	add	x20, x20, x0, lsl #12
	ldr	x1, =0x5245414459
	str	x1, [x20, #40]
poll:	ldr	x1, [x20]
	ldr	x2, [x20, #32]
	cmp	x1, x2
	b.eq	poll
	dmb	ish
	ldr	x3, [x20, #8]
	ldr	x4, [x20, #16]
	mov	x5, #0
	cmp	x3, #16
	b.hs	opdone
	adr	x6, optab
	add	x6, x6, x3, lsl #3
	br	x6
optab:
	mrs	x5, icc_iar1_el1
	b	opdone
	msr	icc_eoir1_el1, x4
	b	opdone
	mrs	x5, icc_hppir1_el1
	b	opdone
	mrs	x5, icc_rpr_el1
	b	opdone
	mrs	x5, icc_pmr_el1
	b	opdone
	msr	icc_pmr_el1, x4
	b	opdone
	mrs	x5, icc_igrpen1_el1
	b	opdone
	msr	icc_igrpen1_el1, x4
	b	opdone
	mrs	x5, icc_ctlr_el1
	b	opdone
	msr	icc_ctlr_el1, x4
	b	opdone
	msr	icc_dir_el1, x4
	b	opdone
	mrs	x5, icc_ap1r0_el1
	b	opdone
	msr	icc_sgi1r_el1, x4
	b	opdone
	mrs	x5, icc_bpr1_el1
	b	opdone
	msr	icc_bpr1_el1, x4
	b	opdone
	mrs	x5, isr_el1
	b	opdone
opdone:	isb
	str	x5, [x20, #24]
	dmb	ish
	str	x1, [x20, #32]
	b	poll
	.ltorg

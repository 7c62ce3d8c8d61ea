/*
 * Guest runtime start-up: arm64 Image header (so QEMU's virt and vgic-vmm
 * both load it at RAM + 0x80000 and pass the DTB in x0), per-CPU stacks,
 * the EL1 vector table and the IRQ/FIQ entry that calls rt_irq().
 */
	.section .text.head, "ax"
	.globl _start
_start:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0x80000			/* text_offset */
	.quad	__image_size		/* image_size */
	.quad	0x2			/* flags: LE, 4K pages */
	.quad	0, 0, 0
	.ascii	"ARM\x64"		/* magic */
	.long	0

primary_entry:
	mov	x19, x0
	mov	x0, #0
	b	common_entry

	.globl secondary_entry
secondary_entry:			/* x0 = CPU index (PSCI context) */
	mov	x19, #0
common_entry:
	msr	daifset, #0xf
	msr	tpidr_el1, x0
	adrp	x1, __stacks
	add	x1, x1, :lo12:__stacks
	add	x2, x0, #1
	lsl	x2, x2, #14		/* 16 KiB per CPU */
	add	sp, x1, x2
	adrp	x1, vectors
	add	x1, x1, :lo12:vectors
	msr	vbar_el1, x1
	mov	x1, #(3 << 20)		/* CPACR_EL1.FPEN: no FP traps */
	msr	cpacr_el1, x1
	isb
	cbnz	x0, 1f
	/* CPU 0: clear .bss (stacks excluded: they are above __bss_end) */
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
0:	cmp	x1, x2
	b.hs	1f
	str	xzr, [x1], #8
	b	0b
1:	mov	x1, x19
	bl	rt_entry		/* rt_entry(cpu, dtb) never returns */
2:	wfi
	b	2b

/* Save the caller-saved registers, call rt_irq(is_fiq), return. */
.macro	irq_entry is_fiq
	sub	sp, sp, #(22 * 8)
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x29, [sp, #144]
	mrs	x0, elr_el1
	mrs	x1, spsr_el1
	stp	x0, x1, [sp, #160]
	str	x30, [sp, #176]
	mov	x0, #\is_fiq
	bl	rt_irq
	b	irq_return
.endm

.macro	bad_entry n
	mov	x0, #\n
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	b	rt_bad_exception
.endm

	.balign	2048
vectors:
	/* current EL, SP0 */
	.balign 128
	bad_entry 0
	.balign 128
	irq_entry 0
	.balign 128
	irq_entry 1
	.balign 128
	bad_entry 3
	/* current EL, SPx */
	.balign 128
	bad_entry 4
	.balign 128
	irq_entry 0
	.balign 128
	irq_entry 1
	.balign 128
	bad_entry 7
	/* lower EL (not used) */
	.balign 128
	bad_entry 8
	.balign 128
	bad_entry 9
	.balign 128
	bad_entry 10
	.balign 128
	bad_entry 11
	.balign 128
	bad_entry 12
	.balign 128
	bad_entry 13
	.balign 128
	bad_entry 14
	.balign 128
	bad_entry 15

irq_return:
	ldp	x0, x1, [sp, #160]
	msr	elr_el1, x0
	msr	spsr_el1, x1
	ldr	x30, [sp, #176]
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x29, [sp, #144]
	add	sp, sp, #(22 * 8)
	eret

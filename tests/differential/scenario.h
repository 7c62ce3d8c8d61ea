/*
 * Differential tests: scenarios run identically against QEMU's GICv3 + ITS
 * (through qtest) and libvgic (through its public API).
 *
 * A scenario is a flat list of operations.  Actions change state (MMIO
 * writes, guest RAM writes, MSIs, SPI line levels); observations read
 * something architectural (a register under a mask, the LPI part of a
 * pending table) and append values to the run's observation list.  The
 * two backends' lists must be equal, except where an observation carries a
 * documented QEMU-vs-KVM divergence (docs/divergences.md): then each
 * backend must show its own expected value.
 */
#ifndef VGIC_DIFF_SCENARIO_H
#define VGIC_DIFF_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Guest layout: QEMU virt's (emulators.md A.2). */
#define D_GICD 0x08000000ull
#define D_ITS 0x08080000ull
#define D_TRANSLATER (D_ITS + 0x10040)
#define D_GICR 0x080a0000ull
#define D_GICR_SGI 0x10000ull
#define D_RD(cpu) (D_GICR + (uint64_t)(cpu) * 0x20000)
#define D_RAM 0x40000000ull
#define D_RAM_SIZE 0x10000000ull /* -m 256M */
#define D_NR_CPUS 2
#define D_NR_IRQS 256

/* Tables, all inside RAM and above the DTB QEMU would load at D_RAM. */
#define D_PROPBASE 0x48100000ull
#define D_PENDBASE(cpu) (0x48200000ull + (uint64_t)(cpu) * 0x10000)
#define D_DEVTAB 0x48300000ull
#define D_COLLTAB 0x48320000ull
#define D_CMDQ 0x48340000ull
#define D_CMDQ_SIZE 0x1000ull /* one 4 KiB page: 128 commands */
#define D_ITT(i) (0x48400000ull + (uint64_t)(i) * 0x1000)
#define D_L2PAGE 0x48500000ull
#define D_LPI_IDBITS 14 /* PROPBASER.IDbits + 1: LPIs 8192..16383 */
#define D_NR_LPIS ((1u << D_LPI_IDBITS) - 8192)

/* DeviceIDs QEMU can send MSIs from: 0 (a qtest write to GITS_TRANSLATER)
 * and the RIDs of the edu PCI devices in slots 3, 4, 5. */
#define D_NR_DEVS 4
extern const uint32_t d_devids[D_NR_DEVS];

enum d_op_kind {
	D_W,     /* MMIO write addr <- val (len) */
	D_R,     /* observe MMIO read addr (len) & mask */
	D_RAMW,  /* guest RAM write */
	D_PEND,  /* observe LPI pending bits of vCPU val: QEMU's table; libvgic's
		  * SAVE_PENDING_TABLES result, guest RAM then put back as it
		  * was (the observation must not change the guest) */
	D_PENDBIT, /* observe pending bit of LPI addr in vCPU val's table after
		    * a real SAVE_PENDING_TABLES that stays in guest RAM */
	D_MSI,   /* MSI DeviceID addr, EventID val */
	D_SPI,   /* SPI INTID addr at level val */
	D_ICCW,  /* vCPU len: CPU-interface op addr (STUB_OP_*) with arg val */
	D_ICCR,  /* observe vCPU len: CPU-interface op addr & mask */
	D_DRAIN, /* observe: acknowledge (IAR1, RPR, EOIR1) all of vCPU len */
};

/* CPU-interface operations: the guest stub's optab slots. */
enum stub_op {
	STUB_IAR1, STUB_EOIR1, STUB_HPPIR1, STUB_RPR, STUB_PMR_R, STUB_PMR_W,
	STUB_IGRPEN1_R, STUB_IGRPEN1_W, STUB_CTLR_R, STUB_CTLR_W, STUB_DIR,
	STUB_AP1R0, STUB_SGI1R, STUB_BPR1_R, STUB_BPR1_W, STUB_ISR,
	STUB_NR_OPS
};
#define STUB_MAILBOX(cpu) (0x44100000ull + (uint64_t)(cpu) * 0x1000)
#define STUB_READY 0x5245414459ull

struct d_op {
	enum d_op_kind kind;
	uint32_t len;
	uint64_t addr, val, mask;
	uint8_t *data;          /* D_RAMW */
	const char *div;        /* documented divergence id, or NULL */
	uint64_t div_qemu, div_vgic; /* its expected values (masked) */
	char what[40];
};

struct scenario {
	char name[48];
	struct d_op *ops;
	size_t nr, cap;
	bool cpus;              /* needs the guest stub running */
	/* builder state */
	uint64_t cw;            /* next command slot (bytes) */
};

struct d_backend {
	const char *name;
	void *be;
	void (*write)(void *be, uint64_t addr, uint64_t val, uint32_t len);
	uint64_t (*read)(void *be, uint64_t addr, uint32_t len);
	void (*ramw)(void *be, uint64_t addr, const void *buf, size_t len);
	void (*ramr)(void *be, uint64_t addr, void *buf, size_t len);
	void (*msi)(void *be, uint32_t devid, uint32_t eventid);
	void (*spi)(void *be, uint32_t intid, int level);
	/* Make the pending tables reflect the LPI state (QEMU: nothing). With
	 * @keep false, guest RAM is restored by the next call with @restore. */
	void (*sync_pending)(void *be, bool keep);
	void (*unsync_pending)(void *be);
	uint64_t (*icc)(void *be, uint32_t cpu, unsigned op, uint64_t arg);
	bool (*failed)(void *be);
};

struct d_obs {
	uint64_t *val;
	const struct d_op **op;
	size_t nr, cap;
};

/* scenario.c: builders, the fixed set, the random generator. */
void sc_init(struct scenario *s, const char *name);
void sc_free(struct scenario *s);
size_t sc_nr_fixed(void);
const char *sc_fixed_name(size_t i);
int sc_build_fixed(struct scenario *s, const char *name);
/* @cpus: also drive the CPU interfaces (guest stub) and drain them. */
void sc_build_random(struct scenario *s, uint64_t seed, bool cpus);

/* Append observations of every vCPU's pending table. */
void sc_observe_pending(struct scenario *s);

/* Run @s on @b, appending observations to @o. */
void sc_run(const struct scenario *s, const struct d_backend *b,
	    struct d_obs *o);

#endif

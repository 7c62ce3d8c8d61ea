/*
 * vgic-vmm - shared definitions of the example VMM.
 *
 * The machine is a subset of QEMU's "virt" board (same addresses, same
 * interrupt numbers) so that bare-metal images written for QEMU run
 * unchanged.  The CPUs are Unicorn engines, one per vCPU, run round-robin
 * from one host thread (Unicorn's exclusives and atomics are not atomic
 * across engines); the interrupt controller is libvgic, reached only through
 * its public API.
 */
#ifndef VGIC_VMM_H
#define VGIC_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <unicorn/unicorn.h>
#include <vgic/v4.h>
#include <vgic/vgic.h>

/* ---- the virt memory map ------------------------------------------------ */
#define VIRT_GICD_BASE 0x08000000ull
#define VIRT_GICC_BASE 0x08010000ull /* GICv2 CPU interface */
#define VIRT_ITS_BASE 0x08080000ull
#define VIRT_GICR_BASE 0x080a0000ull
#define VIRT_GICR_LIMIT 0x09000000ull /* redistributors end before the UART */
#define VIRT_UART_BASE 0x09000000ull
#define VIRT_UART_SIZE 0x1000ull
#define VIRT_MSIDEV_BASE 0x0b000000ull /* vgic-vmm's MSI source (not on virt) */
#define VIRT_MSIDEV_SIZE 0x1000ull
#define VIRT_RAM_BASE 0x40000000ull
#define VIRT_UART_SPI 1   /* INTID 33 */
#define VIRT_GITS_TRANSLATER (VIRT_ITS_BASE + 0x10040)

/* PPIs, as on virt. */
#define PPI_VTIMER 27
#define PPI_PTIMER 30

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define VMM_MAX_VCPUS 64
#define VMM_MAX_VCPUS_V2 8
#define VMM_PAGE 4096ull

/* Counter: 62.5 MHz, i.e. one tick every 16 ns of host time. */
#define VMM_CNTFRQ 62500000ull
#define VMM_NS_PER_TICK 16ull

/* Guest-visible exit protocol: HVC/SMC with x0 = VMM_HVC_EXIT, x1 = status
 * ends the VMM with that exit status (see --help). */
#define VMM_HVC_EXIT 0x86000001u

/* Exit statuses of the VMM itself. */
#define VMM_EXIT_USAGE 2
#define VMM_EXIT_GUEST_CRASH 3
#define VMM_EXIT_MIGRATION 4

struct vm;

/* ---- generic timer (timer.c) ------------------------------------------- */
struct vtimer {
	uint64_t ctl;  /* ENABLE, IMASK (ISTATUS computed) */
	uint64_t cval;
	bool level;    /* last level driven into the GIC */
};

/* ---- one vCPU (cpu.c) --------------------------------------------------- */
struct vcpu {
	struct vm *vm;
	uint32_t id;
	uint64_t mpidr;
	uc_engine *uc;
	bool powered;    /* PSCI: on */
	bool wfi;        /* idle in WFI until an interrupt is pending */
	bool kick;       /* re-evaluate interrupt outputs at the next block */
	uint32_t masked_wait; /* PSTATE.I/F bits masking a pending interrupt */
	bool stop;       /* leave uc_emu_start at the next block */
	uint64_t blocks; /* blocks run in this slice */
	struct vtimer timer[2]; /* 0 = virtual (CNTV), 1 = physical (CNTP) */
	/* statistics */
	uint64_t nr_irqs, nr_fiqs, nr_wfi, nr_sysreg, nr_mmio, nr_slices;
};

/* ---- PL011 (uart.c) ----------------------------------------------------- */
#define UART_FIFO 32
struct uart {
	uint8_t rx[UART_FIFO];
	uint32_t rx_head, rx_count;
	uint32_t cr, lcr_h, ibrd, fbrd, ifls, imsc, ris, dmacr, ilpr;
	bool level;
	/* host side */
	int out_fd;
	char match_buf[256];   /* recent output, for --migrate-on-output */
	size_t match_len;
	uint64_t tx_bytes;
};

/* ---- MSI source device (msidev.c) -------------------------------------- */
#define MSIDEV_DEVID 0x10u
#define MSIDEV_EVENTS 1024 /* events that can be forwarded (host IRQs) */
struct msidev {
	uint32_t devid;
	uint8_t forwarded[MSIDEV_EVENTS / 8]; /* GICv4: event -> vLPI set up */
	uint32_t direct;    /* MSIs injected by the GICv4 model */
	uint32_t sent;      /* MSIs delivered (vgic_signal_msi returned 1) */
	uint32_t dropped;   /* MSIs not delivered */
	int32_t last;       /* last vgic_signal_msi result */
};

/* ---- options (main.c) ---------------------------------------------------- */
struct vmm_opts {
	const char *kernel, *initrd, *append, *dtb_out;
	uint64_t ram_size;
	uint32_t smp;
	int gic;                 /* 2 or 3 */
	bool its;
	const char *save_file, *restore_file, *incoming, *migrate_to;
	const char *control;
	const char *migrate_on_output;
	const char *after_migrate_input;
	size_t after_migrate_len;
	const char *input;       /* --input: UART bytes at boot */
	size_t input_len;
	uint64_t slice;          /* blocks per round-robin slice */
	bool quiet, stats;
	int v4;                  /* 0, or VGIC_V4_0 / VGIC_V4_1 (--v4) */
	double timeout_s;        /* 0 = none */
	bool smp_set, ram_set, gic_set;
};

/* ---- the machine (machine.c) ------------------------------------------- */
struct vm {
	struct vmm_opts opt;
	uint8_t *ram;
	uint64_t ram_base, ram_size;
	uint32_t nr_vcpus;
	int gic_version;
	bool has_its;
	struct vgic *gic;
	struct vgic_device *gicdev, *itsdev;
	struct vgic_v4_model *v4;   /* --v4: the software GICv4.x */
	struct vcpu vcpu[VMM_MAX_VCPUS];
	struct uart uart;
	struct msidev msi;
	uint64_t entry, dtb_addr, initrd_start, initrd_end, kernel_end;
	uint64_t reset_sctlr;       /* SCTLR_EL1 of a fresh engine */

	/* counter: guest ticks = vmm_host_ns / 16 + cnt_off */
	int64_t cnt_off;

	/* run state */
	bool exit_req;
	int exit_code;
	bool migrate_req;           /* a trigger fired; handled in the loop */
	const char *migrate_target; /* NULL: opt.migrate_to or save_file */
	char migrate_target_buf[256];
	bool running_marked;        /* vgic_vcpu_set_running(true) done */
	/* table-save accounting (write_guest during a snapshot) */
	bool count_writes;
	uint8_t *written_map;       /* one bit per RAM page */
	uint64_t pages_written;
	/* host */
	int control_fd;             /* listening control socket or -1 */
	int control_client;         /* connected control client or -1 */
	char control_line[512];     /* partial command line */
	size_t control_len;
	int stdin_fd;               /* -1 when stdin is not read */
	const uint8_t *rx_pending;  /* --after-migrate-input not yet in the FIFO */
	size_t rx_pending_len;
	uint64_t start_ns;
	uint64_t resumed_ns;        /* destination: when the guest resumed */
	int64_t downtime_ns;        /* destination: measured downtime */
};

/* machine.c */
int vmm_vm_create(struct vm *vm);
int vmm_vm_load_kernel(struct vm *vm, const char *path);
int vmm_vm_load_initrd(struct vm *vm, const char *path);
void vmm_vm_destroy(struct vm *vm);
int vmm_vm_gic_create(struct vm *vm);
int vmm_vm_set_running(struct vm *vm, bool running);
bool vmm_vm_ram_range_ok(const struct vm *vm, uint64_t gpa, uint64_t len);
uint64_t vmm_host_ns(void);
void vmm_console_wrote(uint8_t ch);
void vmm_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vmm_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cpu.c */
int vcpu_create(struct vm *vm, struct vcpu *c);
void vcpu_destroy(struct vcpu *c);
void vcpu_reset(struct vcpu *c, uint64_t pc, uint64_t x0);
int vcpu_run_slice(struct vcpu *c);
void vcpu_check_interrupts(struct vcpu *c);
struct vcpu_reg_desc {
	const char *name;
	int kind;          /* 0 = uc reg id, 1 = cp reg, 2 = 128-bit Q half */
	int uc_id;
	uint8_t op0, op1, crn, crm, op2;
	uint8_t half;
};
size_t vcpu_reg_count(void);
const struct vcpu_reg_desc *vcpu_reg_desc(size_t i);
int vcpu_reg_get(struct vcpu *c, size_t i, uint64_t *val);
int vcpu_reg_set(struct vcpu *c, size_t i, uint64_t val);

/* psci.c */
void vmm_psci_call(struct vcpu *c);

/* timer.c */
uint64_t vtimer_counter(const struct vm *vm);
void vtimer_set_counter(struct vm *vm, uint64_t ticks);
bool vtimer_sysreg(struct vcpu *c, uint32_t enc, bool write, uint64_t *val);
void vtimer_update(struct vcpu *c);
int64_t vtimer_next_deadline_ns(struct vcpu *c); /* -1: none */

/* uart.c */
void pl011_init(struct vm *vm);
uint64_t pl011_read(struct vm *vm, uint64_t off, unsigned size);
void pl011_write(struct vm *vm, uint64_t off, uint64_t val, unsigned size);
void pl011_rx_push(struct vm *vm, const uint8_t *buf, size_t len);
size_t pl011_rx_space(const struct vm *vm);
void pl011_update_irq(struct vm *vm);

/* msidev.c */
int vmm_v4_attach(struct vm *vm);
void vmm_v4_stats(struct vm *vm);
uint64_t vmm_msidev_read(struct vm *vm, uint64_t off, unsigned size);
void vmm_msidev_write(struct vm *vm, uint64_t off, uint64_t val, unsigned size);

/* fdt.c */
int vmm_fdt_build(struct vm *vm, void *buf, size_t cap);

/* snapshot.c */
int vmm_snapshot_save(struct vm *vm, uint8_t **out, size_t *len,
		  uint64_t stop_wall_ns, size_t *gic_len);
int vmm_snapshot_restore(struct vm *vm, const uint8_t *buf, size_t len,
		     uint64_t *stop_wall_ns);
int vmm_snapshot_peek_config(const uint8_t *buf, size_t len, struct vm *vm);

/* net.c */
int vmm_net_listen(const char *spec, char *bound, size_t cap);
int vmm_net_connect(const char *spec);
int vmm_net_send_all(int fd, const void *buf, size_t len);
int vmm_net_recv_all(int fd, void *buf, size_t len);
int vmm_control_poll(struct vm *vm);
int vmm_control_open(struct vm *vm, const char *spec);

/* migrate.c */
int vmm_migrate_out(struct vm *vm, const char *target);
int vmm_migrate_in(struct vm *vm, const char *spec);
int vmm_restore_file(struct vm *vm, const char *path);
void vmm_migrate_after_resume(struct vm *vm);
uint64_t vmm_wall_ns(void);

#endif /* VGIC_VMM_H */

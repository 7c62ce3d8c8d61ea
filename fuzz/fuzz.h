/*
 * libvgic fuzzing - shared helpers for the libFuzzer targets.
 *
 * Every target decodes its input with the byte reader below: reading past
 * the end yields zeros, so every byte string is a valid input and the
 * fuzzer never wastes executions on "parse errors" of our own format.
 * Targets use only the public API (<vgic/vgic.h>) plus the fake host of
 * tests/harness.h (guest RAM, kick counter, guest-memory fault injection).
 *
 * An invariant violation calls fz_fail(), which prints and aborts: libFuzzer
 * records a crash, the corpus replay (fuzz/replay.c) fails its ctest.
 */
#ifndef VGIC_FUZZ_H
#define VGIC_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vgic/vgic.h>

#include "harness.h"

/* The entry point every target defines (libFuzzer's contract). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- input reader ---------------------------------------------------- */

struct fz {
	const uint8_t *p;
	size_t n;
};

static inline void fz_init(struct fz *f, const uint8_t *data, size_t size)
{
	f->p = data;
	f->n = size;
}

static inline bool fz_done(const struct fz *f)
{
	return f->n == 0;
}

static inline uint8_t fz_u8(struct fz *f)
{
	if (!f->n)
		return 0;
	f->n--;
	return *f->p++;
}

static inline uint64_t fz_le(struct fz *f, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)fz_u8(f) << (8 * i);
	return v;
}

static inline uint16_t fz_u16(struct fz *f)
{
	return (uint16_t)fz_le(f, 2);
}

static inline uint32_t fz_u32(struct fz *f)
{
	return (uint32_t)fz_le(f, 4);
}

static inline uint64_t fz_u64(struct fz *f)
{
	return fz_le(f, 8);
}

/* Copy up to @len bytes into @dst (zero-filled past the end of input). */
void fz_bytes(struct fz *f, void *dst, size_t len);

/* ---- invariants -------------------------------------------------------- */

void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* @ret must be 0 or one of the negative errnos the public API documents
 * for device attributes, snapshots and configuration calls. */
void fz_check_errno(int ret, const char *what);

/* ---- the fake VM ------------------------------------------------------- */

/*
 * Fixed guest layout shared by the targets (QEMU virt-like frames from
 * tests/harness.h, plus a GICv2 layout).  Guest RAM is FZ_RAM_SIZE bytes
 * at TH_RAM_BASE: one MiB per ITS for its command queue and tables, and
 * the VM-wide LPI configuration and pending tables in the first MiB.
 */
#define FZ_MAX_ITS 4
#define FZ_MAX_VCPUS 4
#define FZ_RAM_SIZE (0x100000ull * FZ_MAX_ITS)
#define FZ_V2_DIST_BASE 0x08000000ull
#define FZ_V2_CPU_BASE 0x08010000ull

#define FZ_ITS_AREA(i) (TH_RAM_BASE + (uint64_t)(i) * 0x100000)
#define FZ_CMDQ(i) (FZ_ITS_AREA(i) + 0x00000) /* command queue, 64 KiB */
#define FZ_DT(i) (FZ_ITS_AREA(i) + 0x10000)   /* device table (or L1) */
#define FZ_CT(i) (FZ_ITS_AREA(i) + 0x20000)   /* collection table */
#define FZ_L2(i) (FZ_ITS_AREA(i) + 0x80000)   /* 2 level-2 DT pages */
#define FZ_ITT(i, slot) (FZ_ITS_AREA(i) + 0xa0000 + (uint64_t)(slot)*0x800)
#define FZ_ITT_SLOTS 192                        /* 256 events each */
#define FZ_PROP (TH_RAM_BASE + 0x30000)       /* LPI configuration */
#define FZ_PEND(vcpu) (TH_RAM_BASE + 0x40000 + (uint64_t)(vcpu)*0x10000)

#define VGIC_SPURIOUS_FZ 1023u     /* INTID of "no interrupt" */
#define VGIC_MIN_LPI_FZ 8192u      /* first LPI INTID */

/* A harness host (tests/harness.h) whose RAM is fresh anonymous memory:
 * allocating and freeing it per input costs only the pages touched. */
struct th_host *fz_host_new(size_t ram_size);
void fz_host_free(struct th_host *h);

/* Register offsets used by the targets (GIC architecture names). */
#define FZ_GICD_CTLR 0x0000
#define FZ_GICR_CTLR 0x0000
#define FZ_GICR_PROPBASER 0x0070
#define FZ_GICR_PENDBASER 0x0078
#define FZ_GICR_INVLPIR 0x00a0
#define FZ_GICR_INVALLR 0x00b0
#define FZ_GITS_CTLR 0x0000
#define FZ_GITS_IIDR 0x0004
#define FZ_GITS_CBASER 0x0080
#define FZ_GITS_CWRITER 0x0088
#define FZ_GITS_CREADR 0x0090
#define FZ_GITS_BASER0 0x0100
#define FZ_GITS_BASER1 0x0108

/* ITS command opcodes (GICv3 spec, section 6.3). */
enum {
	FZ_CMD_MOVI = 0x01,
	FZ_CMD_INT = 0x03,
	FZ_CMD_CLEAR = 0x04,
	FZ_CMD_SYNC = 0x05,
	FZ_CMD_MAPD = 0x08,
	FZ_CMD_MAPC = 0x09,
	FZ_CMD_MAPTI = 0x0a,
	FZ_CMD_MAPI = 0x0b,
	FZ_CMD_INV = 0x0c,
	FZ_CMD_INVALL = 0x0d,
	FZ_CMD_MOVALL = 0x0e,
	FZ_CMD_DISCARD = 0x0f,
};

/* One ITS command, decoded fields as in the spec's field layout. */
struct fz_cmd {
	uint8_t op;
	uint32_t devid, eventid, pintid, icid, rd, rd2;
	uint8_t size;   /* MAPD: number of EventID bits - 1 */
	uint64_t itt;   /* MAPD: ITT address (256-byte aligned) */
	bool valid;     /* MAPD/MAPC: V */
};

/* Encode @c into 4 little-endian doublewords. */
void fz_cmd_encode(const struct fz_cmd *c, uint64_t dw[4]);

/*
 * A GICv3 VM like th_vm_v3() but with room for *@nr_its (<= FZ_MAX_ITS)
 * ITSes at fz_its_base(i), NR_IRQS @nr_irqs (0: default), INIT done.
 * Returns NULL when the library does not offer a step yet (-ENXIO or
 * -ENODEV while blocks are still stubs), after which the target has
 * nothing to fuzz; aborts on any other failure.  *@nr_its is lowered to
 * the number of ITSes created.
 */
struct vgic *fz_vm_v3(struct th_host *h, uint32_t nr_vcpus,
		      const uint64_t *mpidr, uint32_t nr_irqs,
		      uint32_t *nr_its, struct vgic_device **gic,
		      struct vgic_device **its);

/* A GICv2 VM: dist at FZ_V2_DIST_BASE, CPU interface at FZ_V2_CPU_BASE,
 * @nr_irqs (0: default), INIT done.  NULL as fz_vm_v3(). */
struct vgic *fz_vm_v2(struct th_host *h, uint32_t nr_vcpus, uint32_t nr_irqs,
		      struct vgic_device **gic);

/* Guest-style setup through MMIO and system registers:
 * - fz_cpu_on: GICD_CTLR groups on, ICC_PMR = 0xff, IGRPEN0/1 = 1 on every
 *   vCPU (GICv3 only);
 * - fz_lpis_on: PROPBASER (FZ_PROP, @idbits), PENDBASER (FZ_PEND(i)) and
 *   EnableLPIs on every vCPU; the configuration bytes of the first
 *   @nr_cfg LPIs are set to priority 0xa0, enabled;
 * - fz_its_on: BASER0 (flat at FZ_DT(its), or two-level with two valid L1
 *   entries pointing at FZ_L2(its) if @indirect), BASER1 at FZ_CT(its),
 *   CBASER at FZ_CMDQ(its) (@q_pages 4 KiB pages), then GITS_CTLR.Enabled
 *   if @enable. */
void fz_cpu_on(struct vgic *v, uint32_t nr_vcpus);
void fz_lpis_on(struct vgic *v, struct th_host *h, uint32_t nr_vcpus,
		unsigned idbits, uint32_t nr_cfg);
void fz_its_on(struct vgic *v, struct th_host *h, uint32_t its,
	       bool indirect, unsigned q_pages, bool enable);

/* 32/64-bit MMIO that ignore the result (guest accesses never fail on a
 * GIC frame; the fuzzers check this where it matters). */
uint64_t fz_mmio_rd(struct vgic *v, uint32_t vcpu, uint64_t gpa, uint32_t len);
void fz_mmio_wr(struct vgic *v, uint32_t vcpu, uint64_t gpa, uint64_t val,
		uint32_t len);

/* Queue commands at CWRITER of ITS @its whose queue is at @q, then
 * publish CWRITER (the ITS processes them if enabled).  *@wr is the
 * software write offset, wrapped at @q_bytes. */
void fz_its_queue(struct th_host *h, uint64_t q, uint64_t q_bytes,
		  uint64_t *wr, const struct fz_cmd *c);
void fz_its_kick(struct vgic *v, uint32_t its, uint64_t wr);

/* Acknowledge (ICC_IAR1, else ICC_IAR0) and EOI everything deliverable on
 * @vcpu, at most @limit times; store up to @max INTIDs in @out.  Returns
 * the number acknowledged.  Checks the outputs on the way: an interrupt
 * acknowledged through IAR1 must have been signalled on the IRQ output,
 * and an asserted IRQ output must yield an interrupt. */
uint32_t fz_ack_all(struct vgic *v, uint32_t vcpu, uint32_t *out,
		    uint32_t max, uint32_t limit);

/*
 * Translation signature of a VM: the result of an MSI for each probe and
 * the LPIs each vCPU then acknowledges (sorted: among equal priorities the
 * order is IMPDEF).  Two VMs that should hold the same ITS mappings and
 * LPI state must have equal signatures; fz_sig_compare() aborts with a
 * description of the first difference (@acks false: MSI results only).
 */
#define FZ_MAX_PROBES 256
struct fz_probe {
	uint64_t doorbell;
	uint32_t devid, eventid;
};
struct fz_sig {
	int8_t msi[FZ_MAX_PROBES];
	uint32_t nr_acked[FZ_MAX_VCPUS];
	uint32_t acked[FZ_MAX_VCPUS][FZ_MAX_PROBES];
};
void fz_sign(struct vgic *v, uint32_t nr_vcpus, const struct fz_probe *p,
	     uint32_t nr, struct fz_sig *s);
void fz_sig_compare(const struct fz_sig *a, const struct fz_sig *b,
		    const struct fz_probe *p, uint32_t nr, uint32_t nr_vcpus,
		    bool acks);

/* MSI results an ITS may give for a doorbell inside its frame. */
void fz_check_msi(int ret);

/* Frame of ITS @i: the harness slot for ITS 0, then a block above the
 * redistributors (the harness slot has room for one ITS only). */
static inline uint64_t fz_its_base(uint32_t i)
{
	return i ? 0x09000000ull + (uint64_t)(i - 1) * VGIC_ITS_SIZE
		 : TH_ITS_BASE;
}

static inline uint64_t fz_rd_base(uint32_t vcpu)
{
	return TH_GICR_BASE + (uint64_t)vcpu * VGIC_V3_REDIST_SIZE;
}

/* ---- operation codes of the structured input formats -------------------
 * Shared by the targets and fuzz/mkseeds.c (which writes the seeds). */

enum fz_mmio_op {
	FZ_MMIO_READ,
	FZ_MMIO_WRITE,
	FZ_MMIO_SYSREG_RD,
	FZ_MMIO_SYSREG_WR,
	FZ_MMIO_LINE,
	FZ_MMIO_MSI,
	FZ_MMIO_OUTPUTS,
	FZ_MMIO_RUN,
	FZ_MMIO_ACK,
	FZ_MMIO_SNAPSHOT,
	FZ_MMIO_NR_OPS
};

enum fz_queue_op {
	FZ_Q_CMD,
	FZ_Q_CMD_RAW,
	FZ_Q_KICK,
	FZ_Q_SWITCH,
	FZ_Q_MSI,
	FZ_Q_ACK,
	FZ_Q_POKE,
	FZ_Q_REG,
	FZ_Q_CTRL,
	FZ_Q_NR_OPS
};

enum fz_attr_op {
	FZ_A_CREATE,
	FZ_A_SET,
	FZ_A_GET,
	FZ_A_HAS,
	FZ_A_RUN,
	FZ_A_MMIO,
	FZ_A_MSI,
	FZ_A_LINE,
	FZ_A_SNAPSHOT,
	FZ_A_NR_OPS
};

/* Opcode of the structured ITS command selector byte (low 4 bits). */
extern const uint8_t fz_cmd_ops[16];

/* ---- snapshots (docs/snapshot.md) -------------------------------------- */

/* CRC32 (IEEE, zlib's crc32()) continuing from @crc (0 to start). */
uint32_t fz_crc32(uint32_t crc, const void *buf, size_t len);

/* Make a mutated stream well-formed at the framing level: stream size,
 * section count, every section's payload size (clamped) and CRC, the
 * header CRC and the trailer CRC.  What is left is the content. */
void fz_snap_fixup(uint8_t *s, size_t len);

/* vgic_snapshot_save() the way a VMM does (size query, then save) into a
 * malloc'd *@buf.  Returns 0 or the save's errno (checked as documented). */
int fz_snapshot(struct vgic *v, uint8_t **buf, size_t *len);

/* Round trips per input: each costs two saves and a restore. */
#define FZ_MAX_SNAPSHOTS 4

/* Save @v, restore into a fresh instance with the same configuration and
 * host, save again: the restore must succeed and both streams must be
 * identical.  Does nothing if @v cannot be saved (a documented errno). */
void fz_snapshot_roundtrip(struct vgic *v, const struct vgic_host_ops *ops,
			   void *opaque, uint32_t nr_vcpus,
			   const uint64_t *mpidr);

#endif /* VGIC_FUZZ_H */

/*
 * libvgic fuzzing - writes the structured seed corpora.
 *
 * Each seed is a small, meaningful program in a target's input format
 * (fuzz.h and the target's header comment): bring-up sequences, mapped ITS
 * devices with interrupts delivered and acknowledged, consistent ITS tables,
 * snapshots of configured VMs, the KVM restore order of attributes.  The
 * fuzzer mutates from there.  Run after changing an input format:
 *
 *   build/fuzz/fuzz-mkseeds fuzz/corpus
 *
 * Existing files of the same name are overwritten; others are kept.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

struct seed {
	uint8_t *p;
	size_t n, cap;
};

static void put(struct seed *s, uint64_t v, unsigned bytes)
{
	if (s->n + bytes > s->cap) {
		s->cap = (s->cap + bytes) * 2;
		s->p = realloc(s->p, s->cap);
		if (!s->p) {
			perror("realloc");
			exit(1);
		}
	}
	for (unsigned i = 0; i < bytes; i++)
		s->p[s->n++] = (uint8_t)(v >> (8 * i));
}

static void put_bytes(struct seed *s, const void *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		put(s, ((const uint8_t *)buf)[i], 1);
}

static const char *outdir;

static void save(struct seed *s, const char *target, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(s->p, 1, s->n, f) != s->n || fclose(f)) {
		perror(path);
		exit(1);
	}
	free(s->p);
	memset(s, 0, sizeof(*s));
}

/* ---- target 1: guest accesses ------------------------------------------ */

/* Frame selectors of fuzz_mmio.c: v3 0 dist, 1 + 4k redist k, 2 ITS;
 * v2 0 dist, 1 CPU interface. */
static void mm_wr(struct seed *s, uint8_t vcpu, uint8_t frame, uint32_t off,
		  unsigned len, uint64_t val)
{
	put(s, FZ_MMIO_WRITE, 1);
	put(s, vcpu, 1);
	put(s, frame, 1);
	put(s, off, 4);
	put(s, len == 1 ? 0 : len == 2 ? 1 : len == 4 ? 2 : 3, 1);
	put(s, val, 8);
}

static void mm_rd(struct seed *s, uint8_t vcpu, uint8_t frame, uint32_t off,
		  unsigned len)
{
	put(s, FZ_MMIO_READ, 1);
	put(s, vcpu, 1);
	put(s, frame, 1);
	put(s, off, 4);
	put(s, len == 1 ? 0 : len == 2 ? 1 : len == 4 ? 2 : 3, 1);
}

static void mm_sys(struct seed *s, bool write, uint8_t vcpu, uint32_t enc,
		   uint64_t val)
{
	put(s, write ? FZ_MMIO_SYSREG_WR : FZ_MMIO_SYSREG_RD, 1);
	put(s, vcpu, 1);
	put(s, 0xff, 1); /* raw encoding follows */
	put(s, enc, 2);
	if (write)
		put(s, val, 8);
}

static void seeds_mmio(void)
{
	struct seed s = { 0 };

	/* GICv3, 2 vCPUs, CPU interfaces on: SPI 40 enabled, prioritised,
	 * routed to vCPU 1, made pending, acknowledged there. */
	put(&s, 0x02 | 0x80, 1);
	put(&s, 6, 1);
	mm_wr(&s, 0, 0, 0x100 + 4, 4, 1u << 8);          /* ISENABLER1 */
	mm_wr(&s, 0, 0, 0x400 + 40, 1, 0x80);            /* IPRIORITYR */
	mm_wr(&s, 0, 0, 0x6000 + 40 * 8, 8, 0x1);        /* IROUTER: aff0 1 */
	mm_wr(&s, 0, 0, 0x200 + 4, 4, 1u << 8);          /* ISPENDR1 */
	mm_rd(&s, 1, 0, 0x200 + 4, 4);
	put(&s, FZ_MMIO_ACK, 1);
	put(&s, 1, 1);
	mm_rd(&s, 0, 0, 0x0004, 4);                      /* GICD_TYPER */
	mm_rd(&s, 0, 0, 0xffe8, 4);                      /* PIDR2 */
	save(&s, "mmio", "v3-spi-route-ack");

	/* GICv3, 4 vCPUs: SGIs through ICC_SGI1R_EL1, PPI lines, priorities,
	 * BPR, EOImode 1 and DIR. */
	put(&s, 0x06 | 0x80, 1);
	put(&s, 0, 1);
	mm_wr(&s, 2, 1 + 4 * 2, 0x10000 + 0x100, 4, 0xffffffff); /* SGI en */
	mm_sys(&s, true, 0, VGIC_ICC_SGI1R_EL1, 3ull << 24 | 0xf);
	mm_sys(&s, true, 0, VGIC_ICC_SGI1R_EL1, 1ull << 40 | 5ull << 24);
	put(&s, FZ_MMIO_LINE, 1);
	put(&s, 3, 1);
	put(&s, 27, 2);
	put(&s, 1, 1);
	mm_sys(&s, true, 3, VGIC_ICC_CTLR_EL1, 2);               /* EOImode */
	mm_sys(&s, false, 3, VGIC_ICC_IAR1_EL1, 0);
	mm_sys(&s, true, 3, VGIC_ICC_EOIR1_EL1, 27);
	mm_sys(&s, true, 3, VGIC_ICC_DIR_EL1, 27);
	mm_sys(&s, true, 1, VGIC_ICC_BPR1_EL1, 3);
	mm_sys(&s, false, 1, VGIC_ICC_RPR_EL1, 0);
	put(&s, FZ_MMIO_ACK, 1);
	put(&s, 2, 1);
	put(&s, FZ_MMIO_OUTPUTS, 1);
	put(&s, 1, 1);
	save(&s, "mmio", "v3-sgi-ppi-eoimode");

	/* GICv3 with an ITS, LPIs on: registers of every frame, an MSI. */
	put(&s, 0x08 | 0x40 | 0x80, 1);
	put(&s, 2, 1);
	mm_rd(&s, 0, 2, 0x0008, 8);                      /* GITS_TYPER */
	mm_rd(&s, 0, 2, 0x0100, 8);                      /* GITS_BASER0 */
	mm_rd(&s, 0, 1, 0x0070, 8);                      /* PROPBASER */
	mm_rd(&s, 0, 1, 0x0008, 8);                      /* GICR_TYPER */
	mm_wr(&s, 0, 1, 0x00a0, 8, 8192);                /* INVLPIR */
	mm_wr(&s, 0, 1, 0x00a0, 8, 40);                  /* INVLPIR, SPI */
	put(&s, FZ_MMIO_MSI, 1);
	put(&s, 0, 1);
	put(&s, 0, 2);
	put(&s, 0, 2);
	mm_wr(&s, 0, 2, 0x10040, 4, 0);                  /* TRANSLATER */
	put(&s, FZ_MMIO_RUN, 1);
	put(&s, 0, 1);
	put(&s, FZ_MMIO_SNAPSHOT, 1);
	save(&s, "mmio", "v3-its-lpis");

	/* GICv3 with an ITS, level-triggered SPI through the line and LEVEL
	 * state, then a snapshot round trip. */
	put(&s, 0x80 | 0x08, 1);
	put(&s, 0, 1);
	mm_wr(&s, 0, 0, 0xc00 + 8, 4, 0);                /* ICFGR2: level */
	mm_wr(&s, 0, 0, 0x100 + 4, 4, 1);                /* enable SPI 32 */
	put(&s, FZ_MMIO_LINE, 1);
	put(&s, 0, 1);
	put(&s, 32, 2);
	put(&s, 1, 1);
	mm_sys(&s, false, 0, VGIC_ICC_IAR1_EL1, 0);
	put(&s, FZ_MMIO_SNAPSHOT, 1);
	mm_sys(&s, true, 0, VGIC_ICC_EOIR1_EL1, 32);
	save(&s, "mmio", "v3-level-snapshot");

	/* GICv2, 2 vCPUs: distributor and CPU interface on, an SGI between
	 * CPUs, an SPI targeted at CPU 1, IAR/EOIR through the GICC frame. */
	put(&s, 0x01 | 0x02, 1);
	put(&s, 2, 1);
	mm_wr(&s, 0, 0, 0x000, 4, 1);                    /* GICD_CTLR */
	mm_wr(&s, 0, 1, 0x000, 4, 1);                    /* GICC_CTLR */
	mm_wr(&s, 1, 1, 0x000, 4, 1);
	mm_wr(&s, 0, 1, 0x004, 4, 0xf0);                 /* GICC_PMR */
	mm_wr(&s, 1, 1, 0x004, 4, 0xf0);
	mm_wr(&s, 0, 0, 0x100, 4, 0xffff);               /* SGIs enabled */
	mm_wr(&s, 0, 0, 0xf00, 4, 2u << 16 | 3);         /* SGIR -> CPU1 */
	mm_rd(&s, 1, 1, 0x00c, 4);                       /* GICC_IAR */
	mm_wr(&s, 1, 1, 0x010, 4, 0x403);                /* GICC_EOIR */
	mm_wr(&s, 0, 0, 0x104, 4, 1);                    /* enable SPI 32 */
	mm_wr(&s, 0, 0, 0x820, 1, 2);                    /* ITARGETSR */
	mm_wr(&s, 0, 0, 0x204, 4, 1);                    /* ISPENDR1 */
	mm_rd(&s, 1, 1, 0x00c, 4);
	mm_wr(&s, 1, 1, 0x010, 4, 32);
	mm_rd(&s, 0, 0, 0xf10, 4);                       /* CPENDSGIR */
	mm_rd(&s, 0, 1, 0x0fc, 4);                       /* GICC_IIDR */
	save(&s, "mmio", "v2-sgi-spi");

	put(&s, 0, 1);
	save(&s, "mmio", "empty-v3");
}

/* ---- target 2: the ITS command queue ------------------------------------ */

/* Selector index of @op in fz_cmd_ops. */
static uint8_t cmd_sel(uint8_t op)
{
	for (uint8_t i = 0; i < 16; i++)
		if (fz_cmd_ops[i] == op)
			return i;
	return 10; /* SYNC */
}

/* A structured command; @devid 0..63, @eventid 0..255, @lpi 0..1023
 * (pINTID 8192 + lpi), @icid 0..7, @rd vCPU, @size EventID bits - 1. */
static void q_cmd(struct seed *s, uint8_t op, uint8_t devid, uint8_t eventid,
		  uint16_t lpi, uint8_t icid, uint8_t rd, uint8_t size,
		  bool invalid)
{
	put(s, FZ_Q_CMD, 1);
	put(s, cmd_sel(op) | (invalid ? 0x80 : 0), 1);
	put(s, devid, 1);
	put(s, eventid, 1);
	put(s, lpi & 0x3ff, 2);
	put(s, icid, 1);
	put(s, rd, 1);
	put(s, size, 1);
}

static void q_op(struct seed *s, uint8_t op, uint8_t arg)
{
	put(s, op, 1);
	put(s, arg, 1);
}

static void seeds_its_cmd(void)
{
	struct seed s = { 0 };

	/* 2 vCPUs: two collections, a device with four events, INT, an MSI,
	 * acknowledgements, MOVI, DISCARD, CLEAR, INV, INVALL. */
	put(&s, 0x01 | 0x60, 1);
	put(&s, 2, 1);
	q_cmd(&s, FZ_CMD_MAPC, 0, 0, 0, 0, 0, 0, false);
	q_cmd(&s, FZ_CMD_MAPC, 0, 0, 0, 1, 1, 0, false);
	q_cmd(&s, FZ_CMD_MAPD, 3, 0, 0, 0, 0, 1, false);
	for (uint8_t e = 0; e < 4; e++)
		q_cmd(&s, FZ_CMD_MAPTI, 3, e, 10 + e, e & 1, 0, 0, false);
	q_cmd(&s, FZ_CMD_INT, 3, 0, 0, 0, 0, 0, false);
	q_cmd(&s, FZ_CMD_SYNC, 0, 0, 0, 0, 0, 0, false);
	q_op(&s, FZ_Q_KICK, 0);
	put(&s, FZ_Q_MSI, 1);
	put(&s, 3, 1);
	put(&s, 1, 1);
	q_op(&s, FZ_Q_ACK, 0);
	q_op(&s, FZ_Q_ACK, 1);
	q_cmd(&s, FZ_CMD_MOVI, 3, 2, 0, 1, 0, 0, false);
	q_cmd(&s, FZ_CMD_DISCARD, 3, 3, 0, 0, 0, 0, false);
	q_cmd(&s, FZ_CMD_CLEAR, 3, 1, 0, 0, 0, 0, false);
	q_cmd(&s, FZ_CMD_INV, 3, 1, 0, 0, 0, 0, false);
	q_cmd(&s, FZ_CMD_INVALL, 0, 0, 0, 1, 0, 0, false);
	q_cmd(&s, FZ_CMD_INT, 3, 2, 0, 0, 0, 0, false);
	q_op(&s, FZ_Q_KICK, 0);
	q_op(&s, FZ_Q_ACK, 1);
	save(&s, "its_cmd", "map-int-movi-discard");

	/* Two ITSes, two-level device tables, 4 vCPUs, sparse MPIDRs: devices
	 * in both L1 entries, an unmapped collection (MAPTI to an unknown
	 * ICID), MAPI, then the queue is run on ITS 1 too. */
	put(&s, 0x03 | 0x04 | 0x08 | 0x10 | 0x20, 1);
	put(&s, 1, 1);
	q_cmd(&s, FZ_CMD_MAPC, 0, 0, 0, 2, 3, 0, false);
	q_cmd(&s, FZ_CMD_MAPD, 0x40 | 5, 0, 0, 0, 0, 7, false);
	q_cmd(&s, FZ_CMD_MAPTI, 0x40 | 5, 200, 77, 2, 0, 0, false);
	q_cmd(&s, FZ_CMD_MAPTI, 0x40 | 5, 201, 78, 6, 0, 0, false);
	q_cmd(&s, FZ_CMD_INT, 0x40 | 5, 200, 0, 0, 0, 0, false);
	q_op(&s, FZ_Q_KICK, 0);
	q_op(&s, FZ_Q_SWITCH, 1);
	q_cmd(&s, FZ_CMD_MAPC, 0, 0, 0, 0, 1, 0, false);
	q_cmd(&s, FZ_CMD_MAPD, 1, 0, 0, 0, 0, 3, false);
	q_cmd(&s, FZ_CMD_MAPTI, 1, 9, 300, 0, 0, 0, false);
	q_op(&s, FZ_Q_KICK, 0);
	put(&s, FZ_Q_MSI, 1);
	put(&s, 1, 1);
	put(&s, 9, 1);
	q_op(&s, FZ_Q_ACK, 1);
	q_op(&s, FZ_Q_ACK, 3);
	save(&s, "its_cmd", "two-its-indirect");

	/* Guest-style churn with the VMM flushing in between: SAVE_TABLES,
	 * SAVE_PENDING_TABLES, MAPD V=0, EnableLPIs off and on, reset. */
	put(&s, 0x00, 1);
	put(&s, 2, 1);
	q_cmd(&s, FZ_CMD_MAPC, 0, 0, 0, 0, 0, 0, false);
	q_cmd(&s, FZ_CMD_MAPD, 2, 0, 0, 0, 0, 2, false);
	q_cmd(&s, FZ_CMD_MAPTI, 2, 1, 1, 0, 0, 0, false);
	q_cmd(&s, FZ_CMD_INT, 2, 1, 0, 0, 0, 0, false);
	q_op(&s, FZ_Q_KICK, 0);
	q_op(&s, FZ_Q_CTRL, 0);   /* SAVE_TABLES */
	q_op(&s, FZ_Q_CTRL, 3);   /* SAVE_PENDING_TABLES */
	put(&s, FZ_Q_REG, 1);
	put(&s, 5, 1);
	put(&s, 0x00, 1);         /* EnableLPIs 0 on vCPU 0 */
	put(&s, FZ_Q_REG, 1);
	put(&s, 5, 1);
	put(&s, 0x80, 1);         /* and back to 1: pending reloaded */
	q_op(&s, FZ_Q_ACK, 0);
	q_cmd(&s, FZ_CMD_MAPD, 2, 0, 0, 0, 0, 0, true);
	q_op(&s, FZ_Q_KICK, 0);
	q_op(&s, FZ_Q_CTRL, 2);   /* ITS reset */
	q_op(&s, FZ_Q_CTRL, 1);   /* RESTORE_TABLES */
	save(&s, "its_cmd", "flush-reset-restore");

	/* MOVALL and raw commands. */
	put(&s, 0x01, 1);
	put(&s, 2, 1);
	q_cmd(&s, FZ_CMD_MAPC, 0, 0, 0, 0, 0, 0, false);
	q_cmd(&s, FZ_CMD_MAPC, 0, 0, 0, 1, 1, 0, false);
	q_cmd(&s, FZ_CMD_MAPD, 0, 0, 0, 0, 0, 0, false);
	q_cmd(&s, FZ_CMD_MAPTI, 0, 0, 5, 0, 0, 0, false);
	put(&s, FZ_Q_CMD, 1);
	put(&s, cmd_sel(FZ_CMD_MOVALL), 1);
	put(&s, 0, 1);
	put(&s, 0, 1);
	put(&s, 0, 2);
	put(&s, 0, 1);
	put(&s, 0x10, 1);          /* rd 0 -> rd2 1 */
	put(&s, 0, 1);
	put(&s, FZ_Q_CMD_RAW, 1);
	put(&s, FZ_CMD_INT, 8);    /* DW0: INT, DeviceID 0 */
	put(&s, 0, 8);
	put(&s, 0, 8);
	put(&s, 0, 8);
	q_op(&s, FZ_Q_KICK, 0);
	q_op(&s, FZ_Q_ACK, 1);
	save(&s, "its_cmd", "movall-raw");
}

/* The v4 target's extra operations (fuzz_its_cmd.c with FZ_WITH_V4). */
enum { V4_FORWARD = FZ_Q_NR_OPS, V4_UNFORWARD, V4_FIRE, V4_RUN, V4_VSGI };

static void v4_op(struct seed *s, uint8_t op, uint8_t a, uint8_t b, uint8_t c)
{
	put(s, op, 1);
	put(s, a, 1);
	put(s, b, 1);
	put(s, c, 1);
}

static void seeds_v4(void)
{
	struct seed s = { 0 };

	for (int ver = 0; ver < 2; ver++) {
		/* 2 vCPUs, GICv4.1 (ver 0) or 4.0: a device's events mapped,
		 * one forwarded to host IRQ 1 and fired with its vPE resident
		 * and not, moved, unforwarded; vSGIs; table saves (-EACCES on
		 * GICv4.0 with a vLPI). */
		put(&s, 0x01, 1);
		put(&s, 2, 1);
		put(&s, ver, 1);
		q_cmd(&s, FZ_CMD_MAPC, 0, 0, 0, 0, 0, 0, false);
		q_cmd(&s, FZ_CMD_MAPC, 0, 0, 0, 1, 1, 0, false);
		q_cmd(&s, FZ_CMD_MAPD, 3, 0, 0, 0, 0, 2, false);
		q_cmd(&s, FZ_CMD_MAPTI, 3, 0, 20, 0, 0, 0, false);
		q_cmd(&s, FZ_CMD_MAPTI, 3, 1, 21, 1, 0, 0, false);
		q_op(&s, FZ_Q_KICK, 0);
		v4_op(&s, V4_FORWARD, 3, 0, 1);
		v4_op(&s, V4_FIRE, 0, 0, 1);
		v4_op(&s, V4_RUN, 0, 0, 0);
		v4_op(&s, V4_FIRE, 0, 0, 1);
		q_op(&s, FZ_Q_ACK, 0);
		q_op(&s, FZ_Q_CTRL, 0);
		q_cmd(&s, FZ_CMD_MOVI, 3, 0, 0, 1, 0, 0, false);
		q_cmd(&s, FZ_CMD_INV, 3, 0, 0, 0, 0, 0, false);
		q_op(&s, FZ_Q_KICK, 0);
		v4_op(&s, V4_RUN, 0, 0, 0);
		v4_op(&s, V4_FIRE, 0, 0, 1);
		q_op(&s, FZ_Q_CTRL, 3);
		v4_op(&s, V4_UNFORWARD, 3, 0, 1);
		v4_op(&s, V4_VSGI, 1, 1, 5);
		q_op(&s, FZ_Q_ACK, 1);
		q_cmd(&s, FZ_CMD_DISCARD, 3, 1, 0, 0, 0, 0, false);
		q_op(&s, FZ_Q_KICK, 0);
		save(&s, "v4", ver ? "v40-forward-save" : "v41-forward-move");
	}
}

/* ---- target 3: ITS tables ----------------------------------------------- */

static void tb_dte(struct seed *s, bool l2, uint8_t page, uint16_t idx,
		   uint8_t next, uint8_t slot, uint8_t size)
{
	put(s, l2 ? 4 : 0, 1);
	put(s, idx, 2);
	put(s, page, 1);
	put(s, next, 1);
	put(s, slot, 1);
	put(s, size, 1);
}

static void tb_ite(struct seed *s, uint8_t slot, uint8_t event, uint8_t next,
		   uint16_t lpi, uint8_t icid)
{
	put(s, 1, 1);
	put(s, (uint16_t)(slot | event << 8), 2);
	put(s, next, 1);
	put(s, lpi & 0x3ff, 2);
	put(s, icid, 1);
}

static void tb_cte(struct seed *s, uint16_t idx, uint8_t rd, uint8_t icid)
{
	put(s, 2, 1);
	put(s, idx, 2);
	put(s, rd, 1);
	put(s, icid, 1);
}

static void tb_header(struct seed *s, uint8_t cfg, uint8_t b0, uint8_t b1,
		      uint8_t nr_vcpus)
{
	put(s, cfg, 1);
	put(s, b0, 1);
	put(s, b1, 1);
	put(s, 1, 1); /* PROPBASER: 15 bits */
	for (uint8_t i = 0; i < nr_vcpus; i++)
		put(s, 0, 1);
	put(s, 0xff, 1); /* EnableLPIs everywhere */
}

static void seeds_its_tables(void)
{
	struct seed s = { 0 };

	/* Flat: two collections (one unmapped), devices 1 and 4, events with
	 * "next" chains, a pending bit to be consumed. */
	tb_header(&s, 0x01, 0x00, 0x00, 2);
	tb_cte(&s, 0, 1, 0);
	tb_cte(&s, 1, 0x80, 3);       /* unmapped collection (0xFFFFFFFF) */
	tb_dte(&s, false, 0, 1, 3, 10, 3);
	tb_dte(&s, false, 0, 4, 0, 11, 1);
	tb_ite(&s, 10, 0, 2, 100, 0);
	tb_ite(&s, 10, 2, 0, 101, 3);
	tb_ite(&s, 11, 1, 0, 102, 0);
	put(&s, 6, 1);                /* pending bit of LPI 8192 + 100 */
	put(&s, 8192 + 100, 2);
	put(&s, 1, 1);
	save(&s, "its_tables", "flat-chains");

	/* Two-level: L1 entries 0 and 1, a sparse scan across L2 pages
	 * (KVM's §7.2 underflow shape), 4 vCPUs with sparse MPIDRs. */
	tb_header(&s, 0x03 | 0x04, 0x01, 0x00, 4);
	put(&s, 3, 1);                /* L1[0] -> page 2 */
	put(&s, 0, 2);
	put(&s, 2, 1);
	put(&s, 3, 1);                /* L1[1] -> page 5 */
	put(&s, 1, 2);
	put(&s, 5, 1);
	tb_cte(&s, 0, 3, 2);
	tb_dte(&s, true, 2, 2075, 0x7f, 20, 0);
	tb_dte(&s, true, 5, 9472 - 8192, 0, 21, 7);
	tb_ite(&s, 20, 0, 0, 7, 2);
	tb_ite(&s, 21, 255, 0, 8, 2);
	save(&s, "its_tables", "two-level-sparse");

	/* Inconsistent: an ITE naming a collection that does not exist, a
	 * DTE with Size > 15, a duplicate ICID. */
	tb_header(&s, 0x00, 0x00, 0x00, 1);
	tb_cte(&s, 0, 0, 1);
	tb_cte(&s, 1, 0, 1);
	tb_dte(&s, false, 0, 0, 0, 1, 0x80 | 20);
	tb_ite(&s, 1, 0, 0, 3, 5);
	save(&s, "its_tables", "inconsistent");

	/* Raw register values. */
	put(&s, 0x00, 1);
	put(&s, 0x80, 1);
	put(&s, 0xffffffffffffffffull, 8);
	put(&s, 0x80, 1);
	put(&s, 0x8400000000000000ull, 8);
	put(&s, 0x80, 1);
	put(&s, 0x000fffffffffff1full, 8);
	put(&s, 0x80, 1);
	put(&s, 0x4000000000000000ull, 8);
	put(&s, 1, 1);
	save(&s, "its_tables", "raw-registers");
}

/* ---- target 5: attributes ----------------------------------------------- */

static void at_create(struct seed *s, uint8_t sel)
{
	put(s, FZ_A_CREATE, 1);
	put(s, sel, 1);
}

/* An attribute call with a raw attr (mode 1) and a raw value (mode 0). */
static void at_call(struct seed *s, uint8_t op, uint8_t dev, uint8_t group,
		    uint64_t attr, uint64_t val)
{
	put(s, op, 1);
	put(s, dev, 1);
	put(s, group, 1);
	put(s, 1, 1);
	put(s, 0, 1);
	put(s, attr, 8);
	put(s, 0, 1);
	put(s, val, 8);
}

/* Per-CPU attr (mode 0 register offset / mode 2 sysreg) of vCPU @k. */
static void at_cpu(struct seed *s, uint8_t op, uint8_t dev, uint8_t group,
		   uint8_t mode, uint8_t k, uint16_t off, uint64_t val)
{
	put(s, op, 1);
	put(s, dev, 1);
	put(s, group, 1);
	put(s, mode, 1);
	put(s, k, 1);
	if (mode == 2) {
		put(s, 0xff, 1);
		put(s, off, 2);
	} else {
		put(s, off, 2);
	}
	put(s, 0, 1);
	put(s, val, 8);
}

static void seeds_attr(void)
{
	struct seed s = { 0 };

	/* GICv3 + ITS in QEMU's order, registers both ways, then run. */
	put(&s, 0x01, 1);                         /* 2 vCPUs */
	at_create(&s, 0);                         /* V3 = dev 0 */
	at_call(&s, FZ_A_SET, 0, VGIC_GRP_ADDR, VGIC_V3_ADDR_TYPE_DIST,
		TH_GICD_BASE);
	at_call(&s, FZ_A_SET, 0, VGIC_GRP_ADDR, VGIC_V3_ADDR_TYPE_REDIST_REGION,
		TH_GICR_BASE | 2ull << VGIC_REDIST_REGION_COUNT_SHIFT);
	at_create(&s, 1);                         /* ITS = dev 1 */
	at_call(&s, FZ_A_SET, 1, VGIC_GRP_ADDR, VGIC_ITS_ADDR_TYPE,
		TH_ITS_BASE);
	at_call(&s, FZ_A_SET, 0, VGIC_GRP_NR_IRQS, 0, 128);
	at_call(&s, FZ_A_SET, 0, VGIC_GRP_CTRL, VGIC_CTRL_INIT, 0);
	at_cpu(&s, FZ_A_GET, 0, VGIC_GRP_DIST_REGS, 0, 0, 0x0004, 0);
	at_cpu(&s, FZ_A_SET, 0, VGIC_GRP_DIST_REGS, 0, 0, 0x0000, 0x12);
	at_cpu(&s, FZ_A_SET, 0, VGIC_GRP_DIST_REGS, 0, 0, 0x0104, 0xff);
	at_cpu(&s, FZ_A_SET, 0, VGIC_GRP_DIST_REGS, 0, 0, 0x0204, 0x0f);
	at_cpu(&s, FZ_A_SET, 0, VGIC_GRP_REDIST_REGS, 0, 1, 0x0070,
	       FZ_PROP | 0x58f);
	at_cpu(&s, FZ_A_GET, 0, VGIC_GRP_REDIST_REGS, 0, 1, 0x0008, 0);
	at_cpu(&s, FZ_A_SET, 0, VGIC_GRP_CPU_SYSREGS, 2, 1, VGIC_ICC_PMR_EL1,
	       0xf0);
	at_cpu(&s, FZ_A_GET, 0, VGIC_GRP_CPU_SYSREGS, 2, 0, VGIC_ICC_CTLR_EL1,
	       0);
	at_cpu(&s, FZ_A_SET, 0, VGIC_GRP_LEVEL_INFO, 0, 0, 32, 1);
	at_cpu(&s, FZ_A_GET, 1, VGIC_GRP_ITS_REGS, 5, 0, 0x0008, 0);
	at_cpu(&s, FZ_A_SET, 1, VGIC_GRP_ITS_REGS, 5, 0, 0x0080,
	       1ull << 63 | FZ_CMDQ(0));
	at_call(&s, FZ_A_SET, 1, VGIC_GRP_CTRL, VGIC_CTRL_ITS_SAVE_TABLES, 0);
	at_call(&s, FZ_A_SET, 0, VGIC_GRP_CTRL, VGIC_CTRL_SAVE_PENDING_TABLES,
		0);
	put(&s, FZ_A_SNAPSHOT, 1);
	put(&s, FZ_A_RUN, 1);
	put(&s, 0, 1);
	at_call(&s, FZ_A_SET, 0, VGIC_GRP_NR_IRQS, 0, 256);
	at_call(&s, FZ_A_HAS, 0, VGIC_GRP_CPU_SYSREGS, VGIC_ICC_SRE_EL1, 0);
	save(&s, "attr", "v3-its-qemu-order");

	/* GICv2, 3 vCPUs: addresses, CPU registers by cpuid, IIDR rules. */
	put(&s, 0x02, 1);
	at_create(&s, 2);
	at_call(&s, FZ_A_SET, 0, VGIC_GRP_ADDR, VGIC_V2_ADDR_TYPE_DIST,
		FZ_V2_DIST_BASE);
	at_call(&s, FZ_A_SET, 0, VGIC_GRP_ADDR, VGIC_V2_ADDR_TYPE_CPU,
		FZ_V2_CPU_BASE);
	at_cpu(&s, FZ_A_GET, 0, VGIC_GRP_DIST_REGS, 0, 0, 0x0008, 0);
	at_cpu(&s, FZ_A_SET, 0, VGIC_GRP_DIST_REGS, 0, 0, 0x0008, 0x0200143b);
	at_cpu(&s, FZ_A_SET, 0, VGIC_GRP_CPU_REGS, 0, 2, 0x0004, 0x1f);
	at_cpu(&s, FZ_A_GET, 0, VGIC_GRP_CPU_REGS, 0, 5, 0x00d0, 0);
	at_cpu(&s, FZ_A_SET, 0, VGIC_GRP_DIST_REGS, 0, 1, 0x0f20, 0x01010101);
	at_call(&s, FZ_A_SET, 0, VGIC_GRP_CTRL, VGIC_CTRL_INIT, 0);
	put(&s, FZ_A_RUN, 1);
	put(&s, 1, 1);
	save(&s, "attr", "v2-cpuid-iidr");

	/* Out of order: ITS before V3, attributes before INIT, a running
	 * vCPU, NULL value pointers. */
	put(&s, 0x10, 1);
	at_create(&s, 1);
	at_create(&s, 0);
	at_cpu(&s, FZ_A_SET, 0, VGIC_GRP_DIST_REGS, 0, 0, 0x0000, 2);
	put(&s, FZ_A_RUN, 1);
	put(&s, 0, 1);
	at_call(&s, FZ_A_SET, 0, VGIC_GRP_CTRL, VGIC_CTRL_INIT, 0);
	put(&s, FZ_A_GET, 1);
	put(&s, 0, 1);
	put(&s, VGIC_GRP_ADDR, 1);
	put(&s, 3, 1);
	put(&s, VGIC_V3_ADDR_TYPE_DIST, 1);
	put(&s, 0x80, 1);                 /* NULL value pointer */
	save(&s, "attr", "out-of-order");
}

/* ---- target 4: snapshots ------------------------------------------------ */

#ifdef VGIC_FUZZ_HAVE_SNAPSHOT
/* A GICv3 with one ITS and mapped LPIs, saved: the seed is the stream plus
 * the guest RAM that holds its tables. */
static void snap_seed(const char *name, uint32_t nr_vcpus, bool sparse,
		      bool its)
{
	static const uint64_t sparse_mpidr[8] = {
		0x000100, 0x000000, 0x010000, 0x0000ff,
		0x000001, 0x020305, 0x000101, 0x010001,
	};
	struct th_host *h = fz_host_new(FZ_RAM_SIZE);
	uint32_t nr_its = its ? 1 : 0;
	struct seed s = { 0 };
	uint8_t *stream;
	size_t len;
	struct vgic *v;

	v = fz_vm_v3(h, nr_vcpus, sparse ? sparse_mpidr : NULL, 96, &nr_its,
		     NULL, NULL);
	if (!v) {
		fprintf(stderr, "mkseeds: no GICv3 for %s\n", name);
		fz_host_free(h);
		return;
	}
	fz_cpu_on(v, nr_vcpus);
	fz_mmio_wr(v, 0, TH_GICD_BASE + 0x104, 0xff, 4);       /* SPIs */
	fz_mmio_wr(v, 0, TH_GICD_BASE + 0x204, 0x0f, 4);
	fz_mmio_wr(v, 0, TH_GICD_BASE + 0x420, 0xa0a0a0a0, 4);
	(void)vgic_irq_line(v, 0, 36, true);
	if (nr_its) {
		uint64_t wr = 0;
		struct fz_cmd c = { 0 };

		fz_lpis_on(v, h, nr_vcpus, 16, 4096);
		fz_its_on(v, h, 0, false, 16, true);
		c.op = FZ_CMD_MAPC;
		c.valid = true;
		c.icid = 1;
		c.rd = nr_vcpus - 1;
		fz_its_queue(h, FZ_CMDQ(0), 0x10000, &wr, &c);
		c.op = FZ_CMD_MAPD;
		c.devid = 7;
		c.size = 3;
		c.itt = FZ_ITT(0, 7);
		fz_its_queue(h, FZ_CMDQ(0), 0x10000, &wr, &c);
		for (uint32_t e = 0; e < 4; e++) {
			c.op = FZ_CMD_MAPTI;
			c.eventid = e;
			c.pintid = 8192 + 32 * e;
			fz_its_queue(h, FZ_CMDQ(0), 0x10000, &wr, &c);
		}
		c.op = FZ_CMD_INT;
		c.eventid = 2;
		fz_its_queue(h, FZ_CMDQ(0), 0x10000, &wr, &c);
		fz_its_kick(v, 0, wr);
	}
	if (fz_snapshot(v, &stream, &len)) {
		fprintf(stderr, "mkseeds: cannot save %s\n", name);
	} else {
		put(&s, (nr_vcpus - 1) << 1 | (sparse ? 0x10 : 0), 1);
		put(&s, len, 4);
		put_bytes(&s, stream, len);
		/* Guest RAM pages the tables live in, non-zero runs only. */
		for (size_t off = 0; off < FZ_RAM_SIZE; off += 0x1000) {
			const uint8_t *p = h->ram + off;
			size_t i = 0;

			while (i < 0x1000 && !p[i])
				i++;
			if (i == 0x1000)
				continue;
			put(&s, off, 4);
			put(&s, 0x1000, 2);
			put_bytes(&s, p, 0x1000);
		}
		save(&s, "snapshot", name);
		/* The same stream with framing fix-up on. */
		put(&s, (nr_vcpus - 1) << 1 | (sparse ? 0x10 : 0) | 1, 1);
		put(&s, len, 4);
		put_bytes(&s, stream, len);
		{
			char n2[128];

			snprintf(n2, sizeof(n2), "%s-fixup", name);
			save(&s, "snapshot", n2);
		}
		free(stream);
	}
	vgic_destroy(v);
	fz_host_free(h);
}

/* Attribute record of an attribute-record section. */
static void snap_rec(struct seed *s, uint32_t group, uint64_t attr,
		     uint64_t val)
{
	put(s, group, 4);
	put(s, 0, 4);
	put(s, attr, 8);
	put(s, val, 8);
}

static void snap_sect(struct seed *s, const char tag[4], uint64_t key,
		      const struct seed *payload)
{
	put(s, (uint32_t)tag[0] | (uint32_t)tag[1] << 8 |
		       (uint32_t)tag[2] << 16 | (uint32_t)tag[3] << 24,
	    4);
	put(s, 1, 4); /* MANDATORY */
	put(s, key, 8);
	put(s, payload->n, 4);
	put(s, 0, 4); /* CRC: fz_snap_fixup() */
	put_bytes(s, payload->p, payload->n);
}

/* A stream built by hand from docs/snapshot.md (independent of the
 * library's writer): one vCPU, the configuration and GCFG sections, then
 * DCTL and a distributor record. */
static void snap_handmade(void)
{
	struct seed st = { 0 }, pl = { 0 }, s = { 0 };

	put(&st, 0x50414e5343494756ull, 8); /* "VGICSNAP" */
	put(&st, 1, 2);
	put(&st, 0, 2);
	put(&st, 32, 4);
	put(&st, 0, 8);
	put(&st, 0, 4);
	put(&st, 0, 4);
	put(&pl, 3, 4);
	put(&pl, 1, 4);
	put(&pl, 128, 4);
	put(&pl, 5, 4);
	put(&pl, 0, 4);
	put(&pl, 16, 4);
	put(&pl, 0, 8);
	put(&pl, 0, 8);
	snap_sect(&st, "CONF", 0, &pl);
	pl.n = 0;
	snap_rec(&pl, VGIC_GRP_ADDR, VGIC_V3_ADDR_TYPE_DIST, TH_GICD_BASE);
	snap_rec(&pl, VGIC_GRP_ADDR, VGIC_V3_ADDR_TYPE_REDIST_REGION,
		 TH_GICR_BASE | 1ull << VGIC_REDIST_REGION_COUNT_SHIFT);
	snap_rec(&pl, VGIC_GRP_NR_IRQS, 0, 128);
	snap_rec(&pl, VGIC_GRP_CTRL, VGIC_CTRL_INIT, 0);
	snap_sect(&st, "GCFG", 0, &pl);
	pl.n = 0;
	snap_rec(&pl, VGIC_GRP_DIST_REGS, 0x0008, 0x0300043b);
	snap_rec(&pl, VGIC_GRP_DIST_REGS, 0x0000, 0x12);
	snap_sect(&st, "DCTL", 0, &pl);
	put(&st, 0, 4); /* trailer */
	fz_snap_fixup(st.p, st.n);
	put(&s, 0x00, 1);
	put(&s, st.n, 4);
	put_bytes(&s, st.p, st.n);
	save(&s, "snapshot", "handmade-1cpu");
	put(&s, 0x01, 1);
	put(&s, st.n, 4);
	put_bytes(&s, st.p, st.n);
	save(&s, "snapshot", "handmade-1cpu-fixup");
	free(st.p);
	free(pl.p);
}

static void seeds_snapshot(void)
{
	snap_handmade();
	snap_seed("v3-1cpu", 1, false, false);
	snap_seed("v3-its-2cpu", 2, false, true);
	snap_seed("v3-its-4cpu-sparse", 4, true, true);
}
#endif

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	mkdir(outdir, 0755);
	seeds_mmio();
	seeds_its_cmd();
	seeds_v4();
	seeds_its_tables();
	seeds_attr();
#ifdef VGIC_FUZZ_HAVE_SNAPSHOT
	seeds_snapshot();
#endif
	return 0;
}

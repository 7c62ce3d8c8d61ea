/*
 * vgic tool - an independent reader of the libvgic snapshot stream
 * (docs/snapshot.md, format 1.x).
 *
 * It does not stop at the first problem: every inconsistency it can find
 * (bad CRCs, sizes, section order, records) is recorded with its byte offset
 * and the parse continues wherever the framing still allows, so `check`
 * can report all of them.  Being written from the document rather than from
 * src/snapshot.c, it is also a second opinion on the library's writer.
 */
#ifndef VGIC_TOOL_SNAPFILE_H
#define VGIC_TOOL_SNAPFILE_H

#include <stddef.h>
#include <stdint.h>

#include "tool.h"

struct snap_rec {
	uint32_t group;
	uint64_t attr;
	uint64_t value;
};

struct snap_sec {
	uint32_t tag;
	char name[5];
	uint32_t flags;
	uint64_t key;
	uint64_t offset; /* of the section header in the file */
	struct snap_rec *rec;
	size_t nr_rec;
};

struct snap_conf {
	bool present;
	uint32_t model, nr_vcpus, nr_irqs, pri_bits, nr_its, lpi_bits;
	uint64_t *mpidr; /* [nr_vcpus] */
};

struct snapfile {
	char *path;
	uint8_t *buf;
	size_t len;
	uint16_t major, minor;
	struct snap_conf conf;
	struct snap_sec *sec;
	size_t nr_sec;
	struct problems probs;
};

/* Read and parse @path.  Returns 0 (problems, if any, are in s->probs) or
 * -errno when the file cannot be read at all (message printed). */
int snapfile_load(struct snapfile *s, const char *path);
void snapfile_free(struct snapfile *s);

/* ---- naming (regnames.c) ----------------------------------------------- */

/* What a register record says about interrupts, if it is a per-IRQ bank. */
enum irq_field {
	F_NONE, F_GROUP, F_ENABLED, F_PENDING, F_ACTIVE, F_PRIORITY,
	F_TRIGGER, F_LEVEL, F_ROUTE, F_TARGETS,
};
struct reg_desc {
	char name[40];         /* "GICD_ISPENDR1", "ICC_PMR_EL1", ... */
	enum irq_field field;  /* F_NONE: not a per-IRQ bank */
	unsigned bpi;          /* bits per interrupt in the value */
	uint32_t first_intid;  /* INTID of the value's bit 0 */
};
/* Name and meaning of a record's register. */
void reg_describe(uint32_t group, uint64_t attr, struct reg_desc *d);
const char *irq_field_name(enum irq_field f);
/* "CPU 0.0.0.1" style name of a GICR_TYPER-form MPIDR key. */
void mpidr_name(uint64_t mpidr, char *out, size_t n);

#endif

/*
 * vgic - command-line tool for GIC snapshots and ITS tables.
 *
 * Shared declarations of the subcommands (one file each, cmd_*.c), the
 * guest-RAM image reader and the text/JSON output helpers.  The tool uses
 * only libvgic's public API; the ITS table layout it decodes is KVM's
 * documented "ITS table ABI REV0" (docs/its-tables.md).
 */
#ifndef VGIC_TOOL_H
#define VGIC_TOOL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses shared by every subcommand. */
enum { TOOL_OK = 0, TOOL_PROBLEMS = 1, TOOL_USAGE = 2 };

struct tool_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

int cmd_tables(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);

/* ---- guest RAM image (ramimg.c) ---------------------------------------- */

/*
 * A raw guest-RAM file as QEMU, Firecracker or cloud-hypervisor write them,
 * whose first byte is guest physical address @gpa.  Reads use pread, so a
 * sparse multi-GiB image costs only the bytes actually decoded.
 */
struct ramimg {
	int fd;
	char *path;
	uint64_t gpa;
	uint64_t size;
	uint64_t bytes_read;
	uint64_t next_progress; /* bytes_read at which to report again */
	bool progress;          /* report progress on stderr */
};

/* Parse "FILE[@GPA]" and open it.  Returns 0 or -errno (message printed). */
int ramimg_open(struct ramimg *r, const char *spec);
void ramimg_close(struct ramimg *r);
/* Copy guest memory; -EFAULT if any byte is outside the image. */
int ramimg_read(struct ramimg *r, uint64_t gpa, void *buf, size_t len);

/* ---- numbers and output (out.c) ----------------------------------------- */

/* Parse a decimal or 0x-prefixed 64-bit number; false if malformed. */
bool parse_u64(const char *s, uint64_t *out);

/* A JSON writer good enough for our flat records. */
struct json {
	FILE *f;
	int depth;
	bool need_comma[32];
};
void json_begin_obj(struct json *j, const char *key);
void json_end_obj(struct json *j);
void json_begin_arr(struct json *j, const char *key);
void json_end_arr(struct json *j);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_hex(struct json *j, const char *key, uint64_t v);
void json_bool(struct json *j, const char *key, bool v);
void json_str(struct json *j, const char *key, const char *s);
void json_null(struct json *j, const char *key);

/*
 * A list of problems found while checking, each with its location, so a
 * check can report every inconsistency instead of the first errno.
 */
struct problem {
	uint64_t gpa;       /* guest address of the offending entry, or 0 */
	char where[48];     /* "DTE 0x12", "ITE 0x12/7", "CTE 3", ... */
	char field[16];     /* "next", "Size", "pINTID", ... */
	char msg[160];
};
struct problems {
	struct problem *p;
	size_t n, cap;
};
void problem_add(struct problems *ps, uint64_t gpa, const char *where,
		 const char *field, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* @loc names the location column: "GPA" or "OFFSET". */
void problems_print(const struct problems *ps, FILE *f, const char *loc);
void problems_json(const struct problems *ps, struct json *j,
		   const char *loc);
void problems_free(struct problems *ps);

#endif

/*
 * vgic tool - number parsing, a small JSON writer and problem lists.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static void json_raw_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* Separator before a value, then "key": inside objects. */
static void json_key(struct json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = true;
	if (key) {
		json_raw_str(j->f, key);
		fputc(':', j->f);
	}
}

void json_begin_obj(struct json *j, const char *key)
{
	json_key(j, key);
	fputc('{', j->f);
	j->need_comma[++j->depth] = false;
}

void json_end_obj(struct json *j)
{
	fputc('}', j->f);
	j->depth--;
	j->need_comma[j->depth] = true;
	if (!j->depth)
		fputc('\n', j->f);
}

void json_begin_arr(struct json *j, const char *key)
{
	json_key(j, key);
	fputc('[', j->f);
	j->need_comma[++j->depth] = false;
}

void json_end_arr(struct json *j)
{
	fputc(']', j->f);
	j->depth--;
	j->need_comma[j->depth] = true;
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	fprintf(j->f, "%" PRIu64, v);
	j->need_comma[j->depth] = true;
}

void json_hex(struct json *j, const char *key, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	json_str(j, key, buf);
}

void json_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	fputs(v ? "true" : "false", j->f);
	j->need_comma[j->depth] = true;
}

void json_null(struct json *j, const char *key)
{
	json_key(j, key);
	fputs("null", j->f);
	j->need_comma[j->depth] = true;
}

void json_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_raw_str(j->f, s);
}

void problem_add(struct problems *ps, uint64_t gpa, const char *where,
		 const char *field, const char *fmt, ...)
{
	struct problem *p;
	va_list ap;

	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 16;
		struct problem *np = realloc(ps->p, cap * sizeof(*np));
		if (!np) {
			fprintf(stderr, "vgic: out of memory\n");
			exit(TOOL_USAGE);
		}
		ps->p = np;
		ps->cap = cap;
	}
	p = &ps->p[ps->n++];
	p->gpa = gpa;
	snprintf(p->where, sizeof(p->where), "%s", where);
	snprintf(p->field, sizeof(p->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(p->msg, sizeof(p->msg), fmt, ap);
	va_end(ap);
}

void problems_print(const struct problems *ps, FILE *f, const char *loc)
{
	if (!ps->n) {
		fprintf(f, "No problems found.\n");
		return;
	}
	fprintf(f, "%zu problem%s found:\n", ps->n, ps->n == 1 ? "" : "s");
	fprintf(f, "  %-18s  %-20s  %-8s  %s\n", loc, "ENTRY", "FIELD",
		"PROBLEM");
	for (size_t i = 0; i < ps->n; i++) {
		const struct problem *p = &ps->p[i];
		char gpa[24] = "-";
		if (p->gpa)
			snprintf(gpa, sizeof(gpa), "0x%" PRIx64, p->gpa);
		fprintf(f, "  %-18s  %-20s  %-8s  %s\n", gpa, p->where,
			p->field[0] ? p->field : "-", p->msg);
	}
}

void problems_json(const struct problems *ps, struct json *j,
		   const char *loc)
{
	json_begin_arr(j, "problems");
	for (size_t i = 0; i < ps->n; i++) {
		const struct problem *p = &ps->p[i];
		json_begin_obj(j, NULL);
		if (p->gpa)
			json_hex(j, loc, p->gpa);
		else
			json_null(j, loc);
		json_str(j, "entry", p->where);
		json_str(j, "field", p->field);
		json_str(j, "message", p->msg);
		json_end_obj(j);
	}
	json_end_arr(j);
}

void problems_free(struct problems *ps)
{
	free(ps->p);
	ps->p = NULL;
	ps->n = ps->cap = 0;
}

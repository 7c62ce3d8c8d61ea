/*
 * vgic snapshot show|check|diff - whole-GIC snapshots (docs/snapshot.md).
 *
 *   show FILE    everything in the stream, grouped by distributor, each vCPU
 *                (by MPIDR) and each ITS; the per-IRQ banks are decoded into
 *                one row per interrupt that is enabled, pending or active
 *   check FILE   stream integrity plus compatibility with a destination
 *                (--vcpus, --nr-irqs, --its, --mpidrs): every problem
 *   diff A B     what differs, by register and by interrupt
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <vgic/abi.h>

#include "snapfile.h"

#define MAX_INTID 1024

/* ---- scopes: the distributor, one per vCPU, one per ITS ------------------- */

enum scope_kind { SC_DIST, SC_VCPU, SC_ITS, SC_CONFIG };

static enum scope_kind scope_of(const struct snap_sec *sec)
{
	static const struct {
		const char *tag;
		enum scope_kind k;
	} map[] = {
		{ "GCFG", SC_CONFIG }, { "DCTL", SC_DIST }, { "DIST", SC_DIST },
		{ "RBAS", SC_VCPU },   { "RDST", SC_VCPU }, { "CPUI", SC_VCPU },
		{ "ITSA", SC_ITS },    { "ITSR", SC_ITS },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(sec->name, map[i].tag))
			return map[i].k;
	/* Unknown tags (e.g. GICv2 sections of a later minor): by key. */
	return sec->key ? SC_VCPU : SC_DIST;
}

/*
 * The scope a record belongs to.  GICv3 sections carry their scope (MPIDR
 * key for per-vCPU sections).  The GICv2 section V2ST holds every CPU's
 * records, the CPU in attr bits [39:32]: the banked registers of INTIDs
 * 0-31, the SGI pending-source registers and the GICC registers belong to
 * that CPU (keyed by its index), everything else to the distributor.
 */
static void record_scope(const struct snap_sec *sec, const struct snap_rec *r,
			 const struct reg_desc *d, enum scope_kind *kind,
			 uint64_t *key)
{
	uint32_t off = (uint32_t)r->attr;

	*kind = scope_of(sec);
	*key = sec->key;
	if (strcmp(sec->name, "V2ST"))
		return;
	if (r->group == VGIC_GRP_CPU_REGS ||
	    (r->group == VGIC_GRP_DIST_REGS &&
	     ((d->bpi && d->first_intid < 32 && off >= 0x80 && off < 0xf00) ||
	      (off >= 0xf10 && off < 0xf30)))) {
		*kind = SC_VCPU;
		*key = (r->attr >> 32) & 0xff;
	} else {
		*kind = SC_DIST;
		*key = 0;
	}
}

/* Per-interrupt state assembled from the per-IRQ banks of one scope. */
struct irq_state {
	bool seen, group, enabled, pending, active, edge, level;
	uint8_t priority;
	uint32_t route;
	bool has_route;
	uint8_t targets; /* GICv2 ITARGETSR byte */
};

static void apply_bank(struct irq_state *st, const struct reg_desc *d,
		       uint64_t value)
{
	if (d->field == F_NONE)
		return;
	if (d->field == F_ROUTE) {
		if (d->first_intid < MAX_INTID) {
			st[d->first_intid].route = (uint32_t)value;
			st[d->first_intid].has_route = true;
		}
		return;
	}
	for (unsigned i = 0; i < 32 / d->bpi; i++) {
		uint32_t id = d->first_intid + i;
		unsigned v = (unsigned)(value >> (i * d->bpi)) &
			     ((1u << d->bpi) - 1);
		if (id >= MAX_INTID)
			break;
		st[id].seen = true;
		switch (d->field) {
		case F_GROUP: st[id].group = v; break;
		case F_ENABLED: st[id].enabled = v; break;
		case F_PENDING: st[id].pending = v; break;
		case F_ACTIVE: st[id].active = v; break;
		case F_PRIORITY: st[id].priority = (uint8_t)v; break;
		case F_TRIGGER: st[id].edge = (v >> 1) & 1; break;
		case F_LEVEL: st[id].level = v; break;
		case F_TARGETS: st[id].targets = (uint8_t)v; break;
		default: break;
		}
	}
}

static bool irq_interesting(const struct irq_state *s)
{
	return s->enabled || s->pending || s->active || s->level;
}

static bool same_state(const struct irq_state *a, const struct irq_state *b)
{
	return a->group == b->group && a->enabled == b->enabled &&
	       a->pending == b->pending && a->active == b->active &&
	       a->edge == b->edge && a->level == b->level &&
	       a->priority == b->priority && a->targets == b->targets &&
	       !a->has_route && !b->has_route;
}

/* GICv3: the IROUTER affinity; GICv2: "cpus 0,3" from ITARGETSR. */
static void route_name(const struct irq_state *q, char *out, size_t n)
{
	size_t len;

	snprintf(out, n, "-");
	if (q->has_route) {
		mpidr_name(q->route, out, n);
		return;
	}
	if (!q->targets)
		return;
	len = (size_t)snprintf(out, n, "cpus");
	for (unsigned c = 0; c < 8 && len < n; c++)
		if (q->targets & (1u << c))
			len += (size_t)snprintf(out + len, n - len, "%s%u",
						len == 4 ? " " : ",", c);
}

static const char *yn(bool b)
{
	return b ? "yes" : "no";
}

/* Call @fn for every record of the sections of scope @kind/@key. */
static void for_each_record(const struct snapfile *s, enum scope_kind kind,
			    uint64_t key,
			    void (*fn)(void *ctx, const struct reg_desc *d,
				       uint64_t value),
			    void *ctx)
{
	for (size_t i = 0; i < s->nr_sec; i++) {
		const struct snap_sec *sec = &s->sec[i];
		for (size_t r = 0; r < sec->nr_rec; r++) {
			enum scope_kind rk;
			struct reg_desc d;
			uint64_t rkey;

			reg_describe(sec->rec[r].group, sec->rec[r].attr, &d);
			record_scope(sec, &sec->rec[r], &d, &rk, &rkey);
			if (rk == kind && rkey == key)
				fn(ctx, &d, sec->rec[r].value);
		}
	}
}

static void collect_one(void *ctx, const struct reg_desc *d, uint64_t value)
{
	apply_bank(ctx, d, value);
}

/* Collect the per-IRQ state of every section of @kind/@key. */
static void collect(const struct snapfile *s, enum scope_kind kind,
		    uint64_t key, struct irq_state *st)
{
	memset(st, 0, sizeof(*st) * MAX_INTID);
	for_each_record(s, kind, key, collect_one, st);
}

/* Registers that are not per-IRQ banks (those are decoded per interrupt). */
static bool plain_register(const struct reg_desc *d)
{
	return d->field == F_NONE && !d->bpi;
}

static void print_plain(void *ctx, const struct reg_desc *d, uint64_t value)
{
	(void)ctx;
	if (plain_register(d))
		printf("  %-22s 0x%" PRIx64 "\n", d->name, value);
}

static void json_plain(void *ctx, const struct reg_desc *d, uint64_t value)
{
	if (plain_register(d))
		json_hex(ctx, d->name, value);
}

/* ---- show -------------------------------------------------------------------- */

static void show_scope_text(const struct snapfile *s, enum scope_kind kind,
			    uint64_t key)
{
	struct irq_state *st = calloc(MAX_INTID, sizeof(*st));
	size_t rows = 0;

	if (!st)
		exit(TOOL_USAGE);
	for_each_record(s, kind, key, print_plain, NULL);
	if (kind == SC_ITS || kind == SC_CONFIG) {
		free(st);
		return;
	}
	collect(s, kind, key, st);
	for (uint32_t id = 0; id < MAX_INTID; id++)
		rows += irq_interesting(&st[id]);
	printf("  Interrupts enabled, pending, active or with the line high: %zu\n",
	       rows);
	if (rows)
		printf("    %9s  %5s  %4s  %-7s  %-7s  %-7s  %-6s  %-5s  %s\n",
		       "INTID", "GROUP", "PRIO", "TRIGGER", "ENABLED",
		       "PENDING", "ACTIVE", "LEVEL", "ROUTE");
	for (uint32_t id = 0; id < MAX_INTID; id++) {
		const struct irq_state *q = &st[id];
		char route[24] = "-", ids[16];
		uint32_t last = id;

		if (!irq_interesting(q))
			continue;
		/* Fold runs of identical interrupts (e.g. the SGIs) into one
		 * row. */
		while (last + 1 < MAX_INTID && same_state(q, &st[last + 1]))
			last++;
		route_name(q, route, sizeof(route));
		if (last == id)
			snprintf(ids, sizeof(ids), "%u", id);
		else
			snprintf(ids, sizeof(ids), "%u-%u", id, last);
		printf("    %9s  %5u  0x%02x  %-7s  %-7s  %-7s  %-6s  %-5s  %s\n",
		       ids, q->group, q->priority, q->edge ? "edge" : "level",
		       yn(q->enabled), yn(q->pending), yn(q->active),
		       q->level ? "high" : "low", route);
		id = last;
	}
	free(st);
}

static void show_scope_json(const struct snapfile *s, struct json *j,
			    enum scope_kind kind, uint64_t key)
{
	struct irq_state *st = calloc(MAX_INTID, sizeof(*st));

	if (!st)
		exit(TOOL_USAGE);
	json_begin_obj(j, "registers");
	for_each_record(s, kind, key, json_plain, j);
	json_end_obj(j);
	if (kind == SC_DIST || kind == SC_VCPU) {
		collect(s, kind, key, st);
		json_begin_arr(j, "interrupts");
		for (uint32_t id = 0; id < MAX_INTID; id++) {
			const struct irq_state *q = &st[id];
			if (!irq_interesting(q))
				continue;
			json_begin_obj(j, NULL);
			json_u64(j, "intid", id);
			json_u64(j, "group", q->group);
			json_u64(j, "priority", q->priority);
			json_str(j, "trigger", q->edge ? "edge" : "level");
			json_bool(j, "enabled", q->enabled);
			json_bool(j, "pending", q->pending);
			json_bool(j, "active", q->active);
			json_bool(j, "level", q->level);
			if (q->has_route || q->targets) {
				char route[24];
				route_name(q, route, sizeof(route));
				json_str(j, "route", route);
			}
			json_end_obj(j);
		}
		json_end_arr(j);
	}
	free(st);
}

/* Per-vCPU scopes are keyed by MPIDR on GICv3, by CPU index on GICv2. */
static uint64_t vcpu_key(const struct snap_conf *c, uint32_t i)
{
	return c->model == 2 ? i : c->mpidr[i];
}

static void print_header_text(const struct snapfile *s)
{
	const struct snap_conf *c = &s->conf;

	printf("Snapshot %s: format %u.%u, %zu bytes, %zu sections\n", s->path,
	       s->major, s->minor, s->len, s->nr_sec);
	if (c->present)
		printf("Configuration: GICv%u, %u vCPUs, NR_IRQS %u, %u priority bits, "
		       "%u ITS, %u LPI INTID bits\n",
		       c->model, c->nr_vcpus, c->nr_irqs, c->pri_bits, c->nr_its,
		       c->lpi_bits);
}

static void show_text(const struct snapfile *s)
{
	const struct snap_conf *c = &s->conf;

	print_header_text(s);
	printf("\n== Setup\n");
	show_scope_text(s, SC_CONFIG, 0);
	printf("\n== Distributor\n");
	show_scope_text(s, SC_DIST, 0);
	for (uint32_t i = 0; c->present && i < c->nr_vcpus; i++) {
		char name[24];
		mpidr_name(c->mpidr[i], name, sizeof(name));
		printf("\n== vCPU %u (MPIDR %s)\n", i, name);
		show_scope_text(s, SC_VCPU, vcpu_key(c, i));
	}
	for (uint32_t i = 0; c->present && i < c->nr_its; i++) {
		printf("\n== ITS %u\n", i);
		show_scope_text(s, SC_ITS, i);
	}
	printf("\n");
}

static void show_json(const struct snapfile *s)
{
	const struct snap_conf *c = &s->conf;
	struct json j = { .f = stdout };
	char ver[16];

	json_begin_obj(&j, NULL);
	json_str(&j, "file", s->path);
	snprintf(ver, sizeof(ver), "%u.%u", s->major, s->minor);
	json_str(&j, "format", ver);
	json_u64(&j, "bytes", s->len);
	if (c->present) {
		json_begin_obj(&j, "config");
		json_u64(&j, "gic", c->model);
		json_u64(&j, "nr_vcpus", c->nr_vcpus);
		json_u64(&j, "nr_irqs", c->nr_irqs);
		json_u64(&j, "priority_bits", c->pri_bits);
		json_u64(&j, "nr_its", c->nr_its);
		json_u64(&j, "lpi_bits", c->lpi_bits);
		json_end_obj(&j);
	}
	json_begin_obj(&j, "setup");
	show_scope_json(s, &j, SC_CONFIG, 0);
	json_end_obj(&j);
	json_begin_obj(&j, "distributor");
	show_scope_json(s, &j, SC_DIST, 0);
	json_end_obj(&j);
	json_begin_arr(&j, "vcpus");
	for (uint32_t i = 0; c->present && i < c->nr_vcpus; i++) {
		char name[24];
		mpidr_name(c->mpidr[i], name, sizeof(name));
		json_begin_obj(&j, NULL);
		json_u64(&j, "vcpu", i);
		json_str(&j, "mpidr", name);
		show_scope_json(s, &j, SC_VCPU, vcpu_key(c, i));
		json_end_obj(&j);
	}
	json_end_arr(&j);
	json_begin_arr(&j, "its");
	for (uint32_t i = 0; c->present && i < c->nr_its; i++) {
		json_begin_obj(&j, NULL);
		json_u64(&j, "index", i);
		show_scope_json(s, &j, SC_ITS, i);
		json_end_obj(&j);
	}
	json_end_arr(&j);
	problems_json(&s->probs, &j, "offset");
	json_end_obj(&j);
}

/* ---- check ---------------------------------------------------------------- */

struct dest {
	long vcpus, nr_irqs, its;
	uint64_t mpidr[512];
	unsigned nr_mpidr;
};

static void check_structure(struct snapfile *s)
{
	const struct snap_conf *c = &s->conf;
	static const char *const order[] = { "CONF", "GCFG", "ITSA", "DCTL",
					     "RBAS", "RDST", "DIST", "CPUI",
					     "ITSR", "V2ST" };
	int last = -1;

	for (size_t i = 0; i < s->nr_sec; i++) {
		const struct snap_sec *sec = &s->sec[i];
		char where[48];
		int k = -1;

		snprintf(where, sizeof(where), "section %zu %s", i, sec->name);
		for (int n = 0; n < (int)(sizeof(order) / sizeof(order[0])); n++)
			if (!strcmp(sec->name, order[n]))
				k = n;
		if (k < 0) {
			if (sec->flags & 1)
				problem_add(&s->probs, sec->offset, where, "tag",
					    "unknown mandatory section (restore: -EINVAL)");
			continue;
		}
		if (k < last)
			problem_add(&s->probs, sec->offset, where, "order",
				    "section out of the documented order");
		last = k;
		if (c->present && scope_of(sec) == SC_VCPU) {
			bool found = false;
			for (uint32_t v = 0; v < c->nr_vcpus; v++)
				found |= c->mpidr[v] == sec->key;
			if (!found)
				problem_add(&s->probs, sec->offset, where, "key",
					    "MPIDR key 0x%" PRIx64 " is not a vCPU of CONF",
					    sec->key);
		}
		if (c->present && scope_of(sec) == SC_ITS && sec->key >= c->nr_its)
			problem_add(&s->probs, sec->offset, where, "key",
				    "ITS index %" PRIu64 " beyond CONF's %u ITSes",
				    sec->key, c->nr_its);
	}
	if (c->present && (c->nr_irqs < 64 || c->nr_irqs > 992 || c->nr_irqs % 32))
		problem_add(&s->probs, 0, "CONF", "nr_irqs",
			    "NR_IRQS %u not in 64..992 step 32", c->nr_irqs);
}

static void check_dest(struct snapfile *s, const struct dest *d)
{
	const struct snap_conf *c = &s->conf;

	if (!c->present)
		return;
	if (d->vcpus >= 0 && (uint32_t)d->vcpus != c->nr_vcpus)
		problem_add(&s->probs, 0, "destination", "vcpus",
			    "snapshot has %u vCPUs, destination %ld (restore: -E2BIG)",
			    c->nr_vcpus, d->vcpus);
	if (d->nr_irqs >= 0 && (uint32_t)d->nr_irqs != c->nr_irqs)
		problem_add(&s->probs, 0, "destination", "nr_irqs",
			    "snapshot has NR_IRQS %u, destination %ld",
			    c->nr_irqs, d->nr_irqs);
	if (d->its >= 0 && (uint32_t)d->its != c->nr_its)
		problem_add(&s->probs, 0, "destination", "its",
			    "snapshot has %u ITSes, destination %ld (restore: -E2BIG)",
			    c->nr_its, d->its);
	for (unsigned i = 0; i < d->nr_mpidr && i < c->nr_vcpus; i++)
		if (d->mpidr[i] != c->mpidr[i])
			problem_add(&s->probs, 0, "destination", "mpidr",
				    "vCPU %u: snapshot MPIDR 0x%" PRIx64
				    ", destination 0x%" PRIx64 " (restore: -ENODEV)",
				    i, c->mpidr[i], d->mpidr[i]);
}

/* ---- diff ------------------------------------------------------------------- */

static const struct snap_rec *find_rec(const struct snapfile *s,
				       const struct snap_sec *like,
				       const struct snap_rec *r)
{
	for (size_t i = 0; i < s->nr_sec; i++) {
		const struct snap_sec *sec = &s->sec[i];
		if (sec->tag != like->tag || sec->key != like->key)
			continue;
		for (size_t k = 0; k < sec->nr_rec; k++)
			if (sec->rec[k].group == r->group &&
			    sec->rec[k].attr == r->attr)
				return &sec->rec[k];
	}
	return NULL;
}

static void scope_label(const struct snap_sec *sec, const struct snap_rec *r,
			const struct reg_desc *d, char *out, size_t n)
{
	enum scope_kind kind;
	uint64_t key;
	char m[24];

	record_scope(sec, r, d, &kind, &key);
	switch (kind) {
	case SC_VCPU:
		if (!strcmp(sec->name, "V2ST")) {
			snprintf(out, n, "CPU %" PRIu64, key);
			break;
		}
		mpidr_name(key, m, sizeof(m));
		snprintf(out, n, "vCPU %s", m);
		break;
	case SC_ITS:
		snprintf(out, n, "ITS %" PRIu64, key);
		break;
	case SC_CONFIG:
		snprintf(out, n, "setup");
		break;
	default:
		snprintf(out, n, "distributor");
	}
}

/* Print the differences of records of @a missing from or changed in @b
 * (@reverse: only those missing from @b, labelled "only in B"). */
static size_t diff_one_way(const struct snapfile *a, const struct snapfile *b,
			   bool reverse, struct json *j)
{
	size_t n = 0;

	for (size_t i = 0; i < a->nr_sec; i++) {
		const struct snap_sec *sec = &a->sec[i];
		for (size_t k = 0; k < sec->nr_rec; k++) {
			const struct snap_rec *ra = &sec->rec[k];
			const struct snap_rec *rb = find_rec(b, sec, ra);
			struct reg_desc d;
			char scope[40];

			if (rb && (reverse || rb->value == ra->value))
				continue;
			reg_describe(ra->group, ra->attr, &d);
			scope_label(sec, ra, &d, scope, sizeof(scope));
			n++;
			if (!rb) {
				if (j) {
					json_begin_obj(j, NULL);
					json_str(j, "scope", scope);
					json_str(j, "register", d.name);
					json_str(j, "only_in", reverse ? "B" : "A");
					json_hex(j, "value", ra->value);
					json_end_obj(j);
				} else {
					printf("%-16s %-22s only in %s: 0x%" PRIx64 "\n",
					       scope, d.name, reverse ? "B" : "A",
					       ra->value);
				}
				continue;
			}
			if (j) {
				json_begin_obj(j, NULL);
				json_str(j, "scope", scope);
				json_str(j, "register", d.name);
				json_hex(j, "a", ra->value);
				json_hex(j, "b", rb->value);
				json_begin_arr(j, "interrupts");
			} else {
				printf("%-16s %-22s 0x%" PRIx64 " -> 0x%" PRIx64 "\n",
				       scope, d.name, ra->value, rb->value);
			}
			/* Per-interrupt detail for per-IRQ banks. */
			if (d.field != F_NONE && d.field != F_ROUTE && d.bpi) {
				uint64_t mask = (1ull << d.bpi) - 1;
				for (unsigned f = 0; f < 32 / d.bpi; f++) {
					uint64_t va = (ra->value >> (f * d.bpi)) & mask;
					uint64_t vb = (rb->value >> (f * d.bpi)) & mask;
					if (va == vb)
						continue;
					if (j) {
						json_begin_obj(j, NULL);
						json_u64(j, "intid", d.first_intid + f);
						json_str(j, "field", irq_field_name(d.field));
						json_u64(j, "a", va);
						json_u64(j, "b", vb);
						json_end_obj(j);
					} else {
						printf("%-16s   INTID %u %s: %" PRIu64
						       " -> %" PRIu64 "\n", "",
						       d.first_intid + f,
						       irq_field_name(d.field), va, vb);
					}
				}
			}
			if (j) {
				json_end_arr(j);
				json_end_obj(j);
			}
		}
	}
	return n;
}

static size_t diff_conf(const struct snapfile *a, const struct snapfile *b,
			struct json *j)
{
	const struct snap_conf *ca = &a->conf, *cb = &b->conf;
	struct {
		const char *name;
		uint64_t va, vb;
	} f[] = {
		{ "gic", ca->model, cb->model },
		{ "nr_vcpus", ca->nr_vcpus, cb->nr_vcpus },
		{ "nr_irqs", ca->nr_irqs, cb->nr_irqs },
		{ "priority_bits", ca->pri_bits, cb->pri_bits },
		{ "nr_its", ca->nr_its, cb->nr_its },
		{ "lpi_bits", ca->lpi_bits, cb->lpi_bits },
	};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if (f[i].va == f[i].vb)
			continue;
		n++;
		if (j) {
			json_begin_obj(j, NULL);
			json_str(j, "scope", "config");
			json_str(j, "register", f[i].name);
			json_u64(j, "a", f[i].va);
			json_u64(j, "b", f[i].vb);
			json_end_obj(j);
		} else {
			printf("%-16s %-22s %" PRIu64 " -> %" PRIu64 "\n",
			       "config", f[i].name, f[i].va, f[i].vb);
		}
	}
	for (uint32_t i = 0; i < ca->nr_vcpus && i < cb->nr_vcpus; i++) {
		if (ca->mpidr[i] == cb->mpidr[i])
			continue;
		n++;
		if (j) {
			json_begin_obj(j, NULL);
			json_str(j, "scope", "config");
			json_str(j, "register", "mpidr");
			json_u64(j, "vcpu", i);
			json_hex(j, "a", ca->mpidr[i]);
			json_hex(j, "b", cb->mpidr[i]);
			json_end_obj(j);
		} else {
			printf("%-16s vCPU %u MPIDR          0x%" PRIx64 " -> 0x%" PRIx64 "\n",
			       "config", i, ca->mpidr[i], cb->mpidr[i]);
		}
	}
	return n;
}

/* ---- command line ---------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vgic snapshot show FILE [--json]\n"
		"       vgic snapshot check FILE [--vcpus N] [--nr-irqs N] [--its N]\n"
		"                                [--mpidrs A,B,...] [--json]\n"
		"       vgic snapshot diff A B [--json]\n"
		"\n"
		"Read libvgic whole-GIC snapshots (docs/snapshot.md).\n"
		"  show    distributor, each vCPU by MPIDR and each ITS; interrupts\n"
		"          that are enabled, pending, active or high, by INTID\n"
		"  check   integrity, and compatibility with a destination: every\n"
		"          problem, with its byte offset in the stream\n"
		"  diff    differences by register and by interrupt\n"
		"\n"
		"Exit status: 0 valid (diff: identical), 1 problems found (diff:\n"
		"different), 2 usage or I/O error.\n");
}

static bool parse_mpidrs(const char *arg, struct dest *d)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	bool ok = copy != NULL;

	for (tok = strtok_r(copy, ",", &save); ok && tok;
	     tok = strtok_r(NULL, ",", &save)) {
		uint64_t v;
		if (!parse_u64(tok, &v) || d->nr_mpidr >= 512)
			ok = false;
		else
			d->mpidr[d->nr_mpidr++] = v;
	}
	free(copy);
	return ok;
}

int cmd_snapshot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "vcpus", required_argument, NULL, 'v' },
		{ "nr-irqs", required_argument, NULL, 'n' },
		{ "its", required_argument, NULL, 'i' },
		{ "mpidrs", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dest dest = { .vcpus = -1, .nr_irqs = -1, .its = -1 };
	struct snapfile a, b;
	bool json = false;
	const char *verb;
	int c, ret = TOOL_OK;
	uint64_t val;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? TOOL_USAGE : TOOL_OK;
	}
	verb = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'v':
		case 'n':
		case 'i':
			if (!parse_u64(optarg, &val) || val > 65536) {
				fprintf(stderr, "vgic snapshot: bad number '%s'\n", optarg);
				return TOOL_USAGE;
			}
			*(c == 'v' ? &dest.vcpus : c == 'n' ? &dest.nr_irqs
							    : &dest.its) = (long)val;
			break;
		case 'm':
			if (!parse_mpidrs(optarg, &dest)) {
				fprintf(stderr, "vgic snapshot: bad --mpidrs '%s'\n", optarg);
				return TOOL_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return TOOL_OK;
		default:
			usage(stderr);
			return TOOL_USAGE;
		}
	}
	if (!strcmp(verb, "show") || !strcmp(verb, "check")) {
		if (optind != argc - 1) {
			usage(stderr);
			return TOOL_USAGE;
		}
		if (snapfile_load(&a, argv[optind])) {
			snapfile_free(&a);
			return TOOL_USAGE;
		}
		check_structure(&a);
		if (!strcmp(verb, "check"))
			check_dest(&a, &dest);
		if (json && !strcmp(verb, "show")) {
			show_json(&a);
		} else if (json) {
			struct json j = { .f = stdout };
			json_begin_obj(&j, NULL);
			json_str(&j, "file", a.path);
			json_bool(&j, "valid", a.probs.n == 0);
			problems_json(&a.probs, &j, "offset");
			json_end_obj(&j);
		} else {
			if (!strcmp(verb, "show"))
				show_text(&a);
			else
				print_header_text(&a);
			if (a.probs.n || !strcmp(verb, "check"))
				problems_print(&a.probs, stdout, "OFFSET");
		}
		ret = a.probs.n ? TOOL_PROBLEMS : TOOL_OK;
		snapfile_free(&a);
		return ret;
	}
	if (!strcmp(verb, "diff")) {
		struct json j = { .f = stdout };
		size_t n;

		if (optind != argc - 2) {
			usage(stderr);
			return TOOL_USAGE;
		}
		if (snapfile_load(&a, argv[optind])) {
			snapfile_free(&a);
			return TOOL_USAGE;
		}
		if (snapfile_load(&b, argv[optind + 1])) {
			snapfile_free(&a);
			snapfile_free(&b);
			return TOOL_USAGE;
		}
		if (json) {
			json_begin_obj(&j, NULL);
			json_begin_arr(&j, "differences");
		}
		n = diff_conf(&a, &b, json ? &j : NULL);
		n += diff_one_way(&a, &b, false, json ? &j : NULL);
		n += diff_one_way(&b, &a, true, json ? &j : NULL);
		if (json) {
			json_end_arr(&j);
			json_u64(&j, "count", n);
			json_end_obj(&j);
		} else {
			printf("%zu difference%s\n", n, n == 1 ? "" : "s");
		}
		if (a.probs.n || b.probs.n)
			fprintf(stderr, "vgic snapshot diff: warning: %zu/%zu problems "
				"in the inputs (run 'vgic snapshot check')\n",
				a.probs.n, b.probs.n);
		snapfile_free(&a);
		snapfile_free(&b);
		return n ? TOOL_PROBLEMS : TOOL_OK;
	}
	fprintf(stderr, "vgic snapshot: unknown subcommand '%s'\n", verb);
	usage(stderr);
	return TOOL_USAGE;
}

/*
 * vgic tables show|check - decode the ITS tables a VM left in guest RAM.
 *
 * Input: a raw guest-RAM image plus the register values that locate the
 * tables (GITS_BASER0 = device table, GITS_BASER1 = collection table,
 * GICR_PROPBASER, each vCPU's GICR_PENDBASER).  The layout is KVM's ITS
 * table ABI REV0 (docs/its-tables.md): 8-byte little-endian DTE/ITE/CTE,
 * DTEs and ITEs chained by "next" deltas, CTEs packed with a zero
 * terminator, one- or two-level device tables.
 *
 * The walk follows exactly what a RESTORE_TABLES would read (so `show`
 * prints what a restore would produce), and `check` additionally reports
 * every inconsistency that makes KVM or libvgic reject the tables, or that
 * silently loses state (a valid entry the "next" chain skips), with the GPA,
 * the entry and the field.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

#define SZ_64K 0x10000ull
#define MIN_LPI 8192u
#define NO_TARGET 0xffffffffu
#define MAX_PENDBASERS 512
#define MAX_DEVID 0xffffu
#define L2_ENTRIES (SZ_64K / 8)

static uint64_t field(uint64_t v, unsigned hi, unsigned lo)
{
	return (v >> lo) & ((hi - lo == 63) ? ~0ull : ((1ull << (hi - lo + 1)) - 1));
}

/* ---- table geometry from a GITS_BASER value --------------------------- */

struct table {
	uint64_t baser;
	bool valid, indirect;
	unsigned type, esz;
	uint64_t base, bytes, page;
};

static void table_decode(struct table *t, uint64_t baser)
{
	static const uint64_t pages[4] = { 0x1000, 0x4000, SZ_64K, SZ_64K };

	t->baser = baser;
	t->valid = baser >> 63;
	t->indirect = (baser >> 62) & 1;
	t->type = (unsigned)field(baser, 58, 56);
	t->esz = (unsigned)field(baser, 52, 48) + 1;
	t->page = pages[field(baser, 9, 8)];
	t->base = baser & 0x0000ffffffff0000ull;
	if (t->page == SZ_64K)
		t->base |= field(baser, 15, 12) << 48;
	else
		t->base = baser & 0x0000fffffffff000ull & ~(t->page - 1);
	t->bytes = (field(baser, 7, 0) + 1) * t->page;
}

/* ---- chunked entry reader ---------------------------------------------- */

struct entries {
	struct ramimg *r;
	uint64_t base, n;   /* GPA and number of 8-byte entries */
	uint64_t first, cnt;/* entries currently in buf */
	uint64_t buf[SZ_64K / 8];
};

static void entries_init(struct entries *e, struct ramimg *r, uint64_t base,
			 uint64_t n)
{
	e->r = r;
	e->base = base;
	e->n = n;
	e->first = e->cnt = 0;
}

/* Read entry @i (little-endian host assumed); -EFAULT if unreadable. */
static int entry_get(struct entries *e, uint64_t i, uint64_t *out)
{
	if (i < e->first || i >= e->first + e->cnt) {
		uint64_t cnt = e->n - i;
		if (cnt > (sizeof(e->buf) / sizeof(e->buf[0])))
			cnt = (sizeof(e->buf) / sizeof(e->buf[0]));
		if (ramimg_read(e->r, e->base + i * 8, e->buf, cnt * 8)) {
			/* Fall back to the single entry, to find the edge. */
			if (ramimg_read(e->r, e->base + i * 8, e->buf, 8))
				return -EFAULT;
			cnt = 1;
		}
		e->first = i;
		e->cnt = cnt;
	}
	*out = e->buf[i - e->first];
	return 0;
}

/* ---- decoded state ------------------------------------------------------- */

struct coll {
	uint32_t icid, target;
	uint64_t gpa;
};
struct mapping {
	uint32_t devid, eventid, lpi, icid;
	uint64_t gpa;
};
struct dev {
	uint32_t devid;
	uint64_t itt, gpa;
	unsigned bits;
	size_t first_map, nr_map;
};

struct decoded {
	struct ramimg ram;
	struct table dt, ct;
	uint64_t propbaser;
	bool have_propbaser;
	uint64_t pendbaser[MAX_PENDBASERS];
	unsigned nr_pendbaser;
	long vcpus; /* -1: unknown */

	struct coll *colls;
	size_t nr_colls;
	struct dev *devs;
	size_t nr_devs, cap_devs;
	struct mapping *maps;
	size_t nr_maps, cap_maps;
	struct problems probs;
};

static void *grow(void *p, size_t *cap, size_t need, size_t esz)
{
	if (need <= *cap)
		return p;
	size_t ncap = *cap ? *cap * 2 : 64;
	while (ncap < need)
		ncap *= 2;
	p = realloc(p, ncap * esz);
	if (!p) {
		fprintf(stderr, "vgic: out of memory\n");
		exit(TOOL_USAGE);
	}
	*cap = ncap;
	return p;
}

static const struct coll *find_coll(const struct decoded *d, uint32_t icid)
{
	for (size_t i = 0; i < d->nr_colls; i++)
		if (d->colls[i].icid == icid)
			return &d->colls[i];
	return NULL;
}

/* ---- collections ----------------------------------------------------------- */

static void decode_collections(struct decoded *d)
{
	struct entries *e;
	uint64_t n, i, cte;
	bool ended = false;
	char where[48];

	if (!d->ct.valid)
		return;
	n = d->ct.bytes / 8;
	e = malloc(sizeof(*e));
	if (!e)
		exit(TOOL_USAGE);
	entries_init(e, &d->ram, d->ct.base, n);
	d->colls = calloc(n ? n : 1, sizeof(*d->colls));
	if (!d->colls)
		exit(TOOL_USAGE);
	for (i = 0; i < n; i++) {
		uint64_t gpa = d->ct.base + i * 8;
		snprintf(where, sizeof(where), "CTE %" PRIu64, i);
		if (entry_get(e, i, &cte)) {
			problem_add(&d->probs, gpa, where, "-",
				    "collection table not readable in the image");
			break;
		}
		if (ended) {
			if (cte >> 63)
				problem_add(&d->probs, gpa, where, "V",
					    "valid CTE after the terminator: ignored on restore");
			continue;
		}
		if (!(cte >> 63)) {
			ended = true;
			continue;
		}
		uint32_t icid = (uint32_t)field(cte, 15, 0);
		uint32_t target = (uint32_t)field(cte, 47, 16);
		if (field(cte, 62, 52) || field(cte, 51, 48))
			problem_add(&d->probs, gpa, where, "RES0",
				    "reserved bits set (0x%016" PRIx64 ")", cte);
		if (find_coll(d, icid)) {
			problem_add(&d->probs, gpa, where, "ICID",
				    "duplicate collection ID %u (restore: -EEXIST)",
				    icid);
			continue;
		}
		if (icid >= n)
			problem_add(&d->probs, gpa, where, "ICID",
				    "ICID %u beyond the table's %" PRIu64
				    " entries (restore: -EINVAL)", icid, n);
		if (target != NO_TARGET && d->vcpus >= 0 &&
		    target >= (uint64_t)d->vcpus)
			problem_add(&d->probs, gpa, where, "RDBase",
				    "target vCPU %u does not exist (%ld vCPUs; restore: -EINVAL)",
				    target, d->vcpus);
		d->colls[d->nr_colls++] = (struct coll){ icid, target, gpa };
	}
	free(e);
}

/* ---- ITT of one device ------------------------------------------------------ */

static void decode_itt(struct decoded *d, struct dev *dv)
{
	uint64_t n = 1ull << dv->bits, i = 0, ite;
	struct entries *e = malloc(sizeof(*e));
	unsigned char *seen = calloc(n, 1);
	char where[48];

	if (!e || !seen)
		exit(TOOL_USAGE);
	entries_init(e, &d->ram, dv->itt, n);
	dv->first_map = d->nr_maps;
	while (i < n) {
		uint64_t gpa = dv->itt + i * 8;
		snprintf(where, sizeof(where), "ITE 0x%x/%" PRIu64, dv->devid, i);
		if (entry_get(e, i, &ite)) {
			problem_add(&d->probs, gpa, where, "-",
				    "ITT not readable in the image (restore: -EFAULT)");
			break;
		}
		uint32_t lpi = (uint32_t)field(ite, 47, 16);
		uint64_t next = field(ite, 63, 48);
		if (!lpi) {
			i++;
			continue;
		}
		seen[i] = 1;
		uint32_t icid = (uint32_t)field(ite, 15, 0);
		if (lpi < MIN_LPI)
			problem_add(&d->probs, gpa, where, "pINTID",
				    "pINTID %u is not an LPI (restore: -EINVAL)", lpi);
		if (!find_coll(d, icid))
			problem_add(&d->probs, gpa, where, "ICID",
				    "collection %u not in the collection table (restore: -EINVAL)",
				    icid);
		if (d->have_propbaser && lpi >= MIN_LPI) {
			unsigned idbits = (unsigned)field(d->propbaser, 4, 0) + 1;
			if (idbits > 16)
				idbits = 16;
			if (lpi >= (1u << idbits))
				problem_add(&d->probs, gpa, where, "pINTID",
					    "LPI %u beyond PROPBASER.IDbits (%u bits)",
					    lpi, idbits);
		}
		d->maps = grow(d->maps, &d->cap_maps, d->nr_maps + 1,
			       sizeof(*d->maps));
		d->maps[d->nr_maps++] = (struct mapping){ dv->devid, (uint32_t)i,
							  lpi, icid, gpa };
		if (!next)
			break;
		if (i + next >= n) {
			problem_add(&d->probs, gpa, where, "next",
				    "next (+%" PRIu64 ") leaves the %" PRIu64
				    "-entry ITT (restore: -EINVAL)", next, n);
			break;
		}
		i += next;
	}
	dv->nr_map = d->nr_maps - dv->first_map;
	/* Valid ITEs the chain never reached are lost by a restore. */
	for (i = 0; i < n; i++) {
		if (seen[i] || entry_get(e, i, &ite) || !field(ite, 47, 16))
			continue;
		snprintf(where, sizeof(where), "ITE 0x%x/%" PRIu64, dv->devid, i);
		problem_add(&d->probs, dv->itt + i * 8, where, "next",
			    "valid ITE not reachable through the next chain: lost on restore");
	}
	free(seen);
	free(e);
}

/* ---- device table ----------------------------------------------------------- */

/*
 * Scan one flat table (or one level-2 page) of @n DTEs whose first entry is
 * DeviceID @id0.  Returns true when a DTE with next = 0 ended the scan.
 */
static bool scan_dtes(struct decoded *d, uint64_t base, uint64_t n,
		      uint64_t id0)
{
	struct entries *e = malloc(sizeof(*e));
	unsigned char *seen = calloc(n ? n : 1, 1);
	uint64_t i = 0, dte;
	bool last = false;
	char where[48];

	if (!e || !seen)
		exit(TOOL_USAGE);
	entries_init(e, &d->ram, base, n);
	while (i < n) {
		uint64_t gpa = base + i * 8, id = id0 + i;
		snprintf(where, sizeof(where), "DTE 0x%" PRIx64, id);
		if (entry_get(e, i, &dte)) {
			problem_add(&d->probs, gpa, where, "-",
				    "device table not readable in the image (restore: -EFAULT)");
			break;
		}
		if (!(dte >> 63)) {
			i++;
			continue;
		}
		seen[i] = 1;
		uint64_t next = field(dte, 62, 49);
		unsigned size = (unsigned)field(dte, 4, 0);
		uint64_t itt = field(dte, 48, 5) << 8;
		bool ok = true;
		if (size > 15) {
			problem_add(&d->probs, gpa, where, "Size",
				    "Size %u: more than 16 EventID bits (restore: -EINVAL)",
				    size);
			ok = false;
		}
		if (id > MAX_DEVID) {
			problem_add(&d->probs, gpa, where, "DeviceID",
				    "DeviceID beyond 16 bits (restore: -EINVAL)");
			ok = false;
		}
		if (ok) {
			d->devs = grow(d->devs, &d->cap_devs, d->nr_devs + 1,
				       sizeof(*d->devs));
			struct dev *dv = &d->devs[d->nr_devs++];
			*dv = (struct dev){ .devid = (uint32_t)id, .itt = itt,
					    .gpa = gpa, .bits = size + 1 };
			decode_itt(d, dv);
		}
		if (!next) {
			last = true;
			break;
		}
		if (i + next >= n) {
			problem_add(&d->probs, gpa, where, "next",
				    "next (+%" PRIu64 ") leaves the table", next);
			break;
		}
		i += next;
	}
	for (i = 0; i < n; i++) {
		if (seen[i] || entry_get(e, i, &dte) || !(dte >> 63))
			continue;
		snprintf(where, sizeof(where), "DTE 0x%" PRIx64, id0 + i);
		problem_add(&d->probs, base + i * 8, where, "next",
			    "valid DTE not reachable through the next chain: lost on restore");
	}
	free(seen);
	free(e);
	return last;
}

static void decode_devices(struct decoded *d)
{
	uint64_t n = d->dt.bytes / 8;

	if (!d->dt.valid)
		return;
	if (!d->dt.indirect) {
		scan_dtes(d, d->dt.base, n, 0);
		return;
	}
	for (uint64_t l1 = 0; l1 < n; l1++) {
		uint64_t ent, gpa = d->dt.base + l1 * 8;
		char where[48];

		snprintf(where, sizeof(where), "L1 %" PRIu64, l1);
		if (ramimg_read(&d->ram, gpa, &ent, 8)) {
			problem_add(&d->probs, gpa, where, "-",
				    "level-1 table not readable in the image");
			return;
		}
		if (!(ent >> 63))
			continue;
		if (l1 * L2_ENTRIES > MAX_DEVID) {
			problem_add(&d->probs, gpa, where, "V",
				    "level-1 entry for DeviceIDs beyond 16 bits");
			continue;
		}
		if (scan_dtes(d, ent & 0x000fffffffff0000ull, L2_ENTRIES,
			      l1 * L2_ENTRIES))
			return; /* the last DTE ends the whole scan */
	}
}

/* ---- LPI configuration and pending state -------------------------------------- */

struct lpi_info {
	bool have_cfg, have_pend;
	uint8_t cfg;
	bool pending;
	uint32_t vcpu;
};

static struct lpi_info lpi_info(struct decoded *d, const struct mapping *m)
{
	struct lpi_info li = { .vcpu = NO_TARGET };
	const struct coll *c = find_coll(d, m->icid);

	if (c)
		li.vcpu = c->target;
	if (m->lpi < MIN_LPI)
		return li;
	if (d->have_propbaser) {
		uint64_t pa = d->propbaser & 0x000ffffffffff000ull;
		li.have_cfg = !ramimg_read(&d->ram, pa + (m->lpi - MIN_LPI),
					   &li.cfg, 1);
	}
	if (li.vcpu != NO_TARGET && li.vcpu < d->nr_pendbaser) {
		uint64_t pa = d->pendbaser[li.vcpu] & 0x000fffffffff0000ull;
		uint8_t byte;
		if (!ramimg_read(&d->ram, pa + m->lpi / 8, &byte, 1)) {
			li.have_pend = true;
			li.pending = (byte >> (m->lpi % 8)) & 1;
		}
	}
	return li;
}

/* ---- output ------------------------------------------------------------------ */

static const char *yesno(bool b)
{
	return b ? "yes" : "no";
}

static void print_table_line(const char *name, const char *reg,
			     const struct table *t)
{
	if (!t->valid) {
		printf("%-17s %s 0x%016" PRIx64 ": not valid\n", name, reg,
		       t->baser);
		return;
	}
	printf("%-17s %s 0x%016" PRIx64 ": %s, %" PRIu64
	       " KiB at 0x%" PRIx64 ", %u-byte entries\n",
	       name, reg, t->baser, t->indirect ? "two-level" : "flat",
	       t->bytes >> 10, t->base, t->esz);
}

static void print_text(struct decoded *d)
{
	printf("RAM image %s: GPA 0x%" PRIx64 ", %" PRIu64 " bytes\n",
	       d->ram.path, d->ram.gpa, d->ram.size);
	print_table_line("Device table", "BASER0", &d->dt);
	print_table_line("Collection table", "BASER1", &d->ct);
	printf("\nCollections (%zu):\n  %6s  %s\n", d->nr_colls, "ICID",
	       "TARGET");
	for (size_t i = 0; i < d->nr_colls; i++) {
		if (d->colls[i].target == NO_TARGET)
			printf("  %6u  unmapped\n", d->colls[i].icid);
		else
			printf("  %6u  vcpu %u\n", d->colls[i].icid,
			       d->colls[i].target);
	}
	printf("\nDevices (%zu):\n  %8s  %-18s  %4s  %6s\n", d->nr_devs,
	       "DEVICE", "ITT", "BITS", "EVENTS");
	for (size_t i = 0; i < d->nr_devs; i++)
		printf("  %#8x  0x%-16" PRIx64 "  %4u  %6zu\n", d->devs[i].devid,
		       d->devs[i].itt, d->devs[i].bits, d->devs[i].nr_map);
	printf("\nMappings (%zu):\n  %8s  %6s  %6s  %6s  %-8s  %4s  %-7s  %s\n",
	       d->nr_maps, "DEVICE", "EVENT", "LPI", "ICID", "VCPU", "PRIO",
	       "ENABLED", "PENDING");
	for (size_t i = 0; i < d->nr_maps; i++) {
		const struct mapping *m = &d->maps[i];
		struct lpi_info li = lpi_info(d, m);
		char vcpu[16], prio[8], en[8], pend[8];

		if (li.vcpu == NO_TARGET)
			snprintf(vcpu, sizeof(vcpu), "none");
		else
			snprintf(vcpu, sizeof(vcpu), "%u", li.vcpu);
		snprintf(prio, sizeof(prio), li.have_cfg ? "0x%02x" : "?",
			 li.cfg & 0xfc);
		snprintf(en, sizeof(en), "%s", li.have_cfg ? yesno(li.cfg & 1) : "?");
		snprintf(pend, sizeof(pend), "%s",
			 li.have_pend ? yesno(li.pending) : "?");
		printf("  %#8x  %6u  %6u  %6u  %-8s  %4s  %-7s  %s\n", m->devid,
		       m->eventid, m->lpi, m->icid, vcpu, prio, en, pend);
	}
	printf("\n");
}

static void json_table(struct json *j, const char *key, const struct table *t)
{
	json_begin_obj(j, key);
	json_hex(j, "baser", t->baser);
	json_bool(j, "valid", t->valid);
	json_bool(j, "indirect", t->indirect);
	json_hex(j, "base", t->base);
	json_u64(j, "bytes", t->bytes);
	json_u64(j, "entry_size", t->esz);
	json_end_obj(j);
}

static void print_json(struct decoded *d, bool with_maps)
{
	struct json j = { .f = stdout };

	json_begin_obj(&j, NULL);
	json_str(&j, "ram", d->ram.path);
	json_hex(&j, "ram_gpa", d->ram.gpa);
	json_u64(&j, "ram_bytes", d->ram.size);
	json_table(&j, "device_table", &d->dt);
	json_table(&j, "collection_table", &d->ct);
	if (with_maps) {
		json_begin_arr(&j, "collections");
		for (size_t i = 0; i < d->nr_colls; i++) {
			json_begin_obj(&j, NULL);
			json_u64(&j, "icid", d->colls[i].icid);
			if (d->colls[i].target == NO_TARGET)
				json_null(&j, "vcpu");
			else
				json_u64(&j, "vcpu", d->colls[i].target);
			json_end_obj(&j);
		}
		json_end_arr(&j);
		json_begin_arr(&j, "devices");
		for (size_t i = 0; i < d->nr_devs; i++) {
			const struct dev *dv = &d->devs[i];
			json_begin_obj(&j, NULL);
			json_u64(&j, "devid", dv->devid);
			json_hex(&j, "itt", dv->itt);
			json_u64(&j, "eventid_bits", dv->bits);
			json_begin_arr(&j, "events");
			for (size_t k = 0; k < dv->nr_map; k++) {
				const struct mapping *m = &d->maps[dv->first_map + k];
				struct lpi_info li = lpi_info(d, m);
				json_begin_obj(&j, NULL);
				json_u64(&j, "eventid", m->eventid);
				json_u64(&j, "lpi", m->lpi);
				json_u64(&j, "icid", m->icid);
				if (li.vcpu == NO_TARGET)
					json_null(&j, "vcpu");
				else
					json_u64(&j, "vcpu", li.vcpu);
				if (li.have_cfg) {
					json_u64(&j, "priority", li.cfg & 0xfc);
					json_bool(&j, "enabled", li.cfg & 1);
				}
				if (li.have_pend)
					json_bool(&j, "pending", li.pending);
				json_end_obj(&j);
			}
			json_end_arr(&j);
			json_end_obj(&j);
		}
		json_end_arr(&j);
	}
	problems_json(&d->probs, &j, "gpa");
	json_u64(&j, "bytes_decoded", d->ram.bytes_read);
	json_end_obj(&j);
}

/* ---- command line -------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vgic tables show|check --ram FILE[@GPA] --baser0 VAL --baser1 VAL\n"
		"                  [--propbaser VAL] [--pendbaser VAL]... [--vcpus N]\n"
		"                  [--json] [--progress]\n"
		"\n"
		"Decode KVM's ITS table ABI REV0 from a raw guest-RAM image.\n"
		"  show    the device -> event -> LPI -> collection -> vCPU mapping\n"
		"  check   every inconsistency a restore would reject or lose\n"
		"\n"
		"  --ram FILE[@GPA]   RAM image; GPA of its first byte (default 0)\n"
		"  --baser0 VAL       GITS_BASER0 (device table)\n"
		"  --baser1 VAL       GITS_BASER1 (collection table)\n"
		"  --propbaser VAL    GICR_PROPBASER (LPI priorities and enables)\n"
		"  --pendbaser VAL    GICR_PENDBASER of vCPU 0, 1, ... (repeat)\n"
		"  --vcpus N          number of vCPUs, to check collection targets\n"
		"  --json             machine-readable output\n"
		"  --progress         report progress on stderr (default: if a tty)\n"
		"\n"
		"Exit status: 0 valid, 1 problems found, 2 usage or I/O error.\n");
}

int cmd_tables(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ram", required_argument, NULL, 'r' },
		{ "baser0", required_argument, NULL, '0' },
		{ "baser1", required_argument, NULL, '1' },
		{ "propbaser", required_argument, NULL, 'p' },
		{ "pendbaser", required_argument, NULL, 'P' },
		{ "vcpus", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "progress", no_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct decoded *d;
	const char *ram = NULL, *verb;
	uint64_t b0 = 0, b1 = 0, val;
	bool json = false, progress = false, check;
	int c, ret;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? TOOL_USAGE : TOOL_OK;
	}
	verb = argv[1];
	if (strcmp(verb, "show") && strcmp(verb, "check")) {
		fprintf(stderr, "vgic tables: unknown subcommand '%s'\n", verb);
		usage(stderr);
		return TOOL_USAGE;
	}
	check = !strcmp(verb, "check");
	d = calloc(1, sizeof(*d));
	if (!d)
		return TOOL_USAGE;
	d->vcpus = -1;
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			ram = optarg;
			break;
		case '0':
		case '1':
		case 'p':
		case 'P':
		case 'n':
			if (!parse_u64(optarg, &val)) {
				fprintf(stderr, "vgic tables: bad number '%s'\n",
					optarg);
				free(d);
				return TOOL_USAGE;
			}
			if (c == '0')
				b0 = val;
			else if (c == '1')
				b1 = val;
			else if (c == 'p') {
				d->propbaser = val;
				d->have_propbaser = true;
			} else if (c == 'n')
				d->vcpus = (long)(val > 4096 ? 4096 : val);
			else if (d->nr_pendbaser < MAX_PENDBASERS)
				d->pendbaser[d->nr_pendbaser++] = val;
			break;
		case 'j':
			json = true;
			break;
		case 'g':
			progress = true;
			break;
		case 'h':
			usage(stdout);
			free(d);
			return TOOL_OK;
		default:
			usage(stderr);
			free(d);
			return TOOL_USAGE;
		}
	}
	if (!ram || optind != argc) {
		fprintf(stderr, "vgic tables: --ram is required\n");
		usage(stderr);
		free(d);
		return TOOL_USAGE;
	}
	if (d->vcpus < 0 && d->nr_pendbaser)
		d->vcpus = d->nr_pendbaser;
	if (ramimg_open(&d->ram, ram)) {
		free(d);
		return TOOL_USAGE;
	}
	if (progress)
		d->ram.progress = true;
	table_decode(&d->dt, b0);
	table_decode(&d->ct, b1);
	if (d->dt.valid && (d->dt.type != 1 || d->dt.esz != 8))
		problem_add(&d->probs, 0, "BASER0", "Type",
			    "not an 8-byte device table (Type %u, %u-byte entries)",
			    d->dt.type, d->dt.esz);
	if (d->ct.valid && (d->ct.type != 4 || d->ct.esz != 8 || d->ct.indirect))
		problem_add(&d->probs, 0, "BASER1", "Type",
			    "not a flat 8-byte collection table (Type %u, %u-byte entries)",
			    d->ct.type, d->ct.esz);
	decode_collections(d);
	decode_devices(d);
	if (d->ram.progress && d->ram.bytes_read >= (64ull << 20))
		fputc('\n', stderr);

	if (json) {
		print_json(d, !check);
	} else {
		if (!check)
			print_text(d);
		else
			printf("Checked %zu collections, %zu devices, %zu mappings.\n",
			       d->nr_colls, d->nr_devs, d->nr_maps);
		problems_print(&d->probs, stdout, "GPA");
	}
	ret = d->probs.n ? TOOL_PROBLEMS : TOOL_OK;
	problems_free(&d->probs);
	free(d->colls);
	free(d->devs);
	free(d->maps);
	ramimg_close(&d->ram);
	free(d);
	return ret;
}

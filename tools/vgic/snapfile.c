/*
 * vgic tool - reading snapshot streams (see snapfile.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "snapfile.h"

#define HDR_SIZE 32u
#define SEC_HDR_SIZE 24u
#define REC_SIZE 24u
#define CONF_FIXED 32u
#define MAX_FILE (256u << 20)

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

/* IEEE CRC32 (zlib's) over two byte ranges in sequence. */
static uint32_t crc32_of(const uint8_t *a, size_t na, const uint8_t *b,
			 size_t nb)
{
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < na; i++)
		c = crc_table[(c ^ a[i]) & 0xff] ^ (c >> 8);
	for (size_t i = 0; i < nb; i++)
		c = crc_table[(c ^ b[i]) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static void prob(struct snapfile *s, uint64_t off, const char *where,
		 const char *field, const char *msg)
{
	/* The "gpa" column carries the byte offset in the stream here. */
	problem_add(&s->probs, off, where, field, "%s", msg);
}

static int read_file(struct snapfile *s, const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16;

	if (!f) {
		fprintf(stderr, "vgic: cannot open '%s': %s\n", path,
			strerror(errno));
		return -errno;
	}
	s->buf = malloc(cap);
	while (s->buf) {
		size_t n = fread(s->buf + s->len, 1, cap - s->len, f);
		s->len += n;
		if (s->len < cap)
			break;
		if (cap >= MAX_FILE) {
			fprintf(stderr, "vgic: '%s' is larger than %u MiB\n",
				path, MAX_FILE >> 20);
			fclose(f);
			return -EFBIG;
		}
		cap *= 2;
		uint8_t *nb = realloc(s->buf, cap);
		if (!nb) {
			free(s->buf);
			s->buf = NULL;
		} else {
			s->buf = nb;
		}
	}
	if (!s->buf || ferror(f)) {
		fprintf(stderr, "vgic: cannot read '%s'\n", path);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	return 0;
}

static void parse_conf(struct snapfile *s, const struct snap_sec *sec,
		       const uint8_t *p, uint32_t size)
{
	struct snap_conf *c = &s->conf;

	if (c->present) {
		prob(s, sec->offset, "CONF", "tag", "second CONF section");
		return;
	}
	if (size < CONF_FIXED) {
		prob(s, sec->offset, "CONF", "size", "CONF shorter than 32 bytes");
		return;
	}
	c->present = true;
	c->model = le32(p);
	c->nr_vcpus = le32(p + 4);
	c->nr_irqs = le32(p + 8);
	c->pri_bits = le32(p + 12);
	c->nr_its = le32(p + 16);
	c->lpi_bits = le32(p + 20);
	if ((uint64_t)size != CONF_FIXED + 8ull * c->nr_vcpus) {
		prob(s, sec->offset, "CONF", "size",
		     "size does not match nr_vcpus");
		c->nr_vcpus = (size - CONF_FIXED) / 8;
	}
	c->mpidr = calloc(c->nr_vcpus ? c->nr_vcpus : 1, sizeof(uint64_t));
	if (!c->mpidr)
		exit(TOOL_USAGE);
	for (uint32_t i = 0; i < c->nr_vcpus; i++)
		c->mpidr[i] = le64(p + CONF_FIXED + 8 * i);
	if (c->model != 2 && c->model != 3)
		prob(s, sec->offset, "CONF", "model", "unknown GIC model");
}

int snapfile_load(struct snapfile *s, const char *path)
{
	uint64_t off, total;
	uint32_t nsec;
	int ret;

	memset(s, 0, sizeof(*s));
	crc_init();
	s->path = strdup(path);
	ret = read_file(s, path);
	if (ret)
		return ret;
	if (s->len < HDR_SIZE || memcmp(s->buf, "VGICSNAP", 8)) {
		prob(s, 0, "header", "magic", "not a libvgic snapshot (bad magic or too short)");
		return 0;
	}
	s->major = le16(s->buf + 8);
	s->minor = le16(s->buf + 10);
	total = le64(s->buf + 16);
	nsec = le32(s->buf + 24);
	if (s->major != 1)
		prob(s, 8, "header", "version", "unsupported major version (restore: -EPROTO)");
	if (le32(s->buf + 12) != HDR_SIZE)
		prob(s, 12, "header", "size", "header size is not 32");
	if (crc32_of(s->buf, 28, NULL, 0) != le32(s->buf + 28))
		prob(s, 28, "header", "crc", "header CRC mismatch");
	if (total != s->len)
		prob(s, 16, "header", "size", total > s->len ?
		     "stream truncated: shorter than its header says" :
		     "trailing bytes after the stream");
	if (s->len >= HDR_SIZE + 4 &&
	    crc32_of(s->buf, s->len - 4, NULL, 0) != le32(s->buf + s->len - 4))
		prob(s, s->len - 4, "trailer", "crc", "stream CRC mismatch");

	off = HDR_SIZE;
	for (uint32_t i = 0; i < nsec; i++) {
		struct snap_sec sec = { .offset = off };
		char where[48];
		uint32_t size;
		const uint8_t *p = s->buf + off;

		if (off + SEC_HDR_SIZE > s->len) {
			prob(s, off, "header", "sections", "fewer sections than the header says");
			break;
		}
		sec.tag = le32(p);
		for (int k = 0; k < 4; k++) {
			char ch = (char)(sec.tag >> (8 * k));
			sec.name[k] = (ch >= 0x20 && ch < 0x7f) ? ch : '?';
		}
		sec.flags = le32(p + 4);
		sec.key = le64(p + 8);
		size = le32(p + 16);
		snprintf(where, sizeof(where), "section %u %s", i, sec.name);
		if (off + SEC_HDR_SIZE + size > s->len) {
			prob(s, off, where, "size", "section runs past the end of the stream");
			break;
		}
		if (crc32_of(p, 20, p + SEC_HDR_SIZE, size) != le32(p + 20))
			prob(s, off + 20, where, "crc", "section CRC mismatch");
		if (!strcmp(sec.name, "CONF")) {
			parse_conf(s, &sec, p + SEC_HDR_SIZE, size);
		} else {
			if (size % REC_SIZE)
				prob(s, off + 16, where, "size",
				     "payload is not a whole number of 24-byte records");
			sec.nr_rec = size / REC_SIZE;
			sec.rec = calloc(sec.nr_rec ? sec.nr_rec : 1,
					 sizeof(*sec.rec));
			if (!sec.rec)
				exit(TOOL_USAGE);
			for (size_t r = 0; r < sec.nr_rec; r++) {
				const uint8_t *q = p + SEC_HDR_SIZE + r * REC_SIZE;
				sec.rec[r].group = le32(q);
				sec.rec[r].attr = le64(q + 8);
				sec.rec[r].value = le64(q + 16);
				if (le32(q + 4))
					prob(s, off + SEC_HDR_SIZE + r * REC_SIZE + 4,
					     where, "reserved", "record reserved word not 0");
			}
		}
		s->sec = realloc(s->sec, (s->nr_sec + 1) * sizeof(*s->sec));
		if (!s->sec)
			exit(TOOL_USAGE);
		s->sec[s->nr_sec++] = sec;
		off += SEC_HDR_SIZE + size;
	}
	if (!s->conf.present)
		prob(s, 0, "stream", "CONF", "no CONF section");
	return 0;
}

void snapfile_free(struct snapfile *s)
{
	for (size_t i = 0; i < s->nr_sec; i++)
		free(s->sec[i].rec);
	free(s->sec);
	free(s->conf.mpidr);
	free(s->buf);
	free(s->path);
	problems_free(&s->probs);
}

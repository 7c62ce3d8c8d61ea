/*
 * libvgic fuzzing - snapshot helpers shared by the targets: CRC32 and the
 * framing fix-up of the stream of docs/snapshot.md, the save-the-way-a-VMM-
 * does helper and the save/restore/save round-trip invariant.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

uint32_t fz_crc32(uint32_t crc, const void *buf, size_t len)
{
	static uint32_t table[256];
	const uint8_t *p = buf;

	if (!table[1]) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
			table[i] = c;
		}
	}
	crc = ~crc;
	while (len--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static uint32_t fz_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void fz_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

void fz_snap_fixup(uint8_t *s, size_t len)
{
	size_t pos = 32;
	uint32_t count = 0;

	if (len < 36)
		return;
	for (int i = 0; i < 8; i++)
		s[16 + i] = (uint8_t)((uint64_t)len >> (8 * i));
	while (pos + 24 <= len - 4) {
		size_t room = len - 4 - pos - 24;
		uint32_t psize = fz_get32(s + pos + 16);
		uint32_t crc;

		if (psize > room) {
			psize = (uint32_t)room;
			fz_put32(s + pos + 16, psize);
		}
		crc = fz_crc32(0, s + pos, 20);
		crc = fz_crc32(crc, s + pos + 24, psize);
		fz_put32(s + pos + 20, crc);
		pos += 24 + psize;
		count++;
	}
	fz_put32(s + 24, count);
	fz_put32(s + 28, fz_crc32(0, s, 28));
	fz_put32(s + len - 4, fz_crc32(0, s, len - 4));
}

static uint64_t fz_get64(const uint8_t *p)
{
	return fz_get32(p) | (uint64_t)fz_get32(p + 4) << 32;
}

/* Name the first record that differs in the section holding byte @off. */
static void fz_snap_where(const uint8_t *a, const uint8_t *b, size_t len,
			  size_t off)
{
	size_t pos = 32;

	while (pos + 24 <= len) {
		uint32_t psize = fz_get32(a + pos + 16);
		size_t end = pos + 24 + psize;

		if (end > len)
			return;
		if (off < end) {
			for (size_t r = pos + 24; r + 24 <= end; r += 24) {
				if (!memcmp(a + r, b + r, 24))
					continue;
				fprintf(stderr,
					"  section '%.4s' key 0x%llx record "
					"%zu: group %u attr 0x%llx value "
					"0x%llx, then value 0x%llx\n",
					(const char *)(a + pos),
					(unsigned long long)fz_get64(a + pos +
								     8),
					(r - pos - 24) / 24, fz_get32(a + r),
					(unsigned long long)fz_get64(a + r + 8),
					(unsigned long long)fz_get64(a + r + 16),
					(unsigned long long)fz_get64(b + r +
								     16));
				return;
			}
			return;
		}
		pos = end;
	}
}

int fz_snapshot(struct vgic *v, uint8_t **buf, size_t *len)
{
	size_t need = 0, got = 0;
	int ret;

	*buf = NULL;
	*len = 0;
	ret = vgic_snapshot_save(v, NULL, 0, &need);
	if (ret != -ENOSPC) {
		fz_check_errno(ret, "vgic_snapshot_save size query");
		if (!ret)
			fz_fail("snapshot save with no buffer returned 0");
		return ret;
	}
	*buf = malloc(need ? need : 1);
	if (!*buf)
		fz_fail("out of memory for a %zu-byte snapshot", need);
	ret = vgic_snapshot_save(v, *buf, need, &got);
	if (ret) {
		fz_check_errno(ret, "vgic_snapshot_save");
		free(*buf);
		*buf = NULL;
		return ret;
	}
	if (got > need)
		fz_fail("snapshot of %zu bytes in a %zu-byte buffer", got,
			need);
	*len = got;
	return 0;
}

void fz_snapshot_roundtrip(struct vgic *v, const struct vgic_host_ops *ops,
			   void *opaque, uint32_t nr_vcpus,
			   const uint64_t *mpidr)
{
	struct vgic_config cfg = { .nr_vcpus = nr_vcpus, .mpidr = mpidr };
	uint8_t *s1, *s2;
	size_t l1, l2;
	struct vgic *v2;
	int ret;

	if (fz_snapshot(v, &s1, &l1))
		return;
	ret = vgic_create(&cfg, ops, opaque, &v2);
	if (ret)
		fz_fail("vgic_create: %s", vgic_strerror(ret));
	ret = vgic_snapshot_restore(v2, s1, l1);
	if (ret)
		fz_fail("a snapshot just saved does not restore: %s (%s)",
			vgic_strerror(ret), vgic_last_error(v2));
	ret = fz_snapshot(v2, &s2, &l2);
	if (ret)
		fz_fail("a restored instance cannot be saved: %s",
			vgic_strerror(ret));
	if (l1 != l2)
		fz_fail("snapshot of %zu bytes restores and saves as %zu", l1,
			l2);
	for (size_t i = 0; i < l1; i++)
		if (s1[i] != s2[i]) {
			fz_snap_where(s1, s2, l1, i);
			fz_fail("save/restore/save differs at byte %zu of %zu: "
				"0x%02x then 0x%02x",
				i, l1, s1[i], s2[i]);
		}
	free(s1);
	free(s2);
	vgic_destroy(v2);
}

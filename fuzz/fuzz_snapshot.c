/*
 * libvgic fuzz target 4: the whole-GIC snapshot parser,
 * vgic_snapshot_restore() (stream format: docs/snapshot.md).
 *
 * Input format:
 *   u8  flags: bit 0 fix the framing (sizes, section count, all CRCs) so
 *       that mutations reach the content checks instead of dying on a CRC;
 *       bits 3:1 nr_vcpus - 1 of the destination; bit 4 sparse MPIDRs
 *   u32 stream length L (clamped to what follows), then L stream bytes
 *   then guest-RAM pokes until the end: u32 offset, u16 length, bytes
 *   (ITS tables and LPI tables live in guest RAM, not in the stream)
 *
 * Invariants:
 *  - restore returns 0 or a documented errno;
 *  - on failure the instance is unchanged: a known-good stream for the
 *    same configuration still restores into it, and every guest-RAM byte
 *    the failed restore wrote is back to its old value;
 *  - on success, save/restore/save round-trips to identical bytes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

#define MAX_LOG 4096

/* A host that forwards to the harness and logs every guest-RAM write. */
struct snap_host {
	struct th_host *th;
	struct th_host *sh;  /* its RAM: as the pokes left it */
	uint8_t *shadow;
	struct {
		uint64_t gpa;
		size_t len;
	} log[MAX_LOG];
	uint32_t nr_log;
	bool overflow;
};

static int sh_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	struct snap_host *s = opaque;

	return th_ops.read_guest(s->th, gpa, buf, len);
}

static int sh_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	struct snap_host *s = opaque;

	if (s->nr_log < MAX_LOG) {
		s->log[s->nr_log].gpa = gpa;
		s->log[s->nr_log].len = len;
		s->nr_log++;
	} else {
		s->overflow = true;
	}
	return th_ops.write_guest(s->th, gpa, buf, len);
}

static void sh_kick(void *opaque, uint32_t vcpu)
{
	struct snap_host *s = opaque;

	th_ops.kick_vcpu(s->th, vcpu);
}

static const struct vgic_host_ops sh_ops = {
	.read_guest = sh_read,
	.write_guest = sh_write,
	.kick_vcpu = sh_kick,
};

static bool ram_range_same(const struct snap_host *s, uint64_t gpa,
			   size_t len)
{
	uint64_t off;

	if (gpa < TH_RAM_BASE || gpa - TH_RAM_BASE >= FZ_RAM_SIZE)
		return true; /* the write failed: nothing changed */
	off = gpa - TH_RAM_BASE;
	if (len > FZ_RAM_SIZE - off)
		return true;
	return !memcmp(s->th->ram + off, s->shadow + off, len);
}

static void check_ram_unchanged(const struct snap_host *s, int ret)
{
	if (s->overflow) {
		if (memcmp(s->th->ram, s->shadow, FZ_RAM_SIZE))
			fz_fail("failed restore (%d) left guest RAM changed",
				ret);
		return;
	}
	for (uint32_t i = 0; i < s->nr_log; i++)
		if (!ram_range_same(s, s->log[i].gpa, s->log[i].len))
			fz_fail("failed restore (%d) left %zu bytes at 0x%llx "
				"changed",
				ret, s->log[i].len,
				(unsigned long long)s->log[i].gpa);
}

/* A known-good stream per destination configuration: a fresh GICv3 with
 * no ITS, saved once.  NULL if the library cannot make one. */
static const uint8_t *good_stream(uint32_t nr_vcpus, bool sparse,
				  const uint64_t *mpidr, size_t *len)
{
	static uint8_t *cache[16];
	static size_t cache_len[16];
	static bool tried[16];
	unsigned k = (nr_vcpus - 1) | (sparse ? 8 : 0);

	if (!tried[k]) {
		struct th_host *h = fz_host_new(4096);
		uint32_t nr_its = 0;
		struct vgic *v = fz_vm_v3(h, nr_vcpus, mpidr, 0, &nr_its,
					  NULL, NULL);

		tried[k] = true;
		if (v && fz_snapshot(v, &cache[k], &cache_len[k]))
			cache[k] = NULL;
		vgic_destroy(v);
		fz_host_free(h);
	}
	*len = cache_len[k];
	return cache[k];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t sparse_mpidr[8] = {
		0x000100, 0x000000, 0x010000, 0x0000ff,
		0x000001, 0x020305, 0x000101, 0x010001,
	};
	static struct snap_host sh;
	struct vgic_config cfg = { 0 };
	const uint8_t *good;
	uint8_t *stream;
	size_t slen, glen;
	struct vgic *v;
	struct fz f;
	uint8_t flags;
	int ret;

	memset(&sh, 0, sizeof(sh));
	fz_init(&f, data, size);
	flags = fz_u8(&f);
	cfg.nr_vcpus = 1 + ((flags >> 1) & 7);
	cfg.mpidr = (flags & 0x10) ? sparse_mpidr : NULL;
	slen = fz_u32(&f);
	if (slen > f.n)
		slen = f.n;
	stream = malloc(slen ? slen : 1);
	if (!stream)
		return 0;
	fz_bytes(&f, stream, slen);
	if (flags & 1)
		fz_snap_fixup(stream, slen);

	sh.th = fz_host_new(FZ_RAM_SIZE);
	sh.sh = fz_host_new(FZ_RAM_SIZE);
	sh.shadow = sh.sh->ram;
	while (!fz_done(&f)) {
		uint32_t off = fz_u32(&f) % FZ_RAM_SIZE;
		uint16_t len = fz_u16(&f);

		if (len > FZ_RAM_SIZE - off)
			len = (uint16_t)(FZ_RAM_SIZE - off);
		fz_bytes(&f, sh.th->ram + off, len);
		memcpy(sh.shadow + off, sh.th->ram + off, len);
	}

	good = good_stream(cfg.nr_vcpus, flags & 0x10, cfg.mpidr, &glen);
	ret = vgic_create(&cfg, &sh_ops, &sh, &v);
	if (ret)
		fz_fail("vgic_create: %s", vgic_strerror(ret));
	ret = vgic_snapshot_restore(v, stream, slen);
	fz_check_errno(ret, "vgic_snapshot_restore");
	if (ret) {
		check_ram_unchanged(&sh, ret);
		if (good) {
			int r2 = vgic_snapshot_restore(v, good, glen);

			if (r2)
				fz_fail("after a failed restore (%s) a good "
					"stream no longer restores: %s (%s)",
					vgic_strerror(ret), vgic_strerror(r2),
					vgic_last_error(v));
		}
	} else {
		fz_snapshot_roundtrip(v, &sh_ops, &sh, cfg.nr_vcpus,
				      cfg.mpidr);
	}
	vgic_destroy(v);
	fz_host_free(sh.th);
	fz_host_free(sh.sh);
	free(stream);
	return 0;
}

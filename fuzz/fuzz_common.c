/*
 * libvgic fuzzing - the fake VM shared by the libFuzzer targets: VM
 * construction (GICv3 with up to FZ_MAX_ITS ITSes, GICv2), guest-style LPI
 * and ITS bring-up through MMIO, ITS command encoding and an
 * acknowledge-everything loop on the ICC_* system registers.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "fuzz.h"

void fz_bytes(struct fz *f, void *dst, size_t len)
{
	size_t n = len < f->n ? len : f->n;

	memcpy(dst, f->p, n);
	memset((uint8_t *)dst + n, 0, len - n);
	f->p += n;
	f->n -= n;
}

void fz_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz invariant violated: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void fz_check_errno(int ret, const char *what)
{
	static const int ok[] = { 0,       -EINVAL, -ENXIO,  -EBUSY, -EEXIST,
				  -E2BIG,  -EFAULT, -ENODEV, -ENOMEM, -ENOENT,
				  -ENOSPC, -EACCES, -EPROTO };

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (ret == ok[i])
			return;
	fz_fail("%s returned %d (%s), not a documented result", what, ret,
		vgic_strerror(ret));
}

struct th_host *fz_host_new(size_t ram_size)
{
	struct th_host *h = calloc(1, sizeof(*h));

	if (!h)
		fz_fail("out of memory");
	/* Fresh anonymous pages: zero, and only the touched ones cost. */
	h->ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (h->ram == MAP_FAILED)
		fz_fail("cannot map %zu bytes of guest RAM", ram_size);
	h->ram_base = TH_RAM_BASE;
	h->ram_size = ram_size;
	return h;
}

void fz_host_free(struct th_host *h)
{
	if (!h)
		return;
	munmap(h->ram, h->ram_size);
	free(h);
}

uint64_t fz_mmio_rd(struct vgic *v, uint32_t vcpu, uint64_t gpa, uint32_t len)
{
	uint64_t val = 0;

	if (vgic_mmio_read(v, vcpu, gpa, &val, len))
		return 0;
	return val;
}

void fz_mmio_wr(struct vgic *v, uint32_t vcpu, uint64_t gpa, uint64_t val,
		uint32_t len)
{
	(void)vgic_mmio_write(v, vcpu, gpa, &val, len);
}

/* A setup step failed: tolerated only while the block is a stub. */
static bool fz_setup_ok(int ret, const char *what)
{
	if (!ret)
		return true;
	if (ret == -ENXIO || ret == -ENODEV)
		return false;
	fz_fail("VM setup: %s: %s", what, vgic_strerror(ret));
}

static bool fz_attr(struct vgic_device *d, uint32_t group, uint64_t attr,
		    void *val, const char *what)
{
	return fz_setup_ok(th_set_attr(d, group, attr, val), what);
}

struct vgic *fz_vm_v3(struct th_host *h, uint32_t nr_vcpus,
		      const uint64_t *mpidr, uint32_t nr_irqs,
		      uint32_t *nr_its, struct vgic_device **gic,
		      struct vgic_device **its)
{
	struct vgic_config cfg = { .nr_vcpus = nr_vcpus, .mpidr = mpidr };
	struct vgic_device *g, *d;
	struct vgic *v;
	uint64_t addr;
	uint32_t n = 0;

	if (!fz_setup_ok(vgic_create(&cfg, &th_ops, h, &v), "vgic_create"))
		return NULL;
	if (!fz_setup_ok(vgic_device_create(v, VGIC_DEV_TYPE_V3, &g), "V3"))
		goto err;
	addr = TH_GICD_BASE;
	if (!fz_attr(g, VGIC_GRP_ADDR, VGIC_V3_ADDR_TYPE_DIST, &addr, "dist"))
		goto err;
	addr = TH_GICR_BASE |
	       (uint64_t)nr_vcpus << VGIC_REDIST_REGION_COUNT_SHIFT;
	if (!fz_attr(g, VGIC_GRP_ADDR, VGIC_V3_ADDR_TYPE_REDIST_REGION, &addr,
		     "redist region"))
		goto err;
	for (uint32_t i = 0; nr_its && i < *nr_its && i < FZ_MAX_ITS; i++) {
		if (!fz_setup_ok(vgic_device_create(v, VGIC_DEV_TYPE_ITS, &d),
				 "ITS"))
			break;
		addr = fz_its_base(i);
		if (!fz_attr(d, VGIC_GRP_ADDR, VGIC_ITS_ADDR_TYPE, &addr,
			     "ITS address"))
			goto err;
		if (its)
			its[i] = d;
		n++;
	}
	if (nr_its)
		*nr_its = n;
	if (nr_irqs && !fz_attr(g, VGIC_GRP_NR_IRQS, 0, &nr_irqs, "NR_IRQS"))
		goto err;
	if (!fz_attr(g, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL, "INIT"))
		goto err;
	if (gic)
		*gic = g;
	return v;
err:
	vgic_destroy(v);
	return NULL;
}

struct vgic *fz_vm_v2(struct th_host *h, uint32_t nr_vcpus, uint32_t nr_irqs,
		      struct vgic_device **gic)
{
	struct vgic_config cfg = { .nr_vcpus = nr_vcpus };
	struct vgic_device *g;
	struct vgic *v;
	uint64_t addr;

	if (!fz_setup_ok(vgic_create(&cfg, &th_ops, h, &v), "vgic_create"))
		return NULL;
	if (!fz_setup_ok(vgic_device_create(v, VGIC_DEV_TYPE_V2, &g), "V2"))
		goto err;
	addr = FZ_V2_DIST_BASE;
	if (!fz_attr(g, VGIC_GRP_ADDR, VGIC_V2_ADDR_TYPE_DIST, &addr, "dist"))
		goto err;
	addr = FZ_V2_CPU_BASE;
	if (!fz_attr(g, VGIC_GRP_ADDR, VGIC_V2_ADDR_TYPE_CPU, &addr, "cpu"))
		goto err;
	if (nr_irqs && !fz_attr(g, VGIC_GRP_NR_IRQS, 0, &nr_irqs, "NR_IRQS"))
		goto err;
	if (!fz_attr(g, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL, "INIT"))
		goto err;
	if (gic)
		*gic = g;
	return v;
err:
	vgic_destroy(v);
	return NULL;
}

void fz_cpu_on(struct vgic *v, uint32_t nr_vcpus)
{
	/* EnableGrp0 | EnableGrp1A | ARE_S. */
	fz_mmio_wr(v, 0, TH_GICD_BASE + FZ_GICD_CTLR, 0x13, 4);
	for (uint32_t i = 0; i < nr_vcpus; i++) {
		vgic_sysreg_write(v, i, VGIC_ICC_PMR_EL1, 0xff);
		vgic_sysreg_write(v, i, VGIC_ICC_IGRPEN0_EL1, 1);
		vgic_sysreg_write(v, i, VGIC_ICC_IGRPEN1_EL1, 1);
	}
}

/* Inner shareable, read-allocate write-back: KVM's default attributes
 * (PROPBASER/PENDBASER layout). */
#define FZ_TABLE_ATTRS 0x580ull
/* GITS_BASER: Type and Entry_Size (read-only), and the attributes we set:
 * InnerCache RaWb, InnerShareable, PageSize 64 KiB. */
#define FZ_BASER_RO 0x071f000000000000ull
#define FZ_BASER_ATTRS (3ull << 59 | 1ull << 10 | 2ull << 8)

void fz_lpis_on(struct vgic *v, struct th_host *h, uint32_t nr_vcpus,
		unsigned idbits, uint32_t nr_cfg)
{
	uint8_t *prop = th_ram(h, FZ_PROP);

	if (nr_cfg > 0x10000 - VGIC_MIN_LPI_FZ)
		nr_cfg = 0x10000 - VGIC_MIN_LPI_FZ;
	memset(prop, 0xa1, nr_cfg);
	fz_mmio_wr(v, 0, fz_rd_base(0) + FZ_GICR_PROPBASER,
		   FZ_PROP | FZ_TABLE_ATTRS | ((idbits - 1) & 0x1f), 8);
	for (uint32_t i = 0; i < nr_vcpus; i++) {
		fz_mmio_wr(v, i, fz_rd_base(i) + FZ_GICR_PENDBASER,
			   FZ_PEND(i) | FZ_TABLE_ATTRS, 8);
		fz_mmio_wr(v, i, fz_rd_base(i) + FZ_GICR_CTLR, 1, 4);
	}
}

void fz_its_on(struct vgic *v, struct th_host *h, uint32_t its,
	       bool indirect, unsigned q_pages, bool enable)
{
	uint64_t base = fz_its_base(its);
	uint64_t b0, b1;

	if (indirect) {
		uint64_t *l1 = th_ram(h, FZ_DT(its));

		/* Two valid L1 entries: DeviceIDs 0..16383. */
		l1[0] = (1ull << 63) | FZ_L2(its);
		l1[1] = (1ull << 63) | (FZ_L2(its) + 0x10000);
	}
	b0 = fz_mmio_rd(v, 0, base + FZ_GITS_BASER0, 8);
	b1 = fz_mmio_rd(v, 0, base + FZ_GITS_BASER1, 8);
	/* Keep the read-only Type and Entry_Size fields; Valid, Indirect,
	 * RaWb inner-shareable, 64 KiB pages, one page, the address. */
	b0 = (b0 & FZ_BASER_RO) | 1ull << 63 | (indirect ? 1ull << 62 : 0) |
	     FZ_BASER_ATTRS | FZ_DT(its);
	b1 = (b1 & FZ_BASER_RO) | 1ull << 63 | FZ_BASER_ATTRS | FZ_CT(its);
	fz_mmio_wr(v, 0, base + FZ_GITS_BASER0, b0, 8);
	fz_mmio_wr(v, 0, base + FZ_GITS_BASER1, b1, 8);
	if (!q_pages || q_pages > 16)
		q_pages = 16;
	fz_mmio_wr(v, 0, base + FZ_GITS_CBASER,
		   1ull << 63 | 3ull << 59 | 1ull << 10 | FZ_CMDQ(its) |
			   (q_pages - 1),
		   8);
	if (enable)
		fz_mmio_wr(v, 0, base + FZ_GITS_CTLR, 1, 4);
}

const uint8_t fz_cmd_ops[16] = {
	FZ_CMD_MAPD,  FZ_CMD_MAPC,   FZ_CMD_MAPTI,   FZ_CMD_MAPI,
	FZ_CMD_INT,   FZ_CMD_CLEAR,  FZ_CMD_DISCARD, FZ_CMD_MOVI,
	FZ_CMD_INV,   FZ_CMD_INVALL, FZ_CMD_SYNC,    FZ_CMD_MOVALL,
	FZ_CMD_MAPD,  FZ_CMD_MAPTI,  FZ_CMD_MAPC,    FZ_CMD_INT,
};

void fz_cmd_encode(const struct fz_cmd *c, uint64_t dw[4])
{
	dw[0] = c->op | (uint64_t)c->devid << 32;
	dw[1] = c->eventid | (uint64_t)c->pintid << 32;
	dw[2] = c->icid & 0xffff;
	dw[3] = 0;
	switch (c->op) {
	case FZ_CMD_MAPD:
		dw[1] = c->size & 0x1f;
		dw[2] = c->itt & 0x000fffffffffff00ull;
		break;
	case FZ_CMD_MAPC:
		dw[2] |= ((uint64_t)c->rd << 16);
		break;
	case FZ_CMD_MOVALL:
		dw[2] = (uint64_t)c->rd << 16;
		dw[3] = (uint64_t)c->rd2 << 16;
		break;
	default:
		break;
	}
	if (c->valid)
		dw[2] |= 1ull << 63;
}

void fz_its_queue(struct th_host *h, uint64_t q, uint64_t q_bytes,
		  uint64_t *wr, const struct fz_cmd *c)
{
	uint64_t dw[4];

	fz_cmd_encode(c, dw);
	memcpy(th_ram(h, q + *wr), dw, sizeof(dw));
	*wr = (*wr + 32) % q_bytes;
}

void fz_its_kick(struct vgic *v, uint32_t its, uint64_t wr)
{
	fz_mmio_wr(v, 0, fz_its_base(its) + FZ_GITS_CWRITER, wr, 8);
}

static bool fz_special(uint64_t id)
{
	return id >= 1020 && id < VGIC_MIN_LPI_FZ;
}

uint32_t fz_ack_all(struct vgic *v, uint32_t vcpu, uint32_t *out,
		    uint32_t max, uint32_t limit)
{
	uint32_t n = 0;

	while (n < limit) {
		bool irq = vgic_vcpu_irq_pending(v, vcpu);
		uint32_t eoi = VGIC_ICC_EOIR1_EL1;
		uint64_t id = VGIC_SPURIOUS_FZ;

		if (vgic_sysreg_read(v, vcpu, VGIC_ICC_IAR1_EL1, &id))
			break;
		if (!fz_special(id) && !irq)
			fz_fail("vCPU %u: IAR1 acknowledged INTID %llu while "
				"the IRQ output was low",
				vcpu, (unsigned long long)id);
		if (fz_special(id)) {
			/* Maybe the highest priority one is group 0 (FIQ). */
			eoi = VGIC_ICC_EOIR0_EL1;
			if (vgic_sysreg_read(v, vcpu, VGIC_ICC_IAR0_EL1, &id))
				break;
			if (fz_special(id)) {
				if (irq)
					fz_fail("vCPU %u: IRQ output asserted "
						"but nothing to acknowledge",
						vcpu);
				break;
			}
		}
		if (out && n < max)
			out[n] = (uint32_t)id;
		n++;
		vgic_sysreg_write(v, vcpu, eoi, id);
	}
	return n;
}

void fz_check_msi(int ret)
{
	if (ret != 1 && ret != 0 && ret != -EBUSY)
		fz_fail("signal_msi returned %d", ret);
}

static int fz_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

void fz_sign(struct vgic *v, uint32_t nr_vcpus, const struct fz_probe *p,
	     uint32_t nr, struct fz_sig *s)
{
	memset(s, 0, sizeof(*s));
	for (uint32_t i = 0; i < nr && i < FZ_MAX_PROBES; i++) {
		int ret = vgic_signal_msi(v, p[i].doorbell, p[i].devid,
					  p[i].eventid);

		fz_check_msi(ret);
		s->msi[i] = (int8_t)ret;
	}
	for (uint32_t c = 0; c < nr_vcpus && c < FZ_MAX_VCPUS; c++) {
		uint32_t n = fz_ack_all(v, c, s->acked[c], FZ_MAX_PROBES,
					16 * FZ_MAX_PROBES);

		s->nr_acked[c] = n < FZ_MAX_PROBES ? n : FZ_MAX_PROBES;
		qsort(s->acked[c], s->nr_acked[c], sizeof(uint32_t),
		      fz_cmp_u32);
	}
}

void fz_sig_compare(const struct fz_sig *a, const struct fz_sig *b,
		    const struct fz_probe *p, uint32_t nr, uint32_t nr_vcpus,
		    bool acks)
{
	for (uint32_t i = 0; i < nr && i < FZ_MAX_PROBES; i++)
		if (a->msi[i] != b->msi[i])
			fz_fail("doorbell 0x%llx DeviceID %u EventID %u: MSI "
				"gives %d before save, %d after restore",
				(unsigned long long)p[i].doorbell, p[i].devid,
				p[i].eventid, a->msi[i], b->msi[i]);
	if (!acks)
		return;
	for (uint32_t c = 0; c < nr_vcpus && c < FZ_MAX_VCPUS; c++) {
		if (a->nr_acked[c] != b->nr_acked[c])
			fz_fail("vCPU %u: %u LPIs acknowledged before save, "
				"%u after restore",
				c, a->nr_acked[c], b->nr_acked[c]);
		for (uint32_t k = 0; k < a->nr_acked[c]; k++)
			if (a->acked[c][k] != b->acked[c][k])
				fz_fail("vCPU %u: LPI %u acknowledged before "
					"save, %u after restore",
					c, a->acked[c][k], b->acked[c][k]);
	}
}

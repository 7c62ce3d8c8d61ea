/*
 * vgic-vmm - the VM snapshot format (docs in --help and below), used by
 * --save/--restore and live migration.
 *
 * Layout (little-endian):
 *   header  "VGICVMM\0", u32 version (1), u32 header size (32),
 *           u64 payload length, u32 CRC-32 (IEEE) of the payload, u32 0
 *   payload sections, each u32 tag, u32 0, u64 length, data:
 *     CONF  u32 nr_vcpus, u32 gic version, u32 has_its, u32 0,
 *           u64 RAM base, u64 RAM size, u64 counter, u64 stop time (ns,
 *           CLOCK_REALTIME of the source, for downtime accounting)
 *     CPU   one per vCPU: u32 id, u32 nregs, u64 MPIDR, u32 flags
 *           (1 powered, 2 in WFI), u32 0, u64 CNTV_CTL, CNTV_CVAL,
 *           CNTP_CTL, CNTP_CVAL, then nregs x { char name[16], u64 value }
 *           (architectural registers by name, never emulator internals)
 *     DEVS  PL011 (registers and RX FIFO), MSI source
 *     GIC   libvgic's whole-GIC snapshot (vgic_snapshot_save), opaque
 *     RAM   u64 page size, u64 count, count x { u64 page index, page }
 *           (all-zero pages are left out)
 *     END   empty
 * A reader rejects a bad magic, another version, a CRC mismatch, unknown
 * register names, and sections that do not fit: never a crash.
 */
#include "vmm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define SNAP_MAGIC "VGICVMM"
#define SNAP_VERSION 1u
#define SNAP_HDR 32u
#define TAG(a, b, c, d)                                                       \
	((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 |            \
	 (uint32_t)(d) << 24)
#define TAG_CONF TAG('C', 'O', 'N', 'F')
#define TAG_CPU TAG('C', 'P', 'U', ' ')
#define TAG_DEVS TAG('D', 'E', 'V', 'S')
#define TAG_GIC TAG('G', 'I', 'C', ' ')
#define TAG_RAM TAG('R', 'A', 'M', ' ')
#define TAG_END TAG('E', 'N', 'D', ' ')
#define REG_NAME 16

/*
 * libvgic's whole-GIC snapshot.  While a libvgic without it is built
 * (the call lands on main separately), migration reports that clearly.
 */
#ifdef VMM_HAVE_GIC_SNAPSHOT
static int gic_save(struct vgic *v, void *buf, size_t cap, size_t *len)
{
	return vgic_snapshot_save(v, buf, cap, len);
}

static int gic_restore(struct vgic *v, const void *buf, size_t len)
{
	return vgic_snapshot_restore(v, buf, len);
}
#else
static int gic_save(struct vgic *v, void *buf, size_t cap, size_t *len)
{
	(void)v;
	(void)buf;
	(void)cap;
	(void)len;
	vmm_err("this libvgic has no vgic_snapshot_save()");
	return -ENOSYS;
}

static int gic_restore(struct vgic *v, const void *buf, size_t len)
{
	(void)v;
	(void)buf;
	(void)len;
	vmm_err("this libvgic has no vgic_snapshot_restore()");
	return -ENOSYS;
}
#endif

/* ---- growable output buffer ------------------------------------------------ */
struct obuf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static void *ob_reserve(struct obuf *b, size_t n)
{
	if (b->oom)
		return NULL;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		uint8_t *p;

		while (cap < b->len + n)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return NULL;
		}
		b->p = p;
		b->cap = cap;
	}
	b->len += n;
	return b->p + b->len - n;
}

static void ob_put(struct obuf *b, const void *d, size_t n)
{
	void *p = ob_reserve(b, n);

	if (p && n)
		memcpy(p, d, n);
}

static void ob_u32(struct obuf *b, uint32_t v) { ob_put(b, &v, 4); }
static void ob_u64(struct obuf *b, uint64_t v) { ob_put(b, &v, 8); }

static size_t ob_section(struct obuf *b, uint32_t tag)
{
	ob_u32(b, tag);
	ob_u32(b, 0);
	ob_u64(b, 0);
	return b->len;
}

static void ob_end_section(struct obuf *b, size_t start)
{
	uint64_t len = b->len - start;

	if (!b->oom)
		memcpy(b->p + start - 8, &len, 8);
}

/* ---- input cursor ------------------------------------------------------------- */
struct ibuf {
	const uint8_t *p;
	size_t len, pos;
	bool bad;
};

static const void *ib_get(struct ibuf *b, size_t n)
{
	if (b->bad || n > b->len - b->pos) {
		b->bad = true;
		return NULL;
	}
	b->pos += n;
	return b->p + b->pos - n;
}

static uint32_t ib_u32(struct ibuf *b)
{
	const void *p = ib_get(b, 4);
	uint32_t v = 0;

	if (p)
		memcpy(&v, p, 4);
	return v;
}

static uint64_t ib_u64(struct ibuf *b)
{
	const void *p = ib_get(b, 8);
	uint64_t v = 0;

	if (p)
		memcpy(&v, p, 8);
	return v;
}

/* ---- CRC-32 (IEEE 802.3, reflected) ----------------------------------------- */
static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
	static uint32_t table[256];
	static bool ready;
	uint32_t crc = 0xffffffffu;

	if (!ready) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
			table[i] = c;
		}
		ready = true;
	}
	for (size_t i = 0; i < n; i++)
		crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
	return crc ^ 0xffffffffu;
}

/* ---- save ------------------------------------------------------------------------ */

static bool page_is_zero(const uint8_t *p)
{
	static const uint8_t zero[VMM_PAGE];

	return !memcmp(p, zero, VMM_PAGE);
}

static void save_ram(struct vm *vm, struct obuf *b)
{
	uint64_t npages = vm->ram_size / VMM_PAGE, count = 0;
	unsigned char *resident = malloc(npages);
	size_t start = ob_section(b, TAG_RAM), count_at;

	/* Pages never touched are not resident: they are zero, skip them. */
	if (resident && mincore(vm->ram, vm->ram_size, resident))
		memset(resident, 1, npages);
	ob_u64(b, VMM_PAGE);
	count_at = b->len;
	ob_u64(b, 0);
	for (uint64_t i = 0; i < npages; i++) {
		const uint8_t *pg = vm->ram + i * VMM_PAGE;

		if (resident && !(resident[i] & 1))
			continue;
		if (page_is_zero(pg))
			continue;
		ob_u64(b, i);
		ob_put(b, pg, VMM_PAGE);
		count++;
	}
	free(resident);
	if (!b->oom)
		memcpy(b->p + count_at, &count, 8);
	ob_end_section(b, start);
}

static int save_cpu(struct vcpu *c, struct obuf *b)
{
	size_t n = vcpu_reg_count(), start = ob_section(b, TAG_CPU);

	ob_u32(b, c->id);
	ob_u32(b, (uint32_t)n);
	ob_u64(b, c->mpidr);
	ob_u32(b, (c->powered ? 1u : 0) | (c->wfi ? 2u : 0));
	ob_u32(b, 0);
	for (int t = 0; t < 2; t++) {
		ob_u64(b, c->timer[t].ctl);
		ob_u64(b, c->timer[t].cval);
	}
	for (size_t i = 0; i < n; i++) {
		char name[REG_NAME] = { 0 };
		uint64_t val = 0;

		if (vcpu_reg_get(c, i, &val)) {
			vmm_err("vCPU %u: cannot read %s", c->id,
				vcpu_reg_desc(i)->name);
			return -EIO;
		}
		strncpy(name, vcpu_reg_desc(i)->name, REG_NAME - 1);
		ob_put(b, name, REG_NAME);
		ob_u64(b, val);
	}
	ob_end_section(b, start);
	return 0;
}

static void save_devs(struct vm *vm, struct obuf *b)
{
	struct uart *u = &vm->uart;
	size_t start = ob_section(b, TAG_DEVS);
	uint32_t regs[9] = { u->cr, u->lcr_h, u->ibrd, u->fbrd, u->ifls,
			     u->imsc, u->ris, u->dmacr, u->ilpr };

	ob_put(b, regs, sizeof(regs));
	ob_u32(b, u->rx_count);
	for (uint32_t i = 0; i < UART_FIFO; i++)
		ob_put(b, &u->rx[(u->rx_head + i) % UART_FIFO], 1);
	ob_u32(b, vm->msi.devid);
	ob_u32(b, vm->msi.sent);
	ob_u32(b, vm->msi.dropped);
	ob_u32(b, (uint32_t)vm->msi.last);
	ob_end_section(b, start);
}

/* The GIC first: the snapshot call writes ITS tables and LPI pending
 * tables into guest RAM, which is saved after it. */
static int save_gic(struct vm *vm, struct obuf *b, size_t *gic_len)
{
	size_t need = 0, start;
	void *p;
	int ret;

	ret = gic_save(vm->gic, NULL, 0, &need);
	if (ret != -ENOSPC && ret != 0) {
		vmm_err("vgic_snapshot_save: %s", vgic_strerror(ret));
		return ret;
	}
	start = ob_section(b, TAG_GIC);
	p = ob_reserve(b, need);
	if (!p)
		return -ENOMEM;
	memset(vm->written_map, 0, vm->ram_size / VMM_PAGE / 8 + 1);
	vm->pages_written = 0;
	vm->count_writes = true;
	ret = gic_save(vm->gic, p, need, &need);
	vm->count_writes = false;
	if (ret) {
		vmm_err("vgic_snapshot_save: %s", vgic_strerror(ret));
		return ret;
	}
	b->len = start + need;
	ob_end_section(b, start);
	*gic_len = need;
	return 0;
}

int vmm_snapshot_save(struct vm *vm, uint8_t **out, size_t *len,
		  uint64_t stop_wall_ns, size_t *gic_len)
{
	struct obuf b = { 0 };
	uint32_t crc;
	size_t start;
	int ret;

	ob_reserve(&b, SNAP_HDR);
	start = ob_section(&b, TAG_CONF);
	ob_u32(&b, vm->nr_vcpus);
	ob_u32(&b, (uint32_t)vm->gic_version);
	ob_u32(&b, vm->has_its);
	ob_u32(&b, 0);
	ob_u64(&b, vm->ram_base);
	ob_u64(&b, vm->ram_size);
	ob_u64(&b, vtimer_counter(vm));
	ob_u64(&b, stop_wall_ns);
	ob_end_section(&b, start);
	if ((ret = save_gic(vm, &b, gic_len)))
		goto fail;
	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		if ((ret = save_cpu(&vm->vcpu[i], &b)))
			goto fail;
	save_devs(vm, &b);
	save_ram(vm, &b);
	ob_section(&b, TAG_END);
	if (b.oom) {
		ret = -ENOMEM;
		goto fail;
	}
	memcpy(b.p, SNAP_MAGIC, 8);
	{
		uint32_t v = SNAP_VERSION, h = SNAP_HDR, z = 0;
		uint64_t plen = b.len - SNAP_HDR;

		memcpy(b.p + 8, &v, 4);
		memcpy(b.p + 12, &h, 4);
		memcpy(b.p + 16, &plen, 8);
		crc = crc32_ieee(b.p + SNAP_HDR, b.len - SNAP_HDR);
		memcpy(b.p + 24, &crc, 4);
		memcpy(b.p + 28, &z, 4);
	}
	*out = b.p;
	*len = b.len;
	return 0;
fail:
	free(b.p);
	return ret;
}

/* ---- restore ---------------------------------------------------------------------- */

struct sections {
	struct ibuf conf, gic, devs, ram;
	struct ibuf cpu[VMM_MAX_VCPUS];
	uint32_t nr_cpu;
};

static int check_and_split(const uint8_t *buf, size_t len, struct sections *s)
{
	uint32_t version, hsize, crc;
	uint64_t plen;
	struct ibuf in;
	bool end = false;

	memset(s, 0, sizeof(*s));
	if (len < SNAP_HDR || memcmp(buf, SNAP_MAGIC, 8)) {
		vmm_err("snapshot: not a vgic-vmm snapshot (bad magic)");
		return -EINVAL;
	}
	memcpy(&version, buf + 8, 4);
	memcpy(&hsize, buf + 12, 4);
	memcpy(&plen, buf + 16, 8);
	memcpy(&crc, buf + 24, 4);
	if (version != SNAP_VERSION || hsize != SNAP_HDR) {
		vmm_err("snapshot: format version %u is not supported (this "
			"vgic-vmm reads version %u)", version, SNAP_VERSION);
		return -EPROTO;
	}
	if (plen != len - SNAP_HDR) {
		vmm_err("snapshot: truncated or oversized (header says %llu "
			"payload bytes, have %zu)", (unsigned long long)plen,
			len - SNAP_HDR);
		return -EINVAL;
	}
	if (crc32_ieee(buf + SNAP_HDR, len - SNAP_HDR) != crc) {
		vmm_err("snapshot: checksum mismatch (corrupt)");
		return -EINVAL;
	}
	in = (struct ibuf){ .p = buf, .len = len, .pos = SNAP_HDR };
	while (!end) {
		uint32_t tag = ib_u32(&in);
		uint64_t slen;
		const uint8_t *data;
		struct ibuf sec;

		ib_u32(&in);
		slen = ib_u64(&in);
		if (in.bad || slen > in.len - in.pos) {
			vmm_err("snapshot: section overruns the stream");
			return -EINVAL;
		}
		data = ib_get(&in, (size_t)slen);
		sec = (struct ibuf){ .p = data, .len = (size_t)slen };
		switch (tag) {
		case TAG_CONF: s->conf = sec; break;
		case TAG_GIC: s->gic = sec; break;
		case TAG_DEVS: s->devs = sec; break;
		case TAG_RAM: s->ram = sec; break;
		case TAG_CPU:
			if (s->nr_cpu == VMM_MAX_VCPUS) {
				vmm_err("snapshot: too many vCPUs");
				return -EINVAL;
			}
			s->cpu[s->nr_cpu++] = sec;
			break;
		case TAG_END: end = true; break;
		default:
			vmm_err("snapshot: unknown section 0x%08x", tag);
			return -EINVAL;
		}
	}
	if (!s->conf.p || !s->gic.p || !s->devs.p || !s->ram.p) {
		vmm_err("snapshot: a mandatory section is missing");
		return -EINVAL;
	}
	return 0;
}

/* Fill the machine configuration (vCPUs, GIC, RAM) from a snapshot. */
int vmm_snapshot_peek_config(const uint8_t *buf, size_t len, struct vm *vm)
{
	struct sections *s = malloc(sizeof(*s));
	uint32_t nr, gic, its;
	uint64_t base, size;
	int ret;

	if (!s)
		return -ENOMEM;
	ret = check_and_split(buf, len, s);
	if (ret)
		goto out;
	nr = ib_u32(&s->conf);
	gic = ib_u32(&s->conf);
	its = ib_u32(&s->conf);
	ib_u32(&s->conf);
	base = ib_u64(&s->conf);
	size = ib_u64(&s->conf);
	ret = -EINVAL;
	if (s->conf.bad || !nr || nr > VMM_MAX_VCPUS || (gic != 2 && gic != 3) ||
	    (gic == 2 && nr > VMM_MAX_VCPUS_V2) || base != VIRT_RAM_BASE ||
	    !size || size % VMM_PAGE || size > (1ull << 36) ||
	    s->nr_cpu != nr) {
		vmm_err("snapshot: unsupported machine configuration");
		goto out;
	}
	if ((vm->opt.smp_set && vm->opt.smp != nr) ||
	    (vm->opt.gic_set && vm->opt.gic != (int)gic) ||
	    (vm->opt.ram_set && vm->opt.ram_size != size)) {
		vmm_err("snapshot: incompatible with the command line (snapshot "
			"has %u vCPUs, GICv%u, %llu MiB RAM)", nr, gic,
			(unsigned long long)(size >> 20));
		goto out;
	}
	vm->opt.smp = nr;
	vm->opt.gic = (int)gic;
	vm->opt.its = its != 0;
	vm->opt.ram_size = size;
	ret = 0;
out:
	free(s);
	return ret;
}

static int restore_ram(struct vm *vm, struct ibuf *r)
{
	uint64_t psize = ib_u64(r), count = ib_u64(r);

	if (r->bad || psize != VMM_PAGE) {
		vmm_err("snapshot: bad RAM section");
		return -EINVAL;
	}
	for (uint64_t i = 0; i < count; i++) {
		uint64_t idx = ib_u64(r);
		const void *pg = ib_get(r, VMM_PAGE);

		if (r->bad || idx >= vm->ram_size / VMM_PAGE) {
			vmm_err("snapshot: bad RAM page");
			return -EINVAL;
		}
		memcpy(vm->ram + idx * VMM_PAGE, pg, VMM_PAGE);
	}
	return 0;
}

static int restore_cpu(struct vm *vm, struct ibuf *r)
{
	uint32_t id = ib_u32(r), nregs = ib_u32(r), flags;
	uint64_t mpidr = ib_u64(r);
	struct vcpu *c;

	if (r->bad || id >= vm->nr_vcpus) {
		vmm_err("snapshot: bad vCPU section");
		return -EINVAL;
	}
	c = &vm->vcpu[id];
	if (mpidr != c->mpidr) {
		vmm_err("snapshot: vCPU %u MPIDR mismatch", id);
		return -EINVAL;
	}
	flags = ib_u32(r);
	ib_u32(r);
	for (int t = 0; t < 2; t++) {
		c->timer[t].ctl = ib_u64(r) & 3;
		c->timer[t].cval = ib_u64(r);
		c->timer[t].level = false;
	}
	c->powered = flags & 1;
	c->wfi = (flags & 2) != 0;
	for (uint32_t k = 0; k < nregs; k++) {
		const char *name = ib_get(r, REG_NAME);
		uint64_t val = ib_u64(r);
		size_t i;

		if (r->bad || memchr(name, 0, REG_NAME) == NULL) {
			vmm_err("snapshot: bad register record");
			return -EINVAL;
		}
		for (i = 0; i < vcpu_reg_count(); i++)
			if (!strcmp(vcpu_reg_desc(i)->name, name))
				break;
		if (i == vcpu_reg_count()) {
			vmm_err("snapshot: unknown register %s", name);
			return -EINVAL;
		}
		if (vcpu_reg_set(c, i, val)) {
			vmm_err("snapshot: cannot set %s on vCPU %u", name, id);
			return -EIO;
		}
	}
	c->kick = true;
	return 0;
}

static int restore_devs(struct vm *vm, struct ibuf *r)
{
	struct uart *u = &vm->uart;
	uint32_t regs[9];
	const void *p = ib_get(r, sizeof(regs));
	const uint8_t *fifo;

	if (p)
		memcpy(regs, p, sizeof(regs));
	u->rx_count = ib_u32(r);
	fifo = ib_get(r, UART_FIFO);
	vm->msi.devid = ib_u32(r);
	vm->msi.sent = ib_u32(r);
	vm->msi.dropped = ib_u32(r);
	vm->msi.last = (int32_t)ib_u32(r);
	if (r->bad || u->rx_count > UART_FIFO) {
		vmm_err("snapshot: bad device section");
		u->rx_count = 0;
		return -EINVAL;
	}
	u->cr = regs[0]; u->lcr_h = regs[1]; u->ibrd = regs[2];
	u->fbrd = regs[3]; u->ifls = regs[4]; u->imsc = regs[5];
	u->ris = regs[6]; u->dmacr = regs[7]; u->ilpr = regs[8];
	memcpy(u->rx, fifo, UART_FIFO);
	u->rx_head = 0;
	return 0;
}

/* Apply a snapshot to a machine created from its configuration. */
int vmm_snapshot_restore(struct vm *vm, const uint8_t *buf, size_t len,
		     uint64_t *stop_wall_ns)
{
	struct sections *s = malloc(sizeof(*s));
	uint64_t counter;
	int ret;

	if (!s)
		return -ENOMEM;
	ret = check_and_split(buf, len, s);
	if (ret)
		goto out;
	s->conf.pos = 32;
	counter = ib_u64(&s->conf);
	*stop_wall_ns = ib_u64(&s->conf);
	if ((ret = restore_ram(vm, &s->ram)))
		goto out;
	ret = gic_restore(vm->gic, s->gic.p, s->gic.len);
	if (ret) {
		vmm_err("vgic_snapshot_restore: %s: %s", vgic_strerror(ret),
			vgic_last_error(vm->gic));
		goto out;
	}
	for (uint32_t i = 0; i < s->nr_cpu; i++)
		if ((ret = restore_cpu(vm, &s->cpu[i])))
			goto out;
	if ((ret = restore_devs(vm, &s->devs)))
		goto out;
	vtimer_set_counter(vm, counter);
	vm->uart.level = false;
	pl011_update_irq(vm);
	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		vtimer_update(&vm->vcpu[i]);
out:
	free(s);
	return ret;
}

/*
 * libvgic - GICv4 / GICv4.1 direct injection: forwarding of guest LPIs to a
 * hardware backend (struct vgic_v4_ops), the mirroring of the guest's ITS
 * commands into it, vPE residency and doorbells, vSGIs
 * (GICD_CTLR.nASSGIreq), and the VPT read around SAVE_PENDING_TABLES.
 * Facts: KVM ABI reference §6 (vgic-v4.c, vgic-v3.c), §7.10, §7.11.
 *
 * State (struct vgic_v4, allocated by vgic_v4_attach(), NULL otherwise):
 *  - hirq[]: per LPI, the host IRQ + 1 that injects it (0: emulated).  It is
 *    read lock-free by the MSI path, written under v->lock.
 *  - fwd[]: the forwardings, with the ITE they were resolved through and
 *    the vPE the backend currently targets.
 *  - per vCPU: vPE mapped, doorbell pending.
 *
 * vPEs are mapped lazily (first run, vSGI configuration), so a VM that never
 * ran has none mapped and its VPTs can be read at any time.
 *
 * IMPDEF: a backend without its own virtual CPU interface (the software
 * model) delivers a resident vPE's interrupts into the emulated CPU
 * interface (vgic_v4_deliver()).  vSGIs therefore live in the backend only
 * while the vCPU is not running: they are moved there when it stops and
 * handed back when it runs, and GICR_ISPENDR0 shows the union.
 */
#include "its.h"
#include "mmio.h"
#include "v4.h"

#include <vgic/v4.h>

struct v4_fwd {
	const struct vgic_its *its;
	uint32_t devid, eventid;
	uint32_t intid;
	uint32_t host_irq;
	uint32_t vpe; /* where the backend has it */
};

struct vgic_v4 {
	struct vgic_v4_ops ops;
	void *be;
	bool vsgi_cap;           /* GICv4.1 with the vSGI callbacks */
	bool vsgi_on;            /* SGIs are vSGIs (nASSGIreq honoured) */
	bool in_save;            /* between save_begin and save_end */
	struct vgic_v4_model *model; /* attached by vgic_v4_attach_model */
	_Atomic uint32_t *hirq;  /* [VGIC_NR_LPIS] host IRQ + 1, 0 = none */
	struct v4_fwd *fwd;      /* [cap_fwd] */
	uint32_t nr_fwd, cap_fwd;
	bool *vpe_mapped;        /* [nr_vcpus] */
	bool *save_unmapped;     /* [nr_vcpus] unmapped by save_begin */
	_Atomic bool *db;        /* [nr_vcpus] doorbell pending */
	uint64_t *vpt_snap;      /* [VGIC_NR_LPIS / 64] VPT bits at save */
};

static bool lpi_index(uint32_t intid, uint32_t *idx)
{
	if (intid < VGIC_MIN_LPI || intid > VGIC_MAX_LPI_INTID)
		return false;
	*idx = intid - VGIC_MIN_LPI;
	return true;
}

/* ---- lock-free ------------------------------------------------------------ */

bool vgic__v4_forwarded_slow(struct vgic_v4 *v4, uint32_t intid)
{
	uint32_t idx;

	return lpi_index(intid, &idx) &&
	       atomic_load_explicit(&v4->hirq[idx], memory_order_acquire);
}

bool vgic__v4_msi_slow(struct vgic *v, struct vgic_v4 *v4, uint32_t intid)
{
	uint32_t idx, h;

	(void)v;
	if (!lpi_index(intid, &idx))
		return false;
	h = atomic_load_explicit(&v4->hirq[idx], memory_order_acquire);
	if (!h)
		return false;
	/* The forwarding may be undone concurrently: the backend then no
	 * longer knows host_irq and the caller injects in software. */
	return v4->ops.vlpi_set_pending(v4->be, h - 1, true) == 0;
}

bool vgic__v4_db_slow(struct vgic_v4 *v4, uint32_t vcpu)
{
	return atomic_load_explicit(&v4->db[vcpu], memory_order_acquire);
}

void vgic_v4_doorbell(struct vgic *v, uint32_t vpe)
{
	struct vgic_v4 *v4;

	if (!v || vpe >= v->nr_vcpus)
		return;
	v4 = vgic__v4(v);
	if (!v4)
		return;
	atomic_store_explicit(&v4->db[vpe], true, memory_order_release);
	vgic__kick(v, vpe);
}

/* Make LPI @intid pending in the emulated state, as the MSI path does. */
static void lpi_set_pending(struct vgic *v, uint32_t intid, uint32_t vpe)
{
	uint32_t t;

	if (!v->lpi.pending)
		return;
	t = atomic_load_explicit(&v->lpi.target[intid - VGIC_MIN_LPI],
				 memory_order_acquire);
	vgic__lpi_set_pending(v, intid, t < v->nr_vcpus ? t : vpe);
}

void vgic_v4_deliver(struct vgic *v, uint32_t vpe, uint32_t intid)
{
	if (!v || vpe >= v->nr_vcpus || !vgic__v4(v))
		return;
	if (intid < VGIC_NR_SGIS) {
		/* Only from within an ops callback: v->lock is held. */
		v->vcpu[vpe].priv[intid].pending_latch = true;
		vgic__update_vcpu(v, vpe);
	} else if (intid >= VGIC_MIN_LPI && intid <= VGIC_MAX_LPI_INTID) {
		lpi_set_pending(v, intid, vpe);
	}
}

/* ---- attach and lifetime -------------------------------------------------- */

static void fwd_drop(struct vgic_v4 *v4, struct v4_fwd *f);

static bool ops_valid(const struct vgic_v4_ops *o)
{
	if (o->version != VGIC_V4_0 && o->version != VGIC_V4_1)
		return false;
	return o->vpe_map && o->vpe_unmap && o->vpe_schedule && o->vlpi_map &&
	       o->vlpi_unmap && o->vlpi_move && o->vlpi_prop_update &&
	       o->vlpi_inv && o->vpe_invall && o->vlpi_set_pending &&
	       o->vlpi_get_pending;
}

static void v4_free(struct vgic *v, struct vgic_v4 *v4)
{
	if (!v4)
		return;
	vgic__free(v, (void *)(uintptr_t)v4->hirq);
	vgic__free(v, v4->fwd);
	vgic__free(v, v4->vpe_mapped);
	vgic__free(v, v4->save_unmapped);
	vgic__free(v, (void *)(uintptr_t)v4->db);
	vgic__free(v, v4->vpt_snap);
	vgic__free(v, v4);
}

int vgic_v4_attach(struct vgic *v, const struct vgic_v4_ops *ops,
		   void *backend)
{
	struct vgic_v4 *v4;
	int ret = 0;

	if (!v || !ops || !ops_valid(ops))
		return -EINVAL;
	pthread_mutex_lock(&v->lock);
	if (vgic__v4(v)) {
		ret = -EEXIST;
		goto out;
	}
	for (uint32_t i = 0; i < v->nr_vcpus; i++) {
		if (v->vcpu[i].has_run) {
			ret = -EBUSY;
			goto out;
		}
	}
	v4 = vgic__zalloc(v, 1, sizeof(*v4));
	if (!v4) {
		ret = -ENOMEM;
		goto out;
	}
	v4->ops = *ops;
	v4->be = backend;
	v4->vsgi_cap = ops->version == VGIC_V4_1 && ops->vsgi_config &&
		       ops->vsgi_get_pending && ops->vsgi_set_pending;
	v4->hirq = vgic__zalloc(v, VGIC_NR_LPIS, sizeof(*v4->hirq));
	v4->vpe_mapped = vgic__zalloc(v, v->nr_vcpus, sizeof(bool));
	v4->save_unmapped = vgic__zalloc(v, v->nr_vcpus, sizeof(bool));
	v4->db = vgic__zalloc(v, v->nr_vcpus, sizeof(*v4->db));
	v4->vpt_snap = vgic__zalloc(v, VGIC_NR_LPIS / 64, sizeof(uint64_t));
	if (!v4->hirq || !v4->vpe_mapped || !v4->save_unmapped || !v4->db ||
	    !v4->vpt_snap) {
		v4_free(v, v4);
		ret = -ENOMEM;
		goto out;
	}
	atomic_store_explicit(&v->v4, v4, memory_order_release);
out:
	pthread_mutex_unlock(&v->lock);
	return ret;
}

void vgic__v4_destroy_slow(struct vgic *v)
{
	struct vgic_v4 *v4 = vgic__v4(v);

	/* Leave the hardware clean (KVM's vgic_v4_teardown), and stop the
	 * model from calling into a freed instance. */
	while (v4->nr_fwd) {
		uint32_t host_irq = v4->fwd[0].host_irq;

		fwd_drop(v4, &v4->fwd[0]);
		v4->ops.vlpi_unmap(v4->be, host_irq);
	}
	for (uint32_t c = 0; c < v->nr_vcpus; c++)
		if (v4->vpe_mapped[c])
			v4->ops.vpe_unmap(v4->be, c);
	if (v4->model)
		vgic_v4_model_set_sink(v4->model, NULL, NULL, NULL);
	atomic_store_explicit(&v->v4, NULL, memory_order_relaxed);
	v4_free(v, v4);
}

static void sink_doorbell(void *ctx, uint32_t vpe)
{
	vgic_v4_doorbell(ctx, vpe);
}

static void sink_deliver(void *ctx, uint32_t vpe, uint32_t intid)
{
	vgic_v4_deliver(ctx, vpe, intid);
}

int vgic_v4_attach_model(struct vgic *v, struct vgic_v4_model *m)
{
	int ret;

	if (!v || !m)
		return -EINVAL;
	ret = vgic_v4_attach(v, vgic_v4_model_ops(m), m);
	if (!ret) {
		vgic__v4(v)->model = m;
		vgic_v4_model_set_sink(m, sink_doorbell, sink_deliver, v);
	}
	return ret;
}

/* ---- vPEs ----------------------------------------------------------------- */

static void vpe_map(struct vgic_v4 *v4, uint32_t vcpu)
{
	if (!v4->vpe_mapped[vcpu] && !v4->ops.vpe_map(v4->be, vcpu))
		v4->vpe_mapped[vcpu] = true;
}

/* Move the SGI pending latches of stopped @vcpu into the backend. */
static void vsgi_push(struct vgic *v, struct vgic_v4 *v4, uint32_t vcpu)
{
	struct vgic_irq *irq = v->vcpu[vcpu].priv;

	for (uint32_t s = 0; s < VGIC_NR_SGIS; s++) {
		v4->ops.vsgi_config(v4->be, vcpu, s, irq[s].priority,
				    irq[s].group, irq[s].enabled);
		if (irq[s].pending_latch &&
		    !v4->ops.vsgi_set_pending(v4->be, vcpu, s, true))
			irq[s].pending_latch = false;
	}
}

/* Take every vSGI of @vcpu back into the latches (vSGIs turned off). */
static void vsgi_pull(struct vgic *v, struct vgic_v4 *v4, uint32_t vcpu)
{
	uint16_t pend = 0;

	if (!v4->vpe_mapped[vcpu] ||
	    v4->ops.vsgi_get_pending(v4->be, vcpu, &pend))
		return;
	for (uint32_t s = 0; s < VGIC_NR_SGIS; s++) {
		if (!(pend & (1u << s)))
			continue;
		v->vcpu[vcpu].priv[s].pending_latch = true;
		v4->ops.vsgi_set_pending(v4->be, vcpu, s, false);
	}
	vgic__update_vcpu(v, vcpu);
}

static void vsgi_configure(struct vgic *v, struct vgic_v4 *v4)
{
	bool want = v4->vsgi_cap && v->nassgireq;

	if (want == v4->vsgi_on)
		return;
	v4->vsgi_on = want;
	for (uint32_t c = 0; c < v->nr_vcpus; c++) {
		if (!want) {
			vsgi_pull(v, v4, c);
			continue;
		}
		vpe_map(v4, c);
		if (!v->vcpu[c].running)
			vsgi_push(v, v4, c);
	}
}

void vgic__v4_vsgi_update_slow(struct vgic *v)
{
	vsgi_configure(v, vgic__v4(v));
}

bool vgic__v4_vsgi_on_slow(struct vgic_v4 *v4)
{
	return v4->vsgi_on;
}

bool vgic__v4_nassgicap(struct vgic *v)
{
	struct vgic_v4 *v4 = vgic__v4(v);

	return v4 && v4->vsgi_cap;
}

void vgic__v4_vcpu_run_slow(struct vgic *v, uint32_t vcpu, bool running)
{
	struct vgic_v4 *v4 = vgic__v4(v);

	if (running) {
		vpe_map(v4, vcpu);
		/* KVM configures vSGIs at first run for a restored
		 * nASSGIreq (user writes have no side effect). */
		vsgi_configure(v, v4);
		/* A resident vCPU's vSGIs are in the emulated CPU interface,
		 * whatever their configuration. */
		if (v4->vsgi_on)
			vsgi_pull(v, v4, vcpu);
		atomic_store_explicit(&v4->db[vcpu], false,
				      memory_order_relaxed);
		v4->ops.vpe_schedule(v4->be, vcpu, true);
		return;
	}
	/* Not resident first, so that the backend keeps the vSGIs. */
	v4->ops.vpe_schedule(v4->be, vcpu, false);
	if (v4->vsgi_on && v4->vpe_mapped[vcpu])
		vsgi_push(v, v4, vcpu);
}

/* Pending vSGIs of @vcpu held by the backend (0 if none or vSGIs off). */
static uint32_t sgi_pending(struct vgic *v, uint32_t vcpu)
{
	struct vgic_v4 *v4 = vgic__v4(v);
	uint16_t pend = 0;

	if (!v4 || !v4->vsgi_on || vcpu >= v->nr_vcpus ||
	    !v4->vpe_mapped[vcpu] ||
	    v4->ops.vsgi_get_pending(v4->be, vcpu, &pend))
		return 0;
	return pend;
}

/* Where a write of @vcpu's SGI pending state goes: true if the backend
 * holds them (vSGIs on and the vCPU stopped: a running vCPU's vSGIs are in
 * the emulated CPU interface). */
static bool sgi_in_backend(struct vgic *v, uint32_t vcpu)
{
	struct vgic_v4 *v4 = vgic__v4(v);

	return v4 && v4->vsgi_on && vcpu < v->nr_vcpus &&
	       v4->vpe_mapped[vcpu] && !v->vcpu[vcpu].running;
}

/* Apply the SGI bits of @val (a 32-bit ISPENDR0-style value) to the
 * backend: bits set in @val are made pending (@set) or cleared (!@set),
 * or, with @absolute, every SGI takes the value of its bit. */
static void sgi_write(struct vgic *v, uint32_t vcpu, uint64_t val, bool set,
		      bool absolute)
{
	struct vgic_v4 *v4 = vgic__v4(v);

	for (uint32_t s = 0; s < VGIC_NR_SGIS; s++) {
		bool bit = (val >> s) & 1;

		if (absolute)
			v4->ops.vsgi_set_pending(v4->be, vcpu, s, bit);
		else if (bit)
			v4->ops.vsgi_set_pending(v4->be, vcpu, s, set);
	}
}

uint64_t vgic__v4_read_pending0(struct vgic_mmio_ctx *c, uint32_t off,
				unsigned len)
{
	return vgic__mmio_read_pending(c, off, len) |
	       sgi_pending(c->v, c->priv);
}

uint64_t vgic__v4_uread_pending0(struct vgic_mmio_ctx *c, uint32_t off,
				 unsigned len)
{
	return vgic__mmio_uread_pending(c, off, len) |
	       sgi_pending(c->v, c->priv);
}

void vgic__v4_write_spending0(struct vgic_mmio_ctx *c, uint32_t off,
			      unsigned len, uint64_t val)
{
	if (sgi_in_backend(c->v, c->priv)) {
		sgi_write(c->v, c->priv, val, true, false);
		val &= ~(uint64_t)0xffff;
	}
	vgic__mmio_write_spending(c, off, len, val);
}

void vgic__v4_write_cpending0(struct vgic_mmio_ctx *c, uint32_t off,
			      unsigned len, uint64_t val)
{
	if (sgi_in_backend(c->v, c->priv))
		sgi_write(c->v, c->priv, val, false, false);
	vgic__mmio_write_cpending(c, off, len, val);
}

/* Send the SGIs' configuration to the backend while it holds them. */
static void sgi_config_sync(struct vgic_mmio_ctx *c)
{
	struct vgic_v4 *v4 = vgic__v4(c->v);
	struct vgic_irq *irq;

	if (!sgi_in_backend(c->v, c->priv) || c->intid >= VGIC_NR_SGIS)
		return;
	irq = c->v->vcpu[c->priv].priv;
	for (uint32_t s = 0; s < VGIC_NR_SGIS; s++)
		v4->ops.vsgi_config(v4->be, c->priv, s, irq[s].priority,
				    irq[s].group, irq[s].enabled);
}

void vgic__v4_write_group0(struct vgic_mmio_ctx *c, uint32_t off,
			   unsigned len, uint64_t val)
{
	vgic__mmio_write_group(c, off, len, val);
	sgi_config_sync(c);
}

void vgic__v4_write_senable0(struct vgic_mmio_ctx *c, uint32_t off,
			     unsigned len, uint64_t val)
{
	vgic__mmio_write_senable(c, off, len, val);
	sgi_config_sync(c);
}

void vgic__v4_write_cenable0(struct vgic_mmio_ctx *c, uint32_t off,
			     unsigned len, uint64_t val)
{
	vgic__mmio_write_cenable(c, off, len, val);
	sgi_config_sync(c);
}

void vgic__v4_write_priority0(struct vgic_mmio_ctx *c, uint32_t off,
			      unsigned len, uint64_t val)
{
	vgic__mmio_write_priority(c, off, len, val);
	sgi_config_sync(c);
}

int vgic__v4_uwrite_pending0(struct vgic_mmio_ctx *c, uint32_t off,
			     unsigned len, uint64_t val)
{
	/* §7.11: a restored vSGI must reach the backend; its latch is
	 * cleared (the absolute write below sees a 0). */
	if (sgi_in_backend(c->v, c->priv)) {
		sgi_write(c->v, c->priv, val, true, true);
		val &= ~(uint64_t)0xffff;
	}
	return vgic__mmio_uwrite_pending_abs(c, off, len, val);
}

/* ---- forwarding ----------------------------------------------------------- */

static struct v4_fwd *fwd_by_intid(struct vgic_v4 *v4, uint32_t intid)
{
	for (uint32_t i = 0; i < v4->nr_fwd; i++)
		if (v4->fwd[i].intid == intid)
			return &v4->fwd[i];
	return NULL;
}

static struct v4_fwd *fwd_by_ite(struct vgic_v4 *v4, const struct vgic_its *its,
				 uint32_t devid, uint32_t eventid)
{
	for (uint32_t i = 0; i < v4->nr_fwd; i++) {
		struct v4_fwd *f = &v4->fwd[i];

		if (f->its == its && f->devid == devid && f->eventid == eventid)
			return f;
	}
	return NULL;
}

/* Forget @f (the backend mapping is already gone). */
static void fwd_drop(struct vgic_v4 *v4, struct v4_fwd *f)
{
	atomic_store_explicit(&v4->hirq[f->intid - VGIC_MIN_LPI], 0,
			      memory_order_release);
	*f = v4->fwd[--v4->nr_fwd];
}

static struct v4_fwd *forwarded(struct vgic *v, uint32_t intid)
{
	struct vgic_v4 *v4 = vgic__v4(v);

	if (!vgic__v4_forwarded_slow(v4, intid))
		return NULL;
	return fwd_by_intid(v4, intid);
}

/* Find the ITS whose frame contains @doorbell. */
static struct vgic_its *its_by_doorbell(struct vgic *v, uint64_t doorbell)
{
	uint32_t n = atomic_load_explicit(&v->nr_its, memory_order_relaxed);

	for (uint32_t i = 0; i < n; i++) {
		struct vgic_its *its = v->its_dev[i]->its;

		if (vgic__its_contains(its, doorbell))
			return its;
	}
	return NULL;
}

int vgic_v4_set_forwarding(struct vgic *v, uint64_t its_doorbell,
			   uint32_t devid, uint32_t eventid, uint32_t host_irq)
{
	struct vgic_v4_vlpi map = { 0 };
	struct vgic_v4 *v4;
	struct vgic_its *its;
	struct v4_fwd *f;
	uint32_t intid, idx, t;
	uint8_t cfg;
	int ret;

	if (!v)
		return -EINVAL;
	pthread_mutex_lock(&v->lock);
	v4 = vgic__v4(v);
	ret = -ENODEV;
	if (!v4 || !atomic_load(&v->nr_its))
		goto out;
	ret = -EINVAL;
	its = its_by_doorbell(v, its_doorbell);
	if (!its)
		goto out;
	for (uint32_t i = 0; i < v4->nr_fwd; i++)
		if (v4->fwd[i].host_irq == host_irq)
			goto out;
	ret = -ENOENT;
	intid = vgic_its_ite_intid(vgic__its_translate(its, devid, eventid));
	if (!lpi_index(intid, &idx) || !v->lpi.refs || !v->lpi.refs[idx])
		goto out;
	t = atomic_load_explicit(&v->lpi.target[idx], memory_order_relaxed);
	if (t >= v->nr_vcpus)
		goto out;
	/* KVM's vgic_its_resolve_lpi: the ITS and the target's LPIs must
	 * be enabled. */
	ret = -EBUSY;
	if (!atomic_load(&its->enabled) ||
	    !atomic_load(&v->vcpu[t].enable_lpis))
		goto out;
	ret = -EEXIST;
	if (atomic_load_explicit(&v4->hirq[idx], memory_order_relaxed))
		goto out;
	if (v4->nr_fwd == v4->cap_fwd) {
		uint32_t cap = v4->cap_fwd ? 2 * v4->cap_fwd : 16;
		struct v4_fwd *n = vgic__alloc(v, cap * sizeof(*n));

		ret = -ENOMEM;
		if (!n)
			goto out;
		if (v4->nr_fwd)
			memcpy(n, v4->fwd, v4->nr_fwd * sizeof(*n));
		vgic__free(v, v4->fwd);
		v4->fwd = n;
		v4->cap_fwd = cap;
	}
	/* VMAPTI with the properties the emulated LPI has cached. */
	cfg = atomic_load_explicit(&v->lpi.cfg[idx], memory_order_relaxed);
	map.vpe = t;
	map.vintid = intid;
	map.priority = cfg & 0xfc;
	map.enabled = cfg & 1;
	map.doorbell = true;
	ret = v4->ops.vlpi_map(v4->be, host_irq, &map);
	if (ret)
		goto out;
	f = &v4->fwd[v4->nr_fwd++];
	f->its = its;
	f->devid = devid;
	f->eventid = eventid;
	f->intid = intid;
	f->host_irq = host_irq;
	f->vpe = t;
	atomic_store_explicit(&v4->hirq[idx], host_irq + 1,
			      memory_order_release);
	/* Move a software pending latch into the VPT (KVM since 2021). */
	if ((atomic_load_explicit(&v->lpi.pending[idx / 64],
				  memory_order_acquire) >>
	     (idx % 64)) & 1) {
		vgic__lpi_clear_pending(v, intid);
		v4->ops.vlpi_set_pending(v4->be, host_irq, true);
		vgic__update_vcpu(v, t);
	}
out:
	pthread_mutex_unlock(&v->lock);
	return ret;
}

/* Read the truth of a vLPI's pending bit: only valid with the vPE
 * unmapped (GICv4.1).  GICv4.0 cannot: false. */
static bool vpt_read(struct vgic_v4 *v4, uint32_t vpe, uint32_t intid)
{
	bool mapped = v4->vpe_mapped[vpe];
	bool pend = false;

	if (v4->ops.version != VGIC_V4_1)
		return false;
	if (mapped)
		v4->ops.vpe_unmap(v4->be, vpe);
	if (v4->ops.vlpi_get_pending(v4->be, vpe, intid, &pend))
		pend = false;
	if (mapped)
		v4->ops.vpe_map(v4->be, vpe);
	return pend;
}

int vgic_v4_unset_forwarding(struct vgic *v, uint64_t its_doorbell,
			     uint32_t devid, uint32_t eventid,
			     uint32_t host_irq)
{
	struct vgic_v4 *v4;
	struct vgic_its *its;
	struct v4_fwd *f;
	uint32_t intid, vpe;
	bool pend;
	int ret;

	if (!v)
		return -EINVAL;
	pthread_mutex_lock(&v->lock);
	v4 = vgic__v4(v);
	ret = -ENODEV;
	if (!v4 || !atomic_load(&v->nr_its))
		goto out;
	ret = -EINVAL;
	its = its_by_doorbell(v, its_doorbell);
	if (!its)
		goto out;
	ret = -ENOENT;
	f = fwd_by_ite(v4, its, devid, eventid);
	if (!f || f->host_irq != host_irq)
		goto out;
	intid = f->intid;
	vpe = f->vpe;
	/* New MSIs go to the emulated LPI from here on. */
	fwd_drop(v4, f);
	/* DEVIATION: KVM drops the hardware pending state here; GICv4.1
	 * lets us read it, so it moves back into the emulated LPI. */
	pend = vpt_read(v4, vpe, intid);
	v4->ops.vlpi_unmap(v4->be, host_irq);
	if (pend) {
		lpi_set_pending(v, intid, vpe);
		vgic__update_vcpu(v, vpe);
	}
	ret = 0;
out:
	pthread_mutex_unlock(&v->lock);
	return ret;
}

/* ---- mirroring of the guest's ITS commands -------------------------------- */

void vgic__v4_clear_slow(struct vgic *v, uint32_t intid)
{
	struct v4_fwd *f = forwarded(v, intid);

	if (f)
		vgic__v4(v)->ops.vlpi_set_pending(vgic__v4(v)->be, f->host_irq,
						  false);
}

static void push_prop(struct vgic *v, struct vgic_v4 *v4,
		      const struct v4_fwd *f)
{
	uint8_t cfg = atomic_load_explicit(&v->lpi.cfg[f->intid - VGIC_MIN_LPI],
					   memory_order_relaxed);

	v4->ops.vlpi_prop_update(v4->be, f->host_irq, cfg & 0xfc, cfg & 1);
}

void vgic__v4_inv_slow(struct vgic *v, uint32_t intid)
{
	struct vgic_v4 *v4 = vgic__v4(v);
	struct v4_fwd *f = forwarded(v, intid);

	if (!f)
		return;
	push_prop(v, v4, f);
	v4->ops.vlpi_inv(v4->be, f->host_irq);
}

void vgic__v4_inv_all_slow(struct vgic *v, uint32_t vcpu)
{
	struct vgic_v4 *v4 = vgic__v4(v);
	bool any = false;

	for (uint32_t i = 0; i < v4->nr_fwd; i++) {
		if (v4->fwd[i].vpe != vcpu)
			continue;
		push_prop(v, v4, &v4->fwd[i]);
		any = true;
	}
	if (any)
		v4->ops.vpe_invall(v4->be, vcpu);
}

void vgic__v4_retarget_slow(struct vgic *v, uint32_t intid)
{
	struct vgic_v4 *v4 = vgic__v4(v);
	struct v4_fwd *f = forwarded(v, intid);
	uint32_t t;

	if (!f)
		return;
	t = atomic_load_explicit(&v->lpi.target[intid - VGIC_MIN_LPI],
				 memory_order_relaxed);
	if (t < v->nr_vcpus && t != f->vpe &&
	    !v4->ops.vlpi_move(v4->be, f->host_irq, t))
		f->vpe = t;
}

void vgic__v4_ite_gone_slow(struct vgic *v, uint32_t intid)
{
	struct vgic_v4 *v4 = vgic__v4(v);
	struct v4_fwd *f = forwarded(v, intid);
	uint32_t host_irq;

	if (!f)
		return;
	/* KVM's its_free_ite: unmap the vLPI.  The LPI stays emulated from
	 * now on, even if the guest maps the event again, until the VMM
	 * forwards it again. */
	host_irq = f->host_irq;
	fwd_drop(v4, f);
	v4->ops.vlpi_unmap(v4->be, host_irq);
}

/* ---- save ----------------------------------------------------------------- */

void vgic__v4_save_begin_slow(struct vgic *v)
{
	struct vgic_v4 *v4 = vgic__v4(v);

	memset(v4->vpt_snap, 0, VGIC_NR_LPIS / 8);
	v4->in_save = true;
	/* GICv4.0: the VPT cannot be read; KVM saves the (stale) software
	 * latches, and ITS_SAVE_TABLES refuses with -EACCES. */
	if (v4->ops.version != VGIC_V4_1 || !v4->nr_fwd)
		return; /* nothing lives in a VPT: no need to unmap */
	/* Unmapping makes the GIC write its caches back to the VPTs (§6).
	 * vLPIs firing from now on land in the VPT and ring the doorbell:
	 * they are picked up at the remap, never lost (§7.10). */
	for (uint32_t c = 0; c < v->nr_vcpus; c++) {
		v4->save_unmapped[c] = v4->vpe_mapped[c];
		if (v4->vpe_mapped[c]) {
			v4->ops.vpe_unmap(v4->be, c);
			v4->vpe_mapped[c] = false;
		}
	}
	for (uint32_t i = 0; i < v4->nr_fwd; i++) {
		const struct v4_fwd *f = &v4->fwd[i];
		uint32_t idx = f->intid - VGIC_MIN_LPI;
		bool pend = false;

		if (!v4->ops.vlpi_get_pending(v4->be, f->vpe, f->intid,
					      &pend) &&
		    pend)
			v4->vpt_snap[idx / 64] |= 1ull << (idx % 64);
	}
}

bool vgic__v4_vpt_pending_slow(struct vgic_v4 *v4, uint32_t intid)
{
	uint32_t idx;

	if (!v4->in_save || !lpi_index(intid, &idx))
		return false;
	return (v4->vpt_snap[idx / 64] >> (idx % 64)) & 1;
}

void vgic__v4_save_end_slow(struct vgic *v)
{
	struct vgic_v4 *v4 = vgic__v4(v);

	for (uint32_t c = 0; c < v->nr_vcpus; c++) {
		if (v4->save_unmapped[c])
			vpe_map(v4, c);
		v4->save_unmapped[c] = false;
	}
	v4->in_save = false;
}

int vgic__v4_its_save_check_slow(struct vgic *v, const struct vgic_its *its)
{
	struct vgic_v4 *v4 = vgic__v4(v);

	if (v4->ops.version == VGIC_V4_1)
		return 0;
	for (uint32_t i = 0; i < v4->nr_fwd; i++)
		if (v4->fwd[i].its == its)
			return -EACCES;
	return 0;
}

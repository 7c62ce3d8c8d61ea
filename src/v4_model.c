/*
 * libvgic - a software model of GICv4.1 (and GICv4.0) direct injection
 * hardware: the host ITS's vLPI mappings (VMAPTI/VMOVI), the redistributors'
 * vPE state (VMAPP, GICR_VPENDBASER residency), one virtual pending table
 * (VPT) per vPE, the VM's vLPI property table with the GIC's cached copy,
 * vSGIs (GICR_VSGIR/VSGIPENDR) and doorbells.  It implements struct
 * vgic_v4_ops (include/vgic/v4.h) so that the library's GICv4 paths can run
 * and be tested without hardware.
 *
 * What is modelled because software must cope with it on real hardware:
 *  - Property caching: vlpi_prop_update() writes the property table in
 *    memory; the GIC keeps using its cached copy until INV / VINVALL.
 *  - Pending state of a mapped vPE lives in the GIC's cache.  The VPT in
 *    memory is written back only when the vPE is unmapped (VMAPP V=0), so
 *    reading the VPT of a mapped vPE returns stale data, as on hardware.
 *  - A vLPI that becomes pending while its vPE is not resident rings the
 *    vPE's doorbell (always on GICv4.1; per vLPI on GICv4.0).
 *  - GICv4.0: the VPT layout is IMPLEMENTATION DEFINED, so it cannot be
 *    read (-EACCES), and there are no vSGIs.
 *
 * IMPDEF: while a vPE is unmapped, a vLPI that fires for it is recorded
 * straight into its VPT memory (and the doorbell rung), so that a device
 * interrupting while a hypervisor has vPEs unmapped to read their VPTs loses
 * nothing; the next VMAPP loads it.
 * IMPDEF: the model has no virtual CPU interface of its own: a pending,
 * enabled interrupt of a resident vPE is handed to the sink's deliver()
 * (libvgic's emulated CPU interface) and leaves the model's pending state,
 * as it leaves the redistributor when the CPU interface takes it.
 * IMPDEF: vSGI pending state survives a vPE unmap internally, but, as on
 * hardware, can be read or written only while the vPE is mapped (-ENXIO).
 *
 * Locking: one mutex per model, a leaf lock.  The sink is called with it
 * held, so the sink must not call back into the model.
 */
#include <stdlib.h>

#include "internal.h"
#include <vgic/v4.h>

#define VPT_BITS (1u << VGIC_LPI_ID_BITS)
#define VPT_WORDS (VPT_BITS / 64)
#define NR_VSGIS 16u

struct model_vpe {
	bool mapped;
	bool resident;
	uint64_t *vpt;   /* VPT memory: what software can read */
	uint64_t *cache; /* the GIC's pending state while mapped */
	uint16_t vsgi_pending;
	uint16_t vsgi_enabled, vsgi_group1;
	uint8_t vsgi_prio[NR_VSGIS];
	uint64_t doorbells;
};

struct model_vlpi {
	bool mapped;
	bool doorbell;
	uint32_t vpe;
	uint32_t vintid;
};

struct vgic_v4_model {
	pthread_mutex_t lock;
	int version;
	uint32_t nr_vpes;
	uint32_t nr_host_irqs;
	struct model_vpe *vpe;     /* [nr_vpes] */
	struct model_vlpi *vlpi;   /* [nr_host_irqs], the host ITS's ITEs */
	uint8_t *prop;             /* [VPT_BITS] vLPI property table (memory) */
	uint8_t *cfg;              /* [VPT_BITS] the GIC's cached copy */
	void (*doorbell)(void *ctx, uint32_t vpe);
	void (*deliver)(void *ctx, uint32_t vpe, uint32_t intid);
	void *ctx;
	struct vgic_v4_model_stats st;
};

/* Property byte as in an LPI configuration table: prio[7:2] | enable[0]. */
#define PROP_ENABLE 0x01u
#define PROP_PRIO_MASK 0xfcu

static uint8_t prop_byte(uint8_t prio, bool enabled)
{
	return (uint8_t)((prio & PROP_PRIO_MASK) | (enabled ? PROP_ENABLE : 0));
}

static bool bit_test(const uint64_t *map, uint32_t n)
{
	return (map[n / 64] >> (n % 64)) & 1;
}

static void bit_assign(uint64_t *map, uint32_t n, bool val)
{
	if (val)
		map[n / 64] |= 1ull << (n % 64);
	else
		map[n / 64] &= ~(1ull << (n % 64));
}

/* Where the live pending state of @p is: the GIC's cache if mapped. */
static uint64_t *live(struct model_vpe *p)
{
	return p->mapped ? p->cache : p->vpt;
}

static void ring(struct vgic_v4_model *m, uint32_t vpe)
{
	m->vpe[vpe].doorbells++;
	m->st.doorbells++;
	if (m->doorbell)
		m->doorbell(m->ctx, vpe);
}

/* Hand @vintid of resident @vpe to the CPU interface if it can be taken. */
static bool try_deliver(struct vgic_v4_model *m, uint32_t vpe, uint32_t vintid)
{
	struct model_vpe *p = &m->vpe[vpe];

	if (!p->mapped || !p->resident || !m->deliver)
		return false;
	if (!bit_test(p->cache, vintid) || !(m->cfg[vintid] & PROP_ENABLE))
		return false;
	bit_assign(p->cache, vintid, false);
	m->st.delivered++;
	m->deliver(m->ctx, vpe, vintid);
	return true;
}

/* A vLPI of @vpe is (still) pending: deliver it or ring the doorbell. */
static bool kick(struct vgic_v4_model *m, uint32_t vpe, uint32_t vintid,
		 bool doorbell)
{
	struct model_vpe *p = &m->vpe[vpe];

	if (p->resident && p->mapped)
		return try_deliver(m, vpe, vintid);
	if ((m->cfg[vintid] & PROP_ENABLE) &&
	    (doorbell || m->version == VGIC_V4_1))
		ring(m, vpe);
	return false;
}

static void deliver_all(struct vgic_v4_model *m, uint32_t vpe)
{
	struct model_vpe *p = &m->vpe[vpe];

	for (uint32_t w = VGIC_MIN_LPI / 64; w < VPT_WORDS; w++) {
		uint64_t bits = p->cache[w];

		for (unsigned b = 0; bits; b++, bits >>= 1)
			if (bits & 1)
				try_deliver(m, vpe, w * 64 + b);
	}
	if (m->deliver && p->vsgi_pending) {
		for (uint32_t s = 0; s < NR_VSGIS; s++) {
			if (!(p->vsgi_pending & (1u << s)) ||
			    !(p->vsgi_enabled & (1u << s)))
				continue;
			p->vsgi_pending &= (uint16_t)~(1u << s);
			m->st.delivered++;
			m->deliver(m->ctx, vpe, s);
		}
	}
}

/* ---- struct vgic_v4_ops ------------------------------------------------ */

#define MODEL_LOCK(m) pthread_mutex_lock(&(m)->lock)
#define MODEL_UNLOCK(m) pthread_mutex_unlock(&(m)->lock)

static int m_vpe_map(void *be, uint32_t vpe)
{
	struct vgic_v4_model *m = be;
	struct model_vpe *p;

	if (vpe >= m->nr_vpes)
		return -EINVAL;
	MODEL_LOCK(m);
	p = &m->vpe[vpe];
	if (!p->mapped) {
		/* VMAPP V=1: the GIC takes ownership of the VPT. */
		memcpy(p->cache, p->vpt, VPT_WORDS * sizeof(uint64_t));
		p->mapped = true;
		m->st.vpe_maps++;
		if (p->resident)
			deliver_all(m, vpe);
	}
	MODEL_UNLOCK(m);
	return 0;
}

static int m_vpe_unmap(void *be, uint32_t vpe)
{
	struct vgic_v4_model *m = be;
	struct model_vpe *p;

	if (vpe >= m->nr_vpes)
		return -EINVAL;
	MODEL_LOCK(m);
	p = &m->vpe[vpe];
	if (p->mapped) {
		/* VMAPP V=0: write the cache back and invalidate it. */
		memcpy(p->vpt, p->cache, VPT_WORDS * sizeof(uint64_t));
		memset(p->cache, 0, VPT_WORDS * sizeof(uint64_t));
		p->mapped = false;
		m->st.vpe_unmaps++;
	}
	MODEL_UNLOCK(m);
	return 0;
}

static int m_vpe_schedule(void *be, uint32_t vpe, bool resident)
{
	struct vgic_v4_model *m = be;
	struct model_vpe *p;

	if (vpe >= m->nr_vpes)
		return -EINVAL;
	MODEL_LOCK(m);
	p = &m->vpe[vpe];
	p->resident = resident;
	m->st.schedules++;
	if (resident && p->mapped)
		deliver_all(m, vpe);
	MODEL_UNLOCK(m);
	return 0;
}

static int m_vlpi_map(void *be, uint32_t host_irq, const struct vgic_v4_vlpi *v)
{
	struct vgic_v4_model *m = be;
	struct model_vlpi *l;

	if (host_irq >= m->nr_host_irqs || !v || v->vpe >= m->nr_vpes ||
	    v->vintid < VGIC_MIN_LPI || v->vintid >= VPT_BITS)
		return -EINVAL;
	MODEL_LOCK(m);
	l = &m->vlpi[host_irq];
	l->mapped = true;
	l->vpe = v->vpe;
	l->vintid = v->vintid;
	l->doorbell = v->doorbell || m->version == VGIC_V4_1;
	/* The hypervisor writes the property entry before VMAPTI, and the
	 * GIC reads it when the mapping is made. */
	m->prop[v->vintid] = prop_byte(v->priority, v->enabled);
	m->cfg[v->vintid] = m->prop[v->vintid];
	m->st.vlpi_maps++;
	if (bit_test(live(&m->vpe[v->vpe]), v->vintid))
		kick(m, v->vpe, v->vintid, l->doorbell);
	MODEL_UNLOCK(m);
	return 0;
}

/* Look up a mapped host IRQ; lock held. */
static struct model_vlpi *mapped_vlpi(struct vgic_v4_model *m,
				      uint32_t host_irq)
{
	if (host_irq >= m->nr_host_irqs || !m->vlpi[host_irq].mapped)
		return NULL;
	return &m->vlpi[host_irq];
}

static int m_vlpi_unmap(void *be, uint32_t host_irq)
{
	struct vgic_v4_model *m = be;
	struct model_vlpi *l;
	int ret = 0;

	MODEL_LOCK(m);
	l = mapped_vlpi(m, host_irq);
	if (l) {
		/* Like DISCARD, the unmap removes any pending state. */
		bit_assign(live(&m->vpe[l->vpe]), l->vintid, false);
		l->mapped = false;
		m->st.vlpi_unmaps++;
	} else {
		ret = -ENOENT;
	}
	MODEL_UNLOCK(m);
	return ret;
}

static int m_vlpi_move(void *be, uint32_t host_irq, uint32_t vpe)
{
	struct vgic_v4_model *m = be;
	struct model_vlpi *l;
	int ret = 0;

	if (vpe >= m->nr_vpes)
		return -EINVAL;
	MODEL_LOCK(m);
	l = mapped_vlpi(m, host_irq);
	if (!l) {
		ret = -ENOENT;
	} else if (l->vpe != vpe) {
		uint64_t *from = live(&m->vpe[l->vpe]);
		bool pend = bit_test(from, l->vintid);

		/* VMOVI: the pending state follows the interrupt. */
		bit_assign(from, l->vintid, false);
		l->vpe = vpe;
		m->st.vlpi_moves++;
		if (pend) {
			bit_assign(live(&m->vpe[vpe]), l->vintid, true);
			kick(m, vpe, l->vintid, l->doorbell);
		}
	}
	MODEL_UNLOCK(m);
	return ret;
}

static int m_vlpi_prop_update(void *be, uint32_t host_irq, uint8_t prio,
			      bool enabled)
{
	struct vgic_v4_model *m = be;
	struct model_vlpi *l;
	int ret = 0;

	MODEL_LOCK(m);
	l = mapped_vlpi(m, host_irq);
	if (l)
		m->prop[l->vintid] = prop_byte(prio, enabled);
	else
		ret = -ENOENT;
	MODEL_UNLOCK(m);
	return ret;
}

/* The GIC re-reads one property entry; lock held. */
static void inv_one(struct vgic_v4_model *m, const struct model_vlpi *l)
{
	m->cfg[l->vintid] = m->prop[l->vintid];
	if (bit_test(live(&m->vpe[l->vpe]), l->vintid))
		kick(m, l->vpe, l->vintid, l->doorbell);
}

static int m_vlpi_inv(void *be, uint32_t host_irq)
{
	struct vgic_v4_model *m = be;
	struct model_vlpi *l;
	int ret = 0;

	MODEL_LOCK(m);
	l = mapped_vlpi(m, host_irq);
	if (l) {
		m->st.invs++;
		inv_one(m, l);
	} else {
		ret = -ENOENT;
	}
	MODEL_UNLOCK(m);
	return ret;
}

static int m_vpe_invall(void *be, uint32_t vpe)
{
	struct vgic_v4_model *m = be;

	if (vpe >= m->nr_vpes)
		return -EINVAL;
	MODEL_LOCK(m);
	m->st.invalls++;
	for (uint32_t i = 0; i < m->nr_host_irqs; i++)
		if (m->vlpi[i].mapped && m->vlpi[i].vpe == vpe)
			inv_one(m, &m->vlpi[i]);
	MODEL_UNLOCK(m);
	return 0;
}

/* Set or clear the pending state of a mapped vLPI; lock held.  Returns 1
 * if it was delivered at once. */
static int set_pending(struct vgic_v4_model *m, struct model_vlpi *l,
		       bool pending)
{
	uint64_t *map = live(&m->vpe[l->vpe]);

	if (!pending) {
		bit_assign(map, l->vintid, false);
		return 0;
	}
	bit_assign(map, l->vintid, true);
	return kick(m, l->vpe, l->vintid, l->doorbell) ? 1 : 0;
}

static int m_vlpi_set_pending(void *be, uint32_t host_irq, bool pending)
{
	struct vgic_v4_model *m = be;
	struct model_vlpi *l;
	int ret = 0;

	MODEL_LOCK(m);
	l = mapped_vlpi(m, host_irq);
	if (l) {
		if (pending)
			m->st.set_pending++;
		else
			m->st.clear_pending++;
		set_pending(m, l, pending);
	} else {
		ret = -ENOENT;
	}
	MODEL_UNLOCK(m);
	return ret;
}

static int m_vlpi_get_pending(void *be, uint32_t vpe, uint32_t vintid,
			      bool *pending)
{
	struct vgic_v4_model *m = be;

	if (vpe >= m->nr_vpes || vintid >= VPT_BITS || !pending)
		return -EINVAL;
	if (m->version != VGIC_V4_1)
		return -EACCES; /* GICv4.0: IMPDEF VPT layout */
	MODEL_LOCK(m);
	m->st.vpt_reads++;
	if (m->vpe[vpe].mapped)
		m->st.stale_vpt_reads++;
	/* Memory, not the GIC's cache: stale while the vPE is mapped. */
	*pending = bit_test(m->vpe[vpe].vpt, vintid);
	MODEL_UNLOCK(m);
	return 0;
}

static int vsgi_check(const struct vgic_v4_model *m, uint32_t vpe)
{
	if (m->version != VGIC_V4_1)
		return -ENODEV;
	if (vpe >= m->nr_vpes)
		return -EINVAL;
	return 0;
}

static int m_vsgi_config(void *be, uint32_t vpe, uint32_t sgi, uint8_t prio,
			 bool group1, bool enabled)
{
	struct vgic_v4_model *m = be;
	struct model_vpe *p;
	uint16_t bit = (uint16_t)(1u << (sgi & 15));
	int ret = vsgi_check(m, vpe);

	if (ret)
		return ret;
	if (sgi >= NR_VSGIS)
		return -EINVAL;
	MODEL_LOCK(m);
	p = &m->vpe[vpe];
	if (!p->mapped) {
		ret = -ENXIO;
	} else {
		bool was = p->vsgi_enabled & bit;

		p->vsgi_prio[sgi] = prio;
		p->vsgi_enabled = (uint16_t)(enabled ? p->vsgi_enabled | bit
						     : p->vsgi_enabled & ~bit);
		p->vsgi_group1 = (uint16_t)(group1 ? p->vsgi_group1 | bit
						   : p->vsgi_group1 & ~bit);
		if (enabled && !was && (p->vsgi_pending & bit)) {
			if (p->resident)
				deliver_all(m, vpe);
			else
				ring(m, vpe);
		}
	}
	MODEL_UNLOCK(m);
	return ret;
}

static int m_vsgi_get_pending(void *be, uint32_t vpe, uint16_t *pending)
{
	struct vgic_v4_model *m = be;
	int ret = vsgi_check(m, vpe);

	if (ret)
		return ret;
	if (!pending)
		return -EINVAL;
	MODEL_LOCK(m);
	if (!m->vpe[vpe].mapped)
		ret = -ENXIO;
	else
		*pending = m->vpe[vpe].vsgi_pending;
	MODEL_UNLOCK(m);
	return ret;
}

static int m_vsgi_set_pending(void *be, uint32_t vpe, uint32_t sgi,
			      bool pending)
{
	struct vgic_v4_model *m = be;
	struct model_vpe *p;
	uint16_t bit = (uint16_t)(1u << (sgi & 15));
	int ret = vsgi_check(m, vpe);

	if (ret)
		return ret;
	if (sgi >= NR_VSGIS)
		return -EINVAL;
	MODEL_LOCK(m);
	p = &m->vpe[vpe];
	if (!p->mapped) {
		ret = -ENXIO;
	} else if (!pending) {
		p->vsgi_pending &= (uint16_t)~bit;
	} else {
		p->vsgi_pending |= bit;
		if (p->vsgi_enabled & bit) {
			if (p->resident)
				deliver_all(m, vpe);
			else
				ring(m, vpe);
		}
	}
	MODEL_UNLOCK(m);
	return ret;
}

#define MODEL_OPS(ver)                                                        \
	{                                                                     \
		.version = (ver), .vpe_map = m_vpe_map,                       \
		.vpe_unmap = m_vpe_unmap, .vpe_schedule = m_vpe_schedule,     \
		.vlpi_map = m_vlpi_map, .vlpi_unmap = m_vlpi_unmap,           \
		.vlpi_move = m_vlpi_move,                                     \
		.vlpi_prop_update = m_vlpi_prop_update,                       \
		.vlpi_inv = m_vlpi_inv, .vpe_invall = m_vpe_invall,           \
		.vlpi_set_pending = m_vlpi_set_pending,                       \
		.vlpi_get_pending = m_vlpi_get_pending,                       \
		.vsgi_config = m_vsgi_config,                                 \
		.vsgi_get_pending = m_vsgi_get_pending,                       \
		.vsgi_set_pending = m_vsgi_set_pending,                       \
	}

static const struct vgic_v4_ops model_ops_v41 = MODEL_OPS(VGIC_V4_1);
/* GICv4.0 has no vSGIs. */
static const struct vgic_v4_ops model_ops_v40 = {
	.version = VGIC_V4_0, .vpe_map = m_vpe_map,
	.vpe_unmap = m_vpe_unmap, .vpe_schedule = m_vpe_schedule,
	.vlpi_map = m_vlpi_map, .vlpi_unmap = m_vlpi_unmap,
	.vlpi_move = m_vlpi_move, .vlpi_prop_update = m_vlpi_prop_update,
	.vlpi_inv = m_vlpi_inv, .vpe_invall = m_vpe_invall,
	.vlpi_set_pending = m_vlpi_set_pending,
	.vlpi_get_pending = m_vlpi_get_pending,
};

/* ---- public model API ---------------------------------------------------- */

const struct vgic_v4_ops *vgic_v4_model_ops(const struct vgic_v4_model *m)
{
	if (!m)
		return NULL;
	return m->version == VGIC_V4_1 ? &model_ops_v41 : &model_ops_v40;
}

int vgic_v4_model_create(int version, uint32_t nr_vpes, uint32_t nr_host_irqs,
			 struct vgic_v4_model **out)
{
	struct vgic_v4_model *m;

	if (!out || (version != VGIC_V4_0 && version != VGIC_V4_1) ||
	    !nr_vpes || nr_vpes > VGIC_MAX_VCPUS || !nr_host_irqs ||
	    nr_host_irqs > (1u << 24))
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->version = version;
	m->nr_vpes = nr_vpes;
	m->nr_host_irqs = nr_host_irqs;
	m->vpe = calloc(nr_vpes, sizeof(*m->vpe));
	m->vlpi = calloc(nr_host_irqs, sizeof(*m->vlpi));
	m->prop = calloc(VPT_BITS, 1);
	m->cfg = calloc(VPT_BITS, 1);
	if (!m->vpe || !m->vlpi || !m->prop || !m->cfg)
		goto fail;
	for (uint32_t i = 0; i < nr_vpes; i++) {
		m->vpe[i].vpt = calloc(VPT_WORDS, sizeof(uint64_t));
		m->vpe[i].cache = calloc(VPT_WORDS, sizeof(uint64_t));
		if (!m->vpe[i].vpt || !m->vpe[i].cache)
			goto fail;
	}
	if (pthread_mutex_init(&m->lock, NULL))
		goto fail;
	*out = m;
	return 0;
fail:
	m->nr_vpes = m->vpe ? nr_vpes : 0;
	for (uint32_t i = 0; i < m->nr_vpes; i++) {
		free(m->vpe[i].vpt);
		free(m->vpe[i].cache);
	}
	free(m->vpe);
	free(m->vlpi);
	free(m->prop);
	free(m->cfg);
	free(m);
	return -ENOMEM;
}

void vgic_v4_model_destroy(struct vgic_v4_model *m)
{
	if (!m)
		return;
	for (uint32_t i = 0; i < m->nr_vpes; i++) {
		free(m->vpe[i].vpt);
		free(m->vpe[i].cache);
	}
	pthread_mutex_destroy(&m->lock);
	free(m->vpe);
	free(m->vlpi);
	free(m->prop);
	free(m->cfg);
	free(m);
}

void vgic_v4_model_set_sink(struct vgic_v4_model *m,
			    void (*doorbell)(void *ctx, uint32_t vpe),
			    void (*deliver)(void *ctx, uint32_t vpe,
					    uint32_t intid),
			    void *ctx)
{
	if (!m)
		return;
	MODEL_LOCK(m);
	m->doorbell = doorbell;
	m->deliver = deliver;
	m->ctx = ctx;
	MODEL_UNLOCK(m);
}

int vgic_v4_model_fire(struct vgic_v4_model *m, uint32_t host_irq)
{
	struct model_vlpi *l;
	int ret;

	if (!m || host_irq >= m->nr_host_irqs)
		return -EINVAL;
	MODEL_LOCK(m);
	l = mapped_vlpi(m, host_irq);
	if (l) {
		m->st.fired++;
		ret = set_pending(m, l, true);
	} else {
		ret = -ENOENT;
	}
	MODEL_UNLOCK(m);
	return ret;
}

int vgic_v4_model_vlpi_info(struct vgic_v4_model *m, uint32_t host_irq,
			    struct vgic_v4_model_vlpi *out)
{
	const struct model_vlpi *l;

	if (!m || !out || host_irq >= m->nr_host_irqs)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	MODEL_LOCK(m);
	l = &m->vlpi[host_irq];
	if (l->mapped) {
		out->mapped = true;
		out->vpe = l->vpe;
		out->vintid = l->vintid;
		out->priority = m->cfg[l->vintid] & PROP_PRIO_MASK;
		out->enabled = m->cfg[l->vintid] & PROP_ENABLE;
		out->prop_priority = m->prop[l->vintid] & PROP_PRIO_MASK;
		out->prop_enabled = m->prop[l->vintid] & PROP_ENABLE;
		out->pending = bit_test(live(&m->vpe[l->vpe]), l->vintid);
	}
	MODEL_UNLOCK(m);
	return 0;
}

int vgic_v4_model_vpe_info(struct vgic_v4_model *m, uint32_t vpe,
			   struct vgic_v4_model_vpe *out)
{
	const struct model_vpe *p;

	if (!m || !out || vpe >= m->nr_vpes)
		return -EINVAL;
	MODEL_LOCK(m);
	p = &m->vpe[vpe];
	out->mapped = p->mapped;
	out->resident = p->resident;
	out->vsgi_pending = p->vsgi_pending;
	memcpy(out->vsgi_priority, p->vsgi_prio, sizeof(out->vsgi_priority));
	out->vsgi_enabled = p->vsgi_enabled;
	out->vsgi_group1 = p->vsgi_group1;
	out->doorbells = p->doorbells;
	MODEL_UNLOCK(m);
	return 0;
}

void vgic_v4_model_stats(struct vgic_v4_model *m,
			 struct vgic_v4_model_stats *out)
{
	if (!m || !out)
		return;
	MODEL_LOCK(m);
	*out = m->st;
	MODEL_UNLOCK(m);
}

/*
 * libvgic - instance lifecycle and the public entry points.
 *
 * Every public function here takes the instance lock (v->lock) and
 * dispatches to the block that owns the state: the GICv3 distributor,
 * redistributors and CPU interface, the ITSes, or the GICv2 frames.  Locking
 * therefore lives in one file; the blocks assume v->lock is held.  The only
 * lock-free paths are the MSI fast path (its.c) and the output queries.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"
#include "v4.h"

unsigned int vgic_version(void)
{
	return VGIC_VERSION_HEX;
}

#define VGIC__STR2(x) #x
#define VGIC__STR(x) VGIC__STR2(x)
const char *vgic_version_string(void)
{
	return VGIC__STR(VGIC_VERSION_MAJOR) "." VGIC__STR(
		VGIC_VERSION_MINOR) "." VGIC__STR(VGIC_VERSION_PATCH);
}

static void *libc_alloc(void *opaque, size_t size)
{
	(void)opaque;
	return malloc(size);
}

static void *libc_zalloc(void *opaque, size_t nmemb, size_t size)
{
	(void)opaque;
	return calloc(nmemb, size);
}

static void libc_free(void *opaque, void *p)
{
	(void)opaque;
	free(p);
}

/* KVM's default MPIDR for a vcpu_id (kvm_vcpu_reset's reset_mpidr). */
static uint64_t default_mpidr(uint32_t id)
{
	return (uint64_t)(id & 0xf) | (uint64_t)((id >> 4) & 0xff) << 8 |
	       (uint64_t)((id >> 12) & 0xff) << 16;
}

#define MPIDR_AFF_MASK 0xff00ffffffull

int vgic_create(const struct vgic_config *cfg, const struct vgic_host_ops *ops,
		void *opaque, struct vgic **out)
{
	struct vgic_alloc_ops alloc = { libc_alloc, libc_zalloc, libc_free,
					NULL };
	struct vgic *v;

	if (!cfg || !ops || !out || !cfg->nr_vcpus ||
	    cfg->nr_vcpus > VGIC_MAX_VCPUS)
		return -EINVAL;
	if (cfg->alloc) {
		if (!cfg->alloc->alloc || !cfg->alloc->zalloc ||
		    !cfg->alloc->free)
			return -EINVAL;
		alloc = *cfg->alloc;
	}
	if (cfg->mpidr) {
		for (uint32_t i = 0; i < cfg->nr_vcpus; i++) {
			if (cfg->mpidr[i] & ~MPIDR_AFF_MASK)
				return -EINVAL;
			for (uint32_t j = 0; j < i; j++)
				if (cfg->mpidr[i] == cfg->mpidr[j])
					return -EINVAL;
		}
	}
	v = alloc.zalloc(alloc.opaque, 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->alloc = alloc;
	v->ops = *ops;
	v->opaque = opaque;
	v->kick = ops->kick_vcpu;
	v->kick_opaque = opaque;
	v->nr_vcpus = cfg->nr_vcpus;
	v->vcpu = vgic__zalloc(v, cfg->nr_vcpus, sizeof(*v->vcpu));
	if (!v->vcpu) {
		alloc.free(alloc.opaque, v);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < cfg->nr_vcpus; i++) {
		v->vcpu[i].id = i;
		v->vcpu[i].mpidr = cfg->mpidr ? cfg->mpidr[i] : default_mpidr(i);
	}
	if (pthread_mutex_init(&v->lock, NULL)) {
		vgic__free(v, v->vcpu);
		alloc.free(alloc.opaque, v);
		return -ENOMEM;
	}
	*out = v;
	return 0;
}

void vgic_destroy(struct vgic *v)
{
	if (!v)
		return;
	for (uint32_t i = 0; i < v->nr_devs; i++) {
		if (v->devs[i]->type == VGIC_DEV_TYPE_ITS)
			vgic__its_destroy(v->devs[i]);
		vgic__free(v, v->devs[i]);
	}
	vgic__v4_destroy(v); /* GICv4 backend state, if attached */
	vgic__lpi_free(v);
	vgic__free(v, v->spi);
	vgic__free(v, v->vcpu);
	pthread_mutex_destroy(&v->lock);
	v->alloc.free(v->alloc.opaque, v);
}

void vgic__set_error(struct vgic *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->last_error, sizeof(v->last_error), fmt, ap);
	va_end(ap);
}

const char *vgic_last_error(struct vgic *v)
{
	return v ? v->last_error : "";
}

struct vgic_vcpu *vgic__vcpu_by_mpidr(struct vgic *v, uint64_t mpidr)
{
	for (uint32_t i = 0; i < v->nr_vcpus; i++)
		if (v->vcpu[i].mpidr == (mpidr & MPIDR_AFF_MASK))
			return &v->vcpu[i];
	return NULL;
}

bool vgic__any_running(const struct vgic *v)
{
	return v->nr_running != 0;
}

int vgic_device_create(struct vgic *v, uint32_t type, struct vgic_device **out)
{
	struct vgic_device *d;
	int ret = 0;

	if (!v || !out)
		return -EINVAL;
	pthread_mutex_lock(&v->lock);
	switch (type) {
	case VGIC_DEV_TYPE_V2:
	case VGIC_DEV_TYPE_V3:
		if (v->model) {
			ret = -EEXIST;
			goto out_unlock;
		}
		if (type == VGIC_DEV_TYPE_V2 && v->nr_vcpus > VGIC_V2_MAX_VCPUS) {
			ret = -E2BIG;
			goto out_unlock;
		}
		break;
	case VGIC_DEV_TYPE_ITS:
		if (v->model != 3) {
			ret = -ENODEV;
			goto out_unlock;
		}
		if (v->nr_its >= VGIC_MAX_ITS) {
			ret = -ENOSPC;
			goto out_unlock;
		}
		break;
	default:
		ret = -ENODEV;
		goto out_unlock;
	}
	for (uint32_t i = 0; i < v->nr_vcpus; i++)
		if (v->vcpu[i].has_run) {
			ret = -EBUSY;
			goto out_unlock;
		}
	d = vgic__zalloc(v, 1, sizeof(*d));
	if (!d) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	d->v = v;
	d->type = type;
	if (type == VGIC_DEV_TYPE_ITS) {
		ret = vgic__its_create(d);
		if (ret) {
			vgic__free(v, d);
			goto out_unlock;
		}
		v->its_dev[v->nr_its] = d;
		atomic_store_explicit(&v->its[v->nr_its], d->its,
				      memory_order_release);
		atomic_store_explicit(&v->nr_its, v->nr_its + 1,
				      memory_order_release);
	} else {
		v->model = type == VGIC_DEV_TYPE_V2 ? 2 : 3;
		v->gic_dev = d;
	}
	v->devs[v->nr_devs++] = d;
	*out = d;
out_unlock:
	pthread_mutex_unlock(&v->lock);
	return ret;
}

uint32_t vgic_device_type(const struct vgic_device *d)
{
	return d ? d->type : 0;
}

unsigned vgic__attr_value_size(uint32_t type, uint32_t group)
{
	switch (group) {
	case VGIC_GRP_ADDR:
	case VGIC_GRP_CPU_SYSREGS:
	case VGIC_GRP_ITS_REGS:
		return 8;
	case VGIC_GRP_CTRL:
		return 0;
	default:
		return type == VGIC_DEV_TYPE_ITS ? 8 : 4;
	}
}

static int device_attr(struct vgic_device *d, const struct vgic_device_attr *a,
		       int op)
{
	struct vgic *v;
	uint64_t val = 0;
	unsigned size;
	int ret;

	if (!d || !a)
		return -EINVAL;
	v = d->v;
	size = vgic__attr_value_size(d->type, a->group);
	if (op == VGIC_ATTR_SET && size && !a->addr)
		return -EFAULT;
	if (op == VGIC_ATTR_SET && size == 8)
		memcpy(&val, (const void *)(uintptr_t)a->addr, 8);
	else if (op == VGIC_ATTR_SET && size == 4) {
		uint32_t v32;
		memcpy(&v32, (const void *)(uintptr_t)a->addr, 4);
		val = v32;
	}
	pthread_mutex_lock(&v->lock);
	switch (d->type) {
	case VGIC_DEV_TYPE_V3:
		ret = vgic__v3_attr(d, a, &val, op);
		break;
	case VGIC_DEV_TYPE_V2:
		ret = vgic__v2_attr(d, a, &val, op);
		break;
	default:
		ret = vgic__its_attr(d, a, &val, op);
		break;
	}
	pthread_mutex_unlock(&v->lock);
	if (!ret && op == VGIC_ATTR_GET && size) {
		if (!a->addr)
			return -EFAULT;
		if (size == 8) {
			memcpy((void *)(uintptr_t)a->addr, &val, 8);
		} else {
			uint32_t v32 = (uint32_t)val;
			memcpy((void *)(uintptr_t)a->addr, &v32, 4);
		}
	}
	return ret;
}

int vgic_device_set_attr(struct vgic_device *d, const struct vgic_device_attr *a)
{
	return device_attr(d, a, VGIC_ATTR_SET);
}

int vgic_device_get_attr(struct vgic_device *d, const struct vgic_device_attr *a)
{
	return device_attr(d, a, VGIC_ATTR_GET);
}

int vgic_device_has_attr(struct vgic_device *d, const struct vgic_device_attr *a)
{
	return device_attr(d, a, VGIC_ATTR_HAS);
}

static bool in_frame(uint64_t gpa, uint64_t base, uint64_t size)
{
	return gpa >= base && gpa - base < size;
}

/* Find the frame containing @gpa and run the access.  v->lock held. */
static int mmio_dispatch(struct vgic *v, uint32_t vcpu, uint64_t gpa,
			 uint64_t *val, uint32_t len, bool write)
{
	uint32_t rd;
	uint64_t off;

	if (v->model == 3) {
		if (v->dist_base_set &&
		    in_frame(gpa, v->dist_base, VGIC_V3_DIST_SIZE)) {
			vgic__v3_dist_mmio(v, vcpu, gpa - v->dist_base, val, len,
					   write);
			return 0;
		}
		if (vgic__v3_find_redist(v, gpa, &rd, &off)) {
			vgic__v3_redist_mmio(v, rd, off, val, len, write);
			return 0;
		}
		for (uint32_t i = 0; i < v->nr_its; i++) {
			struct vgic_its *its = v->its_dev[i]->its;
			if (vgic__its_contains(its, gpa)) {
				vgic__its_mmio(v, its, vcpu, gpa, val, len,
					       write);
				return 0;
			}
		}
	} else if (v->model == 2) {
		if (v->dist_base_set &&
		    in_frame(gpa, v->dist_base, VGIC_V2_DIST_SIZE)) {
			vgic__v2_dist_mmio(v, vcpu, gpa - v->dist_base, val, len,
					   write);
			return 0;
		}
		if (v->v2_cpu_base_set &&
		    in_frame(gpa, v->v2_cpu_base, VGIC_V2_CPU_SIZE)) {
			vgic__v2_cpu_mmio(v, vcpu, gpa - v->v2_cpu_base, val,
					  len, write);
			return 0;
		}
	}
	return -ENOENT;
}

static int mmio_check(struct vgic *v, uint32_t vcpu, const void *data,
		      uint32_t len)
{
	if (!v || !data)
		return -EINVAL;
	if (vcpu >= v->nr_vcpus)
		return -EINVAL;
	if (len != 1 && len != 2 && len != 4 && len != 8)
		return -EINVAL;
	return 0;
}

int vgic_mmio_read(struct vgic *v, uint32_t vcpu, uint64_t gpa, void *data,
		   uint32_t len)
{
	uint64_t val = 0;
	int ret = mmio_check(v, vcpu, data, len);

	if (ret)
		return ret;
	pthread_mutex_lock(&v->lock);
	ret = mmio_dispatch(v, vcpu, gpa, &val, len, false);
	pthread_mutex_unlock(&v->lock);
	if (!ret)
		memcpy(data, &val, len); /* little-endian host assumed */
	return ret;
}

int vgic_mmio_write(struct vgic *v, uint32_t vcpu, uint64_t gpa,
		    const void *data, uint32_t len)
{
	uint64_t val = 0;
	int ret = mmio_check(v, vcpu, data, len);

	if (ret)
		return ret;
	memcpy(&val, data, len);
	pthread_mutex_lock(&v->lock);
	ret = mmio_dispatch(v, vcpu, gpa, &val, len, true);
	pthread_mutex_unlock(&v->lock);
	return ret;
}

static int sysreg_access(struct vgic *v, uint32_t vcpu, uint32_t enc,
			 uint64_t *val, bool write)
{
	int ret;

	if (!v || !val || vcpu >= v->nr_vcpus)
		return -EINVAL;
	pthread_mutex_lock(&v->lock);
	if (v->model != 3)
		ret = -ENODEV;
	else
		ret = vgic__v3_sysreg(v, vcpu, enc & 0xffff, val, write);
	pthread_mutex_unlock(&v->lock);
	return ret;
}

int vgic_sysreg_read(struct vgic *v, uint32_t vcpu, uint32_t sysreg,
		     uint64_t *val)
{
	return sysreg_access(v, vcpu, sysreg, val, false);
}

int vgic_sysreg_write(struct vgic *v, uint32_t vcpu, uint32_t sysreg,
		      uint64_t val)
{
	return sysreg_access(v, vcpu, sysreg, &val, true);
}

int vgic_irq_line(struct vgic *v, uint32_t vcpu, uint32_t intid, bool level)
{
	int ret;

	if (!v)
		return -EINVAL;
	pthread_mutex_lock(&v->lock);
	if (!v->model)
		ret = -ENODEV;
	else
		ret = vgic__irq_line(v, vcpu, intid, level);
	pthread_mutex_unlock(&v->lock);
	return ret;
}

int vgic_signal_msi(struct vgic *v, uint64_t doorbell, uint32_t devid,
		    uint32_t data)
{
	if (!v)
		return -EINVAL;
	return vgic__its_signal_msi(v, doorbell, devid, data);
}

int vgic__msi_lookup(struct vgic *v, uint64_t doorbell, uint32_t devid,
		     uint32_t data)
{
	/* The ITS list only grows; its[i] is stored (release) before nr_its
	 * counts it, so this is safe without the lock. */
	uint32_t n = atomic_load_explicit(&v->nr_its, memory_order_acquire);

	for (uint32_t i = 0; i < n; i++) {
		struct vgic_its *its = atomic_load_explicit(
			&v->its[i], memory_order_relaxed);

		if (vgic__its_contains(its, doorbell))
			return vgic__its_inject(v, its, devid, data);
	}
	return n ? -EINVAL : -ENODEV;
}

bool vgic_vcpu_irq_pending(struct vgic *v, uint32_t vcpu)
{
	if (!v || vcpu >= v->nr_vcpus)
		return false;
	vgic__vcpu_sync_dirty(v, vcpu);
	/* A GICv4 doorbell (vLPI pending for a non-resident vPE) wakes it. */
	return atomic_load(&v->vcpu[vcpu].irq_out) || vgic__v4_db(v, vcpu);
}

bool vgic_vcpu_fiq_pending(struct vgic *v, uint32_t vcpu)
{
	if (!v || vcpu >= v->nr_vcpus)
		return false;
	vgic__vcpu_sync_dirty(v, vcpu);
	return atomic_load(&v->vcpu[vcpu].fiq_out);
}

int vgic_vcpu_set_running(struct vgic *v, uint32_t vcpu, bool running)
{
	struct vgic_vcpu *c;
	int ret = 0;

	if (!v || vcpu >= v->nr_vcpus)
		return -EINVAL;
	pthread_mutex_lock(&v->lock);
	c = &v->vcpu[vcpu];
	if (running && !c->running) {
		if (!v->ready) {
			if (v->model == 3)
				ret = vgic__v3_first_run(v);
			else if (v->model == 2)
				ret = vgic__v2_first_run(v);
			if (ret)
				goto out_unlock;
		}
		c->running = true;
		c->has_run = true;
		v->nr_running++;
		vgic__v4_vcpu_run(v, vcpu, true); /* vPE resident (GICv4) */
	} else if (!running && c->running) {
		c->running = false;
		v->nr_running--;
		vgic__v4_vcpu_run(v, vcpu, false); /* vPE not resident */
	}
out_unlock:
	pthread_mutex_unlock(&v->lock);
	return ret;
}

const char *vgic_strerror(int err)
{
	switch (err) {
	case 0:
		return "success";
	case -EINVAL:
		return "invalid argument (EINVAL)";
	case -ENXIO:
		return "no such attribute or device not configured (ENXIO)";
	case -EBUSY:
		return "busy: wrong state or a vCPU is running (EBUSY)";
	case -EEXIST:
		return "already exists (EEXIST)";
	case -E2BIG:
		return "out of range (E2BIG)";
	case -EFAULT:
		return "bad address or guest memory fault (EFAULT)";
	case -ENODEV:
		return "no such device (ENODEV)";
	case -ENOMEM:
		return "out of memory (ENOMEM)";
	case -ENOENT:
		return "not found (ENOENT)";
	case -ENOSPC:
		return "no space (ENOSPC)";
	case -EACCES:
		return "state not accessible (EACCES)";
	case -EPROTO:
		return "unsupported format version (EPROTO)";
	case -EAGAIN:
		return "try again (EAGAIN)";
	default:
		return err < 0 ? "unknown error" : "not an error code";
	}
}

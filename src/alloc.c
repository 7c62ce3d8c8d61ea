/*
 * libvgic - per-instance allocation.
 *
 * Every allocation goes through the instance's allocator so that an embedder
 * (or the allocation-failure tests) can supply its own.  Failure is always
 * reported to the caller, which turns it into -ENOMEM.
 */
#include <stdlib.h>

#include "internal.h"

void *vgic__alloc(struct vgic *v, size_t size)
{
	return v->alloc.alloc(v->alloc.opaque, size ? size : 1);
}

void *vgic__zalloc(struct vgic *v, size_t nmemb, size_t size)
{
	if (!nmemb || !size)
		nmemb = size = 1;
	return v->alloc.zalloc(v->alloc.opaque, nmemb, size);
}

void vgic__free(struct vgic *v, void *p)
{
	if (p)
		v->alloc.free(v->alloc.opaque, p);
}

/*
 * libvgic - epoch-based reclamation for lock-free readers.
 *
 * The MSI fast path walks ITS mapping structures without taking the
 * instance lock.  Command processing (under v->lock) may unlink those
 * structures at any time; it must not free them while a reader that saw
 * them is still running (the lesson of CVE-2024-26598, where KVM's
 * translation cache handed out an LPI that DISCARD was freeing).
 *
 * Scheme: a global epoch parity and, per shard, two reader counters (one per
 * parity).  A reader increments the counter of the current parity in a
 * shard chosen by the caller (the DeviceID, so that injector threads for
 * different devices do not share a cache line), re-checks the epoch, and
 * decrements the same counter when done.  A writer retires memory onto a
 * list; vgic__epoch_sync() flips the parity and waits until every shard's
 * counter for the old parity drains, then frees the list.  Readers are
 * short and bounded, so the wait is too; new readers use the new parity and
 * cannot starve the writer.
 */
#include <sched.h>

#include "internal.h"

unsigned vgic__epoch_enter(struct vgic_epoch *e, unsigned hint)
{
	unsigned s = hint % VGIC_EPOCH_SHARDS;

	for (;;) {
		unsigned p = atomic_load_explicit(&e->epoch,
						  memory_order_acquire) & 1;
		atomic_fetch_add_explicit(&e->shard[s].active[p], 1,
					  memory_order_seq_cst);
		/* Recheck: if the writer flipped in between, our increment
		 * may have landed in a counter it already found empty. */
		if ((atomic_load_explicit(&e->epoch, memory_order_seq_cst) &
		     1) == p)
			return s << 1 | p;
		atomic_fetch_sub_explicit(&e->shard[s].active[p], 1,
					  memory_order_release);
	}
}

void vgic__epoch_exit(struct vgic_epoch *e, unsigned token)
{
	atomic_fetch_sub_explicit(&e->shard[token >> 1].active[token & 1], 1,
				  memory_order_release);
}

void vgic__epoch_retire(struct vgic_epoch *e, void *p)
{
	struct vgic_epoch_retired *r = p;

	r->next = e->retired;
	e->retired = r;
}

void vgic__epoch_sync(struct vgic *v, struct vgic_epoch *e)
{
	struct vgic_epoch_retired *r = e->retired;
	unsigned old;

	if (!r)
		return;
	e->retired = NULL;
	old = atomic_fetch_add_explicit(&e->epoch, 1, memory_order_seq_cst) &
	      1;
	for (unsigned s = 0; s < VGIC_EPOCH_SHARDS; s++)
		while (atomic_load_explicit(&e->shard[s].active[old],
					    memory_order_acquire))
			sched_yield();
	while (r) {
		struct vgic_epoch_retired *next = r->next;
		vgic__free(v, r);
		r = next;
	}
}

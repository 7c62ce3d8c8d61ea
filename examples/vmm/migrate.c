/*
 * vgic-vmm - live migration and snapshot files.
 *
 * Source: connect to the destination first (not part of the downtime), stop
 * every vCPU (vgic_vcpu_set_running(false)), take the snapshot (libvgic's
 * whole-GIC snapshot first, which flushes ITS tables and LPI pending bits to
 * guest RAM, then vCPUs, devices, RAM), send it, wait for the destination's
 * acknowledgement, then exit.  If the destination refuses the snapshot the
 * source resumes the guest.
 *
 * Stream: struct mig_hdr, then the snapshot; the destination answers with a
 * struct mig_ack.  Downtime is measured on the destination from the
 * source's stop time (CLOCK_REALTIME, carried in the snapshot) to the moment
 * the guest resumes; both ends share a clock when they share a host or are
 * network namespaces of one host.
 */
#include "vmm.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MIG_MAGIC "VMMMIGR1"
#define MIG_MAX_SNAPSHOT (1ull << 37)

struct mig_hdr {
	char magic[8];
	uint64_t snap_len;
	uint64_t pages_written; /* by the GIC's table save */
	uint64_t gic_len;
	uint64_t save_ns;       /* time the source spent taking the snapshot */
};

struct mig_ack {
	int32_t status;         /* 0 = resumed */
	char msg[124];
};

uint64_t vmm_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	const uint8_t *p = buf;

	if (fd < 0) {
		vmm_err("cannot create %s: %s", path, strerror(errno));
		return -errno;
	}
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			vmm_err("writing %s: %s", path, strerror(errno));
			close(fd);
			return -EIO;
		}
		p += n;
		len -= (size_t)n;
	}
	if (close(fd)) {
		vmm_err("writing %s: %s", path, strerror(errno));
		return -EIO;
	}
	return 0;
}

static void resume_after_failure(struct vm *vm)
{
	vmm_log("migration failed: resuming the guest here");
	if (vmm_vm_set_running(vm, true)) {
		vm->exit_req = true;
		vm->exit_code = VMM_EXIT_MIGRATION;
	}
}

int vmm_migrate_out(struct vm *vm, const char *target)
{
	struct mig_hdr h = { .magic = MIG_MAGIC };
	struct mig_ack ack;
	uint8_t *snap = NULL;
	size_t len = 0, gic_len = 0;
	uint64_t t_stop, t_saved, t_sent;
	bool to_file = !strncmp(target, "file:", 5);
	int fd = -1, ret;

	if (!to_file) {
		fd = vmm_net_connect(target);
		if (fd < 0) {
			vmm_log("migration to %s not started", target);
			return fd;
		}
	}
	t_stop = vmm_wall_ns();
	if ((ret = vmm_vm_set_running(vm, false)))
		goto fail;
	ret = vmm_snapshot_save(vm, &snap, &len, t_stop, &gic_len);
	t_saved = vmm_wall_ns();
	if (ret)
		goto fail;
	if (to_file) {
		ret = write_file(target + 5, snap, len);
		if (ret)
			goto fail;
		vmm_log("snapshot saved to %s: %zu bytes (GIC %zu bytes, table "
			"save wrote %" PRIu64 " pages) in %.1f ms", target + 5,
			len, gic_len, vm->pages_written,
			(double)(t_saved - t_stop) / 1e6);
		free(snap);
		vm->exit_req = true;
		vm->exit_code = 0;
		return 0;
	}
	h.snap_len = len;
	h.pages_written = vm->pages_written;
	h.gic_len = gic_len;
	h.save_ns = t_saved - t_stop;
	if ((ret = vmm_net_send_all(fd, &h, sizeof(h))) ||
	    (ret = vmm_net_send_all(fd, snap, len))) {
		vmm_err("sending the snapshot: %s", strerror(-ret));
		goto fail;
	}
	t_sent = vmm_wall_ns();
	if ((ret = vmm_net_recv_all(fd, &ack, sizeof(ack)))) {
		vmm_err("no answer from the destination: %s", strerror(-ret));
		goto fail;
	}
	ack.msg[sizeof(ack.msg) - 1] = 0;
	if (ack.status) {
		vmm_err("the destination refused the snapshot: %s", ack.msg);
		ret = -EPROTO;
		goto fail;
	}
	vmm_log("migrated to %s: snapshot %zu bytes (GIC %zu bytes, table "
		"save wrote %" PRIu64 " pages); stop->saved %.2f ms, "
		"sent %.2f ms, destination running after %.2f ms", target, len,
		gic_len, vm->pages_written, (double)(t_saved - t_stop) / 1e6,
		(double)(t_sent - t_stop) / 1e6,
		(double)(vmm_wall_ns() - t_stop) / 1e6);
	free(snap);
	close(fd);
	vm->exit_req = true;
	vm->exit_code = 0;
	return 0;
fail:
	free(snap);
	if (fd >= 0)
		close(fd);
	resume_after_failure(vm);
	return ret ? ret : -EIO;
}

/* Build the machine a snapshot describes and load the snapshot into it. */
static int start_from(struct vm *vm, const uint8_t *buf, size_t len,
		      uint64_t *stop_wall)
{
	int ret = vmm_snapshot_peek_config(buf, len, vm);

	if (ret)
		return ret;
	/* A machine prepared before the stream arrived must match it. */
	if (vm->ram && (vm->nr_vcpus != vm->opt.smp ||
			vm->gic_version != vm->opt.gic ||
			vm->ram_size != vm->opt.ram_size ||
			vm->has_its != (vm->opt.gic == 3 && vm->opt.its))) {
		vmm_vm_destroy(vm);
		memset(vm->vcpu, 0, sizeof(vm->vcpu));
	}
	if (!vm->ram && (ret = vmm_vm_create(vm)))
		return ret;
	if ((ret = vmm_snapshot_restore(vm, buf, len, stop_wall)))
		return ret;
	return vmm_vm_set_running(vm, true);
}

int vmm_restore_file(struct vm *vm, const char *path)
{
	struct stat st;
	uint8_t *buf;
	uint64_t stop;
	size_t done = 0;
	int ret, fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		vmm_err("cannot open snapshot %s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (uint64_t)st.st_size > MIG_MAX_SNAPSHOT) {
		vmm_err("%s: not a snapshot file", path);
		close(fd);
		return -EINVAL;
	}
	buf = malloc((size_t)st.st_size);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + done, (size_t)st.st_size - done);

		if (n <= 0) {
			vmm_err("reading %s failed", path);
			free(buf);
			close(fd);
			return -EIO;
		}
		done += (size_t)n;
	}
	close(fd);
	ret = start_from(vm, buf, done, &stop);
	if (!ret && !vm->opt.quiet)
		vmm_log("restored %s (%zu bytes)", path, done);
	free(buf);
	return ret;
}

int vmm_migrate_in(struct vm *vm, const char *spec)
{
	struct mig_hdr h;
	struct mig_ack ack;
	uint8_t *buf = NULL;
	uint64_t stop = 0;
	char bound[300];
	int lfd, fd, ret;

	/* With the machine given on the command line, build it (RAM, Unicorn
	 * engines, an empty GIC instance) before the stream arrives: that work
	 * is then not part of the downtime. */
	if (vm->opt.smp_set && (ret = vmm_vm_create(vm)))
		return ret;
	lfd = vmm_net_listen(spec, bound, sizeof(bound));
	if (lfd < 0)
		return lfd;
	/* always printed: scripts wait for this line (port 0 gets a port) */
	vmm_log("waiting for an incoming migration on %s", bound);
	do {
		fd = accept(lfd, NULL, NULL);
	} while (fd < 0 && errno == EINTR);
	close(lfd);
	if (fd < 0) {
		vmm_err("accept: %s", strerror(errno));
		return -errno;
	}
	{
		struct timeval tv = { .tv_sec = 30 }; /* a stalled source */

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	if ((ret = vmm_net_recv_all(fd, &h, sizeof(h))) ||
	    memcmp(h.magic, MIG_MAGIC, 8) || !h.snap_len ||
	    h.snap_len > MIG_MAX_SNAPSHOT) {
		vmm_err("incoming: not a vgic-vmm migration stream");
		close(fd);
		return -EPROTO;
	}
	buf = malloc(h.snap_len);
	if (!buf || (ret = vmm_net_recv_all(fd, buf, h.snap_len))) {
		vmm_err("incoming: receiving the snapshot failed");
		free(buf);
		close(fd);
		return -EIO;
	}
	ret = start_from(vm, buf, h.snap_len, &stop);
	memset(&ack, 0, sizeof(ack));
	ack.status = ret;
	snprintf(ack.msg, sizeof(ack.msg), "%s",
		 ret ? "restore failed (see the destination's log)" : "ok");
	vmm_net_send_all(fd, &ack, sizeof(ack));
	close(fd);
	if (ret) {
		free(buf);
		return ret;
	}
	vm->downtime_ns = (int64_t)(vmm_wall_ns() - stop);
	vmm_log("incoming migration: snapshot %" PRIu64 " bytes (GIC %" PRIu64
		" bytes, table save wrote %" PRIu64 " pages, source took "
		"%.2f ms to save); downtime %.2f ms", h.snap_len, h.gic_len,
		h.pages_written, (double)h.save_ns / 1e6,
		(double)vm->downtime_ns / 1e6);
	free(buf);
	vmm_migrate_after_resume(vm);
	return 0;
}

/* Queue --after-migrate-input for the guest's UART. */
void vmm_migrate_after_resume(struct vm *vm)
{
	if (vm->opt.after_migrate_input) {
		vm->rx_pending = (const uint8_t *)vm->opt.after_migrate_input;
		vm->rx_pending_len = vm->opt.after_migrate_len;
	}
}

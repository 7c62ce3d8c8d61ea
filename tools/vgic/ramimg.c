/*
 * vgic tool - reading guest memory out of a raw RAM image file.
 *
 * Images can be many GiB and sparse; nothing is mapped or read in full.
 * Every read is a pread of exactly the bytes asked for, and progress is
 * reported on stderr (when it is a terminal or --progress was given) every
 * 64 MiB of decoded data.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"

#define PROGRESS_STEP (64ull << 20)

int ramimg_open(struct ramimg *r, const char *spec)
{
	char *path = strdup(spec);
	char *at;
	struct stat st;

	if (!path)
		return -ENOMEM;
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	at = strrchr(path, '@');
	if (at) {
		*at = '\0';
		if (!parse_u64(at + 1, &r->gpa)) {
			fprintf(stderr, "vgic: bad GPA in '%s'\n", spec);
			free(path);
			return -EINVAL;
		}
	}
	r->fd = open(path, O_RDONLY);
	if (r->fd < 0 || fstat(r->fd, &st)) {
		int err = errno;
		fprintf(stderr, "vgic: cannot open RAM image '%s': %s\n", path,
			strerror(err));
		if (r->fd >= 0)
			close(r->fd);
		free(path);
		return -err;
	}
	r->path = path;
	r->size = (uint64_t)st.st_size;
	r->next_progress = PROGRESS_STEP;
	r->progress = isatty(STDERR_FILENO);
	return 0;
}

void ramimg_close(struct ramimg *r)
{
	if (r->fd >= 0)
		close(r->fd);
	free(r->path);
	r->fd = -1;
	r->path = NULL;
}

int ramimg_read(struct ramimg *r, uint64_t gpa, void *buf, size_t len)
{
	uint64_t off;
	size_t done = 0;

	if (gpa < r->gpa || gpa - r->gpa > r->size ||
	    len > r->size - (gpa - r->gpa))
		return -EFAULT;
	off = gpa - r->gpa;
	while (done < len) {
		ssize_t n = pread(r->fd, (char *)buf + done, len - done,
				  (off_t)(off + done));
		if (n <= 0)
			return -EFAULT;
		done += (size_t)n;
	}
	r->bytes_read += len;
	if (r->progress && r->bytes_read >= r->next_progress) {
		fprintf(stderr, "\rvgic: decoded %" PRIu64 " MiB of %s",
			r->bytes_read >> 20, r->path);
		r->next_progress = r->bytes_read + PROGRESS_STEP;
	}
	return 0;
}

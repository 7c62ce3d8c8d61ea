/*
 * Differential tests: qtest protocol client driving QEMU's TCG GICv3 + ITS
 * (see qtest.h; the QEMU command line follows
 * /work/shared/reference/emulators.md section A).
 */
#include "qtest.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define QT_BATCH 64
#define QT_TIMEOUT_MS 20000

static const char *const qt_base_args[] = {
	"qemu-system-aarch64",
	"-M", "virt,gic-version=3,its=on", "-cpu", "max", "-smp", "2",
	"-m", "256M", "-display", "none", "-nic", "none", "-serial", "none",
	"-monitor", "none", "-qtest", "stdio",
	"-qtest-log", "/dev/null",
};

int qt_start(struct qtest *q, const char *const *extra)
{
	const char *argv[64];
	size_t n = 0;
	int in[2], out[2];

	memset(q, 0, sizeof(*q));
	q->pid = -1;
	for (size_t i = 0; i < sizeof(qt_base_args) / sizeof(*qt_base_args); i++)
		argv[n++] = qt_base_args[i];
	for (size_t i = 0; extra && extra[i] && n < 63; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	if (pipe(in) || pipe(out))
		return -1;
	q->pid = fork();
	if (q->pid < 0)
		return -1;
	if (q->pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		/* QEMU is exec'd directly (no wrapper whose death would orphan
		 * it) and dies with us; qt_stop() kills it by its pid. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(127);

		dup2(in[0], 0);
		dup2(out[1], 1);
		if (null >= 0)
			dup2(null, 2); /* QEMU's harmless GLib warning on exit */
		close(in[1]);
		close(out[0]);
		execvp(argv[0], (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	q->to_qemu = in[1];
	q->from_qemu = out[0];
	signal(SIGPIPE, SIG_IGN);
	/* First round trip proves QEMU is up. */
	if (qt_read(q, 0x08000004, 4) == 0 || q->failed) {
		qt_stop(q);
		return -1;
	}
	return 0;
}

void qt_stop(struct qtest *q)
{
	if (q->pid > 0) {
		close(q->to_qemu);
		close(q->from_qemu);
		kill(q->pid, SIGKILL);
		waitpid(q->pid, NULL, 0);
		q->pid = -1;
	}
	free(q->out);
	q->out = NULL;
}

static void qt_send(struct qtest *q)
{
	size_t off = 0;

	while (off < q->out_len && !q->failed) {
		ssize_t w = write(q->to_qemu, q->out + off, q->out_len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			q->failed = 1;
		else
			off += (size_t)w;
	}
	q->out_len = 0;
}

/* Next reply line (not an asynchronous IRQ event) into @line. */
static int qt_line(struct qtest *q, char *line, size_t cap)
{
	for (;;) {
		char *nl = memchr(q->in, '\n', q->in_len);

		if (nl) {
			size_t l = (size_t)(nl - q->in);

			if (l >= cap)
				l = cap - 1;
			memcpy(line, q->in, l);
			line[l] = 0;
			q->in_len -= (size_t)(nl - q->in) + 1;
			memmove(q->in, nl + 1, q->in_len);
			if (!strncmp(line, "IRQ", 3))
				continue;
			return 0;
		}
		if (q->failed || q->in_len == sizeof(q->in))
			return -1;
		struct pollfd p = { q->from_qemu, POLLIN, 0 };
		if (poll(&p, 1, QT_TIMEOUT_MS) <= 0) {
			q->failed = 1;
			return -1;
		}
		ssize_t r = read(q->from_qemu, q->in + q->in_len,
				 sizeof(q->in) - q->in_len);
		if (r <= 0) {
			q->failed = 1;
			return -1;
		}
		q->in_len += (size_t)r;
	}
}

void qt_flush(struct qtest *q)
{
	char line[256];

	qt_send(q);
	while (q->queued && !q->failed) {
		q->queued--;
		if (qt_line(q, line, sizeof(line)) || strncmp(line, "OK", 2)) {
			fprintf(stderr, "qtest: unexpected reply '%s'\n", line);
			q->failed = 1;
		}
	}
	q->queued = 0;
}

static void qt_queue(struct qtest *q, const char *s, size_t len)
{
	if (q->out_len + len + 1 > q->out_cap) {
		size_t cap = (q->out_len + len + 1) * 2;
		char *p = realloc(q->out, cap);

		if (!p) {
			q->failed = 1;
			return;
		}
		q->out = p;
		q->out_cap = cap;
	}
	memcpy(q->out + q->out_len, s, len);
	q->out_len += len;
	q->out[q->out_len++] = '\n';
}

void qt_cmd(struct qtest *q, const char *cmd)
{
	qt_queue(q, cmd, strlen(cmd));
	q->queued++;
	if (q->queued >= QT_BATCH || q->out_len > 16384)
		qt_flush(q);
}

void qt_write(struct qtest *q, uint64_t addr, uint64_t val, unsigned len)
{
	static const char *const op[9] = { [1] = "writeb", [2] = "writew",
					   [4] = "writel", [8] = "writeq" };
	char buf[96];

	snprintf(buf, sizeof(buf), "%s 0x%llx 0x%llx", op[len & 15],
		 (unsigned long long)addr, (unsigned long long)val);
	qt_cmd(q, buf);
}

uint64_t qt_read(struct qtest *q, uint64_t addr, unsigned len)
{
	static const char *const op[9] = { [1] = "readb", [2] = "readw",
					   [4] = "readl", [8] = "readq" };
	char buf[96], line[256];

	qt_flush(q);
	snprintf(buf, sizeof(buf), "%s 0x%llx", op[len & 15],
		 (unsigned long long)addr);
	qt_queue(q, buf, strlen(buf));
	qt_send(q);
	if (qt_line(q, line, sizeof(line)) || strncmp(line, "OK ", 3)) {
		q->failed = 1;
		return 0;
	}
	return strtoull(line + 3, NULL, 16);
}

void qt_memwrite(struct qtest *q, uint64_t addr, const void *buf, size_t len)
{
	const uint8_t *b = buf;
	static const char hex[] = "0123456789abcdef";
	size_t chunk;

	while (len) {
		char *s;
		int n;

		chunk = len > 4096 ? 4096 : len;
		s = malloc(chunk * 2 + 64);
		if (!s) {
			q->failed = 1;
			return;
		}
		n = snprintf(s, 64, "write 0x%llx 0x%zx 0x",
			     (unsigned long long)addr, chunk);
		for (size_t i = 0; i < chunk; i++) {
			s[n + 2 * i] = hex[b[i] >> 4];
			s[n + 2 * i + 1] = hex[b[i] & 15];
		}
		s[n + 2 * chunk] = 0;
		qt_cmd(q, s);
		free(s);
		addr += chunk;
		b += chunk;
		len -= chunk;
	}
}

void qt_memread(struct qtest *q, uint64_t addr, void *buf, size_t len)
{
	char cmd[96];
	char *line;
	size_t cap = len * 2 + 64;
	uint8_t *b = buf;

	memset(buf, 0, len);
	qt_flush(q);
	line = malloc(cap);
	if (!line || len * 2 + 8 > sizeof(q->in)) {
		free(line);
		q->failed = 1;
		return;
	}
	snprintf(cmd, sizeof(cmd), "read 0x%llx 0x%zx",
		 (unsigned long long)addr, len);
	qt_queue(q, cmd, strlen(cmd));
	qt_send(q);
	if (qt_line(q, line, cap) || strncmp(line, "OK 0x", 5)) {
		q->failed = 1;
		free(line);
		return;
	}
	for (size_t i = 0; i < len && line[5 + 2 * i] && line[6 + 2 * i]; i++) {
		char h[3] = { line[5 + 2 * i], line[6 + 2 * i], 0 };

		b[i] = (uint8_t)strtoul(h, NULL, 16);
	}
	free(line);
}

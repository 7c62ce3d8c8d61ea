/*
 * Differential tests: a minimal client of QEMU's qtest protocol.
 *
 * QEMU (qemu-system-aarch64 -M virt,gic-version=3,its=on, TCG, stopped with
 * -S unless a guest stub runs) is started with "-qtest stdio" on two pipes.  Commands without an
 * interesting reply are queued and sent in batches of 64 (QEMU and the
 * client would deadlock on full pipes otherwise); a read flushes the queue
 * and waits for its own reply.  Asynchronous "IRQ ..." lines are skipped.
 */
#ifndef VGIC_DIFF_QTEST_H
#define VGIC_DIFF_QTEST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct qtest {
	pid_t pid;
	int to_qemu, from_qemu;
	char *out;          /* queued commands */
	size_t out_len, out_cap;
	unsigned queued;    /* replies owed for queued commands */
	char in[65536];     /* reply line buffer */
	size_t in_len;
	int failed;         /* a reply was not OK or QEMU died */
};

/* Start QEMU with @extra arguments (NULL-terminated, may be NULL; pass
 * "-accel" and "tcg" with "-S" to keep the vCPUs stopped, or "-kernel" and
 * a guest to run).
 * Returns 0 or -1 (QEMU missing or not answering). */
int qt_start(struct qtest *q, const char *const *extra);
/* Kill QEMU (it does not exit on EOF) and reap it. */
void qt_stop(struct qtest *q);

void qt_write(struct qtest *q, uint64_t addr, uint64_t val, unsigned len);
uint64_t qt_read(struct qtest *q, uint64_t addr, unsigned len);
void qt_memwrite(struct qtest *q, uint64_t addr, const void *buf, size_t len);
void qt_memread(struct qtest *q, uint64_t addr, void *buf, size_t len);
/* Queue a raw command (e.g. set_irq_in) expecting "OK". */
void qt_cmd(struct qtest *q, const char *cmd);
/* Send everything queued and collect the replies. */
void qt_flush(struct qtest *q);

#endif

/*
 * vgic-vmm - host sockets: "tcp:HOST:PORT" and "unix:PATH" endpoints for
 * migration and the control socket, and the control-socket commands.
 *
 * Control protocol: one text command per line, one reply line:
 *   migrate tcp:HOST:PORT | unix:PATH   live-migrate, then exit
 *   save FILE                           write a snapshot, then exit
 *   info                                vCPU states and counters
 *   quit                                stop the VM (exit status 0)
 */
#include "vmm.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

struct endpoint {
	int family;
	struct sockaddr_storage sa;
	socklen_t len;
};

static int parse_spec(const char *spec, struct endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	if (!strncmp(spec, "unix:", 5)) {
		struct sockaddr_un *un = (struct sockaddr_un *)&ep->sa;

		if (strlen(spec + 5) == 0 ||
		    strlen(spec + 5) >= sizeof(un->sun_path)) {
			vmm_err("%s: bad unix socket path", spec);
			return -EINVAL;
		}
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, spec + 5);
		ep->family = AF_UNIX;
		ep->len = sizeof(*un);
		return 0;
	}
	if (!strncmp(spec, "tcp:", 4)) {
		char host[256];
		const char *colon = strrchr(spec + 4, ':');
		struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
		size_t hl;
		int err;

		if (!colon || !colon[1]) {
			vmm_err("%s: expected tcp:HOST:PORT", spec);
			return -EINVAL;
		}
		hl = (size_t)(colon - (spec + 4));
		if (hl >= sizeof(host))
			return -EINVAL;
		memcpy(host, spec + 4, hl);
		host[hl] = 0;
		if (host[0] == '[' && hl > 1 && host[hl - 1] == ']') {
			memmove(host, host + 1, hl - 2);
			host[hl - 2] = 0;
		}
		hints.ai_family = AF_UNSPEC;
		hints.ai_flags = AI_PASSIVE;
		err = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints,
				  &res);
		if (err) {
			vmm_err("%s: %s", spec, gai_strerror(err));
			return -EINVAL;
		}
		memcpy(&ep->sa, res->ai_addr, res->ai_addrlen);
		ep->len = res->ai_addrlen;
		ep->family = res->ai_family;
		freeaddrinfo(res);
		return 0;
	}
	vmm_err("%s: expected tcp:HOST:PORT or unix:PATH", spec);
	return -EINVAL;
}

/* Listen on @spec; @bound (may be NULL) gets the actual endpoint, with
 * the port the kernel chose for tcp:HOST:0. */
int vmm_net_listen(const char *spec, char *bound, size_t cap)
{
	struct endpoint ep;
	int fd, one = 1;

	if (parse_spec(spec, &ep))
		return -EINVAL;
	fd = socket(ep.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (ep.family == AF_UNIX)
		unlink(((struct sockaddr_un *)&ep.sa)->sun_path);
	else
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ep.sa, ep.len) || listen(fd, 4)) {
		int e = errno;

		vmm_err("listening on %s: %s", spec, strerror(e));
		close(fd);
		return -e;
	}
	if (bound) {
		struct sockaddr_storage sa;
		socklen_t len = sizeof(sa);
		char host[NI_MAXHOST], port[NI_MAXSERV];

		snprintf(bound, cap, "%s", spec);
		if (ep.family != AF_UNIX &&
		    !getsockname(fd, (struct sockaddr *)&sa, &len) &&
		    !getnameinfo((struct sockaddr *)&sa, len, host, sizeof(host),
				 port, sizeof(port),
				 NI_NUMERICHOST | NI_NUMERICSERV))
			snprintf(bound, cap, ep.family == AF_INET6 ?
				 "tcp:[%s]:%s" : "tcp:%s:%s", host, port);
	}
	return fd;
}

int vmm_net_connect(const char *spec)
{
	struct endpoint ep;
	int fd;

	if (parse_spec(spec, &ep))
		return -EINVAL;
	fd = socket(ep.family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&ep.sa, ep.len)) {
		int e = errno;

		vmm_err("connecting to %s: %s", spec, strerror(e));
		close(fd);
		return -e;
	}
	/* a destination that stops answering must not hang the source */
	{
		struct timeval tv = { .tv_sec = 30 };

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	return fd;
}

int vmm_net_send_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int vmm_net_recv_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = recv(fd, p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n ? -errno : -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int vmm_control_open(struct vm *vm, const char *spec)
{
	char bound[300];
	int fd = vmm_net_listen(spec, bound, sizeof(bound));

	if (fd < 0)
		return fd;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	vm->control_fd = fd;
	if (!vm->opt.quiet)
		vmm_log("control socket on %s", bound);
	return 0;
}

static void reply(struct vm *vm, const char *msg)
{
	if (vm->control_client >= 0 &&
	    vmm_net_send_all(vm->control_client, msg, strlen(msg)))
		vm->control_client = -1;
}

static void vmm_control_command(struct vm *vm, char *line)
{
	char buf[512];

	if (!strncmp(line, "migrate ", 8) || !strncmp(line, "save ", 5)) {
		bool save = line[0] == 's';
		const char *arg = line + (save ? 5 : 8);

		snprintf(vm->migrate_target_buf,
			 sizeof(vm->migrate_target_buf), "%s%s",
			 save ? "file:" : "", arg);
		vm->migrate_target = vm->migrate_target_buf;
		vm->migrate_req = true;
		reply(vm, "ok migrating\n");
	} else if (!strcmp(line, "info")) {
		size_t n = (size_t)snprintf(buf, sizeof(buf),
					    "ok vcpus %u gic v%d its %d",
					    vm->nr_vcpus, vm->gic_version,
					    vm->has_its);
		for (uint32_t i = 0; i < vm->nr_vcpus && n < sizeof(buf) - 32;
		     i++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
					      " cpu%u=%s", i,
					      !vm->vcpu[i].powered ? "off" :
					      vm->vcpu[i].wfi ? "wfi" : "run");
		snprintf(buf + n, sizeof(buf) - n, "\n");
		reply(vm, buf);
	} else if (!strcmp(line, "quit")) {
		vm->exit_req = true;
		vm->exit_code = 0;
		reply(vm, "ok quitting\n");
	} else {
		reply(vm, "error unknown command (migrate, save, info, quit)\n");
	}
}

/* Accept a client and run any complete command lines it sent. */
int vmm_control_poll(struct vm *vm)
{
	char *line = vm->control_line;
	size_t len = vm->control_len;

	if (vm->control_fd < 0)
		return 0;
	if (vm->control_client < 0) {
		int fd = accept(vm->control_fd, NULL, NULL);

		if (fd < 0)
			return 0;
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		vm->control_client = fd;
		len = 0;
	}
	for (;;) {
		char ch;
		ssize_t n = recv(vm->control_client, &ch, 1, 0);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			close(vm->control_client);
			vm->control_client = -1;
			vm->control_len = 0;
			return 0;
		}
		if (n < 0) {
			vm->control_len = len;
			return 0;
		}
		if (ch == '\n' || len == sizeof(vm->control_line) - 1) {
			line[len] = 0;
			if (len && line[len - 1] == '\r')
				line[len - 1] = 0;
			len = 0;
			vmm_control_command(vm, line);
		} else {
			line[len++] = ch;
		}
	}
}

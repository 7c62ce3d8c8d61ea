/*
 * vgic-vmm - command line, boot and the run loop.
 *
 * The run loop is single-threaded: it runs every powered, non-idle vCPU for
 * one slice in turn, delivering interrupts at slice boundaries, and waits in
 * ppoll() for the nearest timer deadline, console input, the control socket
 * or SIGUSR1 when every vCPU idles in WFI.
 */
#define _GNU_SOURCE /* ppoll */
#include "vmm.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got_sigusr1;

static void on_sigusr1(int sig)
{
	(void)sig;
	got_sigusr1 = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: vgic-vmm [options] -kernel IMAGE\n"
"       vgic-vmm [options] --restore FILE | --incoming tcp:ADDR:PORT|unix:PATH\n"
"\n"
"An aarch64 VMM on the Unicorn CPU emulator whose interrupt controller is\n"
"libvgic.  The machine follows QEMU's virt board: RAM at 0x40000000, GICv3\n"
"(GICD 0x08000000, ITS 0x08080000, redistributors 0x080a0000) or GICv2\n"
"(GICD 0x08000000, GICC 0x08010000), PL011 at 0x09000000 (SPI 1), PSCI\n"
"over HVC or SMC, generic timer (PPIs 27 virtual, 30 physical), and an MSI\n"
"source at 0x0b000000 (DeviceID 0x10; a store to GITS_TRANSLATER is an MSI\n"
"from DeviceID 0).  The guest console is stdout; VMM messages go to stderr.\n"
"\n"
"Machine:\n"
"  -kernel FILE            arm64 Image (header honoured, else loaded at\n"
"                          RAM+0x80000) or ELF; x0 = DTB address\n"
"  -initrd FILE            initial ramdisk (linux,initrd-start/end)\n"
"  -append STRING          /chosen/bootargs\n"
"  -m SIZE                 RAM in MiB, or with a K/M/G suffix (default 128M)\n"
"  -smp N                  vCPUs: 1..64 with GICv3, 1..8 with GICv2 (default 1)\n"
"  -gic v3|v2              interrupt controller (default v3)\n"
"  --no-its                GICv3 without an ITS (and without the MSI source)\n"
"  --v4 4.1|4.0            the MSI source as an assigned device behind a\n"
"                          GICv4.x (libvgic's software model): its MSIs\n"
"                          become directly injected vLPIs\n"
"  --dtb-out FILE          also write the generated device tree to FILE\n"
"\n"
"Snapshots and live migration:\n"
"  --save FILE             on a migration trigger, write a snapshot to FILE\n"
"                          and exit (status 0)\n"
"  --restore FILE          start from a snapshot instead of -kernel\n"
"  --incoming SPEC         wait for a migration on SPEC (tcp:ADDR:PORT or\n"
"                          unix:PATH), then continue the guest\n"
"  --migrate-to SPEC       destination for SIGUSR1 and --migrate-on-output\n"
"  --control SPEC          control socket; commands, one per line:\n"
"                          'migrate SPEC', 'save FILE', 'info', 'quit'\n"
"  --migrate-on-output PAT migrate (or --save) once the guest prints PAT\n"
"  --after-migrate-input S bytes for the UART after an incoming migration\n"
"                          or restore (C escapes \\n \\r \\t \\\\ \\xHH)\n"
"  SIGUSR1                 migrate to --migrate-to (or --save FILE)\n"
"\n"
"Other:\n"
"  --input S               bytes for the UART at boot (escapes as above)\n"
"  --timeout SECONDS       stop with status 5 if the guest runs longer\n"
"  --slice N               basic blocks per round-robin slice (default 2000)\n"
"  --stats                 print per-vCPU counters at exit\n"
"  -q, --quiet             fewer VMM messages\n"
"  -h, --help              this text;   --version   versions\n"
"\n"
"Exit status: 0 after PSCI SYSTEM_OFF or SYSTEM_RESET, a completed\n"
"migration or --save; the guest's own status when it calls HVC or SMC\n"
"with x0 = 0x86000001 and x1 = status (low 8 bits); 2 bad usage or\n"
"unusable input; 3 guest crash (exception Unicorn cannot deliver, e.g.\n"
"an undefined instruction or an access outside RAM and devices); 4\n"
"migration or snapshot failure; 5 --timeout expired.\n");
}

/* Decode C escapes in place; returns the decoded length. */
static size_t unescape(char *s)
{
	char *o = s;

	for (char *p = s; *p; p++) {
		if (*p != '\\' || !p[1]) {
			*o++ = *p;
			continue;
		}
		p++;
		switch (*p) {
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'x': {
			unsigned v = 0;
			int k;

			for (k = 0; k < 2 && p[1] && strchr("0123456789abcdefABCDEF", p[1]); k++) {
				char c = *++p;

				v = v * 16 + (unsigned)(c <= '9' ? c - '0' :
						      (c | 0x20) - 'a' + 10);
			}
			*o++ = (char)v;
			break;
		}
		default: *o++ = *p; break;
		}
	}
	*o = 0;
	return (size_t)(o - s);
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);
	uint64_t mult = 1ull << 20;

	if (end == s)
		return -1;
	switch (*end) {
	case 0: break;
	case 'k': case 'K': mult = 1ull << 10; end++; break;
	case 'm': case 'M': end++; break;
	case 'g': case 'G': mult = 1ull << 30; end++; break;
	default: return -1;
	}
	if ((*end && strcmp(end, "iB") && strcmp(end, "B")) || !v ||
	    v > (64ull << 30) / mult)
		return -1;
	*out = v * mult;
	return 0;
}

enum {
	OPT_KERNEL = 256, OPT_INITRD, OPT_APPEND, OPT_SMP, OPT_GIC, OPT_NOITS,
	OPT_DTB, OPT_SAVE, OPT_RESTORE, OPT_INCOMING, OPT_MIGRATE_TO,
	OPT_CONTROL, OPT_MOO, OPT_AMI, OPT_TIMEOUT, OPT_SLICE, OPT_STATS,
	OPT_VERSION, OPT_INPUT, OPT_V4,
};

static const struct option long_opts[] = {
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "smp", required_argument, NULL, OPT_SMP },
	{ "gic", required_argument, NULL, OPT_GIC },
	{ "no-its", no_argument, NULL, OPT_NOITS },
	{ "dtb-out", required_argument, NULL, OPT_DTB },
	{ "save", required_argument, NULL, OPT_SAVE },
	{ "restore", required_argument, NULL, OPT_RESTORE },
	{ "incoming", required_argument, NULL, OPT_INCOMING },
	{ "migrate-to", required_argument, NULL, OPT_MIGRATE_TO },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "migrate-on-output", required_argument, NULL, OPT_MOO },
	{ "after-migrate-input", required_argument, NULL, OPT_AMI },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "input", required_argument, NULL, OPT_INPUT },
	{ "v4", required_argument, NULL, OPT_V4 },
	{ "slice", required_argument, NULL, OPT_SLICE },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad(const char *fmt, ...)
{
	va_list ap;

	fputs("vgic-vmm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'vgic-vmm --help'.\n", stderr);
	return -1;
}

static int parse_opts(int argc, char **argv, struct vmm_opts *o)
{
	int ch;
	char *end;

	o->ram_size = 128ull << 20;
	o->smp = 1;
	o->gic = 3;
	o->its = true;
	o->slice = 2000;
	opterr = 0;
	while ((ch = getopt_long_only(argc, argv, "m:qh", long_opts, NULL)) !=
	       -1) {
		switch (ch) {
		case OPT_KERNEL: o->kernel = optarg; break;
		case OPT_INITRD: o->initrd = optarg; break;
		case OPT_APPEND: o->append = optarg; break;
		case 'm':
			if (parse_size(optarg, &o->ram_size) ||
			    o->ram_size % VMM_PAGE ||
			    o->ram_size < (2ull << 20))
				return bad("bad RAM size '%s'", optarg);
			o->ram_set = true;
			break;
		case OPT_SMP: {
			unsigned long n = strtoul(optarg, &end, 10);

			if (*end || !n || n > VMM_MAX_VCPUS)
				return bad("bad -smp '%s' (1..64)", optarg);
			o->smp = (uint32_t)n;
			o->smp_set = true;
			break;
		}
		case OPT_GIC:
			if (!strcmp(optarg, "v3") || !strcmp(optarg, "3"))
				o->gic = 3;
			else if (!strcmp(optarg, "v2") || !strcmp(optarg, "2"))
				o->gic = 2;
			else
				return bad("bad -gic '%s' (v2 or v3)", optarg);
			o->gic_set = true;
			break;
		case OPT_NOITS: o->its = false; break;
		case OPT_DTB: o->dtb_out = optarg; break;
		case OPT_SAVE: o->save_file = optarg; break;
		case OPT_RESTORE: o->restore_file = optarg; break;
		case OPT_INCOMING: o->incoming = optarg; break;
		case OPT_MIGRATE_TO: o->migrate_to = optarg; break;
		case OPT_CONTROL: o->control = optarg; break;
		case OPT_MOO:
			if (!*optarg)
				return bad("empty --migrate-on-output");
			o->migrate_on_output = optarg;
			break;
		case OPT_AMI:
			o->after_migrate_len = unescape(optarg);
			o->after_migrate_input = optarg;
			break;
		case OPT_V4:
			if (!strcmp(optarg, "4.1"))
				o->v4 = VGIC_V4_1;
			else if (!strcmp(optarg, "4.0"))
				o->v4 = VGIC_V4_0;
			else
				return bad("bad --v4 '%s' (4.0 or 4.1)", optarg);
			break;
		case OPT_INPUT:
			o->input_len = unescape(optarg);
			o->input = optarg;
			break;
		case OPT_TIMEOUT:
			o->timeout_s = strtod(optarg, &end);
			if (*end || o->timeout_s <= 0)
				return bad("bad --timeout '%s'", optarg);
			break;
		case OPT_SLICE:
			o->slice = strtoull(optarg, &end, 0);
			if (*end || !o->slice)
				return bad("bad --slice '%s'", optarg);
			break;
		case OPT_STATS: o->stats = true; break;
		case 'q': o->quiet = true; break;
		case 'h': usage(stdout); exit(0);
		case OPT_VERSION:
			printf("vgic-vmm (libvgic %s, Unicorn %u.%u)\n",
			       vgic_version_string(), uc_version(NULL, NULL) >> 8,
			       uc_version(NULL, NULL) & 0xff);
			exit(0);
		case ':':
			return bad("option %s needs an argument", argv[optind - 1]);
		default:
			return bad("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bad("unexpected argument '%s'", argv[optind]);
	if (!!o->kernel + !!o->restore_file + !!o->incoming != 1)
		return bad("give exactly one of -kernel, --restore, --incoming");
	if (o->gic == 2 && o->smp > VMM_MAX_VCPUS_V2)
		return bad("GICv2 supports at most 8 vCPUs");
	if (o->gic == 2)
		o->its = false;
	if (o->v4 && !o->its)
		return bad("--v4 needs a GICv3 with an ITS");
	return 0;
}

/* ---- boot ---------------------------------------------------------------- */

static int boot_kernel(struct vm *vm)
{
	int ret, size;

	if ((ret = vmm_vm_create(vm)) || (ret = vmm_vm_load_kernel(vm, vm->opt.kernel)))
		return ret;
	vm->dtb_addr = (vm->kernel_end + 0x1fffff) & ~0x1fffffull;
	if (vm->opt.initrd && (ret = vmm_vm_load_initrd(vm, vm->opt.initrd)))
		return ret;
	if ((ret = vmm_vm_gic_create(vm)))
		return ret;
	if (!vmm_vm_ram_range_ok(vm, vm->dtb_addr, 0x10000)) {
		vmm_err("no room for the device tree above the image");
		return -EINVAL;
	}
	size = vmm_fdt_build(vm, vm->ram + (vm->dtb_addr - vm->ram_base), 0x10000);
	if (size < 0)
		return -EINVAL;
	if (vm->opt.dtb_out) {
		FILE *f = fopen(vm->opt.dtb_out, "wb");

		if (!f || fwrite(vm->ram + (vm->dtb_addr - vm->ram_base), 1,
				 (size_t)size, f) != (size_t)size) {
			vmm_err("cannot write %s", vm->opt.dtb_out);
			if (f)
				fclose(f);
			return -EIO;
		}
		fclose(f);
	}
	vtimer_set_counter(vm, 0);
	vcpu_reset(&vm->vcpu[0], vm->entry, vm->dtb_addr);
	vm->vcpu[0].powered = true;
	return vmm_vm_set_running(vm, true);
}

/* ---- run loop -------------------------------------------------------------- */

static void host_input(struct vm *vm, bool stdin_ready)
{
	uint8_t buf[UART_FIFO];
	size_t space = pl011_rx_space(vm);

	if (vm->rx_pending_len && space) {
		size_t n = vm->rx_pending_len < space ? vm->rx_pending_len :
			   space;

		pl011_rx_push(vm, vm->rx_pending, n);
		vm->rx_pending += n;
		vm->rx_pending_len -= n;
		space -= n;
	}
	if (vm->stdin_fd >= 0 && space && stdin_ready) {
		ssize_t n = read(vm->stdin_fd, buf, space);

		if (n > 0)
			pl011_rx_push(vm, buf, (size_t)n);
		else if (n == 0 || errno != EINTR)
			vm->stdin_fd = -1;
	}
	vmm_control_poll(vm);
}

static void wait_host(struct vm *vm, int64_t timeout_ns,
		      const sigset_t *unblocked)
{
	struct pollfd pfd[3];
	struct timespec ts, *tsp = NULL;
	nfds_t n = 0;
	bool use_stdin = vm->stdin_fd >= 0 && pl011_rx_space(vm);

	if (use_stdin)
		pfd[n++] = (struct pollfd){ .fd = vm->stdin_fd, .events = POLLIN };
	if (vm->control_fd >= 0)
		pfd[n++] = (struct pollfd){ .fd = vm->control_fd, .events = POLLIN };
	if (vm->control_client >= 0)
		pfd[n++] = (struct pollfd){ .fd = vm->control_client, .events = POLLIN };
	if (timeout_ns >= 0) {
		ts.tv_sec = timeout_ns / 1000000000;
		ts.tv_nsec = timeout_ns % 1000000000;
		tsp = &ts;
	}
	if (ppoll(pfd, n, tsp, unblocked) <= 0)
		use_stdin = false;
	host_input(vm, use_stdin && (pfd[0].revents & (POLLIN | POLLHUP)));
}

static void migration_trigger(struct vm *vm)
{
	const char *target = vm->migrate_target;
	char buf[300];

	vm->migrate_req = false;
	vm->migrate_target = NULL;
	if (!target && vm->opt.migrate_to)
		target = vm->opt.migrate_to;
	if (!target && vm->opt.save_file) {
		snprintf(buf, sizeof(buf), "file:%s", vm->opt.save_file);
		target = buf;
	}
	if (!target) {
		vmm_log("migration requested but there is no destination "
			"(--migrate-to or --save): ignored");
		return;
	}
	if (vmm_migrate_out(vm, target) && !vm->exit_req)
		vmm_log("the guest keeps running here");
}

static int run(struct vm *vm, const sigset_t *unblocked)
{
	uint64_t deadline = vm->opt.timeout_s > 0 ?
			    vmm_host_ns() + (uint64_t)(vm->opt.timeout_s * 1e9) : 0;
	uint64_t last_poll = 0;

	while (!vm->exit_req) {
		bool busy = false;
		int64_t next = -1;
		uint64_t now;

		if (got_sigusr1) {
			got_sigusr1 = 0;
			vm->migrate_req = true;
		}
		if (vm->migrate_req) {
			migration_trigger(vm);
			continue;
		}
		for (uint32_t i = 0; i < vm->nr_vcpus && !vm->exit_req &&
				     !vm->migrate_req; i++) {
			struct vcpu *c = &vm->vcpu[i];
			int64_t d;

			if (!c->powered)
				continue;
			vtimer_update(c);
			if (c->wfi) {
				if (!vgic_vcpu_irq_pending(vm->gic, i) &&
				    !vgic_vcpu_fiq_pending(vm->gic, i)) {
					d = vtimer_next_deadline_ns(c);
					if (d >= 0 && (next < 0 || d < next))
						next = d;
					continue;
				}
				c->wfi = false;
			}
			vcpu_check_interrupts(c);
			vcpu_run_slice(c);
			busy = true;
		}
		now = vmm_host_ns();
		if (deadline && now > deadline) {
			vmm_err("--timeout expired after %.1f s",
				vm->opt.timeout_s);
			vm->exit_req = true;
			vm->exit_code = 5;
			break;
		}
		if (vm->exit_req)
			break;
		if (busy) {
			if (now - last_poll > 1000000) { /* host I/O every ms */
				last_poll = now;
				wait_host(vm, 0, unblocked);
			} else if (vm->rx_pending_len) {
				host_input(vm, false);
			}
		} else {
			if (deadline && (next < 0 ||
					 (uint64_t)next > deadline - now))
				next = (int64_t)(deadline - now);
			wait_host(vm, next, unblocked);
		}
	}
	return vm->exit_code;
}

static void print_stats(struct vm *vm)
{
	for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *c = &vm->vcpu[i];

		fprintf(stderr, "vgic-vmm: cpu%u: irqs %" PRIu64 " fiqs %" PRIu64
			" wfi %" PRIu64 " icc %" PRIu64 " mmio %" PRIu64
			" slices %" PRIu64 "\n", i, c->nr_irqs, c->nr_fiqs,
			c->nr_wfi, c->nr_sysreg, c->nr_mmio, c->nr_slices);
	}
	fprintf(stderr, "vgic-vmm: msi source: sent %u (%u direct) dropped %u\n",
		vm->msi.sent, vm->msi.direct, vm->msi.dropped);
	vmm_v4_stats(vm);
}

int main(int argc, char **argv)
{
	static struct vm vm;
	struct sigaction sa;
	sigset_t block, unblocked;
	int ret;

	if (parse_opts(argc, argv, &vm.opt))
		return VMM_EXIT_USAGE;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr1;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &unblocked);
	sigdelset(&unblocked, SIGUSR1);

	vm.control_fd = vm.control_client = -1;
	vm.stdin_fd = -1;
	if (vm.opt.control && vmm_control_open(&vm, vm.opt.control))
		return VMM_EXIT_USAGE;
	if (vm.opt.kernel)
		ret = boot_kernel(&vm);
	else if (vm.opt.restore_file)
		ret = vmm_restore_file(&vm, vm.opt.restore_file);
	else
		ret = vmm_migrate_in(&vm, vm.opt.incoming);
	if (ret) {
		vmm_vm_destroy(&vm);
		return vm.opt.kernel ? VMM_EXIT_USAGE : VMM_EXIT_MIGRATION;
	}
	if (vm.opt.restore_file)
		vmm_migrate_after_resume(&vm);
	else if (vm.opt.kernel && vm.opt.input) {
		vm.rx_pending = (const uint8_t *)vm.opt.input;
		vm.rx_pending_len = vm.opt.input_len;
	}
	if (fcntl(0, F_GETFL) >= 0)
		vm.stdin_fd = 0; /* read only when ppoll() says it is ready */
	vm.start_ns = vmm_host_ns();
	ret = run(&vm, &unblocked);
	if (vm.opt.stats)
		print_stats(&vm);
	vmm_vm_destroy(&vm);
	return ret;
}

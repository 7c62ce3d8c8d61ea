/*
 * bench-v4: what the GICv4 integration (src/v4.c) costs, measured in one run
 * on the same VM layout (4 vCPUs, one ITS, 256 events of one device):
 *
 *   msi/plain      vgic_signal_msi() with no backend attached;
 *   msi/attached   the software GICv4.1 model attached, nothing forwarded
 *                  (the claim: the hooks cost one pointer load, ratio ~1);
 *   msi/forwarded  every event forwarded: each MSI goes to the model's
 *                  vlpi_set_pending (model lock) instead of the bitmap;
 *   save/plain     SAVE_PENDING_TABLES with 256 pending LPIs;
 *   save/forwarded the same with 256 pending vLPIs and 4 mapped vPEs
 *                  (unmap every vPE, read 256 VPT bits, map them back).
 *
 * Prints ns per operation (best of several alternating trials) and the
 * ratios to the plain runs, one JSON line per measurement.  Uses only the public API and the tests' guest helpers.
 * -s: short mode.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "its_guest.h"
#include <vgic/v4.h>

#define NR_VCPUS 4
#define NR_EV 256u
#define DEV 1u
#define LPI0 8192u
#define RAM_SIZE (8u << 20)

enum mode { PLAIN, ATTACHED, FORWARDED };

struct vm {
	struct th_host *h;
	struct vgic *v;
	struct vgic_device *gic, *its;
	struct gi_its g;
	struct vgic_v4_model *m;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void vm_new(struct vm *vm, enum mode mode)
{
	memset(vm, 0, sizeof(*vm));
	vm->h = th_host_new(RAM_SIZE);
	vm->v = th_vm_v3(vm->h, NR_VCPUS, NULL, 0, 1, &vm->gic, &vm->its);
	if (mode != PLAIN) {
		if (vgic_v4_model_create(VGIC_V4_1, NR_VCPUS, NR_EV, &vm->m) ||
		    vgic_v4_attach_model(vm->v, vm->m))
			abort();
	}
	gi_cpu_init(vm->v, vm->h, NR_VCPUS, true);
	gi_its_init(&vm->g, vm->v, vm->h, 0, false);
	for (uint32_t c = 0; c < NR_VCPUS; c++)
		gi_mapc(&vm->g, c, c, true);
	gi_mapd(&vm->g, DEV, gi_itt(&vm->g, DEV), 9, true);
	for (uint32_t e = 0; e < NR_EV; e++) {
		gi_set_cfg(vm->h, LPI0 + e, 0xa0, true);
		gi_mapti(&vm->g, DEV, e, LPI0 + e, e % NR_VCPUS);
		if (mode == FORWARDED &&
		    vgic_v4_set_forwarding(vm->v,
					   TH_ITS_BASE + GITS_TRANSLATER_OFF,
					   DEV, e, e))
			abort();
	}
	/* Every vCPU has run once: with a backend, its vPE is mapped. */
	for (uint32_t c = 0; c < NR_VCPUS; c++)
		if (vgic_vcpu_set_running(vm->v, c, true) ||
		    vgic_vcpu_set_running(vm->v, c, false))
			abort();
}

static void vm_free(struct vm *vm)
{
	vgic_destroy(vm->v);
	vgic_v4_model_destroy(vm->m);
	th_host_free(vm->h);
}

/* ns per vgic_signal_msi() over @rounds passes of every event. */
static double bench_msi(struct vm *vm, unsigned rounds)
{
	double t0 = now();

	for (unsigned r = 0; r < rounds; r++)
		for (uint32_t e = 0; e < NR_EV; e++)
			if (gi_msi(&vm->g, DEV, e) != 1)
				abort();
	return (now() - t0) * 1e9 / ((double)rounds * NR_EV);
}

/* ns per SAVE_PENDING_TABLES (every LPI pending). */
static double bench_save(struct vm *vm, unsigned n)
{
	double t0;

	for (uint32_t e = 0; e < NR_EV; e++)
		gi_msi(&vm->g, DEV, e);
	t0 = now();
	for (unsigned i = 0; i < n; i++)
		if (th_set_attr(vm->gic, VGIC_GRP_CTRL,
				VGIC_CTRL_SAVE_PENDING_TABLES, NULL))
			abort();
	return (now() - t0) * 1e9 / n;
}

static void report(const char *what, double ns, double base)
{
	printf("{\"bench\":\"v4\",\"what\":\"%s\",\"ns_per_op\":%.1f,"
	       "\"ratio_to_plain\":%.2f}\n",
	       what, ns, ns / base);
}

int main(int argc, char **argv)
{
	bool shrt = argc > 1 && !strcmp(argv[1], "-s");
	unsigned rounds = shrt ? 50 : 400, saves = shrt ? 10 : 100;
	unsigned trials = shrt ? 3 : 10;
	double msi[3] = { 1e30, 1e30, 1e30 }, save[3] = { 1e30, 1e30, 1e30 };
	struct vm vm[3];

	/* The three VMs side by side, measured in alternation, best of
	 * @trials: the machine's load affects them alike. */
	for (int m = PLAIN; m <= FORWARDED; m++) {
		vm_new(&vm[m], (enum mode)m);
		bench_msi(&vm[m], rounds / 10 + 1); /* warm up */
	}
	for (unsigned t = 0; t < trials; t++) {
		for (int m = PLAIN; m <= FORWARDED; m++) {
			double ns = bench_msi(&vm[m], rounds);

			msi[m] = ns < msi[m] ? ns : msi[m];
			ns = bench_save(&vm[m], saves);
			save[m] = ns < save[m] ? ns : save[m];
		}
	}
	for (int m = PLAIN; m <= FORWARDED; m++)
		vm_free(&vm[m]);
	report("msi/plain", msi[PLAIN], msi[PLAIN]);
	report("msi/attached", msi[ATTACHED], msi[PLAIN]);
	report("msi/forwarded", msi[FORWARDED], msi[PLAIN]);
	report("save/plain", save[PLAIN], save[PLAIN]);
	report("save/attached", save[ATTACHED], save[PLAIN]);
	report("save/forwarded", save[FORWARDED], save[PLAIN]);
	return 0;
}

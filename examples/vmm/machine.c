/*
 * vgic-vmm - the machine: guest RAM, kernel/initrd loading (arm64 Image
 * header, ELF64, raw), the interrupt controller (libvgic GICv3 + ITS or
 * GICv2 at the virt addresses) and the host callbacks libvgic uses.
 */
#include "vmm.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

uint64_t vmm_host_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * VMM messages go to stderr, the guest console to stdout.  When both reach
 * the same file and the guest is in the middle of a line, start on a new
 * line so messages stay readable.
 */
static bool console_mid_line;

void vmm_console_wrote(uint8_t ch)
{
	console_mid_line = ch != '\n';
}

static void log_newline(void)
{
	struct stat a, b;

	if (console_mid_line && !fstat(1, &a) && !fstat(2, &b) &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		fputc('\n', stderr);
	console_mid_line = false;
}

void vmm_log(const char *fmt, ...)
{
	va_list ap;

	log_newline();
	fputs("vgic-vmm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void vmm_err(const char *fmt, ...)
{
	va_list ap;

	log_newline();
	fputs("vgic-vmm: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool vmm_vm_ram_range_ok(const struct vm *vm, uint64_t gpa, uint64_t len)
{
	return gpa >= vm->ram_base && len <= vm->ram_size &&
	       gpa - vm->ram_base <= vm->ram_size - len;
}

/* ---- libvgic host callbacks ---------------------------------------------- */

static int host_read_guest(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	struct vm *vm = opaque;

	if (!vmm_vm_ram_range_ok(vm, gpa, len))
		return -EFAULT;
	memcpy(buf, vm->ram + (gpa - vm->ram_base), len);
	return 0;
}

static int host_write_guest(void *opaque, uint64_t gpa, const void *buf,
			    size_t len)
{
	struct vm *vm = opaque;

	if (!vmm_vm_ram_range_ok(vm, gpa, len))
		return -EFAULT;
	memcpy(vm->ram + (gpa - vm->ram_base), buf, len);
	if (vm->count_writes && vm->written_map && len) {
		uint64_t first = (gpa - vm->ram_base) / VMM_PAGE;
		uint64_t last = (gpa - vm->ram_base + len - 1) / VMM_PAGE;

		for (uint64_t p = first; p <= last; p++) {
			uint8_t bit = (uint8_t)(1u << (p & 7));

			if (!(vm->written_map[p >> 3] & bit)) {
				vm->written_map[p >> 3] |= bit;
				vm->pages_written++;
			}
		}
	}
	return 0;
}

/* Called with libvgic's lock held, possibly from inside a hook of another
 * vCPU: only set a flag, the run loop does the rest. */
static void host_kick_vcpu(void *opaque, uint32_t vcpu)
{
	struct vm *vm = opaque;

	if (vcpu < vm->nr_vcpus)
		vm->vcpu[vcpu].kick = true;
}

static const struct vgic_host_ops host_ops = {
	.read_guest = host_read_guest,
	.write_guest = host_write_guest,
	.kick_vcpu = host_kick_vcpu,
};

/* ---- interrupt controller ------------------------------------------------ */

static int set_attr(struct vgic_device *d, uint32_t group, uint64_t attr,
		    void *val, const char *what)
{
	struct vgic_device_attr a = {
		.group = group, .attr = attr, .addr = (uint64_t)(uintptr_t)val,
	};
	int ret = vgic_device_set_attr(d, &a);

	if (ret)
		vmm_err("GIC setup: %s: %s", what, vgic_strerror(ret));
	return ret;
}

static uint64_t default_mpidr(uint32_t id)
{
	/* KVM's default (what libvgic assumes with cfg.mpidr == NULL). */
	return ((uint64_t)((id / 16) % 256) << 8) | (id % 16);
}

/* Create the GIC device(s) without initialising them: a restore lets the
 * snapshot create them instead (vm->gic only). */
static int gic_instance(struct vm *vm)
{
	struct vgic_config cfg = { .nr_vcpus = vm->nr_vcpus };
	int ret = vgic_create(&cfg, &host_ops, vm, &vm->gic);

	if (ret)
		vmm_err("vgic_create: %s", vgic_strerror(ret));
	return ret;
}

int vmm_vm_gic_create(struct vm *vm)
{
	uint64_t a;
	uint32_t nr_irqs = 288; /* 256 SPIs, as on virt */
	int ret;

	ret = vgic_device_create(vm->gic, vm->gic_version == 3 ?
				 VGIC_DEV_TYPE_V3 : VGIC_DEV_TYPE_V2,
				 &vm->gicdev);
	if (ret) {
		vmm_err("creating the GICv%d: %s", vm->gic_version,
			vgic_strerror(ret));
		return ret;
	}
	if (vm->gic_version == 3) {
		a = VIRT_GICD_BASE;
		if ((ret = set_attr(vm->gicdev, VGIC_GRP_ADDR,
				    VGIC_V3_ADDR_TYPE_DIST, &a, "GICD address")))
			return ret;
		a = VIRT_GICR_BASE;
		if ((ret = set_attr(vm->gicdev, VGIC_GRP_ADDR,
				    VGIC_V3_ADDR_TYPE_REDIST, &a,
				    "GICR address")))
			return ret;
	} else {
		a = VIRT_GICD_BASE;
		if ((ret = set_attr(vm->gicdev, VGIC_GRP_ADDR,
				    VGIC_V2_ADDR_TYPE_DIST, &a, "GICD address")))
			return ret;
		a = VIRT_GICC_BASE;
		if ((ret = set_attr(vm->gicdev, VGIC_GRP_ADDR,
				    VGIC_V2_ADDR_TYPE_CPU, &a, "GICC address")))
			return ret;
	}
	if ((ret = set_attr(vm->gicdev, VGIC_GRP_NR_IRQS, 0, &nr_irqs,
			    "number of IRQs")))
		return ret;
	if ((ret = set_attr(vm->gicdev, VGIC_GRP_CTRL, VGIC_CTRL_INIT, NULL,
			    "CTRL_INIT")))
		return ret;
	if (vm->gic_version == 3 && vm->has_its) {
		ret = vgic_device_create(vm->gic, VGIC_DEV_TYPE_ITS,
					 &vm->itsdev);
		if (ret) {
			vmm_err("creating the ITS: %s", vgic_strerror(ret));
			return ret;
		}
		a = VIRT_ITS_BASE;
		if ((ret = set_attr(vm->itsdev, VGIC_GRP_ADDR,
				    VGIC_ITS_ADDR_TYPE, &a, "ITS address")))
			return ret;
		if ((ret = set_attr(vm->itsdev, VGIC_GRP_CTRL, VGIC_CTRL_INIT,
				    NULL, "ITS CTRL_INIT")))
			return ret;
	}
	return 0;
}

int vmm_vm_set_running(struct vm *vm, bool running)
{
	int ret;

	if (vm->running_marked == running)
		return 0;
	for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
		ret = vgic_vcpu_set_running(vm->gic, i, running);
		if (ret) {
			vmm_err("vgic_vcpu_set_running(%u): %s", i,
				vgic_strerror(ret));
			return ret;
		}
	}
	vm->running_marked = running;
	return 0;
}

/* ---- RAM and vCPUs -------------------------------------------------------- */

int vmm_vm_create(struct vm *vm)
{
	int ret;

	vm->ram_base = VIRT_RAM_BASE;
	vm->ram_size = vm->opt.ram_size;
	vm->nr_vcpus = vm->opt.smp;
	vm->gic_version = vm->opt.gic;
	vm->has_its = vm->opt.gic == 3 && vm->opt.its;
	vm->ram = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram == MAP_FAILED) {
		vm->ram = NULL;
		vmm_err("cannot allocate %llu MiB of guest RAM",
			(unsigned long long)(vm->ram_size >> 20));
		return -ENOMEM;
	}
	vm->written_map = calloc(vm->ram_size / VMM_PAGE / 8 + 1, 1);
	if (!vm->written_map)
		return -ENOMEM;
	pl011_init(vm);
	vm->msi.devid = MSIDEV_DEVID;
	if ((ret = gic_instance(vm)) || (ret = vmm_v4_attach(vm)))
		return ret;
	for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *c = &vm->vcpu[i];

		c->vm = vm;
		c->id = i;
		c->mpidr = default_mpidr(i);
		if ((ret = vcpu_create(vm, c)))
			return ret;
	}
	return 0;
}

void vmm_vm_destroy(struct vm *vm)
{
	for (uint32_t i = 0; i < vm->nr_vcpus; i++)
		vcpu_destroy(&vm->vcpu[i]);
	vgic_destroy(vm->gic);
	vm->gic = NULL;
	if (vm->v4)
		vgic_v4_model_destroy(vm->v4);
	vm->v4 = NULL;
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
	vm->ram = NULL;
	free(vm->written_map);
	vm->written_map = NULL;
}

/* ---- image loading -------------------------------------------------------- */

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	struct stat st;
	uint8_t *p;
	size_t done = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		vmm_err("cannot open %s: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		vmm_err("%s: not a readable, non-empty regular file", path);
		close(fd);
		return -EINVAL;
	}
	p = malloc((size_t)st.st_size);
	if (!p) {
		close(fd);
		return -ENOMEM;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, p + done, (size_t)st.st_size - done);

		if (n <= 0) {
			vmm_err("reading %s: %s", path,
				n ? strerror(errno) : "short file");
			free(p);
			close(fd);
			return -EIO;
		}
		done += (size_t)n;
	}
	close(fd);
	*buf = p;
	*len = done;
	return 0;
}

static int load_elf(struct vm *vm, const uint8_t *img, size_t len,
		    const char *path)
{
	const Elf64_Ehdr *eh = (const void *)img;
	uint64_t end = 0;

	if (len < sizeof(*eh) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_AARCH64) {
		vmm_err("%s: not a little-endian AArch64 ELF64 file", path);
		return -EINVAL;
	}
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > len ||
	    (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr) > len - eh->e_phoff) {
		vmm_err("%s: bad program header table", path);
		return -EINVAL;
	}
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, img + eh->e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		if (ph.p_filesz > ph.p_memsz || ph.p_offset > len ||
		    ph.p_filesz > len - ph.p_offset ||
		    !vmm_vm_ram_range_ok(vm, ph.p_paddr, ph.p_memsz)) {
			vmm_err("%s: segment %u (0x%llx+0x%llx) is not inside "
				"guest RAM", path, i,
				(unsigned long long)ph.p_paddr,
				(unsigned long long)ph.p_memsz);
			return -EINVAL;
		}
		memcpy(vm->ram + (ph.p_paddr - vm->ram_base),
		       img + ph.p_offset, ph.p_filesz);
		if (ph.p_paddr + ph.p_memsz > end)
			end = ph.p_paddr + ph.p_memsz;
	}
	if (!end || !vmm_vm_ram_range_ok(vm, eh->e_entry, 4)) {
		vmm_err("%s: no loadable segment or entry outside RAM", path);
		return -EINVAL;
	}
	vm->entry = eh->e_entry;
	vm->kernel_end = end;
	return 0;
}

int vmm_vm_load_kernel(struct vm *vm, const char *path)
{
	uint8_t *img;
	size_t len;
	uint64_t load, size;
	uint32_t magic;
	int ret = read_file(path, &img, &len);

	if (ret)
		return ret;
	if (len >= 4 && !memcmp(img, ELFMAG, SELFMAG)) {
		ret = load_elf(vm, img, len, path);
		free(img);
		return ret;
	}
	load = vm->ram_base + 0x80000;
	size = len;
	if (len >= 64) {
		memcpy(&magic, img + 0x38, 4);
		if (magic == 0x644d5241u) { /* "ARM\x64": arm64 Image header */
			uint64_t text_offset, image_size;

			memcpy(&text_offset, img + 8, 8);
			memcpy(&image_size, img + 16, 8);
			if (image_size) {
				load = vm->ram_base + text_offset;
				if (image_size > size)
					size = image_size;
			}
		}
	}
	if (!vmm_vm_ram_range_ok(vm, load, size)) {
		vmm_err("%s: image of %zu bytes does not fit in guest RAM",
			path, len);
		free(img);
		return -EINVAL;
	}
	memcpy(vm->ram + (load - vm->ram_base), img, len);
	free(img);
	vm->entry = load;
	vm->kernel_end = load + size;
	return 0;
}

int vmm_vm_load_initrd(struct vm *vm, const char *path)
{
	uint8_t *img;
	size_t len;
	uint64_t at = (vm->dtb_addr + 0x200000 + 0xfff) & ~0xfffull;
	int ret = read_file(path, &img, &len);

	if (ret)
		return ret;
	if (!vmm_vm_ram_range_ok(vm, at, len)) {
		vmm_err("%s: initrd of %zu bytes does not fit in guest RAM",
			path, len);
		free(img);
		return -EINVAL;
	}
	memcpy(vm->ram + (at - vm->ram_base), img, len);
	free(img);
	vm->initrd_start = at;
	vm->initrd_end = at + len;
	return 0;
}

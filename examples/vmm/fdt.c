/*
 * vgic-vmm - the flattened device tree handed to the guest in x0, built with
 * libfdt's sequential-write API.  Node names, compatibles, interrupt
 * specifiers and addresses follow QEMU's virt machine so that guests that
 * parse a virt DT find what they expect: /memory, /cpus (psci enable-method,
 * reg = MPIDR), /psci, /timer, the GIC (v3 with an ITS subnode, or v2),
 * the PL011 as stdout-path, /chosen (bootargs, initrd) and the MSI source.
 */
#include "vmm.h"

#include <libfdt.h>
#include <string.h>

#define PHANDLE_GIC 1
#define PHANDLE_ITS 2
#define PHANDLE_CLK 3

#define GIC_SPI 0
#define GIC_PPI 1
#define IRQ_LEVEL_HIGH 4
#define IRQ_LEVEL_LOW 8

/* One property made of big-endian 32-bit cells. */
static int prop_cells(void *fdt, const char *name, const uint32_t *cells,
		      int n)
{
	fdt32_t buf[24];

	for (int i = 0; i < n && i < 24; i++)
		buf[i] = cpu_to_fdt32(cells[i]);
	return fdt_property(fdt, name, buf, (int)(n * sizeof(fdt32_t)));
}

/* reg = <addr size> pairs with #address-cells = #size-cells = 2. */
static int prop_reg2(void *fdt, const uint64_t *pairs, int npairs)
{
	uint32_t c[16];

	for (int i = 0; i < 2 * npairs && i < 8; i++) {
		c[2 * i] = (uint32_t)(pairs[i] >> 32);
		c[2 * i + 1] = (uint32_t)pairs[i];
	}
	return prop_cells(fdt, "reg", c, 4 * npairs);
}

static int prop_strings(void *fdt, const char *name, const char *const *s,
			int n)
{
	char buf[256];
	size_t len = 0;

	for (int i = 0; i < n; i++) {
		size_t l = strlen(s[i]) + 1;

		if (len + l > sizeof(buf))
			return -FDT_ERR_NOSPACE;
		memcpy(buf + len, s[i], l);
		len += l;
	}
	return fdt_property(fdt, name, buf, (int)len);
}

#define TRY(x)                                                                \
	do {                                                                  \
		int err_ = (x);                                               \
		if (err_ < 0)                                                 \
			return err_;                                          \
	} while (0)

static int gic_nodes(struct vm *vm, void *fdt)
{
	char name[64];

	snprintf(name, sizeof(name), "intc@%llx",
		 (unsigned long long)VIRT_GICD_BASE);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_u32(fdt, "phandle", PHANDLE_GIC));
	TRY(fdt_property_u32(fdt, "#interrupt-cells", 3));
	TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property(fdt, "ranges", NULL, 0));
	if (vm->gic_version == 3) {
		uint64_t reg[4] = {
			VIRT_GICD_BASE, VGIC_V3_DIST_SIZE, VIRT_GICR_BASE,
			VGIC_V3_REDIST_SIZE * vm->nr_vcpus,
		};
		uint32_t maint[3] = { GIC_PPI, 9, IRQ_LEVEL_HIGH };

		TRY(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
		TRY(fdt_property_u32(fdt, "#redistributor-regions", 1));
		TRY(prop_reg2(fdt, reg, 2));
		TRY(prop_cells(fdt, "interrupts", maint, 3));
		if (vm->has_its) {
			uint64_t ireg[2] = { VIRT_ITS_BASE, VGIC_ITS_SIZE };

			snprintf(name, sizeof(name), "its@%llx",
				 (unsigned long long)VIRT_ITS_BASE);
			TRY(fdt_begin_node(fdt, name));
			TRY(fdt_property_string(fdt, "compatible",
						"arm,gic-v3-its"));
			TRY(fdt_property(fdt, "msi-controller", NULL, 0));
			TRY(fdt_property_u32(fdt, "#msi-cells", 1));
			TRY(fdt_property_u32(fdt, "phandle", PHANDLE_ITS));
			TRY(prop_reg2(fdt, ireg, 1));
			TRY(fdt_end_node(fdt));
		}
	} else {
		uint64_t reg[4] = { VIRT_GICD_BASE, 0x10000, VIRT_GICC_BASE,
				    0x10000 };
		static const char *const compat[] = { "arm,cortex-a15-gic" };

		TRY(prop_strings(fdt, "compatible", compat, 1));
		TRY(prop_reg2(fdt, reg, 2));
	}
	return fdt_end_node(fdt);
}

static int build(struct vm *vm, void *fdt, size_t cap)
{
	char name[64];
	uint32_t ppi_flags = IRQ_LEVEL_HIGH;

	if (vm->gic_version == 2) /* GICv2: CPU mask in the flags, as virt */
		ppi_flags |= ((1u << vm->nr_vcpus) - 1) << 8;
	TRY(fdt_create(fdt, (int)cap));
	TRY(fdt_finish_reservemap(fdt));
	TRY(fdt_begin_node(fdt, ""));
	TRY(fdt_property_string(fdt, "compatible", "linux,dummy-virt"));
	TRY(fdt_property_string(fdt, "model", "vgic-vmm (virt-compatible)"));
	TRY(fdt_property_u32(fdt, "#address-cells", 2));
	TRY(fdt_property_u32(fdt, "#size-cells", 2));
	TRY(fdt_property_u32(fdt, "interrupt-parent", PHANDLE_GIC));

	TRY(fdt_begin_node(fdt, "chosen"));
	snprintf(name, sizeof(name), "/pl011@%llx",
		 (unsigned long long)VIRT_UART_BASE);
	TRY(fdt_property_string(fdt, "stdout-path", name));
	if (vm->opt.append)
		TRY(fdt_property_string(fdt, "bootargs", vm->opt.append));
	if (vm->initrd_end) {
		TRY(fdt_property_u64(fdt, "linux,initrd-start",
				     vm->initrd_start));
		TRY(fdt_property_u64(fdt, "linux,initrd-end", vm->initrd_end));
	}
	TRY(fdt_end_node(fdt));

	snprintf(name, sizeof(name), "memory@%llx",
		 (unsigned long long)vm->ram_base);
	TRY(fdt_begin_node(fdt, name));
	TRY(fdt_property_string(fdt, "device_type", "memory"));
	{
		uint64_t reg[2] = { vm->ram_base, vm->ram_size };

		TRY(prop_reg2(fdt, reg, 1));
	}
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	for (uint32_t i = 0; i < vm->nr_vcpus; i++) {
		snprintf(name, sizeof(name), "cpu@%llx",
			 (unsigned long long)vm->vcpu[i].mpidr);
		TRY(fdt_begin_node(fdt, name));
		TRY(fdt_property_string(fdt, "device_type", "cpu"));
		TRY(fdt_property_string(fdt, "compatible", "arm,cortex-a72"));
		TRY(fdt_property_u32(fdt, "reg", (uint32_t)vm->vcpu[i].mpidr));
		TRY(fdt_property_string(fdt, "enable-method", "psci"));
		TRY(fdt_end_node(fdt));
	}
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "psci"));
	{
		static const char *const compat[] = { "arm,psci-1.0",
						      "arm,psci-0.2" };

		TRY(prop_strings(fdt, "compatible", compat, 2));
	}
	TRY(fdt_property_string(fdt, "method", "hvc"));
	TRY(fdt_end_node(fdt));

	TRY(fdt_begin_node(fdt, "timer"));
	TRY(fdt_property_string(fdt, "compatible", "arm,armv8-timer"));
	TRY(fdt_property(fdt, "always-on", NULL, 0));
	{
		/* secure phys, non-secure phys, virtual, hypervisor */
		uint32_t irqs[12] = {
			GIC_PPI, 13, ppi_flags, GIC_PPI, 14, ppi_flags,
			GIC_PPI, 11, ppi_flags, GIC_PPI, 10, ppi_flags,
		};

		TRY(prop_cells(fdt, "interrupts", irqs, 12));
	}
	TRY(fdt_end_node(fdt));

	TRY(gic_nodes(vm, fdt));

	TRY(fdt_begin_node(fdt, "apb-pclk"));
	TRY(fdt_property_string(fdt, "compatible", "fixed-clock"));
	TRY(fdt_property_u32(fdt, "#clock-cells", 0));
	TRY(fdt_property_u32(fdt, "clock-frequency", 24000000));
	TRY(fdt_property_string(fdt, "clock-output-names", "clk24mhz"));
	TRY(fdt_property_u32(fdt, "phandle", PHANDLE_CLK));
	TRY(fdt_end_node(fdt));

	snprintf(name, sizeof(name), "pl011@%llx",
		 (unsigned long long)VIRT_UART_BASE);
	TRY(fdt_begin_node(fdt, name));
	{
		static const char *const compat[] = { "arm,pl011",
						      "arm,primecell" };
		static const char *const clkn[] = { "uartclk", "apb_pclk" };
		uint64_t reg[2] = { VIRT_UART_BASE, VIRT_UART_SIZE };
		uint32_t irq[3] = { GIC_SPI, VIRT_UART_SPI, IRQ_LEVEL_HIGH };
		uint32_t clk[2] = { PHANDLE_CLK, PHANDLE_CLK };

		TRY(prop_strings(fdt, "compatible", compat, 2));
		TRY(prop_reg2(fdt, reg, 1));
		TRY(prop_cells(fdt, "interrupts", irq, 3));
		TRY(prop_strings(fdt, "clock-names", clkn, 2));
		TRY(prop_cells(fdt, "clocks", clk, 2));
	}
	TRY(fdt_end_node(fdt));

	if (vm->has_its) {
		uint64_t reg[2] = { VIRT_MSIDEV_BASE, VIRT_MSIDEV_SIZE };
		uint32_t parent[2] = { PHANDLE_ITS, vm->msi.devid };

		snprintf(name, sizeof(name), "msi-source@%llx",
			 (unsigned long long)VIRT_MSIDEV_BASE);
		TRY(fdt_begin_node(fdt, name));
		TRY(fdt_property_string(fdt, "compatible",
					"vgic-vmm,msi-source"));
		TRY(prop_reg2(fdt, reg, 1));
		TRY(prop_cells(fdt, "msi-parent", parent, 2));
		TRY(fdt_end_node(fdt));
	}

	TRY(fdt_end_node(fdt));
	return fdt_finish(fdt);
}

/* Build the DTB into @buf.  Returns its size or a negative libfdt error. */
int vmm_fdt_build(struct vm *vm, void *buf, size_t cap)
{
	int err = build(vm, buf, cap);

	if (err < 0) {
		vmm_err("building the device tree: %s", fdt_strerror(err));
		return err;
	}
	return (int)fdt_totalsize(buf);
}

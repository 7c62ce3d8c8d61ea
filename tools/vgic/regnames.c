/*
 * vgic tool - names of the registers a snapshot's attribute records carry,
 * as data tables: GICD_*, GICR_*, ICC_*, GICC_*, GITS_* and the per-IRQ
 * banks, with what each bank says about interrupts.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <vgic/abi.h>

#include "snapfile.h"

struct reg_single {
	uint32_t off;
	const char *name;
};

struct reg_bank {
	uint32_t off;      /* first register */
	uint32_t bytes;    /* size of the bank */
	unsigned bpi;      /* bits per interrupt */
	const char *name;
	enum irq_field field;
};

static const struct reg_single gicd_single[] = {
	{ 0x0000, "GICD_CTLR" },   { 0x0004, "GICD_TYPER" },
	{ 0x0008, "GICD_IIDR" },   { 0x000c, "GICD_TYPER2" },
	{ 0x0010, "GICD_STATUSR" }, { 0x0f00, "GICD_SGIR" },
	/* SGI pending sources (GICv2): shown as registers. */
	{ 0x0f20, "GICD_SPENDSGIR0" }, { 0x0f24, "GICD_SPENDSGIR1" },
	{ 0x0f28, "GICD_SPENDSGIR2" }, { 0x0f2c, "GICD_SPENDSGIR3" },
};

static const struct reg_bank gicd_banks[] = {
	{ 0x0080, 0x80, 1, "GICD_IGROUPR", F_GROUP },
	{ 0x0100, 0x80, 1, "GICD_ISENABLER", F_ENABLED },
	{ 0x0180, 0x80, 1, "GICD_ICENABLER", F_NONE },
	{ 0x0200, 0x80, 1, "GICD_ISPENDR", F_PENDING },
	{ 0x0280, 0x80, 1, "GICD_ICPENDR", F_NONE },
	{ 0x0300, 0x80, 1, "GICD_ISACTIVER", F_ACTIVE },
	{ 0x0380, 0x80, 1, "GICD_ICACTIVER", F_NONE },
	{ 0x0400, 0x400, 8, "GICD_IPRIORITYR", F_PRIORITY },
	{ 0x0800, 0x400, 8, "GICD_ITARGETSR", F_TARGETS },
	{ 0x0c00, 0x100, 2, "GICD_ICFGR", F_TRIGGER },
	{ 0x0d00, 0x80, 1, "GICD_IGRPMODR", F_NONE },
	{ 0x0f10, 0x10, 8, "GICD_CPENDSGIR", F_NONE },
	{ 0x6000, 0x2000, 64, "GICD_IROUTER", F_ROUTE },
};

static const struct reg_single gicr_single[] = {
	{ 0x0000, "GICR_CTLR" },        { 0x0004, "GICR_IIDR" },
	{ 0x0008, "GICR_TYPER" },       { 0x000c, "GICR_TYPER+4" },
	{ 0x0010, "GICR_STATUSR" },     { 0x0014, "GICR_WAKER" },
	{ 0x0070, "GICR_PROPBASER" },   { 0x0074, "GICR_PROPBASER+4" },
	{ 0x0078, "GICR_PENDBASER" },   { 0x007c, "GICR_PENDBASER+4" },
	{ 0x10d00, "GICR_IGRPMODR0" },  { 0x10e00, "GICR_NSACR" },
};

static const struct reg_bank gicr_banks[] = {
	{ 0x10080, 4, 1, "GICR_IGROUPR0", F_GROUP },
	{ 0x10100, 4, 1, "GICR_ISENABLER0", F_ENABLED },
	{ 0x10180, 4, 1, "GICR_ICENABLER0", F_NONE },
	{ 0x10200, 4, 1, "GICR_ISPENDR0", F_PENDING },
	{ 0x10280, 4, 1, "GICR_ICPENDR0", F_NONE },
	{ 0x10300, 4, 1, "GICR_ISACTIVER0", F_ACTIVE },
	{ 0x10380, 4, 1, "GICR_ICACTIVER0", F_NONE },
	{ 0x10400, 32, 8, "GICR_IPRIORITYR", F_PRIORITY },
	{ 0x10c00, 8, 2, "GICR_ICFGR", F_TRIGGER },
};

static const struct reg_single gicc_single[] = {
	{ 0x00, "GICC_CTLR" }, { 0x04, "GICC_PMR" },  { 0x08, "GICC_BPR" },
	{ 0x1c, "GICC_ABPR" }, { 0xd0, "GICC_APR0" }, { 0xd4, "GICC_APR1" },
	{ 0xd8, "GICC_APR2" }, { 0xdc, "GICC_APR3" }, { 0xe0, "GICC_NSAPR0" },
	{ 0xfc, "GICC_IIDR" },
};

static const struct reg_single gits_single[] = {
	{ 0x000, "GITS_CTLR" },    { 0x004, "GITS_IIDR" },
	{ 0x008, "GITS_TYPER" },   { 0x080, "GITS_CBASER" },
	{ 0x088, "GITS_CWRITER" }, { 0x090, "GITS_CREADR" },
	{ 0x100, "GITS_BASER0" },  { 0x108, "GITS_BASER1" },
	{ 0x110, "GITS_BASER2" },  { 0x118, "GITS_BASER3" },
	{ 0x120, "GITS_BASER4" },  { 0x128, "GITS_BASER5" },
	{ 0x130, "GITS_BASER6" },  { 0x138, "GITS_BASER7" },
};

static const struct reg_single icc_single[] = {
	{ VGIC_ICC_PMR_EL1, "ICC_PMR_EL1" },
	{ VGIC_ICC_BPR0_EL1, "ICC_BPR0_EL1" },
	{ VGIC_ICC_AP0R0_EL1, "ICC_AP0R0_EL1" },
	{ VGIC_ICC_AP0R1_EL1, "ICC_AP0R1_EL1" },
	{ VGIC_ICC_AP0R2_EL1, "ICC_AP0R2_EL1" },
	{ VGIC_ICC_AP0R3_EL1, "ICC_AP0R3_EL1" },
	{ VGIC_ICC_AP1R0_EL1, "ICC_AP1R0_EL1" },
	{ VGIC_ICC_AP1R1_EL1, "ICC_AP1R1_EL1" },
	{ VGIC_ICC_AP1R2_EL1, "ICC_AP1R2_EL1" },
	{ VGIC_ICC_AP1R3_EL1, "ICC_AP1R3_EL1" },
	{ VGIC_ICC_BPR1_EL1, "ICC_BPR1_EL1" },
	{ VGIC_ICC_CTLR_EL1, "ICC_CTLR_EL1" },
	{ VGIC_ICC_SRE_EL1, "ICC_SRE_EL1" },
	{ VGIC_ICC_IGRPEN0_EL1, "ICC_IGRPEN0_EL1" },
	{ VGIC_ICC_IGRPEN1_EL1, "ICC_IGRPEN1_EL1" },
};

static const char *const addr_names[] = {
	"V2_ADDR_TYPE_DIST", "V2_ADDR_TYPE_CPU",   "V3_ADDR_TYPE_DIST",
	"V3_ADDR_TYPE_REDIST", "ITS_ADDR_TYPE", "V3_ADDR_TYPE_REDIST_REGION",
};

static const char *const ctrl_names[] = {
	"CTRL_INIT", "ITS_SAVE_TABLES", "ITS_RESTORE_TABLES",
	"SAVE_PENDING_TABLES", "ITS_CTRL_RESET",
};

static const char *const field_names[] = {
	[F_NONE] = "-",         [F_GROUP] = "group",
	[F_ENABLED] = "enabled", [F_PENDING] = "pending",
	[F_ACTIVE] = "active",  [F_PRIORITY] = "priority",
	[F_TRIGGER] = "trigger", [F_LEVEL] = "level",
	[F_ROUTE] = "route",    [F_TARGETS] = "targets",
};

const char *irq_field_name(enum irq_field f)
{
	return field_names[f];
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool find_single(const struct reg_single *t, size_t n, uint32_t off,
			struct reg_desc *d)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].off == off) {
			snprintf(d->name, sizeof(d->name), "%s", t[i].name);
			return true;
		}
	return false;
}

static bool find_bank(const struct reg_bank *t, size_t n, uint32_t off,
		      uint32_t intid_base, struct reg_desc *d)
{
	for (size_t i = 0; i < n; i++) {
		const struct reg_bank *b = &t[i];
		uint32_t idx, stride;

		if (off < b->off || off >= b->off + b->bytes)
			continue;
		/* Records are 32-bit words; IROUTER is one word per INTID
		 * pair of words (the low word carries the affinity). */
		stride = b->bpi == 64 ? 8 : 4;
		idx = (off - b->off) / stride;
		d->field = b->field;
		d->bpi = b->bpi == 64 ? 32 : b->bpi;
		d->first_intid = intid_base + (b->bpi == 64 ?
			idx : (off - b->off) * 8 / b->bpi);
		if (b->bpi == 64)
			snprintf(d->name, sizeof(d->name), "%s%u%s", b->name,
				 d->first_intid, (off - b->off) % 8 ? "+4" : "");
		else if (b->bytes == 4)
			snprintf(d->name, sizeof(d->name), "%s", b->name);
		else
			snprintf(d->name, sizeof(d->name), "%s%u", b->name, idx);
		if (b->bpi == 64 && (off - b->off) % 8)
			d->field = F_NONE; /* upper word: RAZ/WI in KVM */
		return true;
	}
	return false;
}

void reg_describe(uint32_t group, uint64_t attr, struct reg_desc *d)
{
	uint32_t off = (uint32_t)attr;

	memset(d, 0, sizeof(*d));
	switch (group) {
	case VGIC_GRP_DIST_REGS:
		if (find_single(gicd_single, N(gicd_single), off, d) ||
		    find_bank(gicd_banks, N(gicd_banks), off, 0, d))
			return;
		break;
	case VGIC_GRP_REDIST_REGS:
		if (find_single(gicr_single, N(gicr_single), off, d) ||
		    find_bank(gicr_banks, N(gicr_banks), off, 0, d))
			return;
		break;
	case VGIC_GRP_CPU_REGS:
		if (find_single(gicc_single, N(gicc_single), off, d))
			return;
		break;
	case VGIC_GRP_CPU_SYSREGS:
		if (find_single(icc_single, N(icc_single), off & 0xffff, d))
			return;
		break;
	case VGIC_GRP_ITS_REGS:
		if (find_single(gits_single, N(gits_single), off, d))
			return;
		break;
	case VGIC_GRP_LEVEL_INFO:
		d->field = F_LEVEL;
		d->bpi = 1;
		d->first_intid = off & 0x3ff;
		snprintf(d->name, sizeof(d->name), "LEVEL_INFO(%u)",
			 d->first_intid);
		return;
	case VGIC_GRP_ADDR:
		if (attr < N(addr_names)) {
			snprintf(d->name, sizeof(d->name), "ADDR %s",
				 addr_names[attr]);
			return;
		}
		break;
	case VGIC_GRP_CTRL:
		if (attr < N(ctrl_names)) {
			snprintf(d->name, sizeof(d->name), "%s", ctrl_names[attr]);
			return;
		}
		break;
	case VGIC_GRP_NR_IRQS:
		snprintf(d->name, sizeof(d->name), "NR_IRQS");
		return;
	default:
		break;
	}
	snprintf(d->name, sizeof(d->name), "group%u+0x%x", group, off);
}

void mpidr_name(uint64_t mpidr, char *out, size_t n)
{
	snprintf(out, n, "%u.%u.%u.%u", (unsigned)(mpidr >> 32) & 0xff,
		 (unsigned)(mpidr >> 16) & 0xff, (unsigned)(mpidr >> 8) & 0xff,
		 (unsigned)mpidr & 0xff);
}

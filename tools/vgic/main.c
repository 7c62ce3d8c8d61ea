/*
 * vgic - inspect, check, diff and convert GIC snapshots and ITS tables.
 *
 * git-style subcommands dispatched from one table; each lives in its own
 * cmd_*.c file.  Exit status everywhere: 0 valid, 1 problems found,
 * 2 usage or I/O error.
 */
#include <stdio.h>
#include <string.h>

#include <vgic/vgic.h>

#include "tool.h"

static const struct tool_cmd cmds[] = {
	{ "snapshot", cmd_snapshot,
	  "show, check or diff whole-GIC snapshots" },
	{ "tables", cmd_tables,
	  "show or check ITS tables (ABI REV0) in a guest-RAM image" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: vgic <command> [<args>]   (libvgic %s)\n\n",
		vgic_version_string());
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "\nRun 'vgic <command> --help' for details.\n"
		   "Exit status: 0 valid, 1 problems found, 2 usage or I/O error.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return TOOL_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return TOOL_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("vgic (libvgic) %s\n", vgic_version_string());
		return TOOL_OK;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "vgic: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return TOOL_USAGE;
}

/*
 * vgic snapshot show|check|diff - whole-GIC snapshots (docs/snapshot.md).
 */
#include <stdio.h>
#include <string.h>

#include "tool.h"

int cmd_snapshot(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "vgic snapshot: not available yet\n");
	return TOOL_USAGE;
}

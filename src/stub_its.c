/* TEMPORARY stubs for ITS table save/restore (owner: engineer "save",
 * src/its_table.c).  Delete each function as the real one lands. */
#include "its.h"

int vgic__its_save_tables(struct vgic_its *its) { (void)its; return 0; }
int vgic__its_restore_tables(struct vgic_its *its) { (void)its; return 0; }

/*
 * Writes the guest-RAM images the `vgic tables` tests decode: ITS tables
 * built by hand from the documented ABI REV0 layout (docs/its-tables.md),
 * so the tool is checked against the specification rather than against
 * the library's own writer.
 *
 *   ok.img      flat device table, 2 devices, 3 mappings, 2 collections
 *   bad.img     the same with one fault of every kind `check` reports
 *   l2.img      a two-level device table
 *   sparse.img  4 GiB sparse image with the tables near its end
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RAM_GPA 0x40000000ull
#define RAM_SIZE (16ull << 20)

static uint8_t *ram;
static uint64_t ram_gpa;

static void put64(uint64_t gpa, uint64_t v)
{
	uint8_t *p = ram + (gpa - ram_gpa);
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put8(uint64_t gpa, uint8_t v)
{
	ram[gpa - ram_gpa] = v;
}

static uint64_t dte(uint64_t next, uint64_t itt, unsigned size)
{
	return 1ull << 63 | next << 49 | (itt >> 8) << 5 | size;
}

static uint64_t ite(uint64_t next, uint32_t lpi, uint16_t icid)
{
	return next << 48 | (uint64_t)lpi << 16 | icid;
}

static uint64_t cte(uint32_t target, uint16_t icid)
{
	return 1ull << 63 | (uint64_t)target << 16 | icid;
}

/* The common content, relative to @b (base GPA of the table area). */
static void tables(uint64_t b, int two_level)
{
	uint64_t dt = b + 0x10000, ct = b + 0x20000;

	if (two_level) {
		/* L1 entry 0 points at an L2 page at b + 0x60000. */
		put64(dt, 1ull << 63 | (b + 0x60000));
		dt = b + 0x60000;
	}
	put64(ct + 0, cte(0, 0));
	put64(ct + 8, cte(0xffffffffu, 1));
	/* Device 1: 16 events, ITT at b + 0x30000; next device is 5. */
	put64(dt + 1 * 8, dte(4, b + 0x30000, 3));
	put64(b + 0x30000 + 0 * 8, ite(2, 8192, 0));
	put64(b + 0x30000 + 2 * 8, ite(0, 8193, 1));
	/* Device 5: 4 events, ITT at b + 0x31000. */
	put64(dt + 5 * 8, dte(0, b + 0x31000, 1));
	put64(b + 0x31000 + 1 * 8, ite(0, 8200, 0));
	/* LPI configuration (PROPBASER at b + 0x40000) and vCPU 0's pending
	 * table (PENDBASER at b + 0x50000): LPI 8192 pending. */
	put8(b + 0x40000 + 0, 0xa1);
	put8(b + 0x40000 + 1, 0x40);
	put8(b + 0x40000 + 8, 0x81);
	put8(b + 0x50000 + 8192 / 8, 0x01);
}

static void write_img(const char *dir, const char *name, uint64_t size)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, ram, RAM_SIZE) != (ssize_t)RAM_SIZE) {
		perror(path);
		exit(2);
	}
	if (size > RAM_SIZE && ftruncate(fd, (off_t)size)) {
		perror(path);
		exit(2);
	}
	close(fd);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_images DIR\n");
		return 2;
	}
	ram = calloc(1, RAM_SIZE);
	if (!ram)
		return 2;

	ram_gpa = RAM_GPA;
	tables(RAM_GPA, 0);
	write_img(argv[1], "ok.img", 0);

	/* bad.img: duplicate ICID, target vCPU 9 of 2, orphan DTE 9 beyond
	 * the chain's end, DTE with Size 16, ITE naming collection 7, ITE
	 * next leaving the ITT, ITE with an SPI as pINTID. */
	put64(RAM_GPA + 0x20000 + 16, cte(9, 2));
	put64(RAM_GPA + 0x20000 + 24, cte(0, 0));
	put64(RAM_GPA + 0x10000 + 9 * 8, dte(0, RAM_GPA + 0x32000, 0));
	put64(RAM_GPA + 0x10000 + 5 * 8, dte(3, RAM_GPA + 0x31000, 1));
	put64(RAM_GPA + 0x10000 + 8 * 8, dte(0, RAM_GPA + 0x33000, 16));
	put64(RAM_GPA + 0x31000 + 1 * 8, ite(7, 8200, 7));
	put64(RAM_GPA + 0x30000 + 2 * 8, ite(0, 40, 1));
	write_img(argv[1], "bad.img", 0);

	memset(ram, 0, RAM_SIZE);
	tables(RAM_GPA, 1);
	write_img(argv[1], "l2.img", 0);

	/* sparse.img: 4 GiB; the tables live in the last 16 MiB.  Only that
	 * tail is ever written, the rest is a hole. */
	memset(ram, 0, RAM_SIZE);
	ram_gpa = RAM_GPA + (4ull << 30) - RAM_SIZE;
	tables(ram_gpa, 1);
	{
		char path[4096];
		int fd;
		snprintf(path, sizeof(path), "%s/sparse.img", argv[1]);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || ftruncate(fd, (off_t)(4ull << 30)) ||
		    pwrite(fd, ram, RAM_SIZE, (off_t)((4ull << 30) - RAM_SIZE)) !=
			    (ssize_t)RAM_SIZE) {
			perror(path);
			return 2;
		}
		close(fd);
	}
	free(ram);
	return 0;
}

/*
 * libvgic fuzzing - corpus replay driver.
 *
 * Links with one fuzz target instead of libFuzzer and feeds it every file
 * named on the command line (directories are walked recursively, entries in
 * name order), like SQLite's fuzzcheck.  It works with any compiler, so the
 * committed seed corpora and regression inputs run in every `make check`
 * (plain gcc and the ASan/UBSan build).  A target that finds a violated
 * invariant aborts, which fails the test.
 *
 * Usage: fuzz-replay-<target> PATH...
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_file(const char *path, unsigned long *count)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long size;

	if (!f) {
		perror(path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET))
		goto err;
	buf = malloc(size ? (size_t)size : 1);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size)
		goto err;
	fclose(f);
	if (getenv("VGIC_REPLAY_VERBOSE"))
		fprintf(stderr, "replay %s (%ld bytes)\n", path, size);
	LLVMFuzzerTestOneInput(buf, (size_t)size);
	free(buf);
	(*count)++;
	return 0;
err:
	perror(path);
	free(buf);
	fclose(f);
	return -1;
}

static int replay_path(const char *path, unsigned long *count)
{
	struct dirent **ents;
	struct stat st;
	int n, ret = 0;

	if (stat(path, &st)) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path, count);
	n = scandir(path, &ents, NULL, alphasort);
	if (n < 0) {
		perror(path);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		size_t len = strlen(path) + strlen(name) + 2;
		char *sub;

		if (name[0] == '.' || ret) {
			free(ents[i]);
			continue;
		}
		sub = malloc(len);
		if (!sub) {
			ret = -1;
		} else {
			snprintf(sub, len, "%s/%s", path, name);
			ret = replay_path(sub, count);
			free(sub);
		}
		free(ents[i]);
	}
	free(ents);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned long count = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS-DIR-OR-FILE...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++)
		if (replay_path(argv[i], &count))
			return 1;
	if (!count) {
		fprintf(stderr, "%s: no inputs found\n", argv[0]);
		return 1;
	}
	printf("%s: replayed %lu inputs, no invariant violated\n", argv[0],
	       count);
	return 0;
}

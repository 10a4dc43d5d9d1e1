/*
 * test_state.c: the state file container — round trips, the atomic
 * replace, and every way a file can be bad: flipped bytes anywhere,
 * truncation, another kind or version, garbage, a directory.  A bad file
 * must be moved aside with a reason, never half-read.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>

#include "testutil.h"
#include "state.h"

#define KIND	0x54534554u	/* "TEST" */
#define VERSION	3
#define TAG_A	STATE_TAG('A', 'A', 'A', 'A')
#define TAG_B	STATE_TAG('B', 'B', 'B', 'B')

struct rec {
	uint64_t	 a;
	uint32_t	 b;
	uint32_t	 c;
};

struct fixture {
	char	 dir[64];
	char	 path[128];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_state.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/state.db", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char p[512];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(f->dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", f->dir, de->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Files in the fixture directory whose name starts with prefix. */
static int
count_files(const struct fixture *f, const char *prefix)
{
	struct dirent *de;
	DIR *d = opendir(f->dir);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static void
write_file(const char *path, uint32_t kind, uint32_t version, int nrec)
{
	struct state_file sf;
	struct rec r;
	char err[256];
	int i;

	assert_int_equal(state_create(&sf, path, kind, version, err,
	    sizeof(err)), 0);
	assert_int_equal(state_section(&sf, TAG_A, sizeof(r), (uint64_t)nrec),
	    0);
	for (i = 0; i < nrec; i++) {
		r.a = (uint64_t)i * 0x9e3779b97f4a7c15ULL;
		r.b = (uint32_t)i;
		r.c = ~(uint32_t)i;
		assert_int_equal(state_write(&sf, &r, sizeof(r)), 0);
	}
	assert_int_equal(state_section(&sf, TAG_B, 1, 5), 0);
	assert_int_equal(state_write(&sf, "hello", 5), 0);
	assert_int_equal(state_commit(&sf, err, sizeof(err)), 0);
}

static void
test_crc32c(void **state)
{
	(void)state;
	/* The check value of CRC-32C (RFC 3720 / iSCSI). */
	assert_int_equal(state_crc32c(0, "123456789", 9), 0xe3069283u);
	assert_int_equal(state_crc32c(0, "", 0), 0);
	/* Incremental equals one-shot. */
	assert_int_equal(state_crc32c(state_crc32c(0, "1234", 4), "56789", 5),
	    0xe3069283u);
}

static void
test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct state_file sf;
	struct rec r;
	uint32_t tag, recsize;
	uint64_t count;
	char err[256], buf[8];
	int i;

	write_file(f->path, KIND, VERSION, 1000);
	assert_int_equal(count_files(f, "state.db."), 0);	/* no temp left */
	assert_int_equal(state_open(&sf, f->path, KIND, VERSION, err,
	    sizeof(err)), 1);
	assert_int_equal(state_next(&sf, &tag, &recsize, &count), 1);
	assert_int_equal(tag, TAG_A);
	assert_int_equal(recsize, sizeof(r));
	assert_int_equal(count, 1000);
	for (i = 0; i < 1000; i++) {
		assert_int_equal(state_read(&sf, &r, sizeof(r)), 0);
		assert_true(r.a == (uint64_t)i * 0x9e3779b97f4a7c15ULL);
		assert_int_equal(r.b, i);
		assert_int_equal(r.c, ~(uint32_t)i);
	}
	/* Reading past a section's end is refused. */
	assert_int_equal(state_read(&sf, &r, 1), -1);
	assert_int_equal(state_next(&sf, &tag, &recsize, &count), 1);
	assert_int_equal(tag, TAG_B);
	assert_int_equal(state_read(&sf, buf, 5), 0);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(state_next(&sf, &tag, &recsize, &count), 0);
	state_close(&sf);
}

static void
test_skip_sections(void **state)
{
	struct fixture *f = *state;
	struct state_file sf;
	uint32_t tag, recsize;
	uint64_t count;
	char err[256], buf[8];

	write_file(f->path, KIND, VERSION, 10);
	assert_int_equal(state_open(&sf, f->path, KIND, VERSION, err,
	    sizeof(err)), 1);
	/* A section the reader does not want is skipped whole. */
	assert_int_equal(state_next(&sf, &tag, &recsize, &count), 1);
	assert_int_equal(state_next(&sf, &tag, &recsize, &count), 1);
	assert_int_equal(tag, TAG_B);
	assert_int_equal(state_read(&sf, buf, 5), 0);
	assert_memory_equal(buf, "hello", 5);
	state_close(&sf);
}

static void
test_missing(void **state)
{
	struct fixture *f = *state;
	struct state_file sf;
	char err[256] = "";

	assert_int_equal(state_open(&sf, f->path, KIND, VERSION, err,
	    sizeof(err)), 0);
	assert_string_equal(err, "");
}

static void
expect_rejected(struct fixture *f, uint32_t kind, uint32_t version,
    const char *why)
{
	struct state_file sf;
	char err[512] = "";

	assert_int_equal(state_open(&sf, f->path, kind, version, err,
	    sizeof(err)), -1);
	if (strstr(err, why) == NULL)
		fail_msg("error \"%s\" does not say \"%s\"", err, why);
	assert_non_null(strstr(err, "moved to"));
	assert_int_equal(access(f->path, F_OK), -1);
	assert_int_equal(count_files(f, "state.db.corrupt-"), 1);
}

static void
flip(const char *path, long off)
{
	FILE *fp = fopen(path, "r+b");
	int c;

	assert_non_null(fp);
	if (off < 0)
		assert_int_equal(fseek(fp, off, SEEK_END), 0);
	else
		assert_int_equal(fseek(fp, off, SEEK_SET), 0);
	c = fgetc(fp);
	assert_int_not_equal(c, EOF);
	fseek(fp, -1, SEEK_CUR);
	fputc(c ^ 0x10, fp);
	fclose(fp);
}

static off_t
file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

static void
test_flipped_bytes(void **state)
{
	struct fixture *f = *state;
	char p[512];
	struct dirent *de;
	DIR *d;
	off_t size;
	long off;

	write_file(f->path, KIND, VERSION, 200);
	size = file_size(f->path);
	/* Every 97th byte, the header, the payload and the trailer alike. */
	for (off = 0; off < size; off += 97) {
		write_file(f->path, KIND, VERSION, 200);
		flip(f->path, off);
		expect_rejected(f, KIND, VERSION, "");
		/* Start each round with no file set aside. */
		d = opendir(f->dir);
		while ((de = readdir(d)) != NULL)
			if (strncmp(de->d_name, "state.db.corrupt-", 17) == 0) {
				snprintf(p, sizeof(p), "%s/%s", f->dir,
				    de->d_name);
				unlink(p);
			}
		closedir(d);
	}
	write_file(f->path, KIND, VERSION, 200);
	flip(f->path, 32 + 16 + 40);
	expect_rejected(f, KIND, VERSION, "checksum mismatch");
}

static void
test_truncated(void **state)
{
	struct fixture *f = *state;
	off_t size;

	write_file(f->path, KIND, VERSION, 200);
	size = file_size(f->path);
	assert_int_equal(truncate(f->path, size - 100), 0);
	expect_rejected(f, KIND, VERSION, "truncated");
}

static void
test_truncated_to_nothing(void **state)
{
	struct fixture *f = *state;

	write_file(f->path, KIND, VERSION, 200);
	assert_int_equal(truncate(f->path, 10), 0);
	expect_rejected(f, KIND, VERSION, "truncated");
}

static void
test_wrong_version(void **state)
{
	struct fixture *f = *state;

	write_file(f->path, KIND, VERSION + 1, 20);
	expect_rejected(f, KIND, VERSION, "incompatible");
}

static void
test_wrong_kind(void **state)
{
	struct fixture *f = *state;

	write_file(f->path, KIND + 1, VERSION, 20);
	expect_rejected(f, KIND, VERSION, "incompatible");
}

static void
test_garbage(void **state)
{
	struct fixture *f = *state;
	FILE *fp = fopen(f->path, "w");
	int i;

	assert_non_null(fp);
	for (i = 0; i < 4000; i++)
		fputc("exfild state?"[i % 13], fp);
	fclose(fp);
	expect_rejected(f, KIND, VERSION, "not an exfild state file");
}

static void
test_two_set_aside(void **state)
{
	struct fixture *f = *state;

	/* Two bad files within a second keep both copies. */
	write_file(f->path, KIND, VERSION + 1, 5);
	expect_rejected(f, KIND, VERSION, "incompatible");
	write_file(f->path, KIND, VERSION + 1, 5);
	{
		struct state_file sf;
		char err[512] = "";

		assert_int_equal(state_open(&sf, f->path, KIND, VERSION, err,
		    sizeof(err)), -1);
	}
	assert_int_equal(count_files(f, "state.db.corrupt-"), 2);
}

/* A save that fails leaves the previous file untouched and no litter. */
static void
test_failed_save_keeps_old(void **state)
{
	struct fixture *f = *state;
	struct state_file sf;
	char err[256];
	uint32_t tag, recsize;
	uint64_t count;

	write_file(f->path, KIND, VERSION, 7);
	assert_int_equal(state_create(&sf, f->path, KIND, VERSION, err,
	    sizeof(err)), 0);
	assert_int_equal(state_section(&sf, TAG_A, 8, 2), 0);
	assert_int_equal(state_write(&sf, "12345678", 8), 0);
	/* One record short: commit must refuse. */
	assert_int_equal(state_commit(&sf, err, sizeof(err)), -1);
	assert_int_equal(count_files(f, "state.db."), 0);
	assert_int_equal(state_open(&sf, f->path, KIND, VERSION, err,
	    sizeof(err)), 1);
	assert_int_equal(state_next(&sf, &tag, &recsize, &count), 1);
	assert_int_equal(count, 7);
	state_close(&sf);

	/* More than announced is refused at once. */
	assert_int_equal(state_create(&sf, f->path, KIND, VERSION, err,
	    sizeof(err)), 0);
	assert_int_equal(state_section(&sf, TAG_A, 4, 1), 0);
	assert_int_equal(state_write(&sf, "12345678", 8), -1);
	assert_int_equal(state_commit(&sf, err, sizeof(err)), -1);
	state_abort(&sf);
	assert_int_equal(count_files(f, "state.db."), 0);
}

static void
test_unwritable_dir(void **state)
{
	struct state_file sf;
	char err[256] = "";

	(void)state;
	assert_int_equal(state_create(&sf, "/nonexistent-dir/state.db", KIND,
	    VERSION, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent-dir/state.db"));
}

static void
test_not_regular(void **state)
{
	struct fixture *f = *state;
	struct state_file sf;
	char err[256] = "";

	/* A directory in the way is reported, and left where it is. */
	assert_int_equal(mkdir(f->path, 0700), 0);
	assert_int_equal(state_open(&sf, f->path, KIND, VERSION, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));
	assert_int_equal(rmdir(f->path), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32c),
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skip_sections, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flipped_bytes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_to_nothing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wrong_version, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wrong_kind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_set_aside, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_failed_save_keeps_old, setup,
		    teardown),
		cmocka_unit_test(test_unwritable_dir),
		cmocka_unit_test_setup_teardown(test_not_regular, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

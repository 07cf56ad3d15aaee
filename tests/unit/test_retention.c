/* test_retention.c: the dump directory: created 0700, refused when others can write it, retention. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "retention.h"

struct fixture {
    char dir[256];
    char err[512];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/pyhd-test-retention-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

/* A file in f->dir with content, its modification time age seconds in the past. */
static void make_file(struct fixture *f, const char *name, const void *data, size_t len,
                      int age)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    struct timespec times[2];
    clock_gettime(CLOCK_REALTIME, &times[0]);
    times[0].tv_sec -= age;
    times[1] = times[0];
    assert_int_equal(futimens(fd, times), 0);
    close(fd);
}

/* The start of a real dump: a ustar header for MANIFEST, then its first line; padded. */
static void make_dump(struct fixture *f, const char *name, size_t size, int age)
{
    unsigned char *data = calloc(1, size);
    assert_non_null(data);
    assert_true(size >= 1024);
    memcpy(data, "MANIFEST", 8);
    memcpy(data + 257, "ustar", 5);
    memcpy(data + 512, "Format-Version: 1\n", 18);
    make_file(f, name, data, size, age);
    free(data);
}

static int exists(struct fixture *f, const char *name)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    return lstat(path, &st) == 0;
}

static void test_is_pyhd_dump(void **state)
{
    struct fixture *f = *state;
    char path[512];
    make_dump(f, "pyhd-a-1-20260101T000000Z.dump", 2048, 0);
    make_dump(f, "notes.dump", 2048, 0);
    make_file(f, "pyhd-text-1.dump", "Format-Version: 1\nnot a tar archive\n", 36, 0);
    snprintf(path, sizeof path, "%s/pyhd-a-1-20260101T000000Z.dump", f->dir);
    char link[512];
    snprintf(link, sizeof link, "%s/pyhd-link-1.dump", f->dir);
    assert_int_equal(symlink(path, link), 0);
    int dirfd = open(f->dir, O_RDONLY | O_DIRECTORY);
    assert_true(dirfd >= 0);
    assert_true(pyhd__is_pyhd_dump(dirfd, "pyhd-a-1-20260101T000000Z.dump"));
    assert_false(pyhd__is_pyhd_dump(dirfd, "notes.dump"));
    assert_false(pyhd__is_pyhd_dump(dirfd, "pyhd-text-1.dump"));
    assert_false(pyhd__is_pyhd_dump(dirfd, "pyhd-link-1.dump"));
    assert_false(pyhd__is_pyhd_dump(dirfd, "pyhd-missing-1.dump"));
    close(dirfd);
}

static void test_max_dumps_deletes_oldest(void **state)
{
    struct fixture *f = *state;
    make_dump(f, "pyhd-p-1-old.dump", 1024, 300);
    make_dump(f, "pyhd-p-2-mid.dump", 1024, 200);
    make_dump(f, "pyhd-p-3-new.dump", 1024, 100);
    /* Files that are not pyhd dumps are never deleted, however old. */
    make_file(f, "pyhd-p-0-fake.dump", "hello", 5, 1000);
    make_file(f, "data.txt", "hello", 5, 1000);
    /* The dump just written is the oldest by time here, and still kept. */
    make_dump(f, "pyhd-p-4-kept.dump", 1024, 400);
    int n = pyhd__retention_apply(f->dir, "pyhd-p-4-kept.dump", 2, 0, f->err, sizeof f->err);
    assert_int_equal(n, 2);
    assert_true(exists(f, "pyhd-p-4-kept.dump"));
    assert_true(exists(f, "pyhd-p-3-new.dump"));
    assert_false(exists(f, "pyhd-p-2-mid.dump"));
    assert_false(exists(f, "pyhd-p-1-old.dump"));
    assert_true(exists(f, "pyhd-p-0-fake.dump"));
    assert_true(exists(f, "data.txt"));
}

static void test_max_use(void **state)
{
    struct fixture *f = *state;
    make_dump(f, "pyhd-s-1.dump", 4096, 300);
    make_dump(f, "pyhd-s-2.dump", 4096, 200);
    make_dump(f, "pyhd-s-3.dump", 4096, 100);
    make_dump(f, "pyhd-s-4.dump", 4096, 0);
    int n = pyhd__retention_apply(f->dir, "pyhd-s-4.dump", 0, 3 * 4096, f->err, sizeof f->err);
    assert_int_equal(n, 1);
    assert_false(exists(f, "pyhd-s-1.dump"));
    assert_true(exists(f, "pyhd-s-2.dump"));
    /* A limit smaller than the new dump leaves only the new dump. */
    n = pyhd__retention_apply(f->dir, "pyhd-s-4.dump", 0, 100, f->err, sizeof f->err);
    assert_int_equal(n, 2);
    assert_true(exists(f, "pyhd-s-4.dump"));
    assert_false(exists(f, "pyhd-s-3.dump"));
    /* No limits: nothing is touched. */
    assert_int_equal(pyhd__retention_apply(f->dir, NULL, 0, 0, f->err, sizeof f->err), 0);
    assert_true(exists(f, "pyhd-s-4.dump"));
}

static void test_prepare_creates_private_dirs(void **state)
{
    struct fixture *f = *state;
    char dir[512], parent[512];
    struct stat st;
    mode_t old = umask(0);
    snprintf(parent, sizeof parent, "%s/a", f->dir);
    snprintf(dir, sizeof dir, "%s/a/b", f->dir);
    int rc = pyhd__dump_dir_prepare(dir, 0, 0, f->err, sizeof f->err);
    umask(old);
    assert_int_equal(rc, 0);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);
    assert_int_equal(stat(parent, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);
    /* An existing directory is used as it is. */
    assert_int_equal(pyhd__dump_dir_prepare(dir, 0, 0, f->err, sizeof f->err), 0);
}

static void test_prepare_refuses_writable_by_others(void **state)
{
    struct fixture *f = *state;
    char dir[512], file[512];
    snprintf(dir, sizeof dir, "%s/open", f->dir);
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(chmod(dir, 0777), 0);
    assert_int_equal(pyhd__dump_dir_prepare(dir, 0, 0, f->err, sizeof f->err), -1);
    assert_non_null(strstr(f->err, "others can write to it"));
    assert_non_null(strstr(f->err, dir));
    assert_int_equal(chmod(dir, 0770), 0);
    assert_int_equal(pyhd__dump_dir_prepare(dir, 0, 0, f->err, sizeof f->err), -1);
    /* Sticky, like /tmp: others cannot remove or rename this user's files. */
    assert_int_equal(chmod(dir, 01777), 0);
    assert_int_equal(pyhd__dump_dir_prepare(dir, 0, 0, f->err, sizeof f->err), 0);
    /* Not a directory. */
    snprintf(file, sizeof file, "%s/plain", f->dir);
    make_file(f, "plain", "x", 1, 0);
    assert_int_equal(pyhd__dump_dir_prepare(file, 0, 0, f->err, sizeof f->err), -1);
    assert_non_null(strstr(f->err, "Not a directory"));
}

static void test_prepare_keep_free(void **state)
{
    struct fixture *f = *state;
    /* No file system here has an exabyte free. */
    assert_int_equal(pyhd__dump_dir_prepare(f->dir, 0, (uint64_t)1 << 60, f->err,
                                            sizeof f->err), -1);
    assert_non_null(strstr(f->err, "--keep-free"));
    assert_int_equal(pyhd__dump_dir_prepare(f->dir, (uint64_t)1 << 60, 1, f->err,
                                            sizeof f->err), -1);
    assert_int_equal(pyhd__dump_dir_prepare(f->dir, 4096, 4096, f->err, sizeof f->err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_is_pyhd_dump, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_dumps_deletes_oldest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_use, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prepare_creates_private_dirs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prepare_refuses_writable_by_others, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_prepare_keep_free, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

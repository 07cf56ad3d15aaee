/* test_archive.c: the dump container: round trip, injected failures, bad input, live dumps. */
/* Python.h first, as the C API asks: it sets the feature macros (_GNU_SOURCE). */
#include "dump.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

/* libarchive's header too, to build odd archives. */
#include <archive.h>
#include "container.h"
#include <archive_entry.h>

#include "manifest.h"

/*
 * Failure injection (test_archive.wrap): each wrapped call counts itself and,
 * when its count reaches fail_at, fails with fail_errno instead of running.
 */
struct fault {
    int calls;
    int fail_at;     /* 0: never fail */
    int fail_errno;
};
static struct fault f_open, f_write, f_fsync, f_close, f_renameat2, f_link;

int __real_open(const char *path, int flags, ...);
ssize_t __real_write(int fd, const void *buf, size_t n);
int __real_fsync(int fd);
int __real_close(int fd);
int __real_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
                     unsigned int flags);
int __real_link(const char *oldpath, const char *newpath);

static int inject(struct fault *f)
{
    f->calls++;
    if (f->fail_at != 0 && f->calls == f->fail_at) {
        errno = f->fail_errno;
        return 1;
    }
    return 0;
}

int __wrap_open(const char *path, int flags, ...);
int __wrap_open(const char *path, int flags, ...)
{
    mode_t mode = 0;
    if (flags & O_CREAT) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    if (inject(&f_open))
        return -1;
    return __real_open(path, flags, mode);
}

ssize_t __wrap_write(int fd, const void *buf, size_t n);
ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
    if (inject(&f_write))
        return -1;
    return __real_write(fd, buf, n);
}

int __wrap_fsync(int fd);
int __wrap_fsync(int fd)
{
    if (inject(&f_fsync))
        return -1;
    return __real_fsync(fd);
}

int __wrap_close(int fd);
int __wrap_close(int fd)
{
    if (inject(&f_close)) {
        /* close() reporting a delayed error has still closed the descriptor. */
        int e = errno;
        __real_close(fd);
        errno = e;
        return -1;
    }
    return __real_close(fd);
}

int __wrap_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
                     unsigned int flags);
int __wrap_renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
                     unsigned int flags)
{
    if (inject(&f_renameat2))
        return -1;
    return __real_renameat2(olddirfd, oldpath, newdirfd, newpath, flags);
}

int __wrap_link(const char *oldpath, const char *newpath);
int __wrap_link(const char *oldpath, const char *newpath)
{
    if (inject(&f_link))
        return -1;
    return __real_link(oldpath, newpath);
}

static void faults_reset(void)
{
    memset(&f_open, 0, sizeof f_open);
    memset(&f_write, 0, sizeof f_write);
    memset(&f_fsync, 0, sizeof f_fsync);
    memset(&f_close, 0, sizeof f_close);
    memset(&f_renameat2, 0, sizeof f_renameat2);
    memset(&f_link, 0, sizeof f_link);
}

/* ------------------------------------------------------------------------ */

struct fixture {
    char dir[64];
    unsigned char graph[100000];  /* binary, with NULs, more than one tar block */
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    if (fx == NULL)
        return -1;
    snprintf(fx->dir, sizeof fx->dir, "/tmp/pyhd-test-archive-XXXXXX");
    if (mkdtemp(fx->dir) == NULL)
        return -1;
    for (size_t i = 0; i < sizeof fx->graph; i++)
        fx->graph[i] = (unsigned char)((i * 2654435761u) >> 13);
    faults_reset();
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    DIR *dh = opendir(fx->dir);
    struct dirent *e;
    char p[512];
    faults_reset();
    while (dh != NULL && (e = readdir(dh)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(p, sizeof p, "%s/%s", fx->dir, e->d_name);
            unlink(p);
        }
    }
    if (dh != NULL)
        closedir(dh);
    rmdir(fx->dir);
    free(fx);
    return 0;
}

/* Entries of dir other than . and .., names joined by '|' into out. */
static int dir_entries(const char *dir, char *out, size_t n)
{
    DIR *dh = opendir(dir);
    struct dirent *e;
    int count = 0;
    out[0] = '\0';
    assert_non_null(dh);
    while ((e = readdir(dh)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (count++ > 0)
            strncat(out, "|", n - strlen(out) - 1);
        strncat(out, e->d_name, n - strlen(out) - 1);
    }
    closedir(dh);
    return count;
}

static void assert_dir_empty(const char *dir)
{
    char names[1024];
    int n = dir_entries(dir, names, sizeof names);
    if (n != 0)
        fail_msg("%s should be empty but holds: %s", dir, names);
}

static const char manifest[] = "Format-Version: 1\nTrigger: api\n";
static const char traceback[] = "Traceback (most recent call last):\n  File \"x.py\"\n";
static const char source[] = "# -*- coding: latin-1 -*-\nprint('caf\xe9')\n";

/*
 * Write the four standard members. Returns 0, or -1 with err set once any
 * step failed (the writer is then gone either way).
 */
static int write_dump(struct fixture *fx, const char *name, char *path, size_t pathlen,
                      uint64_t *size, char *err, size_t errlen)
{
    struct pyhd_archive_writer *w = pyhd__aw_create(fx->dir, name, err, errlen);
    if (w == NULL)
        return -1;
    if (pyhd__aw_add(w, "MANIFEST", manifest, strlen(manifest), err, errlen) < 0
        || pyhd__aw_add(w, "traceback.txt", traceback, strlen(traceback), err, errlen) < 0
        || pyhd__aw_add(w, "graph.z", fx->graph, sizeof fx->graph, err, errlen) < 0
        || pyhd__aw_add(w, "sources/tmp/a/very/long/directory/name/that/needs/more/than/"
                           "one/hundred/bytes/in/a/tar/header/so/pax/is/used/x.py",
                        source, strlen(source), err, errlen) < 0) {
        pyhd__aw_abort(w);
        return -1;
    }
    return pyhd__aw_commit(w, path, pathlen, size, err, errlen);
}

static void test_round_trip(void **state)
{
    struct fixture *fx = *state;
    char path[512], expect[512], err[512] = "", names[1024];
    uint64_t size = 0;
    struct stat st;
    struct pyhd_dump_file f;

    /* Mode 0600 whatever the umask: even one that takes every bit away. */
    mode_t old = umask(0777);
    int rc = write_dump(fx, "pyhd-x-1-20260101T000000Z.dump", path, sizeof path, &size, err,
                        sizeof err);
    umask(old);
    assert_int_equal(rc, 0);
    snprintf(expect, sizeof expect, "%s/pyhd-x-1-20260101T000000Z.dump", fx->dir);
    assert_string_equal(path, expect);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal((uint64_t)st.st_size, size);
    /* Nothing but the dump: the temporary file is gone. */
    assert_int_equal(dir_entries(fx->dir, names, sizeof names), 1);
    assert_string_equal(names, "pyhd-x-1-20260101T000000Z.dump");

    assert_int_equal(pyhd__ar_load(path, 1 << 20, &f, err, sizeof err), 0);
    assert_int_equal(f.nmembers, 4);
    assert_string_equal(f.members[0].name, "MANIFEST");
    assert_string_equal(f.members[1].name, "traceback.txt");
    assert_string_equal(f.members[2].name, "graph.z");
    assert_string_equal(f.members[3].name,
                        "sources/tmp/a/very/long/directory/name/that/needs/more/than/"
                        "one/hundred/bytes/in/a/tar/header/so/pax/is/used/x.py");
    assert_int_equal(f.members[0].len, strlen(manifest));
    assert_memory_equal(f.members[0].data, manifest, strlen(manifest));
    assert_memory_equal(f.members[1].data, traceback, strlen(traceback));
    assert_int_equal(f.members[2].len, sizeof fx->graph);
    assert_memory_equal(f.members[2].data, fx->graph, sizeof fx->graph);
    assert_int_equal(f.members[3].len, strlen(source));
    assert_memory_equal(f.members[3].data, source, strlen(source));
    /* The file was read whole: its members are not copied out of it. */
    assert_non_null(f.whole);
    assert_int_equal(f.whole_len, size);
    for (size_t i = 0; i < f.nmembers; i++)
        assert_true(f.members[i].data >= f.whole &&
                    f.members[i].data + f.members[i].len <= f.whole + f.whole_len);
    assert_ptr_equal(pyhd__ar_find(&f, "graph.z"), &f.members[2]);
    assert_null(pyhd__ar_find(&f, "graph"));
    pyhd__ar_free(&f);
    assert_int_equal(f.nmembers, 0);
    assert_null(f.members);
}

static void test_empty_member(void **state)
{
    struct fixture *fx = *state;
    char path[512], err[512];
    uint64_t size;
    struct pyhd_dump_file f;
    struct pyhd_archive_writer *w = pyhd__aw_create(fx->dir, "e.dump", err, sizeof err);
    assert_non_null(w);
    assert_int_equal(pyhd__aw_add(w, "MANIFEST", "", 0, err, sizeof err), 0);
    assert_int_equal(pyhd__aw_commit(w, path, sizeof path, &size, err, sizeof err), 0);
    assert_int_equal(pyhd__ar_load(path, 100, &f, err, sizeof err), 0);
    assert_int_equal(f.nmembers, 1);
    assert_int_equal(f.members[0].len, 0);
    pyhd__ar_free(&f);
}

static void test_existing_name_gets_a_suffix(void **state)
{
    struct fixture *fx = *state;
    char path[512], expect[512], first[512], err[512];
    uint64_t size;
    struct stat st;

    assert_int_equal(write_dump(fx, "same.dump", first, sizeof first, &size, err, sizeof err), 0);
    assert_int_equal(write_dump(fx, "same.dump", path, sizeof path, &size, err, sizeof err), 0);
    snprintf(expect, sizeof expect, "%s/same-2.dump", fx->dir);
    assert_string_equal(path, expect);
    assert_int_equal(write_dump(fx, "same.dump", path, sizeof path, &size, err, sizeof err), 0);
    snprintf(expect, sizeof expect, "%s/same-3.dump", fx->dir);
    assert_string_equal(path, expect);
    /* The first dump was not replaced. */
    assert_int_equal(stat(first, &st), 0);
    assert_int_equal((uint64_t)st.st_size, size);
    /* Without an extension the suffix goes at the end. */
    assert_int_equal(write_dump(fx, "noext", path, sizeof path, &size, err, sizeof err), 0);
    assert_int_equal(write_dump(fx, "noext", path, sizeof path, &size, err, sizeof err), 0);
    snprintf(expect, sizeof expect, "%s/noext-2", fx->dir);
    assert_string_equal(path, expect);
}

static void test_abort_removes_temporary(void **state)
{
    struct fixture *fx = *state;
    char err[512];
    struct pyhd_archive_writer *w = pyhd__aw_create(fx->dir, "a.dump", err, sizeof err);
    char names[1024];
    assert_non_null(w);
    assert_int_equal(pyhd__aw_add(w, "MANIFEST", manifest, strlen(manifest), err, sizeof err), 0);
    /* While writing, only a hidden temporary file exists. */
    assert_int_equal(dir_entries(fx->dir, names, sizeof names), 1);
    assert_int_equal(strncmp(names, ".a.dump.", 8), 0);
    assert_int_equal(strlen(names), strlen(".a.dump.") + 6);
    pyhd__aw_abort(w);
    assert_dir_empty(fx->dir);
}

/* The temporary file name prefix an error line must name. */
static void assert_names_temp(const struct fixture *fx, const char *err, const char *name)
{
    char tmp[512];
    snprintf(tmp, sizeof tmp, "%s/.%s.", fx->dir, name);
    if (strstr(err, tmp) == NULL)
        fail_msg("error '%s' does not name the temporary file %s*", err, tmp);
}

static void test_enospc_at_every_write(void **state)
{
    struct fixture *fx = *state;
    char path[512], err[512];
    uint64_t size;

    /* Count the writes of a whole dump, then fail each of them in turn. */
    assert_int_equal(write_dump(fx, "count.dump", path, sizeof path, &size, err, sizeof err), 0);
    int total = f_write.calls;
    assert_true(total >= 5);  /* at least one per member and the end of the archive */
    unlink(path);
    int seen_manifest = 0, seen_graph = 0, seen_end = 0;
    for (int n = 1; n <= total; n++) {
        faults_reset();
        f_write.fail_at = n;
        f_write.fail_errno = ENOSPC;
        err[0] = '\0';
        assert_int_equal(write_dump(fx, "full.dump", path, sizeof path, &size, err, sizeof err),
                         -1);
        if (strstr(err, "No space left on device") == NULL)
            fail_msg("write %d of %d: error '%s' does not say why", n, total, err);
        assert_names_temp(fx, err, "full.dump");
        /* The error says which member (or the archive's end) was being written. */
        seen_manifest += strncmp(err, "writing MANIFEST to ", 20) == 0;
        seen_graph += strncmp(err, "writing graph.z to ", 19) == 0;
        seen_end += strncmp(err, "writing the end of the archive to ", 34) == 0;
        if (strncmp(err, "writing ", 8) != 0)
            fail_msg("write %d: error '%s' does not say what was being written", n, err);
        assert_dir_empty(fx->dir);
    }
    assert_true(seen_manifest >= 1);
    assert_true(seen_graph >= 1);
    assert_true(seen_end >= 1);
}

static void test_short_writes_are_completed(void **state)
{
    struct fixture *fx = *state;
    char path[512], err[512];
    uint64_t size;
    struct pyhd_dump_file f;
    /* EINTR on the first write: retried, the dump is whole. */
    f_write.fail_at = 1;
    f_write.fail_errno = EINTR;
    assert_int_equal(write_dump(fx, "intr.dump", path, sizeof path, &size, err, sizeof err), 0);
    assert_int_equal(pyhd__ar_load(path, 1 << 20, &f, err, sizeof err), 0);
    assert_int_equal(f.nmembers, 4);
    pyhd__ar_free(&f);
}

static void test_fsync_fails(void **state)
{
    struct fixture *fx = *state;
    char path[512], err[512];
    uint64_t size;

    f_fsync.fail_at = 1;  /* the file */
    f_fsync.fail_errno = EIO;
    assert_int_equal(write_dump(fx, "s.dump", path, sizeof path, &size, err, sizeof err), -1);
    assert_int_equal(strncmp(err, "syncing ", 8), 0);
    assert_names_temp(fx, err, "s.dump");
    assert_non_null(strstr(err, strerror(EIO)));
    assert_dir_empty(fx->dir);

    faults_reset();
    f_fsync.fail_at = 2;  /* the directory, after the rename */
    f_fsync.fail_errno = EIO;
    assert_int_equal(write_dump(fx, "s.dump", path, sizeof path, &size, err, sizeof err), -1);
    assert_non_null(strstr(err, "syncing the directory"));
    assert_non_null(strstr(err, fx->dir));
    assert_dir_empty(fx->dir);

    /* A file system that cannot sync a directory has nothing to sync. */
    faults_reset();
    f_fsync.fail_at = 2;
    f_fsync.fail_errno = EINVAL;
    assert_int_equal(write_dump(fx, "s.dump", path, sizeof path, &size, err, sizeof err), 0);
    assert_int_equal(f_fsync.calls, 2);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
}

static void test_close_fails(void **state)
{
    struct fixture *fx = *state;
    char path[512], err[512];
    uint64_t size;
    f_close.fail_at = 1;
    f_close.fail_errno = EIO;
    assert_int_equal(write_dump(fx, "c.dump", path, sizeof path, &size, err, sizeof err), -1);
    assert_int_equal(strncmp(err, "closing ", 8), 0);
    assert_names_temp(fx, err, "c.dump");
    assert_dir_empty(fx->dir);
}

static void test_rename_fails(void **state)
{
    struct fixture *fx = *state;
    char path[512], err[512];
    uint64_t size;

    f_renameat2.fail_at = 1;
    f_renameat2.fail_errno = EACCES;
    assert_int_equal(write_dump(fx, "r.dump", path, sizeof path, &size, err, sizeof err), -1);
    assert_int_equal(strncmp(err, "renaming ", 9), 0);
    assert_names_temp(fx, err, "r.dump");
    assert_non_null(strstr(err, strerror(EACCES)));
    assert_dir_empty(fx->dir);

    /* A file system without RENAME_NOREPLACE: link() + unlink() instead. */
    faults_reset();
    f_renameat2.fail_at = 1;
    f_renameat2.fail_errno = EINVAL;
    assert_int_equal(write_dump(fx, "r.dump", path, sizeof path, &size, err, sizeof err), 0);
    assert_int_equal(f_link.calls, 1);
    char names[1024];
    assert_int_equal(dir_entries(fx->dir, names, sizeof names), 1);
    assert_string_equal(names, "r.dump");
    unlink(path);

    /* ... and when that fails too, nothing is left. */
    faults_reset();
    f_renameat2.fail_at = 1;
    f_renameat2.fail_errno = EINVAL;
    f_link.fail_at = 1;
    f_link.fail_errno = EPERM;
    assert_int_equal(write_dump(fx, "r.dump", path, sizeof path, &size, err, sizeof err), -1);
    assert_non_null(strstr(err, strerror(EPERM)));
    assert_dir_empty(fx->dir);
}

static void test_create_fails(void **state)
{
    struct fixture *fx = *state;
    char err[512];

    f_open.fail_at = 1;
    f_open.fail_errno = EACCES;
    assert_null(pyhd__aw_create(fx->dir, "o.dump", err, sizeof err));
    assert_int_equal(strncmp(err, "creating ", 9), 0);
    assert_names_temp(fx, err, "o.dump");
    assert_non_null(strstr(err, strerror(EACCES)));
    assert_dir_empty(fx->dir);

    faults_reset();
    f_open.fail_at = 1;
    f_open.fail_errno = ENOSPC;
    assert_null(pyhd__aw_create(fx->dir, "o.dump", err, sizeof err));
    assert_non_null(strstr(err, strerror(ENOSPC)));
    assert_dir_empty(fx->dir);
}

static void test_bad_directory(void **state)
{
    struct fixture *fx = *state;
    char dir[512], err[512], expect[600];

    snprintf(dir, sizeof dir, "%s/missing", fx->dir);
    assert_null(pyhd__aw_create(dir, "x.dump", err, sizeof err));
    snprintf(expect, sizeof expect, "dump directory %s: %s", dir, strerror(ENOENT));
    assert_string_equal(err, expect);

    /* A file where the directory should be. */
    snprintf(dir, sizeof dir, "%s/file", fx->dir);
    int fd = open(dir, O_CREAT | O_WRONLY, 0600);
    assert_true(fd >= 0);
    close(fd);
    assert_null(pyhd__aw_create(dir, "x.dump", err, sizeof err));
    snprintf(expect, sizeof expect, "dump directory %s: %s", dir, strerror(ENOTDIR));
    assert_string_equal(err, expect);
    unlink(dir);

    /* A name with a slash would write elsewhere. */
    assert_null(pyhd__aw_create(fx->dir, "../x.dump", err, sizeof err));
    assert_non_null(strstr(err, "'../x.dump'"));
    assert_dir_empty(fx->dir);
}

/* Try to create a dump in dir; 0 when that fails with EACCES and leaves
   nothing behind. */
static int create_refused(const char *dir)
{
    char err[512];
    if (pyhd__aw_create(dir, "x.dump", err, sizeof err) != NULL)
        return 1;
    if (strstr(err, strerror(EACCES)) == NULL || strstr(err, dir) == NULL)
        return 2;
    return 0;
}

static void test_unwritable_directory(void **state)
{
    struct fixture *fx = *state;
    char dir[512];

    snprintf(dir, sizeof dir, "%s/ro", fx->dir);
    assert_int_equal(mkdir(dir, 0555), 0);
    if (geteuid() != 0) {
        assert_int_equal(create_refused(dir), 0);
    } else {
        /* Root writes anywhere: try as nobody, in a child process. */
        assert_int_equal(chmod(fx->dir, 0755), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            if (setgid(65534) < 0 || setuid(65534) < 0)
                _exit(3);
            _exit(create_refused(dir));
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    assert_dir_empty(dir);
    rmdir(dir);
}

/* ------------------------------------------------------------------------ */
/* The reader on bad input */

static void write_bytes(const char *path, const void *data, size_t n)
{
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
}

static void load_fails(const char *path, size_t max, const char *expect)
{
    struct pyhd_dump_file f;
    char err[512] = "";
    assert_int_equal(pyhd__ar_load(path, max, &f, err, sizeof err), -1);
    if (strstr(err, expect) == NULL || strncmp(err, path, strlen(path)) != 0)
        fail_msg("error '%s' should start with %s and say '%s'", err, path, expect);
    assert_int_equal(f.nmembers, 0);
    assert_null(f.members);
}

static void test_reader_garbage_and_empty(void **state)
{
    struct fixture *fx = *state;
    char path[512];

    snprintf(path, sizeof path, "%s/garbage", fx->dir);
    write_bytes(path, fx->graph, 10000);
    load_fails(path, 1 << 20, "not a pyhd dump (not a tar archive)");
    write_bytes(path, "hello\n", 6);
    load_fails(path, 1 << 20, "not a pyhd dump (not a tar archive)");
    write_bytes(path, "", 0);
    load_fails(path, 1 << 20, "not a pyhd dump (empty file)");
    unlink(path);
    load_fails(path, 1 << 20, strerror(ENOENT));
    load_fails(fx->dir, 1 << 20, strerror(EISDIR));
}

static void test_reader_truncated(void **state)
{
    struct fixture *fx = *state;
    char path[512], err[512], cut[512];
    uint64_t size;
    struct pyhd_dump_file f;

    assert_int_equal(write_dump(fx, "t.dump", path, sizeof path, &size, err, sizeof err), 0);
    assert_int_equal(pyhd__ar_load(path, 1 << 20, &f, err, sizeof err), 0);
    pyhd__ar_free(&f);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    unsigned char *whole = malloc(size);
    assert_non_null(whole);
    assert_int_equal(fread(whole, 1, size, fp), size);
    fclose(fp);

    snprintf(cut, sizeof cut, "%s/cut", fx->dir);
    /* Cut inside graph.z's data: its header and the first two members come
       first, each 512-byte aligned. */
    write_bytes(cut, whole, 4096 + 50000);
    load_fails(cut, 1 << 20, "truncated archive in member graph.z");
    /* Cut inside MANIFEST's data. */
    write_bytes(cut, whole, 512 + 10);
    load_fails(cut, 1 << 20, "truncated archive in member MANIFEST");
    /* Cut inside the header after MANIFEST's block. */
    write_bytes(cut, whole, 1024 + 100);
    load_fails(cut, 1 << 20, "after member MANIFEST");
    free(whole);
}

/* pyhd__ar_load_some reads only the members asked for and stops after them, so
   a dump cut after them (or a graph.z too large for the limit) still gives
   its MANIFEST and traceback.txt. */
static void test_reader_some_members(void **state)
{
    static const char *const wanted[] = {"traceback.txt", "MANIFEST"};
    static const char *const absent[] = {"MANIFEST", "no-such-member"};
    struct fixture *fx = *state;
    char path[512], err[512] = "", cut[512];
    uint64_t size;
    struct pyhd_dump_file f;

    assert_int_equal(write_dump(fx, "s.dump", path, sizeof path, &size, err, sizeof err), 0);
    assert_int_equal(pyhd__ar_load_some(path, 1 << 20, wanted, 2, &f, err, sizeof err), 0);
    assert_int_equal(f.nmembers, 2);
    assert_string_equal(f.members[0].name, "MANIFEST");
    assert_memory_equal(f.members[0].data, manifest, strlen(manifest));
    assert_string_equal(f.members[1].name, "traceback.txt");
    assert_memory_equal(f.members[1].data, traceback, strlen(traceback));
    assert_null(pyhd__ar_find(&f, "graph.z"));
    pyhd__ar_free(&f);
    /* graph.z is over the limit, but never read. */
    assert_int_equal(pyhd__ar_load_some(path, 1000, wanted, 2, &f, err, sizeof err), 0);
    assert_int_equal(f.nmembers, 2);
    pyhd__ar_free(&f);
    /* A name the archive lacks is absent; the others are there. */
    assert_int_equal(pyhd__ar_load_some(path, 1 << 20, absent, 2, &f, err, sizeof err), 0);
    assert_int_equal(f.nmembers, 1);
    assert_string_equal(f.members[0].name, "MANIFEST");
    pyhd__ar_free(&f);

    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    unsigned char *whole = malloc(size);
    assert_non_null(whole);
    assert_int_equal(fread(whole, 1, size, fp), size);
    fclose(fp);
    snprintf(cut, sizeof cut, "%s/cut", fx->dir);
    /* Cut inside graph.z: the first two members are whole. */
    write_bytes(cut, whole, 4096 + 50000);
    assert_int_equal(pyhd__ar_load_some(cut, 1 << 20, wanted, 2, &f, err, sizeof err), 0);
    assert_int_equal(f.nmembers, 2);
    pyhd__ar_free(&f);
    /* Cut inside MANIFEST: an error naming it. */
    write_bytes(cut, whole, 512 + 10);
    assert_int_equal(pyhd__ar_load_some(cut, 1 << 20, wanted, 2, &f, err, sizeof err), -1);
    assert_non_null(strstr(err, "truncated archive in member MANIFEST"));
    assert_int_equal(f.nmembers, 0);
    free(whole);
}

static void test_reader_refuses_sparse_members(void **state)
{
    struct fixture *fx = *state;
    char path[512];
    snprintf(path, sizeof path, "%s/sparse.tar", fx->dir);
    /* A pax archive whose member claims 1 GiB held in a few bytes. */
    struct archive *a = archive_write_new();
    struct archive_entry *e = archive_entry_new();
    assert_non_null(a);
    assert_non_null(e);
    assert_int_equal(archive_write_set_format_pax(a), ARCHIVE_OK);
    assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
    archive_entry_copy_pathname(e, "graph.z");
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0600);
    archive_entry_set_size(e, (la_int64_t)1 << 30);
    archive_entry_sparse_add_entry(e, 0, 4);
    assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
    assert_int_equal(archive_write_data(a, "data", 4), 4);
    assert_int_equal(archive_write_close(a), ARCHIVE_OK);
    archive_entry_free(e);
    archive_write_free(a);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size < 100000);
    load_fails(path, (size_t)2 << 30, "member graph.z is a sparse file");
}

static void test_reader_member_limit(void **state)
{
    struct fixture *fx = *state;
    char path[512], err[512];
    uint64_t size;
    assert_int_equal(write_dump(fx, "l.dump", path, sizeof path, &size, err, sizeof err), 0);
    load_fails(path, 99999, "member graph.z is 100000 bytes, more than the limit of 99999");
}

/* ------------------------------------------------------------------------ */
/* pyhd__dump_write() in a live interpreter */

static struct pyhd_options dump_opts;
static struct pyhd_dump_result dump_result;
static int dump_rc;

/* pyhd_test_dump([exc, trigger]): a dump from Python code, as pyhd.dump()
   and the thread hook will make one. */
static PyObject *py_test_dump(PyObject *self, PyObject *args)
{
    PyObject *exc = NULL;
    int trigger = PYHD_TRIGGER_API;
    if (!PyArg_ParseTuple(args, "|Oi", &exc, &trigger))
        return NULL;
    dump_rc = pyhd__dump_write(&dump_opts, (enum pyhd_trigger)trigger, exc, &dump_result);
    return PyLong_FromLong(dump_rc);
}

static PyMethodDef test_dump_def = {"pyhd_test_dump", py_test_dump, METH_VARARGS, NULL};

/* Run code with pyhd_test_dump in its globals; returns the globals. */
static PyObject *run_with_dump(const char *code)  /* new reference */
{
    PyObject *globals = PyDict_New();
    PyObject *fn = PyCFunction_New(&test_dump_def, NULL);
    assert_non_null(globals);
    assert_non_null(fn);
    assert_int_equal(PyDict_SetItemString(globals, "pyhd_test_dump", fn), 0);
    assert_int_equal(PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins()), 0);
    PyObject *code_obj = Py_CompileString(code, "<dump-test>", Py_file_input);
    PyObject *res = code_obj ? PyEval_EvalCode(code_obj, globals, globals) : NULL;
    if (res == NULL)
        PyErr_Print();
    assert_non_null(res);
    Py_DECREF(res);
    Py_DECREF(code_obj);
    Py_DECREF(fn);
    return globals;
}

static int python_group_setup(void **state)
{
    Py_Initialize();
    pyhd__options_init(&dump_opts);
    return 0;
}

static int python_group_teardown(void **state)
{
    pyhd__options_free(&dump_opts);
    return Py_FinalizeEx();
}

/* Each test dumps into its own fixture directory, with the default name. */
static int python_setup(void **state)
{
    if (setup(state) < 0)
        return -1;
    free(dump_opts.dump_dir);
    free(dump_opts.dump_name);
    dump_opts.dump_name = NULL;
    dump_opts.dump_dir = strdup(((struct fixture *)*state)->dir);
    return dump_opts.dump_dir == NULL ? -1 : 0;
}

/* Load the dump at path and parse its MANIFEST into m. */
static void load_dump(const char *path, struct pyhd_dump_file *f, struct pyhd_manifest *m)
{
    char err[512] = "";
    if (pyhd__ar_load(path, 64 << 20, f, err, sizeof err) < 0)
        fail_msg("%s", err);
    const struct pyhd_archive_member *man = pyhd__ar_find(f, "MANIFEST");
    assert_non_null(man);
    if (pyhd__manifest_parse((const char *)man->data, man->len, m, err, sizeof err) < 0)
        fail_msg("%s", err);
}

static void test_dump_api_every_thread(void **state)
{
    struct fixture *fx = *state;
    static const char code[] =
        "import threading\n"
        "release = threading.Event()\n"
        "started = threading.Event()\n"
        "def worker():\n"
        "    started.set()\n"
        "    release.wait()\n"
        "t = threading.Thread(target=worker, name='helper')\n"
        "t.start()\n"
        "started.wait()\n"
        "def api_caller():\n"
        "    return pyhd_test_dump()\n"
        "rc = api_caller()\n"
        "release.set()\n"
        "t.join()\n";
    dump_opts.dump_name = strdup("api.dump");
    Py_DECREF(run_with_dump(code));
    if (dump_rc != 0)
        fail_msg("%s", dump_result.error);

    char expect[512];
    snprintf(expect, sizeof expect, "%s/api.dump", fx->dir);
    assert_string_equal(dump_result.path, expect);
    assert_true(dump_result.objects > 0);
    struct pyhd_dump_file f;
    struct pyhd_manifest m;
    load_dump(dump_result.path, &f, &m);
    assert_int_equal(f.nmembers >= 3, 1);
    assert_string_equal(f.members[0].name, "MANIFEST");
    assert_string_equal(f.members[1].name, "traceback.txt");
    assert_string_equal(f.members[2].name, "graph.z");
    assert_string_equal(pyhd__manifest_get(&m, "Trigger"), "api");
    assert_null(pyhd__manifest_get(&m, "Exception-Type"));
    assert_null(pyhd__manifest_get(&m, "Fingerprint"));
    assert_string_equal(pyhd__manifest_get(&m, "Threads"), "2");
    assert_string_equal(pyhd__manifest_get(&m, "Source-Unavailable"),
                        "<dump-test>: not a file name");
    /* Without an exception, traceback.txt is every thread's stack, the
       current one included. */
    const char *tb = (const char *)pyhd__ar_find(&f, "traceback.txt")->data;
    assert_non_null(strstr(tb, "\"MainThread\" (current thread) (most recent call last):\n"));
    assert_non_null(strstr(tb, "  File \"<dump-test>\", line 11, in api_caller\n"));
    assert_non_null(strstr(tb, "\"helper\" (most recent call last):\n"));
    /* The current thread's stack comes first. */
    assert_int_equal(strncmp(tb, "Thread 0x", 9), 0);
    assert_true(strstr(tb, "\"MainThread\"") < strstr(tb, "\"helper\""));
    assert_non_null(strstr(tb, "  File \"<dump-test>\", line 6, in worker\n"));
    /* threading.py is a real file: its frames come with their source line. */
    assert_non_null(strstr(tb, "in wait\n    "));
    pyhd__manifest_free(&m);
    pyhd__ar_free(&f);
}

static void test_dump_thread_exception(void **state)
{
    static const char code[] =
        "import io, sys, threading\n"
        "def fail():\n"
        "    raise LookupError('in a thread')\n"
        "def worker():\n"
        "    global expected\n"
        "    try:\n"
        "        fail()\n"
        "    except LookupError as e:\n"
        "        pyhd_test_dump(e, 1)\n"
        "        buf, old = io.StringIO(), sys.stderr\n"
        "        sys.stderr = buf\n"
        "        threading.excepthook(threading.ExceptHookArgs(\n"
        "            (type(e), e, e.__traceback__, threading.current_thread())))\n"
        "        sys.stderr = old\n"
        "        expected = buf.getvalue()\n"
        "t = threading.Thread(target=worker, name='failing')\n"
        "t.start()\n"
        "t.join()\n";
    (void)state;
    assert_int_equal(PYHD_TRIGGER_THREAD, 1);
    PyObject *globals = run_with_dump(code);
    if (dump_rc != 0)
        fail_msg("%s", dump_result.error);
    PyObject *expected = PyDict_GetItemString(globals, "expected");  /* borrowed */
    assert_non_null(expected);
    const char *want = PyUnicode_AsUTF8(expected);
    assert_non_null(want);
    static const char header[] = "Exception in thread failing:\nTraceback";
    if (strncmp(want, header, sizeof header - 1) != 0)
        fail_msg("threading.excepthook printed: %s", want);

    struct pyhd_dump_file f;
    struct pyhd_manifest m;
    load_dump(dump_result.path, &f, &m);
    assert_string_equal(pyhd__manifest_get(&m, "Trigger"), "thread-exception");
    assert_string_equal(pyhd__manifest_get(&m, "Exception-Type"), "builtins.LookupError");
    /* traceback.txt opens with what threading.excepthook prints; the failing
       thread's stack is that traceback, not repeated after it. */
    const struct pyhd_archive_member *tb = pyhd__ar_find(&f, "traceback.txt");
    assert_true(tb->len >= strlen(want));
    assert_memory_equal(tb->data, want, strlen(want));
    assert_null(strstr((const char *)tb->data, "\"failing\""));
    pyhd__manifest_free(&m);
    pyhd__ar_free(&f);
    Py_DECREF(globals);
}

static void test_dump_failure_restores_state(void **state)
{
    struct fixture *fx = *state;
    PyObject *exc = NULL;
    PyObject *et = NULL, *ev = NULL, *etb = NULL;

    assert_int_equal(PyRun_SimpleString("def f():\n    1/0\n"
                                        "try:\n    f()\n"
                                        "except ZeroDivisionError as e:\n    err = e\n"), 0);
    PyObject *main_dict = PyModule_GetDict(PyImport_AddModule("__main__"));
    exc = PyDict_GetItemString(main_dict, "err");
    assert_non_null(exc);
    Py_INCREF(exc);

    for (int gc_on = 0; gc_on <= 1; gc_on++) {
        faults_reset();
        f_write.fail_at = 1;
        f_write.fail_errno = ENOSPC;
        if (gc_on)
            PyGC_Enable();
        else
            PyGC_Disable();
        /* An exception pending in the caller survives the dump. */
        PyErr_SetString(PyExc_KeyError, "pending");
        struct pyhd_dump_result r;
        assert_int_equal(pyhd__dump_write(&dump_opts, PYHD_TRIGGER_UNCAUGHT, exc, &r), -1);
        assert_int_equal(strncmp(r.error, "writing MANIFEST to ", 20), 0);
        assert_non_null(strstr(r.error, "No space left on device"));
        assert_true(PyErr_ExceptionMatches(PyExc_KeyError));
        PyErr_Fetch(&et, &ev, &etb);
        PyErr_NormalizeException(&et, &ev, &etb);
        assert_string_equal(PyUnicode_AsUTF8(((PyBaseExceptionObject *)ev)->args == NULL
                                                 ? NULL
                                                 : PyTuple_GET_ITEM(
                                                       ((PyBaseExceptionObject *)ev)->args, 0)),
                            "pending");
        Py_CLEAR(et);
        Py_CLEAR(ev);
        Py_CLEAR(etb);
        assert_int_equal(PyGC_IsEnabled(), gc_on);
        assert_dir_empty(fx->dir);
        char line[1024];
        pyhd__dump_format_line(&r, 0, line, sizeof line);
        assert_int_equal(strncmp(line, "pyhd: no dump: writing MANIFEST to ", 35), 0);
        assert_int_equal(line[strlen(line) - 1], '\n');
    }

    /* The same exception, written: its MANIFEST fields. */
    faults_reset();
    struct pyhd_dump_result r;
    assert_int_equal(pyhd__dump_write(&dump_opts, PYHD_TRIGGER_UNCAUGHT, exc, &r), 0);
    assert_null(PyErr_Occurred());
    struct pyhd_dump_file f;
    struct pyhd_manifest m;
    load_dump(r.path, &f, &m);
    assert_string_equal(pyhd__manifest_get(&m, "Exception-Type"), "builtins.ZeroDivisionError");
    assert_string_equal(pyhd__manifest_get(&m, "Exception-Message"), "division by zero");
    assert_string_equal(pyhd__manifest_get(&m, "Trigger"), "uncaught-exception");
    const char *tb = (const char *)pyhd__ar_find(&f, "traceback.txt")->data;
    assert_non_null(strstr(tb, "ZeroDivisionError: division by zero\n"));
    pyhd__manifest_free(&m);
    pyhd__ar_free(&f);
    Py_DECREF(exc);
}

/* A missing dump directory is created (issue 6); one that cannot be is one error line. */
static void test_dump_uncreatable_directory(void **state)
{
    struct fixture *fx = *state;
    struct pyhd_dump_result r;
    char plain[512], dir[600], expect[700];
    snprintf(plain, sizeof plain, "%s/plain", fx->dir);
    FILE *f = fopen(plain, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(dir, sizeof dir, "%s/missing", plain);
    free(dump_opts.dump_dir);
    dump_opts.dump_dir = strdup(dir);
    assert_int_equal(pyhd__dump_write(&dump_opts, PYHD_TRIGGER_SIGNAL, NULL, &r), -1);
    snprintf(expect, sizeof expect, "dump directory %s: %s", dir, strerror(ENOTDIR));
    assert_string_equal(r.error, expect);
    assert_null(PyErr_Occurred());

    /* One line, even for a directory name with a newline in it. */
    snprintf(dir, sizeof dir, "%s/two\nlines", plain);
    free(dump_opts.dump_dir);
    dump_opts.dump_dir = strdup(dir);
    assert_int_equal(pyhd__dump_write(&dump_opts, PYHD_TRIGGER_SIGNAL, NULL, &r), -1);
    assert_null(strchr(r.error, '\n'));
    assert_non_null(strstr(r.error, "two lines"));
    assert_int_equal(unlink(plain), 0);
    assert_dir_empty(fx->dir);
}

static void test_dump_format_line(void **state)
{
    struct pyhd_dump_result r;
    char line[1024];
    (void)state;
    memset(&r, 0, sizeof r);
    snprintf(r.path, sizeof r.path, "/d/x.dump");
    r.objects = 1234;
    r.ms = 12.34;
    static const struct {
        uint64_t size;
        const char *text;
    } cases[] = {
        {532, "532 B"}, {1023, "1023 B"}, {14336, "14.0 KiB"},
        {1258291, "1.2 MiB"}, {(uint64_t)3 << 30, "3.0 GiB"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char expect[256];
        r.size = cases[i].size;
        pyhd__dump_format_line(&r, 1, line, sizeof line);
        snprintf(expect, sizeof expect,
                 "pyhd: dump written to /d/x.dump (%s, 1234 objects, 12.3 ms)\n", cases[i].text);
        assert_string_equal(line, expect);
    }
    snprintf(r.error, sizeof r.error, "dump directory /nope: No such file or directory");
    pyhd__dump_format_line(&r, 0, line, sizeof line);
    assert_string_equal(line, "pyhd: no dump: dump directory /nope: No such file or directory\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_member, setup, teardown),
        cmocka_unit_test_setup_teardown(test_existing_name_gets_a_suffix, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort_removes_temporary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enospc_at_every_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_short_writes_are_completed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fsync_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_close_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rename_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_garbage_and_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_some_members, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_refuses_sparse_members, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_member_limit, setup, teardown),
        cmocka_unit_test(test_dump_format_line),
    };
    const struct CMUnitTest python_tests[] = {
        cmocka_unit_test_setup_teardown(test_dump_api_every_thread, python_setup, teardown),
        cmocka_unit_test_setup_teardown(test_dump_thread_exception, python_setup, teardown),
        cmocka_unit_test_setup_teardown(test_dump_failure_restores_state, python_setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_dump_uncreatable_directory, python_setup, teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    return failed + cmocka_run_group_tests(python_tests, python_group_setup, python_group_teardown);
}

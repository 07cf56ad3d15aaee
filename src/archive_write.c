/* archive_write.c: write the dump's tar archive to a temporary file, then publish it atomically. */
#define _GNU_SOURCE
#include <archive.h>
#include <archive_entry.h>

#include "container.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct pyhd_archive_writer {
    int fd;
    struct archive *a;
    char *dir;
    char *name;
    char *tmp_path;
    const char *doing;   /* what a failing write() was doing, for the error line */
    uint64_t written;
};

/* Cap on "-2", "-3", ... suffixes tried when the final name is taken. */
#define PYHD_MAX_NAME_TRIES 1000

static void writer_free(struct pyhd_archive_writer *w)
{
    if (w->a != NULL)
        archive_write_free(w->a);
    if (w->fd >= 0)
        close(w->fd);
    free(w->dir);
    free(w->name);
    free(w->tmp_path);
    free(w);
}

/* Six characters of [A-Za-z0-9]; O_EXCL, not their secrecy, makes the name safe. */
static void random_suffix(char out[7])
{
    static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    static unsigned counter;
    unsigned char r[6];
    if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long long x = (unsigned long long)ts.tv_nsec ^
                               ((unsigned long long)getpid() << 20) ^ ++counter;
        for (int i = 0; i < 6; i++, x >>= 7)
            r[i] = (unsigned char)x;
    }
    for (int i = 0; i < 6; i++)
        out[i] = set[r[i] % (sizeof set - 1)];
    out[6] = '\0';
}

/*
 * libarchive's write callback. Going through our own write() (rather than
 * archive_write_open_fd) lets the unit tests inject failures with --wrap.
 */
static la_ssize_t write_cb(struct archive *a, void *data, const void *buf, size_t len)
{
    struct pyhd_archive_writer *w = data;
    const char *p = buf;
    size_t left = len;

    while (left > 0) {
        ssize_t n = write(w->fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            /* write() returning 0 for a non-zero length is treated as a full disk. */
            int e = n < 0 ? errno : ENOSPC;
            archive_set_error(a, e, "%s", strerror(e));
            return -1;
        }
        p += n;
        left -= (size_t)n;
    }
    w->written += len;
    return (la_ssize_t)len;
}

static void set_archive_error(struct pyhd_archive_writer *w, const char *doing, char *err,
                              size_t errlen)
{
    const char *why = archive_error_string(w->a);
    snprintf(err, errlen, "%s to %s: %s", doing, w->tmp_path, why ? why : "unknown error");
}

struct pyhd_archive_writer *pyhd__aw_create(const char *dir, const char *name, char *err,
                                            size_t errlen)
{
    struct pyhd_archive_writer *w = calloc(1, sizeof *w);
    struct stat st;

    if (w == NULL) {
        snprintf(err, errlen, "creating a dump in %s: out of memory", dir);
        return NULL;
    }
    w->fd = -1;
    if (stat(dir, &st) < 0) {
        snprintf(err, errlen, "dump directory %s: %s", dir, strerror(errno));
        goto error;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "dump directory %s: %s", dir, strerror(ENOTDIR));
        goto error;
    }
    if (*name == '\0' || strchr(name, '/') != NULL) {
        snprintf(err, errlen, "dump name '%s': must be a file name without '/'", name);
        goto error;
    }
    w->dir = strdup(dir);
    w->name = strdup(name);
    size_t tmplen = strlen(dir) + strlen(name) + 16;
    w->tmp_path = malloc(tmplen);
    if (w->dir == NULL || w->name == NULL || w->tmp_path == NULL) {
        snprintf(err, errlen, "creating a dump in %s: out of memory", dir);
        goto error;
    }
    for (int tries = 0; w->fd < 0; tries++) {
        char suffix[7];
        random_suffix(suffix);
        snprintf(w->tmp_path, tmplen, "%s/.%s.%s", dir, name, suffix);
        w->fd = open(w->tmp_path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (w->fd < 0 && (errno != EEXIST || tries >= 100)) {
            snprintf(err, errlen, "creating %s: %s", w->tmp_path, strerror(errno));
            goto error;
        }
    }
    /* The umask could have taken bits away, never added; fchmod makes it exact. */
    if (fchmod(w->fd, 0600) < 0) {
        snprintf(err, errlen, "setting the mode of %s: %s", w->tmp_path, strerror(errno));
        goto error_unlink;
    }
    w->a = archive_write_new();
    if (w->a == NULL) {
        snprintf(err, errlen, "creating %s: out of memory", w->tmp_path);
        goto error_unlink;
    }
    /* No blocking: each member goes to the file as it is added, so a failing
       write() is reported against the member being written. */
    if (archive_write_set_format_pax_restricted(w->a) != ARCHIVE_OK ||
        archive_write_add_filter_none(w->a) != ARCHIVE_OK ||
        archive_write_set_bytes_per_block(w->a, 0) != ARCHIVE_OK ||
        archive_write_open2(w->a, w, NULL, write_cb, NULL, NULL) != ARCHIVE_OK) {
        set_archive_error(w, "starting the archive", err, errlen);
        goto error_unlink;
    }
    return w;

error_unlink:
    unlink(w->tmp_path);
error:
    writer_free(w);
    return NULL;
}

int pyhd__aw_add(struct pyhd_archive_writer *w, const char *member, const void *data,
                 size_t len, char *err, size_t errlen)
{
    struct archive_entry *e = archive_entry_new();
    char doing[512];
    int rc = -1;

    snprintf(doing, sizeof doing, "writing %s", member);
    if (e == NULL) {
        snprintf(err, errlen, "%s to %s: out of memory", doing, w->tmp_path);
        return -1;
    }
    archive_entry_copy_pathname(e, member);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0600);
    archive_entry_set_size(e, (la_int64_t)len);
    archive_entry_set_mtime(e, time(NULL), 0);
    /* ARCHIVE_WARN (e.g. a name not in the locale's charset, stored as binary)
       still writes the member. */
    if (archive_write_header(w->a, e) < ARCHIVE_WARN) {
        set_archive_error(w, doing, err, errlen);
        goto done;
    }
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        la_ssize_t n = archive_write_data(w->a, p, left);
        if (n <= 0) {
            set_archive_error(w, doing, err, errlen);
            goto done;
        }
        p += n;
        left -= (size_t)n;
    }
    if (archive_write_finish_entry(w->a) < ARCHIVE_WARN) {
        set_archive_error(w, doing, err, errlen);
        goto done;
    }
    rc = 0;
done:
    archive_entry_free(e);
    return rc;
}

/* DIR/NAME, or DIR/STEM-N.EXT for n >= 2 (the suffix goes before the extension). */
static int final_path(const struct pyhd_archive_writer *w, int n, char *path, size_t pathlen)
{
    int len;
    if (n < 2) {
        len = snprintf(path, pathlen, "%s/%s", w->dir, w->name);
    } else {
        const char *dot = strrchr(w->name, '.');
        if (dot == NULL || dot == w->name)
            dot = w->name + strlen(w->name);
        len = snprintf(path, pathlen, "%s/%.*s-%d%s", w->dir, (int)(dot - w->name), w->name,
                       n, dot);
    }
    return len < 0 || (size_t)len >= pathlen ? -1 : 0;
}

/*
 * Give the finished temporary file its final name without replacing a file
 * that is there: renameat2(RENAME_NOREPLACE), or link() + unlink() where the
 * file system does not offer it.
 */
static int publish(struct pyhd_archive_writer *w, char *path, size_t pathlen, char *err,
                   size_t errlen)
{
    for (int n = 1; n <= PYHD_MAX_NAME_TRIES; n++) {
        if (final_path(w, n, path, pathlen) < 0) {
            snprintf(err, errlen, "naming the dump in %s: path too long", w->dir);
            return -1;
        }
        if (renameat2(AT_FDCWD, w->tmp_path, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
            return 0;
        if (errno == EEXIST)
            continue;
        if (errno != EINVAL && errno != ENOSYS) {
            snprintf(err, errlen, "renaming %s to %s: %s", w->tmp_path, path, strerror(errno));
            return -1;
        }
        if (link(w->tmp_path, path) == 0) {
            unlink(w->tmp_path);
            return 0;
        }
        if (errno != EEXIST) {
            snprintf(err, errlen, "renaming %s to %s: %s", w->tmp_path, path, strerror(errno));
            return -1;
        }
    }
    snprintf(err, errlen, "naming the dump in %s: %s and %d others exist", w->dir, w->name,
             PYHD_MAX_NAME_TRIES - 1);
    return -1;
}

/*
 * fsync(), where EINVAL and ENOTSUP mean the file system has nothing to
 * sync (some FUSE and network file systems, for directories): the data is as
 * durable as that file system makes anything.
 */
static int sync_fd(int fd)
{
    if (fsync(fd) == 0 || errno == EINVAL || errno == ENOTSUP)
        return 0;
    return -1;
}

static int fsync_dir(const char *dir, char *err, size_t errlen)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || sync_fd(fd) < 0) {
        snprintf(err, errlen, "syncing the directory %s: %s", dir, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

int pyhd__aw_commit(struct pyhd_archive_writer *w, char *path, size_t pathlen,
                    uint64_t *size, char *err, size_t errlen)
{
    if (archive_write_close(w->a) != ARCHIVE_OK) {
        set_archive_error(w, "writing the end of the archive", err, errlen);
        goto error;
    }
    if (sync_fd(w->fd) < 0) {
        snprintf(err, errlen, "syncing %s: %s", w->tmp_path, strerror(errno));
        goto error;
    }
    int fd = w->fd;
    w->fd = -1;
    /* close() can report a delayed write error (NFS): check it. */
    if (close(fd) < 0) {
        snprintf(err, errlen, "closing %s: %s", w->tmp_path, strerror(errno));
        goto error;
    }
    if (publish(w, path, pathlen, err, errlen) < 0)
        goto error;
    /* Renamed but not durable yet; a dump that may vanish on power loss is
       still reported as a failure, and removed so nothing half-done remains. */
    if (fsync_dir(w->dir, err, errlen) < 0) {
        unlink(path);
        writer_free(w);
        return -1;
    }
    *size = w->written;
    writer_free(w);
    return 0;

error:
    unlink(w->tmp_path);
    writer_free(w);
    return -1;
}

void pyhd__aw_abort(struct pyhd_archive_writer *w)
{
    if (w == NULL)
        return;
    unlink(w->tmp_path);
    writer_free(w);
}

/* retention.c: the dump directory: created private, refused when others can write it, kept bounded. */
#define _GNU_SOURCE
#include "retention.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define DUMP_PREFIX "pyhd-"
#define DUMP_SUFFIX ".dump"

/* Create path and its missing parents, each new one 0700 whatever the umask. */
static int make_dirs(char *path, char *err, size_t errlen, const char *dir)
{
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(path, 0700) == 0) {
            if (chmod(path, 0700) < 0) {
                snprintf(err, errlen, "dump directory %s: setting the mode of %s: %s", dir,
                         path, strerror(errno));
                return -1;
            }
        } else if (errno != EEXIST) {
            snprintf(err, errlen, "dump directory %s: creating %s: %s", dir, path,
                     strerror(errno));
            return -1;
        }
        *p = saved;
        if (saved == '\0')
            return 0;
    }
}

static void human(uint64_t n, char *out, size_t len)
{
    if (n >= (uint64_t)1 << 30)
        snprintf(out, len, "%.1f GiB", (double)n / (double)((uint64_t)1 << 30));
    else if (n >= (uint64_t)1 << 20)
        snprintf(out, len, "%.1f MiB", (double)n / (double)((uint64_t)1 << 20));
    else
        snprintf(out, len, "%llu bytes", (unsigned long long)n);
}

int pyhd__dump_dir_prepare(const char *dir, uint64_t need, uint64_t keep_free, char *err,
                           size_t errlen)
{
    struct stat st;
    struct statvfs vfs;

    if (stat(dir, &st) < 0) {
        if (errno != ENOENT || dir[0] != '/') {
            snprintf(err, errlen, "dump directory %s: %s", dir, strerror(errno));
            return -1;
        }
        char *copy = strdup(dir);
        if (copy == NULL) {
            snprintf(err, errlen, "dump directory %s: out of memory", dir);
            return -1;
        }
        int rc = make_dirs(copy, err, errlen, dir);
        free(copy);
        if (rc < 0)
            return -1;
        if (stat(dir, &st) < 0) {
            snprintf(err, errlen, "dump directory %s: %s", dir, strerror(errno));
            return -1;
        }
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "dump directory %s: %s", dir, strerror(ENOTDIR));
        return -1;
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st.st_mode & S_ISVTX) == 0) {
        snprintf(err, errlen, "dump directory %s: others can write to it (mode %04o) and it "
                 "is not sticky; refusing it (use a private directory)", dir,
                 (unsigned)(st.st_mode & 07777));
        return -1;
    }
    if (keep_free > 0 && statvfs(dir, &vfs) == 0) {
        uint64_t avail = (uint64_t)vfs.f_bavail * (uint64_t)vfs.f_frsize;
        if (avail < need || avail - need < keep_free) {
            char a[32], k[32];
            human(avail, a, sizeof a);
            human(keep_free, k, sizeof k);
            snprintf(err, errlen, "dump directory %s: %s free, a dump would leave less than "
                     "--keep-free=%s", dir, a, k);
            return -1;
        }
    }
    return 0;
}

static int has_dump_name(const char *name)
{
    size_t n = strlen(name), p = strlen(DUMP_PREFIX), s = strlen(DUMP_SUFFIX);
    return n > p + s && strncmp(name, DUMP_PREFIX, p) == 0
           && strcmp(name + n - s, DUMP_SUFFIX) == 0;
}

int pyhd__is_pyhd_dump(int dirfd, const char *name)
{
    static const char manifest_start[] = "Format-Version:";
    unsigned char head[512 + sizeof manifest_start];
    struct stat st;
    size_t got = 0;
    int fd, ok;

    if (!has_dump_name(name))
        return 0;
    fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return 0;
    ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid();
    while (ok && got < sizeof head - 1) {
        ssize_t n = read(fd, head + got, sizeof head - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    /* A ustar header (name at 0, magic at 257) for MANIFEST, its data in the next block. */
    return ok && got == sizeof head - 1 && memcmp(head, "MANIFEST", 9) == 0
           && memcmp(head + 257, "ustar", 5) == 0
           && memcmp(head + 512, manifest_start, sizeof manifest_start - 1) == 0;
}

struct dump_entry {
    char *name;
    struct timespec mtime;
    uint64_t size;
};

/* Newest first; equal times by name, the later name first. */
static int newest_first(const void *a, const void *b)
{
    const struct dump_entry *x = a, *y = b;
    if (x->mtime.tv_sec != y->mtime.tv_sec)
        return x->mtime.tv_sec < y->mtime.tv_sec ? 1 : -1;
    if (x->mtime.tv_nsec != y->mtime.tv_nsec)
        return x->mtime.tv_nsec < y->mtime.tv_nsec ? 1 : -1;
    return -strcmp(x->name, y->name);
}

int pyhd__retention_apply(const char *dir, const char *keep, uint64_t max_dumps,
                          uint64_t max_use, char *err, size_t errlen)
{
    struct dump_entry *entries = NULL, *kept = NULL;
    size_t n = 0, cap = 0;
    int deleted = -1, dirfd = -1;
    DIR *d = NULL;
    struct dirent *e;

    if (max_dumps == 0 && max_use == 0)
        return 0;
    dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0 || (d = fdopendir(dirfd)) == NULL) {
        snprintf(err, errlen, "dump directory %s: %s", dir, strerror(errno));
        goto done;
    }
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        if (!pyhd__is_pyhd_dump(dirfd, e->d_name)
            || fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            struct dump_entry *grown = realloc(entries, ncap * sizeof *grown);
            if (grown == NULL)
                goto nomem;
            entries = grown;
            cap = ncap;
        }
        entries[n].name = strdup(e->d_name);
        if (entries[n].name == NULL)
            goto nomem;
        entries[n].mtime = st.st_mtim;
        entries[n].size = (uint64_t)st.st_size;
        n++;
    }
    if (n > 1)
        qsort(entries, n, sizeof *entries, newest_first);
    /* The file kept counts first, whatever its time: it is never the one deleted. */
    for (size_t i = 0; i < n; i++) {
        if (keep != NULL && strcmp(entries[i].name, keep) == 0) {
            struct dump_entry k = entries[i];
            memmove(entries + 1, entries, i * sizeof *entries);
            entries[0] = k;
            kept = &entries[0];
            break;
        }
    }
    deleted = 0;
    uint64_t count = 0, used = 0;
    for (size_t i = 0; i < n; i++) {
        count++;
        used += entries[i].size;
        if (&entries[i] == kept)
            continue;
        if ((max_dumps > 0 && count > max_dumps) || (max_use > 0 && used > max_use)) {
            if (unlinkat(dirfd, entries[i].name, 0) == 0)
                deleted++;
            count--;
            used -= entries[i].size;
        }
    }
    goto done;
nomem:
    snprintf(err, errlen, "dump directory %s: listing dumps: out of memory", dir);
    deleted = -1;
done:
    for (size_t i = 0; i < n; i++)
        free(entries[i].name);
    free(entries);
    if (d != NULL)
        closedir(d);
    else if (dirfd >= 0)
        close(dirfd);
    return deleted;
}

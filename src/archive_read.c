/* archive_read.c: read every member of a dump's tar archive into memory. */
#define _POSIX_C_SOURCE 200809L
#include <archive.h>
#include <archive_entry.h>

#include "container.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* libarchive reports "not this format" with ARCHIVE_ERRNO_FILE_FORMAT, which
   its public header leaves undefined; its platform header makes it EILSEQ on
   Linux. */
#define PYHD_ERRNO_FILE_FORMAT EILSEQ

/* Append an empty member named name to f; NULL when memory runs out. */
static struct pyhd_archive_member *member_new(struct pyhd_dump_file *f, size_t *cap,
                                              const char *name)
{
    if (f->nmembers == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        struct pyhd_archive_member *m = realloc(f->members, ncap * sizeof *m);
        if (m == NULL)
            return NULL;
        f->members = m;
        *cap = ncap;
    }
    struct pyhd_archive_member *m = &f->members[f->nmembers];
    m->name = strdup(name);
    m->data = NULL;
    m->len = 0;
    if (m->name == NULL)
        return NULL;
    f->nmembers++;
    return m;
}

/* Read the current member's len bytes into m: as a pointer into whole (the file
   read whole, which libarchive reads from memory and hands back in place) when
   libarchive gives them in one block from there, else copied block by block. */
static int member_read(struct archive *a, struct pyhd_archive_member *m, size_t len,
                       const struct pyhd_dump_file *f, const char *path, char *err,
                       size_t errlen)
{
    const unsigned char *lo = f->whole, *hi = lo != NULL ? lo + f->whole_len : NULL;
    for (;;) {
        const void *block;
        size_t n;
        la_int64_t offset;
        int rc = archive_read_data_block(a, &block, &n, &offset);
        if (rc == ARCHIVE_EOF)
            break;
        if (rc < ARCHIVE_WARN) {
            const char *why = archive_error_string(a);
            snprintf(err, errlen, "%s: truncated archive in member %s (%s)", path, m->name,
                     why ? why : "read error");
            return -1;
        }
        /* Sparse members are refused before: blocks follow each other. */
        if (offset < 0 || (uint64_t)offset != m->len || n > len - m->len) {
            snprintf(err, errlen, "%s: damaged archive in member %s (a block at %lld of "
                     "%zu bytes)", path, m->name, (long long)offset, len);
            return -1;
        }
        if (n == 0)
            continue;
        if (m->len == 0 && n == len && lo != NULL && (const unsigned char *)block >= lo &&
            (size_t)(hi - (const unsigned char *)block) >= n) {
            m->data = (unsigned char *)(uintptr_t)block;
            m->len = n;
            continue;
        }
        if (m->data == NULL && (m->data = malloc(len)) == NULL) {
            snprintf(err, errlen, "%s: out of memory reading member %s (%zu bytes)", path,
                     m->name, len);
            return -1;
        }
        memcpy(m->data + m->len, block, n);
        m->len += n;
    }
    if (m->len < len) {
        snprintf(err, errlen, "%s: truncated archive in member %s (%zu of %zu bytes)", path,
                 m->name, m->len, len);
        return -1;
    }
    /* An empty member's data is still an address (memchr and the like take it). */
    if (m->data == NULL && (m->data = malloc(1)) == NULL) {
        snprintf(err, errlen, "%s: out of memory reading member %s", path, m->name);
        return -1;
    }
    return 0;
}

/* Whether p lies in f's whole file (then it is not freed on its own). */
static int in_whole(const struct pyhd_dump_file *f, const unsigned char *p)
{
    return f->whole != NULL && p >= f->whole && p < f->whole + f->whole_len;
}

/* Read the regular file fd of size bytes whole into out->whole; 0, or -1 with
   err. A file that shrinks meanwhile is read as far as it goes (the archive
   reader then finds it truncated). */
static int read_whole(int fd, size_t size, struct pyhd_dump_file *out, const char *path,
                      char *err, size_t errlen)
{
    size_t got = 0;
    out->whole = malloc(size ? size : 1);
    if (out->whole == NULL) {
        snprintf(err, errlen, "%s: out of memory reading it (%zu bytes)", path, size);
        return -1;
    }
    while (got < size) {
        ssize_t n = read(fd, out->whole + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            return -1;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    out->whole_len = got;
    return 0;
}

/* Whether name is one of the nwanted names (every name when wanted is NULL). */
static int is_wanted(const char *name, const char *const *wanted, size_t nwanted)
{
    if (wanted == NULL)
        return 1;
    for (size_t i = 0; i < nwanted; i++) {
        if (strcmp(name, wanted[i]) == 0)
            return 1;
    }
    return 0;
}

/* libarchive's read size: a small dump (most are) in one read(2), at most 1 MiB a read. */
static size_t read_block(const struct stat *st)
{
    const size_t least = 65536, most = 1 << 20;
    if (!S_ISREG(st->st_mode) || st->st_size <= (off_t)least)
        return least;
    return st->st_size >= (off_t)most ? most : ((size_t)st->st_size + 511) / 512 * 512;
}

/* The largest file read whole (a larger one is read a block at a time, its
   members copied out): a dump is almost all members, so whole or not it is in
   memory once, but a file may also hold entries that are skipped. */
#define WHOLE_MAX ((off_t)64 << 20)

/* pyhd__ar_load and pyhd__ar_load_some: read the members named in wanted
   (all when wanted is NULL), stopping once each has been read. */
static int ar_read(const char *path, size_t max_member, const char *const *wanted,
                   size_t nwanted, struct pyhd_dump_file *out, char *err, size_t errlen)
{
    struct archive *a = NULL;
    struct archive_entry *e;
    const char *last = NULL;
    int fd = -1;
    size_t cap = 0;
    struct stat st;

    out->members = NULL;
    out->nmembers = 0;
    out->whole = NULL;
    out->whole_len = 0;
    /* Opened once and read through its descriptor: the path is looked up once. */
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto error;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: %s", path, strerror(EISDIR));
        goto error;
    }
    if (S_ISREG(st.st_mode) && st.st_size == 0) {
        snprintf(err, errlen, "%s: not a pyhd dump (empty file)", path);
        goto error;
    }
    a = archive_read_new();
    if (a == NULL) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto error;
    }
    /* Every member of a regular file that is not too large: read whole, once,
       with no copy of its members after (pyhd_load's graph.z is most of it). */
    if (wanted == NULL && S_ISREG(st.st_mode) && st.st_size <= WHOLE_MAX &&
        read_whole(fd, (size_t)st.st_size, out, path, err, errlen) < 0)
        goto error;
    /* Plain tar only: a dump is never compressed as a whole (graph.z is), so
       anything else is not a dump. */
    if (archive_read_support_format_tar(a) != ARCHIVE_OK
        || (out->whole != NULL ? archive_read_open_memory(a, out->whole, out->whole_len)
                               : archive_read_open_fd(a, fd, read_block(&st))) != ARCHIVE_OK) {
        const char *why = archive_error_string(a);
        if (archive_errno(a) == PYHD_ERRNO_FILE_FORMAT || why == NULL)
            snprintf(err, errlen, "%s: not a pyhd dump (not a tar archive)", path);
        else
            snprintf(err, errlen, "%s: %s", path, why);
        goto error;
    }
    for (;;) {
        int rc = archive_read_next_header(a, &e);
        if (rc == ARCHIVE_EOF)
            break;
        if (rc < ARCHIVE_WARN) {
            const char *why = archive_error_string(a);
            if (last == NULL && archive_errno(a) == PYHD_ERRNO_FILE_FORMAT)
                snprintf(err, errlen, "%s: not a pyhd dump (not a tar archive)", path);
            else if (last == NULL)
                snprintf(err, errlen, "%s: reading the first member header: %s", path,
                         why ? why : "read error");
            else
                snprintf(err, errlen, "%s: truncated or damaged archive after member %s (%s)",
                         path, last, why ? why : "read error");
            goto error;
        }
        const char *name = archive_entry_pathname(e);
        if (name == NULL)
            name = "";
        /* A dump holds only regular files; anything else is skipped like an
           unknown member. */
        if (archive_entry_filetype(e) != AE_IFREG)
            continue;
        /* A member not asked for is skipped unread (libarchive seeks past it);
           a name read already is too: the first of a repeated name counts. */
        if (!is_wanted(name, wanted, nwanted)
            || (wanted != NULL && pyhd__ar_find(out, name) != NULL))
            continue;
        /* A sparse member would expand to more bytes than the file holds;
           pyhd never writes one, and refusing it bounds what all members
           take in memory by the file's size. */
        if (archive_entry_sparse_count(e) > 0) {
            snprintf(err, errlen, "%s: member %s is a sparse file, which a dump never holds",
                     path, name);
            goto error;
        }
        la_int64_t size = archive_entry_size(e);
        if (size < 0 || (uint64_t)size > max_member) {
            snprintf(err, errlen, "%s: member %s is %lld bytes, more than the limit of %zu",
                     path, name, (long long)size, max_member);
            goto error;
        }
        struct pyhd_archive_member *m = member_new(out, &cap, name);
        if (m == NULL) {
            snprintf(err, errlen, "%s: out of memory reading member %s", path, name);
            goto error;
        }
        last = m->name;
        if (member_read(a, m, (size_t)size, out, path, err, errlen) < 0)
            goto error;
        if (wanted != NULL && out->nmembers == nwanted)
            break;
    }
    if (out->nmembers == 0 && wanted == NULL) {
        snprintf(err, errlen, "%s: not a pyhd dump (an archive without members)", path);
        goto error;
    }
    archive_read_free(a);
    close(fd);
    return 0;

error:
    if (a != NULL)
        archive_read_free(a);
    if (fd >= 0)
        close(fd);
    pyhd__ar_free(out);
    return -1;
}

int pyhd__ar_load(const char *path, size_t max_member, struct pyhd_dump_file *out,
                  char *err, size_t errlen)
{
    return ar_read(path, max_member, NULL, 0, out, err, errlen);
}

int pyhd__ar_load_some(const char *path, size_t max_member, const char *const *wanted,
                       size_t nwanted, struct pyhd_dump_file *out, char *err, size_t errlen)
{
    return ar_read(path, max_member, wanted, nwanted, out, err, errlen);
}

const struct pyhd_archive_member *pyhd__ar_find(const struct pyhd_dump_file *f,
                                                const char *name)
{
    for (size_t i = 0; i < f->nmembers; i++) {
        if (strcmp(f->members[i].name, name) == 0)
            return &f->members[i];
    }
    return NULL;
}

void pyhd__ar_free(struct pyhd_dump_file *f)
{
    for (size_t i = 0; i < f->nmembers; i++) {
        free(f->members[i].name);
        if (!in_whole(f, f->members[i].data))
            free(f->members[i].data);
    }
    free(f->members);
    free(f->whole);
    f->members = NULL;
    f->nmembers = 0;
    f->whole = NULL;
    f->whole_len = 0;
}

/* fuzz_decode.c: libFuzzer target for everything pyhd-debug reads before Python sees it. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "container.h"
#include "decode.h"
#include "manifest.h"
#include "pyhd/format.h"

/*
 * Each input is tried three ways, so the corpus of real dumps also reaches
 * the inner layers directly: as a whole dump file (tar archive, MANIFEST,
 * graph.z inflated and indexed), as a zlib stream, and as an inflated graph.
 * Success or failure does not matter; crashes, hangs, leaks and unbounded
 * allocations do (run with -rss_limit_mb and -timeout, see README).
 */

static void load_as_dump(const uint8_t *data, size_t size)
{
    static int fd = -1;
    char path[64], err[512];
    struct pyhd_dump_file f = {NULL, 0};
    const struct pyhd_archive_member *m;

    /* An in-memory file: the archive reader takes a path. */
    if (fd < 0 && (fd = memfd_create("pyhd-fuzz", 0)) < 0)
        abort();
    if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
        abort();
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    if (pyhd__ar_load(path, (size_t)64 << 20, &f, err, sizeof err) < 0)
        return;
    m = pyhd__ar_find(&f, PYHD_MEMBER_MANIFEST);
    if (m) {
        struct pyhd_manifest man = {NULL, 0};
        if (pyhd__manifest_parse((const char *)m->data, m->len, &man, err, sizeof err) == 0)
            pyhd__manifest_free(&man);
    }
    m = pyhd__ar_find(&f, PYHD_MEMBER_GRAPH);
    if (m) {
        struct pyhd_decoded g;
        if (pyhd__decode_open(&g, m->data, m->len, pyhd__decode_limit(m->len, 0), err,
                              sizeof err) == 0)
            pyhd__decode_free(&g);
    }
    pyhd__ar_free(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pyhd_decoded g;
    char err[512];
    unsigned char *copy;

    load_as_dump(data, size);
    if (pyhd__decode_open(&g, data, size, pyhd__decode_limit(size, 0), err, sizeof err) == 0)
        pyhd__decode_free(&g);
    copy = malloc(size ? size : 1);
    if (!copy)
        abort();
    memcpy(copy, data, size);
    if (pyhd__decode_index(&g, copy, size, err, sizeof err) == 0)
        pyhd__decode_free(&g);
    return 0;
}

/* dump.c: write one dump archive of the whole process: gather roots, encode, publish. */
#include "dump.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "archive.h"
#include "manifest.h"
#include "pyhd/format.h"
#include "walk.h"

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

int pyhd__dump_write(const struct pyhd_options *o, enum pyhd_trigger trigger,
                     PyObject *exc, struct pyhd_dump_result *r)
{
    double t0 = now_ms();
    struct pyhd_roots roots = {exc, NULL, 0, NULL, 0};
    struct pyhd_graph g;
    struct pyhd_buf manifest;
    struct pyhd_archive_writer *w = NULL;
    PyObject *et = NULL, *ev = NULL, *etb = NULL;
    char name[256];
    int rc = -1;

    memset(r, 0, sizeof *r);
    pyhd__buf_init(&manifest);
    PyErr_Fetch(&et, &ev, &etb);
    if (pyhd__graph_write(&roots, o, &g) < 0) {
        PyErr_Clear();
        snprintf(r->error, sizeof r->error, "encoding the object graph failed");
        goto done;
    }
    if (pyhd__manifest_add(&manifest, "Format-Version", "1") < 0) {
        snprintf(r->error, sizeof r->error, "building the MANIFEST: out of memory");
        goto done_graph;
    }
    snprintf(name, sizeof name, "pyhd-%ld.dump", (long)getpid());
    w = pyhd__aw_create(o->dump_dir ? o->dump_dir : ".", o->dump_name ? o->dump_name : name,
                        r->error, sizeof r->error);
    if (w == NULL)
        goto done_graph;
    if (pyhd__aw_add(w, PYHD_MEMBER_MANIFEST, manifest.data, manifest.len, r->error,
                     sizeof r->error) < 0
        || pyhd__aw_add(w, PYHD_MEMBER_GRAPH, g.compressed.data, g.compressed.len, r->error,
                        sizeof r->error) < 0) {
        pyhd__aw_abort(w);
        goto done_graph;
    }
    if (pyhd__aw_commit(w, r->path, sizeof r->path, &r->size, r->error, sizeof r->error) < 0)
        goto done_graph;
    r->objects = g.objects;
    rc = 0;
done_graph:
    pyhd__graph_free(&g);
done:
    pyhd__buf_free(&manifest);
    PyErr_Restore(et, ev, etb);
    r->ms = now_ms() - t0;
    return rc;
}

void pyhd__dump_format_line(const struct pyhd_dump_result *r, int ok, char *line, size_t n)
{
    if (ok)
        snprintf(line, n, "pyhd: dump written to %s (%llu B, %llu objects, %.1f ms)\n",
                 r->path, (unsigned long long)r->size, (unsigned long long)r->objects, r->ms);
    else
        snprintf(line, n, "pyhd: no dump: %s\n", r->error);
}

/* walk.c: the graph walker: Python state in, the graph.z member out. */
#include "walk.h"

#include "encode.h"
#include "pyhd/format.h"

int pyhd__graph_write(const struct pyhd_roots *roots, const struct pyhd_options *o,
                      struct pyhd_graph *g)
{
    struct pyhd_enc enc;
    unsigned char roots_payload[1] = {0};
    memset(g, 0, sizeof *g);
    pyhd__buf_init(&g->compressed);
    g->filenames = PyList_New(0);
    if (g->filenames == NULL)
        return -1;
    if (pyhd__enc_init(&enc, &g->compressed, 1) < 0
        || pyhd__enc_record(&enc, PYHD_REC_ROOTS, roots_payload, 1) < 0
        || pyhd__enc_finish(&enc, 0) < 0) {
        PyErr_Format(PyExc_MemoryError, "pyhd: %s", enc.err);
        pyhd__enc_free(&enc);
        pyhd__graph_free(g);
        return -1;
    }
    g->raw_bytes = enc.raw_bytes;
    pyhd__enc_free(&enc);
    return 0;
}

void pyhd__graph_free(struct pyhd_graph *g)
{
    pyhd__buf_free(&g->compressed);
    Py_CLEAR(g->filenames);
}

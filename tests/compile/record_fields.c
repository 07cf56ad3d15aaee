/* record_fields.c: compiled, never run: a record sets each field of its kind once. */

/*
 * tests/CMakeLists.txt compiles this file once per CASE_* and expects the
 * valid cases to compile and every other one to fail with its diagnostic.
 * CASE_added and CASE_moved change a kind's fields as a format change would,
 * the way format.h's table would be edited, before the writers are made.
 */
#include "pyhd/format.h"

#if defined(CASE_added)
/* A field added to SLICE: every record of it that does not set it is an error. */
#undef PYHD_FIELDS_SLICE
#define PYHD_FIELDS_SLICE(F) \
    F(SLICE, start, REF, PYHD_KM_ANY, 0) \
    F(SLICE, stop, REF, PYHD_KM_ANY, 0) \
    F(SLICE, step, REF, PYHD_KM_ANY, 0) \
    F(SLICE, hint, VARINT, 0, 0)
#elif defined(CASE_moved)
/* SLICE's fields in another order: its records compile unchanged (they name their fields). */
#undef PYHD_FIELDS_SLICE
#define PYHD_FIELDS_SLICE(F) \
    F(SLICE, step, REF, PYHD_KM_ANY, 0) \
    F(SLICE, start, REF, PYHD_KM_ANY, 0) \
    F(SLICE, stop, REF, PYHD_KM_ANY, 0)
#endif

#include "record_write.h"

struct walker {
    int unused;
};

static int rec_put_ref(struct walker *w, struct rec_ref v)
{
    return 0;
}
static int rec_put_u8(struct walker *w, unsigned v)
{
    return 0;
}
static int rec_put_varint(struct walker *w, uint64_t v)
{
    return 0;
}
static int rec_put_svarint(struct walker *w, int64_t v)
{
    return 0;
}
static int rec_put_f64(struct walker *w, double v)
{
    return 0;
}
static int rec_put_text(struct walker *w, struct rec_text v)
{
    return 0;
}
static int rec_put_blob(struct walker *w, struct rec_blob v)
{
    return 0;
}

#define REF(o) ((struct rec_ref){(o), 0})

int record_fields(struct walker *w, PyObject *o);
int record_fields(struct walker *w, PyObject *o)
{
#if defined(CASE_complete) || defined(CASE_moved) || defined(CASE_added)
    /* As src/walk.c writes a slice. */
    return RECORD(w, SLICE, .start = REF(o), .stop = REF(o), .step = REF(o))
           + RECORD(w, CELL, .contents = REF(o)) + EMPTY_RECORD(NONE);
#elif defined(CASE_missing)
    return RECORD(w, SLICE, .start = REF(o), .stop = REF(o));
#elif defined(CASE_unknown)
    return RECORD(w, SLICE, .start = REF(o), .stop = REF(o), .middle = REF(o));
#elif defined(CASE_twice)
    return RECORD(w, SLICE, .start = REF(o), .stop = REF(o), .stop = REF(o));
#elif defined(CASE_not_empty)
    return EMPTY_RECORD(SLICE);
#else
#error "no CASE_* defined"
#endif
}

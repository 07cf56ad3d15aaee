/* record_write.h: the walker's record writers, made from format.h's field table. */
#ifndef PYHD_RECORD_WRITE_H
#define PYHD_RECORD_WRITE_H

#include <Python.h>
#include <stddef.h>
#include <stdint.h>

#include "pyhd/format.h"

/*
 * For every kind of format.h's field table (PYHD_FIELDS_<KIND>), this header
 * makes
 *   struct rec_KIND        one member per field, named and typed as the table
 *                          says (REC_VALUE_* below), in table order;
 *   rec_put_KIND(w, &r)    appends r's fields to the payload being built, in
 *                          table order, each in its type's encoding; returns
 *                          PYHD_REC_KIND, or -1 when a field could not be put;
 *   RECORD(w, KIND, .field = value, ...)
 *                          rec_put_KIND of a record given by designated
 *                          initializers, which must set every field of KIND
 *                          exactly once.
 * The walker (src/walk.c) writes every record through RECORD. A field the
 * table adds (or renames) is thus a compile error in every record of its kind
 * until the walker sets it: an initializer naming a field the table lacks is
 * an unknown member, a count of initializers other than the table's fails the
 * static assertion in RECORD, and a field set twice is -Woverride-init (part
 * of -Wextra; an error with PYHD_WERROR). A field moved in the table moves in
 * every record written, with no change to the walker: nothing depends on the
 * order of the initializers. Kinds without fields (NONE, TRUE, ...) are
 * written with EMPTY_RECORD(KIND), which asserts that they have none.
 *
 * The values of the field types:
 *   REF        struct rec_ref: an object (NULL: absent) and how the includer
 *              references it (how: the includer's flags, 0 for a plain
 *              reference). References are made when the field is put, in
 *              table order: that order decides which ids are fresh, so the
 *              initializers must not reference anything themselves.
 *   U8         unsigned (at most the table's arg)
 *   VARINT     uint64_t
 *   SVARINT    int64_t
 *   F64        double
 *   TEXT       struct rec_text: UTF-8 bytes and their length
 *   BLOB       struct rec_blob: bytes and their length
 *   SINCE      unsigned: 1 when the fields after it are written, 0 when they
 *              are all left out (format.h; their values are then not read)
 *   the rest (STRDATA, BYTESDATA, ITEMS, MAP, PAIRS, DIMS, SHAPE, ELEMENTS,
 *   DTFIELDS, BASE, HASH, ROOTLIST)
 *              struct rec_body_TYPE: a function that puts the whole field (its
 *              counts and elements) at its place, and its argument. Each type
 *              has its own struct, so a body of one type cannot be given to a
 *              field of another.
 *
 * The header is a template: the file that includes it defines struct walker
 * and the primitives declared below (rec_put_ref, ...), which put one value of
 * a field type. Each returns 0, or -1 with an exception set.
 */

struct walker;

struct rec_ref {
    PyObject *obj;   /* borrowed; NULL: absent */
    unsigned how;    /* the includer's flags */
};
struct rec_text {
    const char *s;
    size_t n;
};
struct rec_blob {
    const void *data;
    size_t n;
};

#define REC_BODY_TYPE(type) \
    struct rec_body_##type { \
        int (*put)(struct walker *w, void *arg); \
        void *arg; \
    };
REC_BODY_TYPE(STRDATA)
REC_BODY_TYPE(BYTESDATA)
REC_BODY_TYPE(ITEMS)
REC_BODY_TYPE(MAP)
REC_BODY_TYPE(PAIRS)
REC_BODY_TYPE(DIMS)
REC_BODY_TYPE(SHAPE)
REC_BODY_TYPE(ELEMENTS)
REC_BODY_TYPE(DTFIELDS)
REC_BODY_TYPE(BASE)
REC_BODY_TYPE(HASH)
REC_BODY_TYPE(ROOTLIST)
#undef REC_BODY_TYPE

/* The C type of each field type's value. */
#define REC_VALUE_REF struct rec_ref
#define REC_VALUE_U8 unsigned
#define REC_VALUE_VARINT uint64_t
#define REC_VALUE_SVARINT int64_t
#define REC_VALUE_F64 double
#define REC_VALUE_TEXT struct rec_text
#define REC_VALUE_BLOB struct rec_blob
#define REC_VALUE_SINCE unsigned
#define REC_VALUE_STRDATA struct rec_body_STRDATA
#define REC_VALUE_BYTESDATA struct rec_body_BYTESDATA
#define REC_VALUE_ITEMS struct rec_body_ITEMS
#define REC_VALUE_MAP struct rec_body_MAP
#define REC_VALUE_PAIRS struct rec_body_PAIRS
#define REC_VALUE_DIMS struct rec_body_DIMS
#define REC_VALUE_SHAPE struct rec_body_SHAPE
#define REC_VALUE_ELEMENTS struct rec_body_ELEMENTS
#define REC_VALUE_DTFIELDS struct rec_body_DTFIELDS
#define REC_VALUE_BASE struct rec_body_BASE
#define REC_VALUE_HASH struct rec_body_HASH
#define REC_VALUE_ROOTLIST struct rec_body_ROOTLIST

/* The primitives, defined by the includer. */
static int rec_put_ref(struct walker *w, struct rec_ref v);
static int rec_put_u8(struct walker *w, unsigned v);
static int rec_put_varint(struct walker *w, uint64_t v);
static int rec_put_svarint(struct walker *w, int64_t v);
static int rec_put_f64(struct walker *w, double v);
static int rec_put_text(struct walker *w, struct rec_text v);
static int rec_put_blob(struct walker *w, struct rec_blob v);

/*
 * Per kind, REC_NFIELDS_KIND: how many fields it has (SINCE included), at
 * most as many as REC_NARGS below counts.
 */
#define REC_COUNT(kind, name, type, arg, flags) +1
#define REC_NFIELDS(kind, since) \
    enum { REC_NFIELDS_##kind = 0 PYHD_FIELDS_##kind(REC_COUNT) }; \
    _Static_assert(REC_NFIELDS_##kind <= 24, \
                   "PYHD_FIELDS_" #kind ": more fields than REC_NARGS counts");
PYHD_OBJECT_KINDS(REC_NFIELDS)
PYHD_META_KINDS(REC_NFIELDS)
#undef REC_NFIELDS
#undef REC_COUNT

/*
 * struct rec_KIND for every kind. end_ is no field: it keeps the struct of a
 * kind without fields from being empty (which C does not allow).
 */
#define REC_MEMBER(kind, name, type, arg, flags) REC_VALUE_##type name;
#define REC_STRUCT(kind, since) \
    struct rec_##kind { \
        PYHD_FIELDS_##kind(REC_MEMBER) \
        char end_; \
    };
PYHD_OBJECT_KINDS(REC_STRUCT)
PYHD_META_KINDS(REC_STRUCT)
#undef REC_STRUCT
#undef REC_MEMBER

/*
 * rec_put_KIND: each field's put, in table order. A field's put is chosen by
 * its type: REC_PUT_<TYPE>(kind, name).
 */
#define REC_PUT_SCALAR(put, name) \
    if (put(w, r->name) < 0) \
        return -1;
#define REC_PUT_BODY(name) \
    if (r->name.put(w, r->name.arg) < 0) \
        return -1;
#define REC_PUT_REF(kind, name) REC_PUT_SCALAR(rec_put_ref, name)
#define REC_PUT_U8(kind, name) REC_PUT_SCALAR(rec_put_u8, name)
#define REC_PUT_VARINT(kind, name) REC_PUT_SCALAR(rec_put_varint, name)
#define REC_PUT_SVARINT(kind, name) REC_PUT_SCALAR(rec_put_svarint, name)
#define REC_PUT_F64(kind, name) REC_PUT_SCALAR(rec_put_f64, name)
#define REC_PUT_TEXT(kind, name) REC_PUT_SCALAR(rec_put_text, name)
#define REC_PUT_BLOB(kind, name) REC_PUT_SCALAR(rec_put_blob, name)
#define REC_PUT_SINCE(kind, name) \
    if (!r->name) \
        return PYHD_REC_##kind;
#define REC_PUT_STRDATA(kind, name) REC_PUT_BODY(name)
#define REC_PUT_BYTESDATA(kind, name) REC_PUT_BODY(name)
#define REC_PUT_ITEMS(kind, name) REC_PUT_BODY(name)
#define REC_PUT_MAP(kind, name) REC_PUT_BODY(name)
#define REC_PUT_PAIRS(kind, name) REC_PUT_BODY(name)
#define REC_PUT_DIMS(kind, name) REC_PUT_BODY(name)
#define REC_PUT_SHAPE(kind, name) REC_PUT_BODY(name)
#define REC_PUT_ELEMENTS(kind, name) REC_PUT_BODY(name)
#define REC_PUT_DTFIELDS(kind, name) REC_PUT_BODY(name)
#define REC_PUT_BASE(kind, name) REC_PUT_BODY(name)
#define REC_PUT_HASH(kind, name) REC_PUT_BODY(name)
#define REC_PUT_ROOTLIST(kind, name) REC_PUT_BODY(name)
#define REC_PUT_FIELD(kind, name, type, arg, flags) REC_PUT_##type(kind, name)
#define REC_WRITER(kind, since) \
    static inline int rec_put_##kind(struct walker *w, const struct rec_##kind *r) \
    { \
        (void)w; \
        (void)r; \
        PYHD_FIELDS_##kind(REC_PUT_FIELD) \
        return PYHD_REC_##kind; \
    }
PYHD_OBJECT_KINDS(REC_WRITER)
PYHD_META_KINDS(REC_WRITER)
#undef REC_WRITER

/* The number of arguments of a macro, 1 to 24. */
#define REC_NARGS(...) \
    REC_NARGS_(__VA_ARGS__, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, \
               8, 7, 6, 5, 4, 3, 2, 1, 0)
#define REC_NARGS_(a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, \
                   a17, a18, a19, a20, a21, a22, a23, a24, n, ...) n

/* A compile-time check usable where an expression goes. */
#define REC_STATIC_CHECK(cond, message) \
    ((void)sizeof(struct { _Static_assert(cond, message); char c; }))

/*
 * The record of kind, its fields given as designated initializers
 * (.name = value, ...), each field once. Expands to rec_put_KIND's result.
 * A value whose commas are not inside parentheses would be counted as more
 * than one: give such values through a macro that parenthesizes them.
 */
#define RECORD(w, kind, ...) \
    (REC_STATIC_CHECK(REC_NARGS(__VA_ARGS__) == REC_NFIELDS_##kind, \
                      "RECORD(w, " #kind ", ...) must set each field of PYHD_FIELDS_" #kind \
                      " once"), \
     rec_put_##kind((w), &(const struct rec_##kind){__VA_ARGS__}))

/* The kind of a record without fields (its payload is empty). */
#define EMPTY_RECORD(kind) \
    (REC_STATIC_CHECK(REC_NFIELDS_##kind == 0, \
                      "EMPTY_RECORD(" #kind "): PYHD_FIELDS_" #kind " has fields"), \
     PYHD_REC_##kind)

#endif /* PYHD_RECORD_WRITE_H */

/* decimal_text.h: a decimal.Decimal's exact value, read from its C struct. */
#ifndef PYHD_DECIMAL_TEXT_H
#define PYHD_DECIMAL_TEXT_H

#include "compat.h"

/*
 * The text of o, an instance of the C decimal.Decimal (_decimal's object, a
 * libmpdec number) or of a subclass of it, which Decimal(text) reads back as
 * the same sign, coefficient and exponent: "-150E-2" for Decimal("-1.50"),
 * "Infinity", "NaN12", "-sNaN". Read from the number in place: Decimal's
 * __str__ asks for the thread's decimal context, and makes one (set in the
 * thread's context variable) where the thread never had one, which a dump
 * must not do. Returns a new str; or NULL with no exception set when o's
 * layout is not the one this reads (a 32-bit libmpdec, a number that does
 * not hold together); or NULL with an exception set (no memory).
 */
PyObject *pyhd__decimal_text(PyObject *o);

#endif /* PYHD_DECIMAL_TEXT_H */

/* set_order.h: a rebuilt set made again so that it iterates in the dumped order. */
#ifndef PYHD_SET_ORDER_H
#define PYHD_SET_ORDER_H

#include <Python.h>

/*
 * A set iterates in the order of its table: its items' hashes, the table's
 * size and, where hashes collide, the order the items came in. A dump keeps
 * only the iteration order. Filled one by one in that order, a rebuilt set
 * may iterate otherwise: colliding items take each other's places (an item
 * whose home slot was taken jumps, possibly before it), and a program's set
 * made at its full size at once (a literal of constants, set(other_set)) has
 * a table of another size than one that grew.
 *
 * pyhd__set_in_order() makes *set again, when it does not iterate as order
 * (its n items, borrowed) does: one by one and at its full size at once
 * (set.update of a dict, which sizes the table first), from the dumped order,
 * then with the items that must have jumped last, then moving the item found
 * in another's place after the others, a few times. It keeps the first that
 * iterates as order; none: *set is left as it was. Only items that hash here
 * as in the program (the caller checks) can come back in order.
 *
 * *set is a set, filled again in place (others may hold it already), or a
 * frozenset no one else holds yet, which may be replaced (a new reference
 * in *set). *work is what may still be spent, in items added to candidate
 * sets, over a whole load: a hostile dump's sets cost at most that much more
 * than filling them once. Returns 1 when *set iterates as order, 0 when not,
 * -1 with an exception set.
 */
int pyhd__set_in_order(PyObject **set, PyObject *const *order, Py_ssize_t n, size_t *work);

#endif

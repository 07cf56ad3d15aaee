/* datetime_fields.h: the fields of a datetime.date, time or datetime, read from its C struct. */
#ifndef PYHD_DATETIME_FIELDS_H
#define PYHD_DATETIME_FIELDS_H

#include "compat.h"

/*
 * The walker writes the datetime module's date, time and datetime as
 * DATETIME records (format.h). Their fields are read here from the objects'
 * C structs (datetime.h's accessor macros), as the objects' own getters
 * would read them, without calling any getter or the datetime C API: no
 * import, no allocation, nothing run.
 *
 * The caller has checked that o's type is the datetime C module's own class
 * for `which`, or a Python subclass of it (src/walk.c's stdlib table);
 * pyhd__datetime_fields() checks the struct size of that class once more.
 */
enum pyhd_datetime_which { PYHD_DT_DATE, PYHD_DT_TIME, PYHD_DT_DATETIME };

struct pyhd_datetime_fields {
    int year, month, day;                  /* 0, 0, 0 for a time */
    int hour, minute, second, microsecond; /* 0 for a date */
    int fold;
    PyObject *tzinfo;                      /* borrowed; NULL: none (a date, a naive value) */
};

/*
 * Whether layout (the datetime C module's class for which, or the C base of
 * a Python subclass of it) is the struct this build knows: 1, else 0.
 */
int pyhd__datetime_layout(PyTypeObject *layout, enum pyhd_datetime_which which);

/* The fields of o, whose C class is layout (its type, or the C base of a Python
   subclass): 0 with *f filled; -1 (no exception set) when layout is another struct. */
int pyhd__datetime_fields(PyObject *o, PyTypeObject *layout, enum pyhd_datetime_which which,
                          struct pyhd_datetime_fields *f);

#endif /* PYHD_DATETIME_FIELDS_H */

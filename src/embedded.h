/* embedded.h: the Python sources compiled into the binaries (see cmake/EmbedFile.cmake). */
#ifndef PYHD_EMBEDDED_H
#define PYHD_EMBEDDED_H

#include <stddef.h>

/* src/py/pyhd_debugger.py and src/py/pyhd_surrogates.py, NUL-terminated. */
extern const unsigned char pyhd__debugger_py[];
extern const size_t pyhd__debugger_py_len;
extern const unsigned char pyhd__surrogates_py[];
extern const size_t pyhd__surrogates_py_len;
/* src/py/pyhd_module.py, NUL-terminated: the pyhd module's Python part. */
extern const unsigned char pyhd__module_py[];
extern const size_t pyhd__module_py_len;

#endif /* PYHD_EMBEDDED_H */

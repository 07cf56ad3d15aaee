/* embedded.h: the Python sources compiled into the binaries (see cmake/EmbedFile.cmake). */
#ifndef PYHD_EMBEDDED_H
#define PYHD_EMBEDDED_H

#include <stddef.h>

/*
 * One module of src/py, as pyhd_embed_modules() compiles it in: name is the
 * dotted module name, filename what tracebacks show ("<pyhd>/relative/path"),
 * code its code object as marshal.dumps() wrote it (with the python the
 * binaries embed). The table ends with a NULL name.
 */
struct pyhd_embedded_module {
    const char *name;
    const char *filename;
    const unsigned char *code;
    const size_t *code_len;
    int is_package;
};
extern const struct pyhd_embedded_module pyhd__embedded_modules[];

/* src/py/pyhd_module.py, NUL-terminated: the pyhd module's Python part. */
extern const unsigned char pyhd__module_py[];
extern const size_t pyhd__module_py_len;

#endif /* PYHD_EMBEDDED_H */

/* compat_runtime.c: the one piece of CPython's runtime state pyhd must keep that no public API reaches (3.13+). */
/* patchlevel.h alone: Py_BUILD_CORE, which the internal headers need, must
   come before Python.h, and only where the version needs it. */
#include <patchlevel.h>
#if PY_VERSION_HEX >= 0x030D0000
#define Py_BUILD_CORE 1
#endif
#include "compat.h"

#if PY_VERSION_HEX >= 0x030D0000
#include "internal/pycore_runtime.h"

/*
 * _PyRuntime.signals.unhandled_keyboard_interrupt: set when the main
 * program ends with a KeyboardInterrupt; Py_RunMain() then dies of SIGINT.
 * Running Python code that imports a module clears it, so 3.13's own
 * _PyErr_Display() saves and restores it around the traceback module's
 * printer, and pyhd does the same around the same printer. _PyRuntime is
 * exported (PyAPI_DATA); the field is read through the internal headers
 * installed with the libpython pyhd is built against. Checked: 3.13.0.
 */
int pyhd_unhandled_keyboard_interrupt(void)
{
    return _PyRuntime.signals.unhandled_keyboard_interrupt;
}

void pyhd_set_unhandled_keyboard_interrupt(int value)
{
    _PyRuntime.signals.unhandled_keyboard_interrupt = value;
}
#endif

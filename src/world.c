/* world.c: stop every other Python thread while a dump reads the process (free-threaded builds). */
#include "world.h"

#include <stdatomic.h>

static atomic_int never_stop;

void pyhd__world_never_stop(void)
{
    atomic_store(&never_stop, 1);
}

int pyhd__world_stop(void)
{
    if (!PYHD_CAN_STOP_THE_WORLD || atomic_load(&never_stop))
        return 0;
    /* With the GIL turned back on (PYTHON_GIL=1, an extension without
       Py_mod_gil) the pause is still right, and costs as little. */
    pyhd_stop_the_world(PyInterpreterState_Get());
    return 1;
}

void pyhd__world_start(int stopped)
{
    if (stopped)
        pyhd_start_the_world(PyInterpreterState_Get());
}

int pyhd__world_gil_enabled(void)
{
#ifdef Py_GIL_DISABLED
    /* No C API tells (3.14); sys._is_gil_enabled() does, and is called only
       while it is still the builtin: the program may have replaced it. */
    PyObject *func = PySys_GetObject("_is_gil_enabled");  /* borrowed */
    PyObject *result = NULL;
    int enabled = -1;

    if (func == NULL || !PyCFunction_Check(func))
        return -1;
    result = PyObject_CallNoArgs(func);
    if (result != NULL && PyBool_Check(result))
        enabled = result == Py_True;
    Py_XDECREF(result);
    PyErr_Clear();
    return enabled;
#else
    return 1;
#endif
}

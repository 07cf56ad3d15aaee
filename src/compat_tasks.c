/* compat_tasks.c: the pending asyncio tasks 3.14 keeps in its thread states and interpreter, read in C. */
/* patchlevel.h alone: Py_BUILD_CORE, which the internal headers need, must
   come before Python.h, and only where the version needs it. */
#include <patchlevel.h>
#if PY_VERSION_HEX >= 0x030E0000
#define Py_BUILD_CORE 1
#endif
#include "compat.h"

#if PY_VERSION_HEX >= 0x030E0000
#include "dict_exact.h"
#include "internal/pycore_llist.h"    /* struct llist_node */
#include "internal/pycore_object.h"   /* _Py_TryIncref */
#include "internal/pycore_pystate.h"  /* HEAD_LOCK, HEAD_UNLOCK */
#include "internal/pycore_tstate.h"   /* _PyThreadStateImpl */

#include <stddef.h>

/*
 * From 3.14 the C Task (Modules/_asynciomodule.c) no longer puts itself in
 * asyncio.tasks._scheduled_tasks: each pending Task (or subclass) is a node of
 * a linked list in the thread state of the thread that created it
 * (_PyThreadStateImpl.asyncio_tasks_head), moved to the interpreter's list
 * (PyInterpreterState.asyncio_tasks_head) when that thread ends first, and
 * taken out once it is done. asyncio.all_tasks() reads them, but it is
 * Python-visible (the program may have replaced it) and calls done() on each.
 * So the lists are read here, as all_tasks does in C: both heads through the
 * internal headers installed with the libpython pyhd is built against, the
 * node inside each task through a mirror of TaskObj, which is not in any
 * header. Checked: 3.14.7, 3.14.7t.
 */
struct pyhd_task {
    PyObject_HEAD
    /* FutureObj_HEAD(task): loop, callback0, context0, callbacks, exception,
       exception_tb, result, source_tb, cancel_msg, cancelled_exc, awaited_by. */
    PyObject *future_fields[11];
    int state;                  /* fut_state, an enum */
    char is_task;
    char awaited_by_is_set;
    unsigned log_tb : 1;
    unsigned blocking : 1;
    /* TaskObj's own fields. */
    unsigned must_cancel : 1;
    unsigned log_destroy_pending : 1;
    int num_cancels_requested;
    PyObject *fut_waiter;
    PyObject *coro;
    PyObject *name;
    PyObject *context;
    struct llist_node task_node;
#ifdef Py_GIL_DISABLED
    uintptr_t task_tid;
#endif
};

/* Append the tasks of one list to out: 0, or -1 with an exception set. */
static int add_task_list(struct llist_node *head, PyTypeObject *task_type, PyObject *out)
{
    struct llist_node *node;
    int rc = 0;

    llist_for_each(node, head) {
        PyObject *task = (PyObject *)((char *)node - offsetof(struct pyhd_task, task_node));
        /* Only a Task is ever linked in; the check guards against a layout
           this mirror got wrong. A task another thread is freeing (its count
           at zero, not yet unlinked) is left out, as all_tasks does. */
        if (!PyType_IsSubtype(Py_TYPE(task), task_type) || !_Py_TryIncref(task))
            continue;
        rc = PyList_Append(out, task);
        Py_DECREF(task);
        if (rc < 0)
            break;
    }
    return rc;
}

int pyhd_asyncio_pending_tasks(PyObject *out, int alone)
{
    /* Exact-key lookups: no key of the program's is compared (dict_exact.h). */
    PyObject *mod = pyhd__dict_get_cstr(PyImport_GetModuleDict(), "_asyncio");  /* borrowed */
    PyObject *task_type;  /* borrowed */
    PyInterpreterState *interp;
    int rc;

    /* No _asyncio, no C tasks: the program never used asyncio, and pyhd
       imports nothing to find out. */
    if (mod == NULL || !PyModule_Check(mod))
        return PyErr_Occurred() ? -1 : 0;
    task_type = pyhd__dict_get_cstr(PyModule_GetDict(mod), "Task");
    if (PyErr_Occurred())
        return -1;
    if (task_type == NULL || !PyType_Check(task_type)
        || ((PyTypeObject *)task_type)->tp_basicsize != (Py_ssize_t)sizeof(struct pyhd_task))
        return 0;
    /* With the GIL held no other thread changes a list; a free-threaded
       build has every other thread paused (src/world.c) while the roots are
       gathered, as all_tasks pauses them, and walks the thread states under
       the same lock. Alone (a forked child) no other thread exists, and the
       lock is not taken: a thread that held it at the fork never lets go. */
    interp = PyInterpreterState_Get();
    rc = add_task_list(&interp->asyncio_tasks_head, (PyTypeObject *)task_type, out);
    if (!alone)
        HEAD_LOCK(interp->runtime);
    for (PyThreadState *t = interp->threads.head; rc == 0 && t != NULL; t = t->next)
        rc = add_task_list(&((_PyThreadStateImpl *)t)->asyncio_tasks_head,
                           (PyTypeObject *)task_type, out);
    if (!alone)
        HEAD_UNLOCK(interp->runtime);
    return rc;
}
#endif

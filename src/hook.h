/* hook.h: pyhd-run's trigger: the sys.excepthook audit event, and the line it prints. */
#ifndef PYHD_HOOK_H
#define PYHD_HOOK_H

#include "options.h"

/* Install the audit hook; call before Py_InitializeFromConfig() but after
   preinitialization (which picks the allocator the hook's entry is freed
   with). o must outlive the interpreter. Returns 0, or -1 if CPython refused. */
int pyhd__hook_install(const struct pyhd_options *o);

/* Print the pending "pyhd: ..." line, if any, once. */
void pyhd__hook_flush_message(void);

#endif /* PYHD_HOOK_H */

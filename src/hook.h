/* hook.h: the dumps taken inside python (uncaught and thread exceptions, on demand) and their lines. */
#ifndef PYHD_HOOK_H
#define PYHD_HOOK_H

#include "dump.h"
#include "options.h"

/* Thread failures and DumpHandler records together: at most this many dumps
   in a minute (see pyhd-run(1), "Triggers"). */
#define PYHD_RATE_LIMIT_DUMPS 10

/* Install the audit hook; call before Py_InitializeFromConfig() but after
   preinitialization (which picks the allocator the hook's entry is freed
   with), or later from an extension module. o must outlive the interpreter;
   it becomes the options pyhd__hook_options() returns. Returns 0, or -1 if
   CPython refused. */
int pyhd__hook_install(const struct pyhd_options *o);

/* The options of pyhd__hook_install(), or NULL before it. */
const struct pyhd_options *pyhd__hook_options(void);

/* Dump failed threads: stand in for _thread._ExceptHookArgs (see hook.c).
   GIL held, after initialization. 0, or -1 with an exception set. */
int pyhd__hook_install_threads(void);

/* Whether the rate limit lets one more automatic dump (a thread failure, a
   DumpHandler record) be taken now; counts it if so. The first refusal of a
   minute prints a "pyhd:" line. GIL held. */
int pyhd__hook_rate_allows(void);

/* Print line now: through sys.stderr (where tracebacks go) while python
   runs, nowhere when sys.stderr is None (python prints nothing then either),
   else to fd 2. GIL held; an exception pending on entry is kept. */
void pyhd__hook_print_line(const char *line);

/* Print the pending "pyhd: ..." line, if any, once. */
void pyhd__hook_flush_message(void);

#endif /* PYHD_HOOK_H */

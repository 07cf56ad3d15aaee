/* retention.h: the dump directory: created private, refused when others can write it, kept bounded. */
#ifndef PYHD_RETENTION_H
#define PYHD_RETENTION_H

#include <stddef.h>
#include <stdint.h>

/*
 * Pure C. Functions return 0 (or a count) or -1; on -1 err receives one line
 * naming the directory and what was wrong.
 */

/*
 * Make dir ready to receive a dump of about need bytes: create it and its
 * missing parents with mode 0700 when it does not exist; refuse it when a
 * group or other users may write to it and it is not sticky (they could
 * plant or swap files, as in /tmp without its sticky bit); refuse when the
 * file system would have less than keep_free bytes free after the dump.
 */
int pyhd__dump_dir_prepare(const char *dir, uint64_t need, uint64_t keep_free, char *err,
                           size_t errlen);

/*
 * Whether the file name in the directory dirfd is a pyhd dump: its name is
 * pyhd-*.dump, it is a regular file (not followed through a symlink) owned by
 * this user, and its first tar member is a MANIFEST starting with
 * "Format-Version:". 1 or 0.
 */
int pyhd__is_pyhd_dump(int dirfd, const char *name);

/*
 * Delete the oldest pyhd dumps (by modification time) in dir until at most
 * max_dumps remain and they use at most max_use bytes (0: no such limit).
 * The file called keep (a name in dir, e.g. the dump just written) is
 * counted but never deleted. Returns the number of files deleted.
 */
int pyhd__retention_apply(const char *dir, const char *keep, uint64_t max_dumps,
                          uint64_t max_use, char *err, size_t errlen);

#endif /* PYHD_RETENTION_H */

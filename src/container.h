/* container.h: the dump container: writing and reading the tar archive. */
#ifndef PYHD_CONTAINER_H
#define PYHD_CONTAINER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Pure C. Functions return 0 or -1; on -1 err receives one line naming what
 * was being done and where ("writing graph.z to /x/.pyhd-tmp-1234: No space
 * left on device").
 */

struct pyhd_archive_writer;

/* Create DIR/.NAME.XXXXXX (mode 0600, O_EXCL, O_NOFOLLOW) to write into. */
struct pyhd_archive_writer *pyhd__aw_create(const char *dir, const char *name,
                                            char *err, size_t errlen);
/* Append a member (a regular file, mode 0600, mtime now). */
int pyhd__aw_add(struct pyhd_archive_writer *w, const char *member, const void *data,
                 size_t len, char *err, size_t errlen);
/* Finish the archive, fsync it, rename it to DIR/NAME, fsync DIR; frees w in
   every case. On success path receives DIR/NAME and *size the archive's size. */
int pyhd__aw_commit(struct pyhd_archive_writer *w, char *path, size_t pathlen,
                    uint64_t *size, char *err, size_t errlen);
/* Remove the temporary file and free w. */
void pyhd__aw_abort(struct pyhd_archive_writer *w);

/* A member's len bytes of data, with no terminator after them. */
struct pyhd_archive_member {
    char *name;
    unsigned char *data;
    size_t len;
};

struct pyhd_dump_file {
    struct pyhd_archive_member *members;
    size_t nmembers;
    unsigned char *whole;  /* the file, when read whole: members' data point into it */
    size_t whole_len;
};

/* Read every member of the dump at path into memory; a member larger than
   max_member bytes is an error. A regular file is read whole in one read(2)
   and its members are not copied: their data point into it (tar stores each
   member's bytes as they are). */
int pyhd__ar_load(const char *path, size_t max_member, struct pyhd_dump_file *out,
                  char *err, size_t errlen);
/* Read only the members named in wanted (nwanted distinct names), stopping
   once each has been read, so that the MANIFEST, the archive's first member,
   costs one block of a large dump. Members absent from the archive are
   simply absent from out (which may then have no members). */
int pyhd__ar_load_some(const char *path, size_t max_member, const char *const *wanted,
                       size_t nwanted, struct pyhd_dump_file *out, char *err, size_t errlen);
const struct pyhd_archive_member *pyhd__ar_find(const struct pyhd_dump_file *f,
                                                const char *name);
void pyhd__ar_free(struct pyhd_dump_file *f);

#endif /* PYHD_CONTAINER_H */

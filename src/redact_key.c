/* redact_key.c: keyed hashes of redacted values, and the key each dump directory keeps. Pure C. */
#define _GNU_SOURCE 1 /* O_NOFOLLOW, O_CLOEXEC, getrandom */
#include "redact.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed pseudo-random function
 * made for short inputs, the one CPython hashes str with. Without the key the
 * hash of a secret tells nothing of it; with the same key, equal secrets give
 * equal hashes, so a reader can tell two occurrences of one secret from two
 * different secrets.
 */
static uint64_t rotl(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

static uint64_t load64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

#define SIPROUND                                                                          \
    do {                                                                                  \
        v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);                         \
        v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;                                            \
        v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;                                            \
        v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);                         \
    } while (0)

uint64_t pyhd__redact_hash(const unsigned char key[PYHD_REDACT_KEY_LEN], const void *data,
                           size_t len)
{
    const unsigned char *p = data;
    uint64_t k0 = load64(key), k1 = load64(key + 8);
    uint64_t v0 = k0 ^ UINT64_C(0x736f6d6570736575), v1 = k1 ^ UINT64_C(0x646f72616e646f6d);
    uint64_t v2 = k0 ^ UINT64_C(0x6c7967656e657261), v3 = k1 ^ UINT64_C(0x7465646279746573);
    uint64_t b = (uint64_t)len << 56, m;
    size_t i;
    for (i = 0; i + 8 <= len; i += 8) {
        m = load64(p + i);
        v3 ^= m;
        SIPROUND;
        SIPROUND;
        v0 ^= m;
    }
    for (size_t k = 0; i + k < len; k++)
        b |= (uint64_t)p[i + k] << (8 * k);
    v3 ^= b;
    SIPROUND;
    SIPROUND;
    v0 ^= b;
    v2 ^= 0xff;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

int pyhd__redact_key_load(const char *dir, unsigned char key[PYHD_REDACT_KEY_LEN], char *err,
                          size_t errlen)
{
    char path[4096];
    unsigned char fresh[PYHD_REDACT_KEY_LEN];
    int fd;
    if (snprintf(path, sizeof path, "%s/%s", dir ? dir : ".", PYHD_REDACT_KEY_FILE)
        >= (int)sizeof path) {
        snprintf(err, errlen, "the dump directory's name is too long");
        return -1;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0) {
            struct stat st;
            ssize_t n = -1;
            if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid()
                && (st.st_mode & 077) == 0)
                n = read(fd, key, PYHD_REDACT_KEY_LEN);
            close(fd);
            if (n == PYHD_REDACT_KEY_LEN)
                return 0;
            snprintf(err, errlen, "%s is not a private %d-byte key of this user", path,
                     PYHD_REDACT_KEY_LEN);
            return -1;
        }
        if (errno != ENOENT)
            break;
        /* None yet: make one, atomically (a racing writer's key wins). */
        if (getrandom(fresh, sizeof fresh, 0) != (ssize_t)sizeof fresh) {
            snprintf(err, errlen, "no random bytes for a key: %s", strerror(errno));
            return -1;
        }
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) {
            if (errno == EEXIST)
                continue;
            break;
        }
        ssize_t n = write(fd, fresh, sizeof fresh);
        int closed = close(fd);
        if (n != (ssize_t)sizeof fresh || closed != 0) {
            unlink(path);
            break;
        }
        memcpy(key, fresh, sizeof fresh);
        return 0;
    }
    snprintf(err, errlen, "cannot read or create %s: %s", path, strerror(errno));
    return -1;
}

/* dump_redact.c: redaction of the dump's text members (traceback.txt, MANIFEST values). */
#include "dump_internal.h"

#include <string.h>

#include "manifest.h"
#include "pyhd/format.h"
#include "redact.h"

static void rules_of(const struct dump *d, struct pyhd_redact_rules *r)
{
    r->extra = d->o->redact_patterns;
    r->keep = d->o->keep_names;
}

int pyhd__dump_redact_text(struct dump *d, const char *text, size_t len, struct pyhd_buf *out)
{
    struct pyhd_redact_rules rules;
    if (d->o->privacy == PYHD_PRIVACY_TRIAGE) {
        size_t chars = 0;
        for (size_t i = 0; i < len; i++)
            chars += ((unsigned char)text[i] & 0xC0) != 0x80;
        return pyhd__buf_printf(out, "<redacted %zu chars>", chars) < 0 ? -1 : 1;
    }
    if (!d->o->redact)
        return 0;
    rules_of(d, &rules);
    return pyhd__redact_text(&rules, (const unsigned char *)text, len, NULL, out,
                             d->g.redacted_by_rule);
}

int pyhd__dump_redact_traceback(struct dump *d)
{
    struct pyhd_buf out;
    struct pyhd_redact_rules rules;
    int rc;
    if (!d->o->redact || d->traceback.len == 0)
        return 0;
    pyhd__buf_init(&out);
    if (d->o->privacy == PYHD_PRIVACY_TRIAGE) {
        rc = pyhd__redact_traceback_triage(d->traceback.data, d->traceback.len, &out);
    } else {
        rules_of(d, &rules);
        rc = pyhd__redact_text(&rules, d->traceback.data, d->traceback.len, NULL, &out,
                               d->g.redacted_by_rule);
        if (rc == 0) {
            pyhd__buf_free(&out);
            return 0;
        }
    }
    if (rc < 0) {
        pyhd__buf_free(&out);
        return pyhd__dump_fail_nomem(d, "redacting traceback.txt");
    }
    pyhd__buf_free(&d->traceback);
    d->traceback = out;
    return 0;
}

int pyhd__dump_redaction_fields(struct dump *d)
{
    struct pyhd_buf rules;
    int rc = 0;
    pyhd__buf_init(&rules);
    for (unsigned k = 0; k < PYHD_SECRET_RULES && rc == 0; k++)
        if (d->g.redacted_by_rule[k] != 0)
            rc = pyhd__buf_printf(&rules, "%s%s=%llu", rules.len ? " " : "",
                                  pyhd__secret_rule_name(k),
                                  (unsigned long long)d->g.redacted_by_rule[k]);
    if (rc == 0 && pyhd__buf_append(&rules, "", 1) < 0)
        rc = -1;
    if (rc == 0)
        rc = pyhd__manifest_add(&d->manifest, PYHD_MANIFEST_PRIVACY, pyhd__privacy_name(d->o->privacy));
    if (rc == 0 && rules.len > 1)
        rc = pyhd__manifest_add(&d->manifest, PYHD_MANIFEST_REDACTED_BY_RULE, (const char *)rules.data);
    if (rc == 0 && d->g.redact_key_error != NULL)
        rc = pyhd__manifest_add(&d->manifest, PYHD_MANIFEST_REDACT_HASH_UNAVAILABLE, d->g.redact_key_error);
    pyhd__buf_free(&rules);
    return rc;
}

"""test_privacy.py: secrets found by their shape under harmless names, --privacy levels,
--redact-hash, and pyhd-debug --audit (issue 14)."""
import os
import re
import shutil
import stat
import subprocess
import tarfile
import tempfile
import unittest
import zlib

import e2e_util
from e2e_util import NO_BYTECODE, clean_env, run_debug, run_pyhd

RUN = os.environ["PYHD_RUN"]

# Each secret, the text around it that must stay readable, and where the program keeps it.
# The program builds every value at run time from hex, so its source holds none of them.
DB_PASSWORD = "Db-Pa55word-7731"
JWT = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTQyIiwibmFtZSI6IkFkYSJ9."
       "Qm9ndXNTaWduYXR1cmVGb3JUZXN0aW5nT25seTEyMw")
PEM_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj"
PEM = "-----BEGIN PRIVATE KEY-----\n" + PEM_BODY + "\n-----END PRIVATE KEY-----\n"
NETRC_PW = "Netrc-Pw-0042"
PGPASS_PW = "Pg-Pass-0043"
AWS_KEY = "AKIAIOSFODNN7ABCDEFG"
GCP_KEY = "AIzaSyD-abcdefghijklmnopqrstuvwxyz01234"
GITHUB = "ghp_Abcdefghijklmnopqrstuvwxyz0123456789"
GITLAB = "glpat-Abcdefghij0123456789"
SLACK = "xoxb-123456789012-Abcdefghijkl"
STRIPE = "sk_live_Abcdefghijklmnop0123"
BEARER = "Bearer-Token-Value-0099"
FORM_PW = "Form-Pw-0044"
AZURE_KEY = "QXp1cmVTdG9yYWdlS2V5MDA0NQ=="
MSG_PW = "Msg-Pw-0046"
RANDOM = "Zx9Qp2Lm7Vb4Nc8Kd1RfTy6U"

SECRETS = [DB_PASSWORD, JWT, PEM_BODY, NETRC_PW, PGPASS_PW, AWS_KEY, GCP_KEY, GITHUB,
           GITLAB, SLACK, STRIPE, BEARER, FORM_PW, AZURE_KEY, MSG_PW, RANDOM]

VALUES = {
    "url": "postgresql://dbuser:%s@db.internal/app" % DB_PASSWORD,
    "t": JWT,
    "data": PEM,
    "netrc_text": "machine api.example.com\n  login bob\n  password %s\n" % NETRC_PW,
    "pgpass": "db.internal:5432:app:bob:%s\n" % PGPASS_PW,
    "cloud": "aws %s gcp %s" % (AWS_KEY, GCP_KEY),
    "tokens": "gh %s gl %s slack %s stripe %s" % (GITHUB, GITLAB, SLACK, STRIPE),
    "header": "Authorization: Bearer %s" % BEARER,
    "form": "user=bob&password=%s&next=/home" % FORM_PW,
    "conn": "AccountName=acct;AccountKey=%s;EndpointSuffix=core" % AZURE_KEY,
    "mytoken": RANDOM,
}

# Names that contain a secret word but name no secret (Flask's _cv_tokens among them).
FALSE_POSITIVES = {
    "_cv_tokens": "cv-Visible-0101",
    "tokenizer": "tok-Visible-0102",
    "secretary": "sec-Visible-0103",
    "keyword": "/usr/share/Visible-0104/keyword.py",
    "PWD": "/home/Visible-0105",
}

# What must stay readable around the secrets.
CONTEXT = ["postgresql://dbuser:", "@db.internal/app", "machine api.example.com",
           "db.internal:5432:app:bob:", "user=bob&password=", "&next=/home",
           "AccountName=acct;AccountKey=", "Authorization: ", "-----BEGIN PRIVATE KEY-----"]


def _hex(text):
    return text.encode().hex()


SCRIPT = """\
def reveal(h):
    return bytes.fromhex(h).decode()


class Engine:
    def __init__(self, url):
        self.url = url


def handler():
{assignments}
    engine = Engine(url)
    same = reveal("{same}")
    same_again = reveal("{same}")
    other = reveal("{other}")
    count = 987654321
    ratio = 0.123456789
    note = reveal("{note}")
    raise RuntimeError("login failed with " + reveal("{msg}"))


handler()
""".format(
    assignments="\n".join("    %s = reveal(%r)" % (name, _hex(value))
                          for name, value in list(VALUES.items()) + list(FALSE_POSITIVES.items())),
    same=_hex("password=Same-Secret-1"), other=_hex("password=Other-Secret-2"),
    note=_hex("note-Visible-0107"), msg=_hex("password=" + MSG_PW))


def members(path):
    """MANIFEST, traceback.txt and the inflated graph: where the issue greps for secrets."""
    out = {}
    with tarfile.open(path) as tar:
        for name in ("MANIFEST", "traceback.txt", "graph.z"):
            data = tar.extractfile(name).read()
            out[name] = zlib.decompress(data) if name == "graph.z" else data
        out["names"] = tar.getnames()
    return out


class PrivacyTestCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pyhd-test-privacy-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.script = os.path.join(self.dir, "app.py")
        with open(self.script, "w") as f:
            f.write(SCRIPT)

    def dump(self, *options, script=None):
        proc, path = run_pyhd(["--dump-dir", self.dir, *options, script or self.script],
                              self.dir, env=clean_env(**NO_BYTECODE))
        self.assertEqual(proc.returncode, 1, proc.stderr.decode())
        self.assertIsNotNone(path, proc.stderr.decode())
        return path

    def debug(self, path, *args, commands=()):
        proc = run_debug(path, *args, commands=commands, env=clean_env(**NO_BYTECODE))
        return proc.returncode, proc.stdout, proc.stderr


class DefaultLevel(PrivacyTestCase):
    def test_no_secret_shape_is_readable_and_the_rest_stays(self):
        path = self.dump()
        found = members(path)
        blob = found["MANIFEST"] + found["traceback.txt"] + found["graph.z"]
        for secret in SECRETS:
            with self.subTest(secret=secret[:20]):
                self.assertNotIn(secret.encode(), blob)
        for context in CONTEXT:
            with self.subTest(context=context):
                self.assertIn(context.encode(), found["graph.z"])
        self.assertIn(b"<redacted %d chars>" % len(DB_PASSWORD), found["graph.z"])
        manifest = e2e_util.manifest(path)
        self.assertEqual(manifest["Privacy"], "default")
        self.assertIn("url-password=", manifest["Redacted-By-Rule"])
        self.assertEqual(manifest["Exception-Message"],
                         "login failed with password=<redacted %d chars>" % len(MSG_PW))

    def test_false_positives_are_kept(self):
        found = members(self.dump())
        for name, value in FALSE_POSITIVES.items():
            with self.subTest(name=name):
                self.assertIn(value.encode(), found["graph.z"])

    def test_debugger_shows_what_is_left(self):
        status, out, err = self.debug(self.dump(), commands=["p engine.url", "p netrc_text",
                                                             "p mytoken", "p _cv_tokens"])
        self.assertEqual(status, 0, err)
        self.assertIn("'postgresql://dbuser:<redacted %d chars>@db.internal/app'"
                      % len(DB_PASSWORD), out)
        self.assertIn("password <redacted %d chars>" % len(NETRC_PW), out)
        self.assertIn("<redacted str, %d chars>" % len(RANDOM), out)
        self.assertIn("'cv-Visible-0101'", out)

    def test_full_keeps_everything(self):
        found = members(self.dump("--privacy=full"))
        for secret in (DB_PASSWORD, JWT, GITHUB, RANDOM):
            self.assertIn(secret.encode(), found["graph.z"])
        self.assertEqual(e2e_util.manifest(self.dump("--privacy=full"))["Privacy"], "full")

    def test_bad_level_is_refused(self):
        proc = subprocess.run([RUN, "--privacy=paranoid", "-c", "pass"],
                              env=clean_env(**NO_BYTECODE), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
        self.assertEqual(proc.returncode, 2)
        self.assertIn("not full, default or triage", proc.stderr.decode())


class TriageLevel(PrivacyTestCase):
    def test_no_contents_at_all(self):
        path = self.dump("--privacy=triage")
        found = members(path)
        blob = found["MANIFEST"] + found["traceback.txt"] + found["graph.z"]
        for text in (SECRETS + list(FALSE_POSITIVES.values())
                     + ["note-Visible-0107", "login failed", "bob", "db.internal"]):
            with self.subTest(text=text[:20]):
                self.assertNotIn(text.encode(), blob)
        # No sources, no environment.
        self.assertFalse(any(n.startswith("sources/") for n in found["names"]))
        self.assertNotIn(b"PATH", found["graph.z"])
        manifest = e2e_util.manifest(path)
        self.assertEqual(manifest["Privacy"], "triage")
        self.assertEqual(manifest["Exception-Message"], "<redacted %d chars>"
                         % len("login failed with password=" + MSG_PW))
        # The stack stays: files, functions, lines, types.
        tb = found["traceback.txt"].decode()
        self.assertIn('File "%s", line' % self.script, tb)
        self.assertIn(", in handler", tb)
        self.assertIn("RuntimeError: <redacted", tb)
        self.assertNotIn("raise RuntimeError", tb)

    def test_debugger_shows_shapes(self):
        path = self.dump("--privacy=triage")
        status, out, err = self.debug(path, commands=["where", "p count", "p ratio",
                                                      "p type(engine).__name__", "p note"])
        self.assertEqual(status, 0, err)
        self.assertIn("Privacy:   triage", out)
        self.assertIn("handler()", out)
        self.assertIn("<redacted int>", out)
        self.assertIn("<redacted float>", out)
        self.assertIn("'Engine'", out)
        self.assertIn("<redacted str, %d chars>" % len("note-Visible-0107"), out)
        self.assertNotIn("987654321", out)


class KeyedHash(PrivacyTestCase):
    def test_equal_secrets_hash_alike(self):
        path = self.dump("--redact-hash")
        graph = members(path)["graph.z"]
        same = re.findall(rb"password=<redacted 13 chars #([0-9a-f]{8})>", graph)
        other = re.findall(rb"password=<redacted 14 chars #([0-9a-f]{8})>", graph)
        # same and same_again are two str objects with one secret; other another secret.
        self.assertEqual(len(same), 2, graph[-400:])
        self.assertEqual(same[0], same[1])
        self.assertEqual(len(other), 1)
        self.assertNotEqual(same[0], other[0])
        key = os.path.join(self.dir, ".pyhd-redact-key")
        self.assertEqual(stat.S_IMODE(os.stat(key).st_mode), 0o600)
        self.assertEqual(os.path.getsize(key), 16)
        # The same directory's key: the same secret hashes alike in the next dump.
        again = members(self.dump("--redact-hash"))["graph.z"]
        self.assertEqual(re.findall(rb"password=<redacted 13 chars #([0-9a-f]{8})>", again)[0],
                         same[0])

    def test_whole_values_carry_the_hash(self):
        status, out, err = self.debug(self.dump("--redact-hash"), commands=["p mytoken"])
        self.assertEqual(status, 0, err)
        self.assertRegex(out, r"<redacted str, %d chars, #[0-9a-f]{8}>" % len(RANDOM))


class RedactedTypes(PrivacyTestCase):
    def test_redacted_and_cut_values_read_as_their_class(self):
        # A value left out (a sensitive name) or cut (the size budget) prints
        # as left out, and its type reads as the program's value's did.
        script = os.path.join(self.dir, "kinds.py")
        with open(script, "w") as f:
            f.write("import http.cookies\n"
                    "def f():\n"
                    "    session_token = 'abc123'\n"
                    "    cookie = http.cookies.SimpleCookie()\n"
                    "    cookie['a'] = '1'\n"
                    "    rows = [[i] for i in range(5000)]\n"
                    "    raise ValueError(len(rows))\n"
                    "f()\n")
        status, out, err = self.debug(self.dump(script=script), commands=[
            "p type(session_token).__module__, type(session_token).__qualname__",
            "p type(cookie).__module__, type(cookie).__qualname__, repr(cookie)",
            "import pyhd_surrogates",
            "p isinstance(cookie, pyhd_surrogates.RedactedStub)"])
        self.assertEqual(status, 0, err)
        self.assertIn("('builtins', 'str')", out)
        self.assertIn("('http.cookies', 'SimpleCookie', "
                      "'<redacted http.cookies.SimpleCookie, 1 items>')", out)
        self.assertIn("True", out)
        status, out, err = self.debug(self.dump("--max-size=20000", script=script), commands=[
            "import pyhd_surrogates",
            "p sorted({type(r).__qualname__ for r in rows}), "
            "isinstance(rows[-1], pyhd_surrogates.TruncatedStub)"])
        self.assertEqual(status, 0, err)
        self.assertIn("(['list'], True)", out)


class ModuleNames(PrivacyTestCase):
    def test_modules_named_like_secrets_keep_their_files(self):
        # A module named "secrets" or "token" is no secret: its repr keeps its
        # file (the dumped sys.modules names it under its name), while a str
        # under a sensitive name is still left out.
        script = os.path.join(self.dir, "mods.py")
        with open(script, "w") as f:
            f.write("import secrets, token\n"
                    "def f():\n"
                    "    mod, tok = secrets, token\n"
                    "    api_token = 'abcd1234abcd1234abcd1234'\n"
                    "    raise ValueError(mod.__name__)\n"
                    "f()\n")
        status, out, err = self.debug(self.dump(script=script), commands=[
            "p mod", "p tok", "p api_token"])
        self.assertEqual(status, 0, err)
        self.assertRegex(out, r"<module 'secrets' from '/[^'<>]*secrets\.py'>")
        self.assertRegex(out, r"<module 'token' from '/[^'<>]*token\.py'>")
        self.assertIn("<redacted str, 24 chars>", out)


class Audit(PrivacyTestCase):
    def test_full_dump_fails_the_audit(self):
        status, out, err = self.debug(self.dump("--privacy=full"), "--audit")
        self.assertEqual(status, 1, err)
        self.assertIn("Secret-shaped values kept:", out)
        for where in ("local 'url'", "local 't'", "local 'netrc_text'", "MANIFEST Exception-Message"):
            self.assertIn(where, out)
        self.assertIn("url-password", out)
        self.assertIn("jwt", out)
        # The audit names places and lengths, never the values.
        for secret in SECRETS:
            self.assertNotIn(secret, out)

    def test_default_dump_passes_and_lists_redactions(self):
        status, out, err = self.debug(self.dump(), "--audit")
        self.assertEqual(status, 0, out + err)
        self.assertIn("Verdict: no secret-shaped value kept", out)
        self.assertIn("local 'mytoken': <redacted str, %d chars>" % len(RANDOM), out)
        self.assertIn("Partly redacted text:", out)

    def test_clean_program(self):
        script = os.path.join(self.dir, "clean.py")
        with open(script, "w") as f:
            f.write("def f(x):\n    y = 'hello world'\n    return x / 0\nf(1)\n")
        status, out, err = self.debug(self.dump(script=script), "--audit")
        self.assertEqual(status, 0, out + err)
        self.assertIn("Secret-shaped values kept: 0", out)


if __name__ == "__main__":
    unittest.main()

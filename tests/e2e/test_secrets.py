"""test_secrets.py: redaction of sensitive names, --no-redact, --keep, --redact, argv, --no-environ, --no-sources."""
import os
import shutil
import tarfile
import tempfile
import unittest
import zlib

from e2e_util import NO_BYTECODE, clean_env, manifest, run_debug, run_pyhd

# The secrets are built at run time from hex, so that neither the script's
# source (stored in the dump's sources/) nor its argv holds their bytes.
SECRETS = {
    "password": "pw-Secret-0001-local",
    "api_key": "ak-Secret-0002-dictkey",
    "token": "tk-Secret-0003-attribute",
    "slot": "sl-Secret-0004-slotattr",
}
ENV_SECRET = "env-Secret-0005-aws"
SAFE_VALUE = "safe-Visible-0006-copy"
REGION = "region-Visible-0007"

SCRIPT = """\
import sys


def reveal(h):
    return bytes.fromhex(h).decode()


class Client:
    def __init__(self, token):
        self.token = token
        self.name = "client-Visible-0008"


class Slotted:
    __slots__ = ("password", "user")

    def __init__(self, value):
        self.password = value
        self.user = "slot-Visible-0009"


config = {{"api_key": reveal("{api_key}"), "region": reveal("{region}")}}
copied = reveal("{safe}")


def main():
    password = reveal("{password}")
    client = Client(reveal("{token}"))
    slotted = Slotted(reveal("{slot}"))
    shared = copied
    raise RuntimeError("failed")


main()
""".format(password=SECRETS["password"].encode().hex(), api_key=SECRETS["api_key"].encode().hex(),
           token=SECRETS["token"].encode().hex(), slot=SECRETS["slot"].encode().hex(),
           region=REGION.encode().hex(), safe=SAFE_VALUE.encode().hex())


def contents(path):
    """The raw file, then every member, then graph.z inflated: every place a secret could hide."""
    with open(path, "rb") as f:
        blobs = [f.read()]
    with tarfile.open(path) as tar:
        names = tar.getnames()
        for member in tar.getmembers():
            data = tar.extractfile(member).read()
            blobs.append(data)
            if member.name == "graph.z":
                blobs.append(zlib.decompress(data))
    return names, blobs


class SecretsTestCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pyhd-test-secrets-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.script = os.path.join(self.dir, "app.py")
        with open(self.script, "w") as f:
            f.write(SCRIPT)

    def dump(self, *options, args=(), **env):
        env = clean_env(AWS_SECRET_ACCESS_KEY=ENV_SECRET, PYHD_TEST_MARKER="marker-Visible-0010",
                        **NO_BYTECODE, **env)
        proc, path = run_pyhd(["--dump-dir", self.dir, *options, self.script, *args], self.dir,
                              env=env)
        self.assertEqual(proc.returncode, 1, proc.stderr.decode())
        self.assertIsNotNone(path, proc.stderr.decode())
        return path

    def assertAbsent(self, needle, blobs):
        for blob in blobs:
            self.assertNotIn(needle.encode(), blob)

    def assertPresent(self, needle, blobs):
        self.assertTrue(any(needle.encode() in blob for blob in blobs), needle)

    def debug(self, path, *commands):
        proc = run_debug(path, commands=commands, env=clean_env(**NO_BYTECODE))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return proc.stdout


class Redaction(SecretsTestCase):
    def test_secrets_never_written(self):
        path = self.dump()
        names, blobs = contents(path)
        self.assertIn("graph.z", names)
        self.assertTrue(any(n.startswith("sources/") for n in names))
        for secret in list(SECRETS.values()) + [ENV_SECRET]:
            with self.subTest(secret=secret):
                self.assertAbsent(secret, blobs)
        # What was not under a sensitive name is kept, the environment's names included.
        for visible in (SAFE_VALUE, REGION, "client-Visible-0008", "slot-Visible-0009",
                        "marker-Visible-0010", "AWS_SECRET_ACCESS_KEY"):
            with self.subTest(visible=visible):
                self.assertPresent(visible, blobs)
        # password, api_key, token, the slot and the environment variable.
        self.assertGreaterEqual(int(manifest(path)["Redacted-Values"]), 5)

    def test_debugger_shows_the_shape(self):
        out = self.debug(self.dump(), "p password", "p client.token", "p slotted.password",
                         "p config", "p shared")
        self.assertIn("<redacted str, %d chars>" % len(SECRETS["password"]), out)
        self.assertIn("<redacted str, %d chars>" % len(SECRETS["token"]), out)
        self.assertIn("<redacted str, %d chars>" % len(SECRETS["slot"]), out)
        self.assertIn("'api_key': <redacted str, %d chars>" % len(SECRETS["api_key"]), out)
        self.assertIn("'region': %r" % REGION, out)
        self.assertIn(repr(SAFE_VALUE), out)

    def test_interned_value_leaves_equal_keys_alone(self):
        # "admin" is a literal, so interned: the same object as the attribute name.
        with open(self.script, "w") as f:
            f.write("class Conf:\n    def __init__(self):\n        self.admin = 1\n\n\n"
                    "def main():\n    password = 'admin'\n    conf = Conf()\n"
                    "    raise RuntimeError('failed')\n\n\nmain()\n")
        out = self.debug(self.dump(), "p password", "p conf.__dict__")
        self.assertIn("<redacted str, 5 chars>", out)
        self.assertIn("{'admin': 1}", out)

    def test_no_redact_keeps_everything(self):
        for options, env in ((["--no-redact"], {}), ([], {"PYHD_NO_REDACT": "1"})):
            with self.subTest(options=options, env=env):
                path = self.dump(*options, **env)
                _, blobs = contents(path)
                for secret in list(SECRETS.values()) + [ENV_SECRET]:
                    self.assertPresent(secret, blobs)
                self.assertEqual(manifest(path)["Redacted-Values"], "0")

    def test_keep_spares_a_name(self):
        for options, env in ((["--keep=PASSWORD"], {}), ([], {"PYHD_KEEP": "x,password"})):
            with self.subTest(options=options, env=env):
                _, blobs = contents(self.dump(*options, **env))
                # The local and the slot are both called password.
                self.assertPresent(SECRETS["password"], blobs)
                self.assertPresent(SECRETS["slot"], blobs)
                self.assertAbsent(SECRETS["api_key"], blobs)
                self.assertAbsent(SECRETS["token"], blobs)

    def test_redact_adds_a_pattern(self):
        for options, env in ((["--redact=reg*"], {}), ([], {"PYHD_REDACT": "nothing,REGION"})):
            with self.subTest(options=options, env=env):
                _, blobs = contents(self.dump(*options, **env))
                self.assertAbsent(REGION, blobs)
                self.assertPresent("client-Visible-0008", blobs)

    def test_argv_values(self):
        path = self.dump(args=["--password=argv-Secret-0011", "--token", "argv-Secret-0012",
                               "--name=argv-Visible-0013"])
        _, blobs = contents(path)
        self.assertAbsent("argv-Secret-0011", blobs)
        self.assertAbsent("argv-Secret-0012", blobs)
        self.assertPresent("argv-Visible-0013", blobs)
        argv = manifest(path)["Argv"]
        self.assertIn('"--password=<redacted>", "--token", "<redacted>"', argv)
        # The dump's sys.argv, as the loader rebuilds it from the roots.
        out = self.debug(path, "!print(repr(__import__('_pyhd').load(%r)['roots']['argv']))"
                         % path)
        self.assertIn("<redacted str, %d chars>, '--token', <redacted str, 16 chars>, "
                      "'--name=argv-Visible-0013']"
                      % len("--password=argv-Secret-0011"), out)

    def test_no_environ(self):
        for options, env in ((["--no-environ"], {}), ([], {"PYHD_NO_ENVIRON": "1"})):
            with self.subTest(options=options, env=env):
                _, blobs = contents(self.dump(*options, **env))
                self.assertAbsent("PYHD_TEST_MARKER", blobs)
                self.assertAbsent("marker-Visible-0010", blobs)
                self.assertAbsent("AWS_SECRET_ACCESS_KEY", blobs)

    def test_no_environ_held_by_the_program(self):
        # os.environ (and os.environb, posix.environ: the same dict) in a frame.
        with open(self.script, "w") as f:
            f.write("import os, posix\n"
                    "def main():\n"
                    "    env, envb, raw = os.environ, os.environb, posix.environ\n"
                    "    raise RuntimeError('failed')\n"
                    "main()\n")
        _, blobs = contents(self.dump())
        self.assertPresent("marker-Visible-0010", blobs)
        for options, env in ((["--no-environ"], {}), (["--privacy=triage"], {}),
                             ([], {"PYHD_NO_ENVIRON": "1"})):
            with self.subTest(options=options, env=env):
                path = self.dump(*options, **env)
                _, blobs = contents(path)
                self.assertAbsent("marker-Visible-0010", blobs)
                self.assertAbsent("PYHD_TEST_MARKER", blobs)
                out = self.debug(path, "p envb._data, raw")
                self.assertRegex(out, r"\(<redacted dict, \d+ items>, <redacted dict, \d+ items>\)")

    def test_no_sources(self):
        for options, env in ((["--no-sources"], {}), ([], {"PYHD_NO_SOURCES": "1"})):
            with self.subTest(options=options, env=env):
                path = self.dump(*options, **env)
                names, blobs = contents(path)
                self.assertFalse([n for n in names if n.startswith("sources/")], names)
                self.assertAbsent("def reveal(h):", blobs)
                self.assertEqual(manifest(path)["Sources"], "0")


if __name__ == "__main__":
    unittest.main()

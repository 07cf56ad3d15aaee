"""test_docs.py: pyhd-run --help and man/pyhd-run.1 say the same things, and the page is clean mdoc."""
import os
import re
import shutil
import subprocess
import unittest

RUN = os.environ["PYHD_RUN"]
SOURCE_DIR = os.environ["PYHD_SOURCE_DIR"]
MAN_PAGE = os.path.join(SOURCE_DIR, "man", "pyhd-run.1")
OPTIONS_H = os.path.join(SOURCE_DIR, "src", "options.h")

# An option in running text: "--name" not inside a longer word.
HELP_OPTION = re.compile(r"(?<![\w-])--([a-z][a-z-]*)")
# An option in mdoc: the Fl macro with a leading "-" (".Fl -dump-dir", "Fl ( m").
MAN_OPTION = re.compile(r"\bFl -([a-z][a-z-]*)")
VARIABLE = re.compile(r"\bPYHD_[A-Z_]+\b")


def read_help():
    result = subprocess.run([RUN, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            check=True)
    return result.stdout.decode()


def read_man():
    with open(MAN_PAGE, encoding="utf-8") as f:
        return f.read()


def to_text(mdoc_source):
    """The page's words without mdoc's line breaks between macros, for phrase checks."""
    words = []
    for line in mdoc_source.splitlines():
        if line.startswith(".\\\""):
            continue
        line = re.sub(r"^\.(\w\w)\b", " ", line)
        # Ns joins its neighbours; Fl puts a "-" before its argument.
        line = re.sub(r"\s*\bNs\b\s*", "", line)
        line = re.sub(r"\bFl ", "-", line)
        line = re.sub(r"\b(Ar|Ev|Pa|Li|Dl|Nm|Op|Va|Ql|Sq|Dq|Xr|Sx) ", "", line)
        words.extend(line.split())
    return " ".join(words).replace("\\-", "-")


def header_defaults():
    """PYHD_DEFAULT_* from src/options.h as numbers."""
    with open(OPTIONS_H, encoding="utf-8") as f:
        header = f.read()
    defaults = {}
    for name, expr in re.findall(r"#define (PYHD_DEFAULT_\w+) \((.*?)\)\s*/\*", header):
        shift = re.fullmatch(r"\(uint64_t\)(\d+) << (\d+)", expr)
        plain = re.fullmatch(r"\(uint64_t\)(\d+)", expr)
        if shift:
            defaults[name] = int(shift[1]) << int(shift[2])
        elif plain:
            defaults[name] = int(plain[1])
    return defaults


def size_text(n):
    """How the docs write a default size: 1G, 64M, 512K or a plain number."""
    for suffix, shift in (("G", 30), ("M", 20), ("K", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return "%d%s" % (n >> shift, suffix)
    return str(n)


class DocsAgree(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.help = read_help()
        cls.help_text = " ".join(cls.help.split())
        cls.man = read_man()
        cls.man_text = to_text(cls.man)

    def test_same_options(self):
        in_help = set(HELP_OPTION.findall(self.help))
        in_man = set(MAN_OPTION.findall(self.man))
        self.assertIn("dump-dir", in_help)
        self.assertIn("max-string", in_man)
        self.assertEqual(in_help, in_man)

    def test_every_option_is_accepted(self):
        """Each option the docs name is one pyhd-run knows or hands to python."""
        python_options = {"check-hash-based-pycs", "help-env", "help-xoptions", "help-all"}
        for name in sorted(set(HELP_OPTION.findall(self.help)) - python_options):
            with self.subTest(option=name):
                result = subprocess.run([RUN, "--" + name, "--help"], stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE)
                self.assertNotIn(b"unknown option", result.stderr)

    def test_same_variables(self):
        in_help = set(VARIABLE.findall(self.help))
        in_man = set(VARIABLE.findall(self.man))
        self.assertIn("PYHD_DISABLE", in_help)
        self.assertEqual(in_help, in_man)
        for name in ("VIRTUAL_ENV", "PYTHON*"):
            self.assertIn(name, self.help)
            self.assertIn(name, self.man)

    def test_same_defaults(self):
        defaults = header_defaults()
        self.assertEqual(sorted(defaults), ["PYHD_DEFAULT_KEEP_FREE", "PYHD_DEFAULT_MAX_DUMPS",
                                            "PYHD_DEFAULT_MAX_ITEMS", "PYHD_DEFAULT_MAX_SIZE",
                                            "PYHD_DEFAULT_MAX_STRING", "PYHD_DEFAULT_MAX_USE"])
        expected = {
            "--max-size=SIZE": size_text(defaults["PYHD_DEFAULT_MAX_SIZE"]),
            "--max-string=N": str(defaults["PYHD_DEFAULT_MAX_STRING"]),
            "--max-items=N": str(defaults["PYHD_DEFAULT_MAX_ITEMS"]),
            "--max-dumps=N": str(defaults["PYHD_DEFAULT_MAX_DUMPS"]),
            "--max-use=SIZE": size_text(defaults["PYHD_DEFAULT_MAX_USE"]),
            "--keep-free=SIZE": size_text(defaults["PYHD_DEFAULT_KEEP_FREE"]),
        }
        for option, value in expected.items():
            with self.subTest(option=option):
                # The first "(default: ...)" after the option's entry.
                pattern = re.escape(option) + r"[^(]*\(default: ([0-9]+[KMG]?)\)"
                self.assertEqual(re.search(pattern, self.help_text)[1], value)
                self.assertEqual(re.search(pattern, self.man_text)[1], value)

    def test_same_output_lines_files_and_statuses(self):
        phrases = [
            "pyhd: dump written to PATH (SIZE, N objects, T ms)",
            "pyhd: no dump: REASON",
            "pyhd-PROGRAM-PID-YYYYmmddTHHMMSSZ.dump",
            "0600",
            "At most one dump",
            "SystemExit",
            "KeyboardInterrupt",
            "SIGINT",
            "120",
            "1 (on) or 0 (off)",
            "options override",
            "K, M or G (powers of 1024)",
        ]
        for phrase in phrases:
            with self.subTest(phrase=phrase):
                self.assertIn(phrase, self.help_text)
                self.assertIn(phrase, self.man_text)
        self.assertRegex(self.help_text, r"\b2 for a bad pyhd option, value or variable")
        self.assertRegex(self.man_text, r"exits with status 2")

    def test_help_goes_to_stdout_and_exits_0(self):
        result = subprocess.run([RUN, "--help"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        self.assertEqual(result.returncode, 0)
        self.assertEqual(result.stderr, b"")
        self.assertTrue(result.stdout.startswith(b"usage: pyhd-run [pyhd options]"))
        self.assertTrue(all(len(line) <= 80 for line in result.stdout.splitlines()))


class ManPageIsClean(unittest.TestCase):
    """Every man page in man/ (pyhd-run.1, pyhd-debug.1, pyhd-dump.5) renders cleanly."""

    PAGES = sorted(os.path.join(SOURCE_DIR, "man", n)
                   for n in os.listdir(os.path.join(SOURCE_DIR, "man")))

    def test_every_page_is_checked(self):
        self.assertIn(MAN_PAGE, self.PAGES)
        self.assertGreaterEqual(len(self.PAGES), 3)

    def test_groff_has_no_warnings(self):
        if shutil.which("groff") is None:
            self.skipTest("groff is not installed")
        for page in self.PAGES:
            with self.subTest(page=os.path.basename(page)):
                result = subprocess.run(["groff", "-mandoc", "-Tutf8", "-ww", "-z", page],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                self.assertEqual(result.returncode, 0)
                self.assertEqual(result.stderr, b"")

    def test_mandoc_lint_has_no_warnings(self):
        if shutil.which("mandoc") is None:
            self.skipTest("mandoc is not installed")
        # Style remarks about cross-referenced pages not installed here are not warnings.
        for page in self.PAGES:
            with self.subTest(page=os.path.basename(page)):
                result = subprocess.run(["mandoc", "-Tlint", "-W", "warning", page],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                self.assertEqual(result.stdout + result.stderr, b"")
                self.assertEqual(result.returncode, 0)

    def test_renders_every_option(self):
        if shutil.which("groff") is None:
            self.skipTest("groff is not installed")
        result = subprocess.run(["groff", "-mandoc", "-Tascii", "-P-cbou", MAN_PAGE],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
        rendered = result.stdout.decode("ascii")
        for name in set(MAN_OPTION.findall(read_man())):
            self.assertIn("--" + name, rendered)


if __name__ == "__main__":
    unittest.main()

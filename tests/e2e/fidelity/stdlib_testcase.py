"""Fidelity: a unittest test method crashing, its self a TestCase of the program's
(unittest's reprs, written in Python, over the dumped attributes)."""
import unittest


def helper():
    pass


class AppTest(unittest.TestCase):
    def test_login(self):
        suite = unittest.TestSuite([AppTest("test_other")])
        result = unittest.TestResult()
        result.testsRun = 2
        wrapped = unittest.FunctionTestCase(helper)
        return open("/nonexistent/pyhd-fidelity")

    def test_other(self):
        pass


AppTest("test_login").test_login()

"""unittest.main for the Python tests that CTest runs, so that no test skips itself unseen.

A test that cannot run on every machine (it needs something of the machine that
scripts/setup.sh cannot install: a kernel feature, an optional tool, a newer AWS CLI) is marked

    @needs("moto (the DynamoDB test oracle)", moto_missing)
    class DifferentialTest(unittest.TestCase): ...

where the probe returns None when the need is met and otherwise a sentence saying what is
missing. A file registered with CTest runs twice (tests/CMakeLists.txt, stator_python_test):

- `script.py` runs every test that is not marked. A skip here is a failure: a test of this
  entry must run everywhere (raise `unittest.SkipTest` only from a marked test).
- `script.py --environment` runs only the marked tests. When a probe says no, the test is
  skipped, the reason is printed as `SKIPPED <test>: <reason>`, and the process exits 77, which
  the CTest entry declares as its SKIP_RETURN_CODE: ctest lists the entry as Skipped (and
  scripts/test.sh prints the reasons). A failure still fails the entry.

Expected failures (a known gap, `unittest.expectedFailure`) are printed as `KNOWN GAP <test>`,
and an expected failure that passes fails the run. Exit status: 0 all ran and passed, 1 a
failure, an error, an unexpected success or an unexpected skip, 77 (with --environment) some
test skipped and nothing failed.
"""

import functools
import sys
import unittest

SKIP_RETURN_CODE = 77
_ATTR = "_stator_needs"


def needs(what, probe):
    """Marks a test method or a TestCase class as depending on `what`; `probe()` returns None
    when it is there, else why it is not. The probe runs when the test (class) starts. With
    probe None, the test itself raises unittest.SkipTest (self.skipTest) where it must, e.g.
    in a subTest for one of several tools."""

    def check():
        missing = probe() if probe else None
        if missing:
            raise unittest.SkipTest(f"needs {what}: {missing}")

    def mark(obj):
        if isinstance(obj, type):
            original = obj.__dict__.get("setUpClass")

            @classmethod
            def setUpClass(cls):
                check()
                if original is not None:
                    original.__func__(cls)
                else:
                    super(obj, cls).setUpClass()

            obj.setUpClass = setUpClass
        else:
            inner = obj

            @functools.wraps(inner)
            def obj(*args, **kw):
                check()
                return inner(*args, **kw)

        setattr(obj, _ATTR, what)
        return obj

    return mark


def _tests(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from _tests(t)
        else:
            yield t


def _marked(test):
    method = getattr(test, getattr(test, "_testMethodName", ""), None)
    return getattr(method, _ATTR, None) or getattr(type(test), _ATTR, None)


class _Program(unittest.TestProgram):
    environment = False
    selected = 0

    def createTests(self, *args, **kw):
        super().createTests(*args, **kw)
        keep = [t for t in _tests(self.test) if bool(_marked(t)) == self.environment]
        self.test = unittest.TestSuite(keep)
        _Program.selected = len(keep)


def main(argv=None):
    """Runs the tests of __main__ (see the module comment) and exits."""
    argv = list(sys.argv if argv is None else argv)
    environment = "--environment" in argv
    if environment:
        argv.remove("--environment")
    _Program.environment = environment
    program = _Program(module="__main__", argv=argv, exit=False, verbosity=2)
    result = program.result
    for test, reason in result.skipped:
        print(f"SKIPPED {test.id()}: {reason}", flush=True)
    for test, _trace in result.expectedFailures:
        print(f"KNOWN GAP {test.id()}: fails as expected "
              f"({(test.shortDescription() or test.id()).splitlines()[0]})", flush=True)
    failed = (result.failures or result.errors or result.unexpectedSuccesses)
    if _Program.selected == 0:  # (not testsRun: a class skipped in setUpClass runs none)
        print("ctest_unittest: no test selected"
              + (" (no test of this file is marked @needs)" if environment else ""), flush=True)
        sys.exit(1)
    if failed:
        sys.exit(1)
    if result.skipped:
        if not environment:
            print("ctest_unittest: a test of the main entry skipped itself; a test that cannot "
                  "run everywhere must be marked @needs(...) (tests/ctest_unittest.py)",
                  flush=True)
            sys.exit(1)
        sys.exit(SKIP_RETURN_CODE)
    sys.exit(0)

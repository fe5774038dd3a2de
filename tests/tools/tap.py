"""tap.py — a unittest result that prints one TAP-style line per test, the format
tests/run-all.sh reads (`ok N - PREFIX: test_name` / `not ok N - ...`), and run_module() to run a
test module's tests that way."""
import sys
import unittest


class TapResult(unittest.TestResult):
    def __init__(self, stream, prefix):
        super().__init__()
        self.stream = stream
        self.prefix = prefix
        self.n = 0

    def line(self, test, ok, note=""):
        self.n += 1
        print(f"{'ok' if ok else 'not ok'} {self.n} - {self.prefix}: {test._testMethodName}{note}",
              file=self.stream, flush=True)

    def addSuccess(self, test):
        super().addSuccess(test)
        self.line(test, True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self.line(test, False)

    def addError(self, test, err):
        super().addError(test, err)
        self.line(test, False)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self.line(test, True, f" # SKIP {reason}")


def run_module(module, prefix):
    """Run every test of @module, one TAP line each, the failures' tracebacks as comments after
    them, then the plan; exit 0 only if all passed."""
    suite = unittest.defaultTestLoader.loadTestsFromModule(module)
    result = TapResult(sys.stdout, prefix)
    suite.run(result)
    for test, trace in result.failures + result.errors:
        print(f"\n# {test.id()}\n" + "".join(f"# {line}\n" for line in trace.splitlines()))
    print(f"1..{result.n}")
    sys.exit(0 if result.wasSuccessful() else 1)

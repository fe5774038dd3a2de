"""tap.py — a unittest result that prints one TAP-style line per test, the format
tests/run-all.sh reads (`ok N - PREFIX: test_name` / `not ok N - ...`)."""
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

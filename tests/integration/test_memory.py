"""Max Memory Used: with --memory-cgroups, from the worker's memory cgroup where the host has a
writable one (it then covers every process the function starts, even short-lived ones); otherwise
from /proc."""

import re
import unittest
from pathlib import Path

from harness import REPORT_RE, ServerTestCase, bash_function

# A child process that touches 40 MB and exits before the function answers.
ALLOCATING_CHILD = r'''
/usr/bin/python3 -c 'x = bytearray(40 * 1024 * 1024); x[::4096] = b"a" * len(x[::4096])'
'''


def max_memory_used(report: str) -> int:
    match = re.search(r"Max Memory Used: (\d+) MB", report)
    assert match, report
    return int(match.group(1))


class MemoryTest(ServerTestCase):
    server_args = ["--memory-cgroups"]

    @classmethod
    def functions(cls):
        return [bash_function("Allocates", ALLOCATING_CHILD, MemorySize=256),
                bash_function("Small", "")]

    def source(self) -> str:
        line = next((l for l in self.server.stderr().splitlines() if "Max Memory Used from" in l), "")
        self.assertTrue(line, "the server says where Max Memory Used comes from")
        return line

    def report(self, name: str) -> str:
        r = self.server.invoke_ok(self, name, {})
        lines = self.server.wait_log(r.header("x-amzn-RequestId"), "REPORT ")
        self.assertRegex(lines[-1], REPORT_RE)
        return lines[-1]

    def test_short_lived_children_count_when_a_cgroup_is_available(self):
        line = self.source()
        if "from cgroup" not in line:
            self.skipTest(f"no writable memory cgroup on this host: {line}")
        self.assertGreaterEqual(max_memory_used(self.report("Allocates")), 40)
        # Each worker has its own cgroup: the small function does not inherit that peak.
        self.assertLess(max_memory_used(self.report("Small")), 40)
        root = Path(line.split(" under ", 1)[1].strip())
        self.assertTrue(root.is_dir(), root)
        self.assertGreaterEqual(len([p for p in root.iterdir() if p.is_dir()]), 2)

    def test_peak_is_reported_from_proc_otherwise(self):
        # Whatever the source, a live bash worker uses at least a megabyte.
        self.assertGreaterEqual(max_memory_used(self.report("Small")), 1)

    @classmethod
    def tearDownClass(cls) -> None:
        line = next((l for l in cls.server.stderr().splitlines() if "from cgroup" in l), "")
        super().tearDownClass()
        if line:
            root = Path(line.split(" under ", 1)[1].strip())
            assert not root.exists(), f"{root} is left behind after shutdown"


# A child that holds 40 MB while the function answers (and a while after).
HOLDING_CHILD = r'''
/usr/bin/python3 -c 'import time; x = bytearray(40 * 1024 * 1024); x[::4096] = b"a" * len(x[::4096]); time.sleep(30)' &
sleep 0.5
'''


class ProcMemoryTest(ServerTestCase):
    @classmethod
    def functions(cls):
        return [bash_function("Small", ""), bash_function("Holds", HOLDING_CHILD, MemorySize=256)]

    def test_a_live_child_counts(self):
        r = self.server.invoke_ok(self, "Holds", {})
        report = self.server.wait_log(r.header("x-amzn-RequestId"), "REPORT ")[-1]
        self.assertGreaterEqual(max_memory_used(report), 40, report)

    def test_default_source_is_proc(self):
        line = next((l for l in self.server.stderr().splitlines() if "Max Memory Used from" in l), "")
        self.assertIn("from /proc", line)
        r = self.server.invoke_ok(self, "Small", {})
        report = self.server.wait_log(r.header("x-amzn-RequestId"), "REPORT ")[-1]
        self.assertGreaterEqual(max_memory_used(report), 1)


if __name__ == "__main__":
    unittest.main()

"""Worker cgroups: MemorySize enforced (an allocation past it is killed as on Lambda, reported as
Runtime.ExitError "signal: killed" with the real Max Memory Used), a pids limit, and Max Memory
Used from the worker's own cgroup, which covers every process the function starts, even
short-lived ones. Without writable cgroups (or with --no-cgroups) Max Memory Used comes from
/proc and there is no limit."""

import re
import unittest
from pathlib import Path

from harness import REPORT_RE, ServerTestCase, bash_function, handler_function

PYTHON = "python3.12"

# A child process that touches 40 MB and exits before the function answers.
ALLOCATING_CHILD = r'''
/usr/bin/python3 -c 'x = bytearray(40 * 1024 * 1024); x[::4096] = b"a" * len(x[::4096])'
'''

# Touches the event's "mb" megabytes in the runtime's own process, 8 MB at a time.
ALLOCATE = """
def handler(event, context):
    chunks = []
    for _ in range(event["mb"] // 8):
        chunk = bytearray(8 << 20)
        chunk[::4096] = b"a" * len(chunk[::4096])
        chunks.append(chunk)
    return len(chunks) * 8
"""


def allocating_function(name: str):
    return handler_function(name, PYTHON, "app.handler", {"app.py": ALLOCATE}, MemorySize=128,
                            Timeout=30)


# The worker's nice value (field 19 of /proc/PID/stat), which carries its CPU weight.
NICE = r'''response="$(cut -d' ' -f19 /proc/$$/stat)"'''


def max_memory_used(report: str) -> int:
    match = re.search(r"Max Memory Used: (\d+) MB", report)
    assert match, report
    return int(match.group(1))


def cgroups_line(stderr: str) -> str:
    return next((l for l in stderr.splitlines()
                 if "Max Memory Used" in l and ("worker limits" in l or "without a memory limit" in l)),
                "")


class CgroupTestCase(ServerTestCase):
    def setUp(self) -> None:
        super().setUp()
        line = cgroups_line(self.server.stderr())
        self.assertTrue(line, "the server says whether workers get cgroups")
        if "worker limits" not in line:
            self.skipTest(f"no writable memory cgroup on this host: {line}")
        self.cgroup_root = Path(line.split(" under ", 1)[1].strip())

    def report(self, name: str, event=None) -> tuple[dict, str]:
        r = self.server.invoke(name, event or {}, timeout=60)
        self.assertEqual(r.status, 200, r.body)
        lines = self.server.wait_log(r.header("x-amzn-RequestId"), "REPORT ")
        self.assertRegex(lines[-1], REPORT_RE)
        return r, lines[-1]

    @classmethod
    def tearDownClass(cls) -> None:
        line = cgroups_line(cls.server.stderr())
        super().tearDownClass()
        if "worker limits" in line:
            root = Path(line.split(" under ", 1)[1].strip())
            assert not root.exists(), f"{root} is left behind after shutdown"


class MemoryTest(CgroupTestCase):
    @classmethod
    def functions(cls):
        return [bash_function("Allocates", ALLOCATING_CHILD, MemorySize=256),
                bash_function("Small", ""),
                allocating_function("Limited"),
                bash_function("Nice", NICE, MemorySize=128),
                bash_function("FullCpu", NICE, MemorySize=2048)]

    def test_short_lived_children_count(self):
        self.assertGreaterEqual(max_memory_used(self.report("Allocates")[1]), 40)
        # Each worker has its own cgroup: the small function does not inherit that peak.
        self.assertLess(max_memory_used(self.report("Small")[1]), 40)
        self.assertGreaterEqual(len([p for p in self.cgroup_root.iterdir() if p.is_dir()]), 2)

    def test_the_limit_is_memory_size(self):
        self.server.invoke_ok(self, "Limited", {"mb": 8})
        limits = [p / "memory.limit_in_bytes" for p in self.cgroup_root.iterdir() if p.is_dir()]
        limits += [p / "memory.max" for p in self.cgroup_root.iterdir() if p.is_dir()]
        values = {int(f.read_text()) for f in limits if f.exists()}
        self.assertIn(128 << 20, values)

    def test_cpu_weight_follows_memory_size(self):
        # 128 MB: 7% of a CPU's weight, nice 12; 1,769 MB and more: a full CPU, nice 0.
        self.assertEqual(self.server.invoke_ok(self, "Nice", {}).json(), 12)
        self.assertEqual(self.server.invoke_ok(self, "FullCpu", {}).json(), 0)

    def test_within_memory_size_it_runs(self):
        r, report = self.report("Limited", {"mb": 48})
        self.assertEqual(r.json(), 48)
        self.assertGreaterEqual(max_memory_used(report), 48)

    def test_past_memory_size_the_worker_is_killed_as_on_lambda(self):
        r, report = self.report("Limited", {"mb": 400})
        self.assertEqual(r.header("X-Amz-Function-Error"), "Unhandled")
        body = r.json()
        self.assertEqual(body["errorType"], "Runtime.ExitError", body)
        self.assertIn("Runtime exited with error: signal: killed", body["errorMessage"])
        # The real peak: the limit was reached (memory touched before the worker joined its cgroup
        # on cgroup v1 is counted by /proc, so it may show a little more).
        self.assertGreaterEqual(max_memory_used(report), 120, report)
        self.assertLessEqual(max_memory_used(report), 200, report)
        self.assertIn("killed by the kernel's OOM killer", self.server.stderr())
        # A fresh worker takes the next call.
        r, _ = self.report("Limited", {"mb": 8})
        self.assertEqual(r.json(), 8)
        self.server.invoke_ok(self, "Small", {})


class ProcMemoryTest(ServerTestCase):
    server_args = ["--no-cgroups"]

    @classmethod
    def functions(cls):
        return [bash_function("Small", ""),
                bash_function("Holds", r'''
/usr/bin/python3 -c 'import time; x = bytearray(40 * 1024 * 1024); x[::4096] = b"a" * len(x[::4096]); time.sleep(30)' &
sleep 0.5
''', MemorySize=256),
                allocating_function("Limited")]

    def test_a_live_child_counts(self):
        r = self.server.invoke_ok(self, "Holds", {})
        report = self.server.wait_log(r.header("x-amzn-RequestId"), "REPORT ")[-1]
        self.assertGreaterEqual(max_memory_used(report), 40, report)

    def test_without_cgroups_there_is_no_limit(self):
        self.assertIn("--no-cgroups given", cgroups_line(self.server.stderr()))
        r = self.server.invoke_ok(self, "Limited", {"mb": 200}, timeout=60)
        self.assertEqual(r.json(), 200)


if __name__ == "__main__":
    unittest.main()

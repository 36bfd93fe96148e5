"""A full state disk (issue 17, defect 3): the state dir is a small tmpfs filled up while the server
runs. /healthz and /metrics say so, log lines are dropped but invocation records kept, an Event
invoke that cannot be stored is answered 500 ServiceException (issue 13), nothing crashes, and the
server recovers by itself when space returns."""

import errno
import json
import os
import subprocess
import unittest

from harness import Server, bash_function, metric, wait_until

MB = 1 << 20
TMPFS_SIZE = "48m"


def mount_tmpfs(path) -> str | None:
    """Mounts a small tmpfs at `path`; the reason when this machine cannot."""
    if os.geteuid() != 0:
        return "mounting a tmpfs needs root"
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE},mode=0700", "tmpfs",
                        str(path)], capture_output=True, text=True)
    return None if r.returncode == 0 else f"cannot mount a tmpfs: {r.stderr.strip()}"


def fill(path) -> int:
    """Writes a file until the disk is full; its size."""
    written = 0
    chunk = b"\0" * MB
    with open(path, "wb", buffering=0) as f:
        try:
            while True:
                written += f.write(chunk)
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise
    return written


class DiskFullTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server([
            # 1 MB of log lines per call, and one line naming the call.
            bash_function("Chatty", 'echo "chatty $rid"; yes "$(printf "%0999d" 0)" | head -n 1024'),
        ])
        cls.server.state_dir.mkdir()
        reason = mount_tmpfs(cls.server.state_dir)
        if reason:
            cls.server.cleanup()
            raise unittest.SkipTest(reason)
        try:
            cls.server.start()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.server.running():
                cls.server.stop()
        finally:
            if cls.server.proc is not None and cls.server.proc.poll() is None:
                cls.server.proc.kill()
                cls.server.proc.wait(5)
            subprocess.run(["umount", "-l", str(cls.server.state_dir)], capture_output=True)
            cls.server.cleanup()

    def health(self) -> dict:
        r = self.server.request("GET", "/healthz")
        self.assertEqual(r.status, 200, r)
        return r.json()

    def chatty(self) -> str:
        r = self.server.invoke("Chatty", {})
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.header("X-Amz-Function-Error"), r)
        return r.header("x-amzn-RequestId")

    def stored_lines(self, rid: str) -> list[str]:
        return self.server.log_messages(rid)

    def test_full_disk_keeps_records_drops_lines_and_recovers(self):
        reserve = self.server.state_dir / "lambdad.db-reserve"
        self.assertTrue(reserve.exists(), "the reserve file is made at start")
        self.assertEqual(self.health(), {"status": "ok"})
        rid = self.chatty()
        self.assertIn(f"chatty {rid}", self.server.wait_log(rid))

        filler = self.server.state_dir / "filler"
        filled = fill(filler)
        print(f"\nfilled the {TMPFS_SIZE} state disk with {filled / MB:.0f} MB")

        # Calls go on; the first write that finds the disk full turns the store to records only.
        def degraded():
            self.chatty()
            body = self.health()
            return body if body["status"] == "degraded" else None

        body = wait_until(degraded, 60, interval=0.1, message="/healthz to say the disk is full")
        self.assertIn("the state disk is full", body["reason"])
        self.assertFalse(reserve.exists(), "the reserve gave its room to the records")
        text = self.server.metrics()
        self.assertEqual(metric(text, "lambdad_store_disk_full"), 1)
        self.assertGreater(metric(text, "lambdad_store_rows_dropped_total", kind="log_line"), 0)

        # While full: every call still answers, its record is kept, its lines are dropped.
        rids = [self.chatty() for _ in range(5)]
        for rid in rids:
            record = self.server.invocation(rid, timeout=10)
            self.assertEqual(record["outcome"], "success")
            self.assertEqual(self.stored_lines(rid), [], "log lines are dropped first")
        self.assertEqual(metric(self.server.metrics(), "lambdad_store_rows_dropped_total",
                                kind="invocation"), 0)
        self.assertTrue(self.server.running())

        # An Event invoke cannot be stored: 500 ServiceException, and nothing of it runs later.
        more = self.server.state_dir / "filler-more"
        fill(more)  # whatever the reserve and the records left
        big = json.dumps({"big": "x" * (512 * 1024)})
        r = self.server.invoke("Chatty", big, invocation_type="Event")
        self.assertEqual(r.status, 500, r)
        self.assertEqual(r.header("x-amzn-ErrorType"), "ServiceException")
        self.assertIn("disk is full", r.json()["Message"])
        lost_rid = r.header("x-amzn-RequestId")

        # Space returns: the store notices by itself.
        more.unlink()
        filler.unlink()
        wait_until(lambda: self.health() == {"status": "ok"}, 15, interval=0.2,
                   message="/healthz to recover")
        self.assertTrue(reserve.exists(), "the reserve is made again")
        self.assertEqual(metric(self.server.metrics(), "lambdad_store_disk_full"), 0)
        rid = self.chatty()
        lines = self.server.wait_log(rid, timeout=10)
        self.assertIn(f"chatty {rid}", lines)
        self.assertIn(f"END RequestId: {rid}", lines)
        r = self.server.invoke("Chatty", big, invocation_type="Event")
        self.assertEqual(r.status, 202, r)
        self.assertIn(f"chatty {r.header('x-amzn-RequestId')}",
                      self.server.wait_log(r.header("x-amzn-RequestId"), timeout=10))
        self.assertEqual(self.server.log_messages(lost_rid), [])
        self.assertIn("store: the state disk is full", self.server.stderr())
        self.assertIn("store: the state disk has room again", self.server.stderr())
        print(json.dumps(body))


if __name__ == "__main__":
    unittest.main()

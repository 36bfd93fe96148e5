"""Log volume caps (issue 17, defect 3): a function's log rate (shared by its workers) and the cap
per invocation drop what goes over, with one LOGS_DROPPED line and a counter in /metrics; the pipe
is still read, so the function never blocks; the server's memory and the database stay bounded
under a 200 MB flood, and another function's logs still get through."""

import os
import re
import threading
import time
import unittest

from harness import ServerTestCase, bash_function, metric, rss_kb

MB = 1 << 20
FLOOD = 200 * MB
DEFAULT_INVOCATION_LIMIT = 32 * MB
LINE_OVERHEAD = 26  # what a line costs beyond its bytes, as CloudWatch counts an event

MARKER_RE = re.compile(
    r"^LOGS_DROPPED (?:RequestId: (?P<id>[0-9a-f-]{36})\t)?Dropped Bytes: (?P<bytes>\d+)\t"
    r"Dropped Lines: (?P<lines>\d+)\tReason: (?P<reason>.+)$")

PLATFORM = ("START ", "END ", "REPORT ", "LOGS_DROPPED ")


def db_bytes(server) -> int:
    return sum(os.path.getsize(p) for p in (server.db_path, f"{server.db_path}-wal")
               if os.path.exists(p))


class LogLimitAssertions:
    def markers(self, rid: str) -> list[re.Match]:
        rows = self.server.sql(
            "SELECT message FROM log_events WHERE request_id = ? AND message LIKE 'LOGS_DROPPED %' "
            "ORDER BY id", [rid])
        found = [MARKER_RE.match(r["message"]) for r in rows]
        for m, r in zip(found, rows):
            self.assertIsNotNone(m, r["message"])
        return found

    def stored_bytes(self, rid: str) -> int:
        """Bytes of the function's own lines stored for a call (platform lines aside)."""
        rows = self.server.sql(
            "SELECT message FROM log_events WHERE request_id = ?", [rid])
        return sum(len(r["message"].encode()) for r in rows
                   if not r["message"].startswith(PLATFORM))

    def dropped_metric(self, function: str) -> dict[str, float]:
        text = self.server.metrics()
        return {reason: metric(text, "lambdad_log_bytes_dropped_total", function=function,
                               reason=reason) or 0
                for reason in ("rate_limit", "invocation_limit")}

    def assert_tail_ends_with_marker_end_report(self, r, rid: str):
        lines = r.log_tail().splitlines()
        self.assertTrue(lines[-1].startswith(f"REPORT RequestId: {rid}"), lines[-3:])
        self.assertEqual(lines[-2], f"END RequestId: {rid}")
        m = MARKER_RE.match(lines[-3])
        self.assertIsNotNone(m, lines[-3:])
        self.assertEqual(m["id"], rid)
        return m


class DefaultLimitsFloodTest(ServerTestCase, LogLimitAssertions):
    """The defaults (10 MB/s per function, 32 MB per invocation) under a 200 MB flood."""

    @classmethod
    def functions(cls):
        return [
            # 200 MB without a newline: split into 256 KB lines, most of them dropped.
            bash_function("NoNewlines", f'head -c {FLOOD} /dev/zero | tr "\\0" x', Timeout=120),
            # 200 MB of 100-byte lines.
            bash_function("Lines", f'yes "$(printf "%099d" 0)" | head -c {FLOOD}', Timeout=120),
            bash_function("Quiet", 'echo "quiet $rid"'),
        ]

    def flood(self, function: str):
        before_db = db_bytes(self.server)
        before_dropped = self.dropped_metric(function)
        quiet_ids: list[str] = []
        done = threading.Event()

        def quiet_calls():
            # Another function logs while this one floods: its lines are not starved.
            while not done.is_set() and len(quiet_ids) < 20:
                r = self.server.invoke("Quiet", {})
                if r.status == 200:
                    quiet_ids.append(r.header("x-amzn-RequestId"))
                time.sleep(0.05)

        quiet = threading.Thread(target=quiet_calls, daemon=True)
        quiet.start()
        t0 = time.monotonic()
        try:
            r = self.server.invoke(function, {}, log_type="Tail", timeout=120)
        finally:
            done.set()
            quiet.join(30)
        elapsed = time.monotonic() - t0
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.header("X-Amz-Function-Error"), r)
        rid = r.header("x-amzn-RequestId")
        self.server.wait_log(rid, "REPORT ", timeout=30)

        marker = self.assert_tail_ends_with_marker_end_report(r, rid)
        [stored_marker] = self.markers(rid)
        self.assertEqual(stored_marker.group(0), marker.group(0))
        dropped = int(marker["bytes"])
        stored = self.stored_bytes(rid)
        newline_bytes = 0 if function == "NoNewlines" else FLOOD // 100
        self.assertEqual(stored + dropped + newline_bytes, FLOOD,
                         "every byte written is either stored or counted as dropped")
        self.assertLessEqual(stored, DEFAULT_INVOCATION_LIMIT)
        after_dropped = self.dropped_metric(function)
        self.assertEqual(sum(after_dropped.values()) - sum(before_dropped.values()), dropped)

        for quiet_id in quiet_ids:
            self.assertIn(f"quiet {quiet_id}", self.server.wait_log(quiet_id, "REPORT "))
        self.assertGreater(len(quiet_ids), 0)

        growth = db_bytes(self.server) - before_db
        wal = os.path.getsize(f"{self.server.db_path}-wal")
        peak_kb = rss_kb(self.server.pid, "VmHWM")
        rows = self.server.sql("SELECT count(*) AS n FROM log_events WHERE request_id = ?",
                               [rid])[0]["n"]
        print(f"\n{function}: 200 MB flood in {elapsed:.1f} s: stored {stored / MB:.1f} MB in "
              f"{rows} rows, dropped {dropped / MB:.1f} MB ({marker['reason']}); database + WAL "
              f"grew {growth / MB:.1f} MB (WAL now {wal / MB:.1f} MB); lambdad VmHWM "
              f"{peak_kb / 1024:.1f} MB; {len(quiet_ids)} calls of another function logged "
              f"meanwhile")
        # The database grows by what was stored: the text, ~100 bytes a row beside it, and the
        # WAL, which may hold a copy until its checkpoint.
        self.assertLess(growth, 3 * DEFAULT_INVOCATION_LIMIT + 64 * MB)
        # Under AddressSanitizer the peak is its quarantine's (812-838 MB measured, whatever the
        # limits do): the bound is checked by the normal build's run only, as the soak's.
        if not os.environ.get("ASAN_OPTIONS"):
            self.assertLess(peak_kb, 256 * 1024, "lambdad's peak RSS under a 200 MB flood")
        return rid, marker

    def test_flood_without_newlines(self):
        _, marker = self.flood("NoNewlines")
        self.assertEqual(int(marker["lines"]) * 256 * 1024, int(marker["bytes"]),
                         "the flood is split into 256 KB lines")

    def test_flood_of_lines(self):
        _, marker = self.flood("Lines")
        self.assertEqual(int(marker["lines"]) * 99, int(marker["bytes"]), "lines of 99 bytes")


WRITER = r'''
    n="${event//[^0-9]/}"
    yes "$(printf "%01023d" 0)" | head -n "$n"
    echo "done $rid"
'''  # writes the number of 1 KB lines the event says ({"lines": N}), then "done <request id>"


class InvocationCapTest(ServerTestCase, LogLimitAssertions):
    """2 MB per invocation (no rate limit): the rest of the invocation is dropped and told."""

    server_args = ["--log-rate-limit", "0", "--log-invocation-limit", "2"]

    @classmethod
    def functions(cls):
        return [bash_function("Writer", WRITER, Timeout=30)]

    def test_the_invocation_cap(self):
        before = self.dropped_metric("Writer")
        r = self.server.invoke("Writer", {"lines": 4096}, log_type="Tail")  # 4 MB
        self.assertEqual(r.status, 200, r)
        rid = r.header("x-amzn-RequestId")
        self.server.wait_log(rid)
        marker = self.assert_tail_ends_with_marker_end_report(r, rid)
        self.assertEqual(marker["reason"],
                         "the invocation logged more than 2 MB (serve --log-invocation-limit)")
        stored = self.stored_bytes(rid)
        stored_lines = len([m for m in self.server.log_messages(rid)
                            if not m.startswith(PLATFORM)])
        self.assertLessEqual(stored + stored_lines * LINE_OVERHEAD, 2 * MB)
        self.assertGreater(stored + (stored_lines + 1) * LINE_OVERHEAD + 1023, 2 * MB,
                           "lines are stored up to the cap")
        self.assertEqual(stored_lines + int(marker["lines"]), 4096 + 1, "4096 lines and 'done'")
        self.assertNotIn(f"done {rid}", self.server.log_messages(rid),
                         "once capped, the rest of the invocation is dropped")
        after = self.dropped_metric("Writer")
        self.assertEqual(after["invocation_limit"] - before["invocation_limit"],
                         int(marker["bytes"]))
        self.assertEqual(after["rate_limit"], 0)
        # The next call starts afresh.
        r2 = self.server.invoke("Writer", {"lines": 10}, log_type="Tail")
        rid2 = r2.header("x-amzn-RequestId")
        self.assertIn(f"done {rid2}", self.server.wait_log(rid2))
        self.assertEqual(self.markers(rid2), [])
        self.assertNotIn("LOGS_DROPPED", r2.log_tail())


class RateLimitTest(ServerTestCase, LogLimitAssertions):
    """1 MB/s per function (no invocation cap): the rate is shared by the function's workers."""

    server_args = ["--log-rate-limit", "1", "--log-invocation-limit", "0"]

    @classmethod
    def functions(cls):
        return [
            bash_function("Shared", WRITER, Timeout=30),
            # Floods during init (3 MB), then serves; the pause lets lambdad read the pipe dry
            # before the first event, so every init line is read as an init line.
            bash_function("InitFlood", 'echo "served $rid"',
                          init='yes "$(printf "%01023d" 0)" | head -n 3072; sleep 0.5',
                          Timeout=10),
        ]

    def test_the_rate_is_shared_by_the_functions_workers(self):
        before = self.dropped_metric("Shared")
        # Two workers at once, each writing 1.5 MB: together over the 1 MB/s.
        results = []
        threads = [threading.Thread(
            target=lambda: results.append(self.server.invoke("Shared", {"lines": 1536})))
            for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual([r.status for r in results], [200, 200], results)
        rids = [r.header("x-amzn-RequestId") for r in results]
        self.assertEqual(len(set(rids)), 2)
        for rid in rids:
            self.server.wait_log(rid)
        dropped = sum(int(m["bytes"]) for rid in rids for m in self.markers(rid))
        self.assertGreater(dropped, 0, "two workers together went over the function's rate")
        for rid in rids:
            for m in self.markers(rid):
                self.assertEqual(m["reason"],
                                 "the function logged more than 1 MB/s (serve --log-rate-limit)")
        after = self.dropped_metric("Shared")
        self.assertEqual(after["rate_limit"] - before["rate_limit"], dropped)
        self.assertEqual(after["invocation_limit"], 0)
        stored = sum(self.stored_bytes(rid) for rid in rids)
        self.assertEqual(stored + dropped, 2 * (1536 * 1023 + len("done ") + 36),
                         "each line stored or counted as dropped")

    def test_lines_dropped_during_init_are_told_outside_any_invocation(self):
        r = self.server.invoke("InitFlood", {})
        self.assertEqual(r.status, 200, r)
        rid = r.header("x-amzn-RequestId")
        self.assertIn(f"served {rid}", self.server.wait_log(rid))
        rows = self.server.wait_sql(
            "SELECT message, request_id FROM log_events WHERE function = 'InitFlood' AND "
            "message LIKE 'LOGS_DROPPED %'", timeout=10)
        for row in rows:
            self.assertEqual(row["request_id"], "", "init lines belong to no invocation")
            m = MARKER_RE.match(row["message"])
            self.assertIsNotNone(m, row["message"])
            self.assertIsNone(m["id"])
        dropped_lines = sum(int(MARKER_RE.match(row["message"])["lines"]) for row in rows)
        stored_lines = self.server.sql(
            "SELECT count(*) AS n FROM log_events WHERE function = 'InitFlood' AND "
            "request_id = '' AND message NOT LIKE 'LOGS_DROPPED %'")[0]["n"]
        self.assertEqual(dropped_lines + stored_lines, 3072)
        self.assertEqual(self.markers(rid), [], "the invocation itself dropped nothing")


if __name__ == "__main__":
    unittest.main()

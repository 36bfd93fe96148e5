"""Soak: many warm invocations through the Invoke API and the gateway, watching what a leak would
break: the server's anonymous RSS after warm-up (under 1 MB of growth per 100,000 calls), its open
fds and threads (flat), zombies (none), and the SQLite WAL (bounded).

Anonymous memory is what a leak grows. The file-backed part of RSS grows with the database, which
the store reads through a memory map (`PRAGMA mmap_size`, 256 MB): about 2 MB per 100,000 calls,
page cache the kernel reclaims, printed but not asserted. The store's batch buffers make anonymous
RSS vary by about a megabyte from one sample to the next, so each sample is taken after a second of
quiet, and a short run is allowed 2 MB.

The counts come from the environment: LAMBDAD_SOAK_INVOCATIONS (default 1,000,000) and
LAMBDAD_SOAK_GATEWAY (default 100,000). ctest runs it twice: `soak.full` (label `soak`, the
defaults) and `soak.short` (label `integration`, which CI runs: 40,000 and 10,000). The figures are
printed; timings are never asserted."""

import os
import socket
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from harness import Server, cpp_function  # noqa: E402

INVOCATIONS = int(os.environ.get("LAMBDAD_SOAK_INVOCATIONS", "1000000"))
GATEWAY = int(os.environ.get("LAMBDAD_SOAK_GATEWAY", "100000"))
WARM_UP = 0.1  # share of the calls before the first sample


def status(pid: int) -> dict[str, str]:
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def sample(server: Server) -> dict[str, int]:
    time.sleep(1)  # the store's batch writer drains
    pid = server.pid
    s = status(pid)
    wal = server.db_path.with_name(server.db_path.name + "-wal")
    return {
        "anon_kb": int(s["RssAnon"].split()[0]),
        "file_kb": int(s["RssFile"].split()[0]),
        "fds": len(os.listdir(f"/proc/{pid}/fd")),
        "threads": int(s["Threads"]),
        "zombies": zombies(pid),
        "wal_bytes": wal.stat().st_size if wal.exists() else 0,
    }


def zombies(parent: int) -> int:
    count = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] == "Z" and int(fields[1]) == parent:
            count += 1
    return count


class Client:
    """One keep-alive connection sending a fixed request as fast as the server answers (Python's
    http.client costs more per call than lambdad does)."""

    def __init__(self, port: int, request: bytes):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.request = request
        self.buffer = b""

    def call(self) -> tuple[int, bytes]:
        self.sock.sendall(self.request)
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._recv()
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(rest) < length:
            rest += self._recv()
        self.buffer = rest[length:]
        return status, rest[:length]

    def _recv(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection")
        return data

    def close(self) -> None:
        self.sock.close()


class SoakTest(unittest.TestCase):
    def setUp(self):
        hello = cpp_function("Hello", Events={"Get": {"Type": "HttpApi", "Properties": {
            "Path": "/hello", "Method": "GET"}}})
        self.server = Server([hello])
        self.addCleanup(self.server.cleanup)
        self.server.start()

    def drive(self, client: Client, count: int, expect: bytes) -> tuple[dict, dict, float]:
        warm = int(count * WARM_UP)
        first = None
        started = time.monotonic()
        for i in range(count):
            if i == warm:
                first = sample(self.server)
                started = time.monotonic()
            code, body = client.call()
            if code != 200 or expect not in body:
                self.fail(f"call {i}: {code} {body[:200]!r}")
        rate = (count - warm) / (time.monotonic() - started)
        return first, sample(self.server), rate

    def check(self, what: str, count: int, first: dict, last: dict, rate: float) -> None:
        measured = count * (1 - WARM_UP)
        growth_kb = last["anon_kb"] - first["anon_kb"]
        per_100k = growth_kb * 100000 / measured
        print(f"\n{what}: {count} calls, {rate:.0f}/s after warm-up; anonymous RSS "
              f"{first['anon_kb']} -> {last['anon_kb']} kB ({per_100k:+.0f} kB per 100,000), "
              f"file-backed {first['file_kb']} -> {last['file_kb']} kB; fds {first['fds']} -> "
              f"{last['fds']}; threads {first['threads']} -> {last['threads']}; zombies "
              f"{last['zombies']}; WAL {last['wal_bytes'] / 1e6:.1f} MB", flush=True)
        allowed_kb = max(1024 * measured / 100000, 2048)
        # Under ThreadSanitizer (scripts/test.sh's soak.tsan) memory grows with its shadow and
        # race-detection state, not with lambdad's leaks: printed only; the rest is checked.
        if not os.environ.get("TSAN_OPTIONS"):
            self.assertLess(growth_kb, allowed_kb, f"{what}: anonymous RSS grew {growth_kb} kB")
        self.assertLessEqual(abs(last["fds"] - first["fds"]), 2, f"{what}: fds {first} {last}")
        self.assertEqual(last["threads"], first["threads"], what)
        self.assertEqual(last["zombies"], 0, what)
        self.assertLess(last["wal_bytes"], 128 << 20, f"{what}: the WAL is not checkpointed")

    def test_warm_invocations_and_gateway_requests(self):
        invoke = Client(self.server.lambda_port,
                        b"POST /2015-03-31/functions/Hello/invocations HTTP/1.1\r\nHost: x\r\n"
                        b"Content-Type: application/json\r\nContent-Length: 13\r\n\r\n"
                        b'{"soak":true}')
        try:
            self.check("Invoke API", INVOCATIONS, *self.drive(invoke, INVOCATIONS, b"hello"))
        finally:
            invoke.close()
        gateway = Client(self.server.api_port, b"GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        try:
            self.check("gateway", GATEWAY, *self.drive(gateway, GATEWAY, b"hello"))
        finally:
            gateway.close()
        self.server.stop()


if __name__ == "__main__":
    unittest.main()

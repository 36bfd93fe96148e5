"""File descriptors (issue 17, defect 2): the soft RLIMIT_NOFILE raised to the hard one at start;
with a low limit, 1,000 idle connections to the gateway, or a function holding 1,000 connections
to its own Runtime API endpoint, leave /healthz, the Invoke API and other functions answering;
over-limit clients get a fast refusal in the port's shape instead of silence."""

import json
import os
import re
import resource
import shutil
import socket
import threading
import time
import unittest

from harness import Server, bash_function, script_function, wait_until

CONNECTIONS = 1000

# A custom runtime that, on each event, opens CONNECTIONS connections to its own Runtime API
# endpoint and holds them: it writes what it got ($OUT_DIR/held.json: connections the server kept
# open, refused with an answer at once, closed without one, failed to open), waits for
# $OUT_DIR/release (at most 60 s), then answers.
HOARDER = r'''#!/usr/bin/env python3
import http.client, json, os, socket, time
api = os.environ["AWS_LAMBDA_RUNTIME_API"]
host, port = api.rsplit(":", 1)
out = os.environ["OUT_DIR"]
base = "/2018-06-01/runtime"
runtime = http.client.HTTPConnection(host, int(port))
while True:
    runtime.request("GET", base + "/invocation/next")
    r = runtime.getresponse()
    r.read()
    rid = r.getheader("Lambda-Runtime-Aws-Request-Id")
    held, failed, reasons = [], 0, set()
    for _ in range(__N__):
        try:
            held.append(socket.create_connection((host, int(port)), timeout=5))
        except OSError as e:
            failed += 1
            reasons.add(str(e))
    # Refusals are sent as each connection is accepted; the server may still be working through
    # its accept queue: give it 5 s in all.
    deadline = time.monotonic() + 5
    kept, refused, closed, statuses, still_open = 0, 0, 0, {}, []
    for s in held:
        s.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            data = s.recv(4096)
        except socket.timeout:
            kept += 1
            still_open.append(s)
            continue
        except OSError:
            data = b""
        s.close()  # the function's own limit is 1,024 files: make room to report
        if data.startswith(b"HTTP/1.1 "):
            refused += 1
            head, _, body = data.partition(b"\r\n\r\n")
            statuses[head.split(b" ")[1].decode()] = body.decode("utf-8", "replace")
        else:
            closed += 1
    held = still_open
    report = {"kept": kept, "refused": refused, "closed": closed, "failed": failed,
              "why": sorted(reasons), "answers": statuses}
    with open(os.path.join(out, "held.tmp"), "w") as f:
        json.dump(report, f)
    os.rename(os.path.join(out, "held.tmp"), os.path.join(out, "held.json"))
    for _ in range(600):
        if os.path.exists(os.path.join(out, "release")):
            break
        time.sleep(0.1)
    body = json.dumps(report).encode()
    runtime.request("POST", base + "/invocation/" + rid + "/response", body)
    runtime.getresponse().read()
    for s in held:
        s.close()
'''


def python3() -> str | None:
    # The system interpreter: a sandboxed worker sees /usr, not a version manager's prefix.
    for path in ("/usr/bin/python3", shutil.which("python3")):
        if path and os.access(path, os.X_OK):
            return path
    return None


class LimitedServer(Server):
    """A server started under `prlimit --nofile=SOFT:HARD`."""

    def __init__(self, *args, nofile: tuple[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.nofile = nofile

    def command(self) -> list[str]:
        soft, hard = self.nofile
        return ["prlimit", f"--nofile={soft}:{hard}", "--", *super().command()]

    def open_fds(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/fd"))


def raise_own_fd_limit(at_least: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < at_least:
        if hard != resource.RLIM_INFINITY and hard < at_least:
            raise unittest.SkipTest(f"the test needs {at_least} fds; its hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (at_least, hard))


def open_idle(port: int, count: int) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        s = socket.socket()
        s.settimeout(5)
        s.connect(("127.0.0.1", port))
        sockets.append(s)
    return sockets


def timed(call):
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


@unittest.skipUnless(shutil.which("prlimit"), "needs prlimit (util-linux)")
class FdLimitTest(unittest.TestCase):
    def setUp(self):
        raise_own_fd_limit(3 * CONNECTIONS)

    def test_soft_limit_is_raised_to_the_hard_limit(self):
        with LimitedServer([bash_function("Echo")], nofile=(256, 4096)) as server:
            with open(f"/proc/{server.pid}/limits") as f:
                line = next(l for l in f if l.startswith("Max open files"))
            self.assertEqual(line.split()[3:5], ["4096", "4096"], line)
            self.assertIn("open files: 4096 (raised from 256 to the hard limit)", server.stderr())
            self.assertEqual(server.stderr().count("open files: "), 1)
            server.stop()

    def test_idle_gateway_flood_leaves_healthz_and_invoke_answering(self):
        with LimitedServer([bash_function("Echo")], nofile=(256, 256)) as server:
            self.assertIn("open files: 256 (the hard limit)", server.stderr())
            server.invoke_ok(self, "Echo", {"warm": 1})
            flood = open_idle(server.api_port, CONNECTIONS)
            try:
                time.sleep(1)  # let the server take them all
                health, elapsed = timed(lambda: server.request("GET", "/healthz", timeout=20))
                print(f"\n/healthz under {CONNECTIONS} idle gateway connections at a soft limit "
                      f"of 256: {elapsed * 1000:.1f} ms", flush=True)
                self.assertEqual(health.status, 200, health)
                r = server.invoke("Echo", {"under": "flood"}, timeout=20)
                self.assertEqual(r.status, 200, r)
                self.assertEqual(r.json(), {"under": "flood"})
                # The gateway itself still takes a new client: the oldest idle one made room.
                g = server.request("GET", "/nothing-here", port=server.api_port, timeout=20)
                self.assertIn(g.status, (403, 404), g)
                self.assertLess(server.open_fds(), 256)
                # The flood's oldest connections were closed to make room, not left hanging.
                closed = 0
                for s in flood:
                    s.setblocking(False)
                    try:
                        if s.recv(1) == b"":
                            closed += 1
                    except BlockingIOError:
                        pass
                    except OSError:
                        closed += 1
                self.assertGreater(closed, CONNECTIONS // 2)
            finally:
                for s in flood:
                    s.close()
            self.assertLessEqual(server.stderr().count("accept failed"), 1, server.stderr()[-2000:])
            server.stop()

    def test_gateway_refuses_busy_overflow_with_a_503_in_api_gateway_shape(self):
        # Connections that are mid-request are not idle: once the cap is reached with them, a new
        # client is refused at once, in API Gateway's shape.
        with LimitedServer([bash_function("Echo")], nofile=(64, 64)) as server:
            busy = open_idle(server.api_port, 40)
            try:
                for s in busy:
                    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # a header that never ends
                time.sleep(0.5)
                s = socket.create_connection(("127.0.0.1", server.api_port), timeout=10)
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                data = b""
                while chunk := s.recv(4096):
                    data += chunk
                s.close()
                self.assertTrue(data.startswith(b"HTTP/1.1 503"), data)
                self.assertEqual(json.loads(data.partition(b"\r\n\r\n")[2]),
                                 {"message": "Service Unavailable"})
                self.assertEqual(server.request("GET", "/healthz", timeout=20).status, 200)
            finally:
                for s in busy:
                    s.close()
            server.stop()

    def test_function_holding_connections_to_its_endpoint_disturbs_nobody(self):
        interpreter = python3()
        if interpreter is None:
            self.skipTest("no python3")
        hoarder = script_function("Hoarder", HOARDER.replace("__N__", str(CONNECTIONS))
                                  .replace("/usr/bin/env python3", interpreter), Timeout=120)
        # At 1,024 as in the issue: a worker's own limit is 1,024 files (it gets no more than
        # the server's hard limit), so it can open ~1,000 connections.
        with LimitedServer([hoarder, bash_function("Echo")], nofile=(1024, 1024)) as server:
            result = {}
            thread = threading.Thread(
                target=lambda: result.setdefault("r", server.invoke("Hoarder", {}, timeout=150)))
            thread.start()
            try:
                held = json.loads(server.out_file("held.json", timeout=60))
                print(f"\nfunction opening {CONNECTIONS} connections to its endpoint: {held}",
                      flush=True)
                self.assertLessEqual(held["kept"], 8, held)
                self.assertEqual(held["failed"], 0, held)
                self.assertGreater(held["refused"], CONNECTIONS - 50, held)
                body = held["answers"]["503"]
                self.assertEqual(json.loads(body)["errorType"], "TooManyConnections", body)
                health, elapsed = timed(lambda: server.request("GET", "/healthz", timeout=20))
                self.assertEqual(health.status, 200, health)
                print(f"/healthz meanwhile: {elapsed * 1000:.1f} ms", flush=True)
                server.invoke_ok(self, "Echo", {"other": "function"}, timeout=20)
                # The server holds 8 of the function's connections, not 1,000.
                self.assertLess(server.open_fds(), 128)
            finally:
                (server.out_dir / "release").write_text("go")
                thread.join(160)
            r = result["r"]
            self.assertEqual(r.status, 200, r)
            self.assertIsNone(r.header("X-Amz-Function-Error"), r)
            server.stop()


if __name__ == "__main__":
    unittest.main()

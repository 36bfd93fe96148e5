"""A hostile function attacks other workers' Runtime API endpoints, at every sandbox tier the host
offers: it finds every loopback listener in /proc/net/tcp, keeps calling `GET /next` on each (as a
runtime would) and answers whatever event it gets with a forged body. Meanwhile the test invokes
another function many times. No event may reach the thief and every answer must be the victim's
own: an endpoint accepts only connections from its own worker's processes (docs/security.md)."""

import json
import threading
import time
import unittest

from harness import Server, ServerTestCase, bash_function

# Runs for `seconds`, then prints what it got: events taken ("stolen"), endpoints that closed the
# connection without an answer ("refused"), and listeners that answered something else.
THIEF = r'''
import json, os, socket, select, sys, time

event = json.loads(sys.argv[1])
own_port = int(os.environ["AWS_LAMBDA_RUNTIME_API"].rsplit(":", 1)[1])
deadline = time.monotonic() + event["seconds"]
stolen, refused, answered, ports = 0, set(), set(), set()

def listeners():
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A":  # LISTEN
                found.add(int(fields[1].rsplit(":", 1)[1], 16))
    found.discard(own_port)
    return found

def forge(port, request_id):
    with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
        body = b'"stolen"'
        s.sendall(b"POST /2018-06-01/runtime/invocation/" + request_id +
                  b"/response HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        s.recv(4096)

while time.monotonic() < deadline:
    ports |= listeners()
    conns = {}
    for port in ports:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=0.2)
            s.sendall(b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n")
            s.setblocking(False)
            conns[s] = port
        except OSError:
            refused.add(port)
    wait_until = time.monotonic() + 0.3
    while conns and time.monotonic() < wait_until:
        ready, _, _ = select.select(list(conns), [], [], 0.05)
        for s in ready:
            port = conns.pop(s)
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            s.close()
            if not data:
                refused.add(port)
                continue
            answered.add(port)
            for line in data.split(b"\r\n"):
                if line.lower().startswith(b"lambda-runtime-aws-request-id:"):
                    stolen += 1
                    try:
                        forge(port, line.split(b":", 1)[1].strip())
                    except OSError:
                        pass
    for s in conns:
        s.close()
print(json.dumps({"stolen": stolen, "refused": sorted(refused), "answered": sorted(answered)}))
'''


class StealingTest(ServerTestCase):
    """At the tier the host gives by default (the strongest)."""

    tier: str | None = None
    init_timeout = 10

    @classmethod
    def functions(cls):
        thief = bash_function("Thief", 'response="$(python3 "$LAMBDA_TASK_ROOT/thief.py" "$event")"',
                              Timeout=60)
        thief.files["thief.py"] = THIEF
        return [thief, bash_function("Victim")]

    @classmethod
    def _start_server(cls) -> None:
        args = ["--sandbox", cls.tier] if cls.tier else []
        cls.server = Server(cls.functions(), args=args, init_timeout=cls.init_timeout)
        cls.server.start()

    def test_no_event_reaches_another_function(self):
        self.server.invoke_ok(self, "Victim", {"warm": True})
        seconds = 5
        outcome = {}

        def thief():
            r = self.server.invoke("Thief", {"seconds": seconds}, timeout=60)
            outcome["thief"] = r

        thread = threading.Thread(target=thief, daemon=True)
        thread.start()
        time.sleep(0.5)
        calls, wrong = 0, []
        lock = threading.Lock()
        stop = time.monotonic() + seconds - 1

        def victim_calls(worker: int):
            nonlocal calls
            i = 0
            while time.monotonic() < stop:
                payload = {"worker": worker, "i": i}
                r = self.server.invoke("Victim", payload, timeout=30)
                with lock:
                    calls += 1
                    if r.status != 200 or r.header("X-Amz-Function-Error") or r.json() != payload:
                        wrong.append((payload, r))
                i += 1

        callers = [threading.Thread(target=victim_calls, args=(w,)) for w in range(3)]
        for t in callers:
            t.start()
        for t in callers:
            t.join()
        thread.join(90)
        r = outcome["thief"]
        self.assertEqual(r.status, 200, r)
        report = r.json()
        print(f"\n{type(self).__name__}: {calls} victim calls, thief: {report}")
        self.assertEqual(report["stolen"], 0, report)
        self.assertEqual(wrong[:3], [], f"{len(wrong)} of {calls} victim calls answered wrongly")
        self.assertGreater(calls, 10)
        # The thief found the victim's endpoint and was turned away there.
        log = self.server.stderr()
        self.assertIn("worker endpoints: only the worker's own processes may connect", log)
        self.assertIn("refused a Runtime API connection", log)


class StealingAtProcessTierTest(StealingTest):
    tier = "process"

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        if "sandbox tier: process" not in cls.server.stderr():
            cls.server.stop()
            cls.server.cleanup()
            raise unittest.SkipTest("this host does not offer the `process` tier (no seccomp)")


class StealingWithoutSandboxTest(StealingTest):
    tier = "none"


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/env python3
"""Durable Event invocations, measured through the real binary (issue 13):

1. Event invokes accepted per second (202s; each committed to queue.db before its answer) at 1 and
   32 connections (wrk, bench/event.lua), against the trivial C++ function, which runs them
   meanwhile. With --before BIN, the same load on another lambdad, interleaved A B A B (e.g. the
   in-memory queue lambdad had before: the floor a durable queue is measured against).
2. The floor of durability on this disk: one row per transaction (write + fdatasync in a loop, as a
   commit without group commit costs).
3. Event latency, enqueue → function start: N events sent one at a time 20 ms apart; the time from
   sending each to its invocation's start (the `invocations` table's start_ms): p50 / p99.

    bench/async_events.py [--bin build-rel/lambdad] [--before OTHER_BIN] [--rounds 3]
                          [--duration 5] [--latency-count 300]"""

import argparse
import http.client
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = f"""Transform: AWS::Serverless-2016-10-31
Resources:
  Trivial:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: {ROOT}/bench/trivial-cpp/dist
      Handler: bootstrap
      Runtime: provided.al2023
"""
PATH = "/2015-03-31/functions/Trivial/invocations"


class Lambdad:
    def __init__(self, binary: str):
        self.work = Path(tempfile.mkdtemp(prefix="lambdad-bench-async-", dir=str(ROOT / "build")
                                          if (ROOT / "build").is_dir() else None))
        (self.work / "template.yaml").write_text(TEMPLATE)
        self.out = open(self.work / "out", "wb")
        self.proc = subprocess.Popen([os.path.abspath(binary), "serve", str(self.work), "--api-port", "0",
                                      "--lambda-port", "0", "--log-level", "warn", "--no-watch",
                                      "--state-dir", str(self.work / "state")],
                                     stdout=self.out, stderr=subprocess.DEVNULL, cwd=self.work)
        for _ in range(200):
            m = re.search(r"lambda api listening on http://[^:]+:(\d+)",
                          (self.work / "out").read_text(errors="replace"))
            if m:
                self.port = int(m.group(1))
                break
            time.sleep(0.05)
        else:
            sys.exit("lambdad did not start")
        self.url = f"http://127.0.0.1:{self.port}{PATH}"

    def stop(self):
        self.proc.terminate()
        self.proc.wait(60)
        subprocess.run(["rm", "-rf", str(self.work)])


def wrk(url: str, conns: int, seconds: int) -> tuple[float, int]:
    threads = 1 if conns == 1 else 2
    text = subprocess.run(["wrk", f"-t{threads}", f"-c{conns}", f"-d{seconds}s", "-s",
                           str(ROOT / "bench" / "event.lua"), url],
                          capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", text))
    return rps, bad


def accept_rates(binaries: dict[str, str], rounds: int, seconds: int):
    results = {name: {1: [], 32: []} for name in binaries}
    for _ in range(rounds):
        for conns in (1, 32):
            for name, binary in binaries.items():
                server = Lambdad(binary)  # a fresh queue each run
                try:
                    rps, bad = wrk(server.url, conns, seconds)
                finally:
                    server.stop()
                if bad:
                    print(f"  ({name}, c{conns}: {bad} answers were not 202)")
                results[name][conns].append(rps)
    for conns in (1, 32):
        print(f"-- Event invokes accepted per second, {conns} connection(s), median of {rounds}")
        medians = {}
        for name, runs in results.items():
            medians[name] = statistics.median(runs[conns])
            print(f"  {name:8s} {medians[name]:9.0f}/s   (runs: "
                  + ", ".join(f"{r:.0f}" for r in runs[conns]) + ")")
        if len(medians) == 2:
            a, b = list(medians.values())
            print(f"  ratio {list(medians)[0]}/{list(medians)[1]}: {a / b:.2f}x")


def fsync_floor(folder: Path, count: int = 300) -> float:
    path = folder / "fsync-floor"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    start = time.perf_counter()
    for _ in range(count):
        os.write(fd, b"x" * 100)
        os.fdatasync(fd)
    seconds = time.perf_counter() - start
    os.close(fd)
    path.unlink()
    return count / seconds


def latency(binary: str, count: int):
    server = Lambdad(binary)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        sent = {}
        for _ in range(count):
            t = time.time() * 1000
            conn.request("POST", PATH, body=b"{}", headers={"X-Amz-Invocation-Type": "Event"})
            r = conn.getresponse()
            r.read()
            if r.status != 202:
                sys.exit(f"Event invoke answered {r.status}")
            sent[r.getheader("x-amzn-RequestId")] = t
            time.sleep(0.02)
        db = sqlite3.connect(server.work / "state" / "lambdad.db")
        starts = {}
        for _ in range(200):
            starts = dict(db.execute("SELECT request_id, start_ms FROM invocations").fetchall())
            if set(sent) <= set(starts):
                break
            time.sleep(0.05)
        db.close()
    finally:
        server.stop()
    delays = sorted(starts[rid] - t for rid, t in sent.items() if rid in starts)
    p = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))]
    print(f"-- Event latency, enqueue → function start, {len(delays)} events one at a time: "
          f"p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=str(ROOT / "build-rel" / "lambdad"))
    parser.add_argument("--before")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=5)
    parser.add_argument("--latency-count", type=int, default=300)
    args = parser.parse_args()
    binaries = {"after": args.bin}
    if args.before:
        binaries = {"after": args.bin, "before": args.before}
    accept_rates(binaries, args.rounds, args.duration)
    folder = Path(tempfile.mkdtemp(prefix="lambdad-fsync-", dir=str(ROOT / "build")))
    rate = fsync_floor(folder)
    folder.rmdir()
    print(f"-- durability floor on this disk: {rate:.0f} fdatasync'd appends/s one at a time")
    latency(args.bin, args.latency_count)
    return 0


if __name__ == "__main__":
    sys.exit(main())

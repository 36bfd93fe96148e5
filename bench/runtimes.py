#!/usr/bin/env python3
"""Cold and warm invoke of hello-world in Node.js and Python through lambdad, beside the machine's
bare interpreter start-up (the floor a cold start cannot beat without a pre-initialised worker).

  bench/runtimes.py [--functions 20] [--warm-calls 2000]

LAMBDAD_BIN names the binary (default build/lambdad). For each runtime it serves N identical
functions, invokes each once (N cold starts: client-seen latency, and Init Duration from the
invocation records), then times warm calls on one function over a keep-alive connection."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

NODE_APP = """export const lambdaHandler = async (event, context) => ({
  statusCode: 200, body: JSON.stringify({message: 'hello world'}) });
"""
PYTHON_APP = """import json

def lambda_handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"message": "hello world"})}
"""
RUNTIMES = {
    "node": ("nodejs20.x", "app.lambdaHandler", "app.mjs", NODE_APP),
    "python": ("python3.12", "app.lambda_handler", "app.py", PYTHON_APP),
}


def quantiles(values: list[float]) -> str:
    values = sorted(values)
    p90 = values[min(len(values) - 1, int(len(values) * 0.9))]
    return f"p50 {statistics.median(values):7.2f} ms   p90 {p90:7.2f} ms   (n={len(values)})"


def doctor() -> dict[str, str]:
    out = subprocess.run([lambdad_bin(), "doctor"], capture_output=True, text=True).stdout
    found = {}
    for name, label in (("node", "Node.js"), ("python", "Python")):
        match = re.search(rf"{label} \S+ at (\S+)", out)
        if match:
            found[name] = match.group(1)
    return found


def lambdad_bin() -> str:
    return os.environ.get("LAMBDAD_BIN", str(ROOT / "build" / "lambdad"))


def bare_start(argv: list[str], runs: int = 20) -> list[float]:
    subprocess.run(argv, check=True)  # page cache warm, as for the workers
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return times


class Served:
    def __init__(self, runtime: str, count: int):
        self.dir = Path(tempfile.mkdtemp(prefix="lambdad-bench-rt-"))
        name, handler, file, text = RUNTIMES[runtime]
        code = self.dir / "code"
        code.mkdir()
        (code / file).write_text(text)
        lines = ["Transform: AWS::Serverless-2016-10-31", "Resources:"]
        self.names = [f"Fn{i}" for i in range(count)]
        for fn in self.names:
            lines += [f"  {fn}:", "    Type: AWS::Serverless::Function", "    Properties:",
                      "      CodeUri: code/", f"      Handler: {handler}", f"      Runtime: {name}"]
        (self.dir / "template.yaml").write_text("\n".join(lines) + "\n")
        self.proc = subprocess.Popen(
            [lambdad_bin(), "serve", str(self.dir), "--api-port", "0", "--lambda-port", "0",
             "--log-level", "error"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        port = None
        while port is None:
            line = self.proc.stdout.readline()
            if not line:
                raise SystemExit("lambdad exited before listening")
            match = re.match(r"lambda api listening on http://[^:]+:(\d+)", line)
            port = int(match.group(1)) if match else None
        self.port = port

    def invoke(self, conn: http.client.HTTPConnection, fn: str) -> tuple[float, str]:
        start = time.perf_counter()
        conn.request("POST", f"/2015-03-31/functions/{fn}/invocations", b"{}")
        r = conn.getresponse()
        body = r.read()
        elapsed = (time.perf_counter() - start) * 1000
        if r.status != 200 or r.getheader("X-Amz-Function-Error"):
            raise SystemExit(f"{fn}: {r.status} {body[:300]!r}")
        return elapsed, r.getheader("x-amzn-RequestId")

    def init_durations(self, request_ids: list[str]) -> list[float]:
        db = sqlite3.connect(f"file:{self.dir / '.lambdad' / 'lambdad.db'}?mode=ro", uri=True)
        deadline = time.time() + 10
        while True:
            marks = ",".join("?" * len(request_ids))
            rows = db.execute(f"SELECT init_duration_ms FROM invocations WHERE request_id IN "
                              f"({marks}) AND init_duration_ms IS NOT NULL", request_ids).fetchall()
            if len(rows) == len(request_ids) or time.time() > deadline:
                return [r[0] for r in rows]
            time.sleep(0.05)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)
        shutil.rmtree(self.dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--functions", type=int, default=20)
    parser.add_argument("--warm-calls", type=int, default=2000)
    args = parser.parse_args()
    interpreters = doctor()
    bare_argv = {"node": ["-e", "0"], "python": ["-c", "pass"]}
    for runtime in RUNTIMES:
        if runtime not in interpreters:
            print(f"== {runtime}: not on this machine, skipped")
            continue
        print(f"== {runtime} ({interpreters[runtime]})")
        bare = bare_start([interpreters[runtime], *bare_argv[runtime]])
        print(f"  bare interpreter start        {quantiles(bare)}")
        served = Served(runtime, args.functions)
        try:
            cold, ids = [], []
            for fn in served.names:
                conn = http.client.HTTPConnection("127.0.0.1", served.port)
                elapsed, rid = served.invoke(conn, fn)
                conn.close()
                cold.append(elapsed)
                ids.append(rid)
            inits = served.init_durations(ids)
            print(f"  cold call, client-seen        {quantiles(cold)}")
            print(f"  Init Duration (spawn->/next)  {quantiles(inits)}")
            added = statistics.median(cold) - statistics.median(bare)
            print(f"  cold call - bare start        {added:7.2f} ms (median difference)")
            conn = http.client.HTTPConnection("127.0.0.1", served.port)
            for _ in range(50):
                served.invoke(conn, served.names[0])
            warm = [served.invoke(conn, served.names[0])[0] for _ in range(args.warm_calls)]
            print(f"  warm call, client-seen        {quantiles(warm)}")
        finally:
            served.close()


if __name__ == "__main__":
    main()

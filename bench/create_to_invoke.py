#!/usr/bin/env python3
"""CreateFunction → first successful Invoke, for a zip of a bash `provided` function: p50 / p90 over
N functions (default 50), each a new name and new code (so each create unzips, commits its row and
the first invoke starts a cold worker).

    bench/create_to_invoke.py [--count 50] [--bin build/lambdad]

The time runs from sending CreateFunction to the first 200 of Invoke (an invoke that arrives
before the scheduler serves the function, a 404, is retried at once). Also printed: the
CreateFunction answer alone and the first invoke alone (its cold start)."""

import argparse
import base64
import contextlib
import http.client
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROLE = "arn:aws:iam::123456789012:role/bench"
BOOTSTRAP = r"""#!/bin/bash
api="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
hdrs="$(mktemp)"
while true; do
  event="$(curl -sS -D "$hdrs" "$api/invocation/next")" || exit 1
  rid="$(grep -i '^Lambda-Runtime-Aws-Request-Id:' "$hdrs" | cut -d: -f2- | tr -d '\r ')"
  printf '%s' '{"n":__N__}' | curl -sS -o /dev/null -X POST "$api/invocation/$rid/response" \
    -H 'Expect:' --data-binary @-
done
"""


def zip_for(n: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o100755 << 16
        z.writestr(info, BOOTSTRAP.replace("__N__", str(n)))
    return buffer.getvalue()


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@contextlib.contextmanager
def serving(binary: str):
    """A lambdad with an empty template on a free port: yields a keep-alive `call(method, path,
    body) -> (status, headers, body)`."""
    work = Path(tempfile.mkdtemp(prefix="lambdad-bench-"))
    (work / "template.yaml").write_text("Transform: AWS::Serverless-2016-10-31\nResources: {}\n")
    out, err = open(work / "out", "wb"), open(work / "err", "wb")
    server = subprocess.Popen([binary, "serve", str(work), "--api-port", "0", "--lambda-port",
                               "0", "--log-level", "warn", "--no-watch"],
                              stdout=out, stderr=err, cwd=work)
    try:
        port = None
        for _ in range(200):
            m = re.search(r"lambda api listening on http://[^:]+:(\d+)",
                          (work / "out").read_text(errors="replace"))
            if m:
                port = int(m.group(1))
                break
            if server.poll() is not None:
                sys.exit((work / "err").read_text())
            time.sleep(0.05)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

        def call(method, path, body=None):
            conn.request(method, path, body, {"Content-Type": "application/json"})
            r = conn.getresponse()
            return r.status, r.headers, r.read()

        yield call
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)


def create_body(name: str, n: int, **fields) -> str:
    return json.dumps({"FunctionName": name, "Runtime": "provided.al2023", "Role": ROLE,
                       "Handler": "bootstrap",
                       "Code": {"ZipFile": base64.b64encode(zip_for(n)).decode()}, **fields})


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--bin", default=os.environ.get("LAMBDAD_BIN", str(ROOT / "build" / "lambdad")))
    args = parser.parse_args()
    with serving(args.bin) as call:
        totals, creates, first_invokes, retries = [], [], [], 0
        for n in range(args.count):
            body = create_body(f"bench{n}", n)
            start = time.perf_counter()
            status, _, text = call("POST", "/2015-03-31/functions", body)
            created = time.perf_counter()
            if status != 201:
                sys.exit(f"CreateFunction answered {status}: {text[:300]!r}")
            while True:
                invoked = time.perf_counter()
                status, _, text = call("POST", f"/2015-03-31/functions/bench{n}/invocations",
                                       b"{}")
                if status == 200:
                    break
                if status != 404:
                    sys.exit(f"Invoke answered {status}: {text[:300]!r}")
                retries += 1
            done = time.perf_counter()
            if json.loads(text) != {"n": n}:
                sys.exit(f"bench{n} answered {text!r}")
            totals.append((done - start) * 1000)
            creates.append((created - start) * 1000)
            first_invokes.append((done - invoked) * 1000)
        print(f"CreateFunction -> first successful Invoke, {args.count} functions "
              f"(bash provided.al2023 zip, {len(zip_for(0))} B):")
        for label, values in (("create → first 200", totals), ("CreateFunction alone", creates),
                              ("first Invoke alone", first_invokes)):
            print(f"  {label:22} p50 {statistics.median(values):7.2f} ms   "
                  f"p90 {percentile(values, 90):7.2f} ms")
        print(f"  invokes answered 404 before the function was served: {retries}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

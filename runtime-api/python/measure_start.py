"""Measures the client's cold start: process spawn -> its first GET /invocation/next.

    python3 measure_start.py [--python PATH ...] [--runs N] [--handler-module TEXT]

For each interpreter it reports the median and quartiles, over N runs, of
  bare      `python -c pass`, spawn -> exit
  floor     `python -c` that connects and sends GET /next with `_socket` (the least any client
            can do)
  client    bootstrap.py with a trivial handler, spawn -> first /next
  +json     the same handler importing json (what most functions do)
Each run uses a clean environment as lambdad gives workers (no PYTHONDONTWRITEBYTECODE), a fake
Runtime API on a loopback port, and a fresh task root. The first run of each kind is not counted
(it writes __pycache__).
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

FLOOR = ("import _socket as s, os\n"
         "h, p = os.environ['AWS_LAMBDA_RUNTIME_API'].split(':')\n"
         "c = s.socket(s.AF_INET, s.SOCK_STREAM); c.connect((h, int(p)))\n"
         "c.sendall(b'GET /2018-06-01/runtime/invocation/next HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n')\n"
         "c.recv(10)\n")


def environment(port, task_root):
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "en_US.UTF-8", "TZ": ":UTC",
        "_HANDLER": "app.handler", "LAMBDA_TASK_ROOT": task_root, "LAMBDA_RUNTIME_DIR": HERE,
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}", "AWS_LAMBDA_FUNCTION_NAME": "measure",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_REGION": "us-east-1", "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "PYTHONPATH": HERE,
    }


def time_to_next(argv, env, cwd, listener):
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    listener.settimeout(10)
    try:
        conn, _ = listener.accept()
    except socket.timeout:
        proc.kill()
        raise SystemExit(f"{argv}: no connection; stderr: {proc.stderr.read().decode()}")
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    elapsed = time.perf_counter() - start
    conn.close()
    proc.kill()
    proc.wait()
    if not data.startswith(b"GET /2018-06-01/runtime/invocation/next"):
        raise SystemExit(f"{argv}: unexpected request {data[:80]!r}")
    return elapsed * 1000


def time_to_exit(argv, env, cwd):
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - start) * 1000


def summary(values):
    q = statistics.quantiles(values, n=4)
    return f"{statistics.median(values):6.1f} ms  (q1 {q[0]:.1f}, q3 {q[2]:.1f})"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", action="append")
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    pythons = args.python or ["/usr/bin/python3"]
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    root = tempfile.mkdtemp(prefix="lambdad-measure-")
    try:
        plain = os.path.join(root, "plain")
        with_json = os.path.join(root, "json")
        for folder, text in ((plain, "def handler(event, context):\n    return event\n"),
                             (with_json, "import json\n\ndef handler(event, context):\n"
                                         "    return json.dumps(event)\n")):
            os.makedirs(folder)
            with open(os.path.join(folder, "app.py"), "w") as f:
                f.write(text)
        bootstrap = os.path.join(HERE, "bootstrap.py")
        for python in pythons:
            env = environment(port, plain)
            json_env = environment(port, with_json)
            kinds = {
                "bare": lambda: time_to_exit([python, "-c", "pass"], env, plain),
                "floor": lambda: time_to_next([python, "-c", FLOOR], env, plain, listener),
                "client": lambda: time_to_next([python, bootstrap], env, plain, listener),
                "+json": lambda: time_to_next([python, bootstrap], json_env, with_json,
                                              listener),
            }
            results = {kind: [] for kind in kinds}
            for kind, run in kinds.items():
                run()  # warm-up: page cache, __pycache__
            for _ in range(args.runs):
                for kind, run in kinds.items():  # interleaved, so drift hits all alike
                    results[kind].append(run())
            version = subprocess.run([python, "-c", "import sys; print(sys.version.split()[0])"],
                                     capture_output=True, text=True).stdout.strip()
            print(f"{python} (Python {version}), {args.runs} runs")
            for kind, values in results.items():
                print(f"  {kind:7s} {summary(values)}")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

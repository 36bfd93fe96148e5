"""A scripted Runtime API endpoint for testing the bootstrap clients' HTTP (test_nodejs.py,
test_python.py): raw replies in order, every request recorded."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import textwrap
import threading
import time
import unittest
from pathlib import Path

class FakeRuntimeApi:
    """A Runtime API endpoint that answers from a script: `replies` are raw HTTP responses
    (bytes) or None (close the connection without answering), used in order. Records every
    request as (connection number, method, path, headers, body)."""

    def __init__(self, replies: list):
        self.replies = list(replies)
        self.requests: list[tuple] = []
        # Per request: bytes of the following request(s) that had already arrived when it was
        # read whole (a client pipelining its requests).
        self.ahead: list[int] = []
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.address = "127.0.0.1:%d" % self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        number = 0
        while self.replies:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            number += 1
            buffer = b""
            with conn:
                while self.replies:
                    while b"\r\n\r\n" not in buffer:
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        buffer += chunk
                    if b"\r\n\r\n" not in buffer:
                        break
                    head, _, buffer = buffer.partition(b"\r\n\r\n")
                    lines = head.decode().split("\r\n")
                    method, path, _ = lines[0].split(" ", 2)
                    headers = {k.lower(): v.strip() for k, _, v in
                               (line.partition(":") for line in lines[1:])}
                    length = int(headers.get("content-length", 0))
                    while len(buffer) < length:
                        buffer += conn.recv(65536)
                    body, buffer = buffer[:length], buffer[length:]
                    self.requests.append((number, method, path, headers, body))
                    self.ahead.append(len(buffer))
                    reply = self.replies.pop(0)
                    if reply is None:
                        break
                    conn.sendall(reply)
                    if b"Connection: close" in reply.split(b"\r\n\r\n")[0]:
                        break

    def close(self) -> None:
        self.listener.close()


RID = "11111111-2222-3333-4444-555555555555"


def next_reply(event: bytes, rid: str = RID, chunked: bool = False, close: bool = False,
               cognito: bool = False) -> bytes:
    """A /next answer carrying `event`, chunked or with a Content-Length."""
    head = ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            f"Lambda-Runtime-Aws-Request-Id: {rid}\r\n"
            f"Lambda-Runtime-Deadline-Ms: {int(time.time() * 1000) + 60000}\r\n"
            "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:F\r\n"
            "Lambda-Runtime-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1\r\n")
    if cognito:
        head += ('Lambda-Runtime-Cognito-Identity: {"cognitoIdentityId":"id-1",'
                 '"cognitoIdentityPoolId":"pool-1"}\r\n')
    if close:
        head += "Connection: close\r\n"
    if chunked:
        body = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (event[:3], event[3:]))
        return (head + "Transfer-Encoding: chunked\r\n\r\n").encode() + body + b"0\r\n\r\n"
    return (head + f"Content-Length: {len(event)}\r\n\r\n").encode() + event


ACCEPTED = (b'HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 15\r\n'
            b'\r\n{"status":"OK"}')
GONE = (b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2\r\nConnection: close\r\n\r\n{}")


def run_client(test: unittest.TestCase, command: list[str], app_file: str, app: str,
               replies: list, env: dict[str, str],
               api: FakeRuntimeApi | None = None) -> tuple[subprocess.CompletedProcess, list]:
    """Runs a bootstrap client (`command`) on `app` (written as `app_file` in a temp task root)
    against a FakeRuntimeApi answering `replies` (or `api`); its output and the requests it
    made."""
    api = api or FakeRuntimeApi(replies)
    test.addCleanup(api.close)
    root = Path(tempfile.mkdtemp(prefix="lambdad-wire-"))
    test.addCleanup(shutil.rmtree, root, ignore_errors=True)
    (root / app_file).write_text(textwrap.dedent(app))
    full_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LAMBDA_TASK_ROOT": str(root),
                "AWS_LAMBDA_RUNTIME_API": api.address, "AWS_LAMBDA_FUNCTION_NAME": "F", **env}
    proc = subprocess.run(command, env=full_env, cwd=root, capture_output=True, timeout=30)
    # decoded by hand: text mode would turn the "\r" inside log events into "\n"
    proc.stdout, proc.stderr = proc.stdout.decode(), proc.stderr.decode()
    return proc, api.requests

"""Test harness for the integration and e2e suites: a real `lambdad serve` on port 0.

A `Server` owns a fresh temp folder holding `template.yaml`, one code folder per function and the
state dir. It starts `lambdad serve` there, reads the two listening lines, and offers HTTP helpers
for the Lambda API, a read-only SQLite helper that polls (the server batches its writes) and a
`stop()` that sends SIGTERM, checks the exit status and checks that no worker process is left.

Workers are found as the server's descendants (/proc/*/stat ppid) while it runs, and by their
working directory, command line or environment pointing into the server's temp folder (every
function gets OUT_DIR there): sandboxed workers see their code at /var/task, so cwd and argv alone
no longer name the folder, and processes that outlive the server are no longer its descendants.

Sandboxed workers (the default tier where the host allows it) have their own PID namespace: `$$`
inside is not a host pid. A function names a process with `pid_ref` (bash runtime helper:
"<worker id>-<pid inside>"), and `Server.pid_of(ref)` finds its host pid. The server is started
with `--sandbox-writable OUT_DIR` so functions can drop files there; $LAMBDAD_TEST_SANDBOX forces
a tier for a whole run (e.g. `process`).

Functions are bash `bootstrap` scripts written per test (see `bash_function`) or a copy of the
C++ example (`cpp_function`), so that they also live under the temp folder.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import textwrap
import threading
import time
import unittest
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any, Callable, Iterable

SOURCE_DIR = Path(os.environ.get("LAMBDAD_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BUILD_DIR = Path(os.environ.get("LAMBDAD_BUILD_DIR", SOURCE_DIR / "build"))


def _die_with_parent() -> None:
    """preexec_fn: the server gets SIGKILL if the test process dies (e.g. killed by a ctest
    timeout), and its workers follow through their own PDEATHSIG."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def lambdad_bin() -> str:
    """The binary under test: $LAMBDAD_BIN, else <build>/lambdad."""
    path = os.environ.get("LAMBDAD_BIN") or str(BUILD_DIR / "lambdad")
    if not os.access(path, os.X_OK):
        raise unittest.SkipTest(f"no lambdad binary at {path} (set LAMBDAD_BIN or build first)")
    return path


CPP_BOOTSTRAP = Path(os.environ.get("LAMBDAD_HELLO_CPP",
                                    SOURCE_DIR / "examples" / "hello-cpp" / "dist" / "bootstrap"))

ACCOUNT = "123456789012"
REGION = "us-east-1"


def function_arn(name: str, qualifier: str | None = None) -> str:
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
    return f"{arn}:{qualifier}" if qualifier else arn


# The REPORT line exactly as AWS prints it (tabs, field order, trailing tab).
REPORT_RE = re.compile(
    r"^REPORT RequestId: (?P<id>[0-9a-f-]{36})\t"
    r"Duration: (?P<duration>\d+\.\d{2}) ms\t"
    r"Billed Duration: (?P<billed>\d+) ms\t"
    r"Memory Size: (?P<memory>\d+) MB\t"
    r"Max Memory Used: (?P<used>\d+) MB\t"
    r"(?:Init Duration: (?P<init>\d+\.\d{2}) ms\t)?$"
)
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


# ---- functions --------------------------------------------------------------------------------

# A custom runtime in bash, curl-based like examples/hello-bash. Hooks (bash snippets):
#   INIT     runs once before the loop
#   HANDLER  runs per event with $event (body), $rid (request id), $hdrs (file with the /next
#            headers); it sets $response (default: the event) or posts by itself and sets
#            handled=1
# Helpers: post_response BODY, post_error TYPE MESSAGE, post_init_error TYPE MESSAGE, header NAME.
BASH_RUNTIME = r"""#!/bin/bash
set -u
api="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
hdrs="$(mktemp)"
trap 'rm -f "$hdrs"' EXIT

pid_ref() { # [PID]: this worker's process (default: the runtime), for Server.pid_of
  echo "${AWS_LAMBDA_LOG_STREAM_NAME##*]}-${1:-$$}"
}
header() { # NAME: value of a /next header, "" when absent
  grep -i "^$1:" "$hdrs" | head -n1 | cut -d: -f2- | tr -d '\r' | sed 's/^ *//'
}
post_response() { # BODY
  printf '%s' "$1" | curl -sS -o /dev/null -X POST "$api/invocation/$rid/response" \
    -H 'Content-Type: application/json' -H 'Expect:' --data-binary @-
}
post_error() { # TYPE MESSAGE
  curl -sS -o /dev/null -X POST "$api/invocation/$rid/error" -H "Lambda-Runtime-Function-Error-Type: $1" \
    -H 'Expect:' --data-binary "{\"errorMessage\":\"$2\",\"errorType\":\"$1\",\"stackTrace\":[]}"
}
post_init_error() { # TYPE MESSAGE
  curl -sS -o /dev/null -X POST "$api/init/error" -H "Lambda-Runtime-Function-Error-Type: $1" \
    -H 'Expect:' --data-binary "{\"errorMessage\":\"$2\",\"errorType\":\"$1\",\"stackTrace\":[]}"
}

# ---- INIT ----
__INIT__
# ---- loop ----
while true; do
  event="$(curl -sS -D "$hdrs" "$api/invocation/next")" || exit 1
  rid="$(header Lambda-Runtime-Aws-Request-Id)"
  [[ -n "$rid" ]] || { echo "no request id from /next" >&2; exit 1; }
  response="$event"
  handled=0
# ---- HANDLER ----
__HANDLER__
# ---- end ----
  if [[ "$handled" != 1 ]]; then post_response "$response"; fi
done
"""


@dataclass
class Function:
    """One AWS::Serverless::Function of a test template."""

    name: str
    code: str | None = None  # bootstrap text (None: no bootstrap file at all)
    executable: bool = True
    copy_from: Path | None = None  # copy this file as the bootstrap instead of `code`
    properties: dict[str, Any] = field(default_factory=dict)  # extra SAM properties
    files: dict[str, str] = field(default_factory=dict)  # more files in the code folder (path: text)
    metadata: dict[str, Any] = field(default_factory=dict)  # the resource's Metadata

    def code_dir(self, root: Path) -> Path:
        return root / "functions" / self.name


def bash_function(name: str, handler: str = "", init: str = "", **properties: Any) -> Function:
    """A bash custom runtime; `handler` and `init` are bash snippets (see BASH_RUNTIME)."""
    code = BASH_RUNTIME.replace("__INIT__", textwrap.dedent(init).strip() or ":")
    code = code.replace("__HANDLER__", textwrap.dedent(handler).strip() or ":")
    return Function(name, code=code, properties=properties)


def script_function(name: str, script: str, executable: bool = True, **properties: Any) -> Function:
    """A bootstrap with exactly this text (for runtimes that misbehave before the loop)."""
    return Function(name, code=textwrap.dedent(script).lstrip(), executable=executable,
                    properties=properties)


def handler_function(name: str, runtime: str, handler: str, files: dict[str, str],
                     **properties: Any) -> Function:
    """A managed-runtime function (nodejs*/python*): `files` are written into its code folder,
    paths relative to it, texts dedented."""
    texts = {path: textwrap.dedent(text).lstrip() for path, text in files.items()}
    return Function(name, code=None, files=texts,
                    properties={"Runtime": runtime, "Handler": handler, **properties})


def client_files(folder: Path, into: str) -> dict[str, str]:
    """A runtime client's files (runtime-api/nodejs or python) to ship in a function's code folder
    under `into`, as AWS's own runtime interface clients are shipped: a sandboxed worker sees its
    code at /var/task and nothing of lambdad's source tree."""
    files: dict[str, str] = {}
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in (".mjs", ".cjs", ".js", ".py", ".json"):
            files[f"{into}/{path.relative_to(folder)}"] = path.read_text()
    return files


def cpp_function(name: str, **properties: Any) -> Function:
    """A copy of examples/hello-cpp's bootstrap: answers {"message":"hello from C++","input":E}."""
    if not CPP_BOOTSTRAP.exists():
        raise unittest.SkipTest(f"{CPP_BOOTSTRAP} is not built")
    return Function(name, copy_from=CPP_BOOTSTRAP, properties=properties)


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(str(value))  # a JSON string is a valid YAML double-quoted scalar


def _yaml(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v:
                lines.append(f"{pad}{k}:")
                lines.extend(_yaml(v, indent + 2))
            elif isinstance(v, dict):
                lines.append(f"{pad}{k}: {{}}")
            elif isinstance(v, list):
                lines.append(f"{pad}{k}: []")
            else:
                lines.append(f"{pad}{k}: {_yaml_scalar(v)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)):
                sub = _yaml(item, indent + 2)
                lines.append(f"{pad}- {sub[0].lstrip()}")
                lines.extend(sub[1:])
            else:
                lines.append(f"{pad}- {_yaml_scalar(item)}")
    return lines


def template_text(functions: Iterable[Function], globals_: dict[str, Any] | None = None) -> str:
    resources: dict[str, Any] = {}
    for fn in functions:
        props = {
            "CodeUri": f"functions/{fn.name}/",
            "Handler": "function.handler",
            "Runtime": "provided.al2023",
        }
        props.update(fn.properties)
        resources[fn.name] = {"Type": "AWS::Serverless::Function", "Properties": props}
        if fn.metadata:
            resources[fn.name]["Metadata"] = fn.metadata
    doc: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
    }
    if globals_:
        doc["Globals"] = {"Function": globals_}
    doc["Resources"] = resources
    return "\n".join(_yaml(doc, 0)) + "\n"


def write_functions(root: Path, functions: Iterable[Function]) -> None:
    for fn in functions:
        folder = fn.code_dir(root)
        folder.mkdir(parents=True, exist_ok=True)
        for relative, text in fn.files.items():
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            (folder / relative).write_text(text)
        bootstrap = folder / "bootstrap"
        if fn.copy_from is not None:
            shutil.copy2(fn.copy_from, bootstrap)
        elif fn.code is not None:
            bootstrap.write_text(fn.code)
        else:
            continue
        mode = 0o755 if fn.executable else 0o644
        bootstrap.chmod(mode)


# ---- HTTP -------------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: Message
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def log_tail(self) -> str:
        encoded = self.header("X-Amz-Log-Result")
        return base64.b64decode(encoded).decode("utf-8", "replace") if encoded else ""

    def __repr__(self) -> str:  # short enough for assertion messages
        body = self.body[:400].decode("utf-8", "replace")
        return f"<Response {self.status} {dict(self.headers.items())} {body!r}>"


def http_request(host: str, port: int, method: str, path: str, body: bytes | str | None = None,
                 headers: dict[str, str] | None = None, timeout: float = 30) -> Response:
    if isinstance(body, str):
        body = body.encode()
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        try:
            conn.request(method, path, body=body, headers=headers or {})
        except (BrokenPipeError, ConnectionResetError) as e:
            # The server answered early (e.g. 413) and closed: its answer may still be readable,
            # as it is for clients that write the whole body before reading (botocore does).
            try:
                r = conn.getresponse()
                return Response(r.status, r.headers, r.read())
            except (OSError, http.client.HTTPException) as e2:
                raise AssertionError(
                    f"{method} {path}: the server closed the connection while the request body "
                    f"({len(body or b'')} bytes) was being sent ({e!r}), and no response could be "
                    f"read ({e2!r})") from None
        r = conn.getresponse()
        data = r.read()
        return Response(r.status, r.headers, data)
    finally:
        conn.close()


# ---- processes --------------------------------------------------------------------------------


def _proc_info(pid: int) -> tuple[str, str, str] | None:
    """(state, cwd, cmdline) of a live process, None if it is gone or a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
        state = stat[stat.rindex(")") + 2]
        if state in "ZX":
            return None
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            cwd = ""
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmdline = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
        return state, cwd, cmdline
    except (OSError, ValueError):
        return None


def _parents() -> dict[int, int]:
    """pid -> ppid of every process."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            parents[int(entry)] = int(stat[stat.rindex(")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            pass
    return parents


def descendants(pid: int) -> set[int]:
    """Every live descendant of `pid` (children, grandchildren, ...)."""
    children: dict[int, list[int]] = {}
    for child, parent in _parents().items():
        children.setdefault(parent, []).append(child)
    found: set[int] = set()
    todo = list(children.get(pid, []))
    while todo:
        p = todo.pop()
        if p not in found:
            found.add(p)
            todo.extend(children.get(p, []))
    return found


def _environ(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            return f.read()
    except OSError:
        return b""


def processes_under(root: Path, exclude: Iterable[int] = (),
                    ancestor: int | None = None) -> dict[int, str]:
    """Live processes that belong to `root`'s server: descendants of `ancestor` (the server), or
    whose cwd, command line or environment points into `root`: pid -> description."""
    root_s = str(root)
    skip = {os.getpid(), *exclude}
    below = descendants(ancestor) if ancestor else set()
    found: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in skip:
            continue
        pid = int(entry)
        info = _proc_info(pid)
        if info is None:
            continue
        state, cwd, cmdline = info
        if (pid in below or cwd.startswith(root_s) or root_s in cmdline or
                root_s.encode() in _environ(pid)):
            found[pid] = f"[{state}] cwd={cwd} cmd={cmdline.strip()}"
    return found


def pid_of_ref(ref: str) -> int | None:
    """The host pid of a live process named by the bash runtime's `pid_ref` ("<worker id>-<pid
    as the worker sees it>"), None when it is gone."""
    worker, _, inner = ref.strip().rpartition("-")
    stream = f"]{worker}".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        env = _environ(pid)
        if stream + b"\0" not in env and not env.endswith(stream):
            continue
        try:
            with open(f"/proc/{pid}/status") as f:
                nspid = next(l for l in f if l.startswith("NSpid:")).split()[-1]
        except (OSError, StopIteration):
            continue
        if nspid == inner and _proc_info(pid) is not None:
            return pid
    return None


def pid_alive(pid: int) -> bool:
    return _proc_info(pid) is not None


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.05,
               message: str = "condition") -> Any:
    """Polls until predicate() is truthy and returns its value; AssertionError on timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.1f} s waiting for {message}")
        time.sleep(interval)


def rss_kb(pid: int, field_name: str = "VmHWM") -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    return 0


# ---- the server -------------------------------------------------------------------------------


class Server:
    """One `lambdad serve` with its own temp folder. Use as a context manager or call
    start()/stop(); cleanup() always kills whatever is left and removes the folder."""

    def __init__(self, functions: Iterable[Function] = (), *, template: str | None = None,
                 globals_: dict[str, Any] | None = None, args: Iterable[str] = (),
                 init_timeout: int | None = 2, shutdown_grace: int | None = 5,
                 env: dict[str, str] | None = None, prefix: str = "lambdad-it-"):
        self.functions = list(functions)
        self.root = Path(tempfile.mkdtemp(prefix=prefix))
        self.state_dir = self.root / "state"
        self.out_dir = self.root / "out"  # functions drop files here ($OUT_DIR)
        self.out_dir.mkdir()
        for fn in self.functions:
            variables = fn.properties.setdefault("Environment", {}).setdefault("Variables", {})
            variables.setdefault("OUT_DIR", str(self.out_dir))
        write_functions(self.root, self.functions)
        self.template_path = self.root / "template.yaml"
        self.template_path.write_text(
            template if template is not None else template_text(self.functions, globals_))
        self.args = list(args)
        if os.environ.get("LAMBDAD_TEST_SANDBOX") and "--sandbox" not in self.args:
            self.args += ["--sandbox", os.environ["LAMBDAD_TEST_SANDBOX"]]
        if init_timeout is not None:
            self.args += ["--init-timeout", str(init_timeout)]
        if shutdown_grace is not None:
            self.args += ["--shutdown-grace", str(shutdown_grace)]
        self.env = dict(os.environ)
        self.env.update(env or {})
        self.proc: subprocess.Popen | None = None
        self.host = "127.0.0.1"
        self.lambda_port = 0
        self.api_port = 0
        self.stdout_path = self.root / "stdout.txt"
        self.stderr_path = self.root / "stderr.txt"
        self.returncode: int | None = None

    # -- lifecycle --

    def command(self) -> list[str]:
        # Sandboxed workers may write only /tmp and what the server binds for them, and run as an
        # unprivileged user.
        self.out_dir.chmod(0o777)
        return [lambdad_bin(), "serve", str(self.root), "--api-port", "0", "--lambda-port", "0",
                "--state-dir", str(self.state_dir), "--sandbox-writable", str(self.out_dir),
                *self.args]

    def start(self, timeout: float = 10) -> "Server":
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(self.command(), stdout=out, stderr=err,
                                         stdin=subprocess.DEVNULL, env=self.env, cwd=self.root,
                                         preexec_fn=_die_with_parent)
        gateway_re = re.compile(r"^gateway listening on http://([^:]+):(\d+)$", re.M)
        lambda_re = re.compile(r"^lambda api listening on http://([^:]+):(\d+)$", re.M)

        def ready():
            text = self.stdout_path.read_text(errors="replace")
            g, l = gateway_re.search(text), lambda_re.search(text)
            if g and l:
                return g, l
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"lambdad serve exited with {self.proc.returncode} before listening:\n"
                    f"{self.stderr()}")
            return None

        try:
            g, l = wait_until(ready, timeout, message="the two listening lines")
        except BaseException:
            self.cleanup()
            raise
        self.api_port = int(g.group(2))
        self.lambda_port = int(l.group(2))
        self.host = l.group(1)
        return self

    def stderr(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""

    def stdout(self) -> str:
        try:
            return self.stdout_path.read_text(errors="replace")
        except OSError:
            return ""

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def workers(self) -> dict[int, str]:
        """Live processes that belong to this server's functions (not the server itself)."""
        exclude = [self.proc.pid] if self.proc else []
        alive = self.proc is not None and self.proc.poll() is None
        return processes_under(self.root, exclude, self.proc.pid if alive else None)

    def pid_of(self, ref: str) -> int | None:
        """Host pid of a process a function named with `pid_ref` (None once it is gone)."""
        return pid_of_ref(ref)

    def ref_alive(self, ref: str) -> bool:
        return self.pid_of(ref) is not None

    def sandbox_tier(self) -> str:
        """The tier the server's workers run at (namespaces, process or none)."""
        if getattr(self, "_tier", None) is None:
            text = self.metrics()
            self._tier = next((t for t in ("namespaces", "process", "none")
                               if metric(text, "lambdad_sandbox_tier", tier=t) == 1), "none")
        return self._tier

    def task_root(self, fn: "Function") -> str:
        """Where a function's worker sees its code: /var/task in a sandbox, else the folder."""
        return "/var/task" if self.sandbox_tier() == "namespaces" else str(fn.code_dir(self.root))

    def send_signal(self, sig: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(sig)

    def wait_exit(self, timeout: float = 15) -> int:
        assert self.proc is not None
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"lambdad did not exit within {timeout} s:\n{self.stderr()[-3000:]}")
        return self.returncode

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        """Signals the server, asserts exit status 0 and that no worker process remains."""
        if self.proc is None or self.proc.poll() is not None:
            code = None if self.proc is None else self.proc.returncode
            raise AssertionError(f"lambdad is not running (exit status {code}):\n"
                                 f"{self.stderr()[-3000:]}")
        self.send_signal(sig)
        code = self.wait_exit(timeout)
        self.assert_no_workers()
        if code != 0:
            raise AssertionError(f"lambdad exited with {code} after signal {sig}, not 0:\n"
                                 f"{self.stderr()[-3000:]}")

    def assert_no_workers(self, timeout: float = 2.0) -> None:
        # Killed processes may take a moment to disappear (they are reaped by init).
        deadline = time.monotonic() + timeout
        left = self.workers()
        while left and time.monotonic() < deadline:
            time.sleep(0.05)
            left = self.workers()
        if left:
            raise AssertionError("worker processes left behind:\n" +
                                 "\n".join(f"  {pid}: {d}" for pid, d in left.items()))

    def cleanup(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass
        for pid in self.workers():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.cleanup()

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    # -- HTTP --

    def request(self, method: str, path: str, body: bytes | str | None = None,
                headers: dict[str, str] | None = None, timeout: float = 30,
                port: int | None = None) -> Response:
        try:
            return http_request(self.host, port or self.lambda_port, method, path, body, headers,
                                timeout)
        except (OSError, http.client.HTTPException) as e:
            if self.proc is not None:
                try:
                    self.proc.wait(0.5)
                except subprocess.TimeoutExpired:
                    pass
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(
                    f"{method} {path}: {e!r}; lambdad is gone (exit status "
                    f"{self.proc.returncode}); its stderr ends with:\n{self.stderr()[-3000:]}"
                ) from None
            raise

    def invoke(self, name: str, payload: bytes | str | dict | list | None = b"{}", *,
               qualifier: str | None = None, invocation_type: str | None = None,
               log_type: str | None = None, headers: dict[str, str] | None = None,
               timeout: float = 30) -> Response:
        if isinstance(payload, (dict, list)):
            payload = json.dumps(payload)
        path = f"/2015-03-31/functions/{name}/invocations"
        if qualifier is not None:
            path += f"?Qualifier={qualifier}"
        h = {"Content-Type": "application/json"}
        if invocation_type:
            h["X-Amz-Invocation-Type"] = invocation_type
        if log_type:
            h["X-Amz-Log-Type"] = log_type
        h.update(headers or {})
        return self.request("POST", path, payload, h, timeout)

    def invoke_ok(self, test: unittest.TestCase, name: str, payload: Any = b"{}",
                  **kwargs: Any) -> Response:
        """Invokes and asserts 200 without a function error."""
        r = self.invoke(name, payload, **kwargs)
        test.assertEqual(r.status, 200, r)
        test.assertIsNone(r.header("X-Amz-Function-Error"), r)
        return r

    @property
    def lambda_url(self) -> str:
        return f"http://{self.host}:{self.lambda_port}"

    # -- SQLite --

    @property
    def db_path(self) -> Path:
        return self.state_dir / "lambdad.db"

    def sql(self, query: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=5)
        try:
            conn.row_factory = sqlite3.Row
            return conn.execute(query, tuple(params)).fetchall()
        finally:
            conn.close()

    def wait_sql(self, query: str, params: Iterable[Any] = (),
                 until: Callable[[list[sqlite3.Row]], bool] = bool, timeout: float = 5,
                 message: str | None = None) -> list[sqlite3.Row]:
        """Polls `query` until until(rows) holds; returns the rows."""
        params = tuple(params)
        last: list[sqlite3.Row] = []

        def check():
            nonlocal last
            try:
                last = self.sql(query, params)
            except sqlite3.OperationalError:  # database not created yet / busy
                return None
            return until(last) and (last or [True])

        try:
            wait_until(check, timeout, message=message or f"{query} {params}")
        except AssertionError as e:
            raise AssertionError(f"{e}; last rows: {[dict(r) for r in last]}") from None
        return last

    def invocation(self, request_id: str, timeout: float = 5) -> sqlite3.Row:
        return self.wait_sql("SELECT * FROM invocations WHERE request_id = ?", [request_id],
                             timeout=timeout, message=f"invocation record {request_id}")[0]

    def log_messages(self, request_id: str) -> list[str]:
        return [r["message"] for r in self.sql(
            "SELECT message FROM log_events WHERE request_id = ? ORDER BY id", [request_id])]

    def wait_log(self, request_id: str, prefix: str = "REPORT ", timeout: float = 5) -> list[str]:
        """Waits until a line starting with `prefix` is stored for the request; all its lines."""
        rows = self.wait_sql(
            "SELECT message FROM log_events WHERE request_id = ? ORDER BY id", [request_id],
            until=lambda rows: any(r["message"].startswith(prefix) for r in rows),
            timeout=timeout, message=f"a {prefix!r} line for {request_id}")
        return [r["message"] for r in rows]

    # -- files the functions drop in $OUT_DIR --

    def out_file(self, name: str, timeout: float = 5) -> str:
        path = self.out_dir / name
        wait_until(lambda: path.exists() and path.stat().st_size > 0, timeout,
                   message=f"{path}")
        time.sleep(0.02)  # let the writer finish the line
        return path.read_text()

    def metrics(self) -> str:
        return self.request("GET", "/metrics").text


def metric(text: str, name: str, **labels: str) -> float | None:
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    prefix = f"{name}{{{want}}} " if labels else f"{name} "
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line.rsplit(" ", 1)[1])
    return None


def parallel(calls: list[Callable[[], Any]], timeout: float = 30) -> list[Any]:
    """Runs the calls at once (released together by a barrier); their results in order."""
    results: list[Any] = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except BaseException as e:  # surfaced to the caller below
            results[i] = e

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    for r in results:
        if isinstance(r, BaseException):
            raise r
    return results


def run_cli(args: list[str], timeout: float = 30, env: dict[str, str] | None = None,
            input: str | None = None, cwd: str | Path | None = None
            ) -> subprocess.CompletedProcess:
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([lambdad_bin(), *args], capture_output=True, text=True, timeout=timeout,
                          env=full_env, input=input, cwd=cwd)


class ServerTestCase(unittest.TestCase):
    """One server for the whole class (setUpClass builds it from `functions()`)."""

    server: Server
    server_args: list[str] = []
    init_timeout: int | None = 2

    @classmethod
    def functions(cls) -> list[Function]:
        raise NotImplementedError

    @classmethod
    def setUpClass(cls) -> None:
        cls._start_server()

    @classmethod
    def _start_server(cls) -> None:
        cls.server = Server(cls.functions(), args=cls.server_args, init_timeout=cls.init_timeout)
        cls.server.start()

    def setUp(self) -> None:
        # A server that died in an earlier test (reported there) is replaced, so that one crash
        # does not fail every later test of the class.
        if not self.server.running():
            self.server.cleanup()
            type(self)._start_server()
        self._server_at_start = self.server

    def tearDown(self) -> None:
        server = self._server_at_start
        if server.proc is not None and server.proc.poll() is not None and server.returncode is None:
            raise AssertionError(f"lambdad died during this test (exit status "
                                 f"{server.proc.returncode}); its stderr ends with:\n"
                                 f"{server.stderr()[-3000:]}")

    @classmethod
    def tearDownClass(cls) -> None:
        try:
            if cls.server.running():
                cls.server.stop()
        finally:
            cls.server.cleanup()

    def assert_aws_error(self, r: Response, status: int, error_type: str,
                         message_key: str | None = None) -> dict:
        self.assertEqual(r.status, status, r)
        self.assertEqual(r.header("x-amzn-ErrorType"), error_type, r)
        self.assertTrue(r.header("x-amzn-RequestId"), r)
        body = r.json()
        self.assertEqual(body.get("Type"), "User", body)
        if message_key:
            self.assertIsInstance(body.get(message_key), str, body)
            self.assertTrue(body[message_key], body)
        return body

    def assert_function_error(self, r: Response, error_type: str) -> dict:
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("X-Amz-Function-Error"), "Unhandled", r)
        body = r.json()
        self.assertEqual(body.get("errorType"), error_type, body)
        return body

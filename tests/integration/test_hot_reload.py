"""Hot reload of a served folder: `lambdad serve PATH` watches the template and the functions' code
and layer folders. An edited function runs its new code on the next call while a call in flight
finishes on the old one; unchanged functions keep their warm workers; new routes answer and removed
functions are gone; a broken template is refused (its error and line in the log) while the old one
keeps serving; a burst of writes makes one reload; what the server or a function writes (state dir,
its own log, Python's __pycache__, editor scratch files) makes none; --no-watch turns it off."""

from __future__ import annotations

import os
import threading
import time
import unittest
from pathlib import Path

from harness import (REPORT_RE, Function, Server, bash_function, handler_function, http_request,
                     metric, run_cli, template_text, wait_until)


def version_function(name: str, version: str, **properties) -> Function:
    """Answers {"version": V, "worker": <pid_ref>}; an event {"sleep": S} sleeps S seconds first."""
    return bash_function(name, handler=f'''
        s=$(printf '%s' "$event" | sed -n 's/.*"sleep": *\\([0-9.]*\\).*/\\1/p')
        [[ -n "$s" ]] && sleep "$s"
        response="{{\\"version\\":\\"{version}\\",\\"worker\\":\\"$(pid_ref)\\"}}"
    ''', **properties)


def replace_file(path: Path, text: str, mode: int | None = None) -> None:
    """Writes as editors save: a new file renamed over the old one (a running bash script keeps
    reading the old one)."""
    temp = path.with_name(path.name + ".new")
    temp.write_text(text)
    if mode is not None:
        temp.chmod(mode)
    os.replace(temp, path)


def http_event(path: str, method: str = "GET") -> dict:
    return {"Type": "HttpApi", "Properties": {"Path": path, "Method": method}}


class ReloadServer(Server):
    """A served folder whose template and code the test edits."""

    def call(self, name: str, payload: dict | None = None) -> dict:
        r = self.invoke(name, payload or {})
        assert r.status == 200 and r.header("X-Amz-Function-Error") is None, r
        body = r.json()
        body["request_id"] = r.header("x-amzn-RequestId")
        return body

    def applied(self) -> float:
        return metric(self.metrics(), "lambdad_redeploys_total", result="applied") or 0

    def refused(self) -> float:
        return metric(self.metrics(), "lambdad_redeploys_total", result="refused") or 0

    def wait_applied(self, count: float, timeout: float = 10) -> None:
        wait_until(lambda: self.applied() >= count, timeout,
                   message=f"reload #{int(count)}; log:\n{self.stderr()[-2000:]}")

    def rewrite(self, functions: list[Function], **template_args) -> None:
        """The functions' code and the template, written afresh (Environment as the harness set
        it: OUT_DIR)."""
        for fn in functions:
            fn.properties.setdefault("Environment", {}).setdefault("Variables", {}).setdefault(
                "OUT_DIR", str(self.out_dir))
        for fn in functions:
            self.edit(fn.name, fn.code)
        replace_file(self.template_path, template_text(functions, **template_args))

    def edit(self, name: str, code: str) -> None:
        """Saves the function's bootstrap when its text changes (as an editor saves only what
        changed)."""
        path = self.root / "functions" / name / "bootstrap"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text() != code:
            replace_file(path, code, 0o755)

    def reload_lines(self) -> list[str]:
        return [line for line in self.stderr().splitlines() if "hot reload: deployed" in line]

    def wait_reload_line(self, summary: str) -> None:
        """Waits for a reload whose summary has this text (a loaded machine may split one edit
        into two reloads)."""
        wait_until(lambda: any(summary in line for line in self.reload_lines()), 10,
                   message=f"a reload with {summary!r}; log:\n{self.stderr()[-2000:]}")

    def idle(self, name: str) -> float | None:
        return metric(self.metrics(), "lambdad_workers_idle", function=name, version="$LATEST")

    def init_duration(self, request_id: str) -> str | None:
        report = self.wait_log(request_id)[-1]
        return REPORT_RE.match(report).group("init")


class HotReloadTest(unittest.TestCase):
    def serve(self, functions: list[Function], **kwargs) -> ReloadServer:
        server = ReloadServer(functions, **kwargs)
        self.addCleanup(server.cleanup)
        server.start()
        return server

    def test_edited_code_runs_and_unchanged_functions_stay_warm(self):
        a, b = version_function("A", "1"), version_function("B", "b")
        server = self.serve([a, b])
        self.assertIn("hot reload: watching", server.stderr())
        old_a = server.call("A")
        warm_b = server.call("B")

        server.rewrite([version_function("A", "2"), version_function("B", "b")])
        server.wait_reload_line("0 added, 1 replaced, 1 unchanged (kept warm), 0 removed")
        new_a = server.call("A")
        self.assertEqual(new_a["version"], "2")
        self.assertNotEqual(new_a["worker"], old_a["worker"])

        b = server.call("B")
        self.assertEqual(b["worker"], warm_b["worker"], "B's worker was replaced")
        self.assertIsNone(server.init_duration(b["request_id"]), "B was cold after the reload")
        self.assertIsNotNone(server.pid_of(b["worker"]))
        # A's old worker drained and is gone.
        wait_until(lambda: server.pid_of(old_a["worker"]) is None, 10, message="old worker gone")
        server.stop()

    def test_replaced_functions_are_prewarmed(self):
        server = self.serve([version_function("A", "1")])
        server.call("A")
        server.edit("A", version_function("A", "2").code)
        server.wait_applied(1)
        # The new pool starts as many workers as the old one had: one, warm before any call.
        wait_until(lambda: server.idle("A") == 1, 10, message="A's new worker idle")
        r = server.call("A")
        self.assertEqual(r["version"], "2")
        self.assertIsNone(server.init_duration(r["request_id"]))
        server.stop()

    def test_a_call_in_flight_finishes_on_the_old_code(self):
        server = self.serve([version_function("A", "old", Timeout=10)])
        server.call("A")
        slow: dict = {}
        thread = threading.Thread(target=lambda: slow.update(r=server.call("A", {"sleep": 2})))
        thread.start()
        wait_until(lambda: server.sql("SELECT 1 FROM log_events WHERE message LIKE 'START %'")[1:],
                   5, message="the slow call started")
        server.rewrite([version_function("A", "new", Timeout=10)])
        server.wait_applied(1)
        self.assertEqual(server.call("A")["version"], "new")
        thread.join(10)
        self.assertEqual(slow["r"]["version"], "old")
        server.stop()

    def test_new_routes_answer_and_removed_functions_are_gone(self):
        a, b = version_function("A", "1"), version_function("B", "b", Events={"Get": http_event("/b")})
        server = self.serve([a, b])
        gw = lambda path: http_request(server.host, server.api_port, "GET", path)  # noqa: E731
        self.assertEqual(gw("/b").status, 200)
        self.assertEqual(gw("/a").status, 404)
        worker_a = server.call("A")["worker"]

        # A gets a route (only the template changes: A keeps its warm worker) and B goes.
        server.rewrite([version_function("A", "1", Events={"Get": http_event("/a")})])
        server.wait_reload_line("0 added, 0 replaced, 1 unchanged (kept warm), 1 removed")
        r = gw("/a")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json()["worker"], worker_a)
        r = gw("/b")
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.json(), {"message": "Not Found"})
        r = server.invoke("B", {})
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.header("x-amzn-ErrorType"), "ResourceNotFoundException")

        # A new function with its own folder and route.
        server.rewrite([version_function("A", "1", Events={"Get": http_event("/a")}),
                        version_function("C", "c", Events={"Get": http_event("/c")})])
        server.wait_applied(2)
        r = gw("/c")
        self.assertEqual((r.status, r.json()["version"]), (200, "c"), r)
        server.stop()

    def test_a_broken_template_is_refused_and_the_old_one_keeps_serving(self):
        fns = [version_function("A", "1")]
        server = self.serve(fns)
        good = server.template_path.read_text()

        replace_file(server.template_path, good + "  Broken: [unclosed\n")
        wait_until(lambda: server.refused() >= 1, 10, message="the syntax error refused")
        self.assertRegex(server.stderr(), r"hot reload: template\.yaml refused; the running "
                                          r"deployment keeps serving:\n.*template\.yaml:\d+")
        self.assertEqual(server.call("A")["version"], "1")

        replace_file(server.template_path, good.replace("provided.al2023", "cobol"))
        wait_until(lambda: server.refused() >= 2, 10, message="the bad property refused")
        self.assertRegex(server.stderr(), r"template\.yaml:\d+: error: .*cobol")
        self.assertEqual(server.call("A")["version"], "1")
        self.assertEqual(server.applied(), 0)

        # Fixed: the next save is deployed, with the code edited meanwhile.
        server.rewrite([version_function("A", "3")])
        server.wait_applied(1)
        self.assertEqual(server.call("A")["version"], "3")
        server.stop()

    def test_a_burst_of_writes_is_one_reload(self):
        server = self.serve([version_function("A", "1"), version_function("B", "b")])
        folder = server.root / "functions" / "A"
        for i in range(100):
            (folder / "data.json").write_text(f'{{"i": {i}}}')
        for i in range(20):
            (folder / "generated" / str(i)).mkdir(parents=True)
            (folder / "generated" / str(i) / "file.js").write_text("x")
        for version in ("2", "3", "4"):
            replace_file(folder / "bootstrap", version_function("A", version).code, 0o755)
        server.wait_applied(1)
        time.sleep(1)  # longer than the quiet time: a second reload would have happened
        self.assertEqual(server.applied(), 1, server.stderr()[-3000:])
        self.assertEqual(len(server.reload_lines()), 1)
        self.assertEqual(server.call("A")["version"], "4")
        server.stop()

    def test_layers_are_watched(self):
        layer = Path("layers") / "shared"
        fn = version_function("A", "1", Layers=[f"{layer}/"])
        server = ReloadServer([fn])
        self.addCleanup(server.cleanup)
        (server.root / layer).mkdir(parents=True)
        (server.root / layer / "lib.sh").write_text("one=1\n")
        server.start()
        worker = server.call("A")["worker"]
        (server.root / layer / "lib.sh").write_text("one=2\n")
        server.wait_reload_line("0 added, 1 replaced, 0 unchanged (kept warm), 0 removed")
        self.assertNotEqual(server.call("A")["worker"], worker)
        server.stop()

    def test_what_the_server_and_functions_write_does_not_reload(self):
        # CodeUri '.': the served folder itself is the code folder, and holds the server's log
        # (stderr.txt), its state dir and the functions' writable folder.
        root_fn = version_function("Root", "r", CodeUri="./")
        py = handler_function("Py", "python3.12", "app.handler", {
            "app.py": "def handler(event, context):\n    return {'ok': True}\n"})
        server = ReloadServer([py])
        self.addCleanup(server.cleanup)
        server.root.chmod(0o755)  # mkdtemp's 0700 would keep a sandboxed worker out
        (server.root / "bootstrap").write_text(root_fn.code)
        (server.root / "bootstrap").chmod(0o755)
        server.functions.append(root_fn)
        root_fn.properties.setdefault("Environment", {"Variables": {"OUT_DIR": str(server.out_dir)}})
        server.template_path.write_text(template_text(server.functions))
        server.start()
        for _ in range(3):
            server.call("Root")
            r = server.invoke("Py", {})
            self.assertEqual(r.status, 200, r)
        for scratch in (".bootstrap.swp", "bootstrap~", "4913", ".#bootstrap"):
            (server.root / scratch).write_text("editor")
        (server.out_dir / "written-by-a-function").write_text("x")
        time.sleep(1)
        self.assertEqual(server.applied(), 0, server.stderr()[-3000:])
        self.assertEqual(server.refused(), 0)
        # A real edit in that folder still counts.
        replace_file(server.root / "bootstrap", version_function("Root", "r2").code, 0o755)
        server.wait_applied(1)
        self.assertEqual(server.call("Root")["version"], "r2")
        server.stop()

    def test_no_watch(self):
        server = self.serve([version_function("A", "1")], args=["--no-watch"])
        self.assertNotIn("hot reload", server.stderr())
        server.call("A")
        server.rewrite([version_function("A", "2")])
        time.sleep(1)
        self.assertEqual(server.call("A")["version"], "1")
        self.assertEqual(server.applied(), 0)
        server.stop()
        self.assertIn("--no-watch", run_cli(["serve", "--help"]).stdout)


if __name__ == "__main__":
    unittest.main()

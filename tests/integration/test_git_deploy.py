"""`serve --git URL --ref REF`: deploys from a git repository (a real one, made with git(1) in a
temp folder and served over file://), picks up new commits on `POST /_lambdad/deploy` and by
polling, drains old workers without dropping an in-flight call, keeps warm functions warm, and
refuses a broken commit while the running one keeps serving."""

import shutil
import subprocess
import tempfile
import threading
import unittest
from pathlib import Path

from harness import (REPORT_RE, Server, bash_function, http_request, metric, run_cli,
                     template_text, wait_until, write_functions)

GIT = shutil.which("git")


def version_function(name: str, version: str, **properties) -> "Function":
    """Answers {"version": V}; an event {"sleep": S} sleeps S seconds first."""
    return bash_function(name, handler=f'''
        s=$(printf '%s' "$event" | sed -n 's/.*"sleep": *\\([0-9.]*\\).*/\\1/p')
        [[ -n "$s" ]] && sleep "$s"
        response='{{"version":"{version}"}}'
    ''', **properties)


class Repo:
    """A git repository of functions; each commit() writes the template and code afresh."""

    def __init__(self, root: Path):
        self.path = root / "repo"
        self.path.mkdir()
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.email", "t@example.com")
        self.git("config", "user.name", "t")

    def git(self, *args: str) -> str:
        return subprocess.run([GIT, *args], cwd=self.path, check=True, capture_output=True,
                              text=True).stdout.strip()

    def commit(self, functions, message: str = "change", template: str | None = None) -> str:
        for child in self.path.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        write_functions(self.path, functions)
        (self.path / "template.yaml").write_text(template or template_text(functions))
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    @property
    def url(self) -> str:
        return f"file://{self.path}"


class GitServer(Server):
    def __init__(self, repo: Repo, root: Path, ref: str = "main", poll: int = 0, **kwargs):
        super().__init__(**kwargs)
        shutil.rmtree(self.root)
        self.root = root  # the repository lives here too: worker checks look under it
        self.state_dir = root / "state"
        self.out_dir = root / "out"
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.stdout_path = root / "stdout.txt"
        self.stderr_path = root / "stderr.txt"
        self.repo, self.ref, self.poll = repo, ref, poll

    def command(self) -> list[str]:
        return [*super().command()[:2], "--git", self.repo.url, "--ref", self.ref,
                "--git-poll", str(self.poll), *super().command()[3:]]

    def deploy(self):
        return self.request("POST", "/_lambdad/deploy")

    def version(self, name: str = "Fn", payload: dict | None = None) -> str:
        r = self.invoke(name, payload or {})
        assert r.status == 200, r
        return r.json()["version"]

    def checkouts(self) -> list[str]:
        folder = self.state_dir / "git" / "checkouts"
        return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@unittest.skipUnless(GIT, "git(1) makes the test repository and is not installed")
class GitDeployTest(unittest.TestCase):
    def setUp(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="lambdad-git-"))
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        self.repo = Repo(self.root)

    def serve(self, **kwargs) -> GitServer:
        server = GitServer(self.repo, self.root, **kwargs)
        server.start()
        self.addCleanup(server.cleanup)
        return server

    def test_deploys_new_commits_on_request(self):
        first = self.repo.commit([version_function("Fn", "1")], "v1")
        server = self.serve()
        self.assertEqual(server.version(), "1")
        self.assertEqual(server.checkouts(), [first])

        r = server.deploy()
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"ref": "main", "commit": first, "changed": False})

        second = self.repo.commit([version_function("Fn", "2"), version_function("New", "n")])
        r = server.deploy()
        self.assertEqual(r.status, 200, r)
        body = r.json()
        self.assertEqual((body["commit"], body["previousCommit"], body["changed"]),
                         (second, first, True))
        self.assertEqual(body["functions"], {"added": ["New"], "replaced": ["Fn"], "removed": []})
        self.assertEqual(server.version(), "2")
        self.assertEqual(server.version("New"), "n")
        # Once the old workers have gone, so has the old checkout.
        wait_until(lambda: server.checkouts() == [second], 10, message="old checkout removed")

        self.repo.commit([version_function("New", "n2")])
        body = server.deploy().json()
        self.assertEqual(body["functions"], {"added": [], "replaced": ["New"], "removed": ["Fn"]})
        self.assert_aws_404(server.invoke("Fn", {}))
        server.stop()

    def assert_aws_404(self, r) -> None:
        self.assertEqual(r.status, 404, r)
        self.assertEqual(r.header("x-amzn-ErrorType"), "ResourceNotFoundException")

    def test_in_flight_call_finishes_on_the_old_code(self):
        self.repo.commit([version_function("Fn", "old", Timeout=10)])
        server = self.serve()
        self.assertEqual(server.version(), "old")  # one warm worker
        slow: dict = {}
        thread = threading.Thread(target=lambda: slow.update(r=server.invoke("Fn", {"sleep": 2})))
        thread.start()
        wait_until(lambda: server.sql("SELECT 1 FROM log_events WHERE message LIKE 'START %'"
                                      )[1:], 5, message="the slow call started")
        self.repo.commit([version_function("Fn", "new", Timeout=10)])
        self.assertEqual(server.deploy().json()["changed"], True)
        self.assertEqual(server.version(), "new")
        thread.join(10)
        self.assertEqual(slow["r"].status, 200, slow["r"])
        self.assertEqual(slow["r"].json(), {"version": "old"})
        wait_until(lambda: len(server.checkouts()) == 1, 10, message="old checkout removed")
        server.stop()

    def test_routes_follow_the_deployed_template(self):
        self.repo.commit([version_function("Fn", "1")])
        server = self.serve()
        self.assertEqual(http_request(server.host, server.api_port, "GET", "/v").status, 403)
        event = {"Api": {"Type": "HttpApi", "Properties": {"Path": "/v", "Method": "GET"}}}
        self.repo.commit([version_function("Fn", "2", Events=event)])
        server.deploy()
        r = http_request(server.host, server.api_port, "GET", "/v")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json(), {"version": "2"})
        server.stop()

    def test_warm_functions_stay_warm(self):
        self.repo.commit([version_function("Fn", "1")])
        server = self.serve()
        server.version()
        self.repo.commit([version_function("Fn", "2")])
        server.deploy()
        wait_until(lambda: len(server.checkouts()) == 1, 10, message="the old worker stopped")
        wait_until(lambda: metric(server.metrics(), "lambdad_workers_idle", function="Fn",
                                  version="$LATEST") == 1, 10, message="the new worker idle")
        r = server.invoke("Fn", {})
        report = server.wait_log(r.header("x-amzn-RequestId"))[-1]
        self.assertIsNone(REPORT_RE.match(report).group("init"), report)
        server.stop()

    def test_polling_picks_up_commits(self):
        self.repo.commit([version_function("Fn", "1")])
        server = self.serve(poll=1)
        self.repo.commit([version_function("Fn", "2")])
        wait_until(lambda: server.version() == "2", 15, message="the polled deploy")
        server.stop()

    def test_a_broken_commit_is_refused_and_the_old_one_keeps_serving(self):
        good = self.repo.commit([version_function("Fn", "1")])
        server = self.serve()
        self.repo.commit([], template="Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n"
                                      "    Properties:\n      Runtime: cobol\n")
        r = server.deploy()
        self.assertEqual(r.status, 400, r)
        self.assertEqual(r.header("x-amzn-ErrorType"), "InvalidParameterValueException")
        self.assertRegex(r.json()["message"], r"template of main is broken: template\.yaml:\d+: ")
        self.assertEqual(server.version(), "1")
        self.assertIn(good, server.checkouts())
        fixed = self.repo.commit([version_function("Fn", "3")])
        self.assertEqual(server.deploy().json()["commit"], fixed)
        self.assertEqual(server.version(), "3")
        server.stop()

    def test_tags_commits_and_restarts(self):
        first = self.repo.commit([version_function("Fn", "1")])
        self.repo.git("tag", "v1")
        self.repo.commit([version_function("Fn", "2")])
        server = self.serve(ref="v1")
        self.assertEqual(server.version(), "1")
        server.stop()
        # The same state dir again: the clone is reused, the ref now a commit sha.
        server = self.serve(ref=first[:12])
        self.assertEqual(server.version(), "1")
        self.assertEqual(server.deploy().json()["changed"], False)
        server.stop()

    def test_bad_url_or_ref_stops_the_start(self):
        self.repo.commit([version_function("Fn", "1")])
        for ref, url, expected in [("nope", None, "ref 'nope' is neither a branch, a tag nor"),
                                   ("main", "file:///nonexistent/repo", "git: fetching ")]:
            server = GitServer(self.repo, self.root, ref=ref)
            if url:
                server.repo = type("R", (), {"url": url})()
            with self.assertRaisesRegex(AssertionError,
                                        f"exited with 1 before listening(.|\n)*{expected}"):
                server.start()

    def test_usage_errors(self):
        r = run_cli(["serve", "--git", self.repo.url])
        self.assertEqual(r.returncode, 2)
        self.assertIn("--git needs --ref", r.stderr)
        r = run_cli(["serve", "--ref", "main"])
        self.assertEqual(r.returncode, 2)


class FolderServerTest(unittest.TestCase):
    def test_deploy_needs_git(self):
        with Server([bash_function("Fn")]) as server:
            r = server.request("POST", "/_lambdad/deploy")
            self.assertEqual(r.status, 400, r)
            self.assertIn("--git", r.json()["message"])


if __name__ == "__main__":
    unittest.main()

"""A server killed with SIGKILL (issue 17, defect 5): no worker, nor a grandchild its handler left
running, outlives it for long, and the next start removes the cgroup folders it left behind (and
kills whatever was still in them), never those of a server that still runs."""

import os
import re
import signal
import time
import unittest
import uuid
from pathlib import Path

from harness import Server, bash_function, wait_until

CGROUP_ROOT = Path("/sys/fs/cgroup")


def marked(marker: str) -> dict[int, str]:
    """Live processes whose environment carries `marker`: pid -> command line."""
    found = {}
    needle = marker.encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if needle not in f.read():
                    continue
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            if stat[stat.rindex(")") + 2] in "ZX":
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                found[int(entry)] = f.read().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError):
            pass
    return found


def server_cgroup_folders(pid: int) -> list[Path]:
    """The lambdad-<pid> folders a running server made, in every hierarchy it uses."""
    folders = []
    with open(f"/proc/{pid}/cgroup") as f:
        for line in f:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            names = [c for c in controllers.split(",") if c in ("memory", "pids")]
            mounts = [CGROUP_ROOT / n for n in names]
            if not controllers and (CGROUP_ROOT / "cgroup.controllers").exists():
                mounts = [CGROUP_ROOT]
            for mount in mounts:
                folder = mount / path.lstrip("/") / f"lambdad-{pid}"
                if folder.is_dir():
                    folders.append(folder)
    return folders


# The handler starts a grandchild in a session of its own (out of the worker's process group, as a
# daemonising library would) and names it in $OUT_DIR.
HANDLER = r'''
setsid sleep 1000 < /dev/null > /dev/null 2>&1 &
echo $! > "$OUT_DIR/grandchild"
'''


class Kill9Test(unittest.TestCase):
    def test_kill9_leaves_no_worker_and_the_next_start_cleans_up(self):
        marker = f"LAMBDAD_KILL9_MARKER={uuid.uuid4().hex}"
        key, _, value = marker.partition("=")
        fn = bash_function("Spawner", HANDLER, Environment={"Variables": {key: value}})
        first = Server([fn])
        second = None
        try:
            first.start()
            first.invoke_ok(self, "Spawner", {})
            first.out_file("grandchild")
            wait_until(lambda: len(marked(value)) >= 2, 5,
                       message="the worker and its grandchild")
            tier = first.sandbox_tier()
            folders = server_cgroup_folders(first.pid)
            old_pid = first.pid
            first.proc.send_signal(signal.SIGKILL)
            first.proc.wait(10)
            if tier == "namespaces":
                # lambdad-init dies with lambdad (PDEATHSIG) and takes its PID namespace along.
                wait_until(lambda: not marked(value), 5,
                           message=f"no process of the killed server's workers: {marked(value)}")
            if not folders:
                self.skipTest("no delegated cgroup (v2 subtree or writable v1 memory controller): "
                              "the start-up sweep has nothing to clean")
            self.assertTrue(all(f.exists() for f in folders), folders)

            second = Server([bash_function("Echo")], prefix="lambdad-it-next-")
            second.start()
            for folder in folders:
                self.assertFalse(folder.exists(), f"{folder} is left after the next start")
            self.assertEqual(marked(value), {}, "a process of the killed server's workers runs on")
            self.assertIn(f"removed the cgroup folders of lambdad servers that were killed (pid",
                          second.stderr())
            self.assertIn(str(old_pid), second.stderr())
            # The new server's own folders are in place and it serves.
            self.assertTrue(server_cgroup_folders(second.pid))
            second.invoke_ok(self, "Echo", {})
            second.stop()
        finally:
            first.cleanup()
            if second is not None:
                second.cleanup()
            for pid in marked(value):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass

    def test_a_running_servers_folders_are_left_alone(self):
        with Server([bash_function("Echo")]) as running:
            running.invoke_ok(self, "Echo", {})
            folders = server_cgroup_folders(running.pid)
            if not folders:
                self.skipTest("no delegated cgroup: nothing to sweep")
            with Server([bash_function("Echo")], prefix="lambdad-it-next-") as other:
                other.invoke_ok(self, "Echo", {})
                swept = re.search(r"lambdad servers that were killed \(pid ([0-9, ]+)\)",
                                  other.stderr())
                if swept:
                    self.assertNotIn(str(running.pid), swept.group(1).split(", "))
                other.stop()
            self.assertTrue(all(f.exists() for f in folders), folders)
            running.invoke_ok(self, "Echo", {})
            running.stop()


if __name__ == "__main__":
    unittest.main()

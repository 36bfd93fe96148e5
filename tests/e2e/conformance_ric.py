"""AWS's Node.js runtime interface client (npm `aws-lambda-ric`), installed once per machine.

The package builds a native addon on install: its preinstall script builds a static libcurl
(`./buildconf` needs autoconf, automake and libtool) and aws-lambda-cpp (cmake, make, g++), and its
postinstall runs node-gyp (python3, the Node headers). scripts/install-deps.sh installs the Debian
packages. The install takes about a minute on 2 cores, so it is kept in a cache folder outside the
source tree, shared by every test run on the machine:

    ${LAMBDAD_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/lambdad}
        /aws-lambda-ric-<version>-node<abi>/

which holds only what the client needs at run time (`bin/`, `dist/` with the addon,
package.json); the build tree is thrown away. A `.installed` file marks a finished install; an
flock on a file beside it keeps two concurrent runs from installing twice. `ensure_ric()` returns the folder, or
raises unittest.SkipTest saying exactly why it cannot be installed here.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

# 3.x is the line that supports Node 16-20 (4.x requires Node >= 22); pinned so that a run
# months later builds the same client.
RIC_VERSION = "3.3.0"
RIC_PACKAGE = "aws-lambda-ric"

# What the package's install scripts run (preinstall.sh, postinstall.sh, node-gyp).
BUILD_TOOLS = {
    "npm": "npm",
    "cmake": "cmake",
    "make": "make",
    "g++": "g++",
    "autoconf": "autoconf",
    "automake": "automake",
    "libtoolize": "libtool",
    "python3": "python3",
}

# Well inside ctest's 600 s per test file, so that a hung npm (no registry) ends as a skip.
INSTALL_TIMEOUT = 6 * 60


def cache_root() -> Path:
    if os.environ.get("LAMBDAD_NPM_CACHE"):
        return Path(os.environ["LAMBDAD_NPM_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "lambdad"


def node_binary() -> str | None:
    return shutil.which("node")


def _node_abi(node: str) -> str:
    out = subprocess.run([node, "-p", "process.versions.modules + ' ' + process.version"],
                         capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        raise unittest.SkipTest(f"aws-lambda-ric: `node -p process.versions` failed: {out.stderr}")
    return out.stdout.split()[0]


def _check_loads(node: str, folder: Path) -> str | None:
    """None when the addon loads in this node, else the error."""
    addon = folder / "dist" / "rapid-client.node"
    if not addon.exists():
        return f"{addon} is missing"
    # The addon reads AWS_LAMBDA_RUNTIME_API when loaded (and aborts without it); it does not
    # connect until asked to.
    env = {**os.environ, "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9"}
    r = subprocess.run([node, "-e", f"require({json.dumps(str(addon))})"], capture_output=True,
                       text=True, timeout=30, env=env)
    return None if r.returncode == 0 else r.stderr.strip()[-2000:]


def ensure_ric() -> Path:
    """The client's folder (holding bin/index.mjs), installed on first use."""
    node = node_binary()
    if node is None:
        raise unittest.SkipTest("aws-lambda-ric needs node on PATH, and there is none")
    abi = _node_abi(node)
    root = cache_root()
    folder = root / f"{RIC_PACKAGE}-{RIC_VERSION}-node{abi}"
    marker = folder / ".installed"
    if marker.exists() and _check_loads(node, folder) is None:
        return folder

    missing = [pkg for tool, pkg in BUILD_TOOLS.items() if shutil.which(tool) is None]
    if missing:
        raise unittest.SkipTest(
            f"aws-lambda-ric {RIC_VERSION} builds a native addon on install and this machine "
            f"lacks {', '.join(sorted(set(missing)))} (scripts/install-deps.sh installs them)")

    try:
        root.mkdir(parents=True, exist_ok=True)
        lock = open(root / f".{RIC_PACKAGE}.lock", "w")
    except OSError as e:
        raise unittest.SkipTest(f"aws-lambda-ric: its cache folder {root} is not writable ({e}); "
                                f"LAMBDAD_NPM_CACHE names another") from None
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run may be installing: wait for it
        if marker.exists() and _check_loads(node, folder) is None:
            return folder
        return _install(node, abi, folder)


def _install(node: str, abi: str, folder: Path) -> Path:
    log_path = folder.parent / f"{folder.name}.install.log"
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        # npm 11 reports packages whose install scripts nobody approved, and says a later npm
        # will block them: this one's scripts are its build, so they are approved.
        (work / "package.json").write_text(json.dumps(
            {"private": True, "allowScripts": {RIC_PACKAGE: True}}) + "\n")
        env = dict(os.environ)
        # node-gyp would download the Node headers; the machine's node ships them (NodeSource's
        # and Debian's packages put them under /usr/include/node), and no download is needed.
        node_prefix = Path(node).resolve().parent.parent
        if (node_prefix / "include" / "node" / "common.gypi").exists() \
                and "npm_config_nodedir" not in env:
            env["npm_config_nodedir"] = str(node_prefix)
        env.setdefault("MAKEFLAGS", f"-j{os.cpu_count() or 1}")
        command = ["npm", "install", "--no-save", "--no-audit", "--no-fund", "--foreground-scripts",
                   "--no-package-lock", f"{RIC_PACKAGE}@{RIC_VERSION}"]
        print(f"installing {RIC_PACKAGE}@{RIC_VERSION} into {folder} (builds a native addon; "
              f"log: {log_path})", file=sys.stderr, flush=True)
        started = time.monotonic()
        with open(log_path, "w") as log:
            try:
                r = subprocess.run(command, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, timeout=INSTALL_TIMEOUT)
                code = r.returncode
            except subprocess.TimeoutExpired:
                code = f"a timeout after {INSTALL_TIMEOUT} s"
        seconds = time.monotonic() - started
        installed = work / "node_modules" / RIC_PACKAGE
        if code != 0:
            tail = log_path.read_text(errors="replace")[-3000:]
            raise unittest.SkipTest(
                f"`{' '.join(command)}` failed ({code}) after {seconds:.0f} s, so aws-lambda-ric "
                f"cannot be installed on this machine; the end of {log_path}:\n{tail}")
        # Keep what runs; the build tree (a static curl, aws-lambda-cpp) is ~150 MB.
        staged = work / "runtime"
        staged.mkdir()
        for name in ("bin", "dist", "package.json", "LICENSE", "NOTICE"):
            source = installed / name
            if source.is_dir():
                shutil.copytree(source, staged / name, symlinks=True)
            elif source.exists():
                shutil.copy2(source, staged / name)
        error = _check_loads(node, staged)
        if error is not None:
            raise unittest.SkipTest(
                f"aws-lambda-ric {RIC_VERSION} installed but its native addon does not load in "
                f"{node}: {error} (install log: {log_path})")
        (staged / ".installed").write_text(json.dumps(
            {"version": RIC_VERSION, "node_abi": abi, "install_seconds": round(seconds, 1)}) + "\n")
        if folder.exists():
            shutil.rmtree(folder)
        staged.rename(folder)
        print(f"installed {RIC_PACKAGE}@{RIC_VERSION} in {seconds:.0f} s", file=sys.stderr,
              flush=True)
        return folder
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":  # `python3 tests/e2e/conformance_ric.py`: install now, print the folder
    try:
        print(ensure_ric())
    except unittest.SkipTest as e:
        print(f"cannot install: {e}", file=sys.stderr)
        sys.exit(1)

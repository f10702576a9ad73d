"""Shared helpers for the project's tests: build submissions from the solutions, run the grader."""
from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from autograder.devtools.samples import MODULES, ROOT, solution, variant, write_class  # noqa: F401  (re-exported for tests)


ITEMS_OF = {  # the rubric items that grade each graded name of the student API
    "REPRESENTABLE": ["q1.representable"], "step": ["q1.step"], "step_network": ["q1.step_network"],
    "indicator_params": ["q1.indicator"], "piecewise_constant_params": ["q1.piecewise_constant"],
    "relu": ["q2.relu"], "relu_network": ["q2.relu_network"], "xor_weights": ["q2.xor_weights"],
    "softmax": ["q3.softmax"], "cross_entropy": ["q3.cross_entropy"], "forward": ["q3.forward"],
    "backprop": ["q3.grad_b2", "q3.grad_U", "q3.grad_b1", "q3.grad_W"],
}


def run_grader(submissions: Path, out: Path, *extra: str, config: Path | None = None, env: dict | None = None):
    """`python -m autograder grade` as a user runs it; returns the CompletedProcess."""
    cmd = [sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out), *extra]
    if config is not None:
        cmd += ["--config", str(config)]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600, env=env)


def read_grades(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "grades.csv", newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


WRITTEN = ("q1.explain", "q2.explain", "q3.derivation")  # config.yaml's written items (kind: manual)
AUTO_TOTAL, MAX_TOTAL = "100", "120"  # config.yaml's points: of the auto-graded items, of all


def read_result(out: Path, student: str, written: bool = False) -> dict[str, dict]:
    """{rubric id: test entry} from OUT/results/<student>.json: the auto-graded items (and with written=True,
    the written ones too, which people grade: tests of the code look at the others)."""
    doc = json.loads((out / "results" / f"{student}.json").read_text())
    return {test["name"].split()[0]: test for test in doc["tests"] if written or test["name"].split()[0] not in WRITTEN}


def read_markdown(path: Path) -> str:
    """A Markdown feedback page's text as it renders: Markdown's backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", Path(path).read_text())


def run_with_users(tmp: Path, users: dict[str, int], *args: str,
                   groups: dict[str, tuple[int, list[str]]] | None = None) -> subprocess.CompletedProcess:
    """`python -m autograder ARGS`, as root, on a machine whose /etc/passwd also names `users`
    ({name: uid}) and /etc/group `groups` ({name: (gid, members)}), bound over them in a private
    mount namespace (so ownership means what it would on a shared host, and the machine's own
    users are left alone)."""
    passwd, group = tmp / "passwd", tmp / "group"
    others = [line for line in open("/etc/passwd") if line.split(":")[0] not in users]
    passwd.write_text("".join(others) + "".join(f"{name}:x:{uid}:{uid}::/nonexistent:/bin/false\n"
                                                for name, uid in users.items()))
    others = [line for line in open("/etc/group") if line.split(":")[0] not in (groups or {})]
    group.write_text("".join(others) + "".join(f"{name}:x:{gid}:{','.join(members)}\n"
                                               for name, (gid, members) in (groups or {}).items()))
    script = f'mount --bind "{passwd}" /etc/passwd && mount --bind "{group}" /etc/group && exec "$0" "$@"'
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script,
                           sys.executable, "-m", "autograder", *args], cwd=ROOT, capture_output=True, text=True)


def chown_tree(folder: Path, uid: int) -> None:
    """Give `folder` and everything in it (links themselves, not what they point to) to `uid`."""
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            os.lchown(os.path.join(root, name), uid, uid)
    os.lchown(folder, uid, uid)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0"]


def browse(page: Path | str, tmp_path: Path, *extra: str) -> tuple[str, list[str]]:
    """Load a page (a file, or a URL) in headless Chromium, its profile in tmp_path (cookies persist
    from one call to the next); returns (stdout, console lines)."""
    url = page.as_uri() if isinstance(page, Path) else page
    proc = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *extra, url],
                          capture_output=True, text=True, timeout=120)
    return proc.stdout, [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]


def needs_chromium(test):
    import pytest

    return pytest.mark.skipif(CHROMIUM is None and os.environ.get("CI") != "true",
                              reason="Chromium is not installed (apt-get install chromium); CI installs it")(test)


@contextlib.contextmanager
def formgrader_server(course: Path, home: Path):
    """A real `jupyter server` with nbgrader's formgrader, started in the nbgrader course folder `course`, the
    instructor's HOME at `home`: yields (base URL, token). Token authentication stays on, as on an instructor's
    server."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    token = secrets.token_hex(16)
    home.mkdir(exist_ok=True)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}", HOME=str(home),
               JUPYTER_CONFIG_DIR=str(home / ".jupyter"), JUPYTER_RUNTIME_DIR=str(home / "runtime"))
    log_path = home / "jupyter-server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen([sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root",
                                   "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
                                   f"--IdentityProvider.token={token}",
                                   "--ServerApp.jpserver_extensions={'nbgrader.server_extensions.formgrader': True}"],
                                  cwd=course, env=env, stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    get_json(f"{base}/api/status", token)
                    break
                except OSError:
                    assert server.poll() is None and time.monotonic() < deadline, log_path.read_text()
                    time.sleep(0.3)
            yield base, token
        finally:
            server.terminate()
            server.wait(timeout=30)


def get_json(url: str, token: str, method: str = "GET", body: dict | None = None):
    """A formgrader (or Jupyter server) API call with the server's token: the decoded JSON answer."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def get_text(url: str, token: str) -> str:
    """A page of the server, as text."""
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read().decode()


def autograder(*args, cwd):
    """`python -m autograder ARGS` in `cwd`, which must succeed: its stdout."""
    proc = subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def student_nbgrader(student, home, *args, course_id="nn-backprop"):
    """nbgrader as a student: own HOME (so their own nbgrader cache), the local exchange of the course at
    HOME/../../course."""
    env = dict(os.environ, HOME=str(home), PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args, f"--course={course_id}",
                           f"--Exchange.root={home.parent.parent / 'course' / 'exchange'}", f"--student={student}"],
                          cwd=home, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc

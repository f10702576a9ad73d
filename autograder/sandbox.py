"""How a worker zygote is started: the sandbox backends.

- `bwrap`: bubblewrap. New user, pid, mount, network, IPC and UTS namespaces; the
  worker sees the system read-only, the Python installation, the worker code,
  one submission folder (read-only) and a private tmpfs. Nothing else.
- `plain`: a plain process with rlimits only. NOT a sandbox: used where bwrap
  cannot run (macOS, containers without user namespaces), with a loud warning.

`select_backend()` picks the strongest backend that works here, and says why.
"""
from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

WORKER_DIR = Path(__file__).resolve().parent / "worker"
SAFE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# Needed for correct numpy results on some CPUs (see the machine notes); not secret.
PASSTHROUGH_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
FIRST_WORKER_UID = 60000  # slot i runs student code as uid FIRST_WORKER_UID + i when the grader is root


@dataclass(frozen=True)
class Backend:
    """A way to start the worker: `argv(slot_dir)` and the paths as seen from inside."""

    name: str
    sandboxed: bool
    why: str

    def submission_path(self, slot_dir: Path) -> str:
        return "/submission" if self.sandboxed else str(slot_dir / "submission")

    def scratch_base(self, slot_dir: Path) -> str:
        return "/tmp" if self.sandboxed else str(slot_dir / "scratch")

    def own_pid_namespace(self) -> bool:
        return self.sandboxed

    def env(self) -> dict:
        env = dict(SAFE_ENV)
        env.update({k: os.environ[k] for k in PASSTHROUGH_ENV if k in os.environ})
        return env

    def argv(self, slot_dir: Path) -> list[str]:
        worker = [sys.executable, "-I", "-B"]
        if not self.sandboxed:
            return worker + [str(WORKER_DIR / "main.py")]
        return _bwrap_argv(slot_dir) + worker + ["/opt/worker/main.py"]


def _bwrap_argv(slot_dir: Path) -> list[str]:
    """bwrap options: read-only system and Python, one submission, a private /tmp, no network.

    As root, bwrap runs privileged (no user namespace) and keeps only CAP_SETUID/SETGID/KILL
    so the worker can drop each submission to an unprivileged uid, where RLIMIT_NPROC
    holds. As another user, a user namespace is used and the uid is already unprivileged.
    """
    argv = ["bwrap", "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net",
            "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    if os.geteuid() == 0:
        argv += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_KILL"]
    else:
        argv += ["--unshare-user"]
    argv += ["--ro-bind", "/usr", "/usr", "--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
    for link in ("bin", "lib", "lib32", "lib64", "sbin"):
        target = Path("/") / link
        if target.is_symlink():
            argv += ["--symlink", os.readlink(target), str(target)]
        elif target.is_dir():
            argv += ["--ro-bind", str(target), str(target)]
    binds = [(p, p) for p in _python_paths()]
    binds += [(str(WORKER_DIR), "/opt/worker"), (str(slot_dir / "submission"), "/submission")]
    made = {"/", "/usr", "/tmp", "/proc", "/dev"}
    for source, target in binds:
        for parent in reversed(Path(target).parents):
            if str(parent) not in made:  # bwrap would make missing parents 0700: unreadable once unprivileged
                argv += ["--perms", "0755", "--dir", str(parent)]
                made.add(str(parent))
        argv += ["--ro-bind", source, target]
        made.add(target)
    return argv


def _python_paths() -> list[str]:
    """Folders the worker's Python needs: the interpreter's prefix and the venv's packages."""
    paths = {sys.base_prefix, sys.prefix, sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
             str(Path(sys.executable).parent)}
    paths = sorted(p for p in paths if p and not p.startswith("/usr/") and os.path.isdir(p))
    return [p for p in paths if not any(p != q and p.startswith(q + os.sep) for q in paths)]


PLAIN_WARNING = ("WARNING: student code is NOT sandboxed (backend 'plain': rlimits only). "
                 "It can read any file this user can. Install bubblewrap (apt-get install bubblewrap) "
                 "on Linux to isolate it.")


@functools.lru_cache(maxsize=None)
def select_backend(preferred: str = "auto") -> Backend:
    """The strongest backend that works on this machine, or the one asked for."""
    if preferred == "plain":
        return Backend("plain", False, "asked for in config.yaml (sandbox.backend: plain)")
    problem = _bwrap_problem()
    if problem is None:
        return Backend("bwrap", True, "bubblewrap is installed and can create namespaces here")
    if preferred == "bwrap":
        raise RuntimeError(f"config.yaml asks for sandbox.backend: bwrap, but {problem}")
    return Backend("plain", False, problem)


def _bwrap_problem() -> str | None:
    if not sys.platform.startswith("linux"):
        return f"bubblewrap needs Linux (this is {sys.platform})"
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    probe = ["bwrap", "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc",
             "--dev", "/dev", "true"]
    try:
        result = subprocess.run(probe, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap could not run: {exc}"
    if result.returncode != 0:
        return f"bwrap cannot create namespaces here: {result.stderr.strip() or result.returncode}"
    return None

"""How a worker zygote is started: the sandbox backends, strongest first.

- `bwrap`: bubblewrap. New pid, mount, network, IPC and UTS namespaces; the worker
  sees the system read-only, the Python installation, the worker code, one
  submission folder (read-only) and a private /tmp. Nothing else.
- `namespaces`: the same view built without bubblewrap, for root: `unshare`
  makes the namespaces and the worker bind-mounts the same folders into a fresh
  tmpfs root and chroots into it (`worker/jail.py`).
- `plain`: a plain process with rlimits only. NOT a sandbox: used where neither
  works (macOS, containers without namespaces), with a loud warning.

In every backend, when the grader runs as root each submission runs as its own
unprivileged uid (FIRST_WORKER_UID + slot), so RLIMIT_NPROC holds and it cannot
signal the worker or the grader. `select_backend()` says which backend and why.
"""
from __future__ import annotations

import functools
import json
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
BACKENDS = ("bwrap", "namespaces", "plain")
NAMESPACES = ["--pid", "--fork", "--kill-child", "--mount", "--net", "--ipc", "--uts", "--propagation", "private"]


@dataclass(frozen=True)
class Backend:
    """A way to start the worker: `argv(slot_dir)` and the paths as seen from inside."""

    name: str
    why: str
    separate_uid: bool = True  # as root, run each submission as FIRST_WORKER_UID + slot (off only in tests)

    def submission_uid(self, slot_index: int) -> int | None:
        """The uid a submission runs as, or None to keep the grader's (when it is not root)."""
        return FIRST_WORKER_UID + slot_index if os.geteuid() == 0 and self.separate_uid else None

    @property
    def sandboxed(self) -> bool:
        return self.name != "plain"

    def submission_path(self, slot_dir: Path) -> str:
        return "/submission" if self.sandboxed else str(slot_dir / "submission")

    def scratch_base(self, slot_dir: Path) -> str:
        return "/tmp" if self.sandboxed else str(slot_dir / "scratch")

    def env(self, slot_dir: Path) -> dict:
        env = dict(SAFE_ENV)
        env.update({k: os.environ[k] for k in PASSTHROUGH_ENV if k in os.environ})
        if self.sandboxed:
            env["NNB_OWN_PID_NAMESPACE"] = "1"  # the worker may end every other process it sees
        elif self.submission_uid(0) is not None:
            env["NNB_SWEEP_UID"] = "1"  # no pid namespace: end every process of the submission's uid instead
        if self.name == "namespaces":
            env["NNB_JAIL"] = json.dumps({"root": str(slot_dir / "jail"), "binds": binds(slot_dir),
                                          "symlinks": system_symlinks(), "tmp": str(slot_dir / "scratch")})
        return env

    def argv(self, slot_dir: Path) -> list[str]:
        python = [sys.executable, "-I", "-B"]
        if self.name == "bwrap":
            return _bwrap_argv(slot_dir) + python + ["/opt/worker/main.py"]
        if self.name == "namespaces":
            return ["unshare", *NAMESPACES, "--"] + python + [str(WORKER_DIR / "main.py")]
        return python + [str(WORKER_DIR / "main.py")]


def binds(slot_dir: Path) -> list[list[str]]:
    """[source, target] folders bound read-only into the sandbox: system, Python, worker, one submission."""
    pairs = [["/usr", "/usr"]]
    pairs += [[p, p] for p in _python_paths()]
    pairs += [[str(WORKER_DIR), "/opt/worker"], [str(slot_dir / "submission"), "/submission"]]
    for link in ("bin", "lib", "lib32", "lib64", "sbin"):
        target = Path("/") / link
        if target.is_dir() and not target.is_symlink():
            pairs.append([str(target), str(target)])
    return pairs


def system_symlinks() -> list[list[str]]:
    """[link target, path] for /bin, /lib... where they are symlinks into /usr (merged /usr)."""
    return [[os.readlink(p), p] for p in ("/bin", "/lib", "/lib32", "/lib64", "/sbin") if os.path.islink(p)]


def _bwrap_argv(slot_dir: Path) -> list[str]:
    """bwrap options: read-only system and Python, one submission, a private /tmp, no network.

    As root, bwrap runs privileged (no user namespace) and keeps only CAP_SETUID,
    CAP_SETGID and CAP_KILL, so the worker can run each submission as an
    unprivileged uid and end it. As another user, a user namespace is used.
    """
    argv = ["bwrap", "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net",
            "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
    if os.geteuid() == 0:
        argv += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_KILL"]
    else:
        argv += ["--unshare-user"]
    # /tmp is the slot's scratch folder on the host, so the grader can empty it between submissions
    argv += ["--proc", "/proc", "--dev", "/dev", "--bind", str(slot_dir / "scratch"), "/tmp"]
    for target, link in system_symlinks():
        argv += ["--symlink", target, link]
    made = {"/", "/tmp", "/proc", "/dev"}
    for source, target in binds(slot_dir):
        for parent in reversed(Path(target).parents):
            if str(parent) not in made:  # bwrap would make missing parents 0700: unreadable once unprivileged
                argv += ["--perms", "0755", "--dir", str(parent)]
                made.add(str(parent))
        argv += ["--ro-bind", source, target]
        made.add(target)
    return argv + ["--chdir", "/tmp"]


def _python_paths() -> list[str]:
    """Folders the worker's Python needs: the interpreter's prefix and the venv's packages."""
    paths = {sys.base_prefix, sys.prefix, sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
             str(Path(sys.executable).parent)}
    paths = sorted(p for p in paths if p and not p.startswith("/usr/") and p != "/usr" and os.path.isdir(p))
    return [p for p in paths if not any(p != q and p.startswith(q + os.sep) for q in paths)]


PLAIN_WARNING = ("WARNING: student code is NOT sandboxed (backend 'plain': rlimits only). "
                 "It can read any file this user can. Install bubblewrap (apt-get install bubblewrap) "
                 "on Linux to isolate it.")


@functools.lru_cache(maxsize=None)
def select_backend(preferred: str = "auto") -> Backend:
    """The strongest backend that works on this machine, or the one asked for (error if it cannot run)."""
    problems = {}
    for name in BACKENDS if preferred == "auto" else (preferred,):
        problem = _PROBES[name]()
        if problem is None:
            why = "asked for in config.yaml (sandbox.backend)" if preferred != "auto" else _WHY[name]
            if problems:
                why += "; " + "; ".join(f"not {n}: {p}" for n, p in problems.items())
            return Backend(name, why)
        problems[name] = problem
    if preferred == "auto":
        raise RuntimeError("no way to run student code here: " + "; ".join(f"{n}: {p}" for n, p in problems.items()))
    raise RuntimeError(f"config.yaml asks for sandbox.backend: {preferred}, but {problems[preferred]}")


_WHY = {"bwrap": "bubblewrap is installed and can create namespaces here",
        "namespaces": "running as root: unshare creates the namespaces",
        "plain": "no isolation available"}


def _run_probe(argv: list[str]) -> str | None:
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{argv[0]} could not run: {exc}"
    if result.returncode != 0:
        return f"{argv[0]} cannot create namespaces here: {result.stderr.strip()[:200] or result.returncode}"
    return None


def _probe_bwrap() -> str | None:
    if not sys.platform.startswith("linux"):
        return f"bubblewrap needs Linux (this is {sys.platform})"
    if shutil.which("bwrap") is None:
        return "bubblewrap (bwrap) is not installed"
    return _run_probe(["bwrap", "--unshare-pid", "--unshare-net", "--die-with-parent", "--ro-bind", "/", "/",
                       "--proc", "/proc", "--dev", "/dev", "true"])


def _probe_namespaces() -> str | None:
    if not sys.platform.startswith("linux"):
        return f"namespaces need Linux (this is {sys.platform})"
    if os.geteuid() != 0:
        return "only root can create the namespaces without bubblewrap"
    if shutil.which("unshare") is None:
        return "unshare (util-linux) is not installed"
    return _run_probe(["unshare", *NAMESPACES, "--", "true"])


def _probe_plain() -> str | None:
    if os.geteuid() != 0:
        return None
    # As root, submissions run as an unprivileged uid: that uid must be able to use this Python.
    try:
        result = subprocess.run([sys.executable, "-I", "-c", "import glob, fcntl, json, numpy"], user=FIRST_WORKER_UID,
                                group=FIRST_WORKER_UID, extra_groups=[], capture_output=True, text=True, timeout=60,
                                cwd="/")
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"could not run Python as uid {FIRST_WORKER_UID}: {exc}"
    if result.returncode != 0:
        return (f"uid {FIRST_WORKER_UID}, which runs submissions, cannot use this Python "
                f"({result.stderr.strip().splitlines()[-1][:160] if result.stderr.strip() else result.returncode}); "
                "make the Python installation world-readable, or install bubblewrap")
    return None


_PROBES = {"bwrap": _probe_bwrap, "namespaces": _probe_namespaces, "plain": _probe_plain}

"""How a worker zygote is started: the sandbox backends, strongest first.

- `bwrap`: bubblewrap. New pid, mount, network, IPC and UTS namespaces; the worker
  sees the system read-only, the Python installation, the worker code, one
  submission folder (read-only) and a /tmp of its own. Nothing else.
- `namespaces`: the same view built without bubblewrap, for root: `unshare`
  makes the namespaces and the worker bind-mounts the same folders into a fresh
  tmpfs root and chroots into it (`worker/jail.py`).
- `plain`: a plain process with rlimits only. NOT a sandbox: used where neither
  works (macOS, containers without namespaces), with a loud warning.

In the sandboxed backends each submission gets a new tmpfs of `limits.scratch_mb` as /tmp
(mounted by the zygote, which keeps CAP_SYS_ADMIN for that alone) and runs under a seccomp
filter (worker/confine.py). When the grader runs as root each submission runs as an
unprivileged uid of its slot's own (`claim_worker_uid`: no two grader runs on one host share
one), so RLIMIT_NPROC holds and it cannot signal the worker or the grader.

Each backend is a class of its own (`Backend` says what one must offer); BACKENDS lists them
strongest first, and `select_backend()` says which one runs here and why.
"""
from __future__ import annotations

import fcntl
import functools
import json
import os
import random
import shutil
import stat
import subprocess
import sys
import sysconfig
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

WORKER_DIR = Path(__file__).resolve().parent / "worker"
SAFE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# Needed for correct numpy results on some CPUs (see the machine notes); not secret.
PASSTHROUGH_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
# Submissions run as one of these uids when the grader is root: above the ranges systemd gives
# people, homed and DynamicUser accounts, below the container ranges and 2^31.
WORKER_UIDS = range(1_800_000_000, 1_800_000_000 + 65536)
NAMESPACES = ["--pid", "--fork", "--kill-child", "--mount", "--net", "--ipc", "--uts", "--propagation", "private"]
STASH = "/.nnb-keep"  # where the sandbox keeps binds that belong under /tmp, to bind them again on each fresh /tmp
STAGING = "/.nnb-staging"  # the slot's copy of a submission, which each child copies to its own /submission


@dataclass(frozen=True)
class Backend(ABC):
    """A way to start the worker: `argv(slot_dir)`, its environment and the paths as seen from inside."""

    name: ClassVar[str]
    sandboxed: ClassVar[bool]
    why_auto: ClassVar[str]  # why `auto` picks it, when it is the strongest that works here
    why: str  # why it was picked
    separate_uid: bool = True  # as root, run each submission as its slot's own uid (off only in tests)

    @staticmethod
    @abstractmethod
    def probe() -> str | None:
        """Why this backend cannot run here, or None if it can."""

    @abstractmethod
    def submission_path(self, slot_dir: Path) -> str:
        """Where the worker finds the submission's files."""

    @abstractmethod
    def argv(self, slot_dir: Path) -> list[str]:
        """The command that starts the worker."""

    def env(self, slot_dir: Path, scratch: dict) -> dict:
        """The worker's environment; `scratch` is Limits.scratch() (the fresh tmpfs of each submission)."""
        env = dict(SAFE_ENV)
        env.update({k: os.environ[k] for k in PASSTHROUGH_ENV if k in os.environ})
        return env

    def runs_as_other_uid(self) -> bool:
        """Whether submissions run as a worker uid (the grader is root), not as the grader's own."""
        return os.geteuid() == 0 and self.separate_uid


class _Sandboxed(Backend):
    """What both sandboxes share: the submission at /submission, and a fresh /tmp for each child."""

    sandboxed = True

    def submission_path(self, slot_dir: Path) -> str:
        return "/submission"

    def env(self, slot_dir: Path, scratch: dict) -> dict:
        env = super().env(slot_dir, scratch)
        env["NNB_OWN_PID_NAMESPACE"] = "1"  # the worker may end every other process it sees
        env["NNB_SCRATCH"] = json.dumps(dict(scratch, keep=[[stash, target] for _, stash, target in _kept()],
                                             staging=STAGING, submission="/submission"))
        return env


class Bwrap(_Sandboxed):
    name = "bwrap"
    why_auto = "bubblewrap is installed and can create namespaces here"

    @staticmethod
    def probe() -> str | None:
        if not sys.platform.startswith("linux"):
            return f"bubblewrap needs Linux (this is {sys.platform})"
        if shutil.which("bwrap") is None:
            return "bubblewrap (bwrap) is not installed"
        user = [] if os.geteuid() == 0 else ["--unshare-user"]
        return _confinement_problem() or _run_probe(
            ["bwrap", *user, "--unshare-pid", "--unshare-net", "--die-with-parent", "--cap-drop", "ALL",
             "--cap-add", "CAP_SYS_ADMIN", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
             "true"])

    def argv(self, slot_dir: Path) -> list[str]:
        """bwrap options: read-only system and Python, one submission, an empty /tmp, no network.

        As root, bwrap runs privileged (no user namespace) and keeps only CAP_SETUID, CAP_SETGID,
        CAP_KILL and CAP_SYS_ADMIN, so the worker can mount each submission's /tmp, run it as an
        unprivileged uid and end it. As another user, a user namespace is used, with the same
        capabilities inside it. Submission processes drop them all (worker/confine.py).
        """
        argv = ["bwrap", "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net",
                "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
        if os.geteuid() != 0:
            argv += ["--unshare-user"]
        argv += ["--cap-drop", "ALL"]
        for cap in ("CAP_SETUID", "CAP_SETGID", "CAP_KILL", "CAP_SYS_ADMIN"):
            argv += ["--cap-add", cap]
        argv += ["--proc", "/proc", "--dev", "/dev", "--perms", "0755", "--dir", "/tmp", "--perms", "0755",
                 "--dir", "/submission", "--perms", "0700", "--dir", "/.nnb-pipes"]
        for target, link in system_symlinks():
            argv += ["--symlink", target, link]
        made = {"/", "/tmp", "/proc", "/dev", "/submission", "/.nnb-pipes"}
        for source, target in binds(slot_dir):
            for parent in reversed(Path(target).parents):
                if str(parent) not in made:  # bwrap would make missing parents 0700: unreadable once unprivileged
                    argv += ["--perms", "0755", "--dir", str(parent)]
                    made.add(str(parent))
            argv += ["--ro-bind", source, target]
            made.add(target)
        return argv + ["--chdir", "/", sys.executable, "-I", "-B", "/opt/worker/main.py"]


class Namespaces(_Sandboxed):
    name = "namespaces"
    why_auto = "running as root: unshare creates the namespaces"

    @staticmethod
    def probe() -> str | None:
        if not sys.platform.startswith("linux"):
            return f"namespaces need Linux (this is {sys.platform})"
        if os.geteuid() != 0:
            return "only root can create the namespaces without bubblewrap"
        if shutil.which("unshare") is None:
            return "unshare (util-linux) is not installed"
        return _confinement_problem() or _run_probe(["unshare", *NAMESPACES, "--", "true"])

    def env(self, slot_dir: Path, scratch: dict) -> dict:
        return super().env(slot_dir, scratch) | {"NNB_JAIL": json.dumps(
            {"root": str(slot_dir / "jail"), "binds": binds(slot_dir), "symlinks": system_symlinks()})}

    def argv(self, slot_dir: Path) -> list[str]:
        return ["unshare", *NAMESPACES, "--", sys.executable, "-I", "-B", str(WORKER_DIR / "main.py")]


class Plain(Backend):
    name = "plain"
    sandboxed = False
    why_auto = "no isolation available"

    @staticmethod
    def probe() -> str | None:
        if os.geteuid() != 0:
            return None
        # As root, submissions run as an unprivileged uid: that uid must be able to use this Python.
        uid = WORKER_UIDS.start
        try:
            result = subprocess.run([sys.executable, "-I", "-c", "import glob, fcntl, json, numpy"], user=uid,
                                    group=uid, extra_groups=[], capture_output=True, text=True, timeout=60, cwd="/")
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"could not run Python as uid {uid}: {exc}"
        if result.returncode != 0:
            return (f"uid {uid}, which runs submissions, cannot use this Python "
                    f"({result.stderr.strip().splitlines()[-1][:160] if result.stderr.strip() else result.returncode}); "
                    "make the Python installation world-readable, or install bubblewrap")
        return None

    def submission_path(self, slot_dir: Path) -> str:
        return str(slot_dir / "submission")

    def env(self, slot_dir: Path, scratch: dict) -> dict:
        env = super().env(slot_dir, scratch)
        if self.runs_as_other_uid():
            env["NNB_SWEEP_UID"] = "1"  # no pid namespace: end every process of the submission's uid instead
        return env

    def argv(self, slot_dir: Path) -> list[str]:
        return [sys.executable, "-I", "-B", str(WORKER_DIR / "main.py")]


def claim_worker_uid() -> tuple[int, object]:
    """A worker uid no other grader on this host uses, and the lock that holds it while this process lives.

    The lock is an flock on a file named after the uid, in a folder only root may write
    (LOCK_FOLDERS): the kernel releases it when the process ends, however it ends, and no
    student (nor a submission) can take the names first. A uid some process still runs as is skipped.
    """
    folder = _lock_folder()
    start = random.randrange(len(WORKER_UIDS))
    for offset in range(len(WORKER_UIDS)):
        uid = WORKER_UIDS[(start + offset) % len(WORKER_UIDS)]
        lock = open(os.open(folder / f"uid-{uid}", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600))
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            continue
        if not _uid_running(uid):
            return uid, lock
        lock.close()
    raise RuntimeError(f"no free worker uid in {WORKER_UIDS.start}..{WORKER_UIDS.stop - 1}")


LOCK_FOLDERS = ("/run/nn-backprop", "/var/lock/nn-backprop")


def _lock_folder() -> Path:
    """The folder of the uid locks: root's own (made 0700 if missing; refused if anyone else could write it)."""
    for name in LOCK_FOLDERS:
        folder = Path(name)
        if not folder.parent.is_dir():
            continue
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            pass
        except OSError:
            continue
        info = os.lstat(folder)
        if stat.S_ISDIR(info.st_mode) and info.st_uid == 0 and info.st_mode & 0o022 == 0:
            return folder
    raise RuntimeError(f"no folder for the worker uid locks: {' or '.join(LOCK_FOLDERS)} must be root's own "
                       "(made by the grader, mode 0700)")


def _uid_running(uid: int) -> bool:
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else ():
        try:
            if entry.isdigit() and os.stat(f"/proc/{entry}").st_uid == uid:
                return True
        except OSError:
            continue
    return False


def _kept() -> list[tuple[str, str, str]]:
    """(source, stash, target) of each bind whose target is under /tmp (a project that lives there)."""
    pairs = _all_binds(None)
    return [(source, f"{STASH}/{i}", target) for i, (source, target) in enumerate(pairs)
            if target == "/tmp" or target.startswith("/tmp/")]


def _all_binds(slot_dir: Path | None) -> list[list[str]]:
    pairs = [["/usr", "/usr"]]
    pairs += [[p, p] for p in _python_paths()]
    pairs += [[str(WORKER_DIR), "/opt/worker"]]
    if slot_dir is not None:
        pairs.append([str(slot_dir / "submission"), STAGING])  # copied to each child's own /submission
    for link in ("bin", "lib", "lib32", "lib64", "sbin"):
        target = Path("/") / link
        if target.is_dir() and not target.is_symlink():
            pairs.append([str(target), str(target)])
    return pairs


def binds(slot_dir: Path) -> list[list[str]]:
    """[source, target] folders bound read-only into the sandbox: system, Python, worker, one submission.

    A target under /tmp (a project that lives there) is also bound at its stash: each child mounts
    a new /tmp of its own and binds it again there from the stash (worker/jail.py).
    """
    return _all_binds(slot_dir) + [[source, stash] for source, stash, _ in _kept()]


def system_symlinks() -> list[list[str]]:
    """[link target, path] for /bin, /lib... where they are symlinks into /usr (merged /usr)."""
    return [[os.readlink(p), p] for p in ("/bin", "/lib", "/lib32", "/lib64", "/sbin") if os.path.islink(p)]


def _python_paths() -> list[str]:
    """Folders the worker's Python needs: the interpreter's prefix and the venv's packages."""
    paths = {sys.base_prefix, sys.prefix, sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
             str(Path(sys.executable).parent)}
    paths = sorted(p for p in paths if p and not p.startswith("/usr/") and p != "/usr" and os.path.isdir(p))
    return [p for p in paths if not any(p != q and p.startswith(q + os.sep) for q in paths)]


PLAIN_WARNING = ("WARNING: student code is NOT sandboxed (backend 'plain': rlimits only). "
                 "It can read any file this user can. Install bubblewrap (apt-get install bubblewrap) "
                 "on Linux to isolate it.")


def _run_probe(argv: list[str]) -> str | None:
    try:
        result = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{argv[0]} could not run: {exc}"
    if result.returncode != 0:
        return f"{argv[0]} cannot create namespaces here: {result.stderr.strip()[:200] or result.returncode}"
    return None


def _confinement_problem() -> str | None:
    """Why submission processes could not be confined (seccomp) here, or None."""
    from autograder.sandbox.worker import confine

    try:
        confine.build()
    except OSError as exc:
        return f"no seccomp filter: {exc.strerror or exc}"
    return None


# The backends by name, strongest first: `auto` takes the first that works here.
BACKENDS: dict[str, type[Backend]] = {kind.name: kind for kind in (Bwrap, Namespaces, Plain)}


@functools.lru_cache(maxsize=None)
def select_backend(preferred: str = "auto", source: str = "config.yaml") -> Backend:
    """The strongest backend that works on this machine, or the one asked for (error if it cannot run); `source`:
    the config file that asked, for the messages."""
    problems = {}
    for name in BACKENDS if preferred == "auto" else (preferred,):
        problem = BACKENDS[name].probe()
        if problem is None:
            why = f"asked for in {source} (sandbox.backend)" if preferred != "auto" else BACKENDS[name].why_auto
            if problems:
                why += "; " + "; ".join(f"not {n}: {p}" for n, p in problems.items())
            return BACKENDS[name](why)
        problems[name] = problem
    if preferred == "auto":
        raise RuntimeError("no way to run student code here: " + "; ".join(f"{n}: {p}" for n, p in problems.items()))
    raise RuntimeError(f"{source} asks for sandbox.backend: {preferred}, but {problems[preferred]}: set it to auto, or "
                       "make that backend work here (python -m autograder doctor says why)")

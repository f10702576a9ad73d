"""A worker slot on the grader's side: one sandboxed zygote, one submission process at a time.

The grader never imports student code. A `Submission` (submission.py) hands its
files to the slot (`Slot.take`) and calls into them; the slot asks the zygote
for a fresh child when that submission needs one, and ends it, with every
process it started, when the submission is done.

Nothing of one submission's reaches the next: sandboxed, each child gets a new tmpfs as
/tmp from the zygote; with the plain backend, each submission gets a new scratch folder
and the last one is removed without following links (tree.py).
"""
from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from autograder.core.files import overwrite
from autograder.core.tree import remove_tree
from autograder.sandbox.backends import Backend, claim_worker_uid
from autograder.sandbox.cgroup import ZYGOTE_ROOM_MB, MemoryGroup
from autograder.sandbox.limits import Limits


class WorkerStartError(RuntimeError):
    """The zygote could not be started: a grader fault, not the student's."""


class Slot:
    """A reusable worker slot, one submission at a time: `take(files)` puts the next one in."""

    def __init__(self, backend: Backend, limits: Limits, index: int = 0, parent: str | None = None,
                 cpu: int | None = None):
        """`cpu`: the core the grading process is pinned to; the zygote starts on any core and then moves
        there, so its children share the grading process's warm caches."""
        self.backend, self.limits, self.index, self.cpu = backend, limits, index, cpu
        # Its own workspace, readable by the unprivileged submission uid (a caller's tmp folder may not be),
        # in `parent` (the batch's folder, removed even if this process is killed) or the system's tmp folder.
        self.root = Path(tempfile.mkdtemp(prefix=f"nnb-slot{index}-", dir=parent))
        self.proc: subprocess.Popen | None = None
        self.control: socket.socket | None = None
        # As root, submissions run as a uid of this slot's own, held while this process lives.
        self.uid, self._uid_lock = claim_worker_uid() if backend.runs_as_other_uid() else (None, None)
        # All of a submission's processes and its /tmp within memory_mb + scratch_mb, where cgroups allow it.
        self.memory = MemoryGroup.make(f"nn-backprop-{self.uid if self.uid is not None else os.getpid()}-{index}",
                                       limits.memory_mb + limits.scratch_mb + ZYGOTE_ROOM_MB) \
            if backend.sandboxed and os.geteuid() == 0 else None
        self.scratch: Path | None = None  # plain backend: this submission's scratch folder
        self.placed = 0  # submissions placed so far
        self.modules: list[str] = []  # the submission's modules (file names without .py)
        self.files: dict[str, bytes] | None = None  # to place before the submission's first process
        self.unconfirmed_kill = False  # a kill was sent whose reply is not read yet
        self.launched = False  # the zygote was started and its hello is not read yet

    # -- zygote -------------------------------------------------------------------------
    def start(self) -> None:
        """Start the zygote and wait until it is ready (WorkerStartError if it is not)."""
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start the zygote without waiting for it: the grader gets on with its own start meanwhile.
        Whatever asks the zygote for something first waits until it is ready (wait_ready)."""
        for sub in ("submission", "jail"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        # Sandboxed, only root (the worker's child, before it drops privileges) reads the submission's copy
        # here: nobody else on the machine. Plain, the submission's uid itself must get through.
        private = self.backend.sandboxed
        os.chmod(self.root, 0o700 if private else 0o711)
        os.chmod(self.root / "submission", 0o700 if private else 0o755)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = self.backend.env(self.root, self.limits.scratch()) | {"NNB_CONTROL_FD": str(theirs.fileno())}
        if self.cpu is not None:
            env["NNB_CPU"] = str(self.cpu)
        log = open(self.root / "worker.log", "ab")
        try:
            argv = self.backend.argv(self.root)
            self.proc = subprocess.Popen(self.memory.wrap(argv) if self.memory else argv, stdin=subprocess.DEVNULL,
                                         stdout=log,
                                         stderr=log, pass_fds=[theirs.fileno()], env=env, cwd=self.root,
                                         start_new_session=True)
        finally:
            theirs.close()
            log.close()
        ours.settimeout(30)
        self.control = ours
        self.launched = True

    def wait_ready(self) -> None:
        """Read the launched zygote's hello; stop it and raise WorkerStartError if it did not start."""
        if not self.launched:
            return
        self.launched = False
        try:
            hello = self.control.recv(4096)
        except OSError as exc:
            hello = b""
            problem = str(exc)
        else:
            problem = "it exited"
        if not hello.startswith(b'{"ready"'):
            self._stop_worker()
            log_text = (self.root / "worker.log").read_text(errors="replace")[-2000:]
            raise WorkerStartError(f"worker ({self.backend.name}) did not start: {problem}\n{log_text}")
        hello = json.loads(hello)
        if self.backend.sandboxed and not hello.get("confined"):
            self._stop_worker()
            raise WorkerStartError(f"worker ({self.backend.name}) cannot confine submissions: {hello.get('why')}")

    def _control(self, message: dict, fds: list[int] = ()) -> tuple[dict, list[int]]:
        """Send a control message (with file descriptors); the zygote's reply and any it sent back."""
        if self.control is None:
            self.start()
        self.wait_ready()
        self.settle()
        socket.send_fds(self.control, [json.dumps(message).encode()], list(fds))
        reply, received, _, _ = socket.recv_fds(self.control, 65536, 3)
        if not reply:
            raise OSError("worker zygote closed its control socket")
        return json.loads(reply), received

    def stop(self) -> None:
        """End the worker and everything in it; the workspace and the uid go too."""
        try:
            self.settle()  # the last submission's processes are ended by the zygote, which knows them all
        except OSError:
            pass
        self._stop_worker()
        remove_tree(self.root)
        if self.memory is not None:
            self.memory.remove()
        if self._uid_lock is not None:
            self._uid_lock.close()
            self._uid_lock = None

    def _stop_worker(self) -> None:
        self.unconfirmed_kill = self.launched = False
        if self.control is not None:
            try:
                self.control.close()
            except OSError:
                pass
            self.control = None
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, 9)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()
            self.proc = None

    def restart(self) -> None:
        self._stop_worker()
        self.start()

    # -- submissions ----------------------------------------------------------------------
    def take(self, files: dict[str, bytes]) -> None:
        """The next submission's files: placed when its first process starts."""
        self.files = files
        self.modules = [name[:-3] for name in sorted(files)]

    def _place(self) -> None:
        """Once the previous submission's processes are confirmed dead: put the files in (and, plain, a new scratch)."""
        self.settle()
        self.placed += 1
        if not self.backend.sandboxed:  # sandboxed, the zygote mounts a fresh /tmp for each child
            if self.scratch is not None:
                remove_tree(self.scratch)  # if something is left, it goes with the slot's folder
            self.scratch = self.root / f"scratch{self.placed}"
            remove_tree(self.scratch)
            self.scratch.mkdir()
            os.chmod(self.scratch, 0o1777)
        target = self.root / "submission"
        for entry in target.iterdir():
            if entry.name not in self.files:
                entry.unlink()
        for name, data in self.files.items():  # the same names every time: rewritten, not new files
            path = target / name
            overwrite(path, data)
            os.chmod(path, 0o600 if self.backend.sandboxed else 0o644)
        self.files = None

    def end_child_later(self) -> None:
        """Ask the zygote to end the child, without waiting: the reply is read before the next request."""
        try:
            socket.send_fds(self.control, [b'{"op": "kill"}'], [])
            self.unconfirmed_kill = True
        except (OSError, AttributeError):
            self.restart()

    def settle(self) -> None:
        """Wait until an ended submission's processes are confirmed gone (see end_child_later)."""
        if self.unconfirmed_kill:
            self.unconfirmed_kill = False
            if not self.control.recv(65536):
                raise OSError("worker zygote closed its control socket")

    def spawn_child(self):
        """A fresh child process for the submission now in the slot: (pid, req_w, resp_r, out_r)."""
        if self.control is None:
            self.start()
        if self.files is not None:
            self._place()
        # Sandboxed, the zygote makes the child's pipes (FIFOs in a new tmpfs: their inode numbers are the
        # same for every child, where pipes' come from a kernel counter that tells of earlier children) and
        # sends us our ends. Plain, we make them and send the child's ends.
        ours = self.backend.sandboxed
        theirs = [] if ours else [fd for pair in (os.pipe(), os.pipe(), os.pipe()) for fd in pair]
        message = {"op": "spawn", "submission": self.backend.submission_path(self.root),
                   "scratch": "/tmp" if self.backend.sandboxed else str(self.scratch),
                   "limits": self.limits.rlimits(), "fifos": ours}
        if self.uid is not None:
            message["uid"] = self.uid
        try:
            for attempt in range(2):
                try:
                    reply, received = self._control(message, [theirs[i] for i in (0, 3, 5)] if theirs else [])
                    break
                except OSError:
                    if attempt:
                        raise
                    self.restart()  # the zygote died (a student may have killed it): start another
        finally:
            for i in (0, 3, 5) if theirs else ():
                os.close(theirs[i])
        req_w, resp_r, out_r = received if ours else (theirs[1], theirs[2], theirs[4])
        if "pid" not in reply or (ours and len(received) != 3):
            for fd in (*received, *([req_w, resp_r, out_r] if not ours else [])):
                os.close(fd)
            raise WorkerStartError(f"the submission process could not be started: {reply.get('error')}")
        for fd in (req_w, resp_r, out_r):  # never blocking: a child that stops reading cannot hold the grader
            os.set_blocking(fd, False)
        hello = _read_frame(resp_r, time.monotonic() + 10)
        if hello != {"ready": True}:
            for fd in (req_w, resp_r, out_r):
                os.close(fd)
            self.kill_child()
            why = hello.get("setup_failed") if isinstance(hello, dict) else "no answer"
            raise WorkerStartError(f"the submission process could not be set up: {why}")
        return reply["pid"], req_w, resp_r, out_r

    def kill_child(self) -> str:
        """End the current child and everything it started; return how it ended."""
        try:
            return self._control({"op": "kill"})[0].get("status", "")
        except (OSError, ValueError):
            self.restart()
            return "gone"


def _read_frame(fd: int, deadline: float):
    """One small wire frame from a non-blocking pipe (None on end of file, timeout or bad data)."""
    from autograder.sandbox.worker.wire import WireError, loads  # numpy: not before the zygote is started

    data = bytearray()
    while len(data) < 4 or len(data) - 4 < int.from_bytes(data[:4], "big"):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0] or len(data) > 65536:
            return None
        chunk = read_some(fd)
        if chunk == b"":
            return None
        data += chunk or b""
    try:
        return loads(bytes(data[4:]))
    except WireError:
        return None


def read_some(fd: int) -> bytes | None:
    """Up to 64 KiB (a pipe's buffer) from a non-blocking pipe: b"" at end of file, None if nothing is there yet.

    Not more: os.read allocates the full size first, and a 1 MiB buffer costs 15x a 64 KiB one.
    """
    try:
        return os.read(fd, 1 << 16)
    except BlockingIOError:
        return None



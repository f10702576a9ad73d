"""Grader side of a worker slot: one sandboxed zygote, one submission process at a time.

The grader never imports student code. It hands the submission's files to the
slot, asks the zygote for a fresh child, and then talks to that child over
three pipes it owns: requests, responses (wire frames) and output (captured,
capped). Every wait has a deadline; a child that overruns is killed with every
process it started, and the next call gets a fresh child.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from .limits import CRASHED, ERROR, INVALID, LIMIT, OK, TIMEOUT, UNAVAILABLE, Limits, Outcome
from .sandbox import Backend, binds
from .worker.wire import WireError, digest, dumps, loads

_SIGNAL_REASONS = {  # each completes "<function> ..."
    9: "was killed: it ran past a limit (CPU time or memory)",
    24: "used more CPU time than allowed (CPU limit)",
    25: "wrote a file larger than allowed (file size limit)",
    11: "crashed with a segmentation fault",
    6: "aborted the process",
}


class WorkerStartError(RuntimeError):
    """The zygote could not be started: a grader fault, not the student's."""


class Slot:
    """A reusable worker slot. `open(files)` gives a `Submission` to call into."""

    def __init__(self, backend: Backend, limits: Limits, index: int = 0):
        self.backend, self.limits, self.index = backend, limits, index
        # Its own workspace, readable by the unprivileged submission uid (a caller's tmp folder may not be).
        self.root = Path(tempfile.mkdtemp(prefix=f"nnb-slot{index}-"))
        self.proc: subprocess.Popen | None = None
        self.control: socket.socket | None = None
        self.spawned = 0
        self.keep = self._mountpoints()
        self.modules: list[str] = []  # the submission's modules (file names without .py)
        self.files: dict[str, bytes] | None = None  # to place before the submission's first process
        self.unconfirmed_kill = False  # a kill was sent whose reply is not read yet

    # -- zygote -------------------------------------------------------------------------
    def start(self) -> None:
        for sub in ("submission", "scratch", "jail"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)
        os.chmod(self.root / "submission", 0o755)
        os.chmod(self.root / "scratch", 0o1777)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = self.backend.env(self.root) | {"NNB_CONTROL_FD": str(theirs.fileno())}
        log = open(self.root / "worker.log", "ab")
        try:
            self.proc = subprocess.Popen(self.backend.argv(self.root), stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=log, pass_fds=[theirs.fileno()], env=env, cwd=self.root,
                                         start_new_session=True)
        finally:
            theirs.close()
            log.close()
        ours.settimeout(30)
        self.control = ours
        try:
            hello = ours.recv(4096)
        except OSError as exc:
            hello = b""
            problem = str(exc)
        else:
            problem = "it exited"
        if not hello.startswith(b'{"ready"'):
            self._stop_worker()
            log_text = (self.root / "worker.log").read_text(errors="replace")[-2000:]
            raise WorkerStartError(f"worker ({self.backend.name}) did not start: {problem}\n{log_text}")

    def _control(self, message: dict, fds: list[int] = ()) -> dict:
        if self.control is None:
            self.start()
        self.settle()
        socket.send_fds(self.control, [json.dumps(message).encode()], list(fds))
        reply = self.control.recv(65536)
        if not reply:
            raise OSError("worker zygote closed its control socket")
        return json.loads(reply)

    def stop(self) -> None:
        """End the worker and everything in it; the workspace goes too."""
        try:
            self.settle()  # the last submission's processes are ended by the zygote, which knows them all
        except OSError:
            pass
        self._stop_worker()
        shutil.rmtree(self.root, ignore_errors=True)

    def _stop_worker(self) -> None:
        self.unconfirmed_kill = False
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
    def open(self, files: dict[str, bytes]) -> "Submission":
        """A handle to call into one submission; its files are placed when its first process starts."""
        self.files = files
        self.modules = [name[:-3] for name in sorted(files)]
        return Submission(self)

    def _place(self) -> None:
        """Once the previous submission's processes are confirmed dead: empty scratch, put the files in."""
        self.settle()
        _empty(self.root / "scratch", self.keep)  # nothing an earlier submission left reaches this one
        target = self.root / "submission"
        for entry in target.iterdir():
            entry.unlink()
        for name, data in self.files.items():
            path = target / name
            path.write_bytes(data)
            os.chmod(path, 0o644)
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

    def _mountpoints(self) -> set[Path]:
        """Folders in the scratch folder that hold the sandbox's read-only binds (a project under /tmp)."""
        keep = set()
        if self.backend.sandboxed:
            for _, target in binds(self.root):
                if target.startswith("/tmp/"):
                    path = self.root / "scratch" / target[len("/tmp/"):]
                    keep.update([path, *path.parents])
        return keep

    def spawn_child(self):
        """A fresh child process for the submission now in the slot: (pid, req_w, resp_r, out_r)."""
        if self.control is None:
            self.start()
        if self.files is not None:
            self._place()
        req_r, req_w = os.pipe()
        resp_r, resp_w = os.pipe()
        out_r, out_w = os.pipe()
        self.spawned += 1
        message = {"op": "spawn", "submission": self.backend.submission_path(self.root),
                   "scratch": self.backend.scratch_base(self.root),
                   "limits": self.limits.rlimits()}
        uid = self.backend.submission_uid(self.index)
        if uid is not None:
            message["uid"] = uid
        try:
            for attempt in range(2):
                try:
                    reply = self._control(message, [req_r, resp_w, out_w])
                    break
                except OSError:
                    if attempt:
                        raise
                    self.restart()  # the zygote died (a student may have killed it): start another
        finally:
            for fd in (req_r, resp_w, out_w):
                os.close(fd)
        for fd in (resp_r, out_r):
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
            return self._control({"op": "kill"}).get("status", "")
        except (OSError, ValueError):
            self.restart()
            return "gone"


class Submission:
    """Calls into one submission's code. Results are cached per identical call.

    `call_many` sends all cases of a function in one request; the worker answers
    case by case, and each answer has its own deadline (the per-call limit).
    """

    def __init__(self, slot: Slot):
        self.slot = slot
        self.limits = slot.limits
        self.child = None  # (pid, req_w, resp_r, out_r)
        self.inbox = bytearray()  # bytes read from the child not yet consumed as frames
        self.imported: dict[str, Outcome] = {}
        self.cache: dict[bytes, Outcome] = {}
        self.lists: dict[tuple, tuple[list, list[Outcome]]] = {}
        self.stuck: dict[tuple[str, str], Outcome] = {}
        self.used_seconds = 0.0  # wall time spent waiting on calls into student code
        self.children = 0  # processes started for this submission
        self.output = bytearray()
        self.output_total = 0
        self.limit_hits: list[str] = []

    # -- public -----------------------------------------------------------------------
    def import_module(self, module: str) -> Outcome:
        """Import a student module in the worker (once); the value lists its public names.

        The first import brings in every graded module of the submission in one request;
        a module after one that hangs or crashes is left to be imported on its own.
        """
        if module not in self.imported:
            batch = [module] + [m for m in self.slot.modules if m != module and m not in self.imported]
            answers = self._request({"op": "import", "modules": batch}, len(batch), (module, "<import>"))
            for name, outcome in zip(batch, answers):
                self.imported[name] = outcome
                if outcome.kind in (TIMEOUT, CRASHED, LIMIT, INVALID):
                    break
        return self.imported[module]

    def call(self, module: str, function: str, *args, **kwargs) -> Outcome:
        """Call module.function(*args, **kwargs) in the worker; plain data in, plain data out."""
        return self.call_many(module, function, [args], kwargs)[0]

    def call_given(self, module: str, function: str, args, kwargs=None, given: dict | None = None) -> Outcome:
        """Like `call`, with some of the module's functions replaced for this call only.

        `given` maps a function name to a table [[args, value], ...]: during the call,
        that function returns `value` for inputs close to `args` (and raises otherwise).
        It lets one item be judged on its own when a helper it uses is wrong.
        """
        return self.call_many(module, function, [args], kwargs, given)[0]

    def call_many(self, module: str, function: str, cases: list, kwargs=None, given=None) -> list[Outcome]:
        """module.function(*args, **kwargs) for each args in cases: one Outcome per case, in order."""
        imported = self.import_module(module)
        if not imported.ok:
            return [Outcome(UNAVAILABLE, reason=_unavailable(module, imported), traceback=imported.traceback)
                    for _ in cases]
        if function not in imported.value:
            return [Outcome(UNAVAILABLE, reason=f"{module}.py has no {function}: define it with that exact name")
                    for _ in cases]
        if isinstance(cases, list) and not kwargs and not given:
            # The same list of cases (one student's) is graded by several items: answer it once.
            # The entry keeps the list alive, so its id cannot be reused while the cache exists.
            entry = self.lists.get((module, function, id(cases)))
            if entry is not None and entry[0] is cases:
                return entry[1]
        base = digest([module, function, kwargs or {}, given or {}])
        keys = [digest([base, list(args)]) for args in cases]
        todo = [i for i, key in enumerate(keys) if key not in self.cache]
        if todo:
            request = {"op": "call", "module": module, "function": function,
                       "cases": [list(cases[i]) for i in todo], "kwargs": kwargs or {}}
            if given:
                request["given"] = given
            who = (module, function + (" with given helpers" if given else ""))
            for i, outcome in zip(todo, self._request(request, len(todo), who)):
                self.cache[keys[i]] = outcome
        answers = [self.cache[key] for key in keys]
        if isinstance(cases, list) and not kwargs and not given:
            self.lists[(module, function, id(cases))] = (cases, answers)
        return answers

    def close(self) -> None:
        """End this submission's process; the slot confirms it before the next submission starts."""
        if self.child is not None:
            pid, req_w, resp_r, out_r = self.child
            self.child = None
            for fd in (req_w, resp_r, out_r):
                os.close(fd)
            self.slot.end_child_later()

    # -- plumbing ------------------------------------------------------------------------
    def _request(self, request: dict, answers: int, who: tuple[str, str]) -> list[Outcome]:
        """Send one request; read `answers` frames, each within the per-call limit."""
        if who in self.stuck:
            return [Outcome(self.stuck[who].kind, reason=f"was not run again: {self.stuck[who].reason} "
                                                         "on an earlier case")] * answers
        if self.limits.submission_seconds - self.used_seconds <= 0:
            return [Outcome(LIMIT, reason=f"not run: the submission used up its {self.limits.submission_seconds:g} s "
                                          "time limit (submission_seconds)")] * answers
        if self.child is None:
            failed = self._start_child(who, request["op"])
            if failed is not None:
                return [failed] * answers
        outcomes = []
        try:
            self._send(dumps(request))
            for _ in range(answers):
                budget = self.limits.submission_seconds - self.used_seconds
                outcome = self._receive(min(self.limits.call_seconds, budget))
                outcomes.append(outcome)
                if self.child is None:  # it died or was stopped: the rest never ran
                    break
        except (BrokenPipeError, TimeoutError):
            outcomes.append(self._fail(CRASHED, None))
        for outcome in outcomes:
            if request["op"] == "call" and not outcome.ok:
                outcome.reason = f"{who[1]} {outcome.reason}"
        last = outcomes[-1]
        if last.kind in (TIMEOUT, CRASHED, LIMIT):
            self.stuck[who] = last
            self.limit_hits.append(last.reason)
        while len(outcomes) < answers:
            outcomes.append(Outcome(last.kind, reason=f"was not run: {last.reason} on an earlier case"))
        return outcomes

    def _start_child(self, who, op) -> Outcome | None:
        try:
            self.child = self.slot.spawn_child()
        except WorkerStartError as exc:
            if not self.children:
                raise  # nothing of the student's has run yet: the grader's fault
            outcome = Outcome(CRASHED, reason=f"could not be run again: an earlier call left the sandbox "
                                              f"unusable ({exc})")
            self.stuck[who] = outcome
            return outcome
        self.children += 1
        self.inbox.clear()
        back = [m for m, outcome in self.imported.items() if outcome.ok]
        if op == "call" and back:  # a fresh child: bring back the modules imported before
            self._send(dumps({"op": "import", "modules": back}))
            for module in back:
                self._receive(self.limits.call_seconds)
                if self.child is None:
                    return Outcome(CRASHED, reason=f"could not be run again: importing {module}.py failed")
        return None

    def _send(self, payload: bytes) -> None:
        _write_all(self.child[1], len(payload).to_bytes(4, "big") + payload, time.monotonic() + 10)

    def _receive(self, seconds: float) -> Outcome:
        """The next answer frame, or the reason there is none (time, output or size limit, a crash)."""
        pid, req_w, resp_r, out_r = self.child
        started = time.monotonic()
        deadline = started + seconds
        cap = self.limits.result_kb * 1024
        out_cap = self.limits.output_kb * 1024
        try:
            while len(self.inbox) < 4 or len(self.inbox) - 4 < int.from_bytes(self.inbox[:4], "big"):
                if len(self.inbox) > cap + 4:
                    return self._fail(LIMIT, f"returned more than {self.limits.result_kb} KiB of data")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return self._fail(TIMEOUT, f"did not finish within {seconds:g} s (time limit per call): "
                                               "look for an endless loop")
                ready, _, _ = select.select([resp_r, out_r], [], [], remaining)
                if out_r in ready:
                    chunk = _read_some(out_r)
                    if chunk:  # b"" (closed) or None: nothing to add
                        self.output_total += len(chunk)
                        self.output += chunk[: max(0, out_cap - len(self.output))]
                        if self.output_total > out_cap:
                            return self._fail(LIMIT, f"printed more than {self.limits.output_kb} KiB "
                                                     "(output limit): remove the prints in loops")
                if resp_r in ready:
                    chunk = _read_some(resp_r)
                    if chunk == b"":
                        return self._fail(CRASHED, None)
                    self.inbox += chunk or b""
        finally:
            self.used_seconds += time.monotonic() - started
        size = int.from_bytes(self.inbox[:4], "big")
        frame = bytes(self.inbox[4 : 4 + size])
        del self.inbox[: 4 + size]
        try:
            message = loads(frame, writable=False)
        except Exception as exc:  # noqa: BLE001 - whatever the bytes, they are the student's: fail closed
            detail = str(exc) if isinstance(exc, WireError) else type(exc).__name__
            self._end_child()  # the stream cannot be trusted after a forged frame
            return Outcome(INVALID, reason=f"returned something that is not plain numbers: {detail}")
        return _outcome(message)

    def _fail(self, kind: str, reason: str | None) -> Outcome:
        status = self._end_child()
        if reason is None:
            reason = _death_reason(status)
            kind = LIMIT if "limit" in reason else CRASHED
        return Outcome(kind, reason=reason)

    def _end_child(self) -> str:
        pid, req_w, resp_r, out_r = self.child
        self.child = None
        for fd in (req_w, resp_r, out_r):
            os.close(fd)
        return self.slot.kill_child()


def _read_frame(fd: int, deadline: float):
    """One small wire frame from a non-blocking pipe (None on end of file, timeout or bad data)."""
    data = bytearray()
    while len(data) < 4 or len(data) - 4 < int.from_bytes(data[:4], "big"):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0] or len(data) > 65536:
            return None
        chunk = _read_some(fd)
        if chunk == b"":
            return None
        data += chunk or b""
    try:
        return loads(bytes(data[4:]))
    except WireError:
        return None


def _empty(folder: Path, keep: set[Path] = frozenset()) -> None:
    """Remove everything inside folder except the folders in `keep` (the sandbox's mount points).

    The grader runs as the owner of these files, or as root; a submission may have made
    its folders unwritable, so permissions are restored first.
    """
    for entry in folder.iterdir():
        if entry in keep:
            _empty(entry, keep)
        elif entry.is_dir() and not entry.is_symlink():
            for sub, dirs, _ in os.walk(entry):
                for d in dirs:
                    try:
                        os.chmod(os.path.join(sub, d), 0o700)
                    except OSError:
                        pass
            os.chmod(entry, 0o700)
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _write_all(fd: int, data: bytes, deadline: float) -> None:
    view = memoryview(data)
    while view:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([], [fd], [], remaining)[1]:
            raise TimeoutError
        view = view[os.write(fd, view[: 1 << 16]) :]


def _read_some(fd: int) -> bytes | None:
    """Up to 1 MiB from a non-blocking pipe: b"" at end of file, None if nothing is there yet."""
    try:
        return os.read(fd, 1 << 20)
    except BlockingIOError:
        return None


def _death_reason(status: str) -> str:
    if status.startswith("signal "):
        number = int(status.split()[1])
        return _SIGNAL_REASONS.get(number, f"was ended by signal {number}")
    if status.startswith("exit "):
        return (f"ended the process (exit code {status.split()[1]}): "
                "do not call sys.exit or os._exit in graded code")
    return "ended the process unexpectedly"


def _outcome(message) -> Outcome:
    if isinstance(message, dict) and set(message) == {"ok"}:
        return Outcome(OK, value=message["ok"])
    if isinstance(message, dict) and set(message) == {"error"} and isinstance(message["error"], dict):
        error = message["error"]
        kind, text = str(error.get("type", "Exception"))[:80], str(error.get("message", ""))[:300]
        frames = [str(f)[:300] for f in error.get("traceback", [])][:8] if isinstance(error.get("traceback"), list) else []
        if kind == "NotImplementedError" and text.endswith("is not implemented yet"):
            return Outcome(ERROR, reason="is not implemented yet")
        if kind == "SyntaxError" and error.get("line"):
            reason = f"has a syntax error at line {error['line']}: {text} ({str(error.get('text', ''))[:120]})"
        elif kind == "UnsendableResult":
            reason = text
        else:
            reason = f"raised {kind}" + (f": {text}" if text else "")
        return Outcome(ERROR, reason=reason, traceback=frames)
    return Outcome(INVALID, reason="returned a malformed answer")


def _unavailable(module: str, imported: Outcome) -> str:
    if imported.kind == ERROR and "No module named" in imported.reason and module in imported.reason:
        return f"{module}.py is missing from the submission"
    return f"{module}.py could not be imported: it {imported.reason}" if imported.kind == ERROR \
        else f"{module}.py could not be imported: {imported.reason}"

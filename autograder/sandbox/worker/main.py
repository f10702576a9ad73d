"""The worker: a numpy-loaded zygote that forks one process per submission.

Started by a clean exec (never forked from the grader), usually inside a sandbox,
with a Unix socket (fd in $NNB_CONTROL_FD) for control messages. The zygote never reads
submission files or student data: for each submission it receives three pipe
ends (requests, responses, output) and forks a child that imports the student's
modules from the submission directory and answers calls over those pipes.

Every child gets, when sandboxed ($NNB_SCRATCH), a pid namespace, mounts, a /tmp (a new tmpfs
of fixed size) and a /proc of its own (jail.py), drops every privilege, and runs under a seccomp
filter (confine.py) before any student code.

Control messages (JSON lines over the socket, pipe ends as SCM_RIGHTS):
    {"op": "spawn", "submission": dir, "scratch": dir, "limits": {...}} + 3 fds -> {"pid": n}
    {"op": "kill"} -> {"status": "..."}   ends the child and every process it left
    {"op": "exit"}
Child requests (wire frames): {"op": "import", "modules": [m, ...]},
    {"op": "call", "module": m, "function": f, "cases": [[args], ...], "kwargs": {...}, "given": {...}} and
    {"op": "calls", "calls": [{"module": m, "function": f, "cases": [...], "kwargs": {...}}, ...]};
answered by one frame per module or case, in order: {"ok": value} or {"error": {...}}.
"""
import ctypes
import gc
import json
import os
import resource
import signal
import socket
import sys
import time
import traceback
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # python -I leaves the script's folder out
import jail  # noqa: E402

if "NNB_JAIL" in os.environ:  # the namespaces backend: enter the sandbox's filesystem view first
    jail.enter(json.loads(os.environ.pop("NNB_JAIL")))
    sys.path[0] = "/opt/worker"

import numpy  # noqa: E402  (warm: every child starts with numpy already imported)

import confine  # noqa: E402
from wire import dumps, loads, read_frame_blocking, write_frame  # noqa: E402

_PR_SET_DUMPABLE = 4
_PR_SET_CHILD_SUBREAPER = 36


def _set_limits(limits: dict) -> None:
    """Apply rlimits from a dict of name -> value (soft = hard unless noted)."""
    table = {
        "cpu_seconds": resource.RLIMIT_CPU,
        "memory_bytes": resource.RLIMIT_AS,
        "processes": resource.RLIMIT_NPROC,
        "file_size_bytes": resource.RLIMIT_FSIZE,
        "open_files": resource.RLIMIT_NOFILE,
        "message_queue_bytes": resource.RLIMIT_MSGQUEUE,
    }
    for name, which in table.items():
        value = limits.get(name)
        if value is None:
            continue
        hard = value + 1 if which == resource.RLIMIT_CPU else value  # SIGXCPU first, then SIGKILL
        try:
            resource.setrlimit(which, (value, hard))
        except (ValueError, OSError):
            pass  # e.g. RLIMIT_NPROC below the processes already running: keep the current one
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _student_frames(tb, submission: str) -> list:
    """Traceback lines from the student's own files only."""
    frames = [f for f in traceback.extract_tb(tb) if f.filename.startswith(submission + os.sep)]
    return [f"{os.path.basename(f.filename)}, line {f.lineno}, in {f.name}: {(f.line or '').strip()}" for f in frames]


def _describe(exc: BaseException, submission: str) -> dict:
    info = {"type": type(exc).__name__, "message": str(exc)[:500]}
    if isinstance(exc, SyntaxError) and exc.filename:
        info["message"] = str(exc.msg)[:500]
        info["file"] = os.path.basename(exc.filename)
        info["line"] = exc.lineno
        info["text"] = (exc.text or "").strip()[:200]
    info["traceback"] = _student_frames(exc.__traceback__, submission)[-8:]
    return info


def _given(name: str, table: list, original):
    """A stand-in for a student's helper: the grader's answer for inputs close to one in `table`
    ([[args, value], ...]), the student's own function (`original`) for any other input."""
    def as_floats(a):
        try:
            return numpy.asarray(a, dtype=float)
        except Exception:  # noqa: BLE001 - whatever the student passed, it is not one of our inputs
            return None

    exact: dict = {}  # the arguments' bytes -> value: a helper called with the grader's own inputs
    known: dict = {}  # squeezed shapes of the arguments -> [(inputs, value)]: inputs computed anew, or
    for inputs, value in table:  # held as column vectors, match one or two
        inputs = [as_floats(a) for a in inputs]
        exact[_key(inputs)] = value
        known.setdefault(tuple(a.squeeze().shape for a in inputs), []).append((inputs, value))

    def answer(value, floats):
        """The value as arrays; a single array in the shape of a same-sized single input (a column vector
        in, a column vector out, as the student's own helper would answer)."""
        if isinstance(value, (list, tuple)):
            return tuple(numpy.array(v) for v in value)
        value = numpy.array(value)
        return value.reshape(floats[0].shape) if len(floats) == 1 and floats[0].size == value.size else value

    def given(*args, **kwargs):
        positional = _positional(original, args, kwargs) if kwargs else args
        floats = [as_floats(a) for a in positional or ()]
        if positional is not None and all(a is not None for a in floats):
            value = exact.get(_key(floats))
            if value is not None:
                return answer(value, floats)
            for inputs, value in known.get(tuple(a.squeeze().shape for a in floats), ()):
                if all(numpy.allclose(a.reshape(b.shape), b, rtol=1e-7, atol=1e-10) for a, b in zip(floats, inputs)):
                    return answer(value, floats)
        if original is None:
            raise NameError(f"name '{name}' is not defined")
        return original(*args, **kwargs)
    return given


def _key(arrays: list) -> tuple:
    return tuple((a.shape, a.tobytes()) for a in arrays)


def _positional(function, args: tuple, kwargs: dict):
    """The arguments of a call with keywords as positional ones, if `function` takes them so (else None)."""
    if function is None:
        return None
    import inspect  # only for a helper called with keywords

    try:
        bound = inspect.signature(function).bind(*args, **kwargs)
    except (TypeError, ValueError):
        return None
    return None if bound.kwargs else bound.args


def _serve(req_fd: int, resp_fd: int, submission: str) -> None:
    """Child loop: answer import and call requests until end of file; one answer frame per case."""
    modules = {}
    while True:
        frame = read_frame_blocking(req_fd)
        if frame is None:
            return
        request = loads(frame)
        if request.get("op") == "import":
            for name in request["modules"]:
                try:
                    modules[name] = _import(name, submission)
                    answer = {"ok": sorted(k for k in vars(modules[name]) if not k.startswith("_"))}
                except BaseException as exc:  # a student module may raise anything, even SystemExit
                    answer = {"error": _describe(exc, submission)}
                _answer(resp_fd, answer)
            continue
        for call in request.get("calls", [request]):  # "calls": several functions' cases in one request
            module = modules.get(call.get("module"))
            helpers = {name: _given(name, table, getattr(module, name, None))
                       for name, table in (call.get("given") or {}).items()} if module is not None else {}
            for args in call.get("cases", []):
                _answer(resp_fd, _call(module, call, args, submission, helpers))


def _import(name: str, submission: str):
    """Import a student module from the submission folder (as `import name` would, minus the path search)."""
    if name in sys.modules:
        return sys.modules[name]
    path = os.path.join(submission, name + ".py")
    if not os.path.isfile(path):
        return __import__(name)  # raises ModuleNotFoundError, as a student would see it
    with open(path, "rb") as handle:
        code = compile(handle.read(), path, "exec", dont_inherit=True)
    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules[name] = module
    try:
        exec(code, module.__dict__)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _call(module, request: dict, args: list, submission: str, helpers: dict) -> dict:
    """One call of the student's function, with the given helpers (see _given) in place for its duration."""
    if module is None:
        return {"error": {"type": "ImportError", "message": "module not imported", "traceback": []}}
    missing = object()
    saved = {name: module.__dict__.get(name, missing) for name in helpers}
    try:
        module.__dict__.update(helpers)
        function = getattr(module, request["function"])
        value = function(*args, **request.get("kwargs", {})) if callable(function) else function
        return {"ok": value}
    except BaseException as exc:  # noqa: BLE001 - SystemExit, KeyboardInterrupt... are the student's too
        return {"error": _describe(exc, submission)}
    finally:
        for name, original in saved.items():
            if original is missing:
                module.__dict__.pop(name, None)
            else:
                module.__dict__[name] = original


def _answer(resp_fd: int, answer: dict) -> None:
    try:
        payload = dumps(answer)
    except BaseException as exc:  # noqa: BLE001 - an unsendable value, or a __repr__ that raises
        payload = dumps({"error": {"type": "UnsendableResult", "message": f"returned {str(exc)[:300]}",
                                   "traceback": []}})
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001 - the student may have closed or replaced them
        pass
    write_frame(resp_fd, payload)


def _child(control: socket.socket, fds: list, message: dict, confinement) -> None:
    req_fd, resp_fd, out_fd = fds
    control.close()
    gc.disable()  # a short life: collecting would only copy pages shared with the zygote
    try:
        _setup_child(out_fd, message)
        if confinement is not None:
            confinement.install()  # last: no capabilities, no new privileges, the seccomp filter
    except BaseException as exc:  # noqa: BLE001 - the grader must learn it was us, not the student
        write_frame(resp_fd, dumps({"setup_failed": repr(exc)[:300]}))
        os._exit(70)
    write_frame(resp_fd, dumps({"ready": True}))  # before any student code runs: cannot be forged
    try:
        _serve(req_fd, resp_fd, message["submission"])
    finally:
        os._exit(0)


def _setup_child(out_fd: int, message: dict) -> None:
    """Before any student code: own session, output to the grader, unprivileged uid, scratch, limits."""
    os.setsid()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_DFL)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    os.close(out_fd)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    try:  # if the slot's memory runs out, the kernel ends the submission's processes, never the zygote
        with open("/proc/self/oom_score_adj", "w") as adjust:
            adjust.write("1000")
    except OSError:
        pass
    if message.get("view") is not None:  # sandboxed: its own mounts, /tmp and /proc (jail.py)
        jail.own_view(message["view"])
    uid = message.get("uid")
    if uid is not None and os.getuid() == 0:  # drop root: RLIMIT_NPROC holds, no signals to the zygote
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
    scratch = message["scratch"]  # the submission's own: a fresh tmpfs, or (plain) a fresh folder
    os.chdir(scratch)
    os.environ["HOME"] = scratch
    os.environ["TMPDIR"] = scratch
    sys.path.insert(0, message["submission"])
    sys.dont_write_bytecode = True
    _set_limits(message.get("limits", {}))


def _processes(uid=None) -> list:
    """Pids we can see (other than ourselves and pid 1), optionally only those of one real uid."""
    me, found = os.getpid(), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in (1, me):
            continue
        if uid is not None:
            try:
                with open(f"/proc/{entry}/status") as status:
                    if next(int(line.split()[1]) for line in status if line.startswith("Uid:")) != uid:
                        continue
            except (OSError, StopIteration, ValueError):
                continue
        found.append(int(entry))
    return found


def _sweep(uid=None) -> None:
    """End every process we can see (in our own pid namespace), or every process of `uid`, and reap them.

    Orphans are re-parented to us (we are pid 1 or a child subreaper), so waiting collects them all.
    """
    for _ in range(200):
        pids = _processes(uid)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        _reap()
        time.sleep(0.005)


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def main() -> None:
    own_pid_namespace = os.environ.pop("NNB_OWN_PID_NAMESPACE", "") == "1"
    sweep_uid = os.environ.pop("NNB_SWEEP_UID", "") == "1"
    cpu = os.environ.pop("NNB_CPU", "")  # the grading process's core: ours once we are started (see below)
    uid = None
    try:  # no other process of this uid may read or trace the zygote's memory; orphans come back to us
        libc = ctypes.CDLL(None)
        libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)
        libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    os.umask(0o022)  # what the worker makes (a submission's /tmp and /submission) is for the submission to read
    control = socket.socket(fileno=int(os.environ.pop("NNB_CONTROL_FD")))
    scratch = json.loads(os.environ.pop("NNB_SCRATCH", "null"))  # sandboxed: a fresh tmpfs on /tmp per child
    pid_namespace = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC) if scratch is not None else None
    if scratch is not None:
        jail.quiet_devices()  # (the namespaces backend's jail binds the same device nodes)
    try:
        confinement, why = confine.build(), ""
    except OSError as exc:
        confinement, why = None, str(exc)
    if cpu:  # started on any free core, beside the grading process's own start; from now on beside it
        try:
            os.sched_setaffinity(0, {int(cpu)})
        except (OSError, ValueError, AttributeError):
            pass
    control.sendall(json.dumps({"ready": True, "confined": confinement is not None, "why": why}).encode() + b"\n")
    child = None
    while True:
        data, fds, _, _ = socket.recv_fds(control, 65536, 3)
        if not data:
            break
        message = json.loads(data)
        op = message["op"]
        if op == "spawn":
            ours = []  # the grader's ends of the child's pipes, when we make them (sandboxed)
            try:
                if scratch is not None:  # sandboxed: a pid namespace of its own for each child
                    jail.fresh_pid_namespace(pid_namespace)
                if message.get("fifos"):
                    fds, ours = jail.fresh_pipes()
            except OSError as exc:
                for fd in fds:
                    os.close(fd)
                control.sendall(json.dumps({"error": f"no pid namespace or pipes: {exc}"}).encode() + b"\n")
                continue
            gc.freeze()  # the child starts with fewer copy-on-write page faults
            pid = os.fork()
            if pid == 0:
                for fd in [pid_namespace, *ours]:  # the zygote's and the grader's: nothing of them for the child
                    if fd is not None:
                        os.close(fd)
                _child(control, fds, dict(message, view=scratch), confinement)
            for fd in fds:
                os.close(fd)
            child, uid = pid, message.get("uid")
            socket.send_fds(control, [json.dumps({"pid": pid}).encode() + b"\n"], ours)
            for fd in ours:
                os.close(fd)
            continue
        elif op == "kill":
            status = "none"
            if child is not None:
                try:
                    os.killpg(child, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
                try:
                    _, code = os.waitpid(child, 0)
                    status = "signal %d" % os.WTERMSIG(code) if os.WIFSIGNALED(code) else "exit %d" % os.WEXITSTATUS(code)
                except ChildProcessError:
                    status = "gone"
                child = None
            if own_pid_namespace:
                _sweep()
            elif sweep_uid and uid is not None:
                _sweep(uid)
            _reap()
            reply = {"status": status}
        elif op == "exit":
            break
        else:
            reply = {"error": f"unknown op {op!r}"}
        control.sendall(json.dumps(reply).encode() + b"\n")


if __name__ == "__main__":
    main()

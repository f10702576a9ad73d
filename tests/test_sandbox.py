"""Each sandbox backend that can run here: isolation, limits, and that nothing outlives a submission.

The adversarial suite (test_adversarial.py) attacks the default backend through the
whole grader; these tests check every backend directly through a worker slot.
"""
import os
import subprocess
import sys
import time

import pytest

from autograder.sandbox.cgroup import ZYGOTE_ROOM_MB
from autograder.sandbox.limits import Limits
from autograder.sandbox.backends import BACKENDS, Bwrap, Namespaces, Plain, select_backend
from autograder.sandbox.slot import Slot
from autograder.sandbox.submission import Submission
from helpers import ROOT, solution

AVAILABLE = []
for _name in BACKENDS:
    try:
        AVAILABLE.append(select_backend(_name))
    except RuntimeError:
        if _name == "plain":  # as root with a Python only root can read: test plain without its uid switch
            AVAILABLE.append(Plain("test", separate_uid=False))
IN_CI = os.environ.get("CI") == "true"
MARK = f"NNB_SANDBOX_TEST_{os.getpid()}"  # this test session's own: another may run beside it


def test_ci_has_the_strong_backend():
    if IN_CI or os.geteuid() == 0:  # .ci/run installs bubblewrap; as root, namespaces always work
        assert select_backend("auto").name in ("bwrap", "namespaces")
    if IN_CI:
        assert select_backend("auto").name == "bwrap"


@pytest.fixture(params=AVAILABLE, ids=[b.name for b in AVAILABLE])
def slot(request, tmp_path):
    slot = Slot(request.param, Limits(call_seconds=2, submission_seconds=30, memory_mb=512, processes=12,
                                      output_kb=64), index=7)
    slot.start()
    uid = slot.uid
    yield slot
    slot.stop()
    assert not _leftovers(uid), "a process of the submission outlived its grading"


def _leftovers(uid=None):
    """Processes carrying this file's marker, or running as the slot's own worker uid."""
    out = subprocess.run(["ps", "-eo", "uid=,args="], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if MARK in line or (uid is not None and line.split()[0] == str(uid))]


def run(slot, source: str, function: str = "probe", *args):
    sub = Submission(slot, {"backprop.py": source.encode()})
    try:
        return sub.call("backprop", function, *args), sub
    finally:
        sub.close()
        slot.settle()  # as the next submission would: everything of this one is gone


def test_a_correct_submission_works(slot):
    sub = Submission(slot, {"backprop.py": solution("backprop.py").encode()})
    got = sub.call("backprop", "softmax", [1000.0, -1000.0])
    sub.close()
    assert got.ok and list(got.value) == [1.0, 0.0]


@pytest.mark.parametrize("path", [str(ROOT / "solutions" / "backprop.py"), str(ROOT / "config.yaml"),
                                  str(ROOT / "autograder" / "grading" / "hidden" / "test_q3.py")])
def test_reference_and_hidden_tests_are_invisible(slot, path):
    got, _ = run(slot, f"import os\ndef probe():\n    return os.path.exists({path!r})\n")
    assert got.ok
    assert got.value is (not slot.backend.sandboxed)


def test_no_network(slot):
    if not slot.backend.sandboxed:
        pytest.skip("the plain backend has no network namespace")
    source = ("import socket\ndef probe():\n"
              "    try:\n        s = socket.socket()\n        s.settimeout(1)\n        s.connect(('127.0.0.1', 9))\n"
              "        return 'connected'\n"
              "    except OSError as e:\n        return type(e).__name__\n")
    got, _ = run(slot, source)
    assert got.ok and got.value != "connected"


def test_environment_holds_no_secret(slot, monkeypatch):
    source = "import os\ndef probe():\n    return sorted(os.environ)\n"
    got, _ = run(slot, source)
    assert got.ok and not any("SECRET" in k or "TOKEN" in k or k.startswith("NNB_") for k in got.value)


def test_memory_limit_costs_the_call(slot):
    got, _ = run(slot, "def probe():\n    return bytearray(4 * 2**30)\n")
    assert not got.ok and "MemoryError" in got.reason


def test_output_limit_stops_a_flood(slot):
    got, _ = run(slot, "def probe():\n    while True:\n        print('x' * 10000)\n")
    assert got.kind == "limit" and "output limit" in got.reason


def test_endless_loop_with_signals_ignored_is_ended(slot):
    source = ("import signal\ndef probe():\n"
              "    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM, signal.SIGXCPU):\n"
              "        signal.signal(s, signal.SIG_IGN)\n    while True:\n        pass\n")
    started = time.monotonic()
    got, _ = run(slot, source)
    assert got.kind == "timeout" and "time limit per call" in got.reason
    assert time.monotonic() - started < 10


def test_fork_bomb_and_daemon_do_not_survive(slot):
    if not slot.backend.sandboxed and slot.uid is None:
        pytest.skip("plain backend under the grader's own uid cannot find double-forked daemons (documented)")
    source = (f"import os, time\ndef probe():\n"
              f"    if os.fork() == 0:\n        os.setsid()\n        if os.fork() == 0:\n"
              f"            os.execv('/bin/sleep', ['{MARK}', '1000'])\n        os._exit(0)\n"
              f"    for _ in range(200):\n        try:\n            os.fork()\n        except OSError:\n            pass\n"
              f"    while True:\n        time.sleep(0.01)\n")
    got, sub = run(slot, source)
    assert not got.ok  # a timeout, or a fork refused by the process limit
    assert any(word in got.reason for word in ("time limit", "Resource temporarily unavailable", "limit"))
    assert not _leftovers(slot.uid)


def test_the_worker_cannot_be_killed_by_the_submission(slot):
    if slot.uid is None:
        pytest.skip("as another user, submissions share the worker's uid")
    source = ("import os, signal\ndef probe():\n    refused = []\n"
              "    for pid in [os.getppid()] + [int(p) for p in os.listdir('/proc') if p.isdigit()]:\n"
              "        if pid not in (0, os.getpid()):\n"
              "            try:\n                os.kill(pid, signal.SIGKILL)\n"
              "            except PermissionError:\n                refused.append(pid)\n"
              "            except ProcessLookupError:\n                pass\n"
              "    return len(refused)\n")
    got, _ = run(slot, source)  # every process it can name: refused, or (its own pid namespace) out of reach
    assert got.ok, got
    got, _ = run(slot, "def probe():\n    return 2\n")
    assert got.ok and got.value == 2


def test_doctor_names_the_backend():
    proc = subprocess.run([sys.executable, "-m", "autograder", "doctor"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0
    assert f"sandbox backend: {select_backend('auto').name}" in proc.stdout


def test_plain_backend_warns_loudly_or_refuses_clearly(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text((ROOT / "config.yaml").read_text().replace("backend: auto", "backend: plain")
                      .replace("solutions: solutions", f"solutions: {ROOT / 'solutions'}"))
    (tmp_path / "class" / "a").mkdir(parents=True)
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", str(tmp_path / "class"), "--out",
                           str(tmp_path / "out"), "--config", str(config)], capture_output=True, text=True, cwd=ROOT)
    try:
        select_backend("plain")
    except RuntimeError:  # e.g. as root with a Python the unprivileged uid cannot read
        assert proc.returncode == 2 and "sandbox.backend: plain" in proc.stderr
        return
    assert proc.returncode == 0, proc.stderr
    assert "NOT sandboxed" in proc.stderr and "(sandbox: plain)" in proc.stdout


def test_backend_names_are_checked():
    assert Plain("x").sandboxed is False
    assert Bwrap("x").sandboxed and Namespaces("x").sandboxed


PREFETCHED = """
import os
def double(x): return 2 * x
def exits_above_one(x):
    if x > 1:
        os._exit(3)
    return x
def raises(x): raise ValueError("no")
def negate(x): return -x
"""


def test_prefetch_answers_as_one_call_at_a_time(slot):
    """One request for several lists gives what call_many gives list by list, a crash midway included."""
    cases = {name: [(0.5,), (1.5,), (2.5,)] for name in ("double", "exits_above_one", "raises", "negate")}
    calls = [("backprop", name, cases[name]) for name in cases]

    def answers(prefetch: bool):
        sub = Submission(slot, {"backprop.py": PREFETCHED.encode()})
        if prefetch:
            sub.prefetch([(m, f, c, None) for m, f, c in calls])
        got = [[(o.kind, o.value, o.reason) for o in sub.call_many("backprop", name, listed)]
               for _, name, listed in calls]
        sub.close()
        slot.settle()
        return got

    one_by_one, prefetched = answers(False), answers(True)
    assert prefetched == one_by_one
    assert one_by_one[0] == [("ok", 1.0, ""), ("ok", 3.0, ""), ("ok", 5.0, "")]
    assert [kind for kind, _, _ in one_by_one[1]] == ["ok", "crashed", "crashed"]
    assert one_by_one[3] == [("ok", -0.5, ""), ("ok", -1.5, ""), ("ok", -2.5, "")]  # after the crash, a fresh process


HOG_PROCESSES = """
import os, time
def probe():
    pids = []
    for _ in range(6):  # each within its own address-space limit; together far beyond memory_mb
        pid = os.fork()
        if pid == 0:
            hold = b"\\x01" * (300 << 20)  # every page written
            open("/tmp/held-%d" % os.getpid(), "w").close()
            time.sleep(30)
            os._exit(0)
        pids.append(pid)
    deadline, holding, ended = time.monotonic() + 5.0, set(), set()
    while len(holding | ended) < 6 and time.monotonic() < deadline:  # each holds its 300 MiB, or was ended
        time.sleep(0.05)
        holding = {int(name[5:]) for name in os.listdir("/tmp") if name.startswith("held-")}
        ended |= {pid for pid in pids if pid not in ended and os.waitpid(pid, os.WNOHANG) != (0, 0)}
    time.sleep(0.1)
    ended |= {pid for pid in pids if pid not in ended and os.waitpid(pid, os.WNOHANG) != (0, 0)}
    return 300 * len(holding - ended) if len(holding | ended) == 6 else -1
"""


@pytest.mark.parametrize("backend", [b for b in AVAILABLE if b.sandboxed], ids=lambda b: b.name)
def test_memory_of_all_a_submissions_processes_is_bounded(backend):
    slot = Slot(backend, Limits(call_seconds=6, submission_seconds=30, memory_mb=512, processes=12), index=8)
    if slot.memory is None:
        slot.stop()
        pytest.skip("no memory cgroup on this host (rlimits bound each process only)")
    try:
        slot.start()
        got, _ = run(slot, HOG_PROCESSES)
        limit = slot.limits.memory_mb + slot.limits.scratch_mb + ZYGOTE_ROOM_MB  # the slot's cgroup, zygote included
        assert got.ok and 0 <= got.value <= limit, (got, limit)  # -1: the six did not all settle in time
        assert got.value < 6 * 300  # without the cgroup, all six would hold their 300 MiB
        assert slot.memory.peak_mb() <= limit + 1
        got, _ = run(slot, "def probe():\n    return 2\n")  # the slot is fine afterwards
        assert got.ok and got.value == 2
    finally:
        slot.stop()


KERNEL_STATE = """
import ctypes, os
def probe():
    # Every way tried to leave or read state in the kernel that outlives the process: what worked.
    worked = []
    fd = os.open(os.__file__, os.O_RDONLY)  # a system file: its pages are in the page cache
    for name, attempt in [
            ("fadvise", lambda: os.posix_fadvise(fd, 0, 4096, os.POSIX_FADV_DONTNEED)),
            ("preadv RWF_NOWAIT", lambda: os.preadv(fd, [bytearray(16)], 0, os.RWF_NOWAIT)),
            ("openpty", lambda: os.openpty()),
            ("memfd", lambda: os.memfd_create("x")),
            ("socketpair", lambda: __import__("socket").socketpair()),
            ("pipe", lambda: os.pipe()),  # each new pipe shows the next number of a kernel counter
            ("utime /dev/null", lambda: os.utime("/dev/null")),  # the host's node: its times outlive us
            ("touch /", lambda: os.utime("/"))]:  # the sandbox's root, the same for every submission
        try:
            attempt()
            worked.append(name)
        except OSError:
            pass
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
    libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p]
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    where = ctypes.c_void_p(libc.mmap(None, 4096, 1, 2, fd, 0))  # PROT_READ, MAP_PRIVATE
    if libc.mincore(where, 4096, ctypes.create_string_buffer(1)) == 0:
        worked.append("mincore")
    if libc.madvise(where, 4096, 21) == 0:  # MADV_PAGEOUT
        worked.append("madvise pageout")
    if libc.mmap(None, 2 << 20, 3, 0x22 | 0x40000, -1, 0) not in (None, 2**64 - 1):  # MAP_HUGETLB: a counted inode
        worked.append("huge-page mapping")
    libc.syscall.restype = ctypes.c_long
    numbers = {"x86_64": (206, 56, 332), "aarch64": (0, 220, 291)}.get(os.uname().machine)  # io_setup, clone, statx
    if numbers:
        context = ctypes.c_ulong(0)
        if libc.syscall(numbers[0], 1, ctypes.byref(context)) == 0:  # an AIO context: a counted inode
            worked.append("io_setup")
        pidfd = ctypes.c_int(-1)
        child = libc.syscall(numbers[1], 0x1000 | 17, 0, ctypes.byref(pidfd), 0, 0)  # CLONE_PIDFD | SIGCHLD
        if child == 0:
            os._exit(0)
        if child > 0:
            worked.append("clone with a pidfd")
            os.waitpid(child, 0)
        buffer = ctypes.create_string_buffer(256)
        if libc.syscall(numbers[2], -100, b"/tmp", 0, 0x4000, buffer) == 0:  # STATX_MNT_ID_UNIQUE: a counter
            worked.append("statx unique mount id")
        if libc.syscall(458, buffer, buffer, 0, 0) >= 0 or ctypes.get_errno() != 1:  # listmount: refused (EPERM)
            worked.append("listmount")
    import fcntl, struct, threading
    shared = os.open(os.__file__, os.O_RDONLY)  # a file every submission sees: what is keyed by it is shared
    read_lock = struct.pack("hh4xqqi4x", fcntl.F_RDLCK, 0, 1 << 40, 1, 0)
    for name, attempt in [
            ("lock query", lambda: fcntl.fcntl(shared, fcntl.F_GETLK, read_lock)),
            ("lease", lambda: fcntl.fcntl(shared, fcntl.F_SETLEASE, fcntl.F_RDLCK)),
            ("ioctl", lambda: fcntl.ioctl(shared, 2, bytes(8))),  # FIGETBSZ: a file system's own commands
            ("dnotify", lambda: fcntl.fcntl(os.open(os.path.dirname(os.__file__), os.O_RDONLY), fcntl.F_NOTIFY,
                                            fcntl.DN_ACCESS))]:
        try:
            attempt()
            worked.append(name)
        except OSError:
            pass
    if numbers:
        inotify = {"x86_64": 294, "aarch64": 26}[os.uname().machine]  # inotify_init1
        if libc.syscall(inotify, 0) >= 0:
            worked.append("inotify")
        # a futex not marked private, on a page of the shared file, is keyed by the file: a wait that would
        # last a second (the word holds what it is compared with) returns at once; a wake is refused
        page = libc.mmap(None, 4096, 1, 2, shared, 0)
        futex = {"x86_64": 202, "aarch64": 98}[os.uname().machine]
        word = ctypes.c_uint32.from_address(page).value
        timeout = (ctypes.c_long * 2)(1, 0)
        started = __import__("time").monotonic()
        if libc.syscall(futex, ctypes.c_void_p(page), 0, word, timeout, 0, 0) != -1 or ctypes.get_errno() != 11:
            worked.append("shared futex wait")
        if __import__("time").monotonic() - started > 0.5:
            worked.append("shared futex wait blocked")
        if libc.syscall(futex, ctypes.c_void_p(page), 1, 1, 0, 0, 0) != -1:  # FUTEX_WAKE, shared
            worked.append("shared futex wake")
        if libc.syscall(454, ctypes.c_void_p(page), 1, 1, 0) != -1:  # futex_wake (futex2), flags unseen
            worked.append("futex2 wake")
        mlock = {"x86_64": 149, "aarch64": 228}[os.uname().machine]  # pins cached pages: not on the list
        if libc.syscall(mlock, ctypes.c_void_p(page), 4096) != -1 or ctypes.get_errno() != 38:
            worked.append("a call off the list (mlock)")
        move_pages = {"x86_64": 279, "aarch64": 239}[os.uname().machine]
        status = (ctypes.c_int * 1)(0)
        pages = (ctypes.c_void_p * 1)(page)
        if libc.syscall(move_pages, 0, 1, pages, None, status, 0) != -1:  # which pages of a mapping are there
            worked.append("move_pages")
        how = (ctypes.c_uint64 * 3)(0, 0, 0x20)  # open_how: O_RDONLY, RESOLVE_CACHED (answers from the name cache)
        if libc.syscall(437, -100, b"/usr/.nnb-never-there", how, 24) != -1 or ctypes.get_errno() != 38:
            worked.append("openat2")  # 437 everywhere; ENOSYS (38), so the C library falls back to openat
        # the kernel reads int arguments' low 32 bits: the same commands with high bits set are refused too
        fcntl_nr, madvise_nr = {"x86_64": (72, 28), "aarch64": (25, 233)}[os.uname().machine]
        high = 1 << 32
        for name, command in (("lock query", fcntl.F_GETLK), ("ofd lock query", 36)):  # (locks "succeed", take none)
            lock = ctypes.create_string_buffer(read_lock, len(read_lock))
            if libc.syscall(fcntl_nr, shared, ctypes.c_long(command | high), lock) != -1:
                worked.append(name + " (high bits)")
        if libc.syscall(fcntl_nr, shared, ctypes.c_long(fcntl.F_SETLEASE | high), ctypes.c_long(fcntl.F_RDLCK)) != -1:
            worked.append("lease (high bits)")
        folder = os.open(os.path.dirname(os.__file__), os.O_RDONLY)
        if libc.syscall(fcntl_nr, folder, ctypes.c_long(fcntl.F_NOTIFY | high), ctypes.c_long(fcntl.DN_ACCESS)) != -1:
            worked.append("dnotify (high bits)")
        if libc.syscall(madvise_nr, ctypes.c_void_p(page), 4096, ctypes.c_long(21 | high)) != -1:  # MADV_PAGEOUT
            worked.append("madvise pageout (high bits)")
    import sqlite3, tempfile
    # its own file: locks "succeed", as nothing else uses it (not WAL or PERSIST journals: they query locks)
    with sqlite3.connect("/tmp/cache.sqlite") as db:
        db.execute("create table t (x)")
        db.execute("insert into t values (1)")
    with tempfile.TemporaryFile() as scratch, tempfile.NamedTemporaryFile() as named:  # what tutorials do: works
        scratch.write(b"x")
        named.write(b"y")
    threads = [threading.Thread(target=sum, args=([1, 2],)) for _ in range(4)]  # threads still start and end
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with open("/dev/null", "w") as null:  # writing to it still works
        null.write("x")
    return worked
"""



def test_kernel_state_that_outlives_a_process_is_refused(slot):
    if not slot.backend.sandboxed:
        pytest.skip("the plain backend filters only where libseccomp and privileges allow")
    got, _ = run(slot, KERNEL_STATE)
    assert got.ok and got.value == [], got


CHANNEL = """
import fcntl, os, struct
SHARED = os.__file__  # a file every sandbox sees, the same inode
def _lock(kind, start):
    return struct.pack("hh4xqqi4x", kind, 0, start, 1, 0)
def send(message):
    # Holds a read lock on one byte of the shared file per byte of the message, while it stays open.
    fd = os.open(SHARED, os.O_RDONLY)
    try:
        for i, byte in enumerate(message.encode()):
            fcntl.fcntl(fd, fcntl.F_SETLK, _lock(fcntl.F_RDLCK, (1 << 40) + 256 * i + byte))
        fcntl.flock(fd, fcntl.LOCK_SH)
    except OSError as exc:
        return str(exc)
    return "sent"
def receive(length):
    fd = os.open(SHARED, os.O_RDONLY)
    got = ""
    try:
        for i in range(length):
            kind, _, start, _, _ = struct.unpack("hh4xqqi4x", fcntl.fcntl(
                fd, fcntl.F_GETLK, struct.pack("hh4xqqi4x", fcntl.F_WRLCK, 0, (1 << 40) + 256 * i, 256, 0)))
            got += chr(start - (1 << 40) - 256 * i) if kind != fcntl.F_UNLCK else ""
    except OSError:
        pass
    try:
        fcntl.flock(os.open(SHARED, os.O_RDONLY), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        got += "+flock held" if exc.errno == 11 else ""
    return got
"""


def test_submissions_graded_at_once_cannot_pass_each_other_data(slot):
    """Two slots (two shards, or two grader runs) grade at the same time, and each sees the same system files
    read-only: what one keys to such a file (a lock, here) must not reach the other."""
    if not slot.backend.sandboxed:
        pytest.skip("the plain backend filters only where libseccomp and privileges allow")
    other = Slot(slot.backend, slot.limits, index=8)
    other.start()
    sender = Submission(slot, {"backprop.py": CHANNEL.encode()})
    receiver = Submission(other, {"backprop.py": CHANNEL.encode()})
    try:
        sent = sender.call("backprop", "send", "full marks")
        got = receiver.call("backprop", "receive", 10)
        assert sent.ok and got.ok and got.value == "", (sent, got)
    finally:
        sender.close()
        receiver.close()
        other.stop()


def test_process_ids_and_procfs_say_nothing_about_earlier_submissions(slot):
    if not slot.backend.sandboxed:
        pytest.skip("the plain backend has no pid namespaces")
    forks = "import os\ndef probe():\n    for _ in range(50):\n        pid = os.fork()\n        if pid == 0:\n" \
            "            os._exit(0)\n        os.waitpid(pid, 0)\n    return os.getpid()\n"
    look = "import os\ndef probe():\n    return [os.getpid(), os.listdir('/proc')]\n"
    first, _ = run(slot, look)
    run(slot, forks)
    after, _ = run(slot, look)
    assert first.ok and first.value == after.value == [1, []], (first, after)  # pid 1, and no procfs at all


SEEN = """
import os
def probe():
    # What a submission sees of things every submission shares: its pipes to the grader, the sandbox's folders.
    fds = [(fd, os.fstat(fd).st_ino) for fd in range(64) if _open(fd)]
    times = [(path, os.stat(path).st_atime_ns) for path in ("/", "/dev", "/usr")]  # (/tmp, /submission: new)
    return fds, times
def _open(fd):
    try:
        return os.fstat(fd) is not None
    except OSError:
        return False
def move():
    for path in ("/", "/dev", "/submission", "/tmp", "/.nnb-pipes"):
        try:
            os.listdir(path)
        except OSError:
            pass
"""


def test_what_every_submission_shares_tells_nothing_of_earlier_ones(slot):
    if not slot.backend.sandboxed:
        pytest.skip("plain: the submission's pipes and folders are the host's")
    first, _ = run(slot, SEEN)
    run(slot, SEEN, "move")
    run(slot, "import os\ndef probe():\n    return [os.pipe() for _ in range(5)]\n")  # refused, but tried
    after, _ = run(slot, SEEN)
    assert first.ok and first.value == after.value, (first, after)


def test_nobody_else_on_the_machine_reads_a_submission_being_graded(slot):
    if not slot.backend.sandboxed:
        pytest.skip("plain: the submission's own uid reads its files from the host")
    sub = Submission(slot, {"backprop.py": b"def probe():\n    return 1\n"})
    try:
        assert sub.call("backprop", "probe").value == 1
        for path in (slot.root, slot.root / "submission"):
            assert os.stat(path).st_mode & 0o077 == 0, oct(os.stat(path).st_mode)
        assert os.stat(slot.root / "submission" / "backprop.py").st_mode & 0o077 == 0
    finally:
        sub.close()


def test_a_call_after_stand_ins_runs_in_a_fresh_process(slot):
    """What a function given stand-ins could keep (the grader's answers) is gone before any other function
    runs: that one gets a process of its own, with nothing of the old one's memory."""
    source = ("import numpy as np\nKEPT = []\n"
              "def softmax(z):\n    return np.exp(z) / np.exp(z).sum()\n"
              "def backprop(z):\n    KEPT.append([float(v) for v in softmax(z)])\n    return 0.0\n"
              "def kept():\n    return KEPT\n")
    sub = Submission(slot, {"backprop.py": source.encode()})
    try:
        given = {"softmax": [[[[0.0, 0.0]], [0.25, 0.75]]]}  # the grader's answer, not softmax's
        [answer] = sub.call_many("backprop", "backprop", [([0.0, 0.0],)], given)
        assert answer.ok and sub.children == 1
        kept = sub.call("backprop", "kept")
        assert kept.ok and kept.value == [] and sub.children == 2
    finally:
        sub.close()
        slot.settle()

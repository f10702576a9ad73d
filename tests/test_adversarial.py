"""The grader against hostile submissions, through the real command line and the default sandbox.

One class holds an honest zeros submission, two honest students (the reference solutions,
and one with dJ/dU transposed) and one submission per attack in `tests/attacks.py`, each
attack built on top of the zeros submission. The class is graded once, with `--jobs 2`
and a 1-second call limit (module fixture). Then, for every attack:

1. no unearned points: no rubric item scores more than the zeros submission scores on it
   (graded under the same student id, so on the same inputs: inputs are drawn per student);
2. the feedback gives the specific reason where the attack makes a call fail;
3. the batch finished: exit status 0, a row in grades.csv and a results JSON with all 15 items;

and for the whole run: 4. no input file changed (class, solutions/, autograder/, the venv's
numpy); 5. no process outlived grading; 6. nothing was written outside the sandbox's scratch
(no marker files, no forged results, the output folder holds only what the grader writes, no
pickle was ever unpickled, no connection reached a listener of this test). The honest
students' results must equal their results when graded alone.

A second, small class graded with `--jobs 1` (one slot, sorted order) checks that nothing one
submission leaves behind reaches the next one in the same slot.

The attacks are destructive only inside the sandbox (see tests/attacks.py), so the suite is
skipped where the grader would not use bubblewrap.
"""
from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from attacks import ATTACKS, CARRYOVER, CARRYOVER_CLASS, MARK, PWNED, build, reasons
from autograder.sandbox.backends import WORKER_UIDS
from helpers import ROOT, read_grades, variant, write_class

ITEMS = ("q1.representable q1.step q1.step_network q1.indicator q1.piecewise_constant q1.explain q2.relu "
         "q2.relu_network q2.xor_weights q2.explain q3.softmax q3.cross_entropy q3.forward q3.grad_b2 q3.grad_U "
         "q3.grad_b1 q3.grad_W q3.derivation").split()  # in order: each question's written answer after its code
HONEST = {
    "honest_sol": variant(),
    "honest_dU": variant(backprop=[('"U": np.outer(delta1, h)', '"U": np.outer(h, delta1)')]),
}
SOLUTIONS = ROOT / "solutions"
LIMITS = {"call_seconds": 1, "submission_seconds": 6, "memory_mb": 1024}
# What the grader writes in OUT (README, cli.py, batch.py): the gradebook, Gradescope results,
# feedback pages, its per-student state for resuming and the class report.
OUTPUTS = ("grades.csv", "results", "feedback", ".grader-state", "report.html")


# -- helpers ---------------------------------------------------------------------------------
def _write_config(path: Path) -> Path:
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    config["limits"].update(LIMITS)
    config["assignment"]["solutions"] = str(SOLUTIONS)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def _tree(root: Path, skip=("__pycache__",)) -> dict[str, tuple]:
    """{relative path: (mode, content hash, link target or 'dir')} for root and everything under it,
    links not followed."""
    found = {".": (oct(root.stat().st_mode), "dir")}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in skip]
        for name in dirs + files:
            path = Path(folder) / name
            mode = oct(path.lstat().st_mode)
            if path.is_symlink():
                content = "link:" + os.readlink(path)
            elif path.is_dir():
                content = "dir"
            else:
                content = hashlib.sha256(path.read_bytes()).hexdigest()
            found[str(path.relative_to(root))] = (mode, content)
    return found


def _changed(before: dict, after: dict, what: str) -> list[str]:
    """Paths created, removed or changed (contents or mode). In the project's own folders, which
    people may edit while tests run: those a submission changed, and any change of mode."""
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    if what in PROJECT:
        changed = [k for k in changed if _by_a_submission(PROJECT[what] / k)
                   or (k in before and k in after and before[k][0] != after[k][0])]
    return changed


def _venv_state() -> dict[str, str]:
    """numpy's __init__.py and the names directly in site-packages (a planted .pth would show)."""
    import numpy

    site = Path(numpy.__file__).parent.parent
    return {"numpy/__init__.py": hashlib.sha256(Path(numpy.__file__).read_bytes()).hexdigest(),
            "site-packages": "\n".join(sorted(os.listdir(site)))}


PROJECT = {"solutions": SOLUTIONS, "autograder": ROOT / "autograder"}


def _inputs(class_dir: Path) -> dict[str, dict]:
    return {"class": _tree(class_dir), "venv": _venv_state(), **{k: _tree(v) for k, v in PROJECT.items()}}


def _by_a_submission(path: Path) -> bool:
    """A file a submission wrote: owned by a submission uid, or carrying the attacks' marker.

    (Every attack that writes, writes MARK; a file of the project that someone edits
    during the run is none of these.)
    """
    try:
        return path.lstat().st_uid in WORKER_UIDS or (path.is_file() and MARK.encode() in path.read_bytes())
    except FileNotFoundError:
        return False
    except OSError:
        return True


def _processes() -> dict[int, dict]:
    """{pid: {ppid, uid, mnt (mount namespace), cmdline}} of every process we can read."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as handle:
                fields = dict(line.split(":", 1) for line in handle if ":" in line)
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                cmdline = handle.read().replace(b"\0", b" ").decode(errors="replace").strip()
            found[int(entry)] = {"ppid": int(fields["PPid"]), "uid": int(fields["Uid"].split()[0]),
                                 "mnt": os.readlink(f"/proc/{entry}/ns/mnt"), "cmdline": cmdline}
        except (OSError, KeyError, ValueError):
            continue
    return found


def _sandboxes_of(root_pid: int) -> set[str]:
    """Mount namespaces of the descendants of root_pid other than our own: its sandboxes."""
    procs = _processes()
    children: dict[int, list[int]] = {}
    for pid, info in procs.items():
        children.setdefault(info["ppid"], []).append(pid)
    ours, todo, found = os.readlink("/proc/self/ns/mnt"), [root_pid], set()
    while todo:
        pid = todo.pop()
        if pid in procs and procs[pid]["mnt"] != ours:
            found.add(procs[pid]["mnt"])
        todo += children.get(pid, [])
    return found


def _stray_processes(sandboxes: set[str]) -> list[str]:
    """Processes in one of our grader's sandboxes (by mount namespace; a daemon cannot leave it),
    or with the attacks' marker in their command line.

    Other graders running at the same time (another test session) also run submissions as
    worker uids from the same range; the namespace tells ours apart.
    """
    found = []
    for pid, info in _processes().items():
        if pid == os.getpid():
            continue
        if (info["uid"] in WORKER_UIDS and info["mnt"] in sandboxes) or MARK in info["cmdline"]:
            found.append(f"pid {pid} uid {info['uid']}: {info['cmdline'][:200]}")
    return found


def _leftovers(sandboxes: set[str], wait: float = 3.0) -> list[str]:
    """Stray processes still there after `wait` seconds (dying processes get a moment to go)."""
    deadline = time.monotonic() + wait
    while True:
        found = _stray_processes(sandboxes)
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def _marker_files(since: float, roots: list[Path]) -> list[str]:
    """Files created since `since` whose names only an attack writes (forged results, pickle markers)."""
    names = ("FORGED_", Path(PWNED).name, MARK)
    found = []
    for root, depth in [(Path("/tmp"), 2), (Path("/dev/shm"), 1), (ROOT, 3)] + [(r, 99) for r in roots]:
        base = len(root.parts)
        for folder, dirs, files in os.walk(root):
            if len(Path(folder).parts) - base >= depth or folder.startswith(str(ROOT / ".git")):
                dirs[:] = []
            for name in files + dirs:
                path = Path(folder) / name
                try:
                    new = path.lstat().st_mtime >= since - 1
                except OSError:
                    continue
                forged = name in ("results.json", "grades.csv") and root == Path("/tmp") and folder == "/tmp"
                if new and (name.startswith(names) or forged):
                    found.append(str(path))
    return sorted(set(found))


def _listeners(port_hint: int = 0):
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", port_hint))
    tcp.listen(16)
    tcp.setblocking(False)
    port = tcp.getsockname()[1]
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind(f"\0{MARK}_{port}")
    unix.listen(16)
    unix.setblocking(False)
    return port, [tcp, unix]


def _accepted(listeners) -> list[str]:
    got = []
    for sock in listeners:
        try:
            conn, addr = sock.accept()
        except BlockingIOError:
            continue
        got.append(f"{sock.getsockname()!r} accepted a connection from {addr!r}")
        conn.close()
    return got


def _results(out: Path, student: str) -> dict:
    return json.loads((out / "results" / f"{student}.json").read_text())


def _scores(out: Path, student: str) -> dict[str, float]:
    return {t["name"].split()[0]: t["score"] for t in _results(out, student)["tests"]}


def _feedback(out: Path, student: str) -> dict[str, str]:
    """Each item's feedback as the student reads it: an item not checked because its module was not
    imported points to the note at the top of the page, which says why."""
    doc = _results(out, student)
    return {t["name"].split()[0]: t["output"] + ("\n" + doc["output"] if t["output"].startswith("Not checked:") else "")
            for t in doc["tests"]}


def _write_zeros(folder: Path) -> None:
    from attacks import zeros_files

    folder.mkdir(parents=True)
    for name, text in zeros_files().items():
        (folder / name).write_text(text)


def _grade(class_dir: Path, out: Path, config: Path, jobs: int | None):
    """Run `python -m autograder grade` as a user does (jobs None: the default); note the mount
    namespaces of its sandboxes meanwhile.

    Returns (a CompletedProcess, wall seconds, the sandboxes' namespaces).
    """
    cmd = [sys.executable, "-m", "autograder", "grade", str(class_dir), "--out", str(out), "--config", str(config)]
    cmd += ["--jobs", str(jobs)] if jobs else []
    sandboxes: set[str] = set()
    started = time.monotonic()
    with open(out.parent / f"{out.name}.stdout", "w+") as stdout, open(out.parent / f"{out.name}.stderr", "w+") as stderr:
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, text=True, cwd=ROOT)
        while proc.poll() is None:
            sandboxes |= _sandboxes_of(proc.pid)
            if time.monotonic() - started > 600:
                proc.kill()
            time.sleep(0.1)
        wall = time.monotonic() - started
        stdout.seek(0)
        stderr.seek(0)
        done = subprocess.CompletedProcess(cmd, proc.returncode, stdout.read(), stderr.read())
    return done, wall, sandboxes


def _bwrap_or_skip(config: Path) -> None:
    doctor = subprocess.run([sys.executable, "-m", "autograder", "doctor", "--config", str(config)],
                            capture_output=True, text=True, cwd=ROOT, timeout=60)
    if "sandbox backend: bwrap" not in doctor.stdout:
        pytest.skip("the attacks run only where the grader sandboxes with bubblewrap: " + doctor.stdout.strip())


# -- the graded class ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("adversarial")
    config = _write_config(root / "config.yaml")
    _bwrap_or_skip(config)
    port, listeners = _listeners()
    class_dir = root / "class"
    names = sorted(["zeros", *HONEST, *ATTACKS])
    values = {"MARK": MARK, "PWNED": PWNED, "PORT": str(port), "CLASS": str(class_dir), "NAMES": repr(names),
              "SOLUTIONS": str(SOLUTIONS), "VICTIM": str(root / "victim")}
    write_class(class_dir, HONEST)
    _write_zeros(class_dir / "zeros")
    for name, attack in ATTACKS.items():
        build(class_dir / name, name, attack, values)
    # The zeros submission under every attack's id: the most each attack may score on its own inputs.
    twin_dir = root / "twin"
    for name in ["zeros", *ATTACKS]:
        _write_zeros(twin_dir / name)
    alone_dir = write_class(root / "alone", HONEST)

    before = _inputs(class_dir)
    since = time.time()
    try:
        proc, wall, sandboxes = _grade(class_dir, root / "out", config, jobs=None)
        strays = _leftovers(sandboxes)
        after = _inputs(class_dir)
        markers = _marker_files(since, [root])
        accepted = _accepted(listeners)
    finally:
        for sock in listeners:
            sock.close()
    twin, _, _ = _grade(twin_dir, root / "twin-out", config, jobs=2)
    alone, _, _ = _grade(alone_dir, root / "alone-out", config, jobs=2)
    assert twin.returncode == 0 and alone.returncode == 0, twin.stderr + alone.stderr
    return SimpleNamespace(proc=proc, wall=wall, out=root / "out", twin=root / "twin-out", alone=root / "alone-out",
                           names=names, values=values, before=before, after=after, strays=strays, sandboxes=sandboxes,
                           markers=markers, accepted=accepted, root=root)


# -- the whole run ---------------------------------------------------------------------------
def test_graded_with_bubblewrap(run):
    assert "sandbox: bwrap" in run.proc.stdout, run.proc.stdout + run.proc.stderr


def test_batch_finished_with_exit_status_0(run):
    assert run.proc.returncode == 0, run.proc.stderr[-3000:]
    assert sorted(read_grades(run.out)) == run.names


def test_grading_this_class_finishes(run, capsys):
    with capsys.disabled():
        print(f"\n[adversarial] graded {len(run.names)} submissions in {run.wall:.1f} s wall time "
              f"(grader says: {run.proc.stdout.splitlines()[0] if run.proc.stdout else '?'})")
    assert run.proc.stdout.startswith(f"Graded {len(run.names)} submissions")


def test_reference_solutions_still_get_full_marks(run):
    row = read_grades(run.out)["honest_sol"]
    assert (row["q1"], row["q2"], row["q3"], row["total"], row["status"]) == ("30", "20", "50", "100", "ok")


def test_other_students_results_unchanged(run):
    """The honest students score exactly as when graded without the attackers."""
    mixed, alone = read_grades(run.out), read_grades(run.alone)
    for student in HONEST:
        assert mixed[student] == alone[student]
        assert _results(run.out, student) == _results(run.alone, student)
    assert read_grades(run.out)["honest_dU"]["q3"] == "46"  # dJ/dU transposed: half of its 8 points


def test_zeros_student_unaffected(run):
    assert _results(run.out, "zeros") == _results(run.twin, "zeros")


def test_input_files_unchanged(run):
    for what in run.before:
        changed = _changed(run.before[what], run.after[what], what)
        assert not changed, f"{what}: changed, created or removed during grading: {changed[:20]}"


def test_no_process_outlives_grading(run):
    assert run.sandboxes, "no sandbox of the grader was seen while it ran"
    assert not run.strays, "still running after grading:\n" + "\n".join(run.strays)


def test_nothing_written_outside_the_sandbox(run):
    assert not run.markers, "files an attack would leave outside its sandbox:\n" + "\n".join(run.markers)
    assert {p.name for p in run.out.iterdir()} <= set(OUTPUTS), sorted(p.name for p in run.out.iterdir())
    assert sorted(p.name for p in (run.out / "results").iterdir()) == sorted(f"{name}.json" for name in run.names)
    for folder in ("results", "feedback", ".grader-state"):
        if (run.out / folder).is_dir():  # one file a student, named by student id, nothing else
            strays = [p.name for p in (run.out / folder).iterdir()
                      if not p.is_file() or p.is_symlink() or p.name.split(".")[0] not in run.names]
            assert not strays, f"OUT/{folder}: {strays}"


def test_html_pages_escape_what_a_submission_says(run):
    for page in run.out.rglob("*.html"):
        text = page.read_text()
        for raw in (f"<script>{MARK}", f"<img src=x onerror={MARK}", f"<a href='javascript:{MARK}"):
            assert raw not in text, f"{page.name} carries a submission's markup unescaped: {raw}"


def test_no_pickle_was_ever_unpickled(run):
    pwned = [str(p) for p in Path(PWNED).parent.iterdir() if p.name.startswith(Path(PWNED).name)]
    assert not pwned, f"a submission's pickle or conftest ran in the grader: {pwned}"


def test_printed_lines_do_not_reach_the_grader(run):
    assert MARK not in run.proc.stdout
    assert "15 passed" not in run.proc.stdout


def test_no_connection_reached_the_test_listeners(run):
    assert not run.accepted


# -- each attack -----------------------------------------------------------------------------
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_no_unearned_points(run, attack):
    got, zeros = _scores(run.out, attack), _scores(run.twin, attack)
    over = {item: (got[item], zeros[item]) for item in ITEMS if got[item] > zeros[item]}  # written ones too: 0
    assert not over, f"{attack} scored more than zeros on (item: (score, zeros' score)): {over}"


@pytest.mark.parametrize("attack", sorted(a for a in ATTACKS if ATTACKS[a].reasons))
def test_feedback_gives_the_reason(run, attack):
    feedback = _feedback(run.out, attack)
    for item, expected in reasons(ATTACKS[attack], run.values).items():
        for text in expected:
            assert text in feedback[item], f"{item}: expected {text!r} in:\n{feedback[item]}"


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_graded_completely(run, attack):
    row = read_grades(run.out)[attack]
    assert not row["status"].startswith(("grader error", "output not written")), \
        f"{attack}: {row}; {_results(run.out, attack)['extra_data']}"
    result = _results(run.out, attack)
    assert [t["name"].split()[0] for t in result["tests"]] == ITEMS
    assert all(t["output"] for t in result["tests"])


def test_outputs_stay_small_whatever_the_code_returns(run):
    """Each student's results, feedback and saved state stay under 1 MiB (huge_messages returns megabytes)."""
    for folder in ("results", "feedback", ".grader-state"):
        for path in (run.out / folder).iterdir():
            assert path.stat().st_size < 1 << 20, f"{path.name}: {path.stat().st_size} bytes"


# -- what one submission leaves for the next, and holds meanwhile ------------------------------
def _carryover_names() -> list[str]:
    return [f"a{i:02d}_{name}" for i, name in enumerate(CARRYOVER_CLASS)]


@pytest.fixture(scope="module", params=[1, None], ids=["jobs1", "default_jobs"])
def carryover(request, tmp_path_factory):
    """Each attack between two correct students; with --jobs 1 they share one slot, in sorted order."""
    root = tmp_path_factory.mktemp("carryover")
    config = _write_config(root / "config.yaml")
    _bwrap_or_skip(config)
    class_dir, victim = root / "class", root / "victim"
    (victim / "inner").mkdir(parents=True)
    (victim / "inner" / "file").write_text("the test's own\n")
    os.chmod(victim, 0o750)
    names = _carryover_names()
    values = {"MARK": MARK, "PWNED": PWNED, "PORT": "9", "CLASS": str(class_dir), "NAMES": repr(names),
              "SOLUTIONS": str(SOLUTIONS), "VICTIM": str(victim)}
    for name in names:
        kind = name.split("_", 1)[1]
        if kind == "sol":
            write_class(class_dir, {name: variant()})
        else:
            build(class_dir / name, name, CARRYOVER[kind], values)
    before = {**_inputs(class_dir), "victim": _tree(victim)}
    proc, _, sandboxes = _grade(class_dir, root / "out", config, jobs=request.param)
    after = {**_inputs(class_dir), "victim": _tree(victim)}
    return SimpleNamespace(proc=proc, out=root / "out", values=values, strays=_leftovers(sandboxes),
                           sandboxes=sandboxes, names=names, before=before, after=after, config=config,
                           jobs=request.param)


def test_carryover_class_finished(carryover):
    assert carryover.proc.returncode == 0, carryover.proc.stderr[-3000:]
    assert "sandbox: bwrap" in carryover.proc.stdout
    assert sorted(read_grades(carryover.out)) == carryover.names
    assert not carryover.strays


def test_correct_students_around_every_attack_get_full_marks(carryover):
    grades = read_grades(carryover.out)
    for name in carryover.names:
        if name.endswith("_sol"):
            assert grades[name]["total"] == "100", f"{name}: {grades[name]}; {_feedback(carryover.out, name)}"


def test_every_attack_is_graded_completely(carryover):
    for name in carryover.names:
        result = _results(carryover.out, name)
        assert [t["name"].split()[0] for t in result["tests"]] == ITEMS
        assert not read_grades(carryover.out)[name]["status"].startswith(("grader error", "output not written")), \
            result["extra_data"]


def test_nothing_left_for_the_next_submission(carryover):
    """The observer, right after the planter, sees what it saw in a fresh slot: no files, links,
    processes, IPC objects, keys, network state or process numbers of the planter's."""
    first, after = [_feedback(carryover.out, n)["q1.representable"] for n in carryover.names if n.endswith("_observer")]
    for text in reasons(CARRYOVER["observer"], carryover.values)["q1.representable"]:
        assert text in after, after
    report = first.split(f"{MARK} saw: ")[1].split("\n")[0]
    if carryover.jobs == 1:  # one slot: the same fresh state
        assert after.split(f"{MARK} saw: ")[1].split("\n")[0] == report
    assert report.startswith("[] procs: [] ipc: ['1/-/?', 'dir "), report  # pid 1, no /proc, a new folder


def test_memory_held_outside_the_address_space_is_bounded(carryover):
    """System V shared memory never above memory_mb; files in /tmp never above scratch_mb; /dev/shm none;
    memfds within file_size_mb times open_files (and memory_mb)."""
    hog = next(n for n in carryover.names if n.endswith("_hog"))
    feedback = _feedback(carryover.out, hog)["q1.step"]
    held = eval(feedback.split(f"{MARK} held ")[1].split("}")[0] + "}")  # the attack's own report, in MiB
    limits = yaml.safe_load(carryover.config.read_text())["limits"]
    assert held["sysv"] <= limits["memory_mb"] and held["devshm"] == 0, held
    assert held["tmp"] <= limits.get("scratch_mb", 64), held
    assert held["memfd"] <= min(limits["memory_mb"], limits.get("file_size_mb", 8) * limits.get("open_files", 64)), held
    assert held.get("sockets", 0) == 0, held  # socket buffers would count against no limit at all


def test_no_file_outside_out_changed_contents_or_modes(carryover):
    for what in carryover.before:
        changed = _changed(carryover.before[what], carryover.after[what], what)
        assert not changed, f"{what}: changed during grading: {changed[:20]}"

"""Two grader runs on one host never touch each other: each slot runs submissions as a uid of its own.

The uid is claimed with a lock the kernel releases when the process ends (an flock on a file
named after it, in a folder only root may write), so two runs (two courses, a test suite
beside a real run) never share one, and no student can take them all first: a process sweep,
a process limit or a leftover check by uid sees one run only.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from autograder.sandbox.backends import WORKER_UIDS, claim_worker_uid
from helpers import ROOT, read_grades, variant, write_class

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="worker uids are claimed only when the grader is root")
HOLD = ("import sys, time; sys.path.insert(0, {root!r}); from autograder.sandbox.backends import claim_worker_uid; "
        "uid, lock = claim_worker_uid(); print(uid, flush=True); time.sleep(30)")


def test_two_processes_never_hold_the_same_uid():
    holders = [subprocess.Popen([sys.executable, "-c", HOLD.format(root=str(ROOT))], stdout=subprocess.PIPE, text=True)
               for _ in range(3)]
    try:
        uids = [int(proc.stdout.readline()) for proc in holders]
        mine = [claim_worker_uid() for _ in range(3)]
        assert len(set(uids) | {uid for uid, _ in mine}) == 6
        assert all(uid in WORKER_UIDS for uid in uids)
    finally:
        for proc in holders:
            proc.kill()
            proc.wait()
        for _, lock in mine:
            lock.close()


def test_a_uid_is_free_again_when_its_holder_ends():
    proc = subprocess.Popen([sys.executable, "-c", HOLD.format(root=str(ROOT))], stdout=subprocess.PIPE, text=True)
    uid = int(proc.stdout.readline())
    proc.kill()
    proc.wait()
    import fcntl

    from autograder.sandbox.backends import _lock_folder

    with open(_lock_folder() / f"uid-{uid}") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the lock went with the process


def test_no_student_can_hold_the_locks():
    """The locks are files in a folder only root may write: a student cannot take their names first."""
    from autograder.sandbox.backends import _lock_folder

    info = os.stat(_lock_folder())
    assert info.st_uid == 0 and info.st_mode & 0o777 == 0o700


def _tree() -> dict[int, tuple[int, int]]:
    """{pid: (ppid, uid)} of every process we can read."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/status") as handle:
                    fields = dict(line.split(":", 1) for line in handle if ":" in line)
                found[int(entry)] = (int(fields["PPid"]), int(fields["Uid"].split()[0]))
            except (OSError, KeyError, ValueError):
                continue
    return found


def _worker_uids_under(root: int, tree: dict) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in tree.items():
        children.setdefault(ppid, []).append(pid)
    todo, uids = [root], set()
    while todo:
        pid = todo.pop()
        if pid in tree and tree[pid][1] in WORKER_UIDS:
            uids.add(tree[pid][1])
        todo += children.get(pid, [])
    return uids


@pytest.mark.skipif(os.geteuid() != 0, reason="submissions run as worker uids only when the grader is root")
def test_two_grader_runs_at_once_use_different_uids_and_both_finish(tmp_path):
    slow = "import time\ntime.sleep(0.25)\n"
    students = {f"s{i}": {name: slow + text for name, text in variant().items()} for i in range(4)}
    runs = []
    for run in ("one", "two"):
        write_class(tmp_path / run, students)
        cmd = [sys.executable, "-m", "autograder", "grade", str(tmp_path / run), "--out", str(tmp_path / f"{run}-out"),
               "--jobs", "2"]
        runs.append(subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    seen = [set(), set()]
    while any(proc.poll() is None for proc in runs):
        tree = _tree()
        for i, proc in enumerate(runs):
            seen[i] |= _worker_uids_under(proc.pid, tree)
        time.sleep(0.05)
    for proc in runs:
        assert proc.returncode == 0, proc.stderr.read()
    assert seen[0] and seen[1], "no submission process was seen"
    assert not seen[0] & seen[1], f"both runs used uids {seen[0] & seen[1]}"
    for run in ("one", "two"):
        assert {row["total"] for row in read_grades(tmp_path / f"{run}-out").values()} == {"100"}

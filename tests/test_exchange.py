"""The nbgrader exchange is hostile input: what an unprivileged student plants there is rejected at collect.

A course is released with the real nbgrader; alice and erin submit with `nbgrader submit`.
Then mallory, a student with no privileges, plants inbound folders as her own uid could:
one whose modules are links to the reference solutions, one under alice's name with a later
timestamp, one without nbgrader's timestamp and secret, and others holding a FIFO, a hard
link, or being a link themselves. The folders
are given the owners they would have on a multi-user host (alice's submission is alice's,
mallory's plants are mallory's), and `collect` runs with a passwd file naming alice and
mallory (bound over /etc/passwd in a private mount namespace). Every plant must be rejected
with its reason, alice's honest submission collected and graded at 100, erin's (who has no
account here, as when an instructor tries the exchange alone) collected too.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
import yaml

from attacks import zeros_files
from autograder.integrations.exchange import MAX_ENTRIES, MAX_TRIES
from helpers import ROOT, chown_tree, read_grades, run_with_users, variant
from test_course import COURSE_ID, student_nbgrader

ALICE, MALLORY = 1_900_000_001, 1_900_000_002
pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("unshare"),
                                reason="files owned by other users, and a private mount namespace, need root")


def _as_root_with_users(tmp, *args):
    return run_with_users(tmp, {"alice": ALICE, "mallory": MALLORY}, *args)


@pytest.fixture(scope="module")
def exchange(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("exchange")
    raw = yaml.safe_load((ROOT / "config.yaml").read_text())
    raw["assignment"].update(due=(datetime.now(timezone.utc) + timedelta(days=1)).isoformat(),
                             solutions=str(ROOT / "solutions"))
    (tmp / "config.yaml").write_text(yaml.safe_dump(raw))
    course = ["--course-dir", str(tmp / "course"), "--config", str(tmp / "config.yaml")]
    proc = subprocess.run([sys.executable, "-m", "autograder", "release", *course], cwd=ROOT, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for student in ("alice", "erin"):
        home = tmp / "students" / student
        home.mkdir(parents=True)
        student_nbgrader(student, home, "fetch_assignment", "nn_backprop")
        for name, text in variant().items():
            (home / "nn_backprop" / name).write_text(text)
        student_nbgrader(student, home, "submit", "nn_backprop")
    inbound = tmp / "course" / "exchange" / COURSE_ID / "inbound"
    [erin] = inbound.glob("erin+nn_backprop+*")  # erin edits her timestamp to three days before she submitted
    (erin / "timestamp.txt").write_text((datetime.now(timezone.utc) - timedelta(days=3)).strftime(
        "%Y-%m-%d %H:%M:%S.%f UTC"))
    [honest] = inbound.glob("alice+nn_backprop+*")
    chown_tree(honest, ALICE)
    later = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S.%f UTC")

    def plant(student, tag, files=None, links=None):
        folder = inbound / f"{student}+nn_backprop+{later}+{tag}"
        folder.mkdir()
        for name, text in (files or {}).items():
            (folder / name).write_text(text)
        for name, target in (links or {}).items():
            os.symlink(target, folder / name)
        (folder / "timestamp.txt").write_text(later)
        (folder / "submission_secret.txt").write_text("cd" * 64)  # as nbgrader submit writes them
        chown_tree(folder, MALLORY)
        return folder

    plant("mallory", "links", links={m: str(ROOT / "solutions" / m) for m in zeros_files()})
    plant("alice", "forged", files=zeros_files())
    for i in range(2 * MAX_TRIES):  # more forgeries under alice's name than collect reads of one student's own
        plant("alice", f"forged{i}", files=zeros_files())
    copied = plant("mallory", "copiedsecret", files=zeros_files())  # alice's secret, read from her nbgrader cache
    (copied / "submission_secret.txt").write_text((honest / "submission_secret.txt").read_text())
    chown_tree(copied, MALLORY)
    empty = plant("mallory", "emptydirs", files=zeros_files())  # files few, folders many: each costs a look
    for i in range(MAX_ENTRIES):
        (empty / f"d{i}").mkdir()
    chown_tree(empty, MALLORY)
    no_time = plant("carol", "notime", files=zeros_files())  # never went through nbgrader submit
    (no_time / "timestamp.txt").unlink()
    chown_tree(no_time, 1_900_000_099)  # a uid with no account: ownership says nothing here
    fifo = plant("mallory", "fifo", files=zeros_files())
    os.unlink(fifo / "backprop.py")
    os.mkfifo(fifo / "backprop.py")
    os.lchown(fifo / "backprop.py", MALLORY, MALLORY)
    # One file of hers in two submissions: links to others' files the kernel refuses her (protected_hardlinks).
    hard = plant("mallory", "hardlink", files={k: v for k, v in zeros_files().items() if k != "backprop.py"})
    os.link(fifo / "step_network.py", hard / "backprop.py")
    os.symlink(str(ROOT / "solutions"), inbound / f"dave+nn_backprop+{later}+dir")
    for student, name, data in (("frank", "submission_secret.txt", b"\xff\xfe"),  # nbgrader's feedback reads both
                                ("gina", "timestamp.txt", later.encode("utf-16")),  # as UTF-8 text
                                ("hank", "timestamp.txt", b"2026-11-19 24:00:00 UTC")):  # the form of a time, not one
        odd = plant(student, "odd", files=zeros_files())
        (odd / "submission_secret.txt").write_text("ab" * 64)
        (odd / name).write_bytes(data)
        chown_tree(odd, 1_900_000_099)
    collect = _as_root_with_users(tmp, "collect", *course)
    shutil.copyfile(tmp / "course" / "submitted" / ".rejected.txt", tmp / "rejected-first.txt")
    grade = _as_root_with_users(tmp, "grade", "--out", str(tmp / "out"), *course)
    feedback = _as_root_with_users(tmp, "feedback", *course)
    # erin removes her inbound folder, so that collect no longer sees the time she edited; and someone floods
    # the inbound folder with names collect rejects: the doubt about erin's time must stay all the same.
    shutil.rmtree(erin)
    for i in range(300):
        (inbound / f"{chr(1) * 50}{i}+nn_backprop+t+r").touch()
    for i in range(100):  # mallory's links whose targets are 4000 control characters: long, once escaped
        os.symlink("\x01" * 4000, inbound / f"mallory+nn_backprop+{later}+long{i}")
        os.lchown(inbound / f"mallory+nn_backprop+{later}+long{i}", MALLORY, MALLORY)
    again = _as_root_with_users(tmp, "collect", *course), _as_root_with_users(tmp, "grade", "--out",
                                                                             str(tmp / "out2"), *course)
    return tmp, honest, later, collect, grade, feedback, again


def test_collect_finishes_and_says_what_it_rejected(exchange):
    tmp, _, _, collect, _, _, _ = exchange
    assert collect.returncode == 0, collect.stdout + collect.stderr
    assert f"Rejected {11 + 2 * MAX_TRIES} inbound folder(s)" in collect.stdout, collect.stdout
    expected = {"+links": "is a symbolic link (to ", "+forged": "is owned by uid 1900000002 (mallory), not by uid "
                "1900000001 (alice)", "+fifo": "backprop.py is not a regular file",
                "+emptydirs": f"it holds more than {MAX_ENTRIES} files and folders",
                "+copiedsecret": "its submission_secret.txt is alice's, who submitted first",
                "+hardlink": "backprop.py has other hard links",
                "+dir": "it is a symbolic link (to ", "+notime": "it has no timestamp.txt, which nbgrader submit always writes",
                "frank+": "its submission_secret.txt is not what nbgrader submit writes",
                "gina+": "its timestamp.txt is not what nbgrader submit writes",
                "hank+": "its timestamp.txt is not a time"}
    lines = (tmp / "rejected-first.txt").read_text().splitlines()  # every one, with its reason
    for tag, why in expected.items():
        assert any(tag in line and why in line for line in lines), (tag, lines)


def test_only_honest_submissions_are_collected(exchange):
    tmp, honest, later, _, _, _, _ = exchange
    submitted = tmp / "course" / "submitted"
    assert sorted(p.name for p in submitted.iterdir() if not p.name.startswith(".")) == ["alice", "erin"]
    alice = submitted / "alice" / "nn_backprop"
    assert (alice / "timestamp.txt").read_text() == (honest / "timestamp.txt").read_text() != later
    assert (alice / "backprop.py").read_text() == variant()["backprop.py"]
    for path in submitted.rglob("*"):
        assert not path.is_symlink()


def test_the_honest_students_grades_are_intact(exchange):
    tmp, _, _, _, grade, _, _ = exchange
    assert grade.returncode == 0, grade.stdout + grade.stderr
    grades = read_grades(tmp / "out")
    assert sorted(grades) == ["alice", "erin"]
    assert grades["alice"]["total"] == grades["erin"]["total"] == "100"


def test_the_exchange_root_is_sticky(exchange):
    tmp, _, _, _, _, _, _ = exchange
    assert os.stat(tmp / "course" / "exchange").st_mode & 0o1777 == 0o1777


def test_files_changed_after_the_claimed_time_are_reported(exchange):
    _, _, _, collect, _, _, _ = exchange
    lines = collect.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("  erin: "))
    assert "WARNING: files changed at" in lines[at + 1] and "after the time it claims" in lines[at + 1], collect.stdout
    alice = next(i for i, line in enumerate(lines) if line.startswith("  alice: "))
    assert "WARNING" not in lines[alice + 1]


def test_the_doubt_reaches_the_grade_and_the_student(exchange):
    tmp, _, _, _, _, _, _ = exchange
    row = read_grades(tmp / "out")["erin"]
    assert row["status"] == "timestamp doubtful" and row["total"] == "100"
    page = (tmp / "out" / "feedback" / "erin.md").read_text()
    assert "after the time it claims" in page and "your instructor has been told" in page


def test_only_the_instructor_can_read_the_course(exchange):
    tmp, _, _, _, _, _, _ = exchange
    course = tmp / "course"
    assert os.stat(course).st_mode & 0o777 == 0o711  # students pass through, to the exchange, and see nothing
    for name in ("source", "release", "submitted", "feedback"):
        assert os.stat(course / name).st_mode & 0o777 == 0o700, name
    assert os.stat(course / "gradebook.db").st_mode & 0o777 == 0o600
    for top in ("submitted", "feedback"):  # private from the moment each was made, to the last file
        for path in (course / top).rglob("*"):
            assert path.lstat().st_mode & 0o077 == 0, (path, oct(path.lstat().st_mode))
    exchange = course / "exchange" / COURSE_ID  # made, and ours, before the exchange was opened to everyone
    assert os.stat(exchange).st_uid == os.geteuid() and os.stat(exchange).st_mode & 0o022 == 0


def test_a_folder_that_changes_while_it_is_read_is_rejected(tmp_path):
    from autograder.integrations import exchange

    inbound = tmp_path / "inbound"
    inbound.mkdir()
    fd = os.open(inbound, os.O_RDONLY)
    try:
        with pytest.raises(exchange.Rejected, match="it changed while it was read"):
            exchange._read(fd, "ghost+nn_backprop+2026-12-01 10:00:00 UTC+x", "ghost", "2026-12-01 10:00:00 UTC")
    finally:
        os.close(fd)


def test_feedback_reaches_every_collected_student(exchange):
    tmp, _, _, _, _, feedback, _ = exchange
    assert feedback.returncode == 0, feedback.stdout + feedback.stderr
    folder = tmp / "course" / "exchange" / COURSE_ID / "feedback"
    released = list(folder.iterdir())
    assert len(released) == 2  # alice's page and erin's
    from nbgrader.utils import notebook_hash

    secret = (tmp / "course" / "feedback" / "alice" / "nn_backprop" / "submission_secret.txt").read_text()
    alices = folder / f"{notebook_hash(secret=secret, notebook_id='nn_backprop')}.html"
    # alice, a user of the machine, owns hers (0600): a classmate who learns its name cannot read it;
    # erin has no account here, so hers is as nbgrader leaves pages, 0644
    assert alices.stat().st_uid == ALICE and alices.stat().st_mode & 0o777 == 0o600
    assert _readable_as(ALICE, folder, alices.name) and not _readable_as(MALLORY, folder, alices.name)
    [erins] = [page for page in released if page != alices]
    assert erins.stat().st_mode & 0o777 == 0o644 and _readable_as(MALLORY, folder, erins.name)


def _readable_as(uid, folder, name) -> bool:
    """Whether `uid` (no groups) can open folder/name, searching `folder` as that uid."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    pid = os.fork()
    if pid == 0:  # the child: drop to uid, then open as it would
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            os.close(os.open(name, os.O_RDONLY, dir_fd=fd))
            os._exit(0)
        except BaseException:
            os._exit(1)
    os.close(fd)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0


def test_a_doubt_stays_when_the_inbound_folder_goes(exchange):
    tmp, _, _, _, _, _, (collect, grade) = exchange
    assert collect.returncode == 0 and grade.returncode == 0, collect.stdout + collect.stderr + grade.stderr
    assert "... and" in collect.stdout and len(collect.stdout.splitlines()) < 40  # 400 rejections, a few shown
    assert len(collect.stdout) < 20_000  # each line cut short, long link targets included
    listing = (tmp / "course" / "submitted" / ".rejected.txt").read_text()
    assert listing.count("\n") >= 400 and max(len(line) for line in listing.splitlines()) < 600
    assert "not read: mallory has more than 20 newer ones" in listing  # a flood of folders is not all read
    lines = collect.stdout.splitlines()
    heads = [line for line in lines if line.startswith("  ") and not line.startswith("    ")]
    assert heads[0] == f"  {1 + 2 * MAX_TRIES} claim to be another student's:" and heads[1].endswith("are or hold links:"), heads
    assert read_grades(tmp / "out2")["erin"]["status"] == "timestamp doubtful"


def test_a_secret_written_into_an_older_folder_is_as_new_as_the_writing(tmp_path):
    """mallory made her inbound folder first, then wrote alice's secret into it after alice submitted: alice had
    the secret first, so hers is collected and mallory's rejected as the copy."""
    import time as _time

    from autograder.integrations import exchange

    inbound, submitted = tmp_path / "inbound", tmp_path / "submitted"
    inbound.mkdir()
    stamp = "2026-12-01 10:00:00.000000 UTC"

    def folder(student, secret):
        path = inbound / f"{student}+nn_backprop+{stamp}+{student[:3]}"
        path.mkdir()
        for name, text in variant().items():
            (path / name).write_text(text)
        (path / "timestamp.txt").write_text(stamp)
        (path / "submission_secret.txt").write_text(secret)
        return path

    mallory = folder("mallory", "aa" * 32)
    _time.sleep(0.05)
    folder("alice", "bb" * 32)
    _time.sleep(0.05)
    (mallory / "submission_secret.txt").write_text("bb" * 32)  # in place: the folder's own time does not move
    found = exchange.collect(inbound, "nn_backprop", submitted)
    assert [entry.student for entry in found.collected] == ["alice"]
    assert any(name.startswith("mallory+") and "is alice's, who submitted first" in why
               for name, _, why in found.rejected), found.rejected


def test_a_fifo_for_a_secret_stops_nothing(tmp_path):
    """A FIFO held open as submission_secret.txt: that folder is rejected, the rest collected."""
    from autograder.integrations import exchange

    inbound, submitted = tmp_path / "inbound", tmp_path / "submitted"
    inbound.mkdir()
    stamp = "2026-12-01 10:00:00.000000 UTC"
    for student in ("alice", "mallory"):
        path = inbound / f"{student}+nn_backprop+{stamp}+{student[:3]}"
        path.mkdir()
        for name, text in variant().items():
            (path / name).write_text(text)
        (path / "timestamp.txt").write_text(stamp)
        if student == "mallory":
            os.mkfifo(path / "submission_secret.txt")
            holder = os.open(path / "submission_secret.txt", os.O_RDWR | os.O_NONBLOCK)  # a writer, no data
        else:
            (path / "submission_secret.txt").write_text("ab" * 32)
    try:
        found = exchange.collect(inbound, "nn_backprop", submitted)
    finally:
        os.close(holder)
    assert [entry.student for entry in found.collected] == ["alice"]
    assert any(name.startswith("mallory+") for name, _, _ in found.rejected), found.rejected

"""What comes from students is data, never structure: folder names, timestamp files, the class layout.

Each class here is graded through the command line as an instructor runs it. Every student's
code is the reference solution, so every row must read 100; what varies is what surrounds the
code: the student's folder name (any bytes, any length the filesystem allows), an output file
that cannot be written, the timestamp.txt nbgrader leaves (or a student forges), and folder
names that look like another layout.
"""
from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml

from autograder.core.ids import file_stem, printable
from helpers import ROOT, chown_tree, read_markdown, solution

HOSTILE_IDS = {
    "long": "a" * 255,
    "formula": '=HYPERLINK(CONCAT("ht","tps:"),"click")',
    "plus": "+1+2",
    "at": "@SUM(A1)",
    "html": "<img src=x onerror=alert(1)>",
    "markdown": "**bold** [link](javascript:alert(1)) # `tick`",
    "newline": "two\nlines",
    "escape": "\x1b[31mred\x1b[0m",
    "bidi": "evil\u202egnp.exe",
    "unicode": "ünïcödé",
    "plain": "plain_id",
    "quoted": "'=1+1",  # beside "=1+1"-like ids: the CSV cell must still tell them apart
}
NOT_UTF8 = b"caf\xe9"


def _write_solution(folder: bytes | str) -> None:
    os.makedirs(folder)
    for name in ("step_network.py", "xor_relu.py", "backprop.py"):
        with open(os.path.join(os.fsencode(folder), name.encode()), "w") as handle:
            handle.write(solution(name))


def _grade(class_dir, out, config=None, *extra):
    cmd = [sys.executable, "-m", "autograder", "grade", str(class_dir), "--out", str(out), *extra]
    if config:
        cmd += ["--config", str(config)]
    return subprocess.run(cmd, capture_output=True, cwd=ROOT, timeout=300)


def _uncell(cell: str) -> str:
    """A grades.csv cell as the id it shows: the quote that stops a spreadsheet formula removed."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@", "\t", "\r", "'") else cell


def _rows(out) -> list[dict]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# -- student ids ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ids(tmp_path_factory):
    root = tmp_path_factory.mktemp("ids")
    class_dir = root / "class"
    for name in HOSTILE_IDS.values():
        _write_solution(str(class_dir / name))
    _write_solution(os.fsencode(class_dir) + b"/" + NOT_UTF8)
    _write_solution(str(class_dir / "blocked"))
    out = root / "out"
    (out / "results" / "blocked.json").mkdir(parents=True)  # this student's results file cannot be written
    first = _grade(class_dir, out)
    again = _grade(class_dir, out)
    return root, class_dir, out, first, again


def test_every_name_is_graded_and_the_run_ends_with_exit_0(ids):
    _, _, out, first, _ = ids
    assert first.returncode == 0, first.stderr.decode(errors="replace")
    rows = _rows(out)
    expected = {printable(n) for n in HOSTILE_IDS.values()} | {"caf\\xe9", "blocked"}
    assert {_uncell(row["student"]) for row in rows} == expected
    assert all(row["total"] == "100" for row in rows), [(r["student"], r["total"]) for r in rows]


def test_a_new_output_folder_is_the_instructors_alone(stamps):
    out, _, _ = stamps
    assert os.stat(out).st_mode & 0o777 == 0o700


def test_an_output_that_cannot_be_written_is_that_students_row(ids):
    _, _, out, first, _ = ids
    row = next(r for r in _rows(out) if r["student"] == "blocked")
    assert row["status"] == "output not written"
    assert "blocked" in first.stdout.decode() and "could not write" in first.stdout.decode()


def test_csv_cells_never_start_a_formula(ids):
    _, _, out, _, _ = ids
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        for row in csv.reader(handle):
            for cell in row:
                assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), cell
    cells = {r["student"] for r in _rows(out)}
    assert "'" + HOSTILE_IDS["formula"] in cells and "'+1+2" in cells and "'@SUM(A1)" in cells
    assert "''=1+1" in cells  # an id that starts with a quote gets one more


def test_output_files_have_safe_names_recorded_in_grades_csv(ids):
    _, _, out, _, _ = ids
    rows = _rows(out)
    files = [r["file"] for r in rows]
    assert len(set(files)) == len(files)
    assert file_stem("plain_id") == "plain_id" and "plain_id" in files
    for row in rows:
        if row["student"] == "blocked":
            continue
        for path in (out / "results" / f"{row['file']}.json", out / "feedback" / f"{row['file']}.html",
                     out / "feedback" / f"{row['file']}.md"):
            assert path.is_file() and len(path.name.encode()) <= 255, path
        doc = json.loads((out / "results" / f"{row['file']}.json").read_text())
        assert doc["extra_data"]["student"] == _uncell(row["student"]) and doc["score"] == 100


def test_pages_escape_the_id(ids):
    _, _, out, _, _ = ids
    rows = {_uncell(r["student"]): r["file"] for r in _rows(out)}
    for name in ("html", "markdown", "escape", "bidi", "newline"):
        stem = rows[printable(HOSTILE_IDS[name])]
        page = (out / "feedback" / f"{stem}.html").read_text()
        md = (out / "feedback" / f"{stem}.md").read_text()
        for text in (page, md):
            assert "\x1b" not in text and "\u202e" not in text
        assert "<img" not in page and not re.search(r"(?<!\\)<img", md)  # in Markdown: \<img, not a tag
        assert "[link](javascript" not in md and "**bold**" not in md
        assert printable(HOSTILE_IDS[name]) in read_markdown(out / "feedback" / f"{stem}.md")
    report = (out / "report.html").read_text()
    assert "<img src=x" not in report and "\x1b" not in report


def test_the_terminal_gets_no_control_characters(ids):
    _, _, _, first, again = ids
    for proc in (first, again):
        text = (proc.stdout + proc.stderr).decode("utf-8")
        assert "\x1b[31m" not in text and "\u202e" not in text


def test_a_second_run_keeps_every_result(ids):
    _, _, _, _, again = ids
    assert again.returncode == 0, again.stderr.decode(errors="replace")
    # every result was saved and found again, except the one whose output could not be written
    assert b"kept 14 unchanged" in again.stdout, again.stdout


def test_the_seed_is_the_ids_bytes():
    from autograder.grading.cases import Cases

    assert Cases(1, "caf\udce9").step[1][0].tolist() != Cases(1, "caf\\xe9").step[1][0].tolist()
    assert Cases(1, "bob").step[1][0].tolist() == Cases(1, "bob").step[1][0].tolist()


# -- timestamp.txt ---------------------------------------------------------------------------------
def _late_config(path):
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    config["assignment"].update(due="2026-12-15T23:59:00+00:00", late_penalty="percent_per_day",
                                late_percent_per_day=10, solutions=str(ROOT / "solutions"))
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture(scope="module")
def stamps(tmp_path_factory):
    root = tmp_path_factory.mktemp("stamps")
    class_dir = root / "class"
    outside = root / "outside.txt"
    outside.write_text("2027-06-01 10:00:00 UTC\n")
    names = ("sparse", "utf16", "link", "fifo", "garbage", "folder", "late", "ontime", "padded")
    for name in names:
        _write_solution(str(class_dir / name))
    stamp = {name: class_dir / name / "timestamp.txt" for name in names}
    stamp["padded"].write_text("2026-12-17 10:00:00 UTC" + "\n" * 300)  # still a time, however padded
    with open(stamp["sparse"], "wb") as handle:
        handle.truncate(64 << 30)  # 64 GiB, sparse
    stamp["utf16"].write_bytes("2026-12-20 10:00:00 UTC\n".encode("utf-16"))
    stamp["link"].symlink_to(outside)
    os.mkfifo(stamp["fifo"])
    os.unlink(class_dir / "fifo" / "backprop.py")
    os.mkfifo(class_dir / "fifo" / "backprop.py")  # a module that is a FIFO: reading it would never end
    stamp["garbage"].write_bytes(b"\x00\xff\xfe not a date \x1b[2J")
    stamp["folder"].mkdir()
    stamp["late"].write_text("2026-12-17 10:00:00.123456 UTC\n")
    stamp["ontime"].write_text("2026-12-14 10:00:00 UTC\n")
    started = time.monotonic()
    proc = _grade(class_dir, root / "out", _late_config(root / "config.yaml"))
    return root / "out", proc, time.monotonic() - started


def test_untrusted_timestamps_never_stop_the_batch(stamps):
    out, proc, seconds = stamps
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert seconds < 120
    rows = {r["student"]: r for r in _rows(out)}
    assert len(rows) == 9
    assert rows["fifo"]["q3"] == "0" and rows["fifo"]["q1"] == "30"  # its FIFO module was not read


def test_a_readable_timestamp_sets_the_penalty(stamps):
    out, _, _ = stamps
    rows = {r["student"]: r for r in _rows(out)}
    assert (rows["late"]["late_days"], rows["late"]["total"], rows["late"]["status"]) == ("2", "80", "ok")
    assert (rows["ontime"]["late_days"], rows["ontime"]["total"]) == ("0", "100")
    assert (rows["utf16"]["late_days"], rows["utf16"]["total"]) == ("5", "50")  # UTF-16 is read, not refused
    assert (rows["padded"]["late_days"], rows["padded"]["total"], rows["padded"]["status"]) == ("2", "80", "ok")


@pytest.mark.parametrize("student", ["sparse", "link", "fifo", "garbage", "folder"])
def test_a_bad_timestamp_is_told_to_student_and_instructor(stamps, student):
    out, proc, _ = stamps
    row = {r["student"]: r for r in _rows(out)}[student]
    assert (row["late_days"], row["status"]) == ("0", "timestamp unreadable" if student != "fifo" else "files missing")
    assert row["total"] == ("100" if student != "fifo" else "50")
    feedback = read_markdown(out / "feedback" / f"{student}.md")
    assert "timestamp.txt could not be read" in feedback and "graded as on time" in feedback
    assert "  timestamp unreadable: " in proc.stdout.decode()  # one line for them all; the report names each
    assert f"{student}: The submission time in timestamp.txt could not be read" in _report(out)
    assert "\x1b" not in proc.stdout.decode()


# -- the layout is the instructor's choice -------------------------------------------------------
def test_a_student_folder_named_submitted_is_a_student(tmp_path):
    class_dir = tmp_path / "class"
    _write_solution(str(class_dir / "alice"))
    forged = class_dir / "submitted"
    for name in ("alice", "mallory"):
        _write_solution(str(forged / name / "nn_backprop"))
    (forged / "step_network.py").write_text("raise SystemExit\n")
    proc = _grade(class_dir, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    rows = {r["student"]: r for r in _rows(tmp_path / "out")}
    assert sorted(rows) == ["alice", "submitted"]
    assert rows["alice"]["total"] == "100"


def test_an_nbgrader_course_is_recognised_by_its_own_config_file(tmp_path):
    course = tmp_path / "course"
    _write_solution(str(course / "submitted" / "bob" / "nn_backprop"))
    (course / "nbgrader_config.py").write_text("c = get_config()\n")
    proc = _grade(course, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert [r["student"] for r in _rows(tmp_path / "out")] == ["bob"]
    # a student's *folder* of that name does not make a class a course
    class_dir = tmp_path / "class"
    _write_solution(str(class_dir / "nbgrader_config.py"))
    _write_solution(str(class_dir / "carol"))
    proc = _grade(class_dir, tmp_path / "out2")
    assert sorted(r["student"] for r in _rows(tmp_path / "out2")) == ["carol", "nbgrader_config.py"]


# -- what student code says ----------------------------------------------------------------------
def test_what_student_code_says_never_reaches_an_output_raw(tmp_path):
    """Exception messages and class names with lone surrogates, terminal escapes, returns and bidi
    overrides: escaped in every page, the report, the CSV and the terminal; the batch ends normally."""
    class_dir = tmp_path / "class"
    _write_solution(str(class_dir / "surrogate"))
    (class_dir / "surrogate" / "backprop.py").write_text('raise ValueError("lone \\udcff \\ud800 surrogate")\n')
    _write_solution(str(class_dir / "controls"))
    with open(class_dir / "controls" / "xor_relu.py", "a") as handle:
        handle.write('\n\ndef relu(z):\n    raise type("Bad\\x1b[2J", (Exception,), {})("\\x1b]0;owned\\x07 \\r'
                     'fake line \\u202eevil http://evil.example")\n')
    _write_solution(str(class_dir / "many_helpers"))
    for i in range(40):  # helpers that sort before the graded modules
        (class_dir / "many_helpers" / f"a{i:02d}.py").write_text("X = 1\n")
    _write_solution(str(class_dir / "zz_after"))
    proc = _grade(class_dir, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    rows = {r["student"]: r for r in _rows(tmp_path / "out")}
    assert rows["many_helpers"]["total"] == rows["zz_after"]["total"] == "100"
    assert rows["surrogate"]["q3"] == "0" and rows["controls"]["q2"] != "20"
    outputs = [tmp_path / "out" / "report.html", tmp_path / "out" / "grades.csv",
               *(tmp_path / "out" / "feedback").iterdir(), *(tmp_path / "out" / "results").iterdir()]
    for path in outputs:
        text = path.read_bytes().decode("utf-8")  # valid UTF-8 throughout
        for raw in ("\x1b", "\r", "\u202e", "\x07"):
            assert raw not in text, (path.name, repr(raw))
    md = (tmp_path / "out" / "feedback" / "controls.md").read_text()
    assert "http://evil" not in md  # no autolink either
    terminal = (proc.stdout + proc.stderr).decode("utf-8")
    assert "\x1b" not in terminal and "\u202e" not in terminal


def test_file_names_in_notes_are_escaped_and_bounded(tmp_path):
    """A notebook or a subfolder named with escapes, and thousands of notebooks: the notes saying what
    was graded show the names escaped, a few of them, and the outputs stay small."""
    class_dir = tmp_path / "class"
    (class_dir / "nb").mkdir(parents=True)
    (class_dir / "nb" / "\x1b[2J\x1b[1;31mGRADE 100 \u202etxt.ipynb").write_text("{}")
    (class_dir / "hoarder").mkdir()
    for i in range(3000):
        (class_dir / "hoarder" / f"{i:05d}{'x' * 200}.ipynb").touch()
    _write_solution(str(class_dir / "sub" / "\x1b]8;;http://evil\x07link\u202e"))
    proc = _grade(class_dir, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert {r["student"]: r["total"] for r in _rows(tmp_path / "out")}["sub"] == "100"
    out = tmp_path / "out"
    for path in [out / "report.html", *(out / "feedback").iterdir(), *(out / "results").iterdir()]:
        text = path.read_text(encoding="utf-8")
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text, path.name
        assert path.stat().st_size < 100_000, (path.name, path.stat().st_size)
    assert "Graded the files found in" in read_markdown(out / "feedback" / "sub.md")
    assert "was submitted: the code is graded from the .py files" in read_markdown(out / "feedback" / "hoarder.md")


def test_a_folder_swapped_for_a_link_during_grading_changes_nothing(tmp_path):
    """A student who owns their folder swaps it for a link to the solutions while the class is graded:
    the files read when the class was found are the ones graded, and a rerun keeps that grade."""
    from autograder.devtools.samples import stubs

    class_dir = tmp_path / "class"
    for name in ("a1", "a2"):  # slow to import: mallory's turn comes seconds after the class was read
        _write_solution(str(class_dir / name))
        for module in class_dir.joinpath(name).iterdir():
            module.write_text("import time\ntime.sleep(0.8)\n" + module.read_text())
    mine = class_dir / "mallory" / "nn_backprop"
    mine.mkdir(parents=True)
    for name, text in stubs().items():
        (mine / name).write_text(text)
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(class_dir), "--out", str(tmp_path / "out"),
                             "--jobs", "1"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(2.0)
    mine.rename(class_dir / "mallory" / "real")
    os.symlink(ROOT / "solutions", mine)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode(errors="replace")
    assert {r["student"]: r["total"] for r in _rows(tmp_path / "out")}["mallory"] == "0"
    os.unlink(mine)
    (class_dir / "mallory" / "real").rename(mine)
    again = _grade(class_dir, tmp_path / "out")
    assert b"kept 3 unchanged" in again.stdout and {r["student"]: r["total"] for r in _rows(tmp_path / "out")}["mallory"] == "0"


def test_the_gradebook_holds_plain_ids_only(tmp_path):
    """Grading a folder into a course (--course-dir): nbgrader's gradebook and export quote nothing, so an
    id that is not a plain user name is graded, but not recorded there (and the instructor is told)."""
    course = ["--course-dir", str(tmp_path / "course"), "--config", str(ROOT / "config.yaml")]
    release = subprocess.run([sys.executable, "-m", "autograder", "release", *course], cwd=ROOT, capture_output=True)
    assert release.returncode == 0, release.stderr.decode(errors="replace")
    class_dir = tmp_path / "class"
    for name in ("=2+5", "esc\x1b]0;pwned\x07", "plain_one"):
        _write_solution(str(class_dir / name))
    proc = _grade(class_dir, tmp_path / "out", None, *course)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert "not recorded in the gradebook: its id is not a plain user name" in proc.stdout.decode()
    import sqlite3

    with sqlite3.connect(tmp_path / "course" / "gradebook.db") as db:
        students = sorted(row[0] for row in db.execute("select id from student"))
    assert students == ["plain_one"]


@pytest.mark.parametrize("owner, mode", [(1_900_000_123, 0o700), (None, 0o777)])
def test_an_output_folder_someone_else_could_write_is_refused(tmp_path, owner, mode):
    """Grades, feedback and the state a rerun trusts never go where another user could read, swap or link them."""
    _write_solution(str(tmp_path / "class" / "alice"))
    out = tmp_path / "out"
    out.mkdir()
    os.chmod(out, mode)
    if owner is not None:
        os.chown(out, owner, owner)
    proc = _grade(tmp_path / "class", out)
    assert proc.returncode == 2 and b"is not a folder of yours that only you can write" in proc.stderr, proc.stderr
    assert not list(out.iterdir())


def test_an_output_folder_under_someone_elses_folder_is_refused(tmp_path):
    """A student who owns the folder above OUT could rename OUT mid-run and put links in its place."""
    _write_solution(str(tmp_path / "class" / "alice"))
    theirs = tmp_path / "shared"
    theirs.mkdir()
    os.chown(theirs, 1_900_000_123, 1_900_000_123)
    proc = _grade(tmp_path / "class", theirs / "out")
    assert proc.returncode == 2 and b"so someone else could change what" in proc.stderr, proc.stderr
    assert not (theirs / "out").exists()


def test_a_course_folder_taken_in_a_shared_exchange_stops_release_clearly(tmp_path):
    """In an exchange that exists already (world-writable, as /srv/nbgrader/exchange is), a student who
    made the course's folder first, or a link there, gets a clear refusal, and nothing is changed through it."""
    exchange, victim = tmp_path / "exchange", tmp_path / "victim"
    exchange.mkdir()
    os.chmod(exchange, 0o1777)
    victim.mkdir(mode=0o700)
    os.symlink(victim, exchange / "nn-backprop")
    proc = subprocess.run([sys.executable, "-m", "autograder", "release", "--course-dir", str(tmp_path / "course"),
                           "--exchange", str(exchange), "--config", str(ROOT / "config.yaml")],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2 and "is not a folder of yours" in proc.stderr, proc.stderr
    assert os.stat(victim).st_mode & 0o777 == 0o700 and not list(victim.iterdir())


# -- a class folder students can write in (a shared drop folder, mode 1777) ----------------------
MALLORY, BOB = 1_900_000_123, 1_900_000_124


def _shared_class(tmp_path):
    """A class folder anyone may add to (sticky, as a shared drop folder is), with alice's correct work."""
    class_dir = tmp_path / "class"
    class_dir.mkdir()
    os.chmod(class_dir, 0o1777)
    _write_solution(str(class_dir / "alice"))
    return class_dir


def _plant_zeros(folder):
    """mallory's submission of answers that are all zeros, owned by her."""
    from attacks import zeros_files

    folder.mkdir(parents=True)
    for name, text in zeros_files().items():
        (folder / name).write_text(text)
    chown_tree(folder, MALLORY)


def test_a_course_config_planted_in_a_shared_class_folder_changes_nothing(tmp_path):
    """A student's nbgrader_config.py does not turn the class into her course: her submitted/ is not graded
    in place of the class, and the instructor is told why."""
    class_dir = _shared_class(tmp_path)
    (class_dir / "nbgrader_config.py").write_text("c = get_config()\n")
    os.chown(class_dir / "nbgrader_config.py", MALLORY, MALLORY)
    _plant_zeros(class_dir / "submitted" / "alice" / "nn_backprop")
    proc = _grade(class_dir, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert b"is not the instructor's" in proc.stderr and b"anyone may add folders" in proc.stderr
    assert {r["student"]: r["total"] for r in _rows(tmp_path / "out")}["alice"] == "100"


@pytest.mark.parametrize("kind", ["link", "folder"])
def test_a_courses_submitted_folder_someone_else_controls_is_refused(tmp_path, kind):
    """In a course folder students may add to, a submitted/ that is theirs (or their link) is refused clearly."""
    course = tmp_path / "course"
    course.mkdir()
    os.chmod(course, 0o1777)
    (course / "nbgrader_config.py").write_text("c = get_config()\n")
    theirs = tmp_path / "theirs"
    _plant_zeros(theirs / "alice" / "nn_backprop")
    chown_tree(theirs, MALLORY)
    if kind == "link":
        os.symlink(theirs, course / "submitted")
        os.lchown(course / "submitted", MALLORY, MALLORY)
    else:
        os.rename(theirs, course / "submitted")
    proc = _grade(course, tmp_path / "out")
    assert proc.returncode == 2 and b"so someone else could change what" in proc.stderr, proc.stderr
    assert not (tmp_path / "out" / "grades.csv").exists()


def test_a_collect_record_that_is_not_the_instructors_is_ignored(tmp_path):
    """.collected.json tells grading which submission times collect doubted: one a student wrote into a
    shared class folder says nothing, and one too deeply nested to read stops nothing."""
    class_dir = _shared_class(tmp_path)
    (class_dir / "alice" / "timestamp.txt").write_text("2026-12-14 10:00:00 UTC\n")
    forged = class_dir / ".collected.json"
    forged.write_text(json.dumps({"students": {"alice": {"doubt": "files changed at 2026-12-20 after the time "
                                                                  "it claims"}}}))
    os.chown(forged, MALLORY, MALLORY)
    config = _late_config(tmp_path / "config.yaml")
    proc = _grade(class_dir, tmp_path / "out", config)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    row = {r["student"]: r for r in _rows(tmp_path / "out")}["alice"]
    assert (row["status"], row["total"]) == ("ok", "100")
    os.chmod(class_dir, 0o700)  # the instructor's own folder, and a record of theirs no parser can hold
    forged.unlink()
    forged.write_text('{"students": ' + "[" * 200_000 + "]" * 200_000 + "}")
    proc = _grade(class_dir, tmp_path / "out2", config)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert {r["student"]: r["total"] for r in _rows(tmp_path / "out2")}["alice"] == "100"


def test_a_folder_named_after_another_user_is_not_graded_as_theirs(tmp_path):
    """On a shared host, mallory may make a folder named after alice before alice does: it is not graded
    as alice's. bob's own folder is; and where an id is no user of the machine, ownership says nothing."""
    from helpers import run_with_users

    class_dir = tmp_path / "class"
    class_dir.mkdir()
    os.chmod(class_dir, 0o1777)
    _plant_zeros(class_dir / "alice")
    _write_solution(str(class_dir / "bob"))
    chown_tree(class_dir / "bob", BOB)
    _write_solution(str(class_dir / "carol"))
    chown_tree(class_dir / "carol", 1_900_000_125)  # no user of the machine is called carol
    eve = 1_900_000_126  # eve takes names that look like bob's: a trailing space, a capital, full-width letters
    _write_solution(str(class_dir / "\uff42\uff4f\uff42"))
    chown_tree(class_dir / "\uff42\uff4f\uff42", eve)
    for name in ("eve", "bob ", "Bob", "eve ", "EVE"):  # and, beside her own, look-alikes of it: no more rows
        _write_solution(str(class_dir / name))
        chown_tree(class_dir / name, eve if name != "bob " else MALLORY + 50)
    proc = run_with_users(tmp_path, {"alice": 1_900_000_122, "mallory": MALLORY, "bob": BOB, "eve": eve},
                          "grade", str(class_dir), "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    rows = {r["student"]: r for r in _rows(tmp_path / "out")}
    assert [rows[s]["total"] for s in ("bob", "carol", "eve", "alice")] == ["100", "100", "100", "0"]
    assert rows["bob "]["status"] == "not graded"  # one folder of another user, named like bob: a row, not graded
    assert not {"Bob", "eve ", "EVE", "\uff42\uff4f\uff42"} & set(rows)  # eve's many: only "eve" is a student
    page = read_markdown(tmp_path / "out" / "feedback" / "alice.md")
    assert "Not graded: this folder belongs to uid 1900000123 (mallory), not to uid 1900000122 (alice)" in page
    assert "alice" in proc.stdout and "Not graded" in proc.stdout


def test_release_refuses_an_exchange_someone_else_controls(tmp_path):
    """The exchange is made world-writable by release: given one a student owns, or a link of theirs,
    release stops with a clear message and changes nothing there."""
    for name, make in (("owned", lambda p: p.mkdir(mode=0o755)), ("link", lambda p: os.symlink(victim, p))):
        victim = tmp_path / f"victim-{name}"
        victim.mkdir(mode=0o700)
        exchange = tmp_path / f"exchange-{name}"
        make(exchange)
        os.lchown(exchange, MALLORY, MALLORY)
        proc = subprocess.run([sys.executable, "-m", "autograder", "release", "--course-dir",
                               str(tmp_path / f"course-{name}"), "--exchange", str(exchange), "--config",
                               str(ROOT / "config.yaml")], cwd=ROOT, capture_output=True, text=True)
        assert proc.returncode == 2 and "so someone else could change what" in proc.stderr, proc.stderr
        assert os.stat(victim).st_mode & 0o7777 == 0o700 and not list(victim.iterdir())
        assert os.lstat(exchange).st_uid == MALLORY and not os.path.exists(tmp_path / f"course-{name}")


def test_an_empty_assignment_subfolder_does_not_hide_the_work_beside_it(tmp_path):
    """nbgrader's layout puts the work in <student>/<assignment>/; a folder of that name holding no module
    (empty, or a stray) does not make the modules beside it vanish."""
    _write_solution(str(tmp_path / "class" / "alice"))
    (tmp_path / "class" / "alice" / "nn_backprop").mkdir()
    _write_solution(str(tmp_path / "class" / "bob" / "nn_backprop"))  # the layout itself still works
    (tmp_path / "class" / "bob" / "step_network.py").write_text("raise SystemExit\n")
    proc = _grade(tmp_path / "class", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert {r["student"]: r["total"] for r in _rows(tmp_path / "out")} == {"alice": "100", "bob": "100"}


def test_a_module_that_is_there_but_not_read_is_said_as_such(tmp_path):
    """A graded module the grader refuses (too big, a FIFO, a link) is reported for what it is, never as missing."""
    class_dir = tmp_path / "class"
    for name in ("big", "fifo", "link"):
        _write_solution(str(class_dir / name))
    module = class_dir / "big" / "backprop.py"
    module.write_text(module.read_text() + "#" * (600 * 1024) + "\n")
    os.unlink(class_dir / "fifo" / "backprop.py")
    os.mkfifo(class_dir / "fifo" / "backprop.py")
    os.unlink(class_dir / "link" / "backprop.py")
    os.symlink(ROOT / "solutions" / "backprop.py", class_dir / "link" / "backprop.py")
    proc = _grade(class_dir, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    why = {"big": "is larger than 512 KiB", "fifo": "is not a regular file", "link": "is a symbolic link"}
    for student, words in why.items():
        page = read_markdown(tmp_path / "out" / "feedback" / f"{student}.md")
        assert f"backprop.py was not graded: it {words}" in page, page
        assert "missing" not in page.lower(), page
        assert f"{student}: backprop.py was not graded: it {words}" in _report(tmp_path / "out")
    assert "  files missing: 3 students, big, fifo, link; first, big: backprop.py was not graded" in proc.stdout.decode()
    assert {r["student"]: r["q3"] for r in _rows(tmp_path / "out")} == {"big": "0", "fifo": "0", "link": "0"}


def test_what_one_user_makes_the_grader_read_is_bounded(tmp_path):
    """In a class folder anyone may add to, mallory makes 40 folders of 32 hard links to one sparse 512 KiB
    file (almost no disk of hers): her folders are not students, one folder's reading stops at 2 MiB, and
    the grader's memory stays what it is for a small class; alice and bob are graded as always."""
    class_dir = _shared_class(tmp_path)
    _write_solution(str(class_dir / "bob"))
    chown_tree(class_dir / "bob", BOB)
    sparse = tmp_path / "sparse"
    with open(sparse, "wb") as handle:
        handle.truncate(512 * 1024 - 1)
    names = ["backprop.py", "step_network.py", "xor_relu.py"] + [f"m{i:02}.py" for i in range(29)]
    for folder in [f"flood{i:02}" for i in range(40)] + ["bulky"]:
        (class_dir / folder).mkdir()
        for name in names:
            os.link(sparse, class_dir / folder / name)
        os.chown(class_dir / folder, MALLORY if folder != "bulky" else BOB + 1, MALLORY)
    measure = ("import resource, subprocess, sys\nproc = subprocess.run(sys.argv[1:])\n"
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, proc.returncode)")
    proc = subprocess.run([sys.executable, "-c", measure, sys.executable, "-m", "autograder", "grade", str(class_dir),
                           "--out", str(tmp_path / "out")], capture_output=True, cwd=ROOT, timeout=600)
    peak_kib, code = map(int, proc.stdout.split()[-2:])
    assert code == 0, proc.stderr.decode(errors="replace")
    rows = {r["student"]: r for r in _rows(tmp_path / "out")}
    assert rows["alice"]["total"] == rows["bob"]["total"] == "100" and sorted(rows) == ["alice", "bob", "bulky"]
    assert "Not taken for students (40: one of 40 folders of uid 1900000123 in a class folder others may add to" \
        in proc.stdout.decode()  # her folders cost no row, no page, no sandbox run
    page = read_markdown(tmp_path / "out" / "feedback" / "bulky.md")  # one folder of another user: read up to 2 MiB
    assert "Not read: 28 more .py file(s) (m01.py first), past the 2 MiB of .py files the grader reads" in page, page
    assert peak_kib < 400 * 1024, peak_kib  # 41 folders of 16 MiB each, read, would be 650 MiB more


def test_a_folder_not_read_is_said_so_first_and_a_change_of_owner_regrades_it(tmp_path):
    """mallory's folder named after alice is 'not graded' (status, first reason, page); once it is alice's own,
    the next run grades it, though no file changed."""
    from helpers import run_with_users

    class_dir = _shared_class(tmp_path)
    (class_dir / "alice").rename(class_dir / "carol")
    _write_solution(str(class_dir / "alice"))
    chown_tree(class_dir / "alice", MALLORY)
    users = {"alice": 1_900_000_122, "mallory": MALLORY}
    first = run_with_users(tmp_path, users, "grade", str(class_dir), "--out", str(tmp_path / "out"))
    assert first.returncode == 0, first.stderr
    row = {r["student"]: r for r in _rows(tmp_path / "out")}["alice"]
    assert (row["total"], row["status"]) == ("0", "not graded")
    assert "  not graded: alice: Not graded: this folder belongs to uid 1900000123 (mallory)" in first.stdout, first.stdout
    chown_tree(class_dir / "alice", 1_900_000_122)
    again = run_with_users(tmp_path, users, "grade", str(class_dir), "--out", str(tmp_path / "out"))
    row = {r["student"]: r for r in _rows(tmp_path / "out")}["alice"]
    assert (row["total"], row["status"]) == ("100", "ok") and "Graded 1 submission " in again.stdout, again.stdout


def test_a_group_with_students_in_it_counts_as_others(tmp_path):
    """A class folder writable by a group that has students in it is one others may add to; an output folder
    under a folder such a group may write is refused. A group of the instructor's own is not others."""
    from helpers import run_with_users

    users = {"alice": 1_900_000_122, "mallory": MALLORY}
    groups = {"students": (1_900_000_500, ["alice", "mallory"]), "mine": (1_900_000_501, [])}
    class_dir = tmp_path / "class"
    for name in ("mallory", "zed", "yak"):
        _write_solution(str(class_dir / name))
        chown_tree(class_dir / name, MALLORY)
    os.chown(class_dir, 0, 1_900_000_500)
    os.chmod(class_dir, 0o3770)  # the group's, and sticky: nobody renames a classmate's folder
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chown(shared, 0, 1_900_000_500)
    os.chmod(shared, 0o775)
    proc = run_with_users(tmp_path, users, "grade", str(class_dir), "--out", str(tmp_path / "out"), groups=groups)
    assert proc.returncode == 0, proc.stderr
    assert sorted(r["student"] for r in _rows(tmp_path / "out")) == ["mallory"]
    proc = run_with_users(tmp_path, users, "grade", str(class_dir), "--out", str(shared / "out"), groups=groups)
    assert proc.returncode == 2 and "so someone else could change what" in proc.stderr, proc.stderr
    os.chown(shared, 0, 1_900_000_501)  # the instructor's own group: nobody else in it
    proc = run_with_users(tmp_path, users, "grade", str(class_dir), "--out", str(shared / "out"), groups=groups)
    assert proc.returncode == 0, proc.stderr


def test_the_status_column_says_what_the_summary_says(tmp_path):
    """grades.csv's status for a syntax error, a notebook-only submission, a missing module: not ok."""
    class_dir = tmp_path / "class"
    for name in ("syntax", "notebook", "missing", "fine"):
        _write_solution(str(class_dir / name))
    module = class_dir / "syntax" / "backprop.py"
    module.write_text(module.read_text().replace("def softmax(z):", "def softmax(z)"))
    for name in ("step_network.py", "xor_relu.py", "backprop.py"):
        os.unlink(class_dir / "notebook" / name)
    (class_dir / "notebook" / "nn_backprop.ipynb").write_text("{}")
    os.unlink(class_dir / "missing" / "xor_relu.py")
    proc = _grade(class_dir, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    status = {r["student"]: r["status"] for r in _rows(tmp_path / "out")}
    assert status == {"syntax": "module not imported", "notebook": "files missing", "missing": "files missing",
                      "fine": "ok"}
    summary, report = proc.stdout.decode(), _report(tmp_path / "out")
    assert "  module not imported: syntax: " in summary and "  files missing: 2 students, missing, notebook" in summary
    assert all(f"{name}: " in report for name in ("syntax", "notebook", "missing")) and "fine: " not in report


def test_a_wrong_folder_given_for_the_class_stops_with_what_was_found(tmp_path):
    _write_solution(str(tmp_path / "class" / "alice"))
    proc = _grade(tmp_path / "class" / "alice", tmp_path / "out")  # one student's folder, by mistake
    assert proc.returncode == 2 and b"looks like one student's submission (it holds step_network.py" in proc.stderr
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("x")
    proc = _grade(tmp_path / "empty", tmp_path / "out")
    assert proc.returncode == 2 and b"holds no student folders (it holds 1 other entries)" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_out_shows_only_the_students_of_this_class(tmp_path):
    class_dir = tmp_path / "class"
    for name in ("ann", "ben"):
        _write_solution(str(class_dir / name))
    assert _grade(class_dir, tmp_path / "out").returncode == 0
    import shutil

    shutil.rmtree(class_dir / "ben")  # ben left the course
    assert _grade(class_dir, tmp_path / "out").returncode == 0
    left = {p.name for folder in ("results", "feedback", ".grader-state") for p in (tmp_path / "out" / folder).iterdir()}
    assert left == {"ann.json", "ann.html", "ann.md"}, left
    assert [r["student"] for r in _rows(tmp_path / "out")] == ["ann"]


def test_ctrl_c_says_one_line_and_keeps_what_was_graded(tmp_path):
    """Ctrl-C (SIGINT to the whole foreground process group, as a terminal sends it) mid-run: one line, no
    traceback; what was graded is kept, and the next run finishes the rest."""
    import signal

    class_dir = tmp_path / "class"
    for i in range(40):
        _write_solution(str(class_dir / f"s{i:02}"))
    started = time.time()
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(class_dir), "--out", str(tmp_path / "out"),
                             "--jobs", "1"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True,  # as from a terminal, even when these tests run in the background
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    state = tmp_path / "out" / ".grader-state"
    deadline = time.monotonic() + 120
    while not (state.is_dir() and len(list(state.iterdir())) >= 3) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    lines = [line for line in err.decode().splitlines() if line.strip()]
    assert proc.returncode == 130 and len(lines) == 1, err.decode()
    assert re.fullmatch(r"Interrupted: \d+ of 40 graded; run again to finish \(what was graded is kept\)", lines[0])
    again = _grade(class_dir, tmp_path / "out")
    assert again.returncode == 0 and b"kept " in again.stdout, again.stdout
    assert len(_rows(tmp_path / "out")) == 40
    left = [p for p in Path(tempfile.gettempdir()).glob("nnb-grade-*") if p.stat().st_mtime >= started]
    assert not left, left  # the interrupted run's working folder went with it


def _grant_write(folder, uid):
    """A POSIX ACL letting `uid` write to `folder` (what `setfacl -m u:UID:rwx` makes), its mode bits 0775."""
    import struct

    entries = [(0x01, 7, 0xFFFFFFFF), (0x02, 7, uid), (0x04, 5, 0xFFFFFFFF), (0x10, 7, 0xFFFFFFFF),
               (0x20, 5, 0xFFFFFFFF)]
    os.setxattr(folder, "system.posix_acl_access",
                struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *entry) for entry in entries))


def test_folders_others_may_change_by_acl_or_ownership_count_as_shared(tmp_path):
    """An ACL that lets a student write, or a class folder the student owns, is a folder others may change:
    OUT is refused under one; a class folder must then be the instructor's and sticky (or a student could
    rename a classmate's folder away); and in one, one user's many folders are not students."""
    shared = tmp_path / "shared"
    shared.mkdir()
    _grant_write(shared, MALLORY)
    class_dir = tmp_path / "class"
    _write_solution(str(class_dir / "alice"))
    proc = _grade(class_dir, shared / "out")
    assert proc.returncode == 2 and b"so someone else could change what" in proc.stderr, proc.stderr
    assert not (shared / "out").exists()
    for case in ("acl", "acl-sticky", "hers"):
        folder = tmp_path / f"class-{case}"
        for name in ("x1", "x2", "x3"):
            _write_solution(str(folder / name))
            chown_tree(folder / name, MALLORY)
        if case == "hers":
            os.chown(folder, MALLORY, MALLORY)
        else:
            _grant_write(folder, MALLORY)
            os.chmod(folder, 0o1775 if case == "acl-sticky" else 0o775)
        proc = _grade(folder, tmp_path / f"out-{case}")
        if case != "acl-sticky":  # a student could rename a classmate's folder away: refused, saying why
            assert proc.returncode == 2 and b"so someone else could change what" in proc.stderr, (case, proc.stderr)
            continue
        assert proc.returncode == 0, proc.stderr
        assert b"Not taken for students (3: one of 3 folders of uid 1900000123" in proc.stdout, proc.stdout


def test_out_is_made_one_folder_at_a_time_and_each_checked(tmp_path):
    """A missing folder on the way to OUT that someone else makes first (in a sticky shared folder) is refused,
    not used: OUT is never made inside a folder another user owns."""
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    os.chmod(sticky, 0o1777)
    (sticky / "grades").mkdir()
    os.chown(sticky / "grades", MALLORY, MALLORY)  # hers, made just before the grader's mkdir would have
    _write_solution(str(tmp_path / "class" / "alice"))
    proc = _grade(tmp_path / "class", sticky / "grades" / "out")
    assert proc.returncode == 2 and b"so someone else could change what" in proc.stderr, proc.stderr
    assert not (sticky / "grades" / "out").exists()



def test_what_students_add_to_a_shared_class_folder_does_not_stop_grading(tmp_path):
    """A module file a student drops at the top of a shared class folder is no sign that the instructor gave one
    student's folder by mistake: the class is graded."""
    class_dir = _shared_class(tmp_path)
    (class_dir / "backprop.py").write_text("x = 1\n")
    os.chown(class_dir / "backprop.py", MALLORY, MALLORY)
    proc = _grade(class_dir, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert {r["student"]: r["total"] for r in _rows(tmp_path / "out")} == {"alice": "100"}


def test_a_class_folder_is_checked_however_it_is_reached(tmp_path):
    """Given through a link, or below a folder a student may change, the class folder is refused like OUT would be."""
    real = tmp_path / "real"
    _write_solution(str(real / "alice"))
    _grant_write(real, MALLORY)  # not sticky: a student could rename alice's folder away
    os.symlink(real, tmp_path / "current")
    proc = _grade(tmp_path / "current", tmp_path / "out")
    assert proc.returncode == 2 and b"so someone else could change what" in proc.stderr, proc.stderr
    parent = tmp_path / "parent"
    _write_solution(str(parent / "class" / "alice"))
    os.chmod(parent, 0o777)  # anyone may swap the class folder for another
    proc = _grade(parent / "class", tmp_path / "out2")
    assert proc.returncode == 2 and b"so someone else could change what" in proc.stderr, proc.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")
def test_a_full_disk_stops_with_a_message_not_a_traceback(tmp_path):
    """OUT on a file system someone filled: each student's own writes fail as their rows; grades.csv cannot be
    written, which is said in one line (exit 2), with no half-written file left."""
    full = tmp_path / "full"
    full.mkdir(mode=0o700)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", str(full)], check=True)
    try:
        _write_solution(str(tmp_path / "class" / "alice"))
        (full / "out").mkdir(mode=0o700)
        with open(full / "filler", "wb") as handle:
            try:
                handle.write(b"\\0" * (1 << 20))
            except OSError:
                pass
        proc = _grade(tmp_path / "class", full / "out")
        assert proc.returncode == 2 and b"Traceback" not in proc.stderr, proc.stderr
        assert b"grades.csv could not be written (No space left on device)" in proc.stderr, proc.stderr
        assert not list((full / "out").glob(".*.tmp"))
    finally:
        subprocess.run(["umount", str(full)], check=False)


def _report(out) -> str:
    """The class report's text (entities decoded): it names every student not graded normally, with why."""
    import html

    return html.unescape((out / "report.html").read_text())

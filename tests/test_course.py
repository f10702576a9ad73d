"""The nbgrader cycle end to end, with real nbgrader commands and a local exchange:
release, three students fetch and submit (one correct, one partly wrong, one late),
collect, grade into gradebook.db, `nbgrader export`, release feedback, each student
fetches a page with their own score.
"""
import csv
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from helpers import ROOT, autograder, browse, formgrader_server, get_json as _get, needs_chromium, student_nbgrader, variant

COURSE_ID = "nn-backprop"
ANSWERS = {
    "alice": variant(),
    "bob": variant(backprop=[('"U": np.outer(delta1, h)', '"U": np.outer(h, delta1)')]),
    "carl": variant(),
}
EXPECTED = {"alice": (100.0, 0.0), "bob": (96.0, 0.0), "carl": (80.0, 20.0)}  # (score, late penalty)


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("course")
    due = datetime.now(timezone.utc) + timedelta(hours=1)
    raw = yaml.safe_load((ROOT / "config.yaml").read_text())
    raw["assignment"].update(due=due.isoformat(), solutions=str(ROOT / "solutions"),
                             late_penalty="percent_per_day", late_percent_per_day=10)
    config = tmp / "config.yaml"
    config.write_text(yaml.safe_dump(raw))
    (tmp / "roster.csv").write_text("id,first_name,last_name,email\nalice,Alice,A,a@x.org\nbob,Bob,B,b@x.org\n"
                                    "carl,Carl,C,c@x.org\n")
    course = ["--course-dir", str(tmp / "course"), "--config", str(config)]
    autograder("release", *course, "--roster", str(tmp / "roster.csv"), cwd=tmp)
    def work(student):  # students work at the same time, each in their own home
        home = tmp / "students" / student
        home.mkdir(parents=True)
        student_nbgrader(student, home, "fetch_assignment", "nn_backprop")
        for name, text in ANSWERS[student].items():
            (home / "nn_backprop" / name).write_text(text)
        student_nbgrader(student, home, "submit", "nn_backprop")

    with ThreadPoolExecutor(3) as pool:
        list(pool.map(work, ANSWERS))
    # carl submits a day and a half after the due date: two days started, 10% each
    inbound = tmp / "course" / "exchange" / COURSE_ID / "inbound"
    [carl] = inbound.glob("carl+nn_backprop+*")
    late = (due + timedelta(days=1, hours=12)).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    (carl / "timestamp.txt").write_text(late)
    carl.rename(inbound / f"carl+nn_backprop+{late}+{carl.name.split('+')[-1]}")
    autograder("collect", *course, cwd=tmp)
    out = autograder("grade", "--out", str(tmp / "out"), *course, cwd=tmp)
    autograder("feedback", *course, cwd=tmp)
    return tmp, out


def test_release_holds_the_assignment_and_nothing_secret(cycle):
    tmp, _ = cycle
    released = tmp / "course" / "release" / "nn_backprop"
    names = {p.relative_to(released).as_posix() for p in released.rglob("*") if p.is_file()}
    assert {"nn_backprop.ipynb", "step_network.py", "xor_relu.py", "backprop.py", "selfcheck.py"} <= names
    everything = "".join(p.read_text(errors="replace") for p in released.rglob("*") if p.is_file())
    assert "BEGIN SOLUTION" not in everything and "np.outer(delta1, h)" not in everything
    assert not any("hidden" in n or "solutions" in n or "autograder" in n for n in names)


def test_each_student_fetched_the_stubs(cycle):
    tmp, _ = cycle
    stub = (ROOT / "assignment" / "backprop.py").read_text()
    assert (tmp / "course" / "source" / "nn_backprop" / "backprop.py").read_text() == stub


def test_nbgrader_export_has_the_expected_scores(cycle):
    tmp, _ = cycle
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    subprocess.run([sys.executable, "-m", "nbgrader", "export", "--to", str(tmp / "export.csv")],
                   cwd=tmp / "course", check=True, capture_output=True, env=env)
    rows = {row["student_id"]: row for row in csv.DictReader(open(tmp / "export.csv"))}
    for student, (score, late) in EXPECTED.items():
        assert float(rows[student]["score"]) == score, student
        assert float(rows[student]["late_submission_penalty"] or 0) == late, student
        assert float(rows[student]["max_score"]) == 120.0  # 20 of them written answers (none here: left as released)
    assert rows["alice"]["first_name"] == "Alice"


def test_gradebook_has_one_grade_cell_per_rubric_item(cycle):
    tmp, _ = cycle
    from autograder.integrations.gradebook import open_gradebook

    with open_gradebook(f"sqlite:///{tmp / 'course' / 'gradebook.db'}", COURSE_ID) as gb:
        notebook = gb.find_notebook("nn_backprop", "nn_backprop")
        assert len(notebook.grade_cells) == 18  # 15 auto-graded items, 3 written answers
        grade = gb.find_grade("q3.grad_U", "nn_backprop", "nn_backprop", "bob")
        assert grade.score == 4.0 and grade.max_score == 8.0


def test_grades_csv_shows_the_late_penalty(cycle):
    tmp, _ = cycle
    rows = {row["student"]: row for row in csv.DictReader(open(tmp / "out" / "grades.csv"))}
    assert (rows["carl"]["total"], rows["carl"]["late_days"], rows["carl"]["late_penalty"]) == ("80", "2", "20")
    assert rows["alice"]["late_days"] == "0"


def test_each_student_fetches_their_own_feedback(cycle):
    tmp, _ = cycle
    with ThreadPoolExecutor(3) as pool:
        list(pool.map(lambda s: student_nbgrader(s, tmp / "students" / s, "fetch_feedback", "nn_backprop"), EXPECTED))
    for student, (score, _) in EXPECTED.items():
        home = tmp / "students" / student
        pages = list((home / "nn_backprop" / "feedback").rglob("*.html"))
        assert len(pages) == 1, (student, pages)
        page = pages[0].read_text()
        assert f"feedback for <b>{student}</b>" in page
        assert f"<div class='total'>{score:g} " in page


def test_rerun_regrades_only_what_changed_and_keeps_the_gradebook(cycle):
    tmp, _ = cycle
    course = ["--course-dir", str(tmp / "course"), "--config", str(tmp / "config.yaml")]
    out = autograder("grade", "--out", str(tmp / "out"), *course, cwd=tmp)
    assert "Graded 0 submissions" in out and "kept 3 unchanged" in out
    submitted = tmp / "course" / "submitted" / "bob" / "nn_backprop" / "backprop.py"
    submitted.write_text(ANSWERS["alice"]["backprop.py"])
    out = autograder("grade", "--out", str(tmp / "out"), *course, cwd=tmp)
    assert "Graded 1 submission " in out and "kept 2 unchanged" in out
    rows = {row["student"]: row for row in csv.DictReader(open(tmp / "out" / "grades.csv"))}
    assert rows["bob"]["total"] == "100" and rows["carl"]["total"] == "80" and len(rows) == 3


@pytest.fixture(scope="module")
def formgrader(cycle):
    """A real `jupyter server` with nbgrader's formgrader, started in the course after `make grade`:
    (base URL, token). Token authentication stays on, as on an instructor's server."""
    tmp, _ = cycle
    with formgrader_server(tmp / "course", tmp / "instructor-home") as server:
        yield server


def _export(tmp):
    """`nbgrader export` of the course, now: {student: row}."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    subprocess.run([sys.executable, "-m", "nbgrader", "export", "--to", str(tmp / "export-now.csv")],
                   cwd=tmp / "course", check=True, capture_output=True, env=env)
    return {row["student_id"]: row for row in csv.DictReader(open(tmp / "export-now.csv"))}


def test_the_formgrader_lists_every_student_autograded_with_the_exported_scores(cycle, formgrader):
    tmp, _ = cycle
    base, token = formgrader
    listed = {s["student"]: s for s in _get(f"{base}/formgrader/api/submissions/nn_backprop", token)}
    exported = _export(tmp)
    assert sorted(listed) == sorted(exported) == sorted(ANSWERS)
    for student, row in exported.items():
        shown = listed[student]
        assert shown["autograded"] and shown["submitted"], shown
        assert not shown["needs_manual_grade"], shown  # every item is the grader's; none waits for a person
        # the formgrader shows the score before a late penalty, as for nbgrader's own autograde; export
        # gives both (raw_score, late_submission_penalty, score)
        assert (shown["score"], shown["max_score"]) == (float(row["raw_score"]), float(row["max_score"])), student
    assert float(exported["carl"]["score"]) == float(exported["carl"]["raw_score"]) - 20
    for student in ANSWERS:  # what was graded, and not the student's notebook (whose HTML the formgrader would run)
        folder = tmp / "course" / "autograded" / student / "nn_backprop"
        copied = {p.name for p in folder.iterdir()}
        assert {"step_network.py", "xor_relu.py", "backprop.py", "timestamp.txt", "nn_backprop.ipynb"} <= copied, copied
        shown = json.loads((folder / "nn_backprop.ipynb").read_text())  # but one of ours, with the written answers
        assert [cell["id"] for cell in shown["cells"]][:2] == ["summary", "q1"]
    from autograder.integrations.gradebook import open_gradebook

    with open_gradebook(f"sqlite:///{tmp / 'course' / 'gradebook.db'}", COURSE_ID) as gb:
        for student in ANSWERS:
            grades = gb.find_submission_notebook("nn_backprop", "nn_backprop", student).grades
            assert len(grades) == 18 and not any(grade.needs_manual_grade for grade in grades), student


@needs_chromium
def test_the_formgrader_pages_show_the_grades(cycle, formgrader, tmp_path):
    tmp, _ = cycle
    base, token = formgrader
    listed = {s["student"]: s for s in _get(f"{base}/formgrader/api/submissions/nn_backprop", token)}
    browse(f"{base}/formgrader?token={token}", tmp_path, "--dump-dom")  # logs in: the cookie stays in the profile
    wait = "--virtual-time-budget=10000"  # the page fills its table from the API after it loads
    dom, console = browse(f"{base}/formgrader/manage_submissions/nn_backprop", tmp_path, wait, "--dump-dom")
    assert dom.count('<span class="label label-success">graded</span>') == 3, dom[-3000:]
    for student, shown in listed.items():
        row = dom[dom.index(f'data-order="{student}"'):]
        assert f'{shown["score"]:g} / {shown["max_score"]:g}</td>' in row[:row.index("</tr>")], student
    shot = tmp_path / "formgrader.png"
    browse(f"{base}/formgrader/manage_submissions/nn_backprop", tmp_path, wait, f"--screenshot={shot}",
           "--window-size=1280,600")
    assert shot.stat().st_size > 20_000  # a rendered table, not a blank page


def test_a_grader_fault_replaces_no_earlier_result(cycle):
    """A grading run that faults on everyone (here: a reference that cannot be imported) keeps every earlier
    result: the --out files, the gradebook, the course's feedback; grades.csv says so; one line on stderr."""
    tmp, _ = cycle
    broken = tmp / "broken-solutions"
    shutil.copytree(ROOT / "solutions", broken, dirs_exist_ok=True)
    (broken / "backprop.py").write_text("raise ImportError('the reference is broken')\n")
    raw = yaml.safe_load((tmp / "config.yaml").read_text())
    raw["assignment"]["solutions"] = str(broken)
    (tmp / "broken.yaml").write_text(yaml.safe_dump(raw))
    course = tmp / "course"
    watched = [*sorted((tmp / "out" / "results").iterdir()), *sorted((course / "feedback").rglob("*.html"))]
    before = {path: path.read_bytes() for path in watched}
    exported = _export(tmp)
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", "--out", str(tmp / "out"), "--course-dir",
                           str(course), "--config", str(tmp / "broken.yaml"), "--regrade-all"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert {path: path.read_bytes() for path in watched} == before
    assert _export(tmp) == exported
    rows = {row["student"]: row for row in csv.DictReader(open(tmp / "out" / "grades.csv"))}
    assert {s: r["total"] for s, r in rows.items()} == {s: r["score"].rstrip("0").rstrip(".")
                                                       for s, r in exported.items()}
    assert {r["status"] for r in rows.values()} == {"grader error (earlier result kept)"}
    faults = [line for line in proc.stderr.splitlines() if "Grader fault" in line]
    assert len(faults) == 1 and "on 3 submission(s)" in faults[0] and "earlier results are kept" in faults[0]


def test_release_into_an_existing_course_adds_this_assignment_and_touches_nothing_else(tmp_path):
    """A JupyterHub course: its own nbgrader_config.py, another assignment (in the gradebook, source/ and release/),
    a shared exchange with another course in it. Release adds nn_backprop, under the course's own id."""
    from autograder.integrations.gradebook import open_gradebook

    exchange = tmp_path / "srv-exchange"
    (exchange / "other101" / "outbound" / "lab1").mkdir(parents=True)
    os.chmod(exchange, 0o1777)
    course = tmp_path / "ml101"
    for folder in ("source/hw0", "release/hw0"):
        (course / folder).mkdir(parents=True)
        (course / folder / "hw0.ipynb").write_text('{"cells": []}')
    own_config = f"c = get_config()\nc.CourseDirectory.course_id = 'ml101'\nc.Exchange.root = '{exchange}'\n" \
                 "c.ClearSolutions.code_stub = {'python': '# your code here'}\n"
    (course / "nbgrader_config.py").write_text(own_config)
    with open_gradebook(f"sqlite:///{course / 'gradebook.db'}", "ml101") as gb:
        gb.add_assignment("hw0")
        gb.add_student("zoe")
    before = {p: p.read_bytes() for p in [*course.rglob("hw0*"), *(exchange / "other101").rglob("*")] if p.is_file()}
    proc = subprocess.run([sys.executable, "-m", "autograder", "release", "--course-dir", str(course), "--course-id",
                           "ml101", "--exchange", str(exchange), "--config", str(ROOT / "config.yaml")],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (course / "nbgrader_config.py").read_text() == own_config
    assert {p: p.read_bytes() for p in before} == before
    assert (exchange / "ml101" / "outbound" / "nn_backprop" / "backprop.py").is_file()
    with open_gradebook(f"sqlite:///{course / 'gradebook.db'}", "ml101") as gb:
        assert sorted(a.name for a in gb.assignments) == ["hw0", "nn_backprop"]
        assert [s.id for s in gb.students] == ["zoe"]


def test_a_shared_folder_graded_into_the_course_touches_no_classmates_record(cycle, tmp_path):
    """Grading another folder into the course: it is checked like every instructor path (0777, not sticky:
    refused), and a folder there named after a student but someone else's changes nothing of that student's
    in the gradebook or the course's feedback."""
    from helpers import run_with_users

    tmp, _ = cycle
    course = tmp / "course"
    shared = tmp_path / "shared"
    (shared / "bob").mkdir(parents=True)
    for name, text in variant().items():
        (shared / "bob" / name).write_text(text)
    os.chown(shared / "bob", 1_900_000_302, 1_900_000_302)  # not bob's: someone else's, named after him
    os.chmod(shared, 0o777)
    users = {"bob": 1_900_000_301}
    args = ("grade", str(shared), "--course-dir", str(course), "--config", str(tmp / "config.yaml"))
    proc = run_with_users(tmp_path, users, *args, "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "so someone else could change what" in proc.stderr, proc.stderr
    os.chmod(shared, 0o1777)
    page = course / "feedback" / "bob" / "nn_backprop" / "nn_backprop.html"
    before, exported = page.read_bytes(), _export(tmp)
    proc = run_with_users(tmp_path, users, *args, "--out", str(tmp_path / "out2"))
    assert proc.returncode == 0, proc.stderr
    assert "bob: not recorded in the gradebook: its folder was not graded" in proc.stdout, proc.stdout
    assert page.read_bytes() == before and _export(tmp)["bob"] == exported["bob"]

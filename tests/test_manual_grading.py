"""The written half of the homework through the whole nbgrader cycle, with real nbgrader commands:
release carries the answer cells with their points; students answer in the notebook and submit it with
the modules; `make grade` fills the auto-graded items and marks who waits for a person; people grade
in the formgrader (here: through nbgrader's Gradebook API, and through the formgrader's own REST API on
a running server); `make grade` again keeps every manual score; `nbgrader export`, grades.csv and
the feedback page give auto + manual, and say who still waits.
"""
import csv
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import pytest
import yaml

from helpers import CHROMIUM, ROOT, autograder, browse, formgrader_server, get_json, get_text, student_nbgrader, variant

COURSE_ID = "nn-backprop"
ALICE = {  # every written answer, with math
    "q1-explain": "Only piecewise constant functions: $f(x) = w_0 + \\sum_i w_i g(b_i + v_i x)$ is a sum of steps.",
    "q2-explain": "If $f(x) = w^\\top x + b$ worked, $f(1,1) + f(-1,-1) = 2b > 0$ and $f(1,-1) + f(-1,1) = 2b < 0$.",
    "q3-derivation": "$$\\frac{\\partial J}{\\partial z_2} = \\hat y - y$$ and $\\delta_1 = (U^\\top \\delta_2) \\odot 1[z_1 > 0]$.",
}
BOB = {"q1-explain": "Steps add up to steps. <script>alert('bob')</script> $\\href{https://evil.example}{x}$"}
ANSWERS = {"alice": ALICE, "bob": BOB, "carl": {}}  # carl leaves the notebook as released


def nbgrader_export(tmp, *extra):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    subprocess.run([sys.executable, "-m", "nbgrader", "export", "--to", str(tmp / "export.csv"), *extra],
                   cwd=tmp / "course", check=True, capture_output=True, env=env)
    return {row["student_id"]: row for row in csv.DictReader(open(tmp / "export.csv"))}


def grades(tmp):
    return {row["student"]: row for row in csv.DictReader(open(tmp / "out" / "grades.csv"))}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("written")
    raw = yaml.safe_load((ROOT / "config.yaml").read_text())
    raw["assignment"].update(due=(datetime.now(timezone.utc) + timedelta(days=1)).isoformat(),
                             solutions=str(ROOT / "solutions"))
    (tmp / "config.yaml").write_text(yaml.safe_dump(raw))
    (tmp / "roster.csv").write_text("id,first_name,last_name,email\nalice,Alice,A,\nbob,Bob,B,\ncarl,Carl,C,\n")
    args = ["--course-dir", str(tmp / "course"), "--config", str(tmp / "config.yaml")]
    autograder("release", *args, "--roster", str(tmp / "roster.csv"), cwd=tmp)

    def work(student):
        home = tmp / "students" / student
        home.mkdir(parents=True)
        student_nbgrader(student, home, "fetch_assignment", "nn_backprop")
        for name, text in variant().items():
            (home / "nn_backprop" / name).write_text(text)
        path = home / "nn_backprop" / "nn_backprop.ipynb"
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            text = ANSWERS[student].get(cell.metadata.get("nbgrader", {}).get("grade_id"))
            if text is not None:
                cell.source = text
        nbformat.write(notebook, path)
        student_nbgrader(student, home, "submit", "nn_backprop")

    with ThreadPoolExecutor(3) as pool:
        list(pool.map(work, ANSWERS))
    autograder("collect", *args, cwd=tmp)
    first = autograder("grade", "--out", str(tmp / "out"), *args, cwd=tmp)
    return tmp, args, first


def test_the_released_notebook_has_an_answer_cell_with_points_for_each_written_item(course):
    tmp, _, _ = course
    released = nbformat.read(tmp / "course" / "release" / "nn_backprop" / "nn_backprop.ipynb", as_version=4)
    cells = {c.metadata["nbgrader"]["grade_id"]: c for c in released.cells
             if c.metadata["nbgrader"].get("grade") and c.metadata["nbgrader"].get("solution")}
    assert {gid: c.metadata["nbgrader"]["points"] for gid, c in cells.items()} == {
        "q1-explain": 8, "q2-explain": 4, "q3-derivation": 8}
    assert all(c.cell_type == "markdown" and c.source == "YOUR ANSWER HERE" for c in cells.values())
    collected = tmp / "course" / "submitted" / "alice" / "nn_backprop"
    assert {"nn_backprop.ipynb", "backprop.py"} <= {p.name for p in collected.iterdir()}


def test_grading_marks_who_waits_for_a_person_and_counts_no_written_points_yet(course):
    tmp, _, first = course
    rows = grades(tmp)
    assert {s: (r["total"], r["max_total"], r["manual_grading"]) for s, r in rows.items()} == {
        "alice": ("100", "120", "waiting: q1.explain q2.explain q3.derivation"),
        "bob": ("100", "120", "waiting: q1.explain"),
        "carl": ("100", "120", "done")}
    assert "Written answers of 2 student(s) wait for manual grading" in first
    exported = nbgrader_export(tmp, "--ExportApp.plugin_class=autograder.integrations.export.ManualStatusCsv")
    assert {s: (r["score"], r["max_score"], r["needs_manual_grade"]) for s, r in exported.items()} == {
        "alice": ("100.0", "120.0", "yes"), "bob": ("100.0", "120.0", "yes"), "carl": ("100.0", "120.0", "no")}
    carl = json.loads((tmp / "out" / "results" / "carl.json").read_text())
    [q3] = [t for t in carl["tests"] if t["name"].startswith("q3.derivation")]
    assert q3["score"] == 0 and q3["output"] == "No answer: the answer cell was left as released."


def test_the_formgrader_shows_the_written_answers_safely_and_takes_grades(course, tmp_path):
    """The formgrader, on a real server: alice and bob wait for manual grading; bob's page shows his words
    (his tag as text, his \\href by name), with a grade box per written item; a grade and a comment given
    through its REST API land in the gradebook."""
    tmp, _, _ = course
    with formgrader_server(tmp / "course", tmp / "instructor") as (base, token):
        listed = {s["student"]: s for s in get_json(f"{base}/formgrader/api/submissions/nn_backprop", token)}
        assert {s: v["needs_manual_grade"] for s, v in listed.items()} == {"alice": True, "bob": True, "carl": False}
        assert {s: (v["score"], v["max_score"]) for s, v in listed.items()} == {s: (100.0, 120.0) for s in ANSWERS}
        notebooks = {n["student"]: n for n in get_json(f"{base}/formgrader/api/submitted_notebooks/nn_backprop/"
                                                       "nn_backprop", token)}
        page = get_text(f"{base}/formgrader/submissions/{notebooks['bob']['id']}/", token)
        assert "Steps add up to steps." in page and "&lt;script&gt;alert('bob')&lt;/script&gt;" in page
        assert "<script>alert('bob')" not in page and "\\href" not in page and "evil.example" in page
        for grade_id in ("q1-explain", "q2-explain", "q3-derivation"):
            assert f'id="{grade_id}"' in page and f'id="{grade_id}-comment"' in page
        assert "Rubric" in page and "2 points for each of the four functions" in page
        if CHROMIUM:  # as a grader sees it: the page's own scripts fill the score boxes from the API
            browse(f"{base}/formgrader?token={token}", tmp_path, "--dump-dom")  # logs in (the profile keeps it)
            url = f"{base}/formgrader/submissions/{notebooks['bob']['id']}/"
            dom, _ = browse(url, tmp_path, "--virtual-time-budget=10000", "--dump-dom")
            assert "Steps add up to steps. &lt;script&gt;" in dom and "<script>alert" not in dom
            assert all(f'id="{grade_id}"' in dom for grade_id in ("q1-explain", "q2-explain", "q3-derivation"))
            shot = Path(os.environ.get("NNB_SCREENSHOTS", tmp_path)) / "formgrader-written.png"
            browse(url, tmp_path, "--virtual-time-budget=10000", f"--screenshot={shot}", "--window-size=1280,1400")
            assert shot.stat().st_size > 20_000
        bob_grades = {g["name"]: g for g in get_json(f"{base}/formgrader/api/grades?submission_id="
                                                     f"{notebooks['bob']['id']}", token)}
        get_json(f"{base}/formgrader/api/grade/{bob_grades['q1-explain']['id']}", token, "PUT",
                 {"manual_score": 3, "extra_credit": None})
        comments = {c["name"]: c for c in get_json(f"{base}/formgrader/api/comments?submission_id="
                                                   f"{notebooks['bob']['id']}", token)}
        get_json(f"{base}/formgrader/api/comment/{comments['q1-explain']['id']}", token, "PUT",
                 {"manual_comment": "Say why a line cannot be a sum of steps."})
    from autograder.integrations.gradebook import open_gradebook

    with open_gradebook(f"sqlite:///{tmp / 'course' / 'gradebook.db'}", COURSE_ID) as gb:
        assert gb.find_grade("q1-explain", "nn_backprop", "nn_backprop", "bob").manual_score == 3


def test_manual_grades_survive_a_regrade_and_reach_export_grades_csv_and_feedback(course):
    tmp, args, _ = course
    from autograder.integrations.gradebook import open_gradebook

    db = f"sqlite:///{tmp / 'course' / 'gradebook.db'}"
    with open_gradebook(db, COURSE_ID) as gb:  # alice is graded through nbgrader's Gradebook API
        for grade_id, score in (("q1-explain", 7), ("q2-explain", 4), ("q3-derivation", 8)):
            grade = gb.find_grade(grade_id, "nn_backprop", "nn_backprop", "alice")
            grade.manual_score, grade.needs_manual_grade = score, False
        gb.find_comment("q1-explain", "nn_backprop", "nn_backprop", "alice").manual_comment = \
            "Right; say why the hinge loss is not piecewise constant."
        gb.db.commit()
    with open_gradebook(db, COURSE_ID) as gb:  # bob: in the formgrader (the test above), or here when run alone
        grade = gb.find_grade("q1-explain", "nn_backprop", "nn_backprop", "bob")
        if grade.manual_score is None:
            grade.manual_score, grade.needs_manual_grade = 3, False
            gb.db.commit()
    for regrade in ((), ("--regrade-all",)):
        out = autograder("grade", "--out", str(tmp / "out"), *args, *regrade, cwd=tmp)
        with open_gradebook(db, COURSE_ID) as gb:
            given = {(s, g): gb.find_grade(g, "nn_backprop", "nn_backprop", s).manual_score
                     for s in ("alice", "bob") for g in ("q1-explain", "q2-explain")}
            assert given == {("alice", "q1-explain"): 7, ("alice", "q2-explain"): 4, ("bob", "q1-explain"): 3,
                             ("bob", "q2-explain"): None}, regrade
            assert gb.find_comment("q1-explain", "nn_backprop", "nn_backprop", "alice").manual_comment.startswith(
                "Right;")
        assert "Written answers of" not in out  # nobody waits any more: bob's other answers are empty
    rows = grades(tmp)
    assert {s: (r["total"], r["manual_grading"]) for s, r in rows.items()} == {
        "alice": ("119", "done"), "bob": ("103", "done"), "carl": ("100", "done")}
    with formgrader_server(tmp / "course", tmp / "instructor-after") as (base, token):  # the formgrader's totals
        listed = {v["student"]: v for v in get_json(f"{base}/formgrader/api/submissions/nn_backprop", token)}
        assert {s: (v["score"], v["max_score"], v["needs_manual_grade"]) for s, v in listed.items()} == {
            "alice": (119.0, 120.0, False), "bob": (103.0, 120.0, False), "carl": (100.0, 120.0, False)}
    exported = nbgrader_export(tmp)  # nbgrader's own export: auto + manual
    assert {s: (float(r["score"]), float(r["max_score"])) for s, r in exported.items()} == {
        "alice": (119.0, 120.0), "bob": (103.0, 120.0), "carl": (100.0, 120.0)}
    autograder("export", *args, "--out", str(tmp / "out"), "--to", str(tmp / "make-export.csv"), cwd=tmp)
    made = {row["student_id"]: row for row in csv.DictReader(open(tmp / "make-export.csv"))}
    assert {s: (r["score"], r["needs_manual_grade"]) for s, r in made.items()} == {
        "alice": ("119.0", "no"), "bob": ("103.0", "no"), "carl": ("100.0", "no")}
    autograder("export", *args, "--out", str(tmp / "out"), "--lms", "canvas", "--to", str(tmp / "canvas.csv"), cwd=tmp)
    canvas = list(csv.reader(open(tmp / "canvas.csv")))  # the LMS gets the same final totals, written answers in
    assert [row[-1] for row in canvas[1:]] == ["120", "119", "103", "100"]
    autograder("feedback", *args, "--out", str(tmp / "out"), cwd=tmp)
    student_nbgrader("alice", tmp / "students" / "alice", "fetch_feedback", "nn_backprop")
    [page] = (tmp / "students" / "alice" / "nn_backprop" / "feedback").rglob("*.html")
    html = page.read_text()
    assert "<div class='total'>119 <span class='muted'>/ 120</span></div>" in html
    assert "Right; say why the hinge loss is not piecewise constant." in html
    assert "<span>7 / 8</span>" in html and "Your answer" in html and "sum of steps" in html

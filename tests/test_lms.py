"""Final grades in Canvas's and Moodle's import formats (outputs/lms.py, `make export LMS=...`), checked
against the columns each system documents for its gradebook import, with a roster mapping course ids
to LMS ids."""
from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest

from autograder.outputs.lms import LmsError, export, read_roster
from helpers import ROOT, run_grader

# Canvas: Grades > Import (the columns of its own gradebook export); Moodle: Grades > Import > CSV file (the
# columns of its own plain-text export; a user is matched by the column mapped to "Email address" or "ID number")
CANVAS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE = ["First name", "Last name", "ID number", "Institution", "Department", "Email address"]
ROWS = [{"student": "ada", "total": "112", "max_total": "120", "status": "ok", "manual_grading": "done"},
        {"student": "ben", "total": "80", "max_total": "120", "status": "ok", "manual_grading": "waiting: q2.explain"},
        {"student": "cyd", "total": "0", "max_total": "120", "status": "not graded", "manual_grading": "done"},
        {"student": "=dee", "total": "50", "max_total": "120", "status": "limits hit", "manual_grading": "done"}]
ROSTER = {"ada": {"student": "ada", "first_name": "Ada", "last_name": "Lovelace", "lms_id": "1001",
                  "sis_user_id": "S-17", "sis_login_id": "alovelace", "section": "Lab 2", "email": "ada@uni.example"}}


def _table(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_canvas_has_its_documented_columns_and_the_final_totals():
    made = export("canvas", ROWS, ROSTER, "nn_backprop", "4711")
    table = _table(made.text)
    assert table[0] == CANVAS + ["nn_backprop (4711)"]
    assert table[1] == ["    Points Possible", "", "", "", "", "120"]
    assert table[2] == ["Lovelace, Ada", "1001", "S-17", "alovelace", "Lab 2", "112"]
    assert table[3] == ["ben", "", "ben", "", "", "80"] and table[4][0] == "=dee"
    assert made.left_out == [("cyd", "not graded")] and made.waiting == ["ben"] and made.unmapped == ["ben", "=dee"]
    assert _table(export("canvas", ROWS, {}, "nn_backprop").text)[0][-1] == "nn_backprop"  # a new assignment


def test_moodle_has_its_documented_columns_and_says_what_waits():
    table = _table(export("moodle", ROWS, ROSTER, "nn_backprop").text)
    assert table[0] == MOODLE + ["Assignment: nn_backprop", "Feedback: nn_backprop"]
    assert table[1] == ["Ada", "Lovelace", "ada", "", "", "ada@uni.example", "112", ""]
    assert table[2] == ["", "", "ben", "", "", "", "80", "written answers still waiting for grading"]


@pytest.mark.parametrize("text, words", [("id,name\nada,Ada\n", "needs `student`"),
                                          ("student,canvas\nada,1\n", r"unknown column\(s\) canvas"),
                                          ("student,name\n,Ada\n", "row 2 has no student id"),
                                          ("student\nada\nada\n", "row 3: ada is listed twice")])
def test_a_roster_that_cannot_be_used_is_said_with_its_file_and_row(tmp_path, text, words):
    path = tmp_path / "lms.csv"
    path.write_text(text)
    with pytest.raises(LmsError, match=words) as raised:
        read_roster(path)
    assert str(path) in str(raised.value)


def test_the_command_writes_the_sample_class_for_canvas(tmp_path):
    out = tmp_path / "out"
    assert run_grader(ROOT / "examples" / "submissions", out).returncode == 0
    (tmp_path / "lms.csv").write_text("student,name,lms_id\nada,Ada L,1001\n")
    proc = subprocess.run([sys.executable, "-m", "autograder", "export", "--lms", "canvas", "--out", str(out),
                           "--course-dir", str(tmp_path / "no-course"), "--lms-roster", str(tmp_path / "lms.csv")],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    table = _table((out / "grades-canvas.csv").read_text())
    assert table[0][:5] == CANVAS and len(table) == 2 + 8
    assert table[2] == ["Ada L", "1001", "ada", "", "", "100"]
    assert "2 student(s) still have written answers waiting" in proc.stdout and "not in " in proc.stdout

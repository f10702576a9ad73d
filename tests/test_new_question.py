"""Adding a question through the declaration alone, end to end, as README "Adding or changing a question"
says: a solution file, a hidden test module with its cases, rubric entries in config.yaml and one entry in
autograder/spec/assignment.py. Nothing else of the grader is edited; the stubs, the graded files, the
released files and the grades follow."""
from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT

SOLUTION = '''"""Question 4, a toy: doubling."""
import numpy as np


def double(x):
    """2 x, entry by entry, as floats, with the shape of x."""
    ### BEGIN SOLUTION
    return 2.0 * np.asarray(x, dtype=float)
    ### END SOLUTION
'''

HIDDEN_TEST = '''"""Question 4: doubling."""
import numpy as np

from autograder.grading.cases import builder
from autograder.grading.marks import rubric


@builder
def double(rng):
    """Args of double(x): a vector, a matrix and 0."""
    return [(rng.normal(3),), (rng.quarters(-2, 2, (2, 2)),), (0.0,)]


@rubric("q4.double")
def test_double(sub, ref, cases, score):
    score.checked = "double(x) on a vector, a matrix and 0"
    score.hint = "multiply every entry by 2"
    for (x,), got in zip(cases.double, sub.call_many("toy", "double", cases.double)):
        score.check(got, ref.call("toy", "double", x), "double(x)")
'''

DECLARED = '    Question("q4", "toy.py", "test_q4", (Graded("double", cases="double"),)),\n'
RUBRIC = "  q4:\n    title: A toy question\n    items:\n      q4.double: {title: Doubling, points: 5}\n"


def _run(project: Path, *args: str) -> subprocess.CompletedProcess:
    """python ARGS in the copied project, importing its own autograder package (the copy, not this checkout)."""
    env = dict(os.environ, PYTHONPATH=str(project))
    return subprocess.run([sys.executable, *args], cwd=project, env=env, capture_output=True, text=True, timeout=300)


def _without_markers(text: str) -> str:
    return "".join(line for line in text.splitlines(True) if "### BEGIN SOLUTION" not in line
                   and "### END SOLUTION" not in line)


def _copy(root: Path, declared: str = DECLARED, hidden_test: str | None = HIDDEN_TEST) -> Path:
    """A copy of the project with a fourth question declared (and its solution and hidden test written)."""
    copy = root / "project"
    for part in ("autograder", "solutions", "assignment"):
        shutil.copytree(ROOT / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "config.yaml", copy / "config.yaml")
    declaration = copy / "autograder" / "spec" / "assignment.py"
    text = declaration.read_text()
    start = text.index("QUESTIONS = (")
    end = text.index("\n)\n", start) + 1
    declaration.write_text(text[:end] + declared + text[end:])
    (copy / "solutions" / "toy.py").write_text(SOLUTION)
    if hidden_test is not None:
        (copy / "autograder" / "grading" / "hidden" / "test_q4.py").write_text(hidden_test)
    return copy


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project with a fourth question added as an instructor would."""
    return _copy(tmp_path_factory.mktemp("new-question"))


@pytest.mark.parametrize("declared, hidden_test, named", [
    (DECLARED, None, "autograder/grading/hidden/test_q4.py is missing"),
    (DECLARED.replace('cases="double"', 'cases="doubled"'), HIDDEN_TEST, "no case builder is named 'doubled'"),
    (DECLARED, HIDDEN_TEST.replace('@rubric("q4.double")\n', ""), "test_q4.py::test_double needs exactly one @rubric"),
])
def test_a_declaration_the_grader_cannot_follow_is_named(tmp_path, declared, hidden_test, named):
    copy = _copy(tmp_path, declared, hidden_test)
    with open(copy / "config.yaml", "a") as f:
        f.write(RUBRIC)
    proc = _run(copy, "-m", "autograder", "doctor", "--config", "config.yaml")
    assert proc.returncode == 2 and named in proc.stderr and "autograder/spec/assignment.py" in proc.stderr, proc.stderr


def test_a_declared_question_without_its_rubric_is_named(project):
    probe = ("from autograder.grading.plugin import declared_tests\nfrom autograder.spec.config import load_config\n"
             "load_config('config.yaml', declared_tests())")
    proc = _run(project, "-c", probe)
    assert proc.returncode != 0 and "q4" in proc.stderr and "config.yaml" in proc.stderr


def test_a_fourth_question_is_graded_end_to_end(project):
    with open(project / "config.yaml", "a") as f:
        f.write(RUBRIC)
    stubs = _run(project, "-m", "autograder", "stubs")
    assert stubs.returncode == 0, stubs.stderr
    stub = (project / "assignment" / "toy.py").read_text()
    assert 'raise NotImplementedError("double is not implemented yet")' in stub and "2.0 *" not in stub

    released = _run(project, "-c", "from autograder.spec.assignment import RELEASED; print(' '.join(RELEASED))")
    assert "toy.py" in released.stdout.split()

    solved = {name: _without_markers((project / "solutions" / name).read_text())
              for name in ("step_network.py", "xor_relu.py", "backprop.py", "toy.py")}
    students = {"ada": solved, "bob": {**solved, "toy.py": stub},
                "cyd": {**solved, "toy.py": solved["toy.py"].replace("2.0 *", "1.0 + 2.0 *")}}
    for student, files in students.items():
        (project / "class" / student).mkdir(parents=True)
        for name, text in files.items():
            (project / "class" / student / name).write_text(text)
    graded = _run(project, "-m", "autograder", "grade", "class", "--out", "out", "--config", "config.yaml", "--jobs", "1")
    assert graded.returncode == 0, graded.stdout + graded.stderr
    with open(project / "out" / "grades.csv") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert (rows["ada"]["q4"], rows["ada"]["total"], rows["ada"]["max_total"]) == ("5", "105", "125")  # of 125: 20 are written answers
    assert (rows["bob"]["q4"], rows["bob"]["total"]) == ("0", "100")
    assert (rows["cyd"]["q4"], rows["cyd"]["total"]) == ("0", "100")
    page = (project / "out" / "feedback" / "bob.md").read_text()
    assert "A toy question" in page and "Doubling" in page and "double is not implemented yet" in page
    assert "multiply every entry by 2" in (project / "out" / "feedback" / "cyd.md").read_text()

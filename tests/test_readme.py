"""The README's nbgrader cycle, run as written: its commands are read from the README itself.

The project is copied as a fresh clone would have it (its .venv shared, to save the
install). Two real Unix users (made here, removed after) fetch, check and submit with the
README's student commands, the way students on a shared JupyterHub server do, with the
exchange's path in EXCHANGE as the README says; the instructor runs the README's make
commands, unchanged, in the copy. Then each student fetches their own feedback page, and
`make export` holds both grades.
"""
from __future__ import annotations

import csv
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from helpers import ROOT, variant

STUDENTS = {"nnbreadme1": variant(), "nnbreadme2": variant(backprop=[('"U": np.outer(delta1, h)',
                                                                      '"U": np.outer(h, delta1)')])}
EXPECTED = {"nnbreadme1": 100.0, "nnbreadme2": 96.0}
pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("useradd") or not shutil.which("runuser"),
                                reason="students are real Unix users here: making them needs root")


def readme_blocks(section: str) -> list[list[str]]:
    """The indented command blocks of a README section (`### title`), each as its lines."""
    text = (ROOT / "README.md").read_text()
    body = text[text.index(f"### {section}"):]
    body = body[:body.index("\n#", 5)]
    blocks, current = [], []
    for line in body.splitlines():
        if line.startswith("    ") and line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    return blocks + ([current] if current else [])


def test_the_readme_cycle_has_the_commands_this_test_runs():
    release, student, instructor, fetch = readme_blocks("The nbgrader cycle")
    assert [line.split()[:2] for line in release] == [["make", "release"], ["make", "release"]]
    assert "nbgrader fetch_assignment" in student[0] and "nbgrader submit" in student[2]
    assert [line.split()[1] for line in instructor] == ["collect", "grade", "feedback", "export"]
    assert "nbgrader fetch_feedback" in fetch[0]


def student_python(base: Path) -> Path:
    """A Python students can run (the system's) with what requirements.txt lists: this environment's own
    packages, which hold them all (checked), seen through a .pth file; where the system's Python cannot load
    them, requirements.txt installed for real. Returns the environment's bin folder."""
    from importlib.metadata import version

    from packaging.requirements import Requirement

    for line in (ROOT / "assignment" / "requirements.txt").read_text().splitlines():
        if line.split("#")[0].strip():
            need = Requirement(line.split("#")[0].strip())
            assert need.specifier.contains(version(need.name), prereleases=True), (need, version(need.name))
    system = shutil.which("python3", path="/usr/bin:/bin")
    if system is None:
        pytest.skip("no system Python for the students")
    venv = base / "student-env"
    subprocess.run([system, "-m", "venv", "--without-pip", str(venv)], check=True)
    inner = subprocess.run([str(venv / "bin" / "python"), "-c", "import site; print(site.getsitepackages()[0])"],
                           check=True, capture_output=True, text=True).stdout.strip()
    packages = next(p for p in map(Path, sys.path) if p.name == "site-packages" and (p / "nbgrader").is_dir())
    Path(inner, "instructor-packages.pth").write_text(f"{packages}\n")
    probe = subprocess.run([str(venv / "bin" / "python"), "-c", "import numpy, nbgrader, pytest, matplotlib"],
                           capture_output=True)
    if probe.returncode != 0:  # another Python version than this one: install for real (slow, but the same)
        Path(inner, "instructor-packages.pth").unlink()
        subprocess.run([str(venv / "bin" / "python"), "-m", "ensurepip"], check=True, capture_output=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-r",
                        str(ROOT / "assignment" / "requirements.txt")], check=True, capture_output=True)
    else:
        (venv / "bin" / "nbgrader").write_text(f"#!{venv / 'bin' / 'python'}\n"
                                               "from nbgrader.apps.nbgraderapp import main\nmain()\n")
        os.chmod(venv / "bin" / "nbgrader", 0o755)
    return venv / "bin"


def as_student(user: str, home: Path, env: dict, script: str) -> subprocess.CompletedProcess:
    """`script` in bash as `user`, from their home, with what a student's login gives them."""
    student_env = {"HOME": str(home), "USER": user, "LANG": "C.UTF-8", "EXCHANGE": env["EXCHANGE"],
                   "PATH": f"{env['STUDENT_BIN']}:/usr/bin:/bin"}  # requirements.txt installed
    return subprocess.run(["runuser", "-u", user, "--", "env", "-i", *(f"{k}={v}" for k, v in student_env.items()),
                           "bash", "-uc", f"cd ~\n{script}"], capture_output=True, text=True, timeout=300)


def as_instructor(line: str, repo: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("COURSE_DIR", "OUT", "EXCHANGE", "ROSTER", "CONFIG")}
    return subprocess.run(["bash", "-euc", line], cwd=repo, env=env, capture_output=True, text=True, timeout=600)


LOCAL = {".venv", ".git", "course", "out", "bench-out", "dist", "__pycache__", ".pytest_cache", "nn_backprop.egg-info"}


@pytest.fixture(scope="module")
def cycle():
    base = Path(tempfile.mkdtemp(prefix="nnb-readme-"))
    os.chmod(base, 0o755)  # students pass through to the exchange inside the course
    repo = base / "repo"
    # the copy shares this checkout's .venv: bring it up to date here first, so the copy's make finds it
    # installed and never installs the copy (a temporary folder) in its place
    subprocess.run(["make", "-C", str(ROOT), "install"], check=True, capture_output=True, timeout=900)
    shutil.copytree(ROOT, repo, ignore=lambda folder, names: [n for n in names if n in LOCAL])
    os.symlink(ROOT / ".venv", repo / ".venv")
    env = {"EXCHANGE": str(repo / "course" / "exchange"),  # the path make release prints
           "STUDENT_BIN": str(student_python(base))}
    (repo / "roster.csv").write_text("id,first_name,last_name,email\n" + "".join(
        f"{s},{s.title()},R,{s}@example.org\n" for s in STUDENTS))
    for user in STUDENTS:
        subprocess.run(["userdel", "--remove", user], capture_output=True)  # a run that was cut short
        subprocess.run(["useradd", "--home-dir", str(base / "home" / user), "--create-home", "--shell", "/bin/bash",
                        user], check=True, capture_output=True)
    try:
        release, student, instructor, fetch = readme_blocks("The nbgrader cycle")
        runs = {}
        for line in release:
            runs[line] = as_instructor(line, repo)
            assert runs[line].returncode == 0, runs[line].stdout + runs[line].stderr
        for user, answers in STUDENTS.items():
            home = base / "home" / user
            got = as_student(user, home, env, student[0])
            assert got.returncode == 0, got.stdout + got.stderr
            uid = pwd.getpwnam(user).pw_uid
            for name, text in answers.items():  # the student's work
                (home / "nn_backprop" / name).write_text(text)
                os.chown(home / "nn_backprop" / name, uid, uid)
            runs[user] = as_student(user, home, env, "\n".join(student[1:]))  # the self-checks, then submit
            assert runs[user].returncode == 0, runs[user].stdout + runs[user].stderr
        for line in instructor:
            runs[line] = as_instructor(line, repo)
            assert runs[line].returncode == 0, line + runs[line].stdout + runs[line].stderr
        for user in STUDENTS:
            runs[f"{user} feedback"] = as_student(user, base / "home" / user, env, fetch[0])
        yield repo, runs
    finally:
        for user in STUDENTS:
            subprocess.run(["userdel", "--remove", user], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def test_a_student_checks_and_submits_as_the_readme_says(cycle):
    _, runs = cycle
    assert "passed" in runs["nnbreadme1"].stdout and "failed" not in runs["nnbreadme1"].stdout
    assert "failed" in runs["nnbreadme2"].stdout  # dJ/dU transposed: the public checks say so; submitted all the same
    for user in STUDENTS:
        assert "Submitted as: nn-backprop nn_backprop" in runs[user].stderr, runs[user].stderr
    collected = runs[next(line for line in runs if line.startswith("make collect"))].stdout
    assert "Collected 2 submission(s)" in collected and "Rejected" not in collected, collected


def test_make_export_holds_every_students_grade(cycle):
    repo, _ = cycle
    rows = {row["student_id"]: row for row in csv.DictReader(open(repo / "course" / "grades.csv"))}
    assert {s: float(rows[s]["score"]) for s in STUDENTS} == EXPECTED
    assert rows["nnbreadme2"]["first_name"] == "Nnbreadme2"


def test_each_student_fetches_their_own_page(cycle):
    repo, runs = cycle
    for user, score in EXPECTED.items():
        assert runs[f"{user} feedback"].returncode == 0, runs[f"{user} feedback"].stderr
        [page] = (repo.parent / "home" / user / "nn_backprop" / "feedback").rglob("*.html")
        text = page.read_text()
        assert f"feedback for <b>{user}</b>" in text and f"<div class='total'>{score:g} " in text
        assert pwd.getpwuid(page.stat().st_uid).pw_name == user  # fetched by them, into their home


def test_the_released_folder_says_what_a_student_needs(cycle):
    repo, _ = cycle
    needs = (repo.parent / "home" / "nnbreadme1" / "nn_backprop" / "requirements.txt").read_text()
    names = {re.split(r"[<>=\s]", line)[0] for line in needs.splitlines() if line and not line.startswith("#")}
    assert {"numpy", "pytest", "nbgrader"} <= names

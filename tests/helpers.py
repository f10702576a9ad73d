"""Shared helpers for the project's tests: build submissions from the solutions, run the grader."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ("step_network.py", "xor_relu.py", "backprop.py")


def solution(name: str) -> str:
    """A solution module's source without the solution markers (what a correct student writes)."""
    return "".join(line for line in (ROOT / "solutions" / name).read_text().splitlines(True)
                   if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)


def variant(**changes) -> dict[str, str]:
    """The three solution modules with edits: module_stem=[(old, new), ...] (each old must occur)."""
    files = {name: solution(name) for name in MODULES}
    for stem, edits in changes.items():
        text = files[f"{stem}.py"]
        for old, new in edits:
            assert old in text, f"{old!r} not in {stem}.py"
            text = text.replace(old, new)
        files[f"{stem}.py"] = text
    return files


def write_class(root: Path, students: dict[str, dict[str, str]]) -> Path:
    for student, files in students.items():
        folder = root / student
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (folder / name).write_text(text)
    return root


def run_grader(submissions: Path, out: Path, *extra: str, config: Path | None = None):
    """`python -m autograder grade` as a user runs it; returns the CompletedProcess."""
    cmd = [sys.executable, "-m", "autograder", "grade", str(submissions), "--out", str(out), *extra]
    if config is not None:
        cmd += ["--config", str(config)]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=600)


def read_grades(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "grades.csv", newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def read_result(out: Path, student: str) -> dict[str, dict]:
    """{rubric id: test entry} from OUT/results/<student>.json."""
    doc = json.loads((out / "results" / f"{student}.json").read_text())
    return {test["name"].split()[0]: test for test in doc["tests"]}

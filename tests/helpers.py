"""Shared helpers for the project's tests: build submissions from the solutions, run the grader."""
from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

from autograder.samples import MODULES, ROOT, solution, variant, write_class  # noqa: F401  (re-exported for tests)


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


def read_markdown(path: Path) -> str:
    """A Markdown feedback page's text as it renders: Markdown's backslash escapes removed."""
    return re.sub(r"\\(.)", r"\1", Path(path).read_text())

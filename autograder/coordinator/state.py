"""What was graded before: per-student results with a fingerprint of what they were graded from.

A rerun regrades only submissions whose files, timestamp, rubric, reference or
grader code changed. Each result is saved the moment it is graded, so a killed
batch loses nothing and a rerun finishes the rest, with nothing doubled.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from autograder.core.files import overwrite
from autograder.core.ids import file_stem
from autograder.grading.job import SubmissionDir
from autograder.outputs.results import StudentResult
from autograder.spec.config import Config

PACKAGE = Path(__file__).resolve().parents[1]
GRADE_TIERS = ("grading", "sandbox", "spec", "core")  # whose code decides a grade; outputs are rewritten every run


@lru_cache(maxsize=None)
def grader_digest(config_path: Path, solutions: Path, package: Path = PACKAGE) -> str:
    """A digest of what decides every grade: the rubric, the reference solutions and the code of the
    grading and sandbox tiers (with what they build on). Editing the report, the feedback pages, the
    coordinator or a developer tool changes nothing here, so it regrades nobody."""
    digest = hashlib.sha256(config_path.read_bytes())
    code = [path for tier in GRADE_TIERS for path in (package / tier).rglob("*") if path.suffix in (".py", ".ini")]
    for path in sorted(code) + sorted(solutions.glob("*.py")):
        where = path.relative_to(package) if package in path.parents else Path("solutions", path.name)
        digest.update(where.as_posix().encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def fingerprint(job: SubmissionDir, config: Config) -> str:
    """Changes when anything that decides this student's grade changes."""
    digest = hashlib.sha256(grader_digest(Path(config.path).resolve(), config.solutions).encode())
    digest.update((job.timestamp or "").encode())
    for name, data in sorted(job.submitted.files.items()):  # the bytes that are graded, read once
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    for note in job.submitted.notes:  # what was found, and whether the folder was read at all (its owner)
        digest.update(b"note\0" + note.encode("utf-8", "backslashreplace"))
    for name, why in sorted(job.submitted.refused.items()):  # there, but not read: why is said
        digest.update(f"refused {name}: {why}".encode("utf-8", "backslashreplace"))
    return digest.hexdigest()


class ResultStore:
    """OUT/.grader-state/<student>.json: {"result": {...}, "fingerprint": ...}."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _path(self, student: str) -> Path:
        return self.folder / f"{file_stem(student)}.json"

    def load(self, student: str, expected_fingerprint: str | None) -> StudentResult | None:
        """The saved result if it was graded from this fingerprint (None: whatever it was graded from)."""
        try:
            saved = json.loads(self._path(student).read_text())
            if expected_fingerprint not in (None, saved["fingerprint"]) or saved["result"]["student"] != student:
                return None
            return StudentResult.from_dict(saved["result"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, result: StudentResult, fp: str) -> None:
        """Written over the old file (a new inode per student, or truncating first, costs ext4 far more).

        A write cut short leaves invalid JSON, or the new start with the old end, and the
        fingerprint comes last: it is then the old one, so that student is graded again.
        """
        overwrite(self._path(result.student), json.dumps({"result": result.to_dict(), "fingerprint": fp}))

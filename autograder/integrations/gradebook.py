"""Scores into nbgrader's gradebook.db through its Gradebook API: one grade cell per rubric item.

nbgrader's formgrader and `nbgrader export` then show every item, the late
penalty and the total. Upserts only: a recorded grade is never removed.
"""
from __future__ import annotations

from pathlib import Path

from autograder.core.ids import PLAIN
from autograder.outputs.results import StudentResult, not_graded
from autograder.spec import assignment
from autograder.spec.config import Config

NOTEBOOK = Path(assignment.NOTEBOOK).stem  # the notebook the grade cells belong to, as nbgrader names it


def open_gradebook(db_url: str, course_id: str):
    """nbgrader's Gradebook; it runs `alembic` from this interpreter's bin folder, so put that on PATH."""
    import os
    import sys

    from nbgrader.api import Gradebook

    bin_dir = os.path.dirname(sys.executable)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    return Gradebook(db_url, course_id)


def ensure_rubric(gb, config: Config) -> None:
    """The assignment, its notebook and one grade cell per rubric item, with the rubric's points."""
    gb.update_or_create_assignment(config.name, duedate=config.due.replace(tzinfo=None) if config.due else None)
    gb.update_or_create_notebook(NOTEBOOK, config.name)
    for item in config.items.values():
        gb.update_or_create_grade_cell(item.id, NOTEBOOK, config.name, max_score=item.points, cell_type="code")


def record(db_url: str, course_id: str, config: Config, results: list[StudentResult],
           timestamps: dict[str, str | None]) -> list[tuple[str, str]]:
    """Write each result's item scores, timestamp and late penalty into the gradebook.

    Returns (student, why) for each result that could not be recorded (an id the gradebook
    cannot hold); the others are recorded all the same.
    """
    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # raised inside nbgrader's own add_submission
    failed = []
    with open_gradebook(db_url, course_id) as gb:
        ensure_rubric(gb, config)
        for result in results:
            if result.fault:  # the grader failed, not the student: what the gradebook holds stays
                failed.append((result.name, "not recorded in the gradebook: a grader fault (run make grade again)"))
                continue
            if not_graded(result):  # a folder not theirs: what the gradebook holds for them stays
                failed.append((result.name, "not recorded in the gradebook: its folder was not graded"))
                continue
            if not PLAIN.fullmatch(result.student):  # nbgrader's ids are user names; its export quotes nothing
                failed.append((result.name, "not recorded in the gradebook: its id is not a plain user name "
                                            "(letters, digits, ._@+-)"))
                continue
            try:
                _record_one(gb, config, result, timestamps.get(result.student))
            except Exception as exc:  # noqa: BLE001 - one student's row, never the whole gradebook
                gb.db.rollback()
                failed.append((result.name, f"not recorded in the gradebook: {type(exc).__name__}: {str(exc)[:200]}"))
    return failed


def _record_one(gb, config: Config, result: StudentResult, timestamp: str | None) -> None:
    """One result's grades, timestamp and late penalty, committed."""
    from nbgrader.api import MissingEntry

    gb.update_or_create_student(result.student)
    try:
        submission = gb.find_submission(config.name, result.student)
        gb.find_grade(result.items[-1].id, NOTEBOOK, config.name, result.student)
    except MissingEntry:  # new, or made before the rubric had all its cells: rebuild its structure
        try:
            gb.remove_submission(config.name, result.student)
        except MissingEntry:
            pass
        submission = gb.add_submission(config.name, result.student)
    if timestamp:
        from nbgrader.utils import parse_utc

        submission.timestamp = parse_utc(timestamp)
    for item in result.items:
        grade = gb.find_grade(item.id, NOTEBOOK, config.name, result.student)
        grade.auto_score = item.score
        # as nbgrader's autograde does: for review only where an instructor's manual score overrides the grader's
        grade.needs_manual_grade = grade.manual_score is not None
    notebook = gb.find_submission_notebook(NOTEBOOK, config.name, result.student)
    notebook.late_submission_penalty = result.penalty or None
    gb.db.commit()

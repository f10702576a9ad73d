"""Scores into nbgrader's gradebook.db through its Gradebook API: one grade cell per rubric item.

An auto-graded item's cell is named by its rubric id and holds the grader's score (auto_score). A
written item's cell is its notebook cell (`Item.cell`, a grade and a solution cell, as nbgrader's
"manually graded answer"): the grader says only whether there is an answer to grade; the score and
comment are a person's, given in the formgrader, and read back by `manual_grades`. nbgrader's
formgrader and `nbgrader export` then show every item, the late penalty and the total. Upserts only:
a recorded grade, and above all a person's, is never removed.
"""
from __future__ import annotations

from pathlib import Path

from autograder.coordinator.answers import Manual, answered
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
    for question in config.questions:
        for item in question.items:
            gb.update_or_create_grade_cell(item.id, NOTEBOOK, config.name, max_score=item.points, cell_type="code")
        for item in question.written:
            gb.update_or_create_grade_cell(item.cell, NOTEBOOK, config.name, max_score=item.points,
                                           cell_type="markdown")
            gb.update_or_create_solution_cell(item.cell, NOTEBOOK, config.name)


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
    """One result's grades, timestamp and late penalty, committed. A person's score or comment stays."""
    from nbgrader.api import MissingEntry

    gb.update_or_create_student(result.student)
    try:
        submission = gb.find_submission(config.name, result.student)
    except MissingEntry:
        submission = gb.add_submission(config.name, result.student)
    if timestamp:
        from nbgrader.utils import parse_utc

        submission.timestamp = parse_utc(timestamp)
    notebook = _complete(gb, submission, config)
    grades = {grade.cell.name: grade for grade in notebook.grades}
    for item in result.items:
        rubric = config.items.get(item.id)
        if rubric is None:
            continue
        if rubric.kind == "manual":  # as nbgrader's autograde: an answer left as released gets 0, and waits for nobody
            grade = grades[rubric.cell]
            has_answer = answered(item.answer)
            grade.auto_score = None if has_answer else 0.0
            grade.needs_manual_grade = has_answer and grade.manual_score is None
            continue
        grade = grades[item.id]
        grade.auto_score = item.score
        # as nbgrader's autograde does: for review only where an instructor's manual score overrides the grader's
        grade.needs_manual_grade = grade.manual_score is not None
    notebook.late_submission_penalty = result.penalty or None
    gb.db.commit()


def _complete(gb, submission, config: Config):
    """The submission's notebook with a grade for each grade cell and a comment for each solution cell: those a
    submission made before the rubric had them lacks are added (never by removing it, which would drop what
    people gave)."""
    from nbgrader.api import Comment, Grade, SubmittedNotebook

    notebook = next((nb for nb in submission.notebooks if nb.name == NOTEBOOK), None)
    if notebook is None:
        notebook = SubmittedNotebook(notebook=gb.find_notebook(NOTEBOOK, config.name), assignment=submission)
        gb.db.add(notebook)
    graded = {grade.cell_id for grade in notebook.grades}
    commented = {comment.cell_id for comment in notebook.comments}
    for cell in notebook.notebook.grade_cells:
        if cell.id not in graded:
            gb.db.add(Grade(cell_id=cell.id, notebook=notebook))
    for cell in notebook.notebook.solution_cells:
        if cell.id not in commented:
            gb.db.add(Comment(cell_id=cell.id, notebook=notebook))
    gb.db.flush()
    gb.db.refresh(notebook)
    return notebook


def manual_grades(db_url: str, course_id: str, config: Config) -> dict[str, dict[str, Manual]]:
    """What people gave the written items in the formgrader: student -> item id -> Manual (score with any
    extra credit, None until graded; the comment). Empty when the rubric has no written items or the
    gradebook has no such assignment yet."""
    if not config.written or not Path(db_url.removeprefix("sqlite:///")).is_file():
        return {}
    from nbgrader.api import (
        Assignment,
        BaseCell,
        Comment,
        Grade,
        Notebook,
        SubmittedAssignment,
        SubmittedNotebook,
    )

    ids = {item.cell: item.id for item in config.written}
    given: dict[str, dict[str, list]] = {}
    with open_gradebook(db_url, course_id) as gb:
        for table, columns in ((Grade, (Grade.manual_score, Grade.extra_credit)), (Comment, (Comment.manual_comment,))):
            rows = (gb.db.query(SubmittedAssignment.student_id, BaseCell.name, *columns)
                    .join(SubmittedNotebook, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
                    .join(table, table.notebook_id == SubmittedNotebook.id)
                    .join(BaseCell, BaseCell.id == table.cell_id)
                    .join(Notebook, Notebook.id == SubmittedNotebook.notebook_id)
                    .join(Assignment, Assignment.id == Notebook.assignment_id)
                    .filter(Assignment.name == config.name, Notebook.name == NOTEBOOK, BaseCell.name.in_(ids)))
            for student, cell, *values in rows:
                entry = given.setdefault(student, {}).setdefault(ids[cell], [None, ""])
                if table is Grade:
                    score, extra = values
                    entry[0] = None if score is None else max(0.0, score + (extra or 0.0))
                else:
                    entry[1] = values[0] or ""
    return {student: {item: Manual(*entry) for item, entry in items.items()} for student, items in given.items()}

"""Written answers: read from a submission's notebook, made into the result's written rubric items.

A written item (config.yaml, kind: manual) is answered in the notebook's cell whose nbgrader grade id
is the item's (`Item.cell`) and graded by people (the formgrader). Its ItemResult holds the answer
(`answer`, Markdown as written, cut at MAX_ANSWER_CHARS) and one of three states:

- "waiting": answered, no score from a person yet (score 0; totals say so);
- "graded": a person gave the score (and perhaps a comment, in `output`);
- "unanswered": the cell is missing, empty or as released (score 0, as nbgrader's autograde gives an
  unchanged answer cell), unless a person gave a score anyway (then "graded").

The notebook is the student's: read as JSON with a size limit, nothing in it is run.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from autograder.outputs.results import ItemResult, StudentResult
from autograder.spec.config import Config

MAX_NOTEBOOK_BYTES = 16 << 20  # what collect accepts of a whole submission
MAX_ANSWER_CHARS = 100_000  # kept of one answer (the formgrader page shows fewer: written.MAX_CHARS)
MAX_CELLS = 10_000  # a notebook's cells looked at for answers
STUB = "YOUR ANSWER HERE"  # what nbgrader's release puts in an answer cell


def answered(text: str | None) -> bool:
    """Whether an answer cell's text is an answer: not missing, empty, or as nbgrader released it."""
    return text is not None and text.strip() not in ("", STUB)


@dataclass(frozen=True)
class Manual:
    """What a person gave a written item (nbgrader's manual score and comment); score None: not graded yet."""

    score: float | None
    comment: str = ""


def parse_answers(data: bytes, wanted: frozenset[str]) -> tuple[dict[str, str], str]:
    """(grade id -> source of that cell, for the ids in `wanted`, "") of a notebook's bytes, or ({}, why
    none could be read).

    A cell counts by its nbgrader grade id, whatever its type or flags (a student who turned the cell
    into code still answered there); of two cells with one id, the first."""
    try:
        notebook = json.loads(data)
    except (ValueError, RecursionError) as exc:
        return {}, f"is not a notebook that could be read (not valid JSON: {str(exc)[:120]})"
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        return {}, "is not a notebook that could be read (it has no list of cells)"
    answers: dict[str, str] = {}
    for cell in cells[:MAX_CELLS]:
        meta = cell.get("metadata") if isinstance(cell, dict) else None
        grader = meta.get("nbgrader") if isinstance(meta, dict) else None
        grade_id = grader.get("grade_id") if isinstance(grader, dict) else None
        if isinstance(grade_id, str) and grade_id in wanted and grade_id not in answers:
            source = cell.get("source", "")
            if isinstance(source, list):
                source = "".join(part for part in source if isinstance(part, str))
            answers[grade_id] = source[:MAX_ANSWER_CHARS] if isinstance(source, str) else ""
    return answers, ""


def add_written(result: StudentResult, answers: dict[str, str], notebook_problem: str, config: Config,
                manual: dict[str, Manual]) -> StudentResult:
    """`result` with one ItemResult per written item of `config`, after its question's other items (any
    earlier ones replaced): from `answers` (parse_answers; `notebook_problem` says why there are none)
    and what people gave (`manual`, by item id)."""
    written = {item.id for item in config.written}
    items = [item for item in result.items if item.id not in written]
    for item in config.written:
        given = manual.get(item.id, Manual(None))
        text = answers.get(item.cell)
        why = ("" if answered(text) else
               notebook_problem or (f"the notebook has no answer cell {item.cell} (it was deleted, or its "
                                    "metadata changed)" if text is None else "the answer cell was left as released"))
        if given.score is not None:
            state, score, output = "graded", max(given.score, 0.0), given.comment  # extra credit may pass the points
        elif why:
            state, score, output = "unanswered", 0.0, f"No answer: {why}."
        else:
            state, score, output = "waiting", 0.0, "Your answer is waiting to be graded by your instructor."
        entry = ItemResult(item.id, item.title, score, item.points, output, item.visibility, status=state,
                           checked="your written answer, graded by your instructor", answer=text or "")
        last = max((i for i, other in enumerate(items) if other.id.split(".")[0] == item.question), default=len(items) - 1)
        items.insert(last + 1, entry)
    result.items = items
    return result

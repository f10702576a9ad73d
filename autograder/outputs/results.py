"""What grading produces, and the pure serialisers to grades.csv and Gradescope's results.json."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

from autograder.core.ids import csv_cell, file_stem, printable
from autograder.spec.config import Config

NOT_CHECKED = "none of its items could be checked"  # in the note on a module that was not imported


@dataclass
class ItemResult:
    """One rubric item for one student."""

    id: str
    title: str
    score: float
    max_score: float
    output: str  # feedback text: what was checked, what was wrong, a hint
    visibility: str = "visible"
    misconceptions: list[str] = field(default_factory=list)
    status: str = "graded"  # graded | error (the item could not be judged: a limit, a crash, a grader fault);
    # a written item (coordinator/answers.py): graded (by a person) | waiting (for one) | unanswered
    checked: str = ""  # what was checked, in a few words
    passed: int = 0  # cases fully right
    cases: int = 0  # cases run
    partial: int = 0  # cases that earned part of the credit (a recognised mistake)
    problems: list = field(default_factory=list)  # [[count, message], ...], each distinct problem once
    hint: str = ""
    answer: str = ""  # a written item's answer, Markdown as the student wrote it


@dataclass
class StudentResult:
    """Every rubric item of one student (fail closed: all items, always)."""

    student: str
    items: list[ItemResult]
    notes: list[str] = field(default_factory=list)  # submission-level remarks (missing files, limits hit)
    limit_hits: list[str] = field(default_factory=list)
    fault: str = ""  # non-empty when the grader itself failed on this submission
    late_days: int = 0
    penalty: float = 0.0  # points taken off for lateness
    late_share: float = 0.0  # the share of any total the late penalty takes (the same for every total)
    seconds: float = 0.0  # wall time to grade this submission (kept out of results.json: regrades are identical)
    student_seconds: float = 0.0  # of which waiting on calls into the student's code
    timestamp_note: str = ""  # set with the late penalty: the submission's time could not be read or is doubtful
    timestamp_state: str = ""  # "", "unreadable" (graded as on time) or "doubtful" (files changed after it)
    write_error: str = ""  # this student's output files could not be written (the batch went on)
    kept: bool = False  # a grader fault this run: this is the student's earlier result, kept as it was

    @property
    def name(self) -> str:
        """The student id for people: printable, escapes for what is not (see ids.py)."""
        return printable(self.student, exact=True)

    @property
    def file(self) -> str:
        """The stem of this student's output files (results/<file>.json, feedback/<file>.html)."""
        return file_stem(self.student)

    def question_score(self, qid: str) -> float:
        return sum(i.score for i in self.items if i.id.split(".")[0] == qid)

    @property
    def raw_total(self) -> float:
        return sum(i.score for i in self.items)

    @property
    def total(self) -> float:
        return max(0.0, self.raw_total - self.penalty)

    def to_dict(self) -> dict:
        """Plain data (what dataclasses.asdict gives, without its deep copies)."""
        data = dict(vars(self))
        data["items"] = [dict(vars(item)) for item in self.items]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "StudentResult":
        data = dict(data)
        data["items"] = [ItemResult(**i) for i in data["items"]]
        return cls(**data)


def cases_line(passed: int, cases: int, partial: int) -> str:
    """'Passed 2 of 6 cases; 4 more earned part of the credit (below).' for the feedback."""
    line = f"Passed {passed} of {cases} case{'s' if cases != 1 else ''}"
    return line + (f"; {partial} more earned part of the credit (below)." if partial else ".")


def _num(x: float) -> str:
    """Stable number formatting for the CSV: up to 4 decimals, no trailing zeros."""
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def not_graded(result: StudentResult) -> bool:
    """The folder was not read: someone else's, or not readable (nothing of it reaches a gradebook)."""
    return any(note.startswith(("Not graded", "Your submission folder")) for note in result.notes)


def status(result: StudentResult) -> str:
    """One word or two for grades.csv: what the instructor should know about this row."""
    if result.fault:
        return "grader error (earlier result kept)" if result.kept else "grader error"
    if not_graded(result):
        return "not graded"  # the folder was not read: someone else's, or not readable
    if result.write_error:
        return "output not written"
    if result.limit_hits:
        return "limits hit"
    problems = [message for item in result.items for _, message in item.problems]
    if any("could not be imported" in message for message in problems):
        return "module not imported"  # a syntax error, an import that raised
    if any(note.startswith(("No graded", "Missing")) for note in result.notes) or any(
            "is missing from the submission" in message or "was not graded: it" in message for message in problems):
        return "files missing"  # a module not there (a notebook-only submission), or not read
    return f"timestamp {result.timestamp_state}" if result.timestamp_state else "ok"


def waiting(result: StudentResult) -> list[str]:
    """Ids of the written items whose answer waits for a person's grade (answers.py)."""
    return [item.id for item in result.items if item.status == "waiting"]


def manual_grading(result: StudentResult, config: Config) -> str:
    """grades.csv's word on the written items: "waiting: <ids>" until a person graded each answer, then "done"."""
    if not config.written:
        return ""
    ids = waiting(result)
    return f"waiting: {' '.join(ids)}" if ids else "done"


def grades_csv(results: list[StudentResult], config: Config) -> str:
    """grades.csv: `student,q1,q2,q3,total,max_total`, then late days, penalty, status, manual grading (what
    written answers still wait for a person) and the output files' stem. Totals count the written items
    a person graded; one waiting counts 0 until then.

    The student cell is the printable id, escaped so a spreadsheet never takes it for a formula.
    """
    qids = [q.id for q in config.questions]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["student", *qids, "total", "max_total", "late_days", "late_penalty", "status", "manual_grading",
                     "file"])
    for r in sorted(results, key=lambda r: r.student):
        writer.writerow([csv_cell(r.name), *(_num(r.question_score(q)) for q in qids), _num(r.total),
                         _num(config.max_total), r.late_days, _num(r.penalty), status(r), manual_grading(r, config),
                         csv_cell(r.file)])
    return buf.getvalue()


def shown(item: ItemResult, config: Config, now: datetime | None = None) -> bool:
    """Whether a student may see this item's result now (rubric visibility)."""
    if item.visibility == "hidden":
        return False
    if item.visibility == "after_due_date" and config.due is not None:
        return (now or datetime.now(timezone.utc)) >= config.due
    return True  # visible, and after_published: a feedback page is the publication


def held_back(result: StudentResult, config: Config, now: datetime | None = None) -> set[str]:
    """Ids of the items a student may not see yet."""
    return {item.id for item in result.items if not shown(item, config, now)}


def without(text: str, hidden: set[str]) -> str:
    """`text` less each part (a line, or a clause between '; ') that names an item not shown yet: what it
    says of that item (its helper was wrong, say) would show that item's result."""
    if not hidden or not any(item_id in text for item_id in hidden):
        return text
    lines = ("; ".join(part for part in line.split("; ") if not any(i in part for i in hidden))
             for line in text.split("\n"))
    return "\n".join(line for line in lines if line.strip() and line.strip() not in ("-", "- 1 cases:"))


@dataclass
class Seen:
    """What a student may see now of a result, or of one question: the score of the items shown (after
    the late penalty's share, for the whole result), out of their points, and the points of the items
    not shown yet. With nothing held back, the real total; otherwise no sum includes a hidden item."""
    score: float
    raw: float  # before the late penalty
    out_of: float
    held_back: float
    waiting: float = 0.0  # points of written items shown whose answer waits for a person's grade (counted 0)


def seen(result: StudentResult, config: Config, now: datetime | None = None, question: str | None = None) -> Seen:
    items = [i for i in result.items if question is None or i.id.split(".")[0] == question]
    visible = [i for i in items if shown(i, config, now)]
    held_back = sum(i.max_score for i in items) - sum(i.max_score for i in visible)
    raw, out_of = sum(i.score for i in visible), sum(i.max_score for i in visible)
    pending = sum(i.max_score for i in visible if i.status == "waiting")
    if question is not None:  # question subtotals are before the penalty, as in grades.csv
        return Seen(raw, raw, out_of, held_back, pending)
    if not held_back:
        return Seen(result.total, result.raw_total, config.max_total, 0.0, pending)
    return Seen(max(0.0, raw * (1 - result.late_share)), raw, out_of, held_back, pending)


def gradescope_json(result: StudentResult, config: Config) -> str:
    """Gradescope's results.json: score, output, tests[] (name starts with the rubric id)."""
    tests, hidden = [], held_back(result, config)
    for number, item in enumerate(result.items, 1):
        tests.append({
            "name": f"{item.id} {item.title}",
            "number": str(number),
            "score": round(item.score, 4),
            "max_score": item.max_score,
            "status": "passed" if item.score >= item.max_score else "failed",
            "output": without(item.output, hidden),  # Gradescope hides held-back tests, not what others say
            "visibility": item.visibility,
            "tags": item.misconceptions,
        })
    # What students read: sums over the items they may see (Gradescope shows the tests by their visibility)
    whole = seen(result, config)
    summary = [f"Total: {_num(whole.score)} / {_num(whole.out_of)}" + _held_back(whole) + _waiting(whole)]
    for q in config.questions:
        part = seen(result, config, question=q.id)
        summary.append(f"{q.id} {q.title}: {_num(part.raw)} / {_num(part.out_of)}" + _held_back(part) + _waiting(part))
    if result.penalty and whole.held_back:
        summary.append(f"Late by {result.late_days} day(s): {_num(100 * result.late_share)}% off")
    elif result.penalty:
        summary.append(f"Late by {result.late_days} day(s): -{_num(result.penalty)} points")
    summary += result.notes + ([result.timestamp_note] if result.timestamp_note else [])
    doc = {
        "score": round(result.total, 4),
        "output": "\n".join(summary),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"student": result.name, "limit_hits": result.limit_hits, "fault": result.fault,
                       "late_days": result.late_days, "penalty": result.penalty},
    }
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"


def _held_back(part: Seen) -> str:
    return f" (items worth {_num(part.held_back)} more points not shown yet)" if part.held_back else ""


def _waiting(part: Seen) -> str:
    return f" (written answers worth {_num(part.waiting)} points not graded yet)" if part.waiting else ""

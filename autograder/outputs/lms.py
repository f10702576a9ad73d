"""Final grades in the import formats of Canvas and Moodle, from grades.csv and a roster that maps ids.

Both take the final total (after the late penalty, written answers counted as graded so far):

- Canvas (Grades, Import): `Student, ID, SIS User ID, SIS Login ID, Section`, then one column per
  assignment named `<name> (<Canvas assignment id>)`, or `<name>` alone to create the assignment;
  a `Points Possible` row under the header.
- Moodle (Grades, Import, CSV file): its own export's columns, `First name, Last name, ID number,
  Institution, Department, Email address`, then `Assignment: <name>` and `Feedback: <name>`; map
  "Email address" (or "ID number") to the user on import.

The roster (CSV with a header) maps the course's student ids (column `student`) to what the LMS knows:
`name` or `first_name`/`last_name`, `lms_id` (Canvas's numeric ID), `sis_user_id`, `sis_login_id`,
`section`, `email`, `id_number`; a student it does not list goes out under their course id.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

LMS = ("canvas", "moodle")
ROSTER_COLUMNS = ("student", "name", "first_name", "last_name", "lms_id", "sis_user_id", "sis_login_id", "section",
                  "email", "id_number")
NOT_EXPORTED = ("not graded", "grader error")  # no grade of theirs to send: a folder not read, a grader fault


class LmsError(ValueError):
    """A roster or grades file that cannot be used; the message names the file, the row and the fix."""


@dataclass
class Export:
    text: str
    exported: int
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (student, why)
    waiting: list[str] = field(default_factory=list)  # students whose written answers still wait for a person
    unmapped: list[str] = field(default_factory=list)  # students the roster does not list


def read_roster(path: Path) -> dict[str, dict[str, str]]:
    """The roster's rows by course student id."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header, rows = list(reader.fieldnames or []), list(reader)
    except OSError as exc:
        raise LmsError(f"{path}: cannot be read ({exc.strerror}); give the roster CSV with --roster") from None
    unknown = [name for name in header if name not in ROSTER_COLUMNS]
    if "student" not in header or unknown:
        raise LmsError(f"{path}: " + (f"unknown column(s) {', '.join(unknown)}; " if unknown else "")
                       + "the header needs `student` (the course's id) and any of " + ", ".join(ROSTER_COLUMNS[1:]))
    roster = {}
    for number, row in enumerate(rows, 2):
        student = (row.get("student") or "").strip()
        if not student:
            raise LmsError(f"{path}: row {number} has no student id (column `student`)")
        if student in roster:
            raise LmsError(f"{path}: row {number}: {student} is listed twice")
        roster[student] = {key: (value or "").strip() for key, value in row.items() if key}
    return roster


def read_grades(path: Path) -> list[dict[str, str]]:
    """grades.csv's rows (the grader's own file), the student cell as the id (csv_cell's quote undone)."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise LmsError(f"{path}: cannot be read ({exc.strerror}); run make grade first") from None
    for row in rows:
        if row["student"].startswith("'"):
            row["student"] = row["student"][1:]
    return rows


def export(lms: str, grades: list[dict[str, str]], roster: dict[str, dict[str, str]], assignment: str,
           assignment_id: str = "") -> Export:
    """The LMS's import file for these grades.csv rows."""
    kept, result = [], Export("", 0)
    for row in grades:
        if row["status"].startswith(NOT_EXPORTED) and "earlier result kept" not in row["status"]:
            result.left_out.append((row["student"], row["status"]))
            continue
        if row.get("manual_grading", "").startswith("waiting"):
            result.waiting.append(row["student"])
        if row["student"] not in roster and roster:
            result.unmapped.append(row["student"])
        kept.append(row)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if lms == "canvas":
        column = f"{assignment} ({assignment_id})" if assignment_id else assignment
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column])
        writer.writerow(["    Points Possible", "", "", "", "", grades[0]["max_total"] if grades else ""])
        for row in kept:
            who = roster.get(row["student"], {})
            name = who.get("name") or ", ".join(p for p in (who.get("last_name"), who.get("first_name")) if p)
            writer.writerow([name or row["student"], who.get("lms_id", ""), who.get("sis_user_id") or row["student"],
                             who.get("sis_login_id", ""), who.get("section", ""), row["total"]])
    elif lms == "moodle":
        writer.writerow(["First name", "Last name", "ID number", "Institution", "Department", "Email address",
                         f"Assignment: {assignment}", f"Feedback: {assignment}"])
        for row in kept:
            who = roster.get(row["student"], {})
            first, last = who.get("first_name", ""), who.get("last_name", "")
            if not (first or last):
                first, _, last = (who.get("name") or "").partition(" ")
            note = ("written answers still waiting for grading" if row.get("manual_grading", "").startswith("waiting")
                    else "")
            writer.writerow([first, last, who.get("id_number") or row["student"], "", "", who.get("email", ""),
                             row["total"], note])
    else:
        raise LmsError(f"unknown LMS {lms!r}: one of {', '.join(LMS)}")
    result.text, result.exported = buf.getvalue(), len(kept)
    return result

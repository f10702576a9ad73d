"""`make export`'s nbgrader export plugin: nbgrader's CSV columns, and which students wait for manual grading.

nbgrader's own CsvExportPlugin writes assignment, duedate, timestamp, student_id, names, email, raw_score,
late_submission_penalty, score and max_score; this writes the same, through the csv module (a name with a
comma stays one cell), plus `needs_manual_grade`: "yes" while a written answer of that submission waits
for a person's score in the formgrader (its score then counts that answer as 0). Run as
`nbgrader export --ExportApp.plugin_class=autograder.integrations.export.ManualStatusCsv`.
"""
from __future__ import annotations

import csv

from nbgrader.api import MissingEntry
from nbgrader.plugins.export import ExportPlugin

COLUMNS = ("assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email", "raw_score",
           "late_submission_penalty", "score", "max_score", "needs_manual_grade")


class ManualStatusCsv(ExportPlugin):
    """nbgrader's CSV export with a needs_manual_grade column."""

    def export(self, gradebook) -> None:
        students, assignments = {str(s) for s in self.student}, {str(a) for a in self.assignment}
        with open(self.to or "grades.csv", "w", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS)
            for assignment in gradebook.assignments:
                if assignments and assignment.name not in assignments:
                    continue
                for student in gradebook.students:
                    if students and student.id not in students:
                        continue
                    row = {"assignment": assignment.name, "duedate": assignment.duedate, "student_id": student.id,
                           "last_name": student.last_name, "first_name": student.first_name,
                           "email": student.email, "max_score": assignment.max_score}
                    try:
                        submission = gradebook.find_submission(assignment.name, student.id)
                    except MissingEntry:
                        row.update(timestamp="", raw_score=0.0, late_submission_penalty=0.0, score=0.0,
                                   needs_manual_grade="")
                    else:
                        penalty = submission.late_submission_penalty
                        row.update(timestamp=submission.timestamp, raw_score=submission.score,
                                   late_submission_penalty=penalty, score=max(0.0, submission.score - penalty),
                                   needs_manual_grade="yes" if submission.needs_manual_grade else "no")
                    writer.writerow(["" if row[key] is None else str(row[key]) for key in COLUMNS])

"""The job a grading process is given: one student's submission as the coordinator read it, once.

It travels to a shard as one JSON line (`to_message` / `from_message`); the shard never reads
the student's folder itself.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class SubmissionFiles:
    files: dict[str, bytes] = field(default_factory=dict)  # module file name -> bytes
    refused: dict[str, str] = field(default_factory=dict)  # graded module file there but not read -> why
    notes: list[str] = field(default_factory=list)  # remarks for the student (where files were found, what is missing)
    answers: dict[str, str] = field(default_factory=dict)  # the notebook's cells by grade id (coordinator/answers.py)
    notebook_problem: str = ""  # why no answers could be read ("" when the notebook was read)


@dataclass
class SubmissionDir:
    student: str
    path: Path
    timestamp: str | None = None  # nbgrader's submission time, if any
    timestamp_problem: str = ""  # why timestamp.txt could not be read as a time (it is then ignored)
    timestamp_doubt: str = ""  # why collect doubts the time (files changed after it): used, and reported
    submitted: SubmissionFiles = field(default_factory=SubmissionFiles)  # what was read, once, when it was found

    def to_message(self) -> dict:
        """What a grading process gets of a submission (JSON): the files read when it was found."""
        return {"student": self.student, "path": str(self.path), "timestamp": self.timestamp,
                "notes": self.submitted.notes, "refused": self.submitted.refused,
                "files": {name: base64.b64encode(data).decode() for name, data in self.submitted.files.items()}}

    @classmethod
    def from_message(cls, message: dict) -> SubmissionDir:
        files = SubmissionFiles({name: base64.b64decode(text) for name, text in message["files"].items()},
                                dict(message["refused"]), list(message["notes"]))
        return cls(message["student"], Path(message["path"]), message.get("timestamp"), submitted=files)

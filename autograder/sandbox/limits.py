"""Resource limits for student code, and the outcome of one call into it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Limits:
    """Per-call and per-submission limits (see config.yaml `limits`)."""

    call_seconds: float = 1.0
    submission_seconds: float = 20.0
    cpu_seconds: int = 10
    memory_mb: int = 1024
    processes: int = 16
    file_size_mb: int = 8
    open_files: int = 64
    output_kb: int = 256
    result_kb: int = 4096
    scratch_mb: int = 64

    def scratch(self) -> dict:
        """The fresh tmpfs each sandboxed submission gets as /tmp: its size and inode count."""
        return {"size_mb": int(self.scratch_mb), "inodes": max(1024, int(self.scratch_mb) * 64)}

    def rlimits(self) -> dict:
        """The rlimits a submission process gets, in the units setrlimit takes."""
        return {
            "cpu_seconds": int(self.cpu_seconds),
            "memory_bytes": int(self.memory_mb) << 20,
            "processes": int(self.processes),
            "file_size_bytes": int(self.file_size_mb) << 20,
            "open_files": int(self.open_files),
            "message_queue_bytes": 0,  # POSIX message queues are refused anyway (worker/confine.py)
        }


# Outcome kinds. "ok" carries a value; every other kind is a failure with a reason.
OK, ERROR, TIMEOUT, CRASHED, LIMIT, INVALID, UNAVAILABLE = (
    "ok", "error", "timeout", "crashed", "limit", "invalid", "unavailable")


@dataclass
class Outcome:
    """What came back from one call of student code: a plain-data value or a failure."""

    kind: str
    value: Any = None
    reason: str = ""  # one line for feedback, e.g. "raised ValueError: shapes (3,) and (4,) not aligned"
    traceback: list[str] = field(default_factory=list)  # the student's own frames only

    @property
    def ok(self) -> bool:
        return self.kind == OK

"""What the coordinator and a grading process (shard) say to each other: one JSON line each.

To the shard, on its stdin: one job per line (`job.SubmissionDir.to_message()`); the end of
its input means no more jobs. From the shard, on its stdout, in this order:
- READY once, when its pytest session and worker slot are up and it can take jobs;
- RESULT once per job, in the order the jobs were given: `{"result": StudentResult.to_dict()}`.
Anything else on a shard's stdout is a fault of that shard (pytest's own output goes to stderr).
"""
from __future__ import annotations

import json

READY = "ready"
RESULT = "result"


def ready() -> str:
    return json.dumps({READY: True}) + "\n"


def result(data: dict) -> str:
    return json.dumps({RESULT: data}) + "\n"


def read(line: str) -> tuple[str, dict | None]:
    """(READY, None) or (RESULT, the result's dict); ValueError for anything else."""
    message = json.loads(line)
    if not isinstance(message, dict) or len(message) != 1:
        raise ValueError(f"not a shard message: {line[:200]!r}")
    if message.get(READY) is True:
        return READY, None
    if isinstance(message.get(RESULT), dict):
        return RESULT, message[RESULT]
    raise ValueError(f"not a shard message: {line[:200]!r}")

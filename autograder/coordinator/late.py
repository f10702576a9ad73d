"""Late submissions: days late from nbgrader's timestamp and the due date, and the points they cost."""
from __future__ import annotations

import math
from datetime import datetime, timezone

from autograder.spec.config import Config

MAX_TIMESTAMP_BYTES = 1024  # of a timestamp.txt: nbgrader writes about 30


def parse_timestamp(text: str | None) -> datetime | None:
    """nbgrader's timestamp.txt ("2026-12-16 10:00:00.123456 UTC" or ISO 8601) as an aware datetime."""
    if not text:
        return None
    text = text.strip().replace(" UTC", "+00:00").replace("Z", "+00:00")
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)


def decode_timestamp(data: bytes) -> tuple[str | None, str]:
    """(the text of a timestamp.txt, "") if it holds a time, else (None, why not); UTF-8, with or without
    a byte-order mark, or UTF-16. The one reading of the file, for collecting and for grading alike."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", "replace")
    else:
        text = data.decode("utf-8-sig", "replace")
    text = text.strip()
    if parse_timestamp(text) is None:
        from autograder.core.ids import printable

        return None, f"{printable(text[:40])!r} is not a date and time"
    return text, ""


def days_late(timestamp: str | None, config: Config) -> int:
    """Whole days started after the due date (0 if on time, undated, or no due date)."""
    stamp = parse_timestamp(timestamp)
    if stamp is None or config.due is None or stamp <= config.due:
        return 0
    return math.ceil((stamp - config.due).total_seconds() / 86400)


def penalty(raw_total: float, days: int, config: Config) -> float:
    """Points taken off a raw total for `days` late, by the rubric's late_penalty rule."""
    if days <= 0 or config.late_penalty == "none":
        return 0.0
    if config.late_penalty == "zero":
        return raw_total
    return round(min(raw_total, raw_total * config.late_percent_per_day / 100.0 * days), 4)

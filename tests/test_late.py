"""Late submissions, the pure parts: days late from nbgrader's timestamp and the due date, and what
each rubric policy (none, zero, percent_per_day) takes off."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest

from autograder.spec.config import load_config
from autograder.coordinator.late import days_late, parse_timestamp, penalty
from autograder.grading.plugin import declared_tests
from helpers import ROOT

DUE = datetime(2026, 12, 15, 23, 59, tzinfo=timezone.utc)
BASE = load_config(ROOT / "config.yaml", declared_tests())


def config(policy: str, percent: float = 10, due=DUE):
    return dataclasses.replace(BASE, due=due, late_penalty=policy, late_percent_per_day=percent)


@pytest.mark.parametrize("stamp, days", [
    ("2026-12-15 23:59:00 UTC", 0),  # exactly at the due time: on time
    ("2026-12-15 23:59:00.000001 UTC", 1),  # a moment after: one day started
    ("2026-12-16 23:59:00 UTC", 1),
    ("2026-12-16 23:59:01 UTC", 2),
    ("2026-12-15T20:00:00-05:00", 1),  # 01:00 UTC the next day, with its own offset
    ("2026-12-10 08:00:00", 0),  # no zone: UTC, as nbgrader writes it
    (None, 0), ("", 0), ("yesterday", 0),  # undated or unreadable: on time (reported elsewhere)
])
def test_days_late(stamp, days):
    assert days_late(stamp, config("percent_per_day")) == days


def test_no_due_date_means_never_late():
    assert days_late("2030-01-01 00:00:00 UTC", config("percent_per_day", due=None)) == 0


def test_parse_timestamp_is_aware():
    assert parse_timestamp("2026-12-16 10:00:00.123456 UTC") == datetime(2026, 12, 16, 10, 0, 0, 123456, timezone.utc)
    assert parse_timestamp("2026-12-16T10:00:00Z").tzinfo is not None


@pytest.mark.parametrize("policy, percent, raw, days, off", [
    ("none", 10, 80.0, 3, 0.0),
    ("zero", 10, 80.0, 1, 80.0),  # any lateness costs everything
    ("zero", 10, 80.0, 0, 0.0),
    ("percent_per_day", 10, 80.0, 0, 0.0),
    ("percent_per_day", 10, 80.0, 2, 16.0),  # 10% of the raw total a day
    ("percent_per_day", 15, 66.6667, 1, 10.0),  # rounded to 4 places
    ("percent_per_day", 10, 80.0, 12, 80.0),  # never more than the raw total
    ("percent_per_day", 10, 0.0, 5, 0.0),
])
def test_penalty_by_policy(policy, percent, raw, days, off):
    assert penalty(raw, days, config(policy, percent)) == off

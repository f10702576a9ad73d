"""Feedback visibility, the pure parts: which items a student may see now, and what the page's totals and
messages count while some are held back (before the due date for `after_due_date`, always for `hidden`)."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

from autograder.spec.config import load_config
from autograder.coordinator.late import penalty as penalty_of
from autograder.outputs.feedback import to_html, to_markdown
from autograder.grading.plugin import declared_tests
from autograder.outputs.results import ItemResult, StudentResult, held_back, seen, shown, without
from helpers import ROOT

DUE = datetime(2026, 12, 15, 23, 59, tzinfo=timezone.utc)
BEFORE, AFTER = DUE - timedelta(seconds=1), DUE
BASE = load_config(ROOT / "config.yaml", declared_tests()).without_written()  # items a hidden test grades


def _config(visibility: dict[str, str], due=DUE):
    questions = tuple(dataclasses.replace(q, items=tuple(dataclasses.replace(i, visibility=visibility.get(i.id, i.visibility))
                                                         for i in q.items)) for q in BASE.questions)
    return dataclasses.replace(BASE, due=due, questions=questions)


def _result(config, late_days=0, penalty=0.0) -> StudentResult:
    items = [ItemResult(i.id, i.title, i.points / 2, i.points, f"{i.id} half right", i.visibility,
                        problems=[[1, f"{i.id} half right"]]) for q in config.questions for i in q.items]
    items[-1].problems = [[1, "judged with a helper"], [1, "see q3.softmax"]]  # one names another item
    return StudentResult("ada", items, late_days=late_days, penalty=penalty, late_share=penalty_of(1.0, late_days, config))


def test_after_due_date_is_held_back_until_the_due_time():
    config = _config({"q3.grad_W": "after_due_date", "q1.step": "hidden"})
    item = next(i for i in _result(config).items if i.id == "q3.grad_W")
    assert not shown(item, config, BEFORE) and shown(item, config, AFTER)
    assert held_back(_result(config), config, BEFORE) == {"q3.grad_W", "q1.step"}
    assert held_back(_result(config), config, AFTER) == {"q1.step"}  # hidden stays hidden
    assert shown(item, _config({"q3.grad_W": "after_due_date"}, due=None))  # no due date: shown


def test_totals_count_only_what_is_shown():
    config = _config({"q3.grad_W": "after_due_date"})
    result = _result(config)
    before, after = seen(result, config, BEFORE), seen(result, config, AFTER)
    assert (before.out_of, before.held_back) == (config.max_total - 8, 8)
    assert before.score == (config.max_total - 8) / 2
    assert (after.score, after.out_of, after.held_back) == (result.total, config.max_total, 0)
    assert seen(result, config, BEFORE, "q3").held_back == 8 and seen(result, config, BEFORE, "q1").held_back == 0


def test_a_late_penalty_is_a_share_while_items_are_held_back():
    config = dataclasses.replace(_config({"q3.grad_W": "after_due_date"}), late_penalty="percent_per_day",
                                 late_percent_per_day=10)
    result = _result(config, late_days=2, penalty=round(0.2 * config.max_total / 2, 4))
    before = seen(result, config, BEFORE)
    assert abs(before.score - 0.8 * (config.max_total - 8) / 2) < 1e-9  # 20% of what is shown, not points of the hidden


def test_pages_say_nothing_of_an_item_held_back():
    config = _config({"q3.softmax": "after_due_date"})
    result = _result(config)
    for page in (to_html(result, config, BEFORE), to_markdown(result, config, BEFORE)):
        assert "q3.softmax half right" not in page and "see q3.softmax" not in page.replace("\\_", "_")
        assert "not shown yet" in page
    for page in (to_html(result, config, AFTER), to_markdown(result, config, AFTER)):
        assert "q3.softmax half right" in page.replace("\\_", "_")
    assert without("a; about q3.softmax; b\nq3.softmax only", {"q3.softmax"}) == "a; b"

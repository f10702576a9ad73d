"""The class report's summary as a pure function of results: per-item statistics, the recognised mistakes
ranked by how many students made them, and why each submission was not graded normally."""
from __future__ import annotations

import pytest

from autograder.grading.plugin import declared_tests
from autograder.outputs.report import summarise
from autograder.outputs.results import NOT_CHECKED, ItemResult, StudentResult
from autograder.spec.config import load_config
from helpers import ROOT

CONFIG = load_config(ROOT / "config.yaml", declared_tests())


def _result(student: str, fraction: float = 1.0, **changes) -> StudentResult:
    """Every item at `fraction` of its points, then `changes` ({item id: dict of ItemResult fields}, or fields)."""
    items = {i.id: ItemResult(i.id, i.title, fraction * i.points, i.points, "") for i in CONFIG.items.values()}
    for item_id, fields in changes.pop("items", {}).items():
        vars(items[item_id]).update(fields)
    return StudentResult(student, list(items.values()), **changes)


def test_item_statistics():
    results = [_result("a", 1.0), _result("b", 0.5), _result("c", 0.0)]
    summary = summarise(results, CONFIG)
    step = next(i for i in summary.items if i["id"] == "q1.step")  # 4 points: scores 4, 2, 0
    assert (step["mean"], step["full"], step["zero"]) == (2.0, pytest.approx(1 / 3), pytest.approx(1 / 3))
    assert step["std"] == pytest.approx((8 / 3) ** 0.5)
    assert summary.students == 3 and summary.totals == [120.0, 60.0, 0.0]  # written items graded too
    assert summary.by_question["q2"] == [24.0, 12.0, 0.0]
    assert sorted(i["id"] for i in summary.items) == sorted(CONFIG.items)  # written ones too


def test_mistakes_ranked_by_students_then_name():
    results = [_result("a", items={"q3.grad_U": {"misconceptions": ["sign_flipped"]},
                                   "q3.grad_W": {"misconceptions": ["sign_flipped", "dW_transposed"]}}),
               _result("b", items={"q3.grad_b2": {"misconceptions": ["sign_flipped"]}}),
               _result("c", items={"q1.step": {"misconceptions": ["g0_zero"]}})]
    ranked = summarise(results, CONFIG).misconceptions
    assert [(m["name"], m["students"]) for m in ranked] == [("sign_flipped", 2), ("dW_transposed", 1), ("g0_zero", 1)]
    assert ranked[0]["items"] == ["q3.grad_U", "q3.grad_W", "q3.grad_b2"]
    assert ranked[0]["label"] == "delta_1 = y - y_hat (sign flipped)"


def test_why_a_submission_was_not_graded_normally():
    unread = "Not graded: this folder belongs to someone else."
    results = [
        _result("fine"),
        _result("fault", fault="q3.grad_W: call: boom"),
        _result("unread", 0.0, notes=[unread, "Missing backprop.py"], fault="x"),  # the folder's reason only
        _result("limits", limit_hits=["backprop.py: memory limit (1024 MiB)"],
                items={"q3.grad_W": {"problems": [[1, "memory limit (1024 MiB)"], [2, "wrong sign"]]}}),
        _result("module", notes=[f"backprop.py could not be imported: SyntaxError. So {NOT_CHECKED}: q3.softmax."],
                items={"q3.softmax": {"problems": [[1, "Not checked: backprop.py could not be imported"]]}}),
        _result("late", timestamp_note="The submission time in timestamp.txt could not be read."),
        _result("empty", 0.0, notes=["No graded .py file found: ..."]),
    ]
    troubled = dict(summarise(results, CONFIG).troubled)
    assert "fine" not in troubled
    assert troubled["fault"] == ["grader fault: q3.grad_W: call: boom"]
    assert troubled["unread"] == [unread]
    assert troubled["limits"] == ["backprop.py: memory limit (1024 MiB)"]  # not said again from the item
    assert troubled["module"] == [results[4].notes[0]]  # once, from the note, not from each item
    assert troubled["late"] == ["The submission time in timestamp.txt could not be read."]
    assert troubled["empty"] == ["No graded .py file found: ..."]


def test_summarise_is_empty_safe():
    summary = summarise([], CONFIG)
    assert summary.students == 0 and summary.misconceptions == [] and summary.troubled == []
    assert all(i["mean"] == 0.0 for i in summary.items)

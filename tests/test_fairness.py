"""Fair grading: the same code gets the same grade whoever submits it, and correct code full marks
however it was written (float32, another summation order, the usual log safeguards).

Each student's cases are drawn from their id (autograder/grading/cases.py), so fairness is a property of the
case generator and the tolerance together: every recognised mistake must show in the same cases for
every id, and rounding must never reach the tolerance. These tests grade the code through the real
grader under 100 ids each, and measure the margins the tolerance in config.yaml was chosen from.
"""
from __future__ import annotations

import collections
import functools
import itertools
import types
import warnings

import numpy as np
import pytest

from autograder.grading.cases import MARGIN, SCALE, Cases, distinct
from autograder.spec.mistakes import MISCONCEPTIONS
from autograder.grading import misconceptions as mc
from autograder.devtools.samples import EQUIVALENT, MISTAKES, variant, write_class
from helpers import AUTO_TOTAL, MAX_TOTAL, ROOT, read_grades, read_result, run_grader

IDS = 100
SEED = 20260415
KINDS = {"solution": variant(), **{f"mistake-{name}": variant(*edits) for name, edits in MISTAKES.items()},
         **{f"equivalent-{name}": variant(*edits) for name, edits in EQUIVALENT.items()}}


def test_every_recognised_mistake_has_a_sample():
    assert set(MISTAKES) == set(MISCONCEPTIONS)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every kind of code graded under IDS student ids: {kind: {student: (grades row, results)}}."""
    tmp = tmp_path_factory.mktemp("fair")
    write_class(tmp / "subs", {f"{kind}.{i:03d}": files for kind, files in KINDS.items() for i in range(IDS)})
    done = run_grader(tmp / "subs", tmp / "out")
    assert done.returncode == 0, done.stderr
    grades = read_grades(tmp / "out")
    by_kind = collections.defaultdict(dict)
    for student, row in grades.items():
        by_kind[student.split(".")[0]][student] = (row, read_result(tmp / "out", student))
    return by_kind


def _scores(results: dict) -> tuple:
    return tuple((item, test["score"]) for item, test in sorted(results.items()))


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_same_code_same_grade_for_every_id(graded, kind):
    students = graded[kind]
    assert len(students) == IDS
    totals = collections.Counter(row["total"] for row, _ in students.values())
    per_item = collections.Counter(_scores(results) for _, results in students.values())
    assert len(totals) == 1 and len(per_item) == 1, (totals, per_item)


@pytest.mark.parametrize("kind", [k for k in sorted(KINDS) if not k.startswith("mistake-")])
def test_correct_code_gets_full_marks_however_written(graded, kind):
    for row, _ in graded[kind].values():
        # every auto-graded point; the written answers (none here: no notebook) are people's to grade
        assert (row["total"], row["max_total"]) == (AUTO_TOTAL, MAX_TOTAL), row


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_each_recognised_mistake_is_named_and_costs_its_items_only(graded, name):
    _, results = next(iter(graded[f"mistake-{name}"].values()))
    named = {item for item, test in results.items() if name in test.get("tags", [])}
    assert named, f"{name} was not recognised"
    for item, test in results.items():
        if item in named:
            assert test["score"] < test["max_score"]
            assert "recognised mistake" in test["output"] and MISCONCEPTIONS[name].label in test["output"]
        else:
            assert test["score"] == test["max_score"], (item, test["output"])


# -- the margins the tolerance was chosen from (config.yaml `tolerance`) ---------------------------------
def _load(files: dict) -> dict:
    modules = {}
    for name, text in files.items():
        module = types.ModuleType(name[:-3])
        exec(compile(text, name, "exec"), module.__dict__)
        modules[name[:-3]] = module
    return modules


def _normwise(got, want) -> float:
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    return float(np.max(np.abs(got.reshape(want.shape) - want)) / np.max(np.abs(want)))


def _answers(modules: dict, cases: Cases) -> dict[str, list]:
    """{answer: [each case's value]} of the numeric functions whose rounding the tolerance must absorb."""
    bp, xr = modules["backprop"], modules["xor_relu"]
    answers = {"softmax": [bp.softmax(*a) for a in cases.softmax],
               "cross_entropy": [bp.cross_entropy(*a) for a in cases.cross_entropy],
               "forward": [np.concatenate([np.ravel(v) for v in bp.forward(*a)]) for a in cases.forward],
               "relu_network": [xr.relu_network(*a) for a in cases.relu_network]}
    grads = [bp.backprop(*a) for a in cases.network]
    answers.update({f"d{key}": [g[key] for g in grads] for key in ("b2", "U", "b1", "W")})
    return answers


def test_rounding_of_correct_code_stays_far_below_the_tolerance():
    """Float32 and the usual safeguards are off by under 1e-5 of the answer's scale (measured: 3e-6): 10 times below rtol."""
    from autograder.spec.config import load_config
    from autograder.grading.plugin import declared_tests

    rtol = min(item.rtol for item in load_config(ROOT / "config.yaml", declared_tests()).items.values())
    reference = _load(variant())
    worst = collections.defaultdict(float)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for name, edits in EQUIVALENT.items():
            modules = _load(variant(*edits))
            for i in range(IDS):
                cases = Cases(SEED, f"student{i}")
                right = _answers(reference, cases)
                for answer, values in _answers(modules, cases).items():
                    for got, want in zip(values, right[answer]):
                        worst[name, answer] = max(worst[name, answer], _normwise(got, want))
    print("worst share of the answer's scale:", {f"{k[0]} {k[1]}": f"{v:.1e}" for k, v in worst.items() if v})  # -s
    assert max(worst.values()) < rtol / 10, {k: f"{v:.1e}" for k, v in worst.items() if v > rtol / 10}
    assert worst["float32", "dW"] > 1e-8  # float32 code was measured as float32
    assert MARGIN >= 100 * rtol  # and every recognised mistake is at least MARGIN off (next test)


@functools.lru_cache(maxsize=None)
def _shows(student: str) -> tuple:
    """Which answers of `student`'s cases each recognised mistake (alone or with others) changes, and
    which of them coincide; asserts that whatever differs differs by MARGIN of the answer's scale."""
    cases = Cases(SEED, student)
    shows = {}
    for i, args in enumerate(cases.network):
        for key, (names, rows) in mc.backprop_rows(*args).items():
            scales = np.abs(rows).max(axis=1)  # right and every mistake: far above rounding, or exactly 0
            assert scales[0] >= SCALE and np.all((scales >= SCALE) | (scales == 0)), (student, key, i)
            for a, b in itertools.combinations(range(len(rows)), 2):
                same = np.array_equal(rows[a], rows[b])
                assert same or distinct(rows[a], rows[b]), (student, key, i, names[a], names[b])
                shows[key, i, tuple(sorted(names[a])), tuple(sorted(names[b]))] = same
        overflow = mc.backprop_variants(*args)["no_max_subtraction"]
        shows["no_max_subtraction", i] = not all(np.isfinite(g).all() for g in overflow.values())
    for i, (y, y_hat) in enumerate(cases.cross_entropy):
        variants = mc.cross_entropy_variants(y, y_hat)
        for a, b in itertools.combinations(variants, 2):
            same = variants[a] == variants[b]
            assert same or distinct(variants[a], variants[b]), (student, "J", i, a, b)
            shows["J", i, a, b] = same
    for i, args in enumerate(cases.relu_network):
        right, wrong = np.maximum(args[0] @ args[1].T + args[2], 0) @ args[3] + args[4], mc.relu_network_untransposed(*args)
        assert distinct(right, wrong), (student, "W1_not_transposed", i)
        shows["W1_not_transposed", i] = not np.array_equal(right, wrong)
    for i, (x, w0, w, b, v) in enumerate(cases.step_network):
        right = w0 + (b + np.outer(x, v) >= 0) @ w
        shows["g0_zero", i] = not np.array_equal(right, mc.step_network_g0_zero(x, w0, w, b, v))
    for i, (t, values) in enumerate(cases.piecewise_constant):
        x = np.asarray(t)
        shows["right_closed", i] = not np.array_equal(values[np.searchsorted(t, x, side="right")],
                                                      mc.right_closed(x, t, values))
    for i, (z,) in enumerate(cases.softmax):
        shows["softmax overflow", i] = not np.isfinite(mc.softmax_naive(z)).all()
    return tuple(sorted(shows.items(), key=str))


@pytest.mark.parametrize("student", [f"student{i}" for i in range(1, 401, 2)] + ["", "Ω", "x" * 255])
def test_each_mistake_shows_in_the_same_cases_for_every_id(student):
    """A recognised mistake changes the same cases for everyone, each by MARGIN of its scale or more."""
    assert _shows(student) == _shows("student0")
    shows = dict(_shows(student))
    assert all(shows["g0_zero", i] and shows["right_closed", i] and shows["W1_not_transposed", i] for i in range(3))
    assert [shows["no_max_subtraction", i] for i in range(7)] == [False] * 6 + [True]
    assert sum(shows["softmax overflow", i] for i in range(6)) == 3

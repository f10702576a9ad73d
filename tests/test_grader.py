"""The grader end to end: full marks, zero for stubs, each misconception, each leniency rule,
errors that do not cascade, failures with reasons, and byte-identical regrades.

One class of small variants of the reference solutions is graded once (module fixture);
each test reads its student's results.
"""
import json
import re

import numpy as np
import pytest

from helpers import ROOT, read_grades, read_result, run_grader, variant, write_class

BACKPROP_SIGN = [("delta1 = y_hat - y", "delta1 = y - y_hat")]
ZOO = {
    "sol": variant(),
    "stub": {name: (ROOT / "assignment" / name).read_text() for name in ("step_network.py", "xor_relu.py", "backprop.py")},
    # misconceptions
    "mc_dU": variant(backprop=[('"U": np.outer(delta1, h)', '"U": np.outer(h, delta1)')]),
    "mc_dW": variant(backprop=[('"W": np.outer(delta2, x)', '"W": np.outer(x, delta2)')]),
    "mc_mask": variant(backprop=[("delta2 = (U.T @ delta1) * (h > 0)", "delta2 = U.T @ delta1")]),
    "mc_mask0": variant(backprop=[("* (h > 0)", "* (np.asarray(W, dtype=float) @ x + np.asarray(b1, dtype=float) >= 0)")]),
    "mc_sign": variant(backprop=BACKPROP_SIGN),
    "mc_softmax": variant(backprop=[("e = np.exp(z - np.max(z))", "e = np.exp(z)")]),
    "mc_g0": variant(step_network=[(">= 0).astype(float)", "> 0).astype(float)")]),
    "mc_right": variant(step_network=[
        ('"b": np.array([-lo, -hi], dtype=float),', '"b": np.array([hi, lo], dtype=float),'),
        ('"v": np.array([1.0, 1.0]),', '"v": np.array([-1.0, -1.0]),'),
        ('"w0": float(c[0]),', '"w0": float(c[-1]),'), ('"w": np.diff(c),', '"w": -np.diff(c),'),
        ('"b": -t,', '"b": t,'), ('"v": np.ones_like(t),', '"v": -np.ones_like(t),')]),
    "mc_W1": variant(xor_relu=[("x @ W1.T", "x @ W1")]),
    "mc_ce": variant(backprop=[("return float(-np.sum(y * np.log(y_hat)))", "return float(np.sum(y * np.log(y_hat)))")]),
    # leniency
    "len_forms": variant(
        step_network=[("return (np.asarray(z, dtype=float) >= 0).astype(float)",
                       "return (np.asarray(z, dtype=float) >= 0).astype(float).tolist()")],
        backprop=[("    return e / np.sum(e)", "    return tuple((e / np.sum(e)).tolist())"),
                  ("return float(-np.sum(y * np.log(y_hat)))", "return -np.sum(y * np.log(y_hat))"),
                  ('"U": np.outer(delta1, h),', '"U": np.outer(delta1, h).tolist(),'),
                  ("return h, y_hat", "return h, list(y_hat)")]),
    "len_f32": variant(step_network=[(">= 0).astype(float)", ">= 0).astype(np.float32)")],
                       xor_relu=[("return np.maximum(np.asarray(z, dtype=float), 0.0)",
                                  "return np.maximum(np.asarray(z, dtype=np.float32), np.float32(0))")],
                       backprop=[("return float(-np.sum(y * np.log(y_hat)))",
                                  "return np.float32(-np.sum(y * np.log(y_hat)))")]),
    "len_axis": variant(backprop=[('"b1": delta2,', '"b1": delta2.reshape(-1, 1),')]),
    "len_param": variant(
        xor_relu=[('"W1": np.array([[1.0, 1.0], [-1.0, -1.0]]),', '"W1": [[3.0, 3.0], [-3.0, -3.0], [0.0, 0.0]][:2],'),
                  ('"b1": np.array([0.0, 0.0]),', '"b1": (-1.0, -1.0),'),
                  ('"w2": np.array([1.0, 1.0]),', '"w2": [2.0, 4.0],'), ('"b2": -1.0,', '"b2": np.float32(-0.5),')],
        step_network=[('"w": np.array([c, -c], dtype=float),', '"w": [0.0, c, -c],'),
                      ('"b": np.array([-lo, -hi], dtype=float),', '"b": [7.0, -4 * lo, -4 * hi],'),
                      ('"v": np.array([1.0, 1.0]),', '"v": [1.0, 4.0, 4.0],'),
                      ('"v": np.ones_like(t),', '"v": 2 * np.ones_like(t),'), ('"b": -t,', '"b": -2 * t,'),
                      ('"w0": float(c[0]),', '"w0": c[0],')]),
    "len_transposed": variant(xor_relu=[("return np.maximum(np.asarray(z, dtype=float), 0.0)",
                                         "return np.maximum(np.asarray(z, dtype=float), 0.0).T")]),
    "len_nan": variant(backprop=[("    return e / np.sum(e)", "    return np.full(e.shape, np.nan)"),
                                 ('"b2": delta1,', '"b2": delta1 * np.nan,')]),
    # errors do not cascade
    "casc_softmax": variant(backprop=[("    z = np.asarray(z, dtype=float)\n    e =", "    raise RuntimeError('oops')\n    e =")]),
    "casc_relu_net": variant(xor_relu=[("    x = np.asarray(x, dtype=float).reshape(-1, 2)", "    raise ValueError('broken')")]),
    "casc_step": variant(step_network=[("    return (np.asarray(z, dtype=float) >= 0).astype(float)", "    return 0")]),
    # failures with reasons
    "err_missing": {k: v for k, v in variant().items() if k != "backprop.py"},
    "err_nofunc": variant(backprop=[("def cross_entropy(", "def crossentropy(")]),
    "err_exc": variant(xor_relu=[("    return np.maximum(np.asarray(z, dtype=float), 0.0)", "    raise ValueError('boom')")]),
}
ITEMS = ("q1.representable q1.step q1.step_network q1.indicator q1.piecewise_constant q2.relu q2.relu_network "
         "q2.xor_weights q3.softmax q3.cross_entropy q3.forward q3.grad_b2 q3.grad_U q3.grad_b1 q3.grad_W").split()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("zoo")
    write_class(root / "class", ZOO)
    proc = run_grader(root / "class", root / "out", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    return root / "out"


def result(graded, student):
    return read_result(graded, student)


def scores(graded, student):
    return {k: v["score"] for k, v in result(graded, student).items()}


def lost(graded, student):
    """Items not at full marks: {rubric id: (score, max, misconceptions)}."""
    return {k: (v["score"], v["max_score"], v["tags"]) for k, v in result(graded, student).items()
            if v["score"] < v["max_score"]}


def test_every_item_is_in_every_result(graded):
    for student in ZOO:
        assert list(result(graded, student)) == ITEMS


def test_solutions_score_full_marks(graded):
    row = read_grades(graded)["sol"]
    assert (row["q1"], row["q2"], row["q3"], row["total"], row["max_total"]) == ("30", "20", "50", "100", "120")


def test_stubs_score_zero_and_say_not_implemented(graded):
    res = result(graded, "stub")
    assert all(t["score"] == 0 for t in res.values())
    for item, test in res.items():
        expected = "not answered yet" if item == "q1.representable" else "is not implemented yet"
        assert expected in test["output"], item


@pytest.mark.parametrize("student, item, name, score", [
    ("mc_dU", "q3.grad_U", "dU_transposed", 4.0),
    ("mc_dW", "q3.grad_W", "dW_transposed", 4.0),
    ("mc_g0", "q1.step", "g0_zero", 2.0),
    ("mc_g0", "q1.step_network", "g0_zero", 3.0),
    ("mc_right", "q1.indicator", "right_closed", 3.0),
    ("mc_right", "q1.piecewise_constant", "right_closed", 3.0),
])
def test_misconception_detected_with_configured_credit(graded, student, item, name, score):
    got = lost(graded, student)
    assert got[item][2] == [name]
    assert got[item][0] == score
    assert all(tags == [name] for _, _, tags in got.values())


def test_missing_relu_mask_costs_only_b1_and_W(graded):
    got = lost(graded, "mc_mask")
    assert set(got) == {"q3.grad_b1", "q3.grad_W"}
    assert all(tags == ["no_relu_mask"] for _, _, tags in got.values())
    assert "1{h > 0}" in result(graded, "mc_mask")["q3.grad_b1"]["output"]


def test_relu_derivative_at_zero_is_zero(graded):
    got = lost(graded, "mc_mask0")
    assert set(got) == {"q3.grad_b1", "q3.grad_W"}
    assert all(tags == ["mask_at_zero"] for _, _, tags in got.values())


def test_flipped_delta1_sign_is_recognised_on_all_four_gradients(graded):
    got = lost(graded, "mc_sign")
    assert set(got) == {"q3.grad_b2", "q3.grad_U", "q3.grad_b1", "q3.grad_W"}
    assert all(tags == ["sign_flipped"] and score == 0.25 * top for score, top, tags in got.values())


def test_softmax_without_max_subtraction_fails_only_at_large_logits(graded):
    got = lost(graded, "mc_softmax")
    assert set(got) == {"q3.softmax"}
    score, top, tags = got["q3.softmax"]
    assert tags == ["no_max_subtraction"] and score == pytest.approx(top * 3 / 6)  # 3 of 6 cases have huge logits
    assert "subtract max(z)" in result(graded, "mc_softmax")["q3.softmax"]["output"]


def test_other_misconceptions(graded):
    assert lost(graded, "mc_W1") == {"q2.relu_network": (1.5, 6.0, ["W1_not_transposed"])}
    assert lost(graded, "mc_ce") == {"q3.cross_entropy": (1.0, 4.0, ["ce_sign"])}


def test_lists_tuples_numpy_scalars_get_full_credit(graded):
    assert lost(graded, "len_forms") == {}


def test_float32_within_tolerance_gets_full_credit(graded):
    assert lost(graded, "len_f32") == {}


def test_other_valid_parametrisations_get_full_credit(graded):
    # other XOR weights as lists and tuples, scaled step units, an extra zero-weight unit
    assert lost(graded, "len_param") == {}


def test_extra_size_one_axis_gets_credit_with_a_note(graded):
    res = result(graded, "len_axis")
    assert res["q3.grad_b1"]["score"] == res["q3.grad_b1"]["max_score"]
    assert "drop the extra axis" in res["q3.grad_b1"]["output"]


def test_transposed_matrix_gets_no_credit(graded):
    res = result(graded, "len_transposed")["q2.relu"]
    assert res["score"] == pytest.approx(4 * 3 / 4)  # the matrix case fails, the other three pass
    assert "has shape (2, 3) but should have shape (3, 2)" in res["output"]


def test_nan_never_earns_credit(graded):
    res = result(graded, "len_nan")
    assert res["q3.softmax"]["score"] == 0
    assert res["q3.grad_b2"]["score"] == 0
    assert "NaN" in res["q3.grad_b2"]["output"]


def test_broken_softmax_does_not_zero_the_gradients(graded):
    got = lost(graded, "casc_softmax")
    assert set(got) == {"q3.softmax", "q3.forward"}
    assert "in place of yours" in result(graded, "casc_softmax")["q3.grad_U"]["output"]


def test_items_are_judged_with_the_reference_network(graded):
    assert set(lost(graded, "casc_relu_net")) == {"q2.relu_network"}  # xor_weights still counts
    assert set(lost(graded, "casc_step")) == {"q1.step", "q1.step_network"}  # indicator, piecewise still count


def test_missing_file_missing_function_and_exceptions_have_reasons(graded):
    missing = result(graded, "err_missing")
    assert all(missing[i]["score"] == 0 and "backprop.py is missing" in missing[i]["output"] for i in ITEMS if i[:2] == "q3")
    assert set(lost(graded, "err_missing")) == {i for i in ITEMS if i.startswith("q3")}
    nofunc = result(graded, "err_nofunc")["q3.cross_entropy"]
    assert nofunc["score"] == 0 and "has no cross_entropy" in nofunc["output"]
    assert set(lost(graded, "err_nofunc")) == {"q3.cross_entropy"}
    exc = result(graded, "err_exc")["q2.relu"]["output"]
    assert "relu raised ValueError: boom" in exc and re.search(r"xor_relu\.py, line \d+", exc)


def test_regrade_is_byte_identical_whatever_the_parallelism(graded, tmp_path):
    proc = run_grader(graded.parent / "class", tmp_path / "again", "--jobs", "1")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "again" / "grades.csv").read_bytes() == (graded / "grades.csv").read_bytes()
    for student in ZOO:
        name = f"{student}.json"
        assert (tmp_path / "again" / "results" / name).read_bytes() == (graded / "results" / name).read_bytes()


def test_feedback_reveals_no_hidden_input(graded):
    # Hidden inputs are quarter-grid numbers and normal draws; feedback must not print arrays of them.
    for student in ZOO:
        for test in result(graded, student).values():
            assert "array([" not in test["output"] and "[[" not in test["output"], (student, test["name"])


def test_sample_class_scores_what_its_readme_says(tmp_path):
    table = {}
    for line in (ROOT / "examples" / "README.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 7 and re.fullmatch(r"[a-z]+", cells[0]) and cells[0] != "student":
            table[cells[0]] = cells[2:]
    assert len(table) >= 6
    proc = run_grader(ROOT / "examples" / "submissions", tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    grades = read_grades(tmp_path / "out")
    assert set(grades) == set(table)
    for student, expected in table.items():
        row = grades[student]
        waiting = len(row["manual_grading"].split()) - 1  # "waiting: q1.explain ..." or "done"
        assert [row["q1"], row["q2"], row["q3"], row["total"], f"{waiting} waiting" if waiting else "none"] == expected, \
            student
    fay = read_result(tmp_path / "out", "fay")["q1.piecewise_constant"]["output"]
    assert "time limit per call" in fay
    eve = read_result(tmp_path / "out", "eve")["q2.relu"]["output"]
    assert eve == "Not checked: xor_relu.py could not be imported (the note at the top says why)."
    banner = json.loads((tmp_path / "out" / "results" / "eve.json").read_text())["output"]
    assert "syntax error at line 30" in banner and "q2.relu, q2.relu_network, q2.xor_weights" in banner


def test_a_network_of_a_million_units_is_refused_before_it_is_evaluated():
    """Returned parameters are evaluated in the grading process: their size is checked first."""
    from autograder.grading.hidden.params import MAX_UNITS, step_params
    from autograder.grading.scoring import NotNumbers

    huge = {"w0": 0.0, "w": np.zeros(1_390_000, bool), "b": np.zeros(1_390_000, bool), "v": np.zeros(1_390_000, bool)}
    with pytest.raises(NotNumbers, match="hidden units"):
        step_params(huge, "indicator_params")
    fine = {"w0": 0.0, "w": np.ones(MAX_UNITS), "b": np.zeros(MAX_UNITS), "v": np.ones(MAX_UNITS)}
    assert step_params(fine, "indicator_params")[1].size == MAX_UNITS

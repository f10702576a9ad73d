"""config.yaml validation: a bad config stops with exit 2 and a message naming the file, the key and the fix."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from autograder.grading.cases import Cases
from autograder.spec.config import ConfigError, load_config
from autograder.grading.plugin import declared_tests
from helpers import ROOT, read_grades, run_grader, variant, write_class


def config_with(tmp_path, edit):
    raw = yaml.safe_load((ROOT / "config.yaml").read_text())
    edit(raw)
    raw["assignment"]["solutions"] = str(ROOT / "solutions")
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def items(raw):
    return {i: spec for q in raw["questions"].values() for i, spec in q["items"].items()}


BAD = {
    "unknown key with suggestion": (lambda r: items(r)["q3.grad_U"].update(pionts=8),
                                    "questions.q3.items.q3.grad_U.pionts: unknown key; did you mean 'points'?"),
    "negative points": (lambda r: items(r)["q2.relu"].update(points=-1),
                        "questions.q2.items.q2.relu.points: must be at least 0"),
    "typo in a rubric id": (lambda r: r["questions"]["q3"]["items"].update({"q3.grad_u": r["questions"]["q3"]["items"].pop("q3.grad_U")}),
                            "questions.q3.items.q3.grad_u: no hidden test grades this rubric id; did you mean 'q3.grad_U'?"),
    "a test with no item": (lambda r: r["questions"]["q1"]["items"].pop("q1.step"),
                            "no rubric item for the hidden test(s) of q1.step"),
    "unknown misconception": (lambda r: items(r)["q3.grad_U"]["misconceptions"].update(transposed=0.5),
                              "misconceptions.transposed: not a misconception of q3.grad_U; did you mean 'dU_transposed'?"),
    "credit above 1": (lambda r: items(r)["q3.grad_U"]["misconceptions"].update(dU_transposed=2),
                       "credit must be a number from 0 to 1"),
    "bad choice": (lambda r: items(r)["q2.xor_weights"].update(scoring="all-or-nothing"),
                   "'all-or-nothing' is not one of fraction, all_or_nothing"),
    "bad section key": (lambda r: r["limits"].update(call_second=1), "limits.call_second: unknown key; did you mean 'call_seconds'?"),
    "due without zone": (lambda r: r["assignment"].update(due="2026-12-15T23:59:00"), "assignment.due: give a time zone"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_config_names_file_key_and_fix(tmp_path, case):
    edit, expected = BAD[case]
    path = config_with(tmp_path, edit)
    with pytest.raises(ConfigError) as error:
        load_config(path, declared_tests())
    assert str(path) in str(error.value) and expected in str(error.value)


def test_grade_exits_2_on_a_bad_config(tmp_path):
    path = config_with(tmp_path, BAD["unknown key with suggestion"][0])
    proc = run_grader(ROOT / "examples" / "submissions", tmp_path / "out", config=path)
    assert proc.returncode == 2
    assert "did you mean 'points'?" in proc.stderr and str(path) in proc.stderr
    assert not (tmp_path / "out").exists()


def test_grade_exits_2_on_a_missing_submissions_folder(tmp_path):
    proc = run_grader(tmp_path / "nope", tmp_path / "out")
    assert proc.returncode == 2 and "is not a folder" in proc.stderr


def test_the_bundled_config_is_valid_and_totals_120():
    config = load_config(ROOT / "config.yaml", declared_tests())
    assert config.max_total == 120 and config.without_written().max_total == 100  # 20 points of written answers
    assert [q.points for q in config.questions] == [38, 24, 58]
    assert config.items["q2.xor_weights"].scoring == "all_or_nothing"


def test_cases_are_per_student_and_reproducible():
    a, a_again, b = Cases(1, "ada"), Cases(1, "ada"), Cases(1, "ben")
    for topic in ("step", "step_network", "piecewise_constant", "softmax", "network"):
        first, again, other = getattr(a, topic), getattr(a_again, topic), getattr(b, topic)
        flat = lambda cases: np.concatenate([np.ravel(np.asarray(x, dtype=float)) for case in cases for x in case])  # noqa: E731
        assert np.array_equal(flat(first), flat(again))
        assert flat(first).shape != flat(other).shape or not np.array_equal(flat(first), flat(other))
    assert not np.array_equal(Cases(2, "ada").network[0][0], a.network[0][0])


def test_cases_always_hold_the_edge_cases():
    cases = Cases(7, "someone")
    assert any(np.any(np.asarray(z) == 0) for (z,) in cases.step)
    assert any(np.max(np.abs(z)) >= 1000 for (z,) in cases.softmax)
    zero_preactivation = [np.any(W @ x + b1 == 0) for x, _, W, b1, _, _ in cases.network]
    assert sum(zero_preactivation) >= 4
    assert any(not np.all(np.isin(y, (0.0, 1.0))) for _, y, *_ in cases.network)  # soft labels
    assert all(np.isclose(np.sum(y), 1.0) for _, y, *_ in cases.network)
    for x, _, _, b, v in cases.step_network:  # x hits every unit's breakpoint exactly
        assert all(np.any(bi + vi * x == 0) for bi, vi in zip(b, v))


@pytest.mark.parametrize("student", [f"student{i:03d}" for i in range(60)])
def test_every_students_cases_can_show_every_mistake(student):
    """Random draws never hide a misconception: the inputs that reveal each one are there for everyone."""
    cases = Cases(7, student)
    for x, y, W, b1, U, b2 in cases.network:
        z1 = W @ x + b1
        assert np.any(x != 0)  # a sign error in dJ/dW = delta_2 x^T shows
        assert np.any(z1 > 0)  # an active unit: dJ/dU and the output depend on the hidden layer
        assert (len(z1) < 2 or np.any(z1 == 0)) and (len(z1) < 3 or np.any(z1 < 0))  # ReLU'(0), the mask
        assert W.shape[0] != W.shape[1] and U.shape[0] != U.shape[1]  # a transposed gradient has the wrong shape
        assert np.all(y >= 0) and np.isclose(y.sum(), 1.0)
    for x, W1, b1, w2, b2 in cases.relu_network:  # x @ W1 in place of x @ W1.T changes the scores
        assert not np.allclose(np.maximum(x @ W1.T + b1, 0) @ w2, np.maximum(x @ W1 + b1, 0) @ w2)
    for _, y_hat in cases.cross_entropy:
        assert np.all(y_hat > 0)
    for x, _, _, b, v in cases.step_network:
        assert all(np.any(bi + vi * x == 0) for bi, vi in zip(b, v))
    for t, values in cases.piecewise_constant:
        assert np.all(np.diff(t) > 0)
    for lo, hi, c in cases.indicator:
        assert hi > lo and c != 0


def test_a_config_path_relative_to_where_the_grader_is_run(tmp_path):
    """--config is read from the caller's folder, by the grading processes too (they run elsewhere)."""
    raw = yaml.safe_load((ROOT / "config.yaml").read_text())
    raw["assignment"]["solutions"] = str(ROOT / "solutions")
    (tmp_path / "mine.yaml").write_text(yaml.safe_dump(raw))
    write_class(tmp_path / "class", {"ada": variant()})
    proc = subprocess.run([sys.executable, "-m", "autograder", "grade", "class", "--out", "out", "--config", "mine.yaml"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert read_grades(tmp_path / "out")["ada"]["total"] == "100"


def test_a_config_copied_elsewhere_is_refused_when_read_not_when_grading(tmp_path):
    """A copy of config.yaml in another folder points at a solutions folder that is not there: exit 2 at once,
    naming the key and the path tried; nothing graded, nothing written."""
    (tmp_path / "config.yaml").write_text((ROOT / "config.yaml").read_text())
    proc = run_grader(ROOT / "examples" / "submissions", tmp_path / "out", config=tmp_path / "config.yaml")
    assert proc.returncode == 2, proc.stderr
    assert f"assignment.solutions: {tmp_path / 'solutions'} has no step_network.py" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_doctor_warns_when_every_user_can_read_the_solutions():
    """On a shared machine the reference solutions must not be readable by students: doctor says so."""
    import shutil
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="nnb-doctor-"))  # under /tmp: every user passes through
    try:
        os.chmod(base, 0o755)
        shutil.copytree(ROOT / "solutions", base / "solutions")
        raw = yaml.safe_load((ROOT / "config.yaml").read_text())
        raw["assignment"]["solutions"] = str(base / "solutions")
        (base / "config.yaml").write_text(yaml.safe_dump(raw))
        warned = []
        for mode in (0o755, 0o700):
            os.chmod(base / "solutions", mode)
            proc = subprocess.run([sys.executable, "-m", "autograder", "doctor", "--config", str(base / "config.yaml")],
                                  cwd=ROOT, capture_output=True, text=True)
            warned.append(f"{base / 'solutions'} (the reference solutions) can be read by every user" in proc.stdout)
        assert warned == [True, False]
    finally:
        shutil.rmtree(base)

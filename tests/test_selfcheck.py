"""The public self-checks, assignment/selfcheck.py, and their pytest wrapper.

Each test builds a folder laid out like assignment/ (selfcheck.py, pytest.ini,
tests/ and the three modules: reference solutions, untouched stubs, or a
deliberately broken variant) and runs the self-check there in a subprocess,
as a student would from the assignment folder.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from autograder.spec.assignment import MODULES

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = ROOT / "assignment"
SOLUTIONS = ROOT / "solutions"
ENV = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"} | {"PYTHONDONTWRITEBYTECODE": "1"}


def make_workdir(tmp_path: Path, source: Path, edits: dict | None = None) -> Path:
    """A copy of assignment/'s self-check files plus the modules from `source`.

    edits: {file name: (old text, new text)} or {file name: [(old, new), ...]}, applied
    in order to the copies (every occurrence); a file name may be selfcheck.py too.
    """
    work = tmp_path / "assignment"
    work.mkdir()
    shutil.copy(ASSIGNMENT / "selfcheck.py", work)
    shutil.copy(ASSIGNMENT / "pytest.ini", work)
    shutil.copytree(ASSIGNMENT / "tests", work / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    for name in MODULES:
        shutil.copy(source / name, work)
    for name, pairs in (edits or {}).items():
        text = (work / name).read_text()
        for old, new in [pairs] if isinstance(pairs, tuple) else pairs:
            assert old in text, f"{old!r} not found in {name}"
            text = text.replace(old, new)
        (work / name).write_text(text)
    return work


def run(args: list[str], cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=timeout)


def check_lines(output: str) -> list[str]:
    """The per-check lines of selfcheck's output."""
    return [line for line in output.splitlines() if line.startswith(("PASS ", "FAIL ", "NOT DONE "))]


def test_solutions_pass_everything(tmp_path):
    work = make_workdir(tmp_path, SOLUTIONS)
    done = run(["selfcheck.py"], work)
    lines = check_lines(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(lines) >= 15 and all(line.startswith("PASS ") for line in lines), done.stdout
    assert done.stdout.count("checks pass.") == 3 and done.stderr == ""

    tests = run(["-m", "pytest", "-q"], work)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert f"{len(lines)} passed" in tests.stdout


def test_run_and_results_api(tmp_path):
    work = make_workdir(tmp_path, SOLUTIONS, {"xor_relu.py": ('"b2": -1.0,', '"b2": 5.0,')})
    code = (
        "import selfcheck\n"
        "failures = selfcheck.run('q2')\n"
        "results = selfcheck.results('q2')\n"
        "print('RESULT', failures, [r.status for r in results], [r.check.id for r in results if not r.passed])\n"
    )
    done = run(["-c", code], work)
    assert done.returncode == 0, done.stderr
    result = done.stdout.splitlines()[-1]
    assert result.startswith("RESULT 1 [") and "'FAIL'" in result, done.stdout
    assert "'q2 xor_weights: classifies the four XOR points'" in result, done.stdout
    assert "FAIL xor_weights: at x = (1, -1): expected sign -1" in done.stdout


def test_stubs_are_not_done(tmp_path):
    work = make_workdir(tmp_path, ASSIGNMENT)
    done = run(["selfcheck.py"], work)
    lines = check_lines(done.stdout)
    assert done.returncode == 1
    assert lines and all(line.startswith("NOT DONE ") for line in lines), done.stdout
    assert "NOT DONE backprop: not implemented yet" in lines
    assert "NOT DONE step: not implemented yet" in lines
    assert any(line.startswith("NOT DONE REPRESENTABLE: still None") for line in lines)
    assert "Traceback" not in done.stdout + done.stderr

    tests = run(["-m", "pytest", "-q"], work)
    assert tests.returncode == 1
    assert f"{len(lines)} failed" in tests.stdout, tests.stdout
    assert "NOT DONE softmax: not implemented yet" in tests.stdout
    assert "test_check[q1 step: g(0) = 1]" in tests.stdout  # readable test ids
    assert "Traceback" not in tests.stdout and "raise NotImplementedError" not in tests.stdout


def test_transposed_gradient_is_reported_by_shape(tmp_path):
    work = make_workdir(tmp_path, SOLUTIONS, {"backprop.py": ('"U": np.outer(delta1, h)', '"U": np.outer(h, delta1)')})
    done = run(["selfcheck.py", "q3"], work)
    assert done.returncode == 1
    failures = [line for line in check_lines(done.stdout) if line.startswith("FAIL ")]
    assert failures and all(line.startswith("FAIL backprop: dJ/dU") for line in failures), done.stdout
    assert any("expected shape (3, 4)" in line and "got shape (4, 3)" in line for line in failures), done.stdout

    tests = run(["-m", "pytest", "-q"], work)
    assert tests.returncode == 1
    assert "FAIL backprop: dJ/dU: expected shape (3, 4) (the shape of U), got shape (4, 3)" in tests.stdout


def test_other_errors_name_type_message_and_line(tmp_path):
    bad_line = "return (np.asarray(z, dtype=float) >= zero).astype(float)"
    work = make_workdir(
        tmp_path, SOLUTIONS, {"step_network.py": ("return (np.asarray(z, dtype=float) >= 0).astype(float)", bad_line)}
    )
    lineno = (work / "step_network.py").read_text().splitlines().index("    " + bad_line) + 1
    done = run(["selfcheck.py", "q1"], work)
    lines = check_lines(done.stdout)
    expected = f"FAIL step: raised NameError: name 'zero' is not defined (step_network.py, line {lineno}: {bad_line})"
    assert expected in lines, done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_syntax_error_fails_only_that_question(tmp_path):
    work = make_workdir(tmp_path, SOLUTIONS, {"xor_relu.py": ("def relu(z):", "def relu(z)")})
    done = run(["selfcheck.py"], work)
    lines = check_lines(done.stdout)
    q2 = [line for line in lines if re.match(r"(PASS|FAIL|NOT DONE) (relu|relu_network|xor_weights):", line)]
    assert q2 and all("could not load xor_relu.py: SyntaxError" in line for line in q2), done.stdout
    assert re.search(r"xor_relu\.py, line \d+\)", q2[0])
    assert sum(line.startswith("PASS ") for line in lines) == len(lines) - len(q2)


def test_modules_come_from_selfchecks_folder_not_cwd(tmp_path):
    # Started from solutions/ (which `python -m` puts on sys.path), the checks
    # must still grade the stubs beside selfcheck.py.
    work = make_workdir(tmp_path, ASSIGNMENT)
    tests = run(["-m", "pytest", "-q", str(work / "tests")], SOLUTIONS)
    assert tests.returncode == 1 and "not implemented yet" in tests.stdout, tests.stdout
    assert " passed" not in tests.stdout


def test_pytest_from_project_root_uses_assignment_modules():
    tests = run(["-m", "pytest", "-q", "assignment/tests"], ROOT)
    assert "error" not in tests.stdout.splitlines()[-1], tests.stdout  # collected and ran
    assert "NOT DONE backprop: not implemented yet" in tests.stdout, tests.stdout  # the stubs, not solutions/


# --------------------------------------------------------------------------
# Judging: reference numbers of selfcheck's own, the grader's tolerance, plain inputs
# --------------------------------------------------------------------------

LABELS_ARGMAX = ("your answer equals treating y as the one-hot of its largest entry; "
                 "with soft labels every class contributes")


def lines_of(done: subprocess.CompletedProcess) -> dict[str, list[str]]:
    """{'PASS': [...], 'FAIL': [...], 'NOT DONE': [...]} of one run's check lines."""
    lines = check_lines(done.stdout)
    return {status: [line for line in lines if line.startswith(status + " ")] for status in ("PASS", "FAIL", "NOT DONE")}


def target(line: str) -> str:
    return line.split(" ", 2)[1 if not line.startswith("NOT DONE") else 2].split(":")[0]


def load_selfcheck():
    """assignment/selfcheck.py imported in this process (it reads no student module on import)."""
    spec = importlib.util.spec_from_file_location("selfcheck_under_test", ASSIGNMENT / "selfcheck.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


# Each mistake the grader recognises (autograder/grading/misconceptions.py), made in the
# reference solutions: the checks it must fail, and what every such FAIL line says.
MASK_AT_ZERO = "delta2 = (U.T @ delta1) * (np.asarray(W, dtype=float) @ x + np.asarray(b1, dtype=float) >= 0)"
MISTAKES = {
    "g0_zero": ({"step_network.py": (">= 0).astype(float)", "> 0).astype(float)")},
                {"step", "step_network"}, "`z > 0` gives; g(0) = 1, so compare with z >= 0"),
    "right_closed_indicator": ({"step_network.py": [('"w": np.array([c, -c], dtype=float)', '"w": np.array([-c, c], dtype=float)'),
                                                    ('"b": np.array([-lo, -hi], dtype=float)', '"b": np.array([lo, hi], dtype=float)'),
                                                    ('"v": np.array([1.0, 1.0])', '"v": np.array([-1.0, -1.0])')]},
                               {"indicator_params"}, "pieces closed on the right"),
    "right_closed_piecewise": ({"step_network.py": [('"w0": float(c[0])', '"w0": float(c[-1])'), ('"w": np.diff(c)', '"w": -np.diff(c)'),
                                                    ('"b": -t,', '"b": t,'), ('"v": np.ones_like(t)', '"v": -np.ones_like(t)')]},
                               {"piecewise_constant_params"}, "pieces closed on the right"),
    "W1_not_transposed": ({"xor_relu.py": ("x @ W1.T", "x @ W1")}, {"relu_network"},
                          "your answer equals x @ W1 + b1 in place of x @ W1.T + b1"),
    "no_max_subtraction": ({"backprop.py": ("np.exp(z - np.max(z))", "np.exp(z)")}, {"softmax"},
                           "expected finite values, got [nan,  0.] (shape (2,)) (exp(1000) overflows"),
    "ce_sign": ({"backprop.py": ("float(-np.sum(", "float(np.sum(")}, {"cross_entropy"},
                "your answer equals -J: the minus sign is missing"),
    "labels_argmax_ce": ({"backprop.py": ("float(-np.sum(y * np.log(y_hat)))", "float(-np.log(y_hat[np.argmax(y)]))")},
                         {"cross_entropy"}, LABELS_ARGMAX),
    "labels_argmax_delta1": ({"backprop.py": ("delta1 = y_hat - y", "delta1 = y_hat - np.eye(len(y))[np.argmax(y)]")},
                             {"backprop"}, LABELS_ARGMAX),
    "sign_flipped": ({"backprop.py": ("delta1 = y_hat - y", "delta1 = y - y_hat")}, {"backprop"},
                     "your answer equals the right gradient with the opposite sign, as delta1 = y - y_hat gives"),
    "dU_transposed": ({"backprop.py": ('"U": np.outer(delta1, h)', '"U": np.outer(h, delta1)')}, {"backprop"},
                      "transpose"),
    "dW_transposed": ({"backprop.py": ('"W": np.outer(delta2, x)', '"W": np.outer(x, delta2)')}, {"backprop"},
                      "transpose"),
    "no_relu_mask": ({"backprop.py": ("delta2 = (U.T @ delta1) * (h > 0)", "delta2 = U.T @ delta1")}, {"backprop"},
                     "your answer equals the gradient without the ReLU mask: hidden unit 2 is off"),
    "no_relu_mask_h_ge_0": ({"backprop.py": ("(h > 0)", "(h >= 0)")}, {"backprop"},
                            "your answer equals the gradient without the ReLU mask"),
    "mask_at_zero": ({"backprop.py": ("delta2 = (U.T @ delta1) * (h > 0)", MASK_AT_ZERO)}, {"backprop"},
                     "your answer equals the gradient with the mask 1{z1 >= 0}: hidden unit 1 has W x + b1 = 0 exactly"),
    "relu_on_gradient": ({"backprop.py": ("delta2 = (U.T @ delta1) * (h > 0)", "delta2 = np.maximum(U.T @ delta1, 0)")},
                         {"backprop"}, "your answer equals ReLU(U^T delta1), the ReLU applied to the gradient"),
    "log_of_sum": ({"backprop.py": ("float(-np.sum(y * np.log(y_hat)))", "float(-np.log(np.sum(y * y_hat)))")},
                   {"cross_entropy"}, "your answer is -log(sum_i y_i y_hat_i)"),
    "no_max_subtraction_in_backprop": ({"backprop.py": ("    h, y_hat = forward(x, W, b1, U, b2)\n", (
        "    h, _ = forward(x, W, b1, U, b2)\n"
        "    z2 = np.asarray(U, dtype=float) @ h + np.asarray(b2, dtype=float)\n"
        "    y_hat = np.exp(z2) / np.sum(np.exp(z2))\n"))}, {"backprop"}, "exp(1000) overflows to inf inside backprop"),
}


def test_every_mistake_the_grader_names_has_a_mutant_here():
    from autograder.spec.mistakes import MISCONCEPTIONS

    assert all(any(case.startswith(name) for case in MISTAKES) for name in MISCONCEPTIONS)


@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_recognised_mistake_fails_with_its_message(tmp_path, mistake):
    edits, targets, message = MISTAKES[mistake]
    work = make_workdir(tmp_path, SOLUTIONS, edits)
    done = run(["selfcheck.py"], work)
    lines = lines_of(done)
    assert done.returncode == 1 and not lines["NOT DONE"], done.stdout
    assert {target(line) for line in lines["FAIL"]} == targets, done.stdout
    assert all(message in line for line in lines["FAIL"]), done.stdout
    assert "Traceback" not in done.stdout + done.stderr


GRADIENT_CHECKS = ("FAIL backprop: dJ/db2", "FAIL backprop: dJ/dU", "FAIL backprop: dJ/db1", "FAIL backprop: dJ/dW")


def test_gradients_are_judged_without_the_students_loss(tmp_path):
    # A sign error in cross_entropy (which the given `loss` uses) costs the
    # cross_entropy checks only: the gradients are right and PASS.
    work = make_workdir(tmp_path, SOLUTIONS, {"backprop.py": ("float(-np.sum(", "float(np.sum(")})
    lines = lines_of(run(["selfcheck.py", "q3"], work))
    assert [target(line) for line in lines["FAIL"]] == ["cross_entropy", "cross_entropy"], lines
    assert sum(line.startswith("PASS backprop: ") for line in lines["PASS"]) == 6, lines


def test_doubly_flipped_sign_fails_both(tmp_path):
    # Flipped in cross_entropy AND in delta1: the gradients equal finite differences
    # of that student's own loss, but not the right ones.
    work = make_workdir(tmp_path, SOLUTIONS, {"backprop.py": [("float(-np.sum(", "float(np.sum("),
                                                              ("delta1 = y_hat - y", "delta1 = y - y_hat")]})
    done = run(["selfcheck.py", "q3"], work)
    lines = lines_of(done)
    ce = [line for line in lines["FAIL"] if target(line) == "cross_entropy"]
    grads = [line for line in lines["FAIL"] if target(line) == "backprop"]
    assert len(ce) == 2 and all("the minus sign is missing" in line for line in ce), done.stdout
    assert len(grads) == 4 and all(line.startswith(GRADIENT_CHECKS) for line in grads), done.stdout
    assert all("opposite sign" in line for line in grads), done.stdout
    assert len(lines["FAIL"]) == 6, done.stdout


@pytest.mark.parametrize("edit", [
    ("float(-np.sum(y * np.log(y_hat)))", "float(-np.sum(y * np.log(y_hat))) + 1.0"),  # a wrong Python float
    ("float(-np.sum(y * np.log(y_hat)))", "np.asarray(-2 * np.sum(y * np.log(y_hat)))"),  # a wrong 0-d array
], ids=["float", "0-d array"])
def test_a_wrong_scalar_is_a_fail_line_not_an_error(tmp_path, edit):
    work = make_workdir(tmp_path, SOLUTIONS, {"backprop.py": edit})
    done = run(["selfcheck.py", "q3"], work)
    lines = lines_of(done)
    assert len(lines["FAIL"]) == 2 and all(target(line) == "cross_entropy" for line in lines["FAIL"]), done.stdout
    assert "FAIL cross_entropy: cross_entropy([0, 1], [0.625, 0.375]): expected 0.980829, got " in done.stdout
    assert "ValueError" not in done.stdout and "nonzero" not in done.stdout and "raised" not in done.stdout


def test_a_wrong_step_at_zero_as_a_0d_array(tmp_path):
    work = make_workdir(tmp_path, SOLUTIONS, {"step_network.py": (">= 0).astype(float)", ">= 0).astype(float) * 0.5")})
    lines = lines_of(run(["selfcheck.py", "q1"], work))
    assert "FAIL step: step(0.0): expected 1 (g(0) = 1 because 0 >= 0), got 0.5" in lines["FAIL"], lines


@pytest.mark.parametrize("module, edit, check", [
    ("step_network.py", ("return (np.asarray(z, dtype=float) >= 0).astype(float)", "return (z >= 0) * 1.0"), ["step"]),
    ("step_network.py", ("return (np.asarray(z, dtype=float) >= 0).astype(float)", "return (z >= 0).astype(float)"),
     ["step", "step"]),
    ("xor_relu.py", ("return np.maximum(np.asarray(z, dtype=float), 0.0)", "return z * (z > 0)"), ["relu"]),
], ids=["step (z >= 0) * 1.0", "step (z >= 0).astype", "relu z * (z > 0)"])
def test_comparing_a_plain_list_fails(tmp_path, module, edit, check):
    # The grader passes step and relu a plain list and a Python float 0.0.
    work = make_workdir(tmp_path, SOLUTIONS, {module: edit})
    done = run(["selfcheck.py"], work)
    lines = lines_of(done)
    assert [target(line) for line in lines["FAIL"]] == check, done.stdout
    assert all("the grader passes plain Python lists and floats too" in line for line in lines["FAIL"]), done.stdout
    assert any("[-1e-12, 0.0, 1e-12]" in line or "[-2.5, 0.0, 4.0]" in line for line in lines["FAIL"]), done.stdout
    assert re.search(r"raised TypeError: .*\((step_network|xor_relu)\.py, line \d+: return", done.stdout), done.stdout


def float32_edits() -> dict:
    """Every function of the solutions computing in float32."""
    return {
        "step_network.py": [("dtype=float", "dtype=np.float32"), (".astype(float)", ".astype(np.float32)"),
                            ("float(w0) + hidden @ w", "np.float32(w0) + hidden @ w"),
                            ("np.array([1.0, 1.0])", "np.array([1.0, 1.0], dtype=np.float32)")],
        "xor_relu.py": [("dtype=float", "dtype=np.float32"), ("float(b2)", "np.float32(b2)")],
        "backprop.py": [("dtype=float", "dtype=np.float32"), ("return float(-np.sum(", "return np.float32(-np.sum("),
                        ("h, y_hat = forward(x, W, b1, U, b2)\n    U =",
                         "h, y_hat = (np.float32(a) for a in forward(x, W, b1, U, b2))\n    U =")],
    }


def test_float32_code_passes_everything(tmp_path):
    work = make_workdir(tmp_path, SOLUTIONS, float32_edits())
    probe = (
        "import numpy as np, selfcheck\n"
        "s, x, b = (selfcheck.load(n) for n in ('step_network', 'xor_relu', 'backprop'))\n"
        "p = {k: np.array(v) for k, v in selfcheck._P3.items()}\n"
        "g = b.backprop(np.array(selfcheck._X3), np.array([0.25, 0.25, 0.5]), **p)\n"
        "print(s.step([0.0]).dtype, s.step_network(np.zeros(2), 0.5, np.ones(1), np.ones(1), np.ones(1)).dtype,\n"
        "      x.relu([1.0]).dtype, x.relu_network(np.ones((1, 2)), np.eye(2), np.ones(2), np.ones(2), 1.0).dtype,\n"
        "      b.softmax(np.ones(2)).dtype, np.asarray(b.cross_entropy(np.ones(2) / 2, np.ones(2) / 2)).dtype,\n"
        "      *(a.dtype for a in b.forward(np.array(selfcheck._X3), **p)), *(g[k].dtype for k in 'W b1 U b2'.split()))\n"
    )
    dtypes = run(["-c", probe], work)
    assert dtypes.stdout.split() == ["float32"] * 12, dtypes.stdout + dtypes.stderr  # the variant really is float32
    done = run(["selfcheck.py"], work)
    lines = lines_of(done)
    assert done.returncode == 0 and not lines["FAIL"] and not lines["NOT DONE"], done.stdout


@pytest.mark.parametrize("edit", [
    ("backprop.py", ("np.log(y_hat)", "np.log(y_hat + 1e-8)")),
    ("backprop.py", ("np.log(y_hat)", "np.log(np.clip(y_hat, 1e-7, 1 - 1e-7))")),
    ("backprop.py", ("return e / np.sum(e)", "return e / (np.sum(e) + 1e-8)")),
], ids=["log(y_hat + 1e-8)", "clip(y_hat, 1e-7, 1 - 1e-7)", "softmax e / (sum + 1e-8)"])
def test_log_safeguards_pass(tmp_path, edit):
    module, pair = edit
    float32 = {name: pairs + ([pair] if name == module else []) for name, pairs in float32_edits().items()}
    for variant, edits in [("float64", {module: pair}), ("float32", float32)]:
        (tmp_path / variant).mkdir()
        work = make_workdir(tmp_path / variant, SOLUTIONS, edits)
        done = run(["selfcheck.py"], work)
        assert done.returncode == 0 and "FAIL" not in done.stdout, done.stdout


def test_an_extra_size_1_axis_passes_with_a_note(tmp_path):
    work = make_workdir(tmp_path, SOLUTIONS, {
        "step_network.py": ("return float(w0) + hidden @ w", "return (float(w0) + hidden @ w)[:, None]"),
        "backprop.py": ("return float(-np.sum(y * np.log(y_hat)))", "return np.array([-np.sum(y * np.log(y_hat))])")})
    done = run(["selfcheck.py"], work)
    lines = lines_of(done)
    assert done.returncode == 0 and not lines["FAIL"], done.stdout
    noted = [line for line in lines["PASS"] if "(accepted, but drop the extra axis)" in line]
    assert [target(line) for line in noted] == ["step_network", "step_network", "cross_entropy", "cross_entropy"], done.stdout
    assert ("PASS step_network: output has shape (N,) (note: the output of step_network for x of shape (6,) and "
            "3 hidden units has shape (6, 1); expected (6,) (accepted, but drop the extra axis))") in lines["PASS"], done.stdout


@pytest.mark.parametrize("module, edit, failing", [
    # a wrong softmax fails softmax (and forward, which uses it), not the gradients
    ("backprop.py", ("return e / np.sum(e)", "return e"), ["softmax", "softmax", "forward"]),
    # a wrong forward fails forward only
    ("backprop.py", ("y_hat = softmax(U @ h + b2)", "y_hat = softmax(U @ h)"), ["forward"]),
    # a wrong step_network fails step_network only: the returned parameters are judged with selfcheck's network
    ("step_network.py", ("return float(w0) + hidden @ w", "return 0 * (float(w0) + hidden @ w)"), ["step_network"]),
    # a wrong relu_network fails relu_network only: xor_weights are judged with selfcheck's network
    ("xor_relu.py", ("return hidden @ np.asarray(w2, dtype=float) + float(b2)", "return -(hidden @ np.asarray(w2, dtype=float) + float(b2))"),
     ["relu_network"]),
], ids=["softmax", "forward", "step_network", "relu_network"])
def test_one_bug_fails_in_one_place(tmp_path, module, edit, failing):
    work = make_workdir(tmp_path, SOLUTIONS, {module: edit})
    done = run(["selfcheck.py"], work)
    assert [target(line) for line in lines_of(done)["FAIL"]] == failing, done.stdout


def test_reference_gradients_equal_the_solutions_and_the_graders_mistakes():
    # selfcheck's gradients come from finite differences of its own by-hand loss; here
    # they are compared with solutions/backprop.py and with what the grader takes each
    # mistake to return (autograder/grading/misconceptions.py).
    from autograder.grading import misconceptions

    sc = load_selfcheck()
    spec = importlib.util.spec_from_file_location("backprop_solution", SOLUTIONS / "backprop.py")
    solution = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(solution)

    z1, _, y_hat = sc._forward_by_hand(sc._X3, **sc._P3)
    assert z1[sc._KINK] == 0.0 and z1[sc._OFF] < 0 and sum(z > 0 for z in z1) == 2
    assert len(sc._X3) != len(z1) != len(y_hat) != len(sc._X3) and min(y_hat) > 0.1 and max(y_hat) < 0.9
    args = [np.array(a) for a in (sc._P3["W"], sc._P3["b1"], sc._P3["U"], sc._P3["b2"])]
    for y, _ in sc._LABELS:
        x, y = np.array(sc._X3), np.array(y)
        right = solution.backprop(x, y, *args)
        mine = sc._gradients_by_hand(list(y))
        for key in sc._P3:
            assert np.max(np.abs(mine[key] - right[key])) < 1e-8, key
        assert mine["b1"][sc._KINK] == 0.0 and not mine["W"][sc._KINK].any()
        variants = {name: grads for name, grads in misconceptions.backprop_variants(x, y, *args).items()
                    if name == "right" or name in sc._GRADIENT_MISTAKES}
        assert set(variants) == {"right", *sc._GRADIENT_MISTAKES}  # every single mistake the grader names
        for name, grads in variants.items():
            wrong = mine if name == "right" else sc._mistaken_gradients(list(y), name)
            for key, value in grads.items():
                assert np.shape(wrong[key]) == np.shape(value) and np.max(np.abs(wrong[key] - value)) < 1e-8, (name, key)
                # and every mistake is told apart from the right answer, far beyond the tolerance
                if name != "right" and np.shape(value) == np.shape(right[key]) and not (name == "labels_argmax" and y.max() == 1):
                    assert np.max(np.abs(value - right[key])) > 1e-2 * np.max(np.abs(right[key])), (name, key)


def test_tolerance_is_normwise_with_the_graders_defaults():
    sc = load_selfcheck()
    assert (sc.RTOL, sc.ATOL) == (1e-4, 1e-8)
    want = np.array([100.0, 1e-6])
    assert sc._close(want + [0, 5e-3], want)  # a small entry may be off by RTOL * the largest
    assert not sc._close(want + [0, 2e-2], want)
    assert sc._close(np.array(1.0 + 5e-5), np.array(1.0)) and not sc._close(np.array(1.0 + 2e-4), np.array(1.0))
    assert not sc._close(np.array([np.nan, 1e-6]), want)


# --------------------------------------------------------------------------
# The time limit
# --------------------------------------------------------------------------

LOOPING_RELU = {"xor_relu.py": [("return np.maximum(np.asarray(z, dtype=float), 0.0)", "while True: pass"),
                                ("hidden = relu(", "hidden = np.maximum(0.0, ")]}  # relu_network does not call relu
ONE_SECOND = ("CHECK_SECONDS = 5 ", "CHECK_SECONDS = 1 ")


def test_an_endless_loop_hits_the_time_limit(tmp_path):
    work = make_workdir(tmp_path, SOLUTIONS, LOOPING_RELU)
    started = time.monotonic()
    done = run(["selfcheck.py", "q2"], work)
    elapsed = time.monotonic() - started
    lines = lines_of(done)
    message = "took longer than 5 s (an endless loop?); the grader allows 1 s per call"
    assert [line.split(" (stopped at ")[0] for line in lines["FAIL"]] == [f"FAIL relu: {message}"] * 2, done.stdout
    assert all(re.search(r"\(stopped at xor_relu\.py, line \d+: while True: pass\)$", line) for line in lines["FAIL"])
    assert len(lines["PASS"]) == 4 and "4 of 6 checks pass." in done.stdout, done.stdout
    assert done.returncode == 1 and 10 <= elapsed < 20, elapsed


@pytest.mark.parametrize("how", ["thread", "no setitimer"])
def test_time_limit_without_signals(tmp_path, how):
    # Off the main thread (or where signal.setitimer does not exist, as on Windows)
    # the check runs in a daemon thread that is left behind when time is up.
    work = make_workdir(tmp_path, SOLUTIONS, {**LOOPING_RELU, "selfcheck.py": ONE_SECOND})
    code = {
        "thread": "import threading, selfcheck\n"
                  "t = threading.Thread(target=selfcheck.run, args=('q2',)); t.start(); t.join()\nprint('FINISHED')\n",
        "no setitimer": "import signal\ndel signal.setitimer\nimport selfcheck\nselfcheck.run('q2')\nprint('FINISHED')\n",
    }[how]
    done = run(["-c", code], work, timeout=30)
    lines = lines_of(done)
    assert lines["FAIL"] == ["FAIL relu: took longer than 1 s (an endless loop?); the grader allows 1 s per call"] * 2, done.stdout
    assert len(lines["PASS"]) == 4 and done.stdout.rstrip().endswith("FINISHED"), done.stdout + done.stderr


def test_an_endless_loop_while_loading(tmp_path):
    work = make_workdir(tmp_path, SOLUTIONS, {"xor_relu.py": ("import numpy as np\n", "import numpy as np\nwhile True:\n    pass\n"),
                                              "selfcheck.py": ONE_SECOND})
    done = run(["selfcheck.py"], work, timeout=30)
    lines = lines_of(done)
    assert {target(line) for line in lines["FAIL"]} == {"relu", "relu_network", "xor_weights"}, done.stdout
    assert all("could not load xor_relu.py: took longer than 1 s (an endless loop?)" in line for line in lines["FAIL"])
    assert len(lines["FAIL"]) == 6 and not lines["NOT DONE"], done.stdout


def test_time_limit_under_pytest(tmp_path):
    work = make_workdir(tmp_path, SOLUTIONS, {**LOOPING_RELU, "selfcheck.py": ONE_SECOND})
    tests = run(["-m", "pytest", "-q"], work, timeout=30)
    assert tests.returncode == 1 and "2 failed" in tests.stdout, tests.stdout
    assert tests.stdout.count("FAIL relu: took longer than 1 s (an endless loop?)") >= 2, tests.stdout

"""Public self-checks for the nn-backprop homework.

These are a few quick checks of your code, NOT the hidden grading tests (those
try more cases). Passing every check here is a good sign, not a guarantee.

Use them in any of three ways, from this folder:

    python selfcheck.py            # all questions; or: python selfcheck.py q2
    python -m pytest -q            # the same checks, one pytest test each
    selfcheck.run("q1")            # from the notebook (or any Python session)

Each check prints one line:

    PASS      the check passed
    FAIL      what was expected and what came back
    NOT DONE  the function still raises NotImplementedError (or an answer is None)

How your answers are judged, as the grader judges them:
- Every expected number is worked out here, by hand from the definitions
  (plain Python floats), never with your other functions: a mistake in one
  function fails that function's checks only. The networks your parameters and
  weights describe are evaluated here too, and backprop runs with a correct
  softmax and forward standing in for yours (as in grading).
- An answer is close enough when max_i |got_i - want_i| <= RTOL * max_i |want_i| + ATOL
  (float32 code and the usual log(y_hat + 1e-8) safeguard pass). An extra axis
  of size 1 is accepted, with a note.
- Each check may take CHECK_SECONDS; a check that takes longer (an endless
  loop?) FAILs and the others still run. The grader allows far less per call.

Your modules (step_network.py, xor_relu.py, backprop.py) are always read from
the folder this file is in, fresh from disk on every run, so saved edits count
straight away.
"""
from __future__ import annotations

import math
import signal
import sys
import threading
import time
import traceback
import types
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

# Tolerance of every numeric check: the grader's defaults (config.yaml, tolerance: rtol, atol).
# An answer is close when max_i |got_i - want_i| <= RTOL * max_i |want_i| + ATOL (normwise).
RTOL = 1e-4
ATOL = 1e-8

CHECK_SECONDS = 5  # time limit of one self-check (all its calls into your code)
GRADER_CALL_SECONDS = 1  # what the grader allows one call (config.yaml, limits: call_seconds)

HERE = Path(__file__).resolve().parent

# question -> the module (file) it grades
QUESTIONS = {"q1": "step_network", "q2": "xor_relu", "q3": "backprop"}

PASS, FAIL, NOT_DONE = "PASS", "FAIL", "NOT DONE"


# --------------------------------------------------------------------------
# Check and result records
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Check:
    """One self-check: `func(module)` returns quietly or raises Mismatch."""

    question: str  # "q1", "q2" or "q3"
    target: str  # the function or name under test, e.g. "step"
    description: str  # what passing means, e.g. "g(0) = 1"
    func: Callable[[types.ModuleType], None]

    @property
    def id(self) -> str:
        """A readable id, e.g. 'q1 step: g(0) = 1' (used as the pytest test id)."""
        return f"{self.question} {self.target}: {self.description}"


@dataclass(frozen=True)
class Result:
    """The outcome of one check. status is PASS, FAIL or NOT DONE."""

    check: Check
    status: str
    message: str  # the description for PASS (and any note); what went wrong otherwise

    @property
    def passed(self) -> bool:
        return self.status == PASS

    @property
    def line(self) -> str:
        """One line for people, e.g. 'FAIL step: step(0.0): expected 1 (g(0) = 1 because 0 >= 0), got 0'."""
        return f"{self.status} {self.check.target}: {self.message}"


class Mismatch(Exception):
    """A check found a wrong value, shape or type; the message says what and how."""


class NotDone(Exception):
    """An answer has not been filled in yet (e.g. a None left in REPRESENTABLE)."""


class _TimeUp(BaseException):
    """Raised into code that runs past CHECK_SECONDS (a BaseException, so `except Exception` in a loop cannot swallow it)."""


CHECKS: list[Check] = []
_NOTES: list[str] = []  # notes on passing answers (e.g. an extra size-1 axis) of the check running now


def _fresh(params: dict) -> dict:
    """Copies of fixed inputs, so code that changes its arguments in place cannot spoil later checks."""
    return {key: np.array(value, dtype=float) for key, value in params.items()}


def _check(question: str, target: str, description: str):
    """Decorator that registers a check function, in file order."""

    def register(func):
        CHECKS.append(Check(question, target, description, func))
        return func

    return register


# --------------------------------------------------------------------------
# Helpers that turn wrong answers into plain-words messages
# --------------------------------------------------------------------------

def _show(value) -> str:
    """A short description of any returned value: its numbers and shape, or its type."""
    if value is None:
        return "None (did you forget a `return`?)"
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (int, float, np.number)):
        return f"{float(value):.6g}"
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return f"{_show(value[()])} (a 0-d array)"
        text = np.array2string(value, precision=4, suppress_small=True, separator=", ", threshold=12)
        return f"{text} (shape {value.shape})"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of length {len(value)}: {value!r}"[:200]
    return f"{value!r} (a {type(value).__name__})"[:200]


def _num(value: float) -> str:
    return f"{float(value) + 0.0:.6g}"  # + 0.0 shows -0 as 0


def _array(value, what: str) -> np.ndarray:
    """value as a float array, or Mismatch saying what came back instead."""
    if value is None or isinstance(value, (str, bytes, dict)):
        raise Mismatch(f"{what}: expected numbers, got {_show(value)}")
    try:
        got = np.asarray(value)
        if got.dtype.kind == "c" and not np.any(got.imag):
            got = got.real
        return np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise Mismatch(f"{what}: expected an array of numbers, got {_show(value)}") from None


def _shape(shape: tuple) -> str:
    return "()" if shape == () else str(tuple(shape))


def _expect_shape(value, shape: tuple, what: str, hint: str = "") -> np.ndarray:
    """value as a float array of `shape`; an extra size-1 axis is accepted with a note (as the grader does)."""
    got = _array(value, what)
    if got.shape == shape:
        return got
    if got.size == math.prod(shape) and got.ndim != len(shape) and np.squeeze(got).shape == tuple(d for d in shape if d != 1):
        _NOTES.append(f"{what} has shape {_shape(got.shape)}; expected {_shape(shape)} (accepted, but drop the extra axis)")
        return got.reshape(shape)
    if shape == ():
        raise Mismatch(f"{what}: expected a single number, got {_show(got)}{hint}")
    raise Mismatch(f"{what}: expected shape {_shape(shape)}, got shape {_shape(got.shape)}{hint}")


def _close(got: np.ndarray, want: np.ndarray) -> bool:
    """The grader's normwise test: max |got - want| <= RTOL max |want| + ATOL, and got finite."""
    if got.shape != want.shape:
        return False
    if got.size == 0:
        return True
    if not np.all(np.isfinite(got)):
        return False
    return float(np.max(np.abs(got - want))) <= RTOL * float(np.max(np.abs(want))) + ATOL


def _expect_close(got, expected, what: str, at=None, alternatives=()) -> None:
    """Compare an answer with the expected numbers (normwise, as the grader does); report up to three wrong entries.

    at: optional function from an entry's index (a tuple) to a label for it,
        e.g. lambda i: f"x = {x[i]:g}" names the input it belongs to.
    alternatives: (what a known mistake returns, message saying so) pairs, or
        functions returning such a pair: tried in order, only when the answer is
        wrong; the first one the answer equals adds its message.
    """
    expected = np.asarray(expected, dtype=float)
    got = _expect_shape(got, expected.shape, what)
    if _close(got, expected):
        return
    raise Mismatch(f"{what}: {_differences(got, expected, at)}{_which_mistake(got, alternatives)}")


def _differences(got: np.ndarray, expected: np.ndarray, at=None) -> str:
    """'expected 1, got 0' for a single number; the (up to three) worst entries of an array."""
    with np.errstate(all="ignore"):
        bound = RTOL * float(np.max(np.abs(expected))) + ATOL if expected.size else ATOL
        bad = ~(np.abs(got - expected) <= bound)  # True for NaN and inf too
    if expected.ndim == 0:
        return f"expected {_num(expected)}, got {_num(got)}"
    wrong = []
    for flat in np.flatnonzero(bad)[:3]:
        index = tuple(int(i) for i in np.unravel_index(flat, expected.shape))
        where = at(index) if at is not None else f"entry [{', '.join(map(str, index))}]"
        wrong.append(f"at {where}: expected {_num(expected[index])}, got {_num(got[index])}" if at is not None
                     else f"{where}: expected {_num(expected[index])}, got {_num(got[index])}")
    count = int(bad.sum())
    more = f" (and {count - 3} more wrong)" if count > 3 else ""
    return "; ".join(wrong) + more


def _which_mistake(got: np.ndarray, alternatives) -> str:
    """'; <message>' for the first known mistake whose answer equals `got`, else ''."""
    for alternative in alternatives:
        if callable(alternative):
            alternative = alternative()
        if alternative is None:
            continue
        value, message = alternative
        value = np.asarray(value, dtype=float)
        if value.shape == got.shape and _close(got, value):
            return f"; {message}"
    return ""


def _call(func, what: str, *args):
    """func(*args); a TypeError or AttributeError on a plain list or float says what the grader passes."""
    try:
        return func(*args)
    except (TypeError, AttributeError) as exc:
        raise Mismatch(
            f"{what} raised {explain(exc)}; the grader passes plain Python lists and floats too: "
            f"convert with np.asarray(z, dtype=float) first") from None


def _expect_params(params, what: str):
    """A step network's (w0, w, b, v) from the returned dict: w0 one number, w, b, v one entry per hidden unit."""
    if not isinstance(params, dict) or not {"w0", "w", "b", "v"} <= set(params):
        raise Mismatch(f"{what}: expected a dict with keys 'w0', 'w', 'b', 'v', got {_show(params)}")
    w0 = _array(params["w0"], f"{what}['w0']")
    if w0.size != 1:
        raise Mismatch(f"{what}: 'w0' should be a single number, got {_show(params['w0'])}")
    w, b, v = (_array(params[key], f"{what}[{key!r}]").reshape(-1) for key in ("w", "b", "v"))
    if not w.size == b.size == v.size:
        raise Mismatch(f"{what}: 'w', 'b' and 'v' should have one entry per hidden unit, got {w.size}, {b.size} and {v.size} entries")
    if not all(np.all(np.isfinite(a)) for a in (w0, w, b, v)):
        raise Mismatch(f"{what}: the parameters contain NaN or inf")
    return float(w0.reshape(-1)[0]), w.tolist(), b.tolist(), v.tolist()


# --------------------------------------------------------------------------
# Question 1: step_network.py
# --------------------------------------------------------------------------

def _g(z: float) -> float:
    """The step activation, straight from its definition: 1 if z >= 0 else 0."""
    return 1.0 if z >= 0 else 0.0


def _g_zero_at_zero(z: float) -> float:
    """The step as `z > 0` computes it (g(0) = 0): a known mistake."""
    return 1.0 if z > 0 else 0.0


def _f(x: float, w0, w, b, v, g=_g) -> float:
    """The step network f(x) = w0 + sum_i w_i g(b_i + v_i x), straight from the definition."""
    return float(w0) + sum(float(wi) * g(float(bi) + float(vi) * x) for wi, bi, vi in zip(w, b, v))


_G0_ZERO = "your step is 0 at z = 0, as `z > 0` gives; g(0) = 1, so compare with z >= 0"


@_check("q1", "REPRESENTABLE", "every answer is True or False")
def _representable(m):
    answers = m.REPRESENTABLE
    if not isinstance(answers, dict):
        raise Mismatch(f"expected a dict, got {_show(answers)}")
    keys = ("linear", "hinge", "quadratic", "piecewise_constant")
    missing = [k for k in keys if k not in answers]
    if missing:
        raise Mismatch(f"missing key(s) {', '.join(map(repr, missing))}; keep the four keys as given")
    unanswered = [k for k in keys if answers[k] is None]
    if unanswered:
        raise NotDone(f"still None for {', '.join(map(repr, unanswered))} (replace each None with True or False)")
    for k in keys:
        if not isinstance(answers[k], (bool, np.bool_)):
            raise Mismatch(f"expected True or False for {k!r}, got {_show(answers[k])}")


@_check("q1", "step", "g(0) = 1")
def _step_at_zero(m):
    # a plain Python float, as the grader passes
    got = _expect_shape(_call(m.step, "step(0.0)", 0.0), (), "step(0.0)")
    if float(got) != 1.0:
        mistake = f"; {_G0_ZERO}" if float(got) == 0.0 else ""
        raise Mismatch(f"step(0.0): expected 1 (g(0) = 1 because 0 >= 0), got {_num(got)}{mistake}")


@_check("q1", "step", "elementwise on a 2-D input, same shape")
def _step_values(m):
    z = np.array([[-2.0, -0.5, 0.0], [0.25, 0.5, 3.0]])
    expected = [[_g(zi) for zi in row] for row in z.tolist()]
    g0_zero = ([[_g_zero_at_zero(zi) for zi in row] for row in z.tolist()], _G0_ZERO)
    _expect_close(m.step(z.copy()), expected, "step(z)", at=lambda i: f"z = {z[i]:g}", alternatives=[g0_zero])


@_check("q1", "step", "works on a plain Python list")
def _step_list(m):
    z = [-1e-12, 0.0, 1e-12]  # as the grader passes it
    got = _call(m.step, f"step({z})", list(z))
    _expect_close(got, [_g(zi) for zi in z], f"step({z})", at=lambda i: f"z = {z[i[0]]:g}",
                  alternatives=[([_g_zero_at_zero(zi) for zi in z], _G0_ZERO)])


# A small network: 3 hidden units, one with a negative input weight. Each unit
# has its switching point (b + v x = 0) among the inputs: x = 0.5, 0 and -1.5.
_NET = {"w0": 0.5, "w": [1.0, -2.0, 0.25], "b": [-1.0, 0.0, 1.5], "v": [2.0, -1.0, 1.0]}
_NET_X = [-2.0, -1.5, -0.5, 0.0, 0.5, 1.0]


@_check("q1", "step_network", "output has shape (N,)")
def _step_network_shape(m):
    _expect_shape(m.step_network(np.array(_NET_X), **_fresh(_NET)), (len(_NET_X),),
                  f"the output of step_network for x of shape ({len(_NET_X)},) and 3 hidden units")


@_check("q1", "step_network", "values match f(x) = w0 + sum_i w_i g(b_i + v_i x)")
def _step_network_values(m):
    expected = [_f(x, **_NET) for x in _NET_X]
    g0_zero = ([_f(x, **_NET, g=_g_zero_at_zero) for x in _NET_X],
               ("your network has each unit off right at its switching point b_i + v_i x = 0, "
                "as a step with `z > 0` gives; g(0) = 1, so compare with z >= 0"))
    _expect_close(m.step_network(np.array(_NET_X), **_fresh(_NET)), expected, "f(x)",
                  at=lambda i: f"x = {_NET_X[i[0]]:g}", alternatives=[g0_zero])


_RIGHT_CLOSED = ("your network keeps the old value right at a breakpoint, as pieces closed on the right "
                 "(t_j, t_{j+1}] would (e.g. units g(t_j - x) with v = -1); pieces are closed on the left: "
                 "a unit g(x - t_j) is already on at x = t_j because g(0) = 1")


def _probe_points(breakpoints) -> list[float]:
    """x at, 1/16 left of and 1/16 right of every breakpoint, plus far left and far right (as the grader probes)."""
    return sorted({min(breakpoints) - 10.0, max(breakpoints) + 10.0}
                  | {t + d for t in breakpoints for d in (-1 / 16, 0.0, 1 / 16)})


def _judge_network(params, what: str, x: list, want: list, right_closed: list) -> None:
    """Evaluate the returned step network here, by hand, at x and compare it with want."""
    w0, w, b, v = _expect_params(params, what)
    got = [_f(xi, w0, w, b, v) for xi in x]
    _expect_close(got, want, f"the network from {what}", at=lambda i: f"x = {x[i[0]]:g}",
                  alternatives=[(right_closed, _RIGHT_CLOSED)])


@_check("q1", "indicator_params", "network is c on [lo, hi) and 0 elsewhere")
def _indicator(m):
    for lo, hi, c in [(-1.0, 2.0, 3.0), (0.5, 0.75, -1.5)]:
        x = _probe_points([lo, hi])
        _judge_network(m.indicator_params(lo, hi, c), f"indicator_params({lo:g}, {hi:g}, {c:g})", x,
                       [c if lo <= xi < hi else 0.0 for xi in x], [c if lo < xi <= hi else 0.0 for xi in x])


@_check("q1", "piecewise_constant_params", "network equals the piecewise constant function")
def _piecewise(m):
    cases = [([-1.0, 0.5, 2.0], [1.0, -2.0, 0.5, 3.0]), ([0.0], [2.0, -1.0]),
             ([-0.5, 0.25, 1.0], [1.5, 1.5, -1.0, 0.0])]  # the last: a breakpoint where nothing changes
    for t, c in cases:
        x = _probe_points(t)
        # c_0 left of t_1; c_j on [t_j, t_{j+1}); c_K from t_K on
        want = [c[sum(xi >= tj for tj in t)] for xi in x]
        right_closed = [c[sum(xi > tj for tj in t)] for xi in x]
        _judge_network(m.piecewise_constant_params(np.array(t), np.array(c)),
                       f"piecewise_constant_params({t}, {c})", x, want, right_closed)


# --------------------------------------------------------------------------
# Question 2: xor_relu.py
# --------------------------------------------------------------------------

# The four points and labels of the question (same as X, Y in xor_relu.py).
_XOR_X = [[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]]
_XOR_Y = [1.0, -1.0, -1.0, 1.0]

# Some weights (not an XOR solution). W1 is not symmetric, so W1 vs W1.T shows.
_W = {"W1": [[1.0, -2.0], [0.5, 1.0]], "b1": [0.5, -1.0], "w2": [2.0, -1.0], "b2": 0.25}
_POINTS = _XOR_X + [[0.5, 2.0], [-1.5, 0.25]]


def _relu_network_by_hand(x, W1, b1, w2, b2) -> float:
    """w2 . ReLU(W1 x + b1) + b2 for one point x, straight from the definition."""
    hidden = [max(sum(float(W1[j][i]) * float(x[i]) for i in range(2)) + float(b1[j]), 0.0) for j in range(2)]
    return sum(float(w2[j]) * hidden[j] for j in range(2)) + float(b2)


def _transposed(matrix) -> list:
    return [list(column) for column in zip(*matrix)]


@_check("q2", "relu", "max(z, 0) elementwise, same shape")
def _relu(m):
    z = np.array([[-2.0, -0.5, 0.0], [0.5, 3.0, -1e-9]])
    _expect_close(m.relu(z.copy()), [[max(zi, 0.0) for zi in row] for row in z.tolist()], "relu(z)",
                  at=lambda i: f"z = {z[i]:g}")


@_check("q2", "relu", "works on a plain Python list and a Python float")
def _relu_plain(m):
    z = [-2.5, 0.0, 4.0]  # as the grader passes them
    _expect_close(_call(m.relu, f"relu({z})", list(z)), [max(zi, 0.0) for zi in z], f"relu({z})",
                  at=lambda i: f"z = {z[i[0]]:g}")
    _expect_close(_call(m.relu, "relu(0.0)", 0.0), 0.0, "relu(0.0)")


@_check("q2", "relu_network", "output has shape (N,)")
def _relu_network_shape(m):
    _expect_shape(m.relu_network(np.array(_POINTS), **_fresh(_W)), (len(_POINTS),), f"the output of relu_network for x of shape ({len(_POINTS)}, 2)")


@_check("q2", "relu_network", "values match w2 . ReLU(W1 x + b1) + b2")
def _relu_network_values(m):
    expected = [_relu_network_by_hand(x, **_W) for x in _POINTS]
    untransposed = ([_relu_network_by_hand(x, **{**_W, "W1": _transposed(_W["W1"])}) for x in _POINTS],
                    ("your answer equals x @ W1 + b1 in place of x @ W1.T + b1: row j of W1 feeds hidden unit j, "
                     "so with points as rows the pre-activations are x @ W1.T + b1"))
    _expect_close(m.relu_network(np.array(_POINTS), **_fresh(_W)), expected, "f(x)",
                  at=lambda i: f"x = ({_POINTS[i[0]][0]:g}, {_POINTS[i[0]][1]:g})", alternatives=[untransposed])


_XOR_SHAPES = {"W1": (2, 2), "b1": (2,), "w2": (2,), "b2": ()}


def _xor_params(weights) -> dict:
    """The returned XOR weights as plain nested lists, checked for keys and shapes."""
    if not isinstance(weights, dict) or not set(_XOR_SHAPES) <= set(weights):
        raise Mismatch(f"expected a dict with keys 'W1', 'b1', 'w2', 'b2', got {_show(weights)}")
    params = {}
    for key, shape in _XOR_SHAPES.items():
        got = _array(weights[key], f"xor_weights()[{key!r}]")
        if got.shape != shape and not (shape == () and got.size == 1):
            raise Mismatch(f"xor_weights()[{key!r}]: expected shape {_shape(shape)}, got shape {_shape(got.shape)}")
        if not np.all(np.isfinite(got)):
            raise Mismatch(f"xor_weights()[{key!r}] contains NaN or inf")
        params[key] = got.reshape(-1)[0].item() if shape == () else got.tolist()
    return params


@_check("q2", "xor_weights", "W1 (2, 2), b1 (2,), w2 (2,), b2 a scalar")
def _xor_shapes(m):
    _xor_params(m.xor_weights())


@_check("q2", "xor_weights", "classifies the four XOR points")
def _xor_classifies(m):
    params = _xor_params(m.xor_weights())
    wrong = []
    for x, y in zip(_XOR_X, _XOR_Y):
        score = _relu_network_by_hand(x, **params)  # evaluated here, not with your relu_network
        if not (score > 0 if y > 0 else score < 0):
            wrong.append(f"at x = ({x[0]:g}, {x[1]:g}): expected sign {y:+g}, got score {score:.6g}")
    if wrong:
        raise Mismatch("; ".join(wrong) + " (a score of exactly 0 counts as wrong)")


# --------------------------------------------------------------------------
# Question 3: backprop.py
# --------------------------------------------------------------------------

def _softmax_by_hand(z) -> list[float]:
    """exp(z_i - max z) / sum_j exp(z_j - max z), in Python floats."""
    top = max(z)
    e = [math.exp(float(zi) - top) for zi in z]
    return [ei / sum(e) for ei in e]


def _one_hot_of_largest(y) -> list[float]:
    top = max(range(len(y)), key=lambda i: y[i])
    return [1.0 if i == top else 0.0 for i in range(len(y))]


_LABELS_ARGMAX = ("your answer equals treating y as the one-hot of its largest entry; "
                  "with soft labels every class contributes")

# n = 2 inputs, m = 4 hidden units, k = 3 classes: all different, so a
# transposed gradient has the wrong shape. Every number is a multiple of 1/8,
# exact in float32 too, so W x + b1 is exact whatever the order of the sums:
# W x + b1 = [0.75, 0, -0.625, 0.375], so hidden unit 1 sits exactly at ReLU's
# kink and unit 2 is off. y_hat is about [0.38, 0.17, 0.45]: no entry near 0 or 1.
_X3 = [0.5, -1.0]
_P3 = {
    "W": [[0.5, -0.25], [1.0, 0.5], [-0.75, 0.5], [0.25, 0.75]],
    "b1": [0.25, 0.0, 0.25, 1.0],
    "U": [[0.5, -0.25, 0.75, -0.5], [-0.25, 0.5, -0.5, 0.75], [0.75, 0.25, 0.5, -0.25]],
    "b2": [0.25, -0.5, 0.125],
}
_KINK, _OFF = 1, 2  # the hidden unit with W x + b1 = 0, and the one with W x + b1 < 0
_Y_ONE_HOT = [0.0, 1.0, 0.0]
_Y_SOFT = [0.25, 0.25, 0.5]
_LABELS = [(_Y_ONE_HOT, "one-hot y = [0, 1, 0]"), (_Y_SOFT, "soft labels y = [0.25, 0.25, 0.5]")]


def _forward_by_hand(x, W, b1, U, b2):
    """(z1, h, y_hat) as Python lists, straight from the definitions."""
    z1 = [sum(W[j][i] * x[i] for i in range(len(x))) + b1[j] for j in range(len(b1))]
    h = [max(zj, 0.0) for zj in z1]
    z2 = [sum(U[c][j] * h[j] for j in range(len(h))) + b2[c] for c in range(len(b2))]
    return z1, h, _softmax_by_hand(z2)


def _loss_by_hand(y, params: dict, slopes: list, base: dict = _P3) -> float:
    """J = -sum_i y_i log y_hat_i at params, for the fixed x = _X3, straight from the definitions.

    Each hidden unit's ReLU is taken as its tangent line at the fixed network (value
    h_j there, slope slopes[j]): the same function near that point for a unit that is on
    (slope 1) or off (slope 0); for a unit exactly at 0, the slope is the convention.
    """
    z1_at, h_at, _ = _forward_by_hand(_X3, **base)
    W, b1, U, b2 = (params[key] for key in ("W", "b1", "U", "b2"))
    z1 = [sum(W[j][i] * _X3[i] for i in range(len(_X3))) + b1[j] for j in range(len(b1))]
    h = [h_at[j] + slopes[j] * (z1[j] - z1_at[j]) for j in range(len(z1))]
    z2 = [sum(U[c][j] * h[j] for j in range(len(h))) + b2[c] for c in range(len(b2))]
    return -sum(yc * math.log(pc) for yc, pc in zip(y, _softmax_by_hand(z2)) if yc)


def _gradients_by_hand(y, slopes=None, eps: float = 1e-5, base: dict = _P3) -> dict:
    """dJ/d(each parameter) at the fixed network by centred finite differences of _loss_by_hand, in float64.

    slopes: ReLU's slope at each hidden unit; by default 1 where W x + b1 > 0 and 0 elsewhere
    (ReLU'(0) = 0, as in the homework).
    """
    if slopes is None:
        slopes = [1.0 if zj > 0 else 0.0 for zj in _forward_by_hand(_X3, **base)[0]]
    grads = {}
    for key, value in base.items():
        flat = np.array(value, dtype=float).reshape(-1)
        estimate = []
        for index in range(flat.size):
            sides = []
            for step in (eps, -eps):
                moved = flat.copy()
                moved[index] += step
                params = {**base, key: moved.reshape(np.shape(value)).tolist()}
                sides.append(_loss_by_hand(y, params, slopes, base))
            estimate.append((sides[0] - sides[1]) / (2 * eps))
        grads[key] = np.array(estimate).reshape(np.shape(value))
    return grads


def _mistaken_gradients(y, mistake: str, base: dict = _P3) -> dict:
    """The gradients as the named mistake computes them, from the same finite differences."""
    z1 = _forward_by_hand(_X3, **base)[0]
    if mistake == "sign_flipped":  # delta1 = y - y_hat: every gradient changes sign
        return {key: -value for key, value in _gradients_by_hand(y, base=base).items()}
    if mistake == "labels_argmax":  # y_hat - (one-hot of y's largest entry) in place of y_hat - y
        return _gradients_by_hand(_one_hot_of_largest(y), base=base)
    if mistake == "no_relu_mask":  # the gradient flows through every unit, as if on
        return _gradients_by_hand(y, [1.0] * len(z1), base=base)
    if mistake == "mask_at_zero":  # the mask 1{z1 >= 0}: a unit exactly at 0 counts as on
        return _gradients_by_hand(y, [1.0 if zj >= 0 else 0.0 for zj in z1], base=base)
    if mistake == "relu_on_gradient":  # delta2 = max(U^T delta1, 0): ReLU applied to the gradient
        delta2 = np.maximum(_gradients_by_hand(y, [1.0] * len(z1), base=base)["b1"], 0.0)
        return {**_gradients_by_hand(y, base=base), "b1": delta2, "W": np.outer(delta2, _X3)}
    grads = _gradients_by_hand(y, base=base)  # dU_transposed, dW_transposed
    key = {"dU_transposed": "U", "dW_transposed": "W"}[mistake]
    return {**grads, key: grads[key].T}


_GRADIENT_MISTAKES = {
    "sign_flipped": "your answer equals the right gradient with the opposite sign, as delta1 = y - y_hat gives; "
                    "dJ/dz2 = y_hat - y",
    "dU_transposed": "your answer is the transpose of the right one (h delta1^T); dJ/dU = delta1 h^T has "
                     "U's shape (k, m): check the order of the two vectors in the outer product",
    "dW_transposed": "your answer is the transpose of the right one (x delta2^T); dJ/dW = delta2 x^T has "
                     "W's shape (m, n): check the order of the two vectors in the outer product",
    "no_relu_mask": f"your answer equals the gradient without the ReLU mask: hidden unit {_OFF} is off "
                    f"(W x + b1 < 0), so no gradient flows through it; multiply U^T delta1 by 1{{h > 0}}",
    "mask_at_zero": f"your answer equals the gradient with the mask 1{{z1 >= 0}}: hidden unit {_KINK} has "
                    f"W x + b1 = 0 exactly, and ReLU'(0) = 0 here, so the mask is 1{{h > 0}}, strictly greater",
    "relu_on_gradient": "your answer equals ReLU(U^T delta1), the ReLU applied to the gradient; the chain rule "
                        "multiplies by ReLU's derivative instead: (U^T delta1) * 1{h > 0} keeps negative entries",
    "labels_argmax": _LABELS_ARGMAX,
}
# which mistakes change which gradient (as the grader's rubric lists them)
_MISTAKES_OF = {
    "b2": ("sign_flipped", "labels_argmax"),
    "U": ("dU_transposed", "sign_flipped", "labels_argmax"),
    "b1": ("no_relu_mask", "mask_at_zero", "relu_on_gradient", "sign_flipped", "labels_argmax"),
    "W": ("dW_transposed", "no_relu_mask", "mask_at_zero", "relu_on_gradient", "sign_flipped", "labels_argmax"),
}


def _stand_in_softmax(z):
    return np.array(_softmax_by_hand(np.asarray(z, dtype=float).reshape(-1).tolist()))


def _stand_in_forward(x, W, b1, U, b2):
    lists = (np.asarray(a, dtype=float).tolist() for a in (x, W, b1, U, b2))
    _, h, y_hat = _forward_by_hand(*lists)
    return np.array(h), np.array(y_hat)


def _backprop(m, y, params: dict = _P3) -> dict:
    """Your backprop at the fixed network and labels y, with a correct softmax and forward
    standing in for yours while it runs (as in grading), so a mistake there shows in their checks only."""
    saved = {name: m.__dict__[name] for name in ("softmax", "forward") if name in m.__dict__}
    m.__dict__.update(softmax=_stand_in_softmax, forward=_stand_in_forward)
    try:
        grads = m.backprop(np.array(_X3), np.array(y), **_fresh(params))
    finally:
        m.__dict__.update(saved)
    if not isinstance(grads, dict) or not set(_P3) <= set(grads):
        raise Mismatch(f"expected a dict with keys 'W', 'b1', 'U', 'b2', got {_show(grads)}")
    return grads


@_check("q3", "softmax", "positive, sums to 1, equals exp(z_i) / sum_j exp(z_j)")
def _softmax_values(m):
    z = [1.0, 2.0, 3.0, -1.0]
    _expect_close(m.softmax(np.array(z)), _softmax_by_hand(z), "softmax([1, 2, 3, -1])")


@_check("q3", "softmax", "no overflow: softmax([1000, -1000]) is finite and sums to 1")
def _softmax_overflow(m):
    for z in ([1000.0, -1000.0], [1000.0, 1000.0], [-1000.0, -1001.0]):
        what = f"softmax({[int(v) for v in z]})"
        got = _expect_shape(m.softmax(np.array(z)), (len(z),), what)
        if not np.all(np.isfinite(got)):
            raise Mismatch(f"{what}: expected finite values, got {_show(got)} (exp(1000) overflows to inf "
                           f"and exp(-1000) underflows to 0, so the division gives NaN; subtract max(z) from z first)")
        _expect_close(got, _softmax_by_hand(z), what)


# cross_entropy's inputs, in 64ths: (y_hat, the class of the one-hot y, a soft y) for k = 2, 3, 6.
# The grader uses these very probabilities (in an order of its own), so a safeguard in the log or any
# other rounding that passes here passes there.
_CROSS_ENTROPY = [([40, 24], 1, [20, 44]), ([8, 36, 20], 0, [28, 12, 24]),
                  ([1, 6, 12, 24, 4, 17], 0, [14, 2, 8, 9, 27, 4])]


def _cross_entropy_check(m, y, y_hat, kind):
    what = f"cross_entropy({_short(y)}, {_short(y_hat)})"
    got = m.cross_entropy(np.array(y), np.array(y_hat))
    J = -sum(yi * math.log(pi) for yi, pi in zip(y, y_hat) if yi)
    hint = " (did you forget the sum?)" if np.size(got) > 1 else ""
    _expect_shape(got, (), what, hint)
    alternatives = [(-J, ("your answer equals -J: the minus sign is missing; J = -sum_i y_i log y_hat_i >= 0 "
                          "(every log y_hat_i <= 0)"))]
    if kind == "soft":
        argmax = -sum(ti * math.log(pi) for ti, pi in zip(_one_hot_of_largest(y), y_hat) if ti)
        alternatives.append((argmax, _LABELS_ARGMAX))
        alternatives.append((-math.log(sum(yi * pi for yi, pi in zip(y, y_hat))), (
            "your answer is -log(sum_i y_i y_hat_i), which equals J only for one-hot y; J = -sum_i y_i log y_hat_i "
            "takes the log of each y_hat_i")))
    _expect_close(got, J, what, alternatives=alternatives)


def _short(values) -> str:
    return "[" + ", ".join(f"{v:g}" for v in values) + "]"


@_check("q3", "cross_entropy", "J = -sum_i y_i log(y_hat_i) with one-hot y, a single number")
def _cross_entropy_one_hot(m):
    for y_hat, label, _ in _CROSS_ENTROPY:
        _cross_entropy_check(m, [float(i == label) for i in range(len(y_hat))], [p / 64 for p in y_hat], "one-hot")


@_check("q3", "cross_entropy", "J = -sum_i y_i log(y_hat_i) with soft labels y")
def _cross_entropy_soft(m):
    for y_hat, _, y in _CROSS_ENTROPY:
        _cross_entropy_check(m, [p / 64 for p in y], [p / 64 for p in y_hat], "soft")


def _forward_output(m):
    out = m.forward(np.array(_X3), **_fresh(_P3))
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise Mismatch(f"expected a tuple (h, y_hat), got {_show(out)}")
    return out


@_check("q3", "forward", "returns (h, y_hat) with shapes (m,) and (k,)")
def _forward_shapes(m):
    out = _forward_output(m)
    _expect_shape(out[0], (4,), "h (m = 4 hidden units)")
    _expect_shape(out[1], (3,), "y_hat (k = 3 classes)")


@_check("q3", "forward", "h = ReLU(W x + b1) and y_hat = softmax(U h + b2)")
def _forward_values(m):
    out = _forward_output(m)
    _, h, y_hat = _forward_by_hand(_X3, **_P3)
    _expect_close(out[0], h, "h")
    _expect_close(out[1], y_hat, "y_hat")


@_check("q3", "backprop", "each gradient has its parameter's shape")
def _backprop_shapes(m):
    grads = _backprop(m, _Y_ONE_HOT)
    outer = {"U": "dJ/dU = delta1 h^T has U's shape (k, m)", "W": "dJ/dW = delta2 x^T has W's shape (m, n)"}
    for key, param in _P3.items():
        shape, what = np.shape(param), f"dJ/d{key}"
        got = _array(grads[key], what)
        try:
            _expect_shape(got, shape, what)
        except Mismatch:
            transposed = f"; yours is its transpose: {outer[key]}" if key in outer and got.shape == shape[::-1] else ""
            raise Mismatch(f"{what}: expected shape {_shape(shape)} (the shape of {key}), got shape {_shape(got.shape)}{transposed}") from None


def _gradient_check(key: str):
    """A check of dJ/d<key> from backprop, with one-hot and with soft labels."""

    def check(m):
        for y, label in _LABELS:
            grads = _backprop(m, y)
            want = _gradients_by_hand(y)[key]
            mistakes = [name for name in _MISTAKES_OF[key] if name != "labels_argmax" or y is _Y_SOFT]
            alternatives = [lambda name=name, y=y: (_mistaken_gradients(y, name)[key], _GRADIENT_MISTAKES[name])
                            for name in mistakes]
            what = f"dJ/d{key} with {label}"
            got = _array(grads[key], what)
            shape = np.shape(want)
            if got.shape == shape[::-1] and len(shape) == 2 and got.shape != shape:
                raise Mismatch(f"{what}: expected shape {_shape(shape)} (the shape of {key}), got shape "
                               f"{_shape(got.shape)}{_which_mistake(got, alternatives)}")
            _expect_close(got, want, what, alternatives=alternatives)

    return check


# the fixed network with logits near +-1000 (y puts no weight on the class whose probability underflows to 0)
_P3_LARGE = {**_P3, "b2": [1000.25, -999.5, 999.125]}
_Y_LARGE = [0.5, 0.0, 0.5]


@_check("q3", "backprop", "no overflow: finite, right gradients with logits near +-1000")
def _backprop_large_logits(m):
    grads = _backprop(m, _Y_LARGE, _P3_LARGE)
    want = _gradients_by_hand(_Y_LARGE, base=_P3_LARGE)
    for key in ("b2", "U", "b1", "W"):
        what = f"dJ/d{key} with logits near +-1000"
        got = _array(grads[key], what)
        if not np.all(np.isfinite(got)):
            raise Mismatch(f"{what}: expected finite values, got {_show(got)} (exp(1000) overflows to inf inside "
                           f"backprop: compute y_hat with a softmax that subtracts max(z2) first, e.g. your softmax)")
        # wrong in a way another check names: that check reports it; this one is about overflow
        known = [want[key]] + [_mistaken_gradients(_Y_LARGE, name, _P3_LARGE)[key] for name in _MISTAKES_OF[key]]
        if not any(got.shape == np.shape(k) and _close(got, np.asarray(k)) for k in known):
            _expect_close(got, want[key], what)


for _key, _description in [("b2", "dJ/db2 = y_hat - y, for one-hot and soft labels"),
                           ("U", "dJ/dU = delta1 h^T, shape (k, m)"),
                           ("b1", "dJ/db1 = (U^T delta1) * 1{h > 0}: none through an off unit or one at 0"),
                           ("W", "dJ/dW = delta2 x^T, shape (m, n)")]:
    _check("q3", "backprop", _description)(_gradient_check(_key))


# --------------------------------------------------------------------------
# Running checks
# --------------------------------------------------------------------------

def _student_frame(exc: BaseException):
    """The last traceback frame that lies in one of the student's modules, or None."""
    files = {str(HERE / f"{name}.py") for name in QUESTIONS.values()}
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in files]
    return frames[-1] if frames else None


def _where(exc: BaseException) -> str:
    """' (file.py, line N: code)' for the student's line an exception came from, else ''."""
    frame = _student_frame(exc)
    if frame is None:
        return ""
    code = f": {frame.line.strip()}" if frame.line else ""
    return f" ({Path(frame.filename).name}, line {frame.lineno}{code})"


def explain(exc: BaseException) -> str:
    """One line for an exception: its type, message and, if known, where in your file."""
    if isinstance(exc, _TimeUp):
        return _too_slow(exc)
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"{type(exc).__name__}: {exc.msg} ({Path(exc.filename).name}, line {exc.lineno})"
    return f"{type(exc).__name__}: {exc}{_where(exc)}"


def _too_slow(exc: BaseException) -> str:
    where = _where(exc)
    stopped = f" (stopped at {where[2:]}" if where else ""
    return (f"took longer than {CHECK_SECONDS:g} s (an endless loop?); the grader allows "
            f"{GRADER_CALL_SECONDS:g} s per call{stopped}")


def _with_time_limit(func):
    """func(), stopped with _TimeUp after CHECK_SECONDS.

    On the main thread where signals exist (Linux, macOS, Jupyter kernels) an alarm
    interrupts the running code. Elsewhere (Windows, other threads) func runs in a
    daemon thread that is abandoned, still running, when time is up.
    """
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        def time_up(signum, frame):
            raise _TimeUp()

        try:
            previous = signal.signal(signal.SIGALRM, time_up)
        except ValueError:  # signals unavailable here after all (e.g. a subinterpreter)
            pass
        else:
            started = time.monotonic()
            before = signal.setitimer(signal.ITIMER_REAL, CHECK_SECONDS)
            try:
                return func()
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
                if before[0] > 0:  # someone else's alarm was pending: put it back
                    signal.setitimer(signal.ITIMER_REAL, max(before[0] - (time.monotonic() - started), 1e-3), before[1])
    outcome = {}

    def target():
        try:
            outcome["value"] = func()
        except BaseException as exc:  # noqa: BLE001 (handed to the caller below)
            outcome["error"] = exc

    worker = threading.Thread(target=target, name="selfcheck", daemon=True)
    worker.start()
    worker.join(CHECK_SECONDS)
    if worker.is_alive():
        raise _TimeUp()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def load(name: str) -> types.ModuleType:
    """Load <name>.py from this file's folder, fresh from disk (no import cache, no .pyc).

    Raises whatever the module raises while loading (e.g. SyntaxError).
    """
    path = HERE / f"{name}.py"
    module = types.ModuleType(name)
    module.__file__ = str(path)
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), module.__dict__)
    return module


def load_all() -> dict:
    """{module name: module, or the exception raised while loading it (or _TimeUp if loading never ended)}."""
    loaded = {}
    for name in QUESTIONS.values():
        try:
            loaded[name] = _with_time_limit(lambda name=name: load(name))
        except (Exception, _TimeUp) as exc:  # a broken file must not stop the other questions
            loaded[name] = exc
    return loaded


def _quietly(func, module):
    """func(module) with numpy's and Python's warnings silenced (set up in whichever thread runs it)."""
    def call():
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return func(module)
    return call


def run_check(check: Check, modules: dict | None = None) -> Result:
    """Run one check against the student's module (loaded now unless given), within CHECK_SECONDS."""
    name = QUESTIONS[check.question]
    module = (modules if modules is not None else load_all())[name]
    if isinstance(module, BaseException):
        return Result(check, FAIL, f"could not load {name}.py: {explain(module)}")
    del _NOTES[:]
    try:
        _with_time_limit(_quietly(check.func, module))
    except NotImplementedError as exc:
        text = str(exc) or f"{check.target} is not implemented yet"
        if text == f"{check.target} is not implemented yet":
            text = "not implemented yet"
        elif text.endswith(" is not implemented yet"):
            text = f"needs {text[: -len(' is not implemented yet')]}, which is not implemented yet"
        return Result(check, NOT_DONE, text)
    except NotDone as exc:
        return Result(check, NOT_DONE, str(exc))
    except Mismatch as exc:
        return Result(check, FAIL, str(exc))
    except _TimeUp as exc:
        return Result(check, FAIL, _too_slow(exc))
    except Exception as exc:
        return Result(check, FAIL, f"raised {explain(exc)}")
    notes = list(dict.fromkeys(_NOTES))
    return Result(check, PASS, check.description + "".join(f" (note: {note})" for note in notes))


def checks(question: str = "all") -> list[Check]:
    """The checks of one question ("q1", "q2", "q3") or of all of them ("all")."""
    if question != "all" and question not in QUESTIONS:
        raise ValueError(f"question must be one of {', '.join(map(repr, [*QUESTIONS, 'all']))}, got {question!r}")
    return [c for c in CHECKS if question in ("all", c.question)]


def results(question: str = "all") -> list[Result]:
    """Run the checks of one question (or "all") and return their Results."""
    selected = checks(question)
    modules = load_all()
    return [run_check(c, modules) for c in selected]


def run(question: str = "all") -> int:
    """Print one line per check of `question`; return how many did not pass (FAIL or NOT DONE)."""
    outcome = results(question)
    for n, q in enumerate(QUESTIONS if question == "all" else [question]):
        mine = [r for r in outcome if r.check.question == q]
        print(("\n" if n else "") + f"Question {q[1:]} ({QUESTIONS[q]}.py)")
        for r in mine:
            print(r.line)
        passed = sum(r.passed for r in mine)
        print(f"{passed} of {len(mine)} checks pass." if passed < len(mine) else f"All {len(mine)} checks pass.")
    return sum(not r.passed for r in outcome)


if __name__ == "__main__":
    choice = sys.argv[1] if len(sys.argv) > 1 else "all"
    if choice not in (*QUESTIONS, "all"):
        sys.exit(f"usage: python selfcheck.py [{' | '.join([*QUESTIONS, 'all'])}]")
    sys.exit(1 if run(choice) else 0)

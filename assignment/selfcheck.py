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

Your modules (step_network.py, xor_relu.py, backprop.py) are always read from
the folder this file is in, fresh from disk on every run, so saved edits count
straight away.
"""
from __future__ import annotations

import math
import sys
import traceback
import types
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

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
    message: str  # the description for PASS; what went wrong otherwise

    @property
    def passed(self) -> bool:
        return self.status == PASS

    @property
    def line(self) -> str:
        """One line for people, e.g. 'FAIL step_network: expected shape (5,), got shape (5, 1)'."""
        return f"{self.status} {self.check.target}: {self.message}"


class Mismatch(Exception):
    """A check found a wrong value, shape or type; the message says what and how."""


class NotDone(Exception):
    """An answer has not been filled in yet (e.g. a None left in REPRESENTABLE)."""


CHECKS: list[Check] = []


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
        text = np.array2string(value, precision=4, suppress_small=True, separator=", ", threshold=12)
        return f"{text} (shape {value.shape})"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of length {len(value)}: {value!r}"[:200]
    return f"{value!r} (a {type(value).__name__})"[:200]


def _array(value, what: str) -> np.ndarray:
    """value as a float array, or Mismatch saying what came back instead."""
    if value is None:
        raise Mismatch(f"{what}: expected an array, got {_show(value)}")
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise Mismatch(f"{what}: expected an array of numbers, got {_show(value)}") from None


def _expect_shape(value, shape: tuple, what: str) -> np.ndarray:
    got = _array(value, what)
    if got.shape != shape:
        raise Mismatch(f"{what}: expected shape {shape}, got shape {got.shape}")
    return got


def _expect_close(got, expected, what: str, at=None, atol: float = 1e-8) -> None:
    """Compare arrays elementwise; report up to three wrong entries.

    at: optional function from an entry's index (a tuple) to a label for it,
        e.g. lambda i: f"x = {x[i]:g}" names the input it belongs to.
    """
    expected = np.asarray(expected, dtype=float)
    got = _expect_shape(got, expected.shape, what)
    bad = ~np.isclose(got, expected, rtol=1e-6, atol=atol)
    if not bad.any():
        return
    wrong = []
    for index in list(zip(*np.nonzero(bad)))[:3]:
        where = f"at {at(index)}: " if at is not None else (f"entry [{', '.join(map(str, index))}]: " if index else "")
        wrong.append(f"{where}expected {expected[index]:.6g}, got {got[index]:.6g}")
    more = f" (and {int(bad.sum()) - 3} more wrong)" if bad.sum() > 3 else ""
    raise Mismatch(f"{what}: " + "; ".join(wrong) + more)


def _expect_params(params, what: str) -> dict:
    """A step-network parameter dict: keys w0, w, b, v with w, b, v all of shape (H,)."""
    if not isinstance(params, dict) or not {"w0", "w", "b", "v"} <= set(params):
        raise Mismatch(f"{what}: expected a dict with keys 'w0', 'w', 'b', 'v', got {_show(params)}")
    shapes = {key: _array(params[key], f"{what}[{key!r}]").shape for key in ("w", "b", "v")}
    if len(set(shapes.values())) != 1 or len(shapes["w"]) != 1:
        raise Mismatch(f"{what}: 'w', 'b' and 'v' should all have the same shape (H,), got {shapes}")
    if _array(params["w0"], f"{what}['w0']").size != 1:
        raise Mismatch(f"{what}: 'w0' should be a single number, got {_show(params['w0'])}")
    return params


@contextmanager
def _via_your_code(name: str):
    """Add to a Mismatch raised inside the block that it was computed with the student's `name`."""
    try:
        yield
    except Mismatch as exc:
        raise Mismatch(f"{exc} (computed with your {name}; make sure its own checks pass)") from None


# --------------------------------------------------------------------------
# Question 1: step_network.py
# --------------------------------------------------------------------------

def _g(z: float) -> float:
    """The step activation, straight from its definition: 1 if z >= 0 else 0."""
    return 1.0 if z >= 0 else 0.0


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
    got = _array(m.step(0.0), "step(0.0)")
    if got.size != 1:
        raise Mismatch(f"step(0.0): expected a single value, got {_show(got)}")
    if float(got.reshape(-1)[0]) != 1.0:
        raise Mismatch(f"step(0.0): expected 1 (g(0) = 1 because 0 >= 0), got {_show(got.reshape(-1)[0])}")


@_check("q1", "step", "elementwise on a 2-D input, same shape")
def _step_values(m):
    z = np.array([[-2.0, -1e-9, 0.0], [1e-9, 0.5, 3.0]])
    expected = np.vectorize(_g)(z)
    _expect_close(m.step(z), expected, "step(z)", at=lambda i: f"z = {z[i]:g}")


@_check("q1", "step", "returns floats, not booleans")
def _step_dtype(m):
    got = m.step(np.array([-1.0, 1.0]))
    kind = getattr(got, "dtype", None)
    if kind is None or not np.issubdtype(kind, np.floating):
        raise Mismatch(
            f"step(np.array([-1.0, 1.0])): expected a float array, got {_show(got)}"
            + (f" with dtype {kind}" if kind is not None else "")
        )


# A small network: 3 hidden units, one with a negative input weight; x = 0.5
# lands exactly on the first unit's switching point (b + v x = 0).
_NET = {"w0": 0.5, "w": np.array([1.0, -2.0, 0.25]), "b": np.array([-1.0, 0.0, 1.5]), "v": np.array([2.0, -1.0, 1.0])}
_NET_X = np.array([-2.0, -0.5, 0.0, 0.5, 1.0])


def _f(x: float, w0, w, b, v) -> float:
    """f(x) = w0 + sum_i w_i g(b_i + v_i x), straight from the definition."""
    return float(w0) + sum(float(wi) * _g(float(bi) + float(vi) * x) for wi, bi, vi in zip(w, b, v))


@_check("q1", "step_network", "output has shape (N,)")
def _step_network_shape(m):
    _expect_shape(m.step_network(_NET_X.copy(), **_fresh(_NET)), _NET_X.shape, f"for x of shape {_NET_X.shape} and 3 hidden units")


@_check("q1", "step_network", "values match f(x) = w0 + sum_i w_i g(b_i + v_i x)")
def _step_network_values(m):
    expected = [_f(x, **_NET) for x in _NET_X]
    _expect_close(m.step_network(_NET_X.copy(), **_fresh(_NET)), expected, "f(x)", at=lambda i: f"x = {_NET_X[i]:g}")


@_check("q1", "indicator_params", "network is c on [lo, hi) and 0 elsewhere")
def _indicator(m):
    for lo, hi, c in [(-1.0, 2.0, 3.0), (0.5, 0.75, -1.5)]:
        what = f"indicator_params({lo:g}, {hi:g}, {c:g})"
        params = _expect_params(m.indicator_params(lo, hi, c), what)
        x = np.array([lo - 1.0, lo - 1e-6, lo, (lo + hi) / 2, hi - 1e-6, hi, hi + 1.0])
        expected = np.where((lo <= x) & (x < hi), c, 0.0)
        with _via_your_code("step_network"):
            got = m.step_network(x, **params)
            _expect_close(got, expected, f"network from {what}", at=lambda i: f"x = {x[i]:.7g}")


@_check("q1", "piecewise_constant_params", "network equals the piecewise constant function")
def _piecewise(m):
    cases = [([-1.0, 0.5, 2.0], [1.0, -2.0, 0.5, 3.0]), ([0.0], [2.0, -1.0])]
    for t, c in cases:
        what = f"piecewise_constant_params({t}, {c})"
        params = _expect_params(m.piecewise_constant_params(np.array(t), np.array(c)), what)
        x = np.array(sorted({t[0] - 2.0, t[-1] + 2.0} | {s + d for s in t for d in (-1e-6, 0.0, 0.25)}))
        # c_0 left of t_1; c_j on [t_j, t_{j+1}); c_K from t_K on
        expected = [c[sum(xi >= tj for tj in t)] for xi in x]
        with _via_your_code("step_network"):
            got = m.step_network(x, **params)
            _expect_close(got, expected, f"network from {what}", at=lambda i: f"x = {x[i]:.7g}")


# --------------------------------------------------------------------------
# Question 2: xor_relu.py
# --------------------------------------------------------------------------

# The four points and labels of the question (same as X, Y in xor_relu.py).
_XOR_X = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
_XOR_Y = np.array([1.0, -1.0, -1.0, 1.0])

# Some weights (not an XOR solution). W1 is not symmetric, so W1 vs W1.T shows.
_W = {"W1": np.array([[1.0, -2.0], [0.5, 1.0]]), "b1": np.array([0.5, -1.0]), "w2": np.array([2.0, -1.0]), "b2": 0.25}


def _relu_network_by_hand(x, W1, b1, w2, b2) -> float:
    """w2 . ReLU(W1 x + b1) + b2 for one point x, straight from the definition."""
    hidden = [max(sum(W1[j][i] * x[i] for i in range(2)) + b1[j], 0.0) for j in range(2)]
    return float(sum(w2[j] * hidden[j] for j in range(2)) + b2)


@_check("q2", "relu", "max(z, 0) elementwise, same shape")
def _relu(m):
    z = np.array([[-2.0, -0.5, 0.0], [0.5, 3.0, -1e-9]])
    _expect_close(m.relu(z), np.maximum(z, 0.0), "relu(z)", at=lambda i: f"z = {z[i]:g}")


@_check("q2", "relu_network", "output has shape (N,)")
def _relu_network_shape(m):
    _expect_shape(m.relu_network(_XOR_X.copy(), **_fresh(_W)), (4,), "for x of shape (4, 2)")


@_check("q2", "relu_network", "values match w2 . ReLU(W1 x + b1) + b2")
def _relu_network_values(m):
    expected = [_relu_network_by_hand(x, **_W) for x in _XOR_X]
    _expect_close(m.relu_network(_XOR_X.copy(), **_fresh(_W)), expected, "f(x)", at=lambda i: f"x = ({_XOR_X[i][0]:g}, {_XOR_X[i][1]:g})")


@_check("q2", "xor_weights", "W1 (2, 2), b1 (2,), w2 (2,), b2 a scalar")
def _xor_shapes(m):
    weights = m.xor_weights()
    shapes = {"W1": (2, 2), "b1": (2,), "w2": (2,), "b2": ()}
    if not isinstance(weights, dict) or set(weights) != set(shapes):
        raise Mismatch(f"expected a dict with keys 'W1', 'b1', 'w2', 'b2', got {_show(weights)}")
    for key, shape in shapes.items():
        got = _array(weights[key], f"xor_weights()[{key!r}]")
        if got.shape != shape and not (shape == () and got.size == 1):
            raise Mismatch(f"xor_weights()[{key!r}]: expected shape {shape}, got shape {got.shape}")


@_check("q2", "xor_weights", "classifies the four XOR points")
def _xor_classifies(m):
    weights = m.xor_weights()
    if not isinstance(weights, dict):
        raise Mismatch(f"expected a dict of weights, got {_show(weights)}")
    with _via_your_code("relu_network"):
        scores = _expect_shape(m.relu_network(_XOR_X.copy(), **weights), (4,), "relu_network(X, **xor_weights())")
        wrong = [
            f"at x = ({x[0]:g}, {x[1]:g}): expected sign {y:+g}, got score {s:.6g}"
            for x, y, s in zip(_XOR_X, _XOR_Y, scores)
            if np.sign(s) != y
        ]
        if wrong:
            raise Mismatch("; ".join(wrong) + " (a score of exactly 0 counts as wrong)")


# --------------------------------------------------------------------------
# Question 3: backprop.py
# --------------------------------------------------------------------------

def _softmax_by_hand(z) -> list[float]:
    total = sum(math.exp(zj) for zj in z)
    return [math.exp(zi) / total for zi in z]


# n = 2 inputs, m = 4 hidden units, k = 3 classes: all different, so a
# transposed gradient has the wrong shape. No W x + b1 is near 0.
_X3 = np.array([0.5, -1.0])
_P3 = {
    "W": np.array([[0.2, -0.4], [-0.3, 0.5], [0.6, 0.1], [-0.5, -0.2]]),
    "b1": np.array([0.1, -0.2, 0.3, -0.1]),
    "U": np.array([[0.3, -0.2, 0.5, 0.1], [-0.4, 0.6, 0.2, -0.3], [0.1, 0.25, -0.5, 0.4]]),
    "b2": np.array([0.05, -0.1, 0.2]),
}
_Y_ONE_HOT = np.array([0.0, 1.0, 0.0])
_Y_SOFT = np.array([0.2, 0.5, 0.3])


def _forward_by_hand(x, W, b1, U, b2):
    h = [max(sum(W[j][i] * x[i] for i in range(len(x))) + b1[j], 0.0) for j in range(len(b1))]
    z2 = [sum(U[c][j] * h[j] for j in range(len(h))) + b2[c] for c in range(len(b2))]
    return h, _softmax_by_hand(z2)


def _grads(m, y, params) -> dict:
    """Call backprop and check it returns a dict with the four keys."""
    grads = m.backprop(_X3.copy(), y.copy(), **_fresh(params))
    if not isinstance(grads, dict) or not set(params) <= set(grads):
        raise Mismatch(f"expected a dict with keys 'W', 'b1', 'U', 'b2', got {_show(grads)}")
    return grads


def _loss(m, y, params) -> float:
    """The given loss at params; it runs your forward and cross_entropy."""
    value = m.loss(_X3.copy(), y.copy(), **params)
    if np.ndim(value) != 0:
        raise Mismatch(f"loss (which uses your forward and cross_entropy) should give a single number, got {_show(value)}")
    return float(value)


@_check("q3", "softmax", "positive, sums to 1, equals exp(z_i) / sum_j exp(z_j)")
def _softmax_values(m):
    z = np.array([1.0, 2.0, 3.0, -1.0])
    _expect_close(m.softmax(z), _softmax_by_hand(z), "softmax([1, 2, 3, -1])", atol=1e-10)


@_check("q3", "softmax", "no overflow: softmax([1000, -1000]) is finite and sums to 1")
def _softmax_overflow(m):
    for z, expected in [([1000.0, -1000.0], [1.0, 0.0]), ([1000.0, 1000.0], [0.5, 0.5])]:
        what = f"softmax({[int(v) for v in z]})"
        got = _expect_shape(m.softmax(np.array(z)), (2,), what)
        if not np.all(np.isfinite(got)):
            raise Mismatch(f"{what}: expected finite values, got {_show(got)} (exp(1000) overflows; subtract max(z) first)")
        _expect_close(got, expected, what)


@_check("q3", "cross_entropy", "J = -sum_i y_i log(y_hat_i), a single number")
def _cross_entropy(m):
    y_hat = np.array([0.2, 0.7, 0.1])
    for y in (_Y_ONE_HOT, _Y_SOFT):
        what = f"cross_entropy({y.tolist()}, {y_hat.tolist()})"
        got = m.cross_entropy(y.copy(), y_hat.copy())
        if np.ndim(got) != 0:
            hint = " (did you forget the sum?)" if np.size(got) > 1 else ""
            raise Mismatch(f"{what}: expected a single number, got {_show(got)}{hint}")
        expected = -sum(yi * math.log(pi) for yi, pi in zip(y, y_hat))
        _expect_close(got, expected, what)


@_check("q3", "forward", "returns (h, y_hat) with shapes (m,) and (k,)")
def _forward_shapes(m):
    out = m.forward(_X3.copy(), **_fresh(_P3))
    if not isinstance(out, tuple) or len(out) != 2:
        raise Mismatch(f"expected a tuple (h, y_hat), got {_show(out)}")
    _expect_shape(out[0], (4,), "h (m = 4 hidden units)")
    _expect_shape(out[1], (3,), "y_hat (k = 3 classes)")


@_check("q3", "forward", "h = ReLU(W x + b1) and y_hat = softmax(U h + b2)")
def _forward_values(m):
    out = m.forward(_X3.copy(), **_fresh(_P3))
    if not isinstance(out, tuple) or len(out) != 2:
        raise Mismatch(f"expected a tuple (h, y_hat), got {_show(out)}")
    h, y_hat = _forward_by_hand(_X3, **_P3)
    _expect_close(out[0], h, "h")
    _expect_close(out[1], y_hat, "y_hat")


@_check("q3", "backprop", "each gradient has its parameter's shape")
def _backprop_shapes(m):
    grads = _grads(m, _Y_ONE_HOT, _P3)
    for key, param in _P3.items():
        got = _array(grads[key], f"dJ/d{key}")
        if got.shape != param.shape:
            raise Mismatch(f"dJ/d{key}: expected shape {param.shape} (the shape of {key}), got shape {got.shape}")


@_check("q3", "backprop", "gradients match centred finite differences of loss")
def _backprop_numerical(m, eps=1e-6):
    for y, label in [(_Y_ONE_HOT, "one-hot y"), (_Y_SOFT, "probability y")]:
        params = _fresh(_P3)
        grads = _grads(m, y, params)
        for key, param in params.items():
            got = _array(grads[key], f"dJ/d{key}")
            if got.shape != param.shape:
                raise Mismatch(f"dJ/d{key}: expected shape {param.shape} (the shape of {key}), got shape {got.shape}")
            numerical = np.zeros_like(param)
            for index in np.ndindex(param.shape):
                old = param[index]
                param[index] = old + eps
                up = _loss(m, y, params)
                param[index] = old - eps
                down = _loss(m, y, params)
                param[index] = old
                numerical[index] = (up - down) / (2 * eps)
            worst = float(np.max(np.abs(got - numerical)))
            if not np.allclose(got, numerical, rtol=1e-5, atol=1e-6):
                raise Mismatch(
                    f"dJ/d{key} with {label}: largest difference from the finite-difference "
                    f"estimate is {worst:.3g}; expected {_show(numerical)}, got {_show(got)}"
                )


@_check("q3", "backprop", "ReLU'(0) = 0: a unit with W x + b1 = 0 gets no gradient")
def _backprop_kink(m):
    params = _fresh(_P3)
    params["W"][1] = [1.0, 0.5]  # with x = (0.5, -1) and b1[1] = 0: z1[1] = 0.5 - 0.5 + 0 = 0
    params["b1"][1] = 0.0
    grads = _grads(m, _Y_ONE_HOT, params)
    db1 = _expect_shape(grads["b1"], (4,), "dJ/db1")
    dW = _expect_shape(grads["W"], (4, 2), "dJ/dW")
    if db1[1] != 0.0 or np.any(dW[1] != 0.0):
        raise Mismatch(
            f"hidden unit 1 has W x + b1 = 0 exactly, so its ReLU slope is 0 (the mask is 1{{h > 0}}, strictly); "
            f"expected dJ/db1[1] = 0 and dJ/dW[1] = [0, 0], got {db1[1]:.6g} and {_show(dW[1])}"
        )


# --------------------------------------------------------------------------
# Running checks
# --------------------------------------------------------------------------

def _student_frame(exc: BaseException):
    """The last traceback frame that lies in one of the student's modules, or None."""
    files = {str(HERE / f"{name}.py") for name in QUESTIONS.values()}
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename in files]
    return frames[-1] if frames else None


def explain(exc: BaseException) -> str:
    """One line for an exception: its type, message and, if known, where in your file."""
    text = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, SyntaxError) and exc.filename:
        return f"{type(exc).__name__}: {exc.msg} ({Path(exc.filename).name}, line {exc.lineno})"
    frame = _student_frame(exc)
    if frame is not None:
        code = f": {frame.line.strip()}" if frame.line else ""
        text += f" ({Path(frame.filename).name}, line {frame.lineno}{code})"
    return text


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
    """{module name: module, or the exception raised while loading it}."""
    loaded = {}
    for name in QUESTIONS.values():
        try:
            loaded[name] = load(name)
        except Exception as exc:  # a broken file must not stop the other questions
            loaded[name] = exc
    return loaded


def run_check(check: Check, modules: dict | None = None) -> Result:
    """Run one check against the student's module (loaded now unless given)."""
    name = QUESTIONS[check.question]
    module = (modules if modules is not None else load_all())[name]
    if isinstance(module, BaseException):
        return Result(check, FAIL, f"could not load {name}.py: {explain(module)}")
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            check.func(module)
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
    except Exception as exc:
        return Result(check, FAIL, f"raised {explain(exc)}")
    return Result(check, PASS, check.description)


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

#!/usr/bin/env python
"""Judge the corpus of real public implementations, independently of the project's grader.

Plain numpy: imports neither `autograder` nor `solutions`. For every corpus module
(tests/corpus/<slug>/{step_network,xor_relu,backprop}.py) and every function it implements
(a function raising NotImplementedError is "not implemented"), the judge calls it on many inputs
and compares with the question's definitions written out below:

    step(z)        = 1 where z >= 0, else 0 (g(0) = 1)
    step_network   = w0 + sum_i w_i g(b_i + v_i x)
    relu(z)        = max(z, 0)
    relu_network   = ReLU(x @ W1.T + b1) @ w2 + b2
    xor_weights    = weights with sign(relu_network(X)) == Y on the four XOR points
    softmax(z)     = exp(z) / sum(exp(z))                      (finite for logits of +-1000)
    cross_entropy  = -sum y log y_hat                          (y one-hot or soft)
    forward        = (h, y_hat), h = ReLU(W x + b1), y_hat = softmax(U h + b2)
    backprop       = dJ/d{W, b1, U, b2} of J = -sum y log softmax(U ReLU(W x + b1) + b2):
                     centred finite differences (float64, eps 1e-6) away from ReLU kinks; where a
                     hidden pre-activation is exactly 0 the one-sided rule ReLU'(0) = 0 (analytic).

"Close" means: same shape, and max|got - want| <= 1e-4 * max|want| + 1e-9 over the finite entries
of want; a non-finite entry of want (only ever in a mistake's answer) must be the same inf/NaN
in got. float32 code and epsilon safeguards in a log pass this.

Each function gets a verdict: "correct"; a named mistake (or several joined with "+", when the
answers equal exactly what those mistakes together compute, and no fewer names do); or "wrong"
(nothing matches; the manifest says why, after "wrong: "). The named mistakes:

    g0_zero              step with g(0) = 0
    W1_not_transposed    relu_network computing x @ W1
    no_max_subtraction   softmax exp(z)/sum(exp(z)) without subtracting max(z): inf/NaN at large logits.
                         For backprop the check is looser (NaN propagation depends on the code): the
                         gradients are non-finite exactly on the cases whose naive softmax is, and
                         otherwise equal the variant's.
    ce_sign              cross-entropy without the minus sign
    labels_argmax        soft labels collapsed to the one-hot of their largest entry (integer-label
                         code fed argmax(y)); changes cross_entropy and the gradients on soft labels only
    sign_flipped         delta1 = y - y_hat
    dU_transposed        dJ/dU returned as (delta1 h^T)^T
    dW_transposed        dJ/dW returned as (delta2 x^T)^T
    no_relu_mask         delta2 = U^T delta1 (no ReLU mask)
    mask_at_zero         mask 1{z1 >= 0} (ReLU'(0) taken as 1)
    log_of_sum           cross-entropy as -log(sum y y_hat) (the log outside the sum; NNFS's one-hot branch)
    relu_on_gradient     delta2 = max(U^T delta1, 0): the ReLU applied to the gradient

`python tests/corpus/judge.py` prints a table and exits 1 if any verdict disagrees with
tests/corpus/corpus.yaml (or a function implemented in a module has no verdict there, or a verdict
names a function the module does not implement). `-v` prints what failed for every verdict.
"""
from __future__ import annotations

import contextlib
import importlib.util
import io
import itertools
import sys
import warnings
from pathlib import Path

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
RTOL, ATOL = 1e-4, 1e-9
FD_EPS = 1e-6

MODULE_FUNCTIONS = {
    "step_network": ["step", "step_network", "indicator_params", "piecewise_constant_params"],
    "xor_relu": ["relu", "relu_network", "xor_weights"],
    "backprop": ["softmax", "cross_entropy", "forward", "backprop"],
}
# the mistakes each function is checked for, in the order names are joined in a verdict
FLAGS = {
    "step": ["g0_zero"],
    "step_network": ["g0_zero"],
    "relu": [],
    "relu_network": ["W1_not_transposed"],
    "softmax": ["no_max_subtraction"],
    "cross_entropy": ["ce_sign", "labels_argmax", "log_of_sum"],
    "forward": ["no_max_subtraction"],
    "backprop": ["labels_argmax", "mask_at_zero", "no_relu_mask", "relu_on_gradient", "sign_flipped",
                 "dU_transposed", "dW_transposed", "no_max_subtraction"],
}
MAX_COMBINED = 3  # at most this many mistakes in one verdict
XOR_X = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
XOR_Y = np.array([1.0, -1.0, -1.0, 1.0])


# ---------------------------------------------------------------- definitions (float64) ----------
def step_def(z, flags=()):
    z = np.asarray(z, dtype=float)
    return (z > 0).astype(float) if "g0_zero" in flags else (z >= 0).astype(float)


def step_network_def(x, w0, w, b, v, flags=()):
    x, w, b, v = (np.asarray(a, dtype=float) for a in (x, w, b, v))
    return float(w0) + step_def(b + np.outer(x, v), flags) @ w


def relu_def(z, flags=()):
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def relu_network_def(x, W1, b1, w2, b2, flags=()):
    x, W1, b1, w2 = (np.asarray(a, dtype=float) for a in (x, W1, b1, w2))
    pre = x @ W1 if "W1_not_transposed" in flags else x @ W1.T
    return np.maximum(pre + b1, 0.0) @ w2 + float(b2)


def softmax_def(z, flags=()):
    z = np.asarray(z, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        if "no_max_subtraction" in flags:
            e = np.exp(z)
        else:
            e = np.exp(z - np.max(z))
        return e / np.sum(e)


def onehot_argmax(y):
    y = np.asarray(y, dtype=float)
    out = np.zeros_like(y)
    out[np.argmax(y)] = 1.0
    return out


def cross_entropy_def(y, y_hat, flags=()):
    y = onehot_argmax(y) if "labels_argmax" in flags else np.asarray(y, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if "log_of_sum" in flags:
            j = float(-np.log(np.sum(y * np.asarray(y_hat, dtype=float))))
        else:
            j = float(-np.sum(y * np.log(np.asarray(y_hat, dtype=float))))
    return -j if "ce_sign" in flags else j


def forward_def(x, W, b1, U, b2, flags=()):
    x, W, b1, U, b2 = (np.asarray(a, dtype=float) for a in (x, W, b1, U, b2))
    h = np.maximum(W @ x + b1, 0.0)
    return h, softmax_def(U @ h + b2, flags)


def log_softmax(z):
    m = np.max(z)
    return z - m - np.log(np.sum(np.exp(z - m)))


def objective(x, y, W, b1, U, b2):
    """J = -sum y log softmax(U ReLU(W x + b1) + b2), computed stably."""
    return float(-np.sum(y * log_softmax(U @ np.maximum(W @ x + b1, 0.0) + b2)))


def backprop_analytic(x, y, W, b1, U, b2, flags=()):
    """The four gradients as the question defines them, or as the given mistakes compute them."""
    x, y, W, b1, U, b2 = (np.asarray(a, dtype=float) for a in (x, y, W, b1, U, b2))
    if "labels_argmax" in flags:
        y = onehot_argmax(y)
    z1 = W @ x + b1
    h = np.maximum(z1, 0.0)
    y_hat = softmax_def(U @ h + b2, flags)
    with np.errstate(invalid="ignore", over="ignore"):
        d1 = y_hat * np.sum(y) - y  # = y_hat - y, as sum(y) = 1
        if "sign_flipped" in flags:
            d1 = -d1
        back = U.T @ d1
        if "relu_on_gradient" in flags:
            d2 = np.maximum(back, 0.0)
        elif "no_relu_mask" in flags:
            d2 = back
        elif "mask_at_zero" in flags:
            d2 = back * (z1 >= 0)
        else:
            d2 = back * (z1 > 0)
        gU, gW = np.outer(d1, h), np.outer(d2, x)
    return {"W": gW.T if "dW_transposed" in flags else gW, "b1": d2,
            "U": gU.T if "dU_transposed" in flags else gU, "b2": d1}


def finite_differences(x, y, W, b1, U, b2):
    params = {"W": np.array(W, dtype=float), "b1": np.array(b1, dtype=float),
              "U": np.array(U, dtype=float), "b2": np.array(b2, dtype=float)}
    grads = {}
    for name, p in params.items():
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + FD_EPS
            up = objective(x, y, params["W"], params["b1"], params["U"], params["b2"])
            p[idx] = old - FD_EPS
            down = objective(x, y, params["W"], params["b1"], params["U"], params["b2"])
            p[idx] = old
            g[idx] = (up - down) / (2 * FD_EPS)
        grads[name] = g
    return grads


# ---------------------------------------------------------------- comparison ---------------------
def as_float_array(value):
    return np.asarray(value, dtype=float)


def close(got, want) -> bool:
    try:
        got = as_float_array(got)
    except (TypeError, ValueError):
        return False
    want = as_float_array(want)
    if got.shape != want.shape:
        return False
    finite = np.isfinite(want)
    if not np.all(finite):
        g, w = got[~finite], want[~finite]
        if not np.all((g == w) | (np.isnan(g) & np.isnan(w))):
            return False
    if not np.any(finite):
        return True
    if not np.all(np.isfinite(got[finite])):
        return False
    err = np.max(np.abs(got[finite] - want[finite]))
    return bool(err <= RTOL * np.max(np.abs(want[finite])) + ATOL)


def relative_error(got, want) -> str:
    try:
        got = as_float_array(got)
    except (TypeError, ValueError):
        return f"not numeric ({type(got).__name__})"
    want = as_float_array(want)
    if got.shape != want.shape:
        return f"shape {got.shape}, want {want.shape}"
    if not np.all(np.isfinite(got)):
        return "non-finite"
    scale = np.max(np.abs(want)) if want.size else 0.0
    err = np.max(np.abs(got - want)) if want.size else 0.0
    return f"rel err {err / scale:.1e}" if scale else f"abs err {err:.1e}"


def all_finite(value) -> bool:
    try:
        return bool(np.all(np.isfinite(as_float_array(value))))
    except (TypeError, ValueError):
        return True


# ---------------------------------------------------------------- cases --------------------------
class Case:
    """Arguments of one call, a tag saying what kind of input it is, and per-flag-set answers."""

    def __init__(self, tag, args, want_fn, exact=None):
        self.tag, self.args, self.want_fn = tag, args, want_fn
        self.exact = exact  # the correct answer when it is not want_fn(args) (finite differences)
        self._cache = {}

    def want(self, flags=()):
        key = tuple(flags)
        if key not in self._cache:
            self._cache[key] = self.exact if (not flags and self.exact is not None) else self.want_fn(*self.args, flags=flags)
        return self._cache[key]


def quarters(rng, low, high, size):
    return rng.integers(int(low * 4), int(high * 4) + 1, size=size) / 4.0


def step_cases(rng):
    cases = [Case("scalar 0", (0.0,), step_def), Case("scalar -0.0", (-0.0,), step_def),
             Case("scalar 2.5", (2.5,), step_def), Case("tiny around 0", (np.array([-1e-12, 0.0, 1e-12]),), step_def)]
    for i in range(4):
        z = np.concatenate([[0.0, -0.0], quarters(rng, -3, 3, 8), rng.normal(size=4)])
        cases.append(Case("vector with zeros", (rng.permutation(z),), step_def))
    m = quarters(rng, -1, 1, (3, 4))
    m[1, 2] = 0.0
    cases.append(Case("matrix with a zero", (m,), step_def))
    return cases


def step_network_cases(rng):
    cases = []
    for hidden in (1, 3, 5, 8):
        v = rng.choice([-2.0, -1.0, 0.5, 1.0, 2.0], hidden)
        t = quarters(rng, -2, 2, hidden)
        b = -v * t  # b + v t = 0 exactly at every breakpoint
        x = np.concatenate([t, t - 0.125, t + 0.125, quarters(rng, -3, 3, 3)])
        args = (rng.permutation(x), float(quarters(rng, -2, 2, 1)[0]), quarters(rng, -2, 2, hidden), b, v)
        cases.append(Case(f"breakpoints, H={hidden}", args, step_network_def))
    return cases


def relu_cases(rng):
    cases = [Case("scalar 0", (0.0,), relu_def), Case("scalar -0.0", (-0.0,), relu_def),
             Case("scalar -1.5", (-1.5,), relu_def), Case("list", ([-2.5, 0.0, 4.0],), relu_def)]
    for _ in range(3):
        z = np.concatenate([[0.0, -0.0], rng.normal(size=6) * 3])
        cases.append(Case("vector with zeros", (rng.permutation(z),), relu_def))
    cases.append(Case("matrix", (rng.normal(size=(3, 2)),), relu_def))
    return cases


def relu_network_cases(rng):
    cases = []
    for n in (1, 4, 7):
        for _ in range(100):  # until a transposed W1 changes the output
            x, W1, b1, w2, b2 = rng.normal(size=(n, 2)) * 2, rng.normal(size=(2, 2)), rng.normal(size=2), rng.normal(size=2), float(rng.normal())
            W1[0, 1] += 1.0
            if np.max(np.abs(relu_network_def(x, W1, b1, w2, b2) - relu_network_def(x, W1, b1, w2, b2, ("W1_not_transposed",)))) > 1e-3:
                break
        cases.append(Case(f"random, N={n}", (x, W1, b1, w2, b2), relu_network_def))
    # a pre-activation exactly 0 (dyadic numbers)
    x = np.array([[1.0, -0.5], [0.25, 0.75], [-1.0, 1.0]])
    W1 = np.array([[1.0, 2.0], [-0.5, 1.5]])
    b1 = np.array([0.0, -0.25])
    cases.append(Case("pre-activation exactly 0", (x, W1, b1, np.array([1.5, -2.0]), 0.5), relu_network_def))
    cases.append(Case("XOR points", (XOR_X, np.array([[1.0, 1.0], [-1.0, -1.0]]), np.zeros(2), np.ones(2), -1.0), relu_network_def))
    return cases


def softmax_cases(rng):
    cases = [Case("k=1", (rng.normal(size=1),), softmax_def)]
    for k in (2, 3, 4, 7):
        cases.append(Case(f"random k={k}", (rng.normal(size=k) * 3,), softmax_def))
    cases += [Case("logits +-1000", (np.array([1000.0, -1000.0, 999.0]),), softmax_def),
              Case("logits -1000, -1001", (np.array([-1000.0, -1001.0]),), softmax_def),
              Case("logits around 800", (rng.normal(size=5) * 2 + 800,), softmax_def)]
    return cases


def cross_entropy_cases(rng):
    cases = []
    for k in (2, 3, 4, 6, 10):
        for _ in range(2):
            y_hat = rng.dirichlet(np.ones(k))
            cases.append(Case(f"one-hot, k={k}", (np.eye(k)[rng.integers(k)], y_hat), cross_entropy_def))
            cases.append(Case(f"soft, k={k}", (rng.dirichlet(np.ones(k)), y_hat), cross_entropy_def))
    y_hat = softmax_def(np.array([4.0, 0.0, -3.0]))
    cases.append(Case("confident y_hat, soft", (np.array([0.2, 0.5, 0.3]), y_hat), cross_entropy_def))
    cases.append(Case("confident y_hat, one-hot", (np.array([0.0, 0.0, 1.0]), y_hat), cross_entropy_def))
    return cases


SHAPES = [(3, 4, 3), (1, 1, 2), (2, 3, 1), (5, 6, 4), (4, 2, 7), (2, 5, 3)]  # (n, m, k)


def labels_for(rng, k):
    return [("one-hot", np.eye(k)[rng.integers(k)]), ("soft", rng.dirichlet(np.ones(k)) if k > 1 else np.ones(1))]


def smooth_network(rng, n, m, k):
    while True:  # every hidden pre-activation well away from 0, so finite differences are valid
        x, W, b1 = rng.normal(size=n), rng.normal(size=(m, n)), rng.normal(size=m)
        if np.min(np.abs(W @ x + b1)) > 1e-2:
            return x, W, b1, rng.normal(size=(k, m)), rng.normal(size=k)


def kink_network(rng, n, m, k):
    """Dyadic numbers, hidden units 0, 2, 4, ... with a pre-activation exactly 0, the others >= 0.25 away."""
    while True:
        x, W = quarters(rng, -2, 2, n), quarters(rng, -2, 2, (m, n))
        b1 = quarters(rng, -2, 2, m)
        kinks = np.arange(m) % 2 == 0
        b1[kinks] = -(W @ x)[kinks]
        z1 = W @ x + b1
        U, b2 = quarters(rng, -2, 2, (k, m)), quarters(rng, -1, 1, k)
        if np.all(z1[kinks] == 0.0) and np.all(np.abs(z1[~kinks]) >= 0.25) and np.any(U[:, kinks] != 0):
            return x, W, b1, U, b2, kinks


def large_network(rng, n, m, k):
    """Integer-valued network whose logits are in the hundreds to thousands: exact in float32 too."""
    while True:
        x, W = rng.integers(-2, 3, n).astype(float), rng.integers(-2, 3, (m, n)).astype(float)
        b1 = rng.integers(-2, 3, m).astype(float)
        z1 = W @ x + b1
        U, b2 = rng.integers(-3, 4, (k, m)) * 250.0, rng.integers(-2, 3, k) * 100.0
        z2 = U @ np.maximum(z1, 0.0) + b2
        if np.all(np.abs(z1) >= 1) and np.ptp(z2) >= 500 and np.max(np.abs(z2)) >= 700:
            return x, W, b1, U, b2


def forward_cases(rng):
    cases = []
    for n, m, k in SHAPES:
        cases.append(Case(f"smooth {n},{m},{k}", smooth_network(rng, n, m, k), forward_def))
        cases.append(Case(f"kink {n},{m},{k}", kink_network(rng, n, m, k)[:5], forward_def))
    for n, m, k in SHAPES[:3]:
        if k > 1:
            cases.append(Case(f"large logits {n},{m},{k}", large_network(rng, n, m, k), forward_def))
    return cases


def backprop_cases(rng):
    cases = []
    for n, m, k in SHAPES:
        net = smooth_network(rng, n, m, k)
        for label, y in labels_for(rng, k):
            args = (net[0], y) + net[1:]
            fd = finite_differences(*args)
            exact = backprop_analytic(*args)
            for key in fd:  # the question's formulas agree with the finite differences
                assert close(exact[key], fd[key]), f"judge bug: analytic != FD on smooth {n},{m},{k} {label} {key}"
            cases.append(Case(f"smooth/{label}", args, backprop_analytic, exact=fd))
        x, W, b1, U, b2, kinks = kink_network(rng, n, m, k)
        for label, y in labels_for(rng, k):
            args = (x, y, W, b1, U, b2)
            exact = backprop_analytic(*args)
            fd = finite_differences(*args)  # valid where J is differentiable: U, b2, rows of non-kink units
            for key in ("U", "b2"):
                assert close(exact[key], fd[key]), f"judge bug: analytic != FD at kink {n},{m},{k} {key}"
            assert close(exact["W"][~kinks], fd["W"][~kinks]) and close(exact["b1"][~kinks], fd["b1"][~kinks])
            cases.append(Case(f"kink/{label}", args, backprop_analytic, exact=exact))
    for n, m, k in [(3, 4, 3), (2, 3, 2), (4, 5, 6)]:
        x, W, b1, U, b2 = large_network(rng, n, m, k)
        z2 = U @ np.maximum(W @ x + b1, 0.0) + b2
        for label, y in [("one-hot on the top logit", np.eye(k)[np.argmax(z2)]),
                         ("one-hot on the lowest logit", np.eye(k)[np.argmin(z2)]),
                         ("soft", rng.dirichlet(np.ones(k)))]:
            args = (x, y, W, b1, U, b2)
            fd = finite_differences(*args)
            exact = backprop_analytic(*args)
            for key in fd:
                assert close(exact[key], fd[key]), f"judge bug: analytic != FD at large logits {key}"
            cases.append(Case(f"large logits/{label}", args, backprop_analytic, exact=fd))
    return cases


def build_cases():
    rng = np.random.default_rng(20261202)
    return {"step": step_cases(rng), "step_network": step_network_cases(rng), "relu": relu_cases(rng),
            "relu_network": relu_network_cases(rng), "softmax": softmax_cases(rng),
            "cross_entropy": cross_entropy_cases(rng), "forward": forward_cases(rng),
            "backprop": backprop_cases(rng)}


# ---------------------------------------------------------------- calling the corpus -------------
class Raised:
    def __init__(self, exc):
        self.exc = exc

    def __repr__(self):
        message = " ".join(str(self.exc).split())
        return f"raises {type(self.exc).__name__}: {message[:70]}"


def copy_args(args):
    return tuple(np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args)


def call(fn, args):
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return fn(*copy_args(args))
        except NotImplementedError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure of third-party code is a finding
            return Raised(exc)


def load(path: Path, slug: str):
    spec = importlib.util.spec_from_file_location(f"corpus_{slug.replace('-', '_')}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    with contextlib.redirect_stdout(io.StringIO()):
        spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- matching -----------------------
def matches(name, got, case, flags) -> bool:
    if isinstance(got, Raised):
        return False
    want = case.want(flags)
    if name == "forward":
        return isinstance(got, (tuple, list)) and len(got) == 2 and close(got[0], want[0]) and close(got[1], want[1])
    if name == "backprop":
        if not isinstance(got, dict) or any(key not in got for key in want):
            return False
        for key, w in want.items():
            if "no_max_subtraction" in flags and not all_finite(w):
                if all_finite(got[key]):  # loose: where the naive softmax overflows, any inf/NaN will do
                    return False
            elif not close(got[key], w):
                return False
        return True
    if name == "cross_entropy":
        try:
            return np.ndim(got) == 0 and close(float(got), want)
        except (TypeError, ValueError):
            return False
    return close(got, want)


def describe(name, answers, cases) -> str:
    """A short account of where the answers differ from the question's definition."""
    notes = []
    for got, case in zip(answers, cases):
        if isinstance(got, Raised):
            notes.append(f"{case.tag}: {got!r}")
            continue
        if matches(name, got, case, ()):
            continue
        want = case.want()
        if name == "forward" and isinstance(got, (tuple, list)) and len(got) == 2:
            notes.append(f"{case.tag}: h {relative_error(got[0], want[0])}, y_hat {relative_error(got[1], want[1])}")
        elif name == "backprop" and isinstance(got, dict):
            parts = [f"{key} {relative_error(got.get(key), want[key])}" for key in want
                     if key not in got or not close(got[key], want[key])]
            notes.append(f"{case.tag}: " + ", ".join(parts))
        else:
            notes.append(f"{case.tag}: {relative_error(got, want)}")
    by_tag = {}
    for note in notes:  # first note of each kind of input
        tag, _, rest = note.partition(": ")
        by_tag.setdefault(tag, rest)
    by_note = {}
    for tag, rest in by_tag.items():  # inputs that went wrong the same way, together
        by_note.setdefault(rest, []).append(tag)
    return "; ".join(f"{', '.join(tags)}: {rest}" for rest, tags in by_note.items())


def judge(name, fn, cases):
    """Return (verdict, details) for one implemented function."""
    if name == "xor_weights":
        got = call(fn, ())
        if isinstance(got, Raised):
            return "wrong", repr(got)
        try:
            scores = relu_network_def(XOR_X, got["W1"], got["b1"], got["w2"], got["b2"])
        except Exception as exc:  # noqa: BLE001
            return "wrong", f"unusable weights: {exc}"
        if np.all(np.sign(scores) == XOR_Y):
            return "correct", ""
        return "wrong", f"scores {np.round(scores, 3).tolist()} on X, signs must be {XOR_Y.tolist()}"
    answers = [call(fn, case.args) for case in cases]
    names = FLAGS[name]
    for size in range(0, min(MAX_COMBINED, len(names)) + 1):
        for flags in itertools.combinations(names, size):
            if all(matches(name, got, case, flags) for got, case in zip(answers, cases)):
                return ("correct" if not flags else "+".join(flags)), describe(name, answers, cases)
    return "wrong", describe(name, answers, cases)


PROBE_ARGS = {"xor_weights": (), "indicator_params": (0.0, 1.0, 2.0),
              "piecewise_constant_params": (np.array([0.0, 1.0]), np.array([0.0, 1.0, -1.0]))}


def implemented(fn, cases, name) -> bool:
    args = PROBE_ARGS[name] if name in PROBE_ARGS else cases[0].args
    try:
        call(fn, args)
    except NotImplementedError:
        return False
    return True


# ---------------------------------------------------------------- main ---------------------------
def verdict_agrees(judged: str, recorded) -> bool:
    recorded = str(recorded)
    if judged == "wrong":
        return recorded.startswith("wrong:") and len(recorded) > len("wrong:")
    return judged == recorded


def main(argv) -> int:
    sys.dont_write_bytecode = True  # leave no __pycache__ in the corpus folders
    verbose = "-v" in argv or "--verbose" in argv
    manifest = yaml.safe_load((HERE / "corpus.yaml").read_text())
    entries = {entry["slug"]: entry for entry in manifest["entries"]}
    cases = build_cases()
    rows, problems = [], []
    slugs = sorted(p.name for p in HERE.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    for slug in sorted(set(slugs) | set(entries)):
        if slug not in slugs:
            problems.append(f"{slug}: in corpus.yaml but no folder")
            continue
        recorded = dict((entries.get(slug) or {}).get("verdicts") or {})
        if slug not in entries:
            problems.append(f"{slug}: folder without an entry in corpus.yaml")
        seen = set()
        for module_name, functions in MODULE_FUNCTIONS.items():
            path = HERE / slug / f"{module_name}.py"
            if not path.exists():
                continue
            module = load(path, slug)
            for name in functions:
                fn = getattr(module, name, None)
                if fn is None or not callable(fn):
                    continue
                if not implemented(fn, cases.get(name, []), name):
                    continue
                seen.add(name)
                if name not in FLAGS and name != "xor_weights":
                    rows.append((slug, name, "unjudged", recorded.get(name, "-"), "NO"))
                    problems.append(f"{slug}.{name}: the judge has no cases for it")
                    continue
                verdict, details = judge(name, fn, cases.get(name, []))
                want = recorded.get(name)
                ok = want is not None and verdict_agrees(verdict, want)
                shown = "-" if want is None else str(want)
                shown = shown if len(shown) <= 48 else shown[:45] + "..."
                rows.append((slug, name, verdict, shown, "ok" if ok else "MISMATCH"))
                if not ok:
                    problems.append(f"{slug}.{name}: judge says {verdict!r}, corpus.yaml says {want!r}")
                if details and (verbose or not ok or verdict == "wrong"):
                    rows.append(("", "", "  vs the definition - " + details[:600], "", ""))
        for name in set(recorded) - seen:
            problems.append(f"{slug}.{name}: has a verdict in corpus.yaml but is not implemented")
    widths = [max(len(str(r[i])) for r in rows if r[0] or i < 2) if rows else 0 for i in range(5)]
    widths[2] = min(widths[2], 40)
    header = ("slug", "function", "judge", "corpus.yaml", "")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    for row in rows:
        if not row[0] and not row[1]:
            print(" " * (widths[0] + widths[1] + 4) + row[2])
            continue
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths)))
    total = sum(1 for r in rows if r[0])
    print(f"\n{total} verdicts over {len(slugs)} entries; {len(problems)} problem(s)")
    for p in problems:
        print("  " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

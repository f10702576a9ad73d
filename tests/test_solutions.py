"""Independent checks of the reference solutions in solutions/.

Nothing here compares a solution with itself: every expected value comes from
the definitions in the module docstrings, computed another way (finite
differences of the loss, plain Python loops, np.searchsorted, closed forms).

The solution modules are loaded by file path, so assignment/ (the stubs with the
same module names) can never be picked up instead.
"""
from __future__ import annotations

import inspect
import math
from pathlib import Path

import numpy as np
import pytest

from autograder.grading.reference import load_module

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"


def _load(name: str):
    path = SOLUTIONS / f"{name}.py"
    module = load_module(path, f"_reference_{name}")
    assert Path(module.__file__).resolve() == path.resolve()
    return module


sn = _load("step_network")
xr = _load("xor_relu")
bp = _load("backprop")


# ===========================================================================
# Question 3: backprop.py
# ===========================================================================

# (n inputs, m hidden units, k classes); several with a dimension equal to 1.
SHAPES = [
    (1, 1, 1),
    (1, 1, 2),
    (1, 4, 3),
    (3, 1, 2),
    (3, 4, 1),
    (2, 1, 1),
    (2, 3, 3),
    (4, 5, 2),
    (5, 3, 6),
    (3, 8, 4),
]
SEEDS = [0, 1, 2]
KINK_GAP = 1e-3  # finite-difference cases keep every |z1_i| at least this far from 0
EPS = 1e-6


def _label(rng, k: int, kind: str) -> np.ndarray:
    if kind == "one-hot":
        y = np.zeros(k)
        y[rng.integers(k)] = 1.0
        return y
    y = rng.random(k) + 0.05  # a probability vector with every entry > 0
    return y / y.sum()


def _problem(n: int, m: int, k: int, seed: int, kind: str):
    """Random x, y and parameters with no pre-activation within KINK_GAP of 0."""
    rng = np.random.default_rng([seed, n, m, k])
    while True:
        x = rng.normal(size=n) * 1.5
        params = {
            "W": rng.normal(size=(m, n)),
            "b1": rng.normal(size=m) * 0.5,
            "U": rng.normal(size=(k, m)) * 1.5,
            "b2": rng.normal(size=k),
        }
        z1 = params["W"] @ x + params["b1"]
        if np.all(np.abs(z1) > KINK_GAP):
            return x, _label(rng, k, kind), params


def _numerical_gradient(x, y, params: dict, key: str) -> np.ndarray:
    """Centred finite differences of the given `loss`, one entry at a time."""
    params = {name: value.copy() for name, value in params.items()}
    param = params[key]
    grad = np.zeros_like(param)
    for index in np.ndindex(param.shape):
        old = param[index]
        param[index] = old + EPS
        up = bp.loss(x, y, **params)
        param[index] = old - EPS
        down = bp.loss(x, y, **params)
        param[index] = old
        grad[index] = (up - down) / (2 * EPS)
    return grad


def _softmax_by_hand(z) -> list[float]:
    top = max(z)
    e = [math.exp(zi - top) for zi in z]
    s = math.fsum(e)
    return [ei / s for ei in e]


def _loss_by_hand(x, y, W, b1, U, b2) -> float:
    """J from the definitions with plain Python loops (no numpy linear algebra)."""
    m, n = W.shape
    k = U.shape[0]
    h = [max(math.fsum(W[i, j] * x[j] for j in range(n)) + b1[i], 0.0) for i in range(m)]
    z2 = [math.fsum(U[c, i] * h[i] for i in range(m)) + b2[c] for c in range(k)]
    y_hat = _softmax_by_hand(z2)
    return -math.fsum(y[c] * math.log(y_hat[c]) for c in range(k) if y[c] != 0)


@pytest.mark.parametrize("kind", ["one-hot", "soft"])
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n,m,k", SHAPES)
def test_backprop_matches_finite_differences(n, m, k, seed, kind):
    x, y, params = _problem(n, m, k, seed, kind)
    grads = bp.backprop(x, y, **params)
    assert set(grads) == {"W", "b1", "U", "b2"}
    for key, param in params.items():
        got = np.asarray(grads[key])
        assert got.shape == param.shape, f"dJ/d{key}: shape {got.shape}, parameter shape {param.shape}"
        expected = _numerical_gradient(x, y, params, key)
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7, err_msg=f"dJ/d{key} (n={n}, m={m}, k={k})")


def test_finite_difference_cases_are_not_trivial():
    """The random cases exercise both active and inactive hidden units, and nonzero gradients."""
    active = inactive = 0
    for n, m, k in SHAPES:
        for seed in SEEDS:
            x, y, params = _problem(n, m, k, seed, "soft")
            z1 = params["W"] @ x + params["b1"]
            active += int(np.sum(z1 > 0))
            inactive += int(np.sum(z1 < 0))
    assert active >= 20 and inactive >= 20
    x, y, params = _problem(3, 8, 4, 0, "one-hot")
    assert all(np.any(np.asarray(g) != 0) for g in bp.backprop(x, y, **params).values())


@pytest.mark.parametrize("kind", ["one-hot", "soft"])
@pytest.mark.parametrize("n,m,k", [(1, 1, 2), (3, 4, 3), (2, 5, 1), (4, 2, 5)])
def test_loss_and_forward_match_the_definitions(n, m, k, kind):
    x, y, params = _problem(n, m, k, 7, kind)
    h, y_hat = bp.forward(x, **params)
    assert np.shape(h) == (m,) and np.shape(y_hat) == (k,)
    z1 = [math.fsum(params["W"][i, j] * x[j] for j in range(n)) + params["b1"][i] for i in range(m)]
    np.testing.assert_allclose(h, [max(z, 0.0) for z in z1], rtol=1e-12, atol=1e-12)
    assert math.isclose(bp.loss(x, y, **params), _loss_by_hand(x, y, **params), rel_tol=1e-10, abs_tol=1e-12)


@pytest.mark.parametrize("n,m,k", SHAPES)
def test_forward_and_gradient_shapes(n, m, k):
    x, y, params = _problem(n, m, k, 3, "one-hot")
    out = bp.forward(x, **params)
    assert isinstance(out, tuple) and len(out) == 2
    h, y_hat = out
    assert np.shape(h) == (m,)
    assert np.shape(y_hat) == (k,)
    grads = bp.backprop(x, y, **params)
    for key, param in params.items():
        assert np.shape(grads[key]) == param.shape, key


@pytest.mark.parametrize("kind", ["one-hot", "soft"])
@pytest.mark.parametrize("n,m,k,seed", [(2, 3, 3, 0), (1, 4, 2, 1), (4, 2, 5, 2), (3, 1, 2, 3)])
def test_relu_kink_gets_zero_gradient(n, m, k, seed, kind):
    """A hidden unit with W x + b1 = 0 exactly: ReLU'(0) = 0, so no gradient reaches it."""
    rng = np.random.default_rng([99, seed])
    # small integers: every product and sum below is exact, so z1[j] is exactly 0
    x = rng.integers(-3, 4, size=n).astype(float)
    x[0] = 2.0  # x is not all zero, so a wrong mask shows in dJ/dW[j]
    W = rng.integers(-3, 4, size=(m, n)).astype(float)
    b1 = rng.integers(-3, 4, size=m).astype(float)
    U = rng.normal(size=(k, m))
    b2 = rng.normal(size=k)
    y = _label(rng, k, kind)
    j = int(rng.integers(m))
    W[j, 0] = 1.0
    b1[j] = -float(W[j] @ x)
    assert W[j] @ x + b1[j] == 0.0 and (W @ x + b1)[j] == 0.0
    # the gradient a mask of 1{z1 >= 0} would give is not zero, so the check bites
    y_hat = np.asarray(bp.forward(x, W, b1, U, b2)[1])
    assert k == 1 or abs(float(U[:, j] @ (y_hat - y))) > 1e-6

    grads = bp.backprop(x, y, W, b1, U, b2)
    db1, dW, dU = (np.asarray(grads[key]) for key in ("b1", "W", "U"))
    assert db1[j] == 0.0
    assert np.all(dW[j] == 0.0)
    assert np.all(dU[:, j] == 0.0)  # h[j] = 0 as well


# ---------------------------------------------------------------------------
# softmax and cross_entropy
# ---------------------------------------------------------------------------

E = math.e


@pytest.mark.parametrize(
    "z,expected",
    [
        ([1000.0, -1000.0, 999.0], [E / (1 + E), 0.0, 1 / (1 + E)]),
        ([-1000.0, -1001.0], [E / (1 + E), 1 / (1 + E)]),
        ([1000.0, 999.0], [E / (1 + E), 1 / (1 + E)]),
        ([-1000.0, -1000.0, -1000.0, -1000.0], [0.25] * 4),
        ([710.0, 0.0], [1.0, math.exp(-710.0)]),
        ([0.0, math.log(3.0)], [0.25, 0.75]),
    ],
)
def test_softmax_extreme_logits(z, expected):
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        got = np.asarray(bp.softmax(np.array(z)), dtype=float)
    assert got.shape == (len(z),)
    assert np.all(np.isfinite(got))
    assert math.isclose(got.sum(), 1.0, rel_tol=1e-12)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("seed", range(4))
def test_softmax_matches_definition_and_is_shift_invariant(seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=int(rng.integers(2, 7))) * 3
    direct = np.exp(z) / np.exp(z).sum()  # safe here: |z| is small
    got = np.asarray(bp.softmax(z))
    np.testing.assert_allclose(got, direct, rtol=1e-12)
    assert np.all(got > 0) and math.isclose(got.sum(), 1.0, rel_tol=1e-12)
    for shift in (-700.0, -3.25, 0.1, 500.0, 1e4):
        np.testing.assert_allclose(bp.softmax(z + shift), direct, rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("z", [[0.0], [1000.0], [-1000.0], [1e300], [-3.7]])
def test_softmax_of_one_logit_is_one(z):
    got = np.asarray(bp.softmax(np.array(z)), dtype=float)
    assert got.shape == (1,)
    assert got[0] == 1.0


def test_softmax_accepts_a_list_and_leaves_its_input_alone():
    z = np.array([1.0, 2.0, 3.0])
    before = z.copy()
    bp.softmax(z)
    np.testing.assert_array_equal(z, before)
    np.testing.assert_allclose(bp.softmax([1.0, 2.0, 3.0]), _softmax_by_hand([1.0, 2.0, 3.0]), rtol=1e-12)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("kind", ["one-hot", "soft"])
def test_cross_entropy_matches_definition(seed, kind):
    rng = np.random.default_rng([seed, 11])
    k = int(rng.integers(1, 7))
    y_hat = rng.random(k) + 0.01
    y_hat /= y_hat.sum()
    y = _label(rng, k, kind)
    expected = -math.fsum(float(yi) * math.log(float(pi)) for yi, pi in zip(y, y_hat))
    got = bp.cross_entropy(y, y_hat)
    assert np.ndim(got) == 0
    assert math.isclose(float(got), expected, rel_tol=1e-12, abs_tol=1e-15)


def test_cross_entropy_one_hot_is_minus_log_of_the_true_class():
    y_hat = np.array([0.2, 0.5, 0.3])
    assert math.isclose(bp.cross_entropy(np.array([0.0, 1.0, 0.0]), y_hat), -math.log(0.5), rel_tol=1e-14)
    assert math.isclose(bp.cross_entropy(np.array([0.5, 0.0, 0.5]), y_hat),
                        -(0.5 * math.log(0.2) + 0.5 * math.log(0.3)), rel_tol=1e-14)
    assert bp.cross_entropy(np.array([1.0]), np.array([1.0])) == 0.0


# ===========================================================================
# Question 1: step_network.py
# ===========================================================================

def _f_by_hand(x: float, w0, w, b, v) -> float:
    return float(w0) + sum(float(wi) * (1.0 if float(bi) + float(vi) * x >= 0 else 0.0) for wi, bi, vi in zip(w, b, v))


def _probe_points(points) -> np.ndarray:
    """Every point, both floating-point neighbours, +-1e-6, and far left and right."""
    points = np.asarray(points, dtype=float)
    xs = [points, np.nextafter(points, -np.inf), np.nextafter(points, np.inf), points - 1e-6, points + 1e-6,
          [points.min() - 10.0, points.min() - 1e6, points.max() + 10.0, points.max() + 1e6]]
    return np.concatenate([np.ravel(a) for a in xs])


def _breakpoint_cases():
    rng = np.random.default_rng(2024)
    cases = [
        ([0.0], [2.0, -1.0]),  # a single breakpoint
        ([0.1], [0.0, 0.3]),
        ([-3.7], [1.5, 1.5]),  # a single breakpoint, equal neighbouring values
        ([0.5, 0.75, 1.0], [1.0, -2.0, -2.0, 4.0]),  # dyadic, with a repeat
        ([0.1, 0.2, 0.3], [0.1, 0.2, 0.3, 0.1]),  # non-dyadic breakpoints and values
        ([1.0 / 3.0, 2.0 / 3.0], [-1.0, 1.0 / 7.0, 5.0]),
        ([0.1, float(np.nextafter(0.1, np.inf))], [0.0, 1.0, 2.0]),  # adjacent floats
        ([-1e6, 1e6, 1e6 + 0.1], [3.0, -3.0, 0.5, -0.25]),
    ]
    for _ in range(4):  # random dyadic breakpoints, values with repeats
        K = int(rng.integers(1, 8))
        t = np.sort(rng.choice(np.arange(-64, 65), size=K, replace=False)) / 8.0
        c = rng.integers(-3, 4, size=K + 1) / 2.0
        if K >= 2:
            c[2] = c[1]  # a repeated neighbouring value for sure
        cases.append((t.tolist(), c.tolist()))
    for _ in range(4):  # random non-dyadic breakpoints and values
        K = int(rng.integers(1, 10))
        t = np.sort(rng.uniform(-5, 5, size=K))
        assert np.all(np.diff(t) > 0)
        c = rng.normal(size=K + 1) * 3
        if K >= 3:
            c[3] = c[2]
        cases.append((t.tolist(), c.tolist()))
    return cases


@pytest.mark.parametrize("t,c", _breakpoint_cases())
def test_piecewise_constant_params_equal_the_definition(t, c):
    t_arr, c_arr = np.array(t), np.array(c)
    params = sn.piecewise_constant_params(t_arr.copy(), c_arr.copy())
    assert set(params) >= {"w0", "w", "b", "v"}
    assert np.size(params["w0"]) == 1
    assert np.shape(params["w"]) == np.shape(params["b"]) == np.shape(params["v"])
    assert len(np.shape(params["w"])) == 1

    x = _probe_points(t_arr)
    # c_0 on x < t_1, c_j on t_j <= x < t_{j+1}, c_K on x >= t_K
    expected = c_arr[np.searchsorted(t_arr, x, side="right")]
    got = sn.step_network(x, **params)
    assert np.shape(got) == x.shape
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12 * (1 + np.abs(c_arr).max()))
    # and with the breakpoints and values as plain lists
    np.testing.assert_allclose(sn.step_network(x, **sn.piecewise_constant_params(t, c)), expected,
                               rtol=1e-12, atol=1e-12 * (1 + np.abs(c_arr).max()))


@pytest.mark.parametrize("t,c", _breakpoint_cases()[:4])
def test_piecewise_constant_values_at_breakpoints_explicitly(t, c):
    """Spelled out without searchsorted: at t_j the value is c_j, just left it is c_{j-1}."""
    params = sn.piecewise_constant_params(np.array(t), np.array(c))
    for j, tj in enumerate(t, start=1):
        left = float(np.nextafter(tj, -np.inf))
        got = sn.step_network(np.array([left, tj - 1e-6, tj]), **params)
        assert math.isclose(got[0], c[j - 1], abs_tol=1e-12)
        assert math.isclose(got[1], c[j - 1], abs_tol=1e-12)
        assert math.isclose(got[2], c[j], abs_tol=1e-12)


def _indicator_cases():
    rng = np.random.default_rng(7)
    cases = [
        (-1.0, 2.0, 3.0),
        (0.5, 0.75, -1.5),
        (0.1, 0.3, 2.5),  # non-dyadic ends
        (0.0, 1.0 / 3.0, 1.0 / 7.0),
        (-5.0, -4.9, 10.0),
        (2.0, float(np.nextafter(2.0, np.inf)), 4.0),  # the smallest possible interval
        (-1e6, 1e6, -0.2),
    ]
    for _ in range(4):
        lo, hi = np.sort(rng.uniform(-10, 10, size=2))
        cases.append((float(lo), float(hi), float(rng.normal() * 5)))
    return cases


@pytest.mark.parametrize("lo,hi,c", _indicator_cases())
def test_indicator_params_is_c_on_half_open_interval(lo, hi, c):
    params = sn.indicator_params(lo, hi, c)
    assert set(params) >= {"w0", "w", "b", "v"}
    assert np.shape(params["w"]) == np.shape(params["b"]) == np.shape(params["v"])
    x = _probe_points([lo, hi])
    x = np.concatenate([x, [(lo + hi) / 2]])
    expected = np.where((lo <= x) & (x < hi), c, 0.0)
    got = sn.step_network(x, **params)
    assert np.shape(got) == x.shape
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    # the ends themselves, spelled out
    at_lo, at_hi = sn.step_network(np.array([lo, hi]), **params)
    assert math.isclose(at_lo, c, rel_tol=1e-12) and at_hi == pytest.approx(0.0, abs=1e-12)


def test_step_at_zero_is_one():
    assert float(np.asarray(sn.step(0.0))) == 1.0
    assert float(np.asarray(sn.step(0))) == 1.0
    assert float(np.asarray(sn.step(-0.0))) == 1.0  # -0.0 >= 0


@pytest.mark.parametrize("z", [-1.0, -1e-9, -1e-300, -5e-324, -np.inf, -7])
def test_step_of_negative_is_zero(z):
    assert float(np.asarray(sn.step(z))) == 0.0


@pytest.mark.parametrize("z", [1e-300, 5e-324, 1.0, np.inf, 3])
def test_step_of_positive_is_one(z):
    assert float(np.asarray(sn.step(z))) == 1.0


@pytest.mark.parametrize(
    "z",
    [0.5, np.float64(-2.0), np.array(0.0), np.array([-2.0, -1e-9, 0.0, 1e-9, 3.0]),
     np.array([[-2.0, 0.0, 1.0], [5e-324, -5e-324, -0.0]]), np.zeros((0,))],
)
def test_step_keeps_shape_and_returns_floats(z):
    got = sn.step(z)
    arr = np.asarray(got)
    assert arr.shape == np.shape(z)
    assert np.issubdtype(arr.dtype, np.floating)
    expected = np.vectorize(lambda v: 1.0 if v >= 0 else 0.0, otypes=[float])(np.asarray(z, dtype=float))
    np.testing.assert_array_equal(arr, expected)


def test_step_accepts_lists_and_integers():
    got = np.asarray(sn.step([-2, 0, 2]))
    assert np.issubdtype(got.dtype, np.floating)
    np.testing.assert_array_equal(got, [0.0, 1.0, 1.0])


@pytest.mark.parametrize("N,H,seed", [(1, 1, 0), (5, 3, 1), (7, 1, 2), (1, 4, 3), (9, 6, 4)])
def test_step_network_shape_and_values(N, H, seed):
    rng = np.random.default_rng([seed, 5])
    x = rng.normal(size=N) * 2
    params = {"w0": float(rng.normal()), "w": rng.normal(size=H), "b": rng.normal(size=H),
              "v": rng.normal(size=H)}
    params["v"][0] = -abs(params["v"][0])  # a unit that is on to the left
    if H > 1:
        params["v"][1] = 0.0  # a unit that is constant
    got = sn.step_network(x, **params)
    assert np.shape(got) == (N,)
    expected = [_f_by_hand(xi, **params) for xi in x]
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_step_network_at_switching_points():
    """b + v x = 0 exactly at the input: the unit is on (g(0) = 1)."""
    params = {"w0": 0.5, "w": np.array([1.0, -2.0, 0.25]), "b": np.array([-1.0, 0.0, 1.5]),
              "v": np.array([2.0, -1.0, 1.0])}
    x = np.array([-2.0, -1.5, -0.5, 0.0, 0.5, 1.0])
    expected = [_f_by_hand(xi, **params) for xi in x]
    np.testing.assert_allclose(sn.step_network(x, **params), expected, rtol=0, atol=1e-15)
    assert sn.step_network(np.array([0.0]), **params)[0] == pytest.approx(0.5 + 0.0 - 2.0 + 0.25)


# ---------------------------------------------------------------------------
# REPRESENTABLE
# ---------------------------------------------------------------------------

def test_representable_answers():
    answers = sn.REPRESENTABLE
    assert isinstance(answers, dict)
    assert set(answers) == {"linear", "hinge", "quadratic", "piecewise_constant"}
    assert all(type(value) is bool for value in answers.values())
    # a step network is piecewise constant, so it cannot equal any non-constant continuous function
    assert answers == {"linear": False, "hinge": False, "quadratic": False, "piecewise_constant": True}


# ===========================================================================
# Question 2: xor_relu.py
# ===========================================================================

XOR_X = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
XOR_Y = np.array([1.0, -1.0, -1.0, 1.0])


def test_xor_data_is_as_documented():
    np.testing.assert_array_equal(xr.X, XOR_X)
    np.testing.assert_array_equal(xr.Y, XOR_Y)
    # label +1 exactly where both coordinates have the same sign
    np.testing.assert_array_equal(np.sign(XOR_X[:, 0] * XOR_X[:, 1]), XOR_Y)


def _relu_network_by_hand(x, W1, b1, w2, b2) -> list[float]:
    scores = []
    for point in np.asarray(x, dtype=float):
        hidden = [max(float(W1[j][0]) * point[0] + float(W1[j][1]) * point[1] + float(b1[j]), 0.0) for j in range(2)]
        scores.append(float(w2[0]) * hidden[0] + float(w2[1]) * hidden[1] + float(b2))
    return scores


def test_xor_weights_classify_all_four_points():
    weights = xr.xor_weights()
    assert set(weights) == {"W1", "b1", "w2", "b2"}
    assert np.shape(weights["W1"]) == (2, 2)
    assert np.shape(weights["b1"]) == (2,) and np.shape(weights["w2"]) == (2,)
    assert np.size(weights["b2"]) == 1
    scores = np.asarray(xr.relu_network(XOR_X.copy(), **weights))
    assert scores.shape == (4,)
    assert np.all(scores != 0.0)
    np.testing.assert_array_equal(np.sign(scores), XOR_Y)
    # the same verdict from the hand computation, independent of relu_network
    by_hand = np.array(_relu_network_by_hand(XOR_X, **weights))
    assert np.all(by_hand != 0.0)
    np.testing.assert_array_equal(np.sign(by_hand), XOR_Y)


@pytest.mark.parametrize(
    "z",
    [-3.0, 0.0, 2.5, np.array([-1.0, -0.0, 0.0, 1e-300, 4.0]), np.array([[-1.0, 2.0, 0.0], [3.0, -5e-324, -7.0]]),
     [1, -2, 3]],
)
def test_relu_elementwise(z):
    got = np.asarray(xr.relu(z))
    assert got.shape == np.shape(z)
    assert np.issubdtype(got.dtype, np.floating)
    expected = np.vectorize(lambda v: v if v > 0 else 0.0, otypes=[float])(np.asarray(z, dtype=float))
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("N,seed", [(1, 0), (4, 1), (7, 2), (20, 3)])
def test_relu_network_matches_a_loop_over_points(N, seed):
    rng = np.random.default_rng([seed, 3])
    x = rng.normal(size=(N, 2)) * 2
    weights = {"W1": rng.normal(size=(2, 2)), "b1": rng.normal(size=2), "w2": rng.normal(size=2),
               "b2": float(rng.normal())}
    got = np.asarray(xr.relu_network(x, **weights))
    assert got.shape == (N,)
    np.testing.assert_allclose(got, _relu_network_by_hand(x, **weights), rtol=1e-12, atol=1e-12)


def test_relu_network_uses_rows_of_W1_as_hidden_units():
    """W1 not symmetric: W1 x vs W1^T x give different scores."""
    weights = {"W1": np.array([[1.0, -2.0], [0.5, 1.0]]), "b1": np.array([0.5, -1.0]),
               "w2": np.array([2.0, -1.0]), "b2": 0.25}
    np.testing.assert_allclose(xr.relu_network(XOR_X, **weights), _relu_network_by_hand(XOR_X, **weights),
                               rtol=0, atol=1e-15)


def test_solution_functions_are_documented():
    """Every public function of the reference modules has a docstring (it is the student's spec)."""
    for module in (sn, xr, bp):
        for name, func in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and func.__module__ == module.__name__:
                assert inspect.getdoc(func), f"{module.__name__}.{name} has no docstring"

"""Question 1: what can a network of step units represent exactly?

The network has one hidden layer of H step units and a scalar input x:

    f(x) = w_0 + sum_i w_i * g(b_i + v_i * x)        i = 1..H

with the step activation

    g(z) = 1 if z >= 0 else 0                        (note: g(0) = 1)

Every hidden unit is a step that switches on where b_i + v_i x crosses 0, so
f is constant between switching points: it is *piecewise constant*.

Conventions used throughout (they change results at the breakpoints):
- g(0) = 1, so a unit with v_i > 0 is on at its breakpoint x = -b_i / v_i;
- pieces are closed on the left: value c_j holds on [t_j, t_{j+1}).

Shapes: N inputs, H hidden units, K breakpoints.
"""
import numpy as np

# Which of these functions can f represent *exactly*, for every x in R?
#   "linear":             I(x) = a x + b            (a != 0)
#   "hinge":              I(x) = max(1 - x, 0)
#   "quadratic":          I(x) = a x^2 + b x + c    (a != 0)
#   "piecewise_constant": any piecewise constant function with finitely many pieces
# Replace each None with True or False.
REPRESENTABLE = {
    "linear": False,
    "hinge": False,
    "quadratic": False,
    "piecewise_constant": True,
}


def step(z):
    """Step activation g, elementwise.

    Args:
        z: array-like of any shape (a scalar is fine).
    Returns:
        float array of z's shape with g(z) = 1 where z >= 0 and 0 where z < 0.
        Note g(0) = 1, not 0.

    Hint: a comparison gives booleans; turn them into floats.
    """
    return (np.asarray(z, dtype=float) > 0).astype(float)


def step_network(x, w0, w, b, v):
    """Evaluate f(x) = w0 + sum_i w[i] * g(b[i] + v[i] * x) at every input.

    Args:
        x:  shape (N,), the inputs.
        w0: scalar, the output bias.
        w:  shape (H,), output weights of the hidden units.
        b:  shape (H,), hidden biases.
        v:  shape (H,), input-to-hidden weights.
    Returns:
        shape (N,), f at each input.

    Hint: the pre-activations of all units at all inputs form an (N, H) array:
    b + np.outer(x, v). Apply `step` to it, then a matrix-vector product with w.
    """
    x = np.asarray(x, dtype=float).reshape(-1)
    w, b, v = (np.asarray(a, dtype=float).reshape(-1) for a in (w, b, v))
    hidden = step(b + np.outer(x, v))  # (N, H)
    return float(w0) + hidden @ w


def indicator_params(lo, hi, c):
    """Parameters of a step network equal to c on [lo, hi) and 0 elsewhere.

    Args:
        lo, hi: scalars with lo < hi, the ends of the interval.
        c: scalar, the value inside the interval.
    Returns:
        dict with keys "w0" (scalar), "w", "b", "v" (each shape (H,)), such that
        step_network(x, **params) == c for lo <= x < hi and 0 otherwise.
        Note the interval is closed on the left and open on the right.

    Hint: g(x - lo) switches on at lo and g(x - hi) at hi (both because
    g(0) = 1). What combination of the two is c only in between?
    """
    return {
        "w0": 0.0,
        "w": np.array([c, -c], dtype=float),
        "b": np.array([-lo, -hi], dtype=float),
        "v": np.array([1.0, 1.0]),
    }


def piecewise_constant_params(breakpoints, values):
    """Parameters of a step network equal to a given piecewise constant function.

    With breakpoints t_1 < ... < t_K and values c_0, ..., c_K the function is

        c_0 on x < t_1,   c_j on t_j <= x < t_{j+1},   c_K on x >= t_K.

    Args:
        breakpoints: shape (K,), strictly increasing.
        values: shape (K+1,), the value of each piece, left to right.
    Returns:
        dict with keys "w0" (scalar), "w", "b", "v" (each shape (H,)) such that
        step_network(x, **params) equals the function above at every x.

    Hint: start at c_0 and add one step per breakpoint that jumps by the
    difference between neighbouring values: f(x) = c_0 + sum_j (c_j - c_{j-1}) g(x - t_j).
    """
    t = np.asarray(breakpoints, dtype=float).reshape(-1)
    c = np.asarray(values, dtype=float).reshape(-1)
    return {
        "w0": float(c[0]),
        "w": np.diff(c),
        "b": -t,
        "v": np.ones_like(t),
    }

"""Named mistakes the grader recognises: what each means, and what it would return.

Each wrong implementation below is what a student with that misconception
computes; a hidden test compares a student's answer with it when the answer is
not right, and the rubric (config.yaml) says what share of a case it earns.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Misconception:
    label: str  # short, for the class report
    message: str  # for the student: the mistake and the idea that fixes it
    nonfinite_ok: bool = False  # matched even when both answers are NaN/inf (credit is then 0)


MISCONCEPTIONS = {
    "g0_zero": Misconception(
        "g(0) = 0 instead of 1",
        "at z = 0 the step should be on: g(0) = 1, so compare with z >= 0, not z > 0"),
    "right_closed": Misconception(
        "pieces closed on the right",
        "right at a breakpoint t_j the network already takes the new piece's value (pieces are [t_j, t_{j+1})); "
        "yours keeps the old one, as a step g(t_j - x) with v = -1 would"),
    "W1_not_transposed": Misconception(
        "x @ W1 instead of x @ W1.T",
        "row j of W1 feeds hidden unit j, so with points as rows the pre-activations are x @ W1.T + b1, not x @ W1 + b1"),
    "no_max_subtraction": Misconception(
        "softmax overflows at large logits",
        "softmax overflows for large logits (exp(1000) is inf, and inf/inf is NaN): subtract max(z) from z before "
        "exponentiating; the result is the same and every exponent is <= 0", nonfinite_ok=True),
    "ce_sign": Misconception(
        "cross-entropy without the minus sign",
        "J = -sum_i y_i log y_hat_i: the minus sign makes J >= 0 (every log y_hat_i <= 0)"),
    "sign_flipped": Misconception(
        "delta_1 = y - y_hat (sign flipped)",
        "the gradient has the opposite sign: dJ/dz2 = y_hat - y, not y - y_hat"),
    "dU_transposed": Misconception(
        "dJ/dU transposed",
        "dJ/dU must have U's shape (k, m): compare delta_1 h^T (np.outer(delta1, h)) with h delta_1^T"),
    "dW_transposed": Misconception(
        "dJ/dW transposed",
        "dJ/dW must have W's shape (m, n): compare delta_2 x^T (np.outer(delta2, x)) with x delta_2^T"),
    "no_relu_mask": Misconception(
        "ReLU mask missing",
        "the gradient flows through hidden units that were off: multiply U^T delta_1 by the ReLU mask 1{h > 0}"),
    "mask_at_zero": Misconception(
        "ReLU'(0) taken as 1",
        "at a pre-activation of exactly 0 the gradient must stop: ReLU's derivative at 0 is 0 here, "
        "so the mask is 1{h > 0} (strictly greater), not 1{z >= 0}"),
}


# -- what each mistake returns (computed in the grader from the reference maths) ------------
def step_g0_zero(z):
    return (np.asarray(z, dtype=float) > 0).astype(float)


def step_network_g0_zero(x, w0, w, b, v):
    x = np.asarray(x, dtype=float)
    return float(w0) + step_g0_zero(np.asarray(b, float) + np.outer(x, np.asarray(v, float))) @ np.asarray(w, float)


def right_closed(x, breakpoints, values):
    """The piecewise constant function with pieces (t_j, t_{j+1}] instead of [t_j, t_{j+1})."""
    index = np.searchsorted(np.asarray(breakpoints, float), np.asarray(x, float), side="left")
    return np.asarray(values, float)[index]


def relu_network_untransposed(x, W1, b1, w2, b2):
    hidden = np.maximum(np.asarray(x, float) @ np.asarray(W1, float) + np.asarray(b1, float), 0.0)
    return hidden @ np.asarray(w2, float) + float(b2)


def softmax_naive(z):
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(np.asarray(z, dtype=float))
        return e / np.sum(e)


def backprop_variants(x, y, W, b1, U, b2) -> dict[str, dict[str, np.ndarray]]:
    """The four gradients as each backprop misconception computes them."""
    x, y, W, b1, U, b2 = (np.asarray(a, dtype=float) for a in (x, y, W, b1, U, b2))
    z1 = W @ x + b1
    h = np.maximum(z1, 0.0)
    z2 = U @ h + b2
    e = np.exp(z2 - z2.max())
    delta1 = e / e.sum() - y
    back = U.T @ delta1

    def grads(d1, mask):
        d2 = (U.T @ d1) * mask
        return {"b2": d1, "U": np.outer(d1, h), "b1": d2, "W": np.outer(d2, x)}

    right = grads(delta1, h > 0)
    return {
        "sign_flipped": grads(-delta1, h > 0),
        "no_relu_mask": {"b1": back, "W": np.outer(back, x)},
        "mask_at_zero": {"b1": back * (z1 >= 0), "W": np.outer(back * (z1 >= 0), x)},
        "dU_transposed": {"U": right["U"].T},
        "dW_transposed": {"W": right["W"].T},
    }

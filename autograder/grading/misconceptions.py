"""What each named mistake (spec/mistakes.py) would return: the wrong answers a hidden test compares with.

Each wrong implementation below is what a student with that misconception
computes; a hidden test compares a student's answer with it when the answer is
not right, and the rubric (config.yaml) says what share of a case it earns.
"""
from __future__ import annotations

import numpy as np


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


def one_hot_of_largest(y) -> np.ndarray:
    """y collapsed to the one-hot of its largest entry, as code for integer labels reads it."""
    y = np.asarray(y, dtype=float)
    return np.eye(y.size)[int(np.argmax(y))]


def named(*parts: str) -> str:
    """The name of a mistake or of several together ("labels_argmax+mask_at_zero"); "right" for none."""
    return "+".join(p for p in parts if p) or "right"


def by_count(variants: dict) -> dict:
    """Variants in order of how many mistakes they hold: "right" first, then single mistakes, then pairs..."""
    return dict(sorted(variants.items(), key=lambda kv: 0 if kv[0] == "right" else kv[0].count("+") + 1))


def cross_entropy_variants(y, y_hat) -> dict[str, float]:
    """J as the right definition ("right") and every combination of the cross-entropy mistakes computes it."""
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    variants = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        for labels, t in (("", y), ("labels_argmax", one_hot_of_largest(y))):
            forms = (("", -t @ np.log(y_hat)), ("log_of_sum", -np.log(t @ y_hat)))
            for form, loss in forms[:1] if labels else forms:  # with one-hot labels both forms are one
                for sign, s in (("", 1.0), ("ce_sign", -1.0)):
                    variants[named(labels, form, sign)] = s * float(loss)
    return by_count(variants)


# Parts of backprop a mistake can change, each with its options (the first is right). A student's code
# can hold one mistake of several parts at once; each combination is recognised, with the product of
# their credits (scoring.ItemScore.judge_value). relu_on_gradient is recognised alone: with others its
# answers coincide for some inputs and not others, so no choice of inputs could tell it apart for all.
SIGN = ("", "sign_flipped")
MASKS = ("", "no_relu_mask", "mask_at_zero")


def _masked(back: np.ndarray, z1: np.ndarray, mask: str) -> np.ndarray:
    """U^T delta_1 (rows of `back`) through ReLU's derivative, as `mask` takes it."""
    if mask == "no_relu_mask":
        return back
    if mask == "relu_on_gradient":
        return np.maximum(back, 0.0)
    return back * ((z1 >= 0) if mask == "mask_at_zero" else (z1 > 0))


def _forward(x, y, W, b1, U, b2):
    """(x, y, U as floats, z1, h, y_hat, and y_hat as a softmax without max-subtraction computes it)."""
    x, y, W, b1, U, b2 = (np.asarray(a, dtype=float) for a in (x, y, W, b1, U, b2))
    z1 = W @ x + b1
    h = np.maximum(z1, 0.0)
    z2 = U @ h + b2
    e = np.exp(z2 - z2.max())
    with np.errstate(over="ignore", invalid="ignore"):
        naive = np.exp(z2) / np.sum(np.exp(z2))
    return x, y, U, z1, h, e / e.sum(), naive


def backprop_variants(x, y, W, b1, U, b2) -> dict[str, dict[str, np.ndarray]]:
    """The four gradients as every recognised combination of backprop mistakes computes them ("right": as
    they are), fewer mistakes first. A mistake that leaves a gradient alone gives no entry for it."""
    x, y, U, z1, h, p, naive = _forward(x, y, W, b1, U, b2)
    variants = {}
    with np.errstate(invalid="ignore", over="ignore"):
        for softmax, q in (("", p), ("no_max_subtraction", naive)):
            for labels, t in (("", y), ("labels_argmax", one_hot_of_largest(y))):
                for sign in SIGN:
                    delta1 = (t - q) if sign else (q - t)
                    dU = np.outer(delta1, h)
                    variants[named(labels, sign, softmax)] = {"b2": delta1, "U": dU}
                    variants[named(labels, sign, softmax, "dU_transposed")] = {"U": dU.T}
                    for mask in MASKS:
                        delta2 = _masked(U.T @ delta1, z1, mask)
                        dW = np.outer(delta2, x)
                        variants.setdefault(named(labels, sign, mask, softmax), {}).update({"b1": delta2, "W": dW})
                        variants[named(labels, sign, mask, softmax, "dW_transposed")] = {"W": dW.T}
        delta2 = _masked(U.T @ (p - y), z1, "relu_on_gradient")
        variants["relu_on_gradient"] = {"b1": delta2, "W": np.outer(delta2, x)}
    return by_count(variants)


def backprop_singles(x, y, W, b1, U, b2) -> dict[str, dict[str, np.ndarray]]:
    """The four gradients as each recognised backprop mistake alone computes them ("right": as they are):
    the few that most wrong answers are, worked out before every combination (backprop_variants)."""
    x, y, U, z1, h, p, naive = _forward(x, y, W, b1, U, b2)

    def grads(delta1, mask="", keys=("b2", "U", "b1", "W")):
        delta2 = _masked(U.T @ delta1, z1, mask)
        every = {"b2": delta1, "U": np.outer(delta1, h), "b1": delta2, "W": np.outer(delta2, x)}
        return {key: every[key] for key in keys}

    right = grads(p - y)
    with np.errstate(over="ignore", invalid="ignore"):
        return {"right": right, "labels_argmax": grads(p - one_hot_of_largest(y)), "sign_flipped": grads(y - p),
                "no_max_subtraction": grads(naive - y), "dU_transposed": {"U": right["U"].T},
                "dW_transposed": {"W": right["W"].T},
                **{mask: grads(p - y, mask, ("b1", "W")) for mask in (*MASKS[1:], "relu_on_gradient")}}


def backprop_rows(x, y, W, b1, U, b2, keys=("b2", "U", "b1", "W")) -> dict[str, tuple[list[frozenset], np.ndarray]]:
    """Each gradient as every recognised combination of the mistakes that keep its shape computes it:
    {key: (the mistakes of each row, one flattened row per combination, right first)}, for telling
    them apart quickly (cases.py). Softmax overflow is left out: it shows only with large logits,
    and there as NaN."""
    x, y, U, z1, h, p, _ = _forward(x, y, W, b1, U, b2)
    t = np.stack([y, one_hot_of_largest(y)])
    delta1 = np.concatenate([p - t, t - p])  # rows: right, labels_argmax, sign_flipped, both
    back = delta1 @ U  # (4, m): U^T delta1 of each row
    delta2 = np.concatenate([_masked(back, z1, mask) for mask in MASKS] + [_masked(back[:1], z1, "relu_on_gradient")])
    first = [frozenset(), frozenset({"labels_argmax"}), frozenset({"sign_flipped"}),
             frozenset({"labels_argmax", "sign_flipped"})]
    second = [names | ({mask} if mask else set()) for mask in MASKS for names in first] + [frozenset({"relu_on_gradient"})]
    rows = {"b2": (first, delta1), "b1": (second, delta2)}
    if "U" in keys:
        rows["U"] = (first, (delta1[:, :, None] * h).reshape(4, -1))
    if "W" in keys:
        rows["W"] = (second, (delta2[:, :, None] * x).reshape(len(delta2), -1))
    return {key: rows[key] for key in keys}

"""The named mistakes the grader recognises: what each is called and what a student is told.

grading/misconceptions.py computes what each would return; a hidden test names the ones it
recognises in its @rubric mark, and config.yaml gives each its credit per item.
"""
from __future__ import annotations

from dataclasses import dataclass


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
    "labels_argmax": Misconception(
        "soft labels taken as the one-hot of their largest entry",
        "your answer equals treating y as the one-hot of its largest entry, as code for integer labels does; "
        "with soft labels every class contributes: use y itself"),
    "log_of_sum": Misconception(
        "cross-entropy as -log(sum_i y_i y_hat_i)",
        "your answer is -log(sum_i y_i y_hat_i), which equals J only for one-hot y; J = -sum_i y_i log y_hat_i "
        "takes the log of each y_hat_i, so with soft labels every class has its own log term"),
    "relu_on_gradient": Misconception(
        "ReLU applied to the gradient",
        "your dJ/dz1 is ReLU(U^T delta_1), the ReLU applied to the gradient; the chain rule multiplies by "
        "ReLU's derivative instead: delta_2 = (U^T delta_1) * 1{h > 0}, which keeps negative entries"),
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

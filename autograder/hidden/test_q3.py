"""Question 3: softmax, cross-entropy, forward pass and the four gradients.

Order matters: the helper items (softmax, forward) are graded before the
gradients, which may then replace a broken helper with the grader's answers
for one input, so a broken softmax does not zero the gradients.
"""
import numpy as np

from autograder import misconceptions as mc
from autograder.plugin import rubric

@rubric("q3.softmax", misconceptions=("no_max_subtraction",))
def test_softmax(sub, ref, cases, score):
    score.checked = "softmax(z) for k = 1 to 7 classes, including logits of +-1000 and around 800"
    score.hint = "subtract max(z) before np.exp so no exponent is positive; divide by the sum"
    for (z,), got in zip(cases.softmax, sub.call_many("backprop", "softmax", cases.softmax)):
        score.check(got, ref.call("backprop", "softmax", z), "softmax(z)", {"no_max_subtraction": lambda: mc.softmax_naive(z)})


@rubric("q3.cross_entropy", misconceptions=("ce_sign",))
def test_cross_entropy(sub, ref, cases, score):
    score.checked = "cross_entropy(y, y_hat) with one-hot and soft labels"
    score.hint = "J is one number, -sum_i y_i log y_hat_i; with soft labels every class contributes"
    for (y, y_hat), got in zip(cases.cross_entropy, sub.call_many("backprop", "cross_entropy", cases.cross_entropy)):
        want = ref.call("backprop", "cross_entropy", y, y_hat)
        score.check(got, want, "cross_entropy(y, y_hat)", {"ce_sign": -want})


@rubric("q3.forward")
def test_forward(sub, ref, cases, score):
    score.checked = "h and y_hat from forward(x, W, b1, U, b2) for six shapes, some with pre-activations exactly 0"
    score.hint = "h has shape (m,) and y_hat shape (k,): ReLU on the hidden pre-activations, softmax on the output ones"
    for args, got in zip(cases.forward, sub.call_many("backprop", "forward", cases.forward)):
        h, y_hat = ref.call("backprop", "forward", *args)
        score.check(got, h, "h from forward", pick=0)
        score.check(got, y_hat, "y_hat from forward", pick=1)


def _helpers_given(sub, ref, args, score):
    """The grader's softmax and forward for this input, if the student's own are wrong on it."""
    x, _, W, b1, U, b2 = args
    h, y_hat = ref.call("backprop", "forward", x, W, b1, U, b2)
    z2 = np.asarray(U) @ h + np.asarray(b2)
    own_softmax = sub.call("backprop", "softmax", z2)
    own_forward = sub.call("backprop", "forward", x, W, b1, U, b2)
    right = [score.judge(own_softmax, y_hat, "softmax"), score.judge(own_forward, h, "forward", pick=0),
             score.judge(own_forward, y_hat, "forward", pick=1)]
    if all(case.credit == 1.0 for case in right):
        return None
    return {"softmax": [[[z2], y_hat]], "forward": [[[x, W, b1, U, b2], [h, y_hat]]]}


def _grade_gradient(key, what, names, sub, ref, cases, score):
    answers = zip(range(len(cases.network)), sub.call_many("backprop", "backprop", cases.network),
                  ref.each("backprop", "backprop", cases.network))
    for i, got, right in answers:
        args, want = cases.network[i], right[key]
        # what each mistake would return, worked out only if the answer is not right
        alternatives = {name: (lambda name=name, i=i: ref.one(mc.backprop_variants, cases.network, i)[name].get(key))
                        for name in names}
        case = score.judge(got, want, what, alternatives, pick=key)
        if case.credit < 1.0:  # the four gradient items share one look at the helpers per input
            given = ref.once(("helpers given", id(cases.network), i), cases.network,
                             lambda args=args: _helpers_given(sub, ref, args, score))
            if given is not None:
                retry = score.judge(sub.call_given("backprop", "backprop", args, given=given), want, what,
                                    alternatives, pick=key)
                if retry.credit > case.credit:
                    retry.message = "; ".join(filter(None, [retry.message, (
                        "judged with a correct softmax and forward in place of yours, which are wrong on this "
                        "input (see q3.softmax and q3.forward)")]))
                    retry.note = True
                    case = retry
        score.cases.append(case)


@rubric("q3.grad_b2", misconceptions=("sign_flipped",))
def test_grad_b2(sub, ref, cases, score):
    score.checked = "dJ/db2 from backprop for six shapes (n, m or k equal to 1 among them), one-hot and soft labels"
    score.hint = "dJ/db2 is delta_1 = dJ/dz2 itself: work out its sign from J = -sum_i y_i log y_hat_i"
    _grade_gradient("b2", "dJ/db2", ("sign_flipped",), sub, ref, cases, score)


@rubric("q3.grad_U", misconceptions=("dU_transposed", "sign_flipped"))
def test_grad_U(sub, ref, cases, score):
    score.checked = "dJ/dU from backprop for six shapes, one-hot and soft labels"
    score.hint = "dJ/dU has U's shape (k, m): which outer product of delta_1 and h has that shape?"
    _grade_gradient("U", "dJ/dU", ("dU_transposed", "sign_flipped"), sub, ref, cases, score)


@rubric("q3.grad_b1", misconceptions=("no_relu_mask", "mask_at_zero", "sign_flipped"))
def test_grad_b1(sub, ref, cases, score):
    score.checked = "dJ/db1 from backprop for six shapes, with hidden pre-activations exactly 0 in some"
    score.hint = "delta_2 = dJ/dz1 flows back through U^T and through ReLU's derivative, which is 0 wherever h is not > 0"
    _grade_gradient("b1", "dJ/db1", ("no_relu_mask", "mask_at_zero", "sign_flipped"), sub, ref, cases, score)


@rubric("q3.grad_W", misconceptions=("dW_transposed", "no_relu_mask", "mask_at_zero", "sign_flipped"))
def test_grad_W(sub, ref, cases, score):
    score.checked = "dJ/dW from backprop for six shapes, with hidden pre-activations exactly 0 in some"
    score.hint = "dJ/dW has W's shape (m, n): which outer product of delta_2 and x has that shape?"
    _grade_gradient("W", "dJ/dW", ("dW_transposed", "no_relu_mask", "mask_at_zero", "sign_flipped"),
                    sub, ref, cases, score)

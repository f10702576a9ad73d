"""Question 3: softmax, cross-entropy, forward pass and the four gradients.

The gradients are judged with the grader's softmax and forward standing in for
the student's on the network inputs (see _grade_gradient), so a broken softmax
does not zero the gradients.
"""

from autograder.grading import misconceptions as mc
from autograder.grading.marks import rubric


@rubric("q3.softmax", misconceptions=("no_max_subtraction",))
def test_softmax(sub, ref, cases, score):
    score.checked = "softmax(z) for k = 1 to 7 classes, including logits of +-1000 and around 800"
    score.hint = "subtract max(z) before np.exp so no exponent is positive; divide by the sum"
    for (z,), got in zip(cases.softmax, sub.call_many("backprop", "softmax", cases.softmax)):
        score.check(got, ref.call("backprop", "softmax", z), "softmax(z)", {"no_max_subtraction": lambda: mc.softmax_naive(z)})


@rubric("q3.cross_entropy", misconceptions=("ce_sign", "labels_argmax", "log_of_sum"))
def test_cross_entropy(sub, ref, cases, score):
    score.checked = "cross_entropy(y, y_hat) with one-hot and soft labels"
    score.hint = "J is one number, -sum_i y_i log y_hat_i; with soft labels every class contributes"
    for (y, y_hat), got in zip(cases.cross_entropy, sub.call_many("backprop", "cross_entropy", cases.cross_entropy)):
        score.check(got, ref.call("backprop", "cross_entropy", y, y_hat), "cross_entropy(y, y_hat)",
                    lambda: {name: J for name, J in mc.cross_entropy_variants(y, y_hat).items() if name != "right"})


@rubric("q3.forward")
def test_forward(sub, ref, cases, score):
    score.checked = "h and y_hat from forward(x, W, b1, U, b2) for six shapes, some with pre-activations exactly 0"
    score.hint = "h has shape (m,) and y_hat shape (k,): ReLU on the hidden pre-activations, softmax on the output ones"
    for args, got in zip(cases.forward, sub.call_many("backprop", "forward", cases.forward)):
        h, y_hat = ref.call("backprop", "forward", *args)
        score.check(got, h, "h from forward", pick=0)
        score.check(got, y_hat, "y_hat from forward", pick=1)


def _own_forward_right(sub, ref, cases, score) -> bool:
    """Whether the student's forward (and so, usually, softmax) is right on every forward case."""
    def right():
        answers = sub.call_many("backprop", "forward", cases.forward)
        return all(score.judge(own, h, "forward", pick=0).credit == 1.0
                   and score.judge(own, y_hat, "forward", pick=1).credit == 1.0
                   for own, (h, y_hat) in zip(answers, ref.each("backprop", "forward", cases.forward)))
    return ref.once(("own forward right", id(cases.forward)), cases.forward, right)


def _grade_gradient(key, what, sub, ref, cases, score):
    """Judge one gradient of backprop on every network case.

    backprop always runs with the grader's softmax and forward standing in for the student's
    on these inputs (Reference.stand_ins), for every student alike: a wrong helper costs its
    own item only, and nothing the grader calls depends on whether an answer was right.
    A wrong answer is compared with what every recognised mistake, alone or with others, gives.
    """
    network = cases.network
    answers = sub.call_many("backprop", "backprop", network, ref.stand_ins("backprop", "backprop", network))
    for i, (got, right) in enumerate(zip(answers, ref.each("backprop", "backprop", network))):
        def alternatives(i=i):  # worked out only if the answer is not right; single mistakes first
            tried = {"right"}
            for variants in (mc.backprop_singles, mc.backprop_variants):
                for name, grads in ref.one(variants, network, i).items():
                    if name not in tried and key in grads:
                        tried.add(name)
                        yield name, grads[key]
        score.cases.append(score.judge(got, right[key], what, alternatives, pick=key))
        if got.ok and not _own_forward_right(sub, ref, cases, score):
            score.remark("Judged with a correct softmax and forward in place of yours, which are not right "
                         "(see q3.softmax and q3.forward).")


COMMON = ("sign_flipped", "labels_argmax", "no_max_subtraction")  # mistakes of delta_1, seen in every gradient
MASK = ("no_relu_mask", "mask_at_zero", "relu_on_gradient")  # mistakes of ReLU's derivative, in dJ/db1 and dJ/dW


@rubric("q3.grad_b2", misconceptions=COMMON)
def test_grad_b2(sub, ref, cases, score):
    score.checked = "dJ/db2 from backprop for seven networks (n, m or k equal to 1 among them), one-hot and soft labels, one with logits near +-1000"
    score.hint = "dJ/db2 is delta_1 = dJ/dz2 itself: work out its sign from J = -sum_i y_i log y_hat_i"
    _grade_gradient("b2", "dJ/db2", sub, ref, cases, score)


@rubric("q3.grad_U", misconceptions=("dU_transposed", *COMMON))
def test_grad_U(sub, ref, cases, score):
    score.checked = "dJ/dU from backprop for seven networks, one-hot and soft labels, one with logits near +-1000"
    score.hint = "dJ/dU has U's shape (k, m): which outer product of delta_1 and h has that shape?"
    _grade_gradient("U", "dJ/dU", sub, ref, cases, score)


@rubric("q3.grad_b1", misconceptions=(*MASK, *COMMON))
def test_grad_b1(sub, ref, cases, score):
    score.checked = "dJ/db1 from backprop for seven networks, with hidden pre-activations exactly 0 in some"
    score.hint = "delta_2 = dJ/dz1 flows back through U^T and through ReLU's derivative, which is 0 wherever h is not > 0"
    _grade_gradient("b1", "dJ/db1", sub, ref, cases, score)


@rubric("q3.grad_W", misconceptions=("dW_transposed", *MASK, *COMMON))
def test_grad_W(sub, ref, cases, score):
    score.checked = "dJ/dW from backprop for seven networks, with hidden pre-activations exactly 0 in some"
    score.hint = "dJ/dW has W's shape (m, n): which outer product of delta_2 and x has that shape?"
    _grade_gradient("W", "dJ/dW", sub, ref, cases, score)

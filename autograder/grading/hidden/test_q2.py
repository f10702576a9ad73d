"""Question 2: ReLU and XOR. The weights a student returns are judged with the reference network."""
import numpy as np

from autograder.grading import misconceptions as mc
from autograder.grading.hidden.params import xor_params
from autograder.grading.marks import rubric
from autograder.grading.scoring import NotNumbers


@rubric("q2.relu")
def test_relu(sub, ref, cases, score):
    score.checked = "relu(z) on a scalar, vectors and a matrix, with z = 0 among the inputs"
    score.hint = "ReLU acts on each entry separately, so the result has the shape of z"
    for (z,), got in zip(cases.relu, sub.call_many("xor_relu", "relu", cases.relu)):
        score.check(got, ref.call("xor_relu", "relu", z), "relu(z)")


@rubric("q2.relu_network", misconceptions=("W1_not_transposed",))
def test_relu_network(sub, ref, cases, score):
    score.checked = "relu_network(x, W1, b1, w2, b2) on 1, 4 and 7 points with random weights"
    score.hint = "with points as rows of x, the hidden pre-activations are x @ W1.T + b1, shape (N, 2)"
    for args, got in zip(cases.relu_network, sub.call_many("xor_relu", "relu_network", cases.relu_network)):
        score.check(got, ref.call("xor_relu", "relu_network", *args), "relu_network(x, ...)",
                    {"W1_not_transposed": lambda: mc.relu_network_untransposed(*args)})


@rubric("q2.xor_weights")
def test_xor_weights(sub, ref, score):
    score.checked = "the sign of the reference network with your xor_weights() on each of the four XOR points"
    score.hint = "make one hidden unit fire only near (1, 1) and the other only near (-1, -1); a score of 0 has no sign"
    X, Y = ref.xor_relu.X, ref.xor_relu.Y
    got = sub.call("xor_relu", "xor_weights")
    if not got.ok:
        score.cases += [score.judge(got, 0.0, "xor_weights") for _ in Y]
        return
    try:
        W1, b1, w2, b2 = xor_params(got.value)
    except NotNumbers as exc:
        score.failed(str(exc))
        return
    scores = np.maximum(X @ W1.T + b1, 0.0) @ w2 + b2  # the reference ReLU network
    for point, label, s in zip(X, Y, scores):
        if np.sign(s) == label:
            score.passed()
        else:
            score.failed(f"point ({point[0]:g}, {point[1]:g}) with label {label:+g} gets score {s:.3g}")

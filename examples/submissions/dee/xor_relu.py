"""Question 2: a tiny ReLU network that solves XOR.

The network maps a point x in R^2 to a score

    f(x) = w2 . ReLU(W1 x + b1) + b2

with W1 of shape (2, 2), b1 and w2 of shape (2,), b2 a scalar, and
ReLU(z) = max(z, 0) elementwise. It classifies x by the sign of f(x).

The data is XOR: the label is +1 where both coordinates have the same sign.
No linear model sign(a . x + c) can separate it; one hidden ReLU layer can.

Shapes: N points, each a row of x.
"""
import numpy as np

# The four points (rows) and their labels. Given, not graded.
X = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
Y = np.array([1.0, -1.0, -1.0, 1.0])


def relu(z):
    """ReLU, elementwise: max(z, 0).

    Args:
        z: array-like of any shape.
    Returns:
        float array of z's shape.
    """
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def relu_network(x, W1, b1, w2, b2):
    """Score every point: f(x_i) = w2 . ReLU(W1 x_i + b1) + b2.

    Args:
        x:  shape (N, 2), one point per row.
        W1: shape (2, 2), hidden weights (row j feeds hidden unit j).
        b1: shape (2,), hidden biases.
        w2: shape (2,), output weights.
        b2: scalar, output bias.
    Returns:
        shape (N,), the score of each point.

    Hint: with points as rows, the pre-activations of all points are
    x @ W1.T + b1, shape (N, 2).
    """
    x = np.asarray(x, dtype=float).reshape(-1, 2)
    W1 = np.asarray(W1, dtype=float)
    hidden = relu(x @ W1.T + np.asarray(b1, dtype=float))  # (N, 2)
    return hidden @ np.asarray(w2, dtype=float) + float(b2)


def xor_weights():
    """Weights with which relu_network classifies all four XOR points correctly.

    Returns:
        dict with keys "W1" (2, 2), "b1" (2,), "w2" (2,), "b2" (scalar) such
        that np.sign(relu_network(X, **weights)) == Y on all four points
        (a score of exactly 0 is not a sign, so it counts as wrong).

    Hint: let one hidden unit fire on the (1, 1) corner and the other on the
    (-1, -1) corner; the points of the other class should leave both at 0.
    Many choices work.
    """
    return {
        "W1": np.array([[1.0, 1.0], [-1.0, -1.0]]),
        "b1": np.array([0.0, 0.0]),
        "w2": np.array([1.0, 1.0]),
        "b2": -1.0,
    }

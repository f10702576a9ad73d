"""Question 3: backpropagation through ReLU -> softmax -> cross-entropy.

One hidden layer and a softmax output:

    z1    = W x + b1           shape (m,)
    h     = ReLU(z1)           shape (m,)
    z2    = U h + b2           shape (k,)
    y_hat = softmax(z2)        shape (k,)
    J     = -sum_i y_i log y_hat_i

Shapes in named dimensions: n inputs, m hidden units, k classes.
    x: (n,)   W: (m, n)   b1: (m,)   U: (k, m)   b2: (k,)   y: (k,)
y is one-hot or, more generally, a probability vector (entries >= 0, sum 1).

Every vector is 1-D. An outer product a b^T is np.outer(a, b).
"""
import numpy as np


def softmax(z):
    """softmax(z)_i = exp(z_i) / sum_j exp(z_j).

    Args:
        z: shape (k,), the logits.
    Returns:
        shape (k,), positive entries that sum to 1.

    Must not overflow: exp(1000) is inf in floating point. Subtracting max(z)
    from every logit first leaves the result unchanged (the factor exp(-max z)
    cancels) and keeps every exponent <= 0.
    """
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


def cross_entropy(y, y_hat):
    """J = -sum_i y_i log(y_hat_i).

    Args:
        y: shape (k,), the target distribution (one-hot or probabilities).
        y_hat: shape (k,), the predicted probabilities, all > 0.
    Returns:
        a float, the loss J.
    """
    y = np.asarray(y, dtype=float)
    y_hat = np.asarray(y_hat, dtype=float)
    return float(-np.sum(y * np.log(y_hat)))


def forward(x, W, b1, U, b2):
    """The forward pass: h = ReLU(W x + b1), y_hat = softmax(U h + b2).

    Args:
        x: shape (n,). W: shape (m, n). b1: shape (m,). U: shape (k, m). b2: shape (k,).
    Returns:
        a tuple (h, y_hat): h of shape (m,), y_hat of shape (k,).
    """
    x, W, b1, U, b2 = (np.asarray(a, dtype=float) for a in (x, W, b1, U, b2))
    h = np.maximum(W @ x + b1, 0.0)
    y_hat = softmax(U @ h + b2)
    return h, y_hat


def loss(x, y, W, b1, U, b2):
    """J at the given parameters. Given, not graded: use it to check gradients."""
    _, y_hat = forward(x, W, b1, U, b2)
    return cross_entropy(y, y_hat)


def backprop(x, y, W, b1, U, b2):
    """Gradients of J with respect to every parameter, by backpropagation.

    Work backwards from the loss, one layer at a time:

        delta1 = dJ/dz2 = y_hat - y                   shape (k,)   (uses sum(y) = 1)
        dJ/db2 = delta1                               shape (k,)
        dJ/dU  = delta1 h^T                           shape (k, m)
        delta2 = dJ/dz1 = (U^T delta1) * 1{h > 0}     shape (m,)
        dJ/db1 = delta2                               shape (m,)
        dJ/dW  = delta2 x^T                           shape (m, n)

    Convention: ReLU's derivative at 0 is 0, so the mask is 1{h > 0}
    (equivalently 1{z1 > 0}), strictly greater.

    Args:
        x: shape (n,). y: shape (k,). W: shape (m, n). b1: shape (m,).
        U: shape (k, m). b2: shape (k,).
    Returns:
        dict with keys "W", "b1", "U", "b2": dJ/d(that parameter), each with
        exactly that parameter's shape.

    Hint: every gradient has the shape of its parameter. If yours does not,
    check the order of the two vectors in each outer product.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    h, y_hat = forward(x, W, b1, U, b2)
    U = np.asarray(U, dtype=float)
    delta1 = y_hat - y
    delta2 = (U.T @ delta1) * (h > 0)
    return {
        "b2": delta1,
        "U": np.outer(delta1, h),
        "b1": delta2,
        "W": np.outer(delta2, x),
    }

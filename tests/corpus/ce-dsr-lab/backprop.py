"""Corpus entry: a cross-entropy helper with clipping and an epsilon in the log, adapted to Question 3.

Source: dsr-lab/numpy_cnn, cross_entropy.py
URL: https://github.com/dsr-lab/numpy_cnn/blob/0231628d0b2b977043b597fa125150d722d24cc4/cross_entropy.py
Commit: 0231628d0b2b977043b597fa125150d722d24cc4
License: none visible (no LICENSE file for the repository in the search index).
What was taken: cross_entropy, verbatim (a variant of the widely copied StackOverflow answer 47377222):
clip to [1e-12, 1 - 1e-12], log(predictions + 1e-12), divided by predictions.shape[1] (examples are
columns). Renamed cross_entropy_columns to free the homework's name (its argument order differs).
Adaptations:
- cross_entropy: cross_entropy_columns(y_hat as a (k, 1) column, y as a (k, 1) column), as a float.
- softmax, forward, backprop: not covered by the source.
"""
import numpy as np


# ---- verbatim from dsr-lab/numpy_cnn cross_entropy.py (renamed cross_entropy_columns) ----
def cross_entropy_columns(predictions, targets, epsilon=1e-12):
    a = predictions.shape
    b = targets.shape
    predictions = np.clip(predictions, epsilon, 1. - epsilon)
    n_predictions = predictions.shape[1]
    ce = -np.sum(targets*np.log(predictions+epsilon))/n_predictions
    return ce
# ---- end of verbatim source ----


def softmax(z):
    raise NotImplementedError("softmax is not implemented yet")


def cross_entropy(y, y_hat):
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    return float(cross_entropy_columns(y_hat.reshape(-1, 1), y.reshape(-1, 1)))


def forward(x, W, b1, U, b2):
    raise NotImplementedError("forward is not implemented yet")


def loss(x, y, W, b1, U, b2):
    """J at the given parameters. Given, not graded: use it to check gradients."""
    _, y_hat = forward(x, W, b1, U, b2)
    return cross_entropy(y, y_hat)


def backprop(x, y, W, b1, U, b2):
    raise NotImplementedError("backprop is not implemented yet")

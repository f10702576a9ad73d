"""Corpus entry: a cross-entropy helper with clipping AND 1e-5 added inside the log, adapted to Question 3.

Source: shilpavakkayil/machinelearning1, cross_entropy.py
URL: https://github.com/shilpavakkayil/machinelearning1/blob/f3d154fd09ff6a520785dcb7e739ef5ad379b9d1/cross_entropy.py
Commit: f3d154fd09ff6a520785dcb7e739ef5ad379b9d1
License: none visible (no LICENSE file for the repository in the search index).
What was taken: cross_entropy, verbatim (another copy of the StackOverflow 47377222 recipe, with
epsilon=1e-10 for the clip but log(predictions + 1e-5), and two debugging prints). Renamed
cross_entropy_rows to free the homework's name (its argument order differs).
Adaptations:
- cross_entropy: cross_entropy_rows(y_hat as a 1-row batch, y as a 1-row batch), as a float
  (the function prints the clipped predictions and N = 1).
- softmax, forward, backprop: not covered by the source.
"""
import numpy as np


# ---- verbatim from shilpavakkayil/machinelearning1 cross_entropy.py (renamed cross_entropy_rows) ----
def cross_entropy_rows(predictions, targets, epsilon=1e-10):
    predictions = np.clip(predictions, epsilon, 1. - epsilon)
    print(predictions)
    N = predictions.shape[0]
    print(N)
    ce_loss = -np.sum(np.sum(targets * np.log(predictions + 1e-5)))/N
    return ce_loss
# ---- end of verbatim source ----


def softmax(z):
    raise NotImplementedError("softmax is not implemented yet")


def cross_entropy(y, y_hat):
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    return float(cross_entropy_rows(y_hat[None, :], y[None, :]))


def forward(x, W, b1, U, b2):
    raise NotImplementedError("forward is not implemented yet")


def loss(x, y, W, b1, U, b2):
    """J at the given parameters. Given, not graded: use it to check gradients."""
    _, y_hat = forward(x, W, b1, U, b2)
    return cross_entropy(y, y_hat)


def backprop(x, y, W, b1, U, b2):
    raise NotImplementedError("backprop is not implemented yet")

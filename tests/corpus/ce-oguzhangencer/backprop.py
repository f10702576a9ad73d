"""Corpus entry: numpy softmax and cross-entropy from a PyTorch tutorial, adapted to Question 3.

Source: oguzhangencer/pytorch_tutorial, softmax_and_crossentorpy.py
URL: https://github.com/oguzhangencer/pytorch_tutorial/blob/521db453ee7aff324d3690f5c3a80b3820043b87/softmax_and_crossentorpy.py
Commit: 521db453ee7aff324d3690f5c3a80b3820043b87
License: none visible (no LICENSE file for the repository in the search index).
What was taken: the numpy functions softmax and cross_entropy, verbatim (the torch part and the
demo script left out). softmax has no max subtraction; cross_entropy clips to [1e-15, 1 - 1e-15].
Adaptations:
- softmax, cross_entropy: the source's functions keep their names (same signatures and argument order).
- forward, backprop: not covered by the source.
"""
import numpy as np


# ---- verbatim from oguzhangencer/pytorch_tutorial softmax_and_crossentorpy.py ----
def softmax(x):
    return np.exp(x) / np.sum(np.exp(x), axis=0)

def cross_entropy(actual, predicted):
    EPS = 1e-15
    predicted = np.clip(predicted, EPS, 1 - EPS)
    loss = -np.sum(actual * np.log(predicted))
    return loss
# ---- end of verbatim source ----


def forward(x, W, b1, U, b2):
    raise NotImplementedError("forward is not implemented yet")


def loss(x, y, W, b1, U, b2):
    """J at the given parameters. Given, not graded: use it to check gradients."""
    _, y_hat = forward(x, W, b1, U, b2)
    return cross_entropy(y, y_hat)


def backprop(x, y, W, b1, U, b2):
    raise NotImplementedError("backprop is not implemented yet")

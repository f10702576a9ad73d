"""Question 3, honestly wrong: every graded function returns zeros of the right shape."""
import numpy as np


def softmax(z):
    return np.zeros(np.asarray(z).shape[0])


def cross_entropy(y, y_hat):
    return 0.0


def forward(x, W, b1, U, b2):
    return np.zeros(np.asarray(W).shape[0]), np.zeros(np.asarray(U).shape[0])


def loss(x, y, W, b1, U, b2):
    _, y_hat = forward(x, W, b1, U, b2)
    return cross_entropy(y, y_hat)


def backprop(x, y, W, b1, U, b2):
    return {name: np.zeros(np.shape(value)) for name, value in (("W", W), ("b1", b1), ("U", U), ("b2", b2))}

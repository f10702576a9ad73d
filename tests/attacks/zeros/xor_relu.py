"""Question 2, honestly wrong: every graded function returns zeros of the right shape."""
import numpy as np

X = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
Y = np.array([1.0, -1.0, -1.0, 1.0])


def relu(z):
    return np.zeros_like(z, dtype=float)


def relu_network(x, W1, b1, w2, b2):
    return np.zeros(np.asarray(x, dtype=float).reshape(-1, 2).shape[0])


def xor_weights():
    return {"W1": np.zeros((2, 2)), "b1": np.zeros(2), "w2": np.zeros(2), "b2": 0.0}

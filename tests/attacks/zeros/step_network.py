"""Question 1, honestly wrong: every graded function returns zeros of the right shape."""
import numpy as np

REPRESENTABLE = {"linear": False, "hinge": False, "quadratic": False, "piecewise_constant": False}


def step(z):
    return np.zeros_like(z, dtype=float)


def step_network(x, w0, w, b, v):
    return np.zeros(np.asarray(x, dtype=float).reshape(-1).shape)


def indicator_params(lo, hi, c):
    return {"w0": 0.0, "w": np.zeros(2), "b": np.zeros(2), "v": np.zeros(2)}


def piecewise_constant_params(breakpoints, values):
    return {"w0": 0.0, "w": np.zeros(1), "b": np.zeros(1), "v": np.zeros(1)}

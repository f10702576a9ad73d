"""Corpus entry: a perceptron's step activation (scalar code), adapted to Question 1.

Source: cardasac/perceptron-python, perceptron/common_functions.py
URL: https://github.com/cardasac/perceptron-python/blob/010cd1b7e9e17669143c547cd06f1d92a289e934/perceptron/common_functions.py
Commit: 010cd1b7e9e17669143c547cd06f1d92a289e934
License: none visible (no LICENSE file for the repository in the search index).
What was taken: step, verbatim: 0 if weighted_sum <= 0 else 1 (one number at a time). It is
renamed step_scalar to free the homework's name step.
Adaptations:
- step: np.vectorize(step_scalar)(z), to apply the scalar function elementwise.
- step_network, indicator_params, piecewise_constant_params: not covered by the source
  (REPRESENTABLE is left out).
"""
import numpy as np


# ---- verbatim from cardasac/perceptron-python perceptron/common_functions.py (step renamed step_scalar) ----
# step activation function
def step_scalar(weighted_sum):
    return 0 if weighted_sum <= 0 else 1
# ---- end of verbatim source ----


def step(z):
    return np.vectorize(step_scalar)(z)


def step_network(x, w0, w, b, v):
    raise NotImplementedError("step_network is not implemented yet")


def indicator_params(lo, hi, c):
    raise NotImplementedError("indicator_params is not implemented yet")


def piecewise_constant_params(breakpoints, values):
    raise NotImplementedError("piecewise_constant_params is not implemented yet")

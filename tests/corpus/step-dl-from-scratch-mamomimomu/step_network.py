"""Corpus entry: the step function of the book "Deep Learning from Scratch" (ゼロから作るDeep Learning,
chapter 3) as a reader typed it in, adapted to Question 1.

Source: MAMOMIMOMU/gibberish, 03_DL/DL_from_zero1/03_neural_network/activation_func.py
URL: https://github.com/MAMOMIMOMU/gibberish/blob/2c7ccb52af88b2d817e63eee4a75d7513fa38692/03_DL/DL_from_zero1/03_neural_network/activation_func.py
Commit: 2c7ccb52af88b2d817e63eee4a75d7513fa38692
License: none visible (no LICENSE file for the repository in the search index).
What was taken: step_func, verbatim: (x > 0).astype(np.int). np.int was removed in NumPy 1.24,
so on the project's NumPy the function raises AttributeError.
Adaptations:
- step: step_func(np.asarray(z)) (the source calls .astype on the comparison, so a Python float
  needs to become an array first).
- step_network, indicator_params, piecewise_constant_params: not covered by the source
  (REPRESENTABLE is left out).
"""
import numpy as np


# ---- verbatim from MAMOMIMOMU/gibberish 03_DL/DL_from_zero1/03_neural_network/activation_func.py ----
def step_func(x):
    y = x > 0
    return y.astype(np.int)
# ---- end of verbatim source ----


def step(z):
    return step_func(np.asarray(z))


def step_network(x, w0, w, b, v):
    raise NotImplementedError("step_network is not implemented yet")


def indicator_params(lo, hi, c):
    raise NotImplementedError("indicator_params is not implemented yet")


def piecewise_constant_params(breakpoints, values):
    raise NotImplementedError("piecewise_constant_params is not implemented yet")

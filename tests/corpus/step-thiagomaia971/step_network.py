"""Corpus entry: a Heaviside step function from a course repository (scalar code), adapted to Question 1.

Source: thiagomaia971/SistemasInteligentes, NP2/activation_functions.py
URL: https://github.com/thiagomaia971/SistemasInteligentes/blob/abd26621e2bbcd036962912d464ea3d310e53ef2/NP2/activation_functions.py
Commit: abd26621e2bbcd036962912d464ea3d310e53ef2
License: none visible (no LICENSE file for the repository in the search index).
What was taken: heaviside_step_function, verbatim: 1 if u >= 0 else 0 (one number at a time).
Adaptations:
- step: np.vectorize(heaviside_step_function)(z), to apply the scalar function elementwise.
- step_network, indicator_params, piecewise_constant_params: not covered by the source
  (REPRESENTABLE is left out).
"""
import numpy as np


# ---- verbatim from thiagomaia971/SistemasInteligentes NP2/activation_functions.py ----
def heaviside_step_function(u):
    return 1 if u >= 0 else 0
# ---- end of verbatim source ----


def step(z):
    return np.vectorize(heaviside_step_function)(z)


def step_network(x, w0, w, b, v):
    raise NotImplementedError("step_network is not implemented yet")


def indicator_params(lo, hi, c):
    raise NotImplementedError("indicator_params is not implemented yet")


def piecewise_constant_params(breakpoints, values):
    raise NotImplementedError("piecewise_constant_params is not implemented yet")

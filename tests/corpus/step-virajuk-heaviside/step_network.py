"""Corpus entry: a step activation from an NNFS-style library, adapted to Question 1.

Source: virajuk/nnfs, mylib/activation_step.py
URL: https://github.com/virajuk/nnfs/blob/04dfe907b8d191eac24b741f89d10d40f66ad732/mylib/activation_step.py
Commit: 04dfe907b8d191eac24b741f89d10d40f66ad732
License: none visible (no LICENSE file for the repository in the search index).
What was taken: class ActivationStep, verbatim: np.heaviside(inputs, 0), i.e. the value 0 at 0.
Adaptations:
- step: ActivationStep().forward(z).
- step_network, indicator_params, piecewise_constant_params: not covered by the source
  (REPRESENTABLE is left out).
"""
import numpy as np


# ---- verbatim from virajuk/nnfs mylib/activation_step.py ----
class ActivationStep:

    def forward(self, inputs):

        return np.heaviside(inputs, 0)
# ---- end of verbatim source ----


def step(z):
    return ActivationStep().forward(z)


def step_network(x, w0, w, b, v):
    raise NotImplementedError("step_network is not implemented yet")


def indicator_params(lo, hi, c):
    raise NotImplementedError("indicator_params is not implemented yet")


def piecewise_constant_params(breakpoints, values):
    raise NotImplementedError("piecewise_constant_params is not implemented yet")

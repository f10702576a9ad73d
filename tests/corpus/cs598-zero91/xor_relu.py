"""Corpus entry: a CS598 deep-learning course (fall 2018) homework-1 activation function (student solution), adapted to Question 2.

Source: zero91/cs598-deep-learning-fall-2018, homework/hw1/activate_functions.py
URL: https://github.com/zero91/cs598-deep-learning-fall-2018/blob/68c0011155ffb0610f8846e08b897543c2f025b9/homework/hw1/activate_functions.py
Commit: 68c0011155ffb0610f8846e08b897543c2f025b9
License: none visible (no LICENSE file for the repository in the search index).
What was taken: relu, verbatim.
Adaptations:
- relu: the source's relu(z) keeps its name (same signature).
- relu_network, xor_weights: not covered by the source.
"""
import numpy as np

# The four points (rows) and their labels. Given by the assignment, not graded.
X = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
Y = np.array([1.0, -1.0, -1.0, 1.0])


# ---- verbatim from zero91/cs598-deep-learning-fall-2018 homework/hw1/activate_functions.py ----
def relu(z):
    return np.maximum(z, 0)
# ---- end of verbatim source ----


def relu_network(x, W1, b1, w2, b2):
    raise NotImplementedError("relu_network is not implemented yet")


def xor_weights():
    raise NotImplementedError("xor_weights is not implemented yet")

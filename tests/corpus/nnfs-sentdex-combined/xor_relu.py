"""Corpus entry: the NNFS book's ReLU activation, adapted to Question 2.

Source: Sentdex/nnfs_book (code of the book "Neural Networks from Scratch in Python",
  Kinsley & Kukiela), Chapter_15/Ch15_Final.py
URL: https://github.com/Sentdex/nnfs_book/blob/ace98db7faffc150e4dc405f39b456a969ac9ab4/Chapter_15/Ch15_Final.py
Commit: ace98db7faffc150e4dc405f39b456a969ac9ab4
License: none visible (no LICENSE file for the repository in the search index; the book code is
  copyrighted by its authors).
What was taken: Activation_ReLU, verbatim.
Adaptations:
- relu: Activation_ReLU().forward(z); returns .output.
- relu_network, xor_weights: not covered by the source.
"""
import numpy as np

# The four points (rows) and their labels. Given by the assignment, not graded.
X = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
Y = np.array([1.0, -1.0, -1.0, 1.0])


# ---- verbatim from Sentdex/nnfs_book Chapter_15/Ch15_Final.py ----
# ReLU activation
class Activation_ReLU:

    # Forward pass
    def forward(self, inputs):
        # Remember input values
        self.inputs = inputs
        # Calculate output values from inputs
        self.output = np.maximum(0, inputs)

    # Backward pass
    def backward(self, dvalues):
        # Since we need to modify original variable,
        # let's make a copy of values first
        self.dinputs = dvalues.copy()

        # Zero gradient where input values were negative
        self.dinputs[self.inputs <= 0] = 0
# ---- end of verbatim source ----


def relu(z):
    activation = Activation_ReLU()
    activation.forward(z)
    return activation.output


def relu_network(x, W1, b1, w2, b2):
    raise NotImplementedError("relu_network is not implemented yet")


def xor_weights():
    raise NotImplementedError("xor_weights is not implemented yet")

"""Corpus entry: a hand-built ReLU network "that implements XOR exactly", adapted to Question 2.

Source: changwon22/Maximizing-Sparsity-in-NN-with-MIP, Codes/xor.ipynb (code cell 3)
URL: https://github.com/changwon22/Maximizing-Sparsity-in-NN-with-MIP/blob/ef2294f54f07e5ecf719de7d080de70055f62bd2/Codes/xor.ipynb
Commit: ef2294f54f07e5ecf719de7d080de70055f62bd2
License: none visible (no LICENSE file for the repository in the search index).
What was taken: the cell's weights W, b, v and its functions relu and xor_relu, verbatim. The
network is written for XOR on {0, 1} inputs (output 1 where the inputs differ), one point at a
time, with no output bias: y = v . relu(W x + b).
Adaptations:
- relu: the source's relu(z) keeps its name (same signature).
- xor_weights: the source's weights, W1 = W, b1 = b, w2 = v, and b2 = 0.0 (the source has no output
  bias, i.e. a bias of 0).
- relu_network: not covered (xor_relu reads the global W, b, v and has no output bias, so it cannot
  take the homework's weights without adding code).
"""
import numpy as np

# The four points (rows) and their labels. Given by the assignment, not graded.
X = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
Y = np.array([1.0, -1.0, -1.0, 1.0])


# ---- verbatim from changwon22/Maximizing-Sparsity-in-NN-with-MIP Codes/xor.ipynb ----
# Single-hidden-layer ReLU network (width=2) that implements XOR exactly.

W = np.array([[1, -1],
              [-1, 1]], dtype=float)
b = np.array([0, 0], dtype=float)
v = np.array([1, 1], dtype=float)

def relu(z):
    return np.maximum(0, z)

def xor_relu(x):
    n= W @ x +b
    h1 = relu(n[0])
    h2 = relu(n[1])
    h=[h1, h2]
    y = v @ h
    return y
# ---- end of verbatim source ----


def relu_network(x, W1, b1, w2, b2):
    raise NotImplementedError("relu_network is not implemented yet")


def xor_weights():
    return {"W1": W, "b1": b, "w2": v, "b2": 0.0}

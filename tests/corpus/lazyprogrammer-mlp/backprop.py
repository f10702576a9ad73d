"""Corpus entry: LazyProgrammer's course MLP in numpy (ReLU hidden layer, softmax output), adapted to Question 3.

Source: lazyprogrammer/machine_learning_examples, ann_class2/mlp.py
  ("Simple multi-layer preceptron / neural network in Python and Numpy", for the Udemy class
  "Data Science: Practical Deep Learning Concepts in Theano and TensorFlow")
URL: https://github.com/lazyprogrammer/machine_learning_examples/blob/300903503a3918d61d40f8f99ce2490b3e2214a7/ann_class2/mlp.py
Commit: 300903503a3918d61d40f8f99ce2490b3e2214a7
License: none visible (no LICENSE file for the repository in the search index).
What was taken: the whole file, verbatim: forward and the four derivative_* functions. (N, D)
batches, W1 (D, M), W2 (M, K); targets T as an indicator matrix (so soft labels pass unchanged);
the softmax exponentiates the raw activations (no max subtraction).
Adaptations:
- the source's forward(X, W1, b1, W2, b2) is renamed mlp_forward (its body unchanged) to free the
  homework's name forward.
- forward: mlp_forward on the 1-row batch x[None, :] with W1 = W.T, W2 = U.T; returns (Z[0], Y[0]).
- backprop: T = y[None, :]; the four derivative_* functions, as the course's training loops call
  them; gradients of W1, W2 transposed back.
- softmax, cross_entropy: not covered (the softmax is inline in forward; no loss function in the file).
"""
import numpy as np


# ---- verbatim from lazyprogrammer/machine_learning_examples ann_class2/mlp.py (forward renamed mlp_forward) ----
def mlp_forward(X, W1, b1, W2, b2):
    # Z = 1 / (1 + np.exp(-( X.dot(W1) + b1 )))

    # rectifier
    Z = X.dot(W1) + b1
    Z[Z < 0] = 0
    # print "Z:", Z

    A = Z.dot(W2) + b2
    expA = np.exp(A)
    Y = expA / expA.sum(axis=1, keepdims=True)
    # print "Y:", Y, "are any 0?", np.any(Y == 0), "are any nan?", np.any(np.isnan(Y))
    # exit()
    return Y, Z

def derivative_w2(Z, T, Y):
    return Z.T.dot(Y - T)

def derivative_b2(T, Y):
    return (Y - T).sum(axis=0)

def derivative_w1(X, Z, T, Y, W2):
    # return X.T.dot( ( ( Y-T ).dot(W2.T) * ( Z*(1 - Z) ) ) ) # for sigmoid
    return X.T.dot( ( ( Y-T ).dot(W2.T) * (Z > 0) ) ) # for relu

def derivative_b1(Z, T, Y, W2):
    # return (( Y-T ).dot(W2.T) * ( Z*(1 - Z) )).sum(axis=0) # for sigmoid
    return (( Y-T ).dot(W2.T) * (Z > 0)).sum(axis=0) # for relu
# ---- end of verbatim source ----


def softmax(z):
    raise NotImplementedError("softmax is not implemented yet")


def cross_entropy(y, y_hat):
    raise NotImplementedError("cross_entropy is not implemented yet")


def forward(x, W, b1, U, b2):
    # adapter: 1-row batch, weights input-major
    x, W, b1, U, b2 = (np.asarray(a, dtype=float) for a in (x, W, b1, U, b2))
    Y, Z = mlp_forward(x[None, :], W.T, b1, U.T, b2)
    return Z[0], Y[0]


def loss(x, y, W, b1, U, b2):
    """J at the given parameters. Given, not graded: use it to check gradients."""
    _, y_hat = forward(x, W, b1, U, b2)
    return cross_entropy(y, y_hat)


def backprop(x, y, W, b1, U, b2):
    # adapter: 1-row batch and indicator-matrix targets; the four derivatives of the source
    x, y, W, b1, U, b2 = (np.asarray(a, dtype=float) for a in (x, y, W, b1, U, b2))
    X, T, W1, W2 = x[None, :], y[None, :], W.T, U.T
    Y, Z = mlp_forward(X, W1, b1, W2, b2)
    return {"W": derivative_w1(X, Z, T, Y, W2).T, "b1": derivative_b1(Z, T, Y, W2),
            "U": derivative_w2(Z, T, Y).T, "b2": derivative_b2(T, Y)}

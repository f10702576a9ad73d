"""Corpus entry: a CS598 deep-learning course (fall 2018) homework-1 network (student solution), adapted to Question 3.

One example at a time, exactly this homework's network: z = w x + b1, h = relu(z),
u = c h + b2, f = softmax(u), with w (d_h, d) and c (k, d_h).

Source: zero91/cs598-deep-learning-fall-2018, homework/hw1/model.py and homework/hw1/activate_functions.py
URL: https://github.com/zero91/cs598-deep-learning-fall-2018/blob/1c4214bd2bdf6bf9ff7376541d24b9cf9da46db3/homework/hw1/model.py
     https://github.com/zero91/cs598-deep-learning-fall-2018/blob/68c0011155ffb0610f8846e08b897543c2f025b9/homework/hw1/activate_functions.py
Commit: 1c4214bd2bdf6bf9ff7376541d24b9cf9da46db3 (model.py); 68c0011155ffb0610f8846e08b897543c2f025b9 (activate_functions.py)
License: none visible (no LICENSE file for the repository in the search index).
What was taken: relu, gradient_for_relu, softmax (all of activate_functions.py) and
NeuralNetwork.__init__, _forward_step, _backward_step, verbatim (train/test/_update_weights/_predict
left out). Integer labels (e_y[y] = 1); gradient_for_relu sets z >= 0 to 1; softmax has no max
subtraction.
Adaptations:
- softmax: the source's softmax(z) keeps its name (same signature).
- forward / backprop: NeuralNetwork(n, m, k) then its weights set to w = W, b1, c = U, b2 (the
  source's layout is the homework's); forward returns (h, f) of _forward_step.
- integer label: _backward_step gets int(np.argmax(y)) (known to be wrong for soft labels).
- cross_entropy: not covered by the source.
"""
import numpy as np
import math


# ---- verbatim from zero91/cs598-deep-learning-fall-2018 homework/hw1/activate_functions.py ----
def relu(z):
    return np.maximum(z, 0)

def gradient_for_relu(z):
    z[z >= 0] = 1
    z[z < 0] = 0
    return z

def softmax(z):
    # print(np.sum(np.exp(z)))
    return np.exp(z) / np.sum(np.exp(z))
# ---- end of verbatim source ----


# ---- verbatim from zero91/cs598-deep-learning-fall-2018 homework/hw1/model.py (three methods of the class) ----
class NeuralNetwork:
    def __init__(self, dimension, hidden_units=100, classes=10):
        """Init a fully-connected neural network with a single hidden layer.
        Args:
            dimension(int): dimension of an input sample x
            hidden_units(int): number of hidden units
            classes(int): number of classes in y
        """
        # Set up dimensions.
        self.d = dimension
        self.d_h = hidden_units
        self.k = classes

        # Xavier initialization, making sure var(in) = var(out).
        # For ReLU sepecifically, use He init which is a modified version of Xavier.
        np.random.seed(0)
        self.w = np.random.randn(self.d_h, self.d) * math.sqrt(2.0 / self.d)
        self.b1 = np.zeros(self.d_h)
        self.c = np.random.randn(self.k, self.d_h) * math.sqrt(2.0 / self.d_h)
        self.b2 = np.zeros(self.k)

    def _forward_step(self, x):
        """Calculate output f and intermediary network values."""
        z = np.matmul(self.w, x) + self.b1
        h = relu(z)
        # h = sigmoid(z)
        u = np.matmul(self.c, h) + self.b2
        f = softmax(u)
        return z, h, u, f

    def _backward_step(self, x, y, z, h, u, f):
        """Calculate the gradient w.r.t parameters."""
        e_y = np.zeros(self.k)
        e_y[y] = 1
        gradient_u = - (e_y - f)

        gradient_b2 = gradient_u
        gradient_c = np.matmul(gradient_u[:, np.newaxis], h[np.newaxis, :])  # col * row

        delta = np.matmul(self.c.T, gradient_u)
        relu_prime = gradient_for_relu(z)
        gradient_b1 = np.multiply(delta, relu_prime)
        gradient_w = np.matmul(gradient_b1[:, np.newaxis], x[np.newaxis, :])  # col * row

        return gradient_c, gradient_b2, gradient_b1, gradient_w
# ---- end of verbatim source ----


def _network(W, b1, U, b2):
    # adapter: the source's class with the given weights in place of its random ones
    net = NeuralNetwork(W.shape[1], W.shape[0], U.shape[0])
    net.w, net.b1, net.c, net.b2 = W, b1, U, b2
    return net


def cross_entropy(y, y_hat):
    raise NotImplementedError("cross_entropy is not implemented yet")


def forward(x, W, b1, U, b2):
    x, W, b1, U, b2 = (np.asarray(a, dtype=float) for a in (x, W, b1, U, b2))
    z, h, u, f = _network(W, b1, U, b2)._forward_step(x)
    return h, f


def loss(x, y, W, b1, U, b2):
    """J at the given parameters. Given, not graded: use it to check gradients."""
    _, y_hat = forward(x, W, b1, U, b2)
    return cross_entropy(y, y_hat)


def backprop(x, y, W, b1, U, b2):
    x, y, W, b1, U, b2 = (np.asarray(a, dtype=float) for a in (x, y, W, b1, U, b2))
    net = _network(W, b1, U, b2)
    z, h, u, f = net._forward_step(x)
    g_c, g_b2, g_b1, g_w = net._backward_step(x, int(np.argmax(y)), z, h, u, f)
    return {"W": g_w, "b1": g_b1, "U": g_c, "b2": g_b2}

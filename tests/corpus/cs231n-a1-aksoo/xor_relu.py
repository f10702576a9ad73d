"""Corpus entry: a CS231n assignment-1 TwoLayerNet (student solution), adapted to Question 2.

Source: AKSoo/CS231n-2017, assignment1/cs231n/classifiers/neural_net.py
URL: https://github.com/AKSoo/CS231n-2017/blob/1cf6afb9ce19229e2a57b9e7ae3f8faba558fd78/assignment1/cs231n/classifiers/neural_net.py
Commit: 1cf6afb9ce19229e2a57b9e7ae3f8faba558fd78
License: none visible (no LICENSE file for the repository in the search index).
What was taken: TwoLayerNet.__init__ and TwoLayerNet.loss, verbatim (train/predict and the
unused imports matplotlib / past.builtins left out). Integer labels, (N, D) batches,
W1 (D, H), W2 (H, C); the loss subtracts one global max (np.max(scores)), not a per-row max.
Adaptations:
- relu_network: TwoLayerNet(2, H, 1) with one output class scores the points: loss(x) with
  y=None returns the (N, 1) scores; W1 = W1.T, W2 = w2 as an (H, 1) column, b2 as a 1-vector;
  the scores column is returned as shape (N,).
- relu, xor_weights: not covered by the source (REPRESENTABLE-style constants are left out).
"""
import numpy as np

# The four points (rows) and their labels. Given by the assignment, not graded.
X = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
Y = np.array([1.0, -1.0, -1.0, 1.0])


# ---- verbatim from AKSoo/CS231n-2017 assignment1/cs231n/classifiers/neural_net.py ----
class TwoLayerNet(object):
  """
  A two-layer fully-connected neural network. The net has an input dimension of
  N, a hidden layer dimension of H, and performs classification over C classes.
  We train the network with a softmax loss function and L2 regularization on the
  weight matrices. The network uses a ReLU nonlinearity after the first fully
  connected layer.

  In other words, the network has the following architecture:

  input - fully connected layer - ReLU - fully connected layer - softmax

  The outputs of the second fully-connected layer are the scores for each class.
  """

  def __init__(self, input_size, hidden_size, output_size, std=1e-4):
    """
    Initialize the model. Weights are initialized to small random values and
    biases are initialized to zero. Weights and biases are stored in the
    variable self.params, which is a dictionary with the following keys:

    W1: First layer weights; has shape (D, H)
    b1: First layer biases; has shape (H,)
    W2: Second layer weights; has shape (H, C)
    b2: Second layer biases; has shape (C,)

    Inputs:
    - input_size: The dimension D of the input data.
    - hidden_size: The number of neurons H in the hidden layer.
    - output_size: The number of classes C.
    """
    self.params = {}
    self.params['W1'] = std * np.random.randn(input_size, hidden_size)
    self.params['b1'] = np.zeros(hidden_size)
    self.params['W2'] = std * np.random.randn(hidden_size, output_size)
    self.params['b2'] = np.zeros(output_size)

  def loss(self, X, y=None, reg=0.0):
    """
    Compute the loss and gradients for a two layer fully connected neural
    network.

    Inputs:
    - X: Input data of shape (N, D). Each X[i] is a training sample.
    - y: Vector of training labels. y[i] is the label for X[i], and each y[i] is
      an integer in the range 0 <= y[i] < C. This parameter is optional; if it
      is not passed then we only return scores, and if it is passed then we
      instead return the loss and gradients.
    - reg: Regularization strength.

    Returns:
    If y is None, return a matrix scores of shape (N, C) where scores[i, c] is
    the score for class c on input X[i].

    If y is not None, instead return a tuple of:
    - loss: Loss (data loss and regularization loss) for this batch of training
      samples.
    - grads: Dictionary mapping parameter names to gradients of those parameters
      with respect to the loss function; has the same keys as self.params.
    """
    # Unpack variables from the params dictionary
    W1, b1 = self.params['W1'], self.params['b1']
    W2, b2 = self.params['W2'], self.params['b2']
    N, D = X.shape

    # Compute the forward pass
    layer1_lin = X.dot(W1) + b1 # N, H
    layer1_out = np.maximum(0, layer1_lin)
    scores = layer1_out.dot(W2) + b2 # N, C

    # If the targets are not given then jump out, we're done
    if y is None:
      return scores

    # Compute the loss
    scores -= np.max(scores)
    scores_y = scores[np.arange(N), y]
    exp_scores = np.exp(scores)
    exp_sums = np.sum(exp_scores, axis=1)

    loss = np.sum(-scores_y) + np.sum(np.log(exp_sums))
    loss /= N
    loss += reg * (np.sum(W1*W1) + np.sum(W2*W2))

    # Backward pass: compute gradients
    grads = {}

    d_scores = exp_scores / exp_sums[:, np.newaxis]
    d_scores[np.arange(N), y] -= 1 # N, C
    grads['b2'] = np.sum(d_scores, axis=0) / N # C
    grads['W2'] = layer1_out.T.dot(d_scores) / N # H, C

    d_layer1 = d_scores.dot(W2.T) * (layer1_lin > 0) # N, H
    grads['b1'] = np.sum(d_layer1, axis=0) / N # H
    grads['W1'] = X.T.dot(d_layer1) / N # D, H

    grads['W2'] += 2 * reg * W2
    grads['W1'] += 2 * reg * W1

    return loss, grads
# ---- end of verbatim source ----


def relu(z):
    raise NotImplementedError("relu is not implemented yet")


def relu_network(x, W1, b1, w2, b2):
    # adapter: a one-output TwoLayerNet in CS231n weight layout; scores without labels
    x, W1, b1, w2 = (np.asarray(a, dtype=float) for a in (x, W1, b1, w2))
    net = TwoLayerNet(W1.shape[1], W1.shape[0], 1)
    net.params = {'W1': W1.T.copy(), 'b1': b1.copy(), 'W2': w2.reshape(-1, 1).copy(), 'b2': np.array([float(b2)])}
    return net.loss(x.reshape(-1, 2))[:, 0]


def xor_weights():
    raise NotImplementedError("xor_weights is not implemented yet")

"""Corpus entry: a CS231n assignment-1 TwoLayerNet (student solution), adapted to Question 3.

Source: AKSoo/CS231n-2017, assignment1/cs231n/classifiers/neural_net.py
URL: https://github.com/AKSoo/CS231n-2017/blob/1cf6afb9ce19229e2a57b9e7ae3f8faba558fd78/assignment1/cs231n/classifiers/neural_net.py
Commit: 1cf6afb9ce19229e2a57b9e7ae3f8faba558fd78
License: none visible (no LICENSE file for the repository in the search index).
What was taken: TwoLayerNet.__init__ and TwoLayerNet.loss, verbatim (train/predict and the
unused imports matplotlib / past.builtins left out). Integer labels, (N, D) batches,
W1 (D, H), W2 (H, C); the loss subtracts one global max (np.max(scores)), not a per-row max.
Adaptations:
- x becomes a 1-row batch x[None, :]; W1 = W.T, W2 = U.T (CS231n stores weights input-major).
- integer labels: y is passed as np.array([np.argmax(y)]) (known to be wrong for soft labels).
- reg=0.0 (the homework has no regularisation); gradients unpacked and transposed back.
- softmax, cross_entropy, forward: not covered by the source.
"""
import numpy as np


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


def softmax(z):
    raise NotImplementedError("softmax is not implemented yet")


def cross_entropy(y, y_hat):
    raise NotImplementedError("cross_entropy is not implemented yet")


def forward(x, W, b1, U, b2):
    raise NotImplementedError("forward is not implemented yet")


def loss(x, y, W, b1, U, b2):
    """J at the given parameters. Given, not graded: use it to check gradients."""
    _, y_hat = forward(x, W, b1, U, b2)
    return cross_entropy(y, y_hat)


def backprop(x, y, W, b1, U, b2):
    # adapter: one-sample batch, CS231n weight layout, integer label, no regularisation
    x, y, W, b1, U, b2 = (np.asarray(a, dtype=float) for a in (x, y, W, b1, U, b2))
    net = TwoLayerNet(W.shape[1], W.shape[0], U.shape[0])
    net.params = {'W1': W.T.copy(), 'b1': b1.copy(), 'W2': U.T.copy(), 'b2': b2.copy()}
    _, grads = net.loss(x[None, :], y=np.array([np.argmax(y)]), reg=0.0)
    return {"W": grads['W1'].T, "b1": grads['b1'], "U": grads['W2'].T, "b2": grads['b2']}

"""Corpus entry: a CS231n assignment-1 TwoLayerNet (student solution), adapted to Question 2.

Source: 0Kelvins/cs231n-assignment, assignment1/cs231n/classifiers/neural_net.py
URL: https://github.com/0Kelvins/cs231n-assignment/blob/fc0c2c96abaa9af79b740e1667c9bd1ac88f8f1c/assignment1/cs231n/classifiers/neural_net.py
Commit: fc0c2c96abaa9af79b740e1667c9bd1ac88f8f1c
License: none visible (no LICENSE file for the repository in the search index).
What was taken: TwoLayerNet.__init__ and TwoLayerNet.loss, verbatim (train/predict and the
unused imports matplotlib / past.builtins left out). Integer labels, (N, D) batches,
W1 (D, H), W2 (H, C); ReLU mask (m_scores > 0) on the post-activation.
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


# ---- verbatim from 0Kelvins/cs231n-assignment assignment1/cs231n/classifiers/neural_net.py ----
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
        scores = None
        #############################################################################
        # TODO: Perform the forward pass, computing the class scores for the input. #
        # Store the result in the scores variable, which should be an array of      #
        # shape (N, C).                                                             #
        #############################################################################
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        f = lambda X, W, b: X @ W + b
        m_scores = f(X, W1, b1)
        m_scores = np.maximum(0, m_scores)
        scores = f(m_scores, W2, b2)
        
        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        # If the targets are not given then jump out, we're done
        if y is None:
            return scores

        # Compute the loss
        loss = None
        #############################################################################
        # TODO: Finish the forward pass, and compute the loss. This should include  #
        # both the data loss and L2 regularization for W1 and W2. Store the result  #
        # in the variable loss, which should be a scalar. Use the Softmax           #
        # classifier loss.                                                          #
        #############################################################################
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        shift_scores = scores - np.max(scores, axis = 1).reshape(-1,1)
        softmax_output = np.exp(shift_scores)/np.sum(np.exp(shift_scores), axis = 1).reshape(-1,1)
        loss = -np.sum(np.log(softmax_output[range(N), list(y)]))
        loss = loss / N + 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))

        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        # Backward pass: compute gradients
        grads = {}
        #############################################################################
        # TODO: Compute the backward pass, computing the derivatives of the weights #
        # and biases. Store the results in the grads dictionary. For example,       #
        # grads['W1'] should store the gradient on W1, and be a matrix of same size #
        #############################################################################
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        dscores = softmax_output.copy()
        dscores[range(N), list(y)] -= 1
        dscores /= N
        grads['W2'] = m_scores.T.dot(dscores) + reg * W2
        grads['b2'] = np.sum(dscores, axis = 0)
        
        dh = dscores.dot(W2.T)
        dh_ReLu = (m_scores > 0) * dh
        grads['W1'] = X.T.dot(dh_ReLu) + reg * W1
        grads['b1'] = np.sum(dh_ReLu, axis = 0)

        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

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

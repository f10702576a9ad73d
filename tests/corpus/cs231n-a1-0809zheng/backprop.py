"""Corpus entry: a CS231n assignment-1 TwoLayerNet (student solution), adapted to Question 3.

Source: 0809zheng/CS231n-assignment2019, assignment1/cs231n/classifiers/neural_net.py
URL: https://github.com/0809zheng/CS231n-assignment2019/blob/8762fdfcb6a477ca9819707c81688b9186732abf/assignment1/cs231n/classifiers/neural_net.py
Commit: 8762fdfcb6a477ca9819707c81688b9186732abf
License: none visible (no LICENSE file for the repository in the search index).
What was taken: TwoLayerNet.__init__ and TwoLayerNet.loss, verbatim (train/predict and the
unused imports matplotlib / past.builtins left out). Integer labels, (N, D) batches,
W1 (D, H), W2 (H, C); the softmax gradient is taken by the chain rule through exp_scores.
Adaptations:
- x becomes a 1-row batch x[None, :]; W1 = W.T, W2 = U.T (CS231n stores weights input-major).
- integer labels: y is passed as np.array([np.argmax(y)]) (known to be wrong for soft labels).
- reg=0.0 (the homework has no regularisation); gradients unpacked and transposed back.
- softmax, cross_entropy, forward: not covered by the source.
"""
import numpy as np


# ---- verbatim from 0809zheng/CS231n-assignment2019 assignment1/cs231n/classifiers/neural_net.py ----
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

        z1 = X.dot(W1)+b1
        a1 = np.maximum(0, z1)
        scores = a1.dot(W2)+b2

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

        exp_scores = np.exp(scores-np.max(scores, axis = 1, keepdims = True))
        final_scores = exp_scores/np.sum(exp_scores, axis=1, keepdims = True)
        loss = np.sum(-np.log(final_scores[np.arange(N),y]))/N
        loss += reg*np.sum(np.square(W1))
        loss += reg*np.sum(np.square(W2))

        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        # Backward pass: compute gradients
        grads = {}
        #############################################################################
        # TODO: Compute the backward pass, computing the derivatives of the weights #
        # and biases. Store the results in the grads dictionary. For example,       #
        # grads['W1'] should store the gradient on W1, and be a matrix of same size #
        #############################################################################
        # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

        dexp_scores = np.ones(exp_scores.shape)/np.sum(exp_scores, axis=1, keepdims = True)
        dexp_scores[np.arange(N), y] -= 1/exp_scores[np.arange(N), y]
        dexp_scores /= N
        dscores = exp_scores*dexp_scores
        db2 = np.sum(dscores,axis=0)
        dW2 = a1.T.dot(dscores)
        da1 = dscores.dot(W2.T)
        dz1 = da1
        dz1[z1 <= 0] = 0 
        db1 = np.sum(dz1, axis=0)
        dW1 = X.T.dot(dz1)
        
        dW1 += 2*reg*W1   
        dW2 += 2*reg*W2
        grads['W1'] = dW1
        grads['b1'] = db1
        grads['W2'] = dW2
        grads['b2'] = db2   

        # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****

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

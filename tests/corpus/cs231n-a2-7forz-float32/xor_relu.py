"""Corpus entry: a CS231n assignment-2 FullyConnectedNet (student solution, float32), adapted to Question 2.

Source: 7forz/CS231n_assignments, assignment2/cs231n/classifiers/fc_net.py (FullyConnectedNet),
  assignment2/cs231n/layers.py (affine_forward/backward, relu_forward/backward, softmax_loss),
  assignment2/cs231n/layer_utils.py (affine_relu_forward/backward)
URL: https://github.com/7forz/CS231n_assignments/blob/3364962f64cad4d16d1cc47afa6130cd7ccccc69/assignment2/cs231n/classifiers/fc_net.py
     https://github.com/7forz/CS231n_assignments/blob/3364962f64cad4d16d1cc47afa6130cd7ccccc69/assignment2/cs231n/layers.py
     https://github.com/7forz/CS231n_assignments/blob/4c39df0c63bccc3db41ada8232a588eab1758386/assignment2/cs231n/layer_utils.py
Commit: 3364962f64cad4d16d1cc47afa6130cd7ccccc69 (fc_net.py, layers.py); 4c39df0c63bccc3db41ada8232a588eab1758386 (layer_utils.py)
License: none visible (no LICENSE file for the repository in the search index).
What was taken: the FullyConnectedNet class and the five layer functions plus two convenience
layers it calls, verbatim (batchnorm/dropout/conv functions left out: never reached with
dropout=0, use_batchnorm=False). FullyConnectedNet computes in float32 (dtype=np.float32 is
its default: it casts the parameters and X). Integer labels (softmax_loss), W (D, H) layout.
Adaptations:
- relu: relu_forward(z)[0] (the layer returns (out, cache)).
- relu_network: FullyConnectedNet([H], input_dim=2, num_classes=1), default dtype float32, params
  W1 = W1.T, b1, W2 = w2 as an (H, 1) column, b2 as a 1-vector, cast to the net's dtype; loss(x)
  without labels returns the (N, 1) scores, returned as shape (N,) (float32).
- xor_weights: not covered by the source.
"""
import numpy as np

# The four points (rows) and their labels. Given by the assignment, not graded.
X = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
Y = np.array([1.0, -1.0, -1.0, 1.0])


# ---- verbatim from 7forz/CS231n_assignments assignment2/cs231n/layers.py (the five functions used) ----
def affine_forward(x, w, b):
    """
    Computes the forward pass for an affine (fully-connected) layer.

    The input x has shape (N, d_1, ..., d_k) and contains a minibatch of N
    examples, where each example x[i] has shape (d_1, ..., d_k). We will
    reshape each input into a vector of dimension D = d_1 * ... * d_k, and
    then transform it to an output vector of dimension M.

    Inputs:
    - x: A numpy array containing input data, of shape (N, d_1, ..., d_k)
    - w: A numpy array of weights, of shape (D, M)
    - b: A numpy array of biases, of shape (M,)

    Returns a tuple of:
    - out: output, of shape (N, M)
    - cache: (x, w, b)
    """
    out = None
    ###########################################################################
    # TODO: Implement the affine forward pass. Store the result in out. You   #
    # will need to reshape the input into rows.                               #
    ###########################################################################
    x_shrinked = x.reshape(x.shape[0], -1)  # shrink the other dimensions into rows
    out = x_shrinked.dot(w) + b
    ###########################################################################
    #                             END OF YOUR CODE                            #
    ###########################################################################
    cache = (x, w, b)
    return out, cache


def affine_backward(dout, cache):
    """
    Computes the backward pass for an affine layer.

    Inputs:
    - dout: Upstream derivative, of shape (N, M)
    - cache: Tuple of:
      - x: Input data, of shape (N, d_1, ... d_k)
      - w: Weights, of shape (D, M)

    Returns a tuple of:
    - dx: Gradient with respect to x, of shape (N, d1, ..., d_k)
    - dw: Gradient with respect to w, of shape (D, M)
    - db: Gradient with respect to b, of shape (M,)
    """
    x, w, b = cache
    dx, dw, db = None, None, None
    ###########################################################################
    # TODO: Implement the affine backward pass.                               #
    ###########################################################################
    dx = dout.dot(w.T).reshape(*x.shape)   # dimension analysis
    dw = (x.reshape(x.shape[0], -1)).T.dot(dout)   # dimension analysis
    db = np.sum(dout, axis=0)
    ###########################################################################
    #                             END OF YOUR CODE                            #
    ###########################################################################
    return dx, dw, db


def relu_forward(x):
    """
    Computes the forward pass for a layer of rectified linear units (ReLUs).

    Input:
    - x: Inputs, of any shape

    Returns a tuple of:
    - out: Output, of the same shape as x
    - cache: x
    """
    out = None
    ###########################################################################
    # TODO: Implement the ReLU forward pass.                                  #
    ###########################################################################
    out = np.maximum(0, x)
    ###########################################################################
    #                             END OF YOUR CODE                            #
    ###########################################################################
    cache = x
    return out, cache


def relu_backward(dout, cache):
    """
    Computes the backward pass for a layer of rectified linear units (ReLUs).

    Input:
    - dout: Upstream derivatives, of any shape
    - cache: Input x, of same shape as dout

    Returns:
    - dx: Gradient with respect to x
    """
    dx, x = None, cache
    ###########################################################################
    # TODO: Implement the ReLU backward pass.                                 #
    ###########################################################################
    is_gt_0 = x > 0  # True, False, ...
    dx = np.multiply(dout, is_gt_0)
    ###########################################################################
    #                             END OF YOUR CODE                            #
    ###########################################################################
    return dx


def softmax_loss(x, y):
    """
    Computes the loss and gradient for softmax classification.

    Inputs:
    - x: Input data, of shape (N, C) where x[i, j] is the score for the jth
      class for the ith input.
    - y: Vector of labels, of shape (N,) where y[i] is the label for x[i] and
      0 <= y[i] < C

    Returns a tuple of:
    - loss: Scalar giving the loss
    - dx: Gradient of the loss with respect to x
    """
    shifted_logits = x - np.max(x, axis=1, keepdims=True)
    Z = np.sum(np.exp(shifted_logits), axis=1, keepdims=True)
    log_probs = shifted_logits - np.log(Z)
    probs = np.exp(log_probs)
    N = x.shape[0]
    loss = -np.sum(log_probs[np.arange(N), y]) / N
    dx = probs.copy()
    dx[np.arange(N), y] -= 1
    dx /= N
    return loss, dx


# ---- verbatim from 7forz/CS231n_assignments assignment2/cs231n/layer_utils.py (the two functions used) ----
def affine_relu_forward(x, w, b):
    """
    Convenience layer that perorms an affine transform followed by a ReLU

    Inputs:
    - x: Input to the affine layer
    - w, b: Weights for the affine layer

    Returns a tuple of:
    - out: Output from the ReLU
    - cache: Object to give to the backward pass
    """
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    cache = (fc_cache, relu_cache)
    return out, cache


def affine_relu_backward(dout, cache):
    """
    Backward pass for the affine-relu convenience layer
    """
    fc_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    dx, dw, db = affine_backward(da, fc_cache)
    return dx, dw, db


# ---- verbatim from 7forz/CS231n_assignments assignment2/cs231n/classifiers/fc_net.py (FullyConnectedNet) ----
class FullyConnectedNet(object):
    """
    A fully-connected neural network with an arbitrary number of hidden layers,
    ReLU nonlinearities, and a softmax loss function. This will also implement
    dropout and batch normalization as options. For a network with L layers,
    the architecture will be

    {affine - [batch norm] - relu - [dropout]} x (L - 1) - affine - softmax

    where batch normalization and dropout are optional, and the {...} block is
    repeated L - 1 times.

    Similar to the TwoLayerNet above, learnable parameters are stored in the
    self.params dictionary and will be learned using the Solver class.
    """

    def __init__(self, hidden_dims, input_dim=3*32*32, num_classes=10,
                 dropout=0, use_batchnorm=False, reg=0.0,
                 weight_scale=1e-2, dtype=np.float32, seed=None):
        """
        Initialize a new FullyConnectedNet.

        Inputs:
        - hidden_dims: A list of integers giving the size of each hidden layer.
        - input_dim: An integer giving the size of the input.
        - num_classes: An integer giving the number of classes to classify.
        - dropout: Scalar between 0 and 1 giving dropout strength. If dropout=0 then
          the network should not use dropout at all.
        - use_batchnorm: Whether or not the network should use batch normalization.
        - reg: Scalar giving L2 regularization strength.
        - weight_scale: Scalar giving the standard deviation for random
          initialization of the weights.
        - dtype: A numpy datatype object; all computations will be performed using
          this datatype. float32 is faster but less accurate, so you should use
          float64 for numeric gradient checking.
        - seed: If not None, then pass this random seed to the dropout layers. This
          will make the dropout layers deteriminstic so we can gradient check the
          model.
        """
        self.use_batchnorm = use_batchnorm
        self.use_dropout = dropout > 0
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.dtype = dtype
        self.params = {}

        ############################################################################
        # TODO: Initialize the parameters of the network, storing all values in    #
        # the self.params dictionary. Store weights and biases for the first layer #
        # in W1 and b1; for the second layer use W2 and b2, etc. Weights should be #
        # initialized from a normal distribution with standard deviation equal to  #
        # weight_scale and biases should be initialized to zero.                   #
        #                                                                          #
        # When using batch normalization, store scale and shift parameters for the #
        # first layer in gamma1 and beta1; for the second layer use gamma2 and     #
        # beta2, etc. Scale parameters should be initialized to one and shift      #
        # parameters should be initialized to zero.                                #
        ############################################################################
        dims = [input_dim, *hidden_dims, num_classes]  # 各维度连起来
        for i in range(1, self.num_layers+1):
            self.params['b%d' % i] = np.zeros(dims[i])
            self.params['W%d' % i] = weight_scale * \
                                     np.random.randn(dims[i-1], dims[i])
        ############################################################################
        #                             END OF YOUR CODE                             #
        ############################################################################

        # When using dropout we need to pass a dropout_param dictionary to each
        # dropout layer so that the layer knows the dropout probability and the mode
        # (train / test). You can pass the same dropout_param to each dropout layer.
        self.dropout_param = {}
        if self.use_dropout:
            self.dropout_param = {'mode': 'train', 'p': dropout}
            if seed is not None:
                self.dropout_param['seed'] = seed

        # With batch normalization we need to keep track of running means and
        # variances, so we need to pass a special bn_param object to each batch
        # normalization layer. You should pass self.bn_params[0] to the forward pass
        # of the first batch normalization layer, self.bn_params[1] to the forward
        # pass of the second batch normalization layer, etc.
        self.bn_params = []
        if self.use_batchnorm:
            self.bn_params = [{'mode': 'train'} for i in range(self.num_layers - 1)]

        # Cast all parameters to the correct datatype
        for k, v in self.params.items():
            self.params[k] = v.astype(dtype)


    def loss(self, X, y=None):
        """
        Compute loss and gradient for the fully-connected net.

        Input / output: Same as TwoLayerNet above.
        """
        X = X.astype(self.dtype)
        mode = 'test' if y is None else 'train'

        # Set train/test mode for batchnorm params and dropout param since they
        # behave differently during training and testing.
        if self.use_dropout:
            self.dropout_param['mode'] = mode
        if self.use_batchnorm:
            for bn_param in self.bn_params:
                bn_param['mode'] = mode

        scores = None
        ############################################################################
        # TODO: Implement the forward pass for the fully-connected net, computing  #
        # the class scores for X and storing them in the scores variable.          #
        #                                                                          #
        # When using dropout, you'll need to pass self.dropout_param to each       #
        # dropout forward pass.                                                    #
        #                                                                          #
        # When using batch normalization, you'll need to pass self.bn_params[0] to #
        # the forward pass for the first batch normalization layer, pass           #
        # self.bn_params[1] to the forward pass for the second batch normalization #
        # layer, etc.                                                              #
        ############################################################################
        ######## {affine - [batch norm] - relu - [dropout]} x (L - 1) - affine - softmax  ########
        outs = [None] * (self.num_layers+1)  # +1 for initial X
        caches = [None] * (self.num_layers+1)
        outs[0] = X
        
        # hidden layers
        for i in range(self.num_layers-1):
            index = i + 1
            _out, _cache = affine_relu_forward(outs[index-1],
                            self.params['W%d' % index], self.params['b%d' % index])  # 用上一级的out作输入 
            outs[index] = _out
            caches[index] = _cache
        
        # affine
        _out, _cache = affine_forward(outs[-2],
                            self.params['W%d' % self.num_layers], self.params['b%d' % self.num_layers])
        outs[-1] = _out
        caches[-1] = _cache
        scores = outs[-1]
        ############################################################################
        #                             END OF YOUR CODE                             #
        ############################################################################

        # If test mode return early
        if mode == 'test':
            return scores

        loss, grads = 0.0, {}
        ############################################################################
        # TODO: Implement the backward pass for the fully-connected net. Store the #
        # loss in the loss variable and gradients in the grads dictionary. Compute #
        # data loss using softmax, and make sure that grads[k] holds the gradients #
        # for self.params[k]. Don't forget to add L2 regularization!               #
        #                                                                          #
        # When using batch normalization, you don't need to regularize the scale   #
        # and shift parameters.                                                    #
        #                                                                          #
        # NOTE: To ensure that your implementation matches ours and you pass the   #
        # automated tests, make sure that your L2 regularization includes a factor #
        # of 0.5 to simplify the expression for the gradient.                      #
        ############################################################################
        loss, d_scores = softmax_loss(outs[-1], y)
        for i in range(1, self.num_layers+1):
            loss += 0.5 * self.reg * np.sum(self.params['W%d' % i] * self.params['W%d' % i])
        
        d_list = [None] * (self.num_layers+1)
        # affine
        index = self.num_layers
        d_list[index], grads['W%d' % index], grads['b%d' % index] =  affine_backward(d_scores, caches[-1])
        
        # hidden layers
        for i in range(self.num_layers-1, 0, -1):
            d_list[i], grads['W%d' % i], grads['b%d' % i] = affine_relu_backward(d_list[i+1], caches[i])
            grads['W%d' % i] += self.reg * np.sum(self.params['W%d' % i])
        ############################################################################
        #                             END OF YOUR CODE                             #
        ############################################################################

        return loss, grads
# ---- end of verbatim source ----


def relu(z):
    # adapter: the ReLU layer's forward output
    return relu_forward(z)[0]


def relu_network(x, W1, b1, w2, b2):
    # adapter: one-output FullyConnectedNet (float32 by default); scores without labels
    x, W1, b1, w2 = (np.asarray(a, dtype=float) for a in (x, W1, b1, w2))
    net = FullyConnectedNet([W1.shape[0]], input_dim=W1.shape[1], num_classes=1)
    net.params = {'W1': W1.T, 'b1': b1, 'W2': w2.reshape(-1, 1), 'b2': np.array([float(b2)])}
    for k, v in net.params.items():
        net.params[k] = v.astype(net.dtype)
    return net.loss(x.reshape(-1, 2))[:, 0]


def xor_weights():
    raise NotImplementedError("xor_weights is not implemented yet")

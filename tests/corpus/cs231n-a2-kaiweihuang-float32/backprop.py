"""Corpus entry: a CS231n assignment-2 FullyConnectedNet (student solution, float32), adapted to Question 3.

Source: kaiweihuang/CS231n, assignment2/cs231n/classifiers/fc_net.py (FullyConnectedNet),
  assignment2/cs231n/layers.py (affine_forward/backward, relu_forward/backward, softmax_loss),
  assignment2/cs231n/layer_utils.py (affine_relu_forward/backward)
URL: https://github.com/kaiweihuang/CS231n/blob/5779458f336e070b50cdf6a11e0044e5ac439361/assignment2/cs231n/classifiers/fc_net.py
     https://github.com/kaiweihuang/CS231n/blob/5779458f336e070b50cdf6a11e0044e5ac439361/assignment2/cs231n/layers.py
     https://github.com/kaiweihuang/CS231n/blob/5779458f336e070b50cdf6a11e0044e5ac439361/assignment2/cs231n/layer_utils.py
Commit: 5779458f336e070b50cdf6a11e0044e5ac439361
License: MIT ("Copyright (c) 2018 Kiwi", LICENSE at commit 04ce50a3dfc085a9c33df5c460da8cd2ba94cb36).
What was taken: the FullyConnectedNet class and the five layer functions plus two convenience
layers it calls, verbatim (batchnorm/dropout functions left out: never reached with dropout=0,
use_batchnorm=False). FullyConnectedNet computes in float32 (its default dtype). Integer labels
(softmax_loss); relu_backward zeroes the gradient only where x < 0.
Adaptations:
- FullyConnectedNet([m], input_dim=n, num_classes=k) with its default dtype np.float32; params set
  to W1 = W.T, b1, W2 = U.T, b2 and cast to the net's dtype (the same cast __init__ applies).
- x becomes a 1-row batch; integer labels: y is passed as np.array([np.argmax(y)]).
- reg stays 0.0 (the default); gradients unpacked and transposed back (returned in float32).
- softmax, cross_entropy, forward: not covered (loss() returns scores or loss+grads only).
"""
import numpy as np


# ---- verbatim from kaiweihuang/CS231n assignment2/cs231n/layers.py (the five functions used) ----
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
  #############################################################################
  # TODO: Implement the affine forward pass. Store the result in out. You     #
  # will need to reshape the input into rows.                                 #
  #############################################################################
  N = x.shape[0]
  x_unravelled = x.reshape(N,-1)
  out = x_unravelled.dot(w)+b
  #############################################################################
  #                             END OF YOUR CODE                              #
  #############################################################################
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
  #############################################################################
  # TODO: Implement the affine backward pass.                                 #
  #############################################################################
  N = x.shape[0]
  x_unravelled = x.reshape(N,-1)
  db = np.sum(dout,axis = 0)
  dw = x_unravelled.T.dot(dout)
  dx = dout.dot(w.T).reshape(x.shape)
  #############################################################################
  #                             END OF YOUR CODE                              #
  #############################################################################
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
  #############################################################################
  # TODO: Implement the ReLU forward pass.                                    #
  #############################################################################
  f = lambda x:np.maximum(0,x)
  out = f(x)
  #############################################################################
  #                             END OF YOUR CODE                              #
  #############################################################################
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
  #############################################################################
  # TODO: Implement the ReLU backward pass.                                   #
  #############################################################################
  dx = np.copy(dout)
  dx[x < 0] = 0
  #############################################################################
  #                             END OF YOUR CODE                              #
  #############################################################################
  return dx


def softmax_loss(x, y):
  """
  Computes the loss and gradient for softmax classification.

  Inputs:
  - x: Input data, of shape (N, C) where x[i, j] is the score for the jth class
    for the ith input.
  - y: Vector of labels, of shape (N,) where y[i] is the label for x[i] and
    0 <= y[i] < C

  Returns a tuple of:
  - loss: Scalar giving the loss
  - dx: Gradient of the loss with respect to x
  """
  probs = np.exp(x - np.max(x, axis=1, keepdims=True))
  probs /= np.sum(probs, axis=1, keepdims=True)
  N = x.shape[0]
  loss = -np.sum(np.log(probs[np.arange(N), y])) / N
  dx = probs.copy()
  dx[np.arange(N), y] -= 1
  dx /= N
  return loss, dx


# ---- verbatim from kaiweihuang/CS231n assignment2/cs231n/layer_utils.py (the two functions used) ----
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


# ---- verbatim from kaiweihuang/CS231n assignment2/cs231n/classifiers/fc_net.py (FullyConnectedNet) ----
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
    for i in range(1,self.num_layers+1):

        hidden_input_dim = input_dim if i == 1 else hidden_dims[i-2]
        hidden_output_dim = num_classes if i == self.num_layers else hidden_dims[i-1]

        self.params['W'+str(i)] = weight_scale*np.random.randn(hidden_input_dim,hidden_output_dim)
        self.params['b'+str(i)] = np.zeros(hidden_output_dim)

        if use_batchnorm and i != self.num_layers:
            self.params['gamma'+str(i)] = np.ones(hidden_output_dim)
            self.params['beta'+str(i)] = np.zeros(hidden_output_dim)
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
    if self.dropout_param is not None:
      self.dropout_param['mode'] = mode   
    if self.use_batchnorm:
      for bn_param in self.bn_params:
        bn_param[mode] = mode

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
    current_x = X
    affine_relu_forward_cache = {}
    affine_batchnorm_relu_forward_cache = {}
    dropout_cache = {}

    # From 1st to (L-1)th layers
    for i in range(1,self.num_layers):

        if self.use_batchnorm:
            current_x,affine_batchnorm_relu_forward_cache['af_bn_relu'+str(i)] = affine_batchnorm_relu_forward(
                    current_x,self.params['W'+str(i)],self.params['b'+str(i)],
                    self.params['gamma'+str(i)],self.params['beta'+str(i)],self.bn_params[i-1])
        else:
            current_x,affine_relu_forward_cache['af_relu'+str(i)] = affine_relu_forward(current_x,self.params['W'+str(i)],self.params['b'+str(i)])

        if self.use_dropout:
            current_x,dropout_cache['dropout'+str(i)] = dropout_forward(current_x,self.dropout_param)

    # The final layer
    scores,affine_forward_cache = affine_forward(current_x,self.params['W'+str(self.num_layers)],self.params['b'+str(self.num_layers)])
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
    loss,dscores = softmax_loss(scores,y)

    # The final layer
    loss += 0.5*self.reg*np.sum(self.params['W'+str(self.num_layers)]*self.params['W'+str(self.num_layers)])
    dcurrent_x,dw_affine_backward,db_affine_backward = affine_backward(dscores,affine_forward_cache)
    grads['W'+str(self.num_layers)] = dw_affine_backward+self.reg*self.params['W'+str(self.num_layers)]
    grads['b'+str(self.num_layers)] = db_affine_backward

    # From 1st to (L-1)th layers
    for i in range(self.num_layers-1,0,-1):

        if self.use_dropout:
            dcurrent_x = dropout_backward(dcurrent_x,dropout_cache['dropout'+str(i)])

        if self.use_batchnorm:
            dcurrent_x,dw,db,dgamma,dbeta = affine_batchnorm_relu_backward(dcurrent_x,affine_batchnorm_relu_forward_cache['af_bn_relu'+str(i)])
            grads['gamma'+str(i)] = dgamma
            grads['beta'+str(i)] = dbeta
        else:
            dcurrent_x,dw,db, = affine_relu_backward(dcurrent_x,affine_relu_forward_cache['af_relu'+str(i)])

        loss += 0.5*self.reg*np.sum(self.params['W'+str(i)]*self.params['W'+str(i)])
        grads['W'+str(i)] = dw+self.reg*self.params['W'+str(i)]
        grads['b'+str(i)] = db
    ############################################################################
    #                             END OF YOUR CODE                             #
    ############################################################################

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
    # adapter: one-hidden-layer FullyConnectedNet (float32 by default), one-sample batch, integer label
    x, y, W, b1, U, b2 = (np.asarray(a, dtype=float) for a in (x, y, W, b1, U, b2))
    net = FullyConnectedNet([W.shape[0]], input_dim=W.shape[1], num_classes=U.shape[0])
    net.params = {'W1': W.T, 'b1': b1, 'W2': U.T, 'b2': b2}
    for k, v in net.params.items():
        net.params[k] = v.astype(net.dtype)
    _, grads = net.loss(x[None, :], y=np.array([np.argmax(y)]))
    return {"W": grads['W1'].T, "b1": grads['b1'], "U": grads['W2'].T, "b2": grads['b2']}

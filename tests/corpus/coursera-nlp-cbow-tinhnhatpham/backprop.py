"""Corpus entry: the Coursera NLP Specialization C2W4 CBOW network (a student's solution), adapted to Question 3.

The CBOW model of that assignment is exactly this homework's network, with column vectors:
h = ReLU(W1 x + b1), z = W2 h + b2, yhat = softmax(z), W1 (N, V), W2 (V, N).

Source: tinhnhatpham/natural_language_processing_specialization_coursera,
  course_2_nlp_with_probabilistic_models/week_4/Assignment/md/C2_W4_Assignment.md (the notebook exported
  to Markdown; the code cells are taken)
URL: https://github.com/tinhnhatpham/natural_language_processing_specialization_coursera/blob/e6645449df659fa65814a02fa9709fb5a54aa006/course_2_nlp_with_probabilistic_models/week_4/Assignment/md/C2_W4_Assignment.md
Commit: e6645449df659fa65814a02fa9709fb5a54aa006
License: none visible (no LICENSE file for the repository in the search index).
What was taken: softmax (UNQ_C2), forward_prop (UNQ_C3), compute_cost (given by the course) and
back_prop (UNQ_C4), verbatim. back_prop follows the older version of the assignment's comment
"Apply relu to l1" (l1 = np.maximum(0, l1)) instead of masking by z1 > 0; the same line is in
jonathan5p/NLP-specialization-deeplearning.ai (NLPspecialization/Second Course/week 4/C2_W4_Assignment.ipynb).
Adaptations:
- softmax: the source's own softmax(z) keeps its name (with a 1-D z its column sum is the sum).
- cross_entropy: compute_cost(y, y_hat, batch_size=1), returned as a float.
- forward / backprop: x, y, b1, b2 become (., 1) columns (one example, batch_size=1); yhat from the
  source's softmax, as its gradient_descent does; W = W1, U = W2 (same layout as the homework);
  gradients of the biases flattened back to 1-D.
"""
import numpy as np


# ---- verbatim from tinhnhatpham/natural_language_processing_specialization_coursera C2_W4_Assignment.md ----
# UNIT TEST COMMENT: Candidate for Table Driven Tests
# UNQ_C2 GRADED FUNCTION: softmax
def softmax(z):
    '''
    Inputs: 
        z: output scores from the hidden layer
    Outputs: 
        yhat: prediction (estimate of y)
    '''
    ### START CODE HERE (Replace instances of 'None' with your own code) ###
    # Calculate yhat (softmax)
    yhat = np.exp(z) / np.sum(np.exp(z), axis=0)
    ### END CODE HERE ###
    return yhat


# UNIT TEST COMMENT: Candidate for Table Driven Tests
# UNQ_C3 GRADED FUNCTION: forward_prop
def forward_prop(x, W1, W2, b1, b2):
    '''
    Inputs: 
        x:  average one hot vector for the context 
        W1, W2, b1, b2:  matrices and biases to be learned
     Outputs: 
        z:  output score vector
    '''
    
    ### START CODE HERE (Replace instances of 'None' with your own code) ###
    # Calculate h
    h = np.dot(W1, x) + b1
  
    # Apply the relu on h, 
    # store the relu in h
    h = np.maximum(0, h)

    # Calculate z
    z = np.dot(W2, h) + b2

    ### END CODE HERE ###

    return z, h


# compute_cost: cross-entropy cost function
def compute_cost(y, yhat, batch_size):

    # cost function 
    logprobs = np.multiply(np.log(yhat),y)
    cost = - 1/batch_size * np.sum(logprobs)
    cost = np.squeeze(cost)
    return cost


# UNIT TEST COMMENT: Candidate for Table Driven Tests
# UNQ_C4 GRADED FUNCTION: back_prop
def back_prop(x, yhat, y, h, W1, W2, b1, b2, batch_size):
    '''
    Inputs: 
        x:  average one hot vector for the context 
        yhat: prediction (estimate of y)
        y:  target vector
        h:  hidden vector (see eq. 1)
        W1, W2, b1, b2:  matrices and biases  
        batch_size: batch size 
     Outputs: 
        grad_W1, grad_W2, grad_b1, grad_b2:  gradients of matrices and biases   
    '''
    ### START CODE HERE (Replace instanes of 'None' with your code) ###
    # Compute l1 as W2^T (Yhat - Y)
    # and re-use it whenever you see W2^T (Yhat - Y) used to compute a gradient
    l1 = np.dot(W2.T, yhat - y)

    # Apply relu to l1
    l1 = np.maximum(0, l1)

    # compute the gradient for W1
    grad_W1 = 1/batch_size * np.dot(l1, x.T)

    # Compute gradient of W2
    grad_W2 = 1/batch_size * np.dot(yhat - y, h.T)
    
    # compute gradient for b1
    grad_b1 = 1/batch_size * np.sum(l1, axis=1, keepdims=True)

    # compute gradient for b2
    grad_b2 = 1/batch_size * np.sum(yhat - y, axis=1, keepdims=True)
    ### END CODE HERE ####
    
    return grad_W1, grad_W2, grad_b1, grad_b2
# ---- end of verbatim source ----


def cross_entropy(y, y_hat):
    # adapter: the course's cost for a batch of one
    return float(compute_cost(np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float), 1))


def forward(x, W, b1, U, b2):
    # adapter: column vectors, then the source's softmax on z
    x, W, b1, U, b2 = (np.asarray(a, dtype=float) for a in (x, W, b1, U, b2))
    z, h = forward_prop(x.reshape(-1, 1), W, U, b1.reshape(-1, 1), b2.reshape(-1, 1))
    return h[:, 0], softmax(z)[:, 0]


def loss(x, y, W, b1, U, b2):
    """J at the given parameters. Given, not graded: use it to check gradients."""
    _, y_hat = forward(x, W, b1, U, b2)
    return cross_entropy(y, y_hat)


def backprop(x, y, W, b1, U, b2):
    # adapter: the steps of the source's gradient_descent for one example (batch_size=1)
    x, y, W, b1, U, b2 = (np.asarray(a, dtype=float) for a in (x, y, W, b1, U, b2))
    xc, yc, b1c, b2c = x.reshape(-1, 1), y.reshape(-1, 1), b1.reshape(-1, 1), b2.reshape(-1, 1)
    z, h = forward_prop(xc, W, U, b1c, b2c)
    yhat = softmax(z)
    grad_W1, grad_W2, grad_b1, grad_b2 = back_prop(xc, yhat, yc, h, W, U, b1c, b2c, 1)
    return {"W": grad_W1, "b1": grad_b1[:, 0], "U": grad_W2, "b2": grad_b2[:, 0]}

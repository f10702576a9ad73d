"""Corpus entry: a from-scratch single forward/backward pass (pure-Python softmax), adapted to Question 3.

The script's network is this homework's, with column vectors: hiddenLayerRaw = weight1 @ x + bias1,
ReLU, outputLayerRaw = weight2 @ a1 + bias2, softmax, cross-entropy; weights are (layerTo, layerFrom).

Source: ZimengXiong/NeuralNetworkFromScratch, single_pass_nn.py
URL: https://github.com/ZimengXiong/NeuralNetworkFromScratch/blob/7f7963c408db7679792ab12858badb09219a6b77/single_pass_nn.py
Commit: 7f7963c408db7679792ab12858badb09219a6b77
License: none visible (no LICENSE file for the repository in the search index).
What was taken: calculateSoftmax, calculateLoss and findGradients, verbatim, and the script's three
forward statements (hiddenLayerRaw / activatedHiddenLayer / outputLayerRaw), verbatim inside the
adapter. calculateSoftmax uses math.exp with no max subtraction; findGradients masks with (Z1 >= 0).
Adaptations:
- softmax: np.array(calculateSoftmax(z)) (the source returns a list).
- cross_entropy: calculateLoss(y_hat, y) (the source takes the prediction first).
- forward / backprop: the script's variables are bound to the arguments (weight1 = W, bias1 = b1 as
  a column, weight2 = U, bias2 = b2 as a column, flattenedImage = x as a column), then its forward
  statements; the softmax of outputLayerRaw[:, 0] through calculateSoftmax, as a column for
  findGradients; gradients of the biases flattened to 1-D.
"""
import numpy as np
import math


# ---- verbatim from ZimengXiong/NeuralNetworkFromScratch single_pass_nn.py ----
def calculateSoftmax(rawOutputLayer):
    # 1. Softmax
    softmaxedProbability = []
    softmaxSummation = 0

    for zj in rawOutputLayer:
        softmaxSummation += math.exp(zj)

    for zi in rawOutputLayer:
        softmaxedProbability.append(math.exp(zi) / softmaxSummation)

    # or alternatively:
    # softmaxedProbability = np.exp(rawOutputLayer)/np.sum(np.exp(rawOutputLayer))
    return softmaxedProbability


def calculateLoss(softmaxedOutputLayer, trueProbability):
    # 2. X-Entropy Loss
    loss = 0
    for yi, pi in zip(trueProbability, softmaxedOutputLayer):
        loss += yi * math.log(pi)

    loss = -loss
    return loss


def findGradients(A2, trueProbability, A1, Z1, W2, A0):
    # Find dW2 and db2
    dZ2 = A2 - trueProbability
    dW2 = dZ2 @ A1.T
    db2 = dZ2

    # Find error for A1
    dA1 = W2.T @ dZ2

    # Find passthrough error gradient, dZ1
    dZ1 = dA1 * (Z1 >= 0)

    # Find dW1 and db1 from dZ1
    dW1 = dZ1 @ A0.T
    db1 = dZ1

    return (dW2, db2, dW1, db1)
# ---- end of verbatim source ----


def softmax(z):
    return np.array(calculateSoftmax(np.asarray(z, dtype=float)))


def cross_entropy(y, y_hat):
    return calculateLoss(np.asarray(y_hat, dtype=float), np.asarray(y, dtype=float))


def _single_pass(x, W, b1, U, b2):
    weight1, bias1 = W, b1.reshape(-1, 1)
    weight2, bias2 = U, b2.reshape(-1, 1)
    flattenedImage = x.reshape(-1, 1)
    # the script's forward statements, verbatim:
    hiddenLayerRaw = weight1 @ flattenedImage + bias1
    activatedHiddenLayer = np.maximum(0, hiddenLayerRaw)
    outputLayerRaw = weight2 @ activatedHiddenLayer + bias2
    softmaxed = np.array(calculateSoftmax(outputLayerRaw[:, 0])).reshape(-1, 1)
    return flattenedImage, hiddenLayerRaw, activatedHiddenLayer, softmaxed


def forward(x, W, b1, U, b2):
    x, W, b1, U, b2 = (np.asarray(a, dtype=float) for a in (x, W, b1, U, b2))
    _, _, activatedHiddenLayer, softmaxed = _single_pass(x, W, b1, U, b2)
    return activatedHiddenLayer[:, 0], softmaxed[:, 0]


def loss(x, y, W, b1, U, b2):
    """J at the given parameters. Given, not graded: use it to check gradients."""
    _, y_hat = forward(x, W, b1, U, b2)
    return cross_entropy(y, y_hat)


def backprop(x, y, W, b1, U, b2):
    x, y, W, b1, U, b2 = (np.asarray(a, dtype=float) for a in (x, y, W, b1, U, b2))
    A0, Z1, A1, A2 = _single_pass(x, W, b1, U, b2)
    dW2, db2, dW1, db1 = findGradients(A2, y.reshape(-1, 1), A1, Z1, U, A0)
    return {"W": dW1, "b1": db1[:, 0], "U": dW2, "b2": db2[:, 0]}

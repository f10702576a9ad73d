"""Corpus entry: the NNFS book's layers (a reader's transcription) with the SEPARATE softmax and
cross-entropy backward passes, adapted to Question 3.

Source: Graham-CO/ai_ml_python, chapter_9/full_forward_back.py (chapter 9 of the book "Neural
  Networks from Scratch in Python", typed in by a reader)
URL: https://github.com/Graham-CO/ai_ml_python/blob/132ed8db0d091628bb7c6aeaa95f3fe6a0f982fc/chapter_9/full_forward_back.py
Commit: 132ed8db0d091628bb7c6aeaa95f3fe6a0f982fc
License: none visible (no LICENSE file for the repository in the search index; the book code is
  copyrighted by its authors).
What was taken: Layer_Dense, Activation_ReLU, Activation_Softmax, Loss and
Loss_CategoricalCrossentropy, verbatim, including the transcription's typo in the sparse-label
branch (`correct_confidences - y_pred_clipped[...]`, never reached with 2-D targets). The combined
class and the script are left out. Loss_CategoricalCrossentropy.backward is -y_true / dvalues;
Activation_Softmax.backward multiplies by the softmax Jacobian; predictions clipped to [1e-7, 1 - 1e-7]
in the loss only.
Adaptations:
- nnfs.init() (which makes np.dot compute in float32) is not called: the nnfs package is not used.
- softmax: Activation_Softmax().forward on the 1-row batch z[None, :]; output row 0.
- cross_entropy: Loss_CategoricalCrossentropy().calculate(y_hat[None, :], y[None, :]) (2-D targets),
  returned as a float.
- forward: two Layer_Dense (weights W.T, U.T; biases as (1, n) rows), Activation_ReLU,
  Activation_Softmax, on the 1-row batch.
- backprop: after that forward pass, the backward chain the book shows in chapter 9 before it
  introduces the combined class: loss.backward(softmax output, Y), softmax.backward, dense2.backward,
  relu.backward, dense1.backward, with Y = y[None, :]; dweights transposed back, dbiases row 0.
"""
import numpy as np


# ---- verbatim from Graham-CO/ai_ml_python chapter_9/full_forward_back.py ----
# Dense layer
class Layer_Dense:

    # Layer initialization
    def __init__(self, n_inputs, n_neurons):
        # Initialize weights and biases
        self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)
        self.biases = np.zeros((1, n_neurons))

    # Forward pass
    def forward(self, inputs):
        # Remember input values
        self.inputs = inputs
        # Calculate output values from input ones, weights and biases
        self.output = np.dot(inputs, self.weights) + self.biases

    # Backward pass
    def backward(self, dvalues):
        # Gradients on parameters
        self.dweights = np.dot(self.inputs.T, dvalues)
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
        # Gradient on values
        self.dinputs = np.dot(dvalues, self.weights.T)

# ReLU activation
class Activation_ReLU:

    # Forward pass
    def forward(self, inputs):
        # Remember input values
        self.inputs = inputs
        # Calculate output values from inputs
        self.output = np.maximum(0, inputs)

    # Backward pass
    def backward(self, dvalues):
        # Since we need to modify original variable,
        # let's make a copy of values first
        self.dinputs = dvalues.copy()

        # Zero gradient where input values were negative
        self.dinputs[self.inputs <= 0] = 0

# Softmax activation
class Activation_Softmax:

    # Forward pass
    def forward(self, inputs):
        # Remember input values
        self.inputs = inputs

        # Get unnormalized probabilities
        exp_values = np.exp(inputs - np.max(inputs, axis=1,
                                            keepdims=True))

        # Normalize them for each sample
        probabilities = exp_values / np.sum(exp_values, axis=1,
                                            keepdims=True)
                                            
        self.output = probabilities

    # Backward pass
    def backward(self, dvalues):

        # Create uninitialized array
        self.dinputs = np.empty_like(dvalues)

        # Enumerate outputs and gradients
        for index, (single_output, single_dvalues) in \
                enumerate(zip(self.output, dvalues)):
            # Flatten output array
            single_output = single_output.reshape(-1, 1)
            # Calculate Jacobian matrix of the output
            jacobian_matrix = np.diagflat(single_output) - \
                              np.dot(single_output, single_output.T)
            # Calculate sample-wise gradient
            # and add it to the array of sample gradients
            self.dinputs[index] = np.dot(jacobian_matrix,
                                         single_dvalues)
                                         
# Common loss class
class Loss:

    # Calculates the data and regularization losses
    # given model output and ground truth values
    def calculate(self, output, y):

        # Calculate sample losses
        sample_losses = self.forward(output, y)

        # Calculate mean loss
        data_loss = np.mean(sample_losses)

        # Return loss
        return data_loss

# Cross-entropy loss
class Loss_CategoricalCrossentropy(Loss):

    # Forward pass
    def forward(self, y_pred, y_true): 

        # Number of samples in a batch
        samples = len(y_pred)

        # Clip data to prevent division by 0
        # Clip both sides to not drag mean towards any value
        y_pred_clipped = np.clip(y_pred, 1e-7, 1 - 1e-7)

        # Probabilities for target values - 
        # only if categorical labels
        if len(y_true.shape) == 1:
            correct_confidences - y_pred_clipped[
                range(samples),
                y_true
            ]

        # Mask values - only for one-hot labels
        elif len(y_true.shape) == 2:
            correct_confidences = np.sum(
                y_pred_clipped * y_true,
                axis=1
            )
        
        # Losses
        negative_log_likelihoods = -np.log(correct_confidences)
        return negative_log_likelihoods

    # Backward pass
    def backward(self, dvalues, y_true):

        # Number of samples
        samples = len(dvalues)
        # Number of labels in every sample
        # We'll use the first sample to count them
        labels = len(dvalues[0])

        # If labels are sparse, turn into one-hot
        if len(y_true.shape) == 1:
            y_true = np.eye(labels)[y_true]

        # Calculate gradient
        self.dinputs = -y_true / dvalues
        # Normalize gradient
        self.dinputs = self.dinputs / samples
# ---- end of verbatim source ----


def softmax(z):
    activation = Activation_Softmax()
    activation.forward(np.asarray(z, dtype=float)[None, :])
    return activation.output[0]


def cross_entropy(y, y_hat):
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    return float(Loss_CategoricalCrossentropy().calculate(y_hat[None, :], y[None, :]))


def _forward_layers(x, W, b1, U, b2):
    # adapter: the book's layers with the given weights in its (n_inputs, n_neurons) layout
    dense1, dense2 = Layer_Dense(W.shape[1], W.shape[0]), Layer_Dense(U.shape[1], U.shape[0])
    dense1.weights, dense1.biases = W.T, b1[None, :]
    dense2.weights, dense2.biases = U.T, b2[None, :]
    activation1, activation2 = Activation_ReLU(), Activation_Softmax()
    dense1.forward(x[None, :])
    activation1.forward(dense1.output)
    dense2.forward(activation1.output)
    activation2.forward(dense2.output)
    return dense1, activation1, dense2, activation2


def forward(x, W, b1, U, b2):
    x, W, b1, U, b2 = (np.asarray(a, dtype=float) for a in (x, W, b1, U, b2))
    _, activation1, _, activation2 = _forward_layers(x, W, b1, U, b2)
    return activation1.output[0], activation2.output[0]


def loss(x, y, W, b1, U, b2):
    """J at the given parameters. Given, not graded: use it to check gradients."""
    _, y_hat = forward(x, W, b1, U, b2)
    return cross_entropy(y, y_hat)


def backprop(x, y, W, b1, U, b2):
    x, y, W, b1, U, b2 = (np.asarray(a, dtype=float) for a in (x, y, W, b1, U, b2))
    dense1, activation1, dense2, activation2 = _forward_layers(x, W, b1, U, b2)
    loss_function = Loss_CategoricalCrossentropy()
    loss_function.backward(activation2.output, y[None, :])
    activation2.backward(loss_function.dinputs)
    dense2.backward(activation2.dinputs)
    activation1.backward(dense2.dinputs)
    dense1.backward(activation1.dinputs)
    return {"W": dense1.dweights.T, "b1": dense1.dbiases[0], "U": dense2.dweights.T, "b2": dense2.dbiases[0]}

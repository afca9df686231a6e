// A recurrent network that reads a whole sequence and gives one answer for
// it: the next value of a time series (regression), or which kind of
// sequence it is (classification).
//
// The idea: run an RNN, LSTM or GRU over the sequence; its last output h_T
// has seen every step, so it can serve as a summary of the sequence, and a
// linear layer maps that summary to the answer. This is the "many to one"
// recurrent model of the textbooks.
//
// Shapes for a batch of B sequences of T steps with F features each:
//
//   input  [B, T, F]      e.g. the last T values of a series, F = 1
//   rnn    [B, T, H]      h_t = cell(x_t, h_{t−1}), numLayers deep
//   last   [B, H]         h_T, the last time step's output
//   head   [B, out]       y = h_T · W_headᵀ + b
//
// For regression the output is the prediction itself, trained with the mean
// squared error; for classification it holds one logit per class, trained
// with cross-entropy (loss() picks the right one).
//
// In PyTorch:
//
//   class SequenceModel(nn.Module):
//       def __init__(self, input_size, hidden_size, out_features, cell="lstm", num_layers=1, dropout=0.0):
//           super().__init__()
//           layer = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
//           self.rnn = layer(input_size, hidden_size, num_layers, dropout=dropout, batch_first=True)
//           self.head = nn.Linear(hidden_size, out_features)
//       def forward(self, x):
//           output, _ = self.rnn(x)
//           return self.head(output[:, -1])
//
// State-dict keys: `rnn.weight_ih_l0`, `rnn.weight_hh_l0`, `rnn.bias_ih_l0`,
// `rnn.bias_hh_l0` (… `_l1` for a second layer), `head.weight`, `head.bias`.

import { formatShape } from "../core/shape.ts";
import type { Tensor } from "../core/tensor.ts";
import { crossEntropy } from "../nn/functional/loss-classification.ts";
import { mseLoss } from "../nn/functional/loss-regression.ts";
import type { GRU } from "../nn/layers/gru.ts";
import { Linear } from "../nn/layers/linear.ts";
import type { LSTM } from "../nn/layers/lstm.ts";
import type { RNN } from "../nn/layers/rnn.ts";
import { Module } from "../nn/module.ts";
import { makeRecurrentLayer, runRecurrentLayer, type RecurrentCell } from "./char-rnn.ts";

export type SequenceTask = "classification" | "regression";

export interface SequenceModelOptions {
  /** What the output means (default "regression"). */
  task?: SequenceTask;
  /** The recurrent layer (default "lstm"). */
  cell?: RecurrentCell;
  /** Stacked recurrent layers (default 1). */
  numLayers?: number;
  /** Dropout between stacked layers, in training mode (default 0). */
  dropout?: number;
}

/**
 * RNN / LSTM / GRU over [B, T, inputSize] (batch first), then a Linear on the
 * last step's output: forward gives [B, outFeatures], predicted values for
 * regression or class logits for classification.
 *
 * The configurations trained in test/architectures/recurrent.test.ts, with
 * the same parameter counts as their PyTorch twins: next-value regression on
 * a sine, SequenceModel(1, 16, 1) with an LSTM, 1,216 + 17 = 1,233 parameters;
 * telling three waves apart, SequenceModel(1, 16, 3, { task: "classification",
 * cell: "gru" }), 912 + 51 = 963 parameters.
 */
export class SequenceModel extends Module {
  readonly task: SequenceTask;
  readonly inputSize: number;
  readonly outFeatures: number;
  rnn: RNN | LSTM | GRU;
  head: Linear;

  constructor(inputSize: number, hiddenSize: number, outFeatures: number, options: SequenceModelOptions = {}) {
    super();
    const { task = "regression", cell = "lstm", numLayers = 1, dropout = 0 } = options;
    if (task !== "classification" && task !== "regression") {
      throw new Error(`SequenceModel: task must be "classification" or "regression", got ${JSON.stringify(task)}`);
    }
    this.task = task;
    this.inputSize = inputSize;
    this.outFeatures = outFeatures;
    this.rnn = makeRecurrentLayer(inputSize, hiddenSize, { cell, numLayers, dropout });
    this.head = new Linear(hiddenSize, outFeatures);
  }

  /** x [B, T, inputSize] → [B, outFeatures]. */
  forward(x: Tensor): Tensor {
    if (x.ndim !== 3 || x.shape[2] !== this.inputSize) {
      throw new Error(`SequenceModel: expected input [batch, time, ${this.inputSize}], got shape ${formatShape(x.shape)}`);
    }
    const [outputs] = runRecurrentLayer(this.rnn, x, null); // [B, T, H]
    const last = outputs.select(1, outputs.shape[1]! - 1);   // [B, H]: h_T of the last layer
    return this.head.forward(last);
  }

  /**
   * The training loss of a prediction: the mean squared error against target
   * values [B, outFeatures] for regression, cross-entropy against int32 class
   * ids [B] for classification.
   */
  loss(prediction: Tensor, target: Tensor): Tensor {
    return this.task === "regression" ? mseLoss(prediction, target) : crossEntropy(prediction, target);
  }

  /** Predicted values [B, outFeatures] (regression) or class ids [B] (classification). */
  predict(x: Tensor): Tensor {
    const output = this.forward(x);
    return this.task === "regression" ? output : output.argmax(1);
  }
}

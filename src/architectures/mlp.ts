// The multilayer perceptron (MLP): the first deep network, and still the
// last few layers of most of the others.
//
// The idea. A Linear layer alone draws straight lines through its input
// space; stacking Linear layers alone changes nothing, because a product of
// matrices is one matrix. Putting a non-linear function between them (the
// activation) lets each layer bend the space the next one sees, and with
// enough hidden units an MLP can approximate any continuous function.
//
// Each hidden layer is four steps, in this order:
//
//   h = x Wᵀ + b                 Linear(in, width): every output mixes every input
//   h = norm(h)                  optional: BatchNorm1d (statistics of the batch, per feature)
//                                or LayerNorm (statistics of the sample, over its features)
//   h = act(h)                   ReLU max(h, 0) · tanh · GELU h·Φ(h) · sigmoid 1/(1 + e^(−h))
//                                · LeakyReLU max(h, 0.01·h) · SiLU h·σ(h)
//   h = dropout(h)               in training, zero each unit with probability p, scale the rest by 1/(1 − p)
//
// and a last Linear(width, outFeatures) gives the outputs (logits for a
// classifier: feed them to F.crossEntropy, which applies the softmax).
//
// Shapes, for new MLP({ inFeatures: 64, hiddenSizes: [128, 64], outFeatures: 10, norm: "batch", dropout: 0.1 }):
//
//   index  layer                        output     parameters
//   input                               [N, 64]
//   0      Linear(64, 128)              [N, 128]   8,320 = 64·128 + 128
//   1      BatchNorm1d(128)             [N, 128]   256 (+ running_mean, running_var, num_batches_tracked)
//   2      ReLU                         [N, 128]
//   3      Dropout(0.1)                 [N, 128]
//   4      Linear(128, 64)              [N, 64]    8,256
//   5      BatchNorm1d(64)              [N, 64]    128
//   6      ReLU                         [N, 64]
//   7      Dropout(0.1)                 [N, 64]
//   8      Linear(64, 10)               [N, 10]    650
//                                                  17,610 in all (PyTorch counts the same)
//
// The MLP *is* a Sequential, so its state-dict keys are the layer indices,
// `0.weight`, `1.running_mean`, `8.bias`, exactly those of the PyTorch model
// below. As in torchvision.ops.MLP, a Dropout follows every hidden layer even
// when p = 0 (where it does nothing), so that the indices, and therefore the
// keys of a saved model, do not depend on the dropout rate. With no hidden
// sizes the MLP is a single Linear layer: logistic regression.
//
// In PyTorch (torchvision.ops.MLP builds the same Sequential, except that it
// also puts a Dropout after the last Linear):
//
//   def mlp(in_features, hidden_sizes, out_features, activation=nn.ReLU, dropout=0.0, norm=None):
//       layers, width = [], in_features
//       for size in hidden_sizes:
//           layers.append(nn.Linear(width, size))
//           if norm is not None: layers.append(norm(size))      # nn.BatchNorm1d or nn.LayerNorm
//           layers += [activation(), nn.Dropout(dropout)]
//           width = size
//       layers.append(nn.Linear(width, out_features))
//       return nn.Sequential(*layers)
//
// and in gradschool:
//
//   const model = new MLP({ inFeatures: 64, hiddenSizes: [128, 64], outFeatures: 10, activation: "relu", dropout: 0.1, norm: "batch" });
//   const logits = model.forward(x);                  // x [N, 64] → [N, 10]

import { Sequential } from "../nn/containers.ts";
import { GELU, LeakyReLU, ReLU, Sigmoid, SiLU, Tanh } from "../nn/layers/activation.ts";
import { Dropout } from "../nn/layers/dropout.ts";
import { Linear } from "../nn/layers/linear.ts";
import { BatchNorm1d, LayerNorm } from "../nn/layers/normalization.ts";
import type { TensorModule } from "../nn/module.ts";

/** The non-linearities an MLP can use between its layers. */
export type MLPActivation = "relu" | "tanh" | "gelu" | "sigmoid" | "leakyRelu" | "silu";

/** Normalization after each hidden Linear: over the batch, over the features, or none. */
export type MLPNorm = "batch" | "layer" | null;

export interface MLPOptions {
  /** Features of each input row. */
  inFeatures: number;
  /** Width of each hidden layer, first to last; [] gives a single Linear layer. */
  hiddenSizes: readonly number[];
  /** Features of each output row (the number of classes, for a classifier). */
  outFeatures: number;
  /** The non-linearity after each hidden layer (default "relu"). */
  activation?: MLPActivation;
  /** Dropout probability after each hidden layer (default 0). */
  dropout?: number;
  /** Normalization before each activation (default null, none). */
  norm?: MLPNorm;
}

/** The activation layer for a name: "relu" → nn.ReLU(), "leakyRelu" → nn.LeakyReLU(0.01), and so on. */
export function activationLayer(activation: MLPActivation): TensorModule {
  switch (activation) {
    case "relu": return new ReLU();
    case "tanh": return new Tanh();
    case "gelu": return new GELU();
    case "sigmoid": return new Sigmoid();
    case "leakyRelu": return new LeakyReLU(0.01);
    case "silu": return new SiLU();
    default: throw new Error(`activationLayer: unknown activation ${JSON.stringify(activation)} ` +
      `(known: "relu", "tanh", "gelu", "sigmoid", "leakyRelu", "silu")`);
  }
}

/**
 * A multilayer perceptron: per hidden layer Linear → norm → activation →
 * dropout, then a final Linear. forward(x) maps [N, inFeatures] to
 * [N, outFeatures] (without BatchNorm, any [..., inFeatures] works).
 */
export class MLP extends Sequential {
  readonly inFeatures: number;
  readonly hiddenSizes: readonly number[];
  readonly outFeatures: number;
  readonly activation: MLPActivation;
  readonly dropout: number;
  readonly norm: MLPNorm;

  constructor(options: MLPOptions) {
    super(...mlpLayers(options));
    this.inFeatures = options.inFeatures;
    this.hiddenSizes = [...options.hiddenSizes];
    this.outFeatures = options.outFeatures;
    this.activation = options.activation ?? "relu";
    this.dropout = options.dropout ?? 0;
    this.norm = options.norm ?? null;
  }
}

/** The layers of an MLP, in the order Sequential runs them. */
function mlpLayers(options: MLPOptions): TensorModule[] {
  const { inFeatures, hiddenSizes, outFeatures, activation = "relu", dropout = 0, norm = null } = options;
  for (const [name, value] of Object.entries({ inFeatures, outFeatures })) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`MLP: ${name} must be a positive integer, got ${value}`);
  }
  if (!Array.isArray(hiddenSizes) || hiddenSizes.some((size) => !Number.isInteger(size) || size < 1)) {
    throw new Error(`MLP: hiddenSizes must be a list of positive integers, got ${JSON.stringify(hiddenSizes)}`);
  }
  if (!(dropout >= 0 && dropout < 1)) throw new Error(`MLP: dropout must be a probability in [0, 1), got ${dropout}`);
  if (norm !== null && norm !== "batch" && norm !== "layer") {
    throw new Error(`MLP: norm must be "batch", "layer" or null, got ${JSON.stringify(norm)}`);
  }

  const layers: TensorModule[] = [];
  let width = inFeatures;
  for (const size of hiddenSizes) {
    layers.push(new Linear(width, size));
    if (norm === "batch") layers.push(new BatchNorm1d(size));
    if (norm === "layer") layers.push(new LayerNorm(size));
    layers.push(activationLayer(activation), new Dropout(dropout));
    width = size;
  }
  layers.push(new Linear(width, outFeatures));
  return layers;
}

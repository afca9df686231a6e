// LeNet-5 (LeCun, Bottou, Bengio and Haffner, "Gradient-based learning
// applied to document recognition", 1998): the convolutional network that
// read cheques, in the modern form everyone teaches.
//
// The idea. An MLP treats an image as a list of unrelated numbers. A
// convolution instead slides one small filter (5×5 here) over the whole
// image, so the same detector of an edge or a stroke works everywhere, with
// 25 weights instead of one weight per pixel pair. Pooling then halves the
// resolution, keeping what was found and roughly where. Two rounds of
// convolve → activate → pool turn the image into 16 maps of features, and
// three Linear layers classify them.
//
//   conv:  y[o, i, j] = b[o] + Σ_c Σ_u Σ_v w[o, c, u, v] · x[c, i + u, j + v]     (after zero padding)
//   pool:  y[i, j] = max (or mean) of x over the 2×2 block at (2i, 2j)
//
// Shapes through the network, for 28×28 images (Fashion-MNIST, MNIST):
//
//   layer                                  output          parameters
//   input                                  [N, 1, 28, 28]
//   conv1  Conv2d(1, 6, 5, padding 2)      [N, 6, 28, 28]  156 = 6·1·5·5 + 6
//   activation, pool 2×2                   [N, 6, 14, 14]
//   conv2  Conv2d(6, 16, 5)                [N, 16, 10, 10] 2,416 = 16·6·5·5 + 16
//   activation, pool 2×2                   [N, 16, 5, 5]
//   flatten                                [N, 400]
//   fc1    Linear(400, 120), activation    [N, 120]        48,120
//   fc2    Linear(120, 84), activation     [N, 84]         10,164
//   fc3    Linear(84, 10)                  [N, 10]         850
//                                                          61,706 in all (PyTorch counts the same)
//
// and for the 8×8 digits, where conv2 is padded too so that the second pool still has a 4×4 map to halve:
//
//   input                                  [N, 1, 8, 8]
//   conv1  Conv2d(1, 6, 5, padding 2)      [N, 6, 8, 8]    156
//   activation, pool 2×2                   [N, 6, 4, 4]
//   conv2  Conv2d(6, 16, 5, padding 2)     [N, 16, 4, 4]   2,416
//   activation, pool 2×2                   [N, 16, 2, 2]
//   flatten                                [N, 64]
//   fc1    Linear(64, 120), activation     [N, 120]        7,800
//   fc2    Linear(120, 84), activation     [N, 84]         10,164
//   fc3    Linear(84, 10)                  [N, 10]         850
//                                                          21,386 in all
//
// What "modern" changes from 1998: the original took 32×32 inputs without
// padding (padding a 28×28 image by 2 gives conv1 the same 28×28 maps),
// squashed with a scaled tanh, pooled by a learned weighted sum, wired conv2
// to only some of conv1's maps, and ended in radial-basis units. Here every
// map sees every map, pooling is a plain max (or mean), the activation is
// ReLU (or tanh), and the outputs are logits for a softmax cross-entropy.
//
// In PyTorch (the state-dict keys are the same: conv1.weight, ..., fc3.bias):
//
//   class LeNet5(nn.Module):
//       def __init__(self, in_channels=1, num_classes=10, input_size=28):
//           super().__init__()
//           self.conv1 = nn.Conv2d(in_channels, 6, 5, padding=2)
//           self.conv2 = nn.Conv2d(6, 16, 5, padding=2 if input_size == 8 else 0)
//           side = 2 if input_size == 8 else 5
//           self.fc1 = nn.Linear(16 * side * side, 120)
//           self.fc2 = nn.Linear(120, 84)
//           self.fc3 = nn.Linear(84, num_classes)
//           self.activation = nn.ReLU()
//           self.pool = nn.MaxPool2d(2)
//       def forward(self, x):
//           x = self.pool(self.activation(self.conv1(x)))
//           x = self.pool(self.activation(self.conv2(x)))
//           x = x.flatten(1)
//           x = self.activation(self.fc1(x))
//           x = self.activation(self.fc2(x))
//           return self.fc3(x)
//
// and in gradschool:
//
//   const model = new LeNet5({ inChannels: 1, numClasses: 10, inputSize: 28, activation: "relu", pooling: "max" });
//   const logits = model.forward(images);           // images [N, 1, 28, 28] → [N, 10]

import { formatShape } from "../core/shape.ts";
import type { Tensor } from "../core/tensor.ts";
import { Conv2d } from "../nn/layers/conv.ts";
import { Linear } from "../nn/layers/linear.ts";
import { AvgPool2d, MaxPool2d } from "../nn/layers/pooling.ts";
import { Module, type TensorModule } from "../nn/module.ts";
import { activationLayer } from "./mlp.ts";

export interface LeNet5Options {
  /** Channels of the input images (default 1, greyscale). */
  inChannels?: number;
  /** Outputs of the last layer (default 10). */
  numClasses?: number;
  /** Side of the square input images: 28 (MNIST, Fashion-MNIST; the default) or 8 (the 8×8 digits). */
  inputSize?: 28 | 8;
  /** The non-linearity after every layer but the last (default "relu"). */
  activation?: "relu" | "tanh";
  /** How each 2×2 block is pooled (default "max"). */
  pooling?: "max" | "avg";
}

/** For each input size: conv2's padding, and the side of the maps after the second pool. */
const GEOMETRY = {
  28: { conv2Padding: 0, finalSide: 5 }, // 28 → conv1 28 → pool 14 → conv2 10 → pool 5
  8: { conv2Padding: 2, finalSide: 2 }, //  8 → conv1 8 → pool 4 → conv2 4 → pool 2
} as const;

/**
 * LeNet-5: conv1 (6 maps, 5×5) → activation → pool → conv2 (16 maps, 5×5) →
 * activation → pool → flatten → fc1 (120) → activation → fc2 (84) →
 * activation → fc3 (numClasses). forward maps [N, inChannels, S, S] to
 * [N, numClasses] logits, S = inputSize.
 */
export class LeNet5 extends Module {
  conv1: Conv2d;
  conv2: Conv2d;
  fc1: Linear;
  fc2: Linear;
  fc3: Linear;
  activation: TensorModule;
  pool: TensorModule;
  readonly inChannels: number;
  readonly numClasses: number;
  readonly inputSize: 28 | 8;

  constructor(options: LeNet5Options = {}) {
    super();
    const { inChannels = 1, numClasses = 10, inputSize = 28, activation = "relu", pooling = "max" } = options;
    for (const [name, value] of Object.entries({ inChannels, numClasses })) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`LeNet5: ${name} must be a positive integer, got ${value}`);
    }
    if (inputSize !== 28 && inputSize !== 8) throw new Error(`LeNet5: inputSize must be 28 or 8, got ${JSON.stringify(inputSize)}`);
    if (activation !== "relu" && activation !== "tanh") throw new Error(`LeNet5: activation must be "relu" or "tanh", got ${JSON.stringify(activation)}`);
    if (pooling !== "max" && pooling !== "avg") throw new Error(`LeNet5: pooling must be "max" or "avg", got ${JSON.stringify(pooling)}`);
    this.inChannels = inChannels;
    this.numClasses = numClasses;
    this.inputSize = inputSize;

    const { conv2Padding, finalSide } = GEOMETRY[inputSize];
    this.conv1 = new Conv2d(inChannels, 6, 5, { padding: 2 });
    this.conv2 = new Conv2d(6, 16, 5, { padding: conv2Padding });
    this.fc1 = new Linear(16 * finalSide * finalSide, 120);
    this.fc2 = new Linear(120, 84);
    this.fc3 = new Linear(84, numClasses);
    this.activation = activationLayer(activation);
    this.pool = pooling === "max" ? new MaxPool2d(2) : new AvgPool2d(2);
  }

  forward(images: Tensor): Tensor {
    const { inChannels: c, inputSize: s } = this;
    if (images.ndim !== 4 || images.shape[1] !== c || images.shape[2] !== s || images.shape[3] !== s) {
      throw new Error(`LeNet5: expected images [N, ${c}, ${s}, ${s}], got ${formatShape(images.shape)}`);
    }
    let x = this.pool.forward(this.activation.forward(this.conv1.forward(images))); // [N, 6, S/2, S/2]
    x = this.pool.forward(this.activation.forward(this.conv2.forward(x)));          // [N, 16, side, side]
    x = x.flatten(1);                                                               // [N, 16·side·side]
    x = this.activation.forward(this.fc1.forward(x));                               // [N, 120]
    x = this.activation.forward(this.fc2.forward(x));                               // [N, 84]
    return this.fc3.forward(x);                                                     // [N, numClasses]
  }
}

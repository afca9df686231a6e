// Counting the work of a forward pass, in FLOPs (floating-point operations).
//
// Almost all the work of a network is multiply-adds in its matrix products
// and convolutions; one multiply-add counts as 2 FLOPs. Biases, activations,
// norms and softmax are a few operations per number and are left out, as
// every FLOP table does. Per layer type:
//
//   Linear(in, out) on R rows                    2·R·in·out
//   Conv2d, output [N, Cout, oH, oW]             2·N·Cout·oH·oW · (Cin/groups)·kH·kW
//   ConvTranspose2d, input [N, Cin, H, W]        2·N·Cin·H·W · (Cout/groups)·kH·kW
//   attention over T positions, width C          2·B·T·T·C (scores q·kᵀ) + 2·B·T·T·C (weights·v)
//   RNN / GRU / LSTM (g = 1, 3, 4 gates)         2·T·B·g·H·(in + H) per layer and direction
//
// countFlops runs one forward pass and adds the formula of every layer it
// meets (it listens by wrapping each layer's forward). kernelFlops counts the
// same pass a second way, at the bottom: every matrix product and convolution
// the kernels run, 2·M·N·K each; the two should agree.

import { nn, noGrad, type Tensor } from "../../src/index.ts";
import { backend, setBackend } from "../../src/core/backend.ts";
import type { Module } from "../../src/nn/module.ts";

/** FLOPs of one call of `layer` on `inputs`, by the formulas above; null for a layer type not counted here. */
export function layerFlops(layer: Module, inputs: readonly unknown[], output: unknown): number | null {
  const input = inputs[0] as Tensor;
  if (layer instanceof nn.Linear) return (2 * input.numel() / layer.inFeatures) * layer.inFeatures * layer.outFeatures;
  if (layer instanceof nn.Conv2d) {
    const [n, cOut, oH, oW] = (output as Tensor).shape as number[];
    return 2 * n! * cOut! * oH! * oW! * (layer.inChannels / layer.groups) * layer.kernelSize[0]! * layer.kernelSize[1]!;
  }
  if (layer instanceof nn.ConvTranspose2d) {
    const [n, cIn, h, w] = input.shape as number[];
    return 2 * n! * cIn! * h! * w! * (layer.outChannels / layer.groups) * layer.kernelSize[0]! * layer.kernelSize[1]!;
  }
  if (layer instanceof nn.MultiheadAttention) {
    // query [L, N, E] (or [N, L, E] batch-first), key [S, N, E]: projections of q, k, v and out, plus attention.
    const [l, batch, e] = (layer.batchFirst ? [input.shape[1], input.shape[0], input.shape[2]] : input.shape) as number[];
    const s = (inputs[1] as Tensor).shape[layer.batchFirst ? 1 : 0]!;
    return 2 * batch! * e! * e! * (2 * l! + 2 * s) + 4 * batch! * l! * s * e!;
  }
  if (layer.constructor.name === "CausalSelfAttention") {
    const [batch, t, c] = input.shape as number[]; // the projections are Linear layers, counted on their own
    return 4 * batch! * t! * t! * c!;
  }
  if (layer instanceof nn.RNN || layer instanceof nn.LSTM || layer instanceof nn.GRU) {
    const gates = layer instanceof nn.LSTM ? 4 : layer instanceof nn.GRU ? 3 : 1;
    const [t, batch] = (layer.batchFirst ? [input.shape[1], input.shape[0]] : input.shape) as number[];
    const directions = layer.bidirectional ? 2 : 1, h = layer.hiddenSize;
    let total = 0;
    for (let k = 0; k < layer.numLayers; k++) total += directions * 2 * t! * batch! * gates * h * ((k === 0 ? layer.inputSize : h * directions) + h);
    return total;
  }
  return null;
}

export interface FlopCount {
  total: number;
  /** FLOPs per layer type, e.g. { Linear: 1234, Conv2d: 5678 }. */
  byType: Record<string, number>;
}

/** Runs `forward` once (without gradients) and adds up layerFlops over every layer of `model` it calls. */
export function countFlops(model: Module, forward: () => unknown): FlopCount {
  const count: FlopCount = { total: 0, byType: {} };
  const wrapped: Module[] = [];
  let insideAttention = 0; // MultiheadAttention's count includes its output projection, a Linear
  for (const layer of model.modules()) {
    const original = (layer as unknown as { forward: (...args: unknown[]) => unknown }).forward;
    const isAttention = layer instanceof nn.MultiheadAttention;
    (layer as unknown as { forward: (...args: unknown[]) => unknown }).forward = function (this: Module, ...args: unknown[]) {
      if (isAttention) insideAttention++;
      const output = original.apply(this, args);
      if (isAttention) insideAttention--;
      const flops = insideAttention > 0 && layer instanceof nn.Linear ? null : layerFlops(layer, args, output);
      if (flops !== null) {
        count.total += flops;
        const type = layer.constructor.name;
        count.byType[type] = (count.byType[type] ?? 0) + flops;
      }
      return output;
    };
    wrapped.push(layer);
  }
  try {
    noGrad(forward);
  } finally {
    for (const layer of wrapped) delete (layer as unknown as { forward?: unknown }).forward; // back to the class's forward
  }
  return count;
}

/** The same forward pass counted at the kernels: 2·M·N·K per matrix product, 2·(output size)·(Cin/groups)·kH·kW per convolution. */
export function kernelFlops(forward: () => unknown): number {
  let total = 0;
  const { matmul, conv2dForward, conv2dBackwardInput } = backend;
  const convolution = (p: Parameters<typeof conv2dForward>[0]) => 2 * p.batch * p.outChannels * p.outHeight * p.outWidth * (p.inChannels / p.groups) * p.kernelHeight * p.kernelWidth;
  const previous = setBackend({
    matmul(problem) {
      total += 2 * problem.batchShape.reduce((a, b) => a * b, 1) * problem.m * problem.n * problem.k;
      matmul(problem);
    },
    conv2dForward(problem, input, weight, out) {
      total += convolution(problem);
      conv2dForward(problem, input, weight, out);
    },
    conv2dBackwardInput(problem, gradOut, weight, gradInput) { // a transposed convolution runs as this kernel
      total += convolution(problem);
      conv2dBackwardInput(problem, gradOut, weight, gradInput);
    },
  });
  try {
    noGrad(forward);
  } finally {
    setBackend(previous);
  }
  return total;
}

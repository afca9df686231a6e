// Looking inside a network while it trains: are the activations healthy, do
// the gradients reach the first layers, are the updates the right size?
//
// layerStatistics runs the layers one after the other and reports, per layer,
// the spread of its outputs, how many are saturated (stuck where the gradient
// vanishes), and the spread of the gradient of the loss with respect to them.
// updateToDataRatios measures how big an optimizer step was compared with the
// weights it changed: around 1e-3 is healthy; far below, learning crawls; far
// above, it is unstable.

import { grad, type Tensor } from "../../src/index.ts";
import type { Module, TensorModule } from "../../src/nn/index.ts";

export interface LayerStatistics {
  name: string;
  /** Mean of the layer's output over every element. */
  mean: number;
  /** Standard deviation of the output, √(Σ(a − mean)² / n) over every element. */
  std: number;
  /** The fraction of outputs that are saturated, by the rule chosen (see Saturation). */
  saturated: number;
  /** Mean of ∂loss/∂output. */
  gradMean: number;
  /** Standard deviation of ∂loss/∂output (0 when the loss does not depend on this output). */
  gradStd: number;
}

/**
 * When an output counts as saturated:
 * - "tanh": |a| > 0.97, on the flat tails of tanh, where tanh′ = 1 − a² < 0.06;
 * - "sigmoid": a < 0.015 or a > 0.985, the same tails for σ (σ(x) = (1 + tanh(x/2)) / 2);
 * - "relu": a = 0, a dead unit: ReLU′ = 0 there, so no gradient passes.
 */
export type Saturation = "tanh" | "sigmoid" | "relu";

export interface LayerStatisticsOptions {
  /** The saturation rule for every layer (default "tanh"). Read it on the activation layers. */
  saturation?: Saturation;
}

export function isSaturated(value: number, rule: Saturation): boolean {
  if (rule === "tanh") return Math.abs(value) > 0.97;
  if (rule === "sigmoid") return value < 0.015 || value > 0.985;
  return value === 0;
}

/** Mean and standard deviation (dividing by n) of all elements. */
export function meanAndStd(values: ArrayLike<number>): { mean: number; std: number } {
  const n = values.length;
  if (n === 0) return { mean: 0, std: 0 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i]! - mean) ** 2;
  return { mean, std: Math.sqrt(squares / n) };
}

/**
 * Runs `layers` in order (each on the previous one's output, the first on
 * `input`), computes loss(last output), and returns each layer's activation
 * and gradient statistics. The gradients come from autograd's grad(loss,
 * outputs): the parameters' .grad fields are left untouched.
 */
export function layerStatistics(
  layers: readonly (readonly [string, Module])[],
  input: Tensor,
  loss: (output: Tensor) => Tensor,
  options: LayerStatisticsOptions = {},
): LayerStatistics[] {
  const rule = options.saturation ?? "tanh";
  if (layers.length === 0) throw new Error("layerStatistics: no layers");
  // The input as a leaf requiring grad, so that every layer's output is in the graph (even a ReLU first).
  let x = input.detach().requiresGrad_(true);
  const outputs: Tensor[] = [];
  for (const [name, layer] of layers) {
    const forward = (layer as unknown as Partial<TensorModule>).forward;
    if (typeof forward !== "function") throw new Error(`layerStatistics: layer "${name}" (${layer.constructor.name}) has no forward(input)`);
    x = forward.call(layer, x);
    outputs.push(x);
  }
  const value = loss(x);
  if (value.numel() !== 1) throw new Error(`layerStatistics: the loss must be a single number, got shape [${value.shape.join(", ")}]`);
  const grads = grad(value, outputs, undefined, { allowUnused: true });
  return layers.map(([name], i) => {
    const activations = outputs[i]!.detach().contiguous().toTypedArray();
    let saturatedCount = 0;
    for (const a of activations) if (isSaturated(a, rule)) saturatedCount++;
    const { mean, std } = meanAndStd(activations);
    const g = grads[i];
    const gradient = g ? meanAndStd(g.contiguous().toTypedArray()) : { mean: 0, std: 0 };
    return { name, mean, std, saturated: activations.length === 0 ? 0 : saturatedCount / activations.length, gradMean: gradient.mean, gradStd: gradient.std };
  });
}

/**
 * Copies of the parameters' values, to take before an optimizer step and pass
 * to updateToDataRatios after it.
 */
export function snapshot(parameters: readonly (readonly [string, Tensor])[]): Tensor[] {
  return parameters.map(([, p]) => p.detach().clone());
}

/**
 * For each parameter, std(after − before) / std(before): the size of the last
 * update relative to the size of the weights (Karpathy's update:data ratio;
 * log10 of it near −3 is the usual healthy value). `before` holds each
 * parameter's values before the step (see snapshot), in the same order.
 * A parameter whose values were all equal before (a bias initialised to 0)
 * has ratio Infinity if it moved, 0 if it did not.
 */
export function updateToDataRatios(parameters: readonly (readonly [string, Tensor])[], before: readonly Tensor[]): { name: string; ratio: number }[] {
  if (parameters.length !== before.length) throw new Error(`updateToDataRatios: ${parameters.length} parameters but ${before.length} tensors from before the step`);
  return parameters.map(([name, parameter], i) => {
    const old = before[i]!;
    if (old.shape.join(",") !== parameter.shape.join(",")) throw new Error(`updateToDataRatios: "${name}" has shape [${parameter.shape.join(", ")}] but its value before the step has [${old.shape.join(", ")}]`);
    const now = parameter.detach().contiguous().toTypedArray(), then = old.detach().contiguous().toTypedArray();
    const update = new Float64Array(now.length);
    for (let k = 0; k < now.length; k++) update[k] = now[k]! - then[k]!;
    const updateStd = meanAndStd(update).std, dataStd = meanAndStd(then).std;
    const ratio = dataStd > 0 ? updateStd / dataStd : updateStd > 0 ? Infinity : 0;
    return { name, ratio };
  });
}

// Normalization: F.batchNorm, F.layerNorm, F.groupNorm, F.instanceNorm.
//
// All four shift and scale the input to mean 0 and variance 1, then apply a
// learned scale and shift:
//
//   y = (x − mean) / √(var + eps) · weight + bias
//
// They differ only in which elements share a mean and a variance:
//   batchNorm     per channel: over the batch and the positions of [N, C, *]
//   layerNorm     per sample: over its last dims (normalizedShape)
//   groupNorm     per sample and group of channels
//   instanceNorm  per sample and channel: over the positions
// The variance that normalizes is the biased one (÷ n), as in PyTorch. Each
// is composed from mean, var and arithmetic, whose gradients autograd knows.

import { isFloating } from "../../core/dtype.ts";
import { noGrad } from "../../core/grad-mode.ts";
import { formatShape, numel, sameShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";

// ---- shared pieces ---------------------------------------------------------------------

/** (x − mean) / √(var + eps) over `dims`, with the statistics it used (kept dims of size 1). */
function standardize(x: Tensor, dims: number[], eps: number): { normalized: Tensor; mean: Tensor; variance: Tensor } {
  const mean = x.mean(dims, true);
  const variance = x.var(dims, { correction: 0, keepdim: true });
  return { normalized: x.sub(mean).div(variance.add(eps).sqrt()), mean, variance };
}

/** A per-channel vector [C] shaped to broadcast against [N, C, *]: [C, 1, ..., 1]. */
function perChannel(vector: Tensor, inputRank: number): Tensor {
  return vector.reshape([vector.shape[0]!, ...new Array<number>(Math.max(inputRank - 2, 0)).fill(1)]);
}

/** y · weight + bias, each optional; `shaped` makes a parameter broadcast against y. */
function scaleAndShift(y: Tensor, weight: Tensor | null, bias: Tensor | null, shaped: (t: Tensor) => Tensor): Tensor {
  let result = y;
  if (weight !== null) result = result.mul(shaped(weight));
  if (bias !== null) result = result.add(shaped(bias));
  return result;
}

function checkFloating(op: string, input: Tensor): void {
  if (!isFloating(input.dtype)) {
    throw new Error(`${op}: the input must be float32 or float64, got ${input.dtype}; convert it first, e.g. input.float()`);
  }
}

/** Input [N, C, *] with at least `minRank` dims; returns C. */
function checkChannels(op: string, input: Tensor, minRank: number, layout: string): number {
  if (input.ndim < minRank) {
    throw new Error(`${op}: expected an input ${layout} with at least ${minRank} dims, got shape ${formatShape(input.shape)} (${input.ndim}-D)`);
  }
  checkFloating(op, input);
  return input.shape[1]!;
}

/** An optional per-channel tensor (weight, bias, running statistics) must be 1-D with C elements. */
function checkPerChannel(op: string, name: string, t: Tensor | null, channels: number, input: Tensor): void {
  if (t !== null && (t.ndim !== 1 || t.shape[0] !== channels)) {
    throw new Error(`${op}: ${name} must have shape [${channels}] (one value per channel of the input ${formatShape(input.shape)}), ` +
      `got ${formatShape(t.shape)}`);
  }
}

/**
 * running ← (1 − momentum)·running + momentum·batch, outside the graph, on a
 * per-channel statistic given with size-1 dims.
 */
function updateRunning(running: Tensor | null, batch: Tensor, momentum: number): void {
  if (running === null) return;
  noGrad(() => running.mul_(1 - momentum).add_(batch.reshape(running.shape).mul(momentum)));
}

// ---- batch norm ---------------------------------------------------------------------------

export interface BatchNormOptions {
  /** Normalize with the batch's statistics and update the running ones (default false: use the running ones). */
  training?: boolean;
  /** Weight of the new batch in the running averages (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/**
 * Batch normalization, like torch.nn.functional.batch_norm: input [N, C, *];
 * runningMean, runningVar, weight and bias are [C] (or null). In training
 * the batch's mean and biased variance over every dim but C normalize, and the
 * running statistics (if given) are updated in place:
 *   running_mean ← (1 − momentum)·running_mean + momentum·mean
 *   running_var  ← (1 − momentum)·running_var  + momentum·var·n/(n − 1)   (the unbiased variance)
 * Otherwise the running statistics normalize.
 */
export function batchNorm(
  input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight: Tensor | null = null, bias: Tensor | null = null,
  { training = false, momentum = 0.1, eps = 1e-5 }: BatchNormOptions = {},
): Tensor {
  const op = "batchNorm";
  const channels = checkChannels(op, input, 2, "[N, C, *]");
  for (const [name, t] of [["runningMean", runningMean], ["runningVar", runningVar], ["weight", weight], ["bias", bias]] as const) {
    checkPerChannel(op, name, t, channels, input);
  }
  const shaped = (t: Tensor) => perChannel(t, input.ndim);
  const dims = input.shape.map((_, d) => d).filter((d) => d !== 1);
  if (!training) {
    if (runningMean === null || runningVar === null) {
      throw new Error(`${op}: in evaluation (training: false) the input is normalized with runningMean and runningVar, ` +
        `so both must be given; pass training: true to use the batch's own statistics`);
    }
    const normalized = input.sub(shaped(runningMean)).div(shaped(runningVar).add(eps).sqrt());
    return scaleAndShift(normalized, weight, bias, shaped);
  }
  const count = numel(input.shape) / channels;
  if (count <= 1) {
    throw new Error(`${op}: Expected more than 1 value per channel when training, got input size ${formatShape(input.shape)} ` +
      `(a variance needs at least two values per channel)`);
  }
  const { normalized, mean, variance } = standardize(input, dims, eps);
  updateRunning(runningMean, mean, momentum);
  updateRunning(runningVar, noGrad(() => variance.mul(count / (count - 1))), momentum);
  return scaleAndShift(normalized, weight, bias, shaped);
}

// ---- layer norm -----------------------------------------------------------------------------

/**
 * Layer normalization, like torch.nn.functional.layer_norm: every sample is
 * normalized over its last dims, which must equal `normalizedShape`; weight
 * and bias (or null) have shape normalizedShape.
 */
export function layerNorm(
  input: Tensor, normalizedShape: number | readonly number[], weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5,
): Tensor {
  const op = "layerNorm";
  checkFloating(op, input);
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
  const trailing = input.shape.slice(input.ndim - shape.length);
  if (shape.length === 0 || shape.length > input.ndim || !sameShape(trailing, shape)) {
    throw new Error(`${op}: normalizedShape ${formatShape(shape)} must be the last dims of the input, [*, ${shape.join(", ")}], ` +
      `got input ${formatShape(input.shape)}`);
  }
  for (const [name, t] of [["weight", weight], ["bias", bias]] as const) {
    if (t !== null && !sameShape(t.shape, shape)) {
      throw new Error(`${op}: ${name} must have the normalized shape ${formatShape(shape)}, got ${formatShape(t.shape)}`);
    }
  }
  const dims = shape.map((_, i) => input.ndim - shape.length + i);
  return scaleAndShift(standardize(input, dims, eps).normalized, weight, bias, (t) => t);
}

// ---- group norm -----------------------------------------------------------------------------

/**
 * Group normalization, like torch.nn.functional.group_norm: input [N, C, *],
 * the C channels split into numGroups groups of consecutive channels; each
 * sample's group is normalized over its channels and positions. weight and
 * bias (or null) are per channel, [C].
 */
export function groupNorm(input: Tensor, numGroups: number, weight: Tensor | null = null, bias: Tensor | null = null, eps = 1e-5): Tensor {
  const op = "groupNorm";
  const channels = checkChannels(op, input, 2, "[N, C, *]");
  if (!Number.isInteger(numGroups) || numGroups <= 0 || channels % numGroups !== 0) {
    throw new Error(`${op}: the ${channels} channels of the input ${formatShape(input.shape)} must split into numGroups = ${numGroups} ` +
      `equal groups (numGroups must be a positive divisor of ${channels})`);
  }
  checkPerChannel(op, "weight", weight, channels, input);
  checkPerChannel(op, "bias", bias, channels, input);
  // Each group: channels/numGroups consecutive channels, with all their positions.
  const groupSize = (channels / numGroups) * numel(input.shape.slice(2));
  const grouped = input.reshape([input.shape[0]!, numGroups, groupSize]);
  const normalized = standardize(grouped, [2], eps).normalized.reshape(input.shape);
  return scaleAndShift(normalized, weight, bias, (t) => perChannel(t, input.ndim));
}

// ---- instance norm ---------------------------------------------------------------------------

export interface InstanceNormOptions {
  /** Normalize with each instance's own statistics (default true); false uses the running ones. */
  useInputStats?: boolean;
  /** Weight of the new batch in the running averages (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/**
 * Instance normalization, like torch.nn.functional.instance_norm: input
 * [N, C, *] with at least one position dim; each sample's channel is
 * normalized over its positions. If running statistics are given and
 * useInputStats is true, they are updated with the batch's average of the
 * instances' means and unbiased variances.
 */
export function instanceNorm(
  input: Tensor, runningMean: Tensor | null = null, runningVar: Tensor | null = null, weight: Tensor | null = null,
  bias: Tensor | null = null, { useInputStats = true, momentum = 0.1, eps = 1e-5 }: InstanceNormOptions = {},
): Tensor {
  const op = "instanceNorm";
  const channels = checkChannels(op, input, 3, "[N, C, positions...]");
  for (const [name, t] of [["runningMean", runningMean], ["runningVar", runningVar], ["weight", weight], ["bias", bias]] as const) {
    checkPerChannel(op, name, t, channels, input);
  }
  const shaped = (t: Tensor) => perChannel(t, input.ndim);
  if (!useInputStats) {
    if (runningMean === null || runningVar === null) {
      throw new Error(`${op}: useInputStats false normalizes with runningMean and runningVar, so both must be given`);
    }
    const normalized = input.sub(shaped(runningMean)).div(shaped(runningVar).add(eps).sqrt());
    return scaleAndShift(normalized, weight, bias, shaped);
  }
  const count = numel(input.shape.slice(2));
  if (count <= 1) {
    throw new Error(`${op}: Expected more than 1 spatial element when training, got input size ${formatShape(input.shape)} ` +
      `(a variance needs at least two positions per channel)`);
  }
  const positions = input.shape.map((_, d) => d).slice(2);
  const { normalized, mean, variance } = standardize(input, positions, eps);
  // The running statistics follow the batch's average over its instances.
  updateRunning(runningMean, noGrad(() => mean.mean(0)), momentum);
  updateRunning(runningVar, noGrad(() => variance.mean(0).mul(count / (count - 1))), momentum);
  return scaleAndShift(normalized, weight, bias, shaped);
}

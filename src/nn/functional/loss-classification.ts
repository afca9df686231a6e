// Classification losses: nllLoss and crossEntropy, with PyTorch 1.13's semantics.
//
// The input holds one score per class along dim 1: [N, C] for N samples,
// [N, C, d1, d2, ...] for a class at every position (the pixels of an image,
// the steps of a sequence), or [C] for a single sample. The target is either
//   - class indices (int32; PyTorch uses int64) of shape [N], [N, d1, ...] or
//     [], each in 0..C−1, or ignoreIndex to leave that element out;
//   - class probabilities (crossEntropy only): floats with the input's shape.
//
// nllLoss takes log-probabilities and keeps the one of the true class y_i,
// weighted by its class weight w[y_i] (1 without weights):
//
//   ℓ_i = −w[y_i] · x_i[y_i]            mean = Σ_i ℓ_i / Σ_i w[y_i]   (over the targets not ignored)
//
// crossEntropy is nllLoss of logSoftmax(input): −log softmax(x_i)[y_i] =
// log Σ_c exp(x_ic) − x_i[y_i], which logSoftmax computes without overflow.
// Label smoothing ε replaces the one-hot target by (1 − ε)·onehot(y) + ε/C:
//
//   ℓ_i = (1 − ε) · w[y_i]·(−logp_i[y_i]) + (ε/C) · Σ_c w_c·(−logp_ic)
//
// and the weighted mean divides both parts by the same Σ_i w[y_i], as PyTorch does.

import { where } from "../../core/ops/arithmetic.ts";
import { isFloating } from "../../core/dtype.ts";
import { formatShape, sameShape, unravel } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { checkFloating, checkReduction, inInputDType, type Reduction } from "./loss-reduction.ts";

export interface NLLLossOptions {
  /** One weight per class, shape [C] (default: all 1). */
  weight?: Tensor | null;
  /** Targets equal to this class index are skipped: no loss, not counted in the mean (default −100). */
  ignoreIndex?: number;
  /** "mean" (default), "sum" or "none". */
  reduction?: Reduction;
}

export interface CrossEntropyOptions extends NLLLossOptions {
  /** ε in [0, 1]: mixes the target with the uniform distribution, (1 − ε)·target + ε/C (default 0). */
  labelSmoothing?: number;
}

/** Class-index targets made ready to pick with: batched ([N, ...]), with the ignored entries handled. */
interface ClassTargets {
  /** The targets, ignored entries replaced by class 0 so that every entry can index (their loss is masked out). */
  safe: Tensor;
  /** True where the target counts, false where it is ignoreIndex. */
  kept: Tensor;
  /** w[y_i] (1 without weights) where the target counts, 0 where it is ignored. */
  weights: Tensor;
}

/** Negative log-likelihood of the true classes, given log-probabilities; like torch.nn.functional.nll_loss. */
export function nllLoss(input: Tensor, target: Tensor, options: NLLLossOptions = {}): Tensor {
  const { ignoreIndex = -100, reduction = "mean" } = options;
  checkClassArguments("nllLoss", input, options.weight ?? null, ignoreIndex, reduction);
  const weight = inInputDType(options.weight ?? null, input);
  if (isFloating(target.dtype)) {
    throw new Error(`nllLoss: the target must hold class indices (int32), got ${target.dtype} ${formatShape(target.shape)}; ` +
      `convert it with target.int(). (Class probabilities are taken by crossEntropy, not nllLoss.)`);
  }
  const logProbabilities = batched(input);
  const targets = classTargets("nllLoss", input, target, weight, ignoreIndex);
  return reduceClassLosses(trueClassLosses(logProbabilities, targets), targets, reduction, input.ndim === 1);
}

/**
 * Cross entropy between the softmax of the scores and the target classes (or
 * class probabilities), computed from logSoftmax so that large scores do not
 * overflow; like torch.nn.functional.cross_entropy.
 */
export function crossEntropy(input: Tensor, target: Tensor, options: CrossEntropyOptions = {}): Tensor {
  const { ignoreIndex = -100, reduction = "mean", labelSmoothing = 0 } = options;
  checkClassArguments("crossEntropy", input, options.weight ?? null, ignoreIndex, reduction);
  checkLabelSmoothing("crossEntropy", labelSmoothing);
  const weight = inInputDType(options.weight ?? null, input);
  const logProbabilities = batched(input).logSoftmax(1);
  if (isFloating(target.dtype)) {
    return probabilityCrossEntropy(input, logProbabilities, target, weight, ignoreIndex, reduction, labelSmoothing);
  }
  const targets = classTargets("crossEntropy", input, target, weight, ignoreIndex);
  let losses = trueClassLosses(logProbabilities, targets);
  if (labelSmoothing > 0) {
    const classes = input.shape[classDim(input)]!;
    // (1 − ε)·ℓ_i + (ε/C)·s_i: the one-hot part and the uniform part of the smoothed target
    const uniformPart = allClassLosses(logProbabilities, weight, targets);
    losses = losses.mul(1 - labelSmoothing).add(uniformPart.mul(labelSmoothing / classes));
  }
  return reduceClassLosses(losses, targets, reduction, input.ndim === 1);
}

// ---- the pieces of the loss ------------------------------------------------------------

/** The input with a batch dim: a single sample [C] becomes [1, C]. */
function batched(input: Tensor): Tensor {
  return input.ndim === 1 ? input.unsqueeze(0) : input;
}

/** dim 1 holds the classes, or dim 0 for a single sample [C]. */
function classDim(input: Tensor): number {
  return input.ndim === 1 ? 0 : 1;
}

/** The class weights shaped to broadcast along dim 1 of a batched [N, C, d1, ...] tensor: [C, 1, ..., 1]. */
function alongClassDim(weight: Tensor, ndim: number): Tensor {
  return weight.reshape([weight.shape[0]!, ...new Array<number>(Math.max(ndim - 2, 0)).fill(1)]);
}

/** ℓ_i = −w[y_i] · logp_i[y_i], and 0 for an ignored target. */
function trueClassLosses(logProbabilities: Tensor, targets: ClassTargets): Tensor {
  const picked = logProbabilities.gather(1, targets.safe.unsqueeze(1)).squeeze(1);
  // where, not a multiplication by 0: an ignored row may hold −Infinity scores, and −Infinity·0 is NaN.
  return where(targets.kept, picked.mul(targets.weights).neg(), 0);
}

/** s_i = −Σ_c w_c · logp_ic (the loss against a uniform target, times C), and 0 for an ignored target. */
function allClassLosses(logProbabilities: Tensor, weight: Tensor | null, targets: ClassTargets): Tensor {
  const weighted = weight === null ? logProbabilities : logProbabilities.mul(alongClassDim(weight, logProbabilities.ndim));
  return where(targets.kept, weighted.sum(1).neg(), 0);
}

/** none: one loss per target (unbatched again for a [C] input); sum: Σ ℓ_i; mean: Σ ℓ_i / Σ w[y_i]. */
function reduceClassLosses(losses: Tensor, targets: ClassTargets, reduction: Reduction, unbatched: boolean): Tensor {
  if (reduction === "none") return unbatched ? losses.squeeze(0) : losses;
  if (reduction === "sum") return losses.sum();
  // When every target is ignored (or there are none), Σ w = 0 and the mean is 0/0 = NaN, as in PyTorch.
  // The gradient is still 0 then: `where` in the per-target losses passes none of the 1/0 back to the input.
  return losses.sum().div(targets.weights.sum());
}

/**
 * Cross entropy against class probabilities q (smoothed to (1 − ε)·q + ε/C):
 * ℓ_i = −Σ_c w_c · q_ic · logp_ic. The mean divides by the number of rows
 * (samples × positions), not by the weights. ignoreIndex has no meaning here.
 */
function probabilityCrossEntropy(
  input: Tensor, logProbabilities: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number,
  reduction: Reduction, labelSmoothing: number,
): Tensor {
  if (!sameShape(target.shape, input.shape)) {
    const classShape = formatShape(classTargetShape(input));
    throw new Error(`crossEntropy: a ${target.dtype} target holds class probabilities and must have the input's shape ` +
      `${formatShape(input.shape)}, got ${formatShape(target.shape)}; class indices must be int32 of shape ${classShape} ` +
      `(e.g. target.int())`);
  }
  if (ignoreIndex >= 0) {
    throw new Error(`crossEntropy: ignoreIndex (${ignoreIndex}) is not supported with class-probability targets; ` +
      `leave it at its default, −100`);
  }
  const classes = input.shape[classDim(input)]!;
  const probabilities = batched(target);
  const smoothed = labelSmoothing > 0 ? probabilities.mul(1 - labelSmoothing).add(labelSmoothing / classes) : probabilities;
  const weighted = weight === null ? smoothed : smoothed.mul(alongClassDim(weight, smoothed.ndim));
  const losses = logProbabilities.mul(weighted).sum(1).neg();
  if (reduction === "none") return input.ndim === 1 ? losses.squeeze(0) : losses;
  return reduction === "sum" ? losses.sum() : losses.mean();
}

// ---- checking the arguments --------------------------------------------------------------

/** The input, the weight, ignoreIndex and the reduction: the checks nllLoss and crossEntropy share. */
function checkClassArguments(
  op: string, input: Tensor, weight: Tensor | null, ignoreIndex: number, reduction: string,
): void {
  checkReduction(op, reduction);
  checkFloating(op, "input", input);
  if (input.ndim === 0) {
    throw new Error(`${op}: the input needs a dim of class scores: [C], [N, C] or [N, C, d1, ...]; got a 0-d tensor`);
  }
  if (!Number.isInteger(ignoreIndex)) throw new Error(`${op}: ignoreIndex must be an integer, got ${ignoreIndex}`);
  if (weight !== null) {
    const classes = input.shape[classDim(input)]!;
    if (weight.ndim !== 1 || weight.shape[0] !== classes) {
      throw new Error(`${op}: weight must be 1-D with one entry per class (C=${classes} for input ${formatShape(input.shape)}), ` +
        `got ${formatShape(weight.shape)}`);
    }
    checkFloating(op, "weight", weight);
  }
}

export function checkLabelSmoothing(op: string, labelSmoothing: number): void {
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) throw new Error(`${op}: labelSmoothing must be between 0 and 1, got ${labelSmoothing}`);
}

/** The shape class indices must have for this input: [N, d1, ...] (the class dim removed), or [] for a [C] input. */
function classTargetShape(input: Tensor): number[] {
  return input.ndim === 1 ? [] : [input.shape[0]!, ...input.shape.slice(2)];
}

/** Checks the class-index target (dtype, shape, values) and prepares it: batched, ignored entries masked, weights picked. */
function classTargets(op: string, input: Tensor, target: Tensor, weight: Tensor | null, ignoreIndex: number): ClassTargets {
  const expected = classTargetShape(input);
  const classes = input.shape[classDim(input)]!;
  if (target.dtype !== "int32") {
    throw new Error(`${op}: class indices must be an int32 tensor, got ${target.dtype}; convert with target.int()`);
  }
  if (sameShape(target.shape, input.shape)) {
    throw new Error(`${op}: the int32 target has the input's shape ${formatShape(input.shape)}: class probabilities must be ` +
      `floating point (e.g. target.float()), and class indices must have shape ${formatShape(expected)}`);
  }
  if (!sameShape(target.shape, expected)) {
    const sizes = input.ndim === 1 ? `C=${classes}` : `N=${input.shape[0]}, C=${classes}`;
    throw new Error(`${op}: input ${formatShape(input.shape)} (${sizes}) needs class indices of shape ${formatShape(expected)}, ` +
      `got ${formatShape(target.shape)}`);
  }
  checkClassValues(op, target, classes, ignoreIndex);
  const indices = input.ndim === 1 ? target.reshape([1]) : target;
  const kept = indices.ne(ignoreIndex);
  const safe = where(kept, indices, 0);
  const weights = weight === null
    ? kept.to(input.dtype)
    : where(kept, weight.indexSelect(0, safe.flatten()).reshape(safe.shape), 0);
  return { safe, kept, weights };
}

/** Every class index is in 0..C−1 or is ignoreIndex. */
function checkClassValues(op: string, target: Tensor, classes: number, ignoreIndex: number): void {
  const values = target.toTypedArray();
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (value === ignoreIndex || (value >= 0 && value < classes)) continue;
    throw new Error(`${op}: target class ${value} at ${formatShape(unravel(i, target.shape))} is out of range for C=${classes} ` +
      `classes: a class index must be in 0..${classes - 1}, or ignoreIndex (${ignoreIndex}) to skip the element`);
  }
}


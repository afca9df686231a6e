// What every loss shares: the reduction of per-element losses to one number,
// and the checks of its arguments.
//
// A loss function first computes one loss per element (or per sample), then
// reduces them as asked: "none" keeps them all, "sum" adds them up, "mean"
// averages them (the default everywhere, as in PyTorch).

import { isFloating } from "../../core/dtype.ts";
import { formatShape, sameShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";

export type Reduction = "none" | "mean" | "sum";

export const REDUCTIONS: readonly Reduction[] = ["none", "mean", "sum"];

/** Throws unless `reduction` is one of `allowed`, naming the loss. */
export function checkReduction(op: string, reduction: string, allowed: readonly string[] = REDUCTIONS): void {
  if (!allowed.includes(reduction)) {
    const choices = allowed.map((r) => `"${r}"`).join(", ");
    throw new Error(`${op}: reduction must be one of ${choices}, got ${JSON.stringify(reduction)}`);
  }
}

/** none: the losses as they are; sum: Σ loss; mean: Σ loss / n (NaN when there are no elements, as in PyTorch). */
export function reduceLoss(loss: Tensor, reduction: Reduction): Tensor {
  if (reduction === "none") return loss;
  return reduction === "sum" ? loss.sum() : loss.mean();
}

/** Losses are computed in floating point: an integer input is refused rather than silently converted. */
export function checkFloating(op: string, what: string, t: Tensor): void {
  if (!isFloating(t.dtype)) {
    throw new Error(`${op}: ${what} must be float32 or float64, got ${t.dtype}; convert it first, e.g. ${what}.float()`);
  }
}

/**
 * The target must have the input's shape. PyTorch would broadcast some
 * mismatches (with a warning), but an input [N, 1] against a target [N]
 * broadcasts to [N, N] and gives a wrong loss without an error: here it is one.
 */
export function checkSameShape(op: string, input: Tensor, target: Tensor): void {
  if (!sameShape(input.shape, target.shape)) {
    throw new Error(`${op}: the target ${formatShape(target.shape)} must have the input's shape ${formatShape(input.shape)}; ` +
      `reshape one of them (for example target.reshape(${formatShape(input.shape)})) rather than rely on broadcasting`);
  }
}

/** A weight (BCE's weight, pos_weight) must broadcast to the input's shape without enlarging it. */
export function checkBroadcastsTo(op: string, what: string, weight: Tensor, input: Tensor): void {
  const offset = input.ndim - weight.ndim;
  const fits = offset >= 0 && weight.shape.every((size, d) => size === 1 || size === input.shape[offset + d]);
  if (!fits) {
    throw new Error(`${op}: ${what} ${formatShape(weight.shape)} must broadcast to the input's shape ${formatShape(input.shape)} ` +
      `(each of its trailing dims equal to the input's or 1)`);
  }
  checkFloating(op, what, weight);
}

/** A weight in the input's dtype (so that a float64 weight does not turn a float32 loss into float64), or null. */
export function inInputDType(weight: Tensor | null, input: Tensor): Tensor | null {
  return weight === null ? null : weight.to(input.dtype);
}

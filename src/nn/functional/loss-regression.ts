// Regression losses: how far a prediction x is from a real-valued target y,
// element by element, with d = x − y:
//
//   mseLoss        d²
//   l1Loss         |d|
//   smoothL1Loss   ½d²/β where |d| < β, else |d| − ½β      (quadratic near 0, then linear; β = 0 is l1Loss)
//   huberLoss      ½d² where |d| < δ, else δ(|d| − ½δ)     (the same curve scaled by δ: huber = δ · smoothL1 with β = δ)
//
// The two pieces of smoothL1 and huber meet with the same value and slope at
// |d| = β (or δ), so the gradient is continuous: d/β (or d) inside, ±1 (or ±δ) outside.

import { where } from "../../core/ops/arithmetic.ts";
import { isFloating } from "../../core/dtype.ts";
import type { Tensor } from "../../core/tensor.ts";
import { checkFloating, checkReduction, checkSameShape, reduceLoss, type Reduction } from "./loss-reduction.ts";

export interface RegressionLossOptions {
  /** "mean" (default), "sum" or "none". */
  reduction?: Reduction;
}

export interface SmoothL1LossOptions extends RegressionLossOptions {
  /** Where the loss turns from quadratic to linear (default 1; 0 gives l1Loss). */
  beta?: number;
}

export interface HuberLossOptions extends RegressionLossOptions {
  /** Where the loss turns from quadratic to linear (default 1; must be positive). */
  delta?: number;
}

/** d = input − target, after checking the arguments (an integer target is converted to the input's dtype). */
function difference(op: string, input: Tensor, target: Tensor, reduction: string): Tensor {
  checkReduction(op, reduction);
  checkFloating(op, "input", input);
  checkSameShape(op, input, target);
  return input.sub(isFloating(target.dtype) ? target : target.to(input.dtype));
}

/** Mean squared error, (x − y)² reduced; like torch.nn.functional.mse_loss. */
export function mseLoss(input: Tensor, target: Tensor, { reduction = "mean" }: RegressionLossOptions = {}): Tensor {
  return reduceLoss(difference("mseLoss", input, target, reduction).square(), reduction);
}

/** Mean absolute error, |x − y| reduced (its gradient at x = y is 0); like torch.nn.functional.l1_loss. */
export function l1Loss(input: Tensor, target: Tensor, { reduction = "mean" }: RegressionLossOptions = {}): Tensor {
  return reduceLoss(difference("l1Loss", input, target, reduction).abs(), reduction);
}

/** Quadratic for |x − y| < β, linear beyond; like torch.nn.functional.smooth_l1_loss. */
export function smoothL1Loss(input: Tensor, target: Tensor, { reduction = "mean", beta = 1 }: SmoothL1LossOptions = {}): Tensor {
  checkBeta("smoothL1Loss", beta);
  const d = difference("smoothL1Loss", input, target, reduction);
  if (beta === 0) return reduceLoss(d.abs(), reduction);
  const size = d.abs();
  // ½d²/β where |d| < β, else |d| − ½β
  return reduceLoss(where(size.lt(beta), d.square().mul(0.5).div(beta), size.sub(0.5 * beta)), reduction);
}

/** Quadratic for |x − y| < δ, linear beyond (slope δ); like torch.nn.functional.huber_loss. */
export function huberLoss(input: Tensor, target: Tensor, { reduction = "mean", delta = 1 }: HuberLossOptions = {}): Tensor {
  checkDelta("huberLoss", delta);
  const d = difference("huberLoss", input, target, reduction);
  const size = d.abs();
  // ½d² where |d| < δ, else δ(|d| − ½δ)
  return reduceLoss(where(size.lt(delta), d.square().mul(0.5), size.sub(0.5 * delta).mul(delta)), reduction);
}

export function checkBeta(op: string, beta: number): void {
  if (!(beta >= 0) || !Number.isFinite(beta)) throw new Error(`${op}: beta must be a finite number >= 0, got ${beta}`);
}

export function checkDelta(op: string, delta: number): void {
  if (!(delta > 0) || !Number.isFinite(delta)) throw new Error(`${op}: delta must be a finite number > 0, got ${delta}`);
}

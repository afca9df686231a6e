// Binary cross entropy: the loss of a yes/no prediction, element by element.
// With x the predicted probability of "yes" and y the target (0, 1, or a
// probability in between):
//
//   binaryCrossEntropy            ℓ = −w · (y·log x + (1 − y)·log(1 − x))
//
// Given raw scores (logits) z instead, x = σ(z) and log σ(z) = −softplus(−z),
// log(1 − σ(z)) = −z − softplus(−z), so
//
//   binaryCrossEntropyWithLogits  ℓ = w · ((1 − y)·z + (1 + (p − 1)·y)·softplus(−z))
//
// where p (posWeight) scales the loss of the positive examples. With p = 1 this
// is the familiar stable form max(z, 0) − z·y + log(1 + e^−|z|). Working from
// the logits never takes the log of a probability that rounded to 0 or 1:
// prefer it to sigmoid followed by binaryCrossEntropy.

import { zerosLike } from "../../core/creation.ts";
import { sub, where } from "../../core/ops/arithmetic.ts";
import { stack } from "../../core/ops/shape.ts";
import { formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import {
  checkBroadcastsTo, checkFloating, checkReduction, checkSameShape, inInputDType, reduceLoss, type Reduction,
} from "./loss-reduction.ts";

export interface BinaryCrossEntropyOptions {
  /** Rescales each element's loss; broadcast to the input's shape (default: none). */
  weight?: Tensor | null;
  /** "mean" (default), "sum" or "none". */
  reduction?: Reduction;
}

export interface BinaryCrossEntropyWithLogitsOptions extends BinaryCrossEntropyOptions {
  /** p: the weight of the positive examples (y = 1), e.g. one per class [C]; broadcast to the input's shape. */
  posWeight?: Tensor | null;
}

/**
 * Binary cross entropy of probabilities in [0, 1], each log floored at −100
 * as PyTorch does (so a confident mistake costs 100, not Infinity); like
 * torch.nn.functional.binary_cross_entropy.
 *
 * The gradient is the derivative of this floored loss, w·(x − y)/(x(1 − x))
 * inside (0, 1). PyTorch's hand-written backward divides by max(x(1 − x), 1e-12)
 * instead, which caps the gradient at |x − y|·10¹² within 10⁻¹² of 0 or 1;
 * there (and at exactly 0 and 1, where a floored log has gradient 0) the two differ.
 * Uncapped, y/x overflows float32 for x below about 3e-39: for probabilities
 * that come out of a sigmoid, binaryCrossEntropyWithLogits is the safe choice.
 */
export function binaryCrossEntropy(
  input: Tensor, target: Tensor, { weight = null, reduction = "mean" }: BinaryCrossEntropyOptions = {},
): Tensor {
  const op = "binaryCrossEntropy";
  checkBinaryArguments(op, input, target, reduction);
  if (weight !== null) checkBroadcastsTo(op, "weight", weight, input);
  checkProbabilities(op, input);
  const elementWeight = inInputDType(weight, input);
  // ℓ = −(y·log x + (1 − y)·log(1 − x))
  const loss = target.mul(flooredLog(input)).add(sub(1, target).mul(flooredLog(sub(1, input)))).neg();
  return reduceLoss(elementWeight === null ? loss : loss.mul(elementWeight), reduction);
}

/**
 * Binary cross entropy of logits (scores before the sigmoid), computed
 * without overflow for any score; like torch.nn.functional.binary_cross_entropy_with_logits.
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor, target: Tensor, { weight = null, posWeight = null, reduction = "mean" }: BinaryCrossEntropyWithLogitsOptions = {},
): Tensor {
  const op = "binaryCrossEntropyWithLogits";
  checkBinaryArguments(op, input, target, reduction);
  if (weight !== null) checkBroadcastsTo(op, "weight", weight, input);
  if (posWeight !== null) checkBroadcastsTo(op, "posWeight", posWeight, input);
  const [elementWeight, positiveWeight] = [inInputDType(weight, input), inInputDType(posWeight, input)];
  // (1 + (p − 1)·y): 1 for the negative part of the target, p for the positive part
  const logWeight = positiveWeight === null ? null : positiveWeight.sub(1).mul(target).add(1);
  const softplusOfMinusInput = softplusOfNegative(input);
  const scaled = logWeight === null ? softplusOfMinusInput : softplusOfMinusInput.mul(logWeight);
  // ℓ = (1 − y)·z + (1 + (p − 1)·y)·softplus(−z)
  const loss = sub(1, target).mul(input).add(scaled);
  return reduceLoss(elementWeight === null ? loss : loss.mul(elementWeight), reduction);
}

/**
 * softplus(−z) = log(1 + e^−z) = log(e⁰ + e^−z): the logsumexp of 0 and −z,
 * which subtracts the larger of the two before exponentiating, so that neither
 * z = 1000 nor z = −1000 overflows. Its gradient, −σ(−z), is smooth at z = 0
 * (the form max(−z, 0) + log(1 + e^−|z|) has two kinks there whose subgradients
 * would not add up to the true slope).
 */
function softplusOfNegative(z: Tensor): Tensor {
  return stack([zerosLike(z), z.neg()], -1).logsumexp(-1);
}

/**
 * log p, floored at −100. Where p = 0 the log is taken of 1 instead and then
 * replaced by −100: log 0 = −Infinity would make the gradient 0·Infinity = NaN.
 */
function flooredLog(p: Tensor): Tensor {
  const positive = p.gt(0);
  return where(positive, p.where(positive, 1).log().clamp(-100), -100);
}

function checkBinaryArguments(op: string, input: Tensor, target: Tensor, reduction: string): void {
  checkReduction(op, reduction);
  checkFloating(op, "input", input);
  checkFloating(op, "target", target);
  checkSameShape(op, input, target);
}

/** Every input value must be a probability, as PyTorch checks (NaN is not one). */
function checkProbabilities(op: string, input: Tensor): void {
  const values = input.toTypedArray();
  const bad = values.findIndex((v) => !(v >= 0 && v <= 1));
  if (bad >= 0) {
    throw new Error(`${op}: every input must be a probability in [0, 1], got ${values[bad]} (element ${bad} of ` +
      `${formatShape(input.shape)}); for raw scores use binaryCrossEntropyWithLogits, or apply sigmoid first`);
  }
}

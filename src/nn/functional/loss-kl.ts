// The Kullback-Leibler divergence KL(q ‖ p) = Σ q·(log q − log p): how much
// information is lost when a distribution p stands in for the target q.
//
// As in PyTorch, the input is log p (log-probabilities, e.g. from logSoftmax)
// and the target is q, element by element:
//
//   target as probabilities        ℓ = q·(log q − x)        with 0·log 0 = 0
//   target as log-probabilities    ℓ = e^t·(t − x)          (logTarget: true; t = log q)
//
// "batchmean" (Σ ℓ / batch size) is the KL divergence per sample. "mean"
// divides by the number of elements, i.e. also by the number of classes: it is
// PyTorch's default, kept for compatibility, and it warns once.

import type { Tensor } from "../../core/tensor.ts";
import { checkFloating, checkReduction, checkSameShape, reduceLoss } from "./loss-reduction.ts";

export type KLDivReduction = "none" | "mean" | "batchmean" | "sum";

export interface KLDivOptions {
  /** "mean" (default, as in PyTorch: averages over every element), "batchmean", "sum" or "none". */
  reduction?: KLDivReduction;
  /** Whether the target is given as log-probabilities (default false: probabilities). */
  logTarget?: boolean;
}

let warnedAboutMean = false;

/** KL divergence between the target distribution and the input's (log-probabilities); like torch.nn.functional.kl_div. */
export function klDiv(input: Tensor, target: Tensor, { reduction = "mean", logTarget = false }: KLDivOptions = {}): Tensor {
  checkReduction("klDiv", reduction, ["none", "mean", "batchmean", "sum"]);
  checkFloating("klDiv", "input", input);
  checkFloating("klDiv", "target", target);
  checkSameShape("klDiv", input, target);
  const loss = logTarget ? target.exp().mul(target.sub(input)) : xLogX(target).sub(target.mul(input));
  if (reduction === "mean") warnAboutMean();
  if (reduction !== "batchmean") return reduceLoss(loss, reduction);
  // Σ ℓ / N, the batch size being the first dim (a 0-d input is one sample)
  return input.ndim === 0 ? loss.sum() : loss.sum().div(input.shape[0]!);
}

/**
 * q·log q, with 0·log 0 = 0 (the limit as q → 0), as PyTorch's xlogy(q, q).
 * The log is taken of 1 where q = 0, so that neither the value nor the
 * gradient meets log 0 = −Infinity. (The gradient with respect to q at q = 0
 * is then 0; PyTorch's is NaN there.)
 */
function xLogX(q: Tensor): Tensor {
  return q.mul(q.where(q.ne(0), 1).log());
}

function warnAboutMean(): void {
  if (warnedAboutMean) return;
  warnedAboutMean = true;
  console.warn('klDiv: reduction "mean" divides the total loss by the number of elements (batch size × classes), ' +
    'as PyTorch does; "batchmean" divides by the batch size only and gives the KL divergence per sample.');
}

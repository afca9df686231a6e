// Gradient clipping, like torch.nn.utils.clip_grad_norm_ and clip_grad_value_.
//
// Called between loss.backward() and optimizer.step(), it keeps one bad batch
// from throwing the parameters far away (RNNs' exploding gradients):
//
//   loss.backward();
//   clipGradNorm_(model.parameters(), 1.0);
//   optimizer.step();

import { scalarTensor } from "../../core/creation.ts";
import { noGrad } from "../../core/grad-mode.ts";
import { stack } from "../../core/ops/shape.ts";
import { Tensor } from "../../core/tensor.ts";

export interface ClipGradNormOptions {
  /** Which p-norm: any p > 0, or Infinity for the largest absolute value (default 2). */
  normType?: number;
  /** Throw if the total norm is NaN or infinite, instead of scaling by it (default false, as PyTorch 1.13). */
  errorIfNonfinite?: boolean;
}

/**
 * Rescales the gradients of `parameters` so that their total norm (the norm
 * of all of them joined into one vector) is at most maxNorm:
 *
 *   total = ‖(‖g₁‖, ‖g₂‖, …)‖       (p-norm of the per-tensor p-norms)
 *   gᵢ ← gᵢ · min(1, maxNorm / (total + 1e-6))
 *
 * Parameters without a gradient are skipped. Returns the total norm from
 * before the clipping, as a 0-d tensor (float32 0 when no parameter has a
 * gradient), like torch.nn.utils.clip_grad_norm_.
 */
export function clipGradNorm_(parameters: Tensor | Iterable<Tensor>, maxNorm: number, options: ClipGradNormOptions = {}): Tensor {
  const { normType = 2, errorIfNonfinite = false } = options;
  if (typeof maxNorm !== "number" || !(maxNorm >= 0)) throw new Error(`clipGradNorm_: maxNorm must be a number >= 0, got ${String(maxNorm)}`);
  if (typeof normType !== "number" || !(normType > 0)) {
    throw new Error(`clipGradNorm_: normType must be a number > 0 or Infinity, got ${String(normType)}`);
  }
  const grads = gradientsOf("clipGradNorm_", parameters);
  if (grads.length === 0) return scalarTensor(0);
  return noGrad(() => {
    const norms = grads.map((g) => pNorm(g, normType));
    const total = normType === Infinity ? stack(norms).amax() : pNorm(stack(norms), normType);
    if (errorIfNonfinite && !Number.isFinite(total.item())) {
      throw new Error(`clipGradNorm_: the total norm of order ${normType} of the gradients is ${total.item()}, so they cannot be clipped. ` +
        `Pass { errorIfNonfinite: false } to scale them by it anyway`);
    }
    // maxNorm / (total + 1e-6), at most 1 (so gradients are only ever shrunk), computed in the norm's dtype
    const coefficient = total.add(1e-6).reciprocal().mul(maxNorm).clamp(null, 1);
    for (const g of grads) g.mul_(coefficient);
    return total;
  });
}

/** Clips every gradient element of `parameters` to [−clipValue, clipValue], like torch.nn.utils.clip_grad_value_. */
export function clipGradValue_(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  if (typeof clipValue !== "number" || !(clipValue >= 0)) throw new Error(`clipGradValue_: clipValue must be a number >= 0, got ${String(clipValue)}`);
  const grads = gradientsOf("clipGradValue_", parameters);
  noGrad(() => {
    for (const g of grads) g.copy_(g.clamp(-clipValue, clipValue));
  });
}

/** The same functions under the names without the trailing underscore. */
export const clipGradNorm = clipGradNorm_;
export const clipGradValue = clipGradValue_;

/** The gradients of the parameters that have one. */
function gradientsOf(op: string, parameters: Tensor | Iterable<Tensor>): Tensor[] {
  const list = parameters instanceof Tensor ? [parameters] : [...parameters];
  list.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new Error(`${op}: expected Tensors, but item ${i} is ${typeof p}`);
  });
  return list.flatMap((p) => (p.grad === null ? [] : [p.grad]));
}

/** ‖x‖ₚ = (Σ|xᵢ|ᵖ)^(1/p); for p = ∞ the largest |xᵢ|. */
function pNorm(x: Tensor, p: number): Tensor {
  const magnitudes = x.abs();
  if (p === Infinity) return magnitudes.amax();
  if (p === 1) return magnitudes.sum();
  if (p === 2) return magnitudes.square().sum().sqrt();
  return magnitudes.pow(p).sum().pow(1 / p);
}

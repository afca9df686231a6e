// Opening the black box a little: which pixels did the network look at?
//
// Saliency (Simonyan et al., 2014): the size of the gradient of the class
// score with respect to each pixel, |∂score_c/∂x_i|: how much a tiny change
// of that pixel would move the score. Cheap (one backward pass), but local.
//
// Integrated gradients (Sundararajan et al., 2017): walk in a straight line
// from a baseline x' (here a black image) to the input x, and add up the
// gradients along the way:
//
//   IG_i(x) = (x_i − x'_i) · ∫₀¹ ∂score_c/∂x_i (x' + α(x − x')) dα
//
// computed as a Riemann sum over `steps` midpoints α_k = (k − ½)/steps. By
// the fundamental theorem of calculus along the path, the attributions add up
// to the change of the score ("completeness"):
//
//   Σ_i IG_i(x) = score_c(x) − score_c(x')      (exactly for the integral; the sum approaches it as steps grow)
//
// so every unit of the score is accounted for by some pixel.

import { arange, grad, noGrad, type Tensor } from "../../src/index.ts";

/** Anything that maps a batch of inputs [N, features] to class scores (logits) [N, classes]. */
export interface Scorer {
  forward(x: Tensor): Tensor;
}

/** The score (logit) of class `target` for each row of x: [N]. */
export function classScores(model: Scorer, x: Tensor, target: number): Tensor {
  return model.forward(x).select(1, target);
}

/** |∂score_target/∂x| for one input x [features]: a map of the same shape. */
export function saliency(model: Scorer, x: Tensor, target: number): Tensor {
  const input = x.detach().unsqueeze(0).requiresGrad_();
  const [gradient] = grad(classScores(model, input, target).sum(), input);
  return gradient!.squeeze(0).abs();
}

export interface IntegratedGradients {
  /** One attribution per feature, the shape of x. */
  attributions: Tensor;
  /** score(x) − score(baseline): what the attributions should add up to. */
  scoreDifference: number;
  /** Σ attributions − scoreDifference: the Riemann sum's error. */
  completenessError: number;
}

/** Integrated gradients of class `target` for one input x [features], from `baseline`, with `steps` midpoints. */
export function integratedGradients(model: Scorer, x: Tensor, baseline: Tensor, target: number, steps: number): IntegratedGradients {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`integratedGradients: steps must be a positive integer, got ${steps}`);
  if (x.shape.join() !== baseline.shape.join()) throw new Error(`integratedGradients: x [${x.shape}] and baseline [${baseline.shape}] differ in shape`);
  const alphas = arange(0, steps, 1, { dtype: x.dtype }).add(0.5).div(steps).unsqueeze(1);          // [steps, 1]: (k − ½)/steps
  const delta = x.sub(baseline).detach();
  const path = baseline.detach().unsqueeze(0).add(alphas.mul(delta.unsqueeze(0))).detach().requiresGrad_();   // [steps, features]
  const [gradients] = grad(classScores(model, path, target).sum(), path);                       // each row: ∂score/∂x at one point of the path
  const attributions = delta.mul(gradients!.mean(0));
  const [atX, atBaseline] = noGrad(() => {
    return [classScores(model, x.unsqueeze(0), target).item(), classScores(model, baseline.unsqueeze(0), target).item()];
  });
  const scoreDifference = atX - atBaseline;
  return { attributions, scoreDifference, completenessError: noGrad(() => attributions.sum().item()) - scoreDifference };
}

// The reverse process of a DDPM written out: start from pure noise and remove
// a little of it at every step, keeping snapshots along the way so that the
// lesson can show a digit (or a cloud of points) appearing out of the noise.
//
// One step, from x_t to x_{t−1} (t counts down from T−1 to 0):
//   ε̂   = model(x_t, t)                                   the denoiser's guess of the noise in x_t
//   x̂_0 = (x_t − √(1 − ᾱ_t) ε̂) / √ᾱ_t                      its guess of the clean data (optionally clamped)
//   μ   = √ᾱ_{t−1} β_t / (1 − ᾱ_t) · x̂_0 + √α_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t) · x_t
//   x_{t−1} = μ + σ_t z,  z ~ N(0, I),  σ_t² = β_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t)   (no noise at the last step)
//
// It makes exactly the random draws of DDPM.sample (src/architectures/diffusion.ts),
// in the same order, so with the same generator both return the same samples:
// the test checks it.

import type { DDPM, Denoiser } from "../../src/architectures/diffusion.ts";
import { full, noGrad, randn, type Generator, type Tensor } from "../../src/index.ts";

export interface ReverseProcess {
  /** x_0, the generated samples. */
  samples: Tensor;
  /** x_t at each step asked for in `keepSteps` (and at the end, x_0), in the order visited. */
  snapshots: { step: number; x: Tensor }[];
}

export interface ReverseOptions {
  generator: Generator;
  /** The steps t whose x_t to keep: T − 1 is the starting noise, −1 the finished sample x_0. */
  keepSteps?: readonly number[];
  /** Clamp x̂_0 to [low, high] at every step (images scaled to [−1, 1]). */
  clip?: [number, number] | null;
  /** Called after every step, e.g. to move a progress bar. */
  onStep?: () => void;
}

/**
 * Ancestral sampling of `shape` from the denoiser. A snapshot at step t is
 * x_t before the step that denoises it (so the snapshot at T − 1 is the
 * starting noise); step −1 is the finished sample x_0.
 */
export function reverseProcess(ddpm: DDPM, model: Denoiser, shape: readonly number[], options: ReverseOptions): ReverseProcess {
  const { generator, keepSteps = [], clip = null, onStep } = options;
  const keep = new Set(keepSteps);
  const snapshots: { step: number; x: Tensor }[] = [];
  return noGrad(() => {
    let x = randn(shape, { generator });                                    // x_T ~ N(0, I)
    for (let t = ddpm.timesteps - 1; t >= 0; t--) {
      if (keep.has(t)) snapshots.push({ step: t, x });
      const predictedNoise = model.forward(x, full([shape[0]!], t, { dtype: "int32" }));
      let x0 = ddpm.predictX0(x, t, predictedNoise);                        // x̂_0
      if (clip !== null) x0 = x0.clamp(clip[0], clip[1]);
      const ab = ddpm.alphasCumprod[t]!, abPrev = ddpm.alphasCumprodPrev[t]!, beta = ddpm.betas[t]!;
      const mean = x0.mul((Math.sqrt(abPrev) * beta) / (1 - ab)).add(x.mul((Math.sqrt(ddpm.alphas[t]!) * (1 - abPrev)) / (1 - ab)));
      x = t > 0 ? mean.add(randn(shape, { generator }).mul(Math.sqrt(ddpm.posteriorVariance[t]!))) : mean;
      onStep?.();
    }
    if (keep.has(-1)) snapshots.push({ step: -1, x });
    return { samples: x, snapshots };
  });
}

/**
 * The mean over the rows of `points` [N, D] of the distance to the nearest
 * row of `reference` [M, D], with ‖p − r‖² = ‖p‖² + ‖r‖² − 2 p·r.
 * How close generated data comes to real data (lower is closer).
 */
export function meanNearestDistance(points: Tensor, reference: Tensor): number {
  return noGrad(() => {
    const squared = points.square().sum(1, true).add(reference.square().sum(1).unsqueeze(0)).sub(points.matmul(reference.T).mul(2));
    return squared.amin(1).clamp(0).sqrt().mean().item();
  });
}

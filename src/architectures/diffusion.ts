// Denoising diffusion (DDPM, Ho et al. 2020): learn to generate data by
// learning to remove noise.
//
// The idea. Take a data point x_0 and destroy it slowly: over T steps, add a
// little Gaussian noise each time, so that x_T is pure noise N(0, I). That
// "forward process" needs no learning. A network then learns to undo one
// step at a time; run backwards from fresh noise, it generates new data.
//
// The forward process, step t (t = 1..T, with a variance β_t from a schedule):
//   q(x_t | x_{t−1}) = N(√(1 − β_t) x_{t−1}, β_t I)
// Writing α_t = 1 − β_t and ᾱ_t = α_1 α_2 … α_t, the steps compose in
// closed form, so any x_t is one draw away from x_0:
//   q(x_t | x_0) = N(√ᾱ_t x_0, (1 − ᾱ_t) I),  i.e.  x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε,  ε ~ N(0, I)
//
// Training (ε-prediction): pick x_0 from the data, t at random and ε ~ N(0, I),
// build x_t as above, and ask the denoiser ε_θ(x_t, t) to tell which noise
// was added:
//   loss = ‖ε − ε_θ(x_t, t)‖²   (the mean squared error; Ho et al.'s "simple" loss)
//
// Sampling (ancestral): start from x_T ~ N(0, I) and, for t = T..1,
//   x̂_0 = (x_t − √(1 − ᾱ_t) ε_θ(x_t, t)) / √ᾱ_t              the denoiser's guess of the clean data
//   μ   = √ᾱ_{t−1} β_t / (1 − ᾱ_t) · x̂_0 + √α_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t) · x_t
//       = (x_t − β_t / √(1 − ᾱ_t) · ε_θ) / √α_t                   (the same, written with ε)
//   x_{t−1} = μ + σ_t z,  z ~ N(0, I)  (no noise at the last step)
// where σ_t² is either the posterior variance β̃_t = β_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t)
// (the default: the exact variance of q(x_{t−1} | x_t, x_0)) or β_t (the
// other choice of Ho et al.; both give similar samples).
//
// DDIM (Song et al. 2021) samples with far fewer steps: it visits a
// subsequence τ_1 < … < τ_S of the timesteps, and from x_τ jumps to the
// previous visited step s with
//   x_s = √ᾱ_s x̂_0 + √(1 − ᾱ_s − σ²) ε_θ + σ z,   σ = η √((1 − ᾱ_s) / (1 − ᾱ_τ)) √(1 − ᾱ_τ / ᾱ_s)
// η = 0 is deterministic; η = 1 with every step visited is ancestral sampling
// with the posterior variance, exactly.
//
// In code the timesteps are numbered 0..T−1 (as in PyTorch implementations):
// index t holds the paper's step t + 1, and ᾱ_{−1} = 1 stands for "no noise".
//
// The schedules of β_t:
//   "linear" (Ho et al.): β rises linearly from betaStart to betaEnd; by
//     default 0.1/T to 20/T, which is 1e-4 to 0.02 at T = 1000 (the paper's
//     values) and keeps ᾱ at the end near 0 for shorter chains (the end is
//     capped at 0.999, for chains of 20 steps or fewer).
//   "cosine" (Nichol & Dhariwal 2021): ᾱ follows
//     f(t) = cos²((t/T + s)/(1 + s) · π/2), s = 0.008, ᾱ_t = f(t)/f(0),
//     so noise is added more evenly; β_t = min(1 − ᾱ_t/ᾱ_{t−1}, 0.999).
//
// The file ends with SinusoidalTimeEmbedding, the encoding of t that both
// denoisers share (denoiser-mlp.ts for points, unet.ts for images).
//
// PyTorch: there is no DDPM class in torch itself; this matches Hugging Face
// diffusers' DDPMScheduler(num_train_timesteps=T, beta_schedule="linear" (with
// beta_start=0.1/T, beta_end=20/T) or "squaredcos_cap_v2", prediction_type="epsilon",
// clip_sample=False or True) and DDIMScheduler, or the
// original code (github.com/hojonathanho/diffusion). In plain PyTorch:
//   betas = torch.linspace(1e-4, 0.02, T, dtype=torch.float64); alphas_cumprod = torch.cumprod(1 - betas, 0)
//   t = torch.randint(0, T, (B,)); noise = torch.randn_like(x0)
//   xt = alphas_cumprod[t].sqrt().view(-1, 1) * x0 + (1 - alphas_cumprod[t]).sqrt().view(-1, 1) * noise
//   loss = F.mse_loss(model(xt, t), noise)

import { full, randint, randn, tensor } from "../core/creation.ts";
import { isFloating, type DType } from "../core/dtype.ts";
import { noGrad } from "../core/grad-mode.ts";
import { cat } from "../core/ops/shape.ts";
import type { Generator } from "../core/random.ts";
import type { Tensor } from "../core/tensor.ts";
import { mseLoss } from "../nn/functional/loss.ts";
import { Module } from "../nn/module.ts";

/** What a DDPM trains and samples with: ε̂ = forward(x_t, t), the same shape as x_t, for timesteps t int32 [B]. */
export interface Denoiser {
  forward(x: Tensor, t: Tensor): Tensor;
}

export type NoiseSchedule = "linear" | "cosine";

export interface DDPMOptions {
  /** The number of noising steps T (default 1000). */
  timesteps?: number;
  /** How β_t grows with t (default "linear"). */
  schedule?: NoiseSchedule;
  /** The linear schedule's first β (default 0.1 / T, which is 1e-4 at T = 1000). */
  betaStart?: number;
  /** The linear schedule's last β (default 20 / T, which is 0.02 at T = 1000; at most 0.999). */
  betaEnd?: number;
}

export interface SampleOptions {
  /** The source of every random draw (default: the global generator). */
  generator?: Generator;
  /** The variance of each step: "posterior" β̃_t (default) or "beta" β_t. */
  variance?: "posterior" | "beta";
  /** Clamp the denoiser's guess x̂_0 to [low, high] at every step, e.g. [−1, 1] for images scaled there (default: no clamp). */
  clipDenoised?: [number, number] | null;
  /** Called after each step with (steps done, steps in all), e.g. to move a progress bar. */
  onStep?: (done: number, total: number) => void;
  /** The dtype of the samples (default float32). */
  dtype?: DType;
}

export interface DDIMOptions extends Omit<SampleOptions, "variance"> {
  /** How many denoising steps to take, evenly spread over 0..T−1 (default 50, at most T). */
  steps?: number;
  /** The amount of fresh noise: 0 deterministic (default), 1 ancestral-like. */
  eta?: number;
}

/** The cosine schedule's offset s: keeps β_1 from being too small near t = 0. */
const COSINE_OFFSET = 0.008;
/** The largest default β: the cosine schedule's last steps, and the linear schedule's end for chains under 21 steps, would otherwise reach 1. */
const MAX_BETA = 0.999;

/**
 * A DDPM's fixed schedule and its three procedures: noising (qSample),
 * the training loss, and sampling (ancestral and DDIM). It has no parameters:
 * the learned part is the denoiser passed to loss() and sample().
 */
export class DDPM {
  readonly timesteps: number;
  readonly schedule: NoiseSchedule;
  /** β_t, the variance of noise added at step t. */
  readonly betas: Float64Array;
  /** α_t = 1 − β_t. */
  readonly alphas: Float64Array;
  /** ᾱ_t = α_0 α_1 … α_t: how much of x_0 survives in x_t (its square root scales x_0). */
  readonly alphasCumprod: Float64Array;
  /** ᾱ_{t−1}, with ᾱ_{−1} = 1. */
  readonly alphasCumprodPrev: Float64Array;
  /** β̃_t = β_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t), the variance of q(x_{t−1} | x_t, x_0) (0 at t = 0). */
  readonly posteriorVariance: Float64Array;

  constructor(options: DDPMOptions = {}) {
    const { timesteps = 1000, schedule = "linear" } = options;
    if (!Number.isInteger(timesteps) || timesteps < 1) throw new Error(`DDPM: timesteps must be a positive integer, got ${timesteps}`);
    this.timesteps = timesteps;
    this.schedule = schedule;
    if (schedule === "linear") {
      const { betaStart = 0.1 / timesteps, betaEnd = Math.min(20 / timesteps, MAX_BETA) } = options;
      if (!(betaStart > 0 && betaEnd < 1 && betaStart <= betaEnd)) {
        throw new Error(`DDPM: the linear schedule needs 0 < betaStart ≤ betaEnd < 1, got ${betaStart} and ${betaEnd}`);
      }
      this.betas = linearBetas(timesteps, betaStart, betaEnd);
    } else if (schedule === "cosine") {
      this.betas = cosineBetas(timesteps);
    } else {
      throw new Error(`DDPM: schedule must be "linear" or "cosine", got ${JSON.stringify(schedule)}`);
    }
    const T = timesteps;
    this.alphas = this.betas.map((beta) => 1 - beta);
    this.alphasCumprod = new Float64Array(T);
    this.alphasCumprodPrev = new Float64Array(T);
    this.posteriorVariance = new Float64Array(T);
    let product = 1;
    for (let t = 0; t < T; t++) {
      this.alphasCumprodPrev[t] = product;
      product *= this.alphas[t]!;
      this.alphasCumprod[t] = product;
      // β̃_t = β_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t)
      this.posteriorVariance[t] = (this.betas[t]! * (1 - this.alphasCumprodPrev[t]!)) / (1 - product);
    }
  }

  /** Noises x_0 to step t in one draw: x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε. t is int32 [B] (one step per example) or one step for all. */
  qSample(x0: Tensor, t: Tensor | number, noise: Tensor): Tensor {
    const steps = this.checkSteps("qSample", t, x0.shape[0]!);
    const signal = this.perExample(steps, (s) => Math.sqrt(this.alphasCumprod[s]!), x0);
    const noiseScale = this.perExample(steps, (s) => Math.sqrt(1 - this.alphasCumprod[s]!), x0);
    return x0.mul(signal).add(noise.mul(noiseScale));
  }

  /** The denoiser's guess of the clean data from x_t and its noise guess: x̂_0 = (x_t − √(1 − ᾱ_t) ε̂) / √ᾱ_t. */
  predictX0(xt: Tensor, t: Tensor | number, predictedNoise: Tensor): Tensor {
    const steps = this.checkSteps("predictX0", t, xt.shape[0]!);
    const noiseScale = this.perExample(steps, (s) => Math.sqrt(1 - this.alphasCumprod[s]!), xt);
    const signal = this.perExample(steps, (s) => Math.sqrt(this.alphasCumprod[s]!), xt);
    return xt.sub(predictedNoise.mul(noiseScale)).div(signal);
  }

  /**
   * The training loss for a batch x_0 [B, …]: t ~ U{0..T−1} and ε ~ N(0, I)
   * per example, then the mean squared error between ε and model(x_t, t).
   */
  loss(model: Denoiser, x0: Tensor, options: { generator?: Generator } = {}): Tensor {
    const { generator } = options;
    const batch = x0.shape[0]!;
    const t = randint(0, this.timesteps, [batch], generator === undefined ? {} : { generator });
    const noise = randn(x0.shape, { dtype: x0.dtype, ...(generator === undefined ? {} : { generator }) });
    const xt = this.qSample(x0, t, noise);
    return mseLoss(model.forward(xt, t), noise);
  }

  /**
   * Ancestral sampling: x_T ~ N(0, I), then T denoising steps x_t → x_{t−1}
   * (see the header). Returns x_0 of the given shape. Runs without gradients.
   */
  sample(model: Denoiser, shape: readonly number[], options: SampleOptions = {}): Tensor {
    const { generator, variance = "posterior", clipDenoised = null, onStep, dtype = "float32" } = options;
    if (variance !== "posterior" && variance !== "beta") throw new Error(`DDPM.sample: variance must be "posterior" or "beta", got ${JSON.stringify(variance)}`);
    const random = randomOptions(dtype, generator);
    return noGrad(() => {
      let x = randn(shape, random);
      for (let t = this.timesteps - 1; t >= 0; t--) {
        const predictedNoise = model.forward(x, full([shape[0]!], t, { dtype: "int32" }));
        const x0 = clip(this.predictX0(x, t, predictedNoise), clipDenoised);
        // μ = √ᾱ_{t−1} β_t / (1 − ᾱ_t) · x̂_0 + √α_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t) · x_t
        const ab = this.alphasCumprod[t]!, abPrev = this.alphasCumprodPrev[t]!, beta = this.betas[t]!;
        const mean = x0.mul((Math.sqrt(abPrev) * beta) / (1 - ab)).add(x.mul((Math.sqrt(this.alphas[t]!) * (1 - abPrev)) / (1 - ab)));
        if (t > 0) {
          const sigma = Math.sqrt(variance === "posterior" ? this.posteriorVariance[t]! : beta);
          x = mean.add(randn(shape, random).mul(sigma));
        } else {
          x = mean;
        }
        onStep?.(this.timesteps - t, this.timesteps);
      }
      return x;
    });
  }

  /**
   * DDIM sampling (Song et al. 2021) over `steps` timesteps evenly spread
   * from T−1 down to 0 (see the header). eta = 0 is deterministic given x_T.
   */
  sampleDDIM(model: Denoiser, shape: readonly number[], options: DDIMOptions = {}): Tensor {
    const { generator, steps = Math.min(50, this.timesteps), eta = 0, clipDenoised = null, onStep, dtype = "float32" } = options;
    if (!Number.isInteger(steps) || steps < 1 || steps > this.timesteps) {
      throw new Error(`DDPM.sampleDDIM: steps must be an integer from 1 to timesteps = ${this.timesteps}, got ${steps}`);
    }
    if (!(eta >= 0)) throw new Error(`DDPM.sampleDDIM: eta must be ≥ 0, got ${eta}`);
    const random = randomOptions(dtype, generator);
    const visited = this.ddimTimesteps(steps);
    return noGrad(() => {
      let x = randn(shape, random);
      for (let i = 0; i < visited.length; i++) {
        const t = visited[i]!;
        const previous = visited[i + 1]; // undefined after the last step: ᾱ = 1, clean data
        const predictedNoise = model.forward(x, full([shape[0]!], t, { dtype: "int32" }));
        const x0 = clip(this.predictX0(x, t, predictedNoise), clipDenoised);
        const ab = this.alphasCumprod[t]!;
        const abPrev = previous === undefined ? 1 : this.alphasCumprod[previous]!;
        // σ = η √((1 − ᾱ_s)/(1 − ᾱ_τ)) √(1 − ᾱ_τ/ᾱ_s)
        const sigma = eta * Math.sqrt((1 - abPrev) / (1 - ab)) * Math.sqrt(1 - ab / abPrev);
        // With x̂_0 clipped, recompute the noise it implies: ε = (x_t − √ᾱ_τ x̂_0) / √(1 − ᾱ_τ).
        const noise = clipDenoised === null ? predictedNoise : x.sub(x0.mul(Math.sqrt(ab))).div(Math.sqrt(1 - ab));
        // x_s = √ᾱ_s x̂_0 + √(1 − ᾱ_s − σ²) ε + σ z
        x = x0.mul(Math.sqrt(abPrev)).add(noise.mul(Math.sqrt(Math.max(0, 1 - abPrev - sigma * sigma))));
        if (previous !== undefined && sigma > 0) x = x.add(randn(shape, random).mul(sigma));
        onStep?.(i + 1, visited.length);
      }
      return x;
    });
  }

  /** The timesteps DDIM visits, from T−1 down to 0: round(k (T − 1)/(steps − 1)) for k = steps−1..0 (just T−1 when steps = 1). */
  ddimTimesteps(steps: number): number[] {
    if (steps === 1) return [this.timesteps - 1];
    const visited = Array.from({ length: steps }, (_, k) => Math.round((k * (this.timesteps - 1)) / (steps - 1)));
    return visited.reverse();
  }

  toString(): string {
    return `DDPM(timesteps=${this.timesteps}, schedule=${this.schedule})`;
  }

  /** Checks t (a number, or int32 [B] with B = batch, every value in 0..T−1) and returns the steps as numbers. */
  private checkSteps(fn: string, t: Tensor | number, batch: number): number[] {
    let steps: number[];
    if (typeof t === "number") {
      steps = new Array<number>(batch).fill(t);
    } else {
      if (t.dtype !== "int32") throw new Error(`DDPM.${fn}: t must be int32, got ${t.dtype}`);
      if (t.ndim !== 1 || t.shape[0] !== batch) throw new Error(`DDPM.${fn}: t must have shape [${batch}] (one step per example), got [${t.shape.join(", ")}]`);
      steps = Array.from(t.toTypedArray());
    }
    for (const s of steps) {
      if (!Number.isInteger(s) || s < 0 || s >= this.timesteps) throw new Error(`DDPM.${fn}: timesteps must be integers in 0..${this.timesteps - 1}, got ${s}`);
    }
    return steps;
  }

  /** One coefficient per example, shaped [B, 1, 1, …] to broadcast against `like` [B, …], in its dtype. */
  private perExample(steps: readonly number[], coefficient: (step: number) => number, like: Tensor): Tensor {
    const dtype = isFloating(like.dtype) ? like.dtype : "float32";
    const shape = [steps.length, ...new Array<number>(like.ndim - 1).fill(1)];
    return tensor(steps.map(coefficient), { shape, dtype });
  }
}

/** β_t = betaStart + (betaEnd − betaStart) · t / (T − 1), for t = 0..T−1 (torch.linspace). */
function linearBetas(T: number, betaStart: number, betaEnd: number): Float64Array {
  if (T === 1) return Float64Array.of(betaStart);
  return Float64Array.from({ length: T }, (_, t) => betaStart + ((betaEnd - betaStart) * t) / (T - 1));
}

/** β_t = min(1 − f(t + 1)/f(t), 0.999) with f(t) = cos²((t/T + s)/(1 + s) · π/2): ᾱ_t = f(t + 1)/f(0) until the cap. */
function cosineBetas(T: number): Float64Array {
  const f = (t: number) => Math.cos((((t / T) + COSINE_OFFSET) / (1 + COSINE_OFFSET)) * (Math.PI / 2)) ** 2;
  return Float64Array.from({ length: T }, (_, t) => Math.min(1 - f(t + 1) / f(t), MAX_BETA));
}

function randomOptions(dtype: DType, generator: Generator | undefined): { dtype: DType; generator?: Generator } {
  if (!isFloating(dtype)) throw new Error(`DDPM: samples must be float32 or float64, got ${dtype}`);
  return generator === undefined ? { dtype } : { dtype, generator };
}

function clip(x: Tensor, range: [number, number] | null): Tensor {
  return range === null ? x : x.clamp(range[0], range[1]);
}

/**
 * The timestep as a vector, the way a Transformer encodes positions, so that
 * a network can tell nearby steps apart at every scale: for t int32 [B],
 *   emb(t) = [sin(t ω_0), …, sin(t ω_{h−1}), cos(t ω_0), …, cos(t ω_{h−1})]   [B, dim]
 *   ω_i = maxPeriod^(−i/h) = exp(−ln(maxPeriod) · i/h),  h = dim/2
 * (frequencies from 1 down to nearly 1/maxPeriod). No parameters; both
 * denoisers feed it to learned layers. In PyTorch (as diffusers'
 * get_timestep_embedding with flip_sin_to_cos=False, downscale_freq_shift=0):
 *   freqs = torch.exp(-math.log(10000) * torch.arange(half) / half)
 *   angles = t[:, None].float() * freqs[None]; emb = torch.cat([angles.sin(), angles.cos()], dim=1)
 */
export class SinusoidalTimeEmbedding extends Module {
  /** ω_0 … ω_{h−1}, kept in float64 and converted to the requested dtype in forward. */
  readonly frequencies: Float64Array;

  constructor(readonly dim: number, readonly maxPeriod = 10000) {
    super();
    if (!Number.isInteger(dim) || dim < 2 || dim % 2 !== 0) throw new Error(`SinusoidalTimeEmbedding: dim must be an even integer ≥ 2, got ${dim}`);
    const half = dim / 2;
    this.frequencies = Float64Array.from({ length: half }, (_, i) => Math.exp((-Math.log(maxPeriod) * i) / half));
  }

  /** t int32 [B] → [B, dim] in `dtype` (the dtype of the network that reads it). */
  forward(t: Tensor, dtype: DType = "float32"): Tensor {
    if (t.ndim !== 1) throw new Error(`SinusoidalTimeEmbedding: expected timesteps [B], got [${t.shape.join(", ")}]`);
    // angles[b, i] = t_b · ω_i
    const angles = t.to(dtype).unsqueeze(1).mul(tensor(this.frequencies, { dtype }).unsqueeze(0));
    return cat([angles.sin(), angles.cos()], 1);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, max_period=${this.maxPeriod}`;
  }
}

// Generative adversarial networks (Goodfellow et al., "Generative Adversarial
// Nets", 2014): two networks trained against each other.
//
// The generator G maps noise z ~ N(0, I) to a fake sample G(z). The
// discriminator D maps a sample to one logit: the log-odds that it is real.
// D learns to tell real data from G's fakes; G learns to fool D. Neither ever
// sees a likelihood: the only signal G gets is the gradient of D's verdict
// with respect to its fake, which points towards "more real".
//
//   z [N, noiseDim] → G: Linear+ReLU → … → Linear (→ tanh / sigmoid) → fake [N, features]
//   x [N, features] → D: Linear+LeakyReLU(0.2) → … → Linear → logit [N, 1]
//
// The losses, with σ the sigmoid so that D(x) = σ(logit) is a probability,
// and BCE(ℓ, y) = −[y log σ(ℓ) + (1 − y) log(1 − σ(ℓ))]:
//
//   discriminator: mean BCE(D(x), 1) + mean BCE(D(G(z)), 0)  = −log D(x) − log(1 − D(G(z)))
//   generator:     mean BCE(D(G(z)), 1)                      = −log D(G(z))
//
// The generator's loss is the "non-saturating" one of the paper's §3: the
// minimax game would have G minimise log(1 − D(G(z))), whose gradient
// vanishes exactly when G is bad and D rejects its fakes with confidence;
// −log D(G(z)) has the same fixed point and strong gradients early on.
//
// A training step alternates: one update of D on a real batch and a fake one
// (the fakes detached, so that D's loss does not reach G), then one update of
// G through a fresh verdict of the updated D. ganTrainingStep does exactly that.
//
// The ring of Gaussians (Metz et al. 2017): eight Gaussian modes on a circle
// is the classic test of "mode collapse", a generator that covers a few modes
// well and ignores the others. modeCoverage counts, for generated samples,
// how many land near each mode.
//
// PyTorch equivalent (scripts/torch-arch-generative.py writes the twins the
// tests compare against, state-dict keys included):
//
//   class Generator(nn.Module):
//       def __init__(self, noise_dim=8, hidden_sizes=(64, 64), out_features=2):
//           super().__init__()
//           sizes = [noise_dim, *hidden_sizes, out_features]
//           layers = []
//           for a, b in zip(sizes, sizes[1:]):
//               layers += [nn.Linear(a, b), nn.ReLU()]
//           self.net = nn.Sequential(*layers[:-1])        # no activation after the last Linear
//       def forward(self, z):
//           return self.net(z)
//
//   class Discriminator(nn.Module):   # the same, with nn.LeakyReLU(0.2) and out_features=1
//
//   d_loss = F.binary_cross_entropy_with_logits(D(x), torch.ones(n, 1)) + \
//            F.binary_cross_entropy_with_logits(D(G(z).detach()), torch.zeros(n, 1))
//   g_loss = F.binary_cross_entropy_with_logits(D(G(z)), torch.ones(n, 1))
//
// The classes are called GANGenerator and GANDiscriminator here because
// `Generator` is already gradschool's random-number generator (torch.Generator).

import { onesLike, randn, zerosLike } from "../core/creation.ts";
import { noGrad } from "../core/grad-mode.ts";
import { defaultGenerator, type Generator } from "../core/random.ts";
import type { Tensor } from "../core/tensor.ts";
import { binaryCrossEntropyWithLogits } from "../nn/functional/loss-binary.ts";
import { LeakyReLU, ReLU, Sigmoid, Tanh } from "../nn/layers/activation.ts";
import type { Sequential } from "../nn/containers.ts";
import { Module } from "../nn/module.ts";
import type { Optimizer } from "../nn/optim/optimizer.ts";
import { linearStack } from "./autoencoder.ts";

function checkSizes(model: string, sizes: Record<string, number>, hiddenSizes: readonly number[]): void {
  for (const [name, value] of Object.entries(sizes)) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${model}: ${name} must be a positive integer, got ${value}`);
  }
  if (hiddenSizes.some((size) => !Number.isInteger(size) || size < 1)) {
    throw new Error(`${model}: hiddenSizes must be positive integers, got [${hiddenSizes.join(", ")}]`);
  }
}

// ---- the two networks --------------------------------------------------------

export interface GANGeneratorConfig {
  /** Dimension of the noise z ~ N(0, I). */
  noiseDim: number;
  /** Widths of the hidden layers. */
  hiddenSizes: readonly number[];
  /** Features of a generated sample, e.g. 2 for points in the plane. */
  outFeatures: number;
  /** Squashes the output: "tanh" for data in [−1, 1], "sigmoid" for [0, 1], null (the default) for unbounded data. */
  outputActivation?: "tanh" | "sigmoid" | null;
}

/**
 * G: an MLP from noise to data, `net` = Linear, ReLU, …, Linear (then the
 * output activation, if any). The ring config { noiseDim: 8, hiddenSizes:
 * [64, 64], outFeatures: 2 } has 4,866 parameters, as its PyTorch twin.
 */
export class GANGenerator extends Module {
  net: Sequential;
  readonly config: Required<GANGeneratorConfig>;

  constructor(config: GANGeneratorConfig) {
    super();
    const { noiseDim, hiddenSizes, outFeatures, outputActivation = null } = config;
    checkSizes("GANGenerator", { noiseDim, outFeatures }, hiddenSizes);
    this.config = { noiseDim, hiddenSizes: [...hiddenSizes], outFeatures, outputActivation };
    this.net = linearStack([noiseDim, ...hiddenSizes, outFeatures], () => new ReLU());
    if (outputActivation === "tanh") this.net.append(new Tanh());
    if (outputActivation === "sigmoid") this.net.append(new Sigmoid());
  }

  /** z [N, noiseDim] → fake samples [N, outFeatures]. */
  forward(z: Tensor): Tensor {
    if (z.ndim !== 2 || z.shape[1] !== this.config.noiseDim) {
      throw new Error(`GANGenerator: expected noise [N, ${this.config.noiseDim}], got [${z.shape.join(", ")}]`);
    }
    return this.net.forward(z);
  }

  /** z ~ N(0, I), [n, noiseDim], in the dtype of the parameters. */
  sampleNoise(n: number, { generator = defaultGenerator }: { generator?: Generator } = {}): Tensor {
    if (!Number.isInteger(n) || n < 1) throw new Error(`GANGenerator: n must be a positive integer, got ${n}`);
    const dtype = this.parameters()[0]?.dtype ?? "float32";
    return randn([n, this.config.noiseDim], { dtype, generator });
  }

  /** n fake samples G(z), z ~ N(0, I), without gradients. */
  sample(n: number, options: { generator?: Generator } = {}): Tensor {
    const z = this.sampleNoise(n, options);
    return noGrad(() => this.forward(z));
  }
}

export interface GANDiscriminatorConfig {
  /** Features of a sample. */
  inFeatures: number;
  /** Widths of the hidden layers. */
  hiddenSizes: readonly number[];
  /** Slope of LeakyReLU below zero (default 0.2, the usual choice in GANs: no dead units, gradients reach every fake). */
  negativeSlope?: number;
}

/**
 * D: an MLP from a sample to one logit, `net` = Linear, LeakyReLU(0.2), …,
 * Linear(→ 1). The ring config { inFeatures: 2, hiddenSizes: [64, 64] } has
 * 4,417 parameters, as its PyTorch twin.
 */
export class GANDiscriminator extends Module {
  net: Sequential;
  readonly config: Required<GANDiscriminatorConfig>;

  constructor(config: GANDiscriminatorConfig) {
    super();
    const { inFeatures, hiddenSizes, negativeSlope = 0.2 } = config;
    checkSizes("GANDiscriminator", { inFeatures }, hiddenSizes);
    this.config = { inFeatures, hiddenSizes: [...hiddenSizes], negativeSlope };
    this.net = linearStack([inFeatures, ...hiddenSizes, 1], () => new LeakyReLU(negativeSlope));
  }

  /** x [N, inFeatures] → logits [N, 1]: log-odds that each sample is real. */
  forward(x: Tensor): Tensor {
    if (x.ndim !== 2 || x.shape[1] !== this.config.inFeatures) {
      throw new Error(`GANDiscriminator: expected samples [N, ${this.config.inFeatures}], got [${x.shape.join(", ")}]`);
    }
    return this.net.forward(x);
  }
}

// ---- the losses and one training step ------------------------------------------

/** −mean log D(x) − mean log(1 − D(G(z))): the discriminator's loss from its logits on real and on fake samples. */
export function discriminatorLoss(realLogits: Tensor, fakeLogits: Tensor): Tensor {
  const real = binaryCrossEntropyWithLogits(realLogits, onesLike(realLogits));
  const fake = binaryCrossEntropyWithLogits(fakeLogits, zerosLike(fakeLogits));
  return real.add(fake);
}

/** −mean log D(G(z)): the non-saturating generator loss, from the discriminator's logits on fake samples. */
export function generatorLoss(fakeLogits: Tensor): Tensor {
  return binaryCrossEntropyWithLogits(fakeLogits, onesLike(fakeLogits));
}

export interface GANStepOptions {
  /** The optimizer of the generator's parameters. */
  optimizerG: Optimizer;
  /** The optimizer of the discriminator's parameters. */
  optimizerD: Optimizer;
  /** Where the noise comes from (default: the global generator). */
  generator?: Generator;
}

/** The two losses of a step, before the updates. */
export interface GANStepLosses {
  discriminatorLoss: number;
  generatorLoss: number;
}

/**
 * One step of GAN training on a batch of real samples [N, features]:
 *   1. fakes = G(z) for N noise vectors;
 *   2. update D on discriminatorLoss(D(real), D(fakes.detach()));
 *   3. update G on generatorLoss(D(fakes)), D having just been updated.
 * Returns both losses.
 */
export function ganTrainingStep(netG: GANGenerator, netD: GANDiscriminator, real: Tensor, options: GANStepOptions): GANStepLosses {
  const { optimizerG, optimizerD, generator = defaultGenerator } = options;
  const fake = netG.forward(netG.sampleNoise(real.shape[0]!, { generator }));

  const lossD = discriminatorLoss(netD.forward(real), netD.forward(fake.detach()));
  optimizerD.zeroGrad();
  lossD.backward();
  optimizerD.step();

  const lossG = generatorLoss(netD.forward(fake));
  optimizerG.zeroGrad();
  lossG.backward(); // also fills D's gradients, which the next step's zeroGrad clears
  optimizerG.step();
  return { discriminatorLoss: lossD.item(), generatorLoss: lossG.item() };
}

// ---- mode coverage ---------------------------------------------------------------

/** `count` points evenly spaced on a circle of `radius` around the origin, the first at angle 0: the ring's centres. */
export function ringCenters(count: number, radius: number): number[][] {
  return Array.from({ length: count }, (_, k) => {
    const angle = (2 * Math.PI * k) / count;
    return [radius * Math.cos(angle), radius * Math.sin(angle)];
  });
}

export interface ModeCoverage {
  /** How many samples lie within `radius` of each centre. */
  countsPerMode: number[];
  /** The fraction of samples within `radius` of some centre ("high quality" samples). */
  fractionNearAMode: number;
  /** How many centres have at least minFraction of the samples within `radius`. */
  modesCovered: number;
}

/**
 * How generated samples [N, D] spread over known modes: a sample belongs to a
 * mode when it lies within `radius` of its centre (for Gaussian modes, 3σ
 * holds 98.9 % of a 2-D mode's mass), and a mode is covered when at least
 * `minFraction` of all samples (default 1 %) belong to it.
 */
export function modeCoverage(samples: Tensor, centers: readonly (readonly number[])[], radius: number, { minFraction = 0.01 } = {}): ModeCoverage {
  const [n, features] = samples.shape as [number, number];
  if (samples.ndim !== 2 || centers.some((c) => c.length !== features)) {
    throw new Error(`modeCoverage: expected samples [N, D] and centres of D numbers, got [${samples.shape.join(", ")}]`);
  }
  const values = samples.contiguous().toTypedArray();
  const countsPerMode = centers.map(() => 0);
  let near = 0;
  for (let i = 0; i < n; i++) {
    const distances = centers.map((center) => Math.hypot(...center.map((c, d) => Number(values[i * features + d]) - c)));
    const closest = distances.indexOf(Math.min(...distances));
    if (distances[closest]! <= radius) {
      countsPerMode[closest]! += 1;
      near += 1;
    }
  }
  return {
    countsPerMode,
    fractionNearAMode: near / n,
    modesCovered: countsPerMode.filter((count) => count >= minFraction * n).length,
  };
}

// Autoencoders: a network that learns to copy its input through a narrow
// middle, and the variational autoencoder that turns the middle into a
// probability distribution one can sample new data from.
//
// The autoencoder. An encoder squeezes an input x (say the 64 pixels of an
// 8×8 digit) into a few numbers z, the code or latent; a decoder rebuilds x
// from z. Trained to make the rebuild x̂ equal to x, the network cannot just
// copy (z is too small), so it has to keep what matters about the data. Shapes,
// for the digits config { inFeatures: 64, hiddenSizes: [128, 64], latentDim: 8 }:
//
//   x [N, 64] → Linear+ReLU → [N, 128] → Linear+ReLU → [N, 64] → Linear → z [N, 8]       (encoder)
//   z [N, 8]  → Linear+ReLU → [N, 64]  → Linear+ReLU → [N, 128] → Linear (→ sigmoid) → x̂ [N, 64]  (decoder)
//
// An input unlike the training data is rebuilt badly, so the reconstruction
// error ‖x − x̂‖² / D, per sample, scores anomalies (chapter 10).
//
// The VAE (Kingma & Welling, "Auto-Encoding Variational Bayes", 2014). The
// encoder now outputs a Gaussian q(z|x) = N(μ(x), diag σ²(x)) instead of one
// point, and the decoder a distribution p(x|z) over inputs. Training maximises
// the evidence lower bound of log p(x), that is it minimises the negative ELBO
//
//   −ELBO(x) = E_{z~q(z|x)}[−log p(x|z)] + KL(q(z|x) ‖ N(0, I))
//            =       reconstruction       +   how far the codes stray from the prior
//
// The KL term packs the codes of the whole data set into the region where
// N(0, I) puts its mass, so that decoding z ~ N(0, I) gives new, plausible
// inputs: that is sample(). Two details make it trainable:
// - the reparameterisation trick: z = μ + σ·ε with ε ~ N(0, I) drawn outside
//   the network, so the gradient flows through μ and σ (the randomness is an input);
// - the encoder outputs log σ² (any real number) rather than σ (which must be > 0).
//
// The decoder's likelihood. We read the decoder's output as Bernoulli logits
// ℓ and score a pixel x in [0, 1] with the binary cross-entropy
// −[x log σ(ℓ) + (1 − x) log(1 − σ(ℓ))], as Kingma and Welling did for MNIST.
// It suits the 8×8 digits (pixels / 16) well: a pixel is k/16, the fraction
// of the 16 points of a 4×4 block of the original 32×32 scan that were inked,
// and 16 × this cross-entropy is, up to a constant, the binomial
// −log p(k | 16 trials, σ(ℓ)). So the reconstruction term is a true
// likelihood scaled by 1/16, and β = 1 here weighs the KL term 16 times more
// than the exact binomial ELBO would (a β-VAE with β = 16 in that model):
// codes stay close to the prior, so prior samples look like digits, at the
// price of blurry reconstructions. β = 1/16 gives the exact binomial ELBO
// (divided by 16): sharper reconstructions, a larger KL. (A Gaussian decoder
// with mean σ(ℓ) and a fixed variance would make the reconstruction a squared
// error whose weight against the KL is that arbitrary variance.) The image
// shown for a code is the decoder's mean, σ(ℓ), in [0, 1].
//
// Shapes through the VAE for the digits config { inFeatures: 64, hiddenSizes: [256, 128], latentDim: 8 }:
//
//   x [N, 64] → encoder: Linear+ReLU [N, 256] → Linear+ReLU [N, 128] ┬ fc_mu     → μ      [N, 8]
//                                                                    └ fc_logvar → log σ² [N, 8]
//   z = μ + exp(½ log σ²)·ε                                           z [N, 8]
//   z → decoder: Linear+ReLU [N, 128] → Linear+ReLU [N, 256] → Linear → logits [N, 64]
//
// PyTorch equivalent (scripts/torch-arch-generative.py writes the twins that
// the tests compare against, state-dict keys included):
//
//   class VAE(nn.Module):
//       def __init__(self, in_features=64, hidden_sizes=(256, 128), latent_dim=8):
//           super().__init__()
//           sizes = [in_features, *hidden_sizes]
//           self.encoder = nn.Sequential(*[m for a, b in zip(sizes, sizes[1:]) for m in (nn.Linear(a, b), nn.ReLU())])
//           self.fc_mu = nn.Linear(sizes[-1], latent_dim)
//           self.fc_logvar = nn.Linear(sizes[-1], latent_dim)
//           back = [latent_dim, *reversed(hidden_sizes)]
//           self.decoder = nn.Sequential(*[m for a, b in zip(back, back[1:]) for m in (nn.Linear(a, b), nn.ReLU())],
//                                        nn.Linear(back[-1], in_features))
//       def forward(self, x, eps):
//           h = self.encoder(x)
//           mu, logvar = self.fc_mu(h), self.fc_logvar(h)
//           return self.decoder(mu + torch.exp(0.5 * logvar) * eps), mu, logvar
//
// and the Autoencoder is the same with `encoder` ending in nn.Linear(sizes[-1],
// latent_dim) and `decoder` ending in nn.Sigmoid() when outputActivation is "sigmoid".

import { randn, randnLike } from "../core/creation.ts";
import { noGrad } from "../core/grad-mode.ts";
import { defaultGenerator, type Generator } from "../core/random.ts";
import type { Tensor } from "../core/tensor.ts";
import { binaryCrossEntropyWithLogits } from "../nn/functional/loss-binary.ts";
import { ReLU, Sigmoid } from "../nn/layers/activation.ts";
import { Linear } from "../nn/layers/linear.ts";
import { Sequential } from "../nn/containers.ts";
import { Module, type TensorModule } from "../nn/module.ts";

// ---- a stack of fully connected layers ------------------------------------

/**
 * Linear(sizes[0] → sizes[1]), activation, Linear(sizes[1] → sizes[2]),
 * activation, …, Linear(→ sizes[last]), with an activation after the last
 * Linear only when `activationAfterLast` is true. The activation layers sit
 * at the odd indices, so the Linears are `0`, `2`, `4` … in the state dict,
 * as in the equivalent nn.Sequential.
 */
export function linearStack(sizes: readonly number[], activation: () => TensorModule, { activationAfterLast = false } = {}): Sequential {
  const layers: TensorModule[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    layers.push(new Linear(sizes[i]!, sizes[i + 1]!));
    if (i + 2 < sizes.length || activationAfterLast) layers.push(activation());
  }
  return new Sequential(...layers);
}

function checkSizes(model: string, sizes: Record<string, number>, hiddenSizes: readonly number[]): void {
  for (const [name, value] of Object.entries(sizes)) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${model}: ${name} must be a positive integer, got ${value}`);
  }
  if (hiddenSizes.some((size) => !Number.isInteger(size) || size < 1)) {
    throw new Error(`${model}: hiddenSizes must be positive integers, got [${hiddenSizes.join(", ")}]`);
  }
}

function checkBatch(model: string, x: Tensor, features: number): void {
  if (x.ndim !== 2 || x.shape[1] !== features) {
    throw new Error(`${model}: expected inputs [N, ${features}], got [${x.shape.join(", ")}]; flatten images first (x.flatten(1))`);
  }
}

// ---- the autoencoder -------------------------------------------------------

export interface AutoencoderConfig {
  /** Features of an input, e.g. 64 for the 8×8 digits. */
  inFeatures: number;
  /** Widths of the encoder's hidden layers, input side first; the decoder mirrors them. */
  hiddenSizes: readonly number[];
  /** Size of the code z. */
  latentDim: number;
  /** "sigmoid" for inputs in [0, 1] (pixels), null (the default) for unbounded ones (standardized features). */
  outputActivation?: "sigmoid" | null;
}

/**
 * An MLP autoencoder: `encoder` (Linear+ReLU layers down to a linear code of
 * latentDim numbers) and `decoder` (the mirror image, back to inFeatures,
 * optionally through a sigmoid). The digits config { inFeatures: 64,
 * hiddenSizes: [128, 64], latentDim: 8, outputActivation: "sigmoid" } has
 * 34,248 parameters, as its PyTorch twin.
 */
export class Autoencoder extends Module {
  encoder: Sequential;
  decoder: Sequential;
  readonly config: Required<AutoencoderConfig>;

  constructor(config: AutoencoderConfig) {
    super();
    const { inFeatures, hiddenSizes, latentDim, outputActivation = null } = config;
    checkSizes("Autoencoder", { inFeatures, latentDim }, hiddenSizes);
    this.config = { inFeatures, hiddenSizes: [...hiddenSizes], latentDim, outputActivation };
    this.encoder = linearStack([inFeatures, ...hiddenSizes, latentDim], () => new ReLU());
    this.decoder = linearStack([latentDim, ...[...hiddenSizes].reverse(), inFeatures], () => new ReLU());
    if (outputActivation === "sigmoid") this.decoder.append(new Sigmoid());
  }

  /** x [N, inFeatures] → z [N, latentDim]. */
  encode(x: Tensor): Tensor {
    checkBatch("Autoencoder", x, this.config.inFeatures);
    return this.encoder.forward(x);
  }

  /** z [N, latentDim] → x̂ [N, inFeatures]. */
  decode(z: Tensor): Tensor {
    return this.decoder.forward(z);
  }

  /** x → x̂ = decode(encode(x)). */
  forward(x: Tensor): Tensor {
    return this.decode(this.encode(x));
  }

  /** Per-sample mean squared error ‖x − x̂‖² / inFeatures, shape [N]: the anomaly score. Its mean is the MSE loss. */
  reconstructionError(x: Tensor): Tensor {
    return this.forward(x).sub(x).square().mean(1);
  }
}

// ---- the variational autoencoder ---------------------------------------------

export interface VAEConfig {
  /** Features of an input, e.g. 64 for the 8×8 digits (values in [0, 1]: they are Bernoulli targets). */
  inFeatures: number;
  /** Widths of the encoder's hidden layers, input side first; the decoder mirrors them. */
  hiddenSizes: readonly number[];
  /** Dimension of z. */
  latentDim: number;
  /** Weight of the KL term in loss() (default 1: the negative ELBO; β > 1 is the β-VAE of Higgins et al. 2017). */
  beta?: number;
}

/** Where ε comes from: given (a tensor like μ, e.g. for a test), or drawn from `generator` (default: the global one). */
export interface NoiseOptions {
  eps?: Tensor;
  generator?: Generator;
}

export interface VAELossOptions extends NoiseOptions {
  /** Overrides the config's β for this call. */
  beta?: number;
}

/** The terms of loss(): each a 0-d tensor, a sum over a sample's dimensions averaged over the batch. */
export interface VAELoss {
  /** reconstruction + β·kl: what to minimise (with β = 1, the negative ELBO in nats per sample). */
  loss: Tensor;
  /** −log p(x|z) with one z per sample: the binary cross-entropy summed over the inFeatures pixels. */
  reconstruction: Tensor;
  /** KL(q(z|x) ‖ N(0, I)) in closed form, summed over the latentDim dimensions. */
  kl: Tensor;
}

/**
 * KL(N(μ, diag σ²) ‖ N(0, I)) for each row of μ and log σ² [N, D], shape [N]:
 *
 *   KL = ½ Σ_d (μ_d² + σ_d² − 1 − log σ_d²)
 *
 * (zero exactly when μ = 0 and σ = 1). PyTorch: `0.5 * (mu**2 + logvar.exp() - 1 - logvar).sum(1)`.
 */
export function klToStandardNormal(mu: Tensor, logvar: Tensor): Tensor {
  return mu.square().add(logvar.exp()).sub(1).sub(logvar).sum(1).mul(0.5);
}

/**
 * A VAE with an MLP encoder to (μ, log σ²) and an MLP decoder to Bernoulli
 * logits (see the file comment). Fields, as the PyTorch twin's: `encoder`
 * (the hidden Linear+ReLU layers), `fc_mu`, `fc_logvar`, `decoder`. The
 * digits config { inFeatures: 64, hiddenSizes: [256, 128], latentDim: 8 } has
 * 102,224 parameters, as its PyTorch twin.
 */
export class VAE extends Module {
  encoder: Sequential;
  fc_mu: Linear;
  fc_logvar: Linear;
  decoder: Sequential;
  readonly config: Required<VAEConfig>;

  constructor(config: VAEConfig) {
    super();
    const { inFeatures, hiddenSizes, latentDim, beta = 1 } = config;
    checkSizes("VAE", { inFeatures, latentDim }, hiddenSizes);
    if (!(beta >= 0 && Number.isFinite(beta))) throw new Error(`VAE: beta must be a finite number ≥ 0, got ${beta}`);
    this.config = { inFeatures, hiddenSizes: [...hiddenSizes], latentDim, beta };
    const lastHidden = hiddenSizes.length > 0 ? hiddenSizes[hiddenSizes.length - 1]! : inFeatures;
    this.encoder = linearStack([inFeatures, ...hiddenSizes], () => new ReLU(), { activationAfterLast: true });
    this.fc_mu = new Linear(lastHidden, latentDim);
    this.fc_logvar = new Linear(lastHidden, latentDim);
    this.decoder = linearStack([latentDim, ...[...hiddenSizes].reverse(), inFeatures], () => new ReLU());
  }

  /** x [N, inFeatures] → [μ, log σ²], each [N, latentDim]: the Gaussian q(z|x). */
  encode(x: Tensor): [Tensor, Tensor] {
    checkBatch("VAE", x, this.config.inFeatures);
    const hidden = this.encoder.forward(x);
    return [this.fc_mu.forward(hidden), this.fc_logvar.forward(hidden)];
  }

  /** z = μ + σ·ε with σ = exp(½ log σ²) and ε ~ N(0, I): a sample of q(z|x) through which gradients reach μ and σ. */
  reparameterize(mu: Tensor, logvar: Tensor, { eps, generator = defaultGenerator }: NoiseOptions = {}): Tensor {
    const noise = eps ?? randnLike(mu, { generator });
    if (noise.shape.join() !== mu.shape.join()) throw new Error(`VAE: eps has shape [${noise.shape.join(", ")}], μ has [${mu.shape.join(", ")}]`);
    return mu.add(logvar.mul(0.5).exp().mul(noise));
  }

  /** z [N, latentDim] → logits [N, inFeatures] of p(x|z); sigmoid(logits) is the image. */
  decode(z: Tensor): Tensor {
    return this.decoder.forward(z);
  }

  /** x → [logits, μ, log σ²], decoding one z drawn from q(z|x). */
  forward(x: Tensor, noise: NoiseOptions = {}): [Tensor, Tensor, Tensor] {
    const [mu, logvar] = this.encode(x);
    return [this.decode(this.reparameterize(mu, logvar, noise)), mu, logvar];
  }

  /**
   * The training objective, per sample and averaged over the batch:
   *   reconstruction_i = Σ_pixels BCE(logits_i, x_i)        (−log p(x_i|z_i), one z_i ~ q(z|x_i))
   *   kl_i             = ½ Σ_d (μ² + σ² − 1 − log σ²)        (KL(q(z|x_i) ‖ N(0, I)))
   *   loss             = mean_i (reconstruction_i + β·kl_i)
   * (PyTorch's examples/vae sums over the batch instead of averaging: the
   * same gradient direction, N times larger.)
   */
  loss(x: Tensor, { beta = this.config.beta, ...noise }: VAELossOptions = {}): VAELoss {
    const [logits, mu, logvar] = this.forward(x, noise);
    const reconstruction = binaryCrossEntropyWithLogits(logits, x, { reduction: "none" }).sum(1).mean();
    const kl = klToStandardNormal(mu, logvar).mean();
    return { loss: reconstruction.add(kl.mul(beta)), reconstruction, kl };
  }

  /** The image of each input's most likely code: sigmoid(decode(μ(x))), [N, inFeatures] in [0, 1], without gradients. */
  reconstruct(x: Tensor): Tensor {
    return noGrad(() => this.decode(this.encode(x)[0]).sigmoid());
  }

  /** n new inputs: z ~ N(0, I) decoded to sigmoid(logits), [n, inFeatures] in [0, 1], without gradients. */
  sample(n: number, { generator = defaultGenerator }: { generator?: Generator } = {}): Tensor {
    if (!Number.isInteger(n) || n < 1) throw new Error(`VAE.sample: n must be a positive integer, got ${n}`);
    const z = randn([n, this.config.latentDim], { dtype: this.fc_mu.weight.dtype, generator });
    return noGrad(() => this.decode(z).sigmoid());
  }
}

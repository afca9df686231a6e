// A denoiser for points in the plane: the network a DDPM trains on 2-D data
// such as the swiss roll (see diffusion.ts for the DDPM itself).
//
// It reads a noisy point x_t and its timestep t, and guesses the noise ε that
// was added. Three groups of features go side by side into an MLP with SiLU
// activations:
//   - the point itself, x [B, 2];
//   - random Fourier features of the point, sin(x W) and cos(x W) with a fixed
//     random matrix W [2, k], W_ij ~ N(0, scale²) (Tancik et al. 2020). An MLP
//     fed raw coordinates learns sharp functions of them very slowly (its
//     "spectral bias"); near the data, the denoiser must be sharp, since a
//     point a little off the spiral must be pushed back onto it. Sines of
//     projections at many frequencies make that easy. W is a buffer: saved in
//     the state dict, never trained;
//   - the sinusoidal embedding of the timestep (diffusion.ts): the same point
//     needs a different answer at different noise levels, and the embedding is
//     what lets one network serve every step.
//
// Shapes, for a batch of B points (defaults in brackets):
//   x [B, 2], z = x W [B, 32], emb(t) [B, 32]
//   h = SiLU(input(cat([x, sin z, cos z, emb(t)])))   [B, 128]   input: Linear(2 + 64 + 32, 128)
//   h = SiLU(hidden_i(h))  for i = 0 .. layers − 2     [B, 128]   hidden.i: Linear(128, 128)
//   ε̂ = output(h)                                      [B, 2]     output: Linear(128, 2)
// The default (hiddenDim 128, 3 layers, 32 Fourier projections, time embedding
// 32) has 45,954 parameters (and the 64 numbers of W), the same as its PyTorch twin.
//
// PyTorch: the small denoisers of 2-D diffusion demos, written
//   class MLPDenoiser(nn.Module):
//       def __init__(self, data_dim=2, hidden_dim=128, layers=3, fourier_features=32, fourier_scale=4.0, time_dim=32):
//           super().__init__()
//           self.register_buffer("fourier_matrix", torch.randn(data_dim, fourier_features) * fourier_scale)
//           self.time_embedding = SinusoidalTimeEmbedding(time_dim)
//           self.input = nn.Linear(data_dim + 2 * fourier_features + time_dim, hidden_dim)
//           self.hidden = nn.ModuleList(nn.Linear(hidden_dim, hidden_dim) for _ in range(layers - 1))
//           self.output = nn.Linear(hidden_dim, data_dim)
//       def forward(self, x, t):
//           z = x @ self.fourier_matrix
//           h = F.silu(self.input(torch.cat([x, z.sin(), z.cos(), self.time_embedding(t).to(x.dtype)], dim=1)))
//           for layer in self.hidden: h = F.silu(layer(h))
//           return self.output(h)

import { randn } from "../core/creation.ts";
import type { DType } from "../core/dtype.ts";
import { cat } from "../core/ops/shape.ts";
import type { Tensor } from "../core/tensor.ts";
import { ModuleList } from "../nn/containers.ts";
import { Linear } from "../nn/layers/linear.ts";
import { Module } from "../nn/module.ts";
import { SinusoidalTimeEmbedding, type Denoiser } from "./diffusion.ts";

export interface MLPDenoiserOptions {
  /** Coordinates per point (default 2). */
  dataDim?: number;
  /** Width of every hidden layer (default 128). */
  hiddenDim?: number;
  /** Hidden layers, each followed by SiLU (default 3: input and 2 more). */
  layers?: number;
  /** Random projections k of the point, each giving a sine and a cosine (default 32; 0 feeds the raw point only). */
  fourierFeatures?: number;
  /** Standard deviation of the projection weights, for data scaled to about unit variance (default 4). */
  fourierScale?: number;
  /** Features of the sinusoidal time embedding (default 32, even). */
  timeEmbeddingDim?: number;
  dtype?: DType;
}

/** ε̂ = forward(x_t [B, dataDim], t int32 [B]) → [B, dataDim]. */
export class MLPDenoiser extends Module implements Denoiser {
  declare fourier_matrix: Tensor | null;
  time_embedding: SinusoidalTimeEmbedding;
  input: Linear;
  hidden: ModuleList<Linear>;
  output: Linear;
  readonly dataDim: number;

  constructor(options: MLPDenoiserOptions = {}) {
    super();
    const { dataDim = 2, hiddenDim = 128, layers = 3, fourierFeatures = 32, fourierScale = 4, timeEmbeddingDim = 32, dtype = "float32" } = options;
    for (const [name, value] of Object.entries({ dataDim, hiddenDim, layers })) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`MLPDenoiser: ${name} must be a positive integer, got ${value}`);
    }
    if (!Number.isInteger(fourierFeatures) || fourierFeatures < 0) {
      throw new Error(`MLPDenoiser: fourierFeatures must be a non-negative integer, got ${fourierFeatures}`);
    }
    this.dataDim = dataDim;
    this.registerBuffer("fourier_matrix", fourierFeatures > 0 ? randn([dataDim, fourierFeatures], { dtype }).mul(fourierScale) : null);
    this.time_embedding = new SinusoidalTimeEmbedding(timeEmbeddingDim);
    this.input = new Linear(dataDim + 2 * fourierFeatures + timeEmbeddingDim, hiddenDim, { dtype });
    this.hidden = new ModuleList(Array.from({ length: layers - 1 }, () => new Linear(hiddenDim, hiddenDim, { dtype })));
    this.output = new Linear(hiddenDim, dataDim, { dtype });
  }

  forward(x: Tensor, t: Tensor): Tensor {
    if (x.ndim !== 2 || x.shape[1] !== this.dataDim) {
      throw new Error(`MLPDenoiser: expected points [B, ${this.dataDim}], got [${x.shape.join(", ")}]`);
    }
    const features = [x];
    if (this.fourier_matrix !== null) {
      const z = x.matmul(this.fourier_matrix); // [B, k]
      features.push(z.sin(), z.cos());
    }
    features.push(this.time_embedding.forward(t, x.dtype));
    let h = this.input.forward(cat(features, 1)).silu();
    for (const layer of this.hidden) h = layer.forward(h).silu();
    return this.output.forward(h);
  }
}

// A small U-Net: the denoiser a DDPM trains on images (see diffusion.ts),
// here sized for the 8×8 digits.
//
// The idea (Ronneberger et al. 2015, as adapted for diffusion by Ho et al.
// 2020). An encoder halves the resolution level by level while adding
// channels, so that deep features see the whole image; a decoder doubles it
// back. At each resolution, the encoder's features are handed across ("skip
// connections") and put beside the decoder's, so fine detail does not have to
// survive the bottleneck. Every block also hears the timestep: a learned
// projection of its sinusoidal embedding is added to every pixel, so the
// network knows how much noise to expect.
//
// A residual block, for x [B, Cin, H, W] and the time vector e [B, 4C]:
//   h = conv1(SiLU(GroupNorm(x)))                     [B, Cout, H, W]   conv 3×3, padding 1
//   h = h + time_proj(SiLU(e))[:, :, None, None]      the timestep, one number per channel
//   h = conv2(SiLU(GroupNorm(h)))                     [B, Cout, H, W]
//   out = h + skip(x)                                 skip: a 1×1 conv when Cin ≠ Cout, else x itself
//
// Shapes through the default UNet (C = 16, channel multipliers [1, 2]), for x [B, 1, 8, 8]:
//   e = time_mlp(emb(t))                          [B, 64]     Linear(16, 64), SiLU, Linear(64, 64)
//   conv_in (3×3)                                 [B, 16, 8, 8]
//   down_blocks.0                → skip 0         [B, 16, 8, 8]
//   downsamples.0 (conv 3×3, stride 2)            [B, 16, 4, 4]
//   down_blocks.1                → skip 1         [B, 32, 4, 4]
//   mid_block                                     [B, 32, 4, 4]
//   up_blocks.0 (cat with skip 1: 64 in)          [B, 32, 4, 4]
//   upsamples.0 (transposed conv 2×2, stride 2)   [B, 32, 8, 8]
//   up_blocks.1 (cat with skip 0: 48 in)          [B, 16, 8, 8]
//   conv_out(SiLU(norm_out(h))) (3×3)             [B, 1, 8, 8]  = ε̂
// With three multipliers, e.g. [1, 2, 2], the path goes 8 → 4 → 2 and back.
// Downsampling is a stride-2 convolution; upsampling a 2×2 transposed
// convolution with stride 2 (the original U-Net's "up-convolution": each
// input pixel paints its own 2×2 patch), several times cheaper here than
// nearest-neighbour upsampling followed by a 3×3 convolution.
// The default has 98,353 parameters, the same as its PyTorch twin.
//
// PyTorch: a minimal version of the DDPM U-Net (diffusers' UNet2DModel with
// one ResnetBlock2D per level and no attention), written with nn.Conv2d,
// nn.GroupNorm, nn.Linear, nn.ConvTranspose2d(c, c, 2, stride=2),
// torch.cat([h, skip], dim=1), the field names below and forward(x, t); the
// twin is class UNet in scripts/torch-arch-diffusion.py.

import type { DType } from "../core/dtype.ts";
import { cat } from "../core/ops/shape.ts";
import type { Tensor } from "../core/tensor.ts";
import { ModuleList, Sequential } from "../nn/containers.ts";
import { SiLU } from "../nn/layers/activation.ts";
import { Conv2d, ConvTranspose2d } from "../nn/layers/conv.ts";
import { Identity, Linear } from "../nn/layers/linear.ts";
import { GroupNorm } from "../nn/layers/normalization.ts";
import { Module } from "../nn/module.ts";
import { SinusoidalTimeEmbedding, type Denoiser } from "./diffusion.ts";

export interface UNetOptions {
  /** Channels of the images (default 1). */
  imageChannels?: number;
  /** Channels at full resolution, C (default 16). */
  baseChannels?: number;
  /** One per resolution: level i has C · multiplier_i channels and 1/2^i of the resolution (default [1, 2]). */
  channelMultipliers?: readonly number[];
  /** GroupNorm's groups; must divide every channel count (default 8). */
  groups?: number;
  dtype?: DType;
}

/** The residual block of the header: two 3×3 convolutions, GroupNorm and SiLU before each, the timestep added between. */
export class ResidualBlock extends Module {
  norm1: GroupNorm;
  conv1: Conv2d;
  time_proj: Linear;
  norm2: GroupNorm;
  conv2: Conv2d;
  skip: Conv2d | Identity;

  constructor(inChannels: number, outChannels: number, timeDim: number, groups: number, dtype: DType = "float32") {
    super();
    this.norm1 = new GroupNorm(groups, inChannels, { dtype });
    this.conv1 = new Conv2d(inChannels, outChannels, 3, { padding: 1, dtype });
    this.time_proj = new Linear(timeDim, outChannels, { dtype });
    this.norm2 = new GroupNorm(groups, outChannels, { dtype });
    this.conv2 = new Conv2d(outChannels, outChannels, 3, { padding: 1, dtype });
    this.skip = inChannels === outChannels ? new Identity() : new Conv2d(inChannels, outChannels, 1, { dtype });
  }

  /** x [B, Cin, H, W], time [B, timeDim] → [B, Cout, H, W]. */
  forward(x: Tensor, time: Tensor): Tensor {
    let h = this.conv1.forward(this.norm1.forward(x).silu());
    h = h.add(this.time_proj.forward(time.silu()).unsqueeze(-1).unsqueeze(-1));
    h = this.conv2.forward(this.norm2.forward(h).silu());
    return h.add(this.skip.forward(x));
  }
}

/** ε̂ = forward(x_t [B, imageChannels, H, W], t int32 [B]) → [B, imageChannels, H, W]; H and W divisible by 2^(levels − 1). */
export class UNet extends Module implements Denoiser {
  time_embedding: SinusoidalTimeEmbedding;
  time_mlp: Sequential;
  conv_in: Conv2d;
  down_blocks: ModuleList<ResidualBlock>;
  downsamples: ModuleList<Conv2d>;
  mid_block: ResidualBlock;
  up_blocks: ModuleList<ResidualBlock>;
  upsamples: ModuleList<ConvTranspose2d>;
  norm_out: GroupNorm;
  conv_out: Conv2d;
  readonly imageChannels: number;
  readonly levels: number;

  constructor(options: UNetOptions = {}) {
    super();
    const { imageChannels = 1, baseChannels = 16, channelMultipliers = [1, 2], groups = 8, dtype = "float32" } = options;
    for (const [name, value] of Object.entries({ imageChannels, baseChannels, groups })) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`UNet: ${name} must be a positive integer, got ${value}`);
    }
    if (channelMultipliers.length === 0 || !channelMultipliers.every((m) => Number.isInteger(m) && m >= 1)) {
      throw new Error(`UNet: channelMultipliers must be a non-empty list of positive integers, got [${channelMultipliers.join(", ")}]`);
    }
    const channels = channelMultipliers.map((m) => baseChannels * m);
    for (const c of [baseChannels, ...channels]) {
      if (c % groups !== 0) throw new Error(`UNet: groups = ${groups} must divide every channel count, and ${c} is not a multiple`);
    }
    this.imageChannels = imageChannels;
    this.levels = channels.length;
    const timeDim = 4 * baseChannels;
    const block = (cin: number, cout: number) => new ResidualBlock(cin, cout, timeDim, groups, dtype);

    this.time_embedding = new SinusoidalTimeEmbedding(baseChannels);
    this.time_mlp = new Sequential(new Linear(baseChannels, timeDim, { dtype }), new SiLU(), new Linear(timeDim, timeDim, { dtype }));
    this.conv_in = new Conv2d(imageChannels, baseChannels, 3, { padding: 1, dtype });

    // Encoder: one block per level, a stride-2 convolution between levels.
    this.down_blocks = new ModuleList<ResidualBlock>();
    this.downsamples = new ModuleList<Conv2d>();
    let current = baseChannels;
    channels.forEach((c, level) => {
      this.down_blocks.append(block(current, c));
      if (level < channels.length - 1) this.downsamples.append(new Conv2d(c, c, 3, { stride: 2, padding: 1, dtype }));
      current = c;
    });

    this.mid_block = block(current, current);

    // Decoder, deepest level first: each block reads its own features and the encoder's skip, side by side.
    this.up_blocks = new ModuleList<ResidualBlock>();
    this.upsamples = new ModuleList<ConvTranspose2d>();
    for (let level = channels.length - 1; level >= 0; level--) {
      const c = channels[level]!;
      this.up_blocks.append(block(current + c, c));
      if (level > 0) this.upsamples.append(new ConvTranspose2d(c, c, 2, { stride: 2, dtype }));
      current = c;
    }

    this.norm_out = new GroupNorm(groups, current, { dtype });
    this.conv_out = new Conv2d(current, imageChannels, 3, { padding: 1, dtype });
  }

  forward(x: Tensor, t: Tensor): Tensor {
    const factor = 2 ** (this.levels - 1);
    if (x.ndim !== 4 || x.shape[1] !== this.imageChannels || x.shape[2]! % factor !== 0 || x.shape[3]! % factor !== 0) {
      throw new Error(`UNet: expected images [B, ${this.imageChannels}, H, W] with H and W divisible by ${factor}, got [${x.shape.join(", ")}]`);
    }
    const time = this.time_mlp.forward(this.time_embedding.forward(t, x.dtype));
    let h = this.conv_in.forward(x);
    const skips: Tensor[] = [];
    for (let level = 0; level < this.levels; level++) {
      h = this.down_blocks.at(level).forward(h, time);
      skips.push(h);
      if (level < this.levels - 1) h = this.downsamples.at(level).forward(h);
    }
    h = this.mid_block.forward(h, time);
    for (let i = 0; i < this.levels; i++) {
      h = this.up_blocks.at(i).forward(cat([h, skips.pop()!], 1), time);
      if (i < this.levels - 1) h = this.upsamples.at(i).forward(h);
    }
    return this.conv_out.forward(this.norm_out.forward(h).silu());
  }
}

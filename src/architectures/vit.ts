// ViT: the Vision Transformer (Dosovitskiy et al., "An Image is Worth 16x16
// Words: Transformers for Image Recognition at Scale", 2021).
//
// The idea. A Transformer reads a sequence of vectors ("tokens"); an image is
// not a sequence, so cut it into square patches and read each patch as one
// token. There is no convolution after the first layer and no built-in idea
// of "nearby pixels": the model learns where each patch is from learned
// position embeddings, and what to look at from self-attention.
//
//   1. Patches. A Conv2d with kernel = stride = patchSize maps each P×P patch
//      to a dim-vector (the same as flattening each patch and applying one
//      Linear to it): [N, C, H, W] → [N, dim, H/P, W/P] → tokens [N, T, dim],
//      T = (H/P)·(W/P).
//   2. A learned class token is put in front of the patches: [N, T + 1, dim].
//      After the encoder, it is the vector that classifies the image.
//   3. Learned position embeddings [1, T + 1, dim] are added to every token.
//   4. depth encoder blocks, each pre-LayerNorm with two residual branches:
//        x = x + MultiheadAttention(LN1(x))      (every token looks at all the others)
//        x = x + MLP(LN2(x)),  MLP = Linear(dim, mlpDim) → GELU → Linear(mlpDim, dim)
//   5. A final LayerNorm, then a Linear head on the class token: [N, numClasses].
//
// Shapes for the 8×8 digits with patchSize 2 and dim 48 (N images):
//   [N, 1, 8, 8] → conv_proj [N, 48, 4, 4] → tokens [N, 16, 48] → with the class
//   token [N, 17, 48] → encoder [N, 17, 48] → class token [N, 48] → head [N, 10].
//
// PyTorch equivalent: torchvision.models.VisionTransformer(image_size=8,
// patch_size=2, num_layers=depth, num_heads=heads, hidden_dim=dim,
// mlp_dim=mlpDim, dropout=dropout, attention_dropout=attentionDropout,
// num_classes=10), with one change: torchvision's conv_proj always reads 3
// channels, here inChannels. The module names are torchvision's, so a state
// dict moves between the two: conv_proj, class_token, encoder.pos_embedding,
// encoder.layers.encoder_layer_0.ln_1, .self_attention (nn.MultiheadAttention
// with batch_first=True), .ln_2, .mlp.0 and .mlp.3 (mlp.1 is GELU, mlp.2 and
// mlp.4 Dropout), encoder.ln, heads.head. torchvision builds encoder.layers and
// heads as nn.Sequential(OrderedDict(...)) with named children; here they are
// ModuleDicts with the same names, called in order. Every LayerNorm has eps
// 1e-6, as torchvision's. In PyTorch an encoder block is
//
//   def forward(self, input):
//       x = self.ln_1(input)
//       x, _ = self.self_attention(x, x, x, need_weights=False)
//       x = self.dropout(x) + input
//       return x + self.mlp(self.ln_2(x))
//
// (scripts/torch-arch-resnet-vit.py holds the whole twin). The default
// model (dim 48, depth 3, heads 4, mlpDim 96) has 58,570 parameters, as its
// PyTorch twin.

import { zeros } from "../core/creation.ts";
import type { DType } from "../core/dtype.ts";
import { noGrad } from "../core/grad-mode.ts";
import { where } from "../core/ops/arithmetic.ts";
import { cat } from "../core/ops/shape.ts";
import type { Tensor } from "../core/tensor.ts";
import { ModuleDict, Sequential } from "../nn/containers.ts";
import { calculateFanInAndFanOut, normal_, xavierUniform_, zeros_ } from "../nn/init.ts";
import { GELU } from "../nn/layers/activation.ts";
import { MultiheadAttention } from "../nn/layers/attention.ts";
import { Conv2d } from "../nn/layers/conv.ts";
import { Dropout } from "../nn/layers/dropout.ts";
import { Linear } from "../nn/layers/linear.ts";
import { LayerNorm } from "../nn/layers/normalization.ts";
import { Module } from "../nn/module.ts";
import { Parameter } from "../nn/parameter.ts";

/** torchvision's LayerNorm in ViT: eps 1e-6. */
const LAYER_NORM_EPS = 1e-6;

/**
 * Fills `tensor` with N(0, std²) values cut to [low, high]: values outside are
 * drawn again until none is left, as torch.nn.init.trunc_normal_ (whose
 * bounds are absolute values, −2 and 2 by default, not multiples of std).
 */
export function truncNormal_(tensor: Tensor, std: number, low = -2, high = 2): Tensor {
  normal_(tensor, 0, std);
  noGrad(() => {
    for (;;) {
      const outside = tensor.lt(low).logicalOr(tensor.gt(high));
      if (outside.sum().item() === 0) break;
      const fresh = normal_(zeros(tensor.shape, { dtype: tensor.dtype }), 0, std);
      tensor.copy_(where(outside, fresh, tensor));
    }
  });
  return tensor;
}

/**
 * One pre-LayerNorm Transformer encoder block, like torchvision's
 * vision_transformer.EncoderBlock: tokens [N, L, dim] → [N, L, dim].
 */
export class EncoderBlock extends Module {
  ln_1: LayerNorm;
  self_attention: MultiheadAttention;
  dropout: Dropout;
  ln_2: LayerNorm;
  /** Linear(dim, mlpDim), GELU, Dropout, Linear(mlpDim, dim), Dropout: torchvision's MLPBlock. */
  mlp: Sequential;

  constructor(dim: number, heads: number, mlpDim: number, { dropout = 0, attentionDropout = 0, dtype = "float32" }: { dropout?: number; attentionDropout?: number; dtype?: DType } = {}) {
    super();
    this.ln_1 = new LayerNorm(dim, { eps: LAYER_NORM_EPS, dtype });
    this.self_attention = new MultiheadAttention(dim, heads, { dropout: attentionDropout, batchFirst: true, dtype });
    this.dropout = new Dropout(dropout);
    this.ln_2 = new LayerNorm(dim, { eps: LAYER_NORM_EPS, dtype });
    const fc1 = new Linear(dim, mlpDim, { dtype });
    const fc2 = new Linear(mlpDim, dim, { dtype });
    // torchvision's MLPBlock initialisation: xavier-uniform weights, biases N(0, 1e-6²).
    for (const layer of [fc1, fc2]) {
      xavierUniform_(layer.weight);
      normal_(layer.bias!, 0, 1e-6);
    }
    this.mlp = new Sequential(fc1, new GELU(), new Dropout(dropout), fc2, new Dropout(dropout));
  }

  forward(input: Tensor): Tensor {
    const normed = this.ln_1.forward(input);
    const [attended] = this.self_attention.forward(normed, normed, normed, { needWeights: false });
    const x = this.dropout.forward(attended).add(input);       // x = x + attention(LN1(x))
    return x.add(this.mlp.forward(this.ln_2.forward(x)));       // x = x + MLP(LN2(x))
  }
}

/**
 * The encoder, like torchvision's vision_transformer.Encoder: adds the
 * position embeddings, then runs the blocks and a final LayerNorm.
 * Tokens [N, seqLength, dim] → [N, seqLength, dim].
 */
export class Encoder extends Module {
  /** Learned position embeddings [1, seqLength, dim], drawn from N(0, 0.02²) as torchvision. */
  pos_embedding: Parameter;
  dropout: Dropout;
  /** encoder_layer_0 … encoder_layer_{depth−1}, in order. */
  layers: ModuleDict<EncoderBlock>;
  ln: LayerNorm;

  constructor(seqLength: number, depth: number, dim: number, heads: number, mlpDim: number, options: { dropout?: number; attentionDropout?: number; dtype?: DType } = {}) {
    super();
    const { dropout = 0, dtype = "float32" } = options;
    this.pos_embedding = new Parameter(normal_(zeros([1, seqLength, dim], { dtype }), 0, 0.02));
    this.dropout = new Dropout(dropout);
    this.layers = new ModuleDict<EncoderBlock>();
    for (let i = 0; i < depth; i++) this.layers.set(`encoder_layer_${i}`, new EncoderBlock(dim, heads, mlpDim, options));
    this.ln = new LayerNorm(dim, { eps: LAYER_NORM_EPS, dtype });
  }

  forward(tokens: Tensor): Tensor {
    let x = this.dropout.forward(tokens.add(this.pos_embedding));
    for (const [, block] of this.layers.entries()) x = block.forward(x);
    return this.ln.forward(x);
  }
}

export interface ViTOptions {
  /** Side of the square input images (default 8). */
  imageSize?: number;
  /** Side of the square patches; must divide imageSize (default 2). */
  patchSize?: number;
  /** Channels of the input images (default 1). */
  inChannels?: number;
  /** Number of classes (default 10). */
  numClasses?: number;
  /** Width of every token (torchvision's hidden_dim; default 48). */
  dim?: number;
  /** Number of encoder blocks (torchvision's num_layers; default 3). */
  depth?: number;
  /** Attention heads; must divide dim (torchvision's num_heads; default 4). */
  heads?: number;
  /** Hidden width of each block's MLP (default 96). */
  mlpDim?: number;
  /** Dropout after the position embeddings, the attention and in the MLPs, in training mode (default 0). */
  dropout?: number;
  /** Dropout on the attention weights (default 0). */
  attentionDropout?: number;
  dtype?: DType;
}

/**
 * A Vision Transformer, like torchvision.models.VisionTransformer:
 * forward(images [N, inChannels, imageSize, imageSize]) returns logits [N, numClasses].
 *
 * Initialisation, as torchvision's: conv_proj weight from a normal with
 * σ = √(1 / fanIn) (fanIn = inChannels·P·P) truncated to [−2, 2], bias 0;
 * class_token 0; pos_embedding N(0, 0.02²); attention as nn.MultiheadAttention
 * (xavier-uniform in_proj, zero biases); MLP weights xavier-uniform, biases
 * N(0, 1e-6²); LayerNorms weight 1, bias 0; heads.head weight and bias 0.
 */
export class ViT extends Module {
  /** [1, 1, dim], a learned token put in front of the patches; its output classifies the image. */
  class_token: Parameter;
  conv_proj: Conv2d;
  encoder: Encoder;
  heads: ModuleDict<Linear>;
  readonly imageSize: number;
  readonly patchSize: number;
  readonly dim: number;
  /** Number of tokens: (imageSize / patchSize)² patches and the class token. */
  readonly seqLength: number;

  constructor(options: ViTOptions = {}) {
    super();
    const {
      imageSize = 8, patchSize = 2, inChannels = 1, numClasses = 10, dim = 48, depth = 3, heads = 4, mlpDim = 96,
      dropout = 0, attentionDropout = 0, dtype = "float32",
    } = options;
    for (const [name, value] of Object.entries({ imageSize, patchSize, inChannels, numClasses, dim, depth, heads, mlpDim })) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`ViT: ${name} must be a positive integer, got ${value}`);
    }
    if (imageSize % patchSize !== 0) throw new Error(`ViT: patchSize (${patchSize}) must divide imageSize (${imageSize})`);
    this.imageSize = imageSize;
    this.patchSize = patchSize;
    this.dim = dim;
    this.seqLength = (imageSize / patchSize) ** 2 + 1;

    this.class_token = new Parameter(zeros([1, 1, dim], { dtype }));
    this.conv_proj = new Conv2d(inChannels, dim, patchSize, { stride: patchSize, dtype });
    truncNormal_(this.conv_proj.weight, Math.sqrt(1 / calculateFanInAndFanOut(this.conv_proj.weight).fanIn));
    zeros_(this.conv_proj.bias!);
    this.encoder = new Encoder(this.seqLength, depth, dim, heads, mlpDim, { dropout, attentionDropout, dtype });
    const head = new Linear(dim, numClasses, { dtype });
    zeros_(head.weight);
    zeros_(head.bias!);
    this.heads = new ModuleDict({ head });
  }

  /** Images [N, C, H, W] → tokens [N, (H/P)·(W/P), dim], patches in row-major order. */
  patchify(images: Tensor): Tensor {
    const [n, , h, w] = images.shape;
    if (images.ndim !== 4 || h !== this.imageSize || w !== this.imageSize) {
      throw new Error(`ViT: expected images [N, C, ${this.imageSize}, ${this.imageSize}], got [${images.shape.join(", ")}]`);
    }
    const grid = this.conv_proj.forward(images);                      // [N, dim, H/P, W/P]
    return grid.reshape([n!, this.dim, -1]).permute(0, 2, 1);          // [N, T, dim]
  }

  /** Images → the final class-token vectors [N, dim] that the head classifies. */
  features(images: Tensor): Tensor {
    const patches = this.patchify(images);
    const classTokens = this.class_token.expand([patches.shape[0]!, -1, -1]);
    const encoded = this.encoder.forward(cat([classTokens, patches], 1)); // [N, T + 1, dim]
    return encoded.select(1, 0);
  }

  forward(images: Tensor): Tensor {
    return this.heads.get("head").forward(this.features(images));
  }
}

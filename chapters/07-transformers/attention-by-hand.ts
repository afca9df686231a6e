// Causal self-attention written out one step at a time, with plain tensor
// operations, from the weights of a CausalSelfAttention layer
// (src/architectures/gpt-attention.ts). It computes what the layer's forward
// computes, and keeps every intermediate result so the lesson can show them.
//
//   Q = x W_qᵀ, K = x W_kᵀ, V = x W_vᵀ          (the three parts of c_attn)
//   scores = Q Kᵀ / √d                           how well each key answers each query
//   scores[t, s] = −∞ for s > t                  the causal mask: no looking ahead
//   weights = softmax(scores)                    each row sums to 1
//   heads = weights V                            a weighted average of the values
//   output = concat(heads) W_projᵀ + b_proj      the heads mixed by c_proj

import { arange, noGrad, where, type Tensor } from "../../src/index.ts";
import type { CausalSelfAttention } from "../../src/architectures/gpt-attention.ts";

export interface AttentionSteps {
  /** [B, nHead, T, headDim] each: the queries, keys and values of every head. */
  queries: Tensor;
  keys: Tensor;
  values: Tensor;
  /** [B, nHead, T, T]: Q Kᵀ / √headDim, before the mask. */
  scores: Tensor;
  /** [B, nHead, T, T]: softmax of the masked scores; row t is how much position t looks at each position. */
  weights: Tensor;
  /** [B, T, C]: the layer's output. */
  output: Tensor;
}

/** A [T, T] matrix of 0 on and below the diagonal and −∞ above it: added to the scores, it blocks the future. */
export function causalMask(length: number): Tensor {
  const ahead = arange(length).unsqueeze(0).gt(arange(length).unsqueeze(1));   // [t, s] true when s > t
  return where(ahead, -Infinity, 0);
}

/** Runs `layer` on x [B, T, C] by hand (no dropout: as in eval mode), returning every step. */
export function attentionByHand(layer: CausalSelfAttention, x: Tensor): AttentionSteps {
  return noGrad(() => {
    const [batch, length, channels] = x.shape as [number, number, number];
    const headDim = channels / layer.nHead;
    // c_attn.weight is [3C, C]: rows 0..C−1 make the queries, C..2C−1 the keys, 2C..3C−1 the values.
    const project = (part: number) => {
      const weight = layer.c_attn.weight.narrow(0, part * channels, channels);           // [C, C]
      const bias = layer.c_attn.bias?.narrow(0, part * channels, channels);
      const flat = x.matmul(weight.mT);                                                    // x Wᵀ: [B, T, C]
      const withBias = bias === undefined ? flat : flat.add(bias);
      return withBias.reshape([batch, length, layer.nHead, headDim]).transpose(1, 2);     // [B, nHead, T, headDim]
    };
    const queries = project(0), keys = project(1), values = project(2);
    const scores = queries.matmul(keys.mT).div(Math.sqrt(headDim));                        // [B, nHead, T, T]
    const weights = scores.add(causalMask(length)).softmax(-1);
    const heads = weights.matmul(values);                                                  // [B, nHead, T, headDim]
    const merged = heads.transpose(1, 2).reshape([batch, length, channels]);
    const projected = merged.matmul(layer.c_proj.weight.mT);
    const output = layer.c_proj.bias === null ? projected : projected.add(layer.c_proj.bias);
    return { queries, keys, values, scores, weights, output };
  });
}

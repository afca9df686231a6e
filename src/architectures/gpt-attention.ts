// Causal self-attention, the layer that lets each token of GPT look back at
// the tokens before it, and the key/value cache that makes generation cheap.
//
// Every position t of the input x [B, T, C] (C = nEmbd) asks a question (its
// query q_t), advertises what it holds (its key k_t) and offers content (its
// value v_t); all three come out of one Linear, c_attn, of C → 3C features.
// The C features are split into nHead heads of headDim = C / nHead features,
// and each head attends on its own:
//
//   scores[t, s] = q_t · k_s / √headDim            how well key s answers query t
//   scores[t, s] = −∞ for s > t                     causal: no looking at the future
//   weights[t, :] = softmax(scores[t, :])           each row sums to 1
//   y_t = Σ_s weights[t, s] · v_s                   the weighted average of the values
//
// The heads' outputs are put side by side again ([B, T, C]) and mixed by a
// second Linear, c_proj. Shapes: q, k, v are [B, nHead, T, headDim]; the
// scores and weights are [B, nHead, T, T].
//
// The key/value cache. While generating, the model is run again and again on
// a sequence that grows by one token at a time. The keys and values of the
// earlier positions do not change (a position only sees the positions before
// it), so they can be kept: each layer stores k and v [B, nHead, S, headDim]
// for the S positions seen so far, and a step computes q, k, v for the new
// positions only, appends k and v to the store, and lets the new queries
// attend to all S + T keys. A new query at absolute position S + i may see
// keys 0 … S + i, so the causal mask is aligned to the bottom right of the
// [T, S + T] score matrix (with T = 1, the newest token sees everything).
//
// PyTorch: nanoGPT's CausalSelfAttention (model.py), which writes
//   q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
//   k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)   # likewise q and v
//   y = F.scaled_dot_product_attention(q, k, v, dropout_p=..., is_causal=True)
//   y = self.resid_dropout(self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C)))
// Here the attention is written out (softmax(q kᵀ/√d) v with a mask), because
// is_causal's top-left mask is wrong once cached keys come before the queries.
// The parameter names are nanoGPT's (c_attn.weight [3C, C], c_proj.weight
// [C, C], and their biases); with PyTorch 1.13 nanoGPT also registers the
// causal mask as a buffer `attn.bias`, which is left out here, as nanoGPT does
// on PyTorch ≥ 2.

import { arange } from "../core/creation.ts";
import type { DType } from "../core/dtype.ts";
import { where } from "../core/ops/arithmetic.ts";
import { cat } from "../core/ops/shape.ts";
import type { Tensor } from "../core/tensor.ts";
import { Dropout } from "../nn/layers/dropout.ts";
import { Linear } from "../nn/layers/linear.ts";
import { Module } from "../nn/module.ts";

/** What one attention layer has seen so far: keys and values [B, nHead, S, headDim], or null before the first step. */
export class LayerCache {
  keys: Tensor | null = null;
  values: Tensor | null = null;

  /** S, the number of positions held. */
  get length(): number {
    return this.keys === null ? 0 : this.keys.shape[2]!;
  }

  /** Appends the new positions' keys and values (dim 2) and returns everything held, past and new. */
  append(keys: Tensor, values: Tensor): { keys: Tensor; values: Tensor } {
    this.keys = this.keys === null ? keys : cat([this.keys, keys], 2);
    this.values = this.values === null ? values : cat([this.values, values], 2);
    return { keys: this.keys, values: this.values };
  }
}

/**
 * The key/value cache of a whole model: one LayerCache per block. Pass the
 * same cache to successive GPT.forward calls, each with the tokens that follow
 * those already seen; forward reads the positions from `length`.
 */
export class KVCache {
  readonly layers: LayerCache[];

  constructor(nLayer: number) {
    this.layers = Array.from({ length: nLayer }, () => new LayerCache());
  }

  /** The number of positions already seen (the same in every layer). */
  get length(): number {
    return this.layers[0]?.length ?? 0;
  }

  /** The cache of block `index`. */
  layer(index: number): LayerCache {
    const cache = this.layers[index];
    if (cache === undefined) throw new Error(`KVCache: no layer ${index}; this cache has ${this.layers.length} layers`);
    return cache;
  }
}

/**
 * [T, S] bool, True where the query at row i may look at key j. The T queries
 * are the last T of the S positions (S − T of them come from a cache), so query
 * i sits at position S − T + i and may see keys j ≤ S − T + i.
 */
export function causalMaskAfter(queryLength: number, keyLength: number): Tensor {
  const firstQueryPosition = keyLength - queryLength;
  return arange(keyLength).le(arange(queryLength).add(firstQueryPosition).unsqueeze(1));
}

/** [T, S]: 0 where the query may look at the key, −∞ where it may not; added to the scores, it zeroes those weights. */
function blockedAhead(queryLength: number, keyLength: number, dtype: DType): Tensor {
  return where(causalMaskAfter(queryLength, keyLength), 0, -Infinity).to(dtype);
}

export interface CausalSelfAttentionOptions {
  nEmbd: number;
  nHead: number;
  /** Dropout probability on the attention weights and on the output (training only). */
  dropout: number;
  /** Whether c_attn and c_proj learn biases. */
  bias: boolean;
  dtype?: DType;
}

/** Multi-head causal self-attention, nanoGPT's CausalSelfAttention: [B, T, C] → [B, T, C]. */
export class CausalSelfAttention extends Module {
  c_attn: Linear;
  c_proj: Linear;
  attn_dropout: Dropout;
  resid_dropout: Dropout;
  readonly nHead: number;
  readonly nEmbd: number;

  constructor({ nEmbd, nHead, dropout, bias, dtype = "float32" }: CausalSelfAttentionOptions) {
    super();
    if (!Number.isInteger(nHead) || nHead < 1 || nEmbd % nHead !== 0) {
      throw new Error(`CausalSelfAttention: nEmbd (${nEmbd}) must split into nHead (${nHead}) heads of equal size`);
    }
    this.c_attn = new Linear(nEmbd, 3 * nEmbd, { bias, dtype }); // q, k and v, side by side
    this.c_proj = new Linear(nEmbd, nEmbd, { bias, dtype });     // mixes the heads' outputs
    this.attn_dropout = new Dropout(dropout);
    this.resid_dropout = new Dropout(dropout);
    this.nHead = nHead;
    this.nEmbd = nEmbd;
  }

  /** x [B, T, C] → [B, T, C]. With a cache, x holds the positions after the cached ones, and the cache is extended. */
  forward(x: Tensor, cache: LayerCache | null = null): Tensor {
    const [batch, length, channels] = x.shape as [number, number, number];
    const headDim = channels / this.nHead;
    // [B, T, C] → [B, nHead, T, headDim]: each head gets its own slice of the features.
    const heads = (t: Tensor) => t.reshape([batch, length, this.nHead, headDim]).transpose(1, 2);
    const [q, kNew, vNew] = this.c_attn.forward(x).split(this.nEmbd, 2).map(heads) as [Tensor, Tensor, Tensor];
    const { keys: k, values: v } = cache === null ? { keys: kNew, values: vNew } : cache.append(kNew, vNew);

    let scores = q.mul(1 / Math.sqrt(headDim)).matmul(k.mT);           // [B, nHead, T, S]: q_t · k_s / √headDim
    if (length > 1) scores = scores.add(blockedAhead(length, k.shape[2]!, x.dtype)); // −∞ ahead: no looking at the future
    const weights = this.attn_dropout.forward(scores.softmax(-1));    // each row sums to 1
    const y = weights.matmul(v);                                      // [B, nHead, T, headDim]
    const merged = y.transpose(1, 2).reshape([batch, length, channels]); // the heads side by side again
    return this.resid_dropout.forward(this.c_proj.forward(merged));
  }

  override extraRepr(): string {
    return `n_head=${this.nHead}`;
  }
}

// Attention: every query looks at every key, turns the match scores into
// weights that sum to 1, and takes that weighted average of the values.
//
//   Attention(Q, K, V) = softmax(Q Kᵀ · scale + mask) V,    scale = 1/√d by default
//
// Q is [..., L, d] (L queries), K is [..., S, d] (S keys), V is [..., S, d_v];
// the scores Q Kᵀ are [..., L, S]. A mask says which keys a query may look at:
// blocked pairs get −∞ added to their score, hence weight exp(−∞) = 0.
//
// Two mask conventions exist in PyTorch, and both are kept here:
//   - scaledDotProductAttention (PyTorch 2.x): a bool mask is True where attention is ALLOWED;
//   - multi-head attention (nn.MultiheadAttention): a bool mask is True where it is NOT allowed.
// A float mask is always added to the scores.

import { arange, scalarTensor } from "../../core/creation.ts";
import { isFloating, type DType } from "../../core/dtype.ts";
import { where } from "../../core/ops/arithmetic.ts";
import { defaultGenerator, type Generator } from "../../core/random.ts";
import { broadcastShapes, formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { dropout } from "./dropout.ts";
import { linear } from "./linear.ts";

/** Turns a bool mask that is True where attention is blocked into 0 / −∞ to add to the scores. */
function blockedToAdditive(blocked: Tensor, dtype: DType): Tensor {
  return where(blocked, scalarTensor(-Infinity, dtype), scalarTensor(0, dtype));
}

/** [L, S], True where key j may be seen by query i, i.e. j ≤ i (the lower triangle, aligned top-left as in PyTorch). */
export function causalMask(queryLength: number, keyLength: number): Tensor {
  return arange(keyLength).le(arange(queryLength).unsqueeze(1));
}

function checkMaskDType(op: string, what: string, mask: Tensor): void {
  if (mask.dtype !== "bool" && !isFloating(mask.dtype)) {
    throw new Error(`${op}: ${what} must be a bool mask or a float mask to add to the scores, got ${mask.dtype}`);
  }
}

/**
 * The attention weights softmax(q kᵀ · scale + mask) and their average of v.
 * `additiveMask` (or null) is added to the scores [..., L, S]. Dropout, when
 * p > 0, drops weights after the softmax, as PyTorch does.
 */
function attend(query: Tensor, key: Tensor, value: Tensor, additiveMask: Tensor | null, scale: number, dropoutP: number, generator: Generator): {
  output: Tensor;
  weights: Tensor;
} {
  let scores = query.matmul(key.mT).mul(scale);         // [..., L, S]: how well query i matches key j
  if (additiveMask !== null) scores = scores.add(additiveMask); // −∞ where attention is blocked
  let weights = scores.softmax(-1);                      // each query's weights over the keys sum to 1
  if (dropoutP > 0) weights = dropout(weights, { p: dropoutP, generator });
  return { output: weights.matmul(value), weights };    // [..., L, d_v]: the weighted average of the values
}

export interface ScaledDotProductAttentionOptions {
  /**
   * Broadcastable to [..., L, S]. Bool: True where query i MAY attend to key j
   * (PyTorch 2.x's rule). Float: added to the scores.
   */
  attnMask?: Tensor | null;
  /** Dropout probability on the attention weights (default 0). Applied whenever > 0, as in PyTorch. */
  dropoutP?: number;
  /** Let query i see keys 0..i only (a lower-triangular mask); cannot be combined with attnMask. */
  isCausal?: boolean;
  /** Multiplies the scores (default 1/√d, d = query.size(-1)). */
  scale?: number | null;
  generator?: Generator;
}

/**
 * softmax(q kᵀ · scale + mask) v for query [..., L, d], key [..., S, d] and
 * value [..., S, d_v] (leading dims broadcast), returning [..., L, d_v]; like
 * torch.nn.functional.scaled_dot_product_attention in PyTorch 2.x.
 */
export function scaledDotProductAttention(query: Tensor, key: Tensor, value: Tensor, options: ScaledDotProductAttentionOptions = {}): Tensor {
  const { attnMask = null, dropoutP = 0, isCausal = false, scale = null, generator = defaultGenerator } = options;
  const op = "scaledDotProductAttention";
  const shapes = `query ${formatShape(query.shape)}, key ${formatShape(key.shape)}, value ${formatShape(value.shape)}`;
  if (query.ndim < 2 || key.ndim < 2 || value.ndim < 2) throw new Error(`${op}: query, key and value need at least 2 dims [..., length, features], got ${shapes}`);
  const [queryLength, depth] = query.shape.slice(-2) as [number, number];
  const keyLength = key.shape[key.ndim - 2]!;
  if (key.shape[key.ndim - 1] !== depth) throw new Error(`${op}: query and key must have the same last dim (features), got ${shapes}`);
  if (value.shape[value.ndim - 2] !== keyLength) throw new Error(`${op}: key and value must have the same length (dim -2), got ${shapes}`);
  if (!(dropoutP >= 0 && dropoutP <= 1)) throw new Error(`${op}: dropoutP must be a probability between 0 and 1, got ${dropoutP}`);
  if (isCausal && attnMask !== null) throw new Error(`${op}: give either attnMask or isCausal, not both (isCausal builds its own mask)`);

  let additiveMask: Tensor | null = null;
  if (isCausal) additiveMask = blockedToAdditive(causalMask(queryLength, keyLength).logicalNot(), query.dtype);
  if (attnMask !== null) {
    checkMaskDType(op, "attnMask", attnMask);
    const scoresShape = [...broadcastShapes(op, query.shape.slice(0, -2), key.shape.slice(0, -2)), queryLength, keyLength];
    if (!broadcastsTo(attnMask.shape, scoresShape)) {
      throw new Error(`${op}: attnMask ${formatShape(attnMask.shape)} does not broadcast to the scores' shape ${formatShape(scoresShape)} [..., L, S]`);
    }
    additiveMask = attnMask.dtype === "bool" ? blockedToAdditive(attnMask.logicalNot(), query.dtype) : attnMask;
  }
  return attend(query, key, value, additiveMask, scale ?? 1 / Math.sqrt(depth), dropoutP, generator).output;
}

/** Whether a tensor of `shape` can be broadcast to exactly `target`. */
function broadcastsTo(shape: readonly number[], target: readonly number[]): boolean {
  if (shape.length > target.length) return false;
  return shape.every((size, i) => size === 1 || size === target[target.length - shape.length + i]);
}

// ---- multi-head attention ---------------------------------------------------------

/** The learned matrices of multi-head attention (the fields of nn.MultiheadAttention). */
export interface MultiHeadAttentionWeights {
  numHeads: number;
  /** [3E, E]: the query, key and value projections stacked (when key and value have E features). */
  inProjWeight?: Tensor | null;
  /** Separate projections, when key or value have other sizes: [E, E], [E, kdim], [E, vdim]. */
  qProjWeight?: Tensor | null;
  kProjWeight?: Tensor | null;
  vProjWeight?: Tensor | null;
  /** [3E]: the biases of the three projections, or null. */
  inProjBias?: Tensor | null;
  /** [E, E] and [E]: the output projection. */
  outProjWeight: Tensor;
  outProjBias?: Tensor | null;
}

export interface MultiHeadAttentionOptions {
  /** [N, S] (or [S] unbatched): True (or −∞ when float) for keys to ignore, such as padding. */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights too (default true). */
  needWeights?: boolean;
  /** [L, S] or [N·numHeads, L, S]. Bool: True where attention is NOT allowed. Float: added to the scores. */
  attnMask?: Tensor | null;
  /** Average the returned weights over the heads (default true), else return them per head. */
  averageAttnWeights?: boolean;
  /** Without attnMask: let query i see keys 0..i only. With attnMask: a hint that it is causal (it is used as given). */
  isCausal?: boolean;
  /** Dropout probability on the attention weights, in training only (default 0). */
  dropoutP?: number;
  /** Training mode: whether dropout applies (default true, as in F.multi_head_attention_forward). */
  training?: boolean;
  generator?: Generator;
}

/**
 * Multi-head attention on sequence-first inputs, like
 * torch.nn.functional.multi_head_attention_forward (PyTorch 1.13's masks):
 * query [L, N, E], key [S, N, kdim], value [S, N, vdim], or unbatched
 * [L, E], [S, kdim], [S, vdim]. Returns [output [L, N, E], weights] where the
 * weights are [N, L, S] averaged over heads, [N, numHeads, L, S] per head, or
 * null when needWeights is false (unbatched: without the N dim).
 */
export function multiHeadAttentionForward(
  query: Tensor, key: Tensor, value: Tensor, weights: MultiHeadAttentionWeights, options: MultiHeadAttentionOptions = {},
): [Tensor, Tensor | null] {
  return multiHeadAttention("multiHeadAttentionForward", query, key, value, weights, options);
}

/** multiHeadAttentionForward, reporting errors under the name `op` (the layer's, when a layer calls it). */
export function multiHeadAttention(
  op: string, query: Tensor, key: Tensor, value: Tensor, weights: MultiHeadAttentionWeights, options: MultiHeadAttentionOptions = {},
): [Tensor, Tensor | null] {
  const { needWeights = true, averageAttnWeights = true, isCausal = false, dropoutP = 0, training = true, generator = defaultGenerator } = options;
  const batched = checkRanks(op, query, key, value, options);
  // Work batch-first and batched: [N, L, E], [N, S, kdim], [N, S, vdim].
  const [q, k, v] = [query, key, value].map((t) => (batched ? t.transpose(0, 1) : t.unsqueeze(0))) as [Tensor, Tensor, Tensor];
  const [batch, queryLength, embedDim] = q.shape as [number, number, number];
  const keyLength = k.shape[1]!;
  const { numHeads, outProjWeight } = weights;
  if (outProjWeight.ndim !== 2 || outProjWeight.shape[0] !== outProjWeight.shape[1]) {
    throw new Error(`${op}: out_proj_weight must be a square [E, E] matrix, got ${formatShape(outProjWeight.shape)}`);
  }
  if (embedDim !== outProjWeight.shape[0]) {
    throw new Error(`${op}: query ${formatShape(query.shape)} has ${embedDim} features in its last dim, expected embed_dim=${outProjWeight.shape[0]}`);
  }
  if (!Number.isInteger(numHeads) || numHeads < 1 || embedDim % numHeads !== 0) {
    throw new Error(`${op}: the embedding size ${embedDim} must be divisible by numHeads, got numHeads=${numHeads}`);
  }
  if (k.shape[0] !== v.shape[0] || k.shape[1] !== v.shape[1]) {
    throw new Error(`${op}: key ${formatShape(key.shape)} and value ${formatShape(value.shape)} must have the same length and batch size`);
  }
  if (v.shape[0] !== batch) {
    throw new Error(`${op}: query ${formatShape(query.shape)} and key ${formatShape(key.shape)} have different batch sizes`);
  }

  // Project, then split E into numHeads heads of headDim features: [N, heads, length, headDim].
  const [wq, wk, wv] = projectionWeights(op, weights, embedDim, k.shape[2]!, v.shape[2]!);
  const [bq, bk, bv] = projectionBiases(op, weights.inProjBias ?? null, embedDim);
  const headDim = embedDim / numHeads;
  const heads = (x: Tensor) => x.reshape([batch, x.shape[1]!, numHeads, headDim]).transpose(1, 2);
  const qHeads = heads(linear(q, wq, bq));
  const kHeads = heads(linear(k, wk, bk));
  const vHeads = heads(linear(v, wv, bv));

  const mask = combinedMask(op, options, { batch, numHeads, queryLength, keyLength, batched }, q.dtype, isCausal);
  const attended = attend(qHeads, kHeads, vHeads, mask, 1 / Math.sqrt(headDim), training ? dropoutP : 0, generator);

  // Put the heads side by side again, [N, L, E], and mix them with the output projection.
  const merged = attended.output.transpose(1, 2).reshape([batch, queryLength, embedDim]);
  const output = linear(merged, outProjWeight, weights.outProjBias ?? null);
  let attentionWeights: Tensor | null = null;
  if (needWeights) {
    attentionWeights = averageAttnWeights ? attended.weights.mean(1) : attended.weights;
    if (!batched) attentionWeights = attentionWeights.squeeze(0);
  }
  return [batched ? output.transpose(0, 1) : output.squeeze(0), attentionWeights];
}

/** Checks the ranks of inputs and masks; returns whether the call is batched (3-D query). */
function checkRanks(op: string, query: Tensor, key: Tensor, value: Tensor, options: MultiHeadAttentionOptions): boolean {
  if (query.ndim !== 2 && query.ndim !== 3) {
    throw new Error(`${op}: query must be 3-D (batched) or 2-D (unbatched), got shape ${formatShape(query.shape)}`);
  }
  const batched = query.ndim === 3;
  const kind = batched ? "batched (3-D)" : "unbatched (2-D)";
  if (key.ndim !== query.ndim || value.ndim !== query.ndim) {
    throw new Error(`${op}: for a ${kind} query ${formatShape(query.shape)}, key and value must be ${query.ndim}-D too, ` +
      `got key ${formatShape(key.shape)} and value ${formatShape(value.shape)}`);
  }
  const padding = options.keyPaddingMask ?? null;
  if (padding !== null && padding.ndim !== query.ndim - 1) {
    throw new Error(`${op}: for a ${kind} query, keyPaddingMask must be ${query.ndim - 1}-D [${batched ? "N, " : ""}S], got ${formatShape(padding.shape)}`);
  }
  return batched;
}

/** The q, k, v projection matrices, from the stacked in_proj_weight or the three separate ones, with their shapes checked. */
function projectionWeights(op: string, weights: MultiHeadAttentionWeights, embedDim: number, kdim: number, vdim: number): [Tensor, Tensor, Tensor] {
  const expect = (name: string, w: Tensor, shape: number[], why: string) => {
    if (formatShape(w.shape) !== formatShape(shape)) throw new Error(`${op}: ${name} is ${formatShape(w.shape)}, expected ${formatShape(shape)} (${why})`);
  };
  if (weights.inProjWeight != null) {
    expect("in_proj_weight", weights.inProjWeight, [3 * embedDim, embedDim], "3·E rows for q, k, v; E = the query's features");
    if (kdim !== embedDim || vdim !== embedDim) {
      throw new Error(`${op}: key and value must have E=${embedDim} features to use in_proj_weight, got kdim=${kdim} and vdim=${vdim} ` +
        `(separate q/k/v projection weights handle other sizes)`);
    }
    return weights.inProjWeight.chunk(3, 0) as [Tensor, Tensor, Tensor];
  }
  const { qProjWeight, kProjWeight, vProjWeight } = weights;
  if (qProjWeight == null || kProjWeight == null || vProjWeight == null) {
    throw new Error(`${op}: give either inProjWeight or all of qProjWeight, kProjWeight and vProjWeight`);
  }
  expect("q_proj_weight", qProjWeight, [embedDim, embedDim], "[E, E], E = the query's features");
  expect("k_proj_weight", kProjWeight, [embedDim, kdim], `[E, kdim], kdim = the key's ${kdim} features`);
  expect("v_proj_weight", vProjWeight, [embedDim, vdim], `[E, vdim], vdim = the value's ${vdim} features`);
  return [qProjWeight, kProjWeight, vProjWeight];
}

/** The q, k, v parts of in_proj_bias [3E], or three nulls. */
function projectionBiases(op: string, bias: Tensor | null, embedDim: number): [Tensor | null, Tensor | null, Tensor | null] {
  if (bias === null) return [null, null, null];
  if (formatShape(bias.shape) !== formatShape([3 * embedDim])) {
    throw new Error(`${op}: in_proj_bias is ${formatShape(bias.shape)}, expected ${formatShape([3 * embedDim])} (3·E values for q, k, v)`);
  }
  return bias.chunk(3, 0) as [Tensor, Tensor, Tensor];
}

interface AttentionSizes {
  batch: number;
  numHeads: number;
  queryLength: number;
  keyLength: number;
  batched: boolean;
}

/**
 * attnMask and keyPaddingMask (bool True = blocked, float = added) as one
 * additive mask that broadcasts to the scores [N, heads, L, S], or null.
 */
function combinedMask(op: string, options: MultiHeadAttentionOptions, sizes: AttentionSizes, dtype: DType, isCausal: boolean): Tensor | null {
  const { batch, numHeads, queryLength: L, keyLength: S, batched } = sizes;
  const additive = (mask: Tensor) => (mask.dtype === "bool" ? blockedToAdditive(mask, dtype) : mask);
  let mask: Tensor | null = null;

  const attnMask = options.attnMask ?? null;
  if (attnMask !== null) {
    checkMaskDType(op, "attnMask", attnMask);
    if (attnMask.ndim === 2) {
      if (attnMask.shape[0] !== L || attnMask.shape[1] !== S) {
        throw new Error(`${op}: the 2-D attnMask is ${formatShape(attnMask.shape)}, but should be [L, S] = ${formatShape([L, S])}`);
      }
      mask = additive(attnMask); // [L, S] broadcasts over batch and heads
    } else if (attnMask.ndim === 3) {
      const expected = [batch * numHeads, L, S];
      if (formatShape(attnMask.shape) !== formatShape(expected)) {
        throw new Error(`${op}: the 3-D attnMask is ${formatShape(attnMask.shape)}, but should be [N·numHeads, L, S] = ${formatShape(expected)}`);
      }
      mask = additive(attnMask).reshape([batch, numHeads, L, S]); // row b·numHeads + h is batch b, head h
    } else {
      throw new Error(`${op}: attnMask must be 2-D [L, S] or 3-D [N·numHeads, L, S], got ${formatShape(attnMask.shape)}`);
    }
  } else if (isCausal) {
    mask = blockedToAdditive(causalMask(L, S).logicalNot(), dtype);
  }

  const padding = options.keyPaddingMask ?? null;
  if (padding !== null) {
    checkMaskDType(op, "keyPaddingMask", padding);
    const expected = batched ? [batch, S] : [S];
    if (formatShape(padding.shape) !== formatShape(expected)) {
      throw new Error(`${op}: keyPaddingMask is ${formatShape(padding.shape)}, but should be ${batched ? "[N, S]" : "[S]"} = ${formatShape(expected)}`);
    }
    const paddingMask = additive(padding).reshape([batch, 1, 1, S]); // the same keys are hidden from every head and query
    mask = mask === null ? paddingMask : mask.add(paddingMask);
  }
  return mask;
}

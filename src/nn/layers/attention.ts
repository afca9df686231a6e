// Multi-head attention, like torch.nn.MultiheadAttention (PyTorch 1.13).
//
// Each of numHeads heads projects the queries, keys and values into its own
// headDim = embedDim / numHeads features and attends there; the heads' results
// are put side by side and mixed by an output projection:
//
//   head_h = softmax(Q W_q,hᵀ (K W_k,hᵀ)ᵀ / √headDim + mask) V W_v,hᵀ
//   output = [head_1, …, head_H] W_outᵀ + b_out

import { zeros } from "../../core/creation.ts";
import type { DType } from "../../core/dtype.ts";
import type { Tensor } from "../../core/tensor.ts";
import { multiHeadAttention, type MultiHeadAttentionOptions } from "../functional/attention.ts";
import { constant_, xavierUniform_ } from "../init.ts";
import { Module } from "../module.ts";
import { Parameter } from "../parameter.ts";
import { Linear } from "./linear.ts";

export interface MultiheadAttentionOptions {
  /** Dropout probability on the attention weights, in training mode (default 0). */
  dropout?: number;
  /** Whether the input and output projections learn biases (default true). */
  bias?: boolean;
  /** Inputs and output as [batch, length, features] instead of [length, batch, features] (default false). */
  batchFirst?: boolean;
  /** Features of the key (default embedDim). */
  kdim?: number;
  /** Features of the value (default embedDim). */
  vdim?: number;
  dtype?: DType;
}

/** The options of MultiheadAttention.forward (PyTorch's keyword arguments). */
export type MultiheadAttentionForwardOptions = Pick<
  MultiHeadAttentionOptions, "keyPaddingMask" | "needWeights" | "attnMask" | "averageAttnWeights" | "isCausal"
>;

/**
 * Parameters as in PyTorch 1.13: `in_proj_weight` [3E, E] holding W_q, W_k, W_v
 * stacked (xavier-uniform), or, when kdim or vdim differ from E,
 * `q_proj_weight` [E, E], `k_proj_weight` [E, kdim], `v_proj_weight` [E, vdim];
 * `in_proj_bias` [3E] (zeros); `out_proj` a Linear(E, E) (bias zeros).
 *
 * forward(query, key, value, options) with query [L, N, E], key [S, N, kdim],
 * value [S, N, vdim] (batchFirst: [N, L, E] …; unbatched: [L, E] …) returns
 * [output [L, N, E], weights [N, L, S] (averaged over heads) or
 * [N, numHeads, L, S], or null when needWeights is false].
 * Masks: a bool attnMask or keyPaddingMask is True where attention is NOT
 * allowed; a float mask is added to the scores.
 */
export class MultiheadAttention extends Module {
  in_proj_weight: Parameter | null;
  q_proj_weight: Parameter | null;
  k_proj_weight: Parameter | null;
  v_proj_weight: Parameter | null;
  in_proj_bias: Parameter | null;
  out_proj: Linear;
  readonly dropout: number;
  readonly batchFirst: boolean;
  readonly kdim: number;
  readonly vdim: number;
  readonly headDim: number;

  constructor(readonly embedDim: number, readonly numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    const { dropout = 0, bias = true, batchFirst = false, kdim = embedDim, vdim = embedDim, dtype = "float32" } = options;
    for (const [name, value] of Object.entries({ embedDim, numHeads, kdim, vdim })) {
      if (!Number.isInteger(value) || value < 1) throw new Error(`MultiheadAttention: ${name} must be a positive integer, got ${value}`);
    }
    if (embedDim % numHeads !== 0) throw new Error(`MultiheadAttention: embedDim (${embedDim}) must be divisible by numHeads (${numHeads})`);
    if (!(dropout >= 0 && dropout <= 1)) throw new Error(`MultiheadAttention: dropout must be a probability between 0 and 1, got ${dropout}`);
    this.dropout = dropout;
    this.batchFirst = batchFirst;
    this.kdim = kdim;
    this.vdim = vdim;
    this.headDim = embedDim / numHeads;

    const parameter = (shape: number[]) => new Parameter(zeros(shape, { dtype }));
    const sameSizes = kdim === embedDim && vdim === embedDim;
    this.in_proj_weight = sameSizes ? parameter([3 * embedDim, embedDim]) : null;
    this.q_proj_weight = sameSizes ? null : parameter([embedDim, embedDim]);
    this.k_proj_weight = sameSizes ? null : parameter([embedDim, kdim]);
    this.v_proj_weight = sameSizes ? null : parameter([embedDim, vdim]);
    this.in_proj_bias = bias ? parameter([3 * embedDim]) : null;
    this.out_proj = new Linear(embedDim, embedDim, { bias, dtype });
    this.resetParameters();
  }

  /** PyTorch's initialisation: xavier-uniform projections, zero biases (out_proj.weight keeps Linear's default). */
  resetParameters(): void {
    for (const weight of [this.in_proj_weight, this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) {
      if (weight !== null) xavierUniform_(weight);
    }
    if (this.in_proj_bias !== null) constant_(this.in_proj_bias, 0);
    if (this.out_proj.bias !== null) constant_(this.out_proj.bias, 0);
  }

  forward(query: Tensor, key: Tensor, value: Tensor, options: MultiheadAttentionForwardOptions = {}): [Tensor, Tensor | null] {
    // The computation is sequence-first; batchFirst only swaps the first two dims of batched inputs and output.
    const swap = this.batchFirst && query.ndim === 3;
    const [q, k, v] = swap ? [query, key, value].map((t) => t.transpose(0, 1)) as [Tensor, Tensor, Tensor] : [query, key, value];
    const [output, weights] = multiHeadAttention("MultiheadAttention", q, k, v, {
      numHeads: this.numHeads,
      inProjWeight: this.in_proj_weight,
      qProjWeight: this.q_proj_weight,
      kProjWeight: this.k_proj_weight,
      vProjWeight: this.v_proj_weight,
      inProjBias: this.in_proj_bias,
      outProjWeight: this.out_proj.weight,
      outProjBias: this.out_proj.bias,
    }, { ...options, dropoutP: this.dropout, training: this.training });
    return [swap ? output.transpose(0, 1) : output, weights];
  }

  override extraRepr(): string {
    const parts = [`embed_dim=${this.embedDim}`, `num_heads=${this.numHeads}`];
    if (this.kdim !== this.embedDim) parts.push(`kdim=${this.kdim}`);
    if (this.vdim !== this.embedDim) parts.push(`vdim=${this.vdim}`);
    if (this.dropout !== 0) parts.push(`dropout=${this.dropout}`);
    if (this.batchFirst) parts.push("batch_first=True");
    return parts.join(", ");
  }
}

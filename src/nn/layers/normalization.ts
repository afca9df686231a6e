// Normalization layers: BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm.
//
// Each learns a per-feature scale `weight` (starting at 1) and shift `bias`
// (starting at 0) applied after normalizing. BatchNorm also keeps buffers:
// running averages of the batches' means and variances, which replace the
// batch's statistics in evaluation mode (model.eval()), so that a single
// example gives the same answer whatever batch it came in.

import { ones, scalarTensor, zeros } from "../../core/creation.ts";
import type { DType } from "../../core/dtype.ts";
import { noGrad } from "../../core/grad-mode.ts";
import { formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { batchNorm, groupNorm, layerNorm } from "../functional/normalization.ts";
import { ones_, zeros_ } from "../init.ts";
import { Module } from "../module.ts";
import { Parameter } from "../parameter.ts";
import { pythonFloat, pythonValue } from "./repr.ts";

// ---- batch norm -------------------------------------------------------------------------------

export interface BatchNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Weight of each new batch in the running averages (default 0.1); null averages all batches so far equally. */
  momentum?: number | null;
  /** Learn weight and bias (default true). */
  affine?: boolean;
  /** Keep running statistics for evaluation (default true); without them evaluation uses the batch's statistics too. */
  trackRunningStats?: boolean;
  dtype?: DType;
}

/**
 * What BatchNorm1d and BatchNorm2d share (PyTorch's _BatchNorm). Buffers:
 * running_mean (zeros), running_var (ones) and num_batches_tracked, an int32
 * scalar counting training batches (PyTorch's is int64).
 */
abstract class BatchNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  declare running_mean: Tensor | null;
  declare running_var: Tensor | null;
  declare num_batches_tracked: Tensor | null;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;

  constructor(readonly numFeatures: number, options: BatchNormOptions = {}) {
    super();
    const { eps = 1e-5, momentum = 0.1, affine = true, trackRunningStats = true, dtype = "float32" } = options;
    if (!Number.isInteger(numFeatures) || numFeatures <= 0) {
      throw new Error(`${this.constructor.name}: numFeatures must be a positive integer, got ${numFeatures}`);
    }
    this.eps = eps;
    this.momentum = momentum;
    this.affine = affine;
    this.trackRunningStats = trackRunningStats;
    this.weight = affine ? new Parameter(ones([numFeatures], { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numFeatures], { dtype })) : null;
    this.registerBuffer("running_mean", trackRunningStats ? zeros([numFeatures], { dtype }) : null);
    this.registerBuffer("running_var", trackRunningStats ? ones([numFeatures], { dtype }) : null);
    this.registerBuffer("num_batches_tracked", trackRunningStats ? scalarTensor(0, "int32") : null);
  }

  /** Running statistics back to mean 0, variance 1, no batches seen. */
  resetRunningStats(): void {
    noGrad(() => {
      this.running_mean?.zero_();
      this.running_var?.fill_(1);
      this.num_batches_tracked?.zero_();
    });
  }

  /** PyTorch's initialisation: weight 1, bias 0, and fresh running statistics. */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight !== null) ones_(this.weight);
    if (this.bias !== null) zeros_(this.bias);
  }

  /** The ranks this layer accepts, e.g. "2-D [N, C] or 3-D [N, C, L]". */
  protected abstract checkRank(input: Tensor): void;

  forward(input: Tensor): Tensor {
    this.checkRank(input);
    if (input.shape[1] !== this.numFeatures) {
      throw new Error(`${this.constructor.name}: the input ${formatShape(input.shape)} has ${input.shape[1]} channels (dim 1), ` +
        `expected num_features=${this.numFeatures}`);
    }
    // momentum null: the running averages weigh every batch so far equally, 1/(batches seen).
    let momentum = this.momentum ?? 0;
    if (this.training && this.num_batches_tracked !== null) {
      noGrad(() => this.num_batches_tracked!.add_(1));
      momentum = this.momentum ?? 1 / this.num_batches_tracked.item();
    }
    // Without running statistics, evaluation normalizes with the batch's own.
    const useBatchStats = this.training || this.running_mean === null;
    return batchNorm(input, this.running_mean, this.running_var, this.weight, this.bias, { training: useBatchStats, momentum, eps: this.eps });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${pythonFloat(this.eps)}, momentum=${this.momentum === null ? "None" : pythonFloat(this.momentum)}, ` +
      `affine=${pythonValue(this.affine)}, track_running_stats=${pythonValue(this.trackRunningStats)}`;
  }
}

/**
 * Batch normalization of [N, C] or [N, C, L], like torch.nn.BatchNorm1d: each
 * channel is normalized over the batch (and L), then y · weight + bias.
 */
export class BatchNorm1d extends BatchNorm {
  protected checkRank(input: Tensor): void {
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new Error(`BatchNorm1d: expected a 2-D [N, C] or 3-D [N, C, L] input, got shape ${formatShape(input.shape)} (${input.ndim}-D)`);
    }
  }
}

/**
 * Batch normalization of images [N, C, H, W], like torch.nn.BatchNorm2d: each
 * channel is normalized over the batch and the positions, then y · weight + bias.
 */
export class BatchNorm2d extends BatchNorm {
  protected checkRank(input: Tensor): void {
    if (input.ndim !== 4) {
      throw new Error(`BatchNorm2d: expected a 4-D [N, C, H, W] input, got shape ${formatShape(input.shape)} (${input.ndim}-D)`);
    }
  }
}

// ---- layer norm -----------------------------------------------------------------------------

export interface LayerNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Learn weight and bias of shape normalizedShape (default true). */
  elementwiseAffine?: boolean;
  dtype?: DType;
}

/**
 * Layer normalization, like torch.nn.LayerNorm: each sample is normalized
 * over its last dims (normalizedShape), then y · weight + bias elementwise.
 */
export class LayerNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly normalizedShape: number[];
  readonly eps: number;
  readonly elementwiseAffine: boolean;

  constructor(normalizedShape: number | readonly number[], { eps = 1e-5, elementwiseAffine = true, dtype = "float32" }: LayerNormOptions = {}) {
    super();
    const shape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
    if (shape.length === 0 || shape.some((s) => !Number.isInteger(s) || s <= 0)) {
      throw new Error(`LayerNorm: normalizedShape must be a positive integer or a non-empty list of them, got ${JSON.stringify(normalizedShape)}`);
    }
    this.normalizedShape = shape;
    this.eps = eps;
    this.elementwiseAffine = elementwiseAffine;
    this.weight = elementwiseAffine ? new Parameter(ones(shape, { dtype })) : null;
    this.bias = elementwiseAffine ? new Parameter(zeros(shape, { dtype })) : null;
  }

  forward(input: Tensor): Tensor {
    return layerNorm(input, this.normalizedShape, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${pythonValue(this.normalizedShape)}, eps=${pythonFloat(this.eps)}, elementwise_affine=${pythonValue(this.elementwiseAffine)}`;
  }
}

// ---- group norm -----------------------------------------------------------------------------

export interface GroupNormOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Learn a per-channel weight and bias (default true). */
  affine?: boolean;
  dtype?: DType;
}

/**
 * Group normalization, like torch.nn.GroupNorm: the channels of [N, C, *]
 * split into numGroups groups; each sample's group is normalized, then
 * y · weight + bias per channel.
 */
export class GroupNorm extends Module {
  weight: Parameter | null;
  bias: Parameter | null;
  readonly eps: number;
  readonly affine: boolean;

  constructor(readonly numGroups: number, readonly numChannels: number, { eps = 1e-5, affine = true, dtype = "float32" }: GroupNormOptions = {}) {
    super();
    if (!Number.isInteger(numGroups) || !Number.isInteger(numChannels) || numGroups <= 0 || numChannels <= 0 || numChannels % numGroups !== 0) {
      throw new Error(`GroupNorm: numChannels = ${numChannels} must be divisible by numGroups = ${numGroups} (both positive integers)`);
    }
    this.eps = eps;
    this.affine = affine;
    this.weight = affine ? new Parameter(ones([numChannels], { dtype })) : null;
    this.bias = affine ? new Parameter(zeros([numChannels], { dtype })) : null;
  }

  forward(input: Tensor): Tensor {
    if (input.ndim < 2 || input.shape[1] !== this.numChannels) {
      throw new Error(`GroupNorm: expected an input [N, ${this.numChannels}, *] (num_channels=${this.numChannels} in dim 1), ` +
        `got shape ${formatShape(input.shape)}`);
    }
    return groupNorm(input, this.numGroups, this.weight, this.bias, this.eps);
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pythonFloat(this.eps)}, affine=${pythonValue(this.affine)}`;
  }
}

// Fully connected layers, and the small layers that reshape what flows between them.

import { zeros } from "../../core/creation.ts";
import type { DType } from "../../core/dtype.ts";
import { formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";
import { bilinear } from "../functional/bilinear.ts";
import { linear } from "../functional/linear.ts";
import { kaimingUniform_, uniform_ } from "../init.ts";
import { Module } from "../module.ts";
import { Parameter } from "../parameter.ts";
import { pythonBool, pythonTuple } from "./repr.ts";

export interface LinearOptions {
  /** Whether to learn an additive bias (default true). */
  bias?: boolean;
  dtype?: DType;
}

/**
 * y = x Wᵀ + b, like torch.nn.Linear: weight [out_features, in_features],
 * bias [out_features]. Both start uniform in ±1/√in_features (PyTorch's
 * kaiming_uniform_ with a = √5, which works out to that bound).
 */
export class Linear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, { bias = true, dtype = "float32" }: LinearOptions = {}) {
    super();
    checkFeatures("Linear", { inFeatures, outFeatures });
    this.weight = new Parameter(zeros([outFeatures, inFeatures], { dtype }));
    this.bias = bias ? new Parameter(zeros([outFeatures], { dtype })) : null;
    this.resetParameters();
  }

  /** PyTorch's default initialisation. */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const bound = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  forward(input: Tensor): Tensor {
    return linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pythonBool(this.bias !== null)}`;
  }
}

/** Feature counts must be non-negative integers. */
export function checkFeatures(layer: string, counts: Record<string, number>): void {
  for (const [name, value] of Object.entries(counts)) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`${layer}: ${name} must be a non-negative integer, got ${value}`);
  }
}

/**
 * y_k = x1ᵀ W_k x2 + b_k, like torch.nn.Bilinear: weight [out_features,
 * in1_features, in2_features], bias [out_features], both uniform in
 * ±1/√in1_features as in PyTorch.
 */
export class Bilinear extends Module {
  weight: Parameter;
  bias: Parameter | null;

  constructor(
    readonly in1Features: number, readonly in2Features: number, readonly outFeatures: number,
    { bias = true, dtype = "float32" }: LinearOptions = {},
  ) {
    super();
    checkFeatures("Bilinear", { in1Features, in2Features, outFeatures });
    this.weight = new Parameter(zeros([outFeatures, in1Features, in2Features], { dtype }));
    this.bias = bias ? new Parameter(zeros([outFeatures], { dtype })) : null;
    this.resetParameters();
  }

  /** PyTorch's default initialisation: weight and bias U(±1/√in1_features). */
  resetParameters(): void {
    const bound = this.in1Features > 0 ? 1 / Math.sqrt(this.in1Features) : 0;
    uniform_(this.weight, -bound, bound);
    if (this.bias !== null) uniform_(this.bias, -bound, bound);
  }

  forward(input1: Tensor, input2: Tensor): Tensor {
    return bilinear(input1, input2, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in1_features=${this.in1Features}, in2_features=${this.in2Features}, out_features=${this.outFeatures}, ` +
      `bias=${pythonBool(this.bias !== null)}`;
  }
}

/** y = x: a placeholder where a layer is optional, like torch.nn.Identity. */
export class Identity extends Module {
  forward(input: Tensor): Tensor {
    return input;
  }
}

/**
 * Merges dims startDim..endDim into one, like torch.nn.Flatten. The defaults
 * (1, −1) keep the batch dim: [N, C, H, W] → [N, C·H·W], what sits between
 * the convolutions and the fully connected layers.
 */
export class Flatten extends Module {
  constructor(readonly startDim = 1, readonly endDim = -1) {
    super();
  }

  forward(input: Tensor): Tensor {
    return input.flatten(this.startDim, this.endDim);
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}

/**
 * Splits dim `dim` into the sizes `unflattenedSize` (one of them may be −1,
 * worked out from the others), like torch.nn.Unflatten: Unflatten(1, [C, H, W])
 * undoes Flatten() on an [N, C, H, W] batch.
 */
export class Unflatten extends Module {
  readonly unflattenedSize: number[];

  constructor(readonly dim: number, unflattenedSize: readonly number[]) {
    super();
    if (!Number.isInteger(dim)) throw new Error(`Unflatten: dim must be an integer, got ${dim}`);
    const sizes = [...unflattenedSize];
    if (sizes.length === 0 || sizes.some((s) => !Number.isInteger(s) || s < -1) || sizes.filter((s) => s === -1).length > 1) {
      throw new Error(`Unflatten: unflattenedSize must be a non-empty list of non-negative integers with at most one -1, ` +
        `got ${JSON.stringify(unflattenedSize)}`);
    }
    this.unflattenedSize = sizes;
  }

  forward(input: Tensor): Tensor {
    const dim = this.dim < 0 ? this.dim + input.ndim : this.dim;
    if (dim < 0 || dim >= input.ndim) {
      throw new Error(`Unflatten: dim ${this.dim} is out of range for an input of shape ${formatShape(input.shape)} (${input.ndim} dims)`);
    }
    const size = input.shape[dim]!;
    const known = this.unflattenedSize.filter((s) => s !== -1).reduce((a, b) => a * b, 1);
    const inferred = this.unflattenedSize.includes(-1);
    if (inferred ? known === 0 || size % known !== 0 : known !== size) {
      throw new Error(`Unflatten: cannot split dim ${dim} of size ${size} (input ${formatShape(input.shape)}) into ` +
        `${formatShape(this.unflattenedSize)}: the sizes must multiply to ${size}`);
    }
    const sizes = this.unflattenedSize.map((s) => (s === -1 ? size / known : s));
    return input.reshape([...input.shape.slice(0, dim), ...sizes, ...input.shape.slice(dim + 1)]);
  }

  override extraRepr(): string {
    return `dim=${this.dim}, unflattened_size=${pythonTuple(this.unflattenedSize)}`;
  }
}

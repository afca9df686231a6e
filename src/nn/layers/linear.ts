// Fully connected layers.

import { zeros } from "../../core/creation.ts";
import type { DType } from "../../core/dtype.ts";
import type { Tensor } from "../../core/tensor.ts";
import { linear } from "../functional/linear.ts";
import { kaimingUniform_, uniform_ } from "../init.ts";
import { Module } from "../module.ts";
import { Parameter } from "../parameter.ts";

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
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${this.bias !== null ? "True" : "False"}`;
  }
}

/** Feature counts must be non-negative integers. */
export function checkFeatures(layer: string, counts: Record<string, number>): void {
  for (const [name, value] of Object.entries(counts)) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`${layer}: ${name} must be a non-negative integer, got ${value}`);
  }
}

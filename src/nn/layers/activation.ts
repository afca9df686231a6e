// Activation layers: each one a module around an elementwise core op (or
// softmax), so that a model can list its non-linearities in a Sequential.
// They have no parameters; the options they hold are printed as PyTorch prints them.

import { elu, gelu, hardtanh, leakyRelu, relu, silu, softplus } from "../../core/ops/activation.ts";
import { logSoftmax, softmax } from "../../core/ops/softmax.ts";
import { sigmoid, tanh } from "../../core/ops/unary.ts";
import type { Tensor } from "../../core/tensor.ts";
import { Module } from "../module.ts";
import { pythonFloat } from "./repr.ts";

/** y = max(x, 0), like torch.nn.ReLU. */
export class ReLU extends Module {
  forward(input: Tensor): Tensor {
    return relu(input);
  }
}

export interface GELUOptions {
  /** "none" (default): x·Φ(x) exactly; "tanh": the tanh approximation used by GPT-2. */
  approximate?: "none" | "tanh";
}

/** y = x·Φ(x), Φ the standard normal CDF, like torch.nn.GELU. */
export class GELU extends Module {
  readonly approximate: "none" | "tanh";

  constructor({ approximate = "none" }: GELUOptions = {}) {
    super();
    if (approximate !== "none" && approximate !== "tanh") {
      throw new Error(`GELU: approximate must be "none" or "tanh", got ${JSON.stringify(approximate)}`);
    }
    this.approximate = approximate;
  }

  forward(input: Tensor): Tensor {
    return gelu(input, { approximate: this.approximate });
  }

  override extraRepr(): string {
    return `approximate='${this.approximate}'`;
  }
}

/** y = x·σ(x) (also called swish), like torch.nn.SiLU. */
export class SiLU extends Module {
  forward(input: Tensor): Tensor {
    return silu(input);
  }
}

/** y = tanh(x), like torch.nn.Tanh (int32 inputs give float32, as in PyTorch). */
export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return tanh(input);
  }
}

/** y = σ(x) = 1 / (1 + e^(−x)), like torch.nn.Sigmoid (int32 inputs give float32, as in PyTorch). */
export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return sigmoid(input);
  }
}

/**
 * y_i = e^(x_i) / Σ_j e^(x_j) along `dim`, like torch.nn.Softmax. The dim must
 * be given: PyTorch's guess when it is left out is deprecated there.
 */
export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
    checkDim("Softmax", dim);
  }

  forward(input: Tensor): Tensor {
    return softmax(input, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** y = log softmax(x) along `dim`, computed directly so that it stays accurate; like torch.nn.LogSoftmax. */
export class LogSoftmax extends Module {
  constructor(readonly dim: number) {
    super();
    checkDim("LogSoftmax", dim);
  }

  forward(input: Tensor): Tensor {
    return logSoftmax(input, this.dim);
  }

  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** y = x for x > 0, else negativeSlope·x, like torch.nn.LeakyReLU (default slope 0.01). */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
    checkFinite("LeakyReLU", "negativeSlope", negativeSlope);
  }

  forward(input: Tensor): Tensor {
    return leakyRelu(input, this.negativeSlope);
  }

  override extraRepr(): string {
    return `negative_slope=${pythonFloat(this.negativeSlope)}`;
  }
}

/** y = x for x > 0, else α·(e^x − 1), like torch.nn.ELU (default α = 1). */
export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
    checkFinite("ELU", "alpha", alpha);
  }

  forward(input: Tensor): Tensor {
    return elu(input, this.alpha);
  }

  override extraRepr(): string {
    return `alpha=${pythonFloat(this.alpha)}`;
  }
}

export interface SoftplusOptions {
  /** Sharpness: y = ln(1 + e^(βx)) / β (default 1). */
  beta?: number;
  /** Where βx exceeds it, y = x exactly (default 20). */
  threshold?: number;
}

/** y = ln(1 + e^(βx)) / β, a smooth ReLU, like torch.nn.Softplus. */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;

  constructor({ beta = 1, threshold = 20 }: SoftplusOptions = {}) {
    super();
    checkFinite("Softplus", "beta", beta);
    if (beta === 0) throw new Error("Softplus: beta must not be 0 (the formula divides by it)");
    checkFinite("Softplus", "threshold", threshold);
    this.beta = beta;
    this.threshold = threshold;
  }

  forward(input: Tensor): Tensor {
    return softplus(input, { beta: this.beta, threshold: this.threshold });
  }

  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/** y = min(max(x, minVal), maxVal), like torch.nn.Hardtanh (default [−1, 1]). */
export class Hardtanh extends Module {
  constructor(readonly minVal = -1, readonly maxVal = 1) {
    super();
    if (!(maxVal > minVal)) throw new Error(`Hardtanh: maxVal must be greater than minVal, got minVal=${minVal}, maxVal=${maxVal}`);
  }

  forward(input: Tensor): Tensor {
    return hardtanh(input, this.minVal, this.maxVal);
  }

  override extraRepr(): string {
    return `min_val=${pythonFloat(this.minVal)}, max_val=${pythonFloat(this.maxVal)}`;
  }
}

// ---- helpers ----------------------------------------------------------------------

function checkDim(layer: string, dim: number): void {
  if (!Number.isInteger(dim)) {
    throw new Error(`${layer}: dim must be an integer (the dim to normalise over, e.g. new ${layer}(1) for [batch, classes]), got ${dim}`);
  }
}

function checkFinite(layer: string, name: string, value: number): void {
  if (!Number.isFinite(value)) throw new Error(`${layer}: ${name} must be a finite number, got ${value}`);
}

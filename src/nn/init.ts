// Weight initialisation, like torch.nn.init: each function fills a tensor in
// place (outside the graph) and returns it.
//
// Why it matters: a layer with fanIn inputs of variance 1 and weights of
// variance v gives outputs of variance fanIn·v. Xavier (Glorot) and Kaiming
// (He) pick v so that signals keep their size through many layers:
//   xavier:  v = gain² · 2 / (fanIn + fanOut)
//   kaiming: v = gain² / fan        (gain = √2 for ReLU)
// A uniform distribution on [-b, b] has variance b²/3, hence the √3 below.

import { rand, randn, type RandomOptions } from "../core/creation.ts";
import { noGrad } from "../core/grad-mode.ts";
import { formatShape } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";
import { fromValues } from "../core/kernels.ts";
import { defaultGenerator, type Generator } from "../core/random.ts";

export type Nonlinearity =
  | "linear" | "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d" | "conv_transpose3d"
  | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "selu";

export interface InitOptions {
  generator?: Generator;
}

/** The gain to multiply a standard deviation by for this nonlinearity, like torch.nn.init.calculate_gain. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case "linear": case "conv1d": case "conv2d": case "conv3d":
    case "conv_transpose1d": case "conv_transpose2d": case "conv_transpose3d": case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leaky_relu": {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
    default:
      throw new Error(`calculateGain: unknown nonlinearity "${String(nonlinearity)}"`);
  }
}

/**
 * fanIn and fanOut of a weight, PyTorch's convention: dim 1 is the inputs,
 * dim 0 the outputs, and any further dims (a kernel) multiply both.
 */
export function calculateFanInAndFanOut(tensor: Tensor): { fanIn: number; fanOut: number } {
  if (tensor.ndim < 2) {
    throw new Error(`init: fan in and fan out need a tensor of at least 2 dims, got shape ${formatShape(tensor.shape)}`);
  }
  const receptiveField = tensor.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: tensor.shape[1]! * receptiveField, fanOut: tensor.shape[0]! * receptiveField };
}

/** Copies `values` (same shape) into `tensor` without recording a graph. */
function fill(tensor: Tensor, values: Tensor): Tensor {
  noGrad(() => tensor.copy_(values));
  return tensor;
}

function randomOptions(tensor: Tensor, options: InitOptions): RandomOptions {
  return { dtype: tensor.dtype, generator: options.generator ?? defaultGenerator };
}

/** Fills with samples of U(a, b). */
export function uniform_(tensor: Tensor, a = 0, b = 1, options: InitOptions = {}): Tensor {
  if (!(a <= b)) throw new Error(`init.uniform_: need a <= b, got a=${a}, b=${b}`);
  return fill(tensor, rand(tensor.shape, randomOptions(tensor, options)).mul(b - a).add(a));
}

/** Fills with samples of N(mean, std²). */
export function normal_(tensor: Tensor, mean = 0, std = 1, options: InitOptions = {}): Tensor {
  if (!(std >= 0)) throw new Error(`init.normal_: std must be >= 0, got ${std}`);
  return fill(tensor, randn(tensor.shape, randomOptions(tensor, options)).mul(std).add(mean));
}

export function constant_(tensor: Tensor, value: number): Tensor {
  noGrad(() => tensor.fill_(value));
  return tensor;
}

export function zeros_(tensor: Tensor): Tensor {
  return constant_(tensor, 0);
}

export function ones_(tensor: Tensor): Tensor {
  return constant_(tensor, 1);
}

/** Xavier/Glorot uniform: U(-b, b) with b = gain · √(6 / (fanIn + fanOut)). */
export function xavierUniform_(tensor: Tensor, gain = 1, options: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(tensor);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(tensor, -bound, bound, options);
}

/** Xavier/Glorot normal: N(0, σ²) with σ = gain · √(2 / (fanIn + fanOut)). */
export function xavierNormal_(tensor: Tensor, gain = 1, options: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = calculateFanInAndFanOut(tensor);
  return normal_(tensor, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), options);
}

export interface KaimingOptions extends InitOptions {
  /** The negative slope of the leaky ReLU that follows (0 for ReLU). */
  a?: number;
  /** "fan_in" (default) keeps forward signals' variance; "fan_out" keeps gradients'. */
  mode?: "fan_in" | "fan_out";
  nonlinearity?: Nonlinearity;
}

function kaimingStd(tensor: Tensor, { a = 0, mode = "fan_in", nonlinearity = "leaky_relu" }: KaimingOptions): number {
  if (mode !== "fan_in" && mode !== "fan_out") throw new Error(`init.kaiming: mode must be "fan_in" or "fan_out", got "${String(mode)}"`);
  const { fanIn, fanOut } = calculateFanInAndFanOut(tensor);
  return calculateGain(nonlinearity, a) / Math.sqrt(mode === "fan_in" ? fanIn : fanOut);
}

/** Kaiming/He uniform: U(-b, b) with b = √3 · gain / √fan. */
export function kaimingUniform_(tensor: Tensor, options: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(tensor, options);
  return uniform_(tensor, -bound, bound, options);
}

/** Kaiming/He normal: N(0, σ²) with σ = gain / √fan. */
export function kaimingNormal_(tensor: Tensor, options: KaimingOptions = {}): Tensor {
  return normal_(tensor, 0, kaimingStd(tensor, options), options);
}

/**
 * A (semi-)orthogonal matrix: rows (or columns, whichever are fewer) are
 * orthonormal, so the layer preserves lengths. Made by Gram–Schmidt on a
 * Gaussian matrix, which is the Q of its QR decomposition with R's diagonal
 * positive, as PyTorch's orthogonal_ makes it. Dims after the first are flattened.
 */
export function orthogonal_(tensor: Tensor, gain = 1, options: InitOptions = {}): Tensor {
  if (tensor.ndim < 2) throw new Error(`init.orthogonal_: needs at least 2 dims, got shape ${formatShape(tensor.shape)}`);
  const rows = tensor.shape[0]!;
  const cols = tensor.numel() / rows;
  // Orthonormalise the shorter side: columns of a tall matrix, rows of a wide one (as its transpose's columns).
  const tall = rows >= cols;
  const [n, m] = tall ? [rows, cols] : [cols, rows];
  const gaussian = randn([n, m], { dtype: "float64", generator: options.generator ?? defaultGenerator }).toTypedArray();
  const q = gramSchmidtColumns(Float64Array.from(gaussian), n, m);
  let matrix = fromValues(q, [n, m], "float64");
  if (!tall) matrix = matrix.T;
  return fill(tensor, matrix.mul(gain).reshape(tensor.shape).to(tensor.dtype));
}

/** Orthonormalises the m columns of an n×m row-major matrix (n ≥ m) in place, modified Gram–Schmidt. */
function gramSchmidtColumns(a: Float64Array, n: number, m: number): Float64Array {
  for (let j = 0; j < m; j++) {
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += a[i * m + k]! * a[i * m + j]!;
      for (let i = 0; i < n; i++) a[i * m + j]! -= dot * a[i * m + k]!;
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += a[i * m + j]! ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) a[i * m + j]! /= norm;
  }
  return a;
}

// The names without the trailing underscore, as the functions are often written.
export {
  constant_ as constant, kaimingNormal_ as kaimingNormal, kaimingUniform_ as kaimingUniform, normal_ as normal, ones_ as ones,
  orthogonal_ as orthogonal, uniform_ as uniform, xavierNormal_ as xavierNormal, xavierUniform_ as xavierUniform, zeros_ as zeros,
};

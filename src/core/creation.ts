// Making tensors: from data, filled with a constant, ranges, and random draws.
// Random functions take an optional `generator`; without one they use the
// default generator seeded by manualSeed().

import { allocate, castValue, isDType, isFloating, type DType, type TypedArray } from "./dtype.ts";
import { fromValues } from "./kernels.ts";
import { defaultGenerator, type Generator } from "./random.ts";
import { checkShape, formatShape, numel, type Shape } from "./shape.ts";
import { Tensor, type NestedArray } from "./tensor.ts";

export interface TensorOptions {
  dtype?: DType;
  requiresGrad?: boolean;
}

export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

function checkDType(op: string, dtype: unknown): DType {
  if (!isDType(dtype)) throw new Error(`${op}: unknown dtype ${JSON.stringify(dtype)} (expected float32, float64, int32 or bool)`);
  return dtype;
}

function finish(t: Tensor, options: TensorOptions): Tensor {
  if (options.requiresGrad) t.requiresGrad = true;
  return t;
}

/** Shape and flat values of a nested array, checking that it is rectangular. */
function flattenNested(data: NestedArray): { shape: number[]; values: number[]; sawBoolean: boolean; sawNumber: boolean } {
  const shape: number[] = [];
  for (let level: NestedArray = data; Array.isArray(level); level = level[0]!) {
    shape.push(level.length);
    if (level.length === 0) break;
  }
  const values: number[] = [];
  let sawBoolean = false;
  let sawNumber = false;
  const walk = (node: NestedArray, depth: number, path: number[]): void => {
    if (depth === shape.length) {
      if (typeof node === "boolean") {
        sawBoolean = true;
        values.push(node ? 1 : 0);
      } else if (typeof node === "number") {
        sawNumber = true;
        values.push(node);
      } else {
        throw new Error(`tensor: expected a number at index [${path.join(", ")}], got ${Array.isArray(node) ? "an array" : typeof node}: nested arrays must be rectangular`);
      }
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw new Error(`tensor: the nested array is not rectangular: expected length ${shape[depth]} at index [${path.join(", ")}], ` +
        `got ${Array.isArray(node) ? node.length : typeof node}`);
    }
    node.forEach((child, i) => walk(child, depth + 1, [...path, i]));
  };
  walk(data, 0, []);
  return { shape, values, sawBoolean, sawNumber };
}

/**
 * A new tensor from nested arrays, a number, or a typed array with `shape`.
 * Without a dtype: all booleans give bool, anything else float32 (the default
 * dtype; PyTorch would infer int64 from whole numbers, gradschool keeps
 * float32 so that tensor([1, 2]) can require grad; pass { dtype: "int32" } for
 * indices).
 */
export function tensor(data: NestedArray | TypedArray | readonly number[], options: TensorOptions & { shape?: Shape } = {}): Tensor {
  if (ArrayBuffer.isView(data)) {
    const shape = checkShape("tensor", options.shape ?? [data.length]);
    if (numel(shape) !== data.length) {
      throw new Error(`tensor: shape ${formatShape(shape)} needs ${numel(shape)} values, the typed array has ${data.length}`);
    }
    const dtype = checkDType("tensor", options.dtype ?? dtypeOfArray(data));
    const out = allocate(dtype, data.length);
    for (let i = 0; i < data.length; i++) out[i] = castValue(data[i]!, dtype);
    return finish(fromValues(out, shape, dtype), options);
  }
  const { shape, values, sawBoolean, sawNumber } = flattenNested(data as NestedArray);
  const dtype = checkDType("tensor", options.dtype ?? (sawBoolean && !sawNumber ? "bool" : "float32"));
  const out = allocate(dtype, values.length);
  values.forEach((v, i) => (out[i] = castValue(v, dtype)));
  const finalShape = options.shape ? checkShape("tensor", options.shape) : shape;
  if (numel(finalShape) !== values.length) {
    throw new Error(`tensor: shape ${formatShape(finalShape)} needs ${numel(finalShape)} values, the data has ${values.length}`);
  }
  return finish(fromValues(out, finalShape, dtype), options);
}

function dtypeOfArray(data: TypedArray): DType {
  if (data instanceof Float64Array) return "float64";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Uint8Array) return "bool";
  return "float32";
}

/** A 0-dimensional tensor holding one number. */
export function scalarTensor(value: number, dtype: DType = "float32"): Tensor {
  const out = allocate(dtype, 1);
  out[0] = castValue(value, dtype);
  return fromValues(out, [], dtype);
}

export function full(shape: Shape, value: number, options: TensorOptions = {}): Tensor {
  checkShape("full", shape);
  const dtype = checkDType("full", options.dtype ?? (typeof value === "boolean" ? "bool" : "float32"));
  const out = allocate(dtype, numel(shape));
  out.fill(castValue(value, dtype));
  return finish(fromValues(out, shape, dtype), options);
}

export function zeros(shape: Shape, options: TensorOptions = {}): Tensor {
  return full(shape, 0, options);
}

export function ones(shape: Shape, options: TensorOptions = {}): Tensor {
  return full(shape, 1, options);
}

export function fullLike(t: Tensor, value: number, options: TensorOptions = {}): Tensor {
  return full(t.shape, value, { dtype: t.dtype, ...options });
}

export function zerosLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return fullLike(t, 0, options);
}

export function onesLike(t: Tensor, options: TensorOptions = {}): Tensor {
  return fullLike(t, 1, options);
}

/**
 * Values from start (inclusive) to end (exclusive) by step, like torch.arange.
 * arange(5) is [0, 1, 2, 3, 4]. Whole-number arguments give int32 unless a dtype is given.
 */
export function arange(start: number, end?: number, step = 1, options: TensorOptions = {}): Tensor {
  if (end === undefined) [start, end] = [0, start];
  if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: step must be a non-zero finite number, got ${step}`);
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw new Error(`arange: start and end must be finite, got ${start} and ${end}`);
  if ((end - start) / step < 0) throw new Error(`arange: the range [${start}, ${end}) cannot be walked with step ${step}`);
  const integral = [start, end, step].every(Number.isInteger);
  const dtype = checkDType("arange", options.dtype ?? (integral ? "int32" : "float32"));
  const length = Math.ceil((end - start) / step);
  const out = allocate(dtype, length);
  for (let i = 0; i < length; i++) out[i] = castValue(start + i * step, dtype);
  return finish(fromValues(out, [length], dtype), options);
}

/** `steps` evenly spaced values from start to end, both included, like torch.linspace. */
export function linspace(start: number, end: number, steps: number, options: TensorOptions = {}): Tensor {
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`linspace: steps must be a non-negative integer, got ${steps}`);
  const dtype = checkDType("linspace", options.dtype ?? "float32");
  const out = allocate(dtype, steps);
  if (steps === 1) return finish(full([1], start, { dtype }), options);
  const step = (end - start) / (steps - 1);
  // Like PyTorch, fill the second half backwards from `end`, so both ends are exact.
  const half = Math.floor(steps / 2);
  for (let i = 0; i < steps; i++) out[i] = castValue(i < half ? start + i * step : end - (steps - 1 - i) * step, dtype);
  return finish(fromValues(out, [steps], dtype), options);
}

/** An n×m matrix with ones on the diagonal (m defaults to n). */
export function eye(n: number, m = n, options: TensorOptions = {}): Tensor {
  const t = zeros(checkShape("eye", [n, m]), { ...options, requiresGrad: false });
  for (let i = 0; i < Math.min(n, m); i++) t.storage.data[i * m + i] = 1;
  return finish(t, options);
}

function randomTensor(op: string, shape: Shape, options: RandomOptions, draw: (g: Generator) => number): Tensor {
  checkShape(op, shape);
  const dtype = checkDType(op, options.dtype ?? "float32");
  if (!isFloating(dtype)) throw new Error(`${op}: dtype must be float32 or float64, got ${dtype}`);
  const generator = options.generator ?? defaultGenerator;
  const out = allocate(dtype, numel(shape));
  for (let i = 0; i < out.length; i++) out[i] = draw(generator);
  return finish(fromValues(out, shape, dtype), options);
}

/** Uniform samples in [0, 1). */
export function rand(shape: Shape, options: RandomOptions = {}): Tensor {
  // float32 keeps 24 random bits, rounded down: a double just below 1 would round up to 1.
  const float32 = (options.dtype ?? "float32") === "float32";
  return randomTensor("rand", shape, options, (g) => (float32 ? Math.floor(g.random() * 2 ** 24) / 2 ** 24 : g.random()));
}

/** Standard normal samples (mean 0, variance 1). */
export function randn(shape: Shape, options: RandomOptions = {}): Tensor {
  return randomTensor("randn", shape, options, (g) => g.normal());
}

/** Uniform integers in [low, high), int32 by default, like torch.randint(low, high, shape). */
export function randint(low: number, high: number, shape: Shape, options: RandomOptions = {}): Tensor {
  checkShape("randint", shape);
  if (!Number.isInteger(low) || !Number.isInteger(high) || low >= high) {
    throw new Error(`randint: need integers low < high, got low=${low}, high=${high}`);
  }
  const dtype = checkDType("randint", options.dtype ?? "int32");
  if (dtype === "bool") throw new Error("randint: dtype bool cannot hold random integers; use int32, float32 or float64");
  const generator = options.generator ?? defaultGenerator;
  const out = allocate(dtype, numel(shape));
  for (let i = 0; i < out.length; i++) out[i] = generator.randint(low, high);
  return finish(fromValues(out, shape, dtype), options);
}

export function randLike(t: Tensor, options: RandomOptions = {}): Tensor {
  return rand(t.shape, { dtype: t.dtype, ...options });
}

export function randnLike(t: Tensor, options: RandomOptions = {}): Tensor {
  return randn(t.shape, { dtype: t.dtype, ...options });
}

export function randintLike(t: Tensor, low: number, high: number, options: RandomOptions = {}): Tensor {
  return randint(low, high, t.shape, { dtype: t.dtype, ...options });
}

/** A random permutation of 0..n-1 (Fisher–Yates), int32 unless a dtype is given, like torch.randperm. */
export function randperm(n: number, options: RandomOptions = {}): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new Error(`randperm: n must be a non-negative integer, got ${n}`);
  const dtype = checkDType("randperm", options.dtype ?? "int32");
  if (dtype === "bool") throw new Error("randperm: dtype bool cannot hold a permutation; use int32, float32 or float64");
  const generator = options.generator ?? defaultGenerator;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = generator.randint(0, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return finish(fromValues(out, [n], "int32").to(dtype), options);
}

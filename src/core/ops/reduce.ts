// Reductions: sum, mean, max/min, variance ... over some dims or all of them.
// `dim` may be a number, a list of numbers, or omitted/null for all dims;
// `keepdim` keeps the reduced dims with size 1, as in PyTorch.

import { arange } from "../creation.ts";
import { allocate, isFloating, toFloating, type DType, type TypedArray } from "../dtype.ts";
import { fromValues, reduce, reductionRuns, valuesOf } from "../kernels.ts";
import { defineOp, type RegisteredOp } from "../op.ts";
import { formatShape, normalizeDim } from "../shape.ts";
import type { Dims, Tensor } from "../tensor.ts";
import { where } from "./arithmetic.ts";
import { softmaxOverDims } from "./softmax.ts";

/** The dims to reduce, normalized, sorted and checked for repeats; all dims when `dim` is absent. */
export function reductionDims(op: string, x: Tensor, dim: Dims | null | undefined): number[] {
  const allDims = x.shape.map((_, d) => d);
  if (dim === null || dim === undefined) return allDims;
  // An empty list also means every dim, as in PyTorch 1.13 (x.sum([]) is the sum of all elements).
  if (typeof dim !== "number" && dim.length === 0) return allDims;
  const list = (typeof dim === "number" ? [dim] : [...dim]).map((d) => normalizeDim(op, d, x.ndim));
  if (new Set(list).size !== list.length) throw new Error(`${op}: dim ${formatShape(list)} appears more than once`);
  // A scalar reduced over dim 0 reduces nothing.
  return list.filter((d) => d < x.ndim).sort((a, b) => a - b);
}

/** The gradient of a reduced tensor, reshaped so that it broadcasts against the input (reduced dims of size 1). */
export function unreduce(grad: Tensor, inputShape: readonly number[], dims: readonly number[], keepdim: boolean): Tensor {
  if (keepdim) return grad;
  return grad.reshape(inputShape.map((s, d) => (dims.includes(d) ? 1 : s)));
}

interface ReduceArgs { dims: number[]; keepdim: boolean }

/** Sum of integers stays int32 (as PyTorch keeps integer sums integral); bools are summed as int32. */
function sumType(dtype: DType): DType {
  return dtype === "bool" ? "int32" : dtype;
}

// d/dx_i Σx = 1: the gradient is broadcast back over the summed dims.
const sumOp = defineOp<ReduceArgs>({
  name: "sum",
  forward: ([x], { dims, keepdim }) => reduce(x!, dims, keepdim, (v, start, n) => {
    let total = 0;
    for (let i = start; i < start + n; i++) total += v[i]!;
    return total;
  }, sumType(x!.dtype)),
  backward: (grad, ctx) => [unreduce(grad, ctx.inputShape(0), ctx.args.dims, ctx.args.keepdim).expand(ctx.inputShape(0))],
  gradcheck: [
    { inputs: [[3, 4]], args: { dims: [1], keepdim: false }, secondOrder: true },
    { inputs: [[2, 3, 4]], args: { dims: [0, 2], keepdim: true } },
    { inputs: [[3, 4]], args: { dims: [0, 1], keepdim: false } },
  ],
});

/** Sum over `dim` (all dims when omitted). */
export function sum(x: Tensor, dim?: Dims | null, keepdim = false): Tensor {
  return sumOp.apply([x], { dims: reductionDims("sum", x, dim), keepdim });
}

// d/dx_i mean(x) = 1/n
const meanOp = defineOp<ReduceArgs>({
  name: "mean",
  forward: ([x], { dims, keepdim }) => reduce(x!, dims, keepdim, (v, start, n) => {
    let total = 0;
    for (let i = start; i < start + n; i++) total += v[i]!;
    return total / n;
  }, x!.dtype),
  backward: (grad, ctx) => {
    const shape = ctx.inputShape(0);
    const count = ctx.args.dims.reduce((n, d) => n * shape[d]!, 1);
    return [unreduce(grad, shape, ctx.args.dims, ctx.args.keepdim).expand(shape).div(count)];
  },
  gradcheck: [
    { inputs: [[3, 4]], args: { dims: [1], keepdim: false }, secondOrder: true },
    { inputs: [[2, 3, 4]], args: { dims: [0, 2], keepdim: true } },
  ],
});

/** Mean over `dim` (all dims when omitted). Floating-point tensors only, as in PyTorch. */
export function mean(x: Tensor, dim?: Dims | null, keepdim = false): Tensor {
  if (!isFloating(x.dtype)) {
    throw new Error(`mean: the input must be float32 or float64, got ${x.dtype}; convert it first, e.g. x.float().mean()`);
  }
  return meanOp.apply([x], { dims: reductionDims("mean", x, dim), keepdim });
}

// ---- max and min -----------------------------------------------------------

/** What max(x, dim) returns: the largest values and their positions along dim (int32). */
export interface ValuesIndices { values: Tensor; indices: Tensor }

/** Whether `candidate` should replace `best`. NaN beats every number, so NaN propagates as in PyTorch. */
type Better = (candidate: number, best: number) => boolean;

const greater: Better = (candidate, best) => candidate > best || (Number.isNaN(candidate) && !Number.isNaN(best));
const less: Better = (candidate, best) => candidate < best || (Number.isNaN(candidate) && !Number.isNaN(best));

/**
 * Position (0 .. n-1) of the best of values[start .. start+n). Only a strictly
 * better value replaces the current best, so the first of equal values wins
 * (and the first NaN), which is the index PyTorch returns.
 */
function indexOfBest(values: TypedArray, start: number, n: number, better: Better): number {
  let best = 0;
  for (let i = 1; i < n; i++) {
    if (better(values[start + i]!, values[start + best]!)) best = i;
  }
  return best;
}

/** A max or min over no values does not exist: PyTorch refuses, and so do we. */
function checkNotEmpty(op: string, x: Tensor, dims: readonly number[]): void {
  const empty = dims.find((d) => x.shape[d] === 0);
  if (empty === undefined) return;
  throw new Error(`${op}: cannot reduce over dim ${empty} of the tensor of shape ${formatShape(x.shape)}: it has size 0, ` +
    `and an empty set of values has no ${op}`);
}

/** max/min/argmax/argmin along a single dim: the dim must be one number. */
function singleDim(op: string, x: Tensor, dim: number | null | undefined): number[] {
  if (dim !== null && dim !== undefined && typeof dim !== "number") {
    throw new Error(`${op}: dim must be a single number, got ${JSON.stringify(dim)}; ` +
      `to reduce over several dims use amax/amin`);
  }
  return reductionDims(op, x, dim);
}

/**
 * The gradient of a max or min, shared equally by the k elements equal to the
 * result (NaN counts as equal to NaN): grad / k for each of them, 0 elsewhere.
 */
function shareAmongTies(grad: Tensor, x: Tensor, result: Tensor, dims: readonly number[], keepdim: boolean): Tensor {
  const best = unreduce(result, x.shape, dims, keepdim);
  const isBest = x.eq(best).logicalOr(x.ne(x).logicalAnd(best.ne(best)));
  const count = isBest.sum([...dims], true);
  return where(isBest, unreduce(grad, x.shape, dims, keepdim).div(count), 0);
}

const EXTREMUM_CASES = [
  { inputs: [[3, 4]], args: { dims: [1], keepdim: false }, secondOrder: true },
  { inputs: [[2, 3, 4]], args: { dims: [0, 2], keepdim: true } },
  { inputs: [[3, 4]], args: { dims: [0, 1], keepdim: false } },
];

/** The op for the largest (or smallest) value over some dims: amax, amin, and max(x), min(x) over all dims. */
function extremumOp(name: string, better: Better) {
  // d/dx_i max(x) = 1/k if x_i is one of the k elements equal to the max, else 0
  return defineOp<ReduceArgs>({
    name,
    forward: ([x], { dims, keepdim }) =>
      reduce(x!, dims, keepdim, (values, start, n) => values[start + indexOfBest(values, start, n, better)]!, x!.dtype),
    backward: (grad, ctx) => [shareAmongTies(grad, ctx.input(0), ctx.output(), ctx.args.dims, ctx.args.keepdim)],
    gradcheck: EXTREMUM_CASES,
  });
}

const maxOp = extremumOp("max", greater);
const minOp = extremumOp("min", less);
const amaxOp = extremumOp("amax", greater);
const aminOp = extremumOp("amin", less);

/** The position of the best value over `dims` (all dims: a flat, row-major index), as int32. */
function indexOp(name: string, better: Better) {
  return defineOp<ReduceArgs>({
    name,
    forward: ([x], { dims, keepdim }) => reduce(x!, dims, keepdim, (values, start, n) => indexOfBest(values, start, n, better), "int32"),
  });
}

const argmaxOp = indexOp("argmax", greater);
const argminOp = indexOp("argmin", less);

/** The values of x at `indices` along the single reduced dim (or x itself for a 0-d x). */
function pickAlongDim(x: Tensor, indices: Tensor, dims: readonly number[], keepdim: boolean): Tensor {
  const { values, runLength, runs, outShape } = reductionRuns(x, dims, keepdim);
  const picks = valuesOf(indices);
  const out = allocate(x.dtype, runs);
  for (let r = 0; r < runs; r++) out[r] = values[r * runLength + picks[r]!]!;
  return fromValues(out, outShape, x.dtype);
}

/**
 * The gradient of values picked at `indices` along a dim: each row's gradient
 * goes to the element it picked, zeros elsewhere. The one-hot mask compares
 * 0, 1, ..., size-1 laid along the dim with the index of each row.
 */
function routeToIndices(grad: Tensor, indices: Tensor, inputShape: readonly number[], dims: readonly number[], keepdim: boolean): Tensor {
  if (dims.length === 0) return grad; // a 0-d input: its only element was picked
  const dim = dims[0]!;
  const positions = arange(inputShape[dim]!).reshape(inputShape.map((size, d) => (d === dim ? size : 1)));
  const picked = positions.eq(unreduce(indices, inputShape, dims, keepdim));
  return where(picked, unreduce(grad, inputShape, dims, keepdim), 0);
}

/** max(x, dim) and min(x, dim): the values at the indices found by argmax/argmin (input 1, not differentiated). */
function valuesAtIndicesOp(name: string) {
  // d/dx_i max(x, dim) = 1 where i is the index returned for its row, else 0
  return defineOp<ReduceArgs>({
    name,
    forward: ([x, indices], { dims, keepdim }) => pickAlongDim(x!, indices!, dims, keepdim),
    backward: (grad, ctx) => [routeToIndices(grad, ctx.input(1), ctx.inputShape(0), ctx.args.dims, ctx.args.keepdim), null],
    gradcheck: [
      { inputs: [[3, 4], [3]], indexInputs: { 1: 4 }, args: { dims: [1], keepdim: false }, secondOrder: true },
      { inputs: [[2, 3, 4], [2, 1, 4]], indexInputs: { 1: 3 }, args: { dims: [1], keepdim: true } },
      { inputs: [[3, 4], [4]], indexInputs: { 1: 3 }, args: { dims: [0], keepdim: false } },
    ],
  });
}

const maxDimOp = valuesAtIndicesOp("maxDim");
const minDimOp = valuesAtIndicesOp("minDim");

/** Largest value of all elements, as a 0-d tensor. With `dim`: `{ values, indices }` along that dim, like torch.max(x, dim). */
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  if (dim === undefined) return reduceAll("max", maxOp, x);
  const args = { dims: singleDim("max", x, dim), keepdim };
  checkNotEmpty("max", x, args.dims);
  const indices = argmaxOp.apply([x], args);
  return { values: maxDimOp.apply([x, indices], args), indices };
}

/** Smallest value of all elements, as a 0-d tensor. With `dim`: `{ values, indices }` along that dim, like torch.min(x, dim). */
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(x: Tensor, dim?: number, keepdim = false): Tensor | ValuesIndices {
  if (dim === undefined) return reduceAll("min", minOp, x);
  const args = { dims: singleDim("min", x, dim), keepdim };
  checkNotEmpty("min", x, args.dims);
  const indices = argminOp.apply([x], args);
  return { values: minDimOp.apply([x, indices], args), indices };
}

/** max(x) or min(x): the extremum op over every dim, giving a 0-d tensor. */
function reduceAll(name: string, op: RegisteredOp<ReduceArgs>, x: Tensor): Tensor {
  const dims = reductionDims(name, x, null);
  checkNotEmpty(name, x, dims);
  return op.apply([x], { dims, keepdim: false });
}

/** Largest values over `dim` (all dims when omitted); ties share the gradient. Keeps the dtype. */
export function amax(x: Tensor, dim?: Dims | null, keepdim = false): Tensor {
  const dims = reductionDims("amax", x, dim);
  checkNotEmpty("amax", x, dims);
  return amaxOp.apply([x], { dims, keepdim });
}

/** Smallest values over `dim` (all dims when omitted); ties share the gradient. Keeps the dtype. */
export function amin(x: Tensor, dim?: Dims | null, keepdim = false): Tensor {
  const dims = reductionDims("amin", x, dim);
  checkNotEmpty("amin", x, dims);
  return aminOp.apply([x], { dims, keepdim });
}

function indexArgs(op: string, x: Tensor, dim: number | null | undefined, keepdim: boolean): ReduceArgs {
  if (x.dtype === "bool") throw new Error(`${op}: bool tensors are not supported (as in PyTorch); convert first, e.g. x.int().${op}()`);
  const dims = singleDim(op, x, dim);
  checkNotEmpty(op, x, dims);
  return { dims, keepdim };
}

/** Index (int32) of the largest value along `dim`; without a dim, the index into the flattened tensor. The first one on ties. */
export function argmax(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return argmaxOp.apply([x], indexArgs("argmax", x, dim, keepdim));
}

/** Index (int32) of the smallest value along `dim`; without a dim, the index into the flattened tensor. The first one on ties. */
export function argmin(x: Tensor, dim?: number | null, keepdim = false): Tensor {
  return argminOp.apply([x], indexArgs("argmin", x, dim, keepdim));
}

// ---- variance and standard deviation ---------------------------------------

export interface VarianceOptions {
  /** Subtracted from the count in the divisor: Σ(x − mean)² / (n − correction). Default 1 (Bessel's correction). */
  correction?: number;
  /** The older spelling: true is correction 1, false is correction 0. */
  unbiased?: boolean;
  keepdim?: boolean;
}

interface VarianceArgs { dims: number[]; correction: number; keepdim: boolean }

/** How many elements each output of a reduction over `dims` combines. */
function reducedCount(shape: readonly number[], dims: readonly number[]): number {
  return dims.reduce((n, d) => n * shape[d]!, 1);
}

/**
 * Σ (x − mean)² / (n − correction) over a run, in two passes: the mean first,
 * then the squared deviations from it. (The one-pass Σx² − n·mean² loses all
 * precision when the mean is large compared with the spread.) When
 * n − correction <= 0 the divisor is 0, giving Infinity (or NaN for 0/0), as PyTorch does.
 */
function varianceOfRun(values: TypedArray, start: number, n: number, correction: number): number {
  let total = 0;
  for (let i = start; i < start + n; i++) total += values[i]!;
  const mean = total / n;
  let squares = 0;
  for (let i = start; i < start + n; i++) squares += (values[i]! - mean) ** 2;
  return squares / Math.max(0, n - correction);
}

/** d var/dx_i = 2(x_i − mean)/(n − correction), times the upstream gradient. */
function varianceGrad(grad: Tensor, x: Tensor, { dims, correction, keepdim }: VarianceArgs): Tensor {
  const deviations = x.sub(x.mean(dims, true));
  const n = reducedCount(x.shape, dims);
  return unreduce(grad, x.shape, dims, keepdim).mul(deviations).mul(2 / (n - correction));
}

const VARIANCE_CASES = [
  { inputs: [[3, 4]], args: { dims: [1], correction: 1, keepdim: false }, secondOrder: true },
  { inputs: [[2, 3, 4]], args: { dims: [0, 2], correction: 0, keepdim: true }, secondOrder: true },
  { inputs: [[3, 4]], args: { dims: [0, 1], correction: 1, keepdim: false } },
  { inputs: [[3, 5]], args: { dims: [1], correction: 2, keepdim: true } },
];

// d/dx_i var(x) = 2(x_i − mean) / (n − correction)
const varianceOp = defineOp<VarianceArgs>({
  name: "var",
  forward: ([x], { dims, correction, keepdim }) =>
    reduce(x!, dims, keepdim, (values, start, n) => varianceOfRun(values, start, n, correction), x!.dtype),
  backward: (grad, ctx) => [varianceGrad(grad, ctx.input(0), ctx.args)],
  gradcheck: VARIANCE_CASES,
});

// d/dx_i std(x) = (x_i − mean) / ((n − correction)·std), taken as 0 where std = 0 (as PyTorch)
const stdOp = defineOp<VarianceArgs>({
  name: "std",
  forward: ([x], { dims, correction, keepdim }) =>
    reduce(x!, dims, keepdim, (values, start, n) => Math.sqrt(varianceOfRun(values, start, n, correction)), x!.dtype),
  backward: (grad, ctx) => {
    // std = √var, so d std = d var / (2·std): pass grad / (2·std) on to the variance's gradient.
    const std = ctx.output();
    const isZero = std.eq(0);
    const gradOfVariance = where(isZero, 0, grad.div(where(isZero, 1, std).mul(2)));
    return [varianceGrad(gradOfVariance, ctx.input(0), ctx.args)];
  },
  gradcheck: VARIANCE_CASES,
});

function varianceArgs(op: string, x: Tensor, dim: Dims | null | undefined, options: VarianceOptions): VarianceArgs {
  if (!isFloating(x.dtype)) {
    throw new Error(`${op}: the input must be float32 or float64, got ${x.dtype}; convert it first, e.g. x.float().${op}()`);
  }
  const { correction, unbiased, keepdim = false } = options;
  if (correction !== undefined && unbiased !== undefined) {
    throw new Error(`${op}: pass either correction or unbiased, not both (unbiased: true is correction 1, false is correction 0)`);
  }
  if (correction !== undefined && !Number.isInteger(correction)) {
    throw new Error(`${op}: correction must be an integer, got ${correction}`);
  }
  return { dims: reductionDims(op, x, dim), correction: correction ?? (unbiased === false ? 0 : 1), keepdim };
}

/** Variance over `dim` (all dims when omitted): Σ(x − mean)² / (n − correction), correction 1 by default. Tensor method: `var`. */
export function variance(x: Tensor, dim?: Dims | null, options: VarianceOptions = {}): Tensor {
  return varianceOp.apply([x], varianceArgs("var", x, dim, options));
}

/** Standard deviation over `dim` (all dims when omitted): the square root of the variance. */
export function std(x: Tensor, dim?: Dims | null, options: VarianceOptions = {}): Tensor {
  return stdOp.apply([x], varianceArgs("std", x, dim, options));
}

// ---- logsumexp --------------------------------------------------------------

/**
 * log Σ exp(v) over a run, computed as m + log Σ exp(v − m) with m the largest
 * value, so that exp never overflows. If m is −Infinity every term is 0 (log 0 = −Infinity);
 * if it is +Infinity so is the result; a NaN anywhere gives NaN.
 */
function logSumExpOfRun(values: TypedArray, start: number, n: number): number {
  let largest = -Infinity;
  for (let i = start; i < start + n; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) return NaN;
    if (v > largest) largest = v;
  }
  if (largest === -Infinity || largest === Infinity) return largest;
  let total = 0;
  for (let i = start; i < start + n; i++) total += Math.exp(values[i]! - largest);
  return largest + Math.log(total);
}

// d/dx_i log Σ_j exp(x_j) = exp(x_i) / Σ_j exp(x_j) = softmax(x)_i
const logsumexpOp = defineOp<ReduceArgs>({
  name: "logsumexp",
  forward: ([x], { dims, keepdim }) => reduce(x!, dims, keepdim, logSumExpOfRun, x!.dtype),
  backward: (grad, ctx) => {
    const x = ctx.input(0);
    return [unreduce(grad, x.shape, ctx.args.dims, ctx.args.keepdim).mul(softmaxOverDims(x, ctx.args.dims))];
  },
  gradcheck: [
    { inputs: [[3, 4]], args: { dims: [1], keepdim: false }, secondOrder: true },
    { inputs: [[2, 3, 4]], args: { dims: [0, 2], keepdim: true }, secondOrder: true },
    { inputs: [[3, 4]], args: { dims: [0, 1], keepdim: false } },
  ],
});

/** log(Σ exp(x)) over `dim`, without overflow. Integer inputs are promoted to float32, as in PyTorch. */
export function logsumexp(x: Tensor, dim: Dims, keepdim = false): Tensor {
  const dims = reductionDims("logsumexp", x, dim);
  return logsumexpOp.apply([x.to(toFloating(x.dtype))], { dims, keepdim });
}

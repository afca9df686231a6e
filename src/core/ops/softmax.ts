// Softmax turns a row of scores into probabilities:
//
//   softmax(x)_i = exp(x_i) / Σ_j exp(x_j)          logSoftmax(x)_i = x_i − log Σ_j exp(x_j)
//
// Both are computed after subtracting the row's largest value m. That changes
// nothing mathematically (the factor exp(−m) cancels) but keeps exp from
// overflowing: softmax([1000, 999]) is exp([0, −1]) / Σ, not Infinity / Infinity.
// A score of −Infinity (a mask) gets probability 0; a row with nothing but
// −Infinity has no probabilities to give and is NaN, as in PyTorch.

import { allocate, isFloating, type TypedArray } from "../dtype.ts";
import { fromValues, reductionRuns, writeStrided } from "../kernels.ts";
import { defineOp } from "../op.ts";
import { contiguousStrides, normalizeDim } from "../shape.ts";
import type { Tensor } from "../tensor.ts";

/** The dims a softmax normalizes over: usually one; logsumexp's gradient uses several. */
interface SoftmaxArgs { dims: number[] }

/** Writes into out[start .. start+n) the transform of values[start .. start+n) (one softmax row). */
type RowTransform = (values: TypedArray, start: number, n: number, out: TypedArray) => void;

/**
 * Applies `transform` to every row along `dims` and returns a tensor of x's shape.
 * The rows are gathered contiguous by reductionRuns (kept dims first, `dims`
 * last), so the results are written back into x's own dim order.
 */
function mapRows(x: Tensor, dims: readonly number[], transform: RowTransform): Tensor {
  const { values, runLength, runs } = reductionRuns(x, dims, false);
  const results = allocate(x.dtype, values.length);
  for (let r = 0; r < runs; r++) transform(values, r * runLength, runLength, results);
  const order = [...x.shape.map((_, d) => d).filter((d) => !dims.includes(d)), ...dims];
  if (order.every((d, i) => d === i)) return fromValues(results, x.shape, x.dtype);
  const out = allocate(x.dtype, values.length);
  const strides = contiguousStrides(x.shape);
  writeStrided({ data: out, shape: order.map((d) => x.shape[d]!), strides: order.map((d) => strides[d]!), offset: 0 }, results);
  return fromValues(out, x.shape, x.dtype);
}

/** The largest value of a row (−Infinity for an empty row). */
function largest(values: TypedArray, start: number, n: number): number {
  let m = -Infinity;
  for (let i = start; i < start + n; i++) if (values[i]! > m) m = values[i]!;
  return m;
}

/** exp(v − m) / Σ exp(v − m). A row of −Infinity gives exp(NaN): NaN, as in PyTorch. */
const softmaxRow: RowTransform = (values, start, n, out) => {
  const m = largest(values, start, n);
  let total = 0;
  for (let i = start; i < start + n; i++) total += Math.exp(values[i]! - m);
  for (let i = start; i < start + n; i++) out[i] = Math.exp(values[i]! - m) / total;
};

/** v − m − log Σ exp(v − m). */
const logSoftmaxRow: RowTransform = (values, start, n, out) => {
  const m = largest(values, start, n);
  let total = 0;
  for (let i = start; i < start + n; i++) total += Math.exp(values[i]! - m);
  const logTotal = Math.log(total);
  for (let i = start; i < start + n; i++) out[i] = values[i]! - m - logTotal;
};

const SOFTMAX_CASES = [
  { inputs: [[3, 4]], args: { dims: [1] }, secondOrder: true },
  { inputs: [[2, 3, 4]], args: { dims: [0] }, secondOrder: true },
  { inputs: [[2, 3, 4]], args: { dims: [1] } },
  { inputs: [[3, 4]], args: { dims: [0, 1] } },
];

// d softmax_i/dx_j = y_i(δ_ij − y_j), so the input's gradient is y·(g − Σ_j g_j·y_j)
const softmaxOp = defineOp<SoftmaxArgs>({
  name: "softmax",
  forward: ([x], { dims }) => mapRows(x!, dims, softmaxRow),
  backward: (grad, ctx) => {
    const y = ctx.output();
    return [y.mul(grad.sub(grad.mul(y).sum(ctx.args.dims, true)))];
  },
  gradcheck: SOFTMAX_CASES,
});

// d logSoftmax_i/dx_j = δ_ij − softmax(x)_j, so the input's gradient is g − softmax(x)·Σ_j g_j
const logSoftmaxOp = defineOp<SoftmaxArgs>({
  name: "logSoftmax",
  forward: ([x], { dims }) => mapRows(x!, dims, logSoftmaxRow),
  backward: (grad, ctx) => {
    const probabilities = softmaxOp.apply([ctx.input(0)], ctx.args);
    return [grad.sub(probabilities.mul(grad.sum(ctx.args.dims, true)))];
  },
  gradcheck: SOFTMAX_CASES,
});

function softmaxArgs(op: string, x: Tensor, dim: number): SoftmaxArgs {
  if (!isFloating(x.dtype)) {
    throw new Error(`${op}: the input must be float32 or float64, got ${x.dtype}; convert it first, e.g. x.float().${op}(${dim})`);
  }
  const d = normalizeDim(op, dim, x.ndim);
  // A 0-d tensor is a row of one element (dim 0 or -1, as in PyTorch).
  return { dims: x.ndim === 0 ? [] : [d] };
}

/** Probabilities along `dim`: exp(x) / Σ exp(x), computed without overflow. Floating-point inputs only. */
export function softmax(x: Tensor, dim: number): Tensor {
  return softmaxOp.apply([x], softmaxArgs("softmax", x, dim));
}

/** log(softmax(x)) along `dim`, computed directly (accurate where softmax would round to 0). */
export function logSoftmax(x: Tensor, dim: number): Tensor {
  return logSoftmaxOp.apply([x], softmaxArgs("logSoftmax", x, dim));
}

/** Softmax over several dims at once (the gradient of logsumexp); `dims` normalized and distinct. */
export function softmaxOverDims(x: Tensor, dims: readonly number[]): Tensor {
  return softmaxOp.apply([x], { dims: [...dims] });
}

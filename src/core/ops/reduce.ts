// Reductions: sum, mean, max/min, variance ... over some dims or all of them.
// `dim` may be a number, a list of numbers, or omitted/null for all dims;
// `keepdim` keeps the reduced dims with size 1, as in PyTorch.

import { isFloating, type DType } from "../dtype.ts";
import { reduce } from "../kernels.ts";
import { defineOp } from "../op.ts";
import { formatShape, normalizeDim } from "../shape.ts";
import type { Dims, Tensor } from "../tensor.ts";

/** The dims to reduce, normalized, sorted and checked for repeats; all dims when `dim` is absent. */
export function reductionDims(op: string, x: Tensor, dim: Dims | null | undefined): number[] {
  if (dim === null || dim === undefined) return x.shape.map((_, d) => d);
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
  backward: (grad, ctx) => [unreduce(grad, ctx.input(0).shape, ctx.args.dims, ctx.args.keepdim).expand(ctx.input(0).shape)],
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
    const shape = ctx.input(0).shape;
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

// ---- PENDING (helper): replace these stubs with real ops ----
export interface ValuesIndices { values: Tensor; indices: Tensor }
export interface VarianceOptions { correction?: number; unbiased?: boolean; keepdim?: boolean }
const pending = (name: string): never => { throw new Error(`${name}: PENDING`); };
export function max(x: Tensor): Tensor;
export function max(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function max(_x: Tensor, _dim?: number, _keepdim?: boolean): Tensor | ValuesIndices { return pending("max"); }
export function min(x: Tensor): Tensor;
export function min(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
export function min(_x: Tensor, _dim?: number, _keepdim?: boolean): Tensor | ValuesIndices { return pending("min"); }
export function amax(_x: Tensor, _dim?: Dims | null, _keepdim?: boolean): Tensor { return pending("amax"); }
export function amin(_x: Tensor, _dim?: Dims | null, _keepdim?: boolean): Tensor { return pending("amin"); }
export function argmax(_x: Tensor, _dim?: number | null, _keepdim?: boolean): Tensor { return pending("argmax"); }
export function argmin(_x: Tensor, _dim?: number | null, _keepdim?: boolean): Tensor { return pending("argmin"); }
export function variance(_x: Tensor, _dim?: Dims | null, _options?: VarianceOptions): Tensor { return pending("var"); }
export function std(_x: Tensor, _dim?: Dims | null, _options?: VarianceOptions): Tensor { return pending("std"); }
export function logsumexp(_x: Tensor, _dim: Dims, _keepdim?: boolean): Tensor { return pending("logsumexp"); }

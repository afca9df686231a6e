// The small set of loops every op's forward is built from (map, zip, reduce),
// in the spirit of minitorch's backend. They read tensors of any strides and
// always produce new contiguous tensors.

import { allocate, castValue, type DType, type TypedArray } from "./dtype.ts";
import { broadcastShapes, broadcastStrides, contiguousStrides, isContiguous, numel, type Shape } from "./shape.ts";
import { Tensor } from "./tensor.ts";

/** Something with a storage layout: a tensor, or a tensor seen through other strides. */
export interface Layout {
  readonly data: TypedArray;
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
}

/**
 * Visits the rows (runs along the last dim) of a strided layout in row-major
 * order, calling visit(start) with the storage index of each row's first
 * element. An odometer steps through all dims but the last. A 0-d layout is
 * one row of one element.
 */
export function forEachRow(layout: Omit<Layout, "data">, visit: (start: number) => void): void {
  const { shape, strides, offset } = layout;
  const rank = shape.length;
  if (numel(shape) === 0) return;
  if (rank <= 1) return visit(offset);
  const rows = numel(shape.slice(0, -1));
  const index = new Array<number>(rank - 1).fill(0);
  let start = offset;
  for (let row = 0; row < rows; row++) {
    visit(start);
    for (let d = rank - 2; d >= 0; d--) {
      index[d]!++;
      start += strides[d]!;
      if (index[d]! < shape[d]!) break;
      start -= strides[d]! * shape[d]!;
      index[d] = 0;
    }
  }
}

/** Length and stride of a layout's rows (a 0-d layout has one row of one element). */
export function rowGeometry(layout: Omit<Layout, "data">): { length: number; stride: number } {
  const rank = layout.shape.length;
  return rank === 0 ? { length: 1, stride: 1 } : { length: layout.shape[rank - 1]!, stride: layout.strides[rank - 1]! };
}

/** Copies the elements of a strided layout into `out` in row-major order, starting at out[outStart]. */
export function copyStrided(src: Layout, out: TypedArray | number[], outStart = 0): void {
  const { data } = src;
  const { length, stride } = rowGeometry(src);
  let o = outStart;
  forEachRow(src, (start) => {
    for (let j = 0, p = start; j < length; j++, p += stride) out[o++] = data[p]!;
  });
}

/** The tensor's values in row-major order. Shares memory when already contiguous: treat as read-only. */
export function valuesOf(t: Tensor): TypedArray {
  const n = t.numel();
  if (isContiguous(t.shape, t.strides)) return t.storage.data.subarray(t.offset, t.offset + n);
  const out = allocate(t.dtype, n);
  copyStrided(layoutOf(t), out);
  return out;
}

/** The tensor's values as if broadcast to `shape`, in row-major order (read-only when shared). */
export function broadcastValuesOf(t: Tensor, shape: Shape): TypedArray {
  if (t.shape.length === shape.length && t.shape.every((s, d) => s === shape[d])) return valuesOf(t);
  const out = allocate(t.dtype, numel(shape));
  copyStrided({ data: t.storage.data, shape, strides: broadcastStrides(t.shape, t.strides, shape), offset: t.offset }, out);
  return out;
}

export function layoutOf(t: Tensor): Layout {
  return { data: t.storage.data, shape: t.shape, strides: t.strides, offset: t.offset };
}

/** A new contiguous tensor of `shape` and `dtype` over `data` (which it takes ownership of). */
export function fromValues(data: TypedArray, shape: Shape, dtype: DType): Tensor {
  return Tensor.fromStorage(data, [...shape], contiguousStrides(shape), 0, dtype);
}

/** Applies f to every element: out[i] = f(x[i]). */
export function map(x: Tensor, f: (v: number) => number, dtype: DType = x.dtype): Tensor {
  // Bool results are stored as 0 or 1 (a Uint8Array would keep true + true as 2, and wrap 256 to 0).
  if (dtype === "bool") { const g = f; f = (v) => castValue(g(v), "bool"); }
  const values = valuesOf(x);
  const out = allocate(dtype, values.length);
  for (let i = 0; i < values.length; i++) out[i] = f(values[i]!);
  return fromValues(out, x.shape, dtype);
}

/** Combines two tensors element by element after broadcasting them: out[i] = f(a[i], b[i]). */
export function zip(op: string, a: Tensor, b: Tensor, f: (x: number, y: number) => number, dtype: DType): Tensor {
  if (dtype === "bool") { const g = f; f = (x, y) => castValue(g(x, y), "bool"); } // 0 or 1, as in map
  const shape = broadcastShapes(op, a.shape, b.shape);
  const out = allocate(dtype, numel(shape));
  // A one-element operand (x.mul(0.5), a scalar tensor) is read once rather than copied out to the full size.
  if (b.numel() === 1) {
    const av = broadcastValuesOf(a, shape);
    const y = b.storage.data[b.offset]!;
    for (let i = 0; i < out.length; i++) out[i] = f(av[i]!, y);
  } else if (a.numel() === 1) {
    const x = a.storage.data[a.offset]!;
    const bv = broadcastValuesOf(b, shape);
    for (let i = 0; i < out.length; i++) out[i] = f(x, bv[i]!);
  } else {
    const av = broadcastValuesOf(a, shape);
    const bv = broadcastValuesOf(b, shape);
    for (let i = 0; i < out.length; i++) out[i] = f(av[i]!, bv[i]!);
  }
  return fromValues(out, shape, dtype);
}

/** Combines three broadcast tensors element by element (used by where, clamp with tensor bounds). */
export function zip3(
  op: string, a: Tensor, b: Tensor, c: Tensor, f: (x: number, y: number, z: number) => number, dtype: DType,
): Tensor {
  if (dtype === "bool") { const g = f; f = (x, y, z) => castValue(g(x, y, z), "bool"); } // 0 or 1, as in map
  const shape = broadcastShapes(op, a.shape, b.shape, c.shape);
  const av = broadcastValuesOf(a, shape);
  const bv = broadcastValuesOf(b, shape);
  const cv = broadcastValuesOf(c, shape);
  const out = allocate(dtype, av.length);
  for (let i = 0; i < out.length; i++) out[i] = f(av[i]!, bv[i]!, cv[i]!);
  return fromValues(out, shape, dtype);
}

/**
 * Prepares a reduction over `dims`: the values reordered so that each output
 * element's inputs form one contiguous run of length `runLength`.
 */
export function reductionRuns(x: Tensor, dims: readonly number[], keepdim: boolean) {
  const kept = x.shape.map((_, d) => d).filter((d) => !dims.includes(d));
  const order = [...kept, ...dims];
  const values = allocate(x.dtype, x.numel());
  copyStrided({
    data: x.storage.data,
    shape: order.map((d) => x.shape[d]!),
    strides: order.map((d) => x.strides[d]!),
    offset: x.offset,
  }, values);
  const runLength = dims.reduce((n, d) => n * x.shape[d]!, 1);
  const outShape = keepdim ? x.shape.map((s, d) => (dims.includes(d) ? 1 : s)) : kept.map((d) => x.shape[d]!);
  return { values, runLength, runs: numel(outShape), outShape };
}

/** Reduces each run with `reduceRun(values, start, length)`; `dims` must be normalized and distinct. */
export function reduce(
  x: Tensor,
  dims: readonly number[],
  keepdim: boolean,
  reduceRun: (values: TypedArray, start: number, length: number) => number,
  dtype: DType,
): Tensor {
  const { values, runLength, runs, outShape } = reductionRuns(x, dims, keepdim);
  const out = allocate(dtype, runs);
  for (let r = 0; r < runs; r++) out[r] = castValue(reduceRun(values, r * runLength, runLength), dtype);
  return fromValues(out, outShape, dtype);
}

/** Writes `values` (row-major, already of the layout's shape) into a strided layout: the inverse of copyStrided. */
export function writeStrided(dst: Layout, values: ArrayLike<number>): void {
  const { data } = dst;
  const { length, stride } = rowGeometry(dst);
  let i = 0;
  forEachRow(dst, (start) => {
    for (let j = 0, p = start; j < length; j++, p += stride) data[p] = values[i++]!;
  });
}

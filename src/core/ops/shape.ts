// Joining, splitting and indexing: cat, stack, split, chunk, repeat, pad,
// indexSelect and gather, and the scatters that undo them (indexAdd, scatterAdd).
//
// Each gradient is the opposite move: cat is undone by narrow, pad by pad with
// the opposite amounts, repeat by summing the copies, indexSelect by indexAdd
// and gather by scatterAdd (and the other way round, which is why the pairs
// can be differentiated twice).

import { allocate, castValue, promoteTypes, type DType } from "../dtype.ts";
import { copyStrided, forEachRow, fromValues, layoutOf, rowGeometry, valuesOf, writeStrided, type Layout } from "../kernels.ts";
import { defineOp } from "../op.ts";
import { formatShape, normalizeDim, numel, sameShape } from "../shape.ts";
import { zeros } from "../creation.ts";
import type { Tensor } from "../tensor.ts";
import { narrow, sizesFrom } from "./view.ts";

// ---- helpers ----------------------------------------------------------------

/** The widest dtype of a list of tensors (bool < int32 < float32 < float64). */
function commonType(tensors: readonly Tensor[]): DType {
  return tensors.reduce<DType>((dtype, t) => promoteTypes(dtype, t.dtype), tensors[0]!.dtype);
}

/** A rectangular block of a layout: `lengths` elements from `starts` along each dim. */
function block(layout: Layout, starts: readonly number[], lengths: readonly number[]): Layout {
  const offset = starts.reduce((o, start, d) => o + start * layout.strides[d]!, layout.offset);
  return { data: layout.data, shape: lengths, strides: layout.strides, offset };
}

/** Copies the elements of `src` into `dst` (two layouts of the same shape). */
function copyLayout(src: Layout, dst: Layout): void {
  const values = new Float64Array(numel(src.shape)); // a double holds every dtype's values exactly
  copyStrided(src, values);
  writeStrided(dst, values);
}

/** A new contiguous tensor filled with `fill` (0 by default) and its layout, to write a result into. */
function emptyResult(shape: readonly number[], dtype: DType, fill = 0): { result: Tensor; layout: Layout } {
  const data = allocate(dtype, numel(shape));
  if (fill !== 0) data.fill(castValue(fill, dtype));
  const result = fromValues(data, shape, dtype);
  return { result, layout: layoutOf(result) };
}

/** Where in storage each element of a layout lives, in row-major order of its shape. */
function storagePositions(shape: readonly number[], strides: readonly number[], offset: number): number[] {
  const positions: number[] = [];
  const { length, stride } = rowGeometry({ shape, strides, offset });
  forEachRow({ shape, strides, offset }, (start) => {
    for (let j = 0; j < length; j++) positions.push(start + j * stride);
  });
  return positions;
}

/** The same strides with the one of `dim` set to 0 (the index supplies that coordinate). */
function withoutDim(strides: readonly number[], dim: number): number[] {
  return strides.map((s, d) => (d === dim ? 0 : s));
}

// ---- cat and stack ------------------------------------------------------------

/** 1-D empty tensors (shape [0]) are skipped by cat, a legacy rule PyTorch keeps. */
function isSkippedByCat(t: Tensor): boolean {
  return t.ndim === 1 && t.shape[0] === 0;
}

/** The inputs laid side by side along `dim`, in a new tensor of their common dtype. */
function concatenate(inputs: readonly Tensor[], dim: number): Tensor {
  const dtype = commonType(inputs);
  const kept = inputs.filter((t) => !isSkippedByCat(t));
  if (kept.length === 0) return emptyResult([0], dtype).result;
  const shape = kept[0]!.shape.map((size, d) => (d === dim ? kept.reduce((n, t) => n + t.shape[dim]!, 0) : size));
  const { result, layout } = emptyResult(shape, dtype);
  let start = 0;
  for (const t of kept) {
    const starts = shape.map((_, d) => (d === dim ? start : 0));
    copyLayout(layoutOf(t), block(layout, starts, t.shape));
    start += t.shape[dim]!;
  }
  return result;
}

interface DimArgs { dim: number }

// cat(x₁, x₂, ...) places the inputs one after another along dim,
// so d/dxᵢ is the stretch of the output's gradient where xᵢ was placed.
const catOp = defineOp<DimArgs>({
  name: "cat",
  forward: (inputs, { dim }, ctx) => {
    ctx.save("sizes", inputs.map((t) => (isSkippedByCat(t) ? null : t.shape[dim]!)));
    return concatenate(inputs, dim);
  },
  backward: (grad, ctx) => {
    let start = 0;
    return ctx.saved<(number | null)[]>("sizes").map((size, i) => {
      if (size === null) return ctx.needsGrad(i) ? zeros([0], { dtype: grad.dtype }) : null;
      start += size;
      return ctx.needsGrad(i) ? narrow(grad, ctx.args.dim, start - size, size) : null;
    });
  },
  gradcheck: [
    { inputs: [[2, 3], [4, 3]], args: { dim: 0 }, secondOrder: true },
    { inputs: [[3, 2], [3, 4], [3, 1]], args: { dim: 1 } },
    { inputs: [[2, 3, 2], [2, 1, 2]], args: { dim: 1 } },
  ],
});

/**
 * Joins tensors along an existing dim, like torch.cat. All must have the same
 * number of dims and the same sizes except along `dim`; dtypes are promoted.
 * As in PyTorch, 1-D empty tensors (shape [0]) are skipped, whatever the rank of the others.
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error("cat: expected a non-empty list of tensors");
  const scalar = tensors.findIndex((t) => t.ndim === 0);
  if (scalar >= 0) throw new Error(`cat: tensor ${scalar} is zero-dimensional and cannot be concatenated; use stack, or unsqueeze it first`);
  const dtype = commonType(tensors);
  const firstKept = tensors.findIndex((t) => !isSkippedByCat(t));
  if (firstKept < 0) return catOp.apply(tensors.map((t) => t.to(dtype)), { dim: 0 });
  const reference = tensors[firstKept]!;
  const d = normalizeDim("cat", dim, reference.ndim);
  tensors.forEach((t, i) => {
    if (isSkippedByCat(t)) return;
    const describe = `tensor ${firstKept} has shape ${formatShape(reference.shape)} and tensor ${i} has shape ${formatShape(t.shape)}`;
    if (t.ndim !== reference.ndim) throw new Error(`cat: tensors must have the same number of dims, but ${describe}`);
    const differs = t.shape.findIndex((size, k) => k !== d && size !== reference.shape[k]);
    if (differs >= 0) throw new Error(`cat: sizes must match except along dim ${d}, but ${describe} (they differ at dim ${differs})`);
  });
  return catOp.apply(tensors.map((t) => t.to(dtype)), { dim: d });
}

// stack(x₁, x₂, ...) puts xᵢ at position i of a new dim,
// so d/dxᵢ is the slice at position i of the output's gradient.
const stackOp = defineOp<DimArgs>({
  name: "stack",
  forward: (inputs, { dim }, ctx) => {
    ctx.save("count", inputs.length);
    return concatenate(inputs.map((t) => t.unsqueeze(dim)), dim);
  },
  backward: (grad, ctx) =>
    Array.from({ length: ctx.saved<number>("count") }, (_, i) => (ctx.needsGrad(i) ? grad.select(ctx.args.dim, i) : null)),
  gradcheck: [
    { inputs: [[2, 3], [2, 3]], args: { dim: 0 }, secondOrder: true },
    { inputs: [[2, 3], [2, 3], [2, 3]], args: { dim: 2 } },
  ],
});

/** Joins tensors of the same shape along a new dim (unsqueeze each, then cat), like torch.stack. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new Error("stack: expected a non-empty list of tensors");
  const first = tensors[0]!;
  tensors.forEach((t, i) => {
    if (!sameShape(t.shape, first.shape)) {
      throw new Error(`stack: expects tensors of equal shape, but got ${formatShape(first.shape)} at entry 0 and ${formatShape(t.shape)} at entry ${i}`);
    }
  });
  const d = normalizeDim("stack", dim, first.ndim + 1);
  const dtype = commonType(tensors);
  return stackOp.apply(tensors.map((t) => t.to(dtype)), { dim: d });
}

// ---- split and chunk (views) --------------------------------------------------

/** Checks that `x` has at least one dim and returns `dim` normalized. */
function splittableDim(op: string, x: Tensor, dim: number): number {
  if (x.ndim === 0) throw new Error(`${op}: expects a tensor with at least one dim, got a 0-d tensor`);
  return normalizeDim(op, dim, x.ndim);
}

/** Sizes of pieces of `splitSize` that cover `size` (the last may be shorter; at least one piece). */
function equalPieces(size: number, splitSize: number, dim: number): number[] {
  if (!Number.isInteger(splitSize) || splitSize < 0) throw new Error(`split: splitSize must be a non-negative integer, got ${splitSize}`);
  if (splitSize === 0) {
    if (size !== 0) throw new Error(`split: splitSize can only be 0 if the dim is empty, but dim ${dim} has size ${size}`);
    return [0];
  }
  const count = Math.max(1, Math.ceil(size / splitSize));
  return Array.from({ length: count }, (_, i) => Math.min(splitSize, size - i * splitSize));
}

/** Pieces of `x` of the given sizes along `dim`, as views. */
function piecesOf(x: Tensor, dim: number, sizes: readonly number[]): Tensor[] {
  let start = 0;
  return sizes.map((length) => {
    start += length;
    return narrow(x, dim, start - length, length);
  });
}

/**
 * Splits `x` along `dim` into views: pieces of `splitSizeOrSections` elements
 * (the last one may be shorter), or pieces of the listed sizes, which must add
 * up to the dim's size. Like torch.split.
 */
export function split(x: Tensor, splitSizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  const d = splittableDim("split", x, dim);
  const size = x.shape[d]!;
  if (typeof splitSizeOrSections === "number") return piecesOf(x, d, equalPieces(size, splitSizeOrSections, d));
  const sections = [...splitSizeOrSections];
  if (sections.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new Error(`split: section sizes must be non-negative integers, got ${formatShape(sections)}`);
  }
  const total = sections.reduce((n, s) => n + s, 0);
  if (total !== size) {
    throw new Error(`split: section sizes ${formatShape(sections)} add up to ${total}, but dim ${d} of the tensor of shape ${formatShape(x.shape)} has size ${size}`);
  }
  return piecesOf(x, d, sections);
}

/**
 * Splits `x` along `dim` into at most `chunks` views of ceil(size / chunks)
 * elements each (the last may be shorter, and there may be fewer chunks), like torch.chunk.
 */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0) throw new Error(`chunk: chunks must be a positive integer, got ${chunks}`);
  const d = splittableDim("chunk", x, dim);
  const size = x.shape[d]!;
  // An empty dim gives `chunks` empty pieces, as in PyTorch.
  if (size === 0) return piecesOf(x, d, new Array<number>(chunks).fill(0));
  return piecesOf(x, d, equalPieces(size, Math.ceil(size / chunks), d));
}

// ---- repeat ---------------------------------------------------------------------

interface RepeatArgs { sizes: number[] }

/** x's shape with leading 1s, to the length of the repeat sizes. */
function paddedShape(shape: readonly number[], rank: number): number[] {
  return [...new Array<number>(rank - shape.length).fill(1), ...shape];
}

// repeat tiles x: every output element is a copy of one input element, so
// d/dx sums the output's gradient over all the copies of each element.
const repeatOp = defineOp<RepeatArgs>({
  name: "repeat",
  forward: ([x], { sizes }) => {
    const shape = paddedShape(x!.shape, sizes.length);
    const strides = [...new Array<number>(sizes.length - x!.ndim).fill(0), ...x!.strides];
    // Read x as [r₀, s₀, r₁, s₁, ...] with stride 0 on the repeat dims rᵢ; in
    // row-major order that is exactly the tiled result of shape [r₀·s₀, r₁·s₁, ...].
    const tiled: Layout = {
      data: x!.storage.data,
      shape: sizes.flatMap((r, d) => [r, shape[d]!]),
      strides: strides.flatMap((s) => [0, s]),
      offset: x!.offset,
    };
    const { result, layout } = emptyResult(sizes.map((r, d) => r * shape[d]!), x!.dtype);
    copyStrided(tiled, layout.data);
    return result;
  },
  backward: (grad, ctx) => {
    const inputShape = ctx.inputShape(0);
    const { sizes } = ctx.args;
    const shape = paddedShape(inputShape, sizes.length);
    const copies = grad.reshape(sizes.flatMap((r, d) => [r, shape[d]!]));
    return [copies.sum(sizes.map((_, d) => 2 * d)).reshape(inputShape)];
  },
  gradcheck: [
    { inputs: [[2, 3]], args: { sizes: [2, 1, 2] }, secondOrder: true },
    { inputs: [[3, 1]], args: { sizes: [1, 4] } },
  ],
});

/**
 * Tiles `x`: `sizes[d]` copies along each dim, like torch's repeat (numpy's tile).
 * There may be more sizes than dims: x is then treated as having leading dims of size 1.
 */
export function repeat(x: Tensor, ...sizeArgs: (number | readonly number[])[]): Tensor {
  const sizes = sizesFrom(sizeArgs);
  if (sizes.length < x.ndim) {
    throw new Error(`repeat: got ${sizes.length} repeat sizes ${formatShape(sizes)} for a tensor of shape ${formatShape(x.shape)}; ` +
      `there must be at least one per dim (${x.ndim})`);
  }
  if (sizes.some((s) => !Number.isInteger(s) || s < 0)) throw new Error(`repeat: sizes must be non-negative integers, got ${formatShape(sizes)}`);
  return repeatOp.apply([x], { sizes });
}

// ---- pad --------------------------------------------------------------------------

interface PadArgs { pad: number[]; value: number }

/** Per dim of a tensor of `shape`, the amounts [before, after] from F.pad's list (last dim first). */
function padAmounts(shape: readonly number[], pad: readonly number[]): [number, number][] {
  return shape.map((_, d) => {
    const pair = shape.length - 1 - d; // pad[0], pad[1] are for the last dim
    return [pad[2 * pair] ?? 0, pad[2 * pair + 1] ?? 0];
  });
}

/** The size of a dim after cropping its negative amounts. */
function croppedSize(size: number, [before, after]: [number, number]): number {
  return size + Math.min(before, 0) + Math.min(after, 0);
}

// pad only moves values and adds constants, so d/dx is the output's gradient
// with the padding cut off again: pad(grad, -amounts) (which also zero-fills what was cropped).
const padOp = defineOp<PadArgs>({
  name: "pad",
  forward: ([x], { pad: amounts, value }) => {
    const perDim = padAmounts(x!.shape, amounts);
    const kept = x!.shape.map((size, d) => croppedSize(size, perDim[d]!));
    const outShape = kept.map((size, d) => size + Math.max(perDim[d]![0], 0) + Math.max(perDim[d]![1], 0));
    const { result, layout } = emptyResult(outShape, x!.dtype, value);
    const from = block(layoutOf(x!), perDim.map(([before]) => Math.max(-before, 0)), kept);
    copyLayout(from, block(layout, perDim.map(([before]) => Math.max(before, 0)), kept));
    return result;
  },
  backward: (grad, { args }) => [pad(grad, args.pad.map((p) => -p))],
  gradcheck: [
    { inputs: [[2, 3]], args: { pad: [1, 2], value: 0 }, secondOrder: true },
    { inputs: [[2, 3, 4]], args: { pad: [-1, 1, 2, 0], value: 1.5 } },
  ],
});

/**
 * Pads `x` with a constant, like torch.nn.functional.pad: `padding` lists amounts
 * for the last dim first, [left, right, top, bottom, ...]; a negative amount
 * crops instead. Only mode "constant" is implemented.
 */
export function pad(x: Tensor, padding: readonly number[], options: { mode?: "constant"; value?: number } = {}): Tensor {
  const mode = options.mode ?? "constant";
  if (mode !== "constant") throw new Error(`pad: mode "${mode}" is not supported; only "constant" padding is implemented`);
  if (padding.length % 2 !== 0) {
    throw new Error(`pad: the padding ${formatShape(padding)} must have an even length: pairs of (before, after) amounts, last dim first`);
  }
  if (padding.length / 2 > x.ndim) {
    throw new Error(`pad: the padding ${formatShape(padding)} covers ${padding.length / 2} dims, but the tensor of shape ${formatShape(x.shape)} has ${x.ndim}`);
  }
  if (padding.some((p) => !Number.isInteger(p))) throw new Error(`pad: amounts must be integers, got ${formatShape(padding)}`);
  padAmounts(x.shape, padding).forEach((amounts, d) => {
    if (croppedSize(x.shape[d]!, amounts) < 0) {
      throw new Error(`pad: cropping ${-Math.min(amounts[0], 0)} before and ${-Math.min(amounts[1], 0)} after is more than dim ${d} ` +
        `of size ${x.shape[d]} holds (shape ${formatShape(x.shape)}, padding ${formatShape(padding)})`);
    }
  });
  return padOp.apply([x], { pad: [...padding], value: options.value ?? 0 });
}

// ---- index checks ---------------------------------------------------------------

function checkIndexType(op: string, index: Tensor): void {
  if (index.dtype !== "int32") {
    throw new Error(`${op}: the index must be an int32 tensor, got ${index.dtype}; convert it with .int() or create it with { dtype: "int32" }`);
  }
}

function checkNotScalar(op: string, what: string, t: Tensor): void {
  if (t.ndim === 0) throw new Error(`${op}: expects ${what} with at least one dim, got a 0-d tensor`);
}

/** Every index value must lie in [0, size) of dim `dim` of a tensor of `shape` (negative values are rejected, as in PyTorch). */
function checkIndexValues(op: string, index: Tensor, dim: number, shape: readonly number[]): void {
  const size = shape[dim]!;
  for (const value of valuesOf(index)) {
    if (value < 0 || value >= size) {
      throw new Error(`${op}: index ${value} is out of range for dim ${dim} of size ${size} (shape ${formatShape(shape)}); ` +
        `indices must be in [0, ${size})`);
    }
  }
}

/** A 1-D index (a 0-d index counts as one entry, as in PyTorch). */
function checkIndexVector(op: string, index: Tensor): void {
  checkIndexType(op, index);
  if (index.ndim > 1) throw new Error(`${op}: the index must be 1-D, got shape ${formatShape(index.shape)}`);
}

// ---- indexSelect and indexAdd -----------------------------------------------------

interface IndexAddArgs { dim: number; alpha: number }

/**
 * For a tensor of `shape` whose dim `dim` runs over the entries of an index:
 * the storage position of each element in `target` (strides, offset) with
 * that dim left out, and which index entry each element uses.
 */
function indexedPositions(shape: readonly number[], dim: number, strides: readonly number[], offset: number) {
  const base = storagePositions(shape, withoutDim(strides, dim), offset);
  const entry = storagePositions(shape, shape.map((_, d) => (d === dim ? 1 : 0)), 0);
  return { base, entry };
}

// indexSelect copies the slices x[index[i]] (along dim): d/dx adds each
// slice's gradient back at its index, indexAdd(zeros, dim, index, grad).
const indexSelectOp = defineOp<DimArgs>({
  name: "indexSelect",
  forward: ([x, index], { dim }) => {
    const outShape = x!.shape.map((size, d) => (d === dim ? index!.numel() : size));
    const { result, layout } = emptyResult(outShape, x!.dtype);
    const indices = valuesOf(index!);
    const source = x!.storage.data;
    if (x!.isContiguous()) {
      // Fast path (embedding lookups, minibatches): x is [outer, size, inner] in memory, so each
      // selected slice is a run of `inner` consecutive values, copied in one call.
      const inner = numel(x!.shape.slice(dim + 1));
      const outer = numel(x!.shape.slice(0, dim));
      const size = x!.shape[dim]!;
      let o = 0;
      for (let before = 0; before < outer; before++) {
        for (const i of indices) {
          const start = x!.offset + (before * size + i) * inner;
          layout.data.set(source.subarray(start, start + inner), o);
          o += inner;
        }
      }
      return result;
    }
    const { base, entry } = indexedPositions(outShape, dim, x!.strides, x!.offset);
    const step = x!.strides[dim]!;
    for (let o = 0; o < base.length; o++) layout.data[o] = source[base[o]! + indices[entry[o]!]! * step]!;
    return result;
  },
  backward: (grad, ctx) => [indexAdd(zeros(ctx.inputShape(0), { dtype: grad.dtype }), ctx.args.dim, ctx.input(1), grad), null],
  gradcheck: [
    { inputs: [[4, 3], [5]], args: { dim: 0 }, indexInputs: { 1: 4 }, secondOrder: true },
    { inputs: [[3, 4, 2], [6]], args: { dim: 1 }, indexInputs: { 1: 4 } },
  ],
});

/** The slices of `x` along `dim` at the positions listed in `index` (1-D int32), like torch.index_select. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  checkNotScalar("indexSelect", "an input", x);
  checkIndexVector("indexSelect", index);
  const d = normalizeDim("indexSelect", dim, x.ndim);
  checkIndexValues("indexSelect", index, d, x.shape);
  return indexSelectOp.apply([x, index], { dim: d });
}

// out = x; out[index[i]] += alpha·source[i] (along dim):
// d/dx = 1, d/dsource = alpha·grad[index[i]], i.e. alpha·indexSelect(grad, dim, index).
const indexAddOp = defineOp<IndexAddArgs>({
  name: "indexAdd",
  forward: ([x, index, source], { dim, alpha }) => {
    const { result, layout } = emptyResult(x!.shape, x!.dtype);
    copyStrided(layoutOf(x!), layout.data);
    const { base, entry } = indexedPositions(source!.shape, dim, layout.strides, 0);
    const indices = valuesOf(index!);
    const added = valuesOf(source!);
    const step = layout.strides[dim]!;
    for (let s = 0; s < base.length; s++) {
      const target = base[s]! + indices[entry[s]!]! * step;
      layout.data[target] = layout.data[target]! + alpha * added[s]!;
    }
    return result;
  },
  backward: (grad, ctx) => {
    const { dim, alpha } = ctx.args;
    const gradSource = ctx.needsGrad(2) ? indexSelect(grad, dim, ctx.input(1)) : null;
    return [grad, null, gradSource !== null && alpha !== 1 ? gradSource.mul(alpha) : gradSource];
  },
  gradcheck: [
    { inputs: [[4, 3], [5], [5, 3]], args: { dim: 0, alpha: 1 }, indexInputs: { 1: 4 }, secondOrder: true },
    { inputs: [[3, 4, 2], [3], [3, 3, 2]], args: { dim: 1, alpha: 2 }, indexInputs: { 1: 4 } },
  ],
});

/**
 * x with alpha·source[i] added to the slice index[i] along `dim`, for every i
 * (repeated indices accumulate), like torch.index_add. `source` has x's shape
 * except along `dim`, where it has one slice per index entry.
 */
export function indexAdd(x: Tensor, dim: number, index: Tensor, source: Tensor, options: { alpha?: number } = {}): Tensor {
  checkNotScalar("indexAdd", "an input", x);
  checkIndexVector("indexAdd", index);
  const d = normalizeDim("indexAdd", dim, x.ndim);
  if (source.dtype !== x.dtype) throw new Error(`indexAdd: source (${source.dtype}) must have the same dtype as the input (${x.dtype})`);
  const expected = x.shape.map((size, k) => (k === d ? index.numel() : size));
  if (!sameShape(source.shape, expected)) {
    throw new Error(`indexAdd: source has shape ${formatShape(source.shape)}, but adding ${index.numel()} slices along dim ${d} ` +
      `of a tensor of shape ${formatShape(x.shape)} needs shape ${formatShape(expected)}`);
  }
  checkIndexValues("indexAdd", index, d, x.shape);
  return indexAddOp.apply([x, index, source], { dim: d, alpha: options.alpha ?? 1 });
}

// ---- gather and scatterAdd -----------------------------------------------------------

// gather: out[i][j] = x[index[i][j]][j] (for dim 0): each output element is
// one input element, so d/dx = scatterAdd(zeros, dim, index, grad).
const gatherOp = defineOp<DimArgs>({
  name: "gather",
  forward: ([x, index], { dim }) => {
    const { result, layout } = emptyResult(index!.shape, x!.dtype);
    const base = storagePositions(index!.shape, withoutDim(x!.strides, dim), x!.offset);
    const indices = valuesOf(index!);
    const source = x!.storage.data;
    const step = x!.strides[dim]!;
    for (let o = 0; o < base.length; o++) layout.data[o] = source[base[o]! + indices[o]! * step]!;
    return result;
  },
  backward: (grad, ctx) => [scatterAdd(zeros(ctx.inputShape(0), { dtype: grad.dtype }), ctx.args.dim, ctx.input(1), grad), null],
  gradcheck: [
    { inputs: [[3, 4], [3, 4]], args: { dim: 1 }, indexInputs: { 1: 4 }, secondOrder: true },
    { inputs: [[4, 3], [2, 3]], args: { dim: 0 }, indexInputs: { 1: 4 } },
    { inputs: [[2, 3, 4], [2, 5, 3]], args: { dim: 1 }, indexInputs: { 1: 3 } },
  ],
});

/** Index, input and source must have the same number of dims (source only for scatters). */
function checkSameRank(op: string, x: Tensor, index: Tensor, src?: Tensor): void {
  const tensors = src ? [x, index, src] : [x, index];
  if (tensors.some((t) => t.ndim !== x.ndim)) {
    const shapes = src
      ? `input ${formatShape(x.shape)}, index ${formatShape(index.shape)} and src ${formatShape(src.shape)}`
      : `input ${formatShape(x.shape)} and index ${formatShape(index.shape)}`;
    throw new Error(`${op}: the index must have as many dims as the input${src ? " and src" : ""}, got ${shapes}`);
  }
}

/**
 * Picks, along `dim`, the elements of `x` named by `index`: for dim 1,
 * out[i][j] = x[i][index[i][j]]. The result has the index's shape; the index
 * has x's number of dims and may not be larger than x except along `dim`. Like torch.gather.
 */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  checkNotScalar("gather", "an input", x);
  checkIndexType("gather", index);
  const d = normalizeDim("gather", dim, x.ndim);
  checkSameRank("gather", x, index);
  // As in PyTorch, an empty index skips the size check.
  const tooLarge = index.shape.findIndex((size, k) => k !== d && size > x.shape[k]!);
  if (index.numel() > 0 && tooLarge >= 0) {
    throw new Error(`gather: the index of shape ${formatShape(index.shape)} is larger than the input of shape ${formatShape(x.shape)} ` +
      `at dim ${tooLarge}; only dim ${d}, the one gathered along, may be larger`);
  }
  checkIndexValues("gather", index, d, x.shape);
  return gatherOp.apply([x, index], { dim: d });
}

// scatterAdd: out = x; out[index[i][j]][j] += src[i][j] (for dim 0): d/dx = 1,
// d/dsrc = gather(grad, dim, index), and 0 for src elements beyond the index's shape.
const scatterAddOp = defineOp<DimArgs>({
  name: "scatterAdd",
  forward: ([x, index, src], { dim }) => {
    const { result, layout } = emptyResult(x!.shape, x!.dtype);
    copyStrided(layoutOf(x!), layout.data);
    const target = storagePositions(index!.shape, withoutDim(layout.strides, dim), 0);
    const from = storagePositions(index!.shape, src!.strides, src!.offset);
    const indices = valuesOf(index!);
    const added = src!.storage.data;
    const step = layout.strides[dim]!;
    for (let i = 0; i < target.length; i++) {
      const position = target[i]! + indices[i]! * step;
      layout.data[position] = layout.data[position]! + added[from[i]!]!;
    }
    return result;
  },
  backward: (grad, ctx) => {
    if (!ctx.needsGrad(2)) return [grad, null, null];
    const index = ctx.input(1);
    const srcShape = ctx.inputShape(2);
    const gathered = gather(grad, ctx.args.dim, index);
    if (sameShape(gathered.shape, srcShape)) return [grad, null, gathered];
    // src is larger than the index: its extra elements were not used, their gradient is 0.
    const extra = srcShape.flatMap((size, d) => [0, size - index.shape[d]!]);
    return [grad, null, pad(gathered, reversePairs(extra))];
  },
  gradcheck: [
    { inputs: [[3, 4], [3, 2], [3, 2]], args: { dim: 1 }, indexInputs: { 1: 4 }, secondOrder: true },
    { inputs: [[4, 3], [2, 2], [3, 3]], args: { dim: 0 }, indexInputs: { 1: 4 }, secondOrder: true },
    { inputs: [[2, 3, 4], [2, 5, 3], [2, 5, 4]], args: { dim: 1 }, indexInputs: { 1: 3 } },
  ],
});

/** [b₀, a₀, b₁, a₁, ...] per dim in order, rewritten as F.pad wants it: last dim first. */
function reversePairs(amounts: readonly number[]): number[] {
  const pairs: number[] = [];
  for (let i = amounts.length - 2; i >= 0; i -= 2) pairs.push(amounts[i]!, amounts[i + 1]!);
  return pairs;
}

/**
 * x with src's elements added at the positions named by `index` along `dim`:
 * for dim 0, out[index[i][j]][j] += src[i][j] (repeated indices accumulate).
 * Only the part of src covered by the index's shape is used. Like torch.scatter_add.
 */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  checkNotScalar("scatterAdd", "an input", x);
  checkIndexType("scatterAdd", index);
  const d = normalizeDim("scatterAdd", dim, x.ndim);
  if (src.dtype !== x.dtype) throw new Error(`scatterAdd: src (${src.dtype}) must have the same dtype as the input (${x.dtype})`);
  checkSameRank("scatterAdd", x, index, src);
  const tooLarge = index.shape.findIndex((size, k) => size > src.shape[k]! || (k !== d && size > x.shape[k]!));
  if (index.numel() > 0 && tooLarge >= 0) {
    throw new Error(`scatterAdd: the index of shape ${formatShape(index.shape)} must be no larger than src ${formatShape(src.shape)} ` +
      `in every dim, and no larger than the input ${formatShape(x.shape)} except along dim ${d}; dim ${tooLarge} is too large`);
  }
  checkIndexValues("scatterAdd", index, d, x.shape);
  return scatterAddOp.apply([x, index, src], { dim: d });
}


// Views: new shapes, strides and offsets over the same memory, no copying.
// Plus the copies that go with them (contiguous, clone) and dtype casts.
//
// A view's gradient is the inverse rearrangement of the output's gradient.

import { allocate, castValue, isFloating, type DType } from "../dtype.ts";
import { copyStrided, fromValues, layoutOf, valuesOf, writeStrided } from "../kernels.ts";
import { defineOp } from "../op.ts";
import { contiguousStrides, formatShape, normalizeDim, numel } from "../shape.ts";
import { Tensor } from "../tensor.ts";
import { zeros } from "../creation.ts";

/** Accepts sizes either spread, reshape(2, 3), or as one array, reshape([2, 3]). */
export function sizesFrom(args: readonly (number | readonly number[])[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...(args[0] as number[])];
  return args as number[];
}

/** Resolves a -1 in a requested shape and checks the element count. */
function inferShape(op: string, x: Tensor, requested: number[]): number[] {
  const unknown = requested.filter((s) => s === -1).length;
  if (unknown > 1) throw new Error(`${op}: only one dimension can be -1, got ${formatShape(requested)}`);
  for (const size of requested) {
    if (!Number.isInteger(size) || size < -1) throw new Error(`${op}: invalid size ${size} in ${formatShape(requested)}`);
  }
  const known = requested.reduce((n, s) => (s === -1 ? n : n * s), 1);
  const shape = requested.map((s) => (s === -1 ? (known === 0 ? 0 : x.numel() / known) : s));
  if (numel(shape) !== x.numel() || shape.some((s) => !Number.isInteger(s))) {
    throw new Error(`${op}: shape ${formatShape(requested)} is invalid for a tensor of ${x.numel()} elements (shape ${formatShape(x.shape)})`);
  }
  return shape;
}

/**
 * Strides that show the memory of a tensor (shape, strides) in the `target` shape without
 * copying, or null when no strides can. Old dims that sit back to back in memory
 * (strides[d-1] = strides[d]·shape[d]) form a chunk, which new dims may cut up freely;
 * a new dim may not straddle two chunks. Size-1 dims fit anywhere. (PyTorch's rule for view.)
 */
export function viewStrides(shape: readonly number[], strides: readonly number[], target: readonly number[]): number[] | null {
  if (shape.length === 0 || numel(shape) === 0) return contiguousStrides(target);
  const out = new Array<number>(target.length);
  let t = target.length - 1; // the next new dim to place, from the right
  let chunkStride = strides[shape.length - 1]!; // stride of the chunk's innermost elements
  let chunkSize = 1;
  let placedSize = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    chunkSize *= shape[d]!;
    const chunkEnds = d === 0 || (shape[d - 1] !== 1 && strides[d - 1] !== chunkSize * chunkStride);
    if (!chunkEnds) continue;
    while (t >= 0 && (placedSize < chunkSize || target[t] === 1)) {
      out[t] = placedSize * chunkStride;
      placedSize *= target[t]!;
      t--;
    }
    if (placedSize !== chunkSize) return null;
    if (d > 0) {
      chunkStride = strides[d - 1]!;
      chunkSize = 1;
      placedSize = 1;
    }
  }
  return t === -1 ? out : null;
}

// d(reshape x)/dx is the identity on values: the gradient is reshaped back.
const reshapeOp = defineOp<{ shape: number[] }>({
  name: "reshape",
  forward: ([x], { shape }) => {
    const strides = viewStrides(x!.shape, x!.strides, shape);
    return strides ? Tensor.viewOf(x!, shape, strides, x!.offset) : fromValues(valuesOf(x!).slice(), shape, x!.dtype);
  },
  backward: (grad, ctx) => [grad.reshape(ctx.inputShape(0))],
  gradcheck: [{ inputs: [[2, 6]], args: { shape: [3, 4] }, secondOrder: true }, { inputs: [[4]], args: { shape: [2, 1, 2] } }],
});

/** The same values in a new shape (one size may be -1); a view when the memory layout allows, a copy otherwise. */
export function reshape(x: Tensor, ...shape: (number | readonly number[])[]): Tensor {
  return reshapeOp.apply([x], { shape: inferShape("reshape", x, sizesFrom(shape)) });
}

/** Like reshape, but guaranteed to share memory: the memory layout must allow the new shape (always true when contiguous). */
export function view(x: Tensor, ...shape: (number | readonly number[])[]): Tensor {
  const target = inferShape("view", x, sizesFrom(shape));
  if (viewStrides(x.shape, x.strides, target) === null) {
    throw new Error(`view: the tensor of shape ${formatShape(x.shape)} with strides ${formatShape(x.strides)} is not contiguous, ` +
      `so it cannot be viewed as ${formatShape(target)} without a copy. Use reshape(), or contiguous() first.`);
  }
  return reshapeOp.apply([x], { shape: target });
}

// Permuting dims moves values without changing them: the gradient is permuted back.
const permuteOp = defineOp<{ dims: number[] }>({
  name: "permute",
  forward: ([x], { dims }) => Tensor.viewOf(x!, dims.map((d) => x!.shape[d]!), dims.map((d) => x!.strides[d]!), x!.offset),
  backward: (grad, { args }) => {
    const inverse = new Array<number>(args.dims.length);
    args.dims.forEach((d, i) => (inverse[d] = i));
    return [grad.permute(inverse)];
  },
  gradcheck: [{ inputs: [[2, 3, 4]], args: { dims: [2, 0, 1] }, secondOrder: true }],
});

/** Reorders dims: output dim i is input dim dims[i]. */
export function permute(x: Tensor, ...dimsArgs: (number | readonly number[])[]): Tensor {
  const dims = sizesFrom(dimsArgs).map((d) => normalizeDim("permute", d, x.ndim));
  if (dims.length !== x.ndim || new Set(dims).size !== dims.length) {
    throw new Error(`permute: dims ${formatShape(sizesFrom(dimsArgs))} must be a permutation of the ${x.ndim} dims of a tensor of shape ${formatShape(x.shape)}`);
  }
  return permuteOp.apply([x], { dims });
}

/** Swaps two dims. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const a = normalizeDim("transpose", dim0, x.ndim);
  const b = normalizeDim("transpose", dim1, x.ndim);
  const dims = x.shape.map((_, d) => (d === a ? b : d === b ? a : d));
  return permuteOp.apply([x], { dims });
}

// expand repeats values without copying (stride 0); the engine sums the
// gradient back over the repeated dims, so backward passes it on unchanged.
const expandOp = defineOp<{ shape: number[] }>({
  name: "expand",
  forward: ([x], { shape }) => {
    const shift = shape.length - x!.ndim;
    const strides = shape.map((_, d) => (d < shift || x!.shape[d - shift] === 1 ? 0 : x!.strides[d - shift]!));
    return Tensor.viewOf(x!, shape, strides, x!.offset);
  },
  backward: (grad) => [grad],
  gradcheck: [{ inputs: [[3, 1]], args: { shape: [2, 3, 4] }, secondOrder: true }],
});

/** Broadcasts to a larger shape without copying; -1 keeps a size. Only size-1 dims can grow. */
export function expand(x: Tensor, ...shapeArgs: (number | readonly number[])[]): Tensor {
  const requested = sizesFrom(shapeArgs);
  const shift = requested.length - x.ndim;
  const fail = (why: string) => {
    throw new Error(`expand: cannot expand shape ${formatShape(x.shape)} to ${formatShape(requested)}: ${why}`);
  };
  if (shift < 0) fail("the target has fewer dims");
  const shape = requested.map((size, d) => {
    const own = d >= shift ? x.shape[d - shift]! : undefined;
    if (size === -1) {
      if (own === undefined) fail(`-1 is not allowed for the new leading dim ${d}`);
      return own!;
    }
    if (!Number.isInteger(size) || size < 0) fail(`invalid size ${size}`);
    if (own !== undefined && own !== size && own !== 1) fail(`dim ${d} has size ${own}, which is not 1`);
    return size;
  });
  return expandOp.apply([x], { shape });
}

/** Removes size-1 dims: all of them, or only those listed. */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  const listed = dim === undefined ? null : (typeof dim === "number" ? [dim] : dim).map((d) => normalizeDim("squeeze", d, x.ndim));
  const shape = x.shape.filter((size, d) => size !== 1 || (listed !== null && !listed.includes(d)));
  return reshapeOp.apply([x], { shape });
}

/** Inserts a size-1 dim at position `dim` (which may be ndim, to append). */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim("unsqueeze", dim, x.ndim + 1);
  const shape = [...x.shape.slice(0, d), 1, ...x.shape.slice(d)];
  return reshapeOp.apply([x], { shape });
}

/** Merges dims startDim..endDim into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshapeOp.apply([x], { shape: [1] });
  const start = normalizeDim("flatten", startDim, x.ndim);
  const end = normalizeDim("flatten", endDim, x.ndim);
  if (start > end) throw new Error(`flatten: startDim ${startDim} comes after endDim ${endDim}`);
  const merged = x.shape.slice(start, end + 1).reduce((n, s) => n * s, 1);
  return reshapeOp.apply([x], { shape: [...x.shape.slice(0, start), merged, ...x.shape.slice(end + 1)] });
}

interface SliceArgs { dim: number; start: number; end: number; step: number }

// Slicing picks elements; its gradient puts the output's gradient back in
// those places of a zero tensor of the input's shape.
const sliceOp = defineOp<SliceArgs>({
  name: "slice",
  forward: ([x], { dim, start, end, step }) => {
    const length = Math.max(0, Math.ceil((end - start) / step));
    const shape = x!.shape.map((s, d) => (d === dim ? length : s));
    const strides = x!.strides.map((s, d) => (d === dim ? s * step : s));
    return Tensor.viewOf(x!, shape, strides, x!.offset + start * x!.strides[dim]!);
  },
  backward: (grad, ctx) => [sliceScatter(zeros(ctx.inputShape(0), { dtype: grad.dtype }), grad, ctx.args)],
  gradcheck: [{ inputs: [[5, 4]], args: { dim: 0, start: 1, end: 5, step: 2 }, secondOrder: true }],
});

/** Python-style bounds: negatives count from the end, out-of-range values are clamped. */
function resolveBound(bound: number | null | undefined, fallback: number, size: number): number {
  if (bound === null || bound === undefined) return fallback;
  if (!Number.isInteger(bound)) throw new Error(`slice: bounds must be integers, got ${bound}`);
  const resolved = bound < 0 ? bound + size : bound;
  return Math.min(Math.max(resolved, 0), size);
}

/** x[start:end:step] along `dim` (a view). Bounds follow Python: negative from the end, clamped to the size. */
export function slice(x: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
  const d = normalizeDim("slice", dim, x.ndim);
  if (!Number.isInteger(step) || step <= 0) throw new Error(`slice: step must be a positive integer, got ${step}`);
  const size = x.shape[d]!;
  const from = resolveBound(start, 0, size);
  const to = Math.max(from, resolveBound(end, size, size));
  return sliceOp.apply([x], { dim: d, start: from, end: to, step });
}

/** `length` elements from `start` along `dim` (a view); unlike slice, the range must fit. */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim("narrow", dim, x.ndim);
  const size = x.shape[d]!;
  const from = start < 0 ? start + size : start;
  if (!Number.isInteger(from) || !Number.isInteger(length) || from < 0 || length < 0 || from + length > size) {
    throw new Error(`narrow: start ${start} and length ${length} do not fit in dim ${dim} of size ${size} (shape ${formatShape(x.shape)})`);
  }
  return sliceOp.apply([x], { dim: d, start: from, end: from + length, step: 1 });
}

/** The slice at `index` along `dim`, with that dim removed. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normalizeDim("select", dim, x.ndim);
  const size = x.shape[d]!;
  if (!Number.isInteger(index) || index < -size || index >= size) {
    throw new Error(`select: index ${index} is out of range for dim ${dim} of size ${size} (shape ${formatShape(x.shape)})`);
  }
  const i = index < 0 ? index + size : index;
  return squeeze(sliceOp.apply([x], { dim: d, start: i, end: i + 1, step: 1 }), d);
}

// sliceScatter(x, src) is x with x[start:end:step] (on dim) replaced by src:
// d/dx passes the gradient except in the slice; d/dsrc is the gradient's slice.
const sliceScatterOp = defineOp<SliceArgs>({
  name: "sliceScatter",
  forward: ([x, src], { dim, start, end, step }) => {
    const out = fromValues(valuesOf(x!).slice(), x!.shape, x!.dtype);
    const target = sliceOp.forward([out], { dim, start, end, step }, { save: () => {} });
    writeStrided(layoutOf(target), valuesOf(src!.to(x!.dtype).expand(target.shape).contiguous()));
    return out;
  },
  backward: (grad, { args, needsGrad }) => [
    needsGrad(0) ? sliceScatter(grad, zeros(sliceShape(grad, args), { dtype: grad.dtype }), args) : null,
    needsGrad(1) ? slice(grad, args.dim, args.start, args.end, args.step) : null,
  ],
  gradcheck: [{ inputs: [[5, 3], [2, 3]], args: { dim: 0, start: 1, end: 5, step: 2 }, secondOrder: true }],
});

function sliceShape(x: Tensor, { dim, start, end, step }: SliceArgs): number[] {
  return x.shape.map((s, d) => (d === dim ? Math.max(0, Math.ceil((end - start) / step)) : s));
}

/** x with the slice [start:end:step] along dim replaced by src (broadcast to the slice's shape). */
export function sliceScatter(x: Tensor, src: Tensor, args: SliceArgs): Tensor {
  return sliceScatterOp.apply([x, src], args);
}

// A copy has the identity as its derivative.
const cloneOp = defineOp({
  name: "clone",
  forward: ([x]) => {
    const out = allocate(x!.dtype, x!.numel());
    copyStrided(layoutOf(x!), out);
    return fromValues(out, x!.shape, x!.dtype);
  },
  backward: (grad) => [grad],
  gradcheck: [{ inputs: [[3, 4]], secondOrder: true }],
});

/** A copy with its own memory (contiguous); gradients flow through it. */
export function clone(x: Tensor): Tensor {
  return cloneOp.apply([x], undefined);
}

/** The tensor itself when contiguous, else a contiguous copy. */
export function contiguous(x: Tensor): Tensor {
  return x.isContiguous() ? x : clone(x);
}

// Casting between float types: the gradient is cast back. Casts to int or
// bool are not differentiable (the result is piecewise constant).
const toOp = defineOp<{ dtype: DType }>({
  name: "to",
  forward: ([x], { dtype }) => {
    const values = valuesOf(x!);
    const out = allocate(dtype, values.length);
    for (let i = 0; i < values.length; i++) out[i] = castValue(values[i]!, dtype);
    return fromValues(out, x!.shape, dtype);
  },
  backward: (grad, ctx) => [grad.to(ctx.inputDType(0))],
  gradcheck: [{ inputs: [[3, 4]], args: { dtype: "float64" } }],
});

/** The tensor in another dtype (itself if already that dtype). */
export function to(x: Tensor, dtype: DType): Tensor {
  if (dtype === x.dtype) return x;
  if (!isFloating(dtype)) return toOp.forward([x], { dtype }, { save: () => {} });
  return toOp.apply([x], { dtype });
}

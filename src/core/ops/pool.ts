// Max pooling: each output is the largest value of a window of its input plane.
//
//   out[n, c, oh, ow] = max over (kh, kw) of input[n, c, oh·sH − pH + kh·dH, ow·sW − pW + kw·dW]
//
// (per spatial dim: kernel k, stride s, padding p, dilation d). Taps that land
// on the padding count as −Infinity, so they are never the maximum. Along with
// each maximum the forward finds WHERE it is: the flat index h·W + w into its
// input plane, which PyTorch calls the indices. The gradient flows to those
// positions only:
//
//   d out[n, c, oh, ow] / d input[n, c, h, w] = 1 if (h, w) is that window's argmax, else 0
//
// so the backward scatters the output's gradient into a zero input at the
// saved indices (scatterAdd). The gradient of scatterAdd is a gather at the
// same indices, so max pooling can be differentiated as many times as you like.
//
// Why a new op rather than a composition: a window's maximum AND its position
// are one pass over the window here; composing it (a slice per kernel tap,
// then amax) would copy the input k² times and share a tie's gradient between
// the tied elements, where PyTorch gives it all to the first.
//
// Two ops share the kernel: "maxPool2d" (the values, differentiable) and
// "maxPool2dIndices" (the int32 indices, not differentiable, like argmax).
// maxPool1d is a maxPool2d of height 1.

import { zeros } from "../creation.ts";
import { allocate, isFloating } from "../dtype.ts";
import { fromValues, valuesOf } from "../kernels.ts";
import { defineOp } from "../op.ts";
import { formatShape } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import type { SpatialSize } from "./conv.ts";
import { scatterAdd } from "./shape.ts";

// ---- geometry -------------------------------------------------------------------

/** A 2-D pooling window fully resolved: [height, width] pairs. */
export interface Pool2dGeometry {
  kernelSize: [number, number];
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  ceilMode: boolean;
}

/**
 * Number of windows along one dim, PyTorch's rule:
 *   floor((size + 2·padding − dilation·(kernel − 1) − 1) / stride) + 1
 * In ceil mode the division rounds up, which adds a last, partial window,
 * unless that window would start beyond the input and its left padding.
 */
export function poolOutputSize(size: number, kernel: number, stride: number, padding: number, dilation: number, ceilMode: boolean): number {
  const room = size + 2 * padding - dilation * (kernel - 1) - 1;
  let count = Math.floor((room + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (ceilMode && (count - 1) * stride >= size + padding) count--;
  return count;
}

/**
 * For each of `count` windows along a dim of `size` elements: the input
 * positions its taps land on, leaving out those on the padding.
 */
export function windowTaps(size: number, count: number, kernel: number, stride: number, padding: number, dilation: number): number[][] {
  return Array.from({ length: count }, (_, o) => {
    const taps: number[] = [];
    for (let k = 0; k < kernel; k++) {
      const position = o * stride - padding + k * dilation;
      if (position >= 0 && position < size) taps.push(position);
    }
    return taps;
  });
}

/** [outH, outW] of a pooling of an [N, C, H, W] input. */
export function pooledSize(shape: readonly number[], g: Pool2dGeometry): [number, number] {
  return [0, 1].map((i) =>
    poolOutputSize(shape[2 + i]!, g.kernelSize[i]!, g.stride[i]!, g.padding[i]!, g.dilation[i]!, g.ceilMode)) as [number, number];
}

// ---- the kernel ---------------------------------------------------------------------

/**
 * The maximum of every window of an [N, C, H, W] input and its flat index
 * h·W + w in the input plane. As in PyTorch, the first maximum wins a tie and
 * a NaN counts as larger than everything (the last NaN of a window wins).
 */
function findWindowMaxima(x: Tensor, g: Pool2dGeometry): { values: Tensor; indices: Tensor } {
  const [batch, channels, height, width] = x.shape as [number, number, number, number];
  const [outHeight, outWidth] = pooledSize(x.shape, g);
  const rowTaps = windowTaps(height, outHeight, g.kernelSize[0], g.stride[0], g.padding[0], g.dilation[0]);
  const colTaps = windowTaps(width, outWidth, g.kernelSize[1], g.stride[1], g.padding[1], g.dilation[1]);
  const input = valuesOf(x);
  const planeSize = height * width;
  const values = allocate(x.dtype, batch * channels * outHeight * outWidth);
  const indices = new Int32Array(values.length);
  let o = 0;
  for (let plane = 0; plane < batch * channels; plane++) {
    const start = plane * planeSize;
    for (const rows of rowTaps) {
      for (const cols of colTaps) {
        let bestIndex = rows[0]! * width + cols[0]!;
        let best = -Infinity;
        for (const h of rows) {
          for (const w of cols) {
            const value = input[start + h * width + w]!;
            if (value > best || Number.isNaN(value)) {
              best = value;
              bestIndex = h * width + w;
            }
          }
        }
        values[o] = best;
        indices[o++] = bestIndex;
      }
    }
  }
  const outShape = [batch, channels, outHeight, outWidth];
  return { values: fromValues(values, outShape, x.dtype), indices: fromValues(indices, outShape, "int32") };
}

// ---- the ops ----------------------------------------------------------------------------

/** A geometry for the gradcheck cases: defaults stride = kernel, padding 0, dilation 1. */
function geometry2d(kernelSize: [number, number], options: Partial<Pool2dGeometry> = {}): Pool2dGeometry {
  return { kernelSize, stride: kernelSize, padding: [0, 0], dilation: [1, 1], ceilMode: false, ...options };
}

// d out/d x = 1 at each window's argmax, 0 elsewhere: the output's gradient is scattered to the saved indices.
const maxPool2dOp = defineOp<Pool2dGeometry>({
  name: "maxPool2d",
  forward: ([x], geometry, ctx) => {
    const { values, indices } = findWindowMaxima(x!, geometry);
    ctx.save("indices", indices);
    return values;
  },
  backward: (grad, ctx) => {
    const [batch, channels, height, width] = ctx.inputShape(0) as [number, number, number, number];
    const indices = ctx.saved<Tensor>("indices").reshape([batch, channels, -1]);
    const planes = zeros([batch, channels, height * width], { dtype: grad.dtype });
    return [scatterAdd(planes, 2, indices, grad.reshape([batch, channels, -1])).reshape([batch, channels, height, width])];
  },
  // Inputs are N(0, 1) draws: a tie (which would make the gradient jump) has probability 0.
  gradcheck: [
    { inputs: [[1, 1, 4, 4]], args: geometry2d([2, 2]), secondOrder: true },
    // overlapping windows: one element can be the maximum of several windows
    { inputs: [[2, 2, 4, 5]], args: geometry2d([2, 2], { stride: [1, 1] }), secondOrder: true },
    { inputs: [[2, 3, 5, 5]], args: geometry2d([3, 3], { stride: [2, 2], padding: [1, 1] }) },
    { inputs: [[1, 2, 5, 7]], args: geometry2d([2, 3], { stride: [1, 2], padding: [1, 0], dilation: [2, 1], ceilMode: true }) },
    { inputs: [[2, 1, 5, 6]], args: geometry2d([2, 2], { ceilMode: true }) },
  ],
});

// Positions are integers: no gradient.
const maxPool2dIndicesOp = defineOp<Pool2dGeometry>({
  name: "maxPool2dIndices",
  forward: ([x], geometry) => findWindowMaxima(x!, geometry).indices,
});

// ---- checking a call ----------------------------------------------------------------------

/** What a call looks like to its checks: the function's name and its number of spatial dims. */
export interface PoolCall {
  op: string;
  spatialDims: 1 | 2;
}

export interface PoolOptions {
  /** The window's size: one number, or one per spatial dim. */
  kernelSize: SpatialSize;
  /** How far the window moves (default: the kernel size, so windows do not overlap). */
  stride?: SpatialSize | null;
  /** Added on both sides of each spatial dim (default 0); at most half the kernel size. */
  padding?: SpatialSize;
  /** Spacing between the window's taps (default 1). */
  dilation?: SpatialSize;
  /** Round the number of windows up, adding a partial window at the end (default false). */
  ceilMode?: boolean;
}

/** The options after the kernel size, when the kernel size is given on its own as PyTorch's second argument. */
export type Rest<Options extends PoolOptions> = Omit<Options, "kernelSize">;

/**
 * Pooling functions take the kernel size as PyTorch does, either second
 * (`maxPool2d(x, 2, { stride: 1 })`, like `max_pool2d(x, 2, stride=1)`) or
 * by name (`maxPool2d(x, { kernelSize: 2 })`, like `max_pool2d(x, kernel_size=2)`).
 */
export function poolingOptions<Options extends PoolOptions>(kernelOrOptions: SpatialSize | Options, rest: Rest<Options>): Options {
  if (typeof kernelOrOptions === "number" || Array.isArray(kernelOrOptions)) return { ...rest, kernelSize: kernelOrOptions } as Options;
  return kernelOrOptions as Options;
}

export interface MaxPoolOptions extends PoolOptions {
  /** Also return where each maximum is (default false). */
  returnIndices?: boolean;
}

const UNBATCHED = { 1: "[C, L]", 2: "[C, H, W]" } as const;
const BATCHED = { 1: "[N, C, L]", 2: "[N, C, H, W]" } as const;

/** Input rank spatialDims + 1 (unbatched) or + 2 (batched), floating point, no empty plane; returns whether it is batched. */
export function checkPoolInput({ op, spatialDims }: PoolCall, input: Tensor): boolean {
  if (input.ndim !== spatialDims + 1 && input.ndim !== spatialDims + 2) {
    throw new Error(`${op}: expected a ${spatialDims + 1}-D (unbatched ${UNBATCHED[spatialDims]}) or ${spatialDims + 2}-D ` +
      `(batched ${BATCHED[spatialDims]}) input, got shape ${formatShape(input.shape)} (${input.ndim}-D)`);
  }
  if (!isFloating(input.dtype)) {
    throw new Error(`${op}: the input must be float32 or float64, got ${input.dtype}; convert it first, e.g. input.float()`);
  }
  const batched = input.ndim === spatialDims + 2;
  if (input.shape.slice(batched ? 1 : 0).some((size) => size === 0)) {
    throw new Error(`${op}: the input ${formatShape(input.shape)} has an empty channel or spatial dim; only the batch may be empty`);
  }
  return batched;
}

/** One integer per spatial dim, from a number or a list. */
export function spatialList({ op, spatialDims }: PoolCall, name: string, value: SpatialSize): number[] {
  const list = typeof value === "number" ? new Array<number>(spatialDims).fill(value) : [...value];
  if (list.length !== spatialDims || list.some((v) => !Number.isInteger(v))) {
    throw new Error(`${op}: ${name} must be an integer or a list of ${spatialDims} integers (one per spatial dim), got ${JSON.stringify(value)}`);
  }
  return list;
}

/** The sizes of the spatial dims of an input (the last one or two dims). */
function spatialSizes({ spatialDims }: PoolCall, input: Tensor): number[] {
  return input.shape.slice(-spatialDims);
}

/**
 * Checks the options of a pooling call against the input and returns its
 * 2-D geometry (a 1-D pooling is a 2-D one of height 1: kernel 1, stride 1,
 * no padding along the height).
 */
export function resolvePooling(call: PoolCall, input: Tensor, options: PoolOptions): Pool2dGeometry {
  const { op } = call;
  if (options.kernelSize === undefined) throw new Error(`${op}: kernelSize is required`);
  const kernel = spatialList(call, "kernelSize", options.kernelSize);
  const stride = spatialList(call, "stride", options.stride ?? options.kernelSize);
  const padding = spatialList(call, "padding", options.padding ?? 0);
  const dilation = spatialList(call, "dilation", options.dilation ?? 1);
  for (const [name, list] of [["kernelSize", kernel], ["stride", stride], ["dilation", dilation]] as const) {
    if (list.some((v) => v <= 0)) throw new Error(`${op}: ${name} must be positive, got ${formatShape(list)}`);
  }
  if (padding.some((p, i) => p < 0 || p > kernel[i]! / 2)) {
    throw new Error(`${op}: padding ${formatShape(padding)} must be between 0 and half the kernel size ${formatShape(kernel)}: ` +
      `a window may not be mostly padding`);
  }
  const ceilMode = options.ceilMode ?? false;
  const sizes = spatialSizes(call, input);
  const counts = sizes.map((size, i) => poolOutputSize(size, kernel[i]!, stride[i]!, padding[i]!, dilation[i]!, ceilMode));
  if (counts.some((n) => n < 1)) {
    const spread = dilation.some((d) => d !== 1) ? `, dilation ${formatShape(dilation)}` : "";
    throw new Error(`${op}: the input ${formatShape(input.shape)} is too small for a window of size ${kernel.join("×")}` +
      `${spread} and padding ${formatShape(padding)}: the output would be ${counts.join("×")}`);
  }
  sizes.forEach((size, i) => {
    const taps = windowTaps(size, counts[i]!, kernel[i]!, stride[i]!, padding[i]!, dilation[i]!);
    const empty = taps.findIndex((t) => t.length === 0);
    if (empty >= 0) {
      throw new Error(`${op}: window ${empty} along spatial dim ${i} covers only padding (size ${size}, kernel ${kernel[i]}, ` +
        `dilation ${dilation[i]}, padding ${padding[i]}), so it has no value; use less dilation or padding`);
    }
  });
  const asPair = (list: number[], heightIfLine: number): [number, number] =>
    call.spatialDims === 1 ? [heightIfLine, list[0]!] : [list[0]!, list[1]!];
  return { kernelSize: asPair(kernel, 1), stride: asPair(stride, 1), padding: asPair(padding, 0), dilation: asPair(dilation, 1), ceilMode };
}

/** The input as a batch of 2-D planes [N, C, H, W]: a batch of one for an unbatched input, height 1 for a 1-D pooling. */
export function toPlanes(call: PoolCall, input: Tensor, batched: boolean): Tensor {
  const withBatch = batched ? input : input.unsqueeze(0);
  return call.spatialDims === 1 ? withBatch.unsqueeze(2) : withBatch;
}

/** Undoes toPlanes on a result. */
export function fromPlanes(call: PoolCall, result: Tensor, batched: boolean): Tensor {
  const withoutHeight = call.spatialDims === 1 ? result.squeeze(2) : result;
  return batched ? withoutHeight : withoutHeight.squeeze(0);
}

// ---- the public functions ---------------------------------------------------------------

function maxPool(call: PoolCall, input: Tensor, options: MaxPoolOptions): Tensor | [Tensor, Tensor] {
  const batched = checkPoolInput(call, input);
  const geometry = resolvePooling(call, input, options);
  const planes = toPlanes(call, input, batched);
  const values = fromPlanes(call, maxPool2dOp.apply([planes], geometry), batched);
  if (!options.returnIndices) return values;
  // An op gives one tensor: the positions come from a second pass of the same kernel.
  const indices = fromPlanes(call, maxPool2dIndicesOp.apply([planes], geometry), batched);
  return [values, indices];
}

/**
 * 2-D max pooling, like torch.nn.functional.max_pool2d: input [N, C, H, W] or
 * [C, H, W]; output [N, C, oH, oW] with oH = floor((H + 2·padH − dilH·(kH − 1) − 1) / strideH) + 1
 * (rounded up in ceil mode). stride defaults to kernelSize. With returnIndices,
 * returns [output, indices]: int32 flat positions h·W + w in each input plane.
 */
export function maxPool2d(input: Tensor, kernelSize: SpatialSize, options: Rest<MaxPoolOptions> & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(input: Tensor, options: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool2d(input: Tensor, kernelSize: SpatialSize, options?: Rest<MaxPoolOptions> & { returnIndices?: false }): Tensor;
export function maxPool2d(input: Tensor, options: MaxPoolOptions & { returnIndices?: false }): Tensor;
export function maxPool2d(input: Tensor, options: MaxPoolOptions): Tensor | [Tensor, Tensor];
export function maxPool2d(input: Tensor, kernelOrOptions: SpatialSize | MaxPoolOptions, rest: Rest<MaxPoolOptions> = {}): Tensor | [Tensor, Tensor] {
  return maxPool({ op: "maxPool2d", spatialDims: 2 }, input, poolingOptions(kernelOrOptions, rest));
}

/**
 * 1-D max pooling, like torch.nn.functional.max_pool1d: input [N, C, L] or
 * [C, L]; a maxPool2d of height 1. With returnIndices, returns [output, indices]
 * (int32 positions along L).
 */
export function maxPool1d(input: Tensor, kernelSize: SpatialSize, options: Rest<MaxPoolOptions> & { returnIndices: true }): [Tensor, Tensor];
export function maxPool1d(input: Tensor, options: MaxPoolOptions & { returnIndices: true }): [Tensor, Tensor];
export function maxPool1d(input: Tensor, kernelSize: SpatialSize, options?: Rest<MaxPoolOptions> & { returnIndices?: false }): Tensor;
export function maxPool1d(input: Tensor, options: MaxPoolOptions & { returnIndices?: false }): Tensor;
export function maxPool1d(input: Tensor, options: MaxPoolOptions): Tensor | [Tensor, Tensor];
export function maxPool1d(input: Tensor, kernelOrOptions: SpatialSize | MaxPoolOptions, rest: Rest<MaxPoolOptions> = {}): Tensor | [Tensor, Tensor] {
  return maxPool({ op: "maxPool1d", spatialDims: 1 }, input, poolingOptions(kernelOrOptions, rest));
}

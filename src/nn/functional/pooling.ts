// Pooling and upsampling: F.maxPool2d/1d, F.avgPool2d/1d, F.adaptiveAvgPool2d/1d
// and F.interpolate (mode "nearest").
//
// Max pooling needs its own op (src/core/ops/pool.ts). Everything else here is
// linear in the input and is built from ops that already have gradients:
//   average pooling   = the window sums (a convolution with a kernel of ones) ÷ each window's count
//   adaptive average  = A_h · x · A_wᵀ, with small averaging matrices
//   nearest upsampling = picking rows and columns (indexSelect)

import { ones, tensor } from "../../core/creation.ts";
import { isFloating, type DType } from "../../core/dtype.ts";
import { conv2d, type SpatialSize } from "../../core/ops/conv.ts";
import {
  checkPoolInput, fromPlanes, pooledSize, poolingOptions, resolvePooling, toPlanes, type Pool2dGeometry, type PoolCall, type PoolOptions,
  type Rest,
} from "../../core/ops/pool.ts";
import { pad } from "../../core/ops/shape.ts";
import { formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";

export { maxPool1d, maxPool2d, type MaxPoolOptions, type PoolOptions } from "../../core/ops/pool.ts";

// ---- average pooling ------------------------------------------------------------------

export interface AvgPoolOptions extends Omit<PoolOptions, "dilation"> {
  /** Whether the zeros of the padding count in a window's average (default true). */
  countIncludePad?: boolean;
}

export interface AvgPool2dOptions extends AvgPoolOptions {
  /** Divide every window's sum by this number instead of its count. */
  divisorOverride?: number | null;
}

/**
 * The sum of every window of [N, C, H, W] planes: a convolution of each plane
 * with a kernel of ones. The padding is zeros; in ceil mode the last, partial
 * windows run past the padding, so zeros are added there too.
 */
function windowSums(planes: Tensor, g: Pool2dGeometry, outSize: [number, number]): Tensor {
  const [batch, channels, height, width] = planes.shape as [number, number, number, number];
  const [kernelH, kernelW] = g.kernelSize;
  const [padH, padW] = g.padding;
  // The padded input must reach the end of the last window: (out − 1)·stride + kernel.
  const extraH = Math.max(0, (outSize[0] - 1) * g.stride[0] + kernelH - (height + 2 * padH));
  const extraW = Math.max(0, (outSize[1] - 1) * g.stride[1] + kernelW - (width + 2 * padW));
  const padded = pad(planes.reshape([batch * channels, 1, height, width]), [padW, padW + extraW, padH, padH + extraH]);
  const sums = conv2d(padded, ones([1, 1, kernelH, kernelW], { dtype: planes.dtype }), null, { stride: g.stride });
  return sums.reshape([batch, channels, ...outSize]);
}

/**
 * How many elements each window along one dim divides by, as PyTorch counts
 * them: the window clipped to the padded input (countIncludePad), or to the
 * input itself.
 */
function windowCounts(size: number, count: number, kernel: number, stride: number, padding: number, countIncludePad: boolean): number[] {
  return Array.from({ length: count }, (_, o) => {
    const start = o * stride - padding;
    const end = Math.min(start + kernel, size + padding);
    return countIncludePad ? end - start : Math.min(end, size) - Math.max(start, 0);
  });
}

/** The divisor of every output position, [oH, oW]: the product of the counts along each dim. */
function windowDivisors(inSize: [number, number], outSize: [number, number], g: Pool2dGeometry, countIncludePad: boolean, dtype: DType): Tensor {
  const [rows, cols] = [0, 1].map((i) => windowCounts(inSize[i]!, outSize[i]!, g.kernelSize[i]!, g.stride[i]!, g.padding[i]!, countIncludePad));
  return tensor(rows!.map((r) => cols!.map((c) => r * c)), { dtype });
}

function avgPool(call: PoolCall, input: Tensor, options: AvgPool2dOptions): Tensor {
  const batched = checkPoolInput(call, input);
  const { divisorOverride = null, countIncludePad = true } = options;
  if (divisorOverride !== null && (!Number.isFinite(divisorOverride) || divisorOverride === 0)) {
    throw new Error(`${call.op}: divisorOverride must be a non-zero number, got ${divisorOverride}`);
  }
  const geometry = resolvePooling(call, input, { ...options, dilation: 1 });
  const planes = toPlanes(call, input, batched);
  const inSize: [number, number] = [planes.shape[2]!, planes.shape[3]!];
  const outSize = pooledSize(planes.shape, geometry);
  const sums = windowSums(planes, geometry, outSize);
  // y = Σ window / count
  const divisor = divisorOverride ?? windowDivisors(inSize, outSize, geometry, countIncludePad, input.dtype);
  return fromPlanes(call, sums.div(divisor), batched);
}

/**
 * 2-D average pooling, like torch.nn.functional.avg_pool2d: input [N, C, H, W]
 * or [C, H, W]; each output is the mean of a kH×kW window. stride defaults to
 * kernelSize. With padding, countIncludePad (default true) counts the zeros
 * of the padding in the mean; divisorOverride replaces the count altogether.
 */
export function avgPool2d(input: Tensor, kernelSize: SpatialSize, options?: Rest<AvgPool2dOptions>): Tensor;
export function avgPool2d(input: Tensor, options: AvgPool2dOptions): Tensor;
export function avgPool2d(input: Tensor, kernelOrOptions: SpatialSize | AvgPool2dOptions, rest: Rest<AvgPool2dOptions> = {}): Tensor {
  return avgPool({ op: "avgPool2d", spatialDims: 2 }, input, poolingOptions(kernelOrOptions, rest));
}

/** 1-D average pooling, like torch.nn.functional.avg_pool1d: input [N, C, L] or [C, L]. */
export function avgPool1d(input: Tensor, kernelSize: SpatialSize, options?: Rest<AvgPoolOptions>): Tensor;
export function avgPool1d(input: Tensor, options: AvgPoolOptions): Tensor;
export function avgPool1d(input: Tensor, kernelOrOptions: SpatialSize | AvgPoolOptions, rest: Rest<AvgPoolOptions> = {}): Tensor {
  return avgPool({ op: "avgPool1d", spatialDims: 1 }, input, poolingOptions(kernelOrOptions, rest));
}

// ---- adaptive average pooling ------------------------------------------------------------

/**
 * A [count, size] matrix whose row i averages the bin of output i, PyTorch's
 * bins: from floor(i·size/count) up to (not including) ceil((i+1)·size/count).
 * Bins may overlap when the sizes do not divide.
 */
function averagingMatrix(size: number, count: number, dtype: DType): Tensor {
  const rows = Array.from({ length: count }, (_, i) => {
    const start = Math.floor((i * size) / count);
    const end = Math.ceil(((i + 1) * size) / count);
    return Array.from({ length: size }, (_, j) => (j >= start && j < end ? 1 / (end - start) : 0));
  });
  return tensor(rows, { dtype });
}

/** Output sizes: positive integers, one per spatial dim; null keeps that dim's input size. */
function adaptiveSizes(call: PoolCall, input: Tensor, outputSize: number | readonly (number | null)[]): number[] {
  const { op, spatialDims } = call;
  const list = typeof outputSize === "number" ? new Array<number>(spatialDims).fill(outputSize) : [...outputSize];
  const inputSizes = input.shape.slice(-spatialDims);
  const sizes = list.map((size, i) => size ?? inputSizes[i]!);
  if (sizes.length !== spatialDims || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new Error(`${op}: outputSize must be a positive integer or a list of ${spatialDims} (positive integers or null), ` +
      `got ${JSON.stringify(outputSize)}`);
  }
  return sizes;
}

function checkAdaptiveInput({ op, spatialDims }: PoolCall, input: Tensor): void {
  const shapes = spatialDims === 1 ? "[C, L] or [N, C, L]" : "[C, H, W] or [N, C, H, W]";
  if (input.ndim !== spatialDims + 1 && input.ndim !== spatialDims + 2) {
    throw new Error(`${op}: expected a ${spatialDims + 1}-D or ${spatialDims + 2}-D input ${shapes}, got shape ${formatShape(input.shape)}`);
  }
  if (!isFloating(input.dtype)) throw new Error(`${op}: the input must be float32 or float64, got ${input.dtype}`);
  if (input.shape.slice(-spatialDims).some((s) => s === 0)) {
    throw new Error(`${op}: the input ${formatShape(input.shape)} has an empty spatial dim`);
  }
}

/**
 * Average pooling to a fixed output size whatever the input size, like
 * torch.nn.functional.adaptive_avg_pool2d: input [N, C, H, W] or [C, H, W],
 * output [..., oH, oW]; outputSize is a number or [oH, oW] (null keeps that size).
 * out = A_h · x · A_wᵀ with A_h [oH, H] and A_w [oW, W] averaging matrices.
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: number | readonly (number | null)[]): Tensor {
  const call: PoolCall = { op: "adaptiveAvgPool2d", spatialDims: 2 };
  checkAdaptiveInput(call, input);
  const [outHeight, outWidth] = adaptiveSizes(call, input, outputSize) as [number, number];
  const [height, width] = input.shape.slice(-2) as [number, number];
  const averageRows = averagingMatrix(height, outHeight, input.dtype);
  const averageCols = averagingMatrix(width, outWidth, input.dtype);
  return averageRows.matmul(input).matmul(averageCols.T);
}

/** Adaptive average pooling over the last dim, like torch.nn.functional.adaptive_avg_pool1d: input [N, C, L] or [C, L]. */
export function adaptiveAvgPool1d(input: Tensor, outputSize: number | readonly (number | null)[]): Tensor {
  const call: PoolCall = { op: "adaptiveAvgPool1d", spatialDims: 1 };
  checkAdaptiveInput(call, input);
  const [outLength] = adaptiveSizes(call, input, outputSize) as [number];
  return input.matmul(averagingMatrix(input.shape[input.ndim - 1]!, outLength, input.dtype).T);
}

// ---- upsampling -----------------------------------------------------------------------------

export interface InterpolateOptions {
  /** The output's spatial size: one number for every spatial dim, or one each. */
  size?: SpatialSize | null;
  /** Or a multiplier of the input's spatial size (output = floor(input · scaleFactor)). */
  scaleFactor?: number | readonly number[] | null;
  /** Only "nearest" is implemented. */
  mode?: "nearest";
  /** Compute the index scale from the output size rather than from scaleFactor (default false). */
  recomputeScaleFactor?: boolean | null;
}

/**
 * For each of `outSize` outputs, the input position it copies, exactly as
 * PyTorch's CPU kernel computes it: floor(dst · scale) with scale = in/out
 * (or 1/scaleFactor), the product rounded to float32 before the floor, and
 * for float32 tensors the scale too. The rounding decides some cases: from
 * 26 to 46 elements, output 23 reads 23·26/46 = 13, but the product in
 * doubles is 12.999999999999998 (float32 rounding restores 13); in float32,
 * from 14 to 46, the scale rounds down and output 23 reads 6, not 7.
 */
export function nearestSourceIndices(inSize: number, outSize: number, scale: number, dtype: DType): number[] {
  const s = dtype === "float32" ? Math.fround(scale) : scale;
  return Array.from({ length: outSize }, (_, dst) => Math.min(Math.floor(Math.fround(dst * s)), inSize - 1));
}

/** One value per spatial dim from a number or a list; `name` is for the error. */
function perSpatialDim(input: Tensor, name: string, value: number | readonly number[]): number[] {
  const spatialDims = input.ndim - 2;
  const list = typeof value === "number" ? new Array<number>(spatialDims).fill(value) : [...value];
  if (list.length !== spatialDims) {
    throw new Error(`interpolate: ${name} ${JSON.stringify(value)} must give one value per spatial dim of the input ` +
      `${formatShape(input.shape)}, which has ${spatialDims} (${formatShape(input.shape.slice(2))})`);
  }
  return list;
}

/** Output sizes and index scales per spatial dim, from either size or scaleFactor. */
function resizePlan(input: Tensor, options: InterpolateOptions): { sizes: number[]; scales: number[] } {
  const { size = null, scaleFactor = null, recomputeScaleFactor = false } = options;
  const inSizes = input.shape.slice(2);
  if ((size === null) === (scaleFactor === null)) {
    throw new Error(`interpolate: give exactly one of size and scaleFactor, got ${size === null ? "neither" : "both"}`);
  }
  if (size !== null) {
    const sizes = perSpatialDim(input, "size", size);
    if (sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new Error(`interpolate: size must hold positive integers, got ${JSON.stringify(size)}`);
    return { sizes, scales: sizes.map((s, i) => inSizes[i]! / s) };
  }
  const factors = perSpatialDim(input, "scaleFactor", scaleFactor!);
  if (factors.some((f) => !(f > 0) || !Number.isFinite(f))) {
    throw new Error(`interpolate: scaleFactor must be positive, got ${JSON.stringify(scaleFactor)}`);
  }
  const sizes = factors.map((f, i) => Math.floor(inSizes[i]! * f));
  const empty = sizes.findIndex((s) => s < 1);
  if (empty >= 0) {
    throw new Error(`interpolate: scaleFactor ${factors[empty]} turns spatial size ${inSizes[empty]} into ` +
      `floor(${inSizes[empty]}·${factors[empty]}) = ${sizes[empty]}; the output must have at least 1 element per dim`);
  }
  const scales = recomputeScaleFactor ? sizes.map((s, i) => inSizes[i]! / s) : factors.map((f) => 1 / f);
  return { sizes, scales };
}

/**
 * Resizes the spatial dims of a batch, like torch.nn.functional.interpolate
 * with mode "nearest": input [N, C, L], [N, C, H, W] or [N, C, D, H, W]; give
 * the output `size` or a `scaleFactor`. Each output copies the input element
 * at floor(dst · in/out) along every spatial dim (see nearestSourceIndices).
 */
export function interpolate(input: Tensor, options: InterpolateOptions): Tensor {
  const mode = options.mode ?? "nearest";
  if (mode !== "nearest") throw new Error(`interpolate: mode "${String(mode)}" is not implemented; only "nearest" is`);
  if (input.ndim < 3 || input.ndim > 5) {
    throw new Error(`interpolate: expected a batch with 1 to 3 spatial dims, [N, C, L], [N, C, H, W] or [N, C, D, H, W], ` +
      `got shape ${formatShape(input.shape)} (${input.ndim}-D)`);
  }
  if (input.dtype === "bool") throw new Error("interpolate: bool tensors cannot be resized; convert first, e.g. input.float()");
  const { sizes, scales } = resizePlan(input, options);
  let output = input;
  sizes.forEach((outSize, i) => {
    const dim = 2 + i;
    const indices = nearestSourceIndices(input.shape[dim]!, outSize, scales[i]!, input.dtype);
    output = output.indexSelect(dim, tensor(indices, { dtype: "int32" }));
  });
  return output;
}

/** The older name of interpolate, like torch.nn.functional.upsample. */
export const upsample = interpolate;

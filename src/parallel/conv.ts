// conv2d as matrix products (im2col + GEMM), run on the fast matmul kernel.
//
// im2col lays out, for group g, every receptive field as one column:
//
//   col[(ci, kh, kw), (n, oh, ow)] = input[n, g·Cin/G + ci, oh·s − p + kh·d, ow·s − p + kw·d]   (0 in the padding)
//
// a matrix of K = (Cin/G)·kH·kW rows and L = N·oH·oW columns. Then, with
// W_g = the group's weights as a [Cout/G, K] matrix and G_n = gradOut of image n:
//
//   forward           out[n, group]  = W_g · col[:, image n]        (a batch of N products)
//   grad of weight    gradW_g        = gradOut_g · colᵀ              (one product, k = N·oH·oW)
//   grad of input     gradCol[:, n]  = W_gᵀ · G_n, then col2im adds each column back onto the pixels it came from
//
// Transposed operands are read through strides, never copied. im2col and
// col2im run on the calling thread; the products run on the worker pool.
// The results equal the direct kernels in src/core/conv-kernel.ts up to the
// order of the floating-point additions.

import { allocate, type TypedArray } from "../core/dtype.ts";
import type { Conv2dProblem } from "../core/conv-kernel.ts";
import type { StridedMatrices } from "../core/matmul-kernel.ts";
import { matmulParallel } from "./matmul.ts";
import type { TaskRunner } from "./runner.ts";

/** K, the length of one receptive field of one group, and L, the number of output positions over the batch. */
function colShape(p: Conv2dProblem): { k: number; l: number; plane: number } {
  const plane = p.outHeight * p.outWidth;
  return { k: (p.inChannels / p.groups) * p.kernelHeight * p.kernelWidth, l: p.batch * plane, plane };
}

/** Calls visit(row, column, inputIndex) for every col entry of group g that reads a real (not padding) input pixel. */
function forEachReceptiveEntry(p: Conv2dProblem, g: number, visit: (row: number, column: number, inputIndex: number) => void): void {
  const inPerGroup = p.inChannels / p.groups;
  const plane = p.outHeight * p.outWidth;
  for (let ci = 0; ci < inPerGroup; ci++) {
    for (let kh = 0; kh < p.kernelHeight; kh++) {
      for (let kw = 0; kw < p.kernelWidth; kw++) {
        const row = (ci * p.kernelHeight + kh) * p.kernelWidth + kw;
        for (let n = 0; n < p.batch; n++) {
          const channelStart = (n * p.inChannels + g * inPerGroup + ci) * p.inHeight * p.inWidth;
          for (let oh = 0; oh < p.outHeight; oh++) {
            const ih = oh * p.strideH - p.padH + kh * p.dilationH;
            if (ih < 0 || ih >= p.inHeight) continue;
            for (let ow = 0; ow < p.outWidth; ow++) {
              const iw = ow * p.strideW - p.padW + kw * p.dilationW;
              if (iw < 0 || iw >= p.inWidth) continue;
              visit(row, n * plane + oh * p.outWidth + ow, channelStart + ih * p.inWidth + iw);
            }
          }
        }
      }
    }
  }
}

/** col = im2col(input) for group g, as a [K, L] row-major matrix (zeros where the field hangs over the padding). */
function im2col(p: Conv2dProblem, input: TypedArray, g: number, col: Float64Array): void {
  const { l } = colShape(p);
  col.fill(0);
  forEachReceptiveEntry(p, g, (row, column, inputIndex) => {
    col[row * l + column] = input[inputIndex]!;
  });
}

/** gradInput += col2im(gradCol) for group g: each column entry is added back onto the pixel it was read from. */
function col2imAdd(p: Conv2dProblem, gradCol: Float64Array, g: number, gradInput: Float64Array): void {
  const { l } = colShape(p);
  forEachReceptiveEntry(p, g, (row, column, inputIndex) => {
    gradInput[inputIndex] = gradInput[inputIndex]! + gradCol[row * l + column]!;
  });
}

const matrix = (data: TypedArray, offset: number, rowStride: number, colStride: number, batchStrides: number[] = []): StridedMatrices =>
  ({ data, offset, rowStride, colStride, batchStrides });

/** out = conv2d(input, weight) through im2col and one batched product per group. */
export function conv2dForwardFast(p: Conv2dProblem, input: TypedArray, weight: TypedArray, out: TypedArray, runner: TaskRunner): void {
  const { k, l, plane } = colShape(p);
  const outPerGroup = p.outChannels / p.groups;
  const col = new Float64Array(k * l);
  // With one group the products land directly in `out`; otherwise in a scratch array copied into place.
  const result = p.groups === 1 ? out : allocate("float64", p.batch * outPerGroup * plane);
  for (let g = 0; g < p.groups; g++) {
    im2col(p, input, g, col);
    matmulParallel({
      batchShape: [p.batch], m: outPerGroup, k, n: plane,
      a: matrix(weight, g * outPerGroup * k, k, 1, [0]), // W_g, the same for every image
      b: matrix(col, 0, l, 1, [plane]), // image n's columns of col
      out: result,
    }, runner);
    if (p.groups > 1) copyGroupIntoPlace(p, result, g, out);
  }
}

/** Copies a [N, Cout/G, plane] block of group g into the [N, Cout, plane] output. */
function copyGroupIntoPlace(p: Conv2dProblem, block: TypedArray, g: number, out: TypedArray): void {
  const outPerGroup = p.outChannels / p.groups;
  const size = outPerGroup * p.outHeight * p.outWidth;
  for (let n = 0; n < p.batch; n++) {
    const target = (n * p.outChannels + g * outPerGroup) * p.outHeight * p.outWidth;
    for (let i = 0; i < size; i++) out[target + i] = block[n * size + i]!;
  }
}

/** gradWeight = Σ over the batch of gradOut · colᵀ, one product per group. */
export function conv2dBackwardWeightFast(p: Conv2dProblem, gradOut: TypedArray, input: TypedArray, gradWeight: TypedArray, runner: TaskRunner): void {
  const { k, l, plane } = colShape(p);
  const outPerGroup = p.outChannels / p.groups;
  const col = new Float64Array(k * l);
  const gradGroup = new Float64Array(outPerGroup * l);
  for (let g = 0; g < p.groups; g++) {
    im2col(p, input, g, col);
    // gradOut of group g as one [Cout/G, N·plane] matrix (its images side by side).
    for (let co = 0; co < outPerGroup; co++) {
      for (let n = 0; n < p.batch; n++) {
        const source = (n * p.outChannels + g * outPerGroup + co) * plane;
        for (let i = 0; i < plane; i++) gradGroup[co * l + n * plane + i] = gradOut[source + i]!;
      }
    }
    matmulParallel({
      batchShape: [], m: outPerGroup, k: l, n: k,
      a: matrix(gradGroup, 0, l, 1),
      b: matrix(col, 0, 1, l), // colᵀ: read col by columns
      out: gradWeight.subarray(g * outPerGroup * k, (g + 1) * outPerGroup * k),
    }, runner);
  }
}

/** gradInput = col2im(Wᵀ · gradOut), one batched product per group. */
export function conv2dBackwardInputFast(p: Conv2dProblem, gradOut: TypedArray, weight: TypedArray, gradInput: TypedArray, runner: TaskRunner): void {
  const { k, l, plane } = colShape(p);
  const outPerGroup = p.outChannels / p.groups;
  const gradCol = new Float64Array(k * l);
  const gradColByImage = new Float64Array(p.batch * k * plane);
  const sums = new Float64Array(gradInput.length);
  for (let g = 0; g < p.groups; g++) {
    matmulParallel({
      batchShape: [p.batch], m: k, k: outPerGroup, n: plane,
      a: matrix(weight, g * outPerGroup * k, 1, k, [0]), // W_gᵀ: read the weights by columns
      b: matrix(gradOut, g * outPerGroup * plane, plane, 1, [p.outChannels * plane]), // G_n of group g
      out: gradColByImage,
    }, runner);
    // [N, K, plane] → [K, N·plane], the layout col2im reads.
    for (let n = 0; n < p.batch; n++) {
      for (let row = 0; row < k; row++) {
        for (let i = 0; i < plane; i++) gradCol[row * l + n * plane + i] = gradColByImage[(n * k + row) * plane + i]!;
      }
    }
    col2imAdd(p, gradCol, g, sums);
  }
  for (let i = 0; i < sums.length; i++) gradInput[i] = sums[i]!;
}

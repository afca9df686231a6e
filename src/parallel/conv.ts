// conv2d as matrix products (im2col + GEMM), run on the fast matmul kernel.
//
// im2col lays out, for image n and group g, every receptive field as one column:
//
//   col[n][(ci, kh, kw), (oh, ow)] = input[n, g·Cin/G + ci, oh·s − p + kh·d, ow·s − p + kw·d]   (0 in the padding)
//
// a [K, P] matrix per image, with K = (Cin/G)·kH·kW and P = oH·oW output
// positions. With W_g = the group's weights as a [Cout/G, K] matrix and
// G_n = gradOut of image n and group g as a [Cout/G, P] matrix:
//
//   forward           out_n   = W_g · col_n                     (a batch of N products)
//   grad of weight    gradW_g = Σ_n G_n · col_nᵀ                (N products, summed in image order)
//   grad of input     gradCol_n = W_gᵀ · G_n, then col2im adds each entry back onto the pixel it came from
//
// Transposed operands are read through strides, never copied. im2col and
// col2im run on the calling thread; the products run on the worker pool. The
// results equal the direct kernels in src/core/conv-kernel.ts up to the order
// of the floating-point additions, and do not depend on the thread count.

import type { TypedArray } from "../core/dtype.ts";
import type { Conv2dProblem } from "../core/conv-kernel.ts";
import type { StridedMatrices } from "../core/matmul-kernel.ts";
import { matmulParallel } from "./matmul.ts";
import type { TaskRunner } from "./runner.ts";

/** K, the length of one receptive field of one group, and P, the number of output positions of one image. */
function colShape(p: Conv2dProblem): { k: number; plane: number } {
  return { k: (p.inChannels / p.groups) * p.kernelHeight * p.kernelWidth, plane: p.outHeight * p.outWidth };
}

/**
 * Walks the receptive-field entries of group g, image by image, row by row of
 * col (row = (ci, kh, kw)), and for each output row oh calls
 * visitRun(colStart, inputStart, first, last): the entries col[colStart + ow]
 * for first <= ow < last read input[inputStart + ow·strideW] (the other ow of
 * that row read the padding). Shared by im2col and col2im, which differ only
 * in the direction of the copy.
 */
function forEachInputRun(p: Conv2dProblem, g: number, visitRun: (colStart: number, inputStart: number, first: number, last: number) => void): void {
  const { k, plane } = colShape(p);
  const inPerGroup = p.inChannels / p.groups;
  for (let n = 0; n < p.batch; n++) {
    for (let ci = 0; ci < inPerGroup; ci++) {
      const channelStart = (n * p.inChannels + g * inPerGroup + ci) * p.inHeight * p.inWidth;
      for (let kh = 0; kh < p.kernelHeight; kh++) {
        for (let kw = 0; kw < p.kernelWidth; kw++) {
          const row = (ci * p.kernelHeight + kh) * p.kernelWidth + kw;
          // The ow whose input column iw = ow·s − p + kw·d lies inside the image: first <= ow < last.
          const shift = kw * p.dilationW - p.padW;
          const first = Math.max(0, Math.ceil(-shift / p.strideW));
          const last = Math.min(p.outWidth, Math.floor((p.inWidth - 1 - shift) / p.strideW) + 1);
          for (let oh = 0; oh < p.outHeight; oh++) {
            const ih = oh * p.strideH - p.padH + kh * p.dilationH;
            if (ih < 0 || ih >= p.inHeight || first >= last) continue;
            visitRun((n * k + row) * plane + oh * p.outWidth, channelStart + ih * p.inWidth + shift, first, last);
          }
        }
      }
    }
  }
}

/** col = im2col(input) for group g: N matrices [K, P] one after another, zeros where a field hangs over the padding. */
function im2col(p: Conv2dProblem, input: TypedArray, g: number, col: Float64Array): void {
  const stride = p.strideW;
  col.fill(0);
  forEachInputRun(p, g, (colStart, inputStart, first, last) => {
    for (let ow = first; ow < last; ow++) col[colStart + ow] = input[inputStart + ow * stride]!;
  });
}

/** gradInput += col2im(gradCol) for group g: each entry is added back onto the pixel it was read from, in a fixed order. */
function col2imAdd(p: Conv2dProblem, gradCol: Float64Array, g: number, gradInput: Float64Array): void {
  const stride = p.strideW;
  forEachInputRun(p, g, (colStart, inputStart, first, last) => {
    for (let ow = first; ow < last; ow++) gradInput[inputStart + ow * stride] = gradInput[inputStart + ow * stride]! + gradCol[colStart + ow]!;
  });
}

const matrix = (data: TypedArray, offset: number, rowStride: number, colStride: number, batchStrides: number[] = []): StridedMatrices =>
  ({ data, offset, rowStride, colStride, batchStrides });

/** out = conv2d(input, weight) through im2col and one batched product per group. */
export function conv2dForwardFast(p: Conv2dProblem, input: TypedArray, weight: TypedArray, out: TypedArray, runner: TaskRunner): void {
  const { k, plane } = colShape(p);
  const outPerGroup = p.outChannels / p.groups;
  const col = new Float64Array(p.batch * k * plane);
  for (let g = 0; g < p.groups; g++) {
    im2col(p, input, g, col);
    // Image n's block of the output, [Cout/G, P], starts at (n·Cout + g·Cout/G)·P; with one group the blocks tile `out` exactly.
    const result = p.groups === 1 ? out : new Float64Array(p.batch * outPerGroup * plane);
    matmulParallel({
      batchShape: [p.batch], m: outPerGroup, k, n: plane,
      a: matrix(weight, g * outPerGroup * k, k, 1, [0]), // W_g, the same for every image
      b: matrix(col, 0, plane, 1, [k * plane]), // col_n
      out: result,
    }, runner);
    if (p.groups > 1) copyGroupIntoPlace(p, result, g, out);
  }
}

/** Copies a [N, Cout/G, P] block of group g into the [N, Cout, P] output. */
function copyGroupIntoPlace(p: Conv2dProblem, block: TypedArray, g: number, out: TypedArray): void {
  const outPerGroup = p.outChannels / p.groups;
  const size = outPerGroup * p.outHeight * p.outWidth;
  for (let n = 0; n < p.batch; n++) {
    const target = (n * p.outChannels + g * outPerGroup) * p.outHeight * p.outWidth;
    for (let i = 0; i < size; i++) out[target + i] = block[n * size + i]!;
  }
}

/** gradWeight_g = Σ_n G_n · col_nᵀ: a batch of products, then their sum in image order. */
export function conv2dBackwardWeightFast(p: Conv2dProblem, gradOut: TypedArray, input: TypedArray, gradWeight: TypedArray, runner: TaskRunner): void {
  const { k, plane } = colShape(p);
  const outPerGroup = p.outChannels / p.groups;
  const col = new Float64Array(p.batch * k * plane);
  const perImage = new Float64Array(p.batch * outPerGroup * k);
  for (let g = 0; g < p.groups; g++) {
    im2col(p, input, g, col);
    matmulParallel({
      batchShape: [p.batch], m: outPerGroup, k: plane, n: k,
      a: matrix(gradOut, g * outPerGroup * plane, plane, 1, [p.outChannels * plane]), // G_n
      b: matrix(col, 0, 1, plane, [k * plane]), // col_nᵀ: col_n read by columns
      out: perImage,
    }, runner);
    const size = outPerGroup * k;
    for (let i = 0; i < size; i++) {
      let sum = 0;
      for (let n = 0; n < p.batch; n++) sum += perImage[n * size + i]!;
      gradWeight[g * size + i] = sum;
    }
  }
}

/** gradInput = col2im(W_gᵀ · G_n), one batched product per group. */
export function conv2dBackwardInputFast(p: Conv2dProblem, gradOut: TypedArray, weight: TypedArray, gradInput: TypedArray, runner: TaskRunner): void {
  const { k, plane } = colShape(p);
  const outPerGroup = p.outChannels / p.groups;
  const gradCol = new Float64Array(p.batch * k * plane);
  const sums = new Float64Array(gradInput.length);
  for (let g = 0; g < p.groups; g++) {
    matmulParallel({
      batchShape: [p.batch], m: k, k: outPerGroup, n: plane,
      a: matrix(weight, g * outPerGroup * k, 1, k, [0]), // W_gᵀ: the weights read by columns
      b: matrix(gradOut, g * outPerGroup * plane, plane, 1, [p.outChannels * plane]), // G_n
      out: gradCol,
    }, runner);
    col2imAdd(p, gradCol, g, sums);
  }
  for (let i = 0; i < sums.length; i++) gradInput[i] = sums[i]!;
}

// The reference conv2d kernels: the forward pass and its two backward passes.
//
// Tensors are contiguous NCHW: input [N, Cin, H, W], weight [Cout, Cin/groups,
// kH, kW], output [N, Cout, oH, oW]. Output element (n, co, oh, ow) is
//
//   out[n, co, oh, ow] = Σ_{ci, kh, kw} input[n, c, ih, iw] · weight[co, ci, kh, kw]
//
//   where  ih = oh·strideH − padH + kh·dilationH      (the kernel's row kh lands on input row ih)
//          iw = ow·strideW − padW + kw·dilationW
//          c  = g·(Cin/groups) + ci, g = the group of co (co / (Cout/groups))
//
// Positions with ih or iw outside the input read the zero padding: they add
// nothing, so the loops simply skip them. With groups > 1 the channels are cut
// into `groups` independent slices: output channels of group g only see input
// channels of group g (groups = Cin is the depthwise convolution).
//
// Each kernel computes every element of its result in one JavaScript double,
// written once at the end; nothing is accumulated in the output array. That is
// what makes the results independent of the order in which elements are
// visited, and these functions the yardstick that faster kernels (im2col and a
// packed matrix product, worker threads) are tested against.

import type { TypedArray } from "./dtype.ts";

/** Sizes and options of one conv2d; tensors are contiguous NCHW, weight [Cout, Cin/groups, kH, kW]. */
export interface Conv2dProblem {
  batch: number;
  inChannels: number;
  outChannels: number;
  groups: number;
  inHeight: number;
  inWidth: number;
  kernelHeight: number;
  kernelWidth: number;
  outHeight: number;
  outWidth: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilationH: number;
  dilationW: number;
}

/**
 * Output length along one spatial dim: the number of kernel positions that fit.
 * The kernel spans d·(k − 1) + 1 input positions; the padded input has
 * size + 2·pad; the kernel moves by `stride`:
 *
 *   out = floor((size + 2·pad − d·(k − 1) − 1) / stride) + 1
 */
export function convOutputSize(size: number, kernel: number, stride: number, pad: number, dilation: number): number {
  return Math.floor((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1;
}

/** Element counts of the input, the weight and the output of a problem. */
export function conv2dSizes(p: Conv2dProblem): { input: number; weight: number; output: number } {
  return {
    input: p.batch * p.inChannels * p.inHeight * p.inWidth,
    weight: p.outChannels * (p.inChannels / p.groups) * p.kernelHeight * p.kernelWidth,
    output: p.batch * p.outChannels * p.outHeight * p.outWidth,
  };
}

/** Refuses arrays whose lengths do not match the problem (a wrong call would otherwise read undefined as NaN). */
function checkLengths(kernel: string, p: Conv2dProblem, arrays: { input: TypedArray; weight: TypedArray; output: TypedArray }): void {
  const expected = conv2dSizes(p);
  for (const role of ["input", "weight", "output"] as const) {
    if (arrays[role].length !== expected[role]) {
      throw new Error(`${kernel}: the ${role} array has ${arrays[role].length} elements, the problem needs ${expected[role]}`);
    }
  }
}

/** out[N, Cout, oH, oW] = conv2d(input, weight): each output element is one sum over its receptive field. */
export function conv2dForwardReference(p: Conv2dProblem, input: TypedArray, weight: TypedArray, out: TypedArray): void {
  checkLengths("conv2dForwardReference", p, { input, weight, output: out });
  const { batch, inChannels, outChannels, groups, inHeight, inWidth, kernelHeight, kernelWidth, outHeight, outWidth } = p;
  const { strideH, strideW, padH, padW, dilationH, dilationW } = p;
  const inPerGroup = inChannels / groups;
  const outPerGroup = outChannels / groups;
  const inPlane = inHeight * inWidth;
  const kernelPlane = kernelHeight * kernelWidth;
  let o = 0; // out is written in order: n, co, oh, ow
  for (let n = 0; n < batch; n++) {
    for (let co = 0; co < outChannels; co++) {
      const firstChannel = Math.floor(co / outPerGroup) * inPerGroup; // c of ci = 0 in co's group
      for (let oh = 0; oh < outHeight; oh++) {
        for (let ow = 0; ow < outWidth; ow++) {
          let sum = 0;
          for (let ci = 0; ci < inPerGroup; ci++) {
            const inputPlane = (n * inChannels + firstChannel + ci) * inPlane;
            const filter = (co * inPerGroup + ci) * kernelPlane;
            for (let kh = 0; kh < kernelHeight; kh++) {
              const ih = oh * strideH - padH + kh * dilationH;
              if (ih < 0 || ih >= inHeight) continue; // a row of zero padding
              for (let kw = 0; kw < kernelWidth; kw++) {
                const iw = ow * strideW - padW + kw * dilationW;
                if (iw < 0 || iw >= inWidth) continue;
                sum += input[inputPlane + ih * inWidth + iw]! * weight[filter + kh * kernelWidth + kw]!;
              }
            }
          }
          out[o++] = sum;
        }
      }
    }
  }
}

/**
 * The output position that kernel tap k of a dim reads input position i from:
 * solving i = o·stride − pad + k·dilation for o. Returns −1 when there is none
 * (o is not a whole number, or falls outside 0 .. outSize − 1).
 */
function outputReading(i: number, k: number, stride: number, pad: number, dilation: number, outSize: number): number {
  const shifted = i + pad - k * dilation; // = o·stride
  if (shifted < 0 || shifted % stride !== 0) return -1;
  const o = shifted / stride;
  return o < outSize ? o : -1;
}

/**
 * gradInput[N, Cin, H, W] = ∂(Σ out·gradOut)/∂input, overwritten.
 *
 * Input element (n, c, ih, iw) was multiplied by weight[co, ci, kh, kw] in
 * every output (n, co, oh, ow) whose tap (kh, kw) landed on it, so its
 * gradient is Σ gradOut[n, co, oh, ow] · weight[co, ci, kh, kw] over those
 * outputs: the transposed convolution of gradOut with the weight. Each input
 * element gathers its own sum, so nothing is ever added into gradInput.
 */
export function conv2dBackwardInputReference(p: Conv2dProblem, gradOut: TypedArray, weight: TypedArray, gradInput: TypedArray): void {
  checkLengths("conv2dBackwardInputReference", p, { input: gradInput, weight, output: gradOut });
  const { batch, inChannels, outChannels, groups, inHeight, inWidth, kernelHeight, kernelWidth, outHeight, outWidth } = p;
  const { strideH, strideW, padH, padW, dilationH, dilationW } = p;
  const inPerGroup = inChannels / groups;
  const outPerGroup = outChannels / groups;
  const outPlane = outHeight * outWidth;
  const kernelPlane = kernelHeight * kernelWidth;
  let i = 0; // gradInput is written in order: n, c, ih, iw
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < inChannels; c++) {
      const group = Math.floor(c / inPerGroup);
      const ci = c - group * inPerGroup; // c's index inside its group: the weight's second dim
      for (let ih = 0; ih < inHeight; ih++) {
        for (let iw = 0; iw < inWidth; iw++) {
          let sum = 0;
          for (let kh = 0; kh < kernelHeight; kh++) {
            const oh = outputReading(ih, kh, strideH, padH, dilationH, outHeight);
            if (oh < 0) continue;
            for (let kw = 0; kw < kernelWidth; kw++) {
              const ow = outputReading(iw, kw, strideW, padW, dilationW, outWidth);
              if (ow < 0) continue;
              for (let co = group * outPerGroup; co < (group + 1) * outPerGroup; co++) {
                sum += gradOut[(n * outChannels + co) * outPlane + oh * outWidth + ow]! *
                  weight[(co * inPerGroup + ci) * kernelPlane + kh * kernelWidth + kw]!;
              }
            }
          }
          gradInput[i++] = sum;
        }
      }
    }
  }
}

/**
 * gradWeight[Cout, Cin/groups, kH, kW] = ∂(Σ out·gradOut)/∂weight, overwritten.
 *
 * weight[co, ci, kh, kw] multiplied input[n, c, ih, iw] into every output
 * (n, co, oh, ow), so its gradient is Σ_{n, oh, ow} gradOut[n, co, oh, ow] ·
 * input[n, c, oh·strideH − padH + kh·dilationH, ow·strideW − padW + kw·dilationW]
 * (taps on the padding contribute nothing): a correlation of the input with gradOut.
 */
export function conv2dBackwardWeightReference(p: Conv2dProblem, gradOut: TypedArray, input: TypedArray, gradWeight: TypedArray): void {
  checkLengths("conv2dBackwardWeightReference", p, { input, weight: gradWeight, output: gradOut });
  const { batch, inChannels, outChannels, groups, inHeight, inWidth, kernelHeight, kernelWidth, outHeight, outWidth } = p;
  const { strideH, strideW, padH, padW, dilationH, dilationW } = p;
  const inPerGroup = inChannels / groups;
  const outPerGroup = outChannels / groups;
  const inPlane = inHeight * inWidth;
  const outPlane = outHeight * outWidth;
  let w = 0; // gradWeight is written in order: co, ci, kh, kw
  for (let co = 0; co < outChannels; co++) {
    const firstChannel = Math.floor(co / outPerGroup) * inPerGroup;
    for (let ci = 0; ci < inPerGroup; ci++) {
      for (let kh = 0; kh < kernelHeight; kh++) {
        for (let kw = 0; kw < kernelWidth; kw++) {
          let sum = 0;
          for (let n = 0; n < batch; n++) {
            const gradPlane = (n * outChannels + co) * outPlane;
            const inputPlane = (n * inChannels + firstChannel + ci) * inPlane;
            for (let oh = 0; oh < outHeight; oh++) {
              const ih = oh * strideH - padH + kh * dilationH;
              if (ih < 0 || ih >= inHeight) continue;
              for (let ow = 0; ow < outWidth; ow++) {
                const iw = ow * strideW - padW + kw * dilationW;
                if (iw < 0 || iw >= inWidth) continue;
                sum += gradOut[gradPlane + oh * outWidth + ow]! * input[inputPlane + ih * inWidth + iw]!;
              }
            }
          }
          gradWeight[w++] = sum;
        }
      }
    }
  }
}

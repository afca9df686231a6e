// Convolutions: conv2d, and conv1d as a conv2d of height 1; their transposes
// convTranspose2d and convTranspose1d.
//
//   out[n, co, oh, ow] = bias[co] + Σ_{ci, kh, kw} input[n, c, oh·s − p + kh·d, ow·s − p + kw·d] · weight[co, ci, kh, kw]
//
// (per spatial dim: stride s, zero padding p, dilation d; c runs over the input
// channels of co's group; see conv-kernel.ts for the index arithmetic).
//
// Three ops do the work. Each is linear in both of its tensor inputs, and the
// gradient of each one is made of the three of them, so the family is
// differentiable as many times as you like:
//
//   conv2d(x, w)                  y  = the convolution of x with w
//   conv2dBackwardInput(g, w)     gx = ∂⟨conv2d(x, w), g⟩/∂x, the transposed convolution of g with w
//   conv2dBackwardWeight(g, x)    gw = ∂⟨conv2d(x, w), g⟩/∂w, the correlation of x with g
//
// Their forwards call the kernels of the current backend (backend.ts): the
// reference kernels, or faster ones once installed. The bias is not part of the
// ops: it is an ordinary broadcast add, whose gradient (the sum of the output's
// gradient over batch and positions) autograd already knows.

import { backend } from "../backend.ts";
import { convOutputSize, type Conv2dProblem } from "../conv-kernel.ts";
import { allocate, promoteTypes } from "../dtype.ts";
import { fromValues, valuesOf } from "../kernels.ts";
import { defineOp, type RegisteredOp } from "../op.ts";
import { formatShape, numel } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { pad } from "./shape.ts";

// ---- the three ops ----------------------------------------------------------

/** Stride, padding and dilation as [height, width] pairs, and the number of groups: a conv2d fully resolved. */
export interface Conv2dGeometry {
  stride: [number, number];
  padding: [number, number];
  dilation: [number, number];
  groups: number;
}

/** conv2dBackwardInput also needs the input's [H, W]: with a stride, several input sizes give the same output size. */
export interface Conv2dBackwardInputArgs extends Conv2dGeometry {
  inputSize: [number, number];
}

/** conv2dBackwardWeight also needs the kernel's [kH, kW]. */
export interface Conv2dBackwardWeightArgs extends Conv2dGeometry {
  kernelSize: [number, number];
}

function geometryOf(args: Conv2dGeometry): Conv2dGeometry {
  return { stride: args.stride, padding: args.padding, dilation: args.dilation, groups: args.groups };
}

/** The kernels' description of a conv2d of an input [batch, inChannels, H, W] with a weight [outChannels, ·, kH, kW]. */
function problemOf(
  geometry: Conv2dGeometry, batch: number, inChannels: number, outChannels: number,
  [inHeight, inWidth]: readonly number[], [kernelHeight, kernelWidth]: readonly number[],
): Conv2dProblem {
  const { stride: [strideH, strideW], padding: [padH, padW], dilation: [dilationH, dilationW], groups } = geometry;
  return {
    batch, inChannels, outChannels, groups,
    inHeight: inHeight!, inWidth: inWidth!, kernelHeight: kernelHeight!, kernelWidth: kernelWidth!,
    outHeight: convOutputSize(inHeight!, kernelHeight!, strideH, padH, dilationH),
    outWidth: convOutputSize(inWidth!, kernelWidth!, strideW, padW, dilationW),
    strideH, strideW, padH, padW, dilationH, dilationW,
  };
}

/** The backward ops receive a gradient of the output: its spatial size must be the one the geometry produces. */
function checkGradientSize(op: string, grad: Tensor, p: Conv2dProblem): void {
  if (grad.shape[2] !== p.outHeight || grad.shape[3] !== p.outWidth) {
    throw new Error(`${op}: the output gradient ${formatShape(grad.shape)} does not match the convolution, which produces ` +
      `${p.outHeight}×${p.outWidth} positions from an input of ${p.inHeight}×${p.inWidth} with a ${p.kernelHeight}×${p.kernelWidth} kernel`);
  }
}

// d⟨conv2d(x, w), g⟩/dx = conv2dBackwardInput(g, w),   d⟨conv2d(x, w), g⟩/dw = conv2dBackwardWeight(g, x)
const conv2dOp: RegisteredOp<Conv2dGeometry> = defineOp<Conv2dGeometry>({
  name: "conv2d",
  forward: ([x, w], geometry) => {
    const [batch, inChannels] = x!.shape as [number, number];
    const outChannels = w!.shape[0]!;
    const p = problemOf(geometry, batch, inChannels, outChannels, x!.shape.slice(2), w!.shape.slice(2));
    const dtype = promoteTypes(x!.dtype, w!.dtype);
    const out = allocate(dtype, batch * outChannels * p.outHeight * p.outWidth);
    backend.conv2dForward(p, valuesOf(x!), valuesOf(w!), out);
    return fromValues(out, [batch, outChannels, p.outHeight, p.outWidth], dtype);
  },
  backward: (grad, ctx) => {
    const x = ctx.input(0);
    const w = ctx.input(1);
    const geometry = geometryOf(ctx.args);
    return [
      ctx.needsGrad(0) ? conv2dBackwardInputOp.apply([grad, w], { ...geometry, inputSize: [x.shape[2]!, x.shape[3]!] }) : null,
      ctx.needsGrad(1) ? conv2dBackwardWeightOp.apply([grad, x], { ...geometry, kernelSize: [w.shape[2]!, w.shape[3]!] }) : null,
    ];
  },
  gradcheck: [
    // a 1-channel 4×4 image, a 2×2 kernel
    { inputs: [[1, 1, 4, 4], [1, 1, 2, 2]], args: geometry2d({}), secondOrder: true },
    // batch 2, padding 1, 2 → 3 channels
    { inputs: [[2, 2, 4, 5], [3, 2, 3, 3]], args: geometry2d({ padding: [1, 1] }), secondOrder: true },
    // non-square kernel, different strides and paddings per dim
    { inputs: [[2, 2, 5, 6], [2, 2, 2, 3]], args: geometry2d({ stride: [2, 1], padding: [1, 0] }) },
    // dilation 2, stride 2
    { inputs: [[1, 2, 7, 6], [2, 2, 2, 2]], args: geometry2d({ stride: [2, 2], dilation: [2, 2] }) },
    // 2 groups of 2 input and 2 output channels
    { inputs: [[2, 4, 4, 4], [4, 2, 3, 3]], args: geometry2d({ padding: [1, 1], groups: 2 }), secondOrder: true },
    // depthwise (groups = Cin = 3), stride 2, padding 1
    { inputs: [[1, 3, 5, 5], [3, 1, 3, 3]], args: geometry2d({ stride: [2, 2], padding: [1, 1], groups: 3 }) },
    // depthwise with two filters per channel, dilation in one dim only
    { inputs: [[2, 2, 5, 4], [4, 1, 2, 2]], args: geometry2d({ dilation: [2, 1], groups: 2 }) },
  ],
});

// With u the gradient of its result:  d⟨conv2dBackwardInput(g, w), u⟩/dg = conv2d(u, w),   d/dw = conv2dBackwardWeight(g, u)
const conv2dBackwardInputOp: RegisteredOp<Conv2dBackwardInputArgs> = defineOp<Conv2dBackwardInputArgs>({
  name: "conv2dBackwardInput",
  forward: ([g, w], args) => {
    const [batch, outChannels] = g!.shape as [number, number];
    const inChannels = w!.shape[1]! * args.groups;
    const p = problemOf(args, batch, inChannels, outChannels, args.inputSize, w!.shape.slice(2));
    checkGradientSize("conv2dBackwardInput", g!, p);
    const dtype = promoteTypes(g!.dtype, w!.dtype);
    const gradInput = allocate(dtype, batch * inChannels * p.inHeight * p.inWidth);
    backend.conv2dBackwardInput(p, valuesOf(g!), valuesOf(w!), gradInput);
    return fromValues(gradInput, [batch, inChannels, p.inHeight, p.inWidth], dtype);
  },
  backward: (u, ctx) => {
    const g = ctx.input(0);
    const w = ctx.input(1);
    const geometry = geometryOf(ctx.args);
    return [
      ctx.needsGrad(0) ? conv2dOp.apply([u, w], geometry) : null,
      ctx.needsGrad(1) ? conv2dBackwardWeightOp.apply([g, u], { ...geometry, kernelSize: [w.shape[2]!, w.shape[3]!] }) : null,
    ];
  },
  gradcheck: [
    { inputs: [[1, 1, 3, 3], [1, 1, 2, 2]], args: { ...geometry2d({}), inputSize: [4, 4] }, secondOrder: true },
    // stride 2 from a 6×7 input: the last row is read by no output (its gradient is 0)
    { inputs: [[2, 3, 2, 3], [3, 2, 3, 3]], args: { ...geometry2d({ stride: [2, 2] }), inputSize: [6, 7] }, secondOrder: true },
    { inputs: [[2, 2, 3, 4], [2, 2, 2, 3]], args: { ...geometry2d({ stride: [2, 1], padding: [1, 0] }), inputSize: [5, 6] } },
    { inputs: [[1, 2, 3, 2], [2, 2, 2, 2]], args: { ...geometry2d({ stride: [2, 2], dilation: [2, 2] }), inputSize: [7, 6] } },
    { inputs: [[2, 4, 4, 4], [4, 2, 3, 3]], args: { ...geometry2d({ padding: [1, 1], groups: 2 }), inputSize: [4, 4] } },
    { inputs: [[1, 3, 3, 3], [3, 1, 3, 3]], args: { ...geometry2d({ stride: [2, 2], padding: [1, 1], groups: 3 }), inputSize: [5, 5] } },
  ],
});

// With u the gradient of its result:  d⟨conv2dBackwardWeight(g, x), u⟩/dg = conv2d(x, u),   d/dx = conv2dBackwardInput(g, u)
const conv2dBackwardWeightOp: RegisteredOp<Conv2dBackwardWeightArgs> = defineOp<Conv2dBackwardWeightArgs>({
  name: "conv2dBackwardWeight",
  forward: ([g, x], args) => {
    const [batch, outChannels] = g!.shape as [number, number];
    const inChannels = x!.shape[1]!;
    const p = problemOf(args, batch, inChannels, outChannels, x!.shape.slice(2), args.kernelSize);
    checkGradientSize("conv2dBackwardWeight", g!, p);
    const dtype = promoteTypes(g!.dtype, x!.dtype);
    const weightShape = [outChannels, inChannels / args.groups, p.kernelHeight, p.kernelWidth];
    const gradWeight = allocate(dtype, numel(weightShape));
    backend.conv2dBackwardWeight(p, valuesOf(g!), valuesOf(x!), gradWeight);
    return fromValues(gradWeight, weightShape, dtype);
  },
  backward: (u, ctx) => {
    const g = ctx.input(0);
    const x = ctx.input(1);
    const geometry = geometryOf(ctx.args);
    return [
      ctx.needsGrad(0) ? conv2dOp.apply([x, u], geometry) : null,
      ctx.needsGrad(1) ? conv2dBackwardInputOp.apply([g, u], { ...geometry, inputSize: [x.shape[2]!, x.shape[3]!] }) : null,
    ];
  },
  gradcheck: [
    { inputs: [[1, 1, 3, 3], [1, 1, 4, 4]], args: { ...geometry2d({}), kernelSize: [2, 2] }, secondOrder: true },
    { inputs: [[2, 3, 2, 3], [2, 2, 6, 7]], args: { ...geometry2d({ stride: [2, 2] }), kernelSize: [3, 3] }, secondOrder: true },
    { inputs: [[2, 2, 3, 4], [2, 2, 5, 6]], args: { ...geometry2d({ stride: [2, 1], padding: [1, 0] }), kernelSize: [2, 3] } },
    { inputs: [[1, 2, 3, 2], [1, 2, 7, 6]], args: { ...geometry2d({ stride: [2, 2], dilation: [2, 2] }), kernelSize: [2, 2] } },
    { inputs: [[2, 4, 4, 4], [2, 4, 4, 4]], args: { ...geometry2d({ padding: [1, 1], groups: 2 }), kernelSize: [3, 3] } },
    { inputs: [[1, 3, 3, 3], [1, 3, 5, 5]], args: { ...geometry2d({ stride: [2, 2], padding: [1, 1], groups: 3 }), kernelSize: [3, 3] } },
  ],
});

/** A geometry for the gradcheck cases: defaults stride 1, padding 0, dilation 1, groups 1. */
function geometry2d(options: Partial<Conv2dGeometry>): Conv2dGeometry {
  return { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1, ...options };
}

// ---- the public functions: checks, then the ops ----------------------------------

/** One number for every spatial dim, or a list with one per spatial dim ([h, w] for conv2d, [w] for conv1d). */
export type SpatialSize = number | readonly number[];

export interface ConvOptions {
  /** How far the kernel moves between outputs (default 1). */
  stride?: SpatialSize;
  /** Zeros added on both sides of each spatial dim (default 0); "valid" is 0, "same" keeps the input size (stride 1 only). */
  padding?: SpatialSize | "valid" | "same";
  /** Spacing between kernel taps (default 1). */
  dilation?: SpatialSize;
  /** Channels are split into this many independent groups (default 1; the number of input channels for a depthwise conv). */
  groups?: number;
}

export type Conv2dOptions = ConvOptions;
export type Conv1dOptions = ConvOptions;

/** What a call looks like to its checks: the op's name, and its number of spatial dims. */
interface Convolution {
  op: "conv1d" | "conv2d" | "convTranspose1d" | "convTranspose2d";
  spatialDims: 1 | 2;
}

const SPATIAL_NAMES = { 1: "[W]", 2: "[H, W]" } as const;

/** Input rank spatialDims + 1 (unbatched) or + 2 (batched); returns whether it is batched. */
function checkInputRank({ op, spatialDims }: Convolution, input: Tensor): boolean {
  const unbatched = spatialDims === 1 ? "[C, W]" : "[C, H, W]";
  const batched = spatialDims === 1 ? "[N, C, W]" : "[N, C, H, W]";
  if (input.ndim !== spatialDims + 1 && input.ndim !== spatialDims + 2) {
    throw new Error(`${op}: expected a ${spatialDims + 1}-D (unbatched ${unbatched}) or ${spatialDims + 2}-D (batched ${batched}) input, ` +
      `got shape ${formatShape(input.shape)} (${input.ndim}-D)`);
  }
  return input.ndim === spatialDims + 2;
}

function checkWeightRank({ op, spatialDims }: Convolution, weight: Tensor): void {
  const layout = spatialDims === 1 ? "[outChannels, inChannels/groups, kW]" : "[outChannels, inChannels/groups, kH, kW]";
  if (weight.ndim !== spatialDims + 2) {
    throw new Error(`${op}: the weight must be ${spatialDims + 2}-D ${layout}, got shape ${formatShape(weight.shape)} (${weight.ndim}-D)`);
  }
}

/** Input, weight and bias share one dtype (PyTorch does not promote here); bool tensors cannot be convolved. */
function checkDtypes({ op }: Convolution, input: Tensor, weight: Tensor, bias: Tensor | null): void {
  if (input.dtype === "bool") throw new Error(`${op}: bool tensors cannot be convolved; convert the input first, e.g. input.float()`);
  if (weight.dtype !== input.dtype) {
    throw new Error(`${op}: the input is ${input.dtype} but the weight is ${weight.dtype}; they must have the same dtype, ` +
      `e.g. weight.to("${input.dtype}")`);
  }
  if (bias && bias.dtype !== input.dtype) {
    throw new Error(`${op}: the input is ${input.dtype} but the bias is ${bias.dtype}; they must have the same dtype, e.g. bias.to("${input.dtype}")`);
  }
}

/** stride, padding or dilation as one integer per spatial dim. */
function spatialList({ op, spatialDims }: Convolution, name: string, value: SpatialSize): number[] {
  const list = typeof value === "number" ? new Array<number>(spatialDims).fill(value) : [...value];
  if (list.length !== spatialDims || list.some((v) => !Number.isInteger(v))) {
    throw new Error(`${op}: ${name} must be an integer or a list of ${spatialDims} integers (one per spatial dim ${SPATIAL_NAMES[spatialDims]}), ` +
      `got ${JSON.stringify(value)}`);
  }
  return list;
}

function checkPositive({ op }: Convolution, name: string, list: readonly number[]): void {
  if (list.some((v) => v <= 0)) throw new Error(`${op}: ${name} must be positive, got ${formatShape(list)}`);
}

function checkGroups({ op }: Convolution, groups: number, inChannels: number, input: Tensor, weight: Tensor): void {
  if (!Number.isInteger(groups) || groups <= 0) throw new Error(`${op}: groups must be a positive integer, got ${groups}`);
  const outChannels = weight.shape[0]!;
  if (outChannels === 0) throw new Error(`${op}: the weight ${formatShape(weight.shape)} has no output channels (dim 0 is 0)`);
  if (outChannels % groups !== 0) {
    throw new Error(`${op}: the weight ${formatShape(weight.shape)} has ${outChannels} output channels, which cannot be split into ` +
      `groups = ${groups} equal groups (${outChannels} is not divisible by ${groups})`);
  }
  if (inChannels % groups !== 0) {
    throw new Error(`${op}: the input ${formatShape(input.shape)} has ${inChannels} channels, which cannot be split into ` +
      `groups = ${groups} equal groups (${inChannels} is not divisible by ${groups})`);
  }
  const expected = weight.shape[1]! * groups;
  if (inChannels !== expected) {
    throw new Error(`${op}: the input ${formatShape(input.shape)} has ${inChannels} channels, but the weight ${formatShape(weight.shape)} ` +
      `with groups = ${groups} expects ${weight.shape[1]}·${groups} = ${expected} (weight dim 1 is the number of input channels per group)`);
  }
}

/** Zeros added before and after each spatial dim. Only "same" with an even span can make them differ (one more after). */
interface Padding {
  before: number[];
  after: number[];
}

/**
 * Resolves the padding option. "same" pads a total of d·(k − 1) per dim, so
 * that the output keeps the input's size; like PyTorch, the odd one goes after
 * (to the bottom, or right).
 */
function resolvePadding(call: Convolution, value: SpatialSize | "valid" | "same", kernel: readonly number[],
  stride: readonly number[], dilation: readonly number[]): Padding {
  const { op, spatialDims } = call;
  if (value === "valid") return { before: new Array<number>(spatialDims).fill(0), after: new Array<number>(spatialDims).fill(0) };
  if (value === "same") {
    if (stride.some((s) => s !== 1)) {
      throw new Error(`${op}: padding "same" needs stride 1 in every dim, got stride ${formatShape(stride)}; ` +
        `with a stride the output cannot keep the input's size, so give the padding as numbers`);
    }
    const total = kernel.map((k, i) => dilation[i]! * (k - 1));
    const before = total.map((t) => Math.floor(t / 2));
    return { before, after: total.map((t, i) => t - before[i]!) };
  }
  if (typeof value === "string") throw new Error(`${op}: padding must be a number, a list of numbers, "valid" or "same", got "${value}"`);
  const amounts = spatialList(call, "padding", value);
  if (amounts.some((v) => v < 0)) throw new Error(`${op}: padding must not be negative, got ${formatShape(amounts)}`);
  return { before: amounts, after: amounts };
}

/** The kernel, spread by the dilation, must fit inside the padded input at least once. */
function checkKernelFits({ op }: Convolution, input: Tensor, weight: Tensor, padding: Padding, dilation: readonly number[]): void {
  const sizes = input.shape.slice(-dilation.length);
  const kernel = weight.shape.slice(2);
  const padded = sizes.map((size, i) => size + padding.before[i]! + padding.after[i]!);
  const span = kernel.map((k, i) => dilation[i]! * (k - 1) + 1);
  if (span.some((s, i) => s > padded[i]!)) {
    throw new Error(`${op}: the kernel ${formatShape(kernel)} with dilation ${formatShape(dilation)} spans ${span.join("×")} positions, ` +
      `more than the padded input's ${padded.join("×")} (input ${formatShape(input.shape)}, padding ${formatShape(padding.before)}), ` +
      `so the output would be empty; use a smaller kernel or dilation, or more padding`);
  }
}

function checkBias({ op }: Convolution, bias: Tensor, weight: Tensor): void {
  const outChannels = weight.shape[0]!;
  if (bias.ndim !== 1 || bias.shape[0] !== outChannels) {
    throw new Error(`${op}: the bias must be 1-D with ${outChannels} elements (one per output channel of the weight ${formatShape(weight.shape)}), ` +
      `got shape ${formatShape(bias.shape)}`);
  }
}

/** Checks a conv1d or conv2d call, runs it as a conv2d, and adds the bias. */
function convolve(call: Convolution, input: Tensor, weight: Tensor, bias: Tensor | null, options: ConvOptions): Tensor {
  const batched = checkInputRank(call, input);
  checkWeightRank(call, weight);
  checkDtypes(call, input, weight, bias);
  const stride = spatialList(call, "stride", options.stride ?? 1);
  checkPositive(call, "stride", stride);
  const dilation = spatialList(call, "dilation", options.dilation ?? 1);
  checkPositive(call, "dilation", dilation);
  const groups = options.groups ?? 1;
  checkGroups(call, groups, input.shape[batched ? 1 : 0]!, input, weight);
  const padding = resolvePadding(call, options.padding ?? 0, weight.shape.slice(2), stride, dilation);
  checkKernelFits(call, input, weight, padding, dilation);
  if (bias) checkBias(call, bias, weight);

  // A conv1d is a conv2d whose height is 1: a kernel of height 1, stride 1 and no padding along it.
  const isLine = call.spatialDims === 1;
  const withHeight = (t: Tensor) => (isLine ? t.unsqueeze(-2) : t);
  const heightWidth = (list: number[], heightIfLine: number): [number, number] => (isLine ? [heightIfLine, list[0]!] : [list[0]!, list[1]!]);
  let x = withHeight(batched ? input : input.unsqueeze(0));
  const w = withHeight(weight);
  // "same" with an even span: the extra zero after is a real pad of the input; the rest is symmetric.
  const [extraH, extraW] = heightWidth(padding.after.map((a, i) => a - padding.before[i]!), 0);
  if (extraH > 0 || extraW > 0) x = pad(x, [0, extraW, 0, extraH]);
  let out = conv2dOp.apply([x, w], {
    stride: heightWidth(stride, 1), padding: heightWidth(padding.before, 0), dilation: heightWidth(dilation, 1), groups,
  });
  if (isLine) out = out.squeeze(-2);
  if (!batched) out = out.squeeze(0);
  // The bias [Cout] as [Cout, 1] (conv1d) or [Cout, 1, 1] (conv2d) broadcasts over the batch and the positions.
  if (bias) out = out.add(bias.reshape([bias.shape[0]!, ...new Array<number>(call.spatialDims).fill(1)]));
  return out;
}

/**
 * 2-D convolution (strictly, cross-correlation, as in every deep-learning
 * library), like torch.nn.functional.conv2d: input [N, Cin, H, W] or unbatched
 * [Cin, H, W], weight [Cout, Cin/groups, kH, kW], optional bias [Cout];
 * output [N, Cout, oH, oW] with oH = floor((H + 2·padH − dilationH·(kH − 1) − 1) / strideH) + 1
 * (likewise oW). stride, padding and dilation take a number or an [h, w] pair.
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor {
  return convolve({ op: "conv2d", spatialDims: 2 }, input, weight, bias ?? null, options);
}

/**
 * 1-D convolution, like torch.nn.functional.conv1d: input [N, Cin, L] or
 * unbatched [Cin, L], weight [Cout, Cin/groups, k], optional bias [Cout];
 * output [N, Cout, oL] with oL = floor((L + 2·padding − dilation·(k − 1) − 1) / stride) + 1.
 * Computed as a conv2d of height 1.
 */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv1dOptions = {}): Tensor {
  return convolve({ op: "conv1d", spatialDims: 1 }, input, weight, bias ?? null, options);
}

// ---- transposed convolutions ---------------------------------------------------

export interface ConvTransposeOptions {
  /** How far apart the input's positions land in the output (default 1). */
  stride?: SpatialSize;
  /** Removed from both sides of each spatial dim of the output (default 0): the padding of the convolution this one undoes. */
  padding?: SpatialSize;
  /** Added to one side (the end) of each spatial dim of the output (default 0); must be smaller than the stride or the dilation. */
  outputPadding?: SpatialSize;
  /** Channels are split into this many independent groups (default 1). */
  groups?: number;
  /** Spacing between kernel taps (default 1). */
  dilation?: SpatialSize;
}

export type ConvTranspose2dOptions = ConvTransposeOptions;
export type ConvTranspose1dOptions = ConvTransposeOptions;

/** A transposed convolution's weight is [inChannels, outChannels/groups, kernel...]: dims 0 and 1 swapped from conv2d's. */
function checkTransposeWeight({ op, spatialDims }: Convolution, weight: Tensor, inChannels: number, input: Tensor, groups: number): void {
  const layout = spatialDims === 1 ? "[inChannels, outChannels/groups, kW]" : "[inChannels, outChannels/groups, kH, kW]";
  if (weight.ndim !== spatialDims + 2) {
    throw new Error(`${op}: the weight must be ${spatialDims + 2}-D ${layout}, got shape ${formatShape(weight.shape)} (${weight.ndim}-D)`);
  }
  if (!Number.isInteger(groups) || groups <= 0) throw new Error(`${op}: groups must be a positive integer, got ${groups}`);
  if (weight.shape[0] !== inChannels) {
    throw new Error(`${op}: the input ${formatShape(input.shape)} has ${inChannels} channels, but the weight ${formatShape(weight.shape)} ` +
      `expects ${weight.shape[0]} (weight dim 0 is the number of input channels, as the weight is laid out ${layout})`);
  }
  if (inChannels % groups !== 0) {
    throw new Error(`${op}: the input ${formatShape(input.shape)} has ${inChannels} channels, which cannot be split into ` +
      `groups = ${groups} equal groups (${inChannels} is not divisible by ${groups})`);
  }
}

/**
 * outputPadding picks one of the output sizes that a strided convolution maps
 * to the same input size, so it must stay below the stride (or below the
 * dilation, which also leaves output positions that no kernel tap reaches).
 */
function checkOutputPadding({ op }: Convolution, outputPadding: readonly number[], stride: readonly number[], dilation: readonly number[]): void {
  outputPadding.forEach((extra, i) => {
    if (extra < 0 || (extra >= stride[i]! && extra >= dilation[i]!)) {
      throw new Error(`${op}: outputPadding ${formatShape(outputPadding)} must be non-negative and smaller than either the stride ` +
        `${formatShape(stride)} or the dilation ${formatShape(dilation)} in every dim`);
    }
  });
}

/**
 * The transposed convolution's output size per spatial dim, the input size of
 * the convolution it is the gradient of:
 *   out = (in − 1)·stride − 2·padding + dilation·(kernel − 1) + outputPadding + 1
 */
function transposedOutputSizes(call: Convolution, input: Tensor, weight: Tensor, stride: readonly number[], padding: readonly number[],
  dilation: readonly number[], outputPadding: readonly number[]): number[] {
  const sizes = input.shape.slice(-call.spatialDims);
  const kernel = weight.shape.slice(2);
  const out = sizes.map((n, i) => (n - 1) * stride[i]! - 2 * padding[i]! + dilation[i]! * (kernel[i]! - 1) + outputPadding[i]! + 1);
  if (out.some((size) => size <= 0)) {
    throw new Error(`${call.op}: the output would have size ${formatShape(out)} (input ${formatShape(input.shape)}, kernel ${formatShape(kernel)}, ` +
      `stride ${formatShape(stride)}, padding ${formatShape(padding)}, dilation ${formatShape(dilation)}, outputPadding ${formatShape(outputPadding)}); ` +
      `every size must be positive, so use less padding`);
  }
  return out;
}

/**
 * Checks a convTranspose1d or convTranspose2d call and runs it as the op
 * conv2dBackwardInput: a transposed convolution of x with w is exactly the
 * gradient, with respect to its input, of the convolution with w whose input
 * has the transposed convolution's output size.
 */
function transposeConvolve(call: Convolution, input: Tensor, weight: Tensor, bias: Tensor | null, options: ConvTransposeOptions): Tensor {
  const batched = checkInputRank(call, input);
  const groups = options.groups ?? 1;
  checkTransposeWeight(call, weight, input.shape[batched ? 1 : 0]!, input, groups);
  checkDtypes(call, input, weight, bias);
  const stride = spatialList(call, "stride", options.stride ?? 1);
  checkPositive(call, "stride", stride);
  const dilation = spatialList(call, "dilation", options.dilation ?? 1);
  checkPositive(call, "dilation", dilation);
  const padding = spatialList(call, "padding", options.padding ?? 0);
  if (padding.some((v) => v < 0)) throw new Error(`${call.op}: padding must not be negative, got ${formatShape(padding)}`);
  const outputPadding = spatialList(call, "outputPadding", options.outputPadding ?? 0);
  checkOutputPadding(call, outputPadding, stride, dilation);
  const outSizes = transposedOutputSizes(call, input, weight, stride, padding, dilation, outputPadding);
  const outChannels = weight.shape[1]! * groups;
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outChannels)) {
    throw new Error(`${call.op}: the bias must be 1-D with ${outChannels} elements (weight dim 1 · groups = ${weight.shape[1]}·${groups} ` +
      `output channels), got shape ${formatShape(bias.shape)}`);
  }

  // As in convolve: a 1-D problem is a 2-D one of height 1.
  const isLine = call.spatialDims === 1;
  const withHeight = (t: Tensor) => (isLine ? t.unsqueeze(-2) : t);
  const heightWidth = (list: readonly number[], heightIfLine: number): [number, number] => (isLine ? [heightIfLine, list[0]!] : [list[0]!, list[1]!]);
  let x = withHeight(batched ? input : input.unsqueeze(0));
  const w = withHeight(weight);
  const geometry: Conv2dGeometry = {
    stride: heightWidth(stride, 1), padding: heightWidth(padding, 0), dilation: heightWidth(dilation, 1), groups,
  };
  const inputSize = heightWidth(outSizes, 1);
  // The convolution of an output this size has exactly x's positions, unless outputPadding reaches the
  // stride (allowed when the dilation is larger): then it has more, and the extra ones carry zeros.
  const kernel = heightWidth(weight.shape.slice(2), 1);
  const [extraH, extraW] = inputSize.map((size, i) =>
    convOutputSize(size, kernel[i]!, geometry.stride[i]!, geometry.padding[i]!, geometry.dilation[i]!) - x.shape[2 + i]!);
  if (extraH! > 0 || extraW! > 0) x = pad(x, [0, extraW!, 0, extraH!]);
  let out = conv2dBackwardInputOp.apply([x, w], { ...geometry, inputSize });
  if (isLine) out = out.squeeze(-2);
  if (!batched) out = out.squeeze(0);
  if (bias) out = out.add(bias.reshape([outChannels, ...new Array<number>(call.spatialDims).fill(1)]));
  return out;
}

/**
 * 2-D transposed convolution (sometimes called a deconvolution), like
 * torch.nn.functional.conv_transpose2d: input [N, Cin, H, W] or unbatched
 * [Cin, H, W], weight [Cin, Cout/groups, kH, kW], optional bias [Cout]; output
 * [N, Cout, oH, oW] with oH = (H − 1)·strideH − 2·padH + dilationH·(kH − 1) + outputPadH + 1
 * (likewise oW). Each input position scatters a copy of the kernel, scaled by
 * its value, into the output at stride spacing: it is the gradient of conv2d
 * with respect to its input, so ⟨conv2d(x, w), y⟩ = ⟨x, convTranspose2d(y, w)⟩.
 */
export function convTranspose2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvTranspose2dOptions = {}): Tensor {
  return transposeConvolve({ op: "convTranspose2d", spatialDims: 2 }, input, weight, bias ?? null, options);
}

/**
 * 1-D transposed convolution, like torch.nn.functional.conv_transpose1d: input
 * [N, Cin, L] or unbatched [Cin, L], weight [Cin, Cout/groups, k], optional bias
 * [Cout]; output length (L − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1.
 */
export function convTranspose1d(input: Tensor, weight: Tensor, bias?: Tensor | null, options: ConvTranspose1dOptions = {}): Tensor {
  return transposeConvolve({ op: "convTranspose1d", spatialDims: 1 }, input, weight, bias ?? null, options);
}

// Convolution layers: Conv1d, Conv2d, and the transposed ConvTranspose1d, ConvTranspose2d.
//
// A layer holds its kernel and bias as parameters and calls the functional
// form (F.conv2d ...). Every size option takes a number or one number per
// spatial dim, and is stored as a list, as PyTorch stores a tuple.

import { zeros } from "../../core/creation.ts";
import type { DType } from "../../core/dtype.ts";
import type { Tensor } from "../../core/tensor.ts";
import { conv1d, conv2d, convTranspose1d, convTranspose2d } from "../functional/conv.ts";
import { calculateFanInAndFanOut, kaimingUniform_, uniform_ } from "../init.ts";
import { Module } from "../module.ts";
import { Parameter } from "../parameter.ts";
import { pythonTuple } from "./repr.ts";

/** One number for every spatial dim, or one per spatial dim. */
export type SizeOption = number | readonly number[];

/** PyTorch also pads with "reflect", "replicate" or "circular"; here only zeros are implemented. */
export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";

export interface ConvLayerOptions {
  /** How far the kernel moves between outputs (default 1). */
  stride?: SizeOption;
  /** Zeros added on both sides of each spatial dim (default 0); "valid" is 0, "same" keeps the input size (stride 1 only). */
  padding?: SizeOption | "valid" | "same";
  /** Spacing between kernel taps (default 1). */
  dilation?: SizeOption;
  /** Channels are split into this many independent groups (default 1). */
  groups?: number;
  /** Whether to learn a bias per output channel (default true). */
  bias?: boolean;
  /** Only "zeros" (the default). */
  paddingMode?: PaddingMode;
  dtype?: DType;
}

export interface ConvTransposeLayerOptions {
  /** How far apart the input's positions land in the output (default 1). */
  stride?: SizeOption;
  /** Removed from both sides of each spatial dim of the output (default 0). */
  padding?: SizeOption;
  /** Added to the end of each spatial dim of the output (default 0); smaller than the stride or the dilation. */
  outputPadding?: SizeOption;
  groups?: number;
  bias?: boolean;
  dilation?: SizeOption;
  paddingMode?: PaddingMode;
  dtype?: DType;
}

/** What the base class needs to know about a concrete layer. */
interface ConvKind {
  name: string;
  spatialDims: 1 | 2;
  transposed: boolean;
}

/**
 * The parts every convolution layer shares, like PyTorch's _ConvNd: the
 * checks on the channel counts and sizes, the weight and bias, their default
 * initialisation, and the printed description.
 */
export abstract class ConvNd extends Module {
  readonly kernelSize: number[];
  readonly stride: number[];
  readonly padding: number[] | "valid" | "same";
  readonly dilation: number[];
  readonly outputPadding: number[];
  readonly groups: number;
  readonly paddingMode: "zeros";
  /** [outChannels, inChannels/groups, kernel...], or [inChannels, outChannels/groups, kernel...] when transposed. */
  weight: Parameter;
  bias: Parameter | null;

  protected constructor(
    private readonly kind: ConvKind,
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: SizeOption,
    options: ConvLayerOptions & { outputPadding?: SizeOption },
  ) {
    super();
    const { name, spatialDims, transposed } = kind;
    checkChannels(name, inChannels, outChannels, options.groups ?? 1);
    this.groups = options.groups ?? 1;
    this.kernelSize = sizeList(name, "kernelSize", kernelSize, spatialDims, 1);
    this.stride = sizeList(name, "stride", options.stride ?? 1, spatialDims, 1);
    this.dilation = sizeList(name, "dilation", options.dilation ?? 1, spatialDims, 1);
    this.padding = paddingOption(name, options.padding ?? 0, spatialDims, this.stride, transposed);
    this.outputPadding = sizeList(name, "outputPadding", options.outputPadding ?? 0, spatialDims, 0);
    this.paddingMode = paddingModeOption(name, options.paddingMode ?? "zeros");

    const dtype = options.dtype ?? "float32";
    const [first, second] = transposed ? [inChannels, outChannels / this.groups] : [outChannels, inChannels / this.groups];
    this.weight = new Parameter(zeros([first, second, ...this.kernelSize], { dtype }));
    this.bias = (options.bias ?? true) ? new Parameter(zeros([outChannels], { dtype })) : null;
    this.resetParameters();
  }

  /**
   * PyTorch's default initialisation: the weight from kaiming_uniform_ with
   * a = √5, which is U(±1/√fanIn), and the bias from U(±1/√fanIn) too. fanIn
   * is read off the weight (dim 1 times the kernel size), so for a transposed
   * convolution it counts output channels per group, exactly as PyTorch does.
   */
  resetParameters(): void {
    kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias !== null) {
      const { fanIn } = calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      uniform_(this.bias, -bound, bound);
    }
  }

  /** `Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))`, listing the other options only when they differ from the defaults. */
  override extraRepr(): string {
    const parts = [`${this.inChannels}`, `${this.outChannels}`, `kernel_size=${pythonTuple(this.kernelSize)}`, `stride=${pythonTuple(this.stride)}`];
    if (typeof this.padding === "string") parts.push(`padding=${this.padding}`);
    else if (this.padding.some((p) => p !== 0)) parts.push(`padding=${pythonTuple(this.padding)}`);
    if (this.dilation.some((d) => d !== 1)) parts.push(`dilation=${pythonTuple(this.dilation)}`);
    if (this.outputPadding.some((p) => p !== 0)) parts.push(`output_padding=${pythonTuple(this.outputPadding)}`);
    if (this.groups !== 1) parts.push(`groups=${this.groups}`);
    if (this.bias === null) parts.push("bias=False");
    return parts.join(", ");
  }

  /** The options in the form F.conv1d / F.conv2d take them. */
  protected convOptions() {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, groups: this.groups };
  }

  /** The options in the form F.convTranspose1d / F.convTranspose2d take them (their padding is always numbers). */
  protected convTransposeOptions(input: Tensor, outputSize: readonly number[] | undefined) {
    const outputPadding = this.outputPaddingFor(input, outputSize);
    return { stride: this.stride, padding: this.padding as number[], dilation: this.dilation, groups: this.groups, outputPadding };
  }

  /**
   * The outputPadding that gives a transposed convolution the requested output
   * size (PyTorch's forward(input, output_size)): outputSize lists the last
   * spatialDims sizes, each between the smallest output and that plus stride − 1.
   */
  private outputPaddingFor(input: Tensor, outputSize: readonly number[] | undefined): number[] {
    if (outputSize === undefined) return this.outputPadding;
    const { name, spatialDims } = this.kind;
    if (outputSize.length !== spatialDims && outputSize.length !== spatialDims + 2) {
      throw new Error(`${name}: outputSize ${pythonTuple(outputSize)} must list the ${spatialDims} spatial sizes ` +
        `(or the whole output shape, ${spatialDims + 2} sizes)`);
    }
    // A wrong input rank is reported by the functional form.
    if (input.ndim < spatialDims + 1) return this.outputPadding;
    const requested = outputSize.slice(-spatialDims);
    const padding = this.padding as number[];
    return requested.map((size, i) => {
      const inSize = input.shape[input.ndim - spatialDims + i]!;
      const smallest = (inSize - 1) * this.stride[i]! - 2 * padding[i]! + this.dilation[i]! * (this.kernelSize[i]! - 1) + 1;
      const largest = smallest + this.stride[i]! - 1;
      if (!(size >= smallest && size <= largest)) {
        throw new Error(`${name}: requested output size ${pythonTuple(outputSize)} is not reachable: for input ${pythonTuple(input.shape)} ` +
          `spatial dim ${i} can only be ${smallest} to ${largest} (the stride decides how many sizes are possible)`);
      }
      return size - smallest;
    });
  }
}

/**
 * 1-D convolution over a sequence, like torch.nn.Conv1d: input [N, Cin, L]
 * or [Cin, L], weight [Cout, Cin/groups, k], bias [Cout].
 */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeOption, options: ConvLayerOptions = {}) {
    super({ name: "Conv1d", spatialDims: 1, transposed: false }, inChannels, outChannels, kernelSize, options);
  }

  forward(input: Tensor): Tensor {
    return conv1d(input, this.weight, this.bias, this.convOptions());
  }
}

/**
 * 2-D convolution over images, like torch.nn.Conv2d: input [N, Cin, H, W] or
 * [Cin, H, W], weight [Cout, Cin/groups, kH, kW], bias [Cout].
 */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeOption, options: ConvLayerOptions = {}) {
    super({ name: "Conv2d", spatialDims: 2, transposed: false }, inChannels, outChannels, kernelSize, options);
  }

  forward(input: Tensor): Tensor {
    return conv2d(input, this.weight, this.bias, this.convOptions());
  }
}

/**
 * 1-D transposed convolution, like torch.nn.ConvTranspose1d: weight
 * [Cin, Cout/groups, k], bias [Cout]; output length
 * (L − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1.
 */
export class ConvTranspose1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeOption, options: ConvTransposeLayerOptions = {}) {
    super({ name: "ConvTranspose1d", spatialDims: 1, transposed: true }, inChannels, outChannels, kernelSize, options);
  }

  /** outputSize (optional) picks the output length among those the stride allows, instead of outputPadding. */
  forward(input: Tensor, outputSize?: readonly number[]): Tensor {
    return convTranspose1d(input, this.weight, this.bias, this.convTransposeOptions(input, outputSize));
  }
}

/**
 * 2-D transposed convolution, like torch.nn.ConvTranspose2d: it maps a
 * feature map back up to the size a Conv2d with the same options would have
 * taken in (the upsampling half of an autoencoder or U-Net). Weight
 * [Cin, Cout/groups, kH, kW], bias [Cout]; output height
 * (H − 1)·stride − 2·padding + dilation·(kH − 1) + outputPadding + 1 (likewise width).
 */
export class ConvTranspose2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: SizeOption, options: ConvTransposeLayerOptions = {}) {
    super({ name: "ConvTranspose2d", spatialDims: 2, transposed: true }, inChannels, outChannels, kernelSize, options);
  }

  /** outputSize (optional) picks the output [H, W] among those the stride allows, instead of outputPadding. */
  forward(input: Tensor, outputSize?: readonly number[]): Tensor {
    return convTranspose2d(input, this.weight, this.bias, this.convTransposeOptions(input, outputSize));
  }
}

// ---- checks on the constructor's options ----------------------------------------

function checkChannels(layer: string, inChannels: number, outChannels: number, groups: number): void {
  for (const [name, value] of [["inChannels", inChannels], ["outChannels", outChannels]] as const) {
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${layer}: ${name} must be a positive integer, got ${value}`);
  }
  if (!Number.isInteger(groups) || groups <= 0) throw new Error(`${layer}: groups must be a positive integer, got ${groups}`);
  if (inChannels % groups !== 0) throw new Error(`${layer}: inChannels=${inChannels} must be divisible by groups=${groups}`);
  if (outChannels % groups !== 0) throw new Error(`${layer}: outChannels=${outChannels} must be divisible by groups=${groups}`);
}

/** A size option as one integer per spatial dim, each at least `min`. */
function sizeList(layer: string, name: string, value: SizeOption, spatialDims: number, min: number): number[] {
  const list = typeof value === "number" ? new Array<number>(spatialDims).fill(value) : [...value];
  if (list.length !== spatialDims || list.some((v) => !Number.isInteger(v) || v < min)) {
    throw new Error(`${layer}: ${name} must be an integer >= ${min} or a list of ${spatialDims} such integers, got ${JSON.stringify(value)}`);
  }
  return list;
}

/** "valid" and "same" are kept as strings, as PyTorch keeps them; "same" needs stride 1, and transposed layers take numbers only. */
function paddingOption(layer: string, value: SizeOption | "valid" | "same", spatialDims: number, stride: readonly number[],
  transposed: boolean): number[] | "valid" | "same" {
  if (typeof value !== "string") return sizeList(layer, "padding", value, spatialDims, 0);
  if (transposed) throw new Error(`${layer}: padding must be numbers, got "${value}" ("valid" and "same" are for convolutions, not their transposes)`);
  if (value !== "valid" && value !== "same") throw new Error(`${layer}: padding must be a number, a list of numbers, "valid" or "same", got "${value}"`);
  if (value === "same" && stride.some((s) => s !== 1)) {
    throw new Error(`${layer}: padding "same" is not supported for strided convolutions (stride ${pythonTuple(stride)}); give the padding as numbers`);
  }
  return value;
}

function paddingModeOption(layer: string, mode: PaddingMode): "zeros" {
  if (mode === "zeros") return mode;
  if (mode === "reflect" || mode === "replicate" || mode === "circular") {
    throw new Error(`${layer}: paddingMode "${mode}" is not supported, only "zeros"; pad the input first with ` +
      `F.pad(x, amounts, { mode: "${mode}" }) and use padding 0`);
  }
  throw new Error(`${layer}: paddingMode must be "zeros", "reflect", "replicate" or "circular", got "${String(mode)}"`);
}

// Pooling and upsampling layers: MaxPool2d/1d, AvgPool2d/1d,
// AdaptiveAvgPool2d/1d and Upsample. None has parameters: each keeps its
// options and calls the function of the same name in functional/pooling.ts.

import type { SpatialSize } from "../../core/ops/conv.ts";
import type { Tensor } from "../../core/tensor.ts";
import {
  adaptiveAvgPool1d, adaptiveAvgPool2d, avgPool1d, avgPool2d, interpolate, maxPool1d, maxPool2d, type InterpolateOptions, type MaxPoolOptions,
} from "../functional/pooling.ts";
import { Module } from "../module.ts";
import { pythonFloat, pythonValue } from "./repr.ts";

// ---- max pooling ------------------------------------------------------------------------

/** With returnIndices: true, forward gives [output, indices], as PyTorch's forward gives a tuple. */
export type MaxPoolOutput<WithIndices extends boolean> = WithIndices extends true ? [Tensor, Tensor] : Tensor;

export interface MaxPoolLayerOptions<WithIndices extends boolean> extends Omit<MaxPoolOptions, "kernelSize" | "returnIndices"> {
  returnIndices?: WithIndices;
}

/** What MaxPool2d and MaxPool1d share: their options and their repr. */
abstract class MaxPool<WithIndices extends boolean> extends Module {
  readonly stride: SpatialSize;
  readonly padding: SpatialSize;
  readonly dilation: SpatialSize;
  readonly ceilMode: boolean;
  readonly returnIndices: WithIndices;

  constructor(readonly kernelSize: SpatialSize, options: MaxPoolLayerOptions<WithIndices> = {}) {
    super();
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.dilation = options.dilation ?? 1;
    this.ceilMode = options.ceilMode ?? false;
    this.returnIndices = (options.returnIndices ?? false) as WithIndices;
  }

  protected options(): MaxPoolOptions {
    const { kernelSize, stride, padding, dilation, ceilMode, returnIndices } = this;
    return { kernelSize, stride, padding, dilation, ceilMode, returnIndices };
  }

  override extraRepr(): string {
    return `kernel_size=${pythonValue(this.kernelSize)}, stride=${pythonValue(this.stride)}, padding=${pythonValue(this.padding)}, ` +
      `dilation=${pythonValue(this.dilation)}, ceil_mode=${pythonValue(this.ceilMode)}`;
  }
}

/** The largest value of each window of [N, C, H, W] or [C, H, W], like torch.nn.MaxPool2d (stride defaults to kernelSize). */
export class MaxPool2d<WithIndices extends boolean = false> extends MaxPool<WithIndices> {
  forward(input: Tensor): MaxPoolOutput<WithIndices> {
    return maxPool2d(input, this.options()) as MaxPoolOutput<WithIndices>;
  }
}

/** The largest value of each window of [N, C, L] or [C, L], like torch.nn.MaxPool1d (stride defaults to kernelSize). */
export class MaxPool1d<WithIndices extends boolean = false> extends MaxPool<WithIndices> {
  forward(input: Tensor): MaxPoolOutput<WithIndices> {
    return maxPool1d(input, this.options()) as MaxPoolOutput<WithIndices>;
  }
}

// ---- average pooling ------------------------------------------------------------------------

export interface AvgPoolLayerOptions {
  stride?: SpatialSize | null;
  padding?: SpatialSize;
  ceilMode?: boolean;
  countIncludePad?: boolean;
}

/** The mean of each window of [N, C, H, W] or [C, H, W], like torch.nn.AvgPool2d (stride defaults to kernelSize). */
export class AvgPool2d extends Module {
  readonly stride: SpatialSize;
  readonly padding: SpatialSize;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;
  readonly divisorOverride: number | null;

  constructor(readonly kernelSize: SpatialSize, options: AvgPoolLayerOptions & { divisorOverride?: number | null } = {}) {
    super();
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
    this.divisorOverride = options.divisorOverride ?? null;
  }

  forward(input: Tensor): Tensor {
    const { kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride } = this;
    return avgPool2d(input, { kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride });
  }

  override extraRepr(): string {
    return `kernel_size=${pythonValue(this.kernelSize)}, stride=${pythonValue(this.stride)}, padding=${pythonValue(this.padding)}`;
  }
}

/** The mean of each window of [N, C, L] or [C, L], like torch.nn.AvgPool1d (stride defaults to kernelSize). */
export class AvgPool1d extends Module {
  readonly stride: SpatialSize;
  readonly padding: SpatialSize;
  readonly ceilMode: boolean;
  readonly countIncludePad: boolean;

  constructor(readonly kernelSize: SpatialSize, options: AvgPoolLayerOptions = {}) {
    super();
    this.stride = options.stride ?? kernelSize;
    this.padding = options.padding ?? 0;
    this.ceilMode = options.ceilMode ?? false;
    this.countIncludePad = options.countIncludePad ?? true;
  }

  forward(input: Tensor): Tensor {
    const { kernelSize, stride, padding, ceilMode, countIncludePad } = this;
    return avgPool1d(input, { kernelSize, stride, padding, ceilMode, countIncludePad });
  }

  // PyTorch keeps AvgPool1d's sizes as 1-tuples, and prints them so.
  override extraRepr(): string {
    const single = (value: SpatialSize) => pythonValue(typeof value === "number" ? [value] : value);
    return `kernel_size=${single(this.kernelSize)}, stride=${single(this.stride)}, padding=${single(this.padding)}`;
  }
}

// ---- adaptive average pooling ------------------------------------------------------------------

export type AdaptiveSize = number | readonly (number | null)[];

/** Average pooling to a fixed [oH, oW] whatever the input's size, like torch.nn.AdaptiveAvgPool2d (null keeps a dim's size). */
export class AdaptiveAvgPool2d extends Module {
  constructor(readonly outputSize: AdaptiveSize) {
    super();
  }

  forward(input: Tensor): Tensor {
    return adaptiveAvgPool2d(input, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${pythonValue(this.outputSize)}`;
  }
}

/** Average pooling to a fixed length whatever the input's length, like torch.nn.AdaptiveAvgPool1d. */
export class AdaptiveAvgPool1d extends Module {
  constructor(readonly outputSize: AdaptiveSize) {
    super();
  }

  forward(input: Tensor): Tensor {
    return adaptiveAvgPool1d(input, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${pythonValue(this.outputSize)}`;
  }
}

// ---- upsampling -------------------------------------------------------------------------------

/** Resizes the spatial dims of a batch to `size` or by `scaleFactor`, like torch.nn.Upsample (mode "nearest" only). */
export class Upsample extends Module {
  readonly size: SpatialSize | null;
  readonly scaleFactor: number | readonly number[] | null;
  readonly mode: "nearest";
  readonly recomputeScaleFactor: boolean;

  constructor({ size = null, scaleFactor = null, mode = "nearest", recomputeScaleFactor = false }: InterpolateOptions = {}) {
    super();
    this.size = size;
    this.scaleFactor = scaleFactor;
    this.mode = mode;
    this.recomputeScaleFactor = recomputeScaleFactor ?? false;
  }

  forward(input: Tensor): Tensor {
    const { size, scaleFactor, mode, recomputeScaleFactor } = this;
    return interpolate(input, { size, scaleFactor, mode, recomputeScaleFactor });
  }

  // PyTorch stores the scale factors as floats: 2 prints as 2.0.
  override extraRepr(): string {
    const scale = this.scaleFactor;
    const what = scale !== null
      ? `scale_factor=${typeof scale === "number" ? pythonFloat(scale) : `(${scale.map(pythonFloat).join(", ")})`}`
      : `size=${pythonValue(this.size)}`;
    return `${what}, mode=${this.mode}`;
  }
}

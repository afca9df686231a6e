// What the image transforms share: reading an image or a batch of images out
// of a tensor's shape, checking options, and copying a shifted window of an
// image with a fill value outside it.
//
// Layouts, as in torchvision: one image [C, H, W] (or [H, W], one channel)
// or a batch [N, C, H, W]. A batch needs its channel dim: [N, H, W] reads as
// one image of N channels, which would get a single random draw (add the dim
// with x.unsqueeze(1)). The transforms work on the values directly, in
// typed arrays, outside autograd: they prepare data, they are not layers.

import { castValue, type DType, type TypedArray } from "../../core/dtype.ts";
import { formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";

/** A tensor seen as `count` images of `channels` planes of height × width (row-major, contiguous). */
export interface ImageGeometry {
  count: number;
  channels: number;
  height: number;
  width: number;
}

/** The image geometry of x, or an error naming the transform and the shape. */
export function imageGeometry(transform: string, x: Tensor): ImageGeometry {
  const shape = x.shape;
  if (shape.length < 2 || shape.length > 4) {
    throw new Error(`${transform}: expected one image [H, W] or [C, H, W], or a batch [N, C, H, W]; got shape ${formatShape(shape)}`);
  }
  const [height, width] = shape.slice(-2) as [number, number];
  const channels = shape.length >= 3 ? shape[shape.length - 3]! : 1;
  const count = shape.length === 4 ? shape[0]! : 1;
  return { count, channels, height, width };
}

/** x's shape with the last two sizes (H, W) replaced. */
export function withImageSize(shape: readonly number[], height: number, width: number): number[] {
  return [...shape.slice(0, -2), height, width];
}

export function checkFill(transform: string, fill: number): void {
  if (typeof fill !== "number" || !Number.isFinite(fill)) throw new Error(`${transform}: fill must be a finite number, got ${fill}`);
}

export function checkProbability(transform: string, p: number): void {
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new Error(`${transform}: p must be a probability in [0, 1], got ${p}`);
}

/**
 * One plane of the output, read from one plane of the input through an offset:
 *   out[y, x] = in[y + top, x + left]   where that is inside the input,
 *   out[y, x] = fill                    elsewhere.
 * A crop is a positive offset into a (virtually) padded image; a shift is a negative one.
 */
export function copyWindow(
  source: TypedArray, sourceStart: number, height: number, width: number,
  out: TypedArray, outStart: number, outHeight: number, outWidth: number,
  top: number, left: number, fill: number,
): void {
  for (let y = 0; y < outHeight; y++) {
    const sourceY = y + top;
    const rowInside = sourceY >= 0 && sourceY < height;
    const outRow = outStart + y * outWidth;
    for (let x = 0; x < outWidth; x++) {
      const sourceX = x + left;
      out[outRow + x] = rowInside && sourceX >= 0 && sourceX < width ? source[sourceStart + sourceY * width + sourceX]! : fill;
    }
  }
}

/** The fill value as the dtype stores it (an integer image gets an integer fill). */
export function fillFor(dtype: DType, fill: number): number {
  return castValue(fill, dtype);
}

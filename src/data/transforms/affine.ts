// randomAffine: rotate, scale and translate each image about its centre by a
// random amount, sampling the result bilinearly, like
// torchvision.transforms.RandomAffine(degrees, translate, scale, fill=fill,
// interpolation=BILINEAR) (without shear). The augmentation that teaches a
// digit classifier that a slightly tilted, smaller or off-centre 7 is a 7.
//
// Conventions, as torchvision's RandomAffine: a positive angle turns the
// image clockwise as displayed (rows going down); translations are whole
// pixels; the centre is ((W − 1)/2, (H − 1)/2) in pixel indices.

import { allocate, castValue, isFloating, type DType, type TypedArray } from "../../core/dtype.ts";
import { fromValues, valuesOf } from "../../core/kernels.ts";
import { defaultGenerator, type Generator } from "../../core/random.ts";
import type { Transform } from "./compose.ts";
import { checkFill, fillFor, imageGeometry } from "./images.ts";

export interface RandomAffineOptions {
  /** Rotation angle in degrees: drawn from [−degrees, degrees], or from [min, max] (default 0: no rotation). */
  degrees?: number | readonly [number, number];
  /** Largest shift as fractions [a, b] of the width and height: dx from [−a·W, a·W], dy from [−b·H, b·H] (default none). */
  translate?: readonly [number, number];
  /** Scale factor drawn from [low, high] (default 1). */
  scale?: readonly [number, number];
  /** The value of pixels that come from outside the image (default 0). */
  fill?: number;
  generator?: Generator;
}

/** One image's draw: angle (radians), shift (pixels) and scale. */
interface AffineDraw {
  angle: number;
  dx: number;
  dy: number;
  scale: number;
}

/** Checks a [min, max] option: finite numbers, min ≤ max, both allowed by `allowed` (described by `rule`). */
function checkRange(name: string, range: readonly [number, number], allowed: (v: number) => boolean, rule: string): void {
  const ok = Array.isArray(range) && range.length === 2 && range.every((v) => Number.isFinite(v) && allowed(v)) && range[0] <= range[1];
  if (!ok) throw new Error(`randomAffine: ${name} must be a pair [min, max] with ${rule}, got ${JSON.stringify(range)}`);
}

/** Uniform in [low, high]: low + (high − low)·u, u ~ U[0, 1). */
function uniform(generator: Generator, low: number, high: number): number {
  return low + (high - low) * generator.random();
}

/** A cosine or sine within 1e-12 of 0 or ±1 is made exact: cos(π/2) is 6e-17, not 0, and a 90° turn should move pixels exactly. */
function exactTrig(value: number): number {
  const nearest = Math.round(value);
  return Math.abs(value - nearest) < 1e-12 ? nearest : value;
}

/** The pixel at (x, y) of a plane starting at `start`, or `fill` outside it. */
function pixel(plane: TypedArray, start: number, height: number, width: number, x: number, y: number, fill: number): number {
  return x >= 0 && x < width && y >= 0 && y < height ? plane[start + y * width + x]! : fill;
}

/**
 * Bilinear interpolation at (sx, sy) of one plane, with `fill` for the
 * neighbours outside it: the four pixels around the point, weighted by
 * (1 − fx)(1 − fy), fx(1 − fy), (1 − fx)fy and fx·fy.
 */
function bilinear(plane: TypedArray, start: number, height: number, width: number, sx: number, sy: number, fill: number): number {
  const x0 = Math.floor(sx), y0 = Math.floor(sy);
  const fx = sx - x0, fy = sy - y0;
  if (x0 >= 0 && y0 >= 0 && x0 + 1 < width && y0 + 1 < height) {
    // All four neighbours inside (most pixels): read them directly.
    const i = start + y0 * width + x0;
    return (1 - fy) * ((1 - fx) * plane[i]! + fx * plane[i + 1]!) + fy * ((1 - fx) * plane[i + width]! + fx * plane[i + width + 1]!);
  }
  const top = (1 - fx) * pixel(plane, start, height, width, x0, y0, fill) + fx * pixel(plane, start, height, width, x0 + 1, y0, fill);
  const bottom = (1 - fx) * pixel(plane, start, height, width, x0, y0 + 1, fill) + fx * pixel(plane, start, height, width, x0 + 1, y0 + 1, fill);
  return (1 - fy) * top + fy * bottom;
}

/**
 * Writes one transformed image (all its channels) into `out`: every output
 * pixel (x, y) reads the input at the point that the transform moves onto it
 * (the inverse map, so no output pixel is left empty):
 *   u = (x − cx − dx)/s,  v = (y − cy − dy)/s
 *   source = (cx + u cos θ + v sin θ,  cy − u sin θ + v cos θ)
 */
function affineImage(
  source: TypedArray, out: TypedArray, imageStart: number, channels: number, height: number, width: number,
  draw: AffineDraw, fill: number, dtype: DType,
): void {
  const cx = (width - 1) / 2, cy = (height - 1) / 2;
  const cos = exactTrig(Math.cos(draw.angle)) / draw.scale, sin = exactTrig(Math.sin(draw.angle)) / draw.scale;
  const planeSize = height * width;
  // Float images keep interpolated values; integer images round them back to whole numbers.
  const rounds = !isFloating(dtype);
  for (let y = 0; y < height; y++) {
    const v = y - cy - draw.dy;
    for (let x = 0; x < width; x++) {
      const u = x - cx - draw.dx;
      const sx = cx + u * cos + v * sin;
      const sy = cy - u * sin + v * cos;
      for (let c = 0; c < channels; c++) {
        const start = imageStart + c * planeSize;
        const value = bilinear(source, start, height, width, sx, sy, fill);
        out[start + y * width + x] = rounds ? castValue(Math.round(value), dtype) : value;
      }
    }
  }
}

/**
 * For each image, draws the angle θ, then the shift dx, dy (rounded to whole
 * pixels), then the scale s, and resamples the image bilinearly (affineImage).
 * degrees 0, translate [0, 0] and scale [1, 1] give the image back unchanged.
 */
export function randomAffine(options: RandomAffineOptions = {}): Transform {
  const { degrees = 0, translate = [0, 0], scale = [1, 1], fill = 0, generator = defaultGenerator } = options;
  let angleRange: readonly [number, number];
  if (typeof degrees === "number") {
    if (!Number.isFinite(degrees) || degrees < 0) throw new Error(`randomAffine: degrees must be a number ≥ 0 or a pair [min, max], got ${degrees}`);
    angleRange = [-degrees, degrees];
  } else {
    checkRange("degrees", degrees, (v) => Math.abs(v) <= 360, "−360 ≤ min ≤ max ≤ 360");
    angleRange = degrees;
  }
  checkRange("translate", translate, (v) => v >= 0 && v <= 1, "0 ≤ min ≤ max ≤ 1");
  checkRange("scale", scale, (v) => v > 0, "0 < min ≤ max");
  checkFill("randomAffine", fill);

  return (x) => {
    const { count, channels, height, width } = imageGeometry("randomAffine", x);
    const source = valuesOf(x);
    const out = allocate(x.dtype, source.length);
    const fillValue = fillFor(x.dtype, fill);
    for (let n = 0; n < count; n++) {
      const draw: AffineDraw = {
        angle: (uniform(generator, angleRange[0], angleRange[1]) * Math.PI) / 180,
        dx: Math.round(uniform(generator, -translate[0] * width, translate[0] * width)),
        dy: Math.round(uniform(generator, -translate[1] * height, translate[1] * height)),
        scale: uniform(generator, scale[0], scale[1]),
      };
      affineImage(source, out, n * channels * height * width, channels, height, width, draw, fillValue, x.dtype);
    }
    return fromValues(out, x.shape, x.dtype);
  };
}

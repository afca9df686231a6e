// normalize: per-channel standardization of images, like
// torchvision.transforms.Normalize(mean, std). The mean and std are the
// training set's, per channel (for Fashion-MNIST about 0.286 and 0.353),
// so that inputs are centred near 0 with spread near 1, which is what the
// default weight initialisations assume.

import { allocate, isFloating } from "../../core/dtype.ts";
import { fromValues, valuesOf } from "../../core/kernels.ts";
import { formatShape } from "../../core/shape.ts";
import type { Transform } from "./compose.ts";
import { imageGeometry } from "./images.ts";

/** The list form of a per-channel option, checked. */
function perChannel(name: string, value: number | readonly number[]): number[] {
  const values = typeof value === "number" ? [value] : Array.isArray(value) ? [...value] : [];
  if (values.length === 0 || !values.every((v) => typeof v === "number" && Number.isFinite(v))) {
    throw new Error(`normalize: ${name} must be a finite number or a non-empty array of them (one per channel), got ${JSON.stringify(value)}`);
  }
  return values;
}

/**
 * out[c, y, x] = (in[c, y, x] − mean[c]) / std[c], where c is the channel dim
 * (the one before H and W: [C, H, W], [N, C, H, W]; an [H, W] image has one
 * channel). A single number, or a list of one, applies to every channel.
 * Images must be float32 or float64 (as torchvision asks for a float tensor);
 * the result has the same dtype.
 */
export function normalize(mean: number | readonly number[], std: number | readonly number[]): Transform {
  const means = perChannel("mean", mean);
  const stds = perChannel("std", std);
  const zero = stds.findIndex((s) => s === 0);
  if (zero >= 0) throw new Error(`normalize: std[${zero}] is 0, which would divide by zero`);
  return (x) => {
    const { count, channels, height, width } = imageGeometry("normalize", x);
    if (!isFloating(x.dtype)) {
      throw new Error(`normalize: the images must be float32 or float64, got ${x.dtype} (shape ${formatShape(x.shape)}); convert with .float() first`);
    }
    for (const [name, list] of [["mean", means], ["std", stds]] as const) {
      if (list.length !== 1 && list.length !== channels) {
        throw new Error(`normalize: ${name} has ${list.length} values, but the images of shape ${formatShape(x.shape)} have ${channels} channels`);
      }
    }
    const source = valuesOf(x);
    const out = allocate(x.dtype, source.length);
    const planeSize = height * width;
    for (let n = 0; n < count; n++) {
      for (let c = 0; c < channels; c++) {
        const m = means[means.length === 1 ? 0 : c]!, s = stds[stds.length === 1 ? 0 : c]!;
        const start = (n * channels + c) * planeSize;
        for (let i = start; i < start + planeSize; i++) out[i] = (source[i]! - m) / s;
      }
    }
    return fromValues(out, x.shape, x.dtype);
  };
}

// randomHorizontalFlip: mirror each image left to right with probability p,
// like torchvision.transforms.RandomHorizontalFlip(p). A shirt or a shoe
// mirrored is still a shirt or a shoe, so the flip doubles the variety of a
// training set for free (a digit mirrored is not always a digit: skip it there).

import { allocate } from "../../core/dtype.ts";
import { fromValues, valuesOf } from "../../core/kernels.ts";
import { defaultGenerator, type Generator } from "../../core/random.ts";
import type { Transform } from "./compose.ts";
import { checkProbability, imageGeometry } from "./images.ts";

/**
 * out[c, y, x] = in[c, y, W − 1 − x] for an image whose draw u ~ U[0, 1) is below p,
 * a copy otherwise. One draw per image (a batch [N, C, H, W] draws N times, in order).
 */
export function randomHorizontalFlip(options: { p?: number; generator?: Generator } = {}): Transform {
  const { p = 0.5, generator = defaultGenerator } = options;
  checkProbability("randomHorizontalFlip", p);
  return (x) => {
    const { count, channels, height, width } = imageGeometry("randomHorizontalFlip", x);
    const source = valuesOf(x);
    const out = allocate(x.dtype, source.length);
    const imageSize = channels * height * width;
    for (let n = 0; n < count; n++) {
      const flip = generator.random() < p;
      const start = n * imageSize;
      if (!flip) {
        out.set(source.subarray(start, start + imageSize), start);
        continue;
      }
      for (let row = start; row < start + imageSize; row += width) {
        for (let col = 0; col < width; col++) out[row + col] = source[row + width - 1 - col]!;
      }
    }
    return fromValues(out, x.shape, x.dtype);
  };
}

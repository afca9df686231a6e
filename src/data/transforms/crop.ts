// randomCrop: pad each image, then cut out a window of the requested size at
// a random place, like torchvision.transforms.RandomCrop(size, padding, fill).
// With size 28 and padding 2 on 28×28 images, every image moves by up to two
// pixels in each direction: the classic augmentation for CIFAR and MNIST.

import { allocate } from "../../core/dtype.ts";
import { fromValues, valuesOf } from "../../core/kernels.ts";
import { defaultGenerator, type Generator } from "../../core/random.ts";
import { formatShape } from "../../core/shape.ts";
import type { Transform } from "./compose.ts";
import { checkFill, copyWindow, fillFor, imageGeometry, withImageSize } from "./images.ts";

export interface RandomCropOptions {
  /** Pixels of `fill` added on every side before cropping (default 0). */
  padding?: number;
  /** The value of the padding (default 0). */
  fill?: number;
  generator?: Generator;
}

/**
 * For each image, draws top ∈ [0, H + 2·padding − h] and left ∈ [0, W + 2·padding − w]
 * (uniform integers, top first, as torchvision) and returns
 *   out[c, y, x] = padded[c, top + y, left + x],
 * where `padded` is the image with `padding` pixels of `fill` on every side.
 * `size` is h = w, or [h, w]. The padded image is never built: the window is
 * read straight from the input.
 */
export function randomCrop(size: number | readonly [number, number], options: RandomCropOptions = {}): Transform {
  const { padding = 0, fill = 0, generator = defaultGenerator } = options;
  const [cropHeight, cropWidth] = typeof size === "number" ? [size, size] : size;
  if (!Number.isInteger(cropHeight) || !Number.isInteger(cropWidth) || cropHeight < 1 || cropWidth < 1) {
    throw new Error(`randomCrop: size must be a positive integer or a pair [height, width] of them, got ${JSON.stringify(size)}`);
  }
  if (!Number.isInteger(padding) || padding < 0) throw new Error(`randomCrop: padding must be an integer ≥ 0, got ${padding}`);
  checkFill("randomCrop", fill);
  return (x) => {
    const { count, channels, height, width } = imageGeometry("randomCrop", x);
    const paddedHeight = height + 2 * padding;
    const paddedWidth = width + 2 * padding;
    if (cropHeight > paddedHeight || cropWidth > paddedWidth) {
      throw new Error(`randomCrop: a ${cropHeight}×${cropWidth} crop does not fit in images of shape ${formatShape(x.shape)} ` +
        `padded by ${padding} (${paddedHeight}×${paddedWidth})`);
    }
    const source = valuesOf(x);
    const out = allocate(x.dtype, count * channels * cropHeight * cropWidth);
    const fillValue = fillFor(x.dtype, fill);
    for (let n = 0; n < count; n++) {
      const top = generator.randint(0, paddedHeight - cropHeight + 1);
      const left = generator.randint(0, paddedWidth - cropWidth + 1);
      for (let c = 0; c < channels; c++) {
        const plane = n * channels + c;
        // Row top of the padded image is row top − padding of the input.
        copyWindow(source, plane * height * width, height, width,
          out, plane * cropHeight * cropWidth, cropHeight, cropWidth, top - padding, left - padding, fillValue);
      }
    }
    return fromValues(out, withImageSize(x.shape, cropHeight, cropWidth), x.dtype);
  };
}

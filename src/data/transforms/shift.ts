// randomShift: move each image by a whole number of pixels, up to maxShift in
// each direction, filling the uncovered border. For digits and other centred
// images, where a flip would change the meaning but a small move does not.
// (torchvision spells it RandomAffine(degrees=0, translate=(a, b)), with the
// shift given as a fraction of the size; randomCrop with padding is the same
// move with the crop kept at the input's size.)

import { allocate } from "../../core/dtype.ts";
import { fromValues, valuesOf } from "../../core/kernels.ts";
import { defaultGenerator, type Generator } from "../../core/random.ts";
import type { Transform } from "./compose.ts";
import { checkFill, copyWindow, fillFor, imageGeometry } from "./images.ts";

/**
 * For each image, draws dx then dy, uniform integers in [−maxShift, maxShift], and returns
 *   out[c, y, x] = in[c, y − dy, x − dx]   (fill where that falls outside),
 * so positive dx moves the content right and positive dy moves it down.
 */
export function randomShift(maxShift: number, options: { fill?: number; generator?: Generator } = {}): Transform {
  const { fill = 0, generator = defaultGenerator } = options;
  if (!Number.isInteger(maxShift) || maxShift < 0) throw new Error(`randomShift: maxShift must be an integer ≥ 0 (pixels), got ${maxShift}`);
  checkFill("randomShift", fill);
  return (x) => {
    const { count, channels, height, width } = imageGeometry("randomShift", x);
    const source = valuesOf(x);
    const out = allocate(x.dtype, source.length);
    const fillValue = fillFor(x.dtype, fill);
    const planeSize = height * width;
    for (let n = 0; n < count; n++) {
      const dx = generator.randint(-maxShift, maxShift + 1);
      const dy = generator.randint(-maxShift, maxShift + 1);
      for (let c = 0; c < channels; c++) {
        const start = (n * channels + c) * planeSize;
        copyWindow(source, start, height, width, out, start, height, width, -dy, -dx, fillValue);
      }
    }
    return fromValues(out, x.shape, x.dtype);
  };
}

// A transform is a plain function from tensor to tensor, like the callables
// torchvision.transforms builds; compose chains them, like transforms.Compose.
//
//   const augment = compose([randomCrop(28, { padding: 2 }), randomHorizontalFlip(), normalize(0.286, 0.353)]);
//   const batch = augment(images);   // [N, 1, 28, 28] in, [N, 1, 28, 28] out
//
// Image transforms accept one image or a whole batch, so a DataLoader can
// augment a batch in one call.

import type { Tensor } from "../../core/tensor.ts";

/** One step of data preparation: takes a tensor, returns a new one (never changes its input). */
export type Transform = (x: Tensor) => Tensor;

/** Applies the transforms in order: compose([f, g, h])(x) = h(g(f(x))). With none, returns x itself. */
export function compose(transforms: readonly Transform[]): Transform {
  if (!Array.isArray(transforms)) throw new Error(`compose: expected an array of transforms, got ${typeof transforms}`);
  transforms.forEach((transform, i) => {
    if (typeof transform !== "function") throw new Error(`compose: transform ${i} is a ${typeof transform}, not a function (x: Tensor) => Tensor`);
  });
  const steps = [...transforms];
  return (x) => steps.reduce((value, transform) => transform(value), x);
}

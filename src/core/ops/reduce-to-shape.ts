// Undoing broadcasting in backward, in one place for every op.
//
// If x of shape [3, 1] was broadcast to [2, 3, 4] in the forward pass, each of
// its elements was used 2·4 times, so its gradient is the sum of the output
// gradient over those copies: sum over the new leading dim and over dim 2.

import { formatShape } from "../shape.ts";
import type { Tensor } from "../tensor.ts";

/** Sums `grad` over the dims that broadcasting added or stretched, giving a tensor of `shape`. */
export function sumToShape(grad: Tensor, shape: readonly number[]): Tensor {
  const lead = grad.ndim - shape.length;
  if (lead < 0) throw new Error(`sumToShape: gradient of shape ${formatShape(grad.shape)} has fewer dims than ${formatShape(shape)}`);
  const dims: number[] = [];
  for (let d = 0; d < grad.ndim; d++) {
    if (d < lead || (shape[d - lead] === 1 && grad.shape[d] !== 1)) dims.push(d);
  }
  const summed = dims.length > 0 ? grad.sum(dims, true) : grad;
  return summed.reshape(shape);
}

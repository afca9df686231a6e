// oneHot: a label transform turning class indices into one-hot float vectors,
// for losses that want a target distribution (mean squared error on
// probabilities, label smoothing, mixup). Wraps core's oneHot (F.oneHot,
// torch.nn.functional.one_hot) and converts to float32, as
// `F.one_hot(y, numClasses).float()` would in PyTorch.

import { oneHot as oneHotIndices } from "../../core/ops/one-hot.ts";
import type { Transform } from "./compose.ts";

/** y (int32, any shape, values in [0, numClasses)) → float32 [...y.shape, numClasses] with a 1 at each y. */
export function oneHot(numClasses: number): Transform {
  if (!Number.isInteger(numClasses) || numClasses < 1) throw new Error(`oneHot: numClasses must be a positive integer, got ${numClasses}`);
  return (y) => oneHotIndices(y, numClasses).float();
}

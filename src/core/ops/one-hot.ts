// oneHot: class indices as one-hot vectors (F.oneHot, and the data transform).

import { arange } from "../creation.ts";
import { formatShape } from "../shape.ts";
import type { Tensor } from "../tensor.ts";

/**
 * out[..., c] = 1 if input[...] == c else 0, like torch.nn.functional.one_hot:
 * int32 indices of any shape give an int32 tensor of shape [...input.shape,
 * numClasses] (PyTorch's is int64). numClasses = −1 (the default) means one
 * more than the largest index. Not differentiable: the indices are integers.
 */
export function oneHot(input: Tensor, numClasses = -1): Tensor {
  if (input.dtype !== "int32") {
    throw new Error(`oneHot: the class indices must be an int32 tensor, got ${input.dtype} (shape ${formatShape(input.shape)}); ` +
      `convert them with .int() or create them with { dtype: "int32" }`);
  }
  if (!Number.isInteger(numClasses) || numClasses < -1) {
    throw new Error(`oneHot: numClasses must be a non-negative integer, or -1 to use the largest index + 1; got ${numClasses}`);
  }
  const values = input.toTypedArray();
  let largest = -1;
  for (const value of values) {
    if (value < 0) throw new Error(`oneHot: class values must be non-negative, got ${value} in the indices ${formatShape(input.shape)}`);
    largest = Math.max(largest, value);
  }
  if (numClasses === -1) {
    if (values.length === 0) throw new Error(`oneHot: cannot infer the number of classes from an empty tensor ${formatShape(input.shape)}; pass numClasses`);
    numClasses = largest + 1;
  } else if (largest >= numClasses) {
    throw new Error(`oneHot: class value ${largest} is too large for numClasses=${numClasses}; values must be in [0, ${numClasses - 1}]`);
  }
  // Compare each index with every class number 0 .. numClasses − 1.
  const classes = arange(numClasses, undefined, 1, { dtype: "int32" });
  return input.unsqueeze(-1).eq(classes).int();
}

// F.linear: the affine map of a fully connected layer.

import { formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";

/** y = x Wᵀ + b, for x [..., in], W [out, in], b [out], like torch.nn.functional.linear. */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (weight.ndim !== 2) throw new Error(`linear: weight must be 2-D [out_features, in_features], got ${formatShape(weight.shape)}`);
  if (input.ndim === 0 || input.shape[input.ndim - 1] !== weight.shape[1]) {
    throw new Error(`linear: input ${formatShape(input.shape)} must end in in_features=${weight.shape[1]} ` +
      `(the weight is ${formatShape(weight.shape)})`);
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0])) {
    throw new Error(`linear: bias ${formatShape(bias.shape)} must be [out_features] = [${weight.shape[0]}]`);
  }
  const product = input.matmul(weight.T);
  return bias === null ? product : product.add(bias);
}

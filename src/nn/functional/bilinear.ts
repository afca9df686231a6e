// F.bilinear: a learned product of two inputs.

import { formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";

/**
 * y_k = x1ᵀ W_k x2 + b_k for every output k, like torch.nn.functional.bilinear:
 * x1 [..., in1], x2 [..., in2] (the same leading dims), weight [out, in1, in2],
 * bias [out]; output [..., out].
 */
export function bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  checkBilinear(input1, input2, weight, bias);
  const [outFeatures, in1, in2] = weight.shape as [number, number, number];
  const leading = input1.shape.slice(0, -1);
  const x1 = input1.reshape([-1, in1]);
  const x2 = input2.reshape([-1, in2]);
  // (x1 W_k)_j for every k at once: x1 [B, in1] times W laid out as [in1, out·in2], then split into [B, out, in2].
  const x1W = x1.matmul(weight.permute([1, 0, 2]).reshape([in1, outFeatures * in2])).reshape([-1, outFeatures, in2]);
  // ... and the dot product of each (x1 W_k) with x2.
  let out = x1W.mul(x2.unsqueeze(1)).sum(-1);
  if (bias !== null) out = out.add(bias);
  return out.reshape([...leading, outFeatures]);
}

function checkBilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | null): void {
  if (weight.ndim !== 3) {
    throw new Error(`bilinear: the weight must be 3-D [out_features, in1_features, in2_features], got ${formatShape(weight.shape)}`);
  }
  const [outFeatures, in1, in2] = weight.shape as [number, number, number];
  if (input1.ndim === 0 || input1.shape[input1.ndim - 1] !== in1) {
    throw new Error(`bilinear: input1 ${formatShape(input1.shape)} must end in in1_features=${in1} (the weight is ${formatShape(weight.shape)})`);
  }
  if (input2.ndim === 0 || input2.shape[input2.ndim - 1] !== in2) {
    throw new Error(`bilinear: input2 ${formatShape(input2.shape)} must end in in2_features=${in2} (the weight is ${formatShape(weight.shape)})`);
  }
  if (formatShape(input1.shape.slice(0, -1)) !== formatShape(input2.shape.slice(0, -1))) {
    throw new Error(`bilinear: input1 ${formatShape(input1.shape)} and input2 ${formatShape(input2.shape)} must have the same ` +
      `leading dims (all but the last); they are paired element by element`);
  }
  if (bias !== null && (bias.ndim !== 1 || bias.shape[0] !== outFeatures)) {
    throw new Error(`bilinear: bias ${formatShape(bias.shape)} must be [out_features] = [${outFeatures}]`);
  }
}

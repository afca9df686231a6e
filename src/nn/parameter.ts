// Parameter: a tensor that a Module learns.
//
// A Parameter is an ordinary leaf Tensor with requiresGrad on, marked so that
// Module can find it: assigning `this.weight = new Parameter(...)` inside a
// module is what makes `weight` appear in parameters() and stateDict(), as in
// PyTorch's `self.weight = nn.Parameter(...)`.

import { Tensor } from "../core/tensor.ts";

export class Parameter extends Tensor {
  /** Wraps `data`'s memory (no copy) as a leaf that requires grad unless told otherwise. */
  constructor(data: Tensor, requiresGrad = true) {
    super(data.storage, data.shape, data.strides, data.offset);
    this.requiresGrad = requiresGrad;
  }
}

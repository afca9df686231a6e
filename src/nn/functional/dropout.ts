// F.dropout: randomly zero elements during training.

import { rand } from "../../core/creation.ts";
import { defaultGenerator, type Generator } from "../../core/random.ts";
import type { Tensor } from "../../core/tensor.ts";

export interface DropoutOptions {
  /** Probability of zeroing each element (default 0.5). */
  p?: number;
  /** Only drops in training; in evaluation it is the identity (default true, as in F.dropout). */
  training?: boolean;
  generator?: Generator;
}

/**
 * Each element is kept with probability 1 − p and scaled by 1 / (1 − p), so
 * the expected value is unchanged: y = x · mask / (1 − p), mask ~ Bernoulli(1 − p).
 * Like torch.nn.functional.dropout (our random stream differs from PyTorch's).
 */
export function dropout(input: Tensor, { p = 0.5, training = true, generator = defaultGenerator }: DropoutOptions = {}): Tensor {
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout: probability p must be between 0 and 1, got ${p}`);
  if (!training || p === 0) return input;
  if (p === 1) return input.mul(0);
  const keep = rand(input.shape, { dtype: input.dtype, generator }).ge(p);
  return input.mul(keep.to(input.dtype)).div(1 - p);
}

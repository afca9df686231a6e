// Dropout: a regulariser that zeroes random elements while training.

import type { Generator } from "../../core/random.ts";
import type { Tensor } from "../../core/tensor.ts";
import { dropout } from "../functional/dropout.ts";
import { Module } from "../module.ts";
import { pythonFloat } from "./repr.ts";

export interface DropoutLayerOptions {
  /** Draw the masks from this generator instead of the default one. */
  generator?: Generator;
}

/**
 * Like torch.nn.Dropout: in training mode each element is zeroed with
 * probability p and the survivors are scaled by 1/(1 − p), so that the
 * expected output equals the input; in eval mode it is the identity.
 */
export class Dropout extends Module {
  readonly generator: Generator | undefined;

  constructor(readonly p = 0.5, { generator }: DropoutLayerOptions = {}) {
    super();
    if (!(p >= 0 && p <= 1)) throw new Error(`Dropout: probability p must be between 0 and 1, got ${p}`);
    this.generator = generator;
  }

  forward(input: Tensor): Tensor {
    return dropout(input, { p: this.p, training: this.training, generator: this.generator });
  }

  override extraRepr(): string {
    return `p=${pythonFloat(this.p)}, inplace=False`;
  }
}

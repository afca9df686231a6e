// The training loop every experiment of this chapter shares: minibatch Adam
// on the cross-entropy, and the two numbers we read off a trained classifier.

import { F, noGrad, optim, randperm, type Generator, type Tensor } from "../../src/index.ts";
import type { TensorModule } from "../../src/nn/module.ts";
import { ProgressBar } from "../_kit/index.ts";

export interface TrainOptions {
  /** How many minibatch updates (a fixed budget, so that runs of different sizes compare). */
  steps: number;
  batchSize: number;
  lr: number;
  /** Where the order of the minibatches comes from. */
  generator: Generator;
  /** Shown before the progress bar; no bar when absent. */
  label?: string;
}

/**
 * Trains `model` to map rows of x [N, D] to the labels y [N]: draw a random
 * minibatch, loss = cross-entropy(model(x_batch), y_batch), backpropagate,
 * one Adam step; `steps` times. Epochs are reshuffled with `generator`.
 */
export function trainClassifier(model: TensorModule, x: Tensor, y: Tensor, options: TrainOptions): void {
  const { steps, batchSize, lr, generator, label } = options;
  const n = x.shape[0]!;
  const size = Math.min(batchSize, n);
  const optimizer = new optim.Adam(model.parameters(), { lr });
  const progress = label === undefined ? null : new ProgressBar(steps, { label });
  model.train();
  let order = randperm(n, { generator });
  let position = 0;
  for (let step = 0; step < steps; step++) {
    if (position + size > n) {
      order = randperm(n, { generator });
      position = 0;
    }
    const batch = order.narrow(0, position, size);
    position += size;
    const loss = F.crossEntropy(model.forward(x.indexSelect(0, batch)), y.indexSelect(0, batch));
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    progress?.tick(1, `loss ${loss.item().toFixed(3)}`);
  }
  progress?.finish();
  model.eval();
}

/** Percentage of rows whose largest output is the label. */
export function accuracyPercent(model: TensorModule, x: Tensor, y: Tensor): number {
  return noGrad(() => 100 * model.forward(x).argmax(1).eq(y).float().mean().item());
}

/** Mean cross-entropy in nats: −log of the probability given to the right label, averaged. */
export function crossEntropyNats(model: TensorModule, x: Tensor, y: Tensor): number {
  return noGrad(() => F.crossEntropy(model.forward(x), y).item());
}

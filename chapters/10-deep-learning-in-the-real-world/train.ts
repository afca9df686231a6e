// One training loop for the three models of this chapter: minibatches drawn
// without replacement (reshuffled when the data runs out), one Adam step each.
// What changes between models is only the loss of a batch.

import { optim, randperm, type Generator, type Tensor } from "../../src/index.ts";
import { ProgressBar } from "../_kit/index.ts";

export interface LoopOptions {
  /** How many rows the data has. */
  rows: number;
  steps: number;
  batchSize: number;
  lr: number;
  weightDecay?: number;
  generator: Generator;
  label: string;
}

/** Runs `steps` Adam steps on `parameters`, each minimising batchLoss(indices of a random batch of rows). */
export function trainLoop(parameters: Tensor[], batchLoss: (rows: Tensor) => Tensor, options: LoopOptions): number {
  const { rows, steps, batchSize, lr, weightDecay = 0, generator, label } = options;
  const size = Math.min(batchSize, rows);
  const optimizer = new optim.Adam(parameters, { lr, weightDecay });
  const progress = new ProgressBar(steps, { label });
  let order = randperm(rows, { generator }), position = 0, last = NaN;
  for (let step = 0; step < steps; step++) {
    if (position + size > rows) {
      order = randperm(rows, { generator });
      position = 0;
    }
    const loss = batchLoss(order.narrow(0, position, size));
    position += size;
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    last = loss.item();
    progress.tick(1, `loss ${last.toFixed(4)}`);
  }
  progress.finish();
  return last;
}

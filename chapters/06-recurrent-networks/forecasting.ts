// Forecasting a time series: read the last W values, predict the next one.
// A SequenceModel (src/architectures/sequence-model.ts) runs an LSTM over the
// window and a linear layer maps its last state to the forecast.

import { SequenceModel } from "../../src/architectures/sequence-model.ts";
import { Generator, noGrad, optim, randperm, type Tensor } from "../../src/index.ts";
import { ProgressBar } from "../_kit/index.ts";

export interface ForecastRun {
  window: number;
  hiddenSize: number;
  steps: number;
  batch: number;
  learningRate: number;
}

/** Trains a SequenceModel on windows x [N, W, 1] → y [N, 1] (standardized values). */
export function trainForecaster(x: Tensor, y: Tensor, run: ForecastRun, seed: number): SequenceModel {
  const model = new SequenceModel(1, run.hiddenSize, 1, { cell: "lstm" });
  const optimizer = new optim.Adam(model.parameters(), { lr: run.learningRate });
  const schedule = new optim.lrScheduler.CosineAnnealingLR(optimizer, run.steps, { etaMin: run.learningRate / 10 });
  const order = new Generator(seed);
  const progress = new ProgressBar(run.steps, { label: "LSTM forecaster" });
  for (let step = 0; step < run.steps; step++) {
    const index = randperm(x.shape[0]!, { generator: order }).narrow(0, 0, run.batch);
    const loss = model.loss(model.forward(x.indexSelect(0, index)), y.indexSelect(0, index)); // mean squared error
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    schedule.step();
    progress.tick(1, `mse ${loss.item().toFixed(3)}`);
  }
  progress.finish();
  model.eval();
  return model;
}

/** The model's forecasts for every window, without gradients. */
export function forecast(model: SequenceModel, x: Tensor): Tensor {
  return noGrad(() => model.forward(x));
}

/** Mean squared error between two tensors of the same shape. */
export function meanSquaredError(prediction: Tensor, target: Tensor): number {
  return prediction.sub(target).pow(2).mean().item();
}

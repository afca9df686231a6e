// Character language models: the same three cells, now reading Pride and
// Prejudice one character at a time and predicting the next one
// (src/architectures/char-rnn.ts; the recipe of training/char-rnn.ts on a smaller budget).

import { CharRNN, detachHidden, type RecurrentCell, type RecurrentState } from "../../src/architectures/char-rnn.ts";
import { F, Generator, data, manualSeed, nn, noGrad, optim, type Tensor } from "../../src/index.ts";
import { ProgressBar } from "../_kit/index.ts";

export interface CharRun {
  embeddingDim: number;
  hiddenSize: number;
  /** Parallel streams of text per step. */
  batchSize: number;
  /** Characters per window: how far back gradients flow (truncated backpropagation through time). */
  seqLen: number;
  steps: number;
  learningRate: number;
}

/** Mean cross-entropy (nats/char) over every window of `streams`, the state carried from window to window. */
export function validationNats(model: CharRNN, streams: Tensor, seqLen: number): number {
  model.eval();
  let total = 0, count = 0;
  noGrad(() => {
    let hidden: RecurrentState | null = null;
    for (const [x, y] of data.bpttWindows(streams, seqLen)) {
      const [logits, next] = model.forward(x, hidden);
      total += F.crossEntropy(logits.reshape([y.numel(), model.vocabSize]), y.reshape([y.numel()]), { reduction: "sum" }).item();
      count += y.numel();
      hidden = next;
    }
  });
  model.train();
  return total / count;
}

/** Trains one character model for run.steps steps; returns it and its training-loss curve. */
export function trainCharModel(cell: RecurrentCell, vocabSize: number, trainStreams: Tensor, run: CharRun, seed: number): { model: CharRNN; losses: number[] } {
  manualSeed(seed); // the same starting point for every cell
  const model = new CharRNN(vocabSize, { cell, embeddingDim: run.embeddingDim, hiddenSize: run.hiddenSize });
  const optimizer = new optim.Adam(model.parameters(), { lr: run.learningRate });
  const schedule = new optim.lrScheduler.CosineAnnealingLR(optimizer, run.steps, { etaMin: run.learningRate / 10 });
  const progress = new ProgressBar(run.steps, { label: cell.toUpperCase().padEnd(4) });
  const losses: number[] = [];
  let hidden: RecurrentState = model.initHidden(run.batchSize);
  while (losses.length < run.steps) {
    for (const [x, y] of data.bpttWindows(trainStreams, run.seqLen)) {
      if (losses.length === run.steps) break;
      const [logits, next] = model.forward(x, hidden);
      const loss = F.crossEntropy(logits.reshape([y.numel(), vocabSize]), y.reshape([y.numel()]));
      optimizer.zeroGrad();
      loss.backward();
      nn.utils.clipGradNorm_(model.parameters(), 1);
      optimizer.step();
      schedule.step();
      hidden = detachHidden(next); // keep the values, cut the history: the next backward stops here
      losses.push(loss.item());
      progress.tick(1, `loss ${loss.item().toFixed(3)}`);
    }
    hidden = model.initHidden(run.batchSize);
  }
  progress.finish();
  return { model, losses };
}

/** `length` characters written by the model after `prompt` (temperature 0.8). */
export function sampleText(model: CharRNN, tokenizer: data.CharTokenizer, prompt: string, length: number, seed: number): string {
  return prompt + tokenizer.decode(model.sample(tokenizer.encode(prompt), { length, temperature: 0.8, generator: new Generator(seed) }));
}

// A character-level GPT (src/architectures/gpt.ts) trained on Pride and Prejudice,
// nanoGPT's "shakespeare_char" recipe at CPU size.
//
//   npm run train -- gpt             full run (about 10 minutes on 2 quiet cores)
//   npm run train -- gpt --quick     the same code on a tiny budget, in seconds
//
// Data: the novel's 684,768 characters as ids of its 75 distinct characters
// (data.CharTokenizer); the first 90 % train, the last 10 % (68,477 characters,
// the end of the book) validate, split by position (data.splitByPosition), so
// no validation text is ever trained on. Each step trains on batchSize windows
// of blockSize characters at random places in the training text
// (data.randomWindows, nanoGPT's get_batch), every position predicting the next
// character.
//
// The model: 2 blocks of 4 heads, 64 features, a context of 32 characters,
// no biases (nanoGPT's bias=False: "a bit better and faster"): 105,472
// parameters (PyTorch counts the same, test/architectures/gpt.test.ts). Small,
// because on a CPU training costs about a millisecond per character at this
// size; batches of 16 windows give more updates for the same characters than
// 32 did, and 1,200 steps (614,400 characters, about as many as the training
// text holds) reach the target with room to spare.
//
// Training: AdamW (β = 0.9, 0.99; weight decay 0.1 on the matrices and
// embeddings, none on biases and LayerNorm weights, as nanoGPT's
// configure_optimizers), the learning rate rising linearly for warmupSteps,
// then decaying along a cosine to a tenth of its peak (optim.lrScheduler.LambdaLR);
// gradients clipped to norm 1.
//
// Measured: the validation loss in nats per character, the mean of
// −log p(next character) over every position of the validation text cut into
// consecutive windows of blockSize characters (a fixed set of windows, the same
// in every run); the training loss (mean of the last 50 steps); training
// throughput in characters (tokens) per second; wall time. Baselines: the
// unigram and bigram cross-entropies counted on the training text (add-one
// smoothing). Target: validation loss ≤ 1.9 nats/char within 15 minutes.
// Then a 300-character sample from a prompt, generated with the key/value
// cache, and the speed of generation with and without it.

import fs from "node:fs";
import path from "node:path";
import { GPT, type GPTConfig } from "../src/architectures/gpt.ts";
import { Generator, data, manualSeed, nn, noGrad, optim, type Tensor } from "../src/index.ts";
import { ProgressBar } from "../chapters/_kit/progress.ts";
import { bigramCrossEntropy, unigramCrossEntropy } from "./text-baselines.ts";
import { atMost, reported, type TrainOptions, type TrainResult, type Trainer } from "./types.ts";

/** Everything that sets the size of a run. */
export interface GPTRun {
  model: Omit<GPTConfig, "vocabSize">;
  batchSize: number;
  steps: number;
  warmupSteps: number;
  /** The peak learning rate (after warmup). */
  learningRate: number;
  weightDecay: number;
  /** Characters of the validation text used (all of it in full mode). */
  valChars: number;
  /** Evaluate on a small fixed part of the validation text every this many steps (progress only). */
  evalEvery: number;
  sampleLength: number;
}

export const FULL_RUN: GPTRun = {
  model: { blockSize: 32, nLayer: 2, nHead: 4, nEmbd: 64, dropout: 0, bias: false },
  batchSize: 16, steps: 1200, warmupSteps: 50, learningRate: 6e-3, weightDecay: 0.1,
  valChars: Infinity, evalEvery: 100, sampleLength: 300,
};
export const QUICK_RUN: GPTRun = {
  model: { blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 32, dropout: 0, bias: false },
  batchSize: 8, steps: 30, warmupSteps: 5, learningRate: 5e-3, weightDecay: 0.1,
  valChars: 2000, evalEvery: 10, sampleLength: 60,
};

const PROMPT = "Elizabeth ";
const MAX_GRAD_NORM = 1;
const TEMPERATURE = 0.8;
const TARGET_VAL_LOSS = 1.9;
const TARGET_MINUTES = 15;

/** The learning-rate factor of nanoGPT's get_lr: linear warmup to 1, then a cosine from 1 down to 0.1 at the last step. */
export function warmupCosine(step: number, warmupSteps: number, totalSteps: number): number {
  if (step < warmupSteps) return (step + 1) / warmupSteps;
  const progress = Math.min(1, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
  return 0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * progress));
}

/** The mean loss (nats/char) over every position of the given windows, in eval mode, in batches. */
export function evaluate(model: GPT, windows: data.Dataset<[Tensor, Tensor]>, batchSize = 64): number {
  model.eval();
  let [total, count] = [0, 0];
  noGrad(() => {
    for (const [x, y] of new data.DataLoader(windows, { batchSize })) {
      total += model.forward(x, y).loss!.item() * y.numel();
      count += y.numel();
    }
  });
  model.train();
  return total / count;
}

/** AdamW with nanoGPT's two groups: weight decay on tensors of 2 or more dims (matrices, embeddings), none on the rest. */
function makeOptimizer(model: GPT, run: GPTRun): optim.AdamW {
  const parameters = model.parameters();
  return new optim.AdamW([
    { params: parameters.filter((p) => p.ndim >= 2), weightDecay: run.weightDecay },
    { params: parameters.filter((p) => p.ndim < 2), weightDecay: 0 },
  ], { lr: run.learningRate, betas: [0.9, 0.99] });
}

/** Seconds per generated token, with or without the cache. */
function timeGeneration(model: GPT, prompt: Int32Array, tokens: number, useCache: boolean): number {
  const started = performance.now();
  model.generate(prompt, { maxNewTokens: tokens, temperature: TEMPERATURE, generator: new Generator(0), useCache });
  return (performance.now() - started) / 1000 / tokens;
}

export function trainGPT(run: GPTRun, { seed, outDir }: Pick<TrainOptions, "seed" | "outDir">): TrainResult {
  const started = performance.now();
  const text = data.loadText("pride-and-prejudice");
  const tokenizer = data.CharTokenizer.fromText(text);
  const [train, fullVal] = data.splitByPosition(tokenizer.encode(text), 0.1);
  const val = fullVal.subarray(0, Math.min(fullVal.length, run.valChars));
  const unigram = unigramCrossEntropy(train, val, tokenizer.vocabSize);
  const bigram = bigramCrossEntropy(train, val, tokenizer.vocabSize);
  console.log(`${train.length} training and ${val.length} validation characters, ${tokenizer.vocabSize} distinct; ` +
    `baselines: unigram ${unigram.toFixed(3)}, bigram ${bigram.toFixed(3)} nats/char`);

  manualSeed(seed);
  const model = new GPT({ vocabSize: tokenizer.vocabSize, ...run.model });
  const { blockSize } = model.config;
  console.log(`GPT: ${model.parameterCount().toLocaleString("en-US")} parameters, ${JSON.stringify(run.model)}`);
  const optimizer = makeOptimizer(model, run);
  const schedule = new optim.lrScheduler.LambdaLR(optimizer, (step) => warmupCosine(step, run.warmupSteps, run.steps));
  const valWindows = new data.LanguageModelDataset(val, blockSize);                 // every validation position, once
  const progressWindows = new data.Subset(valWindows, Array.from({ length: Math.min(64, valWindows.length) }, (_, i) => i));
  const batches = new Generator(seed);

  const progress = new ProgressBar(run.steps);
  const recentLosses: number[] = [];
  let progressVal = NaN;
  const trainingStarted = performance.now();
  for (let step = 0; step < run.steps; step++) {
    const [x, y] = data.randomWindows(train, blockSize, run.batchSize, { generator: batches });
    const { loss } = model.forward(x, y);
    optimizer.zeroGrad();
    loss!.backward();
    nn.utils.clipGradNorm_(model.parameters(), MAX_GRAD_NORM);
    optimizer.step();
    schedule.step();
    recentLosses.push(loss!.item());
    if (recentLosses.length > 50) recentLosses.shift();
    if ((step + 1) % run.evalEvery === 0) progressVal = evaluate(model, progressWindows);
    const valStatus = Number.isNaN(progressVal) ? "" : ` · val (first ${progressWindows.length} windows) ${progressVal.toFixed(3)}`;
    progress.tick(1, `train ${mean(recentLosses).toFixed(3)}${valStatus}`);
  }
  progress.finish();
  const trainingSeconds = (performance.now() - trainingStarted) / 1000;
  const tokensPerSecond = (run.steps * run.batchSize * blockSize) / trainingSeconds;
  const valLoss = evaluate(model, valWindows);

  const prompt = tokenizer.encode(PROMPT);
  const sample = tokenizer.decode(model.generate(prompt, {
    maxNewTokens: run.sampleLength, temperature: TEMPERATURE, generator: new Generator(seed),
  }));
  fs.writeFileSync(path.join(outDir, "sample.txt"), `${sample}\n`);
  const generationTokens = Math.min(run.sampleLength, blockSize - prompt.length); // within one window, where the cache helps
  const cachedSeconds = timeGeneration(model, prompt, generationTokens, true);
  const uncachedSeconds = timeGeneration(model, prompt, generationTokens, false);
  const minutes = (performance.now() - started) / 60_000;

  return {
    measurements: [
      atMost("val loss (nats/char)", valLoss, TARGET_VAL_LOSS),
      atMost("wall time, data to sample (minutes)", minutes, TARGET_MINUTES),
      reported("train loss, last 50 steps (nats/char)", mean(recentLosses)),
      reported("unigram baseline (nats/char)", unigram),
      reported("bigram baseline (nats/char)", bigram),
      reported("parameters", model.parameterCount()),
      reported("steps", run.steps),
      reported("training tokens/s", tokensPerSecond),
      reported("generation tokens/s with the KV cache", 1 / cachedSeconds),
      reported("generation tokens/s without it", 1 / uncachedSeconds),
    ],
    notes: [
      `training took ${trainingSeconds.toFixed(0)} s for ${(run.steps * run.batchSize * blockSize).toLocaleString("en-US")} tokens`,
      `sample (temperature ${TEMPERATURE}, prompt ${JSON.stringify(PROMPT)}), also in ${path.join(outDir, "sample.txt")}:`,
      ...sample.split("\n"),
    ],
  };
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

const trainer: Trainer = {
  description: "a character-level GPT on Pride and Prejudice (last 10 % validation), AdamW with warmup and cosine decay",
  train: ({ quick, seed, outDir }) => trainGPT(quick ? QUICK_RUN : FULL_RUN, { seed, outDir }),
};

export default trainer;

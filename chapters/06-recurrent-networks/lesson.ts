// Chapter 6: recurrent networks.
//
//   npx tsx chapters/06-recurrent-networks/lesson.ts [--quick]
//
// (a) Remembering the first symbol of a sequence: the gradient ∂loss/∂h_t that
//     reaches each step at initialisation, then RNN vs LSTM (forget-gate bias
//     1 and 3) vs GRU trained at growing lengths.
// (b) The three cells as character language models on Pride and Prejudice,
//     against a bigram baseline, with a sample of text.
// (c) Forecasting a daily series with an LSTM (SequenceModel), against
//     "tomorrow = today" and "tomorrow = a week ago".

import path from "node:path";
import fs from "node:fs";
import { data, Generator, manualSeed, type Tensor } from "../../src/index.ts";
import type { CharRNN, RecurrentCell } from "../../src/architectures/char-rnn.ts";
import { atLeast, atMost, heading, reported, runIfMain, say, type Lesson, type LessonOptions, type LessonResult, type Measurement } from "../_kit/index.ts";
import { lineChart } from "../_kit/svg.ts";
import { firstSymbolBatch, hiddenGradientNorms, StepwiseClassifier, trainOnMemoryTask, type Cell, type MemoryRun } from "./memory-task.ts";
import { sampleText, trainCharModel, validationNats, type CharRun } from "./char-models.ts";
import { bigramCrossEntropy } from "../../training/text-baselines.ts";
import { forecast, meanSquaredError, trainForecaster, type ForecastRun } from "./forecasting.ts";

const CELLS: readonly Cell[] = ["rnn", "lstm", "gru"];
const NAMES: Record<Cell, string> = { rnn: "RNN", lstm: "LSTM", gru: "GRU" };
/** The memory task's contestants: the three cells, and an LSTM whose forget gate starts at σ(3) ≈ 0.95 instead of σ(1) ≈ 0.73. */
const MODELS: readonly { name: string; cell: Cell; forgetBias?: number }[] = [
  { name: "RNN", cell: "rnn" }, { name: "LSTM", cell: "lstm", forgetBias: 1 }, { name: "LSTM (forget bias 3)", cell: "lstm", forgetBias: 3 }, { name: "GRU", cell: "gru" },
];

const SIZES = {
  quick: {
    lengths: [5, 10], gradientLength: 20,
    memory: { steps: 40, batch: 32, hiddenSize: 16, symbols: 4, learningRate: 1e-2 } as MemoryRun,
    char: { embeddingDim: 16, hiddenSize: 32, batchSize: 8, seqLen: 16, steps: 20, learningRate: 2e-2 } as CharRun,
    valChars: 2000, sampleLength: 80, days: 400,
    forecast: { window: 14, hiddenSize: 16, steps: 100, batch: 32, learningRate: 1e-2 } as ForecastRun,
  },
  full: {
    lengths: [10, 20, 40], gradientLength: 40,
    memory: { steps: 600, batch: 32, hiddenSize: 32, symbols: 4, learningRate: 1e-2 } as MemoryRun,
    char: { embeddingDim: 32, hiddenSize: 64, batchSize: 32, seqLen: 32, steps: 150, learningRate: 2e-2 } as CharRun,
    valChars: 20000, sampleLength: 300, days: 1000,
    forecast: { window: 28, hiddenSize: 32, steps: 300, batch: 32, learningRate: 1e-2 } as ForecastRun,
  },
};

function run({ quick, seed, outDir }: LessonOptions): LessonResult {
  const size = quick ? SIZES.quick : SIZES.full;
  const figures: string[] = [];
  const measurements: Measurement[] = [];

  // ── (a) Long memory ───────────────────────────────────────────────────────
  heading("(a) Remember the first symbol");
  const m = size.memory;
  say(`Each sequence is ${m.symbols} possible symbols in random order; at the end the network must say which came first.`);
  say(`Chance is ${(100 / m.symbols).toFixed(0)} %. A recurrent network reads one symbol per step and updates its state h_t = cell(x_t, h_{t−1}).`);
  say("Every cell starts as in PyTorch (weights uniform in ±1/√hidden); the LSTM's forget gate gets a bias of 1 (the common choice),");
  say("so it starts by keeping σ(1) ≈ 73 % of its cell state per step; a second LSTM gets a bias of 3 (σ(3) ≈ 95 %).");
  const longest = size.gradientLength;

  say();
  say(`First, before any training: how much of the learning signal from the answer reaches each step of a length-${longest} sequence?`);
  say("By the chain rule ∂loss/∂h_t = ∂loss/∂h_T · Π_{s>t} ∂h_s/∂h_{s−1}, one Jacobian per step. For an RNN each is tanh′ · W_hh,");
  say("smaller than 1 at this initialisation, so the product shrinks geometrically; the LSTM's cell state passes it on through f ≈ 0.73 per step.");
  const [xProbe, yProbe] = firstSymbolBatch(64, longest, m.symbols, new Generator(seed + 7));
  const norms = new Map<string, number[]>();
  for (const model of MODELS) {
    manualSeed(seed); // the same starting weights the training below uses
    norms.set(model.name, hiddenGradientNorms(new StepwiseClassifier(model.cell, m.symbols + 1, m.hiddenSize, m.symbols, { forgetBias: model.forgetBias }), xProbe, yProbe));
  }
  const decayOf = (name: string) => norms.get(name)![0]! / norms.get(name)!.at(-1)!; // ‖∂L/∂h_1‖ / ‖∂L/∂h_T‖
  const decay = (cell: Cell) => decayOf(NAMES[cell]);
  say(`‖∂L/∂h_1‖ / ‖∂L/∂h_${longest}‖ at initialisation: ${MODELS.map((model) => `${model.name} ${decayOf(model.name).toExponential(1)}`).join(", ")}.`);
  say(`The first step, the only one that matters here, gets ${(decay("lstm") / decay("rnn")).toExponential(1)} times more signal through the LSTM than through the RNN.`);
  figures.push(lineChart(path.join(outDir, "gradient-norm-over-time.svg"),
    MODELS.map(({ name }) => ({ name, x: norms.get(name)!.map((_, t) => t + 1), y: norms.get(name)! })),
    { title: `‖∂loss/∂h_t‖ at initialisation, sequences of length ${longest}`, xLabel: "time step t", yLabel: "gradient norm (mean over 64 sequences)", logY: true }));
  for (const { name } of MODELS) measurements.push(reported(`${name} log10 ‖∂L/∂h_1‖ / ‖∂L/∂h_T‖ at init, T = ${longest}`, Math.log10(decayOf(name))));
  measurements.push(atLeast(`log10 LSTM / RNN gradient reaching step 1 at init, T = ${longest}`, Math.log10(decay("lstm") / decay("rnn")), quick ? 1.7 : 3)); // ≥ 50× and ≥ 1000×

  say();
  say(`Now training: each cell, ${m.steps} steps of Adam (lr ${m.learningRate}, batches of ${m.batch}, state of ${m.hiddenSize}) per sequence length, then a test on 500 new sequences.`);
  const accuracy = new Map<string, number[]>(MODELS.map(({ name }) => [name, []]));
  for (const length of size.lengths) {
    for (const model of MODELS) accuracy.get(model.name)!.push(trainOnMemoryTask(model.cell, length, m, seed, model.forgetBias).accuracy);
    say(`  length ${String(length).padStart(3)}: ${MODELS.map(({ name }) => `${name} ${accuracy.get(name)!.at(-1)!.toFixed(1)} %`).join(", ")}`);
  }
  figures.push(lineChart(path.join(outDir, "memory-accuracy-vs-length.svg"),
    MODELS.map(({ name }) => ({ name, x: size.lengths, y: accuracy.get(name)! })),
    { title: `Remembering the first symbol: test accuracy after ${m.steps} steps vs sequence length`, xLabel: "sequence length", yLabel: "test accuracy (%)" }));
  size.lengths.forEach((length, k) => {
    for (const { name } of MODELS) measurements.push(reported(`${name} memory accuracy, length ${length} (%)`, accuracy.get(name)![k]!));
  });
  for (const { name } of MODELS) {
    const lengths = size.lengths.filter((_, k) => accuracy.get(name)![k]! >= 90); // lengths where it is right ≥ 90 % of the time
    say(`${name}: ${lengths.length === 0 ? "no length learned" : `learned length${lengths.length > 1 ? "s" : ""} ${lengths.join(", ")}`} (≥ 90 % on the test) in ${m.steps} steps.`);
  }
  // ── (b) Character language models ────────────────────────────────────────
  heading("(b) Character language models on Pride and Prejudice");
  const text = data.loadText("pride-and-prejudice");
  const tokenizer = data.CharTokenizer.fromText(text);
  const [train, fullVal] = data.splitByPosition(tokenizer.encode(text), 0.1);
  const val = fullVal.subarray(0, Math.min(fullVal.length, size.valChars));
  const bigram = bigramCrossEntropy(train, val, tokenizer.vocabSize);
  const uniform = Math.log(tokenizer.vocabSize);
  say(`${train.length.toLocaleString("en-US")} training characters (the first 90 %), ${val.length.toLocaleString("en-US")} validation characters from the end of the book; ${tokenizer.vocabSize} distinct.`);
  say(`Guessing uniformly costs ln ${tokenizer.vocabSize} = ${uniform.toFixed(3)} nats/char; the bigram table (next char given the last) ${bigram.toFixed(3)}.`);
  const c = size.char;
  say(`Each cell: embeddings of ${c.embeddingDim}, a state of ${c.hiddenSize}, ${c.batchSize} streams × windows of ${c.seqLen} characters, ${c.steps} steps of Adam.`);
  const trainStreams = data.batchify(train, c.batchSize);
  const valStreams = data.batchify(val, Math.min(32, Math.floor(val.length / (c.seqLen + 1))));
  const charLoss = new Map<RecurrentCell, number>();
  const curves: { name: string; y: number[] }[] = [];
  const samples: string[] = [];
  let lstmModel: CharRNN | undefined;
  for (const cell of CELLS) {
    const { model, losses } = trainCharModel(cell, tokenizer.vocabSize, trainStreams, c, seed);
    if (cell === "lstm") lstmModel = model;
    charLoss.set(cell, validationNats(model, valStreams, c.seqLen));
    curves.push({ name: NAMES[cell], y: smooth(losses) });
    samples.push(`--- ${NAMES[cell]} (validation ${charLoss.get(cell)!.toFixed(3)} nats/char) ---\n${sampleText(model, tokenizer, "Elizabeth ", size.sampleLength, seed)}\n`);
    say(`  ${NAMES[cell]}: validation ${charLoss.get(cell)!.toFixed(3)} nats/char`);
  }
  curves.push({ name: "bigram (validation)", y: curves[0]!.y.map(() => bigram) });
  figures.push(lineChart(path.join(outDir, "char-models-training-loss.svg"), curves,
    { title: "Character models: training loss (moving average) vs the bigram baseline", xLabel: "step", yLabel: "nats per character" }));
  const samplesFile = path.join(outDir, "samples.txt");
  fs.writeFileSync(samplesFile, samples.join("\n"));
  say(`Samples of every model are in ${samplesFile}. One from the LSTM (temperature 0.8):`);
  say(`  ${sampleText(lstmModel!, tokenizer, "Elizabeth ", Math.min(size.sampleLength, 160), seed).replace(/\s+/g, " ")}`);
  const best = Math.min(...charLoss.values());
  measurements.push(
    reported("bigram baseline (nats/char)", bigram),
    ...CELLS.map((cell) => reported(`${NAMES[cell]} char model validation (nats/char)`, charLoss.get(cell)!)),
    atMost("best char model validation (nats/char)", best, quick ? Number((uniform - 0.5).toFixed(2)) : Number(bigram.toFixed(3))),
  );

  // ── (c) Forecasting ───────────────────────────────────────────────────────
  heading("(c) Forecasting a daily series");
  const series = data.makeSeasonalSeries(size.days, { generator: new Generator(seed + 3) }); // level + trend + weekly and yearly cycles + noise
  const cut = Math.floor(0.8 * size.days);
  const values = series.toTypedArray();
  let mean = 0, sq = 0;
  for (let i = 0; i < cut; i++) mean += values[i]! / cut;
  for (let i = 0; i < cut; i++) sq += (values[i]! - mean) ** 2 / cut;
  const std = Math.sqrt(sq);
  const standardized = series.sub(mean).div(std); // statistics of the training part only
  const w = size.forecast.window;
  const [xAll, yAll] = data.slidingWindows(standardized, w, 1);
  const trainCount = cut - w; // windows whose target lies in the first 80 %
  const xTrain = xAll.narrow(0, 0, trainCount), yTrain = yAll.narrow(0, 0, trainCount);
  const xTest = xAll.narrow(0, trainCount, xAll.shape[0]! - trainCount), yTest = yAll.narrow(0, trainCount, xAll.shape[0]! - trainCount);
  say(`${size.days} days of "demand": a trend, a weekly and a yearly cycle, noise of σ = 4. The last 20 % are the test.`);
  say(`The LSTM reads the last ${w} days (standardized) and predicts the next one.`);
  const model = trainForecaster(xTrain, yTrain, size.forecast, seed);
  const predicted = forecast(model, xTest);
  const inUnits = (mse: number) => mse * std * std; // back to the series' units²
  const lstmMse = inUnits(meanSquaredError(predicted, yTest));
  const lastValue = xTest.select(1, w - 1); // "tomorrow = today"  [N, 1]
  const weekAgo = xTest.select(1, w - 7);   // "tomorrow = the same day last week"
  const naiveMse = inUnits(meanSquaredError(lastValue, yTest));
  const seasonalMse = inUnits(meanSquaredError(weekAgo, yTest));
  say(`Test mean squared error: LSTM ${lstmMse.toFixed(1)}, last value ${naiveMse.toFixed(1)}, same day last week ${seasonalMse.toFixed(1)} (the noise alone: 16).`);
  const shown = Math.min(120, yTest.shape[0]!);
  const unstandardize = (t: Tensor) => Array.from(t.narrow(0, 0, shown).reshape([shown]).mul(std).add(mean).toTypedArray());
  const days = Array.from({ length: shown }, (_, i) => cut + i);
  figures.push(lineChart(path.join(outDir, "forecast-vs-truth.svg"), [
    { name: "truth", x: days, y: unstandardize(yTest) },
    { name: "LSTM forecast", x: days, y: unstandardize(predicted) },
    { name: "last value", x: days, y: unstandardize(lastValue) },
  ], { title: "One-day-ahead forecasts on the test days", xLabel: "day", yLabel: "demand" }));
  measurements.push(
    atMost("LSTM forecast MSE / last-value MSE", lstmMse / naiveMse, quick ? 1.2 : 0.8),
    reported("LSTM forecast test MSE", lstmMse),
    reported("last-value baseline test MSE", naiveMse),
    reported("same-day-last-week baseline test MSE", seasonalMse),
  );

  const longestTrained = size.lengths.at(-1)!;
  return {
    measurements,
    summary: `gradient reaching step 1 of ${longest} at init: LSTM ${(decay("lstm") / decay("rnn")).toExponential(0)}× the RNN's; ` +
      `remembering over ${longestTrained} steps: ${MODELS.map(({ name }) => `${name} ${accuracy.get(name)!.at(-1)!.toFixed(0)} %`).join(", ")}; ` +
      `char LSTM ${charLoss.get("lstm")!.toFixed(2)} vs bigram ${bigram.toFixed(2)} nats/char; forecast MSE ${lstmMse.toFixed(1)} vs ${naiveMse.toFixed(1)} for "tomorrow = today"`,
    figures,
  };
}

/** An exponential moving average (0.9), to read a noisy loss curve. */
function smooth(values: readonly number[]): number[] {
  const out: number[] = [];
  for (const v of values) out.push(out.length === 0 ? v : 0.9 * out.at(-1)! + 0.1 * v);
  return out;
}

const lesson: Lesson = { number: 6, slug: "recurrent-networks", title: "Recurrent networks", run };
export default lesson;

runIfMain(lesson, import.meta.url);

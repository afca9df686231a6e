import assert from "node:assert/strict";
import { test } from "node:test";
import { runQuickLesson } from "../helpers/lessons.ts";
import { assertValidFigure } from "../helpers/figures.ts";
import { firstSymbolBatch, hiddenGradientNorms, StepwiseClassifier } from "../../chapters/06-recurrent-networks/memory-task.ts";
import { bigramCrossEntropy } from "../../training/text-baselines.ts";
import { Generator, manualSeed, nn, noGrad, stack, type Tensor } from "../../src/index.ts";

/** The sequence layer (nn.RNN / nn.LSTM / nn.GRU) with the same weights as a StepwiseClassifier's cell. */
function sequenceLayerLike(model: StepwiseClassifier): nn.RNN | nn.LSTM | nn.GRU {
  const [input, hidden] = [model.cell.inputSize, model.cell.hiddenSize];
  const layer = model.kind === "rnn" ? new nn.RNN(input, hidden, { batchFirst: true })
    : model.kind === "lstm" ? new nn.LSTM(input, hidden, { batchFirst: true }) : new nn.GRU(input, hidden, { batchFirst: true });
  noGrad(() => {
    layer.weight_ih_l0.copy_(model.cell.weight_ih);
    layer.weight_hh_l0.copy_(model.cell.weight_hh);
    layer.bias_ih_l0!.copy_(model.cell.bias_ih!);
    layer.bias_hh_l0!.copy_(model.cell.bias_hh!);
  });
  return layer;
}

for (const kind of ["rnn", "lstm", "gru"] as const) {
  test(`the unrolled ${kind} cell computes exactly what nn.${kind.toUpperCase()} computes`, () => {
    manualSeed(3);
    const model = new StepwiseClassifier(kind, 5, 8, 4);
    const [x] = firstSymbolBatch(6, 12, 4, new Generator(4));
    const byHand = stack(model.run(x).states, 1); // [B, T, H]
    const layer = sequenceLayerLike(model);
    const output: Tensor = layer instanceof nn.LSTM ? layer.forward(x)[0] : (layer as nn.RNN | nn.GRU).forward(x)[0];
    assert.deepEqual(output.shape, byHand.shape);
    const difference = output.sub(byHand).abs().max().item();
    assert.ok(difference < 1e-6, `max difference ${difference}`);
  });
}

test("the LSTM's forget gate starts with a bias of 1 (b_ih) and 0 (b_hh)", () => {
  const model = new StepwiseClassifier("lstm", 5, 8, 4);
  const cell = model.cell as nn.LSTMCell;
  assert.equal(cell.bias_ih!.narrow(0, 8, 8).min().item(), 1);
  assert.equal(cell.bias_ih!.narrow(0, 8, 8).max().item(), 1);
  assert.equal(cell.bias_hh!.narrow(0, 8, 8).abs().max().item(), 0);
  assert.ok(cell.bias_ih!.narrow(0, 0, 8).abs().max().item() < 1 / Math.sqrt(8)); // the other gates keep PyTorch's init
});

test("firstSymbolBatch: the label is the first symbol, flagged", () => {
  const [x, y] = firstSymbolBatch(3, 5, 4, new Generator(1));
  assert.deepEqual(x.shape, [3, 5, 5]);
  for (let b = 0; b < 3; b++) {
    assert.equal(x.select(0, b).select(0, 0).narrow(0, y.select(0, b).item(), 1).item(), 1);
    assert.equal(x.select(0, b).select(0, 0).select(0, 4).item(), 1);
    assert.equal(x.select(0, b).select(0, 1).select(0, 4).item(), 0);
  }
});

test("hiddenGradientNorms gives one positive norm per step", () => {
  const [x, y] = firstSymbolBatch(4, 6, 4, new Generator(2));
  const norms = hiddenGradientNorms(new StepwiseClassifier("rnn", 5, 8, 4), x, y);
  assert.equal(norms.length, 6);
  for (const n of norms) assert.ok(n > 0 && Number.isFinite(n));
});

test("the bigram baseline of a text that repeats itself is low", () => {
  const text = Int32Array.from({ length: 200 }, (_, i) => i % 2);
  assert.ok(bigramCrossEntropy(text, text, 2) < 0.05);
});

const run = runQuickLesson("06-recurrent-networks");
test("the quick lesson exits 0", () => assert.equal(run.exitCode, 0, run.stderr));
test("at initialisation the LSTM passes ≥ 50× more gradient to step 1 than the RNN (length 20)", () =>
  assert.ok(run.value("log10 LSTM / RNN gradient reaching step 1 at init, T = 20") > Math.log10(50)));
test("the RNN and both LSTMs learn the memory task at length 5 in 40 steps (chance: 25 %)", () =>
  assert.ok(["RNN", "LSTM", "LSTM (forget bias 3)"].every((name) => run.value(`${name} memory accuracy, length 5 (%)`) > 80)));
test("a char model beats uniform guessing by 0.5 nats/char", () => assert.ok(run.value("best char model validation (nats/char)") < Math.log(75) - 0.5));
test("the forecaster is not far worse than 'tomorrow = today'", () => assert.ok(run.value("LSTM forecast MSE / last-value MSE") < 1.2));
test("figures are valid", () => {
  const figures = run.record.figures.filter((f) => !f.endsWith(".txt"));
  assert.ok(figures.length >= 4);
  for (const f of figures) assertValidFigure(f);
});

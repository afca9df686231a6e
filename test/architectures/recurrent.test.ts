// CharRNN and SequenceModel (src/architectures/char-rnn.ts, sequence-model.ts): shapes,
// parameter counts and outputs against their PyTorch twins (test/fixtures/torch-arch/recurrent.json,
// written by scripts/torch-arch-recurrent.py), gradcheck in float64, safetensors round trips,
// truncated BPTT with a carried state, sampling, and three short learning runs.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  CharRNN, detachHidden, drawToken, makeRecurrentLayer, runRecurrentLayer, type RecurrentCell, type RecurrentState,
} from "../../src/architectures/char-rnn.ts";
import { SequenceModel } from "../../src/architectures/sequence-model.ts";
import { F, Generator, cat, data, deserialize, gradcheck, manualSeed, noGrad, optim, randn, serialize, tensor, type Tensor } from "../../src/index.ts";
import { assertClose } from "../helpers/assert.ts";
import { decodeStateDict, readArchFixture } from "../helpers/torch-arch.ts";
import { decode, type Encoded } from "../helpers/torch-fixtures.ts";

interface CharRNNCase {
  cell: RecurrentCell;
  config: { vocabSize: number; embeddingDim: number; hiddenSize: number; numLayers: number };
  stateDict: [string, Encoded][];
  tokens: Encoded; targets: Encoded; logits: Encoded; final: Encoded[];
  start: Encoded[]; logitsFromStart: Encoded; finalFromStart: Encoded[];
  loss: number;
  grads: Record<string, Encoded>;
}

interface SequenceModelCase {
  cell: RecurrentCell;
  config: { inputSize: number; hiddenSize: number; outFeatures: number; numLayers: number };
  stateDict: [string, Encoded][];
  input: Encoded; output: Encoded; upstream: Encoded; inputGrad: Encoded;
  grads: Record<string, Encoded>;
}

const FIXTURE = readArchFixture<{
  charRnn: CharRNNCase[];
  sequenceModel: SequenceModelCase[];
  parameterCounts: Record<string, number>;
}>("recurrent");

const CELLS: readonly RecurrentCell[] = ["rnn", "lstm", "gru"];
const EXACT = { atol: 1e-10, rtol: 0 };

const parameterCount = (model: CharRNN | SequenceModel) => model.parameters().reduce((n, p) => n + p.numel(), 0);
const ids = (rows: number[][]) => tensor(rows, { dtype: "int32" });
/** A state as a list of tensors: [h] or [h, c]. */
const stateList = (state: RecurrentState): Tensor[] => (Array.isArray(state) ? [...state] : [state]);
const stateOf = (cell: RecurrentCell, tensors: Tensor[]): RecurrentState => (cell === "lstm" ? [tensors[0]!, tensors[1]!] : tensors[0]!);

/** A float64 CharRNN holding the fixture's PyTorch weights. */
function charRnnFromFixture(fixture: CharRNNCase): CharRNN {
  const { vocabSize, ...options } = fixture.config;
  const model = new CharRNN(vocabSize, { cell: fixture.cell, ...options }).double();
  model.loadStateDict(decodeStateDict(fixture.stateDict));
  return model;
}

describe("CharRNN: shapes", () => {
  for (const cell of CELLS) {
    test(`${cell}: logits [B, T, V] and a state per layer`, () => {
      manualSeed(0);
      const model = new CharRNN(11, { cell, embeddingDim: 4, hiddenSize: 6, numLayers: 2 });
      const [logits, state] = model.forward(ids([[1, 2, 3], [4, 5, 6]]));
      assert.deepEqual(logits.shape, [2, 3, 11]);
      assert.equal(Array.isArray(state), cell === "lstm");
      for (const s of stateList(state)) assert.deepEqual(s.shape, [2, 2, 6]);
      assert.equal(model.rnn.batchFirst, true);
      assert.equal(model.rnn.numLayers, 2);
      const zeros = stateList(model.initHidden(5));
      assert.equal(zeros.length, cell === "lstm" ? 2 : 1);
      for (const s of zeros) assert.deepEqual([s.shape, s.sum().item()], [[2, 5, 6], 0]);
    });
  }

  test("state-dict keys and layer types as PyTorch names them", () => {
    assert.deepEqual([...new CharRNN(5, { cell: "gru", numLayers: 2 }).stateDict().keys()], [
      "embedding.weight", "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0",
      "rnn.weight_ih_l1", "rnn.weight_hh_l1", "rnn.bias_ih_l1", "rnn.bias_hh_l1", "head.weight", "head.bias",
    ]);
    assert.deepEqual(CELLS.map((cell) => new CharRNN(5, { cell }).rnn.constructor.name), ["RNN", "LSTM", "GRU"]);
  });

  test("errors: tokens that are not int32 [B, T], a state of the wrong form, an unknown cell", () => {
    const lstm = new CharRNN(5, { cell: "lstm", hiddenSize: 4 });
    const gru = new CharRNN(5, { cell: "gru", hiddenSize: 4 });
    assert.throws(() => lstm.forward(tensor([1, 2], { dtype: "int32" })), /int32 \[batch, time\]/);
    assert.throws(() => lstm.forward(tensor([[1, 2]])), /int32 \[batch, time\]/);
    assert.throws(() => lstm.forward(ids([[1, 2]]), gru.initHidden(1)), /LSTM: the hidden state is a pair \[h, c\]/);
    assert.throws(() => gru.forward(ids([[1, 2]]), lstm.initHidden(1)), /GRU: the hidden state is one tensor/);
    assert.throws(() => new CharRNN(5, { cell: "transformer" as RecurrentCell }), /cell must be "rnn", "lstm" or "gru"/);
    assert.throws(() => new SequenceModel(1, 4, 1, { task: "ranking" as "regression" }), /task must be/);
    assert.throws(() => new SequenceModel(2, 4, 1).forward(randn([3, 5, 1])), /expected input \[batch, time, 2\]/);
  });
});

describe("CharRNN: the same numbers as PyTorch 1.13", () => {
  for (const fixture of FIXTURE.charRnn) {
    test(`${fixture.cell}: parameter count of the trained configuration is PyTorch's`, () => {
      const model = new CharRNN(75, { cell: fixture.cell }); // the defaults, as training/char-rnn.ts trains them
      assert.equal(parameterCount(model), FIXTURE.parameterCounts[`charRnn.${fixture.cell}`]);
    });

    test(`${fixture.cell}: logits, final states and gradients with PyTorch's weights (2 layers)`, () => {
      const model = charRnnFromFixture(fixture);
      assert.deepEqual([...model.stateDict().keys()], fixture.stateDict.map(([name]) => name));
      const tokens = decode(fixture.tokens);
      const [logits, final] = model.forward(tokens);
      assertClose(logits, fixture.logits.values, { ...EXACT, message: "logits" });
      stateList(final).forEach((s, k) => assertClose(s, fixture.final[k]!.values, { ...EXACT, message: `final state ${k}` }));

      const start = stateOf(fixture.cell, fixture.start.map((s) => decode(s)));
      const [logitsFromStart, finalFromStart] = model.forward(tokens, start);
      assertClose(logitsFromStart, fixture.logitsFromStart.values, { ...EXACT, message: "logits from a given state" });
      stateList(finalFromStart).forEach((s, k) => assertClose(s, fixture.finalFromStart[k]!.values, { ...EXACT, message: `final state ${k} from a given state` }));

      const vocab = fixture.config.vocabSize;
      const loss = F.crossEntropy(logits.reshape([-1, vocab]), decode(fixture.targets).reshape([-1]));
      assert.ok(Math.abs(loss.item() - fixture.loss) <= 1e-12, "loss");
      loss.backward();
      for (const [name, p] of model.namedParameters()) assertClose(p.grad!, fixture.grads[name]!.values, { ...EXACT, message: `gradient of ${name}` });
    });
  }
});

describe("SequenceModel: the same numbers as PyTorch 1.13", () => {
  test("parameter counts of the configurations trained below", () => {
    assert.equal(parameterCount(new SequenceModel(1, 16, 1)), FIXTURE.parameterCounts["sequenceModel.sineRegression"]);
    assert.equal(parameterCount(new SequenceModel(1, 16, 3, { task: "classification", cell: "gru" })), FIXTURE.parameterCounts["sequenceModel.classification"]);
  });

  for (const fixture of FIXTURE.sequenceModel) {
    test(`${fixture.cell}: output and gradients with PyTorch's weights (2 layers)`, () => {
      const { inputSize, hiddenSize, outFeatures, numLayers } = fixture.config;
      const model = new SequenceModel(inputSize, hiddenSize, outFeatures, { cell: fixture.cell, numLayers }).double();
      model.loadStateDict(decodeStateDict(fixture.stateDict));
      const x = decode(fixture.input, true);
      const output = model.forward(x);
      assertClose(output, fixture.output.values, { ...EXACT, message: "output" });
      output.mul(decode(fixture.upstream)).sum().backward();
      assertClose(x.grad!, fixture.inputGrad.values, { ...EXACT, message: "input gradient" });
      for (const [name, p] of model.namedParameters()) assertClose(p.grad!, fixture.grads[name]!.values, { ...EXACT, message: `gradient of ${name}` });
    });
  }
});

describe("gradcheck in float64", () => {
  for (const cell of CELLS) {
    test(`CharRNN ${cell}, 2 layers: the starting state and every parameter`, () => {
      manualSeed(1);
      const model = new CharRNN(4, { cell, embeddingDim: 2, hiddenSize: 2, numLayers: 2 }).double();
      const start = stateList(model.initHidden(2)).map(() => randn([2, 2, 2], { dtype: "float64", requiresGrad: true }));
      const tokens = ids([[0, 3, 1], [2, 2, 1]]);
      const fn = () => {
        const [logits, final] = model.forward(tokens, stateOf(cell, start));
        return [logits, ...stateList(final)];
      };
      assert.equal(gradcheck(fn, [...start, ...model.parameters()], { name: `CharRNN ${cell}` }), true);
    });

    test(`SequenceModel ${cell}: the input and every parameter`, () => {
      manualSeed(2);
      const model = new SequenceModel(2, 3, 2, { cell }).double();
      const x = randn([2, 3, 2], { dtype: "float64", requiresGrad: true });
      assert.equal(gradcheck(() => model.forward(x), [x, ...model.parameters()], { name: `SequenceModel ${cell}` }), true);
    });
  }
});

describe("state dicts through safetensors", () => {
  for (const cell of CELLS) {
    test(`${cell}: a fresh model loaded from the bytes gives the same logits`, () => {
      manualSeed(3);
      const model = new CharRNN(9, { cell, embeddingDim: 3, hiddenSize: 5, numLayers: 2 });
      const bytes = serialize(model.stateDict());
      manualSeed(4);
      const fresh = new CharRNN(9, { cell, embeddingDim: 3, hiddenSize: 5, numLayers: 2 });
      const tokens = ids([[1, 8, 0, 4]]);
      assert.notDeepEqual(fresh.forward(tokens)[0].tolist(), model.forward(tokens)[0].tolist());
      fresh.loadStateDict(deserialize(bytes).tensors);
      assert.deepEqual(fresh.forward(tokens)[0].tolist(), model.forward(tokens)[0].tolist());
    });
  }

  test("SequenceModel: the same output after the round trip", () => {
    manualSeed(5);
    const model = new SequenceModel(2, 4, 3, { task: "classification", cell: "gru" });
    const fresh = new SequenceModel(2, 4, 3, { task: "classification", cell: "gru" });
    fresh.loadStateDict(deserialize(serialize(model.stateDict())).tensors);
    const x = randn([2, 5, 2]);
    assert.deepEqual(fresh.forward(x).tolist(), model.forward(x).tolist());
  });
});

describe("truncated backpropagation through time", () => {
  for (const cell of CELLS) {
    test(`${cell}: T steps at once equal T/2 then T/2 from the carried state`, () => {
      manualSeed(6);
      const model = new CharRNN(7, { cell, embeddingDim: 3, hiddenSize: 4, numLayers: 2 }).double();
      const tokens = ids([[1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1]]);
      const [whole, wholeFinal] = model.forward(tokens);
      const [first, middle] = model.forward(tokens.narrow(1, 0, 3).contiguous());
      const [second, secondFinal] = model.forward(tokens.narrow(1, 3, 3).contiguous(), detachHidden(middle));
      assertClose(cat([first, second], 1), whole.tolist(), { atol: 1e-14, rtol: 0 });
      stateList(secondFinal).forEach((s, k) => assertClose(s, stateList(wholeFinal)[k]!.tolist(), { atol: 1e-14, rtol: 0 }));
    });
  }

  test("detachHidden keeps the values and drops the history", () => {
    const lstm = new CharRNN(5, { cell: "lstm", hiddenSize: 3 });
    const [, state] = lstm.forward(ids([[1, 2]]));
    const [h, c] = state as [Tensor, Tensor];
    assert.equal(h.requiresGrad, true);
    const [hd, cd] = detachHidden(state) as [Tensor, Tensor];
    assert.deepEqual([hd.requiresGrad, cd.requiresGrad], [false, false]);
    assert.deepEqual([hd.tolist(), cd.tolist()], [h.tolist(), c.tolist()]);
    const [, hGru] = new CharRNN(5, { cell: "gru", hiddenSize: 3 }).forward(ids([[1]]));
    assert.equal((detachHidden(hGru) as Tensor).requiresGrad, false);
  });

  test("runRecurrentLayer and makeRecurrentLayer work for the time series layers too", () => {
    const rnn = makeRecurrentLayer(2, 3, { cell: "rnn", numLayers: 1, dropout: 0 });
    const [output, state] = runRecurrentLayer(rnn, randn([4, 5, 2]), null);
    assert.deepEqual([output.shape, (state as Tensor).shape], [[4, 5, 3], [1, 4, 3]]);
  });
});

describe("sampling", () => {
  test("the same generator seed gives the same text; ids are in the vocabulary; the mode is restored", () => {
    manualSeed(7);
    const model = new CharRNN(6, { cell: "gru", embeddingDim: 3, hiddenSize: 4, dropout: 0.5 });
    const first = model.sample([1, 2], { length: 20, generator: new Generator(1) });
    const again = model.sample([1, 2], { length: 20, generator: new Generator(1) });
    assert.equal(first.length, 20);
    assert.deepEqual(again, first);
    assert.ok(first.every((id) => id >= 0 && id < 6));
    assert.equal(model.training, true);
    assert.equal(model.sample([0], { length: 0 }).length, 0);
  });

  test("temperature 0 follows the most likely character, step by step", () => {
    manualSeed(8);
    const model = new CharRNN(5, { cell: "rnn", embeddingDim: 3, hiddenSize: 4 });
    const greedy = [...model.sample([3], { length: 4, temperature: 0 })];
    const sequence = [3];
    noGrad(() => {
      for (let i = 0; i < 4; i++) {
        const [logits] = model.forward(ids([sequence]));
        sequence.push(logits.select(1, sequence.length - 1).argmax(1).item());
      }
    });
    assert.deepEqual(greedy, sequence.slice(1));
  });

  test("drawToken draws each id about as often as softmax(logits / temperature) says", () => {
    const generator = new Generator(9);
    const counts = [0, 0, 0];
    const logits = [0, Math.log(2), Math.log(7)]; // probabilities 0.1, 0.2, 0.7
    for (let i = 0; i < 5000; i++) counts[drawToken(logits, 1, generator)]! += 1;
    assert.deepEqual(counts.map((c) => Math.round(c / 500)), [1, 2, 7]);
    // A high temperature flattens the distribution; a low one sharpens it.
    const hot = Array.from({ length: 3000 }, () => drawToken(logits, 100, generator)).filter((id) => id === 0).length;
    const cold = Array.from({ length: 3000 }, () => drawToken(logits, 0.1, generator)).filter((id) => id === 2).length;
    assert.ok(hot > 800 && cold > 2950, `hot ${hot}, cold ${cold}`);
  });

  test("errors: an empty prompt, a bad length or temperature", () => {
    const model = new CharRNN(5, { cell: "rnn", hiddenSize: 3 });
    assert.throws(() => model.sample([], { length: 3 }), /at least one token/);
    assert.throws(() => model.sample([1], { length: 1.5 }), /length must be an integer/);
    assert.throws(() => model.sample([1], { length: 3, temperature: -1 }), /temperature must be >= 0/);
  });
});

describe("learning", () => {
  test("an LSTM learns a short repeated sentence far below its unigram entropy", () => {
    const text = "the cat sat on the mat. ".repeat(12);
    const tokenizer = data.CharTokenizer.fromText(text);
    const streams = data.batchify(tokenizer.encode(text), 4); // 4 rows of 72 characters
    manualSeed(10);
    const model = new CharRNN(tokenizer.vocabSize, { cell: "lstm", embeddingDim: 8, hiddenSize: 24 });
    const optimizer = new optim.Adam(model.parameters(), { lr: 0.02 });
    const unigram = unigramEntropy(tokenizer.encode(text), tokenizer.vocabSize);
    let loss = Infinity;
    for (let epoch = 0; epoch < 10; epoch++) {
      let hidden: RecurrentState | null = null;
      for (const [x, y] of data.bpttWindows(streams, 12)) {
        const [logits, next] = model.forward(x, hidden);
        const batchLoss = F.crossEntropy(logits.reshape([-1, tokenizer.vocabSize]), y.reshape([-1]));
        optimizer.zeroGrad();
        batchLoss.backward();
        optimizer.step();
        hidden = detachHidden(next);
        loss = batchLoss.item();
      }
    }
    // The sentence is fully predictable after a few characters; the unigram entropy is about 2.3 nats.
    assert.ok(loss < 0.1 * unigram, `final loss ${loss.toFixed(3)} vs unigram entropy ${unigram.toFixed(3)}`);
    const continuation = tokenizer.decode(model.sample(tokenizer.encode("the cat "), { length: 15, temperature: 0 }));
    assert.equal(continuation, "sat on the mat.");
  });

  test("SequenceModel (LSTM) predicts the next value of a noisy sine much better than repeating the last value", () => {
    const series = data.makeSineSeries(176, { periods: [25], noise: 0.05, generator: new Generator(11) });
    const [windows, next] = data.slidingWindows(series, 12, 1); // [164, 12, 1] → [164, 1]
    const [trainX, trainY] = [windows.narrow(0, 0, 64), next.narrow(0, 0, 64)];
    const [testX, testY] = [windows.narrow(0, 64, 100), next.narrow(0, 64, 100)]; // later in the series, never trained on
    manualSeed(12);
    const model = new SequenceModel(1, 16, 1);
    const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
    for (let step = 0; step < 40; step++) {
      const loss = model.loss(model.forward(trainX), trainY);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
    }
    const mse = noGrad(() => model.loss(model.predict(testX), testY).item());
    // The naive forecast, "the next value is the last one", is off by about 2 sin(π/25) ≈ 0.25 at the steepest points.
    const naive = F.mseLoss(testX.select(1, 11), testY).item();
    assert.ok(mse < 0.4 * naive, `test MSE ${mse.toFixed(4)} vs last-value baseline ${naive.toFixed(4)}`);
  });

  test("SequenceModel (GRU) tells three kinds of noisy waves apart", () => {
    const [trainX, trainY] = waveDataset(90, new Generator(13));
    const [testX, testY] = waveDataset(90, new Generator(14));
    manualSeed(15);
    const model = new SequenceModel(1, 16, 3, { task: "classification", cell: "gru" });
    const optimizer = new optim.Adam(model.parameters(), { lr: 0.03 });
    for (let step = 0; step < 35; step++) {
      const loss = model.loss(model.forward(trainX), trainY);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
    }
    const accuracy = noGrad(() => model.predict(testX).eq(testY).float().mean().item());
    assert.ok(accuracy >= 0.9, `test accuracy ${accuracy} (chance is 1/3)`);
  });
});

/** −Σ p log p of the character frequencies of a text, in nats. */
function unigramEntropy(tokens: Int32Array, vocabSize: number): number {
  const counts = new Array<number>(vocabSize).fill(0);
  for (const t of tokens) counts[t]! += 1;
  return -counts.reduce((sum, c) => (c === 0 ? sum : sum + (c / tokens.length) * Math.log(c / tokens.length)), 0);
}

/**
 * n sequences of 16 steps, class k = a sine of period 4, 8 or 16 steps with a
 * random phase and noise: x [n, 16, 1], y [n] int32 (the classes in turn).
 */
function waveDataset(n: number, generator: Generator): [Tensor, Tensor] {
  const periods = [4, 8, 16];
  const waves: Tensor[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 3;
    waves.push(data.makeSineSeries(16, { periods: [periods[label]!], randomPhases: true, noise: 0.2, generator }).reshape([1, 16, 1]));
    labels.push(label);
  }
  return [cat(waves, 0), tensor(labels, { dtype: "int32" })];
}

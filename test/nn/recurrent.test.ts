// Recurrent layers and cells: RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell.
// Values and gradients against PyTorch 1.13 (test/fixtures/torch-nn/recurrent-attention.json,
// written by scripts/torch-nn-recurrent-attention.py), gradcheck in float64,
// default initialisation, parameter names, and the errors.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { gradcheck, gradgradcheck, manualSeed, randn, tensor, zeros, type NestedArray, type Tensor } from "../../src/index.ts";
import {
  GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell, gruStep, lstmStep, rnnStep, type LSTMState, type RNNBase, type RNNCellBase,
} from "../../src/nn/layers/recurrent.ts";
import { assertClose } from "../helpers/assert.ts";

interface Entry {
  name: string;
  kind: string;
  options: Record<string, number | boolean | string>;
  stateDict: Record<string, NestedArray>;
  input: NestedArray;
  h0?: NestedArray;
  c0?: NestedArray;
  upstream: Record<string, NestedArray>;
  grads: Record<string, NestedArray>;
  [output: string]: unknown;
}

const fixtures = JSON.parse(readFileSync(new URL("../fixtures/torch-nn/recurrent-attention.json", import.meta.url), "utf8")) as {
  recurrent: Entry[];
  cells: Entry[];
};

const f64 = (values: NestedArray, requiresGrad = false) => tensor(values, { dtype: "float64", requiresGrad });
const TOLERANCE = { atol: 1e-10, rtol: 1e-10 };

function buildLayer(kind: string, options: Entry["options"]): RNNBase {
  const { inputSize, hiddenSize, ...rest } = options as { inputSize: number; hiddenSize: number };
  const layerOptions = { ...rest, dtype: "float64" as const };
  if (kind === "RNN") return new RNN(inputSize, hiddenSize, layerOptions);
  if (kind === "LSTM") return new LSTM(inputSize, hiddenSize, layerOptions);
  if (kind === "GRU") return new GRU(inputSize, hiddenSize, layerOptions);
  throw new Error(`unknown layer ${kind}`);
}

function buildCell(kind: string, options: Entry["options"]): RNNCellBase {
  const { inputSize, hiddenSize, ...rest } = options as { inputSize: number; hiddenSize: number };
  const cellOptions = { ...rest, dtype: "float64" as const };
  if (kind === "RNNCell") return new RNNCell(inputSize, hiddenSize, cellOptions);
  if (kind === "LSTMCell") return new LSTMCell(inputSize, hiddenSize, cellOptions);
  if (kind === "GRUCell") return new GRUCell(inputSize, hiddenSize, cellOptions);
  throw new Error(`unknown cell ${kind}`);
}

/** Runs a layer or cell as the fixture did and returns its outputs by the fixture's names. */
function run(module: RNNBase | RNNCellBase, input: Tensor, h0: Tensor | null, c0: Tensor | null): Record<string, Tensor> {
  if (module instanceof LSTM) {
    const [output, [hN, cN]] = module.forward(input, h0 === null ? null : [h0, c0!]);
    return { output, hN, cN };
  }
  if (module instanceof RNN || module instanceof GRU) {
    const [output, hN] = module.forward(input, h0);
    return { output, hN };
  }
  if (module instanceof LSTMCell) {
    const [h1, c1] = module.forward(input, h0 === null ? null : [h0, c0!]);
    return { h1, c1 };
  }
  return { h1: (module as RNNCell | GRUCell).forward(input, h0) };
}

/** Loads the fixture's weights, runs forward and backward of Σ output·upstream, and compares everything with PyTorch. */
function checkAgainstTorch(entry: Entry, module: RNNBase | RNNCellBase): void {
  assert.deepEqual([...module.stateDict().keys()], Object.keys(entry.stateDict), "parameter names and their order");
  for (const [name, value] of module.stateDict()) {
    assert.deepEqual(value.shape, f64(entry.stateDict[name]!).shape, `shape of ${name}`);
  }
  module.loadStateDict(new Map(Object.entries(entry.stateDict).map(([name, values]) => [name, f64(values)])));

  const input = f64(entry.input, true);
  const h0 = entry.h0 === undefined ? null : f64(entry.h0, true);
  const c0 = entry.c0 === undefined ? null : f64(entry.c0, true);
  const outputs = run(module, input, h0, c0);
  assert.deepEqual(Object.keys(outputs).sort(), Object.keys(entry.upstream).sort(), "the outputs");

  let loss = zeros([], { dtype: "float64" });
  for (const [name, out] of Object.entries(outputs)) {
    assertClose(out, entry[name] as NestedArray, { ...TOLERANCE, message: `${entry.name}: ${name}` });
    loss = loss.add(out.mul(f64(entry.upstream[name]!)).sum());
  }
  loss.backward();

  assertClose(input.grad!, entry.grads.input!, { ...TOLERANCE, message: `${entry.name}: input gradient` });
  if (h0 !== null) assertClose(h0.grad!, entry.grads.h0!, { ...TOLERANCE, message: `${entry.name}: h0 gradient` });
  if (c0 !== null) assertClose(c0.grad!, entry.grads.c0!, { ...TOLERANCE, message: `${entry.name}: c0 gradient` });
  for (const [name, p] of module.namedParameters()) {
    assertClose(p.grad!, entry.grads[name]!, { ...TOLERANCE, message: `${entry.name}: gradient of ${name}` });
  }
}

describe("against PyTorch 1.13", () => {
  for (const entry of fixtures.recurrent) {
    test(entry.name, () => checkAgainstTorch(entry, buildLayer(entry.kind, entry.options)));
  }
  for (const entry of fixtures.cells) {
    test(entry.name, () => checkAgainstTorch(entry, buildCell(entry.kind, entry.options)));
  }

  test("the fixtures cover the configurations they should", () => {
    const names = fixtures.recurrent.map((e) => e.name).join("; ");
    for (const word of ["relu", "bidirectional", "batchFirst", "unbatched", "projSize", "no bias", "h0 and c0", "2 layers"]) {
      assert.ok(names.includes(word), `a case with ${word}`);
    }
    assert.deepEqual(new Set(fixtures.recurrent.map((e) => e.kind)), new Set(["RNN", "LSTM", "GRU"]));
    assert.deepEqual(new Set(fixtures.cells.map((e) => e.kind)), new Set(["RNNCell", "LSTMCell", "GRUCell"]));
  });
});

describe("gradcheck in float64: inputs, initial states and every parameter", () => {
  test("LSTM, 2 layers, bidirectional, with h0 and c0", () => {
    manualSeed(1);
    const lstm = new LSTM(2, 2, { numLayers: 2, bidirectional: true }).double();
    const x = randn([3, 2, 2], { dtype: "float64", requiresGrad: true });
    const h0 = randn([4, 2, 2], { dtype: "float64", requiresGrad: true });
    const c0 = randn([4, 2, 2], { dtype: "float64", requiresGrad: true });
    const fn = () => {
      const [output, [hN, cN]] = lstm.forward(x, [h0, c0]);
      return [output, hN, cN];
    };
    assert.equal(gradcheck(fn, [x, h0, c0, ...lstm.parameters()], { name: "LSTM" }), true);
  });

  test("LSTM with projections, batchFirst", () => {
    manualSeed(2);
    const lstm = new LSTM(2, 3, { projSize: 2, batchFirst: true }).double();
    const x = randn([2, 3, 2], { dtype: "float64", requiresGrad: true });
    const fn = () => {
      const [output, [hN, cN]] = lstm.forward(x);
      return [output, hN, cN];
    };
    assert.equal(gradcheck(fn, [x, ...lstm.parameters()], { name: "LSTM proj" }), true);
  });

  test("GRU, 2 layers, with h0", () => {
    manualSeed(3);
    const gru = new GRU(2, 3, { numLayers: 2 }).double();
    const x = randn([3, 2, 2], { dtype: "float64", requiresGrad: true });
    const h0 = randn([2, 2, 3], { dtype: "float64", requiresGrad: true });
    assert.equal(gradcheck(() => gru.forward(x, h0), [x, h0, ...gru.parameters()], { name: "GRU" }), true);
  });

  test("RNN relu, bidirectional, unbatched", () => {
    manualSeed(4);
    const rnn = new RNN(3, 2, { nonlinearity: "relu", bidirectional: true }).double();
    const x = randn([4, 3], { dtype: "float64", requiresGrad: true });
    assert.equal(gradcheck(() => rnn.forward(x), [x, ...rnn.parameters()], { name: "RNN" }), true);
  });

  test("the three cells, and second derivatives through an RNNCell and a GRUCell", () => {
    manualSeed(5);
    const x = randn([2, 3], { dtype: "float64", requiresGrad: true });
    const h = randn([2, 2], { dtype: "float64", requiresGrad: true });
    const c = randn([2, 2], { dtype: "float64", requiresGrad: true });
    const rnnCell = new RNNCell(3, 2).double();
    const lstmCell = new LSTMCell(3, 2).double();
    const gruCell = new GRUCell(3, 2).double();
    assert.equal(gradcheck(() => rnnCell.forward(x, h), [x, h, ...rnnCell.parameters()]), true);
    assert.equal(gradcheck(() => lstmCell.forward(x, [h, c]), [x, h, c, ...lstmCell.parameters()]), true);
    assert.equal(gradcheck(() => gruCell.forward(x, h), [x, h, ...gruCell.parameters()]), true);
    assert.equal(gradgradcheck(() => rnnCell.forward(x, h), [x, h, rnnCell.weight_hh]), true);
    assert.equal(gradgradcheck(() => gruCell.forward(x, h), [x, h, gruCell.weight_ih]), true);
  });
});

describe("one step function per cell type, shared by the cells and the layers", () => {
  test("an LSTM layer equals an LSTMCell stepped over the sequence with the same weights", () => {
    manualSeed(6);
    const lstm = new LSTM(3, 4);
    const cell = new LSTMCell(3, 4);
    cell.loadStateDict({ weight_ih: lstm.weight_ih_l0, weight_hh: lstm.weight_hh_l0, bias_ih: lstm.bias_ih_l0, bias_hh: lstm.bias_hh_l0 } as
      Record<string, Tensor>);
    const x = randn([5, 2, 3]);
    const [output, [hN, cN]] = lstm.forward(x);
    let state: LSTMState | null = null;
    for (let t = 0; t < 5; t++) {
      state = cell.forward(x.select(0, t), state);
      assertClose(output.select(0, t), state[0].tolist(), { atol: 1e-6 });
    }
    assertClose(hN.select(0, 0), state![0].tolist(), { atol: 1e-6 });
    assertClose(cN.select(0, 0), state![1].tolist(), { atol: 1e-6 });
  });

  test("a GRU and an RNN equal their cells stepped over the sequence", () => {
    manualSeed(7);
    const x = randn([4, 2, 3]);
    for (const [layer, cell] of [[new GRU(3, 2), new GRUCell(3, 2)], [new RNN(3, 2, { nonlinearity: "relu" }), new RNNCell(3, 2, { nonlinearity: "relu" })]] as const) {
      const fields = layer as unknown as Record<string, Tensor>;
      cell.loadStateDict({ weight_ih: fields.weight_ih_l0!, weight_hh: fields.weight_hh_l0!, bias_ih: fields.bias_ih_l0!, bias_hh: fields.bias_hh_l0! });
      const [output] = layer.forward(x);
      let h: Tensor | null = null;
      for (let t = 0; t < 4; t++) {
        h = cell.forward(x.select(0, t), h);
        assertClose(output.select(0, t), h.tolist(), { atol: 1e-6, message: `${layer.constructor.name} step ${t}` });
      }
    }
  });

  test("the step functions by hand: an LSTM with zero weights keeps half its cell state", () => {
    // All gates at σ(0) = 1/2 and g = tanh(0) = 0: c' = c/2, h' = tanh(c/2)/2.
    const gates = zeros([1, 8]);
    const [h, c] = lstmStep(gates, [zeros([1, 2]), tensor([[2, -4]])], zeros([8, 2]), null);
    assertClose(c, [[1, -2]]);
    assertClose(h, [[Math.tanh(1) / 2, Math.tanh(-2) / 2]]);
    // GRU: r = z = 1/2 and n = tanh(0 + r·0) = 0, so h' = (1 − z)·0 + z·h = h/2.
    assertClose(gruStep(zeros([1, 6]), tensor([[2, -4]]), zeros([6, 2]), null), [[1, -2]]);
    // RNN: h' = relu(x-part + h·W_hhᵀ + b_hh).
    assertClose(rnnStep(tensor([[1, -1]]), tensor([[1, 2]]), tensor([[1, 0], [0, 1]]), tensor([0.5, 0.5]), "relu"), [[2.5, 1.5]]);
  });
});

describe("parameters and default initialisation", () => {
  test("every parameter is uniform in ±1/√hidden_size, as in PyTorch", () => {
    manualSeed(8);
    for (const layer of [new RNN(40, 64, { numLayers: 2 }), new LSTM(40, 64, { bidirectional: true }), new GRU(40, 64), new LSTMCell(40, 64)]) {
      const bound = 1 / 8;
      for (const [name, p] of layer.namedParameters()) {
        const values = p.toTypedArray();
        assert.ok(values.every((v) => Math.abs(v) <= bound), `${layer.constructor.name}.${name} within ±1/√64`);
      }
      // The standard deviation of U(−b, b) is b/√3.
      const all = layer.parameters().flatMap((p) => Array.from(p.toTypedArray()));
      const mean = all.reduce((a, b) => a + b, 0) / all.length;
      const std = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length);
      assert.ok(Math.abs(std - bound / Math.sqrt(3)) < 0.02 * bound, `${layer.constructor.name}: std ${std}`);
      assert.ok(Math.abs(mean) < 0.01 * bound);
    }
  });

  test("shapes and names: gates·hidden rows, _reverse for the backward direction, layer 1 reads both directions", () => {
    const gru = new GRU(5, 3, { numLayers: 2, bidirectional: true, bias: false });
    assert.deepEqual([...gru.namedParameters()].map(([name, p]) => `${name} ${p.shape.join("x")}`), [
      "weight_ih_l0 9x5", "weight_hh_l0 9x3", "weight_ih_l0_reverse 9x5", "weight_hh_l0_reverse 9x3",
      "weight_ih_l1 9x6", "weight_hh_l1 9x3", "weight_ih_l1_reverse 9x6", "weight_hh_l1_reverse 9x3",
    ]);
    const cell = new RNNCell(4, 2);
    assert.deepEqual([...cell.namedParameters()].map(([name, p]) => `${name} ${p.shape.join("x")}`),
      ["weight_ih 2x4", "weight_hh 2x2", "bias_ih 2", "bias_hh 2"]);
    assert.equal(new LSTM(4, 3).parameterCount(), 4 * 3 * (4 + 3 + 2));
  });

  test("dtype option, double(), and the float32 default", () => {
    assert.equal(new LSTM(2, 3).weight_ih_l0!.dtype, "float32");
    assert.equal(new GRU(2, 3, { dtype: "float64" }).weight_hh_l0!.dtype, "float64");
    const rnn = new RNN(2, 3).double();
    const [output, hN] = rnn.forward(randn([4, 1, 2], { dtype: "float64" }));
    assert.equal(output.dtype, "float64");
    assert.equal(hN.dtype, "float64");
  });

  test("printing follows PyTorch", () => {
    assert.equal(new RNN(10, 20, { numLayers: 2, nonlinearity: "relu" }).toString(), "RNN(10, 20, num_layers=2)");
    assert.equal(new LSTM(3, 4, { projSize: 2, bias: false, batchFirst: true, dropout: 0.5, bidirectional: true, numLayers: 2 }).toString(),
      "LSTM(3, 4, proj_size=2, num_layers=2, bias=False, batch_first=True, dropout=0.5, bidirectional=True)");
    assert.equal(new RNNCell(3, 4, { nonlinearity: "relu", bias: false }).toString(), "RNNCell(3, 4, bias=False, nonlinearity=relu)");
    assert.equal(new GRUCell(3, 4).toString(), "GRUCell(3, 4)");
  });
});

describe("shapes, modes and dropout between layers", () => {
  test("output and state shapes for every layout", () => {
    const lstm = new LSTM(3, 4, { numLayers: 3, bidirectional: true, projSize: 2, batchFirst: true });
    const [output, [hN, cN]] = lstm.forward(randn([2, 5, 3]));
    assert.deepEqual([output.shape, hN.shape, cN.shape], [[2, 5, 4], [6, 2, 2], [6, 2, 4]]);
    const [unbatched, [h1, c1]] = lstm.forward(randn([5, 3]));
    assert.deepEqual([unbatched.shape, h1.shape, c1.shape], [[5, 4], [6, 2], [6, 4]]);
  });

  test("the last time step of the forward direction is hN; the reverse direction ends at t = 0", () => {
    manualSeed(9);
    const gru = new GRU(2, 3, { bidirectional: true });
    const [output, hN] = gru.forward(randn([4, 2, 2]));
    assertClose(output.select(0, 3).narrow(1, 0, 3), hN.select(0, 0).tolist(), { atol: 0, rtol: 0 });
    assertClose(output.select(0, 0).narrow(1, 3, 3), hN.select(0, 1).tolist(), { atol: 0, rtol: 0 });
  });

  test("dropout acts between layers in training only", () => {
    manualSeed(10);
    const x = randn([6, 3, 4]);
    const lstm = new LSTM(4, 8, { numLayers: 2, dropout: 0.5 });
    const plain = new LSTM(4, 8, { numLayers: 2 });
    plain.loadStateDict(lstm.stateDict());
    const [trained] = lstm.forward(x);
    const [reference] = plain.forward(x);
    assert.ok(Math.abs(trained.sub(reference).abs().max().item()) > 1e-3, "training: the second layer sees dropped inputs");
    lstm.eval();
    assertClose(lstm.forward(x)[0], reference.tolist(), { atol: 0, rtol: 0, message: "evaluation: no dropout" });
    // With one layer there is nothing between layers to drop (PyTorch warns; the output is unchanged).
    const single = new GRU(4, 3, { dropout: 0.5 });
    const singlePlain = new GRU(4, 3);
    singlePlain.loadStateDict(single.stateDict());
    assertClose(single.forward(x)[0], singlePlain.forward(x)[0].tolist(), { atol: 0, rtol: 0 });
  });
});

describe("errors", () => {
  test("constructor options", () => {
    assert.throws(() => new RNN(3, 4, { nonlinearity: "sigmoid" as "tanh" }), /RNN: nonlinearity must be "tanh" or "relu", got "sigmoid"/);
    assert.throws(() => new RNNCell(3, 4, { nonlinearity: "gelu" as "tanh" }), /RNNCell: nonlinearity must be "tanh" or "relu"/);
    assert.throws(() => new LSTM(3, 4, { dropout: 1.5 }), /LSTM: dropout must be a probability between 0 and 1, got 1.5/);
    assert.throws(() => new GRU(3, 0), /GRU: hiddenSize must be an integer >= 1, got 0/);
    assert.throws(() => new LSTM(3, 4, { numLayers: 0 }), /LSTM: numLayers must be an integer >= 1, got 0/);
    assert.throws(() => new LSTM(3, 4, { projSize: 4 }), /LSTM: projSize must be smaller than hiddenSize, got projSize=4 and hiddenSize=4/);
    assert.throws(() => new GRUCell(2.5, 4), /GRUCell: inputSize must be an integer >= 0, got 2.5/);
  });

  test("input rank and size", () => {
    const rnn = new RNN(3, 4);
    assert.throws(() => rnn.forward(randn([2, 3, 4, 3])), /RNN: expected input to be 3-D \[time, batch, features\] or 2-D unbatched \[time, features\], got shape \[2, 3, 4, 3\]/);
    assert.throws(() => new GRU(3, 4, { batchFirst: true }).forward(randn([3])), /GRU: expected input to be 3-D \[batch, time, features\]/);
    assert.throws(() => rnn.forward(randn([5, 2, 4])), /RNN: input \[5, 2, 4\] has 4 features in its last dim, expected input_size=3/);
    assert.throws(() => rnn.forward(randn([0, 2, 3])), /RNN: the input sequence \[0, 2, 3\] is empty/);
  });

  test("initial state shapes", () => {
    const lstm = new LSTM(3, 4, { numLayers: 2, projSize: 2 });
    const x = randn([5, 2, 3]);
    assert.throws(() => lstm.forward(x, [zeros([2, 2, 4]), zeros([2, 2, 4])]),
      /LSTM: expected h0 of shape \[2, 2, 2\] \(numLayers·directions, batch, proj_size\), got \[2, 2, 4\]/);
    assert.throws(() => lstm.forward(x, [zeros([2, 2, 2]), zeros([2, 3, 4])]),
      /LSTM: expected c0 of shape \[2, 2, 4\] \(numLayers·directions, batch, hidden_size\), got \[2, 3, 4\]/);
    assert.throws(() => lstm.forward(x, zeros([2, 2, 2]) as unknown as LSTMState), /LSTM: hx must be a pair \[h0, c0\]/);
    const gru = new GRU(3, 4, { bidirectional: true });
    assert.throws(() => gru.forward(randn([5, 3]), zeros([2, 1, 4])),
      /GRU: expected h0 of shape \[2, 4\] \(numLayers·directions, hidden_size; the input is unbatched\), got \[2, 1, 4\]/);
    assert.throws(() => gru.forward(x, zeros([1, 2, 4])), /GRU: expected h0 of shape \[2, 2, 4\]/);
  });

  test("cells", () => {
    const cell = new LSTMCell(3, 2);
    assert.throws(() => cell.forward(randn([2, 2, 3])), /LSTMCell: expected input to be 2-D \[batch, input_size\] or 1-D unbatched \[input_size\], got shape \[2, 2, 3\]/);
    assert.throws(() => cell.forward(randn([2, 4])), /LSTMCell: input \[2, 4\] has 4 features in its last dim, expected input_size=3/);
    assert.throws(() => cell.forward(randn([2, 3]), [zeros([3, 2]), zeros([2, 2])]), /LSTMCell: expected h of shape \[2, 2\] \(batch, hidden_size\), got \[3, 2\]/);
    assert.throws(() => new GRUCell(3, 2).forward(randn([3]), zeros([1, 2])),
      /GRUCell: expected hx of shape \[2\] \(hidden_size; the input is unbatched\), got \[1, 2\]/);
  });
});

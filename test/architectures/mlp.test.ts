// MLP (src/architectures/mlp.ts): layer order and state-dict keys, parameter
// counts and outputs against its PyTorch twin (test/fixtures/torch-arch/mlp-lenet.json,
// written by scripts/torch-arch-mlp-lenet.py) in evaluation and training mode,
// gradcheck in float64, a safetensors round trip, dropout, the option checks,
// and a short learning run on the 8×8 digits.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MLP, activationLayer, type MLPActivation, type MLPNorm } from "../../src/architectures/mlp.ts";
import { F, Generator, data, deserialize, gradcheck, manualSeed, nn, noGrad, optim, randn, serialize } from "../../src/index.ts";
import { assertClose } from "../helpers/assert.ts";
import { decodeStateDict, readArchFixture } from "../helpers/torch-arch.ts";
import { decode, type Encoded } from "../helpers/torch-fixtures.ts";

interface MLPCase {
  name: string;
  options: { inFeatures: number; hiddenSizes: number[]; outFeatures: number; activation?: MLPActivation; dropout?: number; norm?: MLPNorm };
  state: [string, Encoded][];
  input: Encoded; upstream: Encoded;
  evalOutput: Encoded; evalInputGrad: Encoded;
  trainOutput?: Encoded; trainInputGrad?: Encoded; stateAfterTrain?: [string, Encoded][];
  parameterCount: number;
}

const FIXTURE = readArchFixture<{ mlp: MLPCase[]; defaultParameterCounts: Record<string, number> }>("mlp-lenet");
const EXACT = { atol: 1e-10, rtol: 0 };

/** The configuration training/mlp.ts trains on the digits. */
const DEFAULT_CONFIG = { inFeatures: 64, hiddenSizes: [128, 64], outFeatures: 10, activation: "relu", dropout: 0.1, norm: "batch" } as const;

/** A float64 MLP holding the fixture's PyTorch weights. */
function fromFixture(fixture: MLPCase): MLP {
  const model = new MLP(fixture.options).double();
  model.loadStateDict(decodeStateDict(fixture.state));
  return model;
}

describe("structure", () => {
  test("layers in the order Linear → norm → activation → dropout, then a Linear; keys as PyTorch's Sequential", () => {
    const model = new MLP(DEFAULT_CONFIG);
    const kinds = [...model].map((layer) => layer.constructor.name);
    assert.deepEqual(kinds, ["Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear"]);
    assert.deepEqual([...model.stateDict().keys()], [
      "0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
      "4.weight", "4.bias", "5.weight", "5.bias", "5.running_mean", "5.running_var", "5.num_batches_tracked", "8.weight", "8.bias",
    ]);
    assert.ok(model instanceof nn.Sequential);
    assert.deepEqual(model.forward(randn([5, 64])).shape, [5, 10]);
    assert.deepEqual(
      { in: model.inFeatures, hidden: model.hiddenSizes, out: model.outFeatures, act: model.activation, p: model.dropout, norm: model.norm },
      { in: 64, hidden: [128, 64], out: 10, act: "relu", p: 0.1, norm: "batch" },
    );
  });

  test("the default configuration has as many parameters as PyTorch's twin: 17,610", () => {
    assert.equal(new MLP(DEFAULT_CONFIG).parameterCount(), FIXTURE.defaultParameterCounts.mlp);
    assert.equal(FIXTURE.defaultParameterCounts.mlp, 17_610);
  });

  test("defaults: ReLU, no dropout (p = 0 Dropouts keep the indices), no norm; no hidden sizes is one Linear", () => {
    const model = new MLP({ inFeatures: 3, hiddenSizes: [4], outFeatures: 2 });
    assert.deepEqual([...model].map((layer) => layer.constructor.name), ["Linear", "ReLU", "Dropout", "Linear"]);
    assert.equal((model.at(2) as nn.Dropout).p, 0);
    const linear = new MLP({ inFeatures: 3, hiddenSizes: [], outFeatures: 2 });
    assert.equal(linear.length, 1);
    assert.ok(linear.at(0) instanceof nn.Linear);
    assert.deepEqual(linear.forward(randn([2, 7, 3])).shape, [2, 7, 2]);
  });

  test("activationLayer gives each named non-linearity", () => {
    const names: MLPActivation[] = ["relu", "tanh", "gelu", "sigmoid", "leakyRelu", "silu"];
    assert.deepEqual(names.map((name) => activationLayer(name).constructor.name), ["ReLU", "Tanh", "GELU", "Sigmoid", "LeakyReLU", "SiLU"]);
    assert.equal((activationLayer("leakyRelu") as nn.LeakyReLU).negativeSlope, 0.01);
    assert.throws(() => activationLayer("swish" as MLPActivation), /unknown activation "swish"/);
  });

  test("bad options are refused with a message", () => {
    const base = { inFeatures: 4, hiddenSizes: [3], outFeatures: 2 };
    assert.throws(() => new MLP({ ...base, inFeatures: 0 }), /inFeatures must be a positive integer, got 0/);
    assert.throws(() => new MLP({ ...base, outFeatures: 2.5 }), /outFeatures must be a positive integer/);
    assert.throws(() => new MLP({ ...base, hiddenSizes: [3, -1] }), /hiddenSizes must be a list of positive integers, got \[3,-1\]/);
    assert.throws(() => new MLP({ ...base, dropout: 1 }), /dropout must be a probability in \[0, 1\), got 1/);
    assert.throws(() => new MLP({ ...base, norm: "group" as MLPNorm }), /norm must be "batch", "layer" or null/);
    assert.throws(() => new MLP({ ...base, activation: "cube" as MLPActivation }), /unknown activation/);
  });
});

describe("against PyTorch 1.13 (float64, atol 1e-10)", () => {
  for (const fixture of FIXTURE.mlp) {
    test(fixture.name, () => {
      const model = fromFixture(fixture);
      assert.deepEqual([...model.stateDict().keys()], fixture.state.map(([key]) => key), "state-dict keys in PyTorch's order");
      assert.equal(model.parameterCount(), fixture.parameterCount);

      model.eval();
      const x = decode(fixture.input, true);
      const out = model.forward(x);
      assertClose(out, fixture.evalOutput.values, { ...EXACT, message: "eval output" });
      out.mul(decode(fixture.upstream)).sum().backward();
      assertClose(x.grad!, fixture.evalInputGrad.values, { ...EXACT, message: "eval input gradient" });

      if (fixture.trainOutput === undefined) return;
      model.train();
      const x2 = decode(fixture.input, true);
      const trainOut = model.forward(x2);
      assertClose(trainOut, fixture.trainOutput.values, { ...EXACT, message: "train output" });
      trainOut.mul(decode(fixture.upstream)).sum().backward();
      assertClose(x2.grad!, fixture.trainInputGrad!.values, { ...EXACT, message: "train input gradient" });
      const after = model.stateDict();
      for (const [key, encoded] of fixture.stateAfterTrain!) assertClose(after.get(key)!, encoded.values, { ...EXACT, message: key });
    });
  }
});

describe("gradcheck (float64) of the input and every parameter", () => {
  const norms: MLPNorm[] = ["batch", "layer", null];
  for (const norm of norms) {
    test(`norm ${norm}, training mode`, () => {
      manualSeed(1);
      const model = new MLP({ inFeatures: 3, hiddenSizes: [4, 3], outFeatures: 2, activation: "tanh", norm }).double();
      const x = randn([5, 3], { dtype: "float64", requiresGrad: true });
      gradcheck(() => model.forward(x), [x, ...model.parameters()]);
    });
  }

  test("gelu and silu, evaluation mode with dropout", () => {
    manualSeed(2);
    for (const activation of ["gelu", "silu"] as const) {
      const model = new MLP({ inFeatures: 3, hiddenSizes: [4], outFeatures: 2, activation, dropout: 0.5 }).double().eval();
      const x = randn([3, 3], { dtype: "float64", requiresGrad: true });
      gradcheck(() => model.forward(x), [x, ...model.parameters()]);
    }
  });
});

test("dropout is random in training mode and off in evaluation mode", () => {
  manualSeed(3);
  const model = new MLP({ inFeatures: 8, hiddenSizes: [64], outFeatures: 4, dropout: 0.5 });
  const x = randn([16, 8]);
  const [a, b] = noGrad(() => [model.forward(x), model.forward(x)]);
  assert.notDeepEqual(a!.tolist(), b!.tolist());
  model.eval();
  assert.deepEqual(noGrad(() => model.forward(x).tolist()), noGrad(() => model.forward(x).tolist()));
});

test("stateDict survives a safetensors round trip: a fresh model gives the same output", () => {
  manualSeed(4);
  const model = new MLP(DEFAULT_CONFIG);
  noGrad(() => { for (let i = 0; i < 3; i++) model.forward(randn([8, 64])); }); // move BatchNorm's running statistics
  model.eval();
  const { tensors } = deserialize(serialize(model.stateDict()));
  const copy = new MLP(DEFAULT_CONFIG).eval();
  copy.loadStateDict(tensors);
  const x = randn([6, 64]);
  assert.deepEqual(noGrad(() => copy.forward(x).tolist()), noGrad(() => model.forward(x).tolist()));
});

test("learns the 8×8 digits: > 92 % test accuracy after 3 epochs, every parameter trained", () => {
  manualSeed(0);
  const digits = data.loadDigits();
  const all = new data.TensorDataset(digits.data.div(16), digits.target);
  const [train, test] = data.randomSplit(all, [0.8, 0.2], { generator: new Generator(0) });
  const model = new MLP(DEFAULT_CONFIG);
  const initial = model.parameters().map((p) => p.detach().clone());
  const optimizer = new optim.Adam(model.parameters(), { lr: 3e-3 });
  const loader = new data.DataLoader(train, { batchSize: 64, shuffle: true, generator: new Generator(1) });
  for (let epoch = 0; epoch < 3; epoch++) {
    for (const [x, y] of loader) {
      const loss = F.crossEntropy(model.forward(x), y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
    }
  }
  model.eval();
  const [xTest, yTest] = test.getBatch(test.indices.map((_, i) => i));
  const accuracy = noGrad(() => model.forward(xTest).argmax(1).eq(yTest).float().mean().item());
  assert.ok(accuracy > 0.92, `test accuracy ${(100 * accuracy).toFixed(1)} % (chance: 10 %)`);
  // A linear model (no hidden layer) reaches about 83 % in the same 3 epochs, so 92 % needs the hidden
  // layers to learn; and none of them may stay frozen.
  for (const [i, [name, p]] of [...model.namedParameters()].entries()) {
    const change = noGrad(() => p.sub(initial[i]!).abs().amax().item());
    assert.ok(change > 1e-3, `${name} barely moved (largest change ${change})`);
  }
});

// LeNet5 (src/architectures/lenet.ts): shapes for 28×28 and 8×8 inputs,
// parameter counts and outputs against its PyTorch twin (test/fixtures/torch-arch/mlp-lenet.json,
// written by scripts/torch-arch-mlp-lenet.py), gradcheck in float64, a
// safetensors round trip, the option checks, and a short learning run on a
// 1,000-image slice of Fashion-MNIST.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LeNet5, type LeNet5Options } from "../../src/architectures/lenet.ts";
import {
  F, Generator, data, deserialize, gradcheck, manualSeed, nn, noGrad, optim, randn, serialize, tensor, type Tensor,
} from "../../src/index.ts";
import { assertClose } from "../helpers/assert.ts";
import { decodeStateDict, readArchFixture } from "../helpers/torch-arch.ts";
import { decode, type Encoded } from "../helpers/torch-fixtures.ts";

interface LeNetCase {
  name: string;
  options: Required<LeNet5Options>;
  /** "torch": the state dict is in the fixture; "pattern": every tensor is filled by patternFill. */
  weights: "torch" | "pattern";
  state?: [string, Encoded][];
  input: Encoded; upstream: Encoded; output: Encoded; inputGrad: Encoded;
  parameterCount: number;
}

const FIXTURE = readArchFixture<{ lenet: LeNetCase[]; defaultParameterCounts: Record<string, number> }>("mlp-lenet");
const EXACT = { atol: 1e-10, rtol: 0 };

/**
 * The generator script's pattern_fill: element i of state-dict tensor k is
 * ((37 i + 101 k) mod 199 − 99) / 99 · scale, scale = 1/√fanIn for weights and
 * 0.1 for biases. Integers, then one division, square root and product, each
 * correctly rounded: the same doubles as Python's.
 */
function patternFill(model: LeNet5): void {
  const state = new Map<string, Tensor>();
  [...model.stateDict()].forEach(([name, t], k) => {
    const n = t.numel();
    const scale = t.ndim >= 2 ? 1 / Math.sqrt(n / t.shape[0]!) : 0.1;
    const values = Float64Array.from({ length: n }, (_, i) => (((37 * i + 101 * k) % 199) - 99) / 99 * scale);
    state.set(name, tensor(values, { shape: [...t.shape] }));
  });
  model.loadStateDict(state);
}

describe("structure", () => {
  test("28×28: [N, 1, 28, 28] → [N, 10], 61,706 parameters like PyTorch's twin", () => {
    const model = new LeNet5();
    assert.deepEqual(model.forward(randn([3, 1, 28, 28])).shape, [3, 10]);
    assert.equal(model.parameterCount(), FIXTURE.defaultParameterCounts.lenet28);
    assert.equal(model.parameterCount(), 61_706);
    assert.deepEqual([...model.stateDict().keys()], [
      "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias",
    ]);
    assert.deepEqual(model.fc1.weight.shape, [120, 400]);
    assert.ok(model.activation instanceof nn.ReLU);
    assert.ok(model.pool instanceof nn.MaxPool2d);
  });

  test("8×8: conv2 padded so that both pools fit; 21,386 parameters like PyTorch's twin", () => {
    const model = new LeNet5({ inputSize: 8 });
    assert.deepEqual(model.forward(randn([2, 1, 8, 8])).shape, [2, 10]);
    assert.deepEqual(model.conv2.padding, [2, 2]);
    assert.deepEqual(model.fc1.weight.shape, [120, 64]);
    assert.equal(model.parameterCount(), FIXTURE.defaultParameterCounts.lenet8);
    assert.equal(model.parameterCount(), 21_386);
  });

  test("options: channels, classes, tanh and average pooling", () => {
    const model = new LeNet5({ inChannels: 3, numClasses: 5, activation: "tanh", pooling: "avg" });
    assert.deepEqual(model.forward(randn([1, 3, 28, 28])).shape, [1, 5]);
    assert.ok(model.activation instanceof nn.Tanh);
    assert.ok(model.pool instanceof nn.AvgPool2d);
    assert.deepEqual([model.inChannels, model.numClasses, model.inputSize], [3, 5, 28]);
  });

  test("bad options and inputs are refused with a message", () => {
    assert.throws(() => new LeNet5({ inChannels: 0 }), /inChannels must be a positive integer, got 0/);
    assert.throws(() => new LeNet5({ numClasses: 1.5 }), /numClasses must be a positive integer/);
    assert.throws(() => new LeNet5({ inputSize: 32 as 28 }), /inputSize must be 28 or 8, got 32/);
    assert.throws(() => new LeNet5({ activation: "gelu" as "relu" }), /activation must be "relu" or "tanh"/);
    assert.throws(() => new LeNet5({ pooling: "min" as "max" }), /pooling must be "max" or "avg"/);
    const model = new LeNet5({ inputSize: 8 });
    assert.throws(() => model.forward(randn([2, 8, 8])), /expected images \[N, 1, 8, 8\], got \[2, 8, 8\]/);
    assert.throws(() => model.forward(randn([2, 1, 28, 28])), /expected images \[N, 1, 8, 8\], got \[2, 1, 28, 28\]/);
  });
});

describe("against PyTorch 1.13 (float64, atol 1e-10)", () => {
  for (const fixture of FIXTURE.lenet) {
    test(fixture.name, () => {
      const model = new LeNet5(fixture.options).double();
      assert.equal(model.parameterCount(), fixture.parameterCount);
      if (fixture.weights === "pattern") patternFill(model);
      else {
        assert.deepEqual([...model.stateDict().keys()], fixture.state!.map(([key]) => key), "state-dict keys in PyTorch's order");
        model.loadStateDict(decodeStateDict(fixture.state!));
      }
      const x = decode(fixture.input, true);
      const out = model.forward(x);
      assertClose(out, fixture.output.values, { ...EXACT, message: "output" });
      out.mul(decode(fixture.upstream)).sum().backward();
      assertClose(x.grad!, fixture.inputGrad.values, { ...EXACT, message: "input gradient" });
    });
  }
});

describe("gradcheck (float64)", () => {
  test("8×8, tanh, average pooling: the input, conv1's weight and some biases", () => {
    manualSeed(1);
    const model = new LeNet5({ inChannels: 2, numClasses: 3, inputSize: 8, activation: "tanh", pooling: "avg" }).double();
    const x = randn([1, 2, 8, 8], { dtype: "float64", requiresGrad: true });
    const { conv1, conv2, fc3 } = model;
    gradcheck(() => model.forward(x), [x, conv1.weight, conv1.bias!, conv2.bias!, fc3.bias!]);
  });

  test("8×8, relu, max pooling: the input and some biases", () => {
    manualSeed(2);
    const model = new LeNet5({ inputSize: 8 }).double();
    const x = randn([1, 1, 8, 8], { dtype: "float64", requiresGrad: true });
    const { conv1, conv2, fc1, fc3 } = model;
    gradcheck(() => model.forward(x), [x, conv1.bias!, conv2.bias!, fc1.bias!, fc3.bias!]);
  });

  test("28×28: conv2's and fc2's biases", () => {
    manualSeed(3);
    const model = new LeNet5().double();
    const x = randn([1, 1, 28, 28], { dtype: "float64" });
    gradcheck(() => model.forward(x), [model.conv2.bias!, model.fc2.bias!]);
  });
});

test("stateDict survives a safetensors round trip: a fresh model gives the same output", () => {
  manualSeed(4);
  const model = new LeNet5();
  const { tensors } = deserialize(serialize(model.stateDict()));
  const copy = new LeNet5();
  copy.loadStateDict(tensors);
  const x = randn([2, 1, 28, 28]);
  assert.deepEqual(noGrad(() => copy.forward(x).tolist()), noGrad(() => model.forward(x).tolist()));
});

test("learns Fashion-MNIST: > 60 % test accuracy after 60 steps on a 1,000-image slice, every parameter trained", () => {
  manualSeed(0);
  const normalize = (images: Tensor) => images.sub(0.286).div(0.353);
  const train = data.loadFashionMNIST(), test = data.loadFashionMNIST({ split: "test" });
  const slice = new data.TensorDataset(normalize(train.images.narrow(0, 0, 1000)), train.labels.narrow(0, 0, 1000));
  const model = new LeNet5();
  const initial = model.parameters().map((p) => p.detach().clone());
  const optimizer = new optim.Adam(model.parameters(), { lr: 3e-3 });
  const loader = new data.DataLoader(slice, { batchSize: 32, shuffle: true, dropLast: true, generator: new Generator(1) });
  let steps = 0;
  while (steps < 60) {
    for (const [x, y] of loader) {
      const loss = F.crossEntropy(model.forward(x), y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      if (++steps === 60) break;
    }
  }
  const xTest = normalize(test.images.narrow(0, 0, 500)), yTest = test.labels.narrow(0, 0, 500);
  const accuracy = noGrad(() => model.forward(xTest).argmax(1).eq(yTest).float().mean().item());
  assert.ok(accuracy > 0.6, `test accuracy ${(100 * accuracy).toFixed(1)} % (chance: 10 %)`);
  for (const [i, [name, p]] of [...model.namedParameters()].entries()) {
    const change = noGrad(() => p.sub(initial[i]!).abs().amax().item());
    assert.ok(change > 1e-3, `${name} barely moved (largest change ${change})`);
  }
});

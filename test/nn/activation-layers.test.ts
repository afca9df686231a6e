// Activation layers: PyTorch 1.13 fixtures (test/fixtures/torch-nn/layers.json,
// written by scripts/torch-nn-layers.py) for values, gradients and reprs;
// gradchecks; use inside a Sequential; errors.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Generator, arange, gradcheck, randn, tensor, type Tensor } from "../../src/index.ts";
import { Sequential } from "../../src/nn/containers.ts";
import {
  ELU, GELU, Hardtanh, LeakyReLU, LogSoftmax, ReLU, SiLU, Sigmoid, Softmax, Softplus, Tanh,
} from "../../src/nn/layers/activation.ts";
import { pythonFloat } from "../../src/nn/layers/repr.ts";
import { Linear } from "../../src/nn/layers/linear.ts";
import type { Module } from "../../src/nn/module.ts";
import { assertClose } from "../helpers/assert.ts";
import { decode, readTorchFixture, type Encoded } from "../helpers/torch-fixtures.ts";

interface LayerCase {
  name: string; layer: string; args: number[]; options: Record<string, unknown>; repr: string;
  state: Record<string, Encoded>; inputs: Encoded[]; output: Encoded; upstream: Encoded; inputGrads: Encoded[];
}

const FIXTURES: { layers: LayerCase[] } = readTorchFixture("layers");

type Activation = Module & { forward(input: Tensor): Tensor };

const BUILD: Record<string, (args: number[], options: Record<string, unknown>) => Activation> = {
  ReLU: () => new ReLU(),
  GELU: (_, options) => new GELU(options),
  SiLU: () => new SiLU(),
  Tanh: () => new Tanh(),
  Sigmoid: () => new Sigmoid(),
  Softmax: ([dim]) => new Softmax(dim!),
  LogSoftmax: ([dim]) => new LogSoftmax(dim!),
  LeakyReLU: ([slope]) => new LeakyReLU(slope),
  ELU: ([alpha]) => new ELU(alpha),
  Softplus: (_, options) => new Softplus(options),
  Hardtanh: ([minVal, maxVal]) => new Hardtanh(minVal, maxVal),
};

const CASES = FIXTURES.layers.filter((c) => c.layer in BUILD);

describe("activation layers match PyTorch 1.13 (float64, atol 1e-10)", () => {
  test("every activation layer has a fixture", () => {
    assert.deepEqual([...new Set(CASES.map((c) => c.layer))].sort(), Object.keys(BUILD).sort());
  });

  for (const fixture of CASES) {
    test(fixture.name, () => {
      const layer = BUILD[fixture.layer]!(fixture.args, fixture.options);
      assert.deepEqual(Object.keys(fixture.state), []);
      assert.deepEqual([...layer.stateDict().keys()], [], "no parameters or buffers");
      assert.equal(layer.toString(), fixture.repr);
      const x = decode(fixture.inputs[0]!, true);
      const out = layer.forward(x);
      assert.deepEqual(out.shape, fixture.output.shape);
      assertClose(out, fixture.output.values, { atol: 1e-10, rtol: 0, message: "output" });
      out.mul(decode(fixture.upstream)).sum().backward();
      assertClose(x.grad!, fixture.inputGrads[0]!.values, { atol: 1e-10, rtol: 0, message: "input gradient" });
    });
  }
});

describe("gradcheck (float64)", () => {
  const layers: [string, Activation][] = [
    ["ReLU", new ReLU()], ["GELU", new GELU()], ["GELU tanh", new GELU({ approximate: "tanh" })], ["SiLU", new SiLU()],
    ["Tanh", new Tanh()], ["Sigmoid", new Sigmoid()], ["Softmax", new Softmax(1)], ["LogSoftmax", new LogSoftmax(0)],
    ["LeakyReLU", new LeakyReLU(0.3)], ["ELU", new ELU(0.5)], ["Softplus", new Softplus({ beta: 2, threshold: 1 })],
    ["Hardtanh", new Hardtanh(-0.5, 0.7)],
  ];
  for (const [name, layer] of layers) {
    test(name, () => {
      // Values 0.1 or more away from 0, −0.5 and 0.7, where some of these have kinks; finite differences use eps = 1e-6.
      const x = tensor([[-2.3, -0.8, -0.35, 0.2, 0.55], [1.2, -1.4, 0.95, 2.6, -0.15]], { dtype: "float64", requiresGrad: true });
      gradcheck((input) => layer.forward(input!), [x]);
    });
  }
});

describe("in a model", () => {
  test("activations chain in a Sequential and print as PyTorch's", () => {
    const model = new Sequential(new Linear(4, 8), new GELU(), new Linear(8, 3), new LogSoftmax(-1));
    const out = model.forward(randn([5, 4], { generator: new Generator(1) }));
    assert.deepEqual(out.shape, [5, 3]);
    // Each row of log-probabilities exponentiates to a distribution.
    assertClose(out.exp().sum(-1), [1, 1, 1, 1, 1], { atol: 1e-6 });
    assert.match(model.toString(), /\(1\): GELU\(approximate='none'\)\n/);
  });

  test("defaults and reprs", () => {
    assert.equal(new LeakyReLU().toString(), "LeakyReLU(negative_slope=0.01)");
    assert.equal(new ELU().toString(), "ELU(alpha=1.0)");
    assert.equal(new Hardtanh().toString(), "Hardtanh(min_val=-1.0, max_val=1.0)");
    assert.equal(new Softplus().toString(), "Softplus(beta=1, threshold=20)");
    assert.equal(new Softmax(-1).toString(), "Softmax(dim=-1)");
    assert.equal(new ReLU().toString(), "ReLU()");
  });

  test("pythonFloat prints numbers as Python does", () => {
    assert.deepEqual([1, -2, 0.5, 0.01, 1e-5, 2.5e-7, 1e16, 123456.75, 0].map(pythonFloat),
      ["1.0", "-2.0", "0.5", "0.01", "1e-05", "2.5e-07", "1e+16", "123456.75", "0.0"]);
  });

  test("int32 inputs as in PyTorch: ReLU and Hardtanh keep the dtype, Tanh and Sigmoid give float32", () => {
    const x = arange(-2, 3, 1, { dtype: "int32" });
    assert.deepEqual(new ReLU().forward(x).tolist(), [0, 0, 0, 1, 2]);
    assert.deepEqual(new Hardtanh().forward(x).tolist(), [-1, -1, 0, 1, 1]);
    assert.equal(new Tanh().forward(x).dtype, "float32");
    assertClose(new Sigmoid().forward(x), [-2, -1, 0, 1, 2].map((v) => 1 / (1 + Math.exp(-v))));
  });
});

describe("errors", () => {
  test("bad options are refused at construction", () => {
    assert.throws(() => new GELU({ approximate: "erf" as "none" }), /GELU: approximate must be "none" or "tanh", got "erf"/);
    assert.throws(() => new Softmax(undefined as unknown as number), /Softmax: dim must be an integer \(the dim to normalise over, e\.g\. new Softmax\(1\)/);
    assert.throws(() => new LogSoftmax(0.5), /LogSoftmax: dim must be an integer/);
    assert.throws(() => new Hardtanh(1, -1), /Hardtanh: maxVal must be greater than minVal, got minVal=1, maxVal=-1/);
    assert.throws(() => new LeakyReLU(Number.NaN), /LeakyReLU: negativeSlope must be a finite number, got NaN/);
    assert.throws(() => new Softplus({ beta: 0 }), /Softplus: beta must not be 0/);
  });

  test("bad inputs are refused at the call", () => {
    const ints = tensor([1, 2], { dtype: "int32" });
    assert.throws(() => new GELU().forward(ints), /gelu: expected a float32 or float64 tensor, got int32/);
    assert.throws(() => new ELU().forward(ints), /elu: expected a float32 or float64 tensor, got int32/);
    assert.throws(() => new Softmax(2).forward(tensor([[1, 2]])), /softmax: .*dim/i);
  });
});

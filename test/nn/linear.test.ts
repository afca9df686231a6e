// Linear, Bilinear (and F.bilinear), Identity, Flatten, Unflatten: PyTorch 1.13
// fixtures (test/fixtures/torch-nn/layers.json, written by
// scripts/torch-nn-layers.py), gradchecks of inputs and parameters, default
// initialisation, reprs and errors.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Generator, gradcheck, manualSeed, randn, tensor, zeros, type Tensor } from "../../src/index.ts";
import { Sequential } from "../../src/nn/containers.ts";
import { bilinear } from "../../src/nn/functional/bilinear.ts";
import { Bilinear, Flatten, Identity, Linear, Unflatten } from "../../src/nn/layers/linear.ts";
import type { Module } from "../../src/nn/module.ts";
import { assertClose } from "../helpers/assert.ts";
import { decode, readTorchFixture, type Encoded } from "../helpers/torch-fixtures.ts";

interface LayerCase {
  name: string; layer: string; args: unknown[]; options: Record<string, unknown>; repr: string;
  state: Record<string, Encoded>; inputs: Encoded[]; output: Encoded; upstream: Encoded;
  inputGrads: Encoded[]; paramGrads: Record<string, Encoded>;
}

const FIXTURES: { layers: LayerCase[] } = readTorchFixture("layers");

type AnyLayer = Module & { forward(...inputs: Tensor[]): Tensor };

const BUILD: Record<string, (args: unknown[], options: { bias?: boolean }) => AnyLayer> = {
  Linear: ([a, b], options) => new Linear(a as number, b as number, options),
  Bilinear: ([a, b, c], options) => new Bilinear(a as number, b as number, c as number, options) as AnyLayer,
  Identity: () => new Identity(),
  Flatten: ([start, end]) => new Flatten(start as number | undefined, end as number | undefined),
  Unflatten: ([dim, sizes]) => new Unflatten(dim as number, sizes as number[]),
};

const CASES = FIXTURES.layers.filter((c) => c.layer in BUILD);

describe("match PyTorch 1.13 (float64, atol 1e-10)", () => {
  test("every layer has a fixture", () => {
    assert.deepEqual([...new Set(CASES.map((c) => c.layer))].sort(), Object.keys(BUILD).sort());
  });

  for (const fixture of CASES) {
    test(fixture.name, () => {
      const layer = BUILD[fixture.layer]!(fixture.args, fixture.options).double();
      const ours = layer.stateDict();
      assert.deepEqual([...ours.keys()], Object.keys(fixture.state), "state dict keys");
      for (const [key, encoded] of Object.entries(fixture.state)) assert.deepEqual(ours.get(key)!.shape, encoded.shape, `shape of ${key}`);
      layer.loadStateDict(Object.fromEntries(Object.entries(fixture.state).map(([key, encoded]) => [key, decode(encoded)])));
      assert.equal(layer.toString(), fixture.repr);

      const inputs = fixture.inputs.map((encoded) => decode(encoded, true));
      const out = layer.forward(...inputs);
      assert.deepEqual(out.shape, fixture.output.shape);
      assertClose(out, fixture.output.values, { atol: 1e-10, rtol: 0, message: "output" });
      out.mul(decode(fixture.upstream)).sum().backward();
      inputs.forEach((input, i) => assertClose(input.grad!, fixture.inputGrads[i]!.values, { atol: 1e-10, rtol: 0, message: `gradient of input ${i}` }));
      for (const [name, parameter] of layer.namedParameters()) {
        assertClose(parameter.grad!, fixture.paramGrads[name]!.values, { atol: 1e-10, rtol: 0, message: `gradient of ${name}` });
      }
    });
  }
});

describe("gradcheck of inputs and parameters (float64)", () => {
  test("Bilinear, batched 3-D inputs", () => {
    const layer = new Bilinear(3, 2, 4).double();
    const g = new Generator(1);
    const x1 = randn([2, 3, 3], { dtype: "float64", generator: g, requiresGrad: true });
    const x2 = randn([2, 3, 2], { dtype: "float64", generator: g, requiresGrad: true });
    gradcheck(() => layer.forward(x1, x2), [x1, x2, ...layer.parameters()]);
  });

  test("Bilinear without bias, 1-D inputs", () => {
    const layer = new Bilinear(3, 2, 2, { bias: false }).double();
    const g = new Generator(2);
    const x1 = randn([3], { dtype: "float64", generator: g, requiresGrad: true });
    const x2 = randn([2], { dtype: "float64", generator: g, requiresGrad: true });
    assert.deepEqual(layer.forward(x1, x2).shape, [2]);
    gradcheck(() => layer.forward(x1, x2), [x1, x2, ...layer.parameters()]);
  });

  test("Linear", () => {
    const layer = new Linear(4, 3).double();
    const x = randn([2, 4], { dtype: "float64", generator: new Generator(3), requiresGrad: true });
    gradcheck(() => layer.forward(x), [x, ...layer.parameters()]);
  });

  test("Flatten and Unflatten", () => {
    const x = randn([2, 3, 4], { dtype: "float64", generator: new Generator(4), requiresGrad: true });
    gradcheck((input) => new Unflatten(1, [2, -1]).forward(new Flatten(1).forward(input!)).square(), [x]);
  });
});

describe("values", () => {
  test("bilinear by hand: y = x1ᵀ W x2 + b", () => {
    // W_0 = [[1, 2], [3, 4]], W_1 = I; x1 = [1, 1], x2 = [1, -1]: x1ᵀ W_0 x2 = (1 + 3) − (2 + 4) = −2, x1ᵀ x2 = 0.
    const out = bilinear(tensor([1, 1]), tensor([1, -1]), tensor([[[1, 2], [3, 4]], [[1, 0], [0, 1]]]), tensor([10, 20]));
    assert.deepEqual(out.tolist(), [8, 20]);
  });

  test("Flatten then Unflatten gives the input back; -1 is inferred", () => {
    const x = randn([2, 3, 4, 5]);
    const flat = new Flatten().forward(x);
    assert.deepEqual(flat.shape, [2, 60]);
    assert.deepEqual(new Unflatten(1, [3, 4, 5]).forward(flat).tolist(), x.tolist());
    assert.deepEqual(new Unflatten(-1, [-1, 5]).forward(flat).shape, [2, 12, 5]);
    assert.deepEqual(new Flatten(0, 2).forward(x).shape, [24, 5]);
  });

  test("Identity returns its input and has no parameters", () => {
    const x = randn([3]);
    assert.equal(new Identity().forward(x), x);
    assert.deepEqual(new Identity().parameters(), []);
  });

  test("a small convnet head: Flatten between the features and the classifier", () => {
    const head = new Sequential(new Flatten(), new Linear(12, 2));
    assert.deepEqual(head.forward(zeros([5, 3, 2, 2])).shape, [5, 2]);
  });
});

describe("parameters and default initialisation", () => {
  /** All values within ±bound, and the sample std close to that of U(−bound, bound), bound/√3. */
  function assertUniform(t: Tensor, bound: number, what: string): void {
    const values = Array.from(t.toTypedArray());
    const largest = Math.max(...values.map(Math.abs));
    assert.ok(largest <= bound * (1 + 1e-6) && largest > bound * 0.9, `${what}: largest |value| ${largest}, bound ${bound}`);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    assert.ok(Math.abs(std / (bound / Math.sqrt(3)) - 1) < 0.05, `${what}: std ${std}, expected ${bound / Math.sqrt(3)}`);
  }

  test("Bilinear: weight [out, in1, in2] and bias [out], both U(±1/√in1)", () => {
    manualSeed(5);
    const layer = new Bilinear(25, 10, 40);
    assert.deepEqual([...layer.namedParameters()].map(([name, p]) => [name, p.shape]), [["weight", [40, 25, 10]], ["bias", [40]]]);
    assertUniform(layer.weight, 1 / 5, "weight");
    assertUniform(new Bilinear(25, 1, 4000).bias!, 1 / 5, "bias");
    assert.equal(new Bilinear(2, 3, 4, { bias: false }).bias, null);
    assert.equal(new Bilinear(2, 3, 4, { dtype: "float64" }).weight.dtype, "float64");
  });

  test("Linear: weight and bias U(±1/√in)", () => {
    manualSeed(6);
    assertUniform(new Linear(64, 100).weight, 1 / 8, "weight");
    assertUniform(new Linear(64, 4000).bias!, 1 / 8, "bias");
  });

  test("reprs", () => {
    assert.equal(new Bilinear(2, 3, 4).toString(), "Bilinear(in1_features=2, in2_features=3, out_features=4, bias=True)");
    assert.equal(new Identity().toString(), "Identity()");
    assert.equal(new Flatten().toString(), "Flatten(start_dim=1, end_dim=-1)");
    assert.equal(new Unflatten(1, [2, 5]).toString(), "Unflatten(dim=1, unflattened_size=(2, 5))");
    assert.equal(new Unflatten(0, [7]).toString(), "Unflatten(dim=0, unflattened_size=(7,))");
  });
});

describe("errors", () => {
  test("Bilinear and F.bilinear", () => {
    assert.throws(() => new Bilinear(2, -1, 3), /Bilinear: in2Features must be a non-negative integer, got -1/);
    const layer = new Bilinear(3, 2, 4);
    assert.throws(() => layer.forward(zeros([5, 2]), zeros([5, 2])), /bilinear: input1 \[5, 2\] must end in in1_features=3 \(the weight is \[4, 3, 2\]\)/);
    assert.throws(() => layer.forward(zeros([5, 3]), zeros([5, 3])), /bilinear: input2 \[5, 3\] must end in in2_features=2/);
    assert.throws(() => layer.forward(zeros([5, 3]), zeros([4, 2])), /bilinear: input1 \[5, 3\] and input2 \[4, 2\] must have the same leading dims/);
    assert.throws(() => bilinear(zeros([3]), zeros([2]), zeros([3, 2])), /bilinear: the weight must be 3-D \[out_features, in1_features, in2_features\], got \[3, 2\]/);
    assert.throws(() => bilinear(zeros([3]), zeros([2]), zeros([4, 3, 2]), zeros([3])), /bilinear: bias \[3\] must be \[out_features\] = \[4\]/);
  });

  test("Unflatten", () => {
    assert.throws(() => new Unflatten(1, [2, 5]).forward(zeros([3, 12])),
      /Unflatten: cannot split dim 1 of size 12 \(input \[3, 12\]\) into \[2, 5\]: the sizes must multiply to 12/);
    assert.throws(() => new Unflatten(1, [-1, 5]).forward(zeros([3, 12])), /Unflatten: cannot split dim 1 of size 12/);
    assert.throws(() => new Unflatten(2, [2, 5]).forward(zeros([3, 10])), /Unflatten: dim 2 is out of range for an input of shape \[3, 10\]/);
    assert.throws(() => new Unflatten(1, [-1, -1]), /Unflatten: unflattenedSize must be a non-empty list of non-negative integers with at most one -1/);
    assert.throws(() => new Unflatten(1, []), /Unflatten: unflattenedSize must be a non-empty list/);
  });

  test("Flatten with dims out of range", () => {
    assert.throws(() => new Flatten(3).forward(zeros([2, 3])), /flatten/);
  });
});

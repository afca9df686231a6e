// Embedding, F.embedding and F.oneHot: PyTorch 1.13 fixtures
// (test/fixtures/torch-nn/layers.json, written by scripts/torch-nn-layers.py),
// the padding row's zero gradient, gradchecks, initialisation and errors.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Generator, gradcheck, manualSeed, randn, tensor, zeros } from "../../src/index.ts";
import { embedding } from "../../src/nn/functional/embedding.ts";
import { oneHot } from "../../src/core/ops/one-hot.ts";
import { Embedding } from "../../src/nn/layers/embedding.ts";
import { Linear } from "../../src/nn/layers/linear.ts";
import { assertClose } from "../helpers/assert.ts";
import { decode, readTorchFixture, type Encoded } from "../helpers/torch-fixtures.ts";

interface Fixture {
  name: string; layer?: string; fn?: string; args: number[]; options: { paddingIdx?: number }; repr: string;
  state: Record<string, Encoded>; inputs: Encoded[]; output: Encoded; upstream: Encoded;
  inputGrads: (Encoded | null)[]; paramGrads: Record<string, Encoded>;
}

const FIXTURES: { layers: Fixture[]; functional: Fixture[] } =
  readTorchFixture("layers");

describe("match PyTorch 1.13 (float64, atol 1e-10)", () => {
  const layerCases = FIXTURES.layers.filter((c) => c.layer === "Embedding");
  const functionalCases = FIXTURES.functional.filter((c) => c.fn === "embedding");

  test("fixtures with and without paddingIdx", () => {
    assert.equal(layerCases.length, 3);
    assert.equal(functionalCases.length, 2);
  });

  for (const fixture of layerCases) {
    test(`Embedding: ${fixture.name}`, () => {
      const [num, dim] = fixture.args as [number, number];
      const layer = new Embedding(num, dim, fixture.options).double();
      assert.deepEqual([...layer.stateDict().keys()], Object.keys(fixture.state));
      assert.deepEqual(layer.weight.shape, fixture.state.weight!.shape);
      assert.equal(layer.toString(), fixture.repr);
      layer.loadStateDict({ weight: decode(fixture.state.weight!) });
      const indices = decode(fixture.inputs[0]!);
      const out = layer.forward(indices);
      assert.deepEqual(out.shape, fixture.output.shape);
      assertClose(out, fixture.output.values, { atol: 1e-10, rtol: 0, message: "output" });
      out.mul(decode(fixture.upstream)).sum().backward();
      assertClose(layer.weight.grad!, fixture.paramGrads.weight!.values, { atol: 1e-10, rtol: 0, message: "weight gradient" });
    });
  }

  for (const fixture of functionalCases) {
    test(`F.embedding: ${fixture.name}`, () => {
      const indices = decode(fixture.inputs[0]!);
      const weight = decode(fixture.inputs[1]!, true);
      const out = embedding(indices, weight, fixture.options);
      assertClose(out, fixture.output.values, { atol: 1e-10, rtol: 0, message: "output" });
      out.mul(decode(fixture.upstream)).sum().backward();
      assertClose(weight.grad!, fixture.inputGrads[1]!.values, { atol: 1e-10, rtol: 0, message: "weight gradient" });
    });
  }
});

describe("the padding row", () => {
  test("starts at zero, gets a zero gradient, and so stays zero under training", () => {
    const layer = new Embedding(5, 3, { paddingIdx: -1 });
    assert.equal(layer.paddingIdx, 4);
    assert.deepEqual(layer.weight.select(0, 4).tolist(), [0, 0, 0]);
    const out = layer.forward(tensor([[4, 1], [4, 4]], { dtype: "int32" }));
    assert.deepEqual(out.select(0, 1).tolist(), [[0, 0, 0], [0, 0, 0]]);
    out.square().add(out).sum().backward();
    assert.deepEqual(layer.weight.grad!.select(0, 4).tolist(), [0, 0, 0]);
    // Row 1 was looked up once: d/dw Σ(w² + w) = 2w + 1.
    assertClose(layer.weight.grad!.select(0, 1), layer.weight.select(0, 1).mul(2).add(1).tolist());
    assert.deepEqual(layer.weight.grad!.select(0, 0).tolist(), [0, 0, 0]);
  });

  test("F.embedding does not zero the padding row's values, only its gradient (as PyTorch)", () => {
    const weight = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const out = embedding(tensor([0, 1, 0], { dtype: "int32" }), weight, { paddingIdx: 0 });
    assert.deepEqual(out.tolist(), [[1, 2], [3, 4], [1, 2]]);
    out.sum().backward();
    assert.deepEqual(weight.grad!.tolist(), [[0, 0], [1, 1]]);
  });
});

describe("gradcheck (float64)", () => {
  test("F.embedding with repeated indices and 2-D index shape", () => {
    const weight = randn([5, 3], { dtype: "float64", generator: new Generator(1), requiresGrad: true });
    const indices = tensor([[0, 3, 3], [4, 0, 1]], { dtype: "int32" });
    gradcheck((w) => embedding(indices, w!), [weight]);
  });

  test("the Embedding layer's weight", () => {
    const layer = new Embedding(6, 2).double();
    gradcheck(() => layer.forward(tensor([5, 0, 5, 2], { dtype: "int32" })).square(), layer.parameters());
  });
});

describe("shapes, initialisation, equivalences", () => {
  test("any index shape, including 0-d and empty", () => {
    const layer = new Embedding(10, 4);
    assert.deepEqual(layer.forward(tensor(3, { dtype: "int32" })).shape, [4]);
    assert.deepEqual(layer.forward(zeros([2, 0, 3], { dtype: "int32" })).shape, [2, 0, 3, 4]);
    assert.deepEqual(layer.forward(zeros([2, 5, 3], { dtype: "int32" })).shape, [2, 5, 3, 4]);
  });

  test("weight [num, dim] ~ N(0, 1)", () => {
    manualSeed(7);
    const layer = new Embedding(2000, 16);
    assert.deepEqual([...layer.namedParameters()].map(([name, p]) => [name, p.shape]), [["weight", [2000, 16]]]);
    const values = Array.from(layer.weight.toTypedArray());
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    assert.ok(Math.abs(mean) < 0.02, `mean ${mean}`);
    assert.ok(Math.abs(std - 1) < 0.02, `std ${std}`);
    assert.equal(layer.weight.dtype, "float32");
  });

  test("a lookup equals a bias-free linear layer applied to one-hot vectors", () => {
    const layer = new Embedding(4, 3);
    const linear = new Linear(4, 3, { bias: false });
    linear.loadStateDict({ weight: layer.weight.T });
    const indices = tensor([2, 0, 3], { dtype: "int32" });
    assertClose(linear.forward(oneHot(indices, 4).float()), layer.forward(indices).tolist());
  });

  test("fromPretrained copies the table, is frozen by default, and draws no random numbers", () => {
    const table = tensor([[1, 2], [3, 4], [5, 6]]);
    manualSeed(8);
    const frozen = Embedding.fromPretrained(table, { paddingIdx: 1 });
    const next = randn([3]).tolist();
    manualSeed(8);
    assert.deepEqual(randn([3]).tolist(), next);
    assert.deepEqual(frozen.weight.tolist(), [[1, 2], [3, 4], [5, 6]]);
    assert.equal(frozen.weight.requiresGrad, false);
    assert.equal(frozen.toString(), "Embedding(3, 2, padding_idx=1)");
    assert.equal(Embedding.fromPretrained(table, { freeze: false }).weight.requiresGrad, true);
    table.fill_(0);
    assert.deepEqual(frozen.weight.select(0, 0).tolist(), [1, 2], "a copy, not an alias");
  });
});

describe("oneHot", () => {
  test("int32 vectors, numClasses given or inferred", () => {
    const out = oneHot(tensor([0, 2, 1], { dtype: "int32" }), 4);
    assert.equal(out.dtype, "int32");
    assert.deepEqual(out.tolist(), [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0]]);
    assert.deepEqual(oneHot(tensor([[1], [3]], { dtype: "int32" })).tolist(), [[[0, 1, 0, 0]], [[0, 0, 0, 1]]]);
    assert.deepEqual(oneHot(tensor(2, { dtype: "int32" }), 3).tolist(), [0, 0, 1]);
    assert.deepEqual(oneHot(zeros([0], { dtype: "int32" }), 3).shape, [0, 3]);
  });

  test("errors", () => {
    assert.throws(() => oneHot(tensor([0, 1])), /oneHot: the class indices must be an int32 tensor, got float32/);
    assert.throws(() => oneHot(tensor([0, -1], { dtype: "int32" })), /oneHot: class values must be non-negative, got -1/);
    assert.throws(() => oneHot(tensor([0, 3], { dtype: "int32" }), 3), /oneHot: class value 3 is too large for numClasses=3; values must be in \[0, 2\]/);
    assert.throws(() => oneHot(zeros([0], { dtype: "int32" })), /oneHot: cannot infer the number of classes from an empty tensor \[0\]/);
    assert.throws(() => oneHot(tensor([0], { dtype: "int32" }), -2), /oneHot: numClasses must be a non-negative integer, or -1/);
  });
});

describe("errors", () => {
  const layer = new Embedding(10, 3);

  test("indices must be int32", () => {
    assert.throws(() => layer.forward(tensor([1, 2])), /embedding: the indices must be an int32 tensor, got float32 \(shape \[2\]\); convert them with \.int\(\)/);
    assert.throws(() => layer.forward(tensor([true, false])), /embedding: the indices must be an int32 tensor, got bool/);
  });

  test("indices must be in range; the message names the index", () => {
    assert.throws(() => layer.forward(tensor([[1, 12]], { dtype: "int32" })),
      /embedding: index 12 \(element 1 of the indices \[1, 2\]\) is out of range: the table has 10 rows, so indices must be in \[0, 9\]/);
    assert.throws(() => layer.forward(tensor([-1], { dtype: "int32" })), /embedding: index -1 .* is out of range/);
  });

  test("constructor and functional arguments", () => {
    assert.throws(() => new Embedding(10, 3, { paddingIdx: 10 }), /Embedding: paddingIdx must be an integer in \[-10, 9\] .* got 10/);
    assert.throws(() => new Embedding(10, 3, { paddingIdx: -11 }), /Embedding: paddingIdx must be an integer in \[-10, 9\]/);
    assert.throws(() => new Embedding(-1, 3), /Embedding: numEmbeddings must be a non-negative integer, got -1/);
    assert.throws(() => new Embedding(4, 3, { dtype: "int32" }), /Embedding: the weight must be float32 or float64, got int32/);
    assert.throws(() => new Embedding(4, 3, { weight: zeros([3, 4]) }), /Embedding: the initial weight \[3, 4\] must have shape \[numEmbeddings, embeddingDim\] = \[4, 3\]/);
    assert.throws(() => embedding(tensor([0], { dtype: "int32" }), zeros([4])), /embedding: the weight must be 2-D \[numEmbeddings, embeddingDim\], got shape \[4\]/);
    assert.throws(() => Embedding.fromPretrained(zeros([4])), /Embedding\.fromPretrained: embeddings must be 2-D/);
  });
});

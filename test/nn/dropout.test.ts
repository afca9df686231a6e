// The Dropout layer: identity in eval mode; in training, the kept fraction,
// the 1/(1 − p) scaling, reproducible masks, the edge cases p = 0 and p = 1,
// and the gradient mask/(1 − p). (Our random stream differs from PyTorch's, so
// there are no PyTorch values to compare with.)

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Generator, gradcheck, manualSeed, ones, randn, tensor, type Tensor } from "../../src/index.ts";
import { Sequential } from "../../src/nn/containers.ts";
import { Dropout } from "../../src/nn/layers/dropout.ts";
import { Linear } from "../../src/nn/layers/linear.ts";
import { assertClose } from "../helpers/assert.ts";

/** The fraction of non-zero elements. */
function keptFraction(t: Tensor): number {
  const values = t.toTypedArray();
  let kept = 0;
  for (const v of values) if (v !== 0) kept++;
  return kept / values.length;
}

describe("Dropout", () => {
  test("in eval mode it is the identity (the same tensor)", () => {
    const layer = new Dropout(0.5).eval();
    const x = randn([4, 5]);
    assert.equal(layer.forward(x), x);
  });

  test("in training, the kept fraction is close to 1 − p and survivors are scaled by 1/(1 − p)", () => {
    const n = 200_000;
    for (const p of [0.1, 0.5, 0.8]) {
      const out = new Dropout(p, { generator: new Generator(1) }).forward(ones([n]));
      // The kept count is Binomial(n, 1 − p): 5 standard deviations is √(p(1 − p)/n)·5 ≤ 0.0056.
      const tolerance = 5 * Math.sqrt((p * (1 - p)) / n);
      const fraction = keptFraction(out);
      assert.ok(Math.abs(fraction - (1 - p)) < tolerance, `p = ${p}: kept ${fraction}, expected ${1 - p} ± ${tolerance}`);
      const survivors = Array.from(out.toTypedArray()).filter((v) => v !== 0);
      const scale = Math.fround(1 / (1 - p));
      assert.ok(survivors.every((v) => Math.abs(v - scale) <= 1e-6 * scale), `p = ${p}: survivors are not all ${scale}`);
    }
  });

  test("the expected value is kept: the mean of many dropped copies of x is close to x", () => {
    const out = new Dropout(0.5, { generator: new Generator(2) }).forward(ones([100_000]).mul(3));
    assertClose(out.mean(), 3, { atol: 0.05, rtol: 0 });
  });

  test("the same seed gives the same mask; the next call a different one", () => {
    const x = randn([1000]);
    const a = new Dropout(0.3, { generator: new Generator(5) });
    const b = new Dropout(0.3, { generator: new Generator(5) });
    const first = a.forward(x).tolist();
    assert.deepEqual(b.forward(x).tolist(), first);
    assert.notDeepEqual(a.forward(x).tolist(), first);
    // Without a generator: the default one, reset by manualSeed.
    manualSeed(9);
    const c = new Dropout(0.3).forward(x).tolist();
    manualSeed(9);
    assert.deepEqual(new Dropout(0.3).forward(x).tolist(), c);
  });

  test("p = 0 is the identity and p = 1 gives zeros, even in training", () => {
    const x = randn([3, 4], { requiresGrad: true });
    assert.equal(new Dropout(0).forward(x), x);
    const zeroed = new Dropout(1).forward(x);
    // (x·0 is −0 for negative x, as in PyTorch; −0 equals 0.)
    assertClose(zeroed, [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], { atol: 0, rtol: 0 });
    zeroed.sum().backward();
    assert.deepEqual(x.grad!.tolist(), [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]);
  });

  test("the gradient is mask/(1 − p)", () => {
    const x = ones([2000], { requiresGrad: true });
    const out = new Dropout(0.25, { generator: new Generator(3) }).forward(x);
    out.sum().backward();
    // With x = 1, out is itself mask/(1 − p).
    assert.deepEqual(x.grad!.tolist(), out.tolist());
    assert.ok(keptFraction(x.grad!) > 0.7 && keptFraction(x.grad!) < 0.8);
  });

  test("gradcheck (float64), with the mask fixed by a fresh seeded generator per call", () => {
    const x = randn([3, 4], { dtype: "float64", generator: new Generator(4), requiresGrad: true });
    gradcheck((input) => new Dropout(0.4, { generator: new Generator(6) }).forward(input!), [x]);
  });

  test("float64 stays float64", () => {
    assert.equal(new Dropout(0.5).forward(randn([4], { dtype: "float64" })).dtype, "float64");
  });

  test("model.eval() turns it off, model.train() back on", () => {
    const model = new Sequential(new Linear(10, 10), new Dropout(0.9));
    const x = randn([8, 10]);
    model.eval();
    assert.deepEqual(model.forward(x).tolist(), model.forward(x).tolist());
    model.train();
    assert.ok(keptFraction(model.forward(ones([100, 10]))) < 0.3);
  });

  test("repr, no parameters", () => {
    assert.equal(new Dropout().toString(), "Dropout(p=0.5, inplace=False)");
    assert.equal(new Dropout(0.25).toString(), "Dropout(p=0.25, inplace=False)");
    assert.deepEqual([...new Dropout().stateDict().keys()], []);
  });

  test("p must be a probability", () => {
    assert.throws(() => new Dropout(1.5), /Dropout: probability p must be between 0 and 1, got 1\.5/);
    assert.throws(() => new Dropout(-0.1), /Dropout: probability p must be between 0 and 1, got -0\.1/);
    assert.throws(() => new Dropout(Number.NaN), /Dropout: probability p must be between 0 and 1, got NaN/);
  });

  test("int32 inputs keep their values in eval mode", () => {
    const x = tensor([1, 2], { dtype: "int32" });
    assert.equal(new Dropout().eval().forward(x), x);
  });
});

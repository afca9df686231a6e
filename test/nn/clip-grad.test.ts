// Gradient clipping against PyTorch 1.13 (test/fixtures/torch-nn/optim.json,
// "clip" section, written by scripts/torch-nn-optim.py), plus hand-worked
// cases: the infinity norm, no gradients, non-finite norms.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { tensor, zeros, type DType, type NestedArray, type Tensor } from "../../src/index.ts";
import { Linear } from "../../src/nn/layers/linear.ts";
import { clipGradNorm, clipGradNorm_, clipGradValue, clipGradValue_ } from "../../src/nn/utils/clip-grad.ts";
import { assertClose } from "../helpers/assert.ts";

interface ClipCase {
  name: string;
  dtype: DType;
  grads: NestedArray[];
  maxNorm?: number;
  normType?: number | "inf";
  clipValue?: number;
  totalNorm?: number;
  clipped: NestedArray[];
}

const fixture = JSON.parse(readFileSync(new URL("../fixtures/torch-nn/optim.json", import.meta.url), "utf8")) as { clip: ClipCase[] };

/** Zero parameters whose .grad holds the given values. */
function withGrads(grads: NestedArray[], dtype: DType): Tensor[] {
  return grads.map((g) => {
    const grad = tensor(g, { dtype });
    const p = zeros(grad.shape, { dtype }).requiresGrad_();
    p.grad = grad;
    return p;
  });
}

describe("against PyTorch", () => {
  for (const c of fixture.clip) {
    test(c.name, () => {
      const params = withGrads(c.grads, c.dtype);
      const tolerance = c.dtype === "float64" ? { atol: 1e-15, rtol: 1e-13 } : { atol: 1e-7, rtol: 1e-6 };
      if (c.clipValue !== undefined) {
        clipGradValue_(params, c.clipValue);
      } else {
        const normType = c.normType === "inf" ? Infinity : c.normType!;
        const total = clipGradNorm_(params, c.maxNorm!, { normType });
        assert.deepEqual(total.shape, []);
        assert.equal(total.dtype, c.dtype);
        assertClose(total, c.totalNorm!, { ...tolerance, message: "total norm" });
      }
      params.forEach((p, i) => assertClose(p.grad!, c.clipped[i]!, { ...tolerance, message: `grad ${i}` }));
    });
  }
});

describe("hand-worked", () => {
  test("2-norm over all gradients together: (3, 4) has norm 5, scaled to 1", () => {
    const [a, b] = withGrads([[3], [4]], "float64");
    const total = clipGradNorm_([a!, b!], 1);
    assert.equal(total.item(), 5);
    assertClose(a!.grad!, [3 / (5 + 1e-6)], { atol: 0, rtol: 1e-15 });
    assertClose(b!.grad!, [4 / (5 + 1e-6)], { atol: 0, rtol: 1e-15 });
  });

  test("a norm below maxNorm leaves the gradients untouched (the factor is clamped to 1)", () => {
    const [a] = withGrads([[0.3, -0.4]], "float64");
    const grad = a!.grad!;
    assert.equal(clipGradNorm_(a!, 10).item(), 0.5);
    assert.deepEqual(a!.grad!.tolist(), [0.3, -0.4]);
    assert.equal(a!.grad, grad, "in place: the same gradient tensor");
  });

  test("the infinity norm is the largest absolute value", () => {
    const [a, b] = withGrads([[1, -7], [[2, 3]]], "float64");
    const total = clipGradNorm_([a!, b!], 3.5, { normType: Infinity });
    assert.equal(total.item(), 7);
    assertClose(a!.grad!, [3.5 / (7 + 1e-6), (-7 * 3.5) / (7 + 1e-6)], { atol: 0, rtol: 1e-15 });
  });

  test("parameters without gradients are skipped; none at all gives a total norm of 0", () => {
    const [a] = withGrads([[6, 8]], "float32");
    const noGradient = zeros([3]).requiresGrad_();
    assert.equal(clipGradNorm_([a!, noGradient], 1).item(), 10);
    assert.equal(noGradient.grad, null);
    const none = clipGradNorm_([noGradient], 1);
    assert.deepEqual([none.item(), none.dtype, none.shape], [0, "float32", []]);
  });

  test("a module's parameters, and the aliases without the underscore", () => {
    const model = new Linear(3, 2);
    model.forward(tensor([[1, 2, 3]])).sum().mul(100).backward();
    const total = clipGradNorm(model.parameters(), 0.5);
    assert.ok(total.item() > 0.5);
    const after = clipGradNorm_(model.parameters(), 100).item();
    assert.ok(Math.abs(after - 0.5) < 1e-6, `norm after clipping ${after}`);
    clipGradValue(model.parameters(), 0.01);
    for (const p of model.parameters()) for (const v of p.grad!.tolist() as number[][] | number[]) for (const x of [v].flat()) assert.ok(Math.abs(x) <= 0.01);
  });

  test("a non-finite norm: scaled anyway by default (as PyTorch 1.13), an error with errorIfNonfinite", () => {
    const [a, b] = withGrads([[Infinity, 1], [2]], "float64");
    assert.throws(() => clipGradNorm_([a!, b!], 1, { errorIfNonfinite: true }),
      /clipGradNorm_: the total norm of order 2 of the gradients is Infinity, so they cannot be clipped/);
    assert.deepEqual(a!.grad!.tolist(), [Infinity, 1], "nothing was scaled before the error");
    const total = clipGradNorm_([a!, b!], 1);
    assert.equal(total.item(), Infinity);
    // maxNorm / ∞ = 0: finite entries become 0, infinite ones ∞·0 = NaN (PyTorch gives the same)
    assert.deepEqual(a!.grad!.tolist(), [NaN, 0]);
    assert.deepEqual(b!.grad!.tolist(), [0]);
  });

  test("clipGradValue_ clamps each element", () => {
    const [a] = withGrads([[-3, 0.2, 5]], "float32");
    clipGradValue_(a!, 1);
    assert.deepEqual(a!.grad!.tolist(), [-1, 0.20000000298023224, 1]);
  });
});

describe("bad input throws", () => {
  test("maxNorm, normType, clipValue, non-tensors", () => {
    const [a] = withGrads([[1]], "float32");
    assert.throws(() => clipGradNorm_(a!, -1), /clipGradNorm_: maxNorm must be a number >= 0, got -1/);
    assert.throws(() => clipGradNorm_(a!, NaN), /maxNorm must be a number >= 0, got NaN/);
    assert.throws(() => clipGradNorm_(a!, 1, { normType: 0 }), /clipGradNorm_: normType must be a number > 0 or Infinity, got 0/);
    assert.throws(() => clipGradNorm_(a!, 1, { normType: -Infinity }), /normType must be a number > 0 or Infinity, got -Infinity/);
    assert.throws(() => clipGradValue_(a!, -0.5), /clipGradValue_: clipValue must be a number >= 0, got -0\.5/);
    assert.throws(() => clipGradNorm_([a!, 3 as unknown as Tensor], 1), /clipGradNorm_: expected Tensors, but item 1 is number/);
  });
});

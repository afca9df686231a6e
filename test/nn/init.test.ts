// nn.init: each initialiser's distribution has the bounds and spread PyTorch's formula gives.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Generator, tensor, zeros, type Tensor } from "../../src/index.ts";
import * as init from "../../src/nn/init.ts";

function stats(t: Tensor): { mean: number; std: number; min: number; max: number } {
  return { mean: t.mean().item(), std: t.std().item(), min: t.min().item(), max: t.max().item() };
}

test("calculateGain matches torch.nn.init.calculate_gain", () => {
  assert.equal(init.calculateGain("linear"), 1);
  assert.equal(init.calculateGain("sigmoid"), 1);
  assert.equal(init.calculateGain("tanh"), 5 / 3);
  assert.equal(init.calculateGain("relu"), Math.SQRT2);
  assert.equal(init.calculateGain("leaky_relu"), Math.sqrt(2 / (1 + 0.01 ** 2)));
  assert.equal(init.calculateGain("leaky_relu", Math.sqrt(5)), Math.sqrt(2 / 6));
  assert.equal(init.calculateGain("selu"), 0.75);
  assert.throws(() => init.calculateGain("swish" as init.Nonlinearity), /unknown nonlinearity "swish"/);
});

test("fan in and fan out follow PyTorch's convention for linear and conv weights", () => {
  assert.deepEqual(init.calculateFanInAndFanOut(zeros([10, 20])), { fanIn: 20, fanOut: 10 });
  assert.deepEqual(init.calculateFanInAndFanOut(zeros([6, 3, 5, 5])), { fanIn: 75, fanOut: 150 });
  assert.throws(() => init.calculateFanInAndFanOut(zeros([5])), /at least 2 dims, got shape \[5\]/);
});

test("uniform_ and normal_ fill in place with the requested distribution", () => {
  const u = init.uniform_(zeros([200, 100]), -2, 3);
  const s = stats(u);
  assert.ok(s.min >= -2 && s.max < 3);
  assert.ok(Math.abs(s.mean - 0.5) < 0.03, `mean ${s.mean}`);
  assert.ok(Math.abs(s.std - 5 / Math.sqrt(12)) < 0.02, `std ${s.std}`);
  const n = stats(init.normal_(zeros([200, 100]), 1, 0.5));
  assert.ok(Math.abs(n.mean - 1) < 0.01 && Math.abs(n.std - 0.5) < 0.01, JSON.stringify(n));
  assert.throws(() => init.uniform_(zeros([2]), 1, 0), /need a <= b/);
  assert.throws(() => init.normal_(zeros([2]), 0, -1), /std must be >= 0/);
});

test("constant_, zeros_ and ones_", () => {
  assert.deepEqual(init.constant_(zeros([2]), 0.25).tolist(), [0.25, 0.25]);
  assert.deepEqual(init.ones_(zeros([2])).tolist(), [1, 1]);
  assert.deepEqual(init.zeros_(init.ones_(zeros([2]))).tolist(), [0, 0]);
});

test("xavier: bound gain·√(6/(fanIn+fanOut)) for uniform, std gain·√(2/(fanIn+fanOut)) for normal", () => {
  const w = init.xavierUniform_(zeros([300, 100]), 2);
  const bound = 2 * Math.sqrt(6 / 400);
  const s = stats(w);
  assert.ok(s.max <= bound && s.min >= -bound && s.max > 0.98 * bound, JSON.stringify(s));
  assert.ok(Math.abs(s.std - bound / Math.sqrt(3)) < 0.01 * bound);
  const n = stats(init.xavierNormal_(zeros([300, 100])));
  assert.ok(Math.abs(n.std - Math.sqrt(2 / 400)) < 0.02 * Math.sqrt(2 / 400), JSON.stringify(n));
});

test("kaiming: std gain/√fan with the mode and nonlinearity chosen", () => {
  const w = init.kaimingUniform_(zeros([64, 500]), { a: Math.sqrt(5) });
  // PyTorch's default for Linear and Conv: the bound works out to 1/√fanIn.
  assert.ok(w.abs().max().item() <= 1 / Math.sqrt(500));
  assert.ok(w.abs().max().item() > 0.99 / Math.sqrt(500));
  const relu = stats(init.kaimingNormal_(zeros([400, 200]), { nonlinearity: "relu" }));
  assert.ok(Math.abs(relu.std - Math.sqrt(2 / 200)) < 0.01 * Math.sqrt(2 / 200), JSON.stringify(relu));
  const fanOut = stats(init.kaimingNormal_(zeros([400, 200]), { mode: "fan_out", nonlinearity: "relu" }));
  assert.ok(Math.abs(fanOut.std - Math.sqrt(2 / 400)) < 0.01 * Math.sqrt(2 / 400), JSON.stringify(fanOut));
  assert.throws(() => init.kaimingUniform_(zeros([2, 2]), { mode: "fan_both" as "fan_in" }), /mode must be "fan_in" or "fan_out"/);
});

test("orthogonal_ gives orthonormal rows (wide) or columns (tall), scaled by the gain", () => {
  for (const shape of [[3, 7], [7, 3], [4, 2, 3]]) {
    const w = init.orthogonal_(zeros(shape, { dtype: "float64" }), 1.5);
    const m = w.reshape(shape[0]!, -1);
    const gram = m.shape[0]! <= m.shape[1]! ? m.matmul(m.T) : m.T.matmul(m);
    const k = gram.shape[0]!;
    const identity = Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 2.25 : 0)));
    const error = gram.sub(tensor(identity, { dtype: "float64" })).abs().max().item();
    assert.ok(error < 1e-12, `shape ${shape}: ${error}`);
  }
  assert.throws(() => init.orthogonal_(zeros([4])), /at least 2 dims/);
});

test("the same generator seed gives the same weights; the names without underscore are the same functions", () => {
  const a = init.kaimingUniform_(zeros([5, 5]), { generator: new Generator(3) });
  const b = init.kaimingUniform(zeros([5, 5]), { generator: new Generator(3) });
  assert.deepEqual(a.tolist(), b.tolist());
  assert.equal(init.xavierUniform, init.xavierUniform_);
});

// Chapter 4: the FLOP counter checked against hand counts, the all-reduce, and the lesson in quick mode.
import assert from "node:assert/strict";
import { test } from "node:test";
import { manualSeed, nn, randn } from "../../src/index.ts";
import { allReduceMean } from "../../chapters/04-scaling-up-with-compute/data-parallel.ts";
import { countFlops, kernelFlops } from "../../chapters/04-scaling-up-with-compute/flops.ts";
import { assertValidFigure } from "../helpers/figures.ts";
import { runQuickLesson } from "../helpers/lessons.ts";

test("FLOPs of a small CNN, counted by hand", () => {
  manualSeed(0);
  // [1, 1, 8, 8] → Conv2d(1, 2, 3) → [1, 2, 6, 6] → flatten 72 → Linear(72, 5)
  const model = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.ReLU(), new nn.Flatten(), new nn.Linear(72, 5));
  const x = randn([1, 1, 8, 8]);
  const conv = 2 * (2 * 6 * 6) * (1 * 3 * 3); // 2 · outputs · (multiply-adds per output) = 1296
  const linear = 2 * 72 * 5;                  // 720
  const count = countFlops(model, () => model.forward(x));
  assert.deepEqual(count.byType, { Conv2d: conv, Linear: linear });
  assert.equal(count.total, 2016);
  assert.equal(kernelFlops(() => model.forward(x)), 2016);
});

test("FLOPs of attention and of an LSTM, counted by hand", () => {
  manualSeed(0);
  const attention = new nn.MultiheadAttention(4, 2);
  const q = randn([3, 1, 4]); // L = 3 positions, batch 1, width 4
  // projections q, k, v, out: 4 · (2·3·4·4) = 384; scores and weighted sum: 2 · (2·3·3·4) = 144
  assert.equal(countFlops(attention, () => attention.forward(q, q, q)).total, 384 + 144);
  assert.equal(kernelFlops(() => attention.forward(q, q, q)), 384 + 144);
  const lstm = new nn.LSTM(3, 5);
  const sequence = randn([7, 2, 3]); // 7 steps, batch 2
  assert.equal(countFlops(lstm, () => lstm.forward(sequence)).total, 2 * 7 * 2 * 4 * 5 * (3 + 5));
  assert.equal(kernelFlops(() => lstm.forward(sequence)), 2 * 7 * 2 * 4 * 5 * (3 + 5));
});

test("the all-reduce averages element by element", () => {
  const average = allReduceMean([[Float64Array.of(1, 2), Float64Array.of(10)], [Float64Array.of(3, 6), Float64Array.of(-10)]]);
  assert.deepEqual(average.map((a) => Array.from(a)), [[2, 4], [0]]);
});

const run = runQuickLesson("04-scaling-up-with-compute");

test("chapter 4 --quick exits 0 (every target met)", () => assert.equal(run.exitCode, 0, run.stderr));

test("speeds are reported and positive, and results are the same bits at every thread count", () => {
  for (const kernel of ["matmul", "conv2d"]) {
    for (const threads of ["1 thread", "2 threads"]) assert.ok(run.value(`${kernel} GFLOP/s, ${threads}`) > 0);
    assert.ok(run.value(`${kernel} speedup, 2 threads`) > 0);
    assert.equal(run.value(`${kernel} results differing from 1 thread`), 0);
  }
});

test("FLOP counts: every architecture counted, layer formulas agree with the kernels", () => {
  assert.ok(run.value("largest gap, layer count vs kernel count (%)") < 1);
  assert.equal(run.value("MLP forward MFLOPs"), 2 * (64 * 128 + 128 * 64 + 64 * 10) / 1e6);
  for (const name of ["LeNet-5", "ResNet", "ViT", "GPT", "U-Net"]) assert.ok(run.value(`${name} forward MFLOPs`) > 0.1, name);
});

test("data-parallel training ends with the weights of one worker", () => {
  assert.ok(run.value("data parallel, 2 workers: max weight difference") < 1e-12);
  assert.ok(run.value("data parallel: largest weight change in training") > 1e-3, "the weights did move");
});

test("figures: speedup and FLOPs per model", () => {
  assert.ok(run.record.figures.length >= 2);
  for (const f of run.record.figures) assertValidFigure(f);
});

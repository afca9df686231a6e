import assert from "node:assert/strict";
import { test } from "node:test";
import { runQuickLesson } from "../helpers/lessons.ts";
import { assertValidFigure } from "../helpers/figures.ts";

const run = runQuickLesson("12-limitations");

test("chapter 12 --quick exits 0 (every target met)", () => assert.equal(run.exitCode, 0, run.stderr));

test("data hunger: accuracy grows with the training set, far above chance (10 %) at full size", () => {
  assert.ok(run.value("learning curve: all training digits (%)") > 88);
  assert.ok(run.value("learning curve: 200 digits (%)") > run.value("learning curve: 50 digits (%)"));
  assert.ok(run.value("learning curve: gain from fewest to most digits (points)") > 8);
});

test("integrated gradients: completeness within 5 % of the score change, and the top pixels matter more than random ones", () => {
  assert.ok(run.value("integrated gradients: worst completeness error (% of the score change)") <= 5);
  assert.ok(run.value("integrated gradients: score drop, 6 most attributed pixels removed") > run.value("integrated gradients: score drop, 6 random inked pixels removed"));
});

test("bias: the rare group errs far more, and reweighting narrows the gap", () => {
  const plainGap = run.value("bias: plain, error B (%)") - run.value("bias: plain, error A (%)");
  const reweightedGap = run.value("bias: reweighted, error B (%)") - run.value("bias: reweighted, error A (%)");
  assert.ok(plainGap > 15, `plain gap ${plainGap}`);
  assert.ok(reweightedGap < plainGap - 10, `reweighted gap ${reweightedGap} vs ${plainGap}`);
});

test("compute: the FLOP count and the measured speed are positive and plausible", () => {
  assert.ok(run.value("compute: MLP training FLOPs (by formula)") > 1e8);
  const gflops = run.value("compute: counted speed (GFLOP/s)");
  assert.ok(gflops > 0.01 && gflops < 1000, `${gflops} GFLOP/s`);
});

test("figures are valid", () => {
  assert.ok(run.record.figures.length >= 4);
  for (const figure of run.record.figures) assertValidFigure(figure);
});

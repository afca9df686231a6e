// Chapter 3's lesson, run in quick mode as a learner would run it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertValidFigure } from "../helpers/figures.ts";
import { runQuickLesson } from "../helpers/lessons.ts";

const run = runQuickLesson("03-how-it-learns");

test("chapter 3 --quick exits 0 (every target met)", () => assert.equal(run.exitCode, 0, run.stderr));

test("Scalars, tensors and the hand-derived gradients agree", () => {
  assert.ok(run.value("Scalar vs tensor loss difference") < 1e-12);
  assert.ok(run.value("Scalar vs tensor gradient difference") < 1e-9);
  assert.ok(run.value("hand vs autograd gradient difference") < 1e-9);
});

test("the networks learn the moons, well above chance (50 %)", () => {
  assert.ok(run.value("Scalar network test accuracy (%)") > 75);
  assert.ok(run.value("test accuracy (%)") > 85);
});

test("a learning rate too small or too large ends with a higher loss", () => {
  const right = run.value("final loss, lr about right");
  assert.ok(run.value("final loss, lr too small") > 2 * right);
  assert.ok(run.value("final loss, lr too large") > 2 * right);
});

test("diagnostics: weights four times too large saturate the tanh units; the default start does not", () => {
  assert.ok(run.value("saturated tanh units, default init (%)") < 2);
  assert.ok(run.value("saturated tanh units, weights × 4 (%)") > 12);
});

test("figures: the expression graph, the loss curves, the decision boundary", () => {
  assert.ok(run.record.figures.length >= 4);
  for (const f of run.record.figures) assertValidFigure(f);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { runQuickLesson } from "../helpers/lessons.ts";
import { assertValidFigure } from "../helpers/figures.ts";

const run = runQuickLesson("11-deep-learning-vs-traditional-ml");

test("chapter 11 --quick exits 0 (every model meets its target)", () => assert.equal(run.exitCode, 0, run.stderr));

test("every model is far above chance on every dataset", () => {
  // chance: iris 33 %, wine 40 % (largest class), breast cancer 63 % (largest class), digits 10 %
  const floors = { iris: 75, wine: 75, "breast cancer": 85, digits: 70 };
  for (const [dataset, floor] of Object.entries(floors)) {
    for (const model of ["logistic regression", "k-NN (k = 5)", "decision tree", "MLP"]) {
      assert.ok(run.value(`${dataset}: ${model} test accuracy (%)`) > floor, `${dataset}: ${model}`);
    }
  }
});

test("on the digits the MLP beats the tree, and logistic regression", () => {
  const mlp = run.value("digits: MLP test accuracy (%)");
  assert.ok(mlp > 90, `MLP ${mlp}`);
  assert.ok(mlp > run.value("digits: decision tree test accuracy (%)") + 5);
  assert.ok(mlp > run.value("digits: logistic regression test accuracy (%)"));
});

test("data needed: both learners improve with more digits, and the MLP needs fewer", () => {
  for (const model of ["tree", "MLP"]) {
    assert.ok(run.value(`data needed: ${model} on 400 digits (%)`) > run.value(`data needed: ${model} on 50 digits (%)`) + 10, model);
  }
  assert.ok(run.value("data needed: MLP on 50 digits (%)") > run.value("data needed: tree on 50 digits (%)"));
});

test("figures are valid", () => {
  assert.ok(run.record.figures.length >= 2);
  for (const figure of run.record.figures) assertValidFigure(figure);
});

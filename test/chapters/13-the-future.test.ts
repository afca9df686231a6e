// Chapter 13 run as a learner runs it (--quick): the int8 model keeps its accuracy,
// the tiny CLIP matches images to words far above chance, the agent plans far better than chance.
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertValidFigure } from "../helpers/figures.ts";
import { runQuickLesson } from "../helpers/lessons.ts";

const run = runQuickLesson("13-the-future");

test("the lesson exits 0 with every target met", () => assert.equal(run.exitCode, 0, run.stderr + run.stdout.slice(-2000)));

test("int8 quantization: 3.5× smaller, within 2 points of the float32 model, which itself learned", () => {
  assert.ok(run.value("float32 MLP test accuracy (%)") > 85);
  assert.ok(run.value("accuracy drop, float32 → int8 weights + activations (points)") < 2);
  assert.ok(run.value("accuracy drop, float32 → int8 weights (points)") < 2);
  assert.ok(run.value("int8 weights + activations test accuracy (%)") > 83);
  assert.ok(run.value("size reduction (×)") > 3.5);
});

test("tiny CLIP: images find their word far above the 10 % chance", () => {
  assert.ok(run.value("image → word zero-shot test accuracy (%)") > 60);
  assert.ok(run.value("mean similarity, matching image and word") > run.value("mean similarity, other words") + 0.3);
});

test("planning agent: reaches most goals on new maps, far more than random moves, by near-shortest paths", () => {
  const agent = run.value("agent success rate on new maps (%)"), random = run.value("random policy success rate (%)");
  assert.ok(agent > 55, `agent ${agent} %`);
  assert.ok(agent > random + 25, `agent ${agent} % vs random ${random} %`);
  assert.ok(run.value("agent moves / shortest-path moves") < 1.3);
});

test("the figures are valid", () => {
  assert.equal(run.record.figures.length, 3);
  for (const figure of run.record.figures) assertValidFigure(figure);
});

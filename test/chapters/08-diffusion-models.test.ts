import assert from "node:assert/strict";
import { test } from "node:test";
import { DDPM } from "../../src/architectures/diffusion.ts";
import { MLPDenoiser } from "../../src/architectures/denoiser-mlp.ts";
import { Generator, manualSeed, tensor } from "../../src/index.ts";
import { meanNearestDistance, reverseProcess } from "../../chapters/08-diffusion-models/reverse-process.ts";
import { runQuickLesson } from "../helpers/lessons.ts";
import { assertValidFigure } from "../helpers/figures.ts";

test("the by-hand reverse process draws exactly what DDPM.sample draws", () => {
  manualSeed(0);
  const ddpm = new DDPM({ timesteps: 10 });
  const model = new MLPDenoiser({ hiddenDim: 16, layers: 2 });
  const mine = reverseProcess(ddpm, model, [5, 2], { generator: new Generator(3), keepSteps: [9, 4, -1] });
  const theirs = ddpm.sample(model, [5, 2], { generator: new Generator(3) });
  assert.ok(mine.samples.sub(theirs).abs().max().item() < 1e-5);
  assert.deepEqual(mine.snapshots.map((s) => s.step), [9, 4, -1]);
});

test("meanNearestDistance is the mean distance to the nearest reference row", () => {
  const points = tensor([[0, 0], [3, 4]]);
  const reference = tensor([[0, 1], [3, 0]]);
  assert.ok(Math.abs(meanNearestDistance(points, reference) - (1 + 4) / 2) < 1e-5);
});

const run = runQuickLesson("08-diffusion-models");

test("the quick lesson exits 0", () => assert.equal(run.exitCode, 0, run.stderr));

test("noising to t = T leaves nothing of the digit", () => {
  assert.ok(Math.abs(run.value("noising: correlation of x_T with x_0 (pure noise)")) < 0.2);
  assert.ok(run.value("noising: correlation of x_t with x_0 at t = 10") > 0.9);
});

test("the 2-D denoiser learns: its loss falls and its samples come closer to the data than noise", () => {
  assert.ok(run.value("points: loss, last / first steps") < 0.8);
  assert.ok(run.value("points: generated / noise distance") < 0.85);
});

test("the digit U-Net's loss falls well below its start", () => {
  assert.ok(run.value("digits: loss, last / first steps") < 0.75);
});

test("figures are valid", () => {
  assert.ok(run.record.figures.length >= 5);
  for (const figure of run.record.figures) assertValidFigure(figure);
});

import assert from "node:assert/strict";
import { test } from "node:test";
import { runQuickLesson } from "../helpers/lessons.ts";
import { assertValidFigure } from "../helpers/figures.ts";
import { convolveByHand, SOBEL_X } from "../../chapters/05-convolutional-networks/convolution-by-hand.ts";
import { conv2d, tensor } from "../../src/index.ts";

test("convolveByHand equals F.conv2d with padding", () => {
  const image = [[1, 2, 3, 0], [4, 5, 6, 1], [7, 8, 9, 2], [0, 1, 0, 3]];
  const mine = convolveByHand(image, SOBEL_X, 1);
  const theirs = conv2d(tensor([[image]]), tensor([[SOBEL_X]]), null, { padding: 1 }).reshape([16]).toTypedArray();
  assert.deepEqual(mine.flat(), Array.from(theirs));
});

const run = runQuickLesson("05-convolutional-networks");
test("the quick lesson exits 0", () => assert.equal(run.exitCode, 0, run.stderr));
test("the loops agree with F.conv2d", () => assert.ok(run.value("max |by hand − F.conv2d|") < 1e-5));
test("LeNet beats 50 % in quick mode (chance: 10 %)", () => assert.ok(run.value("LeNet test accuracy (%)") > 50));
test("the ResNet learns something in 20 steps (chance: 10 %)", () => assert.ok(run.value("ResNet test accuracy (%)") > 15));
test("figures are valid", () => {
  assert.ok(run.record.figures.length >= 4);
  for (const f of run.record.figures) assertValidFigure(f);
});

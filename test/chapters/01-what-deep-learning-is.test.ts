import assert from "node:assert/strict";
import { test } from "node:test";
import { assertValidFigure } from "../helpers/figures.ts";
import { runQuickLesson } from "../helpers/lessons.ts";
import { digitFeatures, FEATURE_NAMES, loops, strokesCrossed, symmetry } from "../../chapters/01-what-deep-learning-is/features.ts";

/** An 8×8 image from 8 strings of "#" (ink 1) and "." (paper 0). */
const image = (rows: string[]): number[] => rows.join("").split("").map((ch) => (ch === "#" ? 1 : 0));
const ZERO = image(["..####..", ".#....#.", ".#....#.", ".#....#.", ".#....#.", ".#....#.", ".#....#.", "..####.."]);
const EIGHT = image(["..####..", ".#....#.", ".#....#.", "..####..", ".#....#.", ".#....#.", ".#....#.", "..####.."]);
const ONE = image(["...#....", "...#....", "...#....", "...#....", "...#....", "...#....", "...#....", "...#...."]);

test("designed features: loops, strokes and symmetry of hand-drawn digits", () => {
  assert.equal(loops(ZERO)[0], 1);
  assert.equal(loops(EIGHT)[0], 2);
  assert.equal(loops(ONE)[0], 0);
  assert.equal(loops(ONE)[1], -1);
  assert.equal(strokesCrossed([0, 1, 0, 0, 0, 0, 1, 0]), 2);
  assert.equal(strokesCrossed([0, 0, 0, 1, 1, 0, 0, 0]), 1);
  assert.deepEqual(symmetry(ZERO), [1, 1]);
  assert.deepEqual(symmetry(ONE), [0, 1]); // column 3 mirrors onto the empty column 4
  assert.equal(digitFeatures(ZERO).length, FEATURE_NAMES.length);
  assert.throws(() => digitFeatures([1, 2, 3]), /expected 64 pixels/);
});

const run = runQuickLesson("01-what-deep-learning-is");

test("chapter 1 --quick exits 0", () => assert.equal(run.exitCode, 0, run.stderr));

test("every classifier learns: far above the 10 % of chance", () => {
  assert.ok(run.value("designed features, linear: test accuracy (%)") > 80);
  assert.ok(run.value("raw pixels, linear: test accuracy (%)") > 85);
  assert.ok(run.value("raw pixels, MLP: test accuracy (%)") > 90);
});

test("figures are valid", () => {
  assert.equal(run.record.figures.length, 3);
  for (const figure of run.record.figures) assertValidFigure(figure);
});

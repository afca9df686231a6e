import assert from "node:assert/strict";
import { test } from "node:test";
import { assertValidFigure } from "../helpers/figures.ts";
import { runQuickLesson } from "../helpers/lessons.ts";
import { mlpParameterCount, widthForBudget } from "../../chapters/02-why-depth-matters/budget.ts";
import { regionGrid } from "../../chapters/02-why-depth-matters/regions.ts";
import { MLP } from "../../src/architectures/mlp.ts";
import { tensor, type Tensor } from "../../src/index.ts";

test("mlpParameterCount counts what MLP builds", () => {
  for (const [depth, width] of [[1, 166], [2, 28], [3, 20], [4, 17]] as const) {
    const model = new MLP({ inFeatures: 2, hiddenSizes: Array<number>(depth).fill(width), outFeatures: 3 });
    assert.equal(mlpParameterCount(2, width, depth, 3), model.parameterCount());
  }
});

test("widthForBudget picks the width nearest to the budget", () => {
  assert.equal(widthForBudget(2, 1, 3, 1000), 166); // 6·166 + 3 = 999
  assert.equal(widthForBudget(2, 2, 3, 1000), 28);  // 983 (width 29 would give 1,047)
  for (let depth = 1; depth <= 5; depth++) {
    const width = widthForBudget(2, depth, 3, 1000);
    const error = Math.abs(mlpParameterCount(2, width, depth, 3) - 1000);
    assert.ok(error <= Math.abs(mlpParameterCount(2, width + 1, depth, 3) - 1000));
    if (width > 1) assert.ok(error <= Math.abs(mlpParameterCount(2, width - 1, depth, 3) - 1000));
  }
  assert.throws(() => widthForBudget(2, 0, 3, 1000), /depth must be a positive integer/);
});

test("regionGrid classifies every cell in one pass", () => {
  // A "classifier" whose class is 1 right of x = 0 and 0 left of it.
  const forward = (points: Tensor) => {
    const rows = points.tolist() as number[][];
    return tensor(rows.map(([x]) => (x! > 0 ? [0, 1] : [1, 0])));
  };
  const grid = regionGrid(forward, [-1, 1], [-1, 1], 10);
  assert.equal(grid.classify(-0.5, 0.3), 0);
  assert.equal(grid.classify(0.5, -0.9), 1);
  assert.equal(grid.classify(5, 5), 1); // outside the box: the nearest border cell
  assert.throws(() => regionGrid(forward, [1, -1], [-1, 1]), /ranges must be increasing/);
});

const run = runQuickLesson("02-why-depth-matters");

test("chapter 2 --quick exits 0", () => assert.equal(run.exitCode, 0, run.stderr));

test("the spiral MLPs learn: the best depth far above the 33 % of chance", () => {
  assert.ok(run.value("spirals, best depth: test accuracy (%)") > 85);
  assert.ok(run.value("spirals, 1 hidden layer(s): test accuracy (%)") > 60);
  assert.ok(run.value("spirals, 3 hidden layer(s): test accuracy (%)") > 60);
});

test("the CNN learns: far above the 10 % of chance", () => {
  assert.ok(run.value("CNN: Fashion-MNIST test accuracy (%)") > 40);
});

test("figures are valid", () => {
  assert.equal(run.record.figures.length, 8);
  for (const figure of run.record.figures) assertValidFigure(figure);
});

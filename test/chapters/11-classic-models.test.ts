// The classic models of chapter 11, each on a case whose answer is known by hand.
import assert from "node:assert/strict";
import { test } from "node:test";
import { F, Generator, randn, tensor, zeros } from "../../src/index.ts";
import { DecisionTree, bestSplit, gini } from "../../chapters/11-deep-learning-vs-traditional-ml/decision-tree.ts";
import { KNearestNeighbours } from "../../chapters/11-deep-learning-vs-traditional-ml/k-nearest-neighbours.ts";
import { LogisticRegression } from "../../chapters/11-deep-learning-vs-traditional-ml/logistic-regression.ts";

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test("k-NN: two hand-made clusters, the neighbours in order of distance, and ties to the smallest label", () => {
  const x = [[0, 0], [0, 1], [1, 0], [5, 5], [5, 6], [6, 5]];
  const y = [0, 0, 0, 1, 1, 1];
  const knn = new KNearestNeighbours(3).fit(x, y);
  assert.deepEqual(knn.predict([[0.2, 0.2], [5.5, 5.5], [4, 4]]), [0, 1, 1]);
  assert.deepEqual(knn.neighbours([0.1, 0.9]), [1, 0, 2]);
  // two neighbours, one vote each: scikit-learn answers the smaller label
  const tie = new KNearestNeighbours(2).fit([[-1, 0], [1, 0]], [1, 0]);
  assert.equal(tie.predictOne([0, 0]), 0);
  // k = 1 reproduces the training labels exactly
  assert.deepEqual(new KNearestNeighbours(1).fit(x, y).predict(x), y);
  assert.throws(() => new KNearestNeighbours(0), /positive integer/);
  assert.throws(() => new KNearestNeighbours(7).fit(x, y), /at least 7 rows/);
});

test("Gini impurity: pure, balanced and three-way nodes", () => {
  close(gini([3, 0]), 0);
  close(gini([2, 2]), 0.5);
  close(gini([1, 1, 1]), 2 / 3);
  close(gini([3, 1]), 1 - (9 + 1) / 16);
});

test("tree: the best split of a known case, with its exact weighted Gini", () => {
  // labels 0 0 1 0 1 along one feature: the thresholds give 0.4, 4/15, 7/15 and 0.3; 2.5 wins with 4/15
  const x = [[1], [2], [3], [4], [5]], y = [0, 0, 1, 0, 1];
  const split = bestSplit(x, y, [0, 1, 2, 3, 4], 2)!;
  assert.equal(split.feature, 0);
  assert.equal(split.threshold, 2.5);
  close(split.impurity, 4 / 15);
  // a second feature that separates perfectly wins, at the midpoint of its two values
  const x2 = [[1, 10], [2, 10], [3, 20], [4, 10], [5, 20]];
  assert.deepEqual(bestSplit(x2, y, [0, 1, 2, 3, 4], 2), { feature: 1, threshold: 15, impurity: 0 });
  // identical rows cannot be split
  assert.equal(bestSplit([[1], [1]], [0, 1], [0, 1], 2), null);
});

test("tree: XOR needs depth 2 (its first split lowers nothing, and is kept all the same)", () => {
  const x = [[0, 0], [0, 1], [1, 0], [1, 1]], y = [0, 1, 1, 0];
  const deep = new DecisionTree({ maxDepth: 2 }).fit(x, y, 2);
  assert.deepEqual(deep.predict(x), y);
  assert.equal(deep.leaves(), 4);
  const stump = new DecisionTree({ maxDepth: 1 }).fit(x, y, 2);
  assert.ok(stump.predict(x).filter((p, i) => p === y[i]).length < 4);
  assert.throws(() => new DecisionTree().predictOne([0, 0]), /call fit first/);
});

test("logistic regression: one gradient step equals the tensor engine's autograd step", () => {
  const g = new Generator(3);
  const x = randn([20, 3], { generator: g, dtype: "float64" });
  const labels = [0, 1, 2, 1, 0, 2, 2, 1, 0, 0, 1, 2, 1, 1, 0, 2, 0, 1, 2, 2];
  const model = new LogisticRegression({ lr: 0.3, epochs: 1, l2: 0 }).fit(x.tolist() as number[][], labels, 3);
  const w = zeros([3, 3], { dtype: "float64", requiresGrad: true });
  const b = zeros([3], { dtype: "float64", requiresGrad: true });
  F.crossEntropy(x.matmul(w.transpose(0, 1)).add(b), tensor(labels, { dtype: "int32" })).backward();
  const expectedW = w.grad!.mul(-0.3).tolist() as number[][];
  const expectedB = b.grad!.mul(-0.3).tolist() as number[];
  model.weights.forEach((row, c) => row.forEach((v, j) => close(v, expectedW[c]![j]!, 1e-12)));
  model.bias.forEach((v, c) => close(v, expectedB[c]!, 1e-12));
});

test("logistic regression: converges to the known separator x₁ + x₂ = 0", () => {
  const g = new Generator(1);
  const x: number[][] = [], y: number[] = [];
  while (x.length < 200) {
    const p = [4 * g.random() - 2, 4 * g.random() - 2];
    if (Math.abs(p[0]! + p[1]!) < 0.3) continue;            // a margin around the line
    x.push(p);
    y.push(p[0]! + p[1]! > 0 ? 1 : 0);
  }
  const model = new LogisticRegression({ lr: 1, epochs: 500, l2: 0 });
  const before = new LogisticRegression({ epochs: 0 }).fit(x, y, 2).loss(x, y);
  model.fit(x, y, 2);
  assert.ok(model.loss(x, y) < 0.1 * before, `loss ${model.loss(x, y)} vs ${before} at the start`);
  assert.deepEqual(model.predict(x), y);
  // the boundary is where the two scores are equal: (w₁ − w₀)·x + (b₁ − b₀) = 0
  const normal = [model.weights[1]![0]! - model.weights[0]![0]!, model.weights[1]![1]! - model.weights[0]![1]!];
  const length = Math.hypot(normal[0]!, normal[1]!);
  const cosine = (normal[0]! + normal[1]!) / (length * Math.SQRT2);
  assert.ok(cosine > 0.99, `normal ${normal} is not along (1, 1): cosine ${cosine}`);
  assert.ok(Math.abs(model.bias[1]! - model.bias[0]!) / length < 0.1, "the boundary passes near the origin");
});

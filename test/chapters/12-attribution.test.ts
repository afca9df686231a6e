// The helpers of chapter 12: attributions, the bias task, and the FLOP formulas, each on a case known by hand.
import assert from "node:assert/strict";
import { test } from "node:test";
import { Generator, manualSeed, nn, randn, tensor, zeros } from "../../src/index.ts";
import { integratedGradients, saliency } from "../../chapters/12-limitations/attribution.ts";
import { GROUP_THRESHOLDS, balancingWeights, groupErrors, makeGroupTask } from "../../chapters/12-limitations/group-bias.ts";
import { conv2dMultiplyAdds, denseTrainingFlops, transformerTrainingFlops } from "../../chapters/12-limitations/training-flops.ts";

const close = (a: number, b: number, tol: number) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test("a linear model: saliency is |w|, and integrated gradients are exactly (x − x')·w", () => {
  const model = new nn.Linear(3, 2);
  const w = model.weight.tolist() as number[][];
  const x = tensor([1, -2, 0.5]), baseline = tensor([0.5, 0.5, 0.5]);
  (saliency(model, x, 1).tolist() as number[]).forEach((v, i) => close(v, Math.abs(w[1]![i]!), 1e-6));
  const ig = integratedGradients(model, x, baseline, 1, 4);
  (ig.attributions.tolist() as number[]).forEach((v, i) => close(v, ((x.tolist() as number[])[i]! - 0.5) * w[1]![i]!, 1e-5));
  close(ig.completenessError, 0, 1e-5);
});

test("integrated gradients on a ReLU network: the attributions add up to score(x) − score(baseline) as the steps grow", () => {
  manualSeed(4);
  const model = new nn.Sequential(new nn.Linear(8, 32), new nn.ReLU(), new nn.Linear(32, 32), new nn.ReLU(), new nn.Linear(32, 3));
  const x = randn([8], { generator: new Generator(5) }), baseline = zeros([8]);
  const coarse = integratedGradients(model, x, baseline, 2, 2);
  const fine = integratedGradients(model, x, baseline, 2, 512);
  close(fine.scoreDifference, coarse.scoreDifference, 1e-6);
  // the chapter's tolerance: within 2 % of the score change (the lesson asserts it on digits too)
  assert.ok(Math.abs(fine.completenessError) <= 0.02 * Math.abs(fine.scoreDifference), `error ${fine.completenessError} of ${fine.scoreDifference}`);
  assert.ok(Math.abs(fine.completenessError) <= Math.abs(coarse.completenessError) + 1e-6);
  assert.throws(() => integratedGradients(model, x, baseline, 2, 0), /steps must be a positive integer/);
  assert.throws(() => integratedGradients(model, x, zeros([7]), 2, 8), /differ in shape/);
});

test("the bias task: group sizes, labels by each group's rule, balancing weights, errors per group", () => {
  const task = makeGroupTask(200, 0.05, new Generator(0));
  assert.deepEqual(task.x.shape, [200, 2]);
  assert.equal(task.group.filter((g) => g === 1).length, 10);
  const rows = task.x.tolist() as number[][], labels = task.y.tolist() as number[];
  rows.forEach(([a, b], i) => assert.equal(labels[i], a! + b! > GROUP_THRESHOLDS[task.group[i]!]! ? 1 : 0));
  const weights = balancingWeights(task.group).tolist() as number[];
  close(weights.filter((_, i) => task.group[i] === 1).reduce((s, v) => s + v, 0), 200, 1e-3);   // each group weighs n in total: equal shares
  close(weights.filter((_, i) => task.group[i] === 0).reduce((s, v) => s + v, 0), 200, 1e-3);
  assert.deepEqual(groupErrors([1, 0, 1, 1], [1, 1, 1, 0], [0, 0, 1, 1]), [50, 50]);
  assert.throws(() => balancingWeights([0, 0]), /both groups/);
});

test("FLOP formulas: dense, convolution, transformer", () => {
  assert.equal(denseTrainingFlops([[64, 128], [128, 64], [64, 10]], 1), 6 * 17_024);
  assert.equal(conv2dMultiplyAdds(1, 6, 5, 28, 28), 117_600);                 // LeNet-5's first layer
  assert.equal(transformerTrainingFlops(100, 2, 32, 64, 10), (600 + 6 * 2 * 32 * 64) * 10);
});

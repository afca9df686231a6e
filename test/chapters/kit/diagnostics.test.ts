// Activation and gradient statistics per layer, and update:data ratios, on
// cases small enough to work out by hand.

import assert from "node:assert/strict";
import { test } from "node:test";
import { nn, noGrad, tensor } from "../../../src/index.ts";
import { isSaturated, layerStatistics, meanAndStd, snapshot, updateToDataRatios } from "../../../chapters/_kit/diagnostics.ts";

const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-5, `${what}: ${actual} vs ${expected}`);

test("meanAndStd divides by n", () => {
  assert.deepEqual(meanAndStd([1, 3]), { mean: 2, std: 1 });
  assert.deepEqual(meanAndStd([]), { mean: 0, std: 0 });
});

test("a ReLU on [-1, 2, 3, -4]: half the units dead, gradient 1 everywhere under a sum", () => {
  const input = tensor([[-1, 2], [3, -4]]);
  const [relu] = layerStatistics([["relu", new nn.ReLU()]], input, (out) => out.sum(), { saturation: "relu" });
  // Outputs [0, 2, 3, 0]: mean 1.25, variance ((1.25² · 2 + 0.75² + 1.75²) / 4) = 1.6875.
  assert.equal(relu!.name, "relu");
  close(relu!.mean, 1.25, "mean");
  close(relu!.std, Math.sqrt(1.6875), "std");
  assert.equal(relu!.saturated, 0.5, "two of four are 0");
  assert.equal(relu!.gradMean, 1);
  assert.equal(relu!.gradStd, 0);
});

test("ReLU then tanh: the tanh layer's saturation, and the gradient reaching the ReLU through tanh′ = 1 − tanh²", () => {
  const input = tensor([[-1, 2], [3, -4]]);
  const layers = [["relu", new nn.ReLU()], ["tanh", new nn.Tanh()]] as const;
  const [relu, tanh] = layerStatistics(layers, input, (out) => out.sum(), { saturation: "tanh" });
  // tanh outputs [0, tanh 2, tanh 3, 0] = [0, 0.964, 0.995, 0]: only tanh 3 is beyond 0.97.
  assert.equal(tanh!.saturated, 0.25);
  assert.equal(tanh!.gradMean, 1);
  const fromTanh = [0, 2, 3, 0].map((a) => 1 - Math.tanh(a) ** 2);
  const expected = meanAndStd(fromTanh);
  close(relu!.gradMean, expected.mean, "gradient mean at the ReLU");
  close(relu!.gradStd, expected.std, "gradient std at the ReLU");
  // Under the tanh rule, the ReLU's 2 and 3 count as beyond 0.97: the rule is the caller's choice.
  assert.equal(relu!.saturated, 0.5);
});

test("the parameters' .grad are left alone, and a layer unused by the loss has gradient 0", () => {
  const linear = new nn.Linear(2, 3);
  const stats = layerStatistics([["linear", linear], ["tanh", new nn.Tanh()]], tensor([[1, 2]]), () => tensor(0, { requiresGrad: true }).mul(1));
  assert.equal(linear.weight.grad, null);
  assert.deepEqual(stats.map((s) => [s.gradMean, s.gradStd]), [[0, 0], [0, 0]]);
  assert.throws(() => layerStatistics([["linear", linear]], tensor([[1, 2]]), (out) => out), /the loss must be a single number/);
  assert.throws(() => layerStatistics([], tensor([1]), (out) => out.sum()), /no layers/);
});

test("the saturation rules", () => {
  assert.deepEqual([0.98, -0.98, 0.96].map((a) => isSaturated(a, "tanh")), [true, true, false]);
  assert.deepEqual([0.01, 0.99, 0.5].map((a) => isSaturated(a, "sigmoid")), [true, true, false]);
  assert.deepEqual([0, 1e-9, -0.5].map((a) => isSaturated(a, "relu")), [true, false, false]);
});

test("updateToDataRatios: std(after − before) / std(before), exactly on a known update", () => {
  const weight = new nn.Parameter(tensor([1, 2, 3, 4], { dtype: "float64" }));
  const bias = new nn.Parameter(tensor([0, 0], { dtype: "float64" }));
  const frozen = new nn.Parameter(tensor([5, 6], { dtype: "float64" }));
  const parameters: [string, nn.Parameter][] = [["weight", weight], ["bias", bias], ["frozen", frozen]];
  const before = snapshot(parameters);
  noGrad(() => {
    weight.add_(tensor([0.1, -0.1, 0.1, -0.1], { dtype: "float64" }));
    bias.add_(tensor([0.5, 0], { dtype: "float64" }));
  });
  // The update has std 0.1; the weights [1, 2, 3, 4] have std √1.25.
  const ratios = updateToDataRatios(parameters, before);
  assert.equal(ratios[0]!.name, "weight");
  close(ratios[0]!.ratio, 0.1 / Math.sqrt(1.25), "weight ratio");
  assert.equal(ratios[1]!.ratio, Infinity, "a bias that was all zeros and moved");
  assert.equal(ratios[2]!.ratio, 0, "a parameter that did not move");
  assert.deepEqual([...before[0]!.toTypedArray()], [1, 2, 3, 4], "the snapshot is a copy");
  assert.throws(() => updateToDataRatios(parameters, before.slice(1)), /3 parameters but 2 tensors/);
  assert.throws(() => updateToDataRatios([["weight", weight]], [tensor([1, 2])]), /"weight" has shape \[4\] but its value before the step has \[2\]/);
});

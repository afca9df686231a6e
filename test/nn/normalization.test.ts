// Normalization: BatchNorm1d/2d, LayerNorm, GroupNorm and F.batchNorm,
// F.layerNorm, F.groupNorm, F.instanceNorm, against PyTorch 1.13
// (test/fixtures/torch-nn/norm-pool.json, written by scripts/torch-nn-norm-pool.py):
// training steps with their gradients and running statistics, evaluation,
// state dicts and reprs; plus default initialisation, gradchecks and errors.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { gradcheck, gradgradcheck, ones, randn, tensor, zeros, type Tensor } from "../../src/index.ts";
import { batchNorm, groupNorm, instanceNorm, layerNorm } from "../../src/nn/functional/normalization.ts";
import { BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm } from "../../src/nn/layers/normalization.ts";
import type { Module } from "../../src/nn/module.ts";
import { Parameter } from "../../src/nn/parameter.ts";
import { assertClose, assertTensor } from "../helpers/assert.ts";

// ---- the fixtures -----------------------------------------------------------------

interface Encoded { shape: number[]; values: number[] }
type State = Record<string, Encoded>;
interface Step {
  training: boolean; input: Encoded; output: Encoded; upstream: Encoded; inputGrad: Encoded;
  paramGrads: Record<string, Encoded>; stateAfter: State;
}
interface NormEntry {
  name: string; layer: "BatchNorm1d" | "BatchNorm2d" | "LayerNorm" | "GroupNorm"; args: (number | number[])[];
  options: Record<string, number | boolean | null>; repr: string; stateKeys: string[]; initialState: State; steps: Step[];
}
interface InstanceEntry {
  name: string; input: Encoded; options: { useInputStats: boolean; momentum: number; eps: number };
  weight?: Encoded; bias?: Encoded; runningMean?: Encoded; runningVar?: Encoded;
  output: Encoded; upstream: Encoded; inputGrad: Encoded; weightGrad?: Encoded; biasGrad?: Encoded;
  runningMeanAfter?: Encoded; runningVarAfter?: Encoded;
}

const fixtures = JSON.parse(readFileSync(new URL("../fixtures/torch-nn/norm-pool.json", import.meta.url), "utf8")) as {
  normalization: NormEntry[]; instanceNorm: InstanceEntry[];
};

const decode = (e: Encoded, requiresGrad = false) => tensor(Float64Array.from(e.values), { shape: e.shape, requiresGrad });
const decodeState = (state: State) => new Map(Object.entries(state).map(([name, e]) => [name, decode(e)]));
const ATOL = { atol: 1e-10, rtol: 0 };

type NormLayer = Module & { forward(x: Tensor): Tensor };

function buildLayer(entry: NormEntry): NormLayer {
  const options = Object.fromEntries(Object.entries(entry.options)) as never;
  const [first, second] = entry.args as [never, never];
  switch (entry.layer) {
    case "BatchNorm1d": return new BatchNorm1d(first, options);
    case "BatchNorm2d": return new BatchNorm2d(first, options);
    case "LayerNorm": return new LayerNorm(first, options);
    case "GroupNorm": return new GroupNorm(first, second, options);
  }
}

describe("layers against PyTorch 1.13", () => {
  for (const entry of fixtures.normalization) {
    test(entry.name, () => {
      const layer = buildLayer(entry).double();
      assert.equal(layer.toString(), entry.repr);
      assert.deepEqual([...layer.stateDict().keys()], entry.stateKeys);
      layer.loadStateDict(decodeState(entry.initialState));
      entry.steps.forEach((step, i) => {
        const label = `step ${i} (${step.training ? "training" : "evaluation"})`;
        layer.train(step.training);
        layer.zeroGrad();
        const x = decode(step.input, true);
        const out = layer.forward(x);
        assertClose(out, decode(step.output).tolist(), { ...ATOL, message: `${label} output` });
        out.mul(decode(step.upstream)).sum().backward();
        assertClose(x.grad!, decode(step.inputGrad).tolist(), { ...ATOL, message: `${label} input gradient` });
        const params = new Map(layer.namedParameters());
        assert.deepEqual([...params.keys()], Object.keys(step.paramGrads));
        for (const [name, expected] of Object.entries(step.paramGrads)) {
          assertClose(params.get(name)!.grad!, decode(expected).tolist(), { ...ATOL, message: `${label} gradient of ${name}` });
        }
        const state = layer.stateDict();
        for (const [name, expected] of Object.entries(step.stateAfter)) {
          assertClose(state.get(name)!, decode(expected).tolist(), { ...ATOL, message: `${label} ${name} after the step` });
        }
      });
    });
  }
});

describe("F.instanceNorm against PyTorch 1.13", () => {
  for (const entry of fixtures.instanceNorm) {
    test(entry.name, () => {
      const x = decode(entry.input, true);
      const weight = entry.weight ? decode(entry.weight, true) : null;
      const bias = entry.bias ? decode(entry.bias, true) : null;
      const runningMean = entry.runningMean ? decode(entry.runningMean) : null;
      const runningVar = entry.runningVar ? decode(entry.runningVar) : null;
      const out = instanceNorm(x, runningMean, runningVar, weight, bias, entry.options);
      assertClose(out, decode(entry.output).tolist(), ATOL);
      out.mul(decode(entry.upstream)).sum().backward();
      assertClose(x.grad!, decode(entry.inputGrad).tolist(), ATOL);
      if (weight) assertClose(weight.grad!, decode(entry.weightGrad!).tolist(), ATOL);
      if (bias) assertClose(bias.grad!, decode(entry.biasGrad!).tolist(), ATOL);
      if (runningMean) assertClose(runningMean, decode(entry.runningMeanAfter!).tolist(), ATOL);
      if (runningVar) assertClose(runningVar, decode(entry.runningVarAfter!).tolist(), ATOL);
    });
  }
});

describe("default initialisation and state", () => {
  test("BatchNorm: weight 1, bias 0, running_mean 0, running_var 1, num_batches_tracked an int32 0 (PyTorch: int64)", () => {
    const bn = new BatchNorm2d(4);
    assert.deepEqual([...bn.stateDict().keys()], ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
    assert.deepEqual([...bn.namedParameters()].map(([name]) => name), ["weight", "bias"]);
    assertTensor(bn.weight!, [1, 1, 1, 1], [4]);
    assertTensor(bn.bias!, [0, 0, 0, 0], [4]);
    assertTensor(bn.running_mean!, [0, 0, 0, 0], [4]);
    assertTensor(bn.running_var!, [1, 1, 1, 1], [4]);
    assert.equal(bn.num_batches_tracked!.dtype, "int32");
    assert.deepEqual(bn.num_batches_tracked!.shape, []);
    assert.equal(bn.weight!.dtype, "float32");
    assert.equal(bn.running_mean!.requiresGrad, false);
    assert.equal(bn.parameterCount(), 8);
  });

  test("BatchNorm without affine or running statistics has neither parameters nor buffers", () => {
    const bn = new BatchNorm1d(3, { affine: false, trackRunningStats: false });
    assert.equal(bn.weight, null);
    assert.equal(bn.bias, null);
    assert.equal(bn.stateDict().size, 0);
  });

  test("double() converts parameters and float buffers but keeps num_batches_tracked int32; the counter counts training batches", () => {
    const bn = new BatchNorm1d(2).double();
    assert.equal(bn.weight!.dtype, "float64");
    assert.equal(bn.running_var!.dtype, "float64");
    assert.equal(bn.num_batches_tracked!.dtype, "int32");
    bn.forward(randn([4, 2], { dtype: "float64" }));
    bn.forward(randn([4, 2], { dtype: "float64" }));
    bn.eval().forward(randn([4, 2], { dtype: "float64" }));
    assert.equal(bn.num_batches_tracked!.item(), 2);
    bn.resetParameters();
    assert.equal(bn.num_batches_tracked!.item(), 0);
    assertTensor(bn.running_var!, [1, 1]);
  });

  test("LayerNorm and GroupNorm: weight 1 and bias 0 of PyTorch's shapes", () => {
    const ln = new LayerNorm([2, 3]);
    assertTensor(ln.weight!, [[1, 1, 1], [1, 1, 1]], [2, 3]);
    assertTensor(ln.bias!, [[0, 0, 0], [0, 0, 0]], [2, 3]);
    assert.deepEqual([...ln.stateDict().keys()], ["weight", "bias"]);
    const gn = new GroupNorm(2, 6);
    assertTensor(gn.weight!, [1, 1, 1, 1, 1, 1], [6]);
    assertTensor(gn.bias!, [0, 0, 0, 0, 0, 0], [6]);
    assert.equal(new LayerNorm(4, { elementwiseAffine: false }).parameters().length, 0);
    assert.equal(new GroupNorm(1, 3, { affine: false }).parameters().length, 0);
  });

  test("a freshly made layer normalizes a batch to mean 0 and variance 1 per channel", () => {
    const x = randn([64, 3, 4, 4], { dtype: "float64" }).mul(5).add(2);
    const y = new BatchNorm2d(3).double().forward(x);
    assertClose(y.mean([0, 2, 3]), [0, 0, 0], { atol: 1e-12 });
    assertClose(y.var([0, 2, 3], { correction: 0 }), [1, 1, 1], { atol: 1e-3 });
  });
});

describe("F.batchNorm, hand-worked", () => {
  test("training normalizes with the biased variance and updates the running ones with the unbiased variance", () => {
    const x = tensor([[1], [3]], { dtype: "float64" });
    const runningMean = zeros([1], { dtype: "float64" });
    const runningVar = ones([1], { dtype: "float64" });
    // mean 2, biased variance 1, unbiased 2
    const y = batchNorm(x, runningMean, runningVar, null, null, { training: true, momentum: 0.1, eps: 0 });
    assertClose(y, [[-1], [1]], { atol: 1e-15 });
    assertClose(runningMean, [0.2], { atol: 1e-15 }); // 0.9·0 + 0.1·2
    assertClose(runningVar, [1.1], { atol: 1e-15 }); // 0.9·1 + 0.1·2
  });

  test("evaluation normalizes with the running statistics, then scales and shifts", () => {
    const x = tensor([[1, 10], [3, 20]]);
    const y = batchNorm(x, tensor([1, 10]), tensor([4, 25]), tensor([2, 1]), tensor([0, -1]), { eps: 0 });
    // channel 0: (x − 1)/2·2 + 0;  channel 1: (x − 10)/5 − 1
    assertClose(y, [[0, -1], [2, 1]]);
  });

  test("layerNorm and groupNorm, hand-worked", () => {
    // [1, 2, 3, 4]: mean 2.5, biased variance 1.25
    const s = Math.sqrt(1.25);
    assertClose(layerNorm(tensor([[1, 2, 3, 4]]), 4, null, null, 0), [[-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s]]);
    // 2 groups of 2 channels: [1, 3] and [10, 30] normalize to [−1, 1] each
    assertClose(groupNorm(tensor([[1, 3, 10, 30]]), 2, tensor([1, 2, 3, 4]), tensor([0, 0, 0, 1]), 0), [[-1, 2, -3, 5]]);
  });
});

describe("gradients (gradcheck in float64 of inputs and parameters)", () => {
  /** gradcheck of layer(x) with respect to x and every parameter (gradcheck perturbs the parameters in place). */
  function checkLayer(layer: NormLayer, shape: number[], second = false): void {
    const x = randn(shape, { dtype: "float64" }).requiresGrad_();
    const params = layer.parameters();
    // Parameters away from 1 and 0, so that their gradients are not special cases.
    params.forEach((p: Parameter) => p.detach().copy_(randn(p.shape, { dtype: "float64" })));
    const fn = (input: Tensor) => layer.forward(input);
    assert.ok(gradcheck(fn, [x, ...params]));
    if (second) assert.ok(gradgradcheck(fn, [x, ...params]));
  }

  test("BatchNorm1d in training, [N, C] and [N, C, L], second order too", () => {
    checkLayer(new BatchNorm1d(3).double(), [4, 3], true);
    checkLayer(new BatchNorm1d(2, { momentum: null }).double(), [3, 2, 4]);
  });

  test("BatchNorm2d in training and in evaluation", () => {
    checkLayer(new BatchNorm2d(2).double(), [2, 2, 3, 2]);
    const bn = new BatchNorm2d(2).double();
    bn.forward(randn([3, 2, 2, 2], { dtype: "float64" }).mul(3));
    checkLayer(bn.eval(), [2, 2, 2, 3], true);
  });

  test("LayerNorm and GroupNorm, second order too", () => {
    checkLayer(new LayerNorm([2, 3]).double(), [2, 2, 3], true);
    checkLayer(new GroupNorm(2, 4).double(), [2, 4, 3], true);
  });

  test("F.instanceNorm", () => {
    const x = randn([2, 3, 4], { dtype: "float64" }).requiresGrad_();
    const w = randn([3], { dtype: "float64" }).requiresGrad_();
    const b = randn([3], { dtype: "float64" }).requiresGrad_();
    assert.ok(gradcheck((t, weight, bias) => instanceNorm(t, null, null, weight, bias), [x, w, b]));
  });
});

describe("errors name the layer or function, the shapes and the rule", () => {
  test("BatchNorm input ranks and channels", () => {
    assert.throws(() => new BatchNorm1d(3).forward(randn([2, 3, 4, 5])), /BatchNorm1d: expected a 2-D \[N, C\] or 3-D \[N, C, L\] input, got shape \[2, 3, 4, 5\]/);
    assert.throws(() => new BatchNorm2d(3).forward(randn([2, 3, 4])), /BatchNorm2d: expected a 4-D \[N, C, H, W\] input, got shape \[2, 3, 4\]/);
    assert.throws(() => new BatchNorm1d(3).forward(randn([2, 4])), /BatchNorm1d: the input \[2, 4\] has 4 channels \(dim 1\), expected num_features=3/);
    assert.throws(() => new BatchNorm1d(0), /BatchNorm1d: numFeatures must be a positive integer, got 0/);
  });

  test("one value per channel in training, as PyTorch: fine in evaluation", () => {
    const bn = new BatchNorm1d(3);
    assert.throws(() => bn.forward(randn([1, 3])), /Expected more than 1 value per channel when training, got input size \[1, 3\]/);
    assert.throws(() => new BatchNorm2d(3).forward(randn([1, 3, 1, 1])), /Expected more than 1 value per channel when training/);
    assert.deepEqual(bn.eval().forward(randn([1, 3])).shape, [1, 3]);
  });

  test("F.batchNorm arguments", () => {
    const x = randn([4, 3]);
    assert.throws(() => batchNorm(x, null, null), /batchNorm: in evaluation \(training: false\) the input is normalized with runningMean and runningVar/);
    assert.throws(() => batchNorm(x, zeros([4]), ones([3])), /batchNorm: runningMean must have shape \[3\] \(one value per channel of the input \[4, 3\]\), got \[4\]/);
    assert.throws(() => batchNorm(x, null, null, ones([3, 1]), null, { training: true }), /batchNorm: weight must have shape \[3\]/);
    assert.throws(() => batchNorm(randn([4]), null, null, null, null, { training: true }), /batchNorm: expected an input \[N, C, \*\] with at least 2 dims, got shape \[4\]/);
    assert.throws(() => batchNorm(tensor([[1, 2]], { dtype: "int32" }), null, null, null, null, { training: true }), /batchNorm: the input must be float32 or float64, got int32/);
  });

  test("LayerNorm shapes", () => {
    assert.throws(() => new LayerNorm(4).forward(randn([2, 3])), /layerNorm: normalizedShape \[4\] must be the last dims of the input, \[\*, 4\], got input \[2, 3\]/);
    assert.throws(() => layerNorm(randn([2, 3]), [3], ones([4])), /layerNorm: weight must have the normalized shape \[3\], got \[4\]/);
    assert.throws(() => new LayerNorm([]), /LayerNorm: normalizedShape must be a positive integer or a non-empty list/);
  });

  test("GroupNorm groups and channels", () => {
    assert.throws(() => new GroupNorm(2, 5), /GroupNorm: numChannels = 5 must be divisible by numGroups = 2/);
    assert.throws(() => new GroupNorm(2, 4).forward(randn([2, 6, 3])), /GroupNorm: expected an input \[N, 4, \*\] \(num_channels=4 in dim 1\), got shape \[2, 6, 3\]/);
    assert.throws(() => groupNorm(randn([2, 6, 3]), 4), /groupNorm: the 6 channels of the input \[2, 6, 3\] must split into numGroups = 4 equal groups/);
  });

  test("F.instanceNorm", () => {
    assert.throws(() => instanceNorm(randn([2, 3])), /instanceNorm: expected an input \[N, C, positions...\] with at least 3 dims, got shape \[2, 3\]/);
    assert.throws(() => instanceNorm(randn([2, 3, 1])), /instanceNorm: Expected more than 1 spatial element when training, got input size \[2, 3, 1\]/);
    assert.throws(() => instanceNorm(randn([2, 3, 4]), null, null, null, null, { useInputStats: false }), /useInputStats false normalizes with runningMean and runningVar/);
  });
});

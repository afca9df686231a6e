// Attention: scaledDotProductAttention (PyTorch 2.x semantics) and
// MultiheadAttention / multiHeadAttentionForward (PyTorch 1.13), against
// test/fixtures/torch-nn/recurrent-attention.json (written by
// scripts/torch-nn-recurrent-attention.py), gradcheck in float64, default
// initialisation, parameter names, mask rules and errors.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { Generator, gradcheck, manualSeed, ones, randn, tensor, zeros, type NestedArray, type Tensor } from "../../src/index.ts";
import { causalMask, multiHeadAttentionForward, scaledDotProductAttention } from "../../src/nn/functional/attention.ts";
import { MultiheadAttention, type MultiheadAttentionOptions } from "../../src/nn/layers/attention.ts";
import { assertClose } from "../helpers/assert.ts";

interface MhaEntry {
  name: string;
  options: { embedDim: number; numHeads: number } & MultiheadAttentionOptions;
  forward: { needWeights?: boolean; averageAttnWeights?: boolean };
  selfAttention: boolean;
  masks: { attnMask?: NestedArray; keyPaddingMask?: NestedArray };
  stateDict: Record<string, NestedArray>;
  query: NestedArray;
  key?: NestedArray;
  value?: NestedArray;
  output: NestedArray;
  weights?: NestedArray;
  upstream: Record<string, NestedArray>;
  grads: Record<string, NestedArray>;
}

interface SdpaEntry {
  name: string;
  options: { attnMask?: NestedArray; isCausal?: boolean; scale?: number };
  query: NestedArray;
  key: NestedArray;
  value: NestedArray;
  output: NestedArray;
  upstream: { output: NestedArray };
  grads: { query: NestedArray; key: NestedArray; value: NestedArray };
}

const fixtures = JSON.parse(readFileSync(new URL("../fixtures/torch-nn/recurrent-attention.json", import.meta.url), "utf8")) as {
  mha: MhaEntry[];
  sdpa: SdpaEntry[];
};

const f64 = (values: NestedArray, requiresGrad = false) => tensor(values, { dtype: "float64", requiresGrad });
/** Masks keep their kind: nested booleans give a bool tensor, numbers a float64 one. */
const mask = (values: NestedArray | undefined) => (values === undefined ? null : JSON.stringify(values).match(/true|false/) ? tensor(values) : f64(values));
const TOLERANCE = { atol: 1e-10, rtol: 1e-10 };

describe("scaledDotProductAttention against PyTorch 2.x's definition", () => {
  for (const entry of fixtures.sdpa) {
    test(entry.name, () => {
      const [q, k, v] = [entry.query, entry.key, entry.value].map((values) => f64(values, true)) as [Tensor, Tensor, Tensor];
      const output = scaledDotProductAttention(q, k, v, { ...entry.options, attnMask: mask(entry.options.attnMask) });
      assertClose(output, entry.output, { ...TOLERANCE, message: "output" });
      output.mul(f64(entry.upstream.output)).sum().backward();
      assertClose(q.grad!, entry.grads.query, { ...TOLERANCE, message: "query gradient" });
      assertClose(k.grad!, entry.grads.key, { ...TOLERANCE, message: "key gradient" });
      assertClose(v.grad!, entry.grads.value, { ...TOLERANCE, message: "value gradient" });
    });
  }
});

describe("scaledDotProductAttention by hand", () => {
  test("one query, two keys: the weights are a softmax of the scaled scores", () => {
    // scores = [1, 0]·scale with scale = 1/√1; weights = softmax([1, 0]) = [e, 1] / (e + 1).
    const out = scaledDotProductAttention(tensor([[1]]), tensor([[1], [0]]), tensor([[10], [20]]));
    const w = Math.E / (Math.E + 1);
    assertClose(out, [[10 * w + 20 * (1 - w)]]);
  });

  test("a bool mask is True where attention is allowed; isCausal is the lower triangle", () => {
    manualSeed(1);
    const [q, k, v] = [randn([3, 2]), randn([3, 2]), randn([3, 4])];
    assert.deepEqual(causalMask(2, 3).tolist(), [[true, false, false], [true, true, false]]);
    const causal = scaledDotProductAttention(q, k, v, { isCausal: true });
    assertClose(causal, scaledDotProductAttention(q, k, v, { attnMask: causalMask(3, 3) }).tolist(), { atol: 0, rtol: 0 });
    // The first query sees only the first key, so its output is that key's value.
    assertClose(causal.select(0, 0), v.select(0, 0).tolist());
    // A float mask of 0 / −∞ is the same as the bool mask.
    const additive = tensor([[0, -Infinity, -Infinity], [0, 0, -Infinity], [0, 0, 0]]);
    assertClose(scaledDotProductAttention(q, k, v, { attnMask: additive }), causal.tolist(), { atol: 0, rtol: 0 });
  });

  test("dropout on the weights: p = 1 drops everything, a generator makes it reproducible", () => {
    manualSeed(2);
    const [q, k, v] = [randn([2, 4, 3]), randn([2, 5, 3]), randn([2, 5, 3])];
    assertClose(scaledDotProductAttention(q, k, v, { dropoutP: 1 }), zeros([2, 4, 3]).tolist(), { atol: 0, rtol: 0 });
    const a = scaledDotProductAttention(q, k, v, { dropoutP: 0.5, generator: new Generator(7) });
    const b = scaledDotProductAttention(q, k, v, { dropoutP: 0.5, generator: new Generator(7) });
    assertClose(a, b.tolist(), { atol: 0, rtol: 0 });
    assert.ok(a.sub(scaledDotProductAttention(q, k, v)).abs().max().item() > 1e-3);
  });

  test("gradcheck in float64 with a float mask (whose gradient is checked too) and a custom scale", () => {
    manualSeed(3);
    const [q, k, v] = [[2, 3, 2], [2, 4, 2], [2, 4, 3]].map((shape) => randn(shape, { dtype: "float64", requiresGrad: true })) as [Tensor, Tensor, Tensor];
    const bias = randn([3, 4], { dtype: "float64", requiresGrad: true });
    assert.equal(gradcheck((a, b, c, m) => scaledDotProductAttention(a!, b!, c!, { attnMask: m!, scale: 0.3 }), [q, k, v, bias]), true);
    assert.equal(gradcheck((a, b, c) => scaledDotProductAttention(a!, b!, c!, { isCausal: true }), [q, k, v]), true);
  });

  test("errors", () => {
    const [q, k, v] = [randn([2, 3, 4]), randn([2, 5, 4]), randn([2, 5, 2])];
    assert.throws(() => scaledDotProductAttention(q, k, v, { isCausal: true, attnMask: ones([3, 5]) }),
      /scaledDotProductAttention: give either attnMask or isCausal, not both/);
    assert.throws(() => scaledDotProductAttention(q, randn([2, 5, 3]), v), /query and key must have the same last dim \(features\), got query \[2, 3, 4\], key \[2, 5, 3\]/);
    assert.throws(() => scaledDotProductAttention(q, k, randn([2, 4, 2])), /key and value must have the same length \(dim -2\)/);
    assert.throws(() => scaledDotProductAttention(randn([4]), k, v), /need at least 2 dims \[..., length, features\]/);
    assert.throws(() => scaledDotProductAttention(q, k, v, { attnMask: ones([3, 4]) }),
      /scaledDotProductAttention: attnMask \[3, 4\] does not broadcast to the scores' shape \[2, 3, 5\]/);
    assert.throws(() => scaledDotProductAttention(q, k, v, { attnMask: ones([3, 5], { dtype: "int32" }) }), /attnMask must be a bool mask or a float mask/);
    assert.throws(() => scaledDotProductAttention(q, k, v, { dropoutP: -0.1 }), /dropoutP must be a probability between 0 and 1, got -0.1/);
  });
});

/** A MultiheadAttention in float64 with the fixture's weights. */
function moduleFor(entry: MhaEntry): MultiheadAttention {
  const { embedDim, numHeads, ...rest } = entry.options;
  const mha = new MultiheadAttention(embedDim, numHeads, { ...rest, dtype: "float64" });
  assert.deepEqual([...mha.stateDict().keys()], Object.keys(entry.stateDict), "parameter names and their order");
  mha.loadStateDict(new Map(Object.entries(entry.stateDict).map(([name, values]) => [name, f64(values)])));
  return mha;
}

describe("MultiheadAttention against PyTorch 1.13", () => {
  for (const entry of fixtures.mha) {
    test(entry.name, () => {
      const mha = moduleFor(entry);
      const query = f64(entry.query, true);
      const key = entry.selfAttention ? query : f64(entry.key!, true);
      const value = entry.selfAttention ? query : f64(entry.value!, true);
      const [output, weights] = mha.forward(query, key, value, {
        ...entry.forward, attnMask: mask(entry.masks.attnMask), keyPaddingMask: mask(entry.masks.keyPaddingMask),
      });
      assertClose(output, entry.output, { ...TOLERANCE, message: "output" });
      let loss = output.mul(f64(entry.upstream.output!)).sum();
      if (entry.weights === undefined) {
        assert.equal(weights, null, "needWeights false returns null");
      } else {
        assertClose(weights!, entry.weights, { ...TOLERANCE, message: "attention weights" });
        loss = loss.add(weights!.mul(f64(entry.upstream.weights!)).sum());
      }
      loss.backward();
      assertClose(query.grad!, entry.grads.query!, { ...TOLERANCE, message: "query gradient" });
      if (!entry.selfAttention) {
        assertClose(key.grad!, entry.grads.key!, { ...TOLERANCE, message: "key gradient" });
        assertClose(value.grad!, entry.grads.value!, { ...TOLERANCE, message: "value gradient" });
      }
      for (const [name, p] of mha.namedParameters()) {
        assertClose(p.grad!, entry.grads[name]!, { ...TOLERANCE, message: `gradient of ${name}` });
      }
    });
  }

  test("the fixtures cover every kind of mask and option", () => {
    const names = fixtures.mha.map((e) => e.name).join("; ");
    for (const words of ["bool attnMask", "keyPaddingMask", "float 3-D attnMask", "float 2-D attnMask", "float keyPaddingMask",
      "batchFirst", "kdim and vdim", "needWeights false", "averageAttnWeights false", "unbatched", "no bias", "self-attention"]) {
      assert.ok(names.includes(words), `a case with ${words}`);
    }
  });
});

describe("MultiheadAttention", () => {
  test("gradcheck in float64 of inputs and every parameter, with a bool attnMask and a keyPaddingMask", () => {
    manualSeed(4);
    const mha = new MultiheadAttention(4, 2, { kdim: 3 }).double();
    // Perturb the zero biases so that their gradients are checked away from zero.
    mha.loadStateDict(new Map([...mha.stateDict()].map(([name, t]) => [name, t.add(randn(t.shape, { dtype: "float64" }).mul(0.1))])));
    const query = randn([3, 2, 4], { dtype: "float64", requiresGrad: true });
    const key = randn([4, 2, 3], { dtype: "float64", requiresGrad: true });
    const value = randn([4, 2, 4], { dtype: "float64", requiresGrad: true });
    const attnMask = tensor([[false, true, false, false], [false, false, true, false], [true, false, false, false]]);
    const keyPaddingMask = tensor([[false, false, false, true], [true, false, false, false]]);
    const fn = () => {
      const [output, weights] = mha.forward(query, key, value, { attnMask, keyPaddingMask, averageAttnWeights: false });
      return [output, weights!];
    };
    assert.equal(gradcheck(fn, [query, key, value, ...mha.parameters()], { name: "MultiheadAttention" }), true);
  });

  test("default initialisation: xavier-uniform projections, zero biases, out_proj like a Linear", () => {
    manualSeed(5);
    const E = 96;
    const mha = new MultiheadAttention(E, 4);
    const inProj = Array.from(mha.in_proj_weight!.toTypedArray());
    const xavierBound = Math.sqrt(6 / (E + 3 * E)); // fan_in = E, fan_out = 3E
    assert.ok(inProj.every((w) => Math.abs(w) <= xavierBound));
    const std = Math.sqrt(inProj.reduce((a, w) => a + w * w, 0) / inProj.length);
    assert.ok(Math.abs(std - xavierBound / Math.sqrt(3)) < 0.02 * xavierBound, `in_proj_weight std ${std}`);
    assert.ok(mha.in_proj_bias!.toTypedArray().every((b) => b === 0));
    assert.ok(mha.out_proj.bias!.toTypedArray().every((b) => b === 0));
    const outProj = Array.from(mha.out_proj.weight.toTypedArray());
    assert.ok(outProj.every((w) => Math.abs(w) <= 1 / Math.sqrt(E)));
    assert.ok(outProj.some((w) => Math.abs(w) > 0.9 / Math.sqrt(E)), "spread over ±1/√E");
    const separate = new MultiheadAttention(8, 2, { kdim: 5, vdim: 3 });
    assert.ok(Array.from(separate.k_proj_weight!.toTypedArray()).every((w) => Math.abs(w) <= Math.sqrt(6 / (5 + 8))));
  });

  test("parameter names and shapes are PyTorch's", () => {
    const describeParams = (m: MultiheadAttention) => [...m.namedParameters()].map(([name, p]) => `${name} ${p.shape.join("x")}`);
    assert.deepEqual(describeParams(new MultiheadAttention(6, 3)),
      ["in_proj_weight 18x6", "in_proj_bias 18", "out_proj.weight 6x6", "out_proj.bias 6"]);
    assert.deepEqual(describeParams(new MultiheadAttention(6, 3, { kdim: 2, vdim: 6, bias: false })),
      ["q_proj_weight 6x6", "k_proj_weight 6x2", "v_proj_weight 6x6", "out_proj.weight 6x6"]);
    assert.equal(new MultiheadAttention(4, 2, { kdim: 3 }).in_proj_weight, null);
  });

  test("batchFirst is the sequence-first result transposed; unbatched is batch 1 without its dim", () => {
    manualSeed(6);
    const first = new MultiheadAttention(4, 2, { batchFirst: true });
    const seq = new MultiheadAttention(4, 2);
    seq.loadStateDict(first.stateDict());
    const [q, k] = [randn([2, 3, 4]), randn([2, 5, 4])];
    const [out, weights] = first.forward(q, k, k);
    const [outSeq, weightsSeq] = seq.forward(q.transpose(0, 1), k.transpose(0, 1), k.transpose(0, 1));
    assertClose(out, outSeq.transpose(0, 1).tolist(), { atol: 1e-6 });
    assertClose(weights!, weightsSeq!.tolist(), { atol: 1e-6 });
    const [single, singleWeights] = first.forward(q.select(0, 1), k.select(0, 1), k.select(0, 1), { averageAttnWeights: false });
    assert.deepEqual([single.shape, singleWeights!.shape], [[3, 4], [2, 3, 5]]);
    assertClose(single, out.select(0, 1).tolist(), { atol: 1e-6 });
  });

  test("isCausal without a mask builds the causal mask; with one it is only a hint", () => {
    manualSeed(7);
    const mha = new MultiheadAttention(4, 2);
    const x = randn([5, 2, 4]);
    const blocked = causalMask(5, 5).logicalNot(); // MultiheadAttention's bool masks are True where attention is NOT allowed
    const [causal, weights] = mha.forward(x, x, x, { isCausal: true });
    assertClose(causal, mha.forward(x, x, x, { attnMask: blocked })[0].tolist(), { atol: 0, rtol: 0 });
    assertClose(weights!.select(1, 0).select(1, 1), [0, 0], { atol: 0, message: "query 0 gives key 1 no weight" });
    assertClose(mha.forward(x, x, x, { attnMask: blocked, isCausal: true })[0], causal.tolist(), { atol: 0, rtol: 0 });
  });

  test("dropout on the weights in training only", () => {
    manualSeed(8);
    const mha = new MultiheadAttention(4, 2, { dropout: 0.5 });
    const x = randn([3, 2, 4]);
    const [trained] = mha.forward(x, x, x);
    mha.eval();
    const [evaluated] = mha.forward(x, x, x);
    assertClose(mha.forward(x, x, x)[0], evaluated.tolist(), { atol: 0, rtol: 0 });
    assert.ok(trained.sub(evaluated).abs().max().item() > 1e-4);
  });

  test("multiHeadAttentionForward is the same computation, on the module's weights", () => {
    manualSeed(9);
    const mha = new MultiheadAttention(4, 2);
    const [q, k] = [randn([3, 2, 4]), randn([5, 2, 4])];
    const keyPaddingMask = tensor([[false, true, false, false, false], [false, false, false, false, true]]);
    const [expected, expectedWeights] = mha.forward(q, k, k, { keyPaddingMask });
    const [output, weights] = multiHeadAttentionForward(q, k, k, {
      numHeads: 2, inProjWeight: mha.in_proj_weight, inProjBias: mha.in_proj_bias, outProjWeight: mha.out_proj.weight, outProjBias: mha.out_proj.bias,
    }, { keyPaddingMask });
    assertClose(output, expected.tolist(), { atol: 0, rtol: 0 });
    assertClose(weights!, expectedWeights!.tolist(), { atol: 0, rtol: 0 });
    assertClose(weights!.select(0, 0).select(1, 1), [0, 0, 0], { atol: 0, message: "padded keys get no weight" });
  });

  test("errors", () => {
    assert.throws(() => new MultiheadAttention(5, 2), /MultiheadAttention: embedDim \(5\) must be divisible by numHeads \(2\)/);
    assert.throws(() => new MultiheadAttention(4, 2, { dropout: 2 }), /MultiheadAttention: dropout must be a probability between 0 and 1, got 2/);
    assert.throws(() => new MultiheadAttention(4, 0), /MultiheadAttention: numHeads must be a positive integer, got 0/);
    const mha = new MultiheadAttention(4, 2, { kdim: 3 });
    const [q, k, v] = [randn([3, 2, 4]), randn([5, 2, 3]), randn([5, 2, 4])];
    assert.throws(() => mha.forward(randn([3, 2, 5]), k, v), /MultiheadAttention: query \[3, 2, 5\] has 5 features in its last dim, expected embed_dim=4/);
    assert.throws(() => mha.forward(q, randn([5, 2, 4]), v), /MultiheadAttention: k_proj_weight is \[4, 3\], expected \[4, 4\] \(\[E, kdim\], kdim = the key's 4 features\)/);
    assert.throws(() => mha.forward(q, k, randn([5, 4])), /MultiheadAttention: for a batched \(3-D\) query \[3, 2, 4\], key and value must be 3-D too/);
    assert.throws(() => mha.forward(randn([1, 3, 2, 4]), k, v), /MultiheadAttention: query must be 3-D \(batched\) or 2-D \(unbatched\), got shape \[1, 3, 2, 4\]/);
    assert.throws(() => mha.forward(q, k, randn([4, 2, 4])), /MultiheadAttention: key \[5, 2, 3\] and value \[4, 2, 4\] must have the same length and batch size/);
    assert.throws(() => mha.forward(q, randn([5, 3, 3]), randn([5, 3, 4])), /MultiheadAttention: query \[3, 2, 4\] and key \[5, 3, 3\] have different batch sizes/);
    assert.throws(() => mha.forward(q, k, v, { attnMask: zeros([5, 3]) }), /MultiheadAttention: the 2-D attnMask is \[5, 3\], but should be \[L, S\] = \[3, 5\]/);
    assert.throws(() => mha.forward(q, k, v, { attnMask: zeros([2, 3, 5]) }),
      /MultiheadAttention: the 3-D attnMask is \[2, 3, 5\], but should be \[N·numHeads, L, S\] = \[4, 3, 5\]/);
    assert.throws(() => mha.forward(q, k, v, { attnMask: zeros([1, 4, 3, 5]) }), /attnMask must be 2-D \[L, S\] or 3-D \[N·numHeads, L, S\]/);
    assert.throws(() => mha.forward(q, k, v, { keyPaddingMask: zeros([5, 2], { dtype: "bool" }) }),
      /MultiheadAttention: keyPaddingMask is \[5, 2\], but should be \[N, S\] = \[2, 5\]/);
    assert.throws(() => mha.forward(q, k, v, { keyPaddingMask: zeros([5], { dtype: "bool" }) }), /for a batched \(3-D\) query, keyPaddingMask must be 2-D \[N, S\]/);
    assert.throws(() => mha.forward(q, k, v, { keyPaddingMask: zeros([2, 5], { dtype: "int32" }) }), /keyPaddingMask must be a bool mask or a float mask/);
    const w = { numHeads: 2, outProjWeight: zeros([4, 4]) };
    assert.throws(() => multiHeadAttentionForward(q, q, q, { ...w, outProjWeight: zeros([4, 3]) }), /out_proj_weight must be a square \[E, E\] matrix, got \[4, 3\]/);
    assert.throws(() => multiHeadAttentionForward(q, k, v, w), /multiHeadAttentionForward: give either inProjWeight or all of qProjWeight, kProjWeight and vProjWeight/);
    assert.throws(() => multiHeadAttentionForward(q, q, q, { ...w, numHeads: 3, inProjWeight: zeros([12, 4]) }),
      /multiHeadAttentionForward: the embedding size 4 must be divisible by numHeads, got numHeads=3/);
    assert.throws(() => multiHeadAttentionForward(q, q, q, { ...w, inProjWeight: zeros([12, 4]), inProjBias: zeros([4]) }),
      /multiHeadAttentionForward: in_proj_bias is \[4\], expected \[12\]/);
  });
});

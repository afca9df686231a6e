// Max pooling, the op: values and indices worked by hand, ties, padding, ceil
// mode, NaN, layouts, errors, and gradients to the second order.
// (PyTorch comparisons of every pooling variant are in test/nn/pooling.test.ts.)
// Values marked "PyTorch 1.13" were computed with torch 1.13 using the expression quoted.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Generator, OP_REGISTRY, arange, grad, gradcheck, gradgradcheck, randn, tensor, type Tensor } from "../../src/index.ts";
import { maxPool1d, maxPool2d, poolOutputSize, windowTaps } from "../../src/core/ops/pool.ts";
import { assertClose, assertTensor } from "../helpers/assert.ts";

/** The 1-channel 4×4 image 0, 1, ..., 15 (row-major). */
const image = () => arange(16).float().reshape([1, 1, 4, 4]);

describe("hand-worked values", () => {
  test("2×2 windows of a 4×4 image: the bottom-right of each window, and its flat index h·4 + w", () => {
    const [values, indices] = maxPool2d(image(), { kernelSize: 2, returnIndices: true });
    assertTensor(values, [[[[5, 7], [13, 15]]]], [1, 1, 2, 2]);
    assertTensor(indices, [[[[5, 7], [13, 15]]]], [1, 1, 2, 2]);
    assert.equal(indices.dtype, "int32");
    assert.equal(values.dtype, "float32");
  });

  test("the gradient goes to each window's maximum only", () => {
    const x = image().requiresGrad_();
    maxPool2d(x, { kernelSize: 2 }).mul(tensor([[[[1, 2], [3, 4]]]])).sum().backward();
    assertTensor(x.grad!, [[[[0, 0, 0, 0], [0, 1, 0, 2], [0, 0, 0, 0], [0, 3, 0, 4]]]]);
  });

  test("overlapping windows: an element that is the maximum of several windows gathers all their gradients", () => {
    // stride 1: the four 2×2 windows of a 3×3 image all contain its centre, the peak 9.
    const x = tensor([[[[0, 1, 0], [2, 9, 3], [0, 4, 0]]]]).requiresGrad_();
    const out = maxPool2d(x, { kernelSize: 2, stride: 1 });
    assertTensor(out, [[[[9, 9], [9, 9]]]]);
    out.sum().backward();
    assertTensor(x.grad!, [[[[0, 0, 0], [0, 4, 0], [0, 0, 0]]]]);
  });

  test("ties: the first maximum in the window (row by row) wins, as in PyTorch", () => {
    // PyTorch 1.13: F.max_pool1d(torch.tensor([[3., 3., 1., 3.]]), 2, 1, return_indices=True) → values 3, 3, 3; indices 0, 1, 3
    const [values, indices] = maxPool1d(tensor([[3, 3, 1, 3]]), { kernelSize: 2, stride: 1, returnIndices: true });
    assertTensor(values, [[3, 3, 3]]);
    assertTensor(indices, [[0, 1, 3]]);
    const [, flat] = maxPool2d(tensor([[[7, 7], [7, 7]]]), { kernelSize: 2, returnIndices: true });
    assertTensor(flat, [[[0]]]);
  });

  test("padding counts as −Infinity, not 0: negative inputs stay the maxima", () => {
    const x = tensor([[[[-1, -2], [-3, -4]]]]);
    const [values, indices] = maxPool2d(x, { kernelSize: 2, stride: 1, padding: 1, returnIndices: true });
    assertTensor(values, [[[[-1, -1, -2], [-1, -1, -2], [-3, -3, -4]]]], [1, 1, 3, 3]);
    assertTensor(indices, [[[[0, 0, 1], [0, 0, 1], [2, 2, 3]]]]);
  });

  test("ceil mode adds a last, partial window", () => {
    const x = arange(5).float().reshape([1, 1, 5]);
    assertTensor(maxPool1d(x, { kernelSize: 2 }), [[[1, 3]]]);
    const [values, indices] = maxPool1d(x, { kernelSize: 2, ceilMode: true, returnIndices: true });
    assertTensor(values, [[[1, 3, 4]]]);
    assertTensor(indices, [[[1, 3, 4]]]);
  });

  test("ceil mode drops a window that would start in the right padding, as PyTorch does", () => {
    // Size 3, kernel 2, stride 2, padding 1: windows start at −1 and 1; a third would start at 3, in the padding.
    assert.equal(poolOutputSize(3, 2, 2, 1, 1, true), 2);
    assert.equal(poolOutputSize(3, 2, 2, 1, 1, false), 2);
    assert.equal(poolOutputSize(5, 2, 2, 0, 1, true), 3);
    assert.equal(poolOutputSize(5, 2, 2, 0, 1, false), 2);
    // floor((7 + 2 − 2·(3 − 1) − 1) / 2) + 1 = 3
    assert.equal(poolOutputSize(7, 3, 2, 1, 2, false), 3);
    assert.deepEqual(windowTaps(7, 3, 3, 2, 1, 2), [[1, 3], [1, 3, 5], [3, 5]]);
  });

  test("dilation spreads the taps", () => {
    // kernel 2, dilation 3: window o reads x[o] and x[o + 3]
    const x = tensor([[[5, 1, 2, 0, 9, 3]]]);
    const [values, indices] = maxPool1d(x, { kernelSize: 2, stride: 1, dilation: 3, returnIndices: true });
    assertTensor(values, [[[5, 9, 3]]]);
    assertTensor(indices, [[[0, 4, 5]]]);
  });

  test("NaN is larger than everything (the last NaN of a window wins), like PyTorch", () => {
    // PyTorch 1.13: F.max_pool2d(torch.tensor([[[[nan, 1., nan, 2.]]]]), (1, 4), return_indices=True) → nan, index 2
    const [values, indices] = maxPool2d(tensor([[[[NaN, 1, NaN, 2]]]]), { kernelSize: [1, 4], returnIndices: true });
    assert.ok(Number.isNaN(values.item()));
    assert.equal(indices.item(), 2);
  });

  test("a window of −Infinity gives −Infinity at its first element", () => {
    const [values, indices] = maxPool1d(tensor([[1, -Infinity, -Infinity]]), { kernelSize: 2, stride: 1, returnIndices: true });
    assertTensor(values, [[1, -Infinity]]);
    assertTensor(indices, [[0, 1]]);
  });
});

describe("shapes and layouts", () => {
  test("unbatched [C, H, W] and [C, L] inputs give unbatched outputs equal to the batched ones", () => {
    const x = randn([3, 5, 6]);
    const unbatched = maxPool2d(x, { kernelSize: [2, 3], stride: [1, 2], padding: [1, 1] });
    assert.deepEqual(unbatched.shape, [3, 6, 3]);
    assertClose(unbatched, maxPool2d(x.unsqueeze(0), { kernelSize: [2, 3], stride: [1, 2], padding: [1, 1] }).squeeze(0).tolist(), { atol: 0 });
    const [line, where] = maxPool1d(x.select(1, 0), { kernelSize: 3, stride: 2, returnIndices: true });
    assert.deepEqual(line.shape, [3, 2]);
    assert.deepEqual(where.shape, [3, 2]);
  });

  test("non-contiguous inputs pool like their contiguous copies", () => {
    const x = randn([2, 6, 5, 3]).permute([0, 3, 2, 1]); // [2, 3, 5, 6], permuted strides
    assert.equal(x.isContiguous(), false);
    const options = { kernelSize: 3, stride: 2, padding: 1 };
    assertClose(maxPool2d(x, options), maxPool2d(x.contiguous(), options).tolist(), { atol: 0 });
  });

  test("the output size follows floor((H + 2p − d(k − 1) − 1)/s) + 1 per dim", () => {
    const out = maxPool2d(randn([1, 2, 11, 9]), { kernelSize: [3, 2], stride: [2, 3], padding: [1, 0], dilation: [2, 1] });
    // H: floor((11 + 2 − 4 − 1)/2) + 1 = 5;  W: floor((9 − 1 − 1)/3) + 1 = 3
    assert.deepEqual(out.shape, [1, 2, 5, 3]);
  });

  test("an empty batch gives an empty output", () => {
    assert.deepEqual(maxPool2d(randn([0, 2, 4, 4]), { kernelSize: 2 }).shape, [0, 2, 2, 2]);
  });
});

describe("errors name the function, the shapes and the rule", () => {
  const x = randn([1, 1, 4, 4]);
  test("input rank and dtype", () => {
    assert.throws(() => maxPool2d(randn([4, 4]), { kernelSize: 2 }), /maxPool2d: expected a 3-D \(unbatched \[C, H, W\]\) or 4-D .* got shape \[4, 4\]/);
    assert.throws(() => maxPool1d(randn([1, 1, 4, 4]), { kernelSize: 2 }), /maxPool1d: expected a 2-D .*\[N, C, L\].* got shape \[1, 1, 4, 4\]/);
    assert.throws(() => maxPool2d(arange(16).reshape([1, 1, 4, 4]), { kernelSize: 2 }), /maxPool2d: the input must be float32 or float64, got int32/);
    assert.throws(() => maxPool2d(randn([1, 0, 4, 4]), { kernelSize: 2 }), /empty channel or spatial dim/);
  });

  test("options", () => {
    assert.throws(() => maxPool2d(x, { kernelSize: 0 }), /maxPool2d: kernelSize must be positive, got \[0, 0\]/);
    assert.throws(() => maxPool2d(x, { kernelSize: 2, stride: -1 }), /stride must be positive/);
    assert.throws(() => maxPool2d(x, { kernelSize: 2, dilation: [1, 0] }), /dilation must be positive/);
    assert.throws(() => maxPool2d(x, { kernelSize: [2, 2, 2] }), /kernelSize must be an integer or a list of 2 integers/);
    assert.throws(() => maxPool2d(x, { kernelSize: 2.5 }), /kernelSize must be an integer/);
    assert.throws(() => maxPool2d(x, {} as never), /maxPool2d: kernelSize is required/);
  });

  test("padding at most half the kernel", () => {
    // PyTorch 1.13: "pad should be at most half of kernel size, but got pad=2 and kernel_size=2"
    assert.throws(() => maxPool2d(x, { kernelSize: 2, padding: 2 }), /maxPool2d: padding \[2, 2\] must be between 0 and half the kernel size \[2, 2\]/);
    assert.throws(() => maxPool2d(x, { kernelSize: 2, padding: -1 }), /must be between 0 and half/);
  });

  test("an input too small for the window", () => {
    assert.throws(() => maxPool2d(randn([1, 1, 2, 2]), { kernelSize: 3 }),
      /maxPool2d: the input \[1, 1, 2, 2\] is too small for a window of size 3×3 and padding \[0, 0\]: the output would be 0×0/);
  });

  test("a window that covers only padding (PyTorch returns −inf there, with an index outside the input)", () => {
    // PyTorch 1.13: F.max_pool2d(torch.ones(1, 1, 1, 1), 2, stride=1, padding=1, dilation=2) → -inf, index 2
    assert.throws(() => maxPool2d(randn([1, 1, 1, 1]), { kernelSize: 2, stride: 1, padding: 1, dilation: 2 }),
      /maxPool2d: window 0 along spatial dim 0 covers only padding/);
  });
});

describe("gradients", () => {
  test("the op is registered: maxPool2d with a backward and gradcheck cases, maxPool2dIndices without", () => {
    assert.ok(OP_REGISTRY.get("maxPool2d")?.backward);
    assert.ok((OP_REGISTRY.get("maxPool2d")?.gradcheck?.length ?? 0) > 0);
    assert.ok(OP_REGISTRY.get("maxPool2dIndices"));
    assert.equal(OP_REGISTRY.get("maxPool2dIndices")!.backward, undefined);
  });

  // The registry walk of test/core/registry.test.ts, for this op's cases, in case
  // this op is not yet among those the public index exports.
  const op = OP_REGISTRY.get("maxPool2d")!;
  op.gradcheck!.forEach((c, i) => {
    for (const layout of ["contiguous", "permuted", "expanded"] as const) {
      test(`registered case ${i} ${JSON.stringify(c.inputs)} ${layout}`, () => {
        const g = new Generator(1000 + i);
        const shape = c.inputs[0]!;
        const stored = layout === "permuted" ? [...shape].reverse() : layout === "expanded" ? [1, ...shape.slice(1)] : shape;
        const count = stored.reduce((n, s) => n * s, 1);
        const leaf = tensor(Float64Array.from({ length: count }, () => g.normal()), { shape: stored, requiresGrad: true });
        const prepare = (t: Tensor) => (layout === "permuted" ? t.permute([3, 2, 1, 0]) : layout === "expanded" ? t.expand(shape) : t);
        const fn = (t: Tensor) => op.apply([prepare(t)], c.args);
        assert.equal(gradcheck(fn, [leaf], { name: "maxPool2d" }), true);
        if (c.secondOrder && layout === "contiguous") assert.equal(gradgradcheck(fn, [leaf], { name: "maxPool2d" }), true);
      });
    }
  });

  test("gradcheck through the public functions: padding, dilation, ceil mode, unbatched, 1-D", () => {
    const x = randn([2, 2, 5, 6], { dtype: "float64" }).requiresGrad_();
    assert.ok(gradcheck((t) => maxPool2d(t, { kernelSize: [3, 2], stride: [2, 1], padding: [1, 1], dilation: [1, 2], ceilMode: true }), [x]));
    const y = randn([3, 7], { dtype: "float64" }).requiresGrad_();
    assert.ok(gradcheck((t) => maxPool1d(t, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true }), [y]));
  });

  test("second order: gradgradcheck of maxPool2d(x)² (the backward's scatter is differentiated by a gather)", () => {
    const x = randn([1, 2, 4, 5], { dtype: "float64" }).requiresGrad_();
    const geometry = { kernelSize: 2, stride: 1, padding: 1 };
    assert.ok(gradgradcheck((t) => maxPool2d(t, geometry).square(), [x]));
    assert.ok(gradgradcheck((t) => maxPool2d(t, geometry), [x]));
  });

  test("the gradient of the gradient with respect to the upstream gradient picks the maxima", () => {
    const x = image().double().requiresGrad_();
    const v = tensor([[[[1, 2], [3, 4]]]], { dtype: "float64", requiresGrad: true });
    const [gx] = grad([maxPool2d(x, { kernelSize: 2 })], [x], [v], { createGraph: true });
    // gx scatters v to the maxima; the sum of gx·w then has gradient w at the maxima with respect to v.
    const w = arange(16).double().reshape([1, 1, 4, 4]);
    const [gv] = grad([gx!.mul(w).sum()], [v]);
    assertTensor(gv!, [[[[5, 7], [13, 15]]]]);
  });
});


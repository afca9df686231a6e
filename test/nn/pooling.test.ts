// Pooling and upsampling: F.maxPool2d/1d, F.avgPool2d/1d, F.adaptiveAvgPool2d/1d,
// F.interpolate and their layers, against PyTorch 1.13
// (test/fixtures/torch-nn/norm-pool.json, written by scripts/torch-nn-norm-pool.py),
// plus hand-worked values, gradchecks (second order too) and errors.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { F, arange, gradcheck, gradgradcheck, ones, randn, tensor, type NestedArray, type Tensor } from "../../src/index.ts";
import { Sequential } from "../../src/nn/containers.ts";
import {
  adaptiveAvgPool1d, adaptiveAvgPool2d, avgPool1d, avgPool2d, interpolate, maxPool1d, maxPool2d, nearestSourceIndices, upsample,
  type AvgPool2dOptions, type InterpolateOptions, type MaxPoolOptions,
} from "../../src/nn/functional/pooling.ts";
import {
  AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d, Upsample, type AdaptiveSize,
} from "../../src/nn/layers/pooling.ts";
import { pythonFloat, pythonValue } from "../../src/nn/layers/repr.ts";
import type { Module } from "../../src/nn/module.ts";
import { assertClose, assertTensor } from "../helpers/assert.ts";

// ---- the fixtures -----------------------------------------------------------------

interface Encoded { shape: number[]; values: number[] }
/** The options of every function, as the fixture spells them (each entry uses those of its function). */
type Args = MaxPoolOptions & AvgPool2dOptions & InterpolateOptions & { outputSize: AdaptiveSize };
interface PoolEntry {
  name: string; fn: string; args: Args; repr: string;
  input: Encoded; output: Encoded; upstream: Encoded; grad: Encoded; indices?: Encoded;
}
interface NearestEntry { dtype: "float32" | "float64"; inputSize: number; size?: number; scaleFactor?: number; indices: number[] }

const fixtures = JSON.parse(readFileSync(new URL("../fixtures/torch-nn/norm-pool.json", import.meta.url), "utf8")) as {
  pooling: PoolEntry[]; nearestIndices: NearestEntry[];
};

const decode = (e: Encoded, requiresGrad = false) => tensor(Float64Array.from(e.values), { shape: e.shape, requiresGrad });

/** The fixture's arguments as a call of the gradschool function and as a layer. */
function build(entry: PoolEntry): { call: (x: Tensor) => Tensor | [Tensor, Tensor]; layer: Module & { forward(x: Tensor): unknown } } {
  const a = entry.args;
  const { kernelSize, outputSize, ...rest } = a;
  switch (entry.fn) {
    case "maxPool2d": return { call: (x) => maxPool2d(x, { ...a, returnIndices: true }), layer: new MaxPool2d(kernelSize, rest) };
    case "maxPool1d": return { call: (x) => maxPool1d(x, { ...a, returnIndices: true }), layer: new MaxPool1d(kernelSize, rest) };
    case "avgPool2d": return { call: (x) => avgPool2d(x, a), layer: new AvgPool2d(kernelSize, rest) };
    case "avgPool1d": return { call: (x) => avgPool1d(x, a), layer: new AvgPool1d(kernelSize, rest) };
    case "adaptiveAvgPool2d": return { call: (x) => adaptiveAvgPool2d(x, outputSize), layer: new AdaptiveAvgPool2d(outputSize) };
    case "adaptiveAvgPool1d": return { call: (x) => adaptiveAvgPool1d(x, outputSize), layer: new AdaptiveAvgPool1d(outputSize) };
    case "interpolate": return { call: (x) => interpolate(x, a), layer: new Upsample(a) };
    default: throw new Error(`unknown function ${entry.fn}`);
  }
}

describe("against PyTorch 1.13", () => {
  for (const entry of fixtures.pooling) {
    test(entry.name, () => {
      const { call, layer } = build(entry);
      const x = decode(entry.input, true);
      const result = call(x);
      const [output, indices] = Array.isArray(result) ? result : [result, null];
      assertClose(output, decode(entry.output).tolist(), { atol: 1e-12, rtol: 0, message: "output" });
      if (entry.indices) assertTensor(indices!, nest(entry.indices), entry.indices.shape);
      output.mul(decode(entry.upstream)).sum().backward();
      assertClose(x.grad!, decode(entry.grad).tolist(), { atol: 1e-12, rtol: 0, message: "input gradient" });
      // The layer: same output, PyTorch's repr, no parameters.
      const layerResult = layer.forward(x) as Tensor | [Tensor, Tensor];
      assertClose(Array.isArray(layerResult) ? layerResult[0] : layerResult, output.tolist(), { atol: 0, rtol: 0 });
      assert.equal(layer.toString(), entry.repr);
      assert.equal(layer.parameters().length, 0);
      assert.equal(layer.stateDict().size, 0);
    });
  }
});

/** Nested lists of an encoded tensor's values. */
function nest(e: Encoded): NestedArray {
  return tensor(Int32Array.from(e.values), { shape: e.shape }).tolist();
}

describe("interpolate: which input element each output copies", () => {
  for (const c of fixtures.nearestIndices) {
    const how = c.size !== undefined ? `size ${c.size}` : `scaleFactor ${c.scaleFactor}`;
    test(`${c.inputSize} → ${how} (${c.dtype}) as PyTorch 1.13`, () => {
      const x = arange(c.inputSize).to(c.dtype).reshape([1, 1, c.inputSize]);
      const out = c.size !== undefined ? interpolate(x, { size: c.size }) : interpolate(x, { scaleFactor: c.scaleFactor! });
      assert.deepEqual((out.tolist() as number[][][])[0]![0], c.indices);
    });
  }

  test("float32 rounding decides: from 14 to 46 elements output 23 reads 6 in float32, 7 in float64", () => {
    assert.equal(nearestSourceIndices(14, 46, 14 / 46, "float32")[23], 6);
    assert.equal(nearestSourceIndices(14, 46, 14 / 46, "float64")[23], 7);
    assert.equal(nearestSourceIndices(26, 46, 26 / 46, "float64")[23], 13);
  });
});

describe("hand-worked values", () => {
  test("avgPool2d of 2×2 windows is the mean of each block", () => {
    const x = arange(16).float().reshape([1, 1, 4, 4]);
    // block means: (0 + 1 + 4 + 5)/4 = 2.5, ...
    assertTensor(avgPool2d(x, { kernelSize: 2 }), [[[[2.5, 4.5], [10.5, 12.5]]]]);
  });

  test("avgPool2d with padding: countIncludePad divides by the whole window, or only by the real elements", () => {
    const x = ones([1, 1, 2, 2]);
    // Each 2×2 window at stride 2 with padding 1 holds one real 1 and three zeros.
    assertTensor(avgPool2d(x, { kernelSize: 2, padding: 1 }), [[[[0.25, 0.25], [0.25, 0.25]]]]);
    assertTensor(avgPool2d(x, { kernelSize: 2, padding: 1, countIncludePad: false }), [[[[1, 1], [1, 1]]]]);
    assertTensor(avgPool2d(x, { kernelSize: 2, padding: 1, divisorOverride: 2 }), [[[[0.5, 0.5], [0.5, 0.5]]]]);
  });

  test("avgPool1d in ceil mode: the partial last window divides by the elements it holds", () => {
    // windows [0, 1], [2, 3], [4]: means 0.5, 2.5, 4
    assertTensor(avgPool1d(arange(5).float().reshape([1, 5]), { kernelSize: 2, ceilMode: true }), [[0.5, 2.5, 4]]);
  });

  test("adaptiveAvgPool1d with sizes that do not divide: bins [floor(i·L/n), ceil((i+1)·L/n)) overlap", () => {
    // L = 5 → 3 bins: [0, 2), [1, 4), [3, 5)
    assertClose(adaptiveAvgPool1d(tensor([[0, 1, 2, 3, 4]]), 3), [[0.5, 2, 3.5]]);
  });

  test("adaptiveAvgPool2d(1) is the global average of each channel", () => {
    const x = randn([2, 3, 4, 5], { dtype: "float64" });
    assertClose(adaptiveAvgPool2d(x, 1), x.mean([2, 3], true).tolist(), { atol: 1e-14 });
    assertClose(adaptiveAvgPool2d(x, [4, 5]), x.tolist(), { atol: 1e-14 });
  });

  test("nearest upsampling by 2 repeats each element twice along each spatial dim", () => {
    const up = interpolate(tensor([[[[1, 2], [3, 4]]]]), { scaleFactor: 2 });
    assertTensor(up, [[[[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]]]);
    assertTensor(upsample(tensor([[[1, 2, 3]]]), { size: 2 }), [[[1, 2]]]);
  });

  test("nearest upsampling of a 3-D batch [N, C, D, H, W]", () => {
    const x = arange(8).float().reshape([1, 1, 2, 2, 2]);
    const up = interpolate(x, { scaleFactor: [1, 2, 1] });
    assert.deepEqual(up.shape, [1, 1, 2, 4, 2]);
    assertTensor(up.select(2, 1).select(0, 0).select(0, 0), [[4, 5], [4, 5], [6, 7], [6, 7]]);
  });

  test("interpolate keeps int32 inputs int32 (nearest only copies)", () => {
    const up = interpolate(tensor([[[1, 2]]], { dtype: "int32" }), { scaleFactor: 2 });
    assert.equal(up.dtype, "int32");
    assertTensor(up, [[[1, 1, 2, 2]]]);
  });
});

describe("gradients", () => {
  const x4 = () => randn([2, 2, 5, 6], { dtype: "float64" }).requiresGrad_();
  test("gradcheck: avgPool2d with padding, ceil mode, countIncludePad false, divisorOverride", () => {
    assert.ok(gradcheck((t) => avgPool2d(t, { kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), [x4()]));
    assert.ok(gradcheck((t) => avgPool2d(t, { kernelSize: [2, 3], stride: 1, divisorOverride: 4 }), [x4()]));
    assert.ok(gradcheck((t) => avgPool1d(t, { kernelSize: 3, padding: 1 }), [randn([2, 7], { dtype: "float64" }).requiresGrad_()]));
  });

  test("gradcheck: adaptive pools and interpolate", () => {
    assert.ok(gradcheck((t) => adaptiveAvgPool2d(t, [3, 4]), [x4()]));
    assert.ok(gradcheck((t) => adaptiveAvgPool1d(t, 4), [randn([2, 7], { dtype: "float64" }).requiresGrad_()]));
    assert.ok(gradcheck((t) => interpolate(t, { size: [7, 4] }), [x4()]));
  });

  test("second order: gradgradcheck of avgPool2d, and of maxPool2d and avgPool2d under a square", () => {
    const options = { kernelSize: 3, stride: 2, padding: 1, ceilMode: true };
    assert.ok(gradgradcheck((t) => avgPool2d(t, options), [x4()]));
    assert.ok(gradgradcheck((t) => avgPool2d(t, options).square(), [x4()]));
    assert.ok(gradgradcheck((t) => maxPool2d(t, options).square(), [x4()]));
    assert.ok(gradgradcheck((t) => adaptiveAvgPool2d(t, 3).square(), [x4()]));
  });

  test("the layers pass gradients in a Sequential", () => {
    const model = new Sequential(new MaxPool2d(2), new AvgPool2d(2, { stride: 1 }), new Upsample({ scaleFactor: 2 }), new AdaptiveAvgPool2d([2, 3]));
    const x = randn([1, 2, 8, 8], { dtype: "float64" }).requiresGrad_();
    assert.deepEqual(model.forward(x).shape, [1, 2, 2, 3]);
    assert.ok(gradcheck((t) => model.forward(t), [x]));
  });
});

describe("layers", () => {
  test("MaxPool2d with returnIndices returns [output, indices], typed as a pair", () => {
    const pool = new MaxPool2d(2, { returnIndices: true });
    const [values, indices] = pool.forward(arange(16).float().reshape([1, 1, 4, 4]));
    assertTensor(values, [[[[5, 7], [13, 15]]]]);
    assertTensor(indices, [[[[5, 7], [13, 15]]]]);
  });

  test("reprs print options as PyTorch does", () => {
    assert.equal(new MaxPool1d([3], { stride: 2 }).toString(), "MaxPool1d(kernel_size=(3,), stride=2, padding=0, dilation=1, ceil_mode=False)");
    assert.equal(new AvgPool2d([2, 3], { divisorOverride: 2 }).toString(), "AvgPool2d(kernel_size=(2, 3), stride=(2, 3), padding=0)");
    assert.equal(new Upsample({ size: [3, 4] }).toString(), "Upsample(size=(3, 4), mode=nearest)");
    assert.equal(new Upsample({ scaleFactor: [2, 0.5] }).toString(), "Upsample(scale_factor=(2.0, 0.5), mode=nearest)");
  });

  test("Python number formatting", () => {
    assert.equal(pythonFloat(1e-5), "1e-05");
    assert.equal(pythonFloat(0.001), "0.001");
    assert.equal(pythonFloat(0.0001), "0.0001");
    assert.equal(pythonFloat(2), "2.0");
    assert.equal(pythonFloat(1.5e-7), "1.5e-07");
    assert.equal(pythonFloat(1e16), "1e+16");
    assert.equal(pythonFloat(123456.5), "123456.5");
    assert.equal(pythonValue([null, 3]), "(None, 3)");
    assert.equal(pythonValue(false), "False");
  });
});

describe("errors name the function, the shapes and the rule", () => {
  test("average pooling", () => {
    assert.throws(() => avgPool2d(randn([4, 4]), { kernelSize: 2 }), /avgPool2d: expected a 3-D \(unbatched \[C, H, W\]\) or 4-D/);
    assert.throws(() => avgPool2d(randn([1, 1, 4, 4]), { kernelSize: 2, padding: 2 }), /avgPool2d: padding \[2, 2\] must be between 0 and half/);
    assert.throws(() => avgPool2d(randn([1, 1, 4, 4]), { kernelSize: 2, divisorOverride: 0 }), /avgPool2d: divisorOverride must be a non-zero number/);
    assert.throws(() => avgPool1d(randn([1, 2]), { kernelSize: 3 }), /avgPool1d: the input \[1, 2\] is too small for a window of size 3 and padding \[0\]: the output would be 0/);
    assert.throws(() => avgPool2d(arange(16).reshape([1, 4, 4]), { kernelSize: 2 }), /avgPool2d: the input must be float32 or float64, got int32/);
  });

  test("adaptive pooling", () => {
    assert.throws(() => adaptiveAvgPool2d(randn([4, 4]), 2), /adaptiveAvgPool2d: expected a 3-D or 4-D input \[C, H, W\] or \[N, C, H, W\], got shape \[4, 4\]/);
    assert.throws(() => adaptiveAvgPool2d(randn([1, 4, 4]), [2, 0]), /adaptiveAvgPool2d: outputSize must be a positive integer or a list of 2/);
    assert.throws(() => adaptiveAvgPool2d(randn([1, 4, 4]), [2, 2, 2]), /outputSize must be/);
    assert.throws(() => adaptiveAvgPool1d(randn([2, 0]), 2), /adaptiveAvgPool1d: the input \[2, 0\] has an empty spatial dim/);
  });

  test("interpolate", () => {
    const x = randn([1, 2, 3, 4]);
    assert.throws(() => interpolate(x, {}), /interpolate: give exactly one of size and scaleFactor, got neither/);
    assert.throws(() => interpolate(x, { size: 2, scaleFactor: 2 }), /got both/);
    assert.throws(() => interpolate(x, { size: [5] }), /interpolate: size \[5\] must give one value per spatial dim of the input \[1, 2, 3, 4\], which has 2/);
    assert.throws(() => interpolate(x, { scaleFactor: 0.2 }), /interpolate: scaleFactor 0.2 turns spatial size 3 into floor\(3·0.2\) = 0/);
    assert.throws(() => interpolate(x, { scaleFactor: -1 }), /scaleFactor must be positive/);
    assert.throws(() => interpolate(x, { size: 2, mode: "bilinear" as "nearest" }), /interpolate: mode "bilinear" is not implemented; only "nearest"/);
    assert.throws(() => interpolate(randn([3, 4]), { size: 2 }), /interpolate: expected a batch with 1 to 3 spatial dims.* got shape \[3, 4\]/);
  });
});

test("the kernel size can be given second, as PyTorch's positional kernel_size, or by name", () => {
  const x = randn([2, 3, 7, 6]);
  const line = randn([2, 3, 9]);
  assert.deepEqual(F.maxPool2d(x, 3, { stride: 2, padding: 1 }).tolist(), F.maxPool2d(x, { kernelSize: 3, stride: 2, padding: 1 }).tolist());
  assert.deepEqual(F.maxPool2d(x, [2, 3]).tolist(), F.maxPool2d(x, { kernelSize: [2, 3] }).tolist());
  const [values, indices] = F.maxPool2d(x, 2, { returnIndices: true });
  assert.deepEqual(indices.tolist(), F.maxPool2d(x, { kernelSize: 2, returnIndices: true })[1].tolist());
  assert.deepEqual(values.shape, [2, 3, 3, 3]);
  assert.deepEqual(F.maxPool1d(line, 3).tolist(), F.maxPool1d(line, { kernelSize: 3 }).tolist());
  assert.deepEqual(F.avgPool2d(x, 2, { ceilMode: true }).tolist(), F.avgPool2d(x, { kernelSize: 2, ceilMode: true }).tolist());
  assert.deepEqual(F.avgPool1d(line, 4, { stride: 1 }).tolist(), F.avgPool1d(line, { kernelSize: 4, stride: 1 }).tolist());
});

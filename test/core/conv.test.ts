// Convolutions: conv2d and conv1d against hand-worked values and PyTorch 1.13
// (test/fixtures/torch/conv.json, written by scripts/torch-conv-fixtures.py),
// output shapes, errors, second derivatives, the reference kernels' adjoint
// identities, and the route through the swappable backend.
// Values marked "PyTorch 1.13" were computed with torch 1.13 using the expression quoted.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import {
  Generator, arange, conv1d, conv2d, grad, ones, tensor, zeros, type Conv2dOptions, type DType, type Tensor,
} from "../../src/index.ts";
import { referenceBackend, setBackend } from "../../src/core/backend.ts";
import {
  conv2dBackwardInputReference, conv2dBackwardWeightReference, conv2dForwardReference, conv2dSizes, convOutputSize, type Conv2dProblem,
} from "../../src/core/conv-kernel.ts";
import { assertClose, assertTensor } from "../helpers/assert.ts";
import { forAll } from "../helpers/property.ts";

/** The 1-channel 4×4 image 0, 1, ..., 15 (row-major) and the 2×2 kernel [[1, 2], [3, 4]]. */
const image = () => arange(16).float().reshape([1, 1, 4, 4]);
const kernel = () => tensor([[[[1, 2], [3, 4]]]]);

describe("hand-worked values", () => {
  test("a 2×2 kernel over a 4×4 image", () => {
    // out[i][j] = x[i][j] + 2·x[i][j+1] + 3·x[i+1][j] + 4·x[i+1][j+1] with x[i][j] = 4i + j, i.e. 40i + 10j + 34
    assertTensor(conv2d(image(), kernel()), [[[[34, 44, 54], [74, 84, 94], [114, 124, 134]]]], [1, 1, 3, 3]);
  });

  test("gradients of the sum: each input gathers the kernel taps that landed on it", () => {
    const x = image().requiresGrad_();
    const w = kernel().requiresGrad_();
    conv2d(x, w).sum().backward();
    // A corner is touched by one tap, an edge by two, the middle by all four (1 + 2 + 3 + 4).
    assertTensor(x.grad!, [[[[1, 3, 3, 2], [4, 10, 10, 6], [4, 10, 10, 6], [3, 7, 7, 4]]]]);
    // w[a][b] multiplies the 3×3 block of x starting at (a, b): its sum is 45 + 36a + 9b.
    assertTensor(w.grad!, [[[[45, 54], [81, 90]]]]);
  });

  test("stride 2 and padding 1: taps on the padding read zeros", () => {
    // oh·2 − 1 + kh: output (0, 0) only sees x[0][0]·w[1][1]; output (1, 1) sees x[1..2][1..2].
    // PyTorch 1.13: F.conv2d(torch.arange(16.).reshape(1, 1, 4, 4), torch.tensor([[[[1., 2], [3, 4]]]]), stride=2, padding=1)
    const x = image().requiresGrad_();
    const w = kernel().requiresGrad_();
    const out = conv2d(x, w, null, { stride: 2, padding: 1 });
    assertTensor(out, [[[[0, 11, 9], [40, 84, 40], [24, 41, 15]]]], [1, 1, 3, 3]);
    out.sum().backward();
    // The 3×3 outputs at stride 2 tile the padded 6×6 input exactly once: every input meets exactly one tap.
    assertTensor(x.grad!, [[[[4, 3, 4, 3], [2, 1, 2, 1], [4, 3, 4, 3], [2, 1, 2, 1]]]]);
    assertTensor(w.grad!, [[[[40, 36], [24, 20]]]]);
  });

  test("the bias is added to every position of its output channel", () => {
    const x = image().expand([2, 2, 4, 4]);
    const w = kernel().expand([3, 2, 2, 2]).mul(tensor([1, 0, -1]).reshape([3, 1, 1, 1]));
    const out = conv2d(x, w, tensor([0.5, -1, 2]));
    assert.deepEqual(out.shape, [2, 3, 3, 3]);
    // Each filter sees both (equal) channels: twice the single-channel result, times 1, 0 and -1.
    assertTensor(out.select(0, 0).select(0, 0), [[68.5, 88.5, 108.5], [148.5, 168.5, 188.5], [228.5, 248.5, 268.5]]);
    assertTensor(out.select(0, 1).select(0, 2), [[-66, -86, -106], [-146, -166, -186], [-226, -246, -266]]);
    assertTensor(out.select(1, 1), [[[-1, -1, -1], [-1, -1, -1], [-1, -1, -1]], [[-1, -1, -1], [-1, -1, -1], [-1, -1, -1]]]);
  });

  test('conv1d with padding "same" and an even kernel puts the extra zero at the end, like PyTorch', () => {
    // PyTorch 1.13: F.conv1d(torch.tensor([[[1., 2, 3, 4, 5]]]), torch.tensor([[[1., 10, 100, 1000]]]), padding="same")
    // The span 4 needs 3 zeros: 1 before, 2 after.
    const out = conv1d(tensor([[[1, 2, 3, 4, 5]]]), tensor([[[1, 10, 100, 1000]]]), null, { padding: "same" });
    assertTensor(out, [[[3210, 4321, 5432, 543, 54]]], [1, 1, 5]);
  });

  test("unbatched input gives an unbatched output equal to the batched one", () => {
    const x = arange(2 * 5 * 6).float().reshape([2, 5, 6]).div(10);
    const w = arange(3 * 2 * 3 * 2).float().reshape([3, 2, 3, 2]).sub(15).div(7);
    const b = tensor([1, 2, 3]);
    const unbatched = conv2d(x, w, b, { padding: [1, 0], stride: [2, 1] });
    assert.deepEqual(unbatched.shape, [3, 3, 5]);
    assertClose(unbatched, conv2d(x.unsqueeze(0), w, b, { padding: [1, 0], stride: [2, 1] }).squeeze(0).tolist(), { atol: 0, rtol: 0 });
    const line = conv1d(x.select(1, 0), w.select(2, 0), b);
    assert.deepEqual(line.shape, [3, 5]);
  });

  test("int32 tensors are convolved exactly (as PyTorch 1.13 does on the CPU)", () => {
    const out = conv2d(ones([1, 1, 3, 3], { dtype: "int32" }), ones([1, 1, 2, 2], { dtype: "int32" }), ones([1], { dtype: "int32" }));
    assert.equal(out.dtype, "int32");
    assertTensor(out, [[[[5, 5], [5, 5]]]]);
  });

  test("float32 stays float32, float64 stays float64", () => {
    for (const dtype of ["float32", "float64"] as DType[]) {
      assert.equal(conv2d(zeros([1, 2, 3, 3], { dtype }), zeros([1, 2, 2, 2], { dtype }), zeros([1], { dtype })).dtype, dtype);
    }
  });
});

describe("second derivatives", () => {
  test("the gradient of a function of the input's gradient matches PyTorch", () => {
    // PyTorch 1.13 (float64):
    //   x = ((torch.arange(18.) % 7 - 3) / 4).reshape(2, 3, 3); w = ((torch.arange(8.) % 5 - 2) / 2).reshape(4, 1, 2, 1)
    //   b = torch.tensor([0.5, -1.0, 0.25, 2.0]); y = F.conv2d(x, w, b, stride=(2, 1), padding=(1, 0), groups=2)
    //   gx = grad((y ** 2).sum(), x, create_graph=True); gw, gb = grad((gx ** 2).sum(), [w, b])
    const input = tensor(Array.from({ length: 18 }, (_, i) => ((i % 7) - 3) / 4), { shape: [2, 3, 3], dtype: "float64", requiresGrad: true });
    const weight = tensor(Array.from({ length: 8 }, (_, i) => ((i % 5) - 2) / 2), { shape: [4, 1, 2, 1], dtype: "float64", requiresGrad: true });
    const bias = tensor([0.5, -1.0, 0.25, 2.0], { dtype: "float64", requiresGrad: true });
    const y = conv2d(input, weight, bias, { stride: [2, 1], padding: [1, 0], groups: 2 });
    assertClose(y, [[[0.875, 0.75, 0.625], [0.125, 0.625, 0.25]], [[-1.375, -1.25, -1.125], [-0.625, -1.375, -1.25]],
      [[0.5, 0.25, 0.0], [1.25, 1.25, -0.5]], [[2.0, 2.0, 2.0], [1.75, 1.625, 2.375]]], { atol: 1e-12, rtol: 0 });
    const [gx] = grad(y.square().sum(), input, undefined, { createGraph: true });
    assertClose(gx!, [[[-2.25, -2.0, -1.75], [-0.25, -1.25, -0.5], [-0.75, -2.0, -1.5]],
      [[-1.0, -0.5, 0.0], [0.75, 0.875, -3.375], [-2.5, -2.5, 1.0]]], { atol: 1e-12, rtol: 0 });
    const [gw, gb] = grad(gx!.square().sum(), [weight, bias]);
    assertClose(gw!.flatten(), [1.0, -38.75, 7.5, 60.25, 44.625, -40.375, -28.25, -35.0625], { atol: 1e-10, rtol: 0 });
    assertClose(gb!, [28.5, -20.5, 15.0, 3.5], { atol: 1e-10, rtol: 0 });
  });
});

// ---- PyTorch fixtures ---------------------------------------------------------

interface EncodedTensor { shape: number[]; dtype: "float64"; values: number[] }

interface ConvFixture {
  name: string;
  op: "conv1d" | "conv2d";
  args: Conv2dOptions;
  /** input, weight, and the bias when the case has one */
  inputs: EncodedTensor[];
  outputs: [EncodedTensor];
  upstream: [EncodedTensor];
  grads: EncodedTensor[];
}

const FIXTURES: ConvFixture[] = JSON.parse(readFileSync(new URL("../fixtures/torch/conv.json", import.meta.url), "utf8"));

function decode(encoded: EncodedTensor, dtype: DType = "float64", requiresGrad = false): Tensor {
  return tensor(encoded.values, { shape: encoded.shape, dtype, requiresGrad });
}

function runConv(fixture: ConvFixture, [x, w, b]: Tensor[]): Tensor {
  return (fixture.op === "conv1d" ? conv1d : conv2d)(x!, w!, b ?? null, fixture.args);
}

describe("matches PyTorch 1.13 (float64, atol 1e-10)", () => {
  test("the fixtures cover conv1d, conv2d and every option", () => {
    assert.ok(FIXTURES.length >= 15, `only ${FIXTURES.length} fixtures`);
    const options = new Set(FIXTURES.flatMap((f) => Object.keys(f.args)));
    assert.deepEqual([...options].sort(), ["dilation", "groups", "padding", "stride"]);
    assert.ok(FIXTURES.some((f) => f.op === "conv1d"));
  });

  for (const fixture of FIXTURES) {
    test(fixture.name, () => {
      const inputs = fixture.inputs.map((encoded) => decode(encoded, "float64", true));
      const out = runConv(fixture, inputs);
      assert.deepEqual(out.shape, fixture.outputs[0].shape);
      assertClose(out, fixture.outputs[0].values, { atol: 1e-10, rtol: 0, message: "output" });
      out.mul(decode(fixture.upstream[0])).sum().backward();
      inputs.forEach((input, i) => {
        assertClose(input.grad!, fixture.grads[i]!.values, { atol: 1e-10, rtol: 0, message: `gradient of input ${i}` });
      });
    });
  }

  test("float32: whole-number cases are exact, others within float32 rounding", () => {
    for (const fixture of FIXTURES) {
      const out = runConv(fixture, fixture.inputs.map((encoded) => decode(encoded, "float32")));
      assert.equal(out.dtype, "float32");
      const wholeNumbers = fixture.inputs.every((t) => t.values.every(Number.isInteger));
      assertClose(out, fixture.outputs[0].values, { atol: wholeNumbers ? 0 : 1e-5, rtol: wholeNumbers ? 0 : 1e-6, message: fixture.name });
    }
  });
});

// ---- shapes and errors ---------------------------------------------------------

describe("output shapes", () => {
  // [op, input shape, weight shape, options, output shape]; each output shape is
  // F.conv1d/F.conv2d(torch.zeros(input), torch.zeros(weight), **options).shape in PyTorch 1.13
  const table: ["conv1d" | "conv2d", number[], number[], Conv2dOptions, number[]][] = [
    ["conv2d", [1, 1, 28, 28], [16, 1, 5, 5], {}, [1, 16, 24, 24]],
    ["conv2d", [32, 16, 12, 12], [32, 16, 3, 3], { padding: 1 }, [32, 32, 12, 12]],
    ["conv2d", [2, 3, 7, 7], [4, 3, 3, 3], { stride: 2 }, [2, 4, 3, 3]],
    ["conv2d", [2, 3, 8, 8], [4, 3, 3, 3], { stride: 2 }, [2, 4, 3, 3]],
    ["conv2d", [2, 3, 8, 8], [4, 3, 3, 3], { stride: 3, padding: 1 }, [2, 4, 3, 3]],
    ["conv2d", [1, 2, 9, 9], [2, 2, 3, 3], { dilation: 3 }, [1, 2, 3, 3]],
    ["conv2d", [1, 2, 5, 9], [2, 2, 3, 3], { dilation: [1, 4] }, [1, 2, 3, 1]],
    ["conv2d", [1, 4, 6, 7], [6, 2, 2, 3], { groups: 2, stride: [1, 2], padding: [0, 1] }, [1, 6, 5, 4]],
    ["conv2d", [1, 4, 6, 7], [8, 1, 3, 3], { groups: 4, padding: "same" }, [1, 8, 6, 7]],
    ["conv2d", [1, 4, 6, 7], [8, 1, 2, 4], { groups: 4, padding: "same", dilation: [3, 1] }, [1, 8, 6, 7]],
    ["conv2d", [1, 4, 6, 7], [8, 1, 2, 4], { padding: "valid", groups: 4 }, [1, 8, 5, 4]],
    ["conv2d", [6, 6, 7], [2, 3, 3, 3], { groups: 2 }, [2, 4, 5]],
    ["conv2d", [0, 3, 5, 5], [2, 3, 3, 3], {}, [0, 2, 3, 3]],
    ["conv2d", [1, 1, 1, 1], [1, 1, 1, 1], {}, [1, 1, 1, 1]],
    ["conv2d", [1, 1, 2, 2], [1, 1, 3, 3], { padding: 1, stride: 2 }, [1, 1, 1, 1]],
    ["conv1d", [2, 3, 10], [4, 3, 3], {}, [2, 4, 8]],
    ["conv1d", [2, 3, 10], [4, 3, 3], { stride: 2, padding: 2, dilation: 2 }, [2, 4, 5]],
    ["conv1d", [3, 10], [6, 1, 4], { groups: 3, padding: "same" }, [6, 10]],
    ["conv1d", [1, 3, 10], [4, 3, 5], { padding: "valid", stride: [3] }, [1, 4, 2]],
  ];
  for (const [op, input, weight, options, expected] of table) {
    test(`${op} ${JSON.stringify(input)} ⋆ ${JSON.stringify(weight)} ${JSON.stringify(options)} → ${JSON.stringify(expected)}`, () => {
      const conv = op === "conv1d" ? conv1d : conv2d;
      assert.deepEqual(conv(zeros(input), zeros(weight), null, options).shape, expected);
    });
  }

  test("convOutputSize is floor((size + 2·pad − dilation·(k − 1) − 1) / stride) + 1", () => {
    assert.equal(convOutputSize(28, 5, 1, 0, 1), 24);
    assert.equal(convOutputSize(12, 3, 1, 1, 1), 12);
    assert.equal(convOutputSize(8, 3, 2, 0, 1), 3);
    assert.equal(convOutputSize(9, 3, 1, 0, 3), 3);
    assert.equal(convOutputSize(2, 3, 1, 0, 1), 0);
  });
});

describe("errors name the op, the shapes and the rule", () => {
  const x = () => zeros([1, 2, 5, 5]);
  const w = () => zeros([4, 2, 3, 3]);
  const cases: [string, () => unknown, RegExp][] = [
    ["input rank", () => conv2d(zeros([2, 3]), w()), /^Error: conv2d: expected a 3-D \(unbatched \[C, H, W\]\) or 4-D \(batched \[N, C, H, W\]\) input, got shape \[2, 3\] \(2-D\)/],
    ["input rank, conv1d", () => conv1d(zeros([2, 3, 4, 5]), zeros([4, 3, 3])), /conv1d: expected a 2-D .* or 3-D .* input, got shape \[2, 3, 4, 5\] \(4-D\)/],
    ["weight rank", () => conv2d(x(), zeros([4, 2, 3])), /conv2d: the weight must be 4-D \[outChannels, inChannels\/groups, kH, kW\], got shape \[4, 2, 3\] \(3-D\)/],
    ["weight rank, conv1d", () => conv1d(zeros([1, 3, 5]), zeros([4, 3, 3, 3])), /conv1d: the weight must be 3-D .*got shape \[4, 3, 3, 3\]/],
    ["channels", () => conv2d(zeros([1, 3, 5, 5]), w()), /conv2d: the input \[1, 3, 5, 5\] has 3 channels, but the weight \[4, 2, 3, 3\] with groups = 1 expects 2·1 = 2/],
    ["channels, unbatched", () => conv2d(zeros([3, 5, 5]), w()), /conv2d: the input \[3, 5, 5\] has 3 channels/],
    ["Cout % groups", () => conv2d(zeros([1, 4, 5, 5]), zeros([3, 2, 3, 3]), null, { groups: 2 }), /conv2d: the weight \[3, 2, 3, 3\] has 3 output channels, which cannot be split into groups = 2 .*not divisible/],
    ["Cin % groups", () => conv2d(zeros([1, 3, 5, 5]), zeros([4, 1, 3, 3]), null, { groups: 2 }), /conv2d: the input \[1, 3, 5, 5\] has 3 channels, which cannot be split into groups = 2/],
    ["groups 0", () => conv2d(x(), w(), null, { groups: 0 }), /conv2d: groups must be a positive integer, got 0/],
    ["kernel too large", () => conv2d(zeros([1, 2, 2, 2]), w()), /conv2d: the kernel \[3, 3\] with dilation \[1, 1\] spans 3×3 positions, more than the padded input's 2×2 \(input \[1, 2, 2, 2\], padding \[0, 0\]\)/],
    ["dilated kernel too large", () => conv2d(x(), w(), null, { dilation: [1, 3] }), /conv2d: the kernel \[3, 3\] with dilation \[1, 3\] spans 3×7 positions, more than the padded input's 5×5/],
    ["kernel too large, conv1d", () => conv1d(zeros([1, 3, 2]), zeros([4, 3, 3])), /conv1d: the kernel \[3\] .* spans 3 positions, more than the padded input's 2/],
    ["stride 0", () => conv2d(x(), w(), null, { stride: 0 }), /conv2d: stride must be positive, got \[0, 0\]/],
    ["negative stride", () => conv2d(x(), w(), null, { stride: [1, -1] }), /conv2d: stride must be positive, got \[1, -1\]/],
    ["dilation 0", () => conv1d(zeros([1, 3, 5]), zeros([4, 3, 3]), null, { dilation: 0 }), /conv1d: dilation must be positive, got \[0\]/],
    ["negative padding", () => conv2d(x(), w(), null, { padding: -1 }), /conv2d: padding must not be negative, got \[-1, -1\]/],
    ["wrong list length", () => conv2d(x(), w(), null, { stride: [1, 1, 1] }), /conv2d: stride must be an integer or a list of 2 integers \(one per spatial dim \[H, W\]\), got \[1,1,1\]/],
    ["fractional stride", () => conv2d(x(), w(), null, { stride: 1.5 }), /conv2d: stride must be an integer/],
    ["same with a stride", () => conv2d(x(), w(), null, { stride: 2, padding: "same" }), /conv2d: padding "same" needs stride 1 in every dim, got stride \[2, 2\]/],
    ["unknown padding string", () => conv2d(x(), w(), null, { padding: "full" as "same" }), /conv2d: padding must be a number, a list of numbers, "valid" or "same", got "full"/],
    ["bias size", () => conv2d(x(), w(), zeros([3])), /conv2d: the bias must be 1-D with 4 elements \(one per output channel of the weight \[4, 2, 3, 3\]\), got shape \[3\]/],
    ["bias rank", () => conv2d(x(), w(), zeros([4, 1])), /conv2d: the bias must be 1-D with 4 elements .*got shape \[4, 1\]/],
    ["weight dtype", () => conv2d(x().double(), w()), /conv2d: the input is float64 but the weight is float32; they must have the same dtype/],
    ["bias dtype", () => conv2d(x(), w(), zeros([4], { dtype: "float64" })), /conv2d: the input is float32 but the bias is float64/],
    ["bool", () => conv2d(x().bool(), w().bool()), /conv2d: bool tensors cannot be convolved/],
    ["no output channels", () => conv2d(x(), zeros([0, 2, 3, 3])), /conv2d: the weight \[0, 2, 3, 3\] has no output channels/],
  ];
  for (const [name, call, expected] of cases) {
    test(name, () => assert.throws(call, expected));
  }
});

// ---- the reference kernels ------------------------------------------------------

/** A random conv2d problem that produces at least one output position. */
function randomProblem(g: Generator): Conv2dProblem {
  const groups = g.randint(1, 4);
  const inChannels = groups * g.randint(1, 3);
  const outChannels = groups * g.randint(1, 3);
  const dims = () => {
    const kernel = g.randint(1, 4);
    const dilation = g.randint(1, 3);
    const stride = g.randint(1, 4);
    const pad = g.randint(0, 3);
    const size = Math.max(1, dilation * (kernel - 1) + 1 - 2 * pad + g.randint(0, 5));
    return { kernel, dilation, stride, pad, size, out: convOutputSize(size, kernel, stride, pad, dilation) };
  };
  const h = dims();
  const w = dims();
  return {
    batch: g.randint(1, 3), inChannels, outChannels, groups,
    inHeight: h.size, inWidth: w.size, kernelHeight: h.kernel, kernelWidth: w.kernel, outHeight: h.out, outWidth: w.out,
    strideH: h.stride, strideW: w.stride, padH: h.pad, padW: w.pad, dilationH: h.dilation, dilationW: w.dilation,
  };
}

function randomArray(g: Generator, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => g.normal());
}

function dotProduct(a: Float64Array, b: Float64Array): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += a[i]! * b[i]!;
  return total;
}

describe("reference kernels", () => {
  test("the backward kernels are the adjoints of the forward: ⟨conv(x, w), g⟩ = ⟨x, gradInput(g, w)⟩ = ⟨w, gradWeight(g, x)⟩", () => {
    forAll("conv2d adjoints", (g) => {
      const p = randomProblem(g);
      const sizes = conv2dSizes(p);
      const [x, w, gOut] = [randomArray(g, sizes.input), randomArray(g, sizes.weight), randomArray(g, sizes.output)];
      const out = new Float64Array(sizes.output);
      const gradInput = new Float64Array(sizes.input);
      const gradWeight = new Float64Array(sizes.weight);
      conv2dForwardReference(p, x, w, out);
      conv2dBackwardInputReference(p, gOut, w, gradInput);
      conv2dBackwardWeightReference(p, gOut, x, gradWeight);
      const reference = dotProduct(out, gOut);
      const tolerance = 1e-12 * (1 + Math.abs(reference)) * sizes.output;
      assert.ok(Math.abs(dotProduct(x, gradInput) - reference) <= tolerance, `gradInput of ${JSON.stringify(p)}`);
      assert.ok(Math.abs(dotProduct(w, gradWeight) - reference) <= tolerance, `gradWeight of ${JSON.stringify(p)}`);
    }, { runs: 60 });
  });

  test("each kernel overwrites its result instead of adding to it", () => {
    const p = randomProblem(new Generator(7));
    const sizes = conv2dSizes(p);
    const out = new Float64Array(sizes.output).fill(99);
    conv2dForwardReference(p, new Float64Array(sizes.input), new Float64Array(sizes.weight), out);
    assert.ok(out.every((v) => v === 0));
    const gradInput = new Float64Array(sizes.input).fill(99);
    conv2dBackwardInputReference(p, new Float64Array(sizes.output), new Float64Array(sizes.weight), gradInput);
    assert.ok(gradInput.every((v) => v === 0));
    const gradWeight = new Float64Array(sizes.weight).fill(99);
    conv2dBackwardWeightReference(p, new Float64Array(sizes.output), new Float64Array(sizes.input), gradWeight);
    assert.ok(gradWeight.every((v) => v === 0));
  });

  test("arrays of the wrong length are refused", () => {
    const p = randomProblem(new Generator(8));
    const sizes = conv2dSizes(p);
    assert.throws(
      () => conv2dForwardReference(p, new Float64Array(sizes.input + 1), new Float64Array(sizes.weight), new Float64Array(sizes.output)),
      /conv2dForwardReference: the input array has \d+ elements, the problem needs \d+/,
    );
  });
});

// ---- the backend -------------------------------------------------------------------

describe("backend", () => {
  test("conv2d, conv1d and their gradients run the kernels of the installed backend", () => {
    const calls = { forward: 0, input: 0, weight: 0 };
    const previous = setBackend({
      conv2dForward: (...a) => { calls.forward++; referenceBackend.conv2dForward(...a); },
      conv2dBackwardInput: (...a) => { calls.input++; referenceBackend.conv2dBackwardInput(...a); },
      conv2dBackwardWeight: (...a) => { calls.weight++; referenceBackend.conv2dBackwardWeight(...a); },
    });
    try {
      const x = image().requiresGrad_();
      const w = kernel().requiresGrad_();
      conv2d(x, w).sum().backward();
      assert.deepEqual(calls, { forward: 1, input: 1, weight: 1 });
      conv1d(zeros([1, 2, 6]), zeros([3, 2, 2]));
      assert.deepEqual(calls, { forward: 2, input: 1, weight: 1 });
    } finally {
      setBackend(previous);
    }
  });

  test("the op returns what the backend's kernel computed", () => {
    const previous = setBackend({ conv2dForward: (_p, _input, _weight, out) => { out.fill(7); } });
    try {
      assertTensor(conv2d(image(), kernel()), [[[[7, 7, 7], [7, 7, 7], [7, 7, 7]]]]);
    } finally {
      setBackend(previous);
    }
    assertTensor(conv2d(image(), kernel()).select(3, 0), [[[34, 74, 114]]]);
  });
});

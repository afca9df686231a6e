// Convolution layers (Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d) and
// F.convTranspose2d / F.convTranspose1d: PyTorch 1.13 fixtures
// (test/fixtures/torch-nn/layers.json, written by scripts/torch-nn-layers.py),
// gradchecks of inputs and parameters, the adjoint identity between conv2d and
// its transpose, default initialisation, reprs and errors.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Generator, conv1d, conv2d, gradcheck, gradgradcheck, manualSeed, ones, randn, tensor, zeros, type Tensor } from "../../src/index.ts";
import { convTranspose1d, convTranspose2d } from "../../src/nn/functional/conv.ts";
import {
  Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d, type ConvLayerOptions, type ConvTransposeLayerOptions, type SizeOption,
} from "../../src/nn/layers/conv.ts";
import type { Module } from "../../src/nn/module.ts";
import { assertClose } from "../helpers/assert.ts";
import { decode, readTorchFixture, type Encoded } from "../helpers/torch-fixtures.ts";

// ---- PyTorch fixtures ---------------------------------------------------------------

interface LayerCase {
  name: string; layer: string; args: unknown[]; options: Record<string, unknown>; forward: { outputSize?: number[] };
  repr: string; state: Record<string, Encoded>; inputs: Encoded[]; output: Encoded; upstream: Encoded;
  inputGrads: (Encoded | null)[]; paramGrads: Record<string, Encoded>;
}

const FIXTURES: { layers: LayerCase[] } = readTorchFixture("layers");

type ConvLayer = Conv1d | Conv2d | ConvTranspose1d | ConvTranspose2d;
type Args = [number, number, SizeOption];

const BUILD: Record<string, (args: Args, options: ConvLayerOptions & ConvTransposeLayerOptions) => ConvLayer> = {
  Conv1d: (args, options) => new Conv1d(...args, options as ConvLayerOptions),
  Conv2d: (args, options) => new Conv2d(...args, options as ConvLayerOptions),
  ConvTranspose1d: (args, options) => new ConvTranspose1d(...args, options as ConvTransposeLayerOptions),
  ConvTranspose2d: (args, options) => new ConvTranspose2d(...args, options as ConvTransposeLayerOptions),
};

/** Loads PyTorch's state dict into `layer` (float64) after checking names and shapes, and checks the repr. */
function loadFixtureState(layer: Module, fixture: LayerCase): void {
  layer.double();
  const ours = layer.stateDict();
  assert.deepEqual([...ours.keys()], Object.keys(fixture.state), "state dict keys");
  for (const [key, encoded] of Object.entries(fixture.state)) assert.deepEqual(ours.get(key)!.shape, encoded.shape, `shape of ${key}`);
  layer.loadStateDict(Object.fromEntries(Object.entries(fixture.state).map(([key, encoded]) => [key, decode(encoded)])));
  assert.equal(layer.toString(), fixture.repr);
}

const CASES = FIXTURES.layers.filter((c) => c.layer in BUILD);

describe("conv layers match PyTorch 1.13 (float64, atol 1e-10)", () => {
  test("the fixtures cover every layer and option", () => {
    assert.deepEqual([...new Set(CASES.map((c) => c.layer))].sort(), ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"]);
    const options = new Set(CASES.flatMap((c) => Object.keys(c.options)));
    assert.deepEqual([...options].sort(), ["bias", "dilation", "groups", "outputPadding", "padding", "stride"]);
  });

  for (const fixture of CASES) {
    test(fixture.name, () => {
      const layer = BUILD[fixture.layer]!(fixture.args as Args, fixture.options);
      loadFixtureState(layer, fixture);
      const [input] = fixture.inputs.map((encoded) => decode(encoded, true));
      const out = layer instanceof ConvTranspose1d || layer instanceof ConvTranspose2d
        ? layer.forward(input!, fixture.forward.outputSize)
        : layer.forward(input!);
      assert.deepEqual(out.shape, fixture.output.shape);
      assertClose(out, fixture.output.values, { atol: 1e-10, rtol: 0, message: "output" });
      out.mul(decode(fixture.upstream)).sum().backward();
      assertClose(input!.grad!, fixture.inputGrads[0]!.values, { atol: 1e-10, rtol: 0, message: "input gradient" });
      for (const [name, parameter] of layer.namedParameters()) {
        assertClose(parameter.grad!, fixture.paramGrads[name]!.values, { atol: 1e-10, rtol: 0, message: `gradient of ${name}` });
      }
    });
  }
});

// ---- gradients --------------------------------------------------------------------

/** gradcheck of a layer's forward with respect to its input and every parameter (gradcheck perturbs them in place). */
function checkLayerGradients(layer: ConvLayer, inputShape: number[], seed: number): void {
  layer.double();
  const x = randn(inputShape, { dtype: "float64", generator: new Generator(seed), requiresGrad: true });
  gradcheck(() => layer.forward(x), [x, ...layer.parameters()]);
}

describe("gradcheck of inputs and parameters (float64)", () => {
  test("Conv1d: stride, padding, dilation, groups", () => {
    checkLayerGradients(new Conv1d(4, 2, 3, { stride: 2, padding: 1, dilation: 2, groups: 2 }), [2, 4, 7], 1);
  });

  test('Conv2d: padding "same" with an even kernel', () => {
    checkLayerGradients(new Conv2d(2, 3, [2, 3], { padding: "same" }), [1, 2, 4, 4], 2);
  });

  test("Conv2d: no bias, per-dim stride", () => {
    checkLayerGradients(new Conv2d(2, 2, 2, { stride: [2, 1], bias: false }), [2, 2, 5, 4], 3);
  });

  test("ConvTranspose2d: stride 2, padding 1, outputPadding 1, groups 2", () => {
    checkLayerGradients(new ConvTranspose2d(4, 2, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }), [1, 4, 3, 3], 4);
  });

  test("ConvTranspose2d: dilation 2, outputPadding above the stride", () => {
    checkLayerGradients(new ConvTranspose2d(2, 2, 2, { dilation: 3, outputPadding: 2 }), [1, 2, 3, 2], 5);
  });

  test("ConvTranspose1d: stride 3, unbatched", () => {
    checkLayerGradients(new ConvTranspose1d(2, 3, 2, { stride: 3 }), [2, 4], 6);
  });

  test("second derivatives of convTranspose2d", () => {
    const g = new Generator(7);
    const x = randn([1, 2, 3, 3], { dtype: "float64", generator: g, requiresGrad: true });
    const w = randn([2, 2, 2, 2], { dtype: "float64", generator: g, requiresGrad: true });
    gradgradcheck((a, b) => convTranspose2d(a!, b!, null, { stride: 2, padding: 1, outputPadding: 1 }).square(), [x, w]);
  });
});

describe("the transposed convolution is the adjoint of the convolution", () => {
  // ⟨conv2d(x, w), y⟩ = ⟨x, convTranspose2d(y, w)⟩ for every x, y, when x has the transposed conv's output size.
  const configurations: [string, { stride: number[]; padding: number[]; dilation: number[]; groups: number }, number[], number[]][] = [
    ["plain", { stride: [1, 1], padding: [0, 0], dilation: [1, 1], groups: 1 }, [2, 3, 6, 5], [4, 3, 3, 2]],
    ["stride 2, padding 1", { stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 1 }, [2, 2, 7, 7], [3, 2, 3, 3]],
    ["groups 2, dilation 2", { stride: [1, 2], padding: [1, 0], dilation: [2, 2], groups: 2 }, [1, 4, 8, 9], [6, 2, 3, 2]],
  ];
  for (const [name, options, xShape, wShape] of configurations) {
    test(name, () => {
      const g = new Generator(11);
      const x = randn(xShape, { dtype: "float64", generator: g });
      const w = randn(wShape, { dtype: "float64", generator: g });
      const convOut = conv2d(x, w, null, options);
      const y = randn(convOut.shape, { dtype: "float64", generator: g });
      // The sizes conv2d maps to convOut's size range over `stride` values; outputPadding picks x's.
      const outputPadding = xShape.slice(2).map((size, i) => {
        const k = wShape[2 + i]!;
        return size - ((convOut.shape[2 + i]! - 1) * options.stride[i]! - 2 * options.padding[i]! + options.dilation[i]! * (k - 1) + 1);
      });
      const transposed = convTranspose2d(y, w, null, { ...options, outputPadding });
      assert.deepEqual(transposed.shape, xShape);
      const left = convOut.mul(y).sum().item();
      const right = x.mul(transposed).sum().item();
      assert.ok(Math.abs(left - right) <= 1e-10 * Math.max(1, Math.abs(left)), `${left} vs ${right}`);
    });
  }

  test("convTranspose1d is the adjoint of conv1d", () => {
    const g = new Generator(12);
    const x = randn([2, 3, 9], { dtype: "float64", generator: g });
    const w = randn([4, 3, 3], { dtype: "float64", generator: g });
    const convOut = conv1d(x, w, null, { stride: 2, padding: 1 });
    const y = randn(convOut.shape, { dtype: "float64", generator: g });
    const transposed = convTranspose1d(y, w, null, { stride: 2, padding: 1 });
    assert.deepEqual(transposed.shape, [2, 3, 9]);
    assertClose(convOut.mul(y).sum(), x.mul(transposed).sum().item(), { atol: 1e-10, rtol: 1e-12 });
  });
});

describe("hand-worked values", () => {
  test("stride 2 scatters a copy of the kernel per input position", () => {
    // Input [[1, 2]] (1×1×1×2), kernel [[1, 10], [100, 1000]], stride 2: two copies side by side.
    const out = convTranspose2d(tensor([[[[1, 2]]]]), tensor([[[[1, 10], [100, 1000]]]]), tensor([0.5]), { stride: 2 });
    assert.deepEqual(out.tolist(), [[[[1.5, 10.5, 2.5, 20.5], [100.5, 1000.5, 200.5, 2000.5]]]]);
  });

  test("stride 1: overlapping copies add up", () => {
    const out = convTranspose1d(tensor([[[1, 2, 3]]]), tensor([[[1, 1]]]));
    assert.deepEqual(out.tolist(), [[[1, 3, 5, 3]]]);
  });

  test("float32 in, float32 out", () => {
    assert.equal(new ConvTranspose2d(2, 3, 2).forward(zeros([1, 2, 3, 3])).dtype, "float32");
  });
});

// ---- shapes ------------------------------------------------------------------------

describe("output shapes", () => {
  // Each expected shape is what the same PyTorch 1.13 layer gives (nn.ConvTranspose2d(...)(torch.zeros(input)).shape).
  test("ConvTranspose2d undoes the shape of a strided Conv2d", () => {
    const x = zeros([2, 3, 7, 7]);
    const down = new Conv2d(3, 8, 3, { stride: 2, padding: 1 }).forward(x);
    assert.deepEqual(down.shape, [2, 8, 4, 4]);
    assert.deepEqual(new ConvTranspose2d(8, 3, 3, { stride: 2, padding: 1 }).forward(down).shape, [2, 3, 7, 7]);
    assert.deepEqual(new ConvTranspose2d(8, 3, 3, { stride: 2, padding: 1, outputPadding: 1 }).forward(down).shape, [2, 3, 8, 8]);
    assert.deepEqual(new ConvTranspose2d(8, 3, 3, { stride: 2, padding: 1 }).forward(down, [8, 8]).shape, [2, 3, 8, 8]);
    assert.deepEqual(new ConvTranspose2d(8, 3, 3, { stride: 2, padding: 1 }).forward(down, [2, 3, 7, 8]).shape, [2, 3, 7, 8]);
  });

  test("the DCGAN/U-Net upsampling block doubles the size", () => {
    assert.deepEqual(new ConvTranspose2d(16, 8, 4, { stride: 2, padding: 1 }).forward(zeros([1, 16, 5, 6])).shape, [1, 8, 10, 12]);
  });

  test("unbatched inputs give unbatched outputs", () => {
    assert.deepEqual(new Conv2d(3, 4, 3).forward(zeros([3, 5, 5])).shape, [4, 3, 3]);
    assert.deepEqual(new ConvTranspose2d(3, 4, 3).forward(zeros([3, 5, 5])).shape, [4, 7, 7]);
    assert.deepEqual(new Conv1d(3, 4, 3).forward(zeros([3, 5])).shape, [4, 3]);
    assert.deepEqual(new ConvTranspose1d(3, 4, 3).forward(zeros([3, 5])).shape, [4, 7]);
  });
});

// ---- parameters and initialisation ---------------------------------------------------

describe("parameters and default initialisation", () => {
  test("weight layouts and names are PyTorch's", () => {
    const shapes = (m: Module) => [...m.namedParameters()].map(([name, p]) => [name, p.shape]);
    assert.deepEqual(shapes(new Conv2d(4, 6, [3, 5], { groups: 2 })), [["weight", [6, 2, 3, 5]], ["bias", [6]]]);
    assert.deepEqual(shapes(new Conv1d(4, 6, 3, { bias: false })), [["weight", [6, 4, 3]]]);
    assert.deepEqual(shapes(new ConvTranspose2d(4, 6, [3, 5], { groups: 2 })), [["weight", [4, 3, 3, 5]], ["bias", [6]]]);
    assert.deepEqual(shapes(new ConvTranspose1d(4, 6, 2)), [["weight", [4, 6, 2]], ["bias", [6]]]);
    const conv = new Conv2d(1, 6, 5);
    assert.equal(conv.bias!.requiresGrad, true);
    assert.equal(conv.weight.dtype, "float32");
    assert.equal(new Conv2d(1, 6, 5, { dtype: "float64" }).weight.dtype, "float64");
  });

  /** All values within ±bound, and the sample std close to that of U(−bound, bound), bound/√3. */
  function assertUniform(t: Tensor, bound: number, what: string): void {
    const values = Array.from(t.toTypedArray());
    const largest = Math.max(...values.map(Math.abs));
    assert.ok(largest <= bound * (1 + 1e-6), `${what}: |value| ${largest} exceeds the bound ${bound}`);
    assert.ok(largest > bound * 0.9, `${what}: the largest |value| ${largest} is far inside the bound ${bound}`);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    assert.ok(Math.abs(std / (bound / Math.sqrt(3)) - 1) < 0.05, `${what}: std ${std}, expected ${bound / Math.sqrt(3)}`);
  }

  test("Conv2d: weight and bias U(±1/√fanIn), fanIn = inChannels/groups · kH · kW", () => {
    manualSeed(1);
    const conv = new Conv2d(32, 64, 3, { groups: 2 });
    const bound = 1 / Math.sqrt(16 * 9);
    assertUniform(conv.weight, bound, "weight");
    const bias = Array.from(conv.bias!.toTypedArray());
    assert.ok(bias.every((b) => Math.abs(b) <= bound * (1 + 1e-6)));
    assertUniform(new Conv2d(32, 4096, 1).bias!, 1 / Math.sqrt(32), "bias");
  });

  test("Conv1d: fanIn = inChannels · k", () => {
    manualSeed(2);
    assertUniform(new Conv1d(20, 100, 5).weight, 1 / Math.sqrt(100), "weight");
  });

  test("ConvTranspose2d: fanIn is read off the weight [in, out/groups, k...], i.e. out/groups · kH · kW, as in PyTorch", () => {
    manualSeed(3);
    const conv = new ConvTranspose2d(8, 32, 3);
    assertUniform(conv.weight, 1 / Math.sqrt(32 * 9), "weight");
    assertUniform(new ConvTranspose2d(8, 4096, 1).bias!, 1 / Math.sqrt(4096), "bias");
  });

  test("the random draws come from the default generator: same seed, same layer", () => {
    manualSeed(4);
    const a = new Conv2d(2, 3, 3);
    manualSeed(4);
    const b = new Conv2d(2, 3, 3);
    assert.deepEqual(a.weight.tolist(), b.weight.tolist());
    assert.deepEqual(a.bias!.tolist(), b.bias!.tolist());
  });
});

describe("printing", () => {
  test("like PyTorch's repr", () => {
    assert.equal(new Conv2d(1, 6, 5).toString(), "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))");
    assert.equal(new Conv1d(2, 4, 3, { padding: "same" }).toString(), "Conv1d(2, 4, kernel_size=(3,), stride=(1,), padding=same)");
    assert.equal(new ConvTranspose2d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1 }).toString(),
      "ConvTranspose2d(4, 6, kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), output_padding=(1, 1))");
    assert.equal(new Conv2d(4, 6, [3, 5], { stride: 2, padding: 1, dilation: 2, groups: 2, bias: false }).toString(),
      "Conv2d(4, 6, kernel_size=(3, 5), stride=(2, 2), padding=(1, 1), dilation=(2, 2), groups=2, bias=False)");
  });
});

// ---- errors ---------------------------------------------------------------------

describe("errors name the layer, the values and the rule", () => {
  test("constructor options", () => {
    assert.throws(() => new Conv2d(3, 4, 3, { groups: 2 }), /Conv2d: inChannels=3 must be divisible by groups=2/);
    assert.throws(() => new Conv2d(4, 3, 3, { groups: 2 }), /Conv2d: outChannels=3 must be divisible by groups=2/);
    assert.throws(() => new Conv2d(0, 3, 3), /Conv2d: inChannels must be a positive integer, got 0/);
    assert.throws(() => new Conv2d(2, 3, [3, 3, 3]), /Conv2d: kernelSize must be an integer >= 1 or a list of 2 such integers, got \[3,3,3\]/);
    assert.throws(() => new Conv1d(2, 3, 0), /Conv1d: kernelSize must be an integer >= 1/);
    assert.throws(() => new Conv2d(2, 3, 3, { stride: 0 }), /Conv2d: stride must be an integer >= 1/);
    assert.throws(() => new Conv2d(2, 3, 3, { padding: -1 }), /Conv2d: padding must be an integer >= 0/);
    assert.throws(() => new Conv2d(2, 3, 3, { padding: "same", stride: 2 }), /Conv2d: padding "same" is not supported for strided convolutions/);
    assert.throws(() => new Conv2d(2, 3, 3, { padding: "full" as "same" }), /Conv2d: padding must be a number, a list of numbers, "valid" or "same", got "full"/);
    assert.throws(() => new ConvTranspose2d(2, 3, 3, { padding: "same" as unknown as number }), /ConvTranspose2d: padding must be numbers, got "same"/);
    assert.throws(() => new Conv2d(2, 3, 3, { paddingMode: "reflect" }), /Conv2d: paddingMode "reflect" is not supported, only "zeros"; .*F\.pad/);
    assert.throws(() => new Conv2d(2, 3, 3, { paddingMode: "mirror" as "zeros" }), /Conv2d: paddingMode must be "zeros", "reflect", "replicate" or "circular", got "mirror"/);
  });

  test("forward: a wrong input is reported by the functional form with both shapes", () => {
    assert.throws(() => new Conv2d(3, 4, 3).forward(zeros([1, 2, 5, 5])), /conv2d: the input \[1, 2, 5, 5\] has 2 channels, but the weight \[4, 3, 3, 3\]/);
    assert.throws(() => new ConvTranspose2d(3, 4, 3).forward(zeros([1, 2, 5, 5])),
      /convTranspose2d: the input \[1, 2, 5, 5\] has 2 channels, but the weight \[3, 4, 3, 3\] expects 3/);
    assert.throws(() => new ConvTranspose2d(3, 4, 3).forward(zeros([3, 5])), /convTranspose2d: expected a 3-D \(unbatched \[C, H, W\]\) or 4-D/);
    assert.throws(() => new Conv1d(3, 4, 3).forward(zeros([1, 3, 5], { dtype: "float64" })), /conv1d: the input is float64 but the weight is float32/);
  });

  test("transposed convolutions: outputPadding, sizes, bias", () => {
    const x = zeros([1, 2, 3, 3]);
    assert.throws(() => convTranspose2d(x, zeros([2, 2, 3, 3]), null, { stride: 2, outputPadding: 2 }),
      /convTranspose2d: outputPadding \[2, 2\] must be non-negative and smaller than either the stride \[2, 2\] or the dilation \[1, 1\]/);
    assert.throws(() => new ConvTranspose2d(2, 2, 3, { outputPadding: 1 }).forward(x), /outputPadding \[1, 1\] must be non-negative and smaller/);
    assert.throws(() => convTranspose2d(zeros([1, 2, 1, 1]), zeros([2, 2, 1, 1]), null, { padding: 1 }),
      /convTranspose2d: the output would have size \[-1, -1\] .* every size must be positive/);
    assert.throws(() => convTranspose2d(x, zeros([2, 2, 3]), null), /convTranspose2d: the weight must be 4-D \[inChannels, outChannels\/groups, kH, kW\], got shape \[2, 2, 3\]/);
    assert.throws(() => convTranspose2d(x, zeros([2, 3, 3, 3]), zeros([2])), /convTranspose2d: the bias must be 1-D with 3 elements/);
    assert.throws(() => convTranspose2d(zeros([1, 3, 3, 3]), zeros([3, 3, 3, 3]), null, { groups: 2 }), /convTranspose2d: the input \[1, 3, 3, 3\] has 3 channels, which cannot be split into groups = 2/);
    assert.throws(() => convTranspose1d(zeros([1, 2, 4]), zeros([2, 2, 3]), null, { stride: [1, 1] }), /convTranspose1d: stride must be an integer or a list of 1 integers/);
  });

  test("outputSize must be reachable", () => {
    const layer = new ConvTranspose2d(2, 2, 3, { stride: 2, padding: 1 });
    assert.throws(() => layer.forward(ones([1, 2, 3, 3]), [6, 9]),
      /ConvTranspose2d: requested output size \(6, 9\) is not reachable: for input \(1, 2, 3, 3\) spatial dim 1 can only be 5 to 6/);
    assert.throws(() => layer.forward(ones([1, 2, 3, 3]), [5]), /ConvTranspose2d: outputSize \(5,\) must list the 2 spatial sizes/);
  });
});

// F.pad in its four modes: PyTorch 1.13 fixtures (test/fixtures/torch-nn/layers.json,
// written by scripts/torch-nn-layers.py), hand-worked values, gradchecks, and
// PyTorch's rules on which dims each mode pads and how far.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Generator, arange, gradcheck, gradgradcheck, randn, tensor, zeros } from "../../src/index.ts";
import { pad, type PadOptions } from "../../src/nn/functional/pad.ts";
import { assertClose } from "../helpers/assert.ts";
import { decode, readTorchFixture, type Encoded } from "../helpers/torch-fixtures.ts";

interface PadCase {
  name: string; fn: string; options: PadOptions & { pad: number[] };
  inputs: Encoded[]; output: Encoded; upstream: Encoded; inputGrads: Encoded[];
}

const FIXTURES: { functional: PadCase[] } = readTorchFixture("layers");
const CASES = FIXTURES.functional.filter((c) => c.fn === "pad");

describe("matches PyTorch 1.13 (float64)", () => {
  test("the fixtures cover every mode, 1 to 3 padded dims, and cropping", () => {
    assert.deepEqual([...new Set(CASES.map((c) => c.options.mode ?? "constant"))].sort(), ["circular", "constant", "reflect", "replicate"]);
    assert.ok(CASES.some((c) => c.options.pad.length === 6 && c.options.mode === "circular"));
    assert.ok(CASES.filter((c) => c.options.pad.some((p) => p < 0)).length >= 4);
  });

  for (const fixture of CASES) {
    test(fixture.name, () => {
      const { pad: amounts, ...options } = fixture.options;
      const x = decode(fixture.inputs[0]!, true);
      const out = pad(x, amounts, options);
      assert.deepEqual(out.shape, fixture.output.shape);
      // Padding copies values: they must be exact. The gradient adds up a few products.
      assertClose(out, fixture.output.values, { atol: 0, rtol: 0, message: "output" });
      out.mul(decode(fixture.upstream)).sum().backward();
      assertClose(x.grad!, fixture.inputGrads[0]!.values, { atol: 1e-12, rtol: 0, message: "input gradient" });
    });
  }
});

describe("hand-worked values", () => {
  const row = () => tensor([[[1, 2, 3, 4]]]);

  test("reflect mirrors without repeating the edge", () => {
    assert.deepEqual(pad(row(), [2, 1], { mode: "reflect" }).tolist(), [[[3, 2, 1, 2, 3, 4, 3]]]);
  });

  test("replicate repeats the edge", () => {
    assert.deepEqual(pad(row(), [2, 1], { mode: "replicate" }).tolist(), [[[1, 1, 1, 2, 3, 4, 4]]]);
  });

  test("circular wraps around", () => {
    assert.deepEqual(pad(row(), [2, 1], { mode: "circular" }).tolist(), [[[3, 4, 1, 2, 3, 4, 1]]]);
  });

  test("constant fills with the value; negative amounts crop", () => {
    assert.deepEqual(pad(row(), [1, -2], { value: 9 }).tolist(), [[[9, 1, 2]]]);
  });

  test("circular with a cropped side wraps around what is left, as PyTorch does", () => {
    assert.deepEqual(pad(row(), [-1, 2], { mode: "circular" }).tolist(), [[[2, 3, 4, 2, 3]]]);
  });

  test("2-D reflect of an image: rows and columns", () => {
    const image = arange(9).reshape([1, 3, 3]);
    assert.deepEqual(pad(image, [1, 1, 1, 0], { mode: "reflect" }).tolist(), [[
      [4, 3, 4, 5, 4],
      [1, 0, 1, 2, 1],
      [4, 3, 4, 5, 4],
      [7, 6, 7, 8, 7],
    ]]);
  });

  test("the gradient of replicate piles up on the edges", () => {
    const x = tensor([[[1, 2, 3]]], { requiresGrad: true });
    pad(x, [2, 3], { mode: "replicate" }).sum().backward();
    assert.deepEqual(x.grad!.tolist(), [[[3, 1, 4]]]);
  });

  test("int32 tensors can be padded in every mode", () => {
    const x = tensor([[[1, 2]]], { dtype: "int32" });
    assert.equal(pad(x, [1, 1], { mode: "reflect" }).dtype, "int32");
    assert.deepEqual(pad(x, [1, 1], { mode: "circular" }).tolist(), [[[2, 1, 2, 1]]]);
  });
});

describe("gradcheck (float64)", () => {
  const cases: [string, number[], number[], PadOptions][] = [
    ["reflect 2-D", [1, 2, 3, 4], [2, 1, 1, 2], { mode: "reflect" }],
    ["replicate 1-D with cropping", [2, 5], [-1, 3], { mode: "replicate" }],
    ["circular 3-D", [1, 1, 2, 3, 2], [1, 1, 2, 0, 0, 1], { mode: "circular" }],
    ["constant", [2, 3], [1, 2], { value: 0.5 }],
  ];
  for (const [name, shape, amounts, options] of cases) {
    test(name, () => {
      const x = randn(shape, { dtype: "float64", generator: new Generator(1), requiresGrad: true });
      gradcheck((input) => pad(input!, amounts, options), [x]);
      gradgradcheck((input) => pad(input!, amounts, options).square(), [x]);
    });
  }
});

describe("errors follow PyTorch's rules", () => {
  test("reflect: each amount smaller than the dim", () => {
    assert.throws(() => pad(zeros([1, 1, 3]), [3, 0], { mode: "reflect" }),
      /pad: mode "reflect" needs each amount smaller than the dim it pads .* got padding \(3, 0\) of dim 2 \(size 3\) of input \[1, 1, 3\]/);
  });

  test("circular: wrapping around at most once", () => {
    assert.throws(() => pad(zeros([1, 1, 3]), [4, 0], { mode: "circular" }), /pad: mode "circular" needs each amount at most the size of what it wraps around \(3 elements/);
    assert.throws(() => pad(zeros([1, 1, 3]), [-2, 2], { mode: "circular" }), /wraps around \(1 elements after cropping\)/);
  });

  test("which dims: 1 to 3 trailing dims, on an input with one or two more", () => {
    assert.throws(() => pad(zeros([3]), [1, 1], { mode: "reflect" }),
      /pad: mode "reflect" padding 1 dims needs a 2-D \(unbatched\) or 3-D \(batched\) input, got shape \[3\]/);
    assert.throws(() => pad(zeros([1, 1, 2, 3, 3]), [1, 1, 1, 1], { mode: "replicate" }), /padding 2 dims needs a 3-D \(unbatched\) or 4-D \(batched\) input/);
    assert.throws(() => pad(zeros([1, 1, 1, 1, 1]), [1, 1, 1, 1, 1, 1, 1, 1], { mode: "circular" }), /pads 1, 2 or 3 trailing dims/);
  });

  test("amounts, value and mode", () => {
    assert.throws(() => pad(zeros([1, 1, 3]), [1], { mode: "reflect" }), /pad: the padding \[1\] must be integers in \(before, after\) pairs/);
    assert.throws(() => pad(zeros([1, 1, 3]), [1, 1], { mode: "reflect", value: 2 }), /pad: mode "reflect" copies values from the input, so it takes no value/);
    assert.throws(() => pad(zeros([1, 1, 3]), [1, 1], { mode: "mirror" as "reflect" }), /pad: mode must be "constant", "reflect", "replicate" or "circular", got "mirror"/);
    assert.throws(() => pad(zeros([1, 1, 3]), [-2, -1], { mode: "replicate" }), /would leave 0 elements; at least 1 must remain/);
    assert.throws(() => pad(zeros([1, 1, 0]), [1, 1], { mode: "replicate" }), /pad: mode "replicate" cannot pad an empty dim/);
    assert.throws(() => pad(zeros([3]), [1, 1, 1]), /pad: the padding \[1, 1, 1\] must have an even length/);
  });
});

// The loss functions and loss modules against PyTorch 1.13.
//
// Each entry of test/fixtures/torch-nn/loss.json (written by
// scripts/torch-nn-loss.py) holds a loss, its options, the PyTorch module's
// state dict (the weight / pos_weight buffers), float64 inputs, PyTorch's loss,
// and the gradients of the input (and of the target where PyTorch
// differentiates it) for the loss itself, or for sum(loss · upstream) when
// the reduction is "none". Here the same loss runs twice, as a function and as
// a module loaded with the state dict, and everything must match.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { tensor, zeros, type Tensor } from "../../src/index.ts";
import * as loss from "../../src/nn/functional/loss.ts";
import * as layers from "../../src/nn/layers/loss.ts";
import type { Module } from "../../src/nn/module.ts";
import { assertClose } from "../helpers/assert.ts";

interface EncodedTensor {
  shape: number[];
  dtype: "float64" | "int32";
  values: (number | string)[];
}

interface Fixture {
  name: string;
  fn: keyof typeof FUNCTIONS;
  module: keyof typeof MODULES;
  options: Record<string, unknown>;
  state: Record<string, EncodedTensor>;
  input: EncodedTensor;
  target: EncodedTensor;
  output: EncodedTensor;
  upstream: EncodedTensor | null;
  inputGrad: EncodedTensor;
  targetGrad: EncodedTensor | null;
}

type LossFunction = (input: Tensor, target: Tensor, options: Record<string, unknown>) => Tensor;
type LossModule = Module & { forward(input: Tensor, target: Tensor): Tensor };

const FUNCTIONS = {
  mseLoss: loss.mseLoss, l1Loss: loss.l1Loss, smoothL1Loss: loss.smoothL1Loss, huberLoss: loss.huberLoss,
  crossEntropy: loss.crossEntropy, nllLoss: loss.nllLoss, binaryCrossEntropy: loss.binaryCrossEntropy,
  binaryCrossEntropyWithLogits: loss.binaryCrossEntropyWithLogits, klDiv: loss.klDiv,
} as Record<string, LossFunction>;

const MODULES = {
  MSELoss: layers.MSELoss, L1Loss: layers.L1Loss, SmoothL1Loss: layers.SmoothL1Loss, HuberLoss: layers.HuberLoss,
  CrossEntropyLoss: layers.CrossEntropyLoss, NLLLoss: layers.NLLLoss, BCELoss: layers.BCELoss,
  BCEWithLogitsLoss: layers.BCEWithLogitsLoss, KLDivLoss: layers.KLDivLoss,
} as Record<string, new (options: Record<string, unknown>) => LossModule>;

const fixtures: Fixture[] = JSON.parse(readFileSync(new URL("../fixtures/torch-nn/loss.json", import.meta.url), "utf8"));

function decode(encoded: EncodedTensor, requiresGrad = false): Tensor {
  const values = encoded.values.map(Number); // "NaN", "Infinity" and "-Infinity" are written as strings
  return tensor(encoded.dtype === "int32" ? Int32Array.from(values) : Float64Array.from(values),
    { shape: encoded.shape, requiresGrad });
}

function expected(encoded: EncodedTensor): number[] {
  return encoded.values.map(Number);
}

/** The fixture's weight buffers as the function's options: state "weight" → weight, "pos_weight" → posWeight. */
function functionOptions(fixture: Fixture): Record<string, unknown> {
  const options: Record<string, unknown> = { ...fixture.options };
  if (fixture.state.weight) options.weight = decode(fixture.state.weight);
  if (fixture.state.pos_weight) options.posWeight = decode(fixture.state.pos_weight);
  return options;
}

/** The module built with placeholder buffers of the right shapes, then loaded with PyTorch's state dict. */
function loadedModule(fixture: Fixture): LossModule {
  const placeholders: Record<string, unknown> = { ...fixture.options };
  if (fixture.state.weight) placeholders.weight = zeros(fixture.state.weight.shape, { dtype: "float64" });
  if (fixture.state.pos_weight) placeholders.posWeight = zeros(fixture.state.pos_weight.shape, { dtype: "float64" });
  const module = new MODULES[fixture.module]!(placeholders);
  module.loadStateDict(new Map(Object.entries(fixture.state).map(([name, value]) => [name, decode(value)])));
  return module;
}

/** Runs the loss on fresh leaves and backpropagates as the generator did. */
function run(fixture: Fixture, compute: (input: Tensor, target: Tensor) => Tensor) {
  const input = decode(fixture.input, true);
  const target = decode(fixture.target, fixture.targetGrad !== null);
  const out = compute(input, target);
  const scalar = fixture.upstream ? out.mul(decode(fixture.upstream)).sum() : out;
  scalar.backward();
  return { input, target, out };
}

const TOLERANCE = { atol: 1e-10, rtol: 1e-10 };

/**
 * Two cases where gradschool's gradients deliberately differ from PyTorch's at a few elements; each
 * is checked by its own test below (the loss values still match):
 * - PyTorch's BCE backward caps its gradient within 1e-12 of 0 and 1 (see binaryCrossEntropy's doc comment);
 * - PyTorch's smooth_l1_loss kernel with beta = 0 gives the slope −1 where input = target (to the
 *   input and to the target); here it is l1Loss, whose slope there is 0 (as PyTorch's l1_loss).
 */
const BCE_AT_BOUNDS = "binaryCrossEntropy/inputs exactly 0 and 1, none";
const SMOOTH_L1_TIES = "smoothL1Loss/ties and boundaries, beta 0.0";
const GRADIENT_CHECKED_BELOW = new Set([BCE_AT_BOUNDS, SMOOTH_L1_TIES]);

test("the fixtures are present and cover every loss and every module", () => {
  assert.ok(fixtures.length >= 100, `only ${fixtures.length} fixtures`);
  assert.deepEqual(new Set(fixtures.map((f) => f.fn)), new Set(Object.keys(FUNCTIONS)));
  assert.deepEqual(new Set(fixtures.map((f) => f.module)), new Set(Object.keys(MODULES)));
});

describe("functions against PyTorch 1.13", () => {
  for (const fixture of fixtures) {
    test(fixture.name, () => {
      const { input, target, out } = run(fixture, (x, y) => FUNCTIONS[fixture.fn]!(x, y, functionOptions(fixture)));
      assert.deepEqual(out.shape, fixture.output.shape);
      assertClose(out, expected(fixture.output), { ...TOLERANCE, message: "loss" });
      if (GRADIENT_CHECKED_BELOW.has(fixture.name)) return;
      assertClose(input.grad!, expected(fixture.inputGrad), { ...TOLERANCE, message: "input grad" });
      if (fixture.targetGrad) assertClose(target.grad!, expected(fixture.targetGrad), { ...TOLERANCE, message: "target grad" });
    });
  }
});

describe("modules loaded with PyTorch's state dict", () => {
  for (const fixture of fixtures) {
    test(fixture.name, () => {
      const module = loadedModule(fixture);
      assert.deepEqual([...module.stateDict().keys()], Object.keys(fixture.state), "state dict names");
      assert.equal(module.parameters().length, 0, "a loss has no parameters");
      const { input, out } = run(fixture, (x, y) => module.forward(x, y));
      assertClose(out, expected(fixture.output), { ...TOLERANCE, message: "loss" });
      if (GRADIENT_CHECKED_BELOW.has(fixture.name)) return;
      assertClose(input.grad!, expected(fixture.inputGrad), { ...TOLERANCE, message: "input grad" });
    });
  }
});

test("binaryCrossEntropy at 0 and 1: PyTorch's value; PyTorch's gradient where x(1 − x) >= 1e-12, the floored loss's elsewhere", () => {
  const fixture = fixtures.find((f) => f.name === BCE_AT_BOUNDS)!;
  const { input } = run(fixture, (x, y) => loss.binaryCrossEntropy(x, y, { reduction: "none" }));
  const x = expected(fixture.input);
  const y = expected(fixture.target);
  const v = expected(fixture.upstream!);
  const torchGrad = expected(fixture.inputGrad);
  // d/dx −(y·log x + (1 − y)·log(1 − x)), with a log floored at −100 contributing no slope
  const slopeOfLog = (u: number) => (Math.log(u) > -100 ? 1 / u : 0);
  const want = x.map((xi, i) => {
    if (xi * (1 - xi) >= 1e-12) return torchGrad[i]!;
    return v[i]! * (-y[i]! * slopeOfLog(xi) + (1 - y[i]!) * slopeOfLog(1 - xi));
  });
  assertClose(input.grad!, want, TOLERANCE);
  // The elements where the two differ: PyTorch's gradient there is ±|x − y|·1e12 (or 0 where x = y).
  assert.deepEqual(x.map((xi, i) => xi * (1 - xi) < 1e-12 && torchGrad[i] !== want[i]).filter(Boolean).length, 7);
});

test("smoothL1Loss with beta 0 is l1Loss: PyTorch's gradients except where input = target, where the slope is 0", () => {
  const fixture = fixtures.find((f) => f.name === SMOOTH_L1_TIES)!;
  const { input, target } = run(fixture, (x, y) => loss.smoothL1Loss(x, y, { beta: 0 }));
  const x = expected(fixture.input);
  const y = expected(fixture.target);
  const ties = x.map((xi, i) => xi === y[i]);
  assert.equal(ties.filter(Boolean).length, 4);
  const inputGrad = expected(fixture.inputGrad);
  const targetGrad = expected(fixture.targetGrad!);
  assertClose(input.grad!, inputGrad.map((g, i) => (ties[i] ? 0 : g)), TOLERANCE);
  assertClose(target.grad!, targetGrad.map((g, i) => (ties[i] ? 0 : g)), TOLERANCE);
  // PyTorch 1.13's smooth_l1_loss kernel gives −1 (before the mean) at a tie, for the input and the target alike.
  assert.ok(ties.every((tie, i) => !tie || (inputGrad[i] === -1 / x.length && targetGrad[i] === -1 / x.length)));
});

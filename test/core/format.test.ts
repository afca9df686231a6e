// Printing: formatTensor must give exactly what PyTorch 1.13's repr(tensor)
// gives. The expected strings in test/fixtures/torch/format.json were printed
// by PyTorch 1.13 (scripts/torch-fixtures.py, format_cases) from the same
// values, shape, dtype and requires_grad.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { inspect } from "node:util";
import { formatTensor } from "../../src/core/format.ts";
import { tensor, type DType, type Tensor } from "../../src/index.ts";

/** Explicit values ("nan", "inf", "-inf" spelled as strings), or the sequence start + i * step. */
type ValueSpec = (number | string)[] | { start: number; step: number; count: number };

interface FormatFixture {
  name: string;
  values: ValueSpec;
  shape: number[];
  dtype?: DType;
  requiresGrad?: boolean;
  /** An op applied after creation, so the tensor has a grad_fn: ["mul", 2], ["sum"] ... */
  then?: [string, ...number[]];
  /** What PyTorch 1.13 printed. */
  repr: string;
}

const fixtures: FormatFixture[] = JSON.parse(readFileSync(new URL("../fixtures/torch/format.json", import.meta.url), "utf8"));

function valuesOf(spec: ValueSpec): number[] {
  if (!Array.isArray(spec)) return Array.from({ length: spec.count }, (_, i) => spec.start + i * spec.step);
  return spec.map((v) => (typeof v === "string" ? Number(v.replace("inf", "Infinity").replace("nan", "NaN")) : v));
}

function applyThen(t: Tensor, [name, operand]: [string, ...number[]]): Tensor {
  switch (name) {
    case "mul": return t.mul(operand!);
    case "add": return t.add(operand!);
    case "sub": return t.sub(operand!);
    case "div": return t.div(operand!);
    case "neg": return t.neg();
    case "sum": return t.sum();
    case "mean": return t.mean();
    default: throw new Error(`format fixture: unknown op ${name}`);
  }
}

function build(fixture: FormatFixture): Tensor {
  const t = tensor(valuesOf(fixture.values), {
    shape: fixture.shape,
    dtype: fixture.dtype ?? "float32",
    requiresGrad: fixture.requiresGrad ?? false,
  });
  return fixture.then ? applyThen(t, fixture.then) : t;
}

test("the format fixtures cover at least 30 tensors", () => {
  assert.ok(fixtures.length >= 30, `only ${fixtures.length} fixtures`);
});

for (const fixture of fixtures) {
  test(`prints like PyTorch: ${fixture.name}`, () => {
    assert.equal(formatTensor(build(fixture)), fixture.repr);
  });
}

test("toString and console.log (util.inspect) print the same as formatTensor", () => {
  // PyTorch 1.13: repr(torch.tensor([[1.5, -2.0]], requires_grad=True))
  const t = tensor([[1.5, -2]], { requiresGrad: true });
  const expected = "tensor([[ 1.5000, -2.0000]], requires_grad=True)";
  assert.equal(String(t), expected);
  assert.equal(inspect(t), expected);
});

test("a non-contiguous view prints its own elements in order", () => {
  // PyTorch 1.13: repr(torch.tensor([[1., 2., 3.], [4., 5., 6.]]).t())
  const t = tensor([[1, 2, 3], [4, 5, 6]]).transpose(0, 1);
  assert.equal(formatTensor(t), "tensor([[1., 4.],\n        [2., 5.],\n        [3., 6.]])");
  // PyTorch 1.13: repr(torch.tensor([0.5, 2.0]).expand(2, 2))
  assert.equal(formatTensor(tensor([0.5, 2]).expand(2, 2)), "tensor([[0.5000, 2.0000],\n        [0.5000, 2.0000]])");
});

test("scientific notation rounds ties to even and carries into the exponent", () => {
  // 1.03125 and 99999.5 are exact in binary, so both are true ties at the 4th decimal.
  // PyTorch 1.13: repr(torch.tensor([1.03125, 99999.5, 2.0], dtype=torch.float64))
  const t = tensor([1.03125, 99999.5, 2], { dtype: "float64" });
  assert.equal(formatTensor(t), "tensor([1.0312e+00, 1.0000e+05, 2.0000e+00], dtype=torch.float64)");
});

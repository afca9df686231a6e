// Broadcasting: shapes are aligned on the right; two sizes are compatible when
// equal or when one of them is 1. Checked on hand-worked cases, then by property
// tests against a naive nested-loop reference of the rule and of elementwise ops.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Generator, broadcastShapes, maximum, sub, tensor, zeros, type Tensor } from "../../src/index.ts";
import { assertTensor } from "../helpers/assert.ts";
import { forAll, randomShape } from "../helpers/property.ts";

describe("broadcasting, hand-worked", () => {
  test("a column and a row make a table", () => {
    const column = tensor([[1], [2], [3]]);
    const row = tensor([[10, 20, 30, 40]]);
    assertTensor(column.add(row), [[11, 21, 31, 41], [12, 22, 32, 42], [13, 23, 33, 43]], [3, 4]);
    assertTensor(row.sub(column), [[9, 19, 29, 39], [8, 18, 28, 38], [7, 17, 27, 37]], [3, 4]);
    assertTensor(column.mul(row), [[10, 20, 30, 40], [20, 40, 60, 80], [30, 60, 90, 120]], [3, 4]);
  });

  test("missing leading dims are added", () => {
    const x = tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    assertTensor(x.mul(tensor([10, 100])), [[[10, 200], [30, 400]], [[50, 600], [70, 800]]], [2, 2, 2]);
    assertTensor(tensor([10, 100]).add(x), [[[11, 102], [13, 104]], [[15, 106], [17, 108]]], [2, 2, 2]);
  });

  test("scalars (0-d tensors and numbers) broadcast against anything", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    assertTensor(x.mul(tensor(2)), [[2, 4, 6], [8, 10, 12]], [2, 3]);
    assertTensor(x.add(1), [[2, 3, 4], [5, 6, 7]], [2, 3]);
    assertTensor(sub(1, x), [[0, -1, -2], [-3, -4, -5]], [2, 3]);
    assertTensor(tensor(3).add(tensor(4)), 7, []);
  });

  test("size 0 broadcasts with size 1, giving an empty result", () => {
    assert.deepEqual(zeros([0, 3]).add(zeros([1, 3])).shape, [0, 3]);
    assert.deepEqual(zeros([0]).add(zeros([1])).shape, [0]);
    assert.deepEqual(zeros([2, 0]).mul(zeros([2, 1])).shape, [2, 0]);
    assert.deepEqual(broadcastShapes("test", [0], [1]), [0]);
    assert.throws(() => zeros([0]).add(zeros([2])), /add: shapes \[0\] and \[2\] cannot be broadcast/);
  });

  test("broadcastShapes of several shapes", () => {
    assert.deepEqual(broadcastShapes("test", [3, 1], [1, 4], [2, 1, 1]), [2, 3, 4]);
    assert.deepEqual(broadcastShapes("test", [], [5]), [5]);
    assert.deepEqual(broadcastShapes("test"), []);
    assert.throws(
      () => broadcastShapes("where", [2, 3], [3], [4, 1]),
      /where: shapes \[2, 3\] and \[3\] and \[4, 1\] cannot be broadcast: size 2 and size 4 differ at dim -2 and neither is 1/,
    );
  });

  test("incompatible shapes are refused by every op, naming both shapes", () => {
    const a = zeros([2, 3]);
    const b = zeros([4]);
    for (const [name, run] of [
      ["add", () => a.add(b)], ["sub", () => a.sub(b)], ["mul", () => a.mul(b)],
      ["div", () => a.div(b)], ["maximum", () => a.maximum(b)],
    ] as const) {
      assert.throws(run, new RegExp(`${name}: shapes \\[2, 3\\] and \\[4\\] cannot be broadcast: size 3 and size 4 differ at dim -1`));
    }
  });

  test("gradients of broadcast inputs are summed back to each input's shape", () => {
    const a = tensor([[1], [2], [3]], { requiresGrad: true });
    const b = tensor([[10, 20, 30, 40]], { requiresGrad: true });
    a.mul(b).sum().backward();
    // d/da_i Σ_ij a_i b_j = Σ_j b_j = 100;  d/db_j = Σ_i a_i = 6
    assertTensor(a.grad!, [[100], [100], [100]]);
    assertTensor(b.grad!, [[6, 6, 6, 6]]);

    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const bias = tensor([0.5, -0.5], { requiresGrad: true });
    x.add(bias).mul(x).sum().backward();
    // d/dx (x + bias)·x = 2x + bias;  d/dbias = Σ over rows of x
    assertTensor(x.grad!, [[2.5, 3.5], [6.5, 7.5]]);
    assertTensor(bias.grad!, [4, 6]);
  });
});

// ---- property tests against naive references ---------------------------------

/** The broadcast rule, written as plainly as possible: pad with 1s on the left, then per dim all sizes other than 1 must agree. */
function naiveBroadcastShape(shapes: number[][]): number[] | null {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const padded = shapes.map((s) => [...new Array<number>(rank - s.length).fill(1), ...s]);
  const result: number[] = [];
  for (let d = 0; d < rank; d++) {
    const sizes = new Set(padded.map((s) => s[d]!).filter((size) => size !== 1));
    if (sizes.size > 1) return null;
    result.push(sizes.size === 1 ? [...sizes][0]! : 1);
  }
  return result;
}

/** Row-major position of `index` in a tensor of `shape`, reading broadcast dims (size 1) at 0. */
function broadcastPosition(shape: number[], outIndex: number[]): number {
  const lead = outIndex.length - shape.length;
  let position = 0;
  for (let d = 0; d < shape.length; d++) position = position * shape[d]! + (shape[d] === 1 ? 0 : outIndex[d + lead]!);
  return position;
}

/** out[index] = f(a[index'], b[index'']) by nested loops over the output's indices. */
function naiveZip(a: number[], aShape: number[], b: number[], bShape: number[], outShape: number[], f: (x: number, y: number) => number): number[] {
  const out: number[] = [];
  const visit = (prefix: number[]): void => {
    if (prefix.length === outShape.length) {
      out.push(f(a[broadcastPosition(aShape, prefix)]!, b[broadcastPosition(bShape, prefix)]!));
      return;
    }
    for (let i = 0; i < outShape[prefix.length]!; i++) visit([...prefix, i]);
  };
  visit([]);
  return out;
}

/** A shape that broadcasts to `target`: a suffix of it, with some sizes replaced by 1. */
function broadcastableTo(g: Generator, target: number[]): number[] {
  const keep = g.randint(0, target.length + 1);
  return target.slice(target.length - keep).map((s) => (g.random() < 0.35 ? 1 : s));
}

/** A tensor holding `values` in `shape`, stored either row-major or transposed in memory (non-contiguous). */
function withRandomLayout(g: Generator, values: number[], shape: number[], dtype: "float32" | "float64"): Tensor {
  if (shape.length < 2 || g.random() < 0.5) return tensor(Float64Array.from(values), { shape, dtype });
  // Store the values with the dims reversed in memory, then permute back: same values, transposed strides.
  const dims = shape.map((_, d) => shape.length - 1 - d);
  const t = tensor(Float64Array.from(values), { shape, dtype }).permute(dims).contiguous().permute(dims);
  assert.ok(!t.isContiguous() || shape.filter((s) => s > 1).length < 2);
  return t;
}

const OPS: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
  ["add", (a, b) => a.add(b), (x, y) => x + y],
  ["sub", (a, b) => a.sub(b), (x, y) => x - y],
  ["mul", (a, b) => a.mul(b), (x, y) => x * y],
  ["div", (a, b) => a.div(b), (x, y) => x / y],
  ["maximum", (a, b) => maximum(a, b), (x, y) => Math.max(x, y)],
];

describe("property: broadcasting against naive references", () => {
  test("broadcastShapes agrees with the plain statement of the rule, and errors name every shape", () => {
    forAll("broadcastShapes", (g) => {
      const count = g.randint(1, 4);
      // Sizes 1..3 make both compatible and incompatible sets common.
      const shapes = Array.from({ length: count }, () => randomShape(g, 0, 4, 3));
      const expected = naiveBroadcastShape(shapes);
      if (expected === null) {
        assert.throws(() => broadcastShapes("op", ...shapes), (error: Error) => {
          for (const s of shapes) assert.ok(error.message.includes(`[${s.join(", ")}]`), `${error.message} should name ${JSON.stringify(s)}`);
          return /op: shapes .* cannot be broadcast/.test(error.message);
        });
      } else {
        assert.deepEqual(broadcastShapes("op", ...shapes), expected, JSON.stringify(shapes));
      }
    }, { runs: 500, seed: 21 });
  });

  test("add, sub, mul, div and maximum of compatible shapes match nested loops (float64 and float32, any layout)", () => {
    forAll("elementwise broadcast", (g) => {
      const target = randomShape(g, 0, 4, 4);
      const aShape = broadcastableTo(g, target);
      const bShape = broadcastableTo(g, target);
      const outShape = naiveBroadcastShape([aShape, bShape])!;
      const count = (s: number[]) => s.reduce((n, x) => n * x, 1);
      const aValues = Array.from({ length: count(aShape) }, () => g.normal());
      const bValues = Array.from({ length: count(bShape) }, () => (g.random() < 0.5 ? -1 : 1) * (0.5 + g.random()));
      for (const dtype of ["float64", "float32"] as const) {
        // Values as the dtype stores them, so the reference computes on exactly the same numbers.
        const round = dtype === "float32" ? Math.fround : (v: number) => v;
        const a = withRandomLayout(g, aValues, aShape, dtype);
        const b = withRandomLayout(g, bValues, bShape, dtype);
        for (const [name, op, f] of OPS) {
          const out = op(a, b);
          const label = `${name} ${dtype} ${JSON.stringify(aShape)} ${JSON.stringify(bShape)}`;
          assert.deepEqual([...out.shape], outShape, label);
          assert.equal(out.dtype, dtype, label);
          const expected = naiveZip(aValues.map(round), aShape, bValues.map(round), bShape, outShape, (x, y) => round(f(x, y)));
          assert.deepEqual(Array.from(out.toTypedArray()), expected, label);
        }
      }
    }, { runs: 200, seed: 22 });
  });

  test("incompatible pairs throw an error naming both shapes", () => {
    forAll("incompatible broadcast", (g) => {
      const target = randomShape(g, 1, 4, 4);
      const aShape = [...broadcastableTo(g, target.slice(0, -1)), 0];
      const bShape = [...broadcastableTo(g, target.slice(0, -1)), 0];
      // Make the last dims clash: two different sizes, neither of them 1.
      aShape[aShape.length - 1] = g.randint(2, 5);
      bShape[bShape.length - 1] = aShape[aShape.length - 1]! + g.randint(1, 3);
      const a = zeros(aShape);
      const b = zeros(bShape);
      const shapes = `shapes [${aShape.join(", ")}] and [${bShape.join(", ")}] cannot be broadcast`;
      for (const [name, op] of OPS) {
        assert.throws(() => op(a, b), (error: Error) => error.message.startsWith(`${name}: ${shapes}`), name);
      }
    }, { runs: 100, seed: 23 });
  });
});

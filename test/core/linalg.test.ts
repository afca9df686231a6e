// Matrix products: matmul's rank rules and broadcasting, mm, bmm, mv, dot,
// outer, gradients, errors, and the reference kernel. Values marked
// "PyTorch 1.13" were computed with torch 1.13 using the expression quoted.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  arange, bmm, dot, matmul, mm, mv, ones, outer, randn, tensor, zeros, type Generator, type Tensor,
} from "../../src/index.ts";
import { batchOffsets, matmulReference } from "../../src/core/matmul-kernel.ts";
import { assertClose, assertTensor } from "../helpers/assert.ts";
import { forAll } from "../helpers/property.ts";

/** arange(n) as float32 in the given shape. */
const counting = (shape: number[]) => arange(shape.reduce((n, s) => n * s, 1)).float().reshape(shape);

describe("matmul result shapes", () => {
  // [a shape, b shape, result shape], each checked against torch.matmul(torch.zeros(a), torch.zeros(b)).shape in PyTorch 1.13
  const table: [number[], number[], number[]][] = [
    [[3], [3], []],
    [[3], [3, 4], [4]],
    [[3], [2, 3, 4], [2, 4]],
    [[2, 3], [3], [2]],
    [[2, 3, 4], [4], [2, 3]],
    [[2, 3], [3, 4], [2, 4]],
    [[2, 3, 4], [4, 5], [2, 3, 5]],
    [[4, 5], [2, 5, 3], [2, 4, 3]],
    [[1, 2, 3], [2, 3, 2], [2, 2, 2]],
    [[2, 1, 3, 4], [5, 4, 6], [2, 5, 3, 6]],
    [[0, 3], [3, 4], [0, 4]],
    [[2, 0], [0, 3], [2, 3]],
    [[0, 2, 3], [3, 1], [0, 2, 1]],
  ];
  for (const [a, b, expected] of table) {
    test(`${JSON.stringify(a)}·${JSON.stringify(b)} → ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(matmul(zeros(a), zeros(b)).shape, expected);
    });
  }

  test("an empty inner dim gives zeros", () => {
    assertTensor(matmul(zeros([2, 0]), zeros([0, 3])), [[0, 0, 0], [0, 0, 0]]);
  });
});

describe("matmul values", () => {
  test("hand-worked products for every rank combination", () => {
    const m = tensor([[1, 2], [3, 4]]);
    assertTensor(matmul(m, tensor([[5, 6], [7, 8]])), [[19, 22], [43, 50]]);
    assertTensor(matmul(tensor([1, 2, 3]), tensor([4, 5, 6])), 32, []);
    assertTensor(matmul(m, tensor([1, -1])), [-1, -1]);
    assertTensor(matmul(tensor([1, -1]), m), [-2, -2]);
    // torch.tensor([1., 0, -1]) @ torch.arange(24.).reshape(2, 3, 4) in PyTorch 1.13
    assertTensor(matmul(tensor([1, 0, -1]), counting([2, 3, 4])), [[-8, -8, -8, -8], [-8, -8, -8, -8]]);
    // torch.arange(24.).reshape(2, 3, 4) @ torch.tensor([1., 2, 3, 4]) in PyTorch 1.13
    assertTensor(matmul(counting([2, 3, 4]), tensor([1, 2, 3, 4])), [[20, 60, 100], [140, 180, 220]]);
  });

  test("broadcast batch dims match PyTorch", () => {
    // a = (torch.arange(12.).reshape(2, 1, 2, 3) - 5) / 4; b = (torch.arange(18.).reshape(3, 3, 2) - 7) / 3; a @ b in PyTorch 1.13
    const a = counting([2, 1, 2, 3]).sub(5).div(4);
    const b = counting([3, 3, 2]).sub(7).div(3);
    const c = matmul(a, b);
    assert.deepEqual(c.shape, [2, 3, 2, 2]);
    assertClose(c, [
      [[[5.3333330154418945, 4.333333492279053], [1.5833332538604736, 1.3333333730697632]],
        [[-0.6666666269302368, -1.6666667461395264], [0.0833333358168602, -0.1666666716337204]],
        [[-6.666666507720947, -7.6666669845581055], [-1.4166666269302368, -1.6666667461395264]]],
      [[[-2.1666665077209473, -1.6666667461395264], [-5.916666507720947, -4.6666669845581055]],
        [[0.8333333134651184, 1.3333333730697632], [1.5833333730697632, 2.8333334922790527]],
        [[3.8333332538604736, 4.333333492279053], [9.083333015441895, 10.333333969116211]]],
    ]);
  });

  test("transposed and expanded operands are read through their strides", () => {
    const a = randn([4, 3]);
    const b = randn([4, 5]);
    const viaTranspose = matmul(a.T, b); // a.T has strides [1, 3]
    assert.equal(a.T.isContiguous(), false);
    assertClose(viaTranspose, matmul(a.T.contiguous(), b).tolist());
    assertClose(matmul(b.T, a), matmul(b.T.contiguous(), a).tolist());
    const row = tensor([[1, 2, 3]]).expand(4, 3); // stride 0 on dim 0
    assertTensor(matmul(row, tensor([[1], [1], [1]])), [[6], [6], [6], [6]]);
    const batch = counting([3, 4]).expand(2, 3, 4);
    assertTensor(matmul(batch, ones([4, 1])), [[[6], [22], [38]], [[6], [22], [38]]]);
  });

  test("integer matrices give an integer result", () => {
    // torch.tensor([[1, 2], [3, 4]], dtype=torch.int32) @ torch.tensor([[5], [6]], dtype=torch.int32) in PyTorch 1.13
    const product = matmul(tensor([[1, 2], [3, 4]], { dtype: "int32" }), tensor([[5], [6]], { dtype: "int32" }));
    assert.equal(product.dtype, "int32");
    assertTensor(product, [[17], [39]]);
  });

  test("dtypes are promoted (PyTorch 1.13 would refuse float32·float64)", () => {
    const product = matmul(tensor([[1, 2]]), tensor([[3], [4]], { dtype: "float64" }));
    assert.equal(product.dtype, "float64");
    assertTensor(product, [[11]]);
    assert.equal(matmul(tensor([[1, 2]], { dtype: "int32" }), tensor([[0.5], [0.25]])).dtype, "float32");
  });
});

describe("mm, bmm, mv, dot, outer", () => {
  test("values", () => {
    const m = counting([2, 3]);
    assertTensor(mm(m, counting([3, 2])), [[10, 13], [28, 40]]);
    assertTensor(bmm(counting([2, 1, 2]), counting([2, 2, 1])), [[[1]], [[13]]]);
    // torch.mv(torch.arange(6.).reshape(2, 3), torch.tensor([1., -2, 3])) in PyTorch 1.13
    assertTensor(mv(m, tensor([1, -2, 3])), [4, 10]);
    assertTensor(dot(tensor([1, -2, 3]), tensor([4, 5, 6])), 12, []);
    // torch.outer(torch.tensor([1., 2]), torch.tensor([3., 4, 5])) in PyTorch 1.13
    assertTensor(outer(tensor([1, 2]), tensor([3, 4, 5])), [[3, 4, 5], [6, 8, 10]]);
    assert.equal(outer(tensor([1, 2], { dtype: "int32" }), tensor([3])).dtype, "float32");
  });

  test("methods", () => {
    const m = tensor([[1, 2], [3, 4]]);
    assertTensor(m.mm(m), [[7, 10], [15, 22]]);
    assertTensor(m.mv(tensor([1, 1])), [3, 7]);
    assertTensor(tensor([1, 2]).dot(tensor([3, 4])), 11);
    assertTensor(tensor([1, 2]).outer(tensor([3])), [[3], [6]]);
    assertTensor(m.unsqueeze(0).bmm(m.unsqueeze(0)), [[[7, 10], [15, 22]]]);
    assertTensor(m.matmul(m), [[7, 10], [15, 22]]);
  });
});

describe("errors", () => {
  test("matmul names both shapes and the rule", () => {
    assert.throws(() => matmul(zeros([2, 3]), zeros([4, 5])), { message: "matmul: cannot multiply [2, 3] by [4, 5]: inner dimensions 3 and 4 differ" });
    assert.throws(() => matmul(zeros([3]), zeros([4])), { message: "matmul: cannot multiply [3] by [4]: inner dimensions 3 and 4 differ" });
    assert.throws(() => matmul(zeros([2, 3]), zeros([2])), /matmul: cannot multiply \[2, 3\] by \[2\]: inner dimensions 3 and 2 differ/);
    assert.throws(() => matmul(zeros([2, 2, 3]), zeros([3, 3, 4])),
      /matmul: cannot multiply \[2, 2, 3\] by \[3, 3, 4\]: batch dimensions \[2\] and \[3\] do not broadcast/);
    assert.throws(() => matmul(tensor(2), zeros([3])), /matmul: both arguments need at least 1 dim, got shapes \[\] \(0-D\) and \[3\] \(1-D\)/);
    assert.throws(() => matmul(zeros([2, 2], { dtype: "bool" }), zeros([2, 2], { dtype: "bool" })), /matmul: cannot multiply bool tensors/);
  });

  test("mm, bmm, mv, dot and outer name the rank they expect", () => {
    assert.throws(() => mm(zeros([2]), zeros([2, 2])), /mm: expected the first argument to be a matrix \(2-D\), got shape \[2\] \(1-D\)/);
    assert.throws(() => mm(zeros([2, 3]), zeros([2, 2])), { message: "mm: cannot multiply [2, 3] by [2, 2]: inner dimensions 3 and 2 differ" });
    assert.throws(() => bmm(zeros([2, 3]), zeros([2, 3, 2])), /bmm: expected the first argument to be a batch of matrices \(3-D\), got shape \[2, 3\] \(2-D\)/);
    assert.throws(() => bmm(zeros([2, 2, 3]), zeros([3, 3, 2])), /bmm: cannot multiply \[2, 2, 3\] by \[3, 3, 2\]: batch sizes 2 and 3 differ/);
    assert.throws(() => bmm(zeros([2, 2, 3]), zeros([2, 4, 2])), /bmm: cannot multiply \[2, 2, 3\] by \[2, 4, 2\]: inner dimensions 3 and 4 differ/);
    assert.throws(() => mv(zeros([2, 3]), zeros([3, 1])), /mv: expected the second argument to be a vector \(1-D\), got shape \[3, 1\] \(2-D\)/);
    assert.throws(() => mv(zeros([2, 3]), zeros([4])), /mv: cannot multiply \[2, 3\] by \[4\]: inner dimensions 3 and 4 differ/);
    assert.throws(() => dot(zeros([2, 1]), zeros([2])), /dot: expected the first argument to be a vector \(1-D\), got shape \[2, 1\] \(2-D\)/);
    assert.throws(() => dot(zeros([2]), zeros([3])), /dot: cannot multiply \[2\] by \[3\]: inner dimensions 2 and 3 differ/);
    assert.throws(() => outer(zeros([2, 1]), zeros([2])), /outer: expected the first argument to be a vector \(1-D\)/);
  });
});

describe("matmul gradients", () => {
  test("of a broadcast batched product match PyTorch", () => {
    // a, b as in "broadcast batch dims match PyTorch"; w = torch.arange(24.).reshape(2, 3, 2, 2) / 10 - 1
    // ((a @ b) * w).sum().backward() in PyTorch 1.13
    const a = counting([2, 1, 2, 3]).sub(5).div(4).requiresGrad_();
    const b = counting([3, 3, 2]).sub(7).div(3).requiresGrad_();
    matmul(a, b).mul(counting([2, 3, 2, 2]).div(10).sub(1)).sum().backward();
    assertClose(a.grad!, [
      [[[3.799999713897705, 1.6000001430511475, -0.6000000238418579], [3.6000001430511475, 2.200000047683716, 0.8000000715255737]]],
      [[[2.5999996662139893, 5.199999809265137, 7.799999237060547], [2.4000000953674316, 5.799999713897705, 9.199999809265137]]],
    ]);
    assertClose(b.grad!, [
      [[2.0999999046325684, 2.049999952316284], [1.8000000715255737, 1.8499999046325684], [1.5, 1.6499998569488525]],
      [[1.8999998569488525, 1.850000023841858], [2.0, 2.049999952316284], [2.0999999046325684, 2.25]],
      [[1.7000000476837158, 1.649999976158142], [2.200000047683716, 2.25], [2.700000286102295, 2.8499999046325684]],
    ]);
  });

  test("through vector operands (hand-worked)", () => {
    // d/du (u·v) = v, d/dv = u
    const u = tensor([1, 2, 3], { requiresGrad: true });
    const v = tensor([4, 5, 6], { requiresGrad: true });
    matmul(u, v).backward();
    assertTensor(u.grad!, [4, 5, 6]);
    assertTensor(v.grad!, [1, 2, 3]);
    // L = Σ (M·x): dL/dM[i][j] = x[j], dL/dx[j] = Σ_i M[i][j]
    const m = tensor([[1, 2], [3, 4], [5, 6]], { requiresGrad: true });
    const x = tensor([1, -1], { requiresGrad: true });
    mv(m, x).sum().backward();
    assertTensor(m.grad!, [[1, -1], [1, -1], [1, -1]]);
    assertTensor(x.grad!, [9, 12]);
  });

  test("outer's gradient", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4, 5], { requiresGrad: true });
    outer(a, b).sum().backward();
    assertTensor(a.grad!, [12, 12]);
    assertTensor(b.grad!, [3, 3, 3]);
  });
});

/** The matmul of nested-loop textbooks, for the property test: flat row-major values of the result. */
function naiveMatmul(a: Tensor, b: Tensor): number[] {
  const aShape = a.ndim === 1 ? [1, a.shape[0]!] : [...a.shape];
  const bShape = b.ndim === 1 ? [b.shape[0]!, 1] : [...b.shape];
  const av = Array.from(a.toTypedArray());
  const bv = Array.from(b.toTypedArray());
  const [m, k] = aShape.slice(-2) as [number, number];
  const n = bShape[bShape.length - 1]!;
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const rank = Math.max(aBatch.length, bBatch.length);
  const padded = (s: number[]) => [...new Array<number>(rank - s.length).fill(1), ...s];
  const [pa, pb] = [padded(aBatch), padded(bBatch)];
  const batch = pa.map((s, d) => Math.max(s, pb[d]!));
  const out: number[] = [];
  const batchCount = batch.reduce((x, s) => x * s, 1);
  for (let flat = 0; flat < batchCount; flat++) {
    // The batch multi-index, then each operand's own batch number (size-1 dims stay at 0).
    let rest = flat;
    const index = batch.map(() => 0);
    for (let d = rank - 1; d >= 0; d--) {
      index[d] = rest % batch[d]!;
      rest = Math.floor(rest / batch[d]!);
    }
    const own = (sizes: number[]) => index.reduce((acc, i, d) => acc * sizes[d]! + (sizes[d] === 1 ? 0 : i), 0);
    const aBase = own(pa) * m * k;
    const bBase = own(pb) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let total = 0;
        for (let p = 0; p < k; p++) total += av[aBase + i * k + p]! * bv[bBase + p * n + j]!;
        out.push(total);
      }
    }
  }
  return out;
}

/** A random float64 tensor of `shape`, sometimes stored transposed (non-contiguous) or broadcast from one row. */
function randomOperand(g: Generator, shape: number[]): Tensor {
  const choice = g.randint(0, 3);
  if (choice === 1 && shape.length >= 2) return randn([...shape.slice(0, -2), shape.at(-1)!, shape.at(-2)!], { dtype: "float64", generator: g }).mT;
  if (choice === 2 && shape.length >= 1) return randn([1, ...shape.slice(1)], { dtype: "float64", generator: g }).expand(shape);
  return randn(shape, { dtype: "float64", generator: g });
}

describe("matmul property", () => {
  test("agrees with a naive triple loop on random shapes, layouts and broadcast batches", () => {
    forAll("matmul = naive", (g) => {
      const [m, k, n] = [g.randint(1, 5), g.randint(0, 5), g.randint(1, 5)];
      const batch = Array.from({ length: g.randint(0, 3) }, () => g.randint(1, 4));
      // Each operand keeps a random suffix of the batch dims, some of them shrunk to 1 (broadcast).
      const own = () => batch.slice(g.randint(0, batch.length + 1)).map((s) => (g.random() < 0.3 ? 1 : s));
      const aShape = g.random() < 0.2 ? [k] : [...own(), m, k];
      const bShape = g.random() < 0.2 ? [k] : [...own(), k, n];
      const a = randomOperand(g, aShape);
      const b = randomOperand(g, bShape);
      const product = matmul(a, b);
      const flat = Array.from(product.toTypedArray());
      assert.deepEqual(flat.length, naiveMatmul(a, b).length, `shapes ${JSON.stringify(aShape)}·${JSON.stringify(bShape)}`);
      naiveMatmul(a, b).forEach((want, i) => assert.ok(Math.abs(flat[i]! - want) <= 1e-12 * (1 + Math.abs(want)), `element ${i}`));
    }, { runs: 200 });
  });
});

describe("reference kernel", () => {
  test("batchOffsets walks the batch in row-major order, stride 0 repeating an entry", () => {
    assert.deepEqual(batchOffsets([2, 3], [100, 10], 5), [5, 15, 25, 105, 115, 125]);
    assert.deepEqual(batchOffsets([2, 2], [0, 7], 0), [0, 7, 0, 7]);
    assert.deepEqual(batchOffsets([], [], 4), [4]);
  });

  test("multiplies through strides: a transposed B and a broadcast A", () => {
    // A = [[1, 2], [3, 4]] shared by both batch entries (batch stride 0);
    // B_0 = [[1, 0], [0, 1]] and B_1 = [[2, 1], [0, 3]], each stored transposed (column after column).
    const aData = new Float32Array([1, 2, 3, 4]);
    const bData = new Float64Array([1, 0, 0, 1, 2, 0, 1, 3]);
    const out = new Float32Array(8);
    matmulReference({
      batchShape: [2], m: 2, k: 2, n: 2,
      a: { data: aData, offset: 0, batchStrides: [0], rowStride: 2, colStride: 1 },
      b: { data: bData, offset: 0, batchStrides: [4], rowStride: 1, colStride: 2 },
      out,
    });
    assert.deepEqual([...out], [1, 2, 3, 4, 2, 7, 6, 15]);
  });

  test("accumulates in doubles and rounds once into float32", () => {
    // 1 + 1e-8 - 1 is 1e-8 in doubles; summed in float32 it would be 0.
    const out = new Float32Array(1);
    matmulReference({
      batchShape: [], m: 1, k: 3, n: 1,
      a: { data: new Float64Array([1, 1e-8, -1]), offset: 0, batchStrides: [], rowStride: 3, colStride: 1 },
      b: { data: new Float64Array([1, 1, 1]), offset: 0, batchStrides: [], rowStride: 1, colStride: 1 },
      out,
    });
    assert.equal(out[0], Math.fround((1 + 1e-8) - 1));
    assert.ok(out[0]! > 0);
  });

  test("refuses an output of the wrong size", () => {
    const one = { data: new Float32Array(4), offset: 0, batchStrides: [], rowStride: 2, colStride: 1 };
    assert.throws(() => matmulReference({ batchShape: [], m: 2, k: 2, n: 2, a: one, b: one, out: new Float32Array(3) }),
      /matmulReference: the output has 3 elements, the batch needs 1·2·2/);
  });
});

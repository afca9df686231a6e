// Making tensors: from data, constants, ranges, identity matrices and random
// draws, with their shapes, dtypes, options and error messages.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  Generator, arange, eye, full, fullLike, linspace, ones, onesLike, rand, randint, randintLike, randLike, randn, randnLike,
  randperm, scalarTensor, tensor, zeros, zerosLike, type NestedArray,
} from "../../src/index.ts";
import { assertClose, assertTensor } from "../helpers/assert.ts";

describe("tensor()", () => {
  test("nested arrays give the shape and the row-major values", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(x.shape, [2, 3]);
    assert.deepEqual(x.strides, [3, 1]);
    assert.deepEqual(Array.from(x.toTypedArray()), [1, 2, 3, 4, 5, 6]);
    assertTensor(tensor([[[1], [2]]]), [[[1], [2]]], [1, 2, 1]);
    assertTensor(tensor(3.5), 3.5, []);
    assertTensor(tensor([]), [], [0]);
    assertTensor(tensor([[], []]), [[], []], [2, 0]);
  });

  test("dtype inference: numbers give float32 (documented; PyTorch would give int64 for whole numbers), all-boolean data gives bool", () => {
    assert.equal(tensor([1, 2]).dtype, "float32");
    assert.equal(tensor([1.5]).dtype, "float32");
    assert.equal(tensor(2).dtype, "float32");
    assert.equal(tensor([true, false]).dtype, "bool");
    assert.equal(tensor(true).dtype, "bool");
    assert.deepEqual(tensor([[true], [false]]).tolist(), [[true], [false]]);
    assert.equal(tensor([]).dtype, "float32");
  });

  test("booleans mixed with numbers count as numbers (PyTorch 1.13: torch.tensor([True, 2]) is [1, 2])", () => {
    const x = tensor([true, 2, false, 0.5] as unknown as NestedArray);
    assert.equal(x.dtype, "float32");
    assertTensor(x, [1, 2, 0, 0.5]);
  });

  test("float32 storage rounds values; float64 keeps them", () => {
    assert.equal(tensor([0.1]).item(), Math.fround(0.1));
    assert.notEqual(tensor([0.1]).item(), 0.1);
    assert.equal(tensor([0.1], { dtype: "float64" }).item(), 0.1);
  });

  test("an explicit dtype converts the values", () => {
    assertTensor(tensor([1.7, -1.7, 2], { dtype: "int32" }), [1, -1, 2]); // toward zero, as in PyTorch
    assert.equal(tensor([1.7], { dtype: "int32" }).dtype, "int32");
    assertTensor(tensor([0, 2, -0.5], { dtype: "bool" }), [false, true, true]);
    assertTensor(tensor([true, false], { dtype: "float64" }), [1, 0]);
  });

  test("typed arrays with a shape; the dtype follows the array type unless given", () => {
    const x = tensor(new Float64Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2] });
    assert.equal(x.dtype, "float64");
    assertTensor(x, [[1, 2], [3, 4], [5, 6]], [3, 2]);
    assert.equal(tensor(new Int32Array([1, 2])).dtype, "int32");
    assert.equal(tensor(new Float32Array([1, 2])).dtype, "float32");
    assert.equal(tensor(new Uint8Array([0, 1])).dtype, "bool");
    assert.deepEqual(tensor(new Float32Array(4)).shape, [4]);
    assertTensor(tensor(new Float64Array([1.5, -2.5]), { dtype: "int32" }), [1, -2]);
  });

  test("tensor() copies its input: later changes to the array do not leak in", () => {
    const data = new Float32Array([1, 2, 3]);
    const x = tensor(data);
    data[0] = 100;
    assertTensor(x, [1, 2, 3]);
  });

  test("nested data can be given a new shape", () => {
    assertTensor(tensor([1, 2, 3, 4], { shape: [2, 2] }), [[1, 2], [3, 4]], [2, 2]);
  });

  test("errors: ragged data, wrong lengths, bad shapes, unknown dtypes", () => {
    assert.throws(() => tensor([[1, 2], [3]]), /tensor: the nested array is not rectangular: expected length 2 at index \[1\], got 1/);
    assert.throws(() => tensor([[1, 2], 3] as unknown as NestedArray), /tensor: the nested array is not rectangular/);
    assert.throws(() => tensor([1, [2]] as unknown as NestedArray), /tensor: expected a number at index \[1\], got an array: nested arrays must be rectangular/);
    assert.throws(() => tensor(["a"] as unknown as NestedArray), /tensor: expected a number at index \[0\], got string/);
    assert.throws(() => tensor(new Float32Array(5), { shape: [2, 3] }), /tensor: shape \[2, 3\] needs 6 values, the typed array has 5/);
    assert.throws(() => tensor([1, 2, 3], { shape: [2, 2] }), /tensor: shape \[2, 2\] needs 4 values, the data has 3/);
    assert.throws(() => tensor(new Float32Array(2), { shape: [-1, -2] }), /tensor: invalid shape \[-1, -2\]: sizes must be non-negative integers/);
    assert.throws(() => tensor([1], { dtype: "int64" as never }), /tensor: unknown dtype "int64" \(expected float32, float64, int32 or bool\)/);
  });

  test("requiresGrad option makes a leaf that requires grad; only for floating dtypes", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    assert.equal(x.requiresGrad, true);
    assert.equal(x.isLeaf, true);
    assert.equal(tensor([1, 2]).requiresGrad, false);
    assert.throws(() => tensor([1, 2], { dtype: "int32", requiresGrad: true }), /requiresGrad: only floating-point tensors can require gradients, this one is int32/);
  });

  test("scalarTensor makes a 0-d tensor", () => {
    assertTensor(scalarTensor(2.5), 2.5, []);
    assert.equal(scalarTensor(2.5).dtype, "float32");
    assertTensor(scalarTensor(2.5, "int32"), 2, []);
  });
});

describe("zeros, ones, full and *Like", () => {
  test("shapes, values and the float32 default", () => {
    assertTensor(zeros([2, 3]), [[0, 0, 0], [0, 0, 0]], [2, 3]);
    assertTensor(ones([2]), [1, 1], [2]);
    assertTensor(full([2, 2], 7.5), [[7.5, 7.5], [7.5, 7.5]]);
    assertTensor(zeros([]), 0, []);
    assertTensor(zeros([0, 4]), [], [0, 4]);
    for (const t of [zeros([1]), ones([1]), full([1], 3)]) assert.equal(t.dtype, "float32");
  });

  test("dtype and requiresGrad options", () => {
    assert.equal(zeros([2], { dtype: "int32" }).dtype, "int32");
    assertTensor(ones([2], { dtype: "bool" }), [true, true]);
    // PyTorch 1.13: torch.full((2,), 2.7, dtype=torch.int32) is [2, 2]
    assertTensor(full([2], 2.7, { dtype: "int32" }), [2, 2]);
    assertTensor(full([2], -2.7, { dtype: "int32" }), [-2, -2]);
    const w = zeros([3], { dtype: "float64", requiresGrad: true });
    assert.equal(w.requiresGrad, true);
    assert.equal(w.dtype, "float64");
    assert.throws(() => ones([2], { dtype: "int32", requiresGrad: true }), /only floating-point tensors can require gradients/);
  });

  test("errors name the function and the bad shape", () => {
    assert.throws(() => zeros([2, -1]), /full: invalid shape \[2, -1\]: sizes must be non-negative integers/);
    assert.throws(() => ones([1.5]), /invalid shape \[1.5\]/);
    assert.throws(() => full([2], 1, { dtype: "half" as never }), /full: unknown dtype "half"/);
  });

  test("*Like copy shape and dtype, and options override them", () => {
    const x = tensor([[1, 2, 3]], { dtype: "int32" });
    const z = zerosLike(x);
    assert.deepEqual(z.shape, [1, 3]);
    assert.equal(z.dtype, "int32");
    assertTensor(z, [[0, 0, 0]]);
    assertTensor(onesLike(x), [[1, 1, 1]]);
    assertTensor(fullLike(x, 4), [[4, 4, 4]]);
    assert.equal(onesLike(x, { dtype: "float64" }).dtype, "float64");
    const y = tensor([1, 2]);
    assert.equal(zerosLike(y, { requiresGrad: true }).requiresGrad, true);
    // *Like tensors are new memory and are not part of any graph.
    const g = tensor([1, 2], { requiresGrad: true });
    const like = onesLike(g);
    assert.equal(like.requiresGrad, false);
    assert.notEqual(like.storage, g.storage);
  });
});

describe("arange", () => {
  test("PyTorch semantics: arange(5), arange(1, 4), negative steps, empty ranges", () => {
    // PyTorch 1.13 (int64 there, int32 here): torch.arange(5), torch.arange(1, 4), torch.arange(5, 0, -1), torch.arange(10, 0, -3), torch.arange(1, 1)
    assertTensor(arange(5), [0, 1, 2, 3, 4], [5]);
    assertTensor(arange(1, 4), [1, 2, 3], [3]);
    assertTensor(arange(5, 0, -1), [5, 4, 3, 2, 1]);
    assertTensor(arange(10, 0, -3), [10, 7, 4, 1]);
    assertTensor(arange(1, 1), [], [0]);
    for (const t of [arange(5), arange(1, 4), arange(5, 0, -1)]) assert.equal(t.dtype, "int32");
  });

  test("fractional arguments give float32 values (PyTorch 1.13 values)", () => {
    // torch.arange(0, 1, 0.25), torch.arange(1, 2.5, 0.5), torch.arange(-1, 1, 0.5)
    assertTensor(arange(0, 1, 0.25), [0, 0.25, 0.5, 0.75]);
    assertTensor(arange(1, 2.5, 0.5), [1, 1.5, 2]);
    assertTensor(arange(-1, 1, 0.5), [-1, -0.5, 0, 0.5]);
    // torch.arange(0, 0.3, 0.1): three elements although 0.3 / 0.1 is not exact in binary
    assertTensor(arange(0, 0.3, 0.1), [0, 0.10000000149011612, 0.20000000298023224]);
    // torch.arange(0, 1, 0.1)
    assertTensor(arange(0, 1, 0.1), [
      0, 0.10000000149011612, 0.20000000298023224, 0.30000001192092896, 0.4000000059604645,
      0.5, 0.6000000238418579, 0.699999988079071, 0.800000011920929, 0.8999999761581421,
    ]);
    assert.equal(arange(0, 1, 0.25).dtype, "float32");
  });

  test("a dtype option overrides the inferred one", () => {
    const x = arange(3, undefined, 1, { dtype: "float64", requiresGrad: true });
    assert.equal(x.dtype, "float64");
    assert.equal(x.requiresGrad, true);
    assertTensor(x, [0, 1, 2]);
  });

  test("errors: zero step, a step of the wrong sign, infinite bounds", () => {
    assert.throws(() => arange(0, 5, 0), /arange: step must be a non-zero finite number, got 0/);
    assert.throws(() => arange(5, 1), /arange: the range \[5, 1\) cannot be walked with step 1/);
    assert.throws(() => arange(0, 5, -1), /arange: the range \[0, 5\) cannot be walked with step -1/);
    assert.throws(() => arange(0, Infinity), /arange: start and end must be finite/);
  });
});

describe("linspace", () => {
  test("evenly spaced values with exact endpoints (PyTorch 1.13 values)", () => {
    assertTensor(linspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1], [5]);
    assertTensor(linspace(-1, 2, 7), [-1, -0.5, 0, 0.5, 1, 1.5, 2]);
    assertTensor(linspace(3, 3, 4), [3, 3, 3, 3]);
    assertTensor(linspace(0, 1, 2), [0, 1]);
    assertTensor(linspace(0, 1, 3), [0, 0.5, 1]);
    // torch.linspace(-5, 7, 10); PyTorch steps in float32, so the inner values agree to float32 rounding.
    const x = linspace(-5, 7, 10);
    assertClose(x, [
      -5, -3.6666665077209473, -2.3333332538604736, -0.9999998807907104, 0.33333349227905273,
      1.6666665077209473, 3, 4.3333330154418945, 5.666666507720947, 7,
    ], { atol: 1e-6, rtol: 0 });
    assert.equal(x.toTypedArray()[0], -5);
    assert.equal(x.toTypedArray()[9], 7);
    // PyTorch 1.13: torch.linspace(-1, 0.3, 11, dtype=torch.float64). Its inner values depend in the last bit on
    // PyTorch's SIMD width; the end must be exactly 0.3, where a naive -1 + 10·0.13 gives 0.30000000000000004.
    const y = linspace(-1, 0.3, 11, { dtype: "float64" });
    assertClose(y, [
      -1, -0.87, -0.74, -0.61, -0.48, -0.35, -0.21999999999999997, -0.08999999999999997, 0.03999999999999998, 0.16999999999999998, 0.3,
    ], { atol: 1e-15, rtol: 0 });
    assert.equal(y.toTypedArray()[0], -1);
    assert.equal(y.toTypedArray()[10], 0.3);
  });

  test("steps 0 gives an empty tensor, steps 1 gives [start] (torch.linspace(2, 5, 1) is [2])", () => {
    assertTensor(linspace(2, 5, 0), [], [0]);
    assertTensor(linspace(2, 5, 1), [2], [1]);
  });

  test("dtype, requiresGrad and errors", () => {
    assert.equal(linspace(0, 1, 3).dtype, "float32");
    assert.equal(linspace(0, 1, 3, { dtype: "float64" }).dtype, "float64");
    assert.equal(linspace(0, 1, 3, { requiresGrad: true }).requiresGrad, true);
    assert.throws(() => linspace(0, 1, -1), /linspace: steps must be a non-negative integer, got -1/);
    assert.throws(() => linspace(0, 1, 2.5), /linspace: steps must be a non-negative integer, got 2.5/);
  });
});

describe("eye", () => {
  test("square and rectangular identity matrices (PyTorch 1.13 values)", () => {
    assertTensor(eye(3), [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [3, 3]);
    assertTensor(eye(2, 3), [[1, 0, 0], [0, 1, 0]], [2, 3]);
    assertTensor(eye(3, 2), [[1, 0], [0, 1], [0, 0]], [3, 2]);
    assertTensor(eye(0), [], [0, 0]);
    assert.equal(eye(2).dtype, "float32");
  });

  test("options and errors", () => {
    assertTensor(eye(2, 2, { dtype: "int32" }), [[1, 0], [0, 1]]);
    assertTensor(eye(2, 2, { dtype: "bool" }), [[true, false], [false, true]]);
    const e = eye(2, 2, { requiresGrad: true });
    assert.equal(e.requiresGrad, true);
    assert.equal(e.isLeaf, true);
    assert.throws(() => eye(-1), /eye: invalid shape \[-1, -1\]/);
    assert.throws(() => eye(2.5), /eye: invalid shape/);
  });
});

describe("random creation", () => {
  test("randint refuses bool (it cannot hold the integers)", () => {
    assert.throws(() => randint(0, 5, [6], { dtype: "bool" }), /randint: dtype bool cannot hold random integers/);
  });

  test("rand: shape, float32 default, values in [0, 1)", () => {
    const x = rand([50, 40], { generator: new Generator(1) });
    assert.deepEqual(x.shape, [50, 40]);
    assert.equal(x.dtype, "float32");
    for (const v of x.toTypedArray()) assert.ok(v >= 0 && v < 1, `${v}`);
    assert.equal(rand([2], { dtype: "float64" }).dtype, "float64");
    assert.deepEqual(rand([]).shape, []);
    assert.deepEqual(rand([0, 3]).shape, [0, 3]);
  });

  test("rand in float32 stays below 1 even when the double draw rounds up to 1", () => {
    // The largest doubles below 1 round to exactly 1 in float32; rand must still be in [0, 1).
    class NearlyOne extends Generator {
      override random(): number {
        return 1 - 2 ** -40;
      }
    }
    const x = rand([3], { generator: new NearlyOne() });
    for (const v of x.toTypedArray()) assert.ok(v < 1, `rand gave ${v}`);
    assert.equal(rand([1], { generator: new NearlyOne(), dtype: "float64" }).item(), 1 - 2 ** -40);
  });

  test("randn: shape, dtype, and a mix of signs", () => {
    const x = randn([1000], { generator: new Generator(2) });
    assert.equal(x.dtype, "float32");
    const values = Array.from(x.toTypedArray());
    assert.ok(values.some((v) => v < -1) && values.some((v) => v > 1));
    assert.equal(randn([2, 2], { dtype: "float64" }).dtype, "float64");
  });

  test("rand and randn refuse integer dtypes", () => {
    assert.throws(() => rand([2], { dtype: "int32" }), /rand: dtype must be float32 or float64, got int32/);
    assert.throws(() => randn([2], { dtype: "bool" }), /randn: dtype must be float32 or float64, got bool/);
    assert.throws(() => randn([-2]), /randn: invalid shape \[-2\]/);
  });

  test("randint: int32 values in [low, high), every value reached", () => {
    const x = randint(-3, 4, [2000], { generator: new Generator(3) });
    assert.equal(x.dtype, "int32");
    const seen = new Set(x.toTypedArray());
    assert.deepEqual([...seen].sort((a, b) => a - b), [-3, -2, -1, 0, 1, 2, 3]);
    assert.equal(randint(0, 5, [2], { dtype: "float64" }).dtype, "float64");
    assert.throws(() => randint(3, 3, [2]), /randint: need integers low < high, got low=3, high=3/);
    assert.throws(() => randint(0, 2.5, [2]), /randint: need integers low < high/);
  });

  test("randperm: a permutation of 0..n-1, int32 unless a dtype is given", () => {
    const p = randperm(50, { generator: new Generator(4) });
    assert.equal(p.dtype, "int32");
    assert.deepEqual(Array.from(p.toTypedArray()).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
    assert.notDeepEqual(Array.from(p.toTypedArray()), Array.from({ length: 50 }, (_, i) => i));
    assertTensor(randperm(0), [], [0]);
    assertTensor(randperm(1), [0], [1]);
    // PyTorch 1.13: torch.randperm(4, dtype=torch.float32).dtype is float32
    const f = randperm(4, { dtype: "float32" });
    assert.equal(f.dtype, "float32");
    assert.deepEqual(Array.from(f.toTypedArray()).sort(), [0, 1, 2, 3]);
    assert.throws(() => randperm(-1), /randperm: n must be a non-negative integer, got -1/);
    assert.throws(() => randperm(3, { dtype: "bool" }), /randperm: dtype bool cannot hold a permutation/);
  });

  test("random *Like functions copy shape and dtype", () => {
    const x = zeros([2, 3], { dtype: "float64" });
    assert.deepEqual(randLike(x).shape, [2, 3]);
    assert.equal(randLike(x).dtype, "float64");
    assert.equal(randnLike(x).dtype, "float64");
    assert.equal(randnLike(x, { dtype: "float32" }).dtype, "float32");
    const r = randintLike(zeros([4], { dtype: "int32" }), 5, 8);
    assert.equal(r.dtype, "int32");
    for (const v of r.toTypedArray()) assert.ok(v >= 5 && v < 8);
    assert.throws(() => randLike(zeros([2], { dtype: "int32" })), /rand: dtype must be float32 or float64, got int32/);
  });

  test("requiresGrad option on random tensors", () => {
    assert.equal(randn([2], { requiresGrad: true }).requiresGrad, true);
    assert.equal(rand([2]).requiresGrad, false);
  });
});

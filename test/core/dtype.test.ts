// Dtypes: which dtype an op's result gets (PyTorch's promotion rules), casts
// with to(), and the dtypes of comparisons. Expected dtypes come from PyTorch
// 1.13, with int32 standing in for PyTorch's int64 where a Python int is involved.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DTYPES, promoteTypes, tensor, type DType, type Tensor } from "../../src/index.ts";
import { assertClose, assertTensor } from "../helpers/assert.ts";

/** Every dtype, narrowest first: the order of the tables' rows and columns. */
const ORDER: DType[] = ["bool", "int32", "float32", "float64"];

function ofDType(dtype: DType, zeroDim = false): Tensor {
  return tensor(zeroDim ? 1 : [1], { dtype });
}

// PyTorch 1.13: (torch.tensor([1], dtype=a) + torch.tensor([1], dtype=b)).dtype, rows a, columns b
// in the order bool, int32, float32, float64.
const DIM_BY_DIM: Record<DType, DType[]> = {
  bool: ["bool", "int32", "float32", "float64"],
  int32: ["int32", "int32", "float32", "float64"],
  float32: ["float32", "float32", "float32", "float64"],
  float64: ["float64", "float64", "float64", "float64"],
};

// PyTorch 1.13: (torch.tensor([1], dtype=a) + torch.tensor(1, dtype=b)).dtype: a 0-d tensor only
// widens a dimensioned one when it is of a higher kind (bool < integer < floating point).
const DIM_BY_ZERO_DIM: Record<DType, DType[]> = {
  bool: ["bool", "int32", "float32", "float64"],
  int32: ["int32", "int32", "float32", "float64"],
  float32: ["float32", "float32", "float32", "float32"],
  float64: ["float64", "float64", "float64", "float64"],
};

describe("type promotion", () => {
  test("promoteTypes: bool < int32 < float32 < float64", () => {
    assert.deepEqual([...DTYPES].sort(), [...ORDER].sort());
    for (const [i, a] of ORDER.entries()) {
      for (const [j, b] of ORDER.entries()) assert.equal(promoteTypes(a, b), ORDER[Math.max(i, j)], `${a} + ${b}`);
    }
  });

  test("tensor op tensor follows PyTorch's table, for add, mul and sub", () => {
    for (const a of ORDER) {
      ORDER.forEach((b, j) => {
        assert.equal(ofDType(a).add(ofDType(b)).dtype, DIM_BY_DIM[a][j], `add ${a} ${b}`);
        assert.equal(ofDType(a).mul(ofDType(b)).dtype, DIM_BY_DIM[a][j], `mul ${a} ${b}`);
        if (a !== "bool" || b !== "bool") assert.equal(ofDType(a).sub(ofDType(b)).dtype, DIM_BY_DIM[a][j], `sub ${a} ${b}`);
      });
    }
  });

  test("a 0-d tensor does not widen a dimensioned tensor of the same kind", () => {
    for (const a of ORDER) {
      ORDER.forEach((b, j) => {
        assert.equal(ofDType(a).add(ofDType(b, true)).dtype, DIM_BY_ZERO_DIM[a][j], `[${a}] + 0-d ${b}`);
        assert.equal(ofDType(b, true).add(ofDType(a)).dtype, DIM_BY_ZERO_DIM[a][j], `0-d ${b} + [${a}]`);
        // Two 0-d tensors promote normally.
        assert.equal(ofDType(a, true).add(ofDType(b, true)).dtype, DIM_BY_DIM[a][j], `0-d ${a} + 0-d ${b}`);
      });
    }
  });

  test("float32 tensor + float64 0-d tensor stays float32, computed like PyTorch", () => {
    // PyTorch 1.13: torch.tensor([1., 2.]) + torch.tensor(0.1, dtype=torch.float64) -> [1.100000023841858, 2.0999999046325684] float32
    const out = tensor([1, 2]).add(tensor(0.1, { dtype: "float64" }));
    assert.equal(out.dtype, "float32");
    assert.deepEqual(out.tolist(), [1.100000023841858, 2.0999999046325684]);
    // ... while an int32 tensor + a float64 0-d tensor is float64 (higher kind).
    assert.equal(tensor([1, 2], { dtype: "int32" }).add(tensor(0.1, { dtype: "float64" })).dtype, "float64");
  });

  test("tensor op number: a number never widens within a kind; a fraction turns integers into float32", () => {
    const int = tensor([1, 2], { dtype: "int32" });
    assert.equal(int.add(2).dtype, "int32");
    assertTensor(int.add(2), [3, 4]);
    // PyTorch 1.13: torch.tensor([1, 2], dtype=torch.int32) * 2.5 -> [2.5, 5.0] float32
    assert.equal(int.mul(2.5).dtype, "float32");
    assertTensor(int.mul(2.5), [2.5, 5]);
    assert.equal(int.add(2.5).dtype, "float32");
    assertTensor(int.sub(1.5), [-0.5, 0.5]);
    const bool = tensor([true, false]);
    assert.equal(bool.add(2).dtype, "int32"); // int64 in PyTorch
    assertTensor(bool.add(2), [3, 2]);
    assert.equal(bool.add(2.5).dtype, "float32");
    assert.equal(tensor([1], { dtype: "float64" }).add(2.5).dtype, "float64");
    assert.equal(tensor([1]).add(2.5).dtype, "float32");
  });

  test("int32 / int32 is true division in float32", () => {
    // PyTorch 1.13: torch.tensor([7, -7, 1], dtype=torch.int32) / torch.tensor([2, 2, 3], dtype=torch.int32)
    const out = tensor([7, -7, 1], { dtype: "int32" }).div(tensor([2, 2, 3], { dtype: "int32" }));
    assert.equal(out.dtype, "float32");
    assert.deepEqual(out.tolist(), [3.5, -3.5, 0.3333333432674408]);
    assert.equal(tensor([1, 2], { dtype: "int32" }).div(2).dtype, "float32");
    assert.equal(tensor([true]).div(tensor([true])).dtype, "float32");
  });

  test("bool op bool stays bool and holds only true/false (True + True is True)", () => {
    // PyTorch 1.13: torch.tensor([True, False]) + torch.tensor([True, True]) -> [True, True]; .int() -> [1, 1]
    const sum = tensor([true, false]).add(tensor([true, true]));
    assert.equal(sum.dtype, "bool");
    assertTensor(sum, [true, true]);
    assertTensor(sum.int(), [1, 1]);
    assertTensor(tensor([true, false]).mul(tensor([true, true])), [true, false]);
    assert.throws(() => tensor([true]).sub(tensor([true])), /sub: subtracting bool tensors is not supported/);
  });

  test("integer arithmetic stays exact in int32", () => {
    const a = tensor([7, -7, 100000], { dtype: "int32" });
    assertTensor(a.mul(tensor([3, 3, 3], { dtype: "int32" })), [21, -21, 300000]);
    assertTensor(a.sub(10), [-3, -17, 99990]);
  });

  test("sum of bools counts them as int32 (int64 in PyTorch)", () => {
    const count = tensor([true, true, false, true]).sum();
    assert.equal(count.dtype, "int32");
    assert.equal(count.item(), 3);
  });
});

describe("casts with to()", () => {
  test("float to int32 truncates toward zero, like PyTorch", () => {
    // PyTorch 1.13: torch.tensor([3.9, -3.9, 0.5, -0.5]).to(torch.int32) -> [3, -3, 0, 0]
    const out = tensor([3.9, -3.9, 0.5, -0.5]).to("int32");
    assert.equal(out.dtype, "int32");
    assertTensor(out, [3, -3, 0, 0]);
    assertTensor(tensor([2.7, -2.7], { dtype: "float64" }).int(), [2, -2]);
  });

  test("to bool is 'nonzero', and NaN is nonzero", () => {
    // PyTorch 1.13: torch.tensor([float('nan'), 0, 0.5]).bool() -> [True, False, True]
    assertTensor(tensor([NaN, 0, 0.5, -0]).bool(), [true, false, true, false]);
    assertTensor(tensor([2, 0, -1], { dtype: "int32" }).bool(), [true, false, true]);
  });

  test("bool and int to floats; float64 to float32 rounds", () => {
    assertTensor(tensor([true, false]).float(), [1, 0]);
    assert.equal(tensor([true]).double().dtype, "float64");
    assertTensor(tensor([-3, 5], { dtype: "int32" }).double(), [-3, 5]);
    const x = tensor([0.1], { dtype: "float64" });
    assert.equal(x.float().item(), Math.fround(0.1));
    assert.equal(x.float().double().item(), Math.fround(0.1));
  });

  test("to() the same dtype returns the tensor itself; another dtype is a copy", () => {
    const x = tensor([1, 2]);
    assert.equal(x.to("float32"), x);
    const y = x.to("float64");
    assert.notEqual(y.storage, x.storage);
    assert.equal(y.dtype, "float64");
  });

  test("casts between float dtypes carry gradients; casts to int or bool do not", () => {
    const x = tensor([1.5, -2], { requiresGrad: true });
    const y = x.double();
    assert.equal(y.requiresGrad, true);
    y.mul(tensor([2, 3], { dtype: "float64" })).sum().backward();
    assert.equal(x.grad!.dtype, "float32");
    assertTensor(x.grad!, [2, 3]);
    assert.equal(x.int().requiresGrad, false);
    assert.equal(x.bool().requiresGrad, false);
  });

  test("a non-contiguous tensor casts in logical order", () => {
    const x = tensor([[1.5, 2.5], [3.5, 4.5]]).T;
    assertTensor(x.int(), [[1, 3], [2, 4]]);
    assertClose(x.double(), [[1.5, 3.5], [2.5, 4.5]]);
  });
});

describe("comparisons", () => {
  test("results are bool whatever the operands' dtypes", () => {
    const int = tensor([1, 2], { dtype: "int32" });
    // PyTorch 1.13: torch.tensor([1, 2], dtype=torch.int32) < 1.5 -> [True, False]
    assertTensor(int.lt(1.5), [true, false]);
    assert.equal(int.lt(1.5).dtype, "bool");
    for (const result of [int.eq(1), int.ne(1), int.gt(1), int.ge(1), int.le(1), tensor([1.5]).lt(tensor([2], { dtype: "float64" }))]) {
      assert.equal(result.dtype, "bool");
    }
    assertTensor(tensor([1, 2]).eq(tensor([1, 3], { dtype: "float64" })), [true, false]);
  });

  test("float32 against float64 compares the stored values (0.1 in float32 is not 0.1)", () => {
    // PyTorch 1.13: torch.tensor([0.1]) == torch.tensor([0.1], dtype=torch.float64) -> [False]
    assertTensor(tensor([0.1]).eq(tensor([0.1], { dtype: "float64" })), [false]);
    // ... but a number is rounded to the tensor's dtype first: torch.tensor([0.1]) == 0.1 -> [True]
    assertTensor(tensor([0.1]).eq(0.1), [true]);
  });

  test("NaN compares unequal to everything", () => {
    assertTensor(tensor([NaN, 1]).eq(tensor([NaN, 1])), [false, true]);
    assertTensor(tensor([NaN]).ne(tensor([NaN])), [true]);
  });
});

// Views: reshape, transpose, permute, expand, squeeze, slice ... are new shapes,
// strides and offsets over the same memory. These tests check the layouts
// against hand-computed (and PyTorch 1.13) values, that views really share
// memory, and, by property tests, that random chains of views read the same
// values as a naive nested-array reference.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Generator, arange, noGrad, tensor, zeros, type NestedArray, type Tensor } from "../../src/index.ts";
import { assertTensor } from "../helpers/assert.ts";
import { forAll, randomShape } from "../helpers/property.ts";

/** [shape, strides, offset] of a tensor, for comparing layouts in one assertion. */
function layout(t: Tensor): [number[], number[], number] {
  return [[...t.shape], [...t.strides], t.offset];
}

/** arange(24) as float32 of shape [2, 3, 4]: element (i, j, k) holds 12i + 4j + k. */
function base234(): Tensor {
  return arange(24, undefined, 1, { dtype: "float32" }).reshape(2, 3, 4);
}

describe("reshape and view", () => {
  test("reshape keeps row-major order and shares memory with a contiguous tensor", () => {
    const x = arange(6);
    const y = x.reshape(2, 3);
    assertTensor(y, [[0, 1, 2], [3, 4, 5]], [2, 3]);
    assert.equal(y.storage, x.storage);
    assert.deepEqual(layout(y), [[2, 3], [3, 1], 0]);
    assertTensor(x.reshape([3, 2]), [[0, 1], [2, 3], [4, 5]], [3, 2]);
  });

  test("one size may be -1 and is inferred", () => {
    const x = arange(24);
    assert.deepEqual(x.reshape(-1).shape, [24]);
    assert.deepEqual(x.reshape(2, -1, 3).shape, [2, 4, 3]);
    assert.deepEqual(x.view([-1, 6]).shape, [4, 6]);
    assert.deepEqual(zeros([0, 3]).reshape(-1).shape, [0]);
  });

  test("bad sizes are refused with the shapes in the message", () => {
    const x = arange(12);
    assert.throws(() => x.reshape(5, -1), /reshape: shape \[5, -1\] is invalid for a tensor of 12 elements/);
    assert.throws(() => x.reshape(5, 3), /reshape: shape \[5, 3\] is invalid for a tensor of 12 elements \(shape \[12\]\)/);
    assert.throws(() => x.view(-1, -1), /view: only one dimension can be -1/);
    assert.throws(() => x.reshape(-2, -6), /reshape: invalid size -2/);
    assert.throws(() => x.reshape(2.5, 4), /reshape: invalid size 2.5/);
  });

  test("view of a non-contiguous tensor that would need a copy throws", () => {
    const xt = arange(12).reshape(3, 4).T;
    assert.throws(() => xt.view(12), /view: the tensor of shape \[4, 3\] with strides \[1, 4\] is not contiguous.*Use reshape\(\)/);
  });

  test("view of a non-contiguous tensor works where the strides allow it, as in PyTorch", () => {
    // PyTorch 1.13: torch.arange(12.).reshape(3, 4).t().view(4, 1, 3).stride() == (1, 12, 4)
    const x = arange(12).reshape(3, 4);
    const v = x.T.view(4, 1, 3);
    assert.equal(v.storage, x.storage);
    assert.deepEqual(layout(v), [[4, 1, 3], [1, 12, 4], 0]);
  });

  test("reshape of a non-contiguous tensor copies when it must", () => {
    // PyTorch 1.13: torch.arange(24.).reshape(2,3,4).permute(2,1,0).reshape(4, 6) is a copy with strides (6, 1)
    const x = base234();
    const y = x.permute(2, 1, 0).reshape(4, 6);
    assert.notEqual(y.storage, x.storage);
    assert.deepEqual(layout(y), [[4, 6], [6, 1], 0]);
    assertTensor(y, [
      [0, 12, 4, 16, 8, 20], [1, 13, 5, 17, 9, 21], [2, 14, 6, 18, 10, 22], [3, 15, 7, 19, 11, 23],
    ]);
    // The copy is independent of the base.
    noGrad(() => y.fill_(0));
    assert.equal(x.select(0, 1).select(0, 2).select(0, 3).item(), 23);
  });

  test("reshape of a permuted tensor is a view when the permuted dims stay adjacent in memory", () => {
    // PyTorch 1.13: torch.arange(24.).reshape(2,3,4).permute(2,0,1).reshape(4, 6).stride() == (1, 4), sharing memory
    const x = base234();
    const y = x.permute(2, 0, 1).reshape(4, 6);
    assert.equal(y.storage, x.storage);
    assert.deepEqual(layout(y), [[4, 6], [1, 4], 0]);
    assertTensor(y, [
      [0, 4, 8, 12, 16, 20], [1, 5, 9, 13, 17, 21], [2, 6, 10, 14, 18, 22], [3, 7, 11, 15, 19, 23],
    ]);
  });

  test("reshape of a non-contiguous tensor is a view when the memory allows it (dims merged within a slice)", () => {
    // PyTorch 1.13: x[:, 1:3].flatten(1) has shape [2, 8], strides (12, 1), offset 4
    const x = base234();
    const y = x.slice(1, 1, 3).flatten(1);
    assert.equal(y.storage, x.storage);
    assert.deepEqual(layout(y), [[2, 8], [12, 1], 4]);
    assertTensor(y, [[4, 5, 6, 7, 8, 9, 10, 11], [16, 17, 18, 19, 20, 21, 22, 23]]);
  });
});

describe("transpose, permute, T, mT", () => {
  test("layouts match PyTorch's strides", () => {
    const x = base234();
    assert.deepEqual(layout(x), [[2, 3, 4], [12, 4, 1], 0]);
    assert.deepEqual(layout(x.transpose(0, 2)), [[4, 3, 2], [1, 4, 12], 0]);
    assert.deepEqual(layout(x.transpose(-1, 0)), [[4, 3, 2], [1, 4, 12], 0]);
    assert.deepEqual(layout(x.permute(1, 2, 0)), [[3, 4, 2], [4, 1, 12], 0]);
    assert.deepEqual(layout(x.permute([-2, -1, -3])), [[3, 4, 2], [4, 1, 12], 0]);
    assert.deepEqual(layout(x.mT), [[2, 4, 3], [12, 1, 4], 0]);
    assert.deepEqual(layout(x.T), [[4, 3, 2], [1, 4, 12], 0]);
  });

  test("values are moved, not changed", () => {
    const m = tensor([[1, 2, 3], [4, 5, 6]]);
    assertTensor(m.T, [[1, 4], [2, 5], [3, 6]], [3, 2]);
    assertTensor(m.transpose(0, 1), [[1, 4], [2, 5], [3, 6]]);
    assert.ok(!m.T.isContiguous());
    assert.ok(m.T.T.isContiguous());
    // PyTorch 1.13: torch.arange(24.).reshape(2,3,4).transpose(1,2)[:, ::2]
    assertTensor(base234().transpose(1, 2).slice(1, null, null, 2), [[[0, 4, 8], [2, 6, 10]], [[12, 16, 20], [14, 18, 22]]]);
  });

  test("T of a vector or scalar is itself; mT needs two dims", () => {
    assertTensor(tensor([1, 2, 3]).T, [1, 2, 3], [3]);
    assertTensor(tensor(7).T, 7, []);
    assert.throws(() => tensor([1, 2, 3]).mT, /transpose: dim -2 is out of range for a tensor of rank 1/);
  });

  test("permute refuses anything but a permutation of the dims", () => {
    const x = base234();
    assert.throws(() => x.permute(0, 1), /permute: dims \[0, 1\] must be a permutation of the 3 dims of a tensor of shape \[2, 3, 4\]/);
    assert.throws(() => x.permute(0, 0, 1), /permute: dims \[0, 0, 1\] must be a permutation/);
    assert.throws(() => x.permute(0, 1, 3), /permute: dim 3 is out of range for a tensor of rank 3/);
    assert.throws(() => x.transpose(0, 3), /transpose: dim 3 is out of range/);
  });
});

describe("expand", () => {
  test("size-1 dims and new leading dims get stride 0", () => {
    // PyTorch 1.13: torch.arange(3.).reshape(3, 1).expand(2, 3, 4).stride() == (0, 1, 0)
    const y = arange(3, undefined, 1, { dtype: "float32" }).reshape(3, 1);
    const e = y.expand(2, 3, 4);
    assert.deepEqual(layout(e), [[2, 3, 4], [0, 1, 0], 0]);
    assert.equal(e.storage, y.storage);
    const row = [[0, 0, 0, 0], [1, 1, 1, 1], [2, 2, 2, 2]];
    assertTensor(e, [row, row]);
    assert.deepEqual(layout(y.expand([2, -1, 4])), [[2, 3, 4], [0, 1, 0], 0]);
    assert.deepEqual(y.expandAs(zeros([5, 3, 2])).shape, [5, 3, 2]);
  });

  test("expanding to the same shape, or a size-1 dim to 0, is allowed", () => {
    assert.deepEqual(tensor([[1, 2]]).expand(1, 2).shape, [1, 2]);
    assert.deepEqual(tensor([[1, 2]]).expand(0, 2).shape, [0, 2]);
  });

  test("errors name both shapes and the rule", () => {
    const y = zeros([3, 1]);
    assert.throws(() => y.expand(2, 4), /expand: cannot expand shape \[3, 1\] to \[2, 4\]: dim 0 has size 3, which is not 1/);
    assert.throws(() => y.expand(3), /expand: cannot expand shape \[3, 1\] to \[3\]: the target has fewer dims/);
    assert.throws(() => y.expand(-1, 3, 1), /expand: cannot expand shape \[3, 1\] to \[-1, 3, 1\]: -1 is not allowed for the new leading dim 0/);
    assert.throws(() => y.expand(3, -2), /invalid size -2/);
  });
});

describe("squeeze, unsqueeze, flatten", () => {
  test("squeeze removes all size-1 dims, or only the listed ones", () => {
    const x = zeros([1, 3, 1, 2]);
    assert.deepEqual(x.squeeze().shape, [3, 2]);
    assert.deepEqual(x.squeeze(0).shape, [3, 1, 2]);
    assert.deepEqual(x.squeeze(-2).shape, [1, 3, 2]);
    assert.deepEqual(x.squeeze([0, 2]).shape, [3, 2]);
    // A listed dim whose size is not 1 is left alone, as in PyTorch.
    assert.deepEqual(x.squeeze(1).shape, [1, 3, 1, 2]);
    assert.throws(() => x.squeeze(4), /squeeze: dim 4 is out of range for a tensor of rank 4/);
  });

  test("squeeze of a scalar, and of an all-ones shape, gives a scalar", () => {
    assertTensor(tensor(5).squeeze(), 5, []);
    assertTensor(tensor(5).squeeze(0), 5, []);
    assertTensor(tensor([[[5]]]).squeeze(), 5, []);
    assert.equal(tensor([[[5]]]).squeeze().item(), 5);
  });

  test("unsqueeze inserts a size-1 dim; negative dims count from the end of the result", () => {
    const x = zeros([2, 3]);
    assert.deepEqual(x.unsqueeze(0).shape, [1, 2, 3]);
    assert.deepEqual(x.unsqueeze(2).shape, [2, 3, 1]);
    assert.deepEqual(x.unsqueeze(-1).shape, [2, 3, 1]);
    assert.deepEqual(x.unsqueeze(-2).shape, [2, 1, 3]);
    assert.deepEqual(x.unsqueeze(-3).shape, [1, 2, 3]);
    assert.deepEqual(tensor(1).unsqueeze(0).shape, [1]);
    assert.deepEqual(tensor(1).unsqueeze(-1).shape, [1]);
    assert.throws(() => x.unsqueeze(3), /unsqueeze: dim 3 is out of range for a tensor of rank 3 \(expected -3 <= dim < 3\)/);
    assert.throws(() => x.unsqueeze(-4), /unsqueeze: dim -4 is out of range/);
  });

  test("squeeze and unsqueeze of non-contiguous tensors are views (PyTorch strides)", () => {
    const x = base234();
    assert.deepEqual(layout(x.unsqueeze(-1)), [[2, 3, 4, 1], [12, 4, 1, 1], 0]);
    assert.deepEqual(layout(x.unsqueeze(0)), [[1, 2, 3, 4], [24, 12, 4, 1], 0]);
    // PyTorch 1.13: x[0].t().unsqueeze(1) has shape [4, 1, 3] and strides (1, 12, 4)
    const u = x.select(0, 0).T.unsqueeze(1);
    assert.equal(u.storage, x.storage);
    assert.deepEqual(layout(u), [[4, 1, 3], [1, 12, 4], 0]);
    const s = u.squeeze(1);
    assert.equal(s.storage, x.storage);
    assert.deepEqual(layout(s), [[4, 3], [1, 4], 0]);
  });

  test("flatten across a size-1 dim with any stride is still a view", () => {
    // PyTorch 1.13: x[:, :, 1:2].permute(0, 2, 1) has shape [2, 1, 3], strides (12, 1, 4); its flatten() is a view, stride (4,), offset 1
    const x = base234().slice(2, 1, 2).permute(0, 2, 1);
    assert.deepEqual(layout(x), [[2, 1, 3], [12, 1, 4], 1]);
    const flat = x.flatten();
    assert.equal(flat.storage, x.storage);
    assert.deepEqual(layout(flat), [[6], [4], 1]);
    assertTensor(flat, [1, 5, 9, 13, 17, 21]);
  });

  test("flatten merges a range of dims", () => {
    const x = base234();
    assert.deepEqual(x.flatten().shape, [24]);
    assert.deepEqual(layout(x.flatten(1)), [[2, 12], [12, 1], 0]);
    assert.deepEqual(x.flatten(0, 1).shape, [6, 4]);
    assert.deepEqual(x.flatten(-2, -1).shape, [2, 12]);
    assert.deepEqual(x.flatten(1, 1).shape, [2, 3, 4]);
    assert.deepEqual(tensor(3).flatten().shape, [1]);
    assert.throws(() => x.flatten(2, 1), /flatten: startDim 2 comes after endDim 1/);
    assertTensor(x.T.flatten(0, 1).slice(0, 0, 3), [[0, 12], [4, 16], [8, 20]]);
  });
});

describe("slice, narrow, select", () => {
  // [start, end, step, expected] on arange(7), from PyTorch 1.13 (= Python list slicing): torch.arange(7)[start:end:step]
  const SLICES: [number | null, number | null, number, number[]][] = [
    [null, null, 1, [0, 1, 2, 3, 4, 5, 6]],
    [2, null, 1, [2, 3, 4, 5, 6]],
    [-3, null, 1, [4, 5, 6]],
    [null, -2, 1, [0, 1, 2, 3, 4]],
    [1, 6, 2, [1, 3, 5]],
    [-100, 100, 3, [0, 3, 6]],
    [5, 2, 1, []],
    [10, 20, 1, []],
    [-1, null, 1, [6]],
    [0, 0, 1, []],
    [3, -3, 1, [3]],
    [-5, -1, 2, [2, 4]],
    [null, null, 4, [0, 4]],
    [6, null, 5, [6]],
    [-8, 3, 1, [0, 1, 2]],
  ];

  test("start/end/step follow Python's slice semantics (negatives from the end, clamping)", () => {
    const x = arange(7);
    for (const [start, end, step, expected] of SLICES) {
      assertTensor(x.slice(0, start, end, step), expected, [expected.length]);
    }
  });

  test("the same slices along the last dim of a 2-D tensor", () => {
    const x = arange(14).reshape(2, 7);
    for (const [start, end, step, expected] of SLICES) {
      assertTensor(x.slice(-1, start, end, step), [expected, expected.map((v) => v + 7)], [2, expected.length]);
    }
  });

  test("slice layouts: offset moves to the start, the stride multiplies by the step", () => {
    const x = base234();
    assert.deepEqual(layout(x.slice(1, 1, 3)), [[2, 2, 4], [12, 4, 1], 4]);
    assert.deepEqual(layout(x.slice(2, 1, null, 2)), [[2, 3, 2], [12, 4, 2], 1]);
    assert.deepEqual(layout(x.slice(0, 1)), [[1, 3, 4], [12, 4, 1], 12]);
  });

  test("slice refuses a zero, negative or fractional step and fractional bounds", () => {
    const x = arange(7);
    assert.throws(() => x.slice(0, null, null, 0), /slice: step must be a positive integer, got 0/);
    assert.throws(() => x.slice(0, null, null, -1), /slice: step must be a positive integer, got -1/);
    assert.throws(() => x.slice(0, 1.5), /slice: bounds must be integers, got 1.5/);
    assert.throws(() => x.slice(1, 0, 1), /slice: dim 1 is out of range/);
  });

  test("narrow takes length elements from start (negative start counts from the end)", () => {
    const x = arange(12).reshape(3, 4);
    assertTensor(x.narrow(1, 1, 2), [[1, 2], [5, 6], [9, 10]]);
    // PyTorch 1.13: torch.arange(12.).reshape(3, 4).narrow(1, -3, 2)
    assertTensor(x.narrow(1, -3, 2), [[1, 2], [5, 6], [9, 10]]);
    assertTensor(x.narrow(0, 2, 0), [], [0, 4]);
    assert.deepEqual(layout(base234().narrow(2, -2, 2)), [[2, 3, 2], [12, 4, 1], 2]);
    assert.throws(() => x.narrow(1, 3, 2), /narrow: start 3 and length 2 do not fit in dim 1 of size 4 \(shape \[3, 4\]\)/);
    assert.throws(() => x.narrow(0, -4, 1), /narrow: start -4 and length 1 do not fit/);
    assert.throws(() => x.narrow(0, 0, -1), /narrow: start 0 and length -1 do not fit/);
  });

  test("select removes the dim; negative indices count from the end", () => {
    const x = base234();
    assert.deepEqual(layout(x.select(1, -1)), [[2, 4], [12, 1], 8]);
    assertTensor(x.select(1, -1), [[8, 9, 10, 11], [20, 21, 22, 23]]);
    assertTensor(x.select(2, 0), [[0, 4, 8], [12, 16, 20]]);
    assertTensor(x.select(0, 1).select(0, 2).select(0, 3), 23, []);
    assert.throws(() => x.select(1, 3), /select: index 3 is out of range for dim 1 of size 3 \(shape \[2, 3, 4\]\)/);
    assert.throws(() => x.select(1, -4), /select: index -4 is out of range/);
    assert.throws(() => x.select(3, 0), /select: dim 3 is out of range/);
  });

  test("a chain of views lands on PyTorch's layout", () => {
    // PyTorch 1.13: x.transpose(0, 2)[1:, :, 1].narrow(1, 1, 2): shape [3, 2], strides (1, 4), offset 17
    const v = base234().transpose(0, 2).slice(0, 1).select(2, 1).narrow(1, 1, 2);
    assert.deepEqual(layout(v), [[3, 2], [1, 4], 17]);
    assertTensor(v, [[17, 21], [18, 22], [19, 23]]);
  });
});

describe("memory sharing: views, contiguous and clone", () => {
  test("writes through views (inside noGrad) are seen by the base", () => {
    const x = zeros([3, 4]);
    noGrad(() => {
      x.select(1, 0).fill_(1); // column 0
      x.slice(1, 1, null, 2).select(0, 2).fill_(2); // row 2, columns 1 and 3
      x.T.select(0, 2).copy_(tensor([7, 8, 9])); // column 2
      x.reshape(12).narrow(0, 3, 1).fill_(5); // element (0, 3)
      x.unsqueeze(0).squeeze(0).select(0, 1).select(0, 1).fill_(-1); // element (1, 1)
    });
    assertTensor(x, [[1, 0, 7, 5], [1, -1, 8, 0], [1, 2, 9, 2]]);
  });

  test("the base's writes are seen by its views", () => {
    const x = zeros([2, 3]);
    const column = x.select(1, 2);
    const flat = x.view(6);
    noGrad(() => x.fill_(4));
    assertTensor(column, [4, 4]);
    assertTensor(flat, [4, 4, 4, 4, 4, 4]);
  });

  test("clone has its own memory", () => {
    const x = tensor([[1, 2], [3, 4]]);
    const c = x.clone();
    assert.notEqual(c.storage, x.storage);
    noGrad(() => c.fill_(0));
    assertTensor(x, [[1, 2], [3, 4]]);
    const ct = x.T.clone();
    assert.ok(ct.isContiguous());
    assertTensor(ct, [[1, 3], [2, 4]]);
  });

  test("contiguous returns the tensor itself when already contiguous, else a row-major copy", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    assert.equal(x.contiguous(), x);
    const c = x.T.contiguous();
    assert.notEqual(c.storage, x.storage);
    assert.deepEqual(layout(c), [[3, 2], [2, 1], 0]);
    assert.deepEqual(Array.from(c.toTypedArray()), [1, 4, 2, 5, 3, 6]);
    const e = tensor([1, 2]).expand(3, 2);
    assert.ok(!e.isContiguous());
    assert.deepEqual(layout(e.contiguous()), [[3, 2], [2, 1], 0]);
  });

  test("a sliced row with an offset is contiguous, and its values start at the offset", () => {
    const row = arange(12).reshape(3, 4).select(0, 1);
    assert.ok(row.isContiguous());
    assert.deepEqual(Array.from(row.toTypedArray()), [4, 5, 6, 7]);
    assert.equal(row.reshape(2, 2).offset, 4);
  });
});

describe("gradients through views", () => {
  test("the gradient of a chain of views lands on the elements that were read", () => {
    const x = tensor([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]], { requiresGrad: true });
    // x.T[1:3] picks columns 1 and 2; select(1, 2) then takes their row-2 entries: x[2, 1] and x[2, 2].
    const y = x.T.slice(0, 1, 3).select(1, 2);
    assertTensor(y, [9, 10]);
    y.sum().backward();
    assertTensor(x.grad!, [[0, 0, 0, 0], [0, 0, 0, 0], [0, 1, 1, 0]]);
  });

  test("the gradient of an expanded tensor is summed over the copies", () => {
    const x = tensor([[1], [2]], { requiresGrad: true });
    x.expand(2, 3).unsqueeze(0).expand(4, 2, 3).sum().backward();
    assertTensor(x.grad!, [[12], [12]]);
  });
});

describe("size, numel, dim, item, tolist", () => {
  test("size and numel", () => {
    const x = zeros([2, 3, 4]);
    assert.deepEqual(x.size(), [2, 3, 4]);
    assert.equal(x.size(1), 3);
    assert.equal(x.size(-1), 4);
    assert.throws(() => x.size(3), /size: dim 3 is out of range/);
    assert.equal(x.numel(), 24);
    assert.equal(x.dim(), 3);
    assert.equal(x.ndim, 3);
    assert.equal(zeros([0, 3]).numel(), 0);
    assert.equal(tensor(1).numel(), 1);
    assert.equal(tensor(1).dim(), 0);
    assert.throws(() => tensor(5).size(0), /size: dim 0 was asked of a 0-d tensor/); // PyTorch refuses too
    // size() returns a copy: mutating it must not reshape the tensor
    x.size().push(9);
    assert.deepEqual(x.shape, [2, 3, 4]);
  });

  test("item reads the single element, wherever it lives", () => {
    assert.equal(tensor(2.5).item(), 2.5);
    assert.equal(tensor([[3]]).item(), 3);
    assert.equal(arange(10).slice(0, 7, 8).item(), 7);
    assert.equal(tensor([true]).item(), 1);
    assert.throws(() => tensor([1, 2]).item(), /item: only one-element tensors can be converted to a number, this one has shape \[2\]/);
  });

  test("tolist gives nested arrays (booleans for bool tensors)", () => {
    assert.deepEqual(tensor(4).tolist(), 4);
    assert.deepEqual(tensor([[1, 2], [3, 4]]).T.tolist(), [[1, 3], [2, 4]]);
    assert.deepEqual(tensor([[true, false]]).tolist(), [[true, false]]);
    assert.deepEqual(zeros([2, 0]).tolist(), [[], []]);
    assert.deepEqual(zeros([0, 2]).tolist(), []);
  });
});

// ---- property tests: random chains of views against a naive reference -----

/**
 * The reference: a nested array holding, for each element, its position in the
 * base tensor's row-major order. Each view op builds a new nested array by
 * index arithmetic, never by strides.
 */
interface Ref {
  shape: number[];
  data: NestedArray;
}

function refGet(ref: Ref, index: number[]): number {
  let node: NestedArray = ref.data;
  for (const i of index) node = (node as NestedArray[])[i]!;
  return node as number;
}

function build(shape: number[], value: (index: number[]) => number): Ref {
  const make = (prefix: number[]): NestedArray =>
    prefix.length === shape.length ? value(prefix) : Array.from({ length: shape[prefix.length]! }, (_, i) => make([...prefix, i]));
  return { shape, data: make([]) };
}

function refFlat(ref: Ref): number[] {
  const flatten = (node: NestedArray): number[] => (Array.isArray(node) ? node.flatMap(flatten) : [node as number]);
  return flatten(ref.data);
}

function refPermute(ref: Ref, dims: number[]): Ref {
  return build(dims.map((d) => ref.shape[d]!), (index) => {
    const source = new Array<number>(dims.length);
    dims.forEach((d, i) => (source[d] = index[i]!));
    return refGet(ref, source);
  });
}

function refSlice(ref: Ref, dim: number, start: number, step: number, length: number): Ref {
  const shape = ref.shape.map((s, d) => (d === dim ? length : s));
  return build(shape, (index) => refGet(ref, index.map((i, d) => (d === dim ? start + i * step : i))));
}

function refExpand(ref: Ref, shape: number[]): Ref {
  const lead = shape.length - ref.shape.length;
  return build(shape, (index) => refGet(ref, ref.shape.map((s, d) => (s === 1 ? 0 : index[d + lead]!))));
}

function refReshape(ref: Ref, shape: number[]): Ref {
  const flat = refFlat(ref);
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((n, s) => n * s, 1));
  return build(shape, (index) => flat[index.reduce((n, i, d) => n + i * strides[d]!, 0)]!);
}

/** Python's slice bounds for a positive step, written independently of the library's. */
function pythonRange(size: number, start: number | null, end: number | null, step: number): { first: number; length: number } {
  const clamp = (v: number) => Math.min(Math.max(v, 0), size);
  const first = start === null ? 0 : clamp(start < 0 ? start + size : start);
  const last = end === null ? size : clamp(end < 0 ? end + size : end);
  const length = last > first ? Math.floor((last - first - 1) / step) + 1 : 0;
  return { first, length };
}

/** A random shape with the same number of elements: the prime factors of n dealt into random dims. */
function randomReshape(g: Generator, n: number): number[] {
  const factors: number[] = [];
  for (let m = n, p = 2; m > 1; ) {
    if (m % p === 0) {
      factors.push(p);
      m /= p;
    } else p++;
  }
  const rank = g.randint(1, 5);
  const shape = new Array<number>(rank).fill(1);
  for (const f of factors) shape[g.randint(0, rank)]! *= f;
  return shape;
}

type Step = { name: string; apply: (t: Tensor) => Tensor; ref: (r: Ref) => Ref; copies?: boolean; expands?: boolean };

/** Picks a random view op that applies to a tensor of `shape`. */
function randomStep(g: Generator, shape: number[]): Step {
  const rank = shape.length;
  const n = shape.reduce((a, s) => a * s, 1);
  const choice = g.randint(0, 8);
  if (choice === 0 && rank >= 2) {
    const a = g.randint(0, rank);
    const b = g.randint(0, rank);
    const dims = shape.map((_, d) => (d === a ? b : d === b ? a : d));
    return { name: `transpose(${a}, ${b})`, apply: (t) => t.transpose(a, b), ref: (r) => refPermute(r, dims) };
  }
  if (choice === 1 && rank >= 1) {
    const dims = shape.map((_, d) => d);
    for (let i = rank - 1; i > 0; i--) {
      const j = g.randint(0, i + 1);
      [dims[i], dims[j]] = [dims[j]!, dims[i]!];
    }
    return { name: `permute(${dims})`, apply: (t) => t.permute(dims), ref: (r) => refPermute(r, dims) };
  }
  if (choice === 2 && rank >= 1) {
    const dim = g.randint(0, rank);
    const size = shape[dim]!;
    const bound = () => (g.random() < 0.2 ? null : g.randint(-size - 2, size + 3));
    const start = bound();
    const end = bound();
    const step = g.randint(1, 4);
    const { first, length } = pythonRange(size, start, end, step);
    return {
      name: `slice(${dim}, ${start}, ${end}, ${step})`,
      apply: (t) => t.slice(dim, start, end, step),
      ref: (r) => refSlice(r, dim, first, step, length),
    };
  }
  if (choice === 3 && rank >= 1 && n > 0) {
    const dim = g.randint(0, rank);
    const size = shape[dim]!;
    const index = g.randint(-size, size);
    const i = index < 0 ? index + size : index;
    const outShape = shape.filter((_, d) => d !== dim);
    return {
      name: `select(${dim}, ${index})`,
      apply: (t) => t.select(dim, index),
      ref: (r) => refReshape(refSlice(r, dim, i, 1, 1), outShape),
    };
  }
  if (choice === 4 && rank <= 4) {
    const lead = g.randint(0, 2);
    const target = [...Array.from({ length: lead }, () => g.randint(1, 4)), ...shape.map((s) => (s === 1 ? g.randint(1, 4) : s))];
    const request = target.map((s, d) => (d >= lead && s === shape[d - lead] && g.random() < 0.3 ? -1 : s));
    return { name: `expand(${request})`, apply: (t) => t.expand(request), ref: (r) => refExpand(r, target), expands: true };
  }
  if (choice === 5 && rank <= 4) {
    const dim = g.randint(-rank - 1, rank + 1);
    const at = dim < 0 ? dim + rank + 1 : dim;
    const target = [...shape.slice(0, at), 1, ...shape.slice(at)];
    return { name: `unsqueeze(${dim})`, apply: (t) => t.unsqueeze(dim), ref: (r) => refReshape(r, target) };
  }
  if (choice === 6) {
    const target = shape.filter((s) => s !== 1);
    return { name: "squeeze()", apply: (t) => t.squeeze(), ref: (r) => refReshape(r, target) };
  }
  const target = n === 0 ? [0] : randomReshape(g, n);
  return { name: `reshape(${target})`, apply: (t) => t.reshape(target), ref: (r) => refReshape(r, target), copies: true };
}

describe("property: random chains of views match a nested-array reference", () => {
  test("tolist() and contiguous().toTypedArray() agree with the reference", () => {
    forAll("view chains", (g) => {
      const shape = randomShape(g, 1, 4, 4);
      const n = shape.reduce((a, s) => a * s, 1);
      const values = Float64Array.from({ length: n }, () => g.normal());
      let t = tensor(values, { shape });
      let ref = build(shape, (index) => index.reduce((flat, i, d) => flat * shape[d]! + i, 0));
      const names: string[] = [];
      const length = g.randint(3, 7);
      for (let k = 0; k < length; k++) {
        const step = randomStep(g, [...t.shape]);
        names.push(step.name);
        t = step.apply(t);
        ref = step.ref(ref);
        assert.deepEqual([...t.shape], ref.shape, `shape after ${names.join(".")}`);
      }
      const expected = refFlat(ref).map((i) => values[i]!);
      const nest = (r: Ref): NestedArray => build(r.shape, (index) => values[refGet(r, index)]!).data;
      assert.deepEqual(t.tolist(), nest(ref), names.join("."));
      assert.deepEqual(Array.from(t.contiguous().toTypedArray()), expected, names.join("."));
    }, { runs: 300, seed: 7 });
  });

  test("writes through a chain of views land where the reference says, and nowhere else", () => {
    forAll("writes through views", (g) => {
      const shape = randomShape(g, 1, 4, 4);
      const n = shape.reduce((a, s) => a * s, 1);
      const base = zeros([n], { dtype: "float64" }).reshape(shape);
      let t = base;
      let ref = build(shape, (index) => index.reduce((flat, i, d) => flat * shape[d]! + i, 0));
      const names: string[] = [];
      for (let k = 0, length = g.randint(3, 7); k < length; k++) {
        let step = randomStep(g, [...t.shape]);
        while (step.expands) step = randomStep(g, [...t.shape]); // expanded tensors cannot be written
        names.push(step.name);
        t = step.apply(t);
        ref = step.ref(ref);
      }
      // Views other than a copying reshape always share the base's memory.
      const shares = t.storage === base.storage;
      if (!shares) {
        assert.ok(names.some((name) => name.startsWith("reshape")), `only reshape may copy, but ${names.join(".")} did`);
        return;
      }
      const fresh = Float64Array.from({ length: t.numel() }, (_, i) => i + 1);
      noGrad(() => t.copy_(tensor(fresh, { shape: [...t.shape] })));
      const expected = new Array<number>(n).fill(0);
      refFlat(ref).forEach((position, i) => (expected[position] = fresh[i]!));
      assert.deepEqual(Array.from(base.contiguous().toTypedArray()), expected, names.join("."));
    }, { runs: 300, seed: 11 });
  });

  test("transpose, permute, slice, select, expand, squeeze and unsqueeze never copy", () => {
    forAll("views share memory", (g) => {
      const shape = randomShape(g, 1, 4, 4);
      let t = zeros(shape);
      const base = t;
      for (let k = 0; k < 5; k++) {
        let step = randomStep(g, [...t.shape]);
        while (step.copies) step = randomStep(g, [...t.shape]);
        t = step.apply(t);
        assert.equal(t.storage, base.storage, step.name);
      }
    }, { runs: 200, seed: 3 });
  });
});

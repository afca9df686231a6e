// In-place ops (add_, sub_, mul_, div_, fill_, zero_, copy_): values and
// broadcasting, the dtype rules, the version counter, and the refusals that
// keep autograd correct: no in-place writes on tensors that require grad while
// gradients are recorded, none into expanded tensors, and a loud error when
// backward needs a tensor that was modified since the forward pass.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { arange, noGrad, tensor, zeros } from "../../src/index.ts";
import { assertTensor } from "../helpers/assert.ts";

describe("values and broadcasting", () => {
  test("add_, sub_, mul_, div_ with tensors and numbers; they return the tensor itself", () => {
    const x = tensor([1, 2, 3]);
    assert.equal(x.add_(tensor([10, 20, 30])), x);
    assertTensor(x, [11, 22, 33]);
    assert.equal(x.sub_(1), x);
    assertTensor(x, [10, 21, 32]);
    assert.equal(x.mul_(tensor([2, 0.5, -1])), x);
    assertTensor(x, [20, 10.5, -32]);
    assert.equal(x.div_(4), x);
    assertTensor(x, [5, 2.625, -8]);
    // PyTorch 1.13: torch.tensor([6., 5.]).div_(torch.tensor([4., 2.])) -> [1.5, 2.5]
    assertTensor(tensor([6, 5]).div_(tensor([4, 2])), [1.5, 2.5]);
  });

  test("alpha scales the other operand", () => {
    assertTensor(tensor([1, 2]).add_(tensor([10, 10]), { alpha: 0.5 }), [6, 7]);
    // PyTorch 1.13: torch.tensor([[1.,2.,3.],[4.,5.,6.]]).sub_(torch.tensor([1.,2.,3.]), alpha=2)
    assertTensor(tensor([[1, 2, 3], [4, 5, 6]]).sub_(tensor([1, 2, 3]), { alpha: 2 }), [[-1, -2, -3], [2, 1, 0]]);
  });

  test("the other operand broadcasts to the tensor's shape", () => {
    assertTensor(zeros([2, 3]).add_(tensor([1, 2, 3])), [[1, 2, 3], [1, 2, 3]]);
    assertTensor(tensor([[1, 1], [1, 1]]).mul_(tensor([[2], [3]])), [[2, 2], [3, 3]]);
    assertTensor(tensor([[4, 8]]).div_(tensor(4)), [[1, 2]]);
  });

  test("the result may not be bigger than the tensor written into", () => {
    assert.throws(() => zeros([3]).add_(zeros([2, 3])), /add_: the result of shape \[2, 3\] cannot be written into a tensor of shape \[3\]/);
    assert.throws(() => zeros([3, 1]).mul_(zeros([3, 4])), /mul_: the result of shape \[3, 4\] cannot be written into a tensor of shape \[3, 1\]/);
    assert.throws(() => zeros([2, 3]).copy_(zeros([4])), /copy_: the result of shape \[4\] cannot be written into a tensor of shape \[2, 3\]/);
  });

  test("writing into a non-contiguous tensor writes through to its memory", () => {
    // PyTorch 1.13: x = torch.tensor([[1., 2.], [3., 4.]]); x.t().add_(torch.tensor([[10., 20.]])) -> x = [[11, 12], [23, 24]]
    const x = tensor([[1, 2], [3, 4]]);
    x.T.add_(tensor([[10, 20]]));
    assertTensor(x, [[11, 12], [23, 24]]);
    const y = arange(6, undefined, 1, { dtype: "float32" }).reshape(2, 3);
    y.slice(1, null, null, 2).mul_(-1);
    assertTensor(y, [[-0, 1, -2], [-3, 4, -5]]);
  });

  test("fill_ and zero_", () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    const column = x.select(1, 1);
    assert.equal(column.fill_(9), column);
    assertTensor(x, [[1, 9, 3], [4, 9, 6]]);
    assert.equal(x.zero_(), x);
    assertTensor(x, [[0, 0, 0], [0, 0, 0]]);
    const scalar = tensor(3);
    scalar.fill_(-1);
    assert.equal(scalar.item(), -1);
    // PyTorch 1.13: fill_ converts the value to the tensor's dtype: int32 2.7 -> 2, bool 2 -> True
    assertTensor(zeros([2], { dtype: "int32" }).fill_(2.7), [2, 2]);
    assertTensor(zeros([2], { dtype: "bool" }).fill_(2), [true, true]);
  });

  test("copy_ converts, broadcasts and reads non-contiguous sources", () => {
    assertTensor(zeros([2, 3]).copy_(tensor([1, 2, 3])), [[1, 2, 3], [1, 2, 3]]);
    // PyTorch 1.13: torch.tensor([1, 2], dtype=torch.int32).copy_(torch.tensor([1.7, -2.7])) -> [1, -2]
    const ints = zeros([2], { dtype: "int32" }).copy_(tensor([1.7, -2.7]));
    assert.equal(ints.dtype, "int32");
    assertTensor(ints, [1, -2]);
    assertTensor(zeros([2, 2]).copy_(tensor([[1, 2], [3, 4]]).T), [[1, 3], [2, 4]]);
    assertTensor(zeros([3]).copy_(tensor([true, false, true])), [1, 0, 1]);
    // The source is read in full before anything is written, so copying a tensor's own transpose into it is safe.
    const square = tensor([[1, 2], [3, 4]]);
    square.copy_(square.T);
    assertTensor(square, [[1, 3], [2, 4]]);
  });
});

describe("dtype rules", () => {
  test("a result of a higher kind cannot be stored in place (PyTorch: 'result type Float can't be cast to ... Int')", () => {
    const ints = tensor([1, 2], { dtype: "int32" });
    assert.throws(() => ints.add_(2.5), /add_: the result type float32 cannot be stored in place in a tensor of dtype int32/);
    assert.throws(() => ints.div_(2), /div_: the result type float32 cannot be stored in place in a tensor of dtype int32/);
    assert.throws(() => ints.mul_(tensor([1.5, 2])), /mul_: the result type float32 cannot be stored in place/);
    assert.throws(() => ints.sub_(tensor(0.5, { dtype: "float64" })), /sub_: the result type float64 cannot be stored/);
    assert.throws(() => tensor([true]).add_(1), /add_: the result type int32 cannot be stored in place in a tensor of dtype bool/);
    // The refused ops left the tensor alone.
    assertTensor(ints, [1, 2]);
  });

  test("results of the same or a lower kind are converted to the tensor's dtype", () => {
    assertTensor(tensor([1, 2], { dtype: "int32" }).add_(2), [3, 4]);
    assertTensor(tensor([1, 2], { dtype: "int32" }).mul_(tensor([true, false])), [1, 0]);
    // PyTorch 1.13: torch.tensor([1., 2.]).add_(torch.tensor([1., 2.], dtype=torch.float64)) -> float32 [2, 4]
    const x = tensor([1, 2]).add_(tensor([1, 2], { dtype: "float64" }));
    assert.equal(x.dtype, "float32");
    assertTensor(x, [2, 4]);
    const y = tensor([0.5]).add_(tensor([0.1], { dtype: "float64" }));
    assert.equal(y.item(), Math.fround(0.6));
    // PyTorch 1.13: torch.tensor([1., 2.]).add_(torch.tensor([True, False])) -> [2, 2]
    assertTensor(tensor([1, 2]).add_(tensor([true, false])), [2, 2]);
  });
});

describe("version counter", () => {
  test("every in-place op bumps it once; views share it; out-of-place ops do not touch it", () => {
    // PyTorch 1.13: x = torch.zeros(2, 3); x._version is 0, 1 after x.add_(1), 2 after x[0].mul_(2) (on x and the view)
    const x = zeros([2, 3]);
    assert.equal(x.storage.version, 0);
    x.add_(1);
    assert.equal(x.storage.version, 1);
    const row = x.select(0, 0);
    row.mul_(2);
    assert.equal(x.storage.version, 2);
    assert.equal(row.storage.version, 2);
    x.add(1);
    x.mul(3).sum();
    assert.equal(x.storage.version, 2);
    for (const op of [() => x.sub_(1), () => x.div_(2), () => x.fill_(0), () => x.zero_(), () => x.copy_(zeros([3]))]) op();
    assert.equal(x.storage.version, 7);
  });

  test("refused writes do not bump it", () => {
    const x = tensor([1, 2], { dtype: "int32" });
    assert.throws(() => x.add_(0.5));
    assert.equal(x.storage.version, 0);
  });
});

describe("refusals that protect autograd", () => {
  test("in-place ops on a leaf that requires grad are refused while gradients are recorded", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    for (const [name, op] of [
      ["add_", () => w.add_(1)], ["sub_", () => w.sub_(1)], ["mul_", () => w.mul_(2)], ["div_", () => w.div_(2)],
      ["fill_", () => w.fill_(0)], ["zero_", () => w.zero_()], ["copy_", () => w.copy_(tensor([5, 6]))],
    ] as const) {
      const prefix = name === "zero_" ? "fill_" : name;
      assert.throws(op, new RegExp(`${prefix}: in-place operations on a tensor that requires grad are not allowed while gradients are recorded ` +
        `\\(a leaf such as a parameter\\)\\. Update parameters inside noGrad`));
    }
    assertTensor(w, [1, 2]);
    assert.equal(w.storage.version, 0);
  });

  test("...and on tensors computed from it (gradschool refuses where PyTorch would record the in-place op)", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    assert.throws(() => w.mul(2).add_(1), /add_: in-place operations on a tensor that requires grad .* \(part of the graph\)/);
    assert.throws(() => w.select(0, 0).fill_(0), /fill_: in-place operations .* \(part of the graph\)/);
  });

  test("inside noGrad they are allowed, and the leaf keeps requiring grad", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    w.mul(tensor([3, 4])).sum().backward();
    noGrad(() => w.sub_(w.grad!, { alpha: 0.5 })); // one step of gradient descent
    assertTensor(w, [-0.5, 0]);
    assert.equal(w.requiresGrad, true);
    assert.equal(w.isLeaf, true);
    assert.equal(w.gradFn, null);
    assertTensor(w.grad!, [3, 4]);
    noGrad(() => w.grad!.zero_());
    assertTensor(w.grad!, [0, 0]);
  });

  test("an operand that requires grad is refused while gradients are recorded (its gradient would be lost)", () => {
    // PyTorch 1.13 records h.add_(w) in the graph (w.grad = v after (h * v).sum().backward()); gradschool's
    // in-place ops are not recorded, so it refuses instead of dropping w's gradient.
    const w = tensor([1, 2], { requiresGrad: true });
    const h = zeros([2]);
    assert.throws(() => h.add_(w), /add_: the operand of shape \[2\] requires grad, but in-place ops are not recorded by autograd/);
    assert.throws(() => h.mul_(w), /mul_: the operand of shape \[2\] requires grad/);
    assert.throws(() => h.copy_(w), /copy_: the operand of shape \[2\] requires grad/);
    assertTensor(h, [0, 0]);
    // Inside noGrad only the values are wanted: allowed.
    noGrad(() => h.add_(w).copy_(w.mul(2)));
    assertTensor(h, [2, 4]);
    assert.equal(h.requiresGrad, false);
  });

  test("writes into an expanded tensor are refused: several elements share one memory location", () => {
    const e = tensor([1, 2, 3]).expand(2, 3);
    assert.throws(() => e.add_(1), /add_: cannot write in place into an expanded tensor \(shape \[2, 3\]\): several elements share one memory location/);
    assert.throws(() => e.copy_(zeros([2, 3])), /copy_: cannot write in place into an expanded tensor/);
    // Stricter than PyTorch 1.13, which lets fill_/zero_ through since every copy gets the same value.
    assert.throws(() => e.fill_(0), /fill_: cannot write in place into an expanded tensor/);
    assert.throws(() => e.unsqueeze(0).mul_(2), /mul_: cannot write in place into an expanded tensor \(shape \[1, 2, 3\]\)/);
    // Flattening it must copy (the rows cannot be merged in memory), and the copy is writable.
    assertTensor(e.reshape(6).mul_(2), [2, 4, 6, 2, 4, 6]);
    assertTensor(e, [[1, 2, 3], [1, 2, 3]]);
    // A stride-0 dim of size 1 aliases nothing: writing is fine. So is writing into a contiguous copy.
    assertTensor(tensor([1, 2]).expand(1, 2).fill_(3), [[3, 3]]);
    assertTensor(e.contiguous().add_(1), [[2, 3, 4], [2, 3, 4]]);
  });
});

describe("backward after an in-place change", () => {
  test("modifying a tensor saved for backward makes backward throw", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const a = tensor([3, 4]);
    const y = w.mul(a); // mul saves a to compute dy/dw
    a.add_(1);
    assert.throws(
      () => y.sum().backward(),
      /backward: mul saved input 1 \[shape \[2\]\] for its gradient, but it has been modified by an in-place operation since \(version 0 at forward, now 1\)/,
    );
  });

  test("a change through a view of the saved tensor is caught too", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const a = tensor([3, 4]);
    const y = w.mul(a);
    a.select(0, 1).fill_(0);
    assert.throws(() => y.sum().backward(), /modified by an in-place operation/);
  });

  test("changes to tensors that backward does not need are fine (as in PyTorch)", () => {
    // add saves nothing: PyTorch 1.13 gives w.grad = [1, 1]
    const w = tensor([1, 2], { requiresGrad: true });
    const a = tensor([3, 4]);
    const y = w.add(a);
    a.add_(1);
    y.sum().backward();
    assertTensor(w.grad!, [1, 1]);
    // mul needs w only for a's gradient, which nobody asked for: PyTorch 1.13 gives w.grad = [3, 4]
    const v = tensor([1, 2], { requiresGrad: true });
    const z = v.mul(tensor([3, 4]));
    noGrad(() => v.add_(1));
    z.sum().backward();
    assertTensor(v.grad!, [3, 4]);
  });

  test("changes after backward are fine", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const a = tensor([3, 4]);
    w.mul(a).sum().backward();
    a.add_(1);
    assertTensor(w.grad!, [3, 4]);
    assertTensor(a, [4, 5]);
  });
});

// Reference values in this file come from PyTorch 1.13 (the expression is given beside each).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { add, clamp, div, maximum, minimum, mul, pow, scalarTensor, sub, tensor, where } from "../../src/index.ts";
import { assertClose, assertTensor } from "../helpers/assert.ts";

describe("add, sub, mul, div", () => {
  test("alpha scales the second operand", () => {
    assertClose(tensor([1, 2]).add(tensor([10, 20]), { alpha: 2 }), [21, 42]);
    assertClose(tensor([1, 2]).sub(tensor([10, 20]), { alpha: 0.5 }), [-4, -8]);
  });

  test("a fractional alpha is refused for integer tensors (PyTorch refuses it too)", () => {
    const ints = tensor([1, 2], { dtype: "int32" });
    assert.throws(() => ints.add(tensor([1, 1], { dtype: "int32" }), { alpha: 0.5 }), /add: alpha must be a whole number for int32 tensors, got 0.5/);
    assert.throws(() => ints.sub(ints, { alpha: 1.5 }), /sub: alpha must be a whole number/);
    assertTensor(ints.add(ints, { alpha: 2 }), [3, 6]);
  });

  test("numbers on either side", () => {
    assertClose(sub(1, tensor([1, 2, 3])), [0, -1, -2]);
    assertClose(div(1, tensor([2, 4])), [0.5, 0.25]);
    assertClose(mul(tensor([1, 2]), 3), [3, 6]);
    assertClose(add(2, 3), 5);
  });

  test("broadcasting [3, 1] with [4] gives [3, 4]", () => {
    const out = tensor([[1], [2], [3]]).mul(tensor([1, 10, 100, 1000]));
    assert.deepEqual(out.shape, [3, 4]);
    assertClose(out, [[1, 10, 100, 1000], [2, 20, 200, 2000], [3, 30, 300, 3000]]);
  });

  test("incompatible shapes name the op, both shapes and the rule", () => {
    assert.throws(
      () => tensor([[1, 2, 3], [4, 5, 6]]).add(tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9], [1, 1, 1]])),
      /add: shapes \[2, 3\] and \[4, 3\] cannot be broadcast: size 2 and size 4 differ at dim -2 and neither is 1/,
    );
  });

  test("dtypes follow PyTorch's promotion", () => {
    const ints = tensor([1, 2, 3], { dtype: "int32" });
    assert.equal(ints.mul(2).dtype, "int32"); // torch: int32 * 2 -> int32
    assert.equal(ints.mul(2.5).dtype, "float32"); // torch: int32 * 2.5 -> float32
    const halves = ints.div(2); // torch: int32 / 2 -> float32 [0.5, 1, 1.5]
    assert.equal(halves.dtype, "float32");
    assertClose(halves, [0.5, 1, 1.5]);
    // torch: tensor([1., 2.]) + tensor(1., dtype=float64) -> float32 [2, 3] (a 0-d tensor does not widen)
    const mixed = tensor([1, 2]).add(scalarTensor(1, "float64"));
    assert.equal(mixed.dtype, "float32");
    assert.equal(tensor([1, 2]).add(tensor([1, 2], { dtype: "float64" })).dtype, "float64");
  });

  test("float32 results are rounded to float32", () => {
    assert.equal(tensor([0.1]).add(tensor([0.2])).item(), Math.fround(Math.fround(0.1) + Math.fround(0.2)));
    assert.equal(tensor([0.1], { dtype: "float64" }).add(0.2).item(), 0.1 + 0.2);
  });
});

describe("pow", () => {
  test("negative bases: integer exponents work, fractional ones give NaN; 0^0 = 1, 0^-1 = inf", () => {
    // torch: tensor([-2., -2., 0., 0.]).pow(tensor([3., 0.5, 0., -1.])) -> [-8., nan, 1., inf]
    assertClose(tensor([-2, -2, 0, 0]).pow(tensor([3, 0.5, 0, -1])), [-8, NaN, 1, Infinity]);
  });

  test("integers to negative powers are refused, as in PyTorch", () => {
    assert.throws(() => tensor([2, 3], { dtype: "int32" }).pow(-1), /pow: integers to negative powers are not allowed/);
    assertTensor(tensor([2, 3], { dtype: "int32" }).pow(2), [4, 9]);
  });

  test("scalar base and scalar exponent forms", () => {
    assertClose(pow(2, tensor([1, -1])), [2, 0.5]); // torch.pow(2, tensor([1., -1.]))
    assertClose(tensor([1, 2, 3]).pow(2), [1, 4, 9]);
  });

  test("gradients at zero follow PyTorch's masks", () => {
    // torch: x = [0, 0, 2], e = [0, 2, 0]; x.pow(e).sum().backward() -> x.grad [0, 0, 0], e.grad [0, 0, ln 2]
    const x = tensor([0, 0, 2], { requiresGrad: true });
    const e = tensor([0, 2, 0], { requiresGrad: true });
    x.pow(e).sum().backward();
    assertClose(x.grad!, [0, 0, 0]);
    assertClose(e.grad!, [0, 0, Math.LN2]);
  });
});

describe("maximum, minimum, clamp, where", () => {
  test("maximum and minimum split the gradient on ties", () => {
    // torch: a = [1, 2, 3], b = [1, 3, 2]; maximum(a, b).sum().backward() -> a.grad [0.5, 0, 1], b.grad [0.5, 1, 0]
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const b = tensor([1, 3, 2], { requiresGrad: true });
    maximum(a, b).sum().backward();
    assertClose(a.grad!, [0.5, 0, 1]);
    assertClose(b.grad!, [0.5, 1, 0]);
    a.grad = null;
    b.grad = null;
    minimum(a, b).sum().backward();
    assertClose(a.grad!, [0.5, 1, 0]);
    assertClose(b.grad!, [0.5, 0, 1]);
  });

  test("maximum propagates NaN", () => {
    assertClose(maximum(tensor([NaN, 1]), tensor([0, NaN])), [NaN, NaN]);
  });

  test("clamp with scalar bounds: the gradient passes inside [min, max], bounds included", () => {
    // torch: x = [-2, 0, 0.5, 1, 3]; x.clamp(0, 1).sum().backward() -> grad [0, 1, 1, 1, 0]
    const x = tensor([-2, 0, 0.5, 1, 3], { requiresGrad: true });
    const y = x.clamp(0, 1);
    assertClose(y, [0, 0, 0.5, 1, 1]);
    y.sum().backward();
    assertClose(x.grad!, [0, 1, 1, 1, 0]);
    assertClose(tensor([-5, 5]).clamp(null, 1), [-5, 1]);
    assert.throws(() => clamp(tensor([1])), /clamp: at least one of min and max/);
  });

  test("clamp of an int32 tensor with one bound leaves the other side alone", () => {
    // torch: tensor([-3, 1, 7], dtype=int32).clamp(0) -> [0, 1, 7]; .clamp(max=5) -> [-3, 1, 5]; tensor([1, 2, 3], int32).clamp(1.5) -> [1.5, 2., 3.]
    const ints = tensor([-3, 1, 7], { dtype: "int32" });
    assertTensor(ints.clamp(0), [0, 1, 7]);
    assertTensor(ints.clamp(null, 5), [-3, 1, 5]);
    const promoted = tensor([1, 2, 3], { dtype: "int32" }).clamp(1.5);
    assert.equal(promoted.dtype, "float32");
    assertTensor(promoted, [1.5, 2, 3]);
  });

  test("clamp with tensor bounds sends the gradient to whichever value was chosen (min > max gives max)", () => {
    // torch: x = [-2, 0.5, 3, 1], lo = [0, 0, 0, 2], hi = [1, 1, 1, 1]; clamp(x, lo, hi) = [0, 0.5, 1, 1]
    //        x.grad [0, 1, 0, 0], lo.grad [1, 0, 0, 0], hi.grad [0, 0, 1, 1]
    const x = tensor([-2, 0.5, 3, 1], { requiresGrad: true });
    const lo = tensor([0, 0, 0, 2], { requiresGrad: true });
    const hi = tensor([1, 1, 1, 1], { requiresGrad: true });
    const y = clamp(x, lo, hi);
    assertClose(y, [0, 0.5, 1, 1]);
    y.sum().backward();
    assertClose(x.grad!, [0, 1, 0, 0]);
    assertClose(lo.grad!, [1, 0, 0, 0]);
    assertClose(hi.grad!, [0, 0, 1, 1]);
  });

  test("where picks elementwise and routes the gradient to the chosen side", () => {
    const cond = tensor([true, false, true]);
    const a = tensor([1, 2, 3], { requiresGrad: true });
    const b = tensor([10, 20, 30], { requiresGrad: true });
    const y = where(cond, a, b);
    assertClose(y, [1, 20, 3]);
    y.sum().backward();
    assertClose(a.grad!, [1, 0, 1]);
    assertClose(b.grad!, [0, 1, 0]);
    assertClose(where(tensor([1, 0], { dtype: "int32" }), 5, tensor([7, 8])), [5, 8]);
  });
});

describe("comparisons and logic", () => {
  test("comparisons give bool tensors", () => {
    const x = tensor([1, 2, 3]);
    const lt = x.lt(2);
    assert.equal(lt.dtype, "bool");
    assertTensor(lt, [true, false, false]);
    assertTensor(x.le(2), [true, true, false]);
    assertTensor(x.gt(2), [false, false, true]);
    assertTensor(x.ge(2), [false, true, true]);
    assertTensor(x.eq(tensor([1, 0, 3])), [true, false, true]);
    assertTensor(x.ne(tensor([1, 0, 3])), [false, true, false]);
    assertTensor(tensor([NaN]).eq(tensor([NaN])), [false]);
  });

  test("logical ops", () => {
    const a = tensor([true, true, false, false]);
    const b = tensor([true, false, true, false]);
    assertTensor(a.logicalAnd(b), [true, false, false, false]);
    assertTensor(a.logicalOr(b), [true, true, true, false]);
    assertTensor(a.logicalXor(b), [false, true, true, false]);
    assertTensor(a.logicalNot(), [false, false, true, true]);
  });

  test("comparisons are not differentiable: their results do not require grad", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    assert.equal(x.gt(1).requiresGrad, false);
  });
});

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  enableGrad, grad, gradcheck, gradgradcheck, isGradEnabled, noGrad, ones, randn, tensor, zeros, type Tensor,
} from "../../src/index.ts";
import { assertClose } from "../helpers/assert.ts";

describe("backward", () => {
  test("chain rule on a small expression: y = x² + 3x gives dy/dx = 2x + 3", () => {
    const x = tensor([1, -2, 0.5], { requiresGrad: true });
    x.mul(x).add(x.mul(3)).sum().backward();
    assertClose(x.grad!, [5, -1, 4]);
  });

  test("a tensor used twice receives the sum of both gradients", () => {
    const x = tensor([2], { requiresGrad: true });
    const y = x.mul(x).mul(x); // x³ through two uses of x per mul
    y.sum().backward();
    assertClose(x.grad!, [12]);
  });

  test("gradients accumulate across backward calls until reset", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    x.mul(2).sum().backward();
    x.mul(3).sum().backward();
    assertClose(x.grad!, [5, 5]);
    x.grad = null;
    x.mul(4).sum().backward();
    assertClose(x.grad!, [4, 4]);
  });

  test("broadcast inputs get gradients of their own shape (summed over the broadcast dims)", () => {
    const a = tensor([[1], [2], [3]], { requiresGrad: true }); // [3, 1]
    const b = tensor([[10, 20, 30, 40]], { requiresGrad: true }); // [1, 4]
    a.mul(b).sum().backward();
    assert.deepEqual(a.grad!.shape, [3, 1]);
    assert.deepEqual(b.grad!.shape, [1, 4]);
    assertClose(a.grad!, [[100], [100], [100]]);
    assertClose(b.grad!, [[6, 6, 6, 6]]);
  });

  test("a gradient passed through unchanged is not shared between two leaves", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { requiresGrad: true });
    a.add(b).sum().backward();
    noGrad(() => a.grad!.fill_(7));
    assertClose(b.grad!, [1, 1]);
  });

  test("an explicit gradient seeds a non-scalar output", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(2).backward(tensor([1, 0, -1]));
    assertClose(x.grad!, [2, 0, -2]);
  });

  test("backward on a non-scalar without a gradient explains what to do", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    assert.throws(() => x.mul(2).backward(), /backward: grad can be created implicitly only for a scalar output, but the output has shape \[3\]/);
  });

  test("a seed gradient of the wrong shape is refused", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    assert.throws(() => x.mul(2).backward(ones([2])), /gradient of shape \[2\] does not match the output's shape \[3\]/);
  });

  test("backward on a tensor that does not require grad is refused", () => {
    assert.throws(() => tensor([1, 2]).sum().backward(), /does not require grad/);
  });

  test("a second backward through a freed graph fails, retainGraph allows it", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(x).sum();
    y.backward();
    assert.throws(() => y.backward(), /a second time.*retainGraph: true/s);

    // A graph whose ops saved nothing (add, sum) can be walked twice, as in PyTorch.
    x.grad = null;
    const sumOfShifted = x.add(2).sum();
    sumOfShifted.backward();
    sumOfShifted.backward();
    assertClose(x.grad!, [2, 2]);

    const z = x.mul(x).sum();
    x.grad = null;
    z.backward(undefined, { retainGraph: true });
    z.backward();
    assertClose(x.grad!, [4, 8]);
  });

  test("retainGrad fills .grad of an intermediate tensor; other intermediates get none", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const h = x.mul(3).retainGrad();
    const k = h.mul(2);
    k.sum().backward();
    assertClose(h.grad!, [2, 2]);
    assert.equal(k.grad, null);
  });

  test("a very long chain does not overflow the stack", () => {
    const x = tensor([1], { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 20000; i++) y = y.add(1);
    y.sum().backward();
    assertClose(x.grad!, [1]);
  });
});

describe("leaves, detach and grad mode", () => {
  test("only floating-point tensors can require grad", () => {
    assert.throws(() => tensor([1, 2], { dtype: "int32", requiresGrad: true }), /only floating-point tensors can require gradients, this one is int32/);
  });

  test("results of ops on tensors that require grad are non-leaves with a gradFn", () => {
    const x = tensor([1], { requiresGrad: true });
    const y = x.mul(2);
    assert.equal(x.isLeaf, true);
    assert.equal(y.isLeaf, false);
    assert.equal(y.requiresGrad, true);
    assert.equal(y.gradFn!.name, "mul");
    assert.throws(() => (y.requiresGrad = false), /non-leaf/);
  });

  test("detach cuts the graph but shares memory", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const d = x.detach();
    assert.equal(d.requiresGrad, false);
    assert.equal(d.storage, x.storage);
    const y = x.mul(d).sum(); // d is a constant: dy/dx = d
    y.backward();
    assertClose(x.grad!, [1, 2]);
  });

  test("noGrad records nothing, enableGrad records inside it, and both restore the mode", () => {
    const x = tensor([1], { requiresGrad: true });
    const y = noGrad(() => x.mul(2));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.gradFn, null);
    const z = noGrad(() => enableGrad(() => x.mul(2)));
    assert.equal(z.requiresGrad, true);
    assert.equal(isGradEnabled(), true);
    assert.throws(() => noGrad(() => { throw new Error("boom"); }), /boom/);
    assert.equal(isGradEnabled(), true);
  });
});

describe("in-place changes and saved tensors", () => {
  test("modifying a tensor saved for backward makes backward fail with the reason", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const a = tensor([3, 4]);
    const y = w.mul(a); // mul saves a for dw
    a.add_(1);
    assert.throws(() => y.sum().backward(), /mul saved input 1 .* modified by an in-place operation/);
  });

  test("an in-place change through a view is noticed too", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const a = tensor([[3, 4], [5, 6]]);
    const y = w.mul(a.select(0, 0));
    noGrad(() => a.select(0, 0).fill_(0));
    assert.throws(() => y.sum().backward(), /modified by an in-place operation/);
  });

  test("ops whose gradient needs only a shape ignore later in-place changes (as in PyTorch)", () => {
    // torch: w = tensor([1., 2., 3., 4.], requires_grad=True); y = w.reshape(2, 2).sum(); with no_grad: w.mul_(2); y.backward() -> w.grad [1, 1, 1, 1]
    const w = tensor([1, 2, 3, 4], { requiresGrad: true });
    const y = w.reshape(2, 2).sum();
    noGrad(() => w.mul_(2));
    y.backward();
    assertClose(w.grad!, [1, 1, 1, 1]);
  });

  test("an in-place change of an input that backward does not need is fine", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const a = tensor([3, 4]);
    const y = w.add(a); // add's gradient does not use its inputs
    a.add_(1);
    y.sum().backward();
    assertClose(w.grad!, [1, 1]);
  });

  test("in-place ops on a leaf that requires grad are refused while recording, allowed in noGrad", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    assert.throws(() => w.sub_(1), /sub_: in-place operations on a tensor that requires grad .* noGrad/);
    noGrad(() => w.sub_(1));
    assertClose(w, [0, 1]);
  });
});

describe("grad() and higher-order gradients", () => {
  test("grad returns gradients without touching .grad", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const [g] = grad(x.mul(x).sum(), [x]);
    assertClose(g!, [2, 4]);
    assert.equal(x.grad, null);
  });

  test("second derivative of x³ is 6x (createGraph)", () => {
    const x = tensor([1, -2, 0.5], { dtype: "float64", requiresGrad: true });
    const [first] = grad(x.pow(3).sum(), [x], undefined, { createGraph: true });
    assertClose(first!, [3, 12, 0.75]);
    const [second] = grad(first!.sum(), [x]);
    assertClose(second!, [6, -12, 3]);
  });

  test("backward with createGraph leaves a differentiable .grad", () => {
    const x = tensor([3], { dtype: "float64", requiresGrad: true });
    x.mul(x).mul(x).sum().backward(undefined, { createGraph: true });
    const firstGrad = x.grad!;
    assert.equal(firstGrad.requiresGrad, true);
    const [second] = grad(firstGrad.sum(), [x]);
    assertClose(second!, [18]);
  });

  test("unused inputs: an error by default, null with allowUnused", () => {
    const x = tensor([1], { requiresGrad: true });
    const unused = tensor([1], { requiresGrad: true });
    assert.throws(() => grad(x.mul(2).sum(), [x, unused]), /input 1 was not used/);
    const [gx, gu] = grad(x.mul(2).sum(), [x, unused], undefined, { allowUnused: true });
    assertClose(gx!, [2]);
    assert.equal(gu, null);
  });
});

describe("gradcheck", () => {
  test("passes on a correct composite function", () => {
    const a = randn([3, 4], { dtype: "float64", requiresGrad: true });
    const b = randn([4], { dtype: "float64", requiresGrad: true });
    assert.equal(gradcheck((p, q) => p.mul(q).sub(q.mul(q)).sum(0), [a, b]), true);
    assert.equal(gradgradcheck((p, q) => p.mul(q).mul(q), [a, b]), true);
  });

  test("fails on a wrong gradient and reports op, index, both values and the relative error", () => {
    const x = tensor([[1, 2], [3, 4]], { dtype: "float64", requiresGrad: true });
    // x·detach(x) has the value x² but autograd sees only one factor: gradient x instead of 2x.
    assert.throws(
      () => gradcheck((t) => t.mul(t.detach()), [x], { name: "halfSquare" }),
      /gradcheck\(halfSquare\): gradient of input 0 \(shape \[2, 2\]\) is wrong at index \[\d, \d\]: analytic -?[\d.e-]+, numeric -?[\d.e-]+, relative error/,
    );
  });

  test("gradgradcheck catches a first derivative that is right but not differentiable", () => {
    const x = tensor([0.5, 1.5], { dtype: "float64", requiresGrad: true });
    // t³ written as c³ + (t − c)·3c² with c = detach(t): the value and the first
    // derivative (3c²) are right, but 3c² is a constant to autograd, so d²/dt² comes out 0, not 6t.
    const cubeWithDetachedGrad = (t: Tensor) => {
      const c = t.detach();
      return c.pow(3).add(t.sub(c).mul(c.mul(c).mul(3)));
    };
    assert.equal(gradcheck(cubeWithDetachedGrad, [x]), true);
    assert.throws(() => gradgradcheck(cubeWithDetachedGrad, [x]), /second order/);
  });

  test("refuses float32 inputs and expanded inputs", () => {
    assert.throws(() => gradcheck((t) => t.mul(2), [randn([2], { requiresGrad: true })]), /float64/);
    const base = randn([1, 3], { dtype: "float64", requiresGrad: true });
    const expanded = zeros([2, 3], { dtype: "float64" }).add(base.detach().expand(2, 3)).requiresGrad_();
    assert.equal(gradcheck((t) => t.mul(2), [expanded]), true);
    const leafView = base.detach().expand(2, 3).requiresGrad_();
    assert.throws(() => gradcheck((t) => t.mul(2), [leafView]), /expanded view/);
  });
});

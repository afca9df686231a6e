// Reductions: sum, mean, max/min (all elements and along a dim), amax/amin,
// argmax/argmin, var/std and logsumexp. Reference numbers come from PyTorch 1.13
// (the expression that produced them is in the comment above each).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  amax, amin, argmax, argmin, grad, logsumexp, max, min, std, tensor, variance, zeros, type Tensor,
} from "../../src/index.ts";
import { assertClose, assertTensor } from "../helpers/assert.ts";

const F32 = { atol: 1e-6, rtol: 1e-6 };
const F64 = { atol: 1e-12, rtol: 1e-12 };

/** x[i][j][k] = ((7i + 5j + 3k) mod 11) − 5: a [2, 3, 4] tensor of whole numbers with a few ties. */
const X = [
  [[-5, -2, 1, 4], [0, 3, -5, -2], [5, -3, 0, 3]],
  [[2, 5, -3, 0], [-4, -1, 2, 5], [1, 4, -4, -1]],
];

/** The gradient of (out·weight).sum() with respect to x. */
function gradOf(x: Tensor, out: Tensor, weight?: Tensor): Tensor {
  const [g] = grad(out, x, weight);
  return g!;
}

describe("sum and mean", () => {
  test("an empty dim list reduces every dim, as in PyTorch 1.13", () => {
    const x = tensor([[1, 3, 3], [2, 2, 0]]);
    // torch.tensor([[1.,3.,3.],[2.,2.,0.]]).sum(dim=[]) = 11; .sum(dim=[], keepdim=True) = [[11.]]
    assertTensor(x.sum([]), 11, []);
    assertTensor(x.sum([], true), [[11]], [1, 1]);
    assertClose(x.mean([]), 11 / 6);
  });

  test("over an empty dim: sum is 0 and mean is NaN", () => {
    const x = zeros([2, 0]);
    assertTensor(x.sum(1), [0, 0], [2]);
    assertClose(x.mean(1), [NaN, NaN]);
  });
});

describe("max and min of all elements", () => {
  test("return a 0-d tensor of the input's dtype", () => {
    const x = tensor(X);
    assertTensor(max(x), 5, []);
    assertTensor(min(x), -5, []);
    const ints = tensor([[1, 5], [7, 2]], { dtype: "int32" });
    assert.equal(ints.max().dtype, "int32");
    assert.equal(ints.max().item(), 7);
    const bools = tensor([[true, false], [false, false]]);
    assert.equal(bools.max().dtype, "bool");
    assert.equal(bools.max().tolist(), true);
    assert.equal(bools.min().tolist(), false);
  });

  test("ties share the gradient evenly", () => {
    const x = tensor([[1, 3, 3], [2, 2, 0]], { requiresGrad: true });
    // x.max().backward() in PyTorch 1.13 gives [[0, 0.5, 0.5], [0, 0, 0]]
    assertTensor(gradOf(x, x.max()), [[0, 0.5, 0.5], [0, 0, 0]]);
    assertTensor(gradOf(x, x.min()), [[0, 0, 0], [0, 0, 1]]);
  });

  test("NaN propagates, and the NaNs share the gradient", () => {
    const x = tensor([[1, NaN, 3, NaN], [2, 2, 0, 1]], { requiresGrad: true });
    assert.ok(Number.isNaN(x.max().item()));
    assert.ok(Number.isNaN(x.min().item()));
    // x.max().backward() in PyTorch 1.13 gives [[0, 0.5, 0, 0.5], [0, 0, 0, 0]]
    assertTensor(gradOf(x, x.max()), [[0, 0.5, 0, 0.5], [0, 0, 0, 0]]);
  });

  test("a 0-d tensor is its own max", () => {
    const x = tensor(3, { requiresGrad: true });
    assertTensor(x.max(), 3, []);
    assertTensor(gradOf(x, x.max()), 1);
  });

  test("an empty tensor has no max", () => {
    assert.throws(() => zeros([0]).max(), /max: cannot reduce over dim 0 of the tensor of shape \[0\]: it has size 0/);
    assert.throws(() => zeros([2, 0]).min(), /min: cannot reduce over dim 1 of the tensor of shape \[2, 0\]/);
  });
});

describe("max and min along a dim", () => {
  test("values and int32 indices, with keepdim and negative dims", () => {
    const x = tensor(X);
    // torch.max(x, -1, keepdim=True)
    const top = x.max(-1, true);
    assertTensor(top.values, [[[4], [3], [5]], [[5], [5], [4]]], [2, 3, 1]);
    assertTensor(top.indices, [[[3], [1], [0]], [[1], [3], [1]]], [2, 3, 1]);
    assert.equal(top.indices.dtype, "int32");
    // torch.min(x, 0)
    const bottom = min(x, 0);
    assertTensor(bottom.values, [[-5, -2, -3, 0], [-4, -1, -5, -2], [1, -3, -4, -1]], [3, 4]);
    assertTensor(bottom.indices, [[0, 0, 1, 1], [1, 1, 0, 0], [1, 0, 1, 1]], [3, 4]);
  });

  test("reads non-contiguous inputs", () => {
    const x = tensor(X).permute(2, 0, 1); // [4, 2, 3]
    const { values, indices } = x.max(0);
    assertTensor(values, [[4, 3, 5], [5, 5, 4]], [2, 3]);
    assertTensor(indices, [[3, 1, 0], [1, 3, 1]]);
  });

  test("on ties the first index wins, and only it gets the gradient", () => {
    const x = tensor([[1, 3, 3], [2, 2, 0]], { requiresGrad: true });
    // torch.max(x, 1) = values [3, 2], indices [1, 0]; values.sum().backward() -> [[0, 1, 0], [1, 0, 0]]
    const { values, indices } = x.max(1);
    assertTensor(values, [3, 2]);
    assertTensor(indices, [1, 0]);
    assertTensor(gradOf(x, values.sum()), [[0, 1, 0], [1, 0, 0]]);
  });

  test("NaN wins, at the index of the first NaN", () => {
    const x = tensor([[1, NaN, 3, NaN], [2, 2, 0, 1]], { requiresGrad: true });
    // torch.max(x, 1) = ([nan, 2], [1, 0]); torch.min(x, 1) = ([nan, 0], [1, 2])
    const top = x.max(1);
    assertClose(top.values, [NaN, 2]);
    assertTensor(top.indices, [1, 0]);
    const bottom = x.min(1);
    assertClose(bottom.values, [NaN, 0]);
    assertTensor(bottom.indices, [1, 2]);
    // values.sum().backward() -> [[0, 1, 0, 0], [1, 0, 0, 0]]
    assertTensor(gradOf(x, top.values.sum()), [[0, 1, 0, 0], [1, 0, 0, 0]]);
  });

  test("the gradient is routed to the indices for several dims and keepdim", () => {
    const x = tensor(X, { dtype: "float64", requiresGrad: true });
    const { values } = x.max(1, true);
    const weight = tensor([[[1, 2, 3, 4]], [[5, 6, 7, 8]]], { dtype: "float64" });
    // indices of torch.max(x, 1, keepdim=True): [[[2, 1, 0, 0]], [[0, 0, 1, 1]]]; (values * weight).sum().backward()
    assertTensor(gradOf(x, values, weight), [
      [[0, 0, 3, 4], [0, 2, 0, 0], [1, 0, 0, 0]],
      [[5, 6, 0, 0], [0, 0, 7, 8], [0, 0, 0, 0]],
    ]);
  });

  test("int and bool inputs keep their dtype", () => {
    const ints = tensor([[1, 5], [7, 2]], { dtype: "int32" });
    // torch.tensor([[1,5],[7,2]], dtype=torch.int32).max(0) = ([7, 5], [1, 0])
    const { values, indices } = ints.max(0);
    assert.equal(values.dtype, "int32");
    assertTensor(values, [7, 5]);
    assertTensor(indices, [1, 0]);
    const bools = tensor([[true, false], [false, false]]).max(1);
    assertTensor(bools.values, [true, false]);
    assertTensor(bools.indices, [0, 0]);
  });

  test("a 0-d tensor along dim 0 gives 0-d values and index 0", () => {
    const { values, indices } = tensor(3).max(0, true);
    assertTensor(values, 3, []);
    assertTensor(indices, 0, []);
  });

  test("empty results are fine, reducing an empty dim is not", () => {
    const { values, indices } = zeros([0, 3]).max(1);
    assert.deepEqual(values.shape, [0]);
    assert.deepEqual(indices.shape, [0]);
    assert.throws(() => zeros([2, 0]).max(1), /max: cannot reduce over dim 1 of the tensor of shape \[2, 0\]: it has size 0/);
  });

  test("errors name the op and the rule", () => {
    const x = tensor([[1, 2], [3, 4]]);
    assert.throws(() => x.max(2), /max: dim 2 is out of range for a tensor of rank 2 \(expected -2 <= dim < 2\)/);
    assert.throws(() => x.min(-3), /min: dim -3 is out of range for a tensor of rank 2/);
    assert.throws(() => max(x, [0, 1] as unknown as number), /max: dim must be a single number, got \[0,1\]; to reduce over several dims use amax/);
  });
});

describe("amax and amin", () => {
  test("over several dims, with keepdim and negative dims", () => {
    const x = tensor(X);
    // x.amax([0, 2]) = [5, 5, 5]; x.amin([-1, 0], keepdim=True) = [[[-5], [-5], [-4]]]
    assertTensor(amax(x, [0, 2]), [5, 5, 5], [3]);
    assertTensor(amin(x, [-1, 0], true), [[[-5], [-5], [-4]]], [1, 3, 1]);
    assertTensor(x.amax(), 5, []);
    assertTensor(x.amin([]), -5, []);
  });

  test("ties share the gradient evenly", () => {
    const x = tensor([[1, 3, 3], [2, 2, 0]], { requiresGrad: true });
    // x.amax(1).sum().backward() in PyTorch 1.13 gives [[0, 0.5, 0.5], [0.5, 0.5, 0]]
    assertTensor(gradOf(x, x.amax(1).sum()), [[0, 0.5, 0.5], [0.5, 0.5, 0]]);
    const y = tensor(X, { dtype: "float64", requiresGrad: true });
    // x.double().amax([0, 2]).sum().backward(): one maximum 5 per column j
    assertTensor(gradOf(y, y.amax([0, 2]).sum()), [
      [[0, 0, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0]],
      [[0, 1, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0]],
    ]);
  });

  test("NaN propagates", () => {
    assertClose(amax(tensor([[1, NaN], [2, 3]]), 1), [NaN, 3]);
    assertClose(amin(tensor([[1, NaN], [2, 3]]), 0), [1, NaN]);
  });

  test("keep the dtype; an empty dim is an error", () => {
    const ints = tensor([[1, 5], [7, 2]], { dtype: "int32" });
    assert.equal(ints.amin(1).dtype, "int32");
    assertTensor(ints.amin(1), [1, 2]);
    assert.throws(() => zeros([2, 0]).amax(1), /amax: cannot reduce over dim 1 .* it has size 0/);
    assert.throws(() => tensor([1, 2]).amin(1), /amin: dim 1 is out of range for a tensor of rank 1/);
  });
});

describe("argmax and argmin", () => {
  test("without a dim: the index into the flattened tensor", () => {
    const x = tensor(X);
    // x.argmax() = 8 (the first 5, at [0, 2, 0]); x.argmax(keepdim=True) has shape [1, 1, 1]
    assertTensor(argmax(x), 8, []);
    assertTensor(argmin(x), 0, []);
    assertTensor(x.argmax(null, true), [[[8]]], [1, 1, 1]);
    assert.equal(argmax(x).dtype, "int32");
  });

  test("along a dim, first index on ties", () => {
    // x.argmin(1) = [[0, 2, 1, 1], [1, 1, 2, 2]]
    assertTensor(argmin(tensor(X), 1), [[0, 2, 1, 1], [1, 1, 2, 2]]);
    assertTensor(tensor([[1, 3, 3], [2, 2, 0]]).argmax(-1, true), [[1], [0]], [2, 1]);
    assertTensor(tensor(7).argmax(0), 0, []);
  });

  test("NaN counts as the largest and the smallest", () => {
    const x = tensor([[1, NaN, 3, NaN], [2, 2, 0, 1]]);
    // x.argmax(1) = [1, 0]; x.argmin(1) = [1, 2]; x.argmax() = 1
    assertTensor(argmax(x, 1), [1, 0]);
    assertTensor(argmin(x, 1), [1, 2]);
    assertTensor(argmax(x), 1);
  });

  test("have no gradient", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    assert.equal(x.argmax().requiresGrad, false);
  });

  test("errors: bool input, empty input, bad dims", () => {
    assert.throws(() => tensor([true, false]).argmax(), /argmax: bool tensors are not supported/);
    assert.throws(() => zeros([0]).argmin(), /argmin: cannot reduce over dim 0 of the tensor of shape \[0\]: it has size 0/);
    assert.throws(() => zeros([2, 0]).argmax(1), /argmax: cannot reduce over dim 1/);
    assert.throws(() => tensor([1, 2]).argmax(3), /argmax: dim 3 is out of range for a tensor of rank 1/);
  });
});

describe("var and std", () => {
  const V = [[1.5, -2.0, 0.25, 4.0], [3.0, 3.5, -1.0, 0.0], [2.0, 2.0, 2.0, 2.0]];

  test("float32 values against PyTorch", () => {
    const x = tensor(V);
    // torch.tensor(V).var(1) / .var(0, unbiased=False) / .std() / .std([0, 1], keepdim=True) / .var(-1, correction=2) / .std(0)
    assertClose(x.var(1), [6.265625, 4.895833492279053, 0.0], F32);
    assertClose(x.var(0, { unbiased: false }), [0.3888888955116272, 5.388888835906982, 1.5138888359069824, 2.6666667461395264], F32);
    assertClose(x.std(), 1.80316960811615, F32);
    assertClose(x.std([0, 1], { keepdim: true }), [[1.80316960811615]], F32);
    assertClose(x.var(-1, { correction: 2 }), [9.3984375, 7.34375, 0.0], F32);
    assertClose(std(x, 0), [0.7637625932693481, 2.8431203365325928, 1.5069284439086914, 2.0], F32);
    assert.equal(x.var(1).dtype, "float32");
    assert.deepEqual(x.std([0, 1], { keepdim: true }).shape, [1, 1]);
  });

  test("float64 values against PyTorch", () => {
    const x = tensor(V, { dtype: "float64" });
    // torch.tensor(V, dtype=torch.float64): the same expressions as above
    assertClose(variance(x, 1), [6.265625, 4.895833333333333, 0.0], F64);
    assertClose(x.var(0, { correction: 0 }), [0.38888888888888884, 5.388888888888889, 1.513888888888889, 2.6666666666666665], F64);
    assertClose(x.std(), 1.8031695579022664, F64);
    assertClose(x.std(0), [0.7637626158259733, 2.8431203515386634, 1.506928443335427, 2.0], F64);
    assert.equal(x.std(0).dtype, "float64");
  });

  test("gradients against PyTorch", () => {
    const x = tensor(V, { dtype: "float64", requiresGrad: true });
    const weight = tensor([0.5, -1.0, 2.0], { dtype: "float64" });
    // (x.var(1) * w).sum().backward() with w = [0.5, -1, 2]
    assertClose(gradOf(x, x.var(1), weight), [
      [0.1875, -0.9791666666666666, -0.22916666666666666, 1.0208333333333333],
      [-1.0833333333333333, -1.4166666666666665, 1.5833333333333333, 0.9166666666666666],
      [0, 0, 0, 0],
    ], F64);
    // (x.std(1) * w).sum().backward(): the constant row has std 0 and gets gradient 0
    assertClose(gradOf(x, x.std(1), weight), [
      [0.037453212707919174, -0.19558899969691124, -0.045776148865234546, 0.20391193585422662],
      [-0.24480416257528057, -0.3201285202907515, 0.357790699148487, 0.20714198371754508],
      [0, 0, 0, 0],
    ], F64);
    // x.std(0, unbiased=False).sum().backward()
    assertClose(gradOf(x, x.std(0, { unbiased: false }).sum()), [
      [-0.3563483225498991, -0.4547068337912341, -0.04515236409857309, 0.40824829046386296],
      [0.44543540318737407, 0.33504714068827773, -0.3837950948378712, -0.40824829046386296],
      [-0.08908708063747472, 0.11965969310295634, 0.4289474589364443, 0.0],
    ], F64);
  });

  test("the std of a constant has gradient 0, as in PyTorch", () => {
    const x = tensor([5, 5, 5], { requiresGrad: true });
    assertTensor(gradOf(x, x.std()), [0, 0, 0]);
  });

  test("two passes keep precision when the mean is large", () => {
    // (torch.tensor([1., 2., 3., 4.], dtype=torch.float64) + 1e9).var() = 1.6666666666666667
    assertClose(tensor([1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4], { dtype: "float64" }).var(), 5 / 3, F64);
    // (torch.tensor([1., 2., 3., 4.]) + 10000).var() = 1.66666662693023682
    assertClose(tensor([10001, 10002, 10003, 10004]).var(), 1.66666662693023682, F32);
  });

  test("n − correction <= 0 gives NaN or Infinity, as in PyTorch", () => {
    // torch.tensor([1.]).var(0) = nan; torch.tensor(3.).var() = nan, .var(unbiased=False) = 0
    assertClose(tensor([1]).var(0), NaN);
    assertClose(tensor(3).var(), NaN);
    assertTensor(tensor(3).var(null, { unbiased: false }), 0);
    // torch.tensor([1., 2.]).var(0, correction=2) = inf, correction=3 = inf; torch.tensor([3., 3.]).var(0, correction=2) = nan
    assertTensor(tensor([1, 2]).var(0, { correction: 2 }), Infinity);
    assertTensor(tensor([1, 2]).std(0, { correction: 3 }), Infinity);
    assertClose(tensor([3, 3]).var(0, { correction: 2 }), NaN);
    // torch.tensor([1., 2., 4.]).var(0, correction=-1) = 1.1666666 (a negative correction divides by n + 1)
    assertClose(tensor([1, 2, 4]).var(0, { correction: -1 }), 14 / 12, F32);
    // over an empty dim: torch.zeros(2, 0).var(1) = [nan, nan]
    assertClose(zeros([2, 0]).var(1), [NaN, NaN]);
  });

  test("errors: integer input, conflicting or bad options", () => {
    assert.throws(() => tensor([1, 2], { dtype: "int32" }).var(), /var: the input must be float32 or float64, got int32/);
    assert.throws(() => tensor([true]).std(), /std: the input must be float32 or float64, got bool/);
    assert.throws(() => tensor([1, 2]).var(0, { correction: 1, unbiased: true }), /var: pass either correction or unbiased, not both/);
    assert.throws(() => tensor([1, 2]).std(0, { correction: 1.5 }), /std: correction must be an integer, got 1.5/);
    assert.throws(() => tensor([1, 2]).var(1), /var: dim 1 is out of range for a tensor of rank 1/);
  });
});

describe("logsumexp", () => {
  const L = [[0.5, -1.25, 2.0], [1000.0, 1000.0, -3.0]];

  test("values against PyTorch, stable for large inputs", () => {
    // torch.tensor(L).logsumexp(1) / .logsumexp(0, keepdim=True) / .logsumexp([0, 1])
    const x32 = tensor(L);
    assertClose(logsumexp(x32, 1), [2.232621908187866, 1000.6931762695312], F32);
    assertClose(x32.logsumexp(0, true), [[1000.0, 1000.0, 2.0067152976989746]], F32);
    assertClose(x32.logsumexp([0, 1]), 1000.6931762695312, F32);
    const x64 = tensor(L, { dtype: "float64" });
    assertClose(x64.logsumexp(-1), [2.2326219831020326, 1000.6931471805599], F64);
    assertClose(x64.logsumexp(0, true), [[1000.0, 1000.0, 2.006715348489118]], F64);
    assertClose(x64.logsumexp([-2, -1]), 1000.6931471805599, F64);
  });

  test("infinities and NaN", () => {
    // torch.tensor([[-inf, -inf], [inf, 1.], [inf, -inf], [nan, 1.], [nan, inf]]).logsumexp(1)
    assertClose(tensor([[-Infinity, -Infinity], [Infinity, 1], [Infinity, -Infinity], [NaN, 1], [NaN, Infinity]]).logsumexp(1),
      [-Infinity, Infinity, Infinity, NaN, NaN]);
    // torch.zeros(2, 0).logsumexp(1) = [-inf, -inf]
    assertTensor(zeros([2, 0]).logsumexp(1), [-Infinity, -Infinity]);
  });

  test("integer inputs are promoted to float32", () => {
    // torch.logsumexp(torch.tensor([1, 2]), 0) = 2.3133
    const out = tensor([1, 2], { dtype: "int32" }).logsumexp(0);
    assert.equal(out.dtype, "float32");
    assertClose(out, Math.log(Math.E + Math.E ** 2), F32);
  });

  test("the gradient is the softmax over the reduced dims", () => {
    const x = tensor(L, { dtype: "float64", requiresGrad: true });
    // x.logsumexp(1).sum().backward()
    assertClose(gradOf(x, x.logsumexp(1).sum()), [
      [0.1768201821074443, 0.030726740326436432, 0.7924530775661193],
      [0.5000000000000275, 0.5000000000000275, 0.0],
    ], { atol: 1e-12, rtol: 1e-9 });
    const y = tensor([[0.5, -1.25, 2.0], [1.0, 0.0, -3.0]], { dtype: "float64", requiresGrad: true });
    // (y.logsumexp([0, 1]) * 3).backward()
    assertClose(gradOf(y, y.logsumexp([0, 1]).mul(3)), [
      [0.3777903440092235, 0.06565011787598302, 1.6931388556253946],
      [0.6228709760331255, 0.22914142658497705, 0.01140827987129613],
    ], F64);
  });

  test("second derivatives against PyTorch", () => {
    const y = tensor([[0.5, -1.25, 2.0], [1.0, 0.0, -3.0]], { dtype: "float64", requiresGrad: true });
    const weight = tensor([[1, 2, 3], [-1, 0.5, 2]], { dtype: "float64" });
    // g = grad(y.logsumexp(1).sum(), y, create_graph=True); (g * weight).sum().backward()
    const [g] = grad(y.logsumexp(1).sum(), y, undefined, { createGraph: true });
    assertClose(gradOf(y, g!.mul(weight).sum()), [
      [-0.28567650279378043, -0.018916392115170898, 0.30459289490895136],
      [-0.3157712506097836, 0.2819161419460282, 0.03385510866375547],
    ], F64);
  });
});

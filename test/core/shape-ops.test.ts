// Joining, splitting and indexing: cat, stack, split, chunk, repeat, pad,
// indexSelect, indexAdd, gather, scatterAdd. Reference values marked
// "PyTorch 1.13" were computed with torch 1.13 using the expression quoted.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  arange, cat, chunk, gather, grad, gradcheck, gradgradcheck, indexAdd, indexSelect, ones, pad, repeat, scatterAdd, split, stack,
  tensor, zeros, type Tensor,
} from "../../src/index.ts";
import { assertTensor } from "../helpers/assert.ts";

const int = (values: number[] | number[][] | number[][][]) => tensor(values, { dtype: "int32" });
const shapes = (pieces: Tensor[]) => pieces.map((p) => [...p.shape]);
/** arange(n) as float32 in the given shape. */
const counting = (shape: number[]) => arange(shape.reduce((n, s) => n * s, 1)).float().reshape(shape);

describe("cat", () => {
  test("joins along dim 0 and dim 1 (negative dims count from the end)", () => {
    const a = tensor([[1, 2], [3, 4]]);
    const b = tensor([[5, 6]]);
    assertTensor(cat([a, b]), [[1, 2], [3, 4], [5, 6]], [3, 2]);
    assertTensor(cat([a, tensor([[7], [8]])], -1), [[1, 2, 7], [3, 4, 8]], [2, 3]);
  });

  test("reads non-contiguous inputs", () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]]).T; // [[1, 4], [2, 5], [3, 6]]
    assertTensor(cat([t, t.slice(0, 0, 1)], 0), [[1, 4], [2, 5], [3, 6], [1, 4]]);
  });

  test("skips 1-D empty tensors and accepts empty dims, like PyTorch 1.13", () => {
    const x = ones([2, 3]);
    // torch.cat([torch.zeros(0), torch.ones(2, 3)], 1).shape == (2, 3)
    assert.deepEqual(cat([zeros([0]), x], 1).shape, [2, 3]);
    assert.deepEqual(cat([zeros([0]), zeros([0])]).shape, [0]);
    assert.deepEqual(cat([zeros([0, 3]), x]).shape, [2, 3]);
    assert.deepEqual(cat([zeros([2, 0]), x], 1).shape, [2, 3]);
    assert.throws(() => cat([zeros([2, 0]), x], 0), /cat: sizes must match except along dim 0.*\[2, 0\].*\[2, 3\]/);
  });

  test("promotes dtypes", () => {
    assert.equal(cat([int([1, 2]), tensor([0.5])]).dtype, "float32");
    assert.equal(cat([tensor([true]), int([3])]).dtype, "int32");
    // An empty float64 tensor is skipped but still takes part in promotion (PyTorch 1.13 gives float64).
    const joined = cat([zeros([0], { dtype: "float64" }), int([1, 2])]);
    assert.equal(joined.dtype, "float64");
    assertTensor(joined, [1, 2]);
  });

  test("sends each input its own stretch of the gradient", () => {
    const a = tensor([[1, 2]], { requiresGrad: true });
    const b = tensor([[3, 4], [5, 6]], { requiresGrad: true });
    cat([a, b]).mul(tensor([[1, 2], [3, 4], [5, 6]])).sum().backward();
    assertTensor(a.grad!, [[1, 2]]);
    assertTensor(b.grad!, [[3, 4], [5, 6]]);
  });

  test("errors name the rule that was broken", () => {
    assert.throws(() => cat([]), /cat: expected a non-empty list/);
    assert.throws(() => cat([tensor(1), tensor(2)]), /cat: tensor 0 is zero-dimensional/);
    assert.throws(() => cat([ones([2, 3]), ones([3])]), /cat: tensors must have the same number of dims.*\[2, 3\].*\[3\]/);
    assert.throws(() => cat([ones([2, 3]), ones([2, 4])]), /cat: sizes must match except along dim 0.*they differ at dim 1/);
    assert.throws(() => cat([ones([2, 3]), ones([2, 3])], 2), /cat: dim 2 is out of range for a tensor of rank 2/);
  });
});

describe("stack", () => {
  test("adds a new dim at any position", () => {
    const a = tensor([[1, 2, 3], [4, 5, 6]]);
    const b = tensor([[7, 8, 9], [10, 11, 12]]);
    assertTensor(stack([a, b]), [[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]], [2, 2, 3]);
    assertTensor(stack([a, b], 1), [[[1, 2, 3], [7, 8, 9]], [[4, 5, 6], [10, 11, 12]]], [2, 2, 3]);
    assertTensor(stack([a, b], -1), [[[1, 7], [2, 8], [3, 9]], [[4, 10], [5, 11], [6, 12]]], [2, 3, 2]);
    assertTensor(stack([tensor(1), tensor(2)]), [1, 2], [2]);
    assert.deepEqual(stack([zeros([0]), zeros([0])]).shape, [2, 0]);
  });

  test("promotes dtypes and sends slice i of the gradient to input i", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const b = tensor([3, 4], { dtype: "float64", requiresGrad: true });
    const s = stack([a, b], 1);
    assert.equal(s.dtype, "float64");
    s.mul(tensor([[1, 2], [3, 4]], { dtype: "float64" })).sum().backward();
    assertTensor(a.grad!, [1, 3]);
    assertTensor(b.grad!, [2, 4]);
  });

  test("errors", () => {
    assert.throws(() => stack([]), /stack: expected a non-empty list/);
    assert.throws(() => stack([ones([2, 3]), ones([2, 4])]), /stack: expects tensors of equal shape, but got \[2, 3\] at entry 0 and \[2, 4\] at entry 1/);
    assert.throws(() => stack([ones([2, 3]), ones([2, 3])], 3), /stack: dim 3 is out of range/);
  });
});

describe("split and chunk", () => {
  test("split by size gives the sizes PyTorch gives", () => {
    // [t.shape for t in torch.zeros(5).split(k)] in PyTorch 1.13
    assert.deepEqual(shapes(split(zeros([5]), 2)), [[2], [2], [1]]);
    assert.deepEqual(shapes(split(zeros([5]), 7)), [[5]]);
    assert.deepEqual(shapes(split(zeros([0]), 2)), [[0]]);
    assert.deepEqual(shapes(split(zeros([0]), 0)), [[0]]);
    assert.deepEqual(shapes(split(zeros([5]), [1, 4])), [[1], [4]]);
    assert.deepEqual(shapes(split(zeros([5]), [0, 5])), [[0], [5]]);
  });

  test("split along another dim returns views with the right values", () => {
    const x = counting([2, 5]);
    const [first, second] = split(x, [3, 2], -1);
    assertTensor(first!, [[0, 1, 2], [5, 6, 7]]);
    assertTensor(second!, [[3, 4], [8, 9]]);
    assert.equal(second!.storage, x.storage);
  });

  test("chunk uses ceil(size / chunks) and may return fewer chunks", () => {
    // [t.shape for t in torch.zeros(n).chunk(c)] in PyTorch 1.13
    assert.deepEqual(shapes(chunk(zeros([5]), 3)), [[2], [2], [1]]);
    assert.deepEqual(shapes(chunk(zeros([6]), 4)), [[2], [2], [2]]);
    assert.deepEqual(shapes(chunk(zeros([10]), 4)), [[3], [3], [3], [1]]);
    assert.deepEqual(shapes(chunk(zeros([2]), 5)), [[1], [1]]);
    assert.deepEqual(shapes(chunk(zeros([0]), 3)), [[0], [0], [0]]);
    const [a, b] = chunk(counting([2, 3]), 2, 1);
    assertTensor(a!, [[0, 1], [3, 4]]);
    assertTensor(b!, [[2], [5]]);
  });

  test("gradients flow through the pieces", () => {
    const x = tensor([1, 2, 3, 4, 5], { requiresGrad: true });
    const [a, b] = split(x, 3);
    a!.mul(2).sum().add(b!.mul(-1).sum()).backward();
    assertTensor(x.grad!, [2, 2, 2, -1, -1]);
  });

  test("errors", () => {
    assert.throws(() => split(zeros([5]), 0), /split: splitSize can only be 0 if the dim is empty, but dim 0 has size 5/);
    assert.throws(() => split(zeros([5]), -1), /split: splitSize must be a non-negative integer, got -1/);
    assert.throws(() => split(zeros([5]), [1, 3]), /split: section sizes \[1, 3\] add up to 4, but dim 0 .* has size 5/);
    assert.throws(() => split(zeros([5]), [-1, 6]), /split: section sizes must be non-negative integers/);
    assert.throws(() => split(tensor(1), 1), /split: expects a tensor with at least one dim/);
    assert.throws(() => chunk(zeros([5]), 0), /chunk: chunks must be a positive integer, got 0/);
    assert.throws(() => chunk(tensor(1), 2), /chunk: expects a tensor with at least one dim/);
  });
});

describe("repeat", () => {
  test("tiles like torch's repeat, with extra leading dims", () => {
    const x = counting([2, 3]);
    // torch.arange(6.).reshape(2, 3).repeat(2, 1, 2) in PyTorch 1.13
    assertTensor(repeat(x, 2, 1, 2), [
      [[0, 1, 2, 0, 1, 2], [3, 4, 5, 3, 4, 5]],
      [[0, 1, 2, 0, 1, 2], [3, 4, 5, 3, 4, 5]],
    ], [2, 2, 6]);
    assertTensor(x.repeat([1, 1]), [[0, 1, 2], [3, 4, 5]]);
    assert.deepEqual(x.repeat(0, 2).shape, [0, 6]);
    assertTensor(tensor(3).repeat(2, 2), [[3, 3], [3, 3]]);
    assertTensor(x.T.repeat(1, 2), [[0, 3, 0, 3], [1, 4, 1, 4], [2, 5, 2, 5]]);
  });

  test("the gradient sums over the copies", () => {
    // x = torch.tensor([[1., 2], [3, 4]], requires_grad=True); (x.repeat(2, 2, 1) * torch.arange(16.).reshape(2, 4, 2)).sum().backward()
    const x = tensor([[1, 2], [3, 4]], { requiresGrad: true });
    x.repeat(2, 2, 1).mul(counting([2, 4, 2])).sum().backward();
    assertTensor(x.grad!, [[24, 28], [32, 36]]); // PyTorch 1.13: x.grad
  });

  test("errors", () => {
    assert.throws(() => ones([2, 3]).repeat(2), /repeat: got 1 repeat sizes \[2\] for a tensor of shape \[2, 3\]/);
    assert.throws(() => ones([2, 3]).repeat(-1, 2), /repeat: sizes must be non-negative integers/);
  });
});

describe("pad", () => {
  const x = counting([2, 3]);

  test("pads the last dim first, with a constant", () => {
    // torch.nn.functional.pad(torch.arange(6.).reshape(2, 3), ...) in PyTorch 1.13
    assertTensor(pad(x, [1, 2]), [[0, 0, 1, 2, 0, 0], [0, 3, 4, 5, 0, 0]]);
    assertTensor(pad(x, [1, 0, 0, 1], { value: 9 }), [[9, 0, 1, 2], [9, 3, 4, 5], [9, 9, 9, 9]]);
    assertTensor(pad(x, []), [[0, 1, 2], [3, 4, 5]]);
    assertTensor(pad(x.T, [0, 1]), [[0, 3, 0], [1, 4, 0], [2, 5, 0]]);
  });

  test("negative amounts crop", () => {
    assertTensor(pad(x, [-1, 1]), [[1, 2, 0], [4, 5, 0]]);
    assertTensor(pad(x, [0, 0, -1, 2]), [[3, 4, 5], [0, 0, 0], [0, 0, 0]]);
    assert.deepEqual(pad(x, [-2, -1]).shape, [2, 0]);
  });

  test("the value is cast to the dtype", () => {
    // F.pad(x.int(), [1, 1], value=2.7) in PyTorch 1.13 pads with 2
    const padded = pad(x.int(), [1, 1], { value: 2.7 });
    assert.equal(padded.dtype, "int32");
    assertTensor(padded, [[2, 0, 1, 2, 2], [2, 3, 4, 5, 2]]);
  });

  test("the gradient is the gradient with the padding cut off", () => {
    // xp = torch.arange(6., requires_grad=True); y = F.pad(xp.reshape(2, 3), [-1, 2, 1, 0], value=7.)
    // (y * torch.arange(1., 13.).reshape(3, 4)).sum().backward()
    const xp = arange(6).float().requiresGrad_();
    const y = pad(xp.reshape(2, 3), [-1, 2, 1, 0], { value: 7 });
    assertTensor(y, [[7, 7, 7, 7], [1, 2, 7, 7], [4, 5, 7, 7]]);
    y.mul(arange(1, 13).float().reshape(3, 4)).sum().backward();
    assertTensor(xp.grad!.reshape(2, 3), [[0, 5, 6], [0, 9, 10]]);
  });

  test("errors", () => {
    assert.throws(() => pad(x, [1]), /pad: the padding \[1\] must have an even length/);
    assert.throws(() => pad(x, [1, 1, 1, 1, 1, 1]), /pad: the padding .* covers 3 dims, but the tensor of shape \[2, 3\] has 2/);
    assert.throws(() => pad(x, [-2, -2]), /pad: cropping 2 before and 2 after is more than dim 1 of size 3/);
    assert.throws(() => pad(x, [5, -4]), /pad: cropping 0 before and 4 after/);
    assert.throws(() => pad(x, [0.5, 1]), /pad: amounts must be integers/);
    assert.throws(() => pad(x, [1, 1], { mode: "reflect" as "constant" }), /pad: mode "reflect" is not supported/);
  });
});

describe("indexSelect and indexAdd", () => {
  const x = counting([3, 4]);

  test("indexSelect picks slices, repeats allowed", () => {
    assertTensor(indexSelect(x, 0, int([2, 0, 2])), [[8, 9, 10, 11], [0, 1, 2, 3], [8, 9, 10, 11]]);
    // torch.arange(12.).reshape(3, 4).index_select(1, torch.tensor([3, 3, 0])) in PyTorch 1.13
    assertTensor(x.indexSelect(1, int([3, 3, 0])), [[3, 3, 0], [7, 7, 4], [11, 11, 8]]);
    assertTensor(x.indexSelect(1, tensor(1, { dtype: "int32" })), [[1], [5], [9]], [3, 1]);
    assert.deepEqual(x.indexSelect(1, int([])).shape, [3, 0]);
    assertTensor(x.T.indexSelect(0, int([1])), [[1, 5, 9]]);
    // A contiguous view that starts inside its storage (offset 12): the row-copy path must honour the offset.
    const lower = arange(24).reshape([2, 3, 4]).narrow(0, 1, 1);
    assertTensor(lower.indexSelect(1, int([2, 0])), [[[20, 21, 22, 23], [12, 13, 14, 15]]]);
    assertTensor(lower.indexSelect(2, int([3, 0])), [[[15, 12], [19, 16], [23, 20]]]);
  });

  test("indexSelect's gradient adds up repeated picks", () => {
    // (g.index_select(1, torch.tensor([3, 3, 0])) * torch.tensor([[1., 2, 3]])).sum().backward() in PyTorch 1.13
    const g = counting([3, 4]).requiresGrad_();
    g.indexSelect(1, int([3, 3, 0])).mul(tensor([[1, 2, 3]])).sum().backward();
    assertTensor(g.grad!, [[3, 0, 0, 3], [3, 0, 0, 3], [3, 0, 0, 3]]);
  });

  test("indexAdd accumulates repeated indices, scaled by alpha", () => {
    // torch.ones(3, 4).index_add(1, torch.tensor([3, 0, 3]), torch.arange(9.).reshape(3, 3), alpha=-2) in PyTorch 1.13
    const added = indexAdd(ones([3, 4]), 1, int([3, 0, 3]), counting([3, 3]), { alpha: -2 });
    assertTensor(added, [[-1, 1, 1, -3], [-7, 1, 1, -15], [-13, 1, 1, -27]]);
  });

  test("indexAdd's gradients", () => {
    // torch.zeros(3).index_add(0, torch.tensor([1, 1, 0, 2]), s, alpha=3.) with s = torch.arange(4.), weighted by [1, 10, 100]
    const base = zeros([3]).requiresGrad_();
    const s = arange(4).float().requiresGrad_();
    const out = indexAdd(base, 0, int([1, 1, 0, 2]), s, { alpha: 3 });
    assertTensor(out, [6, 3, 9]);
    out.mul(tensor([1, 10, 100])).sum().backward();
    assertTensor(s.grad!, [30, 30, 3, 300]);
    assertTensor(base.grad!, [1, 10, 100]);
  });

  test("errors name the op, the index, the dim and its size", () => {
    assert.throws(() => x.indexSelect(1, int([4])), /indexSelect: index 4 is out of range for dim 1 of size 4 \(shape \[3, 4\]\)/);
    assert.throws(() => x.indexSelect(1, int([-1])), /indexSelect: index -1 is out of range for dim 1 of size 4/);
    assert.throws(() => x.indexSelect(1, tensor([1])), /indexSelect: the index must be an int32 tensor, got float32/);
    assert.throws(() => x.indexSelect(1, int([[1]])), /indexSelect: the index must be 1-D, got shape \[1, 1\]/);
    assert.throws(() => x.indexSelect(2, int([0])), /indexSelect: dim 2 is out of range/);
    assert.throws(() => indexAdd(zeros([3, 4]), 1, int([0, 7]), ones([3, 2])), /indexAdd: index 7 is out of range for dim 1 of size 4/);
    assert.throws(() => indexAdd(zeros([3, 4]), 1, int([0, 0]), ones([3, 3])), /indexAdd: source has shape \[3, 3\].* needs shape \[3, 2\]/);
    assert.throws(() => indexAdd(zeros([3, 4]), 1, int([0]), ones([3, 1], { dtype: "float64" })), /indexAdd: source \(float64\) must have the same dtype as the input \(float32\)/);
  });
});

describe("gather and scatterAdd", () => {
  const x = counting([3, 4]);

  test("gather picks one element per index entry", () => {
    // torch.arange(12.).reshape(3, 4).gather(1, torch.tensor([[0, 0], [1, 0]])) in PyTorch 1.13
    assertTensor(x.gather(1, int([[0, 0], [1, 0]])), [[0, 0], [5, 4]]);
    // ... .gather(0, torch.tensor([[0, 1, 2, 0], [2, 2, 2, 2], [1, 1, 1, 1], [0, 0, 0, 0]])): the index may be longer along dim
    assertTensor(gather(x, 0, int([[0, 1, 2, 0], [2, 2, 2, 2], [1, 1, 1, 1], [0, 0, 0, 0]])),
      [[0, 5, 10, 3], [8, 9, 10, 11], [4, 5, 6, 7], [0, 1, 2, 3]]);
    // torch.arange(24.).reshape(2, 3, 4).gather(2, index) in PyTorch 1.13
    assertTensor(counting([2, 3, 4]).gather(2, int([[[3, 0], [1, 1], [2, 0]], [[0, 0], [3, 2], [1, 3]]])),
      [[[3, 0], [5, 5], [10, 8]], [[12, 12], [19, 18], [21, 23]]]);
    assertTensor(x.T.gather(1, int([[2], [0], [1], [1]])), [[8], [1], [6], [7]]);
    assert.deepEqual(x.gather(0, tensor([], { dtype: "int32" }).reshape(0, 5)).shape, [0, 5]);
  });

  test("gather's gradient scatters back, adding up repeats", () => {
    // gg.gather(0, torch.tensor([[2, 2, 0, 1], [2, 0, 0, 1]])).sum().backward() in PyTorch 1.13
    const gg = counting([3, 4]).requiresGrad_();
    const picked = gg.gather(0, int([[2, 2, 0, 1], [2, 0, 0, 1]]));
    assertTensor(picked, [[8, 9, 2, 7], [8, 1, 2, 7]]);
    picked.sum().backward();
    assertTensor(gg.grad!, [[0, 1, 2, 0], [0, 0, 0, 2], [2, 1, 0, 0]]);
  });

  test("scatterAdd adds src at the indexed places, using only the part of src the index covers", () => {
    // torch.scatter_add(torch.zeros(3, 4), 0, torch.tensor([[2, 0], [2, 1]]), src[:2, :2]) with src = torch.arange(1., 10.).reshape(3, 3)
    const base = zeros([3, 4]).requiresGrad_();
    const src = arange(1, 10).float().reshape(3, 3).requiresGrad_();
    const out = scatterAdd(base, 0, int([[2, 0], [2, 1]]), src);
    assertTensor(out, [[0, 2, 0, 0], [0, 5, 0, 0], [5, 0, 0, 0]]);
    out.mul(counting([3, 4])).sum().backward();
    // PyTorch 1.13 fails on this backward when src is larger than the index; src[:2, :2] gives the same values and
    // src.grad == [[8, 1, 0], [8, 5, 0], [0, 0, 0]]: unused src elements get a zero gradient.
    assertTensor(src.grad!, [[8, 1, 0], [8, 5, 0], [0, 0, 0]]);
    assertTensor(base.grad!, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]);
  });

  test("gather and scatterAdd are twice differentiable", () => {
    const input = tensor([[0.5, -1, 2], [1.5, 0.25, -0.75]], { dtype: "float64", requiresGrad: true });
    const index = int([[2, 2, 0], [1, 0, 1]]);
    const cube = (t: Tensor) => gather(t, 1, index).pow(3);
    assert.equal(gradcheck(cube, [input]), true);
    assert.equal(gradgradcheck(cube, [input]), true);
    const src = tensor([[1, 2], [3, 4]], { dtype: "float64", requiresGrad: true });
    const scattered = (s: Tensor) => scatterAdd(zeros([2, 3], { dtype: "float64" }), 1, int([[0, 0], [2, 1]]), s.mul(s));
    assert.equal(gradgradcheck(scattered, [src]), true);
    // d/dsrc Σ scatterAdd(0, index, src)² at these values: each target sums src entries, so repeats share the sum.
    const [g] = grad(scatterAdd(zeros([2, 3], { dtype: "float64" }), 1, int([[0, 0], [2, 1]]), src).pow(2).sum(), src);
    assertTensor(g!, [[6, 6], [6, 8]]);
  });

  test("errors name the op, the index, the dim and its size", () => {
    assert.throws(() => x.gather(1, int([[0, 4], [1, 0]])), /gather: index 4 is out of range for dim 1 of size 4 \(shape \[3, 4\]\)/);
    assert.throws(() => x.gather(1, int([[0, -1]])), /gather: index -1 is out of range for dim 1 of size 4/);
    assert.throws(() => x.gather(1, tensor([[0]])), /gather: the index must be an int32 tensor, got float32/);
    assert.throws(() => x.gather(0, int([0, 1])), /gather: the index must have as many dims as the input, got input \[3, 4\] and index \[2\]/);
    assert.throws(() => x.gather(0, int([[0, 1, 2, 0, 0]])), /gather: the index of shape \[1, 5\] is larger than the input of shape \[3, 4\] at dim 1/);
    assert.throws(() => gather(tensor(5), 0, tensor(0, { dtype: "int32" })), /gather: expects an input with at least one dim/);
    assert.throws(() => scatterAdd(zeros([3, 4]), 1, int([[0, 9]]), ones([1, 2])), /scatterAdd: index 9 is out of range for dim 1 of size 4/);
    assert.throws(() => scatterAdd(zeros([3, 4]), 1, int([[0, 0], [1, 0]]), ones([1, 5])), /scatterAdd: the index of shape \[2, 2\] must be no larger than src \[1, 5\]/);
    assert.throws(() => scatterAdd(zeros([3, 4]), 1, int([[0]]), ones([1, 1], { dtype: "float64" })), /scatterAdd: src \(float64\) must have the same dtype as the input \(float32\)/);
    assert.throws(() => scatterAdd(zeros([3, 4]), 1, int([[0]]), ones([1])), /scatterAdd: the index must have as many dims as the input and src/);
  });
});

// Loss functions and loss modules: hand-worked values, identities between the
// losses, numerical stability, gradients (gradcheck and gradgradcheck in
// float64), errors, and the modules' buffers. The comparison with PyTorch 1.13
// is in loss-torch.test.ts.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Generator, gradcheck, gradgradcheck, randn, tensor, zeros, type NestedArray, type Tensor } from "../../src/index.ts";
import {
  binaryCrossEntropy, binaryCrossEntropyWithLogits, crossEntropy, huberLoss, klDiv, l1Loss, mseLoss, nllLoss, smoothL1Loss,
} from "../../src/nn/functional/loss.ts";
import {
  BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss, NLLLoss, SmoothL1Loss,
} from "../../src/nn/layers/loss.ts";
import { assertClose } from "../helpers/assert.ts";

const generator = new Generator(2024);

/** N(0, 1) float64 values that require grad. */
function normal(shape: number[], requiresGrad = true): Tensor {
  return randn(shape, { dtype: "float64", generator, requiresGrad });
}

/** Rows of probabilities along `dim` (a softmax of random scores), float64. */
function probabilities(shape: number[], dim = 1, requiresGrad = false): Tensor {
  const p = randn(shape, { dtype: "float64", generator }).softmax(dim);
  return requiresGrad ? p.detach().requiresGrad_() : p;
}

/** Uniform float64 values in [low, high). */
function uniform(shape: number[], low: number, high: number, requiresGrad = false): Tensor {
  const u = tensor(Float64Array.from({ length: shape.reduce((n, s) => n * s, 1) }, () => low + (high - low) * generator.random()), { shape });
  return requiresGrad ? u.requiresGrad_() : u;
}

/** Class indices as an int32 tensor. */
function classes(values: NestedArray): Tensor {
  return tensor(values, { dtype: "int32" });
}

// Runs first: the warning is given once per process.
test('klDiv with reduction "mean" warns once, as PyTorch does; "batchmean" does not warn', () => {
  const messages: string[] = [];
  const original = console.warn;
  console.warn = (message: string) => void messages.push(message);
  try {
    const x = probabilities([2, 3]).log();
    const q = probabilities([2, 3]);
    klDiv(x, q, { reduction: "batchmean" });
    assert.equal(messages.length, 0);
    klDiv(x, q);
    new KLDivLoss().forward(x, q);
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /reduction "mean" divides the total loss by the number of elements.*"batchmean"/);
  } finally {
    console.warn = original;
  }
});

describe("hand-worked values", () => {
  test("mseLoss and l1Loss: each reduction", () => {
    const x = tensor([1, 2, 3]);
    const y = tensor([1, 1, 1]);
    assertClose(mseLoss(x, y, { reduction: "none" }), [0, 1, 4]);
    assertClose(mseLoss(x, y), 5 / 3);
    assertClose(mseLoss(x, y, { reduction: "sum" }), 5);
    assertClose(l1Loss(tensor([1, -2, 3]), zeros([3])), 2);
    // An int32 target is converted to the input's dtype.
    assertClose(mseLoss(x, tensor([0, 0, 0], { dtype: "int32" }), { reduction: "sum" }), 14);
  });

  test("smoothL1Loss and huberLoss: quadratic inside, linear outside", () => {
    const x = tensor([0.5, 3, -3]);
    const y = zeros([3]);
    // ½·0.5² = 0.125;  3 − ½ = 2.5
    assertClose(smoothL1Loss(x, y, { reduction: "none" }), [0.125, 2.5, 2.5]);
    assertClose(huberLoss(x, y, { reduction: "none" }), [0.125, 2.5, 2.5]);
    // β = 2: ½·0.25/2 = 0.0625;  3 − 1 = 2.   δ = 2: ½·0.25 = 0.125;  2·(3 − 1) = 4
    assertClose(smoothL1Loss(x, y, { reduction: "none", beta: 2 }), [0.0625, 2, 2]);
    assertClose(huberLoss(x, y, { reduction: "none", delta: 2 }), [0.125, 4, 4]);
    assertClose(smoothL1Loss(x, y, { reduction: "none", beta: 0 }), [0.5, 3, 3]);
  });

  test("crossEntropy: equal scores cost log C; softmax([0, ln 3]) = [1/4, 3/4]", () => {
    assertClose(crossEntropy(zeros([2, 5]), classes([0, 3])), Math.log(5), { atol: 1e-6 });
    assertClose(crossEntropy(tensor([[0, Math.log(3)]], { dtype: "float64" }), classes([1])), Math.log(4 / 3), { atol: 1e-12 });
    assertClose(crossEntropy(tensor([[0, Math.log(3)]], { dtype: "float64" }), classes([0])), Math.log(4), { atol: 1e-12 });
  });

  test("nllLoss picks −log p of the true class; the weighted mean divides by the weights of the targets", () => {
    const logp = tensor([[-1, -2, -3], [-4, -5, -6]], { dtype: "float64" });
    assertClose(nllLoss(logp, classes([2, 0]), { reduction: "none" }), [3, 4]);
    const weight = tensor([1, 10, 0.5], { dtype: "float64" });
    // (0.5·3 + 1·4) / (0.5 + 1)
    assertClose(nllLoss(logp, classes([2, 0]), { weight }), 5.5 / 1.5, { atol: 1e-12 });
    assertClose(nllLoss(logp, classes([2, -100]), { weight }), 3, { atol: 1e-12 });
  });

  test("binary cross entropy: log 2 at probability ½ (logit 0); gradient σ(z) − y", () => {
    assertClose(binaryCrossEntropy(tensor([0.5, 0.5]), tensor([1, 0])), Math.log(2));
    const z = tensor([0, 0, 0], { dtype: "float64", requiresGrad: true });
    const y = tensor([0, 0.25, 1], { dtype: "float64" });
    const loss = binaryCrossEntropyWithLogits(z, y, { reduction: "sum" });
    assertClose(loss, 3 * Math.log(2), { atol: 1e-12 });
    loss.backward();
    assertClose(z.grad!, [0.5, 0.25, -0.5], { atol: 1e-12 });
  });

  test("binaryCrossEntropy floors each log at −100: a confident mistake costs 100", () => {
    assertClose(binaryCrossEntropy(tensor([0, 1, 0, 1]), tensor([1, 0, 0, 1]), { reduction: "none" }), [100, 100, 0, 0]);
  });

  test("klDiv of a distribution from itself is 0, and batchmean divides the sum by the batch size", () => {
    const q = probabilities([3, 4]);
    assertClose(klDiv(q.log(), q, { reduction: "sum" }), 0, { atol: 1e-12 });
    const x = probabilities([3, 4]).log();
    const total = klDiv(x, q, { reduction: "sum" }).item();
    assertClose(klDiv(x, q, { reduction: "batchmean" }), total / 3, { atol: 1e-12 });
    // A zero in the target contributes nothing (0·log 0 = 0), whatever the input there.
    assertClose(klDiv(tensor([-1, -50]), tensor([1, 0]), { reduction: "none" }), [1, 0]);
  });

  test("when every target is ignored the mean is NaN and the gradient 0, as in PyTorch; the sum is 0", () => {
    const x = normal([3, 4]);
    const loss = crossEntropy(x, classes([-100, -100, -100]), { labelSmoothing: 0.1 });
    assert.ok(Number.isNaN(loss.item()));
    loss.backward();
    assertClose(x.grad!, zeros([3, 4]).tolist());
    assertClose(crossEntropy(x, classes([-100, -100, -100]), { reduction: "sum" }), 0);
  });

  test("weights are used in the input's dtype: a float64 weight keeps a float32 loss float32", () => {
    const weight = tensor([1, 2, 3], { dtype: "float64" });
    assert.equal(crossEntropy(zeros([2, 3]), classes([0, 2]), { weight, labelSmoothing: 0.1 }).dtype, "float32");
    assert.equal(crossEntropy(zeros([2, 3]), zeros([2, 3]), { weight }).dtype, "float32");
    assert.equal(binaryCrossEntropy(tensor([0.5, 0.5, 0.5]), zeros([3]), { weight }).dtype, "float32");
    assert.equal(binaryCrossEntropyWithLogits(zeros([3]), zeros([3]), { weight, posWeight: weight }).dtype, "float32");
  });

  test("an empty batch: the mean is NaN, the sum 0", () => {
    assert.ok(Number.isNaN(crossEntropy(zeros([0, 3]), zeros([0], { dtype: "int32" })).item()));
    assert.ok(Number.isNaN(crossEntropy(zeros([0, 3]), zeros([0, 3])).item()));
    assert.ok(Number.isNaN(mseLoss(zeros([0]), zeros([0])).item()));
    assertClose(crossEntropy(zeros([0, 3]), zeros([0], { dtype: "int32" }), { reduction: "sum" }), 0);
  });
});

describe("identities between the losses", () => {
  test("crossEntropy is nllLoss of logSoftmax, with weights and ignored targets", () => {
    const x = normal([5, 4], false);
    const t = classes([3, -100, 0, 1, 3]);
    const weight = uniform([4], 0.5, 2);
    for (const reduction of ["none", "mean", "sum"] as const) {
      assertClose(crossEntropy(x, t, { weight, reduction }), nllLoss(x.logSoftmax(1), t, { weight, reduction }).tolist(), { atol: 1e-12 });
    }
  });

  test("label smoothing ε equals cross entropy against (1 − ε)·onehot + ε/C (without weights)", () => {
    const x = normal([4, 5], false);
    const t = [4, 0, 2, 2];
    const onehot = tensor(t.map((c) => [0, 1, 2, 3, 4].map((k) => (k === c ? 1 : 0))), { dtype: "float64" });
    const smoothed = onehot.mul(0.8).add(0.2 / 5);
    for (const reduction of ["none", "mean", "sum"] as const) {
      assertClose(crossEntropy(x, classes(t), { labelSmoothing: 0.2, reduction }), crossEntropy(x, smoothed, { reduction }).tolist(),
        { atol: 1e-12 });
    }
  });

  test("spatial crossEntropy [N, C, H, W] equals crossEntropy of the pixels as rows [N·H·W, C]", () => {
    const x = normal([2, 3, 2, 2], false);
    const t = classes([[[0, 2], [1, 1]], [[2, 0], [-100, 1]]]);
    const weight = uniform([3], 0.5, 2);
    const rows = x.permute(0, 2, 3, 1).reshape([8, 3]);
    const options = { weight, labelSmoothing: 0.15 };
    assertClose(crossEntropy(x, t, options), crossEntropy(rows, t.reshape([8]), options).tolist(), { atol: 1e-12 });
  });

  test("a single sample [C] is the batch [1, C]", () => {
    const x = normal([5], false);
    const options = { weight: uniform([5], 0.5, 2), labelSmoothing: 0.1 };
    assertClose(crossEntropy(x, classes([3]).reshape([]), options), crossEntropy(x.unsqueeze(0), classes([3]), options).tolist(),
      { atol: 1e-12 });
    const none = crossEntropy(x, classes([3]).reshape([]), { reduction: "none" });
    assert.deepEqual(none.shape, []);
  });

  test("binaryCrossEntropyWithLogits(z, y) = binaryCrossEntropy(σ(z), y); posWeight 1 changes nothing", () => {
    const z = normal([3, 4], false);
    const y = uniform([3, 4], 0, 1);
    assertClose(binaryCrossEntropyWithLogits(z, y), binaryCrossEntropy(z.sigmoid(), y).item(), { atol: 1e-12 });
    const ones = tensor([1, 1, 1, 1], { dtype: "float64" });
    assertClose(binaryCrossEntropyWithLogits(z, y, { posWeight: ones }), binaryCrossEntropyWithLogits(z, y).item(), { atol: 1e-14 });
  });

  test("huberLoss with δ is δ times smoothL1Loss with β = δ", () => {
    const x = normal([3, 4], false);
    const y = normal([3, 4], false);
    assertClose(huberLoss(x, y, { delta: 0.7 }), smoothL1Loss(x, y, { beta: 0.7 }).mul(0.7).item(), { atol: 1e-12 });
  });

  test("klDiv with logTarget takes log q and gives the same divergence", () => {
    const x = probabilities([3, 4]).log();
    const q = probabilities([3, 4]);
    assertClose(klDiv(x, q.log(), { logTarget: true, reduction: "none" }), klDiv(x, q, { reduction: "none" }).tolist(), { atol: 1e-12 });
  });
});

describe("numerical stability in float32", () => {
  test("crossEntropy with scores ±1000 is finite, with finite gradients", () => {
    const x = tensor([[1000, -1000, 0], [-1000, 1000, 1000]], { requiresGrad: true });
    const loss = crossEntropy(x, classes([1, 0]), { reduction: "none" });
    assertClose(loss, [2000, 2000 + Math.log(2)], { rtol: 1e-6 });
    loss.sum().backward();
    assert.ok(x.grad!.toTypedArray().every(Number.isFinite));
    assertClose(x.grad!, [[1, -1, 0], [-1, 0.5, 0.5]]);
  });

  test("binaryCrossEntropyWithLogits with logits ±1000 and 0 is finite, with finite gradients", () => {
    const z = tensor([1000, -1000, 1000, -1000, 0], { requiresGrad: true });
    const y = tensor([0, 1, 1, 0, 1]);
    const loss = binaryCrossEntropyWithLogits(z, y, { reduction: "none" });
    assertClose(loss, [1000, 1000, 0, 0, Math.log(2)]);
    loss.sum().backward();
    // σ(z) − y
    assertClose(z.grad!, [1, -1, 0, 0, -0.5]);
  });

  test("binaryCrossEntropy at exactly 0 and 1 gives no NaN", () => {
    const x = tensor([0, 1, 0, 1], { requiresGrad: true });
    const loss = binaryCrossEntropy(x, tensor([0, 1, 1, 0]));
    assertClose(loss, 50);
    loss.backward();
    assert.ok(x.grad!.toTypedArray().every(Number.isFinite));
  });
});

describe("gradients (float64 finite differences)", () => {
  const reductions = ["none", "mean", "sum"] as const;

  test("regression losses, with respect to the input and the target", () => {
    for (const reduction of reductions) {
      const [x, y] = [normal([3, 4]), normal([3, 4])];
      gradcheck((a, b) => mseLoss(a!, b!, { reduction }), [x, y]);
      gradcheck((a, b) => l1Loss(a!, b!, { reduction }), [x, y]);
      gradcheck((a, b) => smoothL1Loss(a!, b!, { reduction, beta: 0.5 }), [x, y]);
      gradcheck((a, b) => huberLoss(a!, b!, { reduction, delta: 0.7 }), [x, y]);
    }
  });

  test("crossEntropy with class indices: weights, ignored targets, label smoothing, spatial dims, one sample", () => {
    const weight = uniform([4], 0.5, 2);
    for (const reduction of reductions) {
      const options = { weight, labelSmoothing: 0.2, reduction };
      gradcheck((x) => crossEntropy(x!, classes([3, -100, 0, 1, 3]), options), [normal([5, 4])]);
      gradcheck((x) => crossEntropy(x!, classes([[0, 3, 2], [-100, 1, 1]]), options), [normal([2, 4, 3])]);
      gradcheck((x) => crossEntropy(x!, classes([2]).reshape([]), options), [normal([4])]);
    }
    gradcheck((x) => crossEntropy(x!, classes([[[0, 2], [1, 1]], [[2, 0], [-100, 1]]])), [normal([2, 3, 2, 2])]);
  });

  test("crossEntropy with class probabilities, with respect to the scores and the probabilities", () => {
    for (const reduction of reductions) {
      const options = { weight: uniform([4], 0.5, 2), labelSmoothing: 0.1, reduction };
      gradcheck((x, p) => crossEntropy(x!, p!, options), [normal([3, 4]), probabilities([3, 4], 1, true)]);
    }
  });

  test("nllLoss with weights and ignored targets", () => {
    const weight = uniform([3], 0.5, 2);
    for (const reduction of reductions) {
      gradcheck((x) => nllLoss(x!, classes([1, -100, 2, 2]), { weight, reduction }), [normal([4, 3])]);
    }
  });

  test("binaryCrossEntropy, with respect to the probabilities and the targets", () => {
    for (const reduction of reductions) {
      const options = { weight: uniform([4], 0.5, 2), reduction };
      gradcheck((x, y) => binaryCrossEntropy(x!, y!, options), [uniform([3, 4], 0.05, 0.95, true), uniform([3, 4], 0, 1, true)]);
    }
  });

  test("binaryCrossEntropyWithLogits with weight and posWeight, with respect to the logits and the targets", () => {
    for (const reduction of reductions) {
      const options = { weight: uniform([3, 1], 0.5, 2), posWeight: uniform([4], 0.5, 3), reduction };
      gradcheck((z, y) => binaryCrossEntropyWithLogits(z!, y!, options), [normal([3, 4]), uniform([3, 4], 0, 1, true)]);
    }
  });

  test("klDiv, with respect to the input and the target (as probabilities and as log-probabilities)", () => {
    for (const reduction of ["none", "batchmean", "sum"] as const) {
      gradcheck((x, q) => klDiv(x!, q!, { reduction }), [normal([3, 4]), uniform([3, 4], 0.1, 1, true)]);
      gradcheck((x, t) => klDiv(x!, t!, { reduction, logTarget: true }), [normal([3, 4]), normal([3, 4])]);
    }
  });

  test("second derivatives: crossEntropy (indices and probabilities), mseLoss, binaryCrossEntropyWithLogits, klDiv", () => {
    const weight = uniform([4], 0.5, 2);
    gradgradcheck((x) => crossEntropy(x!, classes([3, -100, 0, 1]), { weight, labelSmoothing: 0.2 }), [normal([4, 4])]);
    gradgradcheck((x) => crossEntropy(x!, classes([[0, 3], [2, 2]]), { reduction: "none" }), [normal([2, 4, 2])]);
    gradgradcheck((x, p) => crossEntropy(x!, p!, { weight }), [normal([3, 4]), probabilities([3, 4], 1, true)]);
    gradgradcheck((x, y) => mseLoss(x!, y!), [normal([3, 4]), normal([3, 4])]);
    gradgradcheck((x, y) => mseLoss(x!, y!, { reduction: "none" }), [normal([2, 3]), normal([2, 3])]);
    const posWeight = uniform([4], 0.5, 3);
    gradgradcheck((z, y) => binaryCrossEntropyWithLogits(z!, y!, { posWeight }),
      [normal([3, 4]), uniform([3, 4], 0, 1, true)]);
    gradgradcheck((x, q) => klDiv(x!, q!, { reduction: "batchmean" }), [normal([3, 4]), uniform([3, 4], 0.1, 1, true)]);
  });

  test("a loss module converted with double() (its weight buffer too) passes gradcheck", () => {
    const criterion = new CrossEntropyLoss({ weight: tensor([1, 2, 0.5]), labelSmoothing: 0.1 }).double();
    assert.equal(criterion.weight!.dtype, "float64");
    gradcheck((x) => criterion.forward(x!, classes([2, 0, 1, -100])), [normal([4, 3])]);
  });
});

describe("bad input is refused with the rule it breaks", () => {
  test("reductions", () => {
    const x = zeros([2]);
    assert.throws(() => mseLoss(x, x, { reduction: "avg" as "mean" }), /mseLoss: reduction must be one of "none", "mean", "sum", got "avg"/);
    assert.throws(() => crossEntropy(zeros([2, 3]), classes([0, 1]), { reduction: "batchmean" as "mean" }), /crossEntropy: reduction/);
    assert.throws(() => klDiv(x, x, { reduction: "batch" as "mean" }), /klDiv: reduction must be one of "none", "mean", "batchmean", "sum"/);
    assert.throws(() => new L1Loss({ reduction: "max" as "mean" }), /L1Loss: reduction/);
    assert.throws(() => new KLDivLoss({ reduction: "avg" as "mean" }), /KLDivLoss: reduction/);
  });

  test("regression losses: the target's shape, the input's dtype, beta and delta", () => {
    assert.throws(() => mseLoss(zeros([3, 1]), zeros([3])),
      /mseLoss: the target \[3\] must have the input's shape \[3, 1\]; reshape one of them/);
    assert.throws(() => l1Loss(zeros([2, 3]), zeros([3])), /l1Loss: the target \[3\] must have the input's shape \[2, 3\]/);
    assert.throws(() => mseLoss(tensor([1, 2], { dtype: "int32" }), zeros([2])), /mseLoss: input must be float32 or float64, got int32/);
    assert.throws(() => smoothL1Loss(zeros([2]), zeros([2]), { beta: -1 }), /smoothL1Loss: beta must be a finite number >= 0, got -1/);
    assert.throws(() => huberLoss(zeros([2]), zeros([2]), { delta: 0 }), /huberLoss: delta must be a finite number > 0, got 0/);
    assert.throws(() => new SmoothL1Loss({ beta: NaN }), /SmoothL1Loss: beta/);
    assert.throws(() => new HuberLoss({ delta: -2 }), /HuberLoss: delta/);
  });

  test("crossEntropy and nllLoss: class indices out of range", () => {
    assert.throws(() => crossEntropy(zeros([3, 4]), classes([0, 1, 5])),
      /crossEntropy: target class 5 at \[2\] is out of range for C=4 classes: a class index must be in 0..3, or ignoreIndex \(-100\)/);
    assert.throws(() => nllLoss(zeros([2, 4, 2]), classes([[0, 1], [-1, 2]])), /nllLoss: target class -1 at \[1, 0\] is out of range for C=4/);
    // −100 is only skipped while it is the ignoreIndex.
    assert.throws(() => crossEntropy(zeros([2, 4]), classes([0, -100]), { ignoreIndex: 1 }), /target class -100 at \[1\]/);
  });

  test("crossEntropy: target dtypes and shapes", () => {
    assert.throws(() => crossEntropy(zeros([3, 4]), tensor([0, 1, 2])),
      /crossEntropy: a float32 target holds class probabilities and must have the input's shape \[3, 4\], got \[3\]; class indices must be int32 of shape \[3\]/);
    assert.throws(() => crossEntropy(zeros([3, 4]), zeros([3, 4], { dtype: "int32" })),
      /crossEntropy: the int32 target has the input's shape \[3, 4\]: class probabilities must be floating point/);
    assert.throws(() => crossEntropy(zeros([3, 4]), classes([[0, 1], [1, 1], [2, 2]])),
      /crossEntropy: input \[3, 4\] \(N=3, C=4\) needs class indices of shape \[3\], got \[3, 2\]/);
    assert.throws(() => crossEntropy(zeros([2, 3, 4, 4]), zeros([2, 4], { dtype: "int32" })),
      /needs class indices of shape \[2, 4, 4\], got \[2, 4\]/);
    assert.throws(() => crossEntropy(zeros([3, 4]), tensor([true, false, true])), /crossEntropy: class indices must be an int32 tensor, got bool/);
    assert.throws(() => crossEntropy(zeros([3, 4]), zeros([3, 4]), { ignoreIndex: 0 }),
      /crossEntropy: ignoreIndex \(0\) is not supported with class-probability targets/);
    assert.throws(() => nllLoss(zeros([3, 4]), zeros([3, 4])), /nllLoss: the target must hold class indices \(int32\), got float32 \[3, 4\]/);
  });

  test("crossEntropy: the input, the weight, ignoreIndex and labelSmoothing", () => {
    assert.throws(() => crossEntropy(zeros([]), classes([0]).reshape([])), /crossEntropy: the input needs a dim of class scores/);
    assert.throws(() => crossEntropy(zeros([2, 3], { dtype: "int32" }), classes([0, 1])), /crossEntropy: input must be float32 or float64/);
    assert.throws(() => crossEntropy(zeros([2, 3]), classes([0, 1]), { weight: zeros([2]) }),
      /crossEntropy: weight must be 1-D with one entry per class \(C=3 for input \[2, 3\]\), got \[2\]/);
    assert.throws(() => crossEntropy(zeros([2, 3]), classes([0, 1]), { ignoreIndex: 0.5 }), /ignoreIndex must be an integer/);
    assert.throws(() => crossEntropy(zeros([2, 3]), classes([0, 1]), { labelSmoothing: 1.5 }),
      /crossEntropy: labelSmoothing must be between 0 and 1, got 1.5/);
    assert.throws(() => new CrossEntropyLoss({ labelSmoothing: -0.1 }), /CrossEntropyLoss: labelSmoothing/);
  });

  test("binary cross entropy: probabilities, targets, weight and posWeight", () => {
    assert.throws(() => binaryCrossEntropy(tensor([0.5, 1.5]), tensor([1, 0])),
      /binaryCrossEntropy: every input must be a probability in \[0, 1\], got 1.5 \(element 1 of \[2\]\); for raw scores use binaryCrossEntropyWithLogits/);
    assert.throws(() => binaryCrossEntropy(tensor([NaN]), tensor([1])), /got NaN/);
    assert.throws(() => binaryCrossEntropy(tensor([0.5, 0.5]), tensor([1])), /binaryCrossEntropy: the target \[1\] must have the input's shape \[2\]/);
    assert.throws(() => binaryCrossEntropyWithLogits(zeros([2]), tensor([1, 0], { dtype: "int32" })),
      /binaryCrossEntropyWithLogits: target must be float32 or float64, got int32/);
    assert.throws(() => binaryCrossEntropy(zeros([2, 3]), zeros([2, 3]), { weight: zeros([2]) }),
      /binaryCrossEntropy: weight \[2\] must broadcast to the input's shape \[2, 3\]/);
    assert.throws(() => binaryCrossEntropyWithLogits(zeros([2, 3]), zeros([2, 3]), { posWeight: zeros([2]) }),
      /binaryCrossEntropyWithLogits: posWeight \[2\] must broadcast to the input's shape \[2, 3\]/);
    assert.throws(() => binaryCrossEntropyWithLogits(zeros([3]), zeros([3]), { posWeight: zeros([2, 3]) }),
      /posWeight \[2, 3\] must broadcast to the input's shape \[3\]/);
  });

  test("klDiv: shapes and dtypes", () => {
    assert.throws(() => klDiv(zeros([2, 3]), zeros([3]), { reduction: "sum" }), /klDiv: the target \[3\] must have the input's shape \[2, 3\]/);
    assert.throws(() => klDiv(zeros([2]), tensor([1, 0], { dtype: "int32" }), { reduction: "sum" }), /klDiv: target must be float32 or float64/);
  });
});

describe("loss modules", () => {
  test("weights are buffers named as PyTorch names them; a loss has no parameters", () => {
    const weight = tensor([1, 2, 3]);
    assert.deepEqual([...new CrossEntropyLoss({ weight }).stateDict().keys()], ["weight"]);
    assert.deepEqual([...new CrossEntropyLoss().stateDict().keys()], []);
    assert.deepEqual([...new NLLLoss({ weight }).stateDict().keys()], ["weight"]);
    assert.deepEqual([...new BCELoss({ weight }).stateDict().keys()], ["weight"]);
    assert.deepEqual([...new BCEWithLogitsLoss({ weight, posWeight: weight }).stateDict().keys()], ["weight", "pos_weight"]);
    assert.deepEqual([...new BCEWithLogitsLoss({ posWeight: weight }).namedBuffers()].map(([name]) => name), ["pos_weight"]);
    for (const module of [new MSELoss(), new L1Loss(), new SmoothL1Loss(), new HuberLoss(), new KLDivLoss(), new CrossEntropyLoss({ weight })]) {
      assert.equal(module.parameters().length, 0);
    }
  });

  test("they print like PyTorch's and keep their options", () => {
    assert.equal(new CrossEntropyLoss().toString(), "CrossEntropyLoss()");
    assert.equal(new BCEWithLogitsLoss().toString(), "BCEWithLogitsLoss()");
    const criterion = new CrossEntropyLoss({ ignoreIndex: 3, reduction: "sum", labelSmoothing: 0.25 });
    assert.deepEqual([criterion.ignoreIndex, criterion.reduction, criterion.labelSmoothing], [3, "sum", 0.25]);
    assert.deepEqual([new SmoothL1Loss({ beta: 0.5 }).beta, new HuberLoss({ delta: 2 }).delta, new KLDivLoss({ logTarget: true }).logTarget],
      [0.5, 2, true]);
  });

  test("forward gives the function's result", () => {
    const x = normal([3, 4], false);
    const t = classes([0, 3, -100]);
    const weight = uniform([4], 0.5, 2);
    assertClose(new CrossEntropyLoss({ weight, labelSmoothing: 0.1 }).forward(x, t),
      crossEntropy(x, t, { weight, labelSmoothing: 0.1 }).item(), { atol: 0, rtol: 0 });
    const y = uniform([3, 4], 0, 1);
    assertClose(new BCEWithLogitsLoss({ posWeight: weight, reduction: "none" }).forward(x, y),
      binaryCrossEntropyWithLogits(x, y, { posWeight: weight, reduction: "none" }).tolist(), { atol: 0, rtol: 0 });
    assertClose(new KLDivLoss({ reduction: "batchmean" }).forward(x.logSoftmax(1), y), klDiv(x.logSoftmax(1), y, { reduction: "batchmean" }).item(),
      { atol: 0, rtol: 0 });
  });
});

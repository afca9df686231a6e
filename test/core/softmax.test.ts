// softmax and logSoftmax. Reference numbers come from PyTorch 1.13 (the
// expression that produced them is in the comment above each).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { grad, logSoftmax, randn, Generator, softmax, tensor, type Tensor } from "../../src/index.ts";
import { assertClose, assertTensor } from "../helpers/assert.ts";
import { forAll, randomShape } from "../helpers/property.ts";

const F32 = { atol: 1e-6, rtol: 1e-6 };
const F64 = { atol: 1e-12, rtol: 1e-12 };

const S = [[0.5, -1.25, 2.0], [3.0, 0.0, -0.75]];
/** The upstream gradient w in (softmax(x) * w).sum(). */
const W = [[1, 2, 3], [-1, 0.5, 2]];

/** The gradient of (out·weight).sum() with respect to x. */
function gradOf(x: Tensor, out: Tensor, weight?: Tensor): Tensor {
  const [g] = grad(out, x, weight);
  return g!;
}

describe("softmax", () => {
  test("float32 values against PyTorch", () => {
    const x = tensor(S);
    // torch.tensor(S).softmax(1) and .softmax(0)
    assertClose(softmax(x, 1), [
      [0.17682018876075745, 0.03072674199938774, 0.7924531102180481],
      [0.9317018389701843, 0.04638670012354851, 0.02191152796149254],
    ], F32);
    assertClose(x.softmax(0), [
      [0.07585817575454712, 0.22270014882087708, 0.9399133324623108],
      [0.9241418242454529, 0.7772998809814453, 0.06008664518594742],
    ], F32);
    assert.equal(x.softmax(0).dtype, "float32");
  });

  test("float64 values against PyTorch, negative dims", () => {
    const x = tensor(S, { dtype: "float64" });
    // torch.tensor(S, dtype=torch.float64).softmax(-1) and .softmax(-2)
    assertClose(x.softmax(-1), [
      [0.17682018210744427, 0.03072674032643643, 0.7924530775661193],
      [0.9317017745076629, 0.04638669994587317, 0.02191152554646392],
    ], F64);
    assertClose(x.softmax(-2), [
      [0.07585818002124356, 0.22270013882530884, 0.9399133498259924],
      [0.9241418199787566, 0.7772998611746911, 0.06008665017400762],
    ], F64);
    assert.equal(x.softmax(-1).dtype, "float64");
  });

  test("along the middle dim of a 3-D tensor, and of a permuted view", () => {
    // t[i][j][k] = ((7i + 5j + 3k) mod 11) / 4 − 1; torch.tensor(t, dtype=torch.float64).softmax(1)
    const t = tensor([
      [[-1.0, -0.25, 0.5, 1.25], [0.25, 1.0, -1.0, -0.25], [1.5, -0.5, 0.25, 1.0]],
      [[0.75, 1.5, -0.5, 0.25], [-0.75, 0.0, 0.75, 1.5], [0.5, 1.25, -0.75, 0.0]],
    ], { dtype: "float64" });
    const expected = [
      [[0.05997779531511428, 0.18978415644793137, 0.4995177298132149, 0.4995177298132149],
        [0.20934307548219694, 0.6624117938958736, 0.11145747105020275, 0.11145747105020275],
        [0.7306791292026887, 0.14780404965619495, 0.3890247991365822, 0.3890247991365822]],
      [[0.4995177298132149, 0.4995177298132149, 0.18978415644793137, 0.18978415644793137],
        [0.11145747105020275, 0.11145747105020275, 0.6624117938958736, 0.6624117938958736],
        [0.3890247991365822, 0.3890247991365822, 0.14780404965619495, 0.14780404965619495]],
    ];
    assertClose(t.softmax(1), expected, F64);
    // The same values stored as [4, 3, 2] and viewed back through permute: a non-contiguous input.
    const stored = t.permute(2, 1, 0).contiguous();
    const view = stored.permute(2, 1, 0);
    assert.equal(view.isContiguous(), false);
    assertClose(view.softmax(1), expected, F64);
  });

  test("large scores do not overflow", () => {
    // torch.tensor([1000., -1000., 999.]).softmax(0)
    assertClose(tensor([1000, -1000, 999]).softmax(0), [0.7310585975646973, 0.0, 0.2689414322376251], F32);
  });

  test("-Infinity masks a score; a fully masked row is NaN", () => {
    // torch.tensor([[0., -inf, 1.], [-inf, -inf, -inf]]).softmax(1)
    assertClose(tensor([[0, -Infinity, 1], [-Infinity, -Infinity, -Infinity]]).softmax(1), [
      [0.2689414322376251, 0.0, 0.7310585975646973],
      [NaN, NaN, NaN],
    ], F32);
    // torch.tensor([inf, 1.]).softmax(0) = [nan, nan]
    assertClose(tensor([Infinity, 1]).softmax(0), [NaN, NaN]);
  });

  test("a 0-d tensor has probability 1", () => {
    assertTensor(tensor(3).softmax(0), 1, []);
    assertTensor(tensor(3).softmax(-1), 1, []);
  });

  test("rows sum to 1 for random shapes and dims", () => {
    forAll("softmax rows sum to 1", (g: Generator) => {
      const shape = randomShape(g, 1, 4);
      const dim = g.randint(-shape.length, shape.length);
      const x = randn(shape, { dtype: "float64", generator: g }).mul(10);
      const sums = x.softmax(dim).sum(dim).toTypedArray();
      for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-12, `sum ${s} for shape [${shape}] dim ${dim}`);
    }, { runs: 50 });
  });

  test("gradient against PyTorch", () => {
    const x = tensor(S, { dtype: "float64", requiresGrad: true });
    const w = tensor(W, { dtype: "float64" });
    // (x.softmax(1) * w).sum().backward()
    assertClose(gradOf(x, x.softmax(1), w), [
      [-0.2856765027937804, -0.01891639211517089, 0.30459289490895136],
      [-0.12607287768111805, 0.06330325093836658, 0.06276962674275151],
    ], F64);
    // (x.softmax(0) * w).sum().backward()
    assertClose(gradOf(x, x.softmax(0), w), [
      [0.14020743309021635, 0.25965718048874553, 0.05647624464487404],
      [-0.14020743309021624, -0.2596571804887455, -0.05647624464487405],
    ], F64);
  });

  test("second derivatives against PyTorch", () => {
    const x = tensor(S, { dtype: "float64", requiresGrad: true });
    const w = tensor(W, { dtype: "float64" });
    // g = grad((x.softmax(1) * w).sum(), x, create_graph=True); (g * g).sum().backward()
    const [g] = grad(x.softmax(1), x, w, { createGraph: true });
    assertClose(gradOf(x, g!.mul(g!).sum()), [
      [0.21014258859812002, -0.0028242145416003295, -0.2073183740565197],
      [-0.041168386389009826, 0.020128318866724414, 0.021040067522285422],
    ], F64);
  });

  test("a masked score gets no gradient", () => {
    const x = tensor([[0, -Infinity, 1]], { dtype: "float64", requiresGrad: true });
    // (x.softmax(1) * [[1., 2., 3.]]).sum().backward() = [[-0.39322386648296, 0, 0.39322386648296]]
    assertClose(gradOf(x, x.softmax(1), tensor([[1, 2, 3]], { dtype: "float64" })), [[-0.3932238664829638, 0, 0.39322386648296354]], F64);
  });

  test("errors: integer and bool inputs, dim out of range", () => {
    assert.throws(() => tensor([1, 2], { dtype: "int32" }).softmax(0), /softmax: the input must be float32 or float64, got int32; convert it first, e.g. x.float\(\).softmax\(0\)/);
    assert.throws(() => tensor([true, false]).softmax(0), /softmax: the input must be float32 or float64, got bool/);
    assert.throws(() => tensor([[1, 2]]).softmax(2), /softmax: dim 2 is out of range for a tensor of rank 2 \(expected -2 <= dim < 2\)/);
  });
});

describe("logSoftmax", () => {
  test("float32 and float64 values against PyTorch", () => {
    // torch.tensor(S).log_softmax(-1) and .log_softmax(0)
    assertClose(logSoftmax(tensor(S), -1), [
      [-1.7326220273971558, -3.482621908187866, -0.23262198269367218],
      [-0.07074245810508728, -3.07074236869812, -3.82074236869812],
    ], F32);
    assertClose(tensor(S).logSoftmax(0), [
      [-2.578889846801758, -1.5019290447235107, -0.06196761503815651],
      [-0.07888974994421005, -0.25192904472351074, -2.811967611312866],
    ], F32);
    // torch.tensor(S, dtype=torch.float64): the same expressions
    const x = tensor(S, { dtype: "float64" });
    assertClose(x.logSoftmax(1), [
      [-1.7326219831020326, -3.4826219831020326, -0.23262198310203266],
      [-0.07074249993632657, -3.0707424999363266, -3.8207424999363266],
    ], F64);
    assertClose(x.logSoftmax(-2), [
      [-2.5788897342925496, -1.501929081345373, -0.061967589003198625],
      [-0.07888973429254957, -0.25192908134537295, -2.8119675890031988],
    ], F64);
  });

  test("large scores: accurate where softmax rounds to 0", () => {
    // torch.tensor([1000., -1000., 999.]).log_softmax(0), in float32 and float64
    assertClose(tensor([1000, -1000, 999]).logSoftmax(0), [-0.31326165795326233, -2000.313232421875, -1.31326162815094], F32);
    assertClose(tensor([1000, -1000, 999], { dtype: "float64" }).logSoftmax(0),
      [-0.31326168751822286, -2000.3132616875182, -1.3132616875182228], F64);
  });

  test("-Infinity masks and fully masked rows", () => {
    // torch.tensor([[0., -inf, 1.], [-inf, -inf, -inf]]).log_softmax(1)
    assertClose(tensor([[0, -Infinity, 1], [-Infinity, -Infinity, -Infinity]]).logSoftmax(1), [
      [-1.31326162815094, -Infinity, -0.31326165795326233],
      [NaN, NaN, NaN],
    ], F32);
    assertTensor(tensor(3).logSoftmax(0), 0, []);
  });

  test("gradients against PyTorch", () => {
    const x = tensor(S, { dtype: "float64", requiresGrad: true });
    const w = tensor(W, { dtype: "float64" });
    // (x.log_softmax(1) * w).sum().backward()
    assertClose(gradOf(x, x.logSoftmax(1), w), [
      [-0.060921092644665775, 1.8156395580413813, -1.7547184653967156],
      [-2.397552661761494, 0.4304199500811903, 1.9671327116803041],
    ], F64);
    // g = grad((x.log_softmax(1) * w).sum(), x, create_graph=True); (g * g).sum().backward()
    const [g] = grad(x.logSoftmax(1), x, w, { createGraph: true });
    assertClose(gradOf(x, g!.mul(g!).sum()), [
      [-2.725706480671968, -1.1655838656800674, 3.891290346352037],
      [0.6339780528064354, -0.3619770423432823, -0.2720010104631529],
    ], F64);
    // A masked score still passes its upstream gradient: (x.log_softmax(1) * [[1., 2., 3.]]).sum().backward() with x = [[0, -inf, 1]]
    const masked = tensor([[0, -Infinity, 1]], { dtype: "float64", requiresGrad: true });
    assertClose(gradOf(masked, masked.logSoftmax(1), tensor([[1, 2, 3]], { dtype: "float64" })),
      [[-0.6136485282199706, 2.0, -1.3863514717800294]], F64);
  });

  test("equals the log of softmax on ordinary inputs", () => {
    forAll("logSoftmax = log(softmax)", (g: Generator) => {
      const shape = randomShape(g, 1, 3);
      const dim = g.randint(0, shape.length);
      const x = randn(shape, { dtype: "float64", generator: g });
      const direct = x.logSoftmax(dim).toTypedArray();
      const viaSoftmax = x.softmax(dim).toTypedArray();
      direct.forEach((v, i) => assert.ok(Math.abs(v - Math.log(viaSoftmax[i]!)) < 1e-12));
    }, { runs: 30 });
  });

  test("errors: integer input", () => {
    assert.throws(() => tensor([1, 2], { dtype: "int32" }).logSoftmax(0), /logSoftmax: the input must be float32 or float64, got int32/);
  });
});

// Elementwise math ops: values against PyTorch 1.13 in float64 and float32,
// documented edge cases, result dtypes, and first and second derivatives
// (including at the kinks).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  abs, cos, erf, exp, expm1, grad, log, log1p, reciprocal, rsqrt, sigmoid, sign, sin, sqrt, square, tanh, tensor, type Tensor,
} from "../../src/index.ts";
import { assertClose, assertTensor } from "../helpers/assert.ts";

const OPS: Record<string, (x: Tensor) => Tensor> = {
  exp, log, sqrt, rsqrt, reciprocal, square, abs, sin, cos, log1p, expm1, tanh, sigmoid, sign, erf,
};

const INPUTS = {
  any: [-1000, -20, -3.5, -1, -0.5, -1e-8, 0, 1e-8, 0.5, 1, 3.5, 20, 1000],
  halfLine: [-1, 0, 1e-8, 0.25, 1, 2, 100, 1e10],
};

// From PyTorch 1.13: torch.<name>(torch.tensor(INPUTS[inputs], dtype=torch.float64)).tolist(),
// and the same with dtype=torch.float32.
const EXPECTED: Record<string, { inputs: "any" | "halfLine"; float64: number[]; float32: number[] }> = {
  exp: {
    inputs: "any",
    float64: [0, 2.061153622438558e-09, 0.0301973834223185, 0.36787944117144233, 0.6065306597126334, 0.9999999900000001, 1, 1.00000001, 1.6487212707001282, 2.718281828459045, 33.11545195869231, 485165195.4097903, Infinity],
    float32: [0, 2.06115369216775e-09, 0.03019738383591175, 0.3678794503211975, 0.6065306663513184, 1, 1, 1, 1.6487212181091309, 2.7182817459106445, 33.11545181274414, 485165184, Infinity],
  },
  log: {
    inputs: "halfLine",
    float64: [NaN, -Infinity, -18.420680743952367, -1.3862943611198906, 0, 0.6931471805599453, 4.605170185988092, 23.025850929940457],
    float32: [NaN, -Infinity, -18.42068099975586, -1.3862943649291992, 0, 0.6931471824645996, 4.605170249938965, 23.025850296020508],
  },
  sqrt: {
    inputs: "halfLine",
    float64: [NaN, 0, 0.0001, 0.5, 1, 1.4142135623730951, 10, 100000],
    float32: [NaN, 0, 9.999999747378752e-05, 0.5, 1, 1.4142135381698608, 10, 100000],
  },
  rsqrt: {
    inputs: "halfLine",
    float64: [NaN, Infinity, 10000, 2, 1, 0.7071067811865475, 0.1, 1e-05],
    float32: [NaN, Infinity, 10000, 2, 1, 0.7071067690849304, 0.10000000149011612, 9.999999747378752e-06],
  },
  reciprocal: {
    inputs: "halfLine",
    float64: [-1, Infinity, 100000000, 4, 1, 0.5, 0.01, 1e-10],
    float32: [-1, Infinity, 100000000, 4, 1, 0.5, 0.009999999776482582, 1.000000013351432e-10],
  },
  square: {
    inputs: "any",
    float64: [1000000, 400, 12.25, 1, 0.25, 1.0000000000000001e-16, 0, 1.0000000000000001e-16, 0.25, 1, 12.25, 400, 1000000],
    float32: [1000000, 400, 12.25, 1, 0.25, 1.0000000168623835e-16, 0, 1.0000000168623835e-16, 0.25, 1, 12.25, 400, 1000000],
  },
  abs: {
    inputs: "any",
    float64: [1000, 20, 3.5, 1, 0.5, 1e-08, 0, 1e-08, 0.5, 1, 3.5, 20, 1000],
    float32: [1000, 20, 3.5, 1, 0.5, 9.99999993922529e-09, 0, 9.99999993922529e-09, 0.5, 1, 3.5, 20, 1000],
  },
  sin: {
    inputs: "any",
    float64: [-0.8268795405320025, -0.9129452507276277, 0.35078322768961984, -0.8414709848078965, -0.479425538604203, -1e-08, 0, 1e-08, 0.479425538604203, 0.8414709848078965, -0.35078322768961984, 0.9129452507276277, 0.8268795405320025],
    float32: [-0.8268795609474182, -0.9129452705383301, 0.35078322887420654, -0.8414709568023682, -0.4794255495071411, -9.99999993922529e-09, 0, 9.99999993922529e-09, 0.4794255495071411, 0.8414709568023682, -0.35078322887420654, 0.9129452705383301, 0.8268795609474182],
  },
  cos: {
    inputs: "any",
    float64: [0.5623790762907029, 0.40808206181339196, -0.9364566872907963, 0.5403023058681398, 0.8775825618903728, 1, 1, 1, 0.8775825618903728, 0.5403023058681398, -0.9364566872907963, 0.40808206181339196, 0.5623790762907029],
    float32: [0.5623790621757507, 0.4080820679664612, -0.9364566802978516, 0.5403023362159729, 0.8775825500488281, 1, 1, 1, 0.8775825500488281, 0.5403023362159729, -0.9364566802978516, 0.4080820679664612, 0.5623790621757507],
  },
  log1p: {
    inputs: "halfLine",
    float64: [-Infinity, 0, 9.999999950000001e-09, 0.22314355131420976, 0.6931471805599453, 1.0986122886681098, 4.61512051684126, 23.025850930040455],
    float32: [-Infinity, 0, 9.99999993922529e-09, 0.2231435477733612, 0.6931471824645996, 1.0986123085021973, 4.6151204109191895, 23.025850296020508],
  },
  expm1: {
    inputs: "any",
    float64: [-1, -0.9999999979388464, -0.9698026165776815, -0.6321205588285577, -0.3934693402873666, -9.999999950000001e-09, 0, 1.0000000050000001e-08, 0.6487212707001282, 1.7182818284590453, 32.11545195869231, 485165194.4097903, Infinity],
    float32: [-1, -1, -0.9698026180267334, -0.6321205496788025, -0.39346933364868164, -9.99999993922529e-09, 0, 9.99999993922529e-09, 0.6487212777137756, 1.718281865119934, 32.11545181274414, 485165184, Infinity],
  },
  tanh: {
    inputs: "any",
    float64: [-1, -1, -0.9981778976111987, -0.7615941559557649, -0.46211715726000974, -1e-08, 0, 1e-08, 0.46211715726000974, 0.7615941559557649, 0.9981778976111987, 1, 1],
    float32: [-1, -1, -0.9981778860092163, -0.7615941762924194, -0.46211716532707214, -9.99999993922529e-09, 0, 9.99999993922529e-09, 0.46211716532707214, 0.7615941762924194, 0.9981778860092163, 1, 1],
  },
  sigmoid: {
    inputs: "any",
    float64: [0, 2.0611536181902037e-09, 0.02931223075135632, 0.2689414213699951, 0.3775406687981454, 0.4999999975, 0.5, 0.5000000025, 0.6224593312018546, 0.7310585786300049, 0.9706877692486436, 0.9999999979388463, 1],
    float32: [0, 2.06115369216775e-09, 0.02931223064661026, 0.2689414322376251, 0.3775406777858734, 0.5, 0.5, 0.5, 0.622459352016449, 0.7310585975646973, 0.970687747001648, 1, 1],
  },
  sign: {
    inputs: "any",
    float64: [-1, -1, -1, -1, -1, -1, 0, 1, 1, 1, 1, 1, 1],
    float32: [-1, -1, -1, -1, -1, -1, 0, 1, 1, 1, 1, 1, 1],
  },
  erf: {
    inputs: "any",
    float64: [-1, -1, -0.9999992569016276, -0.8427007929497149, -0.5204998778130465, -1.1283791670955126e-08, 0, 1.1283791670955126e-08, 0.5204998778130465, 0.8427007929497149, 0.9999992569016276, 1, 1],
    float32: [-1, -1, -0.9999992847442627, -0.8427007794380188, -0.5204998850822449, -1.1283791678806665e-08, 0, 1.1283791678806665e-08, 0.5204998850822449, 0.8427007794380188, 0.9999992847442627, 1, 1],
  },
};

/** The gradient of Σ op(x) with respect to x: the elementwise derivative op'(x). */
function derivative(op: (x: Tensor) => Tensor, x: Tensor): Tensor {
  return grad(op(x).sum(), x)[0]!;
}

/** The elementwise second derivative op''(x), by differentiating the (createGraph) first derivative. */
function secondDerivative(op: (x: Tensor) => Tensor, x: Tensor): Tensor {
  const first = grad(op(x).sum(), x, undefined, { createGraph: true })[0]!;
  return grad(first.sum(), x)[0]!;
}

describe("unary ops: values against PyTorch", () => {
  for (const [name, expected] of Object.entries(EXPECTED)) {
    test(`${name} in float64 and float32`, () => {
      const op = OPS[name]!;
      const y64 = op(tensor(INPUTS[expected.inputs], { dtype: "float64" }));
      assert.equal(y64.dtype, "float64");
      assertClose(y64, expected.float64, { atol: 0, rtol: 2e-15, message: `${name} float64` });
      const y32 = op(tensor(INPUTS[expected.inputs], { dtype: "float32" }));
      assert.equal(y32.dtype, "float32");
      // The atol only matters below float32's normal range, which PyTorch's vectorised kernels flush to 0 (sigmoid(-100)).
      assertClose(y32, expected.float32, { atol: 1e-37, rtol: 3e-7, message: `${name} float32` });
    });
  }

  test("work on non-contiguous and expanded inputs", () => {
    const x = tensor([[0.5, -1], [2, 3], [-0.25, 4]], { dtype: "float64" });
    assertClose(exp(x.T), [[Math.exp(0.5), Math.exp(2), Math.exp(-0.25)], [Math.exp(-1), Math.exp(3), Math.exp(4)]], { atol: 0, rtol: 1e-15 });
    const row = tensor([[1, -2]], { dtype: "float64" });
    assertClose(tanh(row.expand(3, 2)), [[Math.tanh(1), Math.tanh(-2)], [Math.tanh(1), Math.tanh(-2)], [Math.tanh(1), Math.tanh(-2)]], { atol: 0, rtol: 1e-15 });
  });
});

describe("unary ops: edge cases", () => {
  test("log(0) = -Infinity, log(-1) = NaN, log1p(-1) = -Infinity", () => {
    assertTensor(log(tensor([0])), [-Infinity]);
    assert.ok(Number.isNaN(log(tensor([-1])).item()));
    assertTensor(log1p(tensor([-1])), [-Infinity]);
  });

  test("sqrt(-1) = NaN, rsqrt(0) = Infinity, reciprocal(±0) = ±Infinity", () => {
    assert.ok(Number.isNaN(sqrt(tensor([-1])).item()));
    assertTensor(rsqrt(tensor([0])), [Infinity]);
    assertTensor(reciprocal(tensor([0, -0])), [Infinity, -Infinity]);
  });

  test("exp overflows to Infinity and underflows to 0", () => {
    assertTensor(exp(tensor([1000, -1000], { dtype: "float64" })), [Infinity, 0]);
    assertTensor(exp(tensor([89, -104])), [Infinity, 0]); // float32 range
  });

  test("sigmoid(±1000) is exactly 1 and 0 in both float types, with no NaN", () => {
    for (const dtype of ["float32", "float64"] as const) {
      assertTensor(sigmoid(tensor([-1000, 1000, 0], { dtype })), [0, 1, 0.5]);
    }
    // PyTorch 1.13: torch.sigmoid(torch.tensor([-100.], dtype=torch.float64)) = 3.7200759760208356e-44
    assertClose(sigmoid(tensor([-100], { dtype: "float64" })), [3.7200759760208356e-44], { atol: 0, rtol: 1e-15 });
  });

  test("sign(NaN) = 0 and sign(-0) = 0, as in PyTorch 1.13; abs(-0) = +0", () => {
    assertTensor(sign(tensor([NaN, -0, 0])), [0, 0, 0]);
    assert.ok(Object.is(abs(tensor([-0])).item(), 0));
  });

  test("NaN propagates through the other functions", () => {
    for (const [name, op] of Object.entries(OPS)) {
      if (name === "sign") continue;
      assert.ok(Number.isNaN(op(tensor([NaN], { dtype: "float64" })).item()), name);
    }
  });

  test("erf(±Infinity) = ±1 and erf keeps the sign of zero", () => {
    assertTensor(erf(tensor([Infinity, -Infinity, 0], { dtype: "float64" })), [1, -1, 0]);
    assert.ok(Object.is(erf(tensor([-0], { dtype: "float64" })).item(), -0));
  });
});

describe("unary ops: dtypes of int32 and bool inputs", () => {
  // From PyTorch 1.13: torch.<name>(torch.tensor([3, -2, 0], dtype=torch.int32)).
  const FROM_INT32: Record<string, number[]> = {
    exp: [20.08553695678711, 0.1353352814912796, 1],
    log: [1.0986123085021973, NaN, -Infinity],
    sqrt: [1.7320507764816284, NaN, 0],
    rsqrt: [0.5773502588272095, NaN, Infinity],
    reciprocal: [0.3333333432674408, -0.5, Infinity],
    sin: [0.14112000167369843, -0.9092974066734314, 0],
    cos: [-0.9899924993515015, -0.416146844625473, 1],
    log1p: [1.3862943649291992, NaN, 0],
    expm1: [19.08553695678711, -0.8646647334098816, 0],
    tanh: [0.9950547814369202, -0.9640275835990906, 0],
    sigmoid: [0.9525741338729858, 0.11920291930437088, 0.5],
    erf: [0.9999778866767883, -0.9953222870826721, 0],
  };

  test("functions with fractional values give float32", () => {
    const x = tensor([3, -2, 0], { dtype: "int32" });
    for (const [name, expected] of Object.entries(FROM_INT32)) {
      const y = OPS[name]!(x);
      assert.equal(y.dtype, "float32", name);
      assertClose(y, expected, { atol: 0, rtol: 3e-7, message: name });
    }
    const b = tensor([true, false]);
    assert.equal(exp(b).dtype, "float32");
    assertClose(sigmoid(b), [0.7310585975646973, 0.5], { atol: 0, rtol: 3e-7 });
  });

  test("abs, square and sign keep int32", () => {
    const x = tensor([3, -2, 0], { dtype: "int32" });
    for (const [op, expected] of [[abs, [3, 2, 0]], [square, [9, 4, 0]], [sign, [1, -1, 0]]] as const) {
      const y = op(x);
      assert.equal(y.dtype, "int32");
      assertTensor(y, [...expected]);
    }
  });

  test("int32 square and abs wrap around like PyTorch's", () => {
    // PyTorch 1.13: torch.square(torch.tensor([65536, 46341, -46341], dtype=torch.int32)); torch.abs of [-2**31]
    assertTensor(square(tensor([65536, 46341, -46341], { dtype: "int32" })), [0, -2147479015, -2147479015]);
    assertTensor(abs(tensor([-(2 ** 31)], { dtype: "int32" })), [-(2 ** 31)]);
  });

  test("bool: sign stays bool, square gives int32 (PyTorch: int64), abs is refused", () => {
    const b = tensor([true, false]);
    assert.equal(sign(b).dtype, "bool");
    assertTensor(sign(b), [true, false]);
    assert.equal(square(b).dtype, "int32");
    assertTensor(square(b), [1, 0]);
    assert.throws(() => abs(b), /abs: not supported for bool/);
  });
});

const DERIVATIVE_POINTS = { any: [-2.5, -1, -0.3, 0.4, 1, 2.5], halfLine: [0.3, 1, 2.5] };

// From PyTorch 1.13, for x = torch.tensor(DERIVATIVE_POINTS[inputs], dtype=torch.float64, requires_grad=True):
// FIRST: torch.autograd.grad(torch.<name>(x).sum(), x); SECOND: the same applied again to the sum of the
// first derivative, computed with create_graph=True.
const FIRST_DERIVATIVES: Record<string, number[]> = {
  exp: [0.0820849986238988, 0.36787944117144233, 0.7408182206817179, 1.4918246976412703, 2.718281828459045, 12.182493960703473],
  log: [3.3333333333333335, 1, 0.4],
  sqrt: [0.9128709291752769, 0.5, 0.31622776601683794],
  rsqrt: [-3.0429030972509232, -0.5, -0.1264911064067352],
  reciprocal: [-11.111111111111112, -1, -0.16000000000000003],
  square: [-5, -2, -0.6, 0.8, 2, 5],
  abs: [-1, -1, -1, 1, 1, 1],
  sin: [-0.8011436155469337, 0.5403023058681398, 0.955336489125606, 0.9210609940028851, 0.5403023058681398, -0.8011436155469337],
  cos: [0.5984721441039564, 0.8414709848078965, 0.29552020666133955, -0.3894183423086505, -0.8414709848078965, -0.5984721441039564],
  log1p: [0.7692307692307692, 0.5, 0.2857142857142857],
  expm1: [0.08208499862389884, 0.36787944117144233, 0.7408182206817179, 1.4918246976412703, 2.7182818284590455, 12.182493960703473],
  tanh: [0.02659222668316057, 0.41997434161402614, 0.9151369618266292, 0.8556387860811777, 0.41997434161402614, 0.02659222668316057],
  sigmoid: [0.07010371654510815, 0.19661193324148185, 0.24445831169074586, 0.24026074574152914, 0.19661193324148185, 0.07010371654510807],
  erf: [0.00217828423035271, 0.4151074974205947, 1.031260909618963, 0.9615412988393078, 0.4151074974205947, 0.00217828423035271],
};
const SECOND_DERIVATIVES: Record<string, number[]> = {
  exp: [0.0820849986238988, 0.36787944117144233, 0.7408182206817179, 1.4918246976412703, 2.718281828459045, 12.182493960703473],
  log: [-11.111111111111112, -1, -0.16],
  sqrt: [-1.5214515486254618, -0.25, -0.06324555320336758],
  rsqrt: [15.214515486254616, 0.75, 0.07589466384404113],
  reciprocal: [74.07407407407409, 2, 0.12800000000000003],
  square: [2, 2, 2, 2, 2, 2],
  sin: [0.5984721441039564, 0.8414709848078965, 0.29552020666133955, -0.3894183423086505, -0.8414709848078965, -0.5984721441039564],
  cos: [0.8011436155469337, -0.5403023058681398, -0.955336489125606, -0.9210609940028851, -0.5403023058681398, 0.8011436155469337],
  log1p: [-0.5917159763313609, -0.25, -0.08163265306122448],
  expm1: [0.08208499862389884, 0.36787944117144233, 0.7408182206817179, 1.4918246976412703, 2.7182818284590455, 12.182493960703473],
  tanh: [0.052472542130580405, 0.6397000084492246, 0.5331818782014544, -0.6501981376737277, -0.6397000084492246, -0.052472542130580405],
  sigmoid: [0.05946783584543406, 0.09085774767294841, 0.036396183955576235, -0.04742154162820855, -0.09085774767294841, -0.05946783584543401],
  erf: [0.01089142115176355, 0.8302149948411894, 0.6187565457713778, -0.7692330390714464, -0.8302149948411894, -0.01089142115176355],
};

describe("unary ops: derivatives against PyTorch", () => {
  const pointsFor = (name: string) => tensor(DERIVATIVE_POINTS[EXPECTED[name]!.inputs], { dtype: "float64", requiresGrad: true });

  for (const [name, expected] of Object.entries(FIRST_DERIVATIVES)) {
    test(`${name}' matches`, () => {
      assertClose(derivative(OPS[name]!, pointsFor(name)), expected, { atol: 1e-15, rtol: 1e-14 });
    });
  }

  for (const [name, expected] of Object.entries(SECOND_DERIVATIVES)) {
    test(`${name}'' matches (backward differentiated again)`, () => {
      assertClose(secondDerivative(OPS[name]!, pointsFor(name)), expected, { atol: 1e-15, rtol: 1e-14 });
    });
  }

  test("at kinks and poles, as in PyTorch 1.13", () => {
    const at = (values: number[]) => tensor(values, { dtype: "float64", requiresGrad: true });
    // torch.abs: gradient 0 at ±0 (sign(0) = 0)
    assertTensor(derivative(abs, at([0, -0, -2, 2])), [0, 0, -1, 1]);
    // torch.sign: gradient 0 everywhere, also at the jump
    assertTensor(derivative(sign, at([0, -2, 2])), [0, 0, 0]);
    assertTensor(derivative(sqrt, at([0])), [Infinity]);
    assertTensor(derivative(rsqrt, at([0])), [-Infinity]);
    assertTensor(derivative(log, at([0])), [Infinity]);
    assertTensor(derivative(reciprocal, at([0, -0])), [-Infinity, -Infinity]);
    assertTensor(derivative(log1p, at([-1])), [Infinity]);
  });

  test("float32 inputs get float32 gradients", () => {
    const x = tensor([0.5, -1], { requiresGrad: true });
    const g = derivative(sigmoid, x);
    assert.equal(g.dtype, "float32");
    // PyTorch 1.13: the grad of torch.sigmoid(x).sum() for x = torch.tensor([0.5, -1.], requires_grad=True)
    assertClose(g, [0.23500370979309082, 0.1966119408607483], { atol: 0, rtol: 3e-7 });
  });
});

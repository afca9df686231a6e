// Activation functions: values against PyTorch 1.13 in float64 and float32,
// derivatives (first and second), gradients at the kinks, dtypes and errors.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { elu, gelu, grad, hardtanh, leakyRelu, relu, silu, softplus, tensor, zerosLike, type Tensor } from "../../src/index.ts";
import { assertClose, assertTensor } from "../helpers/assert.ts";

const INPUTS = [-30, -10, -3, -1, -0.5, -1e-3, 0, 1e-3, 0.5, 1, 3, 10, 30];

// From PyTorch 1.13: the torch.nn.functional equivalent of `apply` (relu, leaky_relu(x, 0.2),
// elu(x, 1.5), gelu(x, approximate="tanh"), softplus(x, beta=2, threshold=4), hardtanh(x, -2., 0.5) ...)
// on torch.tensor(INPUTS, dtype=torch.float64), and the same with dtype=torch.float32.
const CASES: { name: string; apply: (x: Tensor) => Tensor; float64: number[]; float32: number[] }[] = [
  {
    name: "relu",
    apply: (x) => relu(x),
    float64: [0, 0, 0, 0, 0, 0, 0, 0.001, 0.5, 1, 3, 10, 30],
    float32: [0, 0, 0, 0, 0, 0, 0, 0.0010000000474974513, 0.5, 1, 3, 10, 30],
  },
  {
    name: "leakyRelu",
    apply: (x) => leakyRelu(x),
    float64: [-0.3, -0.1, -0.03, -0.01, -0.005, -1e-05, 0, 0.001, 0.5, 1, 3, 10, 30],
    float32: [-0.29999998211860657, -0.09999999403953552, -0.029999999329447746, -0.009999999776482582, -0.004999999888241291, -1.0000000656873453e-05, 0, 0.0010000000474974513, 0.5, 1, 3, 10, 30],
  },
  {
    name: "leakyRelu 0.2",
    apply: (x) => leakyRelu(x, 0.2),
    float64: [-6, -2, -0.6000000000000001, -0.2, -0.1, -0.0002, 0, 0.001, 0.5, 1, 3, 10, 30],
    float32: [-6, -2, -0.6000000238418579, -0.20000000298023224, -0.10000000149011612, -0.00020000000949949026, 0, 0.0010000000474974513, 0.5, 1, 3, 10, 30],
  },
  {
    name: "elu",
    apply: (x) => elu(x),
    float64: [-0.9999999999999064, -0.9999546000702375, -0.950212931632136, -0.6321205588285577, -0.3934693402873666, -0.000999500166624978, 0, 0.001, 0.5, 1, 3, 10, 30],
    float32: [-1, -0.9999545812606812, -0.9502129554748535, -0.6321205496788025, -0.39346933364868164, -0.0009995102882385254, 0, 0.0010000000474974513, 0.5, 1, 3, 10, 30],
  },
  {
    name: "elu 1.5",
    apply: (x) => elu(x, 1.5),
    float64: [-1.4999999999998597, -1.4999319001053562, -1.4253193974482041, -0.9481808382428365, -0.5902040104310499, -0.0014992502499374671, 0, 0.001, 0.5, 1, 3, 10, 30],
    float32: [-1.5, -1.499931812286377, -1.4253194332122803, -0.9481807947158813, -0.5902040004730225, -0.001499265432357788, 0, 0.0010000000474974513, 0.5, 1, 3, 10, 30],
  },
  {
    name: "gelu",
    apply: (x) => gelu(x),
    float64: [-0, -0, -0.00404969409489031, -0.15865525393145702, -0.15426876936299344, -0.000499601057786089, 0, 0.000500398942213911, 0.34573123063700656, 0.841344746068543, 2.99595030590511, 10, 30],
    float32: [0, 0, -0.004049867391586304, -0.1586552858352661, -0.1542687863111496, -0.0004996011266484857, 0, 0.0005003989208489656, 0.3457311987876892, 0.8413447141647339, 2.995950222015381, 10, 30],
  },
  {
    name: "gelu tanh",
    apply: (x) => gelu(x, { approximate: "tanh" }),
    float64: [-0, -0, -0.0036373920817729943, -0.1588080093917233, -0.15428599017485606, -0.000499601057786418, 0, 0.000500398942213582, 0.34571400982514394, 0.8411919906082768, 2.996362607918227, 10, 30],
    float32: [-0, -0, -0.0036374330520629883, -0.15880799293518066, -0.1542859971523285, -0.0004996010684408247, 0, 0.0005003989790566266, 0.3457140028476715, 0.8411920070648193, 2.9963626861572266, 10, 30],
  },
  {
    name: "silu",
    apply: (x) => silu(x),
    float64: [-2.8072868906517896e-12, -0.0004539786870243439, -0.14227761953270035, -0.2689414213699951, -0.1887703343990727, -0.0004997500000208334, 0, 0.0005002499999791667, 0.3112296656009273, 0.7310585786300049, 2.8577223804672998, 9.999546021312975, 29.999999999997197],
    float32: [-2.807286954981114e-12, -0.0004539787187241018, -0.14227761328220367, -0.2689414322376251, -0.1887703388929367, -0.0004997500218451023, 0, 0.000500250025652349, 0.3112296760082245, 0.7310585975646973, 2.857722520828247, 9.99954605102539, 30],
  },
  {
    name: "softplus",
    apply: (x) => softplus(x),
    float64: [9.357622968839737e-14, 4.539889921686465e-05, 0.04858735157374206, 0.31326168751822286, 0.4740769841801067, 0.6926473055599401, 0.6931471805599453, 0.6936473055599401, 0.9740769841801067, 1.3132616875182228, 3.048587351573742, 10.000045398899218, 30],
    float32: [9.357622912219837e-14, 4.5398901420412585e-05, 0.04858735203742981, 0.3132616877555847, 0.4740769863128662, 0.6926472783088684, 0.6931471824645996, 0.6936473250389099, 0.9740769863128662, 1.31326162815094, 3.0485873222351074, 10.000045776367188, 30],
  },
  {
    name: "softplus beta 2 threshold 4",
    apply: (x) => softplus(x, { beta: 2, threshold: 4 }),
    float64: [4.37825538134826e-27, 1.0305768101571904e-09, 0.0012378425688652247, 0.06346400552148625, 0.15663084375911143, 0.346073840279931, 0.34657359027997264, 0.347073840279931, 0.6566308437591114, 1.0634640055214863, 3, 10, 30],
    float32: [4.37825544636038e-27, 1.030576846083875e-09, 0.0012378426035866141, 0.06346400082111359, 0.15663084387779236, 0.34607383608818054, 0.3465735912322998, 0.34707385301589966, 0.65663081407547, 1.0634640455245972, 3, 10, 30],
  },
  {
    name: "hardtanh",
    apply: (x) => hardtanh(x),
    float64: [-1, -1, -1, -1, -0.5, -0.001, 0, 0.001, 0.5, 1, 1, 1, 1],
    float32: [-1, -1, -1, -1, -0.5, -0.0010000000474974513, 0, 0.0010000000474974513, 0.5, 1, 1, 1, 1],
  },
  {
    name: "hardtanh -2 0.5",
    apply: (x) => hardtanh(x, -2, 0.5),
    float64: [-2, -2, -2, -1, -0.5, -0.001, 0, 0.001, 0.5, 0.5, 0.5, 0.5, 0.5],
    float32: [-2, -2, -2, -1, -0.5, -0.0010000000474974513, 0, 0.0010000000474974513, 0.5, 0.5, 0.5, 0.5, 0.5],
  },
];

// PyTorch forms e^x − 1 (elu), 1 + erf(x/√2) and 1 + tanh(u) (gelu) directly, which lose digits to
// cancellation for negative x; gradschool uses expm1, erfc and 2σ(2u) instead. Against 40-digit mpmath,
// gradschool's elu(-1e-3), gelu(-3) and tanh-gelu(-3) are within 2e-15, PyTorch's float64 values up to
// 3e-14 off, and its float32 values up to 5e-5 off (float32 elu(-1e-3) = -0.00099951029 instead of
// -0.00099950017). For these functions float64 gets a looser tolerance, and float32 results are checked
// against the (accurate) float64 values rounded to float32.
const CANCELS_IN_PYTORCH = new Set(["elu", "elu 1.5", "gelu", "gelu tanh"]);

const DERIVATIVE_POINTS = [-2.5, -1, -0.3, 0.4, 1, 2.5];

// From PyTorch 1.13, for x = torch.tensor(DERIVATIVE_POINTS, dtype=torch.float64, requires_grad=True):
// first = torch.autograd.grad(f(x).sum(), x, create_graph=True), second = the same applied to first.sum()
// (zeros where the first derivative does not depend on x).
const DERIVATIVES: Record<string, { first: number[]; second: number[] }> = {
  "relu": { first: [0, 0, 0, 1, 1, 1], second: [0, 0, 0, 0, 0, 0] },
  "leakyRelu": { first: [0.01, 0.01, 0.01, 1, 1, 1], second: [0, 0, 0, 0, 0, 0] },
  "leakyRelu 0.2": { first: [0.2, 0.2, 0.2, 1, 1, 1], second: [0, 0, 0, 0, 0, 0] },
  "elu": { first: [0.0820849986238988, 0.36787944117144233, 0.7408182206817179, 1, 1, 1], second: [0.0820849986238988, 0.36787944117144233, 0.7408182206817179, 0, 0, 0] },
  "elu 1.5": { first: [0.1231274979358482, 0.5518191617571635, 1.1112273310225769, 1, 1, 1], second: [0.1231274979358482, 0.5518191617571635, 1.1112273310225769, 0, 0, 0] },
  "gelu": { first: [-0.03761108590814519, -0.08331547058768635, 0.26767223317289013, 0.8027297977316535, 1.0833154705876864, 1.037611085908145], second: [-0.07449527709766629, 0.24197072451914337, 0.728450727529601, 0.6776170581581149, 0.24197072451914337, -0.07449527709766629] },
  "gelu tanh": { first: [-0.03795157621266618, -0.08296408384578252, 0.26770454836119817, 0.8026588344205614, 1.0829640838457826, 1.037951576212666], second: [-0.07624539207361294, 0.24214819798377296, 0.7281484484339118, 0.6771476890415857, 0.24214819798377296, -0.07624539207361294] },
  "silu": { first: [-0.09940111134152682, 0.07232948812851325, 0.3522199896811173, 0.6947919584090636, 0.9276705118714869, 1.0994011113415267], second: [-0.008462156523368847, 0.3023661188100153, 0.4779977681948189, 0.4615528748317749, 0.3023661188100153, -0.008462156523368874] },
  "softplus": { first: [0.07585818002124356, 0.2689414213699951, 0.425557483188341, 0.598687660112452, 0.7310585786300049, 0.9241418199787564], second: [0.07010371654510815, 0.19661193324148185, 0.24445831169074586, 0.24026074574152914, 0.19661193324148185, 0.07010371654510807] },
  "softplus beta 2 threshold 4": { first: [0.006692850924284856, 0.11920292202211755, 0.3543436937742045, 0.6899744811276125, 0.8807970779778824, 1], second: [0.01329611334158031, 0.209987170807013, 0.4575684809133146, 0.4278193930405888, 0.20998717080701323, 0] },
  "hardtanh": { first: [0, 0, 1, 1, 0, 0], second: [0, 0, 0, 0, 0, 0] },
  "hardtanh -2 0.5": { first: [0, 1, 1, 1, 0, 0], second: [0, 0, 0, 0, 0, 0] },
};

const at = (values: number[]) => tensor(values, { dtype: "float64", requiresGrad: true });

/** The elementwise derivative f'(x), as the gradient of Σ f(x). */
function derivative(f: (x: Tensor) => Tensor, x: Tensor): Tensor {
  return grad(f(x).sum(), x)[0]!;
}

/** The elementwise second derivative; zero when the first derivative does not depend on x (piecewise-linear f). */
function secondDerivative(f: (x: Tensor) => Tensor, x: Tensor): Tensor {
  const first = grad(f(x).sum(), x, undefined, { createGraph: true })[0]!;
  return first.requiresGrad ? grad(first.sum(), x)[0]! : zerosLike(x);
}

describe("activations: values against PyTorch", () => {
  for (const c of CASES) {
    test(`${c.name} in float64 and float32`, () => {
      const y64 = c.apply(tensor(INPUTS, { dtype: "float64" }));
      assert.equal(y64.dtype, "float64");
      // The atol only matters for gelu's far left tail, where PyTorch's 1 + erf(x/√2) cancels to −0
      // and gradschool keeps the true value (about −7.6e-23 at x = −10, see below).
      const cancels = CANCELS_IN_PYTORCH.has(c.name);
      assertClose(y64, c.float64, { atol: 1e-20, rtol: cancels ? 5e-14 : 2e-15, message: `${c.name} float64` });
      const y32 = c.apply(tensor(INPUTS, { dtype: "float32" }));
      assert.equal(y32.dtype, "float32");
      assertClose(y32, cancels ? c.float64 : c.float32, { atol: 1e-20, rtol: 3e-7, message: `${c.name} float32` });
    });
  }

  test("gelu is 0 at 0, and accurate in its far left tail", () => {
    assertTensor(gelu(tensor([0])), [0]);
    assertTensor(gelu(tensor([0]), { approximate: "tanh" }), [0]);
    // x·Φ(x) at −10 and −30 from 40-digit mpmath: -10·ncdf(-10), -30·ncdf(-30) (PyTorch 1.13 returns -0 for both).
    // The tolerance is the conditioning of the tail: rounding x/√2 by 1e-16 moves erfc(x/√2) by about x²·1e-16 relative.
    assertClose(gelu(tensor([-10, -30], { dtype: "float64" })), [-7.619853024160526e-23, -1.472014178144456e-196], { atol: 0, rtol: 1e-13 });
  });

  test("softplus is linear above the threshold, exactly as PyTorch", () => {
    // PyTorch 1.13: F.softplus(torch.tensor([20., 20.5, 25., 1000., -1000.], dtype=torch.float64)); 20 is not above the threshold.
    assertClose(softplus(tensor([20, 20.5, 25, 1000, -1000], { dtype: "float64" })), [20.000000002061153, 20.5, 25, 1000, 0], { atol: 0, rtol: 1e-15 });
    assertTensor(softplus(tensor([20.5, 25, 1000])), [20.5, 25, 1000]);
    // With beta = 2 and threshold = 4 the linear part starts at x = 2: F.softplus(torch.tensor([1.9, 2.5]), beta=2, threshold=4)
    assertClose(softplus(tensor([1.9, 2.5], { dtype: "float64" }), { beta: 2, threshold: 4 }), [1.9110621082274395, 2.5], { atol: 0, rtol: 1e-15 });
  });

  test("NaN propagates and relu keeps −0", () => {
    const nan = tensor([NaN], { dtype: "float64" });
    for (const f of [relu, (x: Tensor) => leakyRelu(x), (x: Tensor) => elu(x), (x: Tensor) => gelu(x), silu, (x: Tensor) => softplus(x), (x: Tensor) => hardtanh(x)]) {
      assert.ok(Number.isNaN(f(nan).item()));
    }
    assert.ok(Object.is(relu(tensor([-0])).item(), -0));
  });

  test("hardtanh with minVal > maxVal gives maxVal everywhere, like PyTorch's clamp", () => {
    // PyTorch 1.13: F.hardtanh(torch.tensor([-3., 0.5, 3.]), 1., -1.) = [-1, -1, -1]
    assertTensor(hardtanh(tensor([-3, 0.5, 3]), 1, -1), [-1, -1, -1]);
  });
});

describe("activations: derivatives against PyTorch", () => {
  for (const c of CASES) {
    const expected = DERIVATIVES[c.name]!;
    test(`${c.name}: first and second derivatives`, () => {
      assertClose(derivative(c.apply, at(DERIVATIVE_POINTS)), expected.first, { atol: 1e-15, rtol: 1e-14, message: "first" });
      assertClose(secondDerivative(c.apply, at(DERIVATIVE_POINTS)), expected.second, { atol: 1e-15, rtol: 1e-14, message: "second" });
    });
  }

  test("at the kinks, as PyTorch 1.13 computes them", () => {
    // F.relu: 0 at ±0; F.leaky_relu(x, 0.2): the slope 0.2 at ±0; F.elu(x, 1.5): alpha = 1.5 at ±0.
    assertTensor(derivative(relu, at([0, -0])), [0, 0]);
    assertTensor(derivative((x) => leakyRelu(x, 0.2), at([0, -0])), [0.2, 0.2]);
    assertTensor(derivative((x) => elu(x, 1.5), at([0, -0])), [1.5, 1.5]);
    // F.hardtanh: 0 on the bounds themselves, 1 just inside.
    assertTensor(derivative((x) => hardtanh(x), at([-1, 1, -1.0000001, 0.9999999])), [0, 0, 0, 1]);
    assertTensor(derivative((x) => hardtanh(x, -2, 0.5), at([-2, 0.5])), [0, 0]);
    // F.softplus: σ(20) at the threshold itself, 1 above it.
    assertClose(derivative((x) => softplus(x), at([20, 20.000001, 19.999999])), [0.9999999979388464, 1, 0.9999999979388443], { atol: 0, rtol: 1e-15 });
    // F.gelu, both forms: 1/2 at 0.
    assertTensor(derivative((x) => gelu(x), at([0])), [0.5]);
    assertTensor(derivative((x) => gelu(x, { approximate: "tanh" }), at([0])), [0.5]);
  });
});

describe("activations: dtypes and errors", () => {
  test("relu and hardtanh keep int32, like PyTorch", () => {
    const x = tensor([3, -2, 0], { dtype: "int32" });
    assert.equal(relu(x).dtype, "int32");
    assertTensor(relu(x), [3, 0, 0]);
    assertTensor(hardtanh(x), [1, -1, 0]);
    // PyTorch 1.13: F.hardtanh(torch.tensor([0, 3, -3], dtype=torch.int32), -1.5, 2.5) = [0, 2, -1]
    assertTensor(hardtanh(tensor([0, 3, -3], { dtype: "int32" }), -1.5, 2.5), [0, 2, -1]);
  });

  test("the others need floating-point inputs, as in PyTorch", () => {
    const x = tensor([3, -2, 0], { dtype: "int32" });
    assert.throws(() => leakyRelu(x), /leakyRelu: expected a float32 or float64 tensor, got int32/);
    assert.throws(() => elu(x), /elu: expected a float32 or float64 tensor, got int32/);
    assert.throws(() => gelu(x), /gelu: expected a float32 or float64 tensor, got int32/);
    assert.throws(() => silu(x), /silu: expected a float32 or float64 tensor, got int32/);
    assert.throws(() => softplus(x), /softplus: expected a float32 or float64 tensor, got int32/);
    assert.throws(() => relu(tensor([true])), /relu: bool tensors are not supported/);
    assert.throws(() => hardtanh(tensor([true])), /hardtanh: bool tensors are not supported/);
  });

  test("gelu refuses an unknown approximation", () => {
    // @ts-expect-error: checking the run-time error for a value outside the type
    assert.throws(() => gelu(tensor([1]), { approximate: "erf" }), /gelu: approximate must be "none" or "tanh", got "erf"/);
  });
});

// Elementwise math of one tensor: exp, log, sqrt, trigonometry, sigmoid ...
//
// Dtypes follow PyTorch: functions whose values are fractions (exp, log, sqrt,
// sin, sigmoid, erf ...) turn int32 and bool inputs into float32; abs,
// square and sign keep the input's dtype (square of a bool gives int32, where
// PyTorch gives int64, which gradschool does not have).

import { isFloating, toFloating, type DType } from "../dtype.ts";
import { map } from "../kernels.ts";
import { defineOp, type GradcheckCase } from "../op.ts";
import { zerosLike } from "../creation.ts";
import { erf as erfOf, logistic } from "../special.ts";
import type { Tensor } from "../tensor.ts";
import { sub } from "./arithmetic.ts";

/** Applies a real function to every element; integer and bool inputs give float32, as in PyTorch. */
function mapToFloat(x: Tensor, f: (v: number) => number): Tensor {
  return map(x, f, toFloating(x.dtype));
}

/** Gradcheck cases: a 3×4 input (second derivatives checked too) and a 2×3×2 one, with values drawn from `domain`. */
function cases(domain: GradcheckCase["domain"] = "any"): GradcheckCase[] {
  return [{ inputs: [[3, 4]], domain, secondOrder: true }, { inputs: [[2, 3, 2]], domain }];
}

// d/dx e^x = e^x
const expOp = defineOp({
  name: "exp",
  forward: ([x]) => mapToFloat(x!, Math.exp),
  backward: (grad, ctx) => [grad.mul(ctx.output())],
  gradcheck: cases(),
});

/** e^x elementwise. */
export function exp(x: Tensor): Tensor {
  return expOp.apply([x], undefined);
}

// d/dx ln(x) = 1/x
const logOp = defineOp({
  name: "log",
  forward: ([x]) => mapToFloat(x!, Math.log),
  backward: (grad, ctx) => [grad.div(ctx.input(0))],
  gradcheck: cases("positive"),
});

/** Natural logarithm elementwise: log(0) = -Infinity, log of a negative number = NaN. */
export function log(x: Tensor): Tensor {
  return logOp.apply([x], undefined);
}

// d/dx √x = 1/(2√x)
const sqrtOp = defineOp({
  name: "sqrt",
  forward: ([x]) => mapToFloat(x!, Math.sqrt),
  backward: (grad, ctx) => [grad.div(ctx.output().mul(2))],
  gradcheck: cases("positive"),
});

/** Square root elementwise: NaN for negative numbers; its gradient at 0 is Infinity. */
export function sqrt(x: Tensor): Tensor {
  return sqrtOp.apply([x], undefined);
}

// d/dx x^(-1/2) = -1/2 · x^(-3/2) = -1/2 · rsqrt(x)³
const rsqrtOp = defineOp({
  name: "rsqrt",
  forward: ([x]) => mapToFloat(x!, (v) => 1 / Math.sqrt(v)),
  backward: (grad, ctx) => [grad.mul(ctx.output().pow(3)).mul(-0.5)],
  gradcheck: cases("positive"),
});

/** 1/√x elementwise (Infinity at 0, NaN for negative numbers). */
export function rsqrt(x: Tensor): Tensor {
  return rsqrtOp.apply([x], undefined);
}

// d/dx 1/x = -1/x²
const reciprocalOp = defineOp({
  name: "reciprocal",
  forward: ([x]) => mapToFloat(x!, (v) => 1 / v),
  backward: (grad, ctx) => [grad.mul(ctx.output().square()).neg()],
  gradcheck: cases("nonzero"),
});

/** 1/x elementwise (±Infinity at ±0); always a float result, like PyTorch. */
export function reciprocal(x: Tensor): Tensor {
  return reciprocalOp.apply([x], undefined);
}

/** Squares one value; int32 and bool values are multiplied as 32-bit integers (Math.imul), wrapping on overflow like PyTorch. */
function squareFunction(dtype: DType): (v: number) => number {
  return isFloating(dtype) ? (v) => v * v : (v) => Math.imul(v, v);
}

// d/dx x² = 2x
const squareOp = defineOp({
  name: "square",
  forward: ([x]) => map(x!, squareFunction(x!.dtype), x!.dtype === "bool" ? "int32" : x!.dtype),
  backward: (grad, ctx) => [grad.mul(ctx.input(0)).mul(2)],
  gradcheck: cases(),
});

/** x² elementwise; keeps int32 (bool becomes int32). */
export function square(x: Tensor): Tensor {
  return squareOp.apply([x], undefined);
}

// d/dx |x| = sign(x), which is 0 at x = 0 (as in PyTorch)
const absOp = defineOp({
  name: "abs",
  forward: ([x]) => map(x!, Math.abs),
  backward: (grad, ctx) => [grad.mul(ctx.input(0).sign())],
  gradcheck: cases("nonzero"),
});

/** |x| elementwise; keeps the dtype. */
export function abs(x: Tensor): Tensor {
  if (x.dtype === "bool") throw new Error("abs: not supported for bool tensors (a bool is already its own absolute value); convert with .int() first");
  return absOp.apply([x], undefined);
}

// d/dx sin(x) = cos(x)
const sinOp = defineOp({
  name: "sin",
  forward: ([x]) => mapToFloat(x!, Math.sin),
  backward: (grad, ctx) => [grad.mul(ctx.input(0).cos())],
  gradcheck: cases(),
});

/** Sine (radians) elementwise. */
export function sin(x: Tensor): Tensor {
  return sinOp.apply([x], undefined);
}

// d/dx cos(x) = -sin(x)
const cosOp = defineOp({
  name: "cos",
  forward: ([x]) => mapToFloat(x!, Math.cos),
  backward: (grad, ctx) => [grad.mul(ctx.input(0).sin()).neg()],
  gradcheck: cases(),
});

/** Cosine (radians) elementwise. */
export function cos(x: Tensor): Tensor {
  return cosOp.apply([x], undefined);
}

// d/dx ln(1 + x) = 1/(1 + x)
const log1pOp = defineOp({
  name: "log1p",
  forward: ([x]) => mapToFloat(x!, Math.log1p),
  backward: (grad, ctx) => [grad.div(ctx.input(0).add(1))],
  gradcheck: cases("unit"),
});

/** ln(1 + x) elementwise, accurate for tiny x (where 1 + x would round to 1). */
export function log1p(x: Tensor): Tensor {
  return log1pOp.apply([x], undefined);
}

// d/dx (e^x − 1) = e^x = expm1(x) + 1
const expm1Op = defineOp({
  name: "expm1",
  forward: ([x]) => mapToFloat(x!, Math.expm1),
  backward: (grad, ctx) => [grad.mul(ctx.output().add(1))],
  gradcheck: cases(),
});

/** e^x − 1 elementwise, accurate for tiny x. */
export function expm1(x: Tensor): Tensor {
  return expm1Op.apply([x], undefined);
}

// d/dx tanh(x) = 1 − tanh(x)²
const tanhOp = defineOp({
  name: "tanh",
  forward: ([x]) => mapToFloat(x!, Math.tanh),
  backward: (grad, ctx) => [grad.mul(sub(1, ctx.output().square()))],
  gradcheck: cases(),
});

/** Hyperbolic tangent elementwise. */
export function tanh(x: Tensor): Tensor {
  return tanhOp.apply([x], undefined);
}

// d/dx σ(x) = σ(x)·(1 − σ(x))
const sigmoidOp = defineOp({
  name: "sigmoid",
  forward: ([x]) => mapToFloat(x!, logistic),
  backward: (grad, ctx) => {
    const s = ctx.output();
    return [grad.mul(s).mul(sub(1, s))];
  },
  gradcheck: cases(),
});

/** The logistic sigmoid 1/(1 + e^(−x)) elementwise; stable for any x (sigmoid(-1000) = 0, sigmoid(1000) = 1). */
export function sigmoid(x: Tensor): Tensor {
  return sigmoidOp.apply([x], undefined);
}

// d/dx sign(x) = 0 (wherever it exists; PyTorch also gives 0 at the jump)
const signOp = defineOp({
  name: "sign",
  forward: ([x]) => map(x!, (v) => (v > 0 ? 1 : v < 0 ? -1 : 0)),
  backward: (grad) => [zerosLike(grad)],
  gradcheck: [{ inputs: [[3, 4]], domain: "nonzero", secondOrder: true }],
});

/** -1, 0 or 1 by the sign of each element; keeps the dtype. sign(NaN) is 0, as in PyTorch 1.13. */
export function sign(x: Tensor): Tensor {
  return signOp.apply([x], undefined);
}

// d/dx erf(x) = 2/√π · e^(−x²)
const erfOp = defineOp({
  name: "erf",
  forward: ([x]) => mapToFloat(x!, erfOf),
  backward: (grad, ctx) => [grad.mul(ctx.input(0).square().neg().exp()).mul(2 / Math.sqrt(Math.PI))],
  gradcheck: cases(),
});

/** The error function 2/√π ∫₀ˣ e^(−t²) dt elementwise (see special.ts for how it is computed). */
export function erf(x: Tensor): Tensor {
  return erfOp.apply([x], undefined);
}

// Activation functions: the elementwise non-linearities between layers.
//
// Where a function has a kink (relu at 0, hardtanh at its bounds) the
// gradient there is a choice; each op makes PyTorch 1.13's choice, noted
// above it. relu and hardtanh also work on int32 tensors, like PyTorch; the
// others need floating-point inputs, as PyTorch's do.

import { isFloating } from "../dtype.ts";
import { map } from "../kernels.ts";
import { defineOp } from "../op.ts";
import { formatShape } from "../shape.ts";
import { erfc, logistic, softplusOf } from "../special.ts";
import type { Tensor } from "../tensor.ts";
import { sub, where } from "./arithmetic.ts";
import { erf } from "./unary.ts";

function requireFloating(op: string, x: Tensor): void {
  if (!isFloating(x.dtype)) {
    throw new Error(`${op}: expected a float32 or float64 tensor, got ${x.dtype} (shape ${formatShape(x.shape)}); convert it first, e.g. x.float()`);
  }
}

function rejectBool(op: string, x: Tensor): void {
  if (x.dtype === "bool") throw new Error(`${op}: bool tensors are not supported; convert with .int() or .float() first`);
}

// relu(x) = max(x, 0);  d/dx = 1 for x > 0, else 0 (0 at the kink x = 0, as in PyTorch)
const reluOp = defineOp({
  name: "relu",
  // `v < 0` rather than `v <= 0` lets NaN and −0 through unchanged, as PyTorch does.
  forward: ([x]) => map(x!, (v) => (v < 0 ? 0 : v)),
  backward: (grad, ctx) => [where(ctx.output().le(0), 0, grad)],
  // "nonzero" keeps the random inputs away from the kink at 0, where finite differences fail.
  gradcheck: [{ inputs: [[3, 4]], domain: "nonzero", secondOrder: true }, { inputs: [[2, 3, 2]], domain: "nonzero" }],
});

/** max(x, 0) elementwise; float or int32. */
export function relu(x: Tensor): Tensor {
  rejectBool("relu", x);
  return reluOp.apply([x], undefined);
}

// leakyRelu(x) = x for x > 0, else slope·x;  d/dx = 1 for x > 0, else slope (slope at x = 0, as in PyTorch)
const leakyReluOp = defineOp<{ negativeSlope: number }>({
  name: "leakyRelu",
  forward: ([x], { negativeSlope }) => map(x!, (v) => (v > 0 ? v : v * negativeSlope)),
  backward: (grad, ctx) => [where(ctx.input(0).gt(0), grad, grad.mul(ctx.args.negativeSlope))],
  gradcheck: [
    { inputs: [[3, 4]], args: { negativeSlope: 0.01 }, domain: "nonzero", secondOrder: true },
    { inputs: [[2, 3, 2]], args: { negativeSlope: -0.5 }, domain: "nonzero" },
  ],
});

/** x for positive x, negativeSlope·x otherwise (default slope 0.01). */
export function leakyRelu(x: Tensor, negativeSlope = 0.01): Tensor {
  requireFloating("leakyRelu", x);
  return leakyReluOp.apply([x], { negativeSlope });
}

// elu(x) = x for x > 0, else α(e^x − 1);  d/dx = 1 for x > 0, else α·e^x (α at x = 0, as in PyTorch)
const eluOp = defineOp<{ alpha: number }>({
  name: "elu",
  forward: ([x], { alpha }) => map(x!, (v) => (v > 0 ? v : alpha * Math.expm1(v))),
  backward: (grad, ctx) => {
    const x = ctx.input(0);
    return [where(x.gt(0), grad, grad.mul(x.exp()).mul(ctx.args.alpha))];
  },
  gradcheck: [
    { inputs: [[3, 4]], args: { alpha: 1 }, domain: "nonzero", secondOrder: true },
    { inputs: [[2, 3, 2]], args: { alpha: 0.7 }, domain: "nonzero" },
  ],
});

/** The exponential linear unit: x for positive x, alpha·(e^x − 1) otherwise (default alpha 1). */
export function elu(x: Tensor, alpha = 1): Tensor {
  requireFloating("elu", x);
  return eluOp.apply([x], { alpha });
}

type GeluApproximation = "none" | "tanh";

/** √(2/π), the scale inside GELU's tanh approximation. */
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
/** The cubic coefficient of GELU's tanh approximation. */
const GELU_CUBIC = 0.044715;
/** 1/√(2π), the peak of the standard normal density φ. */
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * Exact GELU, x·Φ(x) with Φ the standard normal CDF, Φ(x) = (1 + erf(x/√2))/2.
 * Written with erfc, Φ(x) = erfc(−x/√2)/2, it stays accurate in the far left
 * tail, where 1 + erf(x/√2) would cancel to 0.
 */
function geluExact(v: number): number {
  return 0.5 * v * erfc(-v * Math.SQRT1_2);
}

/**
 * GELU's tanh approximation, as in PyTorch: x/2·(1 + tanh(√(2/π)·(x + 0.044715x³))).
 * Since 1 + tanh(u) = 2σ(2u), this is x·σ(2u), which has no cancellation for very negative x.
 */
function geluTanh(v: number): number {
  const u = SQRT_2_OVER_PI * (v + GELU_CUBIC * v * v * v);
  return v * logistic(2 * u);
}

// d/dx x·Φ(x) = Φ(x) + x·φ(x),  φ(x) = e^(−x²/2)/√(2π)
function geluExactBackward(grad: Tensor, x: Tensor): Tensor {
  const cdf = erf(x.mul(Math.SQRT1_2)).add(1).mul(0.5);
  const pdf = x.square().mul(-0.5).exp().mul(INV_SQRT_2PI);
  return grad.mul(cdf.add(x.mul(pdf)));
}

// d/dx x/2·(1 + tanh u) = (1 + tanh u)/2 + x/2·(1 − tanh²u)·u',  u = √(2/π)(x + 0.044715x³),  u' = √(2/π)(1 + 3·0.044715x²)
function geluTanhBackward(grad: Tensor, x: Tensor): Tensor {
  const inner = x.add(x.pow(3).mul(GELU_CUBIC)).mul(SQRT_2_OVER_PI);
  const t = inner.tanh();
  const innerSlope = x.square().mul(3 * GELU_CUBIC).add(1).mul(SQRT_2_OVER_PI);
  const slope = t.add(1).mul(0.5).add(x.mul(0.5).mul(sub(1, t.square())).mul(innerSlope));
  return grad.mul(slope);
}

// d/dx gelu(x) = Φ(x) + x·φ(x) for the exact form (tanh form: see geluTanhBackward)
const geluOp = defineOp<{ approximate: GeluApproximation }>({
  name: "gelu",
  forward: ([x], { approximate }) => map(x!, approximate === "tanh" ? geluTanh : geluExact),
  backward: (grad, ctx) => [
    ctx.args.approximate === "tanh" ? geluTanhBackward(grad, ctx.input(0)) : geluExactBackward(grad, ctx.input(0)),
  ],
  gradcheck: [
    { inputs: [[3, 4]], args: { approximate: "none" }, secondOrder: true },
    { inputs: [[3, 4]], args: { approximate: "tanh" }, secondOrder: true },
    { inputs: [[2, 3, 2]], args: { approximate: "none" } },
  ],
});

/**
 * The Gaussian error linear unit x·Φ(x) (Φ: the standard normal CDF), or with
 * { approximate: "tanh" } the tanh approximation used by GPT-2, as in PyTorch.
 */
export function gelu(x: Tensor, options: { approximate?: GeluApproximation } = {}): Tensor {
  const approximate = options.approximate ?? "none";
  if (approximate !== "none" && approximate !== "tanh") {
    throw new Error(`gelu: approximate must be "none" or "tanh", got ${JSON.stringify(approximate)}`);
  }
  requireFloating("gelu", x);
  return geluOp.apply([x], { approximate });
}

// d/dx x·σ(x) = σ(x)·(1 + x·(1 − σ(x)))
const siluOp = defineOp({
  name: "silu",
  forward: ([x]) => map(x!, (v) => v * logistic(v)),
  backward: (grad, ctx) => {
    const x = ctx.input(0);
    const s = x.sigmoid();
    return [grad.mul(s.mul(x.mul(sub(1, s)).add(1)))];
  },
  gradcheck: [{ inputs: [[3, 4]], secondOrder: true }, { inputs: [[2, 3, 2]] }],
});

/** The sigmoid linear unit x·σ(x), also called swish. */
export function silu(x: Tensor): Tensor {
  requireFloating("silu", x);
  return siluOp.apply([x], undefined);
}

interface SoftplusArgs { beta: number; threshold: number }

// softplus(x) = ln(1 + e^(βx))/β, or x where βx > threshold;  d/dx = σ(βx), or 1 where βx > threshold
const softplusOp = defineOp<SoftplusArgs>({
  name: "softplus",
  forward: ([x], { beta, threshold }) => map(x!, (v) => (v * beta > threshold ? v : softplusOf(v * beta) / beta)),
  backward: (grad, ctx) => {
    const scaled = ctx.input(0).mul(ctx.args.beta);
    return [where(scaled.gt(ctx.args.threshold), grad, grad.mul(scaled.sigmoid()))];
  },
  gradcheck: [
    { inputs: [[3, 4]], args: { beta: 1, threshold: 20 }, secondOrder: true },
    // With threshold 1 some inputs take the linear branch (βx > 1), some the smooth one.
    { inputs: [[2, 3, 2]], args: { beta: 2, threshold: 1 }, secondOrder: true },
  ],
});

/**
 * A smooth relu, ln(1 + e^(βx))/β; where βx > threshold it returns x itself
 * (the two then agree to within e^(−threshold)), as PyTorch does. Defaults β = 1, threshold = 20.
 */
export function softplus(x: Tensor, options: { beta?: number; threshold?: number } = {}): Tensor {
  requireFloating("softplus", x);
  return softplusOp.apply([x], { beta: options.beta ?? 1, threshold: options.threshold ?? 20 });
}

interface HardtanhArgs { minVal: number; maxVal: number }

// hardtanh(x) = min(max(x, minVal), maxVal);  d/dx = 1 strictly inside (minVal, maxVal), else 0 (0 on the bounds, as in PyTorch)
const hardtanhOp = defineOp<HardtanhArgs>({
  name: "hardtanh",
  forward: ([x], { minVal, maxVal }) => map(x!, (v) => Math.min(Math.max(v, minVal), maxVal)),
  backward: (grad, ctx) => {
    const x = ctx.input(0);
    const { minVal, maxVal } = ctx.args;
    return [where(x.le(minVal).logicalOr(x.ge(maxVal)), 0, grad)];
  },
  // N(0, 1) inputs land within finite-difference reach of the bounds with negligible probability.
  gradcheck: [
    { inputs: [[3, 4]], args: { minVal: -1, maxVal: 1 }, secondOrder: true },
    { inputs: [[2, 3, 2]], args: { minVal: -0.5, maxVal: 2 } },
  ],
});

/**
 * Clamps to [minVal, maxVal] (default [−1, 1]); float or int32. Like PyTorch,
 * minVal > maxVal is not an error: every element then becomes maxVal.
 */
export function hardtanh(x: Tensor, minVal = -1, maxVal = 1): Tensor {
  rejectBool("hardtanh", x);
  return hardtanhOp.apply([x], { minVal, maxVal });
}

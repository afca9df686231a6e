// Checking gradients by finite differences.
//
// For a function f and a random upstream gradient v, autograd computes
// (∂f/∂x)ᵀ·v. The same quantity, element by element, is the derivative of the
// scalar s(x) = Σ f(x)·v, which central differences estimate:
//
//   ∂s/∂x_i ≈ (s(x + eps·e_i) − s(x − eps·e_i)) / (2·eps)      error O(eps²)
//
// In float64 with eps = 1e-6 the two agree to about 1e-8 for smooth functions.

import { grad as autogradGrad } from "./autograd.ts";
import { randn } from "./creation.ts";
import { withGradMode } from "./grad-mode.ts";
import { Generator } from "./random.ts";
import { formatShape, unravel } from "./shape.ts";
import type { Tensor } from "./tensor.ts";

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Named in the failure message (defaults to the output's grad_fn name). */
  name?: string;
  /** Seed for the random upstream gradient. */
  seed?: number;
}

/** The function's outputs as a list, whether it returned one tensor or several. */
function outputsOf(result: Tensor | Tensor[]): Tensor[] {
  return Array.isArray(result) ? result : [result];
}

function storageIndexOf(t: Tensor, i: number): number {
  return unravel(i, t.shape).reduce((p, idx, d) => p + idx * t.strides[d]!, t.offset);
}

function checkInputs(op: string, inputs: Tensor[]): void {
  inputs.forEach((t, i) => {
    if (!t.requiresGrad) return;
    if (t.dtype !== "float64") {
      throw new Error(`${op}: input ${i} is ${t.dtype}; finite differences need float64 (use .double() or { dtype: "float64" })`);
    }
    if (t.shape.some((size, d) => size > 1 && t.strides[d] === 0)) {
      throw new Error(`${op}: input ${i} (shape ${formatShape(t.shape)}) is an expanded view whose elements share memory; ` +
        `pass the unexpanded tensor and expand inside fn`);
    }
  });
}

/** Σ_k ⟨outputs_k, v_k⟩ as a plain number, computed without recording a graph. */
function weightedSum(outputs: Tensor[], upstream: Tensor[]): number {
  let total = 0;
  outputs.forEach((out, k) => {
    const a = out.toTypedArray();
    const b = upstream[k]!.toTypedArray();
    for (let i = 0; i < a.length; i++) total += a[i]! * b[i]!;
  });
  return total;
}

/**
 * Compares autograd's gradients of `fn` at `inputs` with central differences.
 * Inputs that require grad must be float64. Returns true, or throws an error
 * naming the op, the input, the worst element, both values and the relative error.
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor | Tensor[], inputs: Tensor[], options: GradcheckOptions = {}): true {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, seed = 0 } = options;
  const first = withGradMode(true, () => outputsOf(fn(...inputs)));
  const name = options.name ?? first[0]?.gradFn?.name ?? "function";
  const label = `gradcheck(${name})`;
  checkInputs(label, inputs);
  const generator = new Generator(seed);
  const upstream = first.map((out) => randn(out.shape, { dtype: "float64", generator }));

  const differentiable = inputs.filter((t) => t.requiresGrad);
  if (differentiable.length === 0) throw new Error(`${label}: no input requires grad, so there is nothing to check`);
  // Outputs outside the graph have a zero analytic gradient (e.g. the second derivative of a linear op);
  // the finite differences then have to come out zero too.
  const usable = first.map((out, k) => ({ out, v: upstream[k]! })).filter(({ out }) => out.requiresGrad);
  const analytic = usable.length === 0
    ? differentiable.map(() => null)
    : autogradGrad(usable.map((u) => u.out), differentiable, usable.map((u) => u.v), { allowUnused: true });

  for (const [k, input] of differentiable.entries()) {
    const data = input.storage.data;
    const computed = analytic[k]?.toTypedArray();
    let worst = { index: -1, analytic: 0, numeric: 0, excess: 0 };
    for (let i = 0; i < input.numel(); i++) {
      const p = storageIndexOf(input, i);
      const original = data[p]!;
      data[p] = original + eps;
      const plus = withGradMode(false, () => weightedSum(outputsOf(fn(...inputs)), upstream));
      data[p] = original - eps;
      const minus = withGradMode(false, () => weightedSum(outputsOf(fn(...inputs)), upstream));
      data[p] = original;
      const numeric = (plus - minus) / (2 * eps);
      const value = computed ? computed[i]! : 0;
      const excess = Math.abs(value - numeric) - (atol + rtol * Math.abs(numeric));
      if (!(excess <= worst.excess) || worst.index < 0) worst = { index: i, analytic: value, numeric, excess };
    }
    if (worst.index >= 0 && !(worst.excess <= 0)) {
      const where = unravel(worst.index, input.shape);
      const relative = Math.abs(worst.analytic - worst.numeric) / Math.max(Math.abs(worst.numeric), 1e-12);
      throw new Error(
        `${label}: gradient of input ${inputs.indexOf(input)} (shape ${formatShape(input.shape)}) is wrong at index ` +
          `[${where.join(", ")}]: analytic ${worst.analytic}, numeric ${worst.numeric}, relative error ${relative.toExponential(2)} ` +
          `(allowed: atol ${atol} + rtol ${rtol}·|numeric|)`,
      );
    }
  }
  return true;
}

/**
 * Checks second derivatives: gradcheck applied to the function that maps the
 * inputs to their (createGraph) gradients of Σ fn(inputs)·v.
 */
export function gradgradcheck(fn: (...inputs: Tensor[]) => Tensor | Tensor[], inputs: Tensor[], options: GradcheckOptions = {}): true {
  const first = withGradMode(true, () => outputsOf(fn(...inputs)));
  const name = options.name ?? first[0]?.gradFn?.name ?? "function";
  const generator = new Generator((options.seed ?? 0) + 1);
  const upstream = first.map((out) => randn(out.shape, { dtype: "float64", generator }));
  const firstDerivative = (...xs: Tensor[]): Tensor[] =>
    withGradMode(true, () => {
      const outs = outputsOf(fn(...xs));
      const used = outs.map((out, k) => ({ out, v: upstream[k]! })).filter(({ out }) => out.requiresGrad);
      const wrt = xs.filter((t) => t.requiresGrad);
      const grads = autogradGrad(used.map((u) => u.out), wrt, used.map((u) => u.v), { createGraph: true, allowUnused: true });
      // An unused input has a zero gradient; keep it in the graph so shapes line up.
      return grads.map((g, i) => g ?? wrt[i]!.mul(0));
    });
  return gradcheck(firstDerivative, inputs, { ...options, name: `${name} (second order)` });
}

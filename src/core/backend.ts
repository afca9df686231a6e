// The kernels behind the heavy ops, swappable.
//
// src/core ships readable reference kernels that run anywhere (a browser
// included). On Node, src/parallel installs faster kernels that run on a pool
// of worker threads; they compute exactly the same function and are tested
// against these references. Ops call `backend.matmul(...)`, never a kernel directly.

import type { TypedArray } from "./dtype.ts";
import {
  conv2dBackwardInputReference, conv2dBackwardWeightReference, conv2dForwardReference, type Conv2dProblem,
} from "./conv-kernel.ts";
import { matmulReference, type MatmulProblem } from "./matmul-kernel.ts";

export interface Backend {
  /** Human-readable name, for benchmarks and error messages. */
  name: string;
  /** out = A·B for a batch of strided matrices (see MatmulProblem). */
  matmul(problem: MatmulProblem): void;
  /** out[N, Cout, oH, oW] = conv2d(input[N, Cin, H, W], weight[Cout, Cin/groups, kH, kW]); all contiguous, no bias. */
  conv2dForward(problem: Conv2dProblem, input: TypedArray, weight: TypedArray, out: TypedArray): void;
  /** gradInput[N, Cin, H, W] = ∂(Σ out·gradOut)/∂input, overwritten. */
  conv2dBackwardInput(problem: Conv2dProblem, gradOut: TypedArray, weight: TypedArray, gradInput: TypedArray): void;
  /** gradWeight[Cout, Cin/groups, kH, kW] = ∂(Σ out·gradOut)/∂weight, overwritten. */
  conv2dBackwardWeight(problem: Conv2dProblem, gradOut: TypedArray, input: TypedArray, gradWeight: TypedArray): void;
}

export const referenceBackend: Backend = {
  name: "reference",
  matmul: matmulReference,
  conv2dForward: conv2dForwardReference,
  conv2dBackwardInput: conv2dBackwardInputReference,
  conv2dBackwardWeight: conv2dBackwardWeightReference,
};

/** The kernels ops use right now. */
export let backend: Backend = referenceBackend;

/** Replaces some or all kernels (e.g. with parallel ones); returns the previous backend so it can be restored. */
export function setBackend(kernels: Partial<Backend>): Backend {
  const previous = backend;
  backend = { ...backend, ...kernels };
  return previous;
}

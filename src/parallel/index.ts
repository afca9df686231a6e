// src/parallel: the fast kernels on a pool of worker threads, as a backend for src/core.
//
// Importing gradschool on Node installs this backend (src/index.ts does), so
// a.matmul(b) and conv2d run here. setNumThreads(n) or the environment
// variable GRADSCHOOL_THREADS choose how many threads (1 = no workers).

import type { Backend } from "../core/backend.ts";
import { conv2dBackwardInputFast, conv2dBackwardWeightFast, conv2dForwardFast } from "./conv.ts";
import { matmulParallel } from "./matmul.ts";
import { getPool } from "./threads.ts";

export const parallelBackend: Backend = {
  name: "parallel",
  matmul: (problem) => matmulParallel(problem, getPool()),
  conv2dForward: (problem, input, weight, out) => conv2dForwardFast(problem, input, weight, out, getPool()),
  conv2dBackwardInput: (problem, gradOut, weight, gradInput) => conv2dBackwardInputFast(problem, gradOut, weight, gradInput, getPool()),
  conv2dBackwardWeight: (problem, gradOut, input, gradWeight) => conv2dBackwardWeightFast(problem, gradOut, input, gradWeight, getPool()),
};

export { getNumThreads, setNumThreads } from "./threads.ts";

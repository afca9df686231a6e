// The fast conv2d kernels (im2col + packed GEMM on the pool) against the
// readable reference kernels of src/core, on every option, and bitwise
// identical results for 1, 2 and 3 threads.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import {
  conv2dBackwardInputReference, conv2dBackwardWeightReference, conv2dForwardReference, convOutputSize, conv2dSizes, type Conv2dProblem,
} from "../../src/core/conv-kernel.ts";
import { Generator } from "../../src/core/random.ts";
import { conv2dBackwardInputFast, conv2dBackwardWeightFast, conv2dForwardFast } from "../../src/parallel/conv.ts";
import { WorkerPool } from "../../src/parallel/pool.ts";
import { SerialRunner, type TaskRunner } from "../../src/parallel/runner.ts";

function problem(options: Partial<Conv2dProblem> & Pick<Conv2dProblem, "batch" | "inChannels" | "outChannels" | "inHeight" | "inWidth" | "kernelHeight" | "kernelWidth">): Conv2dProblem {
  const p = { groups: 1, strideH: 1, strideW: 1, padH: 0, padW: 0, dilationH: 1, dilationW: 1, outHeight: 0, outWidth: 0, ...options };
  p.outHeight = convOutputSize(p.inHeight, p.kernelHeight, p.strideH, p.padH, p.dilationH);
  p.outWidth = convOutputSize(p.inWidth, p.kernelWidth, p.strideW, p.padW, p.dilationW);
  return p;
}

const CASES: [string, Conv2dProblem][] = [
  ["plain 3×3", problem({ batch: 2, inChannels: 3, outChannels: 4, inHeight: 7, inWidth: 6, kernelHeight: 3, kernelWidth: 3 })],
  ["1×1 image, 1×1 kernel", problem({ batch: 1, inChannels: 1, outChannels: 1, inHeight: 1, inWidth: 1, kernelHeight: 1, kernelWidth: 1 })],
  ["stride 2, padding 1", problem({ batch: 3, inChannels: 2, outChannels: 5, inHeight: 9, inWidth: 8, kernelHeight: 3, kernelWidth: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 })],
  ["dilation 2, non-square kernel", problem({ batch: 2, inChannels: 2, outChannels: 3, inHeight: 11, inWidth: 10, kernelHeight: 3, kernelWidth: 2, dilationH: 2, dilationW: 3 })],
  ["groups 2", problem({ batch: 2, inChannels: 4, outChannels: 6, inHeight: 6, inWidth: 7, kernelHeight: 3, kernelWidth: 3, groups: 2, padH: 1, padW: 2 })],
  ["depthwise", problem({ batch: 2, inChannels: 5, outChannels: 5, inHeight: 8, inWidth: 8, kernelHeight: 3, kernelWidth: 3, groups: 5, padH: 1, padW: 1 })],
  ["depthwise ×2 filters, stride (2, 1)", problem({ batch: 1, inChannels: 3, outChannels: 6, inHeight: 9, inWidth: 7, kernelHeight: 2, kernelWidth: 3, groups: 3, strideH: 2 })],
  ["conv1d-like (height 1)", problem({ batch: 2, inChannels: 3, outChannels: 4, inHeight: 1, inWidth: 17, kernelHeight: 1, kernelWidth: 5, padW: 2 })],
  ["prime sizes", problem({ batch: 3, inChannels: 7, outChannels: 11, inHeight: 13, inWidth: 5, kernelHeight: 5, kernelWidth: 3, padH: 2 })],
  ["LeNet first layer (batch 4)", problem({ batch: 4, inChannels: 1, outChannels: 16, inHeight: 28, inWidth: 28, kernelHeight: 5, kernelWidth: 5 })],
];

function randomArray(length: number, g: Generator, float32: boolean): Float64Array | Float32Array {
  const out = float32 ? new Float32Array(length) : new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = g.normal();
  return out;
}

/** Runs the three kernels of both implementations on the same random data. */
function runBoth(p: Conv2dProblem, runner: TaskRunner, float32: boolean, seed = 7) {
  const g = new Generator(seed);
  const sizes = conv2dSizes(p);
  const make = (n: number) => (float32 ? new Float32Array(n) : new Float64Array(n));
  const input = randomArray(sizes.input, g, float32);
  const weight = randomArray(sizes.weight, g, float32);
  const gradOut = randomArray(sizes.output, g, float32);
  const reference = { out: make(sizes.output), gradInput: make(sizes.input), gradWeight: make(sizes.weight) };
  const fast = { out: make(sizes.output), gradInput: make(sizes.input), gradWeight: make(sizes.weight) };
  conv2dForwardReference(p, input, weight, reference.out);
  conv2dBackwardInputReference(p, gradOut, weight, reference.gradInput);
  conv2dBackwardWeightReference(p, gradOut, input, reference.gradWeight);
  conv2dForwardFast(p, input, weight, fast.out, runner);
  conv2dBackwardInputFast(p, gradOut, weight, fast.gradInput, runner);
  conv2dBackwardWeightFast(p, gradOut, input, fast.gradWeight, runner);
  return { reference, fast };
}

function assertClose(name: string, actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number): void {
  assert.equal(actual.length, expected.length, name);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i]! - expected[i]!);
    assert.ok(error <= rtol * Math.max(Math.abs(expected[i]!), scale * 1e-3), `${name}[${i}]: fast ${actual[i]}, reference ${expected[i]}`);
  }
}

const pool = new WorkerPool(2);
after(() => pool.close());

describe("fast conv2d equals the reference kernels", () => {
  for (const [name, p] of CASES) {
    test(`${name}: float64, within 1e-12 relative`, () => {
      for (const runner of [new SerialRunner(), pool]) {
        const { reference, fast } = runBoth(p, runner, false);
        assertClose("forward", fast.out, reference.out, 1e-12);
        assertClose("gradInput", fast.gradInput, reference.gradInput, 1e-12);
        assertClose("gradWeight", fast.gradWeight, reference.gradWeight, 1e-12);
      }
    });

    // Both sides accumulate in doubles and round once to float32, so they differ by at most a rounding or two.
    test(`${name}: float32, within 1e-6 relative`, () => {
      const { reference, fast } = runBoth(p, pool, true);
      assertClose("forward", fast.out, reference.out, 1e-6);
      assertClose("gradInput", fast.gradInput, reference.gradInput, 1e-6);
      assertClose("gradWeight", fast.gradWeight, reference.gradWeight, 1e-6);
    });
  }
});

describe("thread count does not change a single bit", () => {
  test("conv2d forward and both backward kernels on 1, 2 and 3 threads", () => {
    // Large enough that each product is split into many tasks (at least 2¹⁸ flops each), so workers really share the work.
    const p = problem({ batch: 16, inChannels: 16, outChannels: 32, inHeight: 12, inWidth: 12, kernelHeight: 3, kernelWidth: 3, padH: 1, padW: 1, groups: 2 });
    const three = new WorkerPool(3);
    try {
      const results = [new SerialRunner(), pool, three].map((runner) => runBoth(p, runner, true).fast);
      for (const key of ["out", "gradInput", "gradWeight"] as const) {
        assert.deepEqual(results[1]![key], results[0]![key], `${key}: 2 threads vs 1`);
        assert.deepEqual(results[2]![key], results[0]![key], `${key}: 3 threads vs 1`);
      }
    } finally {
      three.close();
    }
  });
});

// Timing the parallel kernels at different thread counts.
//
// A matrix product C = A·B with A [M, K] and B [K, N] does M·N·K multiply-adds,
// 2·M·N·K FLOPs; GFLOP/s = 2·M·N·K / seconds / 10⁹. src/parallel splits the
// rows of C between the threads; each thread computes its rows in the same
// order whatever the thread count, so the results are bitwise identical.

import { conv2d, getNumThreads, randn, setNumThreads, type Tensor } from "../../src/index.ts";

export interface KernelTiming {
  threads: number;
  /** The best of several runs, in seconds: the least disturbed by other programs. */
  seconds: number;
  gflops: number;
  /** Whether the result equals the one-thread result bit for bit. */
  identical: boolean;
}

/** Times `compute` (which does `flops` FLOPs) at each thread count; the best of `repeats` runs. */
export function timeAtThreadCounts(threadCounts: readonly number[], flops: number, repeats: number, compute: () => Tensor): KernelTiming[] {
  const before = getNumThreads();
  let reference: Uint8Array | null = null;
  const timings = threadCounts.map((threads) => {
    setNumThreads(threads);
    let result = compute(); // a warm-up run: starts the workers, fills the caches
    let best = Infinity;
    for (let r = 0; r < repeats; r++) {
      const started = performance.now();
      result = compute();
      best = Math.min(best, (performance.now() - started) / 1000);
    }
    const values = result.contiguous().toTypedArray();
    const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
    reference ??= bytes;
    return { threads, seconds: best, gflops: flops / best / 1e9, identical: sameBytes(bytes, reference) };
  });
  setNumThreads(before);
  return timings;
}

/** Square matrix products n×n·n×n in float32. */
export function timeMatmul(n: number, threadCounts: readonly number[], repeats: number): KernelTiming[] {
  const a = randn([n, n]), b = randn([n, n]);
  return timeAtThreadCounts(threadCounts, 2 * n * n * n, repeats, () => a.matmul(b));
}

/** A 3×3 convolution, padding 1: [batch, cIn, side, side] → [batch, cOut, side, side]. */
export function timeConv2d(batch: number, cIn: number, cOut: number, side: number, threadCounts: readonly number[], repeats: number): KernelTiming[] {
  const input = randn([batch, cIn, side, side]), weight = randn([cOut, cIn, 3, 3]);
  const flops = 2 * batch * cOut * side * side * cIn * 9;
  return timeAtThreadCounts(threadCounts, flops, repeats, () => conv2d(input, weight, null, { padding: 1 }));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

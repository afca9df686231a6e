// `npm run bench`: how fast the kernels are, each beside a naive baseline
// measured in the same run. Prints a table and writes bench/results/latest.json.
//
//   npm run bench                 everything
//   npm run bench -- --quick      smaller sizes, fewer repeats (a smoke run)
//
// Each timing is the best of several repeats after a warm-up: on a shared,
// noisy machine the fastest run is the one least disturbed by other work, so
// it measures the kernel rather than the neighbours. Compare ratios from one
// run, not numbers across runs.

import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { allocate, type DType } from "../src/core/dtype.ts";
import { matmulReference, type MatmulProblem } from "../src/core/matmul-kernel.ts";
import { referenceBackend, setBackend } from "../src/core/backend.ts";
import { conv2d, manualSeed, randn, type Tensor } from "../src/index.ts";
import { matmulParallel } from "../src/parallel/matmul.ts";
import { getPool, setNumThreads } from "../src/parallel/threads.ts";
import { parallelBackend } from "../src/parallel/index.ts";
import { makeMlpStep } from "./mlp-step.ts";
import { naiveMatmul } from "./naive.ts";

const quick = process.argv.includes("--quick");
const repeats = quick ? 3 : 7;
const maxThreads = Math.max(2, availableParallelism());

/** Best wall time in ms of `fn` over at least `minRepeats` runs (more for short ones, up to ~300 ms), after one warm-up run. */
function timeMs(fn: () => void, minRepeats = repeats): number {
  fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRepeats || (performance.now() - start < 300 && times.length < 50)) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return Math.min(...times);
}

function squareProblem(n: number, dtype: DType = "float32"): MatmulProblem {
  const a = allocate(dtype, n * n);
  const b = allocate(dtype, n * n);
  for (let i = 0; i < n * n; i++) {
    a[i] = Math.sin(i);
    b[i] = Math.cos(i);
  }
  const matrix = (data: typeof a) => ({ data, offset: 0, batchStrides: [], rowStride: n, colStride: 1 });
  return { batchShape: [], m: n, k: n, n, a: matrix(a), b: matrix(b), out: allocate(dtype, n * n) };
}

interface Row { benchmark: string; variant: string; threads: number; ms: number; gflops?: number; ratio: number }
const rows: Row[] = [];

function record(benchmark: string, variant: string, threads: number, ms: number, flops: number | null, baselineMs: number): void {
  const row: Row = { benchmark, variant, threads, ms, ratio: baselineMs / ms };
  if (flops !== null) row.gflops = flops / ms / 1e6;
  rows.push(row);
  const gf = row.gflops === undefined ? "" : `${row.gflops.toFixed(2).padStart(7)} GFLOP/s`;
  console.log(`${benchmark.padEnd(34)} ${variant.padEnd(20)} ${String(threads).padStart(2)} thr ${ms.toFixed(2).padStart(9)} ms ${gf.padEnd(16)} ${row.ratio.toFixed(1).padStart(6)}× naive`);
}

function benchMatmul(): void {
  for (const n of quick ? [128, 256] : [128, 256, 512, 1024]) {
    const label = `matmul ${n}×${n}·${n}×${n} fp32`;
    const flops = 2 * n * n * n;
    const problem = squareProblem(n);
    const naiveMs = timeMs(() => naiveMatmul(problem.a.data as Float32Array, problem.b.data as Float32Array, problem.out as Float32Array, n), n >= 1024 ? 2 : repeats);
    record(label, "naive i-j-k", 1, naiveMs, flops, naiveMs);
    record(label, "reference kernel", 1, timeMs(() => matmulReference(problem)), flops, naiveMs);
    for (let threads = 1; threads <= maxThreads; threads++) {
      setNumThreads(threads);
      record(label, "fast kernel", threads, timeMs(() => matmulParallel(problem, getPool())), flops, naiveMs);
    }
  }
}

function convFlops(w: Tensor, out: Tensor): number {
  const [, cinPerGroup, kh, kw] = w.shape as number[];
  return 2 * out.numel() * cinPerGroup! * kh! * kw!;
}

function benchConv(): void {
  const configs = [
    { name: "conv2d N32 C1 28×28, 16 5×5", x: [32, 1, 28, 28], w: [16, 1, 5, 5], padding: 0 },
    { name: "conv2d N32 C16 12×12, 32 3×3 p1", x: [32, 16, 12, 12], w: [32, 16, 3, 3], padding: 1 },
  ];
  for (const config of configs) {
    manualSeed(0);
    const x = randn(config.x, { requiresGrad: true });
    const w = randn(config.w, { requiresGrad: true });
    const forward = () => conv2d(x, w, null, { padding: config.padding });
    const forwardBackward = () => {
      x.grad = null;
      w.grad = null;
      forward().sum().backward();
    };
    const flops = convFlops(w, forward());
    setBackend(referenceBackend);
    const naiveForward = timeMs(forward);
    const naiveBoth = timeMs(forwardBackward);
    record(`${config.name} forward`, "reference (direct)", 1, naiveForward, flops, naiveForward);
    record(`${config.name} fwd+bwd`, "reference (direct)", 1, naiveBoth, 3 * flops, naiveBoth);
    setBackend(parallelBackend);
    for (let threads = 1; threads <= maxThreads; threads++) {
      setNumThreads(threads);
      record(`${config.name} forward`, "im2col + fast GEMM", threads, timeMs(forward), flops, naiveForward);
      record(`${config.name} fwd+bwd`, "im2col + fast GEMM", threads, timeMs(forwardBackward), 3 * flops, naiveBoth);
    }
  }
}

function benchMlp(): void {
  const label = "MLP 784-256-128-10 step, batch 128";
  const mlp = makeMlpStep();
  setBackend(referenceBackend);
  const baseline = timeMs(() => mlp.step());
  record(label, "reference kernels", 1, baseline, null, baseline);
  setBackend(parallelBackend);
  for (let threads = 1; threads <= maxThreads; threads++) {
    setNumThreads(threads);
    record(label, "fast kernels", threads, timeMs(() => mlp.step()), null, baseline);
  }
}

console.log(`gradschool benchmark: node ${process.version}, ${availableParallelism()} cores${quick ? ", quick" : ""}\n`);
benchMatmul();
benchConv();
benchMlp();
setBackend(parallelBackend);

const out = join(dirname(fileURLToPath(import.meta.url)), "results", "latest.json");
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify({ node: process.version, cores: availableParallelism(), quick, date: new Date().toISOString(), rows }, null, 2));
console.log(`\nwrote ${out}`);

// One-thread speed of the matrix-multiply kernels, in GFLOP/s (2·m·n·k per product).
//
//   npx tsx bench/gemm-single.ts               square fp32 products, n = 128 … 1024
//   npx tsx bench/gemm-single.ts --panels      also: the micro-kernel on Float64 vs Float32 panels
//   npx tsx bench/gemm-single.ts --crossover   small products: where the packed kernel starts to beat the reference
//
// Each figure is the best of several runs: on a shared, noisy machine the
// fastest run is the one least disturbed by others. On the 2-core development
// VM a whole process (or worker thread) sometimes runs every memory-bound loop
// about 1.6 times slower for its whole life, the naive loop and the reference
// as much as the packed kernel: compare figures from one run, and run again
// for absolute numbers. Nothing here is asserted; the tests check correctness,
// this file only measures.

import { allocate, type DType } from "../src/core/dtype.ts";
import { matmulReference, type MatmulProblem } from "../src/core/matmul-kernel.ts";
import { PACKED_MATMUL_MIN_FLOPS, PACKED_MATMUL_MIN_SIDE, matmulPacked, matmulParallel } from "../src/parallel/matmul.ts";
import { SerialRunner } from "../src/parallel/runner.ts";
import { naiveMatmul } from "./naive.ts";

/** Best (shortest) wall time in ms of `fn`: repeated until `budgetMs` has passed, at least `minRuns` times, after a warm-up. */
function bestMs(fn: () => void, budgetMs = 600, minRuns = 3): number {
  fn();
  let best = Infinity;
  const start = performance.now();
  for (let runs = 0; runs < minRuns || performance.now() - start < budgetMs; runs++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const gflops = (flops: number, ms: number) => flops / ms / 1e6;

/** An m×k by k×n product of contiguous matrices filled with smooth, non-trivial values. */
function problemOf(m: number, k: number, n: number, dtype: DType = "float32"): MatmulProblem {
  const a = allocate(dtype, m * k);
  const b = allocate(dtype, k * n);
  for (let i = 0; i < a.length; i++) a[i] = Math.sin(i);
  for (let i = 0; i < b.length; i++) b[i] = Math.cos(i);
  return {
    batchShape: [], m, k, n,
    a: { data: a, offset: 0, batchStrides: [], rowStride: k, colStride: 1 },
    b: { data: b, offset: 0, batchStrides: [], rowStride: n, colStride: 1 },
    out: allocate(dtype, m * n),
  };
}

function squareProducts(): void {
  const runner = new SerialRunner();
  console.log("square fp32 products, one thread (GFLOP/s, best run)");
  console.log(`${"n".padStart(6)} ${"naive i-j-k".padStart(12)} ${"reference".padStart(12)} ${"packed".padStart(12)} ${"packed/naive".padStart(13)}`);
  for (const n of [128, 256, 512, 1024]) {
    const flops = 2 * n ** 3;
    const problem = problemOf(n, n, n);
    const naive = gflops(flops, bestMs(() => naiveMatmul(
      problem.a.data as Float32Array, problem.b.data as Float32Array, problem.out as Float32Array, n), n >= 1024 ? 0 : 600, 1));
    const reference = gflops(flops, bestMs(() => matmulReference(problem), 600, n >= 1024 ? 2 : 3));
    const packed = gflops(flops, bestMs(() => matmulParallel(problem, runner), 1500, 3));
    console.log(`${String(n).padStart(6)} ${naive.toFixed(2).padStart(12)} ${reference.toFixed(2).padStart(12)} ${packed.toFixed(2).padStart(12)} ${(packed / naive).toFixed(1).padStart(12)}×`);
  }
}

// ── Float64 vs Float32 panels ───────────────────────────────────────────────
// gemm.js keeps its panels in Float64Array. To see whether Float32Array panels
// (half the memory traffic) would be faster, the same 4×8 micro-kernel is
// written here twice, once per panel type (two functions, so that V8 compiles
// each for a single array type), and run over the same blocking (KC = 256)
// on n×n operands already packed. C is a Float64Array in both.

/** The 4×8 micro-kernel of gemm.js (same loop, same shape), over Float64Array panels. */
function tile64(a: Float64Array, b: Float64Array, c: Float64Array, aStart: number, bStart: number, cStart: number, ldc: number, steps: number): void {
  let row = cStart;
  let c00 = c[row]!, c01 = c[row + 1]!, c02 = c[row + 2]!, c03 = c[row + 3]!, c04 = c[row + 4]!, c05 = c[row + 5]!, c06 = c[row + 6]!, c07 = c[row + 7]!;
  row += ldc;
  let c10 = c[row]!, c11 = c[row + 1]!, c12 = c[row + 2]!, c13 = c[row + 3]!, c14 = c[row + 4]!, c15 = c[row + 5]!, c16 = c[row + 6]!, c17 = c[row + 7]!;
  row += ldc;
  let c20 = c[row]!, c21 = c[row + 1]!, c22 = c[row + 2]!, c23 = c[row + 3]!, c24 = c[row + 4]!, c25 = c[row + 5]!, c26 = c[row + 6]!, c27 = c[row + 7]!;
  row += ldc;
  let c30 = c[row]!, c31 = c[row + 1]!, c32 = c[row + 2]!, c33 = c[row + 3]!, c34 = c[row + 4]!, c35 = c[row + 5]!, c36 = c[row + 6]!, c37 = c[row + 7]!;
  for (let p = 0, ai = aStart, bi = bStart; p < steps; p++, ai += 4, bi += 8) {
    const a0 = a[ai]!, a1 = a[ai + 1]!, a2 = a[ai + 2]!, a3 = a[ai + 3]!;
    const b0 = b[bi]!, b1 = b[bi + 1]!, b2 = b[bi + 2]!, b3 = b[bi + 3]!, b4 = b[bi + 4]!, b5 = b[bi + 5]!, b6 = b[bi + 6]!, b7 = b[bi + 7]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3; c04 += a0 * b4; c05 += a0 * b5; c06 += a0 * b6; c07 += a0 * b7;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3; c14 += a1 * b4; c15 += a1 * b5; c16 += a1 * b6; c17 += a1 * b7;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3; c24 += a2 * b4; c25 += a2 * b5; c26 += a2 * b6; c27 += a2 * b7;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3; c34 += a3 * b4; c35 += a3 * b5; c36 += a3 * b6; c37 += a3 * b7;
  }
  row = cStart;
  c[row] = c00; c[row + 1] = c01; c[row + 2] = c02; c[row + 3] = c03; c[row + 4] = c04; c[row + 5] = c05; c[row + 6] = c06; c[row + 7] = c07;
  row += ldc;
  c[row] = c10; c[row + 1] = c11; c[row + 2] = c12; c[row + 3] = c13; c[row + 4] = c14; c[row + 5] = c15; c[row + 6] = c16; c[row + 7] = c17;
  row += ldc;
  c[row] = c20; c[row + 1] = c21; c[row + 2] = c22; c[row + 3] = c23; c[row + 4] = c24; c[row + 5] = c25; c[row + 6] = c26; c[row + 7] = c27;
  row += ldc;
  c[row] = c30; c[row + 1] = c31; c[row + 2] = c32; c[row + 3] = c33; c[row + 4] = c34; c[row + 5] = c35; c[row + 6] = c36; c[row + 7] = c37;
}

/** tile64 over Float32Array panels; the body is the same, line for line. */
function tile32(a: Float32Array, b: Float32Array, c: Float64Array, aStart: number, bStart: number, cStart: number, ldc: number, steps: number): void {
  let row = cStart;
  let c00 = c[row]!, c01 = c[row + 1]!, c02 = c[row + 2]!, c03 = c[row + 3]!, c04 = c[row + 4]!, c05 = c[row + 5]!, c06 = c[row + 6]!, c07 = c[row + 7]!;
  row += ldc;
  let c10 = c[row]!, c11 = c[row + 1]!, c12 = c[row + 2]!, c13 = c[row + 3]!, c14 = c[row + 4]!, c15 = c[row + 5]!, c16 = c[row + 6]!, c17 = c[row + 7]!;
  row += ldc;
  let c20 = c[row]!, c21 = c[row + 1]!, c22 = c[row + 2]!, c23 = c[row + 3]!, c24 = c[row + 4]!, c25 = c[row + 5]!, c26 = c[row + 6]!, c27 = c[row + 7]!;
  row += ldc;
  let c30 = c[row]!, c31 = c[row + 1]!, c32 = c[row + 2]!, c33 = c[row + 3]!, c34 = c[row + 4]!, c35 = c[row + 5]!, c36 = c[row + 6]!, c37 = c[row + 7]!;
  for (let p = 0, ai = aStart, bi = bStart; p < steps; p++, ai += 4, bi += 8) {
    const a0 = a[ai]!, a1 = a[ai + 1]!, a2 = a[ai + 2]!, a3 = a[ai + 3]!;
    const b0 = b[bi]!, b1 = b[bi + 1]!, b2 = b[bi + 2]!, b3 = b[bi + 3]!, b4 = b[bi + 4]!, b5 = b[bi + 5]!, b6 = b[bi + 6]!, b7 = b[bi + 7]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3; c04 += a0 * b4; c05 += a0 * b5; c06 += a0 * b6; c07 += a0 * b7;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3; c14 += a1 * b4; c15 += a1 * b5; c16 += a1 * b6; c17 += a1 * b7;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3; c24 += a2 * b4; c25 += a2 * b5; c26 += a2 * b6; c27 += a2 * b7;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3; c34 += a3 * b4; c35 += a3 * b5; c36 += a3 * b6; c37 += a3 * b7;
  }
  row = cStart;
  c[row] = c00; c[row + 1] = c01; c[row + 2] = c02; c[row + 3] = c03; c[row + 4] = c04; c[row + 5] = c05; c[row + 6] = c06; c[row + 7] = c07;
  row += ldc;
  c[row] = c10; c[row + 1] = c11; c[row + 2] = c12; c[row + 3] = c13; c[row + 4] = c14; c[row + 5] = c15; c[row + 6] = c16; c[row + 7] = c17;
  row += ldc;
  c[row] = c20; c[row + 1] = c21; c[row + 2] = c22; c[row + 3] = c23; c[row + 4] = c24; c[row + 5] = c25; c[row + 6] = c26; c[row + 7] = c27;
  row += ldc;
  c[row] = c30; c[row + 1] = c31; c[row + 2] = c32; c[row + 3] = c33; c[row + 4] = c34; c[row + 5] = c35; c[row + 6] = c36; c[row + 7] = c37;
}

/** C = A·B over packed n×n panels with k blocks of 256, through `tile` (tile64 or tile32). */
function packedProduct<P extends Float32Array | Float64Array>(
  tile: (a: P, b: P, c: Float64Array, ai: number, bi: number, ci: number, ldc: number, steps: number) => void,
  a: P, b: P, c: Float64Array, n: number,
): void {
  const kc = 256;
  for (let p0 = 0; p0 < n; p0 += kc) {
    const steps = Math.min(kc, n - p0);
    for (let j = 0; j < n / 8; j++) {
      for (let i = 0; i < n / 4; i++) tile(a, b, c, (i * n + p0) * 4, (j * n + p0) * 8, i * 4 * n + j * 8, n, steps);
    }
  }
}

function panelComparison(): void {
  console.log("\nmicro-kernel alone on packed n×n panels, one thread (GFLOP/s, best run)");
  console.log(`${"n".padStart(6)} ${"Float64 panels".padStart(15)} ${"Float32 panels".padStart(15)} ${"64/32".padStart(7)}`);
  for (const n of [256, 512, 1024]) {
    const a64 = Float64Array.from({ length: n * n }, (_, i) => Math.fround(Math.sin(i)));
    const b64 = Float64Array.from({ length: n * n }, (_, i) => Math.fround(Math.cos(i)));
    const a32 = Float32Array.from(a64);
    const b32 = Float32Array.from(b64);
    const c = new Float64Array(n * n);
    let best64 = Infinity;
    let best32 = Infinity;
    // Alternate the two, so that a disturbance of the machine hits both alike.
    for (let round = 0; round < 5; round++) {
      best64 = Math.min(best64, bestMs(() => packedProduct(tile64, a64, b64, c, n), 200, 1));
      best32 = Math.min(best32, bestMs(() => packedProduct(tile32, a32, b32, c, n), 200, 1));
    }
    const f64 = gflops(2 * n ** 3, best64);
    const f32 = gflops(2 * n ** 3, best32);
    console.log(`${String(n).padStart(6)} ${f64.toFixed(2).padStart(15)} ${f32.toFixed(2).padStart(15)} ${(f64 / f32).toFixed(2).padStart(7)}`);
  }
}

// ── Crossover ───────────────────────────────────────────────────────────────

function crossover(): void {
  const runner = new SerialRunner();
  console.log(`\nsmall products, one thread: reference vs packed (GFLOP/s, best run)`);
  console.log(`matmulParallel uses the packed kernel from ${PACKED_MATMUL_MIN_FLOPS} flops, when m and n are both at least ${PACKED_MATMUL_MIN_SIDE}`);
  const shapes: [number, number, number][] = [];
  for (const s of [8, 12, 16, 20, 24, 32, 48, 64]) shapes.push([s, s, s]);
  // Thin products: one side of the result small (a matrix-vector product at the extreme).
  for (const thin of [1, 2, 3, 4, 8]) shapes.push([thin, 784, 256], [128, 784, thin]);
  shapes.push([128, 128, 10], [128, 10, 128], [10, 128, 128]);
  console.log(`${"m×k·k×n".padStart(16)} ${"flops".padStart(10)} ${"reference".padStart(10)} ${"packed".padStart(10)}`);
  for (const [m, k, n] of shapes) {
    const flops = 2 * m * k * n;
    const problem = problemOf(m, k, n);
    const reference = gflops(flops, bestMs(() => matmulReference(problem), 300, 20));
    const packed = gflops(flops, bestMs(() => matmulPacked(problem, runner), 300, 20));
    console.log(`${`${m}×${k}·${k}×${n}`.padStart(16)} ${String(flops).padStart(10)} ${reference.toFixed(2).padStart(10)} ${packed.toFixed(2).padStart(10)}`);
  }
}

squareProducts();
if (process.argv.includes("--panels")) panelComparison();
if (process.argv.includes("--crossover")) crossover();

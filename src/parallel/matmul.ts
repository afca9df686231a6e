// The driver of the fast matrix product: same contract as matmulReference
// (src/core/matmul-kernel.ts), computed by the packed kernel of gemm.js on
// whatever TaskRunner it is given (the calling thread alone, or a pool).
//
// One call:
//   1. packs A and B into panels in the shared heap (on the calling thread;
//      a batch entry whose operand is broadcast is packed once),
//   2. splits C into blocks of rows and columns and runs one task per block,
//   3. copies C from the heap into `out`, rounding once to out's dtype.
//
// Heap layout (positions count float64 elements), from the start of the
// runner's heap, which a call uses for its own duration only:
//   [batch table: 2 per batch entry][A panels ...][B panels ...][C, batch entries one after the other]

import { batchOffsets, matmulReference, type MatmulProblem } from "../core/matmul-kernel.ts";
import {
  MR, NR, P_C, P_COL_BLOCKS, P_COUNT, P_K, P_M, P_N, P_ROW_BLOCKS, P_TABLE, fixedFloat64View, packPanels, panelCount,
} from "./gemm.js";
import { MAX_HEAP_BYTES } from "./heap.js";
import type { TaskRunner } from "./runner.ts";

/**
 * Products with fewer floating-point operations (2·batch·m·n·k) than this run
 * on matmulReference: below it, packing costs more than the packed kernel
 * saves. Measured with `npx tsx bench/gemm-single.ts --crossover` on one
 * thread: for square products the packed kernel is slower at 12³ (0.8 vs
 * 0.9 GFLOP/s), faster from 16³ on (1.4 vs 1.0 at 16³, 2.7 vs 1.1 at 32³).
 */
export const PACKED_MATMUL_MIN_FLOPS = 2 * 16 ** 3;

/**
 * Products whose result has fewer rows or columns than this (a matrix times a
 * vector) also run on matmulReference: packing the matrix costs about as much
 * as the whole product. Measured as above: 1×784·784×256 runs at 0.6 GFLOP/s
 * packed vs 1.2 on the reference; from 2 rows or columns on, packed wins.
 */
export const PACKED_MATMUL_MIN_SIDE = 2;

/** Tasks wanted per thread, so that a thread that finishes early can take another and the threads end together. */
const TASKS_PER_THREAD = 4;
/**
 * The smallest task worth making, in flops (about 60 µs of work on one
 * thread): claiming a task, zeroing its block of C and reloading panels cost
 * a few microseconds, which a smaller task would barely repay.
 */
const MIN_TASK_FLOPS = 1 << 18;

/** out = A·B for every batch entry (see MatmulProblem): the packed kernel on `runner`, or the reference kernel for small or thin products. */
export function matmulParallel(problem: MatmulProblem, runner: TaskRunner): void {
  const { batchShape, m, k, n } = problem;
  const flops = 2 * batchShape.reduce((size, dim) => size * dim, 1) * m * n * k;
  if (flops < PACKED_MATMUL_MIN_FLOPS || Math.min(m, n) < PACKED_MATMUL_MIN_SIDE) matmulReference(problem);
  else matmulPacked(problem, runner);
}

/** out = A·B on the packed kernel, whatever the size (matmulParallel picks the kernel; tests and benchmarks call this directly). */
export function matmulPacked(problem: MatmulProblem, runner: TaskRunner): void {
  const { batchShape, m, k, n, a, b, out } = problem;
  const aOffsets = batchOffsets(batchShape, a.batchStrides, a.offset);
  const bOffsets = batchOffsets(batchShape, b.batchStrides, b.offset);
  const batch = aOffsets.length;
  if (out.length !== batch * m * n) {
    throw new Error(`matmulPacked: the output has ${out.length} elements, the batch needs ${batch}·${m}·${n}`);
  }
  if (batch * m * n === 0) return;

  const rowPanels = panelCount(m, MR);
  const colPanels = panelCount(n, NR);
  const aPanelsSize = rowPanels * MR * k;
  const bPanelsSize = colPanels * NR * k;
  const cRowLength = colPanels * NR;
  const cSize = rowPanels * MR * cRowLength;

  // Each distinct operand matrix gets one slot of packed panels.
  const aSlots = slotsOf(aOffsets);
  const bSlots = slotsOf(bOffsets);
  const table = 0;
  const aStart = table + 2 * batch;
  const bStart = aStart + aSlots.distinct.length * aPanelsSize;
  const cStart = bStart + bSlots.distinct.length * bPanelsSize;
  const heapBytes = (cStart + batch * cSize) * 8;
  // A product too big for the shared heap runs on the reference kernel instead: slower, never an error.
  if (heapBytes > MAX_HEAP_BYTES) return matmulReference(problem);
  const h = fixedFloat64View(runner.reserve(heapBytes));

  for (let entry = 0; entry < batch; entry++) {
    h[table + 2 * entry] = aStart + aSlots.slotOf[entry]! * aPanelsSize;
    h[table + 2 * entry + 1] = bStart + bSlots.slotOf[entry]! * bPanelsSize;
  }
  aSlots.distinct.forEach((offset, slot) =>
    packPanels(a.data, offset, a.rowStride, a.colStride, m, k, MR, h, aStart + slot * aPanelsSize));
  bSlots.distinct.forEach((offset, slot) =>
    packPanels(b.data, offset, b.colStride, b.rowStride, n, k, NR, h, bStart + slot * bPanelsSize));

  const { rowBlocks, colBlocks } = taskGrid(batch, rowPanels, colPanels, 2 * MR * NR * k, runner.threads);
  const params = new Array<number>(P_COUNT);
  params[P_M] = m;
  params[P_N] = n;
  params[P_K] = k;
  params[P_TABLE] = table;
  params[P_C] = cStart;
  params[P_ROW_BLOCKS] = rowBlocks;
  params[P_COL_BLOCKS] = colBlocks;
  runner.run("gemm", params, batch * rowBlocks * colBlocks);

  // Copying into the output's typed array rounds each float64 once to its dtype.
  for (let entry = 0; entry < batch; entry++) {
    for (let i = 0; i < m; i++) {
      const from = cStart + entry * cSize + i * cRowLength;
      out.set(h.subarray(from, from + n), (entry * m + i) * n);
    }
  }
}

/** The distinct storage offsets of a batch of matrices, and which of them each batch entry uses. */
function slotsOf(offsets: readonly number[]): { distinct: number[]; slotOf: number[] } {
  const slotByOffset = new Map<number, number>();
  const slotOf = offsets.map((offset) => {
    let slot = slotByOffset.get(offset);
    if (slot === undefined) {
      slot = slotByOffset.size;
      slotByOffset.set(offset, slot);
    }
    return slot;
  });
  return { distinct: [...slotByOffset.keys()], slotOf };
}

/**
 * How many blocks of rows and of columns each batch entry's C is split into.
 * Aims at TASKS_PER_THREAD tasks per thread in all, none smaller than
 * MIN_TASK_FLOPS; splits rows first (a task then reads a few rows of A and
 * all of B), and columns too when there are too few row panels (small m).
 */
export function taskGrid(
  batch: number, rowPanels: number, colPanels: number, flopsPerTile: number, threads: number,
): { rowBlocks: number; colBlocks: number } {
  const wanted = Math.ceil((threads * TASKS_PER_THREAD) / batch);
  const affordable = Math.max(1, Math.floor((rowPanels * colPanels * flopsPerTile) / MIN_TASK_FLOPS));
  const blocks = threads === 1 ? 1 : Math.min(wanted, affordable);
  const rowBlocks = Math.min(blocks, rowPanels);
  const colBlocks = Math.min(Math.ceil(blocks / rowBlocks), colPanels);
  return { rowBlocks, colBlocks };
}

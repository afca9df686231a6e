// @ts-check
// The fast matrix product (GEMM, "general matrix multiply"): C = A·B, with
// A m×k and B k×n, computed from copies of A and B rearranged ("packed") in
// the shared heap so that the innermost loop reads memory in order.
//
// ── Packed panels ──────────────────────────────────────────────────────────
// A is cut into row panels of MR rows, B into column panels of NR columns.
// A panel stores its k steps one after the other; at each step p it holds
// the MR (or NR) numbers that step needs, side by side:
//
//   A panel i:  A[iMR, 0] … A[iMR+MR-1, 0] | A[iMR, 1] … A[iMR+MR-1, 1] | …   (k·MR numbers)
//   B panel j:  B[0, jNR] … B[0, jNR+NR-1] | B[1, jNR] … B[1, jNR+NR-1] | …   (k·NR numbers)
//
// Rows past m and columns past n are filled with zeros, so the micro-kernel
// never has to test for an edge. Panels hold Float64 whatever the operands'
// dtype: a float32 or int32 value converts to a double exactly, and the
// micro-kernel measured 13–21 % faster on Float64 panels than on Float32 ones
// (`npx tsx bench/gemm-single.ts --panels`).
//
// ── The micro-kernel ───────────────────────────────────────────────────────
// multiplyPanels multiplies one A panel by one B panel into an MR×NR = 4×8
// tile of C held in 32 local variables: at each step p it loads 4 numbers of
// A and 8 of B and does 32 multiply-adds. Locals are the closest JavaScript
// gets to registers; 4×8 measured fastest among the tiles tried (2×4 … 8×8).
//
// ── Cache blocking ─────────────────────────────────────────────────────────
// A task covers a block of C's rows and columns. It walks k in blocks of KC
// steps; inside one, for each column panel of B (KC·NR numbers, 16 KB: stays
// in the L1 cache), it runs the micro-kernel down the rows in groups of
// MC_PANELS row panels (MC_PANELS·MR·KC numbers, 256 KB: stays in L2).
// On the 2-core development machine (48 KB L1 and 2 MB L2 per core) the
// kernel is bound by arithmetic, not memory: KC = 128, 256, 512 or all of k,
// and MC = 64, 128, 256 rows or all of m, all measured within 3 % of each
// other. These values keep the working sets inside smaller caches too.
//
// ── Determinism ────────────────────────────────────────────────────────────
// C lives in the heap as float64. A task first sets its block of C to 0; each
// k block loads the tile, adds its steps in order, and stores the tile back.
// So every element of C is  ((0 + a₀b₀) + a₁b₁) + … + a_{k-1}b_{k-1}, one
// rounding per operation, in order of p: exactly the operations of
// matmulReference (src/core/matmul-kernel.ts), whatever the task split and
// whichever thread runs a task. Results are bitwise identical to the
// reference and across thread counts. The driver (matmul.ts) rounds C once
// into the output's dtype.
//
// Element reads are written `h[i] ?? 0`. Every index read here is in bounds;
// the `?? 0` is only there because the type checker (noUncheckedIndexedAccess)
// treats an element read as possibly undefined. V8 knows a typed-array read
// is a number and drops the test (measured: no difference in speed).

// The micro-kernel (multiplyPanels) is written out for a 4×8 tile: MR and NR
// change only together with it.
/** Rows of A per packed panel, and rows of the register tile. */
export const MR = 4;
/** Columns of B per packed panel, and columns of the register tile. */
export const NR = 8;
/** Steps of k per cache block. */
export const KC = 256;
/** Row panels per cache block (MC_PANELS·MR rows of A). */
export const MC_PANELS = 32;

// ── Packing (runs on the calling thread, before the tasks) ─────────────────

/**
 * Packs a strided matrix into panels of `width` lines (rows of A, or columns
 * of B). Line l, step p of the source is src[start + l·lineStride + p·stepStride];
 * for A the lines are rows (lineStride = rowStride, stepStride = colStride),
 * for B the lines are columns (lineStride = colStride, stepStride = rowStride).
 * Writes panelCount(lines, width)·width·depth numbers from dst[dstAt] on.
 *
 * Full panels of 4 or 8 lines go through loops written out for that width
 * (measured 1.5–2 times faster than the general loop, which serves the last,
 * partial panel and pads it with zeros).
 * @param {ArrayLike<number>} src
 * @param {number} start
 * @param {number} lineStride
 * @param {number} stepStride
 * @param {number} lines
 * @param {number} depth   steps per line (k)
 * @param {number} width   lines per panel (MR or NR)
 * @param {Float64Array} dst
 * @param {number} dstAt
 */
export function packPanels(src, start, lineStride, stepStride, lines, depth, width, dst, dstAt) {
  for (let first = 0, d = dstAt; first < lines; first += width, d += width * depth) {
    const s = start + first * lineStride;
    const real = Math.min(width, lines - first);
    if (real === 4 && width === 4) packFourLines(src, s, lineStride, stepStride, depth, dst, d);
    else if (real === 8 && width === 8) packEightLines(src, s, lineStride, stepStride, depth, dst, d);
    else packLines(src, s, lineStride, stepStride, real, depth, width, dst, d);
  }
}

/**
 * One panel of `width` lines of which the first `real` come from src, the rest are zeros.
 * @param {ArrayLike<number>} src
 * @param {number} s position of the panel's first line, first step
 * @param {number} lineStride
 * @param {number} stepStride
 * @param {number} real
 * @param {number} depth
 * @param {number} width
 * @param {Float64Array} dst
 * @param {number} d
 */
function packLines(src, s, lineStride, stepStride, real, depth, width, dst, d) {
  for (let p = 0; p < depth; p++, s += stepStride, d += width) {
    for (let l = 0; l < width; l++) dst[d + l] = l < real ? src[s + l * lineStride] ?? 0 : 0;
  }
}

/**
 * One full panel of 4 lines.
 * @param {ArrayLike<number>} src
 * @param {number} s position of the panel's first line, first step
 * @param {number} lineStride
 * @param {number} stepStride
 * @param {number} depth
 * @param {Float64Array} dst
 * @param {number} d
 */
function packFourLines(src, s, lineStride, stepStride, depth, dst, d) {
  const l1 = lineStride, l2 = 2 * lineStride, l3 = 3 * lineStride;
  for (let p = 0; p < depth; p++, s += stepStride, d += 4) {
    dst[d] = src[s] ?? 0; dst[d + 1] = src[s + l1] ?? 0; dst[d + 2] = src[s + l2] ?? 0; dst[d + 3] = src[s + l3] ?? 0;
  }
}

/**
 * One full panel of 8 lines.
 * @param {ArrayLike<number>} src
 * @param {number} s position of the panel's first line, first step
 * @param {number} lineStride
 * @param {number} stepStride
 * @param {number} depth
 * @param {Float64Array} dst
 * @param {number} d
 */
function packEightLines(src, s, lineStride, stepStride, depth, dst, d) {
  const l1 = lineStride, l2 = 2 * lineStride, l3 = 3 * lineStride;
  const l4 = 4 * lineStride, l5 = 5 * lineStride, l6 = 6 * lineStride, l7 = 7 * lineStride;
  for (let p = 0; p < depth; p++, s += stepStride, d += 8) {
    dst[d] = src[s] ?? 0; dst[d + 1] = src[s + l1] ?? 0; dst[d + 2] = src[s + l2] ?? 0; dst[d + 3] = src[s + l3] ?? 0;
    dst[d + 4] = src[s + l4] ?? 0; dst[d + 5] = src[s + l5] ?? 0; dst[d + 6] = src[s + l6] ?? 0; dst[d + 7] = src[s + l7] ?? 0;
  }
}

/**
 * Number of panels of `width` lines needed for `lines` lines.
 * @param {number} lines
 * @param {number} width
 */
export function panelCount(lines, width) {
  return Math.ceil(lines / width);
}

// ── The task ───────────────────────────────────────────────────────────────

// The parameters of a gemm call, by index. Positions in the heap count
// float64 elements (byte offset / 8).
/** Rows of each product (m). */
export const P_M = 0;
/** Columns of each product (n). */
export const P_N = 1;
/** Inner dimension (k). */
export const P_K = 2;
/** Heap position of the batch table: for batch entry b, [2b] is where its A panels start, [2b + 1] its B panels. */
export const P_TABLE = 3;
/** Heap position of C: batch entries one after the other, each panelCount(m, MR)·MR rows × panelCount(n, NR)·NR columns, row-major. */
export const P_C = 4;
/** Row blocks per batch entry: row panels are split into this many nearly equal blocks. */
export const P_ROW_BLOCKS = 5;
/** Column blocks per batch entry. */
export const P_COL_BLOCKS = 6;
/** Number of parameters. */
export const P_COUNT = 7;

// Task t is batch entry ⌊t / (rowBlocks·colBlocks)⌋, then row block, then column block.

/**
 * A view of the whole heap with a fixed length. (A view that tracks the
 * length of a growable SharedArrayBuffer, like HeapViews.f64, made the
 * micro-kernel about 15 times slower in Node 20.)
 * @param {import("./heap.js").HeapViews} heap
 */
export function fixedFloat64View(heap) {
  return new Float64Array(heap.buffer, 0, Math.floor(heap.buffer.byteLength / 8));
}

/**
 * Computes one task's block of C (see the parameter list above).
 * @param {import("./heap.js").HeapViews} heap
 * @param {Float64Array} params
 * @param {number} task
 */
export function gemmTask(heap, params, task) {
  const h = fixedFloat64View(heap);
  const m = indexAt(params, P_M), n = indexAt(params, P_N), k = indexAt(params, P_K);
  const rowBlocks = indexAt(params, P_ROW_BLOCKS), colBlocks = indexAt(params, P_COL_BLOCKS);
  const rowPanels = panelCount(m, MR), colPanels = panelCount(n, NR);
  const cRowLength = colPanels * NR;

  const tasksPerBatch = rowBlocks * colBlocks;
  const batch = Math.floor(task / tasksPerBatch);
  const rowBlock = Math.floor((task % tasksPerBatch) / colBlocks);
  const colBlock = task % colBlocks;
  const table = indexAt(params, P_TABLE) + 2 * batch;
  const aPanels = indexAt(h, table);
  const bPanels = indexAt(h, table + 1);
  const c = indexAt(params, P_C) + batch * rowPanels * MR * cRowLength;

  multiplyBlock(h, k, aPanels, bPanels, c, cRowLength,
    blockStart(rowPanels, rowBlocks, rowBlock), blockStart(rowPanels, rowBlocks, rowBlock + 1),
    blockStart(colPanels, colBlocks, colBlock), blockStart(colPanels, colBlocks, colBlock + 1));
}

/**
 * The number at array[i], which holds a size or a heap position, as an integer.
 * A number read from a Float64Array is a double to V8; `| 0` makes it an
 * integer, so that the index arithmetic of the loops below (and of the
 * micro-kernel, which receives positions computed from it) stays integer
 * arithmetic. Without it the micro-kernel measured 1.6 times slower.
 * Positions fit: the heap holds at most 2³¹ bytes.
 * @param {Float64Array} array
 * @param {number} i
 */
function indexAt(array, i) {
  return (array[i] ?? 0) | 0;
}

/**
 * First of `count` items in block `block` when they are split into `blocks` nearly equal blocks.
 * @param {number} count
 * @param {number} blocks
 * @param {number} block
 */
export function blockStart(count, blocks, block) {
  return Math.floor((count * block) / blocks);
}

/**
 * C[row panels firstRow..endRow, column panels firstCol..endCol] = A·B over all k steps.
 * @param {Float64Array} h the heap
 * @param {number} k
 * @param {number} aPanels heap position of the first A panel
 * @param {number} bPanels heap position of the first B panel
 * @param {number} c heap position of C[0, 0]
 * @param {number} cRowLength
 * @param {number} firstRow
 * @param {number} endRow
 * @param {number} firstCol
 * @param {number} endCol
 */
function multiplyBlock(h, k, aPanels, bPanels, c, cRowLength, firstRow, endRow, firstCol, endCol) {
  for (let row = firstRow * MR; row < endRow * MR; row++) {
    const at = c + row * cRowLength;
    h.fill(0, at + firstCol * NR, at + endCol * NR);
  }
  for (let p0 = 0; p0 < k; p0 += KC) {
    const steps = Math.min(KC, k - p0);
    for (let i0 = firstRow; i0 < endRow; i0 += MC_PANELS) {
      const i1 = Math.min(i0 + MC_PANELS, endRow);
      for (let j = firstCol; j < endCol; j++) {
        const b = bPanels + (j * k + p0) * NR;
        for (let i = i0; i < i1; i++) {
          multiplyPanels(h, aPanels + (i * k + p0) * MR, b, c + i * MR * cRowLength + j * NR, cRowLength, steps);
        }
      }
    }
  }
}

/**
 * The micro-kernel: adds `steps` steps of an A panel times a B panel to a 4×8 tile of C.
 * cij is C[i, j] of the tile; at step p, ai = A[i, p] and bj = B[p, j].
 *
 * Written for speed, as measured in Node 20: the panel pointers advance by
 * literal 4 and 8 (MR and NR: V8 reads an exported constant afresh at each
 * use); the loop has its own pointers (a, b) rather than reusing the
 * parameters; and the row positions of C are recomputed after the loop
 * rather than kept in four variables, which would compete with the 44
 * numbers the loop keeps live. Together these measured 20 % faster.
 * @param {Float64Array} h the heap
 * @param {number} aStart heap position of the A panel's first step
 * @param {number} bStart heap position of the B panel's first step
 * @param {number} c heap position of the tile's top-left element
 * @param {number} cRowLength distance between rows of C
 * @param {number} steps
 */
function multiplyPanels(h, aStart, bStart, c, cRowLength, steps) {
  let row = c;
  let c00 = h[row] ?? 0, c01 = h[row + 1] ?? 0, c02 = h[row + 2] ?? 0, c03 = h[row + 3] ?? 0;
  let c04 = h[row + 4] ?? 0, c05 = h[row + 5] ?? 0, c06 = h[row + 6] ?? 0, c07 = h[row + 7] ?? 0;
  row += cRowLength;
  let c10 = h[row] ?? 0, c11 = h[row + 1] ?? 0, c12 = h[row + 2] ?? 0, c13 = h[row + 3] ?? 0;
  let c14 = h[row + 4] ?? 0, c15 = h[row + 5] ?? 0, c16 = h[row + 6] ?? 0, c17 = h[row + 7] ?? 0;
  row += cRowLength;
  let c20 = h[row] ?? 0, c21 = h[row + 1] ?? 0, c22 = h[row + 2] ?? 0, c23 = h[row + 3] ?? 0;
  let c24 = h[row + 4] ?? 0, c25 = h[row + 5] ?? 0, c26 = h[row + 6] ?? 0, c27 = h[row + 7] ?? 0;
  row += cRowLength;
  let c30 = h[row] ?? 0, c31 = h[row + 1] ?? 0, c32 = h[row + 2] ?? 0, c33 = h[row + 3] ?? 0;
  let c34 = h[row + 4] ?? 0, c35 = h[row + 5] ?? 0, c36 = h[row + 6] ?? 0, c37 = h[row + 7] ?? 0;

  for (let p = 0, a = aStart, b = bStart; p < steps; p++, a += 4, b += 8) {
    const a0 = h[a] ?? 0, a1 = h[a + 1] ?? 0, a2 = h[a + 2] ?? 0, a3 = h[a + 3] ?? 0;
    const b0 = h[b] ?? 0, b1 = h[b + 1] ?? 0, b2 = h[b + 2] ?? 0, b3 = h[b + 3] ?? 0;
    const b4 = h[b + 4] ?? 0, b5 = h[b + 5] ?? 0, b6 = h[b + 6] ?? 0, b7 = h[b + 7] ?? 0;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3; c04 += a0 * b4; c05 += a0 * b5; c06 += a0 * b6; c07 += a0 * b7;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3; c14 += a1 * b4; c15 += a1 * b5; c16 += a1 * b6; c17 += a1 * b7;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3; c24 += a2 * b4; c25 += a2 * b5; c26 += a2 * b6; c27 += a2 * b7;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3; c34 += a3 * b4; c35 += a3 * b5; c36 += a3 * b6; c37 += a3 * b7;
  }

  row = c;
  h[row] = c00; h[row + 1] = c01; h[row + 2] = c02; h[row + 3] = c03; h[row + 4] = c04; h[row + 5] = c05; h[row + 6] = c06; h[row + 7] = c07;
  row += cRowLength;
  h[row] = c10; h[row + 1] = c11; h[row + 2] = c12; h[row + 3] = c13; h[row + 4] = c14; h[row + 5] = c15; h[row + 6] = c16; h[row + 7] = c17;
  row += cRowLength;
  h[row] = c20; h[row + 1] = c21; h[row + 2] = c22; h[row + 3] = c23; h[row + 4] = c24; h[row + 5] = c25; h[row + 6] = c26; h[row + 7] = c27;
  row += cRowLength;
  h[row] = c30; h[row + 1] = c31; h[row + 2] = c32; h[row + 3] = c33; h[row + 4] = c34; h[row + 5] = c35; h[row + 6] = c36; h[row + 7] = c37;
}

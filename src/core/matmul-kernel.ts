// The reference matrix-multiply kernel: C = A·B for a batch of matrices.
//
//   C[b, i, j] = Σ_p A[b, i, p] · B[b, p, j]      (i < m, j < n, p < k)
//
// A and B are read through arbitrary strides, so a transposed operand (strides
// swapped) or a broadcast batch (stride 0) is used as it is, without a copy.
// C is written contiguously, batch after batch, row after row.
//
// The loops run in i-k-j order: for one row i of C, each A[i, p] is multiplied
// into the whole row p of B. When B is contiguous that innermost loop walks
// memory in order, which is what makes i-k-j faster than the textbook i-j-k.
// Each row of C is summed in a Float64Array (one JavaScript double per output
// element), then rounded once when written into C.
//
// This version is kept simple on purpose: it is the yardstick that faster
// kernels (packed panels, worker threads) are tested against.

import type { TypedArray } from "./dtype.ts";

/** A batch of matrices inside a typed array: element [b..., r, c] is at offset + Σ b·batchStrides + r·rowStride + c·colStride. */
export interface StridedMatrices {
  readonly data: TypedArray;
  readonly offset: number;
  /** One stride per batch dim (0 where the batch is broadcast). */
  readonly batchStrides: readonly number[];
  readonly rowStride: number;
  readonly colStride: number;
}

export interface MatmulProblem {
  /** Sizes of the batch dims shared by A, B and C ([] for a single product). */
  readonly batchShape: readonly number[];
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** The left operand, m×k per batch entry. */
  readonly a: StridedMatrices;
  /** The right operand, k×n per batch entry. */
  readonly b: StridedMatrices;
  /** The contiguous result, batch·m·n elements, overwritten. */
  readonly out: TypedArray;
}

/** Storage offset of each batch entry (row-major over batchShape) for matrices with these batch strides. */
export function batchOffsets(batchShape: readonly number[], batchStrides: readonly number[], offset: number): number[] {
  let offsets = [offset];
  // Each batch dim multiplies the list: every offset so far, stepped along that dim.
  for (let d = 0; d < batchShape.length; d++) {
    const next: number[] = [];
    for (const base of offsets) {
      for (let i = 0; i < batchShape[d]!; i++) next.push(base + i * batchStrides[d]!);
    }
    offsets = next;
  }
  return offsets;
}

/** C = A·B for one m×k by k×n product; C's rows start at outStart. `row` is scratch space of length n. */
export function multiplyOne(
  a: TypedArray, aStart: number, aRowStride: number, aColStride: number,
  b: TypedArray, bStart: number, bRowStride: number, bColStride: number,
  out: TypedArray, outStart: number,
  m: number, k: number, n: number, row: Float64Array,
): void {
  for (let i = 0; i < m; i++) {
    row.fill(0);
    const aRow = aStart + i * aRowStride;
    for (let p = 0; p < k; p++) {
      const aip = a[aRow + p * aColStride]!;
      for (let j = 0, q = bStart + p * bRowStride; j < n; j++, q += bColStride) row[j] = row[j]! + aip * b[q]!;
    }
    const outRow = outStart + i * n;
    for (let j = 0; j < n; j++) out[outRow + j] = row[j]!;
  }
}

/** Computes every product of the batch into `out` (the reference kernel). */
export function matmulReference(problem: MatmulProblem): void {
  const { batchShape, m, k, n, a, b, out } = problem;
  const aOffsets = batchOffsets(batchShape, a.batchStrides, a.offset);
  const bOffsets = batchOffsets(batchShape, b.batchStrides, b.offset);
  if (out.length !== aOffsets.length * m * n) {
    throw new Error(`matmulReference: the output has ${out.length} elements, the batch needs ${aOffsets.length}·${m}·${n}`);
  }
  const row = new Float64Array(n);
  for (let batch = 0; batch < aOffsets.length; batch++) {
    multiplyOne(
      a.data, aOffsets[batch]!, a.rowStride, a.colStride,
      b.data, bOffsets[batch]!, b.rowStride, b.colStride,
      out, batch * m * n, m, k, n, row,
    );
  }
}

// Matrix products. One op does the work: "matmul" on stacks of matrices
// [..., m, k]·[..., k, n] → [..., m, n], whose batch dims broadcast. The
// others are checked doorways into it:
//   matmul  any ranks ≥ 1, by PyTorch's rules (a vector operand becomes a
//           one-row or one-column matrix, and that dim is removed again)
//   mm      2-D · 2-D        bmm  3-D · 3-D with equal batch sizes
//   mv      2-D · 1-D        dot  1-D · 1-D → 0-d
//   outer   1-D ⊗ 1-D → 2-D (a broadcast multiplication, no sum involved)

import { allocate, promoteTypes, type DType } from "../dtype.ts";
import { fromValues } from "../kernels.ts";
import { backend } from "../backend.ts";
import type { StridedMatrices } from "../matmul-kernel.ts";
import { defineOp } from "../op.ts";
import { broadcastShapes, broadcastStrides, formatShape, numel } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { mul } from "./arithmetic.ts";

/** How the kernel reads the matrices of `t` (rank ≥ 2) when its batch dims are broadcast to `batchShape`. */
function matricesOf(t: Tensor, batchShape: readonly number[]): StridedMatrices {
  const rank = t.ndim;
  return {
    data: t.storage.data,
    offset: t.offset,
    batchStrides: broadcastStrides(t.shape.slice(0, rank - 2), t.strides.slice(0, rank - 2), batchShape),
    rowStride: t.strides[rank - 2]!,
    colStride: t.strides[rank - 1]!,
  };
}

/** [..., m, k]·[..., k, n] for operands of rank ≥ 2 whose shapes were already checked. */
function batchedProduct(a: Tensor, b: Tensor): Tensor {
  const m = a.shape[a.ndim - 2]!;
  const k = a.shape[a.ndim - 1]!;
  const n = b.shape[b.ndim - 1]!;
  const batchShape = broadcastShapes("matmul", a.shape.slice(0, -2), b.shape.slice(0, -2));
  const dtype = promoteTypes(a.dtype, b.dtype);
  const out = allocate(dtype, numel(batchShape) * m * n);
  backend.matmul({ batchShape, m, k, n, a: matricesOf(a, batchShape), b: matricesOf(b, batchShape), out });
  return fromValues(out, [...batchShape, m, n], dtype);
}

// C = A·B:  dL/dA = dL/dC·Bᵀ,  dL/dB = Aᵀ·dL/dC  (summed over broadcast batch dims by the engine)
const matmulOp = defineOp({
  name: "matmul",
  forward: ([a, b]) => batchedProduct(a!, b!),
  backward: (grad, ctx) => [
    ctx.needsGrad(0) ? matmul(grad, ctx.input(1).mT) : null,
    ctx.needsGrad(1) ? matmul(ctx.input(0).mT, grad) : null,
  ],
  gradcheck: [
    { inputs: [[3, 4], [4, 5]], secondOrder: true },
    { inputs: [[2, 3, 4], [2, 4, 2]], secondOrder: true },
    { inputs: [[2, 1, 3, 4], [5, 4, 2]] },
    { inputs: [[2, 3, 4], [4, 2]] },
    { inputs: [[3, 1], [1, 4]] },
  ],
});

/** The dtype of a product: the promoted dtype of the operands; bool matrices are refused. */
function productType(op: string, a: Tensor, b: Tensor): DType {
  const dtype = promoteTypes(a.dtype, b.dtype);
  if (dtype === "bool") throw new Error(`${op}: cannot multiply bool tensors as matrices; convert them first, e.g. .int() or .float()`);
  return dtype;
}

/** Checks that two batch shapes broadcast (aligned on the right, sizes equal or 1). */
function checkBatchDims(op: string, a: Tensor, b: Tensor): void {
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  for (let i = 1; i <= Math.min(aBatch.length, bBatch.length); i++) {
    const x = aBatch[aBatch.length - i]!;
    const y = bBatch[bBatch.length - i]!;
    if (x !== y && x !== 1 && y !== 1) {
      throw new Error(`${op}: cannot multiply ${formatShape(a.shape)} by ${formatShape(b.shape)}: batch dimensions ` +
        `${formatShape(aBatch)} and ${formatShape(bBatch)} do not broadcast (sizes ${x} and ${y} differ and neither is 1)`);
    }
  }
}

/** The product with PyTorch's matmul rules, reporting errors under the name `op`. */
function product(op: string, a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new Error(`${op}: both arguments need at least 1 dim, got shapes ${formatShape(a.shape)} (${a.ndim}-D) and ${formatShape(b.shape)} (${b.ndim}-D); use mul for scalars`);
  }
  const dtype = productType(op, a, b);
  const inner = a.shape[a.ndim - 1]!;
  const innerB = b.shape[b.ndim === 1 ? 0 : b.ndim - 2]!;
  if (inner !== innerB) {
    throw new Error(`${op}: cannot multiply ${formatShape(a.shape)} by ${formatShape(b.shape)}: inner dimensions ${inner} and ${innerB} differ`);
  }
  checkBatchDims(op, a, b);
  // A vector on the left is a one-row matrix, on the right a one-column matrix;
  // that added dim is removed from the result.
  const left = a.ndim === 1 ? a.unsqueeze(0) : a;
  const right = b.ndim === 1 ? b.unsqueeze(1) : b;
  let result = matmulOp.apply([left.to(dtype), right.to(dtype)], undefined);
  if (a.ndim === 1) result = result.squeeze(-2);
  if (b.ndim === 1) result = result.squeeze(-1);
  return result;
}

/**
 * Matrix product with PyTorch's rules:
 *   1-D·1-D → 0-d (dot product);  2-D·2-D → matrix product;
 *   1-D·N-D → a 1 is prepended to the vector's shape, then removed from the result;
 *   N-D·1-D → the vector is a column, that dim is removed from the result;
 *   N-D·N-D → a batch of matrix products whose batch dims broadcast,
 *             e.g. [2, 1, 3, 4]·[5, 4, 6] → [2, 5, 3, 6].
 * Integer tensors give an integer result; dtypes are promoted.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  return product("matmul", a, b);
}

function checkRank(op: string, t: Tensor, rank: number, what: string): void {
  if (t.ndim !== rank) throw new Error(`${op}: expected ${what} (${rank}-D), got shape ${formatShape(t.shape)} (${t.ndim}-D)`);
}

/** Product of two matrices (2-D only), like torch.mm. */
export function mm(a: Tensor, b: Tensor): Tensor {
  checkRank("mm", a, 2, "the first argument to be a matrix");
  checkRank("mm", b, 2, "the second argument to be a matrix");
  return product("mm", a, b);
}

/** Products of two batches of matrices, [B, m, k]·[B, k, n] → [B, m, n] (3-D only, no broadcasting), like torch.bmm. */
export function bmm(a: Tensor, b: Tensor): Tensor {
  checkRank("bmm", a, 3, "the first argument to be a batch of matrices");
  checkRank("bmm", b, 3, "the second argument to be a batch of matrices");
  if (a.shape[0] !== b.shape[0]) {
    throw new Error(`bmm: cannot multiply ${formatShape(a.shape)} by ${formatShape(b.shape)}: batch sizes ${a.shape[0]} and ${b.shape[0]} differ ` +
      `(bmm does not broadcast; matmul does)`);
  }
  return product("bmm", a, b);
}

/** Matrix times vector, [m, k]·[k] → [m], like torch.mv. */
export function mv(a: Tensor, v: Tensor): Tensor {
  checkRank("mv", a, 2, "the first argument to be a matrix");
  checkRank("mv", v, 1, "the second argument to be a vector");
  return product("mv", a, v);
}

/** Dot product of two vectors of the same length, as a 0-d tensor, like torch.dot. */
export function dot(a: Tensor, b: Tensor): Tensor {
  checkRank("dot", a, 1, "the first argument to be a vector");
  checkRank("dot", b, 1, "the second argument to be a vector");
  return product("dot", a, b);
}

/** Outer product of two vectors: out[i][j] = a[i]·b[j], like torch.outer. */
export function outer(a: Tensor, b: Tensor): Tensor {
  checkRank("outer", a, 1, "the first argument to be a vector");
  checkRank("outer", b, 1, "the second argument to be a vector");
  return mul(a.unsqueeze(1), b.unsqueeze(0));
}

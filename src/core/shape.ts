// Shapes, strides and broadcasting: the bookkeeping behind every tensor.
//
// A tensor's element at index (i0, i1, ..., ik) lives in its storage at
//   offset + i0*strides[0] + i1*strides[1] + ... + ik*strides[k].
// Views (transpose, slice, expand ...) only change shape, strides and offset.

export type Shape = readonly number[];

/** Number of elements in a tensor of this shape (1 for a scalar []). */
export function numel(shape: Shape): number {
  let n = 1;
  for (const size of shape) n *= size;
  return n;
}

/** Row-major strides: the last dimension is contiguous. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = step;
    step *= Math.max(shape[d]!, 1);
  }
  return strides;
}

/** True when the strides are the row-major strides of the shape (sizes of 1 may have any stride). */
export function isContiguous(shape: Shape, strides: readonly number[]): boolean {
  let step = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d]!;
    if (size === 0) return true;
    if (size !== 1 && strides[d] !== step) return false;
    step *= size;
  }
  return true;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((size, d) => size === b[d]);
}

/** Checks that every size is a non-negative integer; `op` names the caller in the error. */
export function checkShape(op: string, shape: readonly unknown[]): number[] {
  for (const size of shape) {
    if (typeof size !== "number" || !Number.isInteger(size) || size < 0) {
      throw new Error(`${op}: invalid shape ${formatShape(shape as number[])}: sizes must be non-negative integers`);
    }
  }
  return shape as number[];
}

/**
 * Turns a possibly negative dim into 0..rank-1, as PyTorch does (-1 is the last dim).
 * A scalar accepts dims 0 and -1, as in PyTorch.
 */
export function normalizeDim(op: string, dim: number, rank: number): number {
  const bound = Math.max(rank, 1);
  if (!Number.isInteger(dim) || dim < -bound || dim >= bound) {
    throw new Error(`${op}: dim ${dim} is out of range for a tensor of rank ${rank} (expected ${-bound} <= dim < ${bound})`);
  }
  return dim < 0 ? dim + bound : dim;
}

/**
 * Broadcasting (NumPy/PyTorch rules): align shapes on the right; two sizes are
 * compatible when they are equal or one of them is 1; the result takes the larger.
 */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const result = new Array<number>(rank).fill(1);
  for (const shape of shapes) {
    for (let i = 1; i <= shape.length; i++) {
      const size = shape[shape.length - i]!;
      const current = result[rank - i]!;
      if (size === current || size === 1) continue;
      if (current === 1) {
        result[rank - i] = size;
        continue;
      }
      throw new Error(
        `${op}: shapes ${shapes.map(formatShape).join(" and ")} cannot be broadcast: ` +
          `size ${current} and size ${size} differ at dim ${-i} and neither is 1`,
      );
    }
  }
  return result;
}

/** Strides that read a tensor of `shape`/`strides` as if it had `target` shape (stride 0 on broadcast dims). */
export function broadcastStrides(shape: Shape, strides: readonly number[], target: Shape): number[] {
  const out = new Array<number>(target.length).fill(0);
  const shift = target.length - shape.length;
  for (let d = 0; d < shape.length; d++) {
    out[d + shift] = shape[d] === 1 ? 0 : strides[d]!;
  }
  return out;
}

/** The multi-index of the i-th element (row-major) of a tensor of `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return index;
}

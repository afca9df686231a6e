// Features a person designs for an 8×8 digit, before deep learning: numbers
// that summarise the shape of the ink, each chosen because it should tell
// some digits apart. Every feature takes the 64 pixels (row-major, ink in
// [0, 1], 0 = paper) and returns a few numbers.
//
// A linear classifier on these features is the "classical" pipeline:
// a human decides what to look at, the machine only weighs it.

import { tensor, type Tensor } from "../../src/index.ts";

export const SIDE = 8;
/** A pixel counts as ink when it is at least this dark (pixels are in [0, 1]). */
export const INK_THRESHOLD = 0.5;

/** The name of each feature, in the order `digitFeatures` returns them. */
export const FEATURE_NAMES: readonly string[] = [
  ...Array.from({ length: SIDE }, (_, r) => `ink in row ${r}`),
  ...Array.from({ length: SIDE }, (_, c) => `ink in column ${c}`),
  "total ink",
  "centre of mass, row", "centre of mass, column",
  "left-right symmetry", "top-bottom symmetry",
  "strokes crossed by row 2", "strokes crossed by row 4", "strokes crossed by row 6",
  "strokes crossed by column 2", "strokes crossed by column 4", "strokes crossed by column 6",
  "loops (enclosed holes)", "row of the holes' centre",
  "ink in top-left quarter", "ink in top-right quarter", "ink in bottom-left quarter", "ink in bottom-right quarter",
];

const at = (pixels: ArrayLike<number>, r: number, c: number): number => pixels[r * SIDE + c]!;

/** Ink per row and per column, as fractions of a full line: a 1 is a horizontal bar, a 7 has ink in row 0. */
export function inkProfiles(pixels: ArrayLike<number>): number[] {
  const rows = new Array<number>(SIDE).fill(0), columns = new Array<number>(SIDE).fill(0);
  for (let r = 0; r < SIDE; r++) for (let c = 0; c < SIDE; c++) {
    rows[r]! += at(pixels, r, c) / SIDE;
    columns[c]! += at(pixels, r, c) / SIDE;
  }
  return [...rows, ...columns];
}

/** Where the ink sits on average (row, column), in pixels: a 7 is top-heavy, a 6 bottom-heavy. */
export function centreOfMass(pixels: ArrayLike<number>): [number, number] {
  let total = 0, row = 0, column = 0;
  for (let r = 0; r < SIDE; r++) for (let c = 0; c < SIDE; c++) {
    const v = at(pixels, r, c);
    total += v; row += r * v; column += c * v;
  }
  return total === 0 ? [(SIDE - 1) / 2, (SIDE - 1) / 2] : [row / total, column / total];
}

/**
 * How much the image matches its mirror image, 1 = perfectly:
 * 1 − Σ|x − mirror(x)| / (2 Σ x). A 0 or an 8 is symmetric both ways, a 3 only top-bottom.
 */
export function symmetry(pixels: ArrayLike<number>): [number, number] {
  let total = 0, leftRight = 0, topBottom = 0;
  for (let r = 0; r < SIDE; r++) for (let c = 0; c < SIDE; c++) {
    const v = at(pixels, r, c);
    total += v;
    leftRight += Math.abs(v - at(pixels, r, SIDE - 1 - c));
    topBottom += Math.abs(v - at(pixels, SIDE - 1 - r, c));
  }
  return total === 0 ? [1, 1] : [1 - leftRight / (2 * total), 1 - topBottom / (2 * total)];
}

/** The number of separate runs of ink along a line of pixels: a line through a 0 crosses 2 strokes, through a 1 crosses 1. */
export function strokesCrossed(line: readonly number[]): number {
  let runs = 0, inside = false;
  for (const v of line) {
    const ink = v >= INK_THRESHOLD;
    if (ink && !inside) runs++;
    inside = ink;
  }
  return runs;
}

/**
 * The loops of a digit: regions of paper that ink surrounds, found by
 * flooding the paper from the border; whatever paper the flood cannot reach
 * is a hole. Returns the number of holes (0 has 1, 8 has 2, 1 has 0) and the
 * mean row of their pixels (−1 without holes): a 6's loop is low, a 9's high.
 */
export function loops(pixels: ArrayLike<number>): [number, number] {
  const paper = (r: number, c: number) => at(pixels, r, c) < INK_THRESHOLD;
  const label = new Int32Array(SIDE * SIDE).fill(-1); // -1 unvisited, 0 outside, k ≥ 1 hole k
  const flood = (r0: number, c0: number, mark: number): number[] => {
    const stack = [[r0, c0]], cells: number[] = [];
    label[r0 * SIDE + c0] = mark;
    while (stack.length > 0) {
      const [r, c] = stack.pop()!;
      cells.push(r!);
      for (const [dr, dc] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
        const nr = r! + dr, nc = c! + dc;
        if (nr < 0 || nc < 0 || nr >= SIDE || nc >= SIDE || label[nr * SIDE + nc] !== -1 || !paper(nr, nc)) continue;
        label[nr * SIDE + nc] = mark;
        stack.push([nr, nc]);
      }
    }
    return cells; // the row of every cell reached
  };
  for (let i = 0; i < SIDE; i++) {
    for (const [r, c] of [[0, i], [SIDE - 1, i], [i, 0], [i, SIDE - 1]] as const) {
      if (label[r * SIDE + c] === -1 && paper(r, c)) flood(r, c, 0);
    }
  }
  let holes = 0, rowSum = 0, cellCount = 0;
  for (let r = 0; r < SIDE; r++) for (let c = 0; c < SIDE; c++) {
    if (label[r * SIDE + c] !== -1 || !paper(r, c)) continue;
    const rows = flood(r, c, ++holes);
    rowSum += rows.reduce((a, b) => a + b, 0);
    cellCount += rows.length;
  }
  return [holes, holes === 0 ? -1 : rowSum / cellCount];
}

/** The share of the ink in each quarter: top-left, top-right, bottom-left, bottom-right. */
export function quarterInk(pixels: ArrayLike<number>): number[] {
  const quarters = [0, 0, 0, 0];
  let total = 0;
  const half = SIDE / 2;
  for (let r = 0; r < SIDE; r++) for (let c = 0; c < SIDE; c++) {
    const v = at(pixels, r, c);
    quarters[(r < half ? 0 : 2) + (c < half ? 0 : 1)]! += v;
    total += v;
  }
  return quarters.map((q) => (total === 0 ? 0.25 : q / total));
}

/** Every designed feature of one digit (64 pixels in [0, 1]), in the order of FEATURE_NAMES. */
export function digitFeatures(pixels: ArrayLike<number>): number[] {
  if (pixels.length !== SIDE * SIDE) throw new Error(`digitFeatures: expected ${SIDE * SIDE} pixels, got ${pixels.length}`);
  const row = (r: number) => Array.from({ length: SIDE }, (_, c) => at(pixels, r, c));
  const column = (c: number) => Array.from({ length: SIDE }, (_, r) => at(pixels, r, c));
  let total = 0;
  for (let i = 0; i < pixels.length; i++) total += pixels[i]!;
  return [
    ...inkProfiles(pixels),
    total / (SIDE * SIDE),
    ...centreOfMass(pixels),
    ...symmetry(pixels),
    ...[2, 4, 6].map((r) => strokesCrossed(row(r))),
    ...[2, 4, 6].map((c) => strokesCrossed(column(c))),
    ...loops(pixels),
    ...quarterInk(pixels),
  ];
}

/** The features of every row of `images` [N, 64] (pixels in [0, 1]): a float32 tensor [N, FEATURE_NAMES.length]. */
export function featureMatrix(images: Tensor): Tensor {
  if (images.ndim !== 2 || images.shape[1] !== SIDE * SIDE) throw new Error(`featureMatrix: expected images [N, 64], got [${images.shape.join(", ")}]`);
  const values = images.contiguous().toTypedArray();
  const n = images.shape[0]!;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(digitFeatures(values.subarray(i * 64, (i + 1) * 64) as ArrayLike<number>));
  return tensor(rows);
}

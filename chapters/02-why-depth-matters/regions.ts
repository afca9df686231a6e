// Decision regions for the scatter plots: the class a 2-D classifier picks at
// the centre of every cell of a grid, computed in one batched forward pass
// instead of one call per cell.

import { noGrad, tensor, type Tensor } from "../../src/index.ts";

export interface RegionGrid {
  xRange: [number, number];
  yRange: [number, number];
  resolution: number;
  /** The class at (x, y): the class of the grid cell that holds the point (edges clamp to the border cells). */
  classify: (x: number, y: number) => number;
}

/** Evaluates `forward` (points [N, 2] → scores [N, classes]) on the resolution × resolution cell centres of the box. */
export function regionGrid(forward: (points: Tensor) => Tensor, xRange: [number, number], yRange: [number, number], resolution = 60): RegionGrid {
  if (!Number.isInteger(resolution) || resolution < 1) throw new Error(`regionGrid: resolution must be a positive integer, got ${resolution}`);
  const [x0, x1] = xRange, [y0, y1] = yRange;
  if (!(x1 > x0) || !(y1 > y0)) throw new Error(`regionGrid: ranges must be increasing, got x [${x0}, ${x1}], y [${y0}, ${y1}]`);
  const dx = (x1 - x0) / resolution, dy = (y1 - y0) / resolution;
  const centres: number[][] = [];
  for (let j = 0; j < resolution; j++) {
    for (let i = 0; i < resolution; i++) centres.push([x0 + (i + 0.5) * dx, y0 + (j + 0.5) * dy]);
  }
  const classes = Array.from(noGrad(() => forward(tensor(centres)).argmax(1)).toTypedArray() as ArrayLike<number>, Number);
  const cell = (value: number, low: number, step: number) => Math.min(resolution - 1, Math.max(0, Math.floor((value - low) / step)));
  return {
    xRange, yRange, resolution,
    classify: (x, y) => classes[cell(y, y0, dy) * resolution + cell(x, x0, dx)]!,
  };
}

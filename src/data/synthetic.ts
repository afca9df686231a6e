// Toy datasets in the plane, made on demand: scikit-learn's make_moons,
// make_circles and make_blobs (same names in camelCase, same geometry, same
// defaults), the CS231n spirals, and the 2-D swiss roll of diffusion demos.
//
//   const [x, y] = makeMoons(200, { noise: 0.1 });   // sklearn: X, y = make_moons(200, noise=0.1)
//
// Each returns a tuple: the points (float32 by default, [n, 2] except for
// blobs with more features) and their labels (int32 [n]), except the swiss
// roll, whose second element is the position t along the roll. Every random
// draw comes from the `generator` option (default: the global generator
// seeded by manualSeed), so the same seed gives the same dataset; the numbers
// are not scikit-learn's, whose generator is NumPy's.
//
// Order of work, as in scikit-learn: the exact points, then a shuffle of the
// rows (unless shuffle: false, which keeps the classes in order 0, 1, ...),
// then Gaussian noise of standard deviation `noise` added to every coordinate.

import { fromValues } from "../core/kernels.ts";
import { defaultGenerator, type Generator } from "../core/random.ts";
import type { Tensor } from "../core/tensor.ts";

export type SyntheticDType = "float32" | "float64";

interface CommonOptions {
  /** Standard deviation of the Gaussian noise added to each coordinate (default 0: exact points). */
  noise?: number;
  /** Shuffle the rows (default true). With false, the classes come in order: all of class 0, then 1, ... */
  shuffle?: boolean;
  generator?: Generator;
  dtype?: SyntheticDType;
}

export type MoonsOptions = CommonOptions;

export interface CirclesOptions extends CommonOptions {
  /** Radius of the inner circle; the outer one has radius 1 (default 0.8, must be in [0, 1)). */
  factor?: number;
}

export interface SpiralsOptions extends CommonOptions {
  /** Number of arms, one class each (default 2). */
  classes?: number;
  /** How many full turns each arm makes around the centre (default 1). */
  turns?: number;
}

export interface BlobsOptions extends Omit<CommonOptions, "noise"> {
  /** How many centres to draw at random (default 3), or the centres themselves, one row of nFeatures numbers each. */
  centers?: number | readonly (readonly number[])[];
  /** Standard deviation of every cluster (default 1), or one per centre. */
  clusterStd?: number | readonly number[];
  /** The box [low, high) random centres are drawn from, in every coordinate (default [-10, 10]). */
  centerBox?: readonly [number, number];
  /** Dimension of the points when the centres are drawn at random (default 2). */
  nFeatures?: number;
}

export interface SwissRollOptions {
  /** Standard deviation of the Gaussian noise added to each coordinate (default 0). */
  noise?: number;
  generator?: Generator;
  dtype?: SyntheticDType;
}

// ---- argument checks and shared steps -------------------------------------

function checkCount(fn: string, name: string, value: number, minimum = 1): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new Error(`${fn}: ${name} must be an integer ≥ ${minimum}, got ${value}`);
  }
}

function checkNonNegative(fn: string, name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new Error(`${fn}: ${name} must be a finite number ≥ 0, got ${value}`);
}

function checkDType(fn: string, dtype: string): SyntheticDType {
  if (dtype !== "float32" && dtype !== "float64") throw new Error(`${fn}: dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
  return dtype;
}

/** sklearn's split of n samples into two classes: n_out = ⌊n/2⌋ on the outer shape, the rest inside; or both given. */
function twoClassCounts(fn: string, nSamples: number | readonly [number, number]): [number, number] {
  if (typeof nSamples === "number") {
    checkCount(fn, "nSamples", nSamples);
    const outer = Math.floor(nSamples / 2);
    return [outer, nSamples - outer];
  }
  if (!Array.isArray(nSamples) || nSamples.length !== 2) {
    throw new Error(`${fn}: nSamples must be a number or a pair [nOuter, nInner], got ${JSON.stringify(nSamples)}`);
  }
  const [outer, inner] = nSamples as readonly [number, number];
  checkCount(fn, "nSamples[0] (outer)", outer, 0);
  checkCount(fn, "nSamples[1] (inner)", inner, 0);
  if (outer + inner === 0) throw new Error(`${fn}: nSamples [0, 0] asks for no points; ask for at least one`);
  return [outer, inner];
}

/** n samples over k classes as evenly as possible: the first n mod k classes get one more (as sklearn's make_blobs). */
function perClassCounts(n: number, classes: number): number[] {
  return Array.from({ length: classes }, (_, k) => Math.floor(n / classes) + (k < n % classes ? 1 : 0));
}

/** x[i] = start + i·(end − start)/(count − 1), or /count without the end point (NumPy's linspace). */
function linspaceValues(start: number, end: number, count: number, endpoint = true): number[] {
  if (count === 1) return [start];
  const divisions = endpoint ? count - 1 : count;
  return Array.from({ length: count }, (_, i) => (endpoint && i === count - 1 ? end : start + (i * (end - start)) / divisions));
}

/**
 * Points (rows of `features` numbers) and labels, built in float64, then
 * shuffled, noised and stored in the requested dtype.
 */
class PointSet {
  readonly points: number[] = [];
  readonly labels: number[] = [];

  constructor(readonly features: number) {}

  add(point: readonly number[], label: number): void {
    this.points.push(...point);
    this.labels.push(label);
  }

  /** Fisher–Yates on the rows, with labels moved alongside (sklearn's utils.shuffle). */
  shuffle(generator: Generator): void {
    const f = this.features;
    for (let i = this.labels.length - 1; i > 0; i--) {
      const j = generator.randint(0, i + 1);
      [this.labels[i], this.labels[j]] = [this.labels[j]!, this.labels[i]!];
      for (let c = 0; c < f; c++) [this.points[i * f + c], this.points[j * f + c]] = [this.points[j * f + c]!, this.points[i * f + c]!];
    }
  }

  /** x += noise · ε, ε ~ N(0, 1) independently for every coordinate. */
  addNoise(noise: number, generator: Generator): void {
    if (noise === 0) return;
    for (let i = 0; i < this.points.length; i++) this.points[i] = this.points[i]! + noise * generator.normal();
  }

  toTensors(dtype: SyntheticDType): [Tensor, Tensor] {
    const values = dtype === "float32" ? Float32Array.from(this.points) : Float64Array.from(this.points);
    const x = fromValues(values, [this.labels.length, this.features], dtype);
    const y = fromValues(Int32Array.from(this.labels), [this.labels.length], "int32");
    return [x, y];
  }
}

/** The shuffle, noise and dtype steps every classification set ends with. */
function finish(fn: string, set: PointSet, options: CommonOptions): [Tensor, Tensor] {
  const { noise = 0, shuffle = true, generator = defaultGenerator, dtype = "float32" } = options;
  checkNonNegative(fn, "noise", noise);
  checkDType(fn, dtype);
  if (shuffle) set.shuffle(generator);
  set.addNoise(noise, generator);
  return set.toTensors(dtype);
}

// ---- the datasets ----------------------------------------------------------

/**
 * Two interleaving half circles, sklearn's make_moons: the outer moon (label 0)
 * is (cos t, sin t) and the inner one (label 1) is (1 − cos t, 1 − sin t − 0.5),
 * for t evenly spaced in [0, π]; ⌊n/2⌋ points on the outer moon, the rest on the
 * inner. No straight line separates them: the first dataset a small MLP
 * classifies that logistic regression cannot. `nSamples` may also be the pair
 * [nOuter, nInner]. Points lie in [−1, 2] × [−0.5, 1] before noise.
 */
export function makeMoons(nSamples: number | readonly [number, number] = 100, options: MoonsOptions = {}): [Tensor, Tensor] {
  const [outer, inner] = twoClassCounts("makeMoons", nSamples);
  const set = new PointSet(2);
  for (const t of linspaceValues(0, Math.PI, outer)) set.add([Math.cos(t), Math.sin(t)], 0);
  for (const t of linspaceValues(0, Math.PI, inner)) set.add([1 - Math.cos(t), 1 - Math.sin(t) - 0.5], 1);
  return finish("makeMoons", set, options);
}

/**
 * Two concentric circles, sklearn's make_circles: ⌊n/2⌋ points evenly spaced on
 * the unit circle (label 0) and the rest on a circle of radius `factor`
 * (label 1). Separable only by a non-linear boundary, or by a linear one on the
 * feature x² + y²: the lesson on feature maps and hidden layers.
 */
export function makeCircles(nSamples: number | readonly [number, number] = 100, options: CirclesOptions = {}): [Tensor, Tensor] {
  const [outer, inner] = twoClassCounts("makeCircles", nSamples);
  const { factor = 0.8 } = options;
  if (!(factor >= 0 && factor < 1)) throw new Error(`makeCircles: factor (the inner radius) must be in [0, 1), got ${factor}`);
  const set = new PointSet(2);
  // Angles evenly spaced over the whole turn, the end point left out (it would repeat the start).
  for (const t of linspaceValues(0, 2 * Math.PI, outer, false)) set.add([Math.cos(t), Math.sin(t)], 0);
  for (const t of linspaceValues(0, 2 * Math.PI, inner, false)) set.add([factor * Math.cos(t), factor * Math.sin(t)], 1);
  return finish("makeCircles", set, options);
}

/**
 * Interleaved spiral arms, one class per arm, after the spirals of CS231n's
 * neural-network case study (there the arms are not exact rotations of each
 * other and the noise jitters the angle; here they are, and noise is added to
 * the coordinates as in the other sets).
 * Along an arm, s runs over (0, 1] in equal steps (s = (i + 1)/m for the arm's
 * m points); the point has radius s and angle 2π·turns·s + 2πk/classes, so
 * class k's arm is class 0's arm rotated by 2πk/classes, and the radius grows
 * as the arm winds. Points lie in the unit disc before noise. The hardest of
 * the 2-D sets: it takes a few hidden layers, and shows decision boundaries
 * bending. The n points are shared as evenly as possible, the first arms
 * taking one more.
 */
export function makeSpirals(nSamples = 100, options: SpiralsOptions = {}): [Tensor, Tensor] {
  const { classes = 2, turns = 1 } = options;
  checkCount("makeSpirals", "nSamples", nSamples);
  checkCount("makeSpirals", "classes", classes);
  if (!Number.isFinite(turns) || turns <= 0) throw new Error(`makeSpirals: turns must be a finite number > 0, got ${turns}`);
  const set = new PointSet(2);
  perClassCounts(nSamples, classes).forEach((count, k) => {
    for (let i = 0; i < count; i++) {
      const s = (i + 1) / count;
      const angle = 2 * Math.PI * turns * s + (2 * Math.PI * k) / classes;
      set.add([s * Math.cos(angle), s * Math.sin(angle)], k);
    }
  });
  return finish("makeSpirals", set, options);
}

/** The centres as rows: given, or drawn uniformly in the box (sklearn draws them before the points). */
function blobCenters(centers: number | readonly (readonly number[])[], options: BlobsOptions, generator: Generator): number[][] {
  if (typeof centers !== "number") {
    if (!Array.isArray(centers) || centers.length === 0) throw new Error("makeBlobs: centers must be a positive integer or a non-empty array of points");
    const nFeatures = centers[0]!.length;
    centers.forEach((center, k) => {
      if (!Array.isArray(center) || center.length !== nFeatures || nFeatures === 0) {
        throw new Error(`makeBlobs: every centre must be a non-empty array of the same length; centre 0 has ${nFeatures} numbers, ` +
          `centre ${k} has ${Array.isArray(center) ? center.length : typeof center}`);
      }
      if (!center.every(Number.isFinite)) throw new Error(`makeBlobs: centre ${k} has a non-finite coordinate: [${center.join(", ")}]`);
    });
    if (options.nFeatures !== undefined && options.nFeatures !== nFeatures) {
      throw new Error(`makeBlobs: nFeatures is ${options.nFeatures} but the centres have ${nFeatures} coordinates`);
    }
    return centers.map((center) => [...center]);
  }
  checkCount("makeBlobs", "centers", centers);
  const { nFeatures = 2, centerBox = [-10, 10] } = options;
  checkCount("makeBlobs", "nFeatures", nFeatures);
  const [low, high] = centerBox;
  if (!Number.isFinite(low) || !Number.isFinite(high) || low > high) {
    throw new Error(`makeBlobs: centerBox must be [low, high] with finite low ≤ high, got [${centerBox.join(", ")}]`);
  }
  return Array.from({ length: centers }, () => Array.from({ length: nFeatures }, () => low + (high - low) * generator.random()));
}

/**
 * Gaussian clusters, sklearn's make_blobs: point = centre_k + clusterStd_k · ε,
 * ε ~ N(0, I), label k. With a number of centres, the centres are drawn
 * uniformly in centerBox (in nFeatures dimensions). The n points are shared as
 * evenly as possible, the first centres taking one more. The dataset for
 * k-means, for a linear classifier's first success, and for seeing what
 * standardizing features does.
 */
export function makeBlobs(nSamples = 100, options: BlobsOptions = {}): [Tensor, Tensor] {
  const { centers: centersOption = 3, clusterStd = 1, generator = defaultGenerator } = options;
  checkCount("makeBlobs", "nSamples", nSamples);
  const centers = blobCenters(centersOption, options, generator);
  const stds = typeof clusterStd === "number" ? centers.map(() => clusterStd) : [...clusterStd];
  if (stds.length !== centers.length) {
    throw new Error(`makeBlobs: clusterStd has ${stds.length} values for ${centers.length} centres; give one per centre or a single number`);
  }
  stds.forEach((std) => checkNonNegative("makeBlobs", "clusterStd", std));
  const set = new PointSet(centers[0]!.length);
  perClassCounts(nSamples, centers.length).forEach((count, k) => {
    const center = centers[k]!;
    for (let i = 0; i < count; i++) set.add(center.map((c) => c + stds[k]! * generator.normal()), k);
  });
  return finish("makeBlobs", set, { ...options, noise: 0, generator });
}

/**
 * The 2-D swiss roll that diffusion-model demos learn to sample from: the
 * (x, z) plane of sklearn's make_swiss_roll. t = 1.5π(1 + 2u) with u uniform in
 * [0, 1), so t runs over [1.5π, 4.5π) (a turn and a half), and the point is
 * (t cos t, t sin t) + noise·ε: its distance from the origin is t. Returns the
 * points [n, 2] and t [n] (same float dtype). Scale: the points reach a radius
 * of 4.5π ≈ 14.1, so a demo usually divides them by about 10 (or standardizes
 * them) before training, and noise is in the same units (0.5 is a soft roll).
 */
export function makeSwissRoll2d(nSamples = 100, options: SwissRollOptions = {}): [Tensor, Tensor] {
  const { noise = 0, generator = defaultGenerator, dtype = "float32" } = options;
  checkCount("makeSwissRoll2d", "nSamples", nSamples);
  checkNonNegative("makeSwissRoll2d", "noise", noise);
  checkDType("makeSwissRoll2d", dtype);
  const positions: number[] = [];
  const points: number[] = [];
  for (let i = 0; i < nSamples; i++) {
    const t = 1.5 * Math.PI * (1 + 2 * generator.random());
    positions.push(t);
    points.push(t * Math.cos(t), t * Math.sin(t));
  }
  if (noise > 0) for (let i = 0; i < points.length; i++) points[i] = points[i]! + noise * generator.normal();
  const Values = dtype === "float32" ? Float32Array : Float64Array;
  return [fromValues(Values.from(points), [nSamples, 2], dtype), fromValues(Values.from(positions), [nSamples], dtype)];
}

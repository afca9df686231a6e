// The synthetic datasets (moons, circles, spirals, blobs, swiss roll) and the
// time series: shapes and dtypes, class balance, the exact geometry without
// noise, the size of the noise, seeding, shuffling, and argument errors.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Generator, arange, manualSeed, tensor, type Tensor } from "../../src/core/index.ts";
import { makeBlobs, makeCircles, makeMoons, makeSpirals, makeSwissRoll2d } from "../../src/data/synthetic.ts";
import { makeSeasonalSeries, makeSineSeries, slidingWindows } from "../../src/data/timeseries.ts";

/** The rows of an [n, d] tensor as arrays of numbers. */
function rows(x: Tensor): number[][] {
  return x.tolist() as number[][];
}

function labels(y: Tensor): number[] {
  return y.tolist() as number[];
}

function counts(y: Tensor, classes: number): number[] {
  const result = new Array<number>(classes).fill(0);
  for (const label of labels(y)) result[label]!++;
  return result;
}

function standardDeviation(values: readonly number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
}

/** The standard deviation of (a − b) over all elements of two same-shaped tensors. */
function spreadOfDifference(a: Tensor, b: Tensor): number {
  const av = a.toTypedArray(), bv = b.toTypedArray();
  return standardDeviation(Array.from(av, (v, i) => v - bv[i]!));
}

function sameTensors(a: readonly Tensor[], b: readonly Tensor[]): boolean {
  return a.every((t, i) => JSON.stringify(t.tolist()) === JSON.stringify(b[i]!.tolist()));
}

/** Sorted rows with their labels, to compare a shuffled set with an unshuffled one. */
function sortedPairs(x: Tensor, y: Tensor): string[] {
  const ys = labels(y);
  return rows(x).map((row, i) => JSON.stringify([ys[i], ...row])).sort();
}

describe("makeMoons", () => {
  test("defaults: 100 float32 points, int32 labels, 50 per moon", () => {
    const [x, y] = makeMoons(undefined, { generator: new Generator(0) });
    assert.deepEqual(x.shape, [100, 2]);
    assert.equal(x.dtype, "float32");
    assert.deepEqual(y.shape, [100]);
    assert.equal(y.dtype, "int32");
    assert.deepEqual(counts(y, 2), [50, 50]);
  });

  test("without noise, every point lies exactly on its half circle", () => {
    const [x, y] = makeMoons(201, { generator: new Generator(1), dtype: "float64" });
    assert.deepEqual(counts(y, 2), [100, 101]); // n_out = ⌊n/2⌋, the rest inside
    const ys = labels(y);
    rows(x).forEach(([px, py], i) => {
      // Outer moon: the upper unit half circle. Inner moon: the lower half circle of radius 1 about (1, 0.5).
      const [cx, cy, upper] = ys[i] === 0 ? [0, 0, true] : [1, 0.5, false];
      assert.ok(Math.abs(Math.hypot(px! - cx, py! - cy) - 1) < 1e-12, `point ${i} (${px}, ${py}) is off its arc`);
      assert.ok(upper ? py! >= -1e-12 : py! <= 0.5 + 1e-12, `point ${i} is on the wrong half`);
    });
  });

  test("shuffle: false keeps the classes in order and t running from 0 to π, as sklearn", () => {
    const [x, y] = makeMoons(7, { shuffle: false });
    assert.deepEqual(labels(y), [0, 0, 0, 1, 1, 1, 1]);
    const points = rows(x);
    const expected = [
      [1, 0], [0, 1], [-1, 0], // outer: (cos t, sin t), t = 0, π/2, π
      [0, 0.5], [0.5, -0.3660254], [1.5, -0.3660254], [2, 0.5], // inner: (1 − cos t, 0.5 − sin t), t = 0, π/3, 2π/3, π
    ];
    points.forEach((point, i) => point.forEach((v, d) => assert.ok(Math.abs(v - expected[i]![d]!) < 1e-6, `point ${i}: ${point} vs ${expected[i]}`)));
  });

  test("nSamples as a pair [nOuter, nInner]", () => {
    const [x, y] = makeMoons([3, 5], { generator: new Generator(0) });
    assert.deepEqual(x.shape, [8, 2]);
    assert.deepEqual(counts(y, 2), [3, 5]);
    const [, single] = makeMoons([0, 1], { shuffle: false });
    assert.deepEqual(labels(single), [1]);
  });

  test("shuffling permutes the rows with their labels", () => {
    const [xs, ys] = makeMoons(40, { generator: new Generator(3) });
    const [xo, yo] = makeMoons(40, { shuffle: false });
    assert.notDeepEqual(labels(ys), labels(yo));
    assert.deepEqual(sortedPairs(xs, ys), sortedPairs(xo, yo));
  });

  test("noise adds Gaussian noise of that standard deviation to every coordinate", () => {
    const [clean] = makeMoons(4000, { shuffle: false, dtype: "float64" });
    for (const noise of [0.05, 0.3]) {
      const [noisy] = makeMoons(4000, { shuffle: false, noise, generator: new Generator(2), dtype: "float64" });
      const spread = spreadOfDifference(noisy, clean);
      assert.ok(Math.abs(spread - noise) < 0.05 * noise, `noise ${noise}: measured spread ${spread}`);
    }
  });

  test("the same seed gives the same data, another seed other data, the default generator follows manualSeed", () => {
    const a = makeMoons(50, { noise: 0.1, generator: new Generator(7) });
    const b = makeMoons(50, { noise: 0.1, generator: new Generator(7) });
    const c = makeMoons(50, { noise: 0.1, generator: new Generator(8) });
    assert.ok(sameTensors(a, b));
    assert.ok(!sameTensors(a, c));
    manualSeed(11);
    const d = makeMoons(50, { noise: 0.1 });
    manualSeed(11);
    assert.ok(sameTensors(d, makeMoons(50, { noise: 0.1 })));
  });

  test("argument errors name the function and the value", () => {
    assert.throws(() => makeMoons(0), /makeMoons: nSamples must be an integer ≥ 1, got 0/);
    assert.throws(() => makeMoons(2.5), /makeMoons: nSamples must be an integer ≥ 1, got 2.5/);
    assert.throws(() => makeMoons([0, 0]), /makeMoons: nSamples \[0, 0\] asks for no points/);
    assert.throws(() => makeMoons([1, -1]), /makeMoons: nSamples\[1\] \(inner\) must be an integer ≥ 0, got -1/);
    assert.throws(() => makeMoons([1, 2, 3] as unknown as [number, number]), /makeMoons: nSamples must be a number or a pair/);
    assert.throws(() => makeMoons(10, { noise: -0.1 }), /makeMoons: noise must be a finite number ≥ 0, got -0.1/);
    assert.throws(() => makeMoons(10, { noise: NaN }), /noise must be a finite number ≥ 0, got NaN/);
    assert.throws(() => makeMoons(10, { dtype: "int32" as "float32" }), /makeMoons: dtype must be "float32" or "float64", got "int32"/);
  });
});

describe("makeCircles", () => {
  test("two circles of radius 1 and factor, evenly spaced, outer first when not shuffled", () => {
    const [x, y] = makeCircles(9, { factor: 0.5, shuffle: false, dtype: "float64" });
    assert.deepEqual(labels(y), [0, 0, 0, 0, 1, 1, 1, 1, 1]);
    const points = rows(x);
    points.forEach(([px, py], i) => {
      const radius = i < 4 ? 1 : 0.5;
      assert.ok(Math.abs(Math.hypot(px!, py!) - radius) < 1e-12, `point ${i} has radius ${Math.hypot(px!, py!)}, want ${radius}`);
    });
    // Angles 0, π/2, π, 3π/2 on the outer circle: the end point 2π is left out, so no point repeats.
    const outerAngles = points.slice(0, 4).map(([px, py]) => Math.atan2(py!, px!));
    [0, Math.PI / 2, Math.PI, -Math.PI / 2].forEach((angle, i) => assert.ok(Math.abs(outerAngles[i]! - angle) < 1e-12));
    const innerAngles = points.slice(4).map(([px, py]) => (Math.atan2(py!, px!) + 2 * Math.PI) % (2 * Math.PI));
    innerAngles.forEach((angle, i) => assert.ok(Math.abs(angle - (2 * Math.PI * i) / 5) < 1e-9, `inner angle ${i}: ${angle}`));
  });

  test("defaults: factor 0.8, balanced, shuffled, float32", () => {
    const [x, y] = makeCircles(100, { generator: new Generator(0) });
    assert.equal(x.dtype, "float32");
    assert.deepEqual(counts(y, 2), [50, 50]);
    assert.notDeepEqual(labels(y).slice(0, 50), new Array(50).fill(0));
    const ys = labels(y);
    rows(x).forEach(([px, py], i) => assert.ok(Math.abs(Math.hypot(px!, py!) - (ys[i] === 0 ? 1 : 0.8)) < 1e-6));
  });

  test("noise spreads the points off the circles", () => {
    const [clean] = makeCircles(2000, { shuffle: false, dtype: "float64" });
    const [noisy] = makeCircles(2000, { shuffle: false, noise: 0.1, generator: new Generator(4), dtype: "float64" });
    const spread = spreadOfDifference(noisy, clean);
    assert.ok(Math.abs(spread - 0.1) < 0.006, `spread ${spread}`);
  });

  test("seeded", () => {
    const a = makeCircles(30, { noise: 0.05, generator: new Generator(1) });
    assert.ok(sameTensors(a, makeCircles(30, { noise: 0.05, generator: new Generator(1) })));
    assert.ok(!sameTensors(a, makeCircles(30, { noise: 0.05, generator: new Generator(2) })));
  });

  test("factor must be in [0, 1)", () => {
    assert.throws(() => makeCircles(10, { factor: 1 }), /makeCircles: factor \(the inner radius\) must be in \[0, 1\), got 1/);
    assert.throws(() => makeCircles(10, { factor: -0.1 }), /got -0.1/);
    assert.throws(() => makeCircles(-3), /makeCircles: nSamples must be an integer ≥ 1, got -3/);
  });
});

describe("makeSpirals", () => {
  test("each arm is arm 0 rotated by 2πk/classes, and the radius grows along the arm", () => {
    const classes = 3, perArm = 50;
    const [x, y] = makeSpirals(classes * perArm, { classes, turns: 1.5, shuffle: false, dtype: "float64" });
    assert.deepEqual(counts(y, classes), [perArm, perArm, perArm]);
    const points = rows(x);
    for (let k = 1; k < classes; k++) {
      const angle = (2 * Math.PI * k) / classes;
      for (let i = 0; i < perArm; i++) {
        const [ax, ay] = points[i]!;
        const [bx, by] = points[k * perArm + i]!;
        const rotated = [ax! * Math.cos(angle) - ay! * Math.sin(angle), ax! * Math.sin(angle) + ay! * Math.cos(angle)];
        assert.ok(Math.abs(bx! - rotated[0]!) < 1e-12 && Math.abs(by! - rotated[1]!) < 1e-12, `arm ${k} point ${i}`);
      }
    }
    // Along arm 0: radius s = (i + 1)/m, angle 2π·turns·s.
    for (let i = 0; i < perArm; i++) {
      const [px, py] = points[i]!;
      const s = (i + 1) / perArm;
      assert.ok(Math.abs(Math.hypot(px!, py!) - s) < 1e-12);
      const angle = 2 * Math.PI * 1.5 * s;
      assert.ok(Math.abs(px! - s * Math.cos(angle)) < 1e-12 && Math.abs(py! - s * Math.sin(angle)) < 1e-12);
    }
  });

  test("defaults: 2 arms, 100 points, float32, shuffled; uneven counts give the first arms one more", () => {
    const [x, y] = makeSpirals(undefined, { generator: new Generator(0) });
    assert.deepEqual(x.shape, [100, 2]);
    assert.equal(x.dtype, "float32");
    assert.deepEqual(counts(y, 2), [50, 50]);
    const [, uneven] = makeSpirals(10, { classes: 3, shuffle: false });
    assert.deepEqual(labels(uneven), [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]);
  });

  test("noise and seeding", () => {
    const [clean] = makeSpirals(2000, { shuffle: false, dtype: "float64" });
    const [noisy] = makeSpirals(2000, { shuffle: false, noise: 0.02, generator: new Generator(5), dtype: "float64" });
    assert.ok(Math.abs(spreadOfDifference(noisy, clean) - 0.02) < 0.0015);
    const a = makeSpirals(60, { classes: 3, noise: 0.1, generator: new Generator(9) });
    assert.ok(sameTensors(a, makeSpirals(60, { classes: 3, noise: 0.1, generator: new Generator(9) })));
    assert.ok(!sameTensors(a, makeSpirals(60, { classes: 3, noise: 0.1, generator: new Generator(10) })));
  });

  test("argument errors", () => {
    assert.throws(() => makeSpirals(10, { classes: 0 }), /makeSpirals: classes must be an integer ≥ 1, got 0/);
    assert.throws(() => makeSpirals(10, { turns: 0 }), /makeSpirals: turns must be a finite number > 0, got 0/);
    assert.throws(() => makeSpirals(10, { turns: Infinity }), /turns must be a finite number > 0, got Infinity/);
    assert.throws(() => makeSpirals(NaN), /makeSpirals: nSamples must be an integer ≥ 1, got NaN/);
  });
});

describe("makeBlobs", () => {
  test("cluster means sit on the given centres and spreads equal clusterStd", () => {
    const centers = [[0, 0], [10, 10], [-10, 5]];
    const n = 3000;
    const [x, y] = makeBlobs(n, { centers, clusterStd: 0.5, generator: new Generator(1), dtype: "float64" });
    assert.deepEqual(x.shape, [n, 2]);
    assert.deepEqual(counts(y, 3), [1000, 1000, 1000]);
    const ys = labels(y);
    const points = rows(x);
    centers.forEach((center, k) => {
      const members = points.filter((_, i) => ys[i] === k);
      for (let d = 0; d < 2; d++) {
        const coordinate = members.map((p) => p[d]!);
        const mean = coordinate.reduce((a, b) => a + b, 0) / coordinate.length;
        // Standard error of the mean: 0.5/√1000 ≈ 0.016; of the std: 0.5/√2000 ≈ 0.011.
        assert.ok(Math.abs(mean - center[d]!) < 0.08, `cluster ${k} dim ${d}: mean ${mean}, centre ${center[d]}`);
        const spread = standardDeviation(coordinate);
        assert.ok(Math.abs(spread - 0.5) < 0.05, `cluster ${k} dim ${d}: std ${spread}`);
      }
    });
  });

  test("one std per centre; the first centres take the extra points", () => {
    const [x, y] = makeBlobs(7, { centers: [[0], [100]], clusterStd: [0, 2], shuffle: false });
    assert.deepEqual(x.shape, [7, 1]);
    assert.deepEqual(labels(y), [0, 0, 0, 0, 1, 1, 1]);
    assert.deepEqual(rows(x).slice(0, 4), [[0], [0], [0], [0]]); // std 0: exactly on the centre
    assert.ok(rows(x).slice(4).every(([v]) => Math.abs(v! - 100) < 10 && v !== 100));
  });

  test("random centres lie in centerBox, in nFeatures dimensions; defaults are 3 centres in [-10, 10]²", () => {
    const [x, y] = makeBlobs(600, { centers: 4, nFeatures: 5, centerBox: [20, 30], clusterStd: 0.01, generator: new Generator(2) });
    assert.deepEqual(x.shape, [600, 5]);
    assert.deepEqual(counts(y, 4), [150, 150, 150, 150]);
    assert.ok(Array.from(x.toTypedArray()).every((v) => v > 19.9 && v < 30.1));
    const [xd, yd] = makeBlobs(300, { clusterStd: 0.01, generator: new Generator(3) });
    assert.deepEqual(xd.shape, [300, 2]);
    assert.deepEqual(counts(yd, 3), [100, 100, 100]);
    assert.ok(Array.from(xd.toTypedArray()).every((v) => v > -10.1 && v < 10.1));
    // Three distinct cluster centres: the points of one label stay within 0.1 of each other.
    const ys = labels(yd);
    const byLabel = [0, 1, 2].map((k) => rows(xd).filter((_, i) => ys[i] === k));
    byLabel.forEach((members) => members.forEach((p) => assert.ok(Math.hypot(p[0]! - members[0]![0]!, p[1]! - members[0]![1]!) < 0.1)));
  });

  test("seeded", () => {
    const a = makeBlobs(50, { generator: new Generator(4) });
    assert.ok(sameTensors(a, makeBlobs(50, { generator: new Generator(4) })));
    assert.ok(!sameTensors(a, makeBlobs(50, { generator: new Generator(5) })));
  });

  test("argument errors", () => {
    assert.throws(() => makeBlobs(10, { centers: 0 }), /makeBlobs: centers must be an integer ≥ 1, got 0/);
    assert.throws(() => makeBlobs(10, { centers: [] }), /makeBlobs: centers must be a positive integer or a non-empty array/);
    assert.throws(() => makeBlobs(10, { centers: [[0, 0], [1]] }), /makeBlobs: every centre must be a non-empty array of the same length; centre 0 has 2 numbers, centre 1 has 1/);
    assert.throws(() => makeBlobs(10, { centers: [[0, NaN]] }), /makeBlobs: centre 0 has a non-finite coordinate/);
    assert.throws(() => makeBlobs(10, { centers: [[0, 0]], nFeatures: 3 }), /makeBlobs: nFeatures is 3 but the centres have 2 coordinates/);
    assert.throws(() => makeBlobs(10, { clusterStd: [1, 2] }), /makeBlobs: clusterStd has 2 values for 3 centres/);
    assert.throws(() => makeBlobs(10, { clusterStd: -1 }), /makeBlobs: clusterStd must be a finite number ≥ 0, got -1/);
    assert.throws(() => makeBlobs(10, { centerBox: [5, -5] }), /makeBlobs: centerBox must be \[low, high\] with finite low ≤ high, got \[5, -5\]/);
    assert.throws(() => makeBlobs(10, { nFeatures: 0 }), /makeBlobs: nFeatures must be an integer ≥ 1, got 0/);
    assert.throws(() => makeBlobs(0), /makeBlobs: nSamples must be an integer ≥ 1, got 0/);
  });
});

describe("makeSwissRoll2d", () => {
  test("without noise, each point is (t cos t, t sin t): its radius is t, with t in [1.5π, 4.5π)", () => {
    const [x, t] = makeSwissRoll2d(500, { generator: new Generator(0), dtype: "float64" });
    assert.deepEqual(x.shape, [500, 2]);
    assert.deepEqual(t.shape, [500]);
    assert.equal(t.dtype, "float64");
    const ts = t.tolist() as number[];
    rows(x).forEach(([px, py], i) => {
      const position = ts[i]!;
      assert.ok(position >= 1.5 * Math.PI && position < 4.5 * Math.PI);
      assert.ok(Math.abs(Math.hypot(px!, py!) - position) < 1e-9, `point ${i}: radius ${Math.hypot(px!, py!)} vs t ${position}`);
      assert.ok(Math.abs(px! - position * Math.cos(position)) < 1e-9 && Math.abs(py! - position * Math.sin(position)) < 1e-9);
    });
    // t = 1.5π(1 + 2u) with u uniform: its mean is 3π.
    const mean = ts.reduce((a, b) => a + b, 0) / ts.length;
    assert.ok(Math.abs(mean - 3 * Math.PI) < 0.4, `mean t ${mean}`);
  });

  test("float32 by default; noise moves the points by about `noise`; seeded", () => {
    const [x, t] = makeSwissRoll2d(3000, { noise: 0.5, generator: new Generator(1) });
    assert.equal(x.dtype, "float32");
    assert.equal(t.dtype, "float32");
    const ts = t.toTypedArray();
    const offsets = rows(x).flatMap(([px, py], i) => [px! - ts[i]! * Math.cos(ts[i]!), py! - ts[i]! * Math.sin(ts[i]!)]);
    assert.ok(Math.abs(standardDeviation(offsets) - 0.5) < 0.03, `spread ${standardDeviation(offsets)}`);
    const a = makeSwissRoll2d(20, { generator: new Generator(2) });
    assert.ok(sameTensors(a, makeSwissRoll2d(20, { generator: new Generator(2) })));
    assert.ok(!sameTensors(a, makeSwissRoll2d(20, { generator: new Generator(3) })));
    assert.deepEqual(makeSwissRoll2d().map((r) => r.shape), [[100, 2], [100]]);
  });

  test("argument errors", () => {
    assert.throws(() => makeSwissRoll2d(0), /makeSwissRoll2d: nSamples must be an integer ≥ 1, got 0/);
    assert.throws(() => makeSwissRoll2d(10, { noise: -1 }), /makeSwissRoll2d: noise must be a finite number ≥ 0, got -1/);
    assert.throws(() => makeSwissRoll2d(10, { dtype: "bool" as "float32" }), /makeSwissRoll2d: dtype must be "float32" or "float64"/);
  });
});

describe("makeSineSeries", () => {
  test("the default is one sine of period 25 and amplitude 1, float32", () => {
    const series = makeSineSeries(100);
    assert.deepEqual(series.shape, [100]);
    assert.equal(series.dtype, "float32");
    const values = series.toTypedArray();
    values.forEach((v, t) => assert.ok(Math.abs(v - Math.sin((2 * Math.PI * t) / 25)) < 1e-6, `t = ${t}`));
  });

  test("values follow offset + trend·t + Σ a_k sin(2πt/p_k + φ_k)", () => {
    const options = { periods: [10, 4], amplitudes: [2, 0.5], phases: [0.3, 1], trend: 0.1, offset: 3, dtype: "float64" as const };
    const values = makeSineSeries(60, options).toTypedArray();
    values.forEach((v, t) => {
      const expected = 3 + 0.1 * t + 2 * Math.sin((2 * Math.PI * t) / 10 + 0.3) + 0.5 * Math.sin((2 * Math.PI * t) / 4 + 1);
      assert.ok(Math.abs(v - expected) < 1e-12, `t = ${t}: ${v} vs ${expected}`);
    });
  });

  test("random phases: seeded, not all zero, and the series keeps its period", () => {
    const a = makeSineSeries(80, { periods: [20], randomPhases: true, generator: new Generator(1), dtype: "float64" }).toTypedArray();
    const b = makeSineSeries(80, { periods: [20], randomPhases: true, generator: new Generator(1), dtype: "float64" }).toTypedArray();
    const c = makeSineSeries(80, { periods: [20], randomPhases: true, generator: new Generator(2), dtype: "float64" }).toTypedArray();
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    assert.ok(Math.abs(a[0]!) > 1e-6);
    for (let t = 0; t + 20 < 80; t++) assert.ok(Math.abs(a[t]! - a[t + 20]!) < 1e-12);
  });

  test("noise adds N(0, noise²) to each value", () => {
    const clean = makeSineSeries(5000, { dtype: "float64" });
    const noisy = makeSineSeries(5000, { noise: 0.3, generator: new Generator(3), dtype: "float64" });
    assert.ok(Math.abs(spreadOfDifference(noisy, clean) - 0.3) < 0.015);
    const again = makeSineSeries(5000, { noise: 0.3, generator: new Generator(3), dtype: "float64" });
    assert.deepEqual(noisy.toTypedArray(), again.toTypedArray());
  });

  test("argument errors", () => {
    assert.throws(() => makeSineSeries(0), /makeSineSeries: length must be an integer ≥ 1, got 0/);
    assert.throws(() => makeSineSeries(10, { periods: [] }), /makeSineSeries: periods must be a non-empty array of numbers/);
    assert.throws(() => makeSineSeries(10, { periods: [5, 0] }), /makeSineSeries: periods\[1\] must be a finite number > 0, got 0/);
    assert.throws(() => makeSineSeries(10, { periods: [5, 7], amplitudes: [1] }), /makeSineSeries: amplitudes has 1 values for 2 periods/);
    assert.throws(() => makeSineSeries(10, { phases: [NaN] }), /makeSineSeries: phases\[0\] must be a finite number, got NaN/);
    assert.throws(() => makeSineSeries(10, { phases: [0], randomPhases: true }), /makeSineSeries: give phases or randomPhases: true, not both/);
    assert.throws(() => makeSineSeries(10, { noise: -1 }), /makeSineSeries: noise must be a finite number ≥ 0, got -1/);
    assert.throws(() => makeSineSeries(10, { trend: Infinity }), /makeSineSeries: trend must be a finite number, got Infinity/);
    assert.throws(() => makeSineSeries(10, { dtype: "int32" as "float32" }), /makeSineSeries: dtype must be "float32" or "float64"/);
  });
});

describe("makeSeasonalSeries", () => {
  test("level + trend + weekly and yearly sines, plus noise", () => {
    const options = { level: 50, trend: 0.2, weeklyAmplitude: 5, yearlyAmplitude: 8, noise: 0, dtype: "float64" as const };
    const values = makeSeasonalSeries(800, options).toTypedArray();
    values.forEach((v, t) => {
      const expected = 50 + 0.2 * t + 5 * Math.sin((2 * Math.PI * t) / 7) + 8 * Math.sin((2 * Math.PI * t) / 365.25);
      assert.ok(Math.abs(v - expected) < 1e-9, `day ${t}`);
    });
    // Defaults: level 100, trend 0.05, weekly 10, yearly 20, noise 4.
    const noisy = makeSeasonalSeries(3000, { generator: new Generator(1), dtype: "float64" });
    const clean = makeSeasonalSeries(3000, { noise: 0, dtype: "float64" });
    assert.ok(Math.abs(spreadOfDifference(noisy, clean) - 4) < 0.25);
    const first = clean.toTypedArray();
    assert.ok(Math.abs(first[10]! - (100 + 0.5 + 10 * Math.sin((2 * Math.PI * 10) / 7) + 20 * Math.sin((2 * Math.PI * 10) / 365.25))) < 1e-9);
    assert.equal(makeSeasonalSeries(5).dtype, "float32");
  });

  test("argument errors name makeSeasonalSeries", () => {
    assert.throws(() => makeSeasonalSeries(0), /makeSeasonalSeries: length must be an integer ≥ 1, got 0/);
    assert.throws(() => makeSeasonalSeries(10, { level: NaN }), /makeSeasonalSeries: level must be a finite number, got NaN/);
    assert.throws(() => makeSeasonalSeries(10, { weeklyAmplitude: Infinity }), /makeSeasonalSeries: weeklyAmplitude must be a finite number/);
    assert.throws(() => makeSeasonalSeries(10, { yearlyAmplitude: NaN }), /makeSeasonalSeries: yearlyAmplitude must be a finite number/);
    assert.throws(() => makeSeasonalSeries(10, { noise: -2 }), /makeSeasonalSeries: noise must be a finite number ≥ 0, got -2/);
  });
});

describe("slidingWindows", () => {
  test("x[i] = series[i : i + L], y[i] = series[i + L : i + L + horizon], as [N, L, 1] and [N, horizon]", () => {
    const series = arange(10).float();
    const [x, y] = slidingWindows(series, 3, 2);
    assert.deepEqual(x.shape, [6, 3, 1]); // N = 10 − 3 − 2 + 1
    assert.deepEqual(y.shape, [6, 2]);
    assert.equal(x.dtype, "float32");
    const windows = x.tolist() as number[][][];
    const targets = y.tolist() as number[][];
    for (let i = 0; i < 6; i++) {
      assert.deepEqual(windows[i], [[i], [i + 1], [i + 2]]);
      assert.deepEqual(targets[i], [i + 3, i + 4]);
    }
  });

  test("horizon defaults to 1; stride skips windows; the count is ⌊(length − L − horizon)/stride⌋ + 1", () => {
    const [x1, y1] = slidingWindows(arange(5), 4);
    assert.deepEqual(x1.tolist(), [[[0], [1], [2], [3]]]);
    assert.deepEqual(y1.tolist(), [[4]]);
    assert.equal(x1.dtype, "int32");
    const [x, y] = slidingWindows(arange(12, undefined, 1, { dtype: "float64" }), 3, 1, { stride: 4 });
    assert.equal(x.dtype, "float64");
    assert.deepEqual(x.shape, [3, 3, 1]); // ⌊(12 − 4)/4⌋ + 1
    assert.deepEqual(y.tolist(), [[3], [7], [11]]);
    assert.deepEqual((x.tolist() as number[][][]).map((w) => w.flat()), [[0, 1, 2], [4, 5, 6], [8, 9, 10]]);
  });

  test("reads non-contiguous series, and leaves the input alone", () => {
    const base = arange(20).float();
    const everyOther = base.slice(0, 0, 20, 2); // 0, 2, 4, ..., 18
    const [x, y] = slidingWindows(everyOther, 2, 1, { stride: 3 });
    assert.deepEqual((x.tolist() as number[][][]).map((w) => w.flat()), [[0, 2], [6, 8], [12, 14]]);
    assert.deepEqual(y.tolist(), [[4], [10], [16]]);
    assert.deepEqual(base.tolist(), Array.from({ length: 20 }, (_, i) => i));
  });

  test("windows of a sine series line up with the series", () => {
    const series = makeSineSeries(40, { periods: [8], dtype: "float64" });
    const [x, y] = slidingWindows(series, 8, 3);
    const values = series.toTypedArray();
    assert.equal(x.shape[0], 40 - 8 - 3 + 1);
    const targets = y.tolist() as number[][];
    targets.forEach((target, i) => assert.deepEqual(target, [values[i + 8], values[i + 9], values[i + 10]]));
  });

  test("errors: the shape, the lengths, too short a series", () => {
    assert.throws(() => slidingWindows(tensor([[1, 2], [3, 4]]), 1), /slidingWindows: the series must be 1-D \[length\], got shape \[2, 2\]/);
    assert.throws(() => slidingWindows(arange(5).float(), 0), /slidingWindows: inputLength must be an integer ≥ 1, got 0/);
    assert.throws(() => slidingWindows(arange(5).float(), 2, 0), /slidingWindows: horizon must be an integer ≥ 1, got 0/);
    assert.throws(() => slidingWindows(arange(5).float(), 2, 1, { stride: 1.5 }), /slidingWindows: stride must be an integer ≥ 1, got 1.5/);
    assert.throws(() => slidingWindows(arange(5).float(), 4, 2),
      /slidingWindows: a series of length 5 is too short for one window of inputLength 4 \+ horizon 2 = 6/);
  });
});

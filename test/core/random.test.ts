// The seeded generator: reproducible streams, checkpointable state, and draws
// with the right distributions. Statistical bounds are set at about five
// standard errors: they do not fail by chance (the seeds are fixed anyway),
// but any real bias of a few percent makes them fail.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Generator, defaultGenerator, manualSeed, rand, randint, randn, randperm } from "../../src/index.ts";

const N = 100_000;

function meanOf(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total / values.length;
}

function varianceOf(values: ArrayLike<number>): number {
  const mean = meanOf(values);
  let total = 0;
  for (let i = 0; i < values.length; i++) total += (values[i]! - mean) ** 2;
  return total / values.length;
}

/** Pearson's chi-square statistic of observed counts against equal expected counts. */
function chiSquare(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
}

describe("reproducibility", () => {
  test("the same seed gives the same sequence, for every kind of draw", () => {
    const a = new Generator(42);
    const b = new Generator(42);
    for (let i = 0; i < 50; i++) {
      assert.equal(a.nextUint32(), b.nextUint32());
      assert.equal(a.random(), b.random());
      assert.equal(a.normal(), b.normal());
      assert.equal(a.randint(-5, 1000), b.randint(-5, 1000));
    }
  });

  test("different seeds give different sequences (nearby seeds included)", () => {
    const firsts = new Set<number>();
    for (let seed = 0; seed < 100; seed++) firsts.add(new Generator(seed).nextUint32());
    assert.equal(firsts.size, 100);
    const a = Array.from({ length: 10 }, ((g) => () => g.random())(new Generator(1)));
    const b = Array.from({ length: 10 }, ((g) => () => g.random())(new Generator(2)));
    assert.notDeepEqual(a, b);
  });

  test("the xoshiro128** step matches the reference algorithm", () => {
    // Computed with an independent implementation of xoshiro128** (Blackman & Vigna) from state {1, 2, 3, 4}.
    const g = new Generator();
    g.setState([1, 2, 3, 4, NaN, 0]);
    assert.deepEqual(Array.from({ length: 6 }, () => g.nextUint32()), [11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
    g.setState([0x9e3779b9, 0xdeadbeef, 0x12345678, 0xcafebabe, NaN, 0]);
    assert.deepEqual(Array.from({ length: 6 }, () => g.nextUint32()), [1162347276, 1472368062, 1418534623, 1491141494, 2752657876, 2641277244]);
  });

  test("random() joins 27 + 26 bits of two draws into a double in [0, 1)", () => {
    // From state {1, 2, 3, 4}: draws 11520, 0, 5927040, 70819200, 2031721883, 1637235492;
    // random() = ((a >>> 5)·2^26 + (b >>> 6)) / 2^53, computed independently in Python.
    const g = new Generator();
    g.setState([1, 2, 3, 4, NaN, 0]);
    assert.deepEqual([g.random(), g.random(), g.random()], [2.682209014892578e-6, 0.0013799966610139602, 0.4730471102982654]);
  });

  test("manualSeed restarts the default generator, and the random tensor functions follow it", () => {
    manualSeed(5);
    const first = Array.from(rand([10]).toTypedArray());
    const firstNormals = Array.from(randn([3]).toTypedArray());
    manualSeed(5);
    assert.deepEqual(Array.from(rand([10]).toTypedArray()), first);
    assert.deepEqual(Array.from(randn([3]).toTypedArray()), firstNormals);
    manualSeed(6);
    assert.notDeepEqual(Array.from(rand([10]).toTypedArray()), first);
    assert.equal(manualSeed(7), defaultGenerator);
    assert.equal(defaultGenerator.initialSeed(), 7);
  });

  test("manualSeed in the middle of a pair of normals drops the spare one", () => {
    const g = new Generator(9);
    const fresh = [g.normal(), g.normal()];
    g.manualSeed(9);
    g.normal(); // leaves a spare normal waiting
    g.manualSeed(9);
    assert.deepEqual([g.normal(), g.normal()], fresh);
  });

  test("a generator passed as an option does not advance the default generator", () => {
    manualSeed(11);
    const expected = Array.from(rand([4]).toTypedArray());
    manualSeed(11);
    const own = new Generator(123);
    rand([100], { generator: own });
    randn([100], { generator: own });
    randint(0, 5, [100], { generator: own });
    randperm(20, { generator: own });
    assert.deepEqual(Array.from(rand([4]).toTypedArray()), expected);
  });

  test("getState / setState resume the stream exactly, including a pending normal", () => {
    const g = new Generator(77);
    for (let i = 0; i < 13; i++) g.random();
    g.normal(); // an odd number of normals: one spare is kept in the state
    const state = g.getState();
    const continuation = [g.normal(), g.normal(), g.normal(), g.random(), g.randint(0, 100)];
    g.setState(state);
    assert.deepEqual([g.normal(), g.normal(), g.normal(), g.random(), g.randint(0, 100)], continuation);
    // The saved state carries over to another generator, seed included.
    const other = new Generator(1);
    other.setState(state);
    assert.deepEqual([other.normal(), other.normal(), other.normal(), other.random(), other.randint(0, 100)], continuation);
    assert.equal(other.initialSeed(), 77);
    // The saved state is a copy: drawing more does not change it.
    const snapshot = [...state];
    g.random();
    other.random();
    assert.deepEqual(state, snapshot);
    assert.throws(() => g.setState([1, 2, 3]), /Generator.setState: expected 6 numbers, got 3/);
    assert.throws(() => g.manualSeed(NaN), /manualSeed: seed must be a finite number, got NaN/);
  });
});

describe("distributions", () => {
  test("rand is uniform on [0, 1): mean 1/2, variance 1/12", () => {
    const values = rand([N], { dtype: "float64", generator: new Generator(100) }).toTypedArray();
    let low = Infinity;
    let high = -Infinity;
    for (const v of values) {
      low = Math.min(low, v);
      high = Math.max(high, v);
    }
    assert.ok(low >= 0 && high < 1, `range [${low}, ${high}]`);
    assert.ok(low < 1e-3 && high > 1 - 1e-3, "the whole interval is covered");
    // Standard error of the mean: sqrt(1/12 / N) ≈ 0.00091, so 0.005 is about 5.5 standard errors.
    assert.ok(Math.abs(meanOf(values) - 0.5) < 0.005, `mean ${meanOf(values)}`);
    // Standard error of the variance: sqrt((E[(u-1/2)^4] - (1/12)^2) / N) = sqrt((1/80 - 1/144) / N) ≈ 0.00024.
    assert.ok(Math.abs(varianceOf(values) - 1 / 12) < 0.0012, `variance ${varianceOf(values)}`);
    // Ten equal bins: chi-square with 9 degrees of freedom, mean 9; P(> 40) ≈ 5e-6.
    const bins = new Array<number>(10).fill(0);
    for (const v of values) bins[Math.floor(v * 10)]!++;
    assert.ok(chiSquare(bins) < 40, `chi-square ${chiSquare(bins)} for bins ${bins}`);
  });

  test("rand in float32 has the same distribution", () => {
    const values = rand([N], { generator: new Generator(101) }).toTypedArray();
    for (const v of values) assert.ok(v >= 0 && v < 1);
    assert.ok(Math.abs(meanOf(values) - 0.5) < 0.005, `mean ${meanOf(values)}`);
    assert.ok(Math.abs(varianceOf(values) - 1 / 12) < 0.0012, `variance ${varianceOf(values)}`);
  });

  test("randn is standard normal: mean 0, variance 1, 68.3% within one sigma", () => {
    const values = randn([N], { dtype: "float64", generator: new Generator(102) }).toTypedArray();
    // Standard errors: mean 1/sqrt(N) ≈ 0.0032, variance sqrt(2/N) ≈ 0.0045; bounds at 5 of them.
    assert.ok(Math.abs(meanOf(values)) < 0.016, `mean ${meanOf(values)}`);
    assert.ok(Math.abs(varianceOf(values) - 1) < 0.022, `variance ${varianceOf(values)}`);
    // P(|z| < 1) = 0.6827, standard error sqrt(p(1-p)/N) ≈ 0.0015; P(|z| < 2) = 0.9545, standard error ≈ 0.00066.
    const within = (k: number) => Array.from(values).filter((v) => Math.abs(v) < k).length / N;
    assert.ok(Math.abs(within(1) - 0.6827) < 0.0075, `within one sigma: ${within(1)}`);
    assert.ok(Math.abs(within(2) - 0.9545) < 0.0035, `within two sigma: ${within(2)}`);
    for (const v of values) assert.ok(Number.isFinite(v));
  });

  test("randint is uniform over [low, high): chi-square on the counts", () => {
    const low = -3;
    const high = 7;
    const values = randint(low, high, [N], { generator: new Generator(103) }).toTypedArray();
    const counts = new Array<number>(high - low).fill(0);
    for (const v of values) {
      assert.ok(Number.isInteger(v) && v >= low && v < high, `${v} out of range`);
      counts[v - low]!++;
    }
    // 10 values, 9 degrees of freedom: P(chi-square > 40) ≈ 5e-6. A value that is never
    // drawn, or an off-by-one at either end, gives a chi-square in the thousands.
    assert.ok(chiSquare(counts) < 40, `chi-square ${chiSquare(counts)} for counts ${counts}`);
  });

  test("randint never leaves its range, even for huge or tiny ranges", () => {
    const g = new Generator(104);
    for (let i = 0; i < 20000; i++) {
      const wide = g.randint(-(2 ** 31), 2 ** 31);
      assert.ok(wide >= -(2 ** 31) && wide < 2 ** 31);
      assert.equal(g.randint(5, 6), 5);
      const v = g.randint(-2, 1);
      assert.ok(v >= -2 && v < 1);
    }
    assert.throws(() => g.randint(0, 2 ** 32 + 1), /randint: need low < high and a range of at most 2\^32/);
    assert.throws(() => g.randint(3, 2), /randint: need low < high/);
  });

  test("randperm is a permutation, and every ordering is equally likely", () => {
    const g = new Generator(105);
    for (const n of [1, 2, 7, 100]) {
      const p = Array.from(randperm(n, { generator: g }).toTypedArray());
      assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
    }
    // The 6 orderings of 3 elements over 6000 shuffles: 5 degrees of freedom, P(chi-square > 30) ≈ 1.5e-5.
    // A classic biased shuffle (swapping with any position instead of a not-yet-placed one) fails this by far.
    const counts = new Map<string, number>();
    for (let i = 0; i < 6000; i++) {
      const key = Array.from(randperm(3, { generator: g }).toTypedArray()).join("");
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    assert.equal(counts.size, 6);
    assert.ok(chiSquare([...counts.values()]) < 30, `counts ${JSON.stringify(Object.fromEntries(counts))}`);
  });
});

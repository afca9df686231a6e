// erf, erfc and the logistic function on plain numbers, against PyTorch 1.13 in float64.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { erf, erfc, logistic, softplusOf } from "../../src/core/special.ts";

/** Largest |computed − expected| / |expected| over the points; a zero expected value must come out exactly zero. */
function maxRelativeError(f: (x: number) => number, points: [number, number][]): { error: number; at: number } {
  let worst = { error: 0, at: NaN };
  for (const [x, expected] of points) {
    const got = f(x);
    if (expected === 0 || !Number.isFinite(expected)) {
      assert.equal(got, expected, `at x = ${x}`);
      continue;
    }
    const error = Math.abs(got - expected) / Math.abs(expected);
    if (!(error <= worst.error)) worst = { error, at: x };
  }
  return worst;
}

// Values from PyTorch 1.13: torch.erf(torch.tensor(x, dtype=torch.float64)).
// (They agree with 50-digit mpmath to within 9e-17 relative.)
const ERF_POINTS: [number, number][] = [
  [0.0, 0.0],
  [1e-300, 1.1283791670955126e-300],
  [1e-10, 1.1283791670955126e-10],
  [1e-05, 1.1283791670579e-05],
  [0.001, 0.0011283787909692365],
  [0.1, 0.1124629160182849],
  [0.25, 0.27632639016823696],
  [0.5, 0.5204998778130465],
  [0.75, 0.7111556336535151],
  [0.9, 0.7969082124228322],
  [1.0, 0.8427007929497149],
  [1.2, 0.9103139782296354],
  [1.5, 0.9661051464753108],
  [1.9, 0.9927904292352575],
  [2.0, 0.9953222650189527],
  [2.3, 0.9988568234026434],
  [2.4999, 0.9995928300996666],
  [2.5, 0.999593047982555],
  [3.0, 0.9999779095030014],
  [3.5, 0.9999992569016276],
  [4.0, 0.9999999845827421],
  [5.0, 0.9999999999984626],
  [6.0, 1.0],
  [10.0, 1.0],
  [30.0, 1.0],
  [-1e-10, -1.1283791670955126e-10],
  [-0.1, -0.1124629160182849],
  [-0.5, -0.5204998778130465],
  [-1.0, -0.8427007929497149],
  [-1.5, -0.9661051464753108],
  [-2.0, -0.9953222650189527],
  [-2.5, -0.999593047982555],
  [-3.5, -0.9999992569016276],
  [-6.0, -1.0],
  [-30.0, -1.0],
  [Infinity, 1.0],
  [-Infinity, -1.0],
];

// PyTorch 1.13: torch.erfc(torch.tensor(x, dtype=torch.float64)).
const ERFC_POINTS: [number, number][] = [
  [-30.0, 2.0],
  [-3.0, 1.9999779095030015],
  [-1.0, 1.8427007929497148],
  [-0.5, 1.5204998778130465],
  [0.0, 1.0],
  [1e-08, 0.9999999887162083],
  [0.3, 0.6713732405408726],
  [0.5, 0.4795001221869535],
  [0.9, 0.20309178757716786],
  [1.0, 0.15729920705028513],
  [1.1, 0.11979493042591827],
  [1.5, 0.033894853524689274],
  [2.0, 0.004677734981047265],
  [2.5, 0.0004069520174449589],
  [3.0, 2.209049699858544e-05],
  [4.5, 1.9661604415428876e-10],
  [6.0, 2.1519736712498913e-17],
  [10.0, 2.088487583762545e-45],
  [15.0, 7.212994172451207e-100],
  [20.0, 5.395865611607901e-176],
  [26.0, 5.663192408856143e-296],
  [Infinity, 0.0],
  [-Infinity, 2.0],
];

describe("erf", () => {
  test("matches torch.erf in float64 to 2e-15 relative over the real line", () => {
    const { error, at } = maxRelativeError(erf, ERF_POINTS);
    assert.ok(error <= 2e-15, `max relative error ${error} at x = ${at}`);
  });

  test("is odd, keeps the sign of zero, and propagates NaN", () => {
    assert.ok(Object.is(erf(0), 0));
    assert.ok(Object.is(erf(-0), -0));
    assert.ok(Number.isNaN(erf(NaN)));
    for (let x = -7; x <= 7; x += 0.37) assert.equal(erf(-x), -erf(x), `at x = ${x}`);
  });

  test("is continuous where it switches from the series to the continued fraction (|x| = 2.5)", () => {
    const below = erf(2.5 - 2 ** -50);
    const above = erf(2.5);
    // The slope there is 2/√π·e^(−6.25) ≈ 0.0022, so one step of 2^-50 changes erf by about 2e-18: the two must agree to rounding.
    assert.ok(Math.abs(above - below) <= 4e-16, `erf jumps by ${above - below}`);
  });

  test("is increasing, with the derivative 2/√π·e^(−x²) (central differences)", () => {
    for (let x = -4; x <= 4; x += 0.25) {
      const h = 1e-5;
      const slope = (erf(x + h) - erf(x - h)) / (2 * h);
      const expected = (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x);
      assert.ok(Math.abs(slope - expected) <= 1e-9, `slope at ${x}: ${slope} vs ${expected}`);
    }
  });
});

describe("erfc", () => {
  test("matches torch.erfc in float64 to 5e-15 relative, down to 1e-296", () => {
    const { error, at } = maxRelativeError(erfc, ERFC_POINTS);
    assert.ok(error <= 5e-15, `max relative error ${error} at x = ${at}`);
  });

  test("underflows to 0 for large x, is NaN for NaN", () => {
    assert.equal(erfc(28), 0);
    assert.equal(erfc(1e300), 0);
    assert.ok(Number.isNaN(erfc(NaN)));
  });

  test("erf(x) + erfc(x) = 1 (to a few rounding errors of 1)", () => {
    for (let x = -5; x <= 5; x += 0.1) assert.ok(Math.abs(erf(x) + erfc(x) - 1) <= 2e-15, `at x = ${x}`);
  });
});

describe("logistic", () => {
  test("has exact limits and no overflow at ±1000", () => {
    assert.equal(logistic(1000), 1);
    assert.equal(logistic(-1000), 0);
    assert.equal(logistic(0), 0.5);
    // PyTorch 1.13: torch.sigmoid(torch.tensor([-100., -30., 2.], dtype=torch.float64))
    assert.ok(Math.abs(logistic(-100) / 3.7200759760208356e-44 - 1) <= 1e-15);
    assert.ok(Math.abs(logistic(-30) / 9.357622968839299e-14 - 1) <= 1e-15);
    assert.ok(Math.abs(logistic(2) - 0.8807970779778823) <= 1e-16);
    assert.ok(Number.isNaN(logistic(NaN)));
  });

  test("σ(−x) = 1 − σ(x)", () => {
    for (let x = -20; x <= 20; x += 0.7) assert.ok(Math.abs(logistic(-x) - (1 - logistic(x))) <= 2e-16, `at x = ${x}`);
  });
});

describe("softplusOf", () => {
  test("is ln(1 + e^x) without overflow", () => {
    assert.equal(softplusOf(1000), 1000);
    assert.equal(softplusOf(-1000), 0);
    assert.equal(softplusOf(0), Math.LN2);
    // ln(1 + e^-40) = e^-40 to float64 precision; ln(1 + e^2) by hand: 2.1269280110429727
    assert.ok(Math.abs(softplusOf(-40) - Math.exp(-40)) <= 1e-32);
    assert.ok(Math.abs(softplusOf(2) - 2.1269280110429727) <= 4e-16);
  });
});

// Special functions on plain numbers, which JavaScript's Math lacks: the error
// function erf, its complement erfc, the logistic sigmoid and softplus. The
// tensor ops (erf, gelu, sigmoid, silu, softplus ...) apply them element by element.
//
//   erf(x)  = 2/√π ∫₀ˣ e^(−t²) dt        odd, rises from −1 to 1
//   erfc(x) = 1 − erf(x)                 falls from 2 to 0
//
// Both are computed in float64 to about 1e-15 relative error, from two
// classical expansions (Abramowitz & Stegun, Handbook of Mathematical
// Functions, 1964):
//
// 1. Small |x|, a series whose terms are all positive (A&S 7.1.6):
//      erf(x) = 2/√π · x · e^(−x²) · Σₙ (2x²)ⁿ / (1·3·5···(2n+1))
//    The familiar Taylor series alternates in sign and loses digits to
//    cancellation once |x| passes 1; this one only adds positive numbers, so
//    the sum is accurate to a few rounding errors.
//
// 2. Large x, a continued fraction (A&S 7.1.14):
//      erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + (2/2)/(x + (3/2)/(x + ...))))
//    It converges fast for large x (about 40 steps at x = 2.5, 17 at x = 6)
//    and gives erfc with full relative accuracy, where computing 1 − erf(x)
//    would subtract two numbers close to 1.
//
// Both need e^(−x²) to full precision; see expOfMinusSquare below.

const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π
const ONE_OVER_SQRT_PI = 0.5641895835477563; // 1/√π

/** Below this |x|, erf uses the series; above it, 1 − erfc from the continued fraction. */
const ERF_SERIES_LIMIT = 2.5;
/** Below this x, erfc is 1 − erf(x) (erfc(1) = 0.16, so at most ~3 bits are lost); above it, the continued fraction. */
const ERFC_FRACTION_START = 1;
/** erfc(x) < 1e-340 beyond this: it underflows to 0 in float64. */
const ERFC_UNDERFLOW = 28;

/** Half a unit in the last place of 1: a series term below sum·EPSILON no longer changes the sum. */
const EPSILON = 2 ** -53;
/** Veltkamp's splitter 2^27 + 1: cuts a double into two halves of 26 bits. */
const SPLITTER = 134217729;

/**
 * e^(−x²) with full relative precision, for |x| below ERFC_UNDERFLOW.
 *
 * Rounding x² to a double makes an absolute error of up to x²·2^-53, which
 * becomes the same *relative* error in e^(−x²): at x = 6 that is 36·2^-53, some 18 ulps.
 * So x is split as hi + lo, with hi holding the top 26 bits of x (Veltkamp's
 * split), which makes hi² exact; then x² = hi² + lo·(x + hi) exactly, and
 * the small second term carries only a tiny rounding error of its own.
 */
function expOfMinusSquare(x: number): number {
  const scaled = SPLITTER * x;
  const hi = scaled - (scaled - x);
  const lo = x - hi;
  return Math.exp(-hi * hi) * Math.exp(-lo * (x + hi));
}

/** erf(x) for |x| < ERF_SERIES_LIMIT by the positive series (A&S 7.1.6). */
function erfSeries(x: number): number {
  const twoXSquared = 2 * x * x;
  let term = 1;
  let sum = 1;
  // term n = term n-1 · 2x²/(2n+1); the terms fall once 2n+1 > 2x², about 40 terms at x = 2.5.
  for (let n = 1; term > sum * EPSILON; n++) {
    term *= twoXSquared / (2 * n + 1);
    sum += term;
  }
  return TWO_OVER_SQRT_PI * x * expOfMinusSquare(x) * sum;
}

/**
 * erfc(x) for x ≥ ERFC_FRACTION_START by the continued fraction (A&S 7.1.14),
 *   x + a₁/(x + a₂/(x + a₃/(x + ...)))  with  aₖ = k/2,
 * evaluated from the top down with the modified Lentz method: the value
 * after k steps is f_k = f_(k-1)·C_k·D_k, where C_k and D_k are ratios of
 * consecutive numerators and denominators of the truncated fractions; stop
 * when a step changes f by less than a rounding error. At x = 1 this takes
 * about 190 steps, at x = 3 about 30.
 */
function erfcContinuedFraction(x: number): number {
  if (x >= ERFC_UNDERFLOW) return 0;
  // x > 0 and every aₖ > 0, so c and d stay positive: no denominator can vanish
  // (the general Lentz method needs a guard for that; this fraction does not).
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k <= 1000; k++) {
    const a = k / 2;
    d = 1 / (x + a * d);
    c = x + a / c;
    const step = c * d;
    f *= step;
    if (Math.abs(step - 1) <= EPSILON) break;
  }
  return (ONE_OVER_SQRT_PI * expOfMinusSquare(x)) / f;
}

/** The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, accurate to about 1e-15 relative. erf(±∞) = ±1. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const size = Math.abs(x);
  if (size < ERF_SERIES_LIMIT) return erfSeries(x); // keeps the sign of x, and of −0
  const magnitude = 1 - erfcContinuedFraction(size);
  return x < 0 ? -magnitude : magnitude;
}

/** The complementary error function erfc(x) = 1 − erf(x), accurate to about 1e-15 relative even where it is tiny. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < ERFC_FRACTION_START) return 1 - erf(x);
  return erfcContinuedFraction(x);
}

/**
 * The logistic sigmoid σ(x) = 1/(1 + e^(−x)), without overflow: for x < 0
 * it uses the equal form e^x/(1 + e^x), so e^(−x) is never formed for
 * large negative x. σ(±1000) is exactly 1 and 0.
 */
export function logistic(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * softplus(x) = ln(1 + e^x), computed as max(x, 0) + ln(1 + e^(−|x|)) so
 * that e^x never overflows; for large x it is x, for very negative x it is e^x.
 */
export function softplusOf(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

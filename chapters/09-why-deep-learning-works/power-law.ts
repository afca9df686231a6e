// Fitting a power law L = a · N^(−b) to measured points (N, L).
//
// Taking logs turns the curve into a straight line,
//   log L = log a − b · log N,
// so the least-squares line through the points (log N, log L) gives the
// exponent b (minus its slope) and the prefactor a (e to its intercept).
// On log-log axes the fitted law is then a straight line through the points.

export interface PowerLaw {
  /** The prefactor a. */
  a: number;
  /** The exponent b: each doubling of N multiplies L by 2^(−b). */
  b: number;
  /** How well the line fits in log space: 1 − residual variance / total variance (1 is a perfect fit). */
  r2: number;
}

/** The least-squares power law L ≈ a · N^(−b) through points with N > 0 and L > 0. */
export function fitPowerLaw(sizes: readonly number[], losses: readonly number[]): PowerLaw {
  if (sizes.length !== losses.length) throw new Error(`fitPowerLaw: ${sizes.length} sizes for ${losses.length} losses`);
  if (sizes.length < 2) throw new Error(`fitPowerLaw: need at least 2 points, got ${sizes.length}`);
  sizes.forEach((n, i) => {
    if (!(n > 0) || !(losses[i]! > 0)) throw new Error(`fitPowerLaw: point ${i} is (${n}, ${losses[i]}); both must be > 0 to take logs`);
  });
  const x = sizes.map(Math.log), y = losses.map(Math.log);
  const meanX = average(x), meanY = average(y);
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i]! - meanX) * (y[i]! - meanY);
    sxx += (x[i]! - meanX) ** 2;
    syy += (y[i]! - meanY) ** 2;
  }
  if (sxx === 0) throw new Error("fitPowerLaw: every size is the same; a slope needs at least two different sizes");
  const slope = sxy / sxx;
  const intercept = meanY - slope * meanX;
  const residual = x.reduce((sum, xi, i) => sum + (y[i]! - (intercept + slope * xi)) ** 2, 0);
  return { a: Math.exp(intercept), b: -slope, r2: syy === 0 ? 1 : 1 - residual / syy };
}

/** The fitted law's value at N: a · N^(−b). */
export function powerLawAt(law: PowerLaw, n: number): number {
  return law.a * n ** -law.b;
}

function average(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

// Standardizer: scikit-learn's StandardScaler for tables of features.
//
//   const scaler = Standardizer.fit(xTrain);          // sklearn: scaler = StandardScaler().fit(X_train)
//   const a = scaler.transform(xTrain), b = scaler.transform(xTest);
//
// Fit on the training split only, then apply the same numbers to every split:
// statistics taken from the test set would leak it into training.
// x' = (x − mean) / std per feature (column), with the population standard
// deviation (divide by n, as scikit-learn). A feature that is constant on the
// training set has std 0; like scikit-learn, it is then only centred (scale 1),
// never divided by zero.

import { allocate, toFloating } from "../../core/dtype.ts";
import { fromValues, valuesOf } from "../../core/kernels.ts";
import { formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";

export interface StandardizerOptions {
  /** A feature whose std is at most eps counts as constant and gets scale 1 (default 1e-12). */
  eps?: number;
}

/** The values of a 1-D statistics tensor as doubles, checked. */
function statistics(name: string, t: Tensor): Float64Array {
  if (t.ndim !== 1 || t.shape[0] === 0) throw new Error(`Standardizer: ${name} must be a non-empty 1-D tensor [features], got shape ${formatShape(t.shape)}`);
  const values = Float64Array.from(valuesOf(t));
  if (!values.every(Number.isFinite)) throw new Error(`Standardizer: ${name} has a non-finite value`);
  return values;
}

export class Standardizer {
  /** Per-feature mean of the training set, float64 [features]. */
  readonly mean: Tensor;
  /** Per-feature population standard deviation of the training set, float64 [features]. */
  readonly std: Tensor;
  /** What transform divides by: std, or 1 for a constant feature. float64 [features]. */
  readonly scale: Tensor;
  private readonly meanValues: Float64Array;
  private readonly scaleValues: Float64Array;

  /** From known statistics (e.g. saved ones); Standardizer.fit computes them from data. */
  constructor(mean: Tensor, std: Tensor, options: StandardizerOptions = {}) {
    const { eps = 1e-12 } = options;
    if (!Number.isFinite(eps) || eps < 0) throw new Error(`Standardizer: eps must be a finite number ≥ 0, got ${eps}`);
    this.meanValues = statistics("mean", mean);
    const stdValues = statistics("std", std);
    if (stdValues.length !== this.meanValues.length) {
      throw new Error(`Standardizer: mean has ${this.meanValues.length} features but std has ${stdValues.length}`);
    }
    const negative = stdValues.findIndex((s) => s < 0);
    if (negative >= 0) throw new Error(`Standardizer: std[${negative}] is ${stdValues[negative]}, but a standard deviation is ≥ 0`);
    this.scaleValues = stdValues.map((s) => (s > eps ? s : 1));
    this.mean = fromValues(this.meanValues, [this.meanValues.length], "float64");
    this.std = fromValues(stdValues, [stdValues.length], "float64");
    this.scale = fromValues(this.scaleValues, [this.scaleValues.length], "float64");
  }

  /** Mean and std of every column of x [n, features], in double precision. */
  static fit(x: Tensor, options: StandardizerOptions = {}): Standardizer {
    if (x.ndim !== 2 || x.shape[0] === 0 || x.shape[1] === 0) {
      throw new Error(`Standardizer.fit: expected a non-empty table [n, features], got shape ${formatShape(x.shape)}`);
    }
    const [rows, features] = x.shape as [number, number];
    const values = valuesOf(x);
    const mean = new Float64Array(features);
    const std = new Float64Array(features);
    for (let f = 0; f < features; f++) {
      let sum = 0, lowest = Infinity, highest = -Infinity;
      for (let r = 0; r < rows; r++) {
        const v = values[r * features + f]!;
        sum += v;
        lowest = Math.min(lowest, v);
        highest = Math.max(highest, v);
      }
      mean[f] = sum / rows;
      if (lowest === highest) continue; // a constant feature: std exactly 0 (rounding in the mean would make it 1e-17)
      let squares = 0;
      for (let r = 0; r < rows; r++) squares += (values[r * features + f]! - mean[f]!) ** 2;
      std[f] = Math.sqrt(squares / rows); // σ² = Σ (x − μ)² / n
    }
    return new Standardizer(fromValues(mean, [features], "float64"), fromValues(std, [features], "float64"), options);
  }

  /** The number of features (columns) it was fitted on. */
  get features(): number {
    return this.meanValues.length;
  }

  // transform and inverse are arrow functions, so that `scaler.transform` can be passed on as a Transform.

  /** x' = (x − mean) / scale along the last dim of x [..., features]; float result (x's float dtype, float32 for integers). */
  readonly transform = (x: Tensor): Tensor => this.perFeature("Standardizer.transform", x, (v, mean, scale) => (v - mean) / scale);

  /** Undoes transform: x = x' · scale + mean (predictions back in the original units). */
  readonly inverse = (x: Tensor): Tensor => this.perFeature("Standardizer.inverse", x, (v, mean, scale) => v * scale + mean);

  private perFeature(fn: string, x: Tensor, f: (value: number, mean: number, scale: number) => number): Tensor {
    const features = this.features;
    if (x.ndim === 0 || x.shape[x.ndim - 1] !== features) {
      throw new Error(`${fn}: expected features in the last dim, ${features} of them (as in fit), got shape ${formatShape(x.shape)}`);
    }
    const values = valuesOf(x);
    const dtype = toFloating(x.dtype);
    const out = allocate(dtype, values.length);
    for (let i = 0; i < values.length; i++) {
      const feature = i % features;
      out[i] = f(values[i]!, this.meanValues[feature]!, this.scaleValues[feature]!);
    }
    return fromValues(out, x.shape, dtype);
  }
}

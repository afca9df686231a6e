// Time series for the forecasting lessons: made-up signals whose true shape
// is known (sums of sines, a daily "demand" with weekly and yearly seasons),
// and the sliding windows that turn one long series into (input, target)
// pairs for a model.
//
// No single PyTorch function does this: slidingWindows is what
// `series.unfold(0, inputLength + horizon, stride)` followed by a split of the
// last dim gives in PyTorch, and what tf.keras's timeseries_dataset_from_array
// produces.
//
// Every random draw comes from the `generator` option (default: the global
// generator seeded by manualSeed): the same seed gives the same series.

import { allocate } from "../core/dtype.ts";
import { fromValues, valuesOf } from "../core/kernels.ts";
import { defaultGenerator, type Generator } from "../core/random.ts";
import { formatShape } from "../core/shape.ts";
import type { Tensor } from "../core/tensor.ts";

export interface SineSeriesOptions {
  /** The period of each sine, in steps (default [25]). */
  periods?: readonly number[];
  /** The amplitude of each sine (default 1 for each). */
  amplitudes?: readonly number[];
  /** The phase of each sine, in radians (default 0 for each). */
  phases?: readonly number[];
  /** Draw every phase uniformly in [0, 2π) instead (cannot be combined with phases). */
  randomPhases?: boolean;
  /** Standard deviation of the Gaussian noise added to each value (default 0). */
  noise?: number;
  /** Slope of a straight-line trend added to the series: trend · t (default 0). */
  trend?: number;
  /** A constant level added to every value (default 0). */
  offset?: number;
  generator?: Generator;
  dtype?: "float32" | "float64";
}

export interface SeasonalSeriesOptions {
  /** The average level at t = 0 (default 100). */
  level?: number;
  /** Growth per step (per day): trend · t (default 0.05). */
  trend?: number;
  /** Amplitude of the weekly cycle, period 7 (default 10). */
  weeklyAmplitude?: number;
  /** Amplitude of the yearly cycle, period 365.25 (default 20). */
  yearlyAmplitude?: number;
  /** Standard deviation of the day-to-day Gaussian noise (default 4). */
  noise?: number;
  generator?: Generator;
  dtype?: "float32" | "float64";
}

function checkCount(fn: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${fn}: ${name} must be an integer ≥ 1, got ${value}`);
}

function checkFinite(fn: string, name: string, value: number): void {
  if (!Number.isFinite(value)) throw new Error(`${fn}: ${name} must be a finite number, got ${value}`);
}

/** One number per sine: the given list (checked) or `fallback` for each. */
function perSine(fn: string, name: string, given: readonly number[] | undefined, sines: number, fallback: () => number): number[] {
  if (given === undefined) return Array.from({ length: sines }, fallback);
  if (given.length !== sines) throw new Error(`${fn}: ${name} has ${given.length} values for ${sines} periods; give one per period`);
  given.forEach((value, k) => checkFinite(fn, `${name}[${k}]`, value));
  return [...given];
}

/**
 * A noisy sum of sines sampled at t = 0 .. length − 1:
 *   x_t = offset + trend·t + Σ_k amplitude_k · sin(2π t / period_k + phase_k) + noise · ε_t,  ε_t ~ N(0, 1).
 * The default, one sine of period 25, is the series a first RNN learns to
 * continue. With randomPhases, the phases are drawn first, then the noise.
 */
export function makeSineSeries(length: number, options: SineSeriesOptions = {}): Tensor {
  return sumOfSines("makeSineSeries", length, options);
}

/** makeSineSeries, with `fn` naming the public function in error messages. */
function sumOfSines(fn: string, length: number, options: SineSeriesOptions): Tensor {
  const { periods = [25], randomPhases = false, noise = 0, trend = 0, offset = 0, generator = defaultGenerator, dtype = "float32" } = options;
  checkCount(fn, "length", length);
  if (!Array.isArray(periods) || periods.length === 0) throw new Error(`${fn}: periods must be a non-empty array of numbers, got ${JSON.stringify(periods)}`);
  periods.forEach((period, k) => {
    if (!Number.isFinite(period) || period <= 0) throw new Error(`${fn}: periods[${k}] must be a finite number > 0, got ${period}`);
  });
  if (!Number.isFinite(noise) || noise < 0) throw new Error(`${fn}: noise must be a finite number ≥ 0, got ${noise}`);
  checkFinite(fn, "trend", trend);
  checkFinite(fn, "offset", offset);
  if (dtype !== "float32" && dtype !== "float64") throw new Error(`${fn}: dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
  if (randomPhases && options.phases !== undefined) throw new Error(`${fn}: give phases or randomPhases: true, not both`);
  const amplitudes = perSine(fn, "amplitudes", options.amplitudes, periods.length, () => 1);
  const phases = perSine(fn, "phases", options.phases, periods.length, () => (randomPhases ? 2 * Math.PI * generator.random() : 0));

  const values = allocate(dtype, length);
  for (let t = 0; t < length; t++) {
    let value = offset + trend * t;
    periods.forEach((period, k) => (value += amplitudes[k]! * Math.sin((2 * Math.PI * t) / period + phases[k]!)));
    if (noise > 0) value += noise * generator.normal();
    values[t] = value;
  }
  return fromValues(values, [length], dtype);
}

/**
 * A daily "demand" series, for the forecasting chapter: a level that grows
 * linearly, a weekly cycle, a yearly cycle and noise,
 *   x_t = level + trend·t + weekly·sin(2π t / 7) + yearly·sin(2π t / 365.25) + noise · ε_t.
 * A model that sees the last few weeks can learn the weekly pattern and the
 * trend; the yearly one needs a long window (or the day of the year as input).
 */
export function makeSeasonalSeries(length: number, options: SeasonalSeriesOptions = {}): Tensor {
  const { level = 100, trend = 0.05, weeklyAmplitude = 10, yearlyAmplitude = 20, noise = 4, generator = defaultGenerator, dtype = "float32" } = options;
  checkFinite("makeSeasonalSeries", "level", level);
  checkFinite("makeSeasonalSeries", "weeklyAmplitude", weeklyAmplitude);
  checkFinite("makeSeasonalSeries", "yearlyAmplitude", yearlyAmplitude);
  return sumOfSines("makeSeasonalSeries", length, {
    periods: [7, 365.25], amplitudes: [weeklyAmplitude, yearlyAmplitude], offset: level, trend, noise, generator, dtype,
  });
}

/**
 * Cuts a 1-D series into overlapping (input, target) windows for forecasting:
 *   x[i] = series[i·stride : i·stride + inputLength]
 *   y[i] = series[i·stride + inputLength : i·stride + inputLength + horizon]
 * for i = 0 .. N − 1, N = ⌊(length − inputLength − horizon) / stride⌋ + 1.
 * Returns x as [N, inputLength, 1] (a sequence of one feature per step,
 * batch first, ready for an RNN with batchFirst) and y as [N, horizon], both of
 * the series' dtype.
 */
export function slidingWindows(series: Tensor, inputLength: number, horizon = 1, options: { stride?: number } = {}): [Tensor, Tensor] {
  const fn = "slidingWindows";
  const { stride = 1 } = options;
  if (series.ndim !== 1) {
    throw new Error(`${fn}: the series must be 1-D [length], got shape ${formatShape(series.shape)} (flatten it, or window each feature separately)`);
  }
  checkCount(fn, "inputLength", inputLength);
  checkCount(fn, "horizon", horizon);
  checkCount(fn, "stride", stride);
  const length = series.shape[0]!;
  const span = inputLength + horizon;
  if (length < span) {
    throw new Error(`${fn}: a series of length ${length} is too short for one window of inputLength ${inputLength} + horizon ${horizon} = ${span}`);
  }
  const count = Math.floor((length - span) / stride) + 1;
  const values = valuesOf(series);
  const inputs = allocate(series.dtype, count * inputLength);
  const targets = allocate(series.dtype, count * horizon);
  for (let i = 0; i < count; i++) {
    const start = i * stride;
    inputs.set(values.subarray(start, start + inputLength), i * inputLength);
    targets.set(values.subarray(start + inputLength, start + span), i * horizon);
  }
  return [fromValues(inputs, [count, inputLength, 1], series.dtype), fromValues(targets, [count, horizon], series.dtype)];
}

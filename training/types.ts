// What every training script exports, and what it reports.

export interface TrainOptions {
  /** A short run (seconds) that exercises the same code, for smoke tests; full mode otherwise. */
  quick: boolean;
  /** The seed of every random choice (initialisation, shuffling, sampling). */
  seed: number;
  /** Where figures and samples go (created if missing), e.g. out/training/gpt. */
  outDir: string;
}

/** One measured number, with the target the issue sets for it. */
export interface Measurement {
  /** What was measured, e.g. "test accuracy (%)". */
  name: string;
  value: number;
  /** The target in words, e.g. "≥ 96"; empty when there is none (a baseline, say). */
  target: string;
  /** Whether the target is met (true when there is no target). */
  met: boolean;
}

export interface TrainResult {
  measurements: Measurement[];
  /** Anything else worth printing: a text sample, the files written. */
  notes?: string[];
}

export interface Trainer {
  /** One line on what is trained, on which data, e.g. "MLP on the 8×8 digits (80/20 split)". */
  description: string;
  train(options: TrainOptions): TrainResult | Promise<TrainResult>;
}

/** A measurement against a lower bound: met when value ≥ bound. */
export function atLeast(name: string, value: number, bound: number): Measurement {
  return { name, value, target: `≥ ${bound}`, met: value >= bound };
}

/** A measurement against an upper bound: met when value ≤ bound. */
export function atMost(name: string, value: number, bound: number): Measurement {
  return { name, value, target: `≤ ${bound}`, met: value <= bound };
}

/** A number reported for comparison, with no target. */
export function reported(name: string, value: number): Measurement {
  return { name, value, target: "", met: true };
}

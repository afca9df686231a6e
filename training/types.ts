// What every training script exports, and what it reports. The measurements
// are the lessons' (chapters/_kit/results.ts).

import type { Measurement } from "../chapters/_kit/results.ts";

export { atLeast, atMost, reported, type Measurement } from "../chapters/_kit/results.ts";

export interface TrainOptions {
  /** A short run (seconds) that exercises the same code, for smoke tests; full mode otherwise. */
  quick: boolean;
  /** The seed of every random choice (initialisation, shuffling, sampling). */
  seed: number;
  /** Where figures and samples go (created if missing), e.g. out/training/gpt. */
  outDir: string;
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

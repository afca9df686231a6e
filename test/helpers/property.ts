// A small seeded property-testing helper: run a check on many random cases,
// and on failure report the case number and the seed, so it can be replayed.

import { Generator } from "../../src/index.ts";

export interface PropertyOptions {
  runs?: number;
  seed?: number;
}

/** Calls `check(generator, run)` `runs` times with one seeded generator; rethrows with the run number. */
export function forAll(name: string, check: (g: Generator, run: number) => void, options: PropertyOptions = {}): void {
  const { runs = 100, seed = 1234 } = options;
  const generator = new Generator(seed);
  for (let run = 0; run < runs; run++) {
    try {
      check(generator, run);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`property "${name}" failed on run ${run} (seed ${seed}): ${message}`);
    }
  }
}

/** A random shape of rank in [minRank, maxRank] with sizes in [1, maxSize]. */
export function randomShape(g: Generator, minRank: number, maxRank: number, maxSize = 4): number[] {
  const rank = g.randint(minRank, maxRank + 1);
  return Array.from({ length: rank }, () => g.randint(1, maxSize + 1));
}

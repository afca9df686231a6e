// k-nearest neighbours: no training at all, just remember the training set.
// To classify a point, find the k training points closest to it (Euclidean
// distance ‖a − b‖ = √Σ(a_j − b_j)²) and answer the most common label among
// them. Like scikit-learn's KNeighborsClassifier (uniform weights), a tie in
// the vote goes to the smallest label, and among equally distant neighbours
// the earlier training row wins.

import type { Rows } from "./logistic-regression.ts";

export class KNearestNeighbours {
  private x: Rows = [];
  private y: readonly number[] = [];

  constructor(readonly k = 5) {
    if (!Number.isInteger(k) || k < 1) throw new Error(`KNearestNeighbours: k must be a positive integer, got ${k}`);
  }

  /** "Training": keep the rows and labels. */
  fit(x: Rows, y: readonly number[]): this {
    if (x.length !== y.length) throw new Error(`KNearestNeighbours.fit: ${x.length} rows and ${y.length} labels`);
    if (x.length < this.k) throw new Error(`KNearestNeighbours.fit: k = ${this.k} needs at least ${this.k} rows, got ${x.length}`);
    this.x = x;
    this.y = y;
    return this;
  }

  /** The indices of the k training rows nearest to `row`, nearest first. */
  neighbours(row: readonly number[]): number[] {
    const distances = this.x.map((t, i) => {
      let d = 0;
      for (let j = 0; j < row.length; j++) d += (t[j]! - row[j]!) ** 2;   // squared distance: same order, no sqrt
      return { i, d };
    });
    distances.sort((a, b) => a.d - b.d || a.i - b.i);
    return distances.slice(0, this.k).map((e) => e.i);
  }

  predictOne(row: readonly number[]): number {
    const votes = new Map<number, number>();
    for (const i of this.neighbours(row)) votes.set(this.y[i]!, (votes.get(this.y[i]!) ?? 0) + 1);
    let best = Infinity, bestVotes = -1;
    for (const [label, count] of votes) {
      if (count > bestVotes || (count === bestVotes && label < best)) { best = label; bestVotes = count; }
    }
    return best;
  }

  predict(x: Rows): number[] {
    return x.map((row) => this.predictOne(row));
  }
}

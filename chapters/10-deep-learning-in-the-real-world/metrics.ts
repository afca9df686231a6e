// The numbers a deployed model is judged by, written out so that nothing is
// hidden: ROC AUC for a detector, mean absolute error for a forecast, and the
// expected calibration error for a classifier's probabilities.

/**
 * The area under the ROC curve of a score that should be higher for
 * positives: the probability that a random positive scores above a random
 * negative (ties count one half). 1 is a perfect ranking, 0.5 is chance.
 * Computed by sorting (the Mann–Whitney U statistic divided by P·N).
 */
export function rocAuc(positiveScores: readonly number[], negativeScores: readonly number[]): number {
  if (positiveScores.length === 0 || negativeScores.length === 0) throw new Error("rocAuc: need at least one positive and one negative score");
  const all = [...positiveScores.map((s) => ({ s, positive: true })), ...negativeScores.map((s) => ({ s, positive: false }))];
  all.sort((a, b) => a.s - b.s);
  // Rank every score (1-based), giving tied scores the average of their ranks.
  let rankSumPositive = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j]!.s === all[i]!.s) j++;
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (all[k]!.positive) rankSumPositive += averageRank;
    i = j;
  }
  const p = positiveScores.length, n = negativeScores.length;
  return (rankSumPositive - (p * (p + 1)) / 2) / (p * n);
}

/** The ROC curve's points (false-positive rate, true-positive rate), threshold from high to low. */
export function rocCurve(positiveScores: readonly number[], negativeScores: readonly number[]): { fpr: number[]; tpr: number[] } {
  const thresholds = [...new Set([...positiveScores, ...negativeScores])].sort((a, b) => b - a);
  const fpr = [0], tpr = [0];
  for (const t of thresholds) {
    tpr.push(positiveScores.filter((s) => s >= t).length / positiveScores.length);
    fpr.push(negativeScores.filter((s) => s >= t).length / negativeScores.length);
  }
  return { fpr, tpr };
}

/** Mean absolute error: the average of |prediction − truth|, in the units of the data. */
export function meanAbsoluteError(predictions: readonly number[], truth: readonly number[]): number {
  if (predictions.length !== truth.length || truth.length === 0) throw new Error(`meanAbsoluteError: ${predictions.length} predictions for ${truth.length} values`);
  return predictions.reduce((sum, p, i) => sum + Math.abs(p - truth[i]!), 0) / truth.length;
}

export interface ReliabilityBin {
  /** The bin's range of confidence [low, high). */
  low: number;
  high: number;
  count: number;
  /** Mean confidence (the probability of the predicted class) of the predictions in the bin. */
  confidence: number;
  /** Fraction of them that were right. */
  accuracy: number;
}

/** Predictions grouped by confidence into `bins` equal bins of [0, 1]; empty bins are left out. */
export function reliabilityBins(confidences: readonly number[], correct: readonly boolean[], bins = 10): ReliabilityBin[] {
  if (confidences.length !== correct.length) throw new Error(`reliabilityBins: ${confidences.length} confidences for ${correct.length} outcomes`);
  const out: ReliabilityBin[] = [];
  for (let b = 0; b < bins; b++) {
    const low = b / bins, high = (b + 1) / bins;
    const members = confidences.flatMap((c, i) => (c >= low && (c < high || (b === bins - 1 && c <= 1)) ? [i] : []));
    if (members.length === 0) continue;
    out.push({
      low, high, count: members.length,
      confidence: members.reduce((s, i) => s + confidences[i]!, 0) / members.length,
      accuracy: members.filter((i) => correct[i]).length / members.length,
    });
  }
  return out;
}

/** Expected calibration error: ECE = Σ_bins (n_bin / n) · |accuracy_bin − confidence_bin|. 0 is perfectly calibrated. */
export function expectedCalibrationError(confidences: readonly number[], correct: readonly boolean[], bins = 10): number {
  return reliabilityBins(confidences, correct, bins).reduce((sum, bin) => sum + (bin.count / confidences.length) * Math.abs(bin.accuracy - bin.confidence), 0);
}

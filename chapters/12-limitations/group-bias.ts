// A small, controlled case of bias: a task where one group is rare in the
// training data and follows a different rule.
//
// Every point has two measurements (x₁, x₂) ~ N(0, 1) and belongs to a group:
//   group A: label 1 when x₁ + x₂ > 0
//   group B: label 1 when x₁ + x₂ > 1.5   (the same kind of rule, shifted)
// The model does not see the group (as when a sensitive attribute is left
// out of the features), so it can draw only one boundary for everyone, and
// the points between the two lines get opposite labels in the two groups.
// Minimising the average loss puts the boundary where the majority wants it:
// when B is 5 % of the training rows the model learns A's rule, and about a
// third of B's points (those with 0 < x₁ + x₂ < 1.5) are misclassified.
//
// Reweighting: give each training row the weight 1 / (its group's share), so
// that both groups count equally in the loss,
//   loss = Σ_i w_i ℓ_i / Σ_i w_i,
// as scikit-learn's sample_weight, or PyTorch's per-sample losses
// (reduction="none") multiplied by weights.

import { Generator, randn, tensor, type Tensor } from "../../src/index.ts";

export interface GroupTask {
  /** [n, 2]: x₁, x₂ (the group is not a feature). */
  x: Tensor;
  /** int32 [n]: the label. */
  y: Tensor;
  /** The group of each row, 0 (A) or 1 (B). */
  group: number[];
}

/** The threshold on x₁ + x₂ of each group's rule. */
export const GROUP_THRESHOLDS: readonly number[] = [0, 1.5];

/** n rows, a fraction `shareB` of them (rounded) in group B, in a random order from the generator. */
export function makeGroupTask(n: number, shareB: number, generator: Generator): GroupTask {
  if (!(shareB >= 0 && shareB <= 1)) throw new Error(`makeGroupTask: shareB must be in [0, 1], got ${shareB}`);
  const nB = Math.round(n * shareB);
  const points = randn([n, 2], { generator }).tolist() as number[][];
  const group = Array.from({ length: n }, (_, i): number => (i < nB ? 1 : 0));
  for (let i = n - 1; i > 0; i--) {                                 // Fisher–Yates: spread the groups
    const j = Math.floor(generator.random() * (i + 1));
    [group[i], group[j]] = [group[j]!, group[i]!];
  }
  const labels = points.map(([a, b], i) => (a! + b! > GROUP_THRESHOLDS[group[i]!]! ? 1 : 0));
  return { x: tensor(points), y: tensor(labels, { dtype: "int32" }), group };
}

/** The weight of each row: 1 / (its group's share of the rows), so each group weighs the same in total. */
export function balancingWeights(group: readonly number[]): Tensor {
  const countB = group.filter((g) => g === 1).length, countA = group.length - countB;
  if (countA === 0 || countB === 0) throw new Error("balancingWeights: both groups must be present");
  return tensor(group.map((g) => group.length / (g === 1 ? countB : countA)));
}

/** The error rate (%) of predictions within each group: [A, B]. */
export function groupErrors(predictions: readonly number[], labels: readonly number[], group: readonly number[]): [number, number] {
  const wrong = [0, 0], total = [0, 0];
  predictions.forEach((p, i) => {
    total[group[i]!]! += 1;
    if (p !== labels[i]) wrong[group[i]!]! += 1;
  });
  return [(100 * wrong[0]!) / total[0]!, (100 * wrong[1]!) / total[1]!];
}

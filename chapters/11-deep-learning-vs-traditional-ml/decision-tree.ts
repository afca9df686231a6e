// A decision tree grown by CART (Breiman et al., 1984), as scikit-learn's
// DecisionTreeClassifier does: a tree of yes/no questions "is feature j ≤ t?",
// with a class answer at each leaf.
//
// Growing it is greedy. At a node holding some training rows, try every
// feature j and every threshold t halfway between two consecutive distinct
// values of that feature, and keep the split whose two children are purest,
// by the Gini impurity of a set whose class fractions are p_c:
//
//   G = 1 − Σ_c p_c²        (0 when pure; the chance that two random draws disagree)
//   split cost = (n_left · G_left + n_right · G_right) / n
//
// Then grow each child the same way, until a node is pure, too small, at the
// maximum depth, or holds only identical rows. A leaf answers its
// majority class (the smallest label on ties).

import { argmax, type Rows } from "./logistic-regression.ts";

export type TreeNode =
  | { kind: "leaf"; counts: number[]; prediction: number }
  | { kind: "split"; feature: number; threshold: number; left: TreeNode; right: TreeNode; counts: number[] };

export interface Split {
  feature: number;
  /** Rows with x[feature] ≤ threshold go left. */
  threshold: number;
  /** The weighted Gini impurity of the two children. */
  impurity: number;
}

/** Gini impurity 1 − Σ p_c² of a node with these class counts. */
export function gini(counts: readonly number[]): number {
  const n = counts.reduce((a, b) => a + b, 0);
  if (n === 0) return 0;
  return 1 - counts.reduce((s, c) => s + (c / n) ** 2, 0);
}

function classCounts(y: readonly number[], indices: readonly number[], classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const i of indices) counts[y[i]!]! += 1;
  return counts;
}

/** The best split of the rows `indices`, or null when no split separates any two rows. */
export function bestSplit(x: Rows, y: readonly number[], indices: readonly number[], classes: number): Split | null {
  const n = indices.length, features = x[0]!.length;
  const total = classCounts(y, indices, classes);
  let best: Split | null = null;
  for (let feature = 0; feature < features; feature++) {
    const sorted = [...indices].sort((a, b) => x[a]![feature]! - x[b]![feature]!);
    const left = new Array<number>(classes).fill(0);
    const right = [...total];
    for (let k = 0; k < n - 1; k++) {
      const label = y[sorted[k]!]!;
      left[label]! += 1;                         // move row k from the right child to the left one
      right[label]! -= 1;
      const here = x[sorted[k]!]![feature]!, next = x[sorted[k + 1]!]![feature]!;
      if (here === next) continue;               // a threshold must fall between two distinct values
      const nLeft = k + 1, nRight = n - nLeft;
      const impurity = (nLeft * gini(left) + nRight * gini(right)) / n;
      if (best === null || impurity < best.impurity - 1e-12) best = { feature, threshold: (here + next) / 2, impurity };
    }
  }
  return best;
}

export interface DecisionTreeOptions {
  /** The longest path from the root to a leaf (scikit-learn's max_depth). */
  maxDepth?: number;
  /** A node with fewer rows becomes a leaf (min_samples_split). */
  minSamplesSplit?: number;
}

export class DecisionTree {
  root: TreeNode | null = null;
  readonly maxDepth: number;
  readonly minSamplesSplit: number;

  constructor(options: DecisionTreeOptions = {}) {
    this.maxDepth = options.maxDepth ?? 10;
    this.minSamplesSplit = options.minSamplesSplit ?? 2;
  }

  fit(x: Rows, y: readonly number[], classes: number): this {
    if (x.length === 0 || x.length !== y.length) throw new Error(`DecisionTree.fit: ${x.length} rows and ${y.length} labels`);
    this.root = this.grow(x, y, x.map((_, i) => i), classes, 0);
    return this;
  }

  private grow(x: Rows, y: readonly number[], indices: number[], classes: number, depth: number): TreeNode {
    const counts = classCounts(y, indices, classes);
    const leaf: TreeNode = { kind: "leaf", counts, prediction: argmax(counts) };
    if (depth >= this.maxDepth || indices.length < this.minSamplesSplit || gini(counts) === 0) return leaf;
    const split = bestSplit(x, y, indices, classes);
    if (split === null) return leaf;   // even a split that lowers nothing is kept, as in scikit-learn: XOR needs one
    const goesLeft = (i: number) => x[i]![split.feature]! <= split.threshold;
    return {
      kind: "split", feature: split.feature, threshold: split.threshold, counts,
      left: this.grow(x, y, indices.filter(goesLeft), classes, depth + 1),
      right: this.grow(x, y, indices.filter((i) => !goesLeft(i)), classes, depth + 1),
    };
  }

  predictOne(row: readonly number[]): number {
    if (this.root === null) throw new Error("DecisionTree.predict: call fit first");
    let node = this.root;
    while (node.kind === "split") node = row[node.feature]! <= node.threshold ? node.left : node.right;
    return node.prediction;
  }

  predict(x: Rows): number[] {
    return x.map((row) => this.predictOne(row));
  }

  /** The number of leaves (the number of regions the tree cuts the space into). */
  leaves(node: TreeNode | null = this.root): number {
    if (node === null) return 0;
    return node.kind === "leaf" ? 1 : this.leaves(node.left) + this.leaves(node.right);
  }
}

// Logistic regression (multinomial, "softmax regression"), written out by hand
// with plain arrays: the classic linear classifier that a one-layer neural
// network also is.
//
// For each class c a score s_c = w_c · x + b_c; probabilities p = softmax(s).
// The loss is the mean cross-entropy plus an L2 penalty (λ/2)‖W‖², and its
// gradient has a closed form, so no autograd is needed:
//
//   ∂loss/∂w_c = mean over samples of (p_c − [y = c]) · x  +  λ · w_c
//
// Full-batch gradient descent on this convex loss reaches the same optimum
// whatever the start (scikit-learn's LogisticRegression solves the same
// problem with L-BFGS; its C is 1 / (λ · n)).

export type Rows = readonly (readonly number[])[];

export interface LogisticRegressionOptions {
  /** Step size of gradient descent. */
  lr?: number;
  /** Full passes over the training set (one gradient step each). */
  epochs?: number;
  /** λ of the L2 penalty (λ/2)‖W‖²; the bias is not penalised. */
  l2?: number;
}

export class LogisticRegression {
  /** weights[c][j]: the weight of feature j in the score of class c. */
  weights: number[][] = [];
  bias: number[] = [];
  readonly lr: number;
  readonly epochs: number;
  readonly l2: number;

  constructor(options: LogisticRegressionOptions = {}) {
    this.lr = options.lr ?? 0.5;
    this.epochs = options.epochs ?? 300;
    this.l2 = options.l2 ?? 1e-3;
  }

  fit(x: Rows, y: readonly number[], classes: number): this {
    if (x.length === 0 || x.length !== y.length) throw new Error(`LogisticRegression.fit: ${x.length} rows and ${y.length} labels`);
    const n = x.length, features = x[0]!.length;
    this.weights = Array.from({ length: classes }, () => new Array<number>(features).fill(0));
    this.bias = new Array<number>(classes).fill(0);
    for (let epoch = 0; epoch < this.epochs; epoch++) {
      const gradW = Array.from({ length: classes }, () => new Array<number>(features).fill(0));
      const gradB = new Array<number>(classes).fill(0);
      for (let i = 0; i < n; i++) {
        const p = this.probabilities(x[i]!);
        for (let c = 0; c < classes; c++) {
          const error = p[c]! - (y[i] === c ? 1 : 0);          // p_c − [y = c]
          const g = gradW[c]!, row = x[i]!;
          for (let j = 0; j < features; j++) g[j]! += error * row[j]!;
          gradB[c]! += error;
        }
      }
      for (let c = 0; c < classes; c++) {
        const w = this.weights[c]!, g = gradW[c]!;
        for (let j = 0; j < features; j++) w[j]! -= this.lr * (g[j]! / n + this.l2 * w[j]!);
        this.bias[c]! -= (this.lr * gradB[c]!) / n;
      }
    }
    return this;
  }

  /** softmax(W x + b), computed stably (the largest score subtracted first). */
  probabilities(row: readonly number[]): number[] {
    const classes = this.weights.length, scores = new Array<number>(classes);
    let top = -Infinity;
    for (let c = 0; c < classes; c++) {
      const w = this.weights[c]!;
      let s = this.bias[c]!;
      for (let j = 0; j < row.length; j++) s += w[j]! * row[j]!;
      scores[c] = s;
      if (s > top) top = s;
    }
    let total = 0;
    for (let c = 0; c < classes; c++) total += scores[c] = Math.exp(scores[c]! - top);
    for (let c = 0; c < classes; c++) scores[c]! /= total;
    return scores;
  }

  /** The mean cross-entropy of the labels (without the penalty). */
  loss(x: Rows, y: readonly number[]): number {
    return x.reduce((sum, row, i) => sum - Math.log(this.probabilities(row)[y[i]!]!), 0) / x.length;
  }

  predict(x: Rows): number[] {
    return x.map((row) => argmax(this.probabilities(row)));
  }
}

/** The index of the largest value (the first one on ties). */
export function argmax(values: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

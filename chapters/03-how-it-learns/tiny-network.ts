// One small network, three ways: on Scalars (scalar.ts), on tensors, and with
// its gradients derived by hand. Two inputs, one hidden layer of tanh units,
// one output score z; class 1 is predicted when z > 0.
//
//   h = tanh(x·W1 + b1)        x [N, 2], W1 [2, H], b1 [H]     hidden layer
//   z = h·w2 + b2              w2 [H], b2 a number              the score
//   loss = mean ln(1 + e^(−s·z)), s = +1 for class 1, −1 for class 0   (the logistic loss)
//
// The logistic loss is binary cross-entropy on p = σ(z), written as one formula:
// −ln σ(s·z) = ln(1 + e^(−s·z)). It is small when the score has the label's sign.

import { randn, tensor, type Tensor } from "../../src/index.ts";
import { Scalar, sum } from "./scalar.ts";

/** The weights as plain numbers, so the three versions can start from the same ones. */
export interface TinyWeights {
  w1: number[][]; // [2][H]
  b1: number[];   // [H]
  w2: number[];   // [H]
  b2: number;
}

/** Random weights: W1 ~ N(0, 1), w2 ~ N(0, 1/H), biases 0 (draws from the global generator). */
export function randomWeights(hidden: number): TinyWeights {
  const w1 = randn([2, hidden]).tolist() as number[][];
  const w2 = (randn([hidden]).div(Math.sqrt(hidden)).tolist() as number[]);
  return { w1, b1: new Array<number>(hidden).fill(0), w2, b2: 0 };
}

// ---- 1. on Scalars ----------------------------------------------------------

export class ScalarNetwork {
  readonly w1: Scalar[][];
  readonly b1: Scalar[];
  readonly w2: Scalar[];
  readonly b2: Scalar;

  constructor(weights: TinyWeights) {
    this.w1 = weights.w1.map((row, i) => row.map((v, j) => new Scalar(v, [], [], "", `W1[${i},${j}]`)));
    this.b1 = weights.b1.map((v, j) => new Scalar(v, [], [], "", `b1[${j}]`));
    this.w2 = weights.w2.map((v, j) => new Scalar(v, [], [], "", `w2[${j}]`));
    this.b2 = new Scalar(weights.b2, [], [], "", "b2");
  }

  parameters(): Scalar[] {
    return [...this.w1.flat(), ...this.b1, ...this.w2, this.b2];
  }

  /** The score z of one point (x0, x1). */
  score(x0: number, x1: number): Scalar {
    const hidden = this.b1.map((b, j) => this.w1[0]![j]!.mul(x0).add(this.w1[1]![j]!.mul(x1)).add(b).tanh());
    return sum(hidden.map((h, j) => h.mul(this.w2[j]!))).add(this.b2);
  }

  /** The mean logistic loss over the points (labels 0 or 1). */
  loss(points: readonly (readonly [number, number])[], labels: readonly number[]): Scalar {
    const terms = points.map(([x0, x1], i) => {
      const sign = labels[i] === 1 ? 1 : -1;
      return this.score(x0, x1).mul(-sign).exp().add(1).log(); // ln(1 + e^(−s·z))
    });
    return sum(terms).div(points.length);
  }

  /** One step of gradient descent: every weight moves against its gradient. */
  step(learningRate: number): void {
    for (const p of this.parameters()) p.data -= learningRate * p.grad;
  }

  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = 0;
  }

  weights(): TinyWeights {
    return { w1: this.w1.map((row) => row.map((s) => s.data)), b1: this.b1.map((s) => s.data), w2: this.w2.map((s) => s.data), b2: this.b2.data };
  }
}

// ---- 2. on tensors ------------------------------------------------------------

/** The same network as leaf tensors (float64, requiresGrad), in the order W1, b1, w2, b2. */
export function tensorParameters(weights: TinyWeights): [Tensor, Tensor, Tensor, Tensor] {
  const leaf = (values: number | number[] | number[][]) => tensor(values as number[], { dtype: "float64", requiresGrad: true });
  return [leaf(weights.w1), leaf(weights.b1), leaf(weights.w2), leaf(weights.b2)];
}

/** z [N] for points x [N, 2]. */
export function tensorScore([w1, b1, w2, b2]: readonly Tensor[], x: Tensor): Tensor {
  return x.matmul(w1!).add(b1!).tanh().matmul(w2!).add(b2!);
}

/** The mean logistic loss; y holds 0 or 1. */
export function tensorLoss(parameters: readonly Tensor[], x: Tensor, y: Tensor): Tensor {
  const sign = y.mul(2).sub(1);
  return tensorScore(parameters, x).mul(sign).neg().exp().add(1).log().mean();
}

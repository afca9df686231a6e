// The gradients of the tiny network (tiny-network.ts), derived by hand with the
// chain rule and computed with plain loops: what autograd does for us.
//
// Forward, for each point i (N points, H hidden units):
//   a_ij = x_i0·W1_0j + x_i1·W1_1j + b1_j      h_ij = tanh(a_ij)
//   z_i  = Σ_j h_ij·w2_j + b2                   loss = (1/N) Σ_i ln(1 + e^(−s_i·z_i))
// Backward, from the loss down:
//   ∂loss/∂z_i   = −s_i·σ(−s_i·z_i) / N         (σ(t) = 1/(1 + e^(−t)); d/dt ln(1 + eᵗ) = σ(t))
//   ∂loss/∂b2    = Σ_i ∂loss/∂z_i
//   ∂loss/∂w2_j  = Σ_i ∂loss/∂z_i · h_ij
//   ∂loss/∂a_ij  = ∂loss/∂z_i · w2_j · (1 − h_ij²)   (tanh' = 1 − tanh²)
//   ∂loss/∂b1_j  = Σ_i ∂loss/∂a_ij
//   ∂loss/∂W1_kj = Σ_i x_ik · ∂loss/∂a_ij

import type { TinyWeights } from "./tiny-network.ts";

export function handGradients(weights: TinyWeights, points: readonly (readonly [number, number])[], labels: readonly number[]): { loss: number; gradients: TinyWeights } {
  const hidden = weights.b1.length, n = points.length;
  const g: TinyWeights = { w1: [new Array<number>(hidden).fill(0), new Array<number>(hidden).fill(0)], b1: new Array<number>(hidden).fill(0), w2: new Array<number>(hidden).fill(0), b2: 0 };
  let loss = 0;
  points.forEach(([x0, x1], i) => {
    const s = labels[i] === 1 ? 1 : -1;
    const h = weights.b1.map((b, j) => Math.tanh(x0 * weights.w1[0]![j]! + x1 * weights.w1[1]![j]! + b));
    const z = h.reduce((total, hj, j) => total + hj * weights.w2[j]!, weights.b2);
    loss += Math.log(1 + Math.exp(-s * z)) / n;
    const dz = (-s / (1 + Math.exp(s * z))) / n; // −s·σ(−s·z)/N
    g.b2 += dz;
    for (let j = 0; j < hidden; j++) {
      g.w2[j]! += dz * h[j]!;
      const da = dz * weights.w2[j]! * (1 - h[j]! * h[j]!);
      g.b1[j]! += da;
      g.w1[0]![j]! += x0 * da;
      g.w1[1]![j]! += x1 * da;
    }
  });
  return { loss, gradients: g };
}

/** All the numbers of a TinyWeights in one list (W1 row by row, b1, w2, b2): handy for comparing. */
export function flatten(weights: TinyWeights): number[] {
  return [...weights.w1.flat(), ...weights.b1, ...weights.w2, weights.b2];
}

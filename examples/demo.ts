// A tiny multi-layer perceptron trained with nothing but tensors and autograd,
// printing its loss as it falls (`npx tsx examples/demo.ts`).
//
// The data: 200 points in the plane, labelled by which of two interleaved
// spirals they lie on. A straight line cannot separate them; two layers can.

import { arange, cat, manualSeed, noGrad, randn, stack, tensor, type Tensor } from "../src/index.ts";

manualSeed(0);

/** Two spirals, 100 points each; label 0 or 1 by spiral. */
function spirals(pointsPerClass: number): { x: Tensor; y: Tensor } {
  const t = arange(pointsPerClass).float().div(pointsPerClass).mul(2 * Math.PI).add(0.5); // angle along the spiral: one full turn
  const arms = [0, 1].map((arm) => {
    const radius = t.div(2 * Math.PI + 0.5);
    const angle = t.add(arm * Math.PI);
    const points = stack([radius.mul(angle.cos()), radius.mul(angle.sin())], 1);
    return points.add(randn(points.shape).mul(0.02)); // a little noise
  });
  const labels = Array.from({ length: 2 * pointsPerClass }, (_, i) => (i < pointsPerClass ? 0 : 1));
  return { x: cat(arms, 0), y: tensor(labels, { dtype: "int32" }) };
}

const { x, y } = spirals(100);

// Parameters of a 2 → 32 → 32 → 2 network, scaled like PyTorch's default init (uniform ±1/√fan_in is close enough here).
const layer = (fanIn: number, fanOut: number) => ({
  w: randn([fanIn, fanOut]).div(Math.sqrt(fanIn)).requiresGrad_(),
  b: randn([fanOut]).mul(0.01).requiresGrad_(),
});
const layers = [layer(2, 32), layer(32, 32), layer(32, 2)];
const parameters = layers.flatMap((l) => [l.w, l.b]);

function forward(input: Tensor): Tensor {
  let h = input;
  layers.forEach((l, i) => {
    h = h.matmul(l.w).add(l.b);
    if (i < layers.length - 1) h = h.tanh();
  });
  return h; // logits, one row per point
}

/** Mean cross-entropy: −log softmax(logits)[label], averaged over the points. */
function crossEntropy(logits: Tensor, labels: Tensor): Tensor {
  return logits.logSoftmax(1).gather(1, labels.unsqueeze(1)).neg().mean();
}

const learningRate = 0.3;
const steps = 600;
console.log(`Training a 2-32-32-2 tanh network on ${x.shape[0]} spiral points with plain gradient descent.\n`);
for (let step = 0; step <= steps; step++) {
  const loss = crossEntropy(forward(x), y);
  for (const p of parameters) p.grad = null;
  loss.backward();
  noGrad(() => {
    for (const p of parameters) p.sub_(p.grad!.mul(learningRate));
  });
  if (step % 50 === 0) {
    const accuracy = noGrad(() => forward(x).argmax(1).eq(y).float().mean().item());
    const bar = "#".repeat(Math.round(loss.item() * 40));
    console.log(`step ${String(step).padStart(3)}  loss ${loss.item().toFixed(4)}  accuracy ${(accuracy * 100).toFixed(1).padStart(5)}%  ${bar}`);
  }
}

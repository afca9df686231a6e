// One training step of a 784-256-128-10 ReLU MLP, batch 128, softmax cross-entropy, SGD,
// written with core ops only (the nn layer comes later). Shared by the benchmark.
import { manualSeed, noGrad, randint, randn, type Tensor } from "../src/index.ts";

export interface MlpStep {
  step(): number;
}

export function makeMlpStep(): MlpStep {
  manualSeed(0);
  const sizes = [784, 256, 128, 10];
  const params: Tensor[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    params.push(randn([sizes[i]!, sizes[i + 1]!]).mul(Math.sqrt(2 / sizes[i]!)).requiresGrad_());
    params.push(randn([sizes[i + 1]!]).mul(0.01).requiresGrad_());
  }
  const x = randn([128, 784]);
  const labels = randint(0, 10, [128]);
  return {
    step() {
      let h = x;
      for (let i = 0; i < params.length; i += 2) {
        h = h.matmul(params[i]!).add(params[i + 1]!);
        if (i + 2 < params.length) h = h.relu();
      }
      const loss = h.logSoftmax(1).gather(1, labels.unsqueeze(1)).neg().mean();
      for (const p of params) p.grad = null;
      loss.backward();
      noGrad(() => {
        for (const p of params) p.sub_(p.grad!.mul(0.01));
      });
      return loss.item();
    },
  };
}

// The judge of generated digits: a classifier trained on the real 8×8 digits
// in the same script, then frozen. Generated images pass when it recognises
// them with confidence (mean max-probability) and when every class appears
// (no mode collapse).
//
// A plain classifier is confident on anything, noise included (an MLP gives
// uniform noise a mean max-probability near 0.9), which would make the test
// meaningless. So the judge also learns what is not a digit ("outlier
// exposure", Hendrycks et al. 2019): in every batch, noise images and digits
// with their pixels shuffled get the uniform target 1/10 for every class.
// Its test accuracy and its confidence on garbage it never saw in training
// (the average of two digits of different classes) are reported beside.

import { F, Generator, cat, data, full, nn, noGrad, optim, rand, randperm, tensor, type Tensor } from "../src/index.ts";

export interface DigitsJudgement {
  /** The mean over images of the classifier's largest class probability. */
  meanMaxProbability: number;
  /** The fraction of images assigned to each digit 0–9. */
  classFractions: number[];
}

export interface DigitsJudge {
  /** The classifier's accuracy on the 20 % of digits it did not train on. */
  testAccuracy: number;
  /** Its mean max-probability on blends of two test digits of different classes (never seen in training). */
  blendMeanMaxProbability: number;
  /** Judges images [N, 1, 8, 8] with pixels in [0, 1] (digit value / 16). */
  judge(images: Tensor): DigitsJudgement;
}

/** Trains the judge (an MLP 64 → 128 → 10 on pixels / 16) for `epochs` epochs on 80 % of the digits, seeded. */
export function trainDigitsJudge(options: { seed?: number; epochs?: number } = {}): DigitsJudge {
  const { seed = 0, epochs = 30 } = options;
  const generator = new Generator(seed);
  const digits = data.loadDigits();
  const all = new data.TensorDataset(digits.images.div(16), digits.target);
  const [train, test] = data.randomSplit(all, [0.8, 0.2], { generator });
  const model = new nn.Sequential(new nn.Flatten(), new nn.Linear(64, 128), new nn.ReLU(), new nn.Linear(128, 10));
  const optimizer = new optim.Adam(model.parameters(), { lr: 3e-3 });
  const loader = new data.DataLoader(train, { batchSize: 64, shuffle: true, generator });
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const [x, y] of loader) {
      const outliers = notDigits(x, generator);
      const loss = F.crossEntropy(model.forward(x), y).add(
        F.crossEntropy(model.forward(outliers), full([outliers.shape[0]!, 10], 0.1)),
      );
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
    }
  }
  model.eval();
  const probabilities = (images: Tensor) => noGrad(() => model.forward(images.clamp(0, 1)).softmax(1));
  const [xTest, yTest] = test.getBatch(test.indices.map((_, i) => i));
  const testAccuracy = noGrad(() => probabilities(xTest).argmax(1).eq(yTest).float().mean().item());
  const judge = (images: Tensor): DigitsJudgement => {
    if (images.ndim !== 4 || images.shape[1] !== 1 || images.shape[2] !== 8 || images.shape[3] !== 8) {
      throw new Error(`DigitsJudge: expected images [N, 1, 8, 8], got [${images.shape.join(", ")}]`);
    }
    const p = probabilities(images);
    const predicted = p.argmax(1).toTypedArray();
    const counts = new Array<number>(10).fill(0);
    for (const label of predicted) counts[label]! += 1;
    return {
      meanMaxProbability: p.amax(1).mean().item(),
      classFractions: counts.map((c) => c / predicted.length),
    };
  };
  const blendMeanMaxProbability = judge(blendsOfTwoClasses(xTest, yTest, generator)).meanMaxProbability;
  return { testAccuracy, blendMeanMaxProbability, judge };
}

/** Half uniform noise, half the batch's digits with their 64 pixels shuffled: images that are not digits. */
function notDigits(x: Tensor, generator: Generator): Tensor {
  const n = x.shape[0]!;
  const noise = rand([Math.ceil(n / 2), 1, 8, 8], { generator });
  const scrambled = x.narrow(0, 0, Math.floor(n / 2)).reshape([-1, 64]).indexSelect(1, randperm(64, { generator }));
  return cat([noise, scrambled.reshape([-1, 1, 8, 8])]);
}

/** (a + b) / 2 for pairs of test digits with different labels: ambiguous images the judge never trained on. */
function blendsOfTwoClasses(x: Tensor, y: Tensor, generator: Generator): Tensor {
  const order = randperm(x.shape[0]!, { generator });
  const other = x.indexSelect(0, order), otherLabels = y.indexSelect(0, order);
  const different = y.ne(otherLabels).toTypedArray();
  const keep = tensor(Int32Array.from([...different.keys()].filter((i) => different[i])), { dtype: "int32" });
  return x.indexSelect(0, keep).add(other.indexSelect(0, keep)).div(2);
}

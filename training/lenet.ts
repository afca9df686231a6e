// LeNet-5 on the bundled Fashion-MNIST subset.
//
// Data: the bundled subset, 6,000 training images (600 per class) and 1,000
// test images (100 per class), fixed by the files themselves; pixels in
// [0, 1] normalized with Fashion-MNIST's mean 0.286 and standard deviation
// 0.353. No augmentation. --seed changes the initialisation and the order of
// the batches.
// Model: LeNet5 {} (28×28, ReLU, max pooling), 61,706 parameters (its
// PyTorch twin has as many).
// Training: Adam with the 1cycle schedule (peak lr 3e-3), batches of 64,
// 12 epochs (quick: one epoch on the first 512 training images, tested on
// the first 200 test images).
//
// Reported: test accuracy (target ≥ 85 %) and train accuracy, the training
// time and the mean time per epoch, the test accuracy after each epoch, and
// two baselines: chance (the classes are balanced: 10 %) and a linear
// classifier on the 784 pixels (multinomial logistic regression) trained the
// same way. The trained weights go to <outDir>/lenet.safetensors.

import path from "node:path";
import { F, Generator, data, manualSeed, nn, optim, save, type Tensor } from "../src/index.ts";
import { LeNet5 } from "../src/architectures/lenet.ts";
import { formatDuration, ProgressBar } from "../chapters/_kit/progress.ts";
import { accuracy, type Classifier } from "./classification.ts";
import { atLeast, reported, type Trainer, type TrainOptions, type TrainResult } from "./types.ts";

const MEAN = 0.286;
const STD = 0.353;


function train({ quick, seed, outDir }: TrainOptions): TrainResult {
  const epochs = quick ? 1 : 12;
  manualSeed(seed);
  const normalize = (images: Tensor) => images.sub(MEAN).div(STD);
  const trainData = data.loadFashionMNIST({ split: "train" });
  const testData = data.loadFashionMNIST({ split: "test" });
  const trainCount = quick ? 512 : trainData.labels.shape[0]!;
  const testCount = quick ? 200 : testData.labels.shape[0]!;
  const xTrain = normalize(trainData.images.narrow(0, 0, trainCount)), yTrain = trainData.labels.narrow(0, 0, trainCount);
  const xTest = normalize(testData.images.narrow(0, 0, testCount)), yTest = testData.labels.narrow(0, 0, testCount);
  const testSet = new data.TensorDataset(xTest, yTest);
  const trainSet = new data.TensorDataset(xTrain, yTrain);
  console.log(`${trainCount} training and ${testCount} test images`);

  const model = new LeNet5();
  const epochSeconds: number[] = [];
  const testAccuracies: number[] = [];
  fit(model, trainSet, {
    epochs, seed, label: "LeNet-5",
    afterEpoch: (epoch, seconds) => {
      epochSeconds.push(seconds);
      testAccuracies.push(accuracy(model, testSet));
      console.log(`  epoch ${epoch + 1}/${epochs}: ${formatDuration(seconds)}, test accuracy ${(100 * testAccuracies.at(-1)!).toFixed(1)} %`);
    },
  });
  const trainSeconds = epochSeconds.reduce((a, b) => a + b, 0);
  const file = path.join(outDir, "lenet.safetensors");
  save(model.stateDict(), file);

  console.log("baseline: a linear classifier on the pixels (784 → 10), trained the same way…");
  const linear = new nn.Sequential(new nn.Flatten(), new nn.Linear(784, 10));
  fit(linear, trainSet, { epochs, seed, label: "linear" });

  return {
    measurements: [
      atLeast("test accuracy (%)", 100 * testAccuracies.at(-1)!, 85),
      reported("train accuracy (%)", 100 * accuracy(model, trainSet)),
      reported("baseline: linear classifier, test accuracy (%)", 100 * accuracy(linear, testSet)),
      reported("baseline: chance, test accuracy (%)", 10),
      reported("parameters", model.parameterCount()),
      reported("training time (s)", trainSeconds),
      reported("time per epoch (s)", trainSeconds / epochs),
    ],
    notes: [
      `test accuracy after each epoch (%): ${testAccuracies.map((a) => (100 * a).toFixed(1)).join(", ")}`,
      `weights saved to ${file}`,
    ],
  };
}

interface FitOptions {
  epochs: number;
  seed: number;
  label: string;
  /** Called after each epoch with its index and its training time in seconds. */
  afterEpoch?: (epoch: number, seconds: number) => void;
}

/** Trains with Adam and the 1cycle schedule (peak lr 3e-3) on batches of 64, one scheduler step per batch. */
function fit(model: Classifier, trainSet: data.TensorDataset<[Tensor, Tensor]>, { epochs, seed, label, afterEpoch }: FitOptions): void {
  const loader = new data.DataLoader(trainSet, { batchSize: 64, shuffle: true, generator: new Generator(seed) });
  const optimizer = new optim.Adam(model.parameters(), { lr: 3e-3 });
  const scheduler = new optim.lrScheduler.OneCycleLR(optimizer, 3e-3, { totalSteps: epochs * loader.length });
  for (let epoch = 0; epoch < epochs; epoch++) {
    const progress = new ProgressBar(loader.length, { label: `${label} epoch ${epoch + 1}/${epochs}` });
    const started = performance.now();
    model.train();
    for (const [x, y] of loader) {
      const loss = F.crossEntropy(model.forward(x), y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      scheduler.step();
      progress.tick(1, `loss ${loss.item().toFixed(3)}`);
    }
    progress.finish();
    afterEpoch?.(epoch, (performance.now() - started) / 1000);
  }
  model.eval();
}

const trainer: Trainer = {
  description: "LeNet-5 (28×28, ReLU, max pooling) on the bundled Fashion-MNIST subset (6,000 train / 1,000 test)",
  train,
};
export default trainer;

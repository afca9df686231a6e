// The training loop of this chapter, shared by LeNet and ResNet: read the
// images in shuffled batches, (optionally) augment each batch, compute the
// cross-entropy of the predictions, backpropagate, step the optimizer.

import { F, Generator, noGrad, optim, randperm, type nn, type Tensor } from "../../src/index.ts";
import { ProgressBar } from "../_kit/index.ts";

export type Classifier = nn.Module & { forward(x: Tensor): Tensor };

export interface FitOptions {
  epochs: number;
  batchSize: number;
  /** Seeds the order of the batches. */
  seed: number;
  /** "adam": Adam, peak lr 3e-3 (LeNet's recipe); "sgd": SGD with Nesterov momentum, peak lr 0.1, weight decay 5e-4 (ResNet's). Both with the 1cycle schedule. */
  optimizer: "adam" | "sgd";
  /** Applied to every training batch (raw pixels in [0, 1]) before normalizing: the augmentation. */
  augment?: (images: Tensor) => Tensor;
  normalize: (images: Tensor) => Tensor;
  label: string;
  /** Called after every epoch (the model in eval mode), e.g. to measure the test accuracy. */
  afterEpoch?: (epoch: number) => void;
}

/** Trains `model` on raw images [N, 1, 28, 28] in [0, 1] and labels [N]. */
export function fit(model: Classifier, images: Tensor, labels: Tensor, options: FitOptions): void {
  const { epochs, batchSize, seed, augment, normalize, label, afterEpoch } = options;
  const count = images.shape[0]!;
  const batchesPerEpoch = Math.ceil(count / batchSize);
  const parameters = model.parameters();
  const optimizer = options.optimizer === "adam"
    ? new optim.Adam(parameters, { lr: 3e-3 })
    : new optim.SGD(parameters, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 5e-4 });
  const peak = options.optimizer === "adam" ? 3e-3 : 0.1;
  // 1cycle: the learning rate climbs to its peak, then anneals to almost 0.
  const scheduler = new optim.lrScheduler.OneCycleLR(optimizer, peak, { totalSteps: epochs * batchesPerEpoch });
  const order = new Generator(seed);
  for (let epoch = 0; epoch < epochs; epoch++) {
    model.train();
    const progress = new ProgressBar(batchesPerEpoch, { label: `${label} epoch ${epoch + 1}/${epochs}` });
    const permutation = randperm(count, { generator: order }); // a new order every epoch
    for (let start = 0; start < count; start += batchSize) {
      const index = permutation.narrow(0, start, Math.min(batchSize, count - start));
      let x = images.indexSelect(0, index);
      if (augment) x = augment(x);
      const y = labels.indexSelect(0, index);
      const loss = F.crossEntropy(model.forward(normalize(x)), y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      scheduler.step();
      progress.tick(1, `loss ${loss.item().toFixed(3)}`);
    }
    progress.finish();
    model.eval();
    afterEpoch?.(epoch);
  }
  model.eval();
}

/** The predicted class of every image, in batches of 250, without gradients. */
export function predict(model: Classifier, images: Tensor, normalize: (x: Tensor) => Tensor): Int32Array {
  model.eval();
  const out = new Int32Array(images.shape[0]!);
  noGrad(() => {
    for (let start = 0; start < out.length; start += 250) {
      const count = Math.min(250, out.length - start);
      out.set(model.forward(normalize(images.narrow(0, start, count))).argmax(1).toTypedArray() as Int32Array, start);
    }
  });
  return out;
}

/** The percentage of predictions equal to the labels. */
export function accuracyPercent(predicted: Int32Array, labels: Tensor): number {
  const truth = labels.toTypedArray();
  let correct = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === truth[i]) correct++;
  return (100 * correct) / predicted.length;
}

/** confusion[true class][predicted class] = how many test images. */
export function confusionMatrix(predicted: Int32Array, labels: Tensor, classes: number): number[][] {
  const truth = labels.toTypedArray();
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < predicted.length; i++) matrix[truth[i]!]![predicted[i]!]! += 1;
  return matrix;
}

// Chapter 5: convolutional networks.
//
//   npx tsx chapters/05-convolutional-networks/lesson.ts [--quick]
//
// 1. A 3×3 kernel slid over a Fashion-MNIST image with plain loops, checked
//    against F.conv2d; Sobel edge kernels applied and drawn.
// 2. LeNet-5 (src/architectures/lenet.ts) trained on the bundled
//    Fashion-MNIST subset, its first-layer filters drawn, its confusion matrix.
// 3. A small ResNet (src/architectures/resnet.ts) on the same images.
// 4. Augmentation (random crops and flips) with and without, same small budget.

import path from "node:path";
import { cat, conv2d, data, Generator, tensor, type Tensor } from "../../src/index.ts";
import { LeNet5 } from "../../src/architectures/lenet.ts";
import { ResNet, type ResNetOptions } from "../../src/architectures/resnet.ts";
import { atLeast, atMost, heading, reported, runIfMain, say, writeImageGrid, type Lesson, type LessonOptions, type LessonResult, type Measurement } from "../_kit/index.ts";
import { convolveByHand, SOBEL_X, SOBEL_Y, type Grid } from "./convolution-by-hand.ts";
import { accuracyPercent, confusionMatrix, fit, predict } from "./train-classifier.ts";
import { drawConfusionMatrix, drawCurves } from "./figures.ts";

// Fashion-MNIST's pixel mean and standard deviation: the inputs are standardized, x → (x − mean) / std.
const MEAN = 0.286, STD = 0.353;
const normalize = (images: Tensor): Tensor => images.sub(MEAN).div(STD);

/** The sizes of a run: the quick one takes seconds, the full one minutes. */
const SIZES = {
  quick: {
    // The ResNet gets 20 small steps: with 5 its BatchNorm running statistics (momentum 0.1) are far from the
    // batch statistics, and the eval-mode network is at chance.
    train: 1000, test: 300, batchSize: 32, lenetEpochs: 1, resnetEpochs: 1, resnetImages: 320, resnetBatchSize: 16,
    resnet: { widths: [8, 16], depths: [1, 1] } as ResNetOptions, augmentImages: 320, augmentEpochs: 1,
  },
  // About 7 minutes of CPU: the default ResNet (widths 16-32-64, 2 blocks each) would take 5 minutes per epoch alone.
  full: {
    train: 6000, test: 1000, batchSize: 64, lenetEpochs: 10, resnetEpochs: 2, resnetImages: 6000, resnetBatchSize: 64,
    resnet: { widths: [8, 16, 32], depths: [1, 1, 1] } as ResNetOptions, augmentImages: 1000, augmentEpochs: 10,
  },
};

function run({ quick, seed, outDir }: LessonOptions): LessonResult {
  const size = quick ? SIZES.quick : SIZES.full;
  const figures: string[] = [];
  const measurements: Measurement[] = [];
  const trainSet = data.loadFashionMNIST({ split: "train" });
  const testSet = data.loadFashionMNIST({ split: "test" });
  const xTrain = trainSet.images.narrow(0, 0, size.train), yTrain = trainSet.labels.narrow(0, 0, size.train);
  const xTest = testSet.images.narrow(0, 0, size.test), yTest = testSet.labels.narrow(0, 0, size.test);
  const classes = data.FASHION_MNIST_CLASSES;

  // ── 1. Convolution by hand ────────────────────────────────────────────────
  heading("1. A convolution, by hand");
  say("A convolution slides a small grid of weights (the kernel) over the image; at each place it");
  say("multiplies the overlapping numbers and adds them up: out[y][x] = Σᵢⱼ image[y+i][x+j] · kernel[i][j].");
  const image: Grid = gridOf(xTrain.select(0, 0).select(0, 0));
  const blur: Grid = [[1, 2, 1], [2, 4, 2], [1, 2, 1]].map((row) => row.map((v) => v / 16));
  const byHand = convolveByHand(image, blur, 1);
  const byLibrary = gridOf(conv2d(xTrain.narrow(0, 0, 1), tensor([blur]).unsqueeze(0), null, { padding: 1 }).select(0, 0).select(0, 0));
  const difference = Math.max(...byHand.flatMap((row, y) => row.map((v, x) => Math.abs(v - byLibrary[y]![x]!))));
  say(`A 3×3 blur kernel over a 28×28 ${classes[yTrain.select(0, 0).item()]}: 28 × 28 places × 9 products = ${28 * 28 * 9} multiplications.`);
  say(`Our four nested loops and F.conv2d agree to ${difference.toExponential(1)} (float32 rounding).`);
  measurements.push(atMost("max |by hand − F.conv2d|", difference, 1e-5));

  say("Sobel kernels respond where brightness changes: left→right (x) or top→bottom (y).");
  const edgeImages = Array.from({ length: 6 }, (_, i) => gridOf(xTrain.select(0, i).select(0, 0)));
  const rows: Grid[] = [];
  for (const picture of edgeImages) {
    const gx = convolveByHand(picture, SOBEL_X, 1), gy = convolveByHand(picture, SOBEL_Y, 1);
    const magnitude = gx.map((row, y) => row.map((v, x) => Math.hypot(v, gy[y]![x]!)));
    rows.push(picture, stretch(gx), stretch(gy), stretch(magnitude));
  }
  figures.push(writeImageGrid(path.join(outDir, "sobel-edges.png"), tensor(rows).unsqueeze(1), { columns: 4, scale: 4 }));
  say("Drawn in sobel-edges.png: each row is an image, its x edges, its y edges, and the edge strength √(gx² + gy²).");

  // ── 2. LeNet-5 ────────────────────────────────────────────────────────────
  heading("2. LeNet-5 learns its own kernels");
  say(`${size.train} training and ${size.test} test images of clothes, 10 classes (chance: 10 %).`);
  say("LeNet-5: conv 5×5 (6 maps) → ReLU → max pool → conv 5×5 (16 maps) → ReLU → max pool → 3 linear layers.");
  const lenet = new LeNet5();
  say(`${lenet.parameterCount().toLocaleString("en-US")} parameters; Adam with the 1cycle schedule, batches of ${size.batchSize}, ${size.lenetEpochs} epoch(s).`);
  const lenetCurve: number[] = [];
  fit(lenet, xTrain, yTrain, {
    epochs: size.lenetEpochs, batchSize: size.batchSize, seed, optimizer: "adam", normalize, label: "LeNet-5",
    afterEpoch: () => lenetCurve.push(accuracyPercent(predict(lenet, xTest, normalize), yTest)),
  });
  const lenetPredictions = predict(lenet, xTest, normalize);
  const lenetAccuracy = accuracyPercent(lenetPredictions, yTest);
  say(`LeNet-5 test accuracy: ${lenetAccuracy.toFixed(1)} % (after each epoch: ${lenetCurve.map((a) => a.toFixed(1)).join(", ")}).`);
  measurements.push(atLeast("LeNet test accuracy (%)", lenetAccuracy, quick ? 45 : 85)); // measured: quick 58.7 % (seed 0), 52.0 % (seed 1); full: see the README
  figures.push(writeImageGrid(path.join(outDir, "lenet-first-layer-filters.png"), stretchEach(lenet.conv1.weight.detach()), { columns: 6, scale: 12 }));
  say("Its six learned 5×5 first-layer kernels are in lenet-first-layer-filters.png: compare them with Sobel's.");

  const confusion = confusionMatrix(lenetPredictions, yTest, classes.length);
  const worst = worstConfusion(confusion);
  say(`Confusion matrix (row: true class, column: prediction). The most frequent mistake: ${classes[worst.truth]} taken for ${classes[worst.predicted]} (${worst.count} times).`);
  figures.push(...drawConfusionMatrix(path.join(outDir, "lenet-confusion-matrix"), confusion, classes));

  // ── 3. ResNet ─────────────────────────────────────────────────────────────
  heading("3. A residual network");
  say("A ResNet stacks blocks that compute out = relu(F(x) + x): the shortcut lets gradients reach early layers,");
  say("so networks can be much deeper. BatchNorm keeps each layer's outputs at a steady scale.");
  const resnet = new ResNet(size.resnet);
  say(`ResNet ${JSON.stringify(size.resnet)}: ${resnet.parameterCount().toLocaleString("en-US")} parameters; SGD with Nesterov momentum and 1cycle, ${size.resnetEpochs} epoch(s) over ${size.resnetImages} images, batches of ${size.resnetBatchSize}, with random flips.`);
  const flip = data.transforms.randomHorizontalFlip({ generator: new Generator(seed + 1) });
  const resnetCurve: number[] = [];
  fit(resnet, xTrain.narrow(0, 0, size.resnetImages), yTrain.narrow(0, 0, size.resnetImages), {
    epochs: size.resnetEpochs, batchSize: size.resnetBatchSize, seed, optimizer: "sgd", augment: flip, normalize, label: "ResNet",
    afterEpoch: () => resnetCurve.push(accuracyPercent(predict(resnet, xTest, normalize), yTest)),
  });
  const resnetAccuracy = resnetCurve.at(-1)!;
  say(`ResNet test accuracy: ${resnetAccuracy.toFixed(1)} % (${size.resnetEpochs} epoch(s); LeNet had ${size.lenetEpochs}).`);
  if (quick) say("Twenty small steps only start a ResNet (chance is 10 %); the full run trains it properly.");
  measurements.push(atLeast("ResNet test accuracy (%)", resnetAccuracy, quick ? 15 : 75)); // measured: quick 34.7 % (seed 0), 20.7 % (seed 1); full 83.2 %
  figures.push(...drawCurves(path.join(outDir, "test-accuracy-per-epoch"), [
    { name: "LeNet-5", y: lenetCurve, x: lenetCurve.map((_, i) => i + 1) },
    { name: "ResNet", y: resnetCurve, x: resnetCurve.map((_, i) => i + 1) },
  ], { title: "Test accuracy after each epoch", xLabel: "epoch", yLabel: "test accuracy (%)" }));

  // ── 4. Augmentation ───────────────────────────────────────────────────────
  heading("4. Data augmentation");
  say("Augmentation shows the network a slightly different version of each image every time:");
  say("moved by up to 2 pixels (random crop of the image padded by 2) and mirrored half the time.");
  say(`Same budget for both: ${size.augmentImages} images, ${size.augmentEpochs} epochs of LeNet-5.`);
  const augmentGenerator = new Generator(seed + 2);
  const augment = data.transforms.compose([
    data.transforms.randomCrop(28, { padding: 2, generator: augmentGenerator }),
    data.transforms.randomHorizontalFlip({ generator: augmentGenerator }),
  ]);
  const few = xTrain.narrow(0, 0, size.augmentImages), fewLabels = yTrain.narrow(0, 0, size.augmentImages);
  const examples = few.narrow(0, 0, 8);
  figures.push(writeImageGrid(path.join(outDir, "augmented-examples.png"), cat([examples, augment(examples), augment(examples)]), { columns: 8, scale: 3 }));
  say("augmented-examples.png: the first row is the originals, the next two rows two random augmentations of them.");
  const withoutAccuracy = trainSmall(few, fewLabels, size.augmentEpochs, size.batchSize, seed, undefined, "no augmentation", xTest, yTest);
  const withAccuracy = trainSmall(few, fewLabels, size.augmentEpochs, size.batchSize, seed, augment, "augmentation", xTest, yTest);
  say(`Test accuracy without augmentation ${withoutAccuracy.toFixed(1)} %, with ${withAccuracy.toFixed(1)} %.`);
  say(withAccuracy > withoutAccuracy
    ? "Augmentation helped: the network could not just memorise the few training images."
    : "Augmentation did not help at this budget: a harder task needs more steps to pay off (see the exercises).");
  measurements.push(
    atLeast("LeNet, no augmentation, test accuracy (%)", withoutAccuracy, quick ? 25 : 70),
    atLeast("LeNet, augmentation, test accuracy (%)", withAccuracy, quick ? 25 : 70),
    reported("augmentation gain (points)", withAccuracy - withoutAccuracy),
  );

  return {
    measurements,
    summary: `LeNet-5 ${lenetAccuracy.toFixed(1)} % and a ResNet ${resnetAccuracy.toFixed(1)} % on Fashion-MNIST; augmentation ${withoutAccuracy.toFixed(1)} → ${withAccuracy.toFixed(1)} % on ${size.augmentImages} images`,
    figures,
  };
}

/** Trains a fresh LeNet-5 on a few images, with or without augmentation, and returns its test accuracy. */
function trainSmall(images: Tensor, labels: Tensor, epochs: number, batchSize: number, seed: number, augment: ((x: Tensor) => Tensor) | undefined, label: string, xTest: Tensor, yTest: Tensor): number {
  const model = new LeNet5();
  fit(model, images, labels, { epochs, batchSize, seed, optimizer: "adam", augment, normalize, label: `LeNet, ${label}` });
  return accuracyPercent(predict(model, xTest, normalize), yTest);
}

/** A 2-D tensor [H, W] as rows of numbers. */
function gridOf(values: Tensor): Grid {
  const [height, width] = values.shape as [number, number];
  const flat = values.contiguous().toTypedArray();
  return Array.from({ length: height }, (_, y) => Array.from({ length: width }, (_, x) => flat[y * width + x]!));
}

/** Maps a grid to [0, 1], its minimum to black and its maximum to white. */
function stretch(grid: Grid): Grid {
  const values = grid.flat();
  const low = Math.min(...values), high = Math.max(...values);
  return grid.map((row) => row.map((v) => (high > low ? (v - low) / (high - low) : 0.5)));
}

/** Kernels [N, 1, k, k], each stretched to [0, 1] so that its pattern shows. */
function stretchEach(kernels: Tensor): Tensor {
  const grids = Array.from({ length: kernels.shape[0]! }, (_, i) => stretch(gridOf(kernels.select(0, i).select(0, 0))));
  return tensor(grids).unsqueeze(1);
}

/** The largest off-diagonal entry of a confusion matrix. */
function worstConfusion(matrix: number[][]): { truth: number; predicted: number; count: number } {
  let worst = { truth: 0, predicted: 1, count: -1 };
  matrix.forEach((row, truth) => row.forEach((count, predicted) => {
    if (truth !== predicted && count > worst.count) worst = { truth, predicted, count };
  }));
  return worst;
}

const lesson: Lesson = { number: 5, slug: "convolutional-networks", title: "Convolutional networks", run };
export default lesson;

runIfMain(lesson, import.meta.url);

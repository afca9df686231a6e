// Chapter 1: what deep learning is. The same linear classifier, fed two
// ways: features a person designed (ink per row, loops, symmetry...) or the
// raw pixels; then an MLP, which learns its own features from the pixels.
//
//   npx tsx chapters/01-what-deep-learning-is/lesson.ts [--quick] [--seed N]

import path from "node:path";
import { F, Generator, data, nn, noGrad, optim, type Tensor } from "../../src/index.ts";
import { MLP } from "../../src/architectures/mlp.ts";
import { atLeast, heading, ProgressBar, reported, runIfMain, say, writeImageGrid, type Lesson, type Measurement } from "../_kit/index.ts";
import { lineChart } from "../_kit/svg.ts";
import { digitFeatures, featureMatrix, FEATURE_NAMES } from "./features.ts";

/** The 80/20 split is always drawn with this seed, so the test digits never change; --seed changes the rest. */
const SPLIT_SEED = 0;

type Classifier = nn.Module & { forward(x: Tensor): Tensor };

interface Curve { testAccuracy: number[]; trainLoss: number[] }

/**
 * The training loop every model of this chapter shares: Adam on batches of
 * 64, cross-entropy loss (softmax, then −log of the right class's
 * probability), and the test accuracy measured after every epoch.
 */
function fit(model: Classifier, xTrain: Tensor, yTrain: Tensor, xTest: Tensor, yTest: Tensor, options: { epochs: number; lr: number; seed: number; label: string }): Curve {
  const loader = new data.DataLoader(new data.TensorDataset(xTrain, yTrain), { batchSize: 64, shuffle: true, generator: new Generator(options.seed) });
  const optimizer = new optim.Adam(model.parameters(), { lr: options.lr });
  const curve: Curve = { testAccuracy: [], trainLoss: [] };
  const progress = new ProgressBar(options.epochs * loader.length, { label: options.label });
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    model.train();
    let lossSum = 0;
    for (const [x, y] of loader) {
      const loss = F.crossEntropy(model.forward(x), y); // forward pass and loss
      optimizer.zeroGrad();
      loss.backward();                                  // gradients of the loss for every weight
      optimizer.step();                                 // a small step downhill
      lossSum += loss.item() * x.shape[0]!;
      progress.tick(1, `epoch ${epoch + 1}/${options.epochs} · loss ${loss.item().toFixed(3)}`);
    }
    curve.trainLoss.push(lossSum / xTrain.shape[0]!);
    curve.testAccuracy.push(accuracy(model, xTest, yTest));
  }
  progress.finish();
  return curve;
}

/** The percentage of rows whose largest output is the right class. */
function accuracy(model: Classifier, x: Tensor, y: Tensor): number {
  model.eval();
  return 100 * noGrad(() => model.forward(x).argmax(1).eq(y).float().mean().item());
}

const lesson: Lesson = {
  number: 1,
  slug: "what-deep-learning-is",
  title: "What deep learning is",
  run({ quick, seed, outDir }) {
    const epochs = quick ? 12 : 40;
    heading("The data: 1,797 handwritten digits, 8×8 pixels each");
    const digits = data.loadDigits();
    const all = new data.TensorDataset(digits.data.div(16), digits.target); // pixels 0–16 → ink in [0, 1]
    const [trainSet, testSet] = data.randomSplit(all, [0.8, 0.2], { generator: new Generator(SPLIT_SEED) });
    const [xTrain, yTrain] = trainSet.getBatch(trainSet.indices.map((_, i) => i));
    const [xTest, yTest] = testSet.getBatch(testSet.indices.map((_, i) => i));
    say(`${trainSet.length} digits to learn from, ${testSet.length} kept aside to test on (the same ones for every seed).`);
    const figures = [writeImageGrid(path.join(outDir, "digits.png"), xTest.narrow(0, 0, 40).reshape([40, 1, 8, 8]), { columns: 10, scale: 6 })];
    say(`The first 40 test digits are in ${figures[0]}.`);

    heading("1. Features a person designs");
    say(`Before deep learning, a person decided what to measure in an image. Here, ${FEATURE_NAMES.length} numbers per digit:`);
    say("ink in each row and column, total ink, the centre of mass, left-right and top-bottom symmetry,");
    say("how many strokes a line through the digit crosses, the number of loops (a 0 has one, an 8 two) and");
    say("where they sit, and the share of ink in each quarter (chapters/01-what-deep-learning-is/features.ts).");
    const example = digitFeatures(xTest.narrow(0, 0, 1).reshape([64]).toTypedArray() as ArrayLike<number>);
    const loopsIndex = FEATURE_NAMES.indexOf("loops (enclosed holes)");
    say(`For example, the first test digit (a ${yTest.narrow(0, 0, 1).item()}) has ${example[loopsIndex]} loop(s) and total ink ${example[FEATURE_NAMES.indexOf("total ink")]!.toFixed(2)}.`);
    const trainFeatures = featureMatrix(xTrain), testFeatures = featureMatrix(xTest);
    const scaler = data.transforms.Standardizer.fit(trainFeatures); // each feature to mean 0, std 1 (statistics of the training digits only)
    const fTrain = scaler.transform(trainFeatures), fTest = scaler.transform(testFeatures);
    say(`A linear classifier (softmax regression: scores = W·features + b, ${FEATURE_NAMES.length} → 10) weighs them, ${epochs} epochs:`);
    const designed = new nn.Linear(FEATURE_NAMES.length, 10);
    const designedCurve = fit(designed, fTrain, yTrain, fTest, yTest, { epochs, lr: 0.01, seed, label: "designed features → linear" });
    say(`Test accuracy on designed features: ${designedCurve.testAccuracy.at(-1)!.toFixed(1)} %.`);

    heading("2. The same linear classifier on the raw pixels");
    say("Now give it the 64 pixels themselves: one weight per pixel per class, no human insight.");
    const linear = new nn.Linear(64, 10);
    const linearCurve = fit(linear, xTrain, yTrain, xTest, yTest, { epochs, lr: 0.01, seed, label: "pixels → linear" });
    say(`Test accuracy on raw pixels: ${linearCurve.testAccuracy.at(-1)!.toFixed(1)} %.`);

    heading("3. An MLP: it learns its own features");
    say("A hidden layer of 64 units between the pixels and the classifier: h = ReLU(W₁·x + b₁), scores = W₂·h + b₂.");
    say("Each hidden unit is a feature, but nobody designs it: training sets W₁ so the features help W₂ decide.");
    const mlp = new MLP({ inFeatures: 64, hiddenSizes: [64], outFeatures: 10, activation: "relu" });
    const mlpCurve = fit(mlp, xTrain, yTrain, xTest, yTest, { epochs, lr: 0.003, seed, label: "pixels → MLP" });
    say(`Test accuracy of the MLP: ${mlpCurve.testAccuracy.at(-1)!.toFixed(1)} %.`);

    const firstLayer = (mlp.at(0) as nn.Linear).weight.detach(); // [64 hidden units, 64 pixels]
    figures.push(writeImageGrid(path.join(outDir, "mlp-first-layer-weights.png"), firstLayer.reshape([64, 1, 8, 8]), { columns: 8, scale: 6, range: "each" }));
    say(`Its 64 learned features, each hidden unit's 64 weights drawn as an 8×8 image (white: ink there raises the unit), are in ${figures.at(-1)}.`);
    figures.push(lineChart(path.join(outDir, "learning-curves.svg"), [
      { name: "designed features → linear", y: designedCurve.testAccuracy, x: designedCurve.testAccuracy.map((_, i) => i + 1) },
      { name: "pixels → linear", y: linearCurve.testAccuracy, x: linearCurve.testAccuracy.map((_, i) => i + 1) },
      { name: "pixels → MLP", y: mlpCurve.testAccuracy, x: mlpCurve.testAccuracy.map((_, i) => i + 1) },
    ], { title: "Test accuracy after each epoch", xLabel: "epoch", yLabel: "test accuracy (%)" }));
    say(`The learning curves are in ${figures.at(-1)}.`);

    const designedAccuracy = designedCurve.testAccuracy.at(-1)!, linearAccuracy = linearCurve.testAccuracy.at(-1)!, mlpAccuracy = mlpCurve.testAccuracy.at(-1)!;
    heading("What it shows");
    say(mlpAccuracy > designedAccuracy
      ? `The MLP's learned features beat the designed ones by ${(mlpAccuracy - designedAccuracy).toFixed(1)} points (${mlpAccuracy.toFixed(1)} % vs ${designedAccuracy.toFixed(1)} %).`
      : `This time the designed features held their own (${designedAccuracy.toFixed(1)} % vs the MLP's ${mlpAccuracy.toFixed(1)} %).`);
    say(linearAccuracy > designedAccuracy
      ? `Even the linear classifier does better on raw pixels (${linearAccuracy.toFixed(1)} %) than on the ${FEATURE_NAMES.length} designed features: they summarise, and a summary loses detail.`
      : `The designed features beat raw pixels for the linear classifier (${designedAccuracy.toFixed(1)} % vs ${linearAccuracy.toFixed(1)} %): a good summary helps a weak model.`);

    const measurements: Measurement[] = [
      atLeast("designed features, linear: test accuracy (%)", designedAccuracy, quick ? 60 : 80),
      atLeast("raw pixels, linear: test accuracy (%)", linearAccuracy, quick ? 80 : 93),
      atLeast("raw pixels, MLP: test accuracy (%)", mlpAccuracy, quick ? 85 : 96),
      quick ? reported("MLP minus designed features (points)", mlpAccuracy - designedAccuracy)
        : atLeast("MLP minus designed features (points)", mlpAccuracy - designedAccuracy, 1),
      reported("designed features", FEATURE_NAMES.length),
      reported("MLP parameters", mlp.parameterCount()),
    ];
    return {
      measurements,
      summary: `on held-out digits an MLP on raw pixels scores ${mlpAccuracy.toFixed(1)} %, a linear classifier ${linearAccuracy.toFixed(1)} % on pixels and ${designedAccuracy.toFixed(1)} % on ${FEATURE_NAMES.length} designed features`,
      figures,
    };
  },
};

export default lesson;
runIfMain(lesson, import.meta.url);

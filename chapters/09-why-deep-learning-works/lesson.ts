// Chapter 9: why deep learning works.
//
// Three experiments, each a claim of the chapter checked with numbers:
// 1. A network learns its own features: a linear classifier (a "probe")
//    reading each hidden layer of a trained MLP does better than one reading
//    the raw pixels, and better with depth.
// 2. Scale buys performance, smoothly: test loss falls as a power law
//    L ≈ a·N^(−b) of the model's size and of the data's size.
// 3. One architecture, two domains: the very same MLP code classifies digit
//    images and predicts the next character of a novel.

import path from "node:path";
import { Generator, noGrad, randperm, type Tensor, data } from "../../src/index.ts";
import { MLP } from "../../src/architectures/mlp.ts";
import { atLeast, atMost, heading, reported, runIfMain, say, type Lesson, type Measurement } from "../_kit/index.ts";
import { lineChart, barChart } from "../_kit/svg.ts";
import { fitPowerLaw, powerLawAt } from "./power-law.ts";
import { baselineAccuracies, encodeText, nextCharacterWindows, simplifyText } from "./text-windows.ts";
import { accuracyPercent, crossEntropyNats, trainClassifier } from "./train.ts";

interface Split { xTrain: Tensor; yTrain: Tensor; xTest: Tensor; yTest: Tensor }

/** The 1,797 digits as 64 pixels in [0, 1], split 80/20 in a fixed order (Generator(0)), whatever the seed. */
function digitSplit(): Split {
  const digits = data.loadDigits();
  const x = digits.data.div(16), y = digits.target;
  const order = randperm(x.shape[0]!, { generator: new Generator(0) });
  const cut = Math.round(0.8 * x.shape[0]!);
  const trainRows = order.narrow(0, 0, cut), testRows = order.narrow(0, cut, x.shape[0]! - cut);
  return { xTrain: x.indexSelect(0, trainRows), yTrain: y.indexSelect(0, trainRows), xTest: x.indexSelect(0, testRows), yTest: y.indexSelect(0, testRows) };
}

/** The output of every hidden layer of an MLP (after its ReLU), first to last. */
function hiddenFeatures(model: MLP, x: Tensor): Tensor[] {
  return noGrad(() => {
    const features: Tensor[] = [];
    let h = x;
    for (let i = 0; i < model.length; i++) {
      h = model.at(i).forward(h);
      if (model.at(i).constructor.name === "ReLU") features.push(h);
    }
    return features;
  });
}

/** Test accuracy (%) of a linear classifier (logistic regression) trained on the given features. */
function probeAccuracy(train: Tensor, yTrain: Tensor, test: Tensor, yTest: Tensor, steps: number, generator: Generator): number {
  const probe = new MLP({ inFeatures: train.shape[1]!, hiddenSizes: [], outFeatures: 10 });
  trainClassifier(probe, train, yTrain, { steps, batchSize: 128, lr: 2e-2, generator });
  return accuracyPercent(probe, test, yTest);
}

const lesson: Lesson = {
  number: 9,
  slug: "why-deep-learning-works",
  title: "Why deep learning works",
  run({ quick, seed, outDir }) {
    const generator = new Generator(seed);
    const measurements: Measurement[] = [];
    const figures: string[] = [];
    const split = digitSplit();
    const { xTrain, yTrain, xTest, yTest } = split;

    // ---- 1. learned features, probed ------------------------------------
    heading("1. A network learns its own features");
    say("We train an MLP with three hidden layers of 64 units on the 8×8 digits (64 pixels → 64 → 64 → 64 → 10).");
    say("Then we freeze it and ask of each layer: how well can a *linear* classifier read the digit from it?");
    say("A linear classifier can only draw straight boundaries; if a layer makes that easier than the raw pixels,");
    say("the network has learned features that untangle the classes.");
    const depthSteps = quick ? 200 : 2000, probeSteps = quick ? 80 : 1000;
    const trained = new MLP({ inFeatures: 64, hiddenSizes: [64, 64, 64], outFeatures: 10 });
    trainClassifier(trained, xTrain, yTrain, { steps: depthSteps, batchSize: 64, lr: 3e-3, generator, label: "MLP on digits" });
    const networkAccuracy = accuracyPercent(trained, xTest, yTest);
    say(`The MLP itself: ${networkAccuracy.toFixed(1)} % on the ${yTest.shape[0]} test digits.`);
    const untrained = new MLP({ inFeatures: 64, hiddenSizes: [64, 64, 64], outFeatures: 10 });
    const names = ["raw pixels", "hidden layer 1", "hidden layer 2", "hidden layer 3"];
    const learnedTrain = [xTrain, ...hiddenFeatures(trained, xTrain)], learnedTest = [xTest, ...hiddenFeatures(trained, xTest)];
    const randomTrain = [xTrain, ...hiddenFeatures(untrained, xTrain)], randomTest = [xTest, ...hiddenFeatures(untrained, xTest)];
    const learnedProbe: number[] = [], randomProbe: number[] = [];
    for (let layer = 0; layer < names.length; layer++) {
      learnedProbe.push(probeAccuracy(learnedTrain[layer]!, yTrain, learnedTest[layer]!, yTest, probeSteps, generator));
      randomProbe.push(layer === 0 ? learnedProbe[0]! : probeAccuracy(randomTrain[layer]!, yTrain, randomTest[layer]!, yTest, probeSteps, generator));
      say(`  linear probe on ${names[layer]!.padEnd(14)}: ${learnedProbe[layer]!.toFixed(1)} % (same layer of an untrained network: ${randomProbe[layer]!.toFixed(1)} %)`);
    }
    measurements.push(atLeast("MLP test accuracy (%)", networkAccuracy, quick ? 90 : 96));
    names.forEach((name, layer) => measurements.push(reported(`probe accuracy, ${name} (%)`, learnedProbe[layer]!)));
    measurements.push(reported("probe accuracy, hidden layer 3 of an untrained MLP (%)", randomProbe[3]!));
    measurements.push(atLeast("probe gain, last hidden layer over raw pixels (points)", learnedProbe[3]! - learnedProbe[0]!, quick ? -1 : 0.5));
    figures.push(barChart(path.join(outDir, "probe-accuracy.svg"),
      names.flatMap((_, layer) => layer === 0 ? [{ label: "pixels", value: learnedProbe[0]! }]
        : [{ label: `layer ${layer}`, value: learnedProbe[layer]! }, { label: `random ${layer}`, value: randomProbe[layer]! }]),
      { title: "Linear probe test accuracy: trained layers vs untrained (random) ones", yLabel: "accuracy (%)" }));

    // ---- 2. scaling laws ---------------------------------------------------
    heading("2. Scale buys performance: power laws");
    say("We train MLPs with one hidden layer of growing width, all for the same number of steps, and measure the test loss (cross-entropy, nats).");
    const scaleSteps = quick ? 100 : 1000;
    const widths = quick ? [1, 2, 4, 8, 16] : [1, 2, 4, 8, 16, 32, 64, 128];
    const parameterCounts: number[] = [], widthLosses: number[] = [];
    for (const width of widths) {
      const model = new MLP({ inFeatures: 64, hiddenSizes: [width], outFeatures: 10 });
      trainClassifier(model, xTrain, yTrain, { steps: scaleSteps, batchSize: 64, lr: 1e-2, generator });
      parameterCounts.push(model.parameterCount());
      widthLosses.push(crossEntropyNats(model, xTest, yTest));
      say(`  width ${String(width).padStart(3)} (${String(model.parameterCount()).padStart(5)} parameters): test loss ${widthLosses.at(-1)!.toFixed(3)}`);
    }
    const modelLaw = fitPowerLaw(parameterCounts, widthLosses);
    say(`Fitted: L ≈ ${modelLaw.a.toFixed(2)} · N^(−${modelLaw.b.toFixed(2)}) (R² ${modelLaw.r2.toFixed(2)} in log-log space).`);

    say("Now one model size (a hidden layer of 64) trained on growing subsets of the training digits.");
    const sizes = (quick ? [25, 50, 100, 200, 400] : [25, 50, 100, 200, 400, 800, 1438]).filter((n) => n <= xTrain.shape[0]!);
    const dataLosses: number[] = [];
    for (const n of sizes) {
      const rows = randperm(xTrain.shape[0]!, { generator }).narrow(0, 0, n);
      const model = new MLP({ inFeatures: 64, hiddenSizes: [64], outFeatures: 10 });
      trainClassifier(model, xTrain.indexSelect(0, rows), yTrain.indexSelect(0, rows), { steps: scaleSteps, batchSize: 64, lr: 3e-3, generator });
      dataLosses.push(crossEntropyNats(model, xTest, yTest));
      say(`  ${String(n).padStart(4)} training digits: test loss ${dataLosses.at(-1)!.toFixed(3)}`);
    }
    const dataLaw = fitPowerLaw(sizes, dataLosses);
    say(`Fitted: L ≈ ${dataLaw.a.toFixed(2)} · D^(−${dataLaw.b.toFixed(2)}) (R² ${dataLaw.r2.toFixed(2)}).`);
    measurements.push(
      atLeast("model-size exponent b", modelLaw.b, 0.1),
      reported("model-size fit R²", modelLaw.r2),
      atLeast("data-size exponent b", dataLaw.b, 0.1),
      reported("data-size fit R²", dataLaw.r2),
    );
    figures.push(lineChart(path.join(outDir, "loss-vs-model-size.svg"), [
      { name: "measured", x: parameterCounts, y: widthLosses },
      { name: `fit: ${modelLaw.a.toFixed(2)}·N^(−${modelLaw.b.toFixed(2)})`, x: parameterCounts, y: parameterCounts.map((n) => powerLawAt(modelLaw, n)) },
    ], { title: "Test loss vs parameters", xLabel: "parameters N", yLabel: "test loss (nats)", logX: true, logY: true }));
    figures.push(lineChart(path.join(outDir, "loss-vs-data-size.svg"), [
      { name: "measured", x: sizes, y: dataLosses },
      { name: `fit: ${dataLaw.a.toFixed(2)}·D^(−${dataLaw.b.toFixed(2)})`, x: sizes, y: sizes.map((n) => powerLawAt(dataLaw, n)) },
    ], { title: "Test loss vs training examples", xLabel: "training examples D", yLabel: "test loss (nats)", logX: true, logY: true }));

    // ---- 3. one architecture, two domains -----------------------------------
    heading("3. One architecture, two domains");
    say("The same MLP (two hidden layers, 128 and 64 units) and the same training loop, on images and on text.");
    const twoDomainSteps = quick ? 300 : 3000;
    const imageModel = new MLP({ inFeatures: 64, hiddenSizes: [128, 64], outFeatures: 10 });
    trainClassifier(imageModel, xTrain, yTrain, { steps: quick ? 150 : twoDomainSteps, batchSize: 64, lr: 3e-3, generator, label: "MLP on digits" });
    const imageAccuracy = accuracyPercent(imageModel, xTest, yTest);
    say(`Images: ${imageAccuracy.toFixed(1)} % of test digits right (chance: 10 %).`);

    const context = 8;
    const ids = encodeText(simplifyText(data.loadText("pride-and-prejudice")));
    const cut = Math.floor(0.9 * ids.length);
    say(`Text: Pride and Prejudice, lower-cased to 27 symbols (a–z and space), ${ids.length} characters; the last 10 % is for testing.`);
    say(`Each example is ${context} characters as ${context} one-hot vectors (${context * 27} numbers); the label is the next character.`);
    const [xText, yText] = nextCharacterWindows(ids, context, quick ? 8000 : 40000, 0, cut, generator);
    const [xTextTest, yTextTest] = nextCharacterWindows(ids, context, quick ? 2000 : 10000, cut, ids.length, generator);
    const textModel = new MLP({ inFeatures: context * 27, hiddenSizes: [128, 64], outFeatures: 27 });
    trainClassifier(textModel, xText, yText, { steps: twoDomainSteps, batchSize: 64, lr: 3e-3, generator, label: "MLP on text" });
    const textAccuracy = accuracyPercent(textModel, xTextTest, yTextTest);
    const textLoss = crossEntropyNats(textModel, xTextTest, yTextTest);
    const baselines = baselineAccuracies(ids.subarray(0, cut), xTextTest, yTextTest, context);
    say(`Text: ${textAccuracy.toFixed(1)} % of next characters right (${textLoss.toFixed(2)} nats/char);`);
    say(`  always guessing the most frequent character: ${baselines.unigram.toFixed(1)} %; the best guess from the last character alone: ${baselines.bigram.toFixed(1)} %.`);
    measurements.push(
      atLeast("same MLP on digits: test accuracy (%)", imageAccuracy, quick ? 90 : 96),
      atLeast("same MLP on text: next-character accuracy (%)", textAccuracy, quick ? 33 : 45),
      atMost("same MLP on text: test loss (nats/char)", textLoss, quick ? 2.4 : 1.9),
      reported("text baseline: most frequent character (%)", baselines.unigram),
      reported("text baseline: bigram (%)", baselines.bigram),
    );
    figures.push(barChart(path.join(outDir, "two-domains.svg"), [
      { label: "digits MLP", value: imageAccuracy }, { label: "chance", value: 10 },
      { label: "text MLP", value: textAccuracy }, { label: "bigram", value: baselines.bigram }, { label: "unigram", value: baselines.unigram },
    ], { title: "One MLP, two domains: digits (left), next character (right)", yLabel: "test accuracy (%)" }));

    return {
      measurements,
      figures,
      summary: `linear probes: ${learnedProbe[0]!.toFixed(1)} % on pixels → ${learnedProbe[3]!.toFixed(1)} % on the last hidden layer; ` +
        `loss ∝ N^(−${modelLaw.b.toFixed(2)}) in parameters and D^(−${dataLaw.b.toFixed(2)}) in data; ` +
        `one MLP: ${imageAccuracy.toFixed(1)} % on digits, ${textAccuracy.toFixed(1)} % on next characters`,
    };
  },
};

export default lesson;

runIfMain(lesson, import.meta.url);

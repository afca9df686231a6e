// Chapter 10: deep learning in the real world.
//
// Three jobs a model is hired for, each judged the way it would be in practice:
// 1. Anomaly detection: an autoencoder trained on normal data only (digits
//    0–8) flags what it cannot rebuild (9s, noise); judged by ROC AUC.
// 2. Demand forecasting: tomorrow's demand from the last four weeks, against
//    the seasonal-naive forecast "same as a week ago"; judged by MAE.
// 3. A medical-style classifier (benign or malignant tumour) whose
//    probabilities must mean what they say: judged by the expected
//    calibration error, before and after temperature scaling.

import path from "node:path";
import { F, Generator, noGrad, rand, randperm, tensor, type Tensor, data } from "../../src/index.ts";
import { Autoencoder } from "../../src/architectures/autoencoder.ts";
import { MLP } from "../../src/architectures/mlp.ts";
import { atLeast, atMost, heading, reported, runIfMain, say, type Lesson, type Measurement } from "../_kit/index.ts";
import { histogram, lineChart } from "../_kit/svg.ts";
import { expectedCalibrationError, meanAbsoluteError, reliabilityBins, rocAuc, rocCurve } from "./metrics.ts";
import { fitTemperature, temperatureNll } from "./temperature.ts";
import { trainLoop } from "./train.ts";

/** The rows of a fixed random order (Generator(0), whatever the seed) split into consecutive parts of the given sizes. */
function fixedSplit(n: number, sizes: readonly number[]): Tensor[] {
  const order = randperm(n, { generator: new Generator(0) });
  let start = 0;
  return sizes.map((size) => {
    const part = order.narrow(0, start, size);
    start += size;
    return part;
  });
}

/** The row indices of `rows` whose label passes `keep`, as an int32 tensor. */
function rowsWhere(rows: Tensor, labels: Tensor, keep: (label: number) => boolean): Tensor {
  const ids = rows.toTypedArray(), values = labels.toTypedArray();
  return tensor(Int32Array.from([...ids].filter((i) => keep(values[i]!))));
}

const toArray = (t: Tensor): number[] => Array.from(t.toTypedArray());

const lesson: Lesson = {
  number: 10,
  slug: "deep-learning-in-the-real-world",
  title: "Deep learning in the real world",
  run({ quick, seed, outDir }) {
    const generator = new Generator(seed);
    const measurements: Measurement[] = [];
    const figures: string[] = [];

    // ---- 1. anomaly detection ------------------------------------------------
    heading("1. Anomaly detection with an autoencoder");
    say("An autoencoder squeezes each 8×8 digit (64 pixels) through 6 numbers and rebuilds it.");
    say("We train it on digits 0 to 8 only: it never sees a 9. Whatever it rebuilds badly is suspicious,");
    say("so the anomaly score of an image is its reconstruction error ‖x − x̂‖² / 64.");
    const digits = data.loadDigits();
    const pixels = digits.data.div(16);
    const [trainRows, testRows] = fixedSplit(pixels.shape[0]!, [1438, 359]) as [Tensor, Tensor];
    const normalTrain = pixels.indexSelect(0, rowsWhere(trainRows, digits.target, (d) => d !== 9));
    const normalTest = pixels.indexSelect(0, rowsWhere(testRows, digits.target, (d) => d !== 9));
    const nines = pixels.indexSelect(0, rowsWhere(fixedSplit(pixels.shape[0]!, [pixels.shape[0]!])[0]!, digits.target, (d) => d === 9));
    const noise = rand([200, 64], { generator });
    const autoencoder = new Autoencoder({ inFeatures: 64, hiddenSizes: [32], latentDim: 6, outputActivation: "sigmoid" });
    trainLoop(autoencoder.parameters(), (rows) => autoencoder.reconstructionError(normalTrain.indexSelect(0, rows)).mean(), {
      rows: normalTrain.shape[0]!, steps: quick ? 600 : 6000, batchSize: 64, lr: 3e-3, generator, label: "autoencoder on 0–8",
    });
    const score = (x: Tensor): number[] => toArray(noGrad(() => autoencoder.reconstructionError(x)));
    const normalScores = score(normalTest), nineScores = score(nines), noiseScores = score(noise);
    const aucNines = rocAuc(nineScores, normalScores), aucNoise = rocAuc(noiseScores, normalScores);
    const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
    say(`Mean reconstruction error: normal test digits ${mean(normalScores).toFixed(4)}, 9s ${mean(nineScores).toFixed(4)}, noise ${mean(noiseScores).toFixed(4)}.`);
    say(`ROC AUC (the chance that an anomaly scores above a normal digit): 9s ${aucNines.toFixed(3)}, noise ${aucNoise.toFixed(3)}; 0.5 would be guessing.`);
    measurements.push(
      atLeast("anomaly ROC AUC, 9s vs digits 0–8", aucNines, quick ? 0.75 : 0.85),
      atLeast("anomaly ROC AUC, noise vs digits 0–8", aucNoise, 0.99),
    );
    figures.push(histogram(path.join(outDir, "reconstruction-errors.svg"), [
      { name: "digits 0–8 (test)", values: normalScores }, { name: "9s (never seen)", values: nineScores },
    ], { bins: 30, title: "Reconstruction error: normal vs anomalous", xLabel: "reconstruction error (mean squared, per pixel)" }));
    const curve = rocCurve(nineScores, normalScores);
    figures.push(lineChart(path.join(outDir, "roc-curve.svg"), [
      { name: `9s vs 0–8 (AUC ${aucNines.toFixed(3)})`, x: curve.fpr, y: curve.tpr }, { name: "chance", x: [0, 1], y: [0, 1] },
    ], { title: "ROC curve of the anomaly score", xLabel: "false-positive rate", yLabel: "true-positive rate" }));

    // ---- 2. demand forecasting ------------------------------------------------
    heading("2. Demand forecasting");
    const days = 3 * 365;
    const series = data.makeSeasonalSeries(days, { generator: new Generator(seed) }); // its own generator: the same series in quick and full mode
    say(`A made-up daily demand over ${days} days: level 100, a slow trend, a weekly cycle (±10), a yearly one (±20), noise σ = 4.`);
    say("From the last 28 days, predict tomorrow with a small MLP (28 → 16 → 1, weight decay 0.01). Train on the first 80 % of the days, test on the rest (the future).");
    const window = 28;
    const [windows, targets] = data.slidingWindows(series, window, 1);
    const inputs = windows.squeeze(2); // [N, 28]
    const level = inputs.mean(1, true); // each window's own average: the model learns shapes, not absolute values
    const scale = 10;
    const x = inputs.sub(level).div(scale), y = targets.sub(level).div(scale);
    const n = inputs.shape[0]!, trainCount = Math.floor(0.8 * n);
    const [xTrain, yTrain] = [x.narrow(0, 0, trainCount), y.narrow(0, 0, trainCount)];
    const forecaster = new MLP({ inFeatures: window, hiddenSizes: [16], outFeatures: 1 });
    trainLoop(forecaster.parameters(), (rows) => F.mseLoss(forecaster.forward(xTrain.indexSelect(0, rows)), yTrain.indexSelect(0, rows)), {
      rows: trainCount, steps: quick ? 800 : 3000, batchSize: 32, lr: 3e-3, weightDecay: 1e-2, generator, label: "forecasting MLP",
    });
    const testCount = n - trainCount;
    const truth = toArray(targets.narrow(0, trainCount, testCount).squeeze(1));
    const mlpForecast = toArray(noGrad(() => forecaster.forward(x.narrow(0, trainCount, testCount)).mul(scale).add(level.narrow(0, trainCount, testCount))).squeeze(1));
    const naiveForecast = toArray(inputs.narrow(0, trainCount, testCount).select(1, window - 7)); // the same weekday, one week before
    const mlpMae = meanAbsoluteError(mlpForecast, truth), naiveMae = meanAbsoluteError(naiveForecast, truth);
    const floor = 4 * Math.sqrt(2 / Math.PI); // E|noise| for σ = 4: no forecast can beat this on average
    say(`Mean absolute error over the ${testCount} test days: MLP ${mlpMae.toFixed(2)}, seasonal naive ${naiveMae.toFixed(2)}; the noise alone costs ${floor.toFixed(2)}.`);
    measurements.push(
      reported("forecast MAE, MLP", mlpMae),
      reported("forecast MAE, seasonal naive (same day last week)", naiveMae),
      atMost("forecast MAE, MLP / seasonal naive", mlpMae / naiveMae, quick ? 0.95 : 0.9),
      reported("forecast MAE floor set by the noise", floor),
    );
    const shown = Math.min(56, testCount), from = testCount - shown;
    const dayIndex = Array.from({ length: shown }, (_, i) => trainCount + window + from + i);
    figures.push(lineChart(path.join(outDir, "forecast.svg"), [
      { name: "actual demand", x: dayIndex, y: truth.slice(from) },
      { name: `MLP (MAE ${mlpMae.toFixed(2)})`, x: dayIndex, y: mlpForecast.slice(from) },
      { name: `seasonal naive (MAE ${naiveMae.toFixed(2)})`, x: dayIndex, y: naiveForecast.slice(from) },
    ], { title: "The last 8 test weeks: one-day-ahead forecasts", xLabel: "day", yLabel: "demand" }));

    // ---- 3. calibrated probabilities -------------------------------------------
    heading("3. A classifier whose probabilities can be trusted");
    say("Breast-cancer biopsies: 30 measurements of cell nuclei, malignant (0) or benign (1). Split 60/20/20 into train, validation, test.");
    say("The features are standardized with the mean and spread of the training rows only (the test set must stay unseen).");
    const cancer = data.loadBreastCancer();
    const [trainIds, valIds, testIds] = fixedSplit(569, [341, 114, 114]) as [Tensor, Tensor, Tensor];
    const scaler = data.transforms.Standardizer.fit(cancer.data.indexSelect(0, trainIds));
    const features = (ids: Tensor): Tensor => scaler.transform(cancer.data.indexSelect(0, ids));
    const [cTrain, cVal, cTest] = [features(trainIds), features(valIds), features(testIds)];
    const [lTrain, lVal, lTest] = [cancer.target.indexSelect(0, trainIds), cancer.target.indexSelect(0, valIds), cancer.target.indexSelect(0, testIds)];
    const classifier = new MLP({ inFeatures: 30, hiddenSizes: [64, 64], outFeatures: 2 });
    say("An MLP (30 → 64 → 64 → 2) trained long with no regularisation: accurate, and, as big networks are, overconfident.");
    trainLoop(classifier.parameters(), (rows) => F.crossEntropy(classifier.forward(cTrain.indexSelect(0, rows)), lTrain.indexSelect(0, rows)), {
      rows: 341, steps: quick ? 400 : 2000, batchSize: 32, lr: 3e-3, generator, label: "classifier",
    });
    const [valLogits, testLogits] = noGrad(() => [classifier.forward(cVal), classifier.forward(cTest)]) as [Tensor, Tensor];
    const temperature = fitTemperature(valLogits, lVal);
    const correct = toArray(testLogits.argmax(1).eq(lTest)).map((v) => v === 1);
    const confidences = (t: number): number[] => toArray(noGrad(() => testLogits.div(t).softmax(1).amax(1)));
    const [before, after] = [confidences(1), confidences(temperature)];
    const eceBefore = expectedCalibrationError(before, correct), eceAfter = expectedCalibrationError(after, correct);
    const nllBefore = temperatureNll(testLogits, lTest, 1), nllAfter = temperatureNll(testLogits, lTest, temperature);
    const accuracy = (100 * correct.filter(Boolean).length) / correct.length;
    say(`Test accuracy ${accuracy.toFixed(1)} %. Temperature fitted on the validation split: T = ${temperature.toFixed(2)} (the logits are divided by it).`);
    say(`Expected calibration error on the test set: ${eceBefore.toFixed(3)} before, ${eceAfter.toFixed(3)} after; log-loss ${nllBefore.toFixed(3)} → ${nllAfter.toFixed(3)} nats.`);
    measurements.push(
      atLeast("classifier test accuracy (%)", accuracy, quick ? 90 : 94),
      reported("fitted temperature T", temperature),
      reported("test ECE before temperature scaling", eceBefore),
      atMost("test ECE after temperature scaling", eceAfter, 0.06),
      reported("test log-loss before (nats)", nllBefore),
      reported("test log-loss after (nats)", nllAfter),
      atLeast("test log-loss saved by temperature scaling (nats)", nllBefore - nllAfter, 0),
    );
    const binsBefore = reliabilityBins(before, correct), binsAfter = reliabilityBins(after, correct);
    figures.push(lineChart(path.join(outDir, "reliability-diagram.svg"), [
      { name: "perfectly calibrated", x: [0.5, 1], y: [0.5, 1] },
      { name: `before (ECE ${eceBefore.toFixed(3)})`, x: binsBefore.map((b) => b.confidence), y: binsBefore.map((b) => b.accuracy) },
      { name: `after, T = ${temperature.toFixed(2)} (ECE ${eceAfter.toFixed(3)})`, x: binsAfter.map((b) => b.confidence), y: binsAfter.map((b) => b.accuracy) },
    ], { title: "Reliability diagram (test set, 10 bins)", xLabel: "confidence", yLabel: "accuracy" }));

    return {
      measurements,
      figures,
      summary: `autoencoder anomaly AUC ${aucNines.toFixed(3)} on unseen 9s; forecast MAE ${mlpMae.toFixed(2)} vs ${naiveMae.toFixed(2)} seasonal naive; ` +
        `calibration error ${eceBefore.toFixed(3)} → ${eceAfter.toFixed(3)} with T = ${temperature.toFixed(2)}`,
    };
  },
};

export default lesson;

runIfMain(lesson, import.meta.url);

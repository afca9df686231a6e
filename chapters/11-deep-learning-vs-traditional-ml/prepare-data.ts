// The four datasets of the comparison, split and scaled the same way for
// every model: a random 80/20 split (seeded), then for the tables a
// Standardizer fitted on the training rows only (scikit-learn's
// StandardScaler().fit(X_train)), so no statistic of the test rows leaks into
// training. The digits keep their pixels, divided by 16 into [0, 1].

import { Generator, data, randperm, type Tensor } from "../../src/index.ts";

export interface PreparedDataset {
  name: string;
  classes: number;
  /** As tensors, for the MLP: float32 [n, features] and int32 [n]. */
  xTrain: Tensor; yTrain: Tensor; xTest: Tensor; yTest: Tensor;
  /** The same numbers as plain arrays, for the classic models. */
  trainRows: number[][]; trainLabels: number[]; testRows: number[][]; testLabels: number[];
}

export type DatasetName = "iris" | "wine" | "breast cancer" | "digits";
export const DATASET_NAMES: readonly DatasetName[] = ["iris", "wine", "breast cancer", "digits"];

function load(name: DatasetName): { x: Tensor; y: Tensor; classes: number } {
  if (name === "digits") {
    const digits = data.loadDigits();
    return { x: digits.data.div(16), y: digits.target, classes: 10 };
  }
  const table = name === "iris" ? data.loadIris() : name === "wine" ? data.loadWine() : data.loadBreastCancer();
  return { x: table.data, y: table.target, classes: table.targetNames.length };
}

export function rowsOf(x: Tensor): number[][] {
  return x.tolist() as number[][];
}

export function labelsOf(y: Tensor): number[] {
  return Array.from(y.toTypedArray());
}

/** Loads `name`, shuffles it with Generator(seed), keeps 80 % for training, and scales. */
export function prepareDataset(name: DatasetName, seed: number): PreparedDataset {
  const { x, y, classes } = load(name);
  const n = x.shape[0]!, nTrain = Math.round(0.8 * n);
  const order = randperm(n, { generator: new Generator(seed) });
  const trainIndex = order.narrow(0, 0, nTrain), testIndex = order.narrow(0, nTrain, n - nTrain);
  let xTrain = x.indexSelect(0, trainIndex), xTest = x.indexSelect(0, testIndex);
  if (name !== "digits") {
    const scaler = data.transforms.Standardizer.fit(xTrain);       // statistics of the training rows only
    xTrain = scaler.transform(xTrain).float();
    xTest = scaler.transform(xTest).float();
  }
  const yTrain = y.indexSelect(0, trainIndex), yTest = y.indexSelect(0, testIndex);
  return {
    name, classes, xTrain, yTrain, xTest, yTest,
    trainRows: rowsOf(xTrain), trainLabels: labelsOf(yTrain), testRows: rowsOf(xTest), testLabels: labelsOf(yTest),
  };
}

/** The first `size` training rows (already shuffled), as tensors and as arrays. */
export function firstTrainingRows(d: PreparedDataset, size: number): { x: Tensor; y: Tensor; rows: number[][]; labels: number[] } {
  return { x: d.xTrain.narrow(0, 0, size), y: d.yTrain.narrow(0, 0, size), rows: d.trainRows.slice(0, size), labels: d.trainLabels.slice(0, size) };
}

/** The percentage of predictions equal to the labels. */
export function accuracyPercent(predictions: readonly number[], labels: readonly number[]): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) correct++;
  return (100 * correct) / labels.length;
}


// Chapter 11: deep learning vs traditional machine learning.
//
// Four models, each a different idea of what "learning" is, on four datasets:
// three small tables (iris, wine, breast cancer) and the 8×8 digit images.
//   logistic regression  one straight boundary per class     (logistic-regression.ts)
//   k-nearest neighbours remember everything, vote locally   (k-nearest-neighbours.ts)
//   decision tree        a cascade of yes/no questions       (decision-tree.ts)
//   MLP                  learned features, layer on layer    (src/architectures/mlp.ts)
// Then "data needed": how the tree's and the MLP's test accuracy grow with
// the number of training digits.

import path from "node:path";
import { F, Generator, data, noGrad, optim, type Tensor } from "../../src/index.ts";
import { MLP, type MLPOptions } from "../../src/architectures/mlp.ts";
import { ProgressBar, atLeast, heading, reported, runIfMain, say, type Lesson, type Measurement } from "../_kit/index.ts";
import { barChart, lineChart } from "../_kit/svg.ts";
import { formatTable } from "../_kit/terminal.ts";
import { DecisionTree } from "./decision-tree.ts";
import { KNearestNeighbours } from "./k-nearest-neighbours.ts";
import { LogisticRegression } from "./logistic-regression.ts";
import { DATASET_NAMES, accuracyPercent, firstTrainingRows, prepareDataset, type DatasetName, type PreparedDataset } from "./prepare-data.ts";

const MODELS = ["logistic regression", "k-NN (k = 5)", "decision tree", "MLP"] as const;
type ModelName = (typeof MODELS)[number];

/** Test accuracy each model must reach, per dataset, in full mode (quick mode: a little lower). Chance is 33 %, 33 %, 63 % (majority), 10 %. */
const TARGETS: Record<DatasetName, Record<ModelName, number>> = {
  iris: { "logistic regression": 85, "k-NN (k = 5)": 85, "decision tree": 80, MLP: 85 },
  wine: { "logistic regression": 88, "k-NN (k = 5)": 85, "decision tree": 80, MLP: 88 },
  "breast cancer": { "logistic regression": 90, "k-NN (k = 5)": 90, "decision tree": 85, MLP: 90 },
  digits: { "logistic regression": 90, "k-NN (k = 5)": 90, "decision tree": 75, MLP: 93 },
};

interface MLPRecipe { config: MLPOptions; lr: number; steps: number }

/** The MLP for each dataset: one hidden layer of 32 for the tables; the 64 → 128 → 64 → 10 recipe of training/mlp.ts for the digits. */
function recipeFor(d: PreparedDataset, quick: boolean): MLPRecipe {
  const features = d.xTrain.shape[1]!;
  if (d.name === "digits") {
    return { config: { inFeatures: 64, hiddenSizes: [128, 64], outFeatures: 10, activation: "relu", dropout: 0.1, norm: "batch" }, lr: 3e-3, steps: quick ? 120 : 460 };
  }
  return { config: { inFeatures: features, hiddenSizes: [32], outFeatures: d.classes, activation: "relu" }, lr: 1e-2, steps: quick ? 120 : 300 };
}

/**
 * The training loop: AdamW with the 1cycle schedule (the learning rate rises,
 * then anneals), mini-batches of 32 reshuffled each epoch, for a fixed number of steps.
 */
function trainMLP(x: Tensor, y: Tensor, recipe: MLPRecipe, seed: number): MLP {
  const model = new MLP(recipe.config);
  const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 32, shuffle: true, generator: new Generator(seed) });
  const optimizer = new optim.AdamW(model.parameters(), { lr: recipe.lr, weightDecay: 0.01 });
  const scheduler = new optim.lrScheduler.OneCycleLR(optimizer, recipe.lr, { totalSteps: recipe.steps });
  model.train();
  let step = 0;
  while (step < recipe.steps) {
    for (const [xb, yb] of loader) {
      if (step === recipe.steps) break;
      if (xb.shape[0]! < 2 && recipe.config.norm === "batch") continue;   // BatchNorm needs two rows or more
      const loss = F.crossEntropy(model.forward(xb), yb);                  // softmax + negative log-likelihood
      optimizer.zeroGrad();
      loss.backward();                                                     // backpropagation
      optimizer.step();
      scheduler.step();
      step++;
    }
  }
  model.eval();
  return model;
}

function mlpPredictions(model: MLP, x: Tensor): number[] {
  return noGrad(() => Array.from(model.forward(x).argmax(1).toTypedArray()));
}

interface Row { dataset: DatasetName; model: ModelName; accuracy: number; seconds: number }

/** Trains one model on one dataset and returns its test accuracy and training time. */
function fitAndScore(model: ModelName, d: PreparedDataset, quick: boolean, seed: number): Row {
  const started = performance.now();
  let predict: () => number[];
  if (model === "logistic regression") {
    const lr = new LogisticRegression({ lr: 0.5, epochs: quick ? 100 : 300, l2: 1e-3 }).fit(d.trainRows, d.trainLabels, d.classes);
    predict = () => lr.predict(d.testRows);
  } else if (model === "k-NN (k = 5)") {
    const knn = new KNearestNeighbours(5).fit(d.trainRows, d.trainLabels);
    predict = () => knn.predict(d.testRows);
  } else if (model === "decision tree") {
    const tree = new DecisionTree({ maxDepth: 10 }).fit(d.trainRows, d.trainLabels, d.classes);
    predict = () => tree.predict(d.testRows);
  } else {
    const mlp = trainMLP(d.xTrain, d.yTrain, recipeFor(d, quick), seed);
    predict = () => mlpPredictions(mlp, d.xTest);
  }
  const seconds = (performance.now() - started) / 1000;
  return { dataset: d.name as DatasetName, model, accuracy: accuracyPercent(predict(), d.testLabels), seconds };
}

/** Test accuracy of the tree and the MLP on the digits, trained on the first `size` training digits. */
function dataNeeded(digits: PreparedDataset, sizes: readonly number[], quick: boolean, seed: number): { tree: number[]; mlp: number[] } {
  const tree: number[] = [], mlp: number[] = [];
  const progress = new ProgressBar(sizes.length, { label: "data needed", unit: "sizes" });
  for (const size of sizes) {
    const part = firstTrainingRows(digits, size);
    tree.push(accuracyPercent(new DecisionTree({ maxDepth: 10 }).fit(part.rows, part.labels, 10).predict(digits.testRows), digits.testLabels));
    const model = trainMLP(part.x, part.y, recipeFor(digits, quick), seed);
    mlp.push(accuracyPercent(mlpPredictions(model, digits.xTest), digits.testLabels));
    progress.tick(1, `${size} digits: tree ${tree.at(-1)!.toFixed(1)} %, MLP ${mlp.at(-1)!.toFixed(1)} %`);
  }
  progress.finish();
  return { tree, mlp };
}

const lesson: Lesson = {
  number: 11,
  slug: "deep-learning-vs-traditional-ml",
  title: "Deep learning vs traditional machine learning",
  run({ quick, seed, outDir }) {
    heading("Four models, four datasets");
    say("Each dataset is shuffled and split 80/20; the tables are standardized with statistics of the training rows only.");
    say("Logistic regression draws one straight boundary per class; k-NN votes among the 5 nearest training points;");
    say("the decision tree asks up to 10 yes/no questions; the MLP learns its own features in hidden layers.");
    const datasets = DATASET_NAMES.map((name) => prepareDataset(name, seed));
    const rows: Row[] = [];
    const progress = new ProgressBar(datasets.length * MODELS.length, { label: "models", unit: "fits" });
    for (const d of datasets) {
      for (const model of MODELS) {
        rows.push(fitAndScore(model, d, quick, seed));
        progress.tick(1, `${d.name}: ${model} ${rows.at(-1)!.accuracy.toFixed(1)} %`);
      }
    }
    progress.finish();
    say();
    say(formatTable(rows.map((r) => [r.dataset, r.model, r.accuracy.toFixed(1), r.seconds.toFixed(3)]), { header: ["dataset", "model", "test accuracy (%)", "training time (s)"] }));
    say();
    say("On the small tables every model does well: a few hundred rows of meaningful measurements leave little for depth to add,");
    say("and the classic models train in milliseconds. On the images the MLP leads, and the tree, which can only cut one pixel at a time, trails.");

    heading("Data needed");
    const digits = datasets.find((d) => d.name === "digits")!;
    const sizes = quick ? [50, 400] : [25, 50, 100, 200, 400, 800, digits.trainRows.length];
    say(`The tree and the MLP trained on the first ${sizes.join(", ")} training digits; accuracy on the same ${digits.testRows.length} test digits.`);
    const curve = dataNeeded(digits, sizes, quick, seed);
    say(formatTable(sizes.map((s, i) => [s, curve.tree[i]!.toFixed(1), curve.mlp[i]!.toFixed(1)]), { header: ["training digits", "tree (%)", "MLP (%)"] }));

    const figures = [
      lineChart(path.join(outDir, "data-needed.svg"), [
        { name: "decision tree", x: sizes, y: curve.tree },
        { name: "MLP", x: sizes, y: curve.mlp },
      ], { title: "Test accuracy vs training digits", xLabel: "training digits", yLabel: "test accuracy (%)", logX: true }),
      barChart(path.join(outDir, "digits-accuracy.svg"), rows.filter((r) => r.dataset === "digits").map((r) => ({ label: r.model, value: r.accuracy })),
        { title: "Test accuracy on the 8×8 digits (%)", yLabel: "test accuracy (%)" }),
    ];

    const slack = quick ? 5 : 0;
    const measurements: Measurement[] = [];
    for (const r of rows) {
      measurements.push(atLeast(`${r.dataset}: ${r.model} test accuracy (%)`, r.accuracy, TARGETS[r.dataset][r.model] - slack));
      measurements.push(reported(`${r.dataset}: ${r.model} training time (s)`, r.seconds));
    }
    sizes.forEach((s, i) => {
      measurements.push(reported(`data needed: tree on ${s} digits (%)`, curve.tree[i]!));
      measurements.push(reported(`data needed: MLP on ${s} digits (%)`, curve.mlp[i]!));
    });
    const byName = (dataset: DatasetName, model: ModelName) => rows.find((r) => r.dataset === dataset && r.model === model)!.accuracy;
    return {
      measurements,
      summary: `on the 8×8 digits the MLP reaches ${byName("digits", "MLP").toFixed(1)} % vs logistic regression ${byName("digits", "logistic regression").toFixed(1)} %, k-NN ${byName("digits", "k-NN (k = 5)").toFixed(1)} % and a tree ${byName("digits", "decision tree").toFixed(1)} %; on the tables all four are within a few points`,
      figures,
    };
  },
};

export default lesson;

runIfMain(lesson, import.meta.url);

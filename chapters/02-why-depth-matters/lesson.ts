// Chapter 2: why deep layers matter. (a) MLPs with 1 to 4 hidden layers, each
// sized to about 1,000 parameters, trained identically on interleaved spirals:
// is depth worth more than width? (b) A small CNN on clothing images: what
// its first and second layers respond to (edges, then larger shapes).
//
//   npx tsx chapters/02-why-depth-matters/lesson.ts [--quick] [--seed N]

import path from "node:path";
import { F, Generator, data, manualSeed, noGrad, optim, type Tensor } from "../../src/index.ts";
import { MLP } from "../../src/architectures/mlp.ts";
import { LeNet5 } from "../../src/architectures/lenet.ts";
import { atLeast, formatTable, heading, ProgressBar, reported, runIfMain, say, sparkline, writeImageGrid, type Lesson, type Measurement } from "../_kit/index.ts";
import { barChart, lineChart, scatterPlot } from "../_kit/svg.ts";
import { mlpParameterCount, widthForBudget } from "./budget.ts";
import { regionGrid } from "./regions.ts";

/** The spirals are always drawn with these seeds, so every depth and every --seed sees the same points. */
const TRAIN_POINTS_SEED = 100;
const TEST_POINTS_SEED = 101;
/** The parameter budget every MLP is sized to. */
const BUDGET = 1000;
/** Fashion-MNIST's pixel mean and standard deviation (as in training/lenet.ts). */
const FASHION_MEAN = 0.286;
const FASHION_STD = 0.353;

interface SpiralRun { depth: number; width: number; parameters: number; losses: number[]; testAccuracy: number; model: MLP }

/** The percentage of rows whose largest score is the right class. */
function accuracy(forward: (x: Tensor) => Tensor, x: Tensor, y: Tensor): number {
  return 100 * noGrad(() => forward(x).argmax(1).eq(y).float().mean().item());
}

/**
 * One MLP, trained full-batch: every step sees all the training points.
 * Adam, cross-entropy (softmax, then −log of the right class's probability).
 */
function trainSpiralMLP(depth: number, xTrain: Tensor, yTrain: Tensor, xTest: Tensor, yTest: Tensor, options: { steps: number; lr: number; progress: ProgressBar }): SpiralRun {
  const width = widthForBudget(2, depth, 3, BUDGET);
  const model = new MLP({ inFeatures: 2, hiddenSizes: Array<number>(depth).fill(width), outFeatures: 3, activation: "relu" });
  const optimizer = new optim.Adam(model.parameters(), { lr: options.lr });
  const losses: number[] = [];
  for (let step = 0; step < options.steps; step++) {
    const loss = F.crossEntropy(model.forward(xTrain), yTrain);
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    losses.push(loss.item());
    options.progress.tick(1, `${depth} hidden layer(s) · loss ${losses.at(-1)!.toFixed(3)}`);
  }
  return { depth, width, parameters: model.parameterCount(), losses, testAccuracy: accuracy((x) => model.forward(x), xTest, yTest), model };
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const spread = (values: readonly number[]) => Math.sqrt(mean(values.map((v) => (v - mean(values)) ** 2)));

/** Part (a): depth against width at about BUDGET parameters. */
function depthVersusWidth(quick: boolean, seed: number, outDir: string) {
  heading("(a) Depth or width? About 1,000 parameters, spent two ways");
  const depths = quick ? [1, 3] : [1, 2, 3, 4];
  const repeats = quick ? 1 : 3;
  const points = quick ? 300 : 600;
  const steps = quick ? 250 : 600;
  const lr = quick ? 0.02 : 0.01;
  const [xTrain, yTrain] = data.makeSpirals(points, { classes: 3, turns: 2, noise: 0.02, generator: new Generator(TRAIN_POINTS_SEED) });
  const [xTest, yTest] = data.makeSpirals(1500, { classes: 3, turns: 2, noise: 0.02, generator: new Generator(TEST_POINTS_SEED) });
  say(`Three spiral arms, one per class, each winding twice around the centre: ${points} points to learn from, 1,500 fresh points to test on.`);
  say("A straight line cannot separate them; a network has to bend its boundary many times.");
  say(`Every MLP gets about ${BUDGET.toLocaleString("en")} weights and biases. With one hidden layer they must all go into width;`);
  say("with more layers each layer is narrower. Parameters = 2·w + w + (layers − 1)·(w² + w) + 3·w + 3, solved for the width w:");
  say(formatTable(depths.map((d) => { const w = widthForBudget(2, d, 3, BUDGET); return [d, w, mlpParameterCount(2, w, d, 3)]; }),
    { header: ["hidden layers", "width", "parameters"] }));
  say(`Each is trained the same way: ${steps} full-batch Adam steps (lr ${lr}), ${repeats === 1 ? "one initialisation" : `${repeats} initialisations (seeds)`} per depth.`);

  const progress = new ProgressBar(depths.length * repeats * steps, { label: "spiral MLPs" });
  const runs = new Map<number, SpiralRun[]>();
  for (const depth of depths) {
    const ofDepth: SpiralRun[] = [];
    for (let r = 0; r < repeats; r++) {
      manualSeed(seed * 100 + r); // the same initialisation seeds for every depth
      ofDepth.push(trainSpiralMLP(depth, xTrain, yTrain, xTest, yTest, { steps, lr, progress }));
    }
    runs.set(depth, ofDepth);
  }
  progress.finish();

  const halfway = steps / 2;
  const rows = depths.map((d) => {
    const accuracies = runs.get(d)!.map((r) => r.testAccuracy);
    const finalLosses = runs.get(d)!.map((r) => r.losses.at(-1)!);
    const halfwayLoss = meanCurve(runs.get(d)!)[halfway - 1]!;
    return { depth: d, accuracies, meanAccuracy: mean(accuracies), spreadAccuracy: spread(accuracies), meanLoss: mean(finalLosses), halfwayLoss };
  });
  say(formatTable(rows.map((r) => [r.depth, r.meanAccuracy.toFixed(1), repeats > 1 ? r.spreadAccuracy.toFixed(1) : "-", r.accuracies.map((a) => a.toFixed(1)).join(" "), r.halfwayLoss.toFixed(3), r.meanLoss.toFixed(3)]),
    { header: ["hidden layers", "test acc. (%)", "± (std)", "per seed", `train loss, step ${halfway}`, `step ${steps}`] }));
  for (const d of depths) say(`  training loss, ${d} hidden layer(s): ${sparkline(everyNth(meanCurve(runs.get(d)!), 40))}`);

  const figures: string[] = [];
  figures.push(lineChart(path.join(outDir, "spiral-loss-curves.svg"),
    depths.map((d) => ({ name: `${d} hidden layer${d > 1 ? "s" : ""}`, y: meanCurve(runs.get(d)!) })),
    { title: `Training loss, ~${BUDGET} parameters each${repeats > 1 ? ` (mean of ${repeats} seeds)` : ""}`, xLabel: "step", yLabel: "cross-entropy", logY: true }));
  figures.push(barChart(path.join(outDir, "spiral-accuracy-by-depth.svg"),
    rows.map((r) => ({ label: `${r.depth} hidden layer${r.depth > 1 ? "s" : ""}`, value: r.meanAccuracy })),
    { title: "Spiral test accuracy by depth", yLabel: "test accuracy (%)" }));
  const testPoints = xTest.tolist() as number[][];
  const testLabels = Array.from(yTest.toTypedArray() as ArrayLike<number>, Number);
  for (const [name, depth] of [["shallow", depths[0]!], ["deep", depths.at(-1)!]] as const) {
    const model = runs.get(depth)![0]!.model;
    const grid = regionGrid((p) => model.forward(p), [-1.1, 1.1], [-1.1, 1.1], 80);
    figures.push(scatterPlot(path.join(outDir, `spiral-regions-${name}.svg`),
      { x: testPoints.map((p) => p[0]!), y: testPoints.map((p) => p[1]!), label: testLabels },
      { title: `${depth} hidden layer${depth > 1 ? "s" : ""} (width ${runs.get(depth)![0]!.width}): test points over its decision regions`, classNames: ["arm 0", "arm 1", "arm 2"], background: grid }));
  }
  say(`Figures: the loss curves (${path.basename(figures[0]!)}), the accuracy per depth (${path.basename(figures[1]!)}),`);
  say(`and the regions each class gets, for the shallowest and the deepest net (${path.basename(figures[2]!)}, ${path.basename(figures[3]!)}).`);

  const shallow = rows[0]!, best = rows.reduce((a, b) => (b.meanAccuracy > a.meanAccuracy ? b : a));
  const deepest = rows.at(-1)!;
  heading("What the spirals show");
  const fastest = rows.reduce((a, b) => (b.halfwayLoss < a.halfwayLoss ? b : a));
  say(`Halfway through training (step ${halfway}) the loss was ${shallow.halfwayLoss.toFixed(3)} with one wide layer and ${fastest.halfwayLoss.toFixed(3)} with ${fastest.depth}` +
    (fastest.depth === shallow.depth ? ": the wide layer learned fastest this time." : ": for the same number of weights and steps, the deeper net had learned more."));
  say("A layer of ReLUs folds the plane along straight lines; the next layer folds the folded plane again, so a few narrow layers");
  say("can draw a boundary with many more bends than one wide layer with the same number of weights.");
  const gap = best.meanAccuracy - shallow.meanAccuracy;
  if (best.depth === shallow.depth || gap < 2) {
    say(`But at the end of the ${steps} steps the accuracies are close: one layer ${shallow.meanAccuracy.toFixed(1)} %, the best depth (${best.depth}) ${best.meanAccuracy.toFixed(1)} %.`);
    say("Given enough steps, one wide layer draws these spirals too: here depth buys speed of learning more than a better final answer.");
  } else {
    say(`At the end of the ${steps} steps, ${best.depth} hidden layers score ${best.meanAccuracy.toFixed(1)} % on the test points and one wide layer ${shallow.meanAccuracy.toFixed(1)} %:`);
    say("the wide layer is still learning (see its loss curve); with many more steps it gets close (exercise 1).");
  }
  if (repeats > 1) {
    const widest = rows.reduce((a, b) => (b.spreadAccuracy > a.spreadAccuracy ? b : a));
    if (widest.depth !== shallow.depth) {
      say(`Depth has a price: the initialisation matters more. The largest spread between seeds is ±${widest.spreadAccuracy.toFixed(1)} points (${widest.depth} hidden layers,`);
      say(`per seed ${widest.accuracies.map((a) => a.toFixed(1)).join(", ")} %); one wide layer varies by ±${shallow.spreadAccuracy.toFixed(1)}. A narrow deep net can be stuck by a bad start.`);
    } else {
      say(`The seeds matter most for the wide layer this time (±${widest.spreadAccuracy.toFixed(1)} points between initialisations).`);
    }
  }
  return { rows, shallow, best, deepest, figures, repeats };
}

/** About `count` values taken at even intervals, for a sparkline that fits on a line. */
function everyNth(values: readonly number[], count: number): number[] {
  const stride = Math.max(1, Math.floor(values.length / count));
  return values.filter((_, i) => i % stride === 0);
}

/** The mean over runs of the loss at each step. */
function meanCurve(runs: readonly SpiralRun[]): number[] {
  return runs[0]!.losses.map((_, step) => mean(runs.map((r) => r.losses[step]!)));
}

/** Part (b): a LeNet-5 on Fashion-MNIST, and what its two convolution layers see. */
function whatConvolutionsSee(quick: boolean, seed: number, outDir: string) {
  heading("(b) What the layers of a CNN see");
  const trainCount = quick ? 1000 : 6000, testCount = quick ? 500 : 1000, epochs = quick ? 2 : 4;
  const normalize = (images: Tensor) => images.sub(FASHION_MEAN).div(FASHION_STD);
  const trainData = data.loadFashionMNIST({ split: "train" }), testData = data.loadFashionMNIST({ split: "test" });
  const xTrain = normalize(trainData.images.narrow(0, 0, trainCount)), yTrain = trainData.labels.narrow(0, 0, trainCount);
  const xTest = normalize(testData.images.narrow(0, 0, testCount)), yTest = testData.labels.narrow(0, 0, testCount);
  say(`${trainCount.toLocaleString("en")} Fashion-MNIST images (28×28, 10 kinds of clothing) to learn from, ${testCount.toLocaleString("en")} to test on.`);
  say("LeNet-5: conv1 (6 filters, 5×5) → ReLU → max-pool → conv2 (16 filters, 5×5, each looking at all 6 maps) → ReLU → max-pool → 3 linear layers.");

  manualSeed(seed);
  const model = new LeNet5();
  const loader = new data.DataLoader(new data.TensorDataset(xTrain, yTrain), { batchSize: 64, shuffle: true, generator: new Generator(seed) });
  const optimizer = new optim.Adam(model.parameters(), { lr: 3e-3 });
  const scheduler = new optim.lrScheduler.OneCycleLR(optimizer, 3e-3, { totalSteps: epochs * loader.length }); // warm up, then anneal
  say(`Training: ${epochs} epochs of batches of 64 (${epochs * loader.length} steps), Adam with the 1cycle schedule (peak lr 3e-3), as in training/lenet.ts.`);
  const progress = new ProgressBar(epochs * loader.length, { label: "LeNet-5" });
  model.train();
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const [x, y] of loader) {
      const loss = F.crossEntropy(model.forward(x), y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      scheduler.step();
      progress.tick(1, `epoch ${epoch + 1}/${epochs} · loss ${loss.item().toFixed(3)}`);
    }
  }
  progress.finish();
  model.eval();
  const testAccuracy = accuracy((x) => model.forward(x), xTest, yTest);
  say(`Test accuracy: ${testAccuracy.toFixed(1)} % (chance: 10 %).`);

  // One test image through the two convolution layers, stopping after each ReLU.
  const image = xTest.narrow(0, 0, 1);                                             // [1, 1, 28, 28]
  const [maps1, maps2] = noGrad(() => {
    const a1 = F.relu(model.conv1.forward(image));                                   // [1, 6, 28, 28]: edges and strokes
    const a2 = F.relu(model.conv2.forward(model.pool.forward(a1)));                  // [1, 16, 10, 10]: combinations of them
    return [a1, a2];
  });
  const kind = testData.classes[Number(yTest.narrow(0, 0, 1).item())]!;
  const figures = [
    writeImageGrid(path.join(outDir, "cnn-image.png"), testData.images.narrow(0, 0, 1), { scale: 8 }),
    writeImageGrid(path.join(outDir, "cnn-conv1-filters.png"), model.conv1.weight.detach(), { columns: 6, scale: 16, range: "each" }),
    writeImageGrid(path.join(outDir, "cnn-conv1-maps.png"), maps1.reshape([6, 1, 28, 28]), { columns: 6, scale: 4, range: "each" }),
    writeImageGrid(path.join(outDir, "cnn-conv2-maps.png"), maps2.reshape([16, 1, 10, 10]), { columns: 8, scale: 8, range: "each" }),
  ];
  say(`The image (class "${kind}") is in ${path.basename(figures[0]!)}. conv1's six 5×5 filters, each stretched to its own range`);
  say(`(white: weight > 0, black: < 0), are in ${path.basename(figures[1]!)}. At 5×5 they are hard to read by eye;`);
  say("what they do is clearer in what they find. Each filter is slid over the whole image, giving one map each");
  say(`(${path.basename(figures[2]!)}): some maps light up along the outline at one side or one orientation (the back, the sole),`);
  say("others simply mark the background or the inside of the object: edges and contrast, found the same way everywhere.");
  if (quick) say(`(After only ${epochs * loader.length} steps most maps still mark light or dark; the full run's maps show the edges more clearly.)`);
  say(`conv2 works on those six maps, not on pixels: its 16 maps (${path.basename(figures[3]!)}, 10×10 after pooling) combine edges`);
  say("over a 14×14-pixel window, so each marks a larger part of the shape (a heel, the top of the shaft) and only roughly where it is.");
  say("Edges first, then shapes made of edges: each layer builds on what the layer below found. That is what depth buys.");
  const active = (maps: Tensor) => 100 * maps.gt(0).float().mean().item();
  say(`Share of positions where a map is active (above 0 after the ReLU): ${active(maps1).toFixed(0)} % in conv1, ${active(maps2).toFixed(0)} % in conv2.`);
  return { testAccuracy, figures, parameters: model.parameterCount(), steps: epochs * loader.length };
}

const lesson: Lesson = {
  number: 2,
  slug: "why-depth-matters",
  title: "Why deep layers matter",
  run({ quick, seed, outDir }) {
    const spirals = depthVersusWidth(quick, seed, outDir);
    const cnn = whatConvolutionsSee(quick, seed, outDir);

    const measurements: Measurement[] = [
      ...spirals.rows.map((r) => reported(`spirals, ${r.depth} hidden layer(s): test accuracy (%)${spirals.repeats > 1 ? `, mean of ${spirals.repeats}` : ""}`, r.meanAccuracy)),
      ...(spirals.repeats > 1 ? spirals.rows.map((r) => reported(`spirals, ${r.depth} hidden layer(s): std over seeds (points)`, r.spreadAccuracy)) : []),
      atLeast("spirals, best depth: test accuracy (%)", spirals.best.meanAccuracy, quick ? 90 : 95),
      reported("spirals, best depth (hidden layers)", spirals.best.depth),
      ...spirals.rows.map((r) => reported(`spirals, ${r.depth} hidden layer(s): train loss halfway`, r.halfwayLoss)),
      reported("spirals, deepest minus one layer (points)", spirals.deepest.meanAccuracy - spirals.shallow.meanAccuracy),
      atLeast("CNN: Fashion-MNIST test accuracy (%)", cnn.testAccuracy, quick ? 50 : 80),
      reported("CNN: training steps", cnn.steps),
    ];
    return {
      measurements,
      summary: `at ~${BUDGET} parameters on 3-arm spirals, 1 hidden layer scores ${spirals.shallow.meanAccuracy.toFixed(1)} % and ${spirals.best.depth} layers ` +
        `${spirals.best.meanAccuracy.toFixed(1)} %; a LeNet-5 reaches ${cnn.testAccuracy.toFixed(1)} % on Fashion-MNIST, with its filters and feature maps drawn`,
      figures: [...spirals.figures, ...cnn.figures],
    };
  },
};

export default lesson;
runIfMain(lesson, import.meta.url);

// Chapter 12: the limitations of deep learning, measured.
//
//   1. Data hunger: an MLP's test accuracy against the number of training digits.
//   2. The black box, opened a little: saliency maps and integrated gradients
//      (attribution.ts), with the completeness check Σ IG = score(x) − score(black).
//   3. Bias: a group that is 5 % of the training data and follows a shifted
//      rule gets far more errors; reweighting narrows the gap (group-bias.ts).
//   4. Compute and energy: the FLOPs of training, counted by formula
//      (training-flops.ts), the speed of this CPU measured, and an energy
//      estimate, beside published figures for a large language model.

import path from "node:path";
import { F, Generator, data, noGrad, optim, randperm, tensor, zeros, type Tensor } from "../../src/index.ts";
import { MLP, type MLPOptions } from "../../src/architectures/mlp.ts";
import { ProgressBar, atLeast, atMost, heading, reported, runIfMain, say, type Lesson, type Measurement } from "../_kit/index.ts";
import { writeHeatmapPng, writeImageGrid } from "../_kit/png.ts";
import { barChart, lineChart } from "../_kit/svg.ts";
import { formatTable } from "../_kit/terminal.ts";
import { classScores, integratedGradients, saliency } from "./attribution.ts";
import { balancingWeights, groupErrors, makeGroupTask } from "./group-bias.ts";
import { conv2dMultiplyAdds, denseTrainingFlops, trainingFlopsFromMultiplyAdds, transformerTrainingFlops } from "./training-flops.ts";

const DIGITS_MLP: MLPOptions = { inFeatures: 64, hiddenSizes: [128, 64], outFeatures: 10, activation: "relu", dropout: 0.1, norm: "batch" };
const DIGITS_LAYERS: [number, number][] = [[64, 128], [128, 64], [64, 10]];
/** An assumption, not a measurement: the power drawn by one busy CPU core (desktop and laptop cores draw roughly 10–20 W under load). */
const WATTS_PER_BUSY_CORE = 15;
/** Published, approximate: GPT-3 (175 billion parameters) took about 3.14·10²³ FLOPs to train (Brown et al., 2020) and about 1,287 MWh (Patterson et al., 2021). */
const GPT3_FLOPS = 3.14e23;
const GPT3_JOULES = 1287e6 * 3600;

/** AdamW with the 1cycle schedule on batches of 32 for `steps` steps (the recipe of training/mlp.ts); returns the samples seen. */
function trainDigitsMLP(model: MLP, x: Tensor, y: Tensor, steps: number, seed: number): number {
  const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 32, shuffle: true, generator: new Generator(seed) });
  const optimizer = new optim.AdamW(model.parameters(), { lr: 3e-3, weightDecay: 0.01 });
  const scheduler = new optim.lrScheduler.OneCycleLR(optimizer, 3e-3, { totalSteps: steps });
  model.train();
  let step = 0, samples = 0;
  while (step < steps) {
    for (const [xb, yb] of loader) {
      if (step === steps) break;
      if (xb.shape[0]! < 2) continue;                        // BatchNorm needs two rows or more
      const loss = F.crossEntropy(model.forward(xb), yb);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      scheduler.step();
      step++;
      samples += xb.shape[0]!;
    }
  }
  model.eval();
  return samples;
}

function accuracyPercent(model: MLP, x: Tensor, y: Tensor): number {
  return noGrad(() => 100 * model.forward(x).argmax(1).eq(y).float().mean().item());
}

/** Side by side [8, 9k − 1]: k maps of 8×8, each divided by its own largest |value|, one blank column between. */
function sideBySide(maps: readonly Tensor[]): Tensor {
  const columns = maps.length * 9 - 1;
  const values = new Array<number>(8 * columns).fill(0);
  maps.forEach((map, k) => {
    const v = map.toTypedArray();
    const scale = Math.max(...Array.from(v, Math.abs)) || 1;
    for (let r = 0; r < 8; r++) for (let c = 0; c < 8; c++) values[r * columns + 9 * k + c] = v[8 * r + c]! / scale;
  });
  return tensor(values).view([8, columns]);
}

const lesson: Lesson = {
  number: 12,
  slug: "limitations",
  title: "Limitations",
  run({ quick, seed, outDir }) {
    const measurements: Measurement[] = [];
    const figures: string[] = [];

    // 1. Data hunger ------------------------------------------------------------------------
    heading("1. Data hunger");
    const digits = data.loadDigits();
    const order = randperm(digits.data.shape[0]!, { generator: new Generator(seed) });
    const x = digits.data.div(16).indexSelect(0, order), y = digits.target.indexSelect(0, order);
    const nTrain = 1438, xTest = x.narrow(0, nTrain, x.shape[0]! - nTrain), yTest = y.narrow(0, nTrain, y.shape[0]! - nTrain);
    const sizes = quick ? [50, 200, nTrain] : [25, 50, 100, 200, 400, 800, nTrain];
    const steps = quick ? 100 : 460;
    say(`The same MLP (64 → 128 → 64 → 10), trained for ${steps} steps on the first ${sizes.join(", ")} of ${nTrain} training digits, tested on the other ${xTest.shape[0]}.`);
    const curve: number[] = [];
    let model: MLP | null = null, cpuSeconds = 0, samplesSeen = 0;
    const progress = new ProgressBar(sizes.length, { label: "learning curve", unit: "sizes" });
    for (const size of sizes) {
      model = new MLP(DIGITS_MLP);
      const cpu = process.cpuUsage();
      samplesSeen = trainDigitsMLP(model, x.narrow(0, 0, size), y.narrow(0, 0, size), steps, seed);
      const used = process.cpuUsage(cpu);
      cpuSeconds = (used.user + used.system) / 1e6;
      curve.push(accuracyPercent(model, xTest, yTest));
      progress.tick(1, `${size} digits → ${curve.at(-1)!.toFixed(1)} %`);
    }
    progress.finish();
    say(formatTable(sizes.map((s, i) => [s, curve[i]!.toFixed(1)]), { header: ["training digits", "test accuracy (%)"] }));
    say("A person learns a new digit from a handful of examples; the network needs hundreds per class to approach its best.");
    figures.push(lineChart(path.join(outDir, "learning-curve.svg"), [{ name: "MLP", x: sizes, y: curve }],
      { title: "Test accuracy vs training digits (log scale)", xLabel: "training digits", yLabel: "test accuracy (%)", logX: true }));
    sizes.forEach((s, i) => measurements.push(reported(`learning curve: ${s} digits (%)`, curve[i]!)));
    measurements.push(atLeast("learning curve: all training digits (%)", curve.at(-1)!, quick ? 90 : 95));
    measurements.push(atLeast("learning curve: gain from fewest to most digits (points)", curve.at(-1)! - curve[0]!, 10));

    // 2. The black box --------------------------------------------------------------------------
    heading("2. Which pixels mattered? Saliency and integrated gradients");
    const trained = model!;
    const igSteps = quick ? 64 : 256;
    const testLabels = Array.from(yTest.toTypedArray());
    const examples = Array.from({ length: 10 }, (_, digit) => testLabels.indexOf(digit));
    say(`For the first test image of each digit: saliency |∂score/∂pixel|, and integrated gradients from a black image with ${igSteps} steps.`);
    const black = zeros([64]);
    const saliencies: Tensor[] = [], attributions: Tensor[] = [];
    let worstRelativeError = 0, topDrop = 0, randomDrop = 0;
    const picker = new Generator(seed + 1);
    for (const [digit, index] of examples.entries()) {
      const image = xTest.select(0, index);
      saliencies.push(saliency(trained, image, digit));
      const ig = integratedGradients(trained, image, black, digit, igSteps);
      attributions.push(ig.attributions);
      worstRelativeError = Math.max(worstRelativeError, Math.abs(ig.completenessError) / Math.abs(ig.scoreDifference));
      // Do the attributions point at pixels that matter? Black out the 6 most attributed pixels, or 6 random inked ones.
      const a = Array.from(ig.attributions.toTypedArray());
      const inked = a.map((_, i) => i).filter((i) => image.toTypedArray()[i]! > 0);
      const top = [...inked].sort((i, j) => a[j]! - a[i]!).slice(0, 6);
      const random = inked.map((i) => ({ i, r: picker.random() })).sort((p, q) => p.r - q.r).slice(0, 6).map((p) => p.i);
      const score = (pixels: number[]) => {
        const v = Array.from(image.toTypedArray());
        for (const p of pixels) v[p] = 0;
        return noGrad(() => classScores(trained, tensor([v]), digit).item());
      };
      const original = score([]);
      topDrop += (original - score(top)) / 10;
      randomDrop += (original - score(random)) / 10;
    }
    say(`Completeness: the attributions add up to score(x) − score(black) within ${(100 * worstRelativeError).toFixed(2)} % (worst of 10 digits).`);
    say(`Blacking out the 6 most attributed pixels lowers the class score by ${topDrop.toFixed(2)} on average; 6 random inked pixels, by ${randomDrop.toFixed(2)}.`);
    say("These maps say where the network looked, not why: a map is a description of a computation, not a reason a person can check.");
    const exampleImages = xTest.indexSelect(0, tensor(examples, { dtype: "int32" })).view([10, 1, 8, 8]);
    figures.push(writeImageGrid(path.join(outDir, "digits.png"), exampleImages, { columns: 10, scale: 8 }));
    figures.push(writeHeatmapPng(path.join(outDir, "saliency.png"), sideBySide(saliencies), { scale: 8 }));
    figures.push(writeHeatmapPng(path.join(outDir, "integrated-gradients.png"), sideBySide(attributions), { scale: 8, diverging: true }));
    measurements.push(atMost("integrated gradients: worst completeness error (% of the score change)", 100 * worstRelativeError, quick ? 5 : 2));
    measurements.push(reported("integrated gradients: score drop, 6 most attributed pixels removed", topDrop));
    measurements.push(reported("integrated gradients: score drop, 6 random inked pixels removed", randomDrop));
    measurements.push(atLeast("integrated gradients: top pixels vs random pixels (score drop ratio)", topDrop / Math.max(randomDrop, 1e-6), 1.5));

    // 3. Bias -------------------------------------------------------------------------------------
    heading("3. Bias: an under-represented group");
    const generator = new Generator(seed + 2);
    const train = makeGroupTask(2000, 0.05, generator), test = makeGroupTask(4000, 0.5, generator);
    say("Points (x₁, x₂) from two groups. Group A: label 1 when x₁ + x₂ > 0. Group B: label 1 when x₁ + x₂ > 1.5.");
    say("The model is not told the group, so it can draw one boundary only: where should it go?");
    say(`Group B is ${train.group.filter((g) => g === 1).length} of the ${train.group.length} training points (5 %), and half of the test points.`);
    const biasSteps = quick ? 200 : 600;
    const fitGroupModel = (weights: Tensor | null) => {
      const net = new MLP({ inFeatures: 2, hiddenSizes: [32], outFeatures: 2, activation: "relu" });
      const optimizer = new optim.Adam(net.parameters(), { lr: 1e-2 });
      for (let step = 0; step < biasSteps; step++) {
        const losses = F.crossEntropy(net.forward(train.x), train.y, { reduction: "none" });     // one loss per point
        const loss = weights === null ? losses.mean() : losses.mul(weights).sum().div(weights.sum());
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
      }
      const predictions = noGrad(() => Array.from(net.forward(test.x).argmax(1).toTypedArray()));
      return groupErrors(predictions, Array.from(test.y.toTypedArray()), test.group);
    };
    const plain = fitGroupModel(null);
    const reweighted = fitGroupModel(balancingWeights(train.group));
    say(formatTable([
      ["plain (every point weighs 1)", plain[0].toFixed(1), plain[1].toFixed(1), (plain[1] - plain[0]).toFixed(1)],
      ["reweighted (each group weighs half)", reweighted[0].toFixed(1), reweighted[1].toFixed(1), (reweighted[1] - reweighted[0]).toFixed(1)],
    ], { header: ["training", "error A (%)", "error B (%)", "gap (points)"] }));
    say("Reweighting moves the one boundary toward the middle: B's error falls, A's rises. It trades errors between the groups;");
    say("only better data (or a model allowed to treat the groups differently) lowers both.");
    figures.push(barChart(path.join(outDir, "group-errors.svg"), [
      { label: "A, plain", value: plain[0] }, { label: "B, plain", value: plain[1] },
      { label: "A, reweighted", value: reweighted[0] }, { label: "B, reweighted", value: reweighted[1] },
    ], { title: "Test error by group (%)", yLabel: "error (%)" }));
    measurements.push(reported("bias: plain, error A (%)", plain[0]), reported("bias: plain, error B (%)", plain[1]));
    measurements.push(reported("bias: reweighted, error A (%)", reweighted[0]), reported("bias: reweighted, error B (%)", reweighted[1]));
    measurements.push(atLeast("bias: plain, error gap B − A (points)", plain[1] - plain[0], 10));
    measurements.push(atLeast("bias: gap narrowed by reweighting (points)", (plain[1] - plain[0]) - (reweighted[1] - reweighted[0]), 5));

    // 4. Compute and energy --------------------------------------------------------------------
    heading("4. The cost in compute and energy");
    const mlpFlops = denseTrainingFlops(DIGITS_LAYERS, samplesSeen);
    const flopsPerSecond = mlpFlops / cpuSeconds;
    const joulesPerFlop = WATTS_PER_BUSY_CORE / flopsPerSecond;
    say(`The last MLP above saw ${samplesSeen} digits: 6 × ${DIGITS_LAYERS.reduce((s, [a, b]) => s + a * b, 0)} weights × ${samplesSeen} = ${mlpFlops.toExponential(2)} FLOPs,`);
    say(`in ${cpuSeconds.toFixed(2)} s of CPU time: ${(flopsPerSecond / 1e9).toFixed(3)} GFLOP/s counted (the optimizer and the bookkeeping are not counted, so this understates the work).`);
    say(`At an assumed ${WATTS_PER_BUSY_CORE} W per busy core, that is ${joulesPerFlop.toExponential(2)} J per FLOP.`);
    const lenetMultiplyAdds = conv2dMultiplyAdds(1, 6, 5, 28, 28) + conv2dMultiplyAdds(6, 16, 5, 10, 10) + 400 * 120 + 120 * 84 + 84 * 10;
    const models: { name: string; flops: number }[] = [
      { name: "ch. 11–12 MLP on digits (this run)", flops: mlpFlops },
      { name: `ch. 12 bias MLP, ${biasSteps} steps × 2,000 points`, flops: denseTrainingFlops([[2, 32], [32, 2]], biasSteps * 2000) },
      { name: "ch. 5 LeNet-5, 12 epochs × 6,000 images", flops: trainingFlopsFromMultiplyAdds(lenetMultiplyAdds, 12 * 6000) },
      { name: "ch. 7 character GPT, 614,400 tokens", flops: transformerTrainingFlops(105_472, 2, 32, 64, 614_400) },
    ];
    const rows = models.map((m) => [m.name, m.flops.toExponential(2), (m.flops / flopsPerSecond).toFixed(1), (m.flops * joulesPerFlop).toFixed(1)]);
    rows.push(["GPT-3, published (Brown et al. 2020; Patterson et al. 2021)", GPT3_FLOPS.toExponential(2), (GPT3_FLOPS / flopsPerSecond).toExponential(2), GPT3_JOULES.toExponential(2)]);
    say(formatTable(rows, { header: ["model", "training FLOPs", "seconds at this speed", "energy (J)"] }));
    const years = GPT3_FLOPS / flopsPerSecond / (365.25 * 24 * 3600);
    const gpt3JoulesPerFlop = GPT3_JOULES / GPT3_FLOPS;
    say(`GPT-3's training would take this core about ${years.toExponential(1)} years. Its published energy, ~1,287 MWh, is ${gpt3JoulesPerFlop.toExponential(1)} J per FLOP:`);
    say(`data-centre accelerators do each FLOP about ${Math.round(joulesPerFlop / gpt3JoulesPerFlop)}× more cheaply than this core, and it still took about what 120 US homes use in a year (at roughly 10.5 MWh per home).`);
    figures.push(barChart(path.join(outDir, "training-flops.svg"), [
      ...models.map((m) => ({ label: m.name.split(",")[0]!, value: m.flops })), { label: "GPT-3 (published)", value: GPT3_FLOPS },
    ], { title: "Training FLOPs (log scale)", yLabel: "FLOPs", logY: true }));
    measurements.push(reported("compute: MLP training FLOPs (by formula)", mlpFlops));
    measurements.push(reported("compute: MLP training CPU time (s)", cpuSeconds));
    measurements.push(atLeast("compute: counted speed (GFLOP/s)", flopsPerSecond / 1e9, 0.01));
    measurements.push(reported(`compute: energy per FLOP at ${WATTS_PER_BUSY_CORE} W (nJ)`, 1e9 * joulesPerFlop));
    measurements.push(reported("compute: GPT-3 on this core (years)", years));

    return {
      measurements,
      figures,
      summary: `an MLP needs data (${curve[0]!.toFixed(1)} % on ${sizes[0]} digits, ${curve.at(-1)!.toFixed(1)} % on ${nTrain}); a 5 % group errs ${plain[1].toFixed(1)} % vs ${plain[0].toFixed(1)} % (${reweighted[1].toFixed(1)} % vs ${reweighted[0].toFixed(1)} % reweighted); GPT-3 would take this core ~${years.toExponential(0)} years`,
    };
  },
};

export default lesson;

runIfMain(lesson, import.meta.url);

// Chapter 8: diffusion models. Destroy data with noise, step by step; train a
// network to undo one step; run it backwards from pure noise to make new data.
//
//   npx tsx chapters/08-diffusion-models/lesson.ts [--quick]
//
// Three parts: (1) the forward process q(x_t | x_0) on a few digits, (2) a DDPM
// with a small MLP on 2-D points (the swiss roll), (3) a DDPM with a small
// U-Net on the 8×8 digits, and the reverse process shown from noise to digit.

import path from "node:path";
import { DDPM } from "../../src/architectures/diffusion.ts";
import { MLPDenoiser } from "../../src/architectures/denoiser-mlp.ts";
import { UNet } from "../../src/architectures/unet.ts";
import { Generator, cat, data, noGrad, optim, randn, rand, type Tensor } from "../../src/index.ts";
import { trainDigitsJudge } from "../../training/digits-judge.ts";
import { atLeast, atMost, heading, ProgressBar, reported, runIfMain, say, writeImageGrid, type Lesson, type Measurement } from "../_kit/index.ts";
import { scatterPlot, lineChart } from "../_kit/svg.ts";
import { meanNearestDistance, reverseProcess } from "./reverse-process.ts";

/** What sets the size of a run, quick or full. */
const QUICK = {
  points: { train: 1000, heldOut: 300, timesteps: 50, hiddenDim: 32, layers: 2, batchSize: 128, steps: 400, learningRate: 3e-3, samples: 300 },
  digits: { timesteps: 20, baseChannels: 8, batchSize: 16, steps: 30, learningRate: 3e-3, warmupSteps: 3, emaDecay: 0.8, samples: 40, judgeEpochs: 2 },
};
const FULL = {
  points: { train: 2000, heldOut: 1000, timesteps: 500, hiddenDim: 128, layers: 3, batchSize: 256, steps: 2000, learningRate: 2e-3, samples: 1000 },
  digits: { timesteps: 100, baseChannels: 16, batchSize: 32, steps: 500, learningRate: 2e-3, warmupSteps: 50, emaDecay: 0.99, samples: 100, judgeEpochs: 30 },
};

/** Pearson correlation of two tensors of the same size, over all their elements. */
function correlation(a: Tensor, b: Tensor): number {
  return noGrad(() => {
    const da = a.sub(a.mean()), db = b.sub(b.mean());
    return da.mul(db).sum().item() / Math.sqrt(da.square().sum().item() * db.square().sum().item());
  });
}

/** The mean of the first and of the last `n` values of a list. */
function firstAndLast(values: readonly number[], n: number): [number, number] {
  const mean = (xs: readonly number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
  return [mean(values.slice(0, n)), mean(values.slice(-n))];
}

/** Part 1: noise a few digits to several steps t in one draw each, x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε. */
function forwardProcess(outDir: string, generator: Generator): { measurements: Measurement[]; figure: string } {
  heading("1. The forward process: noising a digit");
  const ddpm = new DDPM({ timesteps: 100, schedule: "cosine" });
  const digits = data.loadDigits();
  const x0 = digits.images.narrow(0, 0, 4).div(8).sub(1);               // 4 digits, pixels 0..16 → [−1, 1]
  const steps = [0, 5, 10, 20, 35, 50, 70, 99];
  const noise = randn(x0.shape, { generator });
  const rows: Tensor[] = [];
  say(`${ddpm}: x_t = √ᾱ_t·x_0 + √(1 − ᾱ_t)·ε, one draw from the clean digit to any step.`);
  say("   t   √ᾱ_t (signal)   √(1 − ᾱ_t) (noise)   correlation of x_t with x_0");
  const correlations: number[] = [];
  const columns = steps.map((t) => {
    const xt = ddpm.qSample(x0, t, noise);
    correlations.push(correlation(xt, x0));
    say(`${String(t).padStart(4)}   ${Math.sqrt(ddpm.alphasCumprod[t]!).toFixed(3).padStart(13)}   ${Math.sqrt(1 - ddpm.alphasCumprod[t]!).toFixed(3).padStart(18)}   ${correlations.at(-1)!.toFixed(3).padStart(27)}`);
    return xt;
  });
  for (let digit = 0; digit < 4; digit++) for (const xt of columns) rows.push(xt.narrow(0, digit, 1));
  const figure = writeImageGrid(path.join(outDir, "forward-process.png"), cat(rows).clamp(-1, 1), { columns: steps.length, scale: 6, range: [-1, 1] });
  say(`Each row is a digit, each column a step t = ${steps.join(", ")}: ${figure}`);
  return {
    figure,
    measurements: [
      reported("noising: correlation of x_t with x_0 at t = 10", correlations[2]!),
      atMost("noising: correlation of x_T with x_0 (pure noise)", Math.abs(correlations.at(-1)!), 0.2),
    ],
  };
}

/** Part 2: a DDPM on the swiss roll, the MLP denoiser learning ε from (x_t, t). */
function pointsDiffusion(run: typeof FULL.points, outDir: string, generator: Generator): { measurements: Measurement[]; figures: string[] } {
  heading("2. A DDPM on 2-D points: the swiss roll");
  const [rawTrain] = data.makeSwissRoll2d(run.train, { noise: 0.25, generator });
  const [rawHeldOut] = data.makeSwissRoll2d(run.heldOut, { noise: 0.25, generator });
  const scaler = data.transforms.Standardizer.fit(rawTrain);             // about as wide as N(0, I), where sampling starts
  const train = scaler.transform(rawTrain).float(), heldOut = scaler.transform(rawHeldOut).float();
  const ddpm = new DDPM({ timesteps: run.timesteps, schedule: "linear" });
  const model = new MLPDenoiser({ hiddenDim: run.hiddenDim, layers: run.layers });
  const optimizer = new optim.Adam(model.parameters(), { lr: run.learningRate });
  const schedule = new optim.lrScheduler.CosineAnnealingLR(optimizer, run.steps, { etaMin: run.learningRate / 20 });
  const loader = new data.DataLoader(new data.TensorDataset(train), { batchSize: run.batchSize, shuffle: true, generator });
  say(`${run.train} points; ${ddpm}; an MLP denoiser of ${model.parameterCount().toLocaleString("en-US")} parameters.`);
  say("Each step: pick points x_0, a step t and noise ε; make x_t; the loss is ‖ε − ε_θ(x_t, t)‖².");

  const losses: number[] = [];
  const progress = new ProgressBar(run.steps, { label: "train" });
  while (losses.length < run.steps) {
    for (const [x0] of loader) {
      if (losses.length === run.steps) break;
      const loss = ddpm.loss(model, x0!, { generator });               // t ~ U{0..T−1}, ε ~ N(0, I), MSE(ε̂, ε)
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      schedule.step();
      losses.push(loss.item());
      progress.tick(1, `loss ${loss.item().toFixed(3)}`);
    }
  }
  progress.finish();
  const window = Math.max(5, Math.floor(run.steps / 20));
  const [startLoss, endLoss] = firstAndLast(losses, window);
  say(`The loss fell from ${startLoss.toFixed(3)} (mean of the first ${window} steps) to ${endLoss.toFixed(3)} (the last ${window}).`);

  say(`Sampling ${run.samples} points: ${run.timesteps} denoising steps from pure noise.`);
  const sampling = new ProgressBar(run.timesteps, { label: "sample" });
  const { samples } = reverseProcess(ddpm, model, [run.samples, 2], { generator, onStep: () => sampling.tick() });
  sampling.finish();
  const noise = randn([run.samples, 2], { generator });
  const generatedDistance = meanNearestDistance(samples, train);
  const heldOutDistance = meanNearestDistance(heldOut, train);
  const noiseDistance = meanNearestDistance(noise, train);
  say(`Mean distance to the nearest training point: generated ${generatedDistance.toFixed(3)}, ` +
    `fresh real points ${heldOutDistance.toFixed(3)}, pure noise ${noiseDistance.toFixed(3)}.`);

  const both = cat([train.narrow(0, 0, Math.min(run.train, run.samples)), samples]);
  const labels = [...Array<number>(Math.min(run.train, run.samples)).fill(0), ...Array<number>(run.samples).fill(1)];
  const columns = both.contiguous().toTypedArray();
  const xs = Array.from({ length: labels.length }, (_, i) => columns[2 * i]!);
  const ys = Array.from({ length: labels.length }, (_, i) => columns[2 * i + 1]!);
  const figures = [
    scatterPlot(path.join(outDir, "swiss-roll-samples.svg"), { x: xs, y: ys, label: labels },
      { title: "Swiss roll: training data vs DDPM samples", xLabel: "x₁ (standardised)", yLabel: "x₂", classNames: ["training data", "generated"] }),
    lineChart(path.join(outDir, "swiss-roll-loss.svg"), [{ name: "training loss", y: smooth(losses, window) }],
      { title: "2-D DDPM: noise-prediction loss", xLabel: "step", yLabel: "MSE (moving average)" }),
  ];
  return {
    figures,
    measurements: [
      reported("points: loss, first steps", startLoss),
      atMost("points: loss, last / first steps", endLoss / startLoss, 0.8),
      reported("points: held-out real points, distance to data", heldOutDistance),
      reported("points: pure noise, distance to data", noiseDistance),
      reported("points: generated, distance to data", generatedDistance),
      reported("points: generated / held-out distance", generatedDistance / heldOutDistance),
      atMost("points: generated / noise distance", generatedDistance / noiseDistance, run === FULL.points ? 0.4 : 0.85),
    ],
  };
}

/** A moving average over `n` values, for a readable loss curve. */
function smooth(values: readonly number[], n: number): number[] {
  return values.map((_, i) => {
    const from = Math.max(0, i - n + 1);
    return values.slice(from, i + 1).reduce((s, v) => s + v, 0) / (i + 1 - from);
  });
}

/** θ_ema ← d·θ_ema + (1 − d)·θ: a smoothed copy of the weights, which samples better than the last step's. */
function updateEMA(ema: UNet, model: UNet, decay: number): void {
  const live = model.parameters();
  noGrad(() => ema.parameters().forEach((p, i) => p.mul_(decay).add_(live[i]!.mul(1 - decay))));
}

/** Part 3: a DDPM with a U-Net on the 8×8 digits, and the reverse process from noise to digit. */
function digitsDiffusion(run: typeof FULL.digits, seed: number, outDir: string, generator: Generator): { measurements: Measurement[]; figures: string[] } {
  heading("3. A DDPM on the 8×8 digits, with a U-Net");
  const digits = data.loadDigits();
  const scaled = new data.TensorDataset(digits.images.div(8).sub(1), digits.target);   // pixels 0..16 → [−1, 1]
  const [train, test] = data.randomSplit(scaled, [0.8, 0.2], { generator: new Generator(seed) }); // the judge's split
  const loader = new data.DataLoader(train, { batchSize: run.batchSize, shuffle: true, dropLast: true, generator });
  const ddpm = new DDPM({ timesteps: run.timesteps, schedule: "cosine" });
  const options = { baseChannels: run.baseChannels, channelMultipliers: [1, 2] };
  const model = new UNet(options);
  const ema = new UNet(options);
  ema.loadStateDict(model.stateDict());
  const optimizer = new optim.Adam(model.parameters(), { lr: run.learningRate });
  // A linear warm-up, then a cosine decay to lr / 20.
  const learningRate = (step: number) => step < run.warmupSteps
    ? (run.learningRate * (step + 1)) / run.warmupSteps
    : run.learningRate * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * (step - run.warmupSteps)) / Math.max(1, run.steps - run.warmupSteps))));
  say(`${train.length} training digits; ${ddpm}; a U-Net of ${model.parameterCount().toLocaleString("en-US")} parameters ` +
    "(it sees the noisy image and t, and outputs an image of noise).");

  const losses: number[] = [];
  const progress = new ProgressBar(run.steps, { label: "train" });
  while (losses.length < run.steps) {
    for (const [x0] of loader) {
      if (losses.length === run.steps) break;
      for (const group of optimizer.paramGroups) group.lr = learningRate(losses.length);
      const loss = ddpm.loss(model, x0!, { generator });
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      updateEMA(ema, model, run.emaDecay);
      losses.push(loss.item());
      progress.tick(1, `loss ${loss.item().toFixed(3)}`);
    }
  }
  progress.finish();
  const window = Math.max(5, Math.floor(run.steps / 20));
  const [startLoss, endLoss] = firstAndLast(losses, window);
  say(`The loss fell from ${startLoss.toFixed(3)} to ${endLoss.toFixed(3)}.`);

  // The reverse process: keep x_t at a few steps to show the digit appearing.
  const keepSteps = [run.timesteps - 1, ...[0.8, 0.6, 0.4, 0.25, 0.15, 0.08].map((f) => Math.round(f * (run.timesteps - 1))), -1];
  say(`Generating ${run.samples} digits: ${run.timesteps} steps from noise, x̂_0 clamped to [−1, 1] at each.`);
  const sampling = new ProgressBar(run.timesteps, { label: "sample" });
  const { samples, snapshots } = reverseProcess(ddpm, ema, [run.samples, 1, 8, 8], { generator, keepSteps, clip: [-1, 1], onStep: () => sampling.tick() });
  sampling.finish();
  const images = samples.add(1).div(2).clamp(0, 1);                      // [−1, 1] → [0, 1]
  const strips: Tensor[] = [];
  const shown = Math.min(6, run.samples);
  for (let i = 0; i < shown; i++) for (const { x } of snapshots) strips.push(x.narrow(0, i, 1));
  const figures = [
    writeImageGrid(path.join(outDir, "generated-digits.png"), images.narrow(0, 0, Math.min(100, run.samples)), { columns: 10, scale: 4 }),
    writeImageGrid(path.join(outDir, "reverse-process.png"), cat(strips).clamp(-1, 1), { columns: snapshots.length, scale: 6, range: [-1, 1] }),
  ];
  say(`Generated digits: ${figures[0]}`);
  say(`The reverse process, one digit per row, steps t = ${snapshots.map((s) => (s.step < 0 ? "0 (done)" : s.step)).join(", ")}: ${figures[1]}`);

  // How good are they? Distance to the nearest training digit, and a digit classifier's confidence.
  const [trainImages] = train.getBatch(train.indices.map((_, i) => i)) as [Tensor, Tensor];
  const [testImages] = test.getBatch(test.indices.map((_, i) => i)) as [Tensor, Tensor];
  const flat = (t: Tensor) => t.reshape([t.shape[0]!, 64]);
  const generatedDistance = meanNearestDistance(flat(samples), flat(trainImages));
  const realDistance = meanNearestDistance(flat(testImages), flat(trainImages));
  const noiseDistance = meanNearestDistance(flat(rand([run.samples, 1, 8, 8], { generator }).mul(2).sub(1)), flat(trainImages));
  say(`Mean distance to the nearest training digit: generated ${generatedDistance.toFixed(2)}, real test digits ${realDistance.toFixed(2)}, uniform noise ${noiseDistance.toFixed(2)}.`);
  say(`A judge (an MLP digit classifier, ${run.judgeEpochs} epochs, trained to be unsure of non-digits) rates the samples...`);
  const judge = trainDigitsJudge({ seed, epochs: run.judgeEpochs });
  const verdict = judge.judge(images);
  const realConfidence = judge.judge(testImages.add(1).div(2)).meanMaxProbability;
  const classesSeen = verdict.classFractions.filter((f) => f >= 0.03).length;
  say(`Its mean confidence: ${verdict.meanMaxProbability.toFixed(3)} on the generated digits, ${realConfidence.toFixed(3)} on real ones; ` +
    `${classesSeen} of the 10 digits make up at least 3 % of the samples each.`);
  const full = run === FULL.digits;
  return {
    figures,
    measurements: [
      reported("digits: loss, first steps", startLoss),
      atMost("digits: loss, last / first steps", endLoss / startLoss, full ? 0.3 : 0.75),
      reported("digits: real test digits, distance to training digits", realDistance),
      reported("digits: uniform noise, distance to training digits", noiseDistance),
      full ? atMost("digits: generated / noise distance", generatedDistance / noiseDistance, 0.6)
        : reported("digits: generated / noise distance", generatedDistance / noiseDistance),
      reported("digits: judge's confidence on real test digits", realConfidence),
      full ? atLeast("digits: judge's confidence on generated digits", verdict.meanMaxProbability, 0.6)
        : reported("digits: judge's confidence on generated digits", verdict.meanMaxProbability),
      full ? atLeast("digits: classes with ≥ 3 % of the samples", classesSeen, 8) : reported("digits: classes with ≥ 3 % of the samples", classesSeen),
    ],
  };
}

const lesson: Lesson = {
  number: 8,
  slug: "diffusion-models",
  title: "Diffusion models",
  run({ quick, seed, outDir }) {
    const run = quick ? QUICK : FULL;
    const generator = new Generator(seed);
    say("A diffusion model learns to remove noise. Add noise to data until nothing is left; teach a network");
    say("to tell, from a noisy x_t and the step t, which noise was added; then start from pure noise and");
    say("remove it step by step: what remains is new data.");
    const noising = forwardProcess(outDir, generator);
    const points = pointsDiffusion(run.points, outDir, generator);
    const digits = digitsDiffusion(run.digits, seed, outDir, generator);
    const measurements = [...noising.measurements, ...points.measurements, ...digits.measurements];
    const value = (name: string) => measurements.find((m) => m.name === name)!.value;
    return {
      measurements,
      figures: [noising.figure, ...points.figures, ...digits.figures],
      summary: `DDPM samples land ${value("points: generated, distance to data").toFixed(3)} from the swiss roll (noise: ${value("points: pure noise, distance to data").toFixed(3)}); ` +
        `a judge gives generated digits ${value("digits: judge's confidence on generated digits").toFixed(2)} confidence (real: ${value("digits: judge's confidence on real test digits").toFixed(2)})`,
    };
  },
};

export default lesson;

runIfMain(lesson, import.meta.url);

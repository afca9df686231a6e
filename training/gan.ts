// A GAN on a ring of 8 Gaussians, the standard test of mode collapse.
//
// Data: 8 Gaussian modes, centres evenly spaced on a circle of radius 2
// (ringCenters(8, 2): the first at (2, 0)), each with standard deviation
// STD in both coordinates; every step draws a fresh batch with
// data.makeBlobs({ centers, clusterStd: STD }) (equal counts per mode).
// Model: GANGenerator { noiseDim: 8, hiddenSizes: [64, 64], outFeatures: 2 }
// (4,866 parameters) and GANDiscriminator { inFeatures: 2, hiddenSizes:
// [64, 64] } (4,417), as their PyTorch twins; Adam (betas (0.5, 0.999), the
// usual GAN setting) with lr 1e-3 decayed along a cosine to 5e-5 over the
// run (the decay stops the generator from hopping between modes at the end
// and sharpens the modes), batches of 128, STEPS steps of ganTrainingStep
// (one D update, then one G update).
//
// Evaluation on 10,000 generated samples: a sample belongs to a mode when it
// lies within 3σ of its centre (3·STD; for a 2-D Gaussian this disc holds
// 98.9 % of the mode's own samples), and a mode is covered when at least 1 %
// of all samples belong to it (an even spread gives 12.5 % each). Targets:
// ≥ 6 of the 8 modes covered, and ≥ 70 % of samples within 3σ of some mode.
// The same numbers for the untrained generator, and for real data, are the
// baselines. Figure: ring.png, 2-D histograms of real data (left) and
// generated samples (right) over [−2.6, 2.6]².

import path from "node:path";
import { Generator, data, optim, tensor, type Tensor } from "../src/index.ts";
import { GANDiscriminator, GANGenerator, ganTrainingStep, modeCoverage, ringCenters } from "../src/architectures/gan.ts";
import { writeImageGrid } from "../chapters/_kit/png.ts";
import { ProgressBar } from "../chapters/_kit/progress.ts";
import { atLeast, reported, type Trainer, type TrainOptions, type TrainResult } from "./types.ts";

const STD = 0.02;
const RADIUS = 2;
const STEPS = 6000;
const BATCH = 128;
const SAMPLES_EVALUATED = 10_000;

function train({ quick, seed, outDir }: TrainOptions): TrainResult {
  const steps = quick ? 50 : STEPS;
  const generator = new Generator(seed);
  const centers = ringCenters(8, RADIUS);
  const netG = new GANGenerator({ noiseDim: 8, hiddenSizes: [64, 64], outFeatures: 2 });
  const netD = new GANDiscriminator({ inFeatures: 2, hiddenSizes: [64, 64] });
  const optimizerG = new optim.Adam(netG.parameters(), { lr: 1e-3, betas: [0.5, 0.999] });
  const optimizerD = new optim.Adam(netD.parameters(), { lr: 1e-3, betas: [0.5, 0.999] });
  const schedulers = [optimizerG, optimizerD].map((optimizer) => new optim.lrScheduler.CosineAnnealingLR(optimizer, steps, { etaMin: 5e-5 }));
  const evaluate = (samples: Tensor) => modeCoverage(samples, centers, 3 * STD, { minFraction: 0.01 });
  const untrained = evaluate(netG.sample(SAMPLES_EVALUATED, { generator }));
  const [realSamples] = data.makeBlobs(SAMPLES_EVALUATED, { centers, clusterStd: STD, generator });
  const real = evaluate(realSamples);

  const progress = new ProgressBar(steps, { label: "GAN", unit: "steps" });
  for (let step = 0; step < steps; step++) {
    const [batch] = data.makeBlobs(BATCH, { centers, clusterStd: STD, generator });
    const losses = ganTrainingStep(netG, netD, batch, { optimizerG, optimizerD, generator });
    for (const scheduler of schedulers) scheduler.step();
    progress.tick(1, `D loss ${losses.discriminatorLoss.toFixed(3)} · G loss ${losses.generatorLoss.toFixed(3)}`);
  }
  progress.finish();

  const samples = netG.sample(SAMPLES_EVALUATED, { generator });
  const trained = evaluate(samples);
  const figure = writeImageGrid(path.join(outDir, "ring.png"), tensor([histogram(realSamples), histogram(samples)]).unsqueeze(1),
    { columns: 2, scale: 3 });
  return {
    measurements: [
      atLeast("modes covered (of 8)", trained.modesCovered, 6),
      atLeast("samples within 3σ of a mode (%)", 100 * trained.fractionNearAMode, 70),
      reported("baseline: modes covered by the untrained generator", untrained.modesCovered),
      reported("baseline: untrained samples within 3σ of a mode (%)", 100 * untrained.fractionNearAMode),
      reported("reference: real samples within 3σ of a mode (%)", 100 * real.fractionNearAMode),
    ],
    notes: [
      `ring of 8 Gaussians, radius ${RADIUS}, std ${STD}; a mode is covered by ≥ 1 % of the samples within 3σ = ${(3 * STD).toFixed(2)}`,
      `samples per mode (of ${SAMPLES_EVALUATED}), from angle 0 anticlockwise: ${trained.countsPerMode.join(", ")}`,
      `wrote ${figure}`,
    ],
  };
}

/** A 96×96 image of how many points fall in each cell of [−2.6, 2.6]², scaled so that the fullest cell is white (square root, to show sparse cells). */
function histogram(points: Tensor): number[][] {
  const size = 96, extent = 2.6;
  const counts = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  const values = points.contiguous().toTypedArray();
  for (let i = 0; i + 1 < values.length; i += 2) {
    const column = Math.floor(((Number(values[i]) + extent) / (2 * extent)) * size);
    const row = Math.floor(((extent - Number(values[i + 1])) / (2 * extent)) * size); // y up
    if (row >= 0 && row < size && column >= 0 && column < size) counts[row]![column]! += 1;
  }
  const most = Math.max(1, ...counts.flat());
  return counts.map((line) => line.map((count) => Math.sqrt(count / most)));
}

const trainer: Trainer = {
  description: `a GAN (MLP generator and discriminator) on a ring of 8 Gaussians (radius ${RADIUS}, std ${STD})`,
  train,
};
export default trainer;

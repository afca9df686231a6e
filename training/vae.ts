// A VAE on the 8×8 digits (pixels / 16, in [0, 1]), judged by a classifier.
//
// Data: the 1,797 digits split 80/20 by data.randomSplit with new
// Generator(seed) (seed 0 by default: 1,438 training and 359 test images).
// Model: VAE { inFeatures: 64, hiddenSizes: [256, 128], latentDim: 8 }
// (102,224 parameters, as its PyTorch twin), Bernoulli decoder, β = 1, Adam
// lr 1e-3, batches of 64, 50 epochs (quick: 2).
//
// Reported: the held-out negative ELBO (one z per image, in nats per image)
// beside two baselines, the untrained VAE and independent pixels at the
// training set's mean intensities; then 1,000 images decoded from z ~ N(0, I)
// are judged by trainDigitsJudge (a classifier trained on the same split that
// also learned to be unsure of non-digits). Target: its mean max-probability
// on the samples ≥ 0.6, with the fraction of samples given to each digit
// (every digit should appear). The judge's own test accuracy, and its
// confidence on real test digits and on blends of two digits, say how to read
// that number. Figures: samples.png (64 prior samples) and
// reconstructions.png (rows of 8 test digits, each above its reconstruction).

import path from "node:path";
import { Generator, cat, data, noGrad, optim, type Tensor } from "../src/index.ts";
import { VAE } from "../src/architectures/autoencoder.ts";
import { trainDigitsJudge } from "./digits-judge.ts";
import { writeImageGrid } from "../chapters/_kit/png.ts";
import { ProgressBar } from "../chapters/_kit/progress.ts";
import { atLeast, reported, type Trainer, type TrainOptions, type TrainResult } from "./types.ts";

const CONFIG = { inFeatures: 64, hiddenSizes: [256, 128], latentDim: 8 };
const SAMPLES_JUDGED = 1000;

function train({ quick, seed, outDir }: TrainOptions): TrainResult {
  const epochs = quick ? 2 : 50;
  const generator = new Generator(seed);
  const digits = data.loadDigits();
  const all = new data.TensorDataset(digits.data.div(16), digits.target);
  const [trainSet, testSet] = data.randomSplit(all, [0.8, 0.2], { generator: new Generator(seed) });
  const [xTrain] = trainSet.getBatch(trainSet.indices.map((_, i) => i));
  const [xTest] = testSet.getBatch(testSet.indices.map((_, i) => i));

  const model = new VAE(CONFIG);
  const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
  const loader = new data.DataLoader(trainSet, { batchSize: 64, shuffle: true, generator });
  // One fixed z per test image for every evaluation, so that numbers compare across epochs.
  const testNegativeElbo = () => noGrad(() => model.loss(xTest, { generator: new Generator(seed + 1) }));
  const untrained = testNegativeElbo().loss.item();

  const progress = new ProgressBar(epochs * loader.length, { label: "VAE", unit: "steps" });
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (const [x] of loader) {
      const { loss } = model.loss(x, { generator });
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      progress.tick(1, `epoch ${epoch + 1}/${epochs} · −ELBO ${loss.item().toFixed(2)}`);
    }
  }
  progress.finish();
  model.eval();
  const final = testNegativeElbo();

  console.log("training the judge (an MLP on the same training digits)…");
  const judge = trainDigitsJudge({ seed, epochs: quick ? 2 : 30 });
  const samples = model.sample(SAMPLES_JUDGED, { generator }).reshape([-1, 1, 8, 8]);
  const verdict = judge.judge(samples);
  const onRealDigits = judge.judge(xTest.reshape([-1, 1, 8, 8])).meanMaxProbability;
  const onUntrainedSamples = judge.judge(new VAE(CONFIG).sample(SAMPLES_JUDGED, { generator }).reshape([-1, 1, 8, 8])).meanMaxProbability;

  const files = [
    writeImageGrid(path.join(outDir, "samples.png"), samples.narrow(0, 0, 64), { columns: 8, scale: 4 }),
    writeImageGrid(path.join(outDir, "reconstructions.png"), originalsAboveReconstructions(model, xTest.narrow(0, 0, 32)), { columns: 8, scale: 4 }),
  ];
  const fractions = verdict.classFractions;
  return {
    measurements: [
      reported("test −ELBO (nats/image)", final.loss.item()),
      reported("  of which reconstruction", final.reconstruction.item()),
      reported("  of which KL", final.kl.item()),
      reported("baseline: test −ELBO of the untrained VAE", untrained),
      reported("baseline: independent pixels at the mean intensities", independentPixelsNll(xTrain, xTest)),
      reported("judge: test accuracy (%)", 100 * judge.testAccuracy),
      reported("judge: mean max-probability on real test digits", onRealDigits),
      reported("judge: mean max-probability on blends of two digits", judge.blendMeanMaxProbability),
      reported("judge: mean max-probability on untrained-VAE samples", onUntrainedSamples),
      atLeast("judge: mean max-probability on prior samples", verdict.meanMaxProbability, 0.6),
      reported("smallest fraction of samples judged as one digit", Math.min(...fractions)),
    ],
    notes: [
      `samples judged as each digit 0–9: ${fractions.map((f, digit) => `${digit}: ${(100 * f).toFixed(1)}%`).join(", ")}`,
      ...files.map((file) => `wrote ${file}`),
    ],
  };
}

/** −log-likelihood (nats per image) of the test digits under independent Bernoulli pixels at the training set's mean intensities. */
function independentPixelsNll(xTrain: Tensor, xTest: Tensor): number {
  const p = xTrain.mean(0).clamp(1e-6, 1 - 1e-6);
  return xTest.mul(p.log()).add(xTest.neg().add(1).mul(p.neg().add(1).log())).sum(1).mean().neg().item();
}

/** Images [2·n, 1, 8, 8]: for every 8 inputs, a row of originals then a row of their reconstructions sigmoid(decode(μ)). */
function originalsAboveReconstructions(model: VAE, x: Tensor): Tensor {
  const reconstructed = model.reconstruct(x);
  const rows: Tensor[] = [];
  for (let start = 0; start < x.shape[0]!; start += 8) rows.push(x.narrow(0, start, 8), reconstructed.narrow(0, start, 8));
  return cat(rows).reshape([-1, 1, 8, 8]);
}

const trainer: Trainer = {
  description: "a VAE (Bernoulli decoder, 8-d latent) on the 8×8 digits (80/20 split), prior samples judged by a classifier",
  train,
};
export default trainer;

// Autoencoder, VAE and GAN (src/architectures/autoencoder.ts, gan.ts): shapes,
// parameter counts and outputs against the PyTorch twins of
// test/fixtures/torch-arch/generative.json (written by
// scripts/torch-arch-generative.py), gradchecks in float64, the KL term
// against its closed form and a numerical integral, safetensors round trips,
// and short learning runs on the digits and on a few Gaussians.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Generator, data, deserialize, gradcheck, manualSeed, noGrad, optim, rand, randn, serialize, tensor } from "../../src/index.ts";
import { Autoencoder, VAE, klToStandardNormal, linearStack, type AutoencoderConfig, type VAEConfig } from "../../src/architectures/autoencoder.ts";
import {
  GANDiscriminator, GANGenerator, discriminatorLoss, ganTrainingStep, generatorLoss, modeCoverage, ringCenters,
  type GANDiscriminatorConfig, type GANGeneratorConfig,
} from "../../src/architectures/gan.ts";
import type { Module } from "../../src/nn/module.ts";
import { ReLU } from "../../src/nn/layers/activation.ts";
import { assertClose } from "../helpers/assert.ts";
import { decodeStateDict, readArchFixture } from "../helpers/torch-arch.ts";
import { decode, type Encoded } from "../helpers/torch-fixtures.ts";

type StateDictPairs = [string, Encoded][];

interface Fixture {
  autoencoder: {
    config: AutoencoderConfig; stateDict: StateDictPairs; input: Encoded; code: Encoded; output: Encoded;
    reconstructionError: Encoded; inputGrad: Encoded; paramGrads: Record<string, Encoded>;
  };
  vae: {
    config: VAEConfig; stateDict: StateDictPairs; input: Encoded; eps: Encoded; logits: Encoded; mu: Encoded; logvar: Encoded;
    loss: number; reconstruction: number; kl: number; lossBetaHalf: number; inputGrad: Encoded; paramGrads: Record<string, Encoded>;
  };
  gan: {
    generatorConfig: GANGeneratorConfig; discriminatorConfig: GANDiscriminatorConfig;
    generatorStateDict: StateDictPairs; discriminatorStateDict: StateDictPairs;
    noise: Encoded; real: Encoded; fake: Encoded; realLogits: Encoded; fakeLogits: Encoded;
    discriminatorLoss: number; generatorLoss: number; noiseGrad: Encoded;
  };
  fullParameterCounts: {
    config: { autoencoder: AutoencoderConfig; vae: VAEConfig; generator: GANGeneratorConfig; discriminator: GANDiscriminatorConfig };
    autoencoder: number; vae: number; generator: number; discriminator: number;
  };
}

const FIXTURE = readArchFixture<Fixture>("generative");
const EXACT = { atol: 1e-10, rtol: 0 };

/** A float64 copy of the model with the PyTorch weights, checking the state-dict keys and shapes first. */
function withTorchWeights<M extends Module>(model: M, pairs: StateDictPairs): M {
  model.double();
  const ours = model.stateDict();
  assert.deepEqual([...ours.keys()], pairs.map(([name]) => name), "state-dict keys, in PyTorch's order");
  for (const [name, encoded] of pairs) assert.deepEqual(ours.get(name)!.shape, encoded.shape, `shape of ${name}`);
  model.loadStateDict(decodeStateDict(pairs));
  return model;
}

function assertParameterGrads(model: Module, expected: Record<string, Encoded>): void {
  for (const [name, parameter] of model.namedParameters()) {
    assertClose(parameter.grad!, expected[name]!.values, { ...EXACT, message: `gradient of ${name}` });
  }
}

/** Saves the state dict as safetensors in memory and loads it into `fresh`. */
function roundTrip<M extends Module>(model: M, fresh: M): M {
  const bytes = serialize(model.stateDict());
  fresh.double().loadStateDict(deserialize(bytes).tensors);
  return fresh;
}

const digits = data.loadDigits();
const DIGIT_PIXELS = digits.data.div(16); // [1797, 64] in [0, 1]

describe("Autoencoder", () => {
  const fixture = FIXTURE.autoencoder;

  test("shapes: codes [N, latentDim], reconstructions [N, inFeatures], errors [N]", () => {
    const model = new Autoencoder({ inFeatures: 64, hiddenSizes: [32, 16], latentDim: 4, outputActivation: "sigmoid" });
    const x = rand([5, 64]);
    assert.deepEqual(model.encode(x).shape, [5, 4]);
    assert.deepEqual(model.decode(randn([3, 4])).shape, [3, 64]);
    const out = model.forward(x);
    assert.deepEqual(out.shape, [5, 64]);
    assert.ok(out.min().item() > 0 && out.max().item() < 1, "a sigmoid output lies in (0, 1)");
    assert.deepEqual(model.reconstructionError(x).shape, [5]);
  });

  test("no hidden layers and no output activation: a linear autoencoder whose output is unbounded", () => {
    const model = new Autoencoder({ inFeatures: 3, hiddenSizes: [], latentDim: 2 });
    assert.deepEqual([...model.stateDict().keys()], ["encoder.0.weight", "encoder.0.bias", "decoder.0.weight", "decoder.0.bias"]);
    assert.equal(model.config.outputActivation, null);
    const out = model.forward(randn([50, 3]).mul(10));
    assert.ok(out.abs().max().item() > 1);
  });

  test("bad configs and inputs are refused", () => {
    assert.throws(() => new Autoencoder({ inFeatures: 0, hiddenSizes: [], latentDim: 2 }), /inFeatures must be a positive integer/);
    assert.throws(() => new Autoencoder({ inFeatures: 4, hiddenSizes: [3.5], latentDim: 2 }), /hiddenSizes must be positive integers/);
    const model = new Autoencoder({ inFeatures: 4, hiddenSizes: [3], latentDim: 2 });
    assert.throws(() => model.forward(rand([2, 1, 2, 2])), /expected inputs \[N, 4\], got \[2, 1, 2, 2\]/);
  });

  test(`the digits config has PyTorch's parameter count (${FIXTURE.fullParameterCounts.autoencoder})`, () => {
    const model = new Autoencoder(FIXTURE.fullParameterCounts.config.autoencoder);
    assert.equal(model.parameterCount(), FIXTURE.fullParameterCounts.autoencoder);
    assert.equal(model.parameterCount(), 34_248);
  });

  test("equals PyTorch with the same weights: code, output, errors and gradients", () => {
    const model = withTorchWeights(new Autoencoder(fixture.config), fixture.stateDict);
    const x = decode(fixture.input, true);
    assertClose(model.encode(x), fixture.code.values, { ...EXACT, message: "code" });
    assertClose(model.forward(x), fixture.output.values, { ...EXACT, message: "output" });
    const error = model.reconstructionError(x);
    assertClose(error, fixture.reconstructionError.values, { ...EXACT, message: "reconstruction error" });
    error.mean().backward();
    assertClose(x.grad!, fixture.inputGrad.values, { ...EXACT, message: "gradient of the input" });
    assertParameterGrads(model, fixture.paramGrads);
  });

  test("gradcheck (float64) with respect to the input and every parameter", () => {
    const model = new Autoencoder({ inFeatures: 4, hiddenSizes: [3], latentDim: 2, outputActivation: "sigmoid" }).double();
    const x = rand([3, 4], { dtype: "float64", generator: new Generator(1), requiresGrad: true });
    gradcheck(() => model.reconstructionError(x), [x, ...model.parameters()]);
  });

  test("state dict round trip through safetensors gives the same output", () => {
    const config = { inFeatures: 6, hiddenSizes: [5], latentDim: 2, outputActivation: "sigmoid" } as const;
    const model = new Autoencoder(config).double();
    const copy = roundTrip(model, new Autoencoder(config));
    const x = rand([3, 6], { dtype: "float64" });
    assertClose(copy.forward(x), model.forward(x).tolist(), { atol: 0, rtol: 0 });
  });

  test("learns the digits: reconstruction error far below that of the mean image", () => {
    manualSeed(0);
    const generator = new Generator(0);
    const [train, test] = data.randomSplit(new data.TensorDataset(DIGIT_PIXELS), [0.8, 0.2], { generator });
    const [xTrain] = train.getBatch(train.indices.map((_, i) => i));
    const [xTest] = test.getBatch(test.indices.map((_, i) => i));
    const meanImageError = xTest.sub(xTrain.mean(0)).square().mean().item();
    const model = new Autoencoder({ inFeatures: 64, hiddenSizes: [64], latentDim: 8, outputActivation: "sigmoid" });
    const optimizer = new optim.Adam(model.parameters(), { lr: 3e-3 });
    const before = noGrad(() => model.reconstructionError(xTest).mean().item());
    for (let epoch = 0; epoch < 15; epoch++) {
      for (const [x] of new data.DataLoader(train, { batchSize: 64, shuffle: true, generator })) {
        const loss = model.reconstructionError(x!).mean();
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
      }
    }
    const after = noGrad(() => model.reconstructionError(xTest).mean().item());
    // Measured: the trained error is about 29 % of the mean image's.
    assert.ok(before > meanImageError, `untrained ${before} vs mean image ${meanImageError}`);
    assert.ok(after < 0.45 * meanImageError, `test error ${after.toFixed(4)} should be < 45 % of the mean image's ${meanImageError.toFixed(4)}`);
  });
});

describe("VAE", () => {
  const fixture = FIXTURE.vae;

  test("shapes: (μ, log σ²) [N, latentDim], logits [N, inFeatures], samples in [0, 1]", () => {
    const model = new VAE({ inFeatures: 64, hiddenSizes: [32], latentDim: 3 });
    const x = rand([5, 64]);
    const [mu, logvar] = model.encode(x);
    assert.deepEqual(mu.shape, [5, 3]);
    assert.deepEqual(logvar.shape, [5, 3]);
    const [logits, mu2] = model.forward(x, { generator: new Generator(0) });
    assert.deepEqual(logits.shape, [5, 64]);
    assert.deepEqual(mu2.tolist(), mu.tolist());
    const reconstruction = model.reconstruct(x);
    assert.deepEqual(reconstruction.shape, [5, 64]);
    assert.equal(reconstruction.requiresGrad, false);
    const samples = model.sample(7, { generator: new Generator(3) });
    assert.deepEqual(samples.shape, [7, 64]);
    assert.ok(samples.min().item() >= 0 && samples.max().item() <= 1);
    assert.deepEqual(samples.tolist(), model.sample(7, { generator: new Generator(3) }).tolist(), "same generator seed, same samples");
    const { loss, reconstruction: rec, kl } = model.loss(x);
    for (const term of [loss, rec, kl]) assert.deepEqual(term.shape, []);
  });

  test("no hidden layers: the heads read the input directly", () => {
    const model = new VAE({ inFeatures: 4, hiddenSizes: [], latentDim: 2 });
    assert.deepEqual([...model.stateDict().keys()],
      ["fc_mu.weight", "fc_mu.bias", "fc_logvar.weight", "fc_logvar.bias", "decoder.0.weight", "decoder.0.bias"]);
    assert.deepEqual(model.forward(rand([3, 4]))[0].shape, [3, 4]);
  });

  test("bad configs and inputs are refused", () => {
    assert.throws(() => new VAE({ inFeatures: 4, hiddenSizes: [3], latentDim: 0 }), /latentDim must be a positive integer/);
    assert.throws(() => new VAE({ inFeatures: 4, hiddenSizes: [3], latentDim: 2, beta: -1 }), /beta must be a finite number ≥ 0/);
    const model = new VAE({ inFeatures: 4, hiddenSizes: [3], latentDim: 2 });
    assert.throws(() => model.encode(rand([4])), /expected inputs \[N, 4\]/);
    assert.throws(() => model.forward(rand([2, 4]), { eps: rand([2, 3]) }), /eps has shape \[2, 3\], μ has \[2, 2\]/);
    assert.throws(() => model.sample(0), /n must be a positive integer/);
  });

  test(`the digits config has PyTorch's parameter count (${FIXTURE.fullParameterCounts.vae})`, () => {
    const model = new VAE(FIXTURE.fullParameterCounts.config.vae);
    assert.equal(model.parameterCount(), FIXTURE.fullParameterCounts.vae);
    assert.equal(model.parameterCount(), 102_224);
  });

  test("equals PyTorch with the same weights and ε: μ, log σ², logits, the three loss terms and gradients", () => {
    const model = withTorchWeights(new VAE(fixture.config), fixture.stateDict);
    const x = decode(fixture.input, true);
    const eps = decode(fixture.eps);
    const [logits, mu, logvar] = model.forward(x, { eps });
    assertClose(mu, fixture.mu.values, { ...EXACT, message: "μ" });
    assertClose(logvar, fixture.logvar.values, { ...EXACT, message: "log σ²" });
    assertClose(logits, fixture.logits.values, { ...EXACT, message: "logits" });
    const { loss, reconstruction, kl } = model.loss(x, { eps });
    assertClose(reconstruction, fixture.reconstruction, { ...EXACT, message: "reconstruction" });
    assertClose(kl, fixture.kl, { ...EXACT, message: "kl" });
    assertClose(loss, fixture.loss, { ...EXACT, message: "loss" });
    assertClose(model.loss(x, { eps, beta: 0.5 }).loss, fixture.lossBetaHalf, { ...EXACT, message: "loss with β = 0.5" });
    loss.backward();
    assertClose(x.grad!, fixture.inputGrad.values, { ...EXACT, message: "gradient of the input" });
    assertParameterGrads(model, fixture.paramGrads);
  });

  test("the β of the config weighs the KL term", () => {
    const model = withTorchWeights(new VAE({ ...fixture.config, beta: 0.5 }), fixture.stateDict);
    assertClose(model.loss(decode(fixture.input), { eps: decode(fixture.eps) }).loss, fixture.lossBetaHalf, EXACT);
  });

  test("KL(N(μ, σ²) ‖ N(0, 1)) against its closed form for known μ, log σ²", () => {
    // ½ Σ (μ² + σ² − 1 − log σ²): 0 for the prior itself; row 2: ½[(1 + 4 − 1 − log 4) + (4 + 1 − 1 − 0)] = 4 − log 2
    const mu = tensor([[0, 0], [1, 2], [0, -3]], { dtype: "float64" });
    const logvar = tensor([[0, 0], [Math.log(4), 0], [-2, 1]], { dtype: "float64" });
    const expected = [0, 4 - Math.log(2), 0.5 * ((Math.exp(-2) - 1 + 2) + (9 + Math.E - 1 - 1))];
    assertClose(klToStandardNormal(mu, logvar), expected, { atol: 1e-14, rtol: 0 });
  });

  test("KL against a numerical integral of q log(q / p) in one dimension", () => {
    const [m, logVariance] = [0.7, -0.9];
    const s = Math.exp(0.5 * logVariance);
    const density = (z: number, mean: number, std: number) => Math.exp(-0.5 * ((z - mean) / std) ** 2) / (std * Math.sqrt(2 * Math.PI));
    let integral = 0;
    const step = 1e-3;
    for (let z = m - 12 * s; z <= m + 12 * s; z += step) {
      const q = density(z, m, s);
      integral += q * Math.log(q / density(z, 0, 1)) * step;
    }
    const kl = klToStandardNormal(tensor([[m]], { dtype: "float64" }), tensor([[logVariance]], { dtype: "float64" })).item();
    assert.ok(Math.abs(kl - integral) < 1e-6, `closed form ${kl}, integral ${integral}`);
  });

  test("gradcheck (float64) of the loss with respect to every parameter, ε fixed", () => {
    const model = new VAE({ inFeatures: 4, hiddenSizes: [3], latentDim: 2 }).double();
    const generator = new Generator(2);
    const x = rand([3, 4], { dtype: "float64", generator });
    const eps = randn([3, 2], { dtype: "float64", generator });
    gradcheck(() => model.loss(x, { eps }).loss, model.parameters());
  });

  test("state dict round trip through safetensors gives the same loss", () => {
    const config = { inFeatures: 6, hiddenSizes: [4], latentDim: 2 };
    const model = new VAE(config).double();
    const copy = roundTrip(model, new VAE(config));
    const x = rand([3, 6], { dtype: "float64" });
    const eps = randn([3, 2], { dtype: "float64" });
    assert.equal(copy.loss(x, { eps }).loss.item(), model.loss(x, { eps }).loss.item());
  });

  test("learns the digits: the held-out negative ELBO falls clearly, below that of independent pixels", () => {
    manualSeed(0);
    const generator = new Generator(0);
    const [train, test] = data.randomSplit(new data.TensorDataset(DIGIT_PIXELS), [0.8, 0.2], { generator });
    const [xTrain] = train.getBatch(train.indices.map((_, i) => i));
    const [xTest] = test.getBatch(test.indices.map((_, i) => i));
    // The best model that ignores the image: independent Bernoulli pixels at the training set's mean intensities (≈ 27 nats).
    const p = xTrain.mean(0).clamp(1e-6, 1 - 1e-6);
    const independentPixels = xTest.mul(p.log()).add(xTest.neg().add(1).mul(p.neg().add(1).log())).sum(1).mean().neg().item();
    const model = new VAE({ inFeatures: 64, hiddenSizes: [64], latentDim: 4 });
    const optimizer = new optim.Adam(model.parameters(), { lr: 3e-3 });
    const evaluate = () => noGrad(() => model.loss(xTest, { generator: new Generator(1) }));
    const before = evaluate().loss.item();
    for (let epoch = 0; epoch < 10; epoch++) {
      for (const [x] of new data.DataLoader(train, { batchSize: 64, shuffle: true, generator })) {
        const { loss } = model.loss(x!, { generator });
        optimizer.zeroGrad();
        loss.backward();
        optimizer.step();
      }
    }
    const { loss, kl } = evaluate();
    const after = loss.item();
    // Measured: about 44.5 nats per image untrained, 25.2 after 10 epochs, with a KL of about 2.5 nats.
    assert.ok(before > independentPixels + 10, `untrained −ELBO ${before}`);
    assert.ok(after < independentPixels - 1,
      `trained −ELBO ${after.toFixed(2)} should be 1 nat below independent pixels' ${independentPixels.toFixed(2)} (untrained ${before.toFixed(2)})`);
    assert.ok(kl.item() > 1, `the codes should carry information about the images: KL ${kl.item().toFixed(2)} nats`);
  });
});

describe("GAN", () => {
  const fixture = FIXTURE.gan;

  test("shapes: noise [N, noiseDim] → samples [N, outFeatures] → logits [N, 1]", () => {
    const netG = new GANGenerator({ noiseDim: 3, hiddenSizes: [8], outFeatures: 2 });
    const netD = new GANDiscriminator({ inFeatures: 2, hiddenSizes: [8, 8] });
    const z = netG.sampleNoise(5, { generator: new Generator(0) });
    assert.deepEqual(z.shape, [5, 3]);
    const fake = netG.forward(z);
    assert.deepEqual(fake.shape, [5, 2]);
    assert.deepEqual(netD.forward(fake).shape, [5, 1]);
    const samples = netG.sample(4, { generator: new Generator(0) });
    assert.equal(samples.requiresGrad, false);
    assert.deepEqual(samples.tolist(), fake.narrow(0, 0, 4).tolist(), "sample draws the noise the same way");
    assert.equal(netD.config.negativeSlope, 0.2);
  });

  test("output activations bound the samples", () => {
    const tanhG = new GANGenerator({ noiseDim: 2, hiddenSizes: [4], outFeatures: 3, outputActivation: "tanh" });
    const sigmoidG = new GANGenerator({ noiseDim: 2, hiddenSizes: [4], outFeatures: 3, outputActivation: "sigmoid" });
    assert.ok(tanhG.sample(20).abs().max().item() < 1);
    const s = sigmoidG.sample(20);
    assert.ok(s.min().item() > 0 && s.max().item() < 1);
    assert.deepEqual([...tanhG.stateDict().keys()], ["net.0.weight", "net.0.bias", "net.2.weight", "net.2.bias"]);
  });

  test("bad configs and inputs are refused", () => {
    assert.throws(() => new GANGenerator({ noiseDim: 0, hiddenSizes: [], outFeatures: 2 }), /noiseDim must be a positive integer/);
    assert.throws(() => new GANDiscriminator({ inFeatures: 2, hiddenSizes: [-1] }), /hiddenSizes must be positive integers/);
    const netG = new GANGenerator({ noiseDim: 3, hiddenSizes: [4], outFeatures: 2 });
    assert.throws(() => netG.forward(rand([2, 2])), /expected noise \[N, 3\]/);
    assert.throws(() => netG.sampleNoise(0), /n must be a positive integer/);
    assert.throws(() => new GANDiscriminator({ inFeatures: 2, hiddenSizes: [4] }).forward(rand([2, 3])), /expected samples \[N, 2\]/);
  });

  test(`the ring configs have PyTorch's parameter counts (${FIXTURE.fullParameterCounts.generator} and ${FIXTURE.fullParameterCounts.discriminator})`, () => {
    const { config } = FIXTURE.fullParameterCounts;
    assert.equal(new GANGenerator(config.generator).parameterCount(), FIXTURE.fullParameterCounts.generator);
    assert.equal(new GANDiscriminator(config.discriminator).parameterCount(), FIXTURE.fullParameterCounts.discriminator);
  });

  test("equals PyTorch with the same weights: samples, logits, both losses, gradient of the noise", () => {
    const netG = withTorchWeights(new GANGenerator(fixture.generatorConfig), fixture.generatorStateDict);
    const netD = withTorchWeights(new GANDiscriminator(fixture.discriminatorConfig), fixture.discriminatorStateDict);
    const z = decode(fixture.noise, true);
    const fake = netG.forward(z);
    assertClose(fake, fixture.fake.values, { ...EXACT, message: "G(z)" });
    const realLogits = netD.forward(decode(fixture.real));
    const fakeLogits = netD.forward(fake);
    assertClose(realLogits, fixture.realLogits.values, { ...EXACT, message: "D(x)" });
    assertClose(fakeLogits, fixture.fakeLogits.values, { ...EXACT, message: "D(G(z))" });
    assertClose(discriminatorLoss(realLogits, fakeLogits), fixture.discriminatorLoss, { ...EXACT, message: "discriminator loss" });
    const lossG = generatorLoss(fakeLogits);
    assertClose(lossG, fixture.generatorLoss, { ...EXACT, message: "generator loss" });
    lossG.backward();
    assertClose(z.grad!, fixture.noiseGrad.values, { ...EXACT, message: "gradient of the noise" });
  });

  test("the losses are −log D(x) − log(1 − D(G(z))) and −log D(G(z)), averaged", () => {
    const real = tensor([[0], [2]], { dtype: "float64" }), fake = tensor([[-1], [1]], { dtype: "float64" });
    const p = (l: number) => 1 / (1 + Math.exp(-l));
    const mean = (values: number[]) => values.reduce((a, b) => a + b) / values.length;
    const expectedD = mean([0, 2].map((l) => -Math.log(p(l)))) + mean([-1, 1].map((l) => -Math.log(1 - p(l))));
    assertClose(discriminatorLoss(real, fake), expectedD, { atol: 1e-14, rtol: 0 });
    assertClose(generatorLoss(fake), mean([-1, 1].map((l) => -Math.log(p(l)))), { atol: 1e-14, rtol: 0 });
  });

  test("gradcheck (float64): G with respect to the noise and its parameters, D with respect to the input and its parameters", () => {
    const generator = new Generator(4);
    const netG = new GANGenerator({ noiseDim: 3, hiddenSizes: [4], outFeatures: 2, outputActivation: "tanh" }).double();
    const netD = new GANDiscriminator({ inFeatures: 2, hiddenSizes: [4] }).double();
    const z = randn([3, 3], { dtype: "float64", generator, requiresGrad: true });
    const x = randn([3, 2], { dtype: "float64", generator, requiresGrad: true });
    gradcheck(() => netG.forward(z), [z, ...netG.parameters()]);
    gradcheck(() => netD.forward(x), [x, ...netD.parameters()]);
    gradcheck(() => generatorLoss(netD.forward(netG.forward(z))), [z, ...netG.parameters()]);
  });

  test("state dict round trip through safetensors gives the same samples and verdicts", () => {
    const netG = new GANGenerator({ noiseDim: 3, hiddenSizes: [5], outFeatures: 2 }).double();
    const netD = new GANDiscriminator({ inFeatures: 2, hiddenSizes: [5] }).double();
    const copyG = roundTrip(netG, new GANGenerator(netG.config));
    const copyD = roundTrip(netD, new GANDiscriminator(netD.config));
    const z = randn([4, 3], { dtype: "float64" });
    assert.deepEqual(copyG.forward(z).tolist(), netG.forward(z).tolist());
    assert.deepEqual(copyD.forward(netG.forward(z)).tolist(), netD.forward(netG.forward(z)).tolist());
  });

  test("ringCenters and modeCoverage count samples near each mode", () => {
    const centers = ringCenters(4, 2);
    assertClose(tensor(centers), [[2, 0], [0, 2], [-2, 0], [0, -2]], { atol: 1e-12, rtol: 0 });
    const samples = tensor([[2, 0.05], [1.9, 0], [0, 2.1], [0, 0], [-2, 0.3]]);
    const coverage = modeCoverage(samples, centers, 0.2, { minFraction: 0.3 });
    assert.deepEqual(coverage.countsPerMode, [2, 1, 0, 0]);
    assert.equal(coverage.fractionNearAMode, 3 / 5);
    assert.equal(coverage.modesCovered, 1, "only the first mode holds ≥ 30 % of the samples");
    assert.throws(() => modeCoverage(tensor([[1, 2, 3]]), centers, 0.2), /expected samples \[N, D\]/);
  });

  test("learns two Gaussians: both modes covered, where the untrained generator covers none", () => {
    manualSeed(0);
    const generator = new Generator(0);
    const centers = ringCenters(2, 1), std = 0.15; // modes at (1, 0) and (−1, 0)
    const netG = new GANGenerator({ noiseDim: 4, hiddenSizes: [32, 32], outFeatures: 2 });
    const netD = new GANDiscriminator({ inFeatures: 2, hiddenSizes: [32, 32] });
    const optimizerG = new optim.Adam(netG.parameters(), { lr: 1e-3, betas: [0.5, 0.999] });
    const optimizerD = new optim.Adam(netD.parameters(), { lr: 1e-3, betas: [0.5, 0.999] });
    const coverage = () => modeCoverage(netG.sample(1000, { generator }), centers, 3 * std, { minFraction: 0.05 });
    const before = coverage();
    const losses = [];
    for (let step = 0; step < 300; step++) {
      const [real] = data.makeBlobs(128, { centers, clusterStd: std, generator });
      losses.push(ganTrainingStep(netG, netD, real, { optimizerG, optimizerD, generator }));
    }
    const after = coverage();
    // Measured: no sample near a mode at first; after 300 steps both modes, with about 75 % of the samples within 3σ.
    assert.ok(losses.every((l) => Number.isFinite(l.discriminatorLoss) && Number.isFinite(l.generatorLoss)));
    assert.equal(before.modesCovered, 0, `untrained: ${before.countsPerMode.join(", ")} of 1000 samples near the modes`);
    assert.equal(after.modesCovered, 2, `trained: ${after.countsPerMode.join(", ")} of 1000 samples near the modes`);
    assert.ok(after.fractionNearAMode > 0.4, `fraction of samples within 3σ of a mode: ${after.fractionNearAMode}`);
  });
});

test("linearStack puts the activations between the Linears (and after the last one on request)", () => {
  assert.deepEqual([...linearStack([3, 4, 2], () => new ReLU()).namedChildren()].map(([name, m]) => `${name}:${m.constructor.name}`),
    ["0:Linear", "1:ReLU", "2:Linear"]);
  assert.equal(linearStack([3, 4], () => new ReLU(), { activationAfterLast: true }).length, 2);
});

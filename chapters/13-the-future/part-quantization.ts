// Part (a) of the lesson: on-device AI. Train an MLP on the 8×8 digits in
// float32, store it in int8, and measure what that costs and saves: bytes,
// speed, accuracy.

import path from "node:path";
import { F, Generator, data, noGrad, optim, type Tensor } from "../../src/index.ts";
import { MLP } from "../../src/architectures/mlp.ts";
import { Linear } from "../../src/nn/layers/linear.ts";
import { ProgressBar, atLeast, atMost, heading, reported, say, type LessonOptions, type Measurement } from "../_kit/index.ts";
import { QuantizedMLP, argmaxRows, float32Bytes, float32MLPForward, quantizePerRow, dequantize } from "./quantize.ts";
import { histogram } from "../_kit/svg.ts";

export interface PartResult {
  measurements: Measurement[];
  figures: string[];
  headline: string;
}

/** The 80/20 split of the digits used by training/mlp.ts: the same 359 test digits whatever the seed. */
export function digitSplit(): { xTrain: Tensor; yTrain: Tensor; xTest: Tensor; yTest: Tensor; trainSet: data.Dataset<[Tensor, Tensor]> } {
  const digits = data.loadDigits();
  const all = new data.TensorDataset(digits.data.div(16), digits.target);
  const [trainSet, testSet] = data.randomSplit(all, [0.8, 0.2], { generator: new Generator(0) });
  const [xTrain, yTrain] = trainSet.getBatch(trainSet.indices.map((_, i) => i));
  const [xTest, yTest] = testSet.getBatch(testSet.indices.map((_, i) => i));
  return { xTrain, yTrain, xTest, yTest, trainSet };
}

export function runQuantization({ quick, seed, outDir }: LessonOptions): PartResult {
  heading("(a) On-device AI: the same network in int8");
  say("Phones, watches and microcontrollers run networks with little memory and no big GPU.");
  say("The usual trick is to store each weight in 8 bits instead of 32: int8 quantization.");
  const { xTest, yTest, trainSet } = digitSplit();
  say(`First we train a float32 MLP (64 → 128 → 64 → 10, ReLU) on ${trainSet.length} digits and test it on ${xTest.shape[0]}.`);

  const model = new MLP({ inFeatures: 64, hiddenSizes: [128, 64], outFeatures: 10, activation: "relu" });
  const epochs = quick ? 8 : 40;
  const loader = new data.DataLoader(trainSet, { batchSize: 64, shuffle: true, generator: new Generator(seed) });
  const optimizer = new optim.AdamW(model.parameters(), { lr: 3e-3, weightDecay: 0.01 });
  const scheduler = new optim.lrScheduler.OneCycleLR(optimizer, 3e-3, { totalSteps: epochs * loader.length });
  const progress = new ProgressBar(epochs * loader.length, { label: "float32 MLP" });
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

  const linears = [...model.children()].filter((layer): layer is Linear => layer instanceof Linear);
  const n = xTest.shape[0]!;
  const inputs = xTest.contiguous().toTypedArray() as Float32Array;
  const labels = yTest.toTypedArray() as Int32Array;
  const accuracyOf = (predicted: Int32Array): number => (100 * predicted.filter((p, i) => p === labels[i]).length) / n;

  const floatAccuracy = accuracyOf(noGrad(() => model.forward(xTest).argmax(1).toTypedArray() as Int32Array));
  const quantized = new QuantizedMLP(linears);
  const weightOnlyAccuracy = accuracyOf(argmaxRows(quantized.forward(inputs, n, "weights"), n, 10));
  const dynamicAccuracy = accuracyOf(argmaxRows(quantized.forward(inputs, n, "dynamic"), n, 10));
  const floatBytes = float32Bytes(linears), int8Bytes = quantized.bytes;

  // The rounding error of the weights: |w − scale·q| ≤ scale/2 for every weight.
  const first = linears[0]!;
  const w = first.weight.contiguous().toTypedArray() as Float32Array;
  const restored = dequantize(quantizePerRow(w, first.outFeatures, first.inFeatures));
  const errors = Array.from(w, (v, i) => v - restored[i]!);
  const maxError = Math.max(...errors.map(Math.abs)), largestWeight = Math.max(...Array.from(w, Math.abs));

  say(`Each row of each weight matrix gets its own scale = max|w| / 127, and each weight becomes round(w / scale), an integer in [−127, 127].`);
  say(`Size: ${floatBytes.toLocaleString("en")} bytes in float32 → ${int8Bytes.toLocaleString("en")} bytes in int8 (weights 1 byte each, plus a float32 scale per row and the biases): ${(floatBytes / int8Bytes).toFixed(1)}× smaller.`);
  say(`The largest rounding error in the first layer is ${maxError.toExponential(2)}, against weights up to ${largestWeight.toFixed(3)}.`);
  say(`Test accuracy: float32 ${floatAccuracy.toFixed(1)} %, int8 weights ${weightOnlyAccuracy.toFixed(1)} %, int8 weights and activations (int32 sums) ${dynamicAccuracy.toFixed(1)} %.`);

  // Speed: the same loops in float32 and int8, timed over several passes of the test set (JavaScript has no
  // int8 SIMD here, so the gain on a phone's integer units is larger than what this measures).
  const repeats = quick ? 3 : 20;
  const time = (run: () => unknown): number => {
    run(); // warm-up: let the JIT compile the loop
    const started = performance.now();
    for (let r = 0; r < repeats; r++) run();
    return (performance.now() - started) / repeats / n * 1e3; // µs per image
  };
  const floatMicros = time(() => float32MLPForward(linears, inputs, n));
  const weightOnlyMicros = time(() => quantized.forward(inputs, n, "weights"));
  const dynamicMicros = time(() => quantized.forward(inputs, n, "dynamic"));
  say(`Speed per image (plain loops, one thread): float32 ${floatMicros.toFixed(1)} µs, int8 weights ${weightOnlyMicros.toFixed(1)} µs, int8 weights and activations ${dynamicMicros.toFixed(1)} µs.`);

  const figure = histogram(path.join(outDir, "quantization-error.svg"), [{ name: "w − scale·q, first layer", values: errors }],
    { title: "Rounding error of int8 weights (first layer)", xLabel: "error", bins: 40 });

  const drop = floatAccuracy - dynamicAccuracy;
  return {
    measurements: [
      atLeast("float32 MLP test accuracy (%)", floatAccuracy, quick ? 85 : 96),
      reported("int8 weights test accuracy (%)", weightOnlyAccuracy),
      reported("int8 weights + activations test accuracy (%)", dynamicAccuracy),
      atMost("accuracy drop, float32 → int8 weights + activations (points)", drop, 2),
      atMost("accuracy drop, float32 → int8 weights (points)", floatAccuracy - weightOnlyAccuracy, 2),
      reported("float32 model size (bytes)", floatBytes),
      reported("int8 model size (bytes)", int8Bytes),
      atLeast("size reduction (×)", floatBytes / int8Bytes, 3.5),
      reported("float32 loop speed (µs per image)", floatMicros),
      reported("int8 weights loop speed (µs per image)", weightOnlyMicros),
      reported("int8 weights + activations loop speed (µs per image)", dynamicMicros),
    ],
    figures: [figure],
    headline: `int8 MLP ${dynamicAccuracy.toFixed(1)} % vs float32 ${floatAccuracy.toFixed(1)} % at ${(floatBytes / int8Bytes).toFixed(1)}× smaller`,
  };
}

// Part (b) of the lesson: multimodal. A tiny CLIP learns one space for
// pictures of digits and the words that name them ("seven"), from pairs
// alone, then classifies test images by which word is nearest.

import path from "node:path";
import { Generator, noGrad, optim, tensor, type Tensor } from "../../src/index.ts";
import { MLP } from "../../src/architectures/mlp.ts";
import { Parameter } from "../../src/nn/parameter.ts";
import { ProgressBar, atLeast, heading, reported, say, type LessonOptions } from "../_kit/index.ts";
import { heatmap } from "../_kit/svg.ts";
import { BigramTextEncoder, similarityLogits, symmetricInfoNCE } from "./contrastive.ts";
import { digitSplit, type PartResult } from "./part-quantization.ts";

export const DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"] as const;
const EMBEDDING = 32;

export function runMultimodal({ quick, seed, outDir }: LessonOptions): PartResult {
  heading("(b) Multimodal: images and words in one space (a tiny CLIP)");
  say("CLIP learns from (image, caption) pairs. Two encoders, one per kind of input, map both into the same");
  say("space, and training pulls each image towards its own caption and away from the other captions in the batch.");
  const { xTrain, yTrain, xTest, yTest } = digitSplit();

  const imageEncoder = new MLP({ inFeatures: 64, hiddenSizes: [128], outFeatures: EMBEDDING, activation: "relu" });
  const textEncoder = new BigramTextEncoder(DIGIT_WORDS, 32, EMBEDDING);
  const logitScale = new Parameter(tensor([Math.log(1 / 0.07)])); // log(1/τ), learned as in CLIP, starting at τ = 0.07
  say(`Image encoder: an MLP 64 → 128 → ${EMBEDDING}. Text encoder: the mean of character-bigram vectors ("^s", "se", "ev"…) → Linear → ${EMBEDDING}.`);
  say("It never sees a class number: only pictures and the spelling of words.");

  // Each batch holds one image of every digit, in a random order, with its word as the caption, so that
  // the diagonal pairs are the only right answers (two images of a 7 in one batch would share a caption).
  const byClass = Array.from({ length: 10 }, () => [] as number[]);
  (yTrain.toTypedArray() as Int32Array).forEach((label, i) => byClass[label]!.push(i));
  const generator = new Generator(seed + 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(generator.random() * items.length)]!;
  const steps = quick ? 300 : 3000;
  const parameters = [...imageEncoder.parameters(), ...textEncoder.parameters(), logitScale];
  const optimizer = new optim.Adam(parameters, { lr: 3e-3 });
  const progress = new ProgressBar(steps, { label: "contrastive" });
  for (let s = 0; s < steps; s++) {
    const order = Array.from({ length: 10 }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(generator.random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const images = xTrain.indexSelect(0, tensor(Int32Array.from(order.map((c) => pick(byClass[c]!)))));
    const loss = symmetricInfoNCE(imageEncoder.forward(images), textEncoder.forwardTexts(order.map((c) => DIGIT_WORDS[c]!)), logitScale.exp());
    optimizer.zeroGrad();
    loss.backward();
    optimizer.step();
    noGrad(() => logitScale.copy_(logitScale.clamp(0, Math.log(100)))); // CLIP caps 1/τ at 100
    progress.tick(1, `loss ${loss.item().toFixed(3)}`);
  }
  progress.finish();

  // Zero-shot-style classification: embed the ten words once, give each test image the most similar word.
  const similarity = noGrad(() => similarityLogits(imageEncoder.forward(xTest), textEncoder.forwardTexts(DIGIT_WORDS), 1));
  const accuracy = noGrad(() => 100 * similarity.argmax(1).eq(yTest).float().mean().item());
  const temperature = 1 / Math.exp(logitScale.item());
  say(`Learned temperature τ = ${temperature.toFixed(3)}. Each test image gets the word whose embedding is most similar (cosine):`);
  say(`${accuracy.toFixed(1)} % of the ${xTest.shape[0]} test digits get their own word, against 10 % by chance.`);

  // The mean similarity of the test images of each digit (rows) to each word (columns).
  const matrix = classMeans(similarity, yTest);
  const figure = heatmap(path.join(outDir, "image-text-similarity.svg"), matrix, {
    title: "Mean cosine similarity: test images (rows) vs words (columns)",
    rowLabels: DIGIT_WORDS.map((_, i) => `${i}`), columnLabels: [...DIGIT_WORDS],
    xLabel: "text", yLabel: "image of the digit", annotate: true, diverging: true,
  });
  const diagonal = matrix.reduce((sum, row, i) => sum + row[i]!, 0) / 10;
  const offDiagonal = matrix.reduce((sum, row, i) => sum + row.reduce((s, v, j) => s + (i === j ? 0 : v), 0), 0) / 90;
  say(`Matching pairs have a mean similarity of ${diagonal.toFixed(2)}, mismatched ones ${offDiagonal.toFixed(2)}.`);

  return {
    measurements: [
      atLeast("image → word zero-shot test accuracy (%)", accuracy, quick ? 70 : 90),
      reported("chance (%)", 10),
      reported("mean similarity, matching image and word", diagonal),
      reported("mean similarity, other words", offDiagonal),
      reported("learned temperature", temperature),
    ],
    figures: [figure],
    headline: `tiny CLIP matches ${accuracy.toFixed(1)} % of test digits to their word (chance 10 %)`,
  };
}

/** The mean row of `values` [n, k] over the samples of each class: [classes][k]. */
function classMeans(values: Tensor, labels: Tensor, classes = 10): number[][] {
  const k = values.shape[1]!;
  const data = values.contiguous().toTypedArray();
  const sums = Array.from({ length: classes }, () => new Array<number>(k).fill(0));
  const counts = new Array<number>(classes).fill(0);
  (labels.toTypedArray() as Int32Array).forEach((label, i) => {
    counts[label]! += 1;
    for (let j = 0; j < k; j++) sums[label]![j]! += data[i * k + j]!;
  });
  return sums.map((row, c) => row.map((v) => v / Math.max(1, counts[c]!)));
}

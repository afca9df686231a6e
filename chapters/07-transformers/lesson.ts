// Chapter 7: transformers. Text becomes tokens, tokens become vectors that
// know their position, and self-attention lets every token look at the others.
//
//   npx tsx chapters/07-transformers/lesson.ts [--quick]
//
// Five parts: (1) a BPE tokenizer trained on Pride and Prejudice, (2) the
// sinusoidal positional encoding, (3) self-attention written out step by step
// and checked against the library's layer, (4) a small character-level GPT
// trained on the novel, with the attention map of one of its heads, and
// (5) a Vision Transformer reading the 8×8 digits as 16 patches.

import path from "node:path";
import { GPT } from "../../src/architectures/gpt.ts";
import { CausalSelfAttention } from "../../src/architectures/gpt-attention.ts";
import { ViT, type ViTOptions } from "../../src/architectures/vit.ts";
import { F, Generator, data, nn, noGrad, optim, randn, tensor, type Tensor } from "../../src/index.ts";
import { evaluate, warmupCosine } from "../../training/gpt.ts";
import { bigramCrossEntropy, unigramCrossEntropy } from "../../training/text-baselines.ts";
import { atLeast, atMost, heading, ProgressBar, reported, runIfMain, say, type Lesson, type Measurement } from "../_kit/index.ts";
import { barChart, heatmap, lineChart } from "../_kit/svg.ts";
import { formatTable } from "../_kit/terminal.ts";
import { attentionByHand } from "./attention-by-hand.ts";
import { sinusoidalPositionalEncoding } from "./positional-encoding.ts";

/** What sets the size of a run, quick or full. */
const QUICK = {
  bpe: { vocabSizes: [256, 512] },
  gpt: { model: { blockSize: 16, nLayer: 1, nHead: 2, nEmbd: 32 }, tieWeights: false, batchSize: 8, steps: 150, warmupSteps: 10, learningRate: 5e-3, valChars: 4000, sampleLength: 120 },
  vit: { options: { dim: 16, depth: 1, heads: 2, mlpDim: 32 } as ViTOptions, trainImages: 768, epochs: 4, learningRate: 2e-2 },
};
const FULL = {
  bpe: { vocabSizes: [256, 512, 1024, 2048] },
  gpt: { model: { blockSize: 32, nLayer: 2, nHead: 4, nEmbd: 64 }, tieWeights: false, batchSize: 16, steps: 600, warmupSteps: 30, learningRate: 6e-3, valChars: Infinity, sampleLength: 300 },
  vit: { options: {} as ViTOptions, trainImages: Infinity, epochs: 8, learningRate: 3e-3 },
};
type Run = typeof FULL;

const PROMPT = "Elizabeth ";
const SENTENCE = "It is a truth universally acknowledged";   // the novel's first words, for the attention map

/** CPU seconds (user + system) spent in `work`. */
function cpuSeconds<T>(work: () => T): [T, number] {
  const before = process.cpuUsage();
  const value = work();
  const spent = process.cpuUsage(before);
  return [value, (spent.user + spent.system) / 1e6];
}

/** Shows whitespace in a token: "·" for a space, "⏎" for a line break. */
function visible(text: string): string {
  return text.replace(/ /g, "·").replace(/\r?\n/g, "⏎");
}

/** Part 1: byte-pair encoding, learned live on the first 90 % of the novel, measured on the last 10 %. */
function tokens(run: Run["bpe"], outDir: string): { measurements: Measurement[]; figure: string } {
  heading("1. Tokens: byte-pair encoding");
  const text = data.loadText("pride-and-prejudice");
  const split = Math.floor(text.length * 0.9);
  const trainText = text.slice(0, split), heldOut = text.slice(split);
  const heldOutBytes = Buffer.byteLength(heldOut, "utf8");
  say("A model reads numbers, not letters. The simplest tokens are the 256 byte values; BPE then");
  say("repeatedly finds the most frequent pair of neighbouring tokens and makes it a new token.");
  const largest = run.vocabSizes.at(-1)!;
  const [tokenizer, seconds] = cpuSeconds(() => data.BPETokenizer.train(trainText, largest));
  say(`Trained on ${trainText.length.toLocaleString("en-US")} characters to ${largest} tokens (${largest - 256} merges) in ${seconds.toFixed(2)} s of CPU.`);
  say("The first ten merges (· is a space):");
  say("  " + tokenizer.merges.slice(0, 10).map(([a, b], i) => `${256 + i} = "${visible(tokenizer.tokenText(a))}" + "${visible(tokenizer.tokenText(b))}"`).join(", "));
  const example = "Mr. Darcy was not a man to be trifled with.";
  const ids = tokenizer.encode(example);
  say(`"${example}" becomes ${ids.length} tokens: ${[...ids].map((id) => visible(tokenizer.tokenText(id))).join(" | ")}`);

  // Fewer merges are the first merges of the same training: a prefix of the merge list.
  const rows: [string, number][] = run.vocabSizes.map((size) => {
    const smaller = new data.BPETokenizer(tokenizer.merges.slice(0, size - 256));
    return [`${size}`, heldOutBytes / smaller.encode(heldOut).length];
  });
  say("Bytes per token on the held-out end of the novel (more is shorter sequences for the model):");
  say(formatTable(rows.map(([size, bytes]) => [size, bytes.toFixed(2)]), { header: ["vocabulary", "bytes/token"] }));
  const figure = barChart(path.join(outDir, "bpe-bytes-per-token.svg"), rows.map(([label, value]) => ({ label: `${label} tokens`, value })),
    { title: "BPE on Pride and Prejudice: held-out bytes per token", yLabel: "bytes per token" });
  const at512 = rows.find(([size]) => size === "512")![1];
  return {
    figure,
    measurements: [
      reported("BPE: training CPU time (s)", seconds),
      atLeast("BPE: held-out bytes per token, 512 tokens", at512, 1.8),
      ...(largest === 512 ? [] : [reported(`BPE: held-out bytes per token, ${largest} tokens`, rows.at(-1)![1])]),
    ],
  };
}

/** Part 2: the sinusoidal positional encoding, and how similar the codes of near and far positions are. */
function positions(outDir: string): { measurements: Measurement[]; figure: string } {
  heading("2. Where is each token? Positional encoding");
  say("Attention treats its input as a set: it does not know which token came first. So each token's vector");
  say("gets a position vector added, PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d)).");
  const encoding = sinusoidalPositionalEncoding(64, 32);                    // 64 positions × 32 dimensions
  const values = encoding.tolist() as number[][];
  const cosine = (p: number, q: number) => noGrad(() => {
    const a = encoding.select(0, p), b = encoding.select(0, q);
    return a.mul(b).sum().item() / Math.sqrt(a.square().sum().item() * b.square().sum().item());
  });
  const near = cosine(10, 11), far = cosine(10, 50);
  say(`Neighbouring positions get similar codes (cosine similarity of positions 10 and 11: ${near.toFixed(3)}),`);
  say(`distant ones less similar (10 and 50: ${far.toFixed(3)}). GPT below learns its position vectors instead (wpe).`);
  const figure = heatmap(path.join(outDir, "positional-encoding.svg"), values,
    { title: "Sinusoidal positional encoding", xLabel: "dimension (fast clocks on the left)", yLabel: "position", diverging: true });
  return {
    figure,
    measurements: [reported("positional encoding: cosine, positions 10 and 11", near), reported("positional encoding: cosine, positions 10 and 50", far)],
  };
}

/** Part 3: self-attention step by step, checked equal to CausalSelfAttention.forward. */
function attentionStepByStep(): { measurements: Measurement[] } {
  heading("3. Self-attention, step by step");
  const layer = new CausalSelfAttention({ nEmbd: 8, nHead: 2, dropout: 0, bias: true });
  const x = randn([1, 5, 8]);                                                // 1 sequence of 5 tokens of 8 features
  const steps = attentionByHand(layer, x);
  say("Five tokens of 8 features each, x [1, 5, 8], through a layer of 2 heads of 4 features:");
  say(`  Q, K, V = the three thirds of c_attn(x), each split into heads: ${steps.queries.shape.join(" × ")}`);
  say(`  scores = Q Kᵀ / √4: how well each key answers each query, ${steps.scores.shape.join(" × ")}`);
  say("  add −∞ above the diagonal (no peeking at later tokens), then softmax along each row:");
  const weights = steps.weights.select(0, 0).select(0, 0).tolist() as number[][];
  say(formatTable(weights.map((row, t) => [`token ${t}`, ...row.map((w) => w.toFixed(3))]), { header: ["head 0", "0", "1", "2", "3", "4"] }));
  say("  each row sums to 1: token t takes a weighted average of the values of tokens 0 … t;");
  say("  the heads' averages side by side go through c_proj, the output projection.");
  const difference = noGrad(() => steps.output.sub(layer.forward(x)).abs().max().item());
  say(`The largest difference from the library's CausalSelfAttention.forward: ${difference.toExponential(2)}.`);
  return { measurements: [atMost("attention by hand: max |difference| from the layer", difference, 1e-5)] };
}

/** A moving average over `n` values, for a readable loss curve. */
function smooth(values: readonly number[], n: number): number[] {
  return values.map((_, i) => {
    const from = Math.max(0, i - n + 1);
    return values.slice(from, i + 1).reduce((s, v) => s + v, 0) / (i + 1 - from);
  });
}

/** Part 4: a character-level GPT on the novel (recipe: training/gpt.ts), its sample, and an attention map. */
function smallGPT(run: Run["gpt"], seed: number, outDir: string): { measurements: Measurement[]; figures: string[] } {
  heading("4. A small GPT, trained on characters");
  const text = data.loadText("pride-and-prejudice");
  const tokenizer = data.CharTokenizer.fromText(text);
  const [train, fullVal] = data.splitByPosition(tokenizer.encode(text), 0.1);   // the last 10 % of the book validates
  const val = fullVal.subarray(0, Math.min(fullVal.length, run.valChars));
  const unigram = unigramCrossEntropy(train, val, tokenizer.vocabSize);
  const bigram = bigramCrossEntropy(train, val, tokenizer.vocabSize);
  say(`${tokenizer.vocabSize} distinct characters. Two baselines on the ${val.length.toLocaleString("en-US")} validation characters:`);
  say(`knowing only how common each character is costs ${unigram.toFixed(3)} nats/char; knowing the previous one, ${bigram.toFixed(3)}.`);

  const model = new GPT({ vocabSize: tokenizer.vocabSize, ...run.model, dropout: 0, bias: false });
  const { blockSize } = model.config;
  if (!run.tieWeights) {
    // GPT-2 reads and writes tokens with one matrix (lm_head.weight is wte.weight). A model this small, tied,
    // sits for hundreds of steps where it predicts only how common each character is; its own output
    // matrix lets it leave that plateau early, which counts on a short budget (exercise 2 shows the difference).
    model.lm_head = new nn.Linear(run.model.nEmbd, tokenizer.vocabSize, { bias: false });
    nn.init.normal_(model.lm_head.weight, 0, 0.02);
    say("The output layer gets its own weights here, instead of sharing the token embedding's as GPT-2 does:");
    say("at this size and budget, the shared matrix leaves the model stuck on the unigram baseline for hundreds of steps.");
  }
  say(`GPT: ${model.parameterCount().toLocaleString("en-US")} parameters; ${run.model.nLayer} block${run.model.nLayer === 1 ? "" : "s"} of ${run.model.nHead} heads, ` +
    `${run.model.nEmbd} features, a context of ${blockSize} characters.`);
  say("Each step: random windows of the text; every position predicts the next character (cross entropy).");
  const parameters = model.parameters();
  const optimizer = new optim.AdamW([
    { params: parameters.filter((p) => p.ndim >= 2), weightDecay: 0.1 },   // decay the matrices and embeddings
    { params: parameters.filter((p) => p.ndim < 2), weightDecay: 0 },      // not the LayerNorm weights
  ], { lr: run.learningRate, betas: [0.9, 0.99] });
  const schedule = new optim.lrScheduler.LambdaLR(optimizer, (step) => warmupCosine(step, run.warmupSteps, run.steps));
  const batches = new Generator(seed);
  const losses: number[] = [];
  const progress = new ProgressBar(run.steps, { label: "GPT" });
  for (let step = 0; step < run.steps; step++) {
    const [x, y] = data.randomWindows(train, blockSize, run.batchSize, { generator: batches }); // y is x shifted by one
    const { loss } = model.forward(x, y);
    optimizer.zeroGrad();
    loss!.backward();
    nn.utils.clipGradNorm_(model.parameters(), 1);
    optimizer.step();
    schedule.step();
    losses.push(loss!.item());
    progress.tick(1, `loss ${loss!.item().toFixed(3)}`);
  }
  progress.finish();
  const valLoss = evaluate(model, new data.LanguageModelDataset(val, blockSize));
  say(`Validation loss: ${valLoss.toFixed(3)} nats/char (unigram ${unigram.toFixed(3)}, bigram ${bigram.toFixed(3)}).`);

  model.eval();
  const sample = tokenizer.decode(model.generate(tokenizer.encode(PROMPT), { maxNewTokens: run.sampleLength, temperature: 0.8, generator: new Generator(seed) }));
  say("A sample, temperature 0.8:");
  for (const line of sample.split("\n")) say(`  ${line}`);

  // The attention map: the first block's heads, on the first words of the novel.
  const sentence = SENTENCE.slice(0, blockSize);
  const ids = tensor([[...tokenizer.encode(sentence)]], { dtype: "int32" });
  const { wte, wpe, h } = model.transformer;
  const block = h.at(0);
  const { weights, output } = noGrad(() => {
    const embedded = wte.forward(ids).add(wpe.forward(tensor([...Array(sentence.length).keys()], { dtype: "int32" })));
    const normed = block.ln_1.forward(embedded);
    const steps = attentionByHand(block.attn, normed);
    return { weights: steps.weights, output: steps.output.sub(block.attn.forward(normed)).abs().max().item() };
  });
  const labels = [...sentence].map((c) => (c === " " ? "␣" : c));
  const figures = [lineChart(path.join(outDir, "gpt-loss.svg"), [
    { name: "training loss", y: smooth(losses, Math.max(5, Math.floor(run.steps / 20))) },
    { name: "unigram baseline", y: losses.map(() => unigram) },
    { name: "bigram baseline", y: losses.map(() => bigram) },
  ], { title: "Character GPT on Pride and Prejudice", xLabel: "step", yLabel: "nats per character" })];
  for (let head = 0; head < run.model.nHead; head++) {
    const map = weights.select(0, 0).select(0, head).tolist() as number[][];
    figures.push(heatmap(path.join(outDir, `attention-head-${head}.svg`), map,
      { title: `Block 1, head ${head + 1}: where each character looks`, rowLabels: labels, columnLabels: labels, xLabel: "looked at (key)", yLabel: "looking (query)" }));
  }
  say(`The attention of the first block's ${run.model.nHead} heads on "${sentence}": ${figures.slice(1).join(", ")}`);
  say(`(computed by hand again: it differs from the trained layer's output by ${output.toExponential(2)}).`);
  const quick = run === QUICK.gpt;
  return {
    figures,
    measurements: [
      reported("GPT: unigram baseline (nats/char)", unigram),
      reported("GPT: bigram baseline (nats/char)", bigram),
      reported("GPT: training steps", run.steps),
      reported("GPT: parameters", model.parameterCount()),
      atMost("GPT: validation loss (nats/char)", valLoss, Number((quick ? unigram - 0.25 : bigram - 0.35).toFixed(2))),
      atMost("GPT: attention by hand vs trained layer, max |difference|", output, 1e-5),
    ],
  };
}

/** The fraction of a dataset's images whose largest output is the label, in evaluation mode. */
function accuracy(model: ViT, dataset: data.Dataset<[Tensor, Tensor]>): number {
  model.eval();
  let correct = 0;
  for (const [x, y] of new data.DataLoader(dataset, { batchSize: 500 })) correct += noGrad(() => model.forward(x).argmax(1).eq(y).sum().item());
  model.train();
  return correct / dataset.length;
}

/** Part 5: a Vision Transformer on the 8×8 digits (recipe: training/vit.ts). */
function visionTransformer(run: Run["vit"], seed: number, outDir: string): { measurements: Measurement[]; figure: string } {
  heading("5. A Vision Transformer on the digits");
  const digits = data.loadDigits();
  const all = new data.TensorDataset(digits.images.div(16), digits.target);    // pixels 0..16 → [0, 1]
  const [fullTrain, testSet] = data.randomSplit(all, [0.8, 0.2], { generator: new Generator(0) });
  const trainSet = run.trainImages >= fullTrain.length ? fullTrain
    : new data.Subset(fullTrain, Array.from({ length: run.trainImages }, (_, i) => i));
  const model = new ViT(run.options);
  say("An image is not a sentence, so cut it into patches: each 2×2 patch of the 8×8 digit is one token (16 of them),");
  say("a learned class token goes in front, and the encoder's output at the class token says which digit it is.");
  say(`ViT: ${model.parameterCount().toLocaleString("en-US")} parameters; ${trainSet.length} training and ${testSet.length} test images, ${run.epochs} epochs.`);
  const loader = new data.DataLoader(trainSet, { batchSize: 64, shuffle: true, generator: new Generator(seed) });
  const optimizer = new optim.AdamW(model.parameters(), { lr: run.learningRate, weightDecay: 0.05 });
  const scheduler = new optim.lrScheduler.OneCycleLR(optimizer, run.learningRate, { totalSteps: run.epochs * loader.length });
  const losses: number[] = [];
  const progress = new ProgressBar(run.epochs * loader.length, { label: "ViT" });
  for (let epoch = 0; epoch < run.epochs; epoch++) {
    for (const [x, y] of loader) {
      const loss = F.crossEntropy(model.forward(x), y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      scheduler.step();
      losses.push(loss.item());
      progress.tick(1, `epoch ${epoch + 1} · loss ${loss.item().toFixed(3)}`);
    }
  }
  progress.finish();
  const testAccuracy = 100 * accuracy(model, testSet);
  say(`Test accuracy: ${testAccuracy.toFixed(1)} % (chance: 10 %).`);
  const figure = lineChart(path.join(outDir, "vit-loss.svg"), [{ name: "training loss", y: losses }],
    { title: "ViT on the 8×8 digits", xLabel: "batch", yLabel: "cross entropy" });
  return {
    figure,
    measurements: [
      reported("ViT: parameters", model.parameterCount()),
      atLeast("ViT: test accuracy (%)", testAccuracy, run === QUICK.vit ? 30 : 85),
    ],
  };
}

const lesson: Lesson = {
  number: 7,
  slug: "transformers",
  title: "Transformers",
  run({ quick, seed, outDir }) {
    const run = quick ? QUICK : FULL;
    say("A transformer reads a sequence of tokens. Each token is a vector; in every layer, each token asks");
    say("the others a question (attention) and mixes in the answers. Here are its parts, one at a time.");
    const bpe = tokens(run.bpe, outDir);
    const encoding = positions(outDir);
    const attention = attentionStepByStep();
    const gpt = smallGPT(run.gpt, seed, outDir);
    const vit = visionTransformer(run.vit, seed, outDir);
    const measurements = [...bpe.measurements, ...encoding.measurements, ...attention.measurements, ...gpt.measurements, ...vit.measurements];
    const value = (name: string) => measurements.find((m) => m.name === name)!.value;
    return {
      measurements,
      figures: [bpe.figure, encoding.figure, ...gpt.figures, vit.figure],
      summary: `BPE: ${value("BPE: held-out bytes per token, 512 tokens").toFixed(2)} bytes/token; a GPT reaches ${value("GPT: validation loss (nats/char)").toFixed(2)} nats/char ` +
        `(bigram ${value("GPT: bigram baseline (nats/char)").toFixed(2)}); a ViT reads digits at ${value("ViT: test accuracy (%)").toFixed(1)} %`,
    };
  },
};

export default lesson;

runIfMain(lesson, import.meta.url);

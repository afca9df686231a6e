// Text as a classification problem: from the last few characters, guess the
// next one. Each context of `context` characters becomes one row of
// context × 27 numbers (a one-hot vector per character), so that the same MLP
// that reads 64 pixels can read text.

import { tensor, type Generator, type Tensor } from "../../src/index.ts";

/** The 27 symbols: a to z and the space. */
export const ALPHABET = "abcdefghijklmnopqrstuvwxyz ";

/** Lower-cases the text and turns every run of other characters (punctuation, newlines, digits) into one space. */
export function simplifyText(text: string): string {
  return text.toLowerCase().replace(/[^a-z]+/g, " ");
}

/** Each character's index in ALPHABET. */
export function encodeText(text: string): Int32Array {
  const ids = new Int32Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const id = ALPHABET.indexOf(text[i]!);
    if (id < 0) throw new Error(`encodeText: "${text[i]}" at ${i} is not in the alphabet; call simplifyText first`);
    ids[i] = id;
  }
  return ids;
}

/**
 * `count` windows drawn at random positions of ids[start, end): x [count, context · 27]
 * one-hot rows (character k of the window lights feature 27·k + id), y [count] the next character.
 */
export function nextCharacterWindows(ids: Int32Array, context: number, count: number, start: number, end: number, generator: Generator): [Tensor, Tensor] {
  const symbols = ALPHABET.length;
  if (end - start <= context) throw new Error(`nextCharacterWindows: [${start}, ${end}) is too short for a context of ${context}`);
  const x = new Float32Array(count * context * symbols);
  const y = new Int32Array(count);
  for (let row = 0; row < count; row++) {
    const at = start + Math.floor(generator.random() * (end - start - context));
    for (let k = 0; k < context; k++) x[row * context * symbols + k * symbols + ids[at + k]!] = 1;
    y[row] = ids[at + context]!;
  }
  return [tensor(x, { shape: [count, context * symbols] }), tensor(y)];
}

/**
 * Two baselines that need no network, each as accuracy (%) on the targets y
 * of windows: always the most frequent character, and the bigram guess (the
 * character that most often follows the window's last character in `trainIds`).
 */
export function baselineAccuracies(trainIds: Int32Array, x: Tensor, y: Tensor, context: number): { unigram: number; bigram: number } {
  const symbols = ALPHABET.length;
  const counts = new Float64Array(symbols);
  const pairs = Array.from({ length: symbols }, () => new Float64Array(symbols));
  for (let i = 0; i < trainIds.length; i++) {
    counts[trainIds[i]!]! += 1;
    if (i + 1 < trainIds.length) pairs[trainIds[i]!]![trainIds[i + 1]!]! += 1;
  }
  const argmax = (values: Float64Array): number => values.indexOf(Math.max(...values));
  const mostFrequent = argmax(counts);
  const follower = pairs.map(argmax);
  const rows = x.toTypedArray(), labels = y.toTypedArray();
  let unigram = 0, bigram = 0;
  for (let row = 0; row < labels.length; row++) {
    const lastSlot = row * context * symbols + (context - 1) * symbols;
    let last = 0;
    for (let s = 0; s < symbols; s++) if (rows[lastSlot + s] === 1) last = s;
    if (labels[row] === mostFrequent) unigram++;
    if (labels[row] === follower[last]) bigram++;
  }
  return { unigram: (100 * unigram) / labels.length, bigram: (100 * bigram) / labels.length };
}

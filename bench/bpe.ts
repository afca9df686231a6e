// How fast the byte-level BPE tokenizer trains, encodes and decodes, on the
// whole of Pride and Prejudice (684,768 bytes), one thread.
//
//   npx tsx bench/bpe.ts            vocabulary of 512 tokens (256 merges)
//   npx tsx bench/bpe.ts 1024       another vocabulary size
//
// "cold" encoding starts from a tokenizer that has never seen the text (every
// distinct chunk is merged from its bytes); "warm" encoding finds every chunk
// in the tokenizer's memory of chunks it has encoded. Each figure is the best
// of several runs (the machine is shared and noisy); the median is printed too.
// Nothing here is asserted; test/data/tokenizers.test.ts checks correctness.

import { readFileSync } from "node:fs";
import { BPETokenizer } from "../src/data/tokenizers/bpe.ts";
import { CharTokenizer } from "../src/data/tokenizers/char.ts";

const vocabSize = Number(process.argv[2] ?? 512);
const text = readFileSync(new URL("../src/data/bundled/text/pride_and_prejudice.txt", import.meta.url), "utf8");
const megabytes = Buffer.byteLength(text, "utf8") / 1e6;

/** Best and median wall time in ms of `fn` over `runs` runs (no warm-up: `setup` makes each run start cold if needed). */
function timeMs<T>(runs: number, setup: () => T, fn: (state: T) => void): { best: number; median: number } {
  const times: number[] = [];
  for (let run = 0; run < runs; run++) {
    const state = setup();
    const t0 = performance.now();
    fn(state);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { best: times[0]!, median: times[Math.floor(times.length / 2)]! };
}

const row = (what: string, t: { best: number; median: number }, extra = "") =>
  console.log(`${what.padEnd(34)} ${t.best.toFixed(1).padStart(8)} ms  (median ${t.median.toFixed(1).padStart(7)})  ${extra}`);

console.log(`Pride and Prejudice: ${text.length} characters, ${megabytes.toFixed(3)} MB; vocabulary ${vocabSize}\n`);

let tokenizer = BPETokenizer.train(text, vocabSize); // warm-up, and the tokenizer measured below
const training = timeMs(5, () => null, () => { tokenizer = BPETokenizer.train(text, vocabSize); });
row(`BPE train (${tokenizer.merges.length} merges)`, training);

const json = tokenizer.toJSON();
let ids: Int32Array = new Int32Array(0);
const cold = timeMs(5, () => BPETokenizer.fromJSON(json), (fresh) => { ids = fresh.encode(text); });
row("BPE encode, cold", cold, `${(megabytes / (cold.best / 1000)).toFixed(1)} MB/s`);
const warm = timeMs(5, () => null, () => { ids = tokenizer.encode(text); });
row("BPE encode, warm", warm, `${(megabytes / (warm.best / 1000)).toFixed(1)} MB/s`);
let decoded = "";
const decoding = timeMs(5, () => null, () => { decoded = tokenizer.decode(ids); });
row("BPE decode", decoding, `${(megabytes / (decoding.best / 1000)).toFixed(1)} MB/s`);
if (decoded !== text) throw new Error("bench/bpe: the decoded novel differs from the original");
console.log(`  ${ids.length} tokens, ${(text.length / ids.length).toFixed(3)} bytes per token`);

const chars = CharTokenizer.fromText(text);
let charIds: Int32Array = new Int32Array(0);
const charEncoding = timeMs(5, () => null, () => { charIds = chars.encode(text); });
row("char encode", charEncoding, `${(megabytes / (charEncoding.best / 1000)).toFixed(1)} MB/s`);
const charDecoding = timeMs(5, () => null, () => { decoded = chars.decode(charIds); });
row("char decode", charDecoding, `${(megabytes / (charDecoding.best / 1000)).toFixed(1)} MB/s`);
if (decoded !== text) throw new Error("bench/bpe: the decoded novel differs from the original");

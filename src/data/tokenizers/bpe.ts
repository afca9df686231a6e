// BPETokenizer: byte-level byte-pair encoding, the tokenizer of GPT-2 (and of
// Karpathy's minbpe, whose RegexTokenizer it follows in spirit).
//
// The base vocabulary is the 256 byte values: a text is turned into the bytes
// of its UTF-8 encoding, so every well-formed string, in any script, with emoji
// or anything else, encodes and decodes exactly. Training then repeats one
// step: find the most frequent pair of adjacent tokens and make it a new token.
//
//   merge i:  the pair (a, b) becomes token 256 + i, everywhere it occurs
//
// Before counting, the text is cut into chunks by a regular expression (words
// with their leading space, numbers, punctuation runs, whitespace runs), and
// merges never cross a chunk boundary: " the" can become one token, "e." never.
// Tokens then stay meaningful pieces of words, as in GPT-2.
//
// Corresponding tools: Hugging Face `tokenizers` (ByteLevel BPE), OpenAI's
// `tiktoken` (which encodes GPT-2 text the same way: lowest-rank merge first).
// PyTorch itself has no tokenizer. Token ids here are gradschool's own, not GPT-2's.

import { Tensor } from "../../core/tensor.ts";
import { describeValue, tokenIdList } from "./char.ts";

/**
 * The default way to cut text into chunks (like GPT-2's, without its special
 * cases for English contractions). The alternatives, tried left to right:
 *   ` ?\p{L}+`             a word: letters, with at most one space before them
 *   ` ?\p{N}+`             a number, with its leading space
 *   ` ?[^\s\p{L}\p{N}]+`   a run of punctuation or symbols, with its leading space
 *   `\s+(?!\S)`            a run of whitespace, leaving its last space to the word that follows
 *   `\s+`                  whitespace at the very end of the text
 * Every character matches one of them, so the chunks cover the whole text.
 */
export const DEFAULT_SPLIT_PATTERN = String.raw` ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`;

/** Token ids stay below this, so that a pair (a, b) packs into one safe integer a·2²⁶ + b. */
const MAX_VOCAB_SIZE = 2 ** 26;
/** Distinct chunks remembered by `encode`; past this the memory is cleared and starts again. */
const ENCODE_CACHE_LIMIT = 100_000;

const utf8Encoder = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF (the decoder would otherwise drop it); invalid bytes become U+FFFD.
const utf8Decoder = new TextDecoder("utf-8", { ignoreBOM: true });

export interface BPETokenizerJSON {
  type: "bpe";
  version: 1;
  pattern: string;
  merges: [number, number][];
}

export interface BPETrainOptions {
  /** How to cut the text into chunks (default DEFAULT_SPLIT_PATTERN); always compiled with the flags "gu". */
  pattern?: RegExp | string;
  /** Called after each merge with its index i (it made token 256 + i) and the number of merges asked for. */
  onMerge?: (i: number, total: number) => void;
}

export class BPETokenizer {
  /** Merge i made token 256 + i from the pair merges[i]. */
  readonly merges: readonly [number, number][];
  /** The chunk pattern's source, compiled with the flags "gu". */
  readonly pattern: string;
  private readonly splitter: RegExp;
  /** rank of each merged pair, keyed by pairKey(a, b): the lower, the earlier it was learned. */
  private readonly rankOf = new Map<number, number>();
  /** The bytes each token stands for. */
  private readonly bytesOf: Uint8Array[] = [];
  private readonly chunkCache = new Map<string, Int32Array>();

  /**
   * Learns `vocabSize - 256` merges from `text`. Ties between equally frequent
   * pairs go to the smallest pair (a, b) (smallest a, then smallest b), so the
   * same text and size give the same merges on every machine. Training stops
   * early when no pair occurs twice: the vocabulary is then smaller than asked
   * (check `vocabSize` afterwards).
   */
  static train(text: string, vocabSize: number, options: BPETrainOptions = {}): BPETokenizer {
    const who = "BPETokenizer.train";
    checkText(text, who);
    if (!Number.isInteger(vocabSize) || vocabSize < 256 || vocabSize > MAX_VOCAB_SIZE) {
      throw new Error(`${who}: vocabSize must be an integer in [256, ${MAX_VOCAB_SIZE}] (256 byte tokens plus the merges), got ${vocabSize}`);
    }
    const { source, regex } = compilePattern(options.pattern ?? DEFAULT_SPLIT_PATTERN, who);

    // Each distinct chunk once, as a list of tokens (its bytes, to start with), with how often it occurs.
    const chunkCounts = new Map<string, number>();
    for (const chunk of splitIntoChunks(text, regex)) chunkCounts.set(chunk, (chunkCounts.get(chunk) ?? 0) + 1);
    const words: number[][] = [];
    const counts: number[] = [];
    for (const [chunk, count] of chunkCounts) {
      words.push(Array.from(utf8Encoder.encode(chunk)));
      counts.push(count);
    }

    // How often each adjacent pair occurs in the whole text: a word's pairs count as often as the word.
    const pairCounts = new Map<number, number>();
    for (let w = 0; w < words.length; w++) addPairs(pairCounts, words[w]!, counts[w]!);

    const total = vocabSize - 256;
    const merges: [number, number][] = [];
    while (merges.length < total) {
      const best = mostFrequentPair(pairCounts);
      if (best === null) break; // no pair occurs twice: a merge would save nothing
      const a = Math.floor(best / MAX_VOCAB_SIZE), b = best % MAX_VOCAB_SIZE;
      const newToken = 256 + merges.length;
      for (let w = 0; w < words.length; w++) {
        if (!hasPair(words[w]!, a, b)) continue;
        // Take the word's pairs out of the counts, merge, and put its new pairs in.
        addPairs(pairCounts, words[w]!, -counts[w]!);
        words[w] = mergePair(words[w]!, a, b, newToken);
        addPairs(pairCounts, words[w]!, counts[w]!);
      }
      merges.push([a, b]);
      options.onMerge?.(merges.length - 1, total);
    }
    return new BPETokenizer(merges, source);
  }

  /** A tokenizer from learned merges: each pair may use only the 256 bytes and tokens made by earlier merges. */
  constructor(merges: readonly (readonly [number, number])[], pattern: string = DEFAULT_SPLIT_PATTERN) {
    const who = "BPETokenizer";
    if (!Array.isArray(merges)) throw new Error(`${who}: expected an array of merges, got ${describeValue(merges)}`);
    const compiled = compilePattern(pattern, who);
    this.splitter = compiled.regex;
    this.pattern = compiled.source;
    for (let byte = 0; byte < 256; byte++) this.bytesOf.push(Uint8Array.of(byte));
    merges.forEach((merge: unknown, i) => {
      const newToken = 256 + i;
      if (!Array.isArray(merge) || merge.length !== 2 || !merge.every((id) => Number.isInteger(id) && id >= 0 && id < newToken)) {
        throw new Error(`${who}: merge ${i} must be a pair of token ids in [0, ${newToken}) (bytes and earlier merges), got ${JSON.stringify(merge)}`);
      }
      const [a, b] = merge as [number, number];
      const earlier = this.rankOf.get(pairKey(a, b));
      if (earlier !== undefined) throw new Error(`${who}: merge ${i} repeats the pair [${a}, ${b}] of merge ${earlier}`);
      this.rankOf.set(pairKey(a, b), i);
      const bytes = new Uint8Array(this.bytesOf[a]!.length + this.bytesOf[b]!.length);
      bytes.set(this.bytesOf[a]!);
      bytes.set(this.bytesOf[b]!, this.bytesOf[a]!.length);
      this.bytesOf.push(bytes);
    });
    this.merges = Object.freeze(merges.map(([a, b]) => Object.freeze([a, b]) as [number, number]));
  }

  /** 256 byte tokens plus one per merge. */
  get vocabSize(): number {
    return 256 + this.merges.length;
  }

  /** The token ids of `text`: chunk it, then merge each chunk's bytes, earliest-learned pair first. */
  encode(text: string): Int32Array {
    checkText(text, "BPETokenizer.encode");
    const pieces: Int32Array[] = [];
    let length = 0;
    for (const chunk of splitIntoChunks(text, this.splitter)) {
      const tokens = this.encodeChunk(chunk);
      pieces.push(tokens);
      length += tokens.length;
    }
    const ids = new Int32Array(length);
    let offset = 0;
    for (const tokens of pieces) {
      ids.set(tokens, offset);
      offset += tokens.length;
    }
    return ids;
  }

  /**
   * The text of `ids`: their bytes, joined and read as UTF-8. Every encoded
   * text decodes exactly. A slice that cuts a character's bytes (e.g. the
   * first token of "é" alone) cannot, and each broken character decodes as
   * U+FFFD "�", as Python's `bytes.decode(errors="replace")` does.
   */
  decode(ids: ArrayLike<number> | Tensor): string {
    const values = tokenIdList(ids, this.vocabSize, "BPETokenizer.decode");
    let length = 0;
    for (let i = 0; i < values.length; i++) length += this.bytesOf[values[i]!]!.length;
    const bytes = new Uint8Array(length);
    let offset = 0;
    for (let i = 0; i < values.length; i++) {
      const tokenBytes = this.bytesOf[values[i]!]!;
      bytes.set(tokenBytes, offset);
      offset += tokenBytes.length;
    }
    return utf8Decoder.decode(bytes);
  }

  /** The bytes token `id` stands for (a copy). */
  tokenBytes(id: number): Uint8Array {
    tokenIdList([id], this.vocabSize, "BPETokenizer.tokenBytes");
    return this.bytesOf[id]!.slice();
  }

  /** Token `id` as text, for printing a vocabulary; bytes that are part of a character show as "�". */
  tokenText(id: number): string {
    tokenIdList([id], this.vocabSize, "BPETokenizer.tokenText");
    return utf8Decoder.decode(this.bytesOf[id]!);
  }

  toJSON(): BPETokenizerJSON {
    return { type: "bpe", version: 1, pattern: this.pattern, merges: this.merges.map(([a, b]) => [a, b]) };
  }

  /** The tokenizer `toJSON` described; anything else is an error saying what is wrong. */
  static fromJSON(json: unknown): BPETokenizer {
    const who = "BPETokenizer.fromJSON";
    if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error(`${who}: expected an object, got ${describeValue(json)}`);
    const { type, version, pattern, merges } = json as Record<string, unknown>;
    if (type !== "bpe") throw new Error(`${who}: expected type "bpe", got ${describeValue(type)}`);
    if (version !== 1) throw new Error(`${who}: this is format version ${describeValue(version)}; only version 1 can be read`);
    if (typeof pattern !== "string") throw new Error(`${who}: expected "pattern" to be a string, got ${describeValue(pattern)}`);
    if (!Array.isArray(merges)) throw new Error(`${who}: expected "merges" to be an array of pairs, got ${describeValue(merges)}`);
    try {
      return new BPETokenizer(merges as [number, number][], pattern);
    } catch (error) {
      throw new Error(`${who}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** One chunk's tokens: merge the adjacent pair learned earliest, again and again, until no learned pair is left. */
  private encodeChunk(chunk: string): Int32Array {
    const cached = this.chunkCache.get(chunk);
    if (cached !== undefined) return cached;
    let tokens = Array.from(utf8Encoder.encode(chunk));
    while (tokens.length >= 2) {
      let bestRank = Infinity;
      for (let i = 0; i + 1 < tokens.length; i++) {
        const rank = this.rankOf.get(pairKey(tokens[i]!, tokens[i + 1]!));
        if (rank !== undefined && rank < bestRank) bestRank = rank;
      }
      if (bestRank === Infinity) break;
      const [a, b] = this.merges[bestRank]!;
      tokens = mergePair(tokens, a, b, 256 + bestRank);
    }
    const result = Int32Array.from(tokens);
    if (this.chunkCache.size >= ENCODE_CACHE_LIMIT) this.chunkCache.clear();
    this.chunkCache.set(chunk, result);
    return result;
  }
}

/** A pair of token ids as one number, usable as a Map key. */
function pairKey(a: number, b: number): number {
  return a * MAX_VOCAB_SIZE + b;
}

/** Adds `count` (which may be negative) to the count of every adjacent pair of `tokens`; pairs that reach 0 are removed. */
function addPairs(pairCounts: Map<number, number>, tokens: readonly number[], count: number): void {
  for (let i = 0; i + 1 < tokens.length; i++) {
    const key = pairKey(tokens[i]!, tokens[i + 1]!);
    const updated = (pairCounts.get(key) ?? 0) + count;
    if (updated === 0) pairCounts.delete(key);
    else pairCounts.set(key, updated);
  }
}

/** The key of the most frequent pair, the smallest key among equals; null if no pair occurs at least twice. */
function mostFrequentPair(pairCounts: Map<number, number>): number | null {
  let bestKey: number | null = null;
  let bestCount = 1;
  for (const [key, count] of pairCounts) {
    if (count > bestCount || (count === bestCount && bestKey !== null && key < bestKey)) {
      bestKey = key;
      bestCount = count;
    }
  }
  return bestKey;
}

function hasPair(tokens: readonly number[], a: number, b: number): boolean {
  for (let i = 0; i + 1 < tokens.length; i++) if (tokens[i] === a && tokens[i + 1] === b) return true;
  return false;
}

/** `tokens` with every occurrence of (a, b), read left to right without overlaps, replaced by `newToken`. */
function mergePair(tokens: readonly number[], a: number, b: number, newToken: number): number[] {
  const merged: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === a && tokens[i + 1] === b) {
      merged.push(newToken);
      i++; // the pair's second token is used up
    } else {
      merged.push(tokens[i]!);
    }
  }
  return merged;
}

/**
 * The chunks of `text`: every match of `pattern`, and, between matches, any
 * text the pattern skipped as a chunk of its own, so that no character is ever
 * lost, whatever the pattern. Empty matches are ignored.
 */
export function splitIntoChunks(text: string, pattern: RegExp): string[] {
  const chunks: string[] = [];
  let end = 0; // where the previous match ended
  for (const match of text.matchAll(pattern)) {
    if (match[0] === "") continue;
    if (match.index > end) chunks.push(text.slice(end, match.index));
    chunks.push(match[0]);
    end = match.index + match[0].length;
  }
  if (end < text.length) chunks.push(text.slice(end));
  return chunks;
}

/** The pattern compiled with "gu" (g: find every match; u: \p{…} classes and whole code points). */
function compilePattern(pattern: RegExp | string, who: string): { source: string; regex: RegExp } {
  let source: string;
  if (pattern instanceof RegExp) {
    const otherFlags = pattern.flags.replace(/[gu]/g, "");
    if (otherFlags !== "") {
      throw new Error(`${who}: the pattern /${pattern.source}/${pattern.flags} has flags "${otherFlags}"; only "g" and "u" are allowed, since a pattern is saved as its source and compiled with "gu"`);
    }
    source = pattern.source;
  } else if (typeof pattern === "string") {
    source = pattern;
  } else {
    throw new Error(`${who}: the pattern must be a RegExp or a string, got ${describeValue(pattern)}`);
  }
  try {
    return { source, regex: new RegExp(source, "gu") };
  } catch (error) {
    throw new Error(`${who}: the pattern ${JSON.stringify(source)} is not a valid regular expression with the "u" flag: ${(error as Error).message}`, { cause: error });
  }
}

/** Text must be a string of whole characters: a lone UTF-16 surrogate has no UTF-8 encoding. */
function checkText(text: string, who: string): void {
  if (typeof text !== "string") throw new Error(`${who}: expected a string, got ${describeValue(text)}`);
  if (text.isWellFormed()) return;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const isHigh = code >= 0xd800 && code <= 0xdbff, isLow = code >= 0xdc00 && code <= 0xdfff;
    const next = text.charCodeAt(i + 1);
    if (isHigh && next >= 0xdc00 && next <= 0xdfff) {
      i++; // a proper surrogate pair: one character
    } else if (isHigh || isLow) {
      throw new Error(`${who}: the lone surrogate U+${code.toString(16).toUpperCase()} at string index ${i} is not a character and has no UTF-8 encoding`);
    }
  }
}

// Batches for language models: a text is one long stream of token ids, and a
// model learns to predict each token from the ones before it. Every batch is
// a pair (x, y) of the same shape where y is x shifted one token to the left:
// y[t] = the token after x[t].
//
// Three ways to cut the stream, each from a well-known training script:
// - LanguageModelDataset: fixed windows at a regular stride, as a Dataset for
//   the DataLoader (like the window datasets of many PyTorch tutorials);
// - randomWindows: windows at uniformly random starts, nanoGPT's get_batch;
// - batchify + bpttWindows: PyTorch's examples/word_language_model, for
//   recurrent networks that carry their hidden state from one window to the
//   next (truncated backpropagation through time).
// And splitByPosition, the train/validation split for a stream.

import { tensor } from "../core/creation.ts";
import { defaultGenerator, type Generator } from "../core/random.ts";
import { formatShape } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";
import type { Collated } from "./dataloader.ts";
import { checkIndex, Dataset } from "./dataset.ts";

/** A stream of token ids: an Int32Array, an array of integers, or a 1-D int32 tensor. */
export type TokenSequence = Int32Array | readonly number[] | Tensor;

/**
 * The tokens as an Int32Array, to be read, never written: an Int32Array or a
 * contiguous tensor is used in place (randomWindows runs every training step
 * on the whole text), a strided tensor or an array is copied.
 */
function tokenArray(who: string, tokens: TokenSequence): Int32Array {
  if (tokens instanceof Int32Array) return tokens;
  if (tokens instanceof Tensor) {
    if (tokens.dtype !== "int32" || tokens.ndim !== 1) {
      throw new Error(`${who}: a token tensor must be 1-D int32, got ${tokens.dtype} of shape ${formatShape(tokens.shape)}`);
    }
    if (!tokens.isContiguous()) return tokens.toTypedArray() as Int32Array;
    return (tokens.storage.data as Int32Array).subarray(tokens.offset, tokens.offset + tokens.numel());
  }
  const out = new Int32Array(tokens.length);
  tokens.forEach((token, i) => {
    if (!Number.isInteger(token) || token < -(2 ** 31) || token >= 2 ** 31) {
      throw new Error(`${who}: token ${i} is ${token}; token ids must be integers that fit in int32`);
    }
    out[i] = token;
  });
  return out;
}

function checkPositiveInteger(who: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${who}: ${name} must be a positive integer, got ${value}`);
}

/** Throws unless a stream of `length` tokens holds one window of blockSize inputs plus the target after it. */
function checkFitsOneWindow(who: string, blockSize: number, length: number): void {
  if (length < blockSize + 1) {
    throw new Error(`${who}: blockSize ${blockSize} needs at least ${blockSize + 1} tokens (a window and the token after it), ` +
      `but the stream has ${length}`);
  }
}

/**
 * Train/validation split by position (never shuffled: neighbouring windows
 * share text, so shuffled splits would leak validation text into training).
 * The last round(valFraction · n) tokens are for validation, the rest (the
 * first ≈ (1 − valFraction) · n) for training. Both are copies.
 */
export function splitByPosition(tokens: TokenSequence, valFraction: number): [Int32Array, Int32Array] {
  if (!(valFraction >= 0 && valFraction <= 1)) throw new Error(`splitByPosition: valFraction must be in [0, 1], got ${valFraction}`);
  const stream = tokenArray("splitByPosition", tokens);
  const trainLength = stream.length - Math.round(valFraction * stream.length);
  return [stream.slice(0, trainLength), stream.slice(trainLength)];
}

/** Rows x[r] = stream[s : s+blockSize] and y[r] = stream[s+1 : s+blockSize+1] for each start s = starts[r]: int32 [starts.length, blockSize]. */
function windowsAt(stream: Int32Array, starts: readonly number[], blockSize: number): [Tensor, Tensor] {
  const x = new Int32Array(starts.length * blockSize);
  const y = new Int32Array(starts.length * blockSize);
  starts.forEach((start, row) => {
    x.set(stream.subarray(start, start + blockSize), row * blockSize);
    y.set(stream.subarray(start + 1, start + 1 + blockSize), row * blockSize);
  });
  const shape = [starts.length, blockSize];
  return [tensor(x, { dtype: "int32", shape }), tensor(y, { dtype: "int32", shape })];
}

/**
 * Contiguous (input, target) windows of a token stream: window i starts at
 * s = i · stride and is x = tokens[s : s+blockSize], y = tokens[s+1 : s+blockSize+1],
 * each int32 [blockSize]. stride defaults to blockSize (windows side by side,
 * each token a target once); a smaller stride overlaps them. The windows are
 * all those that fit: ⌊(n − blockSize − 1) / stride⌋ + 1 of them.
 */
export class LanguageModelDataset extends Dataset<[Tensor, Tensor]> {
  readonly blockSize: number;
  readonly stride: number;
  private readonly stream: Int32Array;
  private readonly windowCount: number;

  constructor(tokens: TokenSequence, blockSize: number, options: { stride?: number } = {}) {
    super();
    const { stride = blockSize } = options;
    checkPositiveInteger("LanguageModelDataset", "blockSize", blockSize);
    checkPositiveInteger("LanguageModelDataset", "stride", stride);
    this.stream = tokenArray("LanguageModelDataset", tokens).slice();
    checkFitsOneWindow("LanguageModelDataset", blockSize, this.stream.length);
    this.blockSize = blockSize;
    this.stride = stride;
    this.windowCount = Math.floor((this.stream.length - blockSize - 1) / stride) + 1;
  }

  get length(): number {
    return this.windowCount;
  }

  getItem(index: number): [Tensor, Tensor] {
    checkIndex("LanguageModelDataset.getItem", index, this.length);
    const [x, y] = windowsAt(this.stream, [index * this.stride], this.blockSize);
    return [x.view(this.blockSize), y.view(this.blockSize)];
  }

  /** Windows `indices` as two int32 [indices.length, blockSize] tensors. */
  override getBatch(indices: readonly number[]): Collated<[Tensor, Tensor]> {
    indices.forEach((i) => checkIndex("LanguageModelDataset.getBatch", i, this.length));
    return windowsAt(this.stream, indices.map((i) => i * this.stride), this.blockSize);
  }
}

/**
 * nanoGPT's get_batch: batchSize windows at starts drawn uniformly from
 * 0 … n − blockSize − 1, as int32 [batchSize, blockSize] inputs x and
 * targets y (y is x shifted by one token).
 */
export function randomWindows(tokens: TokenSequence, blockSize: number, batchSize: number, options: { generator?: Generator } = {}): [Tensor, Tensor] {
  checkPositiveInteger("randomWindows", "blockSize", blockSize);
  checkPositiveInteger("randomWindows", "batchSize", batchSize);
  const stream = tokenArray("randomWindows", tokens);
  checkFitsOneWindow("randomWindows", blockSize, stream.length);
  const generator = options.generator ?? defaultGenerator;
  const starts = Array.from({ length: batchSize }, () => generator.randint(0, stream.length - blockSize));
  return windowsAt(stream, starts, blockSize);
}

/**
 * PyTorch's word_language_model `batchify`: cuts the stream into batchSize
 * equal contiguous pieces (dropping the ⌊n mod batchSize⌋ tokens left over)
 * and lays them out as the rows of an int32 [batchSize, ⌊n / batchSize⌋]
 * tensor: row b is tokens[b·L : (b+1)·L]. (PyTorch keeps the transpose,
 * [L, batchSize], for sequence-first RNNs.)
 */
export function batchify(tokens: TokenSequence, batchSize: number): Tensor {
  checkPositiveInteger("batchify", "batchSize", batchSize);
  const stream = tokenArray("batchify", tokens);
  const columnLength = Math.floor(stream.length / batchSize);
  if (columnLength === 0) {
    throw new Error(`batchify: ${stream.length} tokens cannot fill ${batchSize} rows; need at least one token per row`);
  }
  return tensor(stream.slice(0, batchSize * columnLength), { dtype: "int32", shape: [batchSize, columnLength] });
}

/**
 * Consecutive windows of batchified streams [batchSize, L] for truncated
 * backpropagation through time: window k is x = streams[:, k·seqLen : k·seqLen + ℓ],
 * y = streams[:, k·seqLen + 1 : k·seqLen + 1 + ℓ], with ℓ = min(seqLen, L − 1 − k·seqLen),
 * so row b of window k+1 continues row b of window k, and a hidden state
 * carried from one window to the next sees an unbroken text. Iterable any
 * number of times (one pass per epoch).
 */
export function bpttWindows(streams: Tensor, seqLen: number): Iterable<[Tensor, Tensor]> {
  if (streams.ndim !== 2 || streams.dtype !== "int32") {
    throw new Error(`bpttWindows: streams must be int32 [batchSize, length] (from batchify), got ${streams.dtype} of shape ${formatShape(streams.shape)}`);
  }
  checkPositiveInteger("bpttWindows", "seqLen", seqLen);
  const length = streams.shape[1]!;
  if (length < 2) throw new Error(`bpttWindows: each stream needs at least 2 tokens (an input and its target), got ${length}`);
  return {
    *[Symbol.iterator](): Iterator<[Tensor, Tensor]> {
      for (let start = 0; start < length - 1; start += seqLen) {
        const windowLength = Math.min(seqLen, length - 1 - start);
        yield [streams.narrow(1, start, windowLength).contiguous(), streams.narrow(1, start + 1, windowLength).contiguous()];
      }
    },
  };
}

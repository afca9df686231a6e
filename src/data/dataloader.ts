// The DataLoader: walks a dataset in batches, like torch.utils.data.DataLoader
// (single process: no workers, no pinned memory). Each epoch it orders the
// sample indices (0, 1, …, n−1, or a fresh random permutation when
// shuffling), cuts that order into batches of `batchSize`, and turns each
// batch of samples into one value with a collate function.
//
// defaultCollate is PyTorch's default_collate: tensors are stacked along a
// new first dim, numbers become a tensor, and arrays and objects are
// collated position by position and key by key.

import { randperm, tensor } from "../core/creation.ts";
import { stack } from "../core/ops/shape.ts";
import type { Generator } from "../core/random.ts";
import { formatShape } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";
import type { Dataset } from "./dataset.ts";

/**
 * The type of a collated batch of samples of type T: a tensor (or number, or
 * boolean) becomes a tensor with a batch dim in front, a string an array of
 * strings, and arrays (tuples) and objects keep their structure with each
 * part collated.
 */
export type Collated<T> =
  T extends Tensor | number | boolean ? Tensor :
  T extends string ? string[] :
  T extends readonly unknown[] ? { -readonly [K in keyof T]: Collated<T[K]> } :
  T extends object ? { [K in keyof T]: Collated<T[K]> } :
  never;

/** What a value is, for matching samples against each other and for error messages. */
function kindOf(value: unknown): string {
  if (value instanceof Tensor) return "a tensor";
  if (Array.isArray(value)) return "an array";
  if (value === null || value === undefined) return String(value);
  if (typeof value !== "object") return `a ${typeof value}`; // a number, a boolean, a string, a function …
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null ? "an object" : "an instance of a class";
}

/** " at [1].image": where in the sample structure a problem is ("" at the top). */
function locationOf(path: string): string {
  return path === "" ? "" : ` at ${path}`;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function collateTensors(samples: readonly Tensor[], path: string): Tensor {
  const first = samples[0]!;
  samples.forEach((t, i) => {
    if (t.shape.length !== first.shape.length || t.shape.some((size, d) => size !== first.shape[d])) {
      throw new Error(`defaultCollate: sample ${i} has shape ${formatShape(t.shape)}${locationOf(path)}, but sample 0 has ` +
        `${formatShape(first.shape)}: tensors are stacked, so they need equal shapes (pad them, or pass your own collate)`);
    }
    if (t.dtype !== first.dtype) {
      throw new Error(`defaultCollate: sample ${i} is ${t.dtype}${locationOf(path)}, but sample 0 is ${first.dtype}: stacked tensors need one dtype`);
    }
  });
  return stack(samples, 0);
}

/** Whole numbers that fit give int32 (labels, indices); anything else float32. */
function collateNumbers(samples: readonly number[]): Tensor {
  const integers = samples.every((v) => Number.isInteger(v) && v >= INT32_MIN && v <= INT32_MAX);
  return tensor(samples, { dtype: integers ? "int32" : "float32" });
}

function collateAt(samples: readonly unknown[], path: string): unknown {
  const first = samples[0];
  const kind = kindOf(first);
  samples.forEach((sample, i) => {
    if (kindOf(sample) !== kind) {
      throw new Error(`defaultCollate: sample ${i} is ${kindOf(sample)}${locationOf(path)}, but sample 0 is ${kind}: samples must have the same structure`);
    }
  });
  switch (kind) {
    case "a tensor":
      return collateTensors(samples as Tensor[], path);
    case "a number":
      return collateNumbers(samples as number[]);
    case "a boolean":
      return tensor(samples as boolean[]);
    case "a string":
      return [...samples];
    case "an array": {
      const arrays = samples as unknown[][];
      const size = arrays[0]!.length;
      arrays.forEach((a, i) => {
        if (a.length !== size) {
          throw new Error(`defaultCollate: sample ${i} is an array of length ${a.length}${locationOf(path)}, but sample 0 has length ${size}: ` +
            "arrays are collated position by position, so they need equal lengths");
        }
      });
      return Array.from({ length: size }, (_, j) => collateAt(arrays.map((a) => a[j]), `${path}[${j}]`));
    }
    case "an object": {
      const records = samples as Record<string, unknown>[];
      const keys = Object.keys(records[0]!);
      records.forEach((record, i) => {
        const recordKeys = Object.keys(record);
        if (recordKeys.length !== keys.length || keys.some((key) => !(key in record))) {
          throw new Error(`defaultCollate: sample ${i} has keys {${recordKeys.join(", ")}}${locationOf(path)}, but sample 0 has ` +
            `{${keys.join(", ")}}: objects are collated key by key, so they need the same keys`);
        }
      });
      return Object.fromEntries(keys.map((key) => [key, collateAt(records.map((r) => r[key]), `${path}.${key}`)]));
    }
    default:
      throw new Error(`defaultCollate: cannot collate ${kind}${locationOf(path)}; ` +
        "samples must be tensors, numbers, booleans, strings, or arrays and plain objects of them");
  }
}

/**
 * Merges a list of samples into one batch, like PyTorch's default_collate:
 * - tensors of equal shape S are stacked into one tensor [n, ...S];
 * - numbers become a 1-D tensor: int32 when all are whole numbers, float32
 *   otherwise (PyTorch gives int64 for Python ints and float64 for floats;
 *   JavaScript numbers do not say which they are, so a float target that
 *   happens to be whole in every sample of a batch comes out int32: keep such
 *   targets in tensors, which keep their dtype);
 * - booleans become a bool tensor, strings an array of strings;
 * - arrays (tuples) are collated position by position, plain objects key by key.
 */
export function defaultCollate<T>(samples: readonly T[]): Collated<T> {
  if (samples.length === 0) throw new Error("defaultCollate: cannot collate an empty list of samples");
  return collateAt(samples, "") as Collated<T>;
}

export interface DataLoaderOptions<T, B> {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Draw a new random order every epoch (default false: 0, 1, …, n−1). */
  shuffle?: boolean;
  /** Leave out the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** The generator the shuffling draws from (default: the default generator). */
  generator?: Generator;
  /** Turns a list of samples into a batch (default: defaultCollate, or the dataset's getBatch). */
  collate?: (samples: T[]) => B;
}

/**
 * Iterates over a dataset in batches, like torch.utils.data.DataLoader:
 *
 *   for (const [x, y] of new DataLoader(new TensorDataset(images, labels), { batchSize: 64, shuffle: true })) { … }
 *
 * Each `for … of` is one epoch. With shuffle, the order is a permutation
 * drawn from the generator when the epoch starts, so the same seed gives the
 * same sequence of epochs and successive epochs differ. Without a custom
 * collate, a dataset that has getBatch is asked for whole batches.
 */
export class DataLoader<T, B = Collated<T>> implements Iterable<B> {
  readonly dataset: Dataset<T>;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly generator: Generator | undefined;
  private readonly collate: ((samples: T[]) => B) | undefined;

  constructor(dataset: Dataset<T>, options: DataLoaderOptions<T, B> = {}) {
    const { batchSize = 1, shuffle = false, dropLast = false } = options;
    if (!Number.isInteger(batchSize) || batchSize <= 0) {
      throw new Error(`DataLoader: batchSize must be a positive integer, got ${batchSize}`);
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = shuffle;
    this.dropLast = dropLast;
    this.generator = options.generator;
    this.collate = options.collate;
  }

  /** Batches per epoch (PyTorch's `len(loader)`): ⌈n / batchSize⌉, or ⌊n / batchSize⌋ with dropLast. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** One epoch. The order is drawn now, when the iterator is created. */
  [Symbol.iterator](): Iterator<B> {
    return this.batchesOf(this.epochOrder());
  }

  /** The sample indices of one epoch, in the order they are visited. */
  private epochOrder(): number[] {
    const n = this.dataset.length;
    if (!this.shuffle) return Array.from({ length: n }, (_, i) => i);
    return Array.from(randperm(n, { generator: this.generator }).toTypedArray());
  }

  private *batchesOf(order: readonly number[]): IterableIterator<B> {
    const end = this.dropLast ? this.length * this.batchSize : order.length;
    for (let start = 0; start < end; start += this.batchSize) {
      yield this.fetch(order.slice(start, Math.min(start + this.batchSize, end)));
    }
  }

  private fetch(indices: readonly number[]): B {
    if (this.collate) return this.collate(indices.map((i) => this.dataset.getItem(i)));
    // Without a collate option, B is Collated<T> (the default type argument).
    const batch = this.dataset.getBatch ? this.dataset.getBatch(indices) : defaultCollate(indices.map((i) => this.dataset.getItem(i)));
    return batch as B;
  }
}

// Datasets: a collection of samples that can be counted and indexed, like
// torch.utils.data's map-style Dataset (`__len__` → `length`, `__getitem__` →
// `getItem`). Also here: TensorDataset (samples are rows of tensors), Subset
// (a dataset seen through a list of indices), TransformedDataset (torchvision's
// transform / target_transform arguments as a wrapper) and randomSplit
// (torch.utils.data.random_split).
//
// A dataset may also offer `getBatch(indices)`, PyTorch 2's `__getitems__`:
// a whole collated batch in one call. The DataLoader uses it when it can, so
// that a batch of 64 images is one gather per tensor instead of 64 selects and
// a stack.

import { randperm, tensor } from "../core/creation.ts";
import type { Generator } from "../core/random.ts";
import { formatShape } from "../core/shape.ts";
import type { Tensor } from "../core/tensor.ts";
import { defaultCollate, type Collated } from "./dataloader.ts";

/**
 * A map-style dataset: `length` samples, sample i given by `getItem(i)` for
 * integers 0 ≤ i < length (negative indices are not accepted).
 */
export abstract class Dataset<T> {
  /** The number of samples (PyTorch's `len(dataset)`). */
  abstract get length(): number;

  /** Sample `index` (PyTorch's `dataset[index]`). */
  abstract getItem(index: number): T;

  /**
   * Optional fast path (PyTorch's `__getitems__`): the samples at `indices`,
   * already collated. It must return what `defaultCollate(indices.map((i) =>
   * this.getItem(i)))` would, only faster.
   */
  getBatch?(indices: readonly number[]): Collated<T>;
}

/** Throws unless `index` is an integer in [0, length). */
export function checkIndex(who: string, index: number, length: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new Error(`${who}: index ${index} is out of range for a dataset of length ${length} (indices are integers in [0, ${length}))`);
  }
}

/** The 1-D int32 index tensor that indexSelect takes, from a list of sample indices. */
function indexTensor(indices: readonly number[]): Tensor {
  return tensor(Int32Array.from(indices), { dtype: "int32" });
}

/**
 * Samples are slices of tensors along their first dim, like
 * torch.utils.data.TensorDataset: `new TensorDataset(images, labels)` has
 * `getItem(i) = [images[i], labels[i]]`.
 */
export class TensorDataset<T extends Tensor[] = Tensor[]> extends Dataset<T> {
  readonly tensors: T;

  constructor(...tensors: T) {
    super();
    if (tensors.length === 0) throw new Error("TensorDataset: needs at least one tensor");
    tensors.forEach((t, i) => {
      if (t.ndim === 0) throw new Error(`TensorDataset: tensor ${i} is 0-d; every tensor needs a first dim that indexes the samples`);
    });
    const size = tensors[0]!.shape[0]!;
    if (tensors.some((t) => t.shape[0] !== size)) {
      const shapes = tensors.map((t, i) => `tensor ${i} has shape ${formatShape(t.shape)}`).join(", ");
      throw new Error(`TensorDataset: all tensors must have the same size in dim 0 (one row per sample), but ${shapes}`);
    }
    this.tensors = tensors;
  }

  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  /** Row `index` of every tensor (views, not copies). */
  getItem(index: number): T {
    checkIndex("TensorDataset.getItem", index, this.length);
    return this.tensors.map((t) => t.select(0, index)) as T;
  }

  /** Rows `indices` of every tensor: one indexSelect per tensor. */
  override getBatch(indices: readonly number[]): Collated<T> {
    indices.forEach((i) => checkIndex("TensorDataset.getBatch", i, this.length));
    const index = indexTensor(indices);
    // A batch of tensor tuples is a tuple of tensors: Collated<T> is T.
    return this.tensors.map((t) => t.indexSelect(0, index)) as Collated<T>;
  }
}

/** The samples of `dataset` at `indices`, in that order, like torch.utils.data.Subset. */
export class Subset<T> extends Dataset<T> {
  readonly dataset: Dataset<T>;
  readonly indices: readonly number[];

  constructor(dataset: Dataset<T>, indices: readonly number[] | Int32Array) {
    super();
    this.dataset = dataset;
    this.indices = Array.from(indices);
    this.indices.forEach((i) => checkIndex("Subset", i, dataset.length));
  }

  get length(): number {
    return this.indices.length;
  }

  getItem(index: number): T {
    checkIndex("Subset.getItem", index, this.length);
    return this.dataset.getItem(this.indices[index]!);
  }

  /** Maps the indices to the base dataset's and uses its getBatch when it has one. */
  override getBatch(indices: readonly number[]): Collated<T> {
    const baseIndices = indices.map((i) => {
      checkIndex("Subset.getBatch", i, this.length);
      return this.indices[i]!;
    });
    if (this.dataset.getBatch) return this.dataset.getBatch(baseIndices);
    return defaultCollate(baseIndices.map((i) => this.dataset.getItem(i)));
  }
}

export interface TransformOptions {
  /** Applied to the input, item[0] (torchvision's `transform`). */
  transform?: (x: Tensor) => Tensor;
  /** Applied to the target, item[1] (torchvision's `target_transform`). */
  targetTransform?: (y: Tensor) => Tensor;
}

/**
 * A dataset whose inputs and targets pass through functions on the way out,
 * as torchvision datasets do with `transform` and `target_transform`. The
 * transforms must accept one sample or a whole batch (each sample treated on
 * its own, random choices drawn per sample), because getBatch applies them
 * once to the batched tensors.
 */
export class TransformedDataset<T extends Tensor[] = Tensor[]> extends Dataset<T> {
  readonly dataset: Dataset<T>;
  readonly transform: ((x: Tensor) => Tensor) | undefined;
  readonly targetTransform: ((y: Tensor) => Tensor) | undefined;

  constructor(dataset: Dataset<T>, options: TransformOptions) {
    super();
    this.dataset = dataset;
    this.transform = options.transform;
    this.targetTransform = options.targetTransform;
  }

  get length(): number {
    return this.dataset.length;
  }

  getItem(index: number): T {
    return this.applyTransforms(this.dataset.getItem(index)) as T;
  }

  override getBatch(indices: readonly number[]): Collated<T> {
    if (!this.dataset.getBatch) return defaultCollate(indices.map((i) => this.getItem(i)));
    // A batch of tensor tuples is a tuple of tensors: Collated<T> is T.
    return this.applyTransforms(this.dataset.getBatch(indices) as Tensor[]) as Collated<T>;
  }

  /** A copy of `item` with item[0] and item[1] transformed. */
  private applyTransforms(item: readonly Tensor[]): Tensor[] {
    const out = [...item];
    if (this.transform) out[0] = this.transform(this.part(item, 0, "transform"));
    if (this.targetTransform) out[1] = this.targetTransform(this.part(item, 1, "targetTransform"));
    return out;
  }

  private part(item: readonly Tensor[], position: number, transformName: string): Tensor {
    const value = item[position];
    if (value === undefined) {
      throw new Error(`TransformedDataset: ${transformName} applies to item[${position}], but the dataset's items hold ${item.length} tensor(s)`);
    }
    return value;
  }
}

/**
 * Sizes of the splits: `lengths` as counts summing to n, or as fractions
 * summing to 1 — each split gets floor(n·fraction), and the leftover samples
 * go one each to the splits in turn from the first (PyTorch's rule).
 */
function splitSizes(lengths: readonly number[], n: number): number[] {
  if (lengths.length === 0) throw new Error("randomSplit: lengths must not be empty");
  const total = lengths.reduce((a, b) => a + b, 0);
  const counts = lengths.every((l) => Number.isInteger(l) && l >= 0);
  if (counts && total === n) return [...lengths];
  const fractions = lengths.every((l) => l >= 0 && l <= 1) && Math.abs(total - 1) <= 1e-9;
  if (!fractions) {
    throw new Error(`randomSplit: lengths [${lengths.join(", ")}] must be non-negative integers summing to the dataset's length ${n}, ` +
      `or fractions in [0, 1] summing to 1 (they sum to ${total})`);
  }
  const sizes = lengths.map((fraction) => Math.floor(n * fraction));
  const leftover = n - sizes.reduce((a, b) => a + b, 0);
  for (let i = 0; i < leftover; i++) sizes[i % sizes.length]! += 1;
  return sizes;
}

/**
 * Splits `dataset` into non-overlapping random subsets of the given lengths,
 * like torch.utils.data.random_split: one random permutation, cut in pieces.
 * `randomSplit(ds, [0.8, 0.2])` and `randomSplit(ds, [800, 200])` both work.
 */
export function randomSplit<T, const L extends readonly number[]>(
  dataset: Dataset<T>,
  lengths: L,
  options: { generator?: Generator } = {},
): { -readonly [K in keyof L]: Subset<T> } {
  const sizes = splitSizes(lengths, dataset.length);
  const permutation = randperm(dataset.length, { generator: options.generator }).toTypedArray();
  let start = 0;
  const subsets = sizes.map((size) => {
    const subset = new Subset(dataset, permutation.subarray(start, start + size) as Int32Array);
    start += size;
    return subset;
  });
  // One subset per length: for a literal list such as [0.8, 0.2] the type is a pair, so `const [train, test] = ...` needs no `!`.
  return subsets as { -readonly [K in keyof L]: Subset<T> };
}

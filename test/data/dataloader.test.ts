// Datasets and the DataLoader: every sample exactly once per epoch, seeded
// shuffling, batch sizes and counts, collation of nested samples, the getBatch
// fast path against the slow path it replaces, subsets, random splits and
// transformed datasets.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Generator, arange, manualSeed, randint, randn, stack, tensor, zeros, type Tensor } from "../../src/core/index.ts";
import { DataLoader, defaultCollate } from "../../src/data/dataloader.ts";
import { Dataset, Subset, TensorDataset, TransformedDataset, checkIndex, randomSplit } from "../../src/data/dataset.ts";
import { forAll } from "../helpers/property.ts";

/** The sample ids of a batch drawn from a TensorDataset over arange(n). */
function ids(batch: readonly Tensor[]): number[] {
  return Array.from(batch[0]!.toTypedArray());
}

/** All sample ids of one epoch, batch by batch. */
function epoch(loader: Iterable<Tensor[]>): number[][] {
  return Array.from(loader, ids);
}

function isSorted(values: readonly number[]): boolean {
  return values.every((v, i) => i === 0 || values[i - 1]! <= v);
}

/** A dataset without getBatch, whose samples are plain objects. */
class PointDataset extends Dataset<{ point: Tensor; label: number }> {
  constructor(readonly size: number) {
    super();
  }
  get length(): number {
    return this.size;
  }
  getItem(index: number): { point: Tensor; label: number } {
    checkIndex("PointDataset", index, this.size);
    return { point: tensor([index, -index]), label: index % 3 };
  }
}

describe("TensorDataset", () => {
  const x = randn([5, 2, 3], { generator: new Generator(1) });
  const y = tensor([0, 1, 2, 3, 4], { dtype: "int32" });
  const dataset = new TensorDataset(x, y);

  test("length and getItem are the rows of every tensor", () => {
    assert.equal(dataset.length, 5);
    const [xi, yi] = dataset.getItem(3);
    assert.deepEqual(xi.shape, [2, 3]);
    assert.deepEqual(xi.tolist(), x.select(0, 3).tolist());
    assert.deepEqual(yi.shape, []);
    assert.equal(yi.item(), 3);
    assert.equal(yi.dtype, "int32");
  });

  test("getBatch equals stacking getItem results, for random shapes, dtypes and index lists", () => {
    forAll("getBatch = stack(getItem)", (g) => {
      const n = g.randint(1, 9);
      const features = randn([n, g.randint(1, 4), g.randint(1, 3)], { generator: g });
      const labels = randint(0, 10, [n], { generator: g });
      const data = new TensorDataset(features, labels, features.transpose(1, 2)); // a non-contiguous one too
      const indices = Array.from({ length: g.randint(1, 12) }, () => g.randint(0, n));
      const fast = data.getBatch(indices);
      const items = indices.map((i) => data.getItem(i));
      fast.forEach((batched, position) => {
        const slow = stack(items.map((item) => item[position]!));
        assert.deepEqual(batched.shape, slow.shape);
        assert.equal(batched.dtype, slow.dtype);
        assert.deepEqual(batched.tolist(), slow.tolist());
      });
    }, { runs: 40 });
  });

  test("errors: no tensors, a 0-d tensor, different first dims, indices out of range", () => {
    assert.throws(() => new TensorDataset(), /TensorDataset: needs at least one tensor/);
    assert.throws(() => new TensorDataset(tensor(3)), /tensor 0 is 0-d/);
    assert.throws(() => new TensorDataset(zeros([4, 2]), zeros([3])),
      /TensorDataset: all tensors must have the same size in dim 0.*tensor 0 has shape \[4, 2\], tensor 1 has shape \[3\]/);
    assert.throws(() => dataset.getItem(5), /TensorDataset.getItem: index 5 is out of range for a dataset of length 5/);
    assert.throws(() => dataset.getItem(-1), /index -1 is out of range/);
    assert.throws(() => dataset.getItem(1.5), /index 1.5 is out of range/);
    assert.throws(() => dataset.getBatch([0, 7]), /TensorDataset.getBatch: index 7 is out of range for a dataset of length 5/);
  });
});

describe("DataLoader", () => {
  test("every sample exactly once per epoch, in batches of batchSize (the last partial unless dropLast)", () => {
    forAll("epoch covers the dataset", (g) => {
      const n = g.randint(0, 40);
      const batchSize = g.randint(1, 12);
      const dropLast = g.randint(0, 2) === 1;
      const loader = new DataLoader(new TensorDataset(arange(n)), { batchSize, shuffle: true, dropLast, generator: g });
      const batches = epoch(loader);
      const expectedBatches = dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
      assert.equal(loader.length, expectedBatches);
      assert.equal(batches.length, expectedBatches);
      batches.forEach((batch, k) => {
        const full = k < batches.length - 1 || dropLast || n % batchSize === 0;
        assert.equal(batch.length, full ? batchSize : n % batchSize, `batch ${k} of n=${n}, batchSize=${batchSize}`);
      });
      const seen = batches.flat();
      assert.equal(new Set(seen).size, seen.length, "a sample was repeated");
      assert.ok(seen.every((id) => Number.isInteger(id) && id >= 0 && id < n));
      assert.equal(seen.length, dropLast ? expectedBatches * batchSize : n);
    }, { runs: 60 });
  });

  test("same seed, same sequence of epochs; successive epochs differ and are shuffled", () => {
    const dataset = new TensorDataset(arange(100));
    const first = new DataLoader(dataset, { batchSize: 16, shuffle: true, generator: new Generator(7) });
    const second = new DataLoader(dataset, { batchSize: 16, shuffle: true, generator: new Generator(7) });
    const epochsA = [epoch(first).flat(), epoch(first).flat(), epoch(first).flat()];
    const epochsB = [epoch(second).flat(), epoch(second).flat(), epoch(second).flat()];
    assert.deepEqual(epochsA, epochsB);
    assert.notDeepEqual(epochsA[0], epochsA[1]);
    assert.notDeepEqual(epochsA[1], epochsA[2]);
    for (const order of epochsA) {
      assert.ok(!isSorted(order));
      assert.deepEqual([...order].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
    }
    const other = new DataLoader(dataset, { batchSize: 16, shuffle: true, generator: new Generator(8) });
    assert.notDeepEqual(epoch(other).flat(), epochsA[0]);
  });

  test("without a generator, shuffling follows manualSeed", () => {
    const loader = new DataLoader(new TensorDataset(arange(50)), { batchSize: 8, shuffle: true });
    manualSeed(11);
    const a = epoch(loader).flat();
    manualSeed(11);
    const b = epoch(loader).flat();
    assert.deepEqual(a, b);
    assert.ok(!isSorted(a));
  });

  test("without shuffle the order is 0, 1, …, n−1", () => {
    const loader = new DataLoader(new TensorDataset(arange(10)), { batchSize: 4 });
    assert.deepEqual(epoch(loader), [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    const dropped = new DataLoader(new TensorDataset(arange(10)), { batchSize: 4, dropLast: true });
    assert.deepEqual(epoch(dropped), [[0, 1, 2, 3], [4, 5, 6, 7]]);
    assert.equal(dropped.length, 2);
    assert.deepEqual(epoch(new DataLoader(new TensorDataset(arange(3)))), [[0], [1], [2]]); // batchSize defaults to 1
  });

  test("two iterators can be interleaved: each draws its own order when created", () => {
    const loader = new DataLoader(new TensorDataset(arange(30)), { batchSize: 4, shuffle: true, generator: new Generator(3) });
    const a = loader[Symbol.iterator]();
    const b = loader[Symbol.iterator]();
    const seenA: number[] = [];
    const seenB: number[] = [];
    for (let step = 0; step < 8; step++) {
      seenA.push(...ids(a.next().value!));
      seenB.push(...ids(b.next().value!));
    }
    assert.equal(a.next().done, true);
    assert.equal(b.next().done, true);
    const everyId = Array.from({ length: 30 }, (_, i) => i);
    assert.deepEqual([...seenA].sort((x, y) => x - y), everyId);
    assert.deepEqual([...seenB].sort((x, y) => x - y), everyId);
    assert.notDeepEqual(seenA, seenB);
  });

  test("batches of a TensorDataset destructure into tensors [batch, ...]", () => {
    const images = randn([10, 1, 4, 4], { generator: new Generator(0) });
    const labels = arange(10);
    const shapes: number[][] = [];
    for (const [x, y] of new DataLoader(new TensorDataset(images, labels), { batchSize: 4, shuffle: true, generator: new Generator(0) })) {
      shapes.push([...x.shape], [...y.shape]);
      y.toTypedArray().forEach((label, row) => assert.deepEqual(x.select(0, row).tolist(), images.select(0, label).tolist()));
    }
    assert.deepEqual(shapes, [[4, 1, 4, 4], [4], [4, 1, 4, 4], [4], [2, 1, 4, 4], [2]]);
  });

  test("an empty dataset gives zero batches", () => {
    const loader = new DataLoader(new TensorDataset(zeros([0, 3])), { batchSize: 4, shuffle: true });
    assert.equal(loader.length, 0);
    assert.deepEqual([...loader], []);
  });

  test("batchSize must be a positive integer", () => {
    const dataset = new TensorDataset(arange(4));
    for (const batchSize of [0, -2, 1.5, Number.NaN]) {
      assert.throws(() => new DataLoader(dataset, { batchSize }), new RegExp(`DataLoader: batchSize must be a positive integer, got ${batchSize}`));
    }
  });

  test("a dataset without getBatch is collated with defaultCollate", () => {
    const loader = new DataLoader(new PointDataset(5), { batchSize: 3 });
    const batches = [...loader];
    assert.equal(batches.length, 2);
    const { point, label } = batches[0]!;
    assert.deepEqual(point.tolist(), [[0, -0], [1, -1], [2, -2]]);
    assert.equal(label.dtype, "int32");
    assert.deepEqual(label.tolist(), [0, 1, 2]);
    assert.deepEqual(batches[1]!.label.tolist(), [0, 1]);
  });

  test("a custom collate receives the samples (not getBatch) and sets the batch type", () => {
    const dataset = new TensorDataset(arange(7));
    dataset.getBatch = () => assert.fail("getBatch must not be used with a custom collate");
    const loader = new DataLoader(dataset, { batchSize: 3, collate: (samples) => samples.map(([id]) => id!.item() * 10) });
    const batches: number[][] = [...loader];
    assert.deepEqual(batches, [[0, 10, 20], [30, 40, 50], [60]]);
  });
});

describe("defaultCollate", () => {
  test("nested arrays and objects are collated element by element and key by key", () => {
    const samples = [0, 1, 2].map((i) => ({
      image: tensor([[i, i + 0.5]]),
      label: i,
      weight: i + 0.25,
      name: `s${i}`,
      parts: [tensor([i], { dtype: "int32" }), i % 2 === 0] as [Tensor, boolean],
    }));
    const batch = defaultCollate(samples);
    assert.deepEqual(batch.image.shape, [3, 1, 2]);
    assert.deepEqual(batch.image.tolist(), [[[0, 0.5]], [[1, 1.5]], [[2, 2.5]]]);
    assert.equal(batch.label.dtype, "int32");
    assert.deepEqual(batch.label.tolist(), [0, 1, 2]);
    assert.equal(batch.weight.dtype, "float32");
    assert.deepEqual(batch.weight.tolist(), [0.25, 1.25, 2.25]);
    assert.deepEqual(batch.name, ["s0", "s1", "s2"]);
    assert.equal(batch.parts[0].dtype, "int32");
    assert.deepEqual(batch.parts[0].tolist(), [[0], [1], [2]]);
    assert.equal(batch.parts[1].dtype, "bool");
    assert.deepEqual(batch.parts[1].tolist(), [true, false, true]);
  });

  test("numbers outside int32 are float32", () => {
    assert.equal(defaultCollate([1, 2 ** 31]).dtype, "float32");
    assert.equal(defaultCollate([1, -(2 ** 31)]).dtype, "int32");
  });

  test("mismatches and unsupported values throw, naming the sample and where", () => {
    assert.throws(() => defaultCollate([]), /defaultCollate: cannot collate an empty list/);
    assert.throws(() => defaultCollate([[zeros([2])], [zeros([3])]]),
      /defaultCollate: sample 1 has shape \[3\] at \[0\], but sample 0 has \[2\]: tensors are stacked, so they need equal shapes/);
    assert.throws(() => defaultCollate([zeros([2]), zeros([2], { dtype: "int32" })]), /sample 1 is int32, but sample 0 is float32/);
    assert.throws(() => defaultCollate<unknown>([{ a: 1 }, { a: "x" }]), /sample 1 is a string at \.a, but sample 0 is a number/);
    assert.throws(() => defaultCollate([[1, 2], [1]]), /sample 1 is an array of length 1, but sample 0 has length 2/);
    assert.throws(() => defaultCollate<object>([{ a: 1, b: 2 }, { a: 1, c: 2 }]), /sample 1 has keys \{a, c\}, but sample 0 has \{a, b\}/);
    assert.throws(() => defaultCollate<object>([{ a: 1 }, { a: 1, b: 2 }]), /sample 1 has keys \{a, b\}/);
    assert.throws(() => defaultCollate([null, null]), /cannot collate null; samples must be tensors, numbers/);
    assert.throws(() => defaultCollate([[undefined]]), /cannot collate undefined at \[0\]/);
    assert.throws(() => defaultCollate([new Map(), new Map()]), /cannot collate an instance of a class/);
  });
});

describe("Subset and randomSplit", () => {
  const base = new TensorDataset(arange(10).mul(10));

  test("a Subset sees the base dataset through its indices", () => {
    const subset = new Subset(base, Int32Array.from([7, 2, 2]));
    assert.equal(subset.length, 3);
    assert.equal(subset.getItem(0)[0]!.item(), 70);
    assert.deepEqual(subset.getBatch([2, 0])[0]!.tolist(), [20, 70]);
    assert.throws(() => subset.getItem(3), /Subset.getItem: index 3 is out of range for a dataset of length 3/);
    assert.throws(() => subset.getBatch([0, 3]), /Subset.getBatch: index 3 is out of range/);
    assert.throws(() => new Subset(base, [1, 10]), /Subset: index 10 is out of range for a dataset of length 10/);
  });

  test("Subset.getBatch uses the base's getBatch when there is one, defaultCollate otherwise", () => {
    const asked: number[][] = [];
    const spied = new TensorDataset(arange(10));
    const gather = spied.getBatch.bind(spied);
    spied.getBatch = (indices) => {
      asked.push([...indices]);
      return gather(indices);
    };
    assert.deepEqual(new Subset(spied, [9, 8, 7]).getBatch([0, 2])[0]!.tolist(), [9, 7]);
    assert.deepEqual(asked, [[9, 7]]);
    const points = new Subset(new PointDataset(6), [5, 1]).getBatch([0, 1]);
    assert.deepEqual(points.label.tolist(), [2, 1]);
    assert.deepEqual(points.point.tolist(), [[5, -5], [1, -1]]);
  });

  test("randomSplit: disjoint subsets that cover the dataset, reproducible from the seed", () => {
    forAll("randomSplit covers", (g) => {
      const n = g.randint(0, 30);
      const cut = g.randint(0, n + 1);
      const cut2 = g.randint(cut, n + 1);
      const lengths = [cut, cut2 - cut, n - cut2];
      const seed = g.randint(0, 1000);
      const dataset = new TensorDataset(arange(n));
      const parts = randomSplit(dataset, lengths, { generator: new Generator(seed) });
      assert.deepEqual(parts.map((p) => p.length), lengths);
      const all = parts.flatMap((p) => [...p.indices]);
      assert.deepEqual(all.sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
      const again = randomSplit(dataset, lengths, { generator: new Generator(seed) });
      assert.deepEqual(again.map((p) => p.indices), parts.map((p) => p.indices));
    }, { runs: 40 });
    const dataset = new TensorDataset(arange(50));
    const [a] = randomSplit(dataset, [25, 25], { generator: new Generator(1) });
    const [b] = randomSplit(dataset, [25, 25], { generator: new Generator(2) });
    assert.notDeepEqual(a!.indices, b!.indices);
    assert.ok(!isSorted(a!.indices));
  });

  test("randomSplit with fractions: floor each, the leftover one by one from the first split", () => {
    const dataset = new TensorDataset(arange(11));
    assert.deepEqual(randomSplit(dataset, [0.5, 0.3, 0.2]).map((p) => p.length), [6, 3, 2]);
    assert.deepEqual(randomSplit(dataset, [0.1, 0.2, 0.7]).map((p) => p.length), [2, 2, 7]); // the fractions sum to 1.0000000000000002
    assert.deepEqual(randomSplit(dataset, [0.25, 0.25, 0.25, 0.25]).map((p) => p.length), [3, 3, 3, 2]);
    assert.deepEqual(randomSplit(dataset, [1]).map((p) => p.length), [11]); // [1] is the fraction 1, as in PyTorch
  });

  test("randomSplit errors", () => {
    const dataset = new TensorDataset(arange(10));
    assert.throws(() => randomSplit(dataset, []), /randomSplit: lengths must not be empty/);
    assert.throws(() => randomSplit(dataset, [3, 4]),
      /randomSplit: lengths \[3, 4\] must be non-negative integers summing to the dataset's length 10, or fractions in \[0, 1\] summing to 1 \(they sum to 7\)/);
    assert.throws(() => randomSplit(dataset, [0.5, 0.6]), /they sum to 1.1/);
    assert.throws(() => randomSplit(dataset, [12, -2]), /must be non-negative integers/);
  });
});

describe("TransformedDataset", () => {
  const images = randn([6, 1, 2, 2], { generator: new Generator(4) });
  const labels = arange(6);
  const double = (x: Tensor): Tensor => x.mul(2);
  const shift = (y: Tensor): Tensor => y.add(100);

  test("transform applies to item[0], targetTransform to item[1], in getItem and in getBatch", () => {
    const dataset = new TransformedDataset(new TensorDataset(images, labels), { transform: double, targetTransform: shift });
    assert.equal(dataset.length, 6);
    const [x, y] = dataset.getItem(2);
    assert.deepEqual(x.tolist(), images.select(0, 2).mul(2).tolist());
    assert.equal(y.item(), 102);
    const batch = dataset.getBatch([4, 1]);
    const items = [4, 1].map((i) => dataset.getItem(i));
    assert.deepEqual(batch[0].tolist(), stack(items.map((item) => item[0])).tolist());
    assert.deepEqual(batch[1].tolist(), [104, 101]);
  });

  test("only the transforms given apply; other positions pass through", () => {
    const extra = arange(6).mul(-1);
    const dataset = new TransformedDataset(new TensorDataset(images, labels, extra), { targetTransform: shift });
    const [x, y, z] = dataset.getItem(5);
    assert.deepEqual(x.tolist(), images.select(0, 5).tolist());
    assert.equal(y.item(), 105);
    assert.equal(z.item(), -5);
  });

  test("a base without getBatch is collated from transformed items", () => {
    class Pairs extends Dataset<Tensor[]> {
      get length(): number {
        return 3;
      }
      getItem(index: number): Tensor[] {
        return [tensor([index]), tensor(index, { dtype: "int32" })];
      }
    }
    const batch = new TransformedDataset(new Pairs(), { transform: double, targetTransform: shift }).getBatch([2, 0]);
    assert.deepEqual(batch[0]!.tolist(), [[4], [0]]);
    assert.deepEqual(batch[1]!.tolist(), [102, 100]);
  });

  test("a targetTransform needs a target", () => {
    const dataset = new TransformedDataset(new TensorDataset(images), { targetTransform: shift });
    assert.throws(() => dataset.getItem(0), /TransformedDataset: targetTransform applies to item\[1\], but the dataset's items hold 1 tensor\(s\)/);
  });

  test("through a shuffled DataLoader, each batch is the transformed rows", () => {
    const dataset = new TransformedDataset(new TensorDataset(images, labels), { transform: double });
    for (const [x, y] of new DataLoader(dataset, { batchSize: 4, shuffle: true, generator: new Generator(2) })) {
      y.toTypedArray().forEach((label, row) => assert.deepEqual(x.select(0, row).tolist(), images.select(0, label).mul(2).tolist()));
    }
  });
});

// Language-model batching: y is always x shifted by one token, windows cover
// the stream as documented, splits keep the order, and batchify + bpttWindows
// carry every row on from one window to the next.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Generator, arange, stack, tensor, type Tensor } from "../../src/core/index.ts";
import { DataLoader } from "../../src/data/dataloader.ts";
import { LanguageModelDataset, batchify, bpttWindows, randomWindows, splitByPosition } from "../../src/data/text-batching.ts";
import { forAll } from "../helpers/property.ts";

/** A stream of n distinct-looking token ids: 7·i mod 1000 + 1 (never two equal neighbours). */
function stream(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => ((7 * i) % 1000) + 1);
}

function rows(t: Tensor): number[][] {
  return t.tolist() as number[][];
}

describe("splitByPosition", () => {
  test("the first tokens train, the last round(valFraction·n) validate, in order", () => {
    forAll("split sizes", (g) => {
      const n = g.randint(0, 200);
      const valFraction = g.randint(0, 101) / 100;
      const tokens = stream(n);
      const [train, val] = splitByPosition(tokens, valFraction);
      assert.equal(val.length, Math.round(valFraction * n));
      assert.equal(train.length + val.length, n);
      assert.deepEqual([...train, ...val], [...tokens]);
    }, { runs: 50 });
    const [train, val] = splitByPosition(stream(1000), 0.1);
    assert.equal(train.length, 900);
    assert.equal(val.length, 100);
  });

  test("accepts arrays and int32 tensors, and returns copies", () => {
    const [fromArray] = splitByPosition([5, 6, 7, 8], 0.25);
    assert.deepEqual([...fromArray], [5, 6, 7]);
    const source = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], { dtype: "int32" });
    const [train, val] = splitByPosition(source.slice(0, 0, 10, 2), 0.4); // a strided view: 1, 3, 5, 7, 9
    assert.deepEqual([...train], [1, 3, 5]);
    assert.deepEqual([...val], [7, 9]);
    const [head, tail] = splitByPosition(source.narrow(0, 3, 5), 0.2); // a contiguous view that starts at an offset: 4 … 8
    assert.deepEqual([...head], [4, 5, 6, 7]);
    assert.deepEqual([...tail], [8]);
    assert.deepEqual(randomWindows(source.narrow(0, 6, 2), 1, 1)[0].tolist(), [[7]]);
    const original = stream(10);
    const [copy] = splitByPosition(original, 0.5);
    copy[0] = -1;
    assert.equal(original[0], 1);
  });

  test("errors: fraction outside [0, 1], tokens that are not int32 ids", () => {
    for (const bad of [-0.1, 1.5, Number.NaN]) {
      assert.throws(() => splitByPosition(stream(10), bad), new RegExp(`splitByPosition: valFraction must be in \\[0, 1\\], got ${bad}`));
    }
    assert.throws(() => splitByPosition(tensor([1, 2, 3]), 0.5), /splitByPosition: a token tensor must be 1-D int32, got float32 of shape \[3\]/);
    assert.throws(() => splitByPosition(tensor([[1, 2]], { dtype: "int32" }), 0.5), /must be 1-D int32, got int32 of shape \[1, 2\]/);
    assert.throws(() => splitByPosition([1, 2.5, 3], 0.5), /splitByPosition: token 1 is 2.5; token ids must be integers that fit in int32/);
    assert.throws(() => splitByPosition([2 ** 31], 0.5), /token 0 is 2147483648/);
  });
});

describe("LanguageModelDataset", () => {
  test("window i is x = tokens[s : s+B], y = tokens[s+1 : s+B+1] with s = i·stride, for every window that fits", () => {
    forAll("windows", (g) => {
      const blockSize = g.randint(1, 8);
      const n = g.randint(blockSize + 1, 60);
      const stride = g.randint(1, 10);
      const tokens = stream(n);
      const dataset = new LanguageModelDataset(tokens, blockSize, { stride });
      const count = dataset.length;
      assert.ok((count - 1) * stride + blockSize + 1 <= n, "the last window must fit");
      assert.ok(count * stride + blockSize + 1 > n, "one more window would not fit");
      for (let i = 0; i < count; i++) {
        const [x, y] = dataset.getItem(i);
        const s = i * stride;
        assert.equal(x.dtype, "int32");
        assert.deepEqual(x.shape, [blockSize]);
        assert.deepEqual(x.tolist(), [...tokens.subarray(s, s + blockSize)]);
        assert.deepEqual(y.tolist(), [...tokens.subarray(s + 1, s + blockSize + 1)]);
      }
    }, { runs: 40 });
  });

  test("the default stride puts windows side by side: their inputs tile the stream", () => {
    const tokens = stream(103);
    const dataset = new LanguageModelDataset(tokens, 10);
    assert.equal(dataset.stride, 10);
    assert.equal(dataset.length, 10); // ⌊(103 − 11) / 10⌋ + 1
    const inputs = Array.from({ length: dataset.length }, (_, i) => dataset.getItem(i)[0].tolist() as number[]).flat();
    assert.deepEqual(inputs, [...tokens.subarray(0, 100)]);
    assert.equal(new LanguageModelDataset(stream(11), 10).length, 1); // exactly one window and its target
  });

  test("getBatch equals stacking getItem, and a DataLoader gives int32 [batch, blockSize] pairs", () => {
    const dataset = new LanguageModelDataset(arange(50), 6, { stride: 3 });
    const [x, y] = dataset.getBatch([4, 0, 13]);
    const items = [4, 0, 13].map((i) => dataset.getItem(i));
    assert.deepEqual(x.tolist(), stack(items.map(([xi]) => xi)).tolist());
    assert.deepEqual(y.tolist(), stack(items.map(([, yi]) => yi)).tolist());
    let windows = 0;
    for (const [xb, yb] of new DataLoader(dataset, { batchSize: 4, shuffle: true, generator: new Generator(5) })) {
      assert.equal(xb.dtype, "int32");
      assert.equal(xb.shape[1], 6);
      assert.deepEqual(yb.tolist(), rows(xb).map((row) => row.map((token) => token + 1))); // arange: the next token is token + 1
      windows += xb.shape[0]!;
    }
    assert.equal(windows, dataset.length);
  });

  test("errors: blockSize too large for the stream, bad blockSize or stride, index out of range", () => {
    assert.throws(() => new LanguageModelDataset(stream(10), 10),
      /LanguageModelDataset: blockSize 10 needs at least 11 tokens \(a window and the token after it\), but the stream has 10/);
    assert.throws(() => new LanguageModelDataset(stream(10), 0), /LanguageModelDataset: blockSize must be a positive integer, got 0/);
    assert.throws(() => new LanguageModelDataset(stream(10), 2.5), /blockSize must be a positive integer, got 2.5/);
    assert.throws(() => new LanguageModelDataset(stream(10), 3, { stride: 0 }), /LanguageModelDataset: stride must be a positive integer, got 0/);
    const dataset = new LanguageModelDataset(stream(10), 3);
    assert.throws(() => dataset.getItem(3), /LanguageModelDataset.getItem: index 3 is out of range for a dataset of length 3/);
    assert.throws(() => dataset.getBatch([0, -1]), /LanguageModelDataset.getBatch: index -1 is out of range/);
  });
});

describe("randomWindows", () => {
  test("rows are windows at uniform starts in 0 … n − blockSize − 1, y shifted by one", () => {
    const n = 20;
    const blockSize = 5;
    const generator = new Generator(9);
    const startsSeen = new Set<number>();
    for (let draw = 0; draw < 40; draw++) {
      const [x, y] = randomWindows(arange(n), blockSize, 8, { generator });
      assert.deepEqual(x.shape, [8, blockSize]);
      assert.equal(y.dtype, "int32");
      rows(x).forEach((row, r) => {
        const start = row[0]!;
        assert.ok(start >= 0 && start <= n - blockSize - 1, `start ${start}`);
        assert.deepEqual(row, Array.from({ length: blockSize }, (_, t) => start + t));
        assert.deepEqual(rows(y)[r], row.map((token) => token + 1));
        startsSeen.add(start);
      });
    }
    assert.equal(startsSeen.size, n - blockSize, "every possible start, including both ends, is drawn");
  });

  test("the same seed gives the same batch; different seeds differ", () => {
    const tokens = [...stream(500)];
    const [a] = randomWindows(tokens, 16, 4, { generator: new Generator(1) });
    const [b] = randomWindows(tokens, 16, 4, { generator: new Generator(1) });
    const [c] = randomWindows(tokens, 16, 4, { generator: new Generator(2) });
    assert.deepEqual(a.tolist(), b.tolist());
    assert.notDeepEqual(a.tolist(), c.tolist());
    assert.deepEqual(randomWindows(stream(2), 1, 3)[1].tolist(), [[8], [8], [8]]); // one possible window: default generator
  });

  test("errors", () => {
    assert.throws(() => randomWindows(stream(8), 8, 2), /randomWindows: blockSize 8 needs at least 9 tokens/);
    assert.throws(() => randomWindows(stream(8), 2, 0), /randomWindows: batchSize must be a positive integer, got 0/);
    assert.throws(() => randomWindows(stream(8), -1, 2), /randomWindows: blockSize must be a positive integer, got -1/);
  });
});

describe("batchify and bpttWindows", () => {
  test("batchify lays out batchSize equal contiguous pieces as rows, dropping the remainder", () => {
    const streams = batchify(arange(26), 4);
    assert.equal(streams.dtype, "int32");
    assert.deepEqual(streams.shape, [4, 6]);
    assert.deepEqual(rows(streams), [0, 1, 2, 3].map((b) => Array.from({ length: 6 }, (_, t) => 6 * b + t)));
    assert.throws(() => batchify(stream(3), 4), /batchify: 3 tokens cannot fill 4 rows/);
    assert.throws(() => batchify(stream(3), 0), /batchify: batchSize must be a positive integer, got 0/);
  });

  test("each row continues across windows: the windows' x tile streams[:, :−1] and y tile streams[:, 1:]", () => {
    forAll("bptt continuity", (g) => {
      const batchSize = g.randint(1, 5);
      const tokens = stream(g.randint(2 * batchSize, 80));
      const streams = batchify(tokens, batchSize);
      const length = streams.shape[1]!;
      const seqLen = g.randint(1, 12);
      const windows = [...bpttWindows(streams, seqLen)];
      assert.equal(windows.length, Math.ceil((length - 1) / seqLen));
      windows.forEach(([x, y], k) => {
        assert.equal(x.dtype, "int32");
        assert.deepEqual(x.shape, [batchSize, Math.min(seqLen, length - 1 - k * seqLen)]);
        assert.deepEqual(y.shape, x.shape);
        const next = windows[k + 1];
        if (next) {
          // Row b of window k+1 starts where row b of window k ended: y's last is the next x's first.
          const width = x.shape[1]!;
          assert.deepEqual(rows(y).map((row) => row[width - 1]), rows(next[0]).map((row) => row[0]));
        }
      });
      const columns = (pick: 0 | 1) => rows(streams).map((_, b) => windows.flatMap((w) => rows(w[pick])[b]!));
      assert.deepEqual(columns(0), rows(streams).map((row) => row.slice(0, length - 1)));
      assert.deepEqual(columns(1), rows(streams).map((row) => row.slice(1)));
    }, { runs: 40 });
  });

  test("iterable once per epoch, any number of times", () => {
    const windows = bpttWindows(batchify(arange(20), 2), 4); // rows of 10: windows of 4, 4, 1
    const first = [...windows].map(([x]) => rows(x));
    assert.deepEqual(first, [[[0, 1, 2, 3], [10, 11, 12, 13]], [[4, 5, 6, 7], [14, 15, 16, 17]], [[8], [18]]]);
    assert.deepEqual([...windows].map(([x]) => rows(x)), first);
  });

  test("errors", () => {
    assert.throws(() => bpttWindows(arange(10), 3), /bpttWindows: streams must be int32 \[batchSize, length\] \(from batchify\), got int32 of shape \[10\]/);
    assert.throws(() => bpttWindows(batchify(arange(10), 2).float(), 3), /got float32 of shape \[2, 5\]/);
    assert.throws(() => bpttWindows(batchify(arange(10), 2), 0), /bpttWindows: seqLen must be a positive integer, got 0/);
    assert.throws(() => bpttWindows(batchify(arange(10), 10), 3), /bpttWindows: each stream needs at least 2 tokens \(an input and its target\), got 1/);
  });
});

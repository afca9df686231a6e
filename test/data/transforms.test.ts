// The data transforms: compose, normalize, Standardizer, the random image
// augmentations (flip, crop, shift, affine) and oneHot. Exact outputs on small
// hand-made images, random draws reproduced from a generator with the same
// seed, per-image independence within a batch, and argument errors.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Generator, arange, manualSeed, rand, randn, tensor, type NestedArray, type Tensor } from "../../src/core/index.ts";
import {
  Standardizer, compose, normalize, oneHot, randomAffine, randomCrop, randomHorizontalFlip, randomShift,
} from "../../src/data/transforms/index.ts";
import { assertClose } from "../helpers/assert.ts";

/** A [1, 3, 3] image holding 1 .. 9. */
const NINE = tensor([[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]);

/** The images of a batch [N, ...] as nested arrays. */
function images(batch: Tensor): NestedArray[] {
  return batch.tolist() as NestedArray[];
}

/** A batch of n copies of one image. */
function copies(image: Tensor, n: number): Tensor {
  return image.unsqueeze(0).expand([n, ...image.shape]).contiguous();
}

/** Every h×w window of `plane` padded by `padding` pixels of `fill`, as JSON, keyed by offset. */
function allCrops(plane: number[][], h: number, w: number, padding: number, fill: number): Map<string, string> {
  const height = plane.length, width = plane[0]!.length;
  const at = (y: number, x: number) => (y >= 0 && y < height && x >= 0 && x < width ? plane[y]![x]! : fill);
  const crops = new Map<string, string>();
  for (let top = 0; top + h <= height + 2 * padding; top++) {
    for (let left = 0; left + w <= width + 2 * padding; left++) {
      const crop = Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => at(top - padding + y, left - padding + x)));
      crops.set(`${top},${left}`, JSON.stringify([crop]));
    }
  }
  return crops;
}

describe("compose", () => {
  test("applies the transforms in order; none gives the input back", () => {
    const x = tensor([1, 2]);
    const addOne = (t: Tensor) => t.add(1);
    const double = (t: Tensor) => t.mul(2);
    assert.deepEqual(compose([addOne, double])(x).tolist(), [4, 6]);
    assert.deepEqual(compose([double, addOne])(x).tolist(), [3, 5]);
    assert.equal(compose([])(x), x);
  });

  test("rejects what is not a list of functions", () => {
    assert.throws(() => compose([(t: Tensor) => t, 3 as unknown as (t: Tensor) => Tensor]), /compose: transform 1 is a number, not a function/);
    assert.throws(() => compose("abc" as unknown as []), /compose: expected an array of transforms, got string/);
  });
});

describe("normalize", () => {
  test("subtracts each channel's mean and divides by its std", () => {
    const image = tensor([[[1, 3], [5, 7]], [[2, 4], [6, 10]]]); // [2, 2, 2]
    const out = normalize([1, 2], [2, 4])(image);
    assert.equal(out.dtype, "float32");
    assertClose(out, [[[0, 1], [2, 3]], [[0, 0.5], [1, 2]]]);
    // A batch: the channel dim is dim 1.
    const batch = tensor([[[[1]], [[2]]], [[[3]], [[6]]]]); // [2, 2, 1, 1]
    assertClose(normalize([1, 2], [2, 4])(batch), [[[[0]], [[0]]], [[[1]], [[1]]]]);
  });

  test("one number for every channel, [H, W] images, float64 kept, input untouched", () => {
    const image = tensor([[0.5, 1.5]], { dtype: "float64" });
    const out = normalize(0.5, 0.25)(image);
    assert.equal(out.dtype, "float64");
    assert.deepEqual(out.tolist(), [[0, 4]]);
    assert.deepEqual(image.tolist(), [[0.5, 1.5]]);
    assertClose(normalize([1], [2])(tensor([[[1, 3]], [[5, 7]]])), [[[0, 1]], [[2, 3]]]);
  });

  test("errors: integer images, channel counts, zero std, bad shapes", () => {
    assert.throws(() => normalize(0, 1)(arange(4).reshape(2, 2)), /normalize: the images must be float32 or float64, got int32 \(shape \[2, 2\]\)/);
    assert.throws(() => normalize([0, 0], [1, 1])(rand([3, 2, 2])), /normalize: mean has 2 values, but the images of shape \[3, 2, 2\] have 3 channels/);
    assert.throws(() => normalize(0, [1, 1])(rand([3, 2, 2])), /normalize: std has 2 values/);
    assert.throws(() => normalize(0, [1, 0]), /normalize: std\[1\] is 0, which would divide by zero/);
    assert.throws(() => normalize([], 1), /normalize: mean must be a finite number or a non-empty array/);
    assert.throws(() => normalize(NaN, 1), /normalize: mean must be a finite number/);
    assert.throws(() => normalize(0, 1)(rand([5])), /normalize: expected one image \[H, W\] or \[C, H, W\], or a batch \[N, C, H, W\]; got shape \[5\]/);
  });
});

describe("Standardizer", () => {
  const generator = new Generator(3);
  // Three features on very different scales.
  const train = randn([400, 3], { generator }).mul(tensor([1, 50, 0.01])).add(tensor([5, -200, 0.3]));
  const testSplit = randn([100, 3], { generator }).mul(tensor([1, 50, 0.01])).add(tensor([5, -200, 0.3]));

  test("fitted on the training set, its columns come out with mean 0 and std 1", () => {
    const scaler = Standardizer.fit(train);
    assert.equal(scaler.features, 3);
    assert.equal(scaler.mean.dtype, "float64");
    const out = scaler.transform(train);
    assert.equal(out.dtype, "float32");
    assertClose(out.mean(0), [0, 0, 0], { atol: 1e-5 });
    assertClose(out.std(0, { correction: 0 }), [1, 1, 1], { atol: 1e-5 });
    // The statistics are the training set's (population std, as sklearn).
    assertClose(scaler.mean, train.double().mean(0).tolist(), { atol: 1e-9, rtol: 1e-9 });
    assertClose(scaler.std, train.double().std(0, { correction: 0 }).tolist(), { atol: 1e-9, rtol: 1e-9 });
  });

  test("other splits use the training statistics, not their own", () => {
    const scaler = Standardizer.fit(train);
    const mean = scaler.mean.tolist() as number[], std = scaler.std.tolist() as number[];
    const expected = (testSplit.tolist() as number[][]).map((row) => row.map((v, f) => (v - mean[f]!) / std[f]!));
    const out = scaler.transform(testSplit);
    assertClose(out, expected, { atol: 1e-5 });
    // …and so its own mean is not exactly 0.
    const ownMean = out.mean(0).abs().max().item();
    assert.ok(ownMean > 1e-3, `the test split's mean ${ownMean} should differ from 0`);
  });

  test("inverse undoes transform", () => {
    const scaler = Standardizer.fit(train.double());
    const back = scaler.inverse(scaler.transform(testSplit.double()));
    assertClose(back, testSplit.double().tolist(), { atol: 1e-9, rtol: 1e-12 });
  });

  test("a constant feature is only centred: scale 1, no division by zero", () => {
    const x = tensor([[1, 0.1], [2, 0.1], [3, 0.1]], { dtype: "float64" });
    const scaler = Standardizer.fit(x);
    assert.deepEqual(scaler.std.tolist(), [Math.sqrt(2 / 3), 0]);
    assert.deepEqual(scaler.scale.tolist(), [Math.sqrt(2 / 3), 1]);
    const out = scaler.transform(tensor([[2, 0.1], [2, 1.1]], { dtype: "float64" }));
    assertClose(out, [[0, 0], [0, 1]], { atol: 1e-12 });
    assert.ok(Array.from(out.toTypedArray()).every(Number.isFinite));
    // eps: a feature with std below it also counts as constant.
    const loose = Standardizer.fit(tensor([[0], [1e-6]], { dtype: "float64" }), { eps: 1e-3 });
    assert.deepEqual(loose.scale.tolist(), [1]);
  });

  test("features in the last dim of any shape; integers give float32; methods can be passed on", () => {
    const scaler = new Standardizer(tensor([1, 2]), tensor([2, 4]));
    const x = arange(8).reshape(2, 2, 2); // int32 [2, 2, 2]: pairs of features
    const out = compose([scaler.transform])(x);
    assert.equal(out.dtype, "float32");
    assertClose(out, [[[-0.5, -0.25], [0.5, 0.25]], [[1.5, 0.75], [2.5, 1.25]]]);
    const { inverse } = scaler;
    assertClose(inverse(out), x.tolist());
  });

  test("errors", () => {
    const scaler = Standardizer.fit(train);
    assert.throws(() => scaler.transform(rand([5, 2])), /Standardizer.transform: expected features in the last dim, 3 of them \(as in fit\), got shape \[5, 2\]/);
    assert.throws(() => scaler.inverse(tensor(1)), /Standardizer.inverse: expected features in the last dim/);
    assert.throws(() => Standardizer.fit(rand([5])), /Standardizer.fit: expected a non-empty table \[n, features\], got shape \[5\]/);
    assert.throws(() => Standardizer.fit(rand([0, 2])), /Standardizer.fit: expected a non-empty table/);
    assert.throws(() => new Standardizer(tensor([0, 0]), tensor([1])), /Standardizer: mean has 2 features but std has 1/);
    assert.throws(() => new Standardizer(tensor([0]), tensor([-1])), /Standardizer: std\[0\] is -1, but a standard deviation is ≥ 0/);
    assert.throws(() => new Standardizer(tensor([[0]]), tensor([1])), /Standardizer: mean must be a non-empty 1-D tensor \[features\], got shape \[1, 1\]/);
    assert.throws(() => new Standardizer(tensor([NaN]), tensor([1])), /Standardizer: mean has a non-finite value/);
    assert.throws(() => Standardizer.fit(train, { eps: -1 }), /Standardizer: eps must be a finite number ≥ 0, got -1/);
  });
});

describe("randomHorizontalFlip", () => {
  test("p = 1 mirrors every row, p = 0 copies; shape and dtype kept, input untouched", () => {
    const flipped = randomHorizontalFlip({ p: 1 })(NINE);
    assert.deepEqual(flipped.tolist(), [[[3, 2, 1], [6, 5, 4], [9, 8, 7]]]);
    const kept = randomHorizontalFlip({ p: 0 })(NINE);
    assert.deepEqual(kept.tolist(), NINE.tolist());
    assert.notEqual(kept, NINE);
    const ints = arange(6).reshape(2, 3); // an [H, W] int32 image
    const out = randomHorizontalFlip({ p: 1 })(ints);
    assert.equal(out.dtype, "int32");
    assert.deepEqual(out.tolist(), [[2, 1, 0], [5, 4, 3]]);
    assert.deepEqual(NINE.tolist(), [[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]);
  });

  test("every channel of an image flips together; images of a batch draw independently", () => {
    const image = tensor([[[1, 2]], [[3, 4]]]); // [2, 1, 2]
    const batch = copies(image, 64);
    const out = images(randomHorizontalFlip({ generator: new Generator(1) })(batch));
    const original = JSON.stringify(image.tolist());
    const mirrored = JSON.stringify([[[2, 1]], [[4, 3]]]);
    const flips = out.filter((img) => JSON.stringify(img) === mirrored).length;
    assert.equal(out.filter((img) => JSON.stringify(img) === original).length + flips, 64);
    assert.ok(flips >= 16 && flips <= 48, `${flips} of 64 flipped with p = 0.5`);
  });

  test("seeded: one draw per image, u < p flips", () => {
    const batch = copies(NINE, 20);
    const a = randomHorizontalFlip({ p: 0.3, generator: new Generator(5) })(batch);
    const b = randomHorizontalFlip({ p: 0.3, generator: new Generator(5) })(batch);
    assert.deepEqual(a.tolist(), b.tolist());
    const replay = new Generator(5);
    images(a).forEach((img, i) => {
      const expected = replay.random() < 0.3 ? [[[3, 2, 1], [6, 5, 4], [9, 8, 7]]] : NINE.tolist();
      assert.deepEqual(img, expected, `image ${i}`);
    });
    manualSeed(4);
    const c = randomHorizontalFlip()(batch);
    manualSeed(4);
    assert.deepEqual(randomHorizontalFlip()(batch).tolist(), c.tolist());
  });

  test("errors", () => {
    assert.throws(() => randomHorizontalFlip({ p: 1.5 }), /randomHorizontalFlip: p must be a probability in \[0, 1\], got 1.5/);
    assert.throws(() => randomHorizontalFlip()(rand([4])), /randomHorizontalFlip: expected one image \[H, W\] or \[C, H, W\], or a batch \[N, C, H, W\]; got shape \[4\]/);
    assert.throws(() => randomHorizontalFlip()(rand([1, 1, 1, 2, 2])), /got shape \[1, 1, 1, 2, 2\]/);
  });
});

describe("randomCrop", () => {
  test("the crop sits at the offsets the generator draws (top, then left), in the padded image", () => {
    const crops = allCrops([[1, 2, 3], [4, 5, 6], [7, 8, 9]], 3, 3, 1, 0);
    const seen = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const out = randomCrop(3, { padding: 1, generator: new Generator(seed) })(NINE);
      const replay = new Generator(seed);
      const top = replay.randint(0, 3), left = replay.randint(0, 3);
      assert.equal(JSON.stringify(out.tolist()), crops.get(`${top},${left}`), `seed ${seed}: offset ${top},${left}`);
      seen.add(`${top},${left}`);
    }
    assert.equal(seen.size, 9, "every offset of the padded 5×5 image occurs");
    // Offset (0, 0) by hand: the padding row and column, then the image's top-left 2×2.
    assert.equal(crops.get("0,0"), JSON.stringify([[[0, 0, 0], [0, 1, 2], [0, 4, 5]]]));
  });

  test("each image of a batch gets its own valid crop; fill, rectangular sizes and [H, W] images", () => {
    const plane = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12]];
    const image = tensor([plane]); // [1, 3, 4]
    const batch = copies(image, 30);
    const out = randomCrop([2, 3], { padding: 2, fill: -1, generator: new Generator(2) })(batch);
    assert.deepEqual(out.shape, [30, 1, 2, 3]);
    const valid = new Set(allCrops(plane, 2, 3, 2, -1).values());
    const outputs = images(out).map((img) => JSON.stringify(img));
    outputs.forEach((crop, i) => assert.ok(valid.has(crop), `image ${i}: ${crop} is not a crop of the padded image`));
    assert.ok(new Set(outputs).size > 5, "the images of a batch are cropped at different places");
    const single = randomCrop(2, { generator: new Generator(0) })(tensor(plane)); // no padding: a window of the image
    assert.deepEqual(single.shape, [2, 2]);
    assert.ok(new Set([...allCrops(plane, 2, 2, 0, 0).values()].map((c) => JSON.stringify(JSON.parse(c)[0]))).has(JSON.stringify(single.tolist())));
  });

  test("channels share the offset; int32 kept; a full-size crop without padding is the image", () => {
    const image = tensor([[[1, 2], [3, 4]], [[10, 20], [30, 40]]], { dtype: "int32" });
    const out = randomCrop(2, { padding: 1, fill: 7, generator: new Generator(6) })(image);
    assert.equal(out.dtype, "int32");
    const [first, second] = out.tolist() as number[][][];
    // Channel 1 is channel 0 times 10 wherever the image shows, and the fill 7 elsewhere.
    first!.forEach((row, y) => row.forEach((v, x) => assert.equal(second![y]![x], v === 7 ? 7 : v * 10)));
    assert.deepEqual(randomCrop(2)(image).tolist(), image.tolist());
  });

  test("errors", () => {
    assert.throws(() => randomCrop(0), /randomCrop: size must be a positive integer or a pair \[height, width\] of them, got 0/);
    assert.throws(() => randomCrop([2, 1.5]), /randomCrop: size must be a positive integer or a pair/);
    assert.throws(() => randomCrop(2, { padding: -1 }), /randomCrop: padding must be an integer ≥ 0, got -1/);
    assert.throws(() => randomCrop(2, { fill: NaN }), /randomCrop: fill must be a finite number, got NaN/);
    assert.throws(() => randomCrop(6, { padding: 1 })(NINE), /randomCrop: a 6×6 crop does not fit in images of shape \[1, 3, 3\] padded by 1 \(5×5\)/);
    assert.throws(() => randomCrop(2)(rand([2])), /randomCrop: expected one image/);
  });
});

describe("randomShift", () => {
  test("moves the content by the drawn (dx, dy), dx first, filling the border", () => {
    const plane = Array.from({ length: 5 }, () => new Array<number>(5).fill(0));
    plane[2]![2] = 1; // one bright pixel in the centre
    const image = tensor([plane]);
    for (let seed = 0; seed < 20; seed++) {
      const out = randomShift(2, { fill: 0, generator: new Generator(seed) })(image);
      const replay = new Generator(seed);
      const dx = replay.randint(-2, 3), dy = replay.randint(-2, 3);
      const expected = Array.from({ length: 5 }, (_, y) => Array.from({ length: 5 }, (_, x) => (y === 2 + dy && x === 2 + dx ? 1 : 0)));
      assert.deepEqual(out.tolist(), [expected], `seed ${seed}: dx ${dx}, dy ${dy}`);
    }
  });

  test("the uncovered border takes the fill; maxShift 0 is a copy; images of a batch move independently", () => {
    const shifted = randomShift(1, { fill: -5, generator: new Generator(3) })(NINE);
    const replay = new Generator(3);
    const dx = replay.randint(-1, 2), dy = replay.randint(-1, 2);
    const expected = [1, 2, 3].map((_, y) => [1, 2, 3].map((_, x) => {
      const sy = y - dy, sx = x - dx;
      return sy >= 0 && sy < 3 && sx >= 0 && sx < 3 ? 3 * sy + sx + 1 : -5;
    }));
    assert.deepEqual(shifted.tolist(), [expected]);
    assert.deepEqual(randomShift(0)(NINE).tolist(), NINE.tolist());
    const outputs = images(randomShift(1, { generator: new Generator(8) })(copies(NINE, 40))).map((img) => JSON.stringify(img));
    assert.ok(new Set(outputs).size >= 7, `only ${new Set(outputs).size} distinct shifts among 40 images`);
  });

  test("errors", () => {
    assert.throws(() => randomShift(-1), /randomShift: maxShift must be an integer ≥ 0 \(pixels\), got -1/);
    assert.throws(() => randomShift(1.5), /randomShift: maxShift must be an integer ≥ 0/);
    assert.throws(() => randomShift(1, { fill: Infinity }), /randomShift: fill must be a finite number, got Infinity/);
  });
});

describe("randomAffine", () => {
  test("degrees 0, translate [0, 0], scale [1, 1] is the identity", () => {
    const batch = rand([4, 3, 7, 6], { generator: new Generator(0) });
    const out = randomAffine({ degrees: 0, translate: [0, 0], scale: [1, 1], generator: new Generator(1) })(batch);
    assert.deepEqual(out.toTypedArray(), batch.toTypedArray());
    assert.deepEqual(randomAffine()(NINE).tolist(), NINE.tolist());
  });

  test("a 90° turn makes a horizontal bar vertical, and turns clockwise (as torchvision's RandomAffine)", () => {
    const bar = tensor([[0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]]);
    const turned = randomAffine({ degrees: [90, 90] })(bar);
    assert.deepEqual(turned.tolist(), [0, 1, 2, 3, 4].map(() => [0, 0, 1, 0, 0]));
    // The pixel right of the centre goes below it: clockwise as displayed (rows go down).
    const dot = tensor([[0, 0, 0], [0, 0, 1], [0, 0, 0]]);
    assert.deepEqual(randomAffine({ degrees: [90, 90] })(dot).tolist(), [[0, 0, 0], [0, 0, 0], [0, 1, 0]]);
    assert.deepEqual(randomAffine({ degrees: [-90, -90] })(dot).tolist(), [[0, 1, 0], [0, 0, 0], [0, 0, 0]]);
    assert.deepEqual(randomAffine({ degrees: [180, 180] })(NINE).tolist(), [[[9, 8, 7], [6, 5, 4], [3, 2, 1]]]);
  });

  test("scaling samples bilinearly about the centre; integer images are rounded", () => {
    const row = tensor([[0, 10, 20, 30, 40]]); // [1, 5]: centre x = 2
    // Output x reads the input at 2 + (x − 2)/2.
    assertClose(randomAffine({ scale: [2, 2] })(row), [[10, 15, 20, 25, 30]]);
    const ints = tensor([[0, 1, 2, 3, 4]], { dtype: "int32" });
    const out = randomAffine({ scale: [2, 2] })(ints);
    assert.equal(out.dtype, "int32");
    assert.deepEqual(out.tolist(), [[1, 2, 2, 3, 3]]); // 1, 1.5, 2, 2.5, 3 rounded half up
    // Shrinking by half reads at 2 + 2(x − 2): the outer pixels come from outside and take the fill.
    assertClose(randomAffine({ scale: [0.5, 0.5], fill: -1 })(row), [[-1, 0, 20, 40, -1]]);
  });

  test("a 45° turn blends neighbours: values stay between the fill and the image's range", () => {
    const ones = tensor([[[1, 1, 1, 1, 1], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1]]]);
    const out = randomAffine({ degrees: [45, 45], fill: 0 })(ones).tolist() as number[][][];
    const values = out.flat(2);
    assert.ok(values.every((v) => v >= -1e-6 && v <= 1 + 1e-6));
    assert.ok(Math.abs(out[0]![2]![2]! - 1) < 1e-6, "the centre stays");
    // The corner (−2, −2) from the centre is read at (0, −2√2): 2√2 − 2 of a pixel above the image,
    // so it blends the fill (weight 2√2 − 2) with the top row (weight 3 − 2√2).
    assert.ok(Math.abs(out[0]![0]![0]! - (3 - 2 * Math.SQRT2)) < 1e-6, `corner ${out[0]![0]![0]}`);
    assert.ok(values.filter((v) => v > 0.05 && v < 0.95).length === 12, "the four corners and their eight neighbours blend image and fill");
  });

  test("translations are whole pixels, drawn after the angle, before the scale", () => {
    const image = rand([1, 6, 10], { generator: new Generator(4) });
    const planes = image.tolist() as number[][][];
    for (let seed = 0; seed < 10; seed++) {
      const out = randomAffine({ translate: [0.2, 0.34], generator: new Generator(seed) })(image);
      const replay = new Generator(seed);
      replay.random(); // the angle, from [0, 0]
      const dx = Math.round(-2 + 4 * replay.random()); // max |dx| = 0.2 · 10
      const dy = Math.round(-2.04 + 4.08 * replay.random()); // max |dy| = 0.34 · 6
      const expected = planes.map((plane) => plane.map((row, y) => row.map((_, x) => plane[y - dy]?.[x - dx] ?? 0)));
      assertClose(out, expected, { atol: 1e-6, message: `seed ${seed}, dx ${dx}, dy ${dy}` });
    }
  });

  test("batches: each image its own draw; the same seed, the same result", () => {
    const batch = copies(NINE, 16);
    const transform = () => randomAffine({ degrees: 30, translate: [0.3, 0.3], scale: [0.8, 1.2], generator: new Generator(9) });
    const a = transform()(batch);
    assert.deepEqual(a.shape, [16, 1, 3, 3]);
    assert.deepEqual(a.tolist(), transform()(batch).tolist());
    assert.equal(new Set(images(a).map((img) => JSON.stringify(img))).size, 16);
    assert.deepEqual(NINE.tolist(), [[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]);
  });

  test("errors", () => {
    assert.throws(() => randomAffine({ degrees: -1 }), /randomAffine: degrees must be a number ≥ 0 or a pair \[min, max\], got -1/);
    assert.throws(() => randomAffine({ degrees: [10, 5] }), /randomAffine: degrees must be a pair \[min, max\] with −360 ≤ min ≤ max ≤ 360, got \[10,5\]/);
    assert.throws(() => randomAffine({ translate: [1.5, 0] }), /randomAffine: translate must be a pair \[min, max\] with 0 ≤ min ≤ max ≤ 1/);
    assert.throws(() => randomAffine({ scale: [0, 1] }), /randomAffine: scale must be a pair \[min, max\] with 0 < min ≤ max, got \[0,1\]/);
    assert.throws(() => randomAffine({ fill: NaN }), /randomAffine: fill must be a finite number, got NaN/);
    assert.throws(() => randomAffine()(rand([3])), /randomAffine: expected one image/);
  });
});

describe("all image transforms", () => {
  test("read non-contiguous inputs and return new tensors", () => {
    const base = rand([2, 1, 4, 4], { generator: new Generator(0) });
    const transposed = base.transpose(2, 3); // a view with permuted strides
    const expected = transposed.contiguous().tolist();
    for (const transform of [randomHorizontalFlip({ p: 0 }), randomCrop(4), randomShift(0), randomAffine(), normalize(0, 1)]) {
      const out = transform(transposed);
      assert.deepEqual(out.tolist(), expected);
      assert.ok(out.isContiguous());
      assert.equal(out.requiresGrad, false);
    }
  });
});

describe("oneHot", () => {
  test("class indices become float32 one-hot rows", () => {
    const out = oneHot(4)(tensor([2, 0, 3], { dtype: "int32" }));
    assert.equal(out.dtype, "float32");
    assert.deepEqual(out.tolist(), [[0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 0, 1]]);
    assert.deepEqual(oneHot(3)(tensor(1, { dtype: "int32" })).tolist(), [0, 1, 0]); // one label → one row
  });

  test("errors", () => {
    assert.throws(() => oneHot(0), /oneHot: numClasses must be a positive integer, got 0/);
    assert.throws(() => oneHot(2.5), /oneHot: numClasses must be a positive integer, got 2.5/);
    assert.throws(() => oneHot(3)(tensor([3], { dtype: "int32" })), /oneHot: class value 3 is too large for numClasses=3/);
    assert.throws(() => oneHot(3)(tensor([1])), /oneHot: the class indices must be an int32 tensor, got float32/);
  });
});

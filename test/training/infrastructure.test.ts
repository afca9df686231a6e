// The pieces every training script uses: the PNG writer (checked by decoding
// the file: signature, chunk CRCs, pixels), the progress bar's plain-text mode,
// and the measurement helpers.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { tensor } from "../../src/index.ts";
import { readPng as readAnyPng } from "../helpers/figures.ts";
import { crc32, encodeGreyscalePng, writeImageGrid } from "../../chapters/_kit/png.ts";
import { ProgressBar, formatDuration } from "../../chapters/_kit/progress.ts";
import { bigramCrossEntropy, unigramCrossEntropy } from "../../training/text-baselines.ts";
import { atLeast, atMost, reported } from "../../training/types.ts";

/** The PNG reader of the figure checks: signature, every CRC, chunk order, sizes, filters; here greyscale only. */
function readPng(bytes: Uint8Array): ReturnType<typeof readAnyPng> {
  const png = readAnyPng(bytes);
  assert.equal(png.colourType, 0, "8-bit greyscale");
  return png;
}

test("crc32 gives the standard check value", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});

test("a PNG decodes back to its pixels, with valid chunk CRCs", () => {
  const pixels = Uint8Array.from({ length: 15 }, (_, i) => i * 17);
  const png = readPng(encodeGreyscalePng(pixels, 5, 3));
  assert.deepEqual(png.types, ["IHDR", "IDAT", "IEND"]);
  assert.equal(png.width, 5);
  assert.equal(png.height, 3);
  assert.deepEqual([...png.pixels], [...pixels]);
  assert.throws(() => encodeGreyscalePng(pixels, 4, 3), /15 pixels for 4×3/);
});

test("writeImageGrid lays images out in a grid with 1-pixel borders, values mapped to 0..255", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "grid-"));
  try {
    // Two 2×2 images: all black (0) and all white (1), one column, scale 1.
    const images = tensor([[[[0, 0], [0, 0]]], [[[1, 1], [1, 1]]]]);
    const file = writeImageGrid(path.join(dir, "nested", "grid.png"), images, { columns: 1, scale: 1 });
    const png = readPng(fs.readFileSync(file));
    assert.equal(png.width, 1 * (2 + 1) + 1); // columns · (w + border) + the last border
    assert.equal(png.height, 2 * (2 + 1) + 1);
    const at = (x: number, y: number) => png.pixels[y * png.width + x];
    assert.equal(at(0, 0), 128); // border
    assert.equal(at(1, 1), 0); // first image
    assert.equal(at(2, 5), 255); // second image
    assert.throws(() => writeImageGrid(path.join(dir, "x.png"), tensor([1, 2])), /expected images \[N, 1, H, W\]/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the progress bar prints a plain line at every 10 % when the output is not a terminal", () => {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (text: string) => lines.push(text) } as unknown as NodeJS.WriteStream;
  const bar = new ProgressBar(20, { label: "epoch 1/1", unit: "steps", stream });
  for (let i = 0; i < 20; i++) bar.tick(1, `loss ${(1 / (i + 1)).toFixed(2)}`);
  bar.finish();
  // The first tick starts the 0–10 % tenth; ticks 2, 4, …, 20 reach the tenths 10 %, 20 %, …, 100 %: 11 lines.
  assert.equal(lines.length, 11);
  assert.match(lines.at(-1)!, /^epoch 1\/1 █{24} 100% 20\/20 steps · [\d.]+ steps\/s · took [\d.]+s · loss 0\.05\n$/);
  assert.throws(() => new ProgressBar(-1), /non-negative integer/);
});

test("durations and measurements read as intended", () => {
  assert.equal(formatDuration(4.24), "4.2s");
  assert.equal(formatDuration(75), "1m15s");
  assert.equal(formatDuration(299.6), "5m00s");
  assert.deepEqual(atLeast("accuracy", 0.97, 0.96), { name: "accuracy", value: 0.97, target: "≥ 0.96", met: true });
  assert.equal(atMost("loss", 2.1, 2).met, false);
  assert.equal(reported("baseline", 3).target, "");
});

test("the counting baselines, worked by hand with add-one smoothing", () => {
  const train = Int32Array.of(0, 1, 0, 1), val = Int32Array.of(0, 1);
  // unigram: p(0) = p(1) = (2 + 1) / (4 + 2) = 1/2
  assert.ok(Math.abs(unigramCrossEntropy(train, val, 2) - Math.log(2)) < 1e-15);
  // bigram: the pair (0, 1) was seen twice after 0 was seen twice: p(1 | 0) = (2 + 1) / (2 + 2)
  assert.ok(Math.abs(bigramCrossEntropy(train, val, 2) + Math.log(3 / 4)) < 1e-15);
});

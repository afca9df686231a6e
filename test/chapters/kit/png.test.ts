// The PNG writers, checked by decoding what they write: grey and RGB encoders,
// image grids ([N,1,H,W] or [N,H,W], fixed or per-image range) and colour heatmaps.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { tensor } from "../../../src/index.ts";
import { colourMap, encodeGreyscalePng, encodeRgbPng, writeHeatmapPng, writeImageGrid } from "../../../chapters/_kit/png.ts";
import { assertValidFigure, readPng } from "../../helpers/figures.ts";

function inTemporaryFolder(body: (dir: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-png-"));
  try {
    body(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test("a greyscale PNG decodes back to its pixels", () => {
  const pixels = Uint8Array.from({ length: 15 }, (_, i) => i * 17);
  const png = readPng(encodeGreyscalePng(pixels, 5, 3));
  assert.deepEqual(png.types, ["IHDR", "IDAT", "IEND"]);
  assert.equal(png.colourType, 0);
  assert.deepEqual([png.width, png.height], [5, 3]);
  assert.deepEqual([...png.pixels], [...pixels]);
  assert.throws(() => encodeGreyscalePng(pixels, 4, 3), /15 pixels for 4×3/);
});

test("an RGB PNG (colour type 2) decodes back to its pixels", () => {
  const pixels = Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30);
  const png = readPng(encodeRgbPng(pixels, 2, 2));
  assert.equal(png.colourType, 2);
  assert.equal(png.channels, 3);
  assert.deepEqual([...png.pixels], [...pixels]);
  assert.throws(() => encodeRgbPng(pixels, 3, 2), /12 bytes for 3×2 RGB pixels \(expected 18\)/);
  assert.throws(() => encodeRgbPng(new Uint8Array(0), 0, 0), /positive integers/);
});

test("writeImageGrid takes [N, H, W] as well as [N, 1, H, W], with 1-pixel grey borders", () => {
  inTemporaryFolder((dir) => {
    const values = [[[0, 1], [0.5, 0]], [[1, 1], [0, 0]]];
    for (const images of [tensor(values), tensor(values).unsqueeze(1)]) {
      const file = writeImageGrid(path.join(dir, "nested", "grid.png"), images, { columns: 2, scale: 1 });
      assertValidFigure(file);
      const png = readPng(fs.readFileSync(file));
      assert.deepEqual([png.width, png.height], [2 * 3 + 1, 1 * 3 + 1]);
      const at = (x: number, y: number) => png.pixels[y * png.width + x];
      assert.deepEqual([at(0, 0), at(1, 1), at(2, 1), at(1, 2), at(3, 1), at(4, 1), at(5, 2)], [128, 0, 255, 128, 128, 255, 0]);
    }
  });
});

test('writeImageGrid with range "each" stretches every image to its own min..max; a constant image is mid grey', () => {
  inTemporaryFolder((dir) => {
    const images = tensor([[[-3, -1]], [[10, 30]], [[5, 5]]]); // three 1×2 images
    const file = writeImageGrid(path.join(dir, "each.png"), images, { columns: 3, scale: 1, range: "each" });
    const png = readPng(fs.readFileSync(file));
    const row = [...png.pixels.subarray(png.width, 2 * png.width)];
    // border, image 0 (black, white), border, image 1 (black, white), border, image 2 (grey, grey), border
    assert.deepEqual(row, [128, 0, 255, 128, 0, 255, 128, 128, 128, 128]);
    // The fixed default range [0, 1] clips instead.
    const clipped = readPng(fs.readFileSync(writeImageGrid(path.join(dir, "fixed.png"), images, { columns: 3, scale: 1 })));
    assert.deepEqual([...clipped.pixels.subarray(clipped.width + 1, clipped.width + 3)], [0, 0]);
  });
});

test("writeImageGrid refuses bad shapes, ranges and values", () => {
  inTemporaryFolder((dir) => {
    const file = path.join(dir, "x.png");
    assert.throws(() => writeImageGrid(file, tensor([1, 2])), /expected images \[N, 1, H, W\] or \[N, H, W\]/);
    assert.throws(() => writeImageGrid(file, tensor([[[[1]]], [[[2]]]]).expand([2, 3, 1, 1])), /expected images/);
    assert.throws(() => writeImageGrid(file, tensor([[[1]]]), { range: [1, 1] }), /low < high/);
    assert.throws(() => writeImageGrid(file, tensor([[[NaN]]])), /NaN/);
  });
});

test("writeHeatmapPng writes RGB through the colour map, scaled up", () => {
  inTemporaryFolder((dir) => {
    const sequential = readPng(fs.readFileSync(writeHeatmapPng(path.join(dir, "s.png"), tensor([[0, 1], [2, 4]]), { scale: 2 })));
    assert.equal(sequential.colourType, 2);
    assert.deepEqual([sequential.width, sequential.height], [4, 4]);
    const rgb = (png: typeof sequential, x: number, y: number) => [...png.pixels.subarray(3 * (y * png.width + x), 3 * (y * png.width + x) + 3)];
    assert.deepEqual(rgb(sequential, 0, 0), colourMap(0)); // the minimum
    assert.deepEqual(rgb(sequential, 1, 1), colourMap(0)); // the same value, scaled up
    assert.deepEqual(rgb(sequential, 3, 3), colourMap(1)); // the maximum
    assert.deepEqual(rgb(sequential, 1, 2), colourMap(0.5)); // 2 (row 1, column 0) is halfway from 0 to 4
    const diverging = readPng(fs.readFileSync(writeHeatmapPng(path.join(dir, "d.png"), tensor([[-2, 0, 1]]), { scale: 1, diverging: true })));
    assert.deepEqual(rgb(diverging, 0, 0), [33, 102, 172]); // −max: full blue
    assert.deepEqual(rgb(diverging, 1, 0), [247, 247, 247]); // 0: white
    assert.deepEqual(rgb(diverging, 2, 0), colourMap(0.75, true)); // +half: halfway to red
    assert.throws(() => writeHeatmapPng(path.join(dir, "x.png"), tensor([1, 2])), /expected values \[H, W\]/);
    assert.throws(() => writeHeatmapPng(path.join(dir, "x.png"), tensor([[1, Infinity]])), /Infinity/);
  });
});

test("the sequential colour map runs from dark to bright", () => {
  const brightness = (t: number) => colourMap(t).reduce((s, c) => s + c, 0);
  for (let k = 0; k < 10; k++) assert.ok(brightness((k + 1) / 10) > brightness(k / 10), `brighter at ${(k + 1) / 10}`);
});

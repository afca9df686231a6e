// Writing images as PNG files, with node:zlib and nothing else: grids of
// samples and filters in grey, heatmaps (saliency, activations) in colour.
//
// A PNG is an 8-byte signature and a list of chunks, each: length (4 bytes,
// big-endian), type (4 ASCII letters), data, CRC-32 of type + data. We write
// IHDR (width, height, bit depth 8, colour type 0 = greyscale or 2 = RGB),
// one IDAT (the zlib-compressed rows, each preceded by filter byte 0 = none)
// and IEND.

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { writeFileAtomic } from "../../src/data/files.ts";
import type { Tensor } from "../../src/index.ts";

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** CRC-32 (the polynomial 0xEDB88320, bit-reversed), as PNG and gzip use. */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** The PNG of 8-bit samples, `channels` per pixel (1: colour type 0, greyscale; 3: colour type 2, RGB). */
function encodePng(samples: Uint8Array, width: number, height: number, channels: 1 | 3): Uint8Array {
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bits per sample
  header[9] = channels === 1 ? 0 : 2; // colour type: greyscale or RGB
  // bytes 10-12 stay 0: deflate compression, adaptive filtering, no interlace
  const stride = width * channels;
  const rows = new Uint8Array(height * (stride + 1)); // each row: filter byte 0, then its samples
  for (let y = 0; y < height; y++) rows.set(samples.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const parts = [SIGNATURE, chunk("IHDR", header), chunk("IDAT", zlib.deflateSync(rows)), chunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function checkSize(who: string, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) throw new Error(`${who}: the size must be positive integers, got ${width}×${height}`);
}

/** A greyscale PNG of `pixels` (row-major bytes, 0 = black, 255 = white). */
export function encodeGreyscalePng(pixels: Uint8Array, width: number, height: number): Uint8Array {
  checkSize("encodeGreyscalePng", width, height);
  if (pixels.length !== width * height) throw new Error(`encodeGreyscalePng: ${pixels.length} pixels for ${width}×${height}`);
  return encodePng(pixels, width, height, 1);
}

/** An RGB PNG of `pixels` (row-major, three bytes per pixel: red, green, blue). */
export function encodeRgbPng(pixels: Uint8Array, width: number, height: number): Uint8Array {
  checkSize("encodeRgbPng", width, height);
  if (pixels.length !== 3 * width * height) throw new Error(`encodeRgbPng: ${pixels.length} bytes for ${width}×${height} RGB pixels (expected ${3 * width * height})`);
  return encodePng(pixels, width, height, 3);
}

function writePng(file: string, png: Uint8Array, who: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, png, who);
  return file;
}

function checkFinite(who: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new Error(`${who}: value ${i} is ${values[i]}; images need finite numbers`);
  }
}

export interface ImageGridOptions {
  /** Images per row (default: a square-ish grid). */
  columns?: number;
  /** Each image pixel becomes scale × scale pixels (default 4). */
  scale?: number;
  /**
   * The values shown black and white (default [0, 1]; values outside are clipped),
   * or "each": every image stretched to its own min..max (filters, feature maps),
   * a constant image shown mid grey.
   */
  range?: [number, number] | "each";
}

/**
 * Writes images [N, 1, H, W] or [N, H, W] as one greyscale PNG grid with
 * `columns` per row, each image scaled up `scale` times and separated by a
 * 1-pixel grey border. Returns the file's path.
 */
export function writeImageGrid(file: string, images: Tensor, options: ImageGridOptions = {}): string {
  const who = "writeImageGrid";
  const shapeOk = (images.ndim === 4 && images.shape[1] === 1) || images.ndim === 3;
  if (!shapeOk) throw new Error(`${who}: expected images [N, 1, H, W] or [N, H, W], got [${images.shape.join(", ")}]`);
  const [n, h, w] = images.ndim === 4 ? [images.shape[0]!, images.shape[2]!, images.shape[3]!] : (images.shape as [number, number, number]);
  if (n === 0 || h === 0 || w === 0) throw new Error(`${who}: no pixels to draw in [${images.shape.join(", ")}]`);
  const { columns = Math.ceil(Math.sqrt(n)), scale = 4, range = [0, 1] } = options;
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`${who}: columns must be a positive integer, got ${columns}`);
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`${who}: scale must be a positive integer, got ${scale}`);
  if (range !== "each" && !(range[1] > range[0])) throw new Error(`${who}: range must be [low, high] with low < high, or "each"; got [${range.join(", ")}]`);
  const rowsOfImages = Math.ceil(n / columns);
  const cellW = w * scale + 1, cellH = h * scale + 1;
  const width = columns * cellW + 1, height = rowsOfImages * cellH + 1;
  const pixels = new Uint8Array(width * height).fill(128);
  const values = images.contiguous().toTypedArray();
  checkFinite(who, values);
  const size = h * w;
  for (let i = 0; i < n; i++) {
    let [low, high] = range === "each" ? [Infinity, -Infinity] : range;
    if (range === "each") {
      for (let k = 0; k < size; k++) {
        const v = values[i * size + k]!;
        if (v < low) low = v;
        if (v > high) high = v;
      }
    }
    const left = (i % columns) * cellW + 1, top = Math.floor(i / columns) * cellH + 1;
    for (let y = 0; y < h * scale; y++) {
      for (let x = 0; x < w * scale; x++) {
        const v = values[i * size + Math.floor(y / scale) * w + Math.floor(x / scale)]!;
        const level = high === low ? 128 : Math.round((255 * (v - low)) / (high - low));
        pixels[(top + y) * width + left + x] = Math.min(255, Math.max(0, level));
      }
    }
  }
  return writePng(file, encodeGreyscalePng(pixels, width, height), who);
}

/**
 * A colour map: t in [0, 1] → [r, g, b]. Sequential (dark blue → teal →
 * yellow, in the manner of viridis, readable in grey too), or diverging for
 * s = 2t − 1 in [−1, 1]: blue → white → red.
 */
export function colourMap(t: number, diverging = false): [number, number, number] {
  const stops: readonly (readonly [number, number, number])[] = diverging
    ? [[33, 102, 172], [247, 247, 247], [178, 24, 43]]
    : [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const clamped = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const k = Math.min(stops.length - 2, Math.floor(clamped)), f = clamped - k;
  const a = stops[k]!, b = stops[k + 1]!;
  return [0, 1, 2].map((c) => Math.round(a[c]! + (b[c]! - a[c]!) * f)) as [number, number, number];
}

export interface HeatmapPngOptions {
  /** Each value becomes scale × scale pixels (default 8). */
  scale?: number;
  /** Signed values: blue below 0, white at 0, red above, symmetric around 0. Otherwise min..max on a sequential map. */
  diverging?: boolean;
}

/** Writes values [H, W] as an RGB PNG through a colour map (e.g. a saliency map). Returns the file's path. */
export function writeHeatmapPng(file: string, values: Tensor, options: HeatmapPngOptions = {}): string {
  const who = "writeHeatmapPng";
  if (values.ndim !== 2) throw new Error(`${who}: expected values [H, W], got [${values.shape.join(", ")}]`);
  const [h, w] = values.shape as [number, number];
  if (h === 0 || w === 0) throw new Error(`${who}: no values in [${h}, ${w}]`);
  const { scale = 8, diverging = false } = options;
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`${who}: scale must be a positive integer, got ${scale}`);
  const data = values.contiguous().toTypedArray();
  checkFinite(who, data);
  let low = Infinity, high = -Infinity;
  for (const v of data) {
    if (v < low) low = v;
    if (v > high) high = v;
  }
  const bound = Math.max(Math.abs(low), Math.abs(high));
  // t in [0, 1]: diverging puts 0 at the middle; sequential maps min..max (a constant map → the middle colour).
  const position = (v: number) => (diverging ? (bound === 0 ? 0.5 : 0.5 + v / (2 * bound)) : high === low ? 0.5 : (v - low) / (high - low));
  const width = w * scale, height = h * scale;
  const pixels = new Uint8Array(3 * width * height);
  for (let row = 0; row < h; row++) {
    for (let column = 0; column < w; column++) {
      const rgb = colourMap(position(data[row * w + column]!), diverging); // once per value, then a scale × scale block
      for (let y = row * scale; y < (row + 1) * scale; y++) {
        for (let x = column * scale; x < (column + 1) * scale; x++) pixels.set(rgb, 3 * (y * width + x));
      }
    }
  }
  return writePng(file, encodeRgbPng(pixels, width, height), who);
}

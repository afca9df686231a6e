// Writing greyscale images as PNG files, with node:zlib and nothing else, for
// grids of generated samples.
//
// A PNG is an 8-byte signature and a list of chunks, each: length (4 bytes,
// big-endian), type (4 ASCII letters), data, CRC-32 of type + data. We write
// IHDR (width, height, bit depth 8, colour type 0 = greyscale), one IDAT
// (the zlib-compressed rows, each preceded by filter byte 0 = none) and IEND.

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

/** A greyscale PNG of `pixels` (row-major bytes, 0 = black, 255 = white). */
export function encodeGreyscalePng(pixels: Uint8Array, width: number, height: number): Uint8Array {
  if (pixels.length !== width * height) throw new Error(`encodeGreyscalePng: ${pixels.length} pixels for ${width}×${height}`);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8; // bits per sample
  header[9] = 0; // greyscale
  const rows = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) rows.set(pixels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const parts = [SIGNATURE, chunk("IHDR", header), chunk("IDAT", zlib.deflateSync(rows)), chunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Writes images [N, 1, H, W] (values in [low, high], mapped to black..white)
 * as one PNG grid with `columns` per row, each image scaled up `scale` times
 * and separated by a 1-pixel grey border. Returns the file's path.
 */
export function writeImageGrid(file: string, images: Tensor, options: { columns?: number; scale?: number; range?: [number, number] } = {}): string {
  if (images.ndim !== 4 || images.shape[1] !== 1) throw new Error(`writeImageGrid: expected images [N, 1, H, W], got [${images.shape.join(", ")}]`);
  const [n, , h, w] = images.shape as [number, number, number, number];
  const { columns = Math.ceil(Math.sqrt(n)), scale = 4, range = [0, 1] } = options;
  const rowsOfImages = Math.ceil(n / columns);
  const cellW = w * scale + 1, cellH = h * scale + 1;
  const width = columns * cellW + 1, height = rowsOfImages * cellH + 1;
  const pixels = new Uint8Array(width * height).fill(128);
  const values = images.contiguous().toTypedArray();
  const [low, high] = range;
  for (let i = 0; i < n; i++) {
    const left = (i % columns) * cellW + 1, top = Math.floor(i / columns) * cellH + 1;
    for (let y = 0; y < h * scale; y++) {
      for (let x = 0; x < w * scale; x++) {
        const v = values[i * h * w + Math.floor(y / scale) * w + Math.floor(x / scale)]!;
        const level = Math.round((255 * (v - low)) / (high - low));
        pixels[(top + y) * width + left + x] = Math.min(255, Math.max(0, level));
      }
    }
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, encodeGreyscalePng(pixels, width, height), "writeImageGrid");
  return file;
}

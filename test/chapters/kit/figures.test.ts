// The figure checks themselves: valid files pass, and each kind of damage is caught.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import zlib from "node:zlib";
import { crc32, encodeGreyscalePng } from "../../../chapters/_kit/png.ts";
import { assertValidFigure, checkDot, checkSvg, readPng } from "../../helpers/figures.ts";

function withFile(name: string, content: Uint8Array | string, check: (file: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "figures-"));
  try {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    check(file);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const SVG_OK = '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10"><g class="a"><text x="1">a &amp; b &lt; c &#916; &#x3b1;</text><rect x=\'0\' y="0"/></g><!-- note --></svg>\n';

test("crc32 gives the standard check value", () => {
  assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
});

test("a valid PNG, SVG and DOT pass", () => {
  withFile("a.png", encodeGreyscalePng(Uint8Array.of(0, 255, 7, 9), 2, 2), assertValidFigure);
  withFile("a.svg", SVG_OK, assertValidFigure);
  withFile("a.dot", 'digraph g {\n  n0 [label="{not a brace}"];\n  n0 -> n1;\n}\n', assertValidFigure);
});

test("a PNG with a corrupted CRC fails, naming the chunk", () => {
  const png = encodeGreyscalePng(Uint8Array.of(1, 2, 3, 4), 2, 2);
  const ihdrCrc = 8 + 8 + 13; // signature, IHDR length + type, IHDR data
  png[ihdrCrc] = png[ihdrCrc]! ^ 0xff;
  withFile("bad.png", png, (file) => assert.throws(() => assertValidFigure(file), /IHDR chunk has a wrong CRC/));
});

test("a PNG whose pixels were changed fails its IDAT CRC; a truncated PNG fails", () => {
  const png = encodeGreyscalePng(new Uint8Array(64).fill(3), 8, 8);
  const idatData = 8 + 25 + 8;
  const damaged = png.slice();
  damaged[idatData + 2] = damaged[idatData + 2]! ^ 0x10;
  assert.throws(() => readPng(damaged), /IDAT chunk has a wrong CRC/);
  assert.throws(() => readPng(png.subarray(0, png.length - 12)), /last chunk must be IEND/);
  assert.throws(() => readPng(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9)), /not a PNG signature/);
});

test("readPng undoes the row filters (Sub, Up, Average, Paeth)", () => {
  // Build a 3×5 greyscale PNG by hand with one filter per row (1 to 4, then 0), and check the pixels come back.
  const width = 3, pixels = [[10, 20, 30], [15, 25, 5], [200, 100, 50], [0, 255, 128], [9, 8, 7]];
  const filtered: number[] = [];
  const at = (y: number, x: number) => (y >= 0 && x >= 0 ? pixels[y]![x]! : 0);
  const paeth = (a: number, b: number, c: number) => {
    const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
  };
  [1, 2, 3, 4, 0].forEach((filter, y) => {
    filtered.push(filter);
    for (let x = 0; x < width; x++) {
      const a = at(y, x - 1), b = at(y - 1, x), c = at(y - 1, x - 1);
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter]!;
      filtered.push((pixels[y]![x]! - predictor) & 0xff);
    }
  });
  const png = encodeGreyscalePng(new Uint8Array(15), width, 5); // a valid frame; swap in our own IDAT
  const idat = new Uint8Array(zlibDeflate(Uint8Array.from(filtered)));
  const rebuilt = rebuildWithIdat(png, idat);
  assert.deepEqual([...readPng(rebuilt).pixels], pixels.flat());
});

test("an unbalanced or malformed SVG fails with the reason", () => {
  const cases: [string, RegExp][] = [
    ['<svg xmlns="http://www.w3.org/2000/svg"><g></svg>', /<\/svg> closes <g>/],
    ['<svg xmlns="http://www.w3.org/2000/svg"><g>', /<g> is never closed/],
    ['<svg xmlns="http://www.w3.org/2000/svg"></g></svg>', /<\/g> closes <svg>/],
    ['<svg xmlns="http://www.w3.org/2000/svg"><rect x=1/></svg>', /not quoted/],
    ['<svg xmlns="http://www.w3.org/2000/svg"><text>a & b</text></svg>', /bad entity reference/],
    ['<svg xmlns="http://www.w3.org/2000/svg"><text>&nbsp;</text></svg>', /bad entity reference/],
    ['<svg xmlns="http://www.w3.org/2000/svg"><rect x="1" x="2"/></svg>', /repeated/],
    ['<svg xmlns="http://www.w3.org/2000/svg"><text title="a<b">x</text></svg>', /"<" in text/],
    ['<svg width="1"></svg>', /xmlns/],
    ['<html xmlns="http://www.w3.org/2000/svg"></html>', /root element is <html>/],
    ['<svg xmlns="http://www.w3.org/2000/svg"></svg><svg xmlns="http://www.w3.org/2000/svg"></svg>', /second root/],
    ['<svg xmlns="http://www.w3.org/2000/svg"></svg> trailing', /text outside the root/],
    ["", /no <svg> element/],
  ];
  for (const [text, reason] of cases) assert.throws(() => checkSvg(text), reason, text);
  withFile("broken.svg", '<svg xmlns="http://www.w3.org/2000/svg"><g></svg>', (file) => assert.throws(() => assertValidFigure(file), /broken\.svg/));
});

test("a DOT file must be a digraph with balanced braces", () => {
  checkDot("digraph { a -> b; }");
  assert.throws(() => checkDot("graph { a -- b; }"), /does not start with digraph/);
  assert.throws(() => checkDot("digraph { a -> b; "), /unbalanced braces/);
  assert.throws(() => checkDot("digraph { a -> b; } }"), /without/);
  assert.throws(() => checkDot('digraph { a [label="x]; }'), /unterminated string/);
});

test("missing files and unknown extensions fail", () => {
  assert.throws(() => assertValidFigure(path.join(os.tmpdir(), "no-such-figure.png")), /does not exist/);
  withFile("a.txt", "hello", (file) => assert.throws(() => assertValidFigure(file), /unknown extension/));
  withFile("empty.svg", "", (file) => assert.throws(() => assertValidFigure(file), /is empty/));
});

// ── helpers for the hand-built PNG ──

function zlibDeflate(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(zlib.deflateSync(bytes));
}

/** The same PNG with its IDAT replaced (and its CRC recomputed). */
function rebuildWithIdat(png: Uint8Array, idat: Uint8Array): Uint8Array {
  const head = png.subarray(0, 8 + 25); // signature + IHDR chunk
  const chunk = new Uint8Array(12 + idat.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, idat.length);
  chunk.set(new TextEncoder().encode("IDAT"), 4);
  chunk.set(idat, 8);
  view.setUint32(8 + idat.length, crc32(chunk.subarray(4, 8 + idat.length)));
  const iend = png.subarray(png.length - 12);
  return Uint8Array.from([...head, ...chunk, ...iend]);
}

// Checking the figures the lessons write, by reading them back:
//   .png: the signature, every chunk's CRC, IHDR first and IEND last, and the
//         image data inflating to exactly height × (1 + width × channels) bytes
//         with a valid filter byte on every row;
//   .svg: well-formed XML with one <svg> root in the SVG namespace;
//   .dot: a digraph with balanced braces.
// No dependencies: a small PNG reader and a small XML checker, written here.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { crc32 } from "../../chapters/_kit/png.ts";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Channels per colour type: 0 grey, 2 RGB, 4 grey + alpha, 6 RGBA (3, palette, is not used here). */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

export interface DecodedPng {
  width: number;
  height: number;
  /** 0 greyscale, 2 RGB, 4 grey + alpha, 6 RGBA. */
  colourType: number;
  channels: number;
  /** Row-major samples after undoing the row filters: height × width × channels bytes. */
  pixels: Uint8Array;
  /** The chunk types in file order. */
  types: string[];
}

/** Decodes an 8-bit PNG, checking the signature, every CRC, the chunk order, the data size and the filters. */
export function readPng(bytes: Uint8Array, name = "PNG"): DecodedPng {
  assert.ok(bytes.length >= 8, `${name}: too short to be a PNG (${bytes.length} bytes)`);
  assert.deepEqual([...bytes.subarray(0, 8)], PNG_SIGNATURE, `${name}: not a PNG signature`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const types: string[] = [];
  const idat: Uint8Array[] = [];
  let width = 0, height = 0, colourType = -1;
  let offset = 8;
  while (offset < bytes.length) {
    assert.ok(offset + 12 <= bytes.length, `${name}: truncated chunk at byte ${offset}`);
    const length = view.getUint32(offset);
    assert.ok(offset + 12 + length <= bytes.length, `${name}: chunk at byte ${offset} runs past the end of the file`);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    assert.equal(view.getUint32(offset + 8 + length), crc32(bytes.subarray(offset + 4, offset + 8 + length)), `${name}: ${type} chunk has a wrong CRC`);
    if (types.length === 0) assert.equal(type, "IHDR", `${name}: the first chunk must be IHDR, got ${type}`);
    if (type === "IHDR") {
      assert.equal(length, 13, `${name}: IHDR must hold 13 bytes`);
      width = view.getUint32(offset + 8);
      height = view.getUint32(offset + 12);
      assert.ok(width > 0 && height > 0, `${name}: empty image ${width}×${height}`);
      assert.equal(body[8], 8, `${name}: expected bit depth 8, got ${body[8]}`);
      colourType = body[9]!;
      assert.ok(colourType in CHANNELS, `${name}: unsupported colour type ${colourType}`);
      assert.deepEqual([body[10], body[11], body[12]], [0, 0, 0], `${name}: compression, filter and interlace methods must be 0`);
    }
    if (type === "IDAT") idat.push(body);
    types.push(type);
    offset += 12 + length;
  }
  assert.equal(types.at(-1), "IEND", `${name}: the last chunk must be IEND`);
  assert.ok(idat.length > 0, `${name}: no IDAT chunk`);
  const channels = CHANNELS[colourType]!;
  let rows: Buffer;
  try {
    rows = zlib.inflateSync(Buffer.concat(idat));
  } catch (error) {
    assert.fail(`${name}: the image data does not inflate: ${(error as Error).message}`);
  }
  const stride = width * channels;
  assert.equal(rows.length, height * (1 + stride), `${name}: image data holds ${rows.length} bytes, expected height × (1 + width × channels) = ${height * (1 + stride)}`);
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = rows[y * (1 + stride)]!;
    assert.ok(filter <= 4, `${name}: row ${y} has filter type ${filter} (valid: 0 to 4)`);
    const line = rows.subarray(y * (1 + stride) + 1, (y + 1) * (1 + stride));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? pixels[y * stride + i - channels]! : 0; // left
      const b = y > 0 ? pixels[(y - 1) * stride + i]! : 0; // up
      const c = y > 0 && i >= channels ? pixels[(y - 1) * stride + i - channels]! : 0; // up-left
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter]!;
      pixels[y * stride + i] = (line[i]! + predictor) & 0xff;
    }
  }
  return { width, height, colourType, channels, pixels, types };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Throws unless `text` is well-formed XML whose one root is <svg> with the SVG
 * namespace: balanced tags, quoted attributes (each at most once per element),
 * only the five predefined entities or numeric references, nothing but
 * whitespace, comments or a declaration outside the root.
 */
export function checkSvg(text: string, name = "SVG"): void {
  const fail = (at: number, message: string): never => {
    const line = text.slice(0, at).split("\n").length;
    throw new assert.AssertionError({ message: `${name}: ${message} (line ${line})` });
  };
  const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
  const checkText = (content: string, at: number) => {
    if (content.includes("<")) fail(at, `"<" in text`);
    for (const match of content.matchAll(/&([^;\s]*);?/g)) {
      const ref = match[1]!;
      if (!match[0].endsWith(";") || !/^(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+)$/.test(ref)) fail(at + match.index!, `bad entity reference "${match[0]}"`);
    }
  };
  const stack: string[] = [];
  let rootSeen = false;
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf("<", i);
    const content = text.slice(i, lt === -1 ? text.length : lt);
    if (stack.length === 0) {
      if (content.trim() !== "") fail(i, `text outside the root element: "${content.trim().slice(0, 30)}"`);
    } else checkText(content, i);
    if (lt === -1) break;
    if (text.startsWith("<!--", lt)) {
      const end = text.indexOf("-->", lt + 4);
      if (end === -1) fail(lt, "unterminated comment");
      i = end + 3;
      continue;
    }
    if (text.startsWith("<?", lt)) {
      const end = text.indexOf("?>", lt + 2);
      if (end === -1) fail(lt, "unterminated processing instruction");
      if (rootSeen || stack.length > 0) fail(lt, "a declaration after the root started");
      i = end + 2;
      continue;
    }
    if (text.startsWith("<![CDATA[", lt)) {
      if (stack.length === 0) fail(lt, "CDATA outside the root element");
      const end = text.indexOf("]]>", lt);
      if (end === -1) fail(lt, "unterminated CDATA section");
      i = end + 3;
      continue;
    }
    if (text.startsWith("<!", lt)) fail(lt, "DOCTYPE and other declarations are not expected in a figure");
    if (text[lt + 1] === "/") {
      const match = NAME.exec(text.slice(lt + 2));
      if (!match) fail(lt, "a closing tag without a name");
      const tag = match![0];
      const end = text.indexOf(">", lt);
      if (end === -1 || text.slice(lt + 2 + tag.length, end).trim() !== "") fail(lt, `malformed closing tag </${tag}`);
      const open = stack.pop();
      if (open !== tag) fail(lt, open === undefined ? `</${tag}> closes nothing` : `</${tag}> closes <${open}>`);
      i = end + 1;
      continue;
    }
    // An opening tag: a name, then attributes name="value" or name='value', then > or />.
    const match = NAME.exec(text.slice(lt + 1));
    if (!match) fail(lt, `"<" not followed by a tag name`);
    const tag = match![0];
    if (stack.length === 0) {
      if (rootSeen) fail(lt, `a second root element <${tag}>`);
      if (tag !== "svg") fail(lt, `the root element is <${tag}>, not <svg>`);
      rootSeen = true;
    }
    let j = lt + 1 + tag.length;
    const attributes = new Map<string, string>();
    for (;;) {
      const spaceStart = j;
      while (/\s/.test(text[j] ?? "")) j++;
      if (j >= text.length) fail(lt, `unterminated tag <${tag}`);
      if (text[j] === ">" || text.startsWith("/>", j)) break;
      if (j === spaceStart) fail(j, `attributes of <${tag}> must be separated by spaces`);
      const attribute = NAME.exec(text.slice(j));
      if (!attribute) fail(j, `malformed attribute in <${tag}>`);
      const attributeName = attribute![0];
      j += attributeName.length;
      while (/\s/.test(text[j] ?? "")) j++;
      if (text[j] !== "=") fail(j, `attribute ${attributeName} of <${tag}> has no value`);
      j++;
      while (/\s/.test(text[j] ?? "")) j++;
      const quote = text[j];
      if (quote !== '"' && quote !== "'") fail(j, `attribute ${attributeName} of <${tag}> is not quoted`);
      const close = text.indexOf(quote!, j + 1);
      if (close === -1) fail(j, `unterminated value of ${attributeName} in <${tag}>`);
      const value = text.slice(j + 1, close);
      checkText(value, j + 1);
      if (attributes.has(attributeName)) fail(j, `attribute ${attributeName} repeated in <${tag}>`);
      attributes.set(attributeName, value);
      j = close + 1;
    }
    if (stack.length === 0 && attributes.get("xmlns") !== "http://www.w3.org/2000/svg") fail(lt, `the <svg> root needs xmlns="http://www.w3.org/2000/svg"`);
    if (text[j] === ">") {
      stack.push(tag);
      i = j + 1;
    } else i = j + 2; // self-closing
  }
  if (stack.length > 0) fail(text.length, `<${stack.at(-1)}> is never closed`);
  if (!rootSeen) fail(0, "no <svg> element");
}

/** Throws unless `text` is a Graphviz digraph: "digraph" first, braces balanced (outside quoted strings), nothing after the last brace. */
export function checkDot(text: string, name = "DOT"): void {
  assert.match(text.trimStart(), /^(strict\s+)?digraph\b/, `${name}: does not start with digraph`);
  let depth = 0, opened = false, closedAt = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === "\\") i++;
      assert.ok(i < text.length, `${name}: unterminated string`);
    } else if (ch === "{") {
      depth++;
      opened = true;
    } else if (ch === "}") {
      depth--;
      assert.ok(depth >= 0, `${name}: "}" without "{"`);
      if (depth === 0) closedAt = i;
    }
  }
  assert.ok(opened, `${name}: no body in braces`);
  assert.equal(depth, 0, `${name}: unbalanced braces`);
  assert.equal(text.slice(closedAt + 1).trim(), "", `${name}: text after the graph's closing brace`);
}

/** Checks a figure file by its extension (.png, .svg, .dot); throws an AssertionError naming the file and the defect. */
export function assertValidFigure(file: string): void {
  assert.ok(fs.existsSync(file), `figure ${file} does not exist`);
  const bytes = new Uint8Array(fs.readFileSync(file));
  assert.ok(bytes.length > 0, `figure ${file} is empty`);
  const extension = path.extname(file).toLowerCase();
  if (extension === ".png") readPng(bytes, file);
  else if (extension === ".svg") checkSvg(new TextDecoder("utf-8", { fatal: true }).decode(bytes), file);
  else if (extension === ".dot") checkDot(new TextDecoder().decode(bytes), file);
  else assert.fail(`figure ${file}: unknown extension "${extension}" (known: .png, .svg, .dot)`);
}

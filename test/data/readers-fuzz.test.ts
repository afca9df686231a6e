// Fuzzing the file readers: broken variants of real and synthetic files,
// generated with a seeded Generator (so every run tests the same ones).
// Each variant must either read as a self-consistent result (shape product
// = data length, finite numbers, labels in range) or fail with a
// DataFileError whose message starts with the source name. Any other
// exception (a TypeError, a RangeError, zlib's raw error) fails the test.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { Generator } from "../../src/core/random.ts";
import { DataFileError } from "../../src/data/errors.ts";
import { decodeUtf8, firstInvalidUtf8, parseCsv, parseNumericCsv, parseSklearnCsv, type NumericCsv, type SklearnCsv } from "../../src/data/readers/csv.ts";
import { gunzip, readMaybeGzipped } from "../../src/data/readers/gzip.ts";
import { MAX_IDX_DIMENSIONS, encodeIdx, parseIdx, readIdx, type IdxArray, type IdxDataType } from "../../src/data/readers/idx.ts";

const BUNDLED = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../src/data/bundled");
const random = new Generator(20250705);
const randint = (low: number, high: number): number => random.randint(low, high);
const pick = <T>(items: readonly T[]): T => items[randint(0, items.length)]!;

// ---------------------------------------------------------------------------
// Bookkeeping: every variant goes through expectOutcome, which counts it.

interface Tally {
  accepted: number;
  refused: number;
  messages: Set<string>;
}
const tallies = new Map<string, Tally>();
let variants = 0;

function tally(family: string): Tally {
  let entry = tallies.get(family);
  if (entry === undefined) {
    entry = { accepted: 0, refused: 0, messages: new Set() };
    tallies.set(family, entry);
  }
  return entry;
}

/** Runs `read`; a result must pass `verify`, an exception must be a DataFileError about `source`. */
function expectOutcome<T>(family: string, source: string, read: () => T, verify: (result: T) => void): void {
  variants++;
  const entry = tally(family);
  let result: T;
  try {
    result = read();
  } catch (error) {
    const description = error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
    assert.ok(error instanceof DataFileError, `${family} / ${source}: threw ${description}`);
    assert.equal(error.file, source, `${family}: ${error.message}`);
    assert.ok(error.message.startsWith(`${source}: `) && error.message.length > source.length + 10, `${family}: ${error.message}`);
    entry.refused++;
    entry.messages.add(error.message.slice(source.length + 2).replace(/\d+/g, "#").slice(0, 40));
    return;
  }
  verify(result);
  entry.accepted++;
}

// ---------------------------------------------------------------------------
// What a successful read must satisfy.

const ARRAY_TYPES: Record<IdxDataType, Function> = {
  uint8: Uint8Array, int8: Int8Array, int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array,
};

function verifyIdx(array: IdxArray): void {
  assert.equal(array.data.constructor, ARRAY_TYPES[array.dtype]);
  assert.ok(array.shape.length >= 1 && array.shape.length <= MAX_IDX_DIMENSIONS);
  for (const size of array.shape) assert.ok(Number.isInteger(size) && size >= 0 && size <= 0xffffffff);
  assert.equal(array.shape.reduce((a, b) => a * b, 1), array.data.length);
  if (array.dtype === "float32" || array.dtype === "float64") {
    for (const value of array.data) assert.ok(Number.isFinite(value));
  }
}

function verifySklearn(table: SklearnCsv): void {
  assert.ok(table.nSamples >= 1 && table.nFeatures >= 1 && table.targetNames.length >= 1);
  assert.equal(table.data.length, table.nSamples * table.nFeatures);
  assert.equal(table.target.length, table.nSamples);
  for (const value of table.data) assert.ok(Number.isFinite(value));
  for (const label of table.target) assert.ok(label >= 0 && label < table.targetNames.length);
  for (const name of table.targetNames) assert.ok(name.length > 0);
}

function verifyNumeric(table: NumericCsv): void {
  assert.equal(table.values.length, table.rows * table.cols);
  if (table.columns !== null) assert.equal(table.columns.length, table.cols);
  for (const value of table.values) assert.ok(Number.isFinite(value));
}

function verifyRows(rows: string[][]): void {
  for (const row of rows) assert.equal(row.length, rows[0]!.length);
}

// ---------------------------------------------------------------------------
// Valid inputs to start from.

const realLabels = new Uint8Array(zlib.gunzipSync(fs.readFileSync(path.join(BUNDLED, "fashion-mnist/subset/t10k-labels-idx1-ubyte.gz"))));
const realImages = parseIdx(new Uint8Array(zlib.gunzipSync(fs.readFileSync(path.join(BUNDLED, "fashion-mnist/subset/t10k-images-idx3-ubyte.gz")))), "t10k");
const fewRealImages = encodeIdx({ dtype: "uint8", shape: [4, 28, 28], data: realImages.data.subarray(0, 4 * 784) });

function syntheticIdx(dtype: IdxDataType): Uint8Array {
  const shape = Array.from({ length: randint(1, 5) }, () => randint(1, 5));
  const count = shape.reduce((a, b) => a * b, 1);
  const data = new (ARRAY_TYPES[dtype] as new (n: number) => IdxArray["data"])(count);
  for (let i = 0; i < count; i++) {
    data[i] = dtype === "float32" || dtype === "float64" ? random.normal() * 100 : randint(-128, 128);
  }
  return encodeIdx({ dtype, shape, data });
}

const IDX_BASES: Array<[string, Uint8Array]> = [
  ["t10k-labels", realLabels],
  ["t10k-images", fewRealImages],
  ...(["uint8", "int8", "int16", "int32", "float32", "float64"] as const).map((dtype): [string, Uint8Array] => [`synthetic-${dtype}`, syntheticIdx(dtype)]),
];

const headerLength = (bytes: Uint8Array): number => 4 + 4 * bytes[3]!;
const withBytes = (bytes: Uint8Array, edit: (copy: Uint8Array) => void): Uint8Array => {
  const copy = bytes.slice();
  edit(copy);
  return copy;
};
/** XORs one random byte of bytes[low, high) with a random nonzero mask, so that it surely changes. */
const flipByte = (bytes: Uint8Array, low = 0, high = bytes.length): void => {
  const at = randint(low, high);
  bytes[at] = bytes[at]! ^ randint(1, 256);
};
const randomBytes = (length: number): Uint8Array => Uint8Array.from({ length }, () => randint(0, 256));
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

const readText = (file: string): string => fs.readFileSync(path.join(BUNDLED, file), "utf8");
const IRIS = readText("tabular/iris.csv");
const WINE = readText("tabular/wine_data.csv");
const SYNTHETIC_SKLEARN = ["4,3,low,high", "0.5,1,-2,0", "1e3,2.5,.5,1", "3,3,3,1", "-1,-1,-1,0"].join("\n") + "\n";
const DIGITS_HEAD = new TextDecoder().decode(zlib.gunzipSync(fs.readFileSync(path.join(BUNDLED, "digits/digits.csv.gz")))).split("\n").slice(0, 40).join("\n") + "\n";
const SYNTHETIC_NUMERIC = 'x,"y, in m",z\n1,2,3\n-4.5,5e-2,6\n7,8,9\n';

const BAD_NUMBERS = ["", "abc", "1.2.3", "0x10", " ", "NaN", "inf", "1e999", "-", "+", ".", "1,5", '"', '"1"', "2.5", "1e5", "٣"];
const BAD_LABELS = ["3", "-1", "1.5", "x", "", "7", "0", "2", "1e0", "01", "+1", "99999999999999999999"];
const INVALID_UTF8: Uint8Array[] = [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xc0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80]].map((b) => Uint8Array.from(b));

/** One random edit of a CSV text made of lines: the kinds of damage files really suffer. */
function mutateCsv(text: string, labelColumnLast: boolean): string {
  const lines = text.replace(/\n$/, "").split("\n");
  const row = randint(0, lines.length);
  const fields = lines[row]!.split(",");
  const column = randint(0, fields.length);
  switch (randint(0, 12)) {
    case 0: lines.splice(row, 1); break; // a deleted row
    case 1: lines.splice(row, 0, lines[row]!); break; // a duplicated row
    case 2: fields.splice(column, 1); lines[row] = fields.join(","); break; // a field removed
    case 3: fields.splice(column, 0, pick(["0", "1.5", "x"])); lines[row] = fields.join(","); break; // a field added
    case 4: fields[column] = pick(BAD_NUMBERS); lines[row] = fields.join(","); break; // non-numeric text
    case 5: if (labelColumnLast) fields[fields.length - 1] = pick(BAD_LABELS); lines[row] = fields.join(","); break; // a bad label
    case 6: lines[0] = pick(["", "0", "-3", "1e2", "abc", String(lines.length), String(lines.length - 1), "150,4", "2,1"]) + "," + lines[0]!.split(",").slice(1).join(","); break; // header counts
    case 7: return lines.join("\r\n") + pick(["", "\r\n", "\r\n\r\n"]); // CRLF, valid
    case 8: return lines.join("\n") + pick(["", "\n\n\n", "\n\r\n", "\r", " "]); // the end of the file
    case 9: lines[row] = insertAt(lines[row]!, pick(['"', "\r", '""', ",", '"a\nb"'])); break; // quotes and line ends
    case 10: lines.splice(row, 0, ""); break; // a blank line inside
    default: lines[row] = lines[row]!.slice(0, randint(0, lines[row]!.length + 1)); break; // a line cut short
  }
  return lines.join("\n") + "\n";
}

function insertAt(text: string, piece: string): string {
  const at = randint(0, text.length + 1);
  return text.slice(0, at) + piece + text.slice(at);
}

/** Byte-level damage to a text: flipped bytes (often invalid UTF-8) or an inserted invalid sequence. */
function damageBytes(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  if (random.random() < 0.5) {
    return withBytes(bytes, (copy) => {
      for (let k = randint(1, 4); k > 0; k--) flipByte(copy);
    });
  }
  const at = randint(0, bytes.length + 1);
  return concat(bytes.subarray(0, at), pick(INVALID_UTF8), bytes.subarray(at));
}

const temporaryDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "gradschool-readers-fuzz-"));
after(() => fs.rmSync(temporaryDirectory, { recursive: true, force: true }));

// ---------------------------------------------------------------------------

describe("fuzzing the readers", () => {
  test("IDX: truncation at every header position, inside the data, and to 0 bytes", () => {
    for (const [name, base] of IDX_BASES) {
      const header = headerLength(base);
      for (let length = 0; length <= header; length++) {
        expectOutcome("idx-truncated", `${name}-cut-${length}.idx`, () => parseIdx(base.subarray(0, length), `${name}-cut-${length}.idx`), verifyIdx);
      }
      for (let k = 0; k < 5; k++) {
        const length = randint(header + 1, base.length);
        expectOutcome("idx-truncated", `${name}-data-cut.idx`, () => parseIdx(base.subarray(0, length), `${name}-data-cut.idx`), verifyIdx);
      }
    }
  });

  test("IDX: wrong magic, every type byte, wrong dimension counts, overflowing dims", () => {
    for (const [name, base] of IDX_BASES) {
      for (let k = 0; k < 2; k++) {
        const bad = withBytes(base, (copy) => { copy[randint(0, 2)] = randint(1, 256); });
        expectOutcome("idx-magic", `${name}.idx`, () => parseIdx(bad, `${name}.idx`), verifyIdx);
      }
      for (let k = 0; k < 3; k++) {
        const bad = withBytes(base, (copy) => { copy[3] = randint(0, 256); });
        expectOutcome("idx-rank", `${name}.idx`, () => parseIdx(bad, `${name}.idx`), verifyIdx);
      }
      for (const size of [0xffffffff, 0x80000000, 0x10000, 0, randint(0, 2 ** 32)]) {
        const bad = withBytes(base, (copy) => new DataView(copy.buffer).setUint32(4 + 4 * randint(0, copy[3]!), size));
        expectOutcome("idx-dims", `${name}.idx`, () => parseIdx(bad, `${name}.idx`), verifyIdx);
      }
      // Reversed dims keep the element count: still a valid file, of the reversed shape.
      const reversed = withBytes(base, (copy) => {
        const view = new DataView(copy.buffer);
        const dims = Array.from({ length: copy[3]! }, (_, d) => view.getUint32(4 + 4 * d)).reverse();
        dims.forEach((size, d) => view.setUint32(4 + 4 * d, size));
      });
      expectOutcome("idx-dims", `${name}.idx`, () => parseIdx(reversed, `${name}.idx`), (array) => {
        verifyIdx(array);
        assert.deepEqual(array.shape, [...parseIdx(base, name).shape].reverse());
      });
    }
    const labels = IDX_BASES[0]![1];
    for (let type = 0; type < 256; type++) {
      const retyped = withBytes(labels, (copy) => { copy[2] = type; });
      expectOutcome("idx-type", "retyped.idx", () => parseIdx(retyped, "retyped.idx"), verifyIdx);
    }
    const accepted = tally("idx-type").accepted;
    assert.equal(accepted, 2, "only uint8 and int8 fit 1000 one-byte elements"); // 0x08 and 0x09
  });

  test("IDX: flipped bytes, appended bytes, random garbage", () => {
    for (const [name, base] of IDX_BASES) {
      for (let k = 0; k < 10; k++) {
        const flipped = withBytes(base, (copy) => {
          for (let n = randint(1, 4); n > 0; n--) flipByte(copy, 0, k < 5 ? headerLength(base) : copy.length); // half in the header
        });
        expectOutcome("idx-flipped", `${name}.idx`, () => parseIdx(flipped, `${name}.idx`), verifyIdx);
      }
      for (let k = 0; k < 2; k++) {
        const longer = concat(base, randomBytes(randint(1, 17)));
        expectOutcome("idx-appended", `${name}.idx`, () => parseIdx(longer, `${name}.idx`), verifyIdx);
      }
    }
    for (let k = 0; k < 60; k++) {
      const garbage = k % 2 === 0 ? randomBytes(randint(0, 41)) : concat(Uint8Array.from([0, 0, pick([8, 9, 11, 12, 13, 14]), randint(1, 4)]), randomBytes(randint(0, 40)));
      expectOutcome("idx-garbage", "garbage.idx", () => parseIdx(garbage, "garbage.idx"), verifyIdx);
    }
  });

  test("gzip: truncated, corrupted, extended and fake streams, then parsed as IDX", () => {
    const gzipped = IDX_BASES.map(([name, bytes]): [string, Uint8Array] => [name, new Uint8Array(zlib.gzipSync(bytes))]);
    const gunzipThenParse = (bytes: Uint8Array, source: string, maxOutputBytes?: number) => () =>
      parseIdx(gunzip(bytes, source, maxOutputBytes === undefined ? {} : { maxOutputBytes }), source);
    for (const [name, stream] of gzipped) {
      for (const length of [0, 1, 2, 10, stream.length - 1, stream.length - 4, randint(0, stream.length), randint(0, stream.length)]) {
        expectOutcome("gzip-truncated", `${name}.gz`, gunzipThenParse(stream.subarray(0, length), `${name}.gz`), verifyIdx);
      }
      for (let k = 0; k < 8; k++) {
        const corrupted = withBytes(stream, (copy) => flipByte(copy));
        expectOutcome("gzip-corrupted", `${name}.gz`, gunzipThenParse(corrupted, `${name}.gz`), verifyIdx);
      }
      expectOutcome("gzip-appended", `${name}.gz`, gunzipThenParse(concat(stream, randomBytes(randint(1, 9))), `${name}.gz`), verifyIdx);
      expectOutcome("gzip-appended", `${name}.gz`, gunzipThenParse(concat(stream, stream), `${name}.gz`), verifyIdx);
      expectOutcome("gzip-limit", `${name}.gz`, gunzipThenParse(stream, `${name}.gz`, randint(1, 2000)), verifyIdx);
    }
    for (let k = 0; k < 20; k++) {
      const fake = concat(Uint8Array.from([0x1f, 0x8b]), randomBytes(randint(0, 30)));
      expectOutcome("gzip-fake", "fake.gz", gunzipThenParse(fake, "fake.gz"), verifyIdx);
    }
  });

  test("sklearn CSV: deleted, duplicated and damaged rows, bad numbers and labels, bad header counts", () => {
    for (const [name, text] of [["iris.csv", IRIS], ["wine_data.csv", WINE], ["synthetic.csv", SYNTHETIC_SKLEARN]] as const) {
      for (let k = 0; k < 45; k++) {
        const mutated = mutateCsv(text, true);
        expectOutcome("sklearn-mutated", name, () => parseSklearnCsv(mutated, name), verifySklearn);
      }
      for (let k = 0; k < 10; k++) {
        const damaged = damageBytes(text);
        expectOutcome("sklearn-bytes", name, () => parseSklearnCsv(decodeUtf8(damaged, name), name), verifySklearn);
      }
    }
  });

  test("numeric CSV: the digits and a quoted header, mutated and damaged", () => {
    for (const [name, text, header] of [["digits.csv", DIGITS_HEAD, false], ["points.csv", SYNTHETIC_NUMERIC, true]] as const) {
      for (let k = 0; k < 40; k++) {
        const mutated = mutateCsv(text, false);
        expectOutcome("numeric-mutated", name, () => parseNumericCsv(mutated, name, { header }), verifyNumeric);
      }
      for (let k = 0; k < 10; k++) {
        const damaged = damageBytes(text);
        expectOutcome("numeric-bytes", name, () => parseNumericCsv(decodeUtf8(damaged, name), name, { header }), verifyNumeric);
      }
    }
  });

  test("CSV: random text over the characters that matter, and a quoting round trip", () => {
    const alphabet = ["a", "1", ",", ",", '"', '"', "\n", "\n", "\r", " ", "é"];
    for (let k = 0; k < 150; k++) {
      const text = Array.from({ length: randint(0, 30) }, () => pick(alphabet)).join("");
      expectOutcome("csv-random", "random.csv", () => parseCsv(text, "random.csv"), verifyRows);
    }
    // Any table written with RFC 4180 quoting reads back exactly.
    const quote = (field: string) => (/[",\r\n]/.test(field) || field === "" ? `"${field.replaceAll('"', '""')}"` : field);
    for (let k = 0; k < 60; k++) {
      const cols = randint(1, 5);
      const table = Array.from({ length: randint(1, 6) }, () =>
        Array.from({ length: cols }, () => Array.from({ length: randint(0, 6) }, () => pick(alphabet)).join("")),
      );
      const text = table.map((row) => row.map(quote).join(",")).join(pick(["\n", "\r\n"])) + pick(["", "\n"]);
      expectOutcome("csv-roundtrip", "table.csv", () => parseCsv(text, "table.csv"), (rows) => assert.deepEqual(rows, table));
    }
  });

  test("UTF-8: random bytes; decodeUtf8 fails exactly when the decoder does, at the first invalid byte", () => {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    for (let k = 0; k < 150; k++) {
      const bytes = Uint8Array.from({ length: randint(0, 12) }, () => (random.random() < 0.3 ? randint(0x20, 0x7f) : randint(0x80, 0x100)));
      let decodable = true;
      try {
        decoder.decode(bytes);
      } catch {
        decodable = false;
      }
      const at = firstInvalidUtf8(bytes);
      assert.equal(at === bytes.length, decodable, `bytes ${[...bytes]}: firstInvalidUtf8 ${at}`);
      if (!decodable) {
        assert.doesNotThrow(() => decoder.decode(bytes.subarray(0, at)));
        assert.throws(() => decoder.decode(bytes.subarray(at)));
      }
      expectOutcome("utf8", "bytes.txt", () => decodeUtf8(bytes, "bytes.txt"), (text) => assert.equal(typeof text, "string"));
    }
  });

  test("real files: damaged IDX and gzip files on disk, a damaged CSV, a missing file", () => {
    const write = (name: string, bytes: Uint8Array): string => {
      const file = path.join(temporaryDirectory, name);
      fs.writeFileSync(file, bytes);
      return file;
    };
    const images = new Uint8Array(zlib.gzipSync(fewRealImages));
    const good = write("good-images-idx3-ubyte.gz", images);
    expectOutcome("files", good, () => readIdx(good, { dtype: "uint8", shape: [null, 28, 28] }), (a) => assert.deepEqual(a.shape, [4, 28, 28]));
    const plain = write("plain-labels-idx1-ubyte", realLabels);
    expectOutcome("files", plain, () => readIdx(plain, { dtype: "uint8", shape: [1000] }), (a) => assert.equal(a.data.length, 1000));
    for (let k = 0; k < 4; k++) {
      const cut = write(`cut-${k}.gz`, images.subarray(0, randint(0, images.length)));
      expectOutcome("files", cut, () => readIdx(cut), verifyIdx);
      const flipped = write(`flipped-${k}.gz`, withBytes(images, (copy) => flipByte(copy, 10)));
      expectOutcome("files", flipped, () => readMaybeGzipped(flipped), (bytes) => assert.equal(bytes.length, fewRealImages.length));
      const plainCut = write(`plain-cut-${k}`, realLabels.subarray(0, randint(0, realLabels.length)));
      expectOutcome("files", plainCut, () => readIdx(plainCut), verifyIdx);
    }
    const wrongShape = good;
    expectOutcome("files", wrongShape, () => readIdx(wrongShape, { shape: [null, 28, 29] }), () => assert.fail("a wrong shape was accepted"));
    const csv = write("iris-damaged.csv.gz", new Uint8Array(zlib.gzipSync(damageBytes(IRIS))));
    expectOutcome("files", csv, () => parseSklearnCsv(decodeUtf8(readMaybeGzipped(csv), csv), csv), verifySklearn);
    const missing = path.join(temporaryDirectory, "missing-idx1-ubyte.gz");
    expectOutcome("files", missing, () => readIdx(missing), () => assert.fail("a missing file was read"));
    expectOutcome("files", missing, () => readMaybeGzipped(missing), () => assert.fail("a missing file was read"));
    assert.equal(tally("files").accepted >= 2, true);
  });

  test("the count: every family both accepts and refuses where it can, with varied messages", () => {
    const summary = [...tallies].map(([family, t]) => `${family} ${t.accepted}/${t.refused}`).join(", ");
    console.log(`readers fuzz: ${variants} variants (family accepted/refused): ${summary}`);
    assert.ok(variants >= 500, `${variants} variants`);
    for (const family of ["idx-dims", "idx-flipped", "gzip-corrupted", "sklearn-mutated", "numeric-mutated", "csv-random", "utf8"]) {
      const t = tally(family);
      assert.ok(t.accepted > 0 && t.refused > 0, `${family}: ${t.accepted} accepted, ${t.refused} refused`);
    }
    for (const family of ["idx-truncated", "idx-magic", "gzip-truncated", "gzip-fake"]) assert.equal(tally(family).accepted, 0, family);
    assert.equal(tally("csv-roundtrip").refused, 0);
    const distinct = [...tallies.values()].reduce((n, t) => n + t.messages.size, 0);
    assert.ok(distinct >= 40, `only ${distinct} distinct error messages`);
  });
});

// The file readers: gzip, IDX and CSV. Round trips, the real bundled files,
// and one test per validation rule, each asserting the specific message.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";
import { DataFileError } from "../../src/data/errors.ts";
import {
  decodeUtf8,
  firstInvalidUtf8,
  parseCsv,
  parseNumericCsv,
  parseSklearnCsv,
  readCsvRecords,
} from "../../src/data/readers/csv.ts";
import { DEFAULT_MAX_OUTPUT_BYTES, GZIP_MAGIC, gunzip, isGzip, readMaybeGzipped } from "../../src/data/readers/gzip.ts";
import { MAX_IDX_DIMENSIONS, encodeIdx, parseIdx, readIdx, type IdxArray } from "../../src/data/readers/idx.ts";

const BUNDLED = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../src/data/bundled");
const temporaryDirectory = fs.mkdtempSync(path.join(os.tmpdir(), "gradschool-readers-"));
after(() => fs.rmSync(temporaryDirectory, { recursive: true, force: true }));

/** Asserts that `fn` throws a DataFileError about `file` whose message matches `pattern`. */
function throwsDataFileError(fn: () => unknown, file: string, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof DataFileError, `expected a DataFileError, got ${String(error)}`);
    assert.equal(error.file, file);
    assert.ok(error.message.startsWith(`${file}: `), error.message);
    assert.match(error.message, pattern);
    return true;
  });
}

function bytesOf(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe("gzip", () => {
  const text = "the quick brown fox jumps over the lazy dog\n".repeat(50);
  const compressed = new Uint8Array(zlib.gzipSync(utf8(text)));

  test("the magic and isGzip", () => {
    assert.deepEqual([...GZIP_MAGIC], [0x1f, 0x8b]);
    assert.equal(isGzip(compressed), true);
    assert.equal(isGzip(utf8(text)), false);
    assert.equal(isGzip(bytesOf(0x1f)), false);
    assert.equal(isGzip(bytesOf()), false);
    assert.equal(isGzip(bytesOf(0x1f, 0x8c)), false);
  });

  test("gunzip inverts zlib.gzipSync and returns a plain Uint8Array", () => {
    const output = gunzip(compressed, "fox.gz");
    assert.equal(Object.getPrototypeOf(output), Uint8Array.prototype);
    assert.equal(new TextDecoder().decode(output), text);
  });

  test("gunzip reads concatenated members one after the other, as the gunzip tool does", () => {
    const two = new Uint8Array([...zlib.gzipSync(utf8("first ")), ...zlib.gzipSync(utf8("second"))]);
    assert.equal(new TextDecoder().decode(gunzip(two, "two.gz")), "first second");
  });

  test("data without the magic is refused, naming the bytes found", () => {
    throwsDataFileError(() => gunzip(utf8("PK\u0003\u0004"), "a.zip"), "a.zip", /not gzip data: it starts with 0x50 0x4b, not the gzip magic 0x1f 0x8b/);
    throwsDataFileError(() => gunzip(bytesOf(), "empty.gz"), "empty.gz", /not gzip data: it is empty/);
  });

  test("a truncated stream is refused with zlib's reason", () => {
    throwsDataFileError(() => gunzip(compressed.subarray(0, 30), "cut.gz"), "cut.gz", /the gzip stream is truncated \(unexpected end of file\) after 30 bytes/);
    throwsDataFileError(() => gunzip(compressed.subarray(0, 2), "magic.gz"), "magic.gz", /truncated/);
  });

  test("a corrupt stream is refused with zlib's reason", () => {
    const damaged = compressed.slice();
    damaged[damaged.length - 6]! ^= 0xff; // inside the CRC-32 of the trailer
    throwsDataFileError(() => gunzip(damaged, "crc.gz"), "crc.gz", /the gzip stream is corrupt \(incorrect data check\)/);
    const garbageAfter = new Uint8Array([...compressed, 0x41, 0x42, 0x43]);
    throwsDataFileError(() => gunzip(garbageAfter, "tail.gz"), "tail.gz", /the gzip stream is corrupt/);
  });

  test("maxOutputBytes bounds the decompressed size instead of exhausting memory", () => {
    const bomb = new Uint8Array(zlib.gzipSync(new Uint8Array(10_000_000))); // about 10 kB that inflate to 10 MB
    assert.ok(bomb.length < 20_000);
    throwsDataFileError(
      () => gunzip(bomb, "bomb.gz", { maxOutputBytes: 1_000_000 }),
      "bomb.gz",
      /decompresses to more than 1000000 bytes \(maxOutputBytes\)/,
    );
    assert.equal(gunzip(compressed, "fox.gz", { maxOutputBytes: text.length }).length, text.length);
    throwsDataFileError(() => gunzip(compressed, "fox.gz", { maxOutputBytes: text.length - 1 }), "fox.gz", /more than 2199 bytes/);
    assert.equal(DEFAULT_MAX_OUTPUT_BYTES, 512 * 1024 * 1024);
  });

  test("a nonsensical maxOutputBytes is the caller's mistake: a plain Error naming gunzip", () => {
    for (const bad of [0, -1, 1.5, NaN, 2 ** 31]) {
      assert.throws(() => gunzip(compressed, "fox.gz", { maxOutputBytes: bad }), (error: unknown) => {
        assert.ok(!(error instanceof DataFileError));
        assert.match((error as Error).message, /^gunzip: maxOutputBytes must be an integer from 1 to 2147483647/);
        return true;
      });
    }
  });

  test("readMaybeGzipped reads plain and gzipped files alike", () => {
    const plain = path.join(temporaryDirectory, "fox.txt");
    const gzipped = path.join(temporaryDirectory, "fox.txt.gz");
    fs.writeFileSync(plain, text);
    fs.writeFileSync(gzipped, compressed);
    assert.equal(new TextDecoder().decode(readMaybeGzipped(plain)), text);
    assert.equal(new TextDecoder().decode(readMaybeGzipped(gzipped)), text);
    assert.equal(Object.getPrototypeOf(readMaybeGzipped(plain)), Uint8Array.prototype);
    throwsDataFileError(() => readMaybeGzipped(gzipped, { maxOutputBytes: 100 }), gzipped, /more than 100 bytes/);
  });

  test("readMaybeGzipped: a missing file or a directory is a DataFileError naming it", () => {
    const missing = path.join(temporaryDirectory, "nowhere.gz");
    throwsDataFileError(() => readMaybeGzipped(missing), missing, /cannot read the file \(ENOENT: no such file or directory/);
    throwsDataFileError(() => readMaybeGzipped(temporaryDirectory), temporaryDirectory, /cannot read the file \(EISDIR/);
  });
});

describe("IDX round trips", () => {
  const cases: IdxArray[] = [
    { dtype: "uint8", shape: [2, 3, 2], data: Uint8Array.from({ length: 12 }, (_, i) => (i * 23) % 256) },
    { dtype: "int8", shape: [5], data: Int8Array.from([-128, -1, 0, 1, 127]) },
    { dtype: "int16", shape: [2, 3], data: Int16Array.from([-32768, -300, -1, 0, 258, 32767]) },
    { dtype: "int32", shape: [3, 1, 2], data: Int32Array.from([-2147483648, -70000, -1, 0, 65536, 2147483647]) },
    { dtype: "float32", shape: [2, 2], data: Float32Array.from([-1.5, 0.1, 3.4e38, -0]) },
    { dtype: "float64", shape: [1, 4, 1, 1], data: Float64Array.from([Math.PI, -1e-300, 1.7976931348623157e308, 5e-324]) },
  ];
  for (const array of cases) {
    test(`${array.dtype} ${JSON.stringify(array.shape)}`, () => {
      const back = parseIdx(encodeIdx(array), "round-trip.idx");
      assert.equal(back.dtype, array.dtype);
      assert.deepEqual(back.shape, array.shape);
      assert.equal(back.data.constructor, array.data.constructor);
      assert.deepEqual([...back.data], [...array.data]);
      assert.ok(Object.is(back.data[back.data.length - 1], array.data[array.data.length - 1])); // -0 stays -0, 5e-324 stays
    });
  }

  test("the bytes are big-endian with the documented header", () => {
    const bytes = encodeIdx({ dtype: "int16", shape: [2], data: Int16Array.from([0x0102, -2]) });
    assert.deepEqual([...bytes], [0, 0, 0x0b, 1, 0, 0, 0, 2, 0x01, 0x02, 0xff, 0xfe]);
    const images = encodeIdx({ dtype: "uint8", shape: [1, 28, 28], data: new Uint8Array(784) });
    assert.deepEqual([...images.subarray(0, 16)], [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28]);
    assert.equal(images.length, 16 + 784);
  });

  test("parseIdx reads a view into a larger buffer and copies the data out", () => {
    const bytes = encodeIdx({ dtype: "int32", shape: [2], data: Int32Array.from([7, -7]) });
    const padded = new Uint8Array(bytes.length + 5);
    padded.set(bytes, 3);
    const view = padded.subarray(3, 3 + bytes.length);
    const array = parseIdx(view, "view.idx");
    assert.deepEqual([...array.data], [7, -7]);
    const labels = parseIdx(encodeIdx({ dtype: "uint8", shape: [3], data: Uint8Array.from([1, 2, 3]) }), "labels.idx");
    const source = encodeIdx({ dtype: "uint8", shape: [3], data: Uint8Array.from([1, 2, 3]) });
    const copied = parseIdx(source, "labels.idx");
    source[8] = 99;
    assert.deepEqual([...copied.data], [...labels.data]);
    const signed = encodeIdx({ dtype: "int8", shape: [1], data: Int8Array.from([-5]) });
    const parsed = parseIdx(signed, "s.idx");
    signed[8] = 1;
    assert.equal(parsed.data[0], -5);
  });

  test("a dimension of size 0 is allowed: an empty array and no data bytes", () => {
    const empty = parseIdx(bytesOf(0, 0, 8, 2, 0, 0, 0, 0, 0, 0, 0, 28), "empty.idx");
    assert.deepEqual(empty.shape, [0, 28]);
    assert.equal(empty.data.length, 0);
    const back = parseIdx(encodeIdx({ dtype: "float32", shape: [4, 0], data: new Float32Array(0) }), "e.idx");
    assert.deepEqual(back.shape, [4, 0]);
  });
});

describe("IDX validation", () => {
  const labels = encodeIdx({ dtype: "uint8", shape: [1000], data: new Uint8Array(1000) });

  test("fewer than 4 bytes", () => {
    throwsDataFileError(() => parseIdx(bytesOf(0, 0, 8), "short.idx"), "short.idx", /the file has 3 bytes, too few for the 4-byte IDX magic number \(truncated\)/);
    throwsDataFileError(() => parseIdx(bytesOf(), "zero.idx"), "zero.idx", /the file has 0 bytes/);
  });

  test("the first two bytes must be zero", () => {
    throwsDataFileError(() => parseIdx(bytesOf(0, 1, 8, 1, 0, 0, 0, 0), "m.idx"), "m.idx", /not an IDX file: the first two bytes must be 0x00 0x00, found 0x00 0x01$/);
    throwsDataFileError(
      () => parseIdx(new Uint8Array(zlib.gzipSync(labels)), "labels.gz"),
      "labels.gz",
      /found 0x1f 0x8b \(it looks gzip-compressed: gunzip it first, or use readIdx\)/,
    );
  });

  test("an unknown type byte", () => {
    throwsDataFileError(
      () => parseIdx(bytesOf(0, 0, 0x0a, 1, 0, 0, 0, 0), "t.idx"),
      "t.idx",
      /unknown IDX element type byte 0x0a \(known: 0x08 uint8, 0x09 int8, 0x0b int16, 0x0c int32, 0x0d float32, 0x0e float64\)/,
    );
  });

  test("the number of dimensions must be 1 to 16", () => {
    assert.equal(MAX_IDX_DIMENSIONS, 16);
    throwsDataFileError(() => parseIdx(bytesOf(0, 0, 8, 0, 7), "d0.idx"), "d0.idx", /declares 0 dimensions; this reader accepts 1 to 16/);
    const seventeen = new Uint8Array(4 + 4 * 17 + 1);
    seventeen.set([0, 0, 8, 17]);
    throwsDataFileError(() => parseIdx(seventeen, "d17.idx"), "d17.idx", /declares 17 dimensions; this reader accepts 1 to 16/);
  });

  test("the header must fit in the file", () => {
    throwsDataFileError(
      () => parseIdx(bytesOf(0, 0, 8, 3, 0, 0, 0, 1, 0, 0), "h.idx"),
      "h.idx",
      /declares 3 dimensions, so it is 16 bytes long, but the file has only 10 bytes \(truncated\)/,
    );
    throwsDataFileError(() => parseIdx(bytesOf(0, 0, 8, 1, 0, 0), "h1.idx"), "h1.idx", /declares 1 dimension, so it is 8 bytes long, but the file has only 6 bytes/);
  });

  test("truncated data", () => {
    throwsDataFileError(
      () => parseIdx(labels.subarray(0, labels.length - 10), "t10k-labels-idx1-ubyte.gz"),
      "t10k-labels-idx1-ubyte.gz",
      /the IDX header declares 1000 elements \(1000 bytes of uint8\) after the 8-byte header, but the file has 990 \(truncated\)$/,
    );
    const images = encodeIdx({ dtype: "float32", shape: [2, 3], data: new Float32Array(6) });
    throwsDataFileError(
      () => parseIdx(images.subarray(0, images.length - 1), "f.idx"),
      "f.idx",
      /declares 2 × 3 = 6 elements \(24 bytes of float32\) after the 12-byte header, but the file has 23 \(truncated\)/,
    );
  });

  test("trailing bytes", () => {
    throwsDataFileError(
      () => parseIdx(new Uint8Array([...labels, 1, 2, 3]), "long.idx"),
      "long.idx",
      /declares 1000 elements .* but the file has 1003 \(3 trailing bytes\)$/,
    );
  });

  test("dims that would overflow are counted exactly, before anything is allocated", () => {
    throwsDataFileError(
      () => parseIdx(bytesOf(0, 0, 0x0e, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3), "huge.idx"),
      "huge.idx",
      /declares 4294967295 × 4294967295 = 18446744065119617025 elements \(147573952520956936200 bytes of float64\) after the 12-byte header, but the file has 3 \(truncated\)/,
    );
    // 2^16 × 2^16 = 2^32 elements: as 32-bit integers the product would wrap to 0 and match an empty data section.
    throwsDataFileError(() => parseIdx(bytesOf(0, 0, 8, 2, 0, 1, 0, 0, 0, 1, 0, 0), "wrap.idx"), "wrap.idx", /4294967296 elements .* \(truncated\)/);
  });

  test("non-finite floats are refused, naming the first one", () => {
    const withNaN = encodeIdx({ dtype: "float32", shape: [2, 3], data: Float32Array.from([0, 1, 2, 3, 4, 5]) });
    new DataView(withNaN.buffer).setFloat32(12 + 4 * 4, NaN);
    new DataView(withNaN.buffer).setFloat32(12 + 4 * 5, Infinity);
    throwsDataFileError(() => parseIdx(withNaN, "nan.idx"), "nan.idx", /float32 element 4 \(index \[1, 1\]\) is NaN; IDX data must be finite/);
    const withInfinity = encodeIdx({ dtype: "float64", shape: [3], data: Float64Array.from([1, 2, 3]) });
    new DataView(withInfinity.buffer).setFloat64(8 + 8 * 2, -Infinity);
    throwsDataFileError(() => parseIdx(withInfinity, "inf.idx"), "inf.idx", /float64 element 2 \(index \[2\]\) is -Infinity/);
  });

  test("encodeIdx refuses what it could not write faithfully, as a plain Error naming encodeIdx", () => {
    const refuse = (array: IdxArray, pattern: RegExp) =>
      assert.throws(() => encodeIdx(array), (error: unknown) => {
        assert.ok(error instanceof Error && !(error instanceof DataFileError));
        assert.match(error.message, /^encodeIdx: /);
        assert.match(error.message, pattern);
        return true;
      });
    refuse({ dtype: "uint16" as "uint8", shape: [1], data: new Uint8Array(1) }, /unknown dtype "uint16"/);
    refuse({ dtype: "uint8", shape: [], data: new Uint8Array(1) }, /shape \[\] has 0 dimensions; IDX here needs 1 to 16/);
    refuse({ dtype: "uint8", shape: new Array(17).fill(1), data: new Uint8Array(1) }, /has 17 dimensions/);
    refuse({ dtype: "uint8", shape: [2, -1], data: new Uint8Array(1) }, /has size -1; each must be an integer from 0 to 2\^32 − 1/);
    refuse({ dtype: "uint8", shape: [1.5], data: new Uint8Array(1) }, /has size 1.5/);
    refuse({ dtype: "uint8", shape: [2 ** 32], data: new Uint8Array(1) }, /has size 4294967296/);
    refuse({ dtype: "int16", shape: [2], data: new Int32Array(2) }, /dtype int16 needs its data in a Int16Array, got a Int32Array/);
    refuse({ dtype: "uint8", shape: [2, 3], data: new Uint8Array(5) }, /shape \[2, 3\] holds 6 elements, but the data has 5/);
    refuse({ dtype: "float64", shape: [2], data: Float64Array.from([1, NaN]) }, /element 1 is NaN; IDX data must be finite/);
  });
});

describe("readIdx", () => {
  const file = path.join(temporaryDirectory, "images-idx3-ubyte.gz");
  fs.writeFileSync(file, zlib.gzipSync(encodeIdx({ dtype: "uint8", shape: [2, 28, 27], data: new Uint8Array(2 * 28 * 27).fill(9) })));

  test("reads a gzipped IDX file and checks the expectation", () => {
    const array = readIdx(file, { dtype: "uint8", shape: [null, 28, 27] });
    assert.deepEqual(array.shape, [2, 28, 27]);
    assert.equal(array.data[100], 9);
    assert.deepEqual(readIdx(file).shape, [2, 28, 27]);
  });

  test("a dtype mismatch names both types", () => {
    throwsDataFileError(() => readIdx(file, { dtype: "float32" }), file, /expected IDX elements of type float32, but the file holds uint8/);
  });

  test("a shape mismatch names both shapes", () => {
    throwsDataFileError(
      () => readIdx(file, { dtype: "uint8", shape: [null, 28, 28] }),
      file,
      /expected shape \[\*, 28, 28\] \(\* = any size\), but the IDX header declares \[2, 28, 27\]/,
    );
    throwsDataFileError(() => readIdx(file, { shape: [null] }), file, /expected shape \[\*\] .* declares \[2, 28, 27\]/);
  });

  test("the bundled Fashion-MNIST subset: shapes, 600 / 100 labels per class", () => {
    const directory = path.join(BUNDLED, "fashion-mnist/subset");
    const trainImages = readIdx(path.join(directory, "train-images-idx3-ubyte.gz"), { dtype: "uint8", shape: [null, 28, 28] });
    const trainLabels = readIdx(path.join(directory, "train-labels-idx1-ubyte.gz"), { dtype: "uint8", shape: [null] });
    const testImages = readIdx(path.join(directory, "t10k-images-idx3-ubyte.gz"), { dtype: "uint8" });
    const testLabels = readIdx(path.join(directory, "t10k-labels-idx1-ubyte.gz"), { dtype: "uint8" });
    assert.deepEqual(trainImages.shape, [6000, 28, 28]);
    assert.deepEqual(trainLabels.shape, [6000]);
    assert.deepEqual(testImages.shape, [1000, 28, 28]);
    assert.deepEqual(testLabels.shape, [1000]);
    const perClass = (labels: IdxArray) => Array.from({ length: 10 }, (_, k) => labels.data.filter((y) => y === k).length);
    assert.deepEqual(perClass(trainLabels), new Array(10).fill(600));
    assert.deepEqual(perClass(testLabels), new Array(10).fill(100));
    let brightest = 0;
    for (const pixel of testImages.data) brightest = Math.max(brightest, pixel);
    assert.equal(brightest, 255);
    let firstImageInk = 0;
    for (let i = 0; i < 784; i++) firstImageInk += testImages.data[i]!;
    assert.ok(firstImageInk > 10_000, `the first test image has ink ${firstImageInk}`);
  });
});

describe("parseCsv", () => {
  test("fields, quotes, escaped quotes, embedded delimiters and newlines", () => {
    const text = 'name,note,n\n"Smith, J.","said ""hi""\nand left",3\nplain,,4\n';
    assert.deepEqual(parseCsv(text, "q.csv"), [
      ["name", "note", "n"],
      ["Smith, J.", 'said "hi"\nand left', "3"],
      ["plain", "", "4"],
    ]);
  });

  test("CRLF line ends, an optional final newline, trailing blank lines, a byte order mark", () => {
    const expected = [["a", "b"], ["1", "2"]];
    assert.deepEqual(parseCsv("a,b\r\n1,2\r\n", "crlf.csv"), expected);
    assert.deepEqual(parseCsv("a,b\n1,2", "nofinal.csv"), expected);
    assert.deepEqual(parseCsv("a,b\n1,2\n\n\r\n\n", "blank.csv"), expected);
    assert.deepEqual(parseCsv("\uFEFFa,b\n1,2\n", "bom.csv"), expected);
    assert.deepEqual(parseCsv("", "empty.csv"), []);
    assert.deepEqual(parseCsv('a,""\n', "emptyquoted.csv"), [["a", ""]]);
    assert.deepEqual(parseCsv("a,\n", "emptylast.csv"), [["a", ""]]);
  });

  test("a blank line in the middle is a row with one empty field", () => {
    assert.deepEqual(parseCsv("x\n\ny\n", "one-column.csv"), [["x"], [""], ["y"]]);
    throwsDataFileError(() => parseCsv("a,b\n\n1,2\n", "gap.csv"), "gap.csv", /line 2 has 1 field, but line 1 has 2/);
  });

  test("another delimiter", () => {
    assert.deepEqual(parseCsv('a;"b;c"\n1;2\n', "semi.csv", { delimiter: ";" }), [["a", "b;c"], ["1", "2"]]);
    assert.deepEqual(parseCsv("a\tb,c\n", "tabs.tsv", { delimiter: "\t" }), [["a", "b,c"]]);
    for (const bad of ["", ";;", '"', "\n", "\r"]) {
      assert.throws(() => parseCsv("a", "x.csv", { delimiter: bad }), /^Error: parseCsv: the delimiter must be one character other than a quote or a line end/);
    }
  });

  test("a row with a different number of fields names both lines, counting lines inside quoted fields", () => {
    throwsDataFileError(() => parseCsv("a,b,c\n1,2,3\n4,5\n", "short.csv"), "short.csv", /line 3 has 2 fields, but line 1 has 3 \(every row must have the same number of fields\)$/);
    throwsDataFileError(() => parseCsv('a,b\n"x\ny",2\n1,2,3\n', "multi.csv"), "multi.csv", /line 4 has 3 fields, but line 1 has 2/);
    assert.deepEqual(readCsvRecords('a,b\n"x\r\ny",2\n1\n', "lines.csv").map((r) => r.line), [1, 2, 4]);
  });

  test("an unterminated quote names the line where it opened", () => {
    throwsDataFileError(() => parseCsv('a,b\n1,2\n3,"four\n5,6\n', "open.csv"), "open.csv", /line 3: field 2 opens a quote that is never closed \(unterminated quote\)/);
  });

  test("a quote inside an unquoted field, and text after a closing quote", () => {
    throwsDataFileError(() => parseCsv('a,b\n1,2"3\n', "inner.csv"), "inner.csv", /line 2: field 2 has a quote inside an unquoted field/);
    throwsDataFileError(() => parseCsv('a,b\n"1"x,2\n', "after.csv"), "after.csv", /line 2: field 1 has "x" after its closing quote/);
  });

  test("a carriage return must be followed by a line feed", () => {
    throwsDataFileError(() => parseCsv("a,b\r1,2\n", "cr.csv"), "cr.csv", /line 1 has a carriage return \(\\r\) that is not followed by a line feed/);
    throwsDataFileError(() => parseCsv("a,b\r", "crend.csv"), "crend.csv", /line 1 has a carriage return/);
    assert.deepEqual(parseCsv('"a\rb"\n', "quotedcr.csv"), [["a\rb"]]);
  });
});

describe("parseNumericCsv", () => {
  test("values row-major, with and without a header", () => {
    const withHeader = parseNumericCsv("x,y\n1,2.5\n-3,4e2\n", "h.csv", { header: true });
    assert.deepEqual(withHeader.columns, ["x", "y"]);
    assert.equal(withHeader.rows, 2);
    assert.equal(withHeader.cols, 2);
    assert.deepEqual([...withHeader.values], [1, 2.5, -3, 400]);
    const bare = parseNumericCsv("1;2;3\n4;5;6", "b.csv", { delimiter: ";" });
    assert.equal(bare.columns, null);
    assert.deepEqual([bare.rows, bare.cols], [2, 3]);
    assert.deepEqual([...bare.values], [1, 2, 3, 4, 5, 6]);
    const headerOnly = parseNumericCsv("x,y\n", "ho.csv", { header: true });
    assert.deepEqual([headerOnly.rows, headerOnly.cols, headerOnly.values.length], [0, 2, 0]);
  });

  test("every decimal spelling Python's float() accepts, and no other", () => {
    const accepted: Array<[string, number]> = [["+1", 1], ["-.5", -0.5], ["1.", 1], ["1e-3", 0.001], ["2E+2", 200], ["007", 7], ["-0", -0], ['"3.5"', 3.5]];
    for (const [text, value] of accepted) {
      assert.ok(Object.is(parseNumericCsv(text, "n.csv").values[0], value), text);
    }
  });

  test("a field that is not a finite number names the line, the column and the text", () => {
    const refused: Array<[string, RegExp]> = [
      ["", /line 2, column 2: the field is empty; expected a number$/],
      ["1.2.3", /line 2, column 2: "1.2.3" is not a number$/],
      ["abc", /"abc" is not a number/],
      ["0x10", /"0x10" is not a number/],
      [" ", /" " is not a number/],
      [" 1", /" 1" is not a number/],
      ["1 ", /"1 " is not a number/],
      ["Infinity", /"Infinity" is not a number/],
      ["NaN", /"NaN" is not a number/],
      ["1e", /"1e" is not a number/],
      [".", /"\." is not a number/],
      ["1e999", /line 2, column 2: "1e999" is too large to be a finite number/],
    ];
    for (const [field, pattern] of refused) {
      throwsDataFileError(() => parseNumericCsv(`1,2\n3,${field}\n`, "n.csv"), "n.csv", pattern);
    }
    throwsDataFileError(() => parseNumericCsv("x,y\n1,z\n", "h.csv", { header: true }), "h.csv", /line 2, column 2 \("y"\): "z" is not a number/);
    throwsDataFileError(() => parseNumericCsv("1,3.\u007f\n", "del.csv"), "del.csv", /line 1, column 2: "3\.\\u007f" is not a number/);
  });

  test("an empty file, and ragged rows", () => {
    throwsDataFileError(() => parseNumericCsv("", "e.csv"), "e.csv", /the file holds no rows \(it is empty\)/);
    throwsDataFileError(() => parseNumericCsv("\n\n", "e2.csv", { header: true }), "e2.csv", /no rows/);
    throwsDataFileError(() => parseNumericCsv("1,2\n3\n", "r.csv"), "r.csv", /line 2 has 1 field, but line 1 has 2/);
  });

  test("the bundled digits: 1797 rows of 64 pixels in 0..16 and a label in 0..9", () => {
    const digits = parseNumericCsv(decodeUtf8(readMaybeGzipped(path.join(BUNDLED, "digits/digits.csv.gz")), "digits.csv.gz"), "digits.csv.gz");
    assert.deepEqual([digits.rows, digits.cols, digits.values.length], [1797, 65, 1797 * 65]);
    const labelCounts = new Array<number>(10).fill(0);
    for (let r = 0; r < digits.rows; r++) {
      for (let c = 0; c < 64; c++) {
        const pixel = digits.values[r * 65 + c]!;
        assert.ok(Number.isInteger(pixel) && pixel >= 0 && pixel <= 16);
      }
      labelCounts[digits.values[r * 65 + 64]!]!++;
    }
    assert.equal(Math.min(...labelCounts), 174);
    assert.equal(Math.max(...labelCounts), 183);
    assert.deepEqual([...digits.values.subarray(0, 6)], [0, 0, 5, 13, 9, 1]);
  });
});

describe("parseSklearnCsv", () => {
  const valid = "3,2,cat,dog\n1.5,2,0\n-3,4e1,1\n0,0,1\n";

  test("a small file", () => {
    const table = parseSklearnCsv(valid, "pets.csv");
    assert.equal(table.nSamples, 3);
    assert.equal(table.nFeatures, 2);
    assert.deepEqual(table.targetNames, ["cat", "dog"]);
    assert.deepEqual([...table.data], [1.5, 2, -3, 40, 0, 0]);
    assert.ok(table.target instanceof Int32Array);
    assert.deepEqual([...table.target], [0, 1, 1]);
  });

  const bundled: Array<[string, number, number, string[], number[], number[]]> = [
    ["iris.csv", 150, 4, ["setosa", "versicolor", "virginica"], [50, 50, 50], [5.1, 3.5, 1.4, 0.2]],
    ["breast_cancer.csv", 569, 30, ["malignant", "benign"], [212, 357], [17.99, 10.38, 122.8, 1001]],
    ["wine_data.csv", 178, 13, ["class_0", "class_1", "class_2"], [59, 71, 48], [14.23, 1.71, 2.43, 15.6]],
  ];
  for (const [file, samples, features, names, counts, firstValues] of bundled) {
    test(`the bundled ${file}: ${samples} × ${features}, ${names.length} classes`, () => {
      const table = parseSklearnCsv(decodeUtf8(fs.readFileSync(path.join(BUNDLED, "tabular", file)), file), file);
      assert.deepEqual([table.nSamples, table.nFeatures, table.data.length, table.target.length], [samples, features, samples * features, samples]);
      assert.deepEqual(table.targetNames, names);
      assert.deepEqual(names.map((_, k) => table.target.filter((y) => y === k).length), counts);
      assert.deepEqual([...table.data.subarray(0, 4)], firstValues);
    });
  }

  test("line 1: empty file, too few fields, bad counts, empty class names", () => {
    throwsDataFileError(() => parseSklearnCsv("", "s.csv"), "s.csv", /the file is empty; line 1 should read n_samples,n_features,<class names>/);
    throwsDataFileError(() => parseSklearnCsv("3,2\n", "s.csv"), "s.csv", /line 1 has 2 fields; it must be n_samples,n_features and at least one class name/);
    throwsDataFileError(() => parseSklearnCsv("x,2,a\n", "s.csv"), "s.csv", /line 1: n_samples \(the number of samples\) must be a positive integer, got "x"/);
    for (const bad of ["0", "-1", "1.5", "", "1e3", "99999999999999999999"]) {
      throwsDataFileError(() => parseSklearnCsv(`${bad},2,a\n`, "s.csv"), "s.csv", /n_samples \(the number of samples\) must be a positive integer/);
    }
    throwsDataFileError(() => parseSklearnCsv("1,0,a\n", "s.csv"), "s.csv", /line 1: n_features \(the number of features\) must be a positive integer, got "0"/);
    throwsDataFileError(() => parseSklearnCsv("1,1,a,\n1,0\n", "s.csv"), "s.csv", /line 1: class name 1 \(field 4\) is empty/);
  });

  test("the declared number of samples must match the data rows", () => {
    throwsDataFileError(() => parseSklearnCsv("4,2,cat,dog\n1,2,0\n3,4,1\n5,6,1\n", "iris.csv"), "iris.csv", /line 1 declares 4 samples but there are 3 data rows$/);
    throwsDataFileError(() => parseSklearnCsv("2,2,cat\n1,2,0\n3,4,0\n5,6,0\n", "iris.csv"), "iris.csv", /line 1 declares 2 samples but there are 3 data rows/);
    throwsDataFileError(() => parseSklearnCsv("2,2,cat\n1,2,0\n", "iris.csv"), "iris.csv", /line 1 declares 2 samples but there is 1 data row$/);
  });

  test("every row needs n_features values and a label", () => {
    throwsDataFileError(
      () => parseSklearnCsv("2,2,cat\n1,2,0\n3,0\n", "s.csv"),
      "s.csv",
      /line 3 has 2 fields, but line 1 declares 2 features, so every data row needs 3 \(the features, then the label\)/,
    );
  });

  test("features must be finite numbers", () => {
    throwsDataFileError(() => parseSklearnCsv("1,2,cat\n1,abc,0\n", "s.csv"), "s.csv", /line 2, column 2: "abc" is not a number/);
    throwsDataFileError(() => parseSklearnCsv("1,2,cat\n,1,0\n", "s.csv"), "s.csv", /line 2, column 1: the field is empty/);
  });

  test("labels must be integers indexing the class names", () => {
    throwsDataFileError(() => parseSklearnCsv("1,1,a,b\n1,1.0\n", "s.csv"), "s.csv", /line 2, column 2: the label "1.0" is not an integer/);
    throwsDataFileError(() => parseSklearnCsv("1,1,a,b\n1,\n", "s.csv"), "s.csv", /the label "" is not an integer/);
    throwsDataFileError(
      () => parseSklearnCsv("2,1,a,b,c\n1,0\n1,3\n", "s.csv"),
      "s.csv",
      /line 3, column 2: the label 3 is out of range; line 1 names 3 classes, so labels go from 0 to 2/,
    );
    throwsDataFileError(() => parseSklearnCsv("1,1,a\n1,-1\n", "s.csv"), "s.csv", /the label -1 is out of range; line 1 names 1 class, so labels go from 0 to 0/);
  });
});

describe("decodeUtf8", () => {
  test("decodes UTF-8, dropping a byte order mark", () => {
    assert.equal(decodeUtf8(utf8("Asunción, 東京, 😀"), "w.txt"), "Asunción, 東京, 😀");
    assert.equal(decodeUtf8(bytesOf(0xef, 0xbb, 0xbf, 0x61), "bom.txt"), "a");
  });

  test("invalid UTF-8 names the byte offset and the line", () => {
    const bytes = new Uint8Array([...utf8("ok\nstill ok é\n"), 0xc3, 0x28]);
    throwsDataFileError(() => decodeUtf8(bytes, "latin.csv"), "latin.csv", /invalid UTF-8 at byte 15 \(line 3\): bytes c3 28$/);
    throwsDataFileError(() => decodeUtf8(bytesOf(0x61, 0xff), "ff.csv"), "ff.csv", /invalid UTF-8 at byte 1 \(line 1\): bytes ff$/);
  });

  test("firstInvalidUtf8 finds overlong forms, surrogates, code points above U+10FFFF and cut sequences", () => {
    assert.equal(firstInvalidUtf8(utf8("aé東😀")), 10);
    assert.equal(firstInvalidUtf8(bytesOf(0x61, 0xc0, 0x80)), 1); // overlong NUL
    assert.equal(firstInvalidUtf8(bytesOf(0xe0, 0x80, 0x80)), 0); // overlong three-byte
    assert.equal(firstInvalidUtf8(bytesOf(0xed, 0xa0, 0x80)), 0); // a UTF-16 surrogate
    assert.equal(firstInvalidUtf8(bytesOf(0xf0, 0x80, 0x80, 0x80)), 0); // overlong four-byte
    assert.equal(firstInvalidUtf8(bytesOf(0xf4, 0x90, 0x80, 0x80)), 0); // above U+10FFFF
    assert.equal(firstInvalidUtf8(bytesOf(0x61, 0x62, 0xe6, 0x9d)), 2); // cut short
    assert.equal(firstInvalidUtf8(bytesOf(0x80)), 0); // a lone continuation byte
    assert.equal(firstInvalidUtf8(bytesOf(0xf4, 0x8f, 0xbf, 0xbf)), 4); // U+10FFFF itself is fine
  });
});

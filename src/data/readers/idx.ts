// The IDX format: how MNIST and Fashion-MNIST store images and labels.
// torchvision's MNIST dataset reads it with `read_sn3_pascalvincent_tensor`;
// this file is that reader (and a writer), with every header rule checked.
//
// An IDX file is a small header, then the numbers:
//
//   bytes 0–1    0x00 0x00
//   byte  2      the element type: 0x08 uint8, 0x09 int8, 0x0B int16,
//                0x0C int32, 0x0D float32, 0x0E float64
//   byte  3      d, the number of dimensions
//   4 … 4+4d     each dimension's size, a big-endian uint32
//   the rest     the elements, row-major, each big-endian
//
// Fashion-MNIST's training images are type 0x08 with dims [60000, 28, 28]:
// a 16-byte header, then 60000 × 28 × 28 = 47,040,000 pixel bytes.
//
// The reader treats the file as untrusted. Before it allocates anything it
// checks that the header is complete and that the declared element count
// matches the bytes that follow exactly: a truncated file and a file with
// trailing bytes are both errors. The count is computed with BigInt, so that
// dims like 0xFFFFFFFF × 0xFFFFFFFF cannot overflow into a small number.
//
// Decisions where the format is silent:
//   - a dimension of size 0 is allowed (an empty array, zero data bytes);
//     MNIST never has one;
//   - 1 to 16 dimensions (MAX_IDX_DIMENSIONS);
//   - float data must be finite: a NaN or an infinity is refused, naming the
//     first such element, because no dataset means one.

import { DataFileError } from "../errors.ts";
import { readMaybeGzipped } from "./gzip.ts";

export type IdxDataType = "uint8" | "int8" | "int16" | "int32" | "float32" | "float64";

export interface IdxArray {
  dtype: IdxDataType;
  shape: number[];
  /** The elements in native byte order, row-major, copied out of the file. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** The most dimensions an IDX header may declare here. */
export const MAX_IDX_DIMENSIONS = 16;

const HEADER_PREFIX_BYTES = 4; // 2 zero bytes, the type byte, the dimension count

/** What each type byte means, and how to read and write one big-endian element of it. */
interface IdxType {
  code: number;
  dtype: IdxDataType;
  bytesPerElement: number;
  isFloat: boolean;
  ArrayType: { new (length: number): IdxArray["data"]; readonly name: string };
  read(view: DataView, byteOffset: number): number;
  write(view: DataView, byteOffset: number, value: number): void;
}

// DataView's getters and setters are big-endian unless told otherwise, which is exactly IDX's byte order.
const IDX_TYPES: readonly IdxType[] = [
  { code: 0x08, dtype: "uint8", bytesPerElement: 1, isFloat: false, ArrayType: Uint8Array,
    read: (v, at) => v.getUint8(at), write: (v, at, x) => v.setUint8(at, x) },
  { code: 0x09, dtype: "int8", bytesPerElement: 1, isFloat: false, ArrayType: Int8Array,
    read: (v, at) => v.getInt8(at), write: (v, at, x) => v.setInt8(at, x) },
  { code: 0x0b, dtype: "int16", bytesPerElement: 2, isFloat: false, ArrayType: Int16Array,
    read: (v, at) => v.getInt16(at), write: (v, at, x) => v.setInt16(at, x) },
  { code: 0x0c, dtype: "int32", bytesPerElement: 4, isFloat: false, ArrayType: Int32Array,
    read: (v, at) => v.getInt32(at), write: (v, at, x) => v.setInt32(at, x) },
  { code: 0x0d, dtype: "float32", bytesPerElement: 4, isFloat: true, ArrayType: Float32Array,
    read: (v, at) => v.getFloat32(at), write: (v, at, x) => v.setFloat32(at, x) },
  { code: 0x0e, dtype: "float64", bytesPerElement: 8, isFloat: true, ArrayType: Float64Array,
    read: (v, at) => v.getFloat64(at), write: (v, at, x) => v.setFloat64(at, x) },
];

const KNOWN_TYPE_BYTES = IDX_TYPES.map((t) => `${hex(t.code)} ${t.dtype}`).join(", ");

function typeByCode(code: number): IdxType | undefined {
  return IDX_TYPES.find((t) => t.code === code);
}

function typeByName(dtype: IdxDataType): IdxType | undefined {
  return IDX_TYPES.find((t) => t.dtype === dtype);
}

/** Parses decompressed IDX bytes; every broken rule is a DataFileError starting with `source`. */
export function parseIdx(bytes: Uint8Array, source: string): IdxArray {
  const fail = (problem: string): never => {
    throw new DataFileError(source, problem);
  };
  if (bytes.length < HEADER_PREFIX_BYTES) {
    fail(`the file has ${bytes.length} bytes, too few for the 4-byte IDX magic number (truncated)`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const hint = bytes[0] === 0x1f && bytes[1] === 0x8b ? " (it looks gzip-compressed: gunzip it first, or use readIdx)" : "";
    fail(`not an IDX file: the first two bytes must be 0x00 0x00, found ${hex(bytes[0]!)} ${hex(bytes[1]!)}${hint}`);
  }
  const type = typeByCode(bytes[2]!) ?? fail(`unknown IDX element type byte ${hex(bytes[2]!)} (known: ${KNOWN_TYPE_BYTES})`);
  const rank = bytes[3]!;
  if (rank < 1 || rank > MAX_IDX_DIMENSIONS) {
    fail(`the IDX header declares ${rank} dimensions; this reader accepts 1 to ${MAX_IDX_DIMENSIONS}`);
  }
  const headerBytes = HEADER_PREFIX_BYTES + 4 * rank;
  if (bytes.length < headerBytes) {
    const dimensions = rank === 1 ? "1 dimension" : `${rank} dimensions`;
    fail(`the IDX header declares ${dimensions}, so it is ${headerBytes} bytes long, but the file has only ${bytes.length} bytes (truncated)`);
  }

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let d = 0; d < rank; d++) shape.push(view.getUint32(HEADER_PREFIX_BYTES + 4 * d));

  // Count in BigInt: up to 16 factors of up to 2^32 − 1 would lose precision (or overflow) as doubles.
  const declaredElements = shape.reduce((product, size) => product * BigInt(size), 1n);
  const declaredBytes = declaredElements * BigInt(type.bytesPerElement);
  const dataBytes = bytes.length - headerBytes;
  if (declaredBytes !== BigInt(dataBytes)) {
    const verdict = declaredBytes > BigInt(dataBytes) ? "truncated" : `${BigInt(dataBytes) - declaredBytes} trailing bytes`;
    const count = rank === 1 ? `${declaredElements}` : `${shape.join(" × ")} = ${declaredElements}`;
    fail(
      `the IDX header declares ${count} elements (${declaredBytes} bytes of ${type.dtype}) ` +
        `after the ${headerBytes}-byte header, but the file has ${dataBytes} (${verdict})`,
    );
  }

  const data = readElements(bytes, view, headerBytes, Number(declaredElements), type);
  if (type.isFloat) {
    const bad = firstNonFinite(data);
    if (bad >= 0) {
      fail(`${type.dtype} element ${bad} (index [${unravel(bad, shape).join(", ")}]) is ${data[bad]}; IDX data must be finite`);
    }
  }
  return { dtype: type.dtype, shape, data };
}

/** Copies `count` big-endian elements starting at `offset` into a new native typed array. */
function readElements(bytes: Uint8Array, view: DataView, offset: number, count: number, type: IdxType): IdxArray["data"] {
  // One-byte types have no byte order: a plain copy is all there is to do (and fast for 47 MB of pixels).
  // (new Uint8Array(view) copies; Buffer's slice() would not, so it is avoided.)
  if (type.dtype === "uint8") return new Uint8Array(bytes.subarray(offset, offset + count));
  if (type.dtype === "int8") return new Int8Array(new Uint8Array(bytes.subarray(offset, offset + count)).buffer);
  const data = new type.ArrayType(count);
  const step = type.bytesPerElement;
  for (let i = 0, at = offset; i < count; i++, at += step) data[i] = type.read(view, at);
  return data;
}

function firstNonFinite(data: IdxArray["data"]): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return i;
  return -1;
}

/** The multi-index of flat position `flat` in a row-major array of `shape`. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return index;
}

export interface IdxExpectation {
  dtype?: IdxDataType;
  /** The expected shape; null matches any size in that dimension, e.g. [null, 28, 28]. */
  shape?: readonly (number | null)[];
}

/**
 * Reads an IDX file, gzipped or not, and checks it against `expect`:
 *   readIdx("train-images-idx3-ubyte.gz", { dtype: "uint8", shape: [null, 28, 28] })
 */
export function readIdx(file: string, expect: IdxExpectation = {}): IdxArray {
  const array = parseIdx(readMaybeGzipped(file), file);
  if (expect.dtype !== undefined && array.dtype !== expect.dtype) {
    throw new DataFileError(file, `expected IDX elements of type ${expect.dtype}, but the file holds ${array.dtype}`);
  }
  if (expect.shape !== undefined && !shapeMatches(array.shape, expect.shape)) {
    const wanted = expect.shape.map((size) => (size === null ? "*" : String(size))).join(", ");
    throw new DataFileError(file, `expected shape [${wanted}] (* = any size), but the IDX header declares [${array.shape.join(", ")}]`);
  }
  return array;
}

function shapeMatches(actual: readonly number[], expected: readonly (number | null)[]): boolean {
  return actual.length === expected.length && expected.every((size, d) => size === null || size === actual[d]);
}

/** The IDX bytes of `array` (header and big-endian data), the inverse of parseIdx. */
export function encodeIdx(array: IdxArray): Uint8Array {
  const { dtype, shape, data } = array;
  const type = typeByName(dtype);
  if (type === undefined) throw new Error(`encodeIdx: unknown dtype ${JSON.stringify(dtype)} (known: ${IDX_TYPES.map((t) => t.dtype).join(", ")})`);
  if (shape.length < 1 || shape.length > MAX_IDX_DIMENSIONS) {
    throw new Error(`encodeIdx: shape [${shape.join(", ")}] has ${shape.length} dimensions; IDX here needs 1 to ${MAX_IDX_DIMENSIONS}`);
  }
  for (const size of shape) {
    if (!Number.isInteger(size) || size < 0 || size > 0xffffffff) {
      throw new Error(`encodeIdx: shape [${shape.join(", ")}] has size ${size}; each must be an integer from 0 to 2^32 − 1`);
    }
  }
  if (!(data instanceof type.ArrayType)) {
    throw new Error(`encodeIdx: dtype ${dtype} needs its data in a ${type.ArrayType.name}, got a ${describeValue(data)}`);
  }
  const elements = shape.reduce((product, size) => product * size, 1);
  if (elements !== data.length) {
    throw new Error(`encodeIdx: shape [${shape.join(", ")}] holds ${elements} elements, but the data has ${data.length}`);
  }
  if (type.isFloat) {
    const bad = firstNonFinite(data);
    if (bad >= 0) throw new Error(`encodeIdx: element ${bad} is ${data[bad]}; IDX data must be finite`);
  }

  const headerBytes = HEADER_PREFIX_BYTES + 4 * shape.length;
  const bytes = new Uint8Array(headerBytes + elements * type.bytesPerElement);
  const view = new DataView(bytes.buffer);
  bytes[2] = type.code;
  bytes[3] = shape.length;
  shape.forEach((size, d) => view.setUint32(HEADER_PREFIX_BYTES + 4 * d, size));
  if (type.bytesPerElement === 1) {
    bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.length), headerBytes); // one byte each: no byte order to fix
  } else {
    for (let i = 0, at = headerBytes; i < elements; i++, at += type.bytesPerElement) type.write(view, at, data[i]!);
  }
  return bytes;
}

function describeValue(value: unknown): string {
  if (value === null || typeof value !== "object") return String(value);
  return value.constructor.name;
}

function hex(byte: number): string {
  return `0x${byte.toString(16).padStart(2, "0")}`;
}

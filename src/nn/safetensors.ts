// Safetensors: Hugging Face's file format for tensors, written to and read
// from bytes in memory (serialization.ts puts the bytes in files).
//
// A file has three parts:
//
//   8 bytes   N, the length of the header: an unsigned 64-bit little-endian integer
//   N bytes   the header, UTF-8 JSON padded with spaces:
//               {"__metadata__":{"format":"pt"},
//                "0.weight":{"dtype":"F32","shape":[8,4],"data_offsets":[0,128]}, ...}
//   the rest  the data buffer: each tensor's elements, row-major, little-endian,
//             at bytes [begin, end) of the buffer
//
// Unlike a pickle (what torch.save writes), reading a safetensors file runs
// no code: it is parsing and checking numbers. So the reader treats every
// file as hostile. It checks each size before it allocates anything, and
// every rule the format has (the data buffer must be covered exactly, without
// holes or overlaps) gives an error naming the tensor and the numbers.
//
// The writer produces the same bytes as the reference implementation
// (huggingface/safetensors): tensors sorted by dtype, widest first
// (F64, F32, I32, BOOL), then by name; a compact JSON header listing
// "__metadata__" first and the tensors in data order; spaces up to a
// multiple of 8 bytes, so every tensor's data starts 8-byte aligned.
// (The reference keeps metadata in a hash map, so its order of several
// metadata keys is unspecified; gradschool sorts them by name.)
//
// The reader returns the tensors in the order of their data offsets, which
// is the writer's order above, not the order of the state dict that was
// saved. Python's `safetensors.torch.load_file` gives them sorted by name.
// Module.loadStateDict matches tensors by name, so the order never matters
// for loading a model.

import type { DType, TypedArray } from "../core/dtype.ts";
import { fromValues } from "../core/kernels.ts";
import { formatShape } from "../core/shape.ts";
import { Tensor } from "../core/tensor.ts";

/** Tensors by name and the free-form string metadata of a file. */
export interface SafetensorsContents {
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

export interface SerializeOptions {
  /** String key/value pairs stored in the header under "__metadata__" (e.g. { format: "pt" }). */
  metadata?: Record<string, string>;
}

export interface DeserializeOptions {
  /** Where the bytes came from (a file path), named in error messages. */
  source?: string;
}

/** The reference implementation refuses headers above 100 MB; so does gradschool. */
export const MAX_HEADER_BYTES = 100_000_000;

const METADATA_KEY = "__metadata__";
const TWO_POW_32 = 4294967296;

// ---- dtypes ----------------------------------------------------------------

/** How a gradschool dtype is written: its name in the file, bytes per element, and rank in the writer's sort. */
interface WriteFormat {
  name: string;
  itemSize: number;
  /** The reference writer puts wider (more aligned) dtypes first: F64, F32, I32, BOOL. */
  rank: number;
  set(view: DataView, byteOffset: number, value: number): void;
}

const WRITE_FORMATS: Record<DType, WriteFormat> = {
  float64: { name: "F64", itemSize: 8, rank: 3, set: (view, at, value) => view.setFloat64(at, value, true) },
  float32: { name: "F32", itemSize: 4, rank: 2, set: (view, at, value) => view.setFloat32(at, value, true) },
  int32: { name: "I32", itemSize: 4, rank: 1, set: (view, at, value) => view.setInt32(at, value, true) },
  bool: { name: "BOOL", itemSize: 1, rank: 0, set: (view, at, value) => view.setUint8(at, value) },
};

/** How a dtype of the file is read: bytes per element, the gradschool dtype it becomes, and how to read one element. */
interface ReadFormat {
  itemSize: number;
  dtype: DType;
  get(view: DataView, byteOffset: number): number;
  /** For dtypes that allow fewer values than their bytes can hold: why `value` is refused, or null. */
  refuse?(value: number): string | null;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

const READ_FORMATS = new Map<string, ReadFormat>([
  ["F64", { itemSize: 8, dtype: "float64", get: (view, at) => view.getFloat64(at, true) }],
  ["F32", { itemSize: 4, dtype: "float32", get: (view, at) => view.getFloat32(at, true) }],
  ["I32", { itemSize: 4, dtype: "int32", get: (view, at) => view.getInt32(at, true) }],
  ["BOOL", {
    itemSize: 1, dtype: "bool", get: (view, at) => view.getUint8(at),
    refuse: (value) => (value === 0 || value === 1 ? null : `holds the byte ${value}; a BOOL element must be 0 or 1`),
  }],
  // PyTorch's indices are int64; gradschool keeps integers in int32 and converts them, refusing any that do not fit.
  ["I64", {
    itemSize: 8, dtype: "int32", get: (view, at) => Number(view.getBigInt64(at, true)),
    refuse: (value) => (value >= INT32_MIN && value <= INT32_MAX ? null :
      `is ${value}, outside the int32 range [${INT32_MIN}, ${INT32_MAX}] that gradschool stores integers in`),
  }],
  ["F16", { itemSize: 2, dtype: "float32", get: (view, at) => halfToNumber(view.getUint16(at, true)) }],
  ["BF16", { itemSize: 2, dtype: "float32", get: (view, at) => bfloat16ToNumber(view.getUint16(at, true)) }],
]);

/** The format's other dtypes: known, so the error can say they are valid but not read by gradschool. */
const UNREAD_DTYPES = new Set(["U8", "I8", "I16", "U16", "U32", "U64", "F8_E5M2", "F8_E4M3"]);

/**
 * IEEE half precision: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits.
 * value = ±1.f × 2^(e−15), subnormals ±0.f × 2^−14, e = 31 is ±Infinity or NaN.
 */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * (fraction / 1024) * 2 ** -14;
  if (exponent === 31) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

const bfloat16Scratch = new DataView(new ArrayBuffer(4));

/** bfloat16 is the top half of a float32: shift its 16 bits up and read them as one. */
function bfloat16ToNumber(bits: number): number {
  bfloat16Scratch.setUint32(0, bits << 16);
  return bfloat16Scratch.getFloat32(0);
}

// ---- writing ---------------------------------------------------------------

interface PlannedTensor {
  name: string;
  tensor: Tensor;
  format: WriteFormat;
  begin: number;
  end: number;
}

/**
 * The bytes of a safetensors file holding `tensors` (a state dict, or any
 * names → tensors), like `safetensors.torch.save(tensors, metadata)`.
 * Non-contiguous tensors are written in row-major order; autograd state is not saved.
 */
export function serialize(tensors: Map<string, Tensor> | Record<string, Tensor>, { metadata }: SerializeOptions = {}): Uint8Array {
  const planned = planLayout(checkedEntries(tensors));
  const header = encodeHeader(headerText(planned, checkedMetadata(metadata)));
  const dataLength = planned.length === 0 ? 0 : planned[planned.length - 1]!.end;
  const bytes = allocateFile(8 + header.length + dataLength);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint32(0, header.length % TWO_POW_32, true); // the 64-bit length as two 32-bit halves, low half first
  view.setUint32(4, Math.floor(header.length / TWO_POW_32), true);
  bytes.set(header, 8);
  const dataStart = 8 + header.length;
  for (const { tensor, format, begin } of planned) {
    const values = tensor.toTypedArray(); // row-major, whatever the tensor's strides
    for (let i = 0; i < values.length; i++) format.set(view, dataStart + begin + i * format.itemSize, values[i]!);
  }
  return bytes;
}

function checkedEntries(tensors: Map<string, Tensor> | Record<string, Tensor>): Array<[string, Tensor]> {
  if (tensors === null || typeof tensors !== "object") {
    throw new Error(`safetensors: expected a Map or an object of tensors, got ${describe(tensors)}`);
  }
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  for (const [name, tensor] of entries) {
    if (typeof name !== "string") throw new Error(`safetensors: tensor names must be strings, got ${describe(name)}`);
    if (name === METADATA_KEY) throw new Error(`safetensors: "${METADATA_KEY}" is reserved for the metadata and cannot name a tensor`);
    if (!name.isWellFormed()) throw new Error(`safetensors: the tensor name ${JSON.stringify(name)} is not valid Unicode (a lone surrogate)`);
    if (!(tensor instanceof Tensor)) throw new Error(`safetensors: ${quote(name)} is not a Tensor (got ${describe(tensor)})`);
  }
  return entries;
}

function checkedMetadata(metadata: Record<string, string> | undefined): Array<[string, string]> {
  if (metadata === undefined) return [];
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    throw new Error(`safetensors: metadata must be an object of strings, got ${describe(metadata)}`);
  }
  const entries = Object.entries(metadata);
  for (const [key, value] of entries) {
    if (typeof value !== "string") throw new Error(`safetensors: metadata ${quote(key)} must be a string, got ${describe(value)}`);
    if (!key.isWellFormed() || !value.isWellFormed()) throw new Error(`safetensors: metadata ${quote(key)} is not valid Unicode (a lone surrogate)`);
  }
  return entries.sort(([a], [b]) => compareUtf8(a, b));
}

/** Sorts the tensors as the reference writer does (widest dtype first, then by name) and gives each its byte range. */
function planLayout(entries: Array<[string, Tensor]>): PlannedTensor[] {
  const planned = entries.map(([name, tensor]) => ({ name, tensor, format: WRITE_FORMATS[tensor.dtype], begin: 0, end: 0 }));
  planned.sort((a, b) => b.format.rank - a.format.rank || compareUtf8(a.name, b.name));
  let offset = 0;
  for (const entry of planned) {
    entry.begin = offset;
    offset += entry.tensor.numel() * entry.format.itemSize;
    entry.end = offset;
  }
  return planned;
}

/**
 * The header JSON, built by hand: a JavaScript object would list integer-like
 * names ("0", "1") first, whatever order they were added in.
 * JSON.stringify escapes strings exactly as the reference writer (serde_json) does.
 */
function headerText(planned: PlannedTensor[], metadata: Array<[string, string]>): string {
  const members: string[] = [];
  if (metadata.length > 0) {
    const pairs = metadata.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value)}`);
    members.push(`"${METADATA_KEY}":{${pairs.join(",")}}`);
  }
  for (const { name, tensor, format, begin, end } of planned) {
    const info = `{"dtype":"${format.name}","shape":[${tensor.shape.join(",")}],"data_offsets":[${begin},${end}]}`;
    members.push(`${JSON.stringify(name)}:${info}`);
  }
  return `{${members.join(",")}}`;
}

/** UTF-8 bytes of the header, padded with spaces to a multiple of 8 so the data that follows is aligned. */
function encodeHeader(text: string): Uint8Array {
  const encoded = new TextEncoder().encode(text);
  const padded = new Uint8Array(Math.ceil(encoded.length / 8) * 8).fill(0x20);
  padded.set(encoded);
  return padded;
}

function allocateFile(byteLength: number): Uint8Array {
  try {
    return new Uint8Array(byteLength);
  } catch {
    throw new Error(`safetensors: the file would be ${byteLength} bytes, more than this JavaScript engine can hold in one array`);
  }
}

/** Orders strings by their UTF-8 bytes (= by code points), as Rust compares strings; `<` compares UTF-16 units. */
function compareUtf8(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const difference = left[i]!.codePointAt(0)! - right[i]!.codePointAt(0)!;
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

// ---- reading ---------------------------------------------------------------

/** One tensor as the header describes it, after every check. */
interface TensorEntry {
  name: string;
  format: ReadFormat;
  dtypeName: string;
  shape: number[];
  begin: number;
  end: number;
}

type Fail = (message: string) => Error;

/**
 * The tensors and metadata of a safetensors file, like
 * `safetensors.torch.load(bytes)`. Every rule of the format is checked
 * (see the file comment); a broken file gives an Error that starts with
 * "safetensors" and names the source, the tensor and the numbers.
 */
export function deserialize(bytes: Uint8Array, { source }: DeserializeOptions = {}): SafetensorsContents {
  const fail: Fail = (message) => new Error(source === undefined ? `safetensors: ${message}` : `safetensors: ${source}: ${message}`);
  if (!(bytes instanceof Uint8Array)) throw fail(`expected the file's bytes as a Uint8Array, got ${describe(bytes)}`);
  const headerLength = readHeaderLength(bytes, fail);
  const header = parseHeader(bytes.subarray(8, 8 + headerLength), fail);
  const dataLength = bytes.length - 8 - headerLength;
  const metadata = readMetadata(header, fail);
  const entries = Object.entries(header)
    .filter(([name]) => name !== METADATA_KEY)
    .map(([name, info]) => readEntry(name, info, dataLength, fail));
  checkCoverage(entries, dataLength, fail);
  const view = new DataView(bytes.buffer, bytes.byteOffset + 8 + headerLength, dataLength);
  const tensors = new Map<string, Tensor>();
  for (const entry of entries) tensors.set(entry.name, decodeTensor(view, entry, fail));
  return { tensors, metadata };
}

/** The first 8 bytes: the header length N, which must fit in the file and under MAX_HEADER_BYTES. */
function readHeaderLength(bytes: Uint8Array, fail: Fail): number {
  if (bytes.length < 8) throw fail(`the file is ${bytes.length} bytes, shorter than the 8-byte header length that starts every file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const length = view.getUint32(0, true) + view.getUint32(4, true) * TWO_POW_32;
  if (length > MAX_HEADER_BYTES) throw fail(`the header length is ${length} bytes, more than the ${MAX_HEADER_BYTES}-byte limit`);
  if (8 + length > bytes.length) {
    throw fail(`the header length is ${length} bytes, but only ${bytes.length - 8} bytes follow the length field (is the file truncated?)`);
  }
  return length;
}

/** The header bytes as a JSON object (a plain object from JSON.parse, only read through Object.entries). */
function parseHeader(headerBytes: Uint8Array, fail: Fail): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch {
    throw fail(`the ${headerBytes.length}-byte header is not valid UTF-8`);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    throw fail(`the header is not valid JSON (${(error as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    throw fail(`the header must be a JSON object, got ${describe(header)}`);
  }
  const duplicate = firstDuplicate(topLevelKeys(text));
  if (duplicate !== null) throw fail(`the header names ${quote(duplicate)} twice; each name must appear once`);
  return header as Record<string, unknown>;
}

/**
 * The keys of the outermost object of `text`, which JSON.parse has already
 * accepted. JSON.parse keeps only the last of two equal keys, so a duplicate
 * is only visible in the text. One pass: track the nesting depth, skip strings.
 */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectingKey = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === "\\") i++;
      if (depth === 1 && expectingKey) keys.push(JSON.parse(text.slice(start, i + 1)) as string);
      expectingKey = false;
    } else if (char === "{" || char === "[") {
      depth++;
      expectingKey = char === "{" && depth === 1;
    } else if (char === "}" || char === "]") {
      depth--;
    } else if (char === ",") {
      expectingKey = depth === 1;
    }
  }
  return keys;
}

function firstDuplicate(keys: string[]): string | null {
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) return key;
    seen.add(key);
  }
  return null;
}

/** "__metadata__", if present, must map strings to strings. The result has no prototype, so no key can reach Object.prototype. */
function readMetadata(header: Record<string, unknown>, fail: Fail): Record<string, string> {
  const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  if (!Object.hasOwn(header, METADATA_KEY)) return metadata;
  const raw = header[METADATA_KEY];
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw fail(`"${METADATA_KEY}" must be an object of strings, got ${describe(raw)}`);
  }
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== "string") throw fail(`metadata ${quote(key)} must be a string, got ${describe(value)}`);
    metadata[key] = value;
  }
  return metadata;
}

/** Checks one header entry: {"dtype": ..., "shape": [...], "data_offsets": [begin, end]}, consistent with each other and the data. */
function readEntry(name: string, info: unknown, dataLength: number, fail: Fail): TensorEntry {
  if (info === null || typeof info !== "object" || Array.isArray(info)) {
    throw fail(`tensor ${quote(name)}: expected an object with dtype, shape and data_offsets, got ${describe(info)}`);
  }
  const fields = info as Record<string, unknown>;
  for (const field of ["dtype", "shape", "data_offsets"]) {
    if (!Object.hasOwn(fields, field)) throw fail(`tensor ${quote(name)}: the "${field}" field is missing`);
  }
  const dtypeName = fields["dtype"];
  const format = typeof dtypeName === "string" ? READ_FORMATS.get(dtypeName) : undefined;
  if (typeof dtypeName !== "string" || format === undefined) throw fail(`tensor ${quote(name)}: ${dtypeProblem(dtypeName)}`);
  const shape = readShape(name, fields["shape"], fail);
  const [begin, end] = readOffsets(name, fields["data_offsets"], dataLength, fail);
  const byteCount = byteCountOf(shape, format.itemSize);
  if (byteCount !== end - begin) {
    throw fail(`tensor ${quote(name)}: ${dtypeName} ${formatShape(shape)} needs ${byteCount ?? "more than 2^53"} bytes ` +
      `(elements × ${format.itemSize}), but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  }
  return { name, format, dtypeName, shape, begin, end };
}

function dtypeProblem(dtype: unknown): string {
  if (typeof dtype === "string" && UNREAD_DTYPES.has(dtype)) {
    return `dtype ${dtype} is valid safetensors but gradschool does not read it (it reads ${[...READ_FORMATS.keys()].join(", ")})`;
  }
  return `unknown dtype ${describe(dtype)} (safetensors dtypes are F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL ...)`;
}

function readShape(name: string, shape: unknown, fail: Fail): number[] {
  if (!Array.isArray(shape)) throw fail(`tensor ${quote(name)}: shape must be a list of sizes, got ${describe(shape)}`);
  for (const size of shape) {
    if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
      throw fail(`tensor ${quote(name)}: shape ${describeList(shape)} must hold non-negative integers, found ${describe(size)}`);
    }
  }
  return shape as number[];
}

function readOffsets(name: string, offsets: unknown, dataLength: number, fail: Fail): [number, number] {
  const valid = Array.isArray(offsets) && offsets.length === 2 &&
    offsets.every((v) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0);
  if (!valid) throw fail(`tensor ${quote(name)}: data_offsets must be two non-negative integers [begin, end], got ${describeList(offsets)}`);
  const [begin, end] = offsets as [number, number];
  if (begin > end) throw fail(`tensor ${quote(name)}: data_offsets [${begin}, ${end}] begin after they end`);
  if (end > dataLength) throw fail(`tensor ${quote(name)}: data_offsets [${begin}, ${end}] reach past the ${dataLength}-byte data buffer`);
  return [begin, end];
}

/** numel × itemSize, or null when that passes 2^53 (where doubles stop counting exactly; [2^40, 2^40] must not look small). */
function byteCountOf(shape: number[], itemSize: number): number | null {
  if (shape.includes(0)) return 0;
  let bytes = itemSize;
  for (const size of shape) {
    bytes *= size;
    if (bytes > Number.MAX_SAFE_INTEGER) return null;
  }
  return bytes;
}

/**
 * The tensors' byte ranges, in order of offsets, must tile the data buffer
 * exactly: each starts where the previous one ended, and the last ends at the
 * end of the file. Sorts `entries` into that order (equal offsets keep header order).
 */
function checkCoverage(entries: TensorEntry[], dataLength: number, fail: Fail): void {
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous = "the start of the data buffer";
  for (const { name, begin, end } of entries) {
    if (begin < covered) throw fail(`tensor ${quote(name)}: data_offsets [${begin}, ${end}] overlap ${previous}, which ends at byte ${covered}`);
    if (begin > covered) throw fail(`tensor ${quote(name)}: data_offsets [${begin}, ${end}] leave bytes ${covered}..${begin} after ${previous} unused`);
    covered = end;
    previous = `tensor ${quote(name)}`;
  }
  if (covered !== dataLength) {
    throw fail(`the tensors cover ${covered} bytes of the ${dataLength}-byte data buffer; the last ${dataLength - covered} bytes belong to no tensor`);
  }
}

function decodeTensor(view: DataView, entry: TensorEntry, fail: Fail): Tensor {
  const { name, format, dtypeName, shape, begin, end } = entry;
  const count = (end - begin) / format.itemSize;
  const values = allocateValues(format.dtype, count);
  for (let i = 0; i < count; i++) {
    const value = format.get(view, begin + i * format.itemSize);
    const problem = format.refuse?.(value) ?? null;
    if (problem !== null) throw fail(`tensor ${quote(name)} (${dtypeName}): element ${i} ${problem}`);
    values[i] = value;
  }
  return fromValues(values, shape, format.dtype);
}

function allocateValues(dtype: DType, count: number): TypedArray {
  switch (dtype) {
    case "float64": return new Float64Array(count);
    case "float32": return new Float32Array(count);
    case "int32": return new Int32Array(count);
    case "bool": return new Uint8Array(count);
  }
}

// ---- messages --------------------------------------------------------------

/** A short description of any value for an error message (never its whole text). */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === "string") return quote(value);
  if (typeof value === "object") return value instanceof Tensor ? "a Tensor" : "an object";
  return `${typeof value} ${String(value)}`;
}

/** A name in quotes, escaped, and cut short if long (a name can be megabytes of a hostile header). */
function quote(name: string): string {
  return JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}...` : name);
}

function describeList(value: unknown): string {
  if (!Array.isArray(value)) return describe(value);
  const shown = value.slice(0, 8).map((v) => (typeof v === "number" ? String(v) : describe(v)));
  return `[${shown.join(", ")}${value.length > 8 ? ", ..." : ""}]`;
}

// Gzip (RFC 1952): the compression around the Fashion-MNIST and digits files.
// Node only: the decompression itself is Node's built-in zlib.
//
// A gzip file starts with the two "magic" bytes 0x1f 0x8b, then a header, a
// DEFLATE stream and an 8-byte trailer (a CRC-32 of the contents and their
// length), which zlib checks. This file adds what a data reader needs on top:
//   - errors that name the file and say why (truncated, corrupt, not gzip);
//   - a bound on the decompressed size, so that a small hostile file (a "zip
//     bomb": 1 MB that inflates to 1 TB) fails with a message instead of
//     exhausting memory;
//   - readMaybeGzipped, which reads a file and gunzips it only if it starts
//     with the magic, as torchvision's MNIST reads "x.gz" or "x" alike.
// Python's equivalent is `gzip.decompress(bytes)` / `gzip.open(path).read()`.

import zlib from "node:zlib";
import { DataFileError } from "../errors.ts";
import { readFileBytes } from "../files.ts";

/** The first two bytes of every gzip stream. */
export const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** The default bound on decompressed bytes: 512 MiB, ten times the full Fashion-MNIST training images. */
export const DEFAULT_MAX_OUTPUT_BYTES = 512 * 1024 * 1024;

/** The largest bound accepted: 2 GiB − 1, within what one Node buffer can hold on every platform. */
const LARGEST_MAX_OUTPUT_BYTES = 2 ** 31 - 1;

export interface GunzipOptions {
  /** Refuse streams that decompress to more than this many bytes (default 512 MiB). */
  maxOutputBytes?: number;
}

/** True when `bytes` starts with the gzip magic 0x1f 0x8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/**
 * Decompresses a gzip stream (one or more members, as `gunzip` does). Errors
 * are DataFileErrors that start with `source`: not gzip at all, truncated,
 * corrupt (zlib's reason is kept), or larger than `maxOutputBytes`.
 */
export function gunzip(bytes: Uint8Array, source: string, options: GunzipOptions = {}): Uint8Array {
  const maxOutputBytes = checkedMaxOutputBytes(options.maxOutputBytes);
  if (!isGzip(bytes)) {
    const start = bytes.length === 0 ? "it is empty" : `it starts with ${hexBytes(bytes.subarray(0, 2))}`;
    throw new DataFileError(source, `not gzip data: ${start}, not the gzip magic 0x1f 0x8b`);
  }
  let output: Buffer;
  try {
    output = zlib.gunzipSync(bytes, { maxOutputLength: maxOutputBytes });
  } catch (error) {
    throw new DataFileError(source, describeZlibError(error, bytes.length, maxOutputBytes), { cause: error });
  }
  // A plain Uint8Array over the same memory, so callers never meet Buffer's different slice() semantics.
  return new Uint8Array(output.buffer, output.byteOffset, output.byteLength);
}

/** The bytes of `file`, gunzipped when they start with the gzip magic; any failure is a DataFileError naming `file`. */
export function readMaybeGzipped(file: string, options: GunzipOptions = {}): Uint8Array {
  let raw: Uint8Array;
  try {
    raw = readFileBytes(file, "readMaybeGzipped");
  } catch (error) {
    const reason = (error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message;
    throw new DataFileError(file, `cannot read the file (${reason})`, { cause: error });
  }
  const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  return isGzip(bytes) ? gunzip(bytes, file, options) : bytes;
}

function checkedMaxOutputBytes(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_OUTPUT_BYTES;
  if (!Number.isInteger(value) || value < 1 || value > LARGEST_MAX_OUTPUT_BYTES) {
    throw new Error(`gunzip: maxOutputBytes must be an integer from 1 to ${LARGEST_MAX_OUTPUT_BYTES} (2 GiB − 1), got ${value}`);
  }
  return value;
}

/** zlib's errors carry a code: Z_BUF_ERROR means the input ended early, Z_DATA_ERROR that it is damaged. */
function describeZlibError(error: unknown, inputBytes: number, maxOutputBytes: number): string {
  const code = (error as { code?: unknown }).code;
  const reason = error instanceof Error ? error.message : String(error);
  if (code === "ERR_BUFFER_TOO_LARGE") {
    return `the gzip stream decompresses to more than ${maxOutputBytes} bytes (maxOutputBytes); refusing to inflate it`;
  }
  if (code === "Z_BUF_ERROR") return `the gzip stream is truncated (${reason}) after ${inputBytes} bytes`;
  if (code === "Z_DATA_ERROR") return `the gzip stream is corrupt (${reason})`;
  return `the gzip stream cannot be decompressed (${reason})`;
}

function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => `0x${b.toString(16).padStart(2, "0")}`).join(" ");
}

// Saving and loading safetensors files on disk (Node only; safetensors.ts
// does the format itself and runs anywhere).
//
//   save(model.stateDict(), "model.safetensors", { metadata: { format: "pt" } });
//   model.loadStateDict(load("model.safetensors"));
//
// The same files load in Python with `safetensors.torch.load_file`.
//
// Saving is atomic: the bytes go to a temporary file next to the target,
// which is flushed to disk (fsync) and then renamed over the target. A rename
// within one directory replaces the file in one step, so a crash or a full
// disk in the middle of a save leaves the previous file whole, never half of
// a new one. If anything fails, the temporary file is removed.

import fs from "node:fs";
import path from "node:path";
import type { Tensor } from "../core/tensor.ts";
import { deserialize, serialize, type SafetensorsContents, type SerializeOptions } from "./safetensors.ts";

/** Writes `tensors` (e.g. model.stateDict()) to a safetensors file, like `safetensors.torch.save_file`. */
export function save(tensors: Map<string, Tensor> | Record<string, Tensor>, file: string, options: SerializeOptions = {}): void {
  writeFileAtomic(file, serialize(tensors, options));
}

/** The tensors of a safetensors file by name, like `safetensors.torch.load_file` (in the file's data order). */
export function load(file: string): Map<string, Tensor> {
  return loadWithMetadata(file).tensors;
}

/** The tensors and the "__metadata__" strings of a safetensors file. */
export function loadWithMetadata(file: string): SafetensorsContents {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new Error(`safetensors: cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  return deserialize(bytes, { source: file });
}

let temporaryCounter = 0;

/**
 * Replaces `file` with `bytes` in one step: write a temporary file in the same
 * directory, fsync it, rename it over `file`, then fsync the directory so the
 * rename itself is on disk. On failure the temporary file is deleted and the
 * old `file`, if any, is untouched.
 */
export function writeFileAtomic(file: string, bytes: Uint8Array): void {
  const directory = path.dirname(path.resolve(file));
  const temporary = path.join(directory, `.${path.basename(file)}.${process.pid}.${temporaryCounter++}.tmp`);
  let descriptor: number | null = null;
  let created = false;
  try {
    descriptor = fs.openSync(temporary, "wx"); // "x": fail rather than overwrite an existing file
    created = true;
    writeAll(descriptor, bytes);
    fs.fsyncSync(descriptor);
    fs.closeSync(descriptor);
    descriptor = null;
    fs.renameSync(temporary, file);
  } catch (error) {
    if (descriptor !== null) closeQuietly(descriptor);
    if (created) fs.rmSync(temporary, { force: true });
    throw new Error(`safetensors: cannot save ${file}: ${(error as Error).message}`, { cause: error });
  }
  syncDirectory(directory);
}

/** writeSync may write fewer bytes than asked (a pipe, a full disk): loop until every byte is written. */
function writeAll(descriptor: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) {
    const count = fs.writeSync(descriptor, bytes, written, bytes.length - written);
    if (count <= 0) throw new Error(`the disk accepted no bytes after ${written} of ${bytes.length}`);
    written += count;
  }
}

/** Closes a file while another error is already being reported. */
function closeQuietly(descriptor: number): void {
  try {
    fs.closeSync(descriptor);
  } catch {
    // The first error is the one worth reporting.
  }
}

/** Flushes a directory entry (the rename). Some systems cannot open directories; the data itself is already safe. */
function syncDirectory(directory: string): void {
  let descriptor: number | null = null;
  try {
    descriptor = fs.openSync(directory, "r");
    fs.fsyncSync(descriptor);
  } catch {
    // Not supported here (e.g. Windows): the file was renamed; only its durability after a power cut is weaker.
  } finally {
    if (descriptor !== null) fs.closeSync(descriptor);
  }
}

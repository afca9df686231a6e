// Files on disk (Node only): reading bytes with errors that name the file, and
// writing them atomically, so that nothing a user saved is ever half-written.
//
// Saving is atomic: the bytes go to a temporary file next to the target,
// which is flushed to disk (fsync) and then renamed over the target. A rename
// within one directory replaces the file in one step, so a crash or a full
// disk in the middle of a save leaves the previous file whole, never half of
// a new one. If anything fails, the temporary file is removed.

import fs from "node:fs";
import path from "node:path";

/** The bytes of `file`; a missing or unreadable file is an error that starts with `who` and names the file. */
export function readFileBytes(file: string, who: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new Error(`${who}: cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}

let temporaryCounter = 0;

/**
 * Replaces `file` with `bytes` in one step: write a temporary file in the same
 * directory, fsync it, rename it over `file`, then fsync the directory so the
 * rename itself is on disk. Errors start with `who` (the caller's name). On failure the temporary file is deleted and the
 * old `file`, if any, is untouched.
 */
export function writeFileAtomic(file: string, bytes: Uint8Array, who = "writeFileAtomic"): void {
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
    throw new Error(`${who}: cannot save ${file}: ${(error as Error).message}`, { cause: error });
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

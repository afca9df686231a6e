// Saving and loading tokenizers as JSON files (Node only), like Hugging Face's
// `tokenizer.save("tokenizer.json")` / `Tokenizer.from_file(...)`.
//
// The file is the tokenizer's `toJSON()`: {"type":"char","chars":[…]} or
// {"type":"bpe","version":1,"pattern":"…","merges":[[a,b],…]}. Saving is atomic
// (a crash never leaves half a file); loading checks everything and names the
// file in any error.

import { DataFileError } from "../errors.ts";
import { readFileBytes, writeFileAtomic } from "../files.ts";
import { BPETokenizer } from "./bpe.ts";
import { CharTokenizer, describeValue } from "./char.ts";

/** Writes `tokenizer` to `file` as JSON, replacing the file in one step. */
export function saveTokenizer(tokenizer: CharTokenizer | BPETokenizer, file: string): void {
  if (!(tokenizer instanceof CharTokenizer || tokenizer instanceof BPETokenizer)) {
    throw new Error(`saveTokenizer: expected a CharTokenizer or a BPETokenizer, got ${describeValue(tokenizer)}`);
  }
  const json = JSON.stringify(tokenizer.toJSON()) + "\n";
  writeFileAtomic(file, new TextEncoder().encode(json), "saveTokenizer");
}

/** The tokenizer saved in `file`, of the kind its "type" field names; a bad file is a DataFileError naming it. */
export function loadTokenizer(file: string): CharTokenizer | BPETokenizer {
  const bytes = readFileBytes(file, "loadTokenizer");
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new DataFileError(file, `loadTokenizer: not a tokenizer JSON file: ${(error as Error).message}`, { cause: error });
  }
  const type = typeof json === "object" && json !== null ? (json as Record<string, unknown>).type : undefined;
  try {
    if (type === "char") return CharTokenizer.fromJSON(json);
    if (type === "bpe") return BPETokenizer.fromJSON(json);
  } catch (error) {
    throw new DataFileError(file, (error as Error).message, { cause: error });
  }
  throw new DataFileError(file, `loadTokenizer: expected an object with "type" "char" or "bpe", got ${type === undefined ? describeValue(json) : `type ${describeValue(type)}`}`);
}

// Saving and loading safetensors files on disk (Node only; safetensors.ts
// does the format itself and runs anywhere).
//
//   save(model.stateDict(), "model.safetensors", { metadata: { format: "pt" } });
//   model.loadStateDict(load("model.safetensors"));
//
// The same files load in Python with `safetensors.torch.load_file`.
//
// Saving is atomic (see src/data/files.ts): a crash or a full disk in the
// middle of a save leaves the previous file whole, never half of a new one.

import type { Tensor } from "../core/tensor.ts";
import { readFileBytes, writeFileAtomic } from "../data/files.ts";
import { deserialize, serialize, type SafetensorsContents, type SerializeOptions } from "./safetensors.ts";

/** Writes `tensors` (e.g. model.stateDict()) to a safetensors file, like `safetensors.torch.save_file`. */
export function save(tensors: Map<string, Tensor> | Record<string, Tensor>, file: string, options: SerializeOptions = {}): void {
  writeFileAtomic(file, serialize(tensors, options), "safetensors");
}

/** The tensors of a safetensors file by name, like `safetensors.torch.load_file` (in the file's data order). */
export function load(file: string): Map<string, Tensor> {
  return loadWithMetadata(file).tensors;
}

/** The tensors and the "__metadata__" strings of a safetensors file. */
export function loadWithMetadata(file: string): SafetensorsContents {
  return deserialize(readFileBytes(file, "safetensors"), { source: file });
}

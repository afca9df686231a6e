// Reading the PyTorch reference models in test/fixtures/torch-arch/*.json
// (written by scripts/torch-arch-*.py with scripts/torch_arch_common.py).
import { readFileSync } from "node:fs";
import type { Tensor } from "../../src/index.ts";
import { decode, type Encoded } from "./torch-fixtures.ts";

/** The parsed JSON of test/fixtures/torch-arch/<name>.json. */
export function readArchFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/torch-arch/${name}.json`, import.meta.url), "utf8")) as T;
}

/** A state dict written by encode_state_dict: [name, tensor] pairs in PyTorch's order, as a Map of float64/int32 tensors. */
export function decodeStateDict(pairs: [string, Encoded][]): Map<string, Tensor> {
  return new Map(pairs.map(([name, encoded]) => [name, decode(encoded)]));
}

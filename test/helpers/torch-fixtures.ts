// Reading the PyTorch reference values in test/fixtures/torch-nn/*.json
// (written by scripts/torch-nn-*.py with Debian's python3-torch).
import { readFileSync } from "node:fs";
import { tensor, type DType, type Tensor } from "../../src/index.ts";

/** A tensor as the generator scripts write it: shape, dtype and the values in row-major order. */
export interface Encoded { shape: number[]; dtype: DType; values: number[] }

/** The parsed JSON of test/fixtures/torch-nn/<name>.json. */
export function readTorchFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/torch-nn/${name}.json`, import.meta.url), "utf8")) as T;
}

/** The fixture's tensor, as a gradschool tensor of the same dtype and shape (requiring grad only if floating point). */
export function decode(encoded: Encoded, requiresGrad = false): Tensor {
  const floating = encoded.dtype === "float32" || encoded.dtype === "float64";
  return tensor(encoded.values, { shape: encoded.shape, dtype: encoded.dtype, requiresGrad: requiresGrad && floating });
}

// F.embedding: look up one row of a table per index.

import { where } from "../../core/ops/arithmetic.ts";
import { formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";

export interface EmbeddingOptions {
  /** The row at this index (negative counts from the end) gets no gradient: a "blank" token that is never learned. */
  paddingIdx?: number | null;
}

/**
 * out[..., :] = weight[input[...], :], like torch.nn.functional.embedding:
 * indices of any shape (int32) and a weight [numEmbeddings, embeddingDim]
 * give an output of shape [...input.shape, embeddingDim]. The gradient of
 * each weight row is the sum of the gradients of the outputs that looked it
 * up; with paddingIdx, that row's gradient is zero.
 */
export function embedding(input: Tensor, weight: Tensor, { paddingIdx = null }: EmbeddingOptions = {}): Tensor {
  if (weight.ndim !== 2) {
    throw new Error(`embedding: the weight must be 2-D [numEmbeddings, embeddingDim], got shape ${formatShape(weight.shape)}`);
  }
  const numEmbeddings = weight.shape[0]!;
  checkIndices(input, numEmbeddings);
  const padding = resolvePaddingIdx("embedding", paddingIdx, numEmbeddings);

  // A lookup is indexSelect along the rows, with the indices flattened and their shape put back.
  const rows = weight.indexSelect(0, input.reshape([-1]));
  let out = rows.reshape([...input.shape, weight.shape[1]!]);
  if (padding !== null) {
    // Same values, but the rows that looked up paddingIdx come from a detached copy: no gradient reaches that row.
    const looksUpPadding = input.eq(padding).unsqueeze(-1);
    out = where(looksUpPadding, out.detach(), out);
  }
  return out;
}

/** Indices are int32, from 0 to numEmbeddings − 1 (a negative index is an error here, as in PyTorch). */
function checkIndices(input: Tensor, numEmbeddings: number): void {
  if (input.dtype !== "int32") {
    throw new Error(`embedding: the indices must be an int32 tensor, got ${input.dtype} (shape ${formatShape(input.shape)}); ` +
      `convert them with .int() or create them with { dtype: "int32" }`);
  }
  const values = input.toTypedArray();
  for (let i = 0; i < values.length; i++) {
    const index = values[i]!;
    if (index < 0 || index >= numEmbeddings) {
      throw new Error(`embedding: index ${index} (element ${i} of the indices ${formatShape(input.shape)}) is out of range: ` +
        `the table has ${numEmbeddings} rows, so indices must be in [0, ${numEmbeddings - 1}]`);
    }
  }
}

/**
 * paddingIdx as a row number: negative values count from the end, as in
 * PyTorch (−1 is the last row); null stays null.
 */
export function resolvePaddingIdx(op: string, paddingIdx: number | null, numEmbeddings: number): number | null {
  if (paddingIdx === null) return null;
  if (!Number.isInteger(paddingIdx) || paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings) {
    throw new Error(`${op}: paddingIdx must be an integer in [-${numEmbeddings}, ${numEmbeddings - 1}] ` +
      `(a row of the ${numEmbeddings} embeddings, negative counting from the end), got ${paddingIdx}`);
  }
  return paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
}

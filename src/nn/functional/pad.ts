// F.pad: padding with a constant, or with values taken from the tensor itself.

import { tensor } from "../../core/creation.ts";
import { pad as constantPad } from "../../core/ops/shape.ts";
import { formatShape } from "../../core/shape.ts";
import type { Tensor } from "../../core/tensor.ts";

export type PadMode = "constant" | "reflect" | "replicate" | "circular";

export interface PadOptions {
  /** "constant" (default) fills with `value`; the others copy values of the input:
   *  reflect   [a b c d] → c b | a b c d | c b   (mirrored, the edge not repeated)
   *  replicate [a b c d] → a a | a b c d | d d   (the edge repeated)
   *  circular  [a b c d] → c d | a b c d | a b   (wrapped around) */
  mode?: PadMode;
  /** The fill value of mode "constant" (default 0). */
  value?: number;
}

/**
 * Pads the last dims of `input`, like torch.nn.functional.pad. `amounts`
 * (PyTorch's `pad`) lists amounts for the last dim first: [left, right],
 * [left, right, top, bottom], and so on; a negative amount crops instead. Mode
 * "constant" pads any number of dims. The other modes pad the last 1, 2 or 3
 * dims of a tensor with one or two more dims in front (batch and channels, or
 * channels alone), as in PyTorch; reflect needs each amount smaller than the
 * dim it pads, circular at most equal to it (to what is left of it after
 * cropping the other side).
 */
export function pad(input: Tensor, amounts: readonly number[], { mode = "constant", value }: PadOptions = {}): Tensor {
  if (mode === "constant") return constantPad(input, amounts, { value: value ?? 0 });
  if (mode !== "reflect" && mode !== "replicate" && mode !== "circular") {
    throw new Error(`pad: mode must be "constant", "reflect", "replicate" or "circular", got ${JSON.stringify(mode)}`);
  }
  if (value !== undefined) throw new Error(`pad: mode "${mode}" copies values from the input, so it takes no value (got value ${value})`);
  checkNonConstantPadding(mode, input, amounts);
  // Each padded dim is one indexSelect, with an index saying which input position each output position copies.
  // Its gradient (an indexAdd) sends every copy's gradient back to the position it was copied from.
  let out = input;
  for (let k = 0; k < amounts.length / 2; k++) {
    const dim = input.ndim - 1 - k;
    out = out.indexSelect(dim, sourceIndices(mode, input.shape[dim]!, amounts[2 * k]!, amounts[2 * k + 1]!));
  }
  return out;
}

/** PyTorch's rules for the modes that copy from the input: which dims, and how far. */
function checkNonConstantPadding(mode: PadMode, input: Tensor, amounts: readonly number[]): void {
  const shape = formatShape(input.shape);
  if (amounts.length % 2 !== 0 || amounts.some((p) => !Number.isInteger(p))) {
    throw new Error(`pad: the padding ${formatShape(amounts)} must be integers in (before, after) pairs, last dim first`);
  }
  const dims = amounts.length / 2;
  if (dims < 1 || dims > 3) {
    throw new Error(`pad: mode "${mode}" pads 1, 2 or 3 trailing dims ([left, right], up to 6 amounts), got ${amounts.length} amounts ${formatShape(amounts)}`);
  }
  if (input.ndim !== dims + 1 && input.ndim !== dims + 2) {
    throw new Error(`pad: mode "${mode}" padding ${dims} dims needs a ${dims + 1}-D (unbatched) or ${dims + 2}-D (batched) input, ` +
      `got shape ${shape}`);
  }
  for (let k = 0; k < dims; k++) {
    const dim = input.ndim - 1 - k;
    const size = input.shape[dim]!;
    const [before, after] = [amounts[2 * k]!, amounts[2 * k + 1]!];
    const which = `padding (${before}, ${after}) of dim ${dim} (size ${size}) of input ${shape}`;
    if (size === 0) throw new Error(`pad: mode "${mode}" cannot pad an empty dim: ${which}`);
    if (size + before + after <= 0) throw new Error(`pad: ${which} would leave ${size + before + after} elements; at least 1 must remain`);
    if (mode === "reflect" && (before >= size || after >= size)) {
      throw new Error(`pad: mode "reflect" needs each amount smaller than the dim it pads (a mirror image cannot be longer ` +
        `than what it mirrors, less the edge), got ${which}`);
    }
    // Circular padding wraps around what cropping leaves of the dim, at most once.
    const kept = size - Math.max(-before, 0) - Math.max(-after, 0);
    if (mode === "circular" && (kept <= 0 || before > kept || after > kept)) {
      throw new Error(`pad: mode "circular" needs each amount at most the size of what it wraps around (${kept} elements ` +
        `after cropping), or it would wrap around more than once; got ${which}`);
    }
  }
}

/**
 * For a dim of `size` padded by (before, after): which input position each
 * output position copies, as an int32 index for indexSelect. Output position
 * k stands at j = k − before in the input's coordinates.
 */
function sourceIndices(mode: "reflect" | "replicate" | "circular", size: number, before: number, after: number): Tensor {
  const length = size + before + after;
  const positions = Array.from({ length }, (_, k) => k - before);
  if (mode === "reflect") {
    // Mirror at both edges without repeating them: −1 → 1, size → size − 2.
    return indices(positions.map((j) => (j < 0 ? -j : j >= size ? 2 * (size - 1) - j : j)));
  }
  if (mode === "replicate") return indices(positions.map((j) => Math.min(Math.max(j, 0), size - 1)));
  // circular: wrap around what is kept. A negative amount crops first, and the wrap then runs over what is
  // left, as PyTorch does: [a b c d] with (−1, 2) → b c d | b c.
  const start = Math.max(-before, 0);
  const kept = size - start - Math.max(-after, 0);
  const wrap = (j: number) => start + ((((j - start) % kept) + kept) % kept);
  return indices(positions.map(wrap));
}

function indices(values: number[]): Tensor {
  return tensor(values, { dtype: "int32" });
}

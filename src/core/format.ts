// Printing tensors exactly as PyTorch 1.13 prints them, so that a gradschool
// session and a PyTorch session can be compared line by line:
//
//   tensor([[ 1.0000, -2.5000],
//           [ 3.0000,  0.1250]], requires_grad=True)
//
// Three steps:
//   1. choose one number style for the whole tensor (chooseStyle): whole
//      numbers "3.", fixed "3.1416", or scientific "3.1416e+00", and the width
//      of the widest number, so that columns line up;
//   2. lay the numbers out in nested brackets, wrapping long rows at 80
//      characters and eliding the middle of big tensors with "..." (layout);
//   3. append what the values do not show: dtype, grad_fn, requires_grad.

import { numel } from "./shape.ts";
import type { Tensor } from "./tensor.ts";

/** Digits after the decimal point. */
const PRECISION = 4;
/** Tensors with more elements than this are summarized: only the edges of each dim are shown. */
const SUMMARY_THRESHOLD = 1000;
/** Elements kept at each end of a summarized dim. */
const EDGE_ITEMS = 3;
/** Rows of numbers are wrapped to fit in this many characters. */
const LINE_WIDTH = 80;

/** How every number of one tensor is written. */
type Style = "whole" | "fixed" | "scientific" | "integer" | "boolean";

interface NumberFormat {
  style: Style;
  /** Every number is left-padded with spaces to this width, so that columns line up. */
  width: number;
}

export function formatTensor(t: Tensor): string {
  const prefix = "tensor(";
  const indent = prefix.length;
  const suffixes: string[] = [];
  let body: string;
  if (t.numel() === 0) {
    // No values to look at, so the shape (unless 1-D) and any non-float32 dtype must be spelled out.
    if (t.ndim !== 1) suffixes.push(`size=${pythonTuple(t.shape)}`);
    if (t.dtype !== "float32") suffixes.push(`dtype=torch.${t.dtype}`);
    body = "[]";
  } else {
    // PyTorch leaves out its defaults: float32, bool and int64. gradschool's int32 is not PyTorch's default int.
    if (t.dtype === "float64" || t.dtype === "int32") suffixes.push(`dtype=torch.${t.dtype}`);
    body = formatValues(t, indent);
  }
  if (t.gradFn !== null) suffixes.push(`grad_fn=<${t.gradFn.displayName}0>`);
  else if (t.requiresGrad) suffixes.push("requires_grad=True");
  return appendSuffixes(prefix + body, suffixes, indent);
}

/** The bracketed values, e.g. "[[1., 2.],\n        [3., 4.]]" ("3.5000" for a 0-d tensor). */
function formatValues(t: Tensor, indent: number): string {
  const values = Array.from(t.toTypedArray());
  const summarize = numel(t.shape) > SUMMARY_THRESHOLD;
  const grid: Grid = { values, shape: t.shape };
  // The style is chosen from the numbers that will actually be shown.
  const kind = t.dtype === "bool" ? "boolean" : t.dtype === "int32" ? "integer" : "float";
  const format = chooseStyle(kind, shownValues(grid, 0, 0, summarize));
  return layout(grid, 0, 0, indent, summarize, format);
}

// ---- choosing the number style ---------------------------------------------

/**
 * PyTorch's rules, from the nonzero finite values (zeros, NaN and infinities
 * never change the style):
 * - all whole numbers: "1.", "-20." ... unless they span more than a factor
 *   1000 or exceed 1e8, then scientific;
 * - otherwise fixed with 4 decimals, unless the values span more than a factor
 *   1000, exceed 1e8 or go below 1e-4, then scientific.
 */
function chooseStyle(kind: "float" | "integer" | "boolean", values: readonly number[]): NumberFormat {
  if (kind !== "float") return { style: kind, width: widestRendering(values, kind) };
  const significant = values.filter((v) => Number.isFinite(v) && v !== 0);
  if (significant.length === 0) return { style: "whole", width: 1 };
  let largest = 0;
  let smallest = Infinity;
  for (const v of significant) {
    largest = Math.max(largest, Math.abs(v));
    smallest = Math.min(smallest, Math.abs(v));
  }
  const wideRange = largest / smallest > 1000 || largest > 1e8;
  const allWhole = significant.every(Number.isInteger);
  let style: Style;
  if (allWhole) style = wideRange ? "scientific" : "whole";
  else style = wideRange || smallest < 1e-4 ? "scientific" : "fixed";
  return { style, width: widestRendering(significant, style) };
}

function widestRendering(values: readonly number[], style: Style): number {
  let width = 1;
  for (const v of values) width = Math.max(width, renderNumber(v, style).length);
  return width;
}

/** One number in a style, without padding: "3.", "3.1416", "3.1416e+00", "3", "True", "nan". */
function renderNumber(v: number, style: Style): string {
  if (style === "boolean") return v !== 0 ? "True" : "False";
  if (style === "integer") return String(v);
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (style === "whole") return toFixedDigits(v, 0) + ".";
  if (style === "fixed") return toFixedDigits(v, PRECISION);
  return toScientific(v, PRECISION);
}

// ---- exact decimal rounding ------------------------------------------------
// Python (and so PyTorch) rounds a double to decimals exactly, with ties going
// to the even digit: 0.03125 -> "0.0312". JavaScript's toFixed sends ties up
// ("0.0313"), so the rounding is done here on the exact value instead.

/** A finite double as an exact binary fraction: |x| = mantissa · 2^exponent. */
function exactBinary(x: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biasedExponent = Number(bits >> 52n);
  const fraction = bits & ((1n << 52n) - 1n);
  // Normal numbers have an implicit leading 1 bit; subnormals (biased exponent 0) do not.
  if (biasedExponent === 0) return { mantissa: fraction, exponent: -1074 };
  return { mantissa: fraction | (1n << 52n), exponent: biasedExponent - 1075 };
}

/** |x| · 10^shift rounded to the nearest integer, ties to even, computed exactly. */
function roundScaled(x: number, shift: number): bigint {
  const { mantissa, exponent } = exactBinary(x);
  // |x| · 10^shift = numerator / denominator
  let numerator = mantissa;
  let denominator = 1n;
  if (exponent >= 0) numerator <<= BigInt(exponent);
  else denominator <<= BigInt(-exponent);
  if (shift >= 0) numerator *= 10n ** BigInt(shift);
  else denominator *= 10n ** BigInt(-shift);
  const quotient = numerator / denominator;
  const twiceRemainder = 2n * (numerator % denominator);
  const roundUp = twiceRemainder > denominator || (twiceRemainder === denominator && quotient % 2n === 1n);
  return roundUp ? quotient + 1n : quotient;
}

/** Python's f"{x:.{digits}f}": keeps the sign of -0 and of negatives that round to zero ("-0.0000"). */
function toFixedDigits(x: number, digits: number): string {
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const scaled = roundScaled(x, digits).toString().padStart(digits + 1, "0");
  if (digits === 0) return sign + scaled;
  return `${sign}${scaled.slice(0, -digits)}.${scaled.slice(-digits)}`;
}

/** Python's f"{x:.{digits}e}": one digit before the point, a signed exponent of at least two digits. */
function toScientific(x: number, digits: number): string {
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  let exponent = x === 0 ? 0 : Math.floor(Math.log10(Math.abs(x)));
  let scaled = roundScaled(x, digits - exponent);
  if (x !== 0) {
    // log10 may be one off near powers of ten, and rounding may carry into a new digit (9.99999 -> 10.0000).
    const lowest = 10n ** BigInt(digits);
    while (scaled >= 10n * lowest) scaled = roundScaled(x, digits - ++exponent);
    while (scaled < lowest) scaled = roundScaled(x, digits - --exponent);
  }
  const mantissa = scaled.toString().padStart(digits + 1, "0"); // zero has digits + 1 zeros
  const exponentText = String(Math.abs(exponent)).padStart(2, "0");
  return `${sign}${mantissa[0]}.${mantissa.slice(1)}e${exponent < 0 ? "-" : "+"}${exponentText}`;
}

// ---- layout ----------------------------------------------------------------

/** Row-major values and their shape; a sub-block is addressed by (dim, start). */
interface Grid {
  values: readonly number[];
  shape: readonly number[];
}

/** The indices of a dim that are printed; null marks the "..." in a summarized dim. */
function shownIndices(size: number, summarize: boolean): (number | null)[] {
  const all = Array.from({ length: size }, (_, i) => i);
  if (!summarize || size <= 2 * EDGE_ITEMS) return all;
  return [...all.slice(0, EDGE_ITEMS), null, ...all.slice(size - EDGE_ITEMS)];
}

/** Number of elements between consecutive indices of `dim`. */
function stepOf(grid: Grid, dim: number): number {
  return numel(grid.shape.slice(dim + 1));
}

/** The values that will be printed, for the block of dims dim.. starting at `start`. */
function shownValues(grid: Grid, dim: number, start: number, summarize: boolean): number[] {
  if (dim === grid.shape.length) return [grid.values[start]!];
  const step = stepOf(grid, dim);
  return shownIndices(grid.shape[dim]!, summarize)
    .filter((i): i is number => i !== null)
    .flatMap((i) => shownValues(grid, dim + 1, start + i * step, summarize));
}

/**
 * The block of dims dim.. starting at `start`, as bracketed text. `indent` is
 * the column of its opening bracket: continuation lines start one further in.
 */
function layout(grid: Grid, dim: number, start: number, indent: number, summarize: boolean, format: NumberFormat): string {
  const cell = (v: number) => renderNumber(v, format.style).padStart(format.width);
  const rank = grid.shape.length;
  if (dim === rank) return cell(grid.values[start]!);
  const step = stepOf(grid, dim);
  const indices = shownIndices(grid.shape[dim]!, summarize);
  if (dim === rank - 1) {
    const items = indices.map((i) => (i === null ? " ..." : cell(grid.values[start + i]!)));
    return `[${wrapRow(items, format.width, indent)}]`;
  }
  const blocks = indices.map((i) =>
    i === null ? "..." : layout(grid, dim + 1, start + i * step, indent + 1, summarize, format),
  );
  // Matrices are separated by one line break, 3-D blocks by a blank line, and so on.
  const separator = "," + "\n".repeat(rank - dim - 1) + " ".repeat(indent + 1);
  return `[${blocks.join(separator)}]`;
}

/** The items of the innermost dim, as many per line as fit in the line width (at least one). */
function wrapRow(items: readonly string[], width: number, indent: number): string {
  // Each item is padded to `width` and followed by a comma and a space.
  const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / (width + 2)));
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(", "));
  return lines.join(",\n" + " ".repeat(indent + 1));
}

// ---- suffixes --------------------------------------------------------------

/** Adds ", dtype=...", ", grad_fn=<...>" ..., each on a new line if it would make the last line too long. */
function appendSuffixes(text: string, suffixes: readonly string[], indent: number): string {
  let out = text;
  // PyTorch counts two characters more than the last line holds; kept so line breaks fall where PyTorch's do.
  let lastLineLength = text.length - text.lastIndexOf("\n") + 1;
  for (const suffix of suffixes) {
    if (lastLineLength + suffix.length + 2 > LINE_WIDTH) {
      out += ",\n" + " ".repeat(indent) + suffix;
      lastLineLength = indent + suffix.length;
    } else {
      out += ", " + suffix;
      lastLineLength += suffix.length + 2;
    }
  }
  return out + ")";
}

/** A shape as Python prints a tuple: (0, 3), and (0,) for one dim. */
function pythonTuple(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
}

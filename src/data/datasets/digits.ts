// The 8×8 handwritten digits (Node only), like scikit-learn's
// `sklearn.datasets.load_digits()`: 1,797 images of the digits 0–9, each
// pixel a whole number from 0 to 16.
//
// Each pixel counts how many of the 16 pixels in a 4×4 block of the original
// 32×32 black-and-white scan were "on", so 0 is empty and 16 is full ink.
// As in scikit-learn the values are kept as they are (0–16); divide by 16 to
// get values in [0, 1].
//
// The file is `bundled/digits/digits.csv.gz`: 1,797 lines, no header, 65
// integers per line (64 pixels row by row, then the label).

import { tensor } from "../../core/creation.ts";
import type { Tensor } from "../../core/tensor.ts";
import { DataFileError } from "../errors.ts";
import { decodeUtf8, parseNumericCsv } from "../readers/csv.ts";
import { bundledPath, floatDTypeOption, readBundledContent, readBundledFile, type FloatDType } from "./bundled.ts";

export interface Digits {
  /** [1797, 64]: one row per image, pixel (r, c) in column 8r + c; float32 (default) or float64; whole numbers 0–16. */
  data: Tensor;
  /** [1797, 1, 8, 8]: the same values as images with one channel (N, C, H, W), ready for a convolution. */
  images: Tensor;
  /** int32 [1797]: the digit each image shows, 0–9 (174 to 183 images per digit). */
  target: Tensor;
  /** The class names "0" … "9"; targetNames[k] names target value k. */
  targetNames: string[];
  /** The dataset card (`bundled/descr/digits.rst`): where the data comes from and whom to cite. */
  descr: string;
}

const DIGITS_FILE = "digits/digits.csv.gz";
const DIGITS_CARD = "descr/digits.rst";
const SAMPLES = 1797;
const PIXELS = 64;
const MAX_PIXEL = 16;

/**
 * Reads the digits CSV text (named `file` in errors) into 1797 × 64 pixels and
 * 1797 labels, checking its layout and that every pixel is a whole number
 * 0–16 and every label one 0–9; an error names the line, column and value.
 */
export function parseDigitsCsv(text: string, file: string): { pixels: Float64Array; target: Int32Array } {
  const table = parseNumericCsv(text, file, { header: false });
  if (table.rows !== SAMPLES || table.cols !== PIXELS + 1) {
    throw new DataFileError(file, `expected ${SAMPLES} lines of ${PIXELS + 1} numbers (64 pixels and a label), got ${table.rows} lines of ${table.cols}`);
  }
  const pixels = new Float64Array(SAMPLES * PIXELS);
  const target = new Int32Array(SAMPLES);
  for (let row = 0; row < SAMPLES; row++) {
    for (let col = 0; col <= PIXELS; col++) {
      const value = table.values[row * table.cols + col]!;
      const isLabel = col === PIXELS;
      const max = isLabel ? 9 : MAX_PIXEL;
      if (!Number.isInteger(value) || value < 0 || value > max) {
        const what = isLabel ? "the label" : "a pixel value";
        throw new DataFileError(file, `line ${row + 1}, column ${col + 1}: ${what} must be a whole number from 0 to ${max}, got ${value}`);
      }
      if (isLabel) target[row] = value;
      else pixels[row * PIXELS + col] = value;
    }
  }
  return { pixels, target };
}

interface DecodedDigits {
  pixels: Float64Array;
  target: Int32Array;
  descr: string;
}

/** The decoded file, kept for the rest of the process (the tensors built from it are fresh on every call). */
let decoded: DecodedDigits | null = null;

function decodeDigits(): DecodedDigits {
  const file = bundledPath(DIGITS_FILE);
  const { pixels, target } = parseDigitsCsv(decodeUtf8(readBundledContent(DIGITS_FILE), file), file);
  const descr = decodeUtf8(readBundledFile(DIGITS_CARD), bundledPath(DIGITS_CARD));
  return { pixels, target, descr };
}

/**
 * The 1,797 8×8 digit images of scikit-learn's `load_digits()`.
 *
 *   const { data, target } = loadDigits();          // data [1797, 64], target [1797]
 *   const x = loadDigits().images.div(16);           // [1797, 1, 8, 8] in [0, 1]
 *
 * `dtype` ("float32" by default, or "float64") is the dtype of `data` and
 * `images`. Every call returns new tensors: changing one does not change
 * what the next call returns.
 */
export function loadDigits(options: { dtype?: FloatDType } = {}): Digits {
  const dtype = floatDTypeOption("loadDigits", options.dtype);
  decoded ??= decodeDigits();
  return {
    data: tensor(decoded.pixels, { dtype, shape: [SAMPLES, PIXELS] }),
    images: tensor(decoded.pixels, { dtype, shape: [SAMPLES, 1, 8, 8] }),
    target: tensor(decoded.target, { dtype: "int32" }),
    targetNames: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
    descr: decoded.descr,
  };
}

// CSV: comma-separated values, the format of the digits and the tabular
// datasets. Python reads these with the `csv` module, `numpy.loadtxt` or
// pandas' `read_csv`; scikit-learn's `load_iris` reads its own small variant
// (parseSklearnCsv below). This file takes text, not bytes: decodeUtf8 turns
// a file's bytes into text first.
//
// The dialect is RFC 4180's:
//   - fields are separated by a comma (or another one-character delimiter);
//   - records end with LF or CRLF; the last one may or may not have a line
//     end, and blank lines at the very end are ignored;
//   - a field may be "quoted": then it may contain delimiters, line ends and
//     quotes, a quote being written twice ("" inside the quotes means ").
// Anything outside the dialect is an error naming the 1-based line, never a
// guess: an unterminated quote, a quote inside an unquoted field, a bare CR,
// or a row with a different number of fields from the first. A leading byte
// order mark (U+FEFF, which spreadsheets like to write) is skipped.

import { DataFileError } from "../errors.ts";

export interface CsvOptions {
  /** The field separator, one character (default ","). */
  delimiter?: string;
}

/** One record and the 1-based line it starts on (a quoted field can make a record span lines). */
export interface CsvRecord {
  fields: string[];
  line: number;
}

const QUOTE = 0x22; // "
const LF = 0x0a; // \n
const CR = 0x0d; // \r
const BYTE_ORDER_MARK = 0xfeff;

/**
 * Splits CSV text into records without requiring them to have equal lengths
 * (parseSklearnCsv needs that: its first line is shorter than its rows).
 */
export function readCsvRecords(text: string, source: string, options: CsvOptions = {}): CsvRecord[] {
  const delimiter = checkedDelimiter(options.delimiter, "readCsvRecords");
  const fail = (line: number, problem: string): never => {
    throw new DataFileError(source, `line ${line}: ${problem}`);
  };
  const records: CsvRecord[] = [];
  const end = text.length;
  const contentEnd = endOfContent(text); // blank lines from here on are trailing ones, and ignored
  let i = text.charCodeAt(0) === BYTE_ORDER_MARK ? 1 : 0;
  let line = 1;

  while (i < end) {
    const record: CsvRecord = { fields: [], line };
    const recordStart = i;
    const isBlank = text.charCodeAt(i) === LF || text.charCodeAt(i) === CR;
    for (;;) {
      // One field, starting at i.
      const fieldNumber = record.fields.length + 1;
      if (text.charCodeAt(i) === QUOTE) {
        const openedOnLine = line;
        let value = "";
        let start = i + 1;
        for (;;) {
          const quote = text.indexOf('"', start);
          if (quote < 0) fail(openedOnLine, `field ${fieldNumber} opens a quote that is never closed (unterminated quote)`);
          line += countLineFeeds(text, start, quote);
          if (text.charCodeAt(quote + 1) === QUOTE) {
            value += text.slice(start, quote + 1); // "" stands for one "
            start = quote + 2;
            continue;
          }
          value += text.slice(start, quote);
          i = quote + 1;
          break;
        }
        const next = text.charCodeAt(i);
        if (i < end && next !== delimiter && next !== LF && next !== CR) {
          fail(line, `field ${fieldNumber} has ${quoted(text[i]!)} after its closing quote; a quoted field must end at a delimiter or a line end`);
        }
        record.fields.push(value);
      } else {
        const start = i;
        while (i < end) {
          const c = text.charCodeAt(i);
          if (c === delimiter || c === LF || c === CR) break;
          if (c === QUOTE) fail(line, `field ${fieldNumber} has a quote inside an unquoted field; quote the whole field and double the quote ("")`);
          i++;
        }
        record.fields.push(text.slice(start, i));
      }

      // After a field: a delimiter (another field follows), a line end, or the end of the text.
      if (i >= end) break;
      const c = text.charCodeAt(i);
      if (c === delimiter) {
        i++;
        continue;
      }
      if (c === CR) {
        if (text.charCodeAt(i + 1) !== LF) {
          throw new DataFileError(source, `line ${line} has a carriage return (\\r) that is not followed by a line feed; lines must end with LF or CRLF`);
        }
        i++;
      }
      i++; // the LF
      line++;
      break;
    }
    // A blank line in the middle is a row with one empty field; blank lines at the end are dropped.
    if (!isBlank || recordStart < contentEnd) records.push(record);
  }
  return records;
}

/** RFC-4180 CSV as rows of strings; every row must have as many fields as the first. */
export function parseCsv(text: string, source: string, options: CsvOptions = {}): string[][] {
  checkedDelimiter(options.delimiter, "parseCsv");
  const records = readCsvRecords(text, source, options);
  requireEqualFieldCounts(records, source);
  return records.map((record) => record.fields);
}

function requireEqualFieldCounts(records: readonly CsvRecord[], source: string): void {
  const first = records[0];
  if (first === undefined) return;
  for (const record of records) {
    if (record.fields.length !== first.fields.length) {
      throw new DataFileError(
        source,
        `line ${record.line} has ${plural(record.fields.length, "field")}, but line ${first.line} has ${first.fields.length} (every row must have the same number of fields)`,
      );
    }
  }
}

export interface NumericCsv {
  /** The header row's names, or null without a header. */
  columns: string[] | null;
  rows: number;
  cols: number;
  /** rows × cols values, row-major: value (r, c) is values[r * cols + c]. */
  values: Float64Array;
}

/** A CSV of numbers, like `numpy.loadtxt(file, delimiter=",")` (skiprows=1 with a header). Every field must be a finite number. */
export function parseNumericCsv(text: string, source: string, options: CsvOptions & { header?: boolean } = {}): NumericCsv {
  checkedDelimiter(options.delimiter, "parseNumericCsv");
  const records = readCsvRecords(text, source, options);
  if (records.length === 0) throw new DataFileError(source, "the file holds no rows (it is empty)");
  requireEqualFieldCounts(records, source);
  const columns = options.header === true ? records[0]!.fields : null;
  const dataRecords = columns === null ? records : records.slice(1);
  const cols = records[0]!.fields.length;
  const values = new Float64Array(dataRecords.length * cols);
  dataRecords.forEach((record, r) => {
    record.fields.forEach((field, c) => {
      const value = toNumber(field);
      if (Number.isNaN(value)) {
        const columnName = columns === null ? "" : ` (${quoted(columns[c]!)})`;
        throw new DataFileError(source, `line ${record.line}, column ${c + 1}${columnName}: ${whyNotANumber(field)}`);
      }
      values[r * cols + c] = value;
    });
  });
  return { columns, rows: dataRecords.length, cols, values };
}

// A decimal number as Python's float() or C's strtod would read it, without their leniencies:
// digits with an optional point and exponent; no spaces, no hex, no "inf" or "nan".
const DECIMAL_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** The field as a finite number, or NaN when it is not the plain decimal text of one. */
function toNumber(field: string): number {
  if (!DECIMAL_NUMBER.test(field)) return NaN;
  const value = Number(field);
  return Number.isFinite(value) ? value : NaN;
}

/** Why toNumber refused a field, for the error message. */
function whyNotANumber(field: string): string {
  if (field === "") return "the field is empty; expected a number";
  if (!DECIMAL_NUMBER.test(field)) return `${quoted(field)} is not a number`;
  return `${quoted(field)} is too large to be a finite number`;
}

export interface SklearnCsv {
  nSamples: number;
  nFeatures: number;
  /** nSamples × nFeatures features, row-major. */
  data: Float64Array;
  /** nSamples labels, each an index into targetNames. */
  target: Int32Array;
  targetNames: string[];
}

/**
 * scikit-learn's bundled-dataset layout (iris.csv, breast_cancer.csv, wine_data.csv), read as its `load_csv_data` does:
 *   line 1:        n_samples,n_features,<class name 0>,<class name 1>,...
 *   n_samples rows: n_features numbers, then the integer label (an index into the class names)
 */
export function parseSklearnCsv(text: string, source: string): SklearnCsv {
  const fail = (problem: string): never => {
    throw new DataFileError(source, problem);
  };
  const records = readCsvRecords(text, source);
  const header = records[0] ?? fail("the file is empty; line 1 should read n_samples,n_features,<class names>");
  if (header.fields.length < 3) {
    fail(`line 1 has ${plural(header.fields.length, "field")}; it must be n_samples,n_features and at least one class name`);
  }
  const [samplesField, featuresField, ...targetNames] = header.fields as [string, string, ...string[]];
  const nSamples = parseCount(samplesField, "n_samples (the number of samples)", source);
  const nFeatures = parseCount(featuresField, "n_features (the number of features)", source);
  targetNames.forEach((name, k) => {
    if (name === "") fail(`line 1: class name ${k} (field ${k + 3}) is empty`);
  });

  const rows = records.slice(1);
  if (rows.length !== nSamples) {
    fail(`line 1 declares ${nSamples} samples but there ${rows.length === 1 ? "is 1 data row" : `are ${rows.length} data rows`}`);
  }
  for (const row of rows) {
    if (row.fields.length !== nFeatures + 1) {
      fail(
        `line ${row.line} has ${plural(row.fields.length, "field")}, but line 1 declares ${nFeatures} features, ` +
          `so every data row needs ${nFeatures + 1} (the features, then the label)`,
      );
    }
  }

  // Every count is now checked against the rows actually present, so these sizes are real.
  const data = new Float64Array(nSamples * nFeatures);
  const target = new Int32Array(nSamples);
  rows.forEach((row, r) => {
    for (let c = 0; c < nFeatures; c++) {
      const value = toNumber(row.fields[c]!);
      if (Number.isNaN(value)) fail(`line ${row.line}, column ${c + 1}: ${whyNotANumber(row.fields[c]!)}`);
      data[r * nFeatures + c] = value;
    }
    const label = row.fields[nFeatures]!;
    if (!INTEGER.test(label)) fail(`line ${row.line}, column ${nFeatures + 1}: the label ${quoted(label)} is not an integer`);
    const value = Number(label);
    if (value < 0 || value >= targetNames.length) {
      fail(
        `line ${row.line}, column ${nFeatures + 1}: the label ${label} is out of range; line 1 names ` +
          `${plural(targetNames.length, "class", "classes")}, so labels go from 0 to ${targetNames.length - 1}`,
      );
    }
    target[r] = value;
  });
  return { nSamples, nFeatures, data, target, targetNames };
}

/** A positive integer from line 1 of an sklearn CSV. */
function parseCount(field: string, what: string, source: string): number {
  const value = /^\d+$/.test(field) ? Number(field) : NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new DataFileError(source, `line 1: ${what} must be a positive integer, got ${quoted(field)}`);
  }
  return value;
}

/**
 * Bytes to text, refusing invalid UTF-8 (as `new TextDecoder("utf-8", { fatal: true })` does) with a
 * DataFileError that says at which byte and line the first invalid sequence is.
 */
export function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    const at = firstInvalidUtf8(bytes);
    const line = countLineFeeds(bytes, 0, at) + 1;
    const found = Array.from(bytes.subarray(at, at + 4), (b) => b.toString(16).padStart(2, "0")).join(" ");
    throw new DataFileError(source, `invalid UTF-8 at byte ${at} (line ${line}): bytes ${found}`, { cause: error });
  }
}

/**
 * The offset of the first byte that does not start a valid UTF-8 sequence, or bytes.length.
 * A sequence is a lead byte, then 0–3 continuation bytes 10xxxxxx; the lead byte's range fixes
 * how many, and the allowed range of the first continuation excludes overlong forms and surrogates.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    let continuations: number;
    let low = 0x80; // range of the first continuation byte
    let high = 0xbf;
    if (lead < 0x80) continuations = 0;
    else if (lead >= 0xc2 && lead <= 0xdf) continuations = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      continuations = 2;
      if (lead === 0xe0) low = 0xa0; // no overlong three-byte forms
      if (lead === 0xed) high = 0x9f; // no UTF-16 surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      continuations = 3;
      if (lead === 0xf0) low = 0x90; // no overlong four-byte forms
      if (lead === 0xf4) high = 0x8f; // nothing above U+10FFFF
    } else return i;
    for (let k = 1; k <= continuations; k++) {
      const byte = bytes[i + k];
      const [min, max] = k === 1 ? [low, high] : [0x80, 0xbf];
      if (byte === undefined || byte < min || byte > max) return i;
    }
    i += continuations + 1;
  }
  return bytes.length;
}

/** Line feeds in text[start, end) or bytes[start, end). */
function countLineFeeds(source: string | Uint8Array, start: number, end: number): number {
  let count = 0;
  if (typeof source === "string") {
    for (let at = source.indexOf("\n", start); at >= 0 && at < end; at = source.indexOf("\n", at + 1)) count++;
  } else {
    for (let at = start; at < end; at++) if (source[at] === LF) count++;
  }
  return count;
}

/** One past the last character of `text` that is not a line end (0 if there is none). */
function endOfContent(text: string): number {
  let end = text.length;
  while (end > 0 && (text.charCodeAt(end - 1) === LF || text.charCodeAt(end - 1) === CR)) end--;
  return end;
}

/** The delimiter's character code; a delimiter that would make CSV ambiguous is a caller's mistake. */
function checkedDelimiter(delimiter: string | undefined, who: string): number {
  if (delimiter === undefined) return ",".charCodeAt(0);
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === "\n" || delimiter === "\r") {
    throw new Error(`${who}: the delimiter must be one character other than a quote or a line end, got ${JSON.stringify(delimiter)}`);
  }
  return delimiter.charCodeAt(0);
}

/** Text in quotes for a message, with invisible characters (controls, DEL, C1 controls) spelled as escapes. */
function quoted(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

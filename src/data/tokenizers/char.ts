// CharTokenizer: one token per character, the tokenizer of a character-level
// language model (Karpathy's char-rnn, the "tiny Shakespeare" GPT).
//
// The vocabulary is a list of characters; a character's id is its place in the
// list. `CharTokenizer.fromText(text)` takes the distinct characters of a text,
// sorted by code point, like `sorted(set(text))` in Python. A character here is
// a Unicode code point, not a UTF-16 unit: "😀" is one character, as in Python,
// although JavaScript's `"😀".length` is 2.
//
// PyTorch has no tokenizers of its own; the closest are torchtext's vocabularies
// and Hugging Face's tokenizers. The method names follow the latter:
// `encode(text)` gives ids, `decode(ids)` gives the text back, and
// `decode(encode(text)) === text` for every text made of vocabulary characters.

import { Tensor } from "../../core/tensor.ts";

export interface CharTokenizerJSON {
  type: "char";
  chars: string[];
}

export class CharTokenizer {
  /** The characters, in id order: `vocab[id]` is the character with that id. */
  readonly vocab: readonly string[];
  private readonly idOf: Map<string, number>;

  /** A tokenizer over the distinct characters of `text`, sorted by code point. */
  static fromText(text: string): CharTokenizer {
    if (typeof text !== "string") throw new Error(`CharTokenizer.fromText: expected a string, got ${describeValue(text)}`);
    const distinct = [...new Set(text)]; // iterating a string visits code points
    distinct.sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    return new CharTokenizer(distinct);
  }

  /** A tokenizer over an explicit vocabulary: one code point per entry, no duplicates. */
  constructor(chars: readonly string[]) {
    if (!Array.isArray(chars)) throw new Error(`CharTokenizer: expected an array of characters, got ${describeValue(chars)}`);
    this.idOf = new Map();
    chars.forEach((char: unknown, id) => {
      if (typeof char !== "string" || [...char].length !== 1) {
        throw new Error(`CharTokenizer: vocabulary entry ${id} must be a single character (one code point), got ${describeValue(char)}`);
      }
      const earlier = this.idOf.get(char);
      if (earlier !== undefined) {
        throw new Error(`CharTokenizer: the character ${showChar(char)} appears twice in the vocabulary, at ${earlier} and ${id}`);
      }
      this.idOf.set(char, id);
    });
    this.vocab = Object.freeze([...chars]);
  }

  get vocabSize(): number {
    return this.vocab.length;
  }

  /** The id of every character of `text`, in order; a character outside the vocabulary is an error. */
  encode(text: string): Int32Array {
    if (typeof text !== "string") throw new Error(`CharTokenizer.encode: expected a string, got ${describeValue(text)}`);
    const ids = new Int32Array(text.length); // at most one id per UTF-16 unit
    let count = 0;
    let index = 0; // position in the string, in UTF-16 units (as text[index] counts)
    for (const char of text) {
      const id = this.idOf.get(char);
      if (id === undefined) {
        throw new Error(`CharTokenizer.encode: the character ${showChar(char)} at string index ${index} is not in the vocabulary of ${this.vocabSize} characters`);
      }
      ids[count++] = id;
      index += char.length;
    }
    return ids.slice(0, count);
  }

  /** The text the ids stand for; an id that is not an integer in [0, vocabSize) is an error. */
  decode(ids: ArrayLike<number> | Tensor): string {
    const values = tokenIdList(ids, this.vocabSize, "CharTokenizer.decode");
    let text = "";
    for (let i = 0; i < values.length; i++) text += this.vocab[values[i]!]!;
    return text;
  }

  toJSON(): CharTokenizerJSON {
    return { type: "char", chars: [...this.vocab] };
  }

  /** The tokenizer `toJSON` described; anything else is an error saying what is wrong. */
  static fromJSON(json: unknown): CharTokenizer {
    const who = "CharTokenizer.fromJSON";
    if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error(`${who}: expected an object, got ${describeValue(json)}`);
    const { type, chars } = json as Record<string, unknown>;
    if (type !== "char") throw new Error(`${who}: expected type "char", got ${describeValue(type)}`);
    if (!Array.isArray(chars)) throw new Error(`${who}: expected "chars" to be an array of characters, got ${describeValue(chars)}`);
    try {
      return new CharTokenizer(chars as string[]);
    } catch (error) {
      throw new Error(`${who}: ${(error as Error).message}`, { cause: error });
    }
  }
}

/**
 * The token ids of `ids` (an array, a typed array or a 1-D tensor), checked to be
 * integers in [0, vocabSize). Shared by every tokenizer's `decode`.
 */
export function tokenIdList(ids: ArrayLike<number> | Tensor, vocabSize: number, who: string): ArrayLike<number> {
  let values: ArrayLike<number>;
  if (ids instanceof Tensor) {
    if (ids.ndim !== 1) throw new Error(`${who}: expected a 1-D tensor of token ids, got shape [${ids.shape.join(", ")}]`);
    values = ids.toTypedArray();
  } else if (ids !== null && typeof ids === "object" && typeof (ids as ArrayLike<number>).length === "number") {
    values = ids;
  } else {
    throw new Error(`${who}: expected an array or a 1-D tensor of token ids, got ${describeValue(ids)}`);
  }
  for (let i = 0; i < values.length; i++) {
    const id = values[i];
    if (!Number.isInteger(id) || id! < 0 || id! >= vocabSize) {
      throw new Error(`${who}: token id ${String(id)} at position ${i} is not an integer in [0, ${vocabSize})`);
    }
  }
  return values;
}

/** A character for an error message: quoted with escapes (so "\n" shows), and its code point, e.g. "é" (U+00E9). */
function showChar(char: string): string {
  return `${JSON.stringify(char)} (U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")})`;
}

/** A short description of a value that was not what a function expected. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === "string") return value.length > 40 ? `the string ${JSON.stringify(value.slice(0, 40))}…` : `the string ${JSON.stringify(value)}`;
  if (typeof value === "object") return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
  return `${typeof value} ${String(value)}`;
}

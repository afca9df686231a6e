// Text for language models (Node only): a whole novel for character-level
// models (the "tiny Shakespeare" of char-RNN and nanoGPT, here Jane Austen),
// and an English word list for a word generator (makemore's names.txt).
// Neither PyTorch nor torchvision ships these; torchtext's datasets are the
// nearest relatives.
//
// - "pride-and-prejudice": Pride and Prejudice (1813), 684,768 characters,
//   13,030 lines, all ASCII (75 distinct characters), `_word_` for italics.
// - the word list: Debian's /usr/share/dict/american-english, 104,334 entries
//   sorted one per line, with proper nouns, possessives ("zygote's") and a few
//   accented words ("Asunción"); `lowercaseOnly` keeps the 63,875 entries made
//   only of the letters a–z.
//
// Both files are decoded as strict UTF-8: a byte sequence that is not valid
// UTF-8 is an error, never a silent U+FFFD.

import { DataFileError } from "../errors.ts";
import { decodeUtf8 } from "../readers/csv.ts";
import { bundledPath, readBundledFile } from "./bundled.ts";

/** The names loadText accepts. */
export const TEXT_NAMES: readonly string[] = Object.freeze(["pride-and-prejudice"]);

/** Where each text is, under src/data/bundled. */
const TEXT_FILES: Record<string, string> = {
  "pride-and-prejudice": "text/pride_and_prejudice.txt",
};

const WORDS_FILE = "words/american-english.txt";
const WORD_COUNT = 104334;

/** Decoded texts by name, kept for the rest of the process (strings cannot be changed, so sharing them is safe). */
const texts = new Map<string, string>();

/**
 * A whole bundled text as one string, lines ending in "\n".
 *
 *   const text = loadText("pride-and-prejudice");   // 684,768 characters
 *   const vocabulary = [...new Set(text)].sort();  // 75 characters
 *
 * An unknown name is an error listing TEXT_NAMES.
 */
export function loadText(name: string): string {
  const relativePath = Object.hasOwn(TEXT_FILES, name) ? TEXT_FILES[name] : undefined;
  if (relativePath === undefined) {
    throw new Error(`loadText: no text named ${JSON.stringify(name)}; the available texts are: ${TEXT_NAMES.join(", ")}`);
  }
  let text = texts.get(name);
  if (text === undefined) {
    text = decodeUtf8(readBundledFile(relativePath), bundledPath(relativePath));
    texts.set(name, text);
  }
  return text;
}

/**
 * Splits a word list (one entry per line, every line ending in "\n") into its
 * entries, checking that there are `expectedCount` of them and none is empty;
 * an error names the line.
 */
export function splitWordList(text: string, file: string, expectedCount: number): string[] {
  if (!text.endsWith("\n")) throw new DataFileError(file, `a word list must end with a newline`);
  const words = text.slice(0, -1).split("\n");
  const empty = words.indexOf("");
  if (empty !== -1) throw new DataFileError(file, `line ${empty + 1} is empty: a word list has one word on every line`);
  if (words.length !== expectedCount) {
    throw new DataFileError(file, `expected ${expectedCount} words, one per line, got ${words.length}`);
  }
  return words;
}

/** The decoded word list, kept for the rest of the process (callers get copies). */
let allWords: string[] | null = null;

/**
 * The English word list, one string per entry, in the file's (sorted) order.
 *
 *   const words = loadWords({ lowercaseOnly: true });   // 63,875 words: "a", "aardvark", …
 *
 * Without options: all 104,334 entries, including "Asunción" and "zygote's".
 * `lowercaseOnly: true` keeps only the entries matching /^[a-z]+$/. Every call
 * returns a new array.
 */
export function loadWords(options: { lowercaseOnly?: boolean } = {}): string[] {
  if (allWords === null) {
    const file = bundledPath(WORDS_FILE);
    allWords = splitWordList(decodeUtf8(readBundledFile(WORDS_FILE), file), file, WORD_COUNT);
  }
  return options.lowercaseOnly ? allWords.filter((word) => /^[a-z]+$/.test(word)) : [...allWords];
}

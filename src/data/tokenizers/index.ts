// Tokenizers: text to token ids and back. CharTokenizer (one token per
// character) and BPETokenizer (byte-level byte-pair encoding, as in GPT-2) run
// anywhere; saveTokenizer / loadTokenizer read and write JSON files (Node only).
export { CharTokenizer, type CharTokenizerJSON } from "./char.ts";
export { BPETokenizer, DEFAULT_SPLIT_PATTERN, type BPETokenizerJSON, type BPETrainOptions } from "./bpe.ts";
export { loadTokenizer, saveTokenizer } from "./files.ts";

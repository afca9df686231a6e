// Tokenizers: CharTokenizer and the byte-level BPETokenizer. Round trips on the
// whole of Pride and Prejudice and on random Unicode strings; BPE training
// checked against a hand-worked example and against a naive reference trainer
// (recount every pair after every merge); the rank-order encoder checked
// against applying the merges one after another; JSON and file round trips;
// every error.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { Generator, tensor } from "../../src/index.ts";
import { DataFileError } from "../../src/data/errors.ts";
import { BPETokenizer, CharTokenizer, DEFAULT_SPLIT_PATTERN, loadTokenizer, saveTokenizer } from "../../src/data/tokenizers/index.ts";
import { forAll } from "../helpers/property.ts";

const NOVEL = readFileSync(new URL("../../src/data/bundled/text/pride_and_prejudice.txt", import.meta.url), "utf8");

/** Trained once on the whole novel (256 merges, a fraction of a second) and shared by the tests below. */
const novelBpe = BPETokenizer.train(NOVEL, 512);

/** A random string of 0..maxLength code points from a mix of scripts: ASCII, whitespace, accents, CJK, emoji, combining marks, BOM, anything. */
function randomText(g: Generator, maxLength: number): string {
  const length = g.randint(0, maxLength + 1);
  const codePoints: number[] = [];
  for (let i = 0; i < length; i++) {
    const kind = g.randint(0, 9);
    if (kind === 0) codePoints.push(g.randint(0x20, 0x7f)); // printable ASCII
    else if (kind === 1) codePoints.push([0x20, 0x0a, 0x09, 0x0d, 0xa0, 0x3000][g.randint(0, 6)]!); // whitespace
    else if (kind === 2) codePoints.push(g.randint(0xc0, 0x250)); // Latin with accents
    else if (kind === 3) codePoints.push(g.randint(0x4e00, 0x9fff)); // CJK
    else if (kind === 4) codePoints.push(g.randint(0x1f300, 0x1faff)); // emoji (astral: two UTF-16 units, four UTF-8 bytes)
    else if (kind === 5) codePoints.push(g.randint(0x300, 0x370)); // combining marks
    else if (kind === 6) codePoints.push(0xfeff); // byte order mark
    else if (kind === 7) codePoints.push(g.randint(0x30, 0x3a)); // digits
    else {
      let code = g.randint(0, 0x110000);
      while (code >= 0xd800 && code <= 0xdfff) code = g.randint(0, 0x110000); // surrogates are not characters
      codePoints.push(code);
    }
  }
  return String.fromCodePoint(...codePoints);
}

/** A reference trainer written the obvious way: after each merge, recount every pair of every chunk occurrence. */
function naiveTrain(text: string, merges: number): [number, number][] {
  let chunks = (text.match(new RegExp(DEFAULT_SPLIT_PATTERN, "gu")) ?? []).map((chunk) => [...Buffer.from(chunk, "utf8")]);
  const result: [number, number][] = [];
  for (let m = 0; m < merges; m++) {
    const counts = new Map<string, number>();
    for (const tokens of chunks) {
      for (let i = 0; i + 1 < tokens.length; i++) {
        const key = `${tokens[i]},${tokens[i + 1]}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    let best: [number, number] | null = null;
    let bestCount = 1;
    for (const [key, count] of counts) {
      const pair = key.split(",").map(Number) as [number, number];
      const smaller = best !== null && (pair[0] < best[0] || (pair[0] === best[0] && pair[1] < best[1]));
      if (count > bestCount || (count === bestCount && smaller)) {
        best = pair;
        bestCount = count;
      }
    }
    if (best === null) break;
    result.push(best);
    chunks = chunks.map((tokens) => naiveMerge(tokens, best, 256 + m));
  }
  return result;
}

function naiveMerge(tokens: number[], [a, b]: [number, number], id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (i + 1 < tokens.length && tokens[i] === a && tokens[i + 1] === b) {
      out.push(id);
      i++;
    } else {
      out.push(tokens[i]!);
    }
  }
  return out;
}

/** Encoding by applying merge 0, then merge 1, … to each chunk's bytes (what training did to the training text). */
function naiveEncode(tokenizer: BPETokenizer, text: string): number[] {
  const ids: number[] = [];
  for (const chunk of text.match(new RegExp(tokenizer.pattern, "gu")) ?? []) {
    let tokens = [...Buffer.from(chunk, "utf8")];
    tokenizer.merges.forEach((pair, i) => { tokens = naiveMerge(tokens, pair, 256 + i); });
    ids.push(...tokens);
  }
  return ids;
}

describe("CharTokenizer", () => {
  const novelChars = CharTokenizer.fromText(NOVEL);

  test("the vocabulary of the novel: 75 distinct characters sorted by code point", () => {
    assert.equal(novelChars.vocabSize, 75);
    assert.equal(novelChars.vocab[0], "\n");
    assert.equal(novelChars.vocab[1], " ");
    assert.equal(novelChars.vocab[74], "z");
    for (let i = 1; i < novelChars.vocabSize; i++) assert.ok(novelChars.vocab[i - 1]! < novelChars.vocab[i]!);
  });

  test("encode then decode gives the whole novel back, one id per character", () => {
    const ids = novelChars.encode(NOVEL);
    assert.equal(ids.length, NOVEL.length); // ASCII: characters = UTF-16 units
    assert.equal(ids[0], novelChars.vocab.indexOf(NOVEL[0]!));
    assert.equal(novelChars.decode(ids), NOVEL);
  });

  test("characters are code points: an emoji is one token, and ids follow code-point order", () => {
    const tokenizer = CharTokenizer.fromText("b😀a\u00e9a");
    assert.deepEqual(tokenizer.vocab, ["a", "b", "\u00e9", "😀"]);
    assert.deepEqual([...tokenizer.encode("😀ba\u00e9")], [3, 1, 0, 2]);
    assert.equal(tokenizer.decode([3, 3, 2]), "😀😀\u00e9");
    assert.equal(CharTokenizer.fromText("").vocabSize, 0);
  });

  test("property: random strings over its own vocabulary round-trip exactly", () => {
    forAll("char round trip", (g) => {
      const alphabet = randomText(g, 30);
      const tokenizer = CharTokenizer.fromText(alphabet);
      const symbols = [...tokenizer.vocab];
      const length = g.randint(0, 50);
      const text = symbols.length === 0 ? "" : Array.from({ length }, () => symbols[g.randint(0, symbols.length)]!).join("");
      const ids = tokenizer.encode(text);
      assert.equal(ids.length, [...text].length);
      assert.equal(tokenizer.decode(ids), text);
    }, { runs: 200 });
  });

  test("decode takes arrays, typed arrays and 1-D tensors", () => {
    const tokenizer = new CharTokenizer(["x", "y", "z"]);
    assert.equal(tokenizer.decode(new Int32Array([2, 0])), "zx");
    assert.equal(tokenizer.decode(tensor([1, 2, 1], { dtype: "int32" })), "yzy");
    assert.equal(tokenizer.decode(tensor([[0, 1], [2, 0]], { dtype: "int32" }).select(1, 0)), "xz"); // a strided view
  });

  test("an unknown character is an error naming it, its code point and position", () => {
    assert.throws(() => novelChars.encode("Mr. Darcy 😀"), {
      message: 'CharTokenizer.encode: the character "😀" (U+1F600) at string index 10 is not in the vocabulary of 75 characters',
    });
    assert.throws(() => new CharTokenizer(["a"]).encode("a\tb"), /"\\t" \(U\+0009\) at string index 1/);
  });

  test("bad vocabularies, ids and arguments are errors", () => {
    assert.throws(() => new CharTokenizer(["a", "b", "a"]), { message: 'CharTokenizer: the character "a" (U+0061) appears twice in the vocabulary, at 0 and 2' });
    assert.throws(() => new CharTokenizer(["ab"]), /entry 0 must be a single character \(one code point\), got the string "ab"/);
    assert.throws(() => new CharTokenizer(["a", ""]), /entry 1 must be a single character/);
    assert.throws(() => new CharTokenizer([7 as unknown as string]), /entry 0 must be a single character .*got number 7/);
    assert.throws(() => new CharTokenizer("abc" as unknown as string[]), /CharTokenizer: expected an array of characters, got the string "abc"/);
    assert.throws(() => CharTokenizer.fromText(5 as unknown as string), /fromText: expected a string, got number 5/);
    assert.throws(() => novelChars.encode(null as unknown as string), /encode: expected a string, got null/);
    const tokenizer = new CharTokenizer(["a", "b"]);
    assert.throws(() => tokenizer.decode([0, 2]), { message: "CharTokenizer.decode: token id 2 at position 1 is not an integer in [0, 2)" });
    assert.throws(() => tokenizer.decode([-1]), /token id -1 at position 0/);
    assert.throws(() => tokenizer.decode([0.5]), /token id 0.5 at position 0 is not an integer/);
    assert.throws(() => tokenizer.decode(tensor([[0, 1]], { dtype: "int32" })), /expected a 1-D tensor of token ids, got shape \[1, 2\]/);
    assert.throws(() => tokenizer.decode(3 as unknown as number[]), /expected an array or a 1-D tensor of token ids, got number 3/);
    assert.throws(() => tokenizer.decode("ab" as unknown as number[]), /got the string "ab"/);
  });

  test("toJSON / fromJSON round trip, and malformed JSON is an error", () => {
    const json = novelChars.toJSON();
    assert.equal(json.type, "char");
    assert.deepEqual(json.chars, [...novelChars.vocab]);
    const copy = CharTokenizer.fromJSON(JSON.parse(JSON.stringify(json)));
    assert.deepEqual(copy.vocab, novelChars.vocab);
    assert.throws(() => CharTokenizer.fromJSON(null), /CharTokenizer.fromJSON: expected an object, got null/);
    assert.throws(() => CharTokenizer.fromJSON([]), /expected an object, got an array of length 0/);
    assert.throws(() => CharTokenizer.fromJSON({ type: "bpe", chars: [] }), /expected type "char", got the string "bpe"/);
    assert.throws(() => CharTokenizer.fromJSON({ type: "char", chars: "abc" }), /expected "chars" to be an array of characters/);
    assert.throws(() => CharTokenizer.fromJSON({ type: "char", chars: ["a", "a"] }), /CharTokenizer.fromJSON: .*"a" \(U\+0061\) appears twice/);
  });
});

describe("BPETokenizer", () => {
  test("the classic example: aaabdaaabac merges aa, then ab (a tie broken by the smaller pair), then (aa)(ab)", () => {
    // Counts: aa 4, ab 2, others 1 → merge (97, 97) = 256. Then (256, 97) and (97, 98) both occur twice:
    // the smaller pair (97, 98) wins → 257. Then (256, 257) occurs twice → 258. Now no pair occurs twice: stop.
    const calls: [number, number][] = [];
    const tokenizer = BPETokenizer.train("aaabdaaabac", 300, { onMerge: (i, total) => calls.push([i, total]) });
    assert.deepEqual(tokenizer.merges, [[97, 97], [97, 98], [256, 257]]);
    assert.equal(tokenizer.vocabSize, 259); // fewer than the 300 asked for
    assert.deepEqual(calls, [[0, 44], [1, 44], [2, 44]]);
    assert.deepEqual([...tokenizer.encode("aaabdaaabac")], [258, 100, 258, 97, 99]);
    assert.equal(tokenizer.decode([258, 100, 258, 97, 99]), "aaabdaaabac");
    assert.equal(tokenizer.tokenText(258), "aaab");
    assert.deepEqual([...tokenizer.tokenBytes(257)], [97, 98]);
  });

  test("training stops when no pair occurs twice", () => {
    assert.equal(BPETokenizer.train("abcd", 300).vocabSize, 256);
    assert.deepEqual(BPETokenizer.train("abab", 300).merges, [[97, 98]]); // then (256, 256) occurs once
    assert.equal(BPETokenizer.train("", 512).vocabSize, 256);
    assert.deepEqual(BPETokenizer.train("aaabdaaabac", 257).merges, [[97, 97]]); // and stops at the size asked for
  });

  test("on the novel: 256 merges, the first one the argmax of a naive pair count over the chunks", () => {
    assert.equal(novelBpe.merges.length, 256);
    assert.equal(novelBpe.vocabSize, 512);
    // Independent count: chunk with the pattern, count adjacent character pairs (the novel is ASCII, so chars are bytes).
    assert.ok(/^[\x00-\x7f]*$/.test(NOVEL));
    const counts = new Map<string, number>();
    for (const chunk of NOVEL.match(new RegExp(DEFAULT_SPLIT_PATTERN, "gu"))!) {
      for (let i = 0; i + 1 < chunk.length; i++) counts.set(chunk.slice(i, i + 2), (counts.get(chunk.slice(i, i + 2)) ?? 0) + 1);
    }
    const sorted = [...counts].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
    const [topPair, topCount] = sorted[0]!;
    assert.ok(topCount > sorted[1]![1], "the top pair is not tied, so no tie rule is involved");
    assert.deepEqual(novelBpe.merges[0], [topPair.charCodeAt(0), topPair.charCodeAt(1)]);
    // What that count says, written out: "he" is the most frequent pair, then " t".
    assert.equal(topPair, "he");
    assert.equal(sorted[1]![0], " t");
    const first = Array.from({ length: 12 }, (_, i) => novelBpe.tokenText(256 + i));
    assert.deepEqual(first, ["he", " t", " a", "in", " w", " s", "re", " o", "ha", "er", "ou", " the"]);
  });

  test("training matches a naive reference trainer merge for merge (first 30 000 characters, 60 merges)", () => {
    const sample = NOVEL.slice(0, 30_000);
    const tokenizer = BPETokenizer.train(sample, 256 + 60);
    assert.deepEqual(tokenizer.merges, naiveTrain(sample, 60));
  });

  test("training is deterministic: the same text and size give the same merges", () => {
    assert.deepEqual(BPETokenizer.train(NOVEL, 512).merges, novelBpe.merges);
  });

  test("encoding the novel: exact round trip, more than 2 bytes per token, same ids as applying the merges in order", () => {
    const ids = novelBpe.encode(NOVEL);
    assert.equal(novelBpe.decode(ids), NOVEL);
    // Bytes per token: 1.0 for the bare bytes. English averages about 5.5 bytes per word with its space; with
    // 256 merges the commonest words (" the", " and", " of" …) become one token and most others two to four
    // pieces, so each token should carry more than 2 bytes (measured: 2.16); fewer merges must compress less.
    const bytesPerToken = NOVEL.length / ids.length;
    assert.ok(bytesPerToken > 2.0, `bytes per token ${bytesPerToken}`);
    const smaller = BPETokenizer.train(NOVEL, 320);
    const smallerRatio = NOVEL.length / smaller.encode(NOVEL).length;
    assert.ok(smallerRatio > 1.5 && smallerRatio < bytesPerToken, `64 merges: ${smallerRatio} bytes per token`);
    // Encoding picks the earliest-learned pair first; that must equal applying merge 0, 1, 2 … in turn.
    const paragraph = NOVEL.slice(100_000, 104_000);
    assert.deepEqual([...novelBpe.encode(paragraph)], naiveEncode(novelBpe, paragraph));
  });

  test("merges never cross a chunk boundary: every token is a piece of one chunk", () => {
    const onePiece = /^(?: ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+)$/u;
    for (let id = 256; id < novelBpe.vocabSize; id++) assert.match(novelBpe.tokenText(id), onePiece, `token ${id}`);
  });

  test("property: random Unicode strings (accents, CJK, emoji, BOM, newlines) round-trip through the novel's BPE", () => {
    forAll("bpe round trip", (g) => {
      const text = randomText(g, 40);
      const ids = novelBpe.encode(text);
      assert.ok(ids.length <= Buffer.byteLength(text, "utf8"));
      assert.equal(novelBpe.decode(ids), text);
    }, { runs: 300 });
    // Mixed with text the merges know:
    const mixed = "Mr. Darcy 😀 said \u00abn\u00e9e\u00bb\r\n\t  — 42\uFEFF";
    assert.equal(novelBpe.decode(novelBpe.encode(mixed)), mixed);
    assert.equal(novelBpe.decode(novelBpe.encode("\uFEFFstarts with a BOM")), "\uFEFFstarts with a BOM");
  });

  test("decoding half a character gives U+FFFD; tokenBytes / tokenText", () => {
    const ids = novelBpe.encode("\u00e9"); // é is two bytes, C3 A9, never merged in an ASCII novel
    assert.deepEqual([...ids], [0xc3, 0xa9]);
    assert.equal(novelBpe.decode(ids.subarray(0, 1)), "\uFFFD");
    assert.equal(novelBpe.decode([0xc3, 0x41]), "\uFFFDA");
    assert.equal(novelBpe.tokenText(0xc3), "\uFFFD");
    const bytes = novelBpe.tokenBytes(256 + 11);
    assert.equal(Buffer.from(bytes).toString("latin1"), " the");
    bytes[0] = 0; // a copy: the tokenizer is unchanged
    assert.equal(novelBpe.tokenText(256 + 11), " the");
    assert.equal(novelBpe.decode(tensor([256 + 11, 256 + 11], { dtype: "int32" })), " the the");
    assert.throws(() => novelBpe.tokenText(512), /tokenText: token id 512 at position 0 is not an integer in \[0, 512\)/);
    assert.throws(() => novelBpe.tokenBytes(-1), /tokenBytes: token id -1/);
    assert.throws(() => novelBpe.decode([1, 600]), /BPETokenizer.decode: token id 600 at position 1/);
  });

  test("a custom pattern: text it skips and empty matches still round-trip", () => {
    const letters = BPETokenizer.train("ab ab ab!! cab", 260, { pattern: "[a-z]+" });
    assert.equal(letters.pattern, "[a-z]+");
    assert.deepEqual(letters.merges[0], [97, 98]);
    for (const text of ["ab ab ab!! cab", "  !x", "", "ab"]) assert.equal(letters.decode(letters.encode(text)), text);
    const starred = BPETokenizer.train("baaab baaab", 258, { pattern: /a*/g });
    assert.equal(starred.pattern, "a*");
    assert.equal(starred.decode(starred.encode("baaab xyz aa")), "baaab xyz aa");
    // One chunk for everything lets merges cross spaces, which the default pattern forbids. "a " and " a"
    // both occur 3 times: the smaller pair (32, 97) wins; then " a" + " a" occurs twice.
    const whole = BPETokenizer.train("a a a a", 258, { pattern: String.raw`[\s\S]+` });
    assert.deepEqual(whole.merges.map((_, i) => whole.tokenText(256 + i)), [" a", " a a"]);
  });

  test("the encoder's chunk memory is bounded, and results stay right after it is cleared", () => {
    const numbers = Array.from({ length: 100_100 }, (_, i) => i).join(" "); // 100 100 distinct chunks
    const tokenizer = BPETokenizer.train("12 12 12", 258);
    assert.equal(tokenizer.decode(tokenizer.encode(numbers)), numbers);
    assert.equal(tokenizer.decode(tokenizer.encode(numbers)), numbers);
  });

  test("bad arguments are errors naming the rule", () => {
    assert.throws(() => BPETokenizer.train("abc", 255), { message: "BPETokenizer.train: vocabSize must be an integer in [256, 67108864] (256 byte tokens plus the merges), got 255" });
    assert.throws(() => BPETokenizer.train("abc", 256.5), /got 256.5/);
    assert.throws(() => BPETokenizer.train("abc", Number.NaN), /got NaN/);
    assert.throws(() => BPETokenizer.train("abc", 2 ** 27), /got 134217728/);
    assert.throws(() => BPETokenizer.train(["abc"] as unknown as string, 300), /train: expected a string, got an array of length 1/);
    assert.throws(() => BPETokenizer.train("abc", 300, { pattern: /a/i }), /the pattern \/a\/i has flags "i"; only "g" and "u" are allowed/);
    assert.throws(() => BPETokenizer.train("abc", 300, { pattern: "(" }), /the pattern "\(" is not a valid regular expression with the "u" flag/);
    assert.throws(() => BPETokenizer.train("abc", 300, { pattern: 3 as unknown as string }), /must be a RegExp or a string, got number 3/);
    assert.throws(() => novelBpe.encode("ok \uD83D then"), { message: "BPETokenizer.encode: the lone surrogate U+D83D at string index 3 is not a character and has no UTF-8 encoding" });
    assert.throws(() => novelBpe.encode("😀\uDE00"), /lone surrogate U\+DE00 at string index 2/);
    assert.throws(() => BPETokenizer.train("x\uDC00", 300), /train: the lone surrogate U\+DC00 at string index 1/);
    assert.throws(() => new BPETokenizer([[256, 0]]), { message: "BPETokenizer: merge 0 must be a pair of token ids in [0, 256) (bytes and earlier merges), got [256,0]" });
    assert.throws(() => new BPETokenizer([[1, 2], [3, 258]]), /merge 1 must be a pair of token ids in \[0, 257\)/);
    assert.throws(() => new BPETokenizer([[1, 2], [1, 2]]), /merge 1 repeats the pair \[1, 2\] of merge 0/);
    assert.throws(() => new BPETokenizer([[1]] as unknown as [number, number][]), /merge 0 must be a pair/);
    assert.throws(() => new BPETokenizer([[1.5, 2]]), /got \[1.5,2\]/);
    assert.throws(() => new BPETokenizer({} as unknown as [number, number][]), /expected an array of merges, got an object \(Object\)/);
  });

  test("toJSON / fromJSON round trip, and malformed JSON is an error", () => {
    const json = novelBpe.toJSON();
    assert.equal(json.type, "bpe");
    assert.equal(json.version, 1);
    assert.equal(json.pattern, DEFAULT_SPLIT_PATTERN);
    const copy = BPETokenizer.fromJSON(JSON.parse(JSON.stringify(json)));
    assert.deepEqual(copy.merges, novelBpe.merges);
    const sentence = "It is a truth universally acknowledged, that a single man…";
    assert.deepEqual(copy.encode(sentence), novelBpe.encode(sentence));
    const good = { type: "bpe", version: 1, pattern: "x", merges: [[1, 2]] };
    assert.equal(BPETokenizer.fromJSON(good).vocabSize, 257);
    assert.throws(() => BPETokenizer.fromJSON("bpe"), /BPETokenizer.fromJSON: expected an object, got the string "bpe"/);
    assert.throws(() => BPETokenizer.fromJSON({ ...good, type: "char" }), /expected type "bpe", got the string "char"/);
    assert.throws(() => BPETokenizer.fromJSON({ ...good, version: 2 }), /format version number 2; only version 1 can be read/);
    assert.throws(() => BPETokenizer.fromJSON({ ...good, pattern: null }), /expected "pattern" to be a string, got null/);
    assert.throws(() => BPETokenizer.fromJSON({ ...good, merges: {} }), /expected "merges" to be an array of pairs/);
    assert.throws(() => BPETokenizer.fromJSON({ ...good, merges: [[1, 2], [0, 300]] }), /BPETokenizer.fromJSON: .*merge 1 must be a pair of token ids in \[0, 257\) .*got \[0,300\]/);
    assert.throws(() => BPETokenizer.fromJSON({ ...good, pattern: "[" }), /fromJSON: .*"\[" is not a valid regular expression/);
  });
});

describe("saveTokenizer / loadTokenizer", () => {
  const directory = mkdtempSync(join(tmpdir(), "gradschool-tokenizers-"));
  after(() => rmSync(directory, { recursive: true, force: true }));

  test("both kinds survive a save and a load", () => {
    const charFile = join(directory, "char.json");
    const bpeFile = join(directory, "bpe.json");
    const chars = CharTokenizer.fromText("hello, wörld 😀\n");
    saveTokenizer(chars, charFile);
    saveTokenizer(novelBpe, bpeFile);
    const loadedChars = loadTokenizer(charFile);
    const loadedBpe = loadTokenizer(bpeFile);
    assert.ok(loadedChars instanceof CharTokenizer);
    assert.ok(loadedBpe instanceof BPETokenizer);
    assert.deepEqual(loadedChars.toJSON(), chars.toJSON());
    assert.deepEqual(loadedBpe.toJSON(), novelBpe.toJSON());
    assert.equal(loadedBpe.decode(loadedBpe.encode(NOVEL.slice(0, 5000))), NOVEL.slice(0, 5000));
    assert.deepEqual(JSON.parse(readFileSync(bpeFile, "utf8")), novelBpe.toJSON()); // the file is plain JSON
    saveTokenizer(chars, bpeFile); // replaces the file
    assert.ok(loadTokenizer(bpeFile) instanceof CharTokenizer);
  });

  test("a bad file is a DataFileError naming the file", () => {
    const cases: [string, string | Uint8Array, RegExp][] = [
      ["truncated.json", '{"type":"bpe","version":1,"pat', /loadTokenizer: not a tokenizer JSON file/],
      ["latin1.json", Uint8Array.of(0x7b, 0xe9, 0x7d), /not a tokenizer JSON file/],
      ["unknown-type.json", '{"type":"wordpiece"}', /expected an object with "type" "char" or "bpe", got type the string "wordpiece"/],
      ["array.json", "[1, 2]", /got an array of length 2/],
      ["null.json", "null", /got null/],
      ["bad-merge.json", '{"type":"bpe","version":1,"pattern":"x","merges":[[0,256]]}', /BPETokenizer.fromJSON: .*merge 0 must be a pair of token ids in \[0, 256\)/],
      ["bad-chars.json", '{"type":"char","chars":["ab"]}', /CharTokenizer.fromJSON: .*single character/],
    ];
    for (const [name, contents, problem] of cases) {
      const file = join(directory, name);
      writeFileSync(file, contents);
      assert.throws(() => loadTokenizer(file), (error: unknown) => {
        assert.ok(error instanceof DataFileError, name);
        assert.equal(error.file, file);
        assert.ok(error.message.startsWith(`${file}: `), error.message);
        assert.match(error.message, problem);
        return true;
      });
    }
  });

  test("missing files, unwritable places and non-tokenizers are errors", () => {
    const missing = join(directory, "missing.json");
    assert.throws(() => loadTokenizer(missing), new RegExp(`^Error: loadTokenizer: cannot read ${missing}`.replace(/[.]/g, "\\.")));
    assert.throws(() => saveTokenizer(novelBpe, join(directory, "no-such-dir", "t.json")), /saveTokenizer: cannot save/);
    assert.throws(() => saveTokenizer({ toJSON: () => ({}) } as unknown as BPETokenizer, join(directory, "x.json")), /saveTokenizer: expected a CharTokenizer or a BPETokenizer, got an object/);
  });
});

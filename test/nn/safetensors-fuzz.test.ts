// Fuzzing the safetensors reader: thousands of broken variants of a valid
// file (seeded, so every run tests the same ones). Each must either read as
// a valid file or fail with a plain Error whose message starts with
// "safetensors:", never a TypeError, RangeError (a typed array too large),
// a stack overflow, a hang or an allocation beyond what the file holds.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Generator, Tensor, randn, tensor } from "../../src/index.ts";
import { MAX_HEADER_BYTES, deserialize, serialize } from "../../src/nn/safetensors.ts";

const random = new Generator(20240611);
const pick = <T>(items: readonly T[]): T => items[random.randint(0, items.length)]!;

/** The valid file every variant starts from: four dtypes, a 0-d and an empty tensor, metadata. */
function baseFile(): Uint8Array {
  const tensors = new Map<string, Tensor>([
    ["layer.weight", randn([3, 4], { generator: new Generator(1) })],
    ["layer.bias", randn([3], { generator: new Generator(2), dtype: "float64" })],
    ["steps", tensor([3, -1], { dtype: "int32" })],
    ["mask", tensor([true, false, true])],
    ["scale", tensor(2.5)],
    ["none", tensor([], { dtype: "float32" })],
  ]);
  return serialize(tensors, { metadata: { format: "pt", epoch: "7" } });
}

const BASE = baseFile();
const HEADER_LENGTH = new DataView(BASE.buffer).getUint32(0, true);
const HEADER = JSON.parse(new TextDecoder().decode(BASE.subarray(8, 8 + HEADER_LENGTH))) as Record<string, Record<string, unknown>>;
const DATA = BASE.subarray(8 + HEADER_LENGTH);
const TENSOR_NAMES = Object.keys(HEADER).filter((name) => name !== "__metadata__");

/** A file with this header text (length field set to match unless given) and the base data. */
function withHeader(text: string, data: Uint8Array = DATA, headerLength?: bigint): Uint8Array {
  const header = new TextEncoder().encode(text);
  const bytes = new Uint8Array(8 + header.length + data.length);
  new DataView(bytes.buffer).setBigUint64(0, headerLength ?? BigInt(header.length), true);
  bytes.set(header, 8);
  bytes.set(data, 8 + header.length);
  return bytes;
}

const outcomes = { read: 0, refused: 0, messages: new Set<string>() };

/** Reads `bytes`; a success must be a consistent result, a failure a plain Error starting with "safetensors:". */
function check(bytes: Uint8Array, what: string): void {
  let result;
  try {
    result = deserialize(bytes);
  } catch (error) {
    assert.ok(error instanceof Error, `${what}: threw a non-Error ${String(error)}`);
    assert.equal(Object.getPrototypeOf(error), Error.prototype, `${what}: threw a ${error.constructor.name}: ${error.message}`);
    assert.match(error.message, /^safetensors: \S/, `${what}: message "${error.message}"`);
    outcomes.refused++;
    outcomes.messages.add(error.message.replace(/"[^"]*"|\d+|\[[^\]]*\]/g, "#").slice(0, 60));
    return;
  }
  outcomes.read++;
  let bytesHeld = 0;
  for (const [name, t] of result.tensors) {
    assert.ok(t instanceof Tensor, `${what}: ${name}`);
    assert.equal(t.toTypedArray().length, t.shape.reduce((a, b) => a * b, 1), `${what}: ${name}`);
    bytesHeld += t.toTypedArray().byteLength;
  }
  // Conversions at most double the size (F16 → float32), so a file can never make the reader allocate much more than itself.
  assert.ok(bytesHeld <= 2 * bytes.length, `${what}: ${bytesHeld} bytes of tensors from a ${bytes.length}-byte file`);
  for (const value of Object.values(result.metadata)) assert.equal(typeof value, "string");
}

/** JSON changes that break one rule (or none) of one entry `n`; `other` is another entry (or the same one). */
type Header = Record<string, Record<string, unknown>>;
const ENTRY_MUTATIONS: Array<(header: Header, n: string, other: string) => void> = [
  (h, n, other) => { [h[n]!["data_offsets"], h[other]!["data_offsets"]] = [h[other]!["data_offsets"], h[n]!["data_offsets"]]; },
  (h, n) => { h[n]!["shape"] = pick([[-1], [2 ** 53], [2 ** 31, 2 ** 31, 2 ** 31], [1.5], ["3"], [[3]], [], [null], 3, null, "3", [1e308]]); },
  (h, n) => { h[n]!["shape"] = new Array(random.randint(0, 2000)).fill(1); },
  (h, n) => { h[n]!["dtype"] = pick(["F32", "F64", "I32", "BOOL", "I64", "F16", "BF16", "U8", "f32", "", 4, null, ["F32"], "__proto__"]); },
  (h, n) => { h[n]!["data_offsets"] = pick([[-4, 0], [0, 2 ** 60], [8, 4], [0.5, 4], [0, 4, 8], [0], null, "0,4", [null, 4], [2 ** 53, 2 ** 53 + 4]]); },
  (h, n) => {
    const offsets = h[n]!["data_offsets"];
    if (Array.isArray(offsets)) h[n]!["data_offsets"] = offsets.map((v: number) => v + random.randint(-8, 9));
  },
  (h, n) => { delete h[n]; },
  (h, n) => { h[`${n}.copy`] = h[n]!; },
  (h, n) => { delete h[n]![pick(["dtype", "shape", "data_offsets"])]; },
  (h, n) => { (h as Record<string, unknown>)[n] = pick([3, null, [], "F32", true]); },
  (h) => { (h as Record<string, unknown>)["__metadata__"] = pick([{ epoch: 7 }, ["pt"], null, "pt", { a: null }, {}]); },
  (h) => { Object.defineProperty(h, pick(["__proto__", "constructor", "toString"]), { value: pick([{ dtype: "F32", shape: [0], data_offsets: [0, 0] }, 1]), enumerable: true, configurable: true, writable: true }); },
];

describe("fuzzing the reader", () => {
  test("the base file reads", () => {
    assert.equal(deserialize(BASE).tensors.size, TENSOR_NAMES.length);
  });

  test("random byte flips anywhere, and in the header", () => {
    for (let i = 0; i < 600; i++) {
      const bytes = BASE.slice();
      const flips = random.randint(1, 4);
      const inHeader = i % 2 === 0;
      for (let f = 0; f < flips; f++) {
        const at = inHeader ? random.randint(0, 8 + HEADER_LENGTH) : random.randint(0, bytes.length);
        bytes[at] = random.randint(0, 256);
      }
      check(bytes, `byte flips #${i}`);
    }
  });

  test("truncation at every length of the header region, and at random lengths", () => {
    for (let length = 0; length <= 8 + HEADER_LENGTH; length++) check(BASE.slice(0, length), `truncated to ${length}`);
    for (let i = 0; i < 100; i++) {
      const length = random.randint(0, BASE.length);
      check(BASE.slice(0, length), `truncated to ${length}`);
    }
  });

  test("header length fields from 0 to 2^64 - 1", () => {
    const n = BigInt(HEADER_LENGTH);
    const lengths = [0n, 1n, 2n, 7n, 8n, n - 8n, n - 1n, n + 1n, n + 8n, BigInt(BASE.length), BigInt(BASE.length - 8), 2n ** 31n, 2n ** 32n,
      2n ** 32n + n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n, BigInt(MAX_HEADER_BYTES), BigInt(MAX_HEADER_BYTES + 1)];
    const headerText = new TextDecoder().decode(BASE.subarray(8, 8 + HEADER_LENGTH));
    for (const length of lengths) check(withHeader(headerText, DATA, length), `header length ${length}`);
  });

  test("JSON mutations of the entries and the metadata", () => {
    for (let i = 0; i < 800; i++) {
      const header = structuredClone(HEADER);
      const mutations = random.randint(1, 3);
      for (let m = 0; m < mutations; m++) {
        const names = Object.keys(header).filter((name) => name !== "__metadata__" && typeof header[name] === "object" && header[name] !== null);
        if (names.length === 0) break;
        pick(ENTRY_MUTATIONS)(header, pick(names), pick(names));
      }
      check(withHeader(JSON.stringify(header)), `JSON mutation #${i}: ${JSON.stringify(header).slice(0, 300)}`);
    }
  });

  test("text mutations of the header: duplicated keys, deleted and inserted characters, deep nesting", () => {
    const headerText = new TextDecoder().decode(BASE.subarray(8, 8 + HEADER_LENGTH)).trimEnd();
    const firstEntry = `"${TENSOR_NAMES[0]}":${JSON.stringify(HEADER[TENSOR_NAMES[0]!])}`;
    check(withHeader(headerText.replace("{", `{${firstEntry},`)), "duplicated key");
    check(withHeader(headerText.replace('"__metadata__"', `"__metadata__":{},"__metadata__"`)), "duplicated metadata");
    check(withHeader(`${"[".repeat(100_000)}${"]".repeat(100_000)}`), "deeply nested list");
    check(withHeader(`{"a":${'{"b":'.repeat(50_000)}1${"}".repeat(50_000)}}`), "deeply nested object");
    check(withHeader(`\uFEFF${headerText}`), "byte order mark");
    for (let i = 0; i < 300; i++) {
      const at = random.randint(0, headerText.length);
      const text = i % 2 === 0
        ? headerText.slice(0, at) + headerText.slice(at + random.randint(1, 6))
        : headerText.slice(0, at) + pick(['"', "{", "}", "[", "]", ",", ":", "\\", "-", "1e999", "\u0000", "\uD800", "é"]) + headerText.slice(at);
      check(withHeader(text), `text mutation #${i}`);
    }
  });

  test("the variants exercised both outcomes and many different errors", () => {
    assert.ok(outcomes.read + outcomes.refused >= 1000, `only ${outcomes.read + outcomes.refused} variants`);
    assert.ok(outcomes.read >= 20, `only ${outcomes.read} variants were valid files`);
    assert.ok(outcomes.refused >= 900, `only ${outcomes.refused} variants were refused`);
    assert.ok(outcomes.messages.size >= 25, `only ${outcomes.messages.size} kinds of error: ${[...outcomes.messages].join("\n")}`);
  });
});

// Safetensors: the bytes the reference writer produces, round trips of every
// dtype, files written by PyTorch (test/fixtures/torch-nn/safetensors-*,
// written by scripts/torch-nn-safetensors.py) loaded into gradschool models,
// every validation rule of the reader, and saving files atomically.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { Tensor, arange, full, manualSeed, randn, tensor, zeros, type DType, type NestedArray } from "../../src/index.ts";
import { Sequential } from "../../src/nn/containers.ts";
import { ReLU } from "../../src/nn/layers/activation.ts";
import { Conv2d } from "../../src/nn/layers/conv.ts";
import { Linear } from "../../src/nn/layers/linear.ts";
import { BatchNorm2d } from "../../src/nn/layers/normalization.ts";
import { MAX_HEADER_BYTES, deserialize, serialize } from "../../src/nn/safetensors.ts";
import { load, loadWithMetadata, save } from "../../src/nn/serialization.ts";
import { assertClose } from "../helpers/assert.ts";

const FIXTURES = new URL("../fixtures/torch-nn/", import.meta.url);
const fixtureBytes = (name: string) => new Uint8Array(fs.readFileSync(new URL(name, FIXTURES)));

interface ModelCase {
  keys: string[];
  input: NestedArray;
  shape: number[];
  output_float32: NestedArray;
  output_float64: NestedArray;
}
interface DtypesCase {
  metadata: Record<string, string>;
  tensors: Array<{ name: string; dtype: DType; shape: number[]; values: number[] }>;
}
const fixture = JSON.parse(fs.readFileSync(new URL("safetensors.json", FIXTURES), "utf8")) as {
  mlp: ModelCase;
  convnet: ModelCase;
  dtypes: DtypesCase;
  converted: DtypesCase;
};

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const headerOf = (bytes: Uint8Array) => text(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true))));
const bitsOf = (t: Tensor) => [...new Uint8Array(t.toTypedArray().buffer)];

/** A file from a header (object or exact text) and data bytes; `headerLength` overrides the length field. */
function rawFile(header: object | string, data: number[] | Uint8Array = [], headerLength?: number | bigint): Uint8Array {
  const headerBytes = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const bytes = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(headerLength ?? headerBytes.length), true);
  bytes.set(headerBytes, 8);
  bytes.set(data, 8 + headerBytes.length);
  return bytes;
}

describe("writing: the bytes of the reference implementation", () => {
  test("one F32 tensor: compact JSON, data right after the header", () => {
    // The reference's own test: "attn.0", F32 [1, 2, 3] holding 0..5; its header is exactly 64 bytes, so no padding.
    const bytes = serialize(new Map([["attn.0", arange(6).float().reshape([1, 2, 3])]]));
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    assert.equal(header.length, 64);
    const data = [...new Uint8Array(new Float32Array([0, 1, 2, 3, 4, 5]).buffer)];
    assert.deepEqual([...bytes], [64, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode(header), ...data]);
  });

  test("the header is padded with spaces to a multiple of 8 bytes", () => {
    // The reference's test with the 5-letter name "attn0": 57 + 7 spaces.
    const bytes = serialize({ attn0: arange(6).float().reshape([1, 1, 2, 3]) });
    assert.equal(headerOf(bytes), '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ');
    assert.equal(bytes[0], 72);
    for (let length = 1; length <= 9; length++) {
      const padded = serialize({ ["x".repeat(length)]: tensor([1]) });
      const header = headerOf(padded);
      const json = header.trimEnd();
      assert.equal(header.length % 8, 0, `name of ${length} letters`);
      assert.ok(header.length - json.length < 8, "at most 7 spaces of padding");
      assert.equal(header, json + " ".repeat(header.length - json.length));
    }
  });

  test("an empty state dict, with and without metadata", () => {
    assert.deepEqual([...serialize(new Map())], [8, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode("{}      ")]);
    const withMetadata = serialize(new Map(), { metadata: { framework: "pt" } });
    assert.equal(withMetadata[0], 40);
    assert.equal(headerOf(withMetadata), '{"__metadata__":{"framework":"pt"}}     ');
    const read = deserialize(withMetadata);
    assert.equal(read.tensors.size, 0);
    assert.deepEqual({ ...read.metadata }, { framework: "pt" });
  });

  test("tensors are sorted by dtype, widest first, then by name; metadata comes first, sorted", () => {
    const bytes = serialize(new Map<string, Tensor>([
      ["b", tensor([1, 0], { dtype: "bool" })],
      ["a", tensor([1], { dtype: "int32" })],
      ["z", tensor([1], { dtype: "float64" })],
      ["10", tensor([1])],
      ["9", tensor([1])],
    ]), { metadata: { zeta: "1", alpha: "2" } });
    assert.equal(headerOf(bytes).trimEnd(),
      '{"__metadata__":{"alpha":"2","zeta":"1"},' +
      '"z":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},' +
      '"10":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},' +
      '"9":{"dtype":"F32","shape":[1],"data_offsets":[12,16]},' +
      '"a":{"dtype":"I32","shape":[1],"data_offsets":[16,20]},' +
      '"b":{"dtype":"BOOL","shape":[2],"data_offsets":[20,22]}}');
  });

  test("names are compared by UTF-8 bytes (code points), not UTF-16 units", () => {
    // U+FF5E is 0xEF... in UTF-8 and U+1F600 is 0xF0...; in UTF-16, U+1F600 starts with 0xD83D < 0xFF5E.
    const names = [...deserialize(serialize({ "z\u{1F600}": tensor([1]), "z\uFF5E": tensor([2]) })).tensors.keys()];
    assert.deepEqual(names, ["z\uFF5E", "z\u{1F600}"]);
  });

  test("non-contiguous tensors are written in row-major order", () => {
    const t = arange(12).float().reshape([3, 4]).transpose(0, 1);
    assert.equal(t.isContiguous(), false);
    const back = deserialize(serialize({ t })).tensors.get("t")!;
    assert.deepEqual(back.shape, [4, 3]);
    assert.deepEqual(back.tolist(), t.tolist());
    const view = arange(10).float().slice(0, 2, 8, 3); // an offset and a stride
    assert.deepEqual(deserialize(serialize({ view })).tensors.get("view")!.tolist(), [2, 5]);
  });

  test("a file PyTorch's writer produced is reproduced byte for byte", () => {
    // (The conv net's file is not among them: its num_batches_tracked is I64, which gradschool reads, and writes, as I32.)
    for (const name of ["safetensors-mlp.safetensors", "safetensors-dtypes.safetensors"]) {
      const original = fixtureBytes(name);
      const { tensors, metadata } = deserialize(original);
      assert.deepEqual([...serialize(tensors, { metadata })], [...original], name);
    }
  });

  test("bad input to the writer", () => {
    assert.throws(() => serialize({ w: [1, 2] as unknown as Tensor }), /safetensors: "w" is not a Tensor \(got a list of 2\)/);
    assert.throws(() => serialize({ __metadata__: tensor([1]) }), /"__metadata__" is reserved for the metadata/);
    assert.throws(() => serialize({ ["bad\uD800"]: tensor([1]) }), /not valid Unicode/);
    assert.throws(() => serialize({}, { metadata: { epoch: 3 as unknown as string } }), /metadata "epoch" must be a string, got number 3/);
    assert.throws(() => serialize({}, { metadata: ["a"] as unknown as Record<string, string> }), /metadata must be an object of strings/);
    assert.throws(() => serialize(null as unknown as Map<string, Tensor>), /expected a Map or an object of tensors, got null/);
  });
});

describe("round trips", () => {
  test("every dtype comes back with the same bits, shape and dtype", () => {
    const floats = [0, -0, 1.5, -2.25, Infinity, -Infinity, NaN, 1e-45, 3.4028234663852886e38, 1 / 3];
    const tensors = new Map<string, Tensor>([
      ["f32", tensor(new Float32Array(floats), { shape: [2, 5] })],
      ["f64", tensor(new Float64Array([...floats, 5e-324, Number.MAX_VALUE]), { shape: [3, 2, 2] })],
      ["i32", tensor(new Int32Array([-2147483648, 2147483647, 0, -1, 42]))],
      ["mask", tensor([[true, false], [false, true]])],
      ["scalar", full([], 7.5)],
      ["empty", zeros([2, 0, 3], { dtype: "float64" })],
      ["nothing", zeros([0], { dtype: "bool" })],
    ]);
    const { tensors: back } = deserialize(serialize(tensors));
    assert.deepEqual(new Set(back.keys()), new Set(tensors.keys()));
    for (const [name, original] of tensors) {
      const copy = back.get(name)!;
      assert.equal(copy.dtype, original.dtype, name);
      assert.deepEqual(copy.shape, original.shape, name);
      assert.deepEqual(bitsOf(copy), bitsOf(original), name);
      assert.equal(copy.requiresGrad, false);
    }
  });

  test("order: the reader lists tensors in data order, so writing what was read gives the same file", () => {
    manualSeed(0);
    const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
    const bytes = serialize(model.stateDict(), { metadata: { format: "pt", epoch: "3" } });
    const { tensors, metadata } = deserialize(bytes);
    assert.deepEqual([...tensors.keys()], ["0.bias", "0.weight", "2.bias", "2.weight"]);
    assert.deepEqual(Object.entries(metadata), [["epoch", "3"], ["format", "pt"]]);
    assert.deepEqual([...serialize(tensors, { metadata })], [...bytes]);
    for (const [name, t] of model.stateDict()) assert.deepEqual(bitsOf(tensors.get(name)!), bitsOf(t), name);
  });

  test("the saved tensors are copies: changing the model afterwards does not change them", () => {
    const weight = tensor([1, 2, 3]);
    const bytes = serialize({ weight });
    weight.fill_(0);
    assert.deepEqual(deserialize(bytes).tensors.get("weight")!.tolist(), [1, 2, 3]);
  });

  test("names and metadata keys that are special to JavaScript objects stay ordinary keys", () => {
    const names = ["__proto__", "constructor", "toString", "hasOwnProperty"];
    const tensors = new Map(names.map((name, i) => [name, tensor([i])]));
    const metadata = JSON.parse('{"__proto__": "p", "constructor": "c"}') as Record<string, string>;
    const read = deserialize(serialize(tensors, { metadata }));
    assert.deepEqual([...read.tensors.keys()].sort(), [...names].sort());
    assert.equal(read.metadata["__proto__"], "p");
    assert.equal(read.metadata["constructor"], "c");
    assert.equal(Object.getPrototypeOf(read.metadata), null);
    assert.equal(({} as Record<string, unknown>)["p"], undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, "p"), false);
  });
});

describe("files written by PyTorch", () => {
  const checkAgainstFixture = (file: string, expected: DtypesCase) => {
    const { tensors, metadata } = deserialize(fixtureBytes(file));
    assert.deepEqual({ ...metadata }, expected.metadata);
    assert.deepEqual([...tensors.keys()], expected.tensors.map((t) => t.name));
    for (const want of expected.tensors) {
      const t = tensors.get(want.name)!;
      assert.equal(t.dtype, want.dtype, want.name);
      assert.deepEqual(t.shape, want.shape, want.name);
      // Exact: every value is one the dtype read can hold.
      assert.deepEqual(Array.from(t.toTypedArray()), want.values, want.name);
    }
  };

  test("F64 F32 I32 BOOL, empty and 0-d tensors, non-contiguous, escaped and unusual names, in file order", () => {
    checkAgainstFixture("safetensors-dtypes.safetensors", fixture.dtypes);
  });

  test("F16 and BF16 become float32, I64 becomes int32", () => {
    checkAgainstFixture("safetensors-converted.safetensors", fixture.converted);
  });

  test("an MLP's state dict loads into Sequential(Linear, ReLU, Linear) and gives PyTorch's output", () => {
    const { mlp } = fixture;
    manualSeed(123);
    const model = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 3));
    const state = load(fileURLToPath(new URL("safetensors-mlp.safetensors", FIXTURES)));
    assert.deepEqual(new Set(state.keys()), new Set(mlp.keys));
    assert.deepEqual([...model.stateDict().keys()], mlp.keys);
    model.loadStateDict(state);
    const x = tensor(mlp.input);
    assertClose(model.forward(x), mlp.output_float32, { atol: 1e-6, rtol: 1e-6 });
    model.double();
    assertClose(model.forward(x.double()), mlp.output_float64, { atol: 1e-12, rtol: 0 });
  });

  test("a conv net with BatchNorm2d (num_batches_tracked is I64) loads and gives PyTorch's eval output", () => {
    const { convnet } = fixture;
    manualSeed(123);
    const model = new Sequential(new Conv2d(2, 4, 3, { padding: 1 }), new BatchNorm2d(4), new ReLU(), new Conv2d(4, 3, 3, { stride: 2 }));
    const state = load(fileURLToPath(new URL("safetensors-convnet.safetensors", FIXTURES)));
    assert.deepEqual([...model.stateDict().keys()], convnet.keys);
    assert.equal(state.get("1.num_batches_tracked")!.dtype, "int32");
    assert.equal(state.get("1.num_batches_tracked")!.item(), 3);
    model.loadStateDict(state);
    model.eval();
    const x = tensor(convnet.input as number[]).reshape(convnet.shape);
    assertClose(model.forward(x), convnet.output_float32, { atol: 1e-5, rtol: 1e-5 });
    model.double();
    assertClose(model.forward(x.double()), convnet.output_float64, { atol: 1e-12, rtol: 0 });
  });
});

describe("reading: conversions", () => {
  test("I64 becomes int32; a value that does not fit is an error naming the tensor and element", () => {
    const data = new Uint8Array(new BigInt64Array([5n, -7n, 2147483648n]).buffer);
    const fits = rawFile({ idx: { dtype: "I64", shape: [2], data_offsets: [0, 16] } }, data.subarray(0, 16));
    const idx = deserialize(fits).tensors.get("idx")!;
    assert.equal(idx.dtype, "int32");
    assert.deepEqual(idx.tolist(), [5, -7]);
    const tooBig = rawFile({ idx: { dtype: "I64", shape: [3], data_offsets: [0, 24] } }, data);
    assert.throws(() => deserialize(tooBig), /safetensors: tensor "idx" \(I64\): element 2 is 2147483648, outside the int32 range/);
  });

  test("F16 and BF16 become float32, including subnormals, infinities and NaN", () => {
    // F16 bits: 1.0 = 0x3c00, -2 = 0xc000, smallest subnormal 0x0001 = 2^-24, largest 0x7bff = 65504, +inf 0x7c00, NaN 0x7e00.
    const half = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x0001, 0x7bff, 0x7c00, 0x7e00, 0x8000]).buffer);
    const f16 = deserialize(rawFile({ h: { dtype: "F16", shape: [7], data_offsets: [0, 14] } }, half)).tensors.get("h")!;
    assert.equal(f16.dtype, "float32");
    assert.deepEqual(Array.from(f16.toTypedArray()), [1, -2, 2 ** -24, 65504, Infinity, NaN, -0]);
    // BF16 bits are a float32's top half: 1.0 = 0x3f80, -0.5 = 0xbf00, 3 = 0x4040.
    const brain = new Uint8Array(new Uint16Array([0x3f80, 0xbf00, 0x4040]).buffer);
    const bf16 = deserialize(rawFile({ b: { dtype: "BF16", shape: [3], data_offsets: [0, 6] } }, brain)).tensors.get("b")!;
    assert.deepEqual(bf16.tolist(), [1, -0.5, 3]);
  });

  test("headers need not be padded or ordered; the tensors come back in data order", () => {
    const data = new Uint8Array(new Float32Array([1, 2, 3]).buffer);
    const bytes = rawFile('{"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', data);
    const { tensors } = deserialize(bytes);
    assert.deepEqual([...tensors.keys()], ["a", "b"]);
    assert.deepEqual(tensors.get("b")!.tolist(), [2, 3]);
  });

  test("data that is not aligned in memory reads correctly (a Buffer slice at an odd offset)", () => {
    const bytes = serialize({ x: tensor([1.5, -2.5], { dtype: "float64" }) });
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    assert.deepEqual(deserialize(shifted.subarray(3)).tensors.get("x")!.tolist(), [1.5, -2.5]);
  });
});

describe("reading: every rule of the format is checked", () => {
  const f32 = (shape: number[], offsets: unknown) => ({ dtype: "F32", shape, data_offsets: offsets });
  const eight = new Array<number>(8).fill(0);

  test("file and header length", () => {
    assert.throws(() => deserialize(new Uint8Array(5)), /safetensors: the file is 5 bytes, shorter than the 8-byte header length/);
    assert.throws(() => deserialize(rawFile("{}", [], 100)), /the header length is 100 bytes, but only 2 bytes follow the length field/);
    assert.throws(() => deserialize(rawFile("{}", [], 2n ** 63n)), /the header length is 9223372036854776000 bytes, more than the 100000000-byte limit/);
    assert.throws(() => deserialize(rawFile("{}", [], MAX_HEADER_BYTES + 1)), /more than the 100000000-byte limit/);
    assert.throws(() => deserialize(rawFile("{}", [], 0)), /the header is not valid JSON/);
    assert.throws(() => deserialize("abc" as unknown as Uint8Array), /expected the file's bytes as a Uint8Array, got "abc"/);
  });

  test("header text: UTF-8, JSON, an object, no duplicate names", () => {
    const invalidUtf8 = rawFile("{}  ");
    invalidUtf8[9] = 0xff;
    assert.throws(() => deserialize(invalidUtf8), /the 4-byte header is not valid UTF-8/);
    assert.throws(() => deserialize(rawFile('{"a":')), /the header is not valid JSON/);
    assert.throws(() => deserialize(rawFile("[1, 2]")), /the header must be a JSON object, got a list of 2/);
    assert.throws(() => deserialize(rawFile("null")), /the header must be a JSON object, got null/);
    const twice = `{"a":${JSON.stringify(f32([1], [0, 4]))},"a":${JSON.stringify(f32([1], [0, 4]))}}`;
    assert.throws(() => deserialize(rawFile(twice, [0, 0, 0, 0])), /the header names "a" twice/);
    // A name inside a nested object, or a string value equal to a name, is not a duplicate.
    const nested = `{"__metadata__":{"a":"a"},"a":${JSON.stringify(f32([1], [0, 4]))}}`;
    assert.deepEqual([...deserialize(rawFile(nested, [0, 0, 0, 0])).tensors.keys()], ["a"]);
  });

  test("entries: an object with dtype, shape and data_offsets", () => {
    assert.throws(() => deserialize(rawFile({ w: 3 })), /tensor "w": expected an object with dtype, shape and data_offsets, got number 3/);
    assert.throws(() => deserialize(rawFile({ w: { dtype: "F32", shape: [0] } })), /tensor "w": the "data_offsets" field is missing/);
    assert.throws(() => deserialize(rawFile({ w: { ...f32([2], [0, 8]), dtype: "F33" } }, eight)), /tensor "w": unknown dtype "F33"/);
    assert.throws(() => deserialize(rawFile({ w: { ...f32([2], [0, 8]), dtype: 4 } }, eight)), /unknown dtype number 4/);
    assert.throws(() => deserialize(rawFile({ w: { ...f32([8], [0, 8]), dtype: "U8" } }, eight)),
      /tensor "w": dtype U8 is valid safetensors but gradschool does not read it \(it reads F64, F32, I32, BOOL, I64, F16, BF16\)/);
  });

  test("shapes: lists of non-negative safe integers", () => {
    assert.throws(() => deserialize(rawFile({ w: f32([-2], [0, 8]) }, eight)), /tensor "w": shape \[-2\] must hold non-negative integers, found number -2/);
    assert.throws(() => deserialize(rawFile({ w: f32([1.5], [0, 8]) }, eight)), /found number 1.5/);
    assert.throws(() => deserialize(rawFile({ w: f32([2 ** 60], [0, 8]) }, eight)), /found number 1152921504606847000/);
    assert.throws(() => deserialize(rawFile({ w: { ...f32([], [0, 8]), shape: "2" } }, eight)), /tensor "w": shape must be a list of sizes, got "2"/);
    assert.throws(() => deserialize(rawFile({ w: { ...f32([], [0, 8]), shape: [["2"]] } }, eight)), /found a list of 1/);
  });

  test("offsets: two integers, begin <= end, inside the data buffer", () => {
    assert.throws(() => deserialize(rawFile({ w: f32([2], [0]) }, eight)), /tensor "w": data_offsets must be two non-negative integers \[begin, end\], got \[0\]/);
    assert.throws(() => deserialize(rawFile({ w: f32([2], [-8, 0]) }, eight)), /got \[-8, 0\]/);
    assert.throws(() => deserialize(rawFile({ w: f32([2], ["0", 8]) }, eight)), /got \["0", 8\]/);
    assert.throws(() => deserialize(rawFile({ w: f32([2], [8, 0]) }, eight)), /tensor "w": data_offsets \[8, 0\] begin after they end/);
    assert.throws(() => deserialize(rawFile({ w: f32([4], [0, 16]) }, eight)), /tensor "w": data_offsets \[0, 16\] reach past the 8-byte data buffer/);
  });

  test("sizes: bytes = elements × item size, without overflow", () => {
    assert.throws(() => deserialize(rawFile({ w: f32([3], [0, 8]) }, eight)),
      /tensor "w": F32 \[3\] needs 12 bytes \(elements × 4\), but data_offsets \[0, 8\] hold 8/);
    assert.throws(() => deserialize(rawFile({ w: f32([2 ** 40, 2 ** 40, 2 ** 40], [0, 8]) }, eight)), /needs more than 2\^53 bytes/);
    // A zero anywhere in the shape makes an empty tensor, however large the other sizes.
    const empty = deserialize(rawFile({ w: f32([2 ** 40, 0], [0, 0]) })).tensors.get("w")!;
    assert.deepEqual(empty.shape, [2 ** 40, 0]);
  });

  test("coverage: no overlaps, no holes, nothing after the last tensor", () => {
    const a = f32([2], [0, 8]);
    assert.throws(() => deserialize(rawFile({ a, b: f32([1], [4, 8]) }, eight)), /tensor "b": data_offsets \[4, 8\] overlap tensor "a", which ends at byte 8/);
    assert.throws(() => deserialize(rawFile({ a: f32([1], [4, 8]) }, eight)), /tensor "a": data_offsets \[4, 8\] leave bytes 0..4 after the start of the data buffer unused/);
    assert.throws(() => deserialize(rawFile({ a: f32([1], [0, 4]) }, eight)), /the tensors cover 4 bytes of the 8-byte data buffer; the last 4 bytes belong to no tensor/);
    assert.throws(() => deserialize(rawFile({}, eight)), /the tensors cover 0 bytes of the 8-byte data buffer/);
  });

  test("metadata: an object of strings", () => {
    assert.throws(() => deserialize(rawFile({ __metadata__: { epoch: 3 } })), /metadata "epoch" must be a string, got number 3/);
    assert.throws(() => deserialize(rawFile({ __metadata__: ["a"] })), /"__metadata__" must be an object of strings, got a list of 1/);
    assert.throws(() => deserialize(rawFile({ __metadata__: null })), /got null/);
  });

  test("BOOL bytes are 0 or 1", () => {
    assert.throws(() => deserialize(rawFile({ m: { dtype: "BOOL", shape: [3], data_offsets: [0, 3] } }, [1, 0, 2])),
      /tensor "m" \(BOOL\): element 2 holds the byte 2; a BOOL element must be 0 or 1/);
  });

  test("errors name the file when it is known", () => {
    assert.throws(() => deserialize(new Uint8Array(3), { source: "model.safetensors" }), /^Error: safetensors: model\.safetensors: the file is 3 bytes/);
  });
});

describe("files", () => {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "gradschool-safetensors-"));

  test("save then load: same tensors and metadata; the file is serialize's bytes", () => {
    manualSeed(1);
    const file = path.join(directory, "weights.safetensors");
    const state = new Map([["w", randn([3, 4])], ["steps", tensor([7], { dtype: "int32" })]]);
    save(state, file, { metadata: { format: "pt" } });
    assert.deepEqual([...fs.readFileSync(file)], [...serialize(state, { metadata: { format: "pt" } })]);
    const { tensors, metadata } = loadWithMetadata(file);
    assert.deepEqual({ ...metadata }, { format: "pt" });
    assert.deepEqual(bitsOf(tensors.get("w")!), bitsOf(state.get("w")!));
    assert.deepEqual(load(file).get("steps")!.tolist(), [7]);
    save(new Map(), file); // an empty state dict is a valid file, and replaces the previous one
    assert.equal(load(file).size, 0);
    assert.deepEqual(fs.readdirSync(directory), ["weights.safetensors"]);
  });

  test("errors name the file", () => {
    const missing = path.join(directory, "missing.safetensors");
    assert.throws(() => load(missing), /safetensors: cannot read .*missing\.safetensors: ENOENT/);
    const broken = path.join(directory, "broken.safetensors");
    fs.writeFileSync(broken, new Uint8Array([200, 0, 0, 0, 0, 0, 0, 0, 123, 125]));
    assert.throws(() => load(broken), /safetensors: .*broken\.safetensors: the header length is 200 bytes, but only 2 bytes follow/);
    fs.rmSync(broken);
  });

  test("a failed save leaves the previous file whole and no temporary file behind", () => {
    const file = path.join(directory, "keep.safetensors");
    save({ w: tensor([1, 2, 3]) }, file);
    const before = fs.readFileSync(file);
    // A bad tensor fails before any file is opened.
    assert.throws(() => save({ w: "oops" as unknown as Tensor }, file), /"w" is not a Tensor/);
    // The target is a directory: the temporary file is written, then the rename fails.
    const asDirectory = path.join(directory, "a-directory");
    fs.mkdirSync(path.join(asDirectory, "inside"), { recursive: true });
    assert.throws(() => save({ w: tensor([4]) }, asDirectory), /safetensors: cannot save .*a-directory: /);
    // The directory does not exist (its "parent" is a file).
    assert.throws(() => save({ w: tensor([4]) }, path.join(file, "x.safetensors")), /safetensors: cannot save .*ENOTDIR/);
    assert.deepEqual(fs.readFileSync(file), before);
    assert.deepEqual(fs.readdirSync(directory).sort(), ["a-directory", "keep.safetensors", "weights.safetensors"]);
  });

  after(() => fs.rmSync(directory, { recursive: true, force: true }));
});

describe("tensors of any origin", () => {
  test("a parameter that requires grad is saved as plain values", () => {
    const w = randn([2, 2], { requiresGrad: true });
    const loss = w.square().sum();
    loss.backward();
    const back = deserialize(serialize({ w })).tensors.get("w")!;
    assert.deepEqual(back.tolist(), w.tolist());
    assert.equal(back.grad, null);
  });

  test("int32 and bool tensors made by ops", () => {
    const x = arange(6).reshape([2, 3]);
    const big = x.gt(2);
    const back = deserialize(serialize({ x: x.int(), big })).tensors;
    assert.equal(back.get("big")!.dtype, "bool");
    assert.deepEqual(back.get("big")!.tolist(), [[false, false, false], [true, true, true]]);
    assert.deepEqual(back.get("x")!.tolist(), [[0, 1, 2], [3, 4, 5]]);
  });
});

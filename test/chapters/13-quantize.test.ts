// The int8 quantization of chapter 13: per-row scales, bounded rounding error, and int8/int32
// forward passes that agree with the float32 layer they came from.
import assert from "node:assert/strict";
import { test } from "node:test";
import { manualSeed, nn, noGrad, randn } from "../../src/index.ts";
import { QuantizedLinear, QuantizedMLP, dequantize, float32Bytes, float32MLPForward, quantizePerRow, quantizeRow } from "../../chapters/13-the-future/quantize.ts";

test("each row gets scale max|w| / 127, the largest weight maps to ±127, the error is at most scale / 2", () => {
  const w = Float32Array.from([0.5, -1, 0.25, 0, 0.01, 0.02, -0.03, 0.04]);
  const q = quantizePerRow(w, 2, 4);
  assert.ok(Math.abs(q.scales[0]! - 1 / 127) < 1e-9);
  assert.ok(Math.abs(q.scales[1]! - 0.04 / 127) < 1e-9);
  assert.deepEqual(Array.from(q.values.slice(0, 4)), [64, -127, 32, 0]); // round(0.5·127) = 64 (63.5 rounds up)
  assert.equal(q.values[7], 127);
  const back = dequantize(q);
  w.forEach((v, i) => assert.ok(Math.abs(v - back[i]!) <= q.scales[Math.floor(i / 4)]! / 2 + 1e-9));
});

test("an all-zero row quantizes to zeros without dividing by zero", () => {
  const q = quantizePerRow(new Float32Array(3), 1, 3);
  assert.deepEqual(Array.from(q.values), [0, 0, 0]);
  assert.ok(Number.isFinite(q.scales[0]!));
});

test("quantizeRow: values in [−127, 127] and x ≈ scale · p", () => {
  const x = Float32Array.from([3, -6, 0.1, 2]);
  const p = new Int8Array(4);
  const scale = quantizeRow(x, 0, 4, p);
  assert.equal(p[1], -127);
  x.forEach((v, i) => assert.ok(Math.abs(v - scale * p[i]!) <= scale / 2 + 1e-9));
});

test("a quantized Linear agrees with the float32 layer, in both modes", () => {
  manualSeed(1);
  const layer = new nn.Linear(16, 8);
  const x = randn([5, 16]);
  const expected = noGrad(() => layer.forward(x)).toTypedArray();
  const quantized = new QuantizedLinear(layer);
  const input = x.toTypedArray() as Float32Array;
  for (const mode of ["weights", "dynamic"] as const) {
    const y = quantized.forward(input, 5, mode);
    const worst = Math.max(...Array.from(y, (v, i) => Math.abs(v - expected[i]!)));
    assert.ok(worst < 0.03, `${mode}: worst difference ${worst}`);
    assert.ok(worst > 0, `${mode}: int8 should not be exact`);
  }
  assert.equal(quantized.bytes, 16 * 8 + 4 * 8 + 4 * 8);
});

test("a quantized MLP agrees with the float32 loops and the engine, and counts its bytes", () => {
  manualSeed(2);
  const linears = [new nn.Linear(12, 20), new nn.Linear(20, 3)];
  const x = randn([7, 12]);
  const engine = noGrad(() => linears[1]!.forward(linears[0]!.forward(x).relu())).toTypedArray();
  const loops = float32MLPForward(linears, x.toTypedArray() as Float32Array, 7);
  loops.forEach((v, i) => assert.ok(Math.abs(v - engine[i]!) < 1e-5));
  const quantized = new QuantizedMLP(linears).forward(x.toTypedArray() as Float32Array, 7, "dynamic");
  quantized.forEach((v, i) => assert.ok(Math.abs(v - engine[i]!) < 0.05));
  assert.equal(float32Bytes(linears), 4 * (12 * 20 + 20 + 20 * 3 + 3));
  assert.equal(new QuantizedMLP(linears).bytes, 12 * 20 + 20 * 3 + 2 * 4 * (20 + 3)); // int8 weights, float32 scales and biases
  assert.throws(() => new QuantizedLinear(linears[0]!).forward(new Float32Array(5), 1, "weights"), /inputs/);
});

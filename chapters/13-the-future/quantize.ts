// int8 quantization of a trained network, written out with typed arrays so
// every step is visible: what a phone or a microcontroller runs instead of
// float32.
//
// Weights. Each output channel (each row o of a Linear weight W [out, in]) gets
// its own scale, so one large row does not crush the precision of the others:
//
//   scale_o = max_i |W[o, i]| / 127          q[o, i] = round(W[o, i] / scale_o) ∈ [−127, 127]
//
// q is stored as int8 (1 byte instead of 4) and W ≈ scale_o · q. This is
// symmetric quantization: zero maps to zero, no zero-point to store.
//
// Two ways to run the layer:
//   "weights": dequantize on the fly, y_o = scale_o · Σ_i q[o, i] · x_i + b_o (x stays float32);
//   "dynamic": also quantize each input row x when it arrives (dynamic activation quantization),
//              s_x = max_i |x_i| / 127, x_i ≈ s_x · p_i with p int8, then accumulate the integers
//              in int32 and rescale once: y_o = s_x · scale_o · Σ_i p_i · q[o, i] + b_o.
// The int32 sum of 64 products of |p|, |q| ≤ 127 is at most 64 · 127² ≈ 10⁶: no overflow.
//
// In PyTorch: torch.ao.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8).

import type { Linear } from "../../src/nn/layers/linear.ts";

/** The largest int8 magnitude used: [−127, 127], symmetric (−128 is left out). */
export const INT8_MAX = 127;

/** A weight matrix [rows, columns] as int8 values with one float32 scale per row. */
export interface QuantizedMatrix {
  rows: number;
  columns: number;
  values: Int8Array;
  scales: Float32Array;
}

/**
 * Symmetric per-row (per-output-channel) int8 quantization of a row-major
 * matrix. `maxLevel` is the largest integer used: 127 for int8 (7 would be int4).
 */
export function quantizePerRow(weights: Float32Array, rows: number, columns: number, maxLevel = INT8_MAX): QuantizedMatrix {
  if (weights.length !== rows * columns) throw new Error(`quantizePerRow: ${weights.length} values for ${rows}×${columns}`);
  const values = new Int8Array(rows * columns);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let largest = 0;
    for (let c = 0; c < columns; c++) largest = Math.max(largest, Math.abs(weights[r * columns + c]!));
    const scale = largest === 0 ? 1 : largest / maxLevel; // an all-zero row: any scale gives q = 0
    scales[r] = scale;
    for (let c = 0; c < columns; c++) values[r * columns + c] = clamp(Math.round(weights[r * columns + c]! / scale), maxLevel);
  }
  return { rows, columns, values, scales };
}

/** Back to float32: W ≈ scale_r · q (what "dequantize" means). */
export function dequantize(matrix: QuantizedMatrix): Float32Array {
  const out = new Float32Array(matrix.rows * matrix.columns);
  for (let r = 0; r < matrix.rows; r++) {
    for (let c = 0; c < matrix.columns; c++) out[r * matrix.columns + c] = matrix.scales[r]! * matrix.values[r * matrix.columns + c]!;
  }
  return out;
}

/** One row of activations as int8 with a single scale: s = max|x| / 127 (dynamic: computed for every input). */
export function quantizeRow(x: Float32Array, start: number, length: number, into: Int8Array, maxLevel = INT8_MAX): number {
  let largest = 0;
  for (let i = 0; i < length; i++) largest = Math.max(largest, Math.abs(x[start + i]!));
  const scale = largest === 0 ? 1 : largest / maxLevel;
  for (let i = 0; i < length; i++) into[i] = clamp(Math.round(x[start + i]! / scale), maxLevel);
  return scale;
}

function clamp(v: number, maxLevel: number): number {
  return Math.max(-maxLevel, Math.min(maxLevel, v));
}

export type QuantizedMode = "weights" | "dynamic";

/** A Linear layer stored in int8, run with typed arrays. */
export class QuantizedLinear {
  readonly weight: QuantizedMatrix;
  readonly bias: Float32Array;

  constructor(layer: Linear, readonly maxLevel = INT8_MAX) {
    this.weight = quantizePerRow(layer.weight.contiguous().toTypedArray() as Float32Array, layer.outFeatures, layer.inFeatures, maxLevel);
    this.bias = layer.bias === null ? new Float32Array(layer.outFeatures) : Float32Array.from(layer.bias.toTypedArray());
  }

  get inFeatures(): number { return this.weight.columns; }
  get outFeatures(): number { return this.weight.rows; }

  /** Bytes to store the layer: int8 weights, a float32 scale per row, the float32 bias. */
  get bytes(): number {
    return this.weight.values.length + 4 * this.weight.scales.length + 4 * this.bias.length;
  }

  /** x [n, in] (row-major) → y [n, out]. */
  forward(x: Float32Array, n: number, mode: QuantizedMode): Float32Array {
    const { rows: out, columns: inputs, values: q, scales } = this.weight;
    if (x.length !== n * inputs) throw new Error(`QuantizedLinear: ${x.length} inputs for ${n} rows of ${inputs}`);
    const y = new Float32Array(n * out);
    const p = new Int8Array(inputs);
    for (let row = 0; row < n; row++) {
      const xStart = row * inputs;
      if (mode === "weights") {
        for (let o = 0; o < out; o++) {
          let sum = 0; // float accumulation of q · x, one multiply by the scale at the end
          for (let i = 0; i < inputs; i++) sum += q[o * inputs + i]! * x[xStart + i]!;
          y[row * out + o] = scales[o]! * sum + this.bias[o]!;
        }
      } else {
        const inputScale = quantizeRow(x, xStart, inputs, p, this.maxLevel);
        for (let o = 0; o < out; o++) {
          let acc = 0; // an int32 accumulator: integer products, integer sums
          for (let i = 0; i < inputs; i++) acc = (acc + p[i]! * q[o * inputs + i]!) | 0;
          y[row * out + o] = inputScale * scales[o]! * acc + this.bias[o]!;
        }
      }
    }
    return y;
  }
}

/** A stack of Linear layers with ReLU between them (an MLP without norm layers), in int8. */
export class QuantizedMLP {
  readonly layers: QuantizedLinear[];

  /** maxLevel 127: int8 (the default); 7 would be int4, still stored here one value per byte. */
  constructor(linears: readonly Linear[], maxLevel = INT8_MAX) {
    if (linears.length === 0) throw new Error("QuantizedMLP: needs at least one Linear layer");
    this.layers = linears.map((layer) => new QuantizedLinear(layer, maxLevel));
  }

  get bytes(): number {
    return this.layers.reduce((total, layer) => total + layer.bytes, 0);
  }

  /** x [n, in] → logits [n, out]; ReLU after every layer but the last. */
  forward(x: Float32Array, n: number, mode: QuantizedMode): Float32Array {
    let h = x;
    this.layers.forEach((layer, index) => {
      h = layer.forward(h, n, mode);
      if (index < this.layers.length - 1) for (let i = 0; i < h.length; i++) h[i] = Math.max(0, h[i]!);
    });
    return h;
  }
}

/** The same network in plain float32 loops: the fair speed baseline for the int8 loops above. */
export function float32MLPForward(linears: readonly Linear[], x: Float32Array, n: number): Float32Array {
  let h = x;
  linears.forEach((layer, index) => {
    const w = layer.weight.contiguous().toTypedArray() as Float32Array;
    const b = layer.bias?.toTypedArray() ?? new Float32Array(layer.outFeatures);
    const inputs = layer.inFeatures, out = layer.outFeatures;
    const y = new Float32Array(n * out);
    for (let row = 0; row < n; row++) {
      for (let o = 0; o < out; o++) {
        let sum = 0;
        for (let i = 0; i < inputs; i++) sum += w[o * inputs + i]! * h[row * inputs + i]!;
        y[row * out + o] = sum + b[o]!;
      }
    }
    if (index < linears.length - 1) for (let i = 0; i < y.length; i++) y[i] = Math.max(0, y[i]!);
    h = y;
  });
  return h;
}

/** Bytes of the float32 parameters of these layers. */
export function float32Bytes(linears: readonly Linear[]): number {
  return linears.reduce((total, layer) => total + 4 * (layer.weight.numel() + (layer.bias?.numel() ?? 0)), 0);
}

/** The index of the largest value of each row of a row-major [n, columns] array. */
export function argmaxRows(values: Float32Array, n: number, columns: number): Int32Array {
  const out = new Int32Array(n);
  for (let row = 0; row < n; row++) {
    let best = 0;
    for (let c = 1; c < columns; c++) if (values[row * columns + c]! > values[row * columns + best]!) best = c;
    out[row] = best;
  }
  return out;
}

// Data types a tensor can hold, and the typed arrays that store them.
//
// float32 is the default, as in PyTorch. Arithmetic is done in JavaScript
// doubles and rounded when written back into a Float32Array, so results are
// float32 values, like PyTorch's CPU kernels up to the last bit or so.

export type DType = "float32" | "float64" | "int32" | "bool";

export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "bool"];

/** A fresh zero-filled array of `length` elements for `dtype`. */
export function allocate(dtype: DType, length: number): TypedArray {
  switch (dtype) {
    case "float32": return new Float32Array(length);
    case "float64": return new Float64Array(length);
    case "int32": return new Int32Array(length);
    case "bool": return new Uint8Array(length);
  }
}

export function isFloating(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64";
}

export function isDType(value: unknown): value is DType {
  return typeof value === "string" && (DTYPES as readonly string[]).includes(value);
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** The dtype of `a op b` for two tensors: the wider of the two (bool < int32 < float32 < float64). */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * The dtype of `tensor op scalar`. As in PyTorch, a plain number does not widen a
 * tensor's dtype within its category, but a fractional number turns an integer
 * or bool tensor into float32 (the default float type).
 */
export function promoteWithScalar(dtype: DType, scalar: number): DType {
  if (isFloating(dtype)) return dtype;
  if (!Number.isInteger(scalar)) return "float32";
  return dtype === "bool" ? "int32" : dtype;
}

/** Result dtype of an op that always produces floats (exp, div, mean ...): ints and bools become float32. */
export function toFloating(dtype: DType): DType {
  return isFloating(dtype) ? dtype : "float32";
}

/** Converts a JavaScript number to what `dtype` can store (what the typed array would do, made explicit). */
export function castValue(value: number, dtype: DType): number {
  switch (dtype) {
    case "float32": return Math.fround(value);
    case "float64": return value;
    case "int32": return Number.isFinite(value) ? Math.trunc(value) | 0 : 0;
    case "bool": return value !== 0 ? 1 : 0; // NaN is nonzero, so true, as in PyTorch
  }
}

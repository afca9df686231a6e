// Assertions on tensors: shapes, and values within a tolerance.
import assert from "node:assert/strict";
import type { NestedArray, Tensor } from "../../src/index.ts";

function flatten(values: NestedArray): (number | boolean)[] {
  return Array.isArray(values) ? values.flatMap(flatten) : [values];
}

/** Asserts that `actual` has `expected`'s shape and values within atol + rtol·|expected| (NaN matches NaN, ±Infinity must match exactly). */
export function assertClose(actual: Tensor, expected: NestedArray, options: { atol?: number; rtol?: number; message?: string } = {}): void {
  const { atol = 1e-6, rtol = 1e-5, message = "" } = options;
  const got = flatten(actual.tolist());
  const want = flatten(expected);
  assert.equal(got.length, want.length, `${message} element count: got ${got.length}, want ${want.length}`);
  got.forEach((value, i) => {
    const a = Number(value);
    const b = Number(want[i]);
    if (Number.isNaN(b)) return assert.ok(Number.isNaN(a), `${message} element ${i}: got ${a}, want NaN`);
    if (!Number.isFinite(b)) return assert.equal(a, b, `${message} element ${i}`);
    assert.ok(Math.abs(a - b) <= atol + rtol * Math.abs(b), `${message} element ${i}: got ${a}, want ${b} (atol ${atol}, rtol ${rtol})`);
  });
}

/** Asserts shape and values exactly. */
export function assertTensor(actual: Tensor, expected: NestedArray, shape?: readonly number[]): void {
  if (shape) assert.deepEqual([...actual.shape], [...shape]);
  assert.deepEqual(actual.tolist(), expected);
}

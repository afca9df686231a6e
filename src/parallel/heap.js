// @ts-check
// The shared heap: one growable SharedArrayBuffer that the calling thread and
// every worker see. Kernels pack their operands into it and write results
// into it; it is handed to each worker once, when the worker starts, so a call
// never sends data in a message. It only grows (in place: views made over it
// track its length), up to MAX_HEAP_BYTES.

export const MAX_HEAP_BYTES = 2 ** 31;

/**
 * @typedef {object} HeapViews
 * @property {SharedArrayBuffer | ArrayBuffer} buffer
 * @property {Float64Array} f64
 * @property {Float32Array} f32
 * @property {Int32Array} i32
 */

/**
 * Typed views over a heap buffer. They track the buffer's length as it grows.
 * @param {SharedArrayBuffer | ArrayBuffer} buffer
 * @returns {HeapViews}
 */
export function viewsOf(buffer) {
  return { buffer, f64: new Float64Array(buffer), f32: new Float32Array(buffer), i32: new Int32Array(buffer) };
}

/**
 * A new growable heap of `bytes` bytes (shared, so workers can use it).
 * @param {number} bytes
 * @returns {SharedArrayBuffer}
 */
export function createHeap(bytes) {
  return new SharedArrayBuffer(roundUp(bytes), { maxByteLength: MAX_HEAP_BYTES });
}

/**
 * Grows `heap` in place so that it holds at least `bytes` bytes.
 * @param {SharedArrayBuffer} heap
 * @param {number} bytes
 */
export function ensureHeapBytes(heap, bytes) {
  if (heap.byteLength >= bytes) return;
  if (bytes > MAX_HEAP_BYTES) {
    throw new Error(`parallel heap: ${bytes} bytes requested, more than the ${MAX_HEAP_BYTES}-byte limit`);
  }
  // Grow geometrically so that a sequence of slightly larger requests does not grow every time.
  heap.grow(Math.min(MAX_HEAP_BYTES, Math.max(roundUp(bytes), heap.byteLength * 2)));
}

/** @param {number} bytes */
function roundUp(bytes) {
  const page = 1 << 16;
  return Math.max(page, Math.ceil(bytes / page) * page);
}

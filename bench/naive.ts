// The naive baseline every benchmark is compared with.

/** The textbook triple loop, i-j-k over Float32Arrays: out = a·b for n×n matrices. */
export function naiveMatmul(a: Float32Array, b: Float32Array, out: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < n; p++) sum += a[i * n + p]! * b[p * n + j]!;
      out[i * n + j] = sum;
    }
  }
}

// Results are bitwise identical whatever the thread count, and the public ops
// (a.matmul(b), conv2d) really run on the parallel backend.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { backend } from "../../src/core/backend.ts";
import type { MatmulProblem } from "../../src/core/matmul-kernel.ts";
import { Generator } from "../../src/core/random.ts";
import { getNumThreads, randn, setNumThreads, manualSeed } from "../../src/index.ts";
import { matmulParallel } from "../../src/parallel/matmul.ts";
import { WorkerPool } from "../../src/parallel/pool.ts";
import { SerialRunner } from "../../src/parallel/runner.ts";

const pools = [new SerialRunner(), new WorkerPool(2), new WorkerPool(3)];
after(() => pools.forEach((p) => (p instanceof WorkerPool ? p.close() : undefined)));

function product(m: number, k: number, n: number, batch: number, g: Generator, transposedB: boolean): MatmulProblem {
  const a = Float32Array.from({ length: batch * m * k }, () => g.normal());
  const b = Float32Array.from({ length: batch * k * n }, () => g.normal());
  return {
    batchShape: batch === 1 ? [] : [batch], m, k, n,
    a: { data: a, offset: 0, batchStrides: batch === 1 ? [] : [m * k], rowStride: k, colStride: 1 },
    // A transposed B is stored as [n, k] and read through swapped strides.
    b: transposedB
      ? { data: b, offset: 0, batchStrides: batch === 1 ? [] : [k * n], rowStride: 1, colStride: k }
      : { data: b, offset: 0, batchStrides: batch === 1 ? [] : [k * n], rowStride: n, colStride: 1 },
    out: new Float32Array(batch * m * n),
  };
}

test("matmul gives the same bits on 1, 2 and 3 threads", () => {
  const g = new Generator(3);
  for (const [m, k, n, batch, transposed] of [[128, 784, 256, 1, false], [784, 128, 256, 1, true], [97, 61, 203, 3, false], [256, 256, 256, 1, true]] as const) {
    const p = product(m, k, n, batch, g, transposed);
    const outputs = pools.map((runner) => {
      const out = new Float32Array(p.out.length);
      matmulParallel({ ...p, out }, runner);
      return out;
    });
    assert.deepEqual(outputs[1], outputs[0], `[${m}×${k}]·[${k}×${n}] batch ${batch}: 2 threads vs 1`);
    assert.deepEqual(outputs[2], outputs[0], `[${m}×${k}]·[${k}×${n}] batch ${batch}: 3 threads vs 1`);
  }
});

test("importing gradschool installs the parallel backend, and setNumThreads changes the count", () => {
  assert.equal(backend.name, "parallel");
  const before = getNumThreads();
  manualSeed(1);
  const a = randn([64, 300]);
  const b = randn([300, 70]);
  setNumThreads(1);
  const one = a.matmul(b).toTypedArray();
  setNumThreads(2);
  assert.equal(getNumThreads(), 2);
  const two = a.matmul(b).toTypedArray();
  assert.deepEqual(two, one);
  setNumThreads(before);
});

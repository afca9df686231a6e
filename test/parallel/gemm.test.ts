// The packed matrix product (src/parallel/gemm.js, driven by src/parallel/matmul.ts)
// against the reference kernel (src/core/matmul-kernel.ts).
//
// Tolerance: none, for every dtype. The packed kernel adds the products of
// each output element in the same order as the reference (p = 0 … k-1, from
// 0, in float64, partial sums kept in float64 between k blocks) and rounds
// once into the output's dtype, so the two perform the same floating-point
// operations and must agree bit for bit: float64 exactly (tighter than the
// 1e-12 relative the issue asks for), float32 exactly (the same double is
// rounded once to float32 by both), int32 exactly (the same double is
// truncated the same way). Any change of summation order shows up here.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { allocate, type DType, type TypedArray } from "../../src/core/dtype.ts";
import { matmulReference, type MatmulProblem, type StridedMatrices } from "../../src/core/matmul-kernel.ts";
import { Generator } from "../../src/core/random.ts";
import { KC, MC_PANELS, MR, NR, panelCount } from "../../src/parallel/gemm.js";
import { PACKED_MATMUL_MIN_FLOPS, PACKED_MATMUL_MIN_SIDE, matmulPacked, matmulParallel, taskGrid } from "../../src/parallel/matmul.ts";
import { SerialRunner, type TaskRunner } from "../../src/parallel/runner.ts";
import { TASKS, type TaskName } from "../../src/parallel/tasks.js";

interface Layout {
  /** Store each matrix column by column (a transposed view: strides swapped). */
  transposed?: boolean;
  /** Batch dims along which this operand is broadcast (stride 0). */
  broadcast?: readonly boolean[];
  /** Elements of junk before the first matrix. */
  offset?: number;
}

function randomValue(g: Generator, dtype: DType): number {
  if (dtype === "int32") return g.randint(-20, 21);
  if (dtype === "bool") return g.randint(0, 2);
  return g.normal();
}

/** Random rows×cols matrices for a batch, stored as `layout` says; every other element of the storage is junk that must not be read. */
function randomMatrices(g: Generator, dtype: DType, batchShape: readonly number[], rows: number, cols: number, layout: Layout = {}): StridedMatrices {
  const { transposed = false, broadcast = [], offset = 0 } = layout;
  const batchStrides = new Array<number>(batchShape.length).fill(0);
  let size = rows * cols;
  for (let d = batchShape.length - 1; d >= 0; d--) {
    if (broadcast[d]) continue;
    batchStrides[d] = size;
    size *= batchShape[d]!;
  }
  const data = allocate(dtype, offset + size + 5);
  for (let i = 0; i < data.length; i++) data[i] = randomValue(g, dtype);
  return { data, offset, batchStrides, rowStride: transposed ? 1 : cols, colStride: transposed ? rows : 1 };
}

interface Case {
  dtype?: DType;
  batchShape?: readonly number[];
  m: number;
  k: number;
  n: number;
  a?: Layout;
  b?: Layout;
}

/** A product as described, with an output filled with NaN (so that an element left unwritten shows). */
function problemOf(g: Generator, c: Case): MatmulProblem {
  const { dtype = "float64", batchShape = [], m, k, n } = c;
  const out = allocate(dtype, batchShape.reduce((size, dim) => size * dim, 1) * m * n);
  out.fill(dtype === "int32" ? -123456 : NaN);
  return {
    batchShape, m, k, n, out,
    a: randomMatrices(g, dtype, batchShape, m, k, c.a),
    b: randomMatrices(g, dtype, batchShape, k, n, c.b),
  };
}

/** The same product, writing into a fresh copy of its (NaN-filled) output. */
function withFreshOut(problem: MatmulProblem): MatmulProblem {
  return { ...problem, out: problem.out.slice() };
}

function describeCase(c: Case): string {
  const batch = c.batchShape?.length ? `[${c.batchShape.join(",")}]·` : "";
  return `${batch}${c.m}×${c.k}·${c.k}×${c.n} ${c.dtype ?? "float64"}${c.a?.transposed ? " Aᵀ" : ""}${c.b?.transposed ? " Bᵀ" : ""}`;
}

/** Fails at the first element whose bits differ, naming it. */
function assertSameBits(actual: TypedArray, expected: TypedArray, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: lengths`);
  assert.equal(actual.constructor, expected.constructor, `${what}: array types`);
  const size = actual.BYTES_PER_ELEMENT;
  const got = new Uint8Array(actual.buffer, actual.byteOffset, actual.byteLength);
  const want = new Uint8Array(expected.buffer, expected.byteOffset, expected.byteLength);
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== want[i]) {
      const element = Math.floor(i / size);
      assert.fail(`${what}: element ${element} is ${actual[element]}, expected ${expected[element]}`);
    }
  }
}

/** Runs the packed kernel and the reference on the same product and compares their outputs bit for bit. */
function checkAgainstReference(g: Generator, c: Case, runner: TaskRunner = new SerialRunner()): TypedArray {
  const problem = problemOf(g, c);
  const expected = withFreshOut(problem);
  matmulReference(expected);
  matmulPacked(problem, runner);
  assertSameBits(problem.out, expected.out, describeCase(c));
  return problem.out;
}

/** A runner on one thread that runs a call's tasks in the order `order(taskCount)` gives, and remembers the task counts. */
class OrderedRunner implements TaskRunner {
  readonly taskCounts: number[] = [];
  private readonly serial = new SerialRunner();

  constructor(readonly threads: number, private readonly order: (taskCount: number) => number[]) {}

  reserve(bytes: number) {
    return this.serial.reserve(bytes);
  }

  run(name: TaskName, params: ArrayLike<number>, taskCount: number): void {
    const tasks = this.order(taskCount);
    assert.deepEqual([...tasks].sort((x, y) => x - y), range(taskCount), "the order runs every task once");
    const heap = this.serial.reserve(0);
    const p = Float64Array.from(params);
    for (const t of tasks) TASKS[name](heap, p, t);
    this.taskCounts.push(taskCount);
  }
}

const range = (count: number) => Array.from({ length: count }, (_, i) => i);

function shuffled(values: number[], g: Generator): number[] {
  const result = [...values];
  for (let i = result.length - 1; i > 0; i--) {
    const j = g.randint(0, i + 1);
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}

describe("packed matmul agrees with the reference bit for bit", () => {
  const dtypes: DType[] = ["float64", "float32", "int32"];

  test("tiny and prime shapes", () => {
    const g = new Generator(1);
    for (const dtype of dtypes) {
      for (const [m, k, n] of [[1, 1, 1], [37, 53, 29], [2, 3, 5], [13, 1, 11], [1, 97, 1], [31, 7, 1]] as const) {
        checkAgainstReference(g, { dtype, m, k, n });
      }
    }
  });

  test("sizes just below, at and above the panel and block sizes", () => {
    const g = new Generator(2);
    const rowsAround = [MR - 1, MR, MR + 1, MC_PANELS * MR - 1, MC_PANELS * MR, MC_PANELS * MR + 1];
    const colsAround = [NR - 1, NR, NR + 1, 2 * NR + 3];
    const depthsAround = [KC - 1, KC, KC + 1, 2 * KC + 3];
    for (const dtype of dtypes) {
      for (const m of rowsAround) checkAgainstReference(g, { dtype, m, k: 19, n: 2 * NR + 1 });
      for (const n of colsAround) checkAgainstReference(g, { dtype, m: MR + 2, k: 23, n });
      for (const k of depthsAround) checkAgainstReference(g, { dtype, m: MR + 1, k, n: NR + 3 });
    }
  });

  test("an empty inner dimension gives zeros, and empty outputs are fine", () => {
    const g = new Generator(3);
    const zeros = checkAgainstReference(g, { m: 5, k: 0, n: 9 });
    assert.ok(zeros.every((x) => Object.is(x, 0)));
    checkAgainstReference(g, { m: 0, k: 4, n: 3 });
    checkAgainstReference(g, { m: 3, k: 4, n: 0 });
  });

  test("transposed operands and offsets, read through strides", () => {
    const g = new Generator(4);
    for (const dtype of dtypes) {
      for (const [ta, tb] of [[true, false], [false, true], [true, true]] as const) {
        checkAgainstReference(g, { dtype, m: 21, k: 300, n: 19, a: { transposed: ta, offset: 7 }, b: { transposed: tb, offset: 3 } });
      }
    }
  });

  test("batches, with batch dims broadcast on either side", () => {
    const g = new Generator(5);
    for (const dtype of dtypes) {
      checkAgainstReference(g, { dtype, batchShape: [3], m: 9, k: 14, n: 10 });
      checkAgainstReference(g, { dtype, batchShape: [2, 3], m: 5, k: 8, n: 11, a: { broadcast: [true, false] }, b: { broadcast: [false, true], transposed: true } });
      // Like a convolution: the same weights for every image, each image's own columns.
      checkAgainstReference(g, { dtype, batchShape: [4], m: 6, k: 25, n: 33, a: { broadcast: [true], offset: 2 }, b: { offset: 1 } });
      checkAgainstReference(g, { dtype, batchShape: [2, 1, 2], m: 1, k: 3, n: 1, b: { broadcast: [true, false, true] } });
    }
  });

  test("random shapes, layouts and dtypes", () => {
    const g = new Generator(6);
    for (let run = 0; run < 40; run++) {
      const dtype = dtypes[g.randint(0, dtypes.length)]!;
      const batchShape = range(g.randint(0, 3)).map(() => g.randint(1, 4));
      const layout = (): Layout => ({
        transposed: g.random() < 0.5,
        broadcast: batchShape.map(() => g.random() < 0.3),
        offset: g.randint(0, 4),
      });
      const c: Case = { dtype, batchShape, m: g.randint(1, 70), k: g.randint(1, 300), n: g.randint(1, 40), a: layout(), b: layout() };
      checkAgainstReference(g, c, new SerialRunner());
    }
  });

  test("bool (Uint8Array) storage also works", () => {
    checkAgainstReference(new Generator(7), { dtype: "bool", m: 6, k: 12, n: 9 });
  });

  test("NaN and infinities propagate as in the reference (zero padding never meets them in a real output)", () => {
    const g = new Generator(8);
    const problem = problemOf(g, { m: 6, k: 10, n: 10 });
    problem.a.data[3] = Infinity;
    problem.a.data[25] = NaN;
    problem.b.data[17] = -Infinity;
    const expected = withFreshOut(problem);
    matmulReference(expected);
    matmulPacked(problem, new SerialRunner());
    assertSameBits(problem.out, expected.out, "non-finite inputs");
    assert.ok(problem.out.some(Number.isNaN) && problem.out.some((x) => x === Infinity || x === -Infinity));
  });

  test("sums run in the reference's order, across k blocks (cancellation exposes any other order)", () => {
    // Row 0 of A is [2⁵³, 1, 1, …, -2⁵³, 1, 1, 1, 1] with -2⁵³ in the second k block; B is all ones.
    // In order: 2⁵³ + 1 rounds back to 2⁵³ at every step, -2⁵³ then gives 0, and the last four ones
    // make 4. Summing each k block apart and adding the block sums would give 9.
    const k = KC + 10;
    const a = new Float64Array(MR * k);
    a.fill(1);
    a[0] = 2 ** 53;
    a[KC + 5] = -(2 ** 53);
    const b = new Float64Array(k * NR).fill(1);
    const problem: MatmulProblem = {
      batchShape: [], m: MR, k, n: NR, out: new Float64Array(MR * NR),
      a: { data: a, offset: 0, batchStrides: [], rowStride: k, colStride: 1 },
      b: { data: b, offset: 0, batchStrides: [], rowStride: NR, colStride: 1 },
    };
    const expected = withFreshOut(problem);
    matmulReference(expected);
    matmulPacked(problem, new SerialRunner());
    assert.equal(expected.out[0], 4, "the reference sums in order: the ones after -2⁵³ survive");
    assertSameBits(problem.out, expected.out, "order-sensitive sums");
  });

  test("a runner reused for products of other sizes gives the right results (no stale data in the heap)", () => {
    const g = new Generator(9);
    const runner = new SerialRunner();
    checkAgainstReference(g, { m: 40, k: 90, n: 50 }, runner);
    checkAgainstReference(g, { m: 9, k: 70, n: 13 }, runner);
    checkAgainstReference(g, { batchShape: [3], m: 17, k: 5, n: 9, dtype: "float32" }, runner);
    checkAgainstReference(g, { m: 40, k: 90, n: 50 }, runner);
  });

  test("a wrong output length is refused", () => {
    const problem = problemOf(new Generator(10), { m: 3, k: 4, n: 5 });
    assert.throws(() => matmulPacked({ ...problem, out: new Float64Array(14) }, new SerialRunner()), /output has 14 elements/);
    assert.throws(() => matmulParallel({ ...problem, out: new Float64Array(14), m: 300, k: 400, n: 500 }, new SerialRunner()), /output has 14 elements/);
  });
});

describe("the task split does not change a single bit", () => {
  const g = new Generator(11);
  const cases: Case[] = [
    { m: 130, k: 300, n: 70, dtype: "float32" },
    { m: 3, k: 500, n: 600 }, // few rows: the split is by columns
    { batchShape: [3], m: 64, k: 200, n: 60, a: { broadcast: [true] }, b: { transposed: true } },
  ];
  const orders: Record<string, (count: number) => number[]> = {
    "in order": range,
    reversed: (count) => range(count).reverse(),
    "interleaved like two threads": (count) => [...range(count).filter((t) => t % 2 === 0), ...range(count).filter((t) => t % 2 === 1).reverse()],
    shuffled: (count) => shuffled(range(count), g),
  };

  for (const c of cases) {
    test(describeCase(c), () => {
      const problem = problemOf(g, c);
      const expected = withFreshOut(problem);
      matmulReference(expected);
      const taskCounts = new Set<number>();
      for (const threads of [1, 2, 3, 7]) {
        for (const [name, order] of Object.entries(orders)) {
          const runner = new OrderedRunner(threads, order);
          const attempt = withFreshOut(problem);
          matmulPacked(attempt, runner);
          assertSameBits(attempt.out, expected.out, `${threads} threads, tasks ${name}`);
          taskCounts.add(runner.taskCounts[0]!);
        }
      }
      assert.ok(taskCounts.size >= 3, `the thread counts gave different splits (task counts ${[...taskCounts].join(", ")})`);
    });
  }
});

describe("taskGrid", () => {
  /** Work (in tiles) of the largest and smallest task when each of `batch` entries is split by taskGrid. */
  function spread(m: number, k: number, n: number, threads: number, batch = 1) {
    const rowPanels = panelCount(m, MR);
    const colPanels = panelCount(n, NR);
    const { rowBlocks, colBlocks } = taskGrid(batch, rowPanels, colPanels, 2 * MR * NR * k, threads);
    const sizes: number[] = [];
    for (let r = 0; r < rowBlocks; r++) {
      for (let c = 0; c < colBlocks; c++) {
        const rows = Math.floor((rowPanels * (r + 1)) / rowBlocks) - Math.floor((rowPanels * r) / rowBlocks);
        const cols = Math.floor((colPanels * (c + 1)) / colBlocks) - Math.floor((colPanels * c) / colBlocks);
        sizes.push(rows * cols);
      }
    }
    return { tasks: batch * sizes.length, largest: Math.max(...sizes), smallest: Math.min(...sizes) };
  }

  test("gives two threads several balanced tasks for square and training shapes", () => {
    for (const [m, k, n] of [[1024, 1024, 1024], [128, 784, 256], [784, 128, 256], [128, 256, 784], [4, 1024, 1024]] as const) {
      const { tasks, largest, smallest } = spread(m, k, n, 2);
      assert.ok(tasks >= 4, `${m}×${k}·${k}×${n}: ${tasks} tasks`);
      assert.ok(largest <= 1.1 * smallest, `${m}×${k}·${k}×${n}: tasks of ${smallest} to ${largest} tiles`);
    }
  });

  test("one thread gets one task per batch entry; tiny products are not split", () => {
    assert.equal(spread(1024, 1024, 1024, 1).tasks, 1);
    assert.equal(spread(256, 256, 256, 1, 5).tasks, 5);
    assert.equal(spread(8, 8, 8, 2).tasks, 1);
  });

  test("a large batch needs no further split", () => {
    assert.equal(spread(64, 64, 64, 2, 16).tasks, 16);
  });
});

describe("matmulParallel", () => {
  /** A runner that counts its calls. */
  class CountingRunner extends SerialRunner {
    calls = 0;
    override run(name: TaskName, params: ArrayLike<number>, taskCount: number): void {
      this.calls++;
      super.run(name, params, taskCount);
    }
  }

  test("small and thin products stay on the reference kernel, others use the runner; all agree with the reference", () => {
    const g = new Generator(12);
    const side = Math.ceil(Math.cbrt(PACKED_MATMUL_MIN_FLOPS / 2));
    const thin = PACKED_MATMUL_MIN_SIDE;
    const cases = [
      [side - 4, side - 4, side - 4, false], [side + 4, side + 4, side + 4, true],
      [thin - 1, 300, 200, false], [200, 300, thin - 1, false], [thin, 300, 200, true], [200, 300, thin, true],
    ] as const;
    for (const [m, k, n, usesRunner] of cases) {
      const runner = new CountingRunner();
      const problem = problemOf(g, { m, k, n, dtype: "float32" });
      const expected = withFreshOut(problem);
      matmulReference(expected);
      matmulParallel(problem, runner);
      assert.equal(runner.calls, usesRunner ? 1 : 0, `${m}×${k}·${k}×${n}`);
      assertSameBits(problem.out, expected.out, `${m}×${k}·${k}×${n}`);
    }
  });
});

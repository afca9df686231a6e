// The worker pool: every task runs exactly once, workers really take part and
// see the shared memory (parameters, a heap that grows), failures become clear
// errors at the call and the pool recovers, a script that used the pool exits
// by itself, and the thread count comes from setNumThreads / GRADSCHOOL_THREADS.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { MAX_THREADS, WorkerPool, type WorkerPoolOptions } from "../../src/parallel/pool.ts";
import { SerialRunner } from "../../src/parallel/runner.ts";
import { getNumThreads, getPool, parseThreadsVariable, setNumThreads } from "../../src/parallel/threads.ts";
import { MAX_PARAMS } from "../../src/parallel/worker.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

const pools: WorkerPool[] = [];
/** A pool that is closed when the tests end. */
function newPool(threads: number, options: WorkerPoolOptions = {}): WorkerPool {
  const pool = new WorkerPool(threads, options);
  pools.push(pool);
  return pool;
}
after(() => pools.forEach((pool) => pool.close()));

/** Runs testMeetAll with one task per thread and returns the thread ids that ran them. */
function threadsThatMeet(pool: WorkerPool): number[] {
  const heap = pool.reserve(1 << 16);
  const arrivals = 100, ids = 104;
  heap.i32.fill(0, arrivals, ids + pool.threads);
  pool.run("testMeetAll", [arrivals, ids, pool.threads], pool.threads);
  return Array.from(heap.i32.subarray(ids, ids + pool.threads));
}

/** Clears the flag words the fault-injection tasks use. */
function clearFlags(pool: WorkerPool): void {
  pool.reserve(1 << 16).i32.fill(0, 0, 16);
}

describe("WorkerPool: running tasks", () => {
  for (const threads of [1, 2, 3]) {
    test(`${threads} thread(s): every task index runs exactly once`, () => {
      const pool = newPool(threads);
      assert.equal(pool.threads, threads);
      threadsThatMeet(pool); // the workers are up (until then the calling thread runs every task)
      const base = 16;
      for (const taskCount of [0, 1, 2, 3, 1000]) {
        const heap = pool.reserve((base + taskCount + 16) * 4);
        heap.i32.fill(0, 0, base + taskCount + 16);
        const repeats = 5;
        for (let r = 0; r < repeats; r++) pool.run("testCount", [base], taskCount);
        const counts = Array.from(heap.i32.subarray(base, base + taskCount));
        assert.deepEqual(counts, new Array(taskCount).fill(repeats), `task count ${taskCount}`);
        // Nothing outside the tasks' words was touched.
        assert.ok(heap.i32.subarray(0, base).every((v) => v === 0));
        assert.ok(heap.i32.subarray(base + taskCount, base + taskCount + 16).every((v) => v === 0));
      }
    });
  }

  test("the calling thread and every worker take part in a call", () => {
    for (const threads of [2, 3]) {
      const ids = threadsThatMeet(newPool(threads));
      assert.equal(new Set(ids).size, threads, `thread ids ${ids}`);
      assert.ok(ids.includes(0), "the calling thread (main thread, id 0) ran a task");
    }
  });

  test("parameters arrive intact on every thread", () => {
    const pool = newPool(3);
    const start = 64;
    const values = [start, 1.5, -2, 1e300, -0, Number.MIN_VALUE, NaN, Infinity, 2 ** 53 + 2, Math.PI];
    const heap = pool.reserve(1 << 16);
    heap.f64.fill(0, 0, start + 5 * (values.length + 1));
    pool.run("testCopyParams", values, 5);
    for (let t = 0; t < 5; t++) {
      const at = start + t * (values.length + 1);
      assert.equal(heap.f64[at], values.length);
      assert.deepEqual(Array.from(heap.f64.subarray(at + 1, at + 1 + values.length)), values);
    }
    // The longest parameter list is accepted, one more is refused.
    const longest = Array.from({ length: MAX_PARAMS }, (_, i) => (i === 0 ? start : i / 7));
    pool.reserve((start + 2 * (MAX_PARAMS + 1)) * 8);
    pool.run("testCopyParams", longest, 2);
    assert.deepEqual(Array.from(heap.f64.subarray(start + MAX_PARAMS + 2, start + 2 * (MAX_PARAMS + 1))), longest);
    assert.throws(() => pool.run("testCopyParams", new Array(MAX_PARAMS + 1).fill(0), 1), /1025 parameters, more than 1024/);
  });

  test("the heap grows in place between calls, and workers see the new memory", () => {
    const pool = newPool(2);
    const small = pool.reserve(1 << 16);
    assert.equal(small.f64.length, (1 << 16) / 8);
    threadsThatMeet(pool); // the worker is running, started with the small heap

    const views = pool.reserve(1 << 20);
    assert.equal(views, small, "the same views, now longer");
    const length = views.f64.length;
    assert.ok(length >= (1 << 20) / 8);
    const arrivals = 100, ids = 104;
    views.i32.fill(0, arrivals, ids + 2);
    views.f64.fill(0, length - 2);
    pool.run("testHeapLength", [arrivals, ids, 2], 2);
    assert.equal(new Set(views.i32.subarray(ids, ids + 2)).size, 2, "each task ran on its own thread");
    assert.deepEqual(Array.from(views.f64.subarray(0, 2)), [length, length], "both threads saw the grown heap");
    assert.deepEqual(Array.from(views.f64.subarray(length - 2)), [2, 1], "both wrote at its far end");
  });

  test("a pool can shrink, grow and be closed, and still runs calls", () => {
    const pool = newPool(3);
    assert.equal(new Set(threadsThatMeet(pool)).size, 3);
    pool.resize(2);
    assert.equal(pool.threads, 2);
    assert.equal(new Set(threadsThatMeet(pool)).size, 2);
    pool.resize(4);
    assert.equal(new Set(threadsThatMeet(pool)).size, 4);
    pool.close();
    assert.equal(new Set(threadsThatMeet(pool)).size, 4);
    assert.throws(() => pool.resize(0), /from 1 to/);
  });

  test("bad arguments are refused", () => {
    const pool = newPool(2);
    assert.throws(() => pool.run("noSuchKind" as never, [], 1), /unknown task kind "noSuchKind"/);
    assert.throws(() => pool.run("empty", [], -1), /task count must be a whole number/);
    assert.throws(() => pool.run("empty", [], 1.5), /task count must be a whole number/);
    assert.throws(() => new WorkerPool(0), /thread count must be a whole number from 1 to/);
    assert.throws(() => new WorkerPool(MAX_THREADS + 1), /thread count must be a whole number from 1 to/);
  });
});

describe("WorkerPool: failures", () => {
  test("a task that throws in a worker: an error naming kind, task and worker; the next call works", () => {
    const pool = newPool(2);
    clearFlags(pool);
    assert.throws(
      () => pool.run("testThrowInWorker", [0], 2),
      (error: Error) => {
        assert.match(error.message, /^parallel task "testThrowInWorker" #(\d) \(of 2\) failed in worker 1 \(thread \d+\): RangeError: task \1 refused$/);
        assert.ok(error.cause instanceof Error);
        assert.equal(error.cause.name, "RangeError");
        return true;
      },
    );
    assert.equal(new Set(threadsThatMeet(pool)).size, 2);
  });

  test("a task that throws on the calling thread: thrown after the workers have finished the call", () => {
    const pool = newPool(2);
    clearFlags(pool);
    const heap = pool.reserve(1 << 16);
    assert.throws(
      () => pool.run("testThrowOnCaller", [0, 1], 2),
      /^Error: parallel task "testThrowOnCaller" #\d \(of 2\) failed on the calling thread: Error: the calling thread's task refused$/,
    );
    assert.equal(heap.i32[1], 1, "the worker's task (50 ms long) had finished when run() threw");
    assert.equal(new Set(threadsThatMeet(pool)).size, 2);
  });

  test("the caller's error keeps the original as its cause", () => {
    const pool = newPool(2);
    clearFlags(pool);
    try {
      pool.run("testThrowOnCaller", [0, 1], 2);
      assert.fail("run() should have thrown");
    } catch (error) {
      assert.ok(error instanceof Error && error.cause instanceof Error);
      assert.equal(error.cause.message, "the calling thread's task refused");
    }
  });

  test("a worker that calls process.exit mid-call: a clear error, not a hang; the next call works", () => {
    // The exit is noticed at once; the stall timeout only bounds this test if that were broken.
    const pool = newPool(2, { stallTimeoutMs: 5000 });
    clearFlags(pool);
    assert.throws(
      () => pool.run("testExitInWorker", [0, 3], 2),
      /^Error: parallel task "testExitInWorker" \(2 tasks\): worker 1 \(thread \d+\) died during the call \(exit code 3\)\. The call did not complete; the pool starts a new worker on the next call\.$/,
    );
    const ids = threadsThatMeet(pool);
    assert.equal(new Set(ids).size, 2, "a new worker took the dead one's place");
    const heap = pool.reserve(1 << 16);
    heap.i32.fill(0, 16, 16 + 100);
    pool.run("testCount", [16], 100);
    assert.ok(heap.i32.subarray(16, 116).every((v) => v === 1));
  });

  test("a worker stuck in a task: the call gives up after the stall timeout; the next call works", () => {
    const pool = newPool(2, { stallTimeoutMs: 300 });
    clearFlags(pool);
    assert.throws(
      () => pool.run("testStallInWorker", [0, 1], 2),
      /^Error: parallel task "testStallInWorker" \(2 tasks\): worker 1 \(thread \d+\) finished no task for 300 ms and was stopped\./,
    );
    assert.equal(new Set(threadsThatMeet(pool)).size, 2);
  });
});

describe("a script that used the pool", () => {
  test("exits by itself once its work is done", () => {
    const started = performance.now();
    const child = runFixture("pool-then-exit.ts");
    assert.equal(child.error, undefined, `the child did not time out (${performance.now() - started} ms)`);
    assert.equal(child.signal, null);
    assert.equal(child.status, 0, child.stderr);
    assert.match(child.stdout, /^pool used by 2 threads, twice\n$/);
  });

  test("the worker's code is plain JavaScript: it loads in Node without a TypeScript loader", () => {
    const url = new URL("../../src/parallel/worker.js", import.meta.url).href;
    const tasksUrl = new URL("../../src/parallel/tasks.js", import.meta.url).href;
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", `await import(${JSON.stringify(url)}); await import(${JSON.stringify(tasksUrl)});`], {
      encoding: "utf8", timeout: 30_000, env: childEnv(),
    });
    assert.equal(child.status, 0, child.stderr);
  });
});

describe("thread count", () => {
  test("GRADSCHOOL_THREADS: a whole number from 1 to the limit, or unset", () => {
    assert.equal(parseThreadsVariable(undefined), undefined);
    assert.equal(parseThreadsVariable(""), undefined);
    assert.equal(parseThreadsVariable("1"), 1);
    assert.equal(parseThreadsVariable(" 3 "), 3);
    assert.equal(parseThreadsVariable(String(MAX_THREADS)), MAX_THREADS);
    for (const bad of ["0", "-2", "2.5", "1e3", "0x4", "two", "3 threads", String(MAX_THREADS + 1)]) {
      assert.throws(
        () => parseThreadsVariable(bad),
        new RegExp(`^Error: GRADSCHOOL_THREADS must be a whole number of threads from 1 to ${MAX_THREADS}, got "${bad}"$`),
      );
    }
  });

  test("GRADSCHOOL_THREADS sets the count in a fresh process; a bad value is a clear error", () => {
    assert.deepEqual(threadsInChild({ GRADSCHOOL_THREADS: "3" }), { threads: 3, runner: "WorkerPool", runnerThreads: 3 });
    assert.deepEqual(threadsInChild({ GRADSCHOOL_THREADS: "1" }), { threads: 1, runner: "SerialRunner", runnerThreads: 1 });
    const byDefault = availableParallelism();
    assert.deepEqual(threadsInChild({}), {
      threads: byDefault, runner: byDefault === 1 ? "SerialRunner" : "WorkerPool", runnerThreads: byDefault,
    });
    assert.deepEqual(threadsInChild({ GRADSCHOOL_THREADS: "many" }), {
      error: `GRADSCHOOL_THREADS must be a whole number of threads from 1 to ${MAX_THREADS}, got "many"`,
    });
  });

  test("setNumThreads resizes the shared pool; 1 thread means the calling thread alone", () => {
    const before = getNumThreads();
    try {
      setNumThreads(2);
      const pool = getPool();
      assert.ok(pool instanceof WorkerPool);
      assert.equal(pool.threads, 2);
      setNumThreads(3);
      assert.equal(getNumThreads(), 3);
      assert.equal(getPool(), pool, "the same pool, resized");
      assert.equal(pool.threads, 3);
      assert.equal(new Set(threadsThatMeet(pool)).size, 3);
      setNumThreads(1);
      const serial = getPool();
      assert.ok(serial instanceof SerialRunner);
      assert.equal(serial.threads, 1);
      assert.throws(() => setNumThreads(0), /setNumThreads: expected a whole number from 1 to/);
      assert.throws(() => setNumThreads(2.5), /setNumThreads: expected a whole number from 1 to/);
    } finally {
      setNumThreads(before);
    }
  });
});

/** The environment for a child process: this one's, minus the test runner's own variables. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

function runFixture(name: string, env: Record<string, string> = {}, removeThreads = false) {
  const childEnvironment = childEnv(env);
  if (removeThreads) delete childEnvironment.GRADSCHOOL_THREADS;
  return spawnSync(process.execPath, ["--import", "tsx", fixture(name)], {
    cwd: repoRoot, encoding: "utf8", timeout: 30_000, env: childEnvironment,
  });
}

function threadsInChild(env: Record<string, string>): unknown {
  const child = runFixture("threads-from-env.ts", env, !("GRADSCHOOL_THREADS" in env));
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout);
}

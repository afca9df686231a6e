// @ts-check
// The table of task kinds a worker (or the calling thread) can run, by name.
// Every entry has the signature (heap views, params, task index) => void.

import { isMainThread, threadId } from "node:worker_threads";
import { gemmTask } from "./gemm.js";

/** @typedef {(heap: import("./heap.js").HeapViews, params: Float64Array, task: number) => void} Task */

export const TASKS = /** @type {const} */ ({
  gemm: gemmTask,

  // Kinds that exercise the pool itself (test/parallel/pool.test.ts, and the
  // measurement of its overhead: `empty` has nothing to do, `busy` a given amount).
  empty: emptyTask,
  busy: busyTask,
  testCount: countTask,
  testCopyParams: copyParamsTask,
  testHeapLength: heapLengthTask,
  testMeetAll: meetAllTask,
  testThrowInWorker: throwInWorkerTask,
  testExitInWorker: exitInWorkerTask,
  testStallInWorker: stallInWorkerTask,
  testThrowOnCaller: throwOnCallerTask,
});

/** @typedef {keyof typeof TASKS} TaskName */

/** @type {Task} */
function emptyTask() {}

/** @type {Task} Task t adds up params[0] terms of a series and writes the sum to f64[t] (so the work is not optimised away). */
function busyTask(heap, params, task) {
  let sum = 0;
  for (let i = 0, n = p(params, 0); i < n; i++) sum += 1 / (i + task + 1);
  heap.f64[task] = sum;
}

/** @type {Task} Counts the runs of each task: i32[params[0] + task] += 1. */
function countTask(heap, params, task) {
  Atomics.add(heap.i32, p(params, 0) + task, 1);
}

/** @type {Task} Task t copies (params.length, ...params) to f64[params[0] + t·(params.length + 1)]. */
function copyParamsTask(heap, params, task) {
  const start = p(params, 0) + task * (params.length + 1);
  heap.f64[start] = params.length;
  heap.f64.set(params, start + 1);
}

/**
 * @type {Task} Every task waits until params[2] tasks have started, so that
 * each runs on its own thread (i32[params[0]] counts the arrivals). Then task
 * t writes its thread id to i32[params[1] + t].
 */
function meetAllTask(heap, params, task) {
  meetAll(heap, p(params, 0), p(params, 2));
  heap.i32[p(params, 1) + task] = threadId;
}

/**
 * @type {Task} Like testMeetAll (same params), and then task t writes the
 * length of the heap as it sees it (in f64) to f64[t], and t + 1 to the t-th
 * f64 from the end of the heap.
 */
function heapLengthTask(heap, params, task) {
  meetAllTask(heap, params, task);
  heap.f64[task] = heap.f64.length;
  heap.f64[heap.f64.length - 1 - task] = task + 1;
}

/** @type {Task} A task on a worker throws a RangeError (flag word: params[0]). */
function throwInWorkerTask(heap, params, task) {
  onWorkerOnly(heap, p(params, 0), () => {
    throw new RangeError(`task ${task} refused`);
  });
}

/** @type {Task} A task on a worker ends its thread with process.exit(params[1]) (flag word: params[0]). */
function exitInWorkerTask(heap, params) {
  onWorkerOnly(heap, p(params, 0), () => process.exit(p(params, 1)));
}

/** @type {Task} A task on a worker blocks for a minute, as if stuck (flag word: params[0]; it sleeps on params[1]). */
function stallInWorkerTask(heap, params) {
  onWorkerOnly(heap, p(params, 0), () => Atomics.wait(heap.i32, p(params, 1), 0, 60_000));
}

/**
 * @type {Task} The calling thread throws once a worker has started a task;
 * that task sleeps 50 ms, then sets i32[params[1]] = 1 (flag word: params[0]).
 */
function throwOnCallerTask(heap, params) {
  if (isMainThread) {
    waitForFlag(heap, p(params, 0));
    throw new Error("the calling thread's task refused");
  }
  onWorkerOnly(heap, p(params, 0), () => {
    Atomics.wait(heap.i32, p(params, 1), 0, 50);
    Atomics.store(heap.i32, p(params, 1), 1);
  });
}

/**
 * Adds one to the arrivals count i32[arrivals], then waits (at most 10 s)
 * until it reaches `expected`.
 * @param {import("./heap.js").HeapViews} heap
 * @param {number} arrivals
 * @param {number} expected
 */
function meetAll(heap, arrivals, expected) {
  Atomics.add(heap.i32, arrivals, 1);
  Atomics.notify(heap.i32, arrivals);
  const giveUpAt = Date.now() + 10_000;
  for (let seen = Atomics.load(heap.i32, arrivals); seen < expected && Date.now() < giveUpAt; seen = Atomics.load(heap.i32, arrivals)) {
    Atomics.wait(heap.i32, arrivals, seen, 100);
  }
}

/**
 * Runs `fault` if this is a worker. On the calling thread it waits (at most
 * 10 s) until a worker has raised the flag i32[flag] on its way to the fault:
 * so the calling thread cannot take every task before a worker wakes, and the
 * fault does happen on a worker.
 * @param {import("./heap.js").HeapViews} heap
 * @param {number} flag
 * @param {() => void} fault
 */
function onWorkerOnly(heap, flag, fault) {
  if (isMainThread) {
    waitForFlag(heap, flag);
    return;
  }
  Atomics.store(heap.i32, flag, 1);
  Atomics.notify(heap.i32, flag);
  fault();
}

/**
 * @param {import("./heap.js").HeapViews} heap
 * @param {number} flag
 */
function waitForFlag(heap, flag) {
  Atomics.wait(heap.i32, flag, 0, 10_000);
}

/**
 * Parameter i, which must be there.
 * @param {Float64Array} params
 * @param {number} i
 */
function p(params, i) {
  const value = params[i];
  if (value === undefined) throw new RangeError(`task parameter ${i} is missing`);
  return value;
}

// What a parallel kernel driver needs from whoever runs its tasks.
//
// A kernel is split into `taskCount` independent tasks (e.g. blocks of rows of
// a matrix product). Each task writes its own part of the output and computes
// it the same way whichever thread runs it, so results are bitwise identical
// for any number of threads. A runner executes every task exactly once and
// returns when all are done (the call is synchronous).

import { createHeap, ensureHeapBytes, viewsOf, type HeapViews } from "./heap.js";
import { TASKS, type TaskName } from "./tasks.js";

export interface TaskRunner {
  /** Threads that execute tasks (the calling thread included). */
  readonly threads: number;
  /** The shared heap, grown to at least `bytes` bytes. */
  reserve(bytes: number): HeapViews;
  /** Runs tasks 0..taskCount-1 of kernel `name` with `params`; returns when all are done, or throws the first task's error. */
  run(name: TaskName, params: ArrayLike<number>, taskCount: number): void;
}

/** Runs every task on the calling thread: the one-thread case, and the yardstick for the pool. */
export class SerialRunner implements TaskRunner {
  readonly threads = 1;
  private readonly heap = createHeap(1 << 16);
  private views = viewsOf(this.heap);

  reserve(bytes: number): HeapViews {
    ensureHeapBytes(this.heap, bytes);
    return this.views;
  }

  run(name: TaskName, params: ArrayLike<number>, taskCount: number): void {
    const task = TASKS[name];
    const p = Float64Array.from(params);
    for (let t = 0; t < taskCount; t++) task(this.views, p, t);
  }
}

// How many threads the kernels use, and the runner that gives them those threads.
//
// Like torch.set_num_threads / torch.get_num_threads. The count starts as the
// environment variable GRADSCHOOL_THREADS if it is set (to a whole number from
// 1 to MAX_THREADS; anything else is an error that names the variable), else
// the number of processors Node reports (os.availableParallelism()). One
// thread means no workers at all: kernels run on the calling thread.

import { availableParallelism } from "node:os";
import { MAX_THREADS, WorkerPool } from "./pool.ts";
import { SerialRunner, type TaskRunner } from "./runner.ts";

export const THREADS_VARIABLE = "GRADSCHOOL_THREADS";

let threadCount: number | undefined;
let pool: WorkerPool | undefined;
let serial: SerialRunner | undefined;

/**
 * The thread count written in GRADSCHOOL_THREADS, or undefined when the
 * variable is not set (or set to nothing). Throws a clear error for any other value.
 */
export function parseThreadsVariable(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const count = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!(count >= 1 && count <= MAX_THREADS)) {
    throw new Error(`${THREADS_VARIABLE} must be a whole number of threads from 1 to ${MAX_THREADS}, got "${value}"`);
  }
  return count;
}

/** The number of threads kernels use (the calling thread included). */
export function getNumThreads(): number {
  threadCount ??= parseThreadsVariable(process.env[THREADS_VARIABLE]) ?? Math.min(availableParallelism(), MAX_THREADS);
  return threadCount;
}

/** Sets the number of threads kernels use; the pool grows or shrinks to match (workers start when first needed). */
export function setNumThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new RangeError(`setNumThreads: expected a whole number from 1 to ${MAX_THREADS}, got ${threads}`);
  }
  threadCount = threads;
  pool?.resize(threads);
}

/** The runner for kernels: the calling thread alone for one thread, else the shared worker pool. */
export function getPool(): TaskRunner {
  const threads = getNumThreads();
  if (threads === 1) return (serial ??= new SerialRunner());
  pool ??= new WorkerPool(threads);
  return pool;
}

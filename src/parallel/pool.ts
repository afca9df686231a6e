// A persistent pool of worker threads that runs a kernel's tasks in parallel.
//
// A pool of N threads is the calling thread plus N − 1 workers. The workers
// start on the first call that needs them and then live as long as the
// process, sleeping between calls; they are unref'd, so they never keep the
// process alive. Data never travels in messages: the workers received the
// shared heap and the control block once, when they started, and a call only
// writes a few words into the control block and wakes them (the protocol is
// drawn at the top of worker.js). The calling thread works too: it claims
// tasks like any worker, and waits only for workers that took part. A worker
// that has not picked the call up by the time every task is claimed (asleep,
// or still starting) is left out of it, so a small call never waits for a
// worker to wake, and the first calls run on the calling thread alone while
// the workers start.
//
// Waiting: a worker that has just finished a call spins briefly for the next
// one if calls are coming in a burst, then sleeps in Atomics.wait; the calling
// thread, once out of tasks, spins for about the cost of a wake-up, then
// sleeps until a worker signals. Never more threads spin than there are cores.
//
// Failures reach the caller as exceptions, never as a hang:
//   - a task that throws (on any thread) makes the call throw an Error that
//     names the task kind, the task index and the thread, after every thread
//     has stopped working on the call; the pool is ready for the next call;
//   - a worker that dies during a call (process.exit, an uncaught error) marks
//     its slot dead and wakes the caller from a process "exit" hook; the call
//     throws, and the next call starts a new worker in its place;
//   - as a last resort, a call in which no task finishes for `stallTimeoutMs`
//     while a worker is still busy is abandoned: the busy workers are stopped
//     (terminate) and replaced on the next call. Tasks are meant to be short
//     (milliseconds), so the default of a minute only catches real hangs.

import { availableParallelism } from "node:os";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { createHeap, ensureHeapBytes, viewsOf, type HeapViews } from "./heap.js";
import type { TaskRunner } from "./runner.ts";
import { TASKS, type TaskName } from "./tasks.js";
import {
  createControlBlock, DEAD, DONE, EVENT, EXIT_CODE, FAILED, KIND, MAX_PARAMS, MAX_WORKERS, NEXT_TASK, OWNER,
  PARAM_COUNT, POSTED, RETIRE, runClaimedTasks, slotWord, TASK_COUNT, TASKS_DONE, type TaskFailure,
  type WorkerStart,
} from "./worker.js";

/** The most threads a pool can have: the calling thread and MAX_WORKERS workers. */
export const MAX_THREADS = MAX_WORKERS + 1;

/** Task kinds are sent as their index in this list; worker.js numbers them the same way (Object.values(TASKS)). */
const TASK_NAMES = Object.keys(TASKS) as TaskName[];

const WORKER_ENTRY = new URL("./worker.js", import.meta.url);

export interface WorkerPoolOptions {
  /**
   * How long a worker that has just finished a call keeps checking for the
   * next one before it sleeps, in microseconds (0: sleep at once). A worker
   * spins only while calls come in bursts (the last call arrived within this
   * time), and only as many threads spin as there are cores, the calling
   * thread counting as one.
   */
  spinMicroseconds?: number;
  /** A call in which no task finishes for this long while a worker is still busy is abandoned (see the top of this file). */
  stallTimeoutMs?: number;
}

/**
 * How long a worker spins by default. Measured on a shared 2-core machine, a
 * call of two empty tasks costs the caller about 10–15 µs (median) when the
 * worker is asleep (Atomics.notify and the wake-up), and 1–2.5 µs when the
 * worker is still spinning. A spin only helps a call that comes within it:
 * 50 µs catches calls issued close together, and between bursts the worker
 * does not spin at all.
 */
export const DEFAULT_SPIN_MICROSECONDS = 50;
/** While it waits for workers to finish, the calling thread spins at most this long (about the cost of waking it). */
const CALLER_SPIN_MS = 0.02;
export const DEFAULT_STALL_TIMEOUT_MS = 60_000;

/** A running worker, as the calling thread knows it. */
interface PoolWorker {
  readonly worker: Worker;
  /** Its slot in the control block. */
  readonly slot: number;
  /** Its id, as written in its slot's OWNER word while it is alive. */
  readonly owner: number;
  /** Where it sends error reports; read synchronously with receiveMessageOnPort. */
  readonly reports: MessagePort;
}

/** What became of a worker that was posted a call. */
type HelperOutcome = "withdrawn" | "finished" | "died" | "stalled";

/** What a worker sends through its report port (see `report` in worker.js). */
type ErrorReport = { kind: "task"; index: number; error: unknown } | { kind: "crash"; error: unknown };

export class WorkerPool implements TaskRunner {
  private threadCount: number;
  private readonly spinMs: number;
  private readonly stallTimeoutMs: number;
  private readonly cores = availableParallelism();
  private readonly heap = createHeap(1 << 16);
  private readonly views = viewsOf(this.heap);
  private readonly block = createControlBlock();
  /** The worker in each slot, if one has been started. */
  private readonly workers: (PoolWorker | undefined)[] = [];
  private generation = 0;
  private nextOwner = 1;
  private running = false;

  constructor(threads: number, options: WorkerPoolOptions = {}) {
    this.threadCount = checkThreadCount(threads);
    this.spinMs = (options.spinMicroseconds ?? DEFAULT_SPIN_MICROSECONDS) / 1000;
    this.stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    if (!(this.spinMs >= 0) || !(this.stallTimeoutMs > 0)) {
      throw new RangeError("WorkerPool: spinMicroseconds must be ≥ 0 and stallTimeoutMs > 0");
    }
  }

  get threads(): number {
    return this.threadCount;
  }

  reserve(bytes: number): HeapViews {
    ensureHeapBytes(this.heap, bytes);
    return this.views;
  }

  /** Changes the number of threads: workers beyond the new count are stopped; missing ones start on the next call that needs them. */
  resize(threads: number): void {
    this.threadCount = checkThreadCount(threads);
    for (let slot = threads - 1; slot < this.workers.length; slot++) this.letGo(slot);
  }

  /** Stops every worker. The pool stays usable: a later call starts them again. */
  close(): void {
    for (let slot = 0; slot < this.workers.length; slot++) this.letGo(slot);
  }

  run(name: TaskName, params: ArrayLike<number>, taskCount: number): void {
    if (!Object.hasOwn(TASKS, name)) throw new Error(`WorkerPool.run: unknown task kind "${String(name)}"`);
    const task = TASKS[name];
    if (!Number.isInteger(taskCount) || taskCount < 0 || taskCount > 2 ** 30) {
      throw new RangeError(`WorkerPool.run("${name}"): task count must be a whole number from 0 to 2^30, got ${taskCount}`);
    }
    if (params.length > MAX_PARAMS) {
      throw new RangeError(`WorkerPool.run("${name}"): ${params.length} parameters, more than ${MAX_PARAMS}; put large data in the heap`);
    }
    if (this.running) throw new Error(`WorkerPool.run("${name}") was called from inside a task; tasks cannot start parallel calls`);
    if (taskCount === 0) return;

    this.running = true;
    try {
      this.writeCall(TASK_NAMES.indexOf(name), params, taskCount);
      // No point posting the call to more workers than there are tasks beyond the caller's first.
      const helpers = this.postCall(Math.min(this.threadCount - 1, taskCount - 1));
      const ownFailure = runClaimedTasks(this.block, task, this.views, () => true);
      const outcomes = helpers.length > 0 ? this.finishCall(helpers) : [];
      const error = this.errorOf(name, taskCount, helpers, outcomes, ownFailure);
      helpers.forEach((helper, i) => {
        if (outcomes[i] === "stalled") this.letGo(helper.slot);
      });
      if (error) throw error;
    } finally {
      this.running = false;
    }
  }

  /** Writes the call's kind, task count and parameters into the control block, and resets its counters. */
  private writeCall(kind: number, params: ArrayLike<number>, taskCount: number): void {
    const { words } = this.block;
    for (let i = 0; i < params.length; i++) this.block.params[i] = params[i]!;
    words[KIND] = kind;
    words[TASK_COUNT] = taskCount;
    words[PARAM_COUNT] = params.length;
    words[NEXT_TASK] = 0;
    words[FAILED] = 0;
    words[TASKS_DONE] = 0;
    // The Atomics.store that posts the call (below) publishes these plain writes to the workers.
  }

  /** Posts the current call to the first `count` workers (starting or replacing them as needed) and wakes them. */
  private postCall(count: number): PoolWorker[] {
    const { words } = this.block;
    // Calls are numbered 1, 2, … 2^31 − 1 and round again: they must fit an Int32 word, and 0 means "no call".
    this.generation = (this.generation % 0x7fffffff) + 1;
    const helpers: PoolWorker[] = [];
    for (let slot = 0; slot < count; slot++) {
      const helper = this.liveWorker(slot);
      Atomics.store(words, slotWord(slot, POSTED), this.generation);
      Atomics.notify(words, slotWord(slot, POSTED));
      helpers.push(helper);
    }
    return helpers;
  }

  /**
   * Once the calling thread has run out of tasks: withdraws the call from
   * workers that have not taken it yet (they could only find no task left),
   * then waits until every worker that did take it has finished or died, or
   * the call has stalled.
   */
  private finishCall(helpers: PoolWorker[]): HelperOutcome[] {
    const { words } = this.block;
    const generation = this.generation;
    const outcomes: HelperOutcome[] = helpers.map(({ slot }) => {
      const withdrawn = Atomics.compareExchange(words, slotWord(slot, POSTED), generation, 0) === generation;
      return withdrawn ? "withdrawn" : "finished";
    });
    const isBusy = (helper: PoolWorker, i: number) =>
      outcomes[i] === "finished" && Atomics.load(words, slotWord(helper.slot, DONE)) !== generation && isAlive(words, helper);

    const spinUntil = performance.now() + (this.threadCount <= this.cores ? Math.min(this.spinMs, CALLER_SPIN_MS) : 0);
    let tasksDone = Atomics.load(words, TASKS_DONE);
    for (;;) {
      const event = Atomics.load(words, EVENT); // read before looking, so that no signal is missed
      if (!helpers.some(isBusy)) break;
      if (performance.now() < spinUntil) continue;
      if (Atomics.wait(words, EVENT, event, this.stallTimeoutMs) !== "timed-out") continue;
      const now = Atomics.load(words, TASKS_DONE);
      if (now !== tasksDone) {
        tasksDone = now; // slow, but moving
        continue;
      }
      helpers.forEach((helper, i) => {
        if (isBusy(helper, i)) outcomes[i] = "stalled";
      });
    }
    helpers.forEach((helper, i) => {
      if (outcomes[i] === "finished" && !isAlive(words, helper)) outcomes[i] = "died";
    });
    return outcomes;
  }

  /** The call's error, if it has one: workers lost come first, else the failed task with the lowest index. */
  private errorOf(
    name: TaskName, taskCount: number, helpers: PoolWorker[], outcomes: HelperOutcome[], ownFailure: TaskFailure | undefined,
  ): Error | undefined {
    const lost: string[] = [];
    let first: { index: number; error: unknown; where: string } | undefined;
    if (ownFailure) first = { ...ownFailure, where: "on the calling thread" };
    for (const [i, helper] of helpers.entries()) {
      const who = `worker ${helper.slot + 1} (thread ${helper.worker.threadId})`;
      let crash: ErrorReport | undefined;
      for (const report of drainReports(helper.reports)) {
        if (report.kind === "crash") crash = report;
        else if (first === undefined || report.index < first.index) first = { ...report, where: `in ${who}` };
      }
      if (outcomes[i] === "died") {
        const code = Atomics.load(this.block.words, slotWord(helper.slot, EXIT_CODE));
        lost.push(`${who} died during the call (exit code ${code})${crash ? `: ${describe(crash.error)}` : ""}`);
      } else if (outcomes[i] === "stalled") {
        lost.push(`${who} finished no task for ${this.stallTimeoutMs} ms and was stopped`);
      }
    }
    if (lost.length > 0) {
      return new Error(
        `parallel task "${name}" (${taskCount} tasks): ${lost.join("; ")}. ` +
        "The call did not complete; the pool starts a new worker on the next call.",
      );
    }
    if (first) {
      return new Error(`parallel task "${name}" #${first.index} (of ${taskCount}) failed ${first.where}: ${describe(first.error)}`, {
        cause: first.error,
      });
    }
    return undefined;
  }

  /** The worker in `slot`, started (or restarted, if it has died) as needed. */
  private liveWorker(slot: number): PoolWorker {
    const current = this.workers[slot];
    if (current && isAlive(this.block.words, current)) return current;
    if (current) this.letGo(slot);
    return this.startWorker(slot);
  }

  private startWorker(slot: number): PoolWorker {
    const { words } = this.block;
    const owner = this.nextOwner++;
    Atomics.store(words, slotWord(slot, POSTED), 0);
    Atomics.store(words, slotWord(slot, DONE), 0);
    Atomics.store(words, slotWord(slot, EXIT_CODE), 0);
    Atomics.store(words, slotWord(slot, OWNER), owner);
    const { port1: reports, port2: workerEnd } = new MessageChannel();
    const start: WorkerStart = {
      gradschoolPoolWorker: true,
      heap: this.heap,
      control: this.block.buffer,
      slot,
      owner,
      // Never more spinning threads than cores: the calling thread takes one, workers 1..cores-1 the others.
      spinMs: slot + 1 < this.cores ? this.spinMs : 0,
      reports: workerEnd,
    };
    // execArgv: [] starts the worker as plain Node even when this program runs
    // under a TypeScript loader (tsx): worker.js and what it imports are plain
    // JavaScript, and this keeps it so.
    const worker = new Worker(WORKER_ENTRY, { workerData: start, transferList: [workerEnd], execArgv: [] });
    // The exit hook in the worker normally marks a dead slot; this covers deaths
    // it cannot see (terminate, out of memory), noticed between calls.
    worker.on("exit", () => Atomics.compareExchange(words, slotWord(slot, OWNER), owner, DEAD));
    // Errors are reported through `reports` and thrown from run(); without a
    // listener, an 'error' event would crash the whole process.
    worker.on("error", () => {});
    worker.unref();
    reports.unref();
    const started: PoolWorker = { worker, slot, owner, reports };
    this.workers[slot] = started;
    return started;
  }

  /** Stops the worker in `slot`, if there is one, so that it can never touch a later call. */
  private letGo(slot: number): void {
    const current = this.workers[slot];
    if (!current) return;
    const { words } = this.block;
    Atomics.store(words, slotWord(slot, OWNER), 0);
    Atomics.store(words, slotWord(slot, POSTED), RETIRE);
    Atomics.notify(words, slotWord(slot, POSTED));
    void current.worker.terminate();
    current.reports.close();
    this.workers[slot] = undefined;
  }
}

function isAlive(words: Int32Array, helper: PoolWorker): boolean {
  return Atomics.load(words, slotWord(helper.slot, OWNER)) === helper.owner;
}

function checkThreadCount(threads: number): number {
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new RangeError(`thread count must be a whole number from 1 to ${MAX_THREADS}, got ${threads}`);
  }
  return threads;
}

/** Every report waiting on a worker's port. */
function drainReports(port: MessagePort): ErrorReport[] {
  const reports: ErrorReport[] = [];
  for (let received = receiveMessageOnPort(port); received; received = receiveMessageOnPort(port)) {
    reports.push(received.message as ErrorReport);
  }
  return reports;
}

/** "RangeError: message" for an Error, the value as text otherwise. */
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

// @ts-check
// The worker side of the pool, and the protocol that both sides follow.
//
// The pool (pool.ts) and its workers share two SharedArrayBuffers, handed to
// each worker once, when it starts: the heap (the kernels' data) and a small
// control block. A call sends no message; it goes through the control block:
//
//   calling thread                             worker k
//   ──────────────                             ────────
//   writes kind, task count, params
//   NEXT_TASK = 0
//   POSTED[k] = g, notify POSTED[k]  ───────►  sees POSTED[k] = g (spinning, or woken
//                                              from Atomics.wait), takes the call:
//                                              compareExchange(POSTED[k], g → 0)
//   claims tasks: t = NEXT_TASK++, runs t      claims tasks: t = NEXT_TASK++, runs t
//   ... until t ≥ task count                   ... until t ≥ task count
//   withdraws the post if k has not taken      DONE[k] = g, EVENT++, notify EVENT
//   it: compareExchange(POSTED[k], g → 0)      waits for the next post: spins on
//   waits (on EVENT) for DONE[k] = g           POSTED[k] briefly if calls are coming
//                                              in a burst, then sleeps (Atomics.wait)
//
// Every thread claims tasks from one shared counter, so a thread that finishes
// early takes the next task instead of waiting. Each task computes the same
// thing whichever thread runs it, so results do not depend on which one did.
// The post is taken or withdrawn with the same compareExchange, so exactly one
// side wins: a worker that was too slow to wake never joins a call that is
// already over, and the calling thread never waits for it.
//
// This file is the worker's entry point, and the calling thread imports it too
// for the layout and for `runClaimedTasks`, which both sides run. It must stay
// plain JavaScript: a worker cannot load TypeScript.

import { isMainThread, workerData } from "node:worker_threads";
import { viewsOf } from "./heap.js";

// ── The control block ───────────────────────────────────────────────────────
// An Int32Array of control words, then a Float64Array of parameters.

/** Index (in the task table) of the kind of task the current call runs. */
export const KIND = 0;
/** Number of tasks in the current call. */
export const TASK_COUNT = 1;
/** Number of parameters in the current call. */
export const PARAM_COUNT = 2;
/** The next task to claim; every thread takes tasks with Atomics.add on it. */
export const NEXT_TASK = 3;
/** Nonzero once a task of the current call has thrown: the other threads stop claiming tasks. */
export const FAILED = 4;
/** Bumped (and notified) whenever a worker finishes a call or dies; the calling thread sleeps on it. */
export const EVENT = 5;
/** Tasks finished so far in the current call: how the calling thread tells a slow call from a stuck one. */
export const TASKS_DONE = 6;
const HEADER_WORDS = 8;

/** Most workers one control block can serve (the pool also runs tasks on the calling thread). */
export const MAX_WORKERS = 255;
/** Most parameters a call can pass; larger data goes in the heap. */
export const MAX_PARAMS = 1024;

// Each worker k has a slot of four words.
/** The generation of a call posted to this worker and not yet taken; 0 when there is none. */
export const POSTED = 0;
/** The generation of the last call this worker finished. */
export const DONE = 1;
/** The id of the worker that owns this slot; anything else means that worker is gone. */
export const OWNER = 2;
/** The exit code of this slot's worker, once it has exited. */
export const EXIT_CODE = 3;
const SLOT_WORDS = 4;

/** OWNER value of a slot whose worker has died. */
export const DEAD = -1;
/** POSTED value that tells a worker that it has been let go. */
export const RETIRE = -1;

const CONTROL_WORDS = HEADER_WORDS + MAX_WORKERS * SLOT_WORDS;

/**
 * @typedef {object} ControlBlock
 * @property {SharedArrayBuffer} buffer
 * @property {Int32Array} words    the control words above
 * @property {Float64Array} params the parameters of the current call (first `words[PARAM_COUNT]` of them)
 */

/**
 * Index in `words` of field `field` (POSTED, DONE, OWNER or EXIT_CODE) of worker slot `slot`.
 * @param {number} slot
 * @param {number} field
 */
export function slotWord(slot, field) {
  return HEADER_WORDS + slot * SLOT_WORDS + field;
}

/** A new, zeroed control block. */
export function createControlBlock() {
  // CONTROL_WORDS is even, so the parameters start on an 8-byte boundary as a Float64Array must.
  return controlBlockOf(new SharedArrayBuffer(CONTROL_WORDS * 4 + MAX_PARAMS * 8));
}

/**
 * The views of a control block's buffer.
 * @param {SharedArrayBuffer} buffer
 * @returns {ControlBlock}
 */
export function controlBlockOf(buffer) {
  return {
    buffer,
    words: new Int32Array(buffer, 0, CONTROL_WORDS),
    params: new Float64Array(buffer, CONTROL_WORDS * 4, MAX_PARAMS),
  };
}

// ── Running a call's tasks (both sides) ─────────────────────────────────────

/** @typedef {import("./tasks.js").Task} Task */
/** @typedef {{ index: number, error: unknown }} TaskFailure */

/**
 * Claims the current call's tasks one at a time and runs them, until all
 * have been claimed or one has thrown. Every thread of a call runs this loop,
 * the calling thread included.
 * @param {ControlBlock} block
 * @param {Task} task
 * @param {import("./heap.js").HeapViews} heap
 * @param {() => boolean} mayContinue checked before each claim: a worker that has been replaced stops here
 * @returns {TaskFailure | undefined} the task that threw, if one did
 */
export function runClaimedTasks(block, task, heap, mayContinue) {
  const { words } = block;
  const taskCount = words[TASK_COUNT] ?? 0;
  const params = block.params.subarray(0, words[PARAM_COUNT]);
  while (mayContinue() && Atomics.load(words, FAILED) === 0) {
    const index = Atomics.add(words, NEXT_TASK, 1);
    if (index >= taskCount) return undefined;
    try {
      task(heap, params, index);
    } catch (error) {
      Atomics.store(words, FAILED, 1);
      return { index, error };
    }
    Atomics.add(words, TASKS_DONE, 1);
  }
  return undefined;
}

// ── The worker ──────────────────────────────────────────────────────────────

/**
 * What a worker receives once, when it starts.
 * @typedef {object} WorkerStart
 * @property {true} gradschoolPoolWorker marks a pool worker's start
 * @property {SharedArrayBuffer} heap
 * @property {SharedArrayBuffer} control
 * @property {number} slot       this worker's slot in the control block
 * @property {number} owner      this worker's id, as written in its slot's OWNER word
 * @property {number} spinMs     how long to keep checking for the next call before sleeping
 * @property {import("node:worker_threads").MessagePort} reports where to send errors, read synchronously by the calling thread
 */

/**
 * Serves calls until the pool lets this worker go.
 * @param {WorkerStart} start
 */
async function serve(start) {
  const block = controlBlockOf(start.control);
  const { words } = block;
  const postedWord = slotWord(start.slot, POSTED);
  const doneWord = slotWord(start.slot, DONE);
  const ownerWord = slotWord(start.slot, OWNER);
  const isStillOurs = () => Atomics.load(words, ownerWord) === start.owner;

  // Whatever ends this thread (process.exit in a task, an uncaught error), the
  // calling thread must hear of it rather than wait forever: record the exit
  // code, mark the slot dead and wake the caller. An uncaught error is sent
  // first, so that the caller can say what happened.
  process.on("uncaughtExceptionMonitor", (error) => report(start.reports, { kind: "crash", error }));
  process.on("exit", (code) => {
    Atomics.store(words, slotWord(start.slot, EXIT_CODE), code);
    if (Atomics.compareExchange(words, ownerWord, start.owner, DEAD) === start.owner) signalEvent(words);
  });

  // Imported here, after the hooks, so that a task module that fails to load is reported too.
  const { TASKS } = await import("./tasks.js");
  /** @type {Task[]} */
  const tasksByKind = Object.values(TASKS); // in the order of Object.keys(TASKS), as pool.ts numbers them
  const heap = viewsOf(start.heap);

  let spinMs = start.spinMs;
  for (;;) {
    const waitStart = performance.now();
    const posted = awaitPost(words, postedWord, spinMs);
    // Spin before the next call only if this one came soon enough for a spin to
    // catch it: calls come in bursts, and between bursts a spinning worker only
    // takes processor time from threads that need it (on a busy machine, from
    // the very thread that is about to post the next call).
    spinMs = performance.now() - waitStart < start.spinMs ? start.spinMs : 0;
    if (!isStillOurs()) return; // let go (or replaced): returning ends the thread
    if (Atomics.compareExchange(words, postedWord, posted, 0) !== posted) continue; // withdrawn meanwhile
    const kind = words[KIND] ?? -1;
    const task = tasksByKind[kind];
    const failure = task
      ? runClaimedTasks(block, task, heap, isStillOurs)
      : { index: -1, error: new Error(`unknown task kind ${kind}`) };
    if (failure) {
      Atomics.store(words, FAILED, 1);
      report(start.reports, { kind: "task", index: failure.index, error: failure.error });
    }
    Atomics.store(words, doneWord, posted);
    signalEvent(words);
  }
}

/**
 * Waits until a call is posted to this worker (or it is let go) and returns
 * POSTED. Checks in a loop for `spinMs` first, then sleeps: waking a thread
 * that sleeps in Atomics.wait takes tens of microseconds.
 * @param {Int32Array} words
 * @param {number} postedWord
 * @param {number} spinMs
 */
function awaitPost(words, postedWord, spinMs) {
  const spinUntil = performance.now() + spinMs;
  let posted = Atomics.load(words, postedWord);
  while (posted === 0) {
    if (performance.now() >= spinUntil) Atomics.wait(words, postedWord, 0);
    posted = Atomics.load(words, postedWord);
  }
  return posted;
}

/** @param {Int32Array} words */
function signalEvent(words) {
  Atomics.add(words, EVENT, 1);
  Atomics.notify(words, EVENT);
}

/**
 * Sends an error report to the calling thread. The error itself is sent (a
 * structured clone keeps its name, message and stack); a value that cannot be
 * cloned is sent as text.
 * @param {import("node:worker_threads").MessagePort} port
 * @param {{ kind: "task" | "crash", index?: number, error: unknown }} message
 */
function report(port, message) {
  try {
    port.postMessage(message);
  } catch {
    port.postMessage({ ...message, error: asText(message.error) });
  }
}

/**
 * @param {unknown} value
 * @returns {string}
 */
function asText(value) {
  try {
    return String(value);
  } catch {
    return "a value that cannot be shown as text";
  }
}

// Run as a pool worker only when started by the pool; importing this file on
// the calling thread (for the layout above) does nothing else. (No top-level
// await: this file may be loaded as CommonJS by a TypeScript loader.) If
// serve() fails, say because a task module does not load, the rejection ends
// the thread as an uncaught error, which the hooks in serve() report.
if (!isMainThread && workerData?.gradschoolPoolWorker === true) {
  void serve(/** @type {WorkerStart} */ (workerData));
}

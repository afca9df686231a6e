// Training checkpoints: everything needed to stop training and carry on later
// as if it had never stopped, in one safetensors file (Node only).
//
//   saveCheckpoint("run.safetensors", { model, optimizer, scheduler, step });
//   ...
//   const { step } = loadCheckpoint("run.safetensors", { model, optimizer, scheduler });
//
// Resuming exactly needs more than the weights: the optimizer's state (Adam's
// moving averages, SGD's momentum buffers), the scheduler's position, and the
// random generators (which minibatch comes next, which units Dropout drops).
// With all of them restored, N steps + save + load + M steps gives bit for
// bit the parameters of N + M steps in one go.
//
// Layout of the file:
//   tensors   model.<state dict key>               the model's parameters and buffers
//             optimizer.state.<index>.<name>       the optimizer's per-parameter tensors
//   metadata  (strings; the JSON ones encode NaN and ±Infinity, which plain JSON cannot hold)
//             format      "gradschool-checkpoint"
//             version     "1"
//             step        JSON number
//             optimizer   JSON { param_groups, state: numbers and other non-tensor values by index }
//             scheduler   JSON of scheduler.stateDict()
//             generators  JSON list of Generator.getState() (NaN marks "no spare normal")
//             extra       JSON of anything the caller adds (epoch, best loss, config ...)

import { Generator, defaultGenerator } from "../core/random.ts";
import { Tensor } from "../core/tensor.ts";
import type { Module } from "./module.ts";
import { loadWithMetadata, save } from "./serialization.ts";

export const CHECKPOINT_FORMAT = "gradschool-checkpoint";
export const CHECKPOINT_VERSION = 1;

/** An optimizer's state dict, as torch.optim.Optimizer.state_dict() lays it out (what src/nn/optim's stateDict() returns). */
export interface CheckpointOptimizerState {
  /** Per-parameter state by parameter index ("0", "1" ...): tensors (momentum buffers), numbers (step counts), null. */
  state: { [index: string]: { [name: string]: Tensor | number | null } };
  /** Each group's options, and the indices of its parameters. */
  param_groups: Array<{ params: number[]; [option: string]: unknown }>;
}

/** What a checkpoint needs of an optimizer (any object with these two methods). */
export interface CheckpointOptimizer {
  stateDict(): CheckpointOptimizerState;
  loadStateDict(state: CheckpointOptimizerState): void;
}

/** What a checkpoint needs of a learning-rate scheduler: its state as a JSON object. */
export interface CheckpointScheduler {
  stateDict(): object;
  loadStateDict(state: object): void;
}

export interface SaveCheckpointOptions {
  model: Module;
  optimizer?: CheckpointOptimizer;
  scheduler?: CheckpointScheduler;
  /** The training step reached (default 0). */
  step?: number;
  /** Generators whose state is saved (default: the default generator, which randn, randint, Dropout ... use). */
  generators?: Generator[];
  /** Anything else worth keeping, as JSON-compatible values (NaN and ±Infinity survive). */
  extra?: unknown;
}

export interface LoadCheckpointOptions {
  model: Module;
  optimizer?: CheckpointOptimizer;
  scheduler?: CheckpointScheduler;
  /**
   * Generators to restore, one per saved state. By default, a checkpoint
   * holding one generator state restores the default generator.
   */
  generators?: Generator[];
}

export interface LoadedCheckpoint {
  step: number;
  extra: unknown;
}

const MODEL_PREFIX = "model.";
const OPTIMIZER_PREFIX = "optimizer.state.";

// ---- saving ----------------------------------------------------------------

/** Saves model, optimizer, scheduler, random generators, step and extra to one safetensors file, atomically. */
export function saveCheckpoint(
  file: string,
  { model, optimizer, scheduler, step = 0, generators = [defaultGenerator], extra = null }: SaveCheckpointOptions,
): void {
  const fail = (message: string) => new Error(`saveCheckpoint: ${file}: ${message}`);
  if (!Number.isFinite(step)) throw fail(`step must be a finite number, got ${step}`);
  const tensors = new Map<string, Tensor>();
  for (const [key, value] of model.stateDict()) tensors.set(MODEL_PREFIX + key, value);
  const metadata: Record<string, string> = {
    format: CHECKPOINT_FORMAT,
    version: String(CHECKPOINT_VERSION),
    step: encodeJson(step, "step"),
    generators: encodeJson(generators.map((generator) => generator.getState()), "generators"),
    extra: encodeJson(extra, "extra"),
  };
  if (optimizer !== undefined) metadata["optimizer"] = splitOptimizerState(optimizer.stateDict(), tensors, fail);
  if (scheduler !== undefined) metadata["scheduler"] = encodeJson(scheduler.stateDict(), "scheduler");
  save(tensors, file, { metadata });
}

/** Moves the optimizer's tensors into `tensors` and returns the rest as JSON. */
function splitOptimizerState(state: CheckpointOptimizerState, tensors: Map<string, Tensor>, fail: (message: string) => Error): string {
  if (state === null || typeof state !== "object" || typeof state.state !== "object" || !Array.isArray(state.param_groups)) {
    throw fail("optimizer.stateDict() must return { state: {...}, param_groups: [...] }");
  }
  const otherValues: Record<string, Record<string, unknown>> = {};
  for (const [index, entries] of Object.entries(state.state)) {
    if (!/^\d+$/.test(index)) throw fail(`optimizer state is keyed by parameter index, got the key "${index}"`);
    const others: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(entries)) {
      if (value instanceof Tensor) tensors.set(`${OPTIMIZER_PREFIX}${index}.${name}`, value);
      else others[name] = value;
    }
    otherValues[index] = others;
  }
  return encodeJson({ param_groups: state.param_groups, state: otherValues }, "optimizer");
}

// ---- loading ---------------------------------------------------------------

/**
 * Restores what saveCheckpoint saved into freshly built objects of the same
 * shapes (model first, then optimizer, scheduler and generators) and returns
 * the step and extra. The whole file is read and checked before anything is
 * changed; the model, optimizer and scheduler then check that their state fits.
 */
export function loadCheckpoint(file: string, { model, optimizer, scheduler, generators }: LoadCheckpointOptions): LoadedCheckpoint {
  const fail = (message: string) => new Error(`loadCheckpoint: ${file}: ${message}`);
  const { tensors, metadata } = loadWithMetadata(file);
  checkFormat(metadata, fail);
  const read = (key: string): unknown => {
    const text = metadata[key];
    if (text === undefined) throw fail(`the metadata has no "${key}" entry`);
    return decodeJson(text, key, fail);
  };
  const { modelState, optimizerTensors } = splitTensors(tensors, fail);
  const step = read("step");
  if (typeof step !== "number") throw fail(`"step" must be a number, got ${JSON.stringify(step)}`);
  const savedGenerators = readGeneratorStates(read("generators"), fail);
  const targets = generators ?? defaultGeneratorsFor(savedGenerators.length, fail);
  if (targets.length !== savedGenerators.length) {
    throw fail(`the checkpoint holds ${savedGenerators.length} generator states, but ${targets.length} generators were given to restore`);
  }
  if (optimizer !== undefined && metadata["optimizer"] === undefined) throw fail("an optimizer was given, but the checkpoint has no optimizer state");
  if (scheduler !== undefined && metadata["scheduler"] === undefined) throw fail("a scheduler was given, but the checkpoint has no scheduler state");
  const optimizerState = optimizer === undefined ? null : joinOptimizerState(read("optimizer"), optimizerTensors, fail);
  const schedulerState = scheduler === undefined ? null : read("scheduler");
  if (scheduler !== undefined && (schedulerState === null || typeof schedulerState !== "object")) {
    throw fail(`"scheduler" must be a JSON object, got ${JSON.stringify(schedulerState)}`);
  }
  const extra = read("extra");

  model.loadStateDict(modelState);
  if (optimizer !== undefined) optimizer.loadStateDict(optimizerState!);
  if (scheduler !== undefined) scheduler.loadStateDict(schedulerState as object);
  targets.forEach((generator, i) => generator.setState(savedGenerators[i]!));
  return { step, extra };
}

function checkFormat(metadata: Record<string, string>, fail: (message: string) => Error): void {
  if (metadata["format"] !== CHECKPOINT_FORMAT) {
    throw fail(`not a gradschool checkpoint: its metadata "format" is ${JSON.stringify(metadata["format"] ?? null)}, ` +
      `expected "${CHECKPOINT_FORMAT}" (a plain state dict file loads with load() and model.loadStateDict)`);
  }
  if (metadata["version"] !== String(CHECKPOINT_VERSION)) {
    throw fail(`checkpoint format version ${JSON.stringify(metadata["version"] ?? null)} is not one this gradschool reads ` +
      `(it reads version ${CHECKPOINT_VERSION})`);
  }
}

/** Splits the file's tensors into the model's state dict and the optimizer's tensors by "<index>.<name>". */
function splitTensors(tensors: Map<string, Tensor>, fail: (message: string) => Error) {
  const modelState = new Map<string, Tensor>();
  const optimizerTensors = new Map<string, Tensor>();
  for (const [key, value] of tensors) {
    if (key.startsWith(MODEL_PREFIX)) modelState.set(key.slice(MODEL_PREFIX.length), value);
    else if (key.startsWith(OPTIMIZER_PREFIX)) optimizerTensors.set(key.slice(OPTIMIZER_PREFIX.length), value);
    else throw fail(`unexpected tensor "${key}": checkpoint tensors start with "${MODEL_PREFIX}" or "${OPTIMIZER_PREFIX}"`);
  }
  return { modelState, optimizerTensors };
}

/**
 * Rebuilds the optimizer's state dict from the JSON part and the tensors.
 * The per-parameter objects have no prototype: their keys come from the file,
 * and a key such as "__proto__" must stay an ordinary key.
 */
function joinOptimizerState(saved: unknown, optimizerTensors: Map<string, Tensor>, fail: (message: string) => Error): CheckpointOptimizerState {
  if (!isPlainObject(saved) || !Array.isArray(saved["param_groups"]) || !isPlainObject(saved["state"])) {
    throw fail(`"optimizer" must be a JSON object { param_groups: [...], state: {...} }`);
  }
  const state: CheckpointOptimizerState["state"] = Object.create(null) as CheckpointOptimizerState["state"];
  const entryFor = (index: string) => (state[index] ??= Object.create(null) as Record<string, Tensor | number | null>);
  for (const [index, values] of Object.entries(saved["state"])) {
    if (!/^\d+$/.test(index) || !isPlainObject(values)) throw fail(`optimizer state "${index}" must be a parameter index with an object of values`);
    const entry = entryFor(index);
    for (const [name, value] of Object.entries(values)) entry[name] = value as number | null;
  }
  for (const [key, tensor] of optimizerTensors) {
    const match = /^(\d+)\.(.+)$/s.exec(key);
    if (match === null) throw fail(`optimizer tensor "${OPTIMIZER_PREFIX}${key}" must be named ${OPTIMIZER_PREFIX}<index>.<name>`);
    entryFor(match[1]!)[match[2]!] = tensor;
  }
  return { state, param_groups: saved["param_groups"] as CheckpointOptimizerState["param_groups"] };
}

/** The saved generator states, each tried on a scratch Generator so that a bad one fails before anything is restored. */
function readGeneratorStates(saved: unknown, fail: (message: string) => Error): number[][] {
  const valid = Array.isArray(saved) && saved.every((state) => Array.isArray(state) && state.every((v) => typeof v === "number"));
  if (!valid) throw fail(`"generators" must be a list of generator states (lists of numbers)`);
  (saved as number[][]).forEach((state, i) => {
    try {
      new Generator().setState(state);
    } catch (error) {
      throw fail(`generator state ${i}: ${(error as Error).message}`);
    }
  });
  return saved as number[][];
}

function defaultGeneratorsFor(count: number, fail: (message: string) => Error): Generator[] {
  if (count === 0) return [];
  if (count === 1) return [defaultGenerator];
  throw fail(`the checkpoint holds ${count} generator states; pass the generators to restore them into`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

// ---- JSON that keeps every number ------------------------------------------

// JSON has no NaN, Infinity or -0 (JSON.stringify writes NaN as null and -0
// as 0). They are written as {"$number": "NaN"} and read back as numbers, so a
// generator's "no spare normal" NaN, or a best loss of Infinity, survives.
const NUMBER_TAG = "$number";

function encodeJson(value: unknown, what: string): string {
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Tensor) throw new Error(`saveCheckpoint: ${what} holds a Tensor; only the model and the optimizer's state may hold tensors`);
    if (typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0))) return { [NUMBER_TAG]: Object.is(v, -0) ? "-0" : String(v) };
    return v;
  }) as string | undefined;
  if (text === undefined) throw new Error(`saveCheckpoint: ${what} cannot be written as JSON (got ${typeof value})`);
  return text;
}

function decodeJson(text: string, key: string, fail: (message: string) => Error): unknown {
  try {
    return JSON.parse(text, (_key, v: unknown) => {
      if (isPlainObject(v) && Object.keys(v).length === 1 && typeof v[NUMBER_TAG] === "string") return Number(v[NUMBER_TAG]);
      return v;
    });
  } catch (error) {
    throw fail(`metadata "${key}" is not valid JSON (${(error as Error).message})`);
  }
}

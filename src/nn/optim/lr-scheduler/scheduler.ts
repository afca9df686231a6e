// LRScheduler: the base class of the learning-rate schedulers, like
// torch.optim.lr_scheduler._LRScheduler.
//
// A scheduler rewrites the lr of each of an optimizer's parameter groups,
// once per call to step() (after optimizer.step(), usually once per epoch or
// per batch):
//
//   const scheduler = new StepLR(optimizer, 30, { gamma: 0.1 });
//   for (let epoch = 0; epoch < 100; epoch++) { train(); scheduler.step(); }
//
// As in PyTorch, most schedules are "chainable": each new lr is computed from
// the group's current lr (computeLr), so that two schedulers can act on the
// same optimizer at once. Creating a scheduler records each group's starting
// lr as its initialLr (PyTorch's initial_lr) and performs a first step, which
// sets the lr to the schedule's value at epoch 0.

import { describe, Optimizer, type JsonValue } from "../optimizer.ts";

/** A scheduler's state: plain data (JSON), by PyTorch's names (last_epoch, base_lrs, _last_lr ...). */
export type SchedulerStateDict = { [key: string]: JsonValue };

/** What every scheduler offers, SequentialLR and ChainedScheduler included. */
export interface Scheduler {
  readonly optimizer: Optimizer;
  step(): void;
  /** The lr of each group as last set by the scheduler. */
  getLastLr(): number[];
  stateDict(): SchedulerStateDict;
  loadStateDict(state: SchedulerStateDict): void;
}

export abstract class LRScheduler implements Scheduler {
  readonly optimizer: Optimizer;
  /** Each group's lr when the schedule began (PyTorch's base_lrs, read from the groups' initialLr). */
  baseLrs: number[];
  /** The number of step() calls after the first, implicit one (PyTorch's last_epoch): 0 right after construction. */
  lastEpoch = -1;
  private lastLr: number[] = [];

  constructor(optimizer: Optimizer) {
    if (!(optimizer instanceof Optimizer)) throw new Error(`${new.target.name}: expected an Optimizer, got ${describe(optimizer)}`);
    this.optimizer = optimizer;
    for (const group of optimizer.paramGroups) group.initialLr ??= group.lr;
    this.baseLrs = optimizer.paramGroups.map((group) => group.initialLr!);
  }

  get name(): string {
    return this.constructor.name;
  }

  /** Each group's next lr, usually from its current one (PyTorch's get_lr, the chainable form). */
  protected abstract computeLr(): number[];

  /** Each group's lr at lastEpoch computed from the base lrs alone, for schedules that have a formula (PyTorch's _get_closed_form_lr). */
  protected closedFormLr(): number[] | null {
    return null;
  }

  /** The schedule's settings by PyTorch's names: saved by stateDict(), and checked by loadStateDict(). */
  protected abstract settings(): SchedulerStateDict;

  /**
   * PyTorch's first, implicit step, which sets the lr for epoch 0. Each
   * scheduler calls it at the end of its constructor (once its settings are
   * in place); SequentialLR calls it again to restart its first scheduler.
   */
  initialStep(): void {
    this.step();
  }

  /** Moves the schedule one epoch (or batch) on and sets every group's lr. */
  step(): void {
    this.checkGroupCount();
    this.lastEpoch += 1;
    this.setLrs(this.computeLr());
  }

  /**
   * Jumps to `epoch`, using the closed form where there is one: what
   * SequentialLR does when it hands over to the next scheduler (PyTorch's
   * deprecated step(epoch)).
   */
  stepTo(epoch: number): void {
    this.checkGroupCount();
    this.lastEpoch = epoch;
    this.setLrs(this.closedFormLr() ?? this.computeLr());
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  private checkGroupCount(): void {
    const groups = this.optimizer.paramGroups.length;
    if (this.baseLrs.length !== groups) {
      throw new Error(`${this.name}: the optimizer has ${groups} parameter groups, but the scheduler was made for ${this.baseLrs.length}; ` +
        `create the scheduler after the last addParamGroup`);
    }
  }

  private setLrs(lrs: number[]): void {
    lrs.forEach((lr, i) => {
      if (!Number.isFinite(lr)) throw new Error(`${this.name}: the schedule gave parameter group ${i} the lr ${lr} at epoch ${this.lastEpoch}; an lr must be a finite number`);
    });
    this.optimizer.paramGroups.forEach((group, i) => { group.lr = lrs[i]!; });
    this.lastLr = [...lrs];
  }

  /** The scheduler's settings and progress, plain data (JSON), by PyTorch's names. */
  stateDict(): SchedulerStateDict {
    return { ...this.settings(), base_lrs: [...this.baseLrs], last_epoch: this.lastEpoch, _last_lr: this.getLastLr() };
  }

  /**
   * Restores the progress saved by stateDict(). The settings must be this
   * scheduler's (PyTorch would silently take the saved ones). Load the
   * optimizer's state first: the groups' current lrs are the optimizer's.
   */
  loadStateDict(state: SchedulerStateDict): void {
    const where = `${this.name}.loadStateDict`;
    checkSameSettings(where, this.settings(), state);
    const groups = this.optimizer.paramGroups.length;
    const baseLrs = numberList(where, "base_lrs", state.base_lrs, groups);
    const lastLr = numberList(where, "_last_lr", state._last_lr, groups);
    const lastEpoch = state.last_epoch;
    if (typeof lastEpoch !== "number" || !Number.isInteger(lastEpoch) || lastEpoch < -1) {
      throw new Error(`${where}: last_epoch must be an integer >= -1, got ${describe(lastEpoch)}`);
    }
    this.baseLrs = baseLrs;
    this.lastLr = lastLr;
    this.lastEpoch = lastEpoch;
  }
}

// ---- checks shared by the schedulers ---------------------------------------------

/** Throws unless every setting of `own` has the same value in `saved`. */
export function checkSameSettings(where: string, own: SchedulerStateDict, saved: SchedulerStateDict): void {
  if (typeof saved !== "object" || saved === null) throw new Error(`${where}: expected a state dict object, got ${describe(saved)}`);
  for (const [key, value] of Object.entries(own)) {
    if (!(key in saved)) throw new Error(`${where}: the state dict has no ${key}`);
    if (JSON.stringify(saved[key]) !== JSON.stringify(value)) {
      throw new Error(`${where}: the state dict has ${key}=${JSON.stringify(saved[key])}, this scheduler has ${key}=${JSON.stringify(value)}`);
    }
  }
}

/** A list of `length` finite numbers, copied. */
export function numberList(where: string, name: string, value: unknown, length: number): number[] {
  if (!Array.isArray(value) || value.length !== length || !value.every((v) => typeof v === "number" && Number.isFinite(v))) {
    throw new Error(`${where}: ${name} must be a list of ${length} finite numbers (one per parameter group), got ${describe(value)}`);
  }
  return [...(value as number[])];
}

/** Throws unless `value` is a whole number > 0. */
export function checkPositiveInteger(where: string, name: string, value: unknown): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw new Error(`${where}: ${name} must be a whole number > 0, got ${describe(value)}`);
  }
}

/** Throws unless `value` is a number in [low, high]. */
export function checkInRange(where: string, name: string, value: unknown, low: number, high: number): void {
  if (typeof value !== "number" || !(value >= low && value <= high)) {
    throw new Error(`${where}: ${name} must be a number in [${low}, ${high}], got ${describe(value)}`);
  }
}

/** One value per parameter group: a single number for all, or a list with one each. */
export function perGroup(where: string, name: string, value: number | readonly number[], optimizer: Optimizer): number[] {
  const groups = optimizer.paramGroups.length;
  if (typeof value === "number") return Array.from({ length: groups }, () => value);
  if (!Array.isArray(value) || value.length !== groups) {
    throw new Error(`${where}: expected ${groups} values for ${name} (one per parameter group), got ${describe(value)}`);
  }
  return [...value];
}

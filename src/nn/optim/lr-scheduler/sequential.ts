// Combining schedulers, like torch.optim.lr_scheduler.SequentialLR (one after
// another: warmup, then cosine) and ChainedScheduler (all at once).

import { describe, type Optimizer } from "../optimizer.ts";
import { LRScheduler, numberList, type Scheduler, type SchedulerStateDict } from "./scheduler.ts";

/**
 * Runs `schedulers` one after the other: the first until milestones[0], the
 * second until milestones[1], and so on. Each hand-over restarts the next
 * scheduler at its epoch 0. Like torch.optim.lr_scheduler.SequentialLR:
 *
 *   const warmup = new LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
 *   const cosine = new CosineAnnealingLR(opt, 95);
 *   const scheduler = new SequentialLR(opt, [warmup, cosine], [5]);
 */
export class SequentialLR implements Scheduler {
  readonly schedulers: LRScheduler[];
  readonly milestones: number[];
  lastEpoch: number;
  private lastLr: number[];

  constructor(readonly optimizer: Optimizer, schedulers: readonly LRScheduler[], milestones: readonly number[]) {
    const where = "SequentialLR";
    if (!Array.isArray(schedulers) || schedulers.length === 0) throw new Error(`${where}: expected a non-empty list of schedulers, got ${describe(schedulers)}`);
    schedulers.forEach((scheduler, i) => {
      if (!(scheduler instanceof LRScheduler)) throw new Error(`${where}: scheduler ${i} is not an LRScheduler (SequentialLR and ChainedScheduler cannot be nested in it)`);
      if (scheduler.optimizer !== optimizer) throw new Error(`${where}: scheduler ${i} belongs to another optimizer than the one passed in`);
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new Error(`${where}: expected ${schedulers.length - 1} milestones for ${schedulers.length} schedulers (one per hand-over), got ${describe(milestones)}`);
    }
    milestones.forEach((m, i) => {
      if (!Number.isInteger(m) || m < 0 || (i > 0 && m < milestones[i - 1]!)) {
        throw new Error(`${where}: milestones must be whole numbers >= 0 in increasing order, got ${describe(milestones)}`);
      }
    });
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];
    // As PyTorch: every scheduler already took its first step when it was created. Undo them all
    // (lr back to initialLr, one epoch back), then restart only the first one.
    this.lastEpoch = 0;
    for (const group of optimizer.paramGroups) group.lr = group.initialLr!;
    for (const scheduler of this.schedulers) scheduler.lastEpoch -= 1;
    this.schedulers[0]!.initialStep();
    this.lastLr = this.schedulers[0]!.getLastLr();
  }

  step(): void {
    this.lastEpoch += 1;
    const index = this.milestones.filter((m) => m <= this.lastEpoch).length; // the scheduler whose turn it is
    const scheduler = this.schedulers[index]!;
    if (index > 0 && this.milestones[index - 1] === this.lastEpoch) scheduler.stepTo(0); // a hand-over: start it at epoch 0
    else scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The milestones, the progress and every scheduler's own state dict. */
  stateDict(): SchedulerStateDict {
    return { _milestones: [...this.milestones], last_epoch: this.lastEpoch, _last_lr: this.getLastLr(), _schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  loadStateDict(state: SchedulerStateDict): void {
    const where = "SequentialLR.loadStateDict";
    if (JSON.stringify(state?._milestones) !== JSON.stringify(this.milestones)) {
      throw new Error(`${where}: the state dict has milestones ${JSON.stringify(state?._milestones)}, this scheduler has ${JSON.stringify(this.milestones)}`);
    }
    loadChildren(where, this.schedulers, state._schedulers);
    if (typeof state.last_epoch !== "number" || !Number.isInteger(state.last_epoch)) throw new Error(`${where}: last_epoch must be an integer, got ${describe(state.last_epoch)}`);
    this.lastLr = numberList(where, "_last_lr", state._last_lr, this.optimizer.paramGroups.length);
    this.lastEpoch = state.last_epoch;
  }
}

/**
 * Steps every scheduler at each step(), so their effects multiply (e.g. a
 * warmup factor times an exponential decay). Like
 * torch.optim.lr_scheduler.ChainedScheduler.
 */
export class ChainedScheduler implements Scheduler {
  readonly optimizer: Optimizer;
  readonly schedulers: Scheduler[];
  private lastLr: number[];

  constructor(schedulers: readonly Scheduler[]) {
    const where = "ChainedScheduler";
    if (!Array.isArray(schedulers) || schedulers.length === 0) throw new Error(`${where}: expected a non-empty list of schedulers, got ${describe(schedulers)}`);
    schedulers.forEach((scheduler, i) => {
      if (scheduler.optimizer !== schedulers[0]!.optimizer) throw new Error(`${where}: schedulers 0 and ${i} belong to different optimizers`);
    });
    this.schedulers = [...schedulers];
    this.optimizer = schedulers[0]!.optimizer;
    this.lastLr = this.currentLrs();
  }

  step(): void {
    for (const scheduler of this.schedulers) scheduler.step();
    this.lastLr = this.currentLrs();
  }

  getLastLr(): number[] {
    return [...this.lastLr];
  }

  private currentLrs(): number[] {
    return this.optimizer.paramGroups.map((group) => group.lr);
  }

  stateDict(): SchedulerStateDict {
    return { _last_lr: this.getLastLr(), _schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  loadStateDict(state: SchedulerStateDict): void {
    const where = "ChainedScheduler.loadStateDict";
    loadChildren(where, this.schedulers, state?._schedulers);
    this.lastLr = numberList(where, "_last_lr", state._last_lr, this.optimizer.paramGroups.length);
  }
}

function loadChildren(where: string, schedulers: readonly Scheduler[], saved: unknown): void {
  if (!Array.isArray(saved) || saved.length !== schedulers.length) {
    throw new Error(`${where}: expected the state dicts of ${schedulers.length} schedulers, got ${describe(saved)}`);
  }
  schedulers.forEach((scheduler, i) => scheduler.loadStateDict(saved[i] as SchedulerStateDict));
}

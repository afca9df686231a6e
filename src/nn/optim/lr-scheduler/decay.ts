// Schedules that shrink (or grow) the lr by a factor: StepLR, MultiStepLR,
// ExponentialLR, LinearLR (linear warmup or decay) and LambdaLR, like their
// namesakes in torch.optim.lr_scheduler. Each gives the chainable form
// (next lr from the current one) and, where PyTorch has it, the closed form.

import { checkNonNegative, describe, type Optimizer } from "../optimizer.ts";
import { checkInRange, checkPositiveInteger, LRScheduler, type SchedulerStateDict } from "./scheduler.ts";

/** lr = base·γ^⌊epoch / stepSize⌋: multiplied by γ every stepSize epochs, like torch.optim.lr_scheduler.StepLR. */
export class StepLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: Optimizer, readonly stepSize: number, { gamma = 0.1 }: { gamma?: number } = {}) {
    super(optimizer);
    checkPositiveInteger(this.name, "stepSize", stepSize);
    checkNonNegative(this.name, "gamma", gamma);
    this.gamma = gamma;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const decays = this.lastEpoch !== 0 && this.lastEpoch % this.stepSize === 0;
    return this.optimizer.paramGroups.map((group) => (decays ? group.lr * this.gamma : group.lr));
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }

  protected settings(): SchedulerStateDict {
    return { step_size: this.stepSize, gamma: this.gamma };
  }
}

/** lr = base·γ^(milestones passed): multiplied by γ at each milestone epoch, like torch.optim.lr_scheduler.MultiStepLR. */
export class MultiStepLR extends LRScheduler {
  /** The milestones in increasing order (one listed twice multiplies by γ² there, as in PyTorch). */
  readonly milestones: number[];
  readonly gamma: number;

  constructor(optimizer: Optimizer, milestones: readonly number[], { gamma = 0.1 }: { gamma?: number } = {}) {
    super(optimizer);
    if (!Array.isArray(milestones) || !milestones.every((m) => Number.isInteger(m) && m >= 0)) {
      throw new Error(`${this.name}: milestones must be a list of whole numbers >= 0 (epochs), got ${describe(milestones)}`);
    }
    checkNonNegative(this.name, "gamma", gamma);
    this.milestones = [...milestones].sort((a, b) => a - b);
    this.gamma = gamma;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const hits = this.milestones.filter((m) => m === this.lastEpoch).length;
    return this.optimizer.paramGroups.map((group) => (hits === 0 ? group.lr : group.lr * this.gamma ** hits));
  }

  protected override closedFormLr(): number[] {
    const passed = this.milestones.filter((m) => m <= this.lastEpoch).length;
    return this.baseLrs.map((base) => base * this.gamma ** passed);
  }

  protected settings(): SchedulerStateDict {
    return { milestones: [...this.milestones], gamma: this.gamma };
  }
}

/** lr = base·γ^epoch, like torch.optim.lr_scheduler.ExponentialLR. */
export class ExponentialLR extends LRScheduler {
  constructor(optimizer: Optimizer, readonly gamma: number) {
    super(optimizer);
    checkNonNegative(this.name, "gamma", gamma);
    this.initialStep();
  }

  protected computeLr(): number[] {
    return this.optimizer.paramGroups.map((group) => (this.lastEpoch === 0 ? group.lr : group.lr * this.gamma));
  }

  protected override closedFormLr(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** this.lastEpoch);
  }

  protected settings(): SchedulerStateDict {
    return { gamma: this.gamma };
  }
}

export interface LinearLROptions {
  /** The factor at epoch 0 (default 1/3). */
  startFactor?: number;
  /** The factor from epoch totalIters on (default 1). */
  endFactor?: number;
  /** Epochs over which the factor goes from startFactor to endFactor (default 5). */
  totalIters?: number;
}

/**
 * lr = base·(s + (e − s)·min(epoch, T)/T): the factor moves linearly from s to
 * e over T epochs, then stays. With s < e it is the usual linear warmup. Like
 * torch.optim.lr_scheduler.LinearLR.
 */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(optimizer: Optimizer, { startFactor = 1 / 3, endFactor = 1, totalIters = 5 }: LinearLROptions = {}) {
    super(optimizer);
    // The chainable form divides by startFactor, so it must not be 0.
    if (typeof startFactor !== "number" || !(startFactor > 0 && startFactor <= 1)) {
      throw new Error(`${this.name}: startFactor must be a number in (0, 1], got ${describe(startFactor)}`);
    }
    checkInRange(this.name, "endFactor", endFactor, 0, 1);
    checkPositiveInteger(this.name, "totalIters", totalIters);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: T } = this;
    const epoch = this.lastEpoch;
    return this.optimizer.paramGroups.map((group) => {
      if (epoch === 0) return group.lr * s;
      if (epoch > T) return group.lr;
      // factor(epoch) / factor(epoch − 1), with factor(k) = s + (e − s)·k/T
      return group.lr * (1 + (e - s) / (T * s + (epoch - 1) * (e - s)));
    });
  }

  protected override closedFormLr(): number[] {
    const { startFactor: s, endFactor: e, totalIters: T } = this;
    return this.baseLrs.map((base) => base * (s + ((e - s) * Math.min(T, this.lastEpoch)) / T));
  }

  protected settings(): SchedulerStateDict {
    return { start_factor: this.startFactor, end_factor: this.endFactor, total_iters: this.totalIters };
  }
}

/** A function of the epoch giving the factor to multiply the base lr by. */
export type LrLambda = (epoch: number) => number;

/**
 * lr = base·λ(epoch), with one function for all groups or one per group, like
 * torch.optim.lr_scheduler.LambdaLR. The functions are not saved in stateDict()
 * (PyTorch saves plain functions as None too): pass the same ones again.
 */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: LrLambda[];

  constructor(optimizer: Optimizer, lrLambda: LrLambda | readonly LrLambda[]) {
    super(optimizer);
    const groups = optimizer.paramGroups.length;
    if (typeof lrLambda === "function") {
      this.lrLambdas = Array.from({ length: groups }, () => lrLambda);
    } else {
      if (!Array.isArray(lrLambda) || lrLambda.length !== groups || !lrLambda.every((f) => typeof f === "function")) {
        throw new Error(`${this.name}: expected one function or ${groups} functions (one per parameter group), got ${describe(lrLambda)}`);
      }
      this.lrLambdas = [...lrLambda];
    }
    this.initialStep();
  }

  protected computeLr(): number[] {
    return this.baseLrs.map((base, i) => {
      const factor = this.lrLambdas[i]!(this.lastEpoch);
      if (typeof factor !== "number" || !Number.isFinite(factor)) {
        throw new Error(`${this.name}: the lr function of parameter group ${i} returned ${describe(factor)} for epoch ${this.lastEpoch}; it must return a finite number`);
      }
      return base * factor;
    });
  }

  protected settings(): SchedulerStateDict {
    return { lr_lambdas: this.lrLambdas.map(() => null) };
  }
}

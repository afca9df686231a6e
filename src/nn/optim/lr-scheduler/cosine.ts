// Cosine annealing, like torch.optim.lr_scheduler.CosineAnnealingLR.

import { checkNonNegative, describe, type Optimizer } from "../optimizer.ts";
import { LRScheduler, type SchedulerStateDict } from "./scheduler.ts";

/**
 * The lr follows half a cosine from the base lr down to etaMin over tMax
 * epochs (and back up over the next tMax, and so on):
 *
 *   lr(t) = ηmin + (base − ηmin)·(1 + cos(πt/T))/2
 *
 * Like PyTorch, each step computes the new lr from the current one
 * (the ratio of two consecutive values of that formula), so that another
 * scheduler may change the lr too; on its own the result equals the formula.
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly etaMin: number;

  constructor(optimizer: Optimizer, readonly tMax: number, { etaMin = 0 }: { etaMin?: number } = {}) {
    super(optimizer);
    if (typeof tMax !== "number" || !Number.isFinite(tMax) || tMax <= 0) {
      throw new Error(`${this.name}: tMax must be a number of epochs > 0, got ${describe(tMax)}`);
    }
    checkNonNegative(this.name, "etaMin", etaMin);
    this.etaMin = etaMin;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const { etaMin, tMax: T } = this;
    const t = this.lastEpoch;
    return this.optimizer.paramGroups.map((group, i) => {
      if (t === 0) return group.lr;
      // At the bottom of a half period the ratio below would be 0/0: step up by the formula's increment instead.
      if ((t - 1 - T) % (2 * T) === 0) return group.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / T))) / 2;
      // lr(t) − ηmin = (lr(t−1) − ηmin) · (1 + cos(πt/T)) / (1 + cos(π(t−1)/T))
      return ((1 + Math.cos((Math.PI * t) / T)) / (1 + Math.cos((Math.PI * (t - 1)) / T))) * (group.lr - etaMin) + etaMin;
    });
  }

  protected override closedFormLr(): number[] {
    const { etaMin, tMax: T } = this;
    return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * this.lastEpoch) / T))) / 2);
  }

  protected settings(): SchedulerStateDict {
    return { T_max: this.tMax, eta_min: this.etaMin };
  }
}

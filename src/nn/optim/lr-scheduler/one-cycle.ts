// The 1cycle policy, like torch.optim.lr_scheduler.OneCycleLR.
//
// The lr climbs from maxLr/divFactor to maxLr over the first pctStart of the
// run, then anneals down to far below where it started (initialLr/finalDivFactor).
// Momentum (SGD's momentum, or Adam's β₁) moves the opposite way, between
// maxMomentum and baseMomentum. With threePhase, the climb is mirrored
// before the final descent, as in the original paper.
//
//   phase 1 (steps 0 … pctStart·T − 1):      lr initialLr → maxLr,   momentum max → base
//   phase 2 (… T − 1):                        lr maxLr → minLr,       momentum base → max
//   (threePhase: maxLr → initialLr over another pctStart·T steps, then initialLr → minLr)
//
// "cos" annealing moves along half a cosine, "linear" along a straight line.

import { checkBoolean, describe, type Optimizer, type ParamGroup, type ScheduledGroupFields } from "../optimizer.ts";
import { checkInRange, checkPositiveInteger, LRScheduler, perGroup, type SchedulerStateDict } from "./scheduler.ts";

export interface OneCycleLROptions {
  /** The number of steps of the whole cycle; or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** The fraction of the cycle spent raising the lr (default 0.3). */
  pctStart?: number;
  /** "cos" (default) or "linear". */
  annealStrategy?: "cos" | "linear";
  /** Cycle momentum (or Adam's β₁) inversely to the lr (default true). */
  cycleMomentum?: boolean;
  /** The momentum at the lr's peak (default 0.85), one for all groups or one per group. */
  baseMomentum?: number | readonly number[];
  /** The momentum at the start and the end (default 0.95). */
  maxMomentum?: number | readonly number[];
  /** initialLr = maxLr / divFactor (default 25). */
  divFactor?: number;
  /** minLr = initialLr / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Three phases (up, down to initialLr, down to minLr) instead of two (default false). */
  threePhase?: boolean;
}

type LrField = "initialLr" | "maxLr" | "minLr";
type MomentumField = "maxMomentum" | "baseMomentum";

/** One phase of the cycle: it ends at endStep, moving lr and momentum between the named group fields. */
interface Phase {
  endStep: number;
  startLr: LrField;
  endLr: LrField;
  startMomentum: MomentumField;
  endMomentum: MomentumField;
}

/** A group of an optimizer with momentum (SGD, RMSprop) or betas (Adam, AdamW). */
type MomentumGroup = ParamGroup & { momentum?: number; betas?: [number, number] };

/** The 1cycle learning-rate (and momentum) policy, like torch.optim.lr_scheduler.OneCycleLR. Call step() once per batch. */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly annealStrategy: "cos" | "linear";
  readonly cycleMomentum: boolean;
  /** True for optimizers with betas (Adam): β₁ plays the part of the momentum. */
  readonly useBeta1: boolean;
  private readonly phases: Phase[];

  constructor(optimizer: Optimizer, maxLr: number | readonly number[], options: OneCycleLROptions = {}) {
    const where = "OneCycleLR";
    const {
      pctStart = 0.3, annealStrategy = "cos", cycleMomentum = true, baseMomentum = 0.85, maxMomentum = 0.95,
      divFactor = 25, finalDivFactor = 1e4, threePhase = false,
    } = options;
    const totalSteps = resolveTotalSteps(where, options);
    checkInRange(where, "pctStart", pctStart, 0, 1);
    if (annealStrategy !== "cos" && annealStrategy !== "linear") {
      throw new Error(`${where}: annealStrategy must be "cos" or "linear", got ${describe(annealStrategy)}`);
    }
    checkBoolean(where, "cycleMomentum", cycleMomentum);
    checkBoolean(where, "threePhase", threePhase);
    const phases = schedulePhases(where, totalSteps, pctStart, threePhase);
    setGroupBounds(where, optimizer, perGroup(where, "maxLr", maxLr, optimizer), divFactor, finalDivFactor);
    if (cycleMomentum) setMomentumBounds(where, optimizer, perGroup(where, "maxMomentum", maxMomentum, optimizer), perGroup(where, "baseMomentum", baseMomentum, optimizer));
    super(optimizer);
    this.totalSteps = totalSteps;
    this.annealStrategy = annealStrategy;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = "betas" in optimizer.defaults;
    this.phases = phases;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) {
      throw new Error(`${this.name}: tried to step ${step + 1} times; the schedule was made for totalSteps=${this.totalSteps}`);
    }
    const { phase, pct } = this.phaseAt(step);
    return this.optimizer.paramGroups.map((group, i) => {
      if (this.cycleMomentum) this.setMomentum(group, this.anneal(field(group, phase.startMomentum, i), field(group, phase.endMomentum, i), pct));
      return this.anneal(field(group, phase.startLr, i), field(group, phase.endLr, i), pct);
    });
  }

  /** The phase `step` falls in and how far through it (0 at its start, 1 at its end; past 1 after the last step). */
  private phaseAt(step: number): { phase: Phase; pct: number } {
    let startStep = 0;
    for (const [i, phase] of this.phases.entries()) {
      if (step <= phase.endStep || i === this.phases.length - 1) return { phase, pct: (step - startStep) / (phase.endStep - startStep) };
      startStep = phase.endStep;
    }
    throw new Error("unreachable: the last phase always matches");
  }

  /** From start (pct 0) to end (pct 1). */
  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === "linear") return (end - start) * pct + start;
    return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1); // half a cosine from start down (or up) to end
  }

  private setMomentum(group: MomentumGroup, momentum: number): void {
    if (this.useBeta1) group.betas = [momentum, group.betas![1]];
    else group.momentum = momentum;
  }

  protected settings(): SchedulerStateDict {
    const phases = this.phases.map((p) => ({
      end_step: p.endStep, start_lr: snake(p.startLr), end_lr: snake(p.endLr), start_momentum: snake(p.startMomentum), end_momentum: snake(p.endMomentum),
    }));
    return { total_steps: this.totalSteps, anneal_strategy: this.annealStrategy, cycle_momentum: this.cycleMomentum, use_beta1: this.useBeta1, _schedule_phases: phases };
  }
}

function resolveTotalSteps(where: string, { totalSteps, epochs, stepsPerEpoch }: OneCycleLROptions): number {
  if (totalSteps !== undefined) {
    checkPositiveInteger(where, "totalSteps", totalSteps);
    return totalSteps;
  }
  if (epochs === undefined || stepsPerEpoch === undefined) throw new Error(`${where}: give either totalSteps or both epochs and stepsPerEpoch`);
  checkPositiveInteger(where, "epochs", epochs);
  checkPositiveInteger(where, "stepsPerEpoch", stepsPerEpoch);
  return epochs * stepsPerEpoch;
}

/** The phases as PyTorch lays them out (a phase ends at a possibly fractional step). */
function schedulePhases(where: string, totalSteps: number, pctStart: number, threePhase: boolean): Phase[] {
  const upEnd = pctStart * totalSteps - 1;
  const phases: Phase[] = threePhase
    ? [
      { endStep: upEnd, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
      { endStep: 2 * pctStart * totalSteps - 2, startLr: "maxLr", endLr: "initialLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
      { endStep: totalSteps - 1, startLr: "initialLr", endLr: "minLr", startMomentum: "maxMomentum", endMomentum: "maxMomentum" },
    ]
    : [
      { endStep: upEnd, startLr: "initialLr", endLr: "maxLr", startMomentum: "maxMomentum", endMomentum: "baseMomentum" },
      { endStep: totalSteps - 1, startLr: "maxLr", endLr: "minLr", startMomentum: "baseMomentum", endMomentum: "maxMomentum" },
    ];
  // A phase of no length would divide by zero (PyTorch fails at that step): refuse it up front.
  phases.forEach((phase, i) => {
    const start = i === 0 ? 0 : phases[i - 1]!.endStep;
    if (!(phase.endStep > start)) {
      throw new Error(`${where}: with totalSteps=${totalSteps} and pctStart=${pctStart}, phase ${i + 1} of the cycle has no steps ` +
        `(it would end at step ${phase.endStep}); use more steps or another pctStart`);
    }
  });
  return phases;
}

/** Writes each group's initialLr, maxLr and minLr, as PyTorch's OneCycleLR does. */
function setGroupBounds(where: string, optimizer: Optimizer, maxLrs: number[], divFactor: number, finalDivFactor: number): void {
  for (const [name, value] of [["divFactor", divFactor], ["finalDivFactor", finalDivFactor]] as const) {
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) throw new Error(`${where}: ${name} must be a number > 0, got ${describe(value)}`);
  }
  optimizer.paramGroups.forEach((group, i) => {
    const maxLr = maxLrs[i]!;
    if (typeof maxLr !== "number" || !Number.isFinite(maxLr) || maxLr < 0) throw new Error(`${where}: maxLr of parameter group ${i} must be a finite number >= 0, got ${describe(maxLr)}`);
    group.initialLr = maxLr / divFactor;
    group.maxLr = maxLr;
    group.minLr = group.initialLr / finalDivFactor;
  });
}

/** Writes each group's momentum bounds and starts its momentum (or β₁) at the maximum. */
function setMomentumBounds(where: string, optimizer: Optimizer, maxMomentums: number[], baseMomentums: number[]): void {
  const useBeta1 = "betas" in optimizer.defaults;
  if (!useBeta1 && !("momentum" in optimizer.defaults)) {
    throw new Error(`${where}: cycleMomentum needs an optimizer with momentum or betas, and ${optimizer.name} has neither; pass { cycleMomentum: false }`);
  }
  optimizer.paramGroups.forEach((group: MomentumGroup, i) => {
    const [maxMomentum, baseMomentum] = [maxMomentums[i]!, baseMomentums[i]!];
    checkInRange(where, `maxMomentum of parameter group ${i}`, maxMomentum, 0, 1);
    checkInRange(where, `baseMomentum of parameter group ${i}`, baseMomentum, 0, 1);
    if (useBeta1) group.betas = [maxMomentum, group.betas![1]];
    else group.momentum = maxMomentum;
    group.maxMomentum = maxMomentum;
    group.baseMomentum = baseMomentum;
  });
}

/** A group's bound, which OneCycleLR wrote at construction (a group added later has none). */
function field(group: ParamGroup, name: keyof ScheduledGroupFields, index: number): number {
  const value = group[name];
  if (value === undefined) throw new Error(`OneCycleLR: parameter group ${index} has no ${name}; was it added after the scheduler was created?`);
  return value;
}

function snake(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

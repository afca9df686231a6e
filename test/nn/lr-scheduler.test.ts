// Learning-rate schedulers against PyTorch 1.13.
//
// test/fixtures/torch-nn/optim.json (written by scripts/torch-nn-optim.py)
// holds, for each scheduler case, the lr of both parameter groups (0.1 and
// 0.05 to start with) after construction and after each of 30 steps, and the
// momentum (SGD's momentum or Adam's β₁) that OneCycleLR cycles.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { zeros } from "../../src/index.ts";
import { Adagrad, Adam, lrScheduler, SGD, type Optimizer } from "../../src/nn/optim/index.ts";
import {
  ChainedScheduler, CosineAnnealingLR, ExponentialLR, LambdaLR, LinearLR, MultiStepLR, OneCycleLR,
  SequentialLR, StepLR, type Scheduler, type SchedulerStateDict,
} from "../../src/nn/optim/lr-scheduler/index.ts";

interface SchedulerCase {
  name: string;
  optimizer: "SGD" | "Adam";
  lrs: number[][];
  momentum: number[][];
}

const fixture = JSON.parse(readFileSync(new URL("../fixtures/torch-nn/optim.json", import.meta.url), "utf8")) as { schedulers: SchedulerCase[] };

/** The generator's schedulers, built the same way. */
const MAKERS: Record<string, (o: Optimizer) => Scheduler> = {
  "StepLR": (o) => new StepLR(o, 7, { gamma: 0.5 }),
  "StepLR default gamma": (o) => new StepLR(o, 4),
  "MultiStepLR": (o) => new MultiStepLR(o, [5, 12, 12, 20], { gamma: 0.3 }),
  "ExponentialLR": (o) => new ExponentialLR(o, 0.9),
  "CosineAnnealingLR": (o) => new CosineAnnealingLR(o, 10, { etaMin: 0.001 }),
  "CosineAnnealingLR default etaMin": (o) => new CosineAnnealingLR(o, 7),
  "LambdaLR one function": (o) => new LambdaLR(o, (e) => 0.95 ** e),
  "LambdaLR per group": (o) => new LambdaLR(o, [(e) => 1 / (e + 1), (e) => 0.5 ** Math.floor(e / 3)]),
  "LinearLR default": (o) => new LinearLR(o),
  "LinearLR warmup": (o) => new LinearLR(o, { startFactor: 0.1, totalIters: 8 }),
  "LinearLR decay": (o) => new LinearLR(o, { startFactor: 1, endFactor: 0.2, totalIters: 10 }),
  "OneCycleLR": (o) => new OneCycleLR(o, [1, 0.5], { totalSteps: 30 }),
  "OneCycleLR linear": (o) => new OneCycleLR(o, 0.8, { totalSteps: 30, annealStrategy: "linear" }),
  "OneCycleLR three phase": (o) => new OneCycleLR(o, 1, { totalSteps: 30, threePhase: true }),
  "OneCycleLR epochs": (o) => new OneCycleLR(o, 0.6, {
    epochs: 5, stepsPerEpoch: 6, pctStart: 0.25, divFactor: 10, finalDivFactor: 100, baseMomentum: 0.8, maxMomentum: 0.9,
  }),
  "OneCycleLR no momentum": (o) => new OneCycleLR(o, 0.5, { totalSteps: 30, cycleMomentum: false }),
  "OneCycleLR Adam": (o) => new OneCycleLR(o, 0.01, { totalSteps: 30 }),
  "SequentialLR warmup then cosine": (o) =>
    new SequentialLR(o, [new LinearLR(o, { startFactor: 0.1, totalIters: 5 }), new CosineAnnealingLR(o, 25)], [5]),
  "SequentialLR three": (o) =>
    new SequentialLR(o, [new ExponentialLR(o, 0.9), new StepLR(o, 3, { gamma: 0.5 }), new LambdaLR(o, (e) => 1 / (e + 1))], [4, 10]),
  "ChainedScheduler": (o) => new ChainedScheduler([new LinearLR(o, { startFactor: 0.5, totalIters: 4 }), new ExponentialLR(o, 0.9)]),
};

/** Two groups, lr 0.1 and 0.05, as in the generator. */
function makeOptimizer(kind: "SGD" | "Adam"): Optimizer {
  const groups = [{ params: [zeros([2]).requiresGrad_()] }, { params: [zeros([3]).requiresGrad_()], lr: 0.05 }];
  return kind === "SGD" ? new SGD(groups, { lr: 0.1, momentum: 0.9 }) : new Adam(groups, { lr: 0.1 });
}

function momentaOf(optimizer: Optimizer): number[] {
  return optimizer.paramGroups.map((g) => {
    const group = g as typeof g & { momentum?: number; betas?: [number, number] };
    return group.momentum ?? group.betas![0];
  });
}

/** Equal up to the last bit or two (Math.cos and ** may round differently from the C library). */
function assertNumbersClose(actual: number[], expected: number[], message: string): void {
  assert.equal(actual.length, expected.length, message);
  actual.forEach((a, i) => {
    const b = expected[i]!;
    assert.ok(Math.abs(a - b) <= 1e-15 * Math.abs(b) + 1e-18, `${message}, group ${i}: got ${a}, want ${b}`);
  });
}

describe("30-step lr sequences equal PyTorch's", () => {
  for (const c of fixture.schedulers) {
    test(c.name, () => {
      const make = MAKERS[c.name];
      assert.ok(make, `no maker for ${c.name}`);
      const optimizer = makeOptimizer(c.optimizer);
      const scheduler = make(optimizer);
      c.lrs.forEach((expected, step) => {
        if (step > 0) scheduler.step();
        assertNumbersClose(scheduler.getLastLr(), expected, `${c.name}, lr after ${step} steps`);
        assert.deepEqual(optimizer.paramGroups.map((g) => g.lr), scheduler.getLastLr(), "the groups hold the lrs");
        assertNumbersClose(momentaOf(optimizer), c.momentum[step]!, `${c.name}, momentum after ${step} steps`);
      });
    });
  }
});

describe("stateDict / loadStateDict", () => {
  for (const c of fixture.schedulers) {
    test(`save after 10 steps, load into fresh objects, continue: the same lrs (${c.name})`, () => {
      const optimizer = makeOptimizer(c.optimizer);
      const scheduler = MAKERS[c.name]!(optimizer);
      for (let i = 0; i < 10; i++) scheduler.step();
      const savedOptimizer = optimizer.stateDict();
      const savedScheduler = JSON.parse(JSON.stringify(scheduler.stateDict())) as SchedulerStateDict;
      assert.deepEqual(savedScheduler, scheduler.stateDict(), "the scheduler state survives JSON unchanged");

      const freshOptimizer = makeOptimizer(c.optimizer);
      const fresh = MAKERS[c.name]!(freshOptimizer);
      // The optimizer first: its groups hold the current lr (and momentum), which chainable schedules start from.
      freshOptimizer.loadStateDict(savedOptimizer);
      fresh.loadStateDict(savedScheduler);
      assert.deepEqual(fresh.getLastLr(), scheduler.getLastLr());
      c.lrs.slice(11).forEach((expected, i) => {
        fresh.step();
        assertNumbersClose(fresh.getLastLr(), expected, `${c.name}, lr after ${i + 11} steps`);
        assertNumbersClose(momentaOf(freshOptimizer), c.momentum[i + 11]!, `${c.name}, momentum after ${i + 11} steps`);
      });
    });
  }

  test("PyTorch's names, and initial_lr in the optimizer's groups", () => {
    const optimizer = makeOptimizer("SGD");
    const scheduler = new StepLR(optimizer, 3, { gamma: 0.5 });
    scheduler.step();
    assert.deepEqual(scheduler.stateDict(), { step_size: 3, gamma: 0.5, base_lrs: [0.1, 0.05], last_epoch: 1, _last_lr: [0.1, 0.05] });
    assert.deepEqual(optimizer.stateDict().param_groups.map((g) => g.initial_lr), [0.1, 0.05]);
    const lambda = new LambdaLR(makeOptimizer("SGD"), (e) => e + 1);
    assert.deepEqual(lambda.stateDict().lr_lambdas, [null, null], "functions are not saved (PyTorch saves None)");
    const cycle = new OneCycleLR(makeOptimizer("Adam"), 1, { totalSteps: 10 });
    assert.deepEqual(cycle.stateDict()._schedule_phases, [
      { end_step: 2, start_lr: "initial_lr", end_lr: "max_lr", start_momentum: "max_momentum", end_momentum: "base_momentum" },
      { end_step: 9, start_lr: "max_lr", end_lr: "min_lr", start_momentum: "base_momentum", end_momentum: "max_momentum" },
    ]);
    assert.deepEqual(cycle.optimizer.paramGroups.map((g) => [g.initialLr, g.maxLr, g.minLr, g.maxMomentum, g.baseMomentum]),
      [[0.04, 1, 0.04 / 1e4, 0.95, 0.85], [0.04, 1, 0.04 / 1e4, 0.95, 0.85]]);
  });

  test("mismatched settings and malformed dicts throw", () => {
    const saved = new StepLR(makeOptimizer("SGD"), 3).stateDict();
    assert.throws(() => new StepLR(makeOptimizer("SGD"), 5).loadStateDict(saved), /StepLR\.loadStateDict: the state dict has step_size=3, this scheduler has step_size=5/);
    assert.throws(() => new ExponentialLR(makeOptimizer("SGD"), 0.5).loadStateDict(saved), /the state dict has no gamma|gamma=0\.1, this scheduler has gamma=0\.5/);
    assert.throws(() => new StepLR(makeOptimizer("SGD"), 3).loadStateDict({ ...saved, base_lrs: [0.1] }), /base_lrs must be a list of 2 finite numbers/);
    assert.throws(() => new StepLR(makeOptimizer("SGD"), 3).loadStateDict({ ...saved, last_epoch: 1.5 }), /last_epoch must be an integer >= -1, got 1\.5/);
    const o = makeOptimizer("SGD");
    const sequential = new SequentialLR(o, [new ExponentialLR(o, 0.9), new StepLR(o, 2)], [3]);
    const other = makeOptimizer("SGD");
    assert.throws(() => new SequentialLR(other, [new ExponentialLR(other, 0.9), new StepLR(other, 2)], [4]).loadStateDict(sequential.stateDict()),
      /SequentialLR\.loadStateDict: the state dict has milestones \[3\], this scheduler has \[4\]/);
    assert.throws(() => new ChainedScheduler([new ExponentialLR(other, 0.9)]).loadStateDict({ _last_lr: [0.1, 0.05], _schedulers: [] }),
      /expected the state dicts of 1 schedulers/);
  });
});

describe("behaviour", () => {
  test("the namespace mirrors torch.optim.lr_scheduler", () => {
    assert.equal(lrScheduler.StepLR, StepLR);
    assert.equal(lrScheduler.OneCycleLR, OneCycleLR);
  });

  test("construction sets each group's lr to the schedule's value at epoch 0, and remembers initialLr", () => {
    const optimizer = makeOptimizer("SGD");
    new LinearLR(optimizer, { startFactor: 0.5 });
    assert.deepEqual(optimizer.paramGroups.map((g) => g.lr), [0.05, 0.025]);
    assert.deepEqual(optimizer.paramGroups.map((g) => g.initialLr), [0.1, 0.05]);
  });

  test("closed form and chainable form agree: lastEpoch, stepTo", () => {
    const scheduler = new CosineAnnealingLR(makeOptimizer("SGD"), 10, { etaMin: 0.01 });
    for (let i = 0; i < 4; i++) scheduler.step();
    const chained = scheduler.getLastLr();
    assert.equal(scheduler.lastEpoch, 4);
    scheduler.stepTo(4);
    assertNumbersClose(scheduler.getLastLr(), chained, "closed form at epoch 4");
  });

  test("two chainable schedulers on one optimizer multiply their factors", () => {
    const optimizer = makeOptimizer("SGD");
    const warmup = new LinearLR(optimizer, { startFactor: 0.5, totalIters: 2 });
    const decay = new ExponentialLR(optimizer, 0.5);
    warmup.step();
    decay.step();
    // warmup: 0.5 → 0.75 of base; decay: × 0.5
    assertNumbersClose(optimizer.paramGroups.map((g) => g.lr), [0.1 * 0.75 * 0.5, 0.05 * 0.75 * 0.5], "lr");
  });

  test("a training loop with warmup then cosine moves the optimizer's lr", () => {
    const optimizer = makeOptimizer("SGD");
    const scheduler = new SequentialLR(optimizer, [new LinearLR(optimizer, { startFactor: 0.1, totalIters: 3 }), new CosineAnnealingLR(optimizer, 5)], [3]);
    const seen: number[] = [];
    for (let epoch = 0; epoch < 8; epoch++) {
      seen.push(optimizer.paramGroups[0]!.lr);
      optimizer.step();
      scheduler.step();
    }
    assert.ok(seen[0]! < seen[1]! && seen[1]! < seen[2]!, `warmup rises: ${seen}`);
    assert.ok(Math.abs(seen[3]! - 0.1) < 1e-15, `the cosine starts at the base lr: ${seen}`);
    assert.ok(seen[7]! < seen[4]!, `then falls: ${seen}`);
  });
});

describe("bad input throws", () => {
  const sgd = () => makeOptimizer("SGD");

  test("settings", () => {
    assert.throws(() => new StepLR(sgd(), 0), /StepLR: stepSize must be a whole number > 0, got 0/);
    assert.throws(() => new StepLR(sgd(), 2, { gamma: -1 }), /StepLR: invalid gamma -1/);
    assert.throws(() => new MultiStepLR(sgd(), [3, -1]), /MultiStepLR: milestones must be a list of whole numbers >= 0/);
    assert.throws(() => new ExponentialLR(sgd(), NaN), /ExponentialLR: invalid gamma NaN/);
    assert.throws(() => new CosineAnnealingLR(sgd(), 0), /CosineAnnealingLR: tMax must be a number of epochs > 0, got 0/);
    assert.throws(() => new CosineAnnealingLR(sgd(), 5, { etaMin: -0.1 }), /invalid etaMin -0\.1/);
    assert.throws(() => new LinearLR(sgd(), { startFactor: 0 }), /LinearLR: startFactor must be a number in \(0, 1\], got 0/);
    assert.throws(() => new LinearLR(sgd(), { endFactor: 2 }), /LinearLR: endFactor must be a number in \[0, 1\], got 2/);
    assert.throws(() => new LinearLR(sgd(), { totalIters: 2.5 }), /totalIters must be a whole number > 0, got 2\.5/);
    assert.throws(() => new LambdaLR(sgd(), [(e) => e]), /LambdaLR: expected one function or 2 functions \(one per parameter group\)/);
    assert.throws(() => new LambdaLR(sgd(), () => NaN), /LambdaLR: the lr function of parameter group 0 returned NaN for epoch 0/);
    assert.throws(() => new LambdaLR(sgd(), (e) => 1 / e), /LambdaLR: the lr function of parameter group 0 returned Infinity for epoch 0/);
    assert.throws(() => new StepLR({} as Optimizer, 2), /StepLR: expected an Optimizer/);
  });

  test("OneCycleLR", () => {
    assert.throws(() => new OneCycleLR(sgd(), 1), /OneCycleLR: give either totalSteps or both epochs and stepsPerEpoch/);
    assert.throws(() => new OneCycleLR(sgd(), 1, { epochs: 2 }), /give either totalSteps or both epochs and stepsPerEpoch/);
    assert.throws(() => new OneCycleLR(sgd(), 1, { totalSteps: -3 }), /totalSteps must be a whole number > 0, got -3/);
    assert.throws(() => new OneCycleLR(sgd(), 1, { totalSteps: 10, pctStart: 1.5 }), /pctStart must be a number in \[0, 1\], got 1\.5/);
    assert.throws(() => new OneCycleLR(sgd(), 1, { totalSteps: 3 }), /with totalSteps=3 and pctStart=0\.3, phase 1 of the cycle has no steps/);
    assert.throws(() => new OneCycleLR(sgd(), [1, 2, 3], { totalSteps: 10 }), /expected 2 values for maxLr \(one per parameter group\), got \[1, 2, 3\]/);
    assert.throws(() => new OneCycleLR(sgd(), 1, { totalSteps: 10, annealStrategy: "cosine" as "cos" }), /annealStrategy must be "cos" or "linear", got "cosine"/);
    assert.throws(() => new OneCycleLR(sgd(), 1, { totalSteps: 10, maxMomentum: 1.5 }), /maxMomentum of parameter group 0 must be a number in \[0, 1\], got 1\.5/);
    const adagrad = new Adagrad([zeros([2]).requiresGrad_()]);
    assert.throws(() => new OneCycleLR(adagrad, 1, { totalSteps: 10 }), /cycleMomentum needs an optimizer with momentum or betas, and Adagrad has neither/);
    assert.doesNotThrow(() => new OneCycleLR(adagrad, 1, { totalSteps: 10, cycleMomentum: false }));
    const scheduler = new OneCycleLR(sgd(), 1, { totalSteps: 4 });
    for (let i = 0; i < 4; i++) scheduler.step(); // PyTorch allows one step past the last (extrapolating the last phase)
    assert.throws(() => scheduler.step(), /OneCycleLR: tried to step 6 times; the schedule was made for totalSteps=4/);
  });

  test("SequentialLR and ChainedScheduler", () => {
    const o = sgd();
    const other = sgd();
    assert.throws(() => new SequentialLR(o, [new StepLR(o, 2), new StepLR(o, 3)], []), /SequentialLR: expected 1 milestones for 2 schedulers/);
    assert.throws(() => new SequentialLR(o, [new StepLR(o, 2), new StepLR(other, 3)], [2]), /SequentialLR: scheduler 1 belongs to another optimizer/);
    assert.throws(() => new SequentialLR(o, [new StepLR(o, 2), new StepLR(o, 2), new StepLR(o, 2)], [4, 2]), /milestones must be whole numbers >= 0 in increasing order/);
    assert.throws(() => new SequentialLR(o, [], []), /SequentialLR: expected a non-empty list of schedulers/);
    assert.throws(() => new ChainedScheduler([new StepLR(o, 2), new StepLR(other, 2)]), /ChainedScheduler: schedulers 0 and 1 belong to different optimizers/);
  });

  test("a group added after the scheduler", () => {
    const o = sgd();
    const scheduler = new StepLR(o, 2);
    o.addParamGroup({ params: [zeros([1]).requiresGrad_()] });
    assert.throws(() => scheduler.step(), /StepLR: the optimizer has 3 parameter groups, but the scheduler was made for 2/);
  });
});

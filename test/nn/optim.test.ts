// Optimizers: SGD, Adam, AdamW, RMSprop and Adagrad against PyTorch 1.13.
//
// test/fixtures/torch-nn/optim.json (written by scripts/torch-nn-optim.py)
// holds a small least-squares problem, loss = mean((X Wᵀ + b − Y)²), with a
// third parameter `unused` that never gets a gradient, and for each
// optimizer case the parameters after each of 5 steps and the final
// state_dict(). Here the same steps run in gradschool (gradients by its
// autograd) and must land on the same numbers.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { noGrad, ones, tensor, type DType, type NestedArray, type Tensor } from "../../src/index.ts";
import { Linear } from "../../src/nn/layers/linear.ts";
import { Parameter } from "../../src/nn/parameter.ts";
import {
  Adagrad, Adam, AdamW, Optimizer, RMSprop, SGD, type JsonValue, type OptimizerStateDict, type ParamGroupInput, type ParamState,
} from "../../src/nn/optim/index.ts";
import { assertClose } from "../helpers/assert.ts";

// ---- the fixture ------------------------------------------------------------------

interface OptimizerCase {
  name: string;
  optimizer: "SGD" | "Adam" | "AdamW" | "RMSprop" | "Adagrad";
  options: Record<string, unknown>;
  groups?: { params: number[]; options: Record<string, unknown> }[];
  dtype: DType;
  trajectory: NestedArray[][];
  stateDict: { state: Record<string, Record<string, NestedArray | null>>; param_groups: Record<string, JsonValue>[] };
}

const fixture = JSON.parse(readFileSync(new URL("../fixtures/torch-nn/optim.json", import.meta.url), "utf8")) as {
  problem: Record<"X" | "Y" | "W" | "b" | "unused", NestedArray>;
  optimizers: OptimizerCase[];
};
const { problem } = fixture;

const CLASSES = { SGD, Adam, AdamW, RMSprop, Adagrad } as const;

/** W, b and unused at their starting values, as leaves that require grad. */
function makeParams(dtype: DType): Tensor[] {
  return (["W", "b", "unused"] as const).map((name) => tensor(problem[name], { dtype, requiresGrad: true }));
}

/** mean((X Wᵀ + b − Y)²): gradients for W and b, none for unused. */
function lossOf([W, b]: Tensor[], dtype: DType): Tensor {
  const X = tensor(problem.X, { dtype });
  const Y = tensor(problem.Y, { dtype });
  return X.matmul(W!.T).add(b!).sub(Y).square().mean();
}

function makeOptimizer(c: OptimizerCase, params: Tensor[]): Optimizer {
  const Class = CLASSES[c.optimizer] as unknown as new (params: unknown, options: unknown) => Optimizer;
  const input = c.groups === undefined ? params : c.groups.map((g) => ({ params: g.params.map((i) => params[i]!), ...g.options }));
  return new Class(input, c.options);
}

function trainStep(optimizer: Optimizer, params: Tensor[], dtype: DType): void {
  optimizer.zeroGrad();
  lossOf(params, dtype).backward();
  optimizer.step();
}

/** Tolerances: float64 must agree to rounding; float32 to PyTorch's float32 rounding (a few ulps). */
function tolerance(dtype: DType): { atol: number; rtol: number } {
  return dtype === "float64" ? { atol: 1e-14, rtol: 1e-12 } : { atol: 5e-7, rtol: 1e-6 };
}

function assertParamsClose(params: Tensor[], expected: NestedArray[], dtype: DType, message: string): void {
  params.forEach((p, i) => assertClose(p, expected[i]!, { ...tolerance(dtype), message: `${message} param ${i}` }));
}

/** PyTorch's groups also list options that only choose an implementation; gradschool has none of them. */
const PYTORCH_ONLY = new Set(["foreach", "capturable", "differentiable", "fused"]);

function assertStateDictClose(actual: OptimizerStateDict, expected: OptimizerCase["stateDict"], dtype: DType, message: string): void {
  assert.deepEqual(Object.keys(actual.state).sort(), Object.keys(expected.state).sort(), `${message}: parameters with state`);
  for (const [index, entry] of Object.entries(expected.state)) {
    const ours = actual.state[index]!;
    assert.deepEqual(Object.keys(ours).sort(), Object.keys(entry).sort(), `${message}: state names of parameter ${index}`);
    for (const [key, value] of Object.entries(entry)) {
      const got = ours[key];
      if (value === null || typeof value === "number") assert.equal(got, value, `${message}: ${key} of parameter ${index}`);
      else assertClose(got as Tensor, value, { ...tolerance(dtype), message: `${message}: ${key} of parameter ${index}` });
    }
  }
  assert.equal(actual.param_groups.length, expected.param_groups.length);
  expected.param_groups.forEach((group, g) => {
    const wanted = Object.fromEntries(Object.entries(group).filter(([key]) => !PYTORCH_ONLY.has(key)));
    assert.deepEqual(actual.param_groups[g], wanted, `${message}: param_groups[${g}]`);
  });
}

/** Asserts that a state dict is plain data (JSON) except for its tensors. */
function assertJsonExceptTensors(value: unknown, path = "stateDict"): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") return assert.ok(Number.isFinite(value), `${path} is not finite`);
  if (value instanceof Parameter) assert.fail(`${path} is a Parameter, not a copy`);
  if (isTensor(value)) return;
  if (Array.isArray(value)) return value.forEach((v, i) => assertJsonExceptTensors(v, `${path}[${i}]`));
  assert.equal(Object.getPrototypeOf(value), Object.prototype, `${path} is not a plain object`);
  for (const [key, v] of Object.entries(value as object)) assertJsonExceptTensors(v, `${path}.${key}`);
}

function isTensor(value: unknown): value is Tensor {
  return typeof value === "object" && value !== null && "storage" in value && "shape" in value;
}

// ---- PyTorch's trajectories ---------------------------------------------------------

describe("5-step trajectories equal PyTorch's", () => {
  for (const c of fixture.optimizers) {
    test(c.name, () => {
      const params = makeParams(c.dtype);
      const optimizer = makeOptimizer(c, params);
      c.trajectory.forEach((expected, step) => {
        trainStep(optimizer, params, c.dtype);
        assertParamsClose(params, expected, c.dtype, `${c.name}, step ${step + 1}`);
      });
      assertStateDictClose(optimizer.stateDict(), c.stateDict, c.dtype, c.name);
    });
  }
});

// ---- behaviour ------------------------------------------------------------------------

describe("updates", () => {
  const optimizers: [string, (params: Tensor[]) => Optimizer][] = [
    ["SGD", (p) => new SGD(p, { lr: 0.1, momentum: 0.9 })],
    ["Adam", (p) => new Adam(p, { amsgrad: true })],
    ["AdamW", (p) => new AdamW(p)],
    ["RMSprop", (p) => new RMSprop(p, { centered: true, momentum: 0.5 })],
    ["Adagrad", (p) => new Adagrad(p)],
  ];

  for (const [name, make] of optimizers) {
    test(`${name}: in place, skipping parameters without a gradient, state in the parameter's dtype`, () => {
      for (const dtype of ["float32", "float64"] as const) {
        const params = makeParams(dtype);
        const storages = params.map((p) => p.storage);
        const optimizer = make(params);
        trainStep(optimizer, params, dtype);
        params.forEach((p, i) => assert.equal(p.storage, storages[i], "the same memory is updated"));
        assert.notDeepEqual(params[0]!.tolist(), problem.W, "W moved");
        assert.deepEqual(params[2]!.tolist(), tensor(problem.unused, { dtype }).tolist(), "unused (grad null) did not move");
        if (name !== "Adagrad") assert.equal(optimizer.state.has(params[2]!), false, "no state for a parameter never updated");
        for (const state of optimizer.state.values()) {
          for (const value of Object.values(state)) if (isTensor(value)) assert.equal(value.dtype, dtype);
        }
      }
    });
  }

  test("a module's parameters train: Adam fits a linear rule", () => {
    const model = new Linear(3, 1);
    const x = tensor([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 1], [2, -1, 0.5]]);
    const y = x.matmul(tensor([[2], [-1], [0.5]])).add(1);
    const optimizer = new Adam(model.parameters(), { lr: 0.05 });
    let loss = Infinity;
    for (let i = 0; i < 400; i++) {
      optimizer.zeroGrad();
      const l = model.forward(x).sub(y).square().mean();
      l.backward();
      optimizer.step();
      loss = l.item();
    }
    assert.ok(loss < 1e-4, `loss ${loss}`);
  });

  test("step(closure) evaluates the closure with gradients on and returns its loss", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const optimizer = new SGD([w], { lr: 0.5 });
    const loss = noGrad(() => optimizer.step(() => {
      optimizer.zeroGrad();
      const l = w.square().sum();
      l.backward();
      return l;
    }));
    assert.equal(loss!.item(), 5);
    assert.deepEqual(w.tolist(), [0, 0]); // w − 0.5·2w
  });

  test("zeroGrad sets gradients to null by default, or to zeros", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const optimizer = new SGD([w], { lr: 0.1 });
    w.square().sum().backward();
    const grad = w.grad!;
    optimizer.zeroGrad({ setToNone: false });
    assert.equal(w.grad, grad);
    assert.deepEqual(w.grad!.tolist(), [0, 0]);
    optimizer.zeroGrad();
    assert.equal(w.grad, null);
  });

  test("a group's options can change between steps (what schedulers do)", () => {
    const w = tensor([1, 2], { requiresGrad: true });
    const optimizer = new SGD([w], { lr: 0.1 });
    w.sum().backward();
    optimizer.paramGroups[0]!.lr = 0;
    optimizer.step();
    assert.deepEqual(w.tolist(), [1, 2]);
    optimizer.paramGroups[0]!.lr = 0.5;
    optimizer.step();
    assert.deepEqual(w.tolist(), [0.5, 1.5]);
  });

  test("addParamGroup: the new group takes the defaults it does not override", () => {
    const [a, b] = [tensor([1], { requiresGrad: true }), tensor([2], { requiresGrad: true })];
    const optimizer = new Adam([a], { lr: 0.01, betas: [0.8, 0.9] });
    optimizer.addParamGroup({ params: [b], lr: 0.5 });
    const group = optimizer.paramGroups[1]!;
    assert.deepEqual([group.lr, group.betas, group.eps, group.weightDecay], [0.5, [0.8, 0.9], 1e-8, 0]);
    assert.equal(new AdamW([a]).paramGroups[0]!.weightDecay, 0.01);
  });

  test("each group has its own copy of array options (betas)", () => {
    const [a, b] = [tensor([1], { requiresGrad: true }), tensor([2], { requiresGrad: true })];
    const optimizer = new Adam([{ params: [a] }, { params: [b] }]);
    optimizer.paramGroups[0]!.betas[0] = 0.5;
    assert.deepEqual(optimizer.paramGroups[1]!.betas, [0.9, 0.999]);
    assert.deepEqual(optimizer.defaults.betas, [0.9, 0.999]);
  });

  test("groups from a list of { params } objects; params may be a single tensor or any iterable", () => {
    const model = new Linear(2, 2);
    const biasOnly = (function* () { yield model.bias!; })();
    const optimizer = new SGD([{ params: model.weight }, { params: biasOnly, lr: 1 }], { lr: 0.1 });
    assert.deepEqual(optimizer.paramGroups.map((g) => g.params), [[model.weight], [model.bias]]);
    assert.deepEqual(optimizer.paramGroups.map((g) => g.lr), [0.1, 1]);
    assert.throws(() => new SGD([{ params: model.namedParameters() as unknown as Iterable<Tensor> }], { lr: 0.1 }),
      /SGD \(parameter group 0\), parameter 0: optimizers can only optimize Tensors, got \["weight", a Tensor of shape \[2, 2\]\]/);
  });

  test("toString lists each group's options like PyTorch's repr", () => {
    const optimizer = new SGD([tensor([1], { requiresGrad: true })], { lr: 0.1, momentum: 0.9 });
    assert.equal(optimizer.toString(),
      "SGD (\nParameter Group 0\n    dampening: 0\n    lr: 0.1\n    maximize: false\n    momentum: 0.9\n    nesterov: false\n    weightDecay: 0\n)");
  });
});

// ---- errors -------------------------------------------------------------------------

describe("bad input throws, naming the option and the value", () => {
  const w = () => tensor([1, 2], { requiresGrad: true });

  test("invalid options", () => {
    assert.throws(() => new SGD([w()], { lr: -0.1 }), /SGD: invalid lr -0\.1; it must be a finite number >= 0/);
    assert.throws(() => new SGD([w()]), /SGD \(parameter group 0\): no lr was given/);
    assert.throws(() => new SGD([w()], { lr: 0.1, momentum: -1 }), /SGD: invalid momentum -1/);
    assert.throws(() => new SGD([w()], { lr: 0.1, weightDecay: -1 }), /SGD: invalid weight_decay -1/);
    assert.throws(() => new SGD([w()], { lr: 0.1, nesterov: true }), /Nesterov momentum requires a momentum > 0 and zero dampening/);
    assert.throws(() => new SGD([w()], { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), /dampening 0\.1/);
    assert.throws(() => new Adam([w()], { betas: [1, 0.999] }), /Adam: invalid beta parameter at index 0: 1; it must be in \[0, 1\)/);
    assert.throws(() => new Adam([w()], { betas: [0.9, -0.1] }), /index 1: -0\.1/);
    assert.throws(() => new Adam([w()], { betas: [0.9] as unknown as [number, number] }), /betas must be a pair/);
    assert.throws(() => new AdamW([w()], { eps: -1 }), /AdamW: invalid eps -1/);
    assert.throws(() => new Adam([w()], { lr: NaN }), /invalid lr NaN/);
    assert.throws(() => new Adam([w()], { amsgrad: 1 as unknown as boolean }), /invalid amsgrad 1; it must be true or false/);
    assert.throws(() => new RMSprop([w()], { alpha: -0.5 }), /RMSprop: invalid alpha -0\.5/);
    assert.throws(() => new Adagrad([w()], { lrDecay: -1 }), /Adagrad: invalid lr_decay -1/);
    assert.throws(() => new Adagrad([w()], { initialAccumulatorValue: -1 }), /invalid initial_accumulator_value -1/);
  });

  test("unknown option names (a typo would otherwise be ignored)", () => {
    assert.throws(() => new SGD([w()], { lr: 0.1, weight_decay: 0.1 } as object), /SGD: unknown option weight_decay; SGD takes lr, momentum/);
    assert.throws(() => new Adam([{ params: [w()], beta: 0.9 } as ParamGroupInput]), /Adam \(parameter group 0\): unknown option beta/);
  });

  test("per-group options are checked too", () => {
    assert.throws(() => new SGD([{ params: [w()] }, { params: [w()], lr: -1 }], { lr: 0.1 }), /SGD \(parameter group 1\): invalid lr -1/);
    assert.throws(() => new Adam([{ params: [w()], betas: [0.9, 1] }]), /Adam \(parameter group 0\): invalid beta parameter at index 1: 1/);
  });

  test("parameters: in two groups, twice in one, non-leaf, integer, none, a bare tensor", () => {
    const a = w();
    assert.throws(() => new SGD([{ params: [a] }, { params: [a] }], { lr: 0.1 }), /some parameters appear in more than one parameter group/);
    assert.throws(() => new SGD([a, a], { lr: 0.1 }), /lists a parameter more than once/);
    assert.throws(() => new SGD([a.mul(2)], { lr: 0.1 }), /can't optimize a non-leaf tensor \(shape \[2\]/);
    assert.throws(() => new SGD([tensor([1, 2], { dtype: "int32" })], { lr: 0.1 }), /only floating-point tensors can be optimized, got a int32 tensor/);
    assert.throws(() => new SGD([], { lr: 0.1 }), /SGD: got an empty parameter list/);
    assert.throws(() => new SGD(a as unknown as Tensor[], { lr: 0.1 }), /got a single Tensor; wrap it in a list/);
    assert.throws(() => new SGD([{ params: [] }], { lr: 0.1 }), /the group has no parameters/);
    assert.throws(() => new SGD([1 as unknown as Tensor], { lr: 0.1 }), /a parameter group must be an object/);
    const optimizer = new SGD([a], { lr: 0.1 });
    assert.throws(() => optimizer.addParamGroup({ params: [a] }), /parameter group 1\): some parameters appear in more than one parameter group \(also in group 0\)/);
  });

  test("a gradient of the wrong shape", () => {
    const a = w();
    const optimizer = new SGD([a], { lr: 0.1 });
    a.grad = ones([3]);
    assert.throws(() => optimizer.step(), /SGD\.step: parameter 0 of group 0 has shape \[2\] but its gradient has shape \[3\]/);
  });
});

// ---- state dicts -----------------------------------------------------------------------

describe("stateDict / loadStateDict", () => {
  /** One case per optimizer, with the options that keep the most state. */
  const roundTripCases = ["SGD {\"lr\": 0.1, \"momentum\": 0.9, \"nesterov\": true}", "Adam {\"lr\": 0.1, \"amsgrad\": true}",
    "AdamW {\"lr\": 0.1, \"weightDecay\": 0.1, \"amsgrad\": true}", "RMSprop {\"lr\": 0.01, \"centered\": true, \"momentum\": 0.5, \"weightDecay\": 0.1, \"eps\": 0.0001}",
    "Adagrad {\"lr\": 0.1, \"weightDecay\": 0.1, \"initialAccumulatorValue\": 0.5}", "Adam two groups", "RMSprop two groups"];

  for (const name of roundTripCases) {
    test(`save after 2 steps, load into a fresh optimizer, continue: PyTorch's trajectory (${name})`, () => {
      const c = fixture.optimizers.find((entry) => entry.name === name);
      assert.ok(c, `no fixture case ${name}`);
      const params = makeParams(c.dtype);
      const optimizer = makeOptimizer(c, params);
      trainStep(optimizer, params, c.dtype);
      trainStep(optimizer, params, c.dtype);
      const saved = optimizer.stateDict();
      assertJsonExceptTensors(saved);
      // Through JSON for everything but the tensors, as a checkpoint file would store it.
      const reloaded = reviveTensors(JSON.parse(JSON.stringify(saved, tensorsAsMarkers)), saved);

      const freshParams = params.map((p) => p.detach().clone().requiresGrad_());
      const fresh = makeOptimizer({ ...c, options: c.optimizer === "SGD" ? { lr: 1 } : {} }, freshParams);
      fresh.loadStateDict(reloaded);
      c.trajectory.slice(2).forEach((expected, i) => {
        trainStep(fresh, freshParams, c.dtype);
        trainStep(optimizer, params, c.dtype);
        assertParamsClose(freshParams, expected, c.dtype, `${name}, step ${i + 3}`);
        freshParams.forEach((p, j) => assert.deepEqual(p.tolist(), params[j]!.tolist(), "same as without the interruption"));
      });
      assertStateDictClose(fresh.stateDict(), c.stateDict, c.dtype, name);
    });
  }

  test("stateDict is a snapshot and loadStateDict copies: no tensor is shared", () => {
    const params = makeParams("float64");
    const optimizer = new Adam(params, { lr: 0.1 });
    trainStep(optimizer, params, "float64");
    const saved = optimizer.stateDict();
    const before = (saved.state["0"]!.exp_avg as Tensor).tolist();
    trainStep(optimizer, params, "float64");
    assert.deepEqual((saved.state["0"]!.exp_avg as Tensor).tolist(), before, "the saved dict did not follow training");
    optimizer.loadStateDict(saved);
    noGrad(() => (saved.state["0"]!.exp_avg as Tensor).fill_(123));
    assert.deepEqual((optimizer.state.get(params[0]!)!.exp_avg as Tensor).tolist(), before, "the loaded state is a copy");
    saved.param_groups[0]!.betas = [0.1, 0.2];
    assert.deepEqual(optimizer.paramGroups[0]!.betas, [0.9, 0.999], "the loaded options are a copy");
  });

  test("PyTorch's names: state keys, snake_case options, initial_lr; state tensors converted to the parameter's dtype", () => {
    const a = tensor([1, 2], { requiresGrad: true });
    const optimizer = new Adagrad([a], { lr: 0.1, lrDecay: 0.01 });
    optimizer.paramGroups[0]!.initialLr = 0.1;
    const saved = optimizer.stateDict();
    assert.deepEqual(saved.param_groups, [{
      lr: 0.1, lr_decay: 0.01, weight_decay: 0, initial_accumulator_value: 0, eps: 1e-10, maximize: false, initial_lr: 0.1, params: [0],
    }]);
    assert.deepEqual(Object.keys(saved.state["0"]!), ["step", "sum"]);
    saved.state["0"]!.sum = tensor([3, 4], { dtype: "float64" });
    (saved.param_groups[0] as Record<string, JsonValue>).foreach = null; // PyTorch's implementation switches are skipped
    optimizer.loadStateDict(saved);
    const sum = optimizer.state.get(a)!.sum;
    assert.equal(sum.dtype, "float32");
    assert.deepEqual(sum.tolist(), [3, 4]);
    assert.equal(optimizer.paramGroups[0]!.initialLr, 0.1);
  });

  test("a step count saved as a 0-d tensor (PyTorch's form) loads as a number", () => {
    const params = makeParams("float64");
    const optimizer = new Adam(params);
    trainStep(optimizer, params, "float64");
    const saved = optimizer.stateDict();
    saved.state["0"]!.step = tensor(1, { dtype: "float32" });
    optimizer.loadStateDict(saved);
    assert.equal(optimizer.state.get(params[0]!)!.step, 1);
  });

  test("mismatches throw with what differs", () => {
    const params = makeParams("float64");
    const adam = new Adam(params);
    trainStep(adam, params, "float64");
    const saved = adam.stateDict();
    const twoGroups = new Adam([{ params: [params[0]!] }, { params: [params[1]!, params[2]!] }]);
    assert.throws(() => twoGroups.loadStateDict(saved), /Adam\.loadStateDict: the state dict has 1 parameter groups, this optimizer has 2/);
    assert.throws(() => new Adam(params.slice(0, 2)).loadStateDict(saved), /parameter group 0 has 3 parameters in the state dict but 2 in this optimizer/);
    const swapped = makeParams("float64").reverse();
    assert.throws(() => new Adam(swapped).loadStateDict(saved), /state of parameter 0\): exp_avg has shape \[3, 4\], the parameter has shape \[2\]/);
    assert.throws(() => new Adam(params, { amsgrad: true }).loadStateDict({ ...saved, param_groups: [{ ...saved.param_groups[0]!, amsgrad: true }] }),
      /missing max_exp_avg_sq \(Adam with these options keeps step, exp_avg, exp_avg_sq, max_exp_avg_sq\)/);
    assert.throws(() => new SGD(params, { lr: 0.1 }).loadStateDict(saved), /SGD\.loadStateDict \(parameter group 0\): unknown options betas, eps, amsgrad/);
    assert.throws(() => adam.loadStateDict({ ...saved, state: { 7: {} } }), /state for parameter 7, which no parameter group lists/);
    assert.throws(() => adam.loadStateDict({ ...saved, param_groups: [{ ...saved.param_groups[0]!, lr: -1 }] }), /invalid lr -1/);
    const { eps: _eps, ...withoutEps } = saved.param_groups[0]!;
    assert.throws(() => adam.loadStateDict({ ...saved, param_groups: [withoutEps as typeof saved.param_groups[0]] }), /the saved group has no eps/);
    assert.throws(() => adam.loadStateDict({ ...saved, state: { 0: { ...saved.state["0"]!, step: "5" as unknown as number } } }),
      /step must be a Tensor, a finite number or null, got "5"/);
    assert.throws(() => adam.loadStateDict({} as OptimizerStateDict), /expected \{ state, param_groups \}/);
  });
});

// ---- helpers for the JSON round trip ------------------------------------------------

/** A JSON.stringify replacer that writes each tensor as a marker. */
function tensorsAsMarkers(_key: string, value: unknown): unknown {
  return isTensor(value) ? { __tensor__: true } : value;
}

/** Puts the original tensors back where the markers are (a checkpoint would read them from a safetensors file). */
function reviveTensors(parsed: OptimizerStateDict, original: OptimizerStateDict): OptimizerStateDict {
  for (const [index, entry] of Object.entries(parsed.state)) {
    for (const key of Object.keys(entry)) {
      const value = entry[key] as unknown;
      if (typeof value === "object" && value !== null && "__tensor__" in value) {
        entry[key] = (original.state[index] as ParamState)[key]!;
      }
    }
  }
  return parsed;
}


// Module, Parameter and the containers: names, order, modes, state dicts, printing.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ones, randn, tensor, zeros, type Tensor } from "../../src/index.ts";
import { ModuleDict, ModuleList, Sequential } from "../../src/nn/containers.ts";
import { Linear } from "../../src/nn/layers/linear.ts";
import { Module } from "../../src/nn/module.ts";
import { Parameter } from "../../src/nn/parameter.ts";

/** A stand-in for BatchNorm: one parameter pair and two buffers, one of them not persistent. */
class Scale extends Module {
  weight = new Parameter(ones([3]));
  bias: Parameter | null = null;
  constructor() {
    super();
    this.registerBuffer("running_mean", zeros([3]));
    this.registerBuffer("cache", zeros([1]), { persistent: false });
  }
  forward(x: Tensor): Tensor {
    return x.mul(this.weight);
  }
}

class Net extends Module {
  fc1 = new Linear(4, 3);
  norm = new Scale();
  head = new Sequential(new Linear(3, 2));
  forward(x: Tensor): Tensor {
    return this.head.forward(this.norm.forward(this.fc1.forward(x)).relu());
  }
}

test("parameters and buffers are named as PyTorch names them, in field order, parameters before buffers before children", () => {
  const net = new Net();
  assert.deepEqual([...net.namedParameters()].map(([name]) => name),
    ["fc1.weight", "fc1.bias", "norm.weight", "head.0.weight", "head.0.bias"]);
  assert.deepEqual([...net.stateDict().keys()],
    ["fc1.weight", "fc1.bias", "norm.weight", "norm.running_mean", "head.0.weight", "head.0.bias"]);
  assert.deepEqual([...net.namedBuffers()].map(([name]) => name), ["norm.running_mean", "norm.cache"]);
  assert.deepEqual([...net.namedModules()].map(([name]) => name), ["", "fc1", "norm", "head", "head.0"]);
  assert.equal(net.parameterCount(), 4 * 3 + 3 + 3 + 3 * 2 + 2);
  assert.equal(net.forward(randn([5, 4])).shape.join(), "5,2");
});

test("a parameter shared by two modules (weight tying) is listed once but saved under both names", () => {
  const a = new Linear(3, 3);
  const b = new Linear(3, 3);
  b.weight = a.weight;
  const pair = new Sequential(a, b);
  assert.equal(pair.parameters().length, 3);
  assert.deepEqual([...pair.stateDict().keys()], ["0.weight", "0.bias", "1.weight", "1.bias"]);
  pair.double();
  assert.equal(a.weight, b.weight, "still shared after a dtype conversion");
  assert.equal(a.weight.dtype, "float64");
  assert.ok(a.weight instanceof Parameter && a.weight.requiresGrad);
});

test("train() and eval() reach every submodule", () => {
  const net = new Net();
  net.eval();
  assert.deepEqual([...net.modules()].map((m) => m.training), [false, false, false, false, false]);
  net.train();
  assert.ok([...net.modules()].every((m) => m.training));
});

test("zeroGrad sets gradients to null, or to zeros with setToNone false", () => {
  const net = new Net();
  net.forward(randn([2, 4])).sum().backward();
  assert.ok(net.parameters().every((p) => p.grad !== null));
  net.zeroGrad({ setToNone: false });
  assert.ok(net.parameters().every((p) => p.grad!.abs().sum().item() === 0));
  net.zeroGrad();
  assert.ok(net.parameters().every((p) => p.grad === null));
});

test("loadStateDict copies values, converts dtypes, and reports key and shape mismatches", () => {
  const source = new Net();
  const target = new Net();
  const state = source.stateDict();
  target.loadStateDict(state);
  for (const [name, value] of target.stateDict()) assert.deepEqual(value.tolist(), state.get(name)!.tolist(), name);
  // A copy, not an alias: changing the source afterwards leaves the target alone.
  source.fc1.bias!.requiresGrad = false;
  source.fc1.bias!.fill_(7);
  assert.notDeepEqual(target.fc1.bias!.tolist(), [7, 7, 7]);

  const asDouble = new Map([...state].map(([k, v]) => [k, v.double()]));
  target.loadStateDict(asDouble);
  assert.equal(target.fc1.weight.dtype, "float32");

  const missing = new Map(state);
  missing.delete("fc1.bias");
  missing.set("extra.weight", zeros([1]));
  assert.throws(() => target.loadStateDict(missing), /missing keys: fc1\.bias; unexpected keys: extra\.weight/);
  assert.deepEqual(target.loadStateDict(missing, { strict: false }), { missingKeys: ["fc1.bias"], unexpectedKeys: ["extra.weight"] });

  const wrongShape = new Map(state).set("fc1.weight", zeros([4, 3]));
  assert.throws(() => target.loadStateDict(wrongShape), /shape mismatch for "fc1\.weight": the checkpoint has \[4, 3\], the module has \[3, 4\]/);
});

test("the state dict aliases the module's memory, like PyTorch's", () => {
  const layer = new Linear(2, 1);
  const state = layer.stateDict();
  layer.bias!.requiresGrad = false;
  layer.bias!.fill_(5);
  assert.deepEqual(state.get("bias")!.tolist(), [5]);
  assert.equal(state.get("bias")!.requiresGrad, false);
});

test("printing gives a tree with parameter counts", () => {
  const net = new Net();
  assert.equal(String(net), [
    "Net(",
    "  (fc1): Linear(in_features=4, out_features=3, bias=True)  # 15 params",
    "  (norm): Scale()  # 3 params",
    "  (head): Sequential(",
    "    (0): Linear(in_features=3, out_features=2, bias=True)  # 8 params",
    "  )  # 8 params",
    ")",
  ].join("\n"));
});

test("registration refuses names that would break dotted paths or shadow methods", () => {
  const net = new Net();
  assert.throws(() => net.registerParameter("a.b", new Parameter(zeros([1]))), /must be non-empty and contain no "\."/);
  assert.throws(() => net.registerBuffer("forward", zeros([1])), /"forward" is already a method or property of Net/);
  assert.throws(() => net.registerBuffer("p", new Parameter(zeros([1]))), /is a Parameter; use registerParameter/);
  assert.throws(() => net.to("int32"), /must stay floating point/);
});

test("apply visits children before their parent", () => {
  const visited: string[] = [];
  new Net().apply((m) => visited.push(m.constructor.name));
  assert.deepEqual(visited, ["Linear", "Scale", "Linear", "Sequential", "Net"]);
});

test("requiresGrad_(false) freezes every parameter", () => {
  const net = new Net().requiresGrad_(false);
  assert.ok(net.parameters().every((p) => !p.requiresGrad));
});

test("Sequential chains, indexes and appends", () => {
  const seq = new Sequential(new Linear(2, 3), new Linear(3, 1));
  seq.append(new Linear(1, 1));
  assert.equal(seq.length, 3);
  assert.equal(seq.at(-1), [...seq][2]);
  assert.throws(() => seq.at(3), /index 3 is out of range for 3 modules/);
  const x = tensor([[1, 2]]);
  const expected = seq.at(2).forward(seq.at(1).forward(seq.at(0).forward(x)));
  assert.deepEqual(seq.forward(x).tolist(), expected.tolist());
  assert.deepEqual([...seq.stateDict().keys()].slice(-2), ["2.weight", "2.bias"]);
});

test("ModuleList and ModuleDict register their members", () => {
  const list = new ModuleList([new Linear(1, 1), new Linear(1, 1)]);
  assert.deepEqual([...list.stateDict().keys()], ["0.weight", "0.bias", "1.weight", "1.bias"]);
  assert.equal(list.at(-1), [...list][1]);
  assert.throws(() => list.at(2), /out of range/);

  const dict = new ModuleDict<Linear>([["encoder", new Linear(1, 2)], ["10", new Linear(2, 1)]]);
  assert.deepEqual([...dict.stateDict().keys()], ["encoder.weight", "encoder.bias", "10.weight", "10.bias"]);
  assert.equal(dict.get("10").outFeatures, 1);
  assert.ok(dict.has("encoder") && !dict.has("decoder"));
  assert.throws(() => dict.get("decoder"), /no module named "decoder" \(keys: encoder, 10\)/);
  assert.throws(() => dict.set("a.b", new Linear(1, 1)), /contain no "\."/);
  assert.deepEqual([...dict.keys()], ["encoder", "10"]);
});

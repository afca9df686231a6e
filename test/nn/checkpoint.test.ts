// Training checkpoints: N steps, save, restore into freshly built objects,
// M more steps must equal N + M steps in one go, bit for bit. Also what the
// file holds, what loading checks, and that a failed save keeps the old file.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, mock, test } from "node:test";
import { Generator, defaultGenerator, manualSeed, randint, randn, tensor } from "../../src/index.ts";
import { loadCheckpoint, saveCheckpoint, type CheckpointOptimizer, type CheckpointScheduler } from "../../src/nn/checkpoint.ts";
import { Sequential } from "../../src/nn/containers.ts";
import { ReLU } from "../../src/nn/layers/activation.ts";
import { Linear } from "../../src/nn/layers/linear.ts";
import { Adam, SGD } from "../../src/nn/optim/index.ts";
import { StepLR } from "../../src/nn/optim/lr-scheduler/index.ts";
import { loadWithMetadata, save } from "../../src/nn/serialization.ts";

const directory = fs.mkdtempSync(path.join(os.tmpdir(), "gradschool-checkpoint-"));
after(() => fs.rmSync(directory, { recursive: true, force: true }));
const fileIn = (name: string) => path.join(directory, name);

/** A regression problem fixed by its own generator, so that only training draws from the default generator. */
const problem = (() => {
  const data = new Generator(7);
  const x = randn([64, 3], { generator: data });
  const y = x.matmul(tensor([[1.5], [-2], [0.5]])).add(randn([64, 1], { generator: data }).mul(0.1));
  return { x, y };
})();

interface Run {
  model: Sequential;
  optimizer: SGD | Adam;
  scheduler: StepLR;
}

/** A fresh model, optimizer and StepLR; `initSeed` picks the initial weights. */
function build(kind: "sgd" | "adam", initSeed: number): Run {
  manualSeed(initSeed);
  const model = new Sequential(new Linear(3, 16), new ReLU(), new Linear(16, 1));
  const optimizer = kind === "sgd"
    ? new SGD(model.parameters(), { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-3 })
    : new Adam(model.parameters(), { lr: 0.01, betas: [0.8, 0.99], weightDecay: 1e-3 });
  const scheduler = new StepLR(optimizer, 4, { gamma: 0.5 });
  return { model, optimizer, scheduler };
}

/**
 * One step: a random minibatch (randint on the default generator), inputs
 * jittered by randn (an odd count of normals, so the generator's spare normal
 * matters), mean squared error, an optimizer step and a scheduler step.
 */
function trainStep({ model, optimizer, scheduler }: Run): void {
  const rows = randint(0, 64, [8], { dtype: "int32" });
  const jitter = randn([8, 3]).mul(0.01).add(randn([1]).mul(0.001));
  const prediction = model.forward(problem.x.indexSelect(0, rows).add(jitter));
  const loss = prediction.sub(problem.y.indexSelect(0, rows)).square().mean();
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  scheduler.step();
}

function train(run: Run, steps: number): void {
  for (let i = 0; i < steps; i++) trainStep(run);
}

/** Every parameter's float32 bits. */
const parameterBits = (model: Sequential) => model.parameters().map((p) => Array.from(new Uint32Array((p.toTypedArray() as Float32Array).buffer)));

describe("resuming from a checkpoint is the same as never stopping", () => {
  for (const [kind, n, m] of [["sgd", 5, 6], ["adam", 6, 5], ["adam", 0, 3]] as const) {
    test(`${kind}: ${n} steps, save, load into new objects, ${m} steps ≡ ${n + m} steps`, () => {
      const straight = build(kind, 0);
      train(straight, n + m);
      const straightGenerator = defaultGenerator.getState();

      const first = build(kind, 0);
      train(first, n);
      const file = fileIn(`${kind}-${n}.safetensors`);
      saveCheckpoint(file, { ...first, step: n, extra: { epoch: 1, bestLoss: Infinity } });

      manualSeed(999); // the default generator moves on elsewhere: loading must bring it back
      const resumed = build(kind, 42);
      assert.notDeepEqual(parameterBits(resumed.model), parameterBits(first.model));
      const { step, extra } = loadCheckpoint(file, resumed);
      assert.equal(step, n);
      assert.deepEqual(extra, { epoch: 1, bestLoss: Infinity });
      assert.equal(resumed.optimizer.paramGroups[0]!.lr, first.optimizer.paramGroups[0]!.lr);
      train(resumed, m);

      assert.deepEqual(parameterBits(resumed.model), parameterBits(straight.model));
      assert.deepEqual(defaultGenerator.getState(), straightGenerator);
    });
  }

  test("without the generator state the runs differ (the test above can fail)", () => {
    const straight = build("sgd", 0);
    train(straight, 8);
    const first = build("sgd", 0);
    train(first, 4);
    const file = fileIn("no-generators.safetensors");
    saveCheckpoint(file, { ...first, generators: [] });
    manualSeed(999);
    const resumed = build("sgd", 42);
    loadCheckpoint(file, resumed);
    train(resumed, 4);
    assert.notDeepEqual(parameterBits(resumed.model), parameterBits(straight.model));
  });
});

describe("what the file holds", () => {
  test("model tensors under model., optimizer tensors under optimizer.state., the rest as JSON metadata", () => {
    const run = build("adam", 0);
    train(run, 3);
    const file = fileIn("layout.safetensors");
    saveCheckpoint(file, { ...run, step: 3 });
    const { tensors, metadata } = loadWithMetadata(file);
    const names = [...tensors.keys()].sort();
    assert.deepEqual(names.filter((n) => n.startsWith("model.")), ["model.0.bias", "model.0.weight", "model.2.bias", "model.2.weight"]);
    assert.deepEqual(names.filter((n) => n.startsWith("optimizer.")),
      [0, 1, 2, 3].flatMap((i) => [`optimizer.state.${i}.exp_avg`, `optimizer.state.${i}.exp_avg_sq`]));
    assert.deepEqual(Object.keys(metadata).sort(), ["extra", "format", "generators", "optimizer", "scheduler", "step", "version"]);
    assert.equal(metadata["format"], "gradschool-checkpoint");
    assert.equal(metadata["version"], "1");
    assert.equal(metadata["step"], "3");
    const optimizer = JSON.parse(metadata["optimizer"]!) as { param_groups: Array<Record<string, unknown>>; state: Record<string, Record<string, unknown>> };
    assert.deepEqual(optimizer.param_groups[0]!["params"], [0, 1, 2, 3]);
    assert.deepEqual(optimizer.state["0"], { step: 3 });
    // No spare normal is pending after an even count of normals: the state's NaN is written as a tagged string.
    manualSeed(5);
    saveCheckpoint(file, { model: run.model });
    assert.match(loadWithMetadata(file).metadata["generators"]!, /^\[\[\d+,\d+,\d+,\d+,\{"\$number":"NaN"\},5\]\]$/);
  });

  test("NaN, ±Infinity and -0 in extra survive; a generator with a pending spare normal is restored exactly", () => {
    const run = build("sgd", 0);
    const generator = new Generator(3);
    randn([1], { generator }); // leaves a spare normal
    const file = fileIn("numbers.safetensors");
    const extra = { values: [NaN, Infinity, -Infinity, -0, 0.1], nested: { loss: NaN }, label: "run 1", flag: true, none: null };
    saveCheckpoint(file, { model: run.model, generators: [generator], extra });
    const expected = randn([5], { generator: cloneGenerator(generator) }).tolist();
    const restored = new Generator(0);
    const loaded = loadCheckpoint(file, { model: build("sgd", 1).model, generators: [restored] });
    assert.deepEqual(loaded.extra, extra);
    assert.ok(Object.is((loaded.extra as { values: number[] }).values[3], -0));
    assert.deepEqual(randn([5], { generator: restored }).tolist(), expected);
  });
});

function cloneGenerator(source: Generator): Generator {
  const copy = new Generator();
  copy.setState(source.getState());
  return copy;
}

describe("loading checks the file", () => {
  const model = () => new Sequential(new Linear(3, 16), new ReLU(), new Linear(16, 1));

  test("a plain safetensors file is not a checkpoint; an unknown version is refused", () => {
    const plain = fileIn("plain.safetensors");
    save(model().stateDict(), plain);
    assert.throws(() => loadCheckpoint(plain, { model: model() }), /loadCheckpoint: .*plain\.safetensors: not a gradschool checkpoint: its metadata "format" is null/);
    save(new Map(), plain, { metadata: { format: "gradschool-checkpoint", version: "2" } });
    assert.throws(() => loadCheckpoint(plain, { model: model() }), /checkpoint format version "2" is not one this gradschool reads \(it reads version 1\)/);
    save(new Map(), plain, { metadata: { format: "gradschool-checkpoint", version: "1" } });
    assert.throws(() => loadCheckpoint(plain, { model: model() }), /the metadata has no "step" entry/);
    save(new Map(), plain, { metadata: { format: "gradschool-checkpoint", version: "1", step: "{oops" } });
    assert.throws(() => loadCheckpoint(plain, { model: model() }), /metadata "step" is not valid JSON/);
    const badGenerator = { format: "gradschool-checkpoint", version: "1", step: "0", generators: "[[1, 2, 3]]", extra: "null" };
    save(new Map(), plain, { metadata: badGenerator });
    assert.throws(() => loadCheckpoint(plain, { model: new Sequential() }), /generator state 0: Generator.setState: expected 6 numbers, got 3/);
    save({ "weights.0": tensor([1]) }, plain, { metadata: { format: "gradschool-checkpoint", version: "1" } });
    assert.throws(() => loadCheckpoint(plain, { model: model() }), /unexpected tensor "weights.0": checkpoint tensors start with "model." or "optimizer.state."/);
  });

  test("missing parts, and a model or optimizer that does not match", () => {
    const run = build("sgd", 0);
    train(run, 2);
    const file = fileIn("parts.safetensors");
    saveCheckpoint(file, { model: run.model });
    assert.throws(() => loadCheckpoint(file, { model: model(), optimizer: run.optimizer }), /an optimizer was given, but the checkpoint has no optimizer state/);
    assert.throws(() => loadCheckpoint(file, { model: model(), scheduler: run.scheduler }), /a scheduler was given, but the checkpoint has no scheduler state/);
    assert.throws(() => loadCheckpoint(file, { model: model(), generators: [new Generator(), new Generator()] }),
      /the checkpoint holds 1 generator states, but 2 generators were given/);
    const wider = new Sequential(new Linear(3, 32), new ReLU(), new Linear(32, 1));
    assert.throws(() => loadCheckpoint(file, { model: wider }), /loadStateDict: shape mismatch for "0.weight"/);
    assert.throws(() => loadCheckpoint(file, { model: new Sequential(new Linear(3, 16)) }), /unexpected keys: 2.bias, 2.weight/);

    saveCheckpoint(file, run);
    const other = new Sequential(new Linear(3, 16), new ReLU(), new Linear(16, 1), new ReLU(), new Linear(1, 1));
    const otherOptimizer = new SGD([...other.parameters()].slice(0, 2), { lr: 0.1, momentum: 0.9 });
    assert.throws(() => loadCheckpoint(file, { model: model(), optimizer: otherOptimizer }), /parameter group 0 has 4 parameters/);
    // The file is checked before anything changes: a refused load leaves the model as it was.
    const untouched = model();
    const before = parameterBits(untouched);
    assert.throws(() => loadCheckpoint(file, { model: untouched, generators: [] }), /holds 1 generator states, but 0/);
    assert.deepEqual(parameterBits(untouched), before);
  });

  test("bad values given to saveCheckpoint", () => {
    const run = build("sgd", 0);
    const file = fileIn("bad.safetensors");
    assert.throws(() => saveCheckpoint(file, { model: run.model, step: NaN }), /saveCheckpoint: .*step must be a finite number, got NaN/);
    assert.throws(() => saveCheckpoint(file, { model: run.model, extra: { weights: tensor([1]) } }), /extra holds a Tensor; only the model and the optimizer's state may hold tensors/);
    assert.throws(() => saveCheckpoint(file, { model: run.model, extra: () => 1 }), /extra cannot be written as JSON \(got function\)/);
    const broken: CheckpointOptimizer = { stateDict: () => ({ state: { first: {} }, param_groups: [] }), loadStateDict: () => {} };
    assert.throws(() => saveCheckpoint(file, { model: run.model, optimizer: broken }), /optimizer state is keyed by parameter index, got the key "first"/);
    assert.equal(fs.existsSync(file), false);
  });

  test("optimizer and scheduler state keys from the file stay ordinary keys", () => {
    let received: unknown = null;
    const recorder: CheckpointScheduler = { stateDict: () => JSON.parse('{"__proto__": {"polluted": 1}, "last_epoch": 3}') as object, loadStateDict: (s) => { received = s; } };
    const file = fileIn("keys.safetensors");
    saveCheckpoint(file, { model: build("sgd", 0).model, scheduler: recorder });
    loadCheckpoint(file, { model: build("sgd", 0).model, scheduler: recorder });
    assert.equal((received as Record<string, unknown>)["last_epoch"], 3);
    assert.equal(({} as Record<string, unknown>)["polluted"], undefined);
  });
});

describe("a failed save keeps the previous checkpoint", () => {
  test("a write that fails midway (a full disk) leaves the old file and no temporary file", () => {
    const run = build("adam", 0);
    train(run, 2);
    const file = fileIn("crash.safetensors");
    saveCheckpoint(file, { ...run, step: 2 });
    const before = fs.readFileSync(file);
    train(run, 2);
    // The first write gets 100 bytes onto the disk, the second finds it full.
    const realWriteSync = fs.writeSync;
    let calls = 0;
    const writeSync = mock.method(fs, "writeSync", (fd: number, buffer: Uint8Array, offset: number) => {
      calls++;
      if (calls > 1) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
      return realWriteSync(fd, buffer, offset, 100);
    });
    try {
      assert.throws(() => saveCheckpoint(file, { ...run, step: 4 }), /safetensors: cannot save .*crash\.safetensors: ENOSPC: no space left on device/);
    } finally {
      writeSync.mock.restore();
    }
    assert.equal(calls, 2);
    assert.deepEqual(fs.readFileSync(file), before);
    assert.deepEqual(fs.readdirSync(directory).filter((name) => name.includes("crash")), ["crash.safetensors"]);
    const resumed = build("adam", 1);
    assert.equal(loadCheckpoint(file, resumed).step, 2);
  });

  test("a target that cannot be replaced (a directory) leaves no temporary file", () => {
    const target = fileIn("a-directory.safetensors");
    fs.mkdirSync(path.join(target, "inside"), { recursive: true });
    assert.throws(() => saveCheckpoint(target, { model: build("sgd", 0).model }), /safetensors: cannot save .*a-directory\.safetensors/);
    assert.deepEqual(fs.readdirSync(directory).filter((name) => name.includes("a-directory")), ["a-directory.safetensors"]);
  });
});

// GPT (src/architectures/gpt.ts, gpt-attention.ts): shapes, parameter names
// and counts against PyTorch, outputs, loss and gradients against a PyTorch
// model in nanoGPT's layout loaded with the same weights
// (test/fixtures/torch-arch/gpt.json, written by scripts/torch-arch-gpt.py),
// gradcheck, the tied weight, the initialisation, the key/value cache (cached
// logits and cached generation equal uncached ones), sampling, safetensors,
// and a short learning run on Pride and Prejudice.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  data, deserialize, Generator, gradcheck, manualSeed, noGrad, optim, randint, randn, serialize, tensor, type Tensor,
} from "../../src/index.ts";
import { Block, CausalSelfAttention, GPT, KVCache, causalMaskAfter, sampleFromLogits, type GPTConfig } from "../../src/architectures/gpt.ts";
import { FULL_RUN } from "../../training/gpt.ts";
import { assertClose } from "../helpers/assert.ts";
import { decodeStateDict, readArchFixture } from "../helpers/torch-arch.ts";
import { decode, type Encoded } from "../helpers/torch-fixtures.ts";

interface TinyCase {
  name: string;
  config: Required<GPTConfig>;
  parameterCount: number;
  parameterNames: string[];
  stateDict: [string, Encoded][];
  idx: Encoded;
  targets: Encoded;
  logits: Encoded;
  loss: number;
  grads: [string, Encoded][];
}

interface TrainingConfig {
  config: { vocab_size: number; block_size: number; n_layer: number; n_head: number; n_embd: number; dropout: number; bias: boolean };
  parameterCount: number;
  nonEmbeddingCount: number;
}

const fixture = readArchFixture<{ cases: TinyCase[]; trainingConfigs: Record<string, TrainingConfig> }>("gpt");
const TOLERANCE = { atol: 1e-10, rtol: 0 };
const TINY: GPTConfig = { vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 8 };

/** A float64 model with the fixture's weights. */
function modelFor(entry: TinyCase): GPT {
  const model = new GPT(entry.config).double();
  model.loadStateDict(decodeStateDict(entry.stateDict));
  return model;
}

/** A tiny float64 GPT with weights large enough that every part of the network shows in the output. */
function tinyModel(config: Partial<GPTConfig> = {}, seed = 0): GPT {
  manualSeed(seed);
  const model = new GPT({ ...TINY, ...config }).double();
  noGrad(() => {
    for (const p of model.parameters()) p.copy_(randn(p.shape, { dtype: "float64" }).mul(0.5));
  });
  return model.eval();
}

const ids = (values: number[][]) => tensor(values, { dtype: "int32" });

describe("GPT: shapes, names and parameter counts", () => {
  test("forward gives logits [B, T, V] and a scalar loss with targets, none without", () => {
    manualSeed(0);
    const model = new GPT(TINY);
    const idx = randint(0, 11, [3, 5]);
    const { logits, loss } = model.forward(idx, randint(0, 11, [3, 5]));
    assert.deepEqual(logits.shape, [3, 5, 11]);
    assert.deepEqual(loss!.shape, []);
    // An untrained model predicts almost uniformly: the loss is close to ln V.
    assert.ok(Math.abs(loss!.item() - Math.log(11)) < 0.1, `loss ${loss!.item()} vs ln 11 = ${Math.log(11)}`);
    assert.equal(model.forward(idx).loss, null);
  });

  test("the training config (training/gpt.ts) has PyTorch's parameter count, 105,472, the tied weight counted once", () => {
    const { config, parameterCount, nonEmbeddingCount } = fixture.trainingConfigs.char!;
    const { blockSize, nLayer, nHead, nEmbd, dropout, bias } = FULL_RUN.model;
    assert.deepEqual({ blockSize, nLayer, nHead, nEmbd, dropout, bias }, {
      blockSize: config.block_size, nLayer: config.n_layer, nHead: config.n_head, nEmbd: config.n_embd, dropout: config.dropout, bias: config.bias,
    });
    assert.equal(parameterCount, 105_472);
    const model = new GPT({
      vocabSize: config.vocab_size, blockSize: config.block_size, nLayer: config.n_layer, nHead: config.n_head, nEmbd: config.n_embd,
      dropout: config.dropout, bias: config.bias,
    });
    assert.equal(model.parameterCount(), parameterCount);
    assert.equal(model.parameterCount() - model.transformer.wpe.weight.numel(), nonEmbeddingCount);
    // V·C + blockSize·C + nLayer·(12C² + 2C) + C without biases (with them: 12C² + 13C per block and 2C for ln_f)
    const { vocab_size: V, block_size: T, n_layer: L, n_embd: C } = config;
    assert.equal(parameterCount, V * C + T * C + L * (12 * C * C + 2 * C) + C);
  });

  test("parameter names and state-dict keys are nanoGPT's; lm_head.weight is wte.weight", () => {
    for (const entry of fixture.cases) {
      const model = new GPT(entry.config);
      assert.deepEqual([...model.namedParameters()].map(([name]) => name), entry.parameterNames, entry.name);
      assert.deepEqual([...model.stateDict().keys()], entry.stateDict.map(([name]) => name), entry.name);
      assert.equal(model.parameterCount(), entry.parameterCount, entry.name);
    }
    const model = new GPT(TINY);
    assert.equal(model.lm_head.weight, model.transformer.wte.weight);
    assert.equal(model.parameters().filter((p) => p === model.lm_head.weight).length, 1);
    model.double(); // converting keeps the two names on one Parameter
    assert.equal(model.lm_head.weight, model.transformer.wte.weight);
    assert.equal(model.lm_head.weight.dtype, "float64");
  });

  test("nanoGPT's initialisation: N(0, 0.02), c_proj N(0, 0.02/√(2·nLayer)), zero biases, LayerNorms 1 and 0", () => {
    manualSeed(3);
    const model = new GPT({ vocabSize: 75, blockSize: 32, nLayer: 4, nHead: 4, nEmbd: 64 });
    const std = (t: Tensor) => t.std().item();
    for (const [name, p] of model.namedParameters()) {
      if (name.endsWith("c_proj.weight")) assert.ok(Math.abs(std(p) / (0.02 / Math.sqrt(8)) - 1) < 0.1, `${name} std ${std(p)}`);
      else if (name.endsWith("ln_1.weight") || name.endsWith("ln_2.weight") || name.endsWith("ln_f.weight")) assert.equal(p.min().item(), 1);
      else if (name.endsWith(".bias")) assert.equal(p.abs().max().item(), 0, name);
      else assert.ok(Math.abs(std(p) / 0.02 - 1) < 0.1, `${name} std ${std(p)}`);
    }
  });

  test("without biases there are none, in the Linears and the LayerNorms", () => {
    const model = new GPT({ ...TINY, bias: false });
    assert.ok([...model.namedParameters()].every(([name]) => !name.endsWith(".bias")));
    const C = 8;
    assert.equal(model.parameterCount(), 11 * C + 8 * C + 2 * (12 * C * C + 2 * C) + C);
  });

  test("errors: token ids must be int32 [B, T], T within blockSize, targets of idx's shape", () => {
    const model = new GPT(TINY);
    assert.throws(() => model.forward(tensor([[1, 2]])), /int32 token ids \[B, T\]/);
    assert.throws(() => model.forward(ids([[1, 2, 3, 4, 5, 6, 7, 8, 9]])), /exceed blockSize 8/);
    assert.throws(() => model.forward(ids([[1, 2]]), ids([[1, 2, 3]])), /must have the shape of idx/);
    assert.throws(() => new GPT({ ...TINY, nHead: 3 }), /divisible by nHead/);
    assert.throws(() => new GPT({ ...TINY, nLayer: 0 }), /nLayer must be a positive integer/);
    const cache = new KVCache(2);
    noGrad(() => model.forward(ids([[1, 2, 3, 4, 5, 6]]), null, { cache }));
    assert.throws(() => model.forward(ids([[1, 2, 3]]), null, { cache }), /after 6 cached positions exceed blockSize 8/);
    assert.throws(() => cache.layer(2), /no layer 2/);
    assert.throws(() => new CausalSelfAttention({ nEmbd: 8, nHead: 3, dropout: 0, bias: true }), /must split into nHead \(3\) heads/);
  });
});

describe("GPT against PyTorch (nanoGPT's layout, float64, the same weights)", () => {
  for (const entry of fixture.cases) {
    test(`${entry.name}: logits, loss (with an ignored target) and every parameter's gradient`, () => {
      const model = modelFor(entry);
      const { logits, loss } = model.forward(decode(entry.idx), decode(entry.targets));
      assertClose(logits, decode(entry.logits).tolist(), { ...TOLERANCE, message: "logits" });
      assert.ok(Math.abs(loss!.item() - entry.loss) < 1e-12, `loss ${loss!.item()} vs ${entry.loss}`);
      loss!.backward();
      const parameters = new Map(model.namedParameters());
      for (const [name, grad] of entry.grads) {
        // The tied weight's gradient holds both uses: the token lookup and the output layer.
        assertClose(parameters.get(name)!.grad!, decode(grad).tolist(), { ...TOLERANCE, message: `grad of ${name}` });
      }
    });
  }
});

describe("gradcheck (float64)", () => {
  test("a block, with respect to its input and its parameters", () => {
    manualSeed(4);
    const block = new Block({ nEmbd: 4, nHead: 2, dropout: 0, bias: true, dtype: "float64" });
    const x = randn([2, 3, 4], { dtype: "float64", requiresGrad: true });
    gradcheck((input) => block.forward(input!), [x, ...block.parameters()]);
  });

  test("a block continuing from a key/value cache, with respect to the new positions and the parameters", () => {
    manualSeed(5);
    const block = new Block({ nEmbd: 4, nHead: 2, dropout: 0, bias: false, dtype: "float64" });
    const past = randn([1, 3, 4], { dtype: "float64" });
    const x = randn([1, 2, 4], { dtype: "float64", requiresGrad: true });
    gradcheck((input) => {
      const cache = new KVCache(1);
      block.forward(past, cache.layer(0));
      return block.forward(input!, cache.layer(0));
    }, [x, ...block.parameters()]);
  });

  test("the model's loss, with respect to the tied weight, the positions and a few others", () => {
    const model = tinyModel({ vocabSize: 5, blockSize: 4, nEmbd: 4 });
    const idx = ids([[1, 4, 2, 0], [0, 3, 3, 2]]);
    const targets = ids([[4, 2, 0, 1], [3, 3, 2, -1]]);
    const named = new Map(model.namedParameters());
    const chosen = ["transformer.wte.weight", "transformer.wpe.weight", "transformer.h.1.attn.c_attn.weight", "transformer.ln_f.bias"]
      .map((name) => named.get(name)!);
    gradcheck(() => model.forward(idx, targets).loss!, chosen);
  });
});

describe("the key/value cache", () => {
  test("the cached step's logits equal the full forward's, position by position (1e-10)", () => {
    for (const bias of [true, false]) {
      const model = tinyModel({ bias }, 6);
      const idx = ids([[3, 1, 4, 1, 5, 9, 2, 6], [2, 7, 1, 8, 2, 8, 1, 8]]);
      const full = noGrad(() => model.forward(idx).logits);
      const cache = new KVCache(2);
      noGrad(() => model.forward(idx.narrow(1, 0, 3).contiguous(), null, { cache }));             // a prompt of 3
      const two = noGrad(() => model.forward(idx.narrow(1, 3, 2).contiguous(), null, { cache }).logits); // then 2 at once
      assertClose(two, full.narrow(1, 3, 2).tolist(), TOLERANCE);
      for (let t = 5; t < 8; t++) {                                                                   // then one at a time
        const step = noGrad(() => model.forward(idx.narrow(1, t, 1).contiguous(), null, { cache }).logits);
        assertClose(step, full.narrow(1, t, 1).tolist(), TOLERANCE);
      }
      assert.equal(cache.length, 8);
      assert.deepEqual(cache.layer(1).keys!.shape, [2, 2, 8, 4]);
    }
  });

  test("the mask after a cache is aligned bottom right: query i sees keys up to S − T + i", () => {
    assert.deepEqual(causalMaskAfter(2, 4).tolist(), [[true, true, true, false], [true, true, true, true]]);
    assert.deepEqual(causalMaskAfter(3, 3).tolist(), [[true, false, false], [true, true, false], [true, true, true]]);
  });

  test("cached generation equals uncached generation token for token, past blockSize too", () => {
    const model = tinyModel({}, 7);
    const settings = [{ temperature: 1 }, { temperature: 0.7, topK: 3 }, { temperature: 1.5, topK: 1 }, { temperature: 0 }];
    for (const [i, sampling] of settings.entries()) {
      for (const promptLength of [1, 5, 10]) { // 5 + 12 and 10 + 12 tokens run past blockSize = 8
        const prompt = new Int32Array(Array.from({ length: promptLength }, (_, t) => (3 * t + i) % 11));
        const options = { maxNewTokens: 12, ...sampling };
        const cached = model.generate(prompt, { ...options, generator: new Generator(i) });
        const uncached = model.generate(prompt, { ...options, generator: new Generator(i), useCache: false });
        assert.equal(cached.length, promptLength + 12);
        assert.deepEqual([...cached.subarray(0, promptLength)], [...prompt]);
        assert.deepEqual([...cached], [...uncached], `${JSON.stringify(sampling)}, prompt of ${promptLength}`);
      }
    }
  });

  test("a batch of prompts as a tensor [B, T]: each row as when generated alone; the mode is restored", () => {
    const model = tinyModel({ dropout: 0.5 }, 8).train(); // generate turns dropout off while it samples
    const prompts = ids([[1, 2, 3], [4, 5, 6]]);
    const batch = model.generate(prompts, { maxNewTokens: 6, temperature: 0 });
    assert.deepEqual(batch.shape, [2, 9]);
    assert.equal(model.training, true);
    const second = model.generate(new Int32Array([4, 5, 6]), { maxNewTokens: 6, temperature: 0 });
    assert.deepEqual(batch.select(0, 1).tolist(), [...second]);
    assert.throws(() => model.generate(new Int32Array([]), { maxNewTokens: 1 }), /T ≥ 1/);
    assert.throws(() => model.generate(prompts, { maxNewTokens: -1 }), /maxNewTokens/);
  });
});

describe("sampleFromLogits", () => {
  test("temperature 0 and topK 1 pick the largest logit", () => {
    const logits = tensor([[0.1, 2, -1, 1.9], [5, 0, 0, 0]]);
    assert.deepEqual([...sampleFromLogits(logits, { temperature: 0 })], [1, 0]);
    assert.deepEqual([...sampleFromLogits(logits, { topK: 1, generator: new Generator(0) })], [1, 0]);
  });

  test("draws follow softmax(logits / temperature) among the topK", () => {
    const logits = tensor([[Math.log(1), Math.log(2), Math.log(3), Math.log(4)]]);
    const generator = new Generator(1);
    const counts = [0, 0, 0, 0];
    const draws = 4000;
    for (let i = 0; i < draws; i++) counts[sampleFromLogits(logits, { generator })[0]!]! += 1;
    [0.1, 0.2, 0.3, 0.4].forEach((p, token) => assert.ok(Math.abs(counts[token]! / draws - p) < 0.03, `token ${token}: ${counts[token]}`));
    // topK 2 keeps tokens 2 and 3 (3 : 4); temperature 0.5 squares the odds (9 : 16).
    const kept = [0, 0, 0, 0];
    for (let i = 0; i < draws; i++) kept[sampleFromLogits(logits, { generator, topK: 2, temperature: 0.5 })[0]!]! += 1;
    assert.equal(kept[0]! + kept[1]!, 0);
    assert.ok(Math.abs(kept[2]! / draws - 9 / 25) < 0.03, `token 2: ${kept[2]}`);
  });

  test("errors", () => {
    assert.throws(() => sampleFromLogits(tensor([1, 2])), /\[B, V\]/);
    assert.throws(() => sampleFromLogits(tensor([[1, 2]]), { temperature: -1 }), /temperature/);
    assert.throws(() => sampleFromLogits(tensor([[1, 2]]), { topK: 0 }), /topK/);
  });
});

test("the state dict survives safetensors; a fresh model gives the same logits", () => {
  const model = tinyModel({}, 9);
  const restored = new GPT(TINY).double();
  restored.loadStateDict(deserialize(serialize(model.stateDict())).tensors);
  assert.equal(restored.lm_head.weight, restored.transformer.wte.weight);
  const idx = ids([[1, 2, 3, 4], [5, 6, 7, 8]]);
  assertClose(noGrad(() => restored.forward(idx).logits), noGrad(() => model.forward(idx).logits).tolist(), { atol: 0, rtol: 0 });
  assert.equal(String(restored).split("\n")[0], "GPT(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=8, dropout=0, bias=True");
});

test("learning: a tiny GPT on a slice of Pride and Prejudice beats the slice's unigram entropy on held-out text", () => {
  manualSeed(0);
  const novel = data.loadText("pride-and-prejudice").slice(0, 60_000);
  const tokenizer = data.CharTokenizer.fromText(novel);
  const [trainTokens, valTokens] = data.splitByPosition(tokenizer.encode(novel), 0.1);
  // H = −Σ p(c) ln p(c) over the training characters: the best loss that ignores the context (about 3.11 nats).
  const counts = new Map<number, number>();
  for (const token of trainTokens) counts.set(token, (counts.get(token) ?? 0) + 1);
  const unigram = -[...counts.values()].reduce((h, n) => h + (n / trainTokens.length) * Math.log(n / trainTokens.length), 0);

  const blockSize = 16;
  const model = new GPT({ vocabSize: tokenizer.vocabSize, blockSize, nLayer: 1, nHead: 2, nEmbd: 32 });
  const optimizer = new optim.AdamW(model.parameters(), { lr: 5e-3, betas: [0.9, 0.99], weightDecay: 0 });
  const generator = new Generator(0);
  for (let step = 0; step < 150; step++) {
    const [x, y] = data.randomWindows(trainTokens, blockSize, 32, { generator });
    const { loss } = model.forward(x, y);
    optimizer.zeroGrad();
    loss!.backward();
    optimizer.step();
  }
  // Chance is ln 75 ≈ 4.32; the unigram entropy needs no context; below it, the model reads the characters before.
  const [vx, vy] = data.randomWindows(valTokens, blockSize, 64, { generator: new Generator(1) });
  const valLoss = noGrad(() => model.eval().forward(vx, vy).loss!.item());
  assert.ok(valLoss < unigram - 0.25, `validation loss ${valLoss.toFixed(3)} should be well below the unigram entropy ${unigram.toFixed(3)}`);
});

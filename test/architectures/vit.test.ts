// ViT (src/architectures/vit.ts): shapes, the parameter count and state-dict
// keys of the default model against the PyTorch twin, outputs and input
// gradients against PyTorch with the same weights
// (test/fixtures/torch-arch/resnet-vit.json, written by
// scripts/torch-arch-resnet-vit.py), torchvision's initialisation, dropout,
// gradcheck in float64, a safetensors round trip, option checks, and a short
// learning run on the 8×8 digits.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EncoderBlock, ViT, truncNormal_, type ViTOptions } from "../../src/architectures/vit.ts";
import {
  F, Generator, data, deserialize, gradcheck, manualSeed, nn, noGrad, optim, randn, serialize, zeros, type Tensor,
} from "../../src/index.ts";
import { assertClose } from "../helpers/assert.ts";
import { decodeStateDict, readArchFixture } from "../helpers/torch-arch.ts";
import { decode, type Encoded } from "../helpers/torch-fixtures.ts";

interface ViTCase {
  config: Required<Omit<ViTOptions, "dtype" | "dropout" | "attentionDropout">>;
  state: [string, Encoded][];
  input: Encoded;
  eval: { output: Encoded; upstream: Encoded; inputGrad: Encoded };
}
interface Fixture { vit: ViTCase; parameterCounts: { vitDefault: number }; stateDictKeys: { vitDefault: string[] } }

const FIXTURE = readArchFixture<Fixture>("resnet-vit");
const EXACT = { atol: 1e-10, rtol: 0 };

describe("structure", () => {
  test("default model: [N, 1, 8, 8] → [N, 10], 58,570 parameters and the keys of PyTorch's twin", () => {
    const model = new ViT();
    assert.deepEqual(model.forward(randn([3, 1, 8, 8])).shape, [3, 10]);
    assert.equal(model.parameterCount(), FIXTURE.parameterCounts.vitDefault);
    assert.equal(model.parameterCount(), 58_570);
    assert.deepEqual([...model.stateDict().keys()], FIXTURE.stateDictKeys.vitDefault);
    assert.equal(model.seqLength, 17);
  });

  test("shapes: patches [N, 16, 48], with the class token [N, 17, 48], the class-token features [N, 48]", () => {
    const model = new ViT();
    const x = randn([2, 1, 8, 8]);
    assert.deepEqual(model.patchify(x).shape, [2, 16, 48]);
    assert.deepEqual(model.features(x).shape, [2, 48]);
    const wide = new ViT({ imageSize: 12, patchSize: 4, inChannels: 3, numClasses: 7, dim: 24, depth: 1, heads: 3, mlpDim: 48 });
    assert.deepEqual(wide.forward(randn([2, 3, 12, 12])).shape, [2, 7]);
    assert.equal(wide.seqLength, 10);
    assert.deepEqual(wide.encoder.pos_embedding.shape, [1, 10, 24]);
  });

  test("patchify reads the patches in row-major order, as a Conv2d with kernel = stride = patchSize", () => {
    const model = new ViT({ imageSize: 4, patchSize: 2, dim: 4, depth: 1, heads: 1, mlpDim: 4 });
    const x = randn([1, 1, 4, 4]);
    const tokens = noGrad(() => model.patchify(x));
    // Token 1 is the top-right 2×2 patch: rows 0–1, columns 2–3.
    const patch = x.slice(2, 0, 2).slice(3, 2, 4).reshape([1, 4]);
    const expected = noGrad(() => patch.matmul(model.conv_proj.weight.reshape([4, 4]).T).add(model.conv_proj.bias!));
    assertClose(tokens.select(1, 1), expected.tolist(), { atol: 1e-6 });
  });

  test("torchvision's initialisation: zero class token and head, N(0, 0.02²) positions, truncated-normal patches", () => {
    manualSeed(3);
    const model = new ViT({ dim: 256, mlpDim: 256, depth: 1, heads: 4 });
    const stats = (t: Tensor) => noGrad(() => [t.mean().item(), t.std().item(), t.abs().max().item()]);
    assert.equal(stats(model.class_token)[2], 0);
    assert.equal(stats(model.heads.get("head").weight)[2], 0);
    assert.equal(stats(model.heads.get("head").bias!)[2], 0);
    const [, posStd] = stats(model.encoder.pos_embedding);
    assert.ok(Math.abs(posStd! - 0.02) < 0.002, `pos_embedding std ${posStd}`);
    const [, patchStd, patchMax] = stats(model.conv_proj.weight);
    assert.ok(Math.abs(patchStd! - 0.5) < 0.05, `conv_proj std ${patchStd} (expected √(1/4))`);
    assert.ok(patchMax! <= 2);
    const block = model.encoder.layers.get("encoder_layer_0");
    const [, , mlpBiasMax] = stats((block.mlp.at(0) as nn.Linear).bias!);
    assert.ok(mlpBiasMax! < 1e-5, "MLP biases N(0, 1e-6²)");
  });

  test("truncNormal_ redraws every value outside [low, high]", () => {
    manualSeed(6);
    const t = truncNormal_(zeros([4000]), 1, -0.5, 0.5);
    assert.ok(noGrad(() => t.abs().max().item()) <= 0.5);
    assert.ok(noGrad(() => t.std().item()) > 0.2);
  });

  test("dropout acts in training mode only; eval is deterministic", () => {
    manualSeed(7);
    const model = new ViT({ dim: 16, depth: 1, heads: 2, mlpDim: 16, dropout: 0.5, attentionDropout: 0.5 });
    noGrad(() => model.heads.get("head").weight.copy_(randn([10, 16])));
    const x = randn([2, 1, 8, 8]);
    const a = noGrad(() => model.forward(x).tolist()), b = noGrad(() => model.forward(x).tolist());
    assert.notDeepEqual(a, b);
    model.eval();
    assert.deepEqual(noGrad(() => model.forward(x).tolist()), noGrad(() => model.forward(x).tolist()));
    assert.equal((model.encoder.layers.get("encoder_layer_0").self_attention as nn.MultiheadAttention).dropout, 0.5);
  });

  test("bad options and inputs are refused with a message", () => {
    assert.throws(() => new ViT({ patchSize: 3 }), /patchSize \(3\) must divide imageSize \(8\)/);
    assert.throws(() => new ViT({ dim: 0 }), /dim must be a positive integer, got 0/);
    assert.throws(() => new ViT({ dim: 10, heads: 4 }), /embedDim \(10\) must be divisible by numHeads \(4\)/);
    assert.throws(() => new ViT().forward(randn([2, 1, 28, 28])), /expected images \[N, C, 8, 8\], got \[2, 1, 28, 28\]/);
    assert.throws(() => new ViT().forward(randn([1, 8, 8])), /expected images \[N, C, 8, 8\], got \[1, 8, 8\]/);
  });
});

test("against PyTorch 1.13 (float64, atol 1e-10): output and input gradient", () => {
  const fixture = FIXTURE.vit;
  const model = new ViT(fixture.config).double().eval();
  assert.deepEqual([...model.stateDict().keys()], fixture.state.map(([key]) => key), "state-dict keys in PyTorch's order");
  model.loadStateDict(decodeStateDict(fixture.state));
  const x = decode(fixture.input, true);
  const out = model.forward(x);
  assertClose(out, fixture.eval.output.values, { ...EXACT, message: "output" });
  out.mul(decode(fixture.eval.upstream)).sum().backward();
  assertClose(x.grad!, fixture.eval.inputGrad.values, { ...EXACT, message: "input gradient" });
});

describe("gradcheck (float64)", () => {
  test("a tiny ViT: the input, the patch projection, the class token, the positions, attention, MLP and head", () => {
    manualSeed(1);
    const model = new ViT({ imageSize: 4, patchSize: 2, inChannels: 2, numClasses: 3, dim: 4, depth: 1, heads: 2, mlpDim: 6 }).double();
    noGrad(() => {
      model.class_token.copy_(randn([1, 1, 4]));
      model.heads.get("head").weight.copy_(randn([3, 4])); // nonzero, so that gradients reach the encoder
    });
    const x = randn([2, 2, 4, 4], { dtype: "float64", requiresGrad: true });
    const block = model.encoder.layers.get("encoder_layer_0");
    gradcheck(() => model.forward(x), [
      x, model.conv_proj.weight, model.class_token, model.encoder.pos_embedding, block.self_attention.in_proj_weight!,
      (block.mlp.at(3) as nn.Linear).weight, block.ln_1.weight!, model.encoder.ln.bias!, model.heads.get("head").weight,
    ]);
  });

  test("an encoder block on its own: tokens and every parameter", () => {
    manualSeed(2);
    const block = new EncoderBlock(4, 2, 6).double();
    const tokens = randn([2, 3, 4], { dtype: "float64", requiresGrad: true });
    gradcheck(() => block.forward(tokens), [tokens, ...block.parameters()]);
  });
});

test("stateDict survives a safetensors round trip: a fresh model gives the same output", () => {
  manualSeed(4);
  const options = { dim: 16, depth: 2, heads: 2, mlpDim: 32 };
  const model = new ViT(options);
  noGrad(() => model.heads.get("head").weight.copy_(randn([10, 16])));
  const { tensors } = deserialize(serialize(model.stateDict()));
  const copy = new ViT(options);
  copy.loadStateDict(tensors);
  const x = randn([2, 1, 8, 8]);
  assert.deepEqual(noGrad(() => copy.forward(x).tolist()), noGrad(() => model.forward(x).tolist()));
});

test("learns the 8×8 digits: > 70 % test accuracy after 4 epochs on the 80 % split, every parameter trained", () => {
  manualSeed(0);
  const digits = data.loadDigits();
  const all = new data.TensorDataset(digits.images.div(16), digits.target);
  const [train, test] = data.randomSplit(all, [0.8, 0.2], { generator: new Generator(0) });
  // A small ViT: four 4×4 patches and the class token, one block of 2 heads.
  const model = new ViT({ patchSize: 4, dim: 16, depth: 1, heads: 2, mlpDim: 32 });
  const initial = model.parameters().map((p) => p.detach().clone());
  const optimizer = new optim.AdamW(model.parameters(), { lr: 3e-3, weightDecay: 0.01 });
  const loader = new data.DataLoader(train, { batchSize: 64, shuffle: true, generator: new Generator(1) });
  for (let epoch = 0; epoch < 4; epoch++) {
    for (const [x, y] of loader) {
      const loss = F.crossEntropy(model.forward(x), y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
    }
  }
  model.eval();
  let correct = 0;
  for (const [x, y] of new data.DataLoader(test, { batchSize: 512 })) correct += noGrad(() => model.forward(x).argmax(1).eq(y).sum().item());
  const accuracy = correct / test.length;
  assert.ok(accuracy > 0.7, `test accuracy ${(100 * accuracy).toFixed(1)} % (chance: 10 %)`);
  for (const [i, [name, p]] of [...model.namedParameters()].entries()) {
    const change = noGrad(() => p.sub(initial[i]!).abs().amax().item());
    assert.ok(change > 1e-4, `${name} barely moved (largest change ${change})`);
  }
});

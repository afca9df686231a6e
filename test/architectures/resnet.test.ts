// ResNet and BasicBlock (src/architectures/resnet.ts): shapes for 28×28 and
// 8×8 inputs, the parameter count and state-dict keys of the default model,
// outputs, input gradients and BatchNorm running statistics in training and
// evaluation mode against the PyTorch twin (test/fixtures/torch-arch/resnet-vit.json,
// written by scripts/torch-arch-resnet-vit.py), torchvision's
// initialisation, gradcheck in float64, a safetensors round trip, option
// checks, and a short learning run on a slice of Fashion-MNIST.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BasicBlock, ResNet, type ResNetOptions } from "../../src/architectures/resnet.ts";
import { F, Generator, data, deserialize, gradcheck, manualSeed, nn, noGrad, optim, randn, serialize, type Tensor } from "../../src/index.ts";
import { assertClose } from "../helpers/assert.ts";
import { decodeStateDict, readArchFixture } from "../helpers/torch-arch.ts";
import { decode, type Encoded } from "../helpers/torch-fixtures.ts";

type StatePairs = [string, Encoded][];
interface ModeResult { output: Encoded; upstream: Encoded; inputGrad: Encoded; stateAfter?: StatePairs }
interface ResNetCase { config: Required<Omit<ResNetOptions, "dtype">>; state: StatePairs; input: Encoded; train: ModeResult; eval: ModeResult }
interface Fixture {
  resnet8: ResNetCase;
  resnet28: ResNetCase;
  parameterCounts: { resnetDefault: number };
  stateDictKeys: { resnetDefault: string[] };
}

const FIXTURE = readArchFixture<Fixture>("resnet-vit");
const EXACT = { atol: 1e-10, rtol: 0 };

describe("structure", () => {
  test("default 28×28 model: [N, 1, 28, 28] → [N, 10], 174,970 parameters and the keys of PyTorch's twin", () => {
    const model = new ResNet();
    assert.deepEqual(model.forward(randn([2, 1, 28, 28])).shape, [2, 10]);
    assert.equal(model.parameterCount(), FIXTURE.parameterCounts.resnetDefault);
    assert.equal(model.parameterCount(), 174_970);
    assert.deepEqual([...model.stateDict().keys()], FIXTURE.stateDictKeys.resnetDefault);
    assert.ok(model.maxpool instanceof nn.MaxPool2d);
    assert.deepEqual(model.layers.map((stage) => stage.length), [2, 2, 2]);
  });

  test("shapes through the stages: 28 → 14 → 14 → 7 → 4, and 8 → 8 → 4 → 2 without the max pool", () => {
    for (const [inputSize, sides] of [[28, [14, 14, 7, 4]], [8, [8, 8, 4, 2]]] as const) {
      const model = new ResNet({ inputSize }).eval();
      let h = noGrad(() => model.maxpool.forward(model.relu.forward(model.bn1.forward(model.conv1.forward(randn([2, 1, inputSize, inputSize]))))));
      assert.deepEqual(h.shape, [2, 16, sides[0], sides[0]]);
      model.layers.forEach((stage, s) => {
        h = noGrad(() => stage.forward(h));
        assert.deepEqual(h.shape, [2, model.widths[s], sides[s + 1], sides[s + 1]], `layer${s + 1}`);
      });
      assert.deepEqual(noGrad(() => model.features(randn([2, 1, inputSize, inputSize]))).shape, [2, 64]);
    }
    assert.ok(new ResNet({ inputSize: 8 }).maxpool instanceof nn.Identity);
  });

  test("a block has a downsample exactly when the stride or the width changes", () => {
    assert.equal(new BasicBlock(8, 8).downsample, null);
    const strided = new BasicBlock(8, 8, 2);
    assert.deepEqual(strided.forward(randn([1, 8, 7, 7])).shape, [1, 8, 4, 4]);
    assert.ok(strided.downsample !== null);
    const wider = new BasicBlock(8, 16);
    assert.deepEqual([...wider.stateDict().keys()].filter((k) => k.startsWith("downsample")),
      ["downsample.0.weight", "downsample.1.weight", "downsample.1.bias", "downsample.1.running_mean", "downsample.1.running_var", "downsample.1.num_batches_tracked"]);
  });

  test("options: channels, classes, widths and depths", () => {
    const model = new ResNet({ inChannels: 3, numClasses: 5, widths: [4, 8, 8, 12], depths: [1, 2, 1, 1], inputSize: 8 });
    assert.deepEqual(model.forward(randn([2, 3, 8, 8])).shape, [2, 5]);
    assert.deepEqual([...model.namedChildren()].map(([name]) => name), ["conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4", "avgpool", "fc"]);
    assert.match(String(model), /\(layer4\): Sequential/);
  });

  test("torchvision's initialisation: kaiming-normal fan_out convolutions, BatchNorm 1 and 0", () => {
    manualSeed(5);
    const model = new ResNet({ widths: [64, 64, 128], depths: [1, 1, 1] });
    const weight = (model.layers[2]!.at(0) as BasicBlock).conv2.weight;
    const std = noGrad(() => weight.std().item());
    const expected = Math.sqrt(2 / (128 * 9)); // gain √2 over √fan_out, fan_out = outChannels · 3 · 3
    assert.ok(Math.abs(std - expected) < 0.05 * expected, `std ${std}, expected ${expected}`);
    for (const module of model.modules()) {
      if (module instanceof nn.BatchNorm2d) {
        assert.equal(noGrad(() => module.weight!.sub(1).abs().max().item()), 0);
        assert.equal(noGrad(() => module.bias!.abs().max().item()), 0);
      }
    }
  });

  test("bad options and inputs are refused with a message", () => {
    assert.throws(() => new ResNet({ widths: [8, 16], depths: [1] }), /widths and depths need the same, non-zero length/);
    assert.throws(() => new ResNet({ widths: [], depths: [] }), /non-zero length/);
    assert.throws(() => new ResNet({ widths: [8, 0], depths: [1, 1] }), /widths\[1\] must be a positive integer, got 0/);
    assert.throws(() => new ResNet({ inChannels: 1.5 }), /inChannels must be a positive integer/);
    assert.throws(() => new ResNet({ inputSize: 32 as 28 }), /inputSize must be 28 or 8, got 32/);
    assert.throws(() => new ResNet().forward(randn([2, 3, 28, 28])), /expected images \[N, 1, H, W\], got \[2, 3, 28, 28\]/);
  });
});

describe("against PyTorch 1.13 (float64, atol 1e-10), training then evaluation mode", () => {
  for (const name of ["resnet8", "resnet28"] as const) {
    test(`${name}: outputs, input gradients and the running statistics`, () => {
      const fixture = FIXTURE[name];
      const model = new ResNet(fixture.config).double();
      assert.deepEqual([...model.stateDict().keys()], fixture.state.map(([key]) => key), "state-dict keys in PyTorch's order");
      model.loadStateDict(decodeStateDict(fixture.state));
      for (const mode of ["train", "eval"] as const) {
        model.train(mode === "train");
        const expected = fixture[mode];
        const x = decode(fixture.input, true);
        const out = model.forward(x);
        assertClose(out, expected.output.values, { ...EXACT, message: `${mode} output` });
        out.mul(decode(expected.upstream)).sum().backward();
        assertClose(x.grad!, expected.inputGrad.values, { ...EXACT, message: `${mode} input gradient` });
        for (const [key, value] of decodeStateDict(expected.stateAfter ?? [])) {
          assertClose(model.stateDict().get(key)!, value.tolist(), { ...EXACT, message: `${key} after a training step` });
        }
      }
    });
  }
});

describe("gradcheck (float64)", () => {
  test("8×8, training mode (batch statistics): the input, the stem, a downsample, a BatchNorm and fc", () => {
    manualSeed(1);
    const model = new ResNet({ inChannels: 2, numClasses: 3, widths: [3, 4], depths: [1, 1], inputSize: 8 }).double();
    const x = randn([2, 2, 8, 8], { dtype: "float64", requiresGrad: true });
    const block = model.layers[1]!.at(0) as BasicBlock;
    const downsample = block.downsample!.at(0) as nn.Conv2d;
    gradcheck(() => model.forward(x), [x, model.conv1.weight, downsample.weight, block.bn2.weight!, block.bn2.bias!, model.fc.weight]);
  });

  test("28×28 (the max-pool stem), evaluation mode (running statistics): the stem and a block's convolution", () => {
    manualSeed(2);
    const model = new ResNet({ widths: [2, 3], depths: [1, 1] }).double().eval();
    const x = randn([1, 1, 28, 28], { dtype: "float64" });
    gradcheck(() => model.forward(x), [model.conv1.weight, (model.layers[0]!.at(0) as BasicBlock).conv1.weight]);
  });
});

test("stateDict survives a safetensors round trip: a fresh model gives the same output in evaluation mode", () => {
  manualSeed(4);
  const model = new ResNet({ widths: [4, 8], depths: [1, 1] });
  model.forward(randn([4, 1, 28, 28])); // move the running statistics away from 0 and 1
  const { tensors } = deserialize(serialize(model.stateDict()));
  const copy = new ResNet({ widths: [4, 8], depths: [1, 1] });
  copy.loadStateDict(tensors);
  const x = randn([2, 1, 28, 28]);
  assert.deepEqual(noGrad(() => copy.eval().forward(x).tolist()), noGrad(() => model.eval().forward(x).tolist()));
});

test("learns Fashion-MNIST: > 60 % test accuracy after 60 steps on a 1,000-image slice, every parameter trained", () => {
  manualSeed(0);
  const normalize = (images: Tensor) => images.sub(0.286).div(0.353);
  const train = data.loadFashionMNIST(), test = data.loadFashionMNIST({ split: "test" });
  const slice = new data.TensorDataset(normalize(train.images.narrow(0, 0, 1000)), train.labels.narrow(0, 0, 1000));
  const model = new ResNet({ widths: [4, 16, 32], depths: [1, 1, 1] });
  const initial = model.parameters().map((p) => p.detach().clone());
  const optimizer = new optim.Adam(model.parameters(), { lr: 5e-3 });
  const loader = new data.DataLoader(slice, { batchSize: 32, shuffle: true, dropLast: true, generator: new Generator(1) });
  let steps = 0;
  while (steps < 60) {
    for (const [x, y] of loader) {
      const loss = F.crossEntropy(model.forward(x), y);
      optimizer.zeroGrad();
      loss.backward();
      optimizer.step();
      if (++steps === 60) break;
    }
  }
  model.eval();
  const xTest = normalize(test.images.narrow(0, 0, 500)), yTest = test.labels.narrow(0, 0, 500);
  const accuracy = noGrad(() => model.forward(xTest).argmax(1).eq(yTest).float().mean().item());
  assert.ok(accuracy > 0.6, `test accuracy ${(100 * accuracy).toFixed(1)} % (chance: 10 %)`);
  for (const [i, [name, p]] of [...model.namedParameters()].entries()) {
    const change = noGrad(() => p.sub(initial[i]!).abs().amax().item());
    assert.ok(change > 1e-3, `${name} barely moved (largest change ${change})`);
  }
});

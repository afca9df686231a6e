// One of each architecture in src/architectures, at the size its training
// script uses (training/*.ts), with one input example: what the FLOP chart counts.

import { architectures, randint, randn, tensor, type Tensor } from "../../src/index.ts";
import type { Module } from "../../src/nn/module.ts";

export interface ModelExample {
  name: string;
  /** What one forward pass takes in, in words. */
  input: string;
  model: Module;
  forward: () => unknown;
}

export function modelExamples(): ModelExample[] {
  const a = architectures;
  const example = (name: string, input: string, model: Module, forward: (m: never) => unknown): ModelExample =>
    ({ name, input, model, forward: () => forward(model as never) });
  const image = (side: number): Tensor => randn([1, 1, side, side]);
  const step = tensor([10], { dtype: "int32" });
  return [
    example("MLP", "one 8×8 digit", new a.MLP({ inFeatures: 64, hiddenSizes: [128, 64], outFeatures: 10, norm: "batch", dropout: 0.1 }).eval(), (m: architectures.MLP) => m.forward(randn([1, 64]))),
    example("LeNet-5", "one 28×28 image", new a.LeNet5().eval(), (m: architectures.LeNet5) => m.forward(image(28))),
    example("ResNet", "one 28×28 image", new a.ResNet().eval(), (m: architectures.ResNet) => m.forward(image(28))),
    example("ViT", "one 8×8 digit", new a.ViT().eval(), (m: architectures.ViT) => m.forward(image(8))),
    example("LSTM CharRNN", "64 characters", new a.CharRNN(80, { cell: "lstm", embeddingDim: 32, hiddenSize: 64 }), (m: architectures.CharRNN) => m.forward(randint(0, 80, [1, 64]))),
    example("GPT", "32 characters", new a.GPT({ vocabSize: 80, blockSize: 32, nLayer: 2, nHead: 4, nEmbd: 64, dropout: 0, bias: false }), (m: architectures.GPT) => m.forward(randint(0, 80, [1, 32]))),
    example("VAE", "one 8×8 digit", new a.VAE({ inFeatures: 64, hiddenSizes: [256, 128], latentDim: 8 }), (m: architectures.VAE) => m.forward(randn([1, 64]))),
    example("GAN generator", "one noise vector", new a.GANGenerator({ noiseDim: 8, hiddenSizes: [64, 64], outFeatures: 2 }), (m: architectures.GANGenerator) => m.forward(randn([1, 8]))),
    example("MLP denoiser", "one 2-D point", new a.MLPDenoiser(), (m: architectures.MLPDenoiser) => m.forward(randn([1, 2]), step)),
    example("U-Net", "one 8×8 digit", new a.UNet(), (m: architectures.UNet) => m.forward(image(8), step)),
  ];
}

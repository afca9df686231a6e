// The architectures, each built from src/nn layers in a file of its own, with
// its PyTorch equivalent described at the top: `import { architectures } from "gradschool"`.
// src/architectures/README.md lists each one with its size and its measured result.

export { MLP, type MLPActivation, type MLPNorm, type MLPOptions } from "./mlp.ts";
export { LeNet5, type LeNet5Options } from "./lenet.ts";
export { BasicBlock, ResNet, type ResNetOptions } from "./resnet.ts";
export { ViT, type ViTOptions } from "./vit.ts";
export { CharRNN, detachHidden, type CharRNNOptions, type RecurrentCell, type RecurrentState } from "./char-rnn.ts";
export { SequenceModel, type SequenceModelOptions, type SequenceTask } from "./sequence-model.ts";
export { GPT, KVCache, sampleFromLogits, type GenerateOptions, type GPTConfig, type GPTOutput } from "./gpt.ts";
export { DDPM, SinusoidalTimeEmbedding, type DDPMOptions, type Denoiser, type NoiseSchedule } from "./diffusion.ts";
export { MLPDenoiser, type MLPDenoiserOptions } from "./denoiser-mlp.ts";
export { UNet, type UNetOptions } from "./unet.ts";
export { Autoencoder, VAE, klToStandardNormal, type AutoencoderConfig, type VAEConfig, type VAELoss } from "./autoencoder.ts";
export {
  GANDiscriminator, GANGenerator, discriminatorLoss, generatorLoss, ganTrainingStep, modeCoverage, ringCenters,
  type GANDiscriminatorConfig, type GANGeneratorConfig, type ModeCoverage,
} from "./gan.ts";

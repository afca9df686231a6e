// nn: modules, layers, losses, initialisation, like torch.nn.
//
//   import { nn } from "gradschool";
//   const model = new nn.Sequential(new nn.Linear(784, 128), new nn.ReLU(), new nn.Linear(128, 10));
//
// Everything here is plain TypeScript over src/core (no Node APIs), so it
// runs in a browser too. Saving to files is in serialization.ts and
// checkpoint.ts, exported from the package root (save, load, saveCheckpoint ...).

export { Module, type LoadStateDictOptions, type LoadStateDictResult, type StateDict, type TensorModule } from "./module.ts";
export { Parameter } from "./parameter.ts";
export { ModuleDict, ModuleList, Sequential } from "./containers.ts";

export { Bilinear, Flatten, Identity, Linear, Unflatten, type LinearOptions } from "./layers/linear.ts";
export {
  Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d, type ConvLayerOptions, type ConvTransposeLayerOptions,
} from "./layers/conv.ts";
export {
  AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d, Upsample,
} from "./layers/pooling.ts";
export {
  BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm, type BatchNormOptions, type GroupNormOptions, type LayerNormOptions,
} from "./layers/normalization.ts";
export { Dropout } from "./layers/dropout.ts";
export { Embedding } from "./layers/embedding.ts";
export { ELU, GELU, Hardtanh, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Softplus, Tanh } from "./layers/activation.ts";
export * from "./layers/recurrent.ts";
export { MultiheadAttention, type MultiheadAttentionForwardOptions, type MultiheadAttentionOptions } from "./layers/attention.ts";
export {
  BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss, NLLLoss, SmoothL1Loss,
} from "./layers/loss.ts";

export * as init from "./init.ts";
export * as functional from "./functional/index.ts";
export * as utils from "./utils/index.ts";

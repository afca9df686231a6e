// F: the functional forms of every layer, like torch.nn.functional.
//
//   import { F } from "gradschool";
//   const loss = F.crossEntropy(logits, labels);
//
// Layers keep their parameters; these functions take them as arguments.

// Activations are core ops; F lists them under the names PyTorch's F uses.
export { elu, gelu, hardtanh, leakyRelu, relu, silu, softplus } from "../../core/ops/activation.ts";
export { sigmoid, tanh } from "../../core/ops/unary.ts";
export { logSoftmax, softmax } from "../../core/ops/softmax.ts";

export { linear } from "./linear.ts";
export { bilinear } from "./bilinear.ts";
export * from "./conv.ts";
export { dropout, type DropoutOptions } from "./dropout.ts";
export { embedding, type EmbeddingOptions } from "./embedding.ts";
export { oneHot } from "../../core/ops/one-hot.ts";
export { pad, type PadMode, type PadOptions } from "./pad.ts";
export { maxPool1d, maxPool2d } from "../../core/ops/pool.ts";
export {
  adaptiveAvgPool1d, adaptiveAvgPool2d, avgPool1d, avgPool2d, interpolate, upsample, type AvgPool2dOptions, type AvgPoolOptions,
  type InterpolateOptions,
} from "./pooling.ts";
export { batchNorm, groupNorm, instanceNorm, layerNorm, type BatchNormOptions, type InstanceNormOptions } from "./normalization.ts";
export {
  causalMask, multiHeadAttentionForward, scaledDotProductAttention, type MultiHeadAttentionOptions, type MultiHeadAttentionWeights,
  type ScaledDotProductAttentionOptions,
} from "./attention.ts";
export * from "./loss.ts";

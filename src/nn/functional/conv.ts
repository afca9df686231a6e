// F.conv1d, F.conv2d, F.convTranspose1d, F.convTranspose2d.
//
// The convolutions are core ops (src/core/ops/conv.ts), where their forward
// and backward kernels live; the transposed ones are the core op that computes
// a convolution's input gradient, applied as a layer in its own right.

export {
  conv1d, conv2d, convTranspose1d, convTranspose2d,
  type Conv1dOptions, type Conv2dOptions, type ConvTranspose1dOptions, type ConvTranspose2dOptions,
} from "../../core/ops/conv.ts";

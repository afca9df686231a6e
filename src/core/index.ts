// src/core: tensors, ops, autograd, random numbers, gradcheck.
export { Tensor, type Dims, type NestedArray, type Operand } from "./tensor.ts";
export { DTYPES, promoteTypes, type DType, type TypedArray } from "./dtype.ts";
export { broadcastShapes, type Shape } from "./shape.ts";
export {
  arange, eye, full, fullLike, linspace, ones, onesLike, rand, randint, randintLike, randLike, randn, randnLike, randperm,
  scalarTensor, tensor, zeros, zerosLike, type RandomOptions, type TensorOptions,
} from "./creation.ts";
export { Generator, defaultGenerator, manualSeed } from "./random.ts";
export { enableGrad, isGradEnabled, noGrad, setGradEnabled } from "./grad-mode.ts";
export { backward, grad, type BackwardOptions, type GradOptions } from "./autograd.ts";
export { gradcheck, gradgradcheck, type GradcheckOptions } from "./gradcheck.ts";
export { OP_REGISTRY, defineOp, type GradcheckCase, type OpDefinition } from "./op.ts";
export * from "./ops/arithmetic.ts";
export * from "./ops/unary.ts";
export * from "./ops/activation.ts";
export { logSoftmax, softmax } from "./ops/softmax.ts";
export * from "./ops/linalg.ts";
export {
  conv1d, conv2d, convTranspose1d, convTranspose2d, type Conv1dOptions, type Conv2dOptions, type ConvTranspose1dOptions, type ConvTranspose2dOptions,
} from "./ops/conv.ts";
export * from "./ops/shape.ts";
export { maxPool1d, maxPool2d, type MaxPoolOptions, type PoolOptions } from "./ops/pool.ts";
export { clone, contiguous, expand, flatten, narrow, permute, reshape, select, slice, sliceScatter, squeeze, to, transpose, unsqueeze, view } from "./ops/view.ts";
export {
  amax, amin, argmax, argmin, logsumexp, max, mean, min, std, sum, variance, variance as var, type ValuesIndices, type VarianceOptions,
} from "./ops/reduce.ts";
export { sumToShape } from "./ops/reduce-to-shape.ts";

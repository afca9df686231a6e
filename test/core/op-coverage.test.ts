// The list of ops, checked against the registry: an op that is not
// registered does not exist (and is not gradchecked), so this list must be covered.
import assert from "node:assert/strict";
import { test } from "node:test";
import { OP_REGISTRY } from "../../src/index.ts";

const DIFFERENTIABLE = [
  "add", "sub", "mul", "div", "neg", "pow", "maximum", "minimum", "clamp", "where",
  "exp", "log", "sqrt", "rsqrt", "reciprocal", "square", "abs", "sin", "cos", "log1p", "expm1", "tanh", "sigmoid", "erf",
  "relu", "leakyRelu", "elu", "gelu", "silu", "softplus", "hardtanh",
  "sum", "mean", "amax", "amin", "var", "std", "logsumexp", "softmax", "logSoftmax",
  "reshape", "permute", "expand", "slice", "sliceScatter", "clone", "to",
  "cat", "indexSelect", "gather", "scatterAdd", "indexAdd", "pad", "repeat", "matmul",
  "conv2d", "conv2dBackwardInput", "conv2dBackwardWeight", "maxPool2d",
];
const NOT_DIFFERENTIABLE = ["eq", "ne", "lt", "le", "gt", "ge", "argmax", "argmin", "maxPool2dIndices", "logicalNot", "logicalAnd", "logicalOr"];

test("every differentiable op of the core API is registered with a backward and gradcheck cases", () => {
  const missing = DIFFERENTIABLE.filter((name) => !OP_REGISTRY.get(name)?.backward);
  assert.deepEqual(missing, []);
});

test("comparisons and index ops are registered without a backward", () => {
  for (const name of NOT_DIFFERENTIABLE) {
    const op = OP_REGISTRY.get(name);
    assert.ok(op, `${name} is registered`);
    assert.equal(op.backward, undefined, `${name} has no backward`);
  }
});

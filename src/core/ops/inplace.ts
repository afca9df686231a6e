// In-place updates: they overwrite a tensor's memory instead of making a new
// tensor. They are not recorded by autograd, so they are refused on tensors
// that require grad while gradients are being recorded: use them inside
// noGrad(() => ...), as optimizers and initialisers do. Each write bumps the
// storage's version, so a backward that needs the old values fails loudly.

import { castValue, isFloating, type DType } from "../dtype.ts";
import { layoutOf, valuesOf, writeStrided } from "../kernels.ts";
import { isGradEnabled } from "../grad-mode.ts";
import { formatShape } from "../shape.ts";
import type { Operand, Tensor } from "../tensor.ts";
import { scalarTensor } from "../creation.ts";

/** Writes `result` (computed out of place) into `target` and records the change. */
function assign<T extends Tensor>(op: string, target: T, result: Tensor): T {
  target.checkWritable(op);
  if (result.shape.length > target.shape.length || result.shape.some((s, i) => s !== target.shape[i + target.ndim - result.ndim] && s !== 1)) {
    throw new Error(`${op}: the result of shape ${formatShape(result.shape)} cannot be written into a tensor of shape ${formatShape(target.shape)}`);
  }
  const values = valuesOf(result.expand(target.shape).to(target.dtype));
  writeStrided(layoutOf(target), values);
  target.storage.bumpVersion();
  return target;
}

/**
 * The other operand, outside the graph. One that requires grad is refused while gradients
 * are recorded: the in-place op is not recorded, so its gradient would be silently lost.
 */
function operand(op: string, value: Operand): Operand {
  if (typeof value === "number") return value;
  if (value.requiresGrad && isGradEnabled()) {
    throw new Error(`${op}: the operand of shape ${formatShape(value.shape)} requires grad, but in-place ops are not recorded by ` +
      `autograd, so its gradient would be lost. Use the out-of-place op, or noGrad(() => ...) if no gradient is wanted.`);
  }
  return value.detach();
}

/** bool < integer < floating point: an in-place result may not climb to a higher kind than its target. */
function kind(dtype: DType): number {
  return dtype === "bool" ? 0 : isFloating(dtype) ? 2 : 1;
}

/** Refuses, like PyTorch, to write e.g. a float result into an int32 tensor (x.add_(2.5), x.div_(2)). */
function checkResultType<T extends Tensor>(op: string, target: T, result: Tensor): T {
  if (kind(result.dtype) > kind(target.dtype)) {
    throw new Error(`${op}: the result type ${result.dtype} cannot be stored in place in a tensor of dtype ${target.dtype} ` +
      `(shape ${formatShape(target.shape)}). Convert first, e.g. x = x.float(), or use the out-of-place op.`);
  }
  return assign(op, target, result);
}

export function add_<T extends Tensor>(target: T, other: Operand, options: { alpha?: number } = {}): T {
  return checkResultType("add_", target, target.detach().add(operand("add_", other), options));
}

export function sub_<T extends Tensor>(target: T, other: Operand, options: { alpha?: number } = {}): T {
  return checkResultType("sub_", target, target.detach().sub(operand("sub_", other), options));
}

export function mul_<T extends Tensor>(target: T, other: Operand): T {
  return checkResultType("mul_", target, target.detach().mul(operand("mul_", other)));
}

export function div_<T extends Tensor>(target: T, other: Operand): T {
  return checkResultType("div_", target, target.detach().div(operand("div_", other)));
}

export function fill_<T extends Tensor>(target: T, value: number): T {
  return assign("fill_", target, scalarTensor(castValue(value, target.dtype), target.dtype));
}

/** Copies `source` (broadcast, converted to this dtype) into this tensor. */
export function copy_<T extends Tensor>(target: T, source: Tensor): T {
  return assign("copy_", target, operand("copy_", source) as Tensor);
}

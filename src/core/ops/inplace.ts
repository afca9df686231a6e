// In-place updates: they overwrite a tensor's memory instead of making a new
// tensor. They are not recorded by autograd, so they are refused on tensors
// that require grad while gradients are being recorded: use them inside
// noGrad(() => ...), as optimizers and initialisers do. Each write bumps the
// storage's version, so a backward that needs the old values fails loudly.

import { castValue } from "../dtype.ts";
import { layoutOf, valuesOf, writeStrided } from "../kernels.ts";
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

function operand(value: Operand, target: Tensor): Tensor {
  return typeof value === "number" ? scalarTensor(value, target.dtype) : value;
}

export function add_<T extends Tensor>(target: T, other: Operand, options: { alpha?: number } = {}): T {
  target.checkWritable("add_");
  return assign("add_", target, target.detach().add(operand(other, target).detach(), options));
}

export function sub_<T extends Tensor>(target: T, other: Operand, options: { alpha?: number } = {}): T {
  target.checkWritable("sub_");
  return assign("sub_", target, target.detach().sub(operand(other, target).detach(), options));
}

export function mul_<T extends Tensor>(target: T, other: Operand): T {
  target.checkWritable("mul_");
  return assign("mul_", target, target.detach().mul(operand(other, target).detach()));
}

export function div_<T extends Tensor>(target: T, other: Operand): T {
  target.checkWritable("div_");
  return assign("div_", target, target.detach().div(operand(other, target).detach()));
}

export function fill_<T extends Tensor>(target: T, value: number): T {
  return assign("fill_", target, scalarTensor(castValue(value, target.dtype), target.dtype));
}

/** Copies `source` (broadcast, converted to this dtype) into this tensor. */
export function copy_<T extends Tensor>(target: T, source: Tensor): T {
  return assign("copy_", target, source.detach());
}

// Arithmetic, comparisons and selection, elementwise with broadcasting.
// Numbers may stand in for either operand: x.mul(2), sub(1, x).

import { castValue, isFloating, promoteTypes, promoteWithScalar, toFloating, type DType } from "../dtype.ts";
import { map, zip, zip3 } from "../kernels.ts";
import { defineOp } from "../op.ts";
import { scalarTensor, zerosLike } from "../creation.ts";
import type { Operand, Tensor } from "../tensor.ts";

/** Category of a dtype for promotion: 0-d tensors only widen dimensioned ones across categories. */
function category(dtype: DType): number {
  return dtype === "bool" ? 0 : isFloating(dtype) ? 2 : 1;
}

/** The dtype of a binary op's result, by PyTorch's promotion rules. */
export function resultType(a: Operand, b: Operand): DType {
  if (typeof a === "number" && typeof b === "number") return "float32";
  if (typeof a === "number") return promoteWithScalar((b as Tensor).dtype, a);
  if (typeof b === "number") return promoteWithScalar(a.dtype, b);
  // A 0-d tensor of the same category does not widen a dimensioned tensor (float32 + float64 scalar = float32).
  if (a.ndim === 0 && b.ndim > 0 && category(a.dtype) <= category(b.dtype)) return b.dtype;
  if (b.ndim === 0 && a.ndim > 0 && category(b.dtype) <= category(a.dtype)) return a.dtype;
  return promoteTypes(a.dtype, b.dtype);
}

/** Both operands as tensors; numbers become 0-d tensors of the result's dtype. */
function asTensors(a: Operand, b: Operand): [Tensor, Tensor, DType] {
  const dtype = resultType(a, b);
  const ta = typeof a === "number" ? scalarTensor(a, dtype) : a;
  const tb = typeof b === "number" ? scalarTensor(b, dtype) : b;
  return [ta, tb, dtype];
}

const BROADCAST_CASES = [{ inputs: [[3, 4], [3, 4]], secondOrder: true }, { inputs: [[3, 1], [1, 4]] }, { inputs: [[2, 3, 4], [4]] }];
const ALPHA_CASES = [
  { inputs: [[3, 4], [3, 4]], args: { alpha: 1 }, secondOrder: true },
  { inputs: [[3, 1], [1, 4]], args: { alpha: 2.5 } },
  { inputs: [[2, 3, 4], [4]], args: { alpha: -1 } },
];

// d/da (a + alpha·b) = 1,  d/db = alpha
const addOp = defineOp<{ alpha: number }>({
  name: "add",
  forward: ([a, b], { alpha }) => zip("add", a!, b!, alpha === 1 ? (x, y) => x + y : (x, y) => x + alpha * y, promoteTypes(a!.dtype, b!.dtype)),
  backward: (grad, { args }) => [grad, args.alpha === 1 ? grad : grad.mul(args.alpha)],
  gradcheck: ALPHA_CASES,
});

/**
 * alpha scales an operand of `dtype`: a fraction would be silently truncated
 * for integer tensors, so it is refused. Like PyTorch, alpha is first rounded
 * to the dtype (a float32 alpha of 0.1 is 0.10000000149...).
 */
function checkAlpha(op: string, alpha: number, dtype: DType): number {
  if (!isFloating(dtype) && !Number.isInteger(alpha)) {
    throw new Error(`${op}: alpha must be a whole number for ${dtype} tensors, got ${alpha}; convert the tensors to float first`);
  }
  return castValue(alpha, dtype);
}

export function add(a: Operand, b: Operand, options: { alpha?: number } = {}): Tensor {
  const [ta, tb, dtype] = asTensors(a, b);
  const alpha = checkAlpha("add", options.alpha ?? 1, dtype);
  return addOp.apply([ta.to(dtype), tb.to(dtype)], { alpha });
}

// d/da (a - alpha·b) = 1,  d/db = -alpha
const subOp = defineOp<{ alpha: number }>({
  name: "sub",
  forward: ([a, b], { alpha }) => zip("sub", a!, b!, (x, y) => x - alpha * y, promoteTypes(a!.dtype, b!.dtype)),
  backward: (grad, { args }) => [grad, grad.mul(-args.alpha)],
  gradcheck: ALPHA_CASES,
});

export function sub(a: Operand, b: Operand, options: { alpha?: number } = {}): Tensor {
  const [ta, tb, dtype] = asTensors(a, b);
  if (dtype === "bool") throw new Error("sub: subtracting bool tensors is not supported; use logical ops or convert with .int()");
  const alpha = checkAlpha("sub", options.alpha ?? 1, dtype);
  return subOp.apply([ta.to(dtype), tb.to(dtype)], { alpha });
}

// d/da (a·b) = b,  d/db = a
const mulOp = defineOp({
  name: "mul",
  forward: ([a, b]) => zip("mul", a!, b!, (x, y) => x * y, promoteTypes(a!.dtype, b!.dtype)),
  backward: (grad, ctx) => [
    ctx.needsGrad(0) ? grad.mul(ctx.input(1)) : null,
    ctx.needsGrad(1) ? grad.mul(ctx.input(0)) : null,
  ],
  gradcheck: BROADCAST_CASES,
});

export function mul(a: Operand, b: Operand): Tensor {
  const [ta, tb, dtype] = asTensors(a, b);
  return mulOp.apply([ta.to(dtype), tb.to(dtype)], undefined);
}

// d/da (a / b) = 1/b,  d/db = -a/b²
const divOp = defineOp({
  name: "div",
  forward: ([a, b]) => zip("div", a!, b!, (x, y) => x / y, toFloating(promoteTypes(a!.dtype, b!.dtype))),
  backward: (grad, ctx) => [
    ctx.needsGrad(0) ? grad.div(ctx.input(1)) : null,
    ctx.needsGrad(1) ? grad.mul(ctx.input(0)).div(ctx.input(1).square()).neg() : null,
  ],
  gradcheck: [{ inputs: [[3, 4], [3, 4]], domain: "nonzero", secondOrder: true }, { inputs: [[3, 1], [1, 4]], domain: "nonzero" }],
});

/** True division: always a float result, like PyTorch's `/`. */
export function div(a: Operand, b: Operand): Tensor {
  const [ta, tb, dtype] = asTensors(a, b);
  const floatType = toFloating(dtype);
  return divOp.apply([ta.to(floatType), tb.to(floatType)], undefined);
}

// d/dx (-x) = -1
const negOp = defineOp({
  name: "neg",
  forward: ([x]) => map(x!, (v) => -v),
  backward: (grad) => [grad.neg()],
  gradcheck: [{ inputs: [[3, 4]], secondOrder: true }],
});

export function neg(x: Tensor): Tensor {
  if (x.dtype === "bool") throw new Error("neg: negation of a bool tensor is not supported; use logicalNot");
  return negOp.apply([x], undefined);
}

// d/da a^b = b·a^(b-1) (0 where b = 0),  d/db a^b = a^b·ln(a) (0 where a = 0 and b >= 0)
const powOp = defineOp({
  name: "pow",
  forward: ([a, b]) => zip("pow", a!, b!, Math.pow, promoteTypes(a!.dtype, b!.dtype)),
  backward: (grad, ctx) => {
    const [a, b] = [ctx.input(0), ctx.input(1)];
    const gradA = ctx.needsGrad(0) ? where(b.eq(0), 0, grad.mul(b).mul(a.pow(b.sub(1)))) : null;
    const gradB = ctx.needsGrad(1) ? where(a.eq(0).mul(b.ge(0)), 0, grad.mul(ctx.output()).mul(a.log())) : null;
    return [gradA, gradB];
  },
  gradcheck: [
    { inputs: [[3, 4], [3, 4]], domain: "positive", secondOrder: true },
    { inputs: [[3, 1], [1, 4]], domain: "positive" },
  ],
});

/**
 * Elementwise power: tensor^tensor, tensor^number or number^tensor.
 * A negative base with a fractional exponent gives NaN, as in PyTorch.
 */
export function pow(base: Operand, exponent: Operand): Tensor {
  const [ta, tb, dtype] = asTensors(base, exponent);
  if (!isFloating(dtype) && tb.lt(0).logicalOr(tb.ne(tb)).sum().item() > 0) {
    throw new Error(`pow: integers to negative powers are not allowed (${dtype} result); convert to float first, e.g. x.float().pow(-1)`);
  }
  return powOp.apply([ta.to(dtype), tb.to(dtype)], undefined);
}

// Gradient of max(a, b) goes to the larger input; on a tie each gets half (as in PyTorch).
const maximumOp = defineOp({
  name: "maximum",
  forward: ([a, b]) => zip("maximum", a!, b!, (x, y) => (x !== x || y !== y ? NaN : Math.max(x, y)), promoteTypes(a!.dtype, b!.dtype)),
  backward: (grad, ctx) => tieSplit(grad, ctx.input(0).gt(ctx.input(1)), ctx.input(0).eq(ctx.input(1))),
  gradcheck: [{ inputs: [[3, 4], [3, 4]], secondOrder: true }, { inputs: [[3, 1], [1, 4]] }],
});

const minimumOp = defineOp({
  name: "minimum",
  forward: ([a, b]) => zip("minimum", a!, b!, (x, y) => (x !== x || y !== y ? NaN : Math.min(x, y)), promoteTypes(a!.dtype, b!.dtype)),
  backward: (grad, ctx) => tieSplit(grad, ctx.input(0).lt(ctx.input(1)), ctx.input(0).eq(ctx.input(1))),
  gradcheck: [{ inputs: [[3, 4], [3, 4]], secondOrder: true }, { inputs: [[3, 1], [1, 4]] }],
});

/** [grad where `firstWins`, grad elsewhere], each with half the gradient on ties. */
function tieSplit(grad: Tensor, firstWins: Tensor, tie: Tensor): Tensor[] {
  const half = grad.mul(0.5);
  return [where(tie, half, where(firstWins, grad, 0)), where(tie, half, where(firstWins, 0, grad))];
}

/** Elementwise larger value (NaN if either is NaN). */
export function maximum(a: Operand, b: Operand): Tensor {
  const [ta, tb, dtype] = asTensors(a, b);
  return maximumOp.apply([ta.to(dtype), tb.to(dtype)], undefined);
}

/** Elementwise smaller value (NaN if either is NaN). */
export function minimum(a: Operand, b: Operand): Tensor {
  const [ta, tb, dtype] = asTensors(a, b);
  return minimumOp.apply([ta.to(dtype), tb.to(dtype)], undefined);
}

// clamp(x, lo, hi) = min(max(x, lo), hi); the gradient goes to whichever of
// x, lo, hi is the result: x inside [lo, hi], lo below it, hi above it (and hi when lo > hi).
const clampOp = defineOp({
  name: "clamp",
  forward: ([x, lo, hi]) => zip3("clamp", x!, lo!, hi!, (v, l, h) => (v !== v ? NaN : Math.min(Math.max(v, l), h)), x!.dtype),
  backward: (grad, ctx) => {
    const [x, lo, hi] = [ctx.input(0), ctx.input(1), ctx.input(2)];
    const inside = x.ge(lo).mul(x.le(hi));
    const belowLow = x.lt(lo).mul(lo.le(hi));
    const aboveHigh = inside.logicalOr(belowLow).logicalNot();
    return [where(inside, grad, 0), ctx.needsGrad(1) ? where(belowLow, grad, 0) : null, ctx.needsGrad(2) ? where(aboveHigh, grad, 0) : null];
  },
  gradcheck: [{ inputs: [[3, 4], [3, 4], [3, 4]], secondOrder: true }, { inputs: [[3, 4], [1, 4], [3, 1]] }],
});

/** Limits values to [min, max]; either bound may be a number, a tensor, or null for none. */
export function clamp(x: Tensor, min?: Operand | null, max?: Operand | null): Tensor {
  if ((min === null || min === undefined) && (max === null || max === undefined)) {
    throw new Error("clamp: at least one of min and max must be given");
  }
  const given = (b: Operand | null | undefined): Tensor | null =>
    b === null || b === undefined ? null : typeof b === "number" ? scalarTensor(b, promoteWithScalar(x.dtype, b)) : b;
  const [low, high] = [given(min), given(max)];
  const dtype = [low, high].reduce((d, b) => (b === null ? d : promoteTypes(d, b.dtype)), x.dtype);
  // A missing bound is the widest value the dtype holds (±Infinity for floats), so it never clamps.
  const widest = (sign: number) => scalarTensor(isFloating(dtype) ? sign * Infinity : sign > 0 ? 2147483647 : -2147483648, dtype);
  const lo = low ?? widest(-1);
  const hi = high ?? widest(1);
  return clampOp.apply([x.to(dtype), lo.to(dtype), hi.to(dtype)], undefined);
}

// d/da where(c, a, b) = c,  d/db = not c  (the condition gets no gradient)
const whereOp = defineOp({
  name: "where",
  forward: ([c, a, b]) => zip3("where", c!, a!, b!, (cond, x, y) => (cond ? x : y), promoteTypes(a!.dtype, b!.dtype)),
  backward: (grad, ctx) => {
    const c = ctx.input(0);
    const zero = zerosLike(grad);
    return [null, ctx.needsGrad(1) ? where(c, grad, zero) : null, ctx.needsGrad(2) ? where(c, zero, grad) : null];
  },
  gradcheck: [{ inputs: [[3, 4], [3, 4], [3, 4]], indexInputs: { 0: 2 }, secondOrder: true }, { inputs: [[3, 4], [1, 4], [3, 1]], indexInputs: { 0: 2 } }],
});

/** Elementwise choice: a where condition is true, b elsewhere, like torch.where(condition, a, b). */
export function where(condition: Tensor, a: Operand, b: Operand): Tensor {
  const [ta, tb, dtype] = asTensors(a, b);
  const cond = condition.dtype === "bool" ? condition : condition.ne(0);
  return whereOp.apply([cond, ta.to(dtype), tb.to(dtype)], undefined);
}

type Comparison = (x: number, y: number) => boolean;

function comparisonOp(name: string, compare: Comparison) {
  const op = defineOp({
    name,
    forward: ([a, b]) => zip(name, a!, b!, (x, y) => (compare(x, y) ? 1 : 0), "bool"),
  });
  return (a: Operand, b: Operand): Tensor => {
    const [ta, tb] = asTensors(a, b);
    return op.apply([ta, tb], undefined);
  };
}

/** Elementwise a == b, as a bool tensor. */
export const eq = comparisonOp("eq", (x, y) => x === y);
export const ne = comparisonOp("ne", (x, y) => x !== y);
export const lt = comparisonOp("lt", (x, y) => x < y);
export const le = comparisonOp("le", (x, y) => x <= y);
export const gt = comparisonOp("gt", (x, y) => x > y);
export const ge = comparisonOp("ge", (x, y) => x >= y);
export const logicalAnd = comparisonOp("logicalAnd", (x, y) => x !== 0 && y !== 0);
export const logicalOr = comparisonOp("logicalOr", (x, y) => x !== 0 || y !== 0);
export const logicalXor = comparisonOp("logicalXor", (x, y) => (x !== 0) !== (y !== 0));

const logicalNotOp = defineOp({ name: "logicalNot", forward: ([x]) => map(x!, (v) => (v === 0 ? 1 : 0), "bool") });

export function logicalNot(x: Tensor): Tensor {
  return logicalNotOp.apply([x], undefined);
}

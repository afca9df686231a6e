// The Tensor: an n-dimensional view (shape, strides, offset) of a typed array,
// plus what autograd needs (requiresGrad, grad, gradFn).
//
// Every op is a function in src/core/ops; the methods here are the same ops
// spelled `x.exp()` instead of `exp(x)`, as in PyTorch.

import { backward as runBackward, type BackwardOptions } from "./autograd.ts";
import { isFloating, type DType, type TypedArray } from "./dtype.ts";
import { formatTensor } from "./format.ts";
import { isGradEnabled } from "./grad-mode.ts";
import { copyStrided, layoutOf } from "./kernels.ts";
import type { Node } from "./op.ts";
import { formatShape, isContiguous, normalizeDim, numel } from "./shape.ts";
import { Storage } from "./storage.ts";
import * as activation from "./ops/activation.ts";
import * as arithmetic from "./ops/arithmetic.ts";
import * as inplace from "./ops/inplace.ts";
import * as linalg from "./ops/linalg.ts";
import * as reduce from "./ops/reduce.ts";
import * as shapeOps from "./ops/shape.ts";
import * as softmax from "./ops/softmax.ts";
import * as unary from "./ops/unary.ts";
import * as view from "./ops/view.ts";

export type Operand = Tensor | number;
export type Dims = number | readonly number[];
/** A nested array of numbers or booleans, as returned by tolist(). */
export type NestedArray = number | boolean | NestedArray[];

export class Tensor {
  /** The gradient accumulated by backward() (leaves, and tensors that called retainGrad()). */
  grad: Tensor | null = null;
  /** The graph node that produced this tensor; null for leaves. */
  gradFn: Node | null = null;
  /** True once retainGrad() was called on a non-leaf tensor. */
  retainsGrad = false;
  private leafRequiresGrad = false;

  protected constructor(
    readonly storage: Storage,
    readonly shape: readonly number[],
    readonly strides: readonly number[],
    readonly offset: number,
  ) {}

  /** A tensor over `data` with the given layout. Low level: prefer `tensor()`, `zeros()` ... */
  static fromStorage(data: TypedArray, shape: number[], strides: number[], offset: number, dtype: DType): Tensor {
    return new Tensor(new Storage(data, dtype), shape, strides, offset);
  }

  /** A new view of `base`'s memory with another layout (what reshape, transpose, slice ... return). */
  static viewOf(base: Tensor, shape: readonly number[], strides: readonly number[], offset: number): Tensor {
    return new Tensor(base.storage, [...shape], [...strides], offset);
  }

  get dtype(): DType {
    return this.storage.dtype;
  }

  /** Whether gradients flow to this tensor. Set it on leaves; results of ops inherit it. */
  get requiresGrad(): boolean {
    return this.gradFn !== null || this.leafRequiresGrad;
  }

  set requiresGrad(value: boolean) {
    if (this.gradFn !== null) {
      if (!value) throw new Error("requiresGrad: cannot turn off gradients of a non-leaf tensor; use detach() to get a tensor outside the graph");
      return;
    }
    if (value && !isFloating(this.dtype)) {
      throw new Error(`requiresGrad: only floating-point tensors can require gradients, this one is ${this.dtype}`);
    }
    this.leafRequiresGrad = value;
  }

  /** Sets requiresGrad in place and returns this tensor, like `requires_grad_()`. */
  requiresGrad_(value = true): this {
    this.requiresGrad = value;
    return this;
  }

  /** A tensor with no gradFn is a leaf: a parameter or an input, not the result of a recorded op. */
  get isLeaf(): boolean {
    return this.gradFn === null;
  }

  /** Asks backward() to fill .grad of this non-leaf tensor too. */
  retainGrad(): this {
    if (!this.requiresGrad) throw new Error("retainGrad: the tensor does not require grad");
    if (!this.isLeaf) this.retainsGrad = true;
    return this;
  }

  get ndim(): number {
    return this.shape.length;
  }

  dim(): number {
    return this.shape.length;
  }

  numel(): number {
    return numel(this.shape);
  }

  /** The shape, or the size of one dim (negative dims count from the end). */
  size(): number[];
  size(dim: number): number;
  size(dim?: number): number[] | number {
    if (dim === undefined) return [...this.shape];
    if (this.ndim === 0) throw new Error(`size: dim ${dim} was asked of a 0-d tensor, which has no dims`);
    return this.shape[normalizeDim("size", dim, this.ndim)]!;
  }

  isContiguous(): boolean {
    return isContiguous(this.shape, this.strides);
  }

  /** The values in row-major order, as a new typed array of this dtype. */
  toTypedArray(): TypedArray {
    const out = new (this.storage.data.constructor as new (n: number) => TypedArray)(this.numel());
    copyStrided(layoutOf(this), out);
    return out;
  }

  /** The values as nested arrays (numbers; booleans for bool tensors), like `tolist()`. */
  tolist(): NestedArray {
    const flat = Array.from(this.toTypedArray(), (v) => (this.dtype === "bool" ? v !== 0 : v));
    const build = (dim: number, start: number): NestedArray => {
      if (dim === this.ndim) return flat[start]!;
      const size = this.shape[dim]!;
      const step = numel(this.shape.slice(dim + 1));
      return Array.from({ length: size }, (_, i) => build(dim + 1, start + i * step));
    };
    return build(0, 0);
  }

  /** The single value of a one-element tensor as a number (bools as 0/1: use `!== 0`). */
  item(): number {
    if (this.numel() !== 1) {
      throw new Error(`item: only one-element tensors can be converted to a number, this one has shape ${formatShape(this.shape)}`);
    }
    return this.storage.data[this.offset]!;
  }

  toString(): string {
    return formatTensor(this);
  }

  /** Node's console.log uses this, so tensors print like PyTorch's. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** Another Tensor object over the same memory and layout, outside the graph. */
  alias(): Tensor {
    return Tensor.viewOf(this, this.shape, this.strides, this.offset);
  }

  /** Same values and memory, cut from the graph: gradients do not flow through it. */
  detach(): Tensor {
    return this.alias();
  }

  /** Backpropagates from this tensor: fills .grad of every leaf that requires grad. */
  backward(grad?: Tensor, options?: BackwardOptions): void {
    runBackward(this, grad, options);
  }

  /** Refuses in-place writes that would corrupt autograd, with the reason. */
  checkWritable(op: string): void {
    if (this.requiresGrad && isGradEnabled()) {
      throw new Error(
        `${op}: in-place operations on a tensor that requires grad are not allowed while gradients are recorded ` +
          `(${this.isLeaf ? "a leaf such as a parameter" : "part of the graph"}). Update parameters inside noGrad(() => ...), ` +
          `or use the out-of-place op.`,
      );
    }
    if (this.shape.some((size, d) => size > 1 && this.strides[d] === 0)) {
      throw new Error(`${op}: cannot write in place into an expanded tensor (shape ${formatShape(this.shape)}): ` +
        `several elements share one memory location. Call contiguous() or clone() first.`);
    }
  }

  // ---- dtype conversion -------------------------------------------------
  to(dtype: DType): Tensor { return view.to(this, dtype); }
  float(): Tensor { return this.to("float32"); }
  double(): Tensor { return this.to("float64"); }
  int(): Tensor { return this.to("int32"); }
  bool(): Tensor { return this.to("bool"); }

  // ---- views and copies -------------------------------------------------
  reshape(...shape: number[] | [readonly number[]]): Tensor { return view.reshape(this, ...shape); }
  view(...shape: number[] | [readonly number[]]): Tensor { return view.view(this, ...shape); }
  transpose(dim0: number, dim1: number): Tensor { return view.transpose(this, dim0, dim1); }
  /** Transpose of a 2-D tensor (all dims reversed for other ranks). */
  get T(): Tensor { return view.permute(this, this.shape.map((_, d) => this.ndim - 1 - d)); }
  /** The last two dims swapped (batched matrix transpose). */
  get mT(): Tensor { return view.transpose(this, -2, -1); }
  permute(...dims: number[] | [readonly number[]]): Tensor { return view.permute(this, ...dims); }
  expand(...shape: number[] | [readonly number[]]): Tensor { return view.expand(this, ...shape); }
  expandAs(other: Tensor): Tensor { return view.expand(this, other.shape); }
  squeeze(dim?: Dims): Tensor { return view.squeeze(this, dim); }
  unsqueeze(dim: number): Tensor { return view.unsqueeze(this, dim); }
  flatten(startDim = 0, endDim = -1): Tensor { return view.flatten(this, startDim, endDim); }
  /** Elements start, start+step, ... before end along `dim` (Python's x[start:end:step] on that dim). */
  slice(dim: number, start?: number | null, end?: number | null, step = 1): Tensor { return view.slice(this, dim, start, end, step); }
  narrow(dim: number, start: number, length: number): Tensor { return view.narrow(this, dim, start, length); }
  /** The sub-tensor at `index` along `dim`, with that dim removed (Python's x[:, i]). */
  select(dim: number, index: number): Tensor { return view.select(this, dim, index); }
  contiguous(): Tensor { return view.contiguous(this); }
  clone(): Tensor { return view.clone(this); }

  // ---- arithmetic -------------------------------------------------------
  add(other: Operand, options?: { alpha?: number }): Tensor { return arithmetic.add(this, other, options); }
  sub(other: Operand, options?: { alpha?: number }): Tensor { return arithmetic.sub(this, other, options); }
  mul(other: Operand): Tensor { return arithmetic.mul(this, other); }
  div(other: Operand): Tensor { return arithmetic.div(this, other); }
  neg(): Tensor { return arithmetic.neg(this); }
  pow(exponent: Operand): Tensor { return arithmetic.pow(this, exponent); }
  maximum(other: Tensor): Tensor { return arithmetic.maximum(this, other); }
  minimum(other: Tensor): Tensor { return arithmetic.minimum(this, other); }
  clamp(min?: Operand | null, max?: Operand | null): Tensor { return arithmetic.clamp(this, min, max); }
  eq(other: Operand): Tensor { return arithmetic.eq(this, other); }
  ne(other: Operand): Tensor { return arithmetic.ne(this, other); }
  lt(other: Operand): Tensor { return arithmetic.lt(this, other); }
  le(other: Operand): Tensor { return arithmetic.le(this, other); }
  gt(other: Operand): Tensor { return arithmetic.gt(this, other); }
  ge(other: Operand): Tensor { return arithmetic.ge(this, other); }
  /** Elementwise choice: this where condition is true, other elsewhere (torch.where(condition, self, other)). */
  where(condition: Tensor, other: Operand): Tensor { return arithmetic.where(condition, this, other); }
  logicalAnd(other: Operand): Tensor { return arithmetic.logicalAnd(this, other); }
  logicalOr(other: Operand): Tensor { return arithmetic.logicalOr(this, other); }
  logicalXor(other: Operand): Tensor { return arithmetic.logicalXor(this, other); }
  logicalNot(): Tensor { return arithmetic.logicalNot(this); }

  // ---- elementwise math -------------------------------------------------
  exp(): Tensor { return unary.exp(this); }
  log(): Tensor { return unary.log(this); }
  sqrt(): Tensor { return unary.sqrt(this); }
  rsqrt(): Tensor { return unary.rsqrt(this); }
  reciprocal(): Tensor { return unary.reciprocal(this); }
  square(): Tensor { return unary.square(this); }
  abs(): Tensor { return unary.abs(this); }
  sin(): Tensor { return unary.sin(this); }
  cos(): Tensor { return unary.cos(this); }
  log1p(): Tensor { return unary.log1p(this); }
  expm1(): Tensor { return unary.expm1(this); }
  tanh(): Tensor { return unary.tanh(this); }
  sigmoid(): Tensor { return unary.sigmoid(this); }
  sign(): Tensor { return unary.sign(this); }
  erf(): Tensor { return unary.erf(this); }

  // ---- activations ------------------------------------------------------
  relu(): Tensor { return activation.relu(this); }
  leakyRelu(negativeSlope?: number): Tensor { return activation.leakyRelu(this, negativeSlope); }
  elu(alpha?: number): Tensor { return activation.elu(this, alpha); }
  gelu(options?: { approximate?: "none" | "tanh" }): Tensor { return activation.gelu(this, options); }
  silu(): Tensor { return activation.silu(this); }
  softplus(options?: { beta?: number; threshold?: number }): Tensor { return activation.softplus(this, options); }
  hardtanh(minVal?: number, maxVal?: number): Tensor { return activation.hardtanh(this, minVal, maxVal); }

  // ---- reductions -------------------------------------------------------
  sum(dim?: Dims | null, keepdim?: boolean): Tensor { return reduce.sum(this, dim, keepdim); }
  mean(dim?: Dims | null, keepdim?: boolean): Tensor { return reduce.mean(this, dim, keepdim); }
  /** Largest value of all elements. */
  max(): Tensor;
  /** Largest values along `dim` and where they are, like `torch.max(x, dim)`. */
  max(dim: number, keepdim?: boolean): reduce.ValuesIndices;
  max(dim?: number, keepdim?: boolean): Tensor | reduce.ValuesIndices {
    return dim === undefined ? reduce.max(this) : reduce.max(this, dim, keepdim);
  }
  min(): Tensor;
  min(dim: number, keepdim?: boolean): reduce.ValuesIndices;
  min(dim?: number, keepdim?: boolean): Tensor | reduce.ValuesIndices {
    return dim === undefined ? reduce.min(this) : reduce.min(this, dim, keepdim);
  }
  amax(dim?: Dims | null, keepdim?: boolean): Tensor { return reduce.amax(this, dim, keepdim); }
  amin(dim?: Dims | null, keepdim?: boolean): Tensor { return reduce.amin(this, dim, keepdim); }
  argmax(dim?: number | null, keepdim?: boolean): Tensor { return reduce.argmax(this, dim, keepdim); }
  argmin(dim?: number | null, keepdim?: boolean): Tensor { return reduce.argmin(this, dim, keepdim); }
  var(dim?: Dims | null, options?: reduce.VarianceOptions): Tensor { return reduce.variance(this, dim, options); }
  std(dim?: Dims | null, options?: reduce.VarianceOptions): Tensor { return reduce.std(this, dim, options); }
  logsumexp(dim: Dims, keepdim?: boolean): Tensor { return reduce.logsumexp(this, dim, keepdim); }
  softmax(dim: number): Tensor { return softmax.softmax(this, dim); }
  logSoftmax(dim: number): Tensor { return softmax.logSoftmax(this, dim); }

  // ---- joining, splitting, indexing -------------------------------------
  split(splitSizeOrSections: number | readonly number[], dim?: number): Tensor[] { return shapeOps.split(this, splitSizeOrSections, dim); }
  chunk(chunks: number, dim?: number): Tensor[] { return shapeOps.chunk(this, chunks, dim); }
  indexSelect(dim: number, index: Tensor): Tensor { return shapeOps.indexSelect(this, dim, index); }
  gather(dim: number, index: Tensor): Tensor { return shapeOps.gather(this, dim, index); }
  scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor { return shapeOps.scatterAdd(this, dim, index, src); }
  indexAdd(dim: number, index: Tensor, source: Tensor, options?: { alpha?: number }): Tensor { return shapeOps.indexAdd(this, dim, index, source, options); }
  repeat(...sizes: number[] | [readonly number[]]): Tensor { return shapeOps.repeat(this, ...sizes); }

  // ---- linear algebra ---------------------------------------------------
  matmul(other: Tensor): Tensor { return linalg.matmul(this, other); }
  mm(other: Tensor): Tensor { return linalg.mm(this, other); }
  bmm(other: Tensor): Tensor { return linalg.bmm(this, other); }
  mv(vector: Tensor): Tensor { return linalg.mv(this, vector); }
  dot(other: Tensor): Tensor { return linalg.dot(this, other); }
  outer(other: Tensor): Tensor { return linalg.outer(this, other); }

  // ---- in place (no autograd: for optimizers and initialisation, inside noGrad) ----
  add_(other: Operand, options?: { alpha?: number }): this { return inplace.add_(this, other, options); }
  sub_(other: Operand, options?: { alpha?: number }): this { return inplace.sub_(this, other, options); }
  mul_(other: Operand): this { return inplace.mul_(this, other); }
  div_(other: Operand): this { return inplace.div_(this, other); }
  fill_(value: number): this { return inplace.fill_(this, value); }
  zero_(): this { return inplace.fill_(this, 0); }
  copy_(source: Tensor): this { return inplace.copy_(this, source); }
}

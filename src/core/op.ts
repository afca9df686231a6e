// The op contract. Every differentiable operation is defined once, here-shaped:
//
//   // d/dx exp(x) = exp(x)
//   export const exp = defineOp({
//     name: "exp",
//     forward: ([x]) => map(x, Math.exp),
//     backward: (grad, ctx) => [grad.mul(ctx.output())],
//     gradcheck: [{ inputs: [[3, 4]] }],
//   });
//
// forward computes values (no graph is recorded inside it); backward turns the
// gradient of the output into gradients of the inputs using ordinary tensor
// ops, so that backward itself can be differentiated (higher-order gradients).
// Gradients that were broadcast are summed back to each input's shape by the
// engine (autograd.ts), never by the op.
//
// Every op lands in OP_REGISTRY, which the test suite walks: each
// differentiable op is gradchecked on contiguous, permuted and broadcast inputs.

import { isGradEnabled, withGradMode } from "./grad-mode.ts";
import type { DType } from "./dtype.ts";
import type { Tensor } from "./tensor.ts";

/** What forward may remember for backward besides inputs and output (indices, masks, sizes). */
export interface ForwardContext {
  save(name: string, value: unknown): void;
}

export interface BackwardContext<Args> {
  readonly args: Args;
  /** The i-th input as it was at forward time; throws if it was modified in place since. */
  input(i: number): Tensor;
  /** The output as it was at forward time; throws if it was modified in place since. */
  output(): Tensor;
  /** The i-th input's shape (no version check: a shape cannot change in place). */
  inputShape(i: number): readonly number[];
  /** The i-th input's dtype. */
  inputDType(i: number): DType;
  /** A value stored by forward with ctx.save(name, value). */
  saved<T>(name: string): T;
  /** Whether input i needs a gradient (skip work for inputs that do not). */
  needsGrad(i: number): boolean;
}

/** How the test suite builds inputs for an automatic gradcheck of an op. */
export interface GradcheckCase {
  /** Shapes of the tensor inputs. */
  inputs: number[][];
  /** Extra arguments passed to the op. */
  args?: unknown;
  /** Where input values are drawn from: "any" (default, N(0,1)), "positive" (0.5..2), "unit" (-0.9..0.9), "nonzero" (|x| in 0.5..2). */
  domain?: "any" | "positive" | "unit" | "nonzero";
  /** Inputs (by position) that are integer indices, with their exclusive upper bound: not differentiated. */
  indexInputs?: Record<number, number>;
  /** Also run gradgradcheck (second derivatives) on this case. */
  secondOrder?: boolean;
  /** Input layouts to leave out, with the reason in a comment (e.g. ties when rows are repeated by expand). */
  skipLayouts?: ("permuted" | "expanded")[];
}

export interface OpDefinition<Args> {
  /** PyTorch's name, in camelCase. */
  name: string;
  forward(inputs: Tensor[], args: Args, ctx: ForwardContext): Tensor;
  /** Absent for ops without a gradient (comparisons, argmax ...). */
  backward?(grad: Tensor, ctx: BackwardContext<Args>): (Tensor | null)[];
  /** Cases for the automatic gradcheck walk; required for differentiable ops. */
  gradcheck?: GradcheckCase[];
}

export interface RegisteredOp<Args> extends OpDefinition<Args> {
  /** Runs the op: forward, then (if gradients are wanted) records a graph node. */
  apply(inputs: Tensor[], args: Args): Tensor;
}

/** One recorded application of an op: the edge from an output back to its inputs. */
export class Node {
  freed = false;
  private readonly inputVersions: number[];
  private readonly outputVersion: number;

  constructor(
    readonly op: OpDefinition<unknown>,
    readonly inputs: Tensor[],
    readonly args: unknown,
    private saved: Map<string, unknown>,
    private output: Tensor | null,
  ) {
    this.inputVersions = inputs.map((t) => t.storage.version);
    this.outputVersion = output!.storage.version;
  }

  get name(): string {
    return this.op.name;
  }

  /** The name PyTorch prints for a grad_fn, e.g. MulBackward0. */
  get displayName(): string {
    return this.op.name.charAt(0).toUpperCase() + this.op.name.slice(1) + "Backward";
  }

  /** Calls the op's backward; `createGraph` records the backward pass itself for higher-order gradients. */
  runBackward(grad: Tensor, createGraph: boolean): (Tensor | null)[] {
    const node = this;
    const inputAt = (i: number): Tensor => {
      const t = node.inputs[i];
      if (t === undefined) throw new Error(`${node.name} backward: no input ${i}`);
      return t;
    };
    // Only what forward saved is freed after a backward: an op whose gradient
    // needs nothing saved (add, or sum needing only a shape) can run backward again.
    const ctx: BackwardContext<unknown> = {
      args: this.args,
      input(i) {
        node.checkNotFreed();
        const t = inputAt(i);
        node.checkVersion(t, node.inputVersions[i]!, `input ${i}`);
        return t;
      },
      output() {
        node.checkNotFreed();
        node.checkVersion(node.output!, node.outputVersion, "its output");
        return node.output!;
      },
      saved<T>(name: string) {
        node.checkNotFreed();
        if (!node.saved.has(name)) throw new Error(`${node.name} backward: nothing saved under "${name}"`);
        return node.saved.get(name) as T;
      },
      inputShape: (i) => inputAt(i).shape,
      inputDType: (i) => inputAt(i).dtype,
      needsGrad: (i) => this.inputs[i]?.requiresGrad ?? false,
    };
    return withGradMode(createGraph, () => this.op.backward!(grad, ctx));
  }

  /** Drops what forward saved, once backward no longer needs it (retainGraph: false). */
  free(): void {
    this.freed = true;
    this.saved = new Map();
    this.output = null;
  }

  private checkNotFreed(): void {
    if (this.freed) {
      throw new Error(
        `backward: trying to backward through the graph of ${this.name} a second time, but its saved tensors were freed ` +
          `after the first backward. Pass { retainGraph: true } to the first backward() if you need to call it twice.`,
      );
    }
  }

  private checkVersion(t: Tensor, expected: number, what: string): void {
    if (t.storage.version !== expected) {
      throw new Error(
        `backward: ${this.name} saved ${what} [shape ${JSON.stringify(t.shape)}] for its gradient, but it has been ` +
          `modified by an in-place operation since (version ${expected} at forward, now ${t.storage.version}). ` +
          `Use an out-of-place op (e.g. x.add(y) instead of x.add_(y)), or clone() before modifying.`,
      );
    }
  }
}

/** Every op ever defined, by name. The test suite walks this. */
export const OP_REGISTRY = new Map<string, RegisteredOp<any>>();

export function defineOp<Args = undefined>(definition: OpDefinition<Args>): RegisteredOp<Args> {
  if (OP_REGISTRY.has(definition.name)) throw new Error(`defineOp: an op named "${definition.name}" already exists`);
  if (definition.backward && !definition.gradcheck?.length) {
    throw new Error(`defineOp: differentiable op "${definition.name}" needs at least one gradcheck case`);
  }
  const op: RegisteredOp<Args> = {
    ...definition,
    apply: (inputs, args) => applyOp(op, inputs, args),
  };
  OP_REGISTRY.set(definition.name, op);
  return op;
}

function applyOp<Args>(op: OpDefinition<Args>, inputs: Tensor[], args: Args): Tensor {
  const saved = new Map<string, unknown>();
  const ctx: ForwardContext = { save: (name, value) => void saved.set(name, value) };
  const record = op.backward !== undefined && isGradEnabled() && inputs.some((t) => t.requiresGrad);
  let output = withGradMode(false, () => op.forward(inputs, args, ctx));
  if (!record) return output;
  // The output gets its own Tensor object even when forward handed back an input unchanged.
  if (inputs.includes(output)) output = output.alias();
  output.gradFn = new Node(op as OpDefinition<unknown>, inputs, args, saved, output);
  return output;
}

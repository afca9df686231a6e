// Reverse-mode automatic differentiation.
//
// Every tensor made by an op that needed gradients carries `gradFn`, the Node
// recording which op made it from which inputs. backward() walks those nodes
// from the output back to the leaves in reverse topological order (a node is
// visited only after everything that used its output), applying the chain rule:
//
//   dL/d(input) += op.backward(dL/d(output))
//
// Gradients flowing into a tensor from several uses are summed. Gradients of
// broadcast inputs are summed back to the input's shape here, in one place.

import { withGradMode } from "./grad-mode.ts";
import { formatShape, sameShape } from "./shape.ts";
import type { Tensor } from "./tensor.ts";
import { onesLike } from "./creation.ts";
import { sumToShape } from "./ops/reduce-to-shape.ts";

export interface BackwardOptions {
  /** Keep the graph's saved tensors so backward can run through it again. */
  retainGraph?: boolean;
  /** Record the backward pass itself, so the gradients can be differentiated again. */
  createGraph?: boolean;
}

export interface GradOptions extends BackwardOptions {
  /** Return null for inputs the outputs do not depend on, instead of throwing. */
  allowUnused?: boolean;
}

/** Tensors reachable from `roots` through gradFn links, each after all tensors computed from it. */
function reverseTopologicalOrder(roots: Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Iterative depth-first search (long graphs, e.g. unrolled RNNs, would overflow recursion).
  const stack: { tensor: Tensor; expanded: boolean }[] = roots.map((tensor) => ({ tensor, expanded: false }));
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (top.expanded) {
      order.push(top.tensor);
      continue;
    }
    if (visited.has(top.tensor)) continue;
    visited.add(top.tensor);
    stack.push({ tensor: top.tensor, expanded: true });
    for (const input of top.tensor.gradFn?.inputs ?? []) {
      if (input.requiresGrad && !visited.has(input)) stack.push({ tensor: input, expanded: false });
    }
  }
  return order.reverse(); // outputs first, leaves last
}

/** The core loop shared by backward() and grad(): returns every reachable tensor's gradient. */
function propagate(roots: Tensor[], rootGrads: Tensor[], options: BackwardOptions): Map<Tensor, Tensor> {
  const createGraph = options.createGraph ?? false;
  const retainGraph = options.retainGraph ?? createGraph;
  const grads = new Map<Tensor, Tensor>();
  const accumulate = (t: Tensor, g: Tensor) => {
    const previous = grads.get(t);
    grads.set(t, previous === undefined ? g : withGradMode(createGraph, () => previous.add(g)));
  };
  roots.forEach((root, i) => accumulate(root, rootGrads[i]!));

  const order = reverseTopologicalOrder(roots);
  for (const tensor of order) {
    const node = tensor.gradFn;
    const grad = grads.get(tensor);
    if (node === null || grad === undefined) continue;
    const inputGrads = node.runBackward(grad, createGraph);
    node.inputs.forEach((input, i) => {
      let g = inputGrads[i];
      if (!input.requiresGrad || g === null || g === undefined) return;
      g = withGradMode(createGraph, () => {
        let reduced = sameShape(g!.shape, input.shape) ? g! : sumToShape(g!, input.shape);
        if (reduced.dtype !== input.dtype) reduced = reduced.to(input.dtype);
        return reduced;
      });
      if (!sameShape(g.shape, input.shape)) {
        throw new Error(
          `backward: ${node.name} returned a gradient of shape ${formatShape(g.shape)} for input ${i} of shape ${formatShape(input.shape)}`,
        );
      }
      accumulate(input, g);
    });
  }
  if (!retainGraph) for (const tensor of order) tensor.gradFn?.free();
  return grads;
}

function checkRoot(op: string, root: Tensor, grad: Tensor | undefined): Tensor {
  if (!root.requiresGrad) {
    throw new Error(`${op}: the tensor does not require grad and has no grad_fn: nothing to differentiate. ` +
      `Set requiresGrad on the leaves (tensor(data, { requiresGrad: true })) before computing from them.`);
  }
  if (grad === undefined) {
    if (root.numel() !== 1) {
      throw new Error(`${op}: grad can be created implicitly only for a scalar output, but the output has shape ` +
        `${formatShape(root.shape)}. Reduce it first (e.g. .sum()) or pass a gradient of shape ${formatShape(root.shape)}.`);
    }
    return onesLike(root);
  }
  if (!sameShape(grad.shape, root.shape)) {
    throw new Error(`${op}: gradient of shape ${formatShape(grad.shape)} does not match the output's shape ${formatShape(root.shape)}`);
  }
  return grad;
}

/**
 * Computes d(root)/d(leaf) for every leaf that requires grad and adds it into leaf.grad,
 * like `root.backward(grad)` in PyTorch. Tensors that called retainGrad() get .grad too.
 */
export function backward(root: Tensor, grad?: Tensor, options: BackwardOptions = {}): void {
  const seed = checkRoot("backward", root, grad);
  const grads = propagate([root], [seed], options);
  const createGraph = options.createGraph ?? false;
  for (const [tensor, g] of grads) {
    if (!tensor.isLeaf && !tensor.retainsGrad) continue;
    // clone(): a gradient passed through unchanged (e.g. by add) must not be shared by two tensors' .grad.
    withGradMode(createGraph, () => {
      const contribution = createGraph ? g.clone() : g.detach().clone();
      tensor.grad = tensor.grad === null ? contribution : tensor.grad.add(contribution);
    });
  }
}

/**
 * Returns the gradients of `outputs` with respect to `inputs` without touching .grad,
 * like `torch.autograd.grad`. With createGraph the results can be differentiated again.
 */
export function grad(
  outputs: Tensor | Tensor[],
  inputs: Tensor | Tensor[],
  gradOutputs?: Tensor | (Tensor | undefined)[],
  options: GradOptions = {},
): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const seeds = Array.isArray(gradOutputs) ? gradOutputs : [gradOutputs];
  const rootGrads = outs.map((out, i) => checkRoot("grad", out, seeds[i]));
  for (const [i, input] of ins.entries()) {
    if (!input.requiresGrad) throw new Error(`grad: input ${i} does not require grad`);
  }
  const grads = propagate(outs, rootGrads, options);
  return ins.map((input, i) => {
    const g = grads.get(input);
    if (g !== undefined) return options.createGraph ? g : g.detach();
    if (options.allowUnused) return null;
    throw new Error(`grad: input ${i} was not used to compute the outputs; pass { allowUnused: true } to get null for it`);
  });
}

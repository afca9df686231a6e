// Stochastic gradient descent, with momentum, like torch.optim.SGD.
//
//   g ← ∇f(θ)                       (−∇f(θ) when maximizing)
//   g ← g + λθ                      weight decay λ (an L2 penalty)
//   b ← g on the first step, then b ← μb + (1 − τ)g     momentum μ, dampening τ
//   g ← g + μb (Nesterov)  or  g ← b
//   θ ← θ − γg                      learning rate γ

import { Tensor } from "../../core/tensor.ts";
import { checkBoolean, checkFinite, checkNonNegative, Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.ts";

export interface SGDOptions {
  /** Learning rate γ. PyTorch's SGD has no default: give it here or in every group. */
  lr: number;
  /** Momentum factor μ (default 0: plain gradient descent). */
  momentum: number;
  /** Dampening τ: the fraction of each new gradient left out of the momentum buffer (default 0). */
  dampening: number;
  /** Weight decay λ: adds λθ to the gradient (default 0). */
  weightDecay: number;
  /** Nesterov momentum: look ahead along the buffer (default false; needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

/** PyTorch keeps momentum_buffer = None until the first step with momentum. */
export type SGDState = { momentum_buffer: Tensor | null };

const DEFAULTS: Partial<SGDOptions> = { lr: undefined, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };

/** Stochastic gradient descent (optionally with momentum), like torch.optim.SGD. */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> = {}) {
    super(params, DEFAULTS, options);
  }

  protected checkOptions(options: SGDOptions, where: string): void {
    checkNonNegative(where, "momentum", options.momentum);
    checkFinite(where, "dampening", options.dampening);
    checkNonNegative(where, "weight_decay", options.weightDecay);
    checkBoolean(where, "nesterov", options.nesterov);
    checkBoolean(where, "maximize", options.maximize);
    if (options.nesterov && (options.momentum <= 0 || options.dampening !== 0)) {
      throw new Error(`${where}: Nesterov momentum requires a momentum > 0 and zero dampening, ` +
        `got momentum ${options.momentum} and dampening ${options.dampening}`);
    }
  }

  protected initialState(): SGDState {
    return { momentum_buffer: null };
  }

  protected stateKeys(): string[] {
    return ["momentum_buffer"];
  }

  protected updateParameter(param: Tensor, grad: Tensor, group: ParamGroup<SGDOptions>, state: SGDState): void {
    let direction = group.maximize ? grad.neg() : grad;
    if (group.weightDecay !== 0) direction = direction.add(param, { alpha: group.weightDecay }); // g + λθ
    if (group.momentum !== 0) {
      if (state.momentum_buffer === null) state.momentum_buffer = direction.clone(); // b₁ = g
      else state.momentum_buffer.mul_(group.momentum).add_(direction, { alpha: 1 - group.dampening }); // b ← μb + (1 − τ)g
      const buffer = state.momentum_buffer;
      direction = group.nesterov ? direction.add(buffer, { alpha: group.momentum }) : buffer; // g + μb, or b
    }
    param.add_(direction, { alpha: -group.lr }); // θ ← θ − γg
  }
}

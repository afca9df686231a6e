// RMSprop, like torch.optim.RMSprop: divide each gradient by a running root
// mean square of its recent values, so that every parameter moves at about
// the same pace.
//
//   g ← ∇f(θ)  (−∇f(θ) when maximizing);   g ← g + λθ      weight decay λ
//   v ← αv + (1 − α)g²                     running mean of g²
//   centered: ḡ ← αḡ + (1 − α)g,  s = √(v − ḡ²) + ε       (a running variance instead)
//   otherwise: s = √v + ε
//   momentum μ > 0: b ← μb + g/s,  θ ← θ − γb
//   otherwise:      θ ← θ − γ g/s

import { zerosLike } from "../../core/creation.ts";
import { Tensor } from "../../core/tensor.ts";
import { checkBoolean, checkNonNegative, Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.ts";

export interface RMSpropOptions {
  /** Learning rate γ (default 1e-2). */
  lr: number;
  /** Smoothing constant α of the running averages (default 0.99). */
  alpha: number;
  /** ε, added to the denominator (default 1e-8). */
  eps: number;
  /** Weight decay λ (default 0). */
  weightDecay: number;
  /** Momentum factor μ (default 0). */
  momentum: number;
  /** Normalize by an estimate of the gradient's variance instead of its mean square (default false). */
  centered: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

export type RMSpropState = { step: number; square_avg: Tensor; momentum_buffer?: Tensor; grad_avg?: Tensor };

const DEFAULTS: RMSpropOptions = { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false };

/** RMSprop, like torch.optim.RMSprop. */
export class RMSprop extends Optimizer<RMSpropOptions, RMSpropState> {
  constructor(params: ParamsInput<RMSpropOptions>, options: Partial<RMSpropOptions> = {}) {
    super(params, DEFAULTS, options);
  }

  protected checkOptions(options: RMSpropOptions, where: string): void {
    checkNonNegative(where, "alpha", options.alpha);
    checkNonNegative(where, "eps", options.eps);
    checkNonNegative(where, "weight_decay", options.weightDecay);
    checkNonNegative(where, "momentum", options.momentum);
    checkBoolean(where, "centered", options.centered);
    checkBoolean(where, "maximize", options.maximize);
  }

  protected initialState(param: Tensor, group: ParamGroup<RMSpropOptions>): RMSpropState {
    const state: RMSpropState = { step: 0, square_avg: zerosLike(param) };
    if (group.momentum > 0) state.momentum_buffer = zerosLike(param);
    if (group.centered) state.grad_avg = zerosLike(param);
    return state;
  }

  protected stateKeys(group: ParamGroup<RMSpropOptions>): string[] {
    return ["step", "square_avg", ...(group.momentum > 0 ? ["momentum_buffer"] : []), ...(group.centered ? ["grad_avg"] : [])];
  }

  protected updateParameter(param: Tensor, grad: Tensor, group: ParamGroup<RMSpropOptions>, state: RMSpropState): void {
    const { lr, alpha, eps, weightDecay, momentum } = group;
    let g = group.maximize ? grad.neg() : grad;
    state.step += 1;
    if (weightDecay !== 0) g = g.add(param, { alpha: weightDecay }); // g + λθ
    state.square_avg.mul_(alpha).add_(g.mul(1 - alpha).mul(g)); // v ← αv + (1 − α)g²
    let meanSquare = state.square_avg;
    if (group.centered) {
      // A scheduler (OneCycleLR) may turn options on after the state was made: buffers are created when first needed.
      state.grad_avg ??= zerosLike(param);
      state.grad_avg.mul_(alpha).add_(g, { alpha: 1 - alpha }); // ḡ ← αḡ + (1 − α)g
      meanSquare = meanSquare.sub(state.grad_avg.square()); // v − ḡ²
    }
    const denominator = meanSquare.sqrt().add(eps); // s = √(…) + ε
    if (momentum > 0) {
      state.momentum_buffer ??= zerosLike(param);
      state.momentum_buffer.mul_(momentum).add_(g.div(denominator)); // b ← μb + g/s
      param.add_(state.momentum_buffer, { alpha: -lr }); // θ ← θ − γb
    } else {
      param.add_(g.mul(-lr).div(denominator)); // θ ← θ − γ g/s
    }
  }
}

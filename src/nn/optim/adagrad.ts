// Adagrad, like torch.optim.Adagrad: divide each gradient by the root of the
// sum of all its past squares, so that often-updated parameters slow down and
// rarely-updated ones keep large steps.
//
//   g ← ∇f(θ)  (−∇f(θ) when maximizing);   g ← g + λθ      weight decay λ
//   γₜ = γ / (1 + (t − 1)·η)                 lr decay η, at step t
//   s ← s + g²                               (s starts at initialAccumulatorValue)
//   θ ← θ − γₜ g / (√s + ε)

import { fullLike } from "../../core/creation.ts";
import { Tensor } from "../../core/tensor.ts";
import { checkBoolean, checkNonNegative, Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.ts";

export interface AdagradOptions {
  /** Learning rate γ (default 1e-2). */
  lr: number;
  /** Learning-rate decay η (default 0). */
  lrDecay: number;
  /** Weight decay λ (default 0). */
  weightDecay: number;
  /** Starting value of the sum of squares (default 0). */
  initialAccumulatorValue: number;
  /** ε, added to the denominator (default 1e-10). */
  eps: number;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

export type AdagradState = { step: number; sum: Tensor };

const DEFAULTS: AdagradOptions = { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false };

/** Adagrad, like torch.optim.Adagrad. As in PyTorch, every parameter's state exists from the start. */
export class Adagrad extends Optimizer<AdagradOptions, AdagradState> {
  constructor(params: ParamsInput<AdagradOptions>, options: Partial<AdagradOptions> = {}) {
    super(params, DEFAULTS, options);
    for (const group of this.paramGroups) for (const param of group.params) this.stateOf(param, group);
  }

  protected checkOptions(options: AdagradOptions, where: string): void {
    checkNonNegative(where, "lr_decay", options.lrDecay);
    checkNonNegative(where, "weight_decay", options.weightDecay);
    checkNonNegative(where, "initial_accumulator_value", options.initialAccumulatorValue);
    checkNonNegative(where, "eps", options.eps);
    checkBoolean(where, "maximize", options.maximize);
  }

  protected initialState(param: Tensor, group: ParamGroup<AdagradOptions>): AdagradState {
    return { step: 0, sum: fullLike(param, group.initialAccumulatorValue) };
  }

  protected stateKeys(): string[] {
    return ["step", "sum"];
  }

  protected updateParameter(param: Tensor, grad: Tensor, group: ParamGroup<AdagradOptions>, state: AdagradState): void {
    let g = group.maximize ? grad.neg() : grad;
    state.step += 1;
    if (group.weightDecay !== 0) g = g.add(param, { alpha: group.weightDecay }); // g + λθ
    const lr = group.lr / (1 + (state.step - 1) * group.lrDecay); // γₜ = γ / (1 + (t − 1)η)
    state.sum.add_(g.mul(g)); // s ← s + g²
    const denominator = state.sum.sqrt().add(group.eps); // √s + ε
    param.add_(g.mul(-lr).div(denominator)); // θ ← θ − γₜ g / (√s + ε)
  }
}

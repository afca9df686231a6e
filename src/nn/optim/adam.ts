// Adam and AdamW, like torch.optim.Adam and torch.optim.AdamW.
//
// Adam keeps two running averages per parameter: m of the gradient and v of
// its square. Dividing m by √v gives every parameter a step of about γ,
// whatever the scale of its gradient.
//
//   g ← ∇f(θ)  (−∇f(θ) when maximizing)
//   Adam:  g ← g + λθ               (weight decay as an L2 penalty, inside the averages)
//   AdamW: θ ← θ(1 − γλ)            (decoupled weight decay, outside them)
//   m ← β₁m + (1 − β₁)g
//   v ← β₂v + (1 − β₂)g²
//   m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)        bias corrections: m and v start at 0
//   AMSGrad: v̂ ← max(v̂max, v̂), the largest so far (computed on v, before the correction)
//   θ ← θ − γ m̂ / (√v̂ + ε)
//
// The update follows PyTorch's order of operations, so that float32
// trajectories agree with PyTorch's to a few units in the last place.

import { zerosLike } from "../../core/creation.ts";
import { Tensor } from "../../core/tensor.ts";
import { checkBoolean, checkNonNegative, describe, Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.ts";

export interface AdamOptions {
  /** Learning rate γ (default 1e-3). */
  lr: number;
  /** β₁ and β₂, the decay rates of the two running averages (default [0.9, 0.999]). */
  betas: [number, number];
  /** ε, added to the denominator (default 1e-8). */
  eps: number;
  /** Weight decay λ (default 0 for Adam, 0.01 for AdamW). */
  weightDecay: number;
  /** Use the largest v so far (the AMSGrad variant; default false). */
  amsgrad: boolean;
  /** Maximize the objective instead of minimizing it (default false). */
  maximize: boolean;
}

export type AdamState = { step: number; exp_avg: Tensor; exp_avg_sq: Tensor; max_exp_avg_sq?: Tensor };

const ADAM_DEFAULTS: AdamOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false };

/** Adam, like torch.optim.Adam (weight decay as an L2 penalty added to the gradient). */
export class Adam extends Optimizer<AdamOptions, AdamState> {
  /** AdamW applies weight decay to the parameters directly instead of through the gradient. */
  protected readonly decoupledWeightDecay: boolean = false;

  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, ADAM_DEFAULTS, options);
  }

  protected checkOptions(options: AdamOptions, where: string): void {
    checkNonNegative(where, "eps", options.eps);
    checkBetas(where, options.betas);
    checkNonNegative(where, "weight_decay", options.weightDecay);
    checkBoolean(where, "amsgrad", options.amsgrad);
    checkBoolean(where, "maximize", options.maximize);
  }

  protected initialState(param: Tensor, group: ParamGroup<AdamOptions>): AdamState {
    const state: AdamState = { step: 0, exp_avg: zerosLike(param), exp_avg_sq: zerosLike(param) };
    if (group.amsgrad) state.max_exp_avg_sq = zerosLike(param);
    return state;
  }

  protected stateKeys(group: ParamGroup<AdamOptions>): string[] {
    return group.amsgrad ? ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["step", "exp_avg", "exp_avg_sq"];
  }

  protected updateParameter(param: Tensor, grad: Tensor, group: ParamGroup<AdamOptions>, state: AdamState): void {
    const { lr, eps, weightDecay } = group;
    const [beta1, beta2] = group.betas;
    let g = group.maximize ? grad.neg() : grad;
    state.step += 1;
    if (this.decoupledWeightDecay) param.mul_(1 - lr * weightDecay); // θ ← θ(1 − γλ)
    else if (weightDecay !== 0) g = g.add(param, { alpha: weightDecay }); // g + λθ
    state.exp_avg.mul_(beta1).add_(g, { alpha: 1 - beta1 }); // m ← β₁m + (1 − β₁)g
    state.exp_avg_sq.mul_(beta2).add_(g.mul(1 - beta2).mul(g)); // v ← β₂v + (1 − β₂)g²
    const biasCorrection1 = 1 - beta1 ** state.step;
    const biasCorrection2 = 1 - beta2 ** state.step;
    const secondMoment = group.amsgrad ? this.runningMax(param, state) : state.exp_avg_sq;
    const denominator = secondMoment.sqrt().div(Math.sqrt(biasCorrection2)).add(eps); // √v̂ + ε
    const stepSize = lr / biasCorrection1;
    param.add_(state.exp_avg.mul(-stepSize).div(denominator)); // θ ← θ − γ m̂ / (√v̂ + ε)
  }

  /** AMSGrad: the elementwise largest v seen so far. */
  private runningMax(param: Tensor, state: AdamState): Tensor {
    state.max_exp_avg_sq ??= zerosLike(param);
    return state.max_exp_avg_sq.copy_(state.max_exp_avg_sq.maximum(state.exp_avg_sq));
  }
}

/** AdamW, like torch.optim.AdamW: Adam with decoupled weight decay θ ← θ(1 − γλ) (default λ = 0.01). */
export class AdamW extends Adam {
  protected override readonly decoupledWeightDecay: boolean = true;

  constructor(params: ParamsInput<AdamOptions>, options: Partial<AdamOptions> = {}) {
    super(params, { ...options, weightDecay: options.weightDecay ?? 1e-2 });
  }
}

function checkBetas(where: string, betas: unknown): void {
  if (!Array.isArray(betas) || betas.length !== 2) throw new Error(`${where}: betas must be a pair [beta1, beta2], got ${describe(betas)}`);
  betas.forEach((beta, i) => {
    if (typeof beta !== "number" || !(beta >= 0 && beta < 1)) {
      throw new Error(`${where}: invalid beta parameter at index ${i}: ${describe(beta)}; it must be in [0, 1)`);
    }
  });
}

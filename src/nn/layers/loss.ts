// Loss functions as modules, like torch.nn's MSELoss, CrossEntropyLoss ...:
// the options are fixed when the module is built, and forward(input, target)
// computes the loss with the function of src/nn/functional/loss.ts.
//
//   const criterion = new CrossEntropyLoss({ labelSmoothing: 0.1 });
//   const loss = criterion.forward(model.forward(x), labels);
//
// Class weights are buffers named `weight` (and `pos_weight`), as in PyTorch:
// they are saved in the state dict and follow module.double().

import type { Tensor } from "../../core/tensor.ts";
import {
  binaryCrossEntropy, binaryCrossEntropyWithLogits, type BinaryCrossEntropyOptions, type BinaryCrossEntropyWithLogitsOptions,
} from "../functional/loss-binary.ts";
import {
  checkLabelSmoothing, crossEntropy, nllLoss, type CrossEntropyOptions, type NLLLossOptions,
} from "../functional/loss-classification.ts";
import { klDiv, type KLDivOptions, type KLDivReduction } from "../functional/loss-kl.ts";
import { checkReduction, type Reduction } from "../functional/loss-reduction.ts";
import {
  checkBeta, checkDelta, huberLoss, l1Loss, mseLoss, smoothL1Loss,
  type HuberLossOptions, type RegressionLossOptions, type SmoothL1LossOptions,
} from "../functional/loss-regression.ts";
import { Module } from "../module.ts";

/** Mean squared error (x − y)², like torch.nn.MSELoss. */
export class MSELoss extends Module {
  reduction: Reduction;

  constructor({ reduction = "mean" }: RegressionLossOptions = {}) {
    super();
    checkReduction("MSELoss", reduction);
    this.reduction = reduction;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, { reduction: this.reduction });
  }
}

/** Mean absolute error |x − y|, like torch.nn.L1Loss. */
export class L1Loss extends Module {
  reduction: Reduction;

  constructor({ reduction = "mean" }: RegressionLossOptions = {}) {
    super();
    checkReduction("L1Loss", reduction);
    this.reduction = reduction;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, { reduction: this.reduction });
  }
}

/** ½d²/β for |d| < β, |d| − ½β beyond (d = x − y), like torch.nn.SmoothL1Loss. */
export class SmoothL1Loss extends Module {
  reduction: Reduction;
  beta: number;

  constructor({ reduction = "mean", beta = 1 }: SmoothL1LossOptions = {}) {
    super();
    checkReduction("SmoothL1Loss", reduction);
    checkBeta("SmoothL1Loss", beta);
    this.reduction = reduction;
    this.beta = beta;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** ½d² for |d| < δ, δ(|d| − ½δ) beyond (d = x − y), like torch.nn.HuberLoss. */
export class HuberLoss extends Module {
  reduction: Reduction;
  delta: number;

  constructor({ reduction = "mean", delta = 1 }: HuberLossOptions = {}) {
    super();
    checkReduction("HuberLoss", reduction);
    checkDelta("HuberLoss", delta);
    this.reduction = reduction;
    this.delta = delta;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

/** Cross entropy of class scores against class indices or probabilities, like torch.nn.CrossEntropyLoss. */
export class CrossEntropyLoss extends Module {
  /** Buffer: one weight per class, or null. */
  weight: Tensor | null;
  ignoreIndex: number;
  reduction: Reduction;
  labelSmoothing: number;

  constructor({ weight = null, ignoreIndex = -100, reduction = "mean", labelSmoothing = 0 }: CrossEntropyOptions = {}) {
    super();
    checkReduction("CrossEntropyLoss", reduction);
    checkLabelSmoothing("CrossEntropyLoss", labelSmoothing);
    this.weight = this.registerBuffer("weight", weight);
    this.ignoreIndex = ignoreIndex;
    this.reduction = reduction;
    this.labelSmoothing = labelSmoothing;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    const { weight, ignoreIndex, reduction, labelSmoothing } = this;
    return crossEntropy(input, target, { weight, ignoreIndex, reduction, labelSmoothing });
  }
}

/** Negative log-likelihood of log-probabilities against class indices, like torch.nn.NLLLoss. */
export class NLLLoss extends Module {
  /** Buffer: one weight per class, or null. */
  weight: Tensor | null;
  ignoreIndex: number;
  reduction: Reduction;

  constructor({ weight = null, ignoreIndex = -100, reduction = "mean" }: NLLLossOptions = {}) {
    super();
    checkReduction("NLLLoss", reduction);
    this.weight = this.registerBuffer("weight", weight);
    this.ignoreIndex = ignoreIndex;
    this.reduction = reduction;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    const { weight, ignoreIndex, reduction } = this;
    return nllLoss(input, target, { weight, ignoreIndex, reduction });
  }
}

/** Binary cross entropy of probabilities, like torch.nn.BCELoss. */
export class BCELoss extends Module {
  /** Buffer: rescales each element's loss (broadcast to the input), or null. */
  weight: Tensor | null;
  reduction: Reduction;

  constructor({ weight = null, reduction = "mean" }: BinaryCrossEntropyOptions = {}) {
    super();
    checkReduction("BCELoss", reduction);
    this.weight = this.registerBuffer("weight", weight);
    this.reduction = reduction;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Binary cross entropy of logits, computed stably, like torch.nn.BCEWithLogitsLoss. */
export class BCEWithLogitsLoss extends Module {
  /** Buffer: rescales each element's loss (broadcast to the input), or null. */
  weight: Tensor | null;
  /** Buffer: the weight of positive examples, e.g. one per class, or null. */
  pos_weight: Tensor | null;
  reduction: Reduction;

  constructor({ weight = null, posWeight = null, reduction = "mean" }: BinaryCrossEntropyWithLogitsOptions = {}) {
    super();
    checkReduction("BCEWithLogitsLoss", reduction);
    this.weight = this.registerBuffer("weight", weight);
    this.pos_weight = this.registerBuffer("pos_weight", posWeight);
    this.reduction = reduction;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    const options = { weight: this.weight, posWeight: this.pos_weight, reduction: this.reduction };
    return binaryCrossEntropyWithLogits(input, target, options);
  }
}

/** Kullback-Leibler divergence of the target from the input's log-probabilities, like torch.nn.KLDivLoss. */
export class KLDivLoss extends Module {
  reduction: KLDivReduction;
  logTarget: boolean;

  constructor({ reduction = "mean", logTarget = false }: KLDivOptions = {}) {
    super();
    checkReduction("KLDivLoss", reduction, ["none", "mean", "batchmean", "sum"]);
    this.reduction = reduction;
    this.logTarget = logTarget;
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}

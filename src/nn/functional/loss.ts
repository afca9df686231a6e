// Loss functions, like torch.nn.functional's: one number (or one per element
// with reduction "none") that says how wrong a prediction is, to minimise.
//
//   regression       mseLoss, l1Loss, smoothL1Loss, huberLoss        loss-regression.ts
//   classification   crossEntropy, nllLoss                          loss-classification.ts
//   binary           binaryCrossEntropy, binaryCrossEntropyWithLogits   loss-binary.ts
//   distributions    klDiv                                          loss-kl.ts
//
// Every loss is a composition of tensor ops, so its gradients (of any order)
// come from autograd. The reductions are in loss-reduction.ts.

export { type Reduction } from "./loss-reduction.ts";
export {
  huberLoss, l1Loss, mseLoss, smoothL1Loss, type HuberLossOptions, type RegressionLossOptions, type SmoothL1LossOptions,
} from "./loss-regression.ts";
export { crossEntropy, nllLoss, type CrossEntropyOptions, type NLLLossOptions } from "./loss-classification.ts";
export {
  binaryCrossEntropy, binaryCrossEntropyWithLogits, type BinaryCrossEntropyOptions, type BinaryCrossEntropyWithLogitsOptions,
} from "./loss-binary.ts";
export { klDiv, type KLDivOptions, type KLDivReduction } from "./loss-kl.ts";

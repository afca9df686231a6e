// torch.optim: optimizers and learning-rate schedulers.
export {
  Optimizer, type JsonValue, type OptimizerOptions, type OptimizerStateDict, type ParamGroup, type ParamGroupInput, type ParamsInput,
  type ParamState, type ScheduledGroupFields, type StateValue,
} from "./optimizer.ts";
export { SGD, type SGDOptions, type SGDState } from "./sgd.ts";
export { Adam, AdamW, type AdamOptions, type AdamState } from "./adam.ts";
export { RMSprop, type RMSpropOptions, type RMSpropState } from "./rmsprop.ts";
export { Adagrad, type AdagradOptions, type AdagradState } from "./adagrad.ts";
// The schedulers as a namespace, as torch.optim.lr_scheduler: optim.lrScheduler.StepLR.
export * as lrScheduler from "./lr-scheduler/index.ts";

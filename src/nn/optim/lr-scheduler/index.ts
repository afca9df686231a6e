// torch.optim.lr_scheduler: learning-rate schedulers.
export { LRScheduler, type Scheduler, type SchedulerStateDict } from "./scheduler.ts";
export { ExponentialLR, LambdaLR, LinearLR, MultiStepLR, StepLR, type LinearLROptions, type LrLambda } from "./decay.ts";
export { CosineAnnealingLR } from "./cosine.ts";
export { OneCycleLR, type OneCycleLROptions } from "./one-cycle.ts";
export { ChainedScheduler, SequentialLR } from "./sequential.ts";

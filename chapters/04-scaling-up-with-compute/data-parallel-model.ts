// What every data-parallel worker shares: the model, the batches, one
// gradient computation and one update. The workers (data-parallel-worker.ts)
// and the single-worker reference (data-parallel.ts) call exactly these.

import { data, F, Generator, manualSeed, nn, optim, randperm, tensor, type Tensor } from "../../src/index.ts";

export interface DataParallelConfig {
  seed: number;
  hidden: number;
  /** The global batch: split into equal shards, one per worker. */
  batchSize: number;
  steps: number;
  learningRate: number;
}

/** The same seed gives every worker the same starting weights. */
export function buildModel(config: DataParallelConfig): nn.Sequential {
  manualSeed(config.seed);
  const linear = (i: number, o: number) => new nn.Linear(i, o, { dtype: "float64" });
  return new nn.Sequential(linear(64, config.hidden), new nn.Tanh(), linear(config.hidden, config.hidden), new nn.Tanh(), linear(config.hidden, 10));
}

export function buildOptimizer(model: nn.Module, config: DataParallelConfig): optim.SGD {
  return new optim.SGD(model.parameters(), { lr: config.learningRate, momentum: 0.9 });
}

/** The 8×8 digits as float64 in [0, 1], and their labels. */
export function loadDigits(): { x: Tensor; y: Tensor } {
  const digits = data.loadDigits();
  return { x: digits.data.div(16).to("float64"), y: digits.target };
}

/** The examples of every step's global batch: drawn from a generator seeded the same way in every worker. */
export function batchIndices(config: DataParallelConfig, examples: number): number[][] {
  const generator = new Generator(config.seed + 1);
  return Array.from({ length: config.steps }, () => Array.from(randperm(examples, { generator }).toTypedArray()).slice(0, config.batchSize));
}

/** Worker `rank` of `workers` takes the rank-th equal slice of the batch. */
export function shardOf(batch: readonly number[], rank: number, workers: number): number[] {
  if (batch.length % workers !== 0) throw new Error(`data parallel: a batch of ${batch.length} does not split into ${workers} equal shards`);
  const size = batch.length / workers;
  return batch.slice(rank * size, (rank + 1) * size);
}

/** ∂(mean cross-entropy over these examples)/∂(each parameter), as plain arrays. */
export function gradientsOn(model: nn.Sequential, digits: { x: Tensor; y: Tensor }, examples: readonly number[]): Float64Array[] {
  const index = tensor(examples as number[], { dtype: "int32" });
  const loss = F.crossEntropy(model.forward(digits.x.indexSelect(0, index)), digits.y.indexSelect(0, index));
  for (const p of model.parameters()) p.grad = null;
  loss.backward();
  return model.parameters().map((p) => Float64Array.from(p.grad!.contiguous().toTypedArray()));
}

/** Puts the (averaged) gradients in place and takes one optimizer step: the same update in every worker. */
export function applyUpdate(model: nn.Module, optimizer: optim.SGD, gradients: readonly Float64Array[]): void {
  model.parameters().forEach((p, i) => { p.grad = tensor(gradients[i]!, { dtype: "float64", shape: p.shape }); });
  optimizer.step();
}

export function weightsOf(model: nn.Module): Float64Array[] {
  return model.parameters().map((p) => Float64Array.from(p.contiguous().toTypedArray()));
}

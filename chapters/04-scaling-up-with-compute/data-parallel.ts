// Data-parallel training: K workers, one shared model, the batch split K ways.
//
// Each worker holds a full copy of the model. At every step each computes the
// gradients of the mean loss on its shard (batch/K examples); an all-reduce
// averages them; every worker applies that same average, so the copies stay
// identical. Since the mean over the batch is the mean of the K shard means
// (equal shards), this is the same step one worker would take on the whole
// batch, up to the rounding of a different order of additions.
//
// Here the main thread does the reduction: it gathers the K gradients, adds
// them in rank order (so the result does not depend on who finished first)
// and sends the average back. Multi-GPU training does the same sum with a
// ring all-reduce, which needs no centre.

import { Worker } from "node:worker_threads";
import { applyUpdate, batchIndices, buildModel, buildOptimizer, gradientsOn, loadDigits, weightsOf, type DataParallelConfig } from "./data-parallel-model.ts";

export interface TrainingRun {
  weights: Float64Array[];
  seconds: number;
}

/** The reference: one worker (this thread) on the whole batch. */
export function trainOneWorker(config: DataParallelConfig): TrainingRun {
  const started = performance.now();
  const model = buildModel(config);
  const optimizer = buildOptimizer(model, config);
  const digits = loadDigits();
  for (const batch of batchIndices(config, digits.y.shape[0]!)) applyUpdate(model, optimizer, gradientsOn(model, digits, batch));
  return { weights: weightsOf(model), seconds: (performance.now() - started) / 1000 };
}

/** K workers on worker threads, each on 1/K of every batch, averaging their gradients at every step. */
export async function trainDataParallel(config: DataParallelConfig, workers: number): Promise<TrainingRun> {
  const started = performance.now();
  const entry = new URL("./data-parallel-worker.ts", import.meta.url).href;
  const threads = Array.from({ length: workers }, (_, rank) => new Worker(new URL("./worker-boot.mjs", import.meta.url), { workerData: { entry, config, rank, workers } }));
  const finalWeights: Float64Array[][] = new Array(workers);
  let pending: (Float64Array[] | undefined)[] = new Array(workers);
  let arrived = 0;
  await new Promise<void>((resolve, reject) => {
    let finished = 0;
    threads.forEach((thread) => {
      thread.on("error", reject);
      thread.on("message", (message: { rank: number; gradients?: Float64Array[]; weights?: Float64Array[] }) => {
        if (message.weights) {
          finalWeights[message.rank] = message.weights;
          if (++finished === workers) resolve();
          return;
        }
        pending[message.rank] = message.gradients;
        if (++arrived < workers) return;
        const average = allReduceMean(pending as Float64Array[][]); // every worker's gradients are in
        pending = new Array(workers);
        arrived = 0;
        for (const t of threads) t.postMessage(average);
      });
    });
  });
  await Promise.all(threads.map((t) => t.terminate()));
  const different = finalWeights.some((w) => maxDifference(w, finalWeights[0]!) !== 0);
  if (different) throw new Error("data parallel: the workers' copies of the model drifted apart");
  return { weights: finalWeights[0]!, seconds: (performance.now() - started) / 1000 };
}

/** The element-wise mean of the workers' gradients, added in rank order. */
export function allReduceMean(perWorker: readonly (readonly Float64Array[])[]): Float64Array[] {
  return perWorker[0]!.map((first, i) => {
    const total = Float64Array.from(first);
    for (let k = 1; k < perWorker.length; k++) perWorker[k]![i]!.forEach((v, j) => { total[j]! += v; });
    return total.map((v) => v / perWorker.length);
  });
}

/** The largest |a − b| over all the weights. */
export function maxDifference(a: readonly Float64Array[], b: readonly Float64Array[]): number {
  let largest = 0;
  a.forEach((values, i) => values.forEach((v, j) => { largest = Math.max(largest, Math.abs(v - b[i]![j]!)); }));
  return largest;
}

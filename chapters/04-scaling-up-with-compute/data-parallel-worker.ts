// One data-parallel worker, on its own thread. It builds the model from the
// shared seed (so it starts with the same weights as every other worker), and
// for each step: computes the gradients on its shard of the batch, sends them
// to the main thread, waits for the average of all workers' gradients (the
// all-reduce), and applies the same update as everyone else.

import { parentPort, workerData } from "node:worker_threads";
import { setNumThreads } from "../../src/index.ts";
import { applyUpdate, batchIndices, buildModel, buildOptimizer, gradientsOn, loadDigits, shardOf, weightsOf, type DataParallelConfig } from "./data-parallel-model.ts";

const { config, rank, workers } = workerData as { config: DataParallelConfig; rank: number; workers: number };
const port = parentPort!;
setNumThreads(1); // the workers are the parallelism here: one thread each

// Messages from the main thread, waited for one at a time.
const inbox: Float64Array[][] = [];
let waiting: ((average: Float64Array[]) => void) | null = null;
port.on("message", (average: Float64Array[]) => {
  if (waiting) { const resolve = waiting; waiting = null; resolve(average); } else inbox.push(average);
});
const nextAverage = () => new Promise<Float64Array[]>((resolve) => { if (inbox.length > 0) resolve(inbox.shift()!); else waiting = resolve; });

const model = buildModel(config);
const optimizer = buildOptimizer(model, config);
const digits = loadDigits();
for (const batch of batchIndices(config, digits.y.shape[0]!)) {
  port.postMessage({ rank, gradients: gradientsOn(model, digits, shardOf(batch, rank, workers)) }); // my shard's gradients
  applyUpdate(model, optimizer, await nextAverage());                                                // everyone's average
}
port.postMessage({ rank, weights: weightsOf(model) });
port.close();

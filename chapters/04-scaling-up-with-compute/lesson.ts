// Chapter 4: scaling up with compute. How fast the kernels run on 1, 2, ...
// threads; how many FLOPs each architecture's forward pass costs; and
// data-parallel training: K workers, each on a shard of the batch, averaging
// their gradients, ending with the same weights as one worker on the whole batch.

import { availableParallelism } from "node:os";
import path from "node:path";
import { atLeast, atMost, heading, reported, say, type Lesson, type Measurement, runIfMain } from "../_kit/index.ts";
import { barChart, lineChart } from "../_kit/svg.ts";
import { formatTable } from "../_kit/terminal.ts";
import { maxDifference, trainDataParallel, trainOneWorker } from "./data-parallel.ts";
import { buildModel, weightsOf } from "./data-parallel-model.ts";
import { countFlops, kernelFlops } from "./flops.ts";
import { timeConv2d, timeMatmul, type KernelTiming } from "./kernel-timing.ts";
import { modelExamples } from "./models.ts";

const lesson: Lesson = {
  number: 4,
  slug: "scaling-up-with-compute",
  title: "Scaling up with compute",
  async run({ quick, seed, outDir }) {
    const measurements: Measurement[] = [];
    const figures: string[] = [];

    heading("1. More threads, more FLOP/s");
    const cores = availableParallelism();
    const threadCounts = [...new Set([1, 2, ...(quick ? [] : [4, 8].filter((t) => t <= cores))])];
    const n = quick ? 192 : 512, repeats = quick ? 3 : 5;
    say(`This machine reports ${cores} processor${cores === 1 ? "" : "s"}. A matrix product of two ${n}×${n} matrices is 2·${n}³ = ${(2 * n ** 3 / 1e6).toFixed(0)} million FLOPs;`);
    say(`src/parallel splits the rows of the result between threads. Best of ${repeats} runs at ${threadCounts.join(", ")} threads:`);
    const matmul = timeMatmul(n, threadCounts, repeats);
    const conv = quick ? timeConv2d(4, 16, 32, 16, threadCounts, repeats) : timeConv2d(16, 16, 32, 32, threadCounts, repeats);
    const rows = (name: string, timings: KernelTiming[]) => timings.map((t) => [name, t.threads, (1000 * t.seconds).toFixed(1), t.gflops.toFixed(2), (timings[0]!.seconds / t.seconds).toFixed(2), t.identical ? "yes" : "NO"]);
    for (const line of formatTable([...rows(`matmul ${n}×${n}`, matmul), ...rows("conv2d 3×3", conv)], { header: ["kernel", "threads", "ms", "GFLOP/s", "speedup", "same bits"] }).split("\n")) say(`  ${line}`);
    say("A speedup below the thread count is normal: other programs share the cores, and threads wait on memory.");
    for (const [name, timings] of [["matmul", matmul], ["conv2d", conv]] as const) {
      for (const t of timings) measurements.push(reported(`${name} GFLOP/s, ${t.threads} thread${t.threads === 1 ? "" : "s"}`, t.gflops));
      measurements.push(reported(`${name} speedup, ${timings.at(-1)!.threads} threads`, timings[0]!.seconds / timings.at(-1)!.seconds));
      measurements.push(atMost(`${name} results differing from 1 thread`, timings.filter((t) => !t.identical).length, 0));
    }
    figures.push(lineChart(path.join(outDir, "speedup.svg"), [
      { name: `matmul ${n}×${n}`, x: threadCounts, y: matmul.map((t) => matmul[0]!.seconds / t.seconds) },
      { name: "conv2d 3×3", x: threadCounts, y: conv.map((t) => conv[0]!.seconds / t.seconds) },
      { name: "perfect (= threads)", x: threadCounts, y: threadCounts },
    ], { title: "Speedup over one thread", xLabel: "threads", yLabel: "speedup" }));

    heading("2. What a forward pass costs");
    say("FLOPs of one forward pass, counted layer by layer (flops.ts: 2·rows·in·out for a Linear, 2·outputs·Cin·kH·kW for a Conv2d,");
    say("4·T²·C for attention), and checked against a second count of every product the kernels actually run:");
    const counts = modelExamples().map((example) => ({ example, byLayer: countFlops(example.model, example.forward), atKernels: kernelFlops(example.forward) }));
    for (const line of formatTable(counts.map(({ example, byLayer, atKernels }) => [example.name, example.input, example.model.parameterCount(), byLayer.total, atKernels]), {
      header: ["model", "input", "parameters", "FLOPs (layers)", "FLOPs (kernels)"],
    }).split("\n")) say(`  ${line}`);
    const worstGap = Math.max(...counts.map(({ byLayer, atKernels }) => Math.abs(byLayer.total - atKernels) / atKernels));
    say(`The two counts agree to ${(100 * worstGap).toFixed(2)} % (the kernels also run a few small products no layer formula covers, e.g. a time embedding).`);
    const perWeight = (name: string) => { const c = counts.find((k) => k.example.name === name)!; return c.byLayer.total / c.example.model.parameterCount(); };
    say(`FLOPs are not parameters: each weight of a Linear layer is used once per example (about 2 FLOPs per weight: the MLP, ${perWeight("MLP").toFixed(1)}),`);
    say(`a convolution uses each weight at every position (LeNet-5: ${perWeight("LeNet-5").toFixed(0)} FLOPs per weight, ResNet: ${perWeight("ResNet").toFixed(0)}).`);
    measurements.push(atMost("largest gap, layer count vs kernel count (%)", 100 * worstGap, 1));
    for (const { example, byLayer } of counts) measurements.push(reported(`${example.name} forward MFLOPs`, byLayer.total / 1e6));
    figures.push(barChart(path.join(outDir, "flops-per-model.svg"), counts.map(({ example, byLayer }) => ({ label: example.name, value: byLayer.total })), {
      title: "FLOPs per forward pass (one example)", yLabel: "FLOPs (log scale)", logY: true,
    }));

    heading("3. Data-parallel training");
    const config = { seed, hidden: quick ? 64 : 256, batchSize: quick ? 64 : 512, steps: quick ? 8 : 60, learningRate: 0.1 };
    const workerCounts = quick ? [2] : [2, 4];
    say(`An MLP 64 → ${config.hidden} → ${config.hidden} → 10 (float64) on the 8×8 digits, ${config.steps} steps of SGD with momentum, batches of ${config.batchSize}.`);
    say("First one worker on the whole batch; then K workers on worker threads, each with its own copy of the model built from the same seed,");
    say("each computing gradients on its 1/K of the batch; the average of their gradients (the all-reduce) is the update every copy applies.");
    const one = trainOneWorker(config);
    say(`  1 worker : ${one.seconds.toFixed(2)} s`);
    for (const k of workerCounts) {
      const parallel = await trainDataParallel(config, k);
      const gap = maxDifference(one.weights, parallel.weights);
      say(`  ${k} workers: ${parallel.seconds.toFixed(2)} s (starting the threads included); largest weight difference from 1 worker ${gap.toExponential(2)}`);
      measurements.push(atMost(`data parallel, ${k} workers: max weight difference`, gap, 1e-12), reported(`data parallel, ${k} workers: seconds`, parallel.seconds));
    }
    const moved = maxDifference(one.weights, weightsOf(buildModel(config)));
    say(`(Training did move the weights: the largest change from the start is ${moved.toFixed(3)}.)`);
    measurements.push(reported("data parallel, 1 worker: seconds", one.seconds), atLeast("data parallel: largest weight change in training", moved, 1e-3));
    say("Same weights, to the rounding of adding in a different order. On a model this small, starting threads and sending gradients");
    say("costs more than the arithmetic it saves; data parallelism pays when each worker's share of the work is large (GPUs, big batches).");

    const best = matmul.at(-1)!;
    return {
      measurements, figures,
      summary: `matmul ${n}×${n} at ${best.gflops.toFixed(2)} GFLOP/s on ${best.threads} threads (${(matmul[0]!.seconds / best.seconds).toFixed(2)}× one thread, same bits); ${workerCounts.join(" and ")} data-parallel workers end with the weights of one`,
    };
  },
};

export default lesson;

runIfMain(lesson, import.meta.url);

// Chapter 3: how deep learning works, step by step. Data, a forward pass, a
// loss, backpropagation and gradient descent: first on single numbers with a
// 140-line autograd engine (scalar.ts), then on tensors, then by hand; then
// what the learning rate does, and the boundary the network learns.

import path from "node:path";
import { data, noGrad, tensor, type Tensor } from "../../src/index.ts";
import { atLeast, atMost, heading, ProgressBar, reported, say, type Lesson, type Measurement, runIfMain } from "../_kit/index.ts";
import { writeGraph } from "../_kit/graph.ts";
import { lineChart, scatterPlot } from "../_kit/svg.ts";
import { flatten, handGradients } from "./hand-gradients.ts";
import { describeInitialisations, inspectInitialisation } from "./inside-training.ts";
import { Scalar } from "./scalar.ts";
import { randomWeights, ScalarNetwork, tensorLoss, tensorParameters, tensorScore, type TinyWeights } from "./tiny-network.ts";

type Point = readonly [number, number];

const lesson: Lesson = {
  number: 3,
  slug: "how-it-learns",
  title: "How deep learning works, step by step",
  run({ quick, outDir }) {
    const measurements: Measurement[] = [];
    const figures: string[] = [];
    const maxDifference = (a: readonly number[], b: readonly number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));

    heading("1. The data");
    const nTrain = quick ? 80 : 200;
    const [xTrain, yTrain] = data.makeMoons(nTrain, { noise: 0.1, dtype: "float64" });
    const [xTest, yTest] = data.makeMoons(400, { noise: 0.1, dtype: "float64" });
    const points = (x: Tensor) => x.tolist() as unknown as Point[];
    const labels = (y: Tensor) => y.tolist() as number[];
    const trainPoints = points(xTrain), trainLabels = labels(yTrain);
    say(`Two interleaved half moons: ${nTrain} training points and 400 test points, each (x, y) with a label 0 or 1.`);
    say("No straight line separates the two classes, so the network needs a hidden layer.");

    heading("2. Backpropagation on one expression");
    const a = new Scalar(2, [], [], "", "a"), b = new Scalar(-3, [], [], "", "b"), c = new Scalar(10, [], [], "", "c");
    const out = a.mul(b).add(c).tanh().mul(a); // L = tanh(a·b + c)·a
    out.backward();
    say(`L = tanh(a·b + c)·a with a = 2, b = −3, c = 10 gives L = ${out.data.toFixed(6)}.`);
    say(`backward() walks the graph from L back to the inputs, multiplying local derivatives (the chain rule):`);
    say(`  ∂L/∂a = ${a.grad.toFixed(6)}   ∂L/∂b = ${b.grad.toFixed(6)}   ∂L/∂c = ${c.grad.toFixed(6)}`);
    const [ta, tb, tc] = [2, -3, 10].map((v) => tensor(v, { dtype: "float64", requiresGrad: true })) as [Tensor, Tensor, Tensor];
    const tOut = ta.mul(tb).add(tc).tanh().mul(ta);
    tOut.backward();
    const expressionGap = maxDifference([a.grad, b.grad, c.grad], [ta.grad!.item(), tb.grad!.item(), tc.grad!.item()]);
    say(`The tensor engine (src/core/autograd.ts) gives the same three numbers (largest difference ${expressionGap.toExponential(1)}).`);
    figures.push(...drawExpression(outDir, ta, tb, tc, tOut));
    say("expression-graph.svg draws that graph: the inputs at the top, each operation a node, L at the bottom.");

    heading("3. A tiny network on Scalars");
    const hidden = 8;
    const start = randomWeights(hidden);
    const net = new ScalarNetwork(start);
    const scalarSteps = quick ? 30 : 300, scalarRate = 1;
    say(`2 inputs → ${hidden} tanh units → 1 score, ${net.parameters().length} weights, every one a Scalar.`);
    const firstLoss = net.loss(trainPoints, trainLabels);
    say(`The loss on ${nTrain} points is one Scalar built from ${firstLoss.topologicalOrder().length.toLocaleString("en")} Scalars: that is the computation graph backward() walks.`);
    say(`Gradient descent, ${scalarSteps} steps of w ← w − ${scalarRate}·∂loss/∂w, all the data every step:`);
    const bar = new ProgressBar(scalarSteps, { label: "Scalar network" });
    const scalarLosses: number[] = [];
    for (let step = 0; step < scalarSteps; step++) {
      const loss = net.loss(trainPoints, trainLabels); // forward
      net.zeroGrad();
      loss.backward();                                   // backward
      net.step(scalarRate);                              // update
      scalarLosses.push(loss.data);
      bar.tick(1, `loss ${loss.data.toFixed(4)}`);
    }
    bar.finish();
    const scalarAccuracy = accuracy((x0, x1) => net.score(x0, x1).data, points(xTest), labels(yTest));
    say(`Loss ${scalarLosses[0]!.toFixed(4)} → ${scalarLosses.at(-1)!.toFixed(4)}; test accuracy ${scalarAccuracy.toFixed(1)} %.`);
    measurements.push(atLeast("Scalar network test accuracy (%)", scalarAccuracy, quick ? 75 : 95));

    heading("4. The same network on tensors");
    const trained = net.weights();
    const scalarLoss = net.loss(trainPoints, trainLabels);
    net.zeroGrad();
    scalarLoss.backward();
    const scalarGradients = net.parameters().map((p) => p.grad);
    const parameters = tensorParameters(trained);
    const tensorLossValue = tensorLoss(parameters, xTrain, yTrain);
    tensorLossValue.backward();
    const tensorGradients = parameters.flatMap((p) => Array.from(p.grad!.contiguous().toTypedArray()));
    const lossGap = Math.abs(scalarLoss.data - tensorLossValue.item());
    const gradientGap = maxDifference(scalarGradients, tensorGradients);
    say(`With the trained weights copied into four tensors (W1 [2, ${hidden}], b1, w2, b2), one matmul per layer does the work of hundreds of Scalars.`);
    say(`Loss: Scalars ${scalarLoss.data.toFixed(12)}, tensors ${tensorLossValue.item().toFixed(12)}; largest gradient difference ${gradientGap.toExponential(2)}.`);
    measurements.push(atMost("Scalar vs tensor loss difference", lossGap, 1e-12), atMost("Scalar vs tensor gradient difference", gradientGap, 1e-9));

    heading("5. The gradients by hand");
    const byHand = handGradients(trained, trainPoints, trainLabels);
    const handGap = maxDifference(flatten(byHand.gradients), tensorGradients);
    say("The chain rule written out for this network (hand-gradients.ts):");
    say("  ∂loss/∂z = −s·σ(−s·z)/N,  ∂loss/∂w2 = hᵀ·∂loss/∂z,  ∂loss/∂a = ∂loss/∂z·w2·(1 − h²),  ∂loss/∂W1 = xᵀ·∂loss/∂a");
    say(`Largest difference from autograd: ${handGap.toExponential(2)}. Autograd is this bookkeeping, done for any graph.`);
    measurements.push(atMost("hand vs autograd gradient difference", handGap, 1e-9));

    heading("6. The learning rate");
    const rates = [0.02, 1, 40];
    const names = ["too small", "about right", "too large"];
    const steps = quick ? 150 : 1000, wide = 16;
    const initial = randomWeights(wide);
    say(`The same kind of network with ${wide} hidden units, from the same start, ${steps} steps at each of three learning rates.`);
    const runs = rates.map((rate, r) => train(initial, xTrain, yTrain, rate, steps, `lr ${rate} (${names[r]})`));
    runs.forEach((run, r) => say(`  lr ${String(rates[r]).padEnd(4)} (${names[r]}): loss ${run.losses[0]!.toFixed(3)} → ${run.losses.at(-1)!.toFixed(3)}`));
    figures.push(lineChart(path.join(outDir, "learning-rates.svg"), runs.map((run, r) => ({ name: `lr ${rates[r]} (${names[r]})`, y: run.losses.map((v) => (Number.isFinite(v) ? v : 1e3)) })), {
      title: "Training loss for three learning rates", xLabel: "step", yLabel: "loss (log scale)", logY: true,
    }));
    say("Too small: every step is safe but tiny, and the loss has barely moved. Too large: each step overshoots the valley, and the loss jumps about.");
    const [slow, right, wild] = runs.map((run) => run.losses.at(-1)!) as [number, number, number];
    measurements.push(
      reported("final loss, lr too small", slow), reported("final loss, lr about right", right), reported("final loss, lr too large", wild),
      atLeast("final loss ratio, too small / about right", slow / right, 2),
      atLeast("final loss ratio, too large / about right", wild / right, 2),
    );

    heading("7. What the network learned");
    const best = runs[1]!.parameters;
    const classify = (x0: number, x1: number) => (scoreOf(best, x0, x1) > 0 ? 1 : 0);
    const testAccuracy = accuracy((x0, x1) => scoreOf(best, x0, x1), points(xTest), labels(yTest));
    say(`Test accuracy ${testAccuracy.toFixed(1)} %; the figure colours the plane by the class the network predicts.`);
    figures.push(scatterPlot(path.join(outDir, "decision-boundary.svg"), { x: points(xTest).map((p) => p[0]), y: points(xTest).map((p) => p[1]), label: labels(yTest) }, {
      title: `Decision boundary (lr ${rates[1]}, test accuracy ${testAccuracy.toFixed(1)} %)`, xLabel: "x", yLabel: "y", classNames: ["moon 0", "moon 1"],
      background: { xRange: [-1.5, 2.5], yRange: [-1, 1.5], classify, resolution: 60 },
    }));
    measurements.push(atLeast("test accuracy (%)", testAccuracy, quick ? 85 : 97));

    heading("8. Looking inside, before training");
    say("A deeper network (three tanh layers of 32) on the same data, with PyTorch's default initialisation and with every weight 4 times larger.");
    say("For each layer: the mean and spread of its outputs, the share of tanh units on their flat tails, and how much gradient reaches it.");
    const reports = [inspectInitialisation("default initialisation", 1, xTrain, yTrain), inspectInitialisation("weights × 4", 4, xTrain, yTrain)];
    figures.push(describeInitialisations(reports, outDir));
    const meanSaturated = (r: number) => {
      const tanhLayers = reports[r]!.statistics.filter((s) => s.name.startsWith("Tanh"));
      return (100 * tanhLayers.reduce((sum, s) => sum + s.saturated, 0)) / tanhLayers.length;
    };
    say(`With the default start no tanh unit is saturated; with weights × 4, ${meanSaturated(1).toFixed(0)} % are on average, and those units pass`);
    say("almost no gradient (tanh′ < 0.06), so they learn slowly. The update:data ratios, ~1e-3 being the usual healthy size, show that");
    say("the same learning rate is a much bigger step for the large-weight network.");
    measurements.push(
      reported("saturated tanh units, default init (%)", meanSaturated(0)),
      reported("saturated tanh units, weights × 4 (%)", meanSaturated(1)),
      atLeast("saturated units, × 4 minus default (points)", meanSaturated(1) - meanSaturated(0), 10),
    );

    return {
      measurements, figures,
      summary: `a network of ${hidden} hidden units on Scalars matches the tensor engine's gradients to ${gradientGap.toExponential(0)}; trained with lr ${rates[1]} it reaches ${testAccuracy.toFixed(1)} % on the moons`,
    };
  },
};

/** Full-batch gradient descent on tensors: the loop every later chapter refines. */
function train(start: TinyWeights, x: Tensor, y: Tensor, learningRate: number, steps: number, label: string): { losses: number[]; parameters: Tensor[] } {
  const parameters = tensorParameters(start);
  const losses: number[] = [];
  const bar = new ProgressBar(steps, { label });
  for (let step = 0; step < steps; step++) {
    const loss = tensorLoss(parameters, x, y);       // forward pass and loss
    for (const p of parameters) p.grad = null;
    loss.backward();                                   // backpropagation
    noGrad(() => { for (const p of parameters) p.sub_(p.grad!.mul(learningRate)); }); // gradient descent
    losses.push(loss.item());
    bar.tick(1, `loss ${loss.item().toFixed(4)}`);
  }
  bar.finish();
  return { losses, parameters };
}

function scoreOf(parameters: readonly Tensor[], x0: number, x1: number): number {
  return noGrad(() => tensorScore(parameters, tensor([[x0, x1]], { dtype: "float64" })).item());
}

/** Percentage of points whose score has the sign of their label. */
function accuracy(score: (x0: number, x1: number) => number, points: readonly Point[], labels: readonly number[]): number {
  const right = points.filter(([x0, x1], i) => (score(x0, x1) > 0 ? 1 : 0) === labels[i]).length;
  return (100 * right) / points.length;
}

/** The computation graph of L = tanh(a·b + c)·a. */
function drawExpression(outDir: string, a: Tensor, b: Tensor, c: Tensor, out: Tensor): string[] {
  const names = new Map<Tensor, string>([[a, "a"], [b, "b"], [c, "c"], [out, "L"]]);
  return writeGraph(path.join(outDir, "expression-graph"), out, { names });
}

export default lesson;

runIfMain(lesson, import.meta.url);

// The Scalar autograd engine of chapter 3: small enough to read, right enough to trust.
import assert from "node:assert/strict";
import fs from "node:fs";
import { test } from "node:test";
import { manualSeed, tensor } from "../../src/index.ts";
import { flatten, handGradients } from "../../chapters/03-how-it-learns/hand-gradients.ts";
import { Scalar, sum } from "../../chapters/03-how-it-learns/scalar.ts";
import { randomWeights, ScalarNetwork, tensorLoss, tensorParameters } from "../../chapters/03-how-it-learns/tiny-network.ts";

const maxDifference = (a: readonly number[], b: readonly number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));

test("scalar.ts stays under 150 lines", () => {
  const lines = fs.readFileSync(new URL("../../chapters/03-how-it-learns/scalar.ts", import.meta.url), "utf8").trimEnd().split("\n").length;
  assert.ok(lines < 150, `scalar.ts has ${lines} lines`);
});

test("every operation's gradient matches central differences", () => {
  const h = 1e-6;
  const cases: [string, (x: Scalar) => Scalar, number][] = [
    ["add", (x) => x.add(3).add(x), 0.7],
    ["mul", (x) => x.mul(x).mul(-2), 0.7],
    ["pow", (x) => x.pow(3), 1.3],
    ["pow -1.5", (x) => x.pow(-1.5), 1.3],
    ["neg", (x) => x.neg().mul(x), -0.4],
    ["sub", (x) => new Scalar(2).sub(x).sub(x.mul(x)), 0.3],
    ["div", (x) => x.div(x.add(2)).add(new Scalar(1).div(x)), 0.9],
    ["tanh", (x) => x.mul(2).tanh(), 0.4],
    ["relu (positive)", (x) => x.relu().mul(x), 0.8],
    ["relu (negative)", (x) => x.relu().add(x), -0.8],
    ["exp", (x) => x.exp().mul(x), 0.5],
    ["log", (x) => x.mul(x).add(1).log(), 0.6],
  ];
  for (const [name, f, at] of cases) {
    const x = new Scalar(at);
    const y = f(x);
    y.backward();
    const numeric = (f(new Scalar(at + h)).data - f(new Scalar(at - h)).data) / (2 * h);
    assert.ok(Math.abs(x.grad - numeric) < 1e-6, `${name}: backward ${x.grad}, central difference ${numeric}`);
  }
});

test("a value used on several paths gets the sum of their gradients, visited once", () => {
  const a = new Scalar(3);
  const b = a.mul(a);          // a², used twice below
  const out = b.add(b).add(a); // 2a² + a
  const order = out.topologicalOrder();
  assert.equal(new Set(order).size, order.length);
  assert.ok(order.indexOf(a) < order.indexOf(b) && order.indexOf(b) < order.indexOf(out));
  out.backward();
  assert.equal(a.grad, 4 * 3 + 1);
  assert.equal(sum([a, a, new Scalar(1)]).data, 7);
});

test("deep graphs do not overflow the stack", () => {
  let x = new Scalar(0.5);
  const start = x;
  for (let i = 0; i < 20_000; i++) x = x.mul(1);
  x.backward();
  assert.equal(start.grad, 1);
});

test("log of a non-positive number is a clear error", () => {
  assert.throws(() => new Scalar(0).log(), /positive/);
  assert.throws(() => new Scalar(1, [new Scalar(1)], []), /1 inputs but 0 local gradients/);
});

test("the Scalar network's loss and gradients equal the tensor engine's and the hand-derived ones", () => {
  manualSeed(3);
  const weights = randomWeights(5);
  const points: [number, number][] = [[0.1, -0.4], [1.2, 0.3], [-0.7, 0.9], [0.5, 0.5], [2, -1], [-1.5, -0.2]];
  const labels = [0, 1, 1, 0, 1, 0];
  const net = new ScalarNetwork(weights);
  const loss = net.loss(points, labels);
  loss.backward();
  const parameters = tensorParameters(weights);
  const tLoss = tensorLoss(parameters, tensor(points, { dtype: "float64" }), tensor(labels, { dtype: "float64" }));
  tLoss.backward();
  const tensorGradients = parameters.flatMap((p) => Array.from(p.grad!.contiguous().toTypedArray()));
  const scalarGradients = net.parameters().map((p) => p.grad);
  assert.ok(Math.abs(loss.data - tLoss.item()) < 1e-12);
  assert.ok(maxDifference(scalarGradients, tensorGradients) < 1e-9);
  assert.ok(Math.max(...tensorGradients.map(Math.abs)) > 1e-3, "the gradients are not trivially zero");
  const byHand = handGradients(weights, points, labels);
  assert.ok(Math.abs(byHand.loss - loss.data) < 1e-12);
  assert.ok(maxDifference(flatten(byHand.gradients), tensorGradients) < 1e-9);
});

test("gradient descent on Scalars lowers the loss", () => {
  manualSeed(1);
  const net = new ScalarNetwork(randomWeights(4));
  const points: [number, number][] = [[0, 0], [1, 1], [1, 0], [0, 1]];
  const labels = [0, 0, 1, 1]; // XOR: needs the hidden layer
  const first = net.loss(points, labels).data;
  for (let step = 0; step < 300; step++) {
    const loss = net.loss(points, labels);
    net.zeroGrad();
    loss.backward();
    net.step(0.5);
  }
  assert.ok(net.loss(points, labels).data < first / 3);
});

// The autograd graph export: the exact DOT of a known graph, and the SVG layout.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { tensor } from "../../../src/index.ts";
import { autogradGraph, graphLayers, graphToDot, graphToSvg, writeGraph } from "../../../chapters/_kit/graph.ts";
import { assertValidFigure, checkSvg } from "../../helpers/figures.ts";

function knownGraph() {
  const a = tensor([1, 2], { requiresGrad: true }), b = tensor([3, 4], { requiresGrad: true });
  const product = a.mul(b);
  const loss = product.add(a).sum();
  return { a, b, product, loss };
}

test("the DOT of (a * b + a).sum() with named leaves, exactly", () => {
  const { a, b, loss } = knownGraph();
  const expected = [
    "digraph autograd {",
    '  node [fontname="sans-serif", fontsize=11];',
    '  n0 [label="SumBackward", shape=ellipse];',
    '  n1 [label="AddBackward", shape=ellipse];',
    '  n2 [label="MulBackward", shape=ellipse];',
    '  n3 [label="a", shape=box, style=filled, fillcolor="#dbe9f6"];',
    '  n4 [label="b", shape=box, style=filled, fillcolor="#dbe9f6"];',
    "  n3 -> n2;",
    "  n4 -> n2;",
    "  n2 -> n1;",
    "  n3 -> n1;",
    "  n1 -> n0;",
    "}",
    "",
  ].join("\n");
  assert.equal(graphToDot(loss, { names: new Map([[a, "a"], [b, "b"]]) }), expected);
});

test("unnamed leaves show their shape; a named result shows under its op; constants are left out", () => {
  const w = tensor([[1, 2, 3], [4, 5, 6]], { requiresGrad: true });
  const x = tensor([[1], [1], [1]]); // an input without gradients: not part of backward
  const y = w.matmul(x);
  const dot = graphToDot(y.mul(2).sum(), { names: new Map([[y, "y \"out\""]]) });
  assert.match(dot, /n2 \[label="MatmulBackward\\ny \\"out\\"", shape=ellipse\];/);
  assert.match(dot, /n3 \[label="\[2, 3\]", shape=box/);
  assert.equal((dot.match(/shape=box/g) ?? []).length, 1, "x is not drawn");
  assert.throws(() => graphToDot(tensor([1])), /does not require grad/);
});

test("layers: the longest path from a leaf", () => {
  const { a, b, loss } = knownGraph();
  const graph = autogradGraph(loss, { names: new Map([[a, "a"], [b, "b"]]) });
  const layer = graphLayers(graph);
  assert.deepEqual(graph.nodes.map((n) => layer.get(n.id)), [3, 2, 1, 0, 0]);
});

test("the SVG graph is well-formed, with one box per node and one arrow per edge", () => {
  const { a, b, loss } = knownGraph();
  const svg = graphToSvg(loss, { names: new Map([[a, "a"], [b, "b"]]) });
  checkSvg(svg);
  assert.equal((svg.match(/<g class="node /g) ?? []).length, 5);
  assert.equal((svg.match(/<g class="node leaf"[^>]*><rect/g) ?? []).length, 2);
  assert.equal((svg.match(/<g class="node op"[^>]*><ellipse/g) ?? []).length, 3);
  assert.equal((svg.match(/<polyline [^>]*marker-end/g) ?? []).length, 5);
  // The leaves above the root: a's box is at the top, SumBackward at the bottom.
  const leafY = Number(/id="n3"><rect x="[^"]*" y="([^"]*)"/.exec(svg)![1]), rootY = Number(/id="n0"><ellipse cx="[^"]*" cy="([^"]*)"/.exec(svg)![1]);
  assert.ok(leafY < rootY);
  // The edge a → AddBackward skips a layer, so it bends through a waypoint: 4 points, not 2.
  const longest = Math.max(...[...svg.matchAll(/<polyline points="([^"]*)"/g)].map((m) => m[1]!.split(" ").length));
  assert.equal(longest, 4);
});

test("writeGraph writes a .dot and an .svg that pass the figure checks", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kit-graph-"));
  try {
    const { loss } = knownGraph();
    const files = writeGraph(path.join(dir, "sub", "graph"), loss);
    assert.deepEqual(files, [path.join(dir, "sub", "graph.dot"), path.join(dir, "sub", "graph.svg")]);
    for (const file of files) assertValidFigure(file);
    // A lone leaf is a graph of one box.
    const leaf = tensor([1, 2], { requiresGrad: true });
    assert.equal((graphToSvg(leaf).match(/<g class="node leaf"/g) ?? []).length, 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// Drawing the autograd graph: what backward() walks.
//
// Every op that runs on a tensor requiring gradients records a Node
// (src/core/op.ts) as its output's gradFn: the op's name and its inputs.
// Starting from a result and following gradFn → inputs → their gradFn ... back
// to the leaves (parameters and inputs created with requiresGrad) gives the
// whole graph. Leaves are drawn as boxes (their name, or their shape), ops as
// ellipses (MulBackward, AddBackward ...), with arrows from inputs to outputs:
// the forward direction; backward runs them in reverse.
//
// graphToDot gives Graphviz text (`dot -Tpng graph.dot`); graphToSvg lays the
// graph out itself, in layers, so no Graphviz is needed to see it.

import fs from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../../src/data/files.ts";
import type { Node } from "../../src/core/op.ts";
import type { Tensor } from "../../src/index.ts";
import { escapeXml } from "./svg.ts";

export interface GraphOptions {
  /** Names to show: for leaves instead of their shape, for results under their op's name. */
  names?: ReadonlyMap<Tensor, string>;
}

export interface GraphNode {
  /** n0, n1, ... in the order of a depth-first walk from the root, inputs in order. */
  id: string;
  kind: "leaf" | "op";
  /** The lines of the label: a leaf's name or shape; an op's displayName, then the result's name if it has one. */
  label: string[];
}

export interface AutogradGraph {
  nodes: GraphNode[];
  /** [from, to]: an input flowing into the op that used it, once per use. */
  edges: [string, string][];
}

/** The graph behind `root`: its ops and the leaves requiring gradients, in a fixed order. */
export function autogradGraph(root: Tensor, options: GraphOptions = {}): AutogradGraph {
  const names = options.names ?? new Map<Tensor, string>();
  const resultNames = new Map<Node, string>();
  for (const [tensor, name] of names) if (tensor.gradFn !== null) resultNames.set(tensor.gradFn, name);
  const nodes: GraphNode[] = [];
  const edges: [string, string][] = [];
  const ids = new Map<Tensor | Node, string>();
  const shapeOf = (t: Tensor) => `[${t.shape.join(", ")}]`;

  const visit = (tensor: Tensor): string => {
    const key: Tensor | Node = tensor.gradFn ?? tensor;
    const known = ids.get(key);
    if (known !== undefined) return known;
    const id = `n${nodes.length}`;
    ids.set(key, id);
    const node = tensor.gradFn;
    if (node === null) {
      nodes.push({ id, kind: "leaf", label: [names.get(tensor) ?? shapeOf(tensor)] });
      return id;
    }
    const resultName = resultNames.get(node);
    nodes.push({ id, kind: "op", label: resultName === undefined ? [node.displayName] : [node.displayName, resultName] });
    for (const input of node.inputs) {
      if (!input.requiresGrad) continue; // constants take no part in backward
      edges.push([visit(input), id]);
    }
    return id;
  };
  if (!root.requiresGrad) throw new Error("autograd graph: the tensor does not require grad, so there is no autograd graph to draw (create the leaves with requiresGrad: true)");
  visit(root);
  return { nodes, edges };
}

/** A double-quoted DOT string. */
function dotString(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/**
 * The autograd graph of `root` in Graphviz DOT. For (a * b + a).sum() with a
 * and b named:
 *   n0 SumBackward ← n1 AddBackward ← n2 MulBackward ← n3 a (box), n4 b (box), and n3 → n1.
 */
export function graphToDot(root: Tensor, options: GraphOptions = {}): string {
  const graph = autogradGraph(root, options);
  const lines = ["digraph autograd {", '  node [fontname="sans-serif", fontsize=11];'];
  for (const node of graph.nodes) {
    const shape = node.kind === "leaf" ? 'shape=box, style=filled, fillcolor="#dbe9f6"' : "shape=ellipse";
    lines.push(`  ${node.id} [label=${dotString(node.label.join("\n"))}, ${shape}];`);
  }
  for (const [from, to] of graph.edges) lines.push(`  ${from} -> ${to};`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

/** Where each node goes: layer = the longest path from a leaf (leaves at 0, at the top), the root lowest. */
export function graphLayers(graph: AutogradGraph): Map<string, number> {
  const inputs = new Map<string, string[]>(graph.nodes.map((n) => [n.id, []]));
  for (const [from, to] of graph.edges) inputs.get(to)!.push(from);
  const layer = new Map<string, number>();
  const depth = (id: string): number => {
    const known = layer.get(id);
    if (known !== undefined) return known;
    const value = Math.max(-1, ...inputs.get(id)!.map(depth)) + 1;
    layer.set(id, value);
    return value;
  };
  for (const node of graph.nodes) depth(node.id);
  return layer;
}

/**
 * The autograd graph of `root` as SVG, laid out in layers: leaves on top, the
 * root at the bottom; within a layer, nodes ordered by the mean position of
 * their inputs (fewer crossings); arrows from inputs to outputs.
 */
export function graphToSvg(root: Tensor, options: GraphOptions = {}): string {
  const graph = autogradGraph(root, options);
  const layerOf = graphLayers(graph);
  const count = Math.max(...layerOf.values()) + 1;
  const nodeHeight = 34, layerGap = 70, gap = 24, margin = 20;

  // The layout places items: the nodes, and a waypoint in every layer a long edge
  // crosses, so that edges bend around the nodes in between instead of through them.
  interface Item { key: string; width: number; inputs: string[]; node: GraphNode | null }
  const items = new Map<string, Item>();
  const byLayer: Item[][] = Array.from({ length: count }, () => []);
  for (const node of graph.nodes) {
    const item = { key: node.id, width: Math.max(60, 16 + 7 * Math.max(...node.label.map((l) => [...l].length))), inputs: [], node };
    items.set(node.id, item);
    byLayer[layerOf.get(node.id)!]!.push(item);
  }
  const routes = graph.edges.map(([from, to], e) => {
    const route = [from];
    for (let l = layerOf.get(from)! + 1; l < layerOf.get(to)!; l++) {
      const waypoint = { key: `e${e}.${l}`, width: 8, inputs: [route.at(-1)!], node: null };
      items.set(waypoint.key, waypoint);
      byLayer[l]!.push(waypoint);
      route.push(waypoint.key);
    }
    items.get(to)!.inputs.push(route.at(-1)!);
    route.push(to);
    return route;
  });

  const centre = new Map<string, { x: number; y: number }>();
  const rowWidth = (row: Item[]) => row.reduce((s, item) => s + item.width, 0) + gap * Math.max(0, row.length - 1);
  const totalWidth = Math.max(...byLayer.map(rowWidth)) + 2 * margin;
  byLayer.forEach((row, l) => {
    if (l > 0) {
      // Barycentre ordering: each item goes near the mean x of what flows into it.
      const mean = (item: Item) => item.inputs.reduce((s, key) => s + centre.get(key)!.x, 0) / item.inputs.length;
      row.sort((a, b) => mean(a) - mean(b));
    }
    let x = (totalWidth - rowWidth(row)) / 2;
    for (const item of row) {
      centre.set(item.key, { x: x + item.width / 2, y: margin + l * (nodeHeight + layerGap) + nodeHeight / 2 });
      x += item.width + gap;
    }
  });

  const height = 2 * margin + count * nodeHeight + (count - 1) * layerGap;
  const r = (v: number) => String(Math.round(v * 10) / 10);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${r(totalWidth)}" height="${height}" viewBox="0 0 ${r(totalWidth)} ${height}" font-family="sans-serif" font-size="11">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555555"/></marker></defs>',
    `<rect x="0" y="0" width="${r(totalWidth)}" height="${height}" fill="#ffffff"/>`,
    '<g class="edges" stroke="#555555" fill="none">',
  ];
  for (const route of routes) {
    // Leave the source at its bottom, pass each waypoint straight down, enter the target at its top.
    const points: string[] = [];
    route.forEach((key, i) => {
      const { x, y } = centre.get(key)!;
      if (i > 0) points.push(`${r(x)},${r(y - nodeHeight / 2)}`);
      if (i < route.length - 1) points.push(`${r(x)},${r(y + nodeHeight / 2)}`);
    });
    parts.push(`<polyline points="${points.join(" ")}" marker-end="url(#arrow)"/>`);
  }
  parts.push("</g>");
  for (const node of graph.nodes) {
    const { x, y } = centre.get(node.id)!, w = items.get(node.id)!.width;
    const shape = node.kind === "leaf"
      ? `<rect x="${r(x - w / 2)}" y="${r(y - nodeHeight / 2)}" width="${r(w)}" height="${nodeHeight}" rx="3" fill="#dbe9f6" stroke="#0072B2"/>`
      : `<ellipse cx="${r(x)}" cy="${r(y)}" rx="${r(w / 2)}" ry="${nodeHeight / 2}" fill="#fdf1dc" stroke="#E69F00"/>`;
    const lines = node.label.map((text, i) => {
      const dy = (i - (node.label.length - 1) / 2) * 12;
      return `<text x="${r(x)}" y="${r(y + dy)}" text-anchor="middle" dominant-baseline="middle">${escapeXml(text)}</text>`;
    });
    parts.push(`<g class="node ${node.kind}" id="${node.id}">${shape}${lines.join("")}</g>`);
  }
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

/** Writes the autograd graph of `root` as `<file>.dot` and `<file>.svg`; returns both paths. */
export function writeGraph(fileWithoutExtension: string, root: Tensor, options: GraphOptions = {}): string[] {
  fs.mkdirSync(path.dirname(fileWithoutExtension), { recursive: true });
  const dot = `${fileWithoutExtension}.dot`, svg = `${fileWithoutExtension}.svg`;
  writeFileAtomic(dot, new TextEncoder().encode(graphToDot(root, options)), "writeGraph");
  writeFileAtomic(svg, new TextEncoder().encode(graphToSvg(root, options)), "writeGraph");
  return [dot, svg];
}
